/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * agent_checks.h - the agent's backend health checks (health.h) and
 * statistics page (stats_http.h), hung off the agent's event loop: the
 * checks' epoll fd is one more watch, the page runs in its own thread and
 * gets the VRRP instances' state from agent_checks_publish().
 */
#ifndef VRRP_AGENT_CHECKS_H
#define VRRP_AGENT_CHECKS_H

#include <pthread.h>
#include <stdbool.h>

#include "loader/config.h"
#include "loop.h"

struct agent;
struct health;
struct stats_server;

struct agent_checks {
	struct health *health;		/* NULL until started */
	struct stats_server *stats;	/* NULL without [stats] */
	struct kx_stats_config stats_conf;	/* what it serves */
	/* Servers of earlier configurations stopping in threads of their
	 * own (a reload never waits for a page being rendered). */
	pthread_t retiring[4];
	unsigned int n_retiring;
	struct ev_watch watch;
};

/* Read path's [service] checks and [stats]; start both. */
int agent_checks_start(struct agent_checks *c, struct ev_loop *l,
		       const char *path);
/* SIGHUP: new check settings; the page takes a new uri, auth, allow and
 * service list in place, and a new listen address by a new server (the old
 * one stops in a thread of its own). A bad file is reported and changes
 * nothing. */
void agent_checks_reload(struct agent_checks *c, const char *path);
/* The VRRP instances as the page shows them; call after any change. */
void agent_checks_publish(struct agent_checks *c, const struct agent *ag);
void agent_checks_close(struct agent_checks *c, struct ev_loop *l);

#endif /* VRRP_AGENT_CHECKS_H */
