// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* dataplane.c - the agent's door to the data plane (see dataplane.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader/maps.h"
#include "loader/query.h"
#include "loader/util.h"
#include "dataplane.h"

bool dp_attached(int ifindex, const char *bpffs)
{
	return kx_xdp_ours(ifindex, bpffs);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint32_t map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* The main thread's kept handle on the pins. */
static struct {
	struct kx_maps maps;
	bool open;
	char bpffs[PATH_MAX];
	uint32_t node_id;	/* the node map held */
	uint64_t checked_ms;	/* when the pins were last compared */
} door;

static void door_close(void)
{
	if (door.open)
		kx_maps_close(&door.maps);
	door.open = false;
}

/* Are the pins still the maps held? */
static bool door_current(void)
{
	char path[PATH_MAX + 8];
	uint32_t id;
	int fd;

	snprintf(path, sizeof(path), "%s/node", door.bpffs);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	id = map_id(fd);
	close(fd);
	return id == door.node_id;
}

static int door_get(const char *bpffs, struct kx_maps **out)
{
	uint64_t now = mono_ms();
	int err;

	if (door.open && strcmp(door.bpffs, bpffs))
		door_close();
	if (door.open && now - door.checked_ms >= 1000) {
		door.checked_ms = now;
		if (!door_current())
			door_close();
	}
	if (!door.open) {
		err = kx_maps_open(&door.maps, bpffs);
		if (err)
			return err;
		door.open = true;
		snprintf(door.bpffs, sizeof(door.bpffs), "%s", bpffs);
		door.node_id = map_id(door.maps.node);
		door.checked_ms = now;
	}
	*out = &door.maps;
	return 0;
}

int dp_set_active(const char *bpffs, uint8_t family, bool active, bool hold,
		  bool *changed)
{
	struct khaxdp_node node;
	struct kx_maps *m;
	int err;

	*changed = false;
	err = door_get(bpffs, &m);
	if (err)
		return err;
	/* Read first: the usual answer is "as it is". No lock, which a
	 * command may hold for seconds: node.active is the agent's (attach
	 * keeps what it finds), and a write lost to a concurrent attach is
	 * made again at the next check. */
	err = kx_node_read(m, &node);
	if (err || !node.family ||
	    !khaxdp_node_active(&node, family) == !active)
		return err;
	return kx_node_set_active(m, family, active, hold, changed);
}

/* The last snapshot, shared by the page's requests. */
static struct {
	pthread_mutex_t lock;
	struct kx_snapshot *snap;
	uint64_t taken_ms;
	bool valid;
	int err;
	char error[160];
	char bpffs[PATH_MAX];
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void snapshot_refresh(const char *bpffs)
{
	struct kx_maps m;

	cache.valid = true;
	cache.taken_ms = mono_ms();
	snprintf(cache.bpffs, sizeof(cache.bpffs), "%s", bpffs);
	if (!cache.snap)
		cache.snap = malloc(sizeof(*cache.snap));
	cache.err = cache.snap ? kx_maps_open(&m, bpffs) :
				 kx_fail(-ENOMEM, "out of memory");
	if (!cache.err) {
		cache.err = kx_snapshot_read(&m, 0, cache.snap);
		kx_maps_close(&m);
	}
	if (cache.err)
		snprintf(cache.error, sizeof(cache.error), "%s",
			 kx_last_error());
}

int dp_snapshot(const char *bpffs, struct kx_snapshot *out, char *err,
		size_t err_len)
{
	int ret;

	pthread_mutex_lock(&cache.lock);
	if (!cache.valid || strcmp(cache.bpffs, bpffs) ||
	    mono_ms() - cache.taken_ms >= DP_SNAPSHOT_MAX_AGE_MS)
		snapshot_refresh(bpffs);
	ret = cache.err;
	if (ret)
		snprintf(err, err_len, "%s", cache.error);
	else
		memcpy(out, cache.snap, sizeof(*out));
	pthread_mutex_unlock(&cache.lock);
	return ret;
}

static int note_service(const struct khaxdp_vip *key,
			const struct khaxdp_service *svc, void *ctx)
{
	struct dp_view *v = ctx;

	(void)key;
	if (svc->id < KHAXDP_MAX_SERVICES)
		memcpy(v->service[svc->id], svc->name, KHAXDP_NAME_LEN);
	return 0;
}

static int view_read(const struct kx_maps *m, struct dp_view *v)
{
	int err;

	memset(v, 0, sizeof(*v));
	err = kx_backends_read(m, v->backends);
	if (!err)
		err = kx_services_foreach(m, note_service, v);
	return err;
}

int dp_view_read(const char *bpffs, struct dp_view *v)
{
	struct kx_maps m;
	int err;

	err = kx_maps_open(&m, bpffs);
	if (err)
		return err;
	err = view_read(&m, v);
	kx_maps_close(&m);
	return err;
}

int dp_view_find(const struct dp_view *v, const char *service,
		 const char *name)
{
	for (int id = 0; id < KHAXDP_MAX_BACKENDS; id++) {
		const struct khaxdp_backend *b = &v->backends[id];

		if (b->family && b->service_id < KHAXDP_MAX_SERVICES &&
		    !strncmp(b->name, name, KHAXDP_NAME_LEN) &&
		    !strncmp(v->service[b->service_id], service,
			     KHAXDP_NAME_LEN))
			return id;
	}
	return -1;
}

int dp_session_begin(struct dp_session *s, const char *bpffs,
		     struct dp_view *view)
{
	int err;

	s->view = view;
	err = door_get(bpffs, &s->maps);
	s->opened = !err;
	if (err)
		return err;
	err = kx_maps_trylock(s->maps);
	if (!err)
		err = view_read(s->maps, view);
	return err;
}

int dp_set_health(struct dp_session *s, uint32_t id, enum khaxdp_health h)
{
	int err = kx_backend_set_health(s->maps, id, h);

	if (!err && id < KHAXDP_MAX_BACKENDS)
		s->view->backends[id].health = h;
	return err;
}

void dp_session_end(struct dp_session *s)
{
	if (s->opened)
		kx_maps_unlock(s->maps);
	s->opened = false;
}

/* ---- flow sync ------------------------------------------------------------- */

static int on_ring_event(void *ctx, void *data, size_t len)
{
	struct dp_flows *d = ctx;

	if (len >= sizeof(struct khaxdp_flow_event))
		d->on_event(d->ctx, data);
	return 0;
}

int dp_flows_open(struct dp_flows *d, const char *bpffs, dp_flow_event_fn fn,
		  void *ctx)
{
	int err;

	memset(d, 0, sizeof(*d));
	d->on_event = fn;
	d->ctx = ctx;
	err = kx_maps_open(&d->maps, bpffs);
	if (err)
		return err;
	d->opened = true;
	d->flows_id = map_id(d->maps.flows);
	d->rb = ring_buffer__new(d->maps.flow_events, on_ring_event, d, NULL);
	if (!d->rb) {
		err = -errno;
		dp_flows_close(d);
		return kx_fail(err, "%s/flow_events: ring buffer: %s", bpffs,
			       strerror(-err));
	}
	return 0;
}

void dp_flows_close(struct dp_flows *d)
{
	if (d->rb)
		ring_buffer__free(d->rb);
	d->rb = NULL;
	if (d->opened)
		kx_maps_close(&d->maps);
	d->opened = false;
}

bool dp_flows_current(const struct dp_flows *d, const char *bpffs)
{
	char path[PATH_MAX + 16];
	uint32_t id;
	int fd;

	snprintf(path, sizeof(path), "%s/flows", bpffs);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	id = map_id(fd);
	close(fd);
	return d->opened && id == d->flows_id;
}

int dp_flows_events_fd(const struct dp_flows *d)
{
	return d->rb ? ring_buffer__epoll_fd(d->rb) : -1;
}

int dp_flows_poll(struct dp_flows *d)
{
	int n = d->rb ? ring_buffer__consume(d->rb) : 0;

	return n < 0 ? kx_fail(n, "flow_events: %s", strerror(-n)) : n;
}

static int backends_fresh(struct dp_flows *d)
{
	uint64_t now = mono_ms();
	int err;

	if (d->backends_ms && now - d->backends_ms < 1000)
		return 0;
	err = kx_backends_read(&d->maps, d->backends);
	if (!err)
		d->backends_ms = now;
	return err;
}

int dp_flows_adopt(struct dp_flows *d, const struct khaxdp_flow_event *ev,
		   uint32_t idle_ms, enum kx_adopt *out)
{
	return backends_fresh(d) ?:
	       kx_flow_adopt(&d->maps, d->backends, ev, idle_ms, out);
}

int dp_flows_forget(struct dp_flows *d, const struct khaxdp_flow_key *key,
		    bool *deleted)
{
	return kx_flow_forget(&d->maps, key, deleted);
}

struct announce_walk {
	struct dp_flows *d;
	bool half;		/* half_open (leaving MASTER), else flows */
	dp_flow_announce_fn fn;
	void *ctx;
	uint64_t now;
	int n;
};

static int announce_one(const struct khaxdp_flow_key *key,
			const struct khaxdp_flow *f, void *ctx)
{
	struct announce_walk *w = ctx;
	struct khaxdp_flow_event ev;
	uint32_t idle;
	bool yes = w->half ?
		kx_flow_announce_half(key, f, w->d->backends, w->now, &ev, &idle) :
		(!w->d->walk_local || (f->flags & KHAXDP_FLOW_LOCAL)) &&
		kx_flow_announce(key, f, w->d->backends, w->now, &ev, &idle);

	if (yes) {
		w->fn(w->ctx, &ev, idle);
		w->n++;
	}
	return 0;
}

int dp_half_open_announce(struct dp_flows *d, dp_flow_announce_fn fn,
			  void *ctx)
{
	struct announce_walk w = { .d = d, .half = true, .fn = fn, .ctx = ctx,
				   .now = kx_now_ns() };
	int err;

	d->backends_ms = 0;
	err = backends_fresh(d) ?:
	      kx_flow_table_foreach(d->maps.half_open, announce_one, &w);
	return err ? err : w.n;
}

struct to_walk {
	struct dp_flows *d;
	bool of_node[KHAXDP_MAX_BACKENDS];	/* backends of the node */
	dp_flow_key_fn fn;
	void *ctx;
	uint64_t now;
	int n;
};

/* Is b the backend at addr (of family)? */
static bool backend_at(const struct khaxdp_backend *b, uint8_t family,
		       const union khaxdp_addr *addr)
{
	if (b->family != family)
		return false;
	if (family == KHAXDP_AF_INET)
		return b->addr.v4 == addr->v4;
	return !memcmp(&b->addr, addr, sizeof(*addr));
}

static int to_one(const struct khaxdp_flow_key *key,
		  const struct khaxdp_flow *f, void *ctx)
{
	struct to_walk *w = ctx;

	if (f->backend_id >= KHAXDP_MAX_BACKENDS)
		return 0;
	if (!w->of_node[f->backend_id] || khaxdp_flow_closed(f) ||
	    khaxdp_flow_expired(f, w->now))
		return 0;
	w->fn(w->ctx, key);
	w->n++;
	return 0;
}

int dp_flows_to(struct dp_flows *d, uint8_t family,
		const union khaxdp_addr *addr, dp_flow_key_fn fn, void *ctx)
{
	struct to_walk w = { .d = d, .fn = fn, .ctx = ctx, .now = kx_now_ns() };
	int err;

	d->backends_ms = 0;
	err = backends_fresh(d);
	if (err)
		return err;
	for (unsigned int i = 0; i < KHAXDP_MAX_BACKENDS; i++)
		w.of_node[i] = backend_at(&d->backends[i], family, addr);
	err = kx_flows_foreach(&d->maps, to_one, &w);
	return err ? err : w.n;
}

int dp_flows_announce_begin(struct dp_flows *d, bool local_only)
{
	memset(&d->walk, 0, sizeof(d->walk));
	d->walk_local = local_only;
	d->backends_ms = 0;	/* a snapshot reads them afresh */
	return backends_fresh(d);
}

int dp_flows_announce_step(struct dp_flows *d, uint32_t max,
			   dp_flow_announce_fn fn, void *ctx, bool *done)
{
	struct announce_walk w = { .d = d, .fn = fn, .ctx = ctx,
				   .now = kx_now_ns() };
	int err = kx_flow_table_walk_step(d->maps.flows, &d->walk, max,
					  announce_one, &w);

	*done = d->walk.done || err;
	return err ? err : w.n;
}
