// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/* net.c - addresses of this host, neighbour priming, TC filter count. */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <linux/netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "net.h"
#include "util.h"

int kx_if_mac(const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr = {};
	int fd, err = 0;

	if (kx_snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname))
		return kx_fail(-ENAMETOOLONG, "%s: name too long", ifname);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return kx_fail(-errno, "socket: %s", strerror(errno));
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		err = kx_fail(-errno, "%s: read MAC address: %s", ifname,
			      strerror(errno));
	else if (ifr.ifr_hwaddr.sa_family != ARPHRD_ETHER)
		err = kx_fail(-EPROTONOSUPPORT, "%s: not an Ethernet interface",
			      ifname);
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return err;
}

int kx_if_ipv4_except(const char *ifname, const uint32_t *skip,
		      unsigned int n_skip, uint32_t *addr_be)
{
	struct ifaddrs *ifa, *i;

	*addr_be = 0;
	if (getifaddrs(&ifa) < 0)
		return kx_fail(-errno, "getifaddrs: %s", strerror(errno));
	for (i = ifa; i && !*addr_be; i = i->ifa_next) {
		uint32_t a;
		unsigned int k;

		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET ||
		    strcmp(i->ifa_name, ifname))
			continue;
		a = ((struct sockaddr_in *)i->ifa_addr)->sin_addr.s_addr;
		for (k = 0; k < n_skip && skip[k] != a; k++)
			;
		if (k == n_skip)
			*addr_be = a;
	}
	freeifaddrs(ifa);
	return 0;
}

int kx_if_ipv4(const char *ifname, const struct kx_config *cfg,
	       uint32_t *addr_be)
{
	uint32_t vips[KHAXDP_MAX_SERVICES];
	unsigned int n;
	int err;

	for (unsigned int i = n = 0; i < cfg->n_services; i++)
		if (cfg->services[i].listen.family == KHAXDP_AF_INET)
			vips[n++] = cfg->services[i].listen.addr.v4;
	err = kx_if_ipv4_except(ifname, vips, n, addr_be);
	if (!err && !*addr_be)
		err = kx_fail(-EADDRNOTAVAIL, "%s: no IPv4 address (other than a VIP) to use as the NAT source",
			      ifname);
	return err;
}

static bool is_vip6(const struct kx_config *cfg, const struct in6_addr *a)
{
	for (unsigned int i = 0; i < cfg->n_services; i++)
		if (cfg->services[i].listen.family == KHAXDP_AF_INET6 &&
		    !memcmp(&cfg->services[i].listen.addr, a, sizeof(*a)))
			return true;
	return false;
}

/* The first IPv6 address of ifname that is link-local (link_local) or
 * global and no VIP of cfg (a NULL cfg: none); all zero when none. */
static int if_ipv6(const char *ifname, bool link_local,
		   const struct kx_config *cfg, union khaxdp_addr *addr)
{
	struct ifaddrs *ifa, *i;
	bool found = false;

	memset(addr, 0, sizeof(*addr));
	if (getifaddrs(&ifa) < 0)
		return kx_fail(-errno, "getifaddrs: %s", strerror(errno));
	for (i = ifa; i && !found; i = i->ifa_next) {
		const struct in6_addr *a;

		if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET6 ||
		    strcmp(i->ifa_name, ifname))
			continue;
		a = &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr;
		if (link_local != !!IN6_IS_ADDR_LINKLOCAL(a) ||
		    IN6_IS_ADDR_LOOPBACK(a) || (cfg && is_vip6(cfg, a)))
			continue;
		memcpy(addr, a, sizeof(*addr));
		found = true;
	}
	freeifaddrs(ifa);
	return 0;
}

int kx_if_ipv6(const char *ifname, const struct kx_config *cfg,
	       union khaxdp_addr *addr)
{
	return if_ipv6(ifname, false, cfg, addr);
}

int kx_if_ipv6_link_local(const char *ifname, union khaxdp_addr *addr)
{
	return if_ipv6(ifname, true, NULL, addr);
}

