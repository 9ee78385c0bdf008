// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* test_vrrp_advert.c - VRRP wire format: each receive check of RFC 3768
 * and RFC 5798 §7.1 rejects what it must, both v3 checksum forms are
 * accepted, v2 PASS, and what we build is what keepalived expects. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "vrrp/advert.h"


static uint32_t vips[2];
static uint8_t pkt[VRRP_MAX_PACKET];

/* An independent RFC 1071 checksum, to check the builder's. */
static uint16_t ref_csum(const uint8_t *p, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t ref_pseudo(const uint8_t *ip, size_t vlen)
{
	uint32_t sum = 0;

	for (int i = 12; i < 20; i += 2)
		sum += (uint32_t)(ip[i] << 8 | ip[i + 1]);
	return sum + VRRP_IPPROTO + (uint32_t)vlen;
}

static struct vrrp_tx tx_v3(void)
{
	struct vrrp_tx tx = {
		.version = 3, .vrid = 51, .priority = 101, .adver_int_cs = 100,
		.csum_form = VRRP_CSUM_PSEUDO,
		.src = vrrp_ip4(inet_addr("192.168.218.171")),
		.dst = vrrp_ip4(htonl(VRRP_MCAST_GROUP)),
		.n_addrs = 1, .addrs = vips,
	};
	return tx;
}

static struct vrrp_tx tx_v2_pass(void)
{
	struct vrrp_tx tx = tx_v3();

	tx.version = 2;
	tx.auth_type = VRRP_AUTH_PASS;
	memcpy(tx.auth_pass, "42\0\0\0\0\0\0", VRRP_AUTH_LEN);
	return tx;
}

static struct vrrp_expect expect_for(const struct vrrp_tx *tx)
{
	struct vrrp_expect e = {
		.version = tx->version, .vrid = tx->vrid,
		.auth_type = tx->auth_type, .adver_int_cs = tx->adver_int_cs,
		.n_addrs = 1, .addrs = vips,
	};
	memcpy(e.auth_pass, tx->auth_pass, VRRP_AUTH_LEN);
	return e;
}

static size_t build(const struct vrrp_tx *tx)
{
	ssize_t n = vrrp_advert_build(tx, pkt, sizeof(pkt));

	assert_true(n > 0);
	return (size_t)n;
}

/* Recompute the VRRP checksum after a test changed a field. */
static void fix_csum(size_t len, enum vrrp_csum_form form)
{
	uint8_t *v = pkt + 20;
	size_t vlen = len - 20;
	uint16_t c;

	v[6] = v[7] = 0;
	c = ref_csum(v, vlen, form == VRRP_CSUM_PSEUDO && v[0] >> 4 == 3 ?
				      ref_pseudo(pkt, vlen) : 0);
	v[6] = (uint8_t)(c >> 8);
	v[7] = (uint8_t)c;
}

static enum vrrp_rx parse(size_t len, const struct vrrp_expect *e,
			  struct vrrp_advert *adv)
{
	struct vrrp_advert scratch;

	return vrrp_advert_parse(pkt, len, e, adv ? adv : &scratch);
}

static int setup(void **state)
{
	(void)state;
	vips[0] = inet_addr("192.168.218.189");
	vips[1] = inet_addr("192.168.218.190");
	return 0;
}

static void test_v3_layout(void **state)
{
	struct vrrp_tx tx = tx_v3();
	size_t len = build(&tx);
	uint8_t *v = pkt + 20;

	(void)state;
	assert_int_equal(len, 20 + 8 + 4);
	assert_int_equal(pkt[0], 0x45);
	assert_int_equal(pkt[8], 255);			/* TTL */
	assert_int_equal(pkt[9], 112);
	assert_int_equal(ref_csum(pkt, 20, 0), 0);	/* IP header sum */
	assert_int_equal(v[0], 0x31);
	assert_int_equal(v[1], 51);
	assert_int_equal(v[2], 101);
	assert_int_equal(v[3], 1);
	assert_int_equal(v[4] << 8 | v[5], 100);	/* centiseconds */
	assert_memory_equal(v + 8, &vips[0], 4);
	/* RFC 5798: with the pseudo-header the whole sum checks to 0. */
	assert_int_equal(ref_csum(v, 12, ref_pseudo(pkt, 12)), 0);
	assert_int_not_equal(ref_csum(v, 12, 0), 0);
}

static void test_v3_pseudo_accepted(void **state)
{
	struct vrrp_tx tx = tx_v3();
	struct vrrp_expect e = expect_for(&tx);
	struct vrrp_advert adv;

	(void)state;
	assert_int_equal(parse(build(&tx), &e, &adv), VRRP_RX_OK);
	assert_int_equal(adv.csum_form, VRRP_CSUM_PSEUDO);
	assert_int_equal(adv.version, 3);
	assert_int_equal(adv.vrid, 51);
	assert_int_equal(adv.priority, 101);
	assert_int_equal(adv.adver_int_cs, 100);
	assert_memory_equal(adv.src.a, &(uint32_t){ inet_addr("192.168.218.171") }, 4);
	assert_int_equal(adv.n_addrs, 1);
	assert_memory_equal(adv.addrs, &vips[0], 4);
}

static void test_v3_nopseudo_accepted(void **state)
{
	struct vrrp_tx tx = tx_v3();
	struct vrrp_expect e = expect_for(&tx);
	struct vrrp_advert adv;
	size_t len;

	(void)state;
	tx.csum_form = VRRP_CSUM_NOPSEUDO;
	len = build(&tx);
	assert_int_equal(ref_csum(pkt + 20, len - 20, 0), 0);
	assert_int_equal(parse(len, &e, &adv), VRRP_RX_OK);
	assert_int_equal(adv.csum_form, VRRP_CSUM_NOPSEUDO);
}

static void test_v3_checksum_rejected(void **state)
{
	struct vrrp_tx tx = tx_v3();
	struct vrrp_expect e = expect_for(&tx);
	size_t len = build(&tx);

	(void)state;
	pkt[20 + 7] ^= 0x01;
	assert_int_equal(parse(len, &e, NULL), VRRP_RX_CHECKSUM);
	/* A pseudo-header sum is bound to the addresses it was made for. */
	len = build(&tx);
	pkt[19] ^= 0x01;	/* other destination */
	assert_int_equal(parse(len, &e, NULL), VRRP_RX_CHECKSUM);
}

static void test_v3_reserved_bits_ignored(void **state)
{
	struct vrrp_tx tx = tx_v3();
	struct vrrp_expect e = expect_for(&tx);
	struct vrrp_advert adv;
	size_t len = build(&tx);

	(void)state;
	pkt[20 + 4] |= 0xf0;
	fix_csum(len, VRRP_CSUM_PSEUDO);
	assert_int_equal(parse(len, &e, &adv), VRRP_RX_OK);
	assert_int_equal(adv.adver_int_cs, 100);
}

static void test_v3_sub_second_interval(void **state)
{
	struct vrrp_tx tx = tx_v3();
	struct vrrp_expect e = expect_for(&tx);
	struct vrrp_advert adv;

	(void)state;
	tx.adver_int_cs = 1;	/* 10 ms */
	assert_int_equal(parse(build(&tx), &e, &adv), VRRP_RX_OK);
	assert_int_equal(adv.adver_int_cs, 1);
	tx.adver_int_cs = VRRP_V3_MAX_INT_CS;
	assert_int_equal(parse(build(&tx), &e, &adv), VRRP_RX_OK);
	assert_int_equal(adv.adver_int_cs, 4095);
}

static void test_v3_zero_interval_rejected(void **state)
{
	struct vrrp_tx tx = tx_v3();
	struct vrrp_expect e = expect_for(&tx);
	size_t len = build(&tx);

	(void)state;
	pkt[20 + 4] = 0;
	pkt[20 + 5] = 0;
	fix_csum(len, VRRP_CSUM_PSEUDO);
	assert_int_equal(parse(len, &e, NULL), VRRP_RX_INTERVAL);
}

static void test_v2_layout_and_pass(void **state)
{
	struct vrrp_tx tx = tx_v2_pass();
	struct vrrp_expect e = expect_for(&tx);
	struct vrrp_advert adv;
	size_t len = build(&tx);
	uint8_t *v = pkt + 20;

	(void)state;
	assert_int_equal(len, 20 + 8 + 4 + 8);
	assert_int_equal(v[0], 0x21);
	assert_int_equal(v[4], VRRP_AUTH_PASS);
	assert_int_equal(v[5], 1);			/* seconds */
	assert_memory_equal(v + 12, "42\0\0\0\0\0\0", 8);
	assert_int_equal(ref_csum(v, len - 20, 0), 0);	/* no pseudo-header */
	assert_int_equal(parse(len, &e, &adv), VRRP_RX_OK);
	assert_int_equal(adv.adver_int_cs, 100);
}

static void test_v2_wrong_pass(void **state)
{
	struct vrrp_tx tx = tx_v2_pass();
	struct vrrp_expect e = expect_for(&tx);
	size_t len = build(&tx);

	(void)state;
	memcpy(e.auth_pass, "43\0\0\0\0\0\0", 8);
	assert_int_equal(parse(len, &e, NULL), VRRP_RX_AUTH_PASS);
}

static void test_v2_auth_type_mismatch(void **state)
{
	struct vrrp_tx tx = tx_v2_pass();
	struct vrrp_expect e = expect_for(&tx);
	size_t len = build(&tx);

	(void)state;
	e.auth_type = VRRP_AUTH_NONE;
	assert_int_equal(parse(len, &e, NULL), VRRP_RX_AUTH_TYPE);
	tx.auth_type = VRRP_AUTH_NONE;
	e.auth_type = VRRP_AUTH_PASS;
	assert_int_equal(parse(build(&tx), &e, NULL), VRRP_RX_AUTH_TYPE);
	e.auth_type = VRRP_AUTH_NONE;
	assert_int_equal(parse(build(&tx), &e, NULL), VRRP_RX_OK);
	pkt[20 + 4] = 2;	/* AH: not supported */
	fix_csum(20 + 20, VRRP_CSUM_NOPSEUDO);
	assert_int_equal(parse(20 + 20, &e, NULL), VRRP_RX_AUTH_TYPE);
}

static void test_v2_interval_must_match(void **state)
{
	struct vrrp_tx tx = tx_v2_pass();
	struct vrrp_expect e = expect_for(&tx);

	(void)state;
	tx.adver_int_cs = 200;
	assert_int_equal(parse(build(&tx), &e, NULL), VRRP_RX_INTERVAL);
}

static void test_v2_checksum_rejected(void **state)
{
	struct vrrp_tx tx = tx_v2_pass();
	struct vrrp_expect e = expect_for(&tx);
	size_t len = build(&tx);

	(void)state;
	pkt[len - 1] ^= 0x20;	/* password byte: covered by the sum */
	assert_int_equal(parse(len, &e, NULL), VRRP_RX_CHECKSUM);
}

static void test_ttl(void **state)
{
	struct vrrp_tx tx = tx_v3();
	struct vrrp_expect e = expect_for(&tx);
	size_t len = build(&tx);

	(void)state;
	pkt[8] = 254;
	assert_int_equal(parse(len, &e, NULL), VRRP_RX_TTL);
}

static void test_version_type_vrid(void **state)
{
	struct vrrp_tx tx = tx_v3();
	struct vrrp_expect e = expect_for(&tx);
	size_t len = build(&tx);

	(void)state;
	e.version = 2;
	assert_int_equal(parse(len, &e, NULL), VRRP_RX_VERSION);
	e.version = 3;
	e.vrid = 52;
	assert_int_equal(parse(len, &e, NULL), VRRP_RX_VRID);
	e.vrid = 51;
	pkt[20] = 0x32;		/* type 2 */
	fix_csum(len, VRRP_CSUM_PSEUDO);
	assert_int_equal(parse(len, &e, NULL), VRRP_RX_TYPE);
}

static void test_length(void **state)
{
	struct vrrp_tx tx = tx_v3();
	struct vrrp_expect e = expect_for(&tx);
	size_t len = build(&tx);

	(void)state;
	/* A count of 2 in a message with room for one address. */
	pkt[20 + 3] = 2;
	fix_csum(len, VRRP_CSUM_PSEUDO);
	assert_int_equal(parse(len, &e, NULL), VRRP_RX_LENGTH);
	/* Shorter than a VRRP header. */
	len = build(&tx);
	pkt[3] = 20 + 6;
	assert_int_equal(parse(len, &e, NULL), VRRP_RX_TRUNC);
	/* A trailing byte the count does not explain. */
	len = build(&tx);
	pkt[3] = (uint8_t)(len + 1);
	pkt[len] = 0;
	assert_int_equal(parse(len + 1, &e, NULL), VRRP_RX_LENGTH);
}

static void test_addresses(void **state)
{
	struct vrrp_tx tx = tx_v3();
	struct vrrp_expect e = expect_for(&tx);
	uint32_t other = inet_addr("10.9.9.9");

	(void)state;
	tx.n_addrs = 2;
	assert_int_equal(parse(build(&tx), &e, NULL), VRRP_RX_ADDR_COUNT);
	tx.n_addrs = 1;
	tx.addrs = &other;
	assert_int_equal(parse(build(&tx), &e, NULL), VRRP_RX_ADDRS);
	/* The same set in another order is the same router. */
	tx.addrs = (uint32_t[]){ vips[1], vips[0] };
	tx.n_addrs = 2;
	e.n_addrs = 2;
	assert_int_equal(parse(build(&tx), &e, NULL), VRRP_RX_OK);
	/* {A, A} is not {A, B}. */
	tx.addrs = (uint32_t[]){ vips[0], vips[0] };
	assert_int_equal(parse(build(&tx), &e, NULL), VRRP_RX_ADDRS);
}

static void test_ip_header(void **state)
{
	struct vrrp_tx tx = tx_v3();
	struct vrrp_expect e = expect_for(&tx);
	size_t len = build(&tx);

	(void)state;
	assert_int_equal(parse(19, &e, NULL), VRRP_RX_IP_TRUNC);
	pkt[0] = 0x65;
	assert_int_equal(parse(len, &e, NULL), VRRP_RX_IP_HEADER);
	pkt[0] = 0x44;		/* IHL 16 bytes */
	assert_int_equal(parse(len, &e, NULL), VRRP_RX_IP_HEADER);
	pkt[0] = 0x45;
	assert_int_equal(parse(len - 1, &e, NULL), VRRP_RX_IP_HEADER);
	pkt[9] = 6;
	assert_int_equal(parse(len, &e, NULL), VRRP_RX_IP_HEADER);
	pkt[9] = 112;
	pkt[6] = 0x20;		/* more fragments */
	assert_int_equal(parse(len, &e, NULL), VRRP_RX_IP_FRAGMENT);
	pkt[6] = 0x40;		/* DF alone is fine */
	assert_int_equal(parse(len, &e, NULL), VRRP_RX_OK);
}

static void test_ip_options_skipped(void **state)
{
	struct vrrp_tx tx = tx_v3();
	struct vrrp_expect e = expect_for(&tx);
	size_t len = build(&tx);

	(void)state;
	/* Router Alert option (4 bytes): the VRRP message moves along. */
	memmove(pkt + 24, pkt + 20, len - 20);
	memcpy(pkt + 20, "\x94\x04\x00\x00", 4);
	pkt[0] = 0x46;
	pkt[3] = (uint8_t)(len + 4);
	assert_int_equal(parse(len + 4, &e, NULL), VRRP_RX_OK);
}

static void test_build_rejects(void **state)
{
	struct vrrp_tx tx = tx_v2_pass();

	(void)state;
	tx.adver_int_cs = 150;		/* v2 has whole seconds */
	assert_int_equal(vrrp_advert_build(&tx, pkt, sizeof(pkt)), -EINVAL);
	tx = tx_v3();
	tx.adver_int_cs = 4096;
	assert_int_equal(vrrp_advert_build(&tx, pkt, sizeof(pkt)), -EINVAL);
	tx.adver_int_cs = 100;
	tx.n_addrs = 0;
	assert_int_equal(vrrp_advert_build(&tx, pkt, sizeof(pkt)), -EINVAL);
	tx.n_addrs = 1;
	assert_int_equal(vrrp_advert_build(&tx, pkt, 31), -ENOSPC);
}

/* Adverts keepalived 2.2.7 (Debian 12) sent in the interop check, captured
 * with tcpdump: VRID 51, priority 100, 1 s, VIP 10.77.0.100, from
 * 10.77.0.2. v3 sums the pseudo-header; v2 carries PASS "42". */
static const uint8_t keepalived_v3[] = {
	0x45, 0xc0, 0x00, 0x20, 0x00, 0x03, 0x00, 0x00,
	0xff, 0x70, 0xd0, 0x49, 0x0a, 0x4d, 0x00, 0x02,
	0xe0, 0x00, 0x00, 0x12, 0x31, 0x33, 0x64, 0x01,
	0x00, 0x64, 0x74, 0xd8, 0x0a, 0x4d, 0x00, 0x64,
};
static const uint8_t keepalived_v2_pass[] = {
	0x45, 0xc0, 0x00, 0x28, 0x00, 0x03, 0x00, 0x00,
	0xff, 0x70, 0xd0, 0x41, 0x0a, 0x4d, 0x00, 0x02,
	0xe0, 0x00, 0x00, 0x12, 0x21, 0x33, 0x64, 0x01,
	0x01, 0x01, 0x3a, 0xe7, 0x0a, 0x4d, 0x00, 0x64,
	0x34, 0x32, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
};

static void test_keepalived_captures(void **state)
{
	uint32_t vip = inet_addr("10.77.0.100");
	struct vrrp_expect e = {
		.version = 3, .vrid = 51, .n_addrs = 1, .addrs = &vip,
		.adver_int_cs = 100,
	};
	struct vrrp_advert adv;
	struct vrrp_tx tx = {
		.version = 3, .vrid = 51, .priority = 100, .adver_int_cs = 100,
		.csum_form = VRRP_CSUM_PSEUDO,
		.src = vrrp_ip4(inet_addr("10.77.0.2")),
		.dst = vrrp_ip4(htonl(VRRP_MCAST_GROUP)),
		.n_addrs = 1, .addrs = &vip,
	};
	size_t len;

	(void)state;
	assert_int_equal(vrrp_advert_parse(keepalived_v3, sizeof(keepalived_v3),
					   &e, &adv), VRRP_RX_OK);
	assert_int_equal(adv.csum_form, VRRP_CSUM_PSEUDO);
	assert_int_equal(adv.priority, 100);
	e.version = 2;
	e.auth_type = VRRP_AUTH_PASS;
	memcpy(e.auth_pass, "42\0\0\0\0\0\0", 8);
	assert_int_equal(vrrp_advert_parse(keepalived_v2_pass,
					   sizeof(keepalived_v2_pass), &e, &adv),
			 VRRP_RX_OK);
	/* What we build for the same advert is byte for byte keepalived's,
	 * but for the IP id, which the kernel fills in. */
	len = build(&tx);
	pkt[5] = 0x03;
	pkt[10] = 0xd0;	/* the IP header sum then covers that id too */
	pkt[11] = 0x49;
	assert_int_equal(len, sizeof(keepalived_v3));
	assert_memory_equal(pkt, keepalived_v3, len);
	tx.version = 2;
	tx.auth_type = VRRP_AUTH_PASS;
	memcpy(tx.auth_pass, "42\0\0\0\0\0\0", 8);
	len = build(&tx);
	pkt[5] = 0x03;
	pkt[10] = 0xd0;
	pkt[11] = 0x41;
	assert_memory_equal(pkt, keepalived_v2_pass, len);
}

/* ---- IPv6 (RFC 5798 over IPv6) ------------------------------------------- */

static uint8_t vips6[2][16];

static struct vrrp_tx tx_v6(void)
{
	uint8_t src[16], dst[16];
	struct vrrp_tx tx = {
		.version = 3, .vrid = 52, .priority = 101, .adver_int_cs = 100,
		.n_addrs = 2, .addrs = vips6,
	};

	inet_pton(AF_INET6, "2001:db8::189", vips6[0]);
	inet_pton(AF_INET6, "2001:db8::190", vips6[1]);
	inet_pton(AF_INET6, "fe80::c0ff:fea8:daab", src);
	inet_pton(AF_INET6, "ff02::12", dst);
	tx.src = vrrp_ip6(src);
	tx.dst = vrrp_ip6(dst);
	return tx;
}

/* The message alone (the socket adds the header), 16 bytes an address,
 * the checksum over the IPv6 pseudo-header, computed here in full. */
static void test_v6_layout(void **state)
{
	struct vrrp_tx tx = tx_v6();
	uint8_t v[VRRP_MAX_PACKET];
	ssize_t n = vrrp_advert_build(&tx, v, sizeof(v));
	uint32_t sum = 0;

	(void)state;
	assert_int_equal(n, 8 + 2 * 16);
	assert_int_equal(v[0], 0x31);			/* v3, advertisement */
	assert_int_equal(v[1], 52);
	assert_int_equal(v[2], 101);
	assert_int_equal(v[3], 2);
	assert_int_equal(v[4] << 8 | v[5], 100);	/* max adver int, cs */
	assert_memory_equal(v + 8, vips6, 32);
	for (int i = 0; i < 16; i += 2)
		sum += (uint32_t)(tx.src.a[i] << 8 | tx.src.a[i + 1]) +
		       (uint32_t)(tx.dst.a[i] << 8 | tx.dst.a[i + 1]);
	sum += (uint32_t)n + VRRP_IPPROTO;
	for (ssize_t i = 0; i < n; i += 2)
		sum += (uint32_t)(v[i] << 8 | v[i + 1]);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	assert_int_equal(sum, 0xffff);
}

static void test_v6_parse(void **state)
{
	struct vrrp_tx tx = tx_v6();
	struct vrrp_expect exp = {
		.version = 3, .vrid = 52, .n_addrs = 2, .addrs = vips6,
	};
	uint8_t v[VRRP_MAX_PACKET];
	struct vrrp_advert adv;
	ssize_t n = vrrp_advert_build(&tx, v, sizeof(v));

	(void)state;
	assert_int_equal(vrrp_advert6_parse(v, (size_t)n, &tx.src, &tx.dst, 255,
					    &exp, &adv), VRRP_RX_OK);
	assert_true(vrrp_ip_eq(&adv.src, &tx.src));
	assert_int_equal(adv.priority, 101);
	assert_int_equal(adv.adver_int_cs, 100);
	assert_int_equal(adv.n_addrs, 2);
	assert_memory_equal(adv.addrs, vips6, 32);
	/* Sent from off the link, with a bad sum, over the other family's
	 * rules, or listing other addresses: each dropped for its reason. */
	assert_int_equal(vrrp_advert6_parse(v, (size_t)n, &tx.src, &tx.dst, 64,
					    &exp, &adv), VRRP_RX_TTL);
	v[7] ^= 1;
	assert_int_equal(vrrp_advert6_parse(v, (size_t)n, &tx.src, &tx.dst, 255,
					    &exp, &adv), VRRP_RX_CHECKSUM);
	v[7] ^= 1;
	/* The sum covers the source: the same bytes from another are bad. */
	tx.src.a[15] ^= 1;
	assert_int_equal(vrrp_advert6_parse(v, (size_t)n, &tx.src, &tx.dst, 255,
					    &exp, &adv), VRRP_RX_CHECKSUM);
	tx.src.a[15] ^= 1;
	exp.n_addrs = 1;
	assert_int_equal(vrrp_advert6_parse(v, (size_t)n, &tx.src, &tx.dst, 255,
					    &exp, &adv), VRRP_RX_ADDR_COUNT);
	exp.n_addrs = 2;
	exp.addrs = (uint8_t[32]){ 0 };
	assert_int_equal(vrrp_advert6_parse(v, (size_t)n, &tx.src, &tx.dst, 255,
					    &exp, &adv), VRRP_RX_ADDRS);
	exp.addrs = vips6;
	exp.version = 2;
	assert_int_equal(vrrp_advert6_parse(v, (size_t)n, &tx.src, &tx.dst, 255,
					    &exp, &adv), VRRP_RX_VERSION);
	assert_int_equal(vrrp_advert6_parse(v, 7, &tx.src, &tx.dst, 255,
					    &(struct vrrp_expect){ .version = 3 },
					    &adv), VRRP_RX_TRUNC);
	/* VRRP v2 has no IPv6: such an advert is not built. */
	tx.version = 2;
	assert_int_equal(vrrp_advert_build(&tx, v, sizeof(v)), -EINVAL);
}

/* The tie-break compares the numbers: for IPv6, all 16 bytes. */
static void test_ip_compare(void **state)
{
	uint8_t a[16], b[16];
	struct vrrp_ip x, y, four = vrrp_ip4(inet_addr("10.0.0.2")),
			    five = vrrp_ip4(inet_addr("10.0.0.10"));
	char buf[VRRP_IP_STRLEN];

	(void)state;
	inet_pton(AF_INET6, "fe80::1:2", a);
	inet_pton(AF_INET6, "fe80::2:1", b);
	x = vrrp_ip6(a);
	y = vrrp_ip6(b);
	assert_true(vrrp_ip_cmp(&y, &x) > 0);
	assert_true(vrrp_ip_cmp(&five, &four) > 0);
	assert_false(vrrp_ip_eq(&x, &y));
	assert_string_equal(vrrp_ip_str(&x, buf), "fe80::1:2");
	assert_string_equal(vrrp_ip_str(&four, buf), "10.0.0.2");
	assert_string_equal(vrrp_ip_str(&(struct vrrp_ip){ 0 }, buf), "none");
}

static void test_reason_names(void **state)
{
	(void)state;
	assert_string_equal(vrrp_rx_name(VRRP_RX_CHECKSUM), "CHECKSUM");
	assert_string_equal(vrrp_rx_desc(VRRP_RX_TTL),
			    "IP TTL (hop limit) is not 255 (sent from off the link)");
	assert_string_equal(vrrp_rx_name(VRRP_RX_MAX), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_v3_layout),
		cmocka_unit_test(test_v3_pseudo_accepted),
		cmocka_unit_test(test_v3_nopseudo_accepted),
		cmocka_unit_test(test_v3_checksum_rejected),
		cmocka_unit_test(test_v3_reserved_bits_ignored),
		cmocka_unit_test(test_v3_sub_second_interval),
		cmocka_unit_test(test_v3_zero_interval_rejected),
		cmocka_unit_test(test_v2_layout_and_pass),
		cmocka_unit_test(test_v2_wrong_pass),
		cmocka_unit_test(test_v2_auth_type_mismatch),
		cmocka_unit_test(test_v2_interval_must_match),
		cmocka_unit_test(test_v2_checksum_rejected),
		cmocka_unit_test(test_ttl),
		cmocka_unit_test(test_version_type_vrid),
		cmocka_unit_test(test_length),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_ip_header),
		cmocka_unit_test(test_ip_options_skipped),
		cmocka_unit_test(test_build_rejects),
		cmocka_unit_test(test_v6_layout),
		cmocka_unit_test(test_v6_parse),
		cmocka_unit_test(test_ip_compare),
		cmocka_unit_test(test_keepalived_captures),
		cmocka_unit_test(test_reason_names),
	};

	return cmocka_run_group_tests(tests, setup, NULL);
}
