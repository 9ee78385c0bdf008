// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* test_notify.c - notify hooks: a clean environment, the arguments as
 * keepalived passes them, at most NOTIFY_MAX_RUNNING at once, killed with
 * their process group when they run too long, reaped without waiting.
 * Real processes: a hook script writes what it saw into a file. */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "vrrp/notify.h"

#define S	1000000000ull

static char dir[] = "/tmp/khaxdp-notify-XXXXXX";
static char hook[64], seen[64];

/* Reap (as the agent does on SIGCHLD) until at most n hooks run. */
static void reap_until(unsigned int n)
{
	for (int i = 0; i < 500 && notify_running() > n; i++) {
		notify_reap();
		usleep(10000);
	}
	assert_true(notify_running() <= n);
}

static int setup(void **state)
{
	FILE *f;

	(void)state;
	if (!mkdtemp(dir))
		return -1;
	snprintf(hook, sizeof(hook), "%s/hook", dir);
	snprintf(seen, sizeof(seen), "%s/seen", dir);
	f = fopen(hook, "w");
	if (!f)
		return -1;
	fprintf(f, "#!/bin/sh\n{ echo \"args=$*\"; env | sort; } >%s\n", seen);
	fclose(f);
	return chmod(hook, 0755);
}

static int teardown(void **state)
{
	(void)state;
	unlink(hook);
	unlink(seen);
	rmdir(dir);
	return 0;
}

static char *read_seen(void)
{
	static char buf[4096];
	size_t n;
	FILE *f = fopen(seen, "r");

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

/* keepalived's notify arguments after the configured ones; the hook sees
 * PATH and nothing of the agent's environment. */
static void test_arguments_and_environment(void **state)
{
	const char *const extra[] = { "INSTANCE", "VI_1", "MASTER", "101", NULL };
	char cmd[128], *got;

	(void)state;
	setenv("KHAXDP_SECRET", "x", 1);
	snprintf(cmd, sizeof(cmd), "%s first", hook);
	assert_true(notify_spawn(cmd, extra, 0) > 0);
	reap_until(0);
	got = read_seen();
	assert_non_null(strstr(got, "args=first INSTANCE VI_1 MASTER 101\n"));
	assert_null(strstr(got, "KHAXDP_SECRET"));
	assert_non_null(strstr(got, "\nPATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\n"));
	unsetenv("KHAXDP_SECRET");
}

/* No more than NOTIFY_MAX_RUNNING at once; overdue ones are killed. */
static void test_bounded_and_timed_out(void **state)
{
	pid_t pids[NOTIFY_MAX_RUNNING];

	(void)state;
	for (int i = 0; i < NOTIFY_MAX_RUNNING; i++) {
		pids[i] = notify_spawn("/bin/sleep 30", NULL, (uint64_t)i * S);
		assert_true(pids[i] > 0);
	}
	assert_int_equal(notify_running(), NOTIFY_MAX_RUNNING);
	assert_int_equal(notify_spawn("/bin/sleep 30", NULL, 40 * S), -EAGAIN);
	/* At 61 s: the two started at 0 s and 1 s are overdue. */
	assert_int_equal(notify_expire(61 * S + 1, NOTIFY_TIMEOUT_NS), 2);
	assert_int_equal(notify_expire(61 * S + 1, NOTIFY_TIMEOUT_NS), 0);
	reap_until(NOTIFY_MAX_RUNNING - 2);
	assert_int_equal(kill(pids[0], 0), -1);	/* gone */
	assert_int_equal(kill(pids[2], 0), 0);	/* still there */
	/* A slot is free again. */
	assert_true(notify_spawn("/bin/true", NULL, 62 * S) > 0);
	reap_until(NOTIFY_MAX_RUNNING - 2);
	assert_int_equal(notify_expire(200 * S, NOTIFY_TIMEOUT_NS),
			 NOTIFY_MAX_RUNNING - 2);
	reap_until(0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arguments_and_environment),
		cmocka_unit_test(test_bounded_and_timed_out),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
