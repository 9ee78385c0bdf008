/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * khaxdp.bpf.c - the data plane: TCP to a VIP balanced round robin over
 * backends, in NAT mode.
 *
 * XDP (ingress) sees three kinds of packets it acts on:
 *   client -> VIP:port          forward: open or follow a flow, rewrite to
 *                               the backend (remote: full NAT + XDP_TX;
 *                               local: destination only + XDP_PASS)
 *   backend -> VIP:snat_port    reply of a remote backend: rewrite back to
 *                               VIP -> client + XDP_TX (node:snat_port
 *                               with snat_address = node)
 *   anything else               XDP_PASS, byte for byte
 * TC (egress) rewrites what the local backend answers, so the client sees
 * the VIP; the cgroup hooks balance the node's own clients at connect().
 *
 * This file is the packets' path, top to bottom; each concern lives in its
 * own header: parsing.bpf.h (headers), stat.bpf.h (counters), flow.bpf.h
 * (the flow table), backend.bpf.h (round robin), nat.bpf.h (reply tuples
 * and rewrites), fib.bpf.h (next hop and transmit), icmp.bpf.h (ICMP
 * errors of flows), policy.h (the rules user space shares).
 */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "backend.bpf.h"
#include "csum.bpf.h"
#include "fib.bpf.h"
#include "flow.bpf.h"
#include "icmp.bpf.h"
#include "khaxdp.h"
#include "maps.bpf.h"
#include "nat.bpf.h"
#include "parsing.bpf.h"
#include "policy.h"
#include "stat.bpf.h"

#define SOCK_STREAM	1	/* <sys/socket.h>, not in the UAPI headers */

/* --- this node ---------------------------------------------------------- */

static __always_inline struct khaxdp_node *node_get(void)
{
	__u32 zero = 0;
	struct khaxdp_node *n = bpf_map_lookup_elem(&node, &zero);

	return n && n->family == KHAXDP_AF_INET ? n : NULL;
}

static __always_inline int node_mac_is(const struct khaxdp_node *nd,
				       const __u8 *mac)
{
	return *(const __u32 *)mac == *(const __u32 *)nd->mac &&
	       *(const __u16 *)(mac + 4) == *(const __u16 *)(nd->mac + 4);
}

/* Is port (network order) one of the SNAT ports? */
static __always_inline int node_snat_port(const struct khaxdp_node *nd,
					  __be16 port)
{
	__u16 p = bpf_ntohs(port);

	return p >= nd->snat_port_min && p <= nd->snat_port_max;
}

