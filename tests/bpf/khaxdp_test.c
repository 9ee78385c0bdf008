// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * khaxdp_test.c - the fixture, running packets and the checks shared by
 * the khaxdp selftests. See khaxdp_test.h.
 */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/pkt_cls.h>

#include "loader/util.h"
#include "khaxdp_test.h"

/* The fixture loaded last, whose counters explain a failure. */
static struct fixture *current;


/* --- fixture ---------------------------------------------------------------- */

int fx_init(struct fixture *fx, const struct fixture_opts *opts)
{
	struct khaxdp_node n = {};
	struct bpf_map *map;
	__u32 zero = 0;
	int err;

	memset(fx, 0, sizeof(*fx));
	current = fx;
	fx->snat_min = opts && opts->snat_min ? opts->snat_min : SNAT_MIN;
	fx->snat_max = opts && opts->snat_max ? opts->snat_max : SNAT_MAX;
	fx->skel = khaxdp__open();
	if (!ASSERT_OK_PTR(fx->skel, "khaxdp__open"))
		return -ENOMEM;
	/* Tests never touch /sys/fs/bpf. */
	bpf_object__for_each_map(map, fx->skel->obj) {
		err = bpf_map__set_pin_path(map, NULL);
		if (!ASSERT_OK(err, "bpf_map__set_pin_path"))
			goto fail;
	}
	if (opts && opts->max_half_open) {
		err = bpf_map__set_max_entries(fx->skel->maps.half_open,
					       opts->max_half_open);
		if (!err)
			err = bpf_map__set_max_entries(fx->skel->maps.half_open_nat,
						       opts->max_half_open);
		if (!ASSERT_OK(err, "set max_entries of half_open"))
			goto fail;
	}
	if (opts && opts->max_flows) {
		err = bpf_map__set_max_entries(fx->skel->maps.flows,
					       opts->max_flows);
		if (!ASSERT_OK(err, "set max_entries of flows"))
			goto fail;
	}
	err = khaxdp__load(fx->skel);
	if (!ASSERT_OK(err, "khaxdp__load"))
		goto fail;

	fx->xdp = bpf_program__fd(fx->skel->progs.khaxdp_xdp);
	/* Runs are fast once the program is parked (lab.h); the fixture
	 * loaded last takes the place. */
	lab_park(fx->xdp, 0);
	fx->tc = bpf_program__fd(fx->skel->progs.khaxdp_tc);
	fx->maps.lock_fd = -1;
	/* The library's writers lock a directory, as the pin directory. */
	snprintf(fx->maps.dir, sizeof(fx->maps.dir), "/tmp/khaxdp-fx.XXXXXX");
	if (!ASSERT_OK_PTR(mkdtemp(fx->maps.dir), "mkdtemp")) {
		err = -errno;
		goto fail;
	}
#define FX_MAP_FD(name, type, key, value) fx->maps.name = bpf_map__fd(fx->skel->maps.name);
	KHAXDP_MAPS(FX_MAP_FD)
#undef FX_MAP_FD

	n.addr.v4 = NODE_IP;
	n.ifindex = lab.ifindex;
	n.snat_port_min = fx->snat_min;
	n.snat_port_max = fx->snat_max;
	n.family = KHAXDP_AF_INET;
	n.active = 1;
	n.active6 = 1;
	n.connect_timeout_s = KHAXDP_DEFAULT_CONNECT_TIMEOUT_S;
	/* The selftests NAT from the node's address unless a test says
	 * otherwise (test_snat_vip.c): their frames were written so. */
	n.flags = KHAXDP_NODE_SNAT_NODE;
	n.half_open_per_source = opts && opts->half_open_per_source ?
		opts->half_open_per_source : KHAXDP_DEFAULT_HALF_OPEN_PER_SOURCE;
	memcpy(n.mac, MAC_ENS33, ETH_ALEN);
	err = bpf_map_update_elem(fx->maps.node, &zero, &n, BPF_ANY);
	if (!ASSERT_OK(err, "write node"))
		goto fail;
	return 0;
fail:
	if (fx->maps.dir[0] == '/')
		rmdir(fx->maps.dir);
	fx->maps.dir[0] = '\0';
	khaxdp__destroy(fx->skel);
	fx->skel = NULL;
	return err ? err : -EINVAL;
}

