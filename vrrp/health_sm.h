/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * health_sm.h - one backend's health-check state machine: rise/fall
 * counting and the check schedule. Pure: no clock, no I/O; the caller passes
 * the time (milliseconds on any monotonic clock) and the outcome of each
 * check, so the unit tests drive it with a fake clock.
 *
 * One check is in flight at a time. The next one starts `inter` after the
 * previous one started, or at once when that one took longer (as haproxy:
 * a server that hangs is declared down after fall x max(inter, timeout)).
 */
#ifndef VRRP_HEALTH_SM_H
#define VRRP_HEALTH_SM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* What one check found. */
enum hc_result {
	HC_OK,
	HC_TIMEOUT,		/* no verdict within check_timeout */
	HC_REFUSED,		/* RST to our SYN: nothing listens */
	HC_CONNECT,		/* other connect() error (unreachable, ...) */
	HC_TLS,			/* handshake or TLS record error */
	HC_HTTP_STATUS,		/* answered, but not 2xx */
	HC_BAD_RESPONSE,	/* not an HTTP status line */
	HC_CLOSED,		/* closed before the status line */
	HC_IO,			/* a local error: socket(), memory */
	HC_NONE,		/* no check has finished yet */
};

struct hc_outcome {
	enum hc_result result;
	int status;		/* HTTP status, when there was one */
	int err;		/* errno, for HC_CONNECT and HC_IO */
	char detail[96];	/* HC_TLS: the library's reason */
};

enum health_change {
	HEALTH_SAME,
	HEALTH_WENT_UP,
	HEALTH_WENT_DOWN,
};

struct health_sm {
	/* settings */
	uint32_t rise;
	uint32_t fall;
	uint64_t inter_ms;
	uint64_t timeout_ms;
	/* state */
	bool up;
	bool in_flight;
	uint32_t ok_run;	/* consecutive successes while down */
	uint32_t fail_run;	/* consecutive failures while up */
	uint64_t started_ms;	/* of the check in flight */
	uint64_t next_ms;	/* when the next check may start */
	uint64_t changed_ms;	/* last transition, or when we took over */
	struct hc_outcome last;	/* of the last finished check */
	uint64_t last_ms;	/* when it finished */
	uint64_t checks;	/* finished checks */
	uint64_t failed;	/* of which failed */
	/* Its node was seen to fail (it held the VIP and stopped
	 * advertising): one check now, with a short timeout, decides. */
	bool suspect;
	uint64_t suspect_timeout_ms;
	/* That check failed: down, and its node gone (its flows are reset,
	 * KHAXDP_HEALTH_GONE) until the checks bring it up. */
	bool gone;
};

/*
 * Start in state up (the config's 'start', or what the data plane already
 * holds when an agent takes over from another one): a full run of `fall`
 * failures (up) or `rise` successes (down) is needed to change it. The first
 * check is due at once.
 */
void health_sm_init(struct health_sm *sm, uint32_t rise, uint32_t fall,
		    uint64_t inter_ms, uint64_t timeout_ms, bool up,
		    uint64_t now_ms);

/* May a check start now? */
bool health_sm_due(const struct health_sm *sm, uint64_t now_ms);
void health_sm_start(struct health_sm *sm, uint64_t now_ms);
/*
 * Its node was seen to fail: drop any check in flight (the caller closes
 * it) and check now, within timeout_ms. Failed, it is down and gone at
 * once (no `fall` run); answered, nothing changes but the count.
 */
void health_sm_suspect(struct health_sm *sm, uint64_t now_ms,
		       uint64_t timeout_ms);

/* Has the check in flight run out of time? */
bool health_sm_expired(const struct health_sm *sm, uint64_t now_ms);
/* The next time something is to be done: a timeout or a check to start. */
uint64_t health_sm_deadline(const struct health_sm *sm);

/* Record the outcome of the check in flight; says whether health changed
 * (HEALTH_WENT_DOWN also when a down backend became gone). */
enum health_change health_sm_finish(struct health_sm *sm, uint64_t now_ms,
				    const struct hc_outcome *out);

/* "timeout", "connection refused", "HTTP status 500", "TLS error: ...". */
const char *hc_outcome_str(const struct hc_outcome *out, char *buf,
			   size_t len);
bool hc_outcome_ok(const struct hc_outcome *out);

#endif /* VRRP_HEALTH_SM_H */
