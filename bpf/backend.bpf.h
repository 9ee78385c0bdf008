/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * backend.bpf.h - choosing a backend: the service of a VIP:port and the
 * round robin over its ring of usable backends.
 */
#ifndef KHAXDP_BACKEND_BPF_H
#define KHAXDP_BACKEND_BPF_H

#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include "khaxdp.h"
#include "maps.bpf.h"
#include "policy.h"

/* The service of VIP addr:port (TCP) of the family, or NULL. */
static __always_inline struct khaxdp_service *
backend_service(const union khaxdp_addr *addr, __be16 port, __u8 family)
{
	struct khaxdp_vip vip = {};

	vip.addr = *addr;
	vip.port = port;
	vip.proto = IPPROTO_TCP;
	vip.family = family;
	return bpf_map_lookup_elem(&services, &vip);
}

/* A backend of the family the data plane may send a flow to (a service's
 * backends are all of its family: the configuration says so). */
static __always_inline struct khaxdp_backend *backend_get(__u32 id, __u8 family)
{
	struct khaxdp_backend *b = bpf_map_lookup_elem(&backends, &id);

	return b && b->family == family ? b : NULL;
}

/*
 * Round robin: one atomic increment of the service's cursor, one ring slot.
 * The ring holds only usable backends; if one changed state after user
 * space wrote the ring, the next slots are tried, a bounded number.
 */
static __always_inline int backend_pick(const struct khaxdp_service *svc,
					__u8 family, __u32 *backend_id)
{
	__u32 ring_key = khaxdp_ring_key(svc->id, svc->ring_slot);
	struct khaxdp_cursor *cur;
	struct khaxdp_ring *ring;
	__u64 next;
	__u32 i;

	ring = bpf_map_lookup_elem(&rings, &ring_key);
	cur = bpf_map_lookup_elem(&rr_cursor, &svc->id);
	if (!ring || !cur || !ring->count ||
	    ring->count > KHAXDP_MAX_SERVICE_BACKENDS)
		return -1;
	next = __sync_fetch_and_add(&cur->next, 1);

	for (i = 0; i < KHAXDP_PICK_TRIES; i++) {
		__u32 slot = (next + i) % ring->count;
		__u32 id = ring->backend[slot & (KHAXDP_MAX_SERVICE_BACKENDS - 1)];
		struct khaxdp_backend *b = backend_get(id, family);

		if (b && khaxdp_backend_usable(b, svc->id)) {
			*backend_id = id;
			return 0;
		}
	}
	return -1;
}

#endif /* KHAXDP_BACKEND_BPF_H */
