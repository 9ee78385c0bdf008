/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * csum.bpf.h - incremental Internet checksum updates (RFC 1624) for XDP,
 * where the packet always carries a full checksum. TC egress meets the
 * stack's partial checksums and uses bpf_l3/l4_csum_replace() instead.
 *
 * A rewrite accumulates ~old + new of every changed word into one 32-bit
 * delta, then applies it to each checksum that covers those words: the
 * addresses to the IP header and TCP pseudo-header, the ports to TCP only.
 */
#ifndef KHAXDP_CSUM_BPF_H
#define KHAXDP_CSUM_BPF_H

#include <linux/types.h>

static __always_inline __u32 csum_add(__u32 csum, __u32 addend)
{
	csum += addend;
	return csum + (csum < addend);
}

/* Delta for replacing the 32-bit word @from with @to. */
static __always_inline __u32 csum_delta4(__u32 delta, __be32 from, __be32 to)
{
	return csum_add(csum_add(delta, ~(__u32)from), (__u32)to);
}

/* Delta for replacing the 16-bit word @from with @to. */
static __always_inline __u32 csum_delta2(__u32 delta, __be16 from, __be16 to)
{
	return csum_add(csum_add(delta, (__u16)~from), (__u16)to);
}

/* Delta for replacing the 16-byte (IPv6) address at @from with @to. */
static __always_inline __u32 csum_delta16(__u32 delta, const void *from,
					  const void *to)
{
	const __be32 *f = from, *t = to;
	__u32 i;

#pragma unroll
	for (i = 0; i < 4; i++)
		delta = csum_delta4(delta, f[i], t[i]);
	return delta;
}

/* HC' = ~(~HC + delta), folded to 16 bits. */
static __always_inline void csum_apply(__sum16 *sum, __u32 delta)
{
	__u32 c = csum_add((__u16)~*sum, delta);

	c = (c & 0xffff) + (c >> 16);
	c = (c & 0xffff) + (c >> 16);
	*sum = (__sum16)~c;
}

#endif /* KHAXDP_CSUM_BPF_H */
