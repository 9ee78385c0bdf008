// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fuzz_advert.c - libFuzzer target of the VRRP advert parser.
 *
 * Each input is parsed against four receivers (v2 with and without PASS,
 * v3 with one and two addresses), and as an IPv6 advert against two, and
 * must never crash, read out of bounds or accept what breaks an
 * invariant. The input's first bytes also
 * choose the fields of an advert that is built, must parse back to the
 * same fields, and must be rejected after any single byte of it changes
 * that the checks cover — the parser cannot be fooled by one bit flip.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vrrp/advert.h"

static const uint32_t addrs[2] = { 0x0100000a, 0x0200000a };	/* 10.0.0.1/2 */
/* 2001:db8::1 and ::2; fe80::2 -> ff02::12 */
static const uint8_t addrs6[2][16] = {
	{ 0x20, 0x01, 0x0d, 0xb8, [15] = 1 }, { 0x20, 0x01, 0x0d, 0xb8, [15] = 2 },
};
static const uint8_t src6[16] = { 0xfe, 0x80, [15] = 2 };
static const uint8_t dst6[16] = { 0xff, 0x02, [15] = 0x12 };

static void check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_advert: invariant broken: %s\n", what);
		abort();
	}
}

static void parse_as_every_receiver(const uint8_t *data, size_t size)
{
	struct vrrp_expect recv[] = {
		{ .version = 2, .vrid = 51, .adver_int_cs = 100, .n_addrs = 1,
		  .addrs = addrs },
		{ .version = 2, .vrid = 51, .adver_int_cs = 100, .n_addrs = 1,
		  .addrs = addrs, .auth_type = VRRP_AUTH_PASS,
		  .auth_pass = "42" },
		{ .version = 3, .vrid = 51, .n_addrs = 1, .addrs = addrs },
		{ .version = 3, .vrid = 7, .n_addrs = 2, .addrs = addrs },
	};
	struct vrrp_advert adv;

	for (size_t i = 0; i < sizeof(recv) / sizeof(recv[0]); i++) {
		enum vrrp_rx r = vrrp_advert_parse(data, size, &recv[i], &adv);

		check(r < VRRP_RX_MAX, "reason in range");
		if (r != VRRP_RX_OK)
			continue;
		check(adv.version == recv[i].version, "version");
		check(adv.vrid == recv[i].vrid, "vrid");
		check(adv.n_addrs == recv[i].n_addrs, "address count");
		check(adv.adver_int_cs > 0, "interval");
	}
	for (uint8_t n = 1; n <= 2; n++) {
		struct vrrp_expect e6 = { .version = 3, .vrid = 51, .n_addrs = n,
					  .addrs = addrs6 };
		struct vrrp_ip s = vrrp_ip6(src6), d = vrrp_ip6(dst6);
		enum vrrp_rx r = vrrp_advert6_parse(data, size, &s, &d, 255,
						    &e6, &adv);

		check(r < VRRP_RX_MAX, "reason in range (IPv6)");
		if (r != VRRP_RX_OK)
			continue;
		check(adv.n_addrs == n && size == 8u + 16u * n, "IPv6 length");
		check(vrrp_ip_eq(&adv.src, &s), "IPv6 source");
	}
}

/* Bytes 0-5 choose an advert; build it, parse it back, flip one byte. */
static void round_trip(const uint8_t *data, size_t size)
{
	uint8_t pkt[VRRP_MAX_PACKET];
	struct vrrp_tx tx = {
		.version = (data[0] & 1) ? 3 : 2,
		.vrid = data[1] ? data[1] : 1,
		.priority = data[2],
		.csum_form = (data[0] & 2) ? VRRP_CSUM_NOPSEUDO : VRRP_CSUM_PSEUDO,
		.auth_type = (data[0] & 4) ? VRRP_AUTH_PASS : VRRP_AUTH_NONE,
		.auth_pass = "secret",
		.src = vrrp_ip4(0x0200000a), .dst = vrrp_ip4(0x120000e0),
		.n_addrs = (data[0] & 8) ? 2 : 1, .addrs = addrs,
	};
	struct vrrp_expect exp;
	struct vrrp_advert adv;
	ssize_t len;
	size_t at;

	tx.adver_int_cs = tx.version == 2 ? (uint16_t)(1 + data[3] % 255) * 100 :
			  (uint16_t)(1 + (data[3] << 8 | data[4]) % 4095);
	exp = (struct vrrp_expect){
		.version = tx.version, .vrid = tx.vrid,
		.auth_type = tx.auth_type, .adver_int_cs = tx.adver_int_cs,
		.n_addrs = tx.n_addrs, .addrs = addrs,
	};
	memcpy(exp.auth_pass, tx.auth_pass, VRRP_AUTH_LEN);
	len = vrrp_advert_build(&tx, pkt, sizeof(pkt));
	check(len > 0, "build");
	check(vrrp_advert_parse(pkt, (size_t)len, &exp, &adv) == VRRP_RX_OK,
	      "what we build parses");
	check(adv.priority == tx.priority && adv.vrid == tx.vrid &&
	      adv.adver_int_cs == tx.adver_int_cs, "fields survive");
	check(tx.version == 2 || adv.csum_form == tx.csum_form, "csum form");

	/* One changed byte of the VRRP message (the IPv4 header's own sum
	 * is the kernel's business) must not pass. */
	at = 20 + data[5] % (size_t)(len - 20);
	pkt[at] ^= (uint8_t)(size > 6 && data[6] ? data[6] : 1);
	check(vrrp_advert_parse(pkt, (size_t)len, &exp, &adv) != VRRP_RX_OK,
	      "a changed byte is caught");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The same over IPv6: the message alone, its checksum over the
 * pseudo-header; one changed byte must not pass. */
static void round_trip6(const uint8_t *data, size_t size)
{
	uint8_t pkt[VRRP_MAX_PACKET];
	struct vrrp_tx tx = {
		.version = 3, .vrid = data[1] ? data[1] : 1, .priority = data[2],
		.adver_int_cs = (uint16_t)(1 + (data[3] << 8 | data[4]) % 4095),
		.src = vrrp_ip6(src6), .dst = vrrp_ip6(dst6),
		.n_addrs = (data[0] & 8) ? 2 : 1, .addrs = addrs6,
	};
	struct vrrp_expect exp = {
		.version = 3, .vrid = tx.vrid, .n_addrs = tx.n_addrs,
		.addrs = addrs6,
	};
	struct vrrp_advert adv;
	ssize_t len = vrrp_advert_build(&tx, pkt, sizeof(pkt));

	check(len == 8 + 16 * tx.n_addrs, "build (IPv6)");
	check(vrrp_advert6_parse(pkt, (size_t)len, &tx.src, &tx.dst, 255, &exp,
				 &adv) == VRRP_RX_OK, "what we build parses (IPv6)");
	check(adv.priority == tx.priority &&
	      adv.adver_int_cs == tx.adver_int_cs, "fields survive (IPv6)");
	pkt[data[5] % (size_t)len] ^= (uint8_t)(size > 6 && data[6] ? data[6] : 1);
	check(vrrp_advert6_parse(pkt, (size_t)len, &tx.src, &tx.dst, 255, &exp,
				 &adv) != VRRP_RX_OK, "a changed byte is caught (IPv6)");
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	parse_as_every_receiver(data, size);
	if (size >= 6) {
		round_trip(data, size);
		round_trip6(data, size);
	}
	return 0;
}
