// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_stats.c - the stats page's renderings (vrrp/stats.c): /metrics is
 * checked line by line against the Prometheus text exposition format by a
 * strict parser written here (Debian ships no promtool), /status.json by a
 * strict JSON parser, the HTML for what a person looks for.
 */
#include <ctype.h>
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "vrrp/stats.h"
#include "loader/util.h"

/* ---- a model as the server would collect it ------------------------------- */

static void add_backend(struct stats_model *m, const char *name,
			const char *status, bool checked, uint64_t base)
{
	struct stats_backend *b = &m->backends[m->n_backends++];

	snprintf(b->service, sizeof(b->service), "apiserver");
	snprintf(b->name, sizeof(b->name), "%s", name);
	snprintf(b->addr, sizeof(b->addr), "192.168.218.%lu:6443",
		 (unsigned long)(170 + m->n_backends));
	b->in_map = true;
	b->status = status;
	b->up = !strcmp(status, "UP") || !strcmp(status, "DRAIN");
	b->checked = checked;
	b->check_up = b->up;
	snprintf(b->check, sizeof(b->check), checked ? "https /readyz" : "none");
	b->last_ok = b->up;
	snprintf(b->last, sizeof(b->last), b->up ? "HTTP status 200" :
		 "HTTP status 500 <\"quoted\">");
	b->since_change_ms = 3723000;
	b->since_check_ms = 1200;
	b->checks = base + 10;
	b->check_failures = b->up ? 0 : 4;
	/* The data plane's view, as a snapshot gives it. */
	b->dp.id = m->n_backends - 1;
	snprintf(b->dp.service, sizeof(b->dp.service), "apiserver");
	snprintf(b->dp.name, sizeof(b->dp.name), "%s", name);
	memcpy(b->dp.address, b->addr, sizeof(b->addr));
	b->dp.health = b->up ? KHAXDP_HEALTH_UP : KHAXDP_HEALTH_DOWN;
	b->dp.admin = !strcmp(status, "DRAIN") ? KHAXDP_ADMIN_DRAIN :
		      !strcmp(status, "MAINT") ? KHAXDP_ADMIN_DISABLED :
						 KHAXDP_ADMIN_ENABLED;
	b->dp.counters.flows_opened = base;
	b->dp.active_flows = base / 10;
	b->dp.counters.packets_in = base * 12;
	b->dp.counters.bytes_in = base * 1300;
	b->dp.counters.packets_out = base * 11;
	b->dp.counters.bytes_out = base * 123456;
}

static struct stats_model *make_model(void)
{
	struct stats_model *m = calloc(1, sizeof(*m));
	uint8_t a6[16];

	assert_non_null(m);
	snprintf(m->node, sizeof(m->node), "192.168.218.171");
	m->attached = true;
	m->active = true;
	m->uptime_ms = 90061000;
	m->n_services = 1;
	snprintf(m->services[0].name, sizeof(m->services[0].name), "apiserver");
	snprintf(m->services[0].listen, sizeof(m->services[0].listen),
		 "192.168.218.189:7443");
	add_backend(m, "control1", "UP", true, 100);
	add_backend(m, "control2", "DRAIN", true, 12345678);
	add_backend(m, "control3", "DOWN", true, 7);
	add_backend(m, "control4", "MAINT", false, 0);
	m->services[0].first = 0;
	m->services[0].n = m->n_backends;
	for (unsigned int s = 0; s < KHAXDP_STAT_MAX; s++)
		m->datapath[s] = s * 1000;
	m->n_vrrp = 1;
	/* A name with the characters a label value must escape. */
	snprintf(m->vrrp[0].instance, sizeof(m->vrrp[0].instance), "VI_\"1\\");
	snprintf(m->vrrp[0].interface, sizeof(m->vrrp[0].interface), "ens33");
	m->vrrp[0].vrid = 51;
	m->vrrp[0].state = "MASTER";
	m->vrrp[0].priority = 103;
	m->vrrp[0].base_priority = 101;
	snprintf(m->vrrp[0].master, sizeof(m->vrrp[0].master), "192.168.218.171");
	snprintf(m->vrrp[0].vips, sizeof(m->vrrp[0].vips), "192.168.218.189/24");
	/* Flow sync: this node sends; one peer heard 1.5 s ago, one never. */
	m->sync.enabled = true;
	m->sync.port = 7448;
	m->sync.sending = true;
	m->sync.attached = true;
	m->sync.msgs_sent = 40;
	m->sync.events_sent = 300;
	m->sync.lag_ms = 21;
	m->sync.rx_drop[SYNC_RX_AUTH_BAD] = 2;
	m->sync.n_peers = 2;
	m->sync.now_ns = 10000000000ull;
	m->sync.peers[0].addr = vrrp_ip4(htonl(0xc0a8daac));	/* 192.168.218.172 */
	m->sync.peers[0].last_ns = 8500000000ull;
	m->sync.peers[0].flows = 64;
	m->sync.peers[0].installed = 21;
	m->sync.peers[0].gaps = 3;
	inet_pton(AF_INET6, "2001:db8:218::173", a6);
	m->sync.peers[1].addr = vrrp_ip6(a6);		/* never heard */
	return m;
}

