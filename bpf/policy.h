/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * policy.h - the data plane's rules, written once for both sides: the BPF
 * programs decide with them, and user space (the loader, the agent, the
 * CLI, the selftest fixture) reports and builds with the very same code.
 *
 * Pure functions of the structs in khaxdp.h; nothing here may depend on
 * which side includes it.
 */
#ifndef KHAXDP_POLICY_H
#define KHAXDP_POLICY_H

#include "khaxdp.h"

#define KHAXDP_POLICY	static inline __attribute__((always_inline))
#define KHAXDP_NSEC_PER_SEC	1000000000ULL

/* The rings map holds two rings per service; the data plane reads the one
 * at ring_slot while user space writes the other (khaxdp_service). */
KHAXDP_POLICY __u32 khaxdp_ring_key(__u32 service_id, __u32 slot)
{
	return service_id * 2 + (slot & 1);
}

/* May the backend take new flows of service_id? Health up, admin enabled:
 * drained and disabled backends keep their flows but get no new ones. */
KHAXDP_POLICY int khaxdp_backend_usable(const struct khaxdp_backend *b,
					__u32 service_id)
{
	return b->family && b->health == KHAXDP_HEALTH_UP &&
	       b->admin == KHAXDP_ADMIN_ENABLED && b->service_id == service_id;
}

/* Does this node hold the VIPs of the family (the agent's VRRP instance
 * for it is MASTER)? */
KHAXDP_POLICY int khaxdp_node_active(const struct khaxdp_node *n, __u8 family)
{
	return family == KHAXDP_AF_INET6 ? n->active6 : n->active;
}

/* When it last became active taking over from a live master (0: not so). */
KHAXDP_POLICY __u64 khaxdp_node_active_since(const struct khaxdp_node *n,
					     __u8 family)
{
	return family == KHAXDP_AF_INET6 ? n->active6_since_ns :
					   n->active_since_ns;
}

/* The life of a half-open flow. A node entry written by an older loader
 * (during an upgrade, until the new one fills it) says 0: the default. */
KHAXDP_POLICY __u32 khaxdp_connect_timeout_s(const struct khaxdp_node *n)
{
	return n->connect_timeout_s ? n->connect_timeout_s :
				      KHAXDP_DEFAULT_CONNECT_TIMEOUT_S;
}

/* A RST, or a FIN in both directions: the connection is over. A flow this
 * node forwards for DSR never shows the backend's side: the client's FIN
 * closes it (a client still reading answers ACKs them, which keeps the
 * flow alive the KHAXDP_CLOSED_TIMEOUT_S at a time). */
KHAXDP_POLICY int khaxdp_flow_closed(const struct khaxdp_flow *f)
{
	if (f->mode == KHAXDP_MODE_DSR)
		return (f->flags & (KHAXDP_FLOW_RST | KHAXDP_FLOW_FIN_FWD)) != 0;
	return (f->flags & KHAXDP_FLOW_RST) ||
	       (f->flags & (KHAXDP_FLOW_FIN_FWD | KHAXDP_FLOW_FIN_REV)) ==
		       (KHAXDP_FLOW_FIN_FWD | KHAXDP_FLOW_FIN_REV);
}

/* A DSR flow of the node that balances it, half-open until the node
 * serving it confirms it: its client completed the handshake here
 * (KHAXDP_FLOW_ACKED, bpf/flow.bpf.h flow_dsr_acked()). */
KHAXDP_POLICY int khaxdp_flow_acked(const struct khaxdp_flow *h)
{
	return h->mode == KHAXDP_MODE_DSR && (h->flags & KHAXDP_FLOW_ACKED);
}

/*
 * Has the flow been idle longer than its service's timeout (or, once
 * closed, KHAXDP_CLOSED_TIMEOUT_S)? now is CLOCK_MONOTONIC_COARSE in ns
 * (bpf_ktime_get_coarse_ns()). Another CPU may have touched the flow after
 * the caller read the clock: a last_seen ahead of now is not idle at all.
 */
KHAXDP_POLICY int khaxdp_flow_expired(const struct khaxdp_flow *f, __u64 now)
{
	__s64 idle = (__s64)(now - f->last_seen_ns);
	__u64 timeout_s;

	if (idle <= 0)
		return 0;
	timeout_s = khaxdp_flow_closed(f) ? KHAXDP_CLOSED_TIMEOUT_S :
					    f->timeout_s;
	return (__u64)idle > timeout_s * KHAXDP_NSEC_PER_SEC;
}

/*
 * May another flow take this flow's reply tuple? When it expired, or once
 * it closed and nothing more passed for KHAXDP_REUSE_AFTER_CLOSE_MS: the
 * backend got the last ACK by then (it is not in LAST_ACK, which would
 * answer the new SYN with an ACK), and the timestamps the new flow sends
 * are newer than any of the old one (bpf/tcp.bpf.h), which is what its
 * TIME_WAIT asks. The closed flow stays a few seconds longer for packets
 * that still follow it.
 */
#define KHAXDP_REUSE_AFTER_CLOSE_MS	1000

KHAXDP_POLICY int khaxdp_flow_reusable(const struct khaxdp_flow *f, __u64 now)
{
	__s64 idle = (__s64)(now - f->last_seen_ns);

	if (khaxdp_flow_expired(f, now))
		return 1;
	return khaxdp_flow_closed(f) &&
	       idle > (__s64)KHAXDP_REUSE_AFTER_CLOSE_MS * 1000000;
}

/* The record of flow sync: the key client -> VIP, the backend by address
 * (ids differ between nodes), the flow's mode and flags. The data plane's
 * events and the agent's snapshots build it alike. */
KHAXDP_POLICY void khaxdp_flow_event_fill(struct khaxdp_flow_event *ev,
					  const struct khaxdp_flow_key *key,
					  const struct khaxdp_flow *f,
					  const struct khaxdp_backend *b,
					  __u8 type, __u64 at_ns)
{
	__builtin_memset(ev, 0, sizeof(*ev));
	ev->key = *key;
	ev->backend = b->addr;
	ev->backend_port = b->port;
	ev->type = type;
	ev->mode = f->mode;
	ev->flags = f->flags;
	ev->at_ns = at_ns;
}

#endif /* KHAXDP_POLICY_H */
