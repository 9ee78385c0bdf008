// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* dataplane.c - the agent's door to the data plane (see dataplane.h). */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "loader/maps.h"
#include "loader/query.h"
#include "loader/util.h"
#include "dataplane.h"

bool dp_attached(int ifindex, const char *bpffs)
{
	return kx_xdp_ours(ifindex, bpffs);
}

int dp_set_active(const char *bpffs, bool active, bool *changed)
{
	struct kx_maps m;
	int err;

	*changed = false;
	err = kx_maps_open(&m, bpffs);
	if (err)
		return err;
	err = kx_maps_lock(&m);
	if (!err)
		err = kx_node_set_active(&m, active, changed);
	kx_maps_close(&m);
	return err;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
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
	err = kx_maps_open(&s->maps, bpffs);
	s->opened = !err;
	if (err)
		return err;
	err = kx_maps_lock(&s->maps);
	if (!err)
		err = view_read(&s->maps, view);
	return err;
}

int dp_set_health(struct dp_session *s, uint32_t id, bool up)
{
	enum khaxdp_health h = up ? KHAXDP_HEALTH_UP : KHAXDP_HEALTH_DOWN;
	int err = kx_backend_set_health(&s->maps, id, h);

	if (!err && id < KHAXDP_MAX_BACKENDS)
		s->view->backends[id].health = h;
	return err;
}

void dp_session_end(struct dp_session *s)
{
	if (s->opened)
		kx_maps_close(&s->maps);
	s->opened = false;
}
