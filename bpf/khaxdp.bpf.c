/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * khaxdp.bpf.c - the data plane: TCP to a VIP balanced round robin over
 * backends, in NAT mode.
 *
 * XDP (ingress) sees three kinds of packets it acts on:
 *   client -> VIP:port          forward: open or follow a flow, rewrite to
 *                               the backend (remote: full NAT + XDP_TX;
 *                               local: destination only + XDP_PASS)
 *   backend -> node:snat_port   reply of a remote backend: rewrite back to
 *                               VIP -> client + XDP_TX
 *   anything else               XDP_PASS, byte for byte
 * TC (egress) rewrites what the local backend answers, so the client sees
 * the VIP.
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "khaxdp.h"
#include "maps.bpf.h"
#include "parsing.bpf.h"
#include "csum.bpf.h"

#define NSEC_PER_SEC	1000000000ULL
/* last_seen is rewritten at most this often, so that the forward and the
 * reply CPU do not bounce the flow's cache line on every packet. */
#define FLOW_TOUCH_NS	(NSEC_PER_SEC / 4)
#define AF_INET		KHAXDP_AF_INET
#define SOCK_STREAM	1	/* <sys/socket.h>, not in the UAPI headers */

static __always_inline void count(__u32 reason)
{
	__u64 *c = bpf_map_lookup_elem(&stats, &reason);

	if (c)
		*c += 1;
}

static __always_inline void count_backend(__u32 id, __u32 bytes, int out)
{
	struct khaxdp_backend_stats *s = bpf_map_lookup_elem(&backend_stats, &id);

	if (!s)
		return;
	if (out) {
		s->packets_out++;
		s->bytes_out += bytes;
	} else {
		s->packets_in++;
		s->bytes_in += bytes;
	}
}

static __always_inline void count_flow_opened(__u32 id)
{
	struct khaxdp_backend_stats *s = bpf_map_lookup_elem(&backend_stats, &id);

	if (s)
		s->flows_opened++;
}

static __always_inline struct khaxdp_node *node_get(void)
{
	__u32 zero = 0;
	struct khaxdp_node *n = bpf_map_lookup_elem(&node, &zero);

	return n && n->family == AF_INET ? n : NULL;
}

static __always_inline int mac_is(const __u8 *a, const __u8 *b)
{
	return *(const __u32 *)a == *(const __u32 *)b &&
	       *(const __u16 *)(a + 4) == *(const __u16 *)(b + 4);
}

/* Is @addr the address of any service? A few compares, no hash. */
static __always_inline int node_has_vip(const struct khaxdp_node *nd,
					__be32 addr)
{
	__u32 i;

#pragma unroll
	for (i = 0; i < KHAXDP_MAX_SERVICES; i++) {
		if (i >= nd->n_vips)
			break;
		if (nd->vips[i].v4 == addr)
			return 1;
	}
	return 0;
}

/* --- flows ------------------------------------------------------------- */

static __always_inline void tuple_of(const struct packet *p,
				     struct khaxdp_flow_key *k)
{
	__builtin_memset(k, 0, sizeof(*k));
	k->src.v4 = p->ip->saddr;
	k->dst.v4 = p->ip->daddr;
	k->sport = p->tcp->source;
	k->dport = p->tcp->dest;
	k->proto = IPPROTO_TCP;
	k->family = AF_INET;
}

static __always_inline int flow_closed(const struct khaxdp_flow *f)
{
	return (f->flags & KHAXDP_FLOW_RST) ||
	       (f->flags & (KHAXDP_FLOW_FIN_FWD | KHAXDP_FLOW_FIN_REV)) ==
		       (KHAXDP_FLOW_FIN_FWD | KHAXDP_FLOW_FIN_REV);
}

static __always_inline int flow_expired(const struct khaxdp_flow *f, __u64 now)
{
	__s64 idle = now - f->last_seen_ns;

	/* Another CPU may have touched the flow after this one read the
	 * clock: a last_seen ahead of now is not idle at all. */
	if (idle <= 0)
		return 0;
	if (flow_closed(f))
		return (__u64)idle > KHAXDP_CLOSED_TIMEOUT_S * NSEC_PER_SEC;
	return (__u64)idle > (__u64)f->timeout_s * NSEC_PER_SEC;
}

