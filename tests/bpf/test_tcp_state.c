// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Behaviour 12 (docs/design.md): the flow table holds against what a host
 * on the segment can send. A SYN opens only a half-open flow, confirmed
 * by the client's ACK of the backend's SYN-ACK; half-open flows never
 * evict confirmed ones, live at most the connect timeout, and one source
 * gets only its share; a RST or FIN outside the window changes nothing,
 * and a SYN on a live flow never moves it.
 *
 * Connections follow packet.h: the client's SYN is CLIENT_ISN (1000), the
 * backend's SYN-ACK SERVER_ISN (4999), windows 64240 unless said.
 */
#include <time.h>

#include "khaxdp_test.h"

#define SEC_NS	1000000000ULL

/* control2's segment to this node's SNAT port. */
static struct tcp_spec from_ctrl2(__u16 snat, __u8 flags, __u32 seq,
				   __u32 ack)
{
	struct tcp_spec s = {
		.smac = MAC_CTRL2, .dmac = MAC_ENS33,
		.saddr = CTRL2_IP, .daddr = NODE_IP,
		.sport = API_PORT, .dport = snat,
		.flags = flags, .seq = seq, .ack = ack,
	};

	return s;
}

/* Sends s through XDP and checks the verdict; false if it failed. */
static bool send_expect(struct fixture *fx, const struct tcp_spec *s,
			int verdict, const char *name)
{
	struct run r;

	if (!ASSERT_OK(send_tcp(fx, s, &r), name))
		return false;
	return ASSERT_VERDICT(&r, verdict, name);
}

/* A flow from the client to control2, half-open (SYN only). */
static bool syn_to_ctrl2(struct fixture *fx, __be32 client, __u16 cport,
			 struct khaxdp_flow *h)
{
	fx_set_cursor(fx, 0, 1);
	return OPEN_FLOW(fx, client, cport, XDP_TX, h) &&
	       ASSERT_EQ(h->backend_id, 1, "backend control2");
}

static bool established_to_ctrl2(struct fixture *fx, __u16 cport,
				 struct khaxdp_flow *f)
{
	fx_set_cursor(fx, 0, 1);
	return ESTABLISH(fx, CLIENT_IP, cport, f) &&
	       ASSERT_EQ(f->backend_id, 1, "backend control2");
}

static int set_port_cursor(struct fixture *fx, __u32 backend, __u16 port)
{
	struct khaxdp_cursor c = { .next = port - fx->snat_min };

	return bpf_map_update_elem(fx->maps.port_cursor, &backend, &c, BPF_ANY);
}

static int set_per_source(struct fixture *fx, __u32 limit)
{
	struct khaxdp_node n;

	if (fx_node(fx, &n))
		return -errno;
	n.half_open_per_source = limit;
	return fx_put_node(fx, &n);
}

/* --- the handshake ----------------------------------------------------------- */

static void handshake_confirms(struct fixture *fx)
{
	struct tcp_spec synack, ack = client_spec(CLIENT_IP, 43000, TCP_ACK);
	struct khaxdp_backend_stats bs;
	struct khaxdp_flow h, f;
	struct khaxdp_nat n;
	__u16 snat;

	if (!syn_to_ctrl2(fx, CLIENT_IP, 43000, &h))
		return;
	snat = ntohs(h.snat_port);
	ASSERT_EQ(fx_count(fx->maps.flows), 0, "no confirmed flow after the SYN");
	synack = from_ctrl2(snat, TCP_SYN | TCP_ACK, SERVER_ISN, CLIENT_ISN + 1);
	if (!send_expect(fx, &synack, XDP_TX, "SYN-ACK to the client"))
		return;
	ASSERT_OK(fx_half_open(fx, CLIENT_IP, 43000, &h), "half-open flow");
	ASSERT_TRUE(h.flags & KHAXDP_FLOW_SYNACK, "SYN-ACK recorded");
	if (ASSERT_OK(fx_half_open_nat(fx, CTRL2_IP, NODE_IP, API_PORT, snat, &n),
		      "half-open reply entry"))
		ASSERT_EQ(n.server.end, SERVER_ISN + 1, "backend's side: after its SYN");
	ASSERT_EQ(fx_count(fx->maps.flows), 0, "no confirmed flow before the ACK");

	if (!send_expect(fx, &ack, XDP_TX, "the client's ACK"))
		return;
	if (!ASSERT_OK(fx_flow(fx, CLIENT_IP, 43000, &f), "confirmed flow"))
		return;
	ASSERT_EQ(f.snat_port, h.snat_port, "same SNAT port");
	ASSERT_EQ(f.timeout_s, SVC_TIMEOUT_S, "the service's idle timeout now");
	ASSERT_EQ(f.flags, 0, "flags");
	ASSERT_EQ(f.client.end, CLIENT_ISN + 1, "client's side");
	ASSERT_ERR(fx_half_open(fx, CLIENT_IP, 43000, &h), "half-open flow gone");
	if (ASSERT_OK(fx_nat(fx, CTRL2_IP, NODE_IP, API_PORT, snat, &n),
		      "reply entry in nat"))
		ASSERT_EQ(n.server.end, SERVER_ISN + 1, "backend's side carried over");
	ASSERT_STAT(fx, FLOW_NEW, 1);
	ASSERT_STAT(fx, FLOW_CONFIRMED, 1);
	ASSERT_OK(fx_backend_stats(fx, 1, &bs), "backend_stats[1]");
	ASSERT_EQ(bs.flows_opened, 1, "flows_opened counts confirmed flows");
}