typedef void (*render_fn)(const struct stats_model *m, FILE *out);

static char *render(const struct stats_model *m, render_fn fn)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	assert_non_null(out);
	fn(m, out);
	fclose(out);
	return buf;
}

/* The sync state file, as a render_fn. */
static void sync_state_of(const struct stats_model *m, FILE *out)
{
	stats_render_sync_state(&m->sync, out);
}

/* ---- a strict parser of the Prometheus text format (0.0.4) ----------------- */

#define MAX_FAMILIES	64
#define MAX_SERIES	512

struct prom {
	int line;
	char err[256];
	char fam[MAX_FAMILIES][96];	/* families in order */
	char type[MAX_FAMILIES][16];
	bool help[MAX_FAMILIES];
	bool has_samples[MAX_FAMILIES];
	int n_fam;
	int cur;			/* family of the last sample, -1 */
	char series[MAX_SERIES][256];	/* name{sorted labels} */
	double value[MAX_SERIES];
	int n_series;
};

static bool perr(struct prom *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, sizeof(p->err), fmt, ap);
	va_end(ap);
	return false;
}

static size_t name_len(const char *s, bool metric)
{
	size_t n = 0;

	if (!(isalpha((unsigned char)s[0]) || s[0] == '_' ||
	      (metric && s[0] == ':')))
		return 0;
	while (isalnum((unsigned char)s[n]) || s[n] == '_' ||
	       (metric && s[n] == ':'))
		n++;
	return n;
}

static int family(struct prom *p, const char *name, size_t len, bool add)
{
	for (int i = 0; i < p->n_fam; i++)
		if (strlen(p->fam[i]) == len && !strncmp(p->fam[i], name, len))
			return i;
	if (!add || p->n_fam == MAX_FAMILIES || len >= sizeof(p->fam[0]))
		return -1;
	snprintf(p->fam[p->n_fam], sizeof(p->fam[0]), "%.*s", (int)len, name);
	return p->n_fam++;
}

static bool parse_comment(struct prom *p, const char *s)
{
	static const char *const types[] = { "counter", "gauge", "histogram",
					     "summary", "untyped" };
	bool is_help = !strncmp(s, "# HELP ", 7);
	size_t n;
	int f;

	if (!is_help && strncmp(s, "# TYPE ", 7))
		return true;	/* other comments are allowed */
	s += 7;
	n = name_len(s, true);
	if (!n || s[n] != ' ')
		return perr(p, "bad metric name after HELP/TYPE");
	f = family(p, s, n, true);
	if (f < 0)
		return perr(p, "too many families");
	if (p->has_samples[f])
		return perr(p, "%s: HELP/TYPE after its samples", p->fam[f]);
	s += n + 1;
	if (is_help) {
		if (p->help[f])
			return perr(p, "%s: second HELP", p->fam[f]);
		p->help[f] = true;
		for (; *s; s++)
			if (*s == '\\' && s[1] != '\\' && s[1] != 'n')
				return perr(p, "bad escape in HELP");
			else if (*s == '\\')
				s++;
		return true;
	}
	if (p->type[f][0])
		return perr(p, "%s: second TYPE", p->fam[f]);
	for (size_t i = 0; i < KX_ARRAY_SIZE(types); i++)
		if (!strcmp(s, types[i])) {
			snprintf(p->type[f], sizeof(p->type[f]), "%s", s);
			return true;
		}
	return perr(p, "unknown type '%s'", s);
}

