// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * agent.c - carries out what the state machine decides, feeds it packets,
 * time and track conditions, and handles the signals.
 *
 * One line is logged per event (state changes come from fsm.c with their
 * reason, master and priority); bad adverts are counted per reason and
 * logged at most once per reason every DROP_LOG_INTERVAL.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "advert.h"
#include "agent.h"
#include "dataplane.h"
#include "health.h"
#include "link.h"
#include "loader/net.h"
#include "notify.h"
#include "stats_http.h"
#include "loader/util.h"

#define NS_PER_MS		1000000ull
#define DROP_LOG_INTERVAL	(10000 * NS_PER_MS)
/* Track conditions and the link are checked every advert interval, but
 * not more than 10 times a second nor less than once. */
#define CHECK_MIN		(100 * NS_PER_MS)
#define CHECK_MAX		(1000 * NS_PER_MS)

static void apply(struct instance *in, const struct vrrp_actions *out);


/* ---- the data plane's node state --------------------------------------------- */

/* Instances that carry a service's VIP of the family decide the node's
 * role for it; others (a VIP of something else) do not. */
static bool carries_service(const struct agent *ag, const struct instance *in,
			    uint8_t family)
{
	return in->running &&
	       vrrp_conf_carries_service(&ag->conf, &in->conf, family);
}

static bool any_master(const struct agent *ag, uint8_t family)
{
	for (unsigned int i = 0; i < VRRP_MAX_INSTANCES; i++)
		if (carries_service(ag, &ag->inst[i], family) &&
		    ag->inst[i].fsm.state == VRRP_MASTER)
			return true;
	return false;
}

static bool any_instance(const struct agent *ag, uint8_t family)
{
	for (unsigned int i = 0; i < VRRP_MAX_INSTANCES; i++)
		if (carries_service(ag, &ag->inst[i], family))
			return true;
	return false;
}

/* node.active (IPv4) and node.active6 follow "some instance that carries
 * the family's service VIPs is MASTER" (only an active node balances).
 * Written again whenever it differs, so an attach after the agent started
 * (which marks a new node active) is corrected at the next check. An
 * agent none of whose instances carries a service's VIP of a family
 * (health checks alone, or VRRP for other addresses) does not move that
 * VIP and leaves the family's role as attach set it. */
static void sync_active_family(struct agent *ag, uint8_t family)
{
	bool want = any_master(ag, family), changed;
	const char *fam = family == KHAXDP_AF_INET6 ? "IPv6" : "IPv4";
	int err;

	if (!any_instance(ag, family))
		return;
	/* Flow sync sends while this node balances: its IPv4 role decides
	 * (an IPv6-only agent, by the IPv6 one). */
	if (family == KHAXDP_AF_INET || !any_instance(ag, KHAXDP_AF_INET))
		agent_sync_set_active(&ag->sync, want);
	err = dp_set_active(ag->conf.bpffs, family, want, ag->takeover_hold,
			    &changed);
	if (err == -ENOENT)
		return;		/* not attached: nothing to tell */
	if (err) {
		kx_warn("data plane: %s", kx_last_error());
		return;
	}
	if (changed)
		kx_info("data plane: node %s for %s", want ? "active" : "standby",
			fam);
}

static void sync_active(struct agent *ag)
{
	sync_active_family(ag, KHAXDP_AF_INET);
	sync_active_family(ag, KHAXDP_AF_INET6);
}

/* ---- actions ------------------------------------------------------------------ */

static bool is_v6(const struct instance *in)
{
	return in->conf.family == KHAXDP_AF_INET6;
}

static int open_vrrp_socket(struct instance *in, int ifindex)
{
	if (is_v6(in))
		return link_vrrp6_socket(in->conf.interface, ifindex,
					 !in->conf.n_peers);
	return link_vrrp_socket(in->conf.interface, ifindex, !in->conf.n_peers);
}

/* Where an advert goes: a unicast peer, or the family's group. */
static struct vrrp_ip advert_dst(const struct instance *in, unsigned int i)
{
	uint8_t group6[16];

	if (in->conf.n_peers)
		return in->conf.peers[i];
	if (!is_v6(in))
		return vrrp_ip4(htonl(VRRP_MCAST_GROUP));
	inet_pton(AF_INET6, VRRP_MCAST6_GROUP, group6);
	return vrrp_ip6(group6);
}

