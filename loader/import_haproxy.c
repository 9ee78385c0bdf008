// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * import_haproxy.c - haproxy.cfg into the import model.
 *
 * Two passes. The first splits the text into sections of tokenized lines
 * (haproxy's quoting: "..." and '...', backslash escapes, '#' comments),
 * which is where a file is rejected: a line before any section, an
 * unterminated quote. The second reads each section with the settings of
 * the `defaults` before it, then pairs every frontend with its backend.
 * Each keyword is either carried over or warned about, with its line.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "util.h"

#define MAX_WORDS	64
#define MAX_PROXIES	64

/* haproxy's defaults for checks: inter 2s, rise 2, fall 3. */
#define HAP_INTER_MS	2000
#define HAP_RISE	2
#define HAP_FALL	3

enum sec_kind {
	SEC_GLOBAL,
	SEC_DEFAULTS,
	SEC_FRONTEND,
	SEC_BACKEND,
	SEC_LISTEN,
	SEC_OTHER,	/* peers, userlist, ...: warned as a whole */
};

struct hline {
	int line;
	int argc;
	char **argv;
	char *buf;
};

struct hsection {
	enum sec_kind kind;
	char *name;		/* "" for global and unnamed defaults */
	int line;
	size_t n;
	struct hline *lines;
};

struct hfile {
	const char *name;
	size_t n;
	struct hsection *s;
};

/* ---- pass 1: sections of tokenized lines --------------------------------- */

static const struct {
	const char *word;
	enum sec_kind kind;
} section_words[] = {
	{ "global", SEC_GLOBAL }, { "defaults", SEC_DEFAULTS },
	{ "frontend", SEC_FRONTEND }, { "backend", SEC_BACKEND },
	{ "listen", SEC_LISTEN }, { "peers", SEC_OTHER },
	{ "resolvers", SEC_OTHER }, { "userlist", SEC_OTHER },
	{ "mailers", SEC_OTHER }, { "program", SEC_OTHER },
	{ "http-errors", SEC_OTHER }, { "ring", SEC_OTHER },
	{ "cache", SEC_OTHER }, { "log-forward", SEC_OTHER },
	{ "crt-store", SEC_OTHER }, { "traces", SEC_OTHER },
	{ "fcgi-app", SEC_OTHER },
};

/* Split one line as haproxy does into buf (at least len + 1 bytes). */
static int tokenize(const char *file, int lineno, const char *s, size_t len,
		    char *buf, char **argv, int *argc)
{
	const char *end = s + len;
	char *o = buf;
	int n = 0;

	while (s < end) {
		char quote = 0;

		while (s < end && isspace((unsigned char)*s))
			s++;
		if (s == end || *s == '#')
			break;
		if (n == MAX_WORDS)
			return kx_fail(-EINVAL, "%s:%d: more than %d words on a line",
				       file, lineno, MAX_WORDS);
		argv[n++] = o;
		for (; s < end; s++) {
			if (quote) {
				if (*s == quote) {
					quote = 0;
				} else if (quote == '"' && *s == '\\' &&
					   s + 1 < end) {
					*o++ = *++s;
				} else {
					*o++ = *s;
				}
				continue;
			}
			if (isspace((unsigned char)*s) || *s == '#')
				break;
			if (*s == '"' || *s == '\'') {
				quote = *s;
			} else if (*s == '\\' && s + 1 < end) {
				*o++ = *++s;
			} else {
				*o++ = *s;
			}
		}
		if (quote)
			return kx_fail(-EINVAL, "%s:%d: unterminated %s quote",
				       file, lineno,
				       quote == '"' ? "double" : "single");
		*o++ = '\0';
	}
	*argc = n;
	return 0;
}

static void hfile_free(struct hfile *f)
{
	for (size_t i = 0; i < f->n; i++) {
		for (size_t j = 0; j < f->s[i].n; j++) {
			free(f->s[i].lines[j].argv);
			free(f->s[i].lines[j].buf);
		}
		free(f->s[i].lines);
		free(f->s[i].name);
	}
	free(f->s);
	f->s = NULL;
	f->n = 0;
}

static int oom(void)
{
	return kx_fail(-ENOMEM, "out of memory");
}

static int add_section(struct hfile *f, enum sec_kind kind, const char *name,
		       int line)
{
	struct hsection *s = realloc(f->s, (f->n + 1) * sizeof(*s));

	if (!s)
		return oom();
	f->s = s;
	s = &f->s[f->n++];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->line = line;
	s->name = strdup(name);
	return s->name ? 0 : oom();
}

static int add_line(struct hsection *sec, int lineno, char *buf, char **words,
		    int argc)
{
	struct hline *l = realloc(sec->lines, (sec->n + 1) * sizeof(*l));

	if (!l)
		return oom();
	sec->lines = l;
	l = &sec->lines[sec->n];
	l->line = lineno;
	l->argc = argc;
	l->buf = buf;
	l->argv = malloc((argc + 1) * sizeof(char *));
	if (!l->argv)
		return oom();
	memcpy(l->argv, words, argc * sizeof(char *));
	l->argv[argc] = NULL;
	sec->n++;
	return 0;
}

static int section_kind(const char *word, enum sec_kind *kind)
{
	for (size_t i = 0; i < KX_ARRAY_SIZE(section_words); i++) {
		if (!strcmp(word, section_words[i].word)) {
			*kind = section_words[i].kind;
			return 0;
		}
	}
	return -1;
}

static int split_sections(const char *file, const char *text, struct hfile *f)
{
	char *words[MAX_WORDS];
	int lineno = 0, argc = 0, err;
	enum sec_kind kind;

	f->name = file;
	while (*text) {
		size_t len = strcspn(text, "\n");
		char *buf = malloc(len + 1);

		lineno++;
		if (!buf)
			return oom();
		err = tokenize(file, lineno, text, len, buf, words, &argc);
		text += len + (text[len] == '\n');
		if (err || !argc) {
			free(buf);
			if (err)
				return err;
			continue;
		}
		if (!section_kind(words[0], &kind)) {
			if (kind != SEC_GLOBAL && kind != SEC_DEFAULTS &&
			    kind != SEC_OTHER && argc < 2) {
				err = kx_fail(-EINVAL, "%s:%d: '%s' needs a name",
					      file, lineno, words[0]);
				free(buf);
				return err;
			}
			if (kind == SEC_OTHER) {
				/* Named for messages: "userlist admins". */
				char *sp = words[0] + strlen(words[0]);

				if (argc > 1)
					*sp = ' ';	/* joins words 0 and 1 */
				argc = 1;
			}
			err = add_section(f, kind, kind == SEC_OTHER ? words[0] :
					  argc > 1 ? words[1] : "", lineno);
			if (!err && argc > 2 &&
			    (kind == SEC_DEFAULTS || kind == SEC_FRONTEND ||
			     kind == SEC_BACKEND || kind == SEC_LISTEN))
				/* `frontend x from d` and the like: keep the
				 * words after the name as a line of the
				 * section, warned about like any other. */
				err = add_line(&f->s[f->n - 1], lineno, buf,
					       words + 2, argc - 2);
			else
				free(buf);
			if (err)
				return err;
			continue;
		}
		if (!f->n) {
			err = kx_fail(-EINVAL, "%s:%d: '%s' outside a section (expected global, defaults, frontend, backend or listen)",
				      file, lineno, words[0]);
			free(buf);
			return err;
		}
		err = add_line(&f->s[f->n - 1], lineno, buf, words, argc);
		if (err) {
			free(buf);
			return err;
		}
	}
	return 0;
}

/* ---- pass 2: settings, with defaults inheritance ------------------------- */

/* Server parameters that matter, from `default-server` or `server`. */
struct srv_params {
	bool check, check_ssl, ssl, verify_none;
	bool has_inter, has_rise, has_fall;
	uint64_t inter_ms;
	uint32_t rise, fall;
};

struct settings {
	char mode[16];
	int mode_line;
	char balance[64];
	int balance_line;
	uint64_t t_client, t_server, t_check, t_tunnel;
	bool httpchk;
	int httpchk_line;
	char chk_method[16];
	char chk_uri[KX_CHECK_PATH_LEN];
	int chk_uri_line;
	bool chk_connect_ssl;
	char other_check[48];		/* "option ssl-hello-chk" */
	int other_check_line;
	struct srv_params defsrv;
};

struct hserver {
	struct kx_imp_server s;
	struct srv_params p;
};

struct proxy {
	const struct hsection *sec;
	struct settings set;
	char default_backend[KX_IMP_TEXT_LEN];
	int default_backend_line;
	char use_backend[KX_IMP_TEXT_LEN];	/* the first */
	int use_backend_line;
	bool use_backend_cond;
	char bind[KX_IMP_ADDR_LEN];
	bool bind_any;
	uint16_t port;
	int bind_line;
	bool has_stats;
	char stats_uri[KX_IMP_TEXT_LEN];
	int stats_uri_line;
	int stats_line;
	char stats_auth[KX_STATS_AUTH_LEN];
	int stats_auth_line;
	unsigned int n_servers;
	struct hserver servers[KHAXDP_MAX_SERVICE_BACKENDS];
	bool used;
};

struct hap {
	const char *file;
	struct kx_imp_warnings *w;
	struct kx_imp_haproxy *out;
	size_t n;
	struct proxy *p;	/* MAX_PROXIES */
};

static const char *keyword_reason(const struct hline *l);

#define WARN(h, line, ...) kx_imp_warn((h)->w, (h)->file, (line), __VA_ARGS__)

static int problem(const struct hap *h, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int problem(const struct hap *h, int line, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return kx_fail(-EINVAL, "%s:%d: %s", h->file, line, msg);
}

/* The words of a line from i on, for messages: "option httplog". */
static const char *words(const struct hline *l, int from, char *buf,
			 size_t len)
{
	buf[0] = '\0';
	for (int i = from; i < l->argc; i++) {
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, "%s%s", i > from ? " " : "",
			 l->argv[i]);
	}
	return buf;
}

static void settings_init(struct settings *s)
{
	memset(s, 0, sizeof(*s));
	strcpy(s->mode, "tcp");
	strcpy(s->balance, "roundrobin");
}

static int time_arg(const struct hap *h, const struct hline *l, int i,
		    uint64_t *ms)
{
	if (i >= l->argc)
		return problem(h, l->line, "'%s' needs a time", l->argv[0]);
	if (kx_imp_parse_time(l->argv[i], 1, ms))
		return problem(h, l->line, "%s: bad time '%s' (e.g. 30m, 5s, 2000 for ms)",
			       l->argv[0], l->argv[i]);
	return 0;
}

static int count_arg(const struct hap *h, const struct hline *l, int i,
		     const char *what, uint32_t *out)
{
	if (i >= l->argc || kx_parse_u32(l->argv[i], out) || !*out)
		return problem(h, l->line, "%s: expected a count, got '%s'",
			       what, i < l->argc ? l->argv[i] : "");
	return 0;
}

/* Server parameters from argv[i] on; what khaxdp cannot do is warned. */
static int server_params(struct hap *h, const struct hline *l, int i,
			 const char *who, struct srv_params *p)
{
	static const char *const one_arg[] = {
		"addr", "agent-addr", "agent-inter", "agent-port",
		"agent-send", "alpn", "ca-file", "check-alpn", "check-proto",
		"check-sni", "ciphers", "ciphersuites", "cookie", "crl-file",
		"crt", "downinter", "error-limit", "fastinter", "id",
		"init-addr", "log-proto", "max-reuse", "maxconn", "maxqueue",
		"minconn", "namespace", "npn", "observe", "on-error",
		"on-marked-down", "on-marked-up", "pool-low-conn",
		"pool-max-conn", "pool-purge-delay", "port", "proto", "redir",
		"resolve-net", "resolve-opts", "resolve-prefer", "resolvers",
		"shard", "slowstart", "sni", "source", "ssl-max-ver",
		"ssl-min-ver", "tcp-ut", "track", "usesrc", "weight", "ws",
		"set-proxy-v2-tlv-fmt", "guid",
	};
	char buf[KX_IMP_TEXT_LEN];
	uint32_t v;
	int err;

	for (; i < l->argc; i++) {
		const char *a = l->argv[i];
		bool takes_arg = false;

		if (!strcmp(a, "check")) {
			p->check = true;
		} else if (!strcmp(a, "no-check")) {
			p->check = false;
		} else if (!strcmp(a, "check-ssl")) {
			p->check_ssl = true;
		} else if (!strcmp(a, "ssl")) {
			p->ssl = true;
			WARN(h, l->line, "%s: ssl (TLS from haproxy to the server) not carried over: khaxdp forwards the client's TCP stream unchanged; its checks still use TLS",
			     who);
		} else if (!strcmp(a, "verify")) {
			if (++i >= l->argc)
				return problem(h, l->line, "%s: 'verify' needs none or required",
					       who);
			if (!strcmp(l->argv[i], "none"))
				p->verify_none = true;
			else
				WARN(h, l->line, "%s: verify %s not carried over: khaxdp's https checks never verify the certificate",
				     who, l->argv[i]);
		} else if (!strcmp(a, "inter")) {
			err = time_arg(h, l, ++i, &p->inter_ms);
			if (err)
				return err;
			p->has_inter = true;
		} else if (!strcmp(a, "rise")) {
			err = count_arg(h, l, ++i, "rise", &v);
			if (err)
				return err;
			p->rise = v;
			p->has_rise = true;
		} else if (!strcmp(a, "fall")) {
			err = count_arg(h, l, ++i, "fall", &v);
			if (err)
				return err;
			p->fall = v;
			p->has_fall = true;
		} else {
			for (size_t k = 0; k < KX_ARRAY_SIZE(one_arg); k++)
				if (!strcmp(a, one_arg[k]))
					takes_arg = true;
			if (takes_arg && i + 1 < l->argc) {
				WARN(h, l->line, "%s: %s %s not carried over",
				     who, a, l->argv[i + 1]);
				i++;
			} else if (takes_arg ||
				   !strcmp(a, "backup") || !strcmp(a, "disabled") ||
				   !strncmp(a, "send-proxy", 10) ||
				   !strncmp(a, "no-", 3) || !strncmp(a, "force-", 6) ||
				   !strcmp(a, "agent-check") || !strcmp(a, "enabled") ||
				   !strcmp(a, "non-stick") || !strcmp(a, "tfo") ||
				   !strcmp(a, "allow-0rtt") || !strcmp(a, "stick") ||
				   !strcmp(a, "check-send-proxy") ||
				   !strcmp(a, "check-via-socks4") ||
				   !strcmp(a, "socks4") || !strcmp(a, "resolve")) {
				WARN(h, l->line, "%s: %s not carried over", who,
				     a);
			} else {
				/* Unknown: how many words it takes is
				 * unknown too, so the rest goes with it. */
				WARN(h, l->line, "%s: '%s' not carried over (a parameter import does not know)",
				     who, words(l, i, buf, sizeof(buf)));
				break;
			}
		}
	}
	return 0;
}

/* Port after the last ':'; the address before it into addr. */
/* haproxy's ADDRESS:PORT: the port after the last colon, so that an IPv6
 * address needs no brackets (":::7443", "2001:db8::1:6443"); brackets
 * ("[::]:7443") are read too, and the "ipv6@" prefix. */
static int split_addr_port(const char *s, char *addr, size_t len,
			   uint16_t *port)
{
	const char *colon, *end;

	if (!strncmp(s, "ipv6@", 5))
		s += 5;
	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end || end[1] != ':' || (size_t)(end - s - 1) >= len)
			return -EINVAL;
		memcpy(addr, s + 1, end - s - 1);
		addr[end - s - 1] = '\0';
		return kx_parse_port(end + 2, port);
	}
	colon = strrchr(s, ':');
	if (!colon || (size_t)(colon - s) >= len)
		return -EINVAL;
	memcpy(addr, s, colon - s);
	addr[colon - s] = '\0';
	return kx_parse_port(colon + 1, port);
}

