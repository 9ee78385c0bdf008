// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Flow sync's side of the flows table (loader/flowsync.c and the data
 * plane): a flow another node announced is adopted as a DSR flow to its
 * backend, found by address; inert while this node is standby, followed
 * once it is active; answered with a RST when its backend's node failed;
 * replaced when the node that balances sends its tuple here.
 */
#include "khaxdp_test.h"
#include "loader/flowsync.h"

#define CTRL2_ID	1	/* fx_apiserver: control1 0 (this node), 2, 3 */

/* What another node announces: client:cport -> VIP:7443 to backend:6443. */
static struct khaxdp_flow_event announced(__u16 cport, __be32 backend)
{
	struct khaxdp_flow_event ev = {
		.key = flow_key(CLIENT_IP, VIP_IP, cport, VIP_PORT),
		.backend.v4 = backend,
		.backend_port = htons(API_PORT),
		.type = KHAXDP_FLOW_EV_OPEN,
		.mode = KHAXDP_MODE_DSR,
	};
	return ev;
}

static enum kx_adopt adopt(struct fixture *fx, __u16 cport, __be32 backend,
			   __u32 idle_ms)
{
	static struct khaxdp_backend backends[KHAXDP_MAX_BACKENDS];
	struct khaxdp_flow_event ev = announced(cport, backend);
	enum kx_adopt out = KX_ADOPT_MAX;

	if (!ASSERT_OK(kx_backends_read(&fx->maps, backends), "read backends") ||
	    !ASSERT_OK(kx_flow_adopt(&fx->maps, backends, &ev, idle_ms, &out),
		       "kx_flow_adopt"))
		return KX_ADOPT_MAX;
	return out;
}

/* An established client's data segment on client:cport. */
static void data_segment(struct pkt *in, __u16 cport)
{
	struct tcp_spec s = client_spec(CLIENT_IP, cport, TCP_ACK | TCP_PSH);

	s.seq = CLIENT_ISN + 1;
	s.ack = SERVER_ISN + 1;
	s.payload = "GET /";
	s.payload_len = 5;
	pkt_tcp4(in, &s);
}

/* Adopted on a standby: the table holds it, the packets are dropped; once this
 * node is active they go to the same backend node (DSR). */
static void inert_then_followed(struct fixture *fx)
{
	struct khaxdp_flow f;
	struct pkt in, exp;
	struct run r;

	if (!ASSERT_OK(fx_set_active(fx, 0), "standby") ||
	    !ASSERT_EQ(adopt(fx, 45000, CTRL2_IP, 0), KX_ADOPT_INSTALLED,
		       "a flow to control2 adopted"))
		goto out;
	if (ASSERT_OK(fx_flow(fx, CLIENT_IP, 45000, &f), "in the flows table")) {
		ASSERT_EQ(f.backend_id, CTRL2_ID, "backend id found by address");
		ASSERT_EQ(f.mode, KHAXDP_MODE_DSR, "a DSR flow");
		ASSERT_TRUE(f.flags & KHAXDP_FLOW_UNTRACKED, "sequence numbers unknown");
	}
	data_segment(&in, 45000);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run")) {
		ASSERT_VERDICT(&r, XDP_DROP, "standby: inert");
		ASSERT_UNTOUCHED(&r, &in, "untouched");
	}
	ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, KHAXDP_STAT_STANDBY);

	if (!ASSERT_OK(fx_set_active(fx, 1), "active"))
		goto out;
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run") ||
	    !ASSERT_VERDICT(&r, XDP_TX, "active: to control2's node"))
		goto out;
	exp = in;
	memcpy(exp.data, MAC_CTRL2, 6);
	memcpy(exp.data + 6, MAC_ENS33, 6);
	pkt_set_balanced(&exp);
	ASSERT_MEMEQ(r.out, r.len, exp.data, exp.len,
		     "new MACs and the balanced flag, nothing else");
	ASSERT_STAT(fx, DSR_TX, 1);
	ASSERT_STAT(fx, NO_FLOW, 0);
out:
	fx_set_active(fx, 1);
}