/* Record what this packet says about the connection's life. */
static __always_inline void flow_touch(struct khaxdp_flow *f,
				       const struct tcphdr *tcp, __u64 now,
				       __u8 fin_flag)
{
	__u8 flags = f->flags;

	if (tcp->rst)
		flags |= KHAXDP_FLOW_RST;
	if (tcp->fin)
		flags |= fin_flag;
	if (flags != f->flags)
		f->flags = flags;
	if (now - f->last_seen_ns > FLOW_TOUCH_NS)
		f->last_seen_ns = now;
}

/* --- choosing a backend ------------------------------------------------ */

static __always_inline int backend_usable(const struct khaxdp_backend *b,
					  __u32 service_id)
{
	return b->family == AF_INET && b->health == KHAXDP_HEALTH_UP &&
	       b->admin == KHAXDP_ADMIN_ENABLED && b->service_id == service_id;
}

/*
 * Round robin: one atomic increment of the service's cursor, one ring slot.
 * The ring holds only usable backends; if one changed state after user
 * space wrote the ring, the next slots are tried, a bounded number.
 */
static __always_inline int pick_backend(const struct khaxdp_service *svc,
					__u32 *backend_id)
{
	__u32 ring_key = svc->id * 2 + (svc->ring_slot & 1);
	struct khaxdp_cursor *cur;
	struct khaxdp_ring *ring;
	__u64 next;
	__u32 i;

	ring = bpf_map_lookup_elem(&rings, &ring_key);
	cur = bpf_map_lookup_elem(&rr_cursor, &svc->id);
	if (!ring || !cur || !ring->count ||
	    ring->count > KHAXDP_MAX_SERVICE_BACKENDS)
		return -1;
	next = __sync_fetch_and_add(&cur->next, 1);

	for (i = 0; i < KHAXDP_PICK_TRIES; i++) {
		__u32 slot = (next + i) % ring->count;
		__u32 id = ring->backend[slot & (KHAXDP_MAX_SERVICE_BACKENDS - 1)];
		struct khaxdp_backend *b = bpf_map_lookup_elem(&backends, &id);

		if (b && backend_usable(b, svc->id)) {
			*backend_id = id;
			return 0;
		}
	}
	return -1;
}

/* A nat entry is stale when its flow is gone or now uses another port. */
static __always_inline int nat_stale(const struct khaxdp_nat *n,
				     __be16 port, __u64 now)
{
	struct khaxdp_flow *f = bpf_map_lookup_elem(&flows, &n->flow);

	return !f || flow_expired(f, now) || f->snat_port != port ||
	       f->backend_id != n->backend_id;
}

/*
 * Claim a source port for a flow towards a remote backend. The reply tuple
 * backend:port -> node:snat_port must be unique, so the claim is the nat
 * entry itself, inserted with BPF_NOEXIST; a stale owner is evicted.
 */
static __always_inline int snat_claim(const struct khaxdp_node *nd,
				      const struct khaxdp_backend *b,
				      const struct khaxdp_nat *val,
				      __u64 now, __be16 *port)
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

	rkey.src.v4 = b->addr.v4;
	rkey.dst.v4 = nd->addr.v4;
	rkey.sport = b->port;
	rkey.proto = IPPROTO_TCP;
	rkey.family = AF_INET;

	for (i = 0; i < KHAXDP_PORT_TRIES; i++) {
		struct khaxdp_nat *old;

		rkey.dport = bpf_htons(min + (start + i) % range);
		if (!bpf_map_update_elem(&nat, &rkey, val, BPF_NOEXIST))
			goto claimed;
		old = bpf_map_lookup_elem(&nat, &rkey);
		if (old && nat_stale(old, rkey.dport, now) &&
		    !bpf_map_delete_elem(&nat, &rkey) &&
		    !bpf_map_update_elem(&nat, &rkey, val, BPF_NOEXIST))
			goto claimed;
	}
	return -1;
