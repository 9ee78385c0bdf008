/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* net.h - what khaxdp needs to know about this host's network. */
#ifndef KX_NET_H
#define KX_NET_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"

/*
 * The first IPv4 address of ifname that is not one of the VIPs of cfg:
 * the source address of NAT. -EADDRNOTAVAIL if there is none.
 */
int kx_if_ipv4(const char *ifname, const struct kx_config *cfg,
	       uint32_t *addr_be);

/* The first IPv4 address of ifname that is not in skip[]: the node's own
 * address ("primary IP address" of RFC 5798), 0 when there is none. */
int kx_if_ipv4_except(const char *ifname, const uint32_t *skip,
		      unsigned int n_skip, uint32_t *addr_be);

/*
 * The first global IPv6 address of ifname (not link-local, not a VIP of
 * cfg): the source of NAT66 with snat_address = node. All zero when there
 * is none (a node without IPv6, or with IPv6 services that NAT from their
 * VIP).
 */
int kx_if_ipv6(const char *ifname, const struct kx_config *cfg,
	       union khaxdp_addr *addr);

/* Its link-local IPv6 address (a VRRP v3 instance's source over IPv6);
 * all zero when it has none. */
int kx_if_ipv6_link_local(const char *ifname, union khaxdp_addr *addr);

/* The Ethernet address of ifname. */
int kx_if_mac(const char *ifname, uint8_t mac[6]);

/* Is ep's address configured on any interface of this network namespace? */
bool kx_is_local(const struct kx_endpoint *ep);

/*
 * Make the kernel resolve the next hop of each remote server now (one empty
 * UDP datagram to port 9 each), so the first SYN finds a neighbour entry.
 */
void kx_prime_neighbours(const struct kx_config *cfg);

/* Number of TC filters under parent (e.g. clsact ingress/egress), or -errno. */
int kx_tc_filter_count(int ifindex, uint32_t parent);

#endif /* KX_NET_H */
