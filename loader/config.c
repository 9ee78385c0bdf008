// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * config.c - parse khaxdp.conf with libinih.
 *
 * Debian's inih 55 is built without INI_HANDLER_LINENO and only knows ';'
 * as an inline comment, so the file is fed to ini_parse_stream() through
 * our own line reader. The reader counts lines (the handler runs for the
 * line the reader returned last, so the count is the handler's line),
 * strips '#' and ';' comments and leading blanks (which would otherwise
 * make inih treat a line as a continuation), and sees section headers
 * first, so an empty [service X] still has a line number.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "util.h"

enum section_kind {
	SECTION_NONE,
	SECTION_GLOBAL,
	SECTION_SERVICE,
	SECTION_STATS,
	SECTION_OTHER,
};

enum global_key {
	GKEY_INTERFACE	= 1 << 0,
	GKEY_SNAT_PORTS	= 1 << 1,
	GKEY_MAX_FLOWS	= 1 << 2,
	GKEY_BPFFS	= 1 << 3,
	GKEY_SOCKET_LB	= 1 << 4,
	GKEY_CGROUP	= 1 << 5,
	GKEY_MAX_HALF_OPEN = 1 << 6,
	GKEY_HALF_OPEN_PER_SOURCE = 1 << 7,
	GKEY_CONNECT_TIMEOUT = 1 << 8,
	GKEY_SNAT_ADDRESS = 1 << 9,
};

enum service_key {
	SKEY_LISTEN	= 1 << 0,
	SKEY_MODE	= 1 << 1,
	SKEY_BALANCE	= 1 << 2,
	SKEY_TIMEOUT	= 1 << 3,
	SKEY_CHECK	= 1 << 4,
	SKEY_INTER	= 1 << 5,
	SKEY_RISE	= 1 << 6,
	SKEY_FALL	= 1 << 7,
	SKEY_CHECK_TIMEOUT = 1 << 8,
	SKEY_START	= 1 << 9,
};

enum stats_key {
	TKEY_LISTEN	= 1 << 0,
	TKEY_URI	= 1 << 1,
	TKEY_AUTH	= 1 << 2,
};

struct parser {
	struct kx_config *cfg;
	const char *name;		/* file name, for messages */
	FILE *file;			/* source: a file ... */
	const char *text;		/* ... or a string */
	char *line;			/* getline() buffer */
	size_t line_cap;
	int lineno;			/* line last handed to inih */

	enum section_kind kind;
	struct kx_service *service;	/* when kind == SECTION_SERVICE */
	char section[264];		/* when kind == SECTION_OTHER */
	unsigned int global_seen;
	unsigned int service_seen[KHAXDP_MAX_SERVICES];
	unsigned int stats_seen;

	int err_line;			/* first problem we found, 0: none */
	char err[256];
};

static int parser_error(struct parser *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int parser_error(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->err_line)
		return 0;
	p->err_line = p->lineno ? p->lineno : 1;
	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	return 0;	/* what an inih handler returns on error */
}

/* ---- value parsers ---------------------------------------------------- */

int kx_parse_u32(const char *s, uint32_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno == ERANGE || v > UINT32_MAX)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

int kx_parse_port(const char *s, uint16_t *port)
{
	uint32_t v;
	int err;

	err = kx_parse_u32(s, &v);
	if (err)
		return err;
	if (v < 1 || v > 65535)
		return -ERANGE;
	*port = (uint16_t)v;
	return 0;
}

int kx_parse_port_range(const char *s, uint16_t *min, uint16_t *max)
{
	char buf[32];
	char *dash;
	uint16_t lo, hi;

	if (kx_snprintf(buf, sizeof(buf), "%s", s))
		return -EINVAL;
	dash = strchr(buf, '-');
	if (!dash)
		return -EINVAL;
	*dash = '\0';
	if (kx_parse_port(buf, &lo) || kx_parse_port(dash + 1, &hi))
		return -EINVAL;
	if (lo > hi)
		return -ERANGE;
	*min = lo;
	*max = hi;
	return 0;
}

int kx_parse_duration_ms(const char *s, uint64_t *ms)
{
	static const struct {
		const char *suffix;
		uint64_t ms;
	} units[] = {
		{ "", 1000 }, { "s", 1000 }, { "ms", 1 },
		{ "m", 60 * 1000 }, { "h", 3600 * 1000 },
	};
	unsigned long long v;
	char *end;
	size_t i;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	for (i = 0; i < KX_ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].suffix))
			continue;
		if (v > UINT64_MAX / units[i].ms)
			return -ERANGE;
		*ms = v * units[i].ms;
		return 0;
	}
	return -EINVAL;
}

bool kx_valid_name(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len >= KHAXDP_NAME_LEN)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_.-", *s))
			return false;
	return true;
}

