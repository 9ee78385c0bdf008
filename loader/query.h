/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * query.h - what is attached where: the XDP hook, the TC egress filter, the
 * cgroup links and the loader's state, read from the kernel and the pins.
 *
 * Read only, and no BPF object: the agent (track_dataplane, the page) and
 * `khaxdp status` use it; attach.c uses it for its checks before anything
 * changes.
 */
#ifndef KX_QUERY_H
#define KX_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/khaxdp.h"

/* Names of the pins under the bpffs directory, besides the maps. */
#define KX_PIN_STATE		"loader_state"
#define KX_PIN_CONNECT4		"connect4_link"
#define KX_PIN_GETPEERNAME4	"getpeername4_link"
#define KX_PIN_CONNECT6		"connect6_link"
#define KX_PIN_GETPEERNAME6	"getpeername6_link"

/* Where attach puts its TC egress filter. */
#define KX_TC_HANDLE	0x4b58		/* "KX" */
#define KX_TC_PRIO	0x4b58

/* DIR/loader_state holds a struct khaxdp_loader_state (bpf/khaxdp.h). */
#define KX_STATE_VERSION 1

enum kx_state_flags {
	KX_STATE_CLSACT_CREATED = 1 << 0,	/* detach may remove it */
	KX_STATE_LIBXDP_DIR_CREATED = 1 << 1,	/* libxdp's $LIBXDP_BPFFS/xdp */
};

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

/* DIR/NAME into buf; -ENAMETOOLONG (with the error set) when too long. */
int kx_pin_path(char *buf, size_t len, const char *dir, const char *name);
/* The name of program id (BPF_OBJ_NAME_LEN bytes at most). */
int kx_prog_name(uint32_t id, char *name, size_t len);

int kx_state_read(const char *dir, struct khaxdp_loader_state *st);
int kx_pinned_prog_id(const char *dir, const char *pin, uint32_t *id);
/* Through libxdp, which opens programs by id: needs CAP_SYS_ADMIN. */
int kx_xdp_query(int ifindex, const char *dir, struct kx_xdp_info *info);
/* Is our pinned XDP program on ifindex? Without CAP_SYS_ADMIN when it is
 * alone on the hook (no libxdp dispatcher): the ids say it. */
bool kx_xdp_ours(int ifindex, const char *dir);
const char *kx_xdp_info_mode_str(const struct kx_xdp_info *info);
/* The program id of our TC filter on ifindex, 0 if none. */
int kx_tc_query(int ifindex, uint32_t *prog_id);
/* Program ids behind the pinned cgroup links (0 when a link is not pinned). */
struct kx_cgroup_ids {
	uint32_t connect4, getpeername4, connect6, getpeername6;
};
void kx_cgroup_query(const char *dir, struct kx_cgroup_ids *ids);

#endif /* KX_QUERY_H */
