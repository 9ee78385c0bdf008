// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * loop.c - epoll + one absolute timerfd.
 *
 * Timers sit in an unsorted list: the agent has a handful per instance and,
 * with health checks, a few per backend (at most hundreds), so a linear
 * scan per wake-up costs less than keeping a heap correct.
 */
#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "loop.h"
#include "loader/util.h"

#define MAX_EVENTS 16

uint64_t ev_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

int ev_loop_init(struct ev_loop *l)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

	memset(l, 0, sizeof(*l));
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	l->tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	if (l->epfd < 0 || l->tfd < 0 ||
	    epoll_ctl(l->epfd, EPOLL_CTL_ADD, l->tfd, &ev) < 0) {
		int err = -errno;

		ev_loop_close(l);
		return kx_fail(err, "event loop: %s", strerror(-err));
	}
	return 0;
}

void ev_loop_close(struct ev_loop *l)
{
	if (l->epfd >= 0)
		close(l->epfd);
	if (l->tfd >= 0)
		close(l->tfd);
	l->epfd = l->tfd = -1;
}

void ev_loop_stop(struct ev_loop *l)
{
	l->stop = true;
}

int ev_watch_add(struct ev_loop *l, struct ev_watch *w, int fd, ev_fd_fn fn,
		 void *ctx)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = w };

	w->fd = fd;
	w->fn = fn;
	w->ctx = ctx;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		w->fd = -1;
		return kx_fail(-errno, "epoll: %s", strerror(errno));
	}
	return 0;
}

void ev_watch_del(struct ev_loop *l, struct ev_watch *w)
{
	if (w->fd >= 0)
		epoll_ctl(l->epfd, EPOLL_CTL_DEL, w->fd, NULL);
	w->fd = -1;
}

void ev_timer_init(struct ev_timer *t, ev_timer_fn fn, void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->fn = fn;
	t->ctx = ctx;
}

void ev_timer_cancel(struct ev_loop *l, struct ev_timer *t)
{
	struct ev_timer **p;

	for (p = &l->timers; *p; p = &(*p)->next) {
		if (*p == t) {
			*p = t->next;
			break;
		}
	}
	t->linked = false;
	t->next = NULL;
	t->at = 0;
}

void ev_timer_arm(struct ev_loop *l, struct ev_timer *t, uint64_t at)
{
	if (at == 0 || at == UINT64_MAX) {
		ev_timer_cancel(l, t);
		return;
	}
	t->at = at;
	if (!t->linked) {
		t->next = l->timers;
		l->timers = t;
		t->linked = true;
	}
}

static uint64_t earliest(const struct ev_loop *l)
{
	uint64_t at = UINT64_MAX;

	for (const struct ev_timer *t = l->timers; t; t = t->next)
		if (t->at < at)
			at = t->at;
	return at;
}

/* One absolute deadline: the kernel wakes us then, however long the
 * callbacks took, so periodic timers keep their grid. */
static void arm_timerfd(struct ev_loop *l)
{
	struct itimerspec its = { 0 };
	uint64_t at = earliest(l);

	if (at != UINT64_MAX) {
		its.it_value.tv_sec = (time_t)(at / 1000000000ull);
		its.it_value.tv_nsec = (long)(at % 1000000000ull);
	}
	timerfd_settime(l->tfd, TFD_TIMER_ABSTIME, &its, NULL);
}

/* Fire every due timer; a callback may arm or cancel any timer, so the
 * scan starts over after each call. */
static void run_timers(struct ev_loop *l)
{
	uint64_t now = ev_now();
	struct ev_timer *t;

	for (;;) {
		for (t = l->timers; t && t->at > now; t = t->next)
			;
		if (!t || l->stop)
			return;
		ev_timer_cancel(l, t);
		t->fn(t->ctx, now);
	}
}

int ev_loop_run(struct ev_loop *l)
{
	struct epoll_event evs[MAX_EVENTS];
	uint64_t expirations;
	int n;

	while (!l->stop) {
		arm_timerfd(l);
		n = epoll_wait(l->epfd, evs, MAX_EVENTS, -1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return kx_fail(-errno, "epoll_wait: %s", strerror(errno));
		for (int i = 0; i < n && !l->stop; i++) {
			struct ev_watch *w = evs[i].data.ptr;

			if (!w) {
				if (read(l->tfd, &expirations,
					 sizeof(expirations)) < 0 &&
				    errno != EAGAIN)
					return kx_fail(-errno, "timerfd: %s",
						       strerror(errno));
				continue;
			}
			if (w->fd >= 0)	/* not removed by an earlier event */
				w->fn(w->ctx);
		}
		run_timers(l);
	}
	return 0;
}
