// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Behaviour 10 (docs/design.md), in time: a flow idle longer than its
 * service's timeout is gone; one that saw FIN from both sides, or a RST, is
 * gone after KHAXDP_CLOSED_TIMEOUT_S. Time passes by rewriting last_seen_ns.
 */
#include "khaxdp_test.h"

#define SEC_NS	1000000000ULL

/* Makes the client's flow look idle for `secs` seconds. */
static bool age_flow(struct fixture *fx, __u16 cport, __u64 secs)
{
	struct khaxdp_flow f;

	if (!ASSERT_OK(fx_flow(fx, CLIENT_IP, cport, &f), "flow to age"))
		return false;
	f.last_seen_ns = now_ns() - secs * SEC_NS;
	return ASSERT_OK(fx_put_flow(fx, CLIENT_IP, cport, &f), "age the flow");
}

/* A confirmed flow from the client to control2. */
static bool open_to_ctrl2(struct fixture *fx, __u16 cport,
			  struct khaxdp_flow *f)
{
	fx_set_cursor(fx, 0, 1);
	return ESTABLISH(fx, CLIENT_IP, cport, f) &&
	       ASSERT_EQ(f->backend_id, 1, "backend");
}

static int client_sends(struct fixture *fx, __u16 cport, __u8 flags,
			struct run *r)
{
	struct tcp_spec s = client_spec(CLIENT_IP, cport, flags);

	return send_tcp(fx, &s, r);
}

static int ctrl2_sends(struct fixture *fx, const struct khaxdp_flow *f,
		       __u8 flags, struct run *r)
{
	struct tcp_spec s = {
		.smac = MAC_CTRL2,
		.dmac = MAC_ENS33,
		.saddr = CTRL2_IP,
		.daddr = NODE_IP,
		.sport = API_PORT,
		.dport = ntohs(f->snat_port),
		.flags = flags,
		.seq = SERVER_ISN + 1,
		.ack = CLIENT_ISN + 1,
	};

	return send_tcp(fx, &s, r);
}

static void expect_gone(struct fixture *fx, __u16 cport, const char *name)
{
	struct tcp_spec s = client_spec(CLIENT_IP, cport, TCP_ACK);
	struct pkt in;
	struct run r;

	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_PASS, name);
	ASSERT_UNTOUCHED(&r, &in, name);
	ASSERT_STAT(fx, NO_FLOW, 1);
}

static void expect_alive(struct fixture *fx, __u16 cport, const char *name)
{
	struct run r;

	if (ASSERT_OK(client_sends(fx, cport, TCP_ACK, &r), "test_run"))
		ASSERT_VERDICT(&r, XDP_TX, name);
}

static void idle(struct fixture *fx)
{
	struct khaxdp_flow f;

	if (!open_to_ctrl2(fx, 44000, &f) ||
	    !age_flow(fx, 44000, SVC_TIMEOUT_S + 5))
		return;
	expect_gone(fx, 44000, "ACK after 30m05s idle");
}

static void not_yet_idle(struct fixture *fx)
{
	struct khaxdp_flow f;

	if (!open_to_ctrl2(fx, 44001, &f) ||
	    !age_flow(fx, 44001, SVC_TIMEOUT_S - 5))
		return;
	expect_alive(fx, 44001, "ACK after 29m55s idle");
	ASSERT_STAT(fx, FLOW_EXPIRED, 0);
}

/*
 * Another CPU touched the flow after this one read the clock: last_seen_ns
 * is a little ahead of the `now` the packet is judged by. The flow is as
 * fresh as it gets and must live (an unsigned now - last_seen would make
 * it look idle for 584 years).
 */
static void last_seen_ahead(struct fixture *fx)
{
	struct khaxdp_flow f;
	struct run r;

	if (!open_to_ctrl2(fx, 44007, &f))
		return;
	f.last_seen_ns = now_coarse_ns() + 4 * 1000000ULL;	/* 1 tick at HZ=250 */
	if (!ASSERT_OK(fx_put_flow(fx, CLIENT_IP, 44007, &f), "touch the flow"))
		return;
	expect_alive(fx, 44007, "ACK judged with a clock a tick behind");
	ASSERT_STAT(fx, FLOW_EXPIRED, 0);
	ASSERT_STAT(fx, NO_FLOW, 0);

	if (!ASSERT_OK(fx_flow(fx, CLIENT_IP, 44007, &f), "flow"))
		return;
	f.last_seen_ns = now_coarse_ns() + 4 * 1000000ULL;
	ASSERT_OK(fx_put_flow(fx, CLIENT_IP, 44007, &f), "touch the flow");
	if (ASSERT_OK(ctrl2_sends(fx, &f, TCP_ACK, &r), "run"))
		ASSERT_VERDICT(&r, XDP_TX, "reply judged with a clock a tick behind");
}

