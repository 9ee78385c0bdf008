// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * import_keepalived.c - keepalived.conf into the import model.
 *
 * The text becomes a tree first: a statement is the words of one line, and
 * a '{' (on that line or the next) opens its block. Unbalanced braces and
 * unknown top-level keywords are errors. Then global_defs, vrrp_script and
 * each vrrp_instance are read; everything else is warned about.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "util.h"

#define MAX_DEPTH	16
#define MAX_SCRIPTS	32

enum tok_kind { TOK_WORD, TOK_OPEN, TOK_CLOSE };

struct tok {
	enum tok_kind kind;
	int line;
	char *s;		/* TOK_WORD */
};

struct knode {
	int line;
	int argc;
	char **argv;		/* into the token strings */
	bool block;
	size_t n;
	struct knode *kids;
};

struct kparse {
	const char *file;
	struct tok *t;
	size_t n_tok, cap_tok, pos;
};

struct script {
	const struct knode *node;
	char command[KX_IMP_TEXT_LEN];
	int weight;
	bool used;
};

struct ka {
	const char *file;
	struct kx_imp_warnings *w;
	struct kx_imp_keepalived *out;
	unsigned int version;		/* global_defs vrrp_version, 0: none */
	int garp_repeat;
	uint64_t garp_delay_ms;
	bool has_garp_delay;
	size_t n_scripts;
	struct script scripts[MAX_SCRIPTS];
};

#define WARN(k, line, ...) kx_imp_warn((k)->w, (k)->file, (line), __VA_ARGS__)