void fx_fini(struct fixture *fx)
{
	if (current == fx)
		current = NULL;
	if (fx->maps.dir[0])
		rmdir(fx->maps.dir);
	fx->maps.dir[0] = '\0';
	khaxdp__destroy(fx->skel);
	fx->skel = NULL;
}

/* The node entry lists the distinct VIP addresses, as the loader fills it. */
static int node_add_vip(struct fixture *fx, __be32 vip)
{
	struct khaxdp_node n;
	__u32 zero = 0, i;

	if (bpf_map_lookup_elem(fx->maps.node, &zero, &n))
		return -errno;
	for (i = 0; i < n.n_vips; i++)
		if (n.vips[i].v4 == vip)
			return 0;
	if (n.n_vips == KHAXDP_MAX_SERVICES)
		return -ENOSPC;
	memset(&n.vips[n.n_vips], 0, sizeof(n.vips[0]));
	n.vips[n.n_vips++].v4 = vip;
	return bpf_map_update_elem(fx->maps.node, &zero, &n, BPF_ANY) ? -errno : 0;
}

int fx_add_service(struct fixture *fx, __u32 id, __be32 vip, __u16 port,
		   __u32 timeout_s, const char *name)
{
	struct khaxdp_service s = {};
	struct khaxdp_vip key = {}, *k = &key;
	int err;

	k->addr.v4 = vip;
	k->port = htons(port);
	k->proto = IPPROTO_TCP;
	k->family = KHAXDP_AF_INET;
	s.id = id;
	s.mode = KHAXDP_MODE_NAT;
	s.timeout_s = timeout_s;
	snprintf(s.name, sizeof(s.name), "%s", name);
	err = bpf_map_update_elem(fx->maps.services, k, &s, BPF_ANY);
	if (!ASSERT_OK(err, "write service"))
		return err;
	err = node_add_vip(fx, vip);
	ASSERT_OK(err, "add the VIP to the node's list");
	return err;
}

int fx_add_backend(struct fixture *fx, __u32 id, __u32 service_id,
		   const char *name, __be32 addr, __u16 port, bool local)
{
	struct khaxdp_backend b = {};
	int err;

	b.addr.v4 = addr;
	b.port = htons(port);
	b.family = KHAXDP_AF_INET;
	b.health = KHAXDP_HEALTH_UP;
	b.admin = KHAXDP_ADMIN_ENABLED;
	b.local = local;
	b.service_id = service_id;
	b.weight = 1;
	snprintf(b.name, sizeof(b.name), "%s", name);
	err = bpf_map_update_elem(fx->maps.backends, &id, &b, BPF_ANY);
	ASSERT_OK(err, "write backend");
	return err;
}

int fx_get_backend(struct fixture *fx, __u32 id, struct khaxdp_backend *b)
{
	return bpf_map_lookup_elem(fx->maps.backends, &id, b);
}

int fx_set_backend(struct fixture *fx, __u32 id, __u8 health, __u8 admin)
{
	struct khaxdp_backend b;
	int err;

	err = fx_get_backend(fx, id, &b);
	if (!ASSERT_OK(err, "read backend"))
		return err;
	b.health = health;
	b.admin = admin;
	err = bpf_map_update_elem(fx->maps.backends, &id, &b, BPF_ANY);
	ASSERT_OK(err, "write backend");
	return err;
}

int fx_sync_ring(struct fixture *fx, __u32 service_id)
{
	int err = kx_service_rebuild_ring(&fx->maps, service_id);

	if (err)
		TLOG("kx_service_rebuild_ring: %s", kx_last_error());
	return err;
}

int fx_set_cursor(struct fixture *fx, __u32 service_id, __u64 next)
{
	struct khaxdp_cursor c = { .next = next };

	return bpf_map_update_elem(fx->maps.rr_cursor, &service_id, &c, BPF_ANY);
}

__u64 fx_cursor(struct fixture *fx, __u32 service_id)
{
	struct khaxdp_cursor c = {};

	bpf_map_lookup_elem(fx->maps.rr_cursor, &service_id, &c);
	return c.next;
}