/* label="value" pairs; appends ",name=value" to key, checks escapes. */
static const char *parse_labels(struct prom *p, const char *s, char *key,
				size_t cap)
{
	char names[16][64];
	int n_names = 0;
	const char *value;

	for (s++; *s != '}';) {
		size_t n = name_len(s, false);

		if (!n || n >= sizeof(names[0]) || s[n] != '=' || s[n + 1] != '"')
			return perr(p, "bad label at '%.20s'", s), NULL;
		if (!strncmp(s, "__", 2))
			return perr(p, "reserved label name"), NULL;
		for (int i = 0; i < n_names; i++)
			if (strlen(names[i]) == n && !strncmp(names[i], s, n))
				return perr(p, "duplicate label %.*s", (int)n, s), NULL;
		if (n_names == 16)
			return perr(p, "too many labels"), NULL;
		snprintf(names[n_names++], sizeof(names[0]), "%.*s", (int)n, s);
		snprintf(key + strlen(key), cap - strlen(key), ",%.*s=", (int)n, s);
		value = s + n + 1;
		for (s += n + 2; *s != '"'; s++) {
			if (!*s || *s == '\n')
				return perr(p, "unterminated label value"), NULL;
			if (*s == '\\' && !strchr("\\\"n", s[1]))
				return perr(p, "bad escape in label value"), NULL;
			if (*s == '\\')
				s++;
		}
		s++;
		snprintf(key + strlen(key), cap - strlen(key), "%.*s",
			 (int)(s - value), value);
		if (*s == ',')
			s++;
		else if (*s != '}')
			return perr(p, "expected , or } at '%.20s'", s), NULL;
	}
	return s + 1;
}

static bool parse_value(struct prom *p, const char *s, double *v)
{
	char *end;

	if (!strcmp(s, "NaN") || !strcmp(s, "+Inf") || !strcmp(s, "-Inf"))
		return *v = 0, true;
	*v = strtod(s, &end);
	if (end == s)
		return perr(p, "bad value '%s'", s);
	if (*end == ' ') {	/* an optional timestamp: an integer */
		for (end++; isdigit((unsigned char)*end) || *end == '-'; end++)
			;
	}
	return *end ? perr(p, "trailing '%s'", end) : true;
}

static bool parse_sample(struct prom *p, const char *s)
{
	char key[256];
	size_t n = name_len(s, true);
	int f;

	if (!n)
		return perr(p, "bad metric name at '%.20s'", s);
	f = family(p, s, n, false);
	if (f < 0 || !p->type[f][0])
		return perr(p, "%.*s: sample without TYPE", (int)n, s);
	if (p->has_samples[f] && p->cur != f)
		return perr(p, "%s: samples not together", p->fam[f]);
	if (!strcmp(p->type[f], "counter") &&
	    (n < 6 || strncmp(s + n - 6, "_total", 6)))
		return perr(p, "%s: counter not ending in _total", p->fam[f]);
	p->has_samples[f] = true;
	p->cur = f;
	snprintf(key, sizeof(key), "%.*s", (int)n, s);
	s += n;
	if (*s == '{') {
		s = parse_labels(p, s, key, sizeof(key));
		if (!s)
			return false;
	}
	if (*s != ' ')
		return perr(p, "expected a blank before the value");
	for (int i = 0; i < p->n_series; i++)
		if (!strcmp(p->series[i], key))
			return perr(p, "duplicate series %s", key);
	if (p->n_series == MAX_SERIES)
		return perr(p, "too many series");
	snprintf(p->series[p->n_series], sizeof(p->series[0]), "%s", key);
	return parse_value(p, s + 1, &p->value[p->n_series++]);
}

/* 0 or the line of the first problem (p->err says which). */
static int prom_parse(struct prom *p, char *text)
{
	char *line, *next;

	memset(p, 0, sizeof(*p));
	p->cur = -1;
	if (!*text || text[strlen(text) - 1] != '\n')
		return perr(p, "does not end with a newline"), -1;
	for (line = text; *line; line = next) {
		bool good;

		next = strchr(line, '\n');
		*next++ = '\0';
		p->line++;
		if (!*line)
			continue;
		good = line[0] == '#' ? parse_comment(p, line) :
					parse_sample(p, line);
		if (!good)
			return p->line;
	}
	for (int f = 0; f < p->n_fam; f++)
		if (!p->help[f] || !p->type[f][0])
			return perr(p, "%s: no HELP or TYPE", p->fam[f]), -1;
	return 0;
}

