// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * xdp_pass.bpf.c - the lab's switch-side veth ends run this.
 *
 * A frame sent with XDP_TX (or redirected) into a veth is only received when
 * the peer end has an XDP program of its own (docs/design.md, "Platform facts
 * the code relies on"). This one lets every frame through to the bridge.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int xdp_pass(struct xdp_md *ctx)
{
	(void)ctx;
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
