/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fill.h - write a configuration into the maps of a running data plane.
 *
 * Ids are stable across re-attach: a service keeps its id while its name
 * stays, a backend keeps its id, health and admin state while its service
 * and name stay. New ids are taken first from slots that were free before,
 * so a flow of a removed backend is not handed to a new one at once.
 * New backends start with health UP and admin enabled: the agent, once
 * running, owns health.
 */
#ifndef KX_FILL_H
#define KX_FILL_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "maps.h"

/* What the maps held before (from kx_plan_read_old or a test). */
struct kx_old_state {
	unsigned int n_services;
	struct {
		struct khaxdp_vip key;
		struct khaxdp_service val;
	} services[KHAXDP_MAX_SERVICES];
	struct khaxdp_backend backends[KHAXDP_MAX_BACKENDS];
};

/* What to write. */
struct kx_plan {
	uint32_t service_id[KHAXDP_MAX_SERVICES];	/* by config index */
	bool service_new[KHAXDP_MAX_SERVICES];
	uint32_t old_ring_slot[KHAXDP_MAX_SERVICES];
	/* The whole backends array after the change, and which ids are new
	 * (counters to reset) or gone (slots to clear). */
	struct khaxdp_backend backends[KHAXDP_MAX_BACKENDS];
	bool backend_new[KHAXDP_MAX_BACKENDS];
	bool backend_gone[KHAXDP_MAX_BACKENDS];
};

/* Decides ids and states. Pure. is_local may be NULL (nothing local). */
typedef bool (*kx_is_local_fn)(const struct kx_endpoint *ep);
int kx_plan_make(const struct kx_config *cfg, const struct kx_old_state *old,
		 kx_is_local_fn is_local, struct kx_plan *plan);

int kx_old_state_read(const struct kx_maps *m, struct kx_old_state *old);

/*
 * Fill the node, backends, rings and services maps from cfg for the data
 * plane on ifname. Takes the maps lock.
 */
int kx_fill_maps(struct kx_maps *m, const struct kx_config *cfg,
		 const char *ifname, int ifindex);
/* The same when the caller holds the pin directory's lock (attach). */
int kx_fill_maps_locked(struct kx_maps *m, const struct kx_config *cfg,
			const char *ifname, int ifindex);

#endif /* KX_FILL_H */