int kx_parse_endpoint(const char *s, struct kx_endpoint *ep)
{
	char buf[64];
	char *colon, *host = buf;
	struct in6_addr in6;
	struct in_addr in;

	if (kx_snprintf(buf, sizeof(buf), "%s", s))
		return -EINVAL;
	colon = strrchr(buf, ':');
	if (!colon)
		return -EINVAL;
	*colon = '\0';
	memset(ep, 0, sizeof(*ep));
	if (buf[0] == '[') {		/* [IPv6]:PORT, as URLs write it */
		if (colon == buf || colon[-1] != ']')
			return -EINVAL;
		colon[-1] = '\0';
		host = buf + 1;
		if (inet_pton(AF_INET6, host, &in6) != 1)
			return -EINVAL;
		ep->family = KHAXDP_AF_INET6;
		memcpy(ep->addr.v6, &in6, sizeof(ep->addr.v6));
	} else {
		if (inet_pton(AF_INET, host, &in) != 1)
			return -EINVAL;
		ep->family = KHAXDP_AF_INET;
		ep->addr.v4 = in.s_addr;
	}
	return kx_parse_port(colon + 1, &ep->port) ? -ERANGE : 0;
}

int kx_parse_listen(const char *s, struct kx_endpoint *ep)
{
	char buf[64];

	if (s[0] == ':' || (s[0] == '*' && s[1] == ':')) {
		if (kx_snprintf(buf, sizeof(buf), "0.0.0.0%s", strchr(s, ':')))
			return -EINVAL;
		return kx_parse_endpoint(buf, ep);
	}
	return kx_parse_endpoint(s, ep);
}

/* A path that goes into a request line as it is: no blank, no control
 * character (which could smuggle a header), starting with '/'. */
static bool valid_http_path(const char *s)
{
	if (s[0] != '/' || strlen(s) >= KX_CHECK_PATH_LEN)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
			return false;
	return true;
}

int kx_parse_check(const char *s, struct kx_check *check)
{
	char kind[16], path[KX_CHECK_PATH_LEN + 1], extra[2];
	int n;

	n = sscanf(s, "%15s %128s %1s", kind, path, extra);
	if (n == 1 && !strcmp(kind, "tcp"))
		check->kind = KX_CHECK_TCP;
	else if (n == 1 && !strcmp(kind, "none"))
		check->kind = KX_CHECK_NONE;
	else if (n == 2 && !strcmp(kind, "https") && valid_http_path(path))
		check->kind = KX_CHECK_HTTPS;
	else
		return -EINVAL;
	snprintf(check->path, sizeof(check->path), "%s",
		 check->kind == KX_CHECK_HTTPS ? path : "");
	return 0;
}

const char *kx_check_kind_str(enum kx_check_kind kind)
{
	switch (kind) {
	case KX_CHECK_NONE:
		return "none";
	case KX_CHECK_TCP:
		return "tcp";
	case KX_CHECK_HTTPS:
		return "https";
	}
	return "?";
}

const char *kx_endpoint_str(const struct kx_endpoint *ep, char *buf,
			    size_t len)
{
	char ip[INET6_ADDRSTRLEN] = "?";

	if (ep->family == KHAXDP_AF_INET)
		inet_ntop(AF_INET, &ep->addr.v4, ip, sizeof(ip));
	else if (ep->family == KHAXDP_AF_INET6)
		inet_ntop(AF_INET6, ep->addr.v6, ip, sizeof(ip));
	snprintf(buf, len, ep->family == KHAXDP_AF_INET6 ? "[%s]:%u" : "%s:%u",
		 ip, ep->port);
	return buf;
}

unsigned int kx_endpoint_sockaddr(const struct kx_endpoint *ep,
				  struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ep->family == KHAXDP_AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(ep->port);
		memcpy(&s6->sin6_addr, &ep->addr, sizeof(s6->sin6_addr));
		return sizeof(*s6);
	}
	((struct sockaddr_in *)ss)->sin_family = AF_INET;
	((struct sockaddr_in *)ss)->sin_port = htons(ep->port);
	((struct sockaddr_in *)ss)->sin_addr.s_addr = ep->addr.v4;
	return sizeof(struct sockaddr_in);
}

bool kx_endpoint_equal(const struct kx_endpoint *a,
		       const struct kx_endpoint *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(&a->addr, &b->addr, sizeof(a->addr));
}

/* The messages of kx_parse_endpoint's two failures. */
static int endpoint_error(struct parser *p, const char *key, const char *value,
			  int err)
{
	if (err == -ERANGE)
		return parser_error(p, "%s: bad port in '%s' (1-65535)", key,
				    value);
	return parser_error(p, "%s: bad address '%s' (expected IPv4:PORT or [IPv6]:PORT)",
			    key, value);
}

