// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Behaviour 10 (docs/design.md), in space: when the flow table is full,
 * confirming a flow evicts the least recently used one.
 *
 * The kernel's LRU hash evicts approximately: per-CPU free lists, and a
 * reference bit set by lookups from BPF. Everything runs on one CPU here,
 * and the test only relies on what any LRU must give: the flows used
 * lately survive, the new ones are in, the table never exceeds its size,
 * and what was evicted was among the flows left idle.
 */
#include <sched.h>

#include "khaxdp_test.h"

#define MAX_FLOWS	16
#define NEW_FLOWS	4

static int pin_to_cpu0(cpu_set_t *old)
{
	cpu_set_t one;

	if (sched_getaffinity(0, sizeof(*old), old))
		return -1;
	CPU_ZERO(&one);
	CPU_SET(0, &one);
	return sched_setaffinity(0, sizeof(one), &one);
}

static void lru_evicts_idle(struct fixture *fx)
{
	struct khaxdp_flow f;
	int i, present, evicted = 0;
	struct run r;

	/* control2 alone, so that every flow is NATed the same way. */
	fx_set_backend(fx, 0, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_DISABLED);
	fx_set_backend(fx, 2, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_DISABLED);
	fx_sync_ring(fx, 0);

	for (i = 1; i <= MAX_FLOWS; i++)
		if (!ESTABLISH(fx, CLIENT_N(i), 45000, &f))
			return;
	ASSERT_EQ(fx_count(fx->maps.flows), MAX_FLOWS, "flows when full");

	/* The second half stays busy. */
	for (i = MAX_FLOWS / 2 + 1; i <= MAX_FLOWS; i++) {
		struct tcp_spec s = client_spec(CLIENT_N(i), 45000, TCP_ACK);

		if (ASSERT_OK(send_tcp(fx, &s, &r), "test_run"))
			ASSERT_VERDICT(&r, XDP_TX, "busy flow's ACK");
	}

	for (i = MAX_FLOWS + 1; i <= MAX_FLOWS + NEW_FLOWS; i++)
		ESTABLISH(fx, CLIENT_N(i), 45000, &f);

	ASSERT_LE(fx_count(fx->maps.flows), MAX_FLOWS, "flows after 4 more");
	for (i = MAX_FLOWS + 1; i <= MAX_FLOWS + NEW_FLOWS; i++)
		ASSERT_OK(fx_flow(fx, CLIENT_N(i), 45000, &f), "new flow kept");
	for (i = MAX_FLOWS / 2 + 1; i <= MAX_FLOWS; i++)
		ASSERT_OK(fx_flow(fx, CLIENT_N(i), 45000, &f), "busy flow kept");
	for (i = 1; i <= MAX_FLOWS / 2; i++) {
		present = fx_flow(fx, CLIENT_N(i), 45000, &f) == 0;
		TLOG("idle flow %d: %s", i, present ? "kept" : "evicted");
		evicted += !present;
	}
	ASSERT_GE(evicted, NEW_FLOWS, "idle flows evicted");

	/* An evicted flow's next packet is a packet without a flow. */
	for (i = 1; i <= MAX_FLOWS / 2; i++) {
		struct tcp_spec s = client_spec(CLIENT_N(i), 45000, TCP_ACK);

		if (fx_flow(fx, CLIENT_N(i), 45000, &f) == 0)
			continue;
		if (ASSERT_OK(send_tcp(fx, &s, &r), "test_run"))
			ASSERT_VERDICT(&r, XDP_PASS, "evicted flow's ACK");
		ASSERT_STAT(fx, NO_FLOW, 1);
		break;
	}
}

void test_lru(void)
{
	struct fixture_opts opts = { .max_flows = MAX_FLOWS };
	struct fixture fx;
	cpu_set_t cpus;

	if (!test__start_subtest("evicts_idle_flows"))
		return;
	if (!ASSERT_OK(pin_to_cpu0(&cpus), "pin to CPU 0"))
		return;
	if (fx_init(&fx, &opts) == 0 && fx_apiserver(&fx) == 0)
		lru_evicts_idle(&fx);
	fx_fini(&fx);
	sched_setaffinity(0, sizeof(cpus), &cpus);
}
