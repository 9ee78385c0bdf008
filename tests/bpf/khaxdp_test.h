/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * khaxdp_test.h - what the khaxdp selftests share: the lab (lab.h), the
 * packets (packet.h), a fixture that loads the skeleton without pinning
 * and fills its maps with the library's calls, and helpers that run a
 * packet through the XDP or TC program and check what came out.
 */
#ifndef KHAXDP_TEST_H
#define KHAXDP_TEST_H

#include <arpa/inet.h>
#include <errno.h>
#include <linux/bpf.h>
#include <linux/ip.h>
#include <linux/tcp.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "bpf/khaxdp.h"
#include "loader/counters.h"
#include "loader/config.h"
#include "loader/fill.h"
#include "loader/maps.h"
#include "khaxdp.skel.h"
#include "lab.h"
#include "packet.h"
#include "test_progs.h"

/* --- the fixture ----------------------------------------------------------- */

struct fixture_opts {
	__u32 max_flows;	/* 0: as compiled */
	__u16 snat_min;		/* 0: SNAT_MIN..SNAT_MAX */
	__u16 snat_max;
	__u32 half_open_per_source;	/* 0: the default */
	__u32 max_half_open;		/* 0: as compiled */
};

struct fixture {
	struct khaxdp *skel;
	int xdp, tc;		/* program fds */
	/* The library's handle on the same maps (unpinned): the fixture
	 * fills them with libkhaxdp's own calls, as the loader does. */
	struct kx_maps maps;
	__u16 snat_min, snat_max;
};

/* Opens and loads the skeleton with every map unpinned, writes the node
 * entry; 0 or -errno (and a test failure). */
int fx_init(struct fixture *fx, const struct fixture_opts *opts);
void fx_fini(struct fixture *fx);
/* Empties flows and nat, zeroes counters and cursors: a fresh start for
 * the next subtest without loading again. */
void fx_reset(struct fixture *fx);

int fx_add_service(struct fixture *fx, __u32 id, __be32 vip, __u16 port,
		   __u32 timeout_s, const char *name);
int fx_add_backend(struct fixture *fx, __u32 id, __u32 service_id,
		   const char *name, __be32 addr, __u16 port, bool local);
int fx_set_backend(struct fixture *fx, __u32 id, __u8 health, __u8 admin);
int fx_get_backend(struct fixture *fx, __u32 id, struct khaxdp_backend *b);
/* Rebuilds the service's ring from the backends map into the slot not in
 * use, then flips the service to it: kx_service_rebuild_ring(), what the
 * loader and agent do. */
int fx_sync_ring(struct fixture *fx, __u32 service_id);
int fx_set_cursor(struct fixture *fx, __u32 service_id, __u64 next);
__u64 fx_cursor(struct fixture *fx, __u32 service_id);

/* Subtests on one fixture: each case whose name is selected runs after
 * fx_reset(), as a subtest of the current test. */
struct fx_case {
	const char *name;
	void (*run)(struct fixture *fx);
};
void fx_run_cases(struct fixture *fx, const struct fx_case *cases, size_t n);
#define FX_RUN_CASES(fx, cases) \
	fx_run_cases(fx, cases, sizeof(cases) / sizeof((cases)[0]))
/* The whole of most tests: a fixture with the apiserver service, the
 * cases, the fixture gone. */
void fx_run_apiserver(const struct fx_case *cases, size_t n);
#define FX_RUN_APISERVER(cases) \
	fx_run_apiserver(cases, sizeof(cases) / sizeof((cases)[0]))

/* The deployment's apiserver service: VIP:7443 (id 0, 30m) over backend 0 =
 * control1 (this node, local), 1 = control2, 2 = control3, all on :6443. */
int fx_apiserver(struct fixture *fx);
/* The same in another mode ("nat", "dsr"). */
int fx_apiserver_mode(struct fixture *fx, const char *mode);
/* The same with more khaxdp.conf text after it (another service). */
int fx_fill_apiserver(struct fixture *fx, const char *mode, const char *extra);
/* Fill the maps from a khaxdp.conf text with kx_fill_maps(), as attach
 * does (an upgrade in place when they are filled already). */
int fx_fill(struct fixture *fx, const char *text);

/* The node entry, to change a field of it: 0 or -errno. */
int fx_node(struct fixture *fx, struct khaxdp_node *n);
int fx_put_node(struct fixture *fx, const struct khaxdp_node *n);
/* node.active and active6, as the agent writes them: 1 balances, 0
 * standby (both families). */
int fx_set_active(struct fixture *fx, __u8 active);

/* Counters, summed over the CPUs. */
__u64 fx_stat(struct fixture *fx, int stat);
void fx_stats(struct fixture *fx, __u64 out[KHAXDP_STAT_MAX]);
int fx_backend_stats(struct fixture *fx, __u32 id,
		     struct khaxdp_backend_stats *sum);

/* Flow and NAT tables. */
struct khaxdp_flow_key flow_key(__be32 src, __be32 dst, __u16 sport,
				__u16 dport);
int fx_flow(struct fixture *fx, __be32 client, __u16 cport,
	    struct khaxdp_flow *f);