static int problem(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int problem(const char *file, int line, const char *fmt, ...)
{
	char msg[384];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return kx_fail(-EINVAL, "%s:%d: %s", file, line, msg);
}

/* ---- tokens -------------------------------------------------------------- */

static int push_tok(struct kparse *p, enum tok_kind kind, int line,
		    const char *s, size_t len)
{
	struct tok *t;

	if (p->n_tok == p->cap_tok) {
		size_t cap = p->cap_tok ? 2 * p->cap_tok : 64;

		t = realloc(p->t, cap * sizeof(*t));
		if (!t)
			return kx_fail(-ENOMEM, "out of memory");
		p->t = t;
		p->cap_tok = cap;
	}
	t = &p->t[p->n_tok];
	t->kind = kind;
	t->line = line;
	t->s = NULL;
	if (kind == TOK_WORD) {
		t->s = strndup(s, len);
		if (!t->s)
			return kx_fail(-ENOMEM, "out of memory");
	}
	p->n_tok++;
	return 0;
}

/* Words, "quoted strings", braces; '!' and '#' start a comment. */
static int tokenize(struct kparse *p, const char *text)
{
	int line = 1, err;
	const char *s = text;

	while (*s) {
		if (*s == '\n') {
			line++;
			s++;
		} else if (isspace((unsigned char)*s)) {
			s++;
		} else if (*s == '!' || *s == '#') {
			s += strcspn(s, "\n");
		} else if (*s == '{' || *s == '}') {
			err = push_tok(p, *s == '{' ? TOK_OPEN : TOK_CLOSE,
				       line, NULL, 0);
			if (err)
				return err;
			s++;
		} else if (*s == '"') {
			size_t len = strcspn(s + 1, "\"\n");

			if (s[1 + len] != '"')
				return problem(p->file, line, "unterminated quote");
			err = push_tok(p, TOK_WORD, line, s + 1, len);
			if (err)
				return err;
			s += len + 2;
		} else {
			size_t len = strcspn(s, " \t\r\n{}\"");

			err = push_tok(p, TOK_WORD, line, s, len);
			if (err)
				return err;
			s += len;
		}
	}
	return 0;
}

/* ---- the tree ------------------------------------------------------------ */

static void node_free(struct knode *n)
{
	for (size_t i = 0; i < n->n; i++)
		node_free(&n->kids[i]);
	free(n->kids);
	free(n->argv);
}

static int parse_block(struct kparse *p, struct knode *parent, int depth,
		       int open_line)
{
	for (;;) {
		struct tok *t;
		struct knode *n;
		int line;

		if (p->pos == p->n_tok) {
			if (depth)
				return problem(p->file, open_line, "'{' is never closed");
			return 0;
		}
		t = &p->t[p->pos];
		if (t->kind == TOK_CLOSE) {
			p->pos++;
			if (!depth)
				return problem(p->file, t->line, "unexpected '}' (no block open)");
			return 0;
		}
		if (t->kind == TOK_OPEN)
			return problem(p->file, t->line, "'{' without a keyword before it");

		n = realloc(parent->kids, (parent->n + 1) * sizeof(*n));
		if (!n)
			return kx_fail(-ENOMEM, "out of memory");
		parent->kids = n;
		n = &parent->kids[parent->n++];
		memset(n, 0, sizeof(*n));
		line = n->line = t->line;
		while (p->pos < p->n_tok && p->t[p->pos].kind == TOK_WORD &&
		       p->t[p->pos].line == line) {
			char **argv = realloc(n->argv,
					      (n->argc + 2) * sizeof(char *));

			if (!argv)
				return kx_fail(-ENOMEM, "out of memory");
			n->argv = argv;
			n->argv[n->argc++] = p->t[p->pos++].s;
			n->argv[n->argc] = NULL;
		}
		if (p->pos < p->n_tok && p->t[p->pos].kind == TOK_OPEN) {
			int err;

			if (depth + 1 > MAX_DEPTH)
				return problem(p->file, p->t[p->pos].line,
					       "blocks nested more than %d deep",
					       MAX_DEPTH);
			p->pos++;
			n->block = true;
			err = parse_block(p, n, depth + 1, line);
			if (err)
				return err;
		}
	}
}

/* ---- values -------------------------------------------------------------- */

/* keepalived's times: seconds, with decimals ("1", "0.05", "2.5"). */
static int parse_seconds(const char *s, uint64_t *ms)
{
	unsigned long whole = 0, frac = 0;
	int digits = 0;
	char *end;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	whole = strtoul(s, &end, 10);
	if (errno || whole > 1000000)
		return -ERANGE;
	if (*end == '.') {
		for (end++; isdigit((unsigned char)*end); end++, digits++) {
			if (digits == 3)
				return -EINVAL;
			frac = frac * 10 + (unsigned long)(*end - '0');
		}
		for (; digits < 3; digits++)
			frac *= 10;
	}
	if (*end)
		return -EINVAL;
	*ms = whole * 1000 + frac;
	return 0;
}

static int int_arg(const struct ka *k, const struct knode *n, long lo, long hi,
		   long *out)
{
	char *end;
	long v;

	if (n->argc != 2)
		return problem(k->file, n->line, "%s needs one number", n->argv[0]);
	errno = 0;
	v = strtol(n->argv[1], &end, 10);
	if (*end || errno || v < lo || v > hi)
		return problem(k->file, n->line, "%s: bad value '%s' (%ld-%ld)",
			       n->argv[0], n->argv[1], lo, hi);
	*out = v;
	return 0;
}

static int seconds_arg(const struct ka *k, const struct knode *n, uint64_t *ms)
{
	if (n->argc != 2 || parse_seconds(n->argv[1], ms))
		return problem(k->file, n->line, "%s: expected seconds (e.g. 1, 0.05), got '%s'",
			       n->argv[0], n->argc > 1 ? n->argv[1] : "");
	return 0;
}

static const char *words(const struct knode *n, char *buf, size_t len)
{
	buf[0] = '\0';
	for (int i = 0; i < n->argc; i++) {
		size_t used = strlen(buf);

		snprintf(buf + used, len - used, "%s%s", i ? " " : "",
			 n->argv[i]);
	}
	if (n->block && strlen(buf) + sizeof(" {...}") <= len)
		strcat(buf, " {...}");
	return buf;
}

/* The words of n after its first skip characters (its keyword and a
 * blank); "" when the words were cut before them. */
static const char *words_after(const struct knode *n, size_t skip, char *buf,
			       size_t len)
{
	words(n, buf, len);
	return strlen(buf) >= skip ? buf + skip : buf + strlen(buf);
}

static bool ipv4(const char *s)
{
	struct in_addr in;

	return inet_pton(AF_INET, s, &in) == 1;
}

/* "192.168.218.189" or "192.168.218.189/24" (AF_INET); "2001:db8::189"
 * or "2001:db8::189/64" (AF_INET6). */
static bool addr_prefix(const char *s, int family)
{
	char buf[KX_IMP_ADDR_LEN];
	struct in6_addr in;
	char *slash, *end;
	long prefix;

	if (kx_snprintf(buf, sizeof(buf), "%s", s))
		return false;
	slash = strchr(buf, '/');
	if (slash) {
		*slash = '\0';
		prefix = strtol(slash + 1, &end, 10);
		if (!slash[1] || *end || prefix < 1 ||
		    prefix > (family == AF_INET6 ? 128 : 32))
			return false;
	}
	return inet_pton(family, buf, &in) == 1;
}

static bool ipv4_prefix(const char *s)
{
	return addr_prefix(s, AF_INET);
}

/* ---- global_defs and vrrp_script ------------------------------------------ */

static int global_defs(struct ka *k, const struct knode *g)
{
	char buf[KX_IMP_TEXT_LEN];
	long v;
	int err;

	for (size_t i = 0; i < g->n; i++) {
		const struct knode *n = &g->kids[i];

		if (!strcmp(n->argv[0], "vrrp_version")) {
			err = int_arg(k, n, 2, 3, &v);
			if (err)
				return err;
			k->version = (unsigned int)v;
		} else if (!strcmp(n->argv[0], "vrrp_garp_master_repeat")) {
			err = int_arg(k, n, 1, 255, &v);
			if (err)
				return err;
			k->garp_repeat = (int)v;
		} else if (!strcmp(n->argv[0], "vrrp_garp_master_delay")) {
			err = seconds_arg(k, n, &k->garp_delay_ms);
			if (err)
				return err;
			k->has_garp_delay = true;
		} else {
			WARN(k, n->line, "global_defs %s not carried over",
			     words(n, buf, sizeof(buf)));
		}
	}
	return 0;
}

static int vrrp_script(struct ka *k, const struct knode *s)
{
	struct script *sc;
	long v;
	int err;

	if (s->argc != 2)
		return problem(k->file, s->line, "vrrp_script needs a name");
	if (k->n_scripts == MAX_SCRIPTS)
		return problem(k->file, s->line, "more than %d vrrp_script",
			       MAX_SCRIPTS);
	sc = &k->scripts[k->n_scripts++];
	memset(sc, 0, sizeof(*sc));
	sc->node = s;
	for (size_t i = 0; i < s->n; i++) {
		const struct knode *n = &s->kids[i];

		if (!strcmp(n->argv[0], "script") && n->argc >= 2) {
			char buf[KX_IMP_TEXT_LEN];

			/* `script killall -0 haproxy` unquoted: the words. */
			snprintf(sc->command, sizeof(sc->command), "%s",
				 words_after(n, strlen("script "), buf, sizeof(buf)));
		} else if (!strcmp(n->argv[0], "weight") && n->argc >= 2) {
			struct knode one = *n;

			one.argc = 2;	/* `weight -2 reverse`: the number */
			err = int_arg(k, &one, -253, 253, &v);
			if (err)
				return err;
			sc->weight = (int)v;
		}
	}
	return 0;
}

static struct script *find_script(struct ka *k, const char *name)
{
	for (size_t i = 0; i < k->n_scripts; i++)
		if (!strcmp(k->scripts[i].node->argv[1], name))
			return &k->scripts[i];
	return NULL;
}

/* The rest of a tracked script (interval, rise, ...) has no equivalent. */
static void script_leftovers(struct ka *k)
{
	char buf[KX_IMP_TEXT_LEN];

	for (size_t i = 0; i < k->n_scripts; i++) {
		const struct script *sc = &k->scripts[i];

		if (!sc->used) {
			WARN(k, sc->node->line, "vrrp_script %s not carried over: no vrrp_instance tracks it in a way khaxdp can",
			     sc->node->argv[1]);
			continue;
		}
		for (size_t j = 0; j < sc->node->n; j++) {
			const struct knode *n = &sc->node->kids[j];

			if (strcmp(n->argv[0], "script") &&
			    strcmp(n->argv[0], "weight"))
				WARN(k, n->line, "vrrp_script %s: %s not carried over: khaxdp-vrrpd watches the data plane itself",
				     sc->node->argv[1], words(n, buf, sizeof(buf)));
		}
	}
}

/* ---- vrrp_instance -------------------------------------------------------- */

static void clean_name(struct ka *k, int line, const char *name, char *out)
{
	size_t i;

	for (i = 0; name[i] && i < KHAXDP_NAME_LEN - 1; i++)
		out[i] = isalnum((unsigned char)name[i]) ||
			 strchr("_.-", name[i]) ? name[i] : '_';
	out[i] = '\0';
	if (strcmp(out, name))
		WARN(k, line, "vrrp_instance name '%s' not carried over as it is: written '%s'",
		     name, out);
}

/* virtual_ipaddress (excluded: virtual_ipaddress_excluded). The first
 * address decides the instance's family, as keepalived decides it; an
 * address of the other family goes to the excluded ones, as keepalived
 * moves it: khaxdp-vrrpd holds it with the instance, unadvertised. */
static int vips(struct ka *k, struct kx_imp_vrrp *v, const struct knode *b,
		bool excluded)
{
	const char *key = excluded ? "virtual_ipaddress_excluded" :
				     "virtual_ipaddress";
	char buf[KX_IMP_TEXT_LEN];

	for (size_t i = 0; i < b->n; i++) {
		const struct knode *n = &b->kids[i];
		bool v6 = addr_prefix(n->argv[0], AF_INET6), other;
		int extra = 1;

		if (!ipv4_prefix(n->argv[0]) && !v6)
			return problem(k->file, n->line, "%s: bad address '%s' (expected IPv4[/PREFIX] or IPv6[/PREFIX])",
				       key, n->argv[0]);
		if (!excluded && !v->n_vips && !v->n_excluded)
			v->vips6 = v6;
		other = !excluded && v6 != v->vips6;
		if (other)
			WARN(k, n->line, "virtual_ipaddress %s: written as virtual_ipaddress_excluded (held with the instance, not in its %s adverts), where keepalived moves it too",
			     n->argv[0], v->vips6 ? "IPv6" : "IPv4");
		if ((excluded || other ? v->n_excluded : v->n_vips) == KX_IMP_MAX_VIPS) {
			WARN(k, n->line, "%s %s not carried over: at most %d addresses per instance",
			     key, n->argv[0], KX_IMP_MAX_VIPS);
			continue;
		}
		if (excluded || other)
			snprintf(v->excluded[v->n_excluded++], KX_IMP_ADDR_LEN,
				 "%s", n->argv[0]);
		else
			snprintf(v->vips[v->n_vips++], KX_IMP_ADDR_LEN, "%s",
				 n->argv[0]);
		if (n->argc == 3 && !strcmp(n->argv[1], "dev") &&
		    !strcmp(n->argv[2], v->interface))
			extra = 3;	/* the instance's own interface */
		if (n->argc > extra) {
			struct knode rest = *n;

			rest.argv = n->argv + extra;
			rest.argc = n->argc - extra;
			rest.block = false;
			WARN(k, n->line, "virtual_ipaddress %s: '%s' not carried over: the address goes on the instance's interface",
			     n->argv[0], words(&rest, buf, sizeof(buf)));
		}
	}
	return 0;
}

static int peers(struct ka *k, struct kx_imp_vrrp *v, const struct knode *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct knode *n = &b->kids[i];

		if (!ipv4(n->argv[0]) && !addr_prefix(n->argv[0], AF_INET6))
			return problem(k->file, n->line, "unicast_peer: bad address '%s'",
				       n->argv[0]);
		if (v->n_peers == KX_IMP_MAX_PEERS) {
			WARN(k, n->line, "unicast_peer %s not carried over: at most %d peers",
			     n->argv[0], KX_IMP_MAX_PEERS);
			continue;
		}
		snprintf(v->peers[v->n_peers++], KX_IMP_ADDR_LEN, "%s",
			 n->argv[0]);
		if (n->argc > 1)
			WARN(k, n->line, "unicast_peer %s: '%s ...' not carried over",
			     n->argv[0], n->argv[1]);
	}
	return 0;
}

