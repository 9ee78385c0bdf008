/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sync.h - flow sync's logic, without I/O: when a node sends (events
 * batched for at most batch_delay, a snapshot every snapshot_interval: the
 * active node's whole table, a standby's flows it serves for it), and
 * what a receiver takes (each message once, in
 * order, per sender epoch; the ones it missed counted).
 *
 * Pure: every entry point takes the time (CLOCK_MONOTONIC ns); messages
 * leave through a callback. Unit tests drive it with a fake clock
 * (tests/unit/test_sync.c); vrrp/agent_sync.c carries it out.
 */
#ifndef VRRP_SYNC_H
#define VRRP_SYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "advert.h"		/* struct vrrp_ip */
#include "sync_wire.h"

#define SYNC_DEFAULT_PORT		7448
#define SYNC_DEFAULT_BATCH_MS		20
#define SYNC_DEFAULT_SNAPSHOT_MS	2000

/* Called with each message built, to send to every peer. */
typedef void (*sync_send_fn)(void *ctx, const uint8_t *msg, size_t len);

struct sync_sender {
	uint64_t epoch;
	uint64_t seq;			/* of the last message built */
	uint64_t batch_ns;
	uint64_t snapshot_ns;
	const struct sync_key *key;
	sync_send_fn send;
	void *ctx;
	bool standby;			/* messages flagged SYNC_FLAG_STANDBY */

	struct sync_msg events;		/* pending, kind EVENTS */
	uint64_t events_since;		/* first pending queued; 0: none */
	struct sync_msg snap;		/* being built, kind SNAPSHOT */
	uint64_t next_snapshot;

	/* what it did */
	uint64_t msgs;			/* messages built */
	uint64_t events_sent;		/* records in EVENTS messages */
	uint64_t snapshots;		/* full snapshots sent */
	uint64_t snapshot_flows;	/* records in the last one */
	uint64_t lag_ns;		/* of the last batch: oldest event's wait */
	uint64_t max_lag_ns;
};

void sync_sender_init(struct sync_sender *s, uint64_t epoch, uint64_t now,
		      uint64_t batch_ns, uint64_t snapshot_ns,
		      const struct sync_key *key, sync_send_fn send, void *ctx);

/* A flow event of the data plane (its at_ns on the same clock as now):
 * sent within batch_ns, at once when a message is full. */
void sync_queue(struct sync_sender *s, uint64_t now,
		const struct sync_record *r);
/* When sync_sender_timer() is due. */
uint64_t sync_sender_next(const struct sync_sender *s);
/* Send the pending events whose batch time is up; true when a snapshot
 * is due (the caller walks the table: begin, add..., end). */
bool sync_sender_timer(struct sync_sender *s, uint64_t now);
/* Send what is pending now (before a snapshot, on leaving MASTER). */
void sync_flush(struct sync_sender *s, uint64_t now);

void sync_snapshot_begin(struct sync_sender *s, uint64_t now);
void sync_snapshot_add(struct sync_sender *s, const struct sync_record *r);
void sync_snapshot_end(struct sync_sender *s, uint64_t now);

/* What a node knows of one peer. */
struct sync_peer {
	struct vrrp_ip addr;		/* IPv4 or IPv6 */
	bool heard;			/* a message was taken from it */
	uint64_t active_ns;		/* the last one it sent as the active
					 * node (not STANDBY); 0: never */
	uint64_t epoch;			/* its current epoch */
	uint64_t seq;			/* the last message taken */
	uint64_t last_ns;		/* when (0: never) */
	uint64_t msgs;			/* messages taken */
	uint64_t flows;			/* records in them */
	uint64_t gaps;			/* messages missed (sequence gaps) */
	uint64_t restarts;		/* new epochs after the first */
	uint64_t snapshots;		/* snapshot messages taken */
	/* What became of the records (counted by the caller, which
	 * installs them): */
	uint64_t installed;		/* new in the flow table */
	uint64_t confirmed;		/* held half-open here, confirmed by
					 * the peer that serves them */
	uint64_t refreshed;		/* there already */
	uint64_t known;			/* this node's own flows, or its backend's */
	uint64_t refused;		/* no such service or backend here, expired */
	uint64_t closed;		/* close records that deleted a flow */
	uint64_t rx_drop[SYNC_RX_MAX];	/* messages refused, per reason */
};

/* The counters of a peer as /status.json and the state file name them. */
#define SYNC_PEER_COUNTERS(X)						\
	X(msgs, "messages")						\
	X(flows, "flows_received")					\
	X(installed, "installed")					\
	X(confirmed, "confirmed")					\
	X(refreshed, "refreshed")					\
	X(known, "known")						\
	X(refused, "refused")						\
	X(closed, "closed")						\
	X(gaps, "sequence_gaps")					\
	X(restarts, "restarts")						\
	X(snapshots, "snapshots")

/* Take msg (parsed and authenticated) from p, or SYNC_RX_REPLAY: a
 * sequence number already taken in this epoch, or an older epoch. */
enum sync_rx sync_peer_accept(struct sync_peer *p, const struct sync_msg *msg,
			      uint64_t now);

#endif /* VRRP_SYNC_H */