/* ---- [global] ----------------------------------------------------------- */

static bool seen_once(struct parser *p, unsigned int *seen, unsigned int bit,
		      const char *key)
{
	if (*seen & bit) {
		parser_error(p, "duplicate key '%s'", key);
		return false;
	}
	*seen |= bit;
	return true;
}

static int global_key(struct parser *p, const char *key, const char *value)
{
	struct kx_config *cfg = p->cfg;
	uint32_t v;
	int err;

	if (!strcmp(key, "interface")) {
		if (!seen_once(p, &p->global_seen, GKEY_INTERFACE, key))
			return 0;
		if (!*value || kx_snprintf(cfg->interface,
					   sizeof(cfg->interface), "%s", value))
			return parser_error(p, "interface: bad name '%s'", value);
	} else if (!strcmp(key, "snat_ports")) {
		if (!seen_once(p, &p->global_seen, GKEY_SNAT_PORTS, key))
			return 0;
		err = kx_parse_port_range(value, &cfg->snat_min, &cfg->snat_max);
		if (err)
			return parser_error(p, "snat_ports: bad range '%s' (expected MIN-MAX, 1 <= MIN <= MAX <= 65535)",
					    value);
	} else if (!strcmp(key, "max_flows")) {
		if (!seen_once(p, &p->global_seen, GKEY_MAX_FLOWS, key))
			return 0;
		if (kx_parse_u32(value, &v) || v < 1 || v > KX_MAX_FLOWS_LIMIT)
			return parser_error(p, "max_flows: bad value '%s' (1-%u)",
					    value, KX_MAX_FLOWS_LIMIT);
		cfg->max_flows = v;
	} else if (!strcmp(key, "snat_address")) {
		if (!seen_once(p, &p->global_seen, GKEY_SNAT_ADDRESS, key))
			return 0;
		if (!strcmp(value, "vip"))
			cfg->snat_address = KX_SNAT_VIP;
		else if (!strcmp(value, "node"))
			cfg->snat_address = KX_SNAT_NODE;
		else
			return parser_error(p, "snat_address: '%s' is not vip or node",
					    value);
	} else if (!strcmp(key, "max_half_open")) {
		if (!seen_once(p, &p->global_seen, GKEY_MAX_HALF_OPEN, key))
			return 0;
		if (kx_parse_u32(value, &v) || v < 1 || v > KX_MAX_FLOWS_LIMIT)
			return parser_error(p, "max_half_open: bad value '%s' (1-%u)",
					    value, KX_MAX_FLOWS_LIMIT);
		cfg->max_half_open = v;
	} else if (!strcmp(key, "half_open_per_source")) {
		if (!seen_once(p, &p->global_seen, GKEY_HALF_OPEN_PER_SOURCE,
			       key))
			return 0;
		if (!strcmp(value, "off"))
			v = 0;
		else if (kx_parse_u32(value, &v) || v < 1 ||
			 v > KX_MAX_FLOWS_LIMIT)
			return parser_error(p, "half_open_per_source: bad value '%s' (1-%u, or off)",
					    value, KX_MAX_FLOWS_LIMIT);
		cfg->half_open_per_source = v;
	} else if (!strcmp(key, "connect_timeout")) {
		uint64_t ms;

		if (!seen_once(p, &p->global_seen, GKEY_CONNECT_TIMEOUT, key))
			return 0;
		if (kx_parse_duration_ms(value, &ms) || ms < 1000 ||
		    ms > KX_CONNECT_TIMEOUT_MAX_S * 1000ULL)
			return parser_error(p, "connect_timeout: bad duration '%s' (1s-%us)",
					    value, KX_CONNECT_TIMEOUT_MAX_S);
		cfg->connect_timeout_s = (uint32_t)((ms + 999) / 1000);
	} else if (!strcmp(key, "bpffs")) {
		if (!seen_once(p, &p->global_seen, GKEY_BPFFS, key))
			return 0;
		if (value[0] != '/' ||
		    kx_snprintf(cfg->bpffs, sizeof(cfg->bpffs), "%s", value))
			return parser_error(p, "bpffs: '%s' is not an absolute path",
					    value);
	} else if (!strcmp(key, "socket_lb")) {
		if (!seen_once(p, &p->global_seen, GKEY_SOCKET_LB, key))
			return 0;
		if (!strcmp(value, "local"))
			cfg->socket_lb = KX_SOCKET_LB_LOCAL;
		else if (!strcmp(value, "all"))
			cfg->socket_lb = KX_SOCKET_LB_ALL;
		else if (!strcmp(value, "off"))
			cfg->socket_lb = KX_SOCKET_LB_OFF;
		else
			return parser_error(p, "socket_lb: '%s' is not local, all or off",
					    value);
	} else if (!strcmp(key, "cgroup")) {
		if (!seen_once(p, &p->global_seen, GKEY_CGROUP, key))
			return 0;
		if (value[0] != '/' ||
		    kx_snprintf(cfg->cgroup, sizeof(cfg->cgroup), "%s", value))
			return parser_error(p, "cgroup: '%s' is not an absolute path",
					    value);
	} else {
		return parser_error(p, "unknown key '%s' in [global]", key);
	}
	return 1;
}

