// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * migrate.c - pinned maps whose layout a new data plane changed. See
 * migrate.h.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "bpf/khaxdp.h"
#include "layout.h"
#include "maps.h"
#include "migrate.h"
#include "query.h"
#include "util.h"

enum aside_kind {
	ASIDE_COUNTERS,		/* start again from zero */
	ASIDE_TRANSIENT,	/* dropped */
	ASIDE_FLOWS,		/* copied, converted */
};

static const struct {
	const char *name;
	enum aside_kind kind;
} asides[] = {
	{ "stats", ASIDE_COUNTERS },
	{ "half_open", ASIDE_TRANSIENT },
	{ "half_open_nat", ASIDE_TRANSIENT },
	{ "syn_sources", ASIDE_TRANSIENT },
	{ "flows", ASIDE_FLOWS },
	{ "nat", ASIDE_FLOWS },
	/* refilled by attach, but the new program meets them first: without
	 * the node entry it would pass everything, and forget whether this
	 * node is the active one, until the fill */
	{ "services", ASIDE_FLOWS },
	{ "node", ASIDE_FLOWS },
};

_Static_assert(sizeof(asides) / sizeof(asides[0]) <= KX_MIGRATE_MAX,
	       "room for every map that may be set aside");

static enum aside_kind kind_of(const char *name)
{
	for (size_t i = 0; i < KX_ARRAY_SIZE(asides); i++)
		if (!strcmp(asides[i].name, name))
			return asides[i].kind;
	return ASIDE_TRANSIENT;
}

/*
 * An entry of an older layout in the current one. Every layout so far
 * only grew at the end, so the old bytes are the new struct's first ones
 * and the rest starts zeroed. What the zeroes mean:
 *   flows  a flow whose sequence numbers nobody tracked: UNTRACKED, so
 *          that its RST and FIN are believed as before
 *   nat    the backend's side unknown, which UNTRACKED covers
 *   services  no local backend known until attach fills the maps
 */
static void convert(const char *name, void *val)
{
	if (!strcmp(name, "flows")) {
		struct khaxdp_flow *f = val;

		f->flags |= KHAXDP_FLOW_UNTRACKED;
	} else if (!strcmp(name, "services")) {
		struct khaxdp_service *s = val;

		s->local_backend = KHAXDP_NO_BACKEND;	/* until fill */
	}
}

/* Can this khaxdp take the pin as it is? libbpf reuses a pin when all of
 * these are the same; so must the layout of its types be (the same sizes
 * can hold other fields), which libbpf does not look at. */
static bool same_sizes(const struct bpf_map_info *info,
		       const struct bpf_map *map)
{
	return info->type == bpf_map__type(map) &&
	       info->key_size == bpf_map__key_size(map) &&
	       info->value_size == bpf_map__value_size(map) &&
	       info->max_entries == bpf_map__max_entries(map) &&
	       info->map_flags == bpf_map__map_flags(map);
}

/* The pin's fields as the object's: what the attach that made it recorded
 * in layouts (layouts_fd; -1 for a khaxdp before that map, whose pins have
 * only their sizes to tell) against the object's BTF. */
static bool same_fields(int layouts_fd, const struct bpf_map *map,
			const struct btf *btf)
{
	__u64 pin = 0, ours;

	if (layouts_fd < 0 || !btf ||
	    kx_layout_of(layouts_fd, bpf_map__name(map), &pin) || !pin)
		return true;
	ours = kx_btf_layout(btf, bpf_map__btf_key_type_id(map),
			     bpf_map__btf_value_type_id(map));
	return !ours || pin == ours;
}

/* Flows are carried over when their key is the same and their value only
 * grew at the end (convert()), or when only the map's type or flags
 * changed; a new max_flows is refused before this (attach's
 * check_flows_size()). Fields changed within the same size cannot be
 * converted that way. */
static bool convertible(const struct bpf_map_info *info,
			const struct bpf_map *map, bool fields)
{
	return info->key_size == bpf_map__key_size(map) &&
	       info->max_entries == bpf_map__max_entries(map) &&
	       (info->value_size < bpf_map__value_size(map) ||
		(info->value_size == bpf_map__value_size(map) && fields));
}

int kx_migrate_prepare(struct kx_migration *m, const char *dir,
		       struct bpf_object *obj)
{
	const struct btf *btf = bpf_object__btf(obj);
	const struct bpf_map *map;
	char path[PATH_MAX];
	int layouts_fd = -1;

