// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * stats_http.c - the statistics page over HTTP (libmicrohttpd, its own
 * polling thread) and the model it shows, collected per request from the
 * pinned maps, the health checks and the VRRP views (see stats_http.h).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <openssl/crypto.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dataplane.h"
#include "stats_http.h"
#include "loader/util.h"

/* Enough for people and Prometheus; a client that holds connections open
 * holds at most HTTP_PER_IP of them, each at most HTTP_TIMEOUT_S idle, so
 * one slow client never takes the page from the others. */
#define HTTP_MAX_CONNECTIONS	64
#define HTTP_PER_IP		4
#define HTTP_TIMEOUT_S		5
#define HTTP_REALM		"khaxdp"

struct stats_server {
	struct MHD_Daemon *mhd;
	int listen_fd;
	struct health *health;
	char bpffs[PATH_MAX];
	uint64_t started_ms;
	/* Under lock: what the main thread writes while the page's thread
	 * reads — the VRRP and sync views, and what a reload changes
	 * (stats_server_update()). The page's thread copies what it needs
	 * and lets go; the main thread never waits longer than a copy. */
	pthread_mutex_t lock;
	unsigned int n_vrrp;
	struct stats_vrrp_view vrrp[STATS_MAX_VRRP];
	struct stats_sync_view sync;
	char uri[KX_STATS_URI_LEN];
	unsigned int n_services;
	struct stats_service services[KHAXDP_MAX_SERVICES];	/* name, listen */
	char user[KX_STATS_AUTH_LEN];	/* basic auth; "" none */
	char password[KX_STATS_AUTH_LEN];
	unsigned int n_allow;
	struct kx_cidr allow[KX_STATS_MAX_ALLOW];
};

/* The client's address of an accepted connection; false: not IP. */
static bool client_addr(const struct sockaddr *addr, socklen_t len,
			uint8_t *family, union khaxdp_addr *a)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;

	memset(a, 0, sizeof(*a));
	if (addr->sa_family == AF_INET6 && len >= sizeof(s6)) {
		memcpy(&s6, addr, sizeof(s6));
		memcpy(a, &s6.sin6_addr, sizeof(*a));
		*family = KHAXDP_AF_INET6;
		return true;
	}
	if (addr->sa_family == AF_INET && len >= sizeof(s4)) {
		memcpy(&s4, addr, sizeof(s4));
		a->v4 = s4.sin_addr.s_addr;
		*family = KHAXDP_AF_INET;
		return true;
	}
	return false;
}

/* [stats] allow: who may connect (none listed: anyone). */
static enum MHD_Result on_accept(void *cls, const struct sockaddr *addr,
				 socklen_t len)
{
	struct stats_server *s = cls;
	enum MHD_Result ok = MHD_NO;
	union khaxdp_addr a;
	uint8_t family;

	pthread_mutex_lock(&s->lock);
	if (!s->n_allow)
		ok = MHD_YES;
	else if (client_addr(addr, len, &family, &a))
		for (unsigned int i = 0; i < s->n_allow && ok == MHD_NO; i++)
			if (kx_cidr_has(&s->allow[i], family, &a))
				ok = MHD_YES;
	pthread_mutex_unlock(&s->lock);
	return ok;
}

/* Equal strings, in a time that does not depend on where they differ. */
static bool same_secret(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	return (CRYPTO_memcmp(a, b, la < lb ? la : lb) | (la ^ lb)) == 0;
}