claimed:
	*port = rkey.dport;
	return 0;
}

/* The local apiserver answers client:port directly; TC finds the flow by
 * that reply tuple. */
static __always_inline int local_claim(const struct khaxdp_backend *b,
				       const struct khaxdp_nat *val)
{
	struct khaxdp_flow_key rkey = {};

	rkey.src.v4 = b->addr.v4;
	rkey.dst.v4 = val->flow.src.v4;
	rkey.sport = b->port;
	rkey.dport = val->flow.sport;
	rkey.proto = IPPROTO_TCP;
	rkey.family = AF_INET;
	return bpf_map_update_elem(&nat, &rkey, val, BPF_ANY);
}

/* --- forwarding -------------------------------------------------------- */

/*
 * The next hop for a packet from @src to @dst, from @hop when it was looked
 * up less than KHAXDP_NEXTHOP_TTL_S ago, else from the FIB (and cached).
 * Returns KHAXDP_PARSE_OK or the reason the packet cannot be sent.
 */
static __always_inline int next_hop(struct xdp_md *ctx, const struct packet *p,
				    __be32 src, __be32 dst,
				    struct khaxdp_nexthop *hop, __u64 now)
{
	struct bpf_fib_lookup fib;
	int rc;

	if (hop->checked_ns &&
	    now - hop->checked_ns < KHAXDP_NEXTHOP_TTL_S * NSEC_PER_SEC)
		return KHAXDP_PARSE_OK;

	__builtin_memset(&fib, 0, sizeof(fib));
	fib.family = AF_INET;
	fib.tos = p->ip->tos;
	fib.l4_protocol = IPPROTO_TCP;
	fib.tot_len = p->ip_len;
	fib.ipv4_src = src;
	fib.ipv4_dst = dst;
	fib.ifindex = ctx->ingress_ifindex;

	rc = bpf_fib_lookup(ctx, &fib, sizeof(fib), 0);
	if (rc == BPF_FIB_LKUP_RET_NO_NEIGH &&
	    (hop->flags & KHAXDP_NEXTHOP_LEARNED)) {
		/* Nobody makes the kernel resolve a client that never asked
		 * for our MAC: keep the one its SYN came from. */
		hop->checked_ns = now;
		return KHAXDP_PARSE_OK;
	}
	if (rc != BPF_FIB_LKUP_RET_SUCCESS) {
		hop->checked_ns = 0;
		if (rc == BPF_FIB_LKUP_RET_NO_NEIGH)
			return KHAXDP_STAT_NO_NEIGH;
		/* bpf_fib_lookup() routes like the kernel's forwarding
		 * path: it needs net.ipv4.conf.IFNAME.forwarding = 1. */
		if (rc == BPF_FIB_LKUP_RET_FWD_DISABLED)
			return KHAXDP_STAT_FWD_DISABLED;
		return KHAXDP_STAT_FIB_FAIL;
	}
	hop->ifindex = fib.ifindex;
	__builtin_memcpy(hop->smac, fib.smac, ETH_ALEN);
	__builtin_memcpy(hop->dmac, fib.dmac, ETH_ALEN);
	hop->flags = 0;
	hop->checked_ns = now;
	return KHAXDP_PARSE_OK;
}

/* Rewrite both addresses and ports, fixing both checksums at once. */
static __always_inline void rewrite4(struct packet *p, __be32 saddr,
				     __be16 sport, __be32 daddr, __be16 dport)
{
	struct iphdr *ip = p->ip;
	struct tcphdr *tcp = p->tcp;
	__u32 d_ip = 0, d_tcp;

	d_ip = csum_delta4(d_ip, ip->saddr, saddr);
	d_ip = csum_delta4(d_ip, ip->daddr, daddr);
	d_tcp = csum_delta2(d_ip, tcp->source, sport);
	d_tcp = csum_delta2(d_tcp, tcp->dest, dport);
	csum_apply(&ip->check, d_ip);
	csum_apply(&tcp->check, d_tcp);
	ip->saddr = saddr;
	ip->daddr = daddr;
	tcp->source = sport;
	tcp->dest = dport;
}

