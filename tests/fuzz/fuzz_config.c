// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_config.c - libFuzzer target of khaxdp.conf's parsers: the loader's
 * (loader/config.c) and the agent's sections ([vrrp NAME], [sync];
 * vrrp/vrrp_conf.c). Any text must be accepted or refused with a
 * FILE:LINE message, never crash or read out of bounds; what is accepted
 * keeps the invariants the data plane relies on.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/config.h"
#include "loader/util.h"
#include "vrrp/vrrp_conf.h"

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_config: invariant broken: %s\n", what);
		abort();
	}
}

static void quiet(enum kx_log_level level, const char *msg)
{
	(void)level;
	(void)msg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct kx_config cfg;
	static struct vrrp_config vc;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	kx_set_log(quiet);
	memcpy(text, data, size);
	text[size] = '\0';
	if (kx_config_load_string(&cfg, "fuzz.conf", text)) {
		check(!strncmp(kx_last_error(), "fuzz.conf", 9),
		      "a refusal names the file");
	} else {
		check(cfg.n_services <= KHAXDP_MAX_SERVICES, "services bounded");
		check(cfg.snat_min <= cfg.snat_max, "snat range ordered");
		for (unsigned int i = 0; i < cfg.n_services; i++) {
			const struct kx_service *s = &cfg.services[i];

			check(s->n_servers <= KHAXDP_MAX_SERVICE_BACKENDS,
			      "servers bounded");
			check(memchr(s->name, '\0', sizeof(s->name)) != NULL,
			      "service name terminated");
			check(s->listen.port != 0, "a listen port");
		}
		check(cfg.stats.n_allow <= KX_STATS_MAX_ALLOW, "allow bounded");
		vrrp_conf_from(&cfg, &vc);	/* any result; no crash */
		check(vc.n <= VRRP_MAX_INSTANCES, "instances bounded");
		check(vc.sync.n_peers <= VRRP_MAX_PEERS, "peers bounded");
	}
	kx_config_free(&cfg);
	free(text);
	return 0;
}