void fx_run_cases(struct fixture *fx, const struct fx_case *cases, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (!test__start_subtest(cases[i].name))
			continue;
		fx_reset(fx);
		cases[i].run(fx);
	}
}

void fx_run_apiserver(const struct fx_case *cases, size_t n)
{
	struct fixture fx;

	if (fx_init(&fx, NULL) == 0 && fx_apiserver(&fx) == 0)
		fx_run_cases(&fx, cases, n);
	fx_fini(&fx);
}

/* The deployment's khaxdp.conf, with the fixture's SNAT range. */
static const char apiserver_conf[] =
	"[global]\n"
	"interface = ens33\n"
	"snat_ports = %u-%u\n"
	"snat_address = node\n"
	"socket_lb = off\n"
	"[service apiserver]\n"
	"listen = 192.168.218.189:7443\n"
	"mode = %s\n"
	"timeout = 30m\n"
	"server = control1 192.168.218.171:6443\n"
	"server = control2 192.168.218.172:6443\n"
	"server = control3 192.168.218.173:6443\n";

int fx_apiserver(struct fixture *fx)
{
	return fx_apiserver_mode(fx, "nat");
}

int fx_fill(struct fixture *fx, const char *text)
{
	struct kx_config *cfg = calloc(1, sizeof(*cfg));
	int err;

	if (!ASSERT_OK_PTR(cfg, "calloc"))
		return -ENOMEM;
	err = kx_config_load_string(cfg, "fixture.conf", text);
	if (!err)
		err = kx_fill_maps(&fx->maps, cfg, "ens33", lab.ifindex);
	if (err)
		TLOG("%s", kx_last_error());
	kx_config_free(cfg);
	free(cfg);
	return err;
}

int fx_apiserver_mode(struct fixture *fx, const char *mode)
{
	return fx_fill_apiserver(fx, mode, "");
}

int fx_fill_apiserver(struct fixture *fx, const char *mode, const char *extra)
{
	size_t len = sizeof(apiserver_conf) + 16 + strlen(extra);
	char *text = malloc(len);
	int err;

	if (!ASSERT_OK_PTR(text, "malloc"))
		return -ENOMEM;
	snprintf(text, len, apiserver_conf, fx->snat_min, fx->snat_max, mode);
	strcat(text, extra);
	err = fx_fill(fx, text);
	free(text);
	/* fill seeds each backend's SNAT port cursor at random (a fresh
	 * attach must not reuse ports in TIME_WAIT); the tests count from
	 * the start of the range. */
	if (!err)
		fx_reset(fx);
	ASSERT_OK(err, "fill the apiserver service with kx_fill_maps()");
	return err;
}

static int nr_cpus(void)
{
	static int n;

	if (!n)
		n = libbpf_num_possible_cpus();
	return n;
}

__u64 fx_stat(struct fixture *fx, int stat)
{
	__u64 vals[nr_cpus()], sum = 0;
	__u32 key = stat;
	int i;

	if (bpf_map_lookup_elem(fx->maps.stats, &key, vals))
		return ~0ULL;
	for (i = 0; i < nr_cpus(); i++)
		sum += vals[i];
	return sum;
}

void fx_stats(struct fixture *fx, __u64 out[KHAXDP_STAT_MAX])
{
	int i;

	for (i = 0; i < KHAXDP_STAT_MAX; i++)
		out[i] = fx_stat(fx, i);
}

int fx_backend_stats(struct fixture *fx, __u32 id,
		     struct khaxdp_backend_stats *sum)
{
	struct khaxdp_backend_stats vals[nr_cpus()];
	int i;

	memset(sum, 0, sizeof(*sum));
	if (bpf_map_lookup_elem(fx->maps.backend_stats, &id, vals))
		return -errno;
	for (i = 0; i < nr_cpus(); i++) {
		sum->packets_in += vals[i].packets_in;
		sum->bytes_in += vals[i].bytes_in;
		sum->packets_out += vals[i].packets_out;
		sum->bytes_out += vals[i].bytes_out;
		sum->flows_opened += vals[i].flows_opened;
	}
	return 0;
}

