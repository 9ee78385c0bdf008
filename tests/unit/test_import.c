// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_import.c - `khaxdp import`: the models of the seed deployment's and
 * kubeadm's haproxy.cfg and keepalived.conf (tests/fixtures/), the
 * warnings with their lines, the file written, and that the loader's
 * parser and the agent's [vrrp] parser both accept that file. Then the
 * files import must refuse, each with its line.
 *
 * Run from the top of the tree (tests/unit/run does), where the fixtures
 * are.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "loader/config.h"
#include "loader/import.h"
#include "loader/util.h"
#include "vrrp/vrrp_conf.h"

#define SEED	"tests/fixtures/seed/"
#define KUBEADM	"tests/fixtures/kubeadm/"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf;
	long len;

	if (!f)
		fail_msg("%s: cannot open (run from the top of the tree)", path);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	buf = malloc(len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, len, f), len);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static int parse_haproxy(const char *path, struct kx_imp_haproxy *h,
			 struct kx_imp_warnings *w)
{
	char *text = slurp(path);
	int err = kx_import_haproxy(path, text, h, w);

	free(text);
	return err;
}

static int parse_keepalived(const char *path, struct kx_imp_keepalived *k,
			    struct kx_imp_warnings *w)
{
	char *text = slurp(path);
	int err = kx_import_keepalived(path, text, k, w);

	free(text);
	return err;
}

/* The lines the warnings of file name, in order, ending with 0; each one
 * says "not carried over". */
static void assert_warning_lines(const struct kx_imp_warnings *w,
				 const char *file, const int *lines)
{
	size_t n = 0;

	for (size_t i = 0; i < w->n; i++) {
		if (strcmp(w->v[i].file, file))
			continue;
		if (!lines[n])
			fail_msg("unexpected warning %s:%d: %s", file,
				 w->v[i].line, w->v[i].msg);
		if (w->v[i].line != lines[n])
			fail_msg("warning %zu of %s: line %d (%s), expected line %d",
				 n, file, w->v[i].line, w->v[i].msg, lines[n]);
		assert_non_null(strstr(w->v[i].msg, "not carried over"));
		n++;
	}
	if (lines[n])
		fail_msg("%s: no warning for line %d", file, lines[n]);
}

static const struct kx_imp_warning *find_warning(const struct kx_imp_warnings *w,
						 int line, const char *needle)
{
	for (size_t i = 0; i < w->n; i++)
		if (w->v[i].line == line && strstr(w->v[i].msg, needle))
			return &w->v[i];
	return NULL;
}

#define assert_warning(w, line, needle) do { \
	if (!find_warning((w), (line), (needle))) \
		fail_msg("no warning at line %d with '%s'", (line), (needle)); \
} while (0)

/* Write both models; the text, to free. */
static char *write_conf(const struct kx_imp_haproxy *h,
			const struct kx_imp_keepalived *k,
			struct kx_imp_warnings *w)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(kx_import_write(f, h, k, w), 0);
	fclose(f);
	return text;
}

#define assert_contains(text, needle) do { \
	if (!strstr((text), (needle))) \
		fail_msg("output has no '%s':\n%s", (needle), (text)); \
} while (0)

/* ---- seed: haproxy.cfg --------------------------------------------------- */

static void test_seed_haproxy_model(void **state)
{
	static const int warned[] = { 2, 3, 4, 5, 6, 7, 10, 12, 14, 32, 33, 0 };
	struct kx_imp_warnings w = {};
	struct kx_imp_haproxy *h = calloc(1, sizeof(*h));
	const struct kx_imp_service *s = &h->services[0];

	(void)state;
	assert_int_equal(parse_haproxy(SEED "haproxy.cfg", h, &w), 0);
	assert_int_equal(h->n_services, 1);
	assert_string_equal(s->name, "app");		/* the backend's */
	assert_string_equal(s->frontend, "frontend main");
	assert_int_equal(s->frontend_line, 18);
	assert_string_equal(s->backend, "backend app");
	assert_int_equal(s->backend_line, 22);
	assert_string_equal(s->listen, "192.168.218.189:7443");
	assert_false(s->listen_any);
	assert_int_equal(s->bind_line, 19);
	assert_int_equal(s->timeout_ms, 30 * 60 * 1000);
	assert_int_equal(s->check, KX_CHECK_TCP);
	assert_int_equal(s->inter_ms, 2000);	/* haproxy's defaults */
	assert_int_equal(s->rise, 2);
	assert_int_equal(s->fall, 3);
	assert_int_equal(s->check_timeout_ms, 5000);
	assert_int_equal(s->n_servers, 3);
	assert_string_equal(s->servers[0].name, "control1");
	assert_string_equal(s->servers[0].addr, "192.168.218.171:6443");
	assert_int_equal(s->servers[0].line, 24);
	assert_string_equal(s->servers[2].name, "control3");
	assert_string_equal(s->servers[2].addr, "192.168.218.173:6443");
	assert_int_equal(s->servers[2].line, 26);

	assert_true(h->stats.present);
	assert_int_equal(h->stats.line, 28);
	assert_string_equal(h->stats.listen, "0.0.0.0:9000");
	assert_string_equal(h->stats.uri, "/haproxy_stats");

	/* global, log, retries, timeout connect, stats hide-version/realm. */
	kx_imp_warnings_sort(&w);
	assert_warning_lines(&w, SEED "haproxy.cfg", warned);
	assert_warning(&w, 4, "maxconn 4000");
	assert_warning(&w, 12, "retries 2");
	assert_warning(&w, 14, "timeout connect 4s");
	assert_warning(&w, 33, "stats realm Haproxy Statistics");
	kx_imp_warnings_free(&w);
	free(h);
}

/* ---- seed: keepalived.conf, master and backup ---------------------------- */

