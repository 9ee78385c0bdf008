/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * sync_wire.h - the flow sync message: what the active node tells the
 * others of the flows they would have to follow if it failed, and what a
 * node serving DSR flows for it tells of those (flag STANDBY).
 *
 * One UDP datagram, network byte order, version 1:
 *
 *   0      2      3      4      5      6         8                16
 *   +------+------+------+------+------+---------+-----------------+
 *   | magic "KX"  | ver  | kind | flags| count   | epoch (64)      |
 *   +-------------+------+------+------+---------+-----------------+
 *   | seq (64)                        | count records, 64 bytes each|
 *   +---------------------------------+-----------------------------+
 *   | HMAC-SHA256 of all before it (32), when flags has AUTH        |
 *
 *   record: op (1: open, 2: close, 3: half-open) | family | mode |
 *           flow flags |
 *           idle ms (32) | client addr (16) | VIP addr (16) |
 *           backend addr (16) | client port | VIP port | backend port |
 *           2 bytes zero
 *
 * epoch: the sender's start (CLOCK_REALTIME in us): a restarted sender
 * has a larger one. seq: its messages, from 1 in each epoch; a receiver
 * takes a message only once, in order, and counts the ones it missed.
 * kind SNAPSHOT: part of the full table the sender repeats every few
 * seconds; kind EVENTS: what changed since. flags: AUTH (the HMAC
 * follows), STANDBY (the sender does not balance: the flows are the ones
 * its own backend serves for the node that does, whose handshakes it
 * checked; such a message says nothing of who holds the VIP).
 *
 * Pure: no I/O, fuzzed (tests/fuzz/fuzz_sync.c).
 */
#ifndef VRRP_SYNC_WIRE_H
#define VRRP_SYNC_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/khaxdp.h"

#define SYNC_MAGIC		0x4b58	/* "KX" */
#define SYNC_VERSION		1
#define SYNC_HDR_LEN		24
#define SYNC_REC_LEN		64
#define SYNC_MAC_LEN		32	/* HMAC-SHA256 */
/* 24 + 20 * 64 + 32 = 1336 bytes: one datagram under a 1500 MTU. */
#define SYNC_MAX_RECORDS	20
#define SYNC_MAX_MSG		(SYNC_HDR_LEN + SYNC_MAX_RECORDS * SYNC_REC_LEN + SYNC_MAC_LEN)
#define SYNC_KEY_MIN		16
#define SYNC_KEY_MAX		128

enum sync_kind {
	SYNC_KIND_EVENTS = 1,
	SYNC_KIND_SNAPSHOT = 2,
};

#define SYNC_FLAG_AUTH		0x01
#define SYNC_FLAG_STANDBY	0x02

enum sync_op {
	SYNC_OP_OPEN = 1,	/* = KHAXDP_FLOW_EV_OPEN */
	SYNC_OP_CLOSE = 2,	/* = KHAXDP_FLOW_EV_CLOSE */
	SYNC_OP_HALF_OPEN = 3,	/* = KHAXDP_FLOW_EV_HALF_OPEN */
};

/* One flow: the data plane's event record and its idle time. */
struct sync_record {
	struct khaxdp_flow_event ev;	/* type = enum sync_op */
	uint32_t idle_ms;
};

struct sync_msg {
	uint8_t kind;			/* enum sync_kind */
	bool standby;			/* SYNC_FLAG_STANDBY */
	uint64_t epoch;
	uint64_t seq;
	unsigned int n;
	struct sync_record rec[SYNC_MAX_RECORDS];
};

/* A shared key; len 0: none (messages are not authenticated). */
struct sync_key {
	size_t len;
	uint8_t key[SYNC_KEY_MAX];
};

/* Why a message was not taken: counted per reason, named in /metrics. */
#define SYNC_RX_REASONS(X)						\
	X(OK, "ok", "accepted") \
	X(SHORT, "short", "shorter than its header says") \
	X(MAGIC, "magic", "not a khaxdp sync message") \
	X(VERSION, "version", "unknown version or flags") \
	X(KIND, "kind", "unknown kind") \
	X(LENGTH, "length", "length does not match its record count") \
	X(AUTH_MISSING, "auth_missing", "no HMAC, and a key is configured") \
	X(AUTH_UNEXPECTED, "auth_unexpected", "an HMAC, and no key is configured") \
	X(AUTH_BAD, "auth_bad", "HMAC does not match the shared key") \
	X(RECORD, "record", "a record with a bad op, family or mode") \
	X(TTL, "ttl", "TTL below 255: it crossed a router (RFC 5082)") \
	X(NOT_PEER, "not_peer", "from an address that is not a peer") \
	X(REPLAY, "replay", "sequence number already seen, or an older epoch")

enum sync_rx {
#define SYNC_RX_ENUM(name, str, desc) SYNC_RX_##name,
	SYNC_RX_REASONS(SYNC_RX_ENUM)
#undef SYNC_RX_ENUM
	SYNC_RX_MAX
};

const char *sync_rx_name(enum sync_rx r);	/* "auth_bad" */
const char *sync_rx_desc(enum sync_rx r);

/* Build msg into buf (at least SYNC_MAX_MSG bytes); returns its length,
 * or -EINVAL (more than SYNC_MAX_RECORDS records). */
int sync_msg_build(const struct sync_msg *msg, const struct sync_key *key,
		   uint8_t *buf, size_t len);

/* Parse and authenticate one datagram; SYNC_RX_OK fills *msg. */
enum sync_rx sync_msg_parse(const uint8_t *buf, size_t len,
			    const struct sync_key *key, struct sync_msg *msg);

#endif /* VRRP_SYNC_WIRE_H */
