/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fib.bpf.h - the next hop of a rewritten packet (bpf_fib_lookup(), cached
 * per backend and per NAT entry) and sending it there.
 */
#ifndef KHAXDP_FIB_BPF_H
#define KHAXDP_FIB_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "khaxdp.h"
#include "parsing.bpf.h"
#include "policy.h"
#include "stat.bpf.h"

/*
 * The next hop for a packet from @src to @dst, from @hop when it was looked
 * up less than KHAXDP_NEXTHOP_TTL_S ago, else from the FIB (and cached).
 * Returns STAT_CONTINUE or the reason the packet cannot be sent.
 */
static __always_inline int fib_next_hop(struct xdp_md *ctx,
					const struct packet *p,
					const union khaxdp_addr *src,
					const union khaxdp_addr *dst,
					struct khaxdp_nexthop *hop, __u64 now)
{
	struct bpf_fib_lookup fib;
	int rc;

	if (hop->checked_ns &&
	    now - hop->checked_ns < KHAXDP_NEXTHOP_TTL_S * KHAXDP_NSEC_PER_SEC)
		return STAT_CONTINUE;

	__builtin_memset(&fib, 0, sizeof(fib));
	fib.family = p->family;
	if (p->family == KHAXDP_AF_INET6) {
		__builtin_memcpy(fib.ipv6_src, src, sizeof(fib.ipv6_src));
		__builtin_memcpy(fib.ipv6_dst, dst, sizeof(fib.ipv6_dst));
	} else {
		fib.tos = p->ip->tos;
		fib.ipv4_src = src->v4;
		fib.ipv4_dst = dst->v4;
	}
	fib.l4_protocol = IPPROTO_TCP;
	fib.tot_len = p->ip_len;
	fib.ifindex = ctx->ingress_ifindex;

	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH &&
	    (hop->flags & KHAXDP_NEXTHOP_LEARNED)) {
		/* Nobody makes the kernel resolve a client that never asked
		 * for our MAC: keep the one its SYN came from. */
		hop->checked_ns = now;
		return STAT_CONTINUE;
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS) {
		hop->checked_ns = 0;
		if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
			return KHAXDP_STAT_NO_NEIGH;
		/* bpf_fib_lookup() routes like the kernel's forwarding
		 * path: it needs net.ipv4.conf.IFNAME.forwarding = 1
		 * (net.ipv6.conf.IFNAME.forwarding = 1 for IPv6). */
		if (rc == BPF_FIB_LKUP_RET_FWD_DISABLED)
			return KHAXDP_STAT_FWD_DISABLED;
		return KHAXDP_STAT_FIB_FAIL;
	}
	hop->ifindex = fib.ifindex;
	__builtin_memcpy(hop->smac, fib.smac, ETH_ALEN);
	__builtin_memcpy(hop->dmac, fib.dmac, ETH_ALEN);
	hop->flags = 0;
	hop->checked_ns = now;
	return STAT_CONTINUE;
}

/* The way back to a client is the way its SYN came (its source MAC), until
 * the FIB knows better (KHAXDP_NEXTHOP_LEARNED). */
static __always_inline void fib_learn_client(struct khaxdp_nexthop *hop,
					     const struct xdp_md *ctx,
					     const struct packet *p, __u64 now)
{
	hop->checked_ns = now;
	hop->ifindex = ctx->ingress_ifindex;
	hop->flags = KHAXDP_NEXTHOP_LEARNED;
	__builtin_memcpy(hop->smac, p->eth->h_dest, ETH_ALEN);
	__builtin_memcpy(hop->dmac, p->eth->h_source, ETH_ALEN);
}

/* Send the rewritten packet to its next hop. */
static __always_inline int fib_transmit(struct xdp_md *ctx, struct packet *p,
					const struct khaxdp_nexthop *hop,
					__u32 stat_tx, __u32 stat_redirect)
{
	__builtin_memcpy(p->eth->h_source, hop->smac, ETH_ALEN);
	__builtin_memcpy(p->eth->h_dest, hop->dmac, ETH_ALEN);
	if (hop->ifindex == ctx->ingress_ifindex) {
		stat_count(stat_tx);
		return XDP_TX;
	}
	stat_count(stat_redirect);
	return bpf_redirect(hop->ifindex, 0);
}

#endif /* KHAXDP_FIB_BPF_H */