/* ---- [service NAME] ----------------------------------------------------- */

static int service_server(struct parser *p, struct kx_service *svc,
			  const char *value)
{
	char name[128], addr[128], extra[2];
	struct kx_server *srv;
	unsigned int i;
	int n, err;

	n = sscanf(value, "%127s %127s %1s", name, addr, extra);
	if (n != 2)
		return parser_error(p, "server: expected 'NAME IP:PORT', got '%s'",
				    value);
	if (!kx_valid_name(name))
		return parser_error(p, "server: bad name '%s' (1-%d of A-Z a-z 0-9 _ . -)",
				    name, KHAXDP_NAME_LEN - 1);
	if (svc->n_servers == KHAXDP_MAX_SERVICE_BACKENDS)
		return parser_error(p, "service %s: more than %d servers",
				    svc->name, KHAXDP_MAX_SERVICE_BACKENDS);
	if (kx_config_backend_count(p->cfg) == KHAXDP_MAX_BACKENDS)
		return parser_error(p, "more than %d servers in all services",
				    KHAXDP_MAX_BACKENDS);

	srv = &svc->servers[svc->n_servers];
	memset(srv, 0, sizeof(*srv));
	err = kx_parse_endpoint(addr, &srv->ep);
	if (err)
		return endpoint_error(p, "server", addr, err);
	for (i = 0; i < svc->n_servers; i++) {
		if (!strcmp(svc->servers[i].name, name))
			return parser_error(p, "duplicate server name '%s' (line %d)",
					    name, svc->servers[i].line);
		if (kx_endpoint_equal(&svc->servers[i].ep, &srv->ep))
			return parser_error(p, "duplicate server address %s (line %d)",
					    addr, svc->servers[i].line);
	}
	strcpy(srv->name, name);
	srv->line = p->lineno;
	svc->n_servers++;
	return 1;
}

/* inter, check_timeout: KX_CHECK_MIN_MS .. KX_CHECK_MAX_MS. */
static int check_duration(struct parser *p, const char *key, const char *value,
			  uint32_t *out)
{
	uint64_t ms;

	if (kx_parse_duration_ms(value, &ms) || ms < KX_CHECK_MIN_MS ||
	    ms > KX_CHECK_MAX_MS)
		return parser_error(p, "%s: bad duration '%s' (10ms to 1h, e.g. 2s, 500ms)",
				    key, value);
	*out = (uint32_t)ms;
	return 1;
}

static int check_count(struct parser *p, const char *key, const char *value,
		       uint32_t *out)
{
	uint32_t v;

	if (kx_parse_u32(value, &v) || v < 1 || v > KX_CHECK_MAX_COUNT)
		return parser_error(p, "%s: bad count '%s' (1-%d)", key, value,
				    KX_CHECK_MAX_COUNT);
	*out = v;
	return 1;
}

/* The health-check keys of [service NAME]; 0 when key is none of them. */
static int service_check_key(struct parser *p, unsigned int *seen,
			     const char *key, const char *value)
{
	struct kx_check *c = &p->service->check;

	if (!strcmp(key, "check")) {
		if (!seen_once(p, seen, SKEY_CHECK, key))
			return -1;
		if (kx_parse_check(value, c))
			return parser_error(p, "check: bad value '%s' (https PATH, tcp or none)",
					    value), -1;
		return 1;
	}
	if (!strcmp(key, "inter"))
		return seen_once(p, seen, SKEY_INTER, key) &&
		       check_duration(p, key, value, &c->inter_ms) ? 1 : -1;
	if (!strcmp(key, "check_timeout"))
		return seen_once(p, seen, SKEY_CHECK_TIMEOUT, key) &&
		       check_duration(p, key, value, &c->timeout_ms) ? 1 : -1;
	if (!strcmp(key, "rise"))
		return seen_once(p, seen, SKEY_RISE, key) &&
		       check_count(p, key, value, &c->rise) ? 1 : -1;
	if (!strcmp(key, "fall"))
		return seen_once(p, seen, SKEY_FALL, key) &&
		       check_count(p, key, value, &c->fall) ? 1 : -1;
	if (!strcmp(key, "start")) {
		if (!seen_once(p, seen, SKEY_START, key))
			return -1;
		if (strcmp(value, "up") && strcmp(value, "down"))
			return parser_error(p, "start: unknown '%s' (up or down)",
					    value), -1;
		c->start_up = !strcmp(value, "up");
		return 1;
	}
	return 0;
}

