/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * khaxdp.h - every struct and constant that crosses the kernel/user boundary.
 *
 * Included by the BPF programs (bpf/khaxdp.bpf.c), the loader, the agent and the
 * tests. Nothing here may depend on which side includes it: fixed-width
 * types only, no pointers, explicit padding, addresses wide enough for IPv6.
 *
 * Byte order: fields named addr/port and the flow keys hold network order
 * (__be16/__be32, as on the wire); everything else is host order.
 */
#ifndef KHAXDP_H
#define KHAXDP_H

#include <linux/types.h>

#define KHAXDP_MAX_SERVICES		16
#define KHAXDP_MAX_BACKENDS		256	/* all services together */
#define KHAXDP_MAX_SERVICE_BACKENDS	32	/* one service's round-robin ring */
#define KHAXDP_NAME_LEN			32
#define KHAXDP_DEFAULT_MAX_FLOWS	65536

/* A flow that saw FIN in both directions, or a RST, is gone after this. */
#define KHAXDP_CLOSED_TIMEOUT_S		5

/* Half-open flows (a SYN seen, the handshake not yet complete): how long
 * one lives unless configured ([global] connect_timeout), how many there
 * may be (max_half_open) and how many one source address may open in a
 * connect timeout (half_open_per_source). */
#define KHAXDP_DEFAULT_CONNECT_TIMEOUT_S	4
#define KHAXDP_DEFAULT_MAX_HALF_OPEN		16384
#define KHAXDP_DEFAULT_HALF_OPEN_PER_SOURCE	1024

/* How many ring slots a SYN may try when the backend it drew changed state
 * after user space last wrote the ring (bounded, so picking stays O(1)). */
#define KHAXDP_PICK_TRIES		4
/* How many source ports a SYN may try before giving up on NAT. */
#define KHAXDP_PORT_TRIES		8

/* Address families as in <sys/socket.h>; repeated so BPF code needs no libc. */
#define KHAXDP_AF_INET		2
#define KHAXDP_AF_INET6		10

/* An IPv4 address sits in v4 with the rest zero, as Katran does. */
union khaxdp_addr {
	__be32 v4;
	__be32 v6[4];
};

/* Key of the services map: the virtual address clients connect to. */
struct khaxdp_vip {
	union khaxdp_addr addr;
	__be16 port;
	__u8 proto;		/* IPPROTO_TCP */
	__u8 family;		/* KHAXDP_AF_INET */
};

enum khaxdp_mode {
	KHAXDP_MODE_NAT = 0,
	/* Direct server return: the active node forwards a client's packet
	 * unchanged but for the Ethernet addresses to the backend node,
	 * which serves it with its own apiserver and answers the client
	 * straight from the VIP. */
	KHAXDP_MODE_DSR = 1,
};

/* A packet a node forwarded to another for DSR carries IPv4's reserved
 * flag (the bit no stack sets, RFC 791): it is served where it arrives,
 * never balanced again, and the flag is cleared before the stack sees
 * it. */
#define KHAXDP_IP_BALANCED	0x8000

/* IPv6 has no spare bit: the node that balances overwrites the flow label
 * with this value, the node that serves sets it to 0 (docs/design.md,
 * "The DSR mark"). A client's own label equal to it (one in 2^20) makes
 * its connection served by the node it reaches: the right service, one
 * flow off balance. */
#define KHAXDP_IP6_BALANCED_LABEL	0x4b58d

#define KHAXDP_NO_BACKEND	0xffffffffU

/* The node that balances a DSR flow sees only the client's side: the
 * window a RST or FIN of the client must fall within (the client's own
 * sequence numbers, all of which pass here, are known exactly). */
#define KHAXDP_DSR_WINDOW	65535