static void check_seed_vrrp(const struct kx_imp_keepalived *k,
			    const char *state, unsigned int priority)
{
	const struct kx_imp_vrrp *v = &k->inst[0];

	assert_int_equal(k->n, 1);
	assert_string_equal(v->name, "VI_1");
	assert_int_equal(v->line, 7);
	assert_string_equal(v->interface, "ens33");
	assert_string_equal(v->state, state);
	assert_int_equal(v->state_line, 9);
	assert_int_equal(v->vrid, 51);
	assert_int_equal(v->priority, priority);
	assert_int_equal(v->advert_int_ms, 0);	/* not given: 1s */
	assert_int_equal(v->version, 2);	/* keepalived's default */
	assert_false(v->version_given);
	assert_int_equal(v->n_vips, 1);
	assert_string_equal(v->vips[0], "192.168.218.189/24");
	assert_int_equal(v->track, KX_IMP_TRACK_LB);
	assert_int_equal(v->track_weight, 2);
	assert_string_equal(v->track_script, "chk_haproxy");
	assert_string_equal(v->track_command, "killall -0 haproxy");
	assert_false(v->has_auth);
	assert_false(v->nopreempt);
	assert_int_equal(v->n_peers, 0);
}

static void test_seed_keepalived_model(void **state)
{
	static const int warned[] = { 3, 0 };	/* interval 2 */
	struct kx_imp_warnings w = {};
	struct kx_imp_keepalived k;

	(void)state;
	assert_int_equal(parse_keepalived(SEED "keepalived-master.conf", &k, &w), 0);
	check_seed_vrrp(&k, "MASTER", 101);
	assert_warning_lines(&w, SEED "keepalived-master.conf", warned);
	assert_warning(&w, 3, "interval 2");
	kx_imp_warnings_free(&w);

	assert_int_equal(parse_keepalived(SEED "keepalived-backup.conf", &k, &w), 0);
	check_seed_vrrp(&k, "BACKUP", 100);
	assert_warning_lines(&w, SEED "keepalived-backup.conf", warned);
	kx_imp_warnings_free(&w);
}

/* The file for one node loads in khaxdp and in khaxdp-vrrpd. */
static void test_seed_output_loads(void **state)
{
	static const char *const nodes[][2] = {
		{ SEED "keepalived-master.conf", "101" },
		{ SEED "keepalived-backup.conf", "100" },
	};
	struct kx_imp_haproxy *h = calloc(1, sizeof(*h));
	struct vrrp_config *vc = calloc(1, sizeof(*vc));
	struct kx_imp_keepalived k;
	struct kx_config *cfg = calloc(1, sizeof(*cfg));

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		struct kx_imp_warnings w = {};
		const struct kx_service *svc;
		char *text;

		assert_int_equal(parse_haproxy(SEED "haproxy.cfg", h, &w), 0);
		assert_int_equal(parse_keepalived(nodes[i][0], &k, &w), 0);
		text = write_conf(h, &k, &w);

		assert_contains(text, "\n[global]\n");
		assert_contains(text, "\ninterface = ens33\n");
		assert_contains(text, "\n[service app]\nlisten = 192.168.218.189:7443\n");
		assert_contains(text, "\ntimeout = 30m\n");
		/* nat while haproxy may still serve; the comment says when dsr */
		assert_contains(text, "once every server runs\n# khaxdp, mode = dsr");
		assert_contains(text, "\nmode = nat\n");
		assert_contains(text, "\ncheck = tcp\ninter = 2s\nrise = 2\nfall = 3\n");
		assert_contains(text, "\ncheck_timeout = 5s\n");
		assert_contains(text, "\nserver = control1 192.168.218.171:6443\n"
				      "server = control2 192.168.218.172:6443\n"
				      "server = control3 192.168.218.173:6443\n");
		/* haproxy bound *:9000; khaxdp's page waits to be opened */
		assert_contains(text, "\n[stats]\nlisten = 127.0.0.1:9000\nuri = /haproxy_stats\n");
		assert_contains(text, "\n[vrrp VI_1]\ninterface = ens33\n");
		assert_contains(text, "\n# state ");	/* a comment, no key */
		assert_null(strstr(text, "\nstate"));
		assert_contains(text, "\nvirtual_router_id = 51\n");
		assert_contains(text, "\nadvert_int = 1s\n");
		assert_contains(text, "\nversion = 2\n");
		assert_contains(text, "\nvirtual_ipaddress = 192.168.218.189/24\n");
		assert_contains(text, "\ntrack_dataplane = weight 2\n");
		{
			char prio[32];

			snprintf(prio, sizeof(prio), "\npriority = %s\n",
				 nodes[i][1]);
			assert_contains(text, prio);
		}

		/* The loader takes it ... */
		if (kx_config_load_string(cfg, "imported.conf", text))
			fail_msg("khaxdp refuses the import of %s: %s\n%s",
				 nodes[i][0], kx_last_error(), text);
		assert_string_equal(cfg->interface, "ens33");
		svc = kx_config_find_service(cfg, "app");
		assert_non_null(svc);
		assert_int_equal(svc->listen.addr.v4, inet_addr("192.168.218.189"));
		assert_int_equal(svc->listen.port, 7443);
		assert_int_equal(svc->timeout_s, 1800);
		assert_int_equal(svc->check.kind, KX_CHECK_TCP);
		assert_int_equal(svc->check.inter_ms, 2000);
		assert_int_equal(svc->check.timeout_ms, 5000);
		assert_int_equal(svc->n_servers, 3);
		assert_int_equal(svc->servers[1].ep.addr.v4,
				 inet_addr("192.168.218.172"));
		assert_true(cfg->stats.enabled);
		assert_int_equal(cfg->stats.listen.port, 9000);
		assert_string_equal(cfg->stats.uri, "/haproxy_stats");

		/* ... and so does the agent. */
		if (vrrp_conf_from(cfg, vc))
			fail_msg("khaxdp-vrrpd refuses the import of %s: %s\n%s",
				 nodes[i][0], kx_last_error(), text);
		assert_int_equal(vc->n, 1);
		assert_string_equal(vc->inst[0].name, "VI_1");
		assert_string_equal(vc->inst[0].interface, "ens33");
		assert_int_equal(vc->inst[0].vrid, 51);
		assert_int_equal(vc->inst[0].priority, atoi(nodes[i][1]));
		assert_int_equal(vc->inst[0].version, 2);
		assert_int_equal(vc->inst[0].adver_int_cs, 100);
		assert_true(vc->inst[0].preempt);
		assert_true(vc->inst[0].track_dataplane);
		assert_int_equal(vc->inst[0].track_weight, 2);
		assert_int_equal(vc->inst[0].n_vips, 1);
		assert_int_equal(vc->inst[0].vips[0].addr.v4,
				 inet_addr("192.168.218.189"));
		assert_int_equal(vc->inst[0].vips[0].prefix, 24);
		assert_false(vc->inst[0].has_auth);

		kx_config_free(cfg);
		free(text);
		kx_imp_warnings_free(&w);
	}
	free(cfg);
	free(vc);
	free(h);
}