static int authentication(struct ka *k, struct kx_imp_vrrp *v,
			  const struct knode *b)
{
	const char *type = NULL, *pass = NULL;
	int pass_line = b->line;

	for (size_t i = 0; i < b->n; i++) {
		const struct knode *n = &b->kids[i];

		if (!strcmp(n->argv[0], "auth_type") && n->argc == 2) {
			type = n->argv[1];
		} else if (!strcmp(n->argv[0], "auth_pass") && n->argc == 2) {
			pass = n->argv[1];
			pass_line = n->line;
		} else {
			WARN(k, n->line, "authentication: %s not carried over",
			     n->argv[0]);
		}
	}
	if (!type || strcmp(type, "PASS")) {
		WARN(k, b->line, "authentication (auth_type %s) not carried over: khaxdp-vrrpd does PASS only",
		     type ? type : "none");
		return 0;
	}
	if (!pass || !*pass)
		return problem(k->file, b->line, "authentication: auth_type PASS without auth_pass");
	if (strlen(pass) > KX_IMP_AUTH_LEN)
		WARN(k, pass_line, "auth_pass beyond %d characters not carried over: keepalived sends only the first %d too",
		     KX_IMP_AUTH_LEN, KX_IMP_AUTH_LEN);
	v->has_auth = true;
	snprintf(v->auth_pass, sizeof(v->auth_pass), "%.*s", KX_IMP_AUTH_LEN,
		 pass);
	return 0;
}

