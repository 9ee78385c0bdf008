/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * icmp.bpf.h - ICMP errors of NATed flows, translated like the flows'
 * packets, so that path MTU discovery ("fragmentation needed") and
 * unreachables reach the end that sent the packet:
 *
 *   to this node, quoting node:snat -> backend:port (a forwarded packet):
 *       sent to the client, quoting client:port -> VIP:port
 *   to a VIP, quoting VIP:port -> client:port (a reply):
 *       remote backend: sent to it, quoting backend:port -> node:snat
 *       local backend:  up the stack, quoting node:port -> client:port
 *
 * Only destination unreachable and time exceeded (and ICMPv6's packet too
 * big), quoting TCP with an option-less IPv4 header or an IPv6 header
 * without extension headers; everything else passes as before. ICMPv6's
 * checksum covers the outer addresses too (its pseudo-header).
 */
#ifndef KHAXDP_ICMP_BPF_H
#define KHAXDP_ICMP_BPF_H

#include <bpf/bpf_helpers.h>
#include "csum.bpf.h"
#include "khaxdp.h"
#include "parsing.bpf.h"

/* <linux/icmp.h> pulls in libc headers a BPF build has not got. */
#define ICMP_DEST_UNREACH	3
#define ICMP_TIME_EXCEEDED	11

struct icmphdr {
	__u8 type;
	__u8 code;
	__sum16 checksum;
	__be32 rest;		/* unused, or the next hop's MTU */
};

/* ICMPv6 errors (RFC 4443). */
#define ICMPV6_DEST_UNREACH	1
#define ICMPV6_PKT_TOOBIG	2
#define ICMPV6_TIME_EXCEED	3
#define IPPROTO_ICMPV6_		58

/* An ICMP error and the start of the datagram it quotes. */
struct icmp_err {
	struct icmphdr *icmp;	/* ICMP or ICMPv6: the same first 8 bytes */
	struct iphdr *ip;	/* the quoted header (IPv4) */
	struct ipv6hdr *ip6;	/* the quoted header (IPv6) */
	struct tcphdr *tcp;	/* its first 8 bytes at least: ports, seq */
	__sum16 *tcp_check;	/* NULL when the quote stops before it */
};

/* The error's parts, once its quote is checked; the quoted TCP checksum
 * too when the quote holds it (whole: its 18 bytes lie in the datagram). */
static __always_inline void icmp_err_set(struct icmp_err *e,
					 struct icmphdr *icmp, struct iphdr *ip,
					 struct ipv6hdr *ip6,
					 struct tcphdr *tcp, void *data_end,
					 int whole)
{
	e->icmp = icmp;
	e->ip = ip;
	e->ip6 = ip6;
	e->tcp = tcp;
	e->tcp_check = NULL;
	if ((void *)tcp + 18 <= data_end && whole)
		e->tcp_check = &tcp->check;
}

/* The ICMPv6 error in p (IPv6, not TCP), right after the fixed header as
 * routers send it; the quote an IPv6 header without extension headers. */
static __always_inline int icmp6_parse(const struct packet *p, void *data_end,
				       struct icmp_err *e)
{
	struct icmphdr *icmp = (void *)(p->ip6 + 1);
	struct ipv6hdr *ip6;
	struct tcphdr *tcp;

	if (p->l4_off != sizeof(*ip6) || p->ip6->nexthdr != IPPROTO_ICMPV6_)
		return KHAXDP_STAT_PASS_NOT_TCP;
	if ((void *)(icmp + 1) > data_end ||
	    sizeof(*ip6) + sizeof(*icmp) > p->ip_len)
		return KHAXDP_STAT_BAD_ICMP;
	if (icmp->type != ICMPV6_DEST_UNREACH &&
	    icmp->type != ICMPV6_PKT_TOOBIG && icmp->type != ICMPV6_TIME_EXCEED)
		return KHAXDP_STAT_PASS_NOT_TCP;
	ip6 = (void *)(icmp + 1);
	tcp = (void *)(ip6 + 1);
	if ((void *)tcp + 8 > data_end ||
	    2 * sizeof(*ip6) + sizeof(*icmp) + 8 > p->ip_len)
		return KHAXDP_STAT_BAD_ICMP;
	if (ip6->version != 6 || ip6->nexthdr != IPPROTO_TCP)
		return KHAXDP_STAT_ICMP_NO_FLOW;
	icmp_err_set(e, icmp, NULL, ip6, tcp, data_end,
		     2 * sizeof(*ip6) + sizeof(*icmp) + 18 <= p->ip_len);
	return STAT_CONTINUE;
}

/*
 * The ICMP error in p (IPv4 or IPv6, not TCP): STAT_CONTINUE with e
 * filled, KHAXDP_STAT_PASS_NOT_TCP for any other ICMP or protocol,
 * ICMP_NO_FLOW for a quote that cannot be a flow's, BAD_ICMP when the
 * quote is cut short.
 */
static __always_inline int icmp_parse(const struct packet *p, void *data_end,
				      struct icmp_err *e)
{
	__u32 hlen;
	struct icmphdr *icmp;
	struct iphdr *ip;
	struct tcphdr *tcp;

