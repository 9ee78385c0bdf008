// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* agent_checks.c - see agent_checks.h. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "agent_checks.h"
#include "health.h"
#include "stats_http.h"
#include "loader/util.h"

static void on_health(void *ctx)
{
	struct agent_checks *c = ctx;

	if (health_dispatch(c->health))
		kx_warn("%s", kx_last_error());
}

static int start_stats(struct agent_checks *c, const struct kx_config *kc)
{
	c->stats_conf = kc->stats;
	if (!kc->stats.enabled)
		return 0;
	return stats_server_start(kc, c->health, &c->stats);
}

int agent_checks_start(struct agent_checks *c, struct ev_loop *l,
		       const char *path)
{
	static struct kx_config kc;	/* large; the main thread's */
	int err;

	memset(c, 0, sizeof(*c));
	c->watch.fd = -1;
	err = kx_config_load(&kc, path);
	if (!err)
		err = health_new(&kc, &c->health);
	if (!err)
		err = ev_watch_add(l, &c->watch, health_fd(c->health),
				   on_health, c);
	if (!err)
		err = start_stats(c, &kc);
	kx_config_free(&kc);
	return err;
}

static bool same_listener(const struct kx_stats_config *a,
			  const struct kx_stats_config *b)
{
	return a->enabled == b->enabled &&
	       kx_endpoint_equal(&a->listen, &b->listen);
}

/* Threads of servers that stopped since are joined without waiting; one
 * still busy stays for the next time (or the end). */
static void reap(struct agent_checks *c, bool wait)
{
	unsigned int i = 0;

	while (i < c->n_retiring) {
		if (wait ? pthread_join(c->retiring[i], NULL) :
			   pthread_tryjoin_np(c->retiring[i], NULL)) {
			i++;
			continue;
		}
		c->retiring[i] = c->retiring[--c->n_retiring];
	}
}

/* The old server goes in a thread of its own, unless the new one needs
 * its port (0.0.0.0:9000 -> 127.0.0.1:9000): that one is stopped here, as
 * a bind must not race its close. */
static void retire(struct agent_checks *c, const struct kx_stats_config *next)
{
	reap(c, c->n_retiring == KX_ARRAY_SIZE(c->retiring));
	if (c->stats && next->enabled &&
	    next->listen.port == c->stats_conf.listen.port)
		stats_server_stop(c->stats);
	else if (c->stats &&
		 !stats_server_retire(c->stats, &c->retiring[c->n_retiring]))
		c->n_retiring++;
	c->stats = NULL;
}

void agent_checks_reload(struct agent_checks *c, const char *path)
{
	static struct kx_config kc;

	if (!c->health)
		return;
	if (kx_config_load(&kc, path) || health_reload(c->health, &kc)) {
		kx_warn("reload: health checks: %s; keeping the running ones",
			kx_last_error());
		kx_config_free(&kc);
		return;
	}
	/* Never wait for the page's thread here (it may be rendering a
	 * large flow table): the same listener takes the new settings in
	 * place; a new one starts and the old one stops in a thread of its
	 * own. */
	if (c->stats && same_listener(&c->stats_conf, &kc.stats)) {
		c->stats_conf = kc.stats;
		stats_server_update(c->stats, &kc);
	} else if (!same_listener(&c->stats_conf, &kc.stats)) {
		retire(c, &kc.stats);
		if (start_stats(c, &kc))
			kx_warn("reload: %s", kx_last_error());
	}
	kx_config_free(&kc);
}

static void instance_view(const struct instance *in,
			  struct stats_vrrp_view *v)
{
	const struct vrrp_instance_conf *conf = &in->conf;
	struct vrrp_ip master = in->fsm.state == VRRP_MASTER ? in->src :
				in->fsm.master_ip;
	size_t len = 0;

	memset(v, 0, sizeof(*v));
	snprintf(v->instance, sizeof(v->instance), "%s", conf->name);
	snprintf(v->interface, sizeof(v->interface), "%s", conf->interface);
	v->vrid = conf->vrid;
	v->state = vrrp_state_str(in->fsm.state);
	v->priority = in->fsm.priority;
	v->base_priority = conf->priority;
	if (master.family)
		vrrp_ip_str(&master, v->master);
	/* The advertised addresses, then the excluded ones (held alike). */
	for (unsigned int i = 0;
	     i < conf->n_vips + conf->n_excluded && len < sizeof(v->vips); i++) {
		const struct vrrp_xvip *x = i < conf->n_vips ? &conf->vips[i] :
					    &conf->excluded[i - conf->n_vips];
		char ip[INET6_ADDRSTRLEN];

		inet_ntop(x->family == KHAXDP_AF_INET6 ? AF_INET6 : AF_INET,
			  &x->addr, ip, sizeof(ip));
		len += (size_t)snprintf(v->vips + len, sizeof(v->vips) - len,
					"%s%s/%u", len ? " " : "", ip, x->prefix);
	}
}

void agent_checks_publish(struct agent_checks *c, const struct agent *ag)
{
	struct stats_vrrp_view views[STATS_MAX_VRRP];
	unsigned int n = 0;

	if (!c->stats)
		return;
	for (unsigned int i = 0; i < VRRP_MAX_INSTANCES && n < STATS_MAX_VRRP; i++)
		if (ag->inst[i].running)
			instance_view(&ag->inst[i], &views[n++]);
	stats_server_set_vrrp(c->stats, views, n);
}

void agent_checks_close(struct agent_checks *c, struct ev_loop *l)
{
	stats_server_stop(c->stats);	/* first: they read the checks */
	c->stats = NULL;
	reap(c, true);
	if (c->health)
		ev_watch_del(l, &c->watch);
	health_free(c->health);
	c->health = NULL;
}
