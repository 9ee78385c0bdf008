/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * dp_view.h - one read of the data plane's backends map with each service's
 * name, to find a configured backend (service + name) by its map id without
 * a lookup per backend. Used by the health checks and the stats page.
 */
#ifndef VRRP_DP_VIEW_H
#define VRRP_DP_VIEW_H

#include "khaxdp.h"
#include "maps.h"

struct dp_view {
	struct khaxdp_backend backends[KHAXDP_MAX_BACKENDS];
	char service[KHAXDP_MAX_SERVICES][KHAXDP_NAME_LEN];
};

int dp_view_read(const struct kx_maps *m, struct dp_view *v);
/* The map id of SERVICE/NAME, -1 when the data plane does not hold it. */
int dp_view_find(const struct dp_view *v, const char *service,
		 const char *name);

#endif /* VRRP_DP_VIEW_H */
