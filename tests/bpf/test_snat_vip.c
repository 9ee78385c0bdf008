// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Behaviour 13 (docs/design.md): with snat_address = vip (the default) a
 * flow to a remote backend is NATed from the VIP the client connected to,
 * whose ports nothing else on the node uses (neither the node's sockets nor
 * netfilter's masquerading, which take the node's address): backend:6443 ->
 * VIP:snat_port is a reply, VIP:7443 a client's packet. Flows NATed from
 * the node's address before keep working.
 */
#include "khaxdp_test.h"

static const char request[] = "GET /readyz HTTP/1.1\r\n\r\n";

static int set_node_flags(struct fixture *fx, __u32 flags)
{
	struct khaxdp_node n;

	if (fx_node(fx, &n))
		return -errno;
	n.flags = flags;
	return fx_put_node(fx, &n);
}

/* control2's packet to a SNAT port of dst. */
static struct tcp_spec from_ctrl2(__be32 dst, __u16 snat, __u8 flags)
{
	struct tcp_spec s = {
		.smac = MAC_CTRL2, .dmac = MAC_ENS33,
		.saddr = CTRL2_IP, .daddr = dst,
		.sport = API_PORT, .dport = snat, .flags = flags,
		.seq = SERVER_ISN + 1, .ack = CLIENT_ISN + 1,
	};

	return s;
}

static void syn_from_vip(struct fixture *fx)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 45000, TCP_SYN), e;
	struct khaxdp_flow h;
	struct khaxdp_nat n;
	struct pkt in, exp;
	struct run r;

	fx_set_cursor(fx, 0, 1);		/* next: control2 */
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run") ||
	    !ASSERT_VERDICT(&r, XDP_TX, "SYN to control2") ||
	    !ASSERT_OK(fx_half_open(fx, CLIENT_IP, 45000, &h), "half-open flow"))
		return;
	ASSERT_TRUE(h.flags & KHAXDP_FLOW_SNAT_VIP, "flow NATed from the VIP");
	e = respec(s, MAC_ENS33, MAC_CTRL2, VIP_IP, ntohs(h.snat_port), CTRL2_IP,
		   API_PORT);
	pkt_tcp4(&exp, &e);
	ASSERT_FRAME(&r, &exp, "SYN from VIP:snat_port to control2:6443");
	ASSERT_OK(fx_half_open_nat(fx, CTRL2_IP, VIP_IP, API_PORT,
				   ntohs(h.snat_port), &n),
		  "reply entry {control2:6443 -> VIP:snat}");
	ASSERT_ERR(fx_half_open_nat(fx, CTRL2_IP, NODE_IP, API_PORT,
				    ntohs(h.snat_port), &n),
		   "none on the node's address");
}

/* The whole connection: handshake, request, answer. */
static void connection_through_vip(struct fixture *fx)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 45010, TCP_ACK | TCP_PSH), e;
	struct khaxdp_flow f;
	struct pkt in, exp;
	struct run r;
	__u16 snat;

	fx_set_cursor(fx, 0, 1);
	if (!ESTABLISH(fx, CLIENT_IP, 45010, &f))
		return;
	snat = ntohs(f.snat_port);
	s.payload = request;
	s.payload_len = sizeof(request) - 1;
	pkt_tcp4(&in, &s);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run") &&
	    ASSERT_VERDICT(&r, XDP_TX, "request")) {
		e = respec(s, MAC_ENS33, MAC_CTRL2, VIP_IP, snat, CTRL2_IP,
			   API_PORT);
		pkt_tcp4(&exp, &e);
		ASSERT_FRAME(&r, &exp, "request from VIP:snat_port");
	}
	s = from_ctrl2(VIP_IP, snat, TCP_ACK | TCP_PSH);
	s.payload = "HTTP/1.1 200 OK\r\n\r\n";
	s.payload_len = 19;
	pkt_tcp4(&in, &s);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run") &&
	    ASSERT_VERDICT(&r, XDP_TX, "answer")) {
		e = respec(s, MAC_ENS33, MAC_CLIENT, VIP_IP, VIP_PORT, CLIENT_IP,
			   45010);
		pkt_tcp4(&exp, &e);
		ASSERT_FRAME(&r, &exp, "answer from VIP:7443 to the client");
	}
	ASSERT_STAT(fx, REPLY_TX, 2);	/* SYN-ACK and answer */
	ASSERT_STAT(fx, NO_FLOW, 0);
}