/* Only a client that got the backend's SYN-ACK knows what to acknowledge. */
static void forged_ack_dropped(struct fixture *fx)
{
	struct tcp_spec ack = client_spec(CLIENT_IP, 43010, TCP_ACK), synack;
	struct khaxdp_flow h, f;

	if (!syn_to_ctrl2(fx, CLIENT_IP, 43010, &h))
		return;
	send_expect(fx, &ack, XDP_DROP, "ACK before any SYN-ACK");
	synack = from_ctrl2(ntohs(h.snat_port), TCP_SYN | TCP_ACK, SERVER_ISN,
			    CLIENT_ISN + 1);
	send_expect(fx, &synack, XDP_TX, "SYN-ACK");
	ack.ack = SERVER_ISN + 1 + 12345;
	send_expect(fx, &ack, XDP_DROP, "ACK of a sequence number never sent");
	ASSERT_STAT(fx, HANDSHAKE_BAD, 2);
	ASSERT_ERR(fx_flow(fx, CLIENT_IP, 43010, &f), "still not confirmed");
	ack.ack = SERVER_ISN + 1;
	send_expect(fx, &ack, XDP_TX, "the right ACK");
	ASSERT_OK(fx_flow(fx, CLIENT_IP, 43010, &f), "confirmed by it");
}

/* A SYN-ACK that does not answer the client's SYN is no answer. */
static void synack_wrong_ack_dropped(struct fixture *fx)
{
	struct khaxdp_flow h;
	struct tcp_spec s;

	if (!syn_to_ctrl2(fx, CLIENT_IP, 43020, &h))
		return;
	s = from_ctrl2(ntohs(h.snat_port), TCP_SYN | TCP_ACK, SERVER_ISN, 77);
	send_expect(fx, &s, XDP_DROP, "SYN-ACK of another SYN");
	ASSERT_STAT(fx, HANDSHAKE_BAD, 1);
	ASSERT_OK(fx_half_open(fx, CLIENT_IP, 43020, &h), "half-open flow");
	ASSERT_FALSE(h.flags & KHAXDP_FLOW_SYNACK, "no SYN-ACK recorded");
}

/* --- the life of half-open flows ----------------------------------------------- */

/* A half-open flow is over after the connect timeout: its port goes to the
 * next SYN, and its late ACK finds no flow. */
static void half_open_expires(struct fixture *fx)
{
	struct tcp_spec ack = client_spec(CLIENT_IP, 43030, TCP_ACK);
	struct khaxdp_flow_key k = flow_key(CLIENT_IP, VIP_IP, 43030, VIP_PORT);
	struct khaxdp_flow h, g;
	__u16 port;

	if (!syn_to_ctrl2(fx, CLIENT_IP, 43030, &h))
		return;
	port = ntohs(h.snat_port);
	h.created_ns = h.last_seen_ns =
		now_ns() - (KHAXDP_DEFAULT_CONNECT_TIMEOUT_S + 1) * SEC_NS;
	ASSERT_OK(bpf_map_update_elem(fx->maps.half_open, &k, &h, BPF_EXIST),
		  "age the half-open flow past the connect timeout");
	set_port_cursor(fx, 1, port);
	if (!syn_to_ctrl2(fx, CLIENT_N(9), 43031, &g))
		return;
	ASSERT_EQ(ntohs(g.snat_port), port, "the next SYN takes its port");
	send_expect(fx, &ack, XDP_PASS, "the late ACK");
	ASSERT_STAT(fx, NO_FLOW, 1);
}

/* The backend refuses (RST): the port is free at once. */
static void backend_refuses(struct fixture *fx)
{
	struct khaxdp_flow h, g;
	struct tcp_spec s;
	__u16 port;

	if (!syn_to_ctrl2(fx, CLIENT_IP, 43040, &h))
		return;
	port = ntohs(h.snat_port);
	s = from_ctrl2(port, TCP_RST | TCP_ACK, 0, CLIENT_ISN + 1);
	send_expect(fx, &s, XDP_TX, "the backend's RST, to the client");
	ASSERT_OK(fx_half_open(fx, CLIENT_IP, 43040, &h), "half-open flow");
	ASSERT_TRUE(h.flags & KHAXDP_FLOW_RST, "refused");
	set_port_cursor(fx, 1, port);
	if (syn_to_ctrl2(fx, CLIENT_N(9), 43041, &g))
		ASSERT_EQ(ntohs(g.snat_port), port, "the next SYN takes its port");
}

