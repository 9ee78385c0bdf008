// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* test_config.c - khaxdp.conf parser: good files, and bad ones with the
 * line and the problem the user sees. */
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
#include "loader/util.h"

static const char good[] =
	"# khaxdp test\n"
	"[global]\n"
	"interface = ens33\n"
	"snat_ports = 41000-41999      # NAT source ports\n"
	"max_flows = 1024\n"
	"snat_address = node\n"
	"connect_timeout = 10s\n"
	"max_half_open = 2048\n"
	"half_open_per_source = off\n"
	"bpffs = /sys/fs/bpf/kx1\n"
	"\n"
	"[service apiserver]\n"
	"listen = 192.168.218.189:7443\n"
	"mode = nat\n"
	"balance = roundrobin\n"
	"timeout = 30m                 # idle timeout\n"
	"server = control1 192.168.218.171:6443\n"
	"server = control2 192.168.218.172:6443 ; a comment\n"
	"  server = control3 192.168.218.173:6443\n"
	"\n"
	"[vrrp VI_1]\n"
	"priority = 101\n"
	"[stats]\n"
	"listen = :9000\n";

static void test_good_file(void **state)
{
	struct kx_config cfg;
	const struct kx_service *svc;

	(void)state;
	assert_int_equal(kx_config_load_string(&cfg, "good.conf", good), 0);
	assert_string_equal(cfg.interface, "ens33");
	assert_int_equal(cfg.snat_min, 41000);
	assert_int_equal(cfg.snat_max, 41999);
	assert_int_equal(cfg.max_flows, 1024);
	assert_int_equal(cfg.snat_address, KX_SNAT_NODE);
	assert_int_equal(cfg.connect_timeout_s, 10);
	assert_int_equal(cfg.max_half_open, 2048);
	assert_int_equal(cfg.half_open_per_source, 0);
	assert_string_equal(cfg.bpffs, "/sys/fs/bpf/kx1");
	assert_int_equal(cfg.n_services, 1);
	svc = kx_config_find_service(&cfg, "apiserver");
	assert_non_null(svc);
	assert_int_equal(svc->line, 12);
	assert_int_equal(svc->listen.addr.v4, inet_addr("192.168.218.189"));
	assert_int_equal(svc->listen.port, 7443);
	assert_int_equal(svc->timeout_s, 1800);
	assert_int_equal(svc->n_servers, 3);
	assert_string_equal(svc->servers[2].name, "control3");
	assert_int_equal(svc->servers[2].line, 19);
	assert_int_equal(svc->servers[1].ep.addr.v4,
			 inet_addr("192.168.218.172"));
	/* Unknown sections are kept for the agent, with their lines. */
	assert_int_equal(cfg.n_extra, 1);
	assert_string_equal(cfg.extra[0].section, "vrrp VI_1");
	assert_string_equal(cfg.extra[0].key, "priority");
	assert_string_equal(cfg.extra[0].value, "101");
	assert_int_equal(cfg.extra[0].line, 22);
	/* [stats] is read: ":9000" is every address (asked for). */
	assert_true(cfg.stats.enabled);
	assert_int_equal(cfg.stats.line, 23);
	assert_int_equal(cfg.stats.listen.addr.v4, 0);
	assert_int_equal(cfg.stats.listen.port, 9000);
	assert_string_equal(cfg.stats.uri, "/haproxy_stats");
	/* No 'check': never checked, haproxy's defaults for the rest. */
	assert_int_equal(svc->check.kind, KX_CHECK_NONE);
	assert_int_equal(svc->check.inter_ms, 2000);
	assert_int_equal(svc->check.rise, 2);
	assert_int_equal(svc->check.fall, 3);
	assert_int_equal(svc->check.timeout_ms, 5000);
	assert_false(svc->check.start_up);
	kx_config_free(&cfg);
}

