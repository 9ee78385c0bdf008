// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Behaviour 5 (docs/design.md): when the chosen backend is this node, XDP
 * rewrites the destination to the local apiserver and passes the packet up;
 * the TC egress program rewrites the apiserver's replies to come from
 * VIP:7443.
 */
#include <fcntl.h>
#include <unistd.h>
#include <linux/pkt_cls.h>
#include <sys/socket.h>

#include "khaxdp_test.h"

static const char response[] = "HTTP/1.1 200 OK\r\n\r\nok";	/* odd */

/* What the local stack should receive for the client's `s`. */
static void to_local(struct pkt *exp, const struct tcp_spec *s)
{
	struct tcp_spec e = *s;

	e.daddr = NODE_IP;
	e.dport = API_PORT;
	pkt_tcp4(exp, &e);
}

/* The local apiserver's packet to the client, as the stack sends it. */
static struct tcp_spec from_apiserver(__u16 cport, __u8 flags)
{
	struct tcp_spec s = {
		.smac = MAC_ENS33,
		.dmac = MAC_CLIENT,
		.saddr = NODE_IP,
		.daddr = CLIENT_IP,
		.sport = API_PORT,
		.dport = cport,
		.flags = flags,
		.seq = 7000,
		.ack = 1001,
	};

	return s;
}

static void syn_to_local(struct fixture *fx)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 40200, TCP_SYN);
	struct khaxdp_flow_key want = flow_key(CLIENT_IP, VIP_IP, 40200,
					       VIP_PORT);
	struct khaxdp_flow f;
	struct khaxdp_nat n;
	struct pkt in, exp;
	struct run r;

	fx_set_cursor(fx, 0, 0);		/* next: control1, this node */
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_PASS, "SYN to the local backend");
	to_local(&exp, &s);
	ASSERT_FRAME(&r, &exp, "SYN to the local apiserver");
	if (ASSERT_OK(fx_half_open(fx, CLIENT_IP, 40200, &f), "half-open flow")) {
		ASSERT_EQ(f.backend_id, 0, "flow backend_id");
		ASSERT_EQ(f.flags & KHAXDP_FLOW_LOCAL, KHAXDP_FLOW_LOCAL,
			  "flow flags LOCAL");
		ASSERT_EQ(f.snat_port, 0, "flow snat_port");
	}
	if (ASSERT_OK(fx_half_open_nat(fx, NODE_IP, CLIENT_IP, API_PORT, 40200,
				       &n),
		      "half_open_nat entry {apiserver -> client}")) {
		ASSERT_MEMEQ(&n.flow, sizeof(n.flow), &want, sizeof(want),
			     "nat entry's forward key");
		ASSERT_EQ(n.backend_id, 0, "nat entry's backend_id");
	}
	ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, KHAXDP_STAT_FLOW_NEW,
			  KHAXDP_STAT_FWD_LOCAL);
}

static void data_to_local(struct fixture *fx)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 40201, TCP_ACK | TCP_PSH);
	struct khaxdp_flow f;
	struct pkt in, exp;
	struct run r;

	fx_set_cursor(fx, 0, 0);
	if (!ESTABLISH(fx, CLIENT_IP, 40201, &f))
		return;
	/* Backend 0 marked down since: the flow stays. */
	fx_set_backend(fx, 0, KHAXDP_HEALTH_DOWN, KHAXDP_ADMIN_ENABLED);
	fx_sync_ring(fx, 0);
	s.payload = "GET /readyz";
	s.payload_len = 11;
	pkt_tcp4(&in, &s);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run")) {
		ASSERT_VERDICT(&r, XDP_PASS, "data to the local backend");
		to_local(&exp, &s);
		ASSERT_FRAME(&r, &exp, "data to the local apiserver");
		ASSERT_STAT(fx, FWD_LOCAL, 3);	/* SYN, ACK, data */
	}
	fx_set_backend(fx, 0, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
	fx_sync_ring(fx, 0);
}

static void tc_rewrites_reply(struct fixture *fx)
{
	struct khaxdp_flow f;
	struct tcp_spec s, e;
	struct pkt in, exp;
	struct run r;

	fx_set_cursor(fx, 0, 0);
	if (!OPEN_FLOW(fx, CLIENT_IP, 40202, XDP_PASS, &f))
		return;

	s = from_apiserver(40202, TCP_SYN | TCP_ACK);
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_tc(fx, &in, &r), "tc test_run"))
		return;
	ASSERT_EQ(r.retval, TC_ACT_OK, "TC verdict");
	e = s;
	e.saddr = VIP_IP;
	e.sport = VIP_PORT;
	pkt_tcp4(&exp, &e);
	ASSERT_FRAME(&r, &exp, "SYN-ACK as from VIP:7443");

	s = from_apiserver(40202, TCP_ACK | TCP_PSH);
	s.payload = response;
	s.payload_len = sizeof(response) - 1;
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_tc(fx, &in, &r), "tc test_run"))
		return;
	ASSERT_EQ(r.retval, TC_ACT_OK, "TC verdict");
	e = s;
	e.saddr = VIP_IP;
	e.sport = VIP_PORT;
	pkt_tcp4(&exp, &e);
	ASSERT_FRAME(&r, &exp, "data as from VIP:7443");
	ASSERT_STAT(fx, TC_REPLY, 2);
}

