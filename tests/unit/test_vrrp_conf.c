// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* test_vrrp_conf.c - [vrrp NAME] sections: the documented example, defaults,
 * keepalived's spellings, and each bad value with its FILE:LINE. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <stdlib.h>
#include <unistd.h>
#include <cmocka.h>

#include "loader/util.h"
#include "vrrp/vrrp_conf.h"

static const char example[] =
	"[global]\n"
	"interface = ens33\n"
	"\n"
	"[vrrp VI_1]\n"
	"interface = ens33\n"
	"virtual_router_id = 51\n"
	"priority = 101\n"
	"advert_int = 1s               # v3: 10ms .. 40.95s\n"
	"version = 3\n"
	"virtual_ipaddress = 192.168.218.189/24\n"
	"preempt = yes\n"
	"preempt_delay = 0s\n"
	"garp_master_repeat = 5\n"
	"garp_master_delay = 5s\n"
	"track_dataplane = weight 2\n"
	"unicast_src_ip = 192.168.218.171\n"
	"unicast_peer = 192.168.218.172\n"
	"unicast_peer = 192.168.218.173\n"
	"notify_master = /usr/local/bin/kx-notify master\n"
	"notify = /usr/local/bin/kx-notify\n"
	"[stats]\n"
	"listen = 0.0.0.0:9000\n";

static int load(const char *text, struct vrrp_config *vc)
{
	struct kx_config kc;
	int err;

	err = kx_config_load_string(&kc, "t.conf", text);
	if (!err)
		err = vrrp_conf_from(&kc, vc);
	kx_config_free(&kc);
	return err;
}

/* A one-instance file with `extra` added after the required keys (the
 * header is line 1, the three keys lines 2-4, extra from line 5). */
static int load_with(const char *extra, struct vrrp_config *vc)
{
	char text[1024];

	snprintf(text, sizeof(text),
		 "[vrrp VI_1]\ninterface = ens33\nvirtual_router_id = 51\n"
		 "virtual_ipaddress = 10.0.0.100/24\n%s", extra);
	return load(text, vc);
}

static void expect_error(const char *extra, const char *msg)
{
	struct vrrp_config vc;

	assert_int_equal(load_with(extra, &vc), -EINVAL);
	if (!strstr(kx_last_error(), msg))
		fail_msg("error '%s' lacks '%s'", kx_last_error(), msg);
}

static void test_issue_example(void **state)
{
	struct vrrp_config vc;
	const struct vrrp_instance_conf *ic = &vc.inst[0];

	(void)state;
	assert_int_equal(load(example, &vc), 0);
	assert_int_equal(vc.n, 1);
	assert_string_equal(ic->name, "VI_1");
	assert_int_equal(ic->line, 5);
	assert_string_equal(ic->interface, "ens33");
	assert_int_equal(ic->vrid, 51);
	assert_int_equal(ic->priority, 101);
	assert_int_equal(ic->adver_int_cs, 100);
	assert_int_equal(ic->version, 3);
	assert_int_equal(ic->n_vips, 1);
	assert_int_equal(ic->vips[0].addr.v4, inet_addr("192.168.218.189"));
	assert_int_equal(ic->vips[0].prefix, 24);
	assert_true(ic->preempt);
	assert_int_equal(ic->preempt_delay_ms, 0);
	assert_int_equal(ic->garp_repeat, 5);
	assert_int_equal(ic->garp_delay_ms, 5000);
	assert_true(ic->track_dataplane);
	assert_int_equal(ic->track_weight, 2);
	assert_int_equal(vrrp_ip_v4(&ic->unicast_src), inet_addr("192.168.218.171"));
	assert_int_equal(ic->n_peers, 2);
	assert_int_equal(vrrp_ip_v4(&ic->peers[1]), inet_addr("192.168.218.173"));
	assert_string_equal(ic->notify[VRRP_NOTIFY_MASTER],
			    "/usr/local/bin/kx-notify master");
	assert_string_equal(ic->notify[VRRP_NOTIFY_ANY],
			    "/usr/local/bin/kx-notify");
	assert_string_equal(ic->notify[VRRP_NOTIFY_BACKUP], "");
	assert_int_equal(ic->csum_form, VRRP_CSUM_PSEUDO);
	assert_string_equal(vc.bpffs, KX_DEFAULT_BPFFS);
}

