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

/* ---- sending ------------------------------------------------------------- */

/* A peer's address and the sync port as a socket address; its length. */
static socklen_t peer_sockaddr(const struct agent_sync *s,
			       const struct vrrp_ip *ip,
			       struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (ip->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(s->conf.port);
		memcpy(&s6->sin6_addr, ip->a, sizeof(s6->sin6_addr));
		return sizeof(*s6);
	}
	((struct sockaddr_in *)ss)->sin_family = AF_INET;
	((struct sockaddr_in *)ss)->sin_port = htons(s->conf.port);
	memcpy(&((struct sockaddr_in *)ss)->sin_addr, ip->a, 4);
	return sizeof(struct sockaddr_in);
}

static void send_to_peers(void *ctx, const uint8_t *msg, size_t len)
{
	struct agent_sync *s = ctx;
	struct sockaddr_storage to;
	char ip[VRRP_IP_STRLEN];
	socklen_t to_len;
	int fd;

	for (unsigned int i = 0; i < s->n_peers; i++) {
		to_len = peer_sockaddr(s, &s->peers[i].addr, &to);
		fd = s->peers[i].addr.family == AF_INET6 ? s->sock6 : s->sock;
		if (sendto(fd, msg, len, MSG_DONTWAIT, (struct sockaddr *)&to,
			   to_len) < 0 &&
		    !s->send_errors++)
			kx_warn("sync: send to %s: %s (counted from now on)",
				vrrp_ip_str(&s->peers[i].addr, ip),
				strerror(errno));
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

/* The active node's snapshot is its whole table; a standby's the flows
 * its own backend serves for the active node (their handshakes checked
 * here, which is what confirms them there). */
static void snapshot_begin(struct agent_sync *s, uint64_t now, bool whole)
{
	sync_snapshot_begin(&s->tx, now);
	s->snapping = true;
	if (s->dp.opened && dp_flows_announce_begin(&s->dp, !whole))
		kx_warn("sync: snapshot: %s", kx_last_error());
}

/* The whole table now (leaving active). */
static void snapshot(struct agent_sync *s, uint64_t now)
{
	if (!s->snapping)
		snapshot_begin(s, now, true);
	snapshot_step(s, now, UINT32_MAX);
}

static void on_tx_timer(void *ctx, uint64_t now)
{
	struct agent_sync *s = ctx;

	if (sync_sender_timer(&s->tx, now) && !s->snapping)
		snapshot_begin(s, now, s->active);
	if (s->snapping)
		snapshot_step(s, now, SNAPSHOT_SLICE);
	arm_tx(s);
}

/* A flow event of the data plane: of its flows while this node is active,
 * and of those its backend serves for the active node. */
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

static struct sync_peer *peer_of(struct agent_sync *s,
				 const struct vrrp_ip *addr)
{
	for (unsigned int i = 0; i < s->n_peers; i++)
		if (vrrp_ip_eq(&s->peers[i].addr, addr))
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
	case KX_ADOPT_CONFIRMED:
		p->confirmed++;
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

/* The TTL or hop limit the datagram arrived with (IP_RECVTTL,
 * IPV6_RECVHOPLIMIT), -1 when not said. */
static int rx_ttl(struct msghdr *mh)
{
	struct cmsghdr *c;
	int ttl;

	for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c))
		if ((c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_TTL) ||
		    (c->cmsg_level == IPPROTO_IPV6 &&
		     c->cmsg_type == IPV6_HOPLIMIT)) {
			memcpy(&ttl, CMSG_DATA(c), sizeof(ttl));
			return ttl;
		}
	return -1;
}

/* The address of an AF_INET or AF_INET6 socket address (copied out:
 * getifaddrs() does not align them for sockaddr_storage). */
static struct vrrp_ip from_ip(const struct sockaddr *sa)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;

	if (sa->sa_family == AF_INET6) {
		memcpy(&s6, sa, sizeof(s6));
		return vrrp_ip6(&s6.sin6_addr);
	}
	memcpy(&s4, sa, sizeof(s4));
	return vrrp_ip4(s4.sin_addr.s_addr);
}

