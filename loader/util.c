// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* util.c - error reporting and logging for libkhaxdp. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "util.h"

static __thread char last_error[512];
static bool verbose;

static void log_to_stderr(enum kx_log_level level, const char *msg)
{
	if (level == KX_LOG_WARN)
		fprintf(stderr, "khaxdp: warning: %s\n", msg);
	else
		fprintf(stderr, "khaxdp: %s\n", msg);
}

static kx_log_fn log_fn = log_to_stderr;

int kx_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
	return err;
}

const char *kx_last_error(void)
{
	return last_error[0] ? last_error : "unknown error";
}

void kx_set_log(kx_log_fn fn)
{
	log_fn = fn ? fn : log_to_stderr;
}

void kx_set_verbose(bool on)
{
	verbose = on;
}

bool kx_verbose(void)
{
	return verbose;
}

static void kx_vlog(enum kx_log_level level, const char *fmt, va_list ap)
{
	char msg[1024];
	size_t len;

	if (level == KX_LOG_DEBUG && !verbose)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	len = strlen(msg);
	while (len && msg[len - 1] == '\n')
		msg[--len] = '\0';
	log_fn(level, msg);
}

void kx_log(enum kx_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kx_vlog(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	(void)level;
	kx_vlog(KX_LOG_DEBUG, fmt, ap);
	return 0;
}

static int libxdp_print(enum libxdp_print_level level, const char *fmt,
			va_list ap)
{
	(void)level;
	kx_vlog(KX_LOG_DEBUG, fmt, ap);
	return 0;
}

void kx_capture_lib_logs(void)
{
	libbpf_set_print(libbpf_print);
	libxdp_set_print(libxdp_print);
}

int kx_snprintf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	return 0;
}
