/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * flow.bpf.h - the flow table: a client's connection to a VIP, which
 * backend it went to and how long it lives. Once opened, every packet of a
 * flow follows it, never the round-robin cursor.
 */
#ifndef KHAXDP_FLOW_BPF_H
#define KHAXDP_FLOW_BPF_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "fib.bpf.h"
#include "khaxdp.h"
#include "maps.bpf.h"
#include "nat.bpf.h"
#include "parsing.bpf.h"
#include "policy.h"
#include "stat.bpf.h"

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
};

/* The flow of key unless it is over: expired, or closed and a new SYN
 * reuses its tuple. */
static __always_inline struct khaxdp_flow *
flow_lookup_live(const struct khaxdp_flow_key *key, int syn, __u64 now)
{
	struct khaxdp_flow *f = bpf_map_lookup_elem(&flows, key);

	if (!f)
		return NULL;
	if (khaxdp_flow_expired(f, now) || (syn && khaxdp_flow_closed(f))) {
		stat_count(KHAXDP_STAT_FLOW_EXPIRED);
		return NULL;
	}
	return f;
}

/* Record what this packet says about the connection's life. The flags
 * are set with an atomic OR (the other direction may set its own at the
 * same time), and only when one is new: most packets write nothing.
 * Returns 1 when last_seen was refreshed (at most every FLOW_TOUCH_NS). */
static __always_inline int flow_touch(struct khaxdp_flow *f,
				      const struct tcphdr *tcp, __u64 now,
				      __u8 fin_flag)
{
	__u32 add = 0;

	if (tcp->rst)
		add |= KHAXDP_FLOW_RST;
	if (tcp->fin)
		add |= fin_flag;
	if (add & ~(__u32)f->flags)
		__sync_fetch_and_or(&f->flags_word,
				    add << KHAXDP_FLOW_FLAGS_SHIFT);
	if (now - f->last_seen_ns <= FLOW_TOUCH_NS)
		return 0;
	f->last_seen_ns = now;
	return 1;
}

/*
 * The nat table is an LRU of its own: under pressure it may evict the
 * reply mapping of a flow that lives on. A forward packet that refreshes
 * last_seen (at most every FLOW_TOUCH_NS, so the cost is one lookup per
 * flow and period) checks the mapping and puts it back (NAT_RESTORED). If
 * another live flow holds the tuple meanwhile, this flow has lost its way
 * back: it is closed (RST: gone after KHAXDP_CLOSED_TIMEOUT_S) and its
 * packet dropped (NAT_LOST) rather than mixed into the other connection.
 */
static __always_inline int flow_keep_nat(const struct flow_fwd *c,
					 const struct khaxdp_flow_key *key,
					 struct khaxdp_flow *f)
{
	struct khaxdp_nat val = { .flow = *key, .backend_id = c->backend_id };
	const struct khaxdp_backend *b = c->backend;
	struct khaxdp_flow_key rkey = {};
	struct khaxdp_nat *n;

	rkey.src.v4 = b->addr.v4;
	rkey.sport = b->port;
	rkey.proto = IPPROTO_TCP;
	rkey.family = KHAXDP_AF_INET;
	if (f->flags & KHAXDP_FLOW_LOCAL) {
		rkey.dst.v4 = key->src.v4;
		rkey.dport = key->sport;
	} else {
		rkey.dst.v4 = c->node->addr.v4;
		rkey.dport = f->snat_port;
	}
	n = bpf_map_lookup_elem(&nat, &rkey);
	if (n && nat_key_equal(&n->flow, key))
		return STAT_CONTINUE;
	fib_learn_client(&val.hop, c->xdp, c->p, c->now);
	if (!n) {
		bpf_map_update_elem(&nat, &rkey, &val, BPF_NOEXIST);
		return KHAXDP_STAT_NAT_RESTORED;
	}
	if (nat_take_stale(n, &val, f->snat_port, c->now)) {
		nat_release(n);
		return KHAXDP_STAT_NAT_RESTORED;
	}
	__sync_fetch_and_or(&f->flags_word,
			    (__u32)KHAXDP_FLOW_RST << KHAXDP_FLOW_FLAGS_SHIFT);
	return KHAXDP_STAT_NAT_LOST;
}

/*
 * Record a new flow: claim its reply tuple (a NAT port for a remote
 * backend, the client's tuple for the local one), then the flow. Returns
 * STAT_CONTINUE with *out set, or why the SYN is dropped: no NAT port
 * (NAT_PORTS_FULL), or the local tuple is another connection's
 * (LOCAL_TUPLE_BUSY).
 */
static __always_inline int flow_commit(const struct flow_fwd *c,
				       const struct khaxdp_flow_key *key,
				       struct khaxdp_flow **out)
{
	struct khaxdp_nat nat_val = { .flow = *key, .backend_id = c->backend_id };
	struct khaxdp_nat *held = NULL;
	struct khaxdp_flow f = {};
	int err;

	fib_learn_client(&nat_val.hop, c->xdp, c->p, c->now);
	nat_val.seq = 1;		/* held until the flow exists */
	if (c->backend->local) {
		f.flags = KHAXDP_FLOW_LOCAL;
		if (nat_local_busy(c->xdp, c->p, c->backend) ||
		    nat_claim_local(c->backend, &nat_val, c->now, &held))
			return KHAXDP_STAT_LOCAL_TUPLE_BUSY;
	} else if (nat_claim_port(c->node, c->backend, &nat_val, c->now,
				  &f.snat_port, &held)) {
		return KHAXDP_STAT_NAT_PORTS_FULL;
	}
	f.created_ns = c->now;
	f.last_seen_ns = c->now;
	f.backend_id = c->backend_id;
	f.service_id = c->svc->id;
	f.timeout_s = c->svc->timeout_s;
	err = bpf_map_update_elem(&flows, key, &f, BPF_ANY);
	nat_release(held);
	if (err)
		return KHAXDP_STAT_NAT_PORTS_FULL;

	stat_count(KHAXDP_STAT_FLOW_NEW);
	stat_flow_opened(c->backend_id);
	*out = bpf_map_lookup_elem(&flows, key);
	return *out ? STAT_CONTINUE : KHAXDP_STAT_NAT_PORTS_FULL;
}

#endif /* KHAXDP_FLOW_BPF_H */