/* Value of the services map. */
struct khaxdp_service {
	__u32 id;		/* index into rings (x2) and rr_cursor */
	__u32 mode;		/* enum khaxdp_mode */
	__u32 timeout_s;	/* idle timeout of a flow */
	/*
	 * Which of the service's two rings the data plane reads. User space
	 * writes the other ring, then flips this with one update of the
	 * services (hash) map, which readers see whole: a SYN never reads a
	 * ring that is half written.
	 */
	__u32 ring_slot;
	char name[KHAXDP_NAME_LEN];
	/* This node's own backend of the service (the one DSR packets from
	 * another node are served by), or KHAXDP_NO_BACKEND. */
	__u32 local_backend;
};

/* Value of the rings map, key = khaxdp_ring_key(service id, ring_slot)
 * (policy.h): the backends
 * that may take new flows (health up, admin enabled), in config order. */
struct khaxdp_ring {
	__u32 count;
	__u32 backend[KHAXDP_MAX_SERVICE_BACKENDS];
};

/* Value of the rr_cursor map, key = service id: shared by all CPUs. */
struct khaxdp_cursor {
	__u64 next;
};

enum khaxdp_health {
	KHAXDP_HEALTH_DOWN = 0,
	KHAXDP_HEALTH_UP = 1,
	/* Down, and its node known to have failed (it held the VIP, stopped
	 * advertising, and does not answer a check): its flows are answered
	 * with a RST, so that their clients reconnect at once. */
	KHAXDP_HEALTH_GONE = 2,
};

enum khaxdp_admin {
	KHAXDP_ADMIN_ENABLED = 0,
	KHAXDP_ADMIN_DRAIN = 1,		/* no new flows, still checked */
	KHAXDP_ADMIN_DISABLED = 2,	/* maintenance: no new flows */
};

/* Value of the backends map, key = backend id (array). */
struct khaxdp_backend {
	union khaxdp_addr addr;
	__be16 port;
	__u8 family;		/* 0: slot unused */
	__u8 health;		/* enum khaxdp_health, written by the agent */
	__u8 admin;		/* enum khaxdp_admin, written by the operator */
	__u8 local;		/* addr is this node's: pass up the stack */
	__u16 service_id;
	__u32 weight;		/* reserved for weighted balancing */
	char name[KHAXDP_NAME_LEN];
};

/* Key of the flows map (client -> VIP) and of the nat map (reply: backend
 * -> this node's SNAT port, or local apiserver -> client). */
struct khaxdp_flow_key {
	union khaxdp_addr src;
	union khaxdp_addr dst;
	__be16 sport;
	__be16 dport;
	__u8 proto;
	__u8 family;
	__u8 pad[2];
};

enum khaxdp_flow_flags {
	KHAXDP_FLOW_FIN_FWD = 1 << 0,	/* client sent FIN */
	KHAXDP_FLOW_FIN_REV = 1 << 1,	/* backend sent FIN */
	KHAXDP_FLOW_RST = 1 << 2,	/* either side sent RST */
	KHAXDP_FLOW_LOCAL = 1 << 3,	/* backend is this node */
	/* Sequence numbers not known (a flow carried over from a data
	 * plane that did not track them): RST and FIN are believed. */
	KHAXDP_FLOW_UNTRACKED = 1 << 4,
	/* Half-open: the backend's SYN-ACK was seen (the server side of the
	 * reply entry holds its sequence number). */
	KHAXDP_FLOW_SYNACK = 1 << 5,
	/* The same bit on a half-open DSR flow of the node that balances it,
	 * whose SYN-ACKs never pass here: the client's ACK was, and the flow
	 * waits in half_open until the node serving it, which saw the whole
	 * handshake, confirms it (its flow sync announcement). */
	KHAXDP_FLOW_ACKED = KHAXDP_FLOW_SYNACK,
	/* The client sent a SYN on this live flow: the backend's SYN-ACK to
	 * it (the old connection was gone there) starts the flow anew. */
	KHAXDP_FLOW_RESYNC = 1 << 6,
	/* NATed from the VIP (its service's address) rather than from the
	 * node's address: see KHAXDP_NODE_SNAT_NODE. */
	KHAXDP_FLOW_SNAT_VIP = 1 << 7,
};

