// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * import.c - the warnings of `khaxdp import`, shared value helpers, and
 * the one writer that prints the models of import_haproxy.c and
 * import_keepalived.c as khaxdp.conf.
 *
 * The writer says in comments where each value came from, and explains
 * what a keepalived or haproxy user would otherwise expect (state, the
 * VRRP version, what the tracked script becomes). It writes only keys that
 * loader/config.c and vrrp/vrrp_conf.c read.
 */
#include <ctype.h>
#include <errno.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "import.h"
#include "util.h"

/* ---- warnings ------------------------------------------------------------ */

void kx_imp_warn(struct kx_imp_warnings *w, const char *file, int line,
		 const char *fmt, ...)
{
	struct kx_imp_warning *v;
	va_list ap;
	char *msg;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	v = realloc(w->v, (w->n + 1) * sizeof(*v));
	if (!v) {
		free(msg);
		return;
	}
	w->v = v;
	v[w->n] = (struct kx_imp_warning){ .file = file, .line = line,
					   .seq = (unsigned int)w->n,
					   .msg = msg };
	w->n++;
}

/* Where a file first appears among the warnings: its rank in the sort. */
static size_t file_rank(const struct kx_imp_warnings *w, const char *file)
{
	size_t rank = 0;

	for (size_t i = 0; i < w->n; i++) {
		bool seen = false;

		if (!strcmp(w->v[i].file, file))
			return rank;
		for (size_t j = 0; j < i && !seen; j++)
			seen = !strcmp(w->v[j].file, w->v[i].file);
		rank += !seen;
	}
	return rank;
}

static bool warning_before(const struct kx_imp_warnings *w,
			   const struct kx_imp_warning *a,
			   const struct kx_imp_warning *b)
{
	size_t ra = file_rank(w, a->file), rb = file_rank(w, b->file);

	if (ra != rb)
		return ra < rb;
	if (a->line != b->line)
		return a->line < b->line;
	return a->seq < b->seq;
}

void kx_imp_warnings_sort(struct kx_imp_warnings *w)
{
	/* Insertion sort: a few dozen warnings, and stable. The ranks are
	 * taken from the arrival order, which the seq keeps. */
	struct kx_imp_warnings by_seq = { .n = w->n };

	by_seq.v = malloc(w->n * sizeof(*w->v));
	if (!by_seq.v)
		return;
	memcpy(by_seq.v, w->v, w->n * sizeof(*w->v));
	for (size_t i = 1; i < w->n; i++) {
		struct kx_imp_warning x = w->v[i];
		size_t j = i;

		while (j > 0 && warning_before(&by_seq, &x, &w->v[j - 1])) {
			w->v[j] = w->v[j - 1];
			j--;
		}
		w->v[j] = x;
	}
	free(by_seq.v);
}

void kx_imp_warnings_print(const struct kx_imp_warnings *w, FILE *out)
{
	for (size_t i = 0; i < w->n; i++)
		fprintf(out, "khaxdp: import: %s:%d: warning: %s\n",
			w->v[i].file, w->v[i].line, w->v[i].msg);
}

void kx_imp_warnings_free(struct kx_imp_warnings *w)
{
	for (size_t i = 0; i < w->n; i++)
		free(w->v[i].msg);
	free(w->v);
	w->v = NULL;
	w->n = 0;
}

/* ---- values -------------------------------------------------------------- */

int kx_imp_parse_time(const char *s, uint64_t default_unit_ms, uint64_t *ms)
{
	static const struct {
		const char *suffix;
		uint64_t num, den;	/* ms = v * num / den */
	} units[] = {
		{ "us", 1, 1000 }, { "ms", 1, 1 }, { "s", 1000, 1 },
		{ "m", 60000, 1 }, { "h", 3600000, 1 }, { "d", 86400000, 1 },
	};
	unsigned long long v;
	char *end;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno || v > (1ULL << 40))
		return -ERANGE;
	if (!*end) {
		*ms = v * default_unit_ms;
		return 0;
	}
	for (size_t i = 0; i < KX_ARRAY_SIZE(units); i++) {
		if (strcmp(end, units[i].suffix))
			continue;
		*ms = (v * units[i].num + units[i].den - 1) / units[i].den;
		return 0;
	}
	return -EINVAL;
}

