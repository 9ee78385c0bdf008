/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * test_progs.h - a small selftest runner in the spirit of the kernel's
 * tools/testing/selftests/bpf/test_progs: one `void test_NAME(void)` per
 * test (listed in tests.h), subtests with test__start_subtest(), and
 * ASSERT_* macros that say what was expected, what came, and where.
 *
 * The ASSERT_* macros evaluate to true when the check held, so a test can
 * stop early: `if (!ASSERT_OK(err, "load")) return;`.
 */
#ifndef KHAXDP_TEST_PROGS_H
#define KHAXDP_TEST_PROGS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

struct test_env {
	bool verbose;
	const char *filter;	/* -t: "test" or "test/subtest", globs */
};
extern struct test_env env;

/* Starts a subtest; false when the -t filter skips it. */
bool test__start_subtest(const char *name);
/* Marks the current subtest skipped (it counts neither way), saying why. */
void test__skip(const char *why);
/* Marks the current (sub)test failed; the ASSERT_* macros call it. */
void test__fail(void);
/* Prints "file:line: what" and fails the current (sub)test. */
void test__failf(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Hex dump of two buffers, differing bytes marked; used by ASSERT_MEMEQ. */
void test__hexdiff(const void *got, size_t got_len, const void *exp,
		   size_t exp_len);

/* Provided by the suite: prints the state that explains a failure (the
 * runner calls it when a subtest or test has failed). */
void test__dump_state(void);

/* Printed only with -v: what a passing test did. */
#define TLOG(fmt, ...)							\
	do {								\
		if (env.verbose)					\
			printf("    " fmt "\n", ##__VA_ARGS__);		\
	} while (0)

#define ASSERT_TRUE(cond, name) ({					\
	bool ___ok = !!(cond);						\
	if (!___ok)							\
		test__failf(__FILE__, __LINE__, "%s: expected true: %s",\
			    (name), #cond);				\
	___ok;								\
})

#define ASSERT_FALSE(cond, name) ({					\
	bool ___ok = !(cond);						\
	if (!___ok)							\
		test__failf(__FILE__, __LINE__, "%s: expected false: %s",\
			    (name), #cond);				\
	___ok;								\
})

#define __ASSERT_CMP(got, exp, op, name) ({				\
	long long ___g = (long long)(got);				\
	long long ___e = (long long)(exp);				\
	bool ___ok = ___g op ___e;					\
	if (!___ok)							\
		test__failf(__FILE__, __LINE__,				\
			    "%s: expected %s %s %lld (0x%llx), got %lld (0x%llx)",\
			    (name), #op, #exp, ___e,			\
			    (unsigned long long)___e, ___g,		\
			    (unsigned long long)___g);			\
	___ok;								\
})

#define ASSERT_EQ(got, exp, name) __ASSERT_CMP(got, exp, ==, name)
#define ASSERT_NEQ(got, exp, name) __ASSERT_CMP(got, exp, !=, name)
#define ASSERT_LT(got, exp, name) __ASSERT_CMP(got, exp, <, name)
#define ASSERT_LE(got, exp, name) __ASSERT_CMP(got, exp, <=, name)
#define ASSERT_GT(got, exp, name) __ASSERT_CMP(got, exp, >, name)
#define ASSERT_GE(got, exp, name) __ASSERT_CMP(got, exp, >=, name)

/* err == 0; prints errno's text for the -errno convention of libbpf. */
#define ASSERT_OK(err, name) ({						\
	long long ___err = (long long)(err);				\
	bool ___ok = ___err == 0;					\
	if (!___ok)							\
		test__failf(__FILE__, __LINE__,				\
			    "%s: expected 0, got %lld (%s)", (name),	\
			    ___err, strerror(___err < 0 ? -___err : ___err));\
	___ok;								\
})

#define ASSERT_ERR(err, name) ({					\
	long long ___err = (long long)(err);				\
	bool ___ok = ___err < 0;					\
	if (!___ok)							\
		test__failf(__FILE__, __LINE__,				\
			    "%s: expected an error, got %lld", (name), ___err);\
	___ok;								\
})

#define ASSERT_OK_PTR(ptr, name) ({					\
	const void *___p = (ptr);					\
	bool ___ok = ___p != NULL;					\
	if (!___ok)							\
		test__failf(__FILE__, __LINE__, "%s: unexpected NULL",	\
			    (name));					\
	___ok;								\
})

#define ASSERT_STREQ(got, exp, name) ({					\
	const char *___g = (got), *___e = (exp);			\
	bool ___ok = strcmp(___g, ___e) == 0;				\
	if (!___ok)							\
		test__failf(__FILE__, __LINE__,				\
			    "%s: expected \"%s\", got \"%s\"", (name),	\
			    ___e, ___g);				\
	___ok;								\
})

/* Byte-for-byte equality; a failure prints both buffers as hex, with the
 * differing bytes marked. */
#define ASSERT_MEMEQ(got, got_len, exp, exp_len, name) ({		\
	size_t ___gl = (got_len), ___el = (exp_len);			\
	bool ___ok = ___gl == ___el &&					\
		     memcmp((got), (exp), ___gl) == 0;			\
	if (!___ok) {							\
		test__failf(__FILE__, __LINE__,				\
			    "%s: bytes differ (got %zu bytes, expected %zu)",\
			    (name), ___gl, ___el);			\
		test__hexdiff((got), ___gl, (exp), ___el);		\
	}								\
	___ok;								\
})

#endif /* KHAXDP_TEST_PROGS_H */
