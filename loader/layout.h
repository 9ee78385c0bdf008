/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * layout.h - a map's layout as one number: a hash of the BTF of its key
 * and value types (names, sizes, offsets and types of every member, all
 * the way down). Two maps whose structs have the same sizes but fields
 * renamed, moved or retyped get different numbers, where the sizes alone
 * would let one khaxdp read another's map wrong.
 *
 * The build computes each map's number from the BPF object
 * (tools/layout_gen writes $(BUILD)/khaxdp_layout.h). attach writes them
 * into the pinned map "layouts" (name -> number); kx_maps_open() compares
 * each with its own and refuses a map whose number differs, and attach sets
 * such a pin aside as it does one whose sizes differ. (The kernel keeps
 * each map's BTF, but reading it back needs CAP_SYS_ADMIN, which neither
 * the agent nor attach has.)
 */
#ifndef KX_LAYOUT_H
#define KX_LAYOUT_H

#include <linux/types.h>

struct btf;

/* The layout of key type key_id and value type value_id of btf (0: none,
 * as for a ring buffer); 0 when neither has a type. */
__u64 kx_btf_layout(const struct btf *btf, __u32 key_id, __u32 value_id);


#endif /* KX_LAYOUT_H */
