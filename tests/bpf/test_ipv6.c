// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * IPv6 as the data plane parses it (docs/design.md, "IPv6"): the fixed
 * header, at most four extension headers each inside the payload, a
 * fragment passed as an IPv4 one is, the TCP header; every case passes
 * untouched and is counted under its reason. No service is IPv6 yet: a
 * whole TCP segment to the VIP's port passes as not for a VIP.
 */
#include "khaxdp_test.h"


static void expect(struct fixture *fx, const struct pkt *in, int reason,
		   const char *what)
{
	struct run r;

	fx_reset(fx);
	if (!ASSERT_OK(run_xdp(fx, in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_PASS, what);
	ASSERT_UNTOUCHED(&r, in, what);
	ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, reason);
}

static void whole_segments(struct fixture *fx)
{
	const __u8 four[] = { NH_HOPOPTS, NH_DSTOPTS, NH_ROUTING, NH_DSTOPTS };
	struct pkt p;

	pkt_ip6(&p, NULL, 0, IPPROTO_TCP);
	expect(fx, &p, KHAXDP_STAT_PASS_NOT_VIP, "a SYN to :7443, no IPv6 service");
	pkt_ip6(&p, four, 1, IPPROTO_TCP);
	expect(fx, &p, KHAXDP_STAT_PASS_NOT_VIP, "behind a hop-by-hop header");
	pkt_ip6(&p, four, 4, IPPROTO_TCP);
	expect(fx, &p, KHAXDP_STAT_PASS_NOT_VIP, "behind four extension headers");
	pkt_ip6(&p, NULL, 0, NH_ICMPV6);
	expect(fx, &p, KHAXDP_STAT_PASS_NOT_TCP, "ICMPv6");
	pkt_ip6(&p, four, 2, 17);
	expect(fx, &p, KHAXDP_STAT_PASS_NOT_TCP, "UDP behind two extension headers");
}

static void malformed(struct fixture *fx)
{
	const __u8 five[] = { NH_HOPOPTS, NH_DSTOPTS, NH_ROUTING, NH_DSTOPTS,
			      NH_DSTOPTS };
	const __u8 frag[] = { NH_HOPOPTS, NH_FRAGMENT };
	struct pkt p;

	pkt_ip6(&p, NULL, 0, IPPROTO_TCP);
	p.len = ETH_HLEN_ + 39;
	expect(fx, &p, KHAXDP_STAT_BAD_IP_TRUNC, "39 bytes of a 40-byte header");
	pkt_ip6(&p, NULL, 0, IPPROTO_TCP);
	p.data[ETH_HLEN_] = 0x40;
	expect(fx, &p, KHAXDP_STAT_BAD_IP_VERSION, "version 4 under type IPv6");
	pkt_ip6(&p, NULL, 0, IPPROTO_TCP);
	p.data[ETH_HLEN_ + 5] += 1;
	expect(fx, &p, KHAXDP_STAT_BAD_IP_LEN, "a payload one byte past the frame");
	pkt_ip6(&p, five, 5, IPPROTO_TCP);
	expect(fx, &p, KHAXDP_STAT_BAD_IP6_EXT, "five extension headers");
	pkt_ip6(&p, five, 1, IPPROTO_TCP);
	p.data[ETH_HLEN_ + 40 + 1] = 3;		/* 32 bytes: past the payload */
	expect(fx, &p, KHAXDP_STAT_BAD_IP6_EXT, "an extension header past the payload");
	pkt_ip6(&p, frag, 2, IPPROTO_TCP);
	expect(fx, &p, KHAXDP_STAT_BAD_IP_FRAG, "a fragment behind hop-by-hop");
	pkt_ip6(&p, NULL, 0, IPPROTO_TCP);
	p.data[ETH_HLEN_ + 40 + 12] = 4 << 4;
	expect(fx, &p, KHAXDP_STAT_BAD_TCP_DOFF, "TCP data offset 4");
	pkt_ip6(&p, NULL, 0, IPPROTO_TCP);
	p.data[ETH_HLEN_ + 40 + 12] = 6 << 4;
	expect(fx, &p, KHAXDP_STAT_BAD_TCP_TRUNC, "TCP options past the payload");
	pkt_ip6(&p, NULL, 0, IPPROTO_TCP);
	p.data[ETH_HLEN_ + 5] = 10;		/* payload: 10 of the 20 bytes */
	expect(fx, &p, KHAXDP_STAT_BAD_TCP_TRUNC, "a TCP header cut by the payload length");
}

static const struct fx_case cases[] = {
	{ "whole_segments", whole_segments },
	{ "malformed", malformed },
};

void test_ipv6(void)
{
	FX_RUN_APISERVER(cases);
}
