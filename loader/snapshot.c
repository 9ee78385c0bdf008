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

/* Counting a table's entries and, given active, each backend's active
 * flows; given acked, the DSR flows acknowledged by their clients. */
struct flow_count {
	uint32_t *total;
	uint32_t *active;
	uint32_t *acked;
	uint64_t now;
};

static int count_flow_cb(const struct khaxdp_flow_key *key,
			 const struct khaxdp_flow *f, void *ctx)
{
	struct flow_count *c = ctx;

	(void)key;
	if (c->active && f->backend_id < KHAXDP_MAX_BACKENDS &&
	    !khaxdp_flow_expired(f, c->now))
		c->active[f->backend_id]++;
	if (c->acked && khaxdp_flow_acked(f))
		(*c->acked)++;
	(*c->total)++;
	return 0;
}

/* One walk of a table in batches (kx_flow_table_walk_step()), bounded by
 * its size. */
static int walk_table(int fd, uint32_t *total, uint32_t *active,
		      uint32_t *acked)
{
	struct flow_count c = { .total = total, .active = active,
				.acked = acked, .now = kx_now_ns() };

	return kx_flow_table_foreach(fd, count_flow_cb, &c);
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
	kx_cgroup_query(m->dir, &a->cgroup);
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
		err = walk_table(m->flows, &s->flows, active, NULL);
	len = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (!err && !bpf_obj_get_info_by_fd(m->half_open, &info, &len))
		s->max_half_open = info.max_entries;
	if (!err) {
		err = walk_table(m->half_open, &s->half_open, NULL,
				 &s->half_open_acked);
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
		static const union khaxdp_addr none;

		inet_ntop(AF_INET, &s->node.addr.v4, s->node_address,
			  sizeof(s->node_address));
		s->node_address6[0] = '\0';
		if (memcmp(&s->node.addr6, &none, sizeof(none)))
			inet_ntop(AF_INET6, &s->node.addr6, s->node_address6,
				  sizeof(s->node_address6));
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