static void test_defaults(void **state)
{
	struct vrrp_config vc;
	const struct vrrp_instance_conf *ic = &vc.inst[0];

	(void)state;
	assert_int_equal(load("[global]\ninterface = eth7\n[vrrp a]\n"
			      "virtual_router_id = 7\n"
			      "virtual_ipaddress = 10.0.0.1\n", &vc), 0);
	assert_string_equal(ic->interface, "eth7");	/* from [global] */
	assert_int_equal(ic->priority, VRRP_DEFAULT_PRIORITY);
	assert_int_equal(ic->version, 3);
	assert_int_equal(ic->adver_int_cs, 100);
	assert_true(ic->preempt);
	assert_int_equal(ic->vips[0].prefix, 32);	/* as keepalived */
	assert_int_equal(ic->n_peers, 0);		/* multicast */
	assert_false(ic->track_dataplane);
	assert_false(ic->has_auth);
}

static void test_advert_int_spellings(void **state)
{
	static const struct {
		const char *text;
		uint16_t cs;
	} cases[] = {
		{ "1", 100 }, { "1s", 100 }, { "100ms", 10 }, { "10ms", 1 },
		{ "0.05", 5 }, { "0.5s", 50 }, { "40.95", 4095 }, { "3", 300 },
	};
	struct vrrp_config vc;
	char line[64];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(line, sizeof(line), "advert_int = %s\n", cases[i].text);
		assert_int_equal(load_with(line, &vc), 0);
		assert_int_equal(vc.inst[0].adver_int_cs, cases[i].cs);
	}
}

static void test_v2_pass_and_nopreempt(void **state)
{
	struct vrrp_config vc;
	const struct vrrp_instance_conf *ic = &vc.inst[0];

	(void)state;
	assert_int_equal(load_with("version = 2\nauth_pass = 42\n"
				   "preempt = no\npreempt_delay = 4.12\n"
				   "state = MASTER\n", &vc), 0);
	assert_int_equal(ic->version, 2);
	assert_true(ic->has_auth);
	assert_memory_equal(ic->auth_pass, "42\0\0\0\0\0\0", 8);
	assert_false(ic->preempt);
	assert_int_equal(ic->preempt_delay_ms, 4120);
}

static void test_checksum_and_negative_weight(void **state)
{
	struct vrrp_config vc;

	(void)state;
	assert_int_equal(load_with("v3_checksum = nopseudo\n"
				   "track_dataplane = weight -20\n", &vc), 0);
	assert_int_equal(vc.inst[0].csum_form, VRRP_CSUM_NOPSEUDO);
	assert_int_equal(vc.inst[0].track_weight, -20);
}

static void test_two_instances(void **state)
{
	struct vrrp_config vc;

	(void)state;
	assert_int_equal(load("[vrrp a]\ninterface = e0\nvirtual_router_id = 1\n"
			      "virtual_ipaddress = 10.0.0.1\n"
			      "[vrrp b]\ninterface = e0\nvirtual_router_id = 2\n"
			      "virtual_ipaddress = 10.0.0.2\n"
			      "virtual_ipaddress = 10.0.0.3/8\n", &vc), 0);
	assert_int_equal(vc.n, 2);
	assert_int_equal(vc.inst[1].n_vips, 2);
	assert_int_equal(vc.inst[1].line, 6);
}

/* Only an instance that carries a service's VIP decides the node's role
 * (node.active): one for another address does not. */
