// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Behaviour 14 (docs/design.md): direct server return. The active node
 * sends a client's packet to the backend node unchanged but for the
 * Ethernet addresses and IPv4's reserved flag (balanced); the node that
 * gets a balanced packet serves it with its own apiserver (destination
 * rewritten, flag cleared, TC turns the answers back into VIP:7443) and
 * never balances it again; a standby node balances nothing.
 */
#include "khaxdp_test.h"

/* What the active node sends to control2 for frame `in`: the same frame,
 * from ens33 to control2's MAC, balanced. */
static void expected_l2(struct pkt *exp, const struct pkt *in)
{
	*exp = *in;
	memcpy(exp->data, MAC_CTRL2, 6);
	memcpy(exp->data + 6, MAC_ENS33, 6);
	pkt_set_balanced(exp);
}

static void holder_forwards_l2(struct fixture *fx)
{
	struct tcp_spec syn = client_spec(CLIENT_IP, 44100, TCP_SYN);
	struct tcp_spec ack = client_spec(CLIENT_IP, 44100, TCP_ACK | TCP_PSH);
	struct khaxdp_flow h, f;
	struct pkt in, exp;
	struct run r;

	fx_set_cursor(fx, 0, 1);		/* next: control2 */
	pkt_tcp4(&in, &syn);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run") ||
	    !ASSERT_VERDICT(&r, XDP_TX, "SYN to control2's node"))
		return;
	expected_l2(&exp, &in);
	ASSERT_MEMEQ(r.out, r.len, exp.data, exp.len,
		     "the SYN, new MACs, balanced flag, nothing else changed");
	ASSERT_EQ(ip4_csum_verify((const void *)(r.out + ETH_HLEN_)), 0xffff,
		  "IP checksum");
	if (ASSERT_OK(fx_half_open(fx, CLIENT_IP, 44100, &h), "half-open flow"))
		ASSERT_EQ(h.mode, KHAXDP_MODE_DSR, "a DSR flow");
	ASSERT_EQ(fx_count(fx->maps.half_open_nat), 0, "no reply tuple here");

	/* The backend's SYN-ACK goes to the client directly: the client's
	 * ACK, which follows its SYN, cannot be checked here. The flow waits
	 * in half_open, acknowledged, for the serving node's word; its
	 * packets go on meanwhile. */
	ack.payload = "GET /";
	ack.payload_len = 5;
	pkt_tcp4(&in, &ack);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run") ||
	    !ASSERT_VERDICT(&r, XDP_TX, "the client's first data"))
		return;
	expected_l2(&exp, &in);
	ASSERT_MEMEQ(r.out, r.len, exp.data, exp.len, "data, as the SYN");
	ASSERT_TRUE(fx_flow(fx, CLIENT_IP, 44100, &f) != 0, "not confirmed here");
	if (ASSERT_OK(fx_half_open(fx, CLIENT_IP, 44100, &h), "half-open flow")) {
		ASSERT_TRUE(khaxdp_flow_acked(&h), "acknowledged by its client");
		ASSERT_EQ(h.timeout_s, SVC_TIMEOUT_S, "the service's idle timeout now");
		ASSERT_EQ(h.client.end, CLIENT_ISN + 1 + 5, "the client's data tracked");
	}
	ack.seq += 5;
	pkt_tcp4(&in, &ack);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		ASSERT_VERDICT(&r, XDP_TX, "more data: to control2's node");
	ASSERT_STAT(fx, DSR_TX, 3);
	ASSERT_STAT(fx, DSR_ACKED, 1);
	ASSERT_STAT(fx, FLOW_CONFIRMED, 0);
	ASSERT_EQ(fx_count(fx->maps.nat), 0, "no reply tuple here");
}

/* Spoofed handshakes (a SYN, then an ACK that follows it, from addresses
 * that never saw a SYN-ACK) as many as the flows table holds: none reaches
 * flows, whose flows all stay; they fill only half_open. */