/* ADDRESS:PORT as khaxdp.conf writes it: [ADDRESS]:PORT for IPv6. */
static void join_addr_port(char *buf, size_t len, const char *addr,
			   uint16_t port)
{
	snprintf(buf, len, strchr(addr, ':') ? "[%s]:%u" : "%s:%u", addr, port);
}

static int bind_line(struct hap *h, struct proxy *px, const struct hline *l)
{
	char first[KX_IMP_TEXT_LEN], addr[INET6_ADDRSTRLEN], buf[KX_IMP_TEXT_LEN];
	const char *a = l->argc > 1 ? l->argv[1] : "";
	struct in6_addr in;
	char *comma;

	if (l->argc < 2)
		return problem(h, l->line, "bind needs an address");
	if (px->bind_line) {
		WARN(h, l->line, "bind %s not carried over: one listen address per service (the first, line %d, is used)",
		     a, px->bind_line);
		return 0;
	}
	snprintf(first, sizeof(first), "%s", a);
	comma = strchr(first, ',');
	if (comma) {
		*comma = '\0';
		WARN(h, l->line, "bind addresses after %s (%s) not carried over: one listen address per service",
		     first, comma + 1);
	}
	a = first;
	if (!strncmp(a, "ipv4@", 5))
		a += 5;
	if (!strncmp(a, "unix@", 5) || a[0] == '/' || !strncmp(a, "abns@", 5) ||
	    !strncmp(a, "fd@", 3) || !strncmp(a, "sockpair@", 9)) {
		WARN(h, l->line, "bind %s not carried over: khaxdp listens on an IP address and port",
		     a);
		return 0;
	}
	if (strchr(a + (strrchr(a, ':') ? strrchr(a, ':') - a : 0), '-'))
		return problem(h, l->line, "bind %s: port ranges are not supported (one port per service)",
			       a);
	if (split_addr_port(a, addr, sizeof(addr), &px->port))
		return problem(h, l->line, "bind %s: expected ADDRESS:PORT", a);
	if (!*addr || !strcmp(addr, "*") || !strcmp(addr, "0.0.0.0")) {
		px->bind_any = true;
		snprintf(addr, sizeof(addr), "0.0.0.0");
	} else if (!strcmp(addr, "::")) {
		px->bind_any = true;	/* an IPv6 service */
	} else if (inet_pton(AF_INET, addr, &in) != 1 &&
		   inet_pton(AF_INET6, addr, &in) != 1) {
		return problem(h, l->line, "bind %s: '%s' is not an IPv4 or IPv6 address",
			       a, addr);
	}
	join_addr_port(px->bind, sizeof(px->bind), addr, px->port);
	px->bind_line = l->line;
	if (l->argc > 2)
		WARN(h, l->line, "bind options '%s' not carried over: khaxdp balances TCP and passes TLS through",
		     words(l, 2, buf, sizeof(buf)));
	return 0;
}

