/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * fsm.h - the VRRP state machine of RFC 5798 §6.4 (and RFC 3768 §6.4 for
 * v2), with keepalived's additions: FAULT, preempt_delay, priority 0 when
 * leaving MASTER, a second burst of gratuitous ARPs.
 *
 * Pure: every entry point takes the time (CLOCK_MONOTONIC ns) and the event,
 * changes the machine and says what to do in a list of actions; the agent
 * carries them out in order. vrrp_fsm_next() is when vrrp_fsm_timer() is
 * due. Tests drive it with a fake clock and fake adverts.
 */
#ifndef VRRP_FSM_H
#define VRRP_FSM_H

#include <stdbool.h>
#include <stdint.h>

#include "advert.h"

#define VRRP_NS_PER_CS	10000000ull
#define VRRP_NEVER	UINT64_MAX

enum vrrp_state {
	VRRP_INIT,
	VRRP_BACKUP,
	VRRP_MASTER,
	VRRP_FAULT,	/* keepalived's: link down, no address, required track */
};

enum vrrp_action_type {
	VRRP_ACT_SEND_ADVERT,	/* arg: the priority to send */
	VRRP_ACT_ADD_VIPS,
	VRRP_ACT_DEL_VIPS,
	VRRP_ACT_SEND_GARPS,
	VRRP_ACT_SET_ACTIVE,	/* arg: 1 holds the VIPs, 0 does not */
	VRRP_ACT_NOTIFY,	/* arg: enum vrrp_state entered */
};

struct vrrp_action {
	enum vrrp_action_type type;
	uint8_t arg;
};

#define VRRP_MAX_ACTIONS	8

/* What one event asks for, in order, and the line to log ("" if none). */
struct vrrp_actions {
	unsigned int n;
	struct vrrp_action a[VRRP_MAX_ACTIONS];
	char log[256];
};

struct vrrp_fsm_params {
	char name[32];			/* instance name, for the log */
	uint8_t version;		/* 2: skew is (256-p)/256 s (RFC 3768) */
	uint16_t adver_int_cs;		/* Advertisement_Interval */
	bool preempt;
	uint64_t preempt_delay_ns;	/* keepalived's preempt_delay */
	uint64_t garp_delay_ns;		/* second GARP burst; 0: none */
	struct vrrp_ip primary_ip;	/* our source address: the tie-break */
};

/* Why the last BACKUP -> MASTER happened: what the old master can still
 * do (send its last flows; or nothing, if it fell silent). */
enum vrrp_takeover {
	VRRP_TAKEOVER_NONE,	/* no master was heard (startup) */
	VRRP_TAKEOVER_GOODBYE,	/* it sent priority 0 */
	VRRP_TAKEOVER_PREEMPT,	/* it advertises a lower priority */
	VRRP_TAKEOVER_SILENT,	/* it fell silent: failed, or cut off */
};

struct vrrp_fsm {
	struct vrrp_fsm_params p;
	enum vrrp_state state;
	uint8_t priority;		/* effective priority */
	bool fault;			/* a fault condition holds */
	uint16_t master_adver_int_cs;	/* learned from the master (v3) */
	uint64_t timer_at;		/* Adver_Timer (MASTER) or
					 * Master_Down_Timer (BACKUP) */
	uint64_t garp_at;		/* second GARP burst (MASTER) */
	uint64_t preempt_at;		/* BACKUP: lower master preemptible */
	uint64_t since;			/* entered the current state */
	struct vrrp_ip master_ip;	/* last master heard (family 0: none) */
	uint8_t master_prio;
	uint64_t asserted_at;		/* MASTER: last advert + GARPs sent to
					 * another master that loses (or leaves) */
	struct vrrp_ip yielded_to;	/* the last master this one gave way to */
	uint64_t yielded_at;		/* the first time in the current window */
	unsigned int yields;		/* to it, since yielded_at */
	struct vrrp_ip contender_ip;	/* MASTER: adverts in a row of a master */
	uint64_t contender_last;	/* that made it yield before */
	unsigned int contender_run;
	enum vrrp_takeover takeover;	/* of the last BACKUP -> MASTER */
};

/* Flapping: a master that made this one yield VRRP_FLAP_YIELDS times
 * within VRRP_FLAP_HOLD_NS, each time falling silent after (this one took
 * over again), is yielded to again only after VRRP_FLAP_ADVERTS of its
 * adverts in a row: a single forged advert every few seconds no longer
 * moves the VIP each time, while a node that restarts once (an election, a
 * preemption) is yielded to at once as always. */
#define VRRP_FLAP_HOLD_NS	60000000000ull
#define VRRP_FLAP_YIELDS	2
#define VRRP_FLAP_ADVERTS	3

/* A master that hears another master it wins against (or that leaves)
 * sends an advert and gratuitous ARPs at once, as keepalived does: the
 * clients the other one drew (a healed partition) come back now, not when
 * their ARP entry expires. At most once per this interval. */
#define VRRP_ASSERT_INTERVAL_NS	1000000000ull

/* A backup adopts the master's advertised interval (v3, RFC 5798 §6.4.2),
 * but never more than this many times its own: one forged advert claiming
 * 40.95 s would otherwise keep every backup waiting 2 minutes for a master
 * that never speaks again. A real master with a longer interval makes the
 * backups take over between its adverts (logged); configure the same
 * advert_int on every node. */
#define VRRP_ADOPT_MAX_FACTOR	2

void vrrp_fsm_init(struct vrrp_fsm *f, const struct vrrp_fsm_params *p,
		   uint8_t priority);
/* Startup event: BACKUP, or MASTER at once for the address owner (255). */
void vrrp_fsm_start(struct vrrp_fsm *f, uint64_t now, struct vrrp_actions *out);
/* Shutdown event: priority 0 if MASTER, addresses removed, INIT. */
void vrrp_fsm_stop(struct vrrp_fsm *f, uint64_t now, struct vrrp_actions *out);
/* Call when now >= vrrp_fsm_next(). */
void vrrp_fsm_timer(struct vrrp_fsm *f, uint64_t now, struct vrrp_actions *out);
/* An advert that passed vrrp_advert_parse(). */
void vrrp_fsm_advert(struct vrrp_fsm *f, uint64_t now,
		     const struct vrrp_advert *adv, struct vrrp_actions *out);
/* Effective priority changed (track conditions); reason is logged. */
void vrrp_fsm_set_priority(struct vrrp_fsm *f, uint64_t now, uint8_t prio,
			   const char *reason, struct vrrp_actions *out);
/* A fault appeared or cleared; reason is logged. */
void vrrp_fsm_set_fault(struct vrrp_fsm *f, uint64_t now, bool fault,
			const char *reason, struct vrrp_actions *out);
/* New settings on reload (same identity: the caller checks). */
void vrrp_fsm_update(struct vrrp_fsm *f, const struct vrrp_fsm_params *p);

/* When vrrp_fsm_timer() is due, VRRP_NEVER if no timer runs. */
uint64_t vrrp_fsm_next(const struct vrrp_fsm *f);

/* Skew_Time and Master_Down_Interval for the current state, in ns. */
uint64_t vrrp_fsm_skew_ns(const struct vrrp_fsm *f);
uint64_t vrrp_fsm_master_down_ns(const struct vrrp_fsm *f);

const char *vrrp_state_str(enum vrrp_state s);	/* "MASTER" */

/* base + the weights of the track conditions, clamped to 1..254 as
 * keepalived does; the owner (255) keeps 255. */
uint8_t vrrp_effective_priority(uint8_t base, int track_weights);

#endif /* VRRP_FSM_H */
