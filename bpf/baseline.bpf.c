/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/* STUB */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
SEC("xdp")
int baseline_xdp(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}
char LICENSE[] SEC("license") = "Dual BSD/GPL";
