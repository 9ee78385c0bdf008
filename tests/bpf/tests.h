/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * tests.h - the table of tests, in the order they run. Adding a test is
 * one line here and one `void test_NAME(void)` in a file under tests/bpf/.
 */
#define KHAXDP_TESTS(X)		\
	X(passthrough)		\
	X(malformed)		\
	X(nat_forward)		\
	X(nat_reply)		\
	X(local_backend)	\
	X(round_robin)		\
	X(no_flow)		\
	X(expiry)		\
	X(lru)			\
	X(nat_ports)		\
	X(counters)		\
	X(concurrency)		\
	X(snapshot)		\
	X(icmp)			\
	X(tcp_state)		\
	X(snat_vip)		\
	X(dsr)			\
	X(flow_sync)		\
	X(layout)		\
	X(refill)		\
	X(claims)		\
	X(ipv6)			\
	X(ipv6_flows)		\
	X(xdp_diff)
