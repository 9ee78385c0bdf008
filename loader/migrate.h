/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * migrate.h - pinned maps whose layout a new data plane changed.
 *
 * `khaxdp attach` over a running khaxdp reuses every pinned map, so that
 * flows survive the upgrade. libbpf refuses a pin whose key size, value
 * size or max_entries differ from the new object's. Such a pin is set
 * aside (unpinned, kept open), and so is one whose sizes are the same but
 * whose key or value type has other fields (loader/layout.h: libbpf would
 * reuse it and the new program read it wrong); the new program gets a map
 * of its own, and
 * what the old map held is dealt with by its kind:
 *   counters    start again from zero (stats)
 *   transient   dropped: half-open state that lives seconds
 *   flows       copied into the new map, each value converted (migrate());
 *               fields changed within the same size cannot be: refused
 * If the attach fails, every pin set aside is put back.
 */
#ifndef KX_MIGRATE_H
#define KX_MIGRATE_H

#include <bpf/libbpf.h>

#define KX_MIGRATE_MAX	8

struct kx_migration {
	const char *dir;
	unsigned int n;
	struct {
		const struct bpf_map *map;	/* in the new object */
		int old_fd;			/* the pin set aside */
		__u32 old_value_size;
	} aside[KX_MIGRATE_MAX];
};

/* Before the object is loaded: sets aside each pin under dir whose layout
 * differs from obj's map of the same name. 0 or -errno (kx_last_error()). */
int kx_migrate_prepare(struct kx_migration *m, const char *dir,
		       struct bpf_object *obj);
/* After the new maps exist: copies the flows of the maps set aside into
 * them, converted; entries the new map holds already are kept. Run once
 * before the new program takes the traffic and once after, for what the
 * old one added meanwhile. Returns the number of entries copied. */
long kx_migrate_copy(struct kx_migration *m);
/* The attach failed: the old pins go back where the running program's
 * readers look for them. */
void kx_migrate_restore(struct kx_migration *m);
void kx_migrate_close(struct kx_migration *m);

#endif /* KX_MIGRATE_H */
