// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* packet.c - frames and checksums (see packet.h). */
#include <arpa/inet.h>
#include <string.h>
#include <linux/if_ether.h>

#include "packet.h"

/* --- packets ------------------------------------------------------------------ */

__u32 pkt_sum16(__u32 sum, const void *buf, size_t len)
{
	const __u8 *b = buf;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (__u32)b[i] << 8 | b[i + 1];
	if (len & 1)
		sum += (__u32)b[len - 1] << 8;
	return sum;
}

__u16 pkt_fold(__u32 sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

static __u32 tcp4_sum(const struct iphdr *ip)
{
	const __u8 *seg = (const __u8 *)ip + ip->ihl * 4;
	__u32 seg_len = ntohs(ip->tot_len) - ip->ihl * 4;
	__u32 sum = 0;

	sum = pkt_sum16(sum, &ip->saddr, 4);
	sum = pkt_sum16(sum, &ip->daddr, 4);
	sum += IPPROTO_TCP;
	sum += seg_len;
	return pkt_sum16(sum, seg, seg_len);
}

static __u32 tcp6_sum(const struct ipv6hdr *ip6)
{
	const __u8 *seg = (const __u8 *)(ip6 + 1);
	__u32 seg_len = ntohs(ip6->payload_len);
	__u32 sum = 0;

	sum = pkt_sum16(sum, &ip6->saddr, 16);
	sum = pkt_sum16(sum, &ip6->daddr, 16);
	sum += seg_len;		/* upper-layer length, 32 bits */
	sum += IPPROTO_TCP;	/* next header, 32 bits */
	return pkt_sum16(sum, seg, seg_len);
}

__u16 tcp6_csum_verify(const struct ipv6hdr *ip6)
{
	return pkt_fold(tcp6_sum(ip6));
}

__u16 tcp6_csum(const struct ipv6hdr *ip6)
{
	const struct tcphdr *tcp = (const void *)(ip6 + 1);
	__u32 sum = tcp6_sum(ip6);

	sum -= ntohs(tcp->check);
	return htons(~pkt_fold(sum) & 0xffff);
}

__u16 ip4_csum_verify(const struct iphdr *ip)
{
	return pkt_fold(pkt_sum16(0, ip, ip->ihl * 4));
}

__u16 tcp4_csum_verify(const struct iphdr *ip)
{
	return pkt_fold(tcp4_sum(ip));
}

void pkt_set_balanced(struct pkt *p)
{
	pkt_ip(p)->frag_off |= htons(0x8000);
	pkt_ip(p)->check = 0;
	pkt_ip(p)->check = ip4_csum(pkt_ip(p));
}

void pkt_set_ttl(struct pkt *p, __u8 ttl)
{
	pkt_ip(p)->ttl = ttl;
	pkt_ip(p)->check = ip4_csum(pkt_ip(p));
}

__u16 inet_csum(const void *buf, size_t len)
{
	return htons(~pkt_fold(pkt_sum16(0, buf, len)) & 0xffff);
}

__u16 ip4_csum(const struct iphdr *ip)
{
	__u32 sum = pkt_sum16(0, ip, ip->ihl * 4);

	sum -= ntohs(ip->check);	/* as if check were 0 */
	return htons(~pkt_fold(sum) & 0xffff);
}

__u16 tcp4_csum(const struct iphdr *ip)
{
	const struct tcphdr *tcp = (const void *)((const __u8 *)ip + ip->ihl * 4);
	__u32 sum = tcp4_sum(ip);

	sum -= ntohs(tcp->check);
	return htons(~pkt_fold(sum) & 0xffff);
}

static const __u8 syn_mss[4] = { 2, 4, 0x05, 0xb4 };	/* MSS 1460 */

/* The TCP header's length with the options the spec asks for. */
static __u32 tcp_hlen_of(const struct tcp_spec *s)
{
	return 20 + (s->flags & TCP_SYN ? sizeof(syn_mss) : 0) +
	       (s->flags & TCP_SYN && s->wscale ? 4 : 0) + (s->ts ? 12 : 0);
}

/* The TCP header, its options and payload (checksum left 0). */
static void tcp_build(struct tcphdr *tcp, const struct tcp_spec *s)
{
	__u32 tcp_hlen = tcp_hlen_of(s);

	tcp->source = htons(s->sport);
	tcp->dest = htons(s->dport);
	tcp->seq = htonl(s->seq);
	tcp->ack_seq = htonl(s->ack);
	tcp->doff = tcp_hlen / 4;
	tcp->fin = !!(s->flags & TCP_FIN);
	tcp->syn = !!(s->flags & TCP_SYN);
	tcp->rst = !!(s->flags & TCP_RST);
	tcp->psh = !!(s->flags & TCP_PSH);
	tcp->ack = !!(s->flags & TCP_ACK);
	tcp->window = htons(s->window ? s->window : 64240);
	if (s->flags & TCP_SYN)
		memcpy(tcp + 1, syn_mss, sizeof(syn_mss));
	if (s->flags & TCP_SYN && s->wscale) {
		__u8 *ws = (__u8 *)(tcp + 1) + sizeof(syn_mss);

		ws[0] = 1;		/* NOP */
		ws[1] = 3;		/* window scale */
		ws[2] = 3;
		ws[3] = s->wscale - 1;
	}
	if (s->ts) {
		/* Last: NOP, NOP, timestamps (or, with ts_odd, NOP,
		 * timestamps, NOP: the values at odd offsets). */
		__u8 *o = (__u8 *)tcp + tcp_hlen - 12;
		__be32 v = htonl(s->tsval), e = htonl(s->tsecr);
		__u8 *ts = o + (s->ts_odd ? 1 : 2);

		memset(o, 1, 12);
		ts[0] = 8;
		ts[1] = 10;
		memcpy(ts + 2, &v, 4);
		memcpy(ts + 6, &e, 4);
	}
	if (s->payload_len)
		memcpy((__u8 *)tcp + tcp_hlen, s->payload, s->payload_len);
}

/* Ethernet, to dmac (ens33) from smac (the client), of the type. */
static void eth_build(struct pkt *p, const struct tcp_spec *s, __u16 type)
{
	struct ethhdr *eth = (struct ethhdr *)p->data;

	memset(p, 0, sizeof(*p));
	memcpy(eth->h_dest, s->dmac ? s->dmac : MAC_ENS33, ETH_ALEN);
	memcpy(eth->h_source, s->smac ? s->smac : MAC_CLIENT, ETH_ALEN);
	eth->h_proto = htons(type);
}

static void pad(struct pkt *p, const struct tcp_spec *s)
{
	if (s->pad_to > p->len) {
		memset(p->data + p->len, 0xaa, s->pad_to - p->len);
		p->len = s->pad_to;
	}
}

void pkt_tcp4(struct pkt *p, const struct tcp_spec *s)
{
	__u32 ip_hlen = 20 + s->ip_opt_len;
	__u32 tcp_hlen = tcp_hlen_of(s);
	struct iphdr *ip;
	struct tcphdr *tcp;
	__u8 *opt;

	eth_build(p, s, ETH_P_IP);
	ip = pkt_ip(p);
	ip->version = 4;
	ip->ihl = ip_hlen / 4;
	ip->tos = 0;
	ip->tot_len = htons(ip_hlen + tcp_hlen + s->payload_len);
	ip->id = htons(0x1234);
	ip->frag_off = htons(0x4000);	/* DF */
	ip->ttl = s->ttl ? s->ttl : 64;
	ip->protocol = IPPROTO_TCP;
	ip->saddr = s->saddr;
	ip->daddr = s->daddr;
	opt = (__u8 *)(ip + 1);
	if (s->ip_opt_len) {
		memset(opt, 1, s->ip_opt_len);		/* NOP ... */
		opt[s->ip_opt_len - 1] = 0;		/* ... EOL */
	}
	tcp = (struct tcphdr *)((__u8 *)ip + ip_hlen);
	tcp_build(tcp, s);
	p->len = ETH_HLEN_ + ip_hlen + tcp_hlen + s->payload_len;
	pad(p, s);
	ip->check = ip4_csum(ip);
	tcp->check = tcp4_csum(ip);
}

void pkt_tcp6(struct pkt *p, const struct tcp_spec *s)
{
	__u32 tcp_hlen = tcp_hlen_of(s);
	struct ipv6hdr *ip6;
	struct tcphdr *tcp;
	__be32 first = htonl(6u << 28 | (s->flow_label & 0xfffff));

	eth_build(p, s, ETH_P_IPV6);
	ip6 = pkt_ipv6hdr(p);
	memcpy(ip6, &first, 4);
	ip6->payload_len = htons(tcp_hlen + s->payload_len);
	ip6->nexthdr = IPPROTO_TCP;
	ip6->hop_limit = s->ttl ? s->ttl : 64;
	ip6->saddr = s->saddr6;
	ip6->daddr = s->daddr6;
	tcp = (struct tcphdr *)(ip6 + 1);
	tcp_build(tcp, s);
	p->len = ETH_HLEN_ + 40 + tcp_hlen + s->payload_len;
	pad(p, s);
	tcp->check = tcp6_csum(ip6);
}

void pkt_ip4(struct pkt *p, const __u8 *dmac, __u8 proto, __be32 saddr,
	     __be32 daddr, const void *l4, __u32 l4_len, __u8 ttl)
{
	struct ethhdr *eth = (struct ethhdr *)p->data;
	struct iphdr *ip = pkt_ip(p);

	memset(p, 0, sizeof(*p));
	memcpy(eth->h_dest, dmac ? dmac : MAC_ENS33, ETH_ALEN);
	memcpy(eth->h_source, MAC_CLIENT, ETH_ALEN);
	eth->h_proto = htons(ETH_P_IP);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(20 + l4_len);
	ip->id = htons(0x4321);
	ip->ttl = ttl;
	ip->protocol = proto;
	ip->saddr = saddr;
	ip->daddr = daddr;
	memcpy(ip + 1, l4, l4_len);
	ip->check = ip4_csum(ip);
	p->len = ETH_HLEN_ + 20 + l4_len;
}

/* The sum over the IPv6 pseudo-header (next header nh) and the payload. */
static __u32 ip6_upper_sum(const struct ipv6hdr *ip6, __u8 nh)
{
	__u32 len = ntohs(ip6->payload_len), sum = 0;

	sum = pkt_sum16(sum, &ip6->saddr, 16);
	sum = pkt_sum16(sum, &ip6->daddr, 16);
	sum += len + nh;
	return pkt_sum16(sum, ip6 + 1, len);
}

__u16 icmp6_csum_verify(const struct ipv6hdr *ip6)
{
	return pkt_fold(ip6_upper_sum(ip6, 58));
}

void pkt_icmp6_error(struct pkt *p, const __u8 *dmac,
		     const struct in6_addr *src, const struct in6_addr *dst,
		     __u8 type, __u8 code, const void *quote, __u32 quote_len,
		     __u8 hop_limit)
{
	struct tcp_spec s = { .dmac = dmac };
	struct ipv6hdr *ip6;
	__u8 *icmp;
	__u16 sum;
	__be32 first = htonl(6u << 28), mtu = htonl(ICMP_ERROR_MTU);

	if (quote_len > 128)
		quote_len = 128;
	eth_build(p, &s, ETH_P_IPV6);
	ip6 = pkt_ipv6hdr(p);
	memcpy(ip6, &first, 4);
	ip6->payload_len = htons(8 + quote_len);
	ip6->nexthdr = 58;
	ip6->hop_limit = hop_limit;
	ip6->saddr = *src;
	ip6->daddr = *dst;
	icmp = (__u8 *)(ip6 + 1);
	icmp[0] = type;
	icmp[1] = code;
	if (type == ICMPV6_PKT_TOOBIG_)
		memcpy(icmp + 4, &mtu, 4);
	memcpy(icmp + 8, quote, quote_len);
	sum = htons(~pkt_fold(ip6_upper_sum(ip6, 58)) & 0xffff);
	memcpy(icmp + 2, &sum, 2);
	p->len = ETH_HLEN_ + 40 + 8 + quote_len;
}

struct tcp_spec client_spec(__be32 client, __u16 cport, __u8 flags)
{
	struct tcp_spec s = {
		.saddr = client,
		.daddr = VIP_IP,
		.sport = cport,
		.dport = VIP_PORT,
		.flags = flags,
		.seq = flags & TCP_SYN ? CLIENT_ISN : CLIENT_ISN + 1,
		.ack = flags & TCP_ACK ? SERVER_ISN + 1 : 0,
	};

	return s;
}

struct tcp_spec respec(struct tcp_spec s, const __u8 *smac,
			const __u8 *dmac, __be32 saddr, __u16 sport,
			__be32 daddr, __u16 dport)
{
	s.smac = smac;
	s.dmac = dmac;
	s.saddr = saddr;
	s.sport = sport;
	s.daddr = daddr;
	s.dport = dport;
	return s;
}

struct tcp_spec respec6(struct tcp_spec s, const __u8 *smac,
			const __u8 *dmac, const struct in6_addr *saddr,
			__u16 sport, const struct in6_addr *daddr, __u16 dport,
			__u8 ttl)
{
	s.smac = smac;
	s.dmac = dmac;
	s.saddr6 = *saddr;
	s.sport = sport;
	s.daddr6 = *daddr;
	s.dport = dport;
	s.ttl = ttl;
	return s;
}

void pkt_icmp4_error(struct pkt *p, const __u8 *dmac, __be32 src, __be32 dst,
		     __u8 code, const void *quote, __u32 quote_len, __u8 ttl)
{
	__u8 l4[8 + 128] = { 3 /* destination unreachable */, code, 0, 0, 0, 0,
			     ICMP_ERROR_MTU >> 8, ICMP_ERROR_MTU & 0xff };
	__u16 sum;

	if (quote_len > 128)
		quote_len = 128;
	memcpy(l4 + 8, quote, quote_len);
	sum = inet_csum(l4, 8 + quote_len);
	memcpy(l4 + 2, &sum, 2);
	pkt_ip4(p, dmac, IPPROTO_ICMP, src, dst, l4, 8 + quote_len, ttl);
}

void pkt_ip6(struct pkt *p, const __u8 *exts, int n_exts, __u8 last)
{
	__u8 *ip6 = p->data + ETH_HLEN_, *nh = ip6 + 6;
	__u32 off = 40;
	int i;

	memset(p, 0, sizeof(*p));
	memcpy(p->data, MAC_ENS33, 6);
	memcpy(p->data + 6, MAC_CLIENT, 6);
	p->data[12] = 0x86;
	p->data[13] = 0xdd;
	ip6[0] = 0x60;
	ip6[7] = 64;				/* hop limit */
	ip6[8] = 0x20;				/* 2001:db8::11 -> 2001:db8::189 */
	ip6[9] = 0x01;
	ip6[10] = 0x0d;
	ip6[11] = 0xb8;
	ip6[23] = 0x11;
	memcpy(ip6 + 24, ip6 + 8, 8);
	ip6[38] = 0x01;
	ip6[39] = 0x89;
	for (i = 0; i < n_exts; i++) {
		*nh = exts[i];
		nh = ip6 + off;
		off += 8;			/* length 0: 8 bytes */
	}
	*nh = last;
	ip6[off] = 0x9c;			/* source port 40000 */
	ip6[off + 1] = 0x40;
	ip6[off + 2] = VIP_PORT >> 8;
	ip6[off + 3] = VIP_PORT & 0xff;
	ip6[off + 12] = 5 << 4;			/* data offset 20 */
	ip6[off + 13] = TCP_SYN;
	off += 20;
	ip6[4] = (off - 40) >> 8;
	ip6[5] = (off - 40) & 0xff;
	p->len = ETH_HLEN_ + off;
}