static void tc_expect_untouched(struct fixture *fx, const struct pkt *in,
				const char *name)
{
	struct run r;

	if (!ASSERT_OK(run_tc(fx, in, &r), "tc test_run"))
		return;
	ASSERT_EQ(r.retval, TC_ACT_OK, name);
	ASSERT_UNTOUCHED(&r, in, name);
}

static void tc_leaves_others(struct fixture *fx)
{
	struct khaxdp_flow f;
	struct tcp_spec s;
	struct pkt in;

	fx_set_cursor(fx, 0, 0);
	if (!OPEN_FLOW(fx, CLIENT_IP, 40203, XDP_PASS, &f))
		return;

	s = from_apiserver(40203, TCP_ACK);
	s.sport = 22;
	pkt_tcp4(&in, &s);
	tc_expect_untouched(fx, &in, "SSH from this node to the client");

	s = from_apiserver(40299, TCP_ACK);
	pkt_tcp4(&in, &s);
	tc_expect_untouched(fx, &in, "apiserver to a client not via the VIP");

	s = from_apiserver(40203, TCP_ACK);
	s.daddr = CTRL2_IP;
	s.dmac = MAC_CTRL2;
	pkt_tcp4(&in, &s);
	tc_expect_untouched(fx, &in, "apiserver to control2, same ports");

	memset(&in, 0, sizeof(in));
	memcpy(in.data, MAC_CLIENT, 6);
	memcpy(in.data + 6, MAC_ENS33, 6);
	in.data[12] = 0x08;
	in.data[13] = 0x06;
	in.len = 42;
	tc_expect_untouched(fx, &in, "ARP");

	ASSERT_STAT(fx, TC_REPLY, 0);
}

/* What the node sends that is not a whole TCP segment: fragments are
 * normal traffic and pass uncounted; headers that lie pass and count as
 * TC_BAD (the class of their reason is "malformed"). */
static void tc_counts_only_malformed(struct fixture *fx)
{
	struct tcp_spec s = from_apiserver(40204, TCP_ACK);
	struct pkt in;

	pkt_tcp4(&in, &s);
	pkt_ip(&in)->frag_off = htons(0x2000);		/* MF */
	pkt_ip(&in)->check = ip4_csum(pkt_ip(&in));
	tc_expect_untouched(fx, &in, "first fragment of a datagram");
	pkt_ip(&in)->frag_off = htons(185);		/* 1480 bytes in */
	pkt_ip(&in)->check = ip4_csum(pkt_ip(&in));
	tc_expect_untouched(fx, &in, "later fragment");
	ASSERT_STAT(fx, TC_BAD, 0);

	pkt_tcp4(&in, &s);
	pkt_tcp(&in)->doff = 4;
	tc_expect_untouched(fx, &in, "TCP data offset 4");
	ASSERT_STAT(fx, TC_BAD, 1);
	ASSERT_STAT(fx, TC_REPLY, 0);
}

/* A connection of this node's own from NODE_IP:6443 to the client's port
 * (a direct connection to the apiserver, here left in SYN_SENT): the fd. */
static int own_connection(__u16 cport)
{
	struct sockaddr_in local = { .sin_family = AF_INET,
				     .sin_addr.s_addr = NODE_IP,
				     .sin_port = htons(API_PORT) };
	struct sockaddr_in peer = { .sin_family = AF_INET,
				    .sin_addr.s_addr = CLIENT_IP,
				    .sin_port = htons(cport) };
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);

	if (!ASSERT_GE(fd, 0, "socket"))
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (!ASSERT_OK(bind(fd, (struct sockaddr *)&local, sizeof(local)),
		       "bind 192.168.218.171:6443") ||
	    !ASSERT_TRUE(connect(fd, (struct sockaddr *)&peer, sizeof(peer)) &&
			 errno == EINPROGRESS, "connect in progress")) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A spoofed SYN claiming the client's port of a connection the node
 * already has with it must not make TC rewrite that connection's packets
 * into VIP:7443: it is dropped and counted. Another port goes through. */