static void spoofed_handshakes_stay_half_open(struct fixture *fx)
{
	struct tcp_spec syn, ack;
	struct khaxdp_flow f;
	unsigned int i, before = fx_count(fx->maps.flows);
	struct pkt in;
	struct run r;

	for (i = 0; i < 300; i++) {
		__be32 src = htonl(0x0a630000 + i);	/* 10.99.x.y */

		fx_set_cursor(fx, 0, 1 + i % 2);	/* control2, control3 */
		syn = client_spec(src, 40000, TCP_SYN);
		ack = client_spec(src, 40000, TCP_ACK);
		pkt_tcp4(&in, &syn);
		run_xdp(fx, &in, &r);
		pkt_tcp4(&in, &ack);
		if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run") ||
		    !ASSERT_VERDICT(&r, XDP_TX, "the ACK forwarded to its node"))
			return;
	}
	ASSERT_EQ(fx_count(fx->maps.flows), before, "flows: not one more");
	ASSERT_TRUE(fx_flow(fx, htonl(0x0a630000), 40000, &f) != 0,
		    "a spoofed handshake is no flow");
	ASSERT_STAT(fx, DSR_ACKED, 300);
	ASSERT_STAT(fx, FLOW_CONFIRMED, 0);
}

/* The active node's own backend is served as in NAT mode. */
static void holder_local_backend(struct fixture *fx)
{
	struct khaxdp_flow h;

	fx_set_cursor(fx, 0, 0);		/* next: control1, this node */
	if (!OPEN_FLOW(fx, CLIENT_IP, 44110, XDP_PASS, &h))
		return;
	ASSERT_EQ(h.mode, KHAXDP_MODE_NAT, "not a DSR flow");
	ASSERT_TRUE(h.flags & KHAXDP_FLOW_LOCAL, "local");
	ASSERT_STAT(fx, FWD_LOCAL, 1);
	ASSERT_STAT(fx, DSR_TX, 0);
}

/* A balanced packet is served here, standby or not: the whole handshake,
 * the answers from VIP:7443, and the client's own address seen by the
 * apiserver. */
static void serve_balanced(struct fixture *fx)
{
	struct tcp_spec syn = client_spec(CLIENT_IP, 44120, TCP_SYN);
	struct tcp_spec ack = client_spec(CLIENT_IP, 44120, TCP_ACK);
	struct tcp_spec sa = {
		.smac = MAC_ENS33, .dmac = MAC_CLIENT,
		.saddr = NODE_IP, .daddr = CLIENT_IP,
		.sport = API_PORT, .dport = 44120,
		.flags = TCP_SYN | TCP_ACK, .seq = SERVER_ISN, .ack = CLIENT_ISN + 1,
	}, e;
	struct khaxdp_flow f;
	struct pkt in, exp;
	struct run r;

	if (!ASSERT_OK(fx_set_active(fx, 0), "standby"))
		return;
	fx_set_cursor(fx, 0, 1);	/* the cursor must not matter */
	pkt_tcp4(&in, &syn);
	pkt_set_balanced(&in);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run") ||
	    !ASSERT_VERDICT(&r, XDP_PASS, "balanced SYN, to the local apiserver"))
		goto out;
	e = respec(syn, MAC_CLIENT, MAC_ENS33, CLIENT_IP, 44120, NODE_IP, API_PORT);
	pkt_tcp4(&exp, &e);
	ASSERT_FRAME(&r, &exp, "from the client itself to node:6443, flag cleared");
	ASSERT_EQ(fx_cursor(fx, 0), 1, "the cursor untouched");

	pkt_tcp4(&in, &sa);
	if (ASSERT_OK(run_tc(fx, &in, &r), "tc test_run")) {
		e = sa;
		e.saddr = VIP_IP;
		e.sport = VIP_PORT;
		pkt_tcp4(&exp, &e);
		ASSERT_FRAME(&r, &exp, "the SYN-ACK from VIP:7443, straight to the client");
	}
	pkt_tcp4(&in, &ack);
	pkt_set_balanced(&in);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		ASSERT_VERDICT(&r, XDP_PASS, "the balanced ACK");
	if (ASSERT_OK(fx_flow(fx, CLIENT_IP, 44120, &f), "flow confirmed here"))
		ASSERT_TRUE(f.flags & KHAXDP_FLOW_LOCAL, "served locally");
	ASSERT_STAT(fx, DSR_SERVED, 2);
	ASSERT_STAT(fx, HANDSHAKE_BAD, 0);