static void test_carries_service(void **state)
{
	struct vrrp_config vc;

	(void)state;
	assert_int_equal(load("[service api]\nlisten = 10.0.0.2:7443\n"
			      "server = a 10.0.0.9:6443\n"
			      "[vrrp a]\ninterface = e0\nvirtual_router_id = 1\n"
			      "virtual_ipaddress = 10.0.0.1\n"
			      "[vrrp b]\ninterface = e0\nvirtual_router_id = 2\n"
			      "virtual_ipaddress = 10.0.0.3\n"
			      "virtual_ipaddress = 10.0.0.2/24\n", &vc), 0);
	assert_int_equal(vc.n_service_vips, 1);
	assert_false(vrrp_conf_carries_service(&vc, &vc.inst[0], KHAXDP_AF_INET));
	assert_true(vrrp_conf_carries_service(&vc, &vc.inst[1], KHAXDP_AF_INET));
	assert_false(vrrp_conf_carries_service(&vc, &vc.inst[1], KHAXDP_AF_INET6));
}

/* An IPv6 instance: its first address decides (as keepalived); VRRP v3
 * only, multicast to ff02::12 or unicast to IPv6 peers; it carries an
 * IPv6 service. */
static void test_ipv6_instance(void **state)
{
	struct vrrp_config vc;
	struct kx_config kc;
	struct in6_addr a;
	static const char base[] =
		"[service api6]\nlisten = [2001:db8::2]:7443\n"
		"server = a [2001:db8::9]:6443\n"
		"[vrrp v6]\ninterface = e0\nvirtual_router_id = 52\n"
		"virtual_ipaddress = 2001:db8::2/64\n"
		"virtual_ipaddress = 2001:db8::3\n";
	char text[512];

	(void)state;
	assert_int_equal(load(base, &vc), 0);
	assert_int_equal(vc.inst[0].family, KHAXDP_AF_INET6);
	assert_int_equal(vc.inst[0].n_vips, 2);
	assert_int_equal(vc.inst[0].vips[1].prefix, 128);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::3", &a), 1);
	assert_memory_equal(&vc.inst[0].vips[1].addr, &a, 16);
	assert_true(vrrp_conf_carries_service(&vc, &vc.inst[0], KHAXDP_AF_INET6));
	assert_false(vrrp_conf_carries_service(&vc, &vc.inst[0], KHAXDP_AF_INET));
	snprintf(text, sizeof(text), "%sversion = 2\n", base);
	assert_int_equal(kx_config_load_string(&kc, "t.conf", text), 0);
	assert_int_equal(vrrp_conf_from(&kc, &vc), -EINVAL);
	assert_non_null(strstr(kx_last_error(), "an IPv6 instance needs version 3"));
	kx_config_free(&kc);
	/* Unicast over IPv6: the peers and the source of the family. */
	snprintf(text, sizeof(text), "%sunicast_src_ip = 2001:db8::11\nunicast_peer = 2001:db8::12\n",
		 base);
	assert_int_equal(kx_config_load_string(&kc, "t.conf", text), 0);
	assert_int_equal(vrrp_conf_from(&kc, &vc), 0);
	assert_int_equal(vc.inst[0].n_peers, 1);
	assert_int_equal(vc.inst[0].peers[0].family, AF_INET6);
	assert_int_equal(vc.inst[0].unicast_src.family, AF_INET6);
	kx_config_free(&kc);
	snprintf(text, sizeof(text), "%sunicast_peer = 10.0.0.5\n", base);
	assert_int_equal(kx_config_load_string(&kc, "t.conf", text), 0);
	assert_int_equal(vrrp_conf_from(&kc, &vc), -EINVAL);
	assert_non_null(strstr(kx_last_error(), "unicast_peer 1 is IPv4 and the instance IPv6"));
	kx_config_free(&kc);
	snprintf(text, sizeof(text), "%svirtual_ipaddress = 10.0.0.7\n", base);
	assert_int_equal(kx_config_load_string(&kc, "t.conf", text), 0);
	assert_int_equal(vrrp_conf_from(&kc, &vc), -EINVAL);
	assert_non_null(strstr(kx_last_error(), "10.0.0.7 is IPv4 and the instance's first address is IPv6"));
	kx_config_free(&kc);
}