static void send_advert(struct instance *in, uint8_t priority)
{
	const struct vrrp_instance_conf *c = &in->conf;
	uint8_t pkt[VRRP_MAX_PACKET];
	struct vrrp_tx tx = {
		.version = c->version, .vrid = c->vrid, .priority = priority,
		.adver_int_cs = c->adver_int_cs, .csum_form = c->csum_form,
		.auth_type = c->has_auth ? VRRP_AUTH_PASS : VRRP_AUTH_NONE,
		.src = in->src, .n_addrs = (uint8_t)c->n_vips,
		.addrs = in->vip_addrs,
	};
	unsigned int n_dst = c->n_peers ? c->n_peers : 1;
	ssize_t len;
	int err;

	if (!in->src.family)
		return;		/* no address: FAULT, nothing to say it from */
	memcpy(tx.auth_pass, c->auth_pass, VRRP_AUTH_LEN);
	for (unsigned int i = 0; i < n_dst; i++) {
		/* v3's pseudo-header sum covers the destination. */
		tx.dst = advert_dst(in, i);
		len = vrrp_advert_build(&tx, pkt, sizeof(pkt));
		if (len < 0)
			err = (int)len;
		else if (is_v6(in))
			err = link_vrrp6_send(in->sock, in->ifindex, pkt,
					      (size_t)len, tx.src.a, tx.dst.a);
		else
			err = link_vrrp_send(in->sock, pkt, (size_t)len,
					     vrrp_ip_v4(&tx.dst));
		if (err) {
			errno = -err;
			if (!in->tx_errors++)
				kx_warn("%s: send advert: %s", c->name,
					strerror(errno));
			continue;
		}
		in->tx++;
	}
}

/* A master that cannot hold its VIPs would keep the backups from taking
 * them: a failed add is a fault (for VIP_RETRY_NS, then tried again). */
#define VIP_RETRY_NS	(30000 * NS_PER_MS)

/* The instance's addresses, advertised and excluded alike, one by one. */
static unsigned int n_addrs(const struct vrrp_instance_conf *c)
{
	return c->n_vips + c->n_excluded;
}

static struct vrrp_xvip addr_at(const struct vrrp_instance_conf *c,
				unsigned int i)
{
	return i < c->n_vips ? c->vips[i] : c->excluded[i - c->n_vips];
}

static void set_vips(struct instance *in, bool add)
{
	const struct vrrp_instance_conf *c = &in->conf;
	char ip[INET6_ADDRSTRLEN];
	bool changed, failed = false;

	for (unsigned int i = 0; i < n_addrs(c); i++) {
		struct vrrp_xvip v = addr_at(c, i);

		inet_ntop(v.family == KHAXDP_AF_INET6 ? AF_INET6 : AF_INET,
			  &v.addr, ip, sizeof(ip));
		if (vip_set(&in->ag->nl, in->ifindex, &v, add, &changed)) {
			kx_warn("%s: %s: %s", c->name, c->interface,
				kx_last_error());
			if (add && !failed)
				snprintf(in->vip_error, sizeof(in->vip_error),
					 "cannot add %s/%u: %.32s", ip,
					 v.prefix, kx_last_error());
			failed = failed || add;
		} else if (changed)
			kx_info("%s: %s %s/%u %s %s", c->name,
				add ? "added" : "removed", ip, v.prefix,
				add ? "to" : "from", c->interface);
	}
	if (failed) {
		in->vip_error_at = ev_now();
		/* At once, after the actions under way (not inside them). */
		ev_timer_arm(&in->ag->loop, &in->check, in->vip_error_at);
	}
}

/* Gratuitous ARPs for the IPv4 addresses, unsolicited neighbour
 * advertisements for the IPv6 ones. */
static void send_garps(struct instance *in)
{
	const struct vrrp_instance_conf *c = &in->conf;

	for (unsigned int r = 0; r < c->garp_repeat; r++)
		for (unsigned int i = 0; i < n_addrs(c); i++) {
			struct vrrp_xvip v = addr_at(c, i);
			bool v6 = v.family == KHAXDP_AF_INET6;
			int err = v6 ? link_send_na(in->arp, in->ifindex,
						    in->mac, &v.addr) :
				       link_send_garp(in->arp, in->ifindex,
						      in->mac, v.addr.v4);

			if (err && r == 0 && i == 0)
				kx_warn("%s: %s on %s: %s", c->name,
					v6 ? "neighbour advertisement" :
					     "gratuitous ARP",
					c->interface, strerror(-err));
		}
}

static void run_hook(const struct instance *in, const char *cmd,
		     const char *const *extra)
{
	if (cmd[0] && notify_spawn(cmd, extra, ev_now()) < 0)
		kx_warn("%s: %s", in->conf.name, kx_last_error());
}

/* keepalived's order: the state's own hook, then `notify TYPE NAME STATE
 * PRIORITY`. */
static void notify(struct instance *in, enum vrrp_state s)
{
	const struct vrrp_instance_conf *c = &in->conf;
	enum vrrp_notify_kind kind = s == VRRP_MASTER ? VRRP_NOTIFY_MASTER :
				     s == VRRP_BACKUP ? VRRP_NOTIFY_BACKUP :
							VRRP_NOTIFY_FAULT;
	char prio[8];
	const char *args[] = { "INSTANCE", c->name, vrrp_state_str(s), prio,
			       NULL };

	snprintf(prio, sizeof(prio), "%u", in->fsm.priority);
	run_hook(in, c->notify[kind], NULL);
	run_hook(in, c->notify[VRRP_NOTIFY_ANY], args);
}

