// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * main.c - the khaxdp command: `khaxdp [-c FILE] [--json] [-v] VERB ARGS`.
 *
 * Options come before the verb, as with ip and bpftool. The work is done by
 * libkhaxdp (config, attach, maps); this file parses the command line and
 * prints.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "attach.h"
#include "cgroup.h"
#include "config.h"
#include "import.h"
#include "json.h"
#include "counters.h"
#include "maps.h"
#include "snapshot.h"
#include "ports.h"
#include "util.h"


struct cli {
	const char *config_path;
	bool config_given;
	bool json;
	struct kx_config cfg;
	struct kx_json js;
};

struct verb {
	const char *name;
	int (*run)(struct cli *cli, int argc, char **argv);
	const char *usage;
	const char *help;
};

static int fail(void)
{
	fprintf(stderr, "khaxdp: %s\n", kx_last_error());
	return 1;
}

static int usage_error(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));

/* A command line khaxdp does not understand: exit status 2. */
static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "khaxdp: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, " (see khaxdp --help)\n");
	return 2;
}

/* ---- shared steps ------------------------------------------------------- */

/* The default file may be missing (inspect verbs then use the default
 * bpffs dir); a file named with -c must exist. */
static int load_config(struct cli *cli, bool required)
{
	if (!cli->config_given && !required &&
	    access(cli->config_path, F_OK) < 0 && errno == ENOENT) {
		kx_config_init(&cli->cfg);
		return 0;
	}
	return kx_config_load(&cli->cfg, cli->config_path) ? fail() : 0;
}

static int need_root(const char *verb)
{
	if (geteuid() == 0)
		return 0;
	fprintf(stderr, "khaxdp: %s: must run as root (needs CAP_BPF and CAP_NET_ADMIN)\n",
		verb);
	return 1;
}

static int open_maps(struct cli *cli, struct kx_maps *m)
{
	int err = kx_maps_open(m, cli->cfg.bpffs);

	if (err == -ENOSYS)
		kx_fail(err, "this kernel has no BPF support");
	return err ? fail() : 0;
}

static const char *addr_port_str(const union khaxdp_addr *a, __be16 port,
				 uint8_t family, char *buf, size_t len)
{
	struct kx_endpoint ep = { .addr = *a, .port = ntohs(port),
				  .family = family };

	return kx_endpoint_str(&ep, buf, len);
}

/* ---- attach / detach ---------------------------------------------------- */

static int run_attach(struct cli *cli, int argc, char **argv)
{
	enum kx_xdp_mode mode = KX_XDP_AUTO;
	struct kx_attach_result res;
	const char *ifname = NULL;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--mode") && i + 1 < argc) {
			if (kx_xdp_mode_parse(argv[++i], &mode))
				return usage_error("attach: --mode %s: expected native or generic",
						   argv[i]);
		} else if (argv[i][0] == '-' || ifname) {
			return usage_error("attach: unexpected '%s'", argv[i]);
		} else {
			ifname = argv[i];
		}
	}
	if (load_config(cli, true))
		return 1;
	if (!ifname)
		ifname = cli->cfg.interface[0] ? cli->cfg.interface : NULL;
	if (!ifname)
		return usage_error("attach: which interface? (khaxdp attach IFNAME, or [global] interface)");
	if (need_root("attach"))
		return 1;
	if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_XDP, NULL) <= 0) {
		fprintf(stderr, "khaxdp: %s: this kernel cannot load XDP programs\n",
			ifname);
		return 1;
	}
	if (kx_attach(&cli->cfg, ifname, mode, &res))
		return fail();
	if (cli->json) {
		kx_json_object_begin(&cli->js);
		kx_json_kv_string(&cli->js, "interface", ifname);
		kx_json_kv_bool(&cli->js, "upgraded", res.upgraded);
		kx_json_kv_string(&cli->js, "xdp_mode",
				  res.xdp.generic ? "generic" : "native");
		kx_json_kv_bool(&cli->js, "dispatcher", res.xdp.dispatcher);
		kx_json_kv_u64(&cli->js, "xdp_prog_id", res.xdp.our_id);
		kx_json_kv_u64(&cli->js, "tc_prog_id", res.tc_id);
		kx_json_object_end(&cli->js);
	} else {
		printf("%s: %s XDP program %u (%s), TC egress program %u\n",
		       ifname, res.upgraded ? "upgraded to" : "attached",
		       res.xdp.our_id, kx_xdp_info_mode_str(&res.xdp),
		       res.tc_id);
	}
	return 0;
}