static double prom_get(const struct prom *p, const char *series)
{
	for (int i = 0; i < p->n_series; i++)
		if (!strcmp(p->series[i], series))
			return p->value[i];
	fail_msg("series %s not in /metrics", series);
	return -1;
}

/* ---- a strict JSON parser ----------------------------------------------------- */

static const char *json_value(const char *s, int depth);

static const char *ws(const char *s)
{
	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	return s;
}

static const char *json_string(const char *s)
{
	if (*s++ != '"')
		return NULL;
	for (; *s != '"'; s++) {
		if ((unsigned char)*s < 0x20)
			return NULL;
		if (*s != '\\')
			continue;
		s++;
		if (*s == 'u') {
			for (int i = 1; i <= 4; i++)
				if (!isxdigit((unsigned char)s[i]))
					return NULL;
			s += 4;
		} else if (!strchr("\"\\/bfnrt", *s) || !*s) {
			return NULL;
		}
	}
	return s + 1;
}

static const char *json_number(const char *s)
{
	const char *start;

	if (*s == '-')
		s++;
	if (*s == '0')
		s++;
	else if (isdigit((unsigned char)*s))
		while (isdigit((unsigned char)*s))
			s++;
	else
		return NULL;
	if (*s == '.') {
		start = ++s;
		while (isdigit((unsigned char)*s))
			s++;
		if (s == start)
			return NULL;
	}
	if (*s == 'e' || *s == 'E') {
		s++;
		if (*s == '+' || *s == '-')
			s++;
		start = s;
		while (isdigit((unsigned char)*s))
			s++;
		if (s == start)
			return NULL;
	}
	return s;
}

/* [ v, v ] or { "k": v, ... } */
static const char *json_container(const char *s, int depth, bool object)
{
	char close = object ? '}' : ']';

	s = ws(s + 1);
	if (*s == close)
		return s + 1;
	for (;;) {
		if (object) {
			s = json_string(s);
			if (!s)
				return NULL;
			s = ws(s);
			if (*s++ != ':')
				return NULL;
		}
		s = json_value(ws(s), depth + 1);
		if (!s)
			return NULL;
		s = ws(s);
		if (*s == close)
			return s + 1;
		if (*s++ != ',')
			return NULL;
		s = ws(s);
	}
}

static const char *json_value(const char *s, int depth)
{
	if (depth > 32)
		return NULL;
	if (*s == '{' || *s == '[')
		return json_container(s, depth, *s == '{');
	if (*s == '"')
		return json_string(s);
	if (!strncmp(s, "true", 4))
		return s + 4;
	if (!strncmp(s, "false", 5))
		return s + 5;
	if (!strncmp(s, "null", 4))
		return s + 4;
	return json_number(s);
}

static bool json_valid(const char *s, const char **where)
{
	const char *end = json_value(ws(s), 0);

	*where = end;
	return end && !*ws(end);
}

/* ---- tests --------------------------------------------------------------------- */

static void test_metrics_format(void **state)
{
	struct stats_model *m = make_model();
	char *text = render(m, stats_render_metrics);
	struct prom *p = malloc(sizeof(*p));
	int line;

	(void)state;
	line = prom_parse(p, text);
	if (line)
		fail_msg("/metrics line %d: %s", line, p->err);
	assert_true(p->n_fam >= 14);
	free(text);
	free(p);
	free(m);
}

/* Series keys as prom_parse stores them: name,label=value,... with the
 * value's quotes and escapes as in the text. */