/* Is @addr the IPv4 address of any service? A few compares, no hash. */
static __always_inline int node_has_vip4(const struct khaxdp_node *nd,
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

/* The same for an IPv6 address (16 bytes at addr). */
static __always_inline int node_has_vip6(const struct khaxdp_node *nd,
					 const void *addr)
{
	__u32 i;

#pragma unroll
	for (i = 0; i < KHAXDP_MAX_SERVICES; i++) {
		if (i >= nd->n_vips6)
			break;
		if (addr_equal(&nd->vips6[i], addr))
			return 1;
	}
	return 0;
}

/* Is the packet to a VIP? */
static __always_inline int node_has_vip(const struct khaxdp_node *nd,
					const struct packet *p)
{
	if (p->family == KHAXDP_AF_INET6)
		return node_has_vip6(nd, &p->ip6->daddr);
	return node_has_vip4(nd, p->ip->daddr);
}

/* Is the packet to this node's own address (of its family)? */
static __always_inline int node_is_dst(const struct khaxdp_node *nd,
				       const struct packet *p)
{
	if (p->family == KHAXDP_AF_INET6)
		return addr_equal(&nd->addr6, (const void *)&p->ip6->daddr);
	return p->ip->daddr == nd->addr.v4;
}

/* --- XDP: client -> VIP ------------------------------------------------- */

/* Which backend a packet to a VIP goes to: its flow's (confirmed or
 * half-open), or for a SYN the next in round robin; a packet another node
 * balanced for DSR (serve) goes to this node's own backend. Returns
 * STAT_CONTINUE with c->backend set, or the reason the packet is left
 * alone. */
static __always_inline int forward_choose(struct flow_fwd *c,
					  const struct khaxdp_flow_key *key,
					  const struct khaxdp_flow *f, int syn,
					  int serve)
{
	struct khaxdp_service *svc;

	if (f) {
		c->backend_id = f->backend_id;
	} else {
		svc = backend_service(&key->dst, key->dport, key->family);
		if (!svc)
			return KHAXDP_STAT_PASS_NOT_VIP;
		if (!syn)
			return KHAXDP_STAT_NO_FLOW;
		if (serve)
			c->backend_id = svc->local_backend;
		else if (backend_pick(svc, key->family, &c->backend_id))
			return KHAXDP_STAT_NO_BACKEND;
		c->svc = svc;
	}
	c->backend = backend_get(c->backend_id, key->family);
	if (serve && (!c->backend || !c->backend->local))
		return KHAXDP_STAT_DSR_NO_LOCAL;
	if (!c->backend)
		return KHAXDP_STAT_NO_BACKEND;
	return STAT_CONTINUE;
}

#define IP6_FLOW_LABEL	0x000fffff

/* Was the packet balanced here by another node (DSR)? IPv4's reserved
 * flag, IPv6's flow label KHAXDP_IP6_BALANCED_LABEL. */
static __always_inline int dsr_marked(const struct packet *p)
{
	if (p->family == KHAXDP_AF_INET6)
		return (*(const __be32 *)p->ip6 & bpf_htonl(IP6_FLOW_LABEL)) ==
		       bpf_htonl(KHAXDP_IP6_BALANCED_LABEL);
	return (p->ip->frag_off & bpf_htons(KHAXDP_IP_BALANCED)) != 0;
}

/* The mark of a packet balanced for DSR, set by the node that balances,
 * cleared by the node that serves: IPv4's reserved flag (with the IP
 * checksum), IPv6's flow label (no checksum covers it). */
static __always_inline void dsr_flag(struct packet *p, int set)
{
	__be16 old, new;

	if (p->family == KHAXDP_AF_INET6) {
		__be32 *word = (__be32 *)p->ip6;

		*word = (*word & ~bpf_htonl(IP6_FLOW_LABEL)) |
			(set ? bpf_htonl(KHAXDP_IP6_BALANCED_LABEL) : 0);
		return;
	}
	old = p->ip->frag_off;
	new = set ? old | bpf_htons(KHAXDP_IP_BALANCED) :
		    old & ~bpf_htons(KHAXDP_IP_BALANCED);
	csum_apply(&p->ip->check, csum_delta2(0, old, new));
	p->ip->frag_off = new;
}

/* Did this node take over from a master that is alive (its goodbye, a
 * preemption: the agent writes active_since_ns only then) less than a
 * second ago? Then a client's packet with no flow is likely one whose flow
 * the old holder is still sending (flow sync): dropped, the client sends it
 * again, rather than reset by the stack. An active_since_ns ahead of now
 * (another CPU's clock) counts as just now. */
static __always_inline int node_taking_over(const struct khaxdp_node *nd,
					    __u8 family, __u64 now)
{
	return khaxdp_node_active(nd, family) &&
	       (__s64)(now - khaxdp_node_active_since(nd, family)) <
		       (__s64)KHAXDP_TAKEOVER_HOLD_NS;
}

/* Is the backend of a half-open flow no longer up (haproxy's `option
 * redispatch` for a connection not yet established)? */
static __always_inline int forward_redispatch(const struct khaxdp_flow *h,
					      __u8 family)
{
	const struct khaxdp_backend *b = backend_get(h->backend_id, family);

	return b && !b->local && b->health != KHAXDP_HEALTH_UP;
}

/* A flow whose backend's node failed: gone from its table, the client
 * answered with a RST. */
static __always_inline int forward_gone(struct xdp_md *ctx, struct packet *p,
					void *table,
					const struct khaxdp_flow_key *key)
{
	bpf_map_delete_elem(table, key);
	stat_count(KHAXDP_STAT_RST_GONE);
	return tcp_reset_answer(ctx, p);
}

/* What becomes of a packet stopped for reason: dropped when the data
 * plane judged it (a DROP reason), else left to the stack. */
static __always_inline int stop(int reason)
{
	stat_count(reason);
	return stat_class(reason) == KHAXDP_CLASS_DROP ? XDP_DROP : XDP_PASS;
}

/*
 * client -> VIP address. A packet belongs to a confirmed flow (f), to a
 * half-open one (h: a SYN retransmitted, the handshake's ACK, a RST), or
 * is a SYN that opens one. An established packet needs only its flow.
 * serve: another node balanced it here (DSR): this node's own backend
 * takes it, whatever its role.
 */
static __always_inline int forward(struct xdp_md *ctx, struct packet *p,
				   const struct khaxdp_node *nd, int serve)
{
	struct flow_fwd c = { .xdp = ctx, .p = p, .node = nd, .serve = serve };
	void *data_end = (void *)(long)ctx->data_end;
	struct khaxdp_flow *f, *h = NULL;
	const struct khaxdp_backend *b;
	struct khaxdp_nexthop *hop = NULL;
	struct khaxdp_nat *hn = NULL;
	struct khaxdp_flow_key key;
	int syn = tcp_is_syn(p->tcp);
	union khaxdp_addr nat_src;
	int reason, local, dsr;

	c.now = bpf_ktime_get_coarse_ns();
	nat_tuple_of(p, &key);
	f = flow_lookup_live(&key, syn, c.now);
	if (f && serve && f->mode == KHAXDP_MODE_DSR) {
		/* A flow this node balanced to another node, or was told of
		 * by flow sync, that ended there: the node that balances now
		 * sent its tuple here, and it decides. */
		bpf_map_delete_elem(&flows, &key);
		stat_count(KHAXDP_STAT_FLOW_SUPERSEDED);
		f = NULL;
	}
	if (!f)
		h = flow_half_open_live(&key, syn, c.now);
	if (h && syn && !serve && forward_redispatch(h, key.family)) {
		/* The SYN again, and the backend it was sent to is down now
		 * (its node failed while the handshake was under way): it
		 * opens the connection anew on a usable backend, rather than
		 * be refused (RST_GONE) or sent where nothing answers. */
		bpf_map_delete_elem(&half_open, &key);
		stat_count(KHAXDP_STAT_REDISPATCHED);
		h = NULL;
	}
	reason = forward_choose(&c, &key, f ? f : h, syn, serve);
	if (reason == KHAXDP_STAT_NO_FLOW && !serve &&
	    node_taking_over(nd, key.family, c.now))
		reason = KHAXDP_STAT_TAKEOVER_HOLD;
	if (reason == STAT_CONTINUE && f)
		reason = flow_check_client(&c, &key, f);
	else if (reason == STAT_CONTINUE && h && !syn)
		reason = flow_check_handshake(&c, &key, h, &hn);
	if (reason != STAT_CONTINUE)
		return stop(reason);
	b = c.backend;
	local = b->local;	/* read once: the verifier follows one value */
	if (!local && b->health == KHAXDP_HEALTH_GONE) {
		/* Its node failed: the client learns it now, not from its
		 * keepalive's timeout. (One branch per table: the verifier
		 * refuses the compiler's OR of the two pointers.) */
		if (f)
			return forward_gone(ctx, p, &flows, &key);
		if (h)
			return forward_gone(ctx, p, &half_open, &key);
	}
	if (f)
		dsr = f->mode == KHAXDP_MODE_DSR;
	else if (h)
		dsr = h->mode == KHAXDP_MODE_DSR;
	else
		dsr = c.svc && c.svc->mode == KHAXDP_MODE_DSR;
	dsr = dsr && !local;
	if (f)
		flow_snat_addr(nd, &key, f, &nat_src);
	else if (h)
		flow_snat_addr(nd, &key, h, &nat_src);
	else if (nd->flags & KHAXDP_NODE_SNAT_NODE)
		flow_node_addr(nd, key.family, &nat_src);
	else
		nat_src = key.dst;

	/* Whether it can be sent first: a SYN that cannot opens no flow. A
	 * DSR packet only changes its Ethernet addresses (one segment): its
	 * TTL stays. */
	if (!local) {
		if (!dsr && !nat_ttl_allows_forward(p))
			return stop(KHAXDP_STAT_TTL_EXCEEDED);
		hop = bpf_map_lookup_elem(&nexthops, &c.backend_id);
		if (!hop)
			return XDP_PASS;
		reason = fib_next_hop(ctx, p, &nat_src, &b->addr, hop, c.now);
		if (reason != STAT_CONTINUE)
			return stop(reason);
	}
	if (f)
		;	/* established */
	else if (!h)
		reason = flow_open(&c, &key, data_end, &h);
	else if (h->mode == KHAXDP_MODE_DSR &&
		 (nd->flags & KHAXDP_NODE_DSR_CONFIRM))	/* its server's word */
		flow_dsr_acked(&c, &key, h, syn);
	else if (!syn && !p->tcp->rst)	/* the handshake checked out */
		reason = flow_confirm(&c, &key, h, hn, &f);
	if (reason != STAT_CONTINUE)
		return stop(reason);
	if (f) {
		/* Only a FIN or RST can close the flow: data pays nothing. */
		int closing = p->tcp->fin || p->tcp->rst;
		int was_closed = closing && khaxdp_flow_closed(f);

		if (!syn)
			tcp_side_track(&f->client, p);
		if (flow_touch(f, p->tcp, c.now, KHAXDP_FLOW_FIN_FWD) && !dsr) {
			reason = flow_keep_nat(&c, &key, f);
			if (reason == KHAXDP_STAT_NAT_LOST)
				return stop(reason);
			if (reason != STAT_CONTINUE)
				stat_count(reason);
		}
		if (closing && !was_closed && khaxdp_flow_closed(f))
			flow_event(&c, &key, f, KHAXDP_FLOW_EV_CLOSE);
	} else {
		f = h;
	}
	stat_backend(c.backend_id, p->ip_len, STAT_IN);

	if (local) {
		if (serve)
			dsr_flag(p, 0);
		tcp_ts_shift(p->tcp, data_end, f->ts_offset, 0);
		nat_rewrite(p, &key.src, key.sport, &b->addr, b->port,
			    NAT_DELIVER);
		stat_count(serve ? KHAXDP_STAT_DSR_SERVED : KHAXDP_STAT_FWD_LOCAL);
		return XDP_PASS;
	}
	if (!hop)	/* set above for every remote backend; the verifier */
		return XDP_PASS;	/* may not follow local that far */
	if (dsr) {
		dsr_flag(p, 1);
		return fib_transmit(ctx, p, hop, KHAXDP_STAT_DSR_TX,
				    KHAXDP_STAT_DSR_TX);
	}
	tcp_ts_shift(p->tcp, data_end, f->ts_offset, 0);
	nat_rewrite(p, &nat_src, f->snat_port, &b->addr, b->port, NAT_FORWARD);
	return fib_transmit(ctx, p, hop, KHAXDP_STAT_FWD_TX,
			    KHAXDP_STAT_FWD_REDIRECT);
}

/* --- XDP: backend -> VIP:snat_port ------------------------------------- */

/* A remote backend's packet to a SNAT port (of a VIP, or of the node): the
 * reply of a confirmed flow, or the backend's answer to a half-open one's
 * SYN. */
static __always_inline int reply(struct xdp_md *ctx, struct packet *p)
{
	void *data_end = (void *)(long)ctx->data_end;
	struct khaxdp_flow_key rkey;
	struct khaxdp_flow *f;
	struct khaxdp_nat *n;
	int reason, confirmed;
	__u64 now;

	nat_tuple_of(p, &rkey);
	now = bpf_ktime_get_coarse_ns();
	n = bpf_map_lookup_elem(&nat, &rkey);
	f = n ? nat_flow_of(n, p->tcp->dest, now) : NULL;
	confirmed = f != NULL;
	/* A SYN-ACK, or anything on a tuple whose confirmed flow closed, may
	 * be the answer to a half-open flow that took the tuple over: that
	 * one owns it now. */
	if (!f || p->tcp->syn || khaxdp_flow_closed(f)) {
		struct khaxdp_nat *hn = bpf_map_lookup_elem(&half_open_nat, &rkey);
		struct khaxdp_flow *h;

		h = hn ? nat_half_open_of(hn, p->tcp->dest, now) : NULL;
		if (!n && !hn) {
			stat_count(KHAXDP_STAT_PASS_NOT_VIP);
			return XDP_PASS;
		}
		if (h || !f) {
			n = hn;
			f = h;
			confirmed = 0;
		}
	}
	if (!f || !n || (f->flags & KHAXDP_FLOW_LOCAL)) {
		stat_count(KHAXDP_STAT_REPLY_NO_FLOW);
		return XDP_PASS;
	}
	reason = confirmed ? flow_check_server(p, f, n, data_end) :
			     flow_check_synack(p, f, n, data_end);
	if (reason != STAT_CONTINUE)
		return stop(reason);
	if (!nat_ttl_allows_forward(p))
		return stop(KHAXDP_STAT_TTL_EXCEEDED);
	reason = fib_next_hop(ctx, p, &n->flow.dst, &n->flow.src, &n->hop, now);
	if (reason != STAT_CONTINUE)
		return stop(reason);
	if (confirmed)
		flow_touch(f, p->tcp, now, KHAXDP_FLOW_FIN_REV);
	tcp_ts_shift(p->tcp, data_end, n->ts_offset, 1);
	nat_rewrite(p, &n->flow.dst, n->flow.dport, &n->flow.src, n->flow.sport,
		    NAT_FORWARD);
	stat_backend(n->backend_id, p->ip_len, STAT_OUT);
	return fib_transmit(ctx, p, &n->hop, KHAXDP_STAT_REPLY_TX,
			    KHAXDP_STAT_REPLY_REDIRECT);
}

/* --- XDP: ICMP errors of flows ------------------------------------------- */

/* The outer packet's addresses, in the flow keys' form. */
static __always_inline void icmp_outer_addrs(const struct packet *p,
					     union khaxdp_addr *src,
					     union khaxdp_addr *dst)
{
	pkt_addrs(p, src, dst);
}

/* To a VIP (or this node), about VIP:snat -> backend:port that we
 * forwarded: to the client, about client:port -> VIP:port. From the
 * backend itself it comes from the VIP; a router's address stays. */
static __always_inline int icmp_to_client(struct xdp_md *ctx, struct packet *p,
					  struct icmp_err *e,
					  const struct khaxdp_node *nd,
					  int *verdict)
{
	union khaxdp_addr qsrc, qdst, osrc, odst, from;
	struct khaxdp_flow_key rkey = {};
	struct khaxdp_flow *f;
	struct khaxdp_nat *n;
	__u64 now;
	int reason;

	icmp_quote_addrs(p, e, &qsrc, &qdst);
	icmp_outer_addrs(p, &osrc, &odst);
	if (!addr_equal(&qsrc, &odst))
		return KHAXDP_STAT_ICMP_NO_FLOW;
	rkey.src = qdst;
	rkey.dst = qsrc;
	rkey.sport = e->tcp->dest;
	rkey.dport = e->tcp->source;
	rkey.proto = IPPROTO_TCP;
	rkey.family = p->family;
	now = bpf_ktime_get_coarse_ns();
	n = bpf_map_lookup_elem(&nat, &rkey);
	f = n ? nat_flow_of(n, e->tcp->source, now) : NULL;
	if (!f) {
		/* About the SYN of a half-open flow (the backend unreachable) */
		n = bpf_map_lookup_elem(&half_open_nat, &rkey);
		f = n ? nat_half_open_of(n, e->tcp->source, now) : NULL;
	}
	if (!f || !n || (f->flags & KHAXDP_FLOW_LOCAL))
		return KHAXDP_STAT_ICMP_NO_FLOW;
	if (!nat_ttl_allows_forward(p))
		return KHAXDP_STAT_TTL_EXCEEDED;
	reason = fib_next_hop(ctx, p, &n->flow.dst, &n->flow.src, &n->hop, now);
	if (reason != STAT_CONTINUE)
		return reason;
	from = addr_equal(&osrc, &qdst) ? n->flow.dst : osrc;
	icmp_rewrite_quote(p, e, &n->flow.src, n->flow.sport, &n->flow.dst,
			   n->flow.dport);
	icmp_rewrite_outer(p, e, &from, &n->flow.src, 1);
	*verdict = fib_transmit(ctx, p, &n->hop, KHAXDP_STAT_ICMP_TX,
				KHAXDP_STAT_ICMP_TX);
	return STAT_CONTINUE;
}

/* To a VIP, about VIP:port -> client:port that we sent for a backend: to
 * that backend, about what it sent. A DSR flow's backend node answered the
 * client itself, from its own socket backend:port -> client:port (its TC
 * made it VIP:port): the error goes there with that quote and the router's
 * address, as if the path had been direct. */
static __always_inline int icmp_to_backend(struct xdp_md *ctx, struct packet *p,
					   struct icmp_err *e,
					   const struct khaxdp_node *nd,
					   int *verdict)
{
	union khaxdp_addr qsrc, qdst, osrc, odst, src;
	struct khaxdp_nexthop *hop;
	struct khaxdp_flow_key key = {};
	struct khaxdp_backend *b;
	struct khaxdp_flow *f;
	__u64 now = bpf_ktime_get_coarse_ns();
	int reason, dsr;

	icmp_quote_addrs(p, e, &qsrc, &qdst);
	icmp_outer_addrs(p, &osrc, &odst);
	key.src = qdst;
	key.dst = qsrc;
	key.sport = e->tcp->dest;
	key.dport = e->tcp->source;
	key.proto = IPPROTO_TCP;
	key.family = p->family;
	f = flow_lookup_live(&key, 0, now);
	if (!f)
		f = flow_half_open_live(&key, 0, now);
	if (!f)
		return KHAXDP_STAT_ICMP_NO_FLOW;
	flow_snat_addr(nd, &key, f, &src);
	b = backend_get(f->backend_id, p->family);
	if (!b)
		return KHAXDP_STAT_ICMP_NO_FLOW;
	if (f->flags & KHAXDP_FLOW_LOCAL) {
		/* The local apiserver's socket is node:port -> client. */
		icmp_rewrite_quote(p, e, &b->addr, b->port, &qdst, e->tcp->dest);
		icmp_rewrite_outer(p, e, &osrc, &b->addr, 0);
		*verdict = XDP_PASS;
		return KHAXDP_STAT_ICMP_LOCAL;
	}
	if (!nat_ttl_allows_forward(p))
		return KHAXDP_STAT_TTL_EXCEEDED;
	hop = bpf_map_lookup_elem(&nexthops, &f->backend_id);
	if (!hop)
		return KHAXDP_STAT_ICMP_NO_FLOW;
	dsr = f->mode == KHAXDP_MODE_DSR;
	if (dsr)
		src = osrc;
	reason = fib_next_hop(ctx, p, &src, &b->addr, hop, now);
	if (reason != STAT_CONTINUE)
		return reason;
	if (dsr)
		icmp_rewrite_quote(p, e, &b->addr, b->port, &qdst, e->tcp->dest);
	else
		icmp_rewrite_quote(p, e, &b->addr, b->port, &src, f->snat_port);
	icmp_rewrite_outer(p, e, &src, &b->addr, 1);
	*verdict = fib_transmit(ctx, p, hop, KHAXDP_STAT_ICMP_TX,
				KHAXDP_STAT_ICMP_TX);
	return STAT_CONTINUE;
}

/* A packet that is not TCP: an ICMP error of a flow is translated,
 * everything else passes as PASS_NOT_TCP. */
static __always_inline int not_tcp(struct xdp_md *ctx, struct packet *p,
				   void *data_end)
{
	int reason = KHAXDP_STAT_PASS_NOT_TCP, verdict = XDP_PASS;
	struct khaxdp_node *nd = node_get();
	struct icmp_err e;
	int to_node;

	if (nd && node_mac_is(nd, p->eth->h_dest)) {
		to_node = node_is_dst(nd, p);
		if (to_node || node_has_vip(nd, p))
			reason = icmp_parse(p, data_end, &e);
		if (reason == STAT_CONTINUE &&
		    (to_node || node_snat_port(nd, e.tcp->source)))
			reason = icmp_to_client(ctx, p, &e, nd, &verdict);
		else if (reason == STAT_CONTINUE)
			reason = icmp_to_backend(ctx, p, &e, nd, &verdict);
	}
	if (reason == STAT_CONTINUE)
		return verdict;		/* counted when sent */
	stat_count(reason);
	if (reason == KHAXDP_STAT_TTL_EXCEEDED)
		return XDP_DROP;
	return verdict;
}

/* The XDP path of one address family (a constant: each program keeps only
 * its family's code, and the verifier follows only that). */
static __always_inline int xdp_family(struct xdp_md *ctx, __u8 family)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct khaxdp_node *nd;
	struct packet p;
	int reason;

	reason = parse_packet_of(data, data_end, ctx->data_end - ctx->data,
				 family, &p);
	if (reason == KHAXDP_STAT_PASS_NOT_TCP)
		return not_tcp(ctx, &p, data_end);
	if (reason != STAT_CONTINUE) {
		stat_count(reason);
		return XDP_PASS;
	}
	nd = node_get();
	if (!nd) {
		stat_count(KHAXDP_STAT_PASS_NOT_VIP);
		return XDP_PASS;
	}
	if (!node_mac_is(nd, p.eth->h_dest)) {
		stat_count(KHAXDP_STAT_PASS_OTHER_HOST);
		return XDP_PASS;
	}

	/* The node's own address is never a VIP: only replies to SNAT ports
	 * need a look (flows NATed from the node's address), and the rest of
	 * the node's traffic costs no lookup. */
	if (node_is_dst(nd, &p)) {
		if (node_snat_port(nd, p.tcp->dest))
			return reply(ctx, &p);
		stat_count(KHAXDP_STAT_PASS_NOT_VIP);
		return XDP_PASS;
	}

	if (!node_has_vip(nd, &p)) {
		stat_count(KHAXDP_STAT_PASS_NOT_VIP);
		return XDP_PASS;
	}
	/* To a VIP: a client's packet to a service port, or a backend's
	 * reply to a SNAT port (the configuration keeps them apart). A
	 * packet another node balanced here (DSR) is served, never balanced
	 * again; only the active node balances. A standby gets VIP packets
	 * only from clients that still have its MAC (the holder just moved):
	 * dropped, they send them again, by then to the holder. Passed, the
	 * stack would forward them along neighbour entries that may point
	 * back here (a loop until the TTL ran out: ICMP time exceeded, found
	 * by make soak) and send ICMP redirects. */
	if (node_snat_port(nd, p.tcp->dest))
		return reply(ctx, &p);
	if (dsr_marked(&p))
		return forward(ctx, &p, nd, 1);
	if (!khaxdp_node_active(nd, p.family)) {
		stat_count(KHAXDP_STAT_STANDBY);
		return XDP_DROP;
	}
	return forward(ctx, &p, nd, 0);
}

