// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* link.c - sockets and interface queries for the agent. */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/if_packet.h>
#include <linux/rtnetlink.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "advert.h"
#include "link.h"
#include "loader/util.h"

static int sockopt(int fd, int level, int name, const void *val,
		   socklen_t len, const char *what, const char *ifname)
{
	if (setsockopt(fd, level, name, val, len) < 0)
		return kx_fail(-errno, "%s: VRRP socket: %s: %s", ifname, what,
			       strerror(errno));
	return 0;
}

static int join_group(int fd, const char *ifname, int ifindex)
{
	struct ip_mreqn mreq = {
		.imr_multiaddr.s_addr = htonl(VRRP_MCAST_GROUP),
		.imr_ifindex = ifindex,
	};
	int off = 0;

	return sockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mreq, sizeof(mreq),
		       "join 224.0.0.18", ifname) ?:
	       sockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &mreq, sizeof(mreq),
		       "IP_MULTICAST_IF", ifname) ?:
	       sockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &off, sizeof(off),
		       "IP_MULTICAST_LOOP", ifname);
}

int link_vrrp_socket(const char *ifname, int ifindex, bool multicast)
{
	int fd, on = 1, err;

	fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    VRRP_IPPROTO);
	if (fd < 0)
		return kx_fail(-errno, "%s: VRRP socket: %s%s", ifname,
			       strerror(errno),
			       errno == EPERM ? " (needs CAP_NET_RAW: run as root)" : "");
	err = sockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		      (socklen_t)strlen(ifname) + 1, "bind to device", ifname) ?:
	      sockopt(fd, IPPROTO_IP, IP_HDRINCL, &on, sizeof(on),
		      "IP_HDRINCL", ifname);
	if (!err && multicast)
		err = join_group(fd, ifname, ifindex);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int link_vrrp_send(int fd, const void *pkt, size_t len, uint32_t daddr)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_addr.s_addr = daddr };

	if (sendto(fd, pkt, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

ssize_t link_vrrp_recv(int fd, void *buf, size_t cap)
{
	ssize_t n = recv(fd, buf, cap, 0);

	return n < 0 ? -errno : n;
}

int link_vrrp6_socket(const char *ifname, int ifindex, bool multicast)
{
	struct ipv6_mreq mreq = { .ipv6mr_interface = (unsigned int)ifindex };
	int fd, on = 1, off = 0, hops = VRRP_TTL, err;

	fd = socket(AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC,
		    VRRP_IPPROTO);
	if (fd < 0)
		return kx_fail(-errno, "%s: VRRP socket (IPv6): %s%s", ifname,
			       strerror(errno),
			       errno == EPERM ? " (needs CAP_NET_RAW: run as root)" : "");
	inet_pton(AF_INET6, VRRP_MCAST6_GROUP, &mreq.ipv6mr_multiaddr);
	err = sockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, ifname,
		      (socklen_t)strlen(ifname) + 1, "bind to device", ifname) ?:
	      sockopt(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof(on),
		      "IPV6_RECVHOPLIMIT", ifname) ?:
	      sockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof(on),
		      "IPV6_RECVPKTINFO", ifname) ?:
	      sockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof(hops),
		      "IPV6_MULTICAST_HOPS", ifname) ?:
	      sockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof(hops),
		      "IPV6_UNICAST_HOPS", ifname) ?:
	      sockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &ifindex,
		      sizeof(ifindex), "IPV6_MULTICAST_IF", ifname) ?:
	      sockopt(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, &off, sizeof(off),
		      "IPV6_MULTICAST_LOOP", ifname);
	if (!err && multicast)
		err = sockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &mreq,
			      sizeof(mreq), "join ff02::12", ifname);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}

int link_vrrp6_send(int fd, int ifindex, const void *msg, size_t len,
		    const void *src, const void *dst)
{
	struct sockaddr_in6 to = { .sin6_family = AF_INET6,
				   .sin6_scope_id = (uint32_t)ifindex };
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} ctl;
	struct iovec iov = { .iov_base = (void *)msg, .iov_len = len };
	struct msghdr mh = {
		.msg_name = &to, .msg_namelen = sizeof(to),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl.buf, .msg_controllen = sizeof(ctl.buf),
	};
	struct cmsghdr *c;
	struct in6_pktinfo pi = { .ipi6_ifindex = (unsigned int)ifindex };

	memset(&ctl, 0, sizeof(ctl));
	memcpy(&to.sin6_addr, dst, 16);
	/* Our source: the interface's link-local address (RFC 5798 §5.1.2.1). */
	memcpy(&pi.ipi6_addr, src, 16);
	c = CMSG_FIRSTHDR(&mh);
	c->cmsg_level = IPPROTO_IPV6;
	c->cmsg_type = IPV6_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	if (sendmsg(fd, &mh, 0) < 0)
		return -errno;
	return 0;
}

