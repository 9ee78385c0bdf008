// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Behaviour 1 (docs/design.md) under load: one round-robin cursor per
 * service shared by all CPUs, consistent while health changes. Threads open
 * flows through BPF_PROG_TEST_RUN at the same time; checks happen
 * afterwards, in the main thread, from the half-open table (the SYNs'
 * flows) or the flow table.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>

#include "khaxdp_test.h"

#define THREADS		4
#define SYNS_PER_THREAD	300
#define MS		1000000ULL
#define MAX_SYNS	8000	/* per thread while flipping: fits the tables */

struct worker {
	struct fixture *fx;
	int index;
	int syns;		/* how many to send; 0: until stop */
	atomic_bool *stop;
	int sent;
	int errors;
};

/* Thread t's n-th client: 10.1.x.y:(48000 + t). */
static struct tcp_spec worker_syn(int thread, int n)
{
	return client_spec(CLIENT_N(n + 1), 48000 + thread, TCP_SYN);
}

static void *syn_worker(void *arg)
{
	struct worker *w = arg;
	struct timespec pause = { 0, 50000 };
	struct run r;
	int n;

	for (n = 0; w->syns ? n < w->syns :
		    !atomic_load(w->stop) && n < MAX_SYNS; n++) {
		struct tcp_spec s = worker_syn(w->index, n);

		if (send_tcp(w->fx, &s, &r) || (r.retval != XDP_TX &&
						 r.retval != XDP_PASS))
			w->errors++;
		w->sent++;
		/* While flipping, spread the SYNs over the whole run. */
		if (!w->syns)
			nanosleep(&pause, NULL);
	}
	return NULL;
}

/* The SYNs' flows per backend id, over the whole half-open table. */
static int count_per_backend(struct fixture *fx, int *per, int nr)
{
	struct khaxdp_flow_key k, next;
	struct khaxdp_flow f;
	void *prev = NULL;
	int total = 0;

	memset(per, 0, sizeof(*per) * nr);
	while (bpf_map_get_next_key(fx->maps.half_open, prev, &next) == 0) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(fx->maps.half_open, &k, &f))
			continue;
		if (f.backend_id < (__u32)nr)
			per[f.backend_id]++;
		total++;
	}
	return total;
}

static int run_workers(struct fixture *fx, struct worker *w, int syns,
		       atomic_bool *stop, pthread_t *tids)
{
	int i;

	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .fx = fx, .index = i, .syns = syns,
					.stop = stop };
		if (pthread_create(&tids[i], NULL, syn_worker, &w[i]))
			return -1;
	}
	return 0;
}

static void even_distribution(struct fixture *fx)
{
	struct worker w[THREADS];
	pthread_t tids[THREADS];
	int per[3], total, i, errors = 0;
	const int want = THREADS * SYNS_PER_THREAD / 3;

	if (!ASSERT_OK(run_workers(fx, w, SYNS_PER_THREAD, NULL, tids),
		       "start threads"))
		return;
	for (i = 0; i < THREADS; i++) {
		pthread_join(tids[i], NULL);
		errors += w[i].errors;
	}
	ASSERT_EQ(errors, 0, "SYNs that failed");
	total = count_per_backend(fx, per, 3);
	TLOG("flows per backend: %d %d %d", per[0], per[1], per[2]);
	ASSERT_EQ(total, THREADS * SYNS_PER_THREAD, "flows");
	ASSERT_EQ(fx_cursor(fx, 0), THREADS * SYNS_PER_THREAD,
		  "rr_cursor: one step per SYN");
	/* An atomic cursor gives each backend exactly a third. */
	for (i = 0; i < 3; i++)
		ASSERT_EQ(per[i], want, "flows on one backend");
}

/*
 * The cursor under a tight loop: every backend down but still in the ring,
 * so each run draws a slot (one cursor step), finds no usable backend and
 * leaves the SYN untouched; BPF_PROG_TEST_RUN's repeat then really reruns
 * the same SYN, on every CPU at once. No step may be lost.
 */
#define CURSOR_REPEAT	200000

static void *cursor_worker(void *arg)
{
	struct worker *w = arg;
	struct tcp_spec s = worker_syn(w->index, 0);
	struct pkt in;
	__u8 out[PKT_MAX];
	LIBBPF_OPTS(bpf_test_run_opts, opts,
		.data_in = in.data,
		.data_out = out,
		.data_size_out = sizeof(out),
		.repeat = CURSOR_REPEAT,
	);

	pkt_tcp4(&in, &s);
	opts.data_size_in = in.len;
	if (bpf_prog_test_run_opts(w->fx->xdp, &opts) || opts.retval != XDP_PASS)
		w->errors++;
	else
		w->sent = CURSOR_REPEAT;
	return NULL;
}