/* Dual stack: a service per family over the same apiservers. */
static void test_dual_stack(void **state)
{
	struct kx_config cfg;
	struct in6_addr vip6, srv6;
	char buf[KX_ENDPOINT_STRLEN];

	(void)state;
	assert_int_equal(kx_config_load_string(&cfg, "ds.conf",
		"[service api]\nlisten = 10.0.0.1:7443\nmode = dsr\n"
		"server = a 10.0.0.2:6443\n"
		"[service api6]\nlisten = [2001:db8:218::189]:7443\nmode = dsr\n"
		"server = a [2001:db8:218::172]:6443\n"), 0);
	assert_int_equal(cfg.n_services, 2);
	assert_int_equal(cfg.services[1].listen.family, KHAXDP_AF_INET6);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:218::189", &vip6), 1);
	assert_memory_equal(&cfg.services[1].listen.addr, &vip6, 16);
	assert_int_equal(cfg.services[1].listen.port, 7443);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8:218::172", &srv6), 1);
	assert_memory_equal(&cfg.services[1].servers[0].ep.addr, &srv6, 16);
	assert_string_equal(kx_endpoint_str(&cfg.services[1].listen, buf,
					    sizeof(buf)),
			    "[2001:db8:218::189]:7443");
	kx_config_free(&cfg);
}

static void test_defaults(void **state)
{
	struct kx_config cfg;

	(void)state;
	assert_int_equal(kx_config_load_string(&cfg, "d.conf",
		"[service s]\nlisten = 10.0.0.1:80\nserver = a 10.0.0.2:80\n"), 0);
	assert_string_equal(cfg.bpffs, KX_DEFAULT_BPFFS);
	assert_int_equal(cfg.snat_min, 40000);
	assert_int_equal(cfg.snat_max, 59999);
	assert_int_equal(cfg.max_flows, 65536);
	assert_int_equal(cfg.services[0].timeout_s, 30 * 60);
	assert_int_equal(cfg.services[0].mode, KHAXDP_MODE_NAT);
	kx_config_free(&cfg);
	assert_int_equal(kx_config_load_string(&cfg, "dsr.conf",
		"[service s]\nlisten = 10.0.0.1:80\nmode = dsr\nserver = a 10.0.0.2:80\n"), 0);
	assert_int_equal(cfg.services[0].mode, KHAXDP_MODE_DSR);
	assert_false(cfg.stats.enabled);
	assert_int_equal(cfg.socket_lb, KX_SOCKET_LB_LOCAL);
	assert_string_equal(cfg.cgroup, "");
	assert_int_equal(cfg.snat_address, KX_SNAT_VIP);
	assert_int_equal(cfg.connect_timeout_s, 4);
	assert_int_equal(cfg.max_half_open, 16384);
	assert_int_equal(cfg.half_open_per_source, 1024);
	kx_config_free(&cfg);
}

/* [stats]: the loopback by default; auth and the allowlist. */
/* Is the address text (IPv4 or IPv6) in n? */
static bool has(const struct kx_cidr *n, const char *text)
{
	union khaxdp_addr a;

	memset(&a, 0, sizeof(a));
	if (inet_pton(AF_INET, text, &a.v4) == 1)
		return kx_cidr_has(n, KHAXDP_AF_INET, &a);
	assert_int_equal(inet_pton(AF_INET6, text, &a), 1);
	return kx_cidr_has(n, KHAXDP_AF_INET6, &a);
}