/* [stats] auth: the request's credentials, when a user is configured. */
static bool authorized(struct stats_server *s, struct MHD_Connection *conn)
{
	char want_user[KX_STATS_AUTH_LEN], want_pass[KX_STATS_AUTH_LEN];
	char *pass = NULL, *user;
	bool ok;

	pthread_mutex_lock(&s->lock);
	memcpy(want_user, s->user, sizeof(want_user));
	memcpy(want_pass, s->password, sizeof(want_pass));
	pthread_mutex_unlock(&s->lock);
	if (!want_user[0])
		return true;
	user = MHD_basic_auth_get_username_password(conn, &pass);
	ok = user && pass && same_secret(user, want_user) &&
	     same_secret(pass, want_pass);
	MHD_free(user);
	MHD_free(pass);
	explicit_bzero(want_pass, sizeof(want_pass));
	return ok;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void stats_server_set_vrrp(struct stats_server *s,
			   const struct stats_vrrp_view *views, unsigned int n)
{
	if (n > STATS_MAX_VRRP)
		n = STATS_MAX_VRRP;
	pthread_mutex_lock(&s->lock);
	memcpy(s->vrrp, views, n * sizeof(*views));
	s->n_vrrp = n;
	pthread_mutex_unlock(&s->lock);
}

void stats_server_set_sync(struct stats_server *s,
			   const struct stats_sync_view *v)
{
	pthread_mutex_lock(&s->lock);
	s->sync = *v;
	pthread_mutex_unlock(&s->lock);
}

/* ---- the model ------------------------------------------------------------ */

static void backend_from_check(struct stats_backend *b,
			       const struct health_view *v)
{
	memset(b, 0, sizeof(*b));
	memcpy(b->service, v->service, sizeof(b->service));
	memcpy(b->name, v->backend, sizeof(b->name));
	kx_endpoint_str(&v->ep, b->addr, sizeof(b->addr));
	snprintf(b->check, sizeof(b->check), "%s", v->check);
	b->checked = v->kind != KX_CHECK_NONE;
	b->check_up = v->up;
	b->last_ok = v->last_ok;
	snprintf(b->last, sizeof(b->last), "%s", v->last);
	b->since_change_ms = v->since_change_ms;
	b->since_check_ms = v->since_check_ms;
	b->checks = v->checks;
	b->check_failures = v->failed;
	/* Until the data plane says otherwise: the checks' verdict. */
	b->up = !b->checked || v->up;
	b->status = b->up ? "UP" : "DOWN";
}

/* The configured services (m->services, copied in) and their backends,
 * in config order. */
static void collect_backends(struct stats_model *m,
			     const struct health_view *views, unsigned int n)
{
	for (unsigned int i = 0; i < m->n_services; i++) {
		struct stats_service *svc = &m->services[i];

		svc->first = m->n_backends;
		svc->n = 0;
		for (unsigned int k = 0; k < n; k++) {
			if (strcmp(views[k].service, svc->name) ||
			    m->n_backends == KHAXDP_MAX_BACKENDS)
				continue;
			backend_from_check(&m->backends[m->n_backends++],
					   &views[k]);
			svc->n++;
		}
	}
}

/* The data plane's backend of the configured SERVICE/NAME, or NULL. */
static const struct kx_backend_view *find_backend(const struct kx_snapshot *snap,
						  const struct stats_backend *b)
{
	for (unsigned int k = 0; k < snap->n_backends; k++)
		if (!strcmp(snap->backends[k].service, b->service) &&
		    !strncmp(snap->backends[k].name, b->name, KHAXDP_NAME_LEN))
			return &snap->backends[k];
	return NULL;
}

static int collect_dataplane(struct stats_server *s, struct stats_model *m)
{
	static __thread struct kx_snapshot snap;	/* not on the stack */
	const struct kx_backend_view *v;
	int err;

	err = dp_snapshot(s->bpffs, &snap, m->attach_error,
			  sizeof(m->attach_error));
	if (err)
		return err == -ENOENT ? 0 : err;
	m->attached = true;
	snprintf(m->node, sizeof(m->node), "%s", snap.node_address);
	m->active = snap.node.active;
	memcpy(m->datapath, snap.counters, sizeof(m->datapath));
	for (unsigned int i = 0; i < m->n_backends; i++) {
		struct stats_backend *b = &m->backends[i];

		v = find_backend(&snap, b);
		if (!v)
			continue;
		b->in_map = true;
		b->dp = *v;
		b->up = v->health == KHAXDP_HEALTH_UP;
		b->status = stats_status(v->health, v->admin);
	}
	return 0;
}

int stats_collect(struct stats_server *s, struct stats_model *m)
{
	struct health_view *views;
	unsigned int n = 0;

	memset(m, 0, sizeof(*m));
	m->uptime_ms = mono_ms() - s->started_ms;
	pthread_mutex_lock(&s->lock);
	m->n_vrrp = s->n_vrrp;
	memcpy(m->vrrp, s->vrrp, sizeof(m->vrrp));
	m->sync = s->sync;
	m->n_services = s->n_services;
	memcpy(m->services, s->services, s->n_services * sizeof(s->services[0]));
	pthread_mutex_unlock(&s->lock);

	views = calloc(KHAXDP_MAX_BACKENDS, sizeof(*views));
	if (!views)
		return kx_fail(-ENOMEM, "stats: out of memory");
	if (s->health)
		n = health_snapshot(s->health, views, KHAXDP_MAX_BACKENDS);
	if (n > KHAXDP_MAX_BACKENDS)
		n = KHAXDP_MAX_BACKENDS;
	collect_backends(m, views, n);
	free(views);
	return collect_dataplane(s, m);
}

/* ---- HTTP ------------------------------------------------------------------- */

enum doc { DOC_HTML, DOC_METRICS, DOC_JSON, DOC_NONE };

static enum doc doc_for(const char *uri, const char *url)
{
	if (!strcmp(url, uri))
		return DOC_HTML;
	if (!strcmp(url, "/metrics"))
		return DOC_METRICS;
	if (!strcmp(url, "/status.json"))
		return DOC_JSON;
	return DOC_NONE;
}

static const char *const content_types[] = {
	[DOC_HTML] = "text/html; charset=utf-8",
	[DOC_METRICS] = "text/plain; version=0.0.4; charset=utf-8",
	[DOC_JSON] = "application/json",
	[DOC_NONE] = "text/plain; charset=utf-8",
};

/* Render one document into a malloc()ed buffer. */
static char *render(struct stats_server *s, enum doc doc, const char *uri,
		    size_t *len)
{
	struct stats_model *m;
	char *buf = NULL;
	FILE *out;

	m = malloc(sizeof(*m));
	if (!m)
		return NULL;
	out = open_memstream(&buf, len);
	if (!out) {
		free(m);
		return NULL;
	}
	stats_collect(s, m);	/* a detached data plane is shown, not an error */
	if (doc == DOC_HTML)
		stats_render_html(m, uri, out);
	else if (doc == DOC_METRICS)
		stats_render_metrics(m, out);
	else
		stats_render_json(m, out);
	fclose(out);
	free(m);
	return buf;
}

static enum MHD_Result reply(struct MHD_Connection *conn, unsigned int code,
			     enum doc doc, char *body, size_t len)
{
	struct MHD_Response *resp;
	enum MHD_Result ret;

	resp = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				content_types[doc]);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-cache");
	ret = MHD_queue_response(conn, code, resp);
	MHD_destroy_response(resp);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *conn,
				  unsigned int code, const char *text)
{
	char *body = strdup(text);

	return body ? reply(conn, code, DOC_NONE, body, strlen(body)) : MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload,
				  size_t *upload_len, void **req_state)
{
	struct stats_server *s = cls;
	char uri[KX_STATS_URI_LEN];
	enum doc doc;
	size_t len = 0;
	char *body;

	(void)version;
	(void)upload;
	/* Read-only: no method takes a body, nothing here changes anything. */
	if (strcmp(method, MHD_HTTP_METHOD_GET) &&
	    strcmp(method, MHD_HTTP_METHOD_HEAD))
		return reply_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
				  "only GET and HEAD\n");
	if (*upload_len)
		return MHD_NO;
	(void)req_state;
	if (!authorized(s, conn)) {
		struct MHD_Response *resp = MHD_create_response_from_buffer(
			13, (void *)"unauthorized\n", MHD_RESPMEM_PERSISTENT);
		enum MHD_Result ret;

		if (!resp)
			return MHD_NO;
		ret = MHD_queue_basic_auth_fail_response(conn, HTTP_REALM, resp);
		MHD_destroy_response(resp);
		return ret;
	}
	pthread_mutex_lock(&s->lock);
	memcpy(uri, s->uri, sizeof(uri));
	pthread_mutex_unlock(&s->lock);
	doc = doc_for(uri, url);
	if (doc == DOC_NONE)
		return reply_text(conn, MHD_HTTP_NOT_FOUND, "not found\n");
	body = render(s, doc, uri, &len);
	if (!body)
		return reply_text(conn, MHD_HTTP_INTERNAL_SERVER_ERROR,
				  "out of memory\n");
	return reply(conn, MHD_HTTP_OK, doc, body, len);
}

