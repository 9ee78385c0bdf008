// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * ports.c - the SNAT range in net.ipv4.ip_local_reserved_ports (ports.h).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "ports.h"
#include "util.h"

/* ---- port sets ---------------------------------------------------------- */

void kx_portset_add(struct kx_portset *s, uint16_t first, uint16_t last)
{
	for (uint32_t p = first; p <= last; p++)
		s->w[p / 64] |= 1ULL << (p % 64);
}

void kx_portset_del(struct kx_portset *s, uint16_t first, uint16_t last)
{
	for (uint32_t p = first; p <= last; p++)
		s->w[p / 64] &= ~(1ULL << (p % 64));
}

bool kx_portset_has(const struct kx_portset *s, uint16_t port)
{
	return s->w[port / 64] & (1ULL << (port % 64));
}

bool kx_portset_has_all(const struct kx_portset *s, uint16_t first,
			uint16_t last)
{
	for (uint32_t p = first; p <= last; p++)
		if (!kx_portset_has(s, p))
			return false;
	return true;
}

static int parse_port(const char **pp, uint16_t *port)
{
	const char *p = *pp;
	unsigned long v;
	char *end;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	errno = 0;
	v = strtoul(p, &end, 10);
	if (errno || v > 65535)
		return -EINVAL;
	*port = v;
	*pp = end;
	return 0;
}

int kx_portset_parse(const char *text, struct kx_portset *s)
{
	const char *p = text;
	uint16_t first, last;

	memset(s, 0, sizeof(*s));
	while (isspace((unsigned char)*p))
		p++;
	while (*p) {
		if (parse_port(&p, &first))
			return -EINVAL;
		last = first;
		if (*p == '-') {
			p++;
			if (parse_port(&p, &last) || last < first)
				return -EINVAL;
		}
		kx_portset_add(s, first, last);
		while (isspace((unsigned char)*p))
			p++;
		if (*p == ',')
			p++;
		else if (*p)
			return -EINVAL;
		while (isspace((unsigned char)*p))
			p++;
	}
	return 0;
}

/* Calls fn for every maximal range of s, in order; stops at fn's error. */
static int portset_walk(const struct kx_portset *s,
			int (*fn)(uint16_t first, uint16_t last, void *ctx),
			void *ctx)
{
	uint32_t p = 0, first;
	int err;

	while (p < 65536) {
		if (!s->w[p / 64]) {
			p = (p / 64 + 1) * 64;
			continue;
		}
		if (!kx_portset_has(s, p)) {
			p++;
			continue;
		}
		first = p;
		while (p < 65536 && kx_portset_has(s, p))
			p++;
		err = fn(first, p - 1, ctx);
		if (err)
			return err;
	}
	return 0;
}

struct format_ctx {
	char *buf;
	size_t len, used;
};

static int format_one(uint16_t first, uint16_t last, void *ctx)
{
	struct format_ctx *c = ctx;
	int n;

	if (first == last)
		n = snprintf(c->buf + c->used, c->len - c->used, "%s%u",
			     c->used ? "," : "", first);
	else
		n = snprintf(c->buf + c->used, c->len - c->used, "%s%u-%u",
			     c->used ? "," : "", first, last);
	if (n < 0 || (size_t)n >= c->len - c->used)
		return -ENOSPC;
	c->used += n;
	return 0;
}

int kx_portset_format(const struct kx_portset *s, char *buf, size_t len)
{
	struct format_ctx c = { .buf = buf, .len = len };

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	return portset_walk(s, format_one, &c);
}

struct ranges_ctx {
	struct khaxdp_port_range *r;
	unsigned int max, n;
};

static int range_one(uint16_t first, uint16_t last, void *ctx)
{
	struct ranges_ctx *c = ctx;

	if (c->n >= c->max)
		return -E2BIG;
	c->r[c->n].first = first;
	c->r[c->n].last = last;
	c->n++;
	return 0;
}

int kx_portset_ranges(const struct kx_portset *s, struct khaxdp_port_range *r,
		      unsigned int max)
{
	struct ranges_ctx c = { .r = r, .max = max };
	int err = portset_walk(s, range_one, &c);

	return err ? err : (int)c.n;
}

