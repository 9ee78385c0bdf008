// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * attach.c - load, attach, upgrade and detach the data plane.
 *
 * The XDP program goes through libxdp so that it can share the interface
 * with other XDP programs (libxdp's dispatcher). Where the dispatcher does
 * not work (libxdp 1.3.1 on some kernels: its freplace program gets EPERM)
 * libxdp attaches our program alone, "legacy"; both are handled. An
 * upgrade of a legacy attachment replaces the program atomically with
 * XDP_FLAGS_REPLACE; an upgrade in a dispatcher adds the new program, then
 * removes the old one. Maps are pinned by name, so the new program gets the
 * old maps and the flows survive.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/if_link.h>
#include <linux/magic.h>
#include <linux/pkt_sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "khaxdp.skel.h"

#include "attach.h"
#include "cgroup.h"
#include "fill.h"
#include "maps.h"
#include "migrate.h"
#include "net.h"
#include "ports.h"
#include "util.h"

#define XDP_PROG_NAME	"khaxdp_xdp"
#define TC_PROG_NAME	"khaxdp_tc"

/* The map is part of the BPF object, created and pinned when it loads. */
static int state_write(const char *dir, const struct khaxdp_loader_state *st)
{
	char path[PATH_MAX];
	uint32_t key = 0;
	int fd, err;

	err = kx_pin_path(path, sizeof(path), dir, KX_PIN_STATE);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return kx_fail(-errno, "open %s: %s", path, strerror(errno));
	err = bpf_map_update_elem(fd, &key, st, BPF_ANY) ? -errno : 0;
	close(fd);
	if (err)
		return kx_fail(err, "write %s: %s", path, strerror(-err));
	return 0;
}

int kx_xdp_mode_parse(const char *s, enum kx_xdp_mode *mode)
{
	if (!strcmp(s, "native") || !strcmp(s, "drv"))
		*mode = KX_XDP_NATIVE;
	else if (!strcmp(s, "generic") || !strcmp(s, "skb"))
		*mode = KX_XDP_GENERIC;
	else
		return -EINVAL;
	return 0;
}

/* ---- checks before anything changes ------------------------------------- */

struct attach_ctx {
	const struct kx_config *cfg;
	const char *dir;
	const char *ifname;
	int ifindex;
	enum kx_xdp_mode mode;
	struct khaxdp_loader_state old_state;
	bool had_state;
	struct kx_xdp_info xdp;
	uint32_t tc_existing;		/* prog id of a filter at our handle */
	struct khaxdp *skel;
	struct kx_attach_result *res;
	bool libxdp_dir_existed;
	bool dir_created;		/* this attach made the pin directory */
	int lock_fd;			/* the pin directory's flock, held */
	struct kx_migration migration;	/* pins of an older layout */
};

/* The whole attach holds the pin directory's lock (the one kx_maps_lock()
 * takes): two attaches at boot, or an attach and a `khaxdp backend`
 * command, run one after the other. */
static int lock_pin_dir(struct attach_ctx *c)
{
	c->lock_fd = open(c->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->lock_fd < 0)
		return kx_fail(-errno, "%s: %s", c->dir, strerror(errno));
	if (!flock(c->lock_fd, LOCK_EX | LOCK_NB))
		return 0;
	if (errno == EWOULDBLOCK) {
		kx_info("%s: another khaxdp command holds %s: waiting for it",
			c->ifname, c->dir);
		if (!flock(c->lock_fd, LOCK_EX))
			return 0;
	}
	return kx_fail(-errno, "%s: lock: %s", c->dir, strerror(errno));
}

/* libxdp keeps a directory "xdp" in its bpffs (LIBXDP_BPFFS, else
 * /sys/fs/bpf) for its lock and dispatcher pins. */
static void libxdp_dir(char *buf, size_t len)
{
	const char *base = getenv("LIBXDP_BPFFS");

	snprintf(buf, len, "%s/xdp", base && *base ? base : "/sys/fs/bpf");
}

static bool libxdp_dir_exists(void)
{
	char path[PATH_MAX];
	struct stat st;

	libxdp_dir(path, sizeof(path));
	return stat(path, &st) == 0;
}

/* Flags of the state file: what this attach (or the first one) created. */
static uint32_t state_flags(const struct attach_ctx *c)
{
	uint32_t flags = c->res->clsact_created ? KX_STATE_CLSACT_CREATED : 0;

	if (c->had_state)
		flags |= c->old_state.flags & KX_STATE_LIBXDP_DIR_CREATED;
	else if (!c->libxdp_dir_existed && libxdp_dir_exists())
		flags |= KX_STATE_LIBXDP_DIR_CREATED;
	return flags;
}

static int check_pin_dir(struct attach_ctx *c)
{
	const char *dir = c->dir;
	char parent[PATH_MAX];
	struct statfs fs;

	snprintf(parent, sizeof(parent), "%s", dir);
	if (statfs(dirname(parent), &fs) < 0)
		return kx_fail(-errno, "%s: %s", parent, strerror(errno));
	if (fs.f_type != BPF_FS_MAGIC)
		return kx_fail(-ENOTSUP, "%s is not on a bpf filesystem (mount -t bpf bpf %s, or set [global] bpffs)",
			       dir, parent);
	if (mkdir(dir, 0700) == 0)
		c->dir_created = true;
	else if (errno != EEXIST)
		return kx_fail(-errno, "mkdir %s: %s", dir, strerror(errno));
	return 0;
}

/* Every pin under dir removed (the cgroup hooks' links with them). */
static void unpin_files(const char *dir)
{
	char path[PATH_MAX];
	struct dirent *e;
	DIR *d;

	d = opendir(dir);
	if (!d)
		return;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..") &&
		    !kx_pin_path(path, sizeof(path), dir, e->d_name) &&
		    unlink(path))
			kx_warn("unpin %s: %s", path, strerror(errno));
	closedir(d);
}

