// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Behaviour 10 (docs/design.md), NAT ports: a SNAT port is unique per
 * backend; when a backend's ports run out, the SYN is dropped and counted.
 */
#include "khaxdp_test.h"

#define PORT_MIN	50000
#define PORT_MAX	50001	/* two ports */

static void exhaust(struct fixture *fx)
{
	struct tcp_spec s = client_spec(CLIENT_N(3), 46000, TCP_SYN);
	struct khaxdp_flow f1, f2, f;
	struct pkt in;
	struct run r;

	/* control2 alone. */
	fx_set_backend(fx, 0, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_DISABLED);
	fx_set_backend(fx, 2, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_DISABLED);
	fx_sync_ring(fx, 0);

	if (!OPEN_FLOW(fx, CLIENT_N(1), 46000, XDP_TX, &f1) ||
	    !OPEN_FLOW(fx, CLIENT_N(2), 46000, XDP_TX, &f2))
		return;
	ASSERT_GE(ntohs(f1.snat_port), PORT_MIN, "first SNAT port");
	ASSERT_LE(ntohs(f1.snat_port), PORT_MAX, "first SNAT port");
	ASSERT_GE(ntohs(f2.snat_port), PORT_MIN, "second SNAT port");
	ASSERT_LE(ntohs(f2.snat_port), PORT_MAX, "second SNAT port");
	ASSERT_NEQ(f1.snat_port, f2.snat_port, "SNAT ports differ");

	pkt_tcp4(&in, &s);
	if (!ASSERT_OK(run_xdp(fx, &in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_DROP, "third SYN, no port left");
	ASSERT_STAT(fx, NAT_PORTS_FULL, 1);
	ASSERT_STAT(fx, FLOW_NEW, 2);
	/* A flow without a port would send its next packets un-NATed. */
	ASSERT_EQ(fx_flow(fx, CLIENT_N(3), 46000, &f), -ENOENT,
		  "no flow for the dropped SYN");
	ASSERT_EQ(fx_count(fx->maps.half_open_nat), 2, "half_open_nat entries");

	/* Ports are per backend: control3 still has both. */
	fx_set_backend(fx, 2, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
	fx_set_backend(fx, 1, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_DISABLED);
	fx_sync_ring(fx, 0);
	if (!OPEN_FLOW(fx, CLIENT_N(4), 46000, XDP_TX, &f))
		return;
	ASSERT_EQ(f.backend_id, 2, "backend of the fourth SYN");
	ASSERT_GE(ntohs(f.snat_port), PORT_MIN, "control3's SNAT port");
	ASSERT_LE(ntohs(f.snat_port), PORT_MAX, "control3's SNAT port");
}

void test_nat_ports(void)
{
	struct fixture_opts opts = { .snat_min = PORT_MIN,
				     .snat_max = PORT_MAX };
	struct fixture fx;

	if (!test__start_subtest("exhausted_drops_syn"))
		return;
	if (fx_init(&fx, &opts) == 0 && fx_apiserver(&fx) == 0)
		exhaust(&fx);
	fx_fini(&fx);
}
