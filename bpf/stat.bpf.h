/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * stat.bpf.h - the data plane's counters: per reason (stats) and per
 * backend (backend_stats), both per CPU, summed by user space.
 */
#ifndef KHAXDP_STAT_BPF_H
#define KHAXDP_STAT_BPF_H

#include <bpf/bpf_helpers.h>
#include "khaxdp.h"
#include "maps.bpf.h"

static __always_inline void stat_count(__u32 reason)
{
	__u64 *c = bpf_map_lookup_elem(&stats, &reason);

	if (c)
		*c += 1;
}

/* The class of a reason (enum khaxdp_stat_class), from KHAXDP_STATS. */
static __always_inline int stat_class(int reason)
{
	switch (reason) {
#define STAT_CLASS_CASE(name, class, desc)				\
	case KHAXDP_STAT_##name:					\
		return KHAXDP_CLASS_##class;
	KHAXDP_STATS(STAT_CLASS_CASE)
#undef STAT_CLASS_CASE
	}
	return KHAXDP_CLASS_EVENT;
}

enum stat_direction {
	STAT_IN,	/* client -> backend */
	STAT_OUT,	/* backend -> client */
};

static __always_inline void stat_backend(__u32 id, __u32 bytes,
					 enum stat_direction dir)
{
	struct khaxdp_backend_stats *s = bpf_map_lookup_elem(&backend_stats, &id);

	if (!s)
		return;
	if (dir == STAT_OUT) {
		s->packets_out++;
		s->bytes_out += bytes;
	} else {
		s->packets_in++;
		s->bytes_in += bytes;
	}
}

static __always_inline void stat_flow_opened(__u32 id)
{
	struct khaxdp_backend_stats *s = bpf_map_lookup_elem(&backend_stats, &id);

	if (s)
		s->flows_opened++;
}

#endif /* KHAXDP_STAT_BPF_H */
