/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * stats.h - what the statistics page shows, and its three renderings:
 * the HTML page a person reads (haproxy's /haproxy_stats), the Prometheus
 * text exposition (/metrics) and JSON for scripts (/status.json).
 *
 * Pure: a struct stats_model in, text out; stats_http.c fills the model
 * from a data-plane snapshot (loader/snapshot.h), the health checks and
 * the VRRP instances, and serves it. A backend's JSON object is the one
 * `khaxdp status --json` prints, with the agent's own members added.
 */
#ifndef VRRP_STATS_H
#define VRRP_STATS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "loader/config.h"
#include "loader/snapshot.h"
#include "bpf/khaxdp.h"
#include "sync.h"

#define STATS_MAX_VRRP		8
#define STATS_REFRESH_S		5	/* the page reloads itself, as haproxy's */

/*
 * The contract with the VRRP code: one per instance, filled by it and handed
 * to stats_server_set_vrrp() whenever something in it changes (the server
 * copies it). state: a string with static storage ("MASTER", "BACKUP",
 * "FAULT", "INIT"); master: the current master's address, "" if unknown.
 */
struct stats_vrrp_view {
	char instance[32];		/* "VI_1" */
	char interface[16];		/* "ens33" */
	int vrid;			/* virtual_router_id */
	const char *state;
	int priority;			/* effective: base + track weights */
	int base_priority;		/* from the config */
	char master[64];		/* "192.168.218.171" */
	char vips[256];			/* "192.168.218.189/24 2001:db8:218::189/64" */
};

/* The states khaxdp_vrrp_state{state=...} lists, 1 for the current one. */
extern const char *const stats_vrrp_states[];

/* Flow sync as the agent runs it (vrrp/agent_sync.c), copied whole. */
#define STATS_MAX_SYNC_PEERS	16

struct stats_sync_view {
	bool enabled;
	uint16_t port;
	bool auth;			/* a shared key */
	bool sending;			/* this node is active: it announces */
	bool attached;			/* the flows table is open */
	uint64_t epoch;
	uint64_t msgs_sent;
	uint64_t events_sent;		/* flow records in event messages */
	uint64_t events_lost;		/* the data plane's FLOW_EV_LOST: see datapath */
	uint64_t snapshots;
	uint64_t snapshot_flows;	/* flows in the last snapshot */
	uint64_t lag_ms;		/* the last batch's oldest event waited */
	uint64_t max_lag_ms;
	uint64_t send_errors;
	uint64_t rx_drop[SYNC_RX_MAX];	/* messages refused, per reason */
	unsigned int n_peers;
	struct sync_peer peers[STATS_MAX_SYNC_PEERS];
	uint64_t now_ns;		/* to age peers[].last_ns */
};

struct stats_backend {
	char service[KHAXDP_NAME_LEN];
	char name[KHAXDP_NAME_LEN];
	char addr[KX_ENDPOINT_STRLEN];
	bool in_map;			/* the data plane holds it */
	bool up;			/* health in the map, else the checks' */
	const char *status;		/* UP, DOWN, DRAIN, MAINT */
	char check[KX_CHECK_PATH_LEN + 8];	/* "https /readyz", "none" */
	bool checked;			/* check != none */
	bool check_up;			/* the checks' verdict */
	bool last_ok;
	char last[128];			/* last check result */
	uint64_t since_change_ms;
	uint64_t since_check_ms;
	uint64_t checks;
	uint64_t check_failures;
	/* The data plane's own view of it, counters ("in": client ->
	 * backend) and all, when in_map. */
	struct kx_backend_view dp;
};

struct stats_service {
	char name[KHAXDP_NAME_LEN];
	char listen[KX_ENDPOINT_STRLEN];
	unsigned int first;		/* index of its first backend */
	unsigned int n;			/* how many follow */
};

struct stats_model {
	char node[64];			/* this node's address, from the node map */
	char version[32];
	bool attached;			/* the pinned maps could be read */
	char attach_error[160];		/* why not */
	bool active;			/* the node map says it holds the VIP */
	uint64_t uptime_ms;		/* of the agent */
	unsigned int n_services;
	struct stats_service services[KHAXDP_MAX_SERVICES];
	unsigned int n_backends;
	struct stats_backend backends[KHAXDP_MAX_BACKENDS];
	uint64_t datapath[KHAXDP_STAT_MAX];	/* per-reason counters */
	unsigned int n_vrrp;
	struct stats_vrrp_view vrrp[STATS_MAX_VRRP];
	struct stats_sync_view sync;
};

/* UP, DOWN, DRAIN or MAINT from the map's health and admin state. */
const char *stats_status(uint8_t health, uint8_t admin);

void stats_render_metrics(const struct stats_model *m, FILE *out);
/* The sync state file `khaxdp status` reads: one line per thing,
 * `KIND key=value ...` (KIND: sync, peer), values without blanks. */
void stats_render_sync_state(const struct stats_sync_view *v, FILE *out);
void stats_render_json(const struct stats_model *m, FILE *out);
/* uri: the page's own address, for the links. */
void stats_render_html(const struct stats_model *m, const char *uri,
		       FILE *out);

#endif /* VRRP_STATS_H */
