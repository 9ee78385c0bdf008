// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* test_health_sm.c - rise/fall and the check schedule of one backend
 * (vrrp/health_sm.c), driven by a fake clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "vrrp/health_sm.h"

#define INTER	2000
#define TIMEOUT	5000

static const struct hc_outcome ok = { .result = HC_OK, .status = 200 };
static const struct hc_outcome refused = { .result = HC_REFUSED };
static const struct hc_outcome timeout = { .result = HC_TIMEOUT };

/* One check that starts at `at` and ends `took` ms later with out. */
static enum health_change check_at(struct health_sm *sm, uint64_t at,
				   uint64_t took, const struct hc_outcome *out)
{
	assert_true(health_sm_due(sm, at));
	health_sm_start(sm, at);
	assert_false(health_sm_due(sm, at + took));
	return health_sm_finish(sm, at + took, out);
}

static void test_starts_down_until_rise(void **state)
{
	struct health_sm sm;

	(void)state;
	health_sm_init(&sm, 2, 3, INTER, TIMEOUT, false, 0);
	assert_false(sm.up);
	assert_true(health_sm_due(&sm, 0));	/* the first check at once */
	assert_int_equal(check_at(&sm, 0, 5, &ok), HEALTH_SAME);
	assert_false(health_sm_due(&sm, INTER - 1));
	assert_int_equal(check_at(&sm, INTER, 5, &ok), HEALTH_WENT_UP);
	assert_true(sm.up);
	assert_int_equal(sm.changed_ms, INTER + 5);
	assert_int_equal(sm.checks, 2);
	assert_int_equal(sm.failed, 0);
}

static void test_start_up_needs_fall_failures(void **state)
{
	struct health_sm sm;

	(void)state;
	health_sm_init(&sm, 2, 3, INTER, TIMEOUT, true, 0);
	assert_int_equal(check_at(&sm, 0, 1, &refused), HEALTH_SAME);
	assert_int_equal(check_at(&sm, 2000, 1, &refused), HEALTH_SAME);
	assert_true(sm.up);
	assert_int_equal(check_at(&sm, 4000, 1, &refused), HEALTH_WENT_DOWN);
	assert_false(sm.up);
	assert_int_equal(sm.failed, 3);
	assert_int_equal(sm.last.result, HC_REFUSED);
}

/* A run is consecutive: one result of the other kind starts it again. */
static void test_runs_are_consecutive(void **state)
{
	struct health_sm sm;
	uint64_t t = 0;

	(void)state;
	health_sm_init(&sm, 2, 3, INTER, TIMEOUT, true, 0);
	for (int i = 0; i < 10; i++, t += INTER)
		assert_int_equal(check_at(&sm, t, 1, i % 3 == 2 ? &ok : &refused),
				 HEALTH_SAME);
	assert_true(sm.up);
	assert_int_equal(check_at(&sm, t, 1, &refused), HEALTH_SAME);
	t += INTER;
	assert_int_equal(check_at(&sm, t, 1, &refused), HEALTH_WENT_DOWN);
	t += INTER;
	for (int i = 0; i < 10; i++, t += INTER)
		assert_int_equal(check_at(&sm, t, 1, i % 2 ? &ok : &refused),
				 HEALTH_SAME);
	assert_false(sm.up);
}

/* rise = fall = 1 flips on every change of result. */
static void test_rise_fall_one(void **state)
{
	struct health_sm sm;

	(void)state;
	health_sm_init(&sm, 1, 1, 100, 50, false, 0);
	assert_int_equal(check_at(&sm, 0, 1, &ok), HEALTH_WENT_UP);
	assert_int_equal(check_at(&sm, 100, 1, &ok), HEALTH_SAME);
	assert_int_equal(check_at(&sm, 200, 1, &refused), HEALTH_WENT_DOWN);
}

/* The next check starts `inter` after the last one started, or at once
 * when that one took longer. */
static void test_schedule_and_timeout(void **state)
{
	struct health_sm sm;

	(void)state;
	health_sm_init(&sm, 2, 3, INTER, TIMEOUT, true, 1000);
	assert_int_equal(health_sm_deadline(&sm), 1000);
	health_sm_start(&sm, 1000);
	assert_int_equal(health_sm_deadline(&sm), 1000 + TIMEOUT);
	assert_false(health_sm_expired(&sm, 1000 + TIMEOUT - 1));
	assert_true(health_sm_expired(&sm, 1000 + TIMEOUT));
	health_sm_finish(&sm, 1000 + TIMEOUT, &timeout);
	assert_true(health_sm_due(&sm, 1000 + TIMEOUT));
	/* A quick one: the next waits for start + inter. */
	check_at(&sm, 6000, 30, &ok);
	assert_int_equal(health_sm_deadline(&sm), 6000 + INTER);
	/* Not in flight: nothing expires, a late finish is ignored. */
	assert_false(health_sm_expired(&sm, 100000));
	assert_int_equal(health_sm_finish(&sm, 7000, &refused), HEALTH_SAME);
	assert_int_equal(sm.checks, 2);
}

