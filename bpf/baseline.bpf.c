/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * baseline.bpf.c - the benchmark's yardstick: parses Ethernet, IPv4 and TCP
 * with the data plane's own parser, counts the packet, and passes it. What
 * khaxdp costs on top of this is the price of balancing.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include "khaxdp.h"
#include "parsing.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KHAXDP_STAT_MAX);
	__type(key, __u32);
	__type(value, __u64);
} baseline_stats SEC(".maps");

SEC("xdp")
int baseline_xdp(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *data_end = (void *)(long)ctx->data_end;
	struct packet p;
	int reason = parse_packet(data, data_end, ctx->data_end - ctx->data,
				  PARSE_WIRE, &p);
	__u32 key = reason == STAT_CONTINUE ? KHAXDP_STAT_RX : (__u32)reason;
	__u64 *c;

	c = bpf_map_lookup_elem(&baseline_stats, &key);
	if (c)
		*c += 1;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