const char *kx_imp_duration_str(uint64_t ms, char *buf, size_t len)
{
	if (ms && ms % 3600000 == 0)
		snprintf(buf, len, "%lluh", (unsigned long long)(ms / 3600000));
	else if (ms && ms % 60000 == 0)
		snprintf(buf, len, "%llum", (unsigned long long)(ms / 60000));
	else if (ms % 1000 == 0)
		snprintf(buf, len, "%llus", (unsigned long long)(ms / 1000));
	else
		snprintf(buf, len, "%llums", (unsigned long long)ms);
	return buf;
}

/* ---- the writer ---------------------------------------------------------- */

static void write_header(FILE *out, const struct kx_imp_haproxy *h,
			 const struct kx_imp_keepalived *k)
{
	fprintf(out, "# khaxdp.conf written by `khaxdp import` from %s%s%s.\n",
		h ? h->file : "", h && k ? " and " : "", k ? k->file : "");
	fprintf(out,
		"# What has no equivalent in khaxdp was listed on stderr. Check it with\n"
		"# `khaxdp-vrrpd -t -c FILE`, then install it as /etc/khaxdp/khaxdp.conf.\n");
}

/* A listen port inside the default SNAT ports would make the file invalid
 * (a packet to a VIP on a SNAT port is a reply): then the largest gap
 * between the services' ports above 10000, at most the default's size. */
static void write_snat_ports(FILE *out, const struct kx_imp_haproxy *h)
{
	uint32_t lo = 10000, best_lo = 0, best_len = 0, max;
	bool clash = false;

	for (unsigned int i = 0; h && i < h->n_services; i++)
		clash |= h->services[i].port >= KX_DEFAULT_SNAT_MIN &&
			 h->services[i].port <= KX_DEFAULT_SNAT_MAX;
	if (!clash)
		return;
	while (lo <= 65535) {
		uint32_t hi = 65535;

		for (unsigned int i = 0; i < h->n_services; i++)
			if (h->services[i].port >= lo && h->services[i].port <= hi)
				hi = h->services[i].port - 1u;
		if (hi >= lo && hi - lo + 1 > best_len) {
			best_lo = lo;
			best_len = hi - lo + 1;
		}
		lo = hi + 2;	/* past the service port that ended the gap */
	}
	max = KX_DEFAULT_SNAT_MAX - KX_DEFAULT_SNAT_MIN + 1;
	if (best_len > max)
		best_len = max;
	fprintf(out, "# A service listens inside the default snat_ports %u-%u:\n"
		     "snat_ports = %u-%u\n", KX_DEFAULT_SNAT_MIN, KX_DEFAULT_SNAT_MAX,
		best_lo, best_lo + best_len - 1);
}

/* An interface name khaxdp.conf can carry: not empty, shorter than
 * IF_NAMESIZE, printable, no blank, '/', or comment character. */
static bool valid_ifname(const char *s)
{
	if (!*s || strlen(s) >= IF_NAMESIZE)
		return false;
	for (; *s; s++)
		if (!isgraph((unsigned char)*s) || strchr("/#;", *s))
			return false;
	return true;
}

static void write_global(FILE *out, const struct kx_imp_haproxy *h,
			 const struct kx_imp_keepalived *k)
{
	fprintf(out, "\n[global]\n");
	write_snat_ports(out, h);
	if (!k || !k->n || !valid_ifname(k->inst[0].interface)) {
		fprintf(out, "# The interface of the VIP (or: khaxdp attach IFNAME).\n"
			     "# interface = ens33\n");
		return;
	}
	fprintf(out, "# of vrrp_instance %s (%s:%d)\n", k->inst[0].name,
		k->file, k->inst[0].line);
	fprintf(out, "interface = %s\n", k->inst[0].interface);
	for (unsigned int i = 1; i < k->n; i++)
		if (strcmp(k->inst[i].interface, k->inst[0].interface))
			fprintf(out, "# vrrp_instance %s is on %s: attach khaxdp there too if it\n"
				     "# carries a VIP of a [service].\n",
				k->inst[i].name, k->inst[i].interface);
}

