/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * parsing.bpf.h - Ethernet, IPv4 or IPv6, and TCP parsing for XDP and TC. Every bounds
 * check of the data plane lives here: a caller gets either a packet whose
 * headers are all inside [data, data_end) and consistent with each other,
 * or the reason (an enum khaxdp_stat) why it must be left alone.
 *
 * Every step of the data plane (these parsers, the next hop) answers either
 * STAT_CONTINUE, "the packet goes on", or the reason it stops there.
 */
#ifndef KHAXDP_PARSING_BPF_H
#define KHAXDP_PARSING_BPF_H

#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/in.h>
#include <bpf/bpf_endian.h>
#include "khaxdp.h"

/* Not a reason: the packet goes on to the next step. No counter has it. */
#define STAT_CONTINUE	(-1)

#define IP_MF		0x2000
#define IP_OFFSET	0x1fff

struct packet {
	struct ethhdr *eth;
	struct iphdr *ip;	/* IPv4 */
	struct ipv6hdr *ip6;	/* IPv6, instead */
	struct tcphdr *tcp;
	__u32 ip_len;		/* IP total length: bytes counted per backend */
	__u32 l4_off;		/* where the TCP header starts, from the IP one */
	__u8 family;		/* KHAXDP_AF_INET or KHAXDP_AF_INET6 */
};

/* Extension headers walked before the transport header: more is taken
 * for malformed (BAD_IP6_EXT). Stacks send none or one. */
#define KHAXDP_IP6_EXT_MAX	4

#define IP6_HOPOPTS	0
#define IP6_ROUTING	43
#define IP6_FRAGMENT	44
#define IP6_DSTOPTS	60

static __always_inline int parse_eth(void *data, void *data_end,
				     struct packet *p)
{
	struct ethhdr *eth = data;

	if ((void *)(eth + 1) > data_end)
		return KHAXDP_STAT_BAD_ETH_TRUNC;
	if (eth->h_proto == bpf_htons(ETH_P_8021Q) ||
	    eth->h_proto == bpf_htons(ETH_P_8021AD))
		return KHAXDP_STAT_PASS_VLAN;
	p->eth = eth;
	if (eth->h_proto != bpf_htons(ETH_P_IP) &&
	    eth->h_proto != bpf_htons(ETH_P_IPV6))
		return KHAXDP_STAT_PASS_NOT_IP;
	return STAT_CONTINUE;
}

/*
 * IPv4 header: options allowed (IHL > 5), fragments and lies are not. The
 * datagram must fit in @pkt_len, the packet's whole length: in XDP all of it
 * lies before data_end, in TC only the linear head does and the payload may
 * sit in fragments. Ethernet padding after the datagram is legal.
 */
/* What a packet may be: one from the wire (XDP), or one the stack built
 * (TC egress), which may be a BIG TCP GSO packet over 64 KiB whose
 * tot_len says 0 (Linux 6.3, iph_totlen()). */
enum parse_from {
	PARSE_WIRE,
	PARSE_STACK,
};

static __always_inline int parse_ipv4(void *data_end, __u32 pkt_len,
				      enum parse_from from, struct packet *p)
{
	struct iphdr *ip = (void *)(p->eth + 1);
	__u32 hlen, tot_len;

	if ((void *)(ip + 1) > data_end)
		return KHAXDP_STAT_BAD_IP_TRUNC;
	if (ip->version != 4)
		return KHAXDP_STAT_BAD_IP_VERSION;
	if (ip->ihl < 5)
		return KHAXDP_STAT_BAD_IP_IHL;
	hlen = ip->ihl * 4;
	if ((void *)ip + hlen > data_end)
		return KHAXDP_STAT_BAD_IP_TRUNC;
	tot_len = bpf_ntohs(ip->tot_len);
	if (!tot_len && from == PARSE_STACK &&
	    pkt_len - sizeof(struct ethhdr) > 0xffff)
		tot_len = pkt_len - sizeof(struct ethhdr);	/* BIG TCP */
	if (tot_len < hlen || tot_len > pkt_len - sizeof(struct ethhdr))
		return KHAXDP_STAT_BAD_IP_LEN;
	if (ip->frag_off & bpf_htons(IP_MF | IP_OFFSET))
		return KHAXDP_STAT_BAD_IP_FRAG;
	/* A whole datagram: a caller may look at it (ICMP) even when it is
	 * not TCP. */
	p->ip = ip;
	p->ip6 = NULL;
	p->family = KHAXDP_AF_INET;
	p->ip_len = tot_len;
	p->l4_off = hlen;
	if (ip->protocol != IPPROTO_TCP)
		return KHAXDP_STAT_PASS_NOT_TCP;
	return STAT_CONTINUE;
}