/* A packet to a SNAT port of the VIP that is no flow's (a NodePort the
 * VIP holder also serves, say) passes to the stack untouched. */
static void vip_port_not_a_reply(struct fixture *fx)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 45020, TCP_SYN);
	struct pkt in;
	struct run r;

	s.dport = SNAT_MIN + 5;
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_PASS, "SYN to VIP:snat_port");
	ASSERT_UNTOUCHED(&r, &in, "SYN to VIP:snat_port");
	ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, KHAXDP_STAT_PASS_NOT_VIP);
}

/* A flow NATed from the node's address (before the switch to the VIP, or
 * carried over from an older data plane) keeps its replies. */
static void node_flows_still_answered(struct fixture *fx)
{
	struct khaxdp_flow f;
	struct tcp_spec s;
	struct run r;
	struct pkt in;

	set_node_flags(fx, KHAXDP_NODE_SNAT_NODE);
	fx_set_cursor(fx, 0, 1);
	if (!ESTABLISH(fx, CLIENT_IP, 45030, &f))
		return;
	ASSERT_FALSE(f.flags & KHAXDP_FLOW_SNAT_VIP, "NATed from the node");
	set_node_flags(fx, 0);
	s = from_ctrl2(NODE_IP, ntohs(f.snat_port), TCP_ACK);
	pkt_tcp4(&in, &s);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		ASSERT_VERDICT(&r, XDP_TX, "reply to node:snat after the switch");
	s = client_spec(CLIENT_IP, 45030, TCP_ACK);
	pkt_tcp4(&in, &s);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run")) {
		ASSERT_VERDICT(&r, XDP_TX, "the client's next packet");
		ASSERT_EQ(((struct iphdr *)(r.out + ETH_HLEN_))->saddr, NODE_IP,
			  "still from the node's address");
	}
	ASSERT_STAT(fx, NAT_RESTORED, 0);
}

/* "Fragmentation needed" from a router towards control2, about
 * VIP:snat -> control2:6443: the client gets it about its own packet. */
static void icmp_about_forwarded(struct fixture *fx)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 45040, TCP_SYN);
	struct pkt syn, in, exp;
	const void *q;
	struct run r;

	fx_set_cursor(fx, 0, 1);
	pkt_tcp4(&syn, &s);
	if (!ASSERT_OK(run_xdp(fx, &syn, &r), "test_run") ||
	    !ASSERT_VERDICT(&r, XDP_TX, "SYN"))
		return;
	q = r.out + ETH_HLEN_;
	pkt_icmp4_error(&in, MAC_ENS33, IP4(192, 168, 218, 254), VIP_IP,
			ICMP_FRAG_NEEDED_CODE, q, ntohs(((struct iphdr *)q)->tot_len),
			64);
	pkt_tcp4(&syn, &s);
	pkt_set_ttl(&syn, 63);
	pkt_icmp4_error(&exp, MAC_CLIENT, IP4(192, 168, 218, 254), CLIENT_IP,
			ICMP_FRAG_NEEDED_CODE, syn.data + ETH_HLEN_,
			ntohs(pkt_ip(&syn)->tot_len), 63);
	memcpy(exp.data + 6, MAC_ENS33, 6);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "ICMP to the client");
	ASSERT_MEMEQ(r.out, r.len, exp.data, exp.len, "translated ICMP error");
	ASSERT_STAT(fx, ICMP_TX, 1);
}

static const struct fx_case cases[] = {
	{ "syn_from_vip", syn_from_vip },
	{ "connection_through_vip", connection_through_vip },
	{ "vip_port_not_a_reply", vip_port_not_a_reply },
	{ "node_flows_still_answered", node_flows_still_answered },
	{ "icmp_about_forwarded", icmp_about_forwarded },
};

/* The selftests' fixture NATs from the node's address: these run with
 * the default, from the VIP (each case leaves it so). */
void test_snat_vip(void)
{
	struct fixture fx;

	if (fx_init(&fx, NULL) == 0 && fx_apiserver(&fx) == 0 &&
	    ASSERT_OK(set_node_flags(&fx, 0), "snat_address = vip"))
		FX_RUN_CASES(&fx, cases);
	fx_fini(&fx);
}
