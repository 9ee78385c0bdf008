// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * vrrp_conf.c - [vrrp NAME] sections: keys one by one, then the checks
 * that need the whole section (advert_int against version, ...).
 *
 * Errors are `FILE:LINE: problem`, the line of the key, or the first line
 * of the section for what is missing from it.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loader/util.h"
#include "sync.h"
#include "vrrp_conf.h"

#define V2_MAX_INT_S	255

struct reader {
	const struct kx_config *kc;
	struct vrrp_config *out;
	unsigned int seen[VRRP_MAX_INSTANCES];	/* keys given once, by bit */
};

static int conf_error(const struct reader *r, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int conf_error(const struct reader *r, int line, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return kx_fail(-EINVAL, "%s:%d: %s", r->kc->path, line, msg);
}

/* ---- value parsers ------------------------------------------------------- */

static int parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };

	for (size_t i = 0; i < KX_ARRAY_SIZE(yes); i++) {
		if (!strcmp(s, yes[i]))
			return *out = true, 0;
		if (!strcmp(s, no[i]))
			return *out = false, 0;
	}
	return -EINVAL;
}

/* "1", "1s", "50ms", and keepalived's decimal seconds "0.05" / "4.12s". */
static int parse_time_ms(const char *s, uint64_t *ms)
{
	unsigned long whole, frac = 0;
	const char *dot = strchr(s, '.');
	char *end;
	int digits;

	if (!dot)
		return kx_parse_duration_ms(s, ms);
	if (!isdigit((unsigned char)*s) || !isdigit((unsigned char)dot[1]))
		return -EINVAL;
	errno = 0;
	whole = strtoul(s, &end, 10);
	if (end != dot || errno || whole > 1000000)
		return -ERANGE;
	for (digits = 0, end = (char *)dot + 1; isdigit((unsigned char)*end);
	     end++, digits++) {
		if (digits == 3)
			return -EINVAL;		/* finer than 1 ms */
		frac = frac * 10 + (unsigned long)(*end - '0');
	}
	for (; digits < 3; digits++)
		frac *= 10;
	if (*end && strcmp(end, "s"))
		return -EINVAL;
	*ms = whole * 1000 + frac;
	return 0;
}

static int parse_ipv4(const char *s, uint32_t *addr)
{
	struct in_addr in;

	if (inet_pton(AF_INET, s, &in) != 1)
		return -EINVAL;
	*addr = in.s_addr;
	return 0;
}

/* "192.168.218.189/24" or "2001:db8::189/64"; without /PREFIX: /32 or
 * /128, as keepalived. */
static int parse_xvip(const char *s, struct vrrp_xvip *x)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;
	uint32_t prefix;

	memset(x, 0, sizeof(*x));
	if (kx_snprintf(buf, sizeof(buf), "%s", s))
		return -EINVAL;
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET6, buf, &x->addr) == 1)
		x->family = KHAXDP_AF_INET6;
	else if (inet_pton(AF_INET, buf, &x->addr.v4) == 1)
		x->family = KHAXDP_AF_INET;
	else
		return -EINVAL;
	prefix = x->family == KHAXDP_AF_INET6 ? 128 : 32;
	if (slash) {
		uint32_t max = prefix;

		if (kx_parse_u32(slash + 1, &prefix) || prefix < 1 || prefix > max)
			return -ERANGE;
	}
	x->prefix = (uint8_t)prefix;
	return 0;
}

static int parse_int_range(const char *s, long lo, long hi, long *out)
{
	char *end;
	long v;

	if (!*s)
		return -EINVAL;
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end || errno)
		return -EINVAL;
	if (v < lo || v > hi)
		return -ERANGE;
	*out = v;
	return 0;
}

/* ---- one key ------------------------------------------------------------- */

enum key_flags {
	REPEATABLE = 1 << 0,
};

struct key {
	const char *name;
	int (*set)(const struct reader *r, struct vrrp_instance_conf *ic,
		   const struct kx_extra *e);
	unsigned int flags;
};

static int set_interface(const struct reader *r, struct vrrp_instance_conf *ic,
			 const struct kx_extra *e)
{
	if (!*e->value || strchr(e->value, ' ') ||
	    kx_snprintf(ic->interface, sizeof(ic->interface), "%s", e->value))
		return conf_error(r, e->line, "interface: bad name '%s'",
				  e->value);
	return 0;
}