static int run_detach(struct cli *cli, int argc, char **argv)
{
	const char *ifname = NULL;
	bool force = false;
	int err;

	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--force"))
			force = true;
		else if (!ifname && argv[i][0] != '-')
			ifname = argv[i];
		else
			return usage_error("detach: unexpected '%s'", argv[i]);
	}
	if (load_config(cli, false))
		return 1;
	if (!ifname)
		ifname = cli->cfg.interface[0] ? cli->cfg.interface : NULL;
	if (!ifname)
		return usage_error("detach: which interface?");
	if (need_root("detach"))
		return 1;
	err = kx_detach(cli->cfg.bpffs, ifname, force);
	if (err == -ENOENT) {
		/* Detaching twice is not an error. */
		fprintf(stderr, "khaxdp: %s\n", kx_last_error());
		return 0;
	}
	return err ? fail() : 0;
}

/* ---- status ------------------------------------------------------------- */

/* Both status and stats render a kx_snapshot (loader/snapshot.h); a
 * backend is one kx_backend_json_fields() object in either. */

static int snapshot_take(struct cli *cli, struct kx_maps *m, unsigned int flags,
			 struct kx_snapshot **out)
{
	struct kx_snapshot *s = calloc(1, sizeof(*s));

	(void)cli;
	if (!s)
		return kx_fail(-ENOMEM, "out of memory");
	if (kx_snapshot_read(m, flags, s)) {
		free(s);
		return -1;
	}
	*out = s;
	return 0;
}

static void print_backend_text(const struct kx_backend_view *b)
{
	const struct khaxdp_backend_stats *c = &b->counters;

	printf("  %-16s %-22s %-5s %-9s %-5s %10llu %12llu %10llu %12llu %8llu %7llu\n",
	       b->name, b->address, kx_health_str(b->health),
	       kx_admin_str(b->admin), b->local ? "yes" : "no",
	       (unsigned long long)c->packets_in,
	       (unsigned long long)c->bytes_in,
	       (unsigned long long)c->packets_out,
	       (unsigned long long)c->bytes_out,
	       (unsigned long long)c->flows_opened,
	       (unsigned long long)b->active_flows);
}

static void print_backend_json(struct kx_json *j, const struct kx_backend_view *b)
{
	kx_json_object_begin(j);
	kx_backend_json_fields(j, b);
	kx_json_object_end(j);
}

/* The ring's backends by name. */
static void print_ring(struct cli *cli, const struct kx_snapshot *s,
		       const struct kx_service_view *sv)
{
	const struct khaxdp_ring *ring = &sv->ring;
	struct kx_json *j = &cli->js;

	if (cli->json) {
		kx_json_key(j, "ring");
		kx_json_array_begin(j);
	} else {
		printf("  ring (slot %u):", sv->ring_slot);
	}
	for (uint32_t i = 0; i < ring->count && i < KHAXDP_MAX_SERVICE_BACKENDS; i++) {
		const char *name = "?";

		for (unsigned int k = sv->first; k < sv->first + sv->n; k++)
			if (s->backends[k].id == ring->backend[i])
				name = s->backends[k].name;
		if (cli->json)
			kx_json_string(j, name);
		else
			printf(" %s", name);
	}
	if (cli->json)
		kx_json_array_end(j);
	else
		printf("%s\n", ring->count ? "" : " (empty: no usable backend)");
}

static void print_service(struct cli *cli, const struct kx_snapshot *s,
			  const struct kx_service_view *sv)
{
	const char *mode = sv->mode == KHAXDP_MODE_NAT ? "nat" : "dsr";
	struct kx_json *j = &cli->js;

	if (cli->json) {
		kx_json_object_begin(j);
		kx_json_kv_u64(j, "id", sv->id);
		kx_json_kv_string(j, "name", sv->name);
		kx_json_kv_string(j, "listen", sv->listen);
		kx_json_kv_string(j, "mode", mode);
		kx_json_kv_u64(j, "timeout_s", sv->timeout_s);
		kx_json_kv_u64(j, "ring_slot", sv->ring_slot);
	} else {
		printf("\nservice %s  listen %s  mode %s  timeout %us\n",
		       sv->name, sv->listen, mode, sv->timeout_s);
	}
	print_ring(cli, s, sv);
	if (cli->json) {
		kx_json_key(j, "backends");
		kx_json_array_begin(j);
	} else {
		printf("  %-16s %-22s %-5s %-9s %-5s %10s %12s %10s %12s %8s %7s\n",
		       "BACKEND", "ADDRESS", "HEALTH", "ADMIN", "LOCAL",
		       "PKTS_IN", "BYTES_IN", "PKTS_OUT", "BYTES_OUT", "OPENED",
		       "ACTIVE");
	}
	for (unsigned int k = sv->first; k < sv->first + sv->n; k++) {
		if (cli->json)
			print_backend_json(j, &s->backends[k]);
		else
			print_backend_text(&s->backends[k]);
	}
	if (cli->json) {
		kx_json_array_end(j);
		kx_json_object_end(j);
	}
}