/* The VIP a wildcard bind stands for, with the port: the first address of
 * the first instance, without its prefix; for an IPv6 bind ("[::]:PORT"),
 * its first IPv6 one (excluded), as [VIP]:PORT. */
static bool first_vip(const struct kx_imp_keepalived *k,
		      const struct kx_imp_service *s, char *buf, size_t len)
{
	const char *a = NULL;

	if (!k || !k->n)
		return false;
	if (s->listen[0] != '[') {
		if (k->inst[0].n_vips)
			a = k->inst[0].vips[0];
	} else {
		for (unsigned int i = 0; !a && i < k->inst[0].n_excluded; i++)
			if (strchr(k->inst[0].excluded[i], ':'))
				a = k->inst[0].excluded[i];
	}
	if (!a)
		return false;
	snprintf(buf, len, s->listen[0] == '[' ? "[%.*s]:%u" : "%.*s:%u",
		 (int)strcspn(a, "/"), a, s->port);
	return true;
}

/* A value haproxy takes and khaxdp does not: brought within khaxdp's
 * bounds, said once. */
static uint64_t within(struct kx_imp_warnings *w, const char *file, int line,
		       const char *what, uint64_t v, uint64_t lo, uint64_t hi)
{
	uint64_t c = v < lo ? lo : v > hi ? hi : v;

	if (c != v)
		kx_imp_warn(w, file, line, "%s %llu not carried over as it is: khaxdp takes %llu to %llu; written %llu",
			    what, (unsigned long long)v, (unsigned long long)lo,
			    (unsigned long long)hi, (unsigned long long)c);
	return c;
}

static void write_service(FILE *out, const struct kx_imp_haproxy *h,
			  const struct kx_imp_service *s,
			  const struct kx_imp_keepalived *k,
			  struct kx_imp_warnings *w)
{
	char d[32], vip[KX_IMP_ADDR_LEN];