static void test_metrics_series(void **state)
{
	struct stats_model *m = make_model();
	char *text = render(m, stats_render_metrics);
	struct prom *p = malloc(sizeof(*p));

	(void)state;
	assert_int_equal(prom_parse(p, text), 0);
	assert_true(prom_get(p, "khaxdp_backend_up,service=\"apiserver\",backend=\"control3\"") == 0);
	assert_true(prom_get(p, "khaxdp_backend_up,service=\"apiserver\",backend=\"control2\"") == 1);
	assert_true(prom_get(p, "khaxdp_backend_status,service=\"apiserver\",backend=\"control2\",status=\"DRAIN\"") == 1);
	assert_true(prom_get(p, "khaxdp_backend_status,service=\"apiserver\",backend=\"control2\",status=\"UP\"") == 0);
	assert_true(prom_get(p, "khaxdp_backend_status,service=\"apiserver\",backend=\"control4\",status=\"MAINT\"") == 1);
	assert_true(prom_get(p, "khaxdp_backend_packets_total,service=\"apiserver\",backend=\"control1\",direction=\"in\"") == 1200);
	assert_true(prom_get(p, "khaxdp_backend_bytes_total,service=\"apiserver\",backend=\"control2\",direction=\"out\"") == 12345678.0 * 123456);
	assert_true(prom_get(p, "khaxdp_backend_flows_opened_total,service=\"apiserver\",backend=\"control3\"") == 7);
	assert_true(prom_get(p, "khaxdp_backend_active_flows,service=\"apiserver\",backend=\"control1\"") == 10);
	assert_true(prom_get(p, "khaxdp_backend_check_failures_total,service=\"apiserver\",backend=\"control3\"") == 4);
	assert_true(prom_get(p, "khaxdp_backend_last_change_seconds,service=\"apiserver\",backend=\"control1\"") == 3723);
	assert_true(prom_get(p, "khaxdp_datapath_events_total,reason=\"no_flow\"") == KHAXDP_STAT_NO_FLOW * 1000);
	assert_true(prom_get(p, "khaxdp_vrrp_state,instance=\"VI_\\\"1\\\\\",state=\"MASTER\"") == 1);
	assert_true(prom_get(p, "khaxdp_vrrp_state,instance=\"VI_\\\"1\\\\\",state=\"BACKUP\"") == 0);
	assert_true(prom_get(p, "khaxdp_vrrp_priority,instance=\"VI_\\\"1\\\\\"") == 103);
	assert_true(prom_get(p, "khaxdp_dataplane_attached") == 1);
	assert_true(prom_get(p, "khaxdp_sync_enabled") == 1);
	assert_true(prom_get(p, "khaxdp_sync_events_sent_total") == 300);
	assert_true(prom_get(p, "khaxdp_sync_lag_seconds") == 0.021);
	assert_true(prom_get(p, "khaxdp_sync_dropped_total,reason=\"auth_bad\"") == 2);
	assert_true(prom_get(p, "khaxdp_sync_peer_last_message_seconds,peer=\"192.168.218.172\"") == 1.5);
	assert_true(prom_get(p, "khaxdp_sync_peer_last_message_seconds,peer=\"2001:db8:218::173\"") == -1);
	assert_true(prom_get(p, "khaxdp_sync_peer_flows_installed_total,peer=\"192.168.218.172\"") == 21);
	assert_true(prom_get(p, "khaxdp_sync_peer_sequence_gaps_total,peer=\"192.168.218.172\"") == 3);
	/* An unchecked backend has no check series. */
	for (int i = 0; i < p->n_series; i++)
		if (strstr(p->series[i], "check") && strstr(p->series[i], "control4"))
			fail_msg("unchecked control4 has %s", p->series[i]);
	free(text);
	free(p);
	free(m);
}

/* The parser itself rejects what the format forbids. */
static void test_parser_rejects(void **state)
{
	static const char *const bad[] = {
		"x 1\n",						/* no TYPE */
		"# HELP x h\n# TYPE x gauge\nx{a=\"1} 1\n",		/* unterminated */
		"# HELP x h\n# TYPE x gauge\nx{a=\"\\t\"} 1\n",		/* bad escape */
		"# HELP x_total h\n# TYPE x_total counter\nx_total{a=\"1\",a=\"2\"} 1\n",
		"# HELP x h\n# TYPE x counter\nx 1\n",			/* counter name */
		"# HELP x h\n# TYPE x gauge\nx 1\nx 2\n",		/* duplicate */
		"# HELP x h\n# TYPE x gauge\n# HELP y h\n# TYPE y gauge\nx 1\ny 1\nx{a=\"b\"} 1\n",
		"# HELP x h\n# TYPE x gauge\nx one\n",			/* value */
		"# HELP x h\n# TYPE x gauge\nx 1",			/* last newline */
		"# HELP x h\n# TYPE x meter\nx 1\n",			/* type */
		"# TYPE x gauge\nx 1\n",				/* no HELP */
	};
	struct prom *p = malloc(sizeof(*p));

	(void)state;
	for (size_t i = 0; i < KX_ARRAY_SIZE(bad); i++) {
		char *t = strdup(bad[i]);

		if (!prom_parse(p, t))
			fail_msg("parser accepted case %zu: %s", i, bad[i]);
		free(t);
	}
	free(p);
}

