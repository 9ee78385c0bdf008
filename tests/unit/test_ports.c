// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* test_ports.c - port sets in the format of net.ipv4.ip_local_reserved_ports
 * (loader/ports.c): parse, format, ranges, and the sysctl read/write on a
 * plain file. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "loader/ports.h"

static struct kx_portset a, b;

static void roundtrip(const char *in, const char *want)
{
	char buf[256];

	if (kx_portset_parse(in, &a))
		fail_msg("parse '%s' failed", in);
	assert_int_equal(kx_portset_format(&a, buf, sizeof(buf)), 0);
	assert_string_equal(buf, want);
}

static void test_parse_format(void **state)
{
	(void)state;
	roundtrip("", "");
	roundtrip("\n", "");
	roundtrip("22\n", "22");
	roundtrip("40000-59999\n", "40000-59999");
	roundtrip("5,1-3,4", "1-5");
	roundtrip("0,65535", "0,65535");
	roundtrip("7, 9-10 ,8", "7-10");
	assert_int_equal(kx_portset_parse("1-", &a), -EINVAL);
	assert_int_equal(kx_portset_parse("5-3", &a), -EINVAL);
	assert_int_equal(kx_portset_parse("65536", &a), -EINVAL);
	assert_int_equal(kx_portset_parse("1;2", &a), -EINVAL);
	assert_int_equal(kx_portset_parse("x", &a), -EINVAL);
}

static void test_sets(void **state)
{
	struct khaxdp_port_range r[2];
	char buf[8];

	(void)state;
	assert_int_equal(kx_portset_parse("22,45000-45010", &a), 0);
	assert_true(kx_portset_has(&a, 22));
	assert_false(kx_portset_has(&a, 23));
	assert_true(kx_portset_has_all(&a, 45000, 45010));
	assert_false(kx_portset_has_all(&a, 44999, 45010));
	kx_portset_add(&a, 40000, 59999);
	kx_portset_del(&a, 45005, 45005);
	assert_int_equal(kx_portset_ranges(&a, NULL, 0), -E2BIG);
	assert_int_equal(kx_portset_ranges(&a, r, 1), -E2BIG);
	memset(&b, 0, sizeof(b));
	kx_portset_add(&b, 100, 200);
	kx_portset_add(&b, 65535, 65535);
	assert_int_equal(kx_portset_ranges(&b, r, 2), 2);
	assert_int_equal(r[0].first, 100);
	assert_int_equal(r[0].last, 200);
	assert_int_equal(r[1].first, 65535);
	assert_int_equal(r[1].last, 65535);
	assert_int_equal(kx_portset_format(&b, buf, sizeof(buf)), -ENOSPC);
}

/* The node keeps ephemeral ports for its own connections: what a
 * reservation would leave of ip_local_port_range. */
static void test_ephemeral_left(void **state)
{
	(void)state;
	memset(&a, 0, sizeof(a));
	/* Debian's range 32768-60999 (28232 ports), snat_ports 40000-59999. */
	assert_int_equal(kx_ephemeral_left(32768, 60999, &a, 40000, 59999),
			 28232 - 20000);
	/* snat_ports over the whole range: nothing left. */
	assert_int_equal(kx_ephemeral_left(32768, 60999, &a, 30000, 61000), 0);
	/* What others reserved counts too. */
	kx_portset_add(&a, 32768, 39999);
	assert_int_equal(kx_ephemeral_left(32768, 60999, &a, 40000, 59999),
			 60999 - 59999);
	assert_true(kx_ephemeral_left(32768, 60999, &a, 40000, 59999) <
		    KX_MIN_EPHEMERAL_PORTS);
}

static void test_file(void **state)
{
	char path[] = "/tmp/khaxdp-test-ports.XXXXXX", text[64] = "";
	int fd = mkstemp(path);
	FILE *f;

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	assert_int_equal(kx_reserved_ports_read(path, &a), 0);	/* empty */
	assert_int_equal(kx_portset_ranges(&a, NULL, 0), 0);
	kx_portset_add(&a, 40000, 59999);
	kx_portset_add(&a, 22, 22);
	assert_int_equal(kx_reserved_ports_write(path, &a), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(text, sizeof(text), f));
	fclose(f);
	assert_string_equal(text, "22,40000-59999\n");
	assert_int_equal(kx_reserved_ports_read(path, &b), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	unlink(path);
	assert_int_equal(kx_reserved_ports_read(path, &b), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_format),
		cmocka_unit_test(test_sets),
		cmocka_unit_test(test_ephemeral_left),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