	fprintf(out, "\n# %s (%s:%d)", s->frontend, h->file, s->frontend_line);
	if (s->backend[0])
		fprintf(out, " -> %s (%s:%d)", s->backend, h->file,
			s->backend_line);
	fprintf(out, "\n[service %s]\n", s->name);
	if (!s->listen_any) {
		fprintf(out, "listen = %s\n", s->listen);
	} else if (first_vip(k, s, vip, sizeof(vip))) {
		fprintf(out, "# haproxy binds every address (line %d); khaxdp balances the VIP\n"
			     "# of vrrp_instance %s.\n", s->bind_line,
			k->inst[0].name);
		fprintf(out, "listen = %s\n", vip);
	} else {
		const char *v = s->listen[0] == '[' ? "[VIP]" : "VIP";

		kx_imp_warn(w, h->file, s->bind_line,
			    "bind on every address not carried over: khaxdp balances one VIP; replace %s in 'listen = %s:%u' (or import with --keepalived)",
			    v, v, s->port);
		fprintf(out, "# haproxy binds every address (line %d): write the VIP here.\n",
			s->bind_line);
		fprintf(out, "listen = %s:%u\n", v, s->port);
	}
	fprintf(out, "# nat while some servers still run haproxy; once every server runs\n"
		     "# khaxdp, mode = dsr: they answer their clients directly and\n"
		     "# connections survive a failover (flow sync).\n"
		     "mode = nat\nbalance = roundrobin\n");
	if (s->timeout_ms) {
		fprintf(out, "# %s\n", s->timeout_from);
		fprintf(out, "timeout = %s\n",
			kx_imp_duration_str(s->timeout_ms, d, sizeof(d)));
	} else {
		fprintf(out, "# no timeout client/server in %s: khaxdp's default idle timeout\n"
			     "timeout = 30m\n", h->file);
	}
	if (s->check == KX_CHECK_NONE) {
		fprintf(out, "# no server has 'check': the servers are never checked\n");
	} else {
		fprintf(out, "# %s\n", s->check_from);
		if (s->check == KX_CHECK_HTTPS)
			fprintf(out, "check = https %s\n", s->check_path);
		else
			fprintf(out, "check = tcp\n");
		fprintf(out, "inter = %s\n",
			kx_imp_duration_str(within(w, h->file, s->backend_line,
						   "inter (ms)", s->inter_ms,
						   KX_CHECK_MIN_MS, KX_CHECK_MAX_MS),
					    d, sizeof(d)));
		fprintf(out, "rise = %llu\nfall = %llu\n",
			(unsigned long long)within(w, h->file, s->backend_line, "rise",
						   s->rise, 1, KX_CHECK_MAX_COUNT),
			(unsigned long long)within(w, h->file, s->backend_line, "fall",
						   s->fall, 1, KX_CHECK_MAX_COUNT));
		if (s->check_timeout_ms)
			fprintf(out, "# timeout check\ncheck_timeout = %s\n",
				kx_imp_duration_str(within(w, h->file, s->backend_line,
							   "timeout check (ms)",
							   s->check_timeout_ms,
							   KX_CHECK_MIN_MS,
							   KX_CHECK_MAX_MS),
						    d, sizeof(d)));
		fprintf(out, "# haproxy counts a new server up until its checks fail; khaxdp counts\n"
			     "# it down until 'rise' checks pass. To start as haproxy does:\n"
			     "# start = up\n");
	}
	for (unsigned int i = 0; i < s->n_servers; i++)
		fprintf(out, "server = %s %s\n", s->servers[i].name,
			s->servers[i].addr);
}

static void write_stats(FILE *out, const struct kx_imp_haproxy *h)
{
	const struct kx_imp_stats *st = &h->stats;

	const char *port = strrchr(st->listen, ':');

	fprintf(out, "\n# %s (%s:%d): served by khaxdp-vrrpd, with /metrics and /status.json\n",
		st->name, h->file, st->line);
	fprintf(out, "# haproxy bound %s; khaxdp's page listens on the loopback until\n"
		     "# it is opened on purpose (a management address, allow = NETWORKS).\n",
		st->listen);
	fprintf(out, "[stats]\nlisten = 127.0.0.1%s\nuri = %s\n", port ? port : ":9000",
		st->uri);
	if (st->auth[0])
		fprintf(out, "# stats auth (line %d): keep this file readable by root only\n"
			     "auth = %s\n", st->auth_line, st->auth);
}

static void write_track(FILE *out, const struct kx_imp_vrrp *v)
{
	fprintf(out, "# vrrp_script %s (\"%s\", weight %d)\n", v->track_script,
		v->track_command, v->track_weight);
	if (v->track == KX_IMP_TRACK_APISERVER)
		fprintf(out,
			"# checked the local apiserver. khaxdp keeps the election independent of\n"
			"# apiserver health: a dead apiserver is taken out of the rotation by the\n"
			"# backend checks of [service], on every node, wherever the VIP is. What\n"
			"# the election tracks is that the khaxdp data plane is attached on %s.\n",
			v->interface);
	else
		fprintf(out,
			"# checked that haproxy runs; khaxdp tracks that its data plane is attached\n"
			"# on %s instead.\n", v->interface);
	if (v->track_weight > 0)
		fprintf(out, "# +%d while it is attached, as keepalived added it while the script passed.\n",
			v->track_weight);
	else if (v->track_weight < 0)
		fprintf(out, "# %d while it is not attached, as keepalived took it off while the script\n"
			     "# failed: the same priorities as the keepalived nodes of a mixed cluster.\n",
			v->track_weight);
	else
		fprintf(out, "# weight 0: FAULT while it is not attached, as keepalived on a failing script.\n");
	fprintf(out, "track_dataplane = weight %d\n", v->track_weight);
}

