// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * khaxdp_test.c - the lab, the fixture, packets and checks shared by the
 * khaxdp selftests. See khaxdp_test.h.
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

#include "khaxdp_test.h"

const __u8 MAC_ENS33[6] = { 0x02, 0x00, 0x00, 0x00, 0x01, 0x71 };
const __u8 MAC_ENS34[6] = { 0x02, 0x00, 0x00, 0x00, 0x09, 0x01 };
const __u8 MAC_CLIENT[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x11 };
const __u8 MAC_CTRL2[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x72 };
const __u8 MAC_CTRL3[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x73 };
const __u8 MAC_FAR[6] = { 0x02, 0x00, 0x00, 0x00, 0x09, 0x05 };

struct lab lab;

/* The fixture loaded last, whose counters explain a failure. */
static struct fixture *current;


/* --- lab ------------------------------------------------------------------ */

int lab_ip(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = snprintf(cmd, sizeof(cmd), "ip ");
	vsnprintf(cmd + n, sizeof(cmd) - n, fmt, ap);
	va_end(ap);
	strncat(cmd, env.verbose ? "" : " 2>&1 >/dev/null",
		sizeof(cmd) - strlen(cmd) - 1);
	rc = system(cmd);
	if (rc != 0)
		printf("lab: '%s' failed (status %d)\n", cmd, rc);
	return rc;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -errno;
	fputs(text, f);
	err = fclose(f) ? -errno : 0;
	return err;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !env.verbose))
		return 0;
	return vprintf(fmt, ap);
}

/*
 * ens33 (192.168.218.171/24) faces the control nodes and the client, ens34
 * (10.9.0.1/24) a backend reached by redirect. Their peers stay unused: the
 * tests only need the FIB and the neighbour table to answer bpf_fib_lookup.
 */