/* ---- the sysctl --------------------------------------------------------- */

int kx_reserved_ports_read(const char *path, struct kx_portset *s)
{
	char *text = NULL;
	size_t cap = 0;
	ssize_t n;
	FILE *f;
	int err;

	f = fopen(path, "r");
	if (!f)
		return kx_fail(-errno, "read %s: %s", path, strerror(errno));
	n = getdelim(&text, &cap, '\0', f);	/* the whole file */
	err = n < 0 && ferror(f) ? -EIO : 0;
	fclose(f);
	if (!err)
		err = kx_portset_parse(n < 0 ? "" : text, s);
	free(text);
	if (err)
		return kx_fail(err, "%s: cannot read its port list", path);
	return 0;
}

int kx_reserved_ports_write(const char *path, const struct kx_portset *s)
{
	/* The kernel takes one write of at most a page. */
	char buf[4096];
	size_t len;
	ssize_t n;
	int fd, err;

	if (kx_portset_format(s, buf, sizeof(buf) - 1))
		return kx_fail(-E2BIG, "%s: the port list would be too long to write",
			       path);
	len = strlen(buf);
	buf[len++] = '\n';
	fd = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
	if (fd < 0)
		return kx_fail(-errno, "write %s: %s", path, strerror(errno));
	n = write(fd, buf, len);
	err = n < 0 ? -errno : (size_t)n != len ? -EIO : 0;
	close(fd);
	if (err)
		return kx_fail(err, "write %s: %s", path, strerror(-err));
	return 0;
}

/* ---- attach and detach -------------------------------------------------- */

static int open_added(const char *dir)
{
	char path[PATH_MAX];
	int fd;

	if (kx_snprintf(path, sizeof(path), "%s/%s", dir, KX_PIN_RESERVED_PORTS))
		return kx_fail(-ENAMETOOLONG, "%s: path too long", dir);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return kx_fail(-errno, "%s: %s", path, strerror(errno));
	return fd;
}

static int added_read(int fd, struct kx_portset *s)
{
	struct khaxdp_port_range r;

	memset(s, 0, sizeof(*s));
	for (uint32_t i = 0; i < KHAXDP_MAX_RESERVED_RANGES; i++) {
		if (bpf_map_lookup_elem(fd, &i, &r))
			return kx_fail(-errno, "%s: read: %s",
				       KX_PIN_RESERVED_PORTS, strerror(errno));
		if (r.last && r.first <= r.last)
			kx_portset_add(s, r.first, r.last);
	}
	return 0;
}

static int added_write(int fd, const struct khaxdp_port_range *r,
		       unsigned int n)
{
	struct khaxdp_port_range zero = {};

	for (uint32_t i = 0; i < KHAXDP_MAX_RESERVED_RANGES; i++)
		if (bpf_map_update_elem(fd, &i, i < n ? &r[i] : &zero, BPF_ANY))
			return kx_fail(-errno, "%s: write: %s",
				       KX_PIN_RESERVED_PORTS, strerror(errno));
	return 0;
}

int kx_ports_added(const char *dir, struct khaxdp_port_range *r,
		   unsigned int max)
{
	struct kx_portset *s = calloc(1, sizeof(*s));
	int fd, err;

	if (!s)
		return kx_fail(-ENOMEM, "out of memory");
	fd = open_added(dir);
	err = fd < 0 ? fd : added_read(fd, s);
	if (!err)
		err = kx_portset_ranges(s, r, max);
	if (fd >= 0)
		close(fd);
	free(s);
	return err;
}

uint32_t kx_ephemeral_left(uint16_t lo, uint16_t hi,
			   const struct kx_portset *reserved, uint16_t first,
			   uint16_t last)
{
	uint32_t n = 0;

	for (uint32_t p = lo; p <= hi; p++)
		n += !(p >= first && p <= last) && !kx_portset_has(reserved, p);
	return n;
}