static int set_vrid(const struct reader *r, struct vrrp_instance_conf *ic,
		    const struct kx_extra *e)
{
	long v;

	if (parse_int_range(e->value, 1, 255, &v))
		return conf_error(r, e->line, "virtual_router_id: bad value '%s' (1-255)",
				  e->value);
	ic->vrid = (uint8_t)v;
	return 0;
}

static int set_priority(const struct reader *r, struct vrrp_instance_conf *ic,
			const struct kx_extra *e)
{
	long v;

	if (parse_int_range(e->value, 1, 255, &v))
		return conf_error(r, e->line, "priority: bad value '%s' (1-255; 255 only on the owner of the addresses)",
				  e->value);
	ic->priority = (uint8_t)v;
	return 0;
}

static int set_advert_int(const struct reader *r, struct vrrp_instance_conf *ic,
			  const struct kx_extra *e)
{
	uint64_t ms;

	if (parse_time_ms(e->value, &ms) || ms < 10 ||
	    ms > VRRP_V3_MAX_INT_CS * 10ull || ms % 10)
		return conf_error(r, e->line, "advert_int: bad interval '%s' (10ms to 40.95s in steps of 10ms, e.g. 1s, 100ms, 0.05)",
				  e->value);
	ic->adver_int_cs = (uint16_t)(ms / 10);
	return 0;
}

static int set_version(const struct reader *r, struct vrrp_instance_conf *ic,
		       const struct kx_extra *e)
{
	long v;

	if (parse_int_range(e->value, 2, 3, &v))
		return conf_error(r, e->line, "version: bad value '%s' (2 or 3)",
				  e->value);
	ic->version = (uint8_t)v;
	return 0;
}

static const char *family_name(uint8_t family)
{
	return family == KHAXDP_AF_INET6 ? "IPv6" : "IPv4";
}

static int set_vip(const struct reader *r, struct vrrp_instance_conf *ic,
		   const struct kx_extra *e)
{
	struct vrrp_xvip vip;
	int err = parse_xvip(e->value, &vip);

	if (err == -ERANGE)
		return conf_error(r, e->line, "virtual_ipaddress: bad prefix in '%s' (1-32, IPv6 1-128)",
				  e->value);
	if (err)
		return conf_error(r, e->line, "virtual_ipaddress: bad address '%s' (expected IPv4[/PREFIX] or IPv6[/PREFIX])",
				  e->value);
	/* The first address decides the instance's family, as keepalived
	 * decides it: its adverts go over that family and list those. */
	if (!ic->n_vips)
		ic->family = vip.family;
	if (vip.family != ic->family)
		return conf_error(r, e->line, "virtual_ipaddress: %s is %s and the instance's first address is %s: an advert carries one family; give it as virtual_ipaddress_excluded (held with the instance, not advertised), as keepalived does",
				  e->value, family_name(vip.family),
				  family_name(ic->family));
	for (unsigned int i = 0; i < ic->n_vips; i++)
		if (!memcmp(&ic->vips[i].addr, &vip.addr, sizeof(vip.addr)))
			return conf_error(r, e->line, "virtual_ipaddress: %s given twice",
					  e->value);
	if (ic->n_vips == VRRP_MAX_ADDRS)
		return conf_error(r, e->line, "virtual_ipaddress: more than %d addresses",
				  VRRP_MAX_ADDRS);
	ic->vips[ic->n_vips++] = vip;
	return 0;
}

static int set_excluded(const struct reader *r, struct vrrp_instance_conf *ic,
			const struct kx_extra *e)
{
	struct vrrp_xvip x;
	int err = parse_xvip(e->value, &x);

	if (err == -ERANGE)
		return conf_error(r, e->line, "virtual_ipaddress_excluded: bad prefix in '%s' (1-32, IPv6 1-128)",
				  e->value);
	if (err)
		return conf_error(r, e->line, "virtual_ipaddress_excluded: bad address '%s' (expected IPv4[/PREFIX] or IPv6[/PREFIX])",
				  e->value);
	for (unsigned int i = 0; i < ic->n_excluded; i++)
		if (ic->excluded[i].family == x.family &&
		    !memcmp(&ic->excluded[i].addr, &x.addr, sizeof(x.addr)))
			return conf_error(r, e->line, "virtual_ipaddress_excluded: %s given twice",
					  e->value);
	for (unsigned int i = 0; i < ic->n_vips; i++)
		if (ic->vips[i].family == x.family &&
		    !memcmp(&ic->vips[i].addr, &x.addr, sizeof(x.addr)))
			return conf_error(r, e->line, "virtual_ipaddress_excluded: %s is a virtual_ipaddress too",
					  e->value);
	if (ic->n_excluded == VRRP_MAX_ADDRS)
		return conf_error(r, e->line, "virtual_ipaddress_excluded: more than %d addresses",
				  VRRP_MAX_ADDRS);
	ic->excluded[ic->n_excluded++] = x;
	return 0;
}

