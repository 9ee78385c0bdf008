// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Behaviours 2 and 3 (docs/design.md): a SYN to VIP:7443 drawn to a remote
 * backend is NATed (destination -> backend:6443, source -> this node : SNAT
 * port), with valid checksums and the next hop's MACs, sent with XDP_TX or
 * redirect; every later packet follows the flow whatever happens to the
 * backend.
 */
#include <linux/if_ether.h>

#include "khaxdp_test.h"

static const char request[] = "GET /readyz HTTP/1.1\r\nHost: vip\r\n\r\n";

/* The frame the data plane should send for `s` NATed to addr:API_PORT. */
static void nat_expected(struct pkt *exp, const struct tcp_spec *s,
			 const __u8 *smac, const __u8 *dmac, __be32 addr,
			 __u16 snat)
{
	struct tcp_spec e = respec(*s, smac, dmac, NODE_IP, snat, addr,
				    API_PORT);

	pkt_tcp4(exp, &e);
}

static __u16 snat_of(const struct khaxdp_flow *f)
{
	return ntohs(f->snat_port);
}

/* The reply entry {backend:6443 -> node:snat} names the flow: in nat for a
 * confirmed flow, in half_open_nat for a half-open one. */
static void check_nat_entry(struct fixture *fx, bool confirmed,
			    __be32 backend_addr, __u16 snat, __u32 backend_id,
			    __be32 client, __u16 cport)
{
	struct khaxdp_flow_key want = flow_key(client, VIP_IP, cport, VIP_PORT);
	struct khaxdp_nat n;
	int err = confirmed ?
		fx_nat(fx, backend_addr, NODE_IP, API_PORT, snat, &n) :
		fx_half_open_nat(fx, backend_addr, NODE_IP, API_PORT, snat, &n);

	if (!ASSERT_OK(err, confirmed ? "nat entry {backend:6443 -> node:snat}" :
			    "half_open_nat entry {backend:6443 -> node:snat}"))
		return;
	ASSERT_MEMEQ(&n.flow, sizeof(n.flow), &want, sizeof(want),
		     "nat entry's forward key");
	ASSERT_EQ(n.backend_id, backend_id, "nat entry's backend_id");
}

static void syn_to_remote_backend(struct fixture *fx)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 40000, TCP_SYN);
	struct khaxdp_backend_stats bs;
	struct khaxdp_flow f;
	struct pkt in, exp;
	__u64 t0, t1;
	struct run r;

	fx_set_cursor(fx, 0, 1);		/* next: control2 */
	pkt_tcp4(&in, &s);
	t0 = now_coarse_ns();
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	t1 = now_ns();
	ASSERT_VERDICT(&r, XDP_TX, "verdict");
	ASSERT_ERR(fx_flow(fx, CLIENT_IP, 40000, &f), "no confirmed flow yet");
	if (!ASSERT_OK(fx_half_open(fx, CLIENT_IP, 40000, &f),
		       "half-open flow recorded"))
		return;
	ASSERT_EQ(f.backend_id, 1, "flow backend_id");
	ASSERT_EQ(f.service_id, 0, "flow service_id");
	ASSERT_EQ(f.timeout_s, KHAXDP_DEFAULT_CONNECT_TIMEOUT_S,
		  "half-open flow lives the connect timeout");
	ASSERT_EQ(f.flags, 0, "flow flags");
	ASSERT_EQ(f.client.end, CLIENT_ISN + 1, "client side: after its SYN");
	ASSERT_EQ(f.client.maxwin, 64240, "client side: the SYN's window");
	ASSERT_EQ(f.client.wscale, KHAXDP_WSCALE_NONE, "client side: no scale");
	ASSERT_GE(snat_of(&f), SNAT_MIN, "flow snat_port");
	ASSERT_LE(snat_of(&f), SNAT_MAX, "flow snat_port");
	ASSERT_TRUE(f.created_ns >= t0 && f.created_ns <= t1,
		    "flow created_ns within the run");
	ASSERT_GE(f.last_seen_ns, f.created_ns, "flow last_seen_ns");

	nat_expected(&exp, &s, MAC_ENS33, MAC_CTRL2, CTRL2_IP, snat_of(&f));
	ASSERT_FRAME(&r, &exp, "NATed SYN");
	check_nat_entry(fx, false, CTRL2_IP, snat_of(&f), 1, CLIENT_IP, 40000);
	ASSERT_EQ(fx_count(fx->maps.nat), 0, "nothing in nat before the handshake");

	ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, KHAXDP_STAT_FLOW_NEW,
			  KHAXDP_STAT_FWD_TX);
	ASSERT_OK(fx_backend_stats(fx, 1, &bs), "backend_stats[1]");
	ASSERT_EQ(bs.packets_in, 1, "backend 1 packets_in");
	ASSERT_EQ(bs.bytes_in, ntohs(pkt_ip(&in)->tot_len), "backend 1 bytes_in");
	ASSERT_EQ(bs.flows_opened, 0, "backend 1 flows_opened: not before the handshake");
	ASSERT_EQ(bs.packets_out, 0, "backend 1 packets_out");
	ASSERT_EQ(fx_cursor(fx, 0), 2, "rr_cursor after one SYN");
}

