/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * agent.h - khaxdp-vrrpd's running state: one VRRP instance per [vrrp NAME]
 * section, each with its socket, its state machine and its timers, all on
 * one event loop with the signals (signalfd).
 */
#ifndef VRRP_AGENT_H
#define VRRP_AGENT_H

#include <stdbool.h>
#include <stdint.h>

#include "agent_checks.h"
#include "agent_sync.h"
#include "fsm.h"
#include "loop.h"
#include "vip.h"
#include "vrrp_conf.h"

struct agent;

struct instance {
	struct agent *ag;
	bool running;
	struct vrrp_instance_conf conf;
	struct vrrp_fsm fsm;
	int ifindex;
	uint8_t mac[6];
	struct vrrp_ip src;		/* our source: the tie-break address
					 * (IPv6: the link-local one) */
	uint8_t vip_addrs[VRRP_MAX_ADDRS * 16];	/* as adverts list them */
	int sock;
	int arp;
	struct ev_watch watch;
	struct ev_timer timer;		/* the state machine's deadline */
	struct ev_timer check;		/* link, address, data plane */
	uint64_t src_checked;		/* when the address was last looked up */
	/* The link as rtnetlink tells it (link_known), else asked at every
	 * check: its index now (0: none by that name) and carrier. */
	bool link_known;
	int link_idx;
	bool link_running;
	bool src_stale;			/* an address changed: look again */
	bool link_changed;		/* an event came: check at once */
	bool dp_attached;
	char fault_reason[96];		/* "" when none */
	char vip_error[96];		/* a VIP could not be added: FAULT */
	uint64_t vip_error_at;
	uint64_t rx[VRRP_RX_MAX];	/* rx[VRRP_RX_OK]: accepted */
	uint64_t tx, tx_errors;
	uint64_t drop_logged_at[VRRP_RX_MAX];
	uint64_t drop_unlogged[VRRP_RX_MAX];
};

struct agent {
	struct ev_loop loop;
	char path[4096];
	struct vrrp_config conf;
	struct instance inst[VRRP_MAX_INSTANCES];
	struct vip_nl nl;
	int sigfd;
	struct ev_watch sigwatch;
	int linkfd;			/* rtnetlink link/address events; -1 */
	bool takeover_hold;		/* while applying: see on_timer() */
	struct ev_watch linkwatch;
	struct agent_checks checks;	/* health checks, stats page */
	struct agent_sync sync;		/* flow sync ([sync]) */
};

/* Open everything, start every instance; then agent_run() until SIGTERM. */
int agent_init(struct agent *ag, const char *path,
	       const struct vrrp_config *conf);
int agent_run(struct agent *ag);
void agent_close(struct agent *ag);

#endif /* VRRP_AGENT_H */
