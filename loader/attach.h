/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * attach.h - put the data plane on an interface, upgrade it, take it off.
 *
 * Everything attach makes lives under the pin directory (cfg->bpffs): the
 * maps (pinned by libbpf, by name), the programs (xdp_ingress, tc_egress)
 * and a one-entry map, loader_state, that remembers the interface and
 * whether khaxdp created the clsact qdisc. Nothing keeps running in user
 * space.
 */
#ifndef KX_ATTACH_H
#define KX_ATTACH_H

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "query.h"

enum kx_xdp_mode {
	KX_XDP_AUTO,		/* native, else generic with a warning */
	KX_XDP_NATIVE,
	KX_XDP_GENERIC,
};

struct kx_attach_result {
	bool upgraded;		/* replaced our own earlier programs */
	bool fell_back;		/* native failed, generic used */
	bool clsact_created;
	bool ports_reserved;	/* SNAT range in ip_local_reserved_ports */
	struct kx_xdp_info xdp;
	uint32_t tc_id;
};

/* Parse --mode. */
int kx_xdp_mode_parse(const char *s, enum kx_xdp_mode *mode);

/*
 * Load (or upgrade), attach and fill from cfg. cfg must be fully parsed:
 * attach changes nothing when it can tell in advance that it would fail.
 */
int kx_attach(const struct kx_config *cfg, const char *ifname,
	      enum kx_xdp_mode mode, struct kx_attach_result *res);

/* Remove what attach made: our programs, our filter, the qdisc if we
 * created it and it is empty, the pins and the directory. -ENOENT: there
 * was nothing to remove. */
int kx_detach(const char *dir, const char *ifname, bool force);

#endif /* KX_ATTACH_H */