/* Our own listening socket, so a bind error says what and why. [::]
 * takes IPv4 clients too, unless net.ipv6.bindv6only says otherwise. */
static int open_listener(const struct kx_endpoint *ep)
{
	struct sockaddr_storage sa;
	unsigned int sa_len = kx_endpoint_sockaddr(ep, &sa);
	char buf[KX_ENDPOINT_STRLEN];
	int fd, one = 1, err;

	fd = socket(sa.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return kx_fail(-errno, "stats: socket: %s", strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&sa, sa_len) ||
	    listen(fd, HTTP_MAX_CONNECTIONS)) {
		err = -errno;
		close(fd);
		return kx_fail(err, "stats: listen on %s: %s",
			       kx_endpoint_str(ep, buf, sizeof(buf)),
			       strerror(-err));
	}
	return fd;
}

/* What a reload may change without a new listener; under s->lock once
 * the server runs. */
static void copy_settings(struct stats_server *s, const struct kx_config *cfg)
{
	snprintf(s->uri, sizeof(s->uri), "%s", cfg->stats.uri);
	snprintf(s->user, sizeof(s->user), "%s", cfg->stats.user);
	snprintf(s->password, sizeof(s->password), "%s", cfg->stats.password);
	s->n_allow = cfg->stats.n_allow;
	memcpy(s->allow, cfg->stats.allow, sizeof(s->allow));
	s->n_services = cfg->n_services;
	for (unsigned int i = 0; i < cfg->n_services; i++) {
		memcpy(s->services[i].name, cfg->services[i].name,
		       sizeof(s->services[i].name));
		kx_endpoint_str(&cfg->services[i].listen,
				s->services[i].listen,
				sizeof(s->services[i].listen));
	}
}

