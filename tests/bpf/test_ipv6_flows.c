// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * IPv6 services (docs/design.md, "IPv6"): the deployment's apiservers
 * behind [2001:db8:218::189]:7443 beside the IPv4 service, every path the
 * IPv4 one has: NAT66 to a remote backend and back, the local backend with
 * TC's rewrite of its replies, DSR with the flow-label mark on both sides,
 * the hop limit, the per-family holder, the RST of a failed node's flows.
 * Every output's TCP checksum is recomputed in full over the IPv6
 * pseudo-header (packet.c), never the data plane's incremental way.
 */
#include <linux/pkt_cls.h>

#include "khaxdp_test.h"

#define CPORT		40000

/* Backend ids as fill gives them: the IPv4 service first. */
#define B6_CONTROL1	3
#define B6_CONTROL2	4
#define SVC6		1

/* The IPv6 service beside the fixture's IPv4 one (the same servers). */
static const char service6[] =
	"[service apiserver6]\n"
	"listen = [2001:db8:218::189]:7443\n"
	"mode = %s\n"
	"server = control1 [2001:db8:218::171]:6443\n"
	"server = control2 [2001:db8:218::172]:6443\n"
	"server = control3 [2001:db8:218::173]:6443\n";

static int fill_dual(struct fixture *fx, const char *mode)
{
	char extra[sizeof(service6) + 16];
	int err;

	snprintf(extra, sizeof(extra), service6, mode);
	err = fx_fill_apiserver(fx, mode, extra);
	/* fill keeps what the agent wrote: a case before may have made this
	 * node a standby */
	if (!err)
		err = fx_set_active(fx, 1);
	return err;
}

/* A client's segment to [VIP]:7443. */
static struct tcp_spec client6(__u16 cport, __u8 flags)
{
	return respec6(client_spec(0, cport, flags), NULL, NULL, &CLIENT_IP6,
		       cport, &VIP_IP6, VIP_PORT, 0);
}

static struct khaxdp_flow_key key6(const struct in6_addr *src,
				   const struct in6_addr *dst, __u16 sport,
				   __u16 dport)
{
	struct khaxdp_flow_key k = {};

	memcpy(&k.src, src, 16);
	memcpy(&k.dst, dst, 16);
	k.sport = htons(sport);
	k.dport = htons(dport);
	k.proto = IPPROTO_TCP;
	k.family = KHAXDP_AF_INET6;
	return k;
}

static int run6(struct fixture *fx, const struct tcp_spec *s, struct run *r)
{
	struct pkt p;

	pkt_tcp6(&p, s);
	return run_xdp(fx, &p, r);
}

/* The client's SYN to control2 (NAT66 from the node's address, the first
 * SNAT port), the SYN-ACK back through XDP, the handshake's ACK. */
static bool nat66_handshake(struct fixture *fx, __u16 cport)
{
	struct tcp_spec syn = client6(cport, TCP_SYN), exp, synack;
	struct khaxdp_flow_key k = key6(&CLIENT_IP6, &VIP_IP6, cport, VIP_PORT);
	struct khaxdp_flow f;
	struct pkt want;
	struct run r;

	fx_set_cursor(fx, SVC6, 1);		/* next: control2 */
	if (!ASSERT_OK(run6(fx, &syn, &r), "SYN"))
		return false;
	ASSERT_VERDICT(&r, XDP_TX, "SYN to control2");
	exp = respec6(syn, MAC_ENS33, MAC_CTRL2, &NODE_IP6, SNAT_MIN,
		      &CTRL2_IP6, API_PORT, 63);
	pkt_tcp6(&want, &exp);
	if (!ASSERT_FRAME(&r, &want, "SYN NATed to [control2]:6443"))
		return false;

	synack = (struct tcp_spec){
		.smac = MAC_CTRL2, .saddr6 = CTRL2_IP6, .sport = API_PORT,
		.daddr6 = NODE_IP6, .dport = SNAT_MIN, .flags = TCP_SYN | TCP_ACK,
		.seq = SERVER_ISN, .ack = CLIENT_ISN + 1,
	};
	if (!ASSERT_OK(run6(fx, &synack, &r), "SYN-ACK"))
		return false;
	ASSERT_VERDICT(&r, XDP_TX, "SYN-ACK to the client");
	exp = respec6(synack, MAC_ENS33, MAC_CLIENT, &VIP_IP6, VIP_PORT,
		      &CLIENT_IP6, cport, 63);
	pkt_tcp6(&want, &exp);
	if (!ASSERT_FRAME(&r, &want, "SYN-ACK from [VIP]:7443"))
		return false;

	syn = client6(cport, TCP_ACK);
	if (!ASSERT_OK(run6(fx, &syn, &r), "ACK"))
		return false;
	ASSERT_VERDICT(&r, XDP_TX, "handshake ACK");
	return ASSERT_OK(bpf_map_lookup_elem(fx->maps.flows, &k, &f),
			 "confirmed IPv6 flow in flows") &&
	       ASSERT_EQ(f.backend_id, B6_CONTROL2, "its backend: control2") &&
	       ASSERT_EQ(ntohs(f.snat_port), SNAT_MIN, "its SNAT port");
}

