// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Behaviour 4 (docs/design.md): replies from backend:6443 to this node's
 * SNAT port are rewritten back to VIP:7443 -> client and sent to the
 * client's MAC.
 */
#include "khaxdp_test.h"

/* 33 bytes: an odd length, which the checksum must get right. */
static const char response[] = "HTTP/1.1 200 OK\r\nContent-Length:";

/* A flow from the client (a neighbour) to control2; its SNAT port. */
static bool client_to_ctrl2(struct fixture *fx, __u16 cport, __u16 *snat)
{
	struct khaxdp_flow f;

	fx_set_cursor(fx, 0, 1);
	if (!OPEN_FLOW(fx, CLIENT_IP, cport, XDP_TX, &f))
		return false;
	*snat = ntohs(f.snat_port);
	return true;
}

/* The same with the handshake done: a confirmed flow. */
static bool established_to_ctrl2(struct fixture *fx, __u16 cport, __u16 *snat)
{
	struct khaxdp_flow f;

	fx_set_cursor(fx, 0, 1);
	if (!ESTABLISH(fx, CLIENT_IP, cport, &f))
		return false;
	*snat = ntohs(f.snat_port);
	return true;
}

/* control2's packet to this node's SNAT port. */
static struct tcp_spec from_ctrl2(__u16 snat, __u8 flags)
{
	struct tcp_spec s = {
		.smac = MAC_CTRL2,
		.dmac = MAC_ENS33,
		.saddr = CTRL2_IP,
		.daddr = NODE_IP,
		.sport = API_PORT,
		.dport = snat,
		.flags = flags,
		.seq = flags & TCP_SYN ? SERVER_ISN : SERVER_ISN + 1,
		.ack = CLIENT_ISN + 1,
	};

	return s;
}

/* What the client should get for `s`. */
static void to_client(struct pkt *exp, const struct tcp_spec *s, __u16 cport)
{
	struct tcp_spec e = respec(*s, MAC_ENS33, MAC_CLIENT, VIP_IP,
				    VIP_PORT, CLIENT_IP, cport);

	pkt_tcp4(exp, &e);
}

static void syn_ack_to_client(struct fixture *fx)
{
	struct khaxdp_backend_stats bs;
	struct tcp_spec s;
	struct pkt in, exp;
	struct run r;
	__u16 snat;

	if (!client_to_ctrl2(fx, 40100, &snat))
		return;
	s = from_ctrl2(snat, TCP_SYN | TCP_ACK);
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "SYN-ACK from control2");
	to_client(&exp, &s, 40100);
	ASSERT_FRAME(&r, &exp, "SYN-ACK to the client");
	ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, KHAXDP_STAT_RX,
			  KHAXDP_STAT_FLOW_NEW, KHAXDP_STAT_FWD_TX,
			  KHAXDP_STAT_REPLY_TX);
	ASSERT_OK(fx_backend_stats(fx, 1, &bs), "backend_stats[1]");
	ASSERT_EQ(bs.packets_out, 1, "backend 1 packets_out");
	ASSERT_EQ(bs.bytes_out, ntohs(pkt_ip(&in)->tot_len),
		  "backend 1 bytes_out");
}

static void data_reply(struct fixture *fx)
{
	struct tcp_spec s;
	struct pkt in, exp;
	struct run r;
	__u16 snat;

	if (!client_to_ctrl2(fx, 40101, &snat))
		return;
	s = from_ctrl2(snat, TCP_ACK | TCP_PSH);
	s.payload = response;
	s.payload_len = sizeof(response) - 1;
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "data from control2");
	to_client(&exp, &s, 40101);
	ASSERT_FRAME(&r, &exp, "data to the client");
}

