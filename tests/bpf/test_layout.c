// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The layout user space expects of each map (KHAXDP_MAPS in bpf/khaxdp.h)
 * is the object's, map by map; and a pin of another layout (an older or
 * newer khaxdp's) is refused by kx_maps_open() with one line, never read.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/btf.h>
#include "khaxdp_test.h"
#include "loader/migrate.h"
#include "loader/util.h"

static void layout_matches_object(struct fixture *fx)
{
	struct bpf_map *map;
	__u32 type, key, value;
	int n = 0;

	bpf_object__for_each_map(map, fx->skel->obj) {
		if (kx_map_layout(bpf_map__name(map), &type, &key, &value))
			continue;	/* attach's own, or .rodata */
		n++;
		ASSERT_EQ(type, bpf_map__type(map), bpf_map__name(map));
		ASSERT_EQ(key, bpf_map__key_size(map), bpf_map__name(map));
		ASSERT_EQ(value, bpf_map__value_size(map), bpf_map__name(map));
	}
	ASSERT_EQ(n, 15, "maps of KHAXDP_MAPS found in the object");
}

/* Every map pinned in a bpffs of our own, then one replaced. */
static void other_layout_refused(struct fixture *fx)
{
	char dir[] = "/tmp/khaxdp-layout-XXXXXX", path[PATH_MAX];
	struct kx_maps m;
	struct bpf_map *map;
	__u32 type, key, value;
	int fd, err;

	if (!ASSERT_TRUE(mkdtemp(dir) != NULL, "a directory"))
		return;
	if (!ASSERT_OK(mount("bpf", dir, "bpf", 0, NULL), "a bpffs on it")) {
		rmdir(dir);
		return;
	}
	bpf_object__for_each_map(map, fx->skel->obj) {
		if (kx_map_layout(bpf_map__name(map), &type, &key, &value))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(map));
		ASSERT_OK(bpf_obj_pin(bpf_map__fd(map), path), path);
	}
	err = kx_maps_open(&m, dir);
	if (ASSERT_OK(err, "the object's own maps open"))
		kx_maps_close(&m);

	/* node of an older khaxdp: a smaller value. */
	snprintf(path, sizeof(path), "%s/node", dir);
	unlink(path);
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "node", 4, 64, 1, NULL);
	if (ASSERT_TRUE(fd >= 0, "an old node map") &&
	    ASSERT_OK(bpf_obj_pin(fd, path), "pinned")) {
		err = kx_maps_open(&m, dir);
		ASSERT_EQ(err, -EPROTO, "kx_maps_open of the old layout");
		ASSERT_TRUE(strstr(kx_last_error(), "/node: a map of another khaxdp version (type 2, key 4, value 64 bytes") != NULL,
			    kx_last_error());
		if (!err)
			kx_maps_close(&m);
	}
	if (fd >= 0)
		close(fd);
	umount2(dir, MNT_DETACH);	/* the pins go with it */
	rmdir(dir);
}

/* An rr_cursor of the same type and sizes (key 4, value 8 bytes) whose
 * value has other fields: two 32-bit counters where this khaxdp reads one
 * 64-bit cursor. Only the layout of its BTF tells them apart. */
static int cursor_of_other_fields(void)
{
	LIBBPF_OPTS(bpf_map_create_opts, opts);
	struct btf *btf = btf__new_empty();
	int u32_id, st_id, btf_fd, fd = -1;

	if (!btf)
		return -1;
	u32_id = btf__add_int(btf, "unsigned int", 4, 0);
	st_id = btf__add_struct(btf, "khaxdp_cursor", 8);
	if (u32_id < 0 || st_id < 0 ||
	    btf__add_field(btf, "next_lo", u32_id, 0, 0) ||
	    btf__add_field(btf, "next_hi", u32_id, 32, 0) ||
	    btf__load_into_kernel(btf))
		goto out;
	btf_fd = btf__fd(btf);
	opts.btf_fd = btf_fd;
	opts.btf_key_type_id = u32_id;
	opts.btf_value_type_id = st_id;
	fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, "rr_cursor", 4, 8,
			    KHAXDP_MAX_SERVICES, &opts);
out:
	btf__free(btf);
	return fd;
}