/* IPv6 frames go to a program of their own: the two families' paths
 * together are more than the verifier follows in one program. libbpf puts
 * it in the array when it loads the object; pinned, the array keeps it
 * after attach exits (a program array forgets its programs when nothing
 * in user space holds it). */
int khaxdp_xdp6(struct xdp_md *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, 1);
	__uint(key_size, sizeof(__u32));	/* no BTF: a program array */
	__uint(pinning, LIBBPF_PIN_BY_NAME);	/* takes none */
	__array(values, int (struct xdp_md *));
} xdp_ipv6 SEC(".maps") = {
	.values = { [0] = (void *)&khaxdp_xdp6 },
};

SEC("xdp")
int khaxdp_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;

	stat_count(KHAXDP_STAT_RX);
	if (parse_is_ipv6(data, data_end)) {
		bpf_tail_call(ctx, &xdp_ipv6, 0);
		stat_count(KHAXDP_STAT_PASS_NO_IPV6);
		return XDP_PASS;
	}
	return xdp_family(ctx, KHAXDP_AF_INET);
}

/* Entered only from khaxdp_xdp, which counted the frame. */
SEC("xdp")
int khaxdp_xdp6(struct xdp_md *ctx)
{
	return xdp_family(ctx, KHAXDP_AF_INET6);
}

