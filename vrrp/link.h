/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * link.h - what the agent does on the wire and asks of the interface: the
 * raw socket of IP protocol 112, gratuitous ARP, link state and address.
 * All of it works in the network namespace the agent runs in.
 */
#ifndef VRRP_LINK_H
#define VRRP_LINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A raw socket for VRRP adverts on one interface: bound to it, IP_HDRINCL
 * (we write the header: TTL 255, our source address), and for multicast
 * joined to 224.0.0.18 there, without looping our own adverts back.
 */
int link_vrrp_socket(const char *ifname, int ifindex, bool multicast);
int link_vrrp_send(int fd, const void *pkt, size_t len, uint32_t daddr);
/* One datagram, header included; -EAGAIN when there is none. */
ssize_t link_vrrp_recv(int fd, void *buf, size_t cap);

/*
 * The same over IPv6 (RFC 5798): a raw socket of protocol 112 bound to the
 * interface, for multicast joined to ff02::12 there, hop limit 255, not
 * looping our own adverts back; the hop limit and the destination of what
 * it receives come with each message (ancillary data). An IPv6 raw socket
 * takes no header: we send the VRRP message from src (the interface's
 * link-local address, or unicast_src_ip) with IPV6_PKTINFO.
 */
int link_vrrp6_socket(const char *ifname, int ifindex, bool multicast);
int link_vrrp6_send(int fd, int ifindex, const void *msg, size_t len,
		    const void *src, const void *dst);
ssize_t link_vrrp6_recv(int fd, void *buf, size_t cap, uint8_t src[16],
			uint8_t dst[16], int *hop_limit);

/* AF_PACKET socket for ARP on ifindex. */
int link_arp_socket(int ifindex);
/* A gratuitous ARP request for ip (sender = target = ip), broadcast. */
int link_send_garp(int fd, int ifindex, const uint8_t mac[6], uint32_t ip);
/*
 * IPv6's counterpart on the same socket: an unsolicited neighbour
 * advertisement (RFC 4861, 4.4 and 7.2.6) for ip6 (16 bytes), from ip6 to
 * all nodes (ff02::1), hop limit 255, the Override flag and the target
 * link-layer address option (mac), as keepalived sends one.
 */
int link_send_na(int fd, int ifindex, const uint8_t mac[6], const void *ip6);

/* Up and with carrier (IFF_UP and IFF_RUNNING). */
int link_is_running(const char *ifname, bool *running);

/*
 * Link and address events (rtnetlink, RTMGRP_LINK, RTMGRP_IPV4_IFADDR and
 * RTMGRP_IPV6_IFADDR: an IPv6 instance's source is the link-local address):
 * the agent learns at once that an interface went down, away, came back
 * (as another ifindex) or changed its addresses, instead of asking every
 * check. link_monitor_open() gives a non-blocking socket (or -errno);
 * link_monitor_read() hands every event queued to fn and returns 0, or
 * -ENOBUFS when the kernel dropped some (the caller then asks again).
 */
struct link_event {
	int ifindex;
	char name[16];		/* "" for an address event */
	bool gone;		/* RTM_DELLINK */
	bool running;		/* IFF_UP and IFF_RUNNING */
	bool addr;		/* an address added or removed */
};
typedef void (*link_event_fn)(const struct link_event *e, void *ctx);
int link_monitor_open(void);
int link_monitor_read(int fd, link_event_fn fn, void *ctx);
/* The interface's index now, 0 when there is none by that name. */
int link_ifindex(const char *ifname);

#endif /* VRRP_LINK_H */