static void nat66_remote(struct fixture *fx)
{
	struct tcp_spec data = client6(CPORT, TCP_ACK | TCP_PSH), exp;
	struct pkt want;
	struct run r;

	if (fill_dual(fx, "nat") || !nat66_handshake(fx, CPORT))
		return;
	data.payload = "GET /healthz";
	data.payload_len = 12;
	if (!ASSERT_OK(run6(fx, &data, &r), "data"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "data on the flow");
	exp = respec6(data, MAC_ENS33, MAC_CTRL2, &NODE_IP6, SNAT_MIN,
		      &CTRL2_IP6, API_PORT, 63);
	pkt_tcp6(&want, &exp);
	ASSERT_FRAME(&r, &want, "data NATed like the SYN");
	ASSERT_STAT(fx, FLOW_NEW, 1);
	ASSERT_STAT(fx, FLOW_CONFIRMED, 1);
	ASSERT_STAT(fx, FWD_TX, 3);
	ASSERT_STAT(fx, REPLY_TX, 1);
}

/* The local apiserver: XDP rewrites the destination only, TC the source of
 * its answers. */
static void local_backend(struct fixture *fx)
{
	struct tcp_spec syn = client6(CPORT, TCP_SYN), exp, synack;
	struct pkt want, in;
	struct run r;

	if (fill_dual(fx, "nat"))
		return;
	fx_set_cursor(fx, SVC6, 0);		/* next: control1, this node */
	if (!ASSERT_OK(run6(fx, &syn, &r), "SYN"))
		return;
	ASSERT_VERDICT(&r, XDP_PASS, "SYN to the local apiserver");
	exp = syn;
	exp.daddr6 = NODE_IP6;
	exp.dport = API_PORT;
	pkt_tcp6(&want, &exp);
	ASSERT_FRAME(&r, &want, "SYN to [control1]:6443, the client's source kept");

	synack = (struct tcp_spec){
		.smac = MAC_ENS33, .dmac = MAC_CLIENT,
		.saddr6 = NODE_IP6, .sport = API_PORT,
		.daddr6 = CLIENT_IP6, .dport = CPORT, .flags = TCP_SYN | TCP_ACK,
		.seq = SERVER_ISN, .ack = CLIENT_ISN + 1,
	};
	pkt_tcp6(&in, &synack);
	if (!ASSERT_OK(run_tc(fx, &in, &r), "TC"))
		return;
	ASSERT_EQ(r.retval, TC_ACT_OK, "TC verdict");
	exp = synack;
	exp.saddr6 = VIP_IP6;
	exp.sport = VIP_PORT;
	pkt_tcp6(&want, &exp);
	ASSERT_FRAME(&r, &want, "the apiserver's SYN-ACK from [VIP]:7443");
	ASSERT_STAT(fx, FWD_LOCAL, 1);
	ASSERT_STAT(fx, TC_REPLY, 1);
}

/* DSR: the node that balances marks the packet with the flow label and
 * sends it unchanged otherwise; the node that serves clears the label and
 * gives it to its own apiserver. */
static void dsr_mark(struct fixture *fx)
{
	struct tcp_spec syn = client6(CPORT, TCP_SYN), exp;
	struct pkt want;
	struct run r;

	if (fill_dual(fx, "dsr"))
		return;
	syn.flow_label = 0x12345;		/* the client's own */
	fx_set_cursor(fx, SVC6, 1);		/* control2 */
	if (!ASSERT_OK(run6(fx, &syn, &r), "SYN"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "SYN to control2's node");
	exp = syn;
	exp.smac = MAC_ENS33;
	exp.dmac = MAC_CTRL2;
	exp.flow_label = KHAXDP_IP6_BALANCED_LABEL;
	pkt_tcp6(&want, &exp);
	ASSERT_FRAME(&r, &want, "SYN unchanged but the MACs and the label, hop limit kept");
	ASSERT_STAT(fx, DSR_TX, 1);

	/* The same SYN as control2 would get it from another node. */
	fx_reset(fx);
	syn = client6(CPORT + 1, TCP_SYN);
	syn.smac = MAC_CTRL2;
	syn.flow_label = KHAXDP_IP6_BALANCED_LABEL;
	if (!ASSERT_OK(run6(fx, &syn, &r), "balanced SYN"))
		return;
	ASSERT_VERDICT(&r, XDP_PASS, "served here");
	exp = syn;
	exp.flow_label = 0;
	exp.daddr6 = NODE_IP6;
	exp.dport = API_PORT;
	pkt_tcp6(&want, &exp);
	ASSERT_FRAME(&r, &want, "served: label cleared, to [control1]:6443");
	ASSERT_STAT(fx, DSR_SERVED, 1);
}

static void hop_limit(struct fixture *fx)
{
	struct tcp_spec syn = client6(CPORT, TCP_SYN);
	struct pkt in;
	struct run r;

	if (fill_dual(fx, "nat"))
		return;
	fx_set_cursor(fx, SVC6, 1);
	syn.ttl = 1;
	pkt_tcp6(&in, &syn);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "SYN"))
		return;
	ASSERT_VERDICT(&r, XDP_DROP, "hop limit 1 to a remote backend");
	ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, KHAXDP_STAT_TTL_EXCEEDED);
	ASSERT_EQ(fx_count(fx->maps.half_open), 0, "no flow opened");
}

