// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* test_sync.c - flow sync without the network: the message format (round
 * trip, every refusal, the HMAC), the sender's batching and snapshots with
 * a fake clock, and what a receiver takes (order, gaps, epochs, replays). */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "vrrp/sync.h"
#include "vrrp/sync_wire.h"

#define MS	1000000ull
#define S	1000000000ull
#define T0	(100 * S)

static struct sync_record record(uint16_t cport, uint8_t op, uint64_t at)
{
	struct sync_record r = { .idle_ms = 1500 };

	r.ev.type = op;
	r.ev.key.family = KHAXDP_AF_INET;
	r.ev.key.proto = 6;
	r.ev.key.src.v4 = inet_addr("10.1.0.7");
	r.ev.key.dst.v4 = inet_addr("192.168.218.189");
	r.ev.key.sport = htons(cport);
	r.ev.key.dport = htons(7443);
	r.ev.backend.v4 = inet_addr("192.168.218.172");
	r.ev.backend_port = htons(6443);
	r.ev.mode = KHAXDP_MODE_DSR;
	r.ev.flags = 0;
	r.ev.at_ns = at;
	return r;
}

static const struct sync_key key16 = { .len = 16, .key = "0123456789abcdef" };

/* ---- the message ----------------------------------------------------------- */

static void test_round_trip(void **state)
{
	struct sync_msg m = { .kind = SYNC_KIND_EVENTS, .epoch = 1733100000123456ull,
			      .seq = 42, .n = 2 }, got;
	uint8_t buf[SYNC_MAX_MSG];
	int len;

	(void)state;
	m.rec[0] = record(40001, SYNC_OP_OPEN, 0);
	m.rec[1] = record(40002, SYNC_OP_CLOSE, 0);
	m.rec[0].ev.at_ns = m.rec[1].ev.at_ns = 0;	/* not carried */
	for (int k = 0; k < 2; k++) {
		const struct sync_key *key = k ? &key16 : NULL;

		len = sync_msg_build(&m, key, buf, sizeof(buf));
		assert_int_equal(len, SYNC_HDR_LEN + 2 * SYNC_REC_LEN +
					      (k ? SYNC_MAC_LEN : 0));
		assert_int_equal(buf[0], 'K');
		assert_int_equal(buf[1], 'X');
		assert_int_equal(sync_msg_parse(buf, (size_t)len, key, &got),
				 SYNC_RX_OK);
		assert_int_equal(got.kind, m.kind);
		assert_true(got.epoch == m.epoch);
		assert_true(got.seq == m.seq);
		assert_int_equal(got.n, 2);
		assert_memory_equal(&got.rec[0], &m.rec[0], sizeof(m.rec[0]));
		assert_memory_equal(&got.rec[1], &m.rec[1], sizeof(m.rec[1]));
		assert_false(got.standby);
	}
	/* A standby's message (the flows it serves): flagged, and said so. */
	m.standby = true;
	len = sync_msg_build(&m, &key16, buf, sizeof(buf));
	assert_int_equal(buf[4], SYNC_FLAG_AUTH | SYNC_FLAG_STANDBY);
	assert_int_equal(sync_msg_parse(buf, (size_t)len, &key16, &got), SYNC_RX_OK);
	assert_true(got.standby);
	buf[4] |= 0x04;		/* a flag of a later version */
	assert_int_equal(sync_msg_parse(buf, (size_t)len, &key16, &got),
			 SYNC_RX_VERSION);
}

static void test_full_message_fits_a_datagram(void **state)
{
	struct sync_msg m = { .kind = SYNC_KIND_SNAPSHOT, .n = SYNC_MAX_RECORDS };
	uint8_t buf[SYNC_MAX_MSG];

	(void)state;
	for (unsigned int i = 0; i < m.n; i++)
		m.rec[i] = record((uint16_t)(40000 + i), SYNC_OP_OPEN, 0);
	assert_int_equal(sync_msg_build(&m, &key16, buf, sizeof(buf)),
			 SYNC_MAX_MSG);
	assert_true(SYNC_MAX_MSG <= 1500 - 20 - 8);
	m.n = SYNC_MAX_RECORDS + 1;
	assert_int_equal(sync_msg_build(&m, &key16, buf, sizeof(buf)), -EINVAL);
}

