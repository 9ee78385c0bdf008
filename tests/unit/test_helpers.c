// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* test_helpers.c - the pure helpers of libkhaxdp: value parsers, ring
 * building, id planning across re-attach, flow expiry, JSON. */
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
#include "loader/fill.h"
#include "loader/json.h"
#include "loader/counters.h"
#include "loader/maps.h"
#include "loader/util.h"

static void test_duration(void **state)
{
	static const struct {
		const char *in;
		int err;
		uint64_t ms;
	} cases[] = {
		{ "30m", 0, 1800000 }, { "2h", 0, 7200000 }, { "45s", 0, 45000 },
		{ "500ms", 0, 500 }, { "90", 0, 90000 }, { "0", 0, 0 },
		{ "", -EINVAL, 0 }, { "m", -EINVAL, 0 }, { "-5s", -EINVAL, 0 },
		{ "5 s", -EINVAL, 0 }, { "5d", -EINVAL, 0 }, { "1.5h", -EINVAL, 0 },
		{ "99999999999999999999", -ERANGE, 0 },
		{ "18446744073709551h", -ERANGE, 0 },
	};

	(void)state;
	for (size_t i = 0; i < KX_ARRAY_SIZE(cases); i++) {
		uint64_t ms = 12345;
		int err = kx_parse_duration_ms(cases[i].in, &ms);

		if (err != cases[i].err || (!err && ms != cases[i].ms))
			fail_msg("duration '%s': expected %d/%llu, got %d/%llu",
				 cases[i].in, cases[i].err,
				 (unsigned long long)cases[i].ms, err,
				 (unsigned long long)ms);
	}
}

static void test_ports(void **state)
{
	uint16_t p, lo, hi;

	(void)state;
	assert_int_equal(kx_parse_port("1", &p), 0);
	assert_int_equal(p, 1);
	assert_int_equal(kx_parse_port("65535", &p), 0);
	assert_int_equal(p, 65535);
	assert_int_equal(kx_parse_port("0", &p), -ERANGE);
	assert_int_equal(kx_parse_port("65536", &p), -ERANGE);
	assert_int_equal(kx_parse_port("+80", &p), -EINVAL);
	assert_int_equal(kx_parse_port("80x", &p), -EINVAL);
	assert_int_equal(kx_parse_port("", &p), -EINVAL);

	assert_int_equal(kx_parse_port_range("40000-59999", &lo, &hi), 0);
	assert_int_equal(lo, 40000);
	assert_int_equal(hi, 59999);
	assert_int_equal(kx_parse_port_range("5-5", &lo, &hi), 0);
	assert_int_equal(kx_parse_port_range("6-5", &lo, &hi), -ERANGE);
	assert_int_equal(kx_parse_port_range("0-5", &lo, &hi), -EINVAL);
	assert_int_equal(kx_parse_port_range("5", &lo, &hi), -EINVAL);
	assert_int_equal(kx_parse_port_range("1-2-3", &lo, &hi), -EINVAL);
}

