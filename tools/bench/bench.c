// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * bench - cost per packet of the XDP data plane, measured in the kernel with
 * BPF_PROG_TEST_RUN and a large repeat count, beside a baseline program that
 * only parses Ethernet/IPv4 or IPv6/TCP and passes; the IPv6 cases go
 * through the tail call to the IPv6 program.
 *
 * With repeat > 1 the kernel runs the program again on the buffer it has
 * already rewritten. So that every run takes the path it is meant to
 * measure, each case is built as a fixed point: the addresses are chosen so
 * that the rewritten packet is the packet that went in (the "backend" is the
 * VIP itself, the node's NAT address is the client's), or, for SYNs, so
 * that the rewritten packet is the SYN of the next new flow. The counters
 * prove it: after each case the counter of its path must have grown by
 * exactly the number of runs, or the bench fails. A forwarded packet also
 * loses a TTL each run: see run_chunks().
 *
 * Runs in the selftests' private network namespace (tests/bpf/lab.h) with
 * two more permanent neighbours for bpf_fib_lookup, builds its frames with
 * their packet helpers (tests/bpf/packet.h) and fills the maps with the
 * library's own ring publish; touches nothing outside and pins nothing.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/khaxdp.h"
#include "loader/maps.h"
#include "loader/util.h"
#include "tests/bpf/lab.h"
#include "tests/bpf/packet.h"
#include "khaxdp.skel.h"
#include "baseline.skel.h"

/* Neighbours on ens33 (192.168.218.171/24) that have ens33's own MAC, so
 * that a packet sent to them is again addressed to this node on the next
 * run (the data plane passes frames for other MACs). */
#define NODE_ADDR	IP4(192, 168, 218, 50)	/* node (NAT source) = client */
#define BENCH_VIP	IP4(192, 168, 218, 100)	/* VIP = backend */
#define OTHER_ADDR	IP4(192, 168, 218, 77)
#define PEER_ADDR	IP4(192, 168, 218, 60)	/* a host talking to the node */
/* The same over IPv6 (2001:db8:218::/64 on ens33): the IPv6 service's
 * cases go through the tail call to the IPv6 program. */
static const struct in6_addr NODE_ADDR6 = LAB6(0x50);
static const struct in6_addr BENCH_VIP6 = LAB6(0x100);
static const struct in6_addr OTHER_ADDR6 = LAB6(0x77);
static const struct in6_addr PEER_ADDR6 = LAB6(0x60);
#define CLIENT_PORT	40000
#define TRIALS_MAX	64
#define FULL_FLOWS	8192	/* the table of "SYN, flow table full" */
/* The SYN cases' NAT range: above the service port (a packet to a VIP on
 * a SNAT port is a reply). */
#define SYN_PORT_MIN	8000
#define SYN_PORTS	(65536 - SYN_PORT_MIN - 1000)

struct options {
	unsigned int trials;
	unsigned int repeat;		/* runs per trial of a passed packet */
	unsigned int fwd_repeat;	/* of a forwarded one: see run_chunks() */
	unsigned int syn_repeat;
	int json;
};

struct result {
	const char *name;
	const char *path;
	double median, min, max;
};

static int bench_lab(void)
{
	if (lab_setup())
		return -1;
	return lab_ip("neigh replace 192.168.218.50 lladdr 02:00:00:00:01:71 dev ens33 nud permanent") ||
	       lab_ip("neigh replace 192.168.218.100 lladdr 02:00:00:00:01:71 dev ens33 nud permanent") ||
	       lab_ip("-6 neigh replace 2001:db8:218::50 lladdr 02:00:00:00:01:71 dev ens33 nud permanent") ||
	       lab_ip("-6 neigh replace 2001:db8:218::100 lladdr 02:00:00:00:01:71 dev ens33 nud permanent");
}

/* A TCP frame from ens33's MAC to ens33's MAC (see bench_lab()), with
 * timestamps as Linux sends them (the data plane shifts them towards a
 * remote backend). */