static int set_preempt(const struct reader *r, struct vrrp_instance_conf *ic,
		       const struct kx_extra *e)
{
	if (parse_bool(e->value, &ic->preempt))
		return conf_error(r, e->line, "preempt: bad value '%s' (yes or no)",
				  e->value);
	return 0;
}

static int set_preempt_delay(const struct reader *r,
			     struct vrrp_instance_conf *ic,
			     const struct kx_extra *e)
{
	uint64_t ms;

	if (parse_time_ms(e->value, &ms) || ms > 1000 * 1000)
		return conf_error(r, e->line, "preempt_delay: bad duration '%s' (0 to 1000s)",
				  e->value);
	ic->preempt_delay_ms = (uint32_t)ms;
	return 0;
}

static int set_garp_repeat(const struct reader *r,
			   struct vrrp_instance_conf *ic,
			   const struct kx_extra *e)
{
	long v;

	if (parse_int_range(e->value, 1, 255, &v))
		return conf_error(r, e->line, "garp_master_repeat: bad value '%s' (1-255)",
				  e->value);
	ic->garp_repeat = (uint32_t)v;
	return 0;
}

static int set_garp_delay(const struct reader *r, struct vrrp_instance_conf *ic,
			  const struct kx_extra *e)
{
	uint64_t ms;

	if (parse_time_ms(e->value, &ms) || ms > 3600 * 1000)
		return conf_error(r, e->line, "garp_master_delay: bad duration '%s' (0 to 1h; 0: no second burst)",
				  e->value);
	ic->garp_delay_ms = (uint32_t)ms;
	return 0;
}

/* "weight N", N in -254..254 as keepalived's track_script. */
static int set_track_dataplane(const struct reader *r,
			       struct vrrp_instance_conf *ic,
			       const struct kx_extra *e)
{
	char word[16], num[16], extra[2];
	long v;

	if (sscanf(e->value, "%15s %15s %1s", word, num, extra) != 2 ||
	    strcmp(word, "weight") || parse_int_range(num, -254, 254, &v))
		return conf_error(r, e->line, "track_dataplane: bad value '%s' (expected 'weight N', -254 <= N <= 254)",
				  e->value);
	ic->track_dataplane = true;
	ic->track_weight = (int)v;
	return 0;
}

/* An IPv4 or IPv6 address (the instance's family is checked once the
 * section is read). */
static int parse_ip(const char *s, struct vrrp_ip *ip)
{
	uint8_t a[16];
	uint32_t a4;

	if (inet_pton(AF_INET6, s, a) == 1) {
		*ip = vrrp_ip6(a);
		return 0;
	}
	if (parse_ipv4(s, &a4))
		return -EINVAL;
	*ip = vrrp_ip4(a4);
	return 0;
}

static int set_unicast_src(const struct reader *r,
			   struct vrrp_instance_conf *ic,
			   const struct kx_extra *e)
{
	if (parse_ip(e->value, &ic->unicast_src))
		return conf_error(r, e->line, "unicast_src_ip: bad address '%s' (IPv4 or IPv6)",
				  e->value);
	return 0;
}

static int set_unicast_peer(const struct reader *r,
			    struct vrrp_instance_conf *ic,
			    const struct kx_extra *e)
{
	struct vrrp_ip a;

	if (parse_ip(e->value, &a))
		return conf_error(r, e->line, "unicast_peer: bad address '%s' (IPv4 or IPv6)",
				  e->value);
	for (unsigned int i = 0; i < ic->n_peers; i++)
		if (vrrp_ip_eq(&ic->peers[i], &a))
			return conf_error(r, e->line, "unicast_peer: %s given twice",
					  e->value);
	if (ic->n_peers == VRRP_MAX_PEERS)
		return conf_error(r, e->line, "unicast_peer: more than %d peers",
				  VRRP_MAX_PEERS);
	ic->peers[ic->n_peers++] = a;
	return 0;
}