/* Send the rewritten packet to its next hop. */
static __always_inline int transmit(struct xdp_md *ctx, struct packet *p,
				    const struct khaxdp_nexthop *hop,
				    __u32 stat_tx, __u32 stat_redirect)
{
	__builtin_memcpy(p->eth->h_source, hop->smac, ETH_ALEN);
	__builtin_memcpy(p->eth->h_dest, hop->dmac, ETH_ALEN);
	if (hop->ifindex == ctx->ingress_ifindex) {
		count(stat_tx);
		return XDP_TX;
	}
	count(stat_redirect);
	return bpf_redirect(hop->ifindex, 0);
}

/*
 * Record a new flow on backend @id: claim its reply tuple (a NAT port for a
 * remote backend), then the flow. Returns the flow, or NULL with *reason
 * set; the packet is then dropped (no NAT port) or left alone.
 */
static __always_inline struct khaxdp_flow *
flow_commit(struct xdp_md *ctx, const struct packet *p,
	    const struct khaxdp_flow_key *key, const struct khaxdp_service *svc,
	    const struct khaxdp_node *nd, const struct khaxdp_backend *b,
	    __u32 id, __u64 now, int *reason)
{
	struct khaxdp_nat nat_val = { .flow = *key, .backend_id = id };
	struct khaxdp_flow f = {};

	/* The way back to the client is the way its SYN came, until the FIB
	 * knows better (see KHAXDP_NEXTHOP_LEARNED). */
	nat_val.hop.checked_ns = now;
	nat_val.hop.ifindex = ctx->ingress_ifindex;
	nat_val.hop.flags = KHAXDP_NEXTHOP_LEARNED;
	__builtin_memcpy(nat_val.hop.smac, p->eth->h_dest, ETH_ALEN);
	__builtin_memcpy(nat_val.hop.dmac, p->eth->h_source, ETH_ALEN);

	*reason = KHAXDP_STAT_NAT_PORTS_FULL;
	if (b->local) {
		f.flags = KHAXDP_FLOW_LOCAL;
		if (local_claim(b, &nat_val))
			return NULL;
	} else if (snat_claim(nd, b, &nat_val, now, &f.snat_port)) {
		return NULL;
	}
	f.created_ns = now;
	f.last_seen_ns = now;
	f.backend_id = id;
	f.service_id = svc->id;
	f.timeout_s = svc->timeout_s;
	if (bpf_map_update_elem(&flows, key, &f, BPF_ANY))
		return NULL;

	count(KHAXDP_STAT_FLOW_NEW);
	count_flow_opened(id);
	return bpf_map_lookup_elem(&flows, key);
}

/* The service of a VIP:port, or NULL. */
static __always_inline struct khaxdp_service *service_of(const struct packet *p)
{
	struct khaxdp_vip vip = {};

	vip.addr.v4 = p->ip->daddr;
	vip.port = p->tcp->dest;
	vip.proto = IPPROTO_TCP;
	vip.family = AF_INET;
	return bpf_map_lookup_elem(&services, &vip);
}

/* client -> VIP address. An established packet needs only its flow; the
 * service is looked up when there is none. */