/* What the table cannot or need not take is said, and nothing written. */
static void adopt_refusals(struct fixture *fx)
{
	struct khaxdp_flow_event ev = announced(45010, CTRL2_IP);
	static struct khaxdp_backend backends[KHAXDP_MAX_BACKENDS];
	enum kx_adopt out;

	ASSERT_EQ(adopt(fx, 45010, NODE_IP, 0), KX_ADOPT_SELF,
		  "backend is this node: its own flow is known here");
	ASSERT_EQ(adopt(fx, 45011, IP4(192, 168, 218, 99), 0),
		  KX_ADOPT_NO_BACKEND, "no backend at that address");
	ASSERT_EQ(adopt(fx, 45012, CTRL2_IP, SVC_TIMEOUT_S * 1000),
		  KX_ADOPT_EXPIRED, "idle as long as the timeout");
	ev.key.dport = htons(VIP_PORT + 1);
	kx_backends_read(&fx->maps, backends);
	if (ASSERT_OK(kx_flow_adopt(&fx->maps, backends, &ev, 0, &out), "adopt"))
		ASSERT_EQ(out, KX_ADOPT_NO_SERVICE, "no service at that port");
	ASSERT_EQ(fx_count(fx->maps.flows), 0, "nothing written");

	/* A flow of this node's own is not overwritten. */
	if (!ASSERT_OK(kx_flow_adopt(&fx->maps, backends,
				     &(struct khaxdp_flow_event){0}, 0, &out),
		       "adopt an empty record"))
		return;
	ASSERT_EQ(out, KX_ADOPT_NO_SERVICE, "empty record: no service");
}

/* The same flow announced again (a snapshot) only refreshes its idle time,
 * and the announcement of its end deletes it. */
static void refresh_and_forget(struct fixture *fx)
{
	struct khaxdp_flow_key key = flow_key(CLIENT_IP, VIP_IP, 45020, VIP_PORT);
	struct khaxdp_flow f1, f2;
	bool deleted;

	if (!ASSERT_EQ(adopt(fx, 45020, CTRL2_IP, 60000), KX_ADOPT_INSTALLED,
		       "idle a minute") ||
	    !ASSERT_OK(fx_flow(fx, CLIENT_IP, 45020, &f1), "flow"))
		return;
	ASSERT_TRUE(kx_now_ns() - f1.last_seen_ns >= 59000000000ull &&
		    kx_now_ns() - f1.last_seen_ns < 62000000000ull,
		    "last seen a minute ago");
	ASSERT_EQ(adopt(fx, 45020, CTRL2_IP, 0), KX_ADOPT_REFRESHED, "again");
	if (ASSERT_OK(fx_flow(fx, CLIENT_IP, 45020, &f2), "flow"))
		ASSERT_TRUE(kx_now_ns() - f2.last_seen_ns < 2000000000ull,
			    "last seen now");
	ASSERT_OK(kx_flow_forget(&fx->maps, &key, &deleted), "forget");
	ASSERT_TRUE(deleted, "deleted");
	ASSERT_EQ(fx_count(fx->maps.flows), 0, "gone from the table");
}

/* A node's own flows (here one to its local backend) stay when another
 * node announces the tuple or its end: this data plane sees it itself. */
static void own_flow_kept(struct fixture *fx)
{
	struct khaxdp_flow_key key = flow_key(CLIENT_IP, VIP_IP, 45030, VIP_PORT);
	struct khaxdp_flow f;
	bool deleted = true;

	fx_set_cursor(fx, 0, 0);		/* next: control1, this node */
	if (!ESTABLISH(fx, CLIENT_IP, 45030, &f))
		return;
	ASSERT_EQ(adopt(fx, 45030, CTRL2_IP, 0), KX_ADOPT_OWN,
		  "a local flow is not overwritten");
	ASSERT_OK(kx_flow_forget(&fx->maps, &key, &deleted), "forget");
	ASSERT_FALSE(deleted, "not deleted");
	if (ASSERT_OK(fx_flow(fx, CLIENT_IP, 45030, &f), "still there"))
		ASSERT_EQ(f.backend_id, 0, "to the local backend");
}