/* ---- kubeadm's pair ------------------------------------------------------- */

static void test_kubeadm_haproxy_model(void **state)
{
	static const int warned[] = { 6, 7, 15, 16, 17, 18, 19, 20, 21, 22,
				      23, 24, 27, 36, 47, 0 };
	struct kx_imp_warnings w = {};
	struct kx_imp_haproxy *h = calloc(1, sizeof(*h));
	const struct kx_imp_service *s = &h->services[0];

	(void)state;
	assert_int_equal(parse_haproxy(KUBEADM "haproxy.cfg", h, &w), 0);
	assert_int_equal(h->n_services, 1);
	assert_string_equal(s->name, "apiserverbackend");
	assert_true(s->listen_any);		/* bind *:7443 */
	assert_int_equal(s->port, 7443);
	assert_int_equal(s->bind_line, 34);
	assert_int_equal(s->timeout_ms, 35000);
	/* option httpchk + http-check connect ssl + send meth GET uri. */
	assert_int_equal(s->check, KX_CHECK_HTTPS);
	assert_string_equal(s->check_path, "/healthz");
	assert_int_equal(s->check_timeout_ms, 10000);
	assert_int_equal(s->n_servers, 3);
	assert_string_equal(s->servers[2].addr, "192.168.218.173:6443");
	assert_false(h->stats.present);

	/* The frontend's mode tcp overrides defaults' mode http: no warning
	 * for it; the HTTP options of defaults are warned. */
	kx_imp_warnings_sort(&w);
	assert_warning_lines(&w, KUBEADM "haproxy.cfg", warned);
	assert_warning(&w, 16, "option httplog");
	assert_warning(&w, 47, "any 2xx");
	kx_imp_warnings_free(&w);
	free(h);
}

static void test_kubeadm_keepalived_model(void **state)
{
	static const int warned[] = { 4, 8, 10, 11, 0 };
	struct kx_imp_warnings w = {};
	struct kx_imp_keepalived k;
	const struct kx_imp_vrrp *v = &k.inst[0];

	(void)state;
	assert_int_equal(parse_keepalived(KUBEADM "keepalived.conf", &k, &w), 0);
	assert_int_equal(k.n, 1);
	assert_string_equal(v->name, "VI_1");
	assert_string_equal(v->state, "MASTER");
	assert_int_equal(v->priority, 101);
	assert_int_equal(v->vrid, 51);
	assert_string_equal(v->vips[0], "192.168.218.189");
	assert_true(v->has_auth);
	assert_string_equal(v->auth_pass, "42");
	assert_int_equal(v->track, KX_IMP_TRACK_APISERVER);
	assert_int_equal(v->track_weight, -2);
	assert_string_equal(v->track_command, "/etc/keepalived/check_apiserver.sh");
	/* router_id, and interval/fall/rise of the script. */
	assert_warning_lines(&w, KUBEADM "keepalived.conf", warned);
	assert_warning(&w, 4, "router_id LVS_DEVEL");
	kx_imp_warnings_free(&w);
}

static void test_kubeadm_output_loads(void **state)
{
	struct kx_imp_haproxy *h = calloc(1, sizeof(*h));
	struct vrrp_config *vc = calloc(1, sizeof(*vc));
	struct kx_config *cfg = calloc(1, sizeof(*cfg));
	struct kx_imp_warnings w = {};
	struct kx_imp_keepalived k;
	const struct kx_service *svc;
	char *text;

	(void)state;
	assert_int_equal(parse_haproxy(KUBEADM "haproxy.cfg", h, &w), 0);
	assert_int_equal(parse_keepalived(KUBEADM "keepalived.conf", &k, &w), 0);
	text = write_conf(h, &k, &w);
	/* bind *:7443 becomes the VIP of the instance. */
	assert_contains(text, "\n[service apiserverbackend]\n");
	assert_contains(text, "\nlisten = 192.168.218.189:7443\n");
	assert_contains(text, "\ncheck = https /healthz\n");
	assert_contains(text, "\ncheck_timeout = 10s\n");
	assert_contains(text, "\ntimeout = 35s\n");
	assert_contains(text, "\nauth_pass = 42\n");
	assert_contains(text, "protects nothing");
	assert_contains(text, "\nversion = 2\n");
	assert_contains(text, "backend checks");	/* why not apiserver health */
	assert_contains(text, "\ntrack_dataplane = weight -2\n");
	assert_null(strstr(text, "[stats]"));

	if (kx_config_load_string(cfg, "imported.conf", text))
		fail_msg("khaxdp refuses the import: %s\n%s", kx_last_error(),
			 text);
	svc = kx_config_find_service(cfg, "apiserverbackend");
	assert_non_null(svc);
	assert_int_equal(svc->listen.addr.v4, inet_addr("192.168.218.189"));
	assert_int_equal(svc->check.kind, KX_CHECK_HTTPS);
	assert_string_equal(svc->check.path, "/healthz");
	assert_int_equal(svc->check.timeout_ms, 10000);
	assert_int_equal(svc->timeout_s, 35);
	if (vrrp_conf_from(cfg, vc))
		fail_msg("khaxdp-vrrpd refuses the import: %s\n%s",
			 kx_last_error(), text);
	assert_int_equal(vc->inst[0].version, 2);
	assert_true(vc->inst[0].has_auth);
	assert_memory_equal(vc->inst[0].auth_pass, "42\0\0\0\0\0\0", 8);
	assert_int_equal(vc->inst[0].track_weight, -2);
	assert_int_equal(vc->inst[0].vips[0].prefix, 32);

	kx_config_free(cfg);
	free(text);
	kx_imp_warnings_free(&w);
	free(cfg);
	free(vc);
	free(h);
}