out:
	fx_set_active(fx, 1);
}

/* A balanced packet for a service this node has no backend of is
 * dropped, never balanced on (no loop between two nodes that both think
 * they are active). */
static void never_balanced_twice(struct fixture *fx)
{
	struct tcp_spec syn = client_spec(CLIENT_IP, 44130, TCP_SYN);
	struct khaxdp_vip vip = { .addr.v4 = VIP_IP, .port = htons(VIP_PORT),
				  .proto = IPPROTO_TCP, .family = KHAXDP_AF_INET };
	struct khaxdp_service svc, saved;
	struct pkt in;
	struct run r;

	if (!ASSERT_OK(bpf_map_lookup_elem(fx->maps.services, &vip, &svc),
		       "service"))
		return;
	saved = svc;
	svc.local_backend = KHAXDP_NO_BACKEND;
	bpf_map_update_elem(fx->maps.services, &vip, &svc, BPF_EXIST);
	pkt_tcp4(&in, &syn);
	pkt_set_balanced(&in);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		ASSERT_VERDICT(&r, XDP_DROP, "balanced SYN, no local backend");
	ASSERT_STAT(fx, DSR_NO_LOCAL, 1);
	ASSERT_STAT(fx, DSR_TX, 0);
	ASSERT_EQ(fx_count(fx->maps.half_open), 0, "no flow");
	bpf_map_update_elem(fx->maps.services, &vip, &saved, BPF_EXIST);
}

/* A standby node balances nothing: its stack forwards the packet to the
 * VIP's holder. */
static void standby_drops(struct fixture *fx)
{
	struct tcp_spec syn = client_spec(CLIENT_IP, 44140, TCP_SYN);
	struct pkt in;
	struct run r;

	if (!ASSERT_OK(fx_set_active(fx, 0), "standby"))
		return;
	pkt_tcp4(&in, &syn);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run")) {
		ASSERT_VERDICT(&r, XDP_DROP, "SYN to the VIP on a standby node");
		ASSERT_UNTOUCHED(&r, &in, "untouched");
	}
	ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, KHAXDP_STAT_STANDBY);
	fx_set_active(fx, 1);
}

/* The active node sees only the client's side of a DSR flow: a RST is
 * believed within a fixed window of the client's own numbers, and the
 * client's FIN closes the flow. */
static void dsr_client_close(struct fixture *fx)
{
	struct tcp_spec syn = client_spec(CLIENT_IP, 44150, TCP_SYN);
	struct tcp_spec ack = client_spec(CLIENT_IP, 44150, TCP_ACK);
	struct tcp_spec rst = client_spec(CLIENT_IP, 44150, TCP_RST | TCP_ACK);
	struct tcp_spec fin = client_spec(CLIENT_IP, 44150, TCP_FIN | TCP_ACK);
	struct khaxdp_flow f;
	struct pkt in;
	struct run r;

	fx_set_cursor(fx, 0, 1);
	pkt_tcp4(&in, &syn);
	run_xdp(fx, &in, &r);
	pkt_tcp4(&in, &ack);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run") ||
	    !ASSERT_OK(fx_half_open(fx, CLIENT_IP, 44150, &f), "acknowledged"))
		return;
	rst.seq = CLIENT_ISN + 1 + 5000000;
	pkt_tcp4(&in, &rst);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		ASSERT_VERDICT(&r, XDP_DROP, "RST 5 MB off");
	pkt_tcp4(&in, &fin);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		ASSERT_VERDICT(&r, XDP_TX, "the client's FIN");
	if (ASSERT_OK(fx_half_open(fx, CLIENT_IP, 44150, &f), "flow"))
		ASSERT_TRUE(khaxdp_flow_closed(&f), "closed by the client's FIN");
	ack.seq = CLIENT_ISN + 2;
	pkt_tcp4(&in, &ack);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		ASSERT_VERDICT(&r, XDP_TX, "its last ACK, after the FIN: still forwarded");
	pkt_tcp4(&in, &syn);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		ASSERT_VERDICT(&r, XDP_TX, "a new SYN on the tuple: a new flow");
	if (ASSERT_OK(fx_half_open(fx, CLIENT_IP, 44150, &f), "half-open"))
		ASSERT_FALSE(khaxdp_flow_acked(&f), "the new one, not yet acknowledged");
	ASSERT_STAT(fx, OUT_OF_WINDOW, 1);
}