static enum kx_imp_track script_kind(const char *command)
{
	if (strstr(command, "haproxy"))
		return KX_IMP_TRACK_LB;		/* killall -0, pidof, ... */
	if (strstr(command, "apiserver"))
		return KX_IMP_TRACK_APISERVER;	/* kubeadm's guide */
	return KX_IMP_TRACK_NONE;
}

static int track_scripts(struct ka *k, struct kx_imp_vrrp *v,
			 const struct knode *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct knode *n = &b->kids[i];
		struct script *sc = find_script(k, n->argv[0]);
		enum kx_imp_track kind;
		int weight;
		long w;

		if (!sc) {
			WARN(k, n->line, "track_script %s not carried over: no vrrp_script of that name",
			     n->argv[0]);
			continue;
		}
		weight = sc->weight;
		for (int j = 1; j < n->argc; j++) {
			if (!strcmp(n->argv[j], "weight") && j + 1 < n->argc) {
				struct knode one = { .line = n->line, .argc = 2,
						     .argv = n->argv + j };

				if (int_arg(k, &one, -253, 253, &w))
					return -EINVAL;
				weight = (int)w;
				j++;
			} else {
				WARN(k, n->line, "track_script %s: %s not carried over",
				     n->argv[0], n->argv[j]);
			}
		}
		kind = script_kind(sc->command);
		if (kind == KX_IMP_TRACK_NONE) {
			WARN(k, n->line, "track_script %s (\"%s\") not carried over: khaxdp-vrrpd tracks only its own data plane (track_dataplane)",
			     n->argv[0], sc->command);
			continue;
		}
		if (v->track) {
			WARN(k, n->line, "track_script %s not carried over: already tracking the load balancer with %s",
			     n->argv[0], v->track_script);
			continue;
		}
		sc->used = true;
		v->track = kind;
		v->track_weight = weight;
		snprintf(v->track_script, sizeof(v->track_script), "%s",
			 n->argv[0]);
		snprintf(v->track_command, sizeof(v->track_command), "%s",
			 sc->command);
	}
	return 0;
}

