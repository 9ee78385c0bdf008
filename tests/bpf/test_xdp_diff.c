// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Differential fuzzing of khaxdp_xdp: random and mutated frames through
 * BPF_PROG_TEST_RUN, each checked against a model of the data plane written
 * here, in plain C, from the rules of docs/design.md — not from the BPF
 * code. For every frame the model predicts the verdict and every byte that
 * comes out (checksums as RFC 1624 updates them: a wrong checksum stays
 * exactly as wrong); for every flow event the record; after every round of
 * frames every counter.
 *
 * The scene: control1 holding the VIP for the apiserver service in DSR
 * mode (round robin over control1, this node, and control2 and control3),
 * flow sync running (KHAXDP_NODE_DSR_CONFIRM), active in most rounds and
 * standby in some; clients from a pool of
 * addresses and from wherever a mutation puts them. What the model covers:
 *
 *   - parsing (Ethernet, VLAN, IPv4 with options, IPv6 with extension
 *     headers, fragments, TCP data offset, every length that can lie) and
 *     what passes untouched;
 *   - half-open flows: the SYN's backend from the ring, the client's ACK
 *     that the holder cannot check (the flow then waits half-open for the
 *     serving node, forwarded meanwhile), RST and FIN within the window or
 *     not, a SYN on a live flow and on a closed one, a source's share of
 *     half-open flows (half_open_per_source = 6 here, so it is reached);
 *     confirmed flows come from flow sync and TC, neither in the scene;
 *   - the holder's DSR forwarding (MACs and the balanced flag), the local
 *     backend's delivery (destination, timestamps shifted), packets
 *     balanced by another node (served, flag cleared, superseding);
 *   - ICMP errors to the VIP about a flow's packets, to the backend node or
 *     up the stack, and every other ICMP;
 *   - flow events (open and close) for flow sync;
 *   - the second after a takeover (one round in eight), when a client's
 *     packet with no flow is held rather than passed.
 *
 * The only values the model reads from the data plane instead of
 * predicting them are the clock's: the timestamp offset a local flow takes
 * at its SYN (bpf_ktime_get_tai_ns()). Flows live for the whole run
 * (connect_timeout 255 s; a round lasts well under a second), so no
 * verdict depends on time.
 *
 * KHAXDP_DIFF_FRAMES (default 1000000) and KHAXDP_DIFF_SEED (default: the
 * time) choose the run; the seed is printed, and a mismatch prints the
 * frame in, what the model expected, what came out and why.
 */
#include <stdlib.h>
#include <time.h>
#include "khaxdp_test.h"

#define DF_FRAME_MAX	640
#define DF_ROUND	10000		/* frames between resets */
#define DF_POOL		512		/* flows the generator keeps using */
#define DF_SOURCES	24		/* client addresses of the pool */
#define DF_PER_SOURCE	6		/* half_open_per_source */
#define DF_TABLE	(1 << 15)	/* the model's flow table: open hashing */

static const char df_conf[] =
	"[global]\n"
	"interface = ens33\n"
	"socket_lb = off\n"
	"connect_timeout = 255s\n"
	"half_open_per_source = 6\n"
	"[service apiserver]\n"
	"listen = 192.168.218.189:7443\n"
	"mode = dsr\n"
	"timeout = 30m\n"
	"server = control1 192.168.218.171:6443\n"
	"server = control2 192.168.218.172:6443\n"
	"server = control3 192.168.218.173:6443\n";

/* --- randomness: xorshift64*, reproducible from the seed ------------------ */

static __u64 df_state;

static __u32 rnd(void)
{
	df_state ^= df_state >> 12;
	df_state ^= df_state << 25;
	df_state ^= df_state >> 27;
	return (__u32)((df_state * 0x2545f4914f6cdd1dULL) >> 32);
}

static __u32 rnd_below(__u32 n)
{
	return n ? rnd() % n : 0;
}

static bool chance(__u32 percent)
{
	return rnd_below(100) < percent;
}

/* --- bytes ---------------------------------------------------------------- */

static __u16 get16(const __u8 *p)
{
	return (__u16)(p[0] << 8 | p[1]);
}