ssize_t link_vrrp6_recv(int fd, void *buf, size_t cap, uint8_t src[16],
			uint8_t dst[16], int *hop_limit)
{
	struct sockaddr_in6 from;
	char ctl[CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(struct in6_pktinfo))];
	struct iovec iov = { .iov_base = buf, .iov_len = cap };
	struct msghdr mh = {
		.msg_name = &from, .msg_namelen = sizeof(from),
		.msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = ctl, .msg_controllen = sizeof(ctl),
	};
	struct cmsghdr *c;
	ssize_t n = recvmsg(fd, &mh, 0);

	if (n < 0)
		return -errno;
	*hop_limit = -1;
	memset(dst, 0, 16);
	memcpy(src, &from.sin6_addr, 16);
	for (c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != IPPROTO_IPV6)
			continue;
		if (c->cmsg_type == IPV6_HOPLIMIT &&
		    c->cmsg_len >= CMSG_LEN(sizeof(int)))
			memcpy(hop_limit, CMSG_DATA(c), sizeof(int));
		else if (c->cmsg_type == IPV6_PKTINFO &&
			 c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo)))
			memcpy(dst, CMSG_DATA(c) +
			       offsetof(struct in6_pktinfo, ipi6_addr), 16);
	}
	return n;
}


int link_arp_socket(int ifindex)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ARP),
		.sll_ifindex = ifindex,
	};
	int fd;

	/* Protocol 0: we only send, nothing is queued for us to read. */
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return kx_fail(-errno, "ARP socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll)) < 0) {
		int err = -errno;

		close(fd);
		return kx_fail(err, "ARP socket: bind: %s", strerror(-err));
	}
	return fd;
}

int link_send_garp(int fd, int ifindex, const uint8_t mac[6], uint32_t ip)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	/* Ethernet (14) + ARP (28), padded to the 60-byte minimum frame. */
	uint8_t f[60] = { 0 };
	uint8_t *arp = f + 14;
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_ARP),
		.sll_ifindex = ifindex,
		.sll_halen = 6,
	};

	memcpy(to.sll_addr, bcast, 6);
	memcpy(f, bcast, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x08;
	f[13] = 0x06;
	arp[1] = 1;		/* hardware: Ethernet */
	arp[2] = 0x08;		/* protocol: IPv4 */
	arp[4] = 6;
	arp[5] = 4;
	arp[7] = 1;		/* request, as keepalived (RFC 5227 announce) */
	memcpy(arp + 8, mac, 6);
	memcpy(arp + 14, &ip, 4);
	memcpy(arp + 24, &ip, 4);	/* target hardware address stays 0 */
	if (sendto(fd, f, sizeof(f), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

/* The Internet checksum (RFC 1071) of what is summed so far, folded. */
static uint16_t inet_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static uint32_t sum16(uint32_t sum, const uint8_t *b, size_t len)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)b[i] << 8 | b[i + 1];
	return sum;
}

int link_send_na(int fd, int ifindex, const uint8_t mac[6], const void *ip6)
{
	/* Ethernet (14) + IPv6 (40) + NA (24) + target link-layer option (8) */
	enum { NA_LEN = 24 + 8 };
	uint8_t f[14 + 40 + NA_LEN] = { 0 };
	uint8_t *ip = f + 14, *na = ip + 40;
	struct sockaddr_ll to = {
		.sll_family = AF_PACKET,
		.sll_protocol = htons(ETH_P_IPV6),
		.sll_ifindex = ifindex,
		.sll_halen = 6,
		.sll_addr = { 0x33, 0x33, 0, 0, 0, 1 },	/* ff02::1 */
	};
	static const uint8_t all_nodes[16] = { 0xff, 2, [15] = 1 };
	uint16_t csum;
	uint32_t sum;

	memcpy(f, to.sll_addr, 6);
	memcpy(f + 6, mac, 6);
	f[12] = 0x86;
	f[13] = 0xdd;
	ip[0] = 0x60;
	ip[5] = NA_LEN;		/* payload length */
	ip[6] = 58;		/* ICMPv6 */
	ip[7] = 255;		/* hop limit: a receiver checks it */
	memcpy(ip + 8, ip6, 16);
	memcpy(ip + 24, all_nodes, 16);
	na[0] = 136;		/* neighbour advertisement */
	na[4] = 0x20;		/* Override: replace what caches hold */
	memcpy(na + 8, ip6, 16);	/* target */
	na[24] = 2;		/* target link-layer address, */
	na[25] = 1;		/* 8 bytes */
	memcpy(na + 26, mac, 6);
	/* Over the pseudo-header: addresses, length, next header. */
	sum = sum16(0, ip + 8, 32) + NA_LEN + 58;
	csum = htons(inet_fold(sum16(sum, na, NA_LEN)));
	memcpy(na + 2, &csum, 2);
	if (sendto(fd, f, sizeof(f), 0, (struct sockaddr *)&to, sizeof(to)) < 0)
		return -errno;
	return 0;
}

/* One socket for the interface ioctls, opened once: the link is looked
 * at every check (up to 10 times a second). */
static int ifreq_ioctl(const char *ifname, unsigned long req, struct ifreq *ifr)
{
	static int fd = -1;

	memset(ifr, 0, sizeof(*ifr));
	if (kx_snprintf(ifr->ifr_name, sizeof(ifr->ifr_name), "%s", ifname))
		return kx_fail(-ENAMETOOLONG, "%s: name too long", ifname);
	if (fd < 0)
		fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return kx_fail(-errno, "%s: socket: %s", ifname, strerror(errno));
	if (ioctl(fd, req, ifr) < 0)
		return kx_fail(-errno, "%s: %s", ifname, strerror(errno));
	return 0;
}

int link_ifindex(const char *ifname)
{
	struct ifreq ifr;

	return ifreq_ioctl(ifname, SIOCGIFINDEX, &ifr) ? 0 : ifr.ifr_ifindex;
}

int link_monitor_open(void)
{
	struct sockaddr_nl sa = {
		.nl_family = AF_NETLINK,
		.nl_groups = RTMGRP_LINK | RTMGRP_IPV4_IFADDR |
			     RTMGRP_IPV6_IFADDR,
	};
	int fd, err;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_ROUTE);
	if (fd < 0)
		return kx_fail(-errno, "rtnetlink: socket: %s", strerror(errno));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		err = -errno;
		close(fd);
		return kx_fail(err, "rtnetlink: bind: %s", strerror(-err));
	}
	return fd;
}

