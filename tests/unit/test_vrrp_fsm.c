// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* test_vrrp_fsm.c - every transition of RFC 5798 §6.4 with a fake clock and
 * fake adverts: timers, skew, interval learning, preempt, preempt_delay,
 * priority 0, the address tie-break, FAULT, and two routers electing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <cmocka.h>

#include "vrrp/fsm.h"

#define MS	1000000ull
#define S	1000000000ull
#define T0	(100 * S)	/* the fake clock starts anywhere */

static struct vrrp_fsm_params params(void)
{
	struct vrrp_fsm_params p = {
		.name = "VI_1", .version = 3, .adver_int_cs = 100,
		.preempt = true, .garp_delay_ns = 5 * S,
		.primary_ip = vrrp_ip4(inet_addr("10.0.0.2")),
	};
	return p;
}

static struct vrrp_advert advert(const char *from, uint8_t prio,
				 uint16_t int_cs)
{
	struct vrrp_advert a = {
		.src = vrrp_ip4(inet_addr(from)), .version = 3, .vrid = 51,
		.priority = prio, .n_addrs = 1, .adver_int_cs = int_cs,
	};
	return a;
}

/* The actions as a string, e.g. "advert(0) del active(0) notify(BACKUP)". */
static const char *acts(const struct vrrp_actions *out)
{
	static char buf[256];
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned int i = 0; i < out->n; i++) {
		const struct vrrp_action *a = &out->a[i];
		const char *sep = i ? " " : "";

		switch (a->type) {
		case VRRP_ACT_SEND_ADVERT:
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%sadvert(%u)", sep, a->arg);
			break;
		case VRRP_ACT_ADD_VIPS:
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%sadd", sep);
			break;
		case VRRP_ACT_DEL_VIPS:
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%sdel", sep);
			break;
		case VRRP_ACT_SEND_GARPS:
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%sgarp", sep);
			break;
		case VRRP_ACT_SET_ACTIVE:
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%sactive(%u)", sep, a->arg);
			break;
		case VRRP_ACT_NOTIFY:
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%snotify(%s)", sep,
					      vrrp_state_str(a->arg));
			break;
		}
	}
	return buf;
}

#define TO_MASTER	"advert(%u) active(1) add garp notify(MASTER)"
#define TO_BACKUP	"del active(0) notify(BACKUP)"
/* giving way to a higher master: no priority 0 (RFC 5798 6.4.3) */
#define MASTER_TO_BACKUP "del active(0) notify(BACKUP)"

static void assert_log_has(const struct vrrp_actions *out, const char *what)
{
	if (!strstr(out->log, what))
		fail_msg("log '%s' lacks '%s'", out->log, what);
}

/* Skew for priority p at interval 1 s (v3): (256 - p) / 256 s. */
static uint64_t skew_1s(unsigned int p)
{
	return (256 - p) * S / 256;
}

static void start_backup(struct vrrp_fsm *f, uint8_t prio)
{
	struct vrrp_fsm_params p = params();
	struct vrrp_actions out;

	vrrp_fsm_init(f, &p, prio);
	vrrp_fsm_start(f, T0, &out);
	assert_int_equal(f->state, VRRP_BACKUP);
}

/* A router that became master at T0 + its master down interval. */
static uint64_t start_master(struct vrrp_fsm *f, uint8_t prio)
{
	struct vrrp_actions out;
	uint64_t at;

	start_backup(f, prio);
	at = vrrp_fsm_next(f);
	vrrp_fsm_timer(f, at, &out);
	assert_int_equal(f->state, VRRP_MASTER);
	return at;
}

/* ---- §6.4.1 Initialize ---------------------------------------------------- */

static void test_startup_backup(void **state)
{
	struct vrrp_fsm_params p = params();
	struct vrrp_fsm f;
	struct vrrp_actions out;

	(void)state;
	vrrp_fsm_init(&f, &p, 100);
	assert_int_equal(f.state, VRRP_INIT);
	vrrp_fsm_start(&f, T0, &out);
	assert_int_equal(f.state, VRRP_BACKUP);
	/* A backup owns nothing, also what a crashed run left behind. */
	assert_string_equal(acts(&out), TO_BACKUP);
	assert_int_equal(vrrp_fsm_next(&f), T0 + 3 * S + skew_1s(100));
	assert_log_has(&out, "VI_1: INIT -> BACKUP: startup, priority 100");
}