static void test_refusals(void **state)
{
	struct sync_msg m = { .kind = SYNC_KIND_EVENTS, .epoch = 1, .seq = 1, .n = 1 }, got;
	struct sync_key other = key16;
	uint8_t buf[SYNC_MAX_MSG], bad[SYNC_MAX_MSG];
	int len;

	(void)state;
	m.rec[0] = record(40001, SYNC_OP_OPEN, 0);
	len = sync_msg_build(&m, NULL, buf, sizeof(buf));
	assert_int_equal(sync_msg_parse(buf, 10, NULL, &got), SYNC_RX_SHORT);
	assert_int_equal(sync_msg_parse(buf, (size_t)len - 1, NULL, &got), SYNC_RX_SHORT);
	memcpy(bad, buf, (size_t)len);
	bad[len] = 0;
	assert_int_equal(sync_msg_parse(bad, (size_t)len + 1, NULL, &got), SYNC_RX_LENGTH);
	bad[0] = 'H';
	assert_int_equal(sync_msg_parse(bad, (size_t)len, NULL, &got), SYNC_RX_MAGIC);
	memcpy(bad, buf, (size_t)len);
	bad[2] = 2;
	assert_int_equal(sync_msg_parse(bad, (size_t)len, NULL, &got), SYNC_RX_VERSION);
	memcpy(bad, buf, (size_t)len);
	bad[3] = 9;
	assert_int_equal(sync_msg_parse(bad, (size_t)len, NULL, &got), SYNC_RX_KIND);
	memcpy(bad, buf, (size_t)len);
	bad[SYNC_HDR_LEN] = 7;		/* op */
	assert_int_equal(sync_msg_parse(bad, (size_t)len, NULL, &got), SYNC_RX_RECORD);
	memcpy(bad, buf, (size_t)len);
	bad[SYNC_HDR_LEN + 1] = 3;	/* family */
	assert_int_equal(sync_msg_parse(bad, (size_t)len, NULL, &got), SYNC_RX_RECORD);

	/* Keys: none where one is wanted, one where none is, the wrong one,
	 * and any bit of an authenticated message changed. */
	assert_int_equal(sync_msg_parse(buf, (size_t)len, &key16, &got),
			 SYNC_RX_AUTH_MISSING);
	len = sync_msg_build(&m, &key16, buf, sizeof(buf));
	assert_int_equal(sync_msg_parse(buf, (size_t)len, NULL, &got),
			 SYNC_RX_AUTH_UNEXPECTED);
	other.key[3] ^= 1;
	assert_int_equal(sync_msg_parse(buf, (size_t)len, &other, &got),
			 SYNC_RX_AUTH_BAD);
	for (int i = 8; i < len; i++) {
		memcpy(bad, buf, (size_t)len);
		bad[i] ^= 0x10;
		assert_int_equal(sync_msg_parse(bad, (size_t)len, &key16, &got),
				 SYNC_RX_AUTH_BAD);
	}
	assert_string_equal(sync_rx_name(SYNC_RX_AUTH_BAD), "auth_bad");
}

/* ---- the sender -------------------------------------------------------------- */

struct sent {
	unsigned int n;
	struct sync_msg msg[64];
	uint64_t at[64];
};

static uint64_t fake_now;

static void capture(void *ctx, const uint8_t *buf, size_t len)
{
	struct sent *s = ctx;

	assert_true(s->n < 64);
	assert_int_equal(sync_msg_parse(buf, len, &key16, &s->msg[s->n]), SYNC_RX_OK);
	s->at[s->n++] = fake_now;
}

/* Events leave within the batch delay, together; a full message at once. */
static void test_batching(void **state)
{
	static struct sync_sender s;
	static struct sent out;
	struct sync_record r;

	(void)state;
	memset(&out, 0, sizeof(out));
	fake_now = T0;
	sync_sender_init(&s, 7, T0, 20 * MS, 2 * S, &key16, capture, &out);
	assert_true(sync_sender_next(&s) == T0 + 2 * S);

	r = record(40001, SYNC_OP_OPEN, T0);
	sync_queue(&s, T0, &r);
	fake_now = T0 + 5 * MS;
	r = record(40002, SYNC_OP_OPEN, fake_now);
	sync_queue(&s, fake_now, &r);
	assert_int_equal(out.n, 0);
	assert_true(sync_sender_next(&s) == T0 + 20 * MS);
	fake_now = T0 + 19 * MS;
	assert_false(sync_sender_timer(&s, fake_now));
	assert_int_equal(out.n, 0);
	fake_now = T0 + 20 * MS;
	assert_false(sync_sender_timer(&s, fake_now));
	assert_int_equal(out.n, 1);
	assert_int_equal(out.msg[0].n, 2);
	assert_int_equal(out.msg[0].kind, SYNC_KIND_EVENTS);
	assert_true(out.msg[0].seq == 1);
	assert_true(out.msg[0].epoch == 7);
	assert_true(s.lag_ns == 20 * MS);

	/* Twenty events at once: one full message without waiting. */
	fake_now = T0 + 100 * MS;
	for (unsigned int i = 0; i < SYNC_MAX_RECORDS; i++) {
		r = record((uint16_t)(41000 + i), SYNC_OP_OPEN, fake_now);
		sync_queue(&s, fake_now, &r);
	}
	assert_int_equal(out.n, 2);
	assert_int_equal(out.msg[1].n, SYNC_MAX_RECORDS);
	assert_true(out.msg[1].seq == 2);
	assert_true(s.events_sent == 22);
}