struct monitor_ctx {
	link_event_fn fn;
	void *ctx;
};

static int link_attr(const struct nlattr *a, void *data)
{
	struct link_event *e = data;

	if (mnl_attr_get_type(a) == IFLA_IFNAME &&
	    mnl_attr_validate(a, MNL_TYPE_NUL_STRING) >= 0)
		snprintf(e->name, sizeof(e->name), "%s", mnl_attr_get_str(a));
	return MNL_CB_OK;
}

/* One message of the group: a link's state, or an address change. */
static int monitor_msg(const struct nlmsghdr *nlh, void *data)
{
	const struct monitor_ctx *m = data;
	struct link_event e = { 0 };

	if (nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK) {
		const struct ifinfomsg *ifi = mnl_nlmsg_get_payload(nlh);

		if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*ifi))
			return MNL_CB_OK;
		e.ifindex = ifi->ifi_index;
		e.gone = nlh->nlmsg_type == RTM_DELLINK;
		e.running = !e.gone && (ifi->ifi_flags & IFF_UP) &&
			    (ifi->ifi_flags & IFF_RUNNING);
		mnl_attr_parse(nlh, sizeof(*ifi), link_attr, &e);
	} else if (nlh->nlmsg_type == RTM_NEWADDR ||
		   nlh->nlmsg_type == RTM_DELADDR) {
		const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload(nlh);

		if (nlh->nlmsg_len < MNL_NLMSG_HDRLEN + sizeof(*ifa))
			return MNL_CB_OK;
		e.ifindex = (int)ifa->ifa_index;
		e.addr = true;
	} else {
		return MNL_CB_OK;
	}
	m->fn(&e, m->ctx);
	return MNL_CB_OK;
}

int link_monitor_read(int fd, link_event_fn fn, void *ctx)
{
	struct monitor_ctx m = { .fn = fn, .ctx = ctx };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	ssize_t n;

	for (;;) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return 0;
		if (n < 0)
			return -errno;	/* ENOBUFS: events were lost */
		if (n == 0)
			return 0;
		mnl_cb_run(buf, (size_t)n, 0, 0, monitor_msg, &m);
	}
}

int link_is_running(const char *ifname, bool *running)
{
	struct ifreq ifr;
	int err = ifreq_ioctl(ifname, SIOCGIFFLAGS, &ifr);

	if (!err)
		*running = (ifr.ifr_flags & IFF_UP) && (ifr.ifr_flags & IFF_RUNNING);
	return err;
}

