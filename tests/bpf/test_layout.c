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
#include "loader/layout.h"
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
	ASSERT_EQ(n, 16, "maps of KHAXDP_MAPS found in the object");
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
	ASSERT_OK(kx_layouts_write(bpf_map__fd(fx->skel->maps.layouts)),
		  "layouts recorded, as attach does");
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

/* The BTF of a cursor of the same size (8 bytes) with other fields: two
 * 32-bit counters where this khaxdp reads one 64-bit cursor. */
static struct btf *cursor_of_other_fields(__u32 *key_id, __u32 *value_id)
{
	struct btf *btf = btf__new_empty();
	int u32_id, st_id;

	if (!btf)
		return NULL;
	u32_id = btf__add_int(btf, "unsigned int", 4, 0);
	st_id = btf__add_struct(btf, "khaxdp_cursor", 8);
	if (u32_id < 0 || st_id < 0 ||
	    btf__add_field(btf, "next_lo", u32_id, 0, 0) ||
	    btf__add_field(btf, "next_hi", u32_id, 32, 0)) {
		btf__free(btf);
		return NULL;
	}
	*key_id = u32_id;
	*value_id = st_id;
	return btf;
}

/* The layouts the build took from the object (khaxdp_layout.h, through
 * attach's kx_layouts_write()) are the object's; a struct of the same size
 * with other fields has another. */
static void layout_tells_fields(struct fixture *fx)
{
	const struct btf *btf = bpf_object__btf(fx->skel->obj);
	struct bpf_map *map = fx->skel->maps.rr_cursor;
	__u32 key_id = 0, value_id = 0;
	struct btf *other;
	__u64 ours, theirs, recorded;
	int fd = bpf_map__fd(fx->skel->maps.layouts);

	ours = kx_btf_layout(btf, bpf_map__btf_key_type_id(map),
			     bpf_map__btf_value_type_id(map));
	if (!ASSERT_OK(kx_layouts_write(fd), "kx_layouts_write") ||
	    !ASSERT_OK(kx_layout_of(fd, "rr_cursor", &recorded), "kx_layout_of"))
		return;
	ASSERT_EQ(recorded, ours, "rr_cursor: the layout recorded is the object's");
	ASSERT_OK(kx_layout_of(fd, "flows", &recorded), "kx_layout_of flows");
	map = fx->skel->maps.flows;
	ASSERT_EQ(recorded, kx_btf_layout(btf, bpf_map__btf_key_type_id(map),
					  bpf_map__btf_value_type_id(map)),
		  "flows: the layout recorded is the object's");
	other = cursor_of_other_fields(&key_id, &value_id);
	if (!ASSERT_OK_PTR(other, "BTF of a cursor with other fields"))
		return;
	theirs = kx_btf_layout(other, key_id, value_id);
	ASSERT_TRUE(theirs != ours, "same sizes, other fields: another layout");
	btf__free(other);
}

/* Every map of the object pinned in a bpffs of our own, its layouts
 * recorded as attach does. */
static bool pin_all(struct fixture *fx, char *dir)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	__u32 type, key, value;

	if (!ASSERT_TRUE(mkdtemp(dir) != NULL, "a directory"))
		return false;
	if (!ASSERT_OK(mount("bpf", dir, "bpf", 0, NULL), "a bpffs on it")) {
		rmdir(dir);
		return false;
	}
	ASSERT_OK(kx_layouts_write(bpf_map__fd(fx->skel->maps.layouts)),
		  "layouts recorded");
	bpf_object__for_each_map(map, fx->skel->obj) {
		if (kx_map_layout(bpf_map__name(map), &type, &key, &value))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(map));
		ASSERT_OK(bpf_obj_pin(bpf_map__fd(map), path), path);
	}
	return true;
}

static void unpin_all(char *dir)
{
	umount2(dir, MNT_DETACH);	/* the pins go with it */
	rmdir(dir);
}

/* A khaxdp whose cursor kept its size but not its fields attached (its
 * layouts say so): this one refuses the pins, with one line. */
