/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * util.h - error reporting and logging shared by libkhaxdp and its users.
 *
 * Library functions return 0 or a negative errno and leave a one-line
 * explanation, with context, in a per-thread buffer that kx_last_error()
 * returns. Callers print it once; the library itself never prints errors.
 * Warnings and debug messages go through kx_log(), which a caller (the CLI,
 * the agent) can redirect with kx_set_log().
 */
#ifndef KX_UTIL_H
#define KX_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum kx_log_level {
	KX_LOG_WARN,
	KX_LOG_INFO,
	KX_LOG_DEBUG,
};

typedef void (*kx_log_fn)(enum kx_log_level level, const char *msg);

/* Record why the current operation failed; returns err (a negative errno)
 * so a caller can write `return kx_fail(-errno, "...", ...)`. */
int kx_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
const char *kx_last_error(void);

void kx_set_log(kx_log_fn fn);
/* Debug messages (ours and libbpf/libxdp's) are dropped unless verbose. */
void kx_set_verbose(bool verbose);
bool kx_verbose(void);
void kx_log(enum kx_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define kx_warn(...)	kx_log(KX_LOG_WARN, __VA_ARGS__)
#define kx_info(...)	kx_log(KX_LOG_INFO, __VA_ARGS__)
#define kx_debug(...)	kx_log(KX_LOG_DEBUG, __VA_ARGS__)

/* Route libbpf's and libxdp's messages through kx_log (debug unless
 * they are warnings, and even those only when verbose: their warnings
 * repeat what our errors say, without the context). */
void kx_capture_lib_logs(void);

/* snprintf that reports truncation as -ENAMETOOLONG. */
int kx_snprintf(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define KX_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif /* KX_UTIL_H */