static void apply(struct instance *in, const struct vrrp_actions *out)
{
	if (out->log[0])
		kx_info("%s", out->log);
	for (unsigned int i = 0; i < out->n; i++) {
		const struct vrrp_action *a = &out->a[i];

		switch (a->type) {
		case VRRP_ACT_SEND_ADVERT:
			send_advert(in, a->arg);
			break;
		case VRRP_ACT_ADD_VIPS:
			set_vips(in, true);
			break;
		case VRRP_ACT_DEL_VIPS:
			set_vips(in, false);
			break;
		case VRRP_ACT_SEND_GARPS:
			send_garps(in);
			break;
		case VRRP_ACT_SET_ACTIVE:
			sync_active(in->ag);
			break;
		case VRRP_ACT_NOTIFY:
			notify(in, a->arg);
			break;
		}
	}
	ev_timer_arm(&in->ag->loop, &in->timer, vrrp_fsm_next(&in->fsm));
	agent_checks_publish(&in->ag->checks, in->ag);
}

/* ---- receive ------------------------------------------------------------------- */

static bool is_peer(const struct instance *in, const struct vrrp_ip *a)
{
	for (unsigned int i = 0; i < in->conf.n_peers; i++)
		if (vrrp_ip_eq(&in->conf.peers[i], a))
			return true;
	return false;
}

/* Adverts of other VRIDs are normal on a shared segment: counted, only
 * logged with -v. Others: the first, then one line per reason per 10 s. */
static void log_drop(struct instance *in, enum vrrp_rx r,
		     const struct vrrp_ip *src, uint64_t now)
{
	char ip[VRRP_IP_STRLEN] = "?";

	if (src->family)
		vrrp_ip_str(src, ip);
	if (r == VRRP_RX_VRID) {
		kx_debug("%s: dropped advert from %s: %s", in->conf.name, ip,
			 vrrp_rx_desc(r));
		return;
	}
	if (in->drop_logged_at[r] &&
	    now - in->drop_logged_at[r] < DROP_LOG_INTERVAL) {
		in->drop_unlogged[r]++;
		return;
	}
	kx_warn("%s: dropped advert from %s: %s (%s; %llu more since the last report)",
		in->conf.name, ip, vrrp_rx_desc(r), vrrp_rx_name(r),
		(unsigned long long)in->drop_unlogged[r]);
	in->drop_logged_at[r] = now;
	in->drop_unlogged[r] = 0;
}

/* One advert off the socket, checked: IPv4 (the datagram, header
 * included) or IPv6 (the message, its addresses and hop limit beside).
 * VRRP_RX_MAX: nothing more to read. *src: its sender, when known. */
static enum vrrp_rx receive_advert(const struct instance *in,
				   struct vrrp_advert *adv,
				   struct vrrp_ip *src)
{
	const struct vrrp_instance_conf *c = &in->conf;
	struct vrrp_expect exp = {
		.version = c->version, .vrid = c->vrid,
		.auth_type = c->has_auth ? VRRP_AUTH_PASS : VRRP_AUTH_NONE,
		.adver_int_cs = c->adver_int_cs, .n_addrs = (uint8_t)c->n_vips,
		.addrs = in->vip_addrs,
	};
	uint8_t pkt[2048], s6[16], d6[16];
	struct vrrp_ip dst;
	enum vrrp_rx r;
	int hops;
	ssize_t n;

	memset(src, 0, sizeof(*src));
	memcpy(exp.auth_pass, c->auth_pass, VRRP_AUTH_LEN);
	if (is_v6(in)) {
		n = link_vrrp6_recv(in->sock, pkt, sizeof(pkt), s6, d6, &hops);
		if (n < 0)
			return VRRP_RX_MAX;
		*src = vrrp_ip6(s6);
		dst = vrrp_ip6(d6);
		/* keepalived sends unicast over IPv6 with the default hop
		 * limit (64), and takes any: from a unicast_peer (checked
		 * below) it is not held against the advert. */
		if (c->n_peers)
			hops = VRRP_TTL;
		r = vrrp_advert6_parse(pkt, (size_t)n, src, &dst, hops, &exp,
				       adv);
	} else {
		n = link_vrrp_recv(in->sock, pkt, sizeof(pkt));
		if (n < 0)
			return VRRP_RX_MAX;
		if (n >= 16) {
			uint32_t a;

			memcpy(&a, pkt + 12, sizeof(a));
			*src = vrrp_ip4(a);
		}
		r = vrrp_advert_parse(pkt, (size_t)n, &exp, adv);
	}
	if (r)
		return r;
	if (vrrp_ip_eq(&adv->src, &in->src))
		return VRRP_RX_OWN;
	if (c->n_peers && !is_peer(in, &adv->src))
		return VRRP_RX_NOT_PEER;
	return VRRP_RX_OK;
}

