// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The snapshot (loader/snapshot.h) that `khaxdp status`, `khaxdp stats` and
 * the agent's page render says what the maps hold: each backend's counters
 * summed over the CPUs, its live flows (expired ones not counted), whether
 * its service's live ring holds it, and the flow table's size, also when
 * the table takes several batches to walk.
 */
#include "loader/snapshot.h"
#include "loader/util.h"
#include "khaxdp_test.h"

static const struct kx_backend_view *backend(const struct kx_snapshot *s,
					     const char *name)
{
	for (unsigned int i = 0; i < s->n_backends; i++)
		if (!strcmp(s->backends[i].name, name))
			return &s->backends[i];
	return NULL;
}

static bool take(struct fixture *fx, struct kx_snapshot *s)
{
	int err = kx_snapshot_read(&fx->maps, 0, s);

	if (err)
		printf("    kx_snapshot_read: %s\n", kx_last_error());
	return ASSERT_OK(err, "kx_snapshot_read");
}

/* Three connections, one per backend, and a SYN left half-open; then
 * control2's flow goes idle past its timeout and control3 is disabled. */
static void backends_and_flows(struct fixture *fx)
{
	static struct kx_snapshot s;
	const struct kx_backend_view *b[3];
	static const char *const names[] = { "control1", "control2", "control3" };
	struct khaxdp_flow f;

	fx_set_cursor(fx, 0, 0);
	if (!ESTABLISH(fx, CLIENT_IP, 41001, &f) ||
	    !ESTABLISH(fx, CLIENT_IP, 41002, &f) ||
	    !ESTABLISH(fx, CLIENT_IP, 41003, &f) ||
	    !OPEN_FLOW(fx, CLIENT_IP, 41004, XDP_PASS, &f))
		return;
	if (!take(fx, &s))
		return;
	ASSERT_EQ(s.n_services, 1, "services");
	ASSERT_STREQ(s.services[0].name, "apiserver", "service name");
	ASSERT_STREQ(s.services[0].listen, "192.168.218.189:7443", "listen");
	ASSERT_EQ(s.services[0].ring.count, 3, "live ring");
	ASSERT_EQ(s.n_backends, 3, "backends");
	ASSERT_EQ(s.flows, 3, "flows");
	ASSERT_EQ(s.half_open, 1, "half-open flows");
	ASSERT_EQ(s.max_half_open, KHAXDP_DEFAULT_MAX_HALF_OPEN, "half-open table size");
	ASSERT_EQ(s.counters[KHAXDP_STAT_FLOW_NEW], 4, "FLOW_NEW summed");
	ASSERT_EQ(s.counters[KHAXDP_STAT_FLOW_CONFIRMED], 3,
		  "FLOW_CONFIRMED summed");
	ASSERT_STREQ(s.node_address, "192.168.218.171", "node address");
	for (int i = 0; i < 3; i++) {
		b[i] = backend(&s, names[i]);
		if (!ASSERT_OK_PTR(b[i], names[i]))
			return;
		ASSERT_EQ(b[i]->active_flows, 1, "active flows");
		ASSERT_EQ(b[i]->counters.flows_opened, 1, "flows opened");
		ASSERT_EQ(b[i]->counters.packets_in, i ? 2 : 3,
			  "packets in (SYN and ACK; control1 also the half-open SYN)");
		ASSERT_TRUE(b[i]->in_ring, "in the ring");
		ASSERT_STREQ(kx_backend_status(b[i]->health, b[i]->admin), "UP",
			     "status");
	}
	ASSERT_TRUE(b[0]->local, "control1 is local");
	ASSERT_STREQ(b[1]->address, "192.168.218.172:6443", "control2's address");

	if (!ASSERT_OK(fx_flow(fx, CLIENT_IP, 41002, &f), "control2's flow"))
		return;
	f.last_seen_ns -= (SVC_TIMEOUT_S + 1) * 1000000000ULL;
	ASSERT_OK(fx_put_flow(fx, CLIENT_IP, 41002, &f), "age the flow");
	ASSERT_OK(fx_set_backend(fx, 2, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_DISABLED),
		  "disable control3");
	ASSERT_OK(fx_sync_ring(fx, 0), "publish the ring");
	if (!take(fx, &s))
		return;
	for (int i = 0; i < 3; i++)
		if (!ASSERT_OK_PTR(b[i] = backend(&s, names[i]), names[i]))
			return;
	ASSERT_EQ(s.flows, 3, "flows (the expired one is still an entry)");
	ASSERT_EQ(b[1]->active_flows, 0, "control2's active flows once expired");
	ASSERT_EQ(b[2]->active_flows, 1, "control3 keeps its flow when disabled");
	ASSERT_FALSE(b[2]->in_ring, "control3 out of the ring");
	ASSERT_EQ(s.services[0].ring.count, 2, "live ring");
	ASSERT_STREQ(kx_backend_status(b[2]->health, b[2]->admin), "MAINT",
		     "control3's status");
}

/* More flows than one batch of the walk holds. */
static void many_flows(struct fixture *fx)
{
	static struct kx_snapshot s;
	struct khaxdp_flow f = { .backend_id = 1, .timeout_s = SVC_TIMEOUT_S };
	const struct kx_backend_view *b1, *b2;
	unsigned int n = 1000, bad = 0;

	f.created_ns = f.last_seen_ns = now_coarse_ns();
	for (unsigned int i = 0; i < n; i++) {
		struct khaxdp_flow_key k = flow_key(CLIENT_N(i), VIP_IP,
						    42000, VIP_PORT);

		bad += !!bpf_map_update_elem(fx->maps.flows, &k, &f, BPF_ANY);
	}
	ASSERT_EQ(bad, 0, "flows written");
	if (!take(fx, &s))
		return;
	ASSERT_EQ(s.flows, n, "flows walked");
	b1 = backend(&s, "control1");
	b2 = backend(&s, "control2");
	if (ASSERT_OK_PTR(b1, "control1") && ASSERT_OK_PTR(b2, "control2")) {
		ASSERT_EQ(b2->active_flows, n, "control2's active flows");
		ASSERT_EQ(b1->active_flows, 0, "control1's active flows");
	}
}

static const struct fx_case cases[] = {
	{ "backends_and_flows", backends_and_flows },
	{ "many_flows", many_flows },
};

void test_snapshot(void)
{
	FX_RUN_APISERVER(cases);
}
