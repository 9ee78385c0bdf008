/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * flow.bpf.h - the flow table: a client's connection to a VIP, which
 * backend it went to and how long it lives. Once opened, every packet of a
 * flow follows it, never the round-robin cursor.
 *
 * A SYN opens a half-open flow (half_open, half_open_nat), which lives at
 * most the connect timeout; the client's ACK of the backend's SYN-ACK
 * confirms it into flows and nat. A SYN flood therefore fills only the
 * half-open tables, and a source address may hold only its share of them.
 * A confirmed flow believes a RST or FIN only within the window
 * (tcp.bpf.h).
 */
#ifndef KHAXDP_FLOW_BPF_H
#define KHAXDP_FLOW_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "backend.bpf.h"
#include "fib.bpf.h"
#include "khaxdp.h"
#include "maps.bpf.h"
#include "nat.bpf.h"
#include "parsing.bpf.h"
#include "policy.h"
#include "stat.bpf.h"
#include "tcp.bpf.h"

/* last_seen is rewritten at most this often, so that the forward and the
 * reply CPU do not bounce the flow's cache line on every packet. */
#define FLOW_TOUCH_NS	(KHAXDP_NSEC_PER_SEC / 4)

/* A packet on its way to a backend: what each step of the forward path
 * needs, gathered once. */
struct flow_fwd {
	struct xdp_md *xdp;
	struct packet *p;
	const struct khaxdp_node *node;
	const struct khaxdp_service *svc;	/* NULL: the flow says all */
	const struct khaxdp_backend *backend;
	__u32 backend_id;
	__u64 now;
	int serve;			/* balanced by another node (DSR) */
};

/* The flow of key unless it is over: expired, or closed and a new SYN
 * reuses its tuple. Such a SYN ends the closed flow at once (its last
 * seconds are no use any more): the handshake that follows belongs to the
 * half-open flow the SYN opens, and its ACK must not find the old one. */
static __always_inline struct khaxdp_flow *
flow_lookup_live(const struct khaxdp_flow_key *key, int syn, __u64 now)
{
	struct khaxdp_flow *f = bpf_map_lookup_elem(&flows, key);

	if (!f)
		return NULL;
	if (khaxdp_flow_expired(f, now)) {
		stat_count(KHAXDP_STAT_FLOW_EXPIRED);
		return NULL;
	}
	if (syn && khaxdp_flow_closed(f)) {
		bpf_map_delete_elem(&flows, key);
		stat_count(KHAXDP_STAT_FLOW_EXPIRED);
		return NULL;
	}
	return f;
}

/* The half-open flow of key, unless its connect timeout passed or the
 * backend refused it. One its client acknowledged (khaxdp_flow_acked())
 * lives as a confirmed flow does: its service's idle timeout, and once the
 * client closed it, kept for the last ACKs until a new SYN takes the
 * tuple. */
static __always_inline struct khaxdp_flow *
flow_half_open_live(const struct khaxdp_flow_key *key, int syn, __u64 now)
{
	struct khaxdp_flow *h = bpf_map_lookup_elem(&half_open, key);

	if (!h)
		return NULL;
	if (khaxdp_flow_expired(h, now) ||
	    (khaxdp_flow_closed(h) && (syn || !khaxdp_flow_acked(h)))) {
		stat_count(KHAXDP_STAT_FLOW_EXPIRED);
		return NULL;
	}
	return h;
}

/* Tell the agent (flow sync) that a flow another node would have to
 * follow opened or closed: the active node, of the flows it checked (its
 * own backend's, and DSR flows the serving node confirmed), and the node
 * that serves a DSR flow for another, which checked its whole handshake.
 * A full ring buffer loses the event (counted); the agents' periodic
 * snapshots repair it. */
