/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * notify.h - notify hooks, run as keepalived runs them but without a shell:
 * the configured line is split on blanks into PATH and ARGS. Never waits:
 * children are reaped when SIGCHLD arrives (notify_reap()).
 */
#ifndef VRRP_NOTIFY_H
#define VRRP_NOTIFY_H

#include <sys/types.h>

/* Start `cmdline` with extra[] appended (NULL-terminated, may be NULL).
 * Returns the pid or a negative errno. */
pid_t notify_spawn(const char *cmdline, const char *const *extra);

/* Reap every finished child; a failure is logged with the hook's name. */
void notify_reap(void);

#endif /* VRRP_NOTIFY_H */
