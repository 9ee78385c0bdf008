// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Behaviour 6 (docs/design.md): a packet to VIP:7443 that is not a SYN and
 * has no flow goes up the stack untouched (the kernel answers with a reset)
 * and is counted.
 */
#include "khaxdp_test.h"

static void expect_no_flow(struct fixture *fx, __u8 flags, const char *name)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 43000, flags);
	struct pkt in;
	struct run r;

	if (flags & TCP_PSH) {
		s.payload = "GET / HTTP/1.1\r\n";
		s.payload_len = 16;
	}
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_PASS, name);
	ASSERT_UNTOUCHED(&r, &in, name);
	ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, KHAXDP_STAT_NO_FLOW);
	ASSERT_EQ(fx_count(fx->maps.flows), 0, "flows");
	ASSERT_EQ(fx_cursor(fx, 0), 0, "rr_cursor untouched");
}

void test_no_flow(void)
{
	static const struct {
		const char *name;
		__u8 flags;
	} cases[] = {
		{ "ack", TCP_ACK },
		{ "data", TCP_ACK | TCP_PSH },
		{ "fin", TCP_FIN | TCP_ACK },
		{ "rst", TCP_RST },
		{ "syn_ack", TCP_SYN | TCP_ACK },
		{ "no_flags", 0 },
	};
	struct fixture fx;
	size_t i;

	if (fx_init(&fx, NULL) || fx_apiserver(&fx))
		goto out;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!test__start_subtest(cases[i].name))
			continue;
		fx_reset(&fx);
		expect_no_flow(&fx, cases[i].flags, cases[i].name);
	}
out:
	fx_fini(&fx);
}
