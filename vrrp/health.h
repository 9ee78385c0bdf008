/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * health.h - the agent's backend health checks.
 *
 * Every server of every service with a 'check' is checked on its own
 * schedule (tcp connect, or https GET PATH without certificate verification),
 * non-blocking, from one epoll set. The verdicts (rise/fall, health_sm.h)
 * are written into the data plane's backends map with
 * kx_backend_set_health(), which never touches the admin state.
 *
 * Main-loop integration: poll health_fd() for POLLIN next to the other fds
 * and call health_dispatch() when it is readable (or after any wake-up; it
 * never blocks). The fd is an epoll set holding the sockets and a timerfd
 * armed for the next check or timeout, so the loop needs no timeout of its
 * own for the checks.
 *
 * Taking over: when the agent starts and the data plane already holds a
 * backend, its health there (what attach wrote, or what the previous agent
 * decided) is adopted as the starting state and nothing is written: the
 * checks must see `fall` failures to take an UP backend down, `rise`
 * successes to bring a DOWN one up. Only a backend the data plane does not
 * hold starts from the config ('start', default down). Once running, the
 * agent's verdicts are the truth: every second (and at each change) the map
 * is brought in line with them, also after a detach + attach.
 *
 * Thread safety: health_snapshot() may be called from another thread (the
 * stats server); everything else from the main loop.
 */
#ifndef VRRP_HEALTH_H
#define VRRP_HEALTH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "loader/config.h"
#include "health_sm.h"

struct health;

/* Copies what it needs from cfg; cfg may be freed afterwards. */
int health_new(const struct kx_config *cfg, struct health **out);
void health_free(struct health *h);

/* SIGHUP: a new config. Servers kept (same service, name and address) keep
 * their state and counters; new ones start as health_new() starts them. */
int health_reload(struct health *h, const struct kx_config *cfg);

int health_fd(const struct health *h);
/* Handle whatever is ready; never blocks. 0, or a negative errno when the
 * epoll set itself failed (the checks' own errors are check results). */
int health_dispatch(struct health *h);

/*
 * The node at addr (of family, KHAXDP_AF_*) failed: it held the VIP and
 * stopped advertising. Each backend at that address, and each backend of
 * the other family with the same name (a service per family, the same
 * servers), is checked at once, within
 * HEALTH_SUSPECT_TIMEOUT_MS; if it does not answer either, it is down at
 * once and GONE in the data plane, whose flows to it are then answered
 * with a RST so that their clients reconnect now. A node that only
 * stopped advertising (VRRP blocked, a partition of the VRRP traffic
 * alone) answers, and its connections are left alone.
 */
#define HEALTH_SUSPECT_TIMEOUT_MS	400
void health_node_failed(struct health *h, uint8_t family,
			const union khaxdp_addr *addr);

/* Called (from health_dispatch()) when the backend at addr (of family)
 * became GONE in the data plane: the idle flows to it can be made to
 * speak (agent_sync). */
typedef void (*health_gone_fn)(void *ctx, uint8_t family,
			       const union khaxdp_addr *addr);
void health_on_gone(struct health *h, health_gone_fn fn, void *ctx);

/* Wait up to timeout_ms for work and dispatch it: a loop for a process that
 * runs only the checks (tests, a daemon without [vrrp]). */
int health_run_once(struct health *h, int timeout_ms);

/* What the stats page shows of one backend. */
struct health_view {
	char service[KHAXDP_NAME_LEN];
	char backend[KHAXDP_NAME_LEN];
	struct kx_endpoint ep;
	enum kx_check_kind kind;
	char check[KX_CHECK_PATH_LEN + 8];	/* "https /readyz", "tcp", "none" */
	bool up;			/* the checks' verdict (kind != none) */
	bool gone;			/* down, its node failed */
	bool last_ok;
	char last[128];			/* "HTTP status 200", "timeout", ... */
	uint64_t since_change_ms;	/* since the last transition or takeover */
	uint64_t since_check_ms;	/* since the last finished check */
	uint64_t checks;
	uint64_t failed;
	uint32_t rise, fall;
	uint32_t inter_ms;
};

/* Copy at most max views; returns how many backends there are. */
unsigned int health_snapshot(struct health *h, struct health_view *out,
			     unsigned int max);

#endif /* VRRP_HEALTH_H */
