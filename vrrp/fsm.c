// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * fsm.c - RFC 5798 §6.4 as a pure function of (state, event, time).
 *
 * Section numbers in comments are RFC 5798's; RFC 3768 (v2) has the same
 * machine with Skew_Time = (256 - Priority) / 256 seconds and a fixed
 * interval. Where the RFC leaves room, keepalived's choices are taken, so
 * that a mixed cluster behaves as one: priority 0 is sent whenever MASTER
 * is left, and preempt_delay delays the first takeover after startup and a
 * takeover from a lower-priority master.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fsm.h"

const char *vrrp_state_str(enum vrrp_state s)
{
	switch (s) {
	case VRRP_INIT:		return "INIT";
	case VRRP_BACKUP:	return "BACKUP";
	case VRRP_MASTER:	return "MASTER";
	case VRRP_FAULT:	return "FAULT";
	}
	return "?";
}

uint8_t vrrp_effective_priority(uint8_t base, int track_weights)
{
	int p = base + track_weights;

	if (base == VRRP_PRIO_OWNER)
		return VRRP_PRIO_OWNER;
	return (uint8_t)(p < 1 ? 1 : p > 254 ? 254 : p);
}

/* ---- helpers ---------------------------------------------------------------- */

static void reset(struct vrrp_actions *out)
{
	out->n = 0;
	out->log[0] = '\0';
}

static void push(struct vrrp_actions *out, enum vrrp_action_type type,
		 uint8_t arg)
{
	if (out->n < VRRP_MAX_ACTIONS)
		out->a[out->n++] = (struct vrrp_action){ type, arg };
}

