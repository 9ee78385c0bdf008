// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * flowsync.c - announcing and adopting flows (flowsync.h).
 */
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>

#include "bpf/policy.h"
#include "loader/flowsync.h"
#include "loader/util.h"

#define NS_PER_MS	1000000ull

static const char *const adopt_names[KX_ADOPT_MAX] = {
	[KX_ADOPT_INSTALLED] = "installed",
	[KX_ADOPT_REFRESHED] = "refreshed",
	[KX_ADOPT_CONFIRMED] = "confirmed",
	[KX_ADOPT_SELF] = "self",
	[KX_ADOPT_OWN] = "own",
	[KX_ADOPT_NO_SERVICE] = "no_service",
	[KX_ADOPT_NOT_DSR] = "not_dsr",
	[KX_ADOPT_NO_BACKEND] = "no_backend",
	[KX_ADOPT_EXPIRED] = "expired",
};

const char *kx_adopt_str(enum kx_adopt a)
{
	return (unsigned int)a < KX_ADOPT_MAX ? adopt_names[a] : "?";
}

bool kx_flow_announce(const struct khaxdp_flow_key *key,
		      const struct khaxdp_flow *f,
		      const struct khaxdp_backend *backends, uint64_t now,
		      struct khaxdp_flow_event *ev, uint32_t *idle_ms)
{
	const struct khaxdp_backend *b;
	uint64_t idle;

	if (f->backend_id >= KHAXDP_MAX_BACKENDS)
		return false;
	b = &backends[f->backend_id];
	if (!b->family || khaxdp_flow_closed(f) || khaxdp_flow_expired(f, now))
		return false;
	if (f->mode != KHAXDP_MODE_DSR && !(f->flags & KHAXDP_FLOW_LOCAL))
		return false;
	khaxdp_flow_event_fill(ev, key, f, b, KHAXDP_FLOW_EV_OPEN,
			       f->last_seen_ns);
	idle = now > f->last_seen_ns ? (now - f->last_seen_ns) / NS_PER_MS : 0;
	*idle_ms = idle > UINT32_MAX ? UINT32_MAX : (uint32_t)idle;
	return true;
}

bool kx_flow_announce_half(const struct khaxdp_flow_key *key,
			   const struct khaxdp_flow *h,
			   const struct khaxdp_backend *backends, uint64_t now,
			   struct khaxdp_flow_event *ev, uint32_t *idle_ms)
{
	if (h->mode != KHAXDP_MODE_DSR || (h->flags & KHAXDP_FLOW_LOCAL) ||
	    !kx_flow_announce(key, h, backends, now, ev, idle_ms))
		return false;
	ev->type = KHAXDP_FLOW_EV_HALF_OPEN;
	return true;
}

/* The backend of service_id at addr:port, or -1. */
static int backend_at(const struct khaxdp_backend *backends,
		      uint32_t service_id, const union khaxdp_addr *addr,
		      __be16 port)
{
	for (unsigned int i = 0; i < KHAXDP_MAX_BACKENDS; i++) {
		const struct khaxdp_backend *b = &backends[i];

		if (b->family && b->service_id == service_id &&
		    b->port == port && !memcmp(&b->addr, addr, sizeof(*addr)))
			return (int)i;
	}
	return -1;
}

/* A half-open flow handed over: into half_open unless the tuple is a live
 * flow or half-open flow here already. */
static int adopt_half(const struct kx_maps *m,
		      const struct khaxdp_flow_event *ev,
		      const struct khaxdp_service *svc, uint32_t backend_id,
		      uint64_t seen_ns, enum kx_adopt *out)
{
	struct khaxdp_node node;
	struct khaxdp_flow h, old;
	uint64_t now = kx_now_ns();
	int err;

	if ((!bpf_map_lookup_elem(m->flows, &ev->key, &old) &&
	     !khaxdp_flow_expired(&old, now)) ||
	    (!bpf_map_lookup_elem(m->half_open, &ev->key, &old) &&
	     !khaxdp_flow_expired(&old, now) && !khaxdp_flow_closed(&old))) {
		*out = KX_ADOPT_OWN;
		return 0;
	}
	err = kx_node_read(m, &node);
	if (err)
		return err;
	memset(&h, 0, sizeof(h));
	h.created_ns = seen_ns;
	h.last_seen_ns = seen_ns;
	h.backend_id = backend_id;
	h.service_id = svc->id;
	h.timeout_s = khaxdp_connect_timeout_s(&node);
	h.mode = KHAXDP_MODE_DSR;
	h.flags = KHAXDP_FLOW_UNTRACKED;
	h.client.wscale = KHAXDP_WSCALE_NONE;
	if (khaxdp_flow_expired(&h, now)) {
		*out = KX_ADOPT_EXPIRED;
		return 0;
	}
	if (bpf_map_update_elem(m->half_open, &ev->key, &h, BPF_ANY))
		return kx_fail(-errno, "half_open: update: %s", strerror(errno));
	*out = KX_ADOPT_INSTALLED;
	return 0;
}

