// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* snapshot.c - the running data plane in one read (see snapshot.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/policy.h"
#include "snapshot.h"
#include "util.h"

#define FLOW_BATCH	256

const char *kx_backend_status(uint8_t health, uint8_t admin)
{
	if (admin == KHAXDP_ADMIN_DISABLED)
		return "MAINT";
	if (admin == KHAXDP_ADMIN_DRAIN)
		return "DRAIN";
	return kx_health_str(health);
}

static void endpoint_str(const union khaxdp_addr *a, __be16 port,
			 uint8_t family, char *buf, size_t len)
{
	struct kx_endpoint ep = { .addr = *a, .port = ntohs(port),
				  .family = family };

	kx_endpoint_str(&ep, buf, len);
}

/* Count one batch of flows into *total and, given active, into the
 * backends' active_flows. */
static void count_flows(uint32_t *total, uint32_t *active,
			const struct khaxdp_flow *f, uint32_t n, uint64_t now)
{
	for (uint32_t i = 0; active && i < n; i++)
		if (f[i].backend_id < KHAXDP_MAX_BACKENDS &&
		    !khaxdp_flow_expired(&f[i], now))
			active[f[i].backend_id]++;
	*total += n;
}

static int count_flow_cb(const struct khaxdp_flow_key *key,
			 const struct khaxdp_flow *flow, void *ctx)
{
	void **c = ctx;
	struct kx_snapshot *s = c[0];

	(void)key;
	count_flows(&s->flows, c[1], flow, 1, kx_now_ns());
	return s->max_flows && s->flows >= s->max_flows;
}

/*
 * One walk of the flow table in batches. A hash map's batch cursor is a
 * bucket, so a table that churns meanwhile never sends the walk back to
 * its start (as bpf_map_get_next_key() does when its key was evicted); the
 * walk also stops after max_flows entries. Kernels without batch lookups
 * get the key-by-key walk, with the same bound.
 */
static int walk_table(int fd, uint32_t max_entries, uint32_t *total,
		      uint32_t *active)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct khaxdp_flow_key *keys;
	struct khaxdp_flow *vals;
	uint32_t bound = max_entries ? max_entries : UINT32_MAX;
	uint64_t now = kx_now_ns();
	__u32 cursor, count;
	void *in = NULL;
	int err = 0;

	keys = calloc(FLOW_BATCH, sizeof(*keys));
	vals = calloc(FLOW_BATCH, sizeof(*vals));
	if (!keys || !vals) {
		free(keys);
		free(vals);
		return kx_fail(-ENOMEM, "out of memory");
	}
	do {
		count = FLOW_BATCH;
		err = bpf_map_lookup_batch(fd, in, &cursor, keys, vals,
					   &count, &opts) ? -errno : 0;
		if (err && err != -ENOENT)
			break;
		count_flows(total, active, vals, count, now);
		in = &cursor;
	} while (!err && *total < bound);
	free(keys);
	free(vals);
	return err == -ENOENT ? 0 : err;
}

/* The flow table's entries and each backend's active flows. */
static int walk_flows(const struct kx_maps *m, struct kx_snapshot *s,
		      uint32_t *active)
{
	int err = walk_table(m->flows, s->max_flows, &s->flows, active);

	if (err == -EINVAL || err == -EOPNOTSUPP) {
		void *ctx[2] = { s, active };

		s->flows = 0;
		memset(active, 0, KHAXDP_MAX_BACKENDS * sizeof(*active));
		err = kx_flows_foreach(m, count_flow_cb, ctx);
		return err < 0 ? err : 0;
	}
	return err ? kx_fail(err, "read flows: %s", strerror(-err)) : 0;
}

static int read_services(const struct kx_maps *m, struct kx_snapshot *s)
{
	struct khaxdp_vip key[KHAXDP_MAX_SERVICES];
	struct khaxdp_service svc[KHAXDP_MAX_SERVICES];
	int n = kx_services_read(m, key, svc, KHAXDP_MAX_SERVICES);

	if (n < 0)
		return n;
	for (int i = 0; i < n; i++) {
		struct kx_service_view *v = &s->services[s->n_services++];
		uint32_t slot = khaxdp_ring_key(svc[i].id, svc[i].ring_slot);

		v->id = svc[i].id;
		snprintf(v->name, sizeof(v->name), "%.*s", KHAXDP_NAME_LEN,
			 svc[i].name);
		endpoint_str(&key[i].addr, key[i].port, key[i].family,
			     v->listen, sizeof(v->listen));
		v->mode = svc[i].mode;
		v->timeout_s = svc[i].timeout_s;
		v->ring_slot = svc[i].ring_slot;
		if (bpf_map_lookup_elem(m->rings, &slot, &v->ring))
			memset(&v->ring, 0, sizeof(v->ring));
	}
	return 0;
}

static bool in_ring(const struct khaxdp_ring *r, uint32_t id)
{
	for (uint32_t i = 0; i < r->count && i < KHAXDP_MAX_SERVICE_BACKENDS; i++)
		if (r->backend[i] == id)
			return true;
	return false;
}