/* Whether the kernel keeps its ephemeral ports out of the SNAT range, and
 * which ports attach added to ip_local_reserved_ports for that. */
struct ports_info {
	bool known, reserved;
	char added[256];
};

static void ports_info(const struct kx_maps *m, const struct khaxdp_node *node,
		       struct ports_info *pi)
{
	struct khaxdp_port_range r[KHAXDP_MAX_RESERVED_RANGES];
	struct kx_portset *s = calloc(1, sizeof(*s));
	int n;

	memset(pi, 0, sizeof(*pi));
	if (!s)
		return;
	pi->known = !kx_reserved_ports_read(KX_RESERVED_PORTS_SYSCTL, s);
	pi->reserved = pi->known && node->snat_port_min &&
		       kx_portset_has_all(s, node->snat_port_min,
					  node->snat_port_max);
	n = kx_ports_added(m->dir, r, KHAXDP_MAX_RESERVED_RANGES);
	memset(s, 0, sizeof(*s));
	for (int i = 0; i < n; i++)
		kx_portset_add(s, r[i].first, r[i].last);
	if (kx_portset_format(s, pi->added, sizeof(pi->added)))
		snprintf(pi->added, sizeof(pi->added), "(%d ranges)", n);
	free(s);
}

static void print_header_text(const struct kx_snapshot *s,
			      const struct ports_info *pi)
{
	const struct khaxdp_node *node = &s->node;
	const struct kx_attachment *a = &s->att;
	const char *scope = node->flags & KHAXDP_NODE_SOCKET_LB_ALL ?
				    "every network namespace" :
				    "this network namespace";

	printf("interface %s (ifindex %u)  address %s  SNAT ports %u-%u  %s\n",
	       a->ifname, node->ifindex, s->node_address, node->snat_port_min,
	       node->snat_port_max, node->active ? "active" : "standby");
	if (node->n_vips6 || s->node_address6[0])
		printf("IPv6: address %s  %s\n",
		       s->node_address6[0] ? s->node_address6 : "none",
		       node->active6 ? "active" : "standby");
	if (!(node->flags & KHAXDP_NODE_SNAT_NODE))
		printf("NAT towards remote backends from the VIP (snat_address = vip): the node's own connections never use those tuples\n");
	else if (pi->reserved)
		printf("NAT from the node's address; SNAT ports reserved from the kernel's ephemeral ports (net.ipv4.ip_local_reserved_ports; added by khaxdp: %s)\n",
		       pi->added[0] ? pi->added : "none, reserved already");
	else
		printf("SNAT ports NOT reserved from the kernel's ephemeral ports: local connections may take them (%s net.ipv4.ip_local_reserved_ports)\n",
		       pi->known ? "see" : "cannot read");
	printf("XDP %s: program %u %s\n", kx_xdp_info_mode_str(&a->xdp),
	       a->xdp.our_id, a->xdp.ours ? "attached" : "NOT ATTACHED");
	printf("TC egress: program %u %s\n", a->tc_prog_id,
	       a->tc_attached ? "attached" : "NOT ATTACHED");
	if (a->cgroup.connect4)
		printf("local clients: cgroup connect4 program %u, getpeername4 program %u, connect6 program %u, getpeername6 program %u, in %s\n",
		       a->cgroup.connect4, a->cgroup.getpeername4,
		       a->cgroup.connect6, a->cgroup.getpeername6, scope);
	else
		printf("local clients: not balanced (socket_lb = off)\n");
	printf("flows: %u of %u\n", s->flows, s->max_flows);
	printf("half-open: %u of %u (connect timeout %us, %u per source)\n",
	       s->half_open, s->max_half_open, s->node.connect_timeout_s,
	       s->node.half_open_per_source);
	if (s->node.flags & KHAXDP_NODE_DSR_CONFIRM)
		printf("DSR flows confirmed by the node serving them (flow sync): %u acknowledged by their client, waiting for it\n",
		       s->half_open_acked);
	else
		printf("DSR flows confirmed on their client's ACK (no flow sync runs)\n");
}