/* A server name the proxy's earlier servers do not have: two long names
 * that khaxdp cuts to the same 31 characters get -2, -3, ... (warned). */
static void unique_server_name(struct hap *h, struct proxy *px, int line,
			       char *name)
{
	char base[KHAXDP_NAME_LEN];
	bool taken = true;

	snprintf(base, sizeof(base), "%s", name);
	for (unsigned int n = 2; taken && n < 100; n++) {
		taken = false;
		for (unsigned int i = 0; i + 1 < px->n_servers; i++)
			taken = taken || !strcmp(px->servers[i].s.name, name);
		if (taken)
			snprintf(name, KHAXDP_NAME_LEN, "%.28s-%u", base, n);
	}
	if (strcmp(base, name))
		WARN(h, line, "server name '%s' is an earlier server's in khaxdp's 31 characters: written '%s'",
		     base, name);
}

/* Keep haproxy's name if khaxdp takes it, else a cleaned copy (warned). */
static void clean_name(struct hap *h, int line, const char *what,
		       const char *name, char *out)
{
	size_t i;

	for (i = 0; name[i] && i < KHAXDP_NAME_LEN - 1; i++)
		out[i] = isalnum((unsigned char)name[i]) ||
			 strchr("_.-", name[i]) ? name[i] : '_';
	out[i] = '\0';
	if (!i)
		strcpy(out, "unnamed");
	if (strcmp(out, name))
		WARN(h, line, "%s name '%s' not carried over as it is: khaxdp names are 1-%d of A-Z a-z 0-9 _ . -, written '%s'",
		     what, name, KHAXDP_NAME_LEN - 1, out);
}