/* Dual stack: the IPv6 VIP rides with the IPv4 instance, not advertised
 * (keepalived's virtual_ipaddress_excluded); that instance decides the
 * node's IPv6 role too. */
static void test_excluded_ipv6(void **state)
{
	struct vrrp_config vc;
	struct in6_addr a;

	(void)state;
	assert_int_equal(load("[service api]\nlisten = 10.0.0.2:7443\n"
			      "server = a 10.0.0.9:6443\n"
			      "[service api6]\nlisten = [2001:db8::2]:7443\n"
			      "server = a [2001:db8::9]:6443\n"
			      "[vrrp a]\ninterface = e0\nvirtual_router_id = 1\n"
			      "virtual_ipaddress = 10.0.0.2/24\n"
			      "virtual_ipaddress_excluded = 2001:db8::2/64\n"
			      "virtual_ipaddress_excluded = 2001:db8::77\n", &vc), 0);
	assert_int_equal(vc.n_service_vips6, 1);
	assert_int_equal(vc.inst[0].n_vips, 1);
	assert_int_equal(vc.inst[0].n_excluded, 2);
	assert_int_equal(vc.inst[0].excluded[0].family, KHAXDP_AF_INET6);
	assert_int_equal(vc.inst[0].excluded[0].prefix, 64);
	assert_int_equal(vc.inst[0].excluded[1].prefix, 128);
	assert_int_equal(inet_pton(AF_INET6, "2001:db8::2", &a), 1);
	assert_memory_equal(&vc.inst[0].excluded[0].addr, &a, 16);
	assert_true(vrrp_conf_carries_service(&vc, &vc.inst[0], KHAXDP_AF_INET));
	assert_true(vrrp_conf_carries_service(&vc, &vc.inst[0], KHAXDP_AF_INET6));
}

static void test_bad_values(void **state)
{
	(void)state;
	expect_error("priority = 0\n", "t.conf:5: priority: bad value '0'");
	expect_error("priority = 256\n", "t.conf:5: priority");
	expect_error("advert_int = 15ms\n", "t.conf:5: advert_int: bad interval '15ms'");
	expect_error("advert_int = 41s\n", "advert_int: bad interval");
	expect_error("advert_int = 0.001\n", "advert_int: bad interval");
	expect_error("advert_int = fast\n", "advert_int: bad interval");
	expect_error("version = 4\n", "t.conf:5: version: bad value '4' (2 or 3)");
	expect_error("virtual_ipaddress = 10.0.0.300\n", "t.conf:5: virtual_ipaddress: bad address");
	expect_error("virtual_ipaddress = 10.0.0.1/33\n", "virtual_ipaddress: bad prefix");
	expect_error("virtual_ipaddress = 2001:db8::2/64\n",
		     "t.conf:5: virtual_ipaddress: 2001:db8::2/64 is IPv6 and the instance's first address is IPv4: an advert carries one family; give it as virtual_ipaddress_excluded");
	expect_error("virtual_ipaddress_excluded = 2001:db8::2/129\n",
		     "t.conf:5: virtual_ipaddress_excluded: bad prefix in '2001:db8::2/129' (1-32, IPv6 1-128)");
	expect_error("virtual_ipaddress_excluded = 2001:db8::zz\n",
		     "virtual_ipaddress_excluded: bad address '2001:db8::zz'");
	expect_error("virtual_ipaddress = 10.0.0.100/24\n", "virtual_ipaddress: 10.0.0.100/24 given twice");
	expect_error("preempt = maybe\n", "t.conf:5: preempt: bad value 'maybe'");
	expect_error("preempt_delay = 1001\n", "preempt_delay: bad duration");
	expect_error("garp_master_repeat = 0\n", "garp_master_repeat: bad value");
	expect_error("garp_master_delay = soon\n", "garp_master_delay: bad duration");
	expect_error("track_dataplane = 2\n", "track_dataplane: bad value '2' (expected 'weight N'");
	expect_error("track_dataplane = weight 300\n", "track_dataplane: bad value");
	expect_error("unicast_peer = 10.0.0.2\nunicast_peer = 10.0.0.2\n", "t.conf:6: unicast_peer: 10.0.0.2 given twice");
	expect_error("unicast_src_ip = nowhere\n", "unicast_src_ip: bad address");
	expect_error("notify_master = kx-notify\n", "notify_master: 'kx-notify' is not an absolute path");
	expect_error("auth_pass = 123456789\n", "auth_pass: 1 to 8 characters");
	expect_error("v3_checksum = rfc\n", "v3_checksum: bad value 'rfc'");
	expect_error("virtual_router_id = 52\n", "t.conf:5: duplicate key 'virtual_router_id'");
	expect_error("garp_lower_prio_repeat = 1\n", "t.conf:5: unknown key 'garp_lower_prio_repeat' in [vrrp VI_1]");
	expect_error("state = LEADER\n", "state: bad value 'LEADER'");
	expect_error("nopreempt = 1\n", "nopreempt: write 'preempt = no'");
}