static void bench_pkt(struct pkt *p, __be32 saddr, __u16 sport, __be32 daddr,
		      __u16 dport, int syn)
{
	struct tcp_spec s = {
		.smac = MAC_ENS33, .dmac = MAC_ENS33,
		.saddr = saddr, .daddr = daddr, .sport = sport, .dport = dport,
		.flags = syn ? TCP_SYN : TCP_ACK, .seq = 1, .ack = syn ? 0 : 1,
		.ts = 1, .tsval = 1000, .tsecr = syn ? 0 : 1000,
	};

	pkt_tcp4(p, &s);
}

/* The same over IPv6. */
static void bench_pkt6(struct pkt *p, const struct in6_addr *saddr,
		       __u16 sport, const struct in6_addr *daddr, __u16 dport,
		       int syn)
{
	struct tcp_spec s = {
		.smac = MAC_ENS33, .dmac = MAC_ENS33,
		.saddr6 = *saddr, .daddr6 = *daddr, .sport = sport, .dport = dport,
		.flags = syn ? TCP_SYN : TCP_ACK, .seq = 1, .ack = syn ? 0 : 1,
		.ts = 1, .tsval = 1000, .tsecr = syn ? 0 : 1000,
	};

	pkt_tcp6(p, &s);
}

static __u64 stat_sum(int map_fd, __u32 key)
{
	int ncpus = libbpf_num_possible_cpus();
	__u64 vals[ncpus > 0 ? ncpus : 1], sum = 0;

	if (ncpus <= 0 || bpf_map_lookup_elem(map_fd, &key, vals))
		return 0;
	for (int i = 0; i < ncpus; i++)
		sum += vals[i];
	return sum;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * Run @prog_fd @repeat times per trial on pkt[trial % n_pkt]; the per-run
 * time of every trial goes into the result. The stat @expect of @stats_fd must grow by
 * exactly trials * repeat, or the path measured was not the one named.
 */
/*
 * A forwarded packet loses one TTL per run (RFC 1812), so no packet is
 * its own fixed point for long: a trial of a forwarding path is run in
 * chunks of at most CHUNK_RUNS, each starting from the previous chunk's
 * output with its TTL set back to 255 (and its IP checksum recomputed);
 * 254 runs take it down to 1. The per-run time of a trial is the runs'
 * total time over their number; calls are cheap once the program is
 * parked (lab_park()).
 */
#define CHUNK_RUNS	254

static void ttl_reset(struct pkt *p)
{
	struct iphdr *ip = pkt_ip(p);

	if (pkt_is_ip6(p)) {
		pkt_ipv6hdr(p)->hop_limit = 255;	/* no header checksum */
		return;
	}
	ip->ttl = 255;
	ip->check = ip4_csum(ip);
}

static int run_chunks(const struct result *r, int prog_fd, struct pkt *p,
		      unsigned int repeat, bool forwards, double *ns_per_run)
{
	unsigned int chunk = forwards ? CHUNK_RUNS : repeat;
	struct xdp_md ctx_in = { .ingress_ifindex = lab.ifindex };
	double total = 0;
	struct pkt out;

	for (unsigned int done = 0; done < repeat;) {
		unsigned int n = repeat - done < chunk ? repeat - done : chunk;
		LIBBPF_OPTS(bpf_test_run_opts, opts,
			.data_in = p->data, .data_size_in = p->len,
			.data_out = out.data, .data_size_out = sizeof(out.data),
			.ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in),
			.repeat = n);
		int err;

		if (forwards)
			ttl_reset(p);
		ctx_in.data_end = p->len;
		err = bpf_prog_test_run_opts(prog_fd, &opts);
		if (err) {
			fprintf(stderr, "bench: %s: BPF_PROG_TEST_RUN: %s\n",
				r->name, strerror(-err));
			return -1;
		}
		total += (double)opts.duration * n;
		memcpy(p->data, out.data, opts.data_size_out);
		p->len = opts.data_size_out;
		done += n;
	}
	*ns_per_run = total / repeat;
	return 0;
}

