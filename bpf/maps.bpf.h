/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * maps.bpf.h - the data plane's maps. All are BTF-defined and pinned by
 * name under the loader's bpffs directory, so a new program finds the flows
 * of the old one and `bpftool map dump pinned DIR/NAME` prints structs.
 */
#ifndef KHAXDP_MAPS_BPF_H
#define KHAXDP_MAPS_BPF_H

#include "khaxdp.h"

/* VIP -> service. A hash, so that user space replaces a value whole. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, KHAXDP_MAX_SERVICES);
	__type(key, struct khaxdp_vip);
	__type(value, struct khaxdp_service);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} services SEC(".maps");

/* backend id -> backend: address, health, admin state. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KHAXDP_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct khaxdp_backend);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} backends SEC(".maps");

/* service id * 2 + slot -> the backends that take new flows. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KHAXDP_MAX_SERVICES * 2);
	__type(key, __u32);
	__type(value, struct khaxdp_ring);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rings SEC(".maps");

/* service id -> round-robin cursor, one for all CPUs. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KHAXDP_MAX_SERVICES);
	__type(key, __u32);
	__type(value, struct khaxdp_cursor);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} rr_cursor SEC(".maps");

/* client -> VIP 5-tuple -> flow. max_entries is set by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KHAXDP_DEFAULT_MAX_FLOWS);
	__type(key, struct khaxdp_flow_key);
	__type(value, struct khaxdp_flow);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} flows SEC(".maps");

/* reply 5-tuple -> forward flow key. Sized like flows by the loader. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KHAXDP_DEFAULT_MAX_FLOWS);
	__type(key, struct khaxdp_flow_key);
	__type(value, struct khaxdp_nat);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} nat SEC(".maps");

/*
 * Half-open flows: a SYN seen, the client's handshake ACK not yet. Tables
 * of their own, so that a SYN flood only ever evicts other half-open
 * flows, never a confirmed one or its reply mapping. Sized by the loader
 * (max_half_open); an entry lives at most the connect timeout.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KHAXDP_DEFAULT_MAX_HALF_OPEN);
	__type(key, struct khaxdp_flow_key);
	__type(value, struct khaxdp_flow);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} half_open SEC(".maps");

/* reply 5-tuple -> forward flow key, for half-open flows. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KHAXDP_DEFAULT_MAX_HALF_OPEN);
	__type(key, struct khaxdp_flow_key);
	__type(value, struct khaxdp_nat);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} half_open_nat SEC(".maps");

/* source address -> its half-open flows in this connect timeout. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, KHAXDP_DEFAULT_MAX_HALF_OPEN);
	__type(key, union khaxdp_addr);
	__type(value, struct khaxdp_syn_source);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} syn_sources SEC(".maps");

/* Flow events for the agent (struct khaxdp_flow_event): flow sync. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, KHAXDP_FLOW_EVENTS_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} flow_events SEC(".maps");

/* backend id -> next SNAT port to try (an offset into the range). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KHAXDP_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct khaxdp_cursor);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} port_cursor SEC(".maps");

/* backend id -> cached next hop towards it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KHAXDP_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct khaxdp_nexthop);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} nexthops SEC(".maps");

/* 0 -> this node: its address, interface, SNAT range, VRRP state. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct khaxdp_node);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} node SEC(".maps");

/* enum khaxdp_stat -> count, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KHAXDP_STAT_SLOTS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} stats SEC(".maps");

/* backend id -> packets, bytes, flows, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, KHAXDP_MAX_BACKENDS);
	__type(key, __u32);
	__type(value, struct khaxdp_backend_stats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} backend_stats SEC(".maps");

/* socket -> the VIP it connected to (cgroup connect4/getpeername4). */
struct {
	__uint(type, BPF_MAP_TYPE_SK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct khaxdp_sock_vip);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} sock_vip SEC(".maps");

/* What the loader attached (read by detach); no program uses it, it is here
 * so that it is pinned with BTF like every other map. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct khaxdp_loader_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} loader_state SEC(".maps");

/* map name -> the layout of its types as the khaxdp that attached made it
 * (struct khaxdp_map_name); no program uses it. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct khaxdp_map_name);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} layouts SEC(".maps");

/* The ports attach reserved from the kernel's ephemeral ports (read by
 * detach and status); no program uses it either. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, KHAXDP_MAX_RESERVED_RANGES);
	__type(key, __u32);
	__type(value, struct khaxdp_port_range);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} reserved_ports SEC(".maps");

/* Room for the values the forward path builds before it writes them to
 * a table (a NAT entry and a flow): bytes the 512-byte stack cannot spare
 * once both families' addresses are 16 bytes wide. One per CPU: an XDP
 * program runs to its end on its CPU before the next one starts there.
 * Nothing lives in it between packets: not pinned, not for user space. */
struct khaxdp_scratch {
	struct khaxdp_nat nat;
	struct khaxdp_flow flow;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct khaxdp_scratch);
} scratch SEC(".maps");

/* This CPU's scratch, zeroed. */
static __always_inline struct khaxdp_scratch *scratch_get(void)
{
	__u32 zero = 0;
	struct khaxdp_scratch *s = bpf_map_lookup_elem(&scratch, &zero);

	if (s)
		__builtin_memset(s, 0, sizeof(*s));
	return s;
}

#endif /* KHAXDP_MAPS_BPF_H */