/* ... and the directory. */
static void unpin_all(const char *dir)
{
	unpin_files(dir);
	if (rmdir(dir) && errno != ENOENT)
		kx_warn("%s: not removed: %s", dir, strerror(errno));
}

/* The interface khaxdp was attached to is gone (deleted, or re-created
 * with another ifindex): its XDP program and TC filter went with it, what
 * remains is the pins, the cgroup hooks they hold and the ports. */
static bool interface_gone(const struct khaxdp_loader_state *st)
{
	char name[IF_NAMESIZE];

	return !if_indextoname(st->ifindex, name) ||
	       strncmp(name, st->ifname, sizeof(st->ifname));
}

static int check_state(struct attach_ctx *c)
{
	c->had_state = !kx_state_read(c->dir, &c->old_state);
	/* The interface was re-created (same name, new ifindex): what is
	 * pinned belongs to the one that is gone. Removed, then a fresh
	 * attach; its flows are lost with the old interface anyway. */
	if (c->had_state && c->old_state.ifindex != (uint32_t)c->ifindex &&
	    !strncmp(c->old_state.ifname, c->ifname,
		     sizeof(c->old_state.ifname)) &&
	    interface_gone(&c->old_state)) {
		kx_info("%s was re-created (ifindex %u, now %d): replacing what was attached to the old one",
			c->ifname, c->old_state.ifindex, c->ifindex);
		if (kx_ports_release(c->dir))
			kx_warn("%s: %s", c->ifname, kx_last_error());
		unpin_files(c->dir);	/* the directory holds our lock */
		c->had_state = false;
	}
	if (c->had_state && c->old_state.ifindex != (uint32_t)c->ifindex)
		return kx_fail(-EBUSY, "%s: %s already holds khaxdp for %s (ifindex %u): detach it first or set another [global] bpffs",
			       c->ifname, c->dir, c->old_state.ifname,
			       c->old_state.ifindex);
	return 0;
}

