/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * maps.h - reading and writing the pinned maps of a running data plane.
 *
 * Everything here works from the pins alone (no skeleton, no config), so the
 * CLI's inspect verbs and the agent share it. Writers take kx_maps_lock()
 * first: a ring is rebuilt by read-modify-write of two maps, and the agent
 * and an operator may do it at the same time.
 */
#ifndef KX_MAPS_H
#define KX_MAPS_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "bpf/khaxdp.h"
#include "bpf/policy.h"

/* One fd per map of KHAXDP_MAPS (bpf/khaxdp.h), named as the map. */
struct kx_maps {
	char dir[PATH_MAX];
	int lock_fd;
#define KX_MAP_FD(name, type, key, value) int name;
	KHAXDP_MAPS(KX_MAP_FD)
#undef KX_MAP_FD
};

/* The type, key and value size a map of KHAXDP_MAPS must have; -ENOENT
 * for another name. */
int kx_map_layout(const char *name, __u32 *type, __u32 *key_size,
		  __u32 *value_size);

/* Open every pinned map under dir, each checked to have the type and sizes
 * this build reads and the fields (its layout in the layouts map, see
 * loader/layout.h): -EPROTO and one line when not. -ENOENT: not attached. */
int kx_maps_open(struct kx_maps *m, const char *dir);
/* attach: record this build's layout of every map in the layouts map. */
int kx_layouts_write(int layouts_fd);
/* The layout the layouts map records for map name (0: none). */
int kx_layout_of(int layouts_fd, const char *name, __u64 *layout);
void kx_maps_close(struct kx_maps *m);
/* Exclusive lock on the pin directory (flock), released by close/unlock. */
int kx_maps_lock(struct kx_maps *m);
/* The same without waiting: -EWOULDBLOCK while another holds it (an
 * event loop tries again at its next turn). */
int kx_maps_trylock(struct kx_maps *m);
void kx_maps_unlock(struct kx_maps *m);

/* ---- rings -------------------------------------------------------------- */

/*
 * The ring of a service from a copy of the backends array: the backends
 * khaxdp_backend_usable() for service_id (bpf/policy.h), in id order. Pure; the agent and tests use it.
 */
void kx_ring_build(const struct khaxdp_backend *backends, unsigned int n,
		   uint32_t service_id, struct khaxdp_ring *ring);

/*
 * Publish a ring: write it to the slot the data plane does not read, then
 * flip svc->ring_slot with one update of the services entry at key. svc is
 * updated to what was written.
 */
int kx_ring_publish(const struct kx_maps *m, const struct khaxdp_vip *key,
		    struct khaxdp_service *svc, const struct khaxdp_ring *ring);

/* Rebuild and publish service_id's ring from the backends map. */
int kx_service_rebuild_ring(const struct kx_maps *m, uint32_t service_id);

/* ---- services and backends ---------------------------------------------- */

/* All backends (KHAXDP_MAX_BACKENDS entries; family 0 = unused slot). */
int kx_backends_read(const struct kx_maps *m, struct khaxdp_backend *out);

/* Up to max services, sorted by id; how many, or -errno. */
int kx_services_read(const struct kx_maps *m, struct khaxdp_vip *keys,
		     struct khaxdp_service *vals, unsigned int max);

/* Find a service by id; key/val may be NULL. -ENOENT if none. */
int kx_service_by_id(const struct kx_maps *m, uint32_t id,
		     struct khaxdp_vip *key, struct khaxdp_service *val);

/* Call fn for each service, in id order. Stops on non-zero return. */
typedef int (*kx_service_fn)(const struct khaxdp_vip *key,
			     const struct khaxdp_service *svc, void *ctx);
int kx_services_foreach(const struct kx_maps *m, kx_service_fn fn, void *ctx);

/*
 * Resolve "NAME" or "SERVICE/NAME" to a backend id. -ENOENT if none,
 * -EEXIST if NAME is in several services (message lists them).
 */
int kx_backend_find(const struct kx_maps *m, const char *spec, uint32_t *id,
		    struct khaxdp_backend *b);

/* Change one backend and republish its service's ring. */
int kx_backend_set_admin(const struct kx_maps *m, uint32_t id,
			 enum khaxdp_admin admin);
int kx_backend_set_health(const struct kx_maps *m, uint32_t id,
			  enum khaxdp_health health);

const char *kx_health_str(uint8_t health);
const char *kx_admin_str(uint8_t admin);
/* "enable"/"enabled", "drain", "disable"/"disabled". */
int kx_admin_parse(const char *s, enum khaxdp_admin *admin);

/* ---- counters and flows ------------------------------------------------- */

int kx_node_read(const struct kx_maps *m, struct khaxdp_node *node);
/* Set node.active (this node holds the family's VIPs; active6 for
 * KHAXDP_AF_INET6) when it differs; *changed says whether it did. Nothing
 * is written before attach filled the node. hold: becoming active while
 * the old holder is alive and still sending its last flows (its goodbye,
 * a preemption): for a second the data plane holds packets with no flow
 * (node.active_since_ns); not after a holder that fell silent, whose
 * flows will not come. */
int kx_node_set_active(const struct kx_maps *m, uint8_t family, bool active,
		       bool hold, bool *changed);

/* Set or clear a flag of node.flags written by the agent
 * (KHAXDP_NODE_DSR_CONFIRM) when it differs. Nothing is written before
 * attach filled the node. */
int kx_node_set_flag(const struct kx_maps *m, uint32_t flag, bool on);

/* Sum the per-CPU counters. */
int kx_stats_sum(const struct kx_maps *m, uint64_t out[KHAXDP_STAT_MAX]);
int kx_backend_stats_sum(const struct kx_maps *m, uint32_t id,
			 struct khaxdp_backend_stats *out);

typedef int (*kx_flow_fn)(const struct khaxdp_flow_key *key,
			  const struct khaxdp_flow *flow, void *ctx);
int kx_flows_foreach(const struct kx_maps *m, kx_flow_fn fn, void *ctx);

/*
 * A walk of the flow table that can stop and go on, so that a caller with
 * an event loop walks 65536 flows in slices. In batches of
 * bpf_map_lookup_batch(): a hash map's batch cursor is a bucket, so a
 * table that churns meanwhile never sends the walk back to its start (as
 * bpf_map_get_next_key() does when its key was evicted); bounded by the
 * map's max_entries. Kernels without batch lookups get the key-by-key
 * walk. Zero it to start.
 */
#define KX_FLOW_BATCH	256
struct kx_flow_walk {
	bool started;
	bool done;
	bool key_by_key;		/* no batch lookups here */
	__u32 cursor;			/* the batch cursor */
	struct khaxdp_flow_key last;	/* key by key: where it stopped */
	uint32_t visited;
	uint32_t bound;			/* max_entries (0: not read yet) */
};

/* Visit at most max flows of the table fd (flows or half_open: the same
 * key and value); fn returning non-zero stops the walk (done); 0 or
 * -errno. w->done says the table was walked to its end. */
int kx_flow_table_walk_step(int fd, struct kx_flow_walk *w, uint32_t max,
			    kx_flow_fn fn, void *ctx);
/* The whole table fd, in one go. */
int kx_flow_table_foreach(int fd, kx_flow_fn fn, void *ctx);

/* ---- flow age ------------------------------------------------------------ */

/* CLOCK_MONOTONIC_COARSE in ns: the data plane's bpf_ktime_get_coarse_ns(),
 * the clock of khaxdp_flow_expired() (bpf/policy.h). */
uint64_t kx_now_ns(void);

#endif /* KX_MAPS_H */
