// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * agent_sync.c - flow sync's I/O (agent_sync.h): the socket, the data
 * plane's flow events, the timers, the state file and the page.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "agent_sync.h"
#include "loader/util.h"

#define NS_PER_MS	1000000ull
#define TICK_NS		(1000 * NS_PER_MS)

static const char *ip_str(uint32_t a, char *buf)
{
	return inet_ntop(AF_INET, &a, buf, INET_ADDRSTRLEN);
}

/* ---- sending ------------------------------------------------------------- */

static void send_to_peers(void *ctx, const uint8_t *msg, size_t len)
{
	struct agent_sync *s = ctx;
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_port = htons(s->conf.port) };
	char ip[INET_ADDRSTRLEN];

	for (unsigned int i = 0; i < s->n_peers; i++) {
		to.sin_addr.s_addr = s->peers[i].addr;
		if (sendto(s->sock, msg, len, MSG_DONTWAIT,
			   (struct sockaddr *)&to, sizeof(to)) < 0 &&
		    !s->send_errors++)
			kx_warn("sync: send to %s: %s (counted from now on)",
				ip_str(s->peers[i].addr, ip), strerror(errno));
	}
}

/* A snapshot walks this many flows per turn of the loop (about 1 ms),
 * so 65536 flows never hold up an advert. */
#define SNAPSHOT_SLICE	4096

static void arm_tx(struct agent_sync *s)
{
	/* A snapshot under way goes on at the next turn, after what the
	 * other watches have to say. */
	ev_timer_arm(s->loop, &s->tx_timer,
		     s->snapping ? ev_now() : sync_sender_next(&s->tx));
}

static void announce(void *ctx, const struct khaxdp_flow_event *ev,
		     uint32_t idle_ms)
{
	struct agent_sync *s = ctx;
	struct sync_record r = { .ev = *ev, .idle_ms = idle_ms };

	sync_snapshot_add(&s->tx, &r);
}

static void queue_half(void *ctx, const struct khaxdp_flow_event *ev,
		       uint32_t idle_ms)
{
	struct agent_sync *s = ctx;
	struct sync_record r = { .ev = *ev, .idle_ms = idle_ms };

	sync_queue(&s->tx, ev_now(), &r);
}

/* One slice of the snapshot under way (all of it: max UINT32_MAX). */
static void snapshot_step(struct agent_sync *s, uint64_t now, uint32_t max)
{
	bool done = true;
	int n = 0;

	if (s->dp.opened)
		n = dp_flows_announce_step(&s->dp, max, announce, s, &done);
	if (n < 0)
		kx_warn("sync: snapshot: %s", kx_last_error());
	if (!done)
		return;
	sync_snapshot_end(&s->tx, now);
	s->snapping = false;
}

static void snapshot_begin(struct agent_sync *s, uint64_t now)
{
	sync_snapshot_begin(&s->tx, now);
	s->snapping = true;
	if (s->dp.opened && dp_flows_announce_begin(&s->dp))
		kx_warn("sync: snapshot: %s", kx_last_error());
}

/* The whole table now (leaving active). */
static void snapshot(struct agent_sync *s, uint64_t now)
{
	if (!s->snapping)
		snapshot_begin(s, now);
	snapshot_step(s, now, UINT32_MAX);
}

static void on_tx_timer(void *ctx, uint64_t now)
{
	struct agent_sync *s = ctx;

	if (sync_sender_timer(&s->tx, now) && !s->snapping) {
		if (s->active)
			snapshot_begin(s, now);
		else
			sync_snapshot_skip(&s->tx, now);
	}
	if (s->snapping)
		snapshot_step(s, now, SNAPSHOT_SLICE);
	arm_tx(s);
}

/* A flow event of the data plane (it emits them only while active). */
static void on_flow_event(void *ctx, const struct khaxdp_flow_event *ev)
{
	struct agent_sync *s = ctx;
	struct sync_record r = { .ev = *ev };

	sync_queue(&s->tx, ev_now(), &r);
}

static void on_events(void *ctx)
{
	struct agent_sync *s = ctx;

	if (dp_flows_poll(&s->dp) < 0)
		kx_warn("sync: %s", kx_last_error());
	arm_tx(s);
}

/* ---- receiving ------------------------------------------------------------ */

static struct sync_peer *peer_of(struct agent_sync *s, uint32_t addr)
{
	for (unsigned int i = 0; i < s->n_peers; i++)
		if (s->peers[i].addr == addr)
			return &s->peers[i];
	return NULL;
}