static int check_xdp(struct attach_ctx *c)
{
	int err;

	err = kx_xdp_query(c->ifindex, c->dir, &c->xdp);
	if (err)
		return kx_fail(err, "%s: %s", c->ifname, kx_last_error());
	if (!c->xdp.attached || c->xdp.ours || c->xdp.dispatcher)
		return 0;
	if (!strcmp(c->xdp.main_name, XDP_PROG_NAME))
		return kx_fail(-EBUSY, "%s: a khaxdp XDP program (id %u) is attached but not pinned in %s: attached with another bpffs dir? detach it there, or: ip link set dev %s xdp off",
			       c->ifname, c->xdp.main_id, c->dir, c->ifname);
	return kx_fail(-EBUSY, "%s: XDP program '%s' (id %u) was not loaded by khaxdp; refusing to replace it (remove it first, e.g. ip link set dev %s xdp off)",
		       c->ifname, c->xdp.main_name, c->xdp.main_id,
		       c->ifname);
}

static int check_mode(struct attach_ctx *c)
{
	bool want_generic = c->mode == KX_XDP_GENERIC;

	if (!c->xdp.ours || c->mode == KX_XDP_AUTO ||
	    want_generic == c->xdp.generic)
		return 0;
	return kx_fail(-EBUSY, "%s: khaxdp is attached in %s mode; detach first to change to %s",
		       c->ifname, c->xdp.generic ? "generic" : "native",
		       want_generic ? "generic" : "native");
}

static int check_tc(struct attach_ctx *c)
{
	char name[16] = "";
	uint32_t ours = 0;
	int err;

	err = kx_tc_query(c->ifindex, &c->tc_existing);
	if (err)
		return kx_fail(err, "%s: query TC egress: %s", c->ifname,
			       strerror(-err));
	if (!c->tc_existing)
		return 0;
	kx_pinned_prog_id(c->dir, KHAXDP_PIN_TC_PROG, &ours);
	kx_prog_name(c->tc_existing, name, sizeof(name));
	if (c->tc_existing == ours || !strcmp(name, TC_PROG_NAME))
		return 0;
	return kx_fail(-EBUSY, "%s: TC egress filter handle 0x%x prio 0x%x holds '%s' (id %u), not khaxdp's; refusing to replace it",
		       c->ifname, KX_TC_HANDLE, KX_TC_PRIO, name,
		       c->tc_existing);
}

static int check_flows_size(struct attach_ctx *c)
{
	struct bpf_map_info info = {};
	uint32_t len = sizeof(info);
	char path[PATH_MAX];
	int fd, err;

	err = kx_pin_path(path, sizeof(path), c->dir, "flows");
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;	/* first attach */
	err = bpf_obj_get_info_by_fd(fd, &info, &len) ? -errno : 0;
	close(fd);
	if (err)
		return kx_fail(err, "%s: %s", path, strerror(-err));
	if (info.max_entries != c->cfg->max_flows)
		return kx_fail(-EINVAL, "%s holds %u flows but max_flows = %u: keep max_flows, or detach (dropping the flows) and attach again",
			       path, info.max_entries, c->cfg->max_flows);
	return 0;
}

/* ---- loading ------------------------------------------------------------ */

static int open_skeleton(struct attach_ctx *c)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = c->dir);
	struct khaxdp *skel;
	int err;

	skel = khaxdp__open_opts(&opts);
	err = libbpf_get_error(skel);
	if (!skel || err)
		return kx_fail(err ? err : -EINVAL, "open BPF object: %s",
			       strerror(err ? -err : EINVAL));
	c->skel = skel;
	err = bpf_map__set_max_entries(skel->maps.flows, c->cfg->max_flows);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.nat,
					       c->cfg->max_flows);
	if (err)
		return kx_fail(err, "set max_flows: %s", strerror(-err));
	err = bpf_map__set_max_entries(skel->maps.half_open,
				       c->cfg->max_half_open);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.half_open_nat,
					       c->cfg->max_half_open);
	if (!err)
		err = bpf_map__set_max_entries(skel->maps.syn_sources,
					       c->cfg->max_half_open);
	if (err)
		return kx_fail(err, "set max_half_open: %s", strerror(-err));
	return kx_migrate_prepare(&c->migration, c->dir, skel->obj);
}