static void other_fields_refused(struct fixture *fx)
{
	char dir[] = "/tmp/khaxdp-layout-XXXXXX";
	struct khaxdp_map_name k = { "rr_cursor" };
	__u64 theirs = 0x1234;
	struct kx_maps m;
	int err, fd = bpf_map__fd(fx->skel->maps.layouts);

	if (!pin_all(fx, dir))
		return;
	err = kx_maps_open(&m, dir);
	if (ASSERT_OK(err, "the pins as this khaxdp made them"))
		kx_maps_close(&m);
	if (ASSERT_OK(bpf_map_update_elem(fd, &k, &theirs, BPF_ANY), "layouts of another version")) {
		err = kx_maps_open(&m, dir);
		ASSERT_EQ(err, -EPROTO, "kx_maps_open of the same sizes, other fields");
		ASSERT_TRUE(strstr(kx_last_error(), "/rr_cursor: a map of another khaxdp version (the same sizes, other fields") != NULL,
			    kx_last_error());
		if (!err)
			kx_maps_close(&m);
	}
	ASSERT_OK(bpf_map_delete_elem(fd, &k), "rr_cursor's layout removed");
	err = kx_maps_open(&m, dir);
	ASSERT_EQ(err, -EPROTO, "kx_maps_open with no layout recorded for a map");
	if (!err)
		kx_maps_close(&m);
	kx_layouts_write(fd);
	unpin_all(dir);
}

/* What attach does with such pins (kx_migrate_prepare() on the object it
 * loads): the cursor is set aside for a map of the new layout; flows of
 * other fields in the same size are refused (their bytes cannot be
 * converted); a pin set that records nothing (a khaxdp before the layouts
 * map) is judged by its sizes as before. */
static void attach_sets_other_fields_aside(struct fixture *fx)
{
	char dir[] = "/tmp/khaxdp-layout-XXXXXX", path[PATH_MAX];
	struct khaxdp_map_name k = { "rr_cursor" }, kf = { "flows" };
	int fd = bpf_map__fd(fx->skel->maps.layouts), err;
	struct kx_migration mig;
	struct bpf_map *map;
	__u64 theirs = 0x1234;

	if (!pin_all(fx, dir))
		return;
	bpf_object__for_each_map(map, fx->skel->obj) {
		snprintf(path, sizeof(path), "%s/%s", dir, bpf_map__name(map));
		bpf_map__set_pin_path(map, path);	/* what attach sets */
	}
	err = kx_migrate_prepare(&mig, dir, fx->skel->obj);
	if (ASSERT_OK(err, "the object's own pins: nothing to set aside")) {
		ASSERT_EQ(mig.n, 0, "pins set aside");
		kx_migrate_close(&mig);
	}
	snprintf(path, sizeof(path), "%s/rr_cursor", dir);
	if (ASSERT_OK(bpf_map_update_elem(fd, &k, &theirs, BPF_ANY), "a cursor of other fields")) {
		err = kx_migrate_prepare(&mig, dir, fx->skel->obj);
		if (ASSERT_OK(err, "kx_migrate_prepare")) {
			ASSERT_EQ(mig.n, 1, "pins set aside: the cursor");
			ASSERT_TRUE(access(path, F_OK) != 0, "its pin removed for the new map");
			kx_migrate_restore(&mig);
			ASSERT_OK(access(path, F_OK), "put back when the attach fails");
			kx_migrate_close(&mig);
		}
	}
	kx_layouts_write(fd);
	if (ASSERT_OK(bpf_map_update_elem(fd, &kf, &theirs, BPF_ANY), "flows of other fields")) {
		err = kx_migrate_prepare(&mig, dir, fx->skel->obj);
		ASSERT_EQ(err, -EINVAL, "kx_migrate_prepare refuses them");
		ASSERT_TRUE(strstr(kx_last_error(), "cannot take over its flows") != NULL,
			    kx_last_error());
		if (!err)
			kx_migrate_close(&mig);
	}
	kx_layouts_write(fd);
	bpf_object__for_each_map(map, fx->skel->obj)
		bpf_map__set_pin_path(map, NULL);
	unpin_all(dir);
}

static const struct fx_case cases[] = {
	{ "layout_matches_object", layout_matches_object },
	{ "layout_tells_fields", layout_tells_fields },
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