static void clear_hash(int fd)
{
	struct khaxdp_flow_key k;

	while (bpf_map_get_next_key(fd, NULL, &k) == 0)
		if (bpf_map_delete_elem(fd, &k))
			break;
}

/* Zeroes every entry of an array; per-CPU values take one copy per CPU. */
static void zero_array(int fd, __u32 entries, size_t value_size, bool percpu)
{
	size_t size = value_size * (percpu ? nr_cpus() : 1);
	char zero[size];
	__u32 i;

	memset(zero, 0, size);
	for (i = 0; i < entries; i++)
		bpf_map_update_elem(fd, &i, zero, BPF_ANY);
}

void fx_reset(struct fixture *fx)
{
	clear_hash(fx->maps.flows);
	clear_hash(fx->maps.nat);
	clear_hash(fx->maps.half_open);
	clear_hash(fx->maps.half_open_nat);
	clear_hash(fx->maps.syn_sources);
	zero_array(fx->maps.stats, KHAXDP_STAT_MAX, sizeof(__u64), true);
	zero_array(fx->maps.backend_stats, KHAXDP_MAX_BACKENDS,
		   sizeof(struct khaxdp_backend_stats), true);
	zero_array(fx->maps.rr_cursor, KHAXDP_MAX_SERVICES,
		   sizeof(struct khaxdp_cursor), false);
	zero_array(fx->maps.port_cursor, KHAXDP_MAX_BACKENDS,
		   sizeof(struct khaxdp_cursor), false);
	zero_array(fx->maps.nexthops, KHAXDP_MAX_BACKENDS,
		   sizeof(struct khaxdp_nexthop), false);
}

struct khaxdp_flow_key flow_key(__be32 src, __be32 dst, __u16 sport,
				__u16 dport)
{
	struct khaxdp_flow_key k;

	memset(&k, 0, sizeof(k));
	k.src.v4 = src;
	k.dst.v4 = dst;
	k.sport = htons(sport);
	k.dport = htons(dport);
	k.proto = IPPROTO_TCP;
	k.family = KHAXDP_AF_INET;
	return k;
}

int fx_flow(struct fixture *fx, __be32 client, __u16 cport,
	    struct khaxdp_flow *f)
{
	struct khaxdp_flow_key k = flow_key(client, VIP_IP, cport, VIP_PORT);

	return bpf_map_lookup_elem(fx->maps.flows, &k, f) ? -errno : 0;
}

int fx_node(struct fixture *fx, struct khaxdp_node *n)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(fx->maps.node, &zero, n) ? -errno : 0;
}

int fx_put_node(struct fixture *fx, const struct khaxdp_node *n)
{
	__u32 zero = 0;

	return bpf_map_update_elem(fx->maps.node, &zero, n, BPF_EXIST) ? -errno : 0;
}

int fx_set_active(struct fixture *fx, __u8 active)
{
	struct khaxdp_node n;

	if (fx_node(fx, &n))
		return -errno;
	n.active = active;
	n.active6 = active;
	return fx_put_node(fx, &n);
}

int fx_half_open(struct fixture *fx, __be32 client, __u16 cport,
		 struct khaxdp_flow *f)
{
	struct khaxdp_flow_key k = flow_key(client, VIP_IP, cport, VIP_PORT);

	return bpf_map_lookup_elem(fx->maps.half_open, &k, f) ? -errno : 0;
}

int fx_put_flow(struct fixture *fx, __be32 client, __u16 cport,
		const struct khaxdp_flow *f)
{
	struct khaxdp_flow_key k = flow_key(client, VIP_IP, cport, VIP_PORT);

	return bpf_map_update_elem(fx->maps.flows, &k, f, BPF_EXIST) ? -errno : 0;
}

int fx_nat(struct fixture *fx, __be32 src, __be32 dst, __u16 sport,
	   __u16 dport, struct khaxdp_nat *n)
{
	struct khaxdp_flow_key k = flow_key(src, dst, sport, dport);

	return bpf_map_lookup_elem(fx->maps.nat, &k, n) ? -errno : 0;
}

