// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* fill.c - write a configuration into the maps, keeping ids and state. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "cgroup.h"
#include "fill.h"
#include "net.h"
#include "util.h"

/* ---- planning (pure) ---------------------------------------------------- */

static const struct khaxdp_service *
old_service_by_name(const struct kx_old_state *old, const char *name)
{
	for (unsigned int i = 0; i < old->n_services; i++)
		if (!strncmp(old->services[i].val.name, name, KHAXDP_NAME_LEN))
			return &old->services[i].val;
	return NULL;
}

static const char *old_service_name(const struct kx_old_state *old,
				    uint32_t id)
{
	for (unsigned int i = 0; i < old->n_services; i++)
		if (old->services[i].val.id == id)
			return old->services[i].val.name;
	return "";
}

/* Lowest id that is neither taken now nor was used before; failing that,
 * the lowest id not taken now. */
static int pick_id(const bool *taken, const bool *was_used, unsigned int n)
{
	for (unsigned int id = 0; id < n; id++)
		if (!taken[id] && !was_used[id])
			return id;
	for (unsigned int id = 0; id < n; id++)
		if (!taken[id])
			return id;
	return -1;
}

static int plan_services(const struct kx_config *cfg,
			 const struct kx_old_state *old, struct kx_plan *plan)
{
	bool taken[KHAXDP_MAX_SERVICES] = {}, was_used[KHAXDP_MAX_SERVICES] = {};
	bool done[KHAXDP_MAX_SERVICES] = {};
	int id;

	for (unsigned int i = 0; i < old->n_services; i++)
		if (old->services[i].val.id < KHAXDP_MAX_SERVICES)
			was_used[old->services[i].val.id] = true;

	for (unsigned int i = 0; i < cfg->n_services; i++) {
		const struct khaxdp_service *o =
			old_service_by_name(old, cfg->services[i].name);

		if (!o || o->id >= KHAXDP_MAX_SERVICES || taken[o->id])
			continue;
		plan->service_id[i] = o->id;
		plan->old_ring_slot[i] = o->ring_slot;
		taken[o->id] = done[i] = true;
	}
	for (unsigned int i = 0; i < cfg->n_services; i++) {
		if (done[i])
			continue;
		id = pick_id(taken, was_used, KHAXDP_MAX_SERVICES);
		if (id < 0)
			return kx_fail(-ENOSPC, "no free service id");
		plan->service_id[i] = id;
		plan->service_new[i] = true;
		plan->old_ring_slot[i] = 1;	/* the first ring goes to 0 */
		taken[id] = true;
	}
	return 0;
}

static int old_backend_id(const struct kx_old_state *old, const bool *taken,
			  const char *service, const char *name)
{
	for (unsigned int id = 0; id < KHAXDP_MAX_BACKENDS; id++) {
		const struct khaxdp_backend *b = &old->backends[id];

		if (!b->family || taken[id] ||
		    strncmp(b->name, name, KHAXDP_NAME_LEN) ||
		    strncmp(old_service_name(old, b->service_id), service,
			    KHAXDP_NAME_LEN))
			continue;
		return id;
	}
	return -1;
}

/*
 * A new backend of a checked service starts DOWN (unless 'start = up'): the
 * data plane sends it nothing until the agent has seen it pass 'rise'
 * checks. A backend that was there keeps what the agent last wrote.
 */
static uint8_t initial_health(const struct kx_check *check)
{
	return check->kind == KX_CHECK_NONE || check->start_up ?
		KHAXDP_HEALTH_UP : KHAXDP_HEALTH_DOWN;
}