/* Announce: what another node would have to follow. */
static void announce_filter(struct fixture *fx)
{
	static struct khaxdp_backend backends[KHAXDP_MAX_BACKENDS];
	struct khaxdp_flow_key key = flow_key(CLIENT_IP, VIP_IP, 45040, VIP_PORT);
	struct khaxdp_flow_event ev;
	struct khaxdp_flow f = {
		.backend_id = CTRL2_ID, .mode = KHAXDP_MODE_DSR,
		.timeout_s = SVC_TIMEOUT_S,
	};
	uint64_t now = kx_now_ns();
	uint32_t idle;

	if (!ASSERT_OK(kx_backends_read(&fx->maps, backends), "backends"))
		return;
	f.last_seen_ns = now - 3000000000ull;
	if (ASSERT_TRUE(kx_flow_announce(&key, &f, backends, now, &ev, &idle),
			"a DSR flow is announced")) {
		ASSERT_EQ(ev.backend.v4, CTRL2_IP, "backend by address");
		ASSERT_EQ(ntohs(ev.backend_port), API_PORT, "and port");
		ASSERT_EQ(idle, 3000, "idle 3 s");
	}
	f.flags = KHAXDP_FLOW_RST;
	ASSERT_FALSE(kx_flow_announce(&key, &f, backends, now, &ev, &idle),
		     "a closed flow is not");
	f.flags = 0;
	f.mode = KHAXDP_MODE_NAT;
	ASSERT_FALSE(kx_flow_announce(&key, &f, backends, now, &ev, &idle),
		     "a NAT flow to another node is not");
	f.flags = KHAXDP_FLOW_LOCAL;
	f.backend_id = 0;
	ASSERT_TRUE(kx_flow_announce(&key, &f, backends, now, &ev, &idle),
		    "a flow of the local backend is");
	f.last_seen_ns = now - (SVC_TIMEOUT_S + 1) * 1000000000ull;
	ASSERT_FALSE(kx_flow_announce(&key, &f, backends, now, &ev, &idle),
		     "an expired flow is not");
}

/* The backend's node failed: the client's next segment is answered with a
 * RST in the backend's name, and the flow is gone. */
static void reset_when_gone(struct fixture *fx)
{
	const struct iphdr *ip;
	const struct tcphdr *tcp;
	struct khaxdp_flow f;
	struct pkt in;
	struct run r;

	if (!ASSERT_EQ(adopt(fx, 45050, CTRL2_IP, 0), KX_ADOPT_INSTALLED, "adopted") ||
	    !ASSERT_OK(kx_backend_set_health(&fx->maps, CTRL2_ID,
					     KHAXDP_HEALTH_GONE), "control2 GONE"))
		return;
	data_segment(&in, 45050);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run") ||
	    !ASSERT_VERDICT(&r, XDP_TX, "answered"))
		goto out;
	if (!ASSERT_EQ(r.len, ETH_HLEN_ + 40, "Ethernet, IP and TCP headers only"))
		goto out;
	ASSERT_MEMEQ(r.out, 6, MAC_CLIENT, 6, "to the client's MAC");
	ASSERT_MEMEQ(r.out + 6, 6, MAC_ENS33, 6, "from ours");
	ip = (const void *)(r.out + ETH_HLEN_);
	tcp = (const void *)(r.out + ETH_HLEN_ + 20);
	ASSERT_EQ(ip->saddr, VIP_IP, "from the VIP");
	ASSERT_EQ(ip->daddr, CLIENT_IP, "to the client");
	ASSERT_EQ(ntohs(ip->tot_len), 40, "IP length");
	ASSERT_EQ(ntohs(tcp->source), VIP_PORT, "from port 7443");
	ASSERT_EQ(ntohs(tcp->dest), 45050, "to the client's port");
	ASSERT_TRUE(tcp->rst && !tcp->ack && !tcp->syn && !tcp->fin, "RST alone");
	ASSERT_EQ(ntohl(tcp->seq), SERVER_ISN + 1, "seq = the segment's ack");
	ASSERT_EQ(tcp->doff, 5, "no options");
	ASSERT_CSUMS(r.out, r.len, "RST");
	ASSERT_EQ(fx_flow(fx, CLIENT_IP, 45050, &f), -ENOENT, "flow deleted");
	ASSERT_STAT(fx, RST_GONE, 1);
	ASSERT_STAT(fx, DSR_TX, 0);

	/* A segment without an ACK gets seq 0 and an ACK of what it held. */
	adopt(fx, 45051, CTRL2_IP, 0);
	{
		struct tcp_spec s = client_spec(CLIENT_IP, 45051, TCP_FIN);

		s.seq = 77;
		pkt_tcp4(&in, &s);
	}
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run") &&
	    ASSERT_VERDICT(&r, XDP_TX, "answered")) {
		tcp = (const void *)(r.out + ETH_HLEN_ + 20);
		ASSERT_TRUE(tcp->rst && tcp->ack, "RST, ACK");
		ASSERT_EQ(ntohl(tcp->seq), 0, "seq 0");
		ASSERT_EQ(ntohl(tcp->ack_seq), 78, "ack = seq + FIN");
		ASSERT_CSUMS(r.out, r.len, "RST, ACK");
	}