/*
 * Run @prog_fd @repeat times per trial from pkt[trial % n_pkt]; the per-run
 * time of every trial goes into the result. The stat @expect of @stats_fd
 * must grow by exactly trials * repeat, or the path measured was not the
 * one named.
 */
static int measure(struct result *r, const struct options *o, int prog_fd,
		   const struct pkt *pkt, unsigned int n_pkt,
		   unsigned int repeat, bool forwards,
		   int stats_fd, __u32 expect)
{
	double t[TRIALS_MAX];
	__u64 before = stat_sum(stats_fd, expect), after;
	struct pkt p;

	for (unsigned int i = 0; i < o->trials; i++) {
		p = pkt[i % n_pkt];
		if (run_chunks(r, prog_fd, &p, repeat, forwards, &t[i]))
			return -1;
	}
	after = stat_sum(stats_fd, expect);
	if (after - before != (__u64)o->trials * repeat) {
		fprintf(stderr,
			"bench: %s: expected %llu runs on the %s path, counted %llu: the figure would measure another path\n",
			r->name, (unsigned long long)o->trials * repeat, r->path,
			(unsigned long long)(after - before));
		return -1;
	}
	qsort(t, o->trials, sizeof(t[0]), cmp_double);
	r->min = t[0];
	r->max = t[o->trials - 1];
	r->median = t[o->trials / 2];
	return 0;
}

static int map_put(struct bpf_map *m, const void *key, const void *val)
{
	int err = bpf_map__update_elem(m, key, bpf_map__key_size(m), val,
				       bpf_map__value_size(m), BPF_ANY);

	if (err)
		fprintf(stderr, "bench: update %s: %s\n", bpf_map__name(m),
			strerror(-err));
	return err;
}

/* One service VIP:7443 whose only backend is VIP:7443 itself (remote), on
 * a node whose NAT address is the client's: see the comment at the top;
 * and the same over IPv6 ([VIP6]:7443, service 1, backend 1). The rings
 * are published by the library, as the loader and the agent do. */
static int fill_maps(struct khaxdp *skel, __u16 snat_min, __u16 snat_max)
{
	struct khaxdp_node nd = { .family = KHAXDP_AF_INET,
				  .ifindex = lab.ifindex,
				  .snat_port_min = snat_min,
				  .snat_port_max = snat_max,
				  .n_vips = 1,
				  .n_vips6 = 1,
				  .connect_timeout_s = 4,
				  .active = 1,	/* it balances */
				  .active6 = 1,
				  /* NAT from the node's (= the client's) address:
				   * the fixed points of the top comment */
				  .flags = KHAXDP_NODE_SNAT_NODE,
				  /* every SYN comes from NODE_ADDR */
				  .half_open_per_source = 0 };
	struct khaxdp_vip vip = { .port = htons(VIP_PORT),
				  .proto = IPPROTO_TCP,
				  .family = KHAXDP_AF_INET };
	struct khaxdp_service svc = { .id = 0, .mode = KHAXDP_MODE_NAT,
				      .timeout_s = 1800, .name = "bench" };
	struct khaxdp_backend be = { .port = htons(VIP_PORT),
				     .family = KHAXDP_AF_INET,
				     .health = KHAXDP_HEALTH_UP,
				     .admin = KHAXDP_ADMIN_ENABLED,
				     .name = "self" };
	struct khaxdp_vip vip6 = vip;
	struct khaxdp_service svc6 = svc;
	struct khaxdp_backend be6 = be;
	struct kx_maps m = { .lock_fd = -1 };
	__u32 zero = 0, one = 1;

#define BENCH_MAP_FD(name, type, key, value) m.name = bpf_map__fd(skel->maps.name);
	KHAXDP_MAPS(BENCH_MAP_FD)
#undef BENCH_MAP_FD
	nd.addr.v4 = NODE_ADDR;
	vip.addr.v4 = BENCH_VIP;
	be.addr.v4 = BENCH_VIP;
	nd.vips[0] = vip.addr;
	memcpy(&nd.addr6, &NODE_ADDR6, 16);
	memcpy(&vip6.addr, &BENCH_VIP6, 16);
	vip6.family = KHAXDP_AF_INET6;
	nd.vips6[0] = vip6.addr;
	svc6.id = 1;
	be6.addr = vip6.addr;
	be6.family = KHAXDP_AF_INET6;
	be6.service_id = 1;
	memcpy(nd.mac, MAC_ENS33, ETH_ALEN);
	if (map_put(skel->maps.node, &zero, &nd) ||
	    map_put(skel->maps.backends, &zero, &be) ||
	    map_put(skel->maps.services, &vip, &svc) ||
	    map_put(skel->maps.backends, &one, &be6) ||
	    map_put(skel->maps.services, &vip6, &svc6))
		return -1;
	if (kx_service_rebuild_ring(&m, svc.id) ||
	    kx_service_rebuild_ring(&m, svc6.id)) {
		fprintf(stderr, "bench: %s\n", kx_last_error());
		return -1;
	}
	return 0;
}