static void on_readable(void *ctx)
{
	struct instance *in = ctx;
	struct vrrp_advert adv;
	struct vrrp_actions out;
	struct vrrp_ip src;
	enum vrrp_rx r;

	while (in->running &&
	       (r = receive_advert(in, &adv, &src)) != VRRP_RX_MAX) {
		uint64_t now = ev_now();

		in->rx[r]++;
		if (r) {
			log_drop(in, r, &src, now);
			continue;
		}
		vrrp_fsm_advert(&in->fsm, now, &adv, &out);
		apply(in, &out);
	}
}

/* ---- timers and checks ---------------------------------------------------------- */

/*
 * The node of a master that fell silent, to be probed: the advert's source
 * when it is a node's address (IPv4, or a global IPv6 unicast_src_ip). An
 * IPv6 instance's master speaks from a link-local address no backend has:
 * its node is then the flow sync peer heard last as the active node (its
 * messages not flagged STANDBY; one with flows sends a snapshot every
 * snapshot_interval).
 * False: not known (its backends go DOWN by their own checks).
 */
static bool failed_node(const struct agent *ag, const struct vrrp_ip *master,
			uint8_t *family, union khaxdp_addr *addr)
{
	struct vrrp_ip node = *master;
	struct in6_addr a6;

	memcpy(&a6, master->a, sizeof(a6));
	if (master->family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&a6) &&
	    !agent_sync_last_sender(&ag->sync, &node))
		return false;
	if (node.family != AF_INET && node.family != AF_INET6)
		return false;
	*family = node.family == AF_INET6 ? KHAXDP_AF_INET6 : KHAXDP_AF_INET;
	memset(addr, 0, sizeof(*addr));
	memcpy(addr, node.a, vrrp_ip_len(node.family));
	return true;
}

static void on_timer(void *ctx, uint64_t now)
{
	struct instance *in = ctx;
	enum vrrp_state before = in->fsm.state;
	struct vrrp_ip master = in->fsm.master_ip;
	struct vrrp_actions out;
	union khaxdp_addr node;
	uint8_t family;
	bool took_over;

	vrrp_fsm_timer(&in->fsm, now, &out);
	took_over = before == VRRP_BACKUP && in->fsm.state == VRRP_MASTER;
	/* Taking over from a master that is alive (its goodbye, a
	 * preemption): it sends its last flows now, and the data plane holds
	 * packets with no flow for a second. After one that fell silent
	 * nothing more comes: no hold. */
	in->ag->takeover_hold = took_over &&
		(in->fsm.takeover == VRRP_TAKEOVER_GOODBYE ||
		 in->fsm.takeover == VRRP_TAKEOVER_PREEMPT);
	apply(in, &out);
	in->ag->takeover_hold = false;
	/* The master fell silent: its apiserver is checked now, and its
	 * flows reset if it does not answer either. Not after a priority 0
	 * goodbye (a clean stop) or a preemption: that master's node is
	 * fine (probed under load it could time out, and its clients' flows
	 * be reset for nothing). */
	if (took_over && in->fsm.takeover == VRRP_TAKEOVER_SILENT &&
	    (carries_service(in->ag, in, KHAXDP_AF_INET) ||
	     carries_service(in->ag, in, KHAXDP_AF_INET6)) &&
	    in->ag->checks.health && failed_node(in->ag, &master, &family, &node))
		health_node_failed(in->ag->checks.health, family, &node);
}

static uint64_t check_period(const struct instance *in)
{
	uint64_t p = in->conf.adver_int_cs * VRRP_NS_PER_CS;

	return p < CHECK_MIN ? CHECK_MIN : p > CHECK_MAX ? CHECK_MAX : p;
}

/* Our source address: unicast_src_ip, else the interface's first IPv4
 * address that is not a VIP; an IPv6 instance's is the interface's
 * link-local address (RFC 5798 §5.1.2.1). Family 0: none. */
static struct vrrp_ip find_src(struct instance *in)
{
	uint32_t a = 0, vips[VRRP_MAX_ADDRS];
	static const union khaxdp_addr zero;
	union khaxdp_addr ll;
	struct vrrp_ip none = { 0 };

	if (in->conf.unicast_src.family)
		return in->conf.unicast_src;
	if (is_v6(in))
		return kx_if_ipv6_link_local(in->conf.interface, &ll) ||
		       !memcmp(&ll, &zero, sizeof(ll)) ? none : vrrp_ip6(&ll);
	memcpy(vips, in->vip_addrs, sizeof(vips));
	if (kx_if_ipv4_except(in->conf.interface, vips, in->conf.n_vips, &a))
		kx_warn("%s: %s", in->conf.name, kx_last_error());
	return a ? vrrp_ip4(a) : none;
}

