/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * advert.h - VRRP advertisements on the wire: RFC 3768 (v2) and RFC 5798
 * (v3) over IPv4, and v3 over IPv6. Pure: bytes in, bytes out, no I/O, no
 * clock.
 *
 * IPv4 packets are whole datagrams, header included: the raw socket sends
 * with IP_HDRINCL (so the source address, TTL and the v3 pseudo-header are
 * ours to choose) and delivers the header on receive (the TTL is checked).
 * An IPv6 raw socket neither takes nor gives the header: an IPv6 advert
 * is the VRRP message alone, its addresses and hop limit beside it (the
 * socket's ancillary data). Addresses are in network order, as on the
 * wire.
 */
#ifndef VRRP_ADVERT_H
#define VRRP_ADVERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define VRRP_IPPROTO		112
#define VRRP_MCAST_GROUP	0xe0000012u	/* 224.0.0.18, host order */
#define VRRP_MCAST6_GROUP	"ff02::12"
#define VRRP_TTL		255
#define VRRP_PRIO_STOP		0	/* "I am leaving": backups take over now */
#define VRRP_PRIO_OWNER		255	/* owns the addresses: master at once */
#define VRRP_AUTH_NONE		0
#define VRRP_AUTH_PASS		1	/* RFC 2338 simple text password */
#define VRRP_AUTH_LEN		8
#define VRRP_MAX_ADDRS		16	/* per instance; keepalived's limit is 20 */
#define VRRP_HDR_LEN		8
#define VRRP_MAX_PACKET		(20 + VRRP_HDR_LEN + 4 * 255 + VRRP_AUTH_LEN)
/* v3: a 12-bit interval in centiseconds (10 ms .. 40.95 s). */
#define VRRP_V3_MAX_INT_CS	4095

/*
 * The two IPv4 checksums of v3 met in the field: RFC 5798 §5.2.8 with the
 * pseudo-header (keepalived and FRR by default), and over the VRRP message
 * only, as in v2 (RFC 9568's reading; keepalived's v3_checksum_as_v2).
 */
enum vrrp_csum_form {
	VRRP_CSUM_PSEUDO,
	VRRP_CSUM_NOPSEUDO,
};

/* An address VRRP compares and logs: IPv4 (its 4 bytes first, the rest
 * 0) or IPv6, network order; family 0: none. Compared as bytes, which for
 * either family is comparing the numbers (RFC 5798 §6.4.3's tie-break). */
struct vrrp_ip {
	uint8_t family;		/* AF_INET, AF_INET6; 0: none */
	uint8_t a[16];
};

struct vrrp_ip vrrp_ip4(uint32_t addr);		/* network order */
uint32_t vrrp_ip_v4(const struct vrrp_ip *ip);	/* its IPv4 address */
struct vrrp_ip vrrp_ip6(const void *addr);	/* 16 bytes */
int vrrp_ip_cmp(const struct vrrp_ip *x, const struct vrrp_ip *y);
bool vrrp_ip_eq(const struct vrrp_ip *x, const struct vrrp_ip *y);
/* "192.168.218.171", "fe80::1"; "none" for family 0. */
#define VRRP_IP_STRLEN		46
const char *vrrp_ip_str(const struct vrrp_ip *ip, char *buf);
/* The bytes of an address on the wire: 4 or 16. */
size_t vrrp_ip_len(uint8_t family);

/* Why a received packet was dropped; VRRP_RX_OK: it was not. */
#define VRRP_RX_REASONS(X)						\
	X(OK,		"accepted")					\
	X(IP_TRUNC,	"shorter than an IPv4 header")			\
	X(IP_HEADER,	"bad IPv4 header (version, length, protocol)")	\
	X(IP_FRAGMENT,	"IPv4 fragment")				\
	X(TTL,		"IP TTL (hop limit) is not 255 (sent from off the link)") \
	X(TRUNC,	"shorter than a VRRP header")			\
	X(VERSION,	"other VRRP version")				\
	X(TYPE,		"not an advertisement (type 1)")		\
	X(VRID,		"other virtual_router_id")			\
	X(LENGTH,	"length does not match the address count")	\
	X(CHECKSUM,	"bad checksum")					\
	X(AUTH_TYPE,	"other authentication type")			\
	X(AUTH_PASS,	"wrong auth_pass")				\
	X(INTERVAL,	"advert interval differs (v2) or is 0 (v3)")	\
	X(ADDR_COUNT,	"address count differs from ours")		\
	X(ADDRS,	"virtual addresses differ from ours")		\
	X(OWN,		"our own advert")				\
	X(NOT_PEER,	"source is not a unicast_peer")

#define VRRP_RX_ENUM(name, desc) VRRP_RX_##name,
enum vrrp_rx {
	VRRP_RX_REASONS(VRRP_RX_ENUM)
	VRRP_RX_MAX
};
#undef VRRP_RX_ENUM

const char *vrrp_rx_name(enum vrrp_rx r);	/* "CHECKSUM" */
const char *vrrp_rx_desc(enum vrrp_rx r);	/* "bad checksum" */

/* What the receiver expects: its own instance's settings. */
struct vrrp_expect {
	uint8_t version;		/* 2 or 3 */
	uint8_t vrid;
	uint8_t auth_type;		/* v2: VRRP_AUTH_NONE or _PASS */
	char auth_pass[VRRP_AUTH_LEN];	/* v2 PASS, zero padded */
	uint16_t adver_int_cs;		/* v2: must match (whole seconds) */
	uint8_t n_addrs;
	const void *addrs;		/* our virtual addresses: n_addrs of
					 * 4 bytes (IPv4), 16 (IPv6) */
};

/* An accepted advertisement. */
struct vrrp_advert {
	struct vrrp_ip src;		/* the sender's primary address */
	struct vrrp_ip dst;
	uint8_t version;
	uint8_t vrid;
	uint8_t priority;
	uint8_t n_addrs;
	uint16_t adver_int_cs;		/* v2: seconds * 100 */
	enum vrrp_csum_form csum_form;	/* v3: how it was summed */
	uint8_t addrs[VRRP_MAX_ADDRS * 16];	/* n_addrs of 4 or 16 bytes */
};

/* Check a received IPv4 datagram against every rule of RFC 3768 §7.1 and
 * RFC 5798 §7.1; fills out only when VRRP_RX_OK is returned. */
enum vrrp_rx vrrp_advert_parse(const void *pkt, size_t len,
			       const struct vrrp_expect *exp,
			       struct vrrp_advert *out);

/* The same for an IPv6 advert: the VRRP message of len bytes, from src to
 * dst with that hop limit (the socket's ancillary data); version 3 only,
 * its checksum over the IPv6 pseudo-header (RFC 5798 §5.2.8). */
enum vrrp_rx vrrp_advert6_parse(const void *msg, size_t len,
				const struct vrrp_ip *src,
				const struct vrrp_ip *dst, int hop_limit,
				const struct vrrp_expect *exp,
				struct vrrp_advert *out);

/* What to send. */
struct vrrp_tx {
	uint8_t version;
	uint8_t vrid;
	uint8_t priority;
	uint16_t adver_int_cs;
	enum vrrp_csum_form csum_form;	/* v3 over IPv4 only */
	uint8_t auth_type;		/* v2 only */
	char auth_pass[VRRP_AUTH_LEN];
	struct vrrp_ip src;
	struct vrrp_ip dst;
	uint8_t n_addrs;
	const void *addrs;		/* of src's family: 4 or 16 bytes each */
};

/* Build the advert into buf: over IPv4 the whole datagram, over IPv6
 * (src's family) the VRRP message alone, its checksum over the IPv6
 * pseudo-header. Returns its length, or -EINVAL (bad field) / -ENOSPC
 * (buf too small). */
ssize_t vrrp_advert_build(const struct vrrp_tx *tx, void *buf, size_t cap);

/* RFC 1071 sum of len bytes added to sum, not folded or inverted. */
uint32_t vrrp_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t vrrp_csum_fold(uint32_t sum);

#endif /* VRRP_ADVERT_H */