static void test_endpoint(void **state)
{
	struct kx_endpoint ep;
	char buf[KX_ENDPOINT_STRLEN];

	(void)state;
	assert_int_equal(kx_parse_endpoint("192.168.218.189:7443", &ep), 0);
	assert_int_equal(ep.family, KHAXDP_AF_INET);
	assert_int_equal(ep.addr.v4, inet_addr("192.168.218.189"));
	assert_int_equal(ep.addr.v6[1], 0);
	assert_int_equal(ep.port, 7443);
	assert_string_equal(kx_endpoint_str(&ep, buf, sizeof(buf)),
			    "192.168.218.189:7443");
	assert_int_equal(kx_parse_endpoint("1.2.3:80", &ep), -EINVAL);
	assert_int_equal(kx_parse_endpoint("1.2.3.4", &ep), -EINVAL);
	assert_int_equal(kx_parse_endpoint("host:80", &ep), -EINVAL);
	assert_int_equal(kx_parse_endpoint("1.2.3.4:99999", &ep), -ERANGE);

	/* IPv6 as URLs write it */
	assert_int_equal(kx_parse_endpoint("[2001:db8:218::189]:7443", &ep), 0);
	assert_int_equal(ep.family, KHAXDP_AF_INET6);
	assert_int_equal(ep.addr.v6[0], htonl(0x20010db8));
	assert_int_equal(ep.addr.v6[1], htonl(0x02180000));
	assert_int_equal(ep.addr.v6[3], htonl(0x189));
	assert_int_equal(ep.port, 7443);
	assert_string_equal(kx_endpoint_str(&ep, buf, sizeof(buf)),
			    "[2001:db8:218::189]:7443");
	assert_int_equal(kx_parse_endpoint("[::1]:80", &ep), 0);
	assert_string_equal(kx_endpoint_str(&ep, buf, sizeof(buf)), "[::1]:80");
	assert_int_equal(kx_parse_endpoint("2001:db8::1:80", &ep), -EINVAL);
	assert_int_equal(kx_parse_endpoint("[2001:db8::1:80", &ep), -EINVAL);
	assert_int_equal(kx_parse_endpoint("[2001:db8::1]80", &ep), -EINVAL);
	assert_int_equal(kx_parse_endpoint("[1.2.3.4]:80", &ep), -EINVAL);
	assert_int_equal(kx_parse_endpoint("[]:80", &ep), -EINVAL);
	assert_int_equal(kx_parse_endpoint("[::1]:0", &ep), -ERANGE);
	assert_true(kx_valid_name("control-1.a_b"));
	assert_false(kx_valid_name(""));
	assert_false(kx_valid_name("a/b"));
	assert_false(kx_valid_name("0123456789012345678901234567890123"));
}

static void set_backend(struct khaxdp_backend *b, uint16_t svc, uint8_t health,
			uint8_t admin)
{
	memset(b, 0, sizeof(*b));
	b->family = KHAXDP_AF_INET;
	b->service_id = svc;
	b->health = health;
	b->admin = admin;
}

