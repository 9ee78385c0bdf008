// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* lab.c - the private network namespace (see lab.h). */
#include <errno.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <bpf/libbpf.h>
#include <linux/if_link.h>

#include "lab.h"

const __u8 MAC_ENS33[6] = { 0x02, 0x00, 0x00, 0x00, 0x01, 0x71 };
const __u8 MAC_ENS34[6] = { 0x02, 0x00, 0x00, 0x00, 0x09, 0x01 };
const __u8 MAC_CLIENT[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x11 };
const __u8 MAC_CTRL2[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x72 };
const __u8 MAC_CTRL3[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x73 };
const __u8 MAC_FAR[6] = { 0x02, 0x00, 0x00, 0x00, 0x09, 0x05 };

const struct in6_addr NODE_IP6 = LAB6(0x171);
const struct in6_addr CTRL2_IP6 = LAB6(0x172);
const struct in6_addr CTRL3_IP6 = LAB6(0x173);
const struct in6_addr VIP_IP6 = LAB6(0x189);
const struct in6_addr CLIENT_IP6 = LAB6(0x11);

struct lab lab;

/* --- lab ------------------------------------------------------------------ */

int lab_ip(const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int n, rc;

	va_start(ap, fmt);
	n = snprintf(cmd, sizeof(cmd), "ip ");
	vsnprintf(cmd + n, sizeof(cmd) - n, fmt, ap);
	va_end(ap);
	strncat(cmd, lab.verbose ? "" : " 2>&1 >/dev/null",
		sizeof(cmd) - strlen(cmd) - 1);
	rc = system(cmd);
	if (rc != 0)
		printf("lab: '%s' failed (status %d)\n", cmd, rc);
	return rc;
}

static int write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	int err;

	if (!f)
		return -errno;
	fputs(text, f);
	err = fclose(f) ? -errno : 0;
	return err;
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (level == LIBBPF_DEBUG || (level == LIBBPF_INFO && !lab.verbose))
		return 0;
	return vprintf(fmt, ap);
}

/*
 * ens33 (192.168.218.171/24) faces the control nodes and the client, ens34
 * (10.9.0.1/24) a backend reached by redirect. Their peers stay unused: the
 * tests only need the FIB and the neighbour table to answer bpf_fib_lookup.
 */
int lab_setup(void)
{
	int err = 0;

	libbpf_set_print(libbpf_print);
	if (geteuid() != 0) {
		printf("lab: the BPF selftests need root\n");
		return -1;
	}
	if (unshare(CLONE_NEWNET) != 0) {
		printf("lab: unshare(CLONE_NEWNET): %s\n", strerror(errno));
		return -1;
	}
	err |= lab_ip("link set lo up");
	err |= lab_ip("link add ens33 address 02:00:00:00:01:71 type veth "
		      "peer name ens33p address 02:00:00:00:00:fe");
	err |= lab_ip("addr add 192.168.218.171/24 dev ens33");
	err |= lab_ip("-6 addr add 2001:db8:218::171/64 dev ens33 nodad");
	err |= lab_ip("link set ens33 up");
	err |= lab_ip("link set ens33p up");
	err |= lab_ip("link add ens34 address 02:00:00:00:09:01 type veth "
		      "peer name ens34p");
	err |= lab_ip("addr add 10.9.0.1/24 dev ens34");
	err |= lab_ip("link set ens34 up");
	err |= lab_ip("link set ens34p up");
	/* Parking places for programs (lab_park()): down, so no packet ever
	 * runs a parked program or moves its counters. */
	for (int i = 0; i < LAB_PARKS; i++)
		err |= lab_ip("link add park%d type veth peer name park%dp", i, i);
	err |= lab_ip("neigh replace 192.168.218.11 lladdr 02:00:00:00:00:11 "
		      "dev ens33 nud permanent");
	err |= lab_ip("neigh replace 192.168.218.172 lladdr 02:00:00:00:00:72 "
		      "dev ens33 nud permanent");
	err |= lab_ip("neigh replace 192.168.218.173 lladdr 02:00:00:00:00:73 "
		      "dev ens33 nud permanent");
	err |= lab_ip("neigh replace 10.9.0.5 lladdr 02:00:00:00:09:05 "
		      "dev ens34 nud permanent");
	err |= lab_ip("-6 neigh replace 2001:db8:218::11 lladdr 02:00:00:00:00:11 "
		      "dev ens33 nud permanent");
	err |= lab_ip("-6 neigh replace 2001:db8:218::172 lladdr 02:00:00:00:00:72 "
		      "dev ens33 nud permanent");
	err |= lab_ip("-6 neigh replace 2001:db8:218::173 lladdr 02:00:00:00:00:73 "
		      "dev ens33 nud permanent");
	/* bpf_fib_lookup() answers FWD_DISABLED without forwarding; control
	 * nodes of Kubernetes run with it on. */
	if (write_file("/proc/sys/net/ipv4/ip_forward", "1") != 0 ||
	    write_file("/proc/sys/net/ipv6/conf/all/forwarding", "1") != 0)
		err = -1;
	lab.ifindex = if_nametoindex("ens33");
	lab.ifindex2 = if_nametoindex("ens34");
	if (err || !lab.ifindex || !lab.ifindex2) {
		printf("lab: setup failed\n");
		return -1;
	}
	return 0;
}

int lab_park(int prog_fd, int place)
{
	char name[16];
	int err;

	snprintf(name, sizeof(name), "park%d", place);
	err = bpf_xdp_attach(if_nametoindex(name), prog_fd, XDP_FLAGS_SKB_MODE,
			     NULL);
	if (err)
		printf("lab: attach XDP to %s: %s\n", name, strerror(-err));
	return err;
}