/* The client gives up: its RST must carry the number after its SYN. */
static void client_gives_up(struct fixture *fx)
{
	struct tcp_spec rst = client_spec(CLIENT_IP, 43050, TCP_RST);
	struct khaxdp_flow h;

	if (!syn_to_ctrl2(fx, CLIENT_IP, 43050, &h))
		return;
	rst.seq = CLIENT_ISN + 70000;
	send_expect(fx, &rst, XDP_DROP, "RST with another sequence number");
	ASSERT_STAT(fx, OUT_OF_WINDOW, 1);
	ASSERT_OK(fx_half_open(fx, CLIENT_IP, 43050, &h), "half-open flow");
	ASSERT_FALSE(h.flags & KHAXDP_FLOW_RST, "not ended by it");
	rst.seq = CLIENT_ISN + 1;
	send_expect(fx, &rst, XDP_TX, "the client's RST");
	ASSERT_OK(fx_half_open(fx, CLIENT_IP, 43050, &h), "half-open flow");
	ASSERT_TRUE(h.flags & KHAXDP_FLOW_RST, "ended");
}

/*
 * A SYN flood of spoofed sources, ten times the half-open table, while 32
 * connections are established: every one of them keeps its flow and its
 * reply entry and goes on, and a new client gets through after the flood.
 */
#define FLOOD_FLOWS	32
#define FLOOD_TABLE	64
#define FLOOD_SYNS	(10 * FLOOD_TABLE)

static void flood(void)
{
	struct fixture_opts opts = { .max_flows = FLOOD_TABLE,
				     .max_half_open = FLOOD_TABLE };
	struct khaxdp_flow f[FLOOD_FLOWS], g;
	struct fixture fx;
	int i, lost = 0, dropped = 0;

	if (fx_init(&fx, &opts) || fx_apiserver(&fx))
		goto out;
	for (i = 0; i < FLOOD_FLOWS; i++)
		if (!ESTABLISH(&fx, CLIENT_N(i + 1), 43100, &f[i]))
			goto out;
	for (i = 0; i < FLOOD_SYNS; i++) {
		struct tcp_spec s = client_spec(IP4(10, 66, i >> 8, i & 0xff),
						 1024 + i, TCP_SYN);
		struct run r;

		if (send_tcp(&fx, &s, &r) || r.retval == XDP_DROP)
			dropped++;
	}
	ASSERT_EQ(dropped, 0, "flood SYNs dropped (each opens a half-open flow)");
	ASSERT_LE(fx_count(fx.maps.half_open), FLOOD_TABLE, "half-open flows");
	ASSERT_EQ(fx_count(fx.maps.flows), FLOOD_FLOWS, "confirmed flows");
	for (i = 0; i < FLOOD_FLOWS; i++) {
		struct tcp_spec s = client_spec(CLIENT_N(i + 1), 43100,
						 TCP_ACK | TCP_PSH);
		struct khaxdp_backend b;
		struct khaxdp_nat n;
		struct run r;

		s.payload = "GET /livez";
		s.payload_len = 10;
		if (fx_flow(&fx, CLIENT_N(i + 1), 43100, &g) ||
		    g.snat_port != f[i].snat_port ||
		    send_tcp(&fx, &s, &r) ||
		    r.retval != (f[i].flags & KHAXDP_FLOW_LOCAL ? XDP_PASS : XDP_TX)) {
			lost++;
			continue;
		}
		if (f[i].flags & KHAXDP_FLOW_LOCAL)
			continue;
		if (fx_get_backend(&fx, f[i].backend_id, &b) ||
		    fx_nat(&fx, b.addr.v4, NODE_IP, API_PORT,
			   ntohs(f[i].snat_port), &n))
			lost++;
	}
	ASSERT_EQ(lost, 0, "established connections hurt by the flood");
	ASSERT_STAT(&fx, NAT_RESTORED, 0);
	ESTABLISH(&fx, CLIENT_N(200), 43101, &g);
out:
	fx_fini(&fx);
}

static void flood_case(struct fixture *fx)
{
	(void)fx;
	flood();
}

/* One source opens at most its share of half-open flows in a connect
 * timeout; the flows it completes give their place back. */
static void per_source_share(struct fixture *fx)
{
	struct khaxdp_flow h, f;
	union khaxdp_addr src = { .v4 = CLIENT_IP };
	struct khaxdp_syn_source ss;
	struct tcp_spec s;
	int i;

	if (!ASSERT_OK(set_per_source(fx, 8), "half_open_per_source = 8"))
		return;
	for (i = 0; i < 8; i++)
		if (!OPEN_FLOW(fx, CLIENT_IP, 43200 + i, -1, &h))
			goto out;
	s = client_spec(CLIENT_IP, 43208, TCP_SYN);
	send_expect(fx, &s, XDP_DROP, "the ninth SYN of one source");
	ASSERT_STAT(fx, HALF_OPEN_LIMIT, 1);
	ASSERT_ERR(fx_half_open(fx, CLIENT_IP, 43208, &h), "no flow for it");
	if (!OPEN_FLOW(fx, CLIENT_N(5), 43208, -1, &h))
		goto out;
	/* One handshake completed: room for one more. */
	fx_reset(fx);
	set_per_source(fx, 8);
	for (i = 0; i < 7; i++)
		OPEN_FLOW(fx, CLIENT_IP, 43300 + i, -1, &h);
	if (!ESTABLISH(fx, CLIENT_IP, 43307, &f))
		goto out;
	if (!OPEN_FLOW(fx, CLIENT_IP, 43308, -1, &h))
		goto out;
	send_expect(fx, &s, XDP_DROP, "and then the share is full again");
	/* The next connect timeout starts afresh. */
	if (ASSERT_OK(bpf_map_lookup_elem(fx->maps.syn_sources, &src, &ss),
		      "the source's share")) {
		ss.window_ns -= (KHAXDP_DEFAULT_CONNECT_TIMEOUT_S + 1) * SEC_NS;
		bpf_map_update_elem(fx->maps.syn_sources, &src, &ss, BPF_EXIST);
	}
	s.sport = 43309;
	send_expect(fx, &s, XDP_TX, "a SYN in the next window");
out:
	set_per_source(fx, KHAXDP_DEFAULT_HALF_OPEN_PER_SOURCE);
}

