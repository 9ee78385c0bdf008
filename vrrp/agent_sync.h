/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * agent_sync.h - flow sync on the agent's event loop: the data plane's
 * flow events (a ring buffer) and the UDP socket are two more watches,
 * the sender's batch and snapshot deadlines one more timer. What is sent
 * and taken is decided by sync.h; the flows table is reached through
 * dataplane.h.
 *
 * Transport: UDP from and to [sync] port (7448) on the peers' addresses,
 * IPv4 or IPv6 (a socket per family the peers have), sent with TTL (hop
 * limit) 255 and taken only with 255 (as VRRP, and RFC 5082: a datagram
 * that crossed a router is refused; read per datagram with IP_RECVTTL and
 * IPV6_RECVHOPLIMIT, since the kernel's IP_MINTTL applies to TCP only)
 * and only from a peer's address; with a key, only with its HMAC.
 */
#ifndef VRRP_AGENT_SYNC_H
#define VRRP_AGENT_SYNC_H

#include <stdbool.h>

#include "dataplane.h"
#include "loop.h"
#include "stats.h"
#include "sync.h"
#include "vrrp_conf.h"

typedef void (*agent_sync_publish_fn)(void *ctx,
				      const struct stats_sync_view *v);

struct agent_sync {
	struct ev_loop *loop;
	struct vrrp_sync_conf conf;
	char bpffs[PATH_MAX];
	bool running;
	bool active;			/* this node balances: it announces its
					 * table (else what its backend serves) */
	int sock;			/* UDP over IPv4, -1: no IPv4 peer */
	int sock6;			/* UDP over IPv6, -1: no IPv6 peer */
	int raw;			/* probes to the clients of a gone node */
	int raw6;			/* the same over IPv6 */
	uint64_t probes;		/* sent */
	struct ev_watch sock_watch;
	struct ev_watch sock6_watch;
	struct dp_flows dp;
	struct ev_watch rb_watch;
	struct sync_sender tx;
	bool snapping;			/* a snapshot is being walked */
	struct ev_timer tx_timer;
	struct ev_timer tick;		/* every second: pins, state, page */
	unsigned int n_peers;
	struct sync_peer peers[VRRP_MAX_PEERS];
	uint64_t rx_drop[SYNC_RX_MAX];	/* refused before a peer is known */
	uint64_t send_errors;
	char dp_error[160];		/* the last one logged */
	agent_sync_publish_fn publish;
	void *publish_ctx;
};

/* Start when conf->sync.enabled (else nothing, 0). */
int agent_sync_start(struct agent_sync *s, struct ev_loop *l,
		     const struct vrrp_config *conf,
		     agent_sync_publish_fn publish, void *ctx);
/* This node became active (balances, announces) or standby. Leaving
 * active sends what is pending and a last snapshot at once. */
void agent_sync_set_active(struct agent_sync *s, bool active);
/* SIGHUP: restarted when [sync] changed. */
void agent_sync_reload(struct agent_sync *s, const struct vrrp_config *conf);
/*
 * The backend at addr (of family) is GONE (health.h): make each client of
 * a flow to it speak, so that the data plane can answer it with a RST now rather
 * than at its next request (a watch sends nothing for 30 s). The probe is
 * an ACK from the VIP with a sequence number outside the client's window:
 * TCP answers it with an ACK of its own (RFC 9293 3.10.7.4), whose
 * acknowledgment number is exactly what the RST needs (RFC 5961). Only
 * while this node is active.
 */
void agent_sync_reset_clients(struct agent_sync *s, uint8_t family,
			      const union khaxdp_addr *addr);

/* The peer whose message as the active node (not flagged STANDBY) was
 * taken last, if within two snapshot intervals: the holder, while it has
 * flows to announce. */
bool agent_sync_last_sender(const struct agent_sync *s, struct vrrp_ip *out);

/* Send what is pending (before a clean stop gives the VIP away). */
void agent_sync_flush(struct agent_sync *s);
void agent_sync_stop(struct agent_sync *s);
void agent_sync_view(const struct agent_sync *s, struct stats_sync_view *v);

#endif /* VRRP_AGENT_SYNC_H */