static int notify(struct ka *k, struct kx_imp_vrrp *v, const struct knode *n,
		  enum kx_imp_notify kind)
{
	char buf[KX_IMP_TEXT_LEN];
	const char *cmd;

	if (n->argc < 2)
		return problem(k->file, n->line, "%s needs a script", n->argv[0]);
	cmd = words_after(n, strlen(n->argv[0]) + 1, buf, sizeof(buf));
	if (cmd[0] != '/') {
		WARN(k, n->line, "%s %s not carried over: khaxdp-vrrpd runs an absolute path without a shell",
		     n->argv[0], cmd);
		return 0;
	}
	snprintf(v->notify[kind], sizeof(v->notify[kind]), "%s", cmd);
	return 0;
}

static int instance_key(struct ka *k, struct kx_imp_vrrp *v,
			const struct knode *n)
{
	static const char *const notify_keys[KX_IMP_NOTIFY_KINDS] = {
		"notify_master", "notify_backup", "notify_fault", "notify",
	};
	const char *key = n->argv[0];
	char buf[KX_IMP_TEXT_LEN];
	long val;
	int err;

	if (n->block) {
		if (!strcmp(key, "virtual_ipaddress"))
			return vips(k, v, n, false);
		if (!strcmp(key, "virtual_ipaddress_excluded"))
			return vips(k, v, n, true);
		if (!strcmp(key, "unicast_peer"))
			return peers(k, v, n);
		if (!strcmp(key, "authentication"))
			return authentication(k, v, n);
		if (!strcmp(key, "track_script"))
			return track_scripts(k, v, n);
		WARN(k, n->line, "%s not carried over", words(n, buf, sizeof(buf)));
		return 0;
	}
	for (int i = 0; i < KX_IMP_NOTIFY_KINDS; i++)
		if (!strcmp(key, notify_keys[i]))
			return notify(k, v, n, (enum kx_imp_notify)i);
	if (!strcmp(key, "state") && n->argc == 2) {
		snprintf(v->state, sizeof(v->state), "%s", n->argv[1]);
		v->state_line = n->line;
	} else if (!strcmp(key, "interface") && n->argc == 2) {
		if (kx_snprintf(v->interface, sizeof(v->interface), "%s",
				n->argv[1]))
			return problem(k->file, n->line, "interface: name too long");
	} else if (!strcmp(key, "virtual_router_id")) {
		err = int_arg(k, n, 1, 255, &val);
		v->vrid = (unsigned int)val;
		return err;
	} else if (!strcmp(key, "priority")) {
		err = int_arg(k, n, 1, 255, &val);
		v->priority = (unsigned int)val;
		return err;
	} else if (!strcmp(key, "advert_int")) {
		return seconds_arg(k, n, &v->advert_int_ms);
	} else if (!strcmp(key, "version")) {
		err = int_arg(k, n, 2, 3, &val);
		v->version = (unsigned int)val;
		v->version_given = true;
		return err;
	} else if (!strcmp(key, "nopreempt") && n->argc == 1) {
		v->nopreempt = true;
	} else if (!strcmp(key, "preempt") && n->argc == 1) {
		v->nopreempt = false;
	} else if (!strcmp(key, "preempt_delay")) {
		v->has_preempt_delay = true;
		return seconds_arg(k, n, &v->preempt_delay_ms);
	} else if (!strcmp(key, "unicast_src_ip") && n->argc == 2) {
		if (!ipv4(n->argv[1]) && !addr_prefix(n->argv[1], AF_INET6))
			return problem(k->file, n->line, "unicast_src_ip: bad address '%s'",
				       n->argv[1]);
		snprintf(v->unicast_src, sizeof(v->unicast_src), "%s",
			 n->argv[1]);
	} else if (!strcmp(key, "garp_master_repeat")) {
		err = int_arg(k, n, 1, 255, &val);
		v->garp_repeat = (int)val;
		return err;
	} else if (!strcmp(key, "garp_master_delay")) {
		v->has_garp_delay = true;
		return seconds_arg(k, n, &v->garp_delay_ms);
	} else {
		WARN(k, n->line, "%s not carried over", words(n, buf, sizeof(buf)));
	}
	return 0;
}

