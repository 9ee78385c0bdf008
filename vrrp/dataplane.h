/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * dataplane.h - the agent's one door to the khaxdp data plane. Every other
 * file of the agent asks and tells it through these calls, never through
 * the maps: is it attached here (track_dataplane), does this node hold the
 * VIP (the node map's `active`), which backends does it hold and with what
 * health, and the counters the page shows.
 *
 * Everything works from the pins under [global] bpffs, opened afresh for
 * each call or session, so that a detach + attach (new maps) is followed;
 * -ENOENT means the data plane is not attached.
 */
#ifndef VRRP_DATAPLANE_H
#define VRRP_DATAPLANE_H

#include <stdbool.h>
#include <stdint.h>

#include "bpf/khaxdp.h"
#include "loader/flowsync.h"
#include "loader/maps.h"
#include "loader/snapshot.h"

/*
 * The agent's main thread keeps the pinned maps open (no eleven opens for
 * every check): they are opened at first use and again when the pins are
 * other maps (a detach + attach), which is looked at most once a second.
 */

/* khaxdp's XDP program is on ifindex (libxdp dispatcher or alone). */
bool dp_attached(int ifindex, const char *bpffs);

/*
 * Write the family's node.active (active6 for KHAXDP_AF_INET6) when it
 * differs (hold: kx_node_set_active()); *changed says whether it did.
 * Never waits for the pins' lock (see dataplane.c). -ENOENT: the data
 * plane is not attached (nothing to write).
 */
int dp_set_active(const char *bpffs, uint8_t family, bool active, bool hold,
		  bool *changed);

/* How old a snapshot dp_snapshot() hands out may be. */
#define DP_SNAPSHOT_MAX_AGE_MS	1000

/*
 * The data plane in one read (loader/snapshot.h), for the page: taken at
 * most once every DP_SNAPSHOT_MAX_AGE_MS, whatever the request rate, so a
 * page request costs a copy and the flow table is walked at most once a
 * second. Thread-safe. On failure, err says why (not attached...).
 */
int dp_snapshot(const char *bpffs, struct kx_snapshot *out, char *err,
		size_t err_len);

/* The backends the data plane holds, with each service's name, to find a
 * configured backend (service + name) by its map id. */
struct dp_view {
	struct khaxdp_backend backends[KHAXDP_MAX_BACKENDS];
	char service[KHAXDP_MAX_SERVICES][KHAXDP_NAME_LEN];
};

/* One read of the backends and services. */
int dp_view_read(const char *bpffs, struct dp_view *v);
/* The map id of SERVICE/NAME, -1 when the data plane does not hold it. */
int dp_view_find(const struct dp_view *v, const char *service,
		 const char *name);

/*
 * A write session: the maps locked against the CLI's writers, without
 * waiting (-EWOULDBLOCK while a command holds them: try again later), with
 * the view read under the lock; dp_set_health() then changes one backend
 * and republishes its service's ring.
 */
struct dp_session {
	struct kx_maps *maps;	/* the agent's kept handle */
	struct dp_view *view;
	bool opened;		/* the pins were there: the data plane is attached */
};

int dp_session_begin(struct dp_session *s, const char *bpffs,
		     struct dp_view *view);
int dp_set_health(struct dp_session *s, uint32_t id, enum khaxdp_health h);
void dp_session_end(struct dp_session *s);

/*
 * Flow sync's handle on the flows table (loader/flowsync.h): the maps
 * opened once and kept, no lock taken (a flow is one map element; the
 * CLI's writers never write flows), so nothing here ever waits. Reopened
 * when dp_flows_current() says the data plane was attached anew.
 */
typedef void (*dp_flow_event_fn)(void *ctx, const struct khaxdp_flow_event *ev);
typedef void (*dp_flow_announce_fn)(void *ctx,
				    const struct khaxdp_flow_event *ev,
				    uint32_t idle_ms);

struct dp_flows {
	bool opened;
	struct kx_maps maps;
	uint32_t flows_id;		/* id of the flows map held */
	struct ring_buffer *rb;		/* flow_events */
	dp_flow_event_fn on_event;
	void *ctx;
	struct khaxdp_backend backends[KHAXDP_MAX_BACKENDS];
	uint64_t backends_ms;		/* when read; re-read after 1 s */
	struct kx_flow_walk walk;	/* a snapshot in slices */
	bool walk_local;		/* of the local backend's flows only */
};

/* Open the maps and the ring buffer of flow events; on_event gets each.
 * -ENOENT: not attached. */
int dp_flows_open(struct dp_flows *d, const char *bpffs, dp_flow_event_fn fn,
		  void *ctx);
void dp_flows_close(struct dp_flows *d);
/* Are the pins still the maps held? False after a detach (+ attach). */
bool dp_flows_current(const struct dp_flows *d, const char *bpffs);
/* The ring buffer's fd to watch; dp_flows_poll() hands out what is there. */
int dp_flows_events_fd(const struct dp_flows *d);
int dp_flows_poll(struct dp_flows *d);
/* Adopt or forget a flow another node announced. */
int dp_flows_adopt(struct dp_flows *d, const struct khaxdp_flow_event *ev,
		   uint32_t idle_ms, enum kx_adopt *out);
int dp_flows_forget(struct dp_flows *d, const struct khaxdp_flow_key *key,
		    bool *deleted);
/* Call fn for each live flow to a backend at addr (of family); how many. */
typedef void (*dp_flow_key_fn)(void *ctx, const struct khaxdp_flow_key *key);
int dp_flows_to(struct dp_flows *d, uint8_t family,
		const union khaxdp_addr *addr, dp_flow_key_fn fn, void *ctx);
/* A snapshot: begin, then steps of at most max flows each, calling fn for
 * each flow to announce (kx_flow_announce()), until *done. */
int dp_flows_announce_begin(struct dp_flows *d, bool local_only);
int dp_flows_announce_step(struct dp_flows *d, uint32_t max,
			   dp_flow_announce_fn fn, void *ctx, bool *done);
/* Leaving MASTER: each half-open DSR flow to fn (KHAXDP_FLOW_EV_HALF_OPEN,
 * kx_flow_announce_half()), for the next holder; how many, or -errno. */
int dp_half_open_announce(struct dp_flows *d, dp_flow_announce_fn fn,
			  void *ctx);

#endif /* VRRP_DATAPLANE_H */