static int service_key(struct parser *p, const char *key, const char *value)
{
	struct kx_service *svc = p->service;
	unsigned int *seen = &p->service_seen[svc - p->cfg->services];
	uint64_t ms;
	int err;

	if (!strcmp(key, "server"))
		return service_server(p, svc, value);
	err = service_check_key(p, seen, key, value);
	if (err)
		return err > 0;
	if (!strcmp(key, "listen")) {
		if (!seen_once(p, seen, SKEY_LISTEN, key))
			return 0;
		err = kx_parse_endpoint(value, &svc->listen);
		if (err)
			return endpoint_error(p, "listen", value, err);
		svc->has_listen = true;
	} else if (!strcmp(key, "mode")) {
		if (!seen_once(p, seen, SKEY_MODE, key))
			return 0;
		if (!strcmp(value, "nat"))
			svc->mode = KHAXDP_MODE_NAT;
		else if (!strcmp(value, "dsr"))
			svc->mode = KHAXDP_MODE_DSR;
		else
			return parser_error(p, "mode: unknown '%s' (nat or dsr)",
					    value);
	} else if (!strcmp(key, "balance")) {
		if (!seen_once(p, seen, SKEY_BALANCE, key))
			return 0;
		if (strcmp(value, "roundrobin"))
			return parser_error(p, "balance: unknown '%s' (roundrobin)",
					    value);
	} else if (!strcmp(key, "timeout")) {
		if (!seen_once(p, seen, SKEY_TIMEOUT, key))
			return 0;
		err = kx_parse_duration_ms(value, &ms);
		if (err || ms == 0 || ms > (uint64_t)UINT32_MAX * 1000)
			return parser_error(p, "timeout: bad duration '%s' (e.g. 30m, 90s, 2h, 500ms)",
					    value);
		svc->timeout_s = (uint32_t)((ms + 999) / 1000);
	} else {
		return parser_error(p, "unknown key '%s' in [service %s]", key,
				    svc->name);
	}
	return 1;
}

/* ---- [stats] ------------------------------------------------------------ */

bool kx_valid_stats_uri(const char *s)
{
	if (!valid_http_path(s) || strlen(s) >= KX_STATS_URI_LEN ||
	    strchr(s, '?') || strchr(s, '#'))
		return false;
	/* The page may not hide the other two documents. */
	return strcmp(s, "/metrics") && strcmp(s, "/status.json");
}

/* a with every bit past the first prefix ones cleared (words of 32 bits,
 * network order; IPv4 is the first word). */
static union khaxdp_addr cidr_mask(const union khaxdp_addr *a,
				   unsigned int prefix)
{
	union khaxdp_addr m = *a;

	for (unsigned int w = 0; w < 4; w++) {
		unsigned int keep = prefix > 32 * w ? prefix - 32 * w : 0;

		if (keep < 32)
			m.v6[w] &= keep ? htonl(~0u << (32 - keep)) : 0;
	}
	return m;
}

bool kx_cidr_has(const struct kx_cidr *n, uint8_t family,
		 const union khaxdp_addr *a)
{
	static const uint32_t mapped[3] = { 0, 0, 0xffff };	/* host order */
	union khaxdp_addr m;

	if (family == KHAXDP_AF_INET6 && n->family == KHAXDP_AF_INET &&
	    !a->v6[0] && !a->v6[1] && a->v6[2] == htonl(mapped[2])) {
		memset(&m, 0, sizeof(m));
		m.v4 = a->v6[3];
		return kx_cidr_has(n, KHAXDP_AF_INET, &m);
	}
	if (family != n->family)
		return false;
	if (family == KHAXDP_AF_INET) {
		memset(&m, 0, sizeof(m));
		m.v4 = a->v4;
		a = &m;
	}
	m = cidr_mask(a, n->prefix);
	return !memcmp(&m, &n->addr, sizeof(m));
}

/* "10.0.0.0/8 192.168.218.11 fd00::/8": networks, or addresses (/32,
 * /128). */
