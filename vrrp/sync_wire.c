// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * sync_wire.c - the flow sync message (sync_wire.h).
 */
#include <errno.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "sync_wire.h"

static const struct {
	const char *name;
	const char *desc;
} rx_reasons[SYNC_RX_MAX] = {
#define SYNC_RX_ROW(n, s, d) [SYNC_RX_##n] = { s, d },
	SYNC_RX_REASONS(SYNC_RX_ROW)
#undef SYNC_RX_ROW
};

const char *sync_rx_name(enum sync_rx r)
{
	return (unsigned int)r < SYNC_RX_MAX ? rx_reasons[r].name : "?";
}

const char *sync_rx_desc(enum sync_rx r)
{
	return (unsigned int)r < SYNC_RX_MAX ? rx_reasons[r].desc : "?";
}

/* ---- byte order ------------------------------------------------------------ */

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void put64(uint8_t *p, uint64_t v)
{
	put32(p, (uint32_t)(v >> 32));
	put32(p + 4, (uint32_t)v);
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)get16(p) << 16 | get16(p + 2);
}

static uint64_t get64(const uint8_t *p)
{
	return (uint64_t)get32(p) << 32 | get32(p + 4);
}

/* ---- records --------------------------------------------------------------- */

/* Addresses and ports are network order in the record as in the event:
 * copied as they are. */
static void put_record(uint8_t *p, const struct sync_record *r)
{
	const struct khaxdp_flow_event *ev = &r->ev;

	memset(p, 0, SYNC_REC_LEN);
	p[0] = ev->type;
	p[1] = ev->key.family;
	p[2] = ev->mode;
	p[3] = ev->flags;
	put32(p + 4, r->idle_ms);
	memcpy(p + 8, &ev->key.src, 16);
	memcpy(p + 24, &ev->key.dst, 16);
	memcpy(p + 40, &ev->backend, 16);
	memcpy(p + 56, &ev->key.sport, 2);
	memcpy(p + 58, &ev->key.dport, 2);
	memcpy(p + 60, &ev->backend_port, 2);
}

static bool get_record(const uint8_t *p, struct sync_record *r)
{
	struct khaxdp_flow_event *ev = &r->ev;

	memset(r, 0, sizeof(*r));
	if ((p[0] != SYNC_OP_OPEN && p[0] != SYNC_OP_CLOSE &&
	     p[0] != SYNC_OP_HALF_OPEN) ||
	    (p[1] != KHAXDP_AF_INET && p[1] != KHAXDP_AF_INET6) ||
	    p[2] > KHAXDP_MODE_DSR || p[62] || p[63])
		return false;
	ev->type = p[0];
	ev->key.family = p[1];
	ev->key.proto = 6;	/* IPPROTO_TCP: the only protocol balanced */
	ev->mode = p[2];
	ev->flags = p[3];
	r->idle_ms = get32(p + 4);
	memcpy(&ev->key.src, p + 8, 16);
	memcpy(&ev->key.dst, p + 24, 16);
	memcpy(&ev->backend, p + 40, 16);
	memcpy(&ev->key.sport, p + 56, 2);
	memcpy(&ev->key.dport, p + 58, 2);
	memcpy(&ev->backend_port, p + 60, 2);
	return true;
}

/* ---- messages --------------------------------------------------------------- */

static bool hmac(const struct sync_key *key, const uint8_t *data, size_t len,
		 uint8_t out[SYNC_MAC_LEN])
{
	unsigned int out_len = 0;

	return HMAC(EVP_sha256(), key->key, (int)key->len, data, len, out,
		    &out_len) && out_len == SYNC_MAC_LEN;
}

int sync_msg_build(const struct sync_msg *msg, const struct sync_key *key,
		   uint8_t *buf, size_t len)
{
	size_t body = SYNC_HDR_LEN + (size_t)msg->n * SYNC_REC_LEN;
	bool auth = key && key->len;

	if (msg->n > SYNC_MAX_RECORDS || len < body + (auth ? SYNC_MAC_LEN : 0))
		return -EINVAL;
	put16(buf, SYNC_MAGIC);
	buf[2] = SYNC_VERSION;
	buf[3] = msg->kind;
	buf[4] = (auth ? SYNC_FLAG_AUTH : 0) |
		 (msg->standby ? SYNC_FLAG_STANDBY : 0);
	buf[5] = 0;
	put16(buf + 6, (uint16_t)msg->n);
	put64(buf + 8, msg->epoch);
	put64(buf + 16, msg->seq);
	for (unsigned int i = 0; i < msg->n; i++)
		put_record(buf + SYNC_HDR_LEN + i * SYNC_REC_LEN, &msg->rec[i]);
	if (!auth)
		return (int)body;
	if (!hmac(key, buf, body, buf + body))
		return -EINVAL;
	return (int)(body + SYNC_MAC_LEN);
}

enum sync_rx sync_msg_parse(const uint8_t *buf, size_t len,
			    const struct sync_key *key, struct sync_msg *msg)
{
	uint8_t mac[SYNC_MAC_LEN];
	bool auth, want = key && key->len;
	unsigned int n;
	size_t body;

	if (len < SYNC_HDR_LEN)
		return SYNC_RX_SHORT;
	if (get16(buf) != SYNC_MAGIC)
		return SYNC_RX_MAGIC;
	if (buf[2] != SYNC_VERSION)
		return SYNC_RX_VERSION;
	if (buf[3] != SYNC_KIND_EVENTS && buf[3] != SYNC_KIND_SNAPSHOT)
		return SYNC_RX_KIND;
	if ((buf[4] & ~(SYNC_FLAG_AUTH | SYNC_FLAG_STANDBY)) || buf[5])
		return SYNC_RX_VERSION;	/* flags of a later version */
	auth = buf[4] & SYNC_FLAG_AUTH;
	n = get16(buf + 6);
	body = SYNC_HDR_LEN + (size_t)n * SYNC_REC_LEN;
	if (n > SYNC_MAX_RECORDS || len != body + (auth ? SYNC_MAC_LEN : 0))
		return len < body ? SYNC_RX_SHORT : SYNC_RX_LENGTH;
	if (want && !auth)
		return SYNC_RX_AUTH_MISSING;
	if (!want && auth)
		return SYNC_RX_AUTH_UNEXPECTED;
	if (auth && (!hmac(key, buf, body, mac) ||
		     CRYPTO_memcmp(mac, buf + body, SYNC_MAC_LEN)))
		return SYNC_RX_AUTH_BAD;
	memset(msg, 0, sizeof(*msg));
	msg->kind = buf[3];
	msg->standby = buf[4] & SYNC_FLAG_STANDBY;
	msg->epoch = get64(buf + 8);
	msg->seq = get64(buf + 16);
	msg->n = n;
	for (unsigned int i = 0; i < n; i++)
		if (!get_record(buf + SYNC_HDR_LEN + i * SYNC_REC_LEN,
				&msg->rec[i]))
			return SYNC_RX_RECORD;
	return SYNC_RX_OK;
}
