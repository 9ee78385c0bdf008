// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * health.c - backend health checks: sockets and OpenSSL in non-blocking
 * mode under one epoll set, the rise/fall verdicts of health_sm.c, and the
 * backends map of the data plane (see health.h for the takeover rules).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "dataplane.h"
#include "health.h"
#include "loader/util.h"

#ifndef IP_LOCAL_PORT_RANGE
#define IP_LOCAL_PORT_RANGE 51	/* Linux 6.3 */
#endif

/* How often the map is brought in line with the verdicts. */
#define SYNC_INTERVAL_MS	1000
#define MAX_EVENTS		32

enum phase {
	PHASE_IDLE,
	PHASE_CONNECT,
	PHASE_TLS,
	PHASE_SEND,
	PHASE_RECV,
};

struct hc_backend {
	char service[KHAXDP_NAME_LEN];
	char name[KHAXDP_NAME_LEN];
	char label[2 * KHAXDP_NAME_LEN + KX_ENDPOINT_STRLEN + 8];
	struct kx_endpoint ep;
	struct kx_check check;
	struct health_sm sm;

	enum phase phase;
	int fd;
	SSL *ssl;
	char req[KX_CHECK_PATH_LEN + 160];
	size_t req_len;
	char resp[256];
	size_t resp_len;
};

struct health {
	char bpffs[PATH_MAX];
	int epfd;
	int timerfd;
	SSL_CTX *ssl_ctx;
	uint16_t port_lo, port_hi;	/* local ports outside snat_ports */
	pthread_mutex_t lock;		/* the backends, for health_snapshot() */
	unsigned int n;
	struct hc_backend *b;
	uint64_t next_sync_ms;
	bool attached;			/* the last sync found the maps */
	char sync_error[512];		/* the last one logged, to log it once */
	health_gone_fn on_gone;
	void *on_gone_ctx;
};

/* An epoll tag no backend pointer can have. */
static char timer_tag;

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- the data plane --------------------------------------------------- */

/* Log a sync problem once, not every second. */
static void sync_problem(struct health *h, const char *msg)
{
	if (!strcmp(h->sync_error, msg))
		return;
	snprintf(h->sync_error, sizeof(h->sync_error), "%s", msg);
	kx_warn("health: %s", msg);
}

static void sync_backend(struct health *h, struct dp_session *dp,
			 const struct hc_backend *b)
{
	int id = dp_view_find(dp->view, b->service, b->name);
	enum khaxdp_health want = b->sm.gone ? KHAXDP_HEALTH_GONE :
				  b->sm.up ? KHAXDP_HEALTH_UP :
					     KHAXDP_HEALTH_DOWN;

	if (id < 0 || dp->view->backends[id].health == want)
		return;
	if (dp_set_health(dp, id, want)) {
		sync_problem(h, kx_last_error());
		return;
	}
	kx_info("health: %s: data plane now %s", b->label, kx_health_str(want));
}

/*
 * Bring the map in line with the verdicts. The pins are opened afresh each
 * time, so a detach + attach (new maps) is noticed within a second.
 */
static void sync_maps(struct health *h)
{
	static struct dp_view v;	/* 12 KiB; one main loop uses it */
	struct dp_session dp;
	char msg[400];
	int err;

	err = dp_session_begin(&dp, h->bpffs, &v);
	if (!dp.opened) {
		if (h->attached || !h->sync_error[0]) {
			snprintf(msg, sizeof(msg), "%.300s; checks go on, health is written once it is attached",
				 kx_last_error());
			sync_problem(h, msg);
		}
		h->attached = false;
		return;
	}
	if (!h->attached)
		h->sync_error[0] = '\0';
	h->attached = true;
	if (err == -EWOULDBLOCK) {
		/* A khaxdp command holds the pins: never wait for it, try
		 * again soon (the verdicts are kept meanwhile). */
		kx_debug("health: %s", kx_last_error());
		h->next_sync_ms = now_ms() + 100;
	} else if (err) {
		sync_problem(h, kx_last_error());
	} else {
		for (unsigned int i = 0; i < h->n; i++)
			if (h->b[i].check.kind != KX_CHECK_NONE)
				sync_backend(h, &dp, &h->b[i]);
	}
	dp_session_end(&dp);
}

/* ---- one check ---------------------------------------------------------- */

