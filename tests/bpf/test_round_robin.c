// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Behaviours 1 and 7 (docs/design.md): SYNs take the backends of the
 * service's ring in round-robin order, one cursor per service; a backend
 * that stopped being usable after its ring was written is skipped; with none
 * usable, the SYN passes untouched and is counted.
 */
#include "khaxdp_test.h"

/* Sends a SYN from a new client per entry and checks the backends drawn. */
static void expect_order(struct fixture *fx, const int *want, int n,
			 int first_client)
{
	const __be32 addr[] = { NODE_IP, CTRL2_IP, CTRL3_IP };
	struct khaxdp_flow f;
	int i;

	for (i = 0; i < n; i++) {
		int verdict = want[i] == 0 ? XDP_PASS : XDP_TX;
		char what[64];

		snprintf(what, sizeof(what), "SYN #%d: backend", i + 1);
		if (!OPEN_FLOW(fx, CLIENT_N(first_client + i), 42000, verdict,
			       &f))
			return;
		TLOG("SYN #%d -> backend %u (%s)", i + 1, f.backend_id,
		     want[i] < 3 ? inet_ntoa((struct in_addr){ addr[want[i]] })
				 : "?");
		ASSERT_EQ(f.backend_id, want[i], what);
	}
}

static void expect_no_backend(struct fixture *fx, const char *name)
{
	struct tcp_spec s = client_spec(CLIENT_N(99), 42000, TCP_SYN);
	struct khaxdp_flow f;
	struct pkt in;
	struct run r;

	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_PASS, name);
	ASSERT_UNTOUCHED(&r, &in, name);
	ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, KHAXDP_STAT_NO_BACKEND);
	ASSERT_EQ(fx_flow(fx, CLIENT_N(99), 42000, &f), -ENOENT, "no flow");
}

static void set_all(struct fixture *fx, __u8 health, __u8 admin)
{
	int id;

	for (id = 0; id < 3; id++)
		fx_set_backend(fx, id, health, admin);
}

void test_round_robin(void)
{
	struct fixture fx;

	if (fx_init(&fx, NULL) || fx_apiserver(&fx))
		goto out;

	if (test__start_subtest("in_ring_order")) {
		static const int want[] = { 0, 1, 2, 0, 1, 2 };

		fx_reset(&fx);
		expect_order(&fx, want, 6, 1);
		ASSERT_EQ(fx_cursor(&fx, 0), 6, "rr_cursor after 6 SYNs");
		ASSERT_STAT(&fx, FLOW_NEW, 6);
	}
	if (test__start_subtest("backend_down_ring_rebuilt")) {
		static const int want[] = { 0, 2, 0, 2, 0, 2 };

		fx_reset(&fx);
		fx_set_backend(&fx, 1, KHAXDP_HEALTH_DOWN, KHAXDP_ADMIN_ENABLED);
		fx_sync_ring(&fx, 0);
		expect_order(&fx, want, 6, 1);
	}
	if (test__start_subtest("backend_down_ring_stale")) {
		/* Health written, ring not yet: the SYN that draws control2
		 * takes the next entry, control3. */
		static const int want[] = { 0, 2, 2, 0, 2, 2 };

		fx_reset(&fx);
		set_all(&fx, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
		fx_sync_ring(&fx, 0);
		fx_set_backend(&fx, 1, KHAXDP_HEALTH_DOWN, KHAXDP_ADMIN_ENABLED);
		expect_order(&fx, want, 6, 1);
	}
	if (test__start_subtest("drain_and_disable_ring_stale")) {
		static const int want[] = { 2, 2, 2 };

		fx_reset(&fx);
		set_all(&fx, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
		fx_sync_ring(&fx, 0);
		fx_set_backend(&fx, 0, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_DRAIN);
		fx_set_backend(&fx, 1, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_DISABLED);
		expect_order(&fx, want, 3, 1);
	}
	if (test__start_subtest("no_backend_empty_ring")) {
		fx_reset(&fx);
		set_all(&fx, KHAXDP_HEALTH_DOWN, KHAXDP_ADMIN_ENABLED);
		fx_sync_ring(&fx, 0);
		expect_no_backend(&fx, "SYN, ring empty");
	}
	if (test__start_subtest("no_backend_all_down_ring_stale")) {
		fx_reset(&fx);
		set_all(&fx, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
		fx_sync_ring(&fx, 0);
		set_all(&fx, KHAXDP_HEALTH_DOWN, KHAXDP_ADMIN_ENABLED);
		expect_no_backend(&fx, "SYN, all backends down");
	}
	if (test__start_subtest("no_backend_all_disabled_ring_stale")) {
		fx_reset(&fx);
		set_all(&fx, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
		fx_sync_ring(&fx, 0);
		set_all(&fx, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_DISABLED);
		expect_no_backend(&fx, "SYN, all backends disabled");
	}
	if (test__start_subtest("cursor_per_service")) {
		/* A second VIP with its own backends and cursor. */
		struct khaxdp_flow f;

		fx_reset(&fx);
		set_all(&fx, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
		fx_sync_ring(&fx, 0);
		fx_add_service(&fx, 1, IP4(192, 168, 218, 190), VIP_PORT,
			       SVC_TIMEOUT_S, "other");
		fx_add_backend(&fx, 3, 1, "other-a", CTRL2_IP, 8443, false);
		fx_add_backend(&fx, 4, 1, "other-b", CTRL3_IP, 8443, false);
		fx_sync_ring(&fx, 1);
		OPEN_FLOW(&fx, CLIENT_N(1), 42000, XDP_PASS, &f);
		ASSERT_EQ(f.backend_id, 0, "service 0, first SYN");
		{
			struct tcp_spec s = client_spec(CLIENT_N(2), 42000,
							 TCP_SYN);
			struct khaxdp_flow_key k;
			struct run r;

			s.daddr = IP4(192, 168, 218, 190);
			ASSERT_OK(send_tcp(&fx, &s, &r), "test_run");
			ASSERT_VERDICT(&r, XDP_TX, "service 1, first SYN");
			k = flow_key(CLIENT_N(2), s.daddr, 42000, VIP_PORT);
			if (ASSERT_OK(bpf_map_lookup_elem(fx.maps.half_open, &k, &f),
				      "service 1 flow"))
				ASSERT_EQ(f.backend_id, 3, "service 1, first SYN");
		}
		OPEN_FLOW(&fx, CLIENT_N(3), 42000, XDP_TX, &f);
		ASSERT_EQ(f.backend_id, 1, "service 0, second SYN");
		ASSERT_EQ(fx_cursor(&fx, 0), 2, "service 0 cursor");
		ASSERT_EQ(fx_cursor(&fx, 1), 1, "service 1 cursor");
	}
out:
	fx_fini(&fx);
}