static void cursor_atomic(struct fixture *fx)
{
	struct worker w[THREADS];
	pthread_t tids[THREADS];
	__u64 runs = 0;
	int i, errors = 0;

	for (i = 0; i < 3; i++)
		fx_set_backend(fx, i, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
	fx_sync_ring(fx, 0);
	for (i = 0; i < 3; i++)
		fx_set_backend(fx, i, KHAXDP_HEALTH_DOWN, KHAXDP_ADMIN_ENABLED);

	for (i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .fx = fx, .index = i };
		if (!ASSERT_OK(pthread_create(&tids[i], NULL, cursor_worker,
					      &w[i]), "start thread"))
			return;
	}
	for (i = 0; i < THREADS; i++) {
		pthread_join(tids[i], NULL);
		errors += w[i].errors;
		runs += w[i].sent;
	}
	ASSERT_EQ(errors, 0, "test_run failures or verdicts other than PASS");
	ASSERT_EQ(fx_stat(fx, KHAXDP_STAT_NO_BACKEND), runs,
		  "NO_BACKEND: every run took the no-backend path");
	ASSERT_EQ(fx_cursor(fx, 0), runs, "rr_cursor: one step per run");
	ASSERT_EQ(fx_count(fx->maps.flows), 0, "flows");
	for (i = 0; i < 3; i++)
		fx_set_backend(fx, i, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
	fx_sync_ring(fx, 0);
}

/* What the flipper did to backend 2, for the check afterwards. */
struct flip_log {
	int n;
	struct {
		__u64 down_from;	/* health down written */
		__u64 down_until;	/* about to write health up */
	} down[64];
};

/* Flips backend 2 down and up as the agent does: health first, the ring
 * a moment later (the data plane must skip the stale ring's entry). */
static void flipper(struct fixture *fx, struct flip_log *log, int cycles)
{
	struct timespec stale = { 0, 1 * MS }, hold = { 0, 40 * MS };
	int i;

	for (i = 0; i < cycles && log->n < 64; i++) {
		fx_set_backend(fx, 2, KHAXDP_HEALTH_DOWN, KHAXDP_ADMIN_ENABLED);
		log->down[log->n].down_from = now_ns();
		nanosleep(&stale, NULL);
		fx_sync_ring(fx, 0);
		nanosleep(&hold, NULL);
		log->down[log->n++].down_until = now_ns();
		fx_set_backend(fx, 2, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
		nanosleep(&stale, NULL);
		fx_sync_ring(fx, 0);
		nanosleep(&hold, NULL);
	}
}

static void health_flips(struct fixture *fx)
{
	const __u64 margin = 10 * MS;
	struct worker w[THREADS];
	pthread_t tids[THREADS];
	atomic_bool stop = false;
	struct flip_log log = {};
	struct khaxdp_flow_key k, next;
	struct khaxdp_flow f;
	void *prev = NULL;
	int per[4], total, i, sent = 0, errors = 0, bad = 0;

	/* Backend 3 exists but is disabled throughout: it must never be
	 * drawn. */
	fx_add_backend(fx, 3, 0, "control4", IP4(192, 168, 218, 174),
		       API_PORT, false);
	fx_set_backend(fx, 3, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_DISABLED);
	fx_sync_ring(fx, 0);

	if (!ASSERT_OK(run_workers(fx, w, 0, &stop, tids), "start threads"))
		return;
	flipper(fx, &log, 6);
	atomic_store(&stop, true);
	for (i = 0; i < THREADS; i++) {
		pthread_join(tids[i], NULL);
		sent += w[i].sent;
		errors += w[i].errors;
	}
	ASSERT_EQ(errors, 0, "SYNs that failed");
	total = count_per_backend(fx, per, 4);
	TLOG("%d SYNs, %d flip cycles; flows per backend: %d %d %d %d",
	     sent, log.n, per[0], per[1], per[2], per[3]);
	ASSERT_EQ(total, sent, "every SYN opened a flow");
	ASSERT_EQ(per[3], 0, "flows on the disabled backend");
	ASSERT_GT(per[2], 0, "flows on the flipping backend");

	/* Backends 0 and 1 were usable throughout: even shares. */
	ASSERT_LE(abs(per[0] - per[1]), (per[0] + per[1]) / 10 + 5,
		  "flows on backend 0 minus flows on backend 1");

	/* No flow on backend 2 while it was down for sure. */
	while (bpf_map_get_next_key(fx->maps.half_open, prev, &next) == 0) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(fx->maps.half_open, &k, &f) ||
		    f.backend_id != 2)
			continue;
		for (i = 0; i < log.n; i++) {
			if (f.created_ns > log.down[i].down_from + margin &&
			    f.created_ns + margin < log.down[i].down_until) {
				if (bad++ < 3)
					test__failf(__FILE__, __LINE__,
						    "flow created on backend 2 "
						    "%.1f ms into a %.1f ms down "
						    "period",
						    (f.created_ns -
						     log.down[i].down_from) / 1e6,
						    (log.down[i].down_until -
						     log.down[i].down_from) / 1e6);
			}
		}
	}
	ASSERT_EQ(bad, 0, "flows on backend 2 while it was down");
}