int stats_server_start(const struct kx_config *cfg, struct health *h,
		       struct stats_server **out)
{
	struct stats_server *s;
	char buf[KX_ENDPOINT_STRLEN];

	s = calloc(1, sizeof(*s));
	if (!s)
		return kx_fail(-ENOMEM, "stats: out of memory");
	pthread_mutex_init(&s->lock, NULL);
	s->health = h;
	s->started_ms = mono_ms();
	snprintf(s->bpffs, sizeof(s->bpffs), "%s", cfg->bpffs);
	copy_settings(s, cfg);
	s->listen_fd = open_listener(&cfg->stats.listen);
	if (s->listen_fd < 0) {
		int err = s->listen_fd;

		stats_server_stop(s);
		return err;
	}
	s->mhd = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD |
				  MHD_USE_EPOLL, 0, on_accept, s,
				  on_request, s,
				  MHD_OPTION_LISTEN_SOCKET, s->listen_fd,
				  MHD_OPTION_CONNECTION_LIMIT,
				  (unsigned int)HTTP_MAX_CONNECTIONS,
				  MHD_OPTION_PER_IP_CONNECTION_LIMIT,
				  (unsigned int)HTTP_PER_IP,
				  MHD_OPTION_CONNECTION_TIMEOUT,
				  (unsigned int)HTTP_TIMEOUT_S,
				  MHD_OPTION_END);
	if (!s->mhd) {
		stats_server_stop(s);
		return kx_fail(-EIO, "stats: libmicrohttpd could not start on %s",
			       kx_endpoint_str(&cfg->stats.listen, buf,
					       sizeof(buf)));
	}
	s->listen_fd = -1;	/* MHD_stop_daemon() closes it */
	kx_info("stats: http://%s%s (and /metrics, /status.json)%s%s",
		kx_endpoint_str(&cfg->stats.listen, buf, sizeof(buf)), s->uri,
		s->user[0] ? ", basic auth" : "",
		s->n_allow ? ", from the allowed networks only" : "");
	*out = s;
	return 0;
}

void stats_server_update(struct stats_server *s, const struct kx_config *cfg)
{
	pthread_mutex_lock(&s->lock);
	copy_settings(s, cfg);
	pthread_mutex_unlock(&s->lock);
	kx_info("stats: reloaded in place (uri %s%s%s)", cfg->stats.uri,
		cfg->stats.user[0] ? ", basic auth" : "",
		cfg->stats.n_allow ? ", from the allowed networks only" : "");
}

static void *stop_thread(void *arg)
{
	stats_server_stop(arg);
	return NULL;
}

int stats_server_retire(struct stats_server *s, pthread_t *t)
{
	int err = pthread_create(t, NULL, stop_thread, s);

	if (err)
		stats_server_stop(s);	/* no thread to spare: wait here */
	return -err;
}

void stats_server_stop(struct stats_server *s)
{
	if (!s)
		return;
	if (s->mhd)
		MHD_stop_daemon(s->mhd);	/* joins its thread */
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	pthread_mutex_destroy(&s->lock);
	free(s);
}