/* --- a confirmed flow and the window ------------------------------------------ */

/* A RST far from the client's sequence numbers: dropped, and the flow
 * goes on; the SYN that would follow it stays with the flow's backend. */
static void blind_rst_and_syn(struct fixture *fx)
{
	struct tcp_spec rst = client_spec(CLIENT_IP, 43400, TCP_RST | TCP_ACK);
	struct tcp_spec syn = client_spec(CLIENT_IP, 43400, TCP_SYN);
	struct khaxdp_flow f, g;
	struct pkt in;
	struct run r;

	if (!established_to_ctrl2(fx, 43400, &f))
		return;
	rst.seq = CLIENT_ISN + 1 + 10000000;
	send_expect(fx, &rst, XDP_DROP, "RST 10 MB off the window");
	ASSERT_STAT(fx, OUT_OF_WINDOW, 1);
	ASSERT_OK(fx_flow(fx, CLIENT_IP, 43400, &g), "flow");
	ASSERT_FALSE(g.flags & KHAXDP_FLOW_RST, "flow not closed");

	/* The cursor points elsewhere now: the SYN must not follow it. */
	fx_set_cursor(fx, 0, 2);
	syn.seq = 900000;
	pkt_tcp4(&in, &syn);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "SYN on the live flow");
	ASSERT_EQ(ntohs(((struct tcphdr *)(r.out + ETH_HLEN_ + 20))->source),
		  ntohs(f.snat_port), "sent on the flow's own SNAT port");
	ASSERT_EQ(((struct iphdr *)(r.out + ETH_HLEN_))->daddr, CTRL2_IP,
		  "to the flow's own backend");
	ASSERT_OK(fx_flow(fx, CLIENT_IP, 43400, &g), "flow");
	ASSERT_EQ(g.backend_id, 1, "flow's backend unchanged");
	ASSERT_EQ(g.created_ns, f.created_ns, "the same flow");
	ASSERT_TRUE(g.flags & KHAXDP_FLOW_RESYNC, "waiting for the backend's answer");
	ASSERT_STAT(fx, FLOW_NEW, 1);
	ASSERT_ERR(fx_half_open(fx, CLIENT_IP, 43400, &g), "no half-open flow");
}

/* The backend's side: a RST to the SNAT port from off the window is
 * dropped; one from within closes the flow. */
static void backend_rst_window(struct fixture *fx)
{
	struct khaxdp_flow f;
	struct tcp_spec s;

	if (!established_to_ctrl2(fx, 43410, &f))
		return;
	s = from_ctrl2(ntohs(f.snat_port), TCP_RST, SERVER_ISN + 1 + 3000000, 0);
	send_expect(fx, &s, XDP_DROP, "RST 3 MB off the backend's window");
	ASSERT_OK(fx_flow(fx, CLIENT_IP, 43410, &f), "flow");
	ASSERT_FALSE(f.flags & KHAXDP_FLOW_RST, "flow not closed");
	s.seq = SERVER_ISN + 1 + 1000;
	send_expect(fx, &s, XDP_TX, "RST within the window");
	ASSERT_OK(fx_flow(fx, CLIENT_IP, 43410, &f), "flow");
	ASSERT_TRUE(f.flags & KHAXDP_FLOW_RST, "flow closed");
}

static void fin_window(struct fixture *fx)
{
	struct tcp_spec fin = client_spec(CLIENT_IP, 43420, TCP_FIN | TCP_ACK);
	struct khaxdp_flow f;

	if (!established_to_ctrl2(fx, 43420, &f))
		return;
	fin.seq = CLIENT_ISN - 200000;
	send_expect(fx, &fin, XDP_DROP, "FIN 200 kB behind the window");
	ASSERT_OK(fx_flow(fx, CLIENT_IP, 43420, &f), "flow");
	ASSERT_EQ(f.flags & KHAXDP_FLOW_FIN_FWD, 0, "no FIN recorded");
	fin.seq = CLIENT_ISN + 1;
	send_expect(fx, &fin, XDP_TX, "the client's FIN");
	ASSERT_OK(fx_flow(fx, CLIENT_IP, 43420, &f), "flow");
	ASSERT_EQ(f.flags & KHAXDP_FLOW_FIN_FWD, KHAXDP_FLOW_FIN_FWD,
		  "FIN recorded");
}