/* Sends a data packet of the flow and expects it NATed like its SYN. */
static void expect_follows(struct fixture *fx, __u16 cport,
			   const struct khaxdp_flow *f, const char *when)
{
	struct tcp_spec s = client_spec(CLIENT_IP, cport, TCP_ACK | TCP_PSH);
	struct pkt in, exp;
	struct run r;

	s.payload = request;
	s.payload_len = sizeof(request) - 1;
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	TLOG("%s: verdict %s", when, xdp_verdict(r.retval));
	ASSERT_VERDICT(&r, XDP_TX, when);
	nat_expected(&exp, &s, MAC_ENS33, MAC_CTRL2, CTRL2_IP, snat_of(f));
	ASSERT_FRAME(&r, &exp, when);
}

static void established_follows_flow(struct fixture *fx)
{
	struct khaxdp_flow f, g;
	int i;

	fx_set_cursor(fx, 0, 1);
	if (!ESTABLISH(fx, CLIENT_IP, 40001, &f))
		return;
	expect_follows(fx, 40001, &f, "data after the handshake");

	/* Other flows move the cursor past control2 several times. */
	/* Cursor 2, 3, ...: control3, control1 (local: passed up), ... */
	for (i = 0; i < 5; i++)
		OPEN_FLOW(fx, CLIENT_N(i + 1), 41000,
			  (2 + i) % 3 == 0 ? XDP_PASS : XDP_TX, &g);
	expect_follows(fx, 40001, &f, "data after other flows moved the cursor");

	fx_set_backend(fx, 1, KHAXDP_HEALTH_DOWN, KHAXDP_ADMIN_ENABLED);
	fx_sync_ring(fx, 0);
	expect_follows(fx, 40001, &f, "data after control2 marked down");

	fx_set_backend(fx, 1, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_DISABLED);
	fx_sync_ring(fx, 0);
	expect_follows(fx, 40001, &f, "data after control2 disabled");

	fx_set_backend(fx, 1, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_DRAIN);
	fx_sync_ring(fx, 0);
	expect_follows(fx, 40001, &f, "data after control2 set to drain");

	ASSERT_OK(fx_flow(fx, CLIENT_IP, 40001, &g), "flow still there");
	ASSERT_EQ(g.backend_id, 1, "flow backend_id unchanged");
	ASSERT_EQ(g.snat_port, f.snat_port, "flow snat_port unchanged");
	/* SYN and ACK, 5 data, 3 other SYNs */
	ASSERT_STAT(fx, FWD_TX, 2 + 5 + 3);
}

static void syn_retransmit(struct fixture *fx)
{
	struct khaxdp_flow f, g;
	struct tcp_spec s = client_spec(CLIENT_IP, 40002, TCP_SYN);
	struct pkt in, exp;
	struct run r;

	fx_set_cursor(fx, 0, 1);
	if (!OPEN_FLOW(fx, CLIENT_IP, 40002, XDP_TX, &f))
		return;
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "retransmitted SYN");
	nat_expected(&exp, &s, MAC_ENS33, MAC_CTRL2, CTRL2_IP, snat_of(&f));
	ASSERT_FRAME(&r, &exp, "retransmitted SYN");
	ASSERT_OK(fx_half_open(fx, CLIENT_IP, 40002, &g), "half-open flow");
	ASSERT_EQ(g.backend_id, 1, "backend after retransmit");
	ASSERT_EQ(g.snat_port, f.snat_port, "snat_port after retransmit");
	ASSERT_EQ(g.created_ns, f.created_ns, "created_ns after retransmit");
	ASSERT_STAT(fx, FLOW_NEW, 1);
	ASSERT_EQ(fx_cursor(fx, 0), 2, "rr_cursor moved once");
	ASSERT_EQ(fx_count(fx->maps.half_open_nat), 1, "half_open_nat entries");
}