static int set_notify(const struct reader *r, struct vrrp_instance_conf *ic,
		      const struct kx_extra *e, enum vrrp_notify_kind kind)
{
	if (e->value[0] != '/')
		return conf_error(r, e->line, "%s: '%s' is not an absolute path (run without a shell: PATH [ARGS...])",
				  e->key, e->value);
	if (kx_snprintf(ic->notify[kind], sizeof(ic->notify[kind]), "%s",
			e->value))
		return conf_error(r, e->line, "%s: longer than %d characters",
				  e->key, VRRP_NOTIFY_LEN - 1);
	return 0;
}

static int set_notify_master(const struct reader *r,
			     struct vrrp_instance_conf *ic,
			     const struct kx_extra *e)
{
	return set_notify(r, ic, e, VRRP_NOTIFY_MASTER);
}

static int set_notify_backup(const struct reader *r,
			     struct vrrp_instance_conf *ic,
			     const struct kx_extra *e)
{
	return set_notify(r, ic, e, VRRP_NOTIFY_BACKUP);
}

static int set_notify_fault(const struct reader *r,
			    struct vrrp_instance_conf *ic,
			    const struct kx_extra *e)
{
	return set_notify(r, ic, e, VRRP_NOTIFY_FAULT);
}

static int set_notify_any(const struct reader *r, struct vrrp_instance_conf *ic,
			  const struct kx_extra *e)
{
	return set_notify(r, ic, e, VRRP_NOTIFY_ANY);
}

static int set_auth_pass(const struct reader *r, struct vrrp_instance_conf *ic,
			 const struct kx_extra *e)
{
	size_t len = strlen(e->value);

	if (len < 1 || len > VRRP_AUTH_LEN)
		return conf_error(r, e->line, "auth_pass: 1 to %d characters (keepalived uses only the first %d)",
				  VRRP_AUTH_LEN, VRRP_AUTH_LEN);
	memset(ic->auth_pass, 0, sizeof(ic->auth_pass));
	memcpy(ic->auth_pass, e->value, len);
	ic->has_auth = true;
	return 0;
}

static int set_csum(const struct reader *r, struct vrrp_instance_conf *ic,
		    const struct kx_extra *e)
{
	if (!strcmp(e->value, "pseudo"))
		ic->csum_form = VRRP_CSUM_PSEUDO;
	else if (!strcmp(e->value, "nopseudo"))
		ic->csum_form = VRRP_CSUM_NOPSEUDO;
	else
		return conf_error(r, e->line, "v3_checksum: bad value '%s' (pseudo or nopseudo)",
				  e->value);
	return 0;
}

static const struct key keys[] = {
	{ "interface",		set_interface,		0 },
	{ "virtual_router_id",	set_vrid,		0 },
	{ "priority",		set_priority,		0 },
	{ "advert_int",		set_advert_int,		0 },
	{ "version",		set_version,		0 },
	{ "virtual_ipaddress",	set_vip,		REPEATABLE },
	{ "virtual_ipaddress_excluded", set_excluded,	REPEATABLE },
	{ "preempt",		set_preempt,		0 },
	{ "preempt_delay",	set_preempt_delay,	0 },
	{ "garp_master_repeat",	set_garp_repeat,	0 },
	{ "garp_master_delay",	set_garp_delay,		0 },
	{ "track_dataplane",	set_track_dataplane,	0 },
	{ "unicast_src_ip",	set_unicast_src,	0 },
	{ "unicast_peer",	set_unicast_peer,	REPEATABLE },
	{ "notify_master",	set_notify_master,	0 },
	{ "notify_backup",	set_notify_backup,	0 },
	{ "notify_fault",	set_notify_fault,	0 },
	{ "notify",		set_notify_any,		0 },
	{ "auth_pass",		set_auth_pass,		0 },
	{ "v3_checksum",	set_csum,		0 },
};

/* Bits of the keys given in each instance, to spot duplicates. */
static unsigned int *seen_keys(struct reader *r,
			       const struct vrrp_instance_conf *ic)
{
	return &r->seen[ic - r->out->inst];
}

