// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * advert.c - parse and build VRRP advertisements (v2 and v3 over IPv4, v3
 * over IPv6).
 *
 * Bytes are read and written one field at a time with explicit offsets, so
 * the code never casts a buffer to a struct: a datagram from a raw socket
 * may sit at any alignment, and UBSan is built in.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "advert.h"

/* Offsets in the IPv4 header and in the VRRP message. */
enum {
	H4_VER_IHL = 0, H4_TOS = 1, H4_TOT_LEN = 2, H4_ID = 4, H4_FRAG = 6,
	H4_TTL = 8, H4_PROTO = 9, H4_CSUM = 10, H4_SADDR = 12, H4_DADDR = 16,
	H4_HDR_LEN = 20,
};
enum {
	V_VER_TYPE = 0, V_VRID = 1, V_PRIO = 2, V_COUNT = 3,
	V2_AUTH_TYPE = 4, V2_ADVER_INT = 5, V3_MAX_ADVER_INT = 4,
	V_CSUM = 6, V_ADDRS = 8,
};
#define VRRP_TYPE_ADVERT	1
#define H4_TOS_NETCONTROL	0xc0	/* precedence "internetwork control" */
#define H4_FRAG_MASK		0x3fff	/* MF and the offset */

#define VRRP_RX_NAME(name, desc) #name,
#define VRRP_RX_DESC(name, desc) desc,
static const char *const rx_names[] = { VRRP_RX_REASONS(VRRP_RX_NAME) };
static const char *const rx_descs[] = { VRRP_RX_REASONS(VRRP_RX_DESC) };

const char *vrrp_rx_name(enum vrrp_rx r)
{
	return (unsigned int)r < VRRP_RX_MAX ? rx_names[r] : "?";
}

const char *vrrp_rx_desc(enum vrrp_rx r)
{
	return (unsigned int)r < VRRP_RX_MAX ? rx_descs[r] : "?";
}

/* ---- addresses ----------------------------------------------------------- */

struct vrrp_ip vrrp_ip4(uint32_t addr)
{
	struct vrrp_ip ip;

	memset(&ip, 0, sizeof(ip));
	ip.family = AF_INET;
	memcpy(ip.a, &addr, 4);
	return ip;
}

uint32_t vrrp_ip_v4(const struct vrrp_ip *ip)
{
	uint32_t a;

	memcpy(&a, ip->a, sizeof(a));
	return a;
}

struct vrrp_ip vrrp_ip6(const void *addr)
{
	struct vrrp_ip ip;

	ip.family = AF_INET6;
	memcpy(ip.a, addr, 16);
	return ip;
}

int vrrp_ip_cmp(const struct vrrp_ip *x, const struct vrrp_ip *y)
{
	return memcmp(x->a, y->a, sizeof(x->a));
}

bool vrrp_ip_eq(const struct vrrp_ip *x, const struct vrrp_ip *y)
{
	return x->family == y->family && !vrrp_ip_cmp(x, y);
}

const char *vrrp_ip_str(const struct vrrp_ip *ip, char *buf)
{
	if (!ip->family || !inet_ntop(ip->family, ip->a, buf, VRRP_IP_STRLEN))
		strcpy(buf, "none");
	return buf;
}

size_t vrrp_ip_len(uint8_t family)
{
	return family == AF_INET6 ? 16 : 4;
}

/* ---- checksums ----------------------------------------------------------- */

uint32_t vrrp_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (; len >= 2; p += 2, len -= 2)
		sum += (uint32_t)p[0] << 8 | p[1];
	if (len)
		sum += (uint32_t)p[0] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* The value to put in a checksum field (host order). */
uint16_t vrrp_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

/* RFC 5798 §5.2.8: the sum starts with the IPv4 pseudo-header. */
static uint32_t pseudo_header_sum(uint32_t saddr, uint32_t daddr,
				  size_t vrrp_len)
{
	uint8_t ph[12];

	memcpy(ph, &saddr, 4);
	memcpy(ph + 4, &daddr, 4);
	ph[8] = 0;
	ph[9] = VRRP_IPPROTO;
	ph[10] = (uint8_t)(vrrp_len >> 8);
	ph[11] = (uint8_t)vrrp_len;
	return vrrp_csum_add(0, ph, sizeof(ph));
}

/* RFC 5798 §5.2.8 over IPv6: source, destination, the upper-layer
 * length (32 bits) and the next header (RFC 8200 §8.1). */