static int stats_allow(struct parser *p, const char *value)
{
	struct kx_stats_config *st = &p->cfg->stats;
	char word[64], *slash, *end;
	union khaxdp_addr a;
	unsigned long prefix, max;
	uint8_t family;
	int n;

	for (const char *s = value; sscanf(s, "%63s%n", word, &n) == 1; s += n) {
		slash = strchr(word, '/');
		if (slash)
			*slash = '\0';
		memset(&a, 0, sizeof(a));
		if (inet_pton(AF_INET, word, &a.v4) == 1)
			family = KHAXDP_AF_INET;
		else if (inet_pton(AF_INET6, word, &a) == 1)
			family = KHAXDP_AF_INET6;
		else
			return parser_error(p, "allow: '%s' is not an IPv4 or IPv6 address or network",
					    word);
		prefix = max = family == KHAXDP_AF_INET ? 32 : 128;
		if (slash) {
			errno = 0;
			prefix = strtoul(slash + 1, &end, 10);
			if (errno || *end || !slash[1] || prefix > max)
				return parser_error(p, "allow: bad prefix in '%s/%s' (0-%lu)",
						    word, slash + 1, max);
		}
		if (st->n_allow == KX_STATS_MAX_ALLOW)
			return parser_error(p, "allow: more than %d networks",
					    KX_STATS_MAX_ALLOW);
		st->allow[st->n_allow].family = family;
		st->allow[st->n_allow].prefix = (uint8_t)prefix;
		st->allow[st->n_allow].addr = cidr_mask(&a, (unsigned int)prefix);
		st->n_allow++;
	}
	return 1;
}

static int stats_key(struct parser *p, const char *key, const char *value)
{
	struct kx_stats_config *st = &p->cfg->stats;
	int err;

	if (!strcmp(key, "listen")) {
		if (!seen_once(p, &p->stats_seen, TKEY_LISTEN, key))
			return 0;
		err = kx_parse_listen(value, &st->listen);
		if (err)
			return endpoint_error(p, "listen", value, err);
	} else if (!strcmp(key, "uri")) {
		if (!seen_once(p, &p->stats_seen, TKEY_URI, key))
			return 0;
		if (!kx_valid_stats_uri(value))
			return parser_error(p, "uri: bad path '%s' (/PATH without blanks, '?', /metrics or /status.json)",
					    value);
		strcpy(st->uri, value);
	} else if (!strcmp(key, "auth")) {
		const char *colon = strchr(value, ':');

		if (!seen_once(p, &p->stats_seen, TKEY_AUTH, key))
			return 0;
		if (!colon || colon == value || !colon[1] ||
		    strlen(value) >= KX_STATS_AUTH_LEN || strchr(value, ' '))
			return parser_error(p, "auth: expected USER:PASSWORD (no blanks, at most %d characters)",
					    KX_STATS_AUTH_LEN - 1);
		snprintf(st->user, sizeof(st->user), "%.*s",
			 (int)(colon - value), value);
		snprintf(st->password, sizeof(st->password), "%s", colon + 1);
	} else if (!strcmp(key, "allow")) {
		return stats_allow(p, value);
	} else {
		return parser_error(p, "unknown key '%s' in [stats] (listen, uri, auth, allow)",
				    key);
	}
	return 1;
}

static int begin_stats(struct parser *p, const char *name)
{
	struct kx_stats_config *st = &p->cfg->stats;

	if (*name)
		return parser_error(p, "[stats] takes no name");
	if (st->enabled)
		return parser_error(p, "duplicate [stats] (line %d)", st->line);
	st->enabled = true;
	st->line = p->lineno;
	p->kind = SECTION_STATS;
	return 1;
}

/* ---- other sections ----------------------------------------------------- */

static int keep_extra(struct parser *p, const char *key, const char *value)
{
	struct kx_config *cfg = p->cfg;
	struct kx_extra *e;

	e = realloc(cfg->extra, (cfg->n_extra + 1) * sizeof(*e));
	if (!e)
		return parser_error(p, "out of memory");
	cfg->extra = e;
	e = &cfg->extra[cfg->n_extra];
	e->section = strdup(p->section);
	e->key = strdup(key);
	e->value = strdup(value);
	e->line = p->lineno;
	cfg->n_extra++;
	if (!e->section || !e->key || !e->value)
		return parser_error(p, "out of memory");
	return 1;
}

static int on_key(void *user, const char *section, const char *key,
		       const char *value)
{
	struct parser *p = user;

	(void)section;	/* the reader tracked it, with its line */
	if (p->err_line)
		return 1;
	switch (p->kind) {
	case SECTION_GLOBAL:
		return global_key(p, key, value);
	case SECTION_SERVICE:
		return service_key(p, key, value);
	case SECTION_STATS:
		return stats_key(p, key, value);
	case SECTION_OTHER:
		return keep_extra(p, key, value);
	case SECTION_NONE:
		break;
	}
	return parser_error(p, "'%s' outside a section ([global] or [service NAME])",
			    key);
}

/* ---- section headers, seen by the reader -------------------------------- */