static __always_inline void flow_event_emit(const struct khaxdp_flow_key *key,
					    const struct khaxdp_flow *f,
					    const struct khaxdp_backend *b,
					    __u8 type, __u64 now)
{
	struct khaxdp_flow_event *ev;

	ev = bpf_ringbuf_reserve(&flow_events, sizeof(*ev), 0);
	if (!ev) {
		stat_count(KHAXDP_STAT_FLOW_EV_LOST);
		return;
	}
	khaxdp_flow_event_fill(ev, key, f, b, type, now);
	bpf_ringbuf_submit(ev, 0);
}

static __always_inline void flow_event(const struct flow_fwd *c,
				       const struct khaxdp_flow_key *key,
				       const struct khaxdp_flow *f, __u8 type)
{
	if (!(c->serve ? c->node->flags & KHAXDP_NODE_DSR_CONFIRM :
			 khaxdp_node_active(c->node, key->family)) ||
	    !(f->mode == KHAXDP_MODE_DSR || (f->flags & KHAXDP_FLOW_LOCAL)))
		return;
	flow_event_emit(key, f, c->backend, type, c->now);
}

/* Set flags with one atomic OR (the other direction's CPU may set its
 * own at the same time), only when one is new. */
static __always_inline void flow_flag(struct khaxdp_flow *f, __u32 add)
{
	if (add & ~(__u32)f->flags)
		__sync_fetch_and_or(&f->flags_word,
				    add << KHAXDP_FLOW_FLAGS_SHIFT);
}

/* Record what this packet, believed (tcp_in_window()), says about the
 * connection's life. Returns 1 when last_seen was refreshed (at most
 * every FLOW_TOUCH_NS). */
static __always_inline int flow_touch(struct khaxdp_flow *f,
				      const struct tcphdr *tcp, __u64 now,
				      __u8 fin_flag)
{
	__u32 add = 0;

	if (tcp->rst)
		add |= KHAXDP_FLOW_RST;
	if (tcp->fin)
		add |= fin_flag;
	flow_flag(f, add);
	if (now - f->last_seen_ns <= FLOW_TOUCH_NS)
		return 0;
	f->last_seen_ns = now;
	return 1;
}

/* The address a flow to a remote backend is NATed from: the VIP it was
 * opened to, or the node's (KHAXDP_NODE_SNAT_NODE, and flows of a data
 * plane before the flag). */
/* The node's own address of the family. */
static __always_inline void flow_node_addr(const struct khaxdp_node *nd,
					   __u8 family, union khaxdp_addr *out)
{
	*out = family == KHAXDP_AF_INET6 ? nd->addr6 : nd->addr;
}

static __always_inline void flow_snat_addr(const struct khaxdp_node *nd,
					   const struct khaxdp_flow_key *key,
					   const struct khaxdp_flow *f,
					   union khaxdp_addr *out)
{
	if (f->flags & KHAXDP_FLOW_SNAT_VIP)
		*out = key->dst;
	else
		flow_node_addr(nd, key->family, out);
}

/* The reply tuple of a flow: backend -> VIP (or node):snat_port, or for the
 * local backend, backend -> client (its socket answers the client
 * directly). */
static __always_inline void flow_reply_key(const struct flow_fwd *c,
					   const struct khaxdp_flow_key *key,
					   const struct khaxdp_flow *f,
					   struct khaxdp_flow_key *rkey)
{
	const struct khaxdp_backend *b = c->backend;

	__builtin_memset(rkey, 0, sizeof(*rkey));
	rkey->src = b->addr;
	rkey->sport = b->port;
	rkey->proto = IPPROTO_TCP;
	rkey->family = key->family;
	if (f->flags & KHAXDP_FLOW_LOCAL) {
		rkey->dst = key->src;
		rkey->dport = key->sport;
	} else {
		flow_snat_addr(c->node, key, f, &rkey->dst);
		rkey->dport = f->snat_port;
	}
}

/* A client's RST or FIN on a DSR flow: within a fixed window of what the
 * client sent (the backend's window is not seen here)? */
