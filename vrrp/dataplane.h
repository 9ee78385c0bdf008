/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * dataplane.h - what the agent asks of and tells the khaxdp data plane:
 * is it attached here (track_dataplane), and does this node hold the VIP
 * (the node map's `active`). Both work from the pins under [global] bpffs
 * and do nothing when the data plane is not attached.
 */
#ifndef VRRP_DATAPLANE_H
#define VRRP_DATAPLANE_H

#include <stdbool.h>

/* khaxdp's XDP program is on ifindex (libxdp dispatcher or alone). */
bool dp_attached(int ifindex, const char *bpffs);

/*
 * Write node.active when it differs; *changed says whether it did.
 * -ENOENT: the data plane is not attached (nothing to write).
 */
int dp_set_active(const char *bpffs, bool active, bool *changed);

#endif /* VRRP_DATAPLANE_H */
