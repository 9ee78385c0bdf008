/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * cgroup.h - the socket-level half of the data plane: cgroup/connect4 and
 * cgroup/getpeername4 on the cgroup v2 root, for clients on the node
 * itself, which XDP never sees.
 */
#ifndef KX_CGROUP_H
#define KX_CGROUP_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>

#include "config.h"
#include "query.h"

struct khaxdp;

/* Where the hooks go: cfg->cgroup, else the first cgroup2 mount. */
int kx_cgroup_root(const struct kx_config *cfg, char *buf, size_t len);

/*
 * Attach both hooks to the cgroup root and pin their links in dir; when
 * links are pinned already (an upgrade), point them at the new programs
 * instead, so a local connect() is never left unbalanced.
 */
int kx_cgroup_attach(struct khaxdp *skel, const struct kx_config *cfg,
		     const char *dir);

/* The cookie of this network namespace, which the hooks compare with. */
int kx_netns_cookie(__u64 *cookie);

#endif /* KX_CGROUP_H */