static void snat_ports_unique(struct fixture *fx)
{
	__u16 ports[16];
	struct khaxdp_flow f;
	int i, j;

	/* control2 alone takes new flows. */
	fx_set_backend(fx, 0, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_DISABLED);
	fx_set_backend(fx, 2, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_DISABLED);
	fx_sync_ring(fx, 0);
	for (i = 0; i < 16; i++) {
		/* Half the clients share a source port: only the SNAT port
		 * tells their replies apart. */
		if (!OPEN_FLOW(fx, CLIENT_N(i + 1), i < 8 ? 40000 : 40000 + i,
			       XDP_TX, &f))
			return;
		ports[i] = snat_of(&f);
		ASSERT_EQ(f.backend_id, 1, "backend");
		ASSERT_GE(ports[i], SNAT_MIN, "snat_port");
		ASSERT_LE(ports[i], SNAT_MAX, "snat_port");
		check_nat_entry(fx, false, CTRL2_IP, ports[i], 1, CLIENT_N(i + 1),
				i < 8 ? 40000 : 40000 + i);
		for (j = 0; j < i; j++)
			ASSERT_NEQ(ports[i], ports[j], "snat_port reused");
	}
	ASSERT_EQ(fx_count(fx->maps.half_open_nat), 16, "half_open_nat entries");
	fx_set_backend(fx, 0, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
	fx_set_backend(fx, 2, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
	fx_sync_ring(fx, 0);
}

/* A SYN built by `s` goes to control2 and comes out as `exp` says. */
static void syn_nat_exact(struct fixture *fx, struct tcp_spec *s,
			  const char *name)
{
	struct khaxdp_flow f;
	struct pkt in, exp;
	struct run r;

	fx_set_cursor(fx, 0, 1);
	pkt_tcp4(&in, s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, name);
	if (!ASSERT_OK(fx_half_open(fx, s->saddr, s->sport, &f), "half-open flow"))
		return;
	ASSERT_EQ(f.backend_id, 1, "backend");
	nat_expected(&exp, s, MAC_ENS33, MAC_CTRL2, CTRL2_IP, snat_of(&f));
	ASSERT_FRAME(&r, &exp, name);
}

static void ip_options(struct fixture *fx)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 40003, TCP_SYN);
	struct khaxdp_backend_stats bs;

	s.ip_opt_len = 4;	/* IHL 6: NOP NOP NOP EOL */
	syn_nat_exact(fx, &s, "SYN with IP options");
	fx_backend_stats(fx, 1, &bs);
	ASSERT_EQ(bs.bytes_in, 24 + 24, "bytes_in counts the whole datagram");

	s.sport = 40004;
	s.ip_opt_len = 40;	/* IHL 15, the most there is */
	syn_nat_exact(fx, &s, "SYN with 40 bytes of IP options");
}

static void eth_padding(struct fixture *fx)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 40005, TCP_SYN);
	struct khaxdp_flow f;
	struct pkt in, exp;
	struct run r;

	/* 58-byte SYN padded to 64 with 0xaa: the padding is no part of
	 * the TCP segment nor its checksum, and stays as it was. */
	s.pad_to = 64;
	syn_nat_exact(fx, &s, "padded SYN");

	/* 54-byte ACK padded to the 60-byte minimum frame. */
	fx_set_cursor(fx, 0, 1);
	if (!ESTABLISH(fx, CLIENT_IP, 40015, &f))
		return;
	s = client_spec(CLIENT_IP, 40015, TCP_ACK);
	s.pad_to = 60;
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "padded ACK");
	nat_expected(&exp, &s, MAC_ENS33, MAC_CTRL2, CTRL2_IP, snat_of(&f));
	ASSERT_FRAME(&r, &exp, "padded ACK");
}