static void print_header_json(struct kx_json *j, const struct kx_snapshot *s,
			      const struct ports_info *pi)
{
	const struct khaxdp_node *node = &s->node;
	const struct kx_attachment *a = &s->att;

	kx_json_kv_string(j, "interface", a->ifname);
	kx_json_kv_u64(j, "ifindex", node->ifindex);
	kx_json_kv_string(j, "address", s->node_address);
	kx_json_kv_u64(j, "snat_port_min", node->snat_port_min);
	kx_json_kv_u64(j, "snat_port_max", node->snat_port_max);
	kx_json_kv_string(j, "snat_address",
			  node->flags & KHAXDP_NODE_SNAT_NODE ? "node" : "vip");
	kx_json_kv_bool(j, "snat_ports_reserved", pi->reserved);
	kx_json_kv_string(j, "reserved_ports_added", pi->added);
	kx_json_kv_bool(j, "active", node->active);
	kx_json_kv_string(j, "address6", s->node_address6);
	kx_json_kv_bool(j, "active6", node->active6);
	kx_json_key(j, "xdp");
	kx_json_object_begin(j);
	kx_json_kv_bool(j, "attached", a->xdp.ours);
	kx_json_kv_string(j, "mode", a->xdp.generic ? "generic" : "native");
	kx_json_kv_bool(j, "dispatcher", a->xdp.dispatcher);
	kx_json_kv_u64(j, "prog_id", a->xdp.our_id);
	kx_json_kv_u64(j, "hook_prog_id", a->xdp.main_id);
	kx_json_object_end(j);
	kx_json_key(j, "tc");
	kx_json_object_begin(j);
	kx_json_kv_bool(j, "attached", a->tc_attached);
	kx_json_kv_u64(j, "prog_id", a->tc_prog_id);
	kx_json_object_end(j);
	kx_json_key(j, "socket_lb");
	kx_json_object_begin(j);
	kx_json_kv_bool(j, "attached", a->cgroup.connect4 != 0);
	kx_json_kv_string(j, "scope", node->flags & KHAXDP_NODE_SOCKET_LB_ALL ?
					      "all" : "local");
	kx_json_kv_u64(j, "connect4_prog_id", a->cgroup.connect4);
	kx_json_kv_u64(j, "getpeername4_prog_id", a->cgroup.getpeername4);
	kx_json_kv_u64(j, "connect6_prog_id", a->cgroup.connect6);
	kx_json_kv_u64(j, "getpeername6_prog_id", a->cgroup.getpeername6);
	kx_json_object_end(j);
	kx_json_kv_u64(j, "flows", s->flows);
	kx_json_kv_u64(j, "max_flows", s->max_flows);
	kx_json_kv_u64(j, "half_open", s->half_open);
	kx_json_kv_u64(j, "max_half_open", s->max_half_open);
	kx_json_kv_u64(j, "connect_timeout_s", s->node.connect_timeout_s);
	kx_json_kv_u64(j, "half_open_per_source", s->node.half_open_per_source);
	kx_json_kv_bool(j, "dsr_confirmed_by_sync",
			s->node.flags & KHAXDP_NODE_DSR_CONFIRM);
	kx_json_kv_u64(j, "half_open_acked", s->half_open_acked);
}

/* ---- status: flow sync, as the agent last wrote it ------------------------ */

/* [sync] state_file, else the agent's default. */
static const char *sync_state_path(const struct cli *cli)
{
	for (size_t i = 0; i < cli->cfg.n_extra; i++)
		if (!strcmp(cli->cfg.extra[i].section, "sync") &&
		    !strcmp(cli->cfg.extra[i].key, "state_file"))
			return cli->cfg.extra[i].value;
	return KX_SYNC_STATE_FILE;
}

/* A value of the state file: a number (-1 included) or a string. */
static void json_word(struct kx_json *j, const char *v)
{
	char *end;
	long long n = strtoll(v, &end, 10);

	if (*v && !*end && n >= 0)
		kx_json_u64(j, (uint64_t)n);
	else if (*v && !*end)
		kx_json_null(j);		/* -1: never */
	else
		kx_json_string(j, v);
}

/* One `KIND key=value ...` line as the members of an open object. */
static void json_line(struct kx_json *j, char *line)
{
	char *save = NULL, *w, *eq;

	strtok_r(line, " \n", &save);		/* the kind */
	while ((w = strtok_r(NULL, " \n", &save))) {
		eq = strchr(w, '=');
		if (!eq)
			continue;
		*eq = '\0';
		kx_json_key(j, w);
		json_word(j, eq + 1);
	}
}

/*
 * The agent writes its flow sync state every second (khaxdp-vrrpd, [sync]):
 * shown as it is, one line per thing, or as a "sync" object with --json.
 * No file: the agent does not run flow sync. Older than 5 s: it stopped.
 */
static void print_sync(struct cli *cli)
{
	const char *path = sync_state_path(cli);
	char line[1024];
	struct stat st;
	bool stale, peers = false;
	FILE *f = fopen(path, "re");

	stale = f && !fstat(fileno(f), &st) && time(NULL) - st.st_mtime > 5;
	if (cli->json) {
		kx_json_key(&cli->js, "sync");
		if (!f) {
			kx_json_null(&cli->js);
			return;
		}
		kx_json_object_begin(&cli->js);
		kx_json_kv_bool(&cli->js, "stale", stale);
		while (fgets(line, sizeof(line), f)) {
			if (!strncmp(line, "sync ", 5)) {
				json_line(&cli->js, line);
				continue;
			}
			if (strncmp(line, "peer ", 5))
				continue;
			if (!peers) {
				kx_json_key(&cli->js, "peers");
				kx_json_array_begin(&cli->js);
				peers = true;
			}
			kx_json_object_begin(&cli->js);
			json_line(&cli->js, line);
			kx_json_object_end(&cli->js);
		}
		if (peers)
			kx_json_array_end(&cli->js);
		kx_json_object_end(&cli->js);
		fclose(f);
		return;
	}
	if (!f) {
		printf("flow sync: not running (no %s: khaxdp-vrrpd with [sync], or a dsr service, writes it)\n",
		       path);
		return;
	}
	printf("flow sync%s:\n", stale ? " (STALE: the agent stopped writing it)" : "");
	while (fgets(line, sizeof(line), f))
		printf("  %s", line);
	fclose(f);
}