static void close_probe(struct health *h, struct hc_backend *b)
{
	if (b->ssl) {
		SSL_shutdown(b->ssl);	/* one try at close_notify, no wait */
		SSL_free(b->ssl);
		b->ssl = NULL;
	}
	if (b->fd >= 0) {
		epoll_ctl(h->epfd, EPOLL_CTL_DEL, b->fd, NULL);
		close(b->fd);
		b->fd = -1;
	}
	b->phase = PHASE_IDLE;
}

static void log_change(const struct hc_backend *b, enum health_change change)
{
	char why[160];

	hc_outcome_str(&b->sm.last, why, sizeof(why));
	if (change == HEALTH_WENT_DOWN && b->sm.gone)
		kx_info("health: %s is DOWN and its node gone: %s after it stopped advertising (its flows are reset)",
			b->label, why);
	else if (change == HEALTH_WENT_DOWN)
		kx_info("health: %s is DOWN: %s (%u failed checks in a row)",
			b->label, why, b->sm.fall);
	else
		kx_info("health: %s is UP: %s (%u good checks in a row)",
			b->label, why, b->sm.rise);
}

static void finish(struct health *h, struct hc_backend *b,
		   const struct hc_outcome *out)
{
	enum health_change change;
	char why[160];

	close_probe(h, b);
	change = health_sm_finish(&b->sm, now_ms(), out);
	if (!hc_outcome_ok(out))
		kx_debug("health: %s: check failed: %s", b->label,
			 hc_outcome_str(out, why, sizeof(why)));
	if (change == HEALTH_SAME)
		return;
	log_change(b, change);
	sync_maps(h);
	if (change == HEALTH_WENT_DOWN && b->sm.gone && h->on_gone)
		h->on_gone(h->on_gone_ctx, b->ep.family, &b->ep.addr);
}

static void finish_result(struct health *h, struct hc_backend *b,
			  enum hc_result result, int status, int err)
{
	struct hc_outcome out = { .result = result, .status = status,
				  .err = err };

	finish(h, b, &out);
}

/* A TLS failure, with OpenSSL's reason when it gave one. */
static void finish_tls(struct health *h, struct hc_backend *b,
		       const char *fallback)
{
	struct hc_outcome out = { .result = HC_TLS };
	unsigned long e = ERR_peek_last_error();
	const char *reason = e ? ERR_reason_error_string(e) : NULL;

	snprintf(out.detail, sizeof(out.detail), "%s",
		 reason ? reason : fallback);
	ERR_clear_error();
	finish(h, b, &out);
}

static int watch(struct health *h, struct hc_backend *b, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.ptr = b };

	if (!epoll_ctl(h->epfd, EPOLL_CTL_MOD, b->fd, &ev))
		return 0;
	if (errno == ENOENT && !epoll_ctl(h->epfd, EPOLL_CTL_ADD, b->fd, &ev))
		return 0;
	finish_result(h, b, HC_IO, 0, errno);
	return -1;
}

/* Keep the checks' source ports out of snat_ports: a reply to a check on
 * a port the data plane also uses for NAT would be taken by XDP. */
static void avoid_snat_ports(const struct health *h, int fd)
{
	uint32_t range = (uint32_t)h->port_hi << 16 | h->port_lo;

	if (h->port_lo)
		setsockopt(fd, IPPROTO_IP, IP_LOCAL_PORT_RANGE, &range,
			   sizeof(range));	/* best effort: Linux >= 6.3 */
}

static void on_connected(struct health *h, struct hc_backend *b);

static void start_check(struct health *h, struct hc_backend *b, uint64_t now)
{
	struct sockaddr_storage ss;
	socklen_t len = kx_endpoint_sockaddr(&b->ep, &ss);

	health_sm_start(&b->sm, now);
	b->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC,
		       0);
	if (b->fd < 0)
		return finish_result(h, b, HC_IO, 0, errno);
	avoid_snat_ports(h, b->fd);
	b->phase = PHASE_CONNECT;
	if (!connect(b->fd, (struct sockaddr *)&ss, len))
		return on_connected(h, b);
	if (errno == EINPROGRESS) {
		watch(h, b, EPOLLOUT);
		return;
	}
	finish_result(h, b, errno == ECONNREFUSED ? HC_REFUSED : HC_CONNECT,
		      0, errno);
}

static void step_tls(struct health *h, struct hc_backend *b);