/* After a failed load or attach, say which of the two it was. */
static int load_or_attach_error(struct attach_ctx *c, int err,
				const char *mode)
{
	if (bpf_program__fd(c->skel->progs.khaxdp_xdp) < 0)
		return kx_fail(err, "%s: load BPF programs: %s (run with -v for the verifier log)",
			       c->ifname, strerror(-err));
	if (err == -EOPNOTSUPP)
		return kx_fail(err, "%s: attach XDP (%s): %s — the driver has no native XDP; use --mode generic",
			       c->ifname, mode, strerror(-err));
	return kx_fail(err, "%s: attach XDP (%s): %s", c->ifname, mode,
		       strerror(-err));
}

static struct xdp_program *xdp_prog_of(struct attach_ctx *c)
{
	DECLARE_LIBXDP_OPTS(xdp_program_opts, opts, .obj = c->skel->obj,
			    .prog_name = XDP_PROG_NAME);
	struct xdp_program *prog = xdp_program__create(&opts);

	if (libxdp_get_error(prog)) {
		kx_fail(libxdp_get_error(prog), "libxdp: %s: %s", XDP_PROG_NAME,
			strerror(-libxdp_get_error(prog)));
		return NULL;
	}
	return prog;
}

/* Attach through libxdp, which loads the object (as freplace for its
 * dispatcher, or as plain XDP when it falls back to legacy). */
static int xdp_attach_libxdp(struct attach_ctx *c, enum xdp_attach_mode mode)
{
	struct xdp_program *prog = xdp_prog_of(c);
	int err;

	if (!prog)
		return -EINVAL;
	err = xdp_program__attach(prog, c->ifindex, mode, 0);
	xdp_program__close(prog);
	return err;
}

static int xdp_attach_fresh(struct attach_ctx *c)
{
	enum xdp_attach_mode mode =
		c->mode == KX_XDP_GENERIC ? XDP_MODE_SKB : XDP_MODE_NATIVE;
	int err;

	err = xdp_attach_libxdp(c, mode);
	if (err && c->mode == KX_XDP_AUTO &&
	    bpf_program__fd(c->skel->progs.khaxdp_xdp) >= 0 &&
	    (err == -EOPNOTSUPP || err == -EINVAL)) {
		kx_warn("%s: attach XDP (native): %s; falling back to generic mode (slower)",
			c->ifname, strerror(-err));
		c->res->fell_back = true;
		mode = XDP_MODE_SKB;
		err = xdp_attach_libxdp(c, mode);
	}
	if (err)
		return load_or_attach_error(c, err, mode == XDP_MODE_SKB ?
						    "generic" : "native");
	return 0;
}

static int open_pin(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (kx_pin_path(path, sizeof(path), dir, name))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return kx_fail(-errno, "%s: %s", path, strerror(errno));
	return fd;
}

/* Legacy: swap our old program for the new one in one netlink call. */
static int xdp_upgrade_legacy(struct attach_ctx *c)
{
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts);
	__u32 flags = XDP_FLAGS_REPLACE | (c->xdp.generic ? XDP_FLAGS_SKB_MODE :
							     XDP_FLAGS_DRV_MODE);
	int err;

	err = khaxdp__load(c->skel);
	if (err)
		return kx_fail(err, "%s: load BPF programs: %s (run with -v for the verifier log)",
			       c->ifname, strerror(-err));
	/* Flows of an older layout are in the new maps before the new
	 * program sees their first packet. */
	if (kx_migrate_copy(&c->migration) < 0)
		return -EINVAL;
	opts.old_prog_fd = open_pin(c->dir, KHAXDP_PIN_XDP_PROG);
	if (opts.old_prog_fd < 0)
		return opts.old_prog_fd;
	err = bpf_xdp_attach(c->ifindex,
			     bpf_program__fd(c->skel->progs.khaxdp_xdp), flags,
			     &opts);
	close(opts.old_prog_fd);
	if (err)
		return kx_fail(err, "%s: replace XDP program: %s", c->ifname,
			       strerror(-err));
	return 0;
}

/* Dispatcher: add the new program next to the old one, then remove the
 * old one; each step is an atomic dispatcher swap. */
