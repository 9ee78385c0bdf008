/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * stats_http.h - serves the statistics page ([stats] uri), /metrics and
 * /status.json with libmicrohttpd, read-only, from its own thread: a slow
 * client or a walk of a large flow table never delays the VRRP timers of
 * the main loop. Only GET and HEAD; any other path is 404.
 */
#ifndef VRRP_STATS_HTTP_H
#define VRRP_STATS_HTTP_H

#include <pthread.h>
#include "loader/config.h"
#include "health.h"
#include "stats.h"

struct stats_server;

/*
 * Listen on cfg->stats.listen (the caller checks cfg->stats.enabled). h
 * (may be NULL) gives the checks' verdicts; it must outlive the server.
 */
int stats_server_start(const struct kx_config *cfg, struct health *h,
		       struct stats_server **out);
/* Stops the server and waits for its thread (a request being rendered
 * finishes first): at exit. */
void stats_server_stop(struct stats_server *s);
/* The same from a thread of its own, *t (a reload): returns at once;
 * join *t before what the server reads (the health checks) goes. 0, or
 * -errno when no thread could start and it stopped here. */
int stats_server_retire(struct stats_server *s, pthread_t *t);
/* A reload on the same listen address: uri, auth, allow and the service
 * list take effect for the next request; connections stay open. */
void stats_server_update(struct stats_server *s, const struct kx_config *cfg);

/* The VRRP instances as they are now (copied); call again on any change. */
void stats_server_set_vrrp(struct stats_server *s,
			   const struct stats_vrrp_view *views, unsigned int n);

/* Flow sync as it is now (copied); the agent calls it every second. */
void stats_server_set_sync(struct stats_server *s,
			   const struct stats_sync_view *v);

/* Fill a model as a request would (for tests and tools). */
int stats_collect(struct stats_server *s, struct stats_model *m);

#endif /* VRRP_STATS_HTTP_H */
