// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sync.c - when flow sync sends, and what it takes (sync.h).
 */
#include <string.h>

#include "sync.h"

void sync_sender_init(struct sync_sender *s, uint64_t epoch, uint64_t now,
		      uint64_t batch_ns, uint64_t snapshot_ns,
		      const struct sync_key *key, sync_send_fn send, void *ctx)
{
	memset(s, 0, sizeof(*s));
	s->epoch = epoch;
	s->batch_ns = batch_ns;
	s->snapshot_ns = snapshot_ns;
	s->key = key;
	s->send = send;
	s->ctx = ctx;
	s->events.kind = SYNC_KIND_EVENTS;
	s->snap.kind = SYNC_KIND_SNAPSHOT;
	s->next_snapshot = now + snapshot_ns;
}

static void send_msg(struct sync_sender *s, struct sync_msg *m)
{
	uint8_t buf[SYNC_MAX_MSG];
	int len;

	m->epoch = s->epoch;
	m->seq = ++s->seq;
	m->standby = s->standby;
	len = sync_msg_build(m, s->key, buf, sizeof(buf));
	if (len > 0) {
		s->msgs++;
		s->send(s->ctx, buf, (size_t)len);
	}
	m->n = 0;
}

void sync_flush(struct sync_sender *s, uint64_t now)
{
	uint64_t oldest = UINT64_MAX;

	if (!s->events.n)
		return;
	for (unsigned int i = 0; i < s->events.n; i++)
		if (s->events.rec[i].ev.at_ns < oldest)
			oldest = s->events.rec[i].ev.at_ns;
	s->lag_ns = now > oldest ? now - oldest : 0;
	if (s->lag_ns > s->max_lag_ns)
		s->max_lag_ns = s->lag_ns;
	s->events_sent += s->events.n;
	send_msg(s, &s->events);
	s->events_since = 0;
}

void sync_queue(struct sync_sender *s, uint64_t now,
		const struct sync_record *r)
{
	if (!s->events.n)
		s->events_since = now;
	s->events.rec[s->events.n++] = *r;
	if (s->events.n == SYNC_MAX_RECORDS)
		sync_flush(s, now);
}

uint64_t sync_sender_next(const struct sync_sender *s)
{
	uint64_t next = s->next_snapshot;

	if (s->events.n && s->events_since + s->batch_ns < next)
		next = s->events_since + s->batch_ns;
	return next;
}

bool sync_sender_timer(struct sync_sender *s, uint64_t now)
{
	if (s->events.n && now >= s->events_since + s->batch_ns)
		sync_flush(s, now);
	return now >= s->next_snapshot;
}

void sync_snapshot_begin(struct sync_sender *s, uint64_t now)
{
	sync_flush(s, now);	/* what changed goes first */
	s->snap.n = 0;
	s->snapshot_flows = 0;
	s->next_snapshot = now + s->snapshot_ns;
}

void sync_snapshot_add(struct sync_sender *s, const struct sync_record *r)
{
	s->snap.rec[s->snap.n++] = *r;
	s->snapshot_flows++;
	if (s->snap.n == SYNC_MAX_RECORDS)
		send_msg(s, &s->snap);
}

void sync_snapshot_end(struct sync_sender *s, uint64_t now)
{
	(void)now;
	if (s->snap.n)
		send_msg(s, &s->snap);
	s->snapshots++;
}

enum sync_rx sync_peer_accept(struct sync_peer *p, const struct sync_msg *msg,
			      uint64_t now)
{
	if (p->heard && msg->epoch < p->epoch)
		return SYNC_RX_REPLAY;
	if (p->heard && msg->epoch == p->epoch) {
		if (msg->seq <= p->seq)
			return SYNC_RX_REPLAY;
		p->gaps += msg->seq - p->seq - 1;
	} else {
		/* First word from it, or it restarted: what it sent before
		 * in this epoch is not known, and not counted as missed. */
		if (p->heard)
			p->restarts++;
		p->heard = true;
		p->epoch = msg->epoch;
	}
	p->seq = msg->seq;
	p->last_ns = now;
	if (!msg->standby)
		p->active_ns = now;
	p->msgs++;
	p->flows += msg->n;
	if (msg->kind == SYNC_KIND_SNAPSHOT)
		p->snapshots++;
	return SYNC_RX_OK;
}