static int server_line(struct hap *h, struct proxy *px, const struct hline *l)
{
	char addr[INET6_ADDRSTRLEN], who[KX_IMP_TEXT_LEN];
	char same[KX_IMP_ADDR_LEN];
	struct hserver *s;
	struct in6_addr in;
	uint16_t port;
	const char *a;

	if (l->argc < 3)
		return problem(h, l->line, "server needs a name and an address");
	if (px->sec->kind == SEC_FRONTEND) {
		WARN(h, l->line, "server %s in a frontend not carried over (haproxy ignores it too)",
		     l->argv[1]);
		return 0;
	}
	if (px->n_servers == KHAXDP_MAX_SERVICE_BACKENDS) {
		WARN(h, l->line, "server %s not carried over: khaxdp takes at most %d servers per service",
		     l->argv[1], KHAXDP_MAX_SERVICE_BACKENDS);
		return 0;
	}
	a = l->argv[2];
	if (!strncmp(a, "ipv4@", 5))
		a += 5;
	if (split_addr_port(a, addr, sizeof(addr), &port))
		return problem(h, l->line, "server %s: expected ADDRESS:PORT, got '%s'",
			       l->argv[1], a);
	if (inet_pton(AF_INET, addr, &in) != 1 &&
	    inet_pton(AF_INET6, addr, &in) != 1)
		return problem(h, l->line, "server %s: '%s' is not an IPv4 or IPv6 address (khaxdp needs addresses, not names)",
			       l->argv[1], addr);
	join_addr_port(same, sizeof(same), addr, port);
	for (unsigned int i = 0; i < px->n_servers; i++) {
		if (!strcmp(px->servers[i].s.addr, same)) {
			WARN(h, l->line, "server %s not carried over: %s is server %s's address too (line %d); khaxdp balances each address once",
			     l->argv[1], same, px->servers[i].s.name,
			     px->servers[i].s.line);
			return 0;
		}
	}
	s = &px->servers[px->n_servers++];
	memset(s, 0, sizeof(*s));
	clean_name(h, l->line, "server", l->argv[1], s->s.name);
	unique_server_name(h, px, l->line, s->s.name);
	snprintf(s->s.addr, sizeof(s->s.addr), "%s", same);
	s->s.line = l->line;
	s->p = px->set.defsrv;
	snprintf(who, sizeof(who), "server %s", l->argv[1]);
	return server_params(h, l, 3, who, &s->p);
}

/* `option httpchk [METH] [URI] [VER]` and `http-check send meth M uri U`. */
static void check_request(struct settings *set, const char *meth,
			  const char *uri, int line)
{
	if (meth)
		snprintf(set->chk_method, sizeof(set->chk_method), "%s", meth);
	if (uri) {
		snprintf(set->chk_uri, sizeof(set->chk_uri), "%s", uri);
		set->chk_uri_line = line;
	}
}

static int option_line(struct hap *h, struct proxy *px, struct settings *set,
		       const struct hline *l)
{
	char buf[KX_IMP_TEXT_LEN];
	const char *o = l->argc > 1 ? l->argv[1] : "";

	if (!strcmp(o, "httpchk")) {
		set->httpchk = true;
		set->httpchk_line = l->line;
		if (l->argc == 3)
			check_request(set, NULL, l->argv[2], l->line);
		else if (l->argc >= 4)
			check_request(set, l->argv[2], l->argv[3], l->line);
		if (l->argc >= 5)
			WARN(h, l->line, "option httpchk version/headers '%s' not carried over: khaxdp sends HTTP/1.1 with Host",
			     words(l, 4, buf, sizeof(buf)));
		return 0;
	}
	if (!strcmp(o, "tcp-check"))
		return 0;	/* a connect, as khaxdp's tcp check */
	if (strstr(o, "-chk") || strstr(o, "-check")) {
		snprintf(set->other_check, sizeof(set->other_check),
			 "option %s", o);
		set->other_check_line = l->line;
		WARN(h, l->line, "option %s not carried over: khaxdp checks with a TCP connect or an https GET",
		     o);
		return 0;
	}
	(void)px;
	WARN(h, l->line, "%s not carried over%s", words(l, 0, buf, sizeof(buf)),
	     strstr(o, "http") || !strcmp(o, "forwardfor") ?
		     ": khaxdp balances TCP, not HTTP" :
	     strstr(o, "log") ? ": khaxdp does not log connections" :
				keyword_reason(l));
	return 0;
}

