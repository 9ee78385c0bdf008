/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * flowsync.h - the flows table's side of flow sync: which flows a node
 * announces to the others, and how a node takes in a flow another one
 * announced (adopts it).
 *
 * A flow travels as the data plane's own record, struct khaxdp_flow_event
 * (bpf/khaxdp.h): the key client -> VIP, the backend by address and port
 * (ids differ between nodes), its mode and flags; with how long it has
 * been idle. An adopted flow is a DSR flow to that backend, inert while
 * this node is standby (a standby balances nothing) and followed from the
 * moment it becomes active. Its sequence numbers are not known here: it is
 * UNTRACKED (a RST or FIN of its client is believed).
 *
 * The node that balances a DSR flow cannot check its handshake (the
 * backend's SYN-ACK goes straight to the client): it holds the flow
 * half-open (KHAXDP_FLOW_ACKED) until the node serving it, which checked
 * the whole handshake, announces it. Adopting that announcement confirms
 * the flow: it moves into flows with what was seen of the client.
 */
#ifndef KX_FLOWSYNC_H
#define KX_FLOWSYNC_H

#include <stdbool.h>
#include <stdint.h>

#include "bpf/khaxdp.h"
#include "loader/maps.h"

enum kx_adopt {
	KX_ADOPT_INSTALLED,	/* new in the table */
	KX_ADOPT_REFRESHED,	/* there already: its idle time updated */
	KX_ADOPT_CONFIRMED,	/* held half-open here since its client's ACK
				 * (this node balances it): now confirmed */
	KX_ADOPT_SELF,		/* its backend is this node's: known here */
	KX_ADOPT_OWN,		/* the tuple is a flow of this node's own */
	KX_ADOPT_NO_SERVICE,	/* no service at that VIP:port here */
	KX_ADOPT_NOT_DSR,	/* the service here is not in dsr mode */
	KX_ADOPT_NO_BACKEND,	/* no backend at that address:port here */
	KX_ADOPT_EXPIRED,	/* idle longer than the service's timeout */
	KX_ADOPT_MAX,
};

const char *kx_adopt_str(enum kx_adopt a);	/* "installed", ... */

/*
 * Should this flow be announced, and as what? Confirmed flows that are
 * DSR flows to another node or flows of this node's own backend, neither
 * closed nor expired at now (kx_now_ns()). backends: a read of the
 * backends map (KHAXDP_MAX_BACKENDS entries).
 */
bool kx_flow_announce(const struct khaxdp_flow_key *key,
		      const struct khaxdp_flow *f,
		      const struct khaxdp_backend *backends, uint64_t now,
		      struct khaxdp_flow_event *ev, uint32_t *idle_ms);
/* The same for an entry of half_open, handed over when leaving MASTER
 * (KHAXDP_FLOW_EV_HALF_OPEN): DSR flows to another node only, neither
 * refused nor past their connect timeout. */
bool kx_flow_announce_half(const struct khaxdp_flow_key *key,
			   const struct khaxdp_flow *h,
			   const struct khaxdp_backend *backends, uint64_t now,
			   struct khaxdp_flow_event *ev, uint32_t *idle_ms);

/*
 * Take in a flow another node announced, idle for idle_ms. backends: a
 * read of the backends map. 0 with *out saying what became of it, or
 * -errno when a map could not be read or written. A half-open one
 * (KHAXDP_FLOW_EV_HALF_OPEN) goes into half_open, UNTRACKED (its sequence
 * numbers unknown here), for the connect timeout: the client's ACK
 * confirms it as its SYN had come here.
 */
int kx_flow_adopt(const struct kx_maps *m,
		  const struct khaxdp_backend *backends,
		  const struct khaxdp_flow_event *ev, uint32_t idle_ms,
		  enum kx_adopt *out);

/* A node that balanced or served it says the flow ended: an adopted flow
 * (a DSR flow to another node) is deleted, and so is one held half-open
 * until its serving node confirms it; a flow of this node's own is left
 * to its data plane, which sees its end itself. *deleted says which. */
int kx_flow_forget(const struct kx_maps *m, const struct khaxdp_flow_key *key,
		   bool *deleted);

#endif /* KX_FLOWSYNC_H */
