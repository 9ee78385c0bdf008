/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * packet.h - Ethernet/IPv4/TCP frames with correct checksums, and an
 * independent checksum verifier (full computations, not the data plane's
 * incremental ones). Used by the selftests and the benchmark.
 */
#ifndef KHAXDP_TEST_PACKET_H
#define KHAXDP_TEST_PACKET_H

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#include "lab.h"

/* --- packets --------------------------------------------------------------- */

#define TCP_FIN	0x01
#define TCP_SYN	0x02
#define TCP_RST	0x04
#define TCP_PSH	0x08
#define TCP_ACK	0x10

#define ETH_HLEN_	14
#define PKT_MAX		512

/* Initial sequence numbers of the test connections: the client's SYN has
 * CLIENT_ISN, a backend's SYN-ACK SERVER_ISN (its data then starts at
 * SERVER_ISN + 1 = 5000). */
#define CLIENT_ISN	1000
#define SERVER_ISN	4999

/* Frames start 2 bytes into a 4-aligned struct, so that the IP and TCP
 * headers are aligned as the kernel aligns them (NET_IP_ALIGN). */
struct pkt {
	__u8 align[2];
	__u8 data[PKT_MAX];
	__u32 len;
};

struct tcp_spec {
	const __u8 *smac, *dmac;	/* NULL: client -> ens33 */
	__be32 saddr, daddr;
	__u16 sport, dport;		/* host order */
	__u8 flags;			/* TCP_* */
	__u32 seq, ack;
	const void *payload;
	__u32 payload_len;
	__u8 ip_opt_len;		/* multiple of 4: NOPs then EOL */
	__u8 ttl;			/* 0: 64 */
	__u32 pad_to;			/* Ethernet padding (0xaa) up to this */
	__u16 window;			/* 0: 64240 */
	__u8 wscale;			/* SYN: 1 + the window scale it offers, 0: none */
	__u8 ts, ts_odd;		/* a timestamp option (at an odd offset) */
	__u32 tsval, tsecr;
	/* pkt_tcp6(): the IPv6 addresses (saddr/daddr are IPv4's) and the
	 * flow label; ttl is the hop limit. */
	struct in6_addr saddr6, daddr6;
	__u32 flow_label;
};

/* Ethernet + IPv4 + TCP with correct checksums; a SYN carries an MSS
 * option, so the TCP header is 24 bytes (28 with a window scale). */
void pkt_tcp4(struct pkt *p, const struct tcp_spec *s);
/* The same over IPv6 (no extension headers), from s->saddr6 to
 * s->daddr6, the TCP checksum over the IPv6 pseudo-header. */
void pkt_tcp6(struct pkt *p, const struct tcp_spec *s);
/* Ethernet + IPv4 (no options, valid checksum) + any payload, from the
 * client's MAC to dmac (NULL: ens33). */
/* IPv6 from the client to ens33, 2001:db8::11 -> 2001:db8::189: a chain
 * of extension headers of the kinds given (NH_*, 8 bytes each), then
 * `last`: a 20-byte TCP SYN 40000 -> 7443 behind it (as any protocol's
 * payload); no checksums (IPv6 has no header checksum, and nothing here
 * reads the TCP one). */
#define NH_HOPOPTS	0
#define NH_ROUTING	43
#define NH_FRAGMENT	44
#define NH_ICMPV6	58
#define NH_DSTOPTS	60
void pkt_ip6(struct pkt *p, const __u8 *exts, int n_exts, __u8 last);
void pkt_ip4(struct pkt *p, const __u8 *dmac, __u8 proto, __be32 saddr,
	     __be32 daddr, const void *l4, __u32 l4_len, __u8 ttl);
/* ICMP "destination unreachable" with code (ICMP_*_CODE; MTU
 * ICMP_ERROR_MTU for "fragmentation needed") quoting `quote` (an IP
 * datagram, up to 128 bytes of it) from src to dst, arriving on ens33 for
 * dmac; the ICMP checksum filled in. */
