/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* vip.h - add and remove the virtual addresses over rtnetlink (libmnl). */
#ifndef VRRP_VIP_H
#define VRRP_VIP_H

#include <stdbool.h>
#include <stdint.h>

#include "vrrp_conf.h"

struct mnl_socket;

struct vip_nl {
	struct mnl_socket *nl;
	uint32_t portid;
	uint32_t seq;
};

int vip_nl_open(struct vip_nl *v);
void vip_nl_close(struct vip_nl *v);

/*
 * Add (or remove) one address, IPv4 or IPv6 (without duplicate address
 * detection), on ifindex. *changed says whether the kernel's list
 * changed: adding an address that is there, or removing one that is not,
 * is not an error.
 */
int vip_set(struct vip_nl *v, int ifindex, const struct vrrp_xvip *vip,
	    bool add, bool *changed);

#endif /* VRRP_VIP_H */