out:
	kx_backend_set_health(&fx->maps, CTRL2_ID, KHAXDP_HEALTH_UP);
}

/* A node that balances sent a tuple here that an adopted flow has going
 * elsewhere (it ended there; its end never arrived): served here. */
static void serve_supersedes(struct fixture *fx)
{
	struct tcp_spec syn = client_spec(CLIENT_IP, 45060, TCP_SYN);
	struct khaxdp_flow h;
	struct pkt in;
	struct run r;

	if (!ASSERT_EQ(adopt(fx, 45060, CTRL2_IP, 0), KX_ADOPT_INSTALLED, "adopted"))
		return;
	pkt_tcp4(&in, &syn);
	pkt_set_balanced(&in);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		ASSERT_VERDICT(&r, XDP_PASS, "served by the local apiserver");
	ASSERT_STAT(fx, FLOW_SUPERSEDED, 1);
	ASSERT_STAT(fx, DSR_SERVED, 1);
	ASSERT_STAT(fx, DSR_NO_LOCAL, 0);
	if (ASSERT_OK(fx_half_open(fx, CLIENT_IP, 45060, &h), "half-open here"))
		ASSERT_TRUE(h.flags & KHAXDP_FLOW_LOCAL, "served locally");
}

/* A snapshot walks the table in slices: every flow exactly once, however
 * the slices fall. */
static int count_seen(const struct khaxdp_flow_key *key,
		      const struct khaxdp_flow *f, void *ctx)
{
	__u8 *seen = ctx;

	(void)f;
	seen[ntohs(key->sport) - 20000]++;
	return 0;
}

static void walk_in_slices(struct fixture *fx)
{
	static __u8 seen[1000];
	struct khaxdp_flow f = { .backend_id = CTRL2_ID, .mode = KHAXDP_MODE_DSR,
				 .timeout_s = SVC_TIMEOUT_S };
	struct kx_flow_walk w = {};
	int steps = 0, twice = 0, missed = 0;

	f.last_seen_ns = kx_now_ns();
	for (int i = 0; i < 1000; i++) {
		struct khaxdp_flow_key k = flow_key(CLIENT_IP, VIP_IP,
						    (__u16)(20000 + i), VIP_PORT);

		if (!ASSERT_OK(bpf_map_update_elem(fx->maps.flows, &k, &f, BPF_ANY),
			       "put flow"))
			return;
	}
	memset(seen, 0, sizeof(seen));
	while (!w.done && steps < 2000) {
		if (!ASSERT_OK(kx_flow_table_walk_step(fx->maps.flows, &w, 7,
						       count_seen, seen), "step"))
			return;
		steps++;
	}
	for (int i = 0; i < 1000; i++) {
		twice += seen[i] > 1;
		missed += !seen[i];
	}
	ASSERT_TRUE(w.done, "walked to the end");
	ASSERT_EQ(missed, 0, "flows not visited");
	ASSERT_EQ(twice, 0, "flows visited twice");
	ASSERT_TRUE(steps > 1, "in several slices");
}

/* A handshake under way when the old holder left: its SYN went through
 * that node, which hands the half-open flow over (leaving MASTER); here
 * it waits in half_open, UNTRACKED, and the client's ACK (any sequence
 * number: the SYN's is not known here) confirms it to the same backend. */