/* The window follows the data: after 1 MB from the backend, a RST where
 * the connection is now is believed, one where it began is not. */
static void window_follows_data(struct fixture *fx)
{
	static char data[256];
	struct khaxdp_flow f;
	struct tcp_spec s;
	__u32 seq = SERVER_ISN + 1;
	__u16 snat;
	int i;

	if (!established_to_ctrl2(fx, 43430, &f))
		return;
	snat = ntohs(f.snat_port);
	for (i = 0; i < 4096; i++) {	/* 1 MiB in 256-byte segments */
		s = from_ctrl2(snat, TCP_ACK | TCP_PSH, seq, CLIENT_ISN + 1);
		s.payload = data;
		s.payload_len = sizeof(data);
		if (!send_expect(fx, &s, XDP_TX, "data from control2"))
			return;
		seq += sizeof(data);
	}
	s = from_ctrl2(snat, TCP_RST, SERVER_ISN + 1, 0);
	send_expect(fx, &s, XDP_DROP, "RST at the connection's first byte");
	s.seq = seq;
	send_expect(fx, &s, XDP_TX, "RST where the connection is now");
}

/* With window scaling, the window is what both offered: a client that
 * offers scale 7 and advertises 1000 allows 128 000 bytes. */
static void window_scale(struct fixture *fx)
{
	struct tcp_spec syn = client_spec(CLIENT_IP, 43440, TCP_SYN);
	struct tcp_spec ack = client_spec(CLIENT_IP, 43440, TCP_ACK);
	struct khaxdp_flow h, f;
	struct tcp_spec s;
	__u16 snat;

	fx_set_cursor(fx, 0, 1);
	syn.wscale = 1 + 7;
	if (!send_expect(fx, &syn, XDP_TX, "SYN offering scale 7") ||
	    !ASSERT_OK(fx_half_open(fx, CLIENT_IP, 43440, &h), "half-open flow"))
		return;
	ASSERT_EQ(h.client.wscale, 7, "the client's scale, read from its SYN");
	snat = ntohs(h.snat_port);
	s = from_ctrl2(snat, TCP_SYN | TCP_ACK, SERVER_ISN, CLIENT_ISN + 1);
	s.wscale = 1 + 7;
	send_expect(fx, &s, XDP_TX, "SYN-ACK offering scale 7");
	ack.window = 1000;
	send_expect(fx, &ack, XDP_TX, "ACK with window 1000 << 7");
	if (!ASSERT_OK(fx_flow(fx, CLIENT_IP, 43440, &f), "confirmed flow"))
		return;
	ASSERT_EQ(f.client.maxwin, 128000, "the client's window, scaled");
	s = from_ctrl2(snat, TCP_RST, SERVER_ISN + 1 + 200000, 0);
	send_expect(fx, &s, XDP_DROP, "RST 200 000 ahead");
	s.seq = SERVER_ISN + 1 + 120000;
	send_expect(fx, &s, XDP_TX, "RST 120 000 ahead");
}

/* A client reuses its port after a crash: the backend, whose connection
 * was gone too, answers the new SYN, and the flow starts again from its
 * SYN-ACK (a later RST at the new numbers is believed). */
static void syn_ack_resyncs(struct fixture *fx)
{
	struct tcp_spec syn = client_spec(CLIENT_IP, 43450, TCP_SYN);
	struct tcp_spec rst = client_spec(CLIENT_IP, 43450, TCP_RST | TCP_ACK);
	struct khaxdp_flow f;
	struct khaxdp_nat n;
	struct tcp_spec s;
	__u16 snat;

	if (!established_to_ctrl2(fx, 43450, &f))
		return;
	snat = ntohs(f.snat_port);
	syn.seq = 900000;
	send_expect(fx, &syn, XDP_TX, "new SYN on the port");
	s = from_ctrl2(snat, TCP_SYN | TCP_ACK, 777000, 900001);
	send_expect(fx, &s, XDP_TX, "the backend's SYN-ACK to it");
	if (ASSERT_OK(fx_flow(fx, CLIENT_IP, 43450, &f), "flow")) {
		ASSERT_EQ(f.client.end, 900001, "client's side anew");
		ASSERT_FALSE(f.flags & KHAXDP_FLOW_RESYNC, "answered");
	}
	if (ASSERT_OK(fx_nat(fx, CTRL2_IP, NODE_IP, API_PORT, snat, &n), "nat"))
		ASSERT_EQ(n.server.end, 777001, "backend's side anew");
	rst.seq = 900001;
	send_expect(fx, &rst, XDP_TX, "RST at the new numbers");
}

/* The backend closes first (HTTP "Connection: close"), so the client may
 * use its port again at once: the new connection's handshake confirms a
 * new flow, to the backend the cursor gives, and its ACK does not follow
 * the old flow (closed, but kept a few seconds for the last ACKs). */
