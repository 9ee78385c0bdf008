// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* layout.c - a map's layout as a hash of its key and value types' BTF. */
#include <string.h>

#include <bpf/btf.h>

#include "layout.h"

#define FNV_OFFSET	0xcbf29ce484222325ULL
#define FNV_PRIME	0x100000001b3ULL
#define DEPTH_MAX	32

static __u64 mix(__u64 h, const void *p, size_t len)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < len; i++)
		h = (h ^ b[i]) * FNV_PRIME;
	return h;
}

static __u64 mix_u32(__u64 h, __u32 v)
{
	return mix(h, &v, sizeof(v));
}

static __u64 mix_str(__u64 h, const struct btf *btf, __u32 off)
{
	const char *s = btf__name_by_offset(btf, off);

	return s ? mix(h, s, strlen(s) + 1) : mix_u32(h, 0);
}

/* A canonical walk of type id: what it is, and what it is made of. Type
 * ids themselves never count (they differ between objects). */
static __u64 type_hash(const struct btf *btf, __u32 id, __u64 h, int depth)
{
	const struct btf_type *t;

	if (!id)
		return mix_u32(h, 0xffffffff);		/* void */
	t = btf__type_by_id(btf, id);
	if (!t || depth > DEPTH_MAX)
		return mix_u32(h, 0xfffffffe);
	h = mix_u32(h, btf_kind(t));
	h = mix_str(h, btf, t->name_off);
	switch (btf_kind(t)) {
	case BTF_KIND_INT:
		h = mix_u32(h, t->size);
		return mix_u32(h, *(const __u32 *)(t + 1));	/* encoding, bits */
	case BTF_KIND_ENUM: {
		const struct btf_enum *e = btf_enum(t);

		h = mix_u32(h, t->size);
		for (int i = 0; i < btf_vlen(t); i++) {
			h = mix_str(h, btf, e[i].name_off);
			h = mix_u32(h, (__u32)e[i].val);
		}
		return h;
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_UNION: {
		const struct btf_member *m = btf_members(t);

		h = mix_u32(h, t->size);
		h = mix_u32(h, btf_vlen(t));
		for (int i = 0; i < btf_vlen(t); i++) {
			h = mix_str(h, btf, m[i].name_off);
			h = mix_u32(h, btf_member_bit_offset(t, i));
			h = mix_u32(h, btf_member_bitfield_size(t, i));
			h = type_hash(btf, m[i].type, h, depth + 1);
		}
		return h;
	}
	case BTF_KIND_ARRAY: {
		const struct btf_array *a = btf_array(t);

		h = mix_u32(h, a->nelems);
		return type_hash(btf, a->type, h, depth + 1);
	}
	case BTF_KIND_TYPEDEF:
	case BTF_KIND_VOLATILE:
	case BTF_KIND_CONST:
	case BTF_KIND_RESTRICT:
		return type_hash(btf, t->type, h, depth + 1);
	default:	/* pointers, forward declarations: by kind and name */
		return h;
	}
}

__u64 kx_btf_layout(const struct btf *btf, __u32 key_id, __u32 value_id)
{
	__u64 h;

	if (!key_id && !value_id)
		return 0;
	h = type_hash(btf, key_id, FNV_OFFSET, 0);
	h = type_hash(btf, value_id, h, 0);
	return h ? h : 1;	/* 0 means "none" */
}