static int status_print(struct cli *cli, struct kx_maps *m)
{
	struct kx_snapshot *s = NULL;
	struct ports_info pi;

	if (snapshot_take(cli, m, KX_SNAPSHOT_ATTACHMENT, &s))
		return fail();
	ports_info(m, &s->node, &pi);
	if (cli->json) {
		kx_json_object_begin(&cli->js);
		print_header_json(&cli->js, s, &pi);
		kx_json_key(&cli->js, "services");
		kx_json_array_begin(&cli->js);
	} else {
		print_header_text(s, &pi);
	}
	for (unsigned int i = 0; i < s->n_services; i++)
		print_service(cli, s, &s->services[i]);
	if (cli->json)
		kx_json_array_end(&cli->js);
	print_sync(cli);
	if (cli->json)
		kx_json_object_end(&cli->js);
	free(s);
	return 0;
}

static int run_status(struct cli *cli, int argc, char **argv)
{
	struct kx_maps m;
	int ret;

	if (argc > 1)
		return usage_error("status: unexpected '%s'", argv[1]);
	if (load_config(cli, false) || need_root("status") ||
	    open_maps(cli, &m))
		return 1;
	ret = status_print(cli, &m);
	kx_maps_close(&m);
	return ret;
}

/* ---- backend ------------------------------------------------------------ */

static void print_backend_change(struct cli *cli, struct kx_maps *m,
				 uint32_t id)
{
	struct khaxdp_backend b;
	struct khaxdp_service svc;
	char name[2 * KHAXDP_NAME_LEN + 2];

	if (bpf_map_lookup_elem(m->backends, &id, &b))
		return;
	if (kx_service_by_id(m, b.service_id, NULL, &svc))
		snprintf(svc.name, sizeof(svc.name), "#%u", b.service_id);
	snprintf(name, sizeof(name), "%.*s/%.*s", KHAXDP_NAME_LEN, svc.name,
		 KHAXDP_NAME_LEN, b.name);
	if (cli->json) {
		kx_json_object_begin(&cli->js);
		kx_json_kv_string(&cli->js, "backend", name);
		kx_json_kv_string(&cli->js, "health", kx_health_str(b.health));
		kx_json_kv_string(&cli->js, "admin", kx_admin_str(b.admin));
		kx_json_object_end(&cli->js);
	} else {
		printf("%s: health %s, admin %s\n", name,
		       kx_health_str(b.health), kx_admin_str(b.admin));
	}
}

/* Parse `enable|disable|drain NAME` or `health NAME up|down`. */
static int backend_args(int argc, char **argv, const char **name,
			bool *is_health, uint8_t *value)
{
	enum khaxdp_admin admin;

	if (argc < 3)
		return usage_error("backend: expected enable|disable|drain NAME or health NAME up|down");
	*name = argv[2];
	*is_health = !strcmp(argv[1], "health");
	if (*is_health) {
		if (argc != 4 || (strcmp(argv[3], "up") && strcmp(argv[3], "down")))
			return usage_error("backend health %s: expected up or down",
					   argv[2]);
		*value = !strcmp(argv[3], "up") ? KHAXDP_HEALTH_UP :
						  KHAXDP_HEALTH_DOWN;
		return 0;
	}
	if (kx_admin_parse(argv[1], &admin))
		return usage_error("backend: unknown action '%s' (enable, disable, drain, health)",
				   argv[1]);
	if (argc != 3)
		return usage_error("backend: unexpected '%s'", argv[3]);
	*value = admin;
	return 0;
}

static int run_backend(struct cli *cli, int argc, char **argv)
{
	const char *name = NULL;
	bool is_health = false;
	uint8_t value = 0;
	struct kx_maps m;
	uint32_t id;
	int err;

	err = backend_args(argc, argv, &name, &is_health, &value);
	if (err)
		return err;
	if (load_config(cli, false) || need_root("backend") ||
	    open_maps(cli, &m))
		return 1;
	err = kx_maps_lock(&m);
	if (!err)
		err = kx_backend_find(&m, name, &id, NULL);
	if (!err)
		err = is_health ? kx_backend_set_health(&m, id, value) :
				  kx_backend_set_admin(&m, id, value);
	kx_maps_unlock(&m);
	if (!err)
		print_backend_change(cli, &m, id);
	kx_maps_close(&m);
	return err ? fail() : 0;
}