static int http_check_line(struct hap *h, struct settings *set,
			   const struct hline *l)
{
	char buf[KX_IMP_TEXT_LEN];
	const char *v = l->argc > 1 ? l->argv[1] : "";

	if (!strcmp(v, "send")) {
		const char *meth = NULL, *uri = NULL;

		for (int i = 2; i + 1 < l->argc; i += 2) {
			if (!strcmp(l->argv[i], "meth"))
				meth = l->argv[i + 1];
			else if (!strcmp(l->argv[i], "uri"))
				uri = l->argv[i + 1];
			else
				WARN(h, l->line, "http-check send %s %s not carried over: khaxdp sends GET PATH HTTP/1.1 with Host",
				     l->argv[i], l->argv[i + 1]);
		}
		check_request(set, meth, uri, l->line);
		return 0;
	}
	if (!strcmp(v, "connect")) {
		for (int i = 2; i < l->argc; i++) {
			if (!strcmp(l->argv[i], "ssl"))
				set->chk_connect_ssl = true;
			else
				WARN(h, l->line, "http-check connect %s not carried over",
				     l->argv[i]);
		}
		return 0;
	}
	if (!strcmp(v, "expect") && l->argc == 4 &&
	    !strcmp(l->argv[2], "status") && l->argv[3][0] == '2' &&
	    strlen(l->argv[3]) == 3) {
		WARN(h, l->line, "http-check expect status %s not carried over as it is: khaxdp's https check accepts any 2xx status",
		     l->argv[3]);
		return 0;
	}
	WARN(h, l->line, "%s not carried over: khaxdp's https check accepts any 2xx status",
	     words(l, 0, buf, sizeof(buf)));
	return 0;
}

static int timeout_line(struct hap *h, struct settings *set,
			const struct hline *l)
{
	const char *what = l->argc > 1 ? l->argv[1] : "";
	uint64_t *slot = NULL, ms;
	int err;

	if (!strcmp(what, "client"))
		slot = &set->t_client;
	else if (!strcmp(what, "server"))
		slot = &set->t_server;
	else if (!strcmp(what, "check"))
		slot = &set->t_check;
	else if (!strcmp(what, "tunnel"))
		slot = &set->t_tunnel;
	err = time_arg(h, l, 2, &ms);
	if (err)
		return err;
	if (slot)
		*slot = ms;
	else
		WARN(h, l->line, "timeout %s %s not carried over%s", what,
		     l->argv[2], keyword_reason(l));
	return 0;
}

static int stats_line(struct hap *h, struct proxy *px, const struct hline *l)
{
	char buf[KX_IMP_TEXT_LEN];
	const char *v = l->argc > 1 ? l->argv[1] : "";

	if (!px->has_stats)
		px->stats_line = l->line;
	px->has_stats = true;
	if (!strcmp(v, "enable"))
		return 0;
	if (!strcmp(v, "uri") && l->argc == 3) {
		snprintf(px->stats_uri, sizeof(px->stats_uri), "%s",
			 l->argv[2]);
		px->stats_uri_line = l->line;
		return 0;
	}
	if (!strcmp(v, "auth") && l->argc == 3) {
		const char *colon = strchr(l->argv[2], ':');

		/* The warning never shows the password: it goes to logs. */
		if (px->stats_auth_line) {
			WARN(h, l->line, "a second stats auth not carried over: khaxdp's page has one user (line %d)",
			     px->stats_auth_line);
		} else if (!colon || colon == l->argv[2] || !colon[1] ||
			   strlen(l->argv[2]) >= sizeof(px->stats_auth)) {
			WARN(h, l->line, "stats auth not carried over: expected USER:PASSWORD of at most %zu characters",
			     sizeof(px->stats_auth) - 1);
		} else {
			snprintf(px->stats_auth, sizeof(px->stats_auth), "%s",
				 l->argv[2]);
			px->stats_auth_line = l->line;
		}
		return 0;
	}
	WARN(h, l->line, "%s not carried over%s",
	     !strcmp(v, "auth") ? "stats auth" : words(l, 0, buf, sizeof(buf)),
	     !strcmp(v, "realm") ? ": khaxdp's page says realm \"khaxdp\"" :
	     !strcmp(v, "refresh") ? ": khaxdp's page refreshes itself" : "");
	return 0;
}

static int backend_ref(struct hap *h, struct proxy *px, const struct hline *l)
{
	char buf[KX_IMP_TEXT_LEN];

	if (l->argc < 2)
		return problem(h, l->line, "%s needs a backend name", l->argv[0]);
	if (!strcmp(l->argv[0], "default_backend")) {
		snprintf(px->default_backend, sizeof(px->default_backend), "%s",
			 l->argv[1]);
		px->default_backend_line = l->line;
		return 0;
	}
	if (px->use_backend_line) {
		WARN(h, l->line, "%s not carried over: khaxdp has no content switching (the first use_backend, line %d, is used)",
		     words(l, 0, buf, sizeof(buf)), px->use_backend_line);
		return 0;
	}
	snprintf(px->use_backend, sizeof(px->use_backend), "%s", l->argv[1]);
	px->use_backend_line = l->line;
	px->use_backend_cond = l->argc > 2;
	return 0;
}