static void test_ring_build(void **state)
{
	struct khaxdp_backend b[8];
	struct khaxdp_ring ring;

	(void)state;
	memset(b, 0, sizeof(b));
	set_backend(&b[0], 0, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
	set_backend(&b[1], 1, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
	set_backend(&b[2], 0, KHAXDP_HEALTH_DOWN, KHAXDP_ADMIN_ENABLED);
	set_backend(&b[3], 0, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_DRAIN);
	set_backend(&b[4], 0, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_DISABLED);
	set_backend(&b[5], 0, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
	/* b[6]: unused slot (family 0) of service 0, health "up". */
	b[6].health = KHAXDP_HEALTH_UP;
	set_backend(&b[7], 0, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);

	kx_ring_build(b, 8, 0, &ring);
	assert_int_equal(ring.count, 3);
	assert_int_equal(ring.backend[0], 0);
	assert_int_equal(ring.backend[1], 5);
	assert_int_equal(ring.backend[2], 7);
	assert_int_equal(ring.backend[3], 0);	/* rest zeroed */

	kx_ring_build(b, 8, 1, &ring);
	assert_int_equal(ring.count, 1);
	assert_int_equal(ring.backend[0], 1);

	kx_ring_build(b, 8, 9, &ring);
	assert_int_equal(ring.count, 0);
}

static void test_ring_capped(void **state)
{
	struct khaxdp_backend *b = calloc(KHAXDP_MAX_BACKENDS, sizeof(*b));
	struct khaxdp_ring ring;

	(void)state;
	for (int i = 0; i < KHAXDP_MAX_BACKENDS; i++)
		set_backend(&b[i], 0, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
	kx_ring_build(b, KHAXDP_MAX_BACKENDS, 0, &ring);
	assert_int_equal(ring.count, KHAXDP_MAX_SERVICE_BACKENDS);
	assert_int_equal(ring.backend[KHAXDP_MAX_SERVICE_BACKENDS - 1],
			 KHAXDP_MAX_SERVICE_BACKENDS - 1);
	free(b);
}

/* ---- id planning: what re-attach keeps ---------------------------------- */

static bool local_is_10_0_0_1(const struct kx_endpoint *ep)
{
	return ep->addr.v4 == inet_addr("10.0.0.1");
}

static void load(struct kx_config *cfg, const char *text)
{
	if (kx_config_load_string(cfg, "plan.conf", text))
		fail_msg("%s", kx_last_error());
}

/* Turn a plan into "old state", as the maps would hold after writing it. */
static void plan_to_old(const struct kx_config *cfg, const struct kx_plan *p,
			struct kx_old_state *old)
{
	memset(old, 0, sizeof(*old));
	for (unsigned int i = 0; i < cfg->n_services; i++) {
		old->services[i].val.id = p->service_id[i];
		old->services[i].val.ring_slot = !p->old_ring_slot[i];
		strcpy(old->services[i].val.name, cfg->services[i].name);
	}
	old->n_services = cfg->n_services;
	memcpy(old->backends, p->backends, sizeof(old->backends));
}

static int find(const struct kx_plan *p, uint16_t svc, const char *name)
{
	for (int id = 0; id < KHAXDP_MAX_BACKENDS; id++)
		if (p->backends[id].family && p->backends[id].service_id == svc &&
		    !strcmp(p->backends[id].name, name))
			return id;
	return -1;
}

static const char conf_v1[] =
	"[service api]\nlisten = 10.0.0.100:7443\n"
	"server = c1 10.0.0.1:6443\nserver = c2 10.0.0.2:6443\n"
	"server = c3 10.0.0.3:6443\n"
	"[service other]\nlisten = 10.0.0.100:8443\n"
	"server = c1 10.0.0.1:8443\n";

static const char conf_v2[] =	/* c2 removed, c4 added, 'other' gone */
	"[service new]\nlisten = 10.0.0.101:80\nserver = x 10.0.0.9:80\n"
	"[service api]\nlisten = 10.0.0.100:7443\n"
	"server = c4 10.0.0.4:6443\nserver = c1 10.0.0.1:6443\n"
	"server = c3 10.0.0.33:6443\n";

static void test_plan_first_attach(void **state)
{
	static struct kx_old_state old;
	static struct kx_plan p;
	struct kx_config cfg;

	(void)state;
	memset(&old, 0, sizeof(old));
	load(&cfg, conf_v1);
	assert_int_equal(kx_plan_make(&cfg, &old, local_is_10_0_0_1, &p), 0);
	/* Ids in config order; everything new, up and enabled. */
	assert_int_equal(p.service_id[0], 0);
	assert_int_equal(p.service_id[1], 1);
	assert_true(p.service_new[0]);
	assert_int_equal(find(&p, 0, "c1"), 0);
	assert_int_equal(find(&p, 0, "c2"), 1);
	assert_int_equal(find(&p, 0, "c3"), 2);
	assert_int_equal(find(&p, 1, "c1"), 3);
	assert_true(p.backend_new[2]);
	assert_int_equal(p.backends[1].health, KHAXDP_HEALTH_UP);
	assert_int_equal(p.backends[1].admin, KHAXDP_ADMIN_ENABLED);
	assert_int_equal(p.backends[1].port, htons(6443));
	assert_int_equal(p.backends[0].local, 1);
	assert_int_equal(p.backends[1].local, 0);
	assert_int_equal(p.backends[3].local, 1);
	kx_config_free(&cfg);
}

/* A checked service's new backends start DOWN, unless 'start = up'; one
 * that was there keeps what the agent wrote. */
static void test_plan_initial_health(void **state)
{
	static struct kx_old_state old;
	static struct kx_plan p, p2;
	struct kx_config cfg;

	(void)state;
	memset(&old, 0, sizeof(old));
	load(&cfg, "[service a]\nlisten = 10.0.0.100:1\ncheck = tcp\n"
		   "server = x 10.0.0.1:1\n"
		   "[service b]\nlisten = 10.0.0.100:2\ncheck = https /readyz\n"
		   "start = up\nserver = y 10.0.0.1:2\n"
		   "[service c]\nlisten = 10.0.0.100:3\ncheck = none\n"
		   "server = z 10.0.0.1:3\n");
	assert_int_equal(kx_plan_make(&cfg, &old, NULL, &p), 0);
	assert_int_equal(p.backends[find(&p, 0, "x")].health, KHAXDP_HEALTH_DOWN);
	assert_int_equal(p.backends[find(&p, 1, "y")].health, KHAXDP_HEALTH_UP);
	assert_int_equal(p.backends[find(&p, 2, "z")].health, KHAXDP_HEALTH_UP);
	plan_to_old(&cfg, &p, &old);
	old.backends[find(&p, 0, "x")].health = KHAXDP_HEALTH_UP;
	assert_int_equal(kx_plan_make(&cfg, &old, NULL, &p2), 0);
	assert_int_equal(p2.backends[find(&p2, 0, "x")].health, KHAXDP_HEALTH_UP);
	kx_config_free(&cfg);
}

static void test_plan_reattach_keeps_state(void **state)
{
	static struct kx_old_state old;
	static struct kx_plan p1, p2;
	struct kx_config v1, v2;
	int c1, c3, c4;

	(void)state;
	memset(&old, 0, sizeof(old));
	load(&v1, conf_v1);
	load(&v2, conf_v2);
	assert_int_equal(kx_plan_make(&v1, &old, NULL, &p1), 0);
	plan_to_old(&v1, &p1, &old);
	old.backends[0].health = KHAXDP_HEALTH_DOWN;	/* api/c1 */
	old.backends[2].admin = KHAXDP_ADMIN_DRAIN;	/* api/c3 */

	assert_int_equal(kx_plan_make(&v2, &old, NULL, &p2), 0);
	/* api keeps id 0 though it moved in the file; 'new' takes an id
	 * no service used before. */
	assert_int_equal(p2.service_id[1], 0);
	assert_false(p2.service_new[1]);
	assert_int_equal(p2.old_ring_slot[1], old.services[0].val.ring_slot);
	assert_int_equal(p2.service_id[0], 2);
	assert_true(p2.service_new[0]);

	c1 = find(&p2, 0, "c1");
	c3 = find(&p2, 0, "c3");
	c4 = find(&p2, 0, "c4");
	assert_int_equal(c1, 0);
	assert_int_equal(c3, 2);
	assert_int_equal(p2.backends[c1].health, KHAXDP_HEALTH_DOWN);
	assert_int_equal(p2.backends[c3].admin, KHAXDP_ADMIN_DRAIN);
	assert_false(p2.backend_new[c3]);
	/* The address comes from the new file. */
	assert_int_equal(p2.backends[c3].addr.v4, inet_addr("10.0.0.33"));
	/* c4 is new and does not take c2's freed id (flows may still name it). */
	assert_true(c4 > 3);
	assert_true(p2.backend_new[c4]);
	assert_int_equal(p2.backends[c4].health, KHAXDP_HEALTH_UP);
	/* c2 and other/c1 are gone. */
	assert_true(p2.backend_gone[1]);
	assert_true(p2.backend_gone[3]);
	assert_false(p2.backend_gone[0]);
	assert_int_equal(p2.backends[1].family, 0);
	kx_config_free(&v1);
	kx_config_free(&v2);
}

/* ---- flow expiry -------------------------------------------------------- */

static void test_flow_expired(void **state)
{
	const uint64_t s = 1000000000ULL;
	struct khaxdp_flow f = { .last_seen_ns = 100 * s, .timeout_s = 30 };

	(void)state;
	assert_false(khaxdp_flow_expired(&f, 100 * s));
	assert_false(khaxdp_flow_expired(&f, 130 * s));
	assert_true(khaxdp_flow_expired(&f, 131 * s));
	assert_false(khaxdp_flow_expired(&f, 50 * s));	/* clock behind: live */
	f.flags = KHAXDP_FLOW_FIN_FWD;			/* half closed: timeout */
	assert_false(khaxdp_flow_expired(&f, 120 * s));
	f.flags |= KHAXDP_FLOW_FIN_REV;
	assert_true(khaxdp_flow_expired(&f, (100 + KHAXDP_CLOSED_TIMEOUT_S + 1) * s));
	f.flags = KHAXDP_FLOW_RST;
	assert_false(khaxdp_flow_expired(&f, (100 + KHAXDP_CLOSED_TIMEOUT_S) * s));
	assert_true(khaxdp_flow_expired(&f, (100 + KHAXDP_CLOSED_TIMEOUT_S + 1) * s));
}

/* ---- names and JSON ----------------------------------------------------- */

static void test_names(void **state)
{
	enum khaxdp_admin a;

	(void)state;
	assert_string_equal(kx_stat_name(KHAXDP_STAT_RX), "RX");
	assert_string_equal(kx_stat_name(KHAXDP_STAT_NO_FLOW), "NO_FLOW");
	assert_string_equal(kx_stat_desc(KHAXDP_STAT_NO_FLOW),
			    "passed: non-SYN with no flow");
	assert_string_equal(kx_stat_name(KHAXDP_STAT_MAX), "?");
	assert_int_equal(kx_admin_parse("drain", &a), 0);
	assert_int_equal(a, KHAXDP_ADMIN_DRAIN);
	assert_int_equal(kx_admin_parse("disable", &a), 0);
	assert_int_equal(a, KHAXDP_ADMIN_DISABLED);
	assert_int_equal(kx_admin_parse("enabled", &a), 0);
	assert_int_equal(a, KHAXDP_ADMIN_ENABLED);
	assert_int_equal(kx_admin_parse("off", &a), -EINVAL);
	assert_string_equal(kx_admin_str(KHAXDP_ADMIN_DRAIN), "drain");
	assert_string_equal(kx_health_str(KHAXDP_HEALTH_DOWN), "DOWN");
}

static void test_json(void **state)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct kx_json j;

	(void)state;
	kx_json_init(&j, f);
	kx_json_object_begin(&j);
	kx_json_kv_string(&j, "name", "a\"b\\c\n\x01");
	kx_json_kv_u64(&j, "n", 18446744073709551615ULL);
	kx_json_key(&j, "list");
	kx_json_array_begin(&j);
	kx_json_u64(&j, 1);
	kx_json_object_begin(&j);
	kx_json_kv_bool(&j, "up", true);
	kx_json_object_end(&j);
	kx_json_null(&j);
	kx_json_array_end(&j);
	kx_json_key(&j, "empty");
	kx_json_array_begin(&j);
	kx_json_array_end(&j);
	kx_json_object_end(&j);
	fclose(f);
	assert_string_equal(buf,
		"{\"name\":\"a\\\"b\\\\c\\n\\u0001\",\"n\":18446744073709551615,"
		"\"list\":[1,{\"up\":true},null],\"empty\":[]}\n");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration),
		cmocka_unit_test(test_ports),
		cmocka_unit_test(test_endpoint),
		cmocka_unit_test(test_ring_build),
		cmocka_unit_test(test_ring_capped),
		cmocka_unit_test(test_plan_first_attach),
		cmocka_unit_test(test_plan_reattach_keeps_state),
		cmocka_unit_test(test_plan_initial_health),
		cmocka_unit_test(test_flow_expired),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
