/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * snapshot.h - the running data plane in one read: the node, what is
 * attached, the services with their live rings, every backend with its
 * counters summed over the CPUs and its active flows, and the per-reason
 * counters. `khaxdp status` and `khaxdp stats` (text and --json) and the
 * agent's page, /metrics and /status.json all render this one model; a
 * backend has one JSON object everywhere (kx_backend_json_fields).
 *
 * The cost is O(backends) map reads plus one walk of the flow table in
 * batches (bpf_map_lookup_batch, a few hundred entries a system call),
 * bounded by the table's size even while it churns. A reader that serves
 * requests (the agent's page) keeps a snapshot for at most a second.
 */
#ifndef KX_SNAPSHOT_H
#define KX_SNAPSHOT_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "bpf/khaxdp.h"
#include "config.h"
#include "json.h"
#include "maps.h"
#include "query.h"

/* One backend as the data plane holds it. */
struct kx_backend_view {
	uint32_t id;			/* index in the backends map */
	char service[KHAXDP_NAME_LEN + 1];
	char name[KHAXDP_NAME_LEN + 1];
	char address[KX_ENDPOINT_STRLEN];	/* "192.168.218.172:6443" */
	uint8_t health;			/* enum khaxdp_health */
	uint8_t admin;			/* enum khaxdp_admin */
	bool local;			/* served by this node's stack */
	bool in_ring;			/* takes new flows now */
	uint64_t active_flows;		/* flows in the table, not expired */
	struct khaxdp_backend_stats counters;	/* summed over CPUs */
};

struct kx_service_view {
	uint32_t id;
	char name[KHAXDP_NAME_LEN + 1];
	char listen[KX_ENDPOINT_STRLEN];	/* "192.168.218.189:7443" */
	uint32_t mode;			/* enum khaxdp_mode */
	uint32_t timeout_s;
	uint32_t ring_slot;
	struct khaxdp_ring ring;	/* the one the data plane reads */
	unsigned int first, n;		/* its backends in kx_snapshot.backends */
};

/* What is attached, from the kernel (KX_SNAPSHOT_ATTACHMENT). */
struct kx_attachment {
	char ifname[IF_NAMESIZE];
	struct kx_xdp_info xdp;
	uint32_t tc_prog_id;		/* pinned */
	bool tc_attached;		/* and on the interface */
	struct kx_cgroup_ids cgroup;	/* the local clients' hooks */
};

struct kx_snapshot {
	struct khaxdp_node node;
	char node_address[46 /* INET6_ADDRSTRLEN */];
	char node_address6[46];		/* "" when the node has none */
	bool attachment_read;
	struct kx_attachment att;
	uint32_t flows;			/* entries of the flow table */
	uint32_t max_flows;
	uint32_t half_open;		/* entries of the half-open table */
	uint32_t max_half_open;
	/* Of them, DSR flows whose client completed the handshake, waiting
	 * for their serving node's word (khaxdp_flow_acked()). */
	uint32_t half_open_acked;
	uint64_t counters[KHAXDP_STAT_MAX];	/* per reason, summed */
	unsigned int n_services;
	struct kx_service_view services[KHAXDP_MAX_SERVICES];	/* by id */
	unsigned int n_backends;	/* grouped by service, by id within */
	struct kx_backend_view backends[KHAXDP_MAX_BACKENDS];
};

enum kx_snapshot_flags {
	/* Also ask the kernel what is attached (libxdp's query opens programs
	 * by id: CAP_SYS_ADMIN where a dispatcher is in use). */
	KX_SNAPSHOT_ATTACHMENT = 1 << 0,
};

int kx_snapshot_read(const struct kx_maps *m, unsigned int flags,
		     struct kx_snapshot *s);

/* UP, DOWN, DRAIN or MAINT: what haproxy's page says of a server. */
const char *kx_backend_status(uint8_t health, uint8_t admin);

/* The members of a backend's JSON object (the caller opens and closes it,
 * and may add its own): id, service, name, address, status, health, admin,
 * local, in_ring, active_flows, flows_opened, packets_in, bytes_in,
 * packets_out, bytes_out. */
void kx_backend_json_fields(struct kx_json *j, const struct kx_backend_view *b);

#endif /* KX_SNAPSHOT_H */