static __always_inline int flow_dsr_in_window(const struct tcphdr *tcp,
					      const struct khaxdp_flow *f)
{
	struct khaxdp_tcp_side peer = { .maxwin = KHAXDP_DSR_WINDOW };

	if (!(tcp->rst || tcp->fin) || (f->flags & KHAXDP_FLOW_UNTRACKED) ||
	    tcp_in_window(&f->client, &peer, bpf_ntohl(tcp->seq)))
		return STAT_CONTINUE;
	return KHAXDP_STAT_OUT_OF_WINDOW;
}

/*
 * A client's packet on a confirmed flow: may it act on the flow? A RST or
 * FIN must lie within the backend's window of what the client sent
 * (OUT_OF_WINDOW otherwise); a SYN stays with its backend, and the
 * backend's SYN-ACK to it, if its old connection was gone, starts the
 * flow anew (KHAXDP_FLOW_RESYNC).
 */
static __always_inline int flow_check_client(const struct flow_fwd *c,
					     const struct khaxdp_flow_key *key,
					     struct khaxdp_flow *f)
{
	const struct tcphdr *tcp = c->p->tcp;
	struct khaxdp_flow_key rkey;
	struct khaxdp_nat *n;

	if (tcp->syn) {
		flow_flag(f, KHAXDP_FLOW_RESYNC);
		return STAT_CONTINUE;
	}
	if (!(tcp->rst || tcp->fin) || (f->flags & KHAXDP_FLOW_UNTRACKED))
		return STAT_CONTINUE;
	if (f->mode == KHAXDP_MODE_DSR)
		return flow_dsr_in_window(tcp, f);
	flow_reply_key(c, key, f, &rkey);
	n = bpf_map_lookup_elem(&nat, &rkey);
	if (!n || !nat_key_equal(&n->flow, key))
		return STAT_CONTINUE;	/* flow_keep_nat() puts it back */
	if (!tcp_in_window(&f->client, &n->server, bpf_ntohl(tcp->seq)))
		return KHAXDP_STAT_OUT_OF_WINDOW;
	return STAT_CONTINUE;
}

/* A backend's packet on a confirmed flow, with its reply entry n: the
 * same rules from the other side. A SYN-ACK is believed only after the
 * client's SYN on this flow and when it answers that SYN (its ack is one
 * past the SYN): both sides start again from there. */
static __always_inline int flow_check_server(const struct packet *p,
					     struct khaxdp_flow *f,
					     struct khaxdp_nat *n,
					     void *data_end)
{
	const struct tcphdr *tcp = p->tcp;
	struct tcp_opts o;

	if (tcp->syn) {
		if (!tcp->ack || !(f->flags & KHAXDP_FLOW_RESYNC))
			return KHAXDP_STAT_OUT_OF_WINDOW;
		__sync_fetch_and_and(&f->flags_word,
				     ~((__u32)KHAXDP_FLOW_RESYNC <<
				       KHAXDP_FLOW_FLAGS_SHIFT));
		tcp_opts_find(tcp, data_end, &o);
		tcp_side_open(&n->server, p, data_end, &o);
		f->client.end = bpf_ntohl(tcp->ack_seq);
		/* The backend offers a scale only when the client's SYN did;
		 * its value was not kept: the largest, the loosest check. */
		f->client.wscale = n->server.wscale == KHAXDP_WSCALE_NONE ?
				   KHAXDP_WSCALE_NONE : KHAXDP_WSCALE_MAX;
		return STAT_CONTINUE;
	}
	if ((tcp->rst || tcp->fin) && !(f->flags & KHAXDP_FLOW_UNTRACKED) &&
	    !tcp_in_window(&n->server, &f->client, bpf_ntohl(tcp->seq)))
		return KHAXDP_STAT_OUT_OF_WINDOW;
	tcp_side_track(&n->server, p);
	return STAT_CONTINUE;
}