/* ---- a backend over time: a fake server, a fake clock ------------------ */

struct fake_server {
	uint64_t dies_ms;	/* refuses (or hangs) from then ... */
	uint64_t back_ms;	/* ... until then */
	bool hangs;		/* down = no answer at all */
	uint64_t latency_ms;
};

struct timeline {
	uint64_t down_ms;	/* when health went down, 0: never */
	uint64_t up_ms;		/* when it came up again after that */
};

/* Run the checks from 0 to end_ms as the agent would: at each deadline,
 * start a due check or finish the one in flight. */
static void simulate(struct health_sm *sm, const struct fake_server *srv,
		     uint64_t end_ms, struct timeline *tl)
{
	uint64_t now = 0, done_at = 0;
	struct hc_outcome out = ok;

	memset(tl, 0, sizeof(*tl));
	while (now < end_ms) {
		enum health_change c = HEALTH_SAME;

		if (sm->in_flight && (now >= done_at ||
				      health_sm_expired(sm, now)))
			c = health_sm_finish(sm, now, health_sm_expired(sm, now) &&
					     now < done_at ? &timeout : &out);
		if (c == HEALTH_WENT_DOWN && !tl->down_ms)
			tl->down_ms = now;
		if (c == HEALTH_WENT_UP && tl->down_ms && !tl->up_ms)
			tl->up_ms = now;
		if (health_sm_due(sm, now)) {
			bool down = now >= srv->dies_ms && now < srv->back_ms;

			health_sm_start(sm, now);
			out = down ? refused : ok;
			done_at = now + (down && srv->hangs ? UINT64_MAX / 2 :
					 srv->latency_ms);
		}
		now = health_sm_deadline(sm);
		if (sm->in_flight && done_at < now)
			now = done_at;
	}
}

static void test_timeline_refused(void **state)
{
	struct fake_server srv = { .dies_ms = 10500, .back_ms = 30200,
				   .latency_ms = 3 };
	struct health_sm sm;
	struct timeline tl;

	(void)state;
	health_sm_init(&sm, 2, 3, INTER, TIMEOUT, true, 0);
	simulate(&sm, &srv, 60000, &tl);
	/* Down within fall x inter of its death, up within rise x inter of
	 * its return (plus one check's latency). */
	if (tl.down_ms <= srv.dies_ms || tl.down_ms > srv.dies_ms + 3 * INTER + 3)
		fail_msg("went down at %lu ms, expected in (%lu, %lu]",
			 (unsigned long)tl.down_ms, (unsigned long)srv.dies_ms,
			 (unsigned long)(srv.dies_ms + 3 * INTER + 3));
	if (tl.up_ms <= srv.back_ms || tl.up_ms > srv.back_ms + 2 * INTER + 3)
		fail_msg("came up at %lu ms, expected in (%lu, %lu]",
			 (unsigned long)tl.up_ms, (unsigned long)srv.back_ms,
			 (unsigned long)(srv.back_ms + 2 * INTER + 3));
	assert_true(sm.up);
}

/* A server that accepts nothing and answers nothing: each check ends at
 * its timeout; with timeout < inter the bound is fall x inter + timeout. */
static void test_timeline_hung(void **state)
{
	struct fake_server srv = { .dies_ms = 4100, .back_ms = UINT64_MAX,
				   .hangs = true, .latency_ms = 2 };
	struct health_sm sm;
	struct timeline tl;

	(void)state;
	health_sm_init(&sm, 2, 3, INTER, 1500, true, 0);
	simulate(&sm, &srv, 30000, &tl);
	if (!tl.down_ms || tl.down_ms > srv.dies_ms + 3 * INTER + 1500)
		fail_msg("went down at %lu ms, expected by %lu",
			 (unsigned long)tl.down_ms,
			 (unsigned long)(srv.dies_ms + 3 * INTER + 1500));
	assert_int_equal(sm.last.result, HC_TIMEOUT);
}

/* An agent that takes over an UP backend from the data plane keeps it up
 * through fewer than `fall` failures: no gap while it restarts. */