static void half_open_handed_over(struct fixture *fx)
{
	static struct khaxdp_backend backends[KHAXDP_MAX_BACKENDS];
	struct khaxdp_flow_event ev = announced(45300, CTRL2_IP), back;
	struct tcp_spec syn = client_spec(CLIENT_IP, 45301, TCP_SYN);
	enum kx_adopt out = KX_ADOPT_MAX;
	struct khaxdp_flow h, f;
	struct pkt in, exp;
	struct run r;
	__u32 idle;

	ev.type = KHAXDP_FLOW_EV_HALF_OPEN;
	if (!ASSERT_OK(kx_backends_read(&fx->maps, backends), "read backends") ||
	    !ASSERT_OK(kx_flow_adopt(&fx->maps, backends, &ev, 20, &out), "kx_flow_adopt") ||
	    !ASSERT_EQ(out, KX_ADOPT_INSTALLED, "a half-open flow handed over"))
		return;
	ASSERT_TRUE(fx_flow(fx, CLIENT_IP, 45300, &f) != 0, "not a confirmed flow");
	if (!ASSERT_OK(fx_half_open(fx, CLIENT_IP, 45300, &h), "in half_open"))
		return;
	ASSERT_EQ(h.backend_id, CTRL2_ID, "its backend, by address");
	ASSERT_EQ(h.mode, KHAXDP_MODE_DSR, "a DSR flow");
	ASSERT_TRUE(h.flags & KHAXDP_FLOW_UNTRACKED, "its SYN's sequence number unknown");
	ASSERT_EQ(h.timeout_s, KHAXDP_DEFAULT_CONNECT_TIMEOUT_S, "lives the connect timeout");

	data_segment(&in, 45300);	/* ACK + data, seq never seen here */
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run") ||
	    !ASSERT_VERDICT(&r, XDP_TX, "the client's first data: to control2's node"))
		return;
	exp = in;
	memcpy(exp.data, MAC_CTRL2, 6);
	memcpy(exp.data + 6, MAC_ENS33, 6);
	pkt_set_balanced(&exp);
	ASSERT_MEMEQ(r.out, r.len, exp.data, exp.len, "forwarded as DSR");
	if (ASSERT_OK(fx_half_open(fx, CLIENT_IP, 45300, &h), "acknowledged")) {
		ASSERT_TRUE(khaxdp_flow_acked(&h), "its client's ACK seen");
		ASSERT_EQ(h.backend_id, CTRL2_ID, "same backend");
		ASSERT_EQ(h.timeout_s, SVC_TIMEOUT_S, "the service's timeout now");
	}
	ASSERT_STAT(fx, DSR_ACKED, 1);

	/* What a leaving holder hands over: its DSR half-open flows only. */
	fx_set_cursor(fx, 0, 1);		/* control2 */
	pkt_tcp4(&in, &syn);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run") ||
	    !ASSERT_OK(fx_half_open(fx, CLIENT_IP, 45301, &h), "a SYN's half-open flow"))
		return;
	ev.key = flow_key(CLIENT_IP, VIP_IP, 45301, VIP_PORT);
	ASSERT_TRUE(kx_flow_announce_half(&ev.key, &h, backends, kx_now_ns(), &back, &idle),
		    "a DSR half-open flow is handed over");
	ASSERT_EQ(back.type, KHAXDP_FLOW_EV_HALF_OPEN, "as a half-open record");
	h.mode = KHAXDP_MODE_NAT;
	h.flags |= KHAXDP_FLOW_LOCAL;
	ASSERT_FALSE(kx_flow_announce_half(&ev.key, &h, backends, kx_now_ns(), &back, &idle),
		     "one of the local backend is not (this node serves it)");
}

/* The flow this node balances waits half-open since its client's ACK:
 * the serving node's announcement confirms it, into flows as it was (the
 * client's sequence numbers kept: not UNTRACKED), out of half_open. An
 * announcement of another backend wins (the serving node saw the
 * handshake). A close from the serving node ends one still waiting. */