#define KHAXDP_WSCALE_NONE	0xff	/* no window scale option */
#define KHAXDP_WSCALE_MAX	14	/* RFC 7323 */

/*
 * One side of a TCP connection as this node sees it pass, as conntrack
 * keeps it: a RST or FIN that side sends is believed only when its
 * sequence number lies within the other side's largest window of end.
 * Written only by the CPU that sees that side's packets.
 */
struct khaxdp_tcp_side {
	__u32 end;	/* sequence number after its furthest segment */
	__u32 maxwin;	/* largest window it advertised, scaled */
	__u8 wscale;	/* window scale in use, KHAXDP_WSCALE_NONE: none */
	__u8 pad[3];
};

/* Value of the flows map (confirmed flows) and of the half_open map (a
 * SYN seen, the handshake not complete): what a forward packet needs. */
struct khaxdp_flow {
	__u64 created_ns;	/* bpf_ktime_get_coarse_ns(): CLOCK_MONOTONIC_COARSE */
	__u64 last_seen_ns;
	__u32 backend_id;
	__u32 service_id;
	__u32 timeout_s;
	union {
		struct {
			__be16 snat_port;	/* 0 when the backend is local */
			__u8 flags;		/* enum khaxdp_flow_flags */
			/* enum khaxdp_mode: DSR for a flow this node forwards
			 * to another node (it sees only the client's side) */
			__u8 mode;
		};
		/* The three as one word: the forward and the reply CPU set
		 * flags with one atomic OR of it (BPF has no 8-bit atomics),
		 * so neither loses the other's FIN. */
		__u32 flags_word;
	};
	struct khaxdp_tcp_side client;	/* what the client sends */
	/* Added to the client's TCP timestamps towards a remote backend
	 * (bpf/tcp.bpf.h); 0: none. */
	__u32 ts_offset;
};

/* Where flags sit in flags_word (the byte after snat_port). */
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define KHAXDP_FLOW_FLAGS_SHIFT	16
#else
#define KHAXDP_FLOW_FLAGS_SHIFT	8
#endif

/*
 * A cached bpf_fib_lookup() result, so that an established packet does not
 * route: looked up again when older than KHAXDP_NEXTHOP_TTL_S. Value of the
 * nexthops map (key = backend id, towards the backend) and part of a nat
 * entry (towards the client). checked_ns = 0: not looked up yet.
 */
struct khaxdp_nexthop {
	__u64 checked_ns;
	__u32 ifindex;
	__u8 smac[6];
	__u8 dmac[6];
	__u8 flags;		/* enum khaxdp_nexthop_flags */
	__u8 pad[3];
};

enum khaxdp_nexthop_flags {
	/* Taken from the client's SYN (its source MAC), not from the FIB:
	 * kept while the kernel has no neighbour entry of its own, as on a
	 * new VRRP master whose clients learned its MAC from a gratuitous
	 * ARP and never asked. */
	KHAXDP_NEXTHOP_LEARNED = 1 << 0,
};

#define KHAXDP_NEXTHOP_TTL_S		1

/* Value of the nat map: how to turn a reply back into VIP -> client. */
struct khaxdp_nat {
	struct khaxdp_flow_key flow;	/* the forward key: client -> VIP */
	__u32 backend_id;
	/* Taking over a stale entry in place: even when the entry is whole,
	 * odd while one CPU, the one whose compare-and-swap made it odd,
	 * rewrites it. */
	__u32 seq;
	struct khaxdp_nexthop hop;	/* towards the client */
	struct khaxdp_tcp_side server;	/* what the backend sends */
	__u32 ts_offset;		/* as the flow's, taken from TSecr back */
};