static int begin_service(struct parser *p, const char *name)
{
	struct kx_config *cfg = p->cfg;
	struct kx_service *svc;
	const struct kx_service *dup;

	if (!*name)
		return parser_error(p, "[service] needs a name: [service NAME]");
	if (!kx_valid_name(name))
		return parser_error(p, "service: bad name '%s' (1-%d of A-Z a-z 0-9 _ . -)",
				    name, KHAXDP_NAME_LEN - 1);
	dup = kx_config_find_service(cfg, name);
	if (dup)
		return parser_error(p, "duplicate [service %s] (line %d)", name,
				    dup->line);
	if (cfg->n_services == KHAXDP_MAX_SERVICES)
		return parser_error(p, "more than %d services",
				    KHAXDP_MAX_SERVICES);
	svc = &cfg->services[cfg->n_services++];
	memset(svc, 0, sizeof(*svc));
	strcpy(svc->name, name);
	svc->line = p->lineno;
	svc->mode = KHAXDP_MODE_NAT;
	svc->timeout_s = KX_DEFAULT_TIMEOUT_S;
	svc->check.kind = KX_CHECK_NONE;
	svc->check.inter_ms = KX_DEFAULT_CHECK_INTER_MS;
	svc->check.timeout_ms = KX_DEFAULT_CHECK_TIMEOUT_MS;
	svc->check.rise = KX_DEFAULT_CHECK_RISE;
	svc->check.fall = KX_DEFAULT_CHECK_FALL;
	p->service = svc;
	p->kind = SECTION_SERVICE;
	return 1;
}

/* inner: what is between [ and ], already without comments. */
static int begin_section(struct parser *p, char *inner)
{
	char *word, *rest;

	while (isspace((unsigned char)*inner))
		inner++;
	rest = inner + strcspn(inner, " \t");
	word = inner;
	if (*rest) {
		*rest++ = '\0';
		while (isspace((unsigned char)*rest))
			rest++;
	}
	for (char *e = rest + strlen(rest); e > rest && isspace((unsigned char)e[-1]);)
		*--e = '\0';

	if (!strcmp(word, "global")) {
		if (*rest)
			return parser_error(p, "[global] takes no name");
		p->kind = SECTION_GLOBAL;
		return 1;
	}
	if (!strcmp(word, "service"))
		return begin_service(p, rest);
	if (!strcmp(word, "stats"))
		return begin_stats(p, rest);

	p->kind = SECTION_OTHER;
	snprintf(p->section, sizeof(p->section), "%s%s%s", word,
		 *rest ? " " : "", rest);
	return 1;
}

/* ---- the line reader ---------------------------------------------------- */

static bool next_raw_line(struct parser *p)
{
	size_t len;

	if (p->file)
		return getline(&p->line, &p->line_cap, p->file) >= 0;
	if (!*p->text)
		return false;
	len = strcspn(p->text, "\n");
	if (len + 1 > p->line_cap) {
		char *n = realloc(p->line, len + 1);

		if (!n)
			return false;
		p->line = n;
		p->line_cap = len + 1;
	}
	memcpy(p->line, p->text, len);
	p->line[len] = '\0';
	p->text += len + (p->text[len] == '\n');
	return true;
}

/* Cut a '#' or ';' comment: at the start of the line or after a blank. */
static void strip_comment(char *s)
{
	char *c;

	for (c = s; *c; c++) {
		if ((*c == '#' || *c == ';') &&
		    (c == s || isspace((unsigned char)c[-1]))) {
			*c = '\0';
			return;
		}
	}
}