static void write_vrrp(FILE *out, const struct kx_imp_keepalived *k,
		       const struct kx_imp_vrrp *v)
{
	static const char *const notify_keys[KX_IMP_NOTIFY_KINDS] = {
		"notify_master", "notify_backup", "notify_fault", "notify",
	};
	char d[32];

	fprintf(out, "\n# vrrp_instance %s (%s:%d)\n[vrrp %s]\n", v->name,
		k->file, v->line, v->name);
	fprintf(out, "interface = %s\n", v->interface);
	if (v->state[0])
		fprintf(out, "# state %s (line %d) is not carried over: khaxdp-vrrpd starts every node\n"
			     "# as BACKUP and elects by priority, so the highest priority holds the VIP.\n",
			v->state, v->state_line);
	fprintf(out, "virtual_router_id = %u\n", v->vrid);
	if (!v->priority)
		fprintf(out, "# keepalived's default\n");
	fprintf(out, "priority = %u\n", v->priority ? v->priority : 100);
	fprintf(out, "advert_int = %s\n",
		kx_imp_duration_str(v->advert_int_ms ? v->advert_int_ms : 1000,
				    d, sizeof(d)));
	if (!v->version_given)
		fprintf(out, "# keepalived's default VRRP version (khaxdp-vrrpd's is 3): the keepalived\n"
			     "# nodes still running understand this node's adverts.\n");
	fprintf(out, "version = %u\n", v->version);
	for (unsigned int i = 0; i < v->n_vips; i++)
		fprintf(out, "virtual_ipaddress = %s\n", v->vips[i]);
	for (unsigned int i = 0; i < v->n_excluded; i++)
		fprintf(out, "virtual_ipaddress_excluded = %s\n", v->excluded[i]);
	if (v->nopreempt)
		fprintf(out, "# nopreempt\npreempt = no\n");
	if (v->has_preempt_delay)
		fprintf(out, "preempt_delay = %s\n",
			kx_imp_duration_str(v->preempt_delay_ms, d, sizeof(d)));
	if (v->garp_repeat)
		fprintf(out, "garp_master_repeat = %d\n", v->garp_repeat);
	if (v->has_garp_delay)
		fprintf(out, "garp_master_delay = %s\n",
			kx_imp_duration_str(v->garp_delay_ms, d, sizeof(d)));
	if (v->unicast_src[0])
		fprintf(out, "unicast_src_ip = %s\n", v->unicast_src);
	for (unsigned int i = 0; i < v->n_peers; i++)
		fprintf(out, "unicast_peer = %s\n", v->peers[i]);
	if (v->has_auth)
		fprintf(out, "# authentication PASS: the password travels in clear in every advert, it\n"
			     "# protects nothing; kept so that keepalived peers accept this node.\n"
			     "auth_pass = %s\n", v->auth_pass);
	if (v->track)
		write_track(out, v);
	for (int i = 0; i < KX_IMP_NOTIFY_KINDS; i++)
		if (v->notify[i][0])
			fprintf(out, "%s = %s\n", notify_keys[i], v->notify[i]);
}

/* The address:port a service listens on once written ("" for the VIP a
 * wildcard bind stands for when there is no keepalived.conf). */
static void final_listen(const struct kx_imp_service *s,
			 const struct kx_imp_keepalived *k, char *buf,
			 size_t len)
{
	char vip[KX_IMP_ADDR_LEN];

	if (!s->listen_any)
		snprintf(buf, len, "%s", s->listen);
	else if (first_vip(k, s, vip, sizeof(vip)))
		snprintf(buf, len, "%s", vip);
	else
		buf[0] = '\0';
}