int lab_setup(void)
{
	int err = 0;

	libbpf_set_print(libbpf_print);
	if (geteuid() != 0) {
		printf("lab: the BPF selftests need root\n");
		return -1;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		printf("lab: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return -1;
	}
	err |= lab_ip("link set lo up");
	err |= lab_ip("link add ens33 address 02:00:00:00:01:71 type veth "
		      "peer name ens33p address 02:00:00:00:00:fe");
	err |= lab_ip("addr add 192.168.218.171/24 dev ens33");
	err |= lab_ip("link set ens33 up");
	err |= lab_ip("link set ens33p up");
	err |= lab_ip("link add ens34 address 02:00:00:00:09:01 type veth "
		      "peer name ens34p");
	err |= lab_ip("addr add 10.9.0.1/24 dev ens34");
	err |= lab_ip("link set ens34 up");
	err |= lab_ip("link set ens34p up");
	err |= lab_ip("neigh replace 192.168.218.11 lladdr 02:00:00:00:00:11 "
		      "dev ens33 nud permanent");
	err |= lab_ip("neigh replace 192.168.218.172 lladdr 02:00:00:00:00:72 "
		      "dev ens33 nud permanent");
	err |= lab_ip("neigh replace 192.168.218.173 lladdr 02:00:00:00:00:73 "
		      "dev ens33 nud permanent");
	err |= lab_ip("neigh replace 10.9.0.5 lladdr 02:00:00:00:09:05 "
		      "dev ens34 nud permanent");
	/* bpf_fib_lookup() answers FWD_DISABLED without forwarding; control
	 * nodes of Kubernetes run with it on. */
	if (write_file("/proc/sys/net/ipv4/ip_forward", "1") != 0)
		err = -1;
	lab.ifindex = if_nametoindex("ens33");
	lab.ifindex2 = if_nametoindex("ens34");
	if (err || !lab.ifindex || !lab.ifindex2) {
		printf("lab: setup failed\n");
		return -1;
	}
	return 0;
}

/* --- fixture ---------------------------------------------------------------- */

int fx_init(struct fixture *fx, const struct fixture_opts *opts)
{
	struct khaxdp_node n = {};
	struct bpf_map *map;
	__u32 zero = 0;
	int err;

	memset(fx, 0, sizeof(*fx));
	current = fx;
	fx->skel = khaxdp__open();
	if (!ASSERT_OK_PTR(fx->skel, "khaxdp__open"))
		return -ENOMEM;
	/* Tests never touch /sys/fs/bpf. */
	bpf_object__for_each_map(map, fx->skel->obj) {
		err = bpf_map__set_pin_path(map, NULL);
		if (!ASSERT_OK(err, "bpf_map__set_pin_path"))
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
	fx->tc = bpf_program__fd(fx->skel->progs.khaxdp_tc);
	fx->services = bpf_map__fd(fx->skel->maps.services);
	fx->backends = bpf_map__fd(fx->skel->maps.backends);
	fx->rings = bpf_map__fd(fx->skel->maps.rings);
	fx->rr_cursor = bpf_map__fd(fx->skel->maps.rr_cursor);
	fx->flows = bpf_map__fd(fx->skel->maps.flows);
	fx->nat = bpf_map__fd(fx->skel->maps.nat);
	fx->port_cursor = bpf_map__fd(fx->skel->maps.port_cursor);
	fx->node = bpf_map__fd(fx->skel->maps.node);
	fx->stats = bpf_map__fd(fx->skel->maps.stats);
	fx->backend_stats = bpf_map__fd(fx->skel->maps.backend_stats);
	/* The data plane's cache of bpf_fib_lookup() results, if any. */
	fx->nexthops = bpf_object__find_map_fd_by_name(fx->skel->obj,
						       "nexthops");

	n.addr.v4 = NODE_IP;
	n.ifindex = lab.ifindex;
	n.snat_port_min = opts && opts->snat_min ? opts->snat_min : SNAT_MIN;
	n.snat_port_max = opts && opts->snat_max ? opts->snat_max : SNAT_MAX;
	n.family = KHAXDP_AF_INET;
	n.active = 1;
	memcpy(n.mac, MAC_ENS33, ETH_ALEN);
	err = bpf_map_update_elem(fx->node, &zero, &n, BPF_ANY);
	if (!ASSERT_OK(err, "write node"))
		goto fail;
	return 0;
fail:
	khaxdp__destroy(fx->skel);
	fx->skel = NULL;
	return err ? err : -EINVAL;
}

void fx_fini(struct fixture *fx)
{
	if (current == fx)
		current = NULL;
	khaxdp__destroy(fx->skel);
	fx->skel = NULL;
}

/* The node entry lists the distinct VIP addresses, as the loader fills it. */
static int node_add_vip(struct fixture *fx, __be32 vip)
{
	struct khaxdp_node n;
	__u32 zero = 0, i;

	if (bpf_map_lookup_elem(fx->node, &zero, &n))
		return -errno;
	for (i = 0; i < n.n_vips; i++)
		if (n.vips[i].v4 == vip)
			return 0;
	if (n.n_vips == KHAXDP_MAX_SERVICES)
		return -ENOSPC;
	memset(&n.vips[n.n_vips], 0, sizeof(n.vips[0]));
	n.vips[n.n_vips++].v4 = vip;
	return bpf_map_update_elem(fx->node, &zero, &n, BPF_ANY) ? -errno : 0;
}

int fx_add_service(struct fixture *fx, __u32 id, __be32 vip, __u16 port,
		   __u32 timeout_s, const char *name)
{
	struct khaxdp_service s = {};
	struct khaxdp_vip *k = &fx->vip[id];
	int err;

	memset(k, 0, sizeof(*k));
	k->addr.v4 = vip;
	k->port = htons(port);
	k->proto = IPPROTO_TCP;
	k->family = KHAXDP_AF_INET;
	s.id = id;
	s.mode = KHAXDP_MODE_NAT;
	s.timeout_s = timeout_s;
	snprintf(s.name, sizeof(s.name), "%s", name);
	err = bpf_map_update_elem(fx->services, k, &s, BPF_ANY);
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
	err = bpf_map_update_elem(fx->backends, &id, &b, BPF_ANY);
	ASSERT_OK(err, "write backend");
	return err;
}

int fx_get_backend(struct fixture *fx, __u32 id, struct khaxdp_backend *b)
{
	return bpf_map_lookup_elem(fx->backends, &id, b);
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
	err = bpf_map_update_elem(fx->backends, &id, &b, BPF_ANY);
	ASSERT_OK(err, "write backend");
	return err;
}

int fx_sync_ring(struct fixture *fx, __u32 service_id)
{
	struct khaxdp_ring ring = {};
	struct khaxdp_service s;
	struct khaxdp_backend b;
	__u32 id, key;
	int err;

	for (id = 0; id < KHAXDP_MAX_BACKENDS; id++) {
		if (bpf_map_lookup_elem(fx->backends, &id, &b))
			return -errno;
		if (!b.family || b.service_id != service_id ||
		    b.health != KHAXDP_HEALTH_UP ||
		    b.admin != KHAXDP_ADMIN_ENABLED)
			continue;
		if (ring.count == KHAXDP_MAX_SERVICE_BACKENDS)
			break;
		ring.backend[ring.count++] = id;
	}
	err = bpf_map_lookup_elem(fx->services, &fx->vip[service_id], &s);
	if (err)
		return -errno;
	key = service_id * 2 + !s.ring_slot;
	err = bpf_map_update_elem(fx->rings, &key, &ring, BPF_ANY);
	if (err)
		return -errno;
	s.ring_slot = !s.ring_slot;
	err = bpf_map_update_elem(fx->services, &fx->vip[service_id], &s,
				  BPF_ANY);
	return err ? -errno : 0;
}

int fx_set_cursor(struct fixture *fx, __u32 service_id, __u64 next)
{
	struct khaxdp_cursor c = { .next = next };

	return bpf_map_update_elem(fx->rr_cursor, &service_id, &c, BPF_ANY);
}

__u64 fx_cursor(struct fixture *fx, __u32 service_id)
{
	struct khaxdp_cursor c = {};

	bpf_map_lookup_elem(fx->rr_cursor, &service_id, &c);
	return c.next;
}

int fx_apiserver(struct fixture *fx)
{
	int err = 0;

	err |= fx_add_service(fx, 0, VIP_IP, VIP_PORT, SVC_TIMEOUT_S,
			      "apiserver");
	err |= fx_add_backend(fx, 0, 0, "control1", NODE_IP, API_PORT, true);
	err |= fx_add_backend(fx, 1, 0, "control2", CTRL2_IP, API_PORT, false);
	err |= fx_add_backend(fx, 2, 0, "control3", CTRL3_IP, API_PORT, false);
	if (!err)
		err = fx_sync_ring(fx, 0);
	ASSERT_OK(err, "set up the apiserver service");
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

	if (bpf_map_lookup_elem(fx->stats, &key, vals))
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
	if (bpf_map_lookup_elem(fx->backend_stats, &id, vals))
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
	clear_hash(fx->flows);
	clear_hash(fx->nat);
	zero_array(fx->stats, KHAXDP_STAT_MAX, sizeof(__u64), true);
	zero_array(fx->backend_stats, KHAXDP_MAX_BACKENDS,
		   sizeof(struct khaxdp_backend_stats), true);
	zero_array(fx->rr_cursor, KHAXDP_MAX_SERVICES,
		   sizeof(struct khaxdp_cursor), false);
	zero_array(fx->port_cursor, KHAXDP_MAX_BACKENDS,
		   sizeof(struct khaxdp_cursor), false);
	if (fx->nexthops >= 0)
		zero_array(fx->nexthops, KHAXDP_MAX_BACKENDS,
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

	return bpf_map_lookup_elem(fx->flows, &k, f) ? -errno : 0;
}

int fx_put_flow(struct fixture *fx, __be32 client, __u16 cport,
		const struct khaxdp_flow *f)
{
	struct khaxdp_flow_key k = flow_key(client, VIP_IP, cport, VIP_PORT);

	return bpf_map_update_elem(fx->flows, &k, f, BPF_EXIST) ? -errno : 0;
}

int fx_nat(struct fixture *fx, __be32 src, __be32 dst, __u16 sport,
	   __u16 dport, struct khaxdp_nat *n)
{
	struct khaxdp_flow_key k = flow_key(src, dst, sport, dport);

	return bpf_map_lookup_elem(fx->nat, &k, n) ? -errno : 0;
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

/* --- packets ------------------------------------------------------------------ */

/* Ones' complement sum of big-endian 16-bit words, not folded. */
static __u32 sum16(__u32 sum, const void *buf, size_t len)
{
	const __u8 *b = buf;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (__u32)b[len - 1] << 8;
	return sum;
}

static __u16 fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static __u32 tcp4_sum(const struct iphdr *ip)
{
	const __u8 *seg = (const __u8 *)ip + ip->ihl * 4;
	__u32 seg_len = ntohs(ip->tot_len) - ip->ihl * 4;
	__u32 sum = 0;

	sum = sum16(sum, &ip->saddr, 4);
	sum = sum16(sum, &ip->daddr, 4);
	sum += IPPROTO_TCP;
	sum += seg_len;
	return sum16(sum, seg, seg_len);
}

__u16 ip4_csum_verify(const struct iphdr *ip)
{
	return fold(sum16(0, ip, ip->ihl * 4));
}

__u16 tcp4_csum_verify(const struct iphdr *ip)
{
	return fold(tcp4_sum(ip));
}

__u16 ip4_csum(const struct iphdr *ip)
{
	__u32 sum = sum16(0, ip, ip->ihl * 4);

	sum -= ntohs(ip->check);	/* as if check were 0 */
	return htons(~fold(sum) & 0xffff);
}

__u16 tcp4_csum(const struct iphdr *ip)
{
	const struct tcphdr *tcp = (const void *)((const __u8 *)ip + ip->ihl * 4);
	__u32 sum = tcp4_sum(ip);

	sum -= ntohs(tcp->check);
	return htons(~fold(sum) & 0xffff);
}

void pkt_tcp4(struct pkt *p, const struct tcp4_spec *s)
{
	static const __u8 mss[4] = { 2, 4, 0x05, 0xb4 };	/* MSS 1460 */
	__u32 ip_hlen = 20 + s->ip_opt_len;
	__u32 tcp_hlen = 20 + (s->flags & TCP_SYN ? sizeof(mss) : 0);
	struct ethhdr *eth = (struct ethhdr *)p->data;
	struct iphdr *ip;
	struct tcphdr *tcp;
	__u8 *opt;

	memset(p, 0, sizeof(*p));
	memcpy(eth->h_dest, s->dmac ? s->dmac : MAC_ENS33, ETH_ALEN);
	memcpy(eth->h_source, s->smac ? s->smac : MAC_CLIENT, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);

	ip = pkt_ip(p);
	ip->version = 4;
	ip->ihl = ip_hlen / 4;
	ip->tos = 0;
	ip->tot_len = htons(ip_hlen + tcp_hlen + s->payload_len);
	ip->id = htons(0x1234);
	ip->frag_off = htons(0x4000);	/* DF */
	ip->ttl = s->ttl ? s->ttl : 64;
	ip->protocol = IPPROTO_TCP;
	ip->saddr = s->saddr;
	ip->daddr = s->daddr;
	opt = (__u8 *)(ip + 1);
	if (s->ip_opt_len) {
		memset(opt, 1, s->ip_opt_len);		/* NOP ... */
		opt[s->ip_opt_len - 1] = 0;		/* ... EOL */
	}

	tcp = (struct tcphdr *)((__u8 *)ip + ip_hlen);
	tcp->source = htons(s->sport);
	tcp->dest = htons(s->dport);
	tcp->seq = htonl(s->seq);
	tcp->ack_seq = htonl(s->ack);
	tcp->doff = tcp_hlen / 4;
	tcp->fin = !!(s->flags & TCP_FIN);
	tcp->syn = !!(s->flags & TCP_SYN);
	tcp->rst = !!(s->flags & TCP_RST);
	tcp->psh = !!(s->flags & TCP_PSH);
	tcp->ack = !!(s->flags & TCP_ACK);
	tcp->window = htons(64240);
	if (s->flags & TCP_SYN)
		memcpy(tcp + 1, mss, sizeof(mss));
	if (s->payload_len)
		memcpy((__u8 *)tcp + tcp_hlen, s->payload, s->payload_len);

	p->len = ETH_HLEN_ + ip_hlen + tcp_hlen + s->payload_len;
	if (s->pad_to > p->len) {
		memset(p->data + p->len, 0xaa, s->pad_to - p->len);
		p->len = s->pad_to;
	}
	ip->check = ip4_csum(ip);
	tcp->check = tcp4_csum(ip);
}

void pkt_ip4(struct pkt *p, const __u8 *dmac, __u8 proto, __be32 saddr,
	     __be32 daddr, const void *l4, __u32 l4_len, __u8 ttl)
{
	struct ethhdr *eth = (struct ethhdr *)p->data;
	struct iphdr *ip = pkt_ip(p);

	memset(p, 0, sizeof(*p));
	memcpy(eth->h_dest, dmac ? dmac : MAC_ENS33, ETH_ALEN);
	memcpy(eth->h_source, MAC_CLIENT, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(20 + l4_len);
	ip->id = htons(0x4321);
	ip->ttl = ttl;
	ip->protocol = proto;
	ip->saddr = saddr;
	ip->daddr = daddr;
	memcpy(ip + 1, l4, l4_len);
	ip->check = ip4_csum(ip);
	p->len = ETH_HLEN_ + 20 + l4_len;
}

struct tcp4_spec client_spec(__be32 client, __u16 cport, __u8 flags)
{
	struct tcp4_spec s = {
		.saddr = client,
		.daddr = VIP_IP,
		.sport = cport,
		.dport = VIP_PORT,
		.flags = flags,
		.seq = 1000,
		.ack = flags & TCP_ACK ? 5000 : 0,
	};

	return s;
}

struct tcp4_spec respec(struct tcp4_spec s, const __u8 *smac,
			const __u8 *dmac, __be32 saddr, __u16 sport,
			__be32 daddr, __u16 dport)
{
	s.smac = smac;
	s.dmac = dmac;
	s.saddr = saddr;
	s.sport = sport;
	s.daddr = daddr;
	s.dport = dport;
	return s;
}

/* --- running -------------------------------------------------------------------- */

/* One run (repeat 1: see DESIGN.md) of a program on `in` with `ctx`. */
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
	printf("; flows %d, nat entries %d\n", fx_count(current->flows),
	       fx_count(current->nat));
}

/* --- checks ----------------------------------------------------------------------- */

bool check_csums(const char *file, int line, const __u8 *frame, __u32 len,
		 const char *name)
{
	const struct iphdr *ip = (const void *)(frame + ETH_HLEN_);
	const struct tcphdr *tcp;
	bool ok = true;

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
	if (r->len == want.len && got_ip->ihl == ip->ihl) {
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

int send_tcp(struct fixture *fx, const struct tcp4_spec *s, struct run *r)
{
	struct pkt p;

	pkt_tcp4(&p, s);
	return run_xdp(fx, &p, r);
}

bool open_flow(const char *file, int line, struct fixture *fx,
	       __be32 client, __u16 cport, int want_verdict,
	       struct khaxdp_flow *f)
{
	struct tcp4_spec s = client_spec(client, cport, TCP_SYN);
	struct run r;
	int err;

	err = send_tcp(fx, &s, &r);
	if (err) {
		test__failf(file, line, "SYN from port %u: test_run: %s", cport,
			    strerror(-err));
		return false;
	}
	if (r.retval != want_verdict) {
		test__failf(file, line, "SYN from port %u: expected verdict %s, "
			    "got %s", cport, xdp_verdict(want_verdict),
			    xdp_verdict(r.retval));
		return false;
	}
	err = fx_flow(fx, client, cport, f);
	if (err) {
		test__failf(file, line, "SYN from port %u: no flow recorded",
			    cport);
		return false;
	}
	return true;
}