/* Why the instance cannot run now ("" if it can). */
static void fault_reason(struct instance *in, char *buf, size_t len)
{
	const struct vrrp_instance_conf *c = &in->conf;
	bool running = false;

	buf[0] = '\0';
	if (!in->ifindex || in->sock < 0)
		snprintf(buf, len, "%s is gone", c->interface);
	else if (in->link_known ? !in->link_running :
		 link_is_running(c->interface, &running) || !running)
		snprintf(buf, len, "%s is down", c->interface);
	else if (!in->src.family)
		snprintf(buf, len, "%s has no %s address", c->interface,
			 is_v6(in) ? "IPv6 link-local" : "IPv4");
	else if (c->track_dataplane && c->track_weight == 0 && !in->dp_attached)
		snprintf(buf, len, "data plane not attached on %s (track_dataplane weight 0)",
			 c->interface);
	else if (in->vip_error[0] && ev_now() - in->vip_error_at < VIP_RETRY_NS)
		snprintf(buf, len, "%s", in->vip_error);
}

static uint8_t effective_priority(const struct instance *in)
{
	const struct vrrp_instance_conf *c = &in->conf;
	int w = 0;

	if (c->track_dataplane && c->track_weight > 0 && in->dp_attached)
		w = c->track_weight;
	if (c->track_dataplane && c->track_weight < 0 && !in->dp_attached)
		w = c->track_weight;
	return vrrp_effective_priority(c->priority, w);
}

static struct vrrp_fsm_params fsm_params(const struct instance *in)
{
	const struct vrrp_instance_conf *c = &in->conf;
	struct vrrp_fsm_params p = {
		.version = c->version, .adver_int_cs = c->adver_int_cs,
		.preempt = c->preempt,
		.preempt_delay_ns = c->preempt_delay_ms * NS_PER_MS,
		.garp_delay_ns = c->garp_delay_ms * NS_PER_MS,
		.primary_ip = in->src,
	};

	snprintf(p.name, sizeof(p.name), "%s", c->name);
	return p;
}

/* Look at the world: link, address, data plane; tell the machine. */
/* The interface went away (idx 0), or is back as another one (deleted and
 * created again): the sockets follow it; FAULT while it is gone. */
static void close_sockets(struct instance *in)
{
	ev_watch_del(&in->ag->loop, &in->watch);
	if (in->sock >= 0)
		close(in->sock);
	if (in->arp >= 0)
		close(in->arp);
	in->sock = in->arp = -1;
}

static void relink(struct instance *in, int idx)
{
	const struct vrrp_instance_conf *c = &in->conf;

	close_sockets(in);
	in->ifindex = idx;
	in->src_checked = 0;
	in->src_stale = true;
	if (!idx) {
		kx_warn("%s: %s is gone: FAULT until it is back", c->name,
			c->interface);
		return;
	}
	if (kx_if_mac(c->interface, in->mac))
		kx_warn("%s: %s", c->name, kx_last_error());
	in->sock = open_vrrp_socket(in, idx);
	in->arp = in->sock >= 0 ? link_arp_socket(idx) : -1;
	if (in->sock < 0 || in->arp < 0 ||
	    ev_watch_add(&in->ag->loop, &in->watch, in->sock, on_readable, in)) {
		kx_warn("%s: %s is back (ifindex %d), its sockets not: %s",
			c->name, c->interface, idx, kx_last_error());
		return;
	}
	kx_info("%s: %s is back (ifindex %d): sockets reopened", c->name,
		c->interface, idx);
}

static void check_now(struct instance *in, uint64_t now)
{
	struct vrrp_fsm_params p;
	struct vrrp_actions out;
	char reason[96];
	bool attached;
	struct vrrp_ip src;
	int idx = in->link_known ? in->link_idx :
				   link_ifindex(in->conf.interface);

	if (idx != in->ifindex)
		relink(in, idx);
	src = in->src;
	/* The interface's addresses (a netlink dump): when an event says
	 * they changed, at every check while there is none; without events,
	 * once a second. */
	if (!src.family || in->src_stale ||
	    (!in->link_known && now - in->src_checked >= 1000 * NS_PER_MS)) {
		src = find_src(in);
		in->src_checked = now;
		in->src_stale = false;
	}
	if (!vrrp_ip_eq(&src, &in->src)) {
		in->src = src;
		p = fsm_params(in);
		vrrp_fsm_update(&in->fsm, &p);
	}
	attached = in->conf.track_dataplane && dp_attached(in->ifindex,
							   in->ag->conf.bpffs);
	if (attached != in->dp_attached) {
		in->dp_attached = attached;
		vrrp_fsm_set_priority(&in->fsm, now, effective_priority(in),
				      attached ? "data plane attached" :
						 "data plane not attached",
				      &out);
		apply(in, &out);
	}
	fault_reason(in, reason, sizeof(reason));
	if (strcmp(reason, in->fault_reason)) {
		bool fault = reason[0] != '\0';
		char cleared[128];

		snprintf(cleared, sizeof(cleared), "%s cleared",
			 in->fault_reason);
		vrrp_fsm_set_fault(&in->fsm, now, fault,
				   fault ? reason : cleared, &out);
		snprintf(in->fault_reason, sizeof(in->fault_reason), "%s",
			 reason);
		apply(in, &out);
	}
}