static uint32_t pseudo_header6_sum(const struct vrrp_ip *src,
				   const struct vrrp_ip *dst, size_t vrrp_len)
{
	uint8_t ph[40] = { 0 };

	memcpy(ph, src->a, 16);
	memcpy(ph + 16, dst->a, 16);
	ph[34] = (uint8_t)(vrrp_len >> 8);
	ph[35] = (uint8_t)vrrp_len;
	ph[39] = VRRP_IPPROTO;
	return vrrp_csum_add(0, ph, sizeof(ph));
}

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

/* ---- receive -------------------------------------------------------------- */

static size_t vrrp_len_for(uint8_t version, uint8_t count, size_t alen)
{
	return V_ADDRS + alen * count + (version == 2 ? VRRP_AUTH_LEN : 0);
}

/* The IPv4 header: sets *vrrp / *vrrp_len to the payload. */
static enum vrrp_rx check_ip(const uint8_t *ip, size_t len,
			     const uint8_t **vrrp, size_t *vrrp_len)
{
	size_t ihl, tot;

	if (len < H4_HDR_LEN)
		return VRRP_RX_IP_TRUNC;
	ihl = (size_t)(ip[H4_VER_IHL] & 0x0f) * 4;
	tot = get16(ip + H4_TOT_LEN);
	if (ip[H4_VER_IHL] >> 4 != 4 || ihl < H4_HDR_LEN || tot < ihl ||
	    tot > len || ip[H4_PROTO] != VRRP_IPPROTO)
		return VRRP_RX_IP_HEADER;
	if (get16(ip + H4_FRAG) & H4_FRAG_MASK)
		return VRRP_RX_IP_FRAGMENT;
	if (ip[H4_TTL] != VRRP_TTL)
		return VRRP_RX_TTL;
	*vrrp = ip + ihl;
	*vrrp_len = tot - ihl;
	return VRRP_RX_OK;
}

/* v2 sums the message alone; v3 either form (out: which one matched). */
static enum vrrp_rx check_csum(const uint8_t *ip, const uint8_t *v, size_t len,
			       uint8_t version, enum vrrp_csum_form *form)
{
	uint32_t saddr, daddr, sum;

	*form = VRRP_CSUM_NOPSEUDO;
	if (version == 2)
		return vrrp_csum_fold(vrrp_csum_add(0, v, len)) ?
		       VRRP_RX_CHECKSUM : VRRP_RX_OK;
	memcpy(&saddr, ip + H4_SADDR, 4);
	memcpy(&daddr, ip + H4_DADDR, 4);
	sum = pseudo_header_sum(saddr, daddr, len);
	if (vrrp_csum_fold(vrrp_csum_add(sum, v, len)) == 0) {
		*form = VRRP_CSUM_PSEUDO;
		return VRRP_RX_OK;
	}
	if (vrrp_csum_fold(vrrp_csum_add(0, v, len)) == 0)
		return VRRP_RX_OK;
	return VRRP_RX_CHECKSUM;
}

static enum vrrp_rx check_v2_auth(const uint8_t *v, size_t len,
				  const struct vrrp_expect *exp)
{
	if (v[V2_AUTH_TYPE] != exp->auth_type)
		return VRRP_RX_AUTH_TYPE;
	if (exp->auth_type == VRRP_AUTH_PASS &&
	    memcmp(v + len - VRRP_AUTH_LEN, exp->auth_pass, VRRP_AUTH_LEN))
		return VRRP_RX_AUTH_PASS;
	return VRRP_RX_OK;
}

static uint16_t advert_interval_cs(const uint8_t *v, uint8_t version)
{
	if (version == 2)
		return (uint16_t)(v[V2_ADVER_INT] * 100);
	return get16(v + V3_MAX_ADVER_INT) & 0x0fff;	/* 4 bits reserved */
}

static bool addr_listed(const uint8_t *a, const uint8_t *list, unsigned int n,
			size_t alen)
{
	for (unsigned int i = 0; i < n; i++)
		if (!memcmp(list + i * alen, a, alen))
			return true;
	return false;
}

/* The same set as ours, in any order (RFC 5798 §7.1 "MAY verify"): each
 * of its addresses is ours and each of ours is in it, so {A, A} is not
 * taken for {A, B}. */
