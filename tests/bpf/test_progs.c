// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * test_progs.c - runs the khaxdp BPF selftests.
 *
 *   test_progs [-v] [-t TEST[/SUBTEST][,...]]
 *
 * Every test runs in a private network namespace made by lab_setup() (see
 * khaxdp_test.c), so nothing here touches the host's interfaces or
 * /sys/fs/bpf. The last line is "N passed, N failed"; the exit status is
 * non-zero when anything failed.
 */
#include <fnmatch.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "test_progs.h"
#include "khaxdp_test.h"
#include "tests.h"

struct test_env env;

struct test_def {
	const char *name;
	void (*run)(void);
};

#define DECLARE_TEST(name) void test_##name(void);
KHAXDP_TESTS(DECLARE_TEST)
#undef DECLARE_TEST

#define DEFINE_TEST(name) { #name, test_##name },
static const struct test_def tests[] = {
	KHAXDP_TESTS(DEFINE_TEST)
};
#undef DEFINE_TEST

/* State of the test being run. */
static struct {
	const struct test_def *test;
	int test_num;
	int sub_num;
	char subtest[128];
	bool in_subtest;
	bool sub_failed;
	const char *sub_skipped;
	bool body_failed;
	int passed;
	int failed;
	int skipped;
} st;

/* -t takes a comma-separated list of "TEST" or "TEST/SUBTEST" globs. */
static bool filter_match(const char *test, const char *subtest)
{
	char *list, *item, *save = NULL;
	bool match = false;

	if (!env.filter)
		return true;
	list = strdup(env.filter);
	if (!list)
		return true;
	for (item = strtok_r(list, ",", &save); item && !match;
	     item = strtok_r(NULL, ",", &save)) {
		char *slash = strchr(item, '/');

		if (slash)
			*slash = '\0';
		if (fnmatch(item, test, 0) != 0)
			continue;
		match = !slash || !subtest || fnmatch(slash + 1, subtest, 0) == 0;
	}
	free(list);
	return match;
}

static void end_subtest(void)
{
	if (!st.in_subtest)
		return;
	st.in_subtest = false;
	if (st.sub_skipped && !st.sub_failed) {
		printf("#%d/%d %s/%s:SKIP (%s)\n", st.test_num, st.sub_num,
		       st.test->name, st.subtest, st.sub_skipped);
		st.skipped++;
		return;
	}
	if (st.sub_failed)
		test__dump_state();
	printf("#%d/%d %s/%s:%s\n", st.test_num, st.sub_num, st.test->name,
	       st.subtest, st.sub_failed ? "FAIL" : "OK");
	if (st.sub_failed)
		st.failed++;
	else
		st.passed++;
	fflush(stdout);
}

bool test__start_subtest(const char *name)
{
	end_subtest();
	st.sub_num++;
	if (!filter_match(st.test->name, name))
		return false;
	snprintf(st.subtest, sizeof(st.subtest), "%s", name);
	st.in_subtest = true;
	st.sub_failed = false;
	st.sub_skipped = NULL;
	return true;
}

void test__skip(const char *why)
{
	st.sub_skipped = why;
}

void test__fail(void)
{
	if (st.in_subtest)
		st.sub_failed = true;
	else
		st.body_failed = true;
}

void test__failf(const char *file, int line, const char *fmt, ...)
{
	va_list ap;

	printf("%s:%d: ", file, line);
	if (st.in_subtest)
		printf("[%s/%s] ", st.test->name, st.subtest);
	else
		printf("[%s] ", st.test->name);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	test__fail();
}

void test__hexdiff(const void *got, size_t got_len, const void *exp,
		   size_t exp_len)
{
	const unsigned char *g = got, *e = exp;
	size_t len = got_len > exp_len ? got_len : exp_len;
	size_t row, i;

	printf("    offset  got / expected (differing bytes in [])\n");
	for (row = 0; row < len; row += 16) {
		bool differs = false;

		for (i = row; i < row + 16 && i < len; i++)
			if (i >= got_len || i >= exp_len || g[i] != e[i])
				differs = true;
		printf("    %04zx  got ", row);
		for (i = row; i < row + 16 && i < len; i++) {
			bool d = i >= got_len || i >= exp_len || g[i] != e[i];

			if (i < got_len)
				printf(d ? "[%02x]" : " %02x ", g[i]);
			else
				printf(" -- ");
		}
		printf("\n");
		if (!differs)
			continue;
		printf("    %04zx  exp ", row);
		for (i = row; i < row + 16 && i < len; i++) {
			bool d = i >= got_len || i >= exp_len || g[i] != e[i];

			if (i < exp_len)
				printf(d ? "[%02x]" : " %02x ", e[i]);
			else
				printf(" -- ");
		}
		printf("\n");
	}
}

static void run_test(const struct test_def *t, int num)
{
	memset(&st.subtest, 0, sizeof(st.subtest));
	st.test = t;
	st.test_num = num;
	st.sub_num = 0;
	st.in_subtest = false;
	st.body_failed = false;

	t->run();
	end_subtest();

	/* A test without subtests counts once; one with subtests counts
	 * once more only when its own body (setup, teardown) failed. */
	if (st.sub_num == 0 || st.body_failed) {
		printf("#%d %s:%s\n", num, t->name,
		       st.body_failed ? "FAIL" : "OK");
		if (st.body_failed)
			st.failed++;
		else
			st.passed++;
	}
	fflush(stdout);
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [-v] [-t TEST[/SUBTEST][,...]] [-l]\n"
		"  -t  run only matching tests (globs)\n"
		"  -v  verbose: say what passing tests did\n"
		"  -l  list the tests\n", prog);
}

int main(int argc, char **argv)
{
	struct timespec t0, t1;
	bool list = false;
	size_t i;
	int opt;

	while ((opt = getopt(argc, argv, "vt:lh")) != -1) {
		switch (opt) {
		case 'v':
			env.verbose = true;
			break;
		case 't':
			env.filter = optarg;
			break;
		case 'l':
			list = true;
			break;
		default:
			usage(argv[0]);
			return opt == 'h' ? 0 : 2;
		}
	}
	if (list) {
		for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++)
			printf("%s\n", tests[i].name);
		return 0;
	}

	setvbuf(stdout, NULL, _IOLBF, 0);
	lab.verbose = env.verbose;
	if (lab_setup() != 0) {
		printf("0 passed, 1 failed\n");
		return 1;
	}

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		if (!filter_match(tests[i].name, NULL))
			continue;
		run_test(&tests[i], (int)i + 1);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	if (env.verbose)
		printf("ran in %.1f s\n", (t1.tv_sec - t0.tv_sec) +
		       (t1.tv_nsec - t0.tv_nsec) / 1e9);
	if (st.skipped)
		printf("%d skipped\n", st.skipped);
	printf("%d passed, %d failed\n", st.passed, st.failed);
	return st.failed ? 1 : 0;
}