/* ---- link events ---------------------------------------------------------------- */

/* The link's state asked by ioctl: at the start, and when events were lost. */
static void link_learn(struct instance *in)
{
	bool running = false;

	in->link_idx = link_ifindex(in->conf.interface);
	in->link_running = in->link_idx &&
			   !link_is_running(in->conf.interface, &running) &&
			   running;
	in->link_known = in->ag->linkfd >= 0;
	in->src_stale = true;
}

static void on_link_event(const struct link_event *e, void *ctx)
{
	struct agent *ag = ctx;

	for (unsigned int i = 0; i < VRRP_MAX_INSTANCES; i++) {
		struct instance *in = &ag->inst[i];

		if (!in->running)
			continue;
		if (e->addr) {
			if (e->ifindex == in->ifindex)
				in->src_stale = in->link_changed = true;
		} else if (!strcmp(e->name, in->conf.interface)) {
			if (!e->gone) {
				in->link_idx = e->ifindex;
				in->link_running = e->running;
			} else if (e->ifindex == in->link_idx) {
				in->link_idx = 0;
				in->link_running = false;
			}
			in->link_changed = true;
		} else if (e->ifindex && e->ifindex == in->link_idx) {
			/* renamed away */
			in->link_idx = 0;
			in->link_running = false;
			in->link_changed = true;
		}
	}
}

/* Link and address events: the instances they concern are checked at once
 * (a lost carrier is FAULT now, not at the next check). */
static void on_links(void *ctx)
{
	struct agent *ag = ctx;
	int err = link_monitor_read(ag->linkfd, on_link_event, ag);

	for (unsigned int i = 0; i < VRRP_MAX_INSTANCES; i++) {
		struct instance *in = &ag->inst[i];

		if (!in->running)
			continue;
		if (err) {	/* ENOBUFS: some were lost; ask */
			link_learn(in);
			in->link_changed = true;
		}
		if (in->link_changed) {
			in->link_changed = false;
			check_now(in, ev_now());
		}
	}
	if (err)
		kx_warn("rtnetlink: %s: the links asked again", strerror(-err));
}

static int open_links(struct agent *ag)
{
	ag->linkfd = link_monitor_open();
	if (ag->linkfd < 0) {
		kx_warn("%s: the links are asked at every check instead",
			kx_last_error());
		return 0;
	}
	return ev_watch_add(&ag->loop, &ag->linkwatch, ag->linkfd, on_links, ag);
}

static void on_check(void *ctx, uint64_t now)
{
	notify_expire(now, NOTIFY_TIMEOUT_NS);	/* hooks that hang */
	struct instance *in = ctx;

	check_now(in, now);
	sync_active(in->ag);
	ev_timer_arm(&in->ag->loop, &in->check, now + check_period(in));
}

/* ---- instances ------------------------------------------------------------------ */


static int open_instance(struct instance *in)
{
	const struct vrrp_instance_conf *c = &in->conf;

	in->ifindex = (int)if_nametoindex(c->interface);
	if (!in->ifindex)
		return kx_fail(-errno, "%s: interface %s: %s", c->name,
			       c->interface, strerror(errno));
	if (kx_if_mac(c->interface, in->mac))
		return kx_fail(-errno, "%s: %s", c->name, kx_last_error());
	in->sock = open_vrrp_socket(in, in->ifindex);
	if (in->sock < 0)
		return in->sock;
	in->arp = link_arp_socket(in->ifindex);
	if (in->arp < 0)
		return kx_fail(in->arp, "%s: %s: %s", c->name, c->interface,
			       kx_last_error());
	return ev_watch_add(&in->ag->loop, &in->watch, in->sock, on_readable,
			    in);
}

static void close_instance(struct instance *in)
{
	close_sockets(in);
	ev_timer_cancel(&in->ag->loop, &in->timer);
	ev_timer_cancel(&in->ag->loop, &in->check);
	in->running = false;
}