	memset(m, 0, sizeof(*m));
	m->dir = dir;
	if (!kx_pin_path(path, sizeof(path), dir, "layouts"))
		layouts_fd = bpf_obj_get(path);
	bpf_object__for_each_map(map, obj) {
		struct bpf_map_info info = {};
		__u32 len = sizeof(info);
		const char *name = bpf_map__name(map);
		bool fields;
		int fd, err;

		if (!bpf_map__pin_path(map) ||
		    kx_pin_path(path, sizeof(path), dir, name))
			continue;
		fd = bpf_obj_get(path);
		if (fd < 0)
			continue;	/* first attach, or a new map */
		fields = true;
		if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
			fields = same_fields(layouts_fd, map, btf);
			if (same_sizes(&info, map) && fields) {
				close(fd);
				continue;
			}
		}
		if (m->n == KX_MIGRATE_MAX ||
		    (kind_of(name) == ASIDE_FLOWS &&
		     !convertible(&info, map, fields))) {
			close(fd);
			if (layouts_fd >= 0)
				close(layouts_fd);
			kx_migrate_restore(m);
			return kx_fail(-EINVAL, "%s: key %u, value %u bytes, %u entries: this khaxdp cannot take over its flows (key %u, value %u, %u entries); detach first (dropping them)",
				       path, info.key_size, info.value_size,
				       info.max_entries, bpf_map__key_size(map),
				       bpf_map__value_size(map),
				       bpf_map__max_entries(map));
		}
		if (unlink(path)) {
			err = -errno;
			close(fd);
			if (layouts_fd >= 0)
				close(layouts_fd);
			kx_migrate_restore(m);
			return kx_fail(err, "unpin %s: %s", path, strerror(-err));
		}
		m->aside[m->n].map = map;
		m->aside[m->n].old_fd = fd;
		m->aside[m->n].old_value_size = info.value_size;
		m->n++;
		switch (kind_of(name)) {
		case ASIDE_COUNTERS:
			kx_info("%s: %u counter slots, this data plane has %u: the per-reason counters start again from zero",
				path, info.max_entries,
				bpf_map__max_entries(map));
			break;
		case ASIDE_TRANSIENT:
			kx_info("%s: a new layout; what it held starts anew (half-open flows live seconds, attach fills the rest)",
				path);
			break;
		case ASIDE_FLOWS:
			kx_info("%s: entries of %u bytes, this data plane's are %u: carried over",
				path, info.value_size,
				bpf_map__value_size(map));
			break;
		}
	}
	if (layouts_fd >= 0)
		close(layouts_fd);
	return 0;
}

/* An array's entries always exist: "not there yet" is all zeroes. */
static bool array_slot_empty(int fd, const void *key, __u32 value_size)
{
	unsigned char *v = calloc(1, value_size);
	bool empty = false;

	if (v && !bpf_map_lookup_elem(fd, key, v)) {
		empty = true;
		for (__u32 i = 0; i < value_size && empty; i++)
			empty = !v[i];
	}
	free(v);
	return empty;
}

/* Copy the entries of one old map into the new one (BPF_NOEXIST; in an
 * array, into entries still zero). */
static long copy_map(const char *name, int old_fd, __u32 old_size, int new_fd,
		     __u32 key_size, __u32 value_size, __u32 max_entries)
{
	unsigned char *key = calloc(2, key_size), *next = key + key_size;
	unsigned char *val = calloc(1, value_size);
	unsigned char *old = calloc(1, old_size);
	void *prev = NULL;
	long copied = 0;

	if (!key || !val || !old) {
		free(key);
		free(val);
		free(old);
		return -ENOMEM;
	}
	/* Bounded: an LRU map changes under the walk. */
	for (__u32 i = 0; i < max_entries; i++) {
		if (bpf_map_get_next_key(old_fd, prev, next))
			break;
		memcpy(key, next, key_size);
		prev = key;
		if (bpf_map_lookup_elem(old_fd, key, old))
			continue;	/* gone meanwhile */
		memset(val, 0, value_size);
		memcpy(val, old, old_size);
		convert(name, val);
		if (!bpf_map_update_elem(new_fd, key, val, BPF_NOEXIST) ||
		    (errno == EEXIST && array_slot_empty(new_fd, key, value_size) &&
		     !bpf_map_update_elem(new_fd, key, val, BPF_ANY)))
			copied++;
	}
	free(key);
	free(val);
	free(old);
	return copied;
}

long kx_migrate_copy(struct kx_migration *m)
{
	long total = 0;

	for (unsigned int i = 0; i < m->n; i++) {
		const struct bpf_map *map = m->aside[i].map;
		const char *name = bpf_map__name(map);
		long n;

		if (kind_of(name) != ASIDE_FLOWS || bpf_map__fd(map) < 0)
			continue;
		n = copy_map(name, m->aside[i].old_fd,
			     m->aside[i].old_value_size, bpf_map__fd(map),
			     bpf_map__key_size(map), bpf_map__value_size(map),
			     bpf_map__max_entries(map));
		if (n < 0)
			return kx_fail((int)n, "carry %s over: %s", name,
				       strerror((int)-n));
		total += n;
	}
	return total;
}

void kx_migrate_restore(struct kx_migration *m)
{
	char path[PATH_MAX];

	for (unsigned int i = 0; i < m->n; i++) {
		if (m->aside[i].old_fd < 0 ||
		    kx_pin_path(path, sizeof(path), m->dir,
				bpf_map__name(m->aside[i].map)))
			continue;
		unlink(path);
		if (bpf_obj_pin(m->aside[i].old_fd, path))
			kx_warn("pin %s back: %s", path, strerror(errno));
	}
}

void kx_migrate_close(struct kx_migration *m)
{
	for (unsigned int i = 0; i < m->n; i++) {
		if (m->aside[i].old_fd >= 0)
			close(m->aside[i].old_fd);
		m->aside[i].old_fd = -1;
	}
	m->n = 0;
}
