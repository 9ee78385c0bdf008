// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ICMP errors of flows (docs/design.md, "The data path"): an error about a
 * packet khaxdp forwarded or sent is translated like the flow's packets and
 * reaches the end that sent it, so path MTU discovery works through the
 * VIP. Every other ICMP passes untouched.
 */
#include "khaxdp_test.h"

#define ROUTER_IP	IP4(192, 168, 218, 254)
#define FRAG_NEEDED	ICMP_FRAG_NEEDED_CODE
#define PORT_UNREACH	ICMP_PORT_UNREACH_CODE

/* The IP datagram of a frame (what an ICMP error quotes). */
static const void *datagram(const struct pkt *p, __u32 *len)
{
	*len = ntohs(pkt_ip(p)->tot_len);
	return p->data + ETH_HLEN_;
}

static void set_smac(struct pkt *p, const __u8 *mac)
{
	memcpy(p->data + 6, mac, 6);
}

/* Opens client:cport -> control2 and returns the SYN as forwarded. */
static bool forwarded_syn(struct fixture *fx, __u16 cport, struct pkt *syn,
			  struct pkt *fwd)
{
	struct tcp_spec s = client_spec(CLIENT_IP, cport, TCP_SYN);
	struct run r;

	fx_set_cursor(fx, 0, 1);		/* next: control2 */
	pkt_tcp4(syn, &s);
	if (!ASSERT_OK(run_xdp(fx, syn, &r), "test_run") ||
	    !ASSERT_VERDICT(&r, XDP_TX, "SYN to control2"))
		return false;
	memset(fwd, 0, sizeof(*fwd));
	memcpy(fwd->data, r.out, r.len);
	fwd->len = r.len;
	return true;
}

/* "Fragmentation needed" from a router between this node and control2,
 * about the SYN as forwarded: the client gets it, about its own SYN. */
static void frag_needed_to_client(struct fixture *fx)
{
	struct pkt syn, fwd, in, exp;
	const void *q;
	__u32 qlen;
	struct run r;

	if (!forwarded_syn(fx, 40600, &syn, &fwd))
		return;
	q = datagram(&fwd, &qlen);
	pkt_icmp4_error(&in, MAC_ENS33, ROUTER_IP, NODE_IP, FRAG_NEEDED, q, qlen, 64);
	pkt_set_ttl(&syn, 63);			/* as the router saw it */
	q = datagram(&syn, &qlen);
	pkt_icmp4_error(&exp, MAC_CLIENT, ROUTER_IP, CLIENT_IP, FRAG_NEEDED, q, qlen, 63);
	set_smac(&exp, MAC_ENS33);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "ICMP to the client");
	ASSERT_MEMEQ(r.out, r.len, exp.data, exp.len, "translated ICMP error");
	ASSERT_EQ(inet_csum(r.out + ETH_HLEN_ + 20, r.len - ETH_HLEN_ - 20), 0,
		  "ICMP checksum");
	ASSERT_EQ(ip4_csum_verify((const void *)(r.out + ETH_HLEN_)), 0xffff,
		  "IP checksum");
	ASSERT_STAT(fx, ICMP_TX, 1);
}

/* From control2 itself (port unreachable): it comes from the VIP. */
static void unreachable_from_backend(struct fixture *fx)
{
	struct pkt syn, fwd, in, exp;
	const void *q;
	__u32 qlen;
	struct run r;

	if (!forwarded_syn(fx, 40610, &syn, &fwd))
		return;
	q = datagram(&fwd, &qlen);
	pkt_icmp4_error(&in, MAC_ENS33, CTRL2_IP, NODE_IP, PORT_UNREACH, q, qlen, 64);
	pkt_set_ttl(&syn, 63);
	q = datagram(&syn, &qlen);
	pkt_icmp4_error(&exp, MAC_CLIENT, VIP_IP, CLIENT_IP, PORT_UNREACH, q, qlen, 63);
	set_smac(&exp, MAC_ENS33);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "ICMP to the client");
	ASSERT_MEMEQ(r.out, r.len, exp.data, exp.len, "translated ICMP error");
}

/* "Fragmentation needed" about a reply VIP:7443 -> client (a router on
 * the client's side): control2 gets it, about what it sent. */
static void frag_needed_to_backend(struct fixture *fx)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 40620, TCP_SYN | TCP_ACK);
	struct pkt syn, fwd, reply, sent, in, exp;
	struct khaxdp_flow f;
	const void *q;
	__u32 qlen;
	struct run r;

	if (!forwarded_syn(fx, 40620, &syn, &fwd) ||
	    !ASSERT_OK(fx_half_open(fx, CLIENT_IP, 40620, &f), "half-open flow"))
		return;
	/* What the client was sent, and what control2 had sent. */
	pkt_tcp4(&reply, &(struct tcp_spec){ .saddr = VIP_IP, .sport = VIP_PORT,
		 .daddr = CLIENT_IP, .dport = 40620, .flags = s.flags,
		 .seq = 9000, .ack = 1001, .ttl = 63 });
	pkt_tcp4(&sent, &(struct tcp_spec){ .saddr = CTRL2_IP, .sport = API_PORT,
		 .daddr = NODE_IP, .dport = ntohs(f.snat_port), .flags = s.flags,
		 .seq = 9000, .ack = 1001, .ttl = 63 });
	q = datagram(&reply, &qlen);
	pkt_icmp4_error(&in, MAC_ENS33, ROUTER_IP, VIP_IP, FRAG_NEEDED, q, qlen, 64);
	q = datagram(&sent, &qlen);
	pkt_icmp4_error(&exp, MAC_CTRL2, NODE_IP, CTRL2_IP, FRAG_NEEDED, q, qlen, 63);
	set_smac(&exp, MAC_ENS33);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "ICMP to control2");
	ASSERT_MEMEQ(r.out, r.len, exp.data, exp.len, "translated ICMP error");
	ASSERT_STAT(fx, ICMP_TX, 1);
}

