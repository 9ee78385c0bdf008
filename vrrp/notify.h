/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * notify.h - notify hooks, run as keepalived runs them but without a shell:
 * the configured line is split on blanks into PATH and ARGS. Never waits:
 * children are reaped when SIGCHLD arrives (notify_reap()).
 */
#ifndef VRRP_NOTIFY_H
#define VRRP_NOTIFY_H

#include <stdint.h>
#include <sys/types.h>

/* At most this many hooks run at once (a flapping instance spawns no
 * more); each is killed, with its process group, after NOTIFY_TIMEOUT_NS. */
#define NOTIFY_MAX_RUNNING	32
#define NOTIFY_TIMEOUT_NS	(60ull * 1000000000ull)

/* What a hook's environment holds: nothing of the agent's. */
#define NOTIFY_PATH	"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* Start `cmdline` with extra[] appended (NULL-terminated, may be NULL), in
 * a process group of its own, with only NOTIFY_PATH in its environment.
 * Returns the pid, -EAGAIN when NOTIFY_MAX_RUNNING hooks run already, or
 * another negative errno. now: CLOCK_MONOTONIC ns. */
pid_t notify_spawn(const char *cmdline, const char *const *extra,
		   uint64_t now);

/* Kill (SIGKILL, the whole group) hooks that run longer than timeout_ns;
 * how many. Called from a timer; the reaper then collects them. */
int notify_expire(uint64_t now, uint64_t timeout_ns);

/* Reap every finished child; a failure is logged with the hook's name. */
void notify_reap(void);
/* Hooks running now. */
unsigned int notify_running(void);

#endif /* VRRP_NOTIFY_H */