/* haproxy.cfg alone: nothing tells the VIP, and the file says so. */
static void test_wildcard_bind_without_vip(void **state)
{
	struct kx_imp_haproxy *h = calloc(1, sizeof(*h));
	struct kx_imp_warnings w = {};
	char *text;

	(void)state;
	assert_int_equal(parse_haproxy(KUBEADM "haproxy.cfg", h, &w), 0);
	text = write_conf(h, NULL, &w);
	assert_contains(text, "\nlisten = VIP:7443\n");
	assert_contains(text, "\n# interface = ens33\n");
	assert_warning(&w, 34, "replace VIP");
	free(text);
	kx_imp_warnings_free(&w);
	free(h);
}

/* ---- the rest of haproxy's words ------------------------------------------ */

static const char hap_misc[] =
	"global\n"						/* 1 */
	"defaults\n"
	"    mode http\n"
	"    timeout client 50000\n"	/* ms, haproxy's unit */
	"    timeout server 1m\n"				/* 5 */
	"    default-server inter 3s fall 5\n"
	"    option httpchk GET /readyz\n"
	"frontend web\n"
	"    bind ipv4@10.0.0.1:443 ssl crt /etc/x.pem\n"
	"    acl is_api path_beg /api\n"			/* 10 */
	"    use_backend api if is_api\n"
	"    default_backend pool\n"
	"backend pool\n"
	"    balance leastconn\n"
	"    server a 10.0.1.1:443 check check-ssl verify none\n"	/* 15 */
	"    server b 10.0.1.2:443 check check-ssl verify none rise 4 weight 10\n"
	"    server c 10.0.1.3:443 backup\n"
	"backend api\n"
	"    server x 10.0.2.1:80\n"
	"listen db\n"						/* 20 */
	"    bind 10.0.0.1:5432\n"
	"    mode tcp\n"
	"    timeout tunnel 2h\n"
	"    option httpchk\n"
	"    server 'db one' 10.0.3.1:5432 check inter 500\n"	/* 25 */
	"userlist admins\n"
	"    user a password x\n";

static void test_haproxy_misc(void **state)
{
	struct kx_imp_haproxy *h = calloc(1, sizeof(*h));
	struct kx_imp_warnings w = {};
	const struct kx_imp_service *s;
	struct kx_config *cfg = calloc(1, sizeof(*cfg));
	char *text;

	(void)state;
	assert_int_equal(kx_import_haproxy("misc.cfg", hap_misc, h, &w), 0);
	assert_int_equal(h->n_services, 2);

	s = &h->services[0];
	assert_string_equal(s->name, "pool");		/* default_backend */
	assert_string_equal(s->listen, "10.0.0.1:443");
	assert_int_equal(s->timeout_ms, 60000);		/* max(50s, 1m) */
	assert_int_equal(s->check, KX_CHECK_HTTPS);	/* check-ssl */
	assert_string_equal(s->check_path, "/readyz");
	assert_int_equal(s->inter_ms, 3000);		/* default-server */
	assert_int_equal(s->fall, 5);
	assert_int_equal(s->rise, 2);
	assert_int_equal(s->n_servers, 3);

	s = &h->services[1];
	assert_string_equal(s->name, "db");		/* a listen: its own */
	assert_int_equal(s->timeout_ms, 2 * 3600 * 1000);	/* tunnel */
	assert_int_equal(s->check, KX_CHECK_TCP);	/* httpchk, no TLS */
	assert_int_equal(s->inter_ms, 500);
	assert_string_equal(s->servers[0].name, "db_one");

	assert_warning(&w, 3, "mode http (frontend web)");
	assert_warning(&w, 9, "ssl crt /etc/x.pem");
	assert_warning(&w, 10, "acl is_api");
	assert_warning(&w, 11, "use_backend api");
	assert_warning(&w, 14, "balance leastconn");
	assert_warning(&w, 16, "weight 10");
	assert_warning(&w, 16, "own inter/rise/fall");
	assert_warning(&w, 17, "backup");
	assert_warning(&w, 17, "without check");
	assert_warning(&w, 18, "backend api not carried over");
	assert_warning(&w, 24, "plain HTTP");
	assert_warning(&w, 25, "'db one'");
	assert_warning(&w, 26, "userlist admins");

	text = write_conf(h, NULL, &w);
	assert_contains(text, "\ntimeout = 2h\n");
	assert_contains(text, "\ninter = 500ms\n");
	if (kx_config_load_string(cfg, "misc.conf", text))
		fail_msg("khaxdp refuses: %s\n%s", kx_last_error(), text);
	assert_int_equal(cfg->n_services, 2);
	kx_config_free(cfg);
	free(text);
	kx_imp_warnings_free(&w);
	free(cfg);
	free(h);
}