static void other_fields_refused(struct fixture *fx)
{
	char dir[] = "/tmp/khaxdp-layout-XXXXXX", path[PATH_MAX];
	struct bpf_map *map;
	__u32 type, key, value;
	struct kx_maps m;
	int fd, err;

	if (!ASSERT_TRUE(mkdtemp(dir) != NULL, "a directory"))
		return;
	if (!ASSERT_OK(mount("bpf", dir, "bpf", 0, NULL), "a bpffs on it")) {
		rmdir(dir);
		return;
	}
	bpf_object__for_each_map(map, fx->skel->obj) {
		if (kx_map_layout(bpf_map__name(map), &type, &key, &value) ||
		    !strcmp(bpf_map__name(map), "rr_cursor"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(map));
		ASSERT_OK(bpf_obj_pin(bpf_map__fd(map), path), path);
	}
	snprintf(path, sizeof(path), "%s/rr_cursor", dir);
	fd = cursor_of_other_fields();
	if (ASSERT_TRUE(fd >= 0, "a cursor map of other fields, same sizes") &&
	    ASSERT_OK(bpf_obj_pin(fd, path), "pinned")) {
		err = kx_maps_open(&m, dir);
		ASSERT_EQ(err, -EPROTO, "kx_maps_open of the same sizes, other fields");
		ASSERT_TRUE(strstr(kx_last_error(), "/rr_cursor: a map of another khaxdp version (the same sizes, other fields") != NULL,
			    kx_last_error());
		if (!err)
			kx_maps_close(&m);
	}
	if (fd >= 0)
		close(fd);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
}

/* What attach does with pins of the same sizes and other fields
 * (kx_migrate_prepare() on the object it loads): the cursor is set aside
 * for a map of the new layout; flows are refused (their bytes cannot be
 * converted field by field). */
static void attach_sets_other_fields_aside(struct fixture *fx)
{
	char dir[] = "/tmp/khaxdp-layout-XXXXXX", path[PATH_MAX];
	struct kx_migration mig;
	struct bpf_map *map;
	__u32 type, key, value;
	int fd, err;

	if (!ASSERT_TRUE(mkdtemp(dir) != NULL, "a directory"))
		return;
	if (!ASSERT_OK(mount("bpf", dir, "bpf", 0, NULL), "a bpffs on it")) {
		rmdir(dir);
		return;
	}
	bpf_object__for_each_map(map, fx->skel->obj) {
		if (kx_map_layout(bpf_map__name(map), &type, &key, &value))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(map));
		bpf_map__set_pin_path(map, path);	/* what attach sets */
		if (strcmp(bpf_map__name(map), "rr_cursor"))
			ASSERT_OK(bpf_obj_pin(bpf_map__fd(map), path), path);
	}
	err = kx_migrate_prepare(&mig, dir, fx->skel->obj);
	if (ASSERT_OK(err, "the object's own pins: nothing to set aside")) {
		ASSERT_EQ(mig.n, 0, "pins set aside");
		kx_migrate_close(&mig);
	}
	snprintf(path, sizeof(path), "%s/rr_cursor", dir);
	fd = cursor_of_other_fields();
	if (ASSERT_TRUE(fd >= 0, "a cursor map of other fields") &&
	    ASSERT_OK(bpf_obj_pin(fd, path), "pinned")) {
		err = kx_migrate_prepare(&mig, dir, fx->skel->obj);
		if (ASSERT_OK(err, "kx_migrate_prepare")) {
			ASSERT_EQ(mig.n, 1, "pins set aside: the cursor");
			ASSERT_TRUE(access(path, F_OK) != 0, "its pin removed for the new map");
			kx_migrate_restore(&mig);
			ASSERT_OK(access(path, F_OK), "put back when the attach fails");
			kx_migrate_close(&mig);
		}
	}
	if (fd >= 0)
		close(fd);
	bpf_object__for_each_map(map, fx->skel->obj)
		bpf_map__set_pin_path(map, NULL);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
}

static const struct fx_case cases[] = {
	{ "layout_matches_object", layout_matches_object },
	{ "attach_sets_other_fields_aside", attach_sets_other_fields_aside },
	{ "other_layout_refused", other_layout_refused },
	{ "other_fields_refused", other_fields_refused },
};

void test_layout(void)
{
	struct fixture fx;

	if (fx_init(&fx, NULL) == 0)
		FX_RUN_CASES(&fx, cases);
	fx_fini(&fx);
}