/*
 * The nat table is an LRU of its own: under pressure it may evict the
 * reply mapping of a flow that lives on. A forward packet that refreshes
 * last_seen (at most every FLOW_TOUCH_NS, so the cost is one lookup per
 * flow and period) checks the mapping and puts it back (NAT_RESTORED),
 * without the backend's sequence numbers: the flow is UNTRACKED from then
 * on. If another live flow holds the tuple meanwhile, this flow has lost
 * its way back: it is closed (RST: gone after KHAXDP_CLOSED_TIMEOUT_S) and
 * its packet dropped (NAT_LOST) rather than mixed into the other
 * connection.
 */
static __always_inline int flow_keep_nat(const struct flow_fwd *c,
					 const struct khaxdp_flow_key *key,
					 struct khaxdp_flow *f)
{
	struct khaxdp_flow_key rkey;
	struct khaxdp_scratch *s;
	struct khaxdp_nat *n, *val;

	flow_reply_key(c, key, f, &rkey);
	n = bpf_map_lookup_elem(&nat, &rkey);
	if (n && nat_key_equal(&n->flow, key))
		return STAT_CONTINUE;
	s = scratch_get();
	if (!s)
		return KHAXDP_STAT_NAT_LOST;
	val = &s->nat;
	val->flow = *key;
	val->backend_id = c->backend_id;
	fib_learn_client(&val->hop, c->xdp, c->p, c->now);
	flow_flag(f, KHAXDP_FLOW_UNTRACKED);
	if (!n) {
		bpf_map_update_elem(&nat, &rkey, val, BPF_NOEXIST);
		return KHAXDP_STAT_NAT_RESTORED;
	}
	if (nat_take_stale(n, val, f->snat_port, c->now)) {
		nat_release(n);
		return KHAXDP_STAT_NAT_RESTORED;
	}
	flow_flag(f, KHAXDP_FLOW_RST);
	return KHAXDP_STAT_NAT_LOST;
}

/* The source a SYN's share of half-open flows is counted for: its IPv4
 * address, or the /64 of its IPv6 one (one host holds a whole /64, RFC
 * 4291), with the family in the last word so the two never meet. */
static __always_inline void flow_source_of(const struct khaxdp_flow_key *key,
					   union khaxdp_addr *src)
{
	*src = key->src;
	if (key->family == KHAXDP_AF_INET6) {
		src->v6[2] = 0;
		src->v6[3] = KHAXDP_AF_INET6;
	}
}

/*
 * May this SYN's source open one more half-open flow? Each source address
 * may open node->half_open_per_source in a connect timeout, less those
 * whose handshake it completed (flow_confirm()); so it holds at most
 * twice that at any time, however fast it sends. Races between CPUs cost
 * at most a few SYNs more.
 */
static __always_inline int flow_source_allows(const struct flow_fwd *c,
					      const struct khaxdp_flow_key *key)
{
	__u32 limit = c->node->half_open_per_source;
	struct khaxdp_syn_source *s, fresh = { .window_ns = c->now, .count = 1 };
	union khaxdp_addr src;

	if (!limit)
		return 1;
	flow_source_of(key, &src);
	s = bpf_map_lookup_elem(&syn_sources, &src);
	if (!s) {
		bpf_map_update_elem(&syn_sources, &src, &fresh, BPF_ANY);
		return 1;
	}
	if (c->now - s->window_ns >
	    khaxdp_connect_timeout_s(c->node) * KHAXDP_NSEC_PER_SEC) {
		s->window_ns = c->now;
		s->count = 1;
		return 1;
	}
	if (s->count >= limit)
		return 0;
	__sync_fetch_and_add(&s->count, 1);
	return 1;
}

/*
 * Record a new half-open flow for a SYN: claim its reply tuple (a NAT port
 * for a remote backend, the client's tuple for the local one) in
 * half_open_nat, then the flow in half_open; both live at most the connect
 * timeout. Returns STAT_CONTINUE with *out set, or why the SYN is dropped.
 */