static void plan_backend(struct kx_plan *plan, uint32_t id,
			 const struct kx_service *svc,
			 const struct kx_server *srv, uint32_t service_id,
			 const struct khaxdp_backend *old, kx_is_local_fn is_local)
{
	struct khaxdp_backend *b = &plan->backends[id];

	memset(b, 0, sizeof(*b));
	b->addr = srv->ep.addr;
	b->port = htons(srv->ep.port);
	b->family = srv->ep.family;
	b->service_id = service_id;
	b->weight = 1;
	b->health = old ? old->health : initial_health(&svc->check);
	b->admin = old ? old->admin : KHAXDP_ADMIN_ENABLED;
	b->local = is_local && is_local(&srv->ep);
	memcpy(b->name, srv->name, sizeof(b->name));
	plan->backend_new[id] = !old;
}

static int plan_backends(const struct kx_config *cfg,
			 const struct kx_old_state *old, kx_is_local_fn is_local,
			 struct kx_plan *plan)
{
	bool taken[KHAXDP_MAX_BACKENDS] = {}, was_used[KHAXDP_MAX_BACKENDS] = {};
	int ids[KHAXDP_MAX_SERVICES][KHAXDP_MAX_SERVICE_BACKENDS];

	for (unsigned int id = 0; id < KHAXDP_MAX_BACKENDS; id++)
		was_used[id] = old->backends[id].family != 0;

	/* First the servers that were there before, then the new ones. */
	for (unsigned int i = 0; i < cfg->n_services; i++) {
		const struct kx_service *svc = &cfg->services[i];

		for (unsigned int j = 0; j < svc->n_servers; j++) {
			ids[i][j] = old_backend_id(old, taken, svc->name,
						   svc->servers[j].name);
			if (ids[i][j] >= 0)
				taken[ids[i][j]] = true;
		}
	}
	for (unsigned int i = 0; i < cfg->n_services; i++) {
		const struct kx_service *svc = &cfg->services[i];

		for (unsigned int j = 0; j < svc->n_servers; j++) {
			int id = ids[i][j];
			bool kept = id >= 0;

			if (!kept)
				id = pick_id(taken, was_used, KHAXDP_MAX_BACKENDS);
			if (id < 0)
				return kx_fail(-ENOSPC, "no free backend id");
			taken[id] = true;
			plan_backend(plan, id, svc, &svc->servers[j],
				     plan->service_id[i],
				     kept ? &old->backends[id] : NULL, is_local);
		}
	}
	for (unsigned int id = 0; id < KHAXDP_MAX_BACKENDS; id++)
		plan->backend_gone[id] = was_used[id] && !taken[id];
	return 0;
}

int kx_plan_make(const struct kx_config *cfg, const struct kx_old_state *old,
		 kx_is_local_fn is_local, struct kx_plan *plan)
{
	int err;

	memset(plan, 0, sizeof(*plan));
	err = plan_services(cfg, old, plan);
	if (err)
		return err;
	return plan_backends(cfg, old, is_local, plan);
}

/* ---- reading and writing the maps --------------------------------------- */

static int collect_service(const struct khaxdp_vip *key,
			   const struct khaxdp_service *svc, void *ctx)
{
	struct kx_old_state *old = ctx;

	if (old->n_services == KHAXDP_MAX_SERVICES)
		return 0;
	old->services[old->n_services].key = *key;
	old->services[old->n_services].val = *svc;
	old->n_services++;
	return 0;
}

int kx_old_state_read(const struct kx_maps *m, struct kx_old_state *old)
{
	memset(old, 0, sizeof(*old));
	kx_services_foreach(m, collect_service, old);
	return kx_backends_read(m, old->backends);
}

static struct khaxdp_vip vip_key(const struct kx_endpoint *ep)
{
	struct khaxdp_vip key;

	memset(&key, 0, sizeof(key));
	key.addr = ep->addr;
	key.port = htons(ep->port);
	key.proto = IPPROTO_TCP;
	key.family = ep->family;
	return key;
}

/* The distinct service addresses of each family, so the data plane
 * passes any other packet without a hash lookup. */