/* A snapshot is due every interval; pending events go before it; the
 * table leaves in full messages and one for the rest. */
static void test_snapshot(void **state)
{
	static struct sync_sender s;
	static struct sent out;
	struct sync_record r;

	(void)state;
	memset(&out, 0, sizeof(out));
	fake_now = T0;
	sync_sender_init(&s, 7, T0, 20 * MS, 2 * S, &key16, capture, &out);
	fake_now = T0 + 2 * S - 1;
	assert_false(sync_sender_timer(&s, fake_now));
	r = record(40001, SYNC_OP_CLOSE, fake_now);
	sync_queue(&s, fake_now, &r);
	fake_now = T0 + 2 * S;
	assert_true(sync_sender_timer(&s, fake_now));
	assert_int_equal(out.n, 0);	/* the event's 20 ms are not up */
	sync_snapshot_begin(&s, fake_now);
	assert_int_equal(out.n, 1);	/* but it goes before the snapshot */
	for (unsigned int i = 0; i < 45; i++) {
		r = record((uint16_t)(42000 + i), SYNC_OP_OPEN, 0);
		sync_snapshot_add(&s, &r);
	}
	sync_snapshot_end(&s, fake_now);
	assert_int_equal(out.n, 4);
	assert_int_equal(out.msg[1].kind, SYNC_KIND_SNAPSHOT);
	assert_int_equal(out.msg[1].n, 20);
	assert_int_equal(out.msg[2].n, 20);
	assert_int_equal(out.msg[3].n, 5);
	assert_true(out.msg[3].seq == 4);
	assert_true(s.snapshots == 1 && s.snapshot_flows == 45);
	assert_true(sync_sender_next(&s) == T0 + 4 * S);
	assert_false(sync_sender_timer(&s, T0 + 3 * S));
}

/* ---- the receiver --------------------------------------------------------------- */

static void test_peer_order_gaps_epochs(void **state)
{
	struct sync_peer p = { .addr = vrrp_ip4(inet_addr("192.168.218.171")) };
	struct sync_msg m = { .kind = SYNC_KIND_EVENTS, .epoch = 1000, .n = 3 };

	(void)state;
	m.seq = 5;		/* the first heard: nothing before it missed */
	assert_int_equal(sync_peer_accept(&p, &m, T0), SYNC_RX_OK);
	assert_true(p.gaps == 0 && p.flows == 3);
	m.seq = 6;
	assert_int_equal(sync_peer_accept(&p, &m, T0 + 1), SYNC_RX_OK);
	m.seq = 6;
	assert_int_equal(sync_peer_accept(&p, &m, T0 + 2), SYNC_RX_REPLAY);
	m.seq = 4;
	assert_int_equal(sync_peer_accept(&p, &m, T0 + 2), SYNC_RX_REPLAY);
	m.seq = 9;		/* 7 and 8 lost */
	assert_int_equal(sync_peer_accept(&p, &m, T0 + 3), SYNC_RX_OK);
	assert_true(p.gaps == 2);
	assert_true(p.last_ns == T0 + 3);
	m.epoch = 999;		/* an older epoch: a replay */
	m.seq = 100;
	assert_int_equal(sync_peer_accept(&p, &m, T0 + 4), SYNC_RX_REPLAY);
	m.epoch = 2000;		/* it restarted */
	m.seq = 1;
	assert_int_equal(sync_peer_accept(&p, &m, T0 + 5), SYNC_RX_OK);
	assert_true(p.restarts == 1 && p.gaps == 2 && p.seq == 1);
	assert_true(p.msgs == 4);
	/* Heard as the active node until its messages say standby. */
	assert_true(p.active_ns == T0 + 5);
	m.seq = 2;
	m.standby = true;
	assert_int_equal(sync_peer_accept(&p, &m, T0 + 6), SYNC_RX_OK);
	assert_true(p.last_ns == T0 + 6 && p.active_ns == T0 + 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_full_message_fits_a_datagram),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_batching),
		cmocka_unit_test(test_snapshot),
		cmocka_unit_test(test_peer_order_gaps_epochs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