/* Why a common keyword has no equivalent; "" when there is nothing to add. */
static const char *keyword_reason(const struct hline *l)
{
	static const char retry[] =
		": khaxdp does not retry or redispatch a connection; the client retries and the checks take a dead server out";
	const char *k = l->argv[0], *a = l->argc > 1 ? l->argv[1] : "";

	if (!strcmp(k, "retries") || !strcmp(a, "redispatch") ||
	    !strcmp(k, "redispatch") ||
	    (!strcmp(k, "timeout") && !strcmp(a, "connect")))
		return retry;
	if (!strcmp(k, "maxconn") || !strcmp(k, "fullconn"))
		return ": khaxdp has no connection limit (max_flows in [global] sizes the flow table)";
	if (!strcmp(k, "timeout") && !strcmp(a, "queue"))
		return ": khaxdp does not queue connections";
	if (!strcmp(k, "timeout") && !strncmp(a, "http-", 5))
		return ": khaxdp balances TCP, not HTTP";
	return "";
}

/* One line of a defaults, frontend, backend or listen section. */
static int proxy_line(struct hap *h, struct proxy *px, struct settings *set,
		      const struct hline *l)
{
	const char *k = l->argv[0];
	char buf[KX_IMP_TEXT_LEN];
	bool defaults = !px;

	if (!strcmp(k, "mode") && l->argc == 2) {
		if (strcmp(l->argv[1], "tcp") && strcmp(l->argv[1], "http"))
			return problem(h, l->line, "mode %s: expected tcp or http",
				       l->argv[1]);
		snprintf(set->mode, sizeof(set->mode), "%s", l->argv[1]);
		set->mode_line = l->line;
		return 0;
	}
	if (!strcmp(k, "balance")) {
		snprintf(set->balance, sizeof(set->balance), "%s",
			 words(l, 1, buf, sizeof(buf)));
		set->balance_line = l->line;
		return 0;
	}
	if (!strcmp(k, "timeout"))
		return timeout_line(h, set, l);
	if (!strcmp(k, "option"))
		return option_line(h, px, set, l);
	if (!strcmp(k, "http-check"))
		return http_check_line(h, set, l);
	if (!strcmp(k, "default-server"))
		return server_params(h, l, 1, "default-server", &set->defsrv);
	if (!defaults && !strcmp(k, "server"))
		return server_line(h, px, l);
	if (!defaults && !strcmp(k, "bind"))
		return bind_line(h, px, l);
	if (!defaults && (!strcmp(k, "default_backend") ||
			  !strcmp(k, "use_backend")))
		return backend_ref(h, px, l);
	if (!defaults && !strcmp(k, "stats"))
		return stats_line(h, px, l);
	if (!strcmp(k, "log") || !strcmp(k, "log-format") ||
	    !strcmp(k, "no") || !strcmp(k, "capture"))
		WARN(h, l->line, "%s not carried over: khaxdp does not log connections",
		     words(l, 0, buf, sizeof(buf)));
	else if (!strcmp(k, "tcp-check"))
		WARN(h, l->line, "%s not carried over: khaxdp's tcp check is a plain connect",
		     words(l, 0, buf, sizeof(buf)));
	else if (!strncmp(k, "http-", 5) || !strcmp(k, "acl") ||
		 !strncmp(k, "tcp-", 4) || !strcmp(k, "redirect"))
		WARN(h, l->line, "%s not carried over: khaxdp has no rules, it balances every connection",
		     words(l, 0, buf, sizeof(buf)));
	else
		WARN(h, l->line, "%s not carried over%s",
		     words(l, 0, buf, sizeof(buf)), keyword_reason(l));
	return 0;
}

static int read_proxies(struct hap *h, const struct hfile *f)
{
	struct settings defaults;
	char buf[KX_IMP_TEXT_LEN];
	int err;

	settings_init(&defaults);
	for (size_t i = 0; i < f->n; i++) {
		const struct hsection *sec = &f->s[i];
		struct proxy *px = NULL;
		struct settings *set;

		switch (sec->kind) {
		case SEC_GLOBAL:
			for (size_t j = 0; j < sec->n; j++)
				WARN(h, sec->lines[j].line, "global %s not carried over%s",
				     words(&sec->lines[j], 0, buf, sizeof(buf)),
				     !strcmp(sec->lines[j].argv[0], "maxconn") ?
					     keyword_reason(&sec->lines[j]) :
					     ": a setting of the haproxy process");
			continue;
		case SEC_OTHER:
			WARN(h, sec->line, "section '%s' (%zu lines) not carried over",
			     sec->name, sec->n);
			continue;
		case SEC_DEFAULTS:
			/* Each defaults section starts from haproxy's own
			 * defaults and applies to the proxies after it. */
			settings_init(&defaults);
			for (size_t j = 0; j < sec->n; j++) {
				err = proxy_line(h, NULL, &defaults,
						 &sec->lines[j]);
				if (err)
					return err;
			}
			continue;
		case SEC_FRONTEND:
		case SEC_BACKEND:
		case SEC_LISTEN:
			break;
		}
		if (h->n == MAX_PROXIES)
			return problem(h, sec->line, "more than %d proxies",
				       MAX_PROXIES);
		px = &h->p[h->n++];
		memset(px, 0, sizeof(*px));
		px->sec = sec;
		px->set = defaults;
		set = &px->set;
		for (size_t j = 0; j < sec->n; j++) {
			err = proxy_line(h, px, set, &sec->lines[j]);
			if (err)
				return err;
		}
	}
	return 0;
}

/* ---- pairing frontends with backends ------------------------------------- */

static const char *kind_word(enum sec_kind k)
{
	return k == SEC_FRONTEND ? "frontend" : k == SEC_BACKEND ? "backend" :
					       "listen";
}

static struct proxy *find_backend(struct hap *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if ((h->p[i].sec->kind == SEC_BACKEND ||
		     h->p[i].sec->kind == SEC_LISTEN) &&
		    !strcmp(h->p[i].sec->name, name))
			return &h->p[i];
	return NULL;
}

static bool name_taken(const struct kx_imp_haproxy *out, const char *name)
{
	for (unsigned int i = 0; i < out->n_services; i++)
		if (!strcmp(out->services[i].name, name))
			return true;
	return false;
}