/* What khaxdp would refuse is never written: two servers whose names are
 * the same in khaxdp's 31 characters, two frontends on one bind. */
static void test_output_always_loads(void **state)
{
	static const char hap[] =
		"frontend api\n"						/* 1 */
		"    bind 10.0.0.100:7443\n"
		"    default_backend pool\n"
		"frontend api-again\n"
		"    bind 10.0.0.100:7443\n"				/* 5 */
		"    default_backend pool\n"
		"backend pool\n"
		"    server apiserver-on-control-plane-node-1 10.0.0.1:6443\n"
		"    server apiserver-on-control-plane-node-2 10.0.0.2:6443\n"
		"    server apiserver-on-control-plane-node-3 10.0.0.3:6443\n"	/* 10 */
		"    server again 10.0.0.2:6443\n";
	struct kx_imp_haproxy *h = calloc(1, sizeof(*h));
	struct kx_imp_warnings w = {};
	struct kx_config *cfg = calloc(1, sizeof(*cfg));
	char *text;

	(void)state;
	assert_int_equal(kx_import_haproxy("same.cfg", hap, h, &w), 0);
	assert_int_equal(h->n_services, 1);
	assert_warning(&w, 5, "frontend api-again not carried over: it binds 10.0.0.100:7443 as frontend api does");
	assert_string_equal(h->services[0].servers[0].name, "apiserver-on-control-plane-node");
	assert_string_equal(h->services[0].servers[1].name, "apiserver-on-control-plane-n-2");
	assert_string_equal(h->services[0].servers[2].name, "apiserver-on-control-plane-n-3");
	assert_warning(&w, 9, "written 'apiserver-on-control-plane-n-2'");
	assert_warning(&w, 11, "server again not carried over: 10.0.0.2:6443 is server apiserver-on-control-plane-n-2's address too (line 9)");
	text = write_conf(h, NULL, &w);
	if (kx_config_load_string(cfg, "same.conf", text))
		fail_msg("khaxdp refuses: %s\n%s", kx_last_error(), text);
	assert_int_equal(cfg->services[0].n_servers, 3);
	kx_config_free(cfg);
	free(text);
	kx_imp_warnings_free(&w);
	free(cfg);
	free(h);
}

/* stats auth is carried over, and its password is never in a warning
 * (they go to logs); the page listens on the loopback. */
static void test_stats_auth(void **state)
{
	static const char hap[] =
		"listen stats\n"
		"    bind *:8404\n"
		"    mode http\n"
		"    stats enable\n"
		"    stats uri /stats\n"
		"    stats realm Haproxy\\ Statistics\n"
		"    stats auth admin:s3cret-Pass\n"
		"    stats auth other:pw2\n";
	struct kx_imp_haproxy *h = calloc(1, sizeof(*h));
	struct kx_imp_warnings w = {};
	struct kx_config *cfg = calloc(1, sizeof(*cfg));
	char *text;

	(void)state;
	assert_int_equal(kx_import_haproxy("stats.cfg", hap, h, &w), 0);
	assert_true(h->stats.present);
	assert_string_equal(h->stats.auth, "admin:s3cret-Pass");
	assert_warning(&w, 6, "stats realm");
	assert_warning(&w, 8, "a second stats auth not carried over");
	for (size_t i = 0; i < w.n; i++)
		if (strstr(w.v[i].msg, "s3cret") || strstr(w.v[i].msg, "pw2"))
			fail_msg("a warning shows a password: %s", w.v[i].msg);
	text = write_conf(h, NULL, &w);
	assert_contains(text, "\n[stats]\nlisten = 127.0.0.1:8404\nuri = /stats\n");
	assert_contains(text, "\nauth = admin:s3cret-Pass\n");
	if (kx_config_load_string(cfg, "stats.conf", text))
		fail_msg("khaxdp refuses: %s\n%s", kx_last_error(), text);
	assert_string_equal(cfg->stats.user, "admin");
	assert_string_equal(cfg->stats.password, "s3cret-Pass");
	assert_int_equal(cfg->stats.listen.addr.v4, htonl(INADDR_LOOPBACK));
	kx_config_free(cfg);
	free(text);
	kx_imp_warnings_free(&w);
	free(cfg);
	free(h);
}

/* A stats page haproxy binds on IPv6 is carried over as an IPv4 one: to
 * the loopback, with nothing to warn about. */
static void test_stats_ipv6_bind(void **state)
{
	static const char hap[] =
		"listen stats\n"
		"    bind :::8404\n"
		"    stats enable\n"
		"    stats uri /stats\n";
	struct kx_imp_haproxy *h = calloc(1, sizeof(*h));
	struct kx_imp_warnings w = {};
	char *text;

	(void)state;
	assert_int_equal(kx_import_haproxy("stats6.cfg", hap, h, &w), 0);
	assert_true(h->stats.present);
	assert_string_equal(h->stats.listen, "[::]:8404");
	for (size_t i = 0; i < w.n; i++)
		if (strstr(w.v[i].msg, "bind"))
			fail_msg("line %d: %s", w.v[i].line, w.v[i].msg);
	text = write_conf(h, NULL, &w);
	assert_contains(text, "# haproxy bound [::]:8404;");
	assert_contains(text, "\n[stats]\nlisten = 127.0.0.1:8404\nuri = /stats\n");
	free(text);
	kx_imp_warnings_free(&w);
	free(h);
}

/* A frontend on a port inside the default snat_ports: the output moves
 * snat_ports off it, and khaxdp takes the file. */