/* ---- flows -------------------------------------------------------------- */

struct flows_ctx {
	struct cli *cli;
	struct kx_maps *m;
	uint64_t now;
	unsigned int n;
};

static void flow_flags_str(uint8_t flags, char *buf, size_t len)
{
	static const struct {
		uint8_t bit;
		const char *name;
	} names[] = {
		{ KHAXDP_FLOW_FIN_FWD, "fin-client" },
		{ KHAXDP_FLOW_FIN_REV, "fin-backend" },
		{ KHAXDP_FLOW_RST, "rst" },
		{ KHAXDP_FLOW_LOCAL, "local" },
		{ KHAXDP_FLOW_UNTRACKED, "untracked" },
		{ KHAXDP_FLOW_SYNACK, "syn-ack" },
		{ KHAXDP_FLOW_RESYNC, "resync" },
	};

	buf[0] = '\0';
	for (size_t i = 0; i < KX_ARRAY_SIZE(names); i++)
		if (flags & names[i].bit)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
				 buf[0] ? "," : "", names[i].name);
	if (!buf[0])
		snprintf(buf, len, "-");
}

static uint64_t ms_since(uint64_t now, uint64_t then)
{
	return now > then ? (now - then) / 1000000 : 0;
}

static int print_flow(const struct khaxdp_flow_key *k,
		      const struct khaxdp_flow *f, void *ctx)
{
	struct flows_ctx *c = ctx;
	struct kx_json *j = &c->cli->js;
	char client[KX_ENDPOINT_STRLEN], vip[KX_ENDPOINT_STRLEN];
	char backend[KHAXDP_NAME_LEN + 1] = "?", flags[64];
	struct khaxdp_backend b;

	if (!bpf_map_lookup_elem(c->m->backends, &f->backend_id, &b) && b.family)
		snprintf(backend, sizeof(backend), "%.*s", KHAXDP_NAME_LEN,
			 b.name);
	addr_port_str(&k->src, k->sport, k->family, client, sizeof(client));
	addr_port_str(&k->dst, k->dport, k->family, vip, sizeof(vip));
	flow_flags_str(f->flags, flags, sizeof(flags));
	c->n++;
	if (!c->cli->json) {
		printf("%-22s %-22s %-16s %5u %9.1fs %9.1fs %s%s\n", client, vip,
		       backend, ntohs(f->snat_port),
		       ms_since(c->now, f->created_ns) / 1000.0,
		       ms_since(c->now, f->last_seen_ns) / 1000.0, flags,
		       khaxdp_flow_expired(f, c->now) ? " (expired)" : "");
		return 0;
	}
	kx_json_object_begin(j);
	kx_json_kv_string(j, "client", client);
	kx_json_kv_string(j, "vip", vip);
	kx_json_kv_string(j, "backend", backend);
	kx_json_kv_u64(j, "backend_id", f->backend_id);
	kx_json_kv_u64(j, "snat_port", ntohs(f->snat_port));
	kx_json_kv_u64(j, "age_ms", ms_since(c->now, f->created_ns));
	kx_json_kv_u64(j, "idle_ms", ms_since(c->now, f->last_seen_ns));
	kx_json_kv_string(j, "flags", flags);
	kx_json_kv_bool(j, "expired", khaxdp_flow_expired(f, c->now));
	kx_json_object_end(j);
	return 0;
}

static int run_flows(struct cli *cli, int argc, char **argv)
{
	struct flows_ctx c = { .cli = cli };
	struct kx_maps m;
	int err;

	if (argc > 1)
		return usage_error("flows: unexpected '%s'", argv[1]);
	if (load_config(cli, false) || need_root("flows") ||
	    open_maps(cli, &m))
		return 1;
	c.m = &m;
	c.now = kx_now_ns();
	if (cli->json)
		kx_json_array_begin(&cli->js);
	else
		printf("%-22s %-22s %-16s %5s %10s %10s %s\n", "CLIENT", "VIP",
		       "BACKEND", "SNAT", "AGE", "IDLE", "FLAGS");
	err = kx_flows_foreach(&m, print_flow, &c);
	if (cli->json)
		kx_json_array_end(&cli->js);
	kx_maps_close(&m);
	return err ? fail() : 0;
}

/* ---- stats -------------------------------------------------------------- */