static __always_inline int flow_open(const struct flow_fwd *c,
				     const struct khaxdp_flow_key *key,
				     void *data_end, struct khaxdp_flow **out)
{
	struct khaxdp_nat *held = NULL, *nat_val;
	struct khaxdp_scratch *s;
	struct khaxdp_flow *h;
	union khaxdp_addr src;
	struct tcp_opts o;
	int err;

	if (!flow_source_allows(c, key))
		return KHAXDP_STAT_HALF_OPEN_LIMIT;
	s = scratch_get();
	if (!s)
		return KHAXDP_STAT_NAT_PORTS_FULL;
	nat_val = &s->nat;
	h = &s->flow;
	nat_val->flow = *key;
	nat_val->backend_id = c->backend_id;
	tcp_opts_find(c->p->tcp, data_end, &o);
	fib_learn_client(&nat_val->hop, c->xdp, c->p, c->now);
	nat_val->seq = 1;		/* held until the flow exists */
	if (c->svc->mode == KHAXDP_MODE_DSR && !c->backend->local) {
		/* The backend node answers the client itself: no reply tuple
		 * here. */
		h->mode = KHAXDP_MODE_DSR;
	} else if (c->backend->local) {
		/* The local apiserver holds client:port -> node:6443 in
		 * TIME_WAIT as a remote one holds its tuples: the same clock. */
		h->flags = KHAXDP_FLOW_LOCAL;
		h->ts_offset = tcp_ts_offset_of(c->p->tcp, data_end, &o);
		nat_val->ts_offset = h->ts_offset;
		if (nat_local_busy(c->xdp, c->p, c->backend) ||
		    nat_claim_local(c->backend, nat_val, c->now, &held))
			return KHAXDP_STAT_LOCAL_TUPLE_BUSY;
	} else {
		if (!(c->node->flags & KHAXDP_NODE_SNAT_NODE))
			h->flags = KHAXDP_FLOW_SNAT_VIP;
		h->ts_offset = tcp_ts_offset_of(c->p->tcp, data_end, &o);
		nat_val->ts_offset = h->ts_offset;
		flow_snat_addr(c->node, key, h, &src);
		if (nat_claim_port(c->node, c->backend, nat_val, &src, c->now,
				   &h->snat_port, &held))
			return KHAXDP_STAT_NAT_PORTS_FULL;
	}
	h->created_ns = c->now;
	h->last_seen_ns = c->now;
	h->backend_id = c->backend_id;
	h->service_id = c->svc->id;
	h->timeout_s = khaxdp_connect_timeout_s(c->node);
	tcp_side_open(&h->client, c->p, data_end, &o);
	err = bpf_map_update_elem(&half_open, key, h, BPF_ANY);
	nat_release(held);
	if (err)
		return KHAXDP_STAT_NAT_PORTS_FULL;

	stat_count(KHAXDP_STAT_FLOW_NEW);
	*out = bpf_map_lookup_elem(&half_open, key);
	return *out ? STAT_CONTINUE : KHAXDP_STAT_NAT_PORTS_FULL;
}

/*
 * A client's packet on a half-open flow h, not a SYN: the handshake's ACK
 * (or the first data after it) must acknowledge the backend's SYN-ACK,
 * which only a client that received it knows; a RST (the client gives up)
 * must carry the sequence number after its SYN. *hn is h's reply entry.
 */
static __always_inline int flow_check_handshake(const struct flow_fwd *c,
						const struct khaxdp_flow_key *key,
						struct khaxdp_flow *h,
						struct khaxdp_nat **hn)
{
	const struct tcphdr *tcp = c->p->tcp;
	struct khaxdp_flow_key rkey;

	/* A half-open flow the old holder handed over (UNTRACKED): the SYN
	 * was not seen here, its sequence number is not known. */
	int untracked = h->flags & KHAXDP_FLOW_UNTRACKED;