/* The TCP header at off from the IP header l3, inside the datagram
 * (p->ip_len) and the frame. */
static __always_inline int parse_tcp_at(void *data_end, void *l3, __u32 off,
					struct packet *p)
{
	struct tcphdr *tcp = l3 + off;

	if ((void *)(tcp + 1) > data_end || off + sizeof(*tcp) > p->ip_len)
		return KHAXDP_STAT_BAD_TCP_TRUNC;
	if (tcp->doff < 5)
		return KHAXDP_STAT_BAD_TCP_DOFF;
	if (off + tcp->doff * 4 > p->ip_len)
		return KHAXDP_STAT_BAD_TCP_TRUNC;
	p->tcp = tcp;
	return STAT_CONTINUE;
}

/*
 * x, as the CPU computes it, but a number the verifier knows nothing of:
 * x ^ w ^ w, with w any value it does not know (a packet word), in
 * instructions the compiler may not fold. The caller bounds it again.
 * Whatever path led here (how many IPv6 extension headers were walked),
 * the verifier goes on from one state instead of one per path: without
 * it, it follows the whole data plane once per count of headers, more
 * than the million instructions it follows in all.
 */
static __always_inline __u32 parse_forget(__u32 x, __u32 w)
{
	__u64 v = x, u = w;

	asm volatile("%0 ^= %1\n\t%0 ^= %1" : "+r"(v) : "r"(u));
	return v;
}

/*
 * IPv6 header, then its extension headers (hop-by-hop, routing,
 * destination options: at most KHAXDP_IP6_EXT_MAX, each inside the
 * payload), to the transport header. A fragment is passed as an IPv4 one
 * is; the payload must fit in @pkt_len as an IPv4 datagram must. Sets
 * p->ip6, p->ip_len (40 + the payload) and p->l4_off; PASS_NOT_TCP for a
 * whole datagram of another protocol.
 */
static __always_inline int parse_ipv6(void *data_end, __u32 pkt_len,
				      enum parse_from from, struct packet *p)
{
	struct ipv6hdr *ip6 = (void *)(p->eth + 1);
	__u32 off = sizeof(*ip6), end, i;
	__u8 next;

	if ((void *)(ip6 + 1) > data_end)
		return KHAXDP_STAT_BAD_IP_TRUNC;
	if (ip6->version != 6)
		return KHAXDP_STAT_BAD_IP_VERSION;
	end = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	if (end == sizeof(*ip6) && from == PARSE_STACK &&
	    pkt_len - sizeof(struct ethhdr) > sizeof(*ip6) + 0xffff)
		end = pkt_len - sizeof(struct ethhdr);	/* BIG TCP */
	if (end > pkt_len - sizeof(struct ethhdr))
		return KHAXDP_STAT_BAD_IP_LEN;
	next = ip6->nexthdr;
#pragma unroll
	for (i = 0; i < KHAXDP_IP6_EXT_MAX; i++) {
		__u8 *ext;

		if (next != IP6_HOPOPTS && next != IP6_ROUTING &&
		    next != IP6_DSTOPTS)
			break;
		off &= 0x3fff;	/* < 40 + 4 * 2048: tells the verifier */
		ext = (__u8 *)ip6 + off;
		if ((void *)(ext + 2) > data_end || off + 8 > end)
			return KHAXDP_STAT_BAD_IP6_EXT;
		next = ext[0];
		off += (ext[1] + 1) * 8;
		if (off > end)
			return KHAXDP_STAT_BAD_IP6_EXT;
	}
	if (next == IP6_FRAGMENT)
		return KHAXDP_STAT_BAD_IP_FRAG;
	if (next == IP6_HOPOPTS || next == IP6_ROUTING || next == IP6_DSTOPTS)
		return KHAXDP_STAT_BAD_IP6_EXT;	/* more than we walk */
	off = parse_forget(off, *(__u32 *)ip6);
	if (off < sizeof(*ip6) || off > end)
		return KHAXDP_STAT_BAD_IP6_EXT;
	p->ip = NULL;
	p->ip6 = ip6;
	p->family = KHAXDP_AF_INET6;
	p->ip_len = end;
	p->l4_off = off;
	if (next != IPPROTO_TCP)
		return KHAXDP_STAT_PASS_NOT_TCP;
	return STAT_CONTINUE;
}