static int vrrp_instance(struct ka *k, const struct knode *node)
{
	struct kx_imp_keepalived *out = k->out;
	struct kx_imp_vrrp *v;
	int err;

	if (node->argc != 2)
		return problem(k->file, node->line, "vrrp_instance needs a name");
	if (out->n == KX_IMP_MAX_VRRP) {
		WARN(k, node->line, "vrrp_instance %s not carried over: at most %d instances",
		     node->argv[1], KX_IMP_MAX_VRRP);
		return 0;
	}
	v = &out->inst[out->n++];
	memset(v, 0, sizeof(*v));
	clean_name(k, node->line, node->argv[1], v->name);
	v->line = node->line;
	/* The interface first: virtual_ipaddress ... dev X compares to it. */
	for (size_t i = 0; i < node->n; i++)
		if (!strcmp(node->kids[i].argv[0], "interface") &&
		    node->kids[i].argc == 2)
			snprintf(v->interface, sizeof(v->interface), "%s",
				 node->kids[i].argv[1]);
	for (size_t i = 0; i < node->n; i++) {
		err = instance_key(k, v, &node->kids[i]);
		if (err)
			return err;
	}
	if (!v->version_given)
		v->version = k->version ? k->version : 2;
	v->version_given = v->version_given || k->version;
	if (!v->garp_repeat)
		v->garp_repeat = k->garp_repeat;
	if (!v->has_garp_delay && k->has_garp_delay) {
		v->has_garp_delay = true;
		v->garp_delay_ms = k->garp_delay_ms;
	}
	if (!v->interface[0])
		return problem(k->file, node->line, "vrrp_instance %s has no interface",
			       node->argv[1]);
	if (!v->vrid)
		return problem(k->file, node->line, "vrrp_instance %s has no virtual_router_id",
			       node->argv[1]);
	if (!v->n_vips)
		return problem(k->file, node->line, "vrrp_instance %s has no virtual_ipaddress",
			       node->argv[1]);
	if (v->vips6 && v->version != 3) {
		WARN(k, node->line, "vrrp_instance %s: version 3 written: VRRP over IPv6 is version 3 (RFC 5798)",
		     node->argv[1]);
		v->version = 3;
	}
	if (v->has_auth && v->version == 3) {
		WARN(k, node->line, "authentication of vrrp_instance %s not carried over: VRRPv3 has none (keepalived ignores it too)",
		     node->argv[1]);
		v->has_auth = false;
	}
	return 0;
}