/* Value of the node map (one entry, key 0). */
struct khaxdp_node {
	union khaxdp_addr addr;	/* this node's address: source of NAT */
	__u32 ifindex;
	__u16 snat_port_min;	/* host order, inclusive */
	__u16 snat_port_max;
	__u8 family;
	__u8 active;		/* holds the VIP (written by the agent) */
	__u8 n_vips;		/* entries used in vips[] */
	__u8 connect_timeout_s;	/* life of a half-open flow */
	__u8 pad[4];
	/* The distinct addresses of all services: a packet to any other
	 * address is passed without a hash lookup. */
	union khaxdp_addr vips[KHAXDP_MAX_SERVICES];
	/* The network namespace khaxdp was attached in: the cgroup hooks,
	 * global to the machine, act only there unless SOCKET_LB_ALL. */
	__u64 netns_cookie;
	__u32 flags;		/* enum khaxdp_node_flags */
	/* The interface's MAC: frames for other hosts (flooded by a switch
	 * that lost track of a dead master) are not ours to answer. */
	__u8 mac[6];
	__u16 pad2;
	/* SYNs one source address may open as half-open flows in a connect
	 * timeout (less those it completed); 0: no limit. */
	__u32 half_open_per_source;
	__u32 pad3;
	/* When this node last became active taking over from a master that
	 * is alive (CLOCK_MONOTONIC ns, written with active; 0 after one
	 * that fell silent): for KHAXDP_TAKEOVER_HOLD_NS after it, a
	 * client's packet with no flow is dropped (the client sends it
	 * again), not passed to the stack, which would reset a connection
	 * whose flow the old holder is still sending (flow sync). */
	__u64 active_since_ns;
	/* IPv6: the node's global address on the interface (the source of
	 * NAT66 with snat_address = node; zero when it has none), the
	 * distinct IPv6 addresses of the services, as vips[] for IPv4, and
	 * whether this node holds them: active and active_since_ns above
	 * are IPv4's (an instance per family may elect another holder). */
	union khaxdp_addr addr6;
	__u8 n_vips6;
	__u8 active6;
	__u8 pad4[6];
	__u64 active6_since_ns;
	union khaxdp_addr vips6[KHAXDP_MAX_SERVICES];
};

#define KHAXDP_TAKEOVER_HOLD_NS	1000000000ULL

/*
 * What the data plane tells the agent about the flows another node would
 * have to follow if this one failed (flow sync): the DSR flows the active
 * node balances and the flows of its own backend, when confirmed and when
 * closed. Records of the ring buffer flow_events. The backend goes by its
 * address: ids differ between nodes.
 */
enum khaxdp_flow_event_type {
	KHAXDP_FLOW_EV_OPEN = 1,
	KHAXDP_FLOW_EV_CLOSE = 2,
	/* Never from the data plane: a half-open DSR flow the node leaving
	 * MASTER hands to the next one (the client's ACK may reach that one
	 * first), from the agent's walk of half_open. */
	KHAXDP_FLOW_EV_HALF_OPEN = 3,
};

struct khaxdp_flow_event {
	struct khaxdp_flow_key key;	/* client -> VIP */
	union khaxdp_addr backend;
	__be16 backend_port;
	__u8 type;			/* enum khaxdp_flow_event_type */
	__u8 mode;			/* enum khaxdp_mode of the flow */
	__u8 flags;			/* enum khaxdp_flow_flags of the flow */
	__u8 pad[7];
	__u64 at_ns;			/* CLOCK_MONOTONIC_COARSE */
};

#define KHAXDP_FLOW_EVENTS_BYTES	(256 * 1024)

/* Value of the syn_sources map, key = the source address: its share of
 * half-open flows in the current connect-timeout window. */
struct khaxdp_syn_source {
	__u64 window_ns;	/* when the window began */
	__s64 count;		/* opened in it, less those completed */
};