static int apply_key(struct reader *r, struct vrrp_instance_conf *ic,
		     const struct kx_extra *e)
{
	unsigned int *seen = seen_keys(r, ic);

	for (unsigned int i = 0; i < KX_ARRAY_SIZE(keys); i++) {
		if (strcmp(e->key, keys[i].name))
			continue;
		if (!(keys[i].flags & REPEATABLE) && (*seen & (1u << i)))
			return conf_error(r, e->line, "duplicate key '%s'",
					  e->key);
		*seen |= 1u << i;
		return keys[i].set(r, ic, e);
	}
	if (!strcmp(e->key, "state")) {
		/* Accepted so a keepalived.conf carries over word by word. */
		if (strcmp(e->value, "MASTER") && strcmp(e->value, "BACKUP"))
			return conf_error(r, e->line, "state: bad value '%s' (MASTER or BACKUP, and ignored)",
					  e->value);
		kx_warn("%s:%d: state is ignored: every instance starts as BACKUP and the highest priority wins after one Master_Down_Interval",
			r->kc->path, e->line);
		return 0;
	}
	if (!strcmp(e->key, "nopreempt"))
		return conf_error(r, e->line, "nopreempt: write 'preempt = no'");
	return conf_error(r, e->line, "unknown key '%s' in [vrrp %s]", e->key,
			  ic->name);
}

/* ---- sections ------------------------------------------------------------ */

static void instance_defaults(struct vrrp_instance_conf *ic, const char *name,
			      int line, const struct kx_config *kc)
{
	memset(ic, 0, sizeof(*ic));
	snprintf(ic->name, sizeof(ic->name), "%s", name);
	ic->line = line;
	snprintf(ic->interface, sizeof(ic->interface), "%s", kc->interface);
	ic->priority = VRRP_DEFAULT_PRIORITY;
	ic->version = VRRP_DEFAULT_VERSION;
	ic->adver_int_cs = VRRP_DEFAULT_INT_CS;
	ic->preempt = true;
	ic->garp_repeat = VRRP_DEFAULT_GARP_REPEAT;
	ic->garp_delay_ms = VRRP_DEFAULT_GARP_DELAY_MS;
	ic->csum_form = VRRP_CSUM_PSEUDO;
}

/* The instance a key belongs to; NULL (and an error) on a bad name. */
static struct vrrp_instance_conf *instance_for(struct reader *r,
					       const struct kx_extra *e,
					       const char *name)
{
	struct vrrp_config *out = r->out;

	for (unsigned int i = 0; i < out->n; i++)
		if (!strcmp(out->inst[i].name, name))
			return &out->inst[i];
	if (!*name) {
		conf_error(r, e->line, "[vrrp] needs a name: [vrrp NAME]");
		return NULL;
	}
	if (!kx_valid_name(name)) {
		conf_error(r, e->line, "vrrp: bad name '%s' (1-%d of A-Z a-z 0-9 _ . -)",
			   name, KHAXDP_NAME_LEN - 1);
		return NULL;
	}
	if (out->n == VRRP_MAX_INSTANCES) {
		conf_error(r, e->line, "more than %d [vrrp] sections",
			   VRRP_MAX_INSTANCES);
		return NULL;
	}
	instance_defaults(&out->inst[out->n], name, e->line, r->kc);
	return &out->inst[out->n++];
}

/* "vrrp VI_1" -> "VI_1"; NULL if the section is not a [vrrp ...]. */
static const char *vrrp_section_name(const char *section)
{
	if (!strcmp(section, "vrrp"))
		return "";
	if (!strncmp(section, "vrrp ", 5))
		return section + 5;
	return NULL;
}

static int check_instance(const struct reader *r,
			  const struct vrrp_instance_conf *ic)
{
	if (!ic->interface[0])
		return conf_error(r, ic->line, "[vrrp %s]: no 'interface' (here or in [global])",
				  ic->name);
	if (!ic->vrid)
		return conf_error(r, ic->line, "[vrrp %s]: no 'virtual_router_id = 1-255'",
				  ic->name);
	if (!ic->n_vips)
		return conf_error(r, ic->line, "[vrrp %s]: no 'virtual_ipaddress = ADDRESS/PREFIX'",
				  ic->name);
	if (ic->family == KHAXDP_AF_INET6 && ic->version != 3)
		return conf_error(r, ic->line, "[vrrp %s]: an IPv6 instance needs version 3 (VRRP v2 is IPv4 only)",
				  ic->name);
	for (unsigned int i = 0; i < ic->n_peers; i++)
		if (ic->peers[i].family != ic->family)
			return conf_error(r, ic->line, "[vrrp %s]: unicast_peer %u is %s and the instance %s: a peer is of the instance's family",
					  ic->name, i + 1,
					  family_name(ic->peers[i].family),
					  family_name(ic->family));
	if (ic->unicast_src.family && ic->unicast_src.family != ic->family)
		return conf_error(r, ic->line, "[vrrp %s]: unicast_src_ip is %s and the instance %s",
				  ic->name, family_name(ic->unicast_src.family),
				  family_name(ic->family));
	if (ic->version == 2 &&
	    (ic->adver_int_cs % 100 || ic->adver_int_cs > V2_MAX_INT_S * 100))
		return conf_error(r, ic->line, "[vrrp %s]: version 2 needs advert_int in whole seconds (1-255s); sub-second intervals need version 3",
				  ic->name);
	if (ic->version == 3 && ic->has_auth)
		return conf_error(r, ic->line, "[vrrp %s]: auth_pass needs version 2 (VRRPv3 has no authentication)",
				  ic->name);
	if (ic->unicast_src.family && !ic->n_peers)
		return conf_error(r, ic->line, "[vrrp %s]: unicast_src_ip without unicast_peer",
				  ic->name);
	return 0;
}