static void test_bind_among_snat_ports(void **state)
{
	static const char cfg_text[] =
		"frontend api\n"
		"    bind 10.0.0.1:45000\n"
		"    default_backend app\n"
		"backend app\n"
		"    server a 10.0.0.2:6443\n";
	struct kx_imp_haproxy *h = calloc(1, sizeof(*h));
	struct kx_config *cfg = calloc(1, sizeof(*cfg));
	struct kx_imp_warnings w = {};
	char *text;

	(void)state;
	assert_int_equal(kx_import_haproxy("snat.cfg", cfg_text, h, &w), 0);
	text = write_conf(h, NULL, &w);
	assert_contains(text, "\nsnat_ports = 10000-29999\n");
	if (kx_config_load_string(cfg, "snat.conf", text))
		fail_msg("khaxdp refuses: %s\n%s", kx_last_error(), text);
	kx_config_free(cfg);
	free(text);
	kx_imp_warnings_free(&w);
	free(cfg);
	free(h);
}

/* Dual stack: haproxy binds IPv6 too (every address, ":::7443"), with
 * IPv6 servers (brackets or ipv6@); keepalived's instance carries the IPv6
 * VIP among its addresses. The output: an IPv6 service on that VIP, the
 * VIP held with the IPv4 instance (virtual_ipaddress_excluded), and both
 * khaxdp and khaxdp-vrrpd take it. */
static void test_dual_stack(void **state)
{
	static const char hap[] =
		"frontend api\n"
		"    bind :7443\n"
		"    default_backend app\n"
		"frontend api6\n"
		"    bind :::7443\n"
		"    default_backend app6\n"
		"backend app\n"
		"    server a 10.0.0.2:6443\n"
		"    server b 10.0.0.3:6443\n"
		"backend app6\n"
		"    server a [2001:db8::2]:6443\n"
		"    server b ipv6@2001:db8::3:6443\n";
	static const char ka[] =
		"vrrp_instance VI_1 {\n"
		"  interface eth0\n"
		"  virtual_router_id 51\n"
		"  virtual_ipaddress {\n"
		"    10.0.0.100/24\n"
		"    2001:db8::100/64\n"
		"  }\n"
		"  virtual_ipaddress_excluded {\n"
		"    2001:db8::101\n"
		"  }\n"
		"}\n";
	struct kx_imp_haproxy *h = calloc(1, sizeof(*h));
	struct kx_imp_keepalived k;
	struct kx_config *cfg = calloc(1, sizeof(*cfg));
	struct vrrp_config *vc = calloc(1, sizeof(*vc));
	struct kx_imp_warnings w = {};
	char *text;

	(void)state;
	assert_int_equal(kx_import_haproxy("dual.cfg", hap, h, &w), 0);
	assert_int_equal(kx_import_keepalived("dual.conf", ka, &k, &w), 0);
	assert_int_equal(k.inst[0].n_vips, 1);
	assert_int_equal(k.inst[0].n_excluded, 2);
	assert_warning(&w, 6, "2001:db8::100/64");
	text = write_conf(h, &k, &w);
	assert_contains(text, "\nlisten = 10.0.0.100:7443\n");
	assert_contains(text, "\nlisten = [2001:db8::100]:7443\n");
	assert_contains(text, "\nserver = a [2001:db8::2]:6443\n");
	assert_contains(text, "\nserver = b [2001:db8::3]:6443\n");
	assert_contains(text, "\nvirtual_ipaddress_excluded = 2001:db8::100/64\n"
			      "virtual_ipaddress_excluded = 2001:db8::101\n");
	if (kx_config_load_string(cfg, "dual.conf", text))
		fail_msg("khaxdp refuses: %s\n%s", kx_last_error(), text);
	assert_int_equal(cfg->n_services, 2);
	assert_int_equal(cfg->services[1].listen.family, KHAXDP_AF_INET6);
	if (vrrp_conf_from(cfg, vc))
		fail_msg("khaxdp-vrrpd refuses: %s\n%s", kx_last_error(), text);
	assert_int_equal(vc->inst[0].n_excluded, 2);
	assert_true(vrrp_conf_carries_service(vc, &vc->inst[0], KHAXDP_AF_INET6));
	kx_config_free(cfg);
	free(text);
	kx_imp_warnings_free(&w);
	free(vc);
	free(cfg);
	free(h);
}

/* A keepalived IPv6 instance (its first address IPv6): carried as an IPv6
 * instance of khaxdp-vrrpd, VRRP v3 (keepalived's default 2 does not
 * exist over IPv6), an IPv4 address of it held unadvertised. */
static void test_ipv6_instance(void **state)
{
	static const char ka[] =
		"vrrp_instance V6 {\n"
		"  interface eth0\n"
		"  virtual_router_id 52\n"
		"  priority 110\n"
		"  virtual_ipaddress {\n"
		"    2001:db8::100/64\n"
		"    10.0.0.100/24\n"
		"  }\n"
		"}\n";
	struct kx_imp_keepalived k;
	struct kx_config *cfg = calloc(1, sizeof(*cfg));
	struct vrrp_config *vc = calloc(1, sizeof(*vc));
	struct kx_imp_warnings w = {};
	char *text;

	(void)state;
	assert_int_equal(kx_import_keepalived("v6.conf", ka, &k, &w), 0);
	assert_true(k.inst[0].vips6);
	assert_int_equal(k.inst[0].n_vips, 1);
	assert_int_equal(k.inst[0].n_excluded, 1);
	assert_warning(&w, 7, "10.0.0.100/24");
	assert_warning(&w, 1, "version 3 written");
	text = write_conf(NULL, &k, &w);
	assert_contains(text, "\nversion = 3\n");
	assert_contains(text, "\nvirtual_ipaddress = 2001:db8::100/64\n");
	assert_contains(text, "\nvirtual_ipaddress_excluded = 10.0.0.100/24\n");
	if (kx_config_load_string(cfg, "v6.conf", text))
		fail_msg("khaxdp refuses: %s\n%s", kx_last_error(), text);
	if (vrrp_conf_from(cfg, vc))
		fail_msg("khaxdp-vrrpd refuses: %s\n%s", kx_last_error(), text);
	assert_int_equal(vc->inst[0].family, KHAXDP_AF_INET6);
	kx_config_free(cfg);
	free(text);
	kx_imp_warnings_free(&w);
	free(vc);
	free(cfg);
}