int fx_half_open_nat(struct fixture *fx, __be32 src, __be32 dst, __u16 sport,
		     __u16 dport, struct khaxdp_nat *n)
{
	struct khaxdp_flow_key k = flow_key(src, dst, sport, dport);

	return bpf_map_lookup_elem(fx->maps.half_open_nat, &k, n) ? -errno : 0;
}

int fx_count(int map_fd)
{
	struct khaxdp_flow_key k, next;
	int n = 0;
	void *prev = NULL;

	while (bpf_map_get_next_key(map_fd, prev, &next) == 0) {
		k = next;
		prev = &k;
		n++;
	}
	return n;
}

static __u64 clock_ns(clockid_t clock)
{
	struct timespec ts;

	clock_gettime(clock, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

__u64 now_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC);
}

__u64 now_coarse_ns(void)
{
	return clock_ns(CLOCK_MONOTONIC_COARSE);
}

/* --- running -------------------------------------------------------------------- */

/* One run (repeat 1) of a program on `in` with `ctx`. */
static int test_run(int prog_fd, const struct pkt *in, void *ctx,
		    __u32 ctx_size, struct run *r)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = in->data,
		.data_size_in = in->len,
		.data_out = r->out,
		.data_size_out = sizeof(r->out),
		.ctx_in = ctx,
		.ctx_size_in = ctx_size,
		.repeat = 1,
	);
	int err;

	memset(r, 0, sizeof(*r));
	err = bpf_prog_test_run_opts(prog_fd, &opts);
	r->retval = opts.retval;
	r->len = opts.data_size_out;
	return err ? -errno : 0;
}

/* khaxdp_xdp with the first `meta` bytes of `in` as metadata. */
static int run_xdp_ctx(struct fixture *fx, const struct pkt *in, __u32 meta,
		       int ifindex, struct run *r)
{
	struct xdp_md ctx = {
		.data = meta,
		.data_end = in->len,
		.ingress_ifindex = ifindex ? ifindex : lab.ifindex,
	};

	return test_run(fx->xdp, in, &ctx, sizeof(ctx), r);
}

int run_xdp_on(struct fixture *fx, const struct pkt *in, int ifindex,
	       struct run *r)
{
	return run_xdp_ctx(fx, in, 0, ifindex, r);
}

int run_xdp_meta(struct fixture *fx, const struct pkt *in, __u32 meta,
		 struct run *r)
{
	return run_xdp_ctx(fx, in, meta, 0, r);
}

int run_tc(struct fixture *fx, const struct pkt *in, struct run *r)
{
	struct __sk_buff ctx = { .ifindex = lab.ifindex };

	return test_run(fx->tc, in, &ctx, sizeof(ctx), r);
}

const char *xdp_verdict(int v)
{
	switch (v) {
	case XDP_ABORTED: return "XDP_ABORTED";
	case XDP_DROP: return "XDP_DROP";
	case XDP_PASS: return "XDP_PASS";
	case XDP_TX: return "XDP_TX";
	case XDP_REDIRECT: return "XDP_REDIRECT";
	default: return "?";
	}
}

void test__dump_state(void)
{
	__u64 got[KHAXDP_STAT_MAX];
	int i;

	if (!current || !current->skel)
		return;
	fx_stats(current, got);
	printf("    counters:");
	for (i = 0; i < KHAXDP_STAT_MAX; i++)
		if (got[i])
			printf(" %s=%llu", kx_stat_name(i),
			       (unsigned long long)got[i]);
	printf("; flows %d, nat entries %d\n", fx_count(current->maps.flows),
	       fx_count(current->maps.nat));
}

/* --- checks ----------------------------------------------------------------------- */

/* IPv6 has no header checksum: the TCP one, over the pseudo-header. */
static bool check_csums6(const char *file, int line, const __u8 *frame,
			 __u32 len, const char *name)
{
	const struct ipv6hdr *ip6 = (const void *)(frame + ETH_HLEN_);
	const struct tcphdr *tcp = (const void *)(ip6 + 1);

	if (len < ETH_HLEN_ + 40 + 20u ||
	    len < ETH_HLEN_ + 40 + (__u32)ntohs(ip6->payload_len)) {
		test__failf(file, line, "%s: IPv6 frame of %u bytes too short for its headers",
			    name, len);
		return false;
	}
	if (tcp6_csum_verify(ip6) != 0xffff) {
		test__failf(file, line, "%s: TCP checksum invalid: got 0x%04x, full recomputation (IPv6 pseudo-header + %u-byte segment) gives 0x%04x",
			    name, ntohs(tcp->check), ntohs(ip6->payload_len),
			    ntohs(tcp6_csum(ip6)));
		return false;
	}
	return true;
}