static void take_record(struct agent_sync *s, struct sync_peer *p,
			const struct sync_record *r)
{
	enum kx_adopt out;
	bool deleted;

	if (!s->dp.opened) {
		p->refused++;
		return;
	}
	if (r->ev.type == SYNC_OP_CLOSE) {
		if (dp_flows_forget(&s->dp, &r->ev.key, &deleted))
			kx_warn("sync: %s", kx_last_error());
		p->closed += deleted;
		return;
	}
	if (dp_flows_adopt(&s->dp, &r->ev, r->idle_ms, &out)) {
		kx_warn("sync: %s", kx_last_error());
		p->refused++;
		return;
	}
	switch (out) {
	case KX_ADOPT_INSTALLED:
		p->installed++;
		break;
	case KX_ADOPT_REFRESHED:
		p->refreshed++;
		break;
	case KX_ADOPT_SELF:
	case KX_ADOPT_OWN:
		p->known++;
		break;
	default:
		p->refused++;
		kx_debug("sync: flow refused: %s", kx_adopt_str(out));
		break;
	}
}

/* The TTL the datagram arrived with (IP_RECVTTL), -1 when not said. */
static int rx_ttl(struct msghdr *mh)
{
	struct cmsghdr *c;
	int ttl;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) {
			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
			return ttl;
		}
	return -1;
}

static void on_readable(void *ctx)
{
	struct agent_sync *s = ctx;
	static struct sync_msg msg;
	uint8_t buf[SYNC_MAX_MSG + 1];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct sockaddr_in from;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_name = &from, .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = control.buf };
	struct sync_peer *p;
	enum sync_rx r;
	ssize_t n;

	for (;;) {
		mh.msg_namelen = sizeof(from);
		mh.msg_controllen = sizeof(control.buf);
		n = recvmsg(s->sock, &mh, MSG_DONTWAIT);
		if (n < 0)
			break;
		if (rx_ttl(&mh) != 255) {
			s->rx_drop[SYNC_RX_TTL]++;
			continue;
		}
		p = peer_of(s, from.sin_addr.s_addr);
		if (!p) {
			s->rx_drop[SYNC_RX_NOT_PEER]++;
			continue;
		}
		r = sync_msg_parse(buf, (size_t)n, &s->conf.key, &msg);
		if (r == SYNC_RX_OK)
			r = sync_peer_accept(p, &msg, ev_now());
		if (r != SYNC_RX_OK) {
			p->rx_drop[r]++;
			s->rx_drop[r]++;
			continue;
		}
		for (unsigned int i = 0; i < msg.n; i++)
			take_record(s, p, &msg.rec[i]);
	}
}

/* ---- clients of a gone node --------------------------------------------------- */