static void print_counters(struct cli *cli, const uint64_t *v)
{
	if (cli->json) {
		kx_json_key(&cli->js, "counters");
		kx_json_object_begin(&cli->js);
	}
	for (unsigned int s = 0; s < KHAXDP_STAT_MAX; s++) {
		if (cli->json)
			kx_json_kv_u64(&cli->js, kx_stat_name(s), v[s]);
		else
			printf("%-16s %14llu  %s\n", kx_stat_name(s),
			       (unsigned long long)v[s], kx_stat_desc(s));
	}
	if (cli->json)
		kx_json_object_end(&cli->js);
}

static void print_backend_counters(struct cli *cli, const struct kx_snapshot *s)
{
	struct kx_json *j = &cli->js;

	if (cli->json) {
		kx_json_key(j, "backends");
		kx_json_array_begin(j);
	} else {
		printf("\n%-16s %10s %12s %10s %12s %8s\n", "BACKEND", "PKTS_IN",
		       "BYTES_IN", "PKTS_OUT", "BYTES_OUT", "OPENED");
	}
	for (unsigned int k = 0; k < s->n_backends; k++) {
		const struct kx_backend_view *b = &s->backends[k];
		const struct khaxdp_backend_stats *c = &b->counters;

		if (cli->json) {
			print_backend_json(j, b);
			continue;
		}
		printf("%-16s %10llu %12llu %10llu %12llu %8llu\n", b->name,
		       (unsigned long long)c->packets_in,
		       (unsigned long long)c->bytes_in,
		       (unsigned long long)c->packets_out,
		       (unsigned long long)c->bytes_out,
		       (unsigned long long)c->flows_opened);
	}
	if (cli->json)
		kx_json_array_end(j);
}

static int run_stats(struct cli *cli, int argc, char **argv)
{
	struct kx_snapshot *s = NULL;
	struct kx_maps m;
	int err;

	if (argc > 1)
		return usage_error("stats: unexpected '%s'", argv[1]);
	if (load_config(cli, false) || need_root("stats") ||
	    open_maps(cli, &m))
		return 1;
	err = snapshot_take(cli, &m, 0, &s);
	if (!err) {
		if (cli->json)
			kx_json_object_begin(&cli->js);
		print_counters(cli, s->counters);
		print_backend_counters(cli, s);
		if (cli->json)
			kx_json_object_end(&cli->js);
	}
	free(s);
	kx_maps_close(&m);
	return err ? fail() : 0;
}

/* ---- import ------------------------------------------------------------- */

static int run_import(struct cli *cli, int argc, char **argv)
{
	const char *haproxy = NULL, *keepalived = NULL;

	(void)cli;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--haproxy") && i + 1 < argc)
			haproxy = argv[++i];
		else if (!strcmp(argv[i], "--keepalived") && i + 1 < argc)
			keepalived = argv[++i];
		else if (!strcmp(argv[i], "--haproxy") ||
			 !strcmp(argv[i], "--keepalived"))
			return usage_error("import: %s needs a file", argv[i]);
		else
			return usage_error("import: unexpected '%s'", argv[i]);
	}
	if (!haproxy && !keepalived)
		return usage_error("import: --haproxy FILE, --keepalived FILE or both");
	return kx_import_files(haproxy, keepalived, stdout, stderr) ? fail() : 0;
}

/* ---- the verbs and main --------------------------------------------------- */

static const struct verb verbs[] = {
	{ "attach", run_attach, "attach [IFNAME] [--mode native|generic]",
	  "Load the data plane, attach XDP (ingress) and TC (egress) to IFNAME\n"
	  "(default: [global] interface), pin everything under [global] bpffs\n"
	  "and fill the maps from the config. Native XDP is tried first, then\n"
	  "generic with a warning; --mode forces one. Run again to upgrade the\n"
	  "programs in place: flows, health and admin state are kept. An XDP\n"
	  "program khaxdp did not load is never replaced. New backends start\n"
	  "UP, or DOWN when their service has a 'check' (unless 'start = up'):\n"
	  "the agent brings them up after 'rise' good checks.\n" },
	{ "detach", run_detach, "detach [IFNAME] [--force]",
	  "Remove what attach made: khaxdp's XDP program, its TC filter, the\n"
	  "clsact qdisc if attach created it and it is now empty, the pins and\n"
	  "the pin directory. Other programs are left alone. When the interface\n"
	  "is gone (deleted, or re-created), the rest is removed from the\n"
	  "attach record. --force: also when the record names another\n"
	  "interface, or is missing.\n" },
	{ "status", run_status, "status",
	  "Interface, XDP mode (native/generic, libxdp dispatcher or legacy),\n"
	  "program ids, the NAT's source address (VIP or node), the flow and\n"
	  "half-open tables, services with their round-robin ring, every\n"
	  "backend with health (UP, DOWN, GONE), admin state, local flag and\n"
	  "counters, and flow sync as khaxdp-vrrpd last wrote it ([sync]\n"
	  "state_file, default /run/khaxdp/sync).\n" },
	{ "backend", run_backend,
	  "backend enable|disable|drain NAME  |  backend health NAME up|down",
	  "Change a backend's admin state or health and rebuild its service's\n"
	  "ring. NAME is a server name, or SERVICE/NAME when several services\n"
	  "have one of that name. disable and drain stop new flows only;\n"
	  "existing flows carry on.\n" },
	{ "flows", run_flows, "flows",
	  "List the flow table (confirmed flows): client, VIP, backend, SNAT\n"
	  "port, age, idle time and flags (fin-client, fin-backend, rst, local,\n"
	  "untracked, resync).\n" },
	{ "stats", run_stats, "stats",
	  "Per-reason counters (summed over CPUs) and per-backend counters.\n" },
	{ "import", run_import,
	  "import [--haproxy haproxy.cfg] [--keepalived keepalived.conf]",
	  "Print on stdout a khaxdp.conf equivalent to haproxy.cfg (frontend and\n"
	  "backend -> [service], checks, timeouts, listen stats -> [stats]) and\n"
	  "keepalived.conf (each vrrp_instance -> [vrrp NAME], a track_script of\n"
	  "the load balancer -> track_dataplane). What has no equivalent is listed\n"
	  "on stderr, `khaxdp: import: FILE:LINE: warning: ...`; a file that cannot\n"
	  "be parsed is an error naming its line, and nothing is printed. Needs\n"
	  "neither root nor a configuration:\n"
	  "  khaxdp import --haproxy /etc/haproxy/haproxy.cfg \\\n"
	  "      --keepalived /etc/keepalived/keepalived.conf > khaxdp.conf\n" },
};

