// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * main.c - khaxdp-vrrpd [-c FILE] [-t] [-v]: the VRRP agent, in the
 * foreground as systemd expects, logging one line per event to stderr.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		"usage: khaxdp-vrrpd [-c FILE] [-t] [-v]\n"
		"VRRP (RFC 5798 v3, RFC 3768 v2) for khaxdp: holds the VIPs of the\n"
		"[vrrp NAME] sections, wire compatible with keepalived.\n"
		"  -c, --config FILE   configuration (default %s)\n"
		"  -t, --test          check the configuration and exit\n"
		"  -v, --verbose       debug messages too\n"
		"  -h, --help          this text\n"
		"  -V, --version       print the version\n"
		"Signals: TERM/INT stop (priority 0, VIPs removed), HUP reloads,\n"
		"USR1 logs state and counters.\n",
		KX_DEFAULT_CONFIG);
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
		{ 0 },
	};
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