enum khaxdp_node_flags {
	KHAXDP_NODE_SOCKET_LB_ALL = 1 << 0,	/* [global] socket_lb = all */
	/* [global] snat_address = node: NAT towards a remote backend from
	 * the node's own address, whose ports the node's sockets and
	 * netfilter's masquerading also use. Without it, from the VIP the
	 * client connected to, which nothing else on the node sends from. */
	KHAXDP_NODE_SNAT_NODE = 1 << 1,
	/* Flow sync runs here (written by the agent, kept by attach): the
	 * node serving a DSR flow announces it, which confirms it on the
	 * node that balances (KHAXDP_FLOW_ACKED). Without it nothing would:
	 * the node that balances confirms a DSR flow on its client's ACK,
	 * which it cannot check, and a serving node announces nothing. */
	KHAXDP_NODE_DSR_CONFIRM = 1 << 2,
};

/* Per-socket storage of the cgroup hooks: the VIP a local client asked
 * for, which getpeername() still reports. */
struct khaxdp_sock_vip {
	union khaxdp_addr addr;
	__be16 port;
	__u8 family;
	__u8 pad;
	__u32 backend_id;
};

/*
 * Per-CPU counters by reason, key = enum khaxdp_stat. Each reason has a
 * class that says what became of the packet (or what happened):
 *   EVENT      something happened; says nothing of the packet's fate
 *   PASS       left to the kernel's stack, unchanged (not ours, or not now)
 *   MALFORMED  headers that lie or are cut short: passed unchanged
 *   DROP       dropped by the data plane
 *   TX         rewritten and sent on (XDP_TX, redirect, or to the local
 *              backend through the stack)
 * The names are what dashboards know: they stay; /metrics also labels the
 * class.
 */
enum khaxdp_stat_class {
	KHAXDP_CLASS_EVENT,
	KHAXDP_CLASS_PASS,
	KHAXDP_CLASS_MALFORMED,
	KHAXDP_CLASS_DROP,
	KHAXDP_CLASS_TX,
};