static void no_neighbour(struct fixture *fx)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 40006, TCP_SYN);
	struct khaxdp_flow f;
	struct pkt in, exp;
	struct run r;

	if (!ASSERT_OK(lab_ip("neigh del 192.168.218.172 dev ens33"),
		       "delete the neighbour"))
		return;
	fx_set_cursor(fx, 0, 1);
	pkt_tcp4(&in, &s);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run")) {
		ASSERT_VERDICT(&r, XDP_PASS, "SYN, neighbour unresolved");
		ASSERT_UNTOUCHED(&r, &in, "SYN, neighbour unresolved");
		ASSERT_STAT(fx, NO_NEIGH, 1);
		ASSERT_STAT(fx, FWD_TX, 0);
	}
	lab_ip("neigh replace 192.168.218.172 lladdr 02:00:00:00:00:72 "
	       "dev ens33 nud permanent");

	/* The client retransmits once the neighbour is known. */
	fx_set_cursor(fx, 0, 1);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "retransmitted SYN, neighbour resolved");
	if (!ASSERT_OK(fx_half_open(fx, CLIENT_IP, 40006, &f), "half-open flow"))
		return;
	ASSERT_EQ(f.backend_id, 1, "backend");
	nat_expected(&exp, &s, MAC_ENS33, MAC_CTRL2, CTRL2_IP, snat_of(&f));
	ASSERT_FRAME(&r, &exp, "retransmitted SYN");
}

/*
 * An established flow whose neighbour went away: once the data plane's
 * cached next hop (if it keeps one) is older than KHAXDP_NEXTHOP_TTL_S,
 * the packet goes up the stack unmodified, counted as NO_NEIGH.
 */
static void neighbour_lost(struct fixture *fx)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 40009, TCP_ACK);
	struct khaxdp_nexthop hop;
	struct khaxdp_flow f;
	struct pkt in;
	struct run r;
	__u32 id = 1;

	fx_set_cursor(fx, 0, 1);
	if (!ESTABLISH(fx, CLIENT_IP, 40009, &f))
		return;
	if (!ASSERT_OK(lab_ip("neigh del 192.168.218.172 dev ens33"),
		       "delete the neighbour"))
		return;
	if (bpf_map_lookup_elem(fx->maps.nexthops, &id, &hop) == 0) {
		hop.checked_ns -= (KHAXDP_NEXTHOP_TTL_S + 1) * 1000000000ULL;
		bpf_map_update_elem(fx->maps.nexthops, &id, &hop, BPF_ANY);
	}
	pkt_tcp4(&in, &s);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run")) {
		ASSERT_VERDICT(&r, XDP_PASS, "ACK, neighbour gone");
		ASSERT_UNTOUCHED(&r, &in, "ACK, neighbour gone");
		ASSERT_STAT(fx, NO_NEIGH, 1);
	}
	lab_ip("neigh replace 192.168.218.172 lladdr 02:00:00:00:00:72 "
	       "dev ens33 nud permanent");
}

/* A service whose only backend is `addr`:6443 (backend id 3). */
static int lone_backend(struct fixture *fx, __be32 addr)
{
	int err = 0;

	err |= fx_add_service(fx, 0, VIP_IP, VIP_PORT, SVC_TIMEOUT_S,
			      "apiserver");
	err |= fx_add_backend(fx, 3, 0, "far", addr, API_PORT, false);
	err |= fx_sync_ring(fx, 0);
	return err;
}

static void redirect(void)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 40007, TCP_SYN);
	struct khaxdp_flow f;
	struct fixture fx;
	struct pkt in, exp;
	struct run r;

	if (fx_init(&fx, NULL) || !ASSERT_OK(lone_backend(&fx, FAR_IP), "setup"))
		goto out;
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(&fx, &in, &r), "test_run"))
		goto out;
	ASSERT_VERDICT(&r, XDP_REDIRECT, "SYN to a backend behind ens34");
	if (!ASSERT_OK(fx_half_open(&fx, CLIENT_IP, 40007, &f), "half-open flow"))
		goto out;
	ASSERT_EQ(f.backend_id, 3, "backend");
	nat_expected(&exp, &s, MAC_ENS34, MAC_FAR, FAR_IP, snat_of(&f));
	ASSERT_FRAME(&r, &exp, "redirected SYN");
	ASSERT_STATS_ONLY(&fx, KHAXDP_STAT_RX, KHAXDP_STAT_FLOW_NEW,
			  KHAXDP_STAT_FWD_REDIRECT);

	if (!ESTABLISH(&fx, CLIENT_IP, 40017, &f))
		goto out;
	s = client_spec(CLIENT_IP, 40017, TCP_ACK);
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(&fx, &in, &r), "test_run"))
		goto out;
	ASSERT_VERDICT(&r, XDP_REDIRECT, "ACK to a backend behind ens34");
	nat_expected(&exp, &s, MAC_ENS34, MAC_FAR, FAR_IP, snat_of(&f));
	ASSERT_FRAME(&r, &exp, "redirected ACK");
