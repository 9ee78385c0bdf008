/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * tcp.bpf.h - what the data plane believes of a TCP segment: the sequence
 * space each side has used and the window the other side allows (as
 * conntrack keeps them, in struct khaxdp_tcp_side), so that a RST or FIN
 * nobody inside the connection could have sent changes nothing.
 *
 * A blind attacker must guess a sequence number within the receiver's
 * window: with a 64 KiB window, one chance in 65 536 per packet.
 */
#ifndef KHAXDP_TCP_BPF_H
#define KHAXDP_TCP_BPF_H

#include <linux/tcp.h>
#include <bpf/bpf_endian.h>
#include "csum.bpf.h"
#include "khaxdp.h"
#include "parsing.bpf.h"

#define TCP_OPT_EOL		0
#define TCP_OPT_NOP		1
#define TCP_OPT_WSCALE		3
#define TCP_OPT_WSCALE_LEN	3
#define TCP_OPT_TS		8
#define TCP_OPT_TS_LEN		10
#define TCP_OPT_NOP_NOP_TS	0x0101080a	/* NOP, NOP, kind 8, length 10 */
#define TCP_OPT_SPACE		40	/* doff 15 less the fixed header */

/* Where the options of a SYN that matter here start, as offsets from the
 * TCP header; 0: absent. */
struct tcp_opts {
	__u32 wscale;
	__u32 ts;
};

/* One walk over the options, byte by byte within the header; one that
 * runs past it ends the walk. */
static __always_inline void tcp_opts_find(const struct tcphdr *tcp,
					  void *data_end, struct tcp_opts *o)
{
	const __u8 *base = (const __u8 *)tcp;
	__u32 hlen = tcp->doff * 4, off = sizeof(*tcp), i;

	o->wscale = 0;
	o->ts = 0;
	for (i = 0; i < TCP_OPT_SPACE; i++) {
		const __u8 *opt;
		__u8 kind, len;

		off &= 0x3f;	/* < 64: tells the verifier what hlen does */
		if (off >= hlen)
			break;
		opt = base + off;
		if ((void *)(opt + 1) > data_end)
			break;
		kind = opt[0];
		if (kind == TCP_OPT_EOL)
			break;
		if (kind == TCP_OPT_NOP) {
			off++;
			continue;
		}
		if ((void *)(opt + 2) > data_end || off + 2 > hlen)
			break;
		len = opt[1];
		if (len < 2 || off + len > hlen)
			break;
		if (kind == TCP_OPT_WSCALE && len == TCP_OPT_WSCALE_LEN)
			o->wscale = off;
		else if (kind == TCP_OPT_TS && len == TCP_OPT_TS_LEN)
			o->ts = off;
		off += len;
	}
}

/* The window scale option of a SYN or SYN-ACK, or KHAXDP_WSCALE_NONE. */
static __always_inline __u8 tcp_wscale(const struct tcphdr *tcp,
				       void *data_end,
				       const struct tcp_opts *o)
{
	const __u8 *opt = (const __u8 *)tcp + (o->wscale & 0x3f);

	if (!o->wscale || (void *)(opt + TCP_OPT_WSCALE_LEN) > data_end)
		return KHAXDP_WSCALE_NONE;
	return opt[2] > KHAXDP_WSCALE_MAX ? KHAXDP_WSCALE_MAX : opt[2];
}

/*
 * Where the timestamp option's TSval lies (TSecr follows), as an offset
 * from the TCP header, or 0. Linux and most stacks put NOP, NOP, timestamp
 * first in every segment but the SYN: that is one compare.
 */
static __always_inline __u32 tcp_ts_off(const struct tcphdr *tcp,
					void *data_end)
{
	const __u8 *base = (const __u8 *)tcp;
	struct tcp_opts o;

	if (tcp->doff >= 8 && (void *)(base + 32) <= data_end &&
	    *(const __be32 *)(base + 20) == bpf_htonl(TCP_OPT_NOP_NOP_TS))
		return 24;
	tcp_opts_find(tcp, data_end, &o);
	return o.ts ? o.ts + 2 : 0;
}