static uint16_t csum_fold(uint32_t sum)
{
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t csum_add(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	return sum;
}

/* The probe's TCP header: an ACK from the VIP's port to the client's,
 * with a sequence number half the space away from anything it could
 * expect: outside its window, so it answers with an ACK. */
static struct tcphdr probe_tcp(const struct khaxdp_flow_key *key, uint32_t seq)
{
	struct tcphdr tcp;

	memset(&tcp, 0, sizeof(tcp));
	tcp.source = key->dport;
	tcp.dest = key->sport;
	tcp.seq = htonl(seq);
	tcp.ack_seq = htonl(seq ^ 0x80000000u);
	tcp.doff = 5;
	tcp.ack = 1;
	return tcp;
}

/* The IPv6 probe: the same ACK, its checksum over IPv6's pseudo-header
 * (IPPROTO_RAW on an IPv6 socket: the header is ours too). */
static void probe_client6(struct agent_sync *s, const struct khaxdp_flow_key *key,
			  uint32_t seq)
{
	struct {
		struct ip6_hdr ip6;
		struct tcphdr tcp;
	} __attribute__((packed)) pkt;
	struct {
		struct in6_addr saddr, daddr;
		uint32_t len;
		uint8_t zero[3], next;
	} __attribute__((packed)) pseudo;
	struct sockaddr_in6 to = { .sin6_family = AF_INET6 };

	memset(&pkt, 0, sizeof(pkt));
	pkt.ip6.ip6_flow = htonl(6u << 28);
	pkt.ip6.ip6_plen = htons(sizeof(pkt.tcp));
	pkt.ip6.ip6_nxt = IPPROTO_TCP;
	pkt.ip6.ip6_hlim = 64;
	memcpy(&pkt.ip6.ip6_src, &key->dst, 16);	/* the VIP */
	memcpy(&pkt.ip6.ip6_dst, &key->src, 16);	/* the client */
	memcpy(&to.sin6_addr, &key->src, 16);
	pkt.tcp = probe_tcp(key, seq);
	memset(&pseudo, 0, sizeof(pseudo));
	pseudo.saddr = pkt.ip6.ip6_src;
	pseudo.daddr = pkt.ip6.ip6_dst;
	pseudo.len = htonl(sizeof(pkt.tcp));
	pseudo.next = IPPROTO_TCP;
	pkt.tcp.check = htons(csum_fold(csum_add(&pkt.tcp, sizeof(pkt.tcp),
						 csum_add(&pseudo, sizeof(pseudo), 0))));
	if (sendto(s->raw6, &pkt, sizeof(pkt), MSG_DONTWAIT,
		   (struct sockaddr *)&to, sizeof(to)) == sizeof(pkt))
		s->probes++;
}

static void probe_client(void *ctx, const struct khaxdp_flow_key *key)
{
	struct agent_sync *s = ctx;
	struct {
		struct iphdr ip;
		struct tcphdr tcp;
	} __attribute__((packed)) pkt;
	struct {
		uint32_t saddr, daddr;
		uint8_t zero, proto;
		uint16_t len;
	} __attribute__((packed)) pseudo;
	struct sockaddr_in to = { .sin_family = AF_INET,
				  .sin_addr.s_addr = key->src.v4 };
	uint32_t seq;

	if (getrandom(&seq, sizeof(seq), GRND_NONBLOCK) != sizeof(seq))
		seq = (uint32_t)ev_now();
	if (key->family == KHAXDP_AF_INET6) {
		if (s->raw6 >= 0)
			probe_client6(s, key, seq);
		return;
	}
	if (s->raw < 0)
		return;
	memset(&pkt, 0, sizeof(pkt));
	pkt.ip.version = 4;
	pkt.ip.ihl = 5;
	pkt.ip.tot_len = htons(sizeof(pkt));
	pkt.ip.ttl = 64;
	pkt.ip.protocol = IPPROTO_TCP;
	pkt.ip.saddr = key->dst.v4;		/* the VIP */
	pkt.ip.daddr = key->src.v4;		/* the client */
	pkt.ip.check = htons(csum_fold(csum_add(&pkt.ip, sizeof(pkt.ip), 0)));
	pkt.tcp = probe_tcp(key, seq);
	pseudo.saddr = pkt.ip.saddr;
	pseudo.daddr = pkt.ip.daddr;
	pseudo.zero = 0;
	pseudo.proto = IPPROTO_TCP;
	pseudo.len = htons(sizeof(pkt.tcp));
	pkt.tcp.check = htons(csum_fold(csum_add(&pkt.tcp, sizeof(pkt.tcp),
						 csum_add(&pseudo, sizeof(pseudo), 0))));
	if (sendto(s->raw, &pkt, sizeof(pkt), MSG_DONTWAIT,
		   (struct sockaddr *)&to, sizeof(to)) == sizeof(pkt))
		s->probes++;
}

void agent_sync_reset_clients(struct agent_sync *s, uint32_t addr,
			      uint8_t family)
{
	char ip[INET_ADDRSTRLEN];
	int n;

	if (!s->running || !s->active || !s->dp.opened ||
	    (s->raw < 0 && s->raw6 < 0))
		return;
	n = dp_flows_to(&s->dp, addr, family, probe_client, s);
	if (n < 0)
		kx_warn("sync: flows to %s: %s", ip_str(addr, ip), kx_last_error());
	else if (n)
		kx_info("sync: %d %s flow%s to %s, whose node failed: their clients probed, to be answered with a RST",
			n, family == KHAXDP_AF_INET6 ? "IPv6" : "IPv4",
			n == 1 ? "" : "s", ip_str(addr, ip));
}

/* ---- the data plane --------------------------------------------------------- */

static void dp_close(struct agent_sync *s)
{
	ev_watch_del(s->loop, &s->rb_watch);
	dp_flows_close(&s->dp);
	if (s->snapping) {	/* what was walked is sent; the rest next time */
		sync_snapshot_end(&s->tx, ev_now());
		s->snapping = false;
	}
}

/* Open the flows table, or reopen it after a detach + attach. */
static void dp_follow(struct agent_sync *s)
{
	int err;

	if (s->dp.opened && dp_flows_current(&s->dp, s->bpffs))
		return;
	dp_close(s);
	err = dp_flows_open(&s->dp, s->bpffs, on_flow_event, s);
	if (!err)
		err = ev_watch_add(s->loop, &s->rb_watch,
				   dp_flows_events_fd(&s->dp), on_events, s);
	if (err) {
		if (strcmp(s->dp_error, kx_last_error()))
			kx_warn("sync: %s; flows are neither announced nor taken until it is attached",
				kx_last_error());
		snprintf(s->dp_error, sizeof(s->dp_error), "%s", kx_last_error());
		dp_close(s);
		return;
	}
	if (s->dp_error[0])
		kx_info("sync: data plane attached: flows announced and taken");
	s->dp_error[0] = '\0';
}

/* ---- state ------------------------------------------------------------------ */

void agent_sync_view(const struct agent_sync *s, struct stats_sync_view *v)
{
	memset(v, 0, sizeof(*v));
	v->enabled = s->running;
	if (!s->running)
		return;
	v->port = s->conf.port;
	v->auth = s->conf.key.len > 0;
	v->sending = s->active;
	v->attached = s->dp.opened;
	v->epoch = s->tx.epoch;
	v->msgs_sent = s->tx.msgs;
	v->events_sent = s->tx.events_sent;
	v->snapshots = s->tx.snapshots;
	v->snapshot_flows = s->tx.snapshot_flows;
	v->lag_ms = s->tx.lag_ns / NS_PER_MS;
	v->max_lag_ms = s->tx.max_lag_ns / NS_PER_MS;
	v->send_errors = s->send_errors;
	memcpy(v->rx_drop, s->rx_drop, sizeof(v->rx_drop));
	v->n_peers = s->n_peers < STATS_MAX_SYNC_PEERS ? s->n_peers :
							 STATS_MAX_SYNC_PEERS;
	memcpy(v->peers, s->peers, v->n_peers * sizeof(v->peers[0]));
	v->now_ns = ev_now();
}

/* The file `khaxdp status` reads, replaced whole (rename). */
static void write_state(const struct agent_sync *s,
			const struct stats_sync_view *v)
{
	char tmp[PATH_MAX + 8], dir[PATH_MAX];
	char *slash;
	FILE *f;

	snprintf(dir, sizeof(dir), "%s", s->conf.state_file);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);	/* /run/khaxdp: may exist already */
	}
	snprintf(tmp, sizeof(tmp), "%s.tmp", s->conf.state_file);
	f = fopen(tmp, "we");
	if (!f)
		return;
	stats_render_sync_state(v, f);
	if (fclose(f) || rename(tmp, s->conf.state_file))
		unlink(tmp);
}