out:
	fx_fini(&fx);
}

static void no_route(void)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 40008, TCP_SYN);
	struct fixture fx;
	struct pkt in;
	struct run r;

	if (fx_init(&fx, NULL) ||
	    !ASSERT_OK(lone_backend(&fx, NOROUTE_IP), "setup"))
		goto out;
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(&fx, &in, &r), "test_run"))
		goto out;
	ASSERT_VERDICT(&r, XDP_PASS, "SYN, no route to the backend");
	ASSERT_UNTOUCHED(&r, &in, "SYN, no route to the backend");
	ASSERT_STAT(&fx, FIB_FAIL, 1);
	ASSERT_STAT(&fx, FWD_TX, 0);
	ASSERT_STAT(&fx, FWD_REDIRECT, 0);
out:
	fx_fini(&fx);
}

/* A router's duty (RFC 1812): the forwarded SYN leaves with one TTL less
 * and both checksums still right; one that would leave with TTL 0 is
 * dropped, counted, and opens no flow. The local backend keeps the TTL. */
static void ttl_decremented(struct fixture *fx)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 40050, TCP_SYN);
	struct khaxdp_flow f;
	struct pkt in, exp;
	struct run r;

	fx_set_cursor(fx, 0, 1);		/* next: control2 */
	s.ttl = 64;
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "verdict");
	if (!ASSERT_OK(fx_half_open(fx, CLIENT_IP, 40050, &f), "flow recorded"))
		return;
	nat_expected(&exp, &s, MAC_ENS33, MAC_CTRL2, CTRL2_IP, snat_of(&f));
	pkt_set_ttl(&exp, 63);
	ASSERT_MEMEQ(r.out, r.len, exp.data, exp.len, "SYN with TTL 63");
	ASSERT_CSUMS(r.out, r.len, "SYN with TTL 63");
}

static void ttl_1_dropped(struct fixture *fx)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 40051, TCP_SYN);
	struct khaxdp_flow f;
	struct pkt in;
	struct run r;

	fx_set_cursor(fx, 0, 1);		/* next: control2 */
	s.ttl = 1;
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_DROP, "verdict");
	ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, KHAXDP_STAT_TTL_EXCEEDED);
	ASSERT_ERR(fx_half_open(fx, CLIENT_IP, 40051, &f), "no flow");
	ASSERT_EQ(fx_count(fx->maps.half_open_nat), 0, "no NAT entry");

	/* To the local backend the packet is delivered, not forwarded. */
	fx_reset(fx);
	fx_set_cursor(fx, 0, 0);		/* next: control1 */
	s.sport = 40052;
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_PASS, "verdict, local backend");
	ASSERT_EQ(((const struct iphdr *)(r.out + ETH_HLEN_))->ttl, 1,
		  "TTL kept for the local backend");
}

/* Sends a data packet of client:cport's flow after its last_seen was set
 * back a second, so that the packet refreshes it. */
static int data_after_a_while(struct fixture *fx, __u16 cport, struct run *r)
{
	struct tcp_spec s = client_spec(CLIENT_IP, cport, TCP_ACK | TCP_PSH);
	struct khaxdp_flow f;
	int err = fx_flow(fx, CLIENT_IP, cport, &f);

	if (err)
		return err;
	f.last_seen_ns -= 1000000000ULL;
	err = fx_put_flow(fx, CLIENT_IP, cport, &f);
	return err ? err : send_tcp(fx, &s, r);
}

/* The nat table evicted a live flow's mapping: its next packet puts it
 * back, and the backend's replies find their way again. */