static int start_instance(struct agent *ag, struct instance *in,
			  const struct vrrp_instance_conf *c)
{
	struct vrrp_fsm_params p;
	struct vrrp_actions out;
	uint64_t now = ev_now();
	int err;

	memset(in, 0, sizeof(*in));
	in->ag = ag;
	in->conf = *c;
	in->sock = in->arp = in->watch.fd = -1;
	for (unsigned int i = 0; i < c->n_vips; i++) {
		size_t alen = vrrp_ip_len(c->vips[i].family);

		memcpy(in->vip_addrs + i * alen, &c->vips[i].addr, alen);
	}
	ev_timer_init(&in->timer, on_timer, in);
	ev_timer_init(&in->check, on_check, in);
	err = open_instance(in);
	if (err) {
		close_instance(in);
		return err;
	}
	in->running = true;
	link_learn(in);
	in->src = find_src(in);
	in->src_stale = false;
	in->dp_attached = c->track_dataplane && dp_attached(in->ifindex,
							    ag->conf.bpffs);
	fault_reason(in, in->fault_reason, sizeof(in->fault_reason));
	p = fsm_params(in);
	vrrp_fsm_init(&in->fsm, &p, effective_priority(in));
	if (in->fault_reason[0])
		vrrp_fsm_set_fault(&in->fsm, now, true, in->fault_reason, &out);
	vrrp_fsm_start(&in->fsm, now, &out);
	if (in->fault_reason[0])
		snprintf(out.log, sizeof(out.log), "%s: INIT -> FAULT: %s",
			 c->name, in->fault_reason);
	apply(in, &out);
	ev_timer_arm(&ag->loop, &in->check, now + check_period(in));
	return 0;
}

static void stop_instance(struct instance *in)
{
	struct vrrp_actions out;

	if (!in->running)
		return;
	vrrp_fsm_stop(&in->fsm, ev_now(), &out);
	apply(in, &out);
	close_instance(in);
}

/* A reload that keeps the instance's identity: new timers, priority,
 * preemption and hooks, without a new election. */
static void update_instance(struct instance *in,
			    const struct vrrp_instance_conf *c)
{
	struct vrrp_fsm_params p;
	struct vrrp_actions out;

	in->conf = *c;
	p = fsm_params(in);
	vrrp_fsm_update(&in->fsm, &p);
	vrrp_fsm_set_priority(&in->fsm, ev_now(), effective_priority(in),
			      "configuration reloaded", &out);
	apply(in, &out);
}

/* ---- signals ---------------------------------------------------------------------- */

static void log_counters(const struct agent *ag)
{
	char ip[VRRP_IP_STRLEN];

	for (unsigned int i = 0; i < VRRP_MAX_INSTANCES; i++) {
		const struct instance *in = &ag->inst[i];
		char drops[512] = "";
		size_t n = 0;

		if (!in->running)
			continue;
		for (int r = 1; r < VRRP_RX_MAX; r++)
			if (in->rx[r] && n < sizeof(drops))
				n += (size_t)snprintf(drops + n, sizeof(drops) - n,
						      " %s=%llu", vrrp_rx_name(r),
						      (unsigned long long)in->rx[r]);
		kx_info("%s: %s, priority %u, master %s (priority %u), adverts sent %llu, accepted %llu, dropped:%s",
			in->conf.name, vrrp_state_str(in->fsm.state),
			in->fsm.priority,
			vrrp_ip_str(&in->fsm.master_ip, ip),
			in->fsm.master_prio, (unsigned long long)in->tx,
			(unsigned long long)in->rx[VRRP_RX_OK],
			n ? drops : " none");
	}
}

static struct instance *running_instance(struct agent *ag, const char *name)
{
	for (unsigned int i = 0; i < VRRP_MAX_INSTANCES; i++)
		if (ag->inst[i].running && !strcmp(ag->inst[i].conf.name, name))
			return &ag->inst[i];
	return NULL;
}

static struct instance *free_slot(struct agent *ag)
{
	for (unsigned int i = 0; i < VRRP_MAX_INSTANCES; i++)
		if (!ag->inst[i].running)
			return &ag->inst[i];
	return NULL;
}

static const struct vrrp_instance_conf *
conf_instance(const struct vrrp_config *vc, const char *name)
{
	for (unsigned int i = 0; i < vc->n; i++)
		if (!strcmp(vc->inst[i].name, name))
			return &vc->inst[i];
	return NULL;
}

/*
 * SIGHUP. Instances are matched by name and stay in their slot (the loop
 * holds pointers to their watches and timers): one whose identity changed,
 * or that is gone from the file, is stopped (priority 0, addresses
 * removed); the others are updated in place; new ones start.
 */