/* n live half-open flows of clients that never complete the handshake:
 * a SYN flood's full table. */
static int fill_flows(struct khaxdp *skel, unsigned int n)
{
	struct khaxdp_flow f = { .backend_id = 0, .timeout_s = 1800 };
	struct timespec ts;
	int fd = bpf_map__fd(skel->maps.half_open);

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	f.created_ns = f.last_seen_ns = ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	for (unsigned int i = 0; i < n; i++) {
		struct khaxdp_flow_key k = {
			.src.v4 = htonl(0x0a630000 | i),	/* 10.99.x.y */
			.dst.v4 = BENCH_VIP,
			.sport = htons(50000),
			.dport = htons(VIP_PORT),
			.proto = IPPROTO_TCP,
			.family = KHAXDP_AF_INET,
		};

		if (bpf_map_update_elem(fd, &k, &f, BPF_ANY)) {
			fprintf(stderr, "bench: fill flows: %s\n", strerror(errno));
			return -1;
		}
	}
	return 0;
}

static struct khaxdp *load_khaxdp(unsigned int max_flows)
{
	struct khaxdp *skel = khaxdp__open();
	struct bpf_map *m;

	if (!skel)
		return NULL;
	bpf_object__for_each_map(m, skel->obj)
		bpf_map__set_pin_path(m, NULL);	/* never touch bpffs */
	bpf_map__set_max_entries(skel->maps.flows, max_flows);
	bpf_map__set_max_entries(skel->maps.nat, max_flows);
	bpf_map__set_max_entries(skel->maps.half_open, max_flows);
	bpf_map__set_max_entries(skel->maps.half_open_nat, max_flows);
	if (khaxdp__load(skel)) {
		khaxdp__destroy(skel);
		return NULL;
	}
	return skel;
}