/* Does the interface address sa hold ep's address? */
static bool sockaddr_is(const struct sockaddr *sa, const struct kx_endpoint *ep)
{
	if (ep->family == KHAXDP_AF_INET && sa->sa_family == AF_INET)
		return ((const struct sockaddr_in *)sa)->sin_addr.s_addr ==
		       ep->addr.v4;
	if (ep->family == KHAXDP_AF_INET6 && sa->sa_family == AF_INET6)
		return !memcmp(&((const struct sockaddr_in6 *)sa)->sin6_addr,
			       &ep->addr, sizeof(ep->addr));
	return false;
}

bool kx_is_local(const struct kx_endpoint *ep)
{
	struct ifaddrs *ifa, *i;
	bool local = false;

	if (getifaddrs(&ifa) < 0)
		return false;
	for (i = ifa; i && !local; i = i->ifa_next)
		local = i->ifa_addr && sockaddr_is(i->ifa_addr, ep);
	freeifaddrs(ifa);
	return local;
}

void kx_prime_neighbours(const struct kx_config *cfg)
{
	int fd4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int fd6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	for (unsigned int i = 0; i < cfg->n_services; i++) {
		const struct kx_service *svc = &cfg->services[i];

		for (unsigned int j = 0; j < svc->n_servers; j++) {
			struct kx_endpoint ep = svc->servers[j].ep;
			bool v6 = ep.family == KHAXDP_AF_INET6;
			struct sockaddr_storage ss;
			socklen_t len;

			ep.port = 9;	/* discard */
			len = kx_endpoint_sockaddr(&ep, &ss);
			if ((v6 ? fd6 : fd4) < 0 || kx_is_local(&ep))
				continue;
			/* Errors do not matter: the datagram only makes the
			 * kernel ask for the neighbour. */
			if (sendto(v6 ? fd6 : fd4, "", 0, MSG_DONTWAIT,
				   (struct sockaddr *)&ss, len) < 0)
				kx_debug("prime neighbour of %s: %s",
					 svc->servers[j].name, strerror(errno));
		}
	}
	if (fd4 >= 0)
		close(fd4);
	if (fd6 >= 0)
		close(fd6);
}

/* ---- rtnetlink: count TC filters --------------------------------------- */

static int tc_dump_request(int fd, int ifindex, uint32_t parent)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
	} req = {
		.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)),
		.nh.nlmsg_type = RTM_GETTFILTER,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.nh.nlmsg_seq = 1,
		.tc.tcm_family = AF_UNSPEC,
		.tc.tcm_ifindex = ifindex,
		.tc.tcm_parent = parent,
	};

	return send(fd, &req, req.nh.nlmsg_len, 0) < 0 ? -errno : 0;
}

/* Count the filters in one batch of replies; 1 when the dump is done. */
static int tc_count_batch(const char *buf, ssize_t len, uint32_t parent,
			  int *count)
{
	const struct nlmsghdr *nh = (const struct nlmsghdr *)buf;

	for (; NLMSG_OK(nh, len); nh = NLMSG_NEXT(nh, len)) {
		if (nh->nlmsg_type == NLMSG_DONE)
			return 1;
		if (nh->nlmsg_type == NLMSG_ERROR) {
			const struct nlmsgerr *e = NLMSG_DATA(nh);

			return e->error ? e->error : 1;
		}
		if (nh->nlmsg_type == RTM_NEWTFILTER) {
			const struct tcmsg *tc = NLMSG_DATA(nh);

			/* Each priority also dumps a head with handle 0. */
			if (tc->tcm_parent == parent && tc->tcm_handle)
				(*count)++;
		}
	}
	return 0;
}

int kx_tc_filter_count(int ifindex, uint32_t parent)
{
	char buf[16384];
	int fd, err, count = 0;
	ssize_t len;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	err = tc_dump_request(fd, ifindex, parent);
	while (!err) {
		len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0) {
			err = -errno;
			break;
		}
		err = tc_count_batch(buf, len, parent, &count);
	}
	close(fd);
	return err < 0 ? err : count;
}