/* The half-open flow of client:cport (a SYN seen, no handshake yet). */
int fx_half_open(struct fixture *fx, __be32 client, __u16 cport,
		 struct khaxdp_flow *f);
int fx_put_flow(struct fixture *fx, __be32 client, __u16 cport,
		const struct khaxdp_flow *f);
int fx_nat(struct fixture *fx, __be32 src, __be32 dst, __u16 sport,
	   __u16 dport, struct khaxdp_nat *n);
/* The reply entry of a half-open flow. */
int fx_half_open_nat(struct fixture *fx, __be32 src, __be32 dst, __u16 sport,
		     __u16 dport, struct khaxdp_nat *n);
int fx_count(int map_fd);

/* The data plane's clocks: bpf_ktime_get_ns() is CLOCK_MONOTONIC,
 * bpf_ktime_get_coarse_ns() CLOCK_MONOTONIC_COARSE (never ahead of it). A
 * time stamp taken between t0 = now_coarse_ns() and t1 = now_ns() lies in
 * [t0, t1] whichever the data plane uses. */
__u64 now_ns(void);
__u64 now_coarse_ns(void);

/* --- running ---------------------------------------------------------------- */

struct run {
	int retval;
	__u32 len;
	__u8 align[2];
	__u8 out[PKT_MAX + 64];
};

/* Runs the packet once (repeat 1) through khaxdp_xdp, as received on
 * ingress_ifindex (0: ens33); 0 or -errno. */
int run_xdp_on(struct fixture *fx, const struct pkt *in, int ifindex,
	       struct run *r);
#define run_xdp(fx, in, r) run_xdp_on(fx, in, 0, r)
/* The first `meta` bytes of `in` become XDP metadata, so the program sees
 * a packet shorter than the 14 bytes test_run otherwise insists on. */
int run_xdp_meta(struct fixture *fx, const struct pkt *in, __u32 meta,
		 struct run *r);
/* Runs an Ethernet frame once through khaxdp_tc as egress on ens33. */
int run_tc(struct fixture *fx, const struct pkt *in, struct run *r);

/* Builds and runs one TCP packet through XDP. */
int send_tcp(struct fixture *fx, const struct tcp_spec *s, struct run *r);
/* A SYN from client:cport to VIP:7443 with the expected verdict; the
 * half-open flow it opened in *f. */
bool open_flow(const char *file, int line, struct fixture *fx,
	       __be32 client, __u16 cport, int want_verdict,
	       struct khaxdp_flow *f);
#define OPEN_FLOW(fx, client, cport, verdict, f) \
	open_flow(__FILE__, __LINE__, fx, client, cport, verdict, f)
/* The whole handshake of client:cport through the data plane: its SYN
 * (seq CLIENT_ISN), the backend's SYN-ACK (SERVER_ISN; through XDP from a
 * remote backend, TC from the local one), its ACK. The confirmed flow in
 * *f. The counters count all three packets. */
bool establish(const char *file, int line, struct fixture *fx, __be32 client,
	       __u16 cport, struct khaxdp_flow *f);
#define ESTABLISH(fx, client, cport, f) \
	establish(__FILE__, __LINE__, fx, client, cport, f)

/* --- checks with file:line --------------------------------------------------- */

/* Valid IP and TCP checksums in the output, recomputed from scratch. */
bool check_csums(const char *file, int line, const __u8 *frame, __u32 len,
		 const char *name);
#define ASSERT_CSUMS(frame, len, name) \
	check_csums(__FILE__, __LINE__, frame, len, name)

/* Output equals `exp` byte for byte, except that the checksums only need
 * to be valid (0x0000 and 0xffff are both right for TCP) and a TTL one
 * lower is accepted. */
bool check_frame(const char *file, int line, const struct run *r,
		 const struct pkt *exp, const char *name);
#define ASSERT_FRAME(r, exp, name) check_frame(__FILE__, __LINE__, r, exp, name)

/* Output is the input, untouched. */
#define ASSERT_UNTOUCHED(r, in, name) \
	ASSERT_MEMEQ((r)->out, (r)->len, (in)->data, (in)->len, name)

/* Each counter named is 1 (named twice: 2, ...), every other one is 0. */
bool check_stats_only(const char *file, int line, struct fixture *fx, ...);
#define ASSERT_STATS_ONLY(fx, ...) \
	check_stats_only(__FILE__, __LINE__, fx, __VA_ARGS__, -1)

#define ASSERT_STAT(fx, stat, exp) \
	ASSERT_EQ(fx_stat(fx, KHAXDP_STAT_##stat), exp, "stat " #stat)

const char *xdp_verdict(int v);
#define ASSERT_VERDICT(r, exp, name) ({					\
	bool ___ok = (r)->retval == (exp);				\
	if (!___ok)							\
		test__failf(__FILE__, __LINE__,				\
			    "%s: expected verdict %s, got %s (%d)",	\
			    (name), xdp_verdict(exp),			\
			    xdp_verdict((r)->retval), (r)->retval);	\
	___ok;								\
})

#endif /* KHAXDP_TEST_H */