/* ---- the rest of keepalived's words --------------------------------------- */

static const char ka_misc[] =
	"! comment\n"						/* 1 */
	"global_defs {\n"
	"   vrrp_version 3\n"
	"   vrrp_garp_master_repeat 3\n"
	"   enable_script_security\n"				/* 5 */
	"}\n"
	"vrrp_script lb { script \"pidof haproxy\"\n"
	"  weight 0 }\n"
	"vrrp_script other {\n"
	"  script \"/bin/true\"\n"				/* 10 */
	"}\n"
	"vrrp_instance VI_2\n"
	"{\n"
	"  interface eth1\n"
	"  state BACKUP\n"					/* 15 */
	"  nopreempt\n"
	"  preempt_delay 5\n"
	"  virtual_router_id 7\n"
	"  priority 150\n"
	"  advert_int 0.05\n"					/* 20 */
	"  unicast_src_ip 10.0.0.1\n"
	"  unicast_peer {\n"
	"    10.0.0.2\n"
	"    10.0.0.3\n"
	"  }\n"							/* 25 */
	"  virtual_ipaddress {\n"
	"    10.0.0.100/24 dev eth1\n"
	"    10.0.0.101/24 label eth1:1\n"
	"    fd00::1/64\n"
	"  }\n"							/* 30 */
	"  track_script {\n"
	"    other\n"
	"    lb\n"
	"  }\n"
	"  notify_master \"/usr/local/bin/up.sh master\"\n"	/* 35 */
	"  notify_stop /usr/local/bin/stop.sh\n"
	"  smtp_alert\n"
	"}\n"
	"virtual_server 10.0.0.100 80 {\n"
	"  lb_algo rr\n"					/* 40 */
	"}\n";

static void test_keepalived_misc(void **state)
{
	struct kx_imp_keepalived k;
	struct kx_imp_warnings w = {};
	const struct kx_imp_vrrp *v = &k.inst[0];
	struct vrrp_config *vc = calloc(1, sizeof(*vc));
	struct kx_config *cfg = calloc(1, sizeof(*cfg));
	char *text;

	(void)state;
	assert_int_equal(kx_import_keepalived("misc.conf", ka_misc, &k, &w), 0);
	assert_int_equal(v->version, 3);
	assert_true(v->version_given);			/* global_defs */
	assert_int_equal(v->garp_repeat, 3);
	assert_true(v->nopreempt);
	assert_int_equal(v->preempt_delay_ms, 5000);
	assert_int_equal(v->advert_int_ms, 50);
	assert_string_equal(v->unicast_src, "10.0.0.1");
	assert_int_equal(v->n_peers, 2);
	assert_string_equal(v->peers[1], "10.0.0.3");
	assert_int_equal(v->n_vips, 2);
	assert_int_equal(v->track, KX_IMP_TRACK_LB);
	assert_int_equal(v->track_weight, 0);
	assert_string_equal(v->notify[KX_IMP_NOTIFY_MASTER],
			    "/usr/local/bin/up.sh master");

	assert_warning(&w, 5, "enable_script_security");
	assert_warning(&w, 9, "vrrp_script other");
	assert_warning(&w, 28, "label eth1:1");
	assert_warning(&w, 29, "fd00::1/64");
	assert_warning(&w, 32, "track_script other");
	assert_warning(&w, 36, "notify_stop");
	assert_warning(&w, 37, "smtp_alert");
	assert_warning(&w, 39, "virtual_server");
	assert_null(find_warning(&w, 27, ""));		/* dev = interface */

	text = write_conf(NULL, &k, &w);
	assert_contains(text, "\npreempt = no\n");
	assert_contains(text, "\npreempt_delay = 5s\n");
	assert_contains(text, "\nadvert_int = 50ms\n");
	assert_contains(text, "\nunicast_peer = 10.0.0.2\nunicast_peer = 10.0.0.3\n");
	assert_contains(text, "\ntrack_dataplane = weight 0\n");
	assert_contains(text, "\nnotify_master = /usr/local/bin/up.sh master\n");
	assert_contains(text, "\nvirtual_ipaddress_excluded = fd00::1/64\n");
	if (kx_config_load_string(cfg, "misc.conf", text))
		fail_msg("khaxdp refuses: %s\n%s", kx_last_error(), text);
	assert_string_equal(cfg->interface, "eth1");
	if (vrrp_conf_from(cfg, vc))
		fail_msg("khaxdp-vrrpd refuses: %s\n%s", kx_last_error(), text);
	assert_false(vc->inst[0].preempt);
	assert_int_equal(vc->inst[0].adver_int_cs, 5);
	assert_int_equal(vc->inst[0].n_peers, 2);
	assert_int_equal(vc->inst[0].garp_repeat, 3);
	kx_config_free(cfg);
	free(text);
	kx_imp_warnings_free(&w);
	free(cfg);
	free(vc);
}

/* ---- files import refuses, with the line ---------------------------------- */