static void print_table(const struct result *res, int n, const struct options *o)
{
	const struct result *base = &res[0];

	if (o->json) {
		printf("{\"trials\":%u,\"repeat\":%u,\"fwd_repeat\":%u,\"syn_repeat\":%u,\"results\":[",
		       o->trials, o->repeat, o->fwd_repeat, o->syn_repeat);
		for (int i = 0; i < n; i++)
			printf("%s{\"case\":\"%s\",\"ns_per_packet\":%.1f,\"min\":%.1f,\"max\":%.1f,\"ratio_to_baseline\":%.2f}",
			       i ? "," : "", res[i].name, res[i].median,
			       res[i].min, res[i].max,
			       res[i].median / base->median);
		printf("]}\n");
		return;
	}
	printf("%-28s %10s %17s %9s\n", "case", "ns/packet", "spread (min-max)",
	       "ratio");
	for (int i = 0; i < n; i++)
		printf("%-28s %10.1f %8.1f-%-8.1f %8.2fx\n", res[i].name,
		       res[i].median, res[i].min, res[i].max,
		       res[i].median / base->median);
	printf("(median of %u trials; runs per trial: %u passed, %u forwarded, %u SYNs; ratio to the baseline)\n",
	       o->trials, o->repeat, o->fwd_repeat, o->syn_repeat);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: bench [--trials N] [--repeat N] [--smoke] [--json]\n"
		"Cost per packet of khaxdp's XDP paths with BPF_PROG_TEST_RUN,\n"
		"beside a baseline that only parses and passes. Needs root.\n");
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "trials", required_argument, NULL, 't' },
		{ "repeat", required_argument, NULL, 'r' },
		{ "smoke", no_argument, NULL, 's' },
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	struct options o = { .trials = 7, .repeat = 1000000,
			     .fwd_repeat = 4000 * CHUNK_RUNS,
			     .syn_repeat = 32 * CHUNK_RUNS };
	struct result res[] = {
		{ "baseline (parse + pass)", "baseline" },
		{ "non-VIP, to the node", "PASS_NOT_VIP" },
		{ "non-VIP, other address", "PASS_NOT_VIP" },
		{ "SYN, new flow", "FLOW_NEW" },
		{ "SYN, flow table full", "FLOW_NEW" },
		{ "established, forward", "FWD_TX" },
		{ "established, reply", "REPLY_TX" },
		{ "IPv6 non-VIP, other address", "PASS_NOT_VIP" },
		{ "IPv6 SYN, new flow", "FLOW_NEW" },
		{ "IPv6 established, forward", "FWD_TX" },
		{ "IPv6 established, reply", "REPLY_TX" },
	};
	struct pkt pkt;
	struct khaxdp *lb = NULL, *synlb = NULL, *fulllb = NULL;
	struct baseline *base = NULL;
	int c, rc = 1;

	while ((c = getopt_long(argc, argv, "t:r:sjh", longopts, NULL)) != -1) {
		switch (c) {
		case 't': o.trials = strtoul(optarg, NULL, 0); break;
		case 'r': o.repeat = strtoul(optarg, NULL, 0); break;
		case 's':
			o.trials = 3;
			o.repeat = 10000;
			o.fwd_repeat = 40 * CHUNK_RUNS;
			o.syn_repeat = 4 * CHUNK_RUNS;
			break;
		case 'j': o.json = 1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (o.fwd_repeat > o.repeat)
		o.fwd_repeat = o.repeat;
	if (!o.trials || o.trials > TRIALS_MAX || !o.repeat) {
		fprintf(stderr, "bench: --trials must be 1..%d, --repeat > 0\n",
			TRIALS_MAX);
		return 2;
	}
	/* SYNs consume one NAT port each: stay inside the range. */
	if ((unsigned long)o.trials * o.syn_repeat > SYN_PORTS)
		o.syn_repeat = SYN_PORTS / o.trials;

	if (geteuid() != 0) {
		fprintf(stderr, "bench: needs root (BPF and a network namespace)\n");
		return 1;
	}
	if (bench_lab())
		return 1;

	base = baseline__open_and_load();
	lb = load_khaxdp(1 << 16);
	synlb = load_khaxdp(1 << 17);
	fulllb = load_khaxdp(FULL_FLOWS);
	if (!base || !lb || !synlb || !fulllb) {
		fprintf(stderr, "bench: loading the programs failed: %s\n",
			strerror(errno));
		goto out;
	}
	if (fill_maps(lb, CLIENT_PORT, CLIENT_PORT) ||
	    fill_maps(synlb, SYN_PORT_MIN, 65535) ||
	    fill_maps(fulllb, SYN_PORT_MIN, 65535) ||
	    /* Runs are fast once the programs are parked (lab.h). */
	    lab_park(bpf_program__fd(base->progs.baseline_xdp), 0) ||
	    lab_park(bpf_program__fd(lb->progs.khaxdp_xdp), 1) ||
	    lab_park(bpf_program__fd(synlb->progs.khaxdp_xdp), 2) ||
	    lab_park(bpf_program__fd(fulllb->progs.khaxdp_xdp), 3))
		goto out;

	int lb_fd = bpf_program__fd(lb->progs.khaxdp_xdp);
	int lb_stats = bpf_map__fd(lb->maps.stats);

	bench_pkt(&pkt, NODE_ADDR, CLIENT_PORT, BENCH_VIP, VIP_PORT, 0);
	if (measure(&res[0], &o, bpf_program__fd(base->progs.baseline_xdp), &pkt, 1,
		    o.repeat, false, bpf_map__fd(base->maps.baseline_stats),
		    KHAXDP_STAT_RX))
		goto out;

	bench_pkt(&pkt, PEER_ADDR, 5555, NODE_ADDR, 22, 0);
	if (measure(&res[1], &o, lb_fd, &pkt, 1, o.repeat, false, lb_stats,
		    KHAXDP_STAT_PASS_NOT_VIP))
		goto out;
	bench_pkt(&pkt, PEER_ADDR, 5555, OTHER_ADDR, 443, 0);
	if (measure(&res[2], &o, lb_fd, &pkt, 1, o.repeat, false, lb_stats,
		    KHAXDP_STAT_PASS_NOT_VIP))
		goto out;

	/* Each SYN leaves as the SYN of the next client port: a new flow.
	 * The first comes from just below the NAT range, whose ports are
	 * then handed out in order from its start. */
	static struct pkt syns[TRIALS_MAX];

	for (unsigned int i = 0; i < o.trials; i++)
		bench_pkt(&syns[i], NODE_ADDR, SYN_PORT_MIN - 1 - i, BENCH_VIP,
			  VIP_PORT, 1);
	if (measure(&res[3], &o, bpf_program__fd(synlb->progs.khaxdp_xdp), syns,
		    o.trials, o.syn_repeat, true, bpf_map__fd(synlb->maps.stats),
		    KHAXDP_STAT_FLOW_NEW))
		goto out;
	/* The same SYNs into a half-open table already full (a flood): each
	 * one evicts the least recently used half-open flow. */
	if (fill_flows(fulllb, FULL_FLOWS) ||
	    measure(&res[4], &o, bpf_program__fd(fulllb->progs.khaxdp_xdp), syns,
		    o.trials, o.syn_repeat, true, bpf_map__fd(fulllb->maps.stats),
		    KHAXDP_STAT_FLOW_NEW))
		goto out;

	/* Open the one flow (its NAT port is its own client port) with the
	 * whole handshake, then measure the packets that follow it, both
	 * ways. */
	struct result open = { "open", "FLOW_NEW" };
	struct result synack = { "SYN-ACK", "REPLY_TX" };
	struct result confirm = { "ACK", "FLOW_CONFIRMED" };
	struct options once = o;
	struct tcp_spec sa = {
		.smac = MAC_ENS33, .dmac = MAC_ENS33,
		.saddr = BENCH_VIP, .sport = VIP_PORT,
		.daddr = NODE_ADDR, .dport = CLIENT_PORT,
		.flags = TCP_SYN | TCP_ACK, .seq = 0, .ack = 2,
		.ts = 1, .tsval = 1000, .tsecr = 1000,
	};

	once.trials = 1;
	bench_pkt(&pkt, NODE_ADDR, CLIENT_PORT, BENCH_VIP, VIP_PORT, 1);
	if (measure(&open, &once, lb_fd, &pkt, 1, 1, true, lb_stats,
		    KHAXDP_STAT_FLOW_NEW))
		goto out;
	pkt_tcp4(&pkt, &sa);
	if (measure(&synack, &once, lb_fd, &pkt, 1, 1, true, lb_stats,
		    KHAXDP_STAT_REPLY_TX))
		goto out;
	bench_pkt(&pkt, NODE_ADDR, CLIENT_PORT, BENCH_VIP, VIP_PORT, 0);
	if (measure(&confirm, &once, lb_fd, &pkt, 1, 1, true, lb_stats,
		    KHAXDP_STAT_FLOW_CONFIRMED))
		goto out;
	bench_pkt(&pkt, NODE_ADDR, CLIENT_PORT, BENCH_VIP, VIP_PORT, 0);
	if (measure(&res[5], &o, lb_fd, &pkt, 1, o.fwd_repeat, true, lb_stats,
		    KHAXDP_STAT_FWD_TX))
		goto out;
	bench_pkt(&pkt, BENCH_VIP, VIP_PORT, NODE_ADDR, CLIENT_PORT, 0);
	if (measure(&res[6], &o, lb_fd, &pkt, 1, o.fwd_repeat, true, lb_stats,
		    KHAXDP_STAT_REPLY_TX))
		goto out;

	/* IPv6: the same fixed points, through the tail call. */
	bench_pkt6(&pkt, &PEER_ADDR6, 5555, &OTHER_ADDR6, 443, 0);
	if (measure(&res[7], &o, lb_fd, &pkt, 1, o.repeat, false, lb_stats,
		    KHAXDP_STAT_PASS_NOT_VIP))
		goto out;
	for (unsigned int i = 0; i < o.trials; i++)
		bench_pkt6(&syns[i], &NODE_ADDR6, SYN_PORT_MIN - 1 - i,
			   &BENCH_VIP6, VIP_PORT, 1);
	if (measure(&res[8], &o, bpf_program__fd(synlb->progs.khaxdp_xdp), syns,
		    o.trials, o.syn_repeat, true, bpf_map__fd(synlb->maps.stats),
		    KHAXDP_STAT_FLOW_NEW))
		goto out;
	sa.saddr6 = BENCH_VIP6;
	sa.daddr6 = NODE_ADDR6;
	bench_pkt6(&pkt, &NODE_ADDR6, CLIENT_PORT, &BENCH_VIP6, VIP_PORT, 1);
	if (measure(&open, &once, lb_fd, &pkt, 1, 1, true, lb_stats,
		    KHAXDP_STAT_FLOW_NEW))
		goto out;
	pkt_tcp6(&pkt, &sa);
	if (measure(&synack, &once, lb_fd, &pkt, 1, 1, true, lb_stats,
		    KHAXDP_STAT_REPLY_TX))
		goto out;
	bench_pkt6(&pkt, &NODE_ADDR6, CLIENT_PORT, &BENCH_VIP6, VIP_PORT, 0);
	if (measure(&confirm, &once, lb_fd, &pkt, 1, 1, true, lb_stats,
		    KHAXDP_STAT_FLOW_CONFIRMED))
		goto out;
	bench_pkt6(&pkt, &NODE_ADDR6, CLIENT_PORT, &BENCH_VIP6, VIP_PORT, 0);
	if (measure(&res[9], &o, lb_fd, &pkt, 1, o.fwd_repeat, true, lb_stats,
		    KHAXDP_STAT_FWD_TX))
		goto out;
	bench_pkt6(&pkt, &BENCH_VIP6, VIP_PORT, &NODE_ADDR6, CLIENT_PORT, 0);
	if (measure(&res[10], &o, lb_fd, &pkt, 1, o.fwd_repeat, true, lb_stats,
		    KHAXDP_STAT_REPLY_TX))
		goto out;

	print_table(res, sizeof(res) / sizeof(res[0]), &o);
	rc = 0;
out:
	khaxdp__destroy(fulllb);
	khaxdp__destroy(synlb);
	khaxdp__destroy(lb);
	baseline__destroy(base);
	return rc;
}