#define KHAXDP_STATS(X)								\
	X(RX,               EVENT,     "packets seen by XDP") \
	X(PASS_NOT_IP,      PASS,      "passed: neither IPv4 nor IPv6 (ARP, ...)") \
	X(PASS_VLAN,        PASS,      "passed: VLAN tagged") \
	X(PASS_NOT_TCP,     PASS,      "passed: not TCP") \
	X(PASS_NOT_VIP,     PASS,      "passed: not for a VIP") \
	X(PASS_OTHER_HOST,  PASS,      "passed: frame for another host's MAC") \
	X(BAD_ETH_TRUNC,    MALFORMED, "malformed: truncated Ethernet header") \
	X(BAD_IP_TRUNC,     MALFORMED, "malformed: truncated IP header") \
	X(BAD_IP_VERSION,   MALFORMED, "malformed: IP version is not the frame's (4, or 6)") \
	X(BAD_IP_IHL,       MALFORMED, "malformed: IP header length < 20") \
	X(BAD_IP_LEN,       MALFORMED, "malformed: IP total length lies") \
	X(BAD_IP_FRAG,      PASS,      "passed: IP fragment") \
	X(BAD_TCP_TRUNC,    MALFORMED, "malformed: truncated TCP header") \
	X(BAD_TCP_DOFF,     MALFORMED, "malformed: TCP data offset < 20") \
	X(NO_FLOW,          PASS,      "passed: non-SYN with no flow") \
	X(NO_BACKEND,       PASS,      "passed: SYN with no usable backend") \
	X(NO_NEIGH,         PASS,      "passed: next hop not resolved") \
	X(FIB_FAIL,         PASS,      "passed: no route to backend/client") \
	X(FWD_DISABLED,     PASS,      "passed: forwarding is off on the interface") \
	X(NAT_PORTS_FULL,   DROP,      "dropped: no free NAT port") \
	X(TTL_EXCEEDED,     DROP,      "dropped: TTL (hop limit) would reach 0 when forwarded") \
	X(LOCAL_TUPLE_BUSY, DROP,      "dropped: SYN whose tuple at the local backend is another connection's") \
	X(HALF_OPEN_LIMIT,  DROP,      "dropped: SYN from a source holding its share of half-open flows") \
	X(HANDSHAKE_BAD,    DROP,      "dropped: handshake segment that does not answer the other side's SYN") \
	X(OUT_OF_WINDOW,    DROP,      "dropped: RST or FIN outside the connection's window, or a SYN-ACK nobody asked for") \
	X(NAT_RESTORED,     EVENT,     "reply mappings of live flows put back after eviction") \
	X(NAT_LOST,         DROP,      "dropped: a live flow's reply tuple is another flow's now") \
	X(ICMP_TX,          TX,        "ICMP errors of flows translated and forwarded") \
	X(ICMP_LOCAL,       TX,        "ICMP errors of flows translated for the local backend") \
	X(ICMP_NO_FLOW,     PASS,      "passed: ICMP error about no flow") \
	X(BAD_ICMP,         MALFORMED, "malformed: ICMP error too short for what it quotes") \
	X(FLOW_NEW,         EVENT,     "flows opened by a SYN (half-open until confirmed)") \
	X(FLOW_CONFIRMED,   EVENT,     "flows confirmed by the client's handshake ACK") \
	X(FLOW_EV_LOST,     EVENT,     "flow events for the agent lost: its ring buffer was full") \
	X(FLOW_EXPIRED,     EVENT,     "flows found expired") \
	X(FWD_TX,           TX,        "forwarded to a backend (XDP_TX)") \
	X(FWD_REDIRECT,     TX,        "forwarded to a backend (redirect)") \
	X(FWD_LOCAL,        TX,        "forwarded to the local backend") \
	X(DSR_TX,           TX,        "forwarded unchanged to the backend node (DSR, XDP_TX or redirect)") \
	X(DSR_SERVED,       TX,        "served for another node (DSR): to the local apiserver") \
	X(DSR_NO_LOCAL,     DROP,      "dropped: sent here for DSR, but no local backend of that service") \
	X(RST_GONE,         TX,        "answered with a RST: the flow's backend node failed") \
	X(FLOW_SUPERSEDED,  EVENT,     "flows to another node replaced: the node that balances sent the tuple here") \
	X(STANDBY,          DROP,      "dropped: to a VIP while standby (a client that still has this node's MAC; it sends again, to the holder)") \
	X(REPLY_TX,         TX,        "replies sent to a client (XDP_TX)") \
	X(REPLY_REDIRECT,   TX,        "replies sent to a client (redirect)") \
	X(REPLY_NO_FLOW,    PASS,      "passed: reply whose flow is gone") \
	X(TC_REPLY,         TX,        "local replies rewritten by TC") \
	X(TC_BAD,           MALFORMED, "TC: malformed packet passed") \
	X(SOCK_CONNECT,     EVENT,     "local connect() to a VIP balanced") \
	X(SOCK_NO_BACKEND,  PASS,      "local connect() with no usable backend") \
	X(BAD_IP6_EXT,      MALFORMED, "malformed: IPv6 extension headers cut short, or more than are walked") \
	X(TAKEOVER_HOLD,    DROP,      "dropped: non-SYN with no flow in the first second after taking over (its flow may be on its way from the old holder)") \
	X(PASS_NO_IPV6,     PASS,      "passed: IPv6, and the IPv6 program is not in place (a loader that did not load it)") \
	X(REDISPATCHED,     EVENT,     "half-open flows opened anew: the SYN came again and its backend was down by then") \
	X(DSR_ACKED,        EVENT,     "DSR handshakes the client completed here, held half-open until the serving node confirms them (flow sync)")

#define KHAXDP_STAT_ENUM(name, class, desc) KHAXDP_STAT_##name,
enum khaxdp_stat {
	KHAXDP_STATS(KHAXDP_STAT_ENUM)
	KHAXDP_STAT_MAX
};
#undef KHAXDP_STAT_ENUM

/* Entries of the stats map: room for reasons to come, so that a new
 * counter does not change the pinned map an upgrade reuses. */
