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
#include "khaxdp.h"
#include "parsing.bpf.h"

#define TCP_OPT_EOL		0
#define TCP_OPT_NOP		1
#define TCP_OPT_WSCALE		3
#define TCP_OPT_WSCALE_LEN	3
#define TCP_OPT_SPACE		40	/* doff 15 less the fixed header */

/* The window scale option of a SYN or SYN-ACK, or KHAXDP_WSCALE_NONE.
 * Options are walked byte by byte within the header; one that runs past
 * it ends the walk. */
static __always_inline __u8 tcp_wscale(const struct tcphdr *tcp,
				       void *data_end)
{
	const __u8 *base = (const __u8 *)tcp;
	__u32 hlen = tcp->doff * 4, off = sizeof(*tcp), i;

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
		if (kind == TCP_OPT_WSCALE) {
			if (len != TCP_OPT_WSCALE_LEN ||
			    (void *)(opt + 3) > data_end)
				break;
			return opt[2] > KHAXDP_WSCALE_MAX ? KHAXDP_WSCALE_MAX :
							    opt[2];
		}
		off += len;
	}
	return KHAXDP_WSCALE_NONE;
}

/* The sequence number after this segment: its data, and SYN and FIN one
 * each. */
static __always_inline __u32 tcp_seg_end(const struct packet *p)
{
	__u32 len = p->ip_len - p->ip->ihl * 4 - p->tcp->doff * 4;

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

/* Side s opens: its SYN (or SYN-ACK) sets where it starts, its window and
 * the scale it offers. */
static __always_inline void tcp_side_open(struct khaxdp_tcp_side *s,
					  const struct packet *p,
					  void *data_end)
{
	s->end = tcp_seg_end(p);
	s->maxwin = bpf_ntohs(p->tcp->window);
	s->wscale = tcp_wscale(p->tcp, data_end);
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

#endif /* KHAXDP_TCP_BPF_H */