/* --- flow events for the agent (flow sync) ---------------------------------- */

struct events {
	int n;
	struct khaxdp_flow_event ev[8];
};

static int on_event(void *ctx, void *data, size_t len)
{
	struct events *e = ctx;

	if (len == sizeof(struct khaxdp_flow_event) && e->n < 8)
		memcpy(&e->ev[e->n], data, len);
	e->n++;
	return 0;
}

/* The events waiting in the ring buffer (drained). */
static int take_events(struct fixture *fx, struct events *e)
{
	struct ring_buffer *rb;
	int err;

	memset(e, 0, sizeof(*e));
	rb = ring_buffer__new(fx->maps.flow_events, on_event, e, NULL);
	if (!rb)
		return -errno;
	err = ring_buffer__consume(rb);
	ring_buffer__free(rb);
	return err < 0 ? err : 0;
}

/* The active node announces nothing of a DSR flow whose handshake it
 * could not check (the node serving it does), nor its end. */
static void events_not_for_unchecked(struct fixture *fx)
{
	struct tcp_spec syn = client_spec(CLIENT_IP, 44160, TCP_SYN);
	struct tcp_spec ack = client_spec(CLIENT_IP, 44160, TCP_ACK);
	struct tcp_spec fin = client_spec(CLIENT_IP, 44160, TCP_FIN | TCP_ACK);
	struct events e;
	struct pkt in;
	struct run r;

	take_events(fx, &e);			/* what earlier cases left */
	fx_set_cursor(fx, 0, 1);		/* next: control2 */
	pkt_tcp4(&in, &syn);
	run_xdp(fx, &in, &r);
	pkt_tcp4(&in, &ack);
	run_xdp(fx, &in, &r);
	pkt_tcp4(&in, &fin);
	run_xdp(fx, &in, &r);
	if (ASSERT_OK(take_events(fx, &e), "read the ring buffer"))
		ASSERT_EQ(e.n, 0, "no event for a handshake not checked here");
	ASSERT_STAT(fx, FLOW_EV_LOST, 0);
}

/* The node serving a DSR flow for another checked its whole handshake: it
 * announces the flow, standby as it is, with itself as the backend by
 * address (which confirms the flow on the node that balances it), and its
 * end. */