static void on_connected(struct health *h, struct hc_backend *b)
{
	char host[INET6_ADDRSTRLEN], hostport[KX_ENDPOINT_STRLEN];

	if (b->check.kind == KX_CHECK_TCP)
		return finish_result(h, b, HC_OK, 0, 0);
	ERR_clear_error();
	b->ssl = SSL_new(h->ssl_ctx);
	if (!b->ssl || !SSL_set_fd(b->ssl, b->fd))
		return finish_tls(h, b, "cannot set up a TLS session");
	/* SNI = the server's address, as haproxy's 'check-sni' would send;
	 * Host: ADDR:PORT, [ADDR]:PORT for IPv6 (RFC 9110). */
	inet_ntop(b->ep.family == KHAXDP_AF_INET6 ? AF_INET6 : AF_INET,
		  &b->ep.addr, host, sizeof(host));
	SSL_set_tlsext_host_name(b->ssl, host);
	SSL_set_connect_state(b->ssl);
	kx_endpoint_str(&b->ep, hostport, sizeof(hostport));
	b->req_len = (size_t)snprintf(b->req, sizeof(b->req),
		"GET %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: khaxdp-vrrpd\r\n"
		"Accept: */*\r\nConnection: close\r\n\r\n",
		b->check.path, hostport);
	b->resp_len = 0;
	b->phase = PHASE_TLS;
	step_tls(h, b);
}

static void check_connect(struct health *h, struct hc_backend *b)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(b->fd, SOL_SOCKET, SO_ERROR, &err, &len))
		err = errno;
	if (!err)
		return on_connected(h, b);
	finish_result(h, b, err == ECONNREFUSED ? HC_REFUSED : HC_CONNECT, 0,
		      err);
}

/*
 * After an SSL call that did not complete: wait for what it wants, or
 * report why it failed. what: "handshake", "send", "receive".
 */
static void ssl_wait(struct health *h, struct hc_backend *b, int ret,
		     const char *what)
{
	char msg[64];

	switch (SSL_get_error(b->ssl, ret)) {
	case SSL_ERROR_WANT_READ:
		watch(h, b, EPOLLIN);
		return;
	case SSL_ERROR_WANT_WRITE:
		watch(h, b, EPOLLOUT);
		return;
	case SSL_ERROR_ZERO_RETURN:
	case SSL_ERROR_SYSCALL:
		if (b->phase == PHASE_RECV)
			return finish_result(h, b, HC_CLOSED, 0, 0);
		snprintf(msg, sizeof(msg), "connection closed during %s", what);
		return finish_tls(h, b, msg);
	default:
		snprintf(msg, sizeof(msg), "%s failed", what);
		return finish_tls(h, b, msg);
	}
}

/* "HTTP/1.1 200 OK": only a 2xx status is a success. */
static void parse_status(struct health *h, struct hc_backend *b)
{
	int status = 0;
	char *eol;

	b->resp[b->resp_len] = '\0';
	eol = strstr(b->resp, "\r\n");
	if (!eol) {
		if (b->resp_len == sizeof(b->resp) - 1)
			finish_result(h, b, HC_BAD_RESPONSE, 0, 0);
		else
			watch(h, b, EPOLLIN);
		return;
	}
	if (strncmp(b->resp, "HTTP/1.", 7) ||
	    sscanf(b->resp + 7, "%*1[0-9] %3d", &status) != 1 ||
	    status < 100 || status > 599)
		return finish_result(h, b, HC_BAD_RESPONSE, 0, 0);
	finish_result(h, b, status >= 200 && status < 300 ? HC_OK :
		      HC_HTTP_STATUS, status, 0);
}

static void step_tls(struct health *h, struct hc_backend *b)
{
	int ret;

	ERR_clear_error();
	if (b->phase == PHASE_TLS) {
		ret = SSL_do_handshake(b->ssl);
		if (ret != 1)
			return ssl_wait(h, b, ret, "handshake");
		b->phase = PHASE_SEND;
	}
	if (b->phase == PHASE_SEND) {
		/* Without partial writes SSL_write sends all of it or
		 * must be called again with the same arguments. */
		ret = SSL_write(b->ssl, b->req, (int)b->req_len);
		if (ret <= 0)
			return ssl_wait(h, b, ret, "send");
		b->phase = PHASE_RECV;
	}
	ret = SSL_read(b->ssl, b->resp + b->resp_len,
		       (int)(sizeof(b->resp) - 1 - b->resp_len));
	if (ret <= 0)
		return ssl_wait(h, b, ret, "receive");
	b->resp_len += (size_t)ret;
	parse_status(h, b);
}

static void on_event(struct health *h, struct hc_backend *b, uint32_t events)
{
	(void)events;	/* errors show in SO_ERROR or in the next SSL call */
	if (b->phase == PHASE_CONNECT)
		check_connect(h, b);
	else if (b->phase != PHASE_IDLE)
		step_tls(h, b);
}