static void syn_on_own_connection(struct fixture *fx)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 40230, TCP_SYN);
	struct khaxdp_flow f;
	struct khaxdp_nat n;
	struct pkt in;
	struct run r;
	int fd = own_connection(40230);

	if (fd < 0)
		return;
	fx_set_cursor(fx, 0, 0);		/* next: control1, this node */
	pkt_tcp4(&in, &s);
	if (ASSERT_OK(run_xdp(fx, &in, &r), "test_run")) {
		ASSERT_VERDICT(&r, XDP_DROP, "SYN on the node's own connection");
		ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX,
				  KHAXDP_STAT_LOCAL_TUPLE_BUSY);
		ASSERT_ERR(fx_flow(fx, CLIENT_IP, 40230, &f), "no flow");
		ASSERT_ERR(fx_nat(fx, NODE_IP, CLIENT_IP, API_PORT, 40230, &n),
			   "no reply mapping for TC");
	}
	close(fd);
	fx_set_cursor(fx, 0, 0);
	ASSERT_TRUE(OPEN_FLOW(fx, CLIENT_IP, 40231, XDP_PASS, &f),
		    "a SYN from another port opens its flow");
}

/* The reply mapping of a live flow is never overwritten by another's. */
static void local_entry_kept(struct fixture *fx)
{
	struct khaxdp_flow_key other = flow_key(CLIENT_IP, IP4(192, 168, 218, 190),
						40240, VIP_PORT);
	struct khaxdp_flow live = { .backend_id = 0, .timeout_s = SVC_TIMEOUT_S,
				    .flags = KHAXDP_FLOW_LOCAL };
	struct khaxdp_nat entry = { .flow = other, .backend_id = 0 }, n;
	struct khaxdp_flow_key rkey = flow_key(NODE_IP, CLIENT_IP, API_PORT, 40240);
	struct khaxdp_flow f;
	struct pkt in;
	struct run r;
	struct tcp_spec s = client_spec(CLIENT_IP, 40240, TCP_SYN);

	live.created_ns = live.last_seen_ns = now_coarse_ns();
	if (!ASSERT_OK(bpf_map_update_elem(fx->maps.flows, &other, &live, BPF_ANY),
		       "a live local flow to another VIP") ||
	    !ASSERT_OK(bpf_map_update_elem(fx->maps.nat, &rkey, &entry, BPF_ANY),
		       "its reply mapping"))
		return;
	fx_set_cursor(fx, 0, 0);
	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_DROP, "SYN whose reply tuple is taken");
	ASSERT_STAT(fx, LOCAL_TUPLE_BUSY, 1);
	ASSERT_ERR(fx_flow(fx, CLIENT_IP, 40240, &f), "no flow");
	if (ASSERT_OK(bpf_map_lookup_elem(fx->maps.nat, &rkey, &n), "mapping"))
		ASSERT_MEMEQ(&n.flow, sizeof(n.flow), &other, sizeof(other),
			     "the mapping still names the live flow");
}

/* A client port is used again after its flow closed (FIN both ways): the
 * new SYN opens a new flow and takes the reply mapping over. */
static void local_reopen_after_close(struct fixture *fx)
{
	struct khaxdp_flow f;
	struct khaxdp_nat n;

	fx_set_cursor(fx, 0, 0);
	if (!ESTABLISH(fx, CLIENT_IP, 40250, &f))
		return;
	f.flags |= KHAXDP_FLOW_FIN_FWD | KHAXDP_FLOW_FIN_REV;
	ASSERT_OK(fx_put_flow(fx, CLIENT_IP, 40250, &f), "close the flow");
	fx_set_cursor(fx, 0, 0);
	if (!OPEN_FLOW(fx, CLIENT_IP, 40250, XDP_PASS, &f))
		return;
	ASSERT_EQ(f.flags & (KHAXDP_FLOW_FIN_FWD | KHAXDP_FLOW_FIN_REV), 0,
		  "a new flow, not the closed one");
	ASSERT_STAT(fx, FLOW_NEW, 2);
	ASSERT_STAT(fx, LOCAL_TUPLE_BUSY, 0);
	ASSERT_OK(fx_half_open_nat(fx, NODE_IP, CLIENT_IP, API_PORT, 40250, &n),
		  "the new flow's reply mapping");
}

static const struct fx_case cases[] = {
	{ "syn_to_local", syn_to_local },
	{ "data_follows_local_flow", data_to_local },
	{ "tc_rewrites_reply", tc_rewrites_reply },
	{ "tc_leaves_others", tc_leaves_others },
	{ "tc_counts_only_malformed", tc_counts_only_malformed },
	{ "syn_on_own_connection", syn_on_own_connection },
	{ "local_entry_kept", local_entry_kept },
	{ "local_reopen_after_close", local_reopen_after_close },
};

void test_local_backend(void)
{
	FX_RUN_APISERVER(cases);
}