static void node_vips(const struct kx_config *cfg, struct khaxdp_node *node)
{
	for (unsigned int i = 0; i < cfg->n_services; i++) {
		const struct kx_endpoint *ep = &cfg->services[i].listen;
		bool v6 = ep->family == KHAXDP_AF_INET6;
		union khaxdp_addr *vips = v6 ? node->vips6 : node->vips;
		__u8 *n = v6 ? &node->n_vips6 : &node->n_vips;
		unsigned int j;

		for (j = 0; j < *n; j++)
			if (!memcmp(&vips[j], &ep->addr, sizeof(ep->addr)))
				break;
		if (j == *n && j < KHAXDP_MAX_SERVICES)
			vips[(*n)++] = ep->addr;
	}
}

/* Does a service of the family NAT from the node's address? */
static bool nat_from_node(const struct kx_config *cfg, uint8_t family)
{
	if (cfg->snat_address != KX_SNAT_NODE)
		return false;
	for (unsigned int i = 0; i < cfg->n_services; i++)
		if (cfg->services[i].listen.family == family &&
		    cfg->services[i].mode == KHAXDP_MODE_NAT)
			return true;
	return false;
}

static int write_node(const struct kx_maps *m, const struct kx_config *cfg,
		      const char *ifname, int ifindex)
{
	struct khaxdp_node node = {}, old = {};
	uint32_t key = 0, addr;
	int err;

	err = kx_if_ipv4(ifname, cfg, &addr);
	if (err)
		return err;
	err = kx_if_ipv6(ifname, cfg, &node.addr6);
	if (err)
		return err;
	if (!node.addr6.v6[0] && !node.addr6.v6[1] && !node.addr6.v6[2] &&
	    !node.addr6.v6[3] && nat_from_node(cfg, KHAXDP_AF_INET6))
		return kx_fail(-EADDRNOTAVAIL, "%s: no global IPv6 address (other than a VIP) to use as the NAT source of the IPv6 services (snat_address = node)",
			       ifname);
	kx_node_read(m, &old);
	node.addr.v4 = addr;
	node.ifindex = ifindex;
	node.snat_port_min = cfg->snat_min;
	node.snat_port_max = cfg->snat_max;
	node.family = KHAXDP_AF_INET;
	node.connect_timeout_s = (uint8_t)cfg->connect_timeout_s;
	node.half_open_per_source = cfg->half_open_per_source;
	node_vips(cfg, &node);
	if (cfg->socket_lb == KX_SOCKET_LB_ALL)
		node.flags |= KHAXDP_NODE_SOCKET_LB_ALL;
	if (cfg->snat_address == KX_SNAT_NODE)
		node.flags |= KHAXDP_NODE_SNAT_NODE;
	err = kx_netns_cookie(&node.netns_cookie);
	if (!err)
		err = kx_if_mac(ifname, node.mac);
	if (err)
		return err;
	/* The agent's, as active is. */
	node.flags |= old.flags & KHAXDP_NODE_DSR_CONFIRM;
	/* Until the agent runs, a node balances what reaches it. */
	node.active = old.family ? old.active : 1;
	node.active_since_ns = old.family ? old.active_since_ns : 0;
	/* IPv6's role is the agent's once the node had IPv6 VIPs: before
	 * (a fresh attach, or an upgrade from a data plane without IPv6,
	 * whose entry says 0), as a fresh attach. */
	node.active6 = old.family && old.n_vips6 ? old.active6 : 1;
	node.active6_since_ns = old.family && old.n_vips6 ?
				old.active6_since_ns : 0;
	if (bpf_map_update_elem(m->node, &key, &node, BPF_ANY))
		return kx_fail(-errno, "write node: %s", strerror(errno));
	return 0;
}

static int zero_entry(int fd, uint32_t key, size_t size, bool percpu)
{
	int ncpu = percpu ? libbpf_num_possible_cpus() : 1;
	void *zero;
	int err = 0;

	if (ncpu <= 0)
		return kx_fail(-EINVAL, "cannot count CPUs");
	zero = calloc(ncpu, (size + 7) & ~(size_t)7);
	if (!zero)
		return kx_fail(-ENOMEM, "out of memory");
	if (bpf_map_update_elem(fd, &key, zero, BPF_ANY))
		err = kx_fail(-errno, "reset entry %u: %s", key, strerror(errno));
	free(zero);
	return err;
}