static void events_served(struct fixture *fx)
{
	struct tcp_spec syn = client_spec(CLIENT_IP, 44170, TCP_SYN);
	struct tcp_spec ack = client_spec(CLIENT_IP, 44170, TCP_ACK);
	struct tcp_spec fin = client_spec(CLIENT_IP, 44170, TCP_FIN | TCP_ACK);
	struct tcp_spec sa = {
		.smac = MAC_ENS33, .dmac = MAC_CLIENT,
		.saddr = NODE_IP, .daddr = CLIENT_IP,
		.sport = API_PORT, .dport = 44170,
		.flags = TCP_SYN | TCP_ACK, .seq = SERVER_ISN, .ack = CLIENT_ISN + 1,
	};
	struct khaxdp_flow_key want = flow_key(CLIENT_IP, VIP_IP, 44170, VIP_PORT);
	struct khaxdp_flow f;
	struct events e;
	struct pkt in;
	struct run r;

	take_events(fx, &e);
	if (!ASSERT_OK(fx_set_active(fx, 0), "standby"))
		return;
	pkt_tcp4(&in, &syn);
	pkt_set_balanced(&in);
	run_xdp(fx, &in, &r);
	if (ASSERT_OK(take_events(fx, &e), "read the ring buffer"))
		ASSERT_EQ(e.n, 0, "no event for the SYN");
	pkt_tcp4(&in, &sa);
	run_tc(fx, &in, &r);
	pkt_tcp4(&in, &ack);
	pkt_set_balanced(&in);
	run_xdp(fx, &in, &r);
	ASSERT_OK(fx_flow(fx, CLIENT_IP, 44170, &f), "served flow confirmed");
	if (ASSERT_OK(take_events(fx, &e), "read the ring buffer") &&
	    ASSERT_EQ(e.n, 1, "one event for the served flow")) {
		ASSERT_EQ(e.ev[0].type, KHAXDP_FLOW_EV_OPEN, "type OPEN");
		ASSERT_MEMEQ(&e.ev[0].key, sizeof(e.ev[0].key), &want,
			     sizeof(want), "the flow's key");
		ASSERT_EQ(e.ev[0].backend.v4, NODE_IP, "the backend: this node");
		ASSERT_EQ(ntohs(e.ev[0].backend_port), API_PORT, "and port");
	}
	/* The client's FIN (balanced here), then the apiserver's (TC). */
	fin.seq = CLIENT_ISN + 1;
	fin.ack = SERVER_ISN + 1;
	pkt_tcp4(&in, &fin);
	pkt_set_balanced(&in);
	run_xdp(fx, &in, &r);
	if (ASSERT_OK(take_events(fx, &e), "read the ring buffer"))
		ASSERT_EQ(e.n, 0, "the client's FIN alone closes nothing");
	sa.flags = TCP_FIN | TCP_ACK;
	sa.seq = SERVER_ISN + 1;
	sa.ack = CLIENT_ISN + 2;
	pkt_tcp4(&in, &sa);
	run_tc(fx, &in, &r);
	if (ASSERT_OK(take_events(fx, &e), "read the ring buffer") &&
	    ASSERT_EQ(e.n, 1, "one event for the close by the apiserver"))
		ASSERT_EQ(e.ev[0].type, KHAXDP_FLOW_EV_CLOSE, "type CLOSE");
	fx_set_active(fx, 1);
}

/* A flow of the holder's own backend that the apiserver closes last (its
 * FIN seen by TC): the close is announced from TC. */
static void events_close_by_server(struct fixture *fx)
{
	struct tcp_spec fin = client_spec(CLIENT_IP, 44180, TCP_FIN | TCP_ACK);
	struct tcp_spec sfin = {
		.smac = MAC_ENS33, .dmac = MAC_CLIENT,
		.saddr = NODE_IP, .daddr = CLIENT_IP,
		.sport = API_PORT, .dport = 44180,
		.flags = TCP_FIN | TCP_ACK, .seq = SERVER_ISN + 1,
		.ack = CLIENT_ISN + 2,
	};
	struct khaxdp_flow f;
	struct events e;
	struct pkt in;
	struct run r;

	fx_set_cursor(fx, 0, 0);		/* next: control1, this node */
	if (!ESTABLISH(fx, CLIENT_IP, 44180, &f))
		return;
	fin.seq = CLIENT_ISN + 1;
	fin.ack = SERVER_ISN + 1;
	pkt_tcp4(&in, &fin);
	run_xdp(fx, &in, &r);
	take_events(fx, &e);			/* OPEN: confirmed */
	pkt_tcp4(&in, &sfin);
	if (!ASSERT_OK(run_tc(fx, &in, &r), "tc test_run") ||
	    !ASSERT_OK(take_events(fx, &e), "read the ring buffer"))
		return;
	if (ASSERT_EQ(e.n, 1, "one event for the close by the apiserver"))
		ASSERT_EQ(e.ev[0].type, KHAXDP_FLOW_EV_CLOSE, "type CLOSE");
	ASSERT_EQ(e.ev[0].backend.v4, NODE_IP, "the backend: this node");
}

