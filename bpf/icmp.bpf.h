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
 * Only destination unreachable and time exceeded, quoting TCP with an
 * option-less IPv4 header; everything else passes as before.
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

/* An ICMP error and the start of the datagram it quotes. */
struct icmp_err {
	struct icmphdr *icmp;
	struct iphdr *ip;	/* the quoted header */
	struct tcphdr *tcp;	/* its first 8 bytes at least: ports, seq */
	__sum16 *tcp_check;	/* NULL when the quote stops before it */
};

/*
 * The ICMP error in p (which parse_tcp4() found to be IPv4, not TCP):
 * STAT_CONTINUE with e filled, KHAXDP_STAT_PASS_NOT_TCP for any other ICMP
 * or protocol, ICMP_NO_FLOW for a quote that cannot be a flow's, BAD_ICMP
 * when the quote is cut short.
 */
static __always_inline int icmp_parse(const struct packet *p, void *data_end,
				      struct icmp_err *e)
{
	__u32 hlen = p->ip->ihl * 4;
	struct icmphdr *icmp = (void *)p->ip + hlen;
	struct iphdr *ip;
	struct tcphdr *tcp;

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
	e->icmp = icmp;
	e->ip = ip;
	e->tcp = tcp;
	e->tcp_check = NULL;
	if ((void *)tcp + 18 <= data_end &&
	    hlen + sizeof(*icmp) + sizeof(*ip) + 18 <= p->ip_len)
		e->tcp_check = &tcp->check;
	return STAT_CONTINUE;
}

/* Rewrite the quoted datagram's addresses and ports, fixing its IP and
 * (when quoted) TCP checksums, and the ICMP checksum over all of it. */
static __always_inline void icmp_rewrite_quote(struct icmp_err *e,
					       __be32 saddr, __be16 sport,
					       __be32 daddr, __be16 dport)
{
	struct iphdr *ip = e->ip;
	struct tcphdr *tcp = e->tcp;
	__u32 d_addr = 0, d_port = 0, d_icmp;
	__sum16 old;

	d_addr = csum_delta4(d_addr, ip->saddr, saddr);
	d_addr = csum_delta4(d_addr, ip->daddr, daddr);
	d_port = csum_delta2(d_port, tcp->source, sport);
	d_port = csum_delta2(d_port, tcp->dest, dport);
	d_icmp = csum_add(d_addr, d_port);

	old = ip->check;
	csum_apply(&ip->check, d_addr);
	d_icmp = csum_delta2(d_icmp, (__be16)old, (__be16)ip->check);
	if (e->tcp_check) {
		old = *e->tcp_check;
		csum_apply(e->tcp_check, csum_add(d_addr, d_port));
		d_icmp = csum_delta2(d_icmp, (__be16)old,
				     (__be16)*e->tcp_check);
	}
	ip->saddr = saddr;
	ip->daddr = daddr;
	tcp->source = sport;
	tcp->dest = dport;
	csum_apply(&e->icmp->checksum, d_icmp);
}

/* Rewrite the outer addresses (ICMP has no pseudo-header: only the IP
 * checksum changes); a forwarded error also loses one TTL. */
static __always_inline void icmp_rewrite_outer(struct packet *p, __be32 saddr,
					       __be32 daddr, int forward)
{
	struct iphdr *ip = p->ip;
	__u32 d = 0;

	d = csum_delta4(d, ip->saddr, saddr);
	d = csum_delta4(d, ip->daddr, daddr);
	if (forward) {
		__be16 *word = (__be16 *)&ip->ttl;
		__be16 was = *word;

		ip->ttl--;
		d = csum_delta2(d, was, *word);
	}
	csum_apply(&ip->check, d);
	ip->saddr = saddr;
	ip->daddr = daddr;
}

#endif /* KHAXDP_ICMP_BPF_H */
