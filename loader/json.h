/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * json.h - a small streaming JSON writer: objects, arrays, strings,
 * integers, booleans. It keeps commas and nesting right; the caller keeps
 * keys and values paired.
 */
#ifndef KX_JSON_H
#define KX_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define KX_JSON_MAX_DEPTH 16

struct kx_json {
	FILE *out;
	int depth;
	bool has_items[KX_JSON_MAX_DEPTH];
	bool after_key;
};

void kx_json_init(struct kx_json *j, FILE *out);
void kx_json_object_begin(struct kx_json *j);
void kx_json_object_end(struct kx_json *j);
void kx_json_array_begin(struct kx_json *j);
void kx_json_array_end(struct kx_json *j);
void kx_json_key(struct kx_json *j, const char *key);
void kx_json_string(struct kx_json *j, const char *s);
void kx_json_u64(struct kx_json *j, uint64_t v);
void kx_json_bool(struct kx_json *j, bool v);
void kx_json_null(struct kx_json *j);

/* key + value in one call. */
void kx_json_kv_string(struct kx_json *j, const char *key, const char *s);
void kx_json_kv_u64(struct kx_json *j, const char *key, uint64_t v);
void kx_json_kv_bool(struct kx_json *j, const char *key, bool v);

#endif /* KX_JSON_H */
