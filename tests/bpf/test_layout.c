// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * The layout user space expects of each map (KHAXDP_MAPS in bpf/khaxdp.h)
 * is the object's, map by map; and a pin of another layout (an older or
 * newer khaxdp's) is refused by kx_maps_open() with one line, never read.
 */
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "khaxdp_test.h"
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

static const struct fx_case cases[] = {
	{ "layout_matches_object", layout_matches_object },
	{ "other_layout_refused", other_layout_refused },
};

void test_layout(void)
{
	struct fixture fx;

	if (fx_init(&fx, NULL) == 0)
		FX_RUN_CASES(&fx, cases);
	fx_fini(&fx);
}