static int add_backend(const struct kx_maps *m, struct kx_snapshot *s,
		       struct kx_service_view *sv, uint32_t id,
		       const struct khaxdp_backend *b, const uint32_t *active)
{
	struct kx_backend_view *v = &s->backends[s->n_backends++];
	int err;

	v->id = id;
	_Static_assert(sizeof(v->service) == sizeof(sv->name), "same size");
	memcpy(v->service, sv->name, sizeof(v->service));
	snprintf(v->name, sizeof(v->name), "%.*s", KHAXDP_NAME_LEN, b->name);
	endpoint_str(&b->addr, b->port, b->family, v->address,
		     sizeof(v->address));
	v->health = b->health;
	v->admin = b->admin;
	v->local = b->local;
	v->in_ring = in_ring(&sv->ring, id);
	v->active_flows = active[id];
	err = kx_backend_stats_sum(m, id, &v->counters);
	sv->n++;
	return err;
}

static void read_attachment(const struct kx_maps *m, struct kx_snapshot *s)
{
	struct kx_attachment *a = &s->att;
	struct khaxdp_loader_state st = {};
	uint32_t tc_now = 0;
	int ifindex = (int)s->node.ifindex;

	kx_state_read(m->dir, &st);
	if (!if_indextoname(ifindex, a->ifname))
		snprintf(a->ifname, sizeof(a->ifname), "%.*s",
			 (int)sizeof(st.ifname), st.ifname);
	kx_xdp_query(ifindex, m->dir, &a->xdp);
	kx_pinned_prog_id(m->dir, KHAXDP_PIN_TC_PROG, &a->tc_prog_id);
	kx_tc_query(ifindex, &tc_now);
	a->tc_attached = a->tc_prog_id && tc_now == a->tc_prog_id;
	kx_cgroup_query(m->dir, &a->connect4_id, &a->getpeername4_id);
	s->attachment_read = true;
}

int kx_snapshot_read(const struct kx_maps *m, unsigned int flags,
		     struct kx_snapshot *s)
{
	struct khaxdp_backend *backends = NULL;
	uint32_t *active = NULL;
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);
	int err;

	memset(s, 0, sizeof(*s));
	backends = calloc(KHAXDP_MAX_BACKENDS, sizeof(*backends));
	active = calloc(KHAXDP_MAX_BACKENDS, sizeof(*active));
	err = !backends || !active ? kx_fail(-ENOMEM, "out of memory") : 0;
	if (!err)
		err = kx_node_read(m, &s->node);
	if (!err)
		err = kx_backends_read(m, backends);
	if (!err)
		err = kx_stats_sum(m, s->counters);
	if (!err)
		err = read_services(m, s);
	if (!err && !bpf_obj_get_info_by_fd(m->flows, &info, &len))
		s->max_flows = info.max_entries;
	if (!err)
		err = walk_flows(m, s, active);
	len = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (!err && !bpf_obj_get_info_by_fd(m->half_open, &info, &len))
		s->max_half_open = info.max_entries;
	if (!err) {
		err = walk_table(m->half_open, s->max_half_open, &s->half_open,
				 NULL);
		if (err)
			err = kx_fail(err, "read half-open flows: %s",
				      strerror(-err));
	}
	for (unsigned int i = 0; !err && i < s->n_services; i++) {
		struct kx_service_view *sv = &s->services[i];

		sv->first = s->n_backends;
		for (uint32_t id = 0; !err && id < KHAXDP_MAX_BACKENDS; id++)
			if (backends[id].family &&
			    backends[id].service_id == sv->id)
				err = add_backend(m, s, sv, id, &backends[id],
						  active);
	}
	if (!err) {
		if (s->node.family == KHAXDP_AF_INET6)
			inet_ntop(AF_INET6, s->node.addr.v6, s->node_address,
				  sizeof(s->node_address));
		else
			inet_ntop(AF_INET, &s->node.addr.v4, s->node_address,
				  sizeof(s->node_address));
		if (flags & KX_SNAPSHOT_ATTACHMENT)
			read_attachment(m, s);
	}
	free(backends);
	free(active);
	return err;
}

void kx_backend_json_fields(struct kx_json *j, const struct kx_backend_view *b)
{
	const struct khaxdp_backend_stats *c = &b->counters;

	kx_json_kv_u64(j, "id", b->id);
	kx_json_kv_string(j, "service", b->service);
	kx_json_kv_string(j, "name", b->name);
	kx_json_kv_string(j, "address", b->address);
	kx_json_kv_string(j, "status", kx_backend_status(b->health, b->admin));
	kx_json_kv_string(j, "health", kx_health_str(b->health));
	kx_json_kv_string(j, "admin", kx_admin_str(b->admin));
	kx_json_kv_bool(j, "local", b->local);
	kx_json_kv_bool(j, "in_ring", b->in_ring);
	kx_json_kv_u64(j, "active_flows", b->active_flows);
	kx_json_kv_u64(j, "flows_opened", c->flows_opened);
	kx_json_kv_u64(j, "packets_in", c->packets_in);
	kx_json_kv_u64(j, "bytes_in", c->bytes_in);
	kx_json_kv_u64(j, "packets_out", c->packets_out);
	kx_json_kv_u64(j, "bytes_out", c->bytes_out);
}
