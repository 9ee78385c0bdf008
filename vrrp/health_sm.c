// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * health_sm.c - rise/fall counting and the check schedule (see health_sm.h).
 */
#include <stdio.h>
#include <string.h>

#include "health_sm.h"

void health_sm_init(struct health_sm *sm, uint32_t rise, uint32_t fall,
		    uint64_t inter_ms, uint64_t timeout_ms, bool up,
		    uint64_t now_ms)
{
	memset(sm, 0, sizeof(*sm));
	sm->rise = rise ? rise : 1;
	sm->fall = fall ? fall : 1;
	sm->inter_ms = inter_ms;
	sm->timeout_ms = timeout_ms;
	sm->up = up;
	sm->next_ms = now_ms;
	sm->changed_ms = now_ms;
	sm->last.result = HC_NONE;
}

bool health_sm_due(const struct health_sm *sm, uint64_t now_ms)
{
	return !sm->in_flight && now_ms >= sm->next_ms;
}

void health_sm_start(struct health_sm *sm, uint64_t now_ms)
{
	sm->in_flight = true;
	sm->started_ms = now_ms;
}

void health_sm_suspect(struct health_sm *sm, uint64_t now_ms,
		       uint64_t timeout_ms)
{
	sm->in_flight = false;
	sm->next_ms = now_ms;
	sm->suspect = true;
	sm->suspect_timeout_ms = timeout_ms < sm->timeout_ms ? timeout_ms :
							       sm->timeout_ms;
}

static uint64_t timeout_of(const struct health_sm *sm)
{
	return sm->suspect ? sm->suspect_timeout_ms : sm->timeout_ms;
}

bool health_sm_expired(const struct health_sm *sm, uint64_t now_ms)
{
	return sm->in_flight && now_ms >= sm->started_ms + timeout_of(sm);
}

uint64_t health_sm_deadline(const struct health_sm *sm)
{
	return sm->in_flight ? sm->started_ms + timeout_of(sm) : sm->next_ms;
}

bool hc_outcome_ok(const struct hc_outcome *out)
{
	return out->result == HC_OK;
}

/* Count one outcome; a run of the other kind starts again from zero. */
static enum health_change count(struct health_sm *sm, bool ok)
{
	if (sm->up) {
		sm->fail_run = ok ? 0 : sm->fail_run + 1;
		if (sm->fail_run < sm->fall)
			return HEALTH_SAME;
		sm->up = false;
		sm->fail_run = 0;
		return HEALTH_WENT_DOWN;
	}
	sm->ok_run = ok ? sm->ok_run + 1 : 0;
	if (sm->ok_run < sm->rise)
		return HEALTH_SAME;
	sm->up = true;
	sm->ok_run = 0;
	return HEALTH_WENT_UP;
}

enum health_change health_sm_finish(struct health_sm *sm, uint64_t now_ms,
				    const struct hc_outcome *out)
{
	enum health_change change;
	uint64_t next;

	if (!sm->in_flight)
		return HEALTH_SAME;
	sm->in_flight = false;
	next = sm->started_ms + sm->inter_ms;
	sm->next_ms = next > now_ms ? next : now_ms;
	sm->last = *out;
	sm->last_ms = now_ms;
	sm->checks++;
	if (!hc_outcome_ok(out))
		sm->failed++;
	if (sm->suspect && !hc_outcome_ok(out)) {
		/* Its node failed, and it does not answer either. */
		sm->suspect = false;
		change = sm->up || !sm->gone ? HEALTH_WENT_DOWN : HEALTH_SAME;
		sm->up = false;
		sm->gone = true;
		sm->ok_run = sm->fail_run = 0;
	} else {
		sm->suspect = false;
		change = count(sm, hc_outcome_ok(out));
		if (change == HEALTH_WENT_UP)
			sm->gone = false;
	}
	if (change != HEALTH_SAME)
		sm->changed_ms = now_ms;
	return change;
}

const char *hc_outcome_str(const struct hc_outcome *out, char *buf,
			   size_t len)
{
	switch (out->result) {
	case HC_OK:
		if (out->status)
			snprintf(buf, len, "HTTP status %d", out->status);
		else
			snprintf(buf, len, "connected");
		break;
	case HC_TIMEOUT:
		snprintf(buf, len, "timeout");
		break;
	case HC_REFUSED:
		snprintf(buf, len, "connection refused");
		break;
	case HC_CONNECT:
		snprintf(buf, len, "connect: %s", strerror(out->err));
		break;
	case HC_TLS:
		snprintf(buf, len, "TLS error: %s",
			 out->detail[0] ? out->detail : "handshake failed");
		break;
	case HC_HTTP_STATUS:
		snprintf(buf, len, "HTTP status %d", out->status);
		break;
	case HC_BAD_RESPONSE:
		snprintf(buf, len, "not an HTTP response");
		break;
	case HC_CLOSED:
		snprintf(buf, len, "closed before answering");
		break;
	case HC_IO:
		snprintf(buf, len, "local error: %s", strerror(out->err));
		break;
	case HC_NONE:
		snprintf(buf, len, "not checked yet");
		break;
	}
	return buf;
}
