// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* cgroup.c - attach and upgrade the cgroup hooks through pinned links. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mntent.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "khaxdp.skel.h"

#include "cgroup.h"
#include "util.h"

#ifndef SO_NETNS_COOKIE
#define SO_NETNS_COOKIE 71
#endif

int kx_cgroup_root(const struct kx_config *cfg, char *buf, size_t len)
{
	struct mntent *m;
	FILE *f;
	int err = -ENOENT;

	if (cfg->cgroup[0])
		return kx_snprintf(buf, len, "%s", cfg->cgroup);
	f = setmntent("/proc/mounts", "r");
	if (!f)
		return kx_fail(-errno, "/proc/mounts: %s", strerror(errno));
	while ((m = getmntent(f)))
		if (!strcmp(m->mnt_type, "cgroup2")) {
			err = kx_snprintf(buf, len, "%s", m->mnt_dir);
			break;
		}
	endmntent(f);
	if (err == -ENOENT)
		return kx_fail(err, "no cgroup v2 mount in /proc/mounts: mount one (mount -t cgroup2 none DIR) and set [global] cgroup = DIR, or socket_lb = off");
	return err;
}

static int link_pin_path(char *buf, size_t len, const char *dir,
			 const char *name)
{
	if (kx_snprintf(buf, len, "%s/%s", dir, name))
		return kx_fail(-ENAMETOOLONG, "%s/%s: path too long", dir, name);
	return 0;
}

/* One hook: a pinned link is pointed at the new program, else created. */
static int hook_attach(struct bpf_program *prog, int cgroup_fd,
		       const char *cgroup, const char *dir, const char *pin)
{
	char path[PATH_MAX];
	struct bpf_link *link;
	int fd, err;

	err = link_pin_path(path, sizeof(path), dir, pin);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		err = bpf_link_update(fd, bpf_program__fd(prog), NULL);
		close(fd);
		if (err)
			return kx_fail(-errno, "%s: update link to the new %s: %s",
				       path, bpf_program__name(prog),
				       strerror(errno));
		return 0;
	}
	link = bpf_program__attach_cgroup(prog, cgroup_fd);
	err = libbpf_get_error(link);
	if (err)
		return kx_fail(err, "%s: attach %s: %s", cgroup,
			       bpf_program__name(prog), strerror(-err));
	err = bpf_link__pin(link, path);
	if (err)
		kx_fail(err, "pin %s: %s", path, strerror(-err));
	/* The pin holds the link; ours goes, the hook stays. */
	bpf_link__destroy(link);
	return err;
}

int kx_cgroup_attach(struct khaxdp *skel, const struct kx_config *cfg,
		     const char *dir)
{
	char cgroup[PATH_MAX];
	int fd, err;

	err = kx_cgroup_root(cfg, cgroup, sizeof(cgroup));
	if (err)
		return err;
	fd = open(cgroup, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return kx_fail(-errno, "cgroup %s: %s", cgroup, strerror(errno));
	err = hook_attach(skel->progs.khaxdp_connect4, fd, cgroup, dir,
			  KX_PIN_CONNECT4);
	if (!err)
		err = hook_attach(skel->progs.khaxdp_getpeername4, fd, cgroup,
				  dir, KX_PIN_GETPEERNAME4);
	if (!err)
		err = hook_attach(skel->progs.khaxdp_connect6, fd, cgroup, dir,
				  KX_PIN_CONNECT6);
	if (!err)
		err = hook_attach(skel->progs.khaxdp_getpeername6, fd, cgroup,
				  dir, KX_PIN_GETPEERNAME6);
	close(fd);
	return err;
}

int kx_netns_cookie(__u64 *cookie)
{
	socklen_t len = sizeof(*cookie);
	int fd, err = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return kx_fail(-errno, "socket: %s", strerror(errno));
	if (getsockopt(fd, SOL_SOCKET, SO_NETNS_COOKIE, cookie, &len))
		err = kx_fail(-errno, "SO_NETNS_COOKIE: %s (Linux >= 5.14 needed)",
			      strerror(errno));
	close(fd);
	return err;
}