static void on_tick(void *ctx, uint64_t now)
{
	struct agent_sync *s = ctx;
	struct stats_sync_view v;

	dp_follow(s);
	agent_sync_view(s, &v);
	write_state(s, &v);
	if (s->publish)
		s->publish(s->publish_ctx, &v);
	ev_timer_arm(s->loop, &s->tick, now + TICK_NS);
}

/* ---- set-up ---------------------------------------------------------------- */

static bool is_local_address(uint32_t addr)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	if (getifaddrs(&ifa))
		return false;
	for (i = ifa; i && !found; i = i->ifa_next)
		found = i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
			((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr == addr;
	freeifaddrs(ifa);
	return found;
}

static int open_socket(struct agent_sync *s)
{
	struct sockaddr_in sa = { .sin_family = AF_INET,
				  .sin_port = htons(s->conf.port) };
	int ttl = 255, one = 1;

	s->sock = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->sock < 0)
		return kx_fail(-errno, "sync: socket: %s", strerror(errno));
	if (setsockopt(s->sock, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) ||
	    setsockopt(s->sock, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one)) ||
	    setsockopt(s->sock, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		return kx_fail(-errno, "sync: setsockopt: %s", strerror(errno));
	if (bind(s->sock, (struct sockaddr *)&sa, sizeof(sa)))
		return kx_fail(-errno, "sync: bind to port %u: %s", s->conf.port,
			       strerror(errno));
	/* Send only (IPPROTO_RAW: the header is ours, nothing is received). */
	s->raw = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			IPPROTO_RAW);
	if (s->raw < 0)
		kx_warn("sync: raw socket: %s: idle clients of a failed node are not probed",
			strerror(errno));
	s->raw6 = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
			 IPPROTO_RAW);
	if (s->raw6 < 0)
		kx_warn("sync: raw IPv6 socket: %s: idle IPv6 clients of a failed node are not probed",
			strerror(errno));
	return ev_watch_add(s->loop, &s->sock_watch, s->sock, on_readable, s);
}