/* Each family has its holder: a node standby for IPv6 still balances
 * IPv4. */
static void standby_per_family(struct fixture *fx)
{
	struct tcp_spec syn6 = client6(CPORT, TCP_SYN);
	struct tcp_spec syn4 = client_spec(CLIENT_IP, CPORT, TCP_SYN);
	struct khaxdp_node n;
	struct run r;

	if (fill_dual(fx, "nat") || !ASSERT_OK(fx_node(fx, &n), "node"))
		return;
	n.active6 = 0;
	if (!ASSERT_OK(fx_put_node(fx, &n), "node"))
		return;
	if (!ASSERT_OK(run6(fx, &syn6, &r), "SYN6"))
		return;
	ASSERT_VERDICT(&r, XDP_DROP, "IPv6 SYN at an IPv6 standby");
	ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, KHAXDP_STAT_STANDBY);
	fx_reset(fx);
	fx_set_cursor(fx, 0, 1);
	if (!ASSERT_OK(send_tcp(fx, &syn4, &r), "SYN4"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "IPv4 SYN still balanced");
}

/* The flows of a node that failed are answered with a RST, from [VIP]:7443,
 * its checksum computed in full. */
static void gone_rst(struct fixture *fx)
{
	struct tcp_spec data = client6(CPORT, TCP_ACK | TCP_PSH), exp;
	struct pkt want;
	struct run r;

	if (fill_dual(fx, "nat") || !nat66_handshake(fx, CPORT))
		return;
	fx_set_backend(fx, B6_CONTROL2, KHAXDP_HEALTH_GONE,
		       KHAXDP_ADMIN_ENABLED);
	data.payload = "x";
	data.payload_len = 1;
	if (!ASSERT_OK(run6(fx, &data, &r), "data"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "answered");
	exp = (struct tcp_spec){
		.smac = MAC_ENS33, .dmac = MAC_CLIENT,
		.saddr6 = VIP_IP6, .sport = VIP_PORT,
		.daddr6 = CLIENT_IP6, .dport = CPORT, .flags = TCP_RST,
		.seq = SERVER_ISN + 1, .window = 0xffff,
	};
	pkt_tcp6(&want, &exp);
	pkt_tcp(&want)->window = 0;
	pkt_tcp(&want)->check = tcp6_csum(pkt_ipv6hdr(&want));
	ASSERT_FRAME(&r, &want, "RST from [VIP]:7443");
	ASSERT_STAT(fx, RST_GONE, 1);
	fx_set_backend(fx, B6_CONTROL2, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
}

/* ICMPv6 "packet too big" from a router about what we sent the client
 * (VIP:7443 -> client, a NAT66 reply): to the backend, about what it sent
 * (control2:6443 -> node:SNAT), from the node, one hop less; the quoted
 * TCP checksum and the ICMPv6 one (over the new outer addresses too)
 * right, compared with frames built from scratch. */
static void icmp6_too_big(struct fixture *fx)
{
	static const struct in6_addr router = LAB6(0x1);
	struct tcp_spec sa = {
		.saddr6 = VIP_IP6, .sport = VIP_PORT,
		.daddr6 = CLIENT_IP6, .dport = CPORT, .flags = TCP_SYN | TCP_ACK,
		.seq = SERVER_ISN, .ack = CLIENT_ISN + 1,
	}, q;
	struct pkt quote, in, exp;
	struct run r;

	if (fill_dual(fx, "nat") || !nat66_handshake(fx, CPORT))
		return;
	pkt_tcp6(&quote, &sa);
	pkt_icmp6_error(&in, NULL, &router, &VIP_IP6, ICMPV6_PKT_TOOBIG_, 0,
			quote.data + ETH_HLEN_, quote.len - ETH_HLEN_, 64);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run") ||
	    !ASSERT_VERDICT(&r, XDP_TX, "to control2"))
		return;
	q = sa;
	q.saddr6 = CTRL2_IP6;
	q.sport = API_PORT;
	q.daddr6 = NODE_IP6;
	q.dport = SNAT_MIN;
	pkt_tcp6(&quote, &q);
	pkt_icmp6_error(&exp, MAC_CTRL2, &NODE_IP6, &CTRL2_IP6,
			ICMPV6_PKT_TOOBIG_, 0, quote.data + ETH_HLEN_,
			quote.len - ETH_HLEN_, 63);
	memcpy(exp.data + 6, MAC_ENS33, 6);
	ASSERT_EQ(icmp6_csum_verify((const void *)(r.out + ETH_HLEN_)), 0xffff,
		  "ICMPv6 checksum of the output, recomputed in full");
	ASSERT_MEMEQ(r.out, r.len, exp.data, exp.len,
		     "the error, as control2 must get it");
	ASSERT_STAT(fx, ICMP_TX, 1);
}

/* Without the IPv6 program in its array (a loader that did not load it),
 * IPv6 passes untouched and is counted. */
static void no_ipv6_program(struct fixture *fx)
{
	struct tcp_spec syn = client6(CPORT, TCP_SYN);
	int arr = bpf_map__fd(fx->skel->maps.xdp_ipv6);
	int prog = bpf_program__fd(fx->skel->progs.khaxdp_xdp6);
	__u32 zero = 0;
	struct pkt in;
	struct run r;

	if (fill_dual(fx, "nat") ||
	    !ASSERT_OK(bpf_map_delete_elem(arr, &zero), "empty the array"))
		return;
	pkt_tcp6(&in, &syn);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "SYN")) {
		ASSERT_VERDICT(&r, XDP_PASS, "passed");
		ASSERT_UNTOUCHED(&r, &in, "untouched");
		ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, KHAXDP_STAT_PASS_NO_IPV6);
	}
	ASSERT_OK(bpf_map_update_elem(arr, &zero, &prog, BPF_ANY),
		  "the program back in its array");
}

static const struct fx_case cases[] = {
	{ "nat66_remote", nat66_remote },
	{ "local_backend", local_backend },
	{ "dsr_mark", dsr_mark },
	{ "hop_limit", hop_limit },
	{ "standby_per_family", standby_per_family },
	{ "gone_rst", gone_rst },
	{ "icmp6_too_big", icmp6_too_big },
	{ "no_ipv6_program", no_ipv6_program },
};

void test_ipv6_flows(void)
{
	struct fixture fx;

	if (fx_init(&fx, NULL) == 0)
		fx_run_cases(&fx, cases, sizeof(cases) / sizeof(cases[0]));
	fx_fini(&fx);
}