static void svc_check(struct hap *h, struct kx_imp_service *svc,
		      const struct proxy *be)
{
	const struct settings *set = &be->set;
	const struct srv_params *first = NULL;
	bool tls = set->chk_connect_ssl;
	const char *uri;

	for (unsigned int i = 0; i < be->n_servers; i++) {
		const struct srv_params *p = &be->servers[i].p;

		if (!p->check)
			continue;
		if (!first)
			first = p;
		tls = tls || p->check_ssl || p->ssl;
	}
	svc->inter_ms = HAP_INTER_MS;
	svc->rise = HAP_RISE;
	svc->fall = HAP_FALL;
	if (!first) {
		svc->check = KX_CHECK_NONE;
		return;
	}
	svc->inter_ms = first->has_inter ? first->inter_ms : HAP_INTER_MS;
	svc->rise = first->has_rise ? first->rise : HAP_RISE;
	svc->fall = first->has_fall ? first->fall : HAP_FALL;
	svc->check_timeout_ms = set->t_check;
	for (unsigned int i = 0; i < be->n_servers; i++) {
		const struct hserver *s = &be->servers[i];
		uint64_t inter = s->p.has_inter ? s->p.inter_ms : HAP_INTER_MS;
		uint32_t rise = s->p.has_rise ? s->p.rise : HAP_RISE;
		uint32_t fall = s->p.has_fall ? s->p.fall : HAP_FALL;

		if (!s->p.check)
			WARN(h, s->s.line, "server %s without check not carried over as it is: khaxdp checks every server of a service, this one too",
			     s->s.name);
		else if (inter != svc->inter_ms || rise != svc->rise ||
			 fall != svc->fall)
			WARN(h, s->s.line, "server %s: its own inter/rise/fall not carried over: khaxdp has one setting per service (the first checked server's)",
			     s->s.name);
	}

	if (!set->httpchk) {
		svc->check = KX_CHECK_TCP;
		snprintf(svc->check_from, sizeof(svc->check_from), "%s",
			 set->other_check[0] ? set->other_check :
					       "haproxy's check: a TCP connect");
		return;
	}
	uri = set->chk_uri[0] ? set->chk_uri : "/";
	if (set->chk_method[0] && strcmp(set->chk_method, "GET"))
		WARN(h, set->httpchk_line, "health check method %s not carried over: khaxdp sends GET",
		     set->chk_method);
	if (!tls) {
		svc->check = KX_CHECK_TCP;
		snprintf(svc->check_from, sizeof(svc->check_from),
			 "option httpchk (line %d) over plain HTTP", set->httpchk_line);
		WARN(h, set->httpchk_line, "option httpchk over plain HTTP not carried over: khaxdp checks over TLS (https) or with a TCP connect; check = tcp");
		return;
	}
	{
		struct kx_check probe;
		char spec[KX_CHECK_PATH_LEN + 16];

		/* khaxdp's own rule for the path: no blank, no control byte. */
		snprintf(spec, sizeof(spec), "https %s", uri);
		if (strlen(uri) >= KX_CHECK_PATH_LEN || kx_parse_check(spec, &probe)) {
			svc->check = KX_CHECK_TCP;
			snprintf(svc->check_from, sizeof(svc->check_from),
				 "option httpchk (line %d) with a path khaxdp cannot send",
				 set->httpchk_line);
			WARN(h, set->httpchk_line, "health check path not carried over: khaxdp sends a path of printable characters without blanks (at most %d); check = tcp",
			     KX_CHECK_PATH_LEN - 1);
			return;
		}
	}
	svc->check = KX_CHECK_HTTPS;
	snprintf(svc->check_path, sizeof(svc->check_path), "%s", uri);
	snprintf(svc->check_from, sizeof(svc->check_from),
		 "option httpchk (line %d), GET %s over TLS without verification",
		 set->httpchk_line, uri);
}

static void svc_timeout(struct kx_imp_service *svc, const struct proxy *fe,
			const struct proxy *be)
{
	char a[32], b[32];
	uint64_t client = fe->set.t_client, server = be->set.t_server;

	if (be->set.t_tunnel) {
		svc->timeout_ms = be->set.t_tunnel;
		snprintf(svc->timeout_from, sizeof(svc->timeout_from),
			 "timeout tunnel %s",
			 kx_imp_duration_str(be->set.t_tunnel, a, sizeof(a)));
		return;
	}
	svc->timeout_ms = client > server ? client : server;
	if (!svc->timeout_ms)
		return;
	snprintf(svc->timeout_from, sizeof(svc->timeout_from),
		 "the larger of timeout client %s and timeout server %s",
		 client ? kx_imp_duration_str(client, a, sizeof(a)) : "(none)",
		 server ? kx_imp_duration_str(server, b, sizeof(b)) : "(none)");
}

/* A proxy with `stats` keywords and nothing to balance: the [stats] page. */
static bool is_stats(const struct proxy *px)
{
	return px->has_stats && !px->n_servers && !px->default_backend_line &&
	       !px->use_backend_line;
}

static int make_stats(struct hap *h, const struct proxy *px)
{
	struct kx_imp_stats *st = &h->out->stats;
	const char *uri = px->stats_uri[0] ? px->stats_uri : "/haproxy?stats";

	if (st->present) {
		WARN(h, px->sec->line, "%s %s not carried over: khaxdp serves one statistics page (%s, line %d)",
		     kind_word(px->sec->kind), px->sec->name, st->name,
		     st->line);
		return 0;
	}
	if (!px->bind_line) {
		WARN(h, px->sec->line, "%s %s not carried over: it binds no address",
		     kind_word(px->sec->kind), px->sec->name);
		return 0;
	}
	st->present = true;
	st->line = px->sec->line;
	snprintf(st->name, sizeof(st->name), "%s %s",
		 kind_word(px->sec->kind), px->sec->name);
	snprintf(st->listen, sizeof(st->listen), "%s", px->bind);
	if (!kx_valid_stats_uri(uri)) {
		WARN(h, px->stats_uri_line ? px->stats_uri_line : px->sec->line,
		     "stats uri %s not carried over: khaxdp serves a plain path beside /metrics and /status.json; uri = %s",
		     uri, KX_DEFAULT_STATS_URI);
		uri = KX_DEFAULT_STATS_URI;
	}
	snprintf(st->uri, sizeof(st->uri), "%.*s", (int)sizeof(st->uri) - 1, uri);
	snprintf(st->auth, sizeof(st->auth), "%s", px->stats_auth);
	st->auth_line = px->stats_auth_line;
	return 0;
}