static void say(struct vrrp_fsm *f, struct vrrp_actions *out,
		const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* The event's log line, prefixed with the instance name. */
static void say(struct vrrp_fsm *f, struct vrrp_actions *out,
		const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(out->log, sizeof(out->log), "%s: ", f->p.name);
	if (n < 0 || (size_t)n >= sizeof(out->log))
		return;
	va_start(ap, fmt);
	vsnprintf(out->log + n, sizeof(out->log) - (size_t)n, fmt, ap);
	va_end(ap);
}

static const char *ip_str(struct vrrp_ip ip, char *buf)
{
	return vrrp_ip_str(&ip, buf);
}

static double secs(uint64_t ns)
{
	return (double)ns / 1e9;
}

static uint64_t interval_ns(uint16_t cs)
{
	return cs * VRRP_NS_PER_CS;
}

/* The interval a backup waits on: the master's, bounded by ours. */
static uint16_t adopt_interval(const struct vrrp_fsm *f, uint16_t adv_cs)
{
	uint32_t max = (uint32_t)f->p.adver_int_cs * VRRP_ADOPT_MAX_FACTOR;

	return adv_cs > max ? (uint16_t)max : adv_cs;
}

uint64_t vrrp_fsm_skew_ns(const struct vrrp_fsm *f)
{
	uint64_t unused = 256 - f->priority;

	if (f->p.version == 2)
		return unused * 1000000000ull / 256;
	return unused * interval_ns(f->master_adver_int_cs) / 256;
}

uint64_t vrrp_fsm_master_down_ns(const struct vrrp_fsm *f)
{
	return 3 * interval_ns(f->master_adver_int_cs) + vrrp_fsm_skew_ns(f);
}

uint64_t vrrp_fsm_next(const struct vrrp_fsm *f)
{
	uint64_t next = VRRP_NEVER;

	if (f->timer_at && f->timer_at < next)
		next = f->timer_at;
	if (f->garp_at && f->garp_at < next)
		next = f->garp_at;
	return next;
}

/* Does the sender win over us? Priority, then the primary address
 * (§6.4.3: "greater than the local primary IP address"). */
static bool sender_wins(const struct vrrp_fsm *f, const struct vrrp_advert *adv)
{
	if (adv->priority != f->priority)
		return adv->priority > f->priority;
	return vrrp_ip_cmp(&adv->src, &f->p.primary_ip) > 0;
}

/* ---- transitions --------------------------------------------------------------- */

static void enter(struct vrrp_fsm *f, enum vrrp_state s, uint64_t now)
{
	f->state = s;
	f->since = now;
	f->timer_at = 0;
	f->garp_at = 0;
	f->preempt_at = 0;
}

/* Leaving MASTER. goodbye (a stop, a fault): say priority 0 so that a
 * backup takes over after its skew time instead of Master_Down_Interval.
 * Not when giving way to a higher master (§6.4.3): that one is there
 * already, and a priority 0 would make every other backup take over too
 * after its skew — a third master, gratuitous ARPs pointing clients at
 * it, until it hears the new master (found by the handover lab test). */
static void release_addresses(struct vrrp_fsm *f, bool goodbye,
			      struct vrrp_actions *out)
{
	if (f->state == VRRP_MASTER && goodbye)
		push(out, VRRP_ACT_SEND_ADVERT, VRRP_PRIO_STOP);
	push(out, VRRP_ACT_DEL_VIPS, 0);
	push(out, VRRP_ACT_SET_ACTIVE, 0);
}

static void become_master(struct vrrp_fsm *f, uint64_t now,
			  struct vrrp_actions *out)
{
	/* The data plane balances before the address is there and before
	 * the clients hear of it: a packet the stack took for the VIP while
	 * this node is still standby would be answered with a RST. */
	push(out, VRRP_ACT_SEND_ADVERT, f->priority);
	push(out, VRRP_ACT_SET_ACTIVE, 1);
	push(out, VRRP_ACT_ADD_VIPS, 0);
	push(out, VRRP_ACT_SEND_GARPS, 0);
	push(out, VRRP_ACT_NOTIFY, VRRP_MASTER);
	enter(f, VRRP_MASTER, now);
	f->timer_at = now + interval_ns(f->p.adver_int_cs);
	if (f->p.garp_delay_ns)
		f->garp_at = now + f->p.garp_delay_ns;
	f->master_ip = f->p.primary_ip;
	f->master_prio = f->priority;
}

/* master_int_cs: the interval the master advertises (v3), else ours. */
static void become_backup(struct vrrp_fsm *f, uint64_t now,
			  uint16_t master_int_cs, struct vrrp_actions *out)
{
	release_addresses(f, false, out);
	push(out, VRRP_ACT_NOTIFY, VRRP_BACKUP);
	enter(f, VRRP_BACKUP, now);
	f->master_adver_int_cs = master_int_cs;
	f->timer_at = now + vrrp_fsm_master_down_ns(f);
}

static void become_fault(struct vrrp_fsm *f, uint64_t now,
			 struct vrrp_actions *out)
{
	release_addresses(f, true, out);
	push(out, VRRP_ACT_NOTIFY, VRRP_FAULT);
	enter(f, VRRP_FAULT, now);
	memset(&f->master_ip, 0, sizeof(f->master_ip));
}

/* §6.4.1: Initialize, also after a fault clears. */
static void initialize(struct vrrp_fsm *f, uint64_t now, const char *why,
		       struct vrrp_actions *out)
{
	const char *from = vrrp_state_str(f->state);

	if (f->fault) {
		become_fault(f, now, out);
		say(f, out, "%s -> FAULT: %s", from, why);
		return;
	}
	if (f->priority == VRRP_PRIO_OWNER) {
		become_master(f, now, out);
		say(f, out, "%s -> MASTER: %s, priority 255 (address owner)",
		    from, why);
		return;
	}
	become_backup(f, now, f->p.adver_int_cs, out);
	memset(&f->master_ip, 0, sizeof(f->master_ip));
	/* keepalived: preempt_delay also delays the first takeover. */
	if (f->p.preempt)
		f->timer_at += f->p.preempt_delay_ns;
	say(f, out, "%s -> BACKUP: %s, priority %u, master down in %.3f s",
	    from, why, f->priority, secs(f->timer_at - now));
}

/* ---- events ---------------------------------------------------------------------- */

void vrrp_fsm_init(struct vrrp_fsm *f, const struct vrrp_fsm_params *p,
		   uint8_t priority)
{
	memset(f, 0, sizeof(*f));
	f->p = *p;
	f->state = VRRP_INIT;
	f->priority = priority;
	f->master_adver_int_cs = p->adver_int_cs;
}

void vrrp_fsm_update(struct vrrp_fsm *f, const struct vrrp_fsm_params *p)
{
	f->p = *p;
	if (f->p.version == 2 || f->state != VRRP_BACKUP)
		f->master_adver_int_cs = p->adver_int_cs;
}

void vrrp_fsm_start(struct vrrp_fsm *f, uint64_t now, struct vrrp_actions *out)
{
	reset(out);
	initialize(f, now, "startup", out);
}

/* §6.4.2 and §6.4.3 "Shutdown event". */
void vrrp_fsm_stop(struct vrrp_fsm *f, uint64_t now, struct vrrp_actions *out)
{
	const char *from = vrrp_state_str(f->state);
	bool was_master = f->state == VRRP_MASTER;

	reset(out);
	if (f->state == VRRP_INIT)
		return;
	if (was_master)
		release_addresses(f, true, out);
	enter(f, VRRP_INIT, now);
	say(f, out, "%s -> INIT: shutdown%s", from,
	    was_master ? ", sent priority 0" : "");
}

static void master_timer(struct vrrp_fsm *f, uint64_t now,
			 struct vrrp_actions *out)
{
	uint64_t step = interval_ns(f->p.adver_int_cs);

	push(out, VRRP_ACT_SEND_ADVERT, f->priority);
	/* Next deadline from the last one, not from now: no drift. */
	f->timer_at += step;
	if (f->timer_at <= now)
		f->timer_at = now + step;
}

/* §6.4.2: Master_Down_Timer fired. */
static void master_down(struct vrrp_fsm *f, uint64_t now,
			struct vrrp_actions *out)
{
	char ip[VRRP_IP_STRLEN];
	uint64_t silent = now - f->since;
	struct vrrp_ip last_ip = f->master_ip;
	uint8_t last_prio = f->master_prio;
	bool preempted = f->preempt_at != 0;

	become_master(f, now, out);
	if (!last_ip.family) {
		f->takeover = VRRP_TAKEOVER_NONE;
		say(f, out, "BACKUP -> MASTER: no master heard for %.3f s, priority %u",
		    secs(silent), f->priority);
	} else if (last_prio == VRRP_PRIO_STOP) {
		f->takeover = VRRP_TAKEOVER_GOODBYE;
		say(f, out, "BACKUP -> MASTER: master %s left (sent priority 0), priority %u",
		    ip_str(last_ip, ip), f->priority);
	} else if (preempted) {
		f->takeover = VRRP_TAKEOVER_PREEMPT;
		say(f, out, "BACKUP -> MASTER: preempted master %s (priority %u), priority %u",
		    ip_str(last_ip, ip), last_prio, f->priority);
	} else {
		f->takeover = VRRP_TAKEOVER_SILENT;
		say(f, out, "BACKUP -> MASTER: no advert from master %s (priority %u) for %.3f s, priority %u",
		    ip_str(last_ip, ip), last_prio, secs(silent), f->priority);
	}
}

void vrrp_fsm_timer(struct vrrp_fsm *f, uint64_t now, struct vrrp_actions *out)
{
	reset(out);
	if (f->garp_at && now >= f->garp_at) {
		f->garp_at = 0;
		if (f->state == VRRP_MASTER)
			push(out, VRRP_ACT_SEND_GARPS, 0);
	}
	if (!f->timer_at || now < f->timer_at)
		return;
	if (f->state == VRRP_MASTER)
		master_timer(f, now, out);
	else if (f->state == VRRP_BACKUP)
		master_down(f, now, out);
}

/* Accept the sender as our master: learn its interval (v3), restart
 * Master_Down_Timer. Logs only when the master or its priority changes. */
static void follow_master(struct vrrp_fsm *f, uint64_t now,
			  const struct vrrp_advert *adv,
			  struct vrrp_actions *out)
{
	char ip[VRRP_IP_STRLEN];
	uint16_t adopted = f->p.version == 3 ?
				   adopt_interval(f, adv->adver_int_cs) :
				   f->master_adver_int_cs;
	bool changed = !vrrp_ip_eq(&adv->src, &f->master_ip) ||
		       adv->priority != f->master_prio ||
		       adopted != f->master_adver_int_cs;

	f->master_adver_int_cs = adopted;
	f->master_ip = adv->src;
	f->master_prio = adv->priority;
	f->timer_at = now + vrrp_fsm_master_down_ns(f);
	f->since = now;
	if (changed && adopted != adv->adver_int_cs && f->p.version == 3)
		say(f, out, "BACKUP: master is %s, priority %u, advert_int %.2f s: waiting on %.2f s at most (twice ours; ours: priority %u)",
		    ip_str(adv->src, ip), adv->priority,
		    adv->adver_int_cs / 100.0, adopted / 100.0, f->priority);
	else if (changed)
		say(f, out, "BACKUP: master is %s, priority %u, advert_int %.2f s (ours: priority %u)",
		    ip_str(adv->src, ip), adv->priority,
		    adv->adver_int_cs / 100.0, f->priority);
}

/* A master with a lower priority than ours: preempt, possibly later. */
static void lower_master(struct vrrp_fsm *f, uint64_t now,
			 const struct vrrp_advert *adv,
			 struct vrrp_actions *out)
{
	char ip[VRRP_IP_STRLEN];

	f->master_ip = adv->src;
	f->master_prio = adv->priority;
	if (!f->preempt_at) {
		f->preempt_at = now + f->p.preempt_delay_ns;
		say(f, out, "BACKUP: master %s has priority %u < ours %u: preempting%s",
		    ip_str(adv->src, ip), adv->priority, f->priority,
		    f->p.preempt_delay_ns ? " after preempt_delay" : "");
	}
	/* Until the delay is over the lower master is followed, so the
	 * takeover comes preempt_delay + Master_Down_Interval after it was
	 * first seen, as with keepalived. */
	if (now < f->preempt_at) {
		if (f->p.version == 3)
			f->master_adver_int_cs = adopt_interval(f, adv->adver_int_cs);
		f->timer_at = now + vrrp_fsm_master_down_ns(f);
	}
	/* else §6.4.2: discard, Master_Down_Timer runs out. */
}

/* §6.4.2 Backup, "If an ADVERTISEMENT is received". */
static void backup_advert(struct vrrp_fsm *f, uint64_t now,
			  const struct vrrp_advert *adv,
			  struct vrrp_actions *out)
{
	char ip[VRRP_IP_STRLEN];

	if (adv->priority == VRRP_PRIO_STOP) {
		f->timer_at = now + vrrp_fsm_skew_ns(f);
		f->master_ip = adv->src;
		f->master_prio = VRRP_PRIO_STOP;
		say(f, out, "BACKUP: master %s left (priority 0): taking over in %.3f s (skew) unless another router does",
		    ip_str(adv->src, ip), secs(vrrp_fsm_skew_ns(f)));
		return;
	}
	if (!f->p.preempt || adv->priority >= f->priority) {
		f->preempt_at = 0;
		follow_master(f, now, adv, out);
		return;
	}
	lower_master(f, now, adv, out);
}

/* A winning advert from the master this one yielded to not long ago, and
 * that fell silent since: counted until VRRP_FLAP_ADVERTS came in a row
 * (each within twice its interval of the last). True: not yet. */
static bool flapping(struct vrrp_fsm *f, uint64_t now,
		     const struct vrrp_advert *adv, struct vrrp_actions *out)
{
	char ip[VRRP_IP_STRLEN];
	uint16_t cs = f->p.version == 3 && adv->adver_int_cs ?
			      adopt_interval(f, adv->adver_int_cs) :
			      f->p.adver_int_cs;

	if (!f->yielded_at || !vrrp_ip_eq(&adv->src, &f->yielded_to) ||
	    now - f->yielded_at >= VRRP_FLAP_HOLD_NS ||
	    f->yields < VRRP_FLAP_YIELDS)
		return false;
	if (!vrrp_ip_eq(&adv->src, &f->contender_ip) ||
	    now - f->contender_last > 2 * interval_ns(cs))
		f->contender_run = 0;
	f->contender_ip = adv->src;
	f->contender_last = now;
	if (++f->contender_run >= VRRP_FLAP_ADVERTS)
		return false;
	if (f->contender_run == 1)
		say(f, out, "MASTER: %s claims the VIP again (priority %u): this node gave way to it %u times in %.1f s and each time it fell silent: giving way after %u adverts in a row",
		    ip_str(adv->src, ip), adv->priority, f->yields,
		    (double)(now - f->yielded_at) / 1e9, VRRP_FLAP_ADVERTS);
	return true;
}

/* §6.4.3 Master, "If an ADVERTISEMENT is received". */
static void master_advert(struct vrrp_fsm *f, uint64_t now,
			  const struct vrrp_advert *adv,
			  struct vrrp_actions *out)
{
	char ip[VRRP_IP_STRLEN], ours[VRRP_IP_STRLEN];
	uint8_t prio = f->priority;

	if (adv->priority == VRRP_PRIO_STOP || !sender_wins(f, adv)) {
		/* Another master is leaving, or loses to us (§6.4.3 only
		 * discards): assert ourselves at once, to the clients too. */
		if (f->asserted_at && now - f->asserted_at < VRRP_ASSERT_INTERVAL_NS)
			return;
		f->asserted_at = now;
		push(out, VRRP_ACT_SEND_ADVERT, f->priority);
		push(out, VRRP_ACT_SEND_GARPS, 0);
		f->timer_at = now + interval_ns(f->p.adver_int_cs);
		if (adv->priority != VRRP_PRIO_STOP)
			say(f, out, "MASTER: %s also claims the VIP with priority %u, ours %u wins: advert and gratuitous ARPs sent",
			    ip_str(adv->src, ip), adv->priority, prio);
		return;
	}
	if (flapping(f, now, adv, out))
		return;
	if (!vrrp_ip_eq(&adv->src, &f->yielded_to) || !f->yielded_at ||
	    now - f->yielded_at >= VRRP_FLAP_HOLD_NS) {
		f->yielded_to = adv->src;
		f->yielded_at = now;
		f->yields = 0;
	}
	f->yields++;
	f->contender_run = 0;
	become_backup(f, now,
		      f->p.version == 3 ? adopt_interval(f, adv->adver_int_cs) :
					  f->p.adver_int_cs,
		      out);
	f->master_ip = adv->src;
	f->master_prio = adv->priority;
	if (adv->priority > prio)
		say(f, out, "MASTER -> BACKUP: %s has priority %u > ours %u",
		    ip_str(adv->src, ip), adv->priority, prio);
	else
		say(f, out, "MASTER -> BACKUP: %s has equal priority %u and a higher address than ours %s",
		    ip_str(adv->src, ip), prio,
		    ip_str(f->p.primary_ip, ours));
}

void vrrp_fsm_advert(struct vrrp_fsm *f, uint64_t now,
		     const struct vrrp_advert *adv, struct vrrp_actions *out)
{
	reset(out);
	if (f->state == VRRP_BACKUP)
		backup_advert(f, now, adv, out);
	else if (f->state == VRRP_MASTER)
		master_advert(f, now, adv, out);
	/* INIT and FAULT ignore adverts. */
}

void vrrp_fsm_set_priority(struct vrrp_fsm *f, uint64_t now, uint8_t prio,
			   const char *reason, struct vrrp_actions *out)
{
	uint8_t old = f->priority;

	(void)now;
	reset(out);
	if (prio == old)
		return;
	f->priority = prio;
	if (f->state == VRRP_MASTER)
		f->master_prio = prio;
	say(f, out, "%s: priority %u -> %u (%s)", vrrp_state_str(f->state),
	    old, prio, reason);
}

void vrrp_fsm_set_fault(struct vrrp_fsm *f, uint64_t now, bool fault,
			const char *reason, struct vrrp_actions *out)
{
	const char *from = vrrp_state_str(f->state);

	reset(out);
	if (fault == f->fault)
		return;
	f->fault = fault;
	if (f->state == VRRP_INIT)
		return;		/* not started: vrrp_fsm_start() sees it */
	if (fault) {
		become_fault(f, now, out);
		say(f, out, "%s -> FAULT: %s", from, reason);
	} else {
		initialize(f, now, reason, out);
	}
}
