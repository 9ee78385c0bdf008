/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * nat.bpf.h - address translation: the reply tuple a flow claims (a SNAT
 * port towards a remote backend, the client's tuple for the local one),
 * finding a reply's flow, and rewriting addresses and ports with their
 * checksums (incrementally in XDP, with the skb helpers in TC).
 */
#ifndef KHAXDP_NAT_BPF_H
#define KHAXDP_NAT_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "csum.bpf.h"
#include "khaxdp.h"
#include "maps.bpf.h"
#include "parsing.bpf.h"
#include "policy.h"

/* The 5-tuple of a packet as it is, client -> VIP or backend -> node. */
static __always_inline void nat_tuple_of(const struct packet *p,
					 struct khaxdp_flow_key *k)
{
	pkt_addrs(p, &k->src, &k->dst);
	k->sport = p->tcp->source;
	k->dport = p->tcp->dest;
	k->proto = IPPROTO_TCP;
	k->family = p->family;
	k->pad[0] = 0;
	k->pad[1] = 0;
}

/* The live flow a reply tuple's entry belongs to (still on this backend
 * and this port), or NULL. */
static __always_inline struct khaxdp_flow *
nat_flow_of(const struct khaxdp_nat *n, __be16 snat_port, __u64 now)
{
	struct khaxdp_flow *f = bpf_map_lookup_elem(&flows, &n->flow);

	if (!f || f->backend_id != n->backend_id ||
	    f->snat_port != snat_port || khaxdp_flow_expired(f, now))
		return NULL;
	return f;
}

/* Does the entry's flow still hold its reply tuple (khaxdp_flow_reusable)?
 * Claims take over only the tuples of flows that no longer do. */
static __always_inline int nat_tuple_held(const struct khaxdp_nat *n,
					  __be16 snat_port, __u64 now)
{
	struct khaxdp_flow *f = nat_flow_of(n, snat_port, now);

	return f && !khaxdp_flow_reusable(f, now);
}

/* The same for an entry of half_open_nat: a half-open flow that the
 * backend refused (RST) is over at once. */
static __always_inline struct khaxdp_flow *
nat_half_open_of(const struct khaxdp_nat *n, __be16 snat_port, __u64 now)
{
	struct khaxdp_flow *f = bpf_map_lookup_elem(&half_open, &n->flow);

	if (!f || f->backend_id != n->backend_id ||
	    f->snat_port != snat_port || khaxdp_flow_expired(f, now) ||
	    khaxdp_flow_closed(f))
		return NULL;
	return f;
}

/*
 * Rewrite entry old for val in place, if nobody else did since its seq was
 * read as seq (even). Two CPUs may want the same entry at once: the one
 * whose compare-and-swap of seq succeeds rewrites it, the other sees the
 * swap fail and moves on. A delete-then-insert would let the second CPU
 * delete the first one's new entry and insert its own: two live flows on
 * one reply tuple. The entry is left held (seq odd) until nat_release().
 */
static __always_inline int nat_take(struct khaxdp_nat *old,
				    const struct khaxdp_nat *val, __u32 seq)
{
	if (__sync_val_compare_and_swap(&old->seq, seq, seq + 1) != seq)
		return 0;
	old->flow = val->flow;
	old->backend_id = val->backend_id;
	old->hop = val->hop;
	old->server = val->server;
	old->ts_offset = val->ts_offset;
	return 1;
}

static __always_inline __u32 nat_seq(const struct khaxdp_nat *n)
{
	return *(volatile const __u32 *)&n->seq;
}

/* The claim's flow exists now (or will not): the entry is whole again, and
 * stale as soon as its flow ends. */
static __always_inline void nat_release(struct khaxdp_nat *held)
{
	if (held)
		__sync_fetch_and_add(&held->seq, 1);
}

/* Two flow keys, word by word (no memcmp in BPF). */
static __always_inline int nat_key_equal(const struct khaxdp_flow_key *a,
					 const struct khaxdp_flow_key *b)
{
	const __u32 *x = (const __u32 *)a, *y = (const __u32 *)b;
	__u32 diff = 0, i;

	_Static_assert(sizeof(*a) % sizeof(__u32) == 0, "key of whole words");
#pragma unroll
	for (i = 0; i < sizeof(*a) / sizeof(__u32); i++)
		diff |= x[i] ^ y[i];
	return diff == 0;
}

/* Take over an entry of nat whose flow is gone, moved, or no longer holds
 * the tuple (nat_tuple_held()). */
static __always_inline int nat_take_stale(struct khaxdp_nat *old,
					  const struct khaxdp_nat *val,
					  __be16 snat_port, __u64 now)
{
	__u32 seq = nat_seq(old);

	if ((seq & 1) || nat_tuple_held(old, snat_port, now))
		return 0;
	return nat_take(old, val, seq);
}

/* Does a confirmed flow other than key's own still hold reply tuple rkey? */
static __always_inline int nat_held_by_other(const struct khaxdp_flow_key *rkey,
					     const struct khaxdp_flow_key *key,
					     __be16 snat_port, __u64 now)
{
	struct khaxdp_nat *n = bpf_map_lookup_elem(&nat, rkey);

	if (!n || nat_key_equal(&n->flow, key))
		return 0;
	return nat_tuple_held(n, snat_port, now);
}

/*
 * A half-open flow claims reply tuple rkey in half_open_nat: inserted with
 * BPF_NOEXIST, or an entry taken over in place (nat_take()) whose flow is
 * over or is this very key. It is held (seq odd, val->seq is 1) and *held
 * must go to nat_release() once the flow is written. A live confirmed
 * flow's tuple (in nat) is never claimed; it is checked after the entry is
 * held, since a flow being confirmed writes nat before it leaves
 * half_open: one of the two sees the other.
 */
static __always_inline int nat_claim(const struct khaxdp_flow_key *rkey,
				     const struct khaxdp_nat *val,
				     __be16 snat_port, __u64 now,
				     struct khaxdp_nat **held)
{
	struct khaxdp_nat *old;
	__u32 seq;

	if (!bpf_map_update_elem(&half_open_nat, rkey, val, BPF_NOEXIST)) {
		old = bpf_map_lookup_elem(&half_open_nat, rkey);
		if (!old)
			return -1;
	} else {
		old = bpf_map_lookup_elem(&half_open_nat, rkey);
		if (!old)
			return -1;
		seq = nat_seq(old);
		if ((seq & 1) ||
		    (!nat_key_equal(&old->flow, &val->flow) &&
		     nat_half_open_of(old, snat_port, now)) ||
		    !nat_take(old, val, seq))
			return -1;
	}
	if (nat_held_by_other(rkey, &val->flow, snat_port, now)) {
		nat_release(old);	/* names no flow: stale at once */
		return -1;
	}
	*held = old;
	return 0;
}

/*
 * Claim a source port on address src for a flow towards a remote backend:
 * the reply tuple backend:port -> src:snat_port must be unique, so the
 * claim is its half_open_nat entry (nat_claim()). Ports are tried from the
 * backend's cursor on, so a port comes back only after the whole range.
 */
static __always_inline int nat_claim_port(const struct khaxdp_node *nd,
					  const struct khaxdp_backend *b,
					  const struct khaxdp_nat *val,
					  const union khaxdp_addr *src,
					  __u64 now, __be16 *port,
					  struct khaxdp_nat **held)
{
	__u32 min = nd->snat_port_min, max = nd->snat_port_max;
	__u32 id = val->backend_id, range, i;
	struct khaxdp_flow_key rkey = {};
	struct khaxdp_cursor *cur;
	__u64 start;

	cur = bpf_map_lookup_elem(&port_cursor, &id);
	if (!cur || !min || max < min)
		return -1;
	range = max - min + 1;
	start = __sync_fetch_and_add(&cur->next, 1);

	rkey.src = b->addr;
	rkey.dst = *src;
	rkey.sport = b->port;
	rkey.proto = IPPROTO_TCP;
	rkey.family = b->family;

	for (i = 0; i < KHAXDP_PORT_TRIES; i++) {
		rkey.dport = bpf_htons(min + (start + i) % range);
		if (!nat_claim(&rkey, val, rkey.dport, now, held)) {
			*port = rkey.dport;
			return 0;
		}
	}
	return -1;
}

/*
 * Is the reply tuple of the local backend, backend:port -> client:port,
 * another connection's already? A socket of this node's own (a direct
 * connection to node:6443 from that client port, which TC would otherwise
 * rewrite to come from the VIP): a listener is no connection, and a
 * TIME_WAIT socket is the kernel's to reuse. Another flow's entry is
 * nat_claim()'s to refuse.
 */
static __always_inline int nat_local_busy(struct xdp_md *ctx,
					  const struct packet *p,
					  const struct khaxdp_backend *b)
{
	struct bpf_sock_tuple t = {};
	struct bpf_sock *sk;
	__u32 len;
	int busy;

	if (p->family == KHAXDP_AF_INET6) {
		__builtin_memcpy(t.ipv6.saddr, &p->ip6->saddr,
				 sizeof(t.ipv6.saddr));
		__builtin_memcpy(t.ipv6.daddr, &b->addr, sizeof(t.ipv6.daddr));
		t.ipv6.sport = p->tcp->source;
		t.ipv6.dport = b->port;
		len = sizeof(t.ipv6);
	} else {
		t.ipv4.saddr = p->ip->saddr;
		t.ipv4.daddr = b->addr.v4;
		t.ipv4.sport = p->tcp->source;
		t.ipv4.dport = b->port;
		len = sizeof(t.ipv4);
	}
	sk = bpf_skc_lookup_tcp(ctx, &t, len, BPF_F_CURRENT_NETNS, 0);
	if (!sk)
		return 0;
	busy = sk->state != BPF_TCP_LISTEN && sk->state != BPF_TCP_TIME_WAIT;
	bpf_sk_release(sk);
	return busy;
}

/* The local apiserver answers client:port directly: TC finds the flow by
 * that reply tuple, claimed as in nat_claim(). */
static __always_inline int nat_claim_local(const struct khaxdp_backend *b,
					   const struct khaxdp_nat *val,
					   __u64 now, struct khaxdp_nat **held)
{
	struct khaxdp_flow_key rkey = {};

	rkey.src = b->addr;
	rkey.dst = val->flow.src;
	rkey.sport = b->port;
	rkey.dport = val->flow.sport;
	rkey.proto = IPPROTO_TCP;
	rkey.family = b->family;
	return nat_claim(&rkey, val, 0, now, held);
}

/* May the packet be sent on to another host? Not when its TTL (hop
 * limit) would reach 0 there (RFC 1812, RFC 8200): such a packet is
 * dropped and counted. */
static __always_inline int nat_ttl_allows_forward(const struct packet *p)
{
	if (p->family == KHAXDP_AF_INET6)
		return p->ip6->hop_limit > 1;
	return p->ip->ttl > 1;
}

enum nat_hop {
	NAT_DELIVER,	/* to this node's stack: the TTL stays */
	NAT_FORWARD,	/* to another host: the TTL goes down by one */
};

/* Rewrite both addresses and ports, fixing both checksums at once; a
 * forwarded packet also loses one TTL (checked by the caller). */
static __always_inline void nat_rewrite4(struct packet *p, __be32 saddr,
					 __be16 sport, __be32 daddr,
					 __be16 dport, enum nat_hop hop)
{
	struct iphdr *ip = p->ip;
	struct tcphdr *tcp = p->tcp;
	__u32 d_ip = 0, d_tcp;

	d_ip = csum_delta4(d_ip, ip->saddr, saddr);
	d_ip = csum_delta4(d_ip, ip->daddr, daddr);
	/* The TCP checksum covers the addresses, not the TTL: its delta
	 * branches off before the TTL's. */
	d_tcp = d_ip;
	if (hop == NAT_FORWARD) {
		/* TTL and protocol share one 16-bit word of the header. */
		__be16 *word = (__be16 *)&ip->ttl;
		__be16 old = *word;

		ip->ttl--;
		d_ip = csum_delta2(d_ip, old, *word);
	}
	d_tcp = csum_delta2(d_tcp, tcp->source, sport);
	d_tcp = csum_delta2(d_tcp, tcp->dest, dport);
	csum_apply(&ip->check, d_ip);
	csum_apply(&tcp->check, d_tcp);
	ip->saddr = saddr;
	ip->daddr = daddr;
	tcp->source = sport;
	tcp->dest = dport;
}

/* The same for IPv6: no header checksum, the TCP one covers the addresses
 * (its pseudo-header); the hop limit goes down as the TTL does. */
static __always_inline void nat_rewrite6(struct packet *p,
					 const union khaxdp_addr *saddr,
					 __be16 sport,
					 const union khaxdp_addr *daddr,
					 __be16 dport, enum nat_hop hop)
{
	struct ipv6hdr *ip6 = p->ip6;
	struct tcphdr *tcp = p->tcp;
	__u32 d = 0;

	d = csum_delta16(d, &ip6->saddr, saddr);
	d = csum_delta16(d, &ip6->daddr, daddr);
	d = csum_delta2(d, tcp->source, sport);
	d = csum_delta2(d, tcp->dest, dport);
	csum_apply(&tcp->check, d);
	__builtin_memcpy(&ip6->saddr, saddr, sizeof(*saddr));
	__builtin_memcpy(&ip6->daddr, daddr, sizeof(*daddr));
	tcp->source = sport;
	tcp->dest = dport;
	if (hop == NAT_FORWARD)
		ip6->hop_limit--;
}

/* Either family: the packet's own. */
static __always_inline void nat_rewrite(struct packet *p,
					const union khaxdp_addr *saddr,
					__be16 sport,
					const union khaxdp_addr *daddr,
					__be16 dport, enum nat_hop hop)
{
	if (p->family == KHAXDP_AF_INET6)
		nat_rewrite6(p, saddr, sport, daddr, dport, hop);
	else
		nat_rewrite4(p, saddr->v4, sport, daddr->v4, dport, hop);
}

#define NAT_TC_IP_OFF		ETH_HLEN
#define NAT_TC_IP_CSUM_OFF	(NAT_TC_IP_OFF + offsetof(struct iphdr, check))
#define NAT_TC_IP_SADDR_OFF	(NAT_TC_IP_OFF + offsetof(struct iphdr, saddr))
#define NAT_TC_IP6_SADDR_OFF	(NAT_TC_IP_OFF + offsetof(struct ipv6hdr, saddr))

/* TC: rewrite the source address with the helpers that understand the
 * stack's partial checksums (IPv6: the TCP checksum's pseudo-header only,
 * by the difference of the two addresses). */
static __always_inline int nat_source_addr_skb(struct __sk_buff *skb,
					       __u32 tcp_csum_off, __u8 family,
					       union khaxdp_addr *from,
					       union khaxdp_addr *to)
{
	__s64 diff;

	if (family != KHAXDP_AF_INET6)
		return bpf_l4_csum_replace(skb, tcp_csum_off, from->v4, to->v4,
					   BPF_F_PSEUDO_HDR | sizeof(to->v4)) ||
		       bpf_l3_csum_replace(skb, NAT_TC_IP_CSUM_OFF, from->v4,
					   to->v4, sizeof(to->v4)) ||
		       bpf_skb_store_bytes(skb, NAT_TC_IP_SADDR_OFF, &to->v4,
					   sizeof(to->v4), 0);
	diff = bpf_csum_diff((__be32 *)from, sizeof(*from), (__be32 *)to,
			     sizeof(*to), 0);
	if (diff < 0)
		return -1;
	return bpf_l4_csum_replace(skb, tcp_csum_off, 0, diff,
				   BPF_F_PSEUDO_HDR) ||
	       bpf_skb_store_bytes(skb, NAT_TC_IP6_SADDR_OFF, to, sizeof(*to),
				   0);
}

/* TC: the source address and port rewritten. The packet may move: no
 * pointer into it is valid after this. */
static __always_inline int nat_rewrite_source_skb(struct __sk_buff *skb,
						  __u32 tcp_off, __u8 family,
						  union khaxdp_addr *from_addr,
						  union khaxdp_addr *to_addr,
						  __be16 from_port,
						  __be16 to_port)
{
	__u32 tcp_csum_off = tcp_off + offsetof(struct tcphdr, check);

	if (nat_source_addr_skb(skb, tcp_csum_off, family, from_addr,
				to_addr) ||
	    bpf_l4_csum_replace(skb, tcp_csum_off, from_port, to_port,
				sizeof(to_port)) ||
	    bpf_skb_store_bytes(skb, tcp_off + offsetof(struct tcphdr, source),
				&to_port, sizeof(to_port), 0))
		return -1;
	return 0;
}

#endif /* KHAXDP_NAT_BPF_H */