static void test_stats_access(void **state)
{
	struct kx_config cfg;

	(void)state;
	assert_int_equal(kx_config_load_string(&cfg, "s.conf", "[stats]\n"), 0);
	assert_int_equal(cfg.stats.listen.addr.v4, htonl(INADDR_LOOPBACK));
	assert_int_equal(cfg.stats.listen.port, 9000);
	assert_string_equal(cfg.stats.user, "");
	assert_int_equal(cfg.stats.n_allow, 0);
	kx_config_free(&cfg);
	assert_int_equal(kx_config_load_string(&cfg, "s.conf",
		"[stats]\nlisten = 0.0.0.0:9000\nauth = admin:pa:ss\n"
		"allow = 10.1.2.3/8 192.168.218.11\nallow = 0.0.0.0/0\n"), 0);
	assert_string_equal(cfg.stats.user, "admin");
	assert_string_equal(cfg.stats.password, "pa:ss");	/* the first ':' splits */
	assert_int_equal(cfg.stats.n_allow, 3);
	assert_int_equal(cfg.stats.allow[0].addr.v4, inet_addr("10.0.0.0"));
	assert_int_equal(cfg.stats.allow[0].prefix, 8);
	assert_true(has(&cfg.stats.allow[0], "10.200.0.1"));
	assert_false(has(&cfg.stats.allow[0], "11.0.0.1"));
	assert_int_equal(cfg.stats.allow[1].prefix, 32);
	assert_true(has(&cfg.stats.allow[1], "192.168.218.11"));
	assert_false(has(&cfg.stats.allow[1], "192.168.218.12"));
	assert_true(has(&cfg.stats.allow[2], "203.0.113.9"));
	/* an IPv4 network has no IPv6 address, but the IPv4-mapped one */
	assert_false(has(&cfg.stats.allow[0], "::10.200.0.1"));
	assert_true(has(&cfg.stats.allow[0], "::ffff:10.200.0.1"));
	kx_config_free(&cfg);

	/* IPv6: the page on [::1], networks of both families */
	assert_int_equal(kx_config_load_string(&cfg, "s.conf",
		"[stats]\nlisten = [::1]:9000\n"
		"allow = 2001:db8:218::ffff/52 fd00::1 10.0.0.0/8\nallow = ::/0\n"), 0);
	assert_int_equal(cfg.stats.listen.family, KHAXDP_AF_INET6);
	assert_int_equal(cfg.stats.n_allow, 4);
	assert_int_equal(cfg.stats.allow[0].prefix, 52);
	assert_true(has(&cfg.stats.allow[0], "2001:db8:218::1"));
	assert_true(has(&cfg.stats.allow[0], "2001:db8:218:fff:ffff::1"));
	assert_false(has(&cfg.stats.allow[0], "2001:db8:218:1000::1"));	/* bit 52 */
	assert_false(has(&cfg.stats.allow[0], "10.0.0.1"));
	assert_int_equal(cfg.stats.allow[1].prefix, 128);
	assert_true(has(&cfg.stats.allow[1], "fd00::1"));
	assert_false(has(&cfg.stats.allow[1], "fd00::2"));
	assert_true(has(&cfg.stats.allow[2], "10.1.2.3"));
	assert_true(has(&cfg.stats.allow[3], "fe80::1"));
	assert_false(has(&cfg.stats.allow[3], "10.1.2.3"));	/* ::/0 is IPv6's */
	kx_config_free(&cfg);
}

static void test_socket_lb_keys(void **state)
{
	struct kx_config cfg;

	(void)state;
	assert_int_equal(kx_config_load_string(&cfg, "s.conf",
		"[global]\nsocket_lb = all\ncgroup = /run/cg2\n"
		"[service s]\nlisten = 10.0.0.1:80\nserver = a 10.0.0.2:80\n"), 0);
	assert_int_equal(cfg.socket_lb, KX_SOCKET_LB_ALL);
	assert_string_equal(cfg.cgroup, "/run/cg2");
	kx_config_free(&cfg);
	assert_int_equal(kx_config_load_string(&cfg, "s.conf",
		"[global]\nsocket_lb = off\n"
		"[service s]\nlisten = 10.0.0.1:80\nserver = a 10.0.0.2:80\n"), 0);
	assert_int_equal(cfg.socket_lb, KX_SOCKET_LB_OFF);
	kx_config_free(&cfg);
}

static void test_check_keys(void **state)
{
	struct kx_config cfg;
	const struct kx_check *c;

	(void)state;
	assert_int_equal(kx_config_load_string(&cfg, "c.conf",
		"[service s]\nlisten = 10.0.0.1:80\nserver = a 10.0.0.2:80\n"
		"check = https /readyz?verbose   # as kubeadm's guide\n"
		"inter = 500ms\nrise = 1\nfall = 5\ncheck_timeout = 2s\n"
		"start = up\n"
		"[service t]\nlisten = 10.0.0.1:81\nserver = a 10.0.0.2:80\n"
		"check = tcp\n"
		"[stats]\nlisten = 127.0.0.1:9100\nuri = /lb\n"), 0);
	c = &cfg.services[0].check;
	assert_int_equal(c->kind, KX_CHECK_HTTPS);
	assert_string_equal(c->path, "/readyz?verbose");
	assert_int_equal(c->inter_ms, 500);
	assert_int_equal(c->rise, 1);
	assert_int_equal(c->fall, 5);
	assert_int_equal(c->timeout_ms, 2000);
	assert_true(c->start_up);
	c = &cfg.services[1].check;
	assert_int_equal(c->kind, KX_CHECK_TCP);
	assert_string_equal(c->path, "");
	assert_false(c->start_up);
	assert_true(cfg.stats.enabled);
	assert_int_equal(cfg.stats.listen.addr.v4, inet_addr("127.0.0.1"));
	assert_int_equal(cfg.stats.listen.port, 9100);
	assert_string_equal(cfg.stats.uri, "/lb");
	assert_string_equal(kx_check_kind_str(KX_CHECK_HTTPS), "https");
	kx_config_free(&cfg);
}