/* --- TC egress: replies of the local backend --------------------------- */

/* Ethernet, the longest IP header walked (IPv6 and a few extension
 * headers) and the longest TCP header. */
#define TC_HDR_MAX	(ETH_HLEN + 40 + 64 + 60)

/* A local flow closed by the apiserver: announced for flow sync, as
 * flow_event() does: by the active node, and by one that serves DSR flows
 * for it and confirms them (a flow of the local backend is one or the
 * other). */
static __always_inline void tc_flow_closed(const struct khaxdp_flow_key *key,
					   const struct khaxdp_flow *f,
					   __u32 backend_id, __u64 now)
{
	const struct khaxdp_node *nd = node_get();
	const struct khaxdp_backend *b = backend_get(backend_id, key->family);

	if (nd && b && (khaxdp_node_active(nd, key->family) ||
			(nd->flags & KHAXDP_NODE_DSR_CONFIRM)))
		flow_event_emit(key, f, b, KHAXDP_FLOW_EV_CLOSE, now);
}

SEC("tc")
int khaxdp_tc(struct __sk_buff *skb)
{
	struct khaxdp_flow_key rkey;
	union khaxdp_addr dst;
	struct khaxdp_flow *f;
	struct khaxdp_nat *n;
	struct packet p;
	__u32 tcp_off, ip_len, ts_off, ts_offset;
	void *data, *data_end;
	__u64 now;
	int reason;

	/* The stack builds headers in the linear head, but make sure: the
	 * parser reads headers only there, the payload may be in fragments. */
	if (skb->data_end - skb->data < TC_HDR_MAX && skb->len > skb->data_end - skb->data)
		bpf_skb_pull_data(skb, skb->len < TC_HDR_MAX ? skb->len : TC_HDR_MAX);
	data = (void *)(long)skb->data;
	data_end = (void *)(long)skb->data_end;
	reason = parse_packet(data, data_end, skb->len, PARSE_STACK, &p);
	if (reason != STAT_CONTINUE) {
		/* Most of what the node sends is simply not ours (ARP,
		 * UDP, fragments); only headers that lie are counted. */
		if (stat_class(reason) == KHAXDP_CLASS_MALFORMED)
			stat_count(KHAXDP_STAT_TC_BAD);
		return TC_ACT_OK;
	}
	nat_tuple_of(&p, &rkey);
	now = bpf_ktime_get_coarse_ns();
	n = bpf_map_lookup_elem(&nat, &rkey);
	f = n ? nat_flow_of(n, 0, now) : NULL;
	if (f && (f->flags & KHAXDP_FLOW_LOCAL)) {
		/* The node's own stack is believed: its segments only teach
		 * (and its SYN-ACK to a client's new SYN starts anew). */
		int was_closed = khaxdp_flow_closed(f);

		if (p.tcp->syn)
			flow_check_server(&p, f, n, data_end);
		else
			tcp_side_track(&n->server, &p);
		flow_touch(f, p.tcp, now, KHAXDP_FLOW_FIN_REV);
		/* The apiserver's FIN or RST ended a flow of this node's own
		 * backend: its close is announced from here (XDP does it when
		 * the client's ends it). */
		if (!was_closed && khaxdp_flow_closed(f))
			tc_flow_closed(&n->flow, f, n->backend_id, now);
	} else {
		n = bpf_map_lookup_elem(&half_open_nat, &rkey);
		f = n ? nat_half_open_of(n, 0, now) : NULL;
		if (!f || !(f->flags & KHAXDP_FLOW_LOCAL))
			return TC_ACT_OK;
		flow_check_synack(&p, f, n, data_end);
	}
	tcp_off = NAT_TC_IP_OFF + (p.l4_off & 0x3fff);
	ip_len = p.ip_len;
	ts_off = n->ts_offset ? tcp_ts_off(p.tcp, data_end) : 0;
	ts_offset = n->ts_offset;
	dst = n->flow.dst;
	/* The helpers may move the packet: p is not used after this. */
	if (nat_rewrite_source_skb(skb, tcp_off, rkey.family, &rkey.src, &dst,
				   rkey.sport, n->flow.dport) ||
	    (ts_off && tcp_ts_unshift_skb(skb, tcp_off, ts_off, ts_offset))) {
		stat_count(KHAXDP_STAT_TC_BAD);
		return TC_ACT_OK;
	}
	stat_backend(n->backend_id, ip_len, STAT_OUT);
	stat_count(KHAXDP_STAT_TC_REPLY);
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

/* connect() of a TCP socket to @vip:@vip_port: the backend it goes to,
 * or NULL to leave it to the stack. */
static __always_inline struct khaxdp_backend *
sock_connect(struct bpf_sock_addr *ctx, __u8 family,
	     const union khaxdp_addr *vip, __be16 vip_port)
{
	struct khaxdp_sock_vip *sv;
	struct khaxdp_service *svc;
	struct khaxdp_backend *b;
	struct khaxdp_node *nd;
	int is_vip;
	__u32 id;

	if (ctx->type != SOCK_STREAM || ctx->protocol != IPPROTO_TCP)
		return NULL;
	/* A socket whose connect to a VIP failed may connect again, to
	 * anything: what getpeername() reported for the first is forgotten
	 * (written again below if this one is balanced too). */
	bpf_sk_storage_delete(&sock_vip, ctx->sk);
	nd = node_get();
	if (!nd)
		return NULL;
	is_vip = family == KHAXDP_AF_INET6 ? node_has_vip6(nd, vip) :
					     node_has_vip4(nd, vip->v4);
	if (!is_vip || !sock_in_scope(ctx, nd))
		return NULL;
	svc = backend_service(vip, vip_port, family);
	if (!svc)
		return NULL;
	b = NULL;
	if (!backend_pick(svc, family, &id))
		b = backend_get(id, family);
	if (!b) {
		/* Left to the stack: refused, as haproxy would. */
		stat_count(KHAXDP_STAT_SOCK_NO_BACKEND);
		return NULL;
	}
	sv = bpf_sk_storage_get(&sock_vip, ctx->sk, 0,
				BPF_SK_STORAGE_GET_F_CREATE);
	if (sv) {
		sv->addr = *vip;
		sv->port = vip_port;
		sv->family = family;
		sv->backend_id = id;
	}
	stat_count(KHAXDP_STAT_SOCK_CONNECT);
	stat_flow_opened(id);
	return b;
}

SEC("cgroup/connect4")
int khaxdp_connect4(struct bpf_sock_addr *ctx)
{
	union khaxdp_addr vip;
	struct khaxdp_backend *b;

	/* A union's initializer sets only the member it names: the key's
	 * other 12 bytes are zeroed here. */
	__builtin_memset(&vip, 0, sizeof(vip));
	vip.v4 = ctx->user_ip4;
	b = sock_connect(ctx, KHAXDP_AF_INET, &vip, (__be16)ctx->user_port);
	if (b) {
		ctx->user_ip4 = b->addr.v4;
		ctx->user_port = b->port;
	}
	return 1;
}

SEC("cgroup/connect6")
int khaxdp_connect6(struct bpf_sock_addr *ctx)
{
	union khaxdp_addr vip;
	struct khaxdp_backend *b;

	/* The context is read and written a word at a time. */
	vip.v6[0] = ctx->user_ip6[0];
	vip.v6[1] = ctx->user_ip6[1];
	vip.v6[2] = ctx->user_ip6[2];
	vip.v6[3] = ctx->user_ip6[3];
	b = sock_connect(ctx, KHAXDP_AF_INET6, &vip, (__be16)ctx->user_port);
	if (b) {
		ctx->user_ip6[0] = b->addr.v6[0];
		ctx->user_ip6[1] = b->addr.v6[1];
		ctx->user_ip6[2] = b->addr.v6[2];
		ctx->user_ip6[3] = b->addr.v6[3];
		ctx->user_port = b->port;
	}
	return 1;
}

/* getpeername() on a balanced socket still says VIP:port. */
SEC("cgroup/getpeername4")
int khaxdp_getpeername4(struct bpf_sock_addr *ctx)
{
	struct khaxdp_sock_vip *sv;

	sv = bpf_sk_storage_get(&sock_vip, ctx->sk, 0, 0);
	if (sv && sv->family == KHAXDP_AF_INET) {
		ctx->user_ip4 = sv->addr.v4;
		ctx->user_port = sv->port;
	}
	return 1;
}

SEC("cgroup/getpeername6")
int khaxdp_getpeername6(struct bpf_sock_addr *ctx)
{
	struct khaxdp_sock_vip *sv;

	sv = bpf_sk_storage_get(&sock_vip, ctx->sk, 0, 0);
	if (sv && sv->family == KHAXDP_AF_INET6) {
		ctx->user_ip6[0] = sv->addr.v6[0];
		ctx->user_ip6[1] = sv->addr.v6[1];
		ctx->user_ip6[2] = sv->addr.v6[2];
		ctx->user_ip6[3] = sv->addr.v6[3];
		ctx->user_port = sv->port;
	}
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