static int xdp_upgrade_dispatcher(struct attach_ctx *c)
{
	enum xdp_attach_mode mode = c->xdp.generic ? XDP_MODE_SKB :
						     XDP_MODE_NATIVE;
	struct xdp_program *old;
	int err;

	err = xdp_attach_libxdp(c, mode);
	if (err)
		return load_or_attach_error(c, err, c->xdp.generic ?
						    "generic" : "native");
	old = xdp_program__from_id(c->xdp.our_id);
	err = libxdp_get_error(old);
	if (!err)
		err = xdp_program__detach(old, c->ifindex, mode, 0);
	xdp_program__close(old);
	if (err)
		return kx_fail(err, "%s: remove the old XDP program (id %u) from the dispatcher: %s",
			       c->ifname, c->xdp.our_id, strerror(-err));
	return 0;
}

/* ---- TC egress ---------------------------------------------------------- */

static int tc_attach(struct attach_ctx *c)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = c->ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = KX_TC_HANDLE,
		    .priority = KX_TC_PRIO,
		    .prog_fd = bpf_program__fd(c->skel->progs.khaxdp_tc));
	int err;

	err = bpf_tc_hook_create(&hook);
	if (err && err != -EEXIST)
		return kx_fail(err, "%s: create clsact qdisc: %s", c->ifname,
			       strerror(-err));
	c->res->clsact_created = c->had_state ?
		!!(c->old_state.flags & KX_STATE_CLSACT_CREATED) : !err;
	if (c->tc_existing)
		opts.flags = BPF_TC_F_REPLACE;
	err = bpf_tc_attach(&hook, &opts);
	if (err)
		return kx_fail(err, "%s: attach TC egress: %s", c->ifname,
			       strerror(-err));
	c->res->tc_id = opts.prog_id;
	return 0;
}

/* ---- pins --------------------------------------------------------------- */

/* Pin under a temporary name and rename over the old pin: the pin is never
 * missing, even during an upgrade. (bpffs refuses names with a '.'.) */
static int pin_replace(int fd, const char *dir, const char *name)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int err;

	err = kx_pin_path(path, sizeof(path), dir, name);
	if (!err)
		err = kx_snprintf(tmp, sizeof(tmp), "%s/%s_new", dir, name);
	if (err)
		return kx_fail(-ENAMETOOLONG, "%s: path too long", dir);
	unlink(tmp);
	if (bpf_obj_pin(fd, tmp))
		return kx_fail(-errno, "pin %s: %s", tmp, strerror(errno));
	if (rename(tmp, path)) {
		err = -errno;
		unlink(tmp);
		return kx_fail(err, "rename %s to %s: %s", tmp, path,
			       strerror(-err));
	}
	return 0;
}

static int pin_programs(struct attach_ctx *c)
{
	int err;

	err = pin_replace(bpf_program__fd(c->skel->progs.khaxdp_xdp), c->dir,
			  KHAXDP_PIN_XDP_PROG);
	if (!err)
		err = pin_replace(bpf_program__fd(c->skel->progs.khaxdp_tc),
				  c->dir, KHAXDP_PIN_TC_PROG);
	return err;
}

/* The cgroup hooks, or none with socket_lb = off (removing earlier ones). */
static int cgroup_hooks(struct attach_ctx *c)
{
	char path[PATH_MAX];

	if (c->cfg->socket_lb != KX_SOCKET_LB_OFF)
		return kx_cgroup_attach(c->skel, c->cfg, c->dir);
	static const char *const pins[] = {
		KX_PIN_CONNECT4, KX_PIN_GETPEERNAME4,
		KX_PIN_CONNECT6, KX_PIN_GETPEERNAME6,
	};
	size_t i;

	for (i = 0; i < sizeof(pins) / sizeof(pins[0]); i++)
		if (!kx_pin_path(path, sizeof(path), c->dir, pins[i]))
			unlink(path);
	return 0;
}

static int save_state(struct attach_ctx *c)
{
	struct khaxdp_loader_state st = {
		.version = KX_STATE_VERSION,
		.ifindex = c->ifindex,
		.flags = state_flags(c),
	};

	snprintf(st.ifname, sizeof(st.ifname), "%s", c->ifname);
	return state_write(c->dir, &st);
}