/* ip_local_port_range: "32768\t60999". */
static int local_port_range(uint16_t *lo, uint16_t *hi)
{
	FILE *f = fopen(KX_LOCAL_PORT_RANGE_SYSCTL, "re");
	unsigned int a, b;
	int n;

	if (!f)
		return kx_fail(-errno, "%s: %s", KX_LOCAL_PORT_RANGE_SYSCTL,
			       strerror(errno));
	n = fscanf(f, "%u %u", &a, &b);
	fclose(f);
	if (n != 2 || a > b || b > 65535)
		return kx_fail(-EINVAL, "%s: cannot read it",
			       KX_LOCAL_PORT_RANGE_SYSCTL);
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

int kx_ports_reserve(const char *dir, uint16_t first, uint16_t last)
{
	uint16_t lo = 0, hi = 0;
	uint32_t left;
	struct kx_portset *now = calloc(3, sizeof(*now)), *old_added, *added;
	struct khaxdp_port_range r[KHAXDP_MAX_RESERVED_RANGES];
	int fd, n = 0, err;

	if (!now)
		return kx_fail(-ENOMEM, "out of memory");
	old_added = now + 1;
	added = now + 2;
	fd = open_added(dir);
	err = fd < 0 ? fd : added_read(fd, old_added);
	if (!err)
		err = kx_reserved_ports_read(KX_RESERVED_PORTS_SYSCTL, now);
	if (err)
		goto out;
	/* What others reserved: now without what we added before. */
	for (uint32_t p = 0; p < 65536; p++)
		if (kx_portset_has(old_added, p))
			kx_portset_del(now, p, p);
	/* Reserving (almost) all the ephemeral ports would leave the node
	 * no port for its own connections. */
	if (!local_port_range(&lo, &hi)) {
		left = kx_ephemeral_left(lo, hi, now, first, last);
		if (left < KX_MIN_EPHEMERAL_PORTS) {
			err = kx_fail(-ERANGE, "SNAT ports %u-%u, with what is reserved already, would leave %u of the kernel's ephemeral ports %u-%u (net.ipv4.ip_local_port_range) to the node's own connections: not reserved; choose snat_ports outside %u-%u, or snat_address = vip",
				      first, last, left, lo, hi, lo, hi);
			goto out;
		}
	}
	kx_portset_add(added, first, last);
	for (uint32_t p = first; p <= last; p++)
		if (kx_portset_has(now, p))
			kx_portset_del(added, p, p);
	n = kx_portset_ranges(added, r, KHAXDP_MAX_RESERVED_RANGES);
	if (n < 0) {
		err = kx_fail(n, "SNAT ports %u-%u: %s has more than %u holes in that range",
			      first, last, KX_RESERVED_PORTS_SYSCTL,
			      KHAXDP_MAX_RESERVED_RANGES - 1);
		goto out;
	}
	kx_portset_add(now, first, last);
	err = kx_reserved_ports_write(KX_RESERVED_PORTS_SYSCTL, now);
	if (!err)
		err = added_write(fd, r, n);
out:
	if (fd >= 0)
		close(fd);
	free(now);
	return err;
}

int kx_ports_release(const char *dir)
{
	struct kx_portset *now = calloc(2, sizeof(*now)), *added;
	bool any = false;
	int fd, err;

	if (!now)
		return kx_fail(-ENOMEM, "out of memory");
	added = now + 1;
	fd = open_added(dir);
	if (fd == -ENOENT) {	/* pinned by a khaxdp that reserved nothing */
		free(now);
		return 0;
	}
	err = fd < 0 ? fd : added_read(fd, added);
	for (unsigned int i = 0; !err && i < KX_ARRAY_SIZE(added->w); i++)
		any |= added->w[i] != 0;
	if (!err && any)
		err = kx_reserved_ports_read(KX_RESERVED_PORTS_SYSCTL, now);
	if (!err && any) {
		for (unsigned int i = 0; i < KX_ARRAY_SIZE(now->w); i++)
			now->w[i] &= ~added->w[i];
		err = kx_reserved_ports_write(KX_RESERVED_PORTS_SYSCTL, now);
	}
	if (!err && any)
		err = added_write(fd, NULL, 0);
	if (fd >= 0)
		close(fd);
	free(now);
	return err;
}
