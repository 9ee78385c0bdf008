/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * layout.h - a map's layout as one number: a hash of the BTF of its key
 * and value types (names, sizes, offsets and types of every member, all
 * the way down). Two maps whose structs have the same sizes but fields
 * renamed, moved or retyped get different numbers, where the sizes alone
 * would let one khaxdp read another's map wrong.
 *
 * The build computes each map's number from the BPF object
 * (tools/layout_gen writes $(BUILD)/khaxdp_layout.h); kx_maps_open()
 * computes it again from the BTF the kernel keeps of a pinned map and
 * refuses a pin whose number differs; attach sets such a pin aside as it
 * does one whose sizes differ.
 */
#ifndef KX_LAYOUT_H
#define KX_LAYOUT_H

#include <linux/types.h>

struct btf;

/* The layout of key type key_id and value type value_id of btf (0: none,
 * as for a ring buffer); 0 when neither has a type. */
__u64 kx_btf_layout(const struct btf *btf, __u32 key_id, __u32 value_id);

/* The same of a map from the kernel's BTF of it (info from
 * bpf_obj_get_info_by_fd()): 0 with *layout set (0: the map has no BTF),
 * or -errno. *cache keeps the BTF last loaded for the next call (the maps
 * of one object share it); kx_layout_cache_free() when done. */
struct kx_layout_cache {
	struct btf *btf;
	__u32 btf_id;
};
struct bpf_map_info;
int kx_map_info_layout(const struct bpf_map_info *info,
		       struct kx_layout_cache *cache, __u64 *layout);
void kx_layout_cache_free(struct kx_layout_cache *cache);

#endif /* KX_LAYOUT_H */