static void test_bad_files(void **state)
{
	static const struct {
		bool haproxy;
		const char *text, *error;
	} cases[] = {
		{ false, "vrrp_instance X {\n interface e\n virtual_ipaddress {\n 1.2.3.4\n }\n",
		  "bad.conf:1: '{' is never closed" },
		{ false, "vrrp_instance X {\n}\n}\n",
		  "bad.conf:3: unexpected '}' (no block open)" },
		{ false, "global_defs {\n}\nvrrp_instanse X {\n}\n",
		  "bad.conf:3: unknown keyword 'vrrp_instanse' at the top level" },
		{ false, "vrrp_instance X {\n interface e\n virtual_router_id 300\n}\n",
		  "bad.conf:3: virtual_router_id: bad value '300' (1-255)" },
		{ false, "vrrp_instance X {\n interface e\n virtual_router_id 3\n}\n",
		  "bad.conf:1: vrrp_instance X has no virtual_ipaddress" },
		{ false, "vrrp_script s {\n script \"x\n}\n",
		  "bad.conf:2: unterminated quote" },
		{ true, "  bind :80\nfrontend x\n",
		  "bad.conf:1: 'bind' outside a section (expected global, defaults, frontend, backend or listen)" },
		{ true, "frontend x\n bind \"1.2.3.4:80\n",
		  "bad.conf:2: unterminated double quote" },
		{ true, "frontend x\n bind 1.2.3.4:80\n default_backend nope\n",
		  "bad.conf:3: no backend named 'nope'" },
		{ true, "backend b\n server a apiserver.local:6443 check\n",
		  "bad.conf:2: server a: 'apiserver.local' is not an IPv4 or IPv6 address (khaxdp needs addresses, not names)" },
		{ true, "defaults\n timeout client soon\n",
		  "bad.conf:2: timeout: bad time 'soon' (e.g. 30m, 5s, 2000 for ms)" },
		{ true, "frontend\n",
		  "bad.conf:1: 'frontend' needs a name" },
	};

	(void)state;
	for (size_t i = 0; i < KX_ARRAY_SIZE(cases); i++) {
		struct kx_imp_warnings w = {};
		int err;

		if (cases[i].haproxy) {
			struct kx_imp_haproxy *h = calloc(1, sizeof(*h));

			err = kx_import_haproxy("bad.conf", cases[i].text, h, &w);
			free(h);
		} else {
			struct kx_imp_keepalived k;

			err = kx_import_keepalived("bad.conf", cases[i].text,
						   &k, &w);
		}
		assert_int_equal(err, -EINVAL);
		if (strcmp(kx_last_error(), cases[i].error))
			fail_msg("case %zu: got '%s', expected '%s'", i,
				 kx_last_error(), cases[i].error);
		kx_imp_warnings_free(&w);
	}
}

/* The verb: warnings sorted and formatted on stderr, the file on stdout;
 * on an error, nothing on stdout. */
static void test_files(void **state)
{
	char *out_text = NULL, *err_text = NULL;
	size_t out_len = 0, err_len = 0;
	FILE *out, *err;

	(void)state;
	out = open_memstream(&out_text, &out_len);
	err = open_memstream(&err_text, &err_len);
	assert_int_equal(kx_import_files(SEED "haproxy.cfg",
					 SEED "keepalived-backup.conf", out,
					 err), 0);
	fclose(out);
	fclose(err);
	assert_contains(out_text, "\npriority = 100\n");
	assert_non_null(strstr(err_text,
		"khaxdp: import: " SEED "haproxy.cfg:2: warning: global chroot /var/lib/haproxy not carried over"));
	/* haproxy.cfg's warnings first, then keepalived's, each by line. */
	assert_true(strstr(err_text, "haproxy.cfg:33:") <
		    strstr(err_text, "keepalived-backup.conf:3:"));
	free(out_text);
	free(err_text);

	out = open_memstream(&out_text, &out_len);
	err = open_memstream(&err_text, &err_len);
	assert_int_equal(kx_import_files(SEED "haproxy.cfg", "/nonexistent.conf",
					 out, err), -ENOENT);
	fclose(out);
	fclose(err);
	assert_int_equal(out_len, 0);
	assert_string_equal(kx_last_error(),
			    "/nonexistent.conf: No such file or directory");
	free(out_text);
	free(err_text);
}

static void test_times(void **state)
{
	uint64_t ms;
	char buf[32];

	(void)state;
	assert_int_equal(kx_imp_parse_time("2000", 1, &ms), 0);
	assert_int_equal(ms, 2000);
	assert_int_equal(kx_imp_parse_time("30m", 1, &ms), 0);
	assert_int_equal(ms, 1800000);
	assert_int_equal(kx_imp_parse_time("1d", 1, &ms), 0);
	assert_int_equal(ms, 86400000);
	assert_int_equal(kx_imp_parse_time("1500us", 1, &ms), 0);
	assert_int_equal(ms, 2);
	assert_int_equal(kx_imp_parse_time("5x", 1, &ms), -EINVAL);
	assert_int_equal(kx_imp_parse_time("", 1, &ms), -EINVAL);
	assert_string_equal(kx_imp_duration_str(1800000, buf, sizeof(buf)), "30m");
	assert_string_equal(kx_imp_duration_str(7200000, buf, sizeof(buf)), "2h");
	assert_string_equal(kx_imp_duration_str(35000, buf, sizeof(buf)), "35s");
	assert_string_equal(kx_imp_duration_str(2500, buf, sizeof(buf)), "2500ms");
	assert_string_equal(kx_imp_duration_str(0, buf, sizeof(buf)), "0s");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seed_haproxy_model),
		cmocka_unit_test(test_seed_keepalived_model),
		cmocka_unit_test(test_seed_output_loads),
		cmocka_unit_test(test_kubeadm_haproxy_model),
		cmocka_unit_test(test_kubeadm_keepalived_model),
		cmocka_unit_test(test_kubeadm_output_loads),
		cmocka_unit_test(test_wildcard_bind_without_vip),
		cmocka_unit_test(test_haproxy_misc),
		cmocka_unit_test(test_stats_auth),
		cmocka_unit_test(test_stats_ipv6_bind),
		cmocka_unit_test(test_output_always_loads),
		cmocka_unit_test(test_bind_among_snat_ports),
		cmocka_unit_test(test_dual_stack),
		cmocka_unit_test(test_ipv6_instance),
		cmocka_unit_test(test_keepalived_misc),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_times),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