static void acked_confirmed_by_serving_node(struct fixture *fx)
{
	struct tcp_spec syn = client_spec(CLIENT_IP, 45500, TCP_SYN);
	struct tcp_spec ack = client_spec(CLIENT_IP, 45500, TCP_ACK);
	struct khaxdp_flow_event ev;
	struct khaxdp_flow h, f;
	bool deleted = false;
	struct pkt in;
	struct run r;
	__u16 port;

	fx_set_cursor(fx, 0, 1);		/* control2 */
	for (port = 45500; port <= 45502; port++) {
		syn.sport = ack.sport = port;
		pkt_tcp4(&in, &syn);
		run_xdp(fx, &in, &r);
		pkt_tcp4(&in, &ack);
		run_xdp(fx, &in, &r);
		fx_set_cursor(fx, 0, 1);
	}
	if (!ASSERT_OK(fx_half_open(fx, CLIENT_IP, 45500, &h), "waiting") ||
	    !ASSERT_TRUE(khaxdp_flow_acked(&h), "acknowledged"))
		return;
	ASSERT_EQ(adopt(fx, 45500, CTRL2_IP, 0), KX_ADOPT_CONFIRMED,
		  "control2's announcement: confirmed");
	ASSERT_TRUE(fx_half_open(fx, CLIENT_IP, 45500, &h) != 0, "out of half_open");
	if (ASSERT_OK(fx_flow(fx, CLIENT_IP, 45500, &f), "in flows")) {
		ASSERT_EQ(f.backend_id, CTRL2_ID, "its backend");
		ASSERT_FALSE(f.flags & KHAXDP_FLOW_UNTRACKED, "tracked, as seen here");
		ASSERT_FALSE(khaxdp_flow_acked(&f), "no longer waiting");
		ASSERT_EQ(f.client.end, CLIENT_ISN + 1, "the client's sequence number");
		ASSERT_EQ(f.timeout_s, SVC_TIMEOUT_S, "the service's timeout");
	}
	data_segment(&in, 45500);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		ASSERT_VERDICT(&r, XDP_TX, "its data: to control2's node, from flows");

	ASSERT_EQ(adopt(fx, 45501, CTRL3_IP, 0), KX_ADOPT_CONFIRMED,
		  "announced by control3 instead");
	if (ASSERT_OK(fx_flow(fx, CLIENT_IP, 45501, &f), "in flows"))
		ASSERT_EQ(f.backend_id, 2, "control3's: where the handshake went");

	ev = announced(45502, CTRL2_IP);
	if (ASSERT_OK(kx_flow_forget(&fx->maps, &ev.key, &deleted), "kx_flow_forget"))
		ASSERT_TRUE(deleted, "closed by its serving node: ended");
	ASSERT_TRUE(fx_half_open(fx, CLIENT_IP, 45502, &h) != 0, "out of half_open");
}

/* For a second after this node became active, a client's packet with no
 * flow is dropped, not passed up (the stack would reset a connection
 * whose flow the old holder is still sending); a SYN still opens a flow,
 * and a packet balanced by another node is not held. */
static void takeover_hold(struct fixture *fx)
{
	struct khaxdp_node n;
	struct pkt in;
	struct run r;

	if (!ASSERT_OK(fx_node(fx, &n), "node"))
		return;
	n.active_since_ns = now_coarse_ns();
	fx_put_node(fx, &n);
	data_segment(&in, 45400);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run")) {
		ASSERT_VERDICT(&r, XDP_DROP, "no flow, just taken over: dropped");
		ASSERT_UNTOUCHED(&r, &in, "untouched");
	}
	ASSERT_STAT(fx, TAKEOVER_HOLD, 1);
	pkt_set_balanced(&in);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		ASSERT_VERDICT(&r, XDP_PASS, "balanced by another node: not held");
	ASSERT_STAT(fx, NO_FLOW, 1);
	if (ASSERT_OK(fx_node(fx, &n), "node")) {
		n.active_since_ns = now_coarse_ns() - 1100000000ULL;
		fx_put_node(fx, &n);
	}
	data_segment(&in, 45400);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		ASSERT_VERDICT(&r, XDP_PASS, "1.1 s after: passed, as ever");
	ASSERT_STAT(fx, NO_FLOW, 2);
	ASSERT_STAT(fx, TAKEOVER_HOLD, 1);
	n.active_since_ns = 0;
	fx_put_node(fx, &n);
}

static const struct fx_case cases[] = {
	{ "half_open_handed_over", half_open_handed_over },
	{ "acked_confirmed_by_serving_node", acked_confirmed_by_serving_node },
	{ "takeover_hold", takeover_hold },
	{ "inert_then_followed", inert_then_followed },
	{ "adopt_refusals", adopt_refusals },
	{ "refresh_and_forget", refresh_and_forget },
	{ "own_flow_kept", own_flow_kept },
	{ "announce_filter", announce_filter },
	{ "reset_when_gone", reset_when_gone },
	{ "serve_supersedes", serve_supersedes },
	{ "walk_in_slices", walk_in_slices },
};

void test_flow_sync(void)
{
	struct fixture fx;

	/* Flow sync runs: the serving node confirms DSR flows. */
	if (fx_init(&fx, NULL) == 0 && fx_apiserver_mode(&fx, "dsr") == 0 &&
	    ASSERT_OK(kx_node_set_flag(&fx.maps, KHAXDP_NODE_DSR_CONFIRM, true),
		      "flow sync runs"))
		FX_RUN_CASES(&fx, cases);
	fx_fini(&fx);
}