	if (p->family == KHAXDP_AF_INET6)
		return icmp6_parse(p, data_end, e);
	hlen = p->ip->ihl * 4;
	icmp = (void *)p->ip + hlen;
	if (p->ip->protocol != IPPROTO_ICMP)
		return KHAXDP_STAT_PASS_NOT_TCP;
	if ((void *)(icmp + 1) > data_end ||
	    hlen + sizeof(*icmp) > p->ip_len)
		return KHAXDP_STAT_BAD_ICMP;
	if (icmp->type != ICMP_DEST_UNREACH && icmp->type != ICMP_TIME_EXCEEDED)
		return KHAXDP_STAT_PASS_NOT_TCP;
	ip = (void *)(icmp + 1);
	tcp = (void *)(ip + 1);
	/* The quote: an IPv4 header without options and 8 bytes of TCP. */
	if ((void *)tcp + 8 > data_end ||
	    hlen + sizeof(*icmp) + sizeof(*ip) + 8 > p->ip_len)
		return KHAXDP_STAT_BAD_ICMP;
	if (ip->version != 4 || ip->ihl != 5 || ip->protocol != IPPROTO_TCP)
		return KHAXDP_STAT_ICMP_NO_FLOW;
	icmp_err_set(e, icmp, ip, NULL, tcp, data_end,
		     hlen + sizeof(*icmp) + sizeof(*ip) + 18 <= p->ip_len);
	return STAT_CONTINUE;
}

/* The quoted datagram's addresses, in the flow keys' form. */
static __always_inline void icmp_quote_addrs(const struct packet *p,
					     const struct icmp_err *e,
					     union khaxdp_addr *src,
					     union khaxdp_addr *dst)
{
	if (p->family == KHAXDP_AF_INET6) {
		__builtin_memcpy(src, &e->ip6->saddr, sizeof(*src));
		__builtin_memcpy(dst, &e->ip6->daddr, sizeof(*dst));
		return;
	}
	__builtin_memset(src, 0, sizeof(*src));
	__builtin_memset(dst, 0, sizeof(*dst));
	src->v4 = e->ip->saddr;
	dst->v4 = e->ip->daddr;
}

/* Rewrite the quoted datagram's addresses and ports, fixing its IP
 * (IPv4) and, when quoted, TCP checksums, and the ICMP checksum over all
 * of it. */
static __always_inline void icmp_rewrite_quote(const struct packet *p,
					       struct icmp_err *e,
					       const union khaxdp_addr *saddr,
					       __be16 sport,
					       const union khaxdp_addr *daddr,
					       __be16 dport)
{
	struct iphdr *ip = e->ip;
	struct tcphdr *tcp = e->tcp;
	__u32 d_addr = 0, d_port = 0, d_icmp;
	__sum16 old;

	if (p->family == KHAXDP_AF_INET6) {
		d_addr = csum_delta16(d_addr, &e->ip6->saddr, saddr);
		d_addr = csum_delta16(d_addr, &e->ip6->daddr, daddr);
	} else {
		d_addr = csum_delta4(d_addr, ip->saddr, saddr->v4);
		d_addr = csum_delta4(d_addr, ip->daddr, daddr->v4);
	}
	d_port = csum_delta2(d_port, tcp->source, sport);
	d_port = csum_delta2(d_port, tcp->dest, dport);
	d_icmp = csum_add(d_addr, d_port);

	if (p->family == KHAXDP_AF_INET) {
		old = ip->check;
		csum_apply(&ip->check, d_addr);
		d_icmp = csum_delta2(d_icmp, (__be16)old, (__be16)ip->check);
	}
	if (e->tcp_check) {
		old = *e->tcp_check;
		csum_apply(e->tcp_check, csum_add(d_addr, d_port));
		d_icmp = csum_delta2(d_icmp, (__be16)old,
				     (__be16)*e->tcp_check);
	}
	if (p->family == KHAXDP_AF_INET6) {
		__builtin_memcpy(&e->ip6->saddr, saddr, sizeof(*saddr));
		__builtin_memcpy(&e->ip6->daddr, daddr, sizeof(*daddr));
	} else {
		ip->saddr = saddr->v4;
		ip->daddr = daddr->v4;
	}
	tcp->source = sport;
	tcp->dest = dport;
	csum_apply(&e->icmp->checksum, d_icmp);
}

/* Rewrite the outer addresses (ICMP has no pseudo-header: only the IP
 * checksum changes; ICMPv6's covers them, and IPv6 has no header
 * checksum); a forwarded error also loses one TTL (hop limit). */
static __always_inline void icmp_rewrite_outer(struct packet *p,
					       struct icmp_err *e,
					       const union khaxdp_addr *saddr,
					       const union khaxdp_addr *daddr,
					       int forward)
{
	struct iphdr *ip = p->ip;
	__u32 d = 0;

	if (p->family == KHAXDP_AF_INET6) {
		d = csum_delta16(d, &p->ip6->saddr, saddr);
		d = csum_delta16(d, &p->ip6->daddr, daddr);
		csum_apply(&e->icmp->checksum, d);
		__builtin_memcpy(&p->ip6->saddr, saddr, sizeof(*saddr));
		__builtin_memcpy(&p->ip6->daddr, daddr, sizeof(*daddr));
		if (forward)
			p->ip6->hop_limit--;
		return;
	}
	d = csum_delta4(d, ip->saddr, saddr->v4);
	d = csum_delta4(d, ip->daddr, daddr->v4);
	if (forward) {
		__be16 *word = (__be16 *)&ip->ttl;
		__be16 was = *word;

		ip->ttl--;
		d = csum_delta2(d, was, *word);
	}
	csum_apply(&ip->check, d);
	ip->saddr = saddr->v4;
	ip->daddr = daddr->v4;
}

#endif /* KHAXDP_ICMP_BPF_H */
