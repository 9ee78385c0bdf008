// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * vip.c - RTM_NEWADDR / RTM_DELADDR with an ACK, built with libmnl.
 *
 * Requests are synchronous: the kernel answers a local rtnetlink request
 * in microseconds, and the agent must know the address is there before it
 * sends gratuitous ARPs for it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "loader/util.h"
#include "vip.h"

int vip_nl_open(struct vip_nl *v)
{
	memset(v, 0, sizeof(*v));
	v->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	if (!v->nl)
		return kx_fail(-errno, "rtnetlink socket: %s", strerror(errno));
	if (mnl_socket_bind(v->nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		int err = -errno;

		vip_nl_close(v);
		return kx_fail(err, "rtnetlink bind: %s", strerror(-err));
	}
	v->portid = mnl_socket_get_portid(v->nl);
	v->seq = (uint32_t)time(NULL);
	return 0;
}

void vip_nl_close(struct vip_nl *v)
{
	if (v->nl)
		mnl_socket_close(v->nl);
	v->nl = NULL;
}

static struct nlmsghdr *addr_request(char *buf, struct vip_nl *v, int ifindex,
				     const struct vrrp_xvip *vip, bool add)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	bool v6 = vip->family == KHAXDP_AF_INET6;
	size_t len = v6 ? sizeof(vip->addr) : sizeof(vip->addr.v4);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = add ? RTM_NEWADDR : RTM_DELADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	if (add)
		nlh->nlmsg_flags |= NLM_F_CREATE | NLM_F_EXCL;
	nlh->nlmsg_seq = ++v->seq;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = v6 ? AF_INET6 : AF_INET;
	ifa->ifa_prefixlen = vip->prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned int)ifindex;
	mnl_attr_put(nlh, IFA_LOCAL, len, &vip->addr);
	mnl_attr_put(nlh, IFA_ADDRESS, len, &vip->addr);
	/* No duplicate address detection: the VIP is ours the moment the
	 * election says so (its neighbour advertisements follow). And
	 * deprecated at once (preferred lifetime 0), as keepalived adds it:
	 * still taking what is sent to it, but never chosen as the source of
	 * the node's own connections (RFC 6724, rule 3). Otherwise, in the
	 * node's /64 beside its own address, it may be, and a health check
	 * or a kubelet connection from the VIP breaks when it moves. */
	if (v6 && add) {
		struct ifa_cacheinfo ci = { .ifa_prefered = 0,
					    .ifa_valid = 0xffffffffU };

		mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
		mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
	}
	return nlh;
}

int vip_set(struct vip_nl *v, int ifindex, const struct vrrp_xvip *vip,
	    bool add, bool *changed)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	char ip[INET6_ADDRSTRLEN];
	struct nlmsghdr *nlh = addr_request(buf, v, ifindex, vip, add);
	ssize_t n;
	int ret;

	*changed = false;
	inet_ntop(vip->family == KHAXDP_AF_INET6 ? AF_INET6 : AF_INET,
		  &vip->addr, ip, sizeof(ip));
	if (mnl_socket_sendto(v->nl, nlh, nlh->nlmsg_len) < 0)
		return kx_fail(-errno, "%s %s/%u: rtnetlink send: %s",
			       add ? "add" : "remove", ip, vip->prefix,
			       strerror(errno));
	n = mnl_socket_recvfrom(v->nl, buf, sizeof(buf));
	if (n < 0)
		return kx_fail(-errno, "%s %s/%u: rtnetlink: %s",
			       add ? "add" : "remove", ip, vip->prefix,
			       strerror(errno));
	ret = mnl_cb_run(buf, (size_t)n, nlh->nlmsg_seq, v->portid, NULL, NULL);
	if (ret >= 0) {
		*changed = true;
		return 0;
	}
	if ((add && errno == EEXIST) || (!add && errno == EADDRNOTAVAIL))
		return 0;
	return kx_fail(-errno, "%s %s/%u: %s", add ? "add" : "remove", ip,
		       vip->prefix, strerror(errno));
}