bool check_csums(const char *file, int line, const __u8 *frame, __u32 len,
		 const char *name)
{
	const struct iphdr *ip = (const void *)(frame + ETH_HLEN_);
	const struct tcphdr *tcp;
	bool ok = true;

	if (len >= ETH_HLEN_ && frame[12] == 0x86 && frame[13] == 0xdd)
		return check_csums6(file, line, frame, len, name);
	if (len < ETH_HLEN_ + 20 || len < ETH_HLEN_ + ip->ihl * 4 + 20u ||
	    len < ETH_HLEN_ + (__u32)ntohs(ip->tot_len)) {
		test__failf(file, line, "%s: frame of %u bytes too short for "
			    "its headers", name, len);
		return false;
	}
	tcp = (const void *)((const __u8 *)ip + ip->ihl * 4);
	if (ip4_csum_verify(ip) != 0xffff) {
		test__failf(file, line, "%s: IP header checksum invalid: "
			    "got 0x%04x, full recomputation gives 0x%04x",
			    name, ntohs(ip->check), ntohs(ip4_csum(ip)));
		ok = false;
	}
	if (tcp4_csum_verify(ip) != 0xffff) {
		test__failf(file, line, "%s: TCP checksum invalid: got 0x%04x, "
			    "full recomputation (pseudo-header + %u-byte "
			    "segment) gives 0x%04x", name, ntohs(tcp->check),
			    ntohs(ip->tot_len) - ip->ihl * 4,
			    ntohs(tcp4_csum(ip)));
		ok = false;
	}
	return ok;
}

bool check_frame(const char *file, int line, const struct run *r,
		 const struct pkt *exp, const char *name)
{
	struct pkt want = *exp;
	const struct iphdr *got_ip = (const void *)(r->out + ETH_HLEN_);
	struct iphdr *ip = pkt_ip(&want);
	bool ok;

	ok = check_csums(file, line, r->out, r->len, name);
	if (pkt_is_ip6(&want) && r->len == want.len) {
		const struct ipv6hdr *got6 = (const void *)got_ip;

		if (got6->hop_limit + 1 == pkt_ipv6hdr(&want)->hop_limit)
			pkt_ipv6hdr(&want)->hop_limit = got6->hop_limit;
		pkt_tcp(&want)->check = ((const struct tcphdr *)(got6 + 1))->check;
	} else if (r->len == want.len && got_ip->ihl == ip->ihl) {
		if (got_ip->ttl + 1 == ip->ttl)
			ip->ttl = got_ip->ttl;
		/* Valid checksums were checked above; either form will do. */
		ip->check = got_ip->check;
		pkt_tcp(&want)->check =
			((const struct tcphdr *)((const __u8 *)got_ip +
						 got_ip->ihl * 4))->check;
	}
	if (r->len != want.len || memcmp(r->out, want.data, want.len)) {
		test__failf(file, line, "%s: output frame differs from the "
			    "expected one (got %u bytes, expected %u)", name,
			    r->len, want.len);
		test__hexdiff(r->out, r->len, want.data, want.len);
		ok = false;
	}
	return ok;
}

bool check_stats_only(const char *file, int line, struct fixture *fx, ...)
{
	__u64 want[KHAXDP_STAT_MAX] = {}, got[KHAXDP_STAT_MAX];
	bool ok = true;
	va_list ap;
	int id, i;

	va_start(ap, fx);
	while ((id = va_arg(ap, int)) >= 0)
		want[id]++;
	va_end(ap);
	fx_stats(fx, got);
	for (i = 0; i < KHAXDP_STAT_MAX; i++) {
		if (got[i] == want[i])
			continue;
		test__failf(file, line, "stat %s: expected %llu, got %llu",
			    kx_stat_name(i), (unsigned long long)want[i],
			    (unsigned long long)got[i]);
		ok = false;
	}
	return ok;
}

