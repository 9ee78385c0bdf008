/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * loop.h - the agent's event loop: epoll for file descriptors, one timerfd
 * armed at the earliest deadline (absolute CLOCK_MONOTONIC, so intervals do
 * not drift and 10 ms adverts keep their pace), nothing blocks.
 *
 * Everything the agent does hangs off it: VRRP sockets and timers now,
 * health-check sockets and the stats page's listener later. Watches and
 * timers are owned by their callers (no allocation here).
 */
#ifndef VRRP_LOOP_H
#define VRRP_LOOP_H

#include <stdbool.h>
#include <stdint.h>

typedef void (*ev_fd_fn)(void *ctx);
typedef void (*ev_timer_fn)(void *ctx, uint64_t now);

struct ev_watch {
	int fd;			/* -1: not watched */
	ev_fd_fn fn;
	void *ctx;
};

struct ev_timer {
	uint64_t at;		/* CLOCK_MONOTONIC ns; 0: not armed */
	ev_timer_fn fn;
	void *ctx;
	struct ev_timer *next;
	bool linked;
};

struct ev_loop {
	int epfd;
	int tfd;
	bool stop;
	struct ev_timer *timers;
};

/* CLOCK_MONOTONIC in ns. */
uint64_t ev_now(void);

int ev_loop_init(struct ev_loop *l);
void ev_loop_close(struct ev_loop *l);
/* Run until ev_loop_stop(); returns 0, or a negative errno. */
int ev_loop_run(struct ev_loop *l);
void ev_loop_stop(struct ev_loop *l);

/* Call fn(ctx) whenever fd is readable. */
int ev_watch_add(struct ev_loop *l, struct ev_watch *w, int fd, ev_fd_fn fn,
		 void *ctx);
void ev_watch_del(struct ev_loop *l, struct ev_watch *w);

void ev_timer_init(struct ev_timer *t, ev_timer_fn fn, void *ctx);
/* (Re)arm at an absolute time; at == UINT64_MAX or 0 disarms. */
void ev_timer_arm(struct ev_loop *l, struct ev_timer *t, uint64_t at);
void ev_timer_cancel(struct ev_loop *l, struct ev_timer *t);

#endif /* VRRP_LOOP_H */