static __always_inline int forward(struct xdp_md *ctx, struct packet *p,
				   const struct khaxdp_node *nd)
{
	struct khaxdp_service *svc = NULL;
	struct khaxdp_nexthop *hop = NULL;
	struct khaxdp_flow_key key;
	struct khaxdp_backend *b;
	struct khaxdp_flow *f;
	int syn = tcp_is_syn(p->tcp);
	__u64 now = bpf_ktime_get_coarse_ns();
	__u32 id;
	int reason;

	tuple_of(p, &key);
	f = bpf_map_lookup_elem(&flows, &key);
	if (f && (flow_expired(f, now) || (syn && flow_closed(f)))) {
		count(KHAXDP_STAT_FLOW_EXPIRED);
		f = NULL;
	}
	if (f) {
		id = f->backend_id;
	} else if (!(svc = service_of(p))) {
		count(KHAXDP_STAT_PASS_NOT_VIP);
		return XDP_PASS;
	} else if (!syn) {
		count(KHAXDP_STAT_NO_FLOW);
		return XDP_PASS;
	} else if (pick_backend(svc, &id)) {
		count(KHAXDP_STAT_NO_BACKEND);
		return XDP_PASS;
	}
	b = bpf_map_lookup_elem(&backends, &id);
	if (!b || b->family != AF_INET) {
		count(KHAXDP_STAT_NO_BACKEND);
		return XDP_PASS;
	}

	/* The next hop first: a SYN that cannot be sent opens no flow. */
	if (!b->local) {
		hop = bpf_map_lookup_elem(&nexthops, &id);
		if (!hop)
			return XDP_PASS;
		reason = next_hop(ctx, p, nd->addr.v4, b->addr.v4, hop, now);
		if (reason != KHAXDP_PARSE_OK) {
			count(reason);
			return XDP_PASS;
		}
	}
	if (!f) {
		f = flow_commit(ctx, p, &key, svc, nd, b, id, now, &reason);
		if (!f) {
			count(reason);
			return XDP_DROP;
		}
	}
	flow_touch(f, p->tcp, now, KHAXDP_FLOW_FIN_FWD);
	count_backend(id, p->ip_len, 0);

	if (!hop) {
		rewrite4(p, p->ip->saddr, p->tcp->source, b->addr.v4, b->port);
		count(KHAXDP_STAT_FWD_LOCAL);
		return XDP_PASS;
	}
	rewrite4(p, nd->addr.v4, f->snat_port, b->addr.v4, b->port);
	return transmit(ctx, p, hop, KHAXDP_STAT_FWD_TX,
			KHAXDP_STAT_FWD_REDIRECT);
}

/* The live flow a reply tuple belongs to, or NULL. */
static __always_inline struct khaxdp_flow *
reply_flow(const struct khaxdp_nat *n, __be16 snat_port, __u64 now)
{
	struct khaxdp_flow *f = bpf_map_lookup_elem(&flows, &n->flow);

	if (!f || f->backend_id != n->backend_id ||
	    f->snat_port != snat_port || flow_expired(f, now))
		return NULL;
	return f;
}

/* backend -> node:snat_port */
static __always_inline int reply(struct xdp_md *ctx, struct packet *p)
{
	struct khaxdp_flow_key rkey;
	struct khaxdp_flow *f;
	struct khaxdp_nat *n;
	__u64 now;
	int reason;

	tuple_of(p, &rkey);
	n = bpf_map_lookup_elem(&nat, &rkey);
	if (!n) {
		count(KHAXDP_STAT_PASS_NOT_VIP);
		return XDP_PASS;
	}
	now = bpf_ktime_get_coarse_ns();
	f = reply_flow(n, p->tcp->dest, now);
	if (!f || (f->flags & KHAXDP_FLOW_LOCAL)) {
		count(KHAXDP_STAT_REPLY_NO_FLOW);
		return XDP_PASS;
	}
	reason = next_hop(ctx, p, n->flow.dst.v4, n->flow.src.v4, &n->hop, now);
	if (reason != KHAXDP_PARSE_OK) {
		count(reason);
		return XDP_PASS;
	}
	flow_touch(f, p->tcp, now, KHAXDP_FLOW_FIN_REV);
	rewrite4(p, n->flow.dst.v4, n->flow.dport, n->flow.src.v4,
		 n->flow.sport);
	count_backend(n->backend_id, p->ip_len, 1);
	return transmit(ctx, p, &n->hop, KHAXDP_STAT_REPLY_TX,
			KHAXDP_STAT_REPLY_REDIRECT);
}

