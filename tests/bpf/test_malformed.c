// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Behaviour 9 (docs/design.md): malformed input is never rewritten, passes,
 * and is counted under its reason. Every case starts from a SYN to VIP:7443
 * that would be balanced if the parser missed the problem.
 */

#include <errno.h>

#include "khaxdp_test.h"

static void vip_syn(struct pkt *p)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 40000, TCP_SYN);

	pkt_tcp4(p, &s);
}

/* After editing the IP header: a valid checksum, so only the edit is
 * wrong with the packet. */
static void fix_ip_csum(struct pkt *p)
{
	struct iphdr *ip = pkt_ip(p);

	if (ip->ihl >= 5 && ETH_HLEN_ + ip->ihl * 4u <= p->len)
		ip->check = ip4_csum(ip);
}

static void expect_bad(struct fixture *fx, const struct pkt *in, int reason)
{
	struct run r;

	if (!ASSERT_OK(run_xdp(fx, in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_PASS, "verdict");
	ASSERT_UNTOUCHED(&r, in, "frame");
	ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, reason);
	ASSERT_EQ(fx_count(fx->maps.flows), 0, "flows");
}

/* Like expect_bad() where more than one reason is defensible: exactly
 * one counter whose name starts with BAD_ moved, besides RX. */
static void expect_some_bad(struct fixture *fx, const struct pkt *in)
{
	__u64 got[KHAXDP_STAT_MAX];
	int i, bad = 0, other = 0;
	struct run r;

	if (!ASSERT_OK(run_xdp(fx, in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_PASS, "verdict");
	ASSERT_UNTOUCHED(&r, in, "frame");
	fx_stats(fx, got);
	ASSERT_EQ(got[KHAXDP_STAT_RX], 1, "stat RX");
	for (i = 0; i < KHAXDP_STAT_MAX; i++) {
		if (i == KHAXDP_STAT_RX || !got[i])
			continue;
		if (strncmp(kx_stat_name(i), "BAD_", 4) == 0) {
			bad += got[i];
			TLOG("counted as %s", kx_stat_name(i));
		} else {
			other += got[i];
			test__failf(__FILE__, __LINE__, "unexpected stat %s = %llu",
				    kx_stat_name(i), (unsigned long long)got[i]);
		}
	}
	ASSERT_EQ(bad, 1, "BAD_* counters moved");
	ASSERT_EQ(other, 0, "other counters moved");
	ASSERT_EQ(fx_count(fx->maps.flows), 0, "flows");
}

/* --- the table: each case edits a SYN that would otherwise be balanced --- */

static void eth_header_only(struct pkt *p)
{
	p->len = ETH_HLEN_;
}

static void ip_truncated(struct pkt *p)
{
	p->len = ETH_HLEN_ + 12;
}

static void ip_ihl_4(struct pkt *p)
{
	pkt_ip(p)->ihl = 4;
	fix_ip_csum(p);
}

static void ip_ihl_0(struct pkt *p)
{
	pkt_ip(p)->ihl = 0;
}

/* IHL 15 claims 60 bytes of header; the datagram has 44. */
static void ip_ihl_beyond_packet(struct pkt *p)
{
	pkt_ip(p)->ihl = 15;
}

static void ip_version_6(struct pkt *p)
{
	pkt_ip(p)->version = 6;
	fix_ip_csum(p);
}

static void ip_tot_len_beyond_packet(struct pkt *p)
{
	pkt_ip(p)->tot_len = htons(ntohs(pkt_ip(p)->tot_len) + 20);
	fix_ip_csum(p);
}

static void ip_tot_len_below_header(struct pkt *p)
{
	pkt_ip(p)->tot_len = htons(19);
	fix_ip_csum(p);
}

/* The frame holds a whole TCP header, but the datagram ends 10 bytes into
 * it (the rest would be Ethernet padding). */
static void ip_tot_len_cuts_tcp_header(struct pkt *p)
{
	pkt_ip(p)->tot_len = htons(20 + 10);
	fix_ip_csum(p);
}

static void ip_fragment_mf(struct pkt *p)
{
	pkt_ip(p)->frag_off = htons(0x2000);
	fix_ip_csum(p);
}

static void ip_fragment_offset(struct pkt *p)
{
	pkt_ip(p)->frag_off = htons(185);	/* 1480 bytes in */
	fix_ip_csum(p);
}

static void tcp_truncated(struct pkt *p)
{
	pkt_ip(p)->tot_len = htons(20 + 10);
	fix_ip_csum(p);
	p->len = ETH_HLEN_ + 20 + 10;
}

static void tcp_doff_4(struct pkt *p)
{
	pkt_tcp(p)->doff = 4;
}

/* doff 15 claims a 60-byte TCP header in a 24-byte segment. */
static void tcp_doff_beyond_segment(struct pkt *p)
{
	pkt_tcp(p)->doff = 15;
}

#define SOME_BAD	-1	/* more than one reason is defensible */

static const struct {
	const char *name;
	void (*edit)(struct pkt *p);
	int reason;		/* the counter, or SOME_BAD */
} cases[] = {
#define CASE(name, reason) { #name, name, reason }
	CASE(eth_header_only, KHAXDP_STAT_BAD_IP_TRUNC),
	CASE(ip_truncated, KHAXDP_STAT_BAD_IP_TRUNC),
	CASE(ip_ihl_4, KHAXDP_STAT_BAD_IP_IHL),
	CASE(ip_ihl_0, KHAXDP_STAT_BAD_IP_IHL),
	CASE(ip_ihl_beyond_packet, SOME_BAD),
	CASE(ip_version_6, SOME_BAD),
	CASE(ip_tot_len_beyond_packet, KHAXDP_STAT_BAD_IP_LEN),
	CASE(ip_tot_len_below_header, KHAXDP_STAT_BAD_IP_LEN),
	CASE(ip_tot_len_cuts_tcp_header, KHAXDP_STAT_BAD_TCP_TRUNC),
	CASE(ip_fragment_mf, KHAXDP_STAT_BAD_IP_FRAG),
	CASE(ip_fragment_offset, KHAXDP_STAT_BAD_IP_FRAG),
	CASE(tcp_truncated, KHAXDP_STAT_BAD_TCP_TRUNC),
	CASE(tcp_doff_4, KHAXDP_STAT_BAD_TCP_DOFF),
	CASE(tcp_doff_beyond_segment, KHAXDP_STAT_BAD_TCP_TRUNC),
#undef CASE
};

/* BPF_PROG_TEST_RUN refuses frames shorter than ETH_HLEN, metadata or not
 * (checked on 6.18: EINVAL), so the program can only be shown the shortest
 * frame it accepts: a bare Ethernet header of type IPv4, which is an IP
 * truncation. */
static void eth_truncated(struct fixture *fx)
{
	struct pkt p, in = {};
	struct run r;
	int err;

	vip_syn(&p);
	memcpy(in.data + 4, p.data, 10);
	in.len = 14;
	err = run_xdp_meta(fx, &in, 4, &r);
	if (err == -EINVAL) {
		test__skip("test_run needs 14 bytes of frame");
	} else if (ASSERT_OK(err, "test_run")) {
		ASSERT_VERDICT(&r, XDP_PASS, "verdict");
		ASSERT_MEMEQ(r.out, r.len, in.data, in.len, "frame");
		ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, KHAXDP_STAT_BAD_ETH_TRUNC);
	}
}

void test_malformed(void)
{
	struct fixture fx;
	struct pkt p;

	if (fx_init(&fx, NULL) || fx_apiserver(&fx))
		goto out;

	if (test__start_subtest("eth_truncated")) {
		fx_reset(&fx);
		eth_truncated(&fx);
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!test__start_subtest(cases[i].name))
			continue;
		fx_reset(&fx);
		vip_syn(&p);
		cases[i].edit(&p);
		if (cases[i].reason == SOME_BAD)
			expect_some_bad(&fx, &p);
		else
			expect_bad(&fx, &p, cases[i].reason);
	}
out:
	fx_fini(&fx);
}