static void reply_updates_last_seen(struct fixture *fx)
{
	struct khaxdp_flow f;
	struct tcp_spec s;
	struct pkt in;
	struct run r;
	__u64 t0;
	__u16 snat;

	if (!established_to_ctrl2(fx, 40102, &snat) ||
	    !ASSERT_OK(fx_flow(fx, CLIENT_IP, 40102, &f), "flow"))
		return;
	/* Idle for 100 s, well within the 30 minutes. */
	f.last_seen_ns = now_ns() - 100ULL * 1000000000ULL;
	ASSERT_OK(fx_put_flow(fx, CLIENT_IP, 40102, &f), "age the flow");
	s = from_ctrl2(snat, TCP_ACK);
	pkt_tcp4(&in, &s);
	t0 = now_coarse_ns();
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "reply");
	ASSERT_OK(fx_flow(fx, CLIENT_IP, 40102, &f), "flow");
	ASSERT_GE(f.last_seen_ns, t0, "flow last_seen_ns after a reply");
}

static void reply_flow_gone(struct fixture *fx)
{
	struct khaxdp_flow_key k = flow_key(CLIENT_IP, VIP_IP, 40103, VIP_PORT);
	struct tcp_spec s;
	struct pkt in;
	struct run r;
	__u16 snat;

	if (!established_to_ctrl2(fx, 40103, &snat))
		return;
	ASSERT_OK(bpf_map_delete_elem(fx->maps.flows, &k), "delete the flow");
	s = from_ctrl2(snat, TCP_ACK);
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_PASS, "reply without flow");
	ASSERT_UNTOUCHED(&r, &in, "reply without flow");
	ASSERT_STAT(fx, REPLY_NO_FLOW, 1);
	ASSERT_STAT(fx, REPLY_TX, 1);	/* the handshake's SYN-ACK alone */
}

/* Packets that look like replies but match no NAT entry. */
static void not_a_reply(struct fixture *fx)
{
	struct tcp_spec s;
	struct pkt in;
	struct run r;
	__u16 snat;

	if (!client_to_ctrl2(fx, 40104, &snat))
		return;

	s = from_ctrl2(snat, TCP_ACK);
	s.sport = API_PORT + 1;
	pkt_tcp4(&in, &s);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run")) {
		ASSERT_VERDICT(&r, XDP_PASS, "from control2's other port");
		ASSERT_UNTOUCHED(&r, &in, "from control2's other port");
	}

	s = from_ctrl2(snat, TCP_ACK);
	s.saddr = CTRL3_IP;
	s.smac = MAC_CTRL3;
	pkt_tcp4(&in, &s);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run")) {
		ASSERT_VERDICT(&r, XDP_PASS, "from control3 to control2's port");
		ASSERT_UNTOUCHED(&r, &in, "from control3 to control2's port");
	}

	s = from_ctrl2(snat == SNAT_MAX ? snat - 1 : snat + 1, TCP_ACK);
	pkt_tcp4(&in, &s);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run")) {
		ASSERT_VERDICT(&r, XDP_PASS, "to an unused SNAT port");
		ASSERT_UNTOUCHED(&r, &in, "to an unused SNAT port");
	}
	ASSERT_STAT(fx, REPLY_TX, 0);
}

/* The reply entry of a half-open flow's tuple control2:6443 -> node:snat
 * (the handshake's SYN-ACK is sent again below: the flow stays half-open). */
static int nat_of(struct fixture *fx, __u16 snat, struct khaxdp_nat *n)
{
	return fx_half_open_nat(fx, CTRL2_IP, NODE_IP, API_PORT, snat, n);
}

static int put_nat(struct fixture *fx, __u16 snat, const struct khaxdp_nat *n)
{
	struct khaxdp_flow_key k = flow_key(CTRL2_IP, NODE_IP, API_PORT, snat);

	return bpf_map_update_elem(fx->maps.half_open_nat, &k, n, BPF_EXIST) ?
	       -errno : 0;
}

/*
 * A new VRRP master: its clients learned its MAC from a gratuitous ARP and
 * never asked for it, so its kernel has no neighbour entry for them. The
 * reply goes to the MAC the client's SYN came from, also once the cached
 * next hop is due for a FIB lookup that still finds no neighbour; when the
 * kernel does learn one, the FIB's answer wins.
 */