/* ---- the schedule -------------------------------------------------------- */

static void arm_timer(struct health *h)
{
	uint64_t next = h->next_sync_ms;
	struct itimerspec its = {};

	for (unsigned int i = 0; i < h->n; i++) {
		const struct hc_backend *b = &h->b[i];

		if (b->check.kind != KX_CHECK_NONE &&
		    health_sm_deadline(&b->sm) < next)
			next = health_sm_deadline(&b->sm);
	}
	its.it_value.tv_sec = (time_t)(next / 1000);
	its.it_value.tv_nsec = (long)(next % 1000) * 1000000 + 1;
	timerfd_settime(h->timerfd, TFD_TIMER_ABSTIME, &its, NULL);
}

static void run_schedule(struct health *h)
{
	uint64_t now = now_ms();

	for (unsigned int i = 0; i < h->n; i++) {
		struct hc_backend *b = &h->b[i];

		if (b->check.kind == KX_CHECK_NONE)
			continue;
		if (health_sm_expired(&b->sm, now))
			finish_result(h, b, HC_TIMEOUT, 0, 0);
		if (health_sm_due(&b->sm, now))
			start_check(h, b, now);
	}
	if (now >= h->next_sync_ms) {
		h->next_sync_ms = now + SYNC_INTERVAL_MS;
		sync_maps(h);	/* sooner again when the pins were locked */
	}
}

void health_on_gone(struct health *h, health_gone_fn fn, void *ctx)
{
	h->on_gone = fn;
	h->on_gone_ctx = ctx;
}

static bool at(const struct hc_backend *b, uint8_t family,
	       const union khaxdp_addr *addr)
{
	if (b->ep.family != family)
		return false;
	if (family == KHAXDP_AF_INET)
		return b->ep.addr.v4 == addr->v4;
	return !memcmp(&b->ep.addr, addr, sizeof(*addr));
}

/* Is b on the node at addr: at that address, or named as a backend of
 * the other family at that address is? */
static bool node_is(const struct health *h, const struct hc_backend *b,
		    uint8_t family, const union khaxdp_addr *addr)
{
	if (b->ep.family == family)
		return at(b, family, addr);
	for (unsigned int i = 0; i < h->n; i++)
		if (at(&h->b[i], family, addr) &&
		    !strcmp(h->b[i].name, b->name))
			return true;
	return false;
}

void health_node_failed(struct health *h, uint8_t family,
			const union khaxdp_addr *addr)
{
	uint64_t now = now_ms();

	pthread_mutex_lock(&h->lock);
	for (unsigned int i = 0; i < h->n; i++) {
		struct hc_backend *b = &h->b[i];

		if (b->check.kind == KX_CHECK_NONE ||
		    !node_is(h, b, family, addr))
			continue;
		kx_info("health: %s: its node stopped advertising: checking it now",
			b->label);
		close_probe(h, b);
		health_sm_suspect(&b->sm, now, HEALTH_SUSPECT_TIMEOUT_MS);
	}
	run_schedule(h);
	arm_timer(h);
	pthread_mutex_unlock(&h->lock);
}

