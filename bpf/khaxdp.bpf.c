/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* STUB: being written; entry points and maps are final. */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>
#include "maps.bpf.h"

SEC("xdp")
int khaxdp_xdp(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

SEC("tc")
int khaxdp_tc(struct __sk_buff *skb)
{
	(void)skb;
	return TC_ACT_OK;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