static void port_reused_after_close(struct fixture *fx)
{
	struct tcp_spec fin = client_spec(CLIENT_IP, 43480, TCP_FIN | TCP_ACK);
	struct tcp_spec data = client_spec(CLIENT_IP, 43480, TCP_ACK | TCP_PSH);
	struct khaxdp_flow f, g;
	struct tcp_spec s;
	struct pkt in;
	struct run r;

	if (!established_to_ctrl2(fx, 43480, &f))
		return;
	s = from_ctrl2(ntohs(f.snat_port), TCP_FIN | TCP_ACK, SERVER_ISN + 1,
		       CLIENT_ISN + 1);
	send_expect(fx, &s, XDP_TX, "control2's FIN");
	send_expect(fx, &fin, XDP_TX, "the client's FIN");
	if (!ASSERT_OK(fx_flow(fx, CLIENT_IP, 43480, &g), "flow") ||
	    !ASSERT_TRUE(khaxdp_flow_closed(&g), "closed"))
		return;
	fx_set_cursor(fx, 0, 2);		/* next: control3 */
	if (!ESTABLISH(fx, CLIENT_IP, 43480, &g))
		return;
	ASSERT_EQ(g.backend_id, 2, "the new connection's flow: control3");
	ASSERT_FALSE(khaxdp_flow_closed(&g), "not closed");
	data.payload = "GET /";
	data.payload_len = 5;
	pkt_tcp4(&in, &data);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run") &&
	    ASSERT_VERDICT(&r, XDP_TX, "the new connection's request"))
		ASSERT_EQ(((struct iphdr *)(r.out + ETH_HLEN_))->daddr, CTRL3_IP,
			  "sent to control3");
	ASSERT_STAT(fx, FLOW_CONFIRMED, 2);
	ASSERT_STAT(fx, HANDSHAKE_BAD, 0);
}

/* A closed flow's port goes to a new flow once nothing of the old one
 * passed for a second (its last ACK is through), not before. */
static void port_free_a_second_after_close(struct fixture *fx)
{
	struct tcp_spec fin = client_spec(CLIENT_IP, 43490, TCP_FIN | TCP_ACK);
	struct khaxdp_flow f, g;
	struct tcp_spec s;
	__u16 port;

	if (!established_to_ctrl2(fx, 43490, &f))
		return;
	port = ntohs(f.snat_port);
	s = from_ctrl2(port, TCP_FIN | TCP_ACK, SERVER_ISN + 1, CLIENT_ISN + 1);
	send_expect(fx, &s, XDP_TX, "control2's FIN");
	send_expect(fx, &fin, XDP_TX, "the client's FIN");
	set_port_cursor(fx, 1, port);
	if (syn_to_ctrl2(fx, CLIENT_N(3), 43491, &g))
		ASSERT_NEQ(ntohs(g.snat_port), port, "the port just closed is not taken");
	if (!ASSERT_OK(fx_flow(fx, CLIENT_IP, 43490, &f), "the closed flow"))
		return;
	f.last_seen_ns -= (KHAXDP_REUSE_AFTER_CLOSE_MS + 100) * 1000000ULL;
	ASSERT_OK(fx_put_flow(fx, CLIENT_IP, 43490, &f), "a second later");
	set_port_cursor(fx, 1, port);
	if (!syn_to_ctrl2(fx, CLIENT_N(4), 43492, &g) ||
	    !ASSERT_EQ(ntohs(g.snat_port), port, "a second after, it is"))
		return;
	/* The backend's answer on that tuple is the new flow's, although
	 * the closed flow still has its entry for a few seconds. */
	s = from_ctrl2(port, TCP_SYN | TCP_ACK, SERVER_ISN, CLIENT_ISN + 1);
	send_expect(fx, &s, XDP_TX, "SYN-ACK on the port taken over");
	s = client_spec(CLIENT_N(4), 43492, TCP_ACK);
	send_expect(fx, &s, XDP_TX, "the new client's ACK");
	ASSERT_OK(fx_flow(fx, CLIENT_N(4), 43492, &g), "the new flow confirmed");
	ASSERT_STAT(fx, OUT_OF_WINDOW, 0);
}

/* --- timestamps ---------------------------------------------------------------- */

/* The timestamp option of a frame as sent: false when it has none. */
static bool frame_ts(const __u8 *frame, __u32 len, __u32 *tsval, __u32 *tsecr)
{
	const struct iphdr *ip = (const void *)(frame + ETH_HLEN_);
	const __u8 *tcp = (const __u8 *)ip + ip->ihl * 4;
	__u32 hlen = ((const struct tcphdr *)tcp)->doff * 4, off = 20;

	if (tcp + hlen > frame + len)
		return false;
	while (off + 1 < hlen) {
		if (tcp[off] == 0)
			break;
		if (tcp[off] == 1) {
			off++;
			continue;
		}
		if (tcp[off] == 8 && tcp[off + 1] == 10 && off + 10 <= hlen) {
			memcpy(tsval, tcp + off + 2, 4);
			memcpy(tsecr, tcp + off + 6, 4);
			*tsval = ntohl(*tsval);
			*tsecr = ntohl(*tsecr);
			return true;
		}
		off += tcp[off + 1] ? tcp[off + 1] : 1;
	}
	return false;
}