static void receive(struct agent_sync *s, int fd)
{
	static struct sync_msg msg;
	uint8_t buf[SYNC_MAX_MSG + 1];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct sockaddr_storage from;
	struct iovec iov = { .iov_base = buf, .iov_len = sizeof(buf) };
	struct msghdr mh = { .msg_name = &from, .msg_iov = &iov,
			     .msg_iovlen = 1, .msg_control = control.buf };
	struct sync_peer *p;
	struct vrrp_ip addr;
	enum sync_rx r;
	ssize_t n;

	for (;;) {
		mh.msg_namelen = sizeof(from);
		mh.msg_controllen = sizeof(control.buf);
		n = recvmsg(fd, &mh, MSG_DONTWAIT);
		if (n < 0)
			break;
		if (rx_ttl(&mh) != 255) {
			s->rx_drop[SYNC_RX_TTL]++;
			continue;
		}
		addr = from_ip((const struct sockaddr *)&from);
		p = peer_of(s, &addr);
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

static void on_readable(void *ctx)
{
	struct agent_sync *s = ctx;

	receive(s, s->sock);
}

static void on_readable6(void *ctx)
{
	struct agent_sync *s = ctx;

	receive(s, s->sock6);
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

void agent_sync_reset_clients(struct agent_sync *s, uint8_t family,
			      const union khaxdp_addr *addr)
{
	char ip[INET6_ADDRSTRLEN];
	int n;

	if (!s->running || !s->active || !s->dp.opened ||
	    (s->raw < 0 && s->raw6 < 0))
		return;
	inet_ntop(family, addr, ip, sizeof(ip));
	n = dp_flows_to(&s->dp, family, addr, probe_client, s);
	if (n < 0)
		kx_warn("sync: flows to %s: %s", ip, kx_last_error());
	else if (n)
		kx_info("sync: %d flow%s to %s, whose node failed: their clients probed, to be answered with a RST",
			n, n == 1 ? "" : "s", ip);
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
	/* The data plane holds DSR flows for their serving node's word only
	 * while flow sync runs to bring it (again after an attach). */
	if (s->dp.opened &&
	    kx_node_set_flag(&s->dp.maps, KHAXDP_NODE_DSR_CONFIRM, true))
		kx_warn("sync: %s", kx_last_error());
	agent_sync_view(s, &v);
	write_state(s, &v);
	if (s->publish)
		s->publish(s->publish_ctx, &v);
	ev_timer_arm(s->loop, &s->tick, now + TICK_NS);
}

/* ---- set-up ---------------------------------------------------------------- */

static bool is_local_address(const struct vrrp_ip *addr)
{
	struct ifaddrs *ifa, *i;
	struct vrrp_ip a;
	bool found = false;

	if (getifaddrs(&ifa))
		return false;
	for (i = ifa; i && !found; i = i->ifa_next) {
		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET &&
				     i->ifa_addr->sa_family != AF_INET6))
			continue;
		a = from_ip(i->ifa_addr);
		found = vrrp_ip_eq(&a, addr);
	}
	freeifaddrs(ifa);
	return found;
}

/* The UDP socket of one family on the sync port: TTL (hop limit) 255 out,
 * the received one read per datagram. IPv6 only on the IPv6 socket, so
 * that both bind the port. */
static int open_udp(struct agent_sync *s, int family, int *fd,
		    struct ev_watch *w, void (*fn)(void *))
{
	struct sockaddr_storage ss;
	struct vrrp_ip any = { .family = (uint8_t)family };
	int ttl = 255, one = 1, err;
	socklen_t len = peer_sockaddr(s, &any, &ss);

	*fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (*fd < 0)
		return kx_fail(-errno, "sync: %s socket: %s",
			       family == AF_INET6 ? "IPv6" : "IPv4",
			       strerror(errno));
	if (family == AF_INET6)
		err = setsockopt(*fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) ||
		      setsockopt(*fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &ttl, sizeof(ttl)) ||
		      setsockopt(*fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &one, sizeof(one));
	else
		err = setsockopt(*fd, IPPROTO_IP, IP_TTL, &ttl, sizeof(ttl)) ||
		      setsockopt(*fd, IPPROTO_IP, IP_RECVTTL, &one, sizeof(one));
	if (err || setsockopt(*fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)))
		return kx_fail(-errno, "sync: setsockopt: %s", strerror(errno));
	if (bind(*fd, (struct sockaddr *)&ss, len))
		return kx_fail(-errno, "sync: bind to %s port %u: %s",
			       family == AF_INET6 ? "IPv6" : "IPv4",
			       s->conf.port, strerror(errno));
	return ev_watch_add(s->loop, w, *fd, fn, s);
}