int kx_import_write(FILE *out, const struct kx_imp_haproxy *h,
		    const struct kx_imp_keepalived *k,
		    struct kx_imp_warnings *w)
{
	char listen[KHAXDP_MAX_SERVICES][KX_IMP_ADDR_LEN];

	write_header(out, h, k);
	write_global(out, h, k);
	for (unsigned int i = 0; h && i < h->n_services; i++) {
		const struct kx_imp_service *s = &h->services[i];
		unsigned int j;

		/* bind *:7443 and bind VIP:7443 are one address for khaxdp. */
		final_listen(s, k, listen[i], sizeof(listen[i]));
		for (j = 0; j < i; j++)
			if (listen[i][0] && !strcmp(listen[i], listen[j]))
				break;
		if (j < i) {
			kx_imp_warn(w, h->file, s->bind_line,
				    "%s not carried over: it listens on %s as %s does, and khaxdp balances an address:port once",
				    s->frontend, listen[i], h->services[j].frontend);
			continue;
		}
		write_service(out, h, s, k, w);
	}
	if (h && h->stats.present)
		write_stats(out, h);
	for (unsigned int i = 0; k && i < k->n; i++)
		write_vrrp(out, k, &k->inst[i]);
	return ferror(out) ? kx_fail(-EIO, "write error") : 0;
}

/* ---- the verb ------------------------------------------------------------ */

static int read_file(const char *path, char **text)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	FILE *f;

	*text = NULL;
	f = fopen(path, "r");
	if (!f)
		return kx_fail(-errno, "%s: %s", path, strerror(errno));
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			char *nb = realloc(buf, cap + 65536);

			if (!nb) {
				free(buf);
				fclose(f);
				return kx_fail(-ENOMEM, "%s: out of memory", path);
			}
			buf = nb;
			cap += 65536;
		}
		n = fread(buf + len, 1, cap - len - 1, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		int e = errno;

		free(buf);
		fclose(f);
		return kx_fail(-e, "%s: %s", path, strerror(e));
	}
	fclose(f);
	buf[len] = '\0';
	if (strlen(buf) != len) {
		free(buf);
		return kx_fail(-EINVAL, "%s: not a text file (NUL byte)", path);
	}
	*text = buf;
	return 0;
}

int kx_import_files(const char *haproxy_path, const char *keepalived_path,
		    FILE *out, FILE *errf)
{
	struct kx_imp_warnings w = {};
	struct kx_imp_haproxy *h = NULL;
	struct kx_imp_keepalived *k = NULL;
	char *text = NULL, *conf = NULL;
	size_t conf_len = 0;
	FILE *mem = NULL;
	int err = 0;

	if (haproxy_path) {
		h = calloc(1, sizeof(*h));
		err = h ? read_file(haproxy_path, &text) :
			  kx_fail(-ENOMEM, "out of memory");
		if (!err)
			err = kx_import_haproxy(haproxy_path, text, h, &w);
		free(text);
		text = NULL;	/* the next branch may fail before reading */
	}
	if (!err && keepalived_path) {
		k = calloc(1, sizeof(*k));
		err = k ? read_file(keepalived_path, &text) :
			  kx_fail(-ENOMEM, "out of memory");
		if (!err)
			err = kx_import_keepalived(keepalived_path, text, k, &w);
		free(text);
		text = NULL;
	}
	/* The file is written to memory first: nothing on stdout unless it
	 * is complete. */
	if (!err) {
		mem = open_memstream(&conf, &conf_len);
		err = mem ? kx_import_write(mem, h, k, &w) :
			    kx_fail(-errno, "out of memory");
		if (mem && fclose(mem) && !err)
			err = kx_fail(-EIO, "out of memory");
	}
	if (!err) {
		kx_imp_warnings_sort(&w);
		kx_imp_warnings_print(&w, errf);
		if (fwrite(conf, 1, conf_len, out) != conf_len || fflush(out))
			err = kx_fail(-EIO, "write error: %s", strerror(errno));
	}
	free(conf);
	free(h);
	free(k);
	kx_imp_warnings_free(&w);
	return err;
}