static __u32 tai_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_TAI, &ts);
	return (__u32)(ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000);
}

/* Runs s and returns the timestamps of what XDP sent (TX expected). */
static bool send_ts(struct fixture *fx, const struct tcp_spec *s,
		    __u32 *tsval, __u32 *tsecr, const char *name)
{
	struct pkt in;
	struct run r;

	pkt_tcp4(&in, s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), name) ||
	    !ASSERT_VERDICT(&r, XDP_TX, name) ||
	    !ASSERT_CSUMS(r.out, r.len, name))
		return false;
	return ASSERT_TRUE(frame_ts(r.out, r.len, tsval, tsecr), name);
}

/* Towards a remote backend the client's timestamps move onto the node's
 * clock (TAI, in ms); the client gets its own back in TSecr. */
static void timestamps_onto_one_clock(struct fixture *fx)
{
	struct tcp_spec syn = client_spec(CLIENT_IP, 43500, TCP_SYN);
	struct tcp_spec ack = client_spec(CLIENT_IP, 43500, TCP_ACK);
	struct khaxdp_flow h;
	struct tcp_spec s;
	__u32 t0, t1, val, ecr, sent;

	fx_set_cursor(fx, 0, 1);
	syn.ts = 1;
	syn.tsval = 1000000;
	t0 = tai_ms();
	if (!send_ts(fx, &syn, &sent, &ecr, "SYN with a timestamp"))
		return;
	t1 = tai_ms();
	ASSERT_TRUE(sent - t0 <= t1 - t0, "the SYN's TSval on the node's clock");
	if (!ASSERT_OK(fx_half_open(fx, CLIENT_IP, 43500, &h), "half-open flow"))
		return;
	ASSERT_EQ(h.ts_offset, sent - 1000000, "the flow's offset");

	s = from_ctrl2(ntohs(h.snat_port), TCP_SYN | TCP_ACK, SERVER_ISN,
		       CLIENT_ISN + 1);
	s.ts = 1;
	s.tsval = 77;
	s.tsecr = sent;
	if (send_ts(fx, &s, &val, &ecr, "SYN-ACK with timestamps")) {
		ASSERT_EQ(ecr, 1000000, "the client gets its own TSval back");
		ASSERT_EQ(val, 77, "the backend's TSval untouched");
	}
	ack.ts = 1;
	ack.tsval = 1000005;
	ack.tsecr = 77;
	if (send_ts(fx, &ack, &val, &ecr, "ACK with timestamps")) {
		ASSERT_EQ(val, 1000005 + h.ts_offset, "TSval shifted");
		ASSERT_EQ(ecr, 77, "TSecr untouched");
	}
	ack.ts_odd = 1;		/* the value at an odd offset: 3 checksum words */
	ack.tsval = 1000009;
	ack.flags |= TCP_PSH;
	ack.payload = "GET /";
	ack.payload_len = 5;
	if (send_ts(fx, &ack, &val, &ecr, "data, timestamps at an odd offset"))
		ASSERT_EQ(val, 1000009 + h.ts_offset, "TSval shifted");
}

/*
 * One tuple VIP:port -> control2:6443, two clients in turn with timestamp
 * clocks far apart (as Linux's random offsets make them): the backend
 * sees the second connection's timestamps after the first's, which is
 * what makes it accept the SYN on a tuple it holds in TIME_WAIT.
 */
static void timestamps_grow_per_tuple(struct fixture *fx)
{
	struct tcp_spec a = client_spec(CLIENT_N(1), 43510, TCP_SYN), b;
	struct tcp_spec rst = client_spec(CLIENT_N(1), 43510, TCP_RST);
	struct khaxdp_flow h, g;
	__u32 va, vb, ecr;

	fx_set_cursor(fx, 0, 1);
	a.ts = 1;
	a.tsval = 4000000000U;
	if (!send_ts(fx, &a, &va, &ecr, "first client's SYN") ||
	    !ASSERT_OK(fx_half_open(fx, CLIENT_N(1), 43510, &h), "its flow"))
		return;
	send_expect(fx, &rst, XDP_TX, "it gives up: the port is free");
	set_port_cursor(fx, 1, ntohs(h.snat_port));
	fx_set_cursor(fx, 0, 1);
	b = client_spec(CLIENT_N(2), 43511, TCP_SYN);
	b.ts = 1;
	b.tsval = 5;
	if (!send_ts(fx, &b, &vb, &ecr, "second client's SYN") ||
	    !ASSERT_OK(fx_half_open(fx, CLIENT_N(2), 43511, &g), "its flow"))
		return;
	ASSERT_EQ(g.snat_port, h.snat_port, "the same tuple");
	ASSERT_TRUE((__s32)(vb - va) >= 0, "the second SYN's TSval not before the first's");
	ASSERT_TRUE(vb - va < 1000, "both on the node's clock");
}

/* The local apiserver holds client:port -> node:6443 in TIME_WAIT as a
 * remote backend holds its tuples, and a client's port comes back to it
 * through round robin after other backends: the same clock. TC gives the
 * client its own TSecr back. */
