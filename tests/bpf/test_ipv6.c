// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * IPv6 as the data plane parses it (docs/design.md, "IPv6"): the fixed
 * header, at most four extension headers each inside the payload, a
 * fragment passed as an IPv4 one is, the TCP header; every case passes
 * untouched and is counted under its reason. No service is IPv6 yet: a
 * whole TCP segment to the VIP's port passes as not for a VIP.
 */
#include "khaxdp_test.h"

#define NH_HOPOPTS	0
#define NH_ROUTING	43
#define NH_FRAGMENT	44
#define NH_ICMPV6	58
#define NH_DSTOPTS	60

/* A v6 frame from the client to ens33: a chain of extension headers of
 * the kinds given (8 bytes each), then a 20-byte TCP SYN to :7443. */
static void v6_frame(struct pkt *p, const __u8 *exts, int n_exts, __u8 last)
{
	__u8 *ip6 = p->data + ETH_HLEN_, *nh = ip6 + 6;
	__u32 off = 40;
	int i;

	memset(p, 0, sizeof(*p));
	memcpy(p->data, MAC_ENS33, 6);
	memcpy(p->data + 6, MAC_CLIENT, 6);
	p->data[12] = 0x86;
	p->data[13] = 0xdd;
	ip6[0] = 0x60;
	ip6[7] = 64;				/* hop limit */
	ip6[8] = 0x20;				/* 2001:db8::11 -> 2001:db8::189 */
	ip6[9] = 0x01;
	ip6[10] = 0x0d;
	ip6[11] = 0xb8;
	ip6[23] = 0x11;
	memcpy(ip6 + 24, ip6 + 8, 8);
	ip6[38] = 0x01;
	ip6[39] = 0x89;
	for (i = 0; i < n_exts; i++) {
		*nh = exts[i];
		nh = ip6 + off;
		off += 8;			/* length 0: 8 bytes */
	}
	*nh = last;
	ip6[off] = 0x9c;			/* source port 40000 */
	ip6[off + 1] = 0x40;
	ip6[off + 2] = VIP_PORT >> 8;
	ip6[off + 3] = VIP_PORT & 0xff;
	ip6[off + 12] = 5 << 4;			/* data offset 20 */
	ip6[off + 13] = TCP_SYN;
	off += 20;
	ip6[4] = (off - 40) >> 8;
	ip6[5] = (off - 40) & 0xff;
	p->len = ETH_HLEN_ + off;
}

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

	v6_frame(&p, NULL, 0, IPPROTO_TCP);
	expect(fx, &p, KHAXDP_STAT_PASS_NOT_VIP, "a SYN to :7443, no IPv6 service");
	v6_frame(&p, four, 1, IPPROTO_TCP);
	expect(fx, &p, KHAXDP_STAT_PASS_NOT_VIP, "behind a hop-by-hop header");
	v6_frame(&p, four, 4, IPPROTO_TCP);
	expect(fx, &p, KHAXDP_STAT_PASS_NOT_VIP, "behind four extension headers");
	v6_frame(&p, NULL, 0, NH_ICMPV6);
	expect(fx, &p, KHAXDP_STAT_PASS_NOT_TCP, "ICMPv6");
	v6_frame(&p, four, 2, 17);
	expect(fx, &p, KHAXDP_STAT_PASS_NOT_TCP, "UDP behind two extension headers");
}

static void malformed(struct fixture *fx)
{
	const __u8 five[] = { NH_HOPOPTS, NH_DSTOPTS, NH_ROUTING, NH_DSTOPTS,
			      NH_DSTOPTS };
	const __u8 frag[] = { NH_HOPOPTS, NH_FRAGMENT };
	struct pkt p;

	v6_frame(&p, NULL, 0, IPPROTO_TCP);
	p.len = ETH_HLEN_ + 39;
	expect(fx, &p, KHAXDP_STAT_BAD_IP_TRUNC, "39 bytes of a 40-byte header");
	v6_frame(&p, NULL, 0, IPPROTO_TCP);
	p.data[ETH_HLEN_] = 0x40;
	expect(fx, &p, KHAXDP_STAT_BAD_IP_VERSION, "version 4 under type IPv6");
	v6_frame(&p, NULL, 0, IPPROTO_TCP);
	p.data[ETH_HLEN_ + 5] += 1;
	expect(fx, &p, KHAXDP_STAT_BAD_IP_LEN, "a payload one byte past the frame");
	v6_frame(&p, five, 5, IPPROTO_TCP);
	expect(fx, &p, KHAXDP_STAT_BAD_IP6_EXT, "five extension headers");
	v6_frame(&p, five, 1, IPPROTO_TCP);
	p.data[ETH_HLEN_ + 40 + 1] = 3;		/* 32 bytes: past the payload */
	expect(fx, &p, KHAXDP_STAT_BAD_IP6_EXT, "an extension header past the payload");
	v6_frame(&p, frag, 2, IPPROTO_TCP);
	expect(fx, &p, KHAXDP_STAT_BAD_IP_FRAG, "a fragment behind hop-by-hop");
	v6_frame(&p, NULL, 0, IPPROTO_TCP);
	p.data[ETH_HLEN_ + 40 + 12] = 4 << 4;
	expect(fx, &p, KHAXDP_STAT_BAD_TCP_DOFF, "TCP data offset 4");
	v6_frame(&p, NULL, 0, IPPROTO_TCP);
	p.data[ETH_HLEN_ + 40 + 12] = 6 << 4;
	expect(fx, &p, KHAXDP_STAT_BAD_TCP_TRUNC, "TCP options past the payload");
	v6_frame(&p, NULL, 0, IPPROTO_TCP);
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