int kx_flow_adopt(const struct kx_maps *m,
		  const struct khaxdp_backend *backends,
		  const struct khaxdp_flow_event *ev, uint32_t idle_ms,
		  enum kx_adopt *out)
{
	struct khaxdp_vip vip = {
		.addr = ev->key.dst, .port = ev->key.dport,
		.proto = ev->key.proto, .family = ev->key.family,
	};
	struct khaxdp_service svc;
	struct khaxdp_flow f, old, h;
	uint64_t now = kx_now_ns(), idle_ns = (uint64_t)idle_ms * NS_PER_MS;
	bool acked;
	int id;

	if (bpf_map_lookup_elem(m->services, &vip, &svc)) {
		*out = KX_ADOPT_NO_SERVICE;
		return 0;
	}
	if (svc.mode != KHAXDP_MODE_DSR) {
		*out = KX_ADOPT_NOT_DSR;
		return 0;
	}
	id = backend_at(backends, svc.id, &ev->backend, ev->backend_port);
	if (id < 0) {
		*out = KX_ADOPT_NO_BACKEND;
		return 0;
	}
	if (backends[id].local) {
		*out = KX_ADOPT_SELF;
		return 0;
	}
	if (idle_ns >= (uint64_t)svc.timeout_s * 1000000000ull || idle_ns > now) {
		*out = KX_ADOPT_EXPIRED;
		return 0;
	}
	if (ev->type == KHAXDP_FLOW_EV_HALF_OPEN)
		return adopt_half(m, ev, &svc, (uint32_t)id, now - idle_ns, out);
	memset(&f, 0, sizeof(f));
	f.created_ns = now - idle_ns;
	f.last_seen_ns = now - idle_ns;
	f.backend_id = (uint32_t)id;
	f.service_id = svc.id;
	f.timeout_s = svc.timeout_s;
	f.mode = KHAXDP_MODE_DSR;
	f.flags = KHAXDP_FLOW_UNTRACKED |
		  (ev->flags & (KHAXDP_FLOW_FIN_FWD | KHAXDP_FLOW_FIN_REV));
	f.client.wscale = KHAXDP_WSCALE_NONE;
	*out = KX_ADOPT_INSTALLED;
	/* This node balances the flow and holds it half-open since its
	 * client's ACK: the serving node's word confirms it, as it is (its
	 * client's sequence numbers tracked), with its backend if the data
	 * plane drew the same one. */
	acked = !bpf_map_lookup_elem(m->half_open, &ev->key, &h) &&
		khaxdp_flow_acked(&h) && !khaxdp_flow_expired(&h, now);
	if (acked) {
		*out = KX_ADOPT_CONFIRMED;
		if (h.backend_id == f.backend_id) {
			h.flags &= (uint8_t)~KHAXDP_FLOW_ACKED;
			h.timeout_s = svc.timeout_s;
			if (h.last_seen_ns < f.last_seen_ns)
				h.last_seen_ns = f.last_seen_ns;
			f = h;
		}
	}
	if (!bpf_map_lookup_elem(m->flows, &ev->key, &old) &&
	    !khaxdp_flow_expired(&old, now)) {
		if (old.mode != KHAXDP_MODE_DSR ||
		    (old.flags & KHAXDP_FLOW_LOCAL)) {
			*out = KX_ADOPT_OWN;
			return 0;
		}
		if (old.backend_id == f.backend_id) {
			*out = KX_ADOPT_REFRESHED;
			if (old.last_seen_ns >= f.last_seen_ns)
				return 0;
			old.last_seen_ns = f.last_seen_ns;
			f = old;
		}
	}
	if (bpf_map_update_elem(m->flows, &ev->key, &f, BPF_ANY))
		return kx_fail(-errno, "flows: update: %s", strerror(errno));
	if (acked && bpf_map_delete_elem(m->half_open, &ev->key) &&
	    errno != ENOENT)
		return kx_fail(-errno, "half_open: delete: %s", strerror(errno));
	return 0;
}

int kx_flow_forget(const struct kx_maps *m, const struct khaxdp_flow_key *key,
		   bool *deleted)
{
	struct khaxdp_flow f;

	*deleted = false;
	if (!bpf_map_lookup_elem(m->half_open, key, &f) &&
	    khaxdp_flow_acked(&f)) {
		if (bpf_map_delete_elem(m->half_open, key) && errno != ENOENT)
			return kx_fail(-errno, "half_open: delete: %s",
				       strerror(errno));
		*deleted = true;
	}
	if (bpf_map_lookup_elem(m->flows, key, &f))
		return 0;
	if (f.mode != KHAXDP_MODE_DSR || (f.flags & KHAXDP_FLOW_LOCAL))
		return 0;
	if (bpf_map_delete_elem(m->flows, key) && errno != ENOENT)
		return kx_fail(-errno, "flows: delete: %s", strerror(errno));
	*deleted = true;
	return 0;
}