static int fill(struct attach_ctx *c)
{
	struct kx_maps m;
	int err;

	/* The fields of every map as this data plane has them: readers of
	 * another layout (an agent of the previous version) refuse the pins
	 * from here on. */
	err = kx_layouts_write(bpf_map__fd(c->skel->maps.layouts));
	if (!err)
		err = kx_maps_open(&m, c->dir);
	if (err)
		return err;
	/* Under the lock lock_pin_dir() took. */
	err = kx_fill_maps_locked(&m, c->cfg, c->ifname, c->ifindex);
	kx_maps_close(&m);
	return err;
}

/* ---- attach ------------------------------------------------------------- */

/* bpf_fib_lookup() routes like the kernel's forwarding path and answers
 * "forwarding disabled" on an interface without it: every NATed packet
 * would go up the stack. Kubernetes nodes have it on; say so clearly. */
static int check_forwarding(const struct attach_ctx *c)
{
	char path[128], val[8] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/sys/net/ipv4/conf/%s/forwarding",
		 c->ifname);
	f = fopen(path, "r");
	if (!f)
		return kx_fail(-errno, "%s: read %s: %s", c->ifname, path,
			       strerror(errno));
	if (!fgets(val, sizeof(val), f))
		val[0] = '\0';
	fclose(f);
	if (val[0] != '1')
		return kx_fail(-EINVAL,
			       "%s: IPv4 forwarding is off, and the data plane routes with bpf_fib_lookup(), which needs it: sysctl -w net.ipv4.conf.%s.forwarding=1 (kubeadm requires net.ipv4.ip_forward=1 anyway)",
			       c->ifname, c->ifname);
	return 0;
}

static int preflight(struct attach_ctx *c)
{
	int err;

	err = check_forwarding(c);
	if (!err)
		err = check_pin_dir(c);
	if (!err)
		err = lock_pin_dir(c);
	if (!err)
		err = check_state(c);
	if (!err)
		err = check_xdp(c);
	if (!err)
		err = check_mode(c);
	if (!err)
		err = check_tc(c);
	if (!err)
		err = check_flows_size(c);
	return err;
}

static int attach_xdp(struct attach_ctx *c)
{
	c->res->upgraded = c->xdp.ours;
	if (!c->xdp.ours)
		return xdp_attach_fresh(c);
	if (c->xdp.dispatcher)
		return xdp_upgrade_dispatcher(c);
	return xdp_upgrade_legacy(c);
}

static void detach_tc(const char *dir, const char *ifname, int ifindex,
		      const struct khaxdp_loader_state *st);
/* A first attach that fails after XDP went on takes everything off again;
 * a failed upgrade leaves what runs in place. */
static void rollback(struct attach_ctx *c)
{
	int fd = bpf_program__fd(c->skel->progs.khaxdp_xdp);
	struct khaxdp_loader_state st = {
		.flags = c->res->clsact_created ? KX_STATE_CLSACT_CREATED : 0,
	};
	struct xdp_program *p;
	struct kx_xdp_info now;

	if (c->had_state || c->xdp.ours || fd < 0)
		return;
	if (!kx_xdp_query(c->ifindex, c->dir, &now) && now.attached) {
		p = xdp_program__from_fd(fd);
		if (!libxdp_get_error(p))
			xdp_program__detach(p, c->ifindex, now.generic ?
					    XDP_MODE_SKB : XDP_MODE_NATIVE, 0);
		xdp_program__close(p);
	}
	if (c->res->tc_id) {
		pin_replace(bpf_program__fd(c->skel->progs.khaxdp_tc), c->dir,
			    KHAXDP_PIN_TC_PROG);
		detach_tc(c->dir, c->ifname, c->ifindex, &st);
	}
	unpin_all(c->dir);
}

/* NATed from the node's address, keep the kernel's ephemeral ports out of
 * the SNAT range (ports.h). The data plane works without it, so a failure
 * (a read-only /proc/sys) is a warning, and status says the range is not
 * reserved. NATed from the VIP, nothing on the node sends from those
 * tuples: what an earlier attach reserved is given back. */