/* ---- top level ------------------------------------------------------------ */

static const char *const no_equivalent[] = {
	"vrrp_sync_group", "virtual_server", "virtual_server_group",
	"static_ipaddress", "static_routes", "static_rules", "include",
	"vrrp_track_process", "track_process", "vrrp_track_file", "track_file",
	"linkbeat_interfaces", "garp_group", "net_namespace", "instance",
	"bfd_instance", "local_address_group", "use_pid_dir",
	"linkbeat_use_polling", "net_namespace_ipvs",
};

static int top_level(struct ka *k, const struct knode *root)
{
	char buf[KX_IMP_TEXT_LEN];
	int err;

	/* Scripts first: an instance may come before its script. */
	for (size_t i = 0; i < root->n; i++) {
		const struct knode *n = &root->kids[i];

		if (!strcmp(n->argv[0], "vrrp_script") && n->block) {
			err = vrrp_script(k, n);
			if (err)
				return err;
		}
	}
	for (size_t i = 0; i < root->n; i++) {
		const struct knode *n = &root->kids[i];
		const char *key = n->argv[0];
		bool known = false;

		if (!strcmp(key, "global_defs") || !strcmp(key, "vrrp_script") ||
		    !strcmp(key, "vrrp_instance")) {
			if (!n->block)
				return problem(k->file, n->line, "%s needs a { block }",
					       key);
			err = 0;
			if (!strcmp(key, "global_defs"))
				err = global_defs(k, n);
			else if (!strcmp(key, "vrrp_instance"))
				err = vrrp_instance(k, n);
			if (err)
				return err;
			continue;
		}
		for (size_t j = 0; j < KX_ARRAY_SIZE(no_equivalent); j++)
			if (!strcmp(key, no_equivalent[j]))
				known = true;
		if (!known)
			return problem(k->file, n->line, "unknown keyword '%s' at the top level",
				       key);
		WARN(k, n->line, "%s not carried over%s", words(n, buf, sizeof(buf)),
		     !strcmp(key, "include") ? ": import the included file as well" : "");
	}
	script_leftovers(k);
	if (!k->out->n)
		return problem(k->file, 1, "no vrrp_instance");
	return 0;
}

int kx_import_keepalived(const char *file, const char *text,
			 struct kx_imp_keepalived *out,
			 struct kx_imp_warnings *w)
{
	struct kparse p = { .file = file };
	struct knode root = {};
	struct ka *k;
	int err;

	memset(out, 0, sizeof(*out));
	out->file = file;
	k = calloc(1, sizeof(*k));
	if (!k)
		return kx_fail(-ENOMEM, "out of memory");
	k->file = file;
	k->w = w;
	k->out = out;
	err = tokenize(&p, text);
	if (!err)
		err = parse_block(&p, &root, 0, 0);
	if (!err)
		err = top_level(k, &root);
	node_free(&root);
	for (size_t i = 0; i < p.n_tok; i++)
		free(p.t[i].s);
	free(p.t);
	free(k);
	return err;
}