SEC("xdp")
int khaxdp_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct khaxdp_node *nd;
	struct packet p;
	__u16 dport;
	int reason;

	count(KHAXDP_STAT_RX);
	reason = parse_tcp4(data, data_end, ctx->data_end - ctx->data, &p);
	if (reason != KHAXDP_PARSE_OK) {
		count(reason);
		return XDP_PASS;
	}
	nd = node_get();
	if (!nd) {
		count(KHAXDP_STAT_PASS_NOT_VIP);
		return XDP_PASS;
	}
	if (!mac_is(p.eth->h_dest, nd->mac)) {
		count(KHAXDP_STAT_PASS_OTHER_HOST);
		return XDP_PASS;
	}

	/* The node's own address is never a VIP: only replies to SNAT ports
	 * need a look, and the rest of the node's traffic costs no lookup. */
	if (p.ip->daddr == nd->addr.v4) {
		dport = bpf_ntohs(p.tcp->dest);
		if (dport >= nd->snat_port_min && dport <= nd->snat_port_max)
			return reply(ctx, &p);
		count(KHAXDP_STAT_PASS_NOT_VIP);
		return XDP_PASS;
	}

	if (!node_has_vip(nd, p.ip->daddr)) {
		count(KHAXDP_STAT_PASS_NOT_VIP);
		return XDP_PASS;
	}
	return forward(ctx, &p, nd);
}

/* --- TC egress: replies of the local backend --------------------------- */

#define IP_OFF		ETH_HLEN
/* Ethernet, the longest IPv4 and the longest TCP header. */
#define TC_HDR_MAX	(ETH_HLEN + 60 + 60)
#define IP_CSUM_OFF	(IP_OFF + offsetof(struct iphdr, check))
#define IP_SADDR_OFF	(IP_OFF + offsetof(struct iphdr, saddr))

/* Rewrite the source to the VIP with the helpers that understand the
 * stack's partial checksums. */
static __always_inline int tc_rewrite_source(struct __sk_buff *skb,
					     __u32 tcp_off, __be32 from_addr,
					     __be32 to_addr, __be16 from_port,
					     __be16 to_port)
{
	__u32 tcp_csum_off = tcp_off + offsetof(struct tcphdr, check);

	if (bpf_l4_csum_replace(skb, tcp_csum_off, from_addr, to_addr,
				BPF_F_PSEUDO_HDR | sizeof(to_addr)) ||
	    bpf_l3_csum_replace(skb, IP_CSUM_OFF, from_addr, to_addr,
				sizeof(to_addr)) ||
	    bpf_skb_store_bytes(skb, IP_SADDR_OFF, &to_addr, sizeof(to_addr), 0) ||
	    bpf_l4_csum_replace(skb, tcp_csum_off, from_port, to_port,
				sizeof(to_port)) ||
	    bpf_skb_store_bytes(skb, tcp_off + offsetof(struct tcphdr, source),
				&to_port, sizeof(to_port), 0))
		return -1;
	return 0;
}

