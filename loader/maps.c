// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* maps.c - the pinned maps: rings, backend state, counters, flows. */
#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "khaxdp_layout.h"	/* generated: tools/layout_gen */
#include "maps.h"
#include "util.h"

static const struct {
	const char *name;
	size_t offset;
	__u32 type;
	__u32 key_size;
	__u32 value_size;
	__u64 layout;	/* loader/layout.h; 0: no key or value type */
} map_fields[] = {
#define MAP_FIELD(n, type, key, value) \
	{ #n, offsetof(struct kx_maps, n), BPF_MAP_TYPE_##type, sizeof(key), \
	  sizeof(value), KX_LAYOUT_##n },
	KHAXDP_MAPS(MAP_FIELD)
#undef MAP_FIELD
};

int kx_map_layout(const char *name, __u32 *type, __u32 *key_size,
		  __u32 *value_size)
{
	for (unsigned int i = 0; i < KX_ARRAY_SIZE(map_fields); i++) {
		if (strcmp(map_fields[i].name, name))
			continue;
		*type = map_fields[i].type;
		*key_size = map_fields[i].key_size;
		*value_size = map_fields[i].value_size;
		return 0;
	}
	return -ENOENT;
}

/* The pin at fd has the type and sizes this build reads, or one line why
 * not. */
static int check_sizes(const char *dir, unsigned int i, int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return kx_fail(-errno, "%s/%s: %s", dir, map_fields[i].name,
			       strerror(errno));
	if (info.type == map_fields[i].type &&
	    info.key_size == map_fields[i].key_size &&
	    info.value_size == map_fields[i].value_size)
		return 0;
	return kx_fail(-EPROTO, "%s/%s: a map of another khaxdp version (type %u, key %u, value %u bytes; this one reads type %u, key %u, value %u): run khaxdp attach IFNAME with this version to upgrade it",
		       dir, map_fields[i].name, info.type, info.key_size,
		       info.value_size, map_fields[i].type,
		       map_fields[i].key_size, map_fields[i].value_size);
}

static int *map_fd(struct kx_maps *m, unsigned int i)
{
	return (int *)((char *)m + map_fields[i].offset);
}

static void maps_reset(struct kx_maps *m)
{
	m->lock_fd = -1;
	for (unsigned int i = 0; i < KX_ARRAY_SIZE(map_fields); i++)
		*map_fd(m, i) = -1;
}

static struct khaxdp_map_name map_name(const char *name)
{
	struct khaxdp_map_name k;

	memset(&k, 0, sizeof(k));
	snprintf(k.name, sizeof(k.name), "%s", name);
	return k;
}

/* Each map's fields as this build reads them, as the attach that made the
 * pins recorded them in layouts (same sizes can hold other fields: a
 * khaxdp that changed a struct without growing it). */
static int check_fields(const struct kx_maps *m, const char *dir)
{
	for (unsigned int i = 0; i < KX_ARRAY_SIZE(map_fields); i++) {
		struct khaxdp_map_name k = map_name(map_fields[i].name);
		__u64 layout = 0;

		if (!map_fields[i].layout)
			continue;
		if (bpf_map_lookup_elem(m->layouts, &k, &layout) &&
		    errno != ENOENT)
			return kx_fail(-errno, "%s/layouts: %s", dir,
				       strerror(errno));
		if (layout == map_fields[i].layout)
			continue;
		if (!layout)
			return kx_fail(-EPROTO, "%s/%s: its layout is not recorded (an attach that did not finish?): run khaxdp attach IFNAME again",
				       dir, map_fields[i].name);
		return kx_fail(-EPROTO, "%s/%s: a map of another khaxdp version (the same sizes, other fields: layout %016llx, this one reads %016llx): run khaxdp attach IFNAME with this version to upgrade it",
			       dir, map_fields[i].name, (unsigned long long)layout,
			       (unsigned long long)map_fields[i].layout);
	}
	return 0;
}

int kx_layouts_write(int layouts_fd)
{
	for (unsigned int i = 0; i < KX_ARRAY_SIZE(map_fields); i++) {
		struct khaxdp_map_name k = map_name(map_fields[i].name);

		if (map_fields[i].layout &&
		    bpf_map_update_elem(layouts_fd, &k, &map_fields[i].layout,
					BPF_ANY))
			return kx_fail(-errno, "layouts: %s", strerror(errno));
	}
	return 0;
}

int kx_layout_of(int layouts_fd, const char *name, __u64 *layout)
{
	struct khaxdp_map_name k = map_name(name);

	*layout = 0;
	if (bpf_map_lookup_elem(layouts_fd, &k, layout))
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

int kx_maps_open(struct kx_maps *m, const char *dir)
{
	char path[PATH_MAX];
	int fd, err;

	memset(m, 0, sizeof(*m));
	maps_reset(m);
	if (kx_snprintf(m->dir, sizeof(m->dir), "%s", dir))
		return kx_fail(-ENAMETOOLONG, "%s: path too long", dir);
	for (unsigned int i = 0; i < KX_ARRAY_SIZE(map_fields); i++) {
		if (kx_snprintf(path, sizeof(path), "%s/%s", dir,
				map_fields[i].name))
			return kx_fail(-ENAMETOOLONG, "%s: path too long", dir);
		fd = bpf_obj_get(path);
		if (fd < 0) {
			err = -errno;
			kx_maps_close(m);
			if (err == -ENOENT && i > 0)
				return kx_fail(err, "%s: attached by an older khaxdp, which had no %s map: run khaxdp attach IFNAME again to upgrade",
					       dir, map_fields[i].name);
			if (err == -ENOENT)
				return kx_fail(err, "not attached (no %s): run khaxdp attach IFNAME",
					       path);
			return kx_fail(err, "%s: %s", path, strerror(-err));
		}
		*map_fd(m, i) = fd;
		err = check_sizes(dir, i, fd);
		if (err) {
			kx_maps_close(m);
			return err;
		}
	}
	err = check_fields(m, dir);
	if (err)
		kx_maps_close(m);
	return err;
}

void kx_maps_close(struct kx_maps *m)
{
	kx_maps_unlock(m);
	for (unsigned int i = 0; i < KX_ARRAY_SIZE(map_fields); i++) {
		int *fd = map_fd(m, i);

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

static int lock(struct kx_maps *m, int how)
{
	if (m->lock_fd >= 0)
		return 0;
	m->lock_fd = open(m->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (m->lock_fd < 0)
		return kx_fail(-errno, "%s: %s", m->dir, strerror(errno));
	if (flock(m->lock_fd, how) < 0) {
		int err = -errno;

		close(m->lock_fd);
		m->lock_fd = -1;
		if (err == -EWOULDBLOCK)
			return kx_fail(err, "%s: held by another khaxdp command for now",
				       m->dir);
		return kx_fail(err, "%s: lock: %s", m->dir, strerror(-err));
	}
	return 0;
}

int kx_maps_lock(struct kx_maps *m)
{
	return lock(m, LOCK_EX);
}

int kx_maps_trylock(struct kx_maps *m)
{
	return lock(m, LOCK_EX | LOCK_NB);
}

void kx_maps_unlock(struct kx_maps *m)
{
	if (m->lock_fd >= 0)
		close(m->lock_fd);	/* releases the flock */
	m->lock_fd = -1;
}

/* ---- rings -------------------------------------------------------------- */

void kx_ring_build(const struct khaxdp_backend *backends, unsigned int n,
		   uint32_t service_id, struct khaxdp_ring *ring)
{
	memset(ring, 0, sizeof(*ring));
	for (uint32_t id = 0; id < n; id++) {
		const struct khaxdp_backend *b = &backends[id];

		if (!khaxdp_backend_usable(b, service_id))
			continue;
		if (ring->count == KHAXDP_MAX_SERVICE_BACKENDS)
			break;
		ring->backend[ring->count++] = id;
	}
}

int kx_ring_publish(const struct kx_maps *m, const struct khaxdp_vip *key,
		    struct khaxdp_service *svc, const struct khaxdp_ring *ring)
{
	struct khaxdp_service next = *svc;
	uint32_t slot;

	next.ring_slot = svc->ring_slot ? 0 : 1;
	slot = khaxdp_ring_key(svc->id, next.ring_slot);
	if (bpf_map_update_elem(m->rings, &slot, ring, BPF_ANY))
		return kx_fail(-errno, "service %s: write ring %u: %s",
			       svc->name, slot, strerror(errno));
	if (bpf_map_update_elem(m->services, key, &next, BPF_ANY))
		return kx_fail(-errno, "service %s: flip ring: %s", svc->name,
			       strerror(errno));
	*svc = next;
	return 0;
}

int kx_backends_read(const struct kx_maps *m, struct khaxdp_backend *out)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	static __thread __u32 keys[KHAXDP_MAX_BACKENDS];
	static __thread struct khaxdp_backend vals[KHAXDP_MAX_BACKENDS];
	__u32 count = KHAXDP_MAX_BACKENDS, cursor;
	int err;

	/* One batch for the whole array (the agent reads it every second);
	 * key by key where the kernel has no batch lookups. */
	err = bpf_map_lookup_batch(m->backends, NULL, &cursor, keys, vals,
				   &count, &opts) ? -errno : 0;
	if ((!err || err == -ENOENT) && count == KHAXDP_MAX_BACKENDS) {
		for (__u32 i = 0; i < count; i++)
			if (keys[i] < KHAXDP_MAX_BACKENDS)
				out[keys[i]] = vals[i];
		return 0;
	}
	for (uint32_t id = 0; id < KHAXDP_MAX_BACKENDS; id++)
		if (bpf_map_lookup_elem(m->backends, &id, &out[id]))
			return kx_fail(-errno, "read backend %u: %s", id,
				       strerror(errno));
	return 0;
}

int kx_service_rebuild_ring(const struct kx_maps *m, uint32_t service_id)
{
	struct khaxdp_backend *backends;
	struct khaxdp_service svc;
	struct khaxdp_ring ring;
	struct khaxdp_vip key;
	int err;

	err = kx_service_by_id(m, service_id, &key, &svc);
	if (err)
		return err;
	backends = calloc(KHAXDP_MAX_BACKENDS, sizeof(*backends));
	if (!backends)
		return kx_fail(-ENOMEM, "out of memory");
	err = kx_backends_read(m, backends);
	if (!err) {
		kx_ring_build(backends, KHAXDP_MAX_BACKENDS, service_id, &ring);
		err = kx_ring_publish(m, &key, &svc, &ring);
	}
	free(backends);
	return err;
}

/* ---- services ----------------------------------------------------------- */

struct service_entry {
	struct khaxdp_vip key;
	struct khaxdp_service val;
};

/* Read all services, sorted by id. Returns how many, or -errno. */
static int services_read(const struct kx_maps *m,
			 struct service_entry out[KHAXDP_MAX_SERVICES])
{
	struct khaxdp_vip key, next;
	void *prev = NULL;
	int n = 0;

	while (n < KHAXDP_MAX_SERVICES &&
	       !bpf_map_get_next_key(m->services, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(m->services, &key, &out[n].val))
			continue;	/* deleted meanwhile */
		out[n++].key = key;
	}
	for (int i = 1; i < n; i++)	/* insertion sort: n <= 16 */
		for (int j = i; j > 0 && out[j].val.id < out[j - 1].val.id; j--) {
			struct service_entry t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

int kx_services_read(const struct kx_maps *m, struct khaxdp_vip *keys,
		     struct khaxdp_service *vals, unsigned int max)
{
	struct service_entry s[KHAXDP_MAX_SERVICES];
	int n = services_read(m, s);

	for (int i = 0; i < n && (unsigned int)i < max; i++) {
		keys[i] = s[i].key;
		vals[i] = s[i].val;
	}
	return n < (int)max ? n : (int)max;
}

int kx_services_foreach(const struct kx_maps *m, kx_service_fn fn, void *ctx)
{
	struct service_entry s[KHAXDP_MAX_SERVICES];
	int n, err;

	n = services_read(m, s);
	for (int i = 0; i < n; i++) {
		err = fn(&s[i].key, &s[i].val, ctx);
		if (err)
			return err;
	}
	return 0;
}

int kx_service_by_id(const struct kx_maps *m, uint32_t id,
		     struct khaxdp_vip *key, struct khaxdp_service *val)
{
	struct service_entry s[KHAXDP_MAX_SERVICES];
	int n;

	n = services_read(m, s);
	for (int i = 0; i < n; i++) {
		if (s[i].val.id != id)
			continue;
		if (key)
			*key = s[i].key;
		if (val)
			*val = s[i].val;
		return 0;
	}
	return kx_fail(-ENOENT, "no service with id %u", id);
}

/* ---- backends ----------------------------------------------------------- */

static void service_name(const struct kx_maps *m, uint32_t id, char *buf,
			 size_t len)
{
	struct khaxdp_service svc;

	if (kx_service_by_id(m, id, NULL, &svc))
		snprintf(buf, len, "#%u", id);
	else
		snprintf(buf, len, "%.*s", KHAXDP_NAME_LEN, svc.name);
}

int kx_backend_find(const struct kx_maps *m, const char *spec, uint32_t *id,
		    struct khaxdp_backend *b)
{
	char want_svc[KHAXDP_NAME_LEN] = "", svc[KHAXDP_NAME_LEN];
	char found[256] = "";
	const char *name = spec, *slash = strchr(spec, '/');
	struct khaxdp_backend cur;
	int matches = 0;

	if (slash) {
		snprintf(want_svc, sizeof(want_svc), "%.*s",
			 (int)(slash - spec), spec);
		name = slash + 1;
	}
	for (uint32_t i = 0; i < KHAXDP_MAX_BACKENDS; i++) {
		if (bpf_map_lookup_elem(m->backends, &i, &cur))
			return kx_fail(-errno, "read backend %u: %s", i,
				       strerror(errno));
		if (!cur.family || strncmp(cur.name, name, KHAXDP_NAME_LEN))
			continue;
		service_name(m, cur.service_id, svc, sizeof(svc));
		if (*want_svc && strcmp(svc, want_svc))
			continue;
		if (matches++ == 0) {
			*id = i;
			if (b)
				*b = cur;
		}
		snprintf(found + strlen(found), sizeof(found) - strlen(found),
			 "%s%s/%s", matches > 1 ? ", " : "", svc, name);
	}
	if (matches == 0)
		return kx_fail(-ENOENT, "no backend '%s' (see khaxdp status)",
			       spec);
	if (matches > 1)
		return kx_fail(-EEXIST, "backend '%s' is ambiguous: say SERVICE/NAME (%s)",
			       spec, found);
	return 0;
}

static int backend_update(const struct kx_maps *m, uint32_t id,
			  int field, uint8_t value)
{
	struct khaxdp_backend b;

	if (bpf_map_lookup_elem(m->backends, &id, &b))
		return kx_fail(-errno, "read backend %u: %s", id,
			       strerror(errno));
	if (!b.family)
		return kx_fail(-ENOENT, "backend %u is not in use", id);
	if (field == 0)
		b.admin = value;
	else
		b.health = value;
	if (bpf_map_update_elem(m->backends, &id, &b, BPF_EXIST))
		return kx_fail(-errno, "write backend %u: %s", id,
			       strerror(errno));
	return kx_service_rebuild_ring(m, b.service_id);
}

int kx_backend_set_admin(const struct kx_maps *m, uint32_t id,
			 enum khaxdp_admin admin)
{
	return backend_update(m, id, 0, admin);
}

int kx_backend_set_health(const struct kx_maps *m, uint32_t id,
			  enum khaxdp_health health)
{
	return backend_update(m, id, 1, health);
}

const char *kx_health_str(uint8_t health)
{
	switch (health) {
	case KHAXDP_HEALTH_UP:
		return "UP";
	case KHAXDP_HEALTH_GONE:
		return "GONE";
	}
	return "DOWN";
}

const char *kx_admin_str(uint8_t admin)
{
	switch (admin) {
	case KHAXDP_ADMIN_ENABLED:
		return "enabled";
	case KHAXDP_ADMIN_DRAIN:
		return "drain";
	case KHAXDP_ADMIN_DISABLED:
		return "disabled";
	}
	return "?";
}

int kx_admin_parse(const char *s, enum khaxdp_admin *admin)
{
	if (!strcmp(s, "enable") || !strcmp(s, "enabled"))
		*admin = KHAXDP_ADMIN_ENABLED;
	else if (!strcmp(s, "drain"))
		*admin = KHAXDP_ADMIN_DRAIN;
	else if (!strcmp(s, "disable") || !strcmp(s, "disabled"))
		*admin = KHAXDP_ADMIN_DISABLED;
	else
		return -EINVAL;
	return 0;
}

/* ---- counters ----------------------------------------------------------- */

int kx_node_read(const struct kx_maps *m, struct khaxdp_node *node)
{
	uint32_t key = 0;

	if (bpf_map_lookup_elem(m->node, &key, node))
		return kx_fail(-errno, "read node: %s", strerror(errno));
	return 0;
}

int kx_node_set_active(const struct kx_maps *m, uint8_t family, bool active,
		       bool hold, bool *changed)
{
	uint64_t since = active && hold ? kx_now_ns() : 0;
	struct khaxdp_node node;
	uint32_t key = 0;
	int err;

	*changed = false;
	err = kx_node_read(m, &node);
	if (err || !node.family || !khaxdp_node_active(&node, family) == !active)
		return err;
	if (family == KHAXDP_AF_INET6) {
		node.active6 = active;
		node.active6_since_ns = since;
	} else {
		node.active = active;
		node.active_since_ns = since;
	}
	if (bpf_map_update_elem(m->node, &key, &node, BPF_EXIST))
		return kx_fail(-errno, "%s/node: write active: %s", m->dir,
			       strerror(errno));
	*changed = true;
	return 0;
}

int kx_node_set_flag(const struct kx_maps *m, uint32_t flag, bool on)
{
	struct khaxdp_node node;
	uint32_t key = 0;
	int err;

	err = kx_node_read(m, &node);
	if (err || !node.family || !(node.flags & flag) == !on)
		return err;
	node.flags = on ? node.flags | flag : node.flags & ~flag;
	if (bpf_map_update_elem(m->node, &key, &node, BPF_EXIST))
		return kx_fail(-errno, "%s/node: write flags: %s", m->dir,
			       strerror(errno));
	return 0;
}

static int percpu_lookup(int fd, uint32_t key, size_t size, void **values,
			 int *ncpu)
{
	*ncpu = libbpf_num_possible_cpus();
	if (*ncpu <= 0)
		return kx_fail(*ncpu ? *ncpu : -EINVAL, "cannot count CPUs");
	/* The kernel copies per-CPU values at 8-byte strides. */
	*values = calloc(*ncpu, (size + 7) & ~(size_t)7);
	if (!*values)
		return kx_fail(-ENOMEM, "out of memory");
	if (bpf_map_lookup_elem(fd, &key, *values)) {
		int err = -errno;

		free(*values);
		return kx_fail(err, "read counters %u: %s", key,
			       strerror(-err));
	}
	return 0;
}

int kx_stats_sum(const struct kx_maps *m, uint64_t out[KHAXDP_STAT_MAX])
{
	uint64_t *v;
	int ncpu, err;

	for (uint32_t s = 0; s < KHAXDP_STAT_MAX; s++) {
		err = percpu_lookup(m->stats, s, sizeof(*v), (void **)&v,
				    &ncpu);
		if (err)
			return err;
		out[s] = 0;
		for (int c = 0; c < ncpu; c++)
			out[s] += v[c];
		free(v);
	}
	return 0;
}

int kx_backend_stats_sum(const struct kx_maps *m, uint32_t id,
			 struct khaxdp_backend_stats *out)
{
	struct khaxdp_backend_stats *v;
	int ncpu, err;

	err = percpu_lookup(m->backend_stats, id, sizeof(*v), (void **)&v,
			    &ncpu);
	if (err)
		return err;
	memset(out, 0, sizeof(*out));
	for (int c = 0; c < ncpu; c++) {
		out->packets_in += v[c].packets_in;
		out->bytes_in += v[c].bytes_in;
		out->packets_out += v[c].packets_out;
		out->bytes_out += v[c].bytes_out;
		out->flows_opened += v[c].flows_opened;
	}
	free(v);
	return 0;
}

/* ---- flows -------------------------------------------------------------- */

/* Key by key, from where the walk stopped. */
static int walk_keys(int fd, struct kx_flow_walk *w,
		     uint32_t max, kx_flow_fn fn, void *ctx)
{
	struct khaxdp_flow_key next;
	struct khaxdp_flow flow;
	uint32_t n = 0;
	int err;

	while (n < max && w->visited < w->bound) {
		if (bpf_map_get_next_key(fd, w->started ? &w->last : NULL,
					 &next)) {
			w->done = true;
			return 0;
		}
		w->started = true;
		w->last = next;
		if (bpf_map_lookup_elem(fd, &next, &flow))
			continue;	/* expired or evicted meanwhile */
		n++;
		w->visited++;
		err = fn(&next, &flow, ctx);
		if (err) {
			w->done = true;
			return err < 0 ? err : 0;
		}
	}
	w->done = w->done || w->visited >= w->bound;
	return 0;
}

int kx_flow_table_walk_step(int fd, struct kx_flow_walk *w, uint32_t max,
			    kx_flow_fn fn, void *ctx)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	static __thread struct khaxdp_flow_key keys[KX_FLOW_BATCH];
	static __thread struct khaxdp_flow vals[KX_FLOW_BATCH];
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), count;
	uint32_t n = 0;
	int err = 0;

	if (w->done)
		return 0;
	if (!w->bound)
		w->bound = bpf_obj_get_info_by_fd(fd, &info, &len) ?
				   UINT32_MAX : info.max_entries;
	if (w->key_by_key)
		return walk_keys(fd, w, max, fn, ctx);
	while (n < max && w->visited < w->bound) {
		count = KX_FLOW_BATCH;
		err = bpf_map_lookup_batch(fd, w->started ? &w->cursor : NULL,
					   &w->cursor, keys, vals, &count,
					   &opts) ? -errno : 0;
		if (err && err != -ENOENT) {
			if (!w->started && (err == -EINVAL || err == -EOPNOTSUPP)) {
				w->key_by_key = true;
				return walk_keys(fd, w, max, fn, ctx);
			}
			w->done = true;
			return kx_fail(err, "flows: batch lookup: %s", strerror(-err));
		}
		w->started = true;
		for (uint32_t i = 0; i < count; i++) {
			int stop = fn(&keys[i], &vals[i], ctx);

			if (stop) {
				w->done = true;
				return stop < 0 ? stop : 0;
			}
		}
		n += count;
		w->visited += count;
		if (err == -ENOENT) {
			w->done = true;
			return 0;
		}
	}
	w->done = w->visited >= w->bound;
	return 0;
}

int kx_flow_table_foreach(int fd, kx_flow_fn fn, void *ctx)
{
	struct kx_flow_walk w = {};
	int err = 0;

	while (!err && !w.done)
		err = kx_flow_table_walk_step(fd, &w, UINT32_MAX, fn, ctx);
	return err;
}

int kx_flows_foreach(const struct kx_maps *m, kx_flow_fn fn, void *ctx)
{
	return kx_flow_table_foreach(m->flows, fn, ctx);
}

uint64_t kx_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}