/*
 * A new backend's SNAT ports start at a random point of the range. Counting
 * from snat_port_min again after a detach and a fresh attach would reuse the
 * ports of connections just closed, which the backend may still hold in
 * TIME_WAIT: it answers the new SYN with an ACK of the old connection, the
 * client resets and retries, and its connection lands on another backend.
 */
static int seed_port_cursor(int fd, uint32_t id)
{
	struct khaxdp_cursor cur = {};
	uint32_t r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint32_t)kx_now_ns();
	cur.next = r;
	if (bpf_map_update_elem(fd, &id, &cur, BPF_ANY))
		return kx_fail(-errno, "reset port cursor %u: %s", id,
			       strerror(errno));
	return 0;
}

static int write_backends(const struct kx_maps *m, const struct kx_plan *plan)
{
	int err;

	for (uint32_t id = 0; id < KHAXDP_MAX_BACKENDS; id++) {
		const struct khaxdp_backend *b = &plan->backends[id];

		if (!b->family)
			continue;
		/* The cached next hop may be another backend's, or stale. */
		err = zero_entry(m->nexthops, id, sizeof(struct khaxdp_nexthop),
				 false);
		if (err)
			return err;
		if (plan->backend_new[id]) {
			err = zero_entry(m->backend_stats, id,
					 sizeof(struct khaxdp_backend_stats), true);
			if (!err)
				err = seed_port_cursor(m->port_cursor, id);
			if (err)
				return err;
		}
		if (bpf_map_update_elem(m->backends, &id, b, BPF_ANY))
			return kx_fail(-errno, "write backend %s: %s", b->name,
				       strerror(errno));
	}
	return 0;
}

static int write_service(const struct kx_maps *m, const struct kx_config *cfg,
			 const struct kx_plan *plan, unsigned int i)
{
	const struct kx_service *cs = &cfg->services[i];
	struct khaxdp_vip key = vip_key(&cs->listen);
	struct khaxdp_service svc = {};
	struct khaxdp_ring ring;
	int err;

	svc.id = plan->service_id[i];
	svc.mode = cs->mode;
	svc.timeout_s = cs->timeout_s;
	svc.ring_slot = plan->old_ring_slot[i];
	memcpy(svc.name, cs->name, sizeof(svc.name));
	svc.local_backend = KHAXDP_NO_BACKEND;
	for (uint32_t id = 0; id < KHAXDP_MAX_BACKENDS; id++)
		if (plan->backends[id].family && plan->backends[id].local &&
		    plan->backends[id].service_id == svc.id) {
			svc.local_backend = id;
			break;
		}
	if (plan->service_new[i]) {
		err = zero_entry(m->rr_cursor, svc.id,
				 sizeof(struct khaxdp_cursor), false);
		if (err)
			return err;
	}
	kx_ring_build(plan->backends, KHAXDP_MAX_BACKENDS, svc.id, &ring);
	return kx_ring_publish(m, &key, &svc, &ring);
}

static bool key_in_config(const struct kx_config *cfg,
			  const struct khaxdp_vip *key)
{
	for (unsigned int i = 0; i < cfg->n_services; i++) {
		struct khaxdp_vip k = vip_key(&cfg->services[i].listen);

		if (!memcmp(&k, key, sizeof(k)))
			return true;
	}
	return false;
}

static int remove_stale(const struct kx_maps *m, const struct kx_config *cfg,
			const struct kx_old_state *old,
			const struct kx_plan *plan)
{
	struct khaxdp_backend none = {};

	for (unsigned int i = 0; i < old->n_services; i++) {
		const struct khaxdp_vip *key = &old->services[i].key;

		if (!key_in_config(cfg, key) &&
		    bpf_map_delete_elem(m->services, key) && errno != ENOENT)
			return kx_fail(-errno, "remove service %s: %s",
				       old->services[i].val.name,
				       strerror(errno));
	}
	for (uint32_t id = 0; id < KHAXDP_MAX_BACKENDS; id++)
		if (plan->backend_gone[id] &&
		    bpf_map_update_elem(m->backends, &id, &none, BPF_ANY))
			return kx_fail(-errno, "clear backend %u: %s", id,
				       strerror(errno));
	return 0;
}