static int check_all(const struct reader *r)
{
	const struct vrrp_config *out = r->out;
	int err;

	for (unsigned int i = 0; i < out->n; i++) {
		const struct vrrp_instance_conf *ic = &out->inst[i];

		err = check_instance(r, ic);
		if (err)
			return err;
		for (unsigned int j = 0; j < i; j++)
			if (out->inst[j].vrid == ic->vrid &&
			    !strcmp(out->inst[j].interface, ic->interface))
				return conf_error(r, ic->line, "[vrrp %s]: virtual_router_id %u on %s already used by [vrrp %s]",
						  ic->name, ic->vrid,
						  ic->interface,
						  out->inst[j].name);
	}
	return 0;
}

/* ---- [sync] ------------------------------------------------------------------ */

static int add_peer(const struct reader *r, int line, struct vrrp_sync_conf *s,
		    const struct vrrp_ip *addr)
{
	for (unsigned int i = 0; i < s->n_peers; i++)
		if (vrrp_ip_eq(&s->peers[i], addr))
			return 0;
	if (s->n_peers == VRRP_MAX_PEERS)
		return conf_error(r, line, "sync: more than %d peers",
				  VRRP_MAX_PEERS);
	s->peers[s->n_peers++] = *addr;
	return 0;
}

/* A sync peer's address: IPv4 or a global (or unique local) IPv6 one. A
 * link-local address would need the interface beside it, and the nodes
 * have an address of the segment anyway. */
static int parse_sync_peer(const struct reader *r, int line, const char *word,
			   struct vrrp_ip *ip)
{
	struct in6_addr a6;

	if (parse_ip(word, ip))
		return conf_error(r, line, "sync: peers: '%s' is not an IPv4 or IPv6 address",
				  word);
	memcpy(&a6, ip->a, sizeof(a6));		/* aligned */
	if (ip->family == AF_INET6 &&
	    (IN6_IS_ADDR_LINKLOCAL(&a6) || IN6_IS_ADDR_MULTICAST(&a6) ||
	     IN6_IS_ADDR_UNSPECIFIED(&a6) || IN6_IS_ADDR_LOOPBACK(&a6)))
		return conf_error(r, line, "sync: peers: %s is not a node's address on the segment (give its global IPv6 address)",
				  word);
	if (ip->family == AF_INET && (vrrp_ip_v4(ip) == INADDR_ANY ||
				      IN_MULTICAST(ntohl(vrrp_ip_v4(ip)))))
		return conf_error(r, line, "sync: peers: %s is not a node's address",
				  word);
	return 0;
}

/* The key file: its bytes, without a final newline; 16-128 of them. */
static int read_key(const struct reader *r, int line, struct vrrp_sync_conf *s)
{
	FILE *f = fopen(s->key_file, "re");
	size_t n;
	int c;

	if (!f)
		return conf_error(r, line, "sync: key_file %s: %s", s->key_file,
				  strerror(errno));
	n = fread(s->key.key, 1, sizeof(s->key.key), f);
	c = fgetc(f);
	fclose(f);
	while (n && (s->key.key[n - 1] == '\n' || s->key.key[n - 1] == '\r'))
		n--;
	if (c != EOF || n < SYNC_KEY_MIN)
		return conf_error(r, line, "sync: key_file %s: the key must be %d to %d bytes (e.g. head -c 32 /dev/urandom | base64 > FILE)",
				  s->key_file, SYNC_KEY_MIN, SYNC_KEY_MAX);
	s->key.len = n;
	return 0;
}