static char *clean_line(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	strip_comment(s);
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static char *read_line(char *out, int size, void *stream)
{
	struct parser *p = stream;
	char *s, *close;

	if (p->err_line || !next_raw_line(p))
		return NULL;
	p->lineno++;
	s = clean_line(p->line);
	if (strlen(s) + 2 > (size_t)size) {
		parser_error(p, "line too long (at most %d characters)",
			     size - 2);
		return NULL;
	}
	if (*s == '[') {
		close = strchr(s, ']');
		if (close && close[1]) {
			parser_error(p, "unexpected text after ']'");
			return NULL;
		}
		if (close) {
			char inner[256];

			snprintf(inner, sizeof(inner), "%.*s",
				 (int)(close - s - 1), s + 1);
			if (!begin_section(p, inner))
				return NULL;
		}
	}
	strcpy(out, s);
	strcat(out, "\n");
	return out;
}

/* ---- checks that need the whole file ------------------------------------ */

static int check_service(struct parser *p, const struct kx_service *svc)
{
	const struct kx_config *cfg = p->cfg;
	char buf[KX_ENDPOINT_STRLEN];

	p->lineno = svc->line;
	if (!svc->has_listen)
		return parser_error(p, "service %s: no 'listen = IP:PORT'",
				    svc->name);
	if (!svc->n_servers)
		return parser_error(p, "service %s: no 'server = NAME IP:PORT'",
				    svc->name);
	/* A packet to a VIP is a backend's reply when its port is a SNAT
	 * port, a client's when it is a service's. */
	if (svc->listen.port >= cfg->snat_min && svc->listen.port <= cfg->snat_max)
		return parser_error(p, "service %s: listen port %u is inside snat_ports %u-%u: a client's packet to it could not be told from a backend's reply",
				    svc->name, svc->listen.port, cfg->snat_min,
				    cfg->snat_max);
	/* No NAT64: a service per family, the same apiservers in both. */
	for (unsigned int i = 0; i < svc->n_servers; i++)
		if (svc->servers[i].ep.family != svc->listen.family) {
			p->lineno = svc->servers[i].line;
			return parser_error(p, "service %s: server %s is %s and listen is %s: a service's servers are of its listen address's family (give the others a [service] of their own)",
					    svc->name, svc->servers[i].name,
					    svc->servers[i].ep.family == KHAXDP_AF_INET6 ? "IPv6" : "IPv4",
					    svc->listen.family == KHAXDP_AF_INET6 ? "IPv6" : "IPv4");
		}
	for (const struct kx_service *o = cfg->services; o < svc; o++)
		if (kx_endpoint_equal(&o->listen, &svc->listen))
			return parser_error(p, "service %s: listen %s already used by service %s (line %d)",
					    svc->name,
					    kx_endpoint_str(&svc->listen, buf,
							    sizeof(buf)),
					    o->name, o->line);
	return 1;
}

static void check_config(struct parser *p)
{
	for (unsigned int i = 0; i < p->cfg->n_services && !p->err_line; i++)
		check_service(p, &p->cfg->services[i]);
}

/* ---- entry points ------------------------------------------------------- */

void kx_config_init(struct kx_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	strcpy(cfg->bpffs, KX_DEFAULT_BPFFS);
	cfg->snat_min = KX_DEFAULT_SNAT_MIN;
	cfg->snat_max = KX_DEFAULT_SNAT_MAX;
	cfg->max_flows = KHAXDP_DEFAULT_MAX_FLOWS;
	cfg->max_half_open = KHAXDP_DEFAULT_MAX_HALF_OPEN;
	cfg->half_open_per_source = KHAXDP_DEFAULT_HALF_OPEN_PER_SOURCE;
	cfg->connect_timeout_s = KHAXDP_DEFAULT_CONNECT_TIMEOUT_S;
	cfg->stats.listen.family = KHAXDP_AF_INET;
	cfg->stats.listen.addr.v4 = htonl(INADDR_LOOPBACK);	/* opened on purpose */
	cfg->stats.listen.port = KX_DEFAULT_STATS_PORT;
	strcpy(cfg->stats.uri, KX_DEFAULT_STATS_URI);
}

void kx_config_free(struct kx_config *cfg)
{
	for (size_t i = 0; i < cfg->n_extra; i++) {
		free(cfg->extra[i].section);
		free(cfg->extra[i].key);
		free(cfg->extra[i].value);
	}
	free(cfg->extra);
	cfg->extra = NULL;
	cfg->n_extra = 0;
}

static int parse(struct parser *p)
{
	int line;

	line = ini_parse_stream(read_line, p, on_key, p);
	free(p->line);
	if (line < 0)
		return kx_fail(-ENOMEM, "%s: out of memory", p->name);
	if (line > 0 && (!p->err_line || line < p->err_line))
		return kx_fail(-EINVAL, "%s:%d: syntax error (expected [section] or key = value)",
			       p->name, line);
	if (!p->err_line)
		check_config(p);
	if (p->err_line)
		return kx_fail(-EINVAL, "%s:%d: %s", p->name, p->err_line,
			       p->err);
	return 0;
}

int kx_config_load_string(struct kx_config *cfg, const char *name,
			  const char *text)
{
	struct parser p = { .cfg = cfg, .name = name, .text = text };

	kx_config_init(cfg);
	snprintf(cfg->path, sizeof(cfg->path), "%s", name);
	return parse(&p);
}

int kx_config_load(struct kx_config *cfg, const char *path)
{
	struct parser p = { .cfg = cfg, .name = path };
	int err;

	kx_config_init(cfg);
	snprintf(cfg->path, sizeof(cfg->path), "%s", path);
	p.file = fopen(path, "r");
	if (!p.file)
		return kx_fail(-errno, "%s: %s", path, strerror(errno));
	err = parse(&p);
	fclose(p.file);
	return err;
}

unsigned int kx_config_backend_count(const struct kx_config *cfg)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < cfg->n_services; i++)
		n += cfg->services[i].n_servers;
	return n;
}

const struct kx_service *kx_config_find_service(const struct kx_config *cfg,
						const char *name)
{
	for (unsigned int i = 0; i < cfg->n_services; i++)
		if (!strcmp(cfg->services[i].name, name))
			return &cfg->services[i];
	return NULL;
}