/* --- FIN from both sides at once ------------------------------------------ */

#define FIN_FLOWS	4000

struct fin_worker {
	struct fixture *fx;
	int cpu;
	bool from_backend;
	const __u16 *snat;	/* each flow's SNAT port */
	atomic_int *ready;
	int errors;
};

static void pin_to_cpu(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static void *fin_worker(void *arg)
{
	struct fin_worker *w = arg;
	struct run r;

	pin_to_cpu(w->cpu);
	atomic_fetch_add(w->ready, 1);
	while (atomic_load(w->ready) < 2)
		;	/* start together */
	for (int i = 0; i < FIN_FLOWS; i++) {
		struct tcp_spec s = client_spec(CLIENT_N(i + 1), 47000,
						 TCP_FIN | TCP_ACK);

		if (w->from_backend) {
			s = respec(s, MAC_CTRL2, MAC_ENS33, CTRL2_IP, API_PORT,
				   NODE_IP, w->snat[i]);
			s.seq = SERVER_ISN + 1;
			s.ack = CLIENT_ISN + 1;
		}
		if (send_tcp(w->fx, &s, &r) || r.retval != XDP_TX)
			w->errors++;
	}
	return NULL;
}

/* The client's FIN and the backend's FIN of each flow run on two CPUs at
 * the same moment: both must stay recorded (the flags are one atomic OR),
 * or a flow that saw both FINs would live on for the whole idle timeout. */
static void fin_both_cpus(struct fixture *fx)
{
	static __u16 snat[FIN_FLOWS];
	struct fin_worker w[2] = {
		{ .fx = fx, .cpu = 0, .from_backend = false, .snat = snat },
		{ .fx = fx, .cpu = 1, .from_backend = true, .snat = snat },
	};
	atomic_int ready = 0;
	pthread_t tid[2];
	struct khaxdp_flow f;
	int both = 0, i;

	if (libbpf_num_possible_cpus() < 2) {
		test__skip("one CPU");
		return;
	}
	fx_set_backend(fx, 0, KHAXDP_HEALTH_DOWN, KHAXDP_ADMIN_ENABLED);
	fx_set_backend(fx, 2, KHAXDP_HEALTH_DOWN, KHAXDP_ADMIN_ENABLED);
	fx_sync_ring(fx, 0);			/* every flow to control2 */
	for (i = 0; i < FIN_FLOWS; i++) {
		if (!ESTABLISH(fx, CLIENT_N(i + 1), 47000, &f))
			goto out;
		snat[i] = ntohs(f.snat_port);
	}
	for (i = 0; i < 2; i++) {
		w[i].ready = &ready;
		pthread_create(&tid[i], NULL, fin_worker, &w[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(tid[i], NULL);
	ASSERT_EQ(w[0].errors + w[1].errors, 0, "FINs not forwarded");
	for (i = 0; i < FIN_FLOWS; i++)
		if (!fx_flow(fx, CLIENT_N(i + 1), 47000, &f) &&
		    (f.flags & (KHAXDP_FLOW_FIN_FWD | KHAXDP_FLOW_FIN_REV)) ==
			    (KHAXDP_FLOW_FIN_FWD | KHAXDP_FLOW_FIN_REV))
			both++;
	ASSERT_EQ(both, FIN_FLOWS, "flows with both FINs recorded");
out:
	fx_set_backend(fx, 0, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
	fx_set_backend(fx, 2, KHAXDP_HEALTH_UP, KHAXDP_ADMIN_ENABLED);
	fx_sync_ring(fx, 0);
}

static const struct fx_case cases[] = {
	{ "even_distribution", even_distribution },
	{ "cursor_atomic", cursor_atomic },
	{ "health_flips", health_flips },
	{ "fin_both_cpus", fin_both_cpus },
};

void test_concurrency(void)
{
	/* Room for every SYN of every thread. */
	struct fixture_opts opts = { .max_half_open = 65536 };
	struct fixture fx;

	if (fx_init(&fx, &opts) == 0 && fx_apiserver(&fx) == 0)
		FX_RUN_CASES(&fx, cases);
	fx_fini(&fx);
}

/* --- two CPUs claiming the same NAT ports ----------------------------------- */

#define CLAIM_ROUNDS	500000		/* SYNs per CPU */
#define CLAIM_PORTS	16
#define VIP2_IP		IP4(192, 168, 218, 190)

struct claimer {
	struct fixture *fx;
	int cpu;
	atomic_int *ready;
	int claimed, full, errors, shared;
};

/* A SYN per round from a new client of this CPU's own, which the client
 * gives up at once (its RST ends the half-open flow): both CPUs race all
 * the time to take over the same few ports from the flows that ended.
 * After a claim, and until its RST, the claimer's half-open flow must own
 * its port's entry. */
static void *claimer(void *arg)
{
	struct claimer *c = arg;
	struct run r;

	pin_to_cpu(c->cpu);
	atomic_fetch_add(c->ready, 1);
	while (atomic_load(c->ready) < 2)
		;
	for (__u32 i = 0; i < CLAIM_ROUNDS; i++) {
		__be32 client = htonl(0x0a000000 | (c->cpu + 1) << 20 | i >> 4);
		__u16 cport = 40000 + (i & 15);
		struct khaxdp_flow_key own = flow_key(client, VIP2_IP, cport,
						      VIP_PORT);
		struct tcp_spec s = client_spec(client, cport, TCP_SYN);
		struct tcp_spec rst = client_spec(client, cport, TCP_RST);
		struct khaxdp_flow_key rkey;
		struct khaxdp_flow f;
		struct khaxdp_nat n;

		s.daddr = VIP2_IP;
		if (send_tcp(c->fx, &s, &r)) {
			c->errors++;
			continue;
		}
		if (r.retval == XDP_DROP) {
			c->full++;
			continue;
		}
		c->claimed++;
		if (bpf_map_lookup_elem(c->fx->maps.half_open, &own, &f)) {
			c->errors++;	/* the claim made no flow */
			continue;
		}
		rkey = flow_key(CTRL2_IP, NODE_IP, API_PORT, ntohs(f.snat_port));
		if (bpf_map_lookup_elem(c->fx->maps.half_open_nat, &rkey, &n) ||
		    memcmp(&n.flow, &own, sizeof(own)))
			c->shared++;	/* a live flow lost its port */
		rst.daddr = VIP2_IP;
		if (send_tcp(c->fx, &rst, &r) || r.retval != XDP_TX)
			c->errors++;
	}
	return NULL;
}

void test_claims(void)
{
	struct fixture_opts opts = { .snat_min = 40000,
				     .snat_max = 40000 + CLAIM_PORTS - 1 };
	struct claimer c[2];
	struct fixture fx;
	atomic_int ready = 0;
	pthread_t tid[2];
	int i;

	if (libbpf_num_possible_cpus() < 2) {
		test__skip("one CPU");
		return;
	}
	if (fx_init(&fx, &opts) || fx_apiserver(&fx) ||
	    fx_add_service(&fx, 1, VIP2_IP, VIP_PORT, 0, "instant") ||
	    fx_add_backend(&fx, 3, 1, "control2", CTRL2_IP, API_PORT, false) ||
	    fx_sync_ring(&fx, 1))
		goto out;
	if (!test__start_subtest("two_cpus_one_owner"))
		goto out;
	for (i = 0; i < 2; i++) {
		c[i] = (struct claimer){ .fx = &fx, .cpu = i, .ready = &ready };
		pthread_create(&tid[i], NULL, claimer, &c[i]);
	}
	for (i = 0; i < 2; i++)
		pthread_join(tid[i], NULL);
	TLOG("claimed %d + %d, ports full %d + %d", c[0].claimed, c[1].claimed,
	     c[0].full, c[1].full);
	ASSERT_EQ(c[0].errors + c[1].errors, 0, "test_run errors");
	ASSERT_GT(c[0].claimed + c[1].claimed, CLAIM_ROUNDS,
		  "claims (ports taken over from ended flows)");
	ASSERT_EQ(c[0].shared + c[1].shared, 0,
		  "live flows whose port another claim took");
out:
	fx_fini(&fx);
}