SEC("tc")
int khaxdp_tc(struct __sk_buff *skb)
{
	struct khaxdp_flow_key rkey;
	struct khaxdp_flow *f;
	struct khaxdp_nat *n;
	struct packet p;
	__u32 tcp_off, ip_len;
	void *data, *data_end;
	__u64 now;
	int reason;

	/* The stack builds headers in the linear head, but make sure: the
	 * parser reads headers only there, the payload may be in fragments. */
	if (skb->data_end - skb->data < TC_HDR_MAX && skb->len > skb->data_end - skb->data)
		bpf_skb_pull_data(skb, skb->len < TC_HDR_MAX ? skb->len : TC_HDR_MAX);
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	reason = parse_tcp4(data, data_end, skb->len, &p);
	if (reason != KHAXDP_PARSE_OK) {
		if (reason >= KHAXDP_STAT_BAD_ETH_TRUNC &&
		    reason <= KHAXDP_STAT_BAD_TCP_DOFF)
			count(KHAXDP_STAT_TC_BAD);
		return TC_ACT_OK;
	}
	tuple_of(&p, &rkey);
	n = bpf_map_lookup_elem(&nat, &rkey);
	if (!n)
		return TC_ACT_OK;
	now = bpf_ktime_get_coarse_ns();
	f = bpf_map_lookup_elem(&flows, &n->flow);
	if (!f || !(f->flags & KHAXDP_FLOW_LOCAL) ||
	    f->backend_id != n->backend_id || flow_expired(f, now))
		return TC_ACT_OK;

	flow_touch(f, p.tcp, now, KHAXDP_FLOW_FIN_REV);
	tcp_off = IP_OFF + p.ip->ihl * 4;
	ip_len = p.ip_len;
	/* The helpers may move the packet: p is not used after this. */
	if (tc_rewrite_source(skb, tcp_off, rkey.src.v4, n->flow.dst.v4,
			      rkey.sport, n->flow.dport)) {
		count(KHAXDP_STAT_TC_BAD);
		return TC_ACT_OK;
	}
	count_backend(n->backend_id, ip_len, 1);
	count(KHAXDP_STAT_TC_REPLY);
	return TC_ACT_OK;
}

/* --- cgroup hooks: clients on this node ------------------------------- */

/*
 * XDP never sees what the node itself sends, so a local client (kubelet,
 * controller-manager) connecting to VIP:port is balanced at connect() time:
 * the same round robin over the same ring, health and admin state, the
 * address rewritten before the SYN exists. The hooks run for every socket
 * of the machine; they act in the namespace khaxdp was attached in.
 */
static __always_inline int sock_in_scope(struct bpf_sock_addr *ctx,
					 const struct khaxdp_node *nd)
{
	return (nd->flags & KHAXDP_NODE_SOCKET_LB_ALL) ||
	       bpf_get_netns_cookie(ctx) == nd->netns_cookie;
}

SEC("cgroup/connect4")
int khaxdp_connect4(struct bpf_sock_addr *ctx)
{
	struct khaxdp_vip vip = {};
	struct khaxdp_sock_vip *sv;
	struct khaxdp_service *svc;
	struct khaxdp_backend *b;
	struct khaxdp_node *nd;
	__u32 id;

	if (ctx->type != SOCK_STREAM || ctx->protocol != IPPROTO_TCP)
		return 1;
	nd = node_get();
	if (!nd || !node_has_vip(nd, ctx->user_ip4) || !sock_in_scope(ctx, nd))
		return 1;
	vip.addr.v4 = ctx->user_ip4;
	vip.port = (__be16)ctx->user_port;
	vip.proto = IPPROTO_TCP;
	vip.family = AF_INET;
	svc = bpf_map_lookup_elem(&services, &vip);
	if (!svc)
		return 1;
	if (pick_backend(svc, &id) ||
	    !(b = bpf_map_lookup_elem(&backends, &id))) {
		/* Left to the stack: refused, as haproxy would. */
		count(KHAXDP_STAT_SOCK_NO_BACKEND);
		return 1;
	}
	sv = bpf_sk_storage_get(&sock_vip, ctx->sk, 0,
				BPF_SK_STORAGE_GET_F_CREATE);
	if (sv) {
		sv->addr = vip.addr;
		sv->port = vip.port;
		sv->family = AF_INET;
		sv->backend_id = id;
	}
	ctx->user_ip4 = b->addr.v4;
	ctx->user_port = b->port;
	count(KHAXDP_STAT_SOCK_CONNECT);
	count_flow_opened(id);
	return 1;
}

/* getpeername() on a balanced socket still says VIP:port. */
SEC("cgroup/getpeername4")
int khaxdp_getpeername4(struct bpf_sock_addr *ctx)
{
	struct khaxdp_sock_vip *sv;

	sv = bpf_sk_storage_get(&sock_vip, ctx->sk, 0, 0);
	if (sv && sv->family == AF_INET) {
		ctx->user_ip4 = sv->addr.v4;
		ctx->user_port = sv->port;
	}
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