#define ICMP_PORT_UNREACH_CODE	3
#define ICMP_FRAG_NEEDED_CODE	4
#define ICMP_ERROR_MTU		1400
void pkt_icmp4_error(struct pkt *p, const __u8 *dmac, __be32 src, __be32 dst,
		     __u8 code, const void *quote, __u32 quote_len, __u8 ttl);
/* ICMPv6 error (ICMPV6_* type and code; "packet too big" carries
 * ICMP_ERROR_MTU) quoting `quote` (up to 128 bytes) from src to dst,
 * arriving on ens33 for dmac, its checksum over the IPv6 pseudo-header. */
#define ICMPV6_DEST_UNREACH_	1
#define ICMPV6_PKT_TOOBIG_	2
void pkt_icmp6_error(struct pkt *p, const __u8 *dmac,
		     const struct in6_addr *src, const struct in6_addr *dst,
		     __u8 type, __u8 code, const void *quote, __u32 quote_len,
		     __u8 hop_limit);
/* The ICMPv6 checksum over the pseudo-header and the message: 0xffff
 * (summed with the checksum field) when it is right. */
__u16 icmp6_csum_verify(const struct ipv6hdr *ip6);
/* A client's packet to VIP:7443. */
struct tcp_spec client_spec(__be32 client, __u16 cport, __u8 flags);
/* The same over IPv6: `s` from saddr6:sport to daddr6:dport, between
 * those MACs (NULL: the client's, ens33's), hop limit ttl (0: 64). */
struct tcp_spec respec6(struct tcp_spec s, const __u8 *smac,
			const __u8 *dmac, const struct in6_addr *saddr,
			__u16 sport, const struct in6_addr *daddr, __u16 dport,
			__u8 ttl);
/* Same spec as `s` with a different source and destination. */
struct tcp_spec respec(struct tcp_spec s, const __u8 *smac,
			const __u8 *dmac, __be32 saddr, __u16 sport,
			__be32 daddr, __u16 dport);

static inline struct iphdr *pkt_ip(const struct pkt *p)
{
	return (struct iphdr *)(p->data + ETH_HLEN_);
}

static inline bool pkt_is_ip6(const struct pkt *p)
{
	return p->data[12] == 0x86 && p->data[13] == 0xdd;
}

static inline struct ipv6hdr *pkt_ipv6hdr(const struct pkt *p)
{
	return (struct ipv6hdr *)(p->data + ETH_HLEN_);
}

/* The TCP header of a frame of pkt_tcp4() or pkt_tcp6(). */
static inline struct tcphdr *pkt_tcp(const struct pkt *p)
{
	if (pkt_is_ip6(p))
		return (struct tcphdr *)(p->data + ETH_HLEN_ + 40);
	return (struct tcphdr *)(p->data + ETH_HLEN_ + pkt_ip(p)->ihl * 4);
}

/* IPv4's reserved flag set (a packet balanced for DSR), the IP checksum
 * recomputed. */
void pkt_set_balanced(struct pkt *p);
/* A new TTL, with the IP checksum recomputed. */
void pkt_set_ttl(struct pkt *p, __u8 ttl);

/* Independent full computations (not the data plane's incremental ones). */
/* Ones' complement sum of big-endian 16-bit words added to sum (an odd
 * last byte padded with zero), not folded; and folded to 16 bits. */
__u32 pkt_sum16(__u32 sum, const void *buf, size_t len);
__u16 pkt_fold(__u32 sum);
__u16 ip4_csum(const struct iphdr *ip);		/* over the header as is */
__u16 tcp4_csum(const struct iphdr *ip);	/* with check taken as 0 */
/* Sums including the stored checksum: 0xffff when the checksum is valid. */
__u16 ip4_csum_verify(const struct iphdr *ip);
/* The Internet checksum of len bytes (network order), as ICMP uses it;
 * over a buffer that holds its checksum: 0 when that one is right. */
__u16 inet_csum(const void *buf, size_t len);
__u16 tcp4_csum_verify(const struct iphdr *ip);
/* The same over IPv6 (the TCP header right after the fixed one). */
__u16 tcp6_csum(const struct ipv6hdr *ip6);
__u16 tcp6_csum_verify(const struct ipv6hdr *ip6);

#endif /* KHAXDP_TEST_PACKET_H */
