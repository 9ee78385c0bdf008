// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
#include "khaxdp_test.h"
void test_concurrency(void) {}