static int open_socket(struct agent_sync *s)
{
	bool v4 = false, v6 = false;
	int err = 0;

	for (unsigned int i = 0; i < s->conf.n_peers; i++) {
		v4 |= s->conf.peers[i].family == AF_INET;
		v6 |= s->conf.peers[i].family == AF_INET6;
	}
	if (v4)
		err = open_udp(s, AF_INET, &s->sock, &s->sock_watch, on_readable);
	if (!err && v6)
		err = open_udp(s, AF_INET6, &s->sock6, &s->sock6_watch,
			       on_readable6);
	if (err)
		return err;
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
	return 0;
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
	char ip[VRRP_IP_STRLEN], list[VRRP_MAX_PEERS * VRRP_IP_STRLEN] = "";
	size_t len = 0;
	uint64_t now = ev_now();
	int err;

	memset(s, 0, sizeof(*s));
	s->loop = l;
	s->sock = s->sock6 = s->raw = s->raw6 = -1;
	s->sock_watch.fd = s->sock6_watch.fd = s->rb_watch.fd = -1;
	s->publish = publish;
	s->publish_ctx = ctx;
	if (!c->enabled)
		return 0;
	s->conf = *c;
	snprintf(s->bpffs, sizeof(s->bpffs), "%s", conf->bpffs);
	for (unsigned int i = 0; i < c->n_peers; i++) {
		if (is_local_address(&c->peers[i]))
			continue;	/* this node: a server of its own service */
		s->peers[s->n_peers++].addr = c->peers[i];
		len += (size_t)snprintf(list + len, sizeof(list) - len, "%s%s",
					len ? " " : "",
					vrrp_ip_str(&c->peers[i], ip));
	}
	ev_timer_init(&s->tx_timer, on_tx_timer, s);
	ev_timer_init(&s->tick, on_tick, s);
	sync_sender_init(&s->tx, new_epoch(), now,
			 (uint64_t)c->batch_ms * NS_PER_MS,
			 (uint64_t)c->snapshot_ms * NS_PER_MS, &s->conf.key,
			 send_to_peers, s);
	s->tx.standby = true;	/* until agent_sync_set_active() */
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

bool agent_sync_last_sender(const struct agent_sync *s, struct vrrp_ip *out)
{
	const struct sync_peer *last = NULL;
	uint64_t now = ev_now();

	for (unsigned int i = 0; s->running && i < s->n_peers; i++)
		if (s->peers[i].active_ns &&
		    (!last || s->peers[i].active_ns > last->active_ns))
			last = &s->peers[i];
	if (!last ||
	    now - last->active_ns > 2ull * s->conf.snapshot_ms * NS_PER_MS)
		return false;
	*out = last->addr;
	return true;
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
	s->tx.standby = false;
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
		/* From now on what it sends is what it serves. */
		s->tx.standby = true;
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
	ev_watch_del(s->loop, &s->sock6_watch);
	/* Nobody confirms DSR flows any more: the node that balances confirms
	 * them on their client's ACK again (it does the waiting ones at their
	 * next packet). */
	if (s->dp.opened &&
	    kx_node_set_flag(&s->dp.maps, KHAXDP_NODE_DSR_CONFIRM, false))
		kx_warn("sync: %s", kx_last_error());
	dp_close(s);
	if (s->sock >= 0)
		close(s->sock);
	if (s->sock6 >= 0)
		close(s->sock6);
	if (s->raw >= 0)
		close(s->raw);
	if (s->raw6 >= 0)
		close(s->raw6);
	s->sock = s->sock6 = s->raw = s->raw6 = -1;
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