static void print_usage(FILE *out)
{
	fprintf(out,
		"usage: khaxdp [-c FILE] [--json] [-v] VERB [ARGS...]\n"
		"\n"
		"XDP/TC load balancer for Kubernetes control nodes.\n"
		"\n"
		"options:\n"
		"  -c, --config FILE  configuration (default %s)\n"
		"  -j, --json         print JSON\n"
		"  -v, --verbose      show what libbpf and libxdp say\n"
		"  -h, --help         this help; khaxdp VERB --help for a verb\n"
		"  -V, --version      print the version\n"
		"\n"
		"verbs:\n", KX_DEFAULT_CONFIG);
	for (size_t i = 0; i < KX_ARRAY_SIZE(verbs); i++)
		fprintf(out, "  khaxdp %s\n", verbs[i].usage);
}

static const struct verb *find_verb(const char *name)
{
	for (size_t i = 0; i < KX_ARRAY_SIZE(verbs); i++)
		if (!strcmp(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

static bool wants_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return true;
	return false;
}

/* getopt_long said '?' about ARG (opterr is off: it printed nothing). */
static int bad_option(const char *arg)
{
	if (strncmp(arg, "--", 2))
		return usage_error("unknown option '-%c'", optopt);
	if (optopt)	/* a known long option given "=VALUE" */
		return usage_error("option '%.*s' takes no argument",
				   (int)strcspn(arg, "="), arg);
	return usage_error("unknown option '%s'", arg);
}

/* Returns -1 to go on, else an exit code. */
static int parse_options(struct cli *cli, int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "json", no_argument, NULL, 'j' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{}
	};
	int opt;

	/* '+': stop at the verb, whose options are its own; ':': report a
	 * missing argument ourselves, as every other usage error. */
	opterr = 0;
	while ((opt = getopt_long(argc, argv, "+:c:jvhV", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			cli->config_path = optarg;
			cli->config_given = true;
			break;
		case 'j':
			cli->json = true;
			break;
		case 'v':
			kx_set_verbose(true);
			break;
		case 'h':
			print_usage(stdout);
			return 0;
		case 'V':
			printf("khaxdp %s\n", KHAXDP_VERSION);
			return 0;
		case ':':
			return usage_error("option '%s' needs an argument",
					   argv[optind - 1]);
		default:
			return bad_option(argv[optind - 1]);
		}
	}
	return -1;
}

int main(int argc, char **argv)
{
	struct cli cli = { .config_path = KX_DEFAULT_CONFIG };
	const struct verb *verb;
	int ret;

	ret = parse_options(&cli, argc, argv);
	if (ret >= 0)
		return ret;
	if (optind >= argc) {
		print_usage(stderr);
		return 2;
	}
	verb = find_verb(argv[optind]);
	if (!verb)
		return usage_error("unknown verb '%s'", argv[optind]);
	argc -= optind;
	argv += optind;
	if (wants_help(argc, argv)) {
		printf("usage: khaxdp %s\n\n%s", verb->usage, verb->help);
		return 0;
	}
	kx_capture_lib_logs();
	kx_json_init(&cli.js, stdout);
	ret = verb->run(&cli, argc, argv);
	kx_config_free(&cli.cfg);
	return ret;
}