/* Add add to the 32-bit word at off (from the TCP header: a timestamp),
 * keeping the checksum right. At an odd offset the word straddles three
 * 16-bit words of the checksum: each one's change counts. */
static __always_inline void tcp_add_u32(struct tcphdr *tcp, void *data_end,
					__u32 off, __u32 add)
{
	__u8 *base = (__u8 *)tcp;
	__be16 w[3], nw[3];
	__be32 old, new;
	__u32 d = 0;
	__u8 *p;

	off &= 0x3f;
	if (off < sizeof(*tcp))
		return;
	p = base + off;
	if ((void *)(p + 4) > data_end)
		return;
	__builtin_memcpy(&old, p, sizeof(old));
	new = bpf_htonl(bpf_ntohl(old) + add);
	if (!(off & 1)) {
		__builtin_memcpy(p, &new, sizeof(new));
		csum_apply(&tcp->check, csum_delta4(0, old, new));
		return;
	}
	/* The segment ending right after the word is not worth a case of
	 * its own: options are padded to 4 bytes, so it never does. */
	if ((void *)(p + 5) > data_end)
		return;
	__builtin_memcpy(w, p - 1, sizeof(w));
	__builtin_memcpy(p, &new, sizeof(new));
	__builtin_memcpy(nw, p - 1, sizeof(nw));
	d = csum_delta2(d, w[0], nw[0]);
	d = csum_delta2(d, w[1], nw[1]);
	d = csum_delta2(d, w[2], nw[2]);
	csum_apply(&tcp->check, d);
}

/*
 * Timestamps that grow per backend tuple. Through the NAT, connections of
 * many clients, each with its own timestamp clock (random per connection
 * on Linux), take turns on one tuple VIP:port -> backend:6443; a backend
 * that closed first holds that tuple in TIME_WAIT for 60 s and takes a new
 * SYN on it for an old duplicate unless its sequence number or timestamp
 * is newer (RFC 6191), about one time in two. So every flow to a remote
 * backend gets its client's timestamps shifted onto one clock, the node's
 * TAI time in ms, synchronised across the nodes a VIP moves between: the
 * offset is taken at the SYN, added to TSval on the way to the backend and
 * taken from TSecr on the way back, so the client sees its own values.
 */
static __always_inline __u32 tcp_ts_clock(void)
{
	return (__u32)(bpf_ktime_get_tai_ns() / 1000000);
}

static __always_inline void tcp_ts_shift(struct tcphdr *tcp, void *data_end,
					 __u32 offset, int reply)
{
	__u32 off;

	if (!offset)
		return;
	off = tcp_ts_off(tcp, data_end);
	if (!off)
		return;
	if (reply)
		tcp_add_u32(tcp, data_end, off + 4, -offset);	/* TSecr */
	else
		tcp_add_u32(tcp, data_end, off, offset);	/* TSval */
}

/* TC: TSecr of the segment whose timestamp option starts its TSval at
 * ts_off (from the TCP header at tcp_off) back onto the client's clock,
 * with the helpers that understand the stack's partial checksums. */
static __always_inline int tcp_ts_unshift_skb(struct __sk_buff *skb,
					      __u32 tcp_off, __u32 ts_off,
					      __u32 offset)
{
	__u32 at = tcp_off + (ts_off & 0x3f) + 4;
	__be32 old, new;

	if (bpf_skb_load_bytes(skb, at, &old, sizeof(old)))
		return -1;
	new = bpf_htonl(bpf_ntohl(old) - offset);
	if (bpf_l4_csum_replace(skb, tcp_off + offsetof(struct tcphdr, check),
				old, new, sizeof(new)) ||
	    bpf_skb_store_bytes(skb, at, &new, sizeof(new), 0))
		return -1;
	return 0;
}

/* The offset for a new flow from its SYN (options o): TSval onto
 * tcp_ts_clock(). 0: the SYN has no timestamp (nothing to shift). */