static void test_json_valid(void **state)
{
	struct stats_model *m = make_model();
	char *text = render(m, stats_render_json);
	const char *where;

	(void)state;
	if (!json_valid(text, &where))
		fail_msg("/status.json is not JSON near '%.40s'",
			 where ? where : "(parse error)");
	assert_non_null(strstr(text, "\"status\":\"DRAIN\""));
	assert_non_null(strstr(text, "\"last\":\"HTTP status 500 <\\\"quoted\\\">\""));
	assert_non_null(strstr(text, "\"state\":\"MASTER\""));
	assert_non_null(strstr(text, "\"NO_FLOW\":"));
	assert_non_null(strstr(text, "\"sync\":{\"enabled\":true,\"port\":7448"));
	assert_non_null(strstr(text, "\"address\":\"192.168.218.172\",\"last_message_ms\":1500"));
	assert_non_null(strstr(text, "\"address\":\"2001:db8:218::173\",\"last_message_ms\":null"));
	/* and the validator is strict */
	assert_false(json_valid("{\"a\":1,}", &where));
	assert_false(json_valid("{\"a\":01}", &where));
	assert_false(json_valid("[1] x", &where));
	assert_false(json_valid("{\"a\":\"\t\"}", &where));
	free(text);
	/* Not attached: still valid, with the reason. */
	m->attached = false;
	snprintf(m->attach_error, sizeof(m->attach_error), "not attached (no /x/y)");
	m->n_vrrp = 0;
	text = render(m, stats_render_json);
	assert_true(json_valid(text, &where));
	assert_non_null(strstr(text, "\"error\":\"not attached (no /x/y)\""));
	free(text);
	free(m);
}

static void render_html(const struct stats_model *m, FILE *out)
{
	stats_render_html(m, "/haproxy_stats", out);
}

static void test_html(void **state)
{
	struct stats_model *m = make_model();
	char *text = render(m, render_html);

	(void)state;
	assert_non_null(strstr(text, "<meta http-equiv=\"refresh\" content=\"5\">"));
	assert_non_null(strstr(text, "<tr class=\"DOWN\"><td>control3</td>"));
	assert_non_null(strstr(text, "<tr class=\"DRAIN\"><td>control2</td>"));
	assert_non_null(strstr(text, "<tr class=\"MAINT\"><td>control4</td>"));
	/* Text from outside is escaped. */
	assert_non_null(strstr(text, "HTTP status 500 &lt;&quot;quoted&quot;&gt;"));
	assert_null(strstr(text, "<\"quoted\">"));
	assert_non_null(strstr(text, "1h02m"));		/* status since */
	assert_non_null(strstr(text, "12.3M"));		/* flows, at a glance */
	assert_non_null(strstr(text, ">MASTER<"));
	assert_non_null(strstr(text, "</html>"));
	free(text);
	free(m);
}

static void test_status_names(void **state)
{
	(void)state;
	assert_string_equal(stats_status(KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED), "UP");
	assert_string_equal(stats_status(KHAXDP_HEALTH_DOWN, KHAXDP_ADMIN_ENABLED), "DOWN");
	assert_string_equal(stats_status(KHAXDP_HEALTH_DOWN, KHAXDP_ADMIN_DRAIN), "DRAIN");
	assert_string_equal(stats_status(KHAXDP_HEALTH_UP, KHAXDP_ADMIN_DISABLED), "MAINT");
}

/* The state file `khaxdp status` shows: one line per thing, key=value. */
static void test_sync_state_file(void **state)
{
	struct stats_model *m = make_model();
	char *text = render(m, sync_state_of);

	(void)state;
	assert_non_null(strstr(text, "sync enabled=yes port=7448 auth=none sending=yes attached=yes "));
	assert_non_null(strstr(text, " events_sent=300 "));
	assert_non_null(strstr(text, " dropped=2 dropped_auth_bad=2\n"));
	assert_non_null(strstr(text, "\npeer address=192.168.218.172 last_message_ms=1500 "));
	assert_non_null(strstr(text, " installed=21 "));
	assert_non_null(strstr(text, " sequence_gaps=3 "));
	assert_non_null(strstr(text, "\npeer address=2001:db8:218::173 last_message_ms=-1 "));
	free(text);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_metrics_format),
		cmocka_unit_test(test_metrics_series),
		cmocka_unit_test(test_parser_rejects),
		cmocka_unit_test(test_json_valid),
		cmocka_unit_test(test_sync_state_file),
		cmocka_unit_test(test_html),
		cmocka_unit_test(test_status_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