/* The flows of backends that leave, or whose id goes to another server
 * in this fill: deleted, so that no idle flow of a removed server is ever
 * forwarded to the server that gets its id. */
struct flow_purge {
	const bool *ids;
	struct khaxdp_flow_key *keys;
	size_t n, cap;
};

static int note_purge(const struct khaxdp_flow_key *key,
		      const struct khaxdp_flow *f, void *ctx)
{
	struct flow_purge *p = ctx;
	struct khaxdp_flow_key *k;

	if (f->backend_id >= KHAXDP_MAX_BACKENDS || !p->ids[f->backend_id])
		return 0;
	if (p->n == p->cap) {
		k = realloc(p->keys, (p->cap ? 2 * p->cap : 256) * sizeof(*k));
		if (!k)
			return kx_fail(-ENOMEM, "out of memory");
		p->keys = k;
		p->cap = p->cap ? 2 * p->cap : 256;
	}
	p->keys[p->n++] = *key;
	return 0;
}

static int purge_table(int fd, const bool *ids)
{
	struct flow_purge p = { .ids = ids };
	int err = kx_flow_table_foreach(fd, note_purge, &p);

	for (size_t i = 0; !err && i < p.n; i++)
		bpf_map_delete_elem(fd, &p.keys[i]);	/* gone meanwhile: fine */
	free(p.keys);
	return err;
}

static int purge_flows(const struct kx_maps *m, const struct kx_old_state *old,
		       const struct kx_plan *plan)
{
	bool ids[KHAXDP_MAX_BACKENDS] = {}, any = false;

	for (uint32_t id = 0; id < KHAXDP_MAX_BACKENDS; id++) {
		ids[id] = plan->backend_gone[id] ||
			  (plan->backend_new[id] && old->backends[id].family);
		any = any || ids[id];
	}
	if (!any)
		return 0;
	return purge_table(m->flows, ids) ?: purge_table(m->half_open, ids);
}

static int fill_locked(const struct kx_maps *m, const struct kx_config *cfg,
		       const char *ifname, int ifindex)
{
	struct kx_old_state *old;
	struct kx_plan *plan;
	int err;

	old = calloc(1, sizeof(*old));
	plan = calloc(1, sizeof(*plan));
	err = !old || !plan ? kx_fail(-ENOMEM, "out of memory") : 0;
	if (!err)
		err = kx_old_state_read(m, old);
	if (!err)
		err = kx_plan_make(cfg, old, kx_is_local, plan);
	if (!err)
		err = write_node(m, cfg, ifname, ifindex);
	if (!err)
		err = purge_flows(m, old, plan);
	/* Backends before the rings that name them, rings before the
	 * services that point at them, removals last. */
	if (!err)
		err = write_backends(m, plan);
	for (unsigned int i = 0; !err && i < cfg->n_services; i++)
		err = write_service(m, cfg, plan, i);
	if (!err)
		err = remove_stale(m, cfg, old, plan);
	free(plan);
	free(old);
	return err;
}

int kx_fill_maps_locked(struct kx_maps *m, const struct kx_config *cfg,
			const char *ifname, int ifindex)
{
	return fill_locked(m, cfg, ifname, ifindex);
}

int kx_fill_maps(struct kx_maps *m, const struct kx_config *cfg,
		 const char *ifname, int ifindex)
{
	int err;

	err = kx_maps_lock(m);
	if (err)
		return err;
	err = fill_locked(m, cfg, ifname, ifindex);
	kx_maps_unlock(m);
	return err;
}