static void test_startup_owner(void **state)
{
	struct vrrp_fsm_params p = params();
	struct vrrp_fsm f;
	struct vrrp_actions out;
	char want[64];

	(void)state;
	vrrp_fsm_init(&f, &p, VRRP_PRIO_OWNER);
	vrrp_fsm_start(&f, T0, &out);
	assert_int_equal(f.state, VRRP_MASTER);
	snprintf(want, sizeof(want), TO_MASTER, 255);
	assert_string_equal(acts(&out), want);
	assert_int_equal(vrrp_fsm_next(&f), T0 + 1 * S);
	assert_log_has(&out, "INIT -> MASTER: startup, priority 255 (address owner)");
}

/* ---- §6.4.2 Backup ---------------------------------------------------------- */

static void test_backup_timer_not_due(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;

	(void)state;
	start_backup(&f, 100);
	vrrp_fsm_timer(&f, vrrp_fsm_next(&f) - 1, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(f.state, VRRP_BACKUP);
}

static void test_backup_master_down(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;
	uint64_t at;
	char want[64];

	(void)state;
	start_backup(&f, 100);
	at = vrrp_fsm_next(&f);
	vrrp_fsm_timer(&f, at, &out);
	assert_int_equal(f.state, VRRP_MASTER);
	snprintf(want, sizeof(want), TO_MASTER, 100);
	assert_string_equal(acts(&out), want);
	assert_log_has(&out, "BACKUP -> MASTER: no master heard for 3.609 s, priority 100");
	assert_int_equal(f.takeover, VRRP_TAKEOVER_NONE);
	/* Adver_Timer, and the second GARP burst after garp_master_delay. */
	assert_int_equal(vrrp_fsm_next(&f), at + 1 * S);
	assert_int_equal(f.garp_at, at + 5 * S);
}

static void test_backup_follows_higher(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;
	struct vrrp_advert a = advert("10.0.0.9", 150, 100);

	(void)state;
	start_backup(&f, 100);
	vrrp_fsm_advert(&f, T0 + 2 * S, &a, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(f.state, VRRP_BACKUP);
	assert_int_equal(vrrp_fsm_next(&f), T0 + 2 * S + 3 * S + skew_1s(100));
	assert_log_has(&out, "BACKUP: master is 10.0.0.9, priority 150");
	/* The same master again: restart the timer, say nothing. */
	vrrp_fsm_advert(&f, T0 + 3 * S, &a, &out);
	assert_string_equal(out.log, "");
	assert_int_equal(vrrp_fsm_next(&f), T0 + 3 * S + 3 * S + skew_1s(100));
}

static void test_backup_follows_equal(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;
	/* §6.4.2: "greater than or equal": no address tie-break here. */
	struct vrrp_advert a = advert("10.0.0.1", 100, 100);

	(void)state;
	start_backup(&f, 100);
	vrrp_fsm_advert(&f, T0 + 1 * S, &a, &out);
	assert_int_equal(vrrp_fsm_next(&f), T0 + 1 * S + 3 * S + skew_1s(100));
}

static void test_backup_preempts_lower(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;
	struct vrrp_advert a = advert("10.0.0.9", 50, 100);
	uint64_t down = T0 + 3 * S + skew_1s(120);

	(void)state;
	start_backup(&f, 120);
	vrrp_fsm_advert(&f, T0 + 1 * S, &a, &out);
	assert_log_has(&out, "master 10.0.0.9 has priority 50 < ours 120: preempting");
	vrrp_fsm_advert(&f, T0 + 2 * S, &a, &out);
	/* Discarded: Master_Down_Timer kept running from startup. */
	assert_int_equal(vrrp_fsm_next(&f), down);
	vrrp_fsm_timer(&f, down, &out);
	assert_int_equal(f.state, VRRP_MASTER);
	assert_log_has(&out, "BACKUP -> MASTER: preempted master 10.0.0.9 (priority 50), priority 120");
	/* that master is alive: no check of its node, a hold for its flows */
	assert_int_equal(f.takeover, VRRP_TAKEOVER_PREEMPT);
}

static void test_backup_nopreempt_follows_lower(void **state)
{
	struct vrrp_fsm_params p = params();
	struct vrrp_fsm f;
	struct vrrp_actions out;
	struct vrrp_advert a = advert("10.0.0.9", 50, 100);

	(void)state;
	p.preempt = false;
	vrrp_fsm_init(&f, &p, 120);
	vrrp_fsm_start(&f, T0, &out);
	vrrp_fsm_advert(&f, T0 + 3 * S, &a, &out);
	assert_int_equal(vrrp_fsm_next(&f), T0 + 3 * S + 3 * S + skew_1s(120));
	assert_int_equal(f.master_prio, 50);
}

static void test_backup_priority_zero_skew(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;
	struct vrrp_advert a = advert("10.0.0.9", 150, 100);
	struct vrrp_advert bye = advert("10.0.0.9", 0, 100);
	uint64_t at;

	(void)state;
	start_backup(&f, 200);
	vrrp_fsm_advert(&f, T0 + 1 * S, &a, &out);
	vrrp_fsm_advert(&f, T0 + 2 * S, &bye, &out);
	/* §6.4.2: Master_Down_Timer = Skew_Time = (256-200)/256 s. */
	at = vrrp_fsm_next(&f);
	assert_int_equal(at, T0 + 2 * S + skew_1s(200));
	assert_log_has(&out, "master 10.0.0.9 left (priority 0)");
	vrrp_fsm_timer(&f, at, &out);
	assert_int_equal(f.state, VRRP_MASTER);
	assert_log_has(&out, "master 10.0.0.9 left (sent priority 0)");
	assert_int_equal(f.takeover, VRRP_TAKEOVER_GOODBYE);
}

static void test_backup_learns_interval(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;
	struct vrrp_advert a = advert("10.0.0.9", 150, 5);	/* 50 ms */
	uint64_t want = 3 * 50 * MS + (256 - 100) * 50 * MS / 256;

	(void)state;
	start_backup(&f, 100);
	vrrp_fsm_advert(&f, T0, &a, &out);
	assert_int_equal(f.master_adver_int_cs, 5);
	assert_int_equal(vrrp_fsm_master_down_ns(&f), want);
	assert_int_equal(vrrp_fsm_next(&f), T0 + want);
	assert_log_has(&out, "advert_int 0.05 s");
}

static void test_v2_does_not_learn_interval(void **state)
{
	struct vrrp_fsm_params p = params();
	struct vrrp_fsm f;
	struct vrrp_actions out;
	struct vrrp_advert a = advert("10.0.0.9", 150, 300);

	(void)state;
	p.version = 2;
	p.adver_int_cs = 200;
	vrrp_fsm_init(&f, &p, 100);
	vrrp_fsm_start(&f, T0, &out);
	vrrp_fsm_advert(&f, T0, &a, &out);
	assert_int_equal(f.master_adver_int_cs, 200);
	/* RFC 3768: Skew_Time = (256 - Priority) / 256 s, whatever the
	 * interval. */
	assert_int_equal(vrrp_fsm_skew_ns(&f), skew_1s(100));
	assert_int_equal(vrrp_fsm_master_down_ns(&f), 6 * S + skew_1s(100));
}

static void test_skew_v3_scales(void **state)
{
	struct vrrp_fsm f;

	(void)state;
	start_backup(&f, 255 - 127);	/* 128 */
	assert_int_equal(vrrp_fsm_skew_ns(&f), 500 * MS);
	f.master_adver_int_cs = 10;
	assert_int_equal(vrrp_fsm_skew_ns(&f), 50 * MS);
	assert_int_equal(vrrp_fsm_master_down_ns(&f), 350 * MS);
}

/* ---- preempt_delay ------------------------------------------------------- */

static void test_preempt_delay(void **state)
{
	struct vrrp_fsm_params p = params();
	struct vrrp_fsm f;
	struct vrrp_actions out;
	struct vrrp_advert a = advert("10.0.0.9", 50, 100);
	uint64_t t;

	(void)state;
	p.preempt_delay_ns = 10 * S;
	vrrp_fsm_init(&f, &p, 128);
	vrrp_fsm_start(&f, T0, &out);
	/* keepalived: the first takeover after startup waits too. */
	assert_int_equal(vrrp_fsm_next(&f), T0 + 3500 * MS + 10 * S);
	/* A lower master seen at 1 s is followed until 11 s ... */
	for (t = T0 + 1 * S; t < T0 + 11 * S; t += 1 * S) {
		vrrp_fsm_advert(&f, t, &a, &out);
		assert_int_equal(vrrp_fsm_next(&f), t + 3500 * MS);
	}
	/* ... and then discarded, so we take over 3.5 s after the last
	 * advert we followed. */
	vrrp_fsm_advert(&f, T0 + 11 * S, &a, &out);
	vrrp_fsm_advert(&f, T0 + 12 * S, &a, &out);
	assert_int_equal(vrrp_fsm_next(&f), T0 + 10 * S + 3500 * MS);
	vrrp_fsm_timer(&f, T0 + 13500 * MS, &out);
	assert_int_equal(f.state, VRRP_MASTER);
}

static void test_preempt_delay_reset_by_higher(void **state)
{
	struct vrrp_fsm_params p = params();
	struct vrrp_fsm f;
	struct vrrp_actions out;
	struct vrrp_advert lo = advert("10.0.0.9", 50, 100);
	struct vrrp_advert hi = advert("10.0.0.9", 200, 100);

	(void)state;
	p.preempt_delay_ns = 10 * S;
	vrrp_fsm_init(&f, &p, 128);
	vrrp_fsm_start(&f, T0, &out);
	vrrp_fsm_advert(&f, T0 + 1 * S, &lo, &out);
	assert_int_equal(f.preempt_at, T0 + 11 * S);
	vrrp_fsm_advert(&f, T0 + 2 * S, &hi, &out);
	assert_int_equal(f.preempt_at, 0);
	vrrp_fsm_advert(&f, T0 + 20 * S, &lo, &out);
	assert_int_equal(f.preempt_at, T0 + 30 * S);
}

/* ---- §6.4.3 Master ------------------------------------------------------------ */

static void test_master_adverts_without_drift(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;
	uint64_t at;

	(void)state;
	at = start_master(&f, 100);
	/* Woken 7 ms late: the next deadline is still on the 1 s grid. */
	vrrp_fsm_timer(&f, at + 1 * S + 7 * MS, &out);
	assert_string_equal(acts(&out), "advert(100)");
	assert_int_equal(vrrp_fsm_next(&f), at + 2 * S);
	/* Woken after several whole intervals: no burst to catch up. */
	vrrp_fsm_timer(&f, at + 4 * S + 1, &out);
	assert_int_equal(out.n, 1);
	assert_int_equal(vrrp_fsm_next(&f), at + 5 * S);	/* the GARPs */
	vrrp_fsm_timer(&f, at + 5 * S, &out);
	assert_int_equal(vrrp_fsm_next(&f), at + 5 * S + 1);
}

static void test_master_second_garp_burst(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;
	uint64_t at;

	(void)state;
	at = start_master(&f, 100);
	vrrp_fsm_timer(&f, at + 5 * S, &out);
	assert_string_equal(acts(&out), "garp advert(100)");
	assert_int_equal(f.garp_at, 0);
	vrrp_fsm_timer(&f, at + 6 * S, &out);
	assert_string_equal(acts(&out), "advert(100)");
}

static void test_master_yields_to_higher(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;
	struct vrrp_advert a = advert("10.0.0.1", 101, 5);
	uint64_t at;

	(void)state;
	at = start_master(&f, 100);
	vrrp_fsm_advert(&f, at + 10 * MS, &a, &out);
	assert_int_equal(f.state, VRRP_BACKUP);
	assert_string_equal(acts(&out), MASTER_TO_BACKUP);
	/* Master_Adver_Interval from the advert, Master_Down_Interval. */
	assert_int_equal(f.master_adver_int_cs, 5);
	assert_int_equal(vrrp_fsm_next(&f),
			 at + 10 * MS + 150 * MS + 156 * 50 * MS / 256);
	assert_log_has(&out, "MASTER -> BACKUP: 10.0.0.1 has priority 101 > ours 100");
}

static void test_master_tie_break_on_address(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;
	struct vrrp_advert lower = advert("10.0.0.1", 100, 100);
	struct vrrp_advert higher = advert("10.0.0.3", 100, 100);
	uint64_t at;

	(void)state;
	at = start_master(&f, 100);	/* we are 10.0.0.2 */
	vrrp_fsm_advert(&f, at + 1, &lower, &out);
	assert_string_equal(acts(&out), "advert(100) garp");
	assert_int_equal(f.state, VRRP_MASTER);
	vrrp_fsm_advert(&f, at + 2, &higher, &out);
	assert_int_equal(f.state, VRRP_BACKUP);
	assert_log_has(&out, "10.0.0.3 has equal priority 100 and a higher address than ours 10.0.0.2");
}

static void test_master_discards_lower(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;
	struct vrrp_advert a = advert("10.0.0.9", 99, 100);
	uint64_t at, next;

	(void)state;
	at = start_master(&f, 100);
	/* Asserted at once (advert and GARPs: the clients it drew come
	 * back), then at most once a second while it goes on. */
	vrrp_fsm_advert(&f, at + 1, &a, &out);
	assert_string_equal(acts(&out), "advert(100) garp");
	assert_log_has(&out, "10.0.0.9 also claims the VIP with priority 99, ours 100 wins");
	assert_int_equal(f.state, VRRP_MASTER);
	next = vrrp_fsm_next(&f);
	vrrp_fsm_advert(&f, at + 500 * MS, &a, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(vrrp_fsm_next(&f), next);
	vrrp_fsm_advert(&f, at + 1 + S, &a, &out);
	assert_string_equal(acts(&out), "advert(100) garp");
}

static void test_master_answers_priority_zero(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;
	struct vrrp_advert bye = advert("10.0.0.9", 0, 100);
	uint64_t at;

	(void)state;
	at = start_master(&f, 100);
	vrrp_fsm_advert(&f, at + 300 * MS, &bye, &out);
	assert_string_equal(acts(&out), "advert(100) garp");
	assert_int_equal(f.state, VRRP_MASTER);
	assert_int_equal(vrrp_fsm_next(&f), at + 1300 * MS);
}

/* ---- shutdown ------------------------------------------------------------- */

static void test_stop_master_sends_priority_zero(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;
	uint64_t at;

	(void)state;
	at = start_master(&f, 100);
	vrrp_fsm_stop(&f, at + 1, &out);
	assert_string_equal(acts(&out), "advert(0) del active(0)");
	assert_int_equal(f.state, VRRP_INIT);
	assert_int_equal(vrrp_fsm_next(&f), VRRP_NEVER);
	assert_log_has(&out, "MASTER -> INIT: shutdown, sent priority 0");
}

static void test_stop_backup(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;

	(void)state;
	start_backup(&f, 100);
	vrrp_fsm_stop(&f, T0 + 1, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(f.state, VRRP_INIT);
	assert_int_equal(vrrp_fsm_next(&f), VRRP_NEVER);
	vrrp_fsm_stop(&f, T0 + 2, &out);	/* twice: nothing */
	assert_string_equal(out.log, "");
}

static void test_init_ignores_adverts(void **state)
{
	struct vrrp_fsm_params p = params();
	struct vrrp_fsm f;
	struct vrrp_actions out;
	struct vrrp_advert a = advert("10.0.0.9", 0, 100);

	(void)state;
	vrrp_fsm_init(&f, &p, 100);
	vrrp_fsm_advert(&f, T0, &a, &out);
	assert_int_equal(out.n, 0);
	assert_int_equal(f.state, VRRP_INIT);
}

/* ---- priority and FAULT ----------------------------------------------------- */

static void test_effective_priority(void **state)
{
	(void)state;
	assert_int_equal(vrrp_effective_priority(101, 2), 103);
	assert_int_equal(vrrp_effective_priority(101, 0), 101);
	assert_int_equal(vrrp_effective_priority(253, 5), 254);
	assert_int_equal(vrrp_effective_priority(3, -5), 1);
	assert_int_equal(vrrp_effective_priority(255, -10), 255);
	assert_int_equal(vrrp_effective_priority(254, 2), 254);
}

static void test_priority_change_preempts(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;
	struct vrrp_advert a = advert("10.0.0.9", 101, 100);
	uint64_t t;

	(void)state;
	start_backup(&f, 100);
	vrrp_fsm_advert(&f, T0 + 1 * S, &a, &out);
	vrrp_fsm_set_priority(&f, T0 + 2 * S, 102, "dataplane attached", &out);
	assert_log_has(&out, "BACKUP: priority 100 -> 102 (dataplane attached)");
	for (t = T0 + 2 * S; t < T0 + 10 * S && f.state == VRRP_BACKUP;
	     t += 1 * S) {
		if (vrrp_fsm_next(&f) <= t)
			vrrp_fsm_timer(&f, t, &out);
		else
			vrrp_fsm_advert(&f, t, &a, &out);
	}
	assert_int_equal(f.state, VRRP_MASTER);
	/* 1 s + Master_Down_Interval after the last advert we followed. */
	assert_true(t - 1 * S <= T0 + 1 * S + 3 * S + skew_1s(102) + 1 * S);
	vrrp_fsm_set_priority(&f, t, 102, "same", &out);
	assert_string_equal(out.log, "");
}

static void test_fault_from_master_and_back(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;
	struct vrrp_advert a = advert("10.0.0.9", 200, 100);
	uint64_t at;

	(void)state;
	at = start_master(&f, 100);
	vrrp_fsm_set_fault(&f, at + 1, true, "ens33 is down", &out);
	assert_int_equal(f.state, VRRP_FAULT);
	assert_string_equal(acts(&out), "advert(0) del active(0) notify(FAULT)");
	assert_log_has(&out, "MASTER -> FAULT: ens33 is down");
	assert_int_equal(vrrp_fsm_next(&f), VRRP_NEVER);
	vrrp_fsm_advert(&f, at + 2, &a, &out);
	assert_int_equal(out.n, 0);
	vrrp_fsm_set_fault(&f, at + 3, false, "ens33 is up", &out);
	assert_int_equal(f.state, VRRP_BACKUP);
	assert_string_equal(acts(&out), TO_BACKUP);
	assert_log_has(&out, "FAULT -> BACKUP: ens33 is up");
}

static void test_start_in_fault(void **state)
{
	struct vrrp_fsm_params p = params();
	struct vrrp_fsm f;
	struct vrrp_actions out;

	(void)state;
	vrrp_fsm_init(&f, &p, 100);
	vrrp_fsm_set_fault(&f, T0, true, "no address", &out);
	assert_int_equal(out.n, 0);
	vrrp_fsm_start(&f, T0, &out);
	assert_int_equal(f.state, VRRP_FAULT);
	assert_string_equal(acts(&out), "del active(0) notify(FAULT)");
}

/* ---- two routers on a fake link --------------------------------------------- */

struct link {
	struct vrrp_fsm r[2];
	bool up[2];
	bool cut;		/* partitioned: nothing is delivered */
	uint64_t now;
};

static void deliver(struct link *l, int from, const struct vrrp_actions *out)
{
	struct vrrp_actions reply;

	for (unsigned int i = 0; i < out->n; i++) {
		struct vrrp_advert a = {
			.src = l->r[from].p.primary_ip, .version = 3,
			.priority = out->a[i].arg,
			.adver_int_cs = l->r[from].p.adver_int_cs,
		};

		if (out->a[i].type != VRRP_ACT_SEND_ADVERT || !l->up[!from] ||
		    l->cut)
			continue;
		vrrp_fsm_advert(&l->r[!from], l->now, &a, &reply);
		deliver(l, !from, &reply);
	}
}

/* Run the link until `until`, firing timers in time order. */
static void run_link(struct link *l, uint64_t until)
{
	struct vrrp_actions out;

	for (;;) {
		uint64_t n0 = l->up[0] ? vrrp_fsm_next(&l->r[0]) : VRRP_NEVER;
		uint64_t n1 = l->up[1] ? vrrp_fsm_next(&l->r[1]) : VRRP_NEVER;
		int who = n1 < n0;
		uint64_t at = who ? n1 : n0;

		if (at > until)
			break;
		l->now = at;
		vrrp_fsm_timer(&l->r[who], at, &out);
		deliver(l, who, &out);
	}
	l->now = until;
}

static void link_start(struct link *l, uint8_t p0, uint8_t p1)
{
	struct vrrp_fsm_params p = params();
	struct vrrp_actions out;

	memset(l, 0, sizeof(*l));
	l->now = T0;
	p.adver_int_cs = 5;
	p.primary_ip = vrrp_ip4(inet_addr("10.0.0.1"));
	vrrp_fsm_init(&l->r[0], &p, p0);
	p.primary_ip = vrrp_ip4(inet_addr("10.0.0.2"));
	vrrp_fsm_init(&l->r[1], &p, p1);
	l->up[0] = l->up[1] = true;
	vrrp_fsm_start(&l->r[0], T0, &out);
	vrrp_fsm_start(&l->r[1], T0, &out);
}

static void test_pair_higher_priority_wins(void **state)
{
	struct link l;

	(void)state;
	link_start(&l, 100, 101);
	run_link(&l, T0 + 2 * S);
	assert_int_equal(l.r[1].state, VRRP_MASTER);
	assert_int_equal(l.r[0].state, VRRP_BACKUP);
	{
		struct vrrp_ip want = vrrp_ip4(inet_addr("10.0.0.2"));

		assert_true(vrrp_ip_eq(&l.r[0].master_ip, &want));
	}
}

static void test_pair_equal_priority_first_wins(void **state)
{
	struct link l;

	(void)state;
	/* Same priority, same skew: whoever fires first is master and the
	 * other follows it (§6.4.2 accepts an equal priority). */
	link_start(&l, 100, 100);
	run_link(&l, T0 + 2 * S);
	assert_int_equal(l.r[0].state, VRRP_MASTER);
	assert_int_equal(l.r[1].state, VRRP_BACKUP);
}

static void test_pair_partition_heals_by_address(void **state)
{
	struct link l;
	uint64_t healed;

	(void)state;
	link_start(&l, 100, 100);
	l.cut = true;
	run_link(&l, T0 + 2 * S);
	assert_int_equal(l.r[0].state, VRRP_MASTER);
	assert_int_equal(l.r[1].state, VRRP_MASTER);
	l.cut = false;
	healed = l.now;
	run_link(&l, healed + 50 * MS);
	/* Two masters with equal priority: the higher address stays, and
	 * within one advert interval. */
	assert_int_equal(l.r[1].state, VRRP_MASTER);
	assert_int_equal(l.r[0].state, VRRP_BACKUP);
	assert_true(l.r[0].since - healed <= 50 * MS);
}

static void test_pair_failover_after_master_dies(void **state)
{
	struct link l;
	uint64_t dead;

	(void)state;
	link_start(&l, 100, 101);
	run_link(&l, T0 + 2 * S);
	dead = l.now;
	l.up[1] = false;		/* crash: no priority 0 */
	run_link(&l, dead + 3 * 50 * MS + 50 * MS + 1);
	assert_int_equal(l.r[0].state, VRRP_MASTER);
	assert_int_equal(l.r[0].takeover, VRRP_TAKEOVER_SILENT);
	/* The last advert came at most 50 ms before the crash. */
	assert_true(l.r[0].since - dead <= 3 * 50 * MS + 156 * 50 * MS / 256);
}

static void test_pair_clean_stop_takes_skew(void **state)
{
	struct link l;
	struct vrrp_actions out;
	uint64_t stop;

	(void)state;
	link_start(&l, 100, 101);
	run_link(&l, T0 + 2 * S);
	stop = l.now;
	vrrp_fsm_stop(&l.r[1], stop, &out);
	deliver(&l, 1, &out);
	l.up[1] = false;
	run_link(&l, stop + 1 * S);
	assert_int_equal(l.r[0].state, VRRP_MASTER);
	assert_int_equal(l.r[0].since - stop, 156 * 50 * MS / 256);
}

/* A forged advert claiming 40.95 s: a backup waits on twice its own
 * interval at most, not two minutes. */
static void test_adopted_interval_bounded(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;
	struct vrrp_advert forged = advert("10.0.0.66", 255, 4095);
	uint64_t at = T0 + 10 * MS;

	(void)state;
	start_backup(&f, 100);
	vrrp_fsm_advert(&f, at, &forged, &out);
	assert_int_equal(f.master_adver_int_cs, 200);	/* 2 x 100 cs */
	assert_log_has(&out, "advert_int 40.95 s: waiting on 2.00 s at most");
	assert_true(vrrp_fsm_next(&f) == at + 3 * 2 * S + 156 * 2 * S / 256);
	/* A master that advertises less than ours is followed as it says. */
	forged.adver_int_cs = 50;
	vrrp_fsm_advert(&f, at + 1, &forged, &out);
	assert_int_equal(f.master_adver_int_cs, 50);
}

/* A master that made this one yield twice, falling silent each time,
 * claims the VIP again: given way only after three adverts in a row. */
static void test_flapping_master_held(void **state)
{
	struct vrrp_fsm f;
	struct vrrp_actions out;
	struct vrrp_advert x = advert("10.0.0.9", 200, 100);
	uint64_t at, t;

	(void)state;
	at = start_master(&f, 100);
	vrrp_fsm_advert(&f, at + 1, &x, &out);		/* the first time: at once */
	assert_int_equal(f.state, VRRP_BACKUP);
	t = vrrp_fsm_next(&f);				/* it falls silent */
	vrrp_fsm_timer(&f, t, &out);
	assert_int_equal(f.state, VRRP_MASTER);
	vrrp_fsm_advert(&f, t + 2 * S, &x, &out);	/* the second: at once */
	assert_int_equal(f.state, VRRP_BACKUP);
	t = vrrp_fsm_next(&f);
	vrrp_fsm_timer(&f, t, &out);
	assert_int_equal(f.state, VRRP_MASTER);
	t += 5 * S;
	vrrp_fsm_advert(&f, t, &x, &out);		/* the third, 5 s later */
	assert_int_equal(f.state, VRRP_MASTER);
	assert_log_has(&out, "10.0.0.9 claims the VIP again (priority 200): this node gave way to it 2 times");
	vrrp_fsm_advert(&f, t + 3 * S, &x, &out);	/* not in a row */
	assert_int_equal(f.state, VRRP_MASTER);
	vrrp_fsm_advert(&f, t + 3 * S + S, &x, &out);
	assert_int_equal(f.state, VRRP_MASTER);
	vrrp_fsm_advert(&f, t + 3 * S + 2 * S, &x, &out);
	assert_int_equal(f.state, VRRP_BACKUP);	/* three in a row */
	/* A minute after it last made us yield: at once again. */
	t = vrrp_fsm_next(&f);
	vrrp_fsm_timer(&f, t, &out);
	assert_int_equal(f.state, VRRP_MASTER);
	vrrp_fsm_advert(&f, t + 61 * S, &x, &out);
	assert_int_equal(f.state, VRRP_BACKUP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_startup_backup),
		cmocka_unit_test(test_startup_owner),
		cmocka_unit_test(test_backup_timer_not_due),
		cmocka_unit_test(test_backup_master_down),
		cmocka_unit_test(test_backup_follows_higher),
		cmocka_unit_test(test_backup_follows_equal),
		cmocka_unit_test(test_backup_preempts_lower),
		cmocka_unit_test(test_backup_nopreempt_follows_lower),
		cmocka_unit_test(test_backup_priority_zero_skew),
		cmocka_unit_test(test_backup_learns_interval),
		cmocka_unit_test(test_v2_does_not_learn_interval),
		cmocka_unit_test(test_skew_v3_scales),
		cmocka_unit_test(test_preempt_delay),
		cmocka_unit_test(test_preempt_delay_reset_by_higher),
		cmocka_unit_test(test_master_adverts_without_drift),
		cmocka_unit_test(test_master_second_garp_burst),
		cmocka_unit_test(test_master_yields_to_higher),
		cmocka_unit_test(test_master_tie_break_on_address),
		cmocka_unit_test(test_master_discards_lower),
		cmocka_unit_test(test_adopted_interval_bounded),
		cmocka_unit_test(test_flapping_master_held),
		cmocka_unit_test(test_master_answers_priority_zero),
		cmocka_unit_test(test_stop_master_sends_priority_zero),
		cmocka_unit_test(test_stop_backup),
		cmocka_unit_test(test_init_ignores_adverts),
		cmocka_unit_test(test_effective_priority),
		cmocka_unit_test(test_priority_change_preempts),
		cmocka_unit_test(test_fault_from_master_and_back),
		cmocka_unit_test(test_start_in_fault),
		cmocka_unit_test(test_pair_higher_priority_wins),
		cmocka_unit_test(test_pair_equal_priority_first_wins),
		cmocka_unit_test(test_pair_partition_heals_by_address),
		cmocka_unit_test(test_pair_failover_after_master_dies),
		cmocka_unit_test(test_pair_clean_stop_takes_skew),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