static void test_whole_section_checks(void **state)
{
	struct vrrp_config vc;

	(void)state;
	expect_error("version = 2\nadvert_int = 100ms\n",
		     "t.conf:2: [vrrp VI_1]: version 2 needs advert_int in whole seconds");
	expect_error("auth_pass = 42\n",
		     "auth_pass needs version 2 (VRRPv3 has no authentication)");
	expect_error("unicast_src_ip = 10.0.0.1\n",
		     "unicast_src_ip without unicast_peer");
	assert_int_equal(load("[vrrp a]\ninterface = e0\nvirtual_ipaddress = 10.0.0.1\n", &vc), -EINVAL);
	assert_string_equal(kx_last_error(), "t.conf:2: [vrrp a]: no 'virtual_router_id = 1-255'");
	assert_int_equal(load("[vrrp a]\ninterface = e0\nvirtual_router_id = 9\n", &vc), -EINVAL);
	assert_string_equal(kx_last_error(), "t.conf:2: [vrrp a]: no 'virtual_ipaddress = ADDRESS/PREFIX'");
	assert_int_equal(load("[vrrp a]\nvirtual_router_id = 9\nvirtual_ipaddress = 10.0.0.1\n", &vc), -EINVAL);
	assert_string_equal(kx_last_error(), "t.conf:2: [vrrp a]: no 'interface' (here or in [global])");
	assert_int_equal(load("[vrrp a]\ninterface = e0\nvirtual_router_id = 9\nvirtual_ipaddress = 10.0.0.1\n"
			      "[vrrp b]\ninterface = e0\nvirtual_router_id = 9\nvirtual_ipaddress = 10.0.0.2\n", &vc), -EINVAL);
	assert_string_equal(kx_last_error(), "t.conf:6: [vrrp b]: virtual_router_id 9 on e0 already used by [vrrp a]");
	assert_int_equal(load("[global]\ninterface = e0\n", &vc), -EINVAL);
	assert_string_equal(kx_last_error(), "t.conf: no [vrrp NAME] section");
	assert_int_equal(load("[vrrp]\ninterface = e0\n", &vc), -EINVAL);
	assert_string_equal(kx_last_error(), "t.conf:2: [vrrp] needs a name: [vrrp NAME]");
	assert_int_equal(load("[vrrp a/b]\ninterface = e0\n", &vc), -EINVAL);
	assert_string_equal(kx_last_error(), "t.conf:2: vrrp: bad name 'a/b' (1-31 of A-Z a-z 0-9 _ . -)");
}

static void test_same_identity(void **state)
{
	struct vrrp_config a, b;

	(void)state;
	assert_int_equal(load_with("priority = 100\n", &a), 0);
	assert_int_equal(load_with("priority = 150\nadvert_int = 50ms\npreempt = no\n", &b), 0);
	assert_true(vrrp_conf_same_identity(&a.inst[0], &b.inst[0]));
	assert_int_equal(load_with("virtual_ipaddress = 10.0.0.101/24\n", &b), 0);
	assert_false(vrrp_conf_same_identity(&a.inst[0], &b.inst[0]));
	assert_int_equal(load_with("unicast_peer = 10.0.0.2\n", &b), 0);
	assert_false(vrrp_conf_same_identity(&a.inst[0], &b.inst[0]));
}