	if (khaxdp_flow_acked(h))	/* handshake done, as on a confirmed DSR flow */
		return flow_dsr_in_window(tcp, h);
	if (tcp->rst) {
		if (!untracked && bpf_ntohl(tcp->seq) != h->client.end)
			return KHAXDP_STAT_OUT_OF_WINDOW;
		flow_flag(h, KHAXDP_FLOW_RST);
		return STAT_CONTINUE;
	}
	if (h->mode == KHAXDP_MODE_DSR) {
		/* The backend's SYN-ACK went to the client, not through this
		 * node: its ACK cannot be checked here, only that it follows
		 * the SYN. It does not confirm the flow (flow_dsr_acked()): the
		 * node serving it checks the handshake and says so. */
		if (!tcp->ack ||
		    (!untracked && bpf_ntohl(tcp->seq) != h->client.end))
			return KHAXDP_STAT_HANDSHAKE_BAD;
		*hn = NULL;
		return STAT_CONTINUE;
	}
	flow_reply_key(c, key, h, &rkey);
	*hn = bpf_map_lookup_elem(&half_open_nat, &rkey);
	if (!*hn || !nat_key_equal(&(*hn)->flow, key) || !tcp->ack ||
	    !(h->flags & KHAXDP_FLOW_SYNACK) ||
	    bpf_ntohl(tcp->ack_seq) != (*hn)->server.end)
		return KHAXDP_STAT_HANDSHAKE_BAD;
	return STAT_CONTINUE;
}

/*
 * The backend's answer on a half-open flow h, with its reply entry n: it
 * must acknowledge the client's SYN. A SYN-ACK gives the backend's side
 * (what the client's ACK must then acknowledge); a RST refuses the flow,
 * whose tuple is free again at once.
 */
static __always_inline int flow_check_synack(const struct packet *p,
					     struct khaxdp_flow *h,
					     struct khaxdp_nat *n,
					     void *data_end)
{
	const struct tcphdr *tcp = p->tcp;

	if (!tcp->ack || bpf_ntohl(tcp->ack_seq) != h->client.end)
		return KHAXDP_STAT_HANDSHAKE_BAD;
	if (tcp->syn) {
		struct tcp_opts o;

		tcp_opts_find(tcp, data_end, &o);
		tcp_side_open(&n->server, p, data_end, &o);
		flow_flag(h, KHAXDP_FLOW_SYNACK);
	} else if (tcp->rst) {
		flow_flag(h, KHAXDP_FLOW_RST);
	}
	return STAT_CONTINUE;
}

/* The share of half-open flows of key's source gets one back: its
 * handshake completed. */
static __always_inline void flow_source_release(const struct khaxdp_flow_key *key)
{
	struct khaxdp_syn_source *s;
	union khaxdp_addr src;

	flow_source_of(key, &src);
	s = bpf_map_lookup_elem(&syn_sources, &src);
	if (s && s->count > 0)
		__sync_fetch_and_add(&s->count, -1);
}

/*
 * A client's packet on a DSR flow this node balances, half-open here
 * whatever the client says: the SYN-ACK went from the backend to the
 * client, and an ACK that claims to answer it cannot be checked. A host
 * that spoofs SYNs and then ACKs from many addresses would otherwise have
 * this node confirm flows that do not exist, and evict real ones from the
 * flows table. The handshake's ACK marks it acknowledged
 * (khaxdp_flow_acked(): the service's idle timeout, the source's share
 * given back), and it is
 * forwarded as a confirmed DSR flow would be, from half_open, where a
 * flood evicts only other half-open flows. The node serving it checks the
 * whole handshake and announces the flow (flow sync); that confirms it
 * here (the agent moves it into flows: kx_flow_adopt()).
 */
static __always_inline void flow_dsr_acked(const struct flow_fwd *c,
					   const struct khaxdp_flow_key *key,
					   struct khaxdp_flow *h, int syn)
{
	const struct tcphdr *tcp = c->p->tcp;
	const struct khaxdp_service *svc;

