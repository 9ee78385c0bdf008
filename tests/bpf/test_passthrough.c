// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * Behaviour 8 (docs/design.md): everything not addressed to a VIP passes
 * byte for byte untouched, and is counted under its reason.
 */
#include <linux/if_ether.h>

#include "khaxdp_test.h"

#define IPPROTO_VRRP	112

static void arp(struct pkt *p)
{
	static const __u8 bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	__u8 *a = p->data + ETH_HLEN_;
	__be32 spa = CLIENT_IP, tpa = VIP_IP;

	memset(p, 0, sizeof(*p));
	memcpy(p->data, bcast, 6);
	memcpy(p->data + 6, MAC_CLIENT, 6);
	p->data[12] = 0x08;
	p->data[13] = 0x06;
	a[1] = 1;			/* Ethernet */
	a[2] = 0x08;			/* IPv4 */
	a[4] = 6;
	a[5] = 4;
	a[7] = 1;			/* request: who has the VIP? */
	memcpy(a + 8, MAC_CLIENT, 6);
	memcpy(a + 14, &spa, 4);
	memcpy(a + 24, &tpa, 4);
	p->len = 60;			/* padded to the minimum frame */
}

static void vrrp(struct pkt *p)
{
	static const __u8 mcast[6] = { 0x01, 0x00, 0x5e, 0x00, 0x00, 0x12 };
	__u8 adv[12] = { 0x31, 51, 101, 1, 0x00, 0x64, 0x00, 0x00 };
	__be32 vip = VIP_IP;

	memcpy(adv + 8, &vip, 4);
	pkt_ip4(p, mcast, IPPROTO_VRRP, CTRL2_IP, VRRP_GROUP_IP, adv,
		sizeof(adv), 255);
}

static void udp_to_vip(struct pkt *p)
{
	__u8 udp[16] = { 0x9c, 0x40, VIP_PORT >> 8, VIP_PORT & 0xff, 0, 16 };

	pkt_ip4(p, NULL, IPPROTO_UDP, CLIENT_IP, VIP_IP, udp, sizeof(udp), 64);
}

static void ipv6_syn(struct pkt *p)
{
	pkt_ip6(p, NULL, 0, IPPROTO_TCP);
}

/* A SYN to VIP:7443 inside an 802.1Q tag (VLAN 100). */
static void vlan_syn(struct pkt *p)
{
	struct tcp_spec s = client_spec(CLIENT_IP, 40000, TCP_SYN);
	struct pkt plain;

	pkt_tcp4(&plain, &s);
	memset(p, 0, sizeof(*p));
	memcpy(p->data, plain.data, 12);
	p->data[12] = 0x81;
	p->data[13] = 0x00;
	p->data[15] = 100;
	memcpy(p->data + 16, plain.data + 12, plain.len - 12);
	p->len = plain.len + 4;
}

static void tcp_pkt(struct pkt *p, __be32 saddr, __u16 sport, __be32 daddr,
		    __u16 dport, __u8 flags)
{
	struct tcp_spec s = client_spec(saddr, sport, flags);

	s.daddr = daddr;
	s.dport = dport;
	pkt_tcp4(p, &s);
}

/* Runs `in` and expects XDP_PASS, the frame untouched, RX and `reason`
 * counted once and nothing else, no flow. */
static void expect_pass(struct fixture *fx, const struct pkt *in, int reason)
{
	struct run r;

	if (!ASSERT_OK(run_xdp(fx, in, &r), "test_run"))
		return;
	ASSERT_VERDICT(&r, XDP_PASS, "verdict");
	ASSERT_UNTOUCHED(&r, in, "frame");
	ASSERT_STATS_ONLY(fx, KHAXDP_STAT_RX, reason);
	ASSERT_EQ(fx_count(fx->maps.flows), 0, "flows");
	ASSERT_EQ(fx_count(fx->maps.nat), 0, "nat entries");
}

/* --- the table ------------------------------------------------------------ */

static void ssh_to_node(struct pkt *p)
{
	tcp_pkt(p, CLIENT_IP, 51000, NODE_IP, 22, TCP_SYN);
}

/* Direct to this node's apiserver, not through the VIP. */
static void apiserver_on_node_ip(struct pkt *p)
{
	tcp_pkt(p, CLIENT_IP, 51001, NODE_IP, API_PORT, TCP_SYN);
}

/* The node's own connection to control2's apiserver from a local port
 * inside the SNAT range: the reply has no NAT entry and must reach the
 * node's socket untouched. */
static void own_traffic_in_snat_range(struct pkt *p)
{
	tcp_pkt(p, CTRL2_IP, API_PORT, NODE_IP, 45000, TCP_SYN | TCP_ACK);
}

static void vip_other_port(struct pkt *p)
{
	tcp_pkt(p, CLIENT_IP, 51002, VIP_IP, 22, TCP_SYN);
}

static void other_address_port_7443(struct pkt *p)
{
	tcp_pkt(p, CLIENT_IP, 51003, IP4(192, 168, 218, 190), VIP_PORT,
		TCP_SYN);
}

/* A switch floods frames for a master that vanished: the backups must not
 * answer the old master's clients. */
static void syn_for_another_hosts_mac(struct pkt *p)
{
	static const __u8 old_master[6] = { 2, 0, 0, 0, 1, 0x72 };
	struct tcp_spec s = client_spec(CLIENT_IP, 51004, TCP_SYN);

	s.dmac = old_master;
	pkt_tcp4(p, &s);
}

static const struct {
	const char *name;
	void (*build)(struct pkt *p);
	int reason;
} cases[] = {
#define CASE(name, reason) { #name, name, KHAXDP_STAT_##reason }
	CASE(arp, PASS_NOT_IP),
	CASE(vrrp, PASS_NOT_TCP),
	CASE(ssh_to_node, PASS_NOT_VIP),
	CASE(apiserver_on_node_ip, PASS_NOT_VIP),
	CASE(own_traffic_in_snat_range, PASS_NOT_VIP),
	/* parsed (tests/bpf/test_ipv6.c); no service is IPv6 yet */
	{ "ipv6", ipv6_syn, KHAXDP_STAT_PASS_NOT_VIP },
	{ "vlan", vlan_syn, KHAXDP_STAT_PASS_VLAN },
	CASE(vip_other_port, PASS_NOT_VIP),
	CASE(udp_to_vip, PASS_NOT_TCP),
	CASE(other_address_port_7443, PASS_NOT_VIP),
	CASE(syn_for_another_hosts_mac, PASS_OTHER_HOST),
#undef CASE
};

void test_passthrough(void)
{
	struct fixture fx;
	struct pkt p;

	if (fx_init(&fx, NULL) || fx_apiserver(&fx))
		goto out;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (!test__start_subtest(cases[i].name))
			continue;
		fx_reset(&fx);
		cases[i].build(&p);
		expect_pass(&fx, &p, cases[i].reason);
	}
out:
	fx_fini(&fx);
}
