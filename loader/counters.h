/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * counters.h - the data plane's per-reason counters by name: what
 * `khaxdp stats`, the page and /metrics call them (KHAXDP_STATS in
 * bpf/khaxdp.h).
 */
#ifndef KX_COUNTERS_H
#define KX_COUNTERS_H

#include "bpf/khaxdp.h"

const char *kx_stat_name(unsigned int stat);	/* "NO_FLOW" */
const char *kx_stat_desc(unsigned int stat);	/* "passed: non-SYN ..." */
/* "event", "pass", "malformed", "drop" or "transmit". */
const char *kx_stat_class(unsigned int stat);

#endif /* KX_COUNTERS_H */