/* CLOCK_REALTIME in us: a restarted agent has a larger epoch. */
static uint64_t new_epoch(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000 + (uint64_t)ts.tv_nsec / 1000;
}

int agent_sync_start(struct agent_sync *s, struct ev_loop *l,
		     const struct vrrp_config *conf,
		     agent_sync_publish_fn publish, void *ctx)
{
	const struct vrrp_sync_conf *c = &conf->sync;
	char ip[INET_ADDRSTRLEN], list[VRRP_MAX_PEERS * 17] = "";
	size_t len = 0;
	uint64_t now = ev_now();
	int err;

	memset(s, 0, sizeof(*s));
	s->loop = l;
	s->sock = s->raw = s->raw6 = -1;
	s->sock_watch.fd = s->rb_watch.fd = -1;
	s->publish = publish;
	s->publish_ctx = ctx;
	if (!c->enabled)
		return 0;
	s->conf = *c;
	snprintf(s->bpffs, sizeof(s->bpffs), "%s", conf->bpffs);
	for (unsigned int i = 0; i < c->n_peers; i++) {
		if (is_local_address(c->peers[i]))
			continue;	/* this node: a server of its own service */
		s->peers[s->n_peers++].addr = c->peers[i];
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					len ? " " : "", ip_str(c->peers[i], ip));
	}
	ev_timer_init(&s->tx_timer, on_tx_timer, s);
	ev_timer_init(&s->tick, on_tick, s);
	sync_sender_init(&s->tx, new_epoch(), now,
			 (uint64_t)c->batch_ms * NS_PER_MS,
			 (uint64_t)c->snapshot_ms * NS_PER_MS, &s->conf.key,
			 send_to_peers, s);
	err = open_socket(s);
	if (err) {
		agent_sync_stop(s);
		return err;
	}
	s->running = true;
	kx_info("sync: port %u, peers %s, %s, batches of %u ms, a snapshot every %u ms",
		c->port, s->n_peers ? list : "(none but this node)",
		c->key.len ? "HMAC-SHA256" : "no key", c->batch_ms,
		c->snapshot_ms);
	on_tick(s, now);
	arm_tx(s);
	return 0;
}

void agent_sync_flush(struct agent_sync *s)
{
	if (!s->running)
		return;
	if (s->dp.opened)
		dp_flows_poll(&s->dp);
	sync_flush(&s->tx, ev_now());
}

void agent_sync_set_active(struct agent_sync *s, bool active)
{
	if (!s->running || s->active == active)
		return;
	s->active = active;
	if (!active) {
		/* What the new holder must know, now: the last events, the
		 * handshakes under way (their ACK may reach it first) and the
		 * whole table (also what it missed while partitioned). */
		agent_sync_flush(s);
		if (s->dp.opened &&
		    dp_half_open_announce(&s->dp, queue_half, s) < 0)
			kx_warn("sync: half-open flows: %s", kx_last_error());
		sync_flush(&s->tx, ev_now());
		snapshot(s, ev_now());
	}
	arm_tx(s);
}

void agent_sync_stop(struct agent_sync *s)
{
	if (s->running)
		unlink(s->conf.state_file);
	ev_timer_cancel(s->loop, &s->tx_timer);
	ev_timer_cancel(s->loop, &s->tick);
	ev_watch_del(s->loop, &s->sock_watch);
	dp_close(s);
	if (s->sock >= 0)
		close(s->sock);
	if (s->raw >= 0)
		close(s->raw);
	if (s->raw6 >= 0)
		close(s->raw6);
	s->sock = s->raw = s->raw6 = -1;
	s->running = false;
}

void agent_sync_reload(struct agent_sync *s, const struct vrrp_config *conf)
{
	bool active = s->active;

	if (s->running == conf->sync.enabled &&
	    (!s->running || !memcmp(&s->conf, &conf->sync, sizeof(s->conf))))
		return;
	kx_info("sync: [sync] changed: restarting it");
	agent_sync_stop(s);
	if (agent_sync_start(s, s->loop, conf, s->publish, s->publish_ctx))
		kx_warn("sync: %s", kx_last_error());
	agent_sync_set_active(s, active);
}