static int make_service(struct hap *h, struct proxy *fe)
{
	struct kx_imp_haproxy *out = h->out;
	const char *be_name = fe->default_backend_line ? fe->default_backend :
							 fe->use_backend;
	int be_line = fe->default_backend_line ? fe->default_backend_line :
						 fe->use_backend_line;
	struct kx_imp_service *svc;
	struct proxy *be = fe;
	char name[KHAXDP_NAME_LEN];

	if (be_line) {
		be = find_backend(h, be_name);
		if (!be)
			return problem(h, be_line, "no backend named '%s'",
				       be_name);
		if (fe->sec->kind == SEC_LISTEN && fe->n_servers)
			WARN(h, be_line, "servers of listen %s not carried over: it sends to backend %s",
			     fe->sec->name, be_name);
	}
	if (fe->default_backend_line && fe->use_backend_line)
		WARN(h, fe->use_backend_line, "use_backend %s not carried over: khaxdp has no content switching (default_backend %s is used)",
		     fe->use_backend, fe->default_backend);
	else if (fe->use_backend_cond)
		WARN(h, fe->use_backend_line, "the condition of use_backend %s not carried over: khaxdp sends every connection to it",
		     fe->use_backend);
	if (!be->n_servers) {
		WARN(h, fe->sec->line, "%s %s not carried over: no server to balance over",
		     kind_word(fe->sec->kind), fe->sec->name);
		return 0;
	}
	if (!fe->bind_line) {
		WARN(h, fe->sec->line, "%s %s not carried over: it binds no address",
		     kind_word(fe->sec->kind), fe->sec->name);
		return 0;
	}
	if (out->n_services == KHAXDP_MAX_SERVICES) {
		WARN(h, fe->sec->line, "%s %s not carried over: khaxdp takes at most %d services",
		     kind_word(fe->sec->kind), fe->sec->name,
		     KHAXDP_MAX_SERVICES);
		return 0;
	}
	for (unsigned int i = 0; i < out->n_services; i++) {
		if (strcmp(out->services[i].listen, fe->bind))
			continue;
		WARN(h, fe->bind_line, "%s %s not carried over: it binds %s as %s does (line %d), and khaxdp balances an address:port once",
		     kind_word(fe->sec->kind), fe->sec->name, fe->bind,
		     out->services[i].frontend, out->services[i].bind_line);
		return 0;
	}
	be->used = true;
	svc = &out->services[out->n_services];
	memset(svc, 0, sizeof(*svc));
	clean_name(h, be->sec->line, kind_word(be->sec->kind), be->sec->name,
		   name);
	if (name_taken(out, name)) {
		/* A second frontend of the same backend: its own name. */
		char base[KHAXDP_NAME_LEN];

		clean_name(h, fe->sec->line, kind_word(fe->sec->kind),
			   fe->sec->name, name);
		snprintf(base, sizeof(base), "%s", name);
		for (unsigned int i = 2; name_taken(out, name) && i < 100; i++)
			snprintf(name, sizeof(name), "%.24s-%u", base, i % 100);
	}
	out->n_services++;
	snprintf(svc->name, sizeof(svc->name), "%s", name);
	snprintf(svc->frontend, sizeof(svc->frontend), "%s %s",
		 kind_word(fe->sec->kind), fe->sec->name);
	svc->frontend_line = fe->sec->line;
	if (be != fe) {
		snprintf(svc->backend, sizeof(svc->backend), "backend %s",
			 be->sec->name);
		svc->backend_line = be->sec->line;
	}
	snprintf(svc->listen, sizeof(svc->listen), "%s", fe->bind);
	svc->listen_any = fe->bind_any;
	svc->port = fe->port;
	svc->bind_line = fe->bind_line;

	if (!strcmp(fe->set.mode, "http"))
		WARN(h, fe->set.mode_line ? fe->set.mode_line : fe->sec->line,
		     "mode http (%s) not carried over: khaxdp balances TCP connections, HTTP passes through untouched",
		     svc->frontend);
	if (strcmp(be->set.balance, "roundrobin"))
		WARN(h, be->set.balance_line, "balance %s not carried over: khaxdp balances round robin",
		     be->set.balance);
	svc_timeout(svc, fe, be);
	svc_check(h, svc, be);
	for (unsigned int i = 0; i < be->n_servers; i++)
		svc->servers[svc->n_servers++] = be->servers[i].s;
	return 0;
}

static int pair_proxies(struct hap *h)
{
	int err;

	for (size_t i = 0; i < h->n; i++) {
		struct proxy *px = &h->p[i];

		if (px->sec->kind == SEC_BACKEND)
			continue;
		if (is_stats(px))
			err = make_stats(h, px);
		else
			err = make_service(h, px);
		if (err)
			return err;
		if (px->has_stats && !is_stats(px))
			WARN(h, px->stats_line, "stats in %s %s not carried over: khaxdp's page is a [stats] section of its own",
			     kind_word(px->sec->kind), px->sec->name);
	}
	for (size_t i = 0; i < h->n; i++) {
		struct proxy *px = &h->p[i];

		if (px->sec->kind == SEC_BACKEND && !px->used)
			WARN(h, px->sec->line, "backend %s not carried over: no frontend uses it",
			     px->sec->name);
	}
	return 0;
}

int kx_import_haproxy(const char *file, const char *text,
		      struct kx_imp_haproxy *out, struct kx_imp_warnings *w)
{
	struct hfile f = {};
	struct hap h = { .file = file, .w = w, .out = out };
	int err;

	memset(out, 0, sizeof(*out));
	out->file = file;
	h.p = calloc(MAX_PROXIES, sizeof(*h.p));
	if (!h.p)
		return oom();
	err = split_sections(file, text, &f);
	if (!err)
		err = read_proxies(&h, &f);
	if (!err)
		err = pair_proxies(&h);
	hfile_free(&f);
	free(h.p);
	return err;
}