static void test_takeover_keeps_state(void **state)
{
	struct health_sm sm;

	(void)state;
	health_sm_init(&sm, 2, 3, INTER, TIMEOUT, true, 777);
	assert_int_equal(sm.changed_ms, 777);
	assert_int_equal(check_at(&sm, 777, 1, &refused), HEALTH_SAME);
	assert_int_equal(check_at(&sm, 2777, 1, &ok), HEALTH_SAME);
	assert_true(sm.up);
	/* ... and a DOWN one down until `rise` good checks. */
	health_sm_init(&sm, 2, 3, INTER, TIMEOUT, false, 0);
	assert_int_equal(check_at(&sm, 0, 1, &ok), HEALTH_SAME);
	assert_false(sm.up);
}

static void test_outcome_strings(void **state)
{
	struct hc_outcome o = { .result = HC_HTTP_STATUS, .status = 500 };
	char buf[128];

	(void)state;
	assert_string_equal(hc_outcome_str(&o, buf, sizeof(buf)), "HTTP status 500");
	assert_false(hc_outcome_ok(&o));
	assert_string_equal(hc_outcome_str(&ok, buf, sizeof(buf)), "HTTP status 200");
	assert_string_equal(hc_outcome_str(&refused, buf, sizeof(buf)), "connection refused");
	assert_string_equal(hc_outcome_str(&timeout, buf, sizeof(buf)), "timeout");
	o = (struct hc_outcome){ .result = HC_TLS };
	strcpy(o.detail, "wrong version number");
	assert_string_equal(hc_outcome_str(&o, buf, sizeof(buf)), "TLS error: wrong version number");
	o = (struct hc_outcome){ .result = HC_OK };
	assert_string_equal(hc_outcome_str(&o, buf, sizeof(buf)), "connected");
	o = (struct hc_outcome){ .result = HC_CONNECT, .err = 113 };
	assert_string_equal(hc_outcome_str(&o, buf, sizeof(buf)), "connect: No route to host");
}

/* Its node stopped advertising: a check at once, with the short
 * timeout; no answer makes it down and gone at once, an answer changes
 * nothing; the checks bring it up again, no longer gone. */
static void test_suspect(void **state)
{
	struct health_sm sm;

	(void)state;
	health_sm_init(&sm, 2, 3, INTER, TIMEOUT, true, 0);
	assert_int_equal(check_at(&sm, 0, 1, &ok), HEALTH_SAME);
	health_sm_start(&sm, 2000);		/* a check in flight */
	health_sm_suspect(&sm, 2100, 400);
	assert_true(health_sm_due(&sm, 2100));	/* at once */
	health_sm_start(&sm, 2100);
	assert_int_equal(health_sm_deadline(&sm), 2500);
	assert_false(health_sm_expired(&sm, 2499));
	assert_true(health_sm_expired(&sm, 2500));
	assert_int_equal(health_sm_finish(&sm, 2500, &timeout), HEALTH_WENT_DOWN);
	assert_false(sm.up);
	assert_true(sm.gone);
	assert_false(sm.suspect);
	assert_int_equal(health_sm_deadline(&sm), 4100);	/* back to inter */
	assert_int_equal(check_at(&sm, 4100, 1, &ok), HEALTH_SAME);
	assert_true(sm.gone);
	assert_int_equal(check_at(&sm, 6100, 1, &ok), HEALTH_WENT_UP);
	assert_false(sm.gone);

	/* It answers: only VRRP stopped. Nothing changes. */
	health_sm_suspect(&sm, 9000, 400);
	assert_int_equal(check_at(&sm, 9000, 3, &ok), HEALTH_SAME);
	assert_true(sm.up);
	assert_false(sm.gone);
	assert_int_equal(health_sm_deadline(&sm), 11000);

	/* Already down by its checks: gone is still news for the map. */
	health_sm_init(&sm, 2, 3, INTER, TIMEOUT, false, 0);
	health_sm_suspect(&sm, 0, 400);
	assert_int_equal(check_at(&sm, 0, 400, &timeout), HEALTH_WENT_DOWN);
	assert_true(sm.gone);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_suspect),
		cmocka_unit_test(test_starts_down_until_rise),
		cmocka_unit_test(test_start_up_needs_fall_failures),
		cmocka_unit_test(test_runs_are_consecutive),
		cmocka_unit_test(test_rise_fall_one),
		cmocka_unit_test(test_schedule_and_timeout),
		cmocka_unit_test(test_timeline_refused),
		cmocka_unit_test(test_timeline_hung),
		cmocka_unit_test(test_takeover_keeps_state),
		cmocka_unit_test(test_outcome_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
