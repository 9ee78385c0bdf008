// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* query.c - what is attached where (see query.h). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>

#include "query.h"
#include "util.h"

int kx_pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	if (kx_snprintf(buf, len, "%s/%s", dir, name))
		return kx_fail(-ENAMETOOLONG, "%s/%s: path too long", dir, name);
	return 0;
}


/* ---- what is there ------------------------------------------------------ */

static int prog_info(int fd, uint32_t *id, char *name, size_t name_len)
{
	struct bpf_prog_info info = {};
	uint32_t len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	if (id)
		*id = info.id;
	if (name)
		snprintf(name, name_len, "%s", info.name);
	return 0;
}

int kx_prog_name(uint32_t id, char *name, size_t len)
{
	int fd = bpf_prog_get_fd_by_id(id), err;

	if (fd < 0)
		return -errno;
	err = prog_info(fd, NULL, name, len);
	close(fd);
	return err;
}

int kx_pinned_prog_id(const char *dir, const char *pin, uint32_t *id)
{
	char path[PATH_MAX];
	int fd, err;

	*id = 0;
	err = kx_pin_path(path, sizeof(path), dir, pin);
	if (err)
		return err;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	err = prog_info(fd, id, NULL, 0);
	close(fd);
	return err;
}


int kx_state_read(const char *dir, struct khaxdp_loader_state *st)
{
	char path[PATH_MAX];
	uint32_t key = 0;
	int fd, err = 0;

	memset(st, 0, sizeof(*st));
	if (kx_pin_path(path, sizeof(path), dir, KX_PIN_STATE))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return -errno;
	if (bpf_map_lookup_elem(fd, &key, st))
		err = -errno;
	close(fd);
	return err;
}


static void xdp_info_fill(struct xdp_multiprog *mp, struct kx_xdp_info *info)
{
	struct xdp_program *p = xdp_multiprog__main_prog(mp);

	info->attached = p != NULL;
	if (!p)
		return;
	info->dispatcher = !xdp_multiprog__is_legacy(mp);
	info->generic = xdp_multiprog__attach_mode(mp) == XDP_MODE_SKB;
	info->main_id = xdp_program__id(p);
	snprintf(info->main_name, sizeof(info->main_name), "%s",
		 xdp_program__name(p));
	if (!info->dispatcher) {
		info->n_progs = 1;
		info->ours = info->our_id && info->main_id == info->our_id;
		return;
	}
	info->n_progs = xdp_multiprog__program_count(mp);
	for (p = xdp_multiprog__next_prog(NULL, mp); p;
	     p = xdp_multiprog__next_prog(p, mp))
		if (info->our_id && xdp_program__id(p) == info->our_id)
			info->ours = true;
}

int kx_xdp_query(int ifindex, const char *dir, struct kx_xdp_info *info)
{
	struct xdp_multiprog *mp;
	int err;

	memset(info, 0, sizeof(*info));
	kx_pinned_prog_id(dir, KHAXDP_PIN_XDP_PROG, &info->our_id);
	mp = xdp_multiprog__get_from_ifindex(ifindex);
	err = libxdp_get_error(mp);
	if (!mp || err == -ENOENT)
		return 0;
	if (err)
		return kx_fail(err, "ifindex %d: query XDP: %s", ifindex,
			       strerror(-err));
	xdp_info_fill(mp, info);
	xdp_multiprog__close(mp);
	return 0;
}

const char *kx_xdp_info_mode_str(const struct kx_xdp_info *info)
{
	if (!info->attached)
		return "none";
	if (info->dispatcher)
		return info->generic ? "generic, libxdp dispatcher" :
				       "native, libxdp dispatcher";
	return info->generic ? "generic, legacy (single program)" :
			       "native, legacy (single program)";
}


int kx_tc_query(int ifindex, uint32_t *prog_id)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_EGRESS);
	LIBBPF_OPTS(bpf_tc_opts, q, .handle = KX_TC_HANDLE,
		    .priority = KX_TC_PRIO);
	int err;

	*prog_id = 0;
	err = bpf_tc_query(&hook, &q);
	if (err == -ENOENT || err == -EINVAL)	/* no filter, or no clsact */
		return 0;
	if (err)
		return err;
	*prog_id = q.prog_id;
	return 0;
}

bool kx_xdp_ours(int ifindex, const char *dir)
{
	struct kx_xdp_info info;
	uint32_t ours = 0, now = 0;

	/* Our program alone on the hook: the ids say it, without opening the
	 * program by id as libxdp does, which needs CAP_SYS_ADMIN. */
	if (!kx_pinned_prog_id(dir, KHAXDP_PIN_XDP_PROG, &ours) && ours &&
	    !bpf_xdp_query_id(ifindex, 0, &now) && now == ours)
		return true;
	if (kx_xdp_query(ifindex, dir, &info)) {
		kx_debug("XDP query: %s", kx_last_error());
		return false;
	}
	return info.ours;
}

static uint32_t link_prog_id(const char *dir, const char *pin)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	char path[PATH_MAX];
	int fd;

	if (kx_snprintf(path, sizeof(path), "%s/%s", dir, pin))
		return 0;
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 0;
	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		info.prog_id = 0;
	close(fd);
	return info.prog_id;
}

void kx_cgroup_query(const char *dir, struct kx_cgroup_ids *ids)
{
	ids->connect4 = link_prog_id(dir, KX_PIN_CONNECT4);
	ids->getpeername4 = link_prog_id(dir, KX_PIN_GETPEERNAME4);
	ids->connect6 = link_prog_id(dir, KX_PIN_CONNECT6);
	ids->getpeername6 = link_prog_id(dir, KX_PIN_GETPEERNAME6);
}