static void reserve_ports(struct attach_ctx *c)
{
	if (c->cfg->snat_address != KX_SNAT_NODE) {
		if (kx_ports_release(c->dir))
			kx_warn("%s: give back the ports an earlier attach reserved: %s",
				c->ifname, kx_last_error());
		return;
	}
	c->res->ports_reserved = !kx_ports_reserve(c->dir, c->cfg->snat_min,
						   c->cfg->snat_max);
	if (!c->res->ports_reserved)
		kx_warn("%s: SNAT ports %u-%u not reserved from the kernel's ephemeral ports (local connections may take them): %s",
			c->ifname, c->cfg->snat_min, c->cfg->snat_max,
			kx_last_error());
}

int kx_attach(const struct kx_config *cfg, const char *ifname,
	      enum kx_xdp_mode mode, struct kx_attach_result *res)
{
	struct attach_ctx c = {
		.cfg = cfg, .dir = cfg->bpffs, .ifname = ifname, .mode = mode,
		.res = res, .lock_fd = -1,
	};
	long carried;
	int err;

	memset(res, 0, sizeof(*res));
	c.libxdp_dir_existed = libxdp_dir_exists();
	c.ifindex = if_nametoindex(ifname);
	if (!c.ifindex)
		return kx_fail(-ENODEV, "%s: no such interface", ifname);
	err = preflight(&c);
	if (!err)
		err = open_skeleton(&c);
	if (!err)
		err = attach_xdp(&c);
	if (!err) {
		/* What the old program added until the swap (and, through
		 * libxdp's dispatcher, everything). */
		carried = kx_migrate_copy(&c.migration);
		if (carried < 0)
			err = -EINVAL;
		else if (carried)
			kx_info("%s: %ld entries carried over after the swap",
				ifname, carried);
	}
	if (!err)
		err = tc_attach(&c);
	if (!err)
		err = cgroup_hooks(&c);
	if (!err)
		err = pin_programs(&c);
	if (!err)
		err = save_state(&c);
	if (!err)
		err = fill(&c);
	if (err && c.skel) {
		char why[512];

		snprintf(why, sizeof(why), "%s", kx_last_error());
		rollback(&c);
		if (c.had_state)
			kx_migrate_restore(&c.migration);
		kx_fail(err, "%s", why);
	}
	kx_migrate_close(&c.migration);
	/* A pin directory this attach made holds only what it pinned: a
	 * failed attach (a foreign XDP program, a failed load...) leaves no
	 * trace of it. */
	if (err && c.dir_created) {
		char why[512];

		snprintf(why, sizeof(why), "%s", kx_last_error());
		unpin_all(c.dir);
		kx_fail(err, "%s", why);
	}
	if (!err) {
		kx_prime_neighbours(cfg);
		reserve_ports(&c);
		/* Everything is attached: not being able to read it back (no
		 * CAP_SYS_ADMIN for libxdp's query) is no reason to fail. */
		if (kx_xdp_query(c.ifindex, c.dir, &res->xdp))
			kx_warn("%s: attached, but reading back the XDP state failed: %s",
				ifname, kx_last_error());
	}
	khaxdp__destroy(c.skel);
	if (c.lock_fd >= 0)
		close(c.lock_fd);	/* releases the lock */
	return err;
}

/* ---- detach ------------------------------------------------------------- */

static void detach_xdp(const char *dir, const char *ifname, int ifindex)
{
	struct kx_xdp_info xdp;
	struct xdp_program *p;
	int err;

	if (kx_xdp_query(ifindex, dir, &xdp) || !xdp.ours) {
		kx_info("%s: khaxdp's XDP program was not attached", ifname);
		return;
	}
	p = xdp_program__from_id(xdp.our_id);
	err = libxdp_get_error(p);
	if (!err)
		err = xdp_program__detach(p, ifindex, xdp.generic ?
					  XDP_MODE_SKB : XDP_MODE_NATIVE, 0);
	xdp_program__close(p);
	if (err)
		kx_warn("%s: detach XDP program %u: %s", ifname, xdp.our_id,
			strerror(-err));
}

