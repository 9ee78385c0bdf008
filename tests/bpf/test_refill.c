// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Filling the maps again with another configuration (attach = upgrade in
 * place): a server that leaves takes its flows with it, so that when a new
 * server later gets its id no idle flow of the old one is forwarded to it.
 */
#include "khaxdp_test.h"
#include "loader/fill.h"
#include "loader/util.h"

/* The apiserver service with these servers (control1 is this node). */
static int fill(struct fixture *fx, const char *servers)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "[global]\ninterface = ens33\nsnat_ports = %u-%u\nsocket_lb = off\n"
		 "[service apiserver]\nlisten = 192.168.218.189:7443\n%s",
		 fx->snat_min, fx->snat_max, servers);
	return fx_fill(fx, text);
}

#define THREE	"server = control1 192.168.218.171:6443\n" \
		"server = control2 192.168.218.172:6443\n" \
		"server = control3 192.168.218.173:6443\n"

static void removed_server_takes_its_flows(struct fixture *fx)
{
	struct khaxdp_flow f2 = { .backend_id = 1, .timeout_s = 1800 };
	struct khaxdp_flow f3 = { .backend_id = 2, .timeout_s = 1800 }, got;
	struct khaxdp_flow_key k2 = flow_key(CLIENT_IP, VIP_IP, 46001, VIP_PORT);
	struct khaxdp_flow_key k3 = flow_key(CLIENT_IP, VIP_IP, 46002, VIP_PORT);
	struct khaxdp_backend b;

	if (!ASSERT_OK(fill(fx, THREE), "three servers"))
		return;
	f2.last_seen_ns = f3.last_seen_ns = kx_now_ns();
	bpf_map_update_elem(fx->maps.flows, &k2, &f2, BPF_ANY);
	bpf_map_update_elem(fx->maps.flows, &k3, &f3, BPF_ANY);
	bpf_map_update_elem(fx->maps.half_open, &k3, &f3, BPF_ANY);

	/* control3 leaves. */
	if (!ASSERT_OK(fill(fx, "server = control1 192.168.218.171:6443\n"
				"server = control2 192.168.218.172:6443\n"),
		       "control3 removed"))
		return;
	ASSERT_EQ(bpf_map_lookup_elem(fx->maps.flows, &k3, &got), -ENOENT,
		  "control3's flow gone with it");
	ASSERT_EQ(bpf_map_lookup_elem(fx->maps.half_open, &k3, &got), -ENOENT,
		  "and its half-open flow");
	if (ASSERT_OK(bpf_map_lookup_elem(fx->maps.flows, &k2, &got),
		      "control2's flow stays"))
		ASSERT_EQ(got.backend_id, 1, "to control2");

	/* A new server takes control3's id: no flow of control3's goes to it. */
	if (!ASSERT_OK(fill(fx, "server = control1 192.168.218.171:6443\n"
				"server = control2 192.168.218.172:6443\n"
				"server = control4 192.168.218.174:6443\n"),
		       "control4 added"))
		return;
	if (ASSERT_OK(fx_get_backend(fx, 2, &b), "id 2"))
		ASSERT_STREQ(b.name, "control4", "id 2 now control4's");
	ASSERT_EQ(fx_count(fx->maps.flows), 1, "flows: control2's alone");
	fill(fx, THREE);
}

static const struct fx_case cases[] = {
	{ "removed_server_takes_its_flows", removed_server_takes_its_flows },
};

void test_refill(void)
{
	struct fixture fx;

	if (fx_init(&fx, NULL) == 0)
		FX_RUN_CASES(&fx, cases);
	fx_fini(&fx);
}