static __always_inline __u32 tcp_ts_offset_of(const struct tcphdr *tcp,
					      void *data_end,
					      const struct tcp_opts *o)
{
	const __u8 *p = (const __u8 *)tcp + ((o->ts + 2) & 0x3f);
	__be32 tsval;

	if (!o->ts || (void *)(p + 4) > data_end)
		return 0;
	__builtin_memcpy(&tsval, p, sizeof(tsval));
	return tcp_ts_clock() - bpf_ntohl(tsval);
}

/* The sequence number after this segment: its data, and SYN and FIN one
 * each. */
static __always_inline __u32 tcp_seg_end(const struct packet *p)
{
	__u32 len = p->ip_len - p->l4_off - p->tcp->doff * 4;

	return bpf_ntohl(p->tcp->seq) + len + p->tcp->syn + p->tcp->fin;
}

/* Is a after b in sequence space? */
static __always_inline int tcp_after(__u32 a, __u32 b)
{
	return (__s32)(a - b) > 0;
}

/* The window a segment of side s advertises, in bytes. A SYN's window is
 * never scaled (RFC 7323). */
static __always_inline __u32 tcp_window(const struct khaxdp_tcp_side *s,
					const struct tcphdr *tcp)
{
	__u32 win = bpf_ntohs(tcp->window);

	if (tcp->syn || s->wscale > KHAXDP_WSCALE_MAX)
		return win;
	return win << s->wscale;
}

/* Side s opens: its SYN (or SYN-ACK, options o) sets where it starts, its
 * window and the scale it offers. */
static __always_inline void tcp_side_open(struct khaxdp_tcp_side *s,
					  const struct packet *p,
					  void *data_end,
					  const struct tcp_opts *o)
{
	s->end = tcp_seg_end(p);
	s->maxwin = bpf_ntohs(p->tcp->window);
	s->wscale = tcp_wscale(p->tcp, data_end, o);
}

/* The handshake is complete: a scale is in use only when both sides
 * offered one (RFC 7323, section 2.2). */
static __always_inline void tcp_sides_agree(struct khaxdp_tcp_side *c,
					    struct khaxdp_tcp_side *s)
{
	if (c->wscale == KHAXDP_WSCALE_NONE || s->wscale == KHAXDP_WSCALE_NONE) {
		c->wscale = KHAXDP_WSCALE_NONE;
		s->wscale = KHAXDP_WSCALE_NONE;
	}
}

/* Learn from a segment of side s: its furthest sequence number and its
 * largest window. Writes only when one grows: a pure ACK writes nothing. */
static __always_inline void tcp_side_track(struct khaxdp_tcp_side *s,
					   const struct packet *p)
{
	__u32 end = tcp_seg_end(p), win = tcp_window(s, p->tcp);

	if (tcp_after(end, s->end))
		s->end = end;
	if (win > s->maxwin)
		s->maxwin = win;
}

/*
 * May a RST or FIN with sequence number seq come from side s, whose peer r
 * allows at most r->maxwin bytes in flight? Within that window of the
 * furthest point s was seen at, either way: s may have sent more than
 * this node saw so far, or answer with an older number.
 */
static __always_inline int tcp_in_window(const struct khaxdp_tcp_side *s,
					 const struct khaxdp_tcp_side *r,
					 __u32 seq)
{
	__u32 win = r->maxwin ? r->maxwin : 1;

	return (__u32)(seq - s->end + win) <= 2 * win;
}

/* The sum of n 16-bit words at w, for a checksum computed in full. */
static __always_inline __u32 tcp_sum16(const __u16 *w, int n, __u32 sum)
{
	int i;

#pragma unroll
	for (i = 0; i < n; i++)
		sum += w[i];
	return sum;
}

static __always_inline __sum16 tcp_fold(__u32 sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (__sum16)~sum;
}

#define TCP_RST_FRAME	(ETH_HLEN + 20 + 20)
#define TCP_RST_FRAME6	(ETH_HLEN + 40 + 20)

