// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * main.c - khaxdp-vrrpd [-c FILE] [-t] [-v]: the VRRP agent, in the
 * foreground as systemd expects, logging one line per event to stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <systemd/sd-daemon.h>

#include "agent.h"
#include "loader/util.h"
#include "vrrp_conf.h"


static void log_line(enum kx_log_level level, const char *msg)
{
	fprintf(stderr, "khaxdp-vrrpd: %s%s\n",
		level == KX_LOG_WARN ? "warning: " : "", msg);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: khaxdp-vrrpd [-c FILE] [-t] [-v] [--rt-priority N] [--no-swap]\n"
		"VRRP (RFC 5798 v3, RFC 3768 v2) for khaxdp: holds the VIPs of the\n"
		"[vrrp NAME] sections, wire compatible with keepalived.\n"
		"  -c, --config FILE   configuration (default %s)\n"
		"  -t, --test          check the configuration and exit\n"
		"  -v, --verbose       debug messages too\n"
		"  --rt-priority N     real-time scheduling (SCHED_RR, 1-99), as\n"
		"                      keepalived's vrrp_rt_priority: adverts keep\n"
		"                      their interval on a busy machine\n"
		"  --no-swap           lock the agent's memory (mlockall), as\n"
		"                      keepalived's vrrp_no_swap\n"
		"  -h, --help          this text\n"
		"  -V, --version       print the version\n"
		"Signals: TERM/INT stop (priority 0, VIPs removed), HUP reloads,\n"
		"USR1 logs state and counters.\n",
		KX_DEFAULT_CONFIG);
}

/* --rt-priority and --no-swap: refused by the system (no CAP_SYS_NICE, a
 * small RLIMIT_MEMLOCK) is one warning, not a reason to stop. The unit
 * gets both from systemd instead (CPUSchedulingPolicy=, LimitMEMLOCK=). */
static void realtime(int rt_priority, bool no_swap)
{
	struct sched_param sp = { .sched_priority = rt_priority };

	if (rt_priority && sched_setscheduler(0, SCHED_RR, &sp))
		kx_warn("--rt-priority %d: %s: running with normal scheduling",
			rt_priority, strerror(errno));
	else if (rt_priority)
		kx_info("real-time scheduling: SCHED_RR, priority %d", rt_priority);
	if (no_swap && mlockall(MCL_CURRENT | MCL_FUTURE))
		kx_warn("--no-swap: mlockall: %s: memory may be swapped",
			strerror(errno));
	else if (no_swap)
		kx_info("memory locked (no swap)");
}

static int check_only(const char *path, const struct vrrp_config *vc)
{
	printf("khaxdp-vrrpd: %s: configuration OK:", path);
	for (unsigned int i = 0; i < vc->n; i++)
		printf(" [vrrp %s]", vc->inst[i].name);
	printf("\n");
	return 0;
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "test", no_argument, NULL, 't' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "rt-priority", required_argument, NULL, 'R' },
		{ "no-swap", no_argument, NULL, 'S' },
		{ 0 },
	};
	int rt_priority = 0;
	bool no_swap = false;
	char *end;
	static struct vrrp_config vc;
	static struct agent ag;
	const char *path = KX_DEFAULT_CONFIG;
	bool test = false;
	int opt, err;

	kx_set_log(log_line);
	kx_capture_lib_logs();
	while ((opt = getopt_long(argc, argv, "c:tvhV", options, NULL)) != -1) {
		switch (opt) {
		case 'c':
			path = optarg;
			break;
		case 't':
			test = true;
			break;
		case 'v':
			kx_set_verbose(true);
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("khaxdp-vrrpd %s\n", KHAXDP_VERSION);
			return 0;
		case 'R':
			errno = 0;
			rt_priority = (int)strtol(optarg, &end, 10);
			if (errno || *end || rt_priority < 1 || rt_priority > 99) {
				fprintf(stderr, "khaxdp-vrrpd: --rt-priority: bad value '%s' (1-99)\n",
					optarg);
				return 2;
			}
			break;
		case 'S':
			no_swap = true;
			break;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "khaxdp-vrrpd: unexpected argument '%s' (see khaxdp-vrrpd --help)\n",
			argv[optind]);
		return 2;
	}
	if (vrrp_conf_load(path, &vc)) {
		fprintf(stderr, "khaxdp-vrrpd: %s\n", kx_last_error());
		return 1;
	}
	if (test)
		return check_only(path, &vc);

	realtime(rt_priority, no_swap);
	err = agent_init(&ag, path, &vc);
	if (!err) {
		kx_info("started: %s, %u instance%s", path, vc.n,
			vc.n == 1 ? "" : "s");
		/* Type=notify: up once every instance runs (no-op outside
		 * systemd); then stopping, the VIPs already given up. */
		sd_notify(0, "READY=1");
		err = agent_run(&ag);
		sd_notify(0, "STOPPING=1");
	}
	if (err)
		fprintf(stderr, "khaxdp-vrrpd: %s\n", kx_last_error());
	agent_close(&ag);
	return err ? 1 : 0;
}