/* "Fragmentation needed" from a router on the way to the client, about
 * what control2 sent for a DSR flow (VIP:7443 -> client, which its TC made
 * of its socket's control2:6443 -> client): the error comes to the VIP's
 * holder, which sends it on to control2 from the router, quoting what that
 * socket sent, so that control2's kernel finds it and lowers its path MTU. */
static void icmp_to_backend_node(struct fixture *fx)
{
	const __be32 router = IP4(192, 168, 218, 254);
	struct tcp_spec syn = client_spec(CLIENT_IP, 44170, TCP_SYN);
	struct pkt in, reply, sent, exp;
	struct run r;

	fx_set_cursor(fx, 0, 1);		/* next: control2 */
	pkt_tcp4(&in, &syn);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run") ||
	    !ASSERT_VERDICT(&r, XDP_TX, "SYN to control2's node"))
		return;
	pkt_tcp4(&reply, &(struct tcp_spec){ .saddr = VIP_IP, .sport = VIP_PORT,
		 .daddr = CLIENT_IP, .dport = 44170, .flags = TCP_SYN | TCP_ACK,
		 .seq = 9000, .ack = 1001 });
	pkt_tcp4(&sent, &(struct tcp_spec){ .saddr = CTRL2_IP, .sport = API_PORT,
		 .daddr = CLIENT_IP, .dport = 44170, .flags = TCP_SYN | TCP_ACK,
		 .seq = 9000, .ack = 1001 });
	pkt_icmp4_error(&in, MAC_ENS33, router, VIP_IP, ICMP_FRAG_NEEDED_CODE,
			reply.data + ETH_HLEN_, ntohs(pkt_ip(&reply)->tot_len), 64);
	pkt_icmp4_error(&exp, MAC_CTRL2, router, CTRL2_IP, ICMP_FRAG_NEEDED_CODE,
			sent.data + ETH_HLEN_, ntohs(pkt_ip(&sent)->tot_len), 63);
	memcpy(exp.data + 6, MAC_ENS33, 6);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "ICMP to control2");
	ASSERT_MEMEQ(r.out, r.len, exp.data, exp.len,
		     "from the router, quoting control2:6443 -> client");
	ASSERT_STAT(fx, ICMP_TX, 1);
}

/* The SYN again while its backend's node has failed (GONE: the holder took
 * over as the handshake went on): not refused with a RST, opened anew on a
 * usable backend (haproxy's option redispatch); once the handshake went
 * through, the flow stays with its backend. */
static void syn_redispatched(struct fixture *fx)
{
	struct tcp_spec syn = client_spec(CLIENT_IP, 44200, TCP_SYN);
	struct khaxdp_flow h;
	struct pkt in;
	struct run r;

	fx_set_cursor(fx, 0, 1);		/* next: control2 */
	pkt_tcp4(&in, &syn);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run") ||
	    !ASSERT_VERDICT(&r, XDP_TX, "SYN to control2's node") ||
	    !ASSERT_OK(fx_set_backend(fx, 1, KHAXDP_HEALTH_GONE,
				      KHAXDP_ADMIN_ENABLED), "control2 GONE"))
		return;
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run")) {
		ASSERT_VERDICT(&r, XDP_TX, "the SYN again: to control3's node");
		ASSERT_MEMEQ(r.out, 6, MAC_CTRL3, 6, "to control3's MAC");
	}
	if (ASSERT_OK(fx_half_open(fx, CLIENT_IP, 44200, &h), "half-open flow"))
		ASSERT_EQ(h.backend_id, 2, "its backend now: control3");
	ASSERT_STAT(fx, REDISPATCHED, 1);
	ASSERT_STAT(fx, FLOW_NEW, 2);
	ASSERT_STAT(fx, RST_GONE, 0);
	fx_set_backend(fx, 1, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
	fx_sync_ring(fx, 0);
}