/* The IP header of the RST: the addresses swapped, the rest as a stack
 * sends it; returns the sum of the TCP pseudo-header. */
static __always_inline __u32 tcp_reset_ip(struct packet *p)
{
	struct ipv6hdr *ip6 = p->ip6;
	struct iphdr *ip = p->ip;
	struct in6_addr a6;
	__be32 addr;

	if (p->family == KHAXDP_AF_INET6) {
		a6 = ip6->saddr;
		ip6->saddr = ip6->daddr;
		ip6->daddr = a6;
		((__u8 *)ip6)[0] = 6 << 4;	/* no traffic class, */
		((__u8 *)ip6)[1] = 0;		/* no flow label */
		((__u8 *)ip6)[2] = 0;
		((__u8 *)ip6)[3] = 0;
		ip6->payload_len = bpf_htons(20);
		ip6->hop_limit = 64;
		return tcp_sum16((const __u16 *)&ip6->saddr, 16,
				 bpf_htons(IPPROTO_TCP) + bpf_htons(20));
	}
	addr = ip->saddr;
	ip->saddr = ip->daddr;
	ip->daddr = addr;
	ip->tos = 0;
	ip->tot_len = bpf_htons(40);
	ip->id = 0;
	ip->frag_off = bpf_htons(0x4000);	/* DF */
	ip->ttl = 64;
	ip->check = 0;
	ip->check = tcp_fold(tcp_sum16((const __u16 *)ip, 10, 0));
	return tcp_sum16((const __u16 *)&ip->saddr, 4,
			 bpf_htons(IPPROTO_TCP) + bpf_htons(20));
}

/*
 * Answer the segment in p with a RST, as the host it was sent to would
 * (RFC 9293, 3.10.7.1): to a segment carrying an ACK, sequence number =
 * its acknowledgment number; to one without, sequence 0 and an ACK of all
 * it carried. From the address and port it was sent to, back to the
 * Ethernet address it came from; options and payload cut off, the
 * checksums computed in full. Returns XDP_TX, or XDP_DROP for a packet
 * with IPv4 options or IPv6 extension headers (not shaped here).
 */
static __always_inline int tcp_reset_answer(struct xdp_md *ctx,
					    struct packet *p)
{
	int v6 = p->family == KHAXDP_AF_INET6;
	struct ethhdr *eth = p->eth;
	struct tcphdr *tcp = p->tcp;
	__u32 end = tcp_seg_end(p), sum;
	int frame = bpf_xdp_get_buff_len(ctx);
	int want = v6 ? TCP_RST_FRAME6 : TCP_RST_FRAME;
	__u8 mac[ETH_ALEN];
	__be16 port;

	if (p->l4_off != (v6 ? 40 : 20))
		return XDP_DROP;
	__builtin_memcpy(mac, eth->h_dest, ETH_ALEN);
	__builtin_memcpy(eth->h_dest, eth->h_source, ETH_ALEN);
	__builtin_memcpy(eth->h_source, mac, ETH_ALEN);
	sum = tcp_reset_ip(p);

	port = tcp->source;
	tcp->source = tcp->dest;
	tcp->dest = port;
	if (tcp->ack) {
		tcp->seq = tcp->ack_seq;
		tcp->ack_seq = 0;
		((__u8 *)tcp)[13] = 0x04;		/* RST */
	} else {
		tcp->seq = 0;
		tcp->ack_seq = bpf_htonl(end);
		((__u8 *)tcp)[13] = 0x14;		/* RST, ACK */
	}
	((__u8 *)tcp)[12] = 5 << 4;			/* doff 5, no options */
	tcp->window = 0;
	tcp->urg_ptr = 0;
	tcp->check = 0;
	tcp->check = tcp_fold(tcp_sum16((const __u16 *)tcp, 10, sum));
	if (frame > want && bpf_xdp_adjust_tail(ctx, want - frame))
		return XDP_DROP;
	return XDP_TX;
}

#endif /* KHAXDP_TCP_BPF_H */