/* The same for a flow of the local backend: up the stack, about what the
 * apiserver's socket sent (node:6443 -> client). */
static void frag_needed_to_local(struct fixture *fx)
{
	struct pkt reply, sent, in, exp;
	struct khaxdp_flow f;
	const void *q;
	__u32 qlen;
	struct run r;

	fx_set_cursor(fx, 0, 0);		/* next: control1, this node */
	if (!OPEN_FLOW(fx, CLIENT_IP, 40630, XDP_PASS, &f))
		return;
	pkt_tcp4(&reply, &(struct tcp_spec){ .saddr = VIP_IP, .sport = VIP_PORT,
		 .daddr = CLIENT_IP, .dport = 40630, .flags = TCP_ACK,
		 .seq = 9000, .ack = 1001 });
	pkt_tcp4(&sent, &(struct tcp_spec){ .saddr = NODE_IP, .sport = API_PORT,
		 .daddr = CLIENT_IP, .dport = 40630, .flags = TCP_ACK,
		 .seq = 9000, .ack = 1001 });
	q = datagram(&reply, &qlen);
	pkt_icmp4_error(&in, MAC_ENS33, ROUTER_IP, VIP_IP, FRAG_NEEDED, q, qlen, 64);
	q = datagram(&sent, &qlen);
	pkt_icmp4_error(&exp, MAC_ENS33, ROUTER_IP, NODE_IP, FRAG_NEEDED, q, qlen, 64);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_PASS, "ICMP up the stack");
	ASSERT_MEMEQ(r.out, r.len, exp.data, exp.len, "translated ICMP error");
	ASSERT_STAT(fx, ICMP_LOCAL, 1);
}

/* About a tuple no flow has: untouched, counted. */
static void error_of_no_flow(struct fixture *fx)
{
	struct pkt quoted, in;
	const void *q;
	__u32 qlen;
	struct run r;

	pkt_tcp4(&quoted, &(struct tcp_spec){ .saddr = NODE_IP, .sport = 45000,
		 .daddr = CTRL3_IP, .dport = API_PORT, .flags = TCP_SYN });
	q = datagram(&quoted, &qlen);
	pkt_icmp4_error(&in, MAC_ENS33, ROUTER_IP, NODE_IP, FRAG_NEEDED, q, qlen, 64);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_PASS, "verdict");
	ASSERT_UNTOUCHED(&r, &in, "frame");
	ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, KHAXDP_STAT_ICMP_NO_FLOW);
}

/* A quote cut short of the TCP ports: untouched, counted as malformed. */
static void quote_too_short(struct fixture *fx)
{
	struct pkt quoted, in;
	const void *q;
	__u32 qlen;
	struct run r;

	pkt_tcp4(&quoted, &(struct tcp_spec){ .saddr = NODE_IP, .sport = 45001,
		 .daddr = CTRL3_IP, .dport = API_PORT, .flags = TCP_SYN });
	q = datagram(&quoted, &qlen);
	pkt_icmp4_error(&in, MAC_ENS33, ROUTER_IP, NODE_IP, FRAG_NEEDED, q, 24, 64);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_PASS, "verdict");
	ASSERT_UNTOUCHED(&r, &in, "frame");
	ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, KHAXDP_STAT_BAD_ICMP);
}

/* An echo request to the VIP is no error: as before, PASS_NOT_TCP. */
static void echo_passes(struct fixture *fx)
{
	__u8 echo[16] = { 8, 0, 0, 0, 0, 1, 0, 1 };
	struct pkt in;
	struct run r;
	__u16 sum = inet_csum(echo, sizeof(echo));

	memcpy(echo + 2, &sum, 2);
	pkt_ip4(&in, NULL, IPPROTO_ICMP, CLIENT_IP, VIP_IP, echo, sizeof(echo), 64);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_PASS, "verdict");
	ASSERT_UNTOUCHED(&r, &in, "frame");
	ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, KHAXDP_STAT_PASS_NOT_TCP);
}

static const struct fx_case cases[] = {
	{ "frag_needed_to_client", frag_needed_to_client },
	{ "unreachable_from_backend", unreachable_from_backend },
	{ "frag_needed_to_backend", frag_needed_to_backend },
	{ "frag_needed_to_local", frag_needed_to_local },
	{ "error_of_no_flow", error_of_no_flow },
	{ "quote_too_short", quote_too_short },
	{ "echo_passes", echo_passes },
};

void test_icmp(void)
{
	FX_RUN_APISERVER(cases);
}