static int sync_ms(const struct reader *r, const struct kx_extra *e,
		   uint64_t min, uint64_t max, uint32_t *out)
{
	uint64_t ms;

	if (parse_time_ms(e->value, &ms) || ms < min || ms > max)
		return conf_error(r, e->line, "sync: %s: bad value '%s' (%llums to %llus)",
				  e->key, e->value, (unsigned long long)min,
				  (unsigned long long)(max / 1000));
	*out = (uint32_t)ms;
	return 0;
}

static int sync_key(const struct reader *r, struct vrrp_sync_conf *s,
		    const struct kx_extra *e)
{
	char word[64];
	const char *p;
	int n, err;
	struct vrrp_ip a;
	unsigned long port;
	char *end;

	if (!s->line)
		s->line = e->line;
	if (!strcmp(e->key, "enabled")) {
		bool on;

		if (!strcmp(e->value, "auto"))
			s->mode = VRRP_SYNC_AUTO;
		else if (!parse_bool(e->value, &on))
			s->mode = on ? VRRP_SYNC_ON : VRRP_SYNC_OFF;
		else
			return conf_error(r, e->line, "sync: enabled: bad value '%s' (auto, yes or no)",
					  e->value);
		return 0;
	}
	if (!strcmp(e->key, "peers") || !strcmp(e->key, "peer")) {
		s->peers_given = true;
		for (p = e->value; sscanf(p, "%63s%n", word, &n) == 1; p += n) {
			err = parse_sync_peer(r, e->line, word, &a);
			if (!err)
				err = add_peer(r, e->line, s, &a);
			if (err)
				return err;
		}
		return 0;
	}
	if (!strcmp(e->key, "port")) {
		errno = 0;
		port = strtoul(e->value, &end, 10);
		if (errno || *end || port < 1 || port > 65535)
			return conf_error(r, e->line, "sync: port: bad value '%s' (1-65535)",
					  e->value);
		s->port = (uint16_t)port;
		return 0;
	}
	if (!strcmp(e->key, "key_file")) {
		if (e->value[0] != '/')
			return conf_error(r, e->line, "sync: key_file needs an absolute path");
		snprintf(s->key_file, sizeof(s->key_file), "%s", e->value);
		return read_key(r, e->line, s);
	}
	if (!strcmp(e->key, "state_file")) {
		if (e->value[0] != '/')
			return conf_error(r, e->line, "sync: state_file needs an absolute path");
		snprintf(s->state_file, sizeof(s->state_file), "%s", e->value);
		return 0;
	}
	if (!strcmp(e->key, "batch_delay"))
		return sync_ms(r, e, 1, 1000, &s->batch_ms);
	if (!strcmp(e->key, "snapshot_interval"))
		return sync_ms(r, e, 100, 5000, &s->snapshot_ms);
	return conf_error(r, e->line, "unknown key '%s' in [sync]", e->key);
}

/* Resolve the defaults once every key is read: on with a dsr service,
 * its servers as the peers. */
static int sync_finish(const struct reader *r, struct vrrp_sync_conf *s)
{
	const struct kx_config *kc = r->kc;
	bool dsr = false, dsr4 = false;
	struct vrrp_ip a;
	int err;

	for (unsigned int i = 0; i < kc->n_services; i++) {
		dsr |= kc->services[i].mode == KHAXDP_MODE_DSR;
		dsr4 |= kc->services[i].mode == KHAXDP_MODE_DSR &&
			kc->services[i].listen.family == KHAXDP_AF_INET;
	}
	for (unsigned int i = 0; !s->peers_given && i < kc->n_services; i++) {
		const struct kx_service *svc = &kc->services[i];

		/* The nodes are peers by their IPv4 addresses when a dsr
		 * service is IPv4 (a dual-stack cluster's IPv6 servers are the
		 * same nodes: each message once), else by their IPv6 ones. */
		if (svc->mode != KHAXDP_MODE_DSR ||
		    (dsr4 && svc->listen.family != KHAXDP_AF_INET))
			continue;
		for (unsigned int j = 0; j < svc->n_servers; j++) {
			const struct kx_endpoint *ep = &svc->servers[j].ep;

			a = ep->family == KHAXDP_AF_INET6 ? vrrp_ip6(&ep->addr) :
							    vrrp_ip4(ep->addr.v4);
			err = add_peer(r, svc->line, s, &a);
			if (err)
				return err;
		}
	}
	s->enabled = s->mode == VRRP_SYNC_ON || (s->mode == VRRP_SYNC_AUTO && dsr);
	if (s->enabled && !s->n_peers)
		return conf_error(r, s->line ? s->line : 1, "sync: no peers: give 'peers = ADDR ...' in [sync], or a [service] with mode = dsr");
	return 0;
}