static void timestamps_local_shifted(struct fixture *fx)
{
	struct tcp_spec syn = client_spec(CLIENT_IP, 43520, TCP_SYN);
	struct tcp_spec sa = {
		.smac = MAC_ENS33, .dmac = MAC_CLIENT,
		.saddr = NODE_IP, .daddr = CLIENT_IP,
		.sport = API_PORT, .dport = 43520,
		.flags = TCP_SYN | TCP_ACK, .seq = SERVER_ISN, .ack = CLIENT_ISN + 1,
		.ts = 1, .tsval = 555,
	};
	struct khaxdp_flow h;
	__u32 val, ecr, t0, t1;
	struct pkt in;
	struct run r;

	fx_set_cursor(fx, 0, 0);
	syn.ts = 1;
	syn.tsval = 123456;
	pkt_tcp4(&in, &syn);
	t0 = tai_ms();
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run") ||
	    !ASSERT_VERDICT(&r, XDP_PASS, "SYN to the local backend") ||
	    !ASSERT_CSUMS(r.out, r.len, "SYN to the local backend"))
		return;
	t1 = tai_ms();
	if (!ASSERT_TRUE(frame_ts(r.out, r.len, &val, &ecr), "timestamps") ||
	    !ASSERT_OK(fx_half_open(fx, CLIENT_IP, 43520, &h), "half-open flow"))
		return;
	ASSERT_TRUE(val - t0 <= t1 - t0, "TSval on the node's clock");
	ASSERT_EQ(h.ts_offset, val - 123456, "the flow's offset");
	sa.tsecr = val;
	pkt_tcp4(&in, &sa);
	if (!ASSERT_OK(run_tc(fx, &in, &r), "tc test_run") ||
	    !ASSERT_CSUMS(r.out, r.len, "SYN-ACK rewritten by TC"))
		return;
	if (ASSERT_TRUE(frame_ts(r.out, r.len, &val, &ecr), "timestamps")) {
		ASSERT_EQ(ecr, 123456, "the client gets its own TSval back");
		ASSERT_EQ(val, 555, "the apiserver's TSval untouched");
	}
}

/* A SYN-ACK nobody asked for (no SYN on the flow) is dropped. */
static void unasked_syn_ack(struct fixture *fx)
{
	struct khaxdp_flow f;
	struct tcp_spec s;

	if (!established_to_ctrl2(fx, 43460, &f))
		return;
	s = from_ctrl2(ntohs(f.snat_port), TCP_SYN | TCP_ACK, 1, CLIENT_ISN + 1);
	send_expect(fx, &s, XDP_DROP, "SYN-ACK on an established flow");
	ASSERT_STAT(fx, OUT_OF_WINDOW, 1);
	ASSERT_OK(fx_flow(fx, CLIENT_IP, 43460, &f), "flow");
	ASSERT_EQ(f.client.end, CLIENT_ISN + 1, "client's side unchanged");
}

/* A flow carried over from a data plane without sequence tracking: its
 * RST is believed whatever its number. */
static void untracked_believed(struct fixture *fx)
{
	struct tcp_spec rst = client_spec(CLIENT_IP, 43470, TCP_RST | TCP_ACK);
	struct khaxdp_flow f;

	if (!established_to_ctrl2(fx, 43470, &f))
		return;
	f.flags |= KHAXDP_FLOW_UNTRACKED;
	ASSERT_OK(fx_put_flow(fx, CLIENT_IP, 43470, &f), "mark it untracked");
	rst.seq = 123456789;
	send_expect(fx, &rst, XDP_TX, "RST of an untracked flow");
	ASSERT_OK(fx_flow(fx, CLIENT_IP, 43470, &f), "flow");
	ASSERT_TRUE(f.flags & KHAXDP_FLOW_RST, "closed");
}

static const struct fx_case cases[] = {
	{ "handshake_confirms", handshake_confirms },
	{ "forged_ack_dropped", forged_ack_dropped },
	{ "synack_wrong_ack_dropped", synack_wrong_ack_dropped },
	{ "half_open_expires", half_open_expires },
	{ "backend_refuses", backend_refuses },
	{ "client_gives_up", client_gives_up },
	{ "flood_keeps_confirmed", flood_case },
	{ "per_source_share", per_source_share },
	{ "blind_rst_and_syn", blind_rst_and_syn },
	{ "backend_rst_window", backend_rst_window },
	{ "fin_window", fin_window },
	{ "window_follows_data", window_follows_data },
	{ "window_scale", window_scale },
	{ "syn_ack_resyncs", syn_ack_resyncs },
	{ "unasked_syn_ack", unasked_syn_ack },
	{ "port_reused_after_close", port_reused_after_close },
	{ "port_free_a_second_after_close", port_free_a_second_after_close },
	{ "timestamps_onto_one_clock", timestamps_onto_one_clock },
	{ "timestamps_grow_per_tuple", timestamps_grow_per_tuple },
	{ "timestamps_local_shifted", timestamps_local_shifted },
	{ "untracked_believed", untracked_believed },
};

void test_tcp_state(void)
{
	FX_RUN_APISERVER(cases);
}
