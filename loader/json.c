// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* json.c - a small streaming JSON writer. */
#include <inttypes.h>

#include "json.h"

void kx_json_init(struct kx_json *j, FILE *out)
{
	*j = (struct kx_json){ .out = out };
}

/* Before any value: a comma if the container already has one. */
static void value_prefix(struct kx_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->has_items[j->depth])
		fputc(',', j->out);
	j->has_items[j->depth] = true;
}

static void open_container(struct kx_json *j, char c)
{
	value_prefix(j);
	fputc(c, j->out);
	if (j->depth < KX_JSON_MAX_DEPTH - 1)
		j->depth++;
	j->has_items[j->depth] = false;
}

static void close_container(struct kx_json *j, char c)
{
	fputc(c, j->out);
	if (j->depth > 0)
		j->depth--;
	if (j->depth == 0)
		fputc('\n', j->out);
}

void kx_json_object_begin(struct kx_json *j) { open_container(j, '{'); }
void kx_json_object_end(struct kx_json *j) { close_container(j, '}'); }
void kx_json_array_begin(struct kx_json *j) { open_container(j, '['); }
void kx_json_array_end(struct kx_json *j) { close_container(j, ']'); }

static void write_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", out);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

void kx_json_key(struct kx_json *j, const char *key)
{
	value_prefix(j);
	write_string(j->out, key);
	fputc(':', j->out);
	j->after_key = true;
}

void kx_json_string(struct kx_json *j, const char *s)
{
	value_prefix(j);
	write_string(j->out, s);
}

void kx_json_u64(struct kx_json *j, uint64_t v)
{
	value_prefix(j);
	fprintf(j->out, "%" PRIu64, v);
}

void kx_json_bool(struct kx_json *j, bool v)
{
	value_prefix(j);
	fputs(v ? "true" : "false", j->out);
}

void kx_json_null(struct kx_json *j)
{
	value_prefix(j);
	fputs("null", j->out);
}

void kx_json_kv_string(struct kx_json *j, const char *key, const char *s)
{
	kx_json_key(j, key);
	kx_json_string(j, s);
}

void kx_json_kv_u64(struct kx_json *j, const char *key, uint64_t v)
{
	kx_json_key(j, key);
	kx_json_u64(j, v);
}

void kx_json_kv_bool(struct kx_json *j, const char *key, bool v)
{
	kx_json_key(j, key);
	kx_json_bool(j, v);
}