static enum vrrp_rx check_addrs(const uint8_t *v, const struct vrrp_expect *exp,
				size_t alen)
{
	const uint8_t *theirs = v + V_ADDRS, *ours = exp->addrs;
	unsigned int n = exp->n_addrs;

	if (v[V_COUNT] != n || n > VRRP_MAX_ADDRS)
		return VRRP_RX_ADDR_COUNT;
	for (unsigned int i = 0; i < n; i++)
		if (!addr_listed(theirs + i * alen, ours, n, alen) ||
		    !addr_listed(ours + i * alen, theirs, n, alen))
			return VRRP_RX_ADDRS;
	return VRRP_RX_OK;
}

/* The header's fields every version checks alike (before the checksum). */
static enum vrrp_rx check_header(const uint8_t *v, size_t len,
				 const struct vrrp_expect *exp, size_t alen)
{
	if (len < V_ADDRS)
		return VRRP_RX_TRUNC;
	if (v[V_VER_TYPE] >> 4 != exp->version)
		return VRRP_RX_VERSION;
	if ((v[V_VER_TYPE] & 0x0f) != VRRP_TYPE_ADVERT)
		return VRRP_RX_TYPE;
	if (v[V_VRID] != exp->vrid)
		return VRRP_RX_VRID;
	if (len != vrrp_len_for(exp->version, v[V_COUNT], alen))
		return VRRP_RX_LENGTH;
	return VRRP_RX_OK;
}

static enum vrrp_rx check_vrrp(const uint8_t *ip, const uint8_t *v,
			       size_t len, const struct vrrp_expect *exp,
			       enum vrrp_csum_form *form)
{
	uint8_t version = exp->version;
	uint16_t interval;
	enum vrrp_rx r;

	r = check_header(v, len, exp, 4);
	if (r)
		return r;
	r = check_csum(ip, v, len, version, form);
	if (r)
		return r;
	if (version == 2 && (r = check_v2_auth(v, len, exp)))
		return r;
	interval = advert_interval_cs(v, version);
	if (interval == 0 ||
	    (version == 2 && interval != exp->adver_int_cs))
		return VRRP_RX_INTERVAL;
	return check_addrs(v, exp, 4);
}

/* The fields of an accepted advert. */
static void fill_advert(const uint8_t *v, size_t alen,
			enum vrrp_csum_form form, struct vrrp_advert *out)
{
	unsigned int n;

	out->version = v[V_VER_TYPE] >> 4;
	out->vrid = v[V_VRID];
	out->priority = v[V_PRIO];
	out->n_addrs = v[V_COUNT];
	out->adver_int_cs = advert_interval_cs(v, out->version);
	out->csum_form = form;
	n = out->n_addrs < VRRP_MAX_ADDRS ? out->n_addrs : VRRP_MAX_ADDRS;
	memcpy(out->addrs, v + V_ADDRS, alen * n);
}

enum vrrp_rx vrrp_advert_parse(const void *pkt, size_t len,
			       const struct vrrp_expect *exp,
			       struct vrrp_advert *out)
{
	const uint8_t *ip = pkt, *v;
	enum vrrp_csum_form form;
	uint32_t saddr, daddr;
	size_t vlen;
	enum vrrp_rx r;

	r = check_ip(ip, len, &v, &vlen);
	if (r)
		return r;
	r = check_vrrp(ip, v, vlen, exp, &form);
	if (r)
		return r;
	memset(out, 0, sizeof(*out));
	memcpy(&saddr, ip + H4_SADDR, 4);
	memcpy(&daddr, ip + H4_DADDR, 4);
	out->src = vrrp_ip4(saddr);
	out->dst = vrrp_ip4(daddr);
	fill_advert(v, 4, form, out);
	return VRRP_RX_OK;
}

enum vrrp_rx vrrp_advert6_parse(const void *msg, size_t len,
				const struct vrrp_ip *src,
				const struct vrrp_ip *dst, int hop_limit,
				const struct vrrp_expect *exp,
				struct vrrp_advert *out)
{
	const uint8_t *v = msg;
	enum vrrp_rx r;

	if (hop_limit != VRRP_TTL)
		return VRRP_RX_TTL;
	if (exp->version != 3)
		return VRRP_RX_VERSION;
	r = check_header(v, len, exp, 16);
	if (r)
		return r;
	if (vrrp_csum_fold(vrrp_csum_add(pseudo_header6_sum(src, dst, len), v,
					 len)))
		return VRRP_RX_CHECKSUM;
	if (advert_interval_cs(v, 3) == 0)
		return VRRP_RX_INTERVAL;
	r = check_addrs(v, exp, 16);
	if (r)
		return r;
	memset(out, 0, sizeof(*out));
	out->src = *src;
	out->dst = *dst;
	fill_advert(v, 16, VRRP_CSUM_PSEUDO, out);
	return VRRP_RX_OK;
}