#define KHAXDP_STAT_SLOTS	128
_Static_assert(KHAXDP_STAT_MAX <= KHAXDP_STAT_SLOTS, "stats map too small");

/* Per-CPU counters of one backend, key = backend id. "in" is client ->
 * backend, "out" is backend -> client; bytes are IP bytes. */
struct khaxdp_backend_stats {
	__u64 packets_in;
	__u64 bytes_in;
	__u64 packets_out;
	__u64 bytes_out;
	__u64 flows_opened;
};

/* Value of the loader_state map (key 0): what `khaxdp attach` made on which
 * interface, so that detach removes exactly that. User space only. */
struct khaxdp_loader_state {
	__u32 version;
	__u32 ifindex;
	__u32 flags;		/* the loader's enum kx_state_flags */
	__u32 pad;
	char ifname[16];	/* IF_NAMESIZE */
};

/* Value of the reserved_ports map: the ports `khaxdp attach` added to
 * net.ipv4.ip_local_reserved_ports (the SNAT range minus what was reserved
 * already), which detach takes out again. Host order, inclusive; unused
 * entries are {0, 0}. */
struct khaxdp_port_range {
	__u16 first;
	__u16 last;
};

#define KHAXDP_MAX_RESERVED_RANGES 32

/* Key of the layouts map: a map's name (of KHAXDP_MAPS), NUL-padded. Its
 * value is that map's layout (loader/layout.h) as the khaxdp that attached
 * made it; every reader compares it with its own before it reads the map.
 * User space only. Neither this key nor the value (a __u64) ever changes. */
struct khaxdp_map_name {
	char name[16];
};

/*
 * The maps user space opens by their pins (the names of maps.bpf.h), with
 * the type, key and value each must have: the library's struct kx_maps,
 * its list of names, the check of a pin before it is used (a map of
 * another layout is refused, never read into a smaller struct) and the
 * selftest fixture's map fds are all made from this one list; a selftest
 * checks it against the object. loader_state and reserved_ports belong to
 * attach alone; sock_vip to the cgroup hooks.
 */
#define KHAXDP_MAPS(X)							\
	X(services, HASH, struct khaxdp_vip, struct khaxdp_service)	\
	X(backends, ARRAY, __u32, struct khaxdp_backend)		\
	X(rings, ARRAY, __u32, struct khaxdp_ring)			\
	X(rr_cursor, ARRAY, __u32, struct khaxdp_cursor)		\
	X(flows, LRU_HASH, struct khaxdp_flow_key, struct khaxdp_flow)	\
	X(nat, LRU_HASH, struct khaxdp_flow_key, struct khaxdp_nat)	\
	X(half_open, LRU_HASH, struct khaxdp_flow_key, struct khaxdp_flow) \
	X(half_open_nat, LRU_HASH, struct khaxdp_flow_key, struct khaxdp_nat) \
	X(syn_sources, LRU_HASH, union khaxdp_addr, struct khaxdp_syn_source) \
	X(flow_events, RINGBUF, KHAXDP_NO_TYPE, KHAXDP_NO_TYPE)		\
	X(port_cursor, ARRAY, __u32, struct khaxdp_cursor)		\
	X(nexthops, ARRAY, __u32, struct khaxdp_nexthop)		\
	X(node, ARRAY, __u32, struct khaxdp_node)			\
	X(stats, PERCPU_ARRAY, __u32, __u64)				\
	X(backend_stats, PERCPU_ARRAY, __u32, struct khaxdp_backend_stats) \
	X(layouts, HASH, struct khaxdp_map_name, __u64)

/* The key and value of a ring buffer: none (sizeof gives 0 with GNU C). */
struct khaxdp_no_type {};
#define KHAXDP_NO_TYPE	struct khaxdp_no_type

/* Names of the pinned objects under the bpffs directory. */
#define KHAXDP_PIN_XDP_PROG	"xdp_ingress"
#define KHAXDP_PIN_TC_PROG	"tc_egress"

#endif /* KHAXDP_H */