/* --- common sequences ------------------------------------------------------------ */

int send_tcp(struct fixture *fx, const struct tcp_spec *s, struct run *r)
{
	struct pkt p;

	pkt_tcp4(&p, s);
	return run_xdp(fx, &p, r);
}

bool open_flow(const char *file, int line, struct fixture *fx,
	       __be32 client, __u16 cport, int want_verdict,
	       struct khaxdp_flow *f)
{
	struct tcp_spec s = client_spec(client, cport, TCP_SYN);
	struct run r;
	int err;

	err = send_tcp(fx, &s, &r);
	if (err) {
		test__failf(file, line, "SYN from port %u: test_run: %s", cport,
			    strerror(-err));
		return false;
	}
	if (want_verdict < 0 ?
	    r.retval != XDP_TX && r.retval != XDP_PASS && r.retval != XDP_REDIRECT :
	    r.retval != want_verdict) {
		test__failf(file, line, "SYN from port %u: expected verdict %s, "
			    "got %s", cport, xdp_verdict(want_verdict),
			    xdp_verdict(r.retval));
		return false;
	}
	err = fx_half_open(fx, client, cport, f);
	if (err) {
		test__failf(file, line, "SYN from port %u: no half-open flow recorded",
			    cport);
		return false;
	}
	return true;
}

/* The backend's SYN-ACK to the client's SYN on half-open flow h: from a
 * remote backend to this node's SNAT port through XDP, from the local one
 * straight to the client through TC. */
static int answer_syn(struct fixture *fx, const struct khaxdp_flow *h,
		      __be32 client, __u16 cport, struct run *r)
{
	struct khaxdp_backend b;
	struct tcp_spec s = {
		.flags = TCP_SYN | TCP_ACK,
		.seq = SERVER_ISN,
		.ack = CLIENT_ISN + 1,
	};
	struct pkt in;
	int err;

	err = fx_get_backend(fx, h->backend_id, &b);
	if (err)
		return err;
	s.saddr = b.addr.v4;
	s.sport = ntohs(b.port);
	if (h->flags & KHAXDP_FLOW_LOCAL) {
		s.smac = MAC_ENS33;
		s.dmac = MAC_CLIENT;
		s.daddr = client;
		s.dport = cport;
		pkt_tcp4(&in, &s);
		return run_tc(fx, &in, r);
	}
	s.smac = MAC_CTRL2;
	s.dmac = MAC_ENS33;
	s.daddr = h->flags & KHAXDP_FLOW_SNAT_VIP ? VIP_IP : NODE_IP;
	s.dport = ntohs(h->snat_port);
	pkt_tcp4(&in, &s);
	return run_xdp(fx, &in, r);
}

bool establish(const char *file, int line, struct fixture *fx, __be32 client,
	       __u16 cport, struct khaxdp_flow *f)
{
	struct tcp_spec ack = client_spec(client, cport, TCP_ACK);
	struct khaxdp_flow h;
	struct run r;
	int err;

	if (!open_flow(file, line, fx, client, cport, -1, &h))
		return false;
	err = answer_syn(fx, &h, client, cport, &r);
	if (err || ((h.flags & KHAXDP_FLOW_LOCAL) ? r.retval != TC_ACT_OK :
		    (r.retval != XDP_TX && r.retval != XDP_REDIRECT))) {
		test__failf(file, line, "SYN-ACK to port %u: test_run %d, verdict %d",
			    cport, err, r.retval);
		return false;
	}
	err = send_tcp(fx, &ack, &r);
	if (err || r.retval == XDP_DROP || r.retval == XDP_ABORTED) {
		test__failf(file, line, "handshake ACK from port %u: test_run %d, verdict %s",
			    cport, err, xdp_verdict(r.retval));
		return false;
	}
	if (fx_flow(fx, client, cport, f)) {
		test__failf(file, line, "handshake of port %u: no confirmed flow",
			    cport);
		return false;
	}
	return true;
}