	if (syn)
		return;		/* the SYN again: still waiting for the ACK */
	if (!khaxdp_flow_acked(h)) {
		if (tcp->rst)
			return;	/* the client gave up (flagged: checked) */
		svc = backend_service(&key->dst, key->dport, key->family);
		if (svc)
			h->timeout_s = svc->timeout_s;
		flow_flag(h, KHAXDP_FLOW_ACKED);
		flow_source_release(key);
		stat_count(KHAXDP_STAT_DSR_ACKED);
		stat_flow_opened(c->backend_id);
	}
	tcp_side_track(&h->client, c->p);
	flow_touch(h, tcp, c->now, KHAXDP_FLOW_FIN_FWD);
}

/*
 * The handshake is complete: the half-open flow h becomes a confirmed flow,
 * its reply entry hn moves to nat (taken over in place if a flow that ended
 * left one there), and the source's share of half-open flows gets one
 * back. A live flow that holds the tuple in nat meanwhile wins (NAT_LOST).
 */
/* Move the reply entry of a flow being confirmed (its half_open_nat entry,
 * val) into nat: inserted, or taken over in place from a flow that no
 * longer holds the tuple. The entry is held (nat_release()). */
static __always_inline int flow_confirm_nat(const struct flow_fwd *c,
					    const struct khaxdp_flow_key *key,
					    const struct khaxdp_flow *h,
					    const struct khaxdp_nat *val,
					    struct khaxdp_nat **held)
{
	struct khaxdp_flow_key rkey;
	__u32 seq;

	flow_reply_key(c, key, h, &rkey);
	if (!bpf_map_update_elem(&nat, &rkey, val, BPF_NOEXIST)) {
		*held = bpf_map_lookup_elem(&nat, &rkey);
		return STAT_CONTINUE;
	}
	*held = bpf_map_lookup_elem(&nat, &rkey);
	if (!*held)
		return KHAXDP_STAT_NAT_LOST;
	seq = nat_seq(*held);
	if ((seq & 1) ||
	    (!nat_key_equal(&(*held)->flow, key) &&
	     nat_tuple_held(*held, h->snat_port, c->now)) ||
	    !nat_take(*held, val, seq)) {
		*held = NULL;
		return KHAXDP_STAT_NAT_LOST;
	}
	return STAT_CONTINUE;
}

static __always_inline int flow_confirm(const struct flow_fwd *c,
					const struct khaxdp_flow_key *key,
					const struct khaxdp_flow *h,
					const struct khaxdp_nat *hn,
					struct khaxdp_flow **out)
{
	struct khaxdp_nat *held = NULL, *val;
	struct khaxdp_service *svc;
	struct khaxdp_scratch *sc;
	struct khaxdp_flow *f;
	int err;

	sc = scratch_get();
	if (!sc)
		return KHAXDP_STAT_NAT_LOST;
	f = &sc->flow;
	val = &sc->nat;
	*f = *h;
	f->flags &= ~KHAXDP_FLOW_SYNACK;
	f->last_seen_ns = c->now;
	svc = backend_service(&key->dst, key->dport, key->family);
	if (svc)
		f->timeout_s = svc->timeout_s;
	if (hn) {	/* none for DSR: the answers do not come here */
		*val = *hn;
		tcp_sides_agree(&f->client, &val->server);
		val->seq = 1;
		err = flow_confirm_nat(c, key, h, val, &held);
		if (err != STAT_CONTINUE)
			return err;
	}
	err = bpf_map_update_elem(&flows, key, f, BPF_ANY);
	nat_release(held);
	if (err)
		return KHAXDP_STAT_NAT_LOST;
	bpf_map_delete_elem(&half_open, key);
	if (!khaxdp_flow_acked(h)) {	/* else done at its ACK */
		flow_source_release(key);
		stat_flow_opened(c->backend_id);
	}
	stat_count(KHAXDP_STAT_FLOW_CONFIRMED);
	flow_event(c, key, f, KHAXDP_FLOW_EV_OPEN);
	*out = bpf_map_lookup_elem(&flows, key);
	return *out ? STAT_CONTINUE : KHAXDP_STAT_NAT_LOST;
}

#endif /* KHAXDP_FLOW_BPF_H */