static void nat_restored(struct fixture *fx)
{
	struct khaxdp_flow_key rkey;
	struct khaxdp_flow f;
	struct run r;

	fx_set_cursor(fx, 0, 1);		/* next: control2 */
	if (!ESTABLISH(fx, CLIENT_IP, 40700, &f))
		return;
	rkey = flow_key(CTRL2_IP, NODE_IP, API_PORT, snat_of(&f));
	ASSERT_OK(bpf_map_delete_elem(fx->maps.nat, &rkey), "evict the mapping");
	if (!ASSERT_OK(data_after_a_while(fx, 40700, &r), "data"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "data still forwarded");
	ASSERT_STAT(fx, NAT_RESTORED, 1);
	check_nat_entry(fx, true, CTRL2_IP, snat_of(&f), 1, CLIENT_IP, 40700);
	if (ASSERT_OK(fx_flow(fx, CLIENT_IP, 40700, &f), "flow"))
		ASSERT_TRUE(f.flags & KHAXDP_FLOW_UNTRACKED,
			    "the backend's sequence numbers are lost with it");
}

/* Meanwhile another live flow took the tuple: this flow cannot get its
 * replies back any more. Its packet is dropped, it is closed, and the
 * other flow keeps the mapping. */
static void nat_lost(struct fixture *fx)
{
	struct khaxdp_flow_key other = flow_key(CLIENT_N(7), VIP_IP, 40711,
						VIP_PORT), rkey;
	struct khaxdp_nat entry = { .flow = other, .backend_id = 1 }, n;
	struct khaxdp_flow f, g;
	struct run r;

	fx_set_cursor(fx, 0, 1);
	if (!ESTABLISH(fx, CLIENT_IP, 40710, &f))
		return;
	g = f;					/* same backend and port */
	g.created_ns = g.last_seen_ns = now_coarse_ns();
	rkey = flow_key(CTRL2_IP, NODE_IP, API_PORT, snat_of(&f));
	if (!ASSERT_OK(bpf_map_update_elem(fx->maps.flows, &other, &g, BPF_ANY),
		       "the other flow") ||
	    !ASSERT_OK(bpf_map_update_elem(fx->maps.nat, &rkey, &entry, BPF_ANY),
		       "its mapping of the same tuple") ||
	    !ASSERT_OK(data_after_a_while(fx, 40710, &r), "data"))
		return;
	ASSERT_VERDICT(&r, XDP_DROP, "data of the flow that lost its tuple");
	ASSERT_STAT(fx, NAT_LOST, 1);
	if (ASSERT_OK(fx_flow(fx, CLIENT_IP, 40710, &f), "flow"))
		ASSERT_TRUE(f.flags & KHAXDP_FLOW_RST, "flow closed");
	if (ASSERT_OK(bpf_map_lookup_elem(fx->maps.nat, &rkey, &n), "mapping"))
		ASSERT_MEMEQ(&n.flow, sizeof(n.flow), &other, sizeof(other),
			     "the mapping still names the other flow");
}

/* control2 was taken down by the case: up again for the next ones. */
static void established_follows_flow_then_restore(struct fixture *fx)
{
	established_follows_flow(fx);
	fx_set_backend(fx, 1, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
	fx_sync_ring(fx, 0);
}

/* These two load their own fixture. */
static void redirect_case(struct fixture *fx)
{
	(void)fx;
	redirect();
}

static void no_route_case(struct fixture *fx)
{
	(void)fx;
	no_route();
}

static const struct fx_case cases[] = {
	{ "syn_to_remote_backend", syn_to_remote_backend },
	{ "established_follows_flow", established_follows_flow_then_restore },
	{ "syn_retransmit_keeps_backend", syn_retransmit },
	{ "snat_ports_unique", snat_ports_unique },
	{ "ip_options", ip_options },
	{ "eth_padding", eth_padding },
	{ "no_neighbour", no_neighbour },
	{ "neighbour_lost_established", neighbour_lost },
	{ "redirect", redirect_case },
	{ "no_route", no_route_case },
	{ "ttl_decremented", ttl_decremented },
	{ "ttl_1_dropped", ttl_1_dropped },
	{ "nat_restored", nat_restored },
	{ "nat_lost", nat_lost },
};

void test_nat_forward(void)
{
	FX_RUN_APISERVER(cases);
}