/* Without flow sync (no agent, or [sync] enabled = no: the node's
 * KHAXDP_NODE_DSR_CONFIRM unset) nobody would confirm a DSR flow: the
 * holder confirms it on its client's ACK, as it can, and announces it;
 * a serving node announces nothing. A flow already waiting is confirmed
 * at its next packet. */
static void holder_confirms_without_sync(struct fixture *fx)
{
	struct tcp_spec syn = client_spec(CLIENT_IP, 44210, TCP_SYN);
	struct tcp_spec ack = client_spec(CLIENT_IP, 44210, TCP_ACK);
	struct khaxdp_flow f;
	struct events e;
	struct pkt in;
	struct run r;

	fx_set_cursor(fx, 0, 1);		/* control2 */
	syn.sport = ack.sport = 44211;		/* one waiting already */
	pkt_tcp4(&in, &syn);
	run_xdp(fx, &in, &r);
	pkt_tcp4(&in, &ack);
	run_xdp(fx, &in, &r);
	take_events(fx, &e);
	if (!ASSERT_OK(kx_node_set_flag(&fx->maps, KHAXDP_NODE_DSR_CONFIRM, false),
		       "flow sync stops"))
		return;
	syn.sport = ack.sport = 44210;
	fx_set_cursor(fx, 0, 1);
	pkt_tcp4(&in, &syn);
	run_xdp(fx, &in, &r);
	pkt_tcp4(&in, &ack);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		ASSERT_VERDICT(&r, XDP_TX, "the ACK: to control2's node");
	if (ASSERT_OK(fx_flow(fx, CLIENT_IP, 44210, &f), "confirmed on the ACK"))
		ASSERT_EQ(f.mode, KHAXDP_MODE_DSR, "a DSR flow");
	if (ASSERT_OK(take_events(fx, &e), "read the ring buffer") &&
	    ASSERT_EQ(e.n, 1, "announced by the holder"))
		ASSERT_EQ(e.ev[0].type, KHAXDP_FLOW_EV_OPEN, "type OPEN");
	ack.sport = 44211;
	ack.seq += 1;
	pkt_tcp4(&in, &ack);
	run_xdp(fx, &in, &r);
	if (ASSERT_OK(fx_flow(fx, CLIENT_IP, 44211, &f), "the waiting one confirmed"))
		ASSERT_FALSE(khaxdp_flow_acked(&f), "no longer waiting");
	ASSERT_STAT(fx, FLOW_CONFIRMED, 2);
	ASSERT_STAT(fx, DSR_ACKED, 1);
	kx_node_set_flag(&fx->maps, KHAXDP_NODE_DSR_CONFIRM, true);
}

static const struct fx_case cases[] = {
	{ "icmp_to_backend_node", icmp_to_backend_node },
	{ "syn_redispatched", syn_redispatched },
	{ "holder_forwards_l2", holder_forwards_l2 },
	{ "spoofed_handshakes_stay_half_open", spoofed_handshakes_stay_half_open },
	{ "holder_local_backend", holder_local_backend },
	{ "serve_balanced", serve_balanced },
	{ "never_balanced_twice", never_balanced_twice },
	{ "standby_drops", standby_drops },
	{ "dsr_client_close", dsr_client_close },
	{ "events_not_for_unchecked", events_not_for_unchecked },
	{ "events_served", events_served },
	{ "events_close_by_server", events_close_by_server },
	{ "holder_confirms_without_sync", holder_confirms_without_sync },
};

void test_dsr(void)
{
	struct fixture fx;

	/* Flow sync runs: the serving node confirms DSR flows. */
	if (fx_init(&fx, NULL) == 0 && fx_apiserver_mode(&fx, "dsr") == 0 &&
	    ASSERT_OK(kx_node_set_flag(&fx.maps, KHAXDP_NODE_DSR_CONFIRM, true),
		      "flow sync runs"))
		FX_RUN_CASES(&fx, cases);
	fx_fini(&fx);
}
