// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_sync.c - libFuzzer target of the flow sync message parser.
 *
 * Each input is parsed with and without a key and must never crash or
 * read out of bounds. A message that is accepted must be canonical: built
 * again from what was parsed, it is the input byte for byte (nothing is
 * accepted that the parser did not fully read). The input also fills a
 * message that is built with the key, must parse back to the same fields,
 * and is rejected after any single bit of it changes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrrp/sync_wire.h"

static const struct sync_key key = { .len = 16, .key = "fuzz-shared-key!" };

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_sync: invariant broken: %s\n", what);
		abort();
	}
}

static void parse_canonical(const uint8_t *data, size_t size,
			    const struct sync_key *k)
{
	static struct sync_msg m;
	static uint8_t again[SYNC_MAX_MSG];
	int len;

	if (sync_msg_parse(data, size, k, &m) != SYNC_RX_OK)
		return;
	check(m.n <= SYNC_MAX_RECORDS, "record count within bounds");
	len = sync_msg_build(&m, k, again, sizeof(again));
	check(len == (int)size, "accepted message has its canonical length");
	/* A record's byte 3 (flow flags) is carried as it is. */
	check(!memcmp(again, data, size), "accepted message is canonical");
}

static void build_and_flip(const uint8_t *data, size_t size)
{
	static struct sync_msg m, got;
	static uint8_t buf[SYNC_MAX_MSG];
	int len;

	if (size < 18)
		return;
	memset(&m, 0, sizeof(m));
	m.kind = (data[0] & 1) ? SYNC_KIND_SNAPSHOT : SYNC_KIND_EVENTS;
	m.n = data[1] % (SYNC_MAX_RECORDS + 1);
	memcpy(&m.epoch, data + 2, 8);
	memcpy(&m.seq, data + 10, 8);
	for (unsigned int i = 0; i < m.n; i++) {
		struct sync_record *r = &m.rec[i];
		const uint8_t *p = data + 18 + (i * 7) % (size - 17);
		size_t room = size - (size_t)(p - data);

		r->ev.type = (room > 0 && (p[0] & 1)) ? SYNC_OP_CLOSE : SYNC_OP_OPEN;
		r->ev.key.family = KHAXDP_AF_INET;
		r->ev.key.proto = 6;
		r->ev.mode = KHAXDP_MODE_DSR;
		if (room >= 7) {
			memcpy(&r->ev.key.src.v4, p + 1, 4);
			memcpy(&r->ev.key.sport, p + 5, 2);
			r->ev.flags = p[6];
		}
		r->idle_ms = i * 1000u;
	}
	len = sync_msg_build(&m, &key, buf, sizeof(buf));
	check(len > 0, "a message of up to 20 records builds");
	check(sync_msg_parse(buf, (size_t)len, &key, &got) == SYNC_RX_OK,
	      "what was built parses");
	check(got.kind == m.kind && got.epoch == m.epoch && got.seq == m.seq &&
	      got.n == m.n, "header fields survive");
	for (unsigned int i = 0; i < m.n; i++)
		check(!memcmp(&got.rec[i], &m.rec[i], sizeof(m.rec[i])),
		      "records survive");
	for (int i = 0; i < len * 8; i += 1 + (data[(size_t)i % size] & 127)) {
		buf[i / 8] ^= (uint8_t)(1 << (i % 8));
		check(sync_msg_parse(buf, (size_t)len, &key, &got) != SYNC_RX_OK,
		      "one changed bit is rejected");
		buf[i / 8] ^= (uint8_t)(1 << (i % 8));
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_canonical(data, size, NULL);
	parse_canonical(data, size, &key);
	build_and_flip(data, size);
	return 0;
}