static __u32 get32(const __u8 *p)
{
	return (__u32)p[0] << 24 | (__u32)p[1] << 16 | (__u32)p[2] << 8 | p[3];
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(__u8 *p, __u32 v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/* Checksums are equal in one's complement arithmetic: 0 and 0xffff are
 * the same number. */
static bool csum_same(__u16 a, __u16 b)
{
	return a == b || (a == 0 && b == 0xffff) || (a == 0xffff && b == 0);
}

/* --- the frames ------------------------------------------------------------ */

#define ETH	14

struct frame {
	__u8 align[2];
	__u8 d[DF_FRAME_MAX];
	__u32 len;
};

struct tcp_gen {
	const __u8 *dmac;
	__be32 src, dst;
	__u16 sport, dport;
	__u8 flags;
	__u32 seq, ack;
	__u16 win;
	__u8 ttl;
	bool balanced;
	__u8 ip_opts;		/* bytes of IP options (multiple of 4) */
	__u8 opts[40];		/* TCP options */
	__u8 opt_len;		/* multiple of 4 */
	__u32 payload;
	__u32 pad;		/* Ethernet padding after the datagram */
};

/* Random TCP options as stacks send them, or odd ones. */
static void gen_tcp_opts(struct tcp_gen *g, bool syn)
{
	__u8 *o = g->opts;
	__u32 n = 0, k, count = rnd_below(5);

	for (k = 0; k < count && n < 36; k++) {
		switch (rnd_below(syn ? 6 : 4)) {
		case 0:			/* NOP NOP TS, as Linux does */
			if (n + 12 > 40)
				break;
			o[n++] = 1;
			o[n++] = 1;
			/* fall through */
		case 1:			/* TS anywhere, also at an odd offset */
			if (n + 10 > 40)
				break;
			o[n++] = 8;
			o[n++] = 10;
			put32(o + n, rnd());
			put32(o + n + 4, rnd());
			n += 8;
			break;
		case 2:
			o[n++] = 1;
			break;
		case 3:			/* SACK permitted, or junk of a length */
			o[n++] = chance(50) ? 4 : (__u8)rnd_below(256);
			o[n++] = chance(80) ? 2 : (__u8)rnd_below(12);
			break;
		case 4:			/* MSS */
			o[n++] = 2;
			o[n++] = 4;
			put16(o + n, 1460);
			n += 2;
			break;
		case 5:			/* window scale */
			o[n++] = 3;
			o[n++] = 3;
			o[n++] = (__u8)rnd_below(16);
			break;
		}
	}
	while (n % 4)
		o[n++] = chance(50) ? 1 : 0;
	g->opt_len = (__u8)n;
}

static void build_tcp(struct frame *f, const struct tcp_gen *g)
{
	__u8 *e = f->d, *ip = e + ETH, *t;
	__u32 ihl = 20 + g->ip_opts, thl = 20 + g->opt_len, tot, i;
	__u32 sum;

	tot = ihl + thl + g->payload;
	memset(f->d, 0, sizeof(f->d));
	memcpy(e, g->dmac ? g->dmac : MAC_ENS33, 6);
	memcpy(e + 6, MAC_CLIENT, 6);
	put16(e + 12, 0x0800);
	ip[0] = 0x40 | (ihl / 4);
	put16(ip + 2, (__u16)tot);
	put16(ip + 4, (__u16)rnd());
	put16(ip + 6, 0x4000 | (g->balanced ? 0x8000 : 0));
	ip[8] = g->ttl;
	ip[9] = 6;
	memcpy(ip + 12, &g->src, 4);
	memcpy(ip + 16, &g->dst, 4);
	for (i = 20; i < ihl; i++)
		ip[i] = 1;			/* NOPs */
	put16(ip + 10, (__u16)~pkt_fold(pkt_sum16(0, ip, ihl)));
	t = ip + ihl;
	put16(t, g->sport);
	put16(t + 2, g->dport);
	put32(t + 4, g->seq);
	put32(t + 8, g->ack);
	t[12] = (__u8)((thl / 4) << 4);
	t[13] = g->flags;
	put16(t + 14, g->win);
	memcpy(t + 20, g->opts, g->opt_len);
	for (i = 0; i < g->payload; i++)
		t[thl + i] = (__u8)rnd();
	sum = pkt_sum16(6 + tot - ihl, ip + 12, 8);
	put16(t + 16, (__u16)~pkt_fold(pkt_sum16(sum, t, tot - ihl)));
	f->len = ETH + tot + g->pad;
	if (f->len < 60 && chance(50))
		f->len = 60;			/* padded to Ethernet's minimum */
}

/* An IPv4 datagram of any protocol around payload l4 (checksummed by the
 * caller), from the client's MAC to dmac. */
static void build_ip(struct frame *f, const __u8 *dmac, __u8 proto,
		     __be32 src, __be32 dst, __u8 ttl, __u16 frag,
		     const __u8 *l4, __u32 l4_len)
{
	__u8 *ip = f->d + ETH;

	memset(f->d, 0, sizeof(f->d));
	memcpy(f->d, dmac, 6);
	memcpy(f->d + 6, MAC_CLIENT, 6);
	put16(f->d + 12, 0x0800);
	ip[0] = 0x45;
	put16(ip + 2, (__u16)(20 + l4_len));
	put16(ip + 6, frag);
	ip[8] = ttl;
	ip[9] = proto;
	memcpy(ip + 12, &src, 4);
	memcpy(ip + 16, &dst, 4);
	put16(ip + 10, (__u16)~pkt_fold(pkt_sum16(0, ip, 20)));
	memcpy(ip + 20, l4, l4_len);
	f->len = ETH + 20 + l4_len;
}

/* --- the model -------------------------------------------------------------- */

/* A flow of the model, client -> VIP:7443: what the data plane's half-open
 * and confirmed tables hold for its key, as the rules say they must. */
struct side {
	bool present;
	__u32 backend;		/* 0 = control1 (local), 1, 2 */
	bool dsr;		/* mode DSR (a remote backend) */
	__u8 flags;		/* KHAXDP_FLOW_* */
	__u32 end;		/* the client's furthest sequence number */
	__u32 ts_offset;	/* local flows: read from the data plane */
};

struct mflow {
	bool used;
	__be32 src;
	__u16 sport;
	struct side half, conf;
	bool local_rkey;	/* a reply tuple of the local backend claimed */
};

struct msource {
	bool used;
	__be32 addr;
	__u32 count;
};

struct expect_ev {
	__u8 type;
	__be32 src;
	__u16 sport;
	__u32 backend;
	__u8 flags;
};

struct model {
	bool active;
	bool hold;		/* became active just now (the whole round) */
	__u64 cursor;
	__u32 ring[3], ring_n;
	__u16 snat_min, snat_max;
	__u64 stats[KHAXDP_STAT_MAX];
	struct mflow *flows;		/* DF_TABLE */
	struct msource *sources;	/* DF_TABLE */
	/* what the frame being modelled produces */
	struct expect_ev ev[2];
	int n_ev;
	const char *why;		/* the rule that decided, for reports */
	/* A local flow this frame opened: its timestamp offset is read after
	 * the run, and the delivery rewritten with it (local_rewrite()). */
	struct mflow *opened_local;
	struct view_saved {
		__u32 ihl, tot, thl;
		bool serve;
	} opened_view;
};

static __be32 backend_ip(__u32 id)
{
	return id == 0 ? NODE_IP : id == 1 ? CTRL2_IP : CTRL3_IP;
}
#define BACKEND_IP(id)	((__be32[]){ backend_ip(id) })
static const __u8 *const BACKEND_MAC[3] = { NULL, MAC_CTRL2, MAC_CTRL3 };

static bool stat_drops(int reason)
{
	switch (reason) {
	case KHAXDP_STAT_HALF_OPEN_LIMIT:
	case KHAXDP_STAT_HANDSHAKE_BAD:
	case KHAXDP_STAT_OUT_OF_WINDOW:
	case KHAXDP_STAT_DSR_NO_LOCAL:
	case KHAXDP_STAT_TTL_EXCEEDED:
	case KHAXDP_STAT_TAKEOVER_HOLD:
	case KHAXDP_STAT_STANDBY:
		return true;
	default:
		return false;
	}
}

static __u32 hash_key(__be32 a, __u16 b)
{
	__u32 h = (__u32)a * 0x9e3779b1u ^ (__u32)b * 0x85ebca6bu;

	return (h ^ (h >> 15)) & (DF_TABLE - 1);
}

static struct mflow *mflow_find(const struct model *m, __be32 src, __u16 sport,
				bool create)
{
	__u32 i = hash_key(src, sport), n;

	for (n = 0; n < DF_TABLE; n++, i = (i + 1) & (DF_TABLE - 1)) {
		struct mflow *f = &m->flows[i];

		if (!f->used) {
			if (!create)
				return NULL;
			memset(f, 0, sizeof(*f));
			f->used = true;
			f->src = src;
			f->sport = sport;
			return f;
		}
		if (f->src == src && f->sport == sport)
			return f;
	}
	return NULL;
}

static struct msource *msource_find(struct model *m, __be32 addr, bool create)
{
	__u32 i = hash_key(addr, 0), n;

	for (n = 0; n < DF_TABLE; n++, i = (i + 1) & (DF_TABLE - 1)) {
		struct msource *s = &m->sources[i];

		if (!s->used) {
			if (!create)
				return NULL;
			s->used = true;
			s->addr = addr;
			s->count = 0;
			return s;
		}
		if (s->addr == addr)
			return s;
	}
	return NULL;
}

static void count(struct model *m, int reason)
{
	m->stats[reason]++;
}

/* A flow is over for DSR when the client reset or finished it; for the
 * local backend when reset (its FIN both ways is never seen here: the
 * backend's side goes through TC). */
static bool side_closed(const struct side *s)
{
	if (s->dsr)
		return s->flags & (KHAXDP_FLOW_RST | KHAXDP_FLOW_FIN_FWD);
	return (s->flags & KHAXDP_FLOW_RST) ||
	       (s->flags & (KHAXDP_FLOW_FIN_FWD | KHAXDP_FLOW_FIN_REV)) ==
		       (KHAXDP_FLOW_FIN_FWD | KHAXDP_FLOW_FIN_REV);
}

/* The parts of a frame the model looks at. */
struct view {
	__u32 len;
	__u8 *ip, *l4;
	__u32 ihl, tot;
	__be32 src, dst;
	__u16 sport, dport;
	__u8 flags;		/* TCP */
	__u32 seq, ack, thl;
};

#define F_FIN	0x01
#define F_SYN	0x02
#define F_RST	0x04
#define F_ACK	0x10

/* Where TSval lies (from the TCP header), or 0: NOP NOP TS first (what
 * stacks send), else the last well-formed timestamp option of a walk that
 * stops at EOL, at an option running past the header, or at a length
 * under 2 — the last, as Linux's receiver takes it. */
static __u32 ts_val_off(const struct view *v)
{
	const __u8 *t = v->l4;
	__u32 off = 20, found = 0;

	if (v->thl >= 32 && get32(t + 20) == 0x0101080a)
		return 24;
	while (off < v->thl) {
		__u8 kind = t[off], len;

		if (kind == 0)
			break;
		if (kind == 1) {
			off++;
			continue;
		}
		if (off + 2 > v->thl)
			break;
		len = t[off + 1];
		if (len < 2 || off + len > v->thl)
			break;
		if (kind == 8 && len == 10)
			found = off + 2;
		off += len;
	}
	return found;
}

/* Expected checksum of a region after its data changed: RFC 1624, eqn. 3
 * over the whole region, HC' = ~(~HC + ~S + S'). */
static __u16 csum_after(__u16 hc, __u32 sum_before, __u32 sum_after)
{
	return (__u16)~pkt_fold((__u16)~hc + (__u16)~pkt_fold(sum_before) +
			    pkt_fold(sum_after));
}

/* The IP header checksum of out, given in's. */
static void fix_ip_csum(__u8 *out_ip, const __u8 *in_ip, __u32 ihl)
{
	__u32 a = pkt_sum16(0, in_ip, 10), b = pkt_sum16(0, out_ip, 10);

	a = pkt_sum16(a, in_ip + 12, ihl - 12);
	b = pkt_sum16(b, out_ip + 12, ihl - 12);
	put16(out_ip + 10, csum_after(get16(in_ip + 10), a, b));
}

/* The TCP checksum of out (pseudo-header addresses and the segment). */
static void fix_tcp_csum(__u8 *out_ip, const __u8 *in_ip, __u32 ihl, __u32 tot)
{
	const __u8 *ti = in_ip + ihl;
	__u8 *to = out_ip + ihl;
	__u32 a, b, seg = tot - ihl;

	a = pkt_sum16(0, in_ip + 12, 8);
	b = pkt_sum16(0, out_ip + 12, 8);
	a = pkt_sum16(a, ti, 16);
	b = pkt_sum16(b, to, 16);
	a = pkt_sum16(a, ti + 18, seg - 18);
	b = pkt_sum16(b, to + 18, seg - 18);
	put16(to + 16, csum_after(get16(ti + 16), a, b));
}

/* Outcome of the model for one frame. */
struct verdict {
	int action;		/* XDP_* */
	__u8 out[DF_FRAME_MAX];
	/* checksum fields (frame offsets) compared as one's complement
	 * numbers; every other byte exactly */
	__u32 csum_at[5];
	int n_csum;
};

static int stop(struct model *m, struct verdict *x, int reason, const char *why)
{
	count(m, reason);
	m->why = why;
	x->action = stat_drops(reason) ? XDP_DROP : XDP_PASS;
	return x->action;
}

static void event(struct model *m, __u8 type, const struct mflow *f,
		  const struct side *s)
{
	struct expect_ev *e = &m->ev[m->n_ev++];

	e->type = type;
	e->src = f->src;
	e->sport = f->sport;
	e->backend = s->backend;
	e->flags = s->flags;
}

static __u32 seg_end(const struct view *v)
{
	return v->seq + (v->tot - v->ihl - v->thl) + !!(v->flags & F_SYN) +
	       !!(v->flags & F_FIN);
}

/* The local apiserver's packet: the destination, the client's timestamps
 * on the node's clock; a balanced packet loses its flag. x->out starts as
 * the frame in. */
static void local_rewrite(struct verdict *x, const __u8 *in, __u32 ihl,
			  __u32 tot, __u32 thl, __u32 ts_offset, bool serve)
{
	__u8 *ip = x->out + ETH, *t = ip + ihl;

	if (serve)
		ip[6] &= 0x7f;
	if (ts_offset) {
		struct view w = { .l4 = t, .thl = thl };
		__u32 off = ts_val_off(&w);

		if (off)
			put32(t + off, get32(t + off) + ts_offset);
	}
	memcpy(ip + 16, BACKEND_IP(0), 4);
	put16(t + 2, API_PORT);
	fix_ip_csum(ip, in + ETH, ihl);
	fix_tcp_csum(ip, in + ETH, ihl, tot);
	x->csum_at[x->n_csum++] = ETH + 10;
	x->csum_at[x->n_csum++] = ETH + ihl + 16;
}

/* A packet on its way to the backend: rewritten as its flow says. */
static int deliver(struct model *m, struct verdict *x, const __u8 *in,
		   const struct view *v, const struct side *s, bool serve)
{
	__u8 *ip = x->out + ETH;

	if (s->backend != 0) {
		/* DSR to the backend node: its MAC, the balanced flag. */
		memcpy(x->out, BACKEND_MAC[s->backend], 6);
		memcpy(x->out + 6, MAC_ENS33, 6);
		ip[6] |= 0x80;
		fix_ip_csum(ip, in + ETH, v->ihl);
		x->csum_at[x->n_csum++] = ETH + 10;
		count(m, KHAXDP_STAT_DSR_TX);
		m->why = "to the backend node (DSR)";
		return x->action = XDP_TX;
	}
	local_rewrite(x, in, v->ihl, v->tot, v->thl, s->ts_offset, serve);
	m->opened_view = (struct view_saved){ v->ihl, v->tot, v->thl, serve };
	count(m, serve ? KHAXDP_STAT_DSR_SERVED : KHAXDP_STAT_FWD_LOCAL);
	m->why = serve ? "served for another node" : "to the local backend";
	return x->action = XDP_PASS;
}

/* What a client's segment tells of its side of a flow: its furthest
 * sequence number (not from a SYN), its RST or FIN. */
static void side_track(struct side *s, const struct view *v, bool syn)
{
	__u32 end = seg_end(v);

	if (!syn && (__s32)(end - s->end) > 0)
		s->end = end;
	if (v->flags & F_RST)
		s->flags |= KHAXDP_FLOW_RST;
	if (v->flags & F_FIN)
		s->flags |= KHAXDP_FLOW_FIN_FWD;
}

/* client -> VIP:7443, balanced here by another node (serve) or not. */
static int model_forward(struct model *m, struct verdict *x, const __u8 *in,
			 const struct view *v, bool serve)
{
	bool syn = (v->flags & (F_SYN | F_ACK | F_RST)) == F_SYN;
	bool is_rst = v->flags & F_RST, is_fin = v->flags & F_FIN;
	struct mflow *f = mflow_find(m, v->src, v->sport, false);
	struct side *conf = NULL, *half = NULL, *s;
	__u32 backend;

	if (v->dport != VIP_PORT)
		return stop(m, x, KHAXDP_STAT_PASS_NOT_VIP, "no service on that port");
	if (f && f->conf.present) {
		conf = &f->conf;
		if (syn && side_closed(conf)) {
			/* a new connection on a closed flow's tuple */
			conf->present = false;
			conf = NULL;
			count(m, KHAXDP_STAT_FLOW_EXPIRED);
		} else if (serve && conf->dsr) {
			/* the balancing node decides now */
			conf->present = false;
			conf = NULL;
			count(m, KHAXDP_STAT_FLOW_SUPERSEDED);
		}
	}
	if (!conf && f && f->half.present) {
		half = &f->half;
		/* one its client acknowledged lives on closed, as a
		 * confirmed flow, until a SYN takes the tuple */
		if (side_closed(half) &&
		    (syn || !(half->dsr && (half->flags & KHAXDP_FLOW_ACKED)))) {
			count(m, KHAXDP_STAT_FLOW_EXPIRED);
			half = NULL;
		}
	}
	if (conf || half) {
		backend = (conf ? conf : half)->backend;
	} else {
		if (!syn && !serve && m->hold)
			return stop(m, x, KHAXDP_STAT_TAKEOVER_HOLD,
				    "no flow, not a SYN, just taken over");
		if (!syn)
			return stop(m, x, KHAXDP_STAT_NO_FLOW, "no flow, not a SYN");
		if (serve) {
			backend = 0;
		} else {
			backend = m->ring[m->cursor % m->ring_n];
			m->cursor++;
		}
	}
	if (serve && backend != 0)
		return stop(m, x, KHAXDP_STAT_DSR_NO_LOCAL,
			    "balanced here, but the flow's backend is remote");
	if (conf) {
		if (v->flags & F_SYN) {
			conf->flags |= KHAXDP_FLOW_RESYNC;
		} else if ((is_rst || is_fin) && conf->dsr) {
			if ((__u32)(v->seq - conf->end + 65535) > 2 * 65535)
				return stop(m, x, KHAXDP_STAT_OUT_OF_WINDOW,
					    "RST/FIN outside the window");
		}
		/* a local flow is never confirmed without TC's SYN-ACK */
	} else if (half && !syn && half->dsr &&
		   (half->flags & KHAXDP_FLOW_ACKED)) {
		/* acknowledged, waiting for the serving node: as confirmed */
		if ((is_rst || is_fin) &&
		    (__u32)(v->seq - half->end + 65535) > 2 * 65535)
			return stop(m, x, KHAXDP_STAT_OUT_OF_WINDOW,
				    "RST/FIN outside the window");
	} else if (half && !syn) {
		if (is_rst) {
			if (v->seq != half->end)
				return stop(m, x, KHAXDP_STAT_OUT_OF_WINDOW,
					    "RST of a half-open flow not after its SYN");
			half->flags |= KHAXDP_FLOW_RST;
		} else if (!half->dsr || !(v->flags & F_ACK) ||
			   v->seq != half->end) {
			return stop(m, x, KHAXDP_STAT_HANDSHAKE_BAD,
				    "handshake ACK that does not follow the SYN (or no SYN-ACK seen)");
		}
	}
	if (!conf && !half) {
		struct msource *src = msource_find(m, v->src, true);

		if (!f)
			f = mflow_find(m, v->src, v->sport, true);
		if (src->count >= DF_PER_SOURCE)
			return stop(m, x, KHAXDP_STAT_HALF_OPEN_LIMIT,
				    "the source's share of half-open flows");
		src->count++;
		half = &f->half;
		memset(half, 0, sizeof(*half));
		half->present = true;
		half->backend = backend;
		half->dsr = backend != 0;
		half->flags = backend ? 0 : KHAXDP_FLOW_LOCAL;
		half->end = seg_end(v);
		if (!backend) {
			f->local_rkey = true;
			m->opened_local = f;	/* ts_offset: from the clock */
		}
		count(m, KHAXDP_STAT_FLOW_NEW);
	} else if (half && half->dsr) {
		/* The client's ACK of a SYN-ACK this node never sees: held
		 * half-open until the serving node confirms it (flow sync),
		 * forwarded meanwhile, announced by nobody here. */
		if (!syn && !is_rst && !(half->flags & KHAXDP_FLOW_ACKED)) {
			struct msource *src = msource_find(m, v->src, false);

			half->flags |= KHAXDP_FLOW_ACKED;
			if (src && src->count)
				src->count--;
			count(m, KHAXDP_STAT_DSR_ACKED);
		}
		if (!syn && (half->flags & KHAXDP_FLOW_ACKED))
			side_track(half, v, false);
	} else if (half && !syn && !is_rst) {
		struct msource *src = msource_find(m, v->src, false);

		f->conf = *half;
		f->conf.flags &= (__u8)~KHAXDP_FLOW_SYNACK;
		half->present = false;
		conf = &f->conf;
		half = NULL;
		if (src && src->count)
			src->count--;
		count(m, KHAXDP_STAT_FLOW_CONFIRMED);
		if (serve || m->active)
			event(m, KHAXDP_FLOW_EV_OPEN, f, conf);
	}
	if (conf) {
		bool closing = is_rst || is_fin;
		bool was_closed = closing && side_closed(conf);

		side_track(conf, v, syn);
		if (closing && !was_closed && side_closed(conf) &&
		    (serve || m->active))
			event(m, KHAXDP_FLOW_EV_CLOSE, f, conf);
		s = conf;
	} else {
		s = half;
	}
	return deliver(m, x, in, v, s, serve);
}

/* An ICMP error to the VIP or the node (destination unreachable, time
 * exceeded) about a flow's packet: to whoever sent that packet. */
static int model_icmp(struct model *m, struct verdict *x, const __u8 *in,
		      const struct view *v)
{
	const __u8 *icmp = v->l4, *q = icmp + 8, *qt = q + 20;
	__u8 *oip = x->out + ETH, *oicmp = oip + v->ihl, *oq = oicmp + 8;
	__be32 qsrc, qdst;
	__u16 qsport, qdport;
	struct mflow *f;
	struct side *s = NULL;
	bool tcp_csum;
	__u32 a, b;

	if (v->ihl + 8 > v->tot)
		return stop(m, x, KHAXDP_STAT_BAD_ICMP, "ICMP header cut short");
	if (icmp[0] != 3 && icmp[0] != 11)
		return stop(m, x, KHAXDP_STAT_PASS_NOT_TCP, "ICMP, not an error");
	if (v->ihl + 8 + 20 + 8 > v->tot)
		return stop(m, x, KHAXDP_STAT_BAD_ICMP, "quote cut short");
	if (q[0] != 0x45 || q[9] != 6)
		return stop(m, x, KHAXDP_STAT_ICMP_NO_FLOW, "quote: not TCP over plain IPv4");
	memcpy(&qsrc, q + 12, 4);
	memcpy(&qdst, q + 16, 4);
	qsport = get16(qt);
	qdport = get16(qt + 2);
	tcp_csum = v->ihl + 8 + 20 + 18 <= v->tot;
	if (v->dst == NODE_IP || (qsport >= m->snat_min && qsport <= m->snat_max))
		/* about a packet sent from a NAT port: DSR and local flows
		 * have none */
		return stop(m, x, KHAXDP_STAT_ICMP_NO_FLOW, "about a NAT port: no NAT flows");
	/* about VIP:port -> client:port, a reply: the flow client -> VIP */
	if (qsrc == VIP_IP && qsport == VIP_PORT)
		f = mflow_find(m, qdst, qdport, false);
	else
		f = NULL;
	if (f && f->conf.present)
		s = &f->conf;
	else if (f && f->half.present) {
		s = &f->half;
		if (side_closed(s) &&
		    !(s->dsr && (s->flags & KHAXDP_FLOW_ACKED))) {
			count(m, KHAXDP_STAT_FLOW_EXPIRED);
			s = NULL;
		}
	}
	if (!s)
		return stop(m, x, KHAXDP_STAT_ICMP_NO_FLOW, "about no flow");
	if (s->backend != 0 && in[ETH + 8] <= 1)
		return stop(m, x, KHAXDP_STAT_TTL_EXCEEDED, "TTL 1, to be forwarded");
	/* The quote becomes what the backend's socket sent:
	 * backend:6443 -> client:port. */
	memcpy(oq + 12, BACKEND_IP(s->backend), 4);
	put16(oq + 20, API_PORT);
	/* its IP header checksum */
	put16(oq + 10, csum_after(get16(q + 10), pkt_sum16(0, q + 12, 8),
				  pkt_sum16(0, oq + 12, 8)));
	if (tcp_csum) {
		a = pkt_sum16(0, q + 12, 8);
		b = pkt_sum16(0, oq + 12, 8);
		a = pkt_sum16(a, qt, 4);
		b = pkt_sum16(b, oq + 20, 4);
		put16(oq + 20 + 16, csum_after(get16(qt + 16), a, b));
		x->csum_at[x->n_csum++] = ETH + v->ihl + 8 + 20 + 16;
	}
	x->csum_at[x->n_csum++] = ETH + v->ihl + 8 + 10;
	/* the ICMP checksum over the message */
	a = pkt_sum16(0, icmp, 2);
	b = pkt_sum16(0, oicmp, 2);
	a = pkt_sum16(a, icmp + 4, v->tot - v->ihl - 4);
	b = pkt_sum16(b, oicmp + 4, v->tot - v->ihl - 4);
	put16(oicmp + 2, csum_after(get16(icmp + 2), a, b));
	x->csum_at[x->n_csum++] = ETH + v->ihl + 2;
	/* outer: to the backend; from the router still */
	memcpy(oip + 16, BACKEND_IP(s->backend), 4);
	x->csum_at[x->n_csum++] = ETH + 10;
	if (s->backend == 0) {
		fix_ip_csum(oip, in + ETH, v->ihl);
		count(m, KHAXDP_STAT_ICMP_LOCAL);
		m->why = "ICMP error of a local flow: up the stack";
		return x->action = XDP_PASS;
	}
	oip[8]--;
	fix_ip_csum(oip, in + ETH, v->ihl);
	memcpy(x->out, BACKEND_MAC[s->backend], 6);
	memcpy(x->out + 6, MAC_ENS33, 6);
	count(m, KHAXDP_STAT_ICMP_TX);
	m->why = "ICMP error of a DSR flow: to the backend node";
	return x->action = XDP_TX;
}

static bool ip6_ext(__u8 next)
{
	return next == 0 || next == 43 || next == 60;	/* HBH, routing, dst */
}

/* IPv6: parsed to its TCP header through at most 4 extension headers;
 * the scene has no IPv6 service, so whatever is whole passes (as another
 * host's when it is not for this node's MAC). */
static int model_ipv6(struct model *m, struct verdict *x, const __u8 *in,
		      __u32 len)
{
	const __u8 *ip6 = in + ETH;
	__u32 end, off = 40, i, doff;
	__u8 next;

	if (len < ETH + 40)
		return stop(m, x, KHAXDP_STAT_BAD_IP_TRUNC, "IPv6 header cut");
	if (ip6[0] >> 4 != 6)
		return stop(m, x, KHAXDP_STAT_BAD_IP_VERSION, "IPv6: version");
	end = 40 + get16(ip6 + 4);
	if (end > len - ETH)
		return stop(m, x, KHAXDP_STAT_BAD_IP_LEN, "IPv6: payload length lies");
	next = ip6[6];
	for (i = 0; i < 4 && ip6_ext(next); i++) {
		if (off + 8 > end)
			return stop(m, x, KHAXDP_STAT_BAD_IP6_EXT, "IPv6: extension header cut");
		next = ip6[off];
		off += (ip6[off + 1] + 1u) * 8;
		if (off > end)
			return stop(m, x, KHAXDP_STAT_BAD_IP6_EXT, "IPv6: extension header past the payload");
	}
	if (next == 44)
		return stop(m, x, KHAXDP_STAT_BAD_IP_FRAG, "IPv6 fragment");
	if (ip6_ext(next))
		return stop(m, x, KHAXDP_STAT_BAD_IP6_EXT, "IPv6: more than 4 extension headers");
	if (next != 6)
		return stop(m, x, KHAXDP_STAT_PASS_NOT_TCP, "IPv6, not TCP");
	if (off + 20 > end)
		return stop(m, x, KHAXDP_STAT_BAD_TCP_TRUNC, "IPv6: TCP header cut");
	doff = (ip6[off + 12] >> 4) * 4u;
	if (doff < 20)
		return stop(m, x, KHAXDP_STAT_BAD_TCP_DOFF, "IPv6: data offset < 5");
	if (off + doff > end)
		return stop(m, x, KHAXDP_STAT_BAD_TCP_TRUNC, "IPv6: TCP options cut");
	if (memcmp(in, MAC_ENS33, 6))
		return stop(m, x, KHAXDP_STAT_PASS_OTHER_HOST, "IPv6: another host's MAC");
	return stop(m, x, KHAXDP_STAT_PASS_NOT_VIP, "IPv6: no IPv6 service");
}

/* The whole program for one frame of len bytes. */
static int model_xdp(struct model *m, const __u8 *in, __u32 len,
		     struct verdict *x)
{
	struct view v = { .len = len };
	bool to_node, to_vip;
	__u16 type, frag;

	memcpy(x->out, in, len);
	x->n_csum = 0;
	m->n_ev = 0;
	m->opened_local = NULL;
	m->why = "";
	count(m, KHAXDP_STAT_RX);

	type = get16(in + 12);
	if (type == 0x8100 || type == 0x88a8)
		return stop(m, x, KHAXDP_STAT_PASS_VLAN, "VLAN");
	if (type == 0x86dd)
		return model_ipv6(m, x, in, len);
	if (type != 0x0800)
		return stop(m, x, KHAXDP_STAT_PASS_NOT_IP, "not IPv4");
	v.ip = x->out + ETH;
	if (len < ETH + 20)
		return stop(m, x, KHAXDP_STAT_BAD_IP_TRUNC, "IP header cut");
	if (in[ETH] >> 4 != 4)
		return stop(m, x, KHAXDP_STAT_BAD_IP_VERSION, "IP version");
	v.ihl = (in[ETH] & 0xf) * 4u;
	if (v.ihl < 20)
		return stop(m, x, KHAXDP_STAT_BAD_IP_IHL, "IHL < 5");
	if (ETH + v.ihl > len)
		return stop(m, x, KHAXDP_STAT_BAD_IP_TRUNC, "IP options cut");
	v.tot = get16(in + ETH + 2);
	if (v.tot < v.ihl || v.tot > len - ETH)
		return stop(m, x, KHAXDP_STAT_BAD_IP_LEN, "total length lies");
	frag = get16(in + ETH + 6);
	if (frag & 0x3fff)
		return stop(m, x, KHAXDP_STAT_BAD_IP_FRAG, "fragment");
	memcpy(&v.src, in + ETH + 12, 4);
	memcpy(&v.dst, in + ETH + 16, 4);
	v.l4 = (__u8 *)in + ETH + v.ihl;
	to_node = v.dst == NODE_IP;
	to_vip = v.dst == VIP_IP;
	if (in[ETH + 9] != 6) {
		if (in[ETH + 9] == 1 && !memcmp(in, MAC_ENS33, 6) &&
		    (to_node || to_vip))
			return model_icmp(m, x, in, &v);
		return stop(m, x, KHAXDP_STAT_PASS_NOT_TCP, "not TCP");
	}
	if (v.ihl + 20 > v.tot)
		return stop(m, x, KHAXDP_STAT_BAD_TCP_TRUNC, "TCP header cut");
	v.thl = (v.l4[12] >> 4) * 4u;
	if (v.thl < 20)
		return stop(m, x, KHAXDP_STAT_BAD_TCP_DOFF, "data offset < 5");
	if (v.ihl + v.thl > v.tot)
		return stop(m, x, KHAXDP_STAT_BAD_TCP_TRUNC, "TCP options cut");
	v.sport = get16(v.l4);
	v.dport = get16(v.l4 + 2);
	v.seq = get32(v.l4 + 4);
	v.ack = get32(v.l4 + 8);
	v.flags = v.l4[13];
	if (memcmp(in, MAC_ENS33, 6))
		return stop(m, x, KHAXDP_STAT_PASS_OTHER_HOST, "another host's MAC");
	if (!to_node && !to_vip)
		return stop(m, x, KHAXDP_STAT_PASS_NOT_VIP, "not to a VIP");
	if (v.dport >= m->snat_min && v.dport <= m->snat_max) {
		struct mflow *f = NULL;

		/* a reply to a NAT port: only the local backend's claimed
		 * tuples (node:6443 -> client) exist in this scene */
		if (v.src == NODE_IP && v.sport == API_PORT)
			f = mflow_find(m, v.dst, v.dport, false);
		if (f && f->local_rkey)
			return stop(m, x, KHAXDP_STAT_REPLY_NO_FLOW, "reply of a local flow's tuple");
		return stop(m, x, KHAXDP_STAT_PASS_NOT_VIP, "to a NAT port: no NAT flow");
	}
	if (to_node)
		return stop(m, x, KHAXDP_STAT_PASS_NOT_VIP, "to the node");
	if (frag & 0x8000)
		return model_forward(m, x, in, &v, true);
	if (!m->active)
		return stop(m, x, KHAXDP_STAT_STANDBY, "standby");
	return model_forward(m, x, in, &v, false);
}

/* --- the generator ----------------------------------------------------------- */

struct pool_flow {
	__be32 src;
	__u16 sport;
	__u32 isn;
	bool serve;
};

struct gen {
	struct pool_flow pool[DF_POOL];
	__u32 n_pool;
	__u16 next_port;
};

static __be32 pool_source(void)
{
	return CLIENT_N(1 + rnd_below(DF_SOURCES));
}

static void gen_client(struct tcp_gen *g, __be32 src, __u16 sport)
{
	memset(g, 0, sizeof(*g));
	g->src = src;
	g->sport = sport;
	g->dst = VIP_IP;
	g->dport = VIP_PORT;
	g->ttl = chance(3) ? (__u8)rnd_below(3) : 64;
	g->win = chance(90) ? 64240 : (__u16)rnd();
	if (chance(10))
		g->ip_opts = (__u8)(4 * (1 + rnd_below(10)));
	if (chance(20))
		g->pad = rnd_below(30);
}

/* A new connection's SYN (sometimes one balanced by another node). */
static void gen_syn(struct gen *gs, struct frame *fr)
{
	struct pool_flow *p;
	struct tcp_gen g;

	p = gs->n_pool < DF_POOL ? &gs->pool[gs->n_pool++] :
				   &gs->pool[rnd_below(DF_POOL)];
	p->src = pool_source();
	p->sport = gs->next_port++;
	if (gs->next_port < 1024)
		gs->next_port = 1024;
	p->isn = rnd();
	p->serve = chance(20);
	gen_client(&g, p->src, p->sport);
	g.flags = F_SYN;
	g.seq = p->isn;
	g.balanced = p->serve;
	gen_tcp_opts(&g, true);
	if (chance(5))
		g.payload = rnd_below(40);	/* TFO-like data on the SYN */
	build_tcp(fr, &g);
}

/* A packet of a known connection, right or wrong; its sequence number
 * sometimes at the edges of what the rules allow (the model's flow says
 * where the client is: the generator aims, the model still judges). */
static void gen_follow(struct gen *gs, const struct model *m, struct frame *fr)
{
	static const __s32 edges[] = { 0, 1, -1, 65535, 65536, -65535, -65536 };
	struct pool_flow *p = &gs->pool[rnd_below(gs->n_pool)];
	const struct mflow *f = mflow_find(m, p->src, p->sport, false);
	struct tcp_gen g;
	__u32 next = p->isn + 1;

	if (f && f->conf.present && chance(50))
		next = f->conf.end;

	gen_client(&g, p->src, p->sport);
	g.balanced = chance(95) ? p->serve : !p->serve;
	g.ack = rnd();
	g.seq = next + (chance(70) ? 0 : rnd_below(3000));
	switch (rnd_below(9)) {
	case 0:
		g.flags = F_SYN;			/* retransmitted, reused */
		g.seq = chance(50) ? p->isn : rnd();
		break;
	case 1:
	case 2:
		g.flags = F_ACK;			/* the handshake's ACK */
		break;
	case 3:
	case 4:
		g.flags = F_ACK | 0x08;			/* data */
		g.payload = 1 + rnd_below(200);
		break;
	case 5:
		g.flags = F_ACK | F_FIN;
		if (chance(30))
			g.seq = next + edges[rnd_below(7)];
		break;
	case 6:
		g.flags = chance(50) ? F_RST : F_RST | F_ACK;
		if (chance(40))
			g.seq = rnd();			/* blind */
		else if (chance(50))
			g.seq = next + edges[rnd_below(7)];
		break;
	case 7:
		g.flags = F_ACK;
		g.seq = rnd();				/* anywhere */
		break;
	default:
		g.flags = (__u8)rnd();			/* any flags */
		break;
	}
	gen_tcp_opts(&g, g.flags & F_SYN);
	build_tcp(fr, &g);
}

/* An ICMP error from a router about what a client was sent, or junk. */
static void gen_icmp(struct gen *gs, struct frame *fr)
{
	struct pool_flow *p = gs->n_pool ? &gs->pool[rnd_below(gs->n_pool)] : NULL;
	__u8 msg[8 + 60 + 40] = { 0 }, *q = msg + 8;
	struct frame quoted;
	struct tcp_gen g;
	__u32 qlen;

	memset(&g, 0, sizeof(g));
	g.src = VIP_IP;
	g.sport = VIP_PORT;
	g.dst = p ? p->src : pool_source();
	g.dport = p ? p->sport : 1;
	if (chance(10)) {
		g.src = chance(50) ? NODE_IP : CLIENT_N(99);
		g.sport = (__u16)rnd();
	}
	g.flags = F_ACK;
	g.seq = rnd();
	g.ttl = 63;
	g.win = 1000;
	g.payload = rnd_below(40);
	build_tcp(&quoted, &g);
	qlen = quoted.len - ETH;
	if (qlen > 28 + rnd_below(60))
		qlen = 28 + rnd_below(60);
	if (chance(5))
		qlen = rnd_below(28);			/* cut short */
	msg[0] = chance(85) ? (chance(70) ? 3 : 11) : (__u8)rnd_below(20);
	msg[1] = (__u8)rnd_below(16);
	put16(msg + 6, 1400);
	memcpy(q, quoted.d + ETH, qlen);
	put16(msg + 2, (__u16)~pkt_fold(pkt_sum16(0, msg, 8 + qlen)));
	build_ip(fr, MAC_ENS33, 1, IP4(192, 168, 218, 254),
		 chance(85) ? VIP_IP : NODE_IP,
		 chance(5) ? (__u8)rnd_below(3) : 64, 0, msg, 8 + qlen);
}

/* An IPv6 frame: TCP (options, payload) or another protocol, behind none
 * to five extension headers of random kinds and lengths. */
static void gen_ipv6(struct frame *fr)
{
	static const __u8 kinds[] = { 0, 43, 60, 44 };
	__u8 *ip6 = fr->d + ETH, *prev = ip6 + 6;
	__u32 off = 40, n = rnd_below(6), i, thl;

	memset(fr->d, 0, sizeof(fr->d));
	memcpy(fr->d, chance(90) ? MAC_ENS33 : MAC_CTRL2, 6);
	memcpy(fr->d + 6, MAC_CLIENT, 6);
	put16(fr->d + 12, 0x86dd);
	put32(ip6, 0x60000000 | (rnd() & 0xfffff));
	ip6[7] = 64;
	for (i = 8; i < 40; i++)
		ip6[i] = (__u8)rnd();
	if (chance(60))
		n = 0;
	for (i = 0; i < n && off + 8 * 4 < 400; i++) {
		__u8 k = kinds[rnd_below(chance(90) ? 3 : 4)], units = (__u8)rnd_below(3);

		*prev = k;
		prev = ip6 + off;
		ip6[off + 1] = k == 44 ? 0 : units;	/* fragment: 8 bytes */
		off += k == 44 ? 8 : (units + 1u) * 8;
	}
	*prev = chance(85) ? 6 : (chance(50) ? 58 : 17);
	thl = 20 + 4 * rnd_below(4);
	put16(ip6 + off, (__u16)rnd());
	put16(ip6 + off + 2, chance(70) ? VIP_PORT : (__u16)rnd());
	put32(ip6 + off + 4, rnd());
	ip6[off + 12] = (__u8)((thl / 4) << 4);
	ip6[off + 13] = (__u8)(chance(50) ? F_SYN : rnd());
	off += thl + rnd_below(60);
	put16(ip6 + 4, (__u16)(off - 40));
	fr->len = ETH + off;
}

/* Traffic that is not the service's. */
static void gen_other(struct gen *gs, struct frame *fr)
{
	__u8 l4[64];
	struct tcp_gen g;
	__u32 i;

	(void)gs;
	for (i = 0; i < sizeof(l4); i++)
		l4[i] = (__u8)rnd();
	switch (rnd_below(10)) {
	case 8:
	case 9:
		gen_ipv6(fr);
		return;
	case 0:					/* ARP, IPv6, anything */
		memset(fr->d, 0, sizeof(fr->d));
		memcpy(fr->d, MAC_ENS33, 6);
		put16(fr->d + 12, chance(50) ? 0x0806 : (chance(50) ? 0x86dd : (__u16)rnd()));
		memcpy(fr->d + 14, l4, sizeof(l4));
		fr->len = 14 + rnd_below(60);
		return;
	case 1:					/* VLAN-tagged */
		gen_client(&g, pool_source(), (__u16)rnd());
		g.flags = F_SYN;
		build_tcp(fr, &g);
		memmove(fr->d + 16, fr->d + 12, fr->len - 12);
		put16(fr->d + 12, chance(50) ? 0x8100 : 0x88a8);
		put16(fr->d + 14, 218);
		fr->len += 4;
		return;
	case 2:					/* UDP to the VIP */
		build_ip(fr, MAC_ENS33, 17, pool_source(), VIP_IP, 64, 0, l4, 8 + rnd_below(40));
		return;
	case 3:					/* a fragment */
		gen_client(&g, pool_source(), (__u16)rnd());
		g.flags = F_SYN;
		build_tcp(fr, &g);
		put16(fr->d + ETH + 6, chance(50) ? 0x2000 : (__u16)(1 + rnd_below(0x1fff)));
		return;
	case 4:					/* to the node, or elsewhere */
		gen_client(&g, pool_source(), (__u16)rnd());
		g.dst = chance(50) ? NODE_IP : CTRL2_IP;
		g.dport = chance(50) ? 22 : (__u16)rnd();
		g.flags = F_SYN;
		build_tcp(fr, &g);
		return;
	case 5:					/* another host's frame */
		gen_client(&g, pool_source(), (__u16)rnd());
		g.dmac = MAC_CTRL2;
		g.flags = F_SYN;
		build_tcp(fr, &g);
		return;
	case 6:					/* the VIP, another port */
		gen_client(&g, pool_source(), (__u16)rnd());
		g.dport = chance(50) ? 443 : (__u16)rnd();
		g.flags = F_SYN;
		build_tcp(fr, &g);
		return;
	default:				/* the local backend's own tuple, answered */
		gen_client(&g, NODE_IP, API_PORT);
		if (gs->n_pool) {
			struct pool_flow *p = &gs->pool[rnd_below(gs->n_pool)];

			g.dst = chance(50) ? VIP_IP : p->src;
			g.dport = p->sport;
		}
		g.flags = F_ACK;
		build_tcp(fr, &g);
		return;
	}
}

/* One to four mutations of a frame: bits, bytes, lengths, the end. */
static void mutate(struct frame *fr)
{
	__u32 n = 1 + rnd_below(4), i, at;

	for (i = 0; i < n; i++) {
		switch (rnd_below(7)) {
		case 0:				/* a bit in the headers */
			at = rnd_below(fr->len < 80 ? fr->len : 80);
			fr->d[at] ^= (__u8)(1 << rnd_below(8));
			break;
		case 1:				/* a byte anywhere */
			fr->d[rnd_below(fr->len)] = (__u8)rnd();
			break;
		case 2:				/* cut */
			fr->len = 14 + rnd_below(fr->len - 13);
			break;
		case 3:				/* grown: padding of junk */
			at = rnd_below(64);
			if (fr->len + at <= DF_FRAME_MAX) {
				while (at--)
					fr->d[fr->len++] = (__u8)rnd();
			}
			break;
		case 4:				/* IP total length */
			if (fr->len >= ETH + 4)
				put16(fr->d + ETH + 2, chance(50) ? (__u16)rnd() :
				      (__u16)(get16(fr->d + ETH + 2) + rnd_below(9) - 4));
			break;
		case 5:				/* IHL or data offset */
			if (fr->len > ETH)
				fr->d[ETH] = (__u8)((fr->d[ETH] & 0xf0) | rnd_below(16));
			if (chance(50) && fr->len > ETH + 20 + 12)
				fr->d[ETH + 20 + 12] = (__u8)(rnd_below(16) << 4);
			break;
		default:			/* TCP flags */
			if (fr->len > ETH + 20 + 13)
				fr->d[ETH + 20 + 13] ^= (__u8)(1 << rnd_below(8));
			break;
		}
	}
}

static void gen_frame(struct gen *gs, const struct model *m, struct frame *fr)
{
	__u32 p = rnd_below(100);

	if (p < 14 || !gs->n_pool)
		gen_syn(gs, fr);
	else if (p < 50)
		gen_follow(gs, m, fr);
	else if (p < 58)
		gen_icmp(gs, fr);
	else if (p < 66)
		gen_other(gs, fr);
	else {
		__u32 q = rnd_below(10);

		if (q < 3)
			gen_syn(gs, fr);
		else if (q < 7)
			gen_follow(gs, m, fr);
		else if (q < 9)
			gen_icmp(gs, fr);
		else
			gen_other(gs, fr);
		mutate(fr);
	}
}

/* --- the run ----------------------------------------------------------------- */

struct got_events {
	struct khaxdp_flow_event ev[8];
	int n;
};

static int on_event(void *ctx, void *data, size_t size)
{
	struct got_events *g = ctx;

	if (size == sizeof(struct khaxdp_flow_event) && g->n < 8)
		memcpy(&g->ev[g->n], data, size);
	g->n++;
	return 0;
}

static void dump_frame(const char *what, const __u8 *d, __u32 len)
{
	__u32 i;

	printf("    %s (%u bytes):", what, len);
	for (i = 0; i < len; i++)
		printf("%s%02x", i % 16 ? " " : "\n      ", d[i]);
	printf("\n");
}

/* Does what came out match the model's frame? Checksum fields the model
 * computed compare as one's complement numbers; every other byte exactly. */
static bool frames_match(const struct verdict *x, const __u8 *got, __u32 len)
{
	__u8 a[DF_FRAME_MAX], b[DF_FRAME_MAX];
	int i;

	memcpy(a, x->out, len);
	memcpy(b, got, len);
	for (i = 0; i < x->n_csum; i++) {
		__u32 at = x->csum_at[i];

		if (at + 2 > len || !csum_same(get16(a + at), get16(b + at)))
			return false;
		a[at] = b[at] = 0;
		a[at + 1] = b[at + 1] = 0;
	}
	return !memcmp(a, b, len);
}

static bool events_match(const struct model *m, const struct got_events *g)
{
	int i;

	if (g->n != m->n_ev)
		return false;
	for (i = 0; i < g->n; i++) {
		const struct khaxdp_flow_event *e = &g->ev[i];
		const struct expect_ev *x = &m->ev[i];

		if (e->type != x->type || e->key.src.v4 != x->src ||
		    e->key.sport != htons(x->sport) || e->key.dst.v4 != VIP_IP ||
		    e->key.dport != htons(VIP_PORT) ||
		    e->backend.v4 != backend_ip(x->backend) ||
		    e->backend_port != htons(API_PORT) ||
		    e->mode != KHAXDP_MODE_DSR || e->flags != x->flags)
			return false;
	}
	return true;
}

/* After a frame that opened a local flow: the timestamp offset it took. */
static void read_ts_offset(struct fixture *fx, struct mflow *f)
{
	struct khaxdp_flow h;

	if (!fx_half_open(fx, f->src, f->sport, &h))
		f->half.ts_offset = h.ts_offset;
}

static void model_round(struct fixture *fx, struct model *m, bool active,
			bool hold)
{
	struct khaxdp_service svc;
	struct khaxdp_ring ring;
	struct khaxdp_vip vip = { .addr.v4 = VIP_IP, .port = htons(VIP_PORT),
				  .proto = IPPROTO_TCP, .family = KHAXDP_AF_INET };
	struct khaxdp_node n;
	__u32 key, i;

	fx_reset(fx);
	fx_set_active(fx, active);
	memset(m->flows, 0, DF_TABLE * sizeof(*m->flows));
	memset(m->sources, 0, DF_TABLE * sizeof(*m->sources));
	memset(m->stats, 0, sizeof(m->stats));
	m->active = active;
	m->cursor = fx_cursor(fx, 0);
	/* The ring user space wrote (the configuration, not the data
	 * plane's doing): control1, control2, control3. */
	if (!bpf_map_lookup_elem(fx->maps.services, &vip, &svc)) {
		key = khaxdp_ring_key(svc.id, svc.ring_slot);
		if (!bpf_map_lookup_elem(fx->maps.rings, &key, &ring)) {
			m->ring_n = ring.count < 3 ? ring.count : 3;
			for (i = 0; i < m->ring_n; i++)
				m->ring[i] = ring.backend[i];
		}
	}
	if (!fx_node(fx, &n)) {
		m->snat_min = n.snat_port_min;
		m->snat_max = n.snat_port_max;
		/* taken over now: the round (tens of ms) lies within the
		 * second of KHAXDP_TAKEOVER_HOLD_NS; else long ago */
		n.active_since_ns = hold ? now_coarse_ns() : 0;
		fx_put_node(fx, &n);
	}
	m->hold = active && hold;
}

static bool check_counters(struct fixture *fx, const struct model *m,
			   __u32 round)
{
	__u64 got[KHAXDP_STAT_MAX];
	bool ok = true;
	int i;

	fx_stats(fx, got);
	for (i = 0; i < KHAXDP_STAT_MAX; i++) {
		if (got[i] == m->stats[i])
			continue;
		test__failf(__FILE__, __LINE__,
			    "round %u: counter %s: expected %llu, got %llu",
			    round, kx_stat_name(i),
			    (unsigned long long)m->stats[i],
			    (unsigned long long)got[i]);
		ok = false;
	}
	return ok;
}

void test_xdp_diff(void)
{
	const char *s = getenv("KHAXDP_DIFF_FRAMES");
	__u64 frames = s ? strtoull(s, NULL, 10) : 1000000, done = 0;
	__u64 seed, verdicts[5] = { 0 };
	struct got_events got_ev;
	struct ring_buffer *rb = NULL;
	struct model m = { 0 };
	struct gen gs = { .next_port = 1024 };
	static struct verdict x;
	struct fixture fx;
	struct frame fr;
	__u8 out[DF_FRAME_MAX + 64];
	__u32 round = 0;
	bool ok = true;

	s = getenv("KHAXDP_DIFF_SEED");
	seed = s ? strtoull(s, NULL, 0) : (__u64)time(NULL);
	df_state = seed ? seed : 1;
	printf("    xdp_diff: seed %llu (KHAXDP_DIFF_SEED), %llu frames\n",
	       (unsigned long long)seed, (unsigned long long)frames);

	m.flows = calloc(DF_TABLE, sizeof(*m.flows));
	m.sources = calloc(DF_TABLE, sizeof(*m.sources));
	if (!ASSERT_OK_PTR(m.flows, "calloc") || !ASSERT_OK_PTR(m.sources, "calloc") ||
	    fx_init(&fx, NULL) || fx_fill(&fx, df_conf) ||
	    kx_node_set_flag(&fx.maps, KHAXDP_NODE_DSR_CONFIRM, true))
		goto out;
	rb = ring_buffer__new(fx.maps.flow_events, on_event, &got_ev, NULL);
	if (!ASSERT_OK_PTR(rb, "ring_buffer__new"))
		goto out;

	while (ok && done < frames) {
		__u32 i;

		model_round(&fx, &m, round % 8 != 7, round % 8 == 3);
		gs.n_pool = 0;
		for (i = 0; i < DF_ROUND && done < frames; i++, done++) {
			LIBBPF_OPTS(bpf_test_run_opts, opts);
			struct xdp_md ctx = { .ingress_ifindex = lab.ifindex };

			gen_frame(&gs, &m, &fr);
			if (fr.len < ETH)
				fr.len = ETH;
			ctx.data_end = fr.len;
			opts.data_in = fr.d;
			opts.data_size_in = fr.len;
			opts.data_out = out;
			opts.data_size_out = sizeof(out);
			opts.ctx_in = &ctx;
			opts.ctx_size_in = sizeof(ctx);
			opts.repeat = 1;
			if (!ASSERT_OK(bpf_prog_test_run_opts(fx.xdp, &opts), "test_run")) {
				ok = false;
				break;
			}
			model_xdp(&m, fr.d, fr.len, &x);
			if (m.opened_local) {
				/* the offset the SYN took from the clock: the
				 * delivery again, with it */
				struct view_saved *w = &m.opened_view;

				read_ts_offset(&fx, m.opened_local);
				memcpy(x.out, fr.d, fr.len);
				x.n_csum = 0;
				local_rewrite(&x, fr.d, w->ihl, w->tot, w->thl,
					      m.opened_local->half.ts_offset, w->serve);
			}
			got_ev.n = 0;
			ring_buffer__consume(rb);
			if ((int)opts.retval != x.action || opts.data_size_out != fr.len ||
			    !frames_match(&x, out, fr.len) || !events_match(&m, &got_ev)) {
				test__failf(__FILE__, __LINE__,
					    "frame %llu (seed %llu): expected %s (%s), %d event(s); got %s, %d event(s)",
					    (unsigned long long)done, (unsigned long long)seed,
					    xdp_verdict(x.action), m.why, m.n_ev,
					    xdp_verdict((int)opts.retval), got_ev.n);
				dump_frame("in", fr.d, fr.len);
				dump_frame("expected", x.out, fr.len);
				dump_frame("got", out, opts.data_size_out);
				ok = false;
				break;
			}
			if (opts.retval < 5)
				verdicts[opts.retval]++;
		}
		if (ok)
			ok = check_counters(&fx, &m, round);
		round++;
	}
	ASSERT_EQ(done, frames, "frames run, every one as the model said");
	printf("    xdp_diff: %llu frames in %u rounds, %d mismatches: "
	       "%llu passed, %llu dropped, %llu sent (XDP_TX)\n",
	       (unsigned long long)done, round, !ok,
	       (unsigned long long)verdicts[XDP_PASS],
	       (unsigned long long)verdicts[XDP_DROP],
	       (unsigned long long)verdicts[XDP_TX]);
out:
	ring_buffer__free(rb);
	fx_fini(&fx);
	free(m.flows);
	free(m.sources);
}
