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

#define KX_PIN_STATE	"loader_state"
#define KX_TC_HANDLE	0x4b58		/* "KX" */
#define KX_TC_PRIO	0x4b58

enum kx_xdp_mode {
	KX_XDP_AUTO,		/* native, else generic with a warning */
	KX_XDP_NATIVE,
	KX_XDP_GENERIC,
};

enum kx_state_flags {
	KX_STATE_CLSACT_CREATED = 1 << 0,	/* detach may remove it */
	KX_STATE_LIBXDP_DIR_CREATED = 1 << 1,	/* libxdp's $LIBXDP_BPFFS/xdp */
};

/* DIR/loader_state holds a struct khaxdp_loader_state (bpf/khaxdp.h). */
#define KX_STATE_VERSION 1

/* What is attached to an interface's XDP hook. */
struct kx_xdp_info {
	bool attached;		/* any XDP program at all */
	bool dispatcher;	/* libxdp multi-program dispatcher */
	bool generic;		/* skb (generic) mode, else native */
	bool ours;		/* our pinned program is among them */
	unsigned int n_progs;
	uint32_t main_id;	/* the program on the hook (dispatcher or ours) */
	char main_name[16];	/* BPF_OBJ_NAME_LEN */
	uint32_t our_id;	/* id of DIR/xdp_ingress, 0 if not pinned */
};

struct kx_attach_result {
	bool upgraded;		/* replaced our own earlier programs */
	bool fell_back;		/* native failed, generic used */
	bool clsact_created;
	bool ports_reserved;	/* SNAT range in ip_local_reserved_ports */
	struct kx_xdp_info xdp;
	uint32_t tc_id;
};

int kx_state_read(const char *dir, struct khaxdp_loader_state *st);
int kx_pinned_prog_id(const char *dir, const char *pin, uint32_t *id);
int kx_xdp_query(int ifindex, const char *dir, struct kx_xdp_info *info);
/* The program id of our TC filter on ifindex, 0 if none. */
int kx_tc_query(int ifindex, uint32_t *prog_id);

/* Parse --mode. */
int kx_xdp_mode_parse(const char *s, enum kx_xdp_mode *mode);
const char *kx_xdp_info_mode_str(const struct kx_xdp_info *info);

/*
 * Load (or upgrade), attach and fill from cfg. cfg must be fully parsed:
 * attach changes nothing when it can tell in advance that it would fail.
 */
int kx_attach(const struct kx_config *cfg, const char *ifname,
	      enum kx_xdp_mode mode, struct kx_attach_result *res);

/* Remove what attach made: our programs, our filter, the qdisc if we
 * created it and it is empty, the pins and the directory. -ENOENT: there
 * was nothing to remove. */
int kx_detach(const char *dir, const char *ifname);

#endif /* KX_ATTACH_H */