static void idle_syn_opens_new_flow(struct fixture *fx)
{
	struct khaxdp_flow f;
	struct run r;

	if (!open_to_ctrl2(fx, 44002, &f) ||
	    !age_flow(fx, 44002, SVC_TIMEOUT_S + 5))
		return;
	/* The cursor now points at control3. */
	if (!ASSERT_OK(client_sends(fx, 44002, TCP_SYN, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_TX, "SYN reusing an expired flow's tuple");
	if (!ASSERT_OK(fx_half_open(fx, CLIENT_IP, 44002, &f), "new half-open flow"))
		return;
	ASSERT_EQ(f.backend_id, 2, "new flow's backend");
	ASSERT_GE(f.last_seen_ns, now_ns() - 5 * SEC_NS, "new flow's last_seen");
	ASSERT_GE(f.created_ns, now_ns() - 5 * SEC_NS, "new flow's created_ns");
	ASSERT_STAT(fx, FLOW_EXPIRED, 1);
	ASSERT_STAT(fx, FLOW_NEW, 2);
}

static void fin_both_sides(struct fixture *fx)
{
	struct khaxdp_flow f;
	struct run r;

	if (!open_to_ctrl2(fx, 44003, &f))
		return;
	if (ASSERT_OK(client_sends(fx, 44003, TCP_FIN | TCP_ACK, &r), "run"))
		ASSERT_VERDICT(&r, XDP_TX, "client's FIN");
	ASSERT_OK(fx_flow(fx, CLIENT_IP, 44003, &f), "flow");
	ASSERT_EQ(f.flags & (KHAXDP_FLOW_FIN_FWD | KHAXDP_FLOW_FIN_REV),
		  KHAXDP_FLOW_FIN_FWD, "flags after the client's FIN");

	if (ASSERT_OK(ctrl2_sends(fx, &f, TCP_FIN | TCP_ACK, &r), "run"))
		ASSERT_VERDICT(&r, XDP_TX, "control2's FIN");
	ASSERT_OK(fx_flow(fx, CLIENT_IP, 44003, &f), "flow");
	ASSERT_EQ(f.flags & (KHAXDP_FLOW_FIN_FWD | KHAXDP_FLOW_FIN_REV),
		  KHAXDP_FLOW_FIN_FWD | KHAXDP_FLOW_FIN_REV,
		  "flags after both FINs");

	/* The last ACK still goes through. */
	expect_alive(fx, 44003, "client's last ACK");
	if (!age_flow(fx, 44003, KHAXDP_CLOSED_TIMEOUT_S + 1))
		return;
	expect_gone(fx, 44003, "ACK 6 s after both FINs");
}

static void half_close_stays(struct fixture *fx)
{
	struct khaxdp_flow f;
	struct run r;

	if (!open_to_ctrl2(fx, 44004, &f))
		return;
	if (ASSERT_OK(client_sends(fx, 44004, TCP_FIN | TCP_ACK, &r), "run"))
		ASSERT_VERDICT(&r, XDP_TX, "client's FIN");
	if (!age_flow(fx, 44004, KHAXDP_CLOSED_TIMEOUT_S + 1))
		return;
	/* The backend may still be sending: the flow lives on. */
	if (ASSERT_OK(ctrl2_sends(fx, &f, TCP_ACK | TCP_PSH, &r), "run"))
		ASSERT_VERDICT(&r, XDP_TX, "control2's data after a half close");
	expect_alive(fx, 44004, "client's ACK after a half close");
}

static void rst_from(struct fixture *fx, bool client, __u16 cport)
{
	struct khaxdp_flow f;
	struct run r;

	if (!open_to_ctrl2(fx, cport, &f))
		return;
	if (client)
		ASSERT_OK(client_sends(fx, cport, TCP_RST | TCP_ACK, &r), "run");
	else
		ASSERT_OK(ctrl2_sends(fx, &f, TCP_RST | TCP_ACK, &r), "run");
	ASSERT_VERDICT(&r, XDP_TX, "RST is forwarded");
	if (!ASSERT_OK(fx_flow(fx, CLIENT_IP, cport, &f), "flow"))
		return;
	ASSERT_EQ(f.flags & KHAXDP_FLOW_RST, KHAXDP_FLOW_RST, "flags RST");
	if (!age_flow(fx, cport, KHAXDP_CLOSED_TIMEOUT_S + 1))
		return;
	expect_gone(fx, cport, "ACK 6 s after a RST");
}

static void rst_from_client(struct fixture *fx)
{
	rst_from(fx, true, 44005);
}

static void rst_from_backend(struct fixture *fx)
{
	rst_from(fx, false, 44006);
}

static const struct fx_case cases[] = {
	{ "idle_non_syn_no_flow", idle },
	{ "not_yet_idle", not_yet_idle },
	{ "last_seen_ahead_of_clock", last_seen_ahead },
	{ "idle_syn_opens_new_flow", idle_syn_opens_new_flow },
	{ "fin_both_sides", fin_both_sides },
	{ "half_close_stays", half_close_stays },
	{ "rst_from_client", rst_from_client },
	{ "rst_from_backend", rst_from_backend },
};

void test_expiry(void)
{
	FX_RUN_APISERVER(cases);
}