/* A bad file gives one line: NAME:LINE: problem. */
struct bad_case {
	const char *what;
	const char *text;
	const char *expect;	/* exact kx_last_error() */
};

#define SVC "[service api]\nlisten = 10.0.0.1:7443\n"
#define SRV "server = a 10.0.0.2:6443\n"

static const struct bad_case bad_cases[] = {
	{ "syntax", "[global]\nthis is not ini\n",
	  "bad.conf:2: syntax error (expected [section] or key = value)" },
	{ "unclosed section", "[global\n",
	  "bad.conf:1: syntax error (expected [section] or key = value)" },
	{ "unknown global key", "[global]\nfoo = 1\n",
	  "bad.conf:2: unknown key 'foo' in [global]" },
	{ "unknown service key", SVC SRV "weight = 3\n",
	  "bad.conf:4: unknown key 'weight' in [service api]" },
	{ "key outside section", "interface = ens33\n",
	  "bad.conf:1: 'interface' outside a section ([global] or [service NAME])" },
	{ "bad address", "[service api]\nlisten = 10.0.0.300:7443\n",
	  "bad.conf:2: listen: bad address '10.0.0.300:7443' (expected IPv4:PORT or [IPv6]:PORT)" },
	{ "IPv6 server of an IPv4 service", SVC "server = a 10.0.0.2:6443\nserver = b [2001:db8::2]:6443\n",
	  "bad.conf:4: service api: server b is IPv6 and listen is IPv4: a service's servers are of its listen address's family (give the others a [service] of their own)" },
	{ "IPv4 server of an IPv6 service", "[service api6]\nlisten = [2001:db8::189]:7443\nserver = a 10.0.0.2:6443\n",
	  "bad.conf:3: service api6: server a is IPv4 and listen is IPv6: a service's servers are of its listen address's family (give the others a [service] of their own)" },
	{ "stats allow, IPv6 prefix", "[stats]\nallow = fd00::/129\n",
	  "bad.conf:2: allow: bad prefix in 'fd00::/129' (0-128)" },
	{ "stats allow, IPv4 prefix", "[stats]\nallow = 10.0.0.0/33\n",
	  "bad.conf:2: allow: bad prefix in '10.0.0.0/33' (0-32)" },
	{ "no port", "[service api]\nlisten = 10.0.0.3\n",
	  "bad.conf:2: listen: bad address '10.0.0.3' (expected IPv4:PORT or [IPv6]:PORT)" },
	{ "port out of range", SVC "server = a 10.0.0.2:65536\n",
	  "bad.conf:3: server: bad port in '10.0.0.2:65536' (1-65535)" },
	{ "port zero", SVC "server = a 10.0.0.2:0\n",
	  "bad.conf:3: server: bad port in '10.0.0.2:0' (1-65535)" },
	{ "duplicate server name", SVC SRV "server = a 10.0.0.3:6443\n",
	  "bad.conf:4: duplicate server name 'a' (line 3)" },
	{ "duplicate server address", SVC SRV "server = b 10.0.0.2:6443\n",
	  "bad.conf:4: duplicate server address 10.0.0.2:6443 (line 3)" },
	{ "server syntax", SVC "server = 10.0.0.2:6443\n",
	  "bad.conf:3: server: expected 'NAME IP:PORT', got '10.0.0.2:6443'" },
	{ "server bad name", SVC "server = a/b 10.0.0.2:6443\n",
	  "bad.conf:3: server: bad name 'a/b' (1-31 of A-Z a-z 0-9 _ . -)" },
	{ "unknown mode", SVC "mode = tunnel\n",
	  "bad.conf:3: mode: unknown 'tunnel' (nat or dsr)" },
	{ "balance", SVC "balance = leastconn\n",
	  "bad.conf:3: balance: unknown 'leastconn' (roundrobin)" },
	{ "bad timeout", SVC "timeout = 30x\n",
	  "bad.conf:3: timeout: bad duration '30x' (e.g. 30m, 90s, 2h, 500ms)" },
	{ "zero timeout", SVC "timeout = 0\n",
	  "bad.conf:3: timeout: bad duration '0' (e.g. 30m, 90s, 2h, 500ms)" },
	{ "duplicate key", SVC "listen = 10.0.0.9:7443\n",
	  "bad.conf:3: duplicate key 'listen'" },
	{ "service without servers", "[global]\n" SVC "[service b]\nlisten = 10.0.0.5:1\n" SRV,
	  "bad.conf:2: service api: no 'server = NAME IP:PORT'" },
	{ "service without listen", "[service api]\n" SRV,
	  "bad.conf:1: service api: no 'listen = IP:PORT'" },
	{ "service without name", "[service]\n",
	  "bad.conf:1: [service] needs a name: [service NAME]" },
	{ "duplicate service", SVC SRV "[service api]\n",
	  "bad.conf:4: duplicate [service api] (line 1)" },
	{ "same listen twice", SVC SRV "[service b]\nlisten = 10.0.0.1:7443\n" SRV,
	  "bad.conf:4: service b: listen 10.0.0.1:7443 already used by service api (line 1)" },
	{ "snat reversed", "[global]\nsnat_ports = 50000-40000\n",
	  "bad.conf:2: snat_ports: bad range '50000-40000' (expected MIN-MAX, 1 <= MIN <= MAX <= 65535)" },
	{ "snat garbage", "[global]\nsnat_ports = 40000\n",
	  "bad.conf:2: snat_ports: bad range '40000' (expected MIN-MAX, 1 <= MIN <= MAX <= 65535)" },
	{ "socket_lb", "[global]\nsocket_lb = some\n",
	  "bad.conf:2: socket_lb: 'some' is not local, all or off" },
	{ "cgroup relative", "[global]\ncgroup = sys/fs/cgroup\n",
	  "bad.conf:2: cgroup: 'sys/fs/cgroup' is not an absolute path" },
	{ "max_flows zero", "[global]\nmax_flows = 0\n",
	  "bad.conf:2: max_flows: bad value '0' (1-16777216)" },
	{ "snat_address", "[global]\nsnat_address = 10.0.0.9\n",
	  "bad.conf:2: snat_address: '10.0.0.9' is not vip or node" },
	{ "connect_timeout too short", "[global]\nconnect_timeout = 500ms\n",
	  "bad.conf:2: connect_timeout: bad duration '500ms' (1s-255s)" },
	{ "connect_timeout too long", "[global]\nconnect_timeout = 5m\n",
	  "bad.conf:2: connect_timeout: bad duration '5m' (1s-255s)" },
	{ "max_half_open zero", "[global]\nmax_half_open = 0\n",
	  "bad.conf:2: max_half_open: bad value '0' (1-16777216)" },
	{ "half_open_per_source", "[global]\nhalf_open_per_source = some\n",
	  "bad.conf:2: half_open_per_source: bad value 'some' (1-16777216, or off)" },
	{ "listen port among the SNAT ports",
	  "[global]\nsnat_ports = 7000-8000\n[service s]\nlisten = 10.0.0.1:7443\nserver = a 10.0.0.2:6443\n",
	  "bad.conf:3: service s: listen port 7443 is inside snat_ports 7000-8000: a client's packet to it could not be told from a backend's reply" },
	{ "bpffs relative", "[global]\nbpffs = khaxdp\n",
	  "bad.conf:2: bpffs: 'khaxdp' is not an absolute path" },
	{ "global with a name", "[global x]\n",
	  "bad.conf:1: [global] takes no name" },
	{ "text after section", "[global] x\n",
	  "bad.conf:1: unexpected text after ']'" },
	{ "check unknown", SVC SRV "check = http /readyz\n",
	  "bad.conf:4: check: bad value 'http /readyz' (https PATH, tcp or none)" },
	{ "check https without path", SVC SRV "check = https\n",
	  "bad.conf:4: check: bad value 'https' (https PATH, tcp or none)" },
	{ "check relative path", SVC SRV "check = https readyz\n",
	  "bad.conf:4: check: bad value 'https readyz' (https PATH, tcp or none)" },
	{ "check tcp with path", SVC SRV "check = tcp /x\n",
	  "bad.conf:4: check: bad value 'tcp /x' (https PATH, tcp or none)" },
	{ "check twice", SVC SRV "check = tcp\ncheck = none\n",
	  "bad.conf:5: duplicate key 'check'" },
	{ "inter zero", SVC SRV "inter = 0\n",
	  "bad.conf:4: inter: bad duration '0' (10ms to 1h, e.g. 2s, 500ms)" },
	{ "inter too long", SVC SRV "inter = 2h\n",
	  "bad.conf:4: inter: bad duration '2h' (10ms to 1h, e.g. 2s, 500ms)" },
	{ "check_timeout garbage", SVC SRV "check_timeout = soon\n",
	  "bad.conf:4: check_timeout: bad duration 'soon' (10ms to 1h, e.g. 2s, 500ms)" },
	{ "rise zero", SVC SRV "rise = 0\n",
	  "bad.conf:4: rise: bad count '0' (1-100)" },
	{ "fall negative", SVC SRV "fall = -1\n",
	  "bad.conf:4: fall: bad count '-1' (1-100)" },
	{ "fall too many", SVC SRV "fall = 101\n",
	  "bad.conf:4: fall: bad count '101' (1-100)" },
	{ "start", SVC SRV "start = maybe\n",
	  "bad.conf:4: start: unknown 'maybe' (up or down)" },
	{ "stats with a name", "[stats x]\n",
	  "bad.conf:1: [stats] takes no name" },
	{ "stats twice", "[stats]\n[stats]\n",
	  "bad.conf:2: duplicate [stats] (line 1)" },
	{ "stats unknown key", "[stats]\nrefresh = 5s\n",
	  "bad.conf:2: unknown key 'refresh' in [stats] (listen, uri, auth, allow)" },
	{ "stats auth without password", "[stats]\nauth = admin\n",
	  "bad.conf:2: auth: expected USER:PASSWORD (no blanks, at most 127 characters)" },
	{ "stats auth empty user", "[stats]\nauth = :pw\n",
	  "bad.conf:2: auth: expected USER:PASSWORD (no blanks, at most 127 characters)" },
	{ "stats auth twice", "[stats]\nauth = a:b\nauth = c:d\n",
	  "bad.conf:3: duplicate key 'auth'" },
	{ "stats allow bad prefix", "[stats]\nallow = 10.0.0.0/33\n",
	  "bad.conf:2: allow: bad prefix in '10.0.0.0/33' (0-32)" },
	{ "stats allow not an address", "[stats]\nallow = 10.0.0.0/8 admins\n",
	  "bad.conf:2: allow: 'admins' is not an IPv4 or IPv6 address or network" },
	{ "stats bad listen", "[stats]\nlisten = 9000\n",
	  "bad.conf:2: listen: bad address '9000' (expected IPv4:PORT or [IPv6]:PORT)" },
	{ "stats bad port", "[stats]\nlisten = :0\n",
	  "bad.conf:2: listen: bad port in ':0' (1-65535)" },
	{ "stats uri relative", "[stats]\nuri = stats\n",
	  "bad.conf:2: uri: bad path 'stats' (/PATH without blanks, '?', /metrics or /status.json)" },
	{ "stats uri metrics", "[stats]\nuri = /metrics\n",
	  "bad.conf:2: uri: bad path '/metrics' (/PATH without blanks, '?', /metrics or /status.json)" },
	{ "first error wins", "[global]\nfoo = 1\nbar\n",
	  "bad.conf:2: unknown key 'foo' in [global]" },
	{ "syntax before key error", "[global]\nbar\nfoo = 1\n",
	  "bad.conf:2: syntax error (expected [section] or key = value)" },
};

