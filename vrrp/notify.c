// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* notify.c - posix_spawn the hooks, reap them from the event loop. */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "notify.h"
#include "loader/util.h"

#define MAX_ARGS	32

/* Children still running: the reaper names a failed one, the timer kills
 * an overdue one, and no more than NOTIFY_MAX_RUNNING run at once. */
static struct {
	pid_t pid;
	uint64_t started;
	bool killed;
	char path[128];
} running[NOTIFY_MAX_RUNNING];

static int free_slot(void)
{
	for (int i = 0; i < NOTIFY_MAX_RUNNING; i++)
		if (!running[i].pid)
			return i;
	return -1;
}

unsigned int notify_running(void)
{
	unsigned int n = 0;

	for (int i = 0; i < NOTIFY_MAX_RUNNING; i++)
		n += running[i].pid != 0;
	return n;
}

static const char *forget(pid_t pid)
{
	for (int i = 0; i < NOTIFY_MAX_RUNNING; i++) {
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

pid_t notify_spawn(const char *cmdline, const char *const *extra,
		   uint64_t now)
{
	static char *const envp[] = { (char *)NOTIFY_PATH, NULL };
	char line[512];
	char *argv[MAX_ARGS + 1];
	posix_spawnattr_t attr;
	sigset_t none;
	int err, slot;
	pid_t pid;

	snprintf(line, sizeof(line), "%s", cmdline);
	if (!split_args(line, extra, argv))
		return kx_fail(-EINVAL, "notify: empty command");
	slot = free_slot();
	if (slot < 0)
		return kx_fail(-EAGAIN, "notify: %s not run: %d hooks still running",
			       argv[0], NOTIFY_MAX_RUNNING);
	/* The agent blocks its signals for signalfd: the hook must not
	 * inherit that mask. */
	sigemptyset(&none);
	posix_spawnattr_init(&attr);
	posix_spawnattr_setsigmask(&attr, &none);
	/* A group of its own: a timeout kills what it started too. */
	posix_spawnattr_setpgroup(&attr, 0);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
				 POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP);
	{
		sigset_t all;

		sigfillset(&all);
		posix_spawnattr_setsigdefault(&attr, &all);
	}
	err = posix_spawn(&pid, argv[0], NULL, &attr, argv, envp);
	posix_spawnattr_destroy(&attr);
	if (err)
		return kx_fail(-err, "notify: %s: %s", argv[0], strerror(err));
	running[slot].pid = pid;
	running[slot].started = now;
	running[slot].killed = false;
	snprintf(running[slot].path, sizeof(running[slot].path), "%s", argv[0]);
	return pid;
}

int notify_expire(uint64_t now, uint64_t timeout_ns)
{
	int n = 0;

	for (int i = 0; i < NOTIFY_MAX_RUNNING; i++) {
		if (!running[i].pid || running[i].killed ||
		    now - running[i].started < timeout_ns)
			continue;
		kx_warn("notify: %s (pid %d) still running after %llu s: killed",
			running[i].path, running[i].pid,
			(unsigned long long)(timeout_ns / 1000000000ull));
		kill(-running[i].pid, SIGKILL);
		running[i].killed = true;
		n++;
	}
	return n;
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
