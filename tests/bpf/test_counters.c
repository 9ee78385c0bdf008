// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Behaviour 11 (docs/design.md): per-reason counters (RX counts every
 * packet) and per-backend counters, per CPU; user space sums them.
 */
#include <sched.h>

#include "khaxdp_test.h"

static int pin_to(int cpu)
{
	cpu_set_t one;

	CPU_ZERO(&one);
	CPU_SET(cpu, &one);
	return sched_setaffinity(0, sizeof(one), &one);
}

static void rx_counts_everything(struct fixture *fx)
{
	struct tcp_spec s;
	struct khaxdp_flow f;
	struct pkt p;
	struct run r;
	int sent = 0;

	fx_set_cursor(fx, 0, 1);
	sent += ESTABLISH(fx, CLIENT_IP, 47000, &f) ? 3 : 0;	/* SYN, SYN-ACK, ACK */

	s = client_spec(CLIENT_IP, 47000, TCP_ACK);		/* forward */
	sent += send_tcp(fx, &s, &r) == 0;
	s = client_spec(CLIENT_IP, 47001, TCP_ACK);		/* no flow */
	sent += send_tcp(fx, &s, &r) == 0;
	s = client_spec(CLIENT_IP, 47002, TCP_SYN);		/* not VIP */
	s.daddr = NODE_IP;
	s.dport = 22;
	sent += send_tcp(fx, &s, &r) == 0;
	s = client_spec(CLIENT_IP, 47003, TCP_SYN);		/* malformed */
	pkt_tcp4(&p, &s);
	pkt_ip(&p)->frag_off = htons(0x2000);
	sent += run_xdp(fx, &p, &r) == 0;
	p.data[12] = 0x08;					/* ARP: not IP */
	p.data[13] = 0x06;
	sent += run_xdp(fx, &p, &r) == 0;

	ASSERT_EQ(sent, 8, "packets run");
	ASSERT_STAT(fx, RX, 8);
	ASSERT_STAT(fx, FWD_TX, 3);
	ASSERT_STAT(fx, REPLY_TX, 1);
	ASSERT_STAT(fx, NO_FLOW, 1);
	ASSERT_STAT(fx, PASS_NOT_VIP, 1);
	ASSERT_STAT(fx, BAD_IP_FRAG, 1);
	ASSERT_STAT(fx, PASS_NOT_IP, 1);
}

/* The same flow's packets on CPU 0 and CPU 1: each CPU has its share and
 * the sums are right. */
static void backend_counters_per_cpu(struct fixture *fx)
{
	int ncpus = libbpf_num_possible_cpus();
	struct khaxdp_backend_stats per_cpu[ncpus], base[ncpus], sum;
	struct tcp_spec s;
	struct khaxdp_flow f;
	__u32 id = 1, in_bytes = 0, out_bytes = 0;
	struct pkt p;
	struct run r;
	cpu_set_t cpus;
	int cpu1 = ncpus > 1 ? 1 : 0;

	sched_getaffinity(0, sizeof(cpus), &cpus);
	pin_to(0);
	fx_set_cursor(fx, 0, 1);
	/* The handshake on CPU 0: counted there, and subtracted below. */
	if (!ESTABLISH(fx, CLIENT_IP, 47100, &f) ||
	    !ASSERT_OK(bpf_map_lookup_elem(fx->maps.backend_stats, &id, base),
		       "backend_stats[1] after the handshake"))
		goto out;
	ASSERT_EQ(base[0].packets_in, 2, "CPU 0: SYN and ACK in");
	ASSERT_EQ(base[0].packets_out, 1, "CPU 0: SYN-ACK out");
	ASSERT_EQ(base[0].flows_opened, 1, "CPU 0: the flow confirmed");

	pin_to(cpu1);
	s = client_spec(CLIENT_IP, 47100, TCP_ACK | TCP_PSH);
	s.payload = "GET /readyz HTTP/1.1\r\n\r\n";
	s.payload_len = 24;
	pkt_tcp4(&p, &s);
	in_bytes += ntohs(pkt_ip(&p)->tot_len);
	ASSERT_OK(run_xdp(fx, &p, &r), "test_run");
	ASSERT_VERDICT(&r, XDP_TX, "data");

	s = respec(s, MAC_CTRL2, MAC_ENS33, CTRL2_IP, API_PORT, NODE_IP,
		   ntohs(f.snat_port));
	s.payload = "HTTP/1.1 200 OK\r\n\r\nok";
	s.payload_len = 21;
	pkt_tcp4(&p, &s);
	out_bytes += ntohs(pkt_ip(&p)->tot_len);
	ASSERT_OK(run_xdp(fx, &p, &r), "test_run");
	ASSERT_VERDICT(&r, XDP_TX, "reply");

	ASSERT_OK(fx_backend_stats(fx, 1, &sum), "backend_stats[1]");
	ASSERT_EQ(sum.packets_in - base[0].packets_in, 1, "packets_in");
	ASSERT_EQ(sum.bytes_in - base[0].bytes_in, in_bytes,
		  "bytes_in (IP bytes)");
	ASSERT_EQ(sum.packets_out - base[0].packets_out, 1, "packets_out");
	ASSERT_EQ(sum.bytes_out - base[0].bytes_out, out_bytes,
		  "bytes_out (IP bytes)");
	ASSERT_EQ(sum.flows_opened, 1, "flows_opened");
	ASSERT_OK(bpf_map_lookup_elem(fx->maps.backend_stats, &id, per_cpu),
		  "backend_stats[1] per CPU");
	if (cpu1 != 0) {
		ASSERT_EQ(per_cpu[0].packets_in, 2, "CPU 0 packets_in");
		ASSERT_EQ(per_cpu[1].packets_in, 1, "CPU 1 packets_in");
		ASSERT_EQ(per_cpu[1].packets_out, 1, "CPU 1 packets_out");
	}
	ASSERT_OK(fx_backend_stats(fx, 2, &sum), "backend_stats[2]");
	ASSERT_EQ(sum.packets_in + sum.packets_out + sum.flows_opened, 0,
		  "backend 2 untouched");
out:
	sched_setaffinity(0, sizeof(cpus), &cpus);
}

static const struct fx_case cases[] = {
	{ "rx_counts_every_packet", rx_counts_everything },
	{ "backend_counters_per_cpu", backend_counters_per_cpu },
};

void test_counters(void)
{
	FX_RUN_APISERVER(cases);
}