int health_dispatch(struct health *h)
{
	struct epoll_event ev[MAX_EVENTS];
	uint64_t ticks;
	int n;

	n = epoll_wait(h->epfd, ev, MAX_EVENTS, 0);
	if (n < 0 && errno != EINTR)
		return kx_fail(-errno, "health: epoll_wait: %s", strerror(errno));
	pthread_mutex_lock(&h->lock);
	for (int i = 0; i < n; i++) {
		if (ev[i].data.ptr == &timer_tag) {
			if (read(h->timerfd, &ticks, sizeof(ticks)) < 0)
				(void)0;	/* EAGAIN: already read */
			continue;
		}
		on_event(h, ev[i].data.ptr, ev[i].events);
	}
	run_schedule(h);
	arm_timer(h);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

int health_run_once(struct health *h, int timeout_ms)
{
	struct epoll_event ev;
	int n;

	/* Only to sleep: dispatch takes the events itself. */
	n = epoll_wait(h->epfd, &ev, 1, timeout_ms);
	if (n < 0 && errno != EINTR)
		return kx_fail(-errno, "health: epoll_wait: %s", strerror(errno));
	return health_dispatch(h);
}

int health_fd(const struct health *h)
{
	return h->epfd;
}

/* ---- set-up ----------------------------------------------------------------- */

static void backend_init(struct hc_backend *b, const struct kx_service *svc,
			 const struct kx_server *srv)
{
	char ep[KX_ENDPOINT_STRLEN];

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	memcpy(b->service, svc->name, sizeof(b->service));
	memcpy(b->name, srv->name, sizeof(b->name));
	b->ep = srv->ep;
	b->check = svc->check;
	snprintf(b->label, sizeof(b->label), "%s/%s (%s)", svc->name,
		 srv->name, kx_endpoint_str(&srv->ep, ep, sizeof(ep)));
}

/*
 * The state a backend starts in: the data plane's, when it holds the
 * backend (taking over from attach or from a previous agent without a
 * gap), else the config's 'start'.
 */
static void backend_start(struct hc_backend *b, const struct dp_view *v,
			  uint64_t now)
{
	const struct kx_check *c = &b->check;
	int id = v ? dp_view_find(v, b->service, b->name) : -1;
	bool up = id >= 0 ? v->backends[id].health == KHAXDP_HEALTH_UP :
			    c->start_up;

	health_sm_init(&b->sm, c->rise, c->fall, c->inter_ms, c->timeout_ms,
		       up, now);
	if (c->kind == KX_CHECK_NONE)
		return;
	kx_info("health: %s: %s check every %u ms, starts %s (%s)", b->label,
		kx_check_kind_str(c->kind), c->inter_ms, up ? "UP" : "DOWN",
		id >= 0 ? "as the data plane holds it" : "start in the config");
}

/* The map as it is now, or NULL when the data plane is not attached. */
static const struct dp_view *read_dp_view(const char *bpffs)
{
	static struct dp_view v;

	return dp_view_read(bpffs, &v) ? NULL : &v;
}

/* The kernel's ephemeral range minus snat_ports: the larger side. */
static void pick_local_ports(struct health *h, const struct kx_config *cfg)
{
	unsigned int lo = 32768, hi = 60999;
	FILE *f = fopen("/proc/sys/net/ipv4/ip_local_port_range", "r");

	if (f) {
		if (fscanf(f, "%u %u", &lo, &hi) != 2)
			lo = 32768, hi = 60999;
		fclose(f);
	}
	h->port_lo = h->port_hi = 0;
	if (cfg->snat_max < lo || cfg->snat_min > hi)
		return;		/* no overlap: nothing to avoid */
	if (cfg->snat_min > lo && cfg->snat_min - lo >= hi - cfg->snat_max) {
		h->port_lo = (uint16_t)lo;
		h->port_hi = (uint16_t)(cfg->snat_min - 1);
	} else if (cfg->snat_max < hi) {
		h->port_lo = (uint16_t)(cfg->snat_max + 1);
		h->port_hi = (uint16_t)hi;
	}
}

static struct hc_backend *find_backend(struct hc_backend *list, unsigned int n,
				       const struct hc_backend *like)
{
	for (unsigned int i = 0; i < n; i++)
		if (!strcmp(list[i].service, like->service) &&
		    !strcmp(list[i].name, like->name) &&
		    kx_endpoint_equal(&list[i].ep, &like->ep))
			return &list[i];
	return NULL;
}

/* The backends of cfg; state carried over from old where it matches. */
static int build_backends(struct health *h, const struct kx_config *cfg,
			  struct hc_backend *old, unsigned int n_old)
{
	unsigned int n = kx_config_backend_count(cfg), k = 0;
	const struct dp_view *v = read_dp_view(h->bpffs);
	uint64_t now = now_ms();
	struct hc_backend *list, *prev;

	list = calloc(n ? n : 1, sizeof(*list));
	if (!list)
		return kx_fail(-ENOMEM, "health: out of memory");
	for (unsigned int i = 0; i < cfg->n_services; i++) {
		const struct kx_service *svc = &cfg->services[i];

		for (unsigned int j = 0; j < svc->n_servers; j++, k++) {
			backend_init(&list[k], svc, &svc->servers[j]);
			prev = find_backend(old, n_old, &list[k]);
			if (!prev) {
				backend_start(&list[k], v, now);
				continue;
			}
			/* Kept: its verdict and history, the new settings. */
			list[k].sm = prev->sm;
			list[k].sm.in_flight = false;
			list[k].sm.next_ms = now;
			list[k].sm.rise = svc->check.rise;
			list[k].sm.fall = svc->check.fall;
			list[k].sm.inter_ms = svc->check.inter_ms;
			list[k].sm.timeout_ms = svc->check.timeout_ms;
		}
	}
	h->b = list;
	h->n = n;
	return 0;
}

int health_new(const struct kx_config *cfg, struct health **out)
{
	struct health *h;
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &timer_tag };
	int err;

	h = calloc(1, sizeof(*h));
	if (!h)
		return kx_fail(-ENOMEM, "health: out of memory");
	pthread_mutex_init(&h->lock, NULL);
	h->epfd = h->timerfd = -1;
	snprintf(h->bpffs, sizeof(h->bpffs), "%s", cfg->bpffs);
	pick_local_ports(h, cfg);
	h->epfd = epoll_create1(EPOLL_CLOEXEC);
	h->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (h->epfd < 0 || h->timerfd < 0 ||
	    epoll_ctl(h->epfd, EPOLL_CTL_ADD, h->timerfd, &ev)) {
		err = kx_fail(-errno, "health: epoll/timerfd: %s", strerror(errno));
		goto fail;
	}
	h->ssl_ctx = SSL_CTX_new(TLS_client_method());
	if (!h->ssl_ctx) {
		err = kx_fail(-ENOMEM, "health: cannot create a TLS context");
		goto fail;
	}
	/* As kubeadm's guide: the apiserver's certificate is not checked,
	 * only that it answers. */
	SSL_CTX_set_verify(h->ssl_ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_min_proto_version(h->ssl_ctx, TLS1_2_VERSION);
	err = build_backends(h, cfg, NULL, 0);
	if (err)
		goto fail;
	/* Start the checks at once; sync_maps() runs a second later, after the
	 * state above was adopted without a write. */
	h->next_sync_ms = now_ms() + SYNC_INTERVAL_MS;
	h->attached = read_dp_view(h->bpffs) != NULL;
	arm_timer(h);
	*out = h;
	return 0;
fail:
	health_free(h);
	return err;
}

int health_reload(struct health *h, const struct kx_config *cfg)
{
	struct hc_backend *old = h->b;
	unsigned int n_old = h->n;
	int err;

	pthread_mutex_lock(&h->lock);
	for (unsigned int i = 0; i < n_old; i++)
		close_probe(h, &old[i]);
	snprintf(h->bpffs, sizeof(h->bpffs), "%s", cfg->bpffs);
	pick_local_ports(h, cfg);
	err = build_backends(h, cfg, old, n_old);
	if (err) {
		h->b = old;	/* keep checking what we had */
		h->n = n_old;
	} else {
		free(old);
	}
	h->next_sync_ms = now_ms();
	arm_timer(h);
	pthread_mutex_unlock(&h->lock);
	return err;
}

void health_free(struct health *h)
{
	if (!h)
		return;
	for (unsigned int i = 0; i < h->n; i++)
		close_probe(h, &h->b[i]);
	free(h->b);
	SSL_CTX_free(h->ssl_ctx);
	if (h->timerfd >= 0)
		close(h->timerfd);
	if (h->epfd >= 0)
		close(h->epfd);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

/* ---- the view for the stats page --------------------------------------------- */

static void fill_view(const struct hc_backend *b, uint64_t now,
		      struct health_view *v)
{
	memset(v, 0, sizeof(*v));
	memcpy(v->service, b->service, sizeof(v->service));
	memcpy(v->backend, b->name, sizeof(v->backend));
	v->ep = b->ep;
	v->kind = b->check.kind;
	snprintf(v->check, sizeof(v->check), "%s%s%s",
		 kx_check_kind_str(b->check.kind), b->check.path[0] ? " " : "",
		 b->check.path);
	v->up = b->sm.up;
	v->gone = b->sm.gone;
	v->last_ok = hc_outcome_ok(&b->sm.last);
	hc_outcome_str(&b->sm.last, v->last, sizeof(v->last));
	v->since_change_ms = now - b->sm.changed_ms;
	v->since_check_ms = b->sm.checks ? now - b->sm.last_ms : 0;
	v->checks = b->sm.checks;
	v->failed = b->sm.failed;
	v->rise = b->sm.rise;
	v->fall = b->sm.fall;
	v->inter_ms = (uint32_t)b->sm.inter_ms;
}

unsigned int health_snapshot(struct health *h, struct health_view *out,
			     unsigned int max)
{
	uint64_t now = now_ms();
	unsigned int n;

	pthread_mutex_lock(&h->lock);
	n = h->n;
	for (unsigned int i = 0; i < n && i < max; i++)
		fill_view(&h->b[i], now, &out[i]);
	pthread_mutex_unlock(&h->lock);
	return n;
}