/* [sync]: on with a dsr service, its servers as peers; given peers,
 * port, intervals and a key file; off; every bad value named. */
static void test_sync_section(void **state)
{
	static const char dsr[] =
		"[service api]\nlisten = 10.0.0.100:7443\nmode = dsr\n"
		"server = a 10.0.0.1:6443\nserver = b 10.0.0.2:6443\n"
		"server = c 10.0.0.3:6443\n"
		"[vrrp VI_1]\ninterface = ens33\nvirtual_router_id = 51\n"
		"virtual_ipaddress = 10.0.0.100/24\n";
	char text[2048], keyfile[] = "/tmp/khaxdp-sync-key-XXXXXX";
	struct vrrp_config vc;
	FILE *f;
	int fd;

	(void)state;
	assert_int_equal(load(dsr, &vc), 0);
	assert_true(vc.sync.enabled);
	assert_int_equal(vc.sync.n_peers, 3);
	assert_int_equal(vrrp_ip_v4(&vc.sync.peers[2]), inet_addr("10.0.0.3"));
	assert_int_equal(vc.sync.port, 7448);
	assert_int_equal(vc.sync.batch_ms, 20);
	assert_int_equal(vc.sync.snapshot_ms, 2000);
	assert_int_equal(vc.sync.key.len, 0);

	/* nat only: off unless asked for */
	assert_int_equal(load_with("", &vc), 0);
	assert_false(vc.sync.enabled);
	expect_error("[sync]\nenabled = yes\n", "sync: no peers");

	fd = mkstemp(keyfile);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("a-key-of-twenty-bytes\n", f);
	fclose(f);
	snprintf(text, sizeof(text), "%s[sync]\npeers = 10.0.0.7 10.0.0.8\n"
		 "port = 9000\nbatch_delay = 5ms\nsnapshot_interval = 1s\n"
		 "key_file = %s\n", dsr, keyfile);
	assert_int_equal(load(text, &vc), 0);
	assert_int_equal(vc.sync.n_peers, 2);
	assert_int_equal(vrrp_ip_v4(&vc.sync.peers[1]), inet_addr("10.0.0.8"));
	assert_int_equal(vc.sync.port, 9000);
	assert_int_equal(vc.sync.batch_ms, 5);
	assert_int_equal(vc.sync.snapshot_ms, 1000);
	assert_int_equal(vc.sync.key.len, 21);	/* the newline is not the key's */
	assert_memory_equal(vc.sync.key.key, "a-key-of-twenty-bytes", 21);

	f = fopen(keyfile, "w");
	fputs("short\n", f);
	fclose(f);
	assert_int_equal(load(text, &vc), -EINVAL);
	assert_non_null(strstr(kx_last_error(), "16 to 128 bytes"));
	unlink(keyfile);
	assert_int_equal(load(text, &vc), -EINVAL);
	assert_non_null(strstr(kx_last_error(), "No such file"));

	snprintf(text, sizeof(text), "%s[sync]\nenabled = no\n", dsr);
	assert_int_equal(load(text, &vc), 0);
	assert_false(vc.sync.enabled);
	expect_error("[sync]\nsnapshot_interval = 10s\n", "100ms to 5s");
	expect_error("[sync]\nbatch_delay = 0ms\n", "batch_delay: bad value");
	expect_error("[sync]\npeers = 10.0.0.1 node2\n", "'node2' is not an IPv4 or IPv6 address");
	expect_error("[sync]\npeers = fe80::1\n", "fe80::1 is not a node's address on the segment");
	expect_error("[sync]\npeers = ff02::12\n", "not a node's address on the segment");
	expect_error("[sync]\npeers = 224.0.0.18\n", "224.0.0.18 is not a node's address");
	expect_error("[sync]\nport = 70000\n", "port: bad value");
	expect_error("[sync]\nkey_file = relative\n", "absolute path");
	expect_error("[sync]\nenabled = maybe\n", "auto, yes or no");
	expect_error("[sync]\npeer_port = 1\n", "unknown key 'peer_port' in [sync]");
}