static void reload(struct agent *ag)
{
	static struct vrrp_config nc;
	const struct vrrp_instance_conf *c;
	struct instance *in;

	if (vrrp_conf_load(ag->path, &nc)) {
		kx_warn("reload: %s; keeping the running configuration",
			kx_last_error());
		return;
	}
	kx_info("reload: %s: %u instance%s", ag->path, nc.n,
		nc.n == 1 ? "" : "s");
	snprintf(ag->conf.bpffs, sizeof(ag->conf.bpffs), "%s", nc.bpffs);
	for (unsigned int i = 0; i < VRRP_MAX_INSTANCES; i++) {
		in = &ag->inst[i];
		if (!in->running)
			continue;
		c = conf_instance(&nc, in->conf.name);
		if (c && vrrp_conf_same_identity(c, &in->conf))
			update_instance(in, c);
		else
			stop_instance(in);
	}
	for (unsigned int i = 0; i < nc.n; i++) {
		if (running_instance(ag, nc.inst[i].name))
			continue;
		in = free_slot(ag);
		if (!in || start_instance(ag, in, &nc.inst[i]))
			kx_warn("reload: %s", in ? kx_last_error() :
				"no free instance slot");
	}
	ag->conf = nc;
	agent_sync_reload(&ag->sync, &ag->conf);
	agent_checks_reload(&ag->checks, ag->path);
	agent_checks_publish(&ag->checks, ag);
}

static void shutdown_all(struct agent *ag, const char *why)
{
	kx_info("%s: stopping", why);
	agent_sync_flush(&ag->sync);	/* the backups know every flow first */
	for (unsigned int i = 0; i < VRRP_MAX_INSTANCES; i++)
		stop_instance(&ag->inst[i]);
	ev_loop_stop(&ag->loop);
}

static void on_signal(void *ctx)
{
	struct agent *ag = ctx;
	struct signalfd_siginfo si;

	while (read(ag->sigfd, &si, sizeof(si)) == sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGTERM:
			shutdown_all(ag, "SIGTERM");
			return;
		case SIGINT:
			shutdown_all(ag, "SIGINT");
			return;
		case SIGHUP:
			reload(ag);
			break;
		case SIGUSR1:
			log_counters(ag);
			break;
		case SIGCHLD:
			notify_reap();
			break;
		}
	}
}

static int open_signals(struct agent *ag)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGUSR1);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return kx_fail(-errno, "sigprocmask: %s", strerror(errno));
	signal(SIGPIPE, SIG_IGN);
	ag->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (ag->sigfd < 0)
		return kx_fail(-errno, "signalfd: %s", strerror(errno));
	return ev_watch_add(&ag->loop, &ag->sigwatch, ag->sigfd, on_signal, ag);
}

/* ---- entry points ------------------------------------------------------------------ */

static void reset_clients(void *ctx, uint8_t family,
			  const union khaxdp_addr *addr)
{
	struct agent *ag = ctx;

	agent_sync_reset_clients(&ag->sync, family, addr);
}

static void publish_sync(void *ctx, const struct stats_sync_view *v)
{
	struct agent *ag = ctx;

	if (ag->checks.stats)
		stats_server_set_sync(ag->checks.stats, v);
}

int agent_init(struct agent *ag, const char *path,
	       const struct vrrp_config *conf)
{
	int err;

	memset(ag, 0, sizeof(*ag));
	ag->sigfd = ag->linkfd = -1;
	ag->sigwatch.fd = ag->linkwatch.fd = -1;
	for (unsigned int i = 0; i < VRRP_MAX_INSTANCES; i++)
		ag->inst[i].sock = ag->inst[i].arp = ag->inst[i].watch.fd = -1;
	snprintf(ag->path, sizeof(ag->path), "%s", path);
	ag->conf = *conf;
	err = ev_loop_init(&ag->loop) ?: vip_nl_open(&ag->nl) ?:
	      open_signals(ag) ?: open_links(ag) ?:
	      agent_checks_start(&ag->checks, &ag->loop, path) ?:
	      agent_sync_start(&ag->sync, &ag->loop, conf, publish_sync, ag);
	if (!err && ag->checks.health)
		health_on_gone(ag->checks.health, reset_clients, ag);
	for (unsigned int i = 0; !err && i < conf->n; i++)
		err = start_instance(ag, &ag->inst[i], &conf->inst[i]);
	agent_checks_publish(&ag->checks, ag);
	return err;
}

int agent_run(struct agent *ag)
{
	return ev_loop_run(&ag->loop);
}

void agent_close(struct agent *ag)
{
	for (unsigned int i = 0; i < VRRP_MAX_INSTANCES; i++)
		if (ag->inst[i].running)
			close_instance(&ag->inst[i]);
	if (ag->sigfd >= 0)
		close(ag->sigfd);
	if (ag->linkfd >= 0) {
		ev_watch_del(&ag->loop, &ag->linkwatch);
		close(ag->linkfd);
	}
	agent_sync_stop(&ag->sync);
	agent_checks_close(&ag->checks, &ag->loop);
	vip_nl_close(&ag->nl);
	ev_loop_close(&ag->loop);
}
