// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* dataplane.c - track_dataplane and the node map's `active`. */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <string.h>

#include "attach.h"
#include "dataplane.h"
#include "maps.h"
#include "util.h"

bool dp_attached(int ifindex, const char *bpffs)
{
	struct kx_xdp_info info;
	uint32_t ours = 0, now = 0;

	/* Our program alone on the hook (no libxdp dispatcher): the ids say
	 * it, without opening the program by id as libxdp does, which needs
	 * CAP_SYS_ADMIN (khaxdp-vrrpd.service runs without it). */
	if (!kx_pinned_prog_id(bpffs, KHAXDP_PIN_XDP_PROG, &ours) && ours &&
	    !bpf_xdp_query_id(ifindex, 0, &now) && now == ours)
		return true;
	if (kx_xdp_query(ifindex, bpffs, &info)) {
		kx_debug("track_dataplane: %s", kx_last_error());
		return false;
	}
	return info.ours;
}

/* The maps are opened for each write, not kept: a detach unpins them and
 * a later attach makes new ones, which open fds would not follow. */
int dp_set_active(const char *bpffs, bool active, bool *changed)
{
	struct khaxdp_node node;
	struct kx_maps m;
	uint32_t key = 0;
	int err;

	*changed = false;
	err = kx_maps_open(&m, bpffs);
	if (err)
		return err;
	err = kx_maps_lock(&m) ?: kx_node_read(&m, &node);
	if (!err && node.family && node.active != active) {
		node.active = active;
		if (bpf_map_update_elem(m.node, &key, &node, BPF_EXIST))
			err = kx_fail(-errno, "%s/node: write active: %s",
				      bpffs, strerror(errno));
		else
			*changed = true;
	}
	kx_maps_close(&m);
	return err;
}
