// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* notify.c - posix_spawn the hooks, reap them from the event loop. */
#include <errno.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "notify.h"
#include "loader/util.h"

#define MAX_ARGS	32
#define MAX_RUNNING	32

extern char **environ;

/* Children still running, so the reaper can name a failed one. */
static struct {
	pid_t pid;
	char path[128];
} running[MAX_RUNNING];

static void remember(pid_t pid, const char *path)
{
	for (int i = 0; i < MAX_RUNNING; i++) {
		if (running[i].pid)
			continue;
		running[i].pid = pid;
		snprintf(running[i].path, sizeof(running[i].path), "%s", path);
		return;
	}
}

static const char *forget(pid_t pid)
{
	for (int i = 0; i < MAX_RUNNING; i++) {
		if (running[i].pid == pid) {
			running[i].pid = 0;
			return running[i].path;
		}
	}
	return "notify hook";
}

static int split_args(char *line, const char *const *extra, char **argv)
{
	int argc = 0;

	for (char *tok = strtok(line, " \t"); tok && argc < MAX_ARGS;
	     tok = strtok(NULL, " \t"))
		argv[argc++] = tok;
	for (; extra && *extra && argc < MAX_ARGS; extra++)
		argv[argc++] = (char *)*extra;
	argv[argc] = NULL;
	return argc;
}

pid_t notify_spawn(const char *cmdline, const char *const *extra)
{
	char line[512];
	char *argv[MAX_ARGS + 1];
	posix_spawnattr_t attr;
	sigset_t none;
	pid_t pid;
	int err;

	snprintf(line, sizeof(line), "%s", cmdline);
	if (!split_args(line, extra, argv))
		return kx_fail(-EINVAL, "notify: empty command");
	/* The agent blocks its signals for signalfd: the hook must not
	 * inherit that mask. */
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF);
	{
		sigset_t all;

		sigfillset(&all);
		posix_spawnattr_setsigdefault(&attr, &all);
	}
	err = posix_spawn(&pid, argv[0], NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (err)
		return kx_fail(-err, "notify: %s: %s", argv[0], strerror(err));
	remember(pid, argv[0]);
	return pid;
}

void notify_reap(void)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		const char *path = forget(pid);

		if (WIFEXITED(status) && WEXITSTATUS(status))
			kx_warn("notify: %s (pid %d) exited with status %d",
				path, pid, WEXITSTATUS(status));
		else if (WIFSIGNALED(status))
			kx_warn("notify: %s (pid %d) killed by signal %d",
				path, pid, WTERMSIG(status));
		else
			kx_debug("notify: %s (pid %d) done", path, pid);
	}
}