static bool clsact_empty(int ifindex)
{
	return kx_tc_filter_count(ifindex, TC_H_MAKE(TC_H_CLSACT,
						     TC_H_MIN_INGRESS)) == 0 &&
	       kx_tc_filter_count(ifindex, TC_H_MAKE(TC_H_CLSACT,
						     TC_H_MIN_EGRESS)) == 0;
}

static void detach_tc(const char *dir, const char *ifname, int ifindex,
		      const struct khaxdp_loader_state *st)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = KX_TC_HANDLE,
		    .priority = KX_TC_PRIO);
	uint32_t attached = 0, ours = 0;
	int err;

	kx_tc_query(ifindex, &attached);
	kx_pinned_prog_id(dir, KHAXDP_PIN_TC_PROG, &ours);
	if (attached && attached == ours) {
		err = bpf_tc_detach(&hook, &opts);
		if (err)
			kx_warn("%s: detach TC egress: %s", ifname,
				strerror(-err));
	} else {
		kx_info("%s: khaxdp's TC egress filter was not attached",
			ifname);
	}
	if (!(st->flags & KX_STATE_CLSACT_CREATED))
		return;
	if (!clsact_empty(ifindex)) {
		kx_info("%s: clsact qdisc kept: it holds other filters", ifname);
		return;
	}
	hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
	err = bpf_tc_hook_destroy(&hook);
	if (err && err != -ENOENT && err != -EINVAL)
		kx_warn("%s: remove clsact qdisc: %s", ifname, strerror(-err));
}

/* The directory is khaxdp's alone: everything in it goes, including maps
 * a newer data plane added. */


int kx_detach(const char *dir, const char *ifname, bool force)
{
	struct khaxdp_loader_state st;
	int ifindex, err;
	bool gone;

	ifindex = (int)if_nametoindex(ifname);
	err = kx_state_read(dir, &st);
	/* A name that is no interface, and not the gone one of the record. */
	if (!ifindex && !force &&
	    (err || strncmp(st.ifname, ifname, sizeof(st.ifname))))
		return kx_fail(-ENODEV, "%s: no such interface", ifname);
	if (err == -ENOENT && force && !access(dir, F_OK)) {
		kx_info("%s: no attach record in %s: removing its pins (--force)",
			ifname, dir);
		if (ifindex)
			detach_xdp(dir, ifname, ifindex);
		unpin_all(dir);
		return 0;
	}
	if (err == -ENOENT)
		return kx_fail(-ENOENT, "%s: not attached (nothing in %s)",
			       ifname, dir);
	if (err)
		return kx_fail(err, "%s/%s: %s", dir, KX_PIN_STATE,
			       strerror(-err));
	gone = interface_gone(&st);
	if (!gone && st.ifindex != (uint32_t)ifindex && !force)
		return kx_fail(-EINVAL, "%s holds khaxdp for %s (ifindex %u), not %s (--force removes it all the same)",
			       dir, st.ifname, st.ifindex, ifname);
	if (gone && strncmp(st.ifname, ifname, sizeof(st.ifname)) && !force)
		return kx_fail(-EINVAL, "%s holds khaxdp for %s (ifindex %u, gone), not %s (--force removes it all the same)",
			       dir, st.ifname, st.ifindex, ifname);
	if (gone) {
		kx_info("%s (ifindex %u) is gone, and its XDP and TC programs with it: removing the rest",
			st.ifname, st.ifindex);
	} else {
		detach_xdp(dir, st.ifname, (int)st.ifindex);
		detach_tc(dir, st.ifname, (int)st.ifindex, &st);
	}
	if (kx_ports_release(dir))
		kx_warn("%s: reserved SNAT ports not given back: %s", ifname,
			kx_last_error());
	unpin_all(dir);
	if (st.flags & KX_STATE_LIBXDP_DIR_CREATED) {
		char path[PATH_MAX];

		libxdp_dir(path, sizeof(path));
		if (rmdir(path) && errno != ENOENT)
			kx_info("%s: kept: %s", path, strerror(errno));
	}
	return 0;
}
