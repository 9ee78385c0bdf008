/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * ports.h - keep the kernel's ephemeral ports out of the SNAT range.
 *
 * A local connect() picks its source port from ip_local_port_range, which
 * by default (32768-60999) covers the SNAT range (40000-59999): a kubelet's
 * connection from node:port to a backend could take the very tuple a NAT
 * flow uses. attach therefore adds the SNAT range to
 * net.ipv4.ip_local_reserved_ports (per network namespace), keeping what
 * is there, and remembers in the pinned map reserved_ports exactly which
 * ports it added; detach takes out those and nothing else.
 */
#ifndef KX_PORTS_H
#define KX_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/khaxdp.h"

#define KX_RESERVED_PORTS_SYSCTL "/proc/sys/net/ipv4/ip_local_reserved_ports"
#define KX_PIN_RESERVED_PORTS	"reserved_ports"

/* A set of ports, as the kernel keeps it: one bit a port. */
struct kx_portset {
	uint64_t w[65536 / 64];
};

void kx_portset_add(struct kx_portset *s, uint16_t first, uint16_t last);
void kx_portset_del(struct kx_portset *s, uint16_t first, uint16_t last);
bool kx_portset_has(const struct kx_portset *s, uint16_t port);
/* Every port of first-last is in s. */
bool kx_portset_has_all(const struct kx_portset *s, uint16_t first,
			uint16_t last);
/* "1,2-5,7" (the sysctl's format; blanks and a final newline allowed). */
int kx_portset_parse(const char *text, struct kx_portset *s);
/* The same format, "" for the empty set; -ENOSPC when len is too short. */
int kx_portset_format(const struct kx_portset *s, char *buf, size_t len);
/* The set as ranges; the count, or -E2BIG when more than max. */
int kx_portset_ranges(const struct kx_portset *s, struct khaxdp_port_range *r,
		      unsigned int max);

/* Read or replace the sysctl (path: KX_RESERVED_PORTS_SYSCTL, or a file
 * for tests). */
int kx_reserved_ports_read(const char *path, struct kx_portset *s);
int kx_reserved_ports_write(const char *path, const struct kx_portset *s);

/*
 * At attach: reserve first-last, keeping other reservations; what an
 * earlier attach added and the new range no longer covers is taken out.
 * dir holds the pinned reserved_ports map.
 */
int kx_ports_reserve(const char *dir, uint16_t first, uint16_t last);

#define KX_LOCAL_PORT_RANGE_SYSCTL "/proc/sys/net/ipv4/ip_local_port_range"
/* Fewer ephemeral ports than this left after the reservation: refused. */
#define KX_MIN_EPHEMERAL_PORTS	1024

/* The kernel's ephemeral ports lo..hi that stay free for the node's own
 * connections once reserved and first..last are both reserved. */
uint32_t kx_ephemeral_left(uint16_t lo, uint16_t hi,
			   const struct kx_portset *reserved, uint16_t first,
			   uint16_t last);
/* At detach: take out what attach added (nothing when it added nothing). */
int kx_ports_release(const char *dir);
/* What attach added, from dir/reserved_ports: the number of ranges. */
int kx_ports_added(const char *dir, struct khaxdp_port_range *r,
		   unsigned int max);

#endif /* KX_PORTS_H */