static bool is_service_vip(const struct vrrp_config *c, uint8_t family,
			   const union khaxdp_addr *a)
{
	if (family == KHAXDP_AF_INET6) {
		for (unsigned int j = 0; j < c->n_service_vips6; j++)
			if (!memcmp(&c->service_vips6[j], a, sizeof(*a)))
				return true;
		return false;
	}
	for (unsigned int j = 0; j < c->n_service_vips; j++)
		if (a->v4 == c->service_vips[j])
			return true;
	return false;
}

bool vrrp_conf_carries_service(const struct vrrp_config *c,
			       const struct vrrp_instance_conf *ic,
			       uint8_t family)
{
	for (unsigned int i = 0; i < ic->n_vips; i++)
		if (ic->vips[i].family == family &&
		    is_service_vip(c, family, &ic->vips[i].addr))
			return true;
	for (unsigned int i = 0; i < ic->n_excluded; i++)
		if (ic->excluded[i].family == family &&
		    is_service_vip(c, family, &ic->excluded[i].addr))
			return true;
	return false;
}

int vrrp_conf_from(const struct kx_config *kc, struct vrrp_config *out)
{
	struct reader r = { .kc = kc, .out = out };
	struct vrrp_instance_conf *ic;
	const char *name;
	int err;

	memset(out, 0, sizeof(*out));
	snprintf(out->path, sizeof(out->path), "%s", kc->path);
	snprintf(out->bpffs, sizeof(out->bpffs), "%s", kc->bpffs);
	for (unsigned int i = 0; i < kc->n_services &&
			     out->n_service_vips < KHAXDP_MAX_SERVICES; i++)
		if (kc->services[i].listen.family == KHAXDP_AF_INET)
			out->service_vips[out->n_service_vips++] =
				kc->services[i].listen.addr.v4;
		else
			out->service_vips6[out->n_service_vips6++] =
				kc->services[i].listen.addr;
	out->sync.port = SYNC_DEFAULT_PORT;
	out->sync.batch_ms = SYNC_DEFAULT_BATCH_MS;
	out->sync.snapshot_ms = SYNC_DEFAULT_SNAPSHOT_MS;
	snprintf(out->sync.state_file, sizeof(out->sync.state_file), "%s",
		 KX_SYNC_STATE_FILE);
	for (size_t i = 0; i < kc->n_extra; i++) {
		const struct kx_extra *e = &kc->extra[i];

		if (!strcmp(e->section, "sync")) {
			err = sync_key(&r, &out->sync, e);
			if (err)
				return err;
			continue;
		}
		name = vrrp_section_name(e->section);
		if (!name)
			continue;	/* [stats] and others: not ours */
		ic = instance_for(&r, e, name);
		if (!ic)
			return -EINVAL;
		err = apply_key(&r, ic, e);
		if (err)
			return err;
	}
	if (!out->n)
		return kx_fail(-EINVAL, "%s: no [vrrp NAME] section", kc->path);
	return check_all(&r) ?: sync_finish(&r, &out->sync);
}

int vrrp_conf_load(const char *path, struct vrrp_config *out)
{
	struct kx_config kc;
	int err;

	err = kx_config_load(&kc, path);
	if (!err)
		err = vrrp_conf_from(&kc, out);
	kx_config_free(&kc);
	return err;
}

bool vrrp_conf_same_identity(const struct vrrp_instance_conf *a,
			     const struct vrrp_instance_conf *b)
{
	return !strcmp(a->interface, b->interface) && a->vrid == b->vrid &&
	       a->version == b->version && a->n_vips == b->n_vips &&
	       !memcmp(a->vips, b->vips, a->n_vips * sizeof(a->vips[0])) &&
	       a->n_excluded == b->n_excluded &&
	       !memcmp(a->excluded, b->excluded,
		       a->n_excluded * sizeof(a->excluded[0])) &&
	       vrrp_ip_eq(&a->unicast_src, &b->unicast_src) &&
	       a->n_peers == b->n_peers &&
	       !memcmp(a->peers, b->peers, a->n_peers * sizeof(a->peers[0])) &&
	       a->has_auth == b->has_auth &&
	       !memcmp(a->auth_pass, b->auth_pass, sizeof(a->auth_pass)) &&
	       a->csum_form == b->csum_form;
}