/* Ethernet + IPv4 or IPv6 + TCP headers between data and data_end, in a
 * packet of @pkt_len bytes; or the reason it is not one. PASS_NOT_TCP
 * comes with p->eth, p->ip or p->ip6, p->ip_len and p->l4_off set: a whole
 * datagram of another protocol. */
/* The IP header of the family after the Ethernet one (p->eth), then TCP. */
static __always_inline int parse_ip_tcp(void *data_end, __u32 pkt_len,
					enum parse_from from, __u8 family,
					struct packet *p)
{
	int ret;

	if (family == KHAXDP_AF_INET6)
		ret = parse_ipv6(data_end, pkt_len, from, p);
	else
		ret = parse_ipv4(data_end, pkt_len, from, p);
	if (ret != STAT_CONTINUE)
		return ret;
	/* < 40 + 4 * 2048 (IPv6), <= 60 (IPv4): tells the verifier */
	return parse_tcp_at(data_end, p->eth + 1, p->l4_off & 0x3fff, p);
}

static __always_inline int parse_packet(void *data, void *data_end,
					__u32 pkt_len, enum parse_from from,
					struct packet *p)
{
	int ret = parse_eth(data, data_end, p);

	if (ret != STAT_CONTINUE)
		return ret;
	return parse_ip_tcp(data_end, pkt_len, from,
			    p->eth->h_proto == bpf_htons(ETH_P_IPV6) ?
			    KHAXDP_AF_INET6 : KHAXDP_AF_INET, p);
}

/* The same for a frame known to be of @family (its Ethernet type checked
 * by the caller), a constant: the compiler keeps that family's code only. */
static __always_inline int parse_packet_of(void *data, void *data_end,
					   __u32 pkt_len, __u8 family,
					   struct packet *p)
{
	int ret = parse_eth(data, data_end, p);

	if (ret != STAT_CONTINUE)
		return ret;
	return parse_ip_tcp(data_end, pkt_len, PARSE_WIRE, family, p);
}

/* Is the frame IPv6 (its Ethernet type; nothing else checked)? */
static __always_inline int parse_is_ipv6(void *data, void *data_end)
{
	struct ethhdr *eth = data;

	return (void *)(eth + 1) <= data_end &&
	       eth->h_proto == bpf_htons(ETH_P_IPV6);
}

/* The packet's addresses, in the flow keys' form (IPv4 in v4, the rest 0). */
static __always_inline void pkt_addrs(const struct packet *p,
				      union khaxdp_addr *src,
				      union khaxdp_addr *dst)
{
	if (p->family == KHAXDP_AF_INET6) {
		__builtin_memcpy(src, &p->ip6->saddr, sizeof(*src));
		__builtin_memcpy(dst, &p->ip6->daddr, sizeof(*dst));
		return;
	}
	__builtin_memset(src, 0, sizeof(*src));
	__builtin_memset(dst, 0, sizeof(*dst));
	src->v4 = p->ip->saddr;
	dst->v4 = p->ip->daddr;
}

/* Two addresses of the same family, word by word. */
static __always_inline int addr_equal(const union khaxdp_addr *a,
				      const union khaxdp_addr *b)
{
	return ((a->v6[0] ^ b->v6[0]) | (a->v6[1] ^ b->v6[1]) |
		(a->v6[2] ^ b->v6[2]) | (a->v6[3] ^ b->v6[3])) == 0;
}

static __always_inline int tcp_is_syn(const struct tcphdr *tcp)
{
	return tcp->syn && !tcp->ack && !tcp->rst;
}

#endif /* KHAXDP_PARSING_BPF_H */