/* ---- send ----------------------------------------------------------------- */

static bool tx_valid(const struct vrrp_tx *tx)
{
	if (tx->n_addrs == 0 || tx->n_addrs > VRRP_MAX_ADDRS ||
	    (tx->src.family != AF_INET && tx->src.family != AF_INET6) ||
	    tx->dst.family != tx->src.family ||
	    (tx->src.family == AF_INET6 && tx->version != 3))
		return false;
	if (tx->version == 2)
		return tx->adver_int_cs % 100 == 0 && tx->adver_int_cs >= 100 &&
		       tx->adver_int_cs <= 255 * 100 &&
		       (tx->auth_type == VRRP_AUTH_NONE ||
			tx->auth_type == VRRP_AUTH_PASS);
	return tx->version == 3 && tx->adver_int_cs >= 1 &&
	       tx->adver_int_cs <= VRRP_V3_MAX_INT_CS;
}

static void build_ip_header(const struct vrrp_tx *tx, uint8_t *ip, size_t tot)
{
	memset(ip, 0, H4_HDR_LEN);
	ip[H4_VER_IHL] = 0x45;
	ip[H4_TOS] = H4_TOS_NETCONTROL;
	put16(ip + H4_TOT_LEN, (uint16_t)tot);
	ip[H4_TTL] = VRRP_TTL;
	ip[H4_PROTO] = VRRP_IPPROTO;
	memcpy(ip + H4_SADDR, tx->src.a, 4);
	memcpy(ip + H4_DADDR, tx->dst.a, 4);
	put16(ip + H4_CSUM, vrrp_csum_fold(vrrp_csum_add(0, ip, H4_HDR_LEN)));
}

static void build_vrrp(const struct vrrp_tx *tx, uint8_t *v, size_t len)
{
	size_t alen = vrrp_ip_len(tx->src.family);
	uint32_t sum = 0;

	memset(v, 0, len);
	v[V_VER_TYPE] = (uint8_t)(tx->version << 4 | VRRP_TYPE_ADVERT);
	v[V_VRID] = tx->vrid;
	v[V_PRIO] = tx->priority;
	v[V_COUNT] = tx->n_addrs;
	memcpy(v + V_ADDRS, tx->addrs, alen * tx->n_addrs);
	if (tx->version == 2) {
		v[V2_AUTH_TYPE] = tx->auth_type;
		v[V2_ADVER_INT] = (uint8_t)(tx->adver_int_cs / 100);
		if (tx->auth_type == VRRP_AUTH_PASS)
			memcpy(v + len - VRRP_AUTH_LEN, tx->auth_pass,
			       VRRP_AUTH_LEN);
	} else {
		uint32_t s, d;

		put16(v + V3_MAX_ADVER_INT, tx->adver_int_cs);
		memcpy(&s, tx->src.a, 4);
		memcpy(&d, tx->dst.a, 4);
		if (tx->src.family == AF_INET6)
			sum = pseudo_header6_sum(&tx->src, &tx->dst, len);
		else if (tx->csum_form == VRRP_CSUM_PSEUDO)
			sum = pseudo_header_sum(s, d, len);
	}
	put16(v + V_CSUM, vrrp_csum_fold(vrrp_csum_add(sum, v, len)));
}

ssize_t vrrp_advert_build(const struct vrrp_tx *tx, void *buf, size_t cap)
{
	size_t vlen, tot;
	uint8_t *ip = buf;

	if (!tx_valid(tx))
		return -EINVAL;
	vlen = vrrp_len_for(tx->version, tx->n_addrs,
			    vrrp_ip_len(tx->src.family));
	if (tx->src.family == AF_INET6) {
		if (cap < vlen)
			return -ENOSPC;
		build_vrrp(tx, buf, vlen);
		return (ssize_t)vlen;
	}
	tot = H4_HDR_LEN + vlen;
	if (cap < tot)
		return -ENOSPC;
	build_ip_header(tx, ip, tot);
	build_vrrp(tx, ip + H4_HDR_LEN, vlen);
	return (ssize_t)tot;
}