/* [sync] over IPv6: given peers of either family; the default peers of a
 * cluster whose dsr services are all IPv6 are their servers' IPv6
 * addresses, those of a dual-stack one its IPv4 servers' only (each
 * message once per node). */
static void test_sync_ipv6(void **state)
{
	static const char v6[] =
		"[service api6]\nlisten = [2001:db8::100]:7443\nmode = dsr\n"
		"server = a [2001:db8::1]:6443\nserver = b [2001:db8::2]:6443\n"
		"[vrrp VI_6]\ninterface = ens33\nvirtual_router_id = 52\n"
		"virtual_ipaddress = 2001:db8::100/64\nversion = 3\n";
	static const char v4[] =
		"[service api]\nlisten = 10.0.0.100:7443\nmode = dsr\n"
		"server = a 10.0.0.1:6443\nserver = b 10.0.0.2:6443\n"
		"[vrrp VI_1]\ninterface = ens33\nvirtual_router_id = 51\n"
		"virtual_ipaddress = 10.0.0.100/24\n";
	char text[2048], ip[VRRP_IP_STRLEN];
	struct vrrp_config vc;

	(void)state;
	assert_int_equal(load(v6, &vc), 0);
	assert_true(vc.sync.enabled);
	assert_int_equal(vc.sync.n_peers, 2);
	assert_string_equal(vrrp_ip_str(&vc.sync.peers[0], ip), "2001:db8::1");
	assert_string_equal(vrrp_ip_str(&vc.sync.peers[1], ip), "2001:db8::2");

	/* dual stack: the IPv4 servers, whichever service comes first */
	snprintf(text, sizeof(text), "%s%s", v6, v4);
	assert_int_equal(load(text, &vc), 0);
	assert_int_equal(vc.sync.n_peers, 2);
	assert_int_equal(vc.sync.peers[0].family, AF_INET);
	assert_int_equal(vc.sync.peers[1].family, AF_INET);

	/* given: mixed families, duplicates once */
	snprintf(text, sizeof(text),
		 "%s[sync]\npeers = 2001:db8::7 10.0.0.8 2001:db8:0::7\n", v4);
	assert_int_equal(load(text, &vc), 0);
	assert_int_equal(vc.sync.n_peers, 2);
	assert_string_equal(vrrp_ip_str(&vc.sync.peers[0], ip), "2001:db8::7");
	assert_string_equal(vrrp_ip_str(&vc.sync.peers[1], ip), "10.0.0.8");
}

static void test_example_file_parses(void **state)
{
	struct vrrp_config vc;

	(void)state;
	/* The shipped example carries a [vrrp] section for the agent. */
	assert_int_equal(vrrp_conf_load("tools/khaxdp.conf.example", &vc), 0);
	assert_int_equal(vc.inst[0].vrid, 51);
}

static void quiet(enum kx_log_level level, const char *msg)
{
	(void)level;
	(void)msg;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_example),
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_advert_int_spellings),
		cmocka_unit_test(test_v2_pass_and_nopreempt),
		cmocka_unit_test(test_checksum_and_negative_weight),
		cmocka_unit_test(test_two_instances),
		cmocka_unit_test(test_carries_service),
		cmocka_unit_test(test_excluded_ipv6),
		cmocka_unit_test(test_ipv6_instance),
		cmocka_unit_test(test_sync_ipv6),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_whole_section_checks),
		cmocka_unit_test(test_same_identity),
		cmocka_unit_test(test_sync_section),
		cmocka_unit_test(test_example_file_parses),
	};

	kx_set_log(quiet);	/* `state` is ignored with a warning */
	return cmocka_run_group_tests(tests, NULL, NULL);
}