static void test_bad_files(void **state)
{
	(void)state;
	for (size_t i = 0; i < KX_ARRAY_SIZE(bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct kx_config cfg;
		int err;

		err = kx_config_load_string(&cfg, "bad.conf", c->text);
		kx_config_free(&cfg);
		if (err && !strcmp(kx_last_error(), c->expect))
			continue;
		fail_msg("case '%s': expected error\n  %s\ngot (%d)\n  %s",
			 c->what, c->expect, err, err ? kx_last_error() : "");
	}
}

static char *repeat_servers(unsigned int n, unsigned int first_ip)
{
	size_t cap = 64 + n * 64;
	char *s = malloc(cap);

	snprintf(s, cap, "[service s%u]\nlisten = 10.1.%u.1:80\n", first_ip,
		 first_ip);
	for (unsigned int i = 0; i < n; i++)
		snprintf(s + strlen(s), cap - strlen(s),
			 "server = b%u 10.2.%u.%u:80\n", i, first_ip, i + 1);
	return s;
}

static void test_too_many_servers(void **state)
{
	struct kx_config cfg;
	char *text;
	char expect[128];

	(void)state;
	text = repeat_servers(KHAXDP_MAX_SERVICE_BACKENDS, 0);
	assert_int_equal(kx_config_load_string(&cfg, "m.conf", text), 0);
	kx_config_free(&cfg);
	free(text);

	text = repeat_servers(KHAXDP_MAX_SERVICE_BACKENDS + 1, 0);
	assert_int_not_equal(kx_config_load_string(&cfg, "m.conf", text), 0);
	snprintf(expect, sizeof(expect), "m.conf:%d: service s0: more than %d servers",
		 KHAXDP_MAX_SERVICE_BACKENDS + 3, KHAXDP_MAX_SERVICE_BACKENDS);
	assert_string_equal(kx_last_error(), expect);
	kx_config_free(&cfg);
	free(text);
}

static void test_too_many_services_and_backends(void **state)
{
	char *text = calloc(1, 1 << 20), *part;
	struct kx_config cfg;
	unsigned int per = KHAXDP_MAX_SERVICE_BACKENDS;

	(void)state;
	/* 16 services of 32 servers: more than 256 backends in all. */
	for (unsigned int s = 0; s < KHAXDP_MAX_SERVICES; s++) {
		part = repeat_servers(per, s);
		strcat(text, part);
		free(part);
	}
	assert_int_not_equal(kx_config_load_string(&cfg, "t.conf", text), 0);
	assert_non_null(strstr(kx_last_error(), "more than 256 servers in all services"));
	kx_config_free(&cfg);

	text[0] = '\0';
	for (unsigned int s = 0; s <= KHAXDP_MAX_SERVICES; s++) {
		part = repeat_servers(1, s);
		strcat(text, part);
		free(part);
	}
	assert_int_not_equal(kx_config_load_string(&cfg, "t.conf", text), 0);
	assert_string_equal(kx_last_error(), "t.conf:49: more than 16 services");
	kx_config_free(&cfg);
	free(text);
}

static void test_missing_file(void **state)
{
	struct kx_config cfg;

	(void)state;
	assert_int_not_equal(kx_config_load(&cfg, "/nonexistent/k.conf"), 0);
	assert_string_equal(kx_last_error(),
			    "/nonexistent/k.conf: No such file or directory");
	kx_config_free(&cfg);
}

static void test_example_file(void **state)
{
	struct kx_config cfg;

	(void)state;
	/* The shipped example must parse (run from the repository root). */
	if (kx_config_load(&cfg, "tools/khaxdp.conf.example"))
		fail_msg("%s", kx_last_error());
	assert_int_equal(cfg.n_services, 1);
	assert_int_equal(cfg.services[0].n_servers, 3);
	kx_config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_file),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_dual_stack),
		cmocka_unit_test(test_stats_access),
		cmocka_unit_test(test_socket_lb_keys),
		cmocka_unit_test(test_check_keys),
		cmocka_unit_test(test_bad_files),
		cmocka_unit_test(test_too_many_servers),
		cmocka_unit_test(test_too_many_services_and_backends),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_example_file),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
