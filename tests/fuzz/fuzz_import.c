// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_import.c - libFuzzer target of `khaxdp import`: the input (split in
 * two at its first NUL: haproxy.cfg, then keepalived.conf) is parsed; what
 * is accepted is written out, and khaxdp's own parser must take what the
 * importer wrote (or refuse it only where the importer said so, with the
 * placeholder VIP of a `bind *` it could not fill in).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/config.h"
#include "loader/import.h"
#include "loader/util.h"

static void quiet(enum kx_log_level level, const char *msg)
{
	(void)level;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kx_imp_haproxy h;
	static struct kx_imp_keepalived k;
	static struct kx_config cfg;
	struct kx_imp_warnings w = {};
	char *text = malloc(size + 2), *second, *out = NULL;
	size_t out_len = 0;
	FILE *mem;
	int herr, kerr;

	if (!text)
		return 0;
	kx_set_log(quiet);
	memcpy(text, data, size);
	text[size] = text[size + 1] = '\0';
	second = text + strlen(text) + 1;
	if (second > text + size)
		second = text + size;
	memset(&h, 0, sizeof(h));
	memset(&k, 0, sizeof(k));
	herr = kx_import_haproxy("h.cfg", text, &h, &w);
	kerr = kx_import_keepalived("k.conf", second, &k, &w);
	if (!herr && !kerr) {
		mem = open_memstream(&out, &out_len);
		if (mem && !kx_import_write(mem, &h, &k, &w)) {
			fclose(mem);
			mem = NULL;
			if (kx_config_load_string(&cfg, "out.conf", out) &&
			    !strstr(out, "listen = VIP:") &&
			    !strstr(kx_last_error(), "no [service")) {
				fprintf(stderr, "fuzz_import: khaxdp refuses what import wrote: %s\n%s\n",
					kx_last_error(), out);
				abort();
			}
			kx_config_free(&cfg);
		}
		if (mem)
			fclose(mem);
		free(out);
	}
	kx_imp_warnings_free(&w);
	free(text);
	return 0;
}