static void reply_to_unresolved_client(struct fixture *fx)
{
	static const __u8 mac_syn[6] = { 2, 0, 0, 0, 0, 0x50 };
	static const __u8 mac_fib[6] = { 2, 0, 0, 0, 0, 0x51 };
	const __be32 client = IP4(192, 168, 218, 50);	/* on-link, no entry */
	struct tcp_spec syn = client_spec(client, 40105, TCP_SYN), s, e;
	struct khaxdp_flow f;
	struct khaxdp_nat n;
	struct pkt in, exp;
	struct run r;
	__u16 snat;

	lab_ip("neigh flush to 192.168.218.50 dev ens33");
	fx_set_cursor(fx, 0, 1);
	syn.smac = mac_syn;
	pkt_tcp4(&in, &syn);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run") ||
	    !ASSERT_VERDICT(&r, XDP_TX, "SYN from an unresolved client") ||
	    !ASSERT_OK(fx_half_open(fx, client, 40105, &f), "half-open flow"))
		return;
	snat = ntohs(f.snat_port);
	s = from_ctrl2(snat, TCP_SYN | TCP_ACK);
	e = respec(s, MAC_ENS33, mac_syn, VIP_IP, VIP_PORT, client, 40105);
	pkt_tcp4(&in, &s);
	pkt_tcp4(&exp, &e);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run")) {
		ASSERT_VERDICT(&r, XDP_TX, "SYN-ACK");
		ASSERT_FRAME(&r, &exp, "SYN-ACK to the MAC of the SYN");
	}

	/* The cached hop is due: the FIB still has no neighbour. */
	if (!ASSERT_OK(nat_of(fx, snat, &n), "nat entry"))
		return;
	ASSERT_EQ(n.hop.flags, KHAXDP_NEXTHOP_LEARNED, "hop learned from the SYN");
	n.hop.checked_ns = 1;
	ASSERT_OK(put_nat(fx, snat, &n), "age the hop");
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run")) {
		ASSERT_VERDICT(&r, XDP_TX, "reply after the hop's TTL");
		ASSERT_FRAME(&r, &exp, "still to the MAC of the SYN");
	}
	ASSERT_STAT(fx, NO_NEIGH, 0);

	/* The kernel learns the client: the FIB's MAC wins. */
	lab_ip("neigh replace 192.168.218.50 lladdr 02:00:00:00:00:51 dev ens33 nud permanent");
	n.hop.checked_ns = 1;
	ASSERT_OK(put_nat(fx, snat, &n), "age the hop");
	e = respec(s, MAC_ENS33, mac_fib, VIP_IP, VIP_PORT, client, 40105);
	pkt_tcp4(&exp, &e);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run")) {
		ASSERT_VERDICT(&r, XDP_TX, "reply once resolved");
		ASSERT_FRAME(&r, &exp, "to the neighbour's MAC");
	}
	if (ASSERT_OK(nat_of(fx, snat, &n), "nat entry"))
		ASSERT_EQ(n.hop.flags, 0, "hop from the FIB");
	lab_ip("neigh del 192.168.218.50 dev ens33");
}

/* The reply is forwarded too: one TTL less, or dropped at TTL 1. */
static void reply_ttl(struct fixture *fx)
{
	struct tcp_spec s;
	struct pkt in, exp;
	struct run r;
	__u16 snat;

	if (!client_to_ctrl2(fx, 40150, &snat))
		return;
	s = from_ctrl2(snat, TCP_SYN | TCP_ACK);
	s.ttl = 64;
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "SYN-ACK from control2");
	to_client(&exp, &s, 40150);
	pkt_set_ttl(&exp, 63);
	ASSERT_MEMEQ(r.out, r.len, exp.data, exp.len, "SYN-ACK with TTL 63");

	s = from_ctrl2(snat, TCP_ACK);
	s.ttl = 1;
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_DROP, "reply with TTL 1");
	ASSERT_STAT(fx, TTL_EXCEEDED, 1);
	ASSERT_STAT(fx, REPLY_TX, 1);
}

static const struct fx_case cases[] = {
	{ "ttl", reply_ttl },
	{ "syn_ack_to_client", syn_ack_to_client },
	{ "data_odd_length", data_reply },
	{ "updates_last_seen", reply_updates_last_seen },
	{ "flow_gone", reply_flow_gone },
	{ "not_a_reply", not_a_reply },
	{ "unresolved_client", reply_to_unresolved_client },
};

void test_nat_reply(void)
{
	FX_RUN_APISERVER(cases);
}
