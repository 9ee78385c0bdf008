/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * lab.h - the selftests' and the benchmark's private network namespace:
 * ens33 as control1 of the deployment (docs/design.md) with its neighbours
 * in the FIB, ens34 towards a backend reached by redirect, and the
 * addresses and MACs the packets use.
 */
#ifndef KHAXDP_TEST_LAB_H
#define KHAXDP_TEST_LAB_H

#include <arpa/inet.h>
#include <stdbool.h>
#include <linux/types.h>

/* --- the lab (docs/design.md's deployment, seen from control1) ---------- */

#define IP4(a, b, c, d)	htonl(((__u32)(a) << 24) | ((b) << 16) | ((c) << 8) | (d))

#define NODE_IP		IP4(192, 168, 218, 171)	/* control1: this node */
#define CTRL2_IP	IP4(192, 168, 218, 172)
#define CTRL3_IP	IP4(192, 168, 218, 173)
#define VIP_IP		IP4(192, 168, 218, 189)
#define CLIENT_IP	IP4(192, 168, 218, 11)	/* neighbour: replies go here */
#define FAR_IP		IP4(10, 9, 0, 5)	/* behind ens34: redirect */
#define NOROUTE_IP	IP4(203, 0, 113, 5)	/* no route in the lab */
#define VRRP_GROUP_IP	IP4(224, 0, 0, 18)

#define VIP_PORT	7443
#define API_PORT	6443
#define SNAT_MIN	40000
#define SNAT_MAX	59999
#define SVC_TIMEOUT_S	1800			/* haproxy's 30m */

/* The same hosts over IPv6: 2001:db8:218::<last> (the 16-bit last group
 * written as the IPv4 address's last byte reads: ::171, ::189). */
#define LAB6(last)	{ .s6_addr = { 0x20, 0x01, 0x0d, 0xb8, 0x02, 0x18, 0, 0, \
				       0, 0, 0, 0, 0, 0, (last) >> 8, (last) & 0xff } }
extern const struct in6_addr NODE_IP6;		/* ::171, control1 */
extern const struct in6_addr CTRL2_IP6;		/* ::172 */
extern const struct in6_addr CTRL3_IP6;		/* ::173 */
extern const struct in6_addr VIP_IP6;		/* ::189 */
extern const struct in6_addr CLIENT_IP6;	/* ::11, a neighbour */

/* A client that is not a neighbour: only its forward packets are used. */
#define CLIENT_N(n)	IP4(10, 1, ((n) >> 8) & 0xff, (n) & 0xff)

extern const __u8 MAC_ENS33[6];		/* our interface */
extern const __u8 MAC_ENS34[6];
extern const __u8 MAC_CLIENT[6];	/* 192.168.218.11 */
extern const __u8 MAC_CTRL2[6];		/* 192.168.218.172 */
extern const __u8 MAC_CTRL3[6];		/* 192.168.218.173 */
extern const __u8 MAC_FAR[6];		/* 10.9.0.5 on ens34 */

struct lab {
	int ifindex;		/* ens33 */
	int ifindex2;		/* ens34 */
	bool verbose;		/* show what the ip commands say */
};
extern struct lab lab;

/* Enters a private network namespace and builds the lab in it. */
int lab_setup(void);
/* Runs an `ip` command (printf-style) in the lab; 0 on success. */
int lab_ip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * Attach an XDP program to parking place `place` (0 .. LAB_PARKS - 1), a
 * veth that is down. BPF_PROG_TEST_RUN puts an XDP program into
 * the kernel's XDP dispatcher for the run and takes it out after, waiting
 * for an RCU grace period each call (milliseconds); a program attached
 * somewhere stays in the dispatcher, and a run costs microseconds.
 */
#define LAB_PARKS	4
int lab_park(int prog_fd, int place);

#endif /* KHAXDP_TEST_LAB_H */
