/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * vrrp_conf.h - the [vrrp NAME] sections of khaxdp.conf, in keepalived's
 * words. The loader's parser (loader/config.c) keeps them in cfg->extra,
 * key by key with their lines; vrrp_conf_from() reads and checks them.
 */
#ifndef VRRP_CONF_H
#define VRRP_CONF_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "advert.h"
#include "loader/config.h"
#include "sync_wire.h"

#define VRRP_MAX_INSTANCES	8
#define VRRP_MAX_PEERS		16
#define VRRP_NOTIFY_LEN		256

#define VRRP_DEFAULT_VERSION	3	/* keepalived's is 2: see README */
#define VRRP_DEFAULT_PRIORITY	100	/* as keepalived */
#define VRRP_DEFAULT_INT_CS	100	/* 1 s */
#define VRRP_DEFAULT_GARP_REPEAT 5
#define VRRP_DEFAULT_GARP_DELAY_MS 5000

enum vrrp_notify_kind {
	VRRP_NOTIFY_MASTER,
	VRRP_NOTIFY_BACKUP,
	VRRP_NOTIFY_FAULT,
	VRRP_NOTIFY_ANY,	/* `notify`: gets INSTANCE NAME STATE PRIORITY */
	VRRP_NOTIFY_KINDS,
};

/* An address of an instance: advertised (virtual_ipaddress, of the
 * instance's family), or held without advertising it (keepalived's
 * virtual_ipaddress_excluded), of either family: the IPv6 VIP of a
 * dual-stack cluster may move with its IPv4 instance. */
struct vrrp_xvip {
	uint8_t family;		/* KHAXDP_AF_INET or KHAXDP_AF_INET6 */
	uint8_t prefix;
	union khaxdp_addr addr;	/* network order; IPv4 in v4 */
};

struct vrrp_instance_conf {
	char name[KHAXDP_NAME_LEN];
	int line;			/* first line of the section */
	char interface[IF_NAMESIZE];
	uint8_t vrid;
	uint8_t priority;		/* base priority */
	uint8_t version;
	uint16_t adver_int_cs;
	bool preempt;
	uint32_t preempt_delay_ms;
	uint32_t garp_repeat;
	uint32_t garp_delay_ms;
	bool track_dataplane;
	int track_weight;		/* 0: FAULT while it does not hold */
	/* family 0: the interface's first IPv4 address (IPv6: link-local) */
	struct vrrp_ip unicast_src;
	unsigned int n_peers;		/* 0: multicast */
	struct vrrp_ip peers[VRRP_MAX_PEERS];	/* of the instance's family */
	uint8_t family;			/* of virtual_ipaddress (the first):
					 * the adverts' */
	unsigned int n_vips;
	struct vrrp_xvip vips[VRRP_MAX_ADDRS];
	unsigned int n_excluded;
	struct vrrp_xvip excluded[VRRP_MAX_ADDRS];
	bool has_auth;			/* v2 PASS */
	char auth_pass[VRRP_AUTH_LEN];
	enum vrrp_csum_form csum_form;	/* v3, sent; both are accepted */
	char notify[VRRP_NOTIFY_KINDS][VRRP_NOTIFY_LEN];	/* "" none */
};

/* [sync]: flow sync between the nodes (see sync.h). */
enum vrrp_sync_mode {
	VRRP_SYNC_AUTO,		/* on when a [service] has mode = dsr */
	VRRP_SYNC_ON,
	VRRP_SYNC_OFF,
};

struct vrrp_sync_conf {
	int line;			/* of the first [sync] key, 0: none */
	enum vrrp_sync_mode mode;
	bool enabled;			/* what mode resolved to */
	/* Given (IPv4 or IPv6, mixed if need be), or the servers of the dsr
	 * services: the IPv4 ones, or the IPv6 ones when every dsr service
	 * is IPv6. The agent leaves out its own addresses. */
	bool peers_given;
	unsigned int n_peers;
	struct vrrp_ip peers[VRRP_MAX_PEERS];
	uint16_t port;
	char key_file[PATH_MAX];	/* "": messages not authenticated */
	struct sync_key key;		/* read from key_file */
	uint32_t batch_ms;
	uint32_t snapshot_ms;
	char state_file[PATH_MAX];	/* what `khaxdp status` shows */
};


struct vrrp_config {
	char path[PATH_MAX];
	char bpffs[PATH_MAX];		/* [global] bpffs: the data plane */
	unsigned int n;
	struct vrrp_instance_conf inst[VRRP_MAX_INSTANCES];
	/* The [service] listen addresses (IPv4, network order; IPv6): an
	 * instance that carries one of them decides the node's role for
	 * that family. */
	unsigned int n_service_vips;
	uint32_t service_vips[KHAXDP_MAX_SERVICES];
	unsigned int n_service_vips6;
	union khaxdp_addr service_vips6[KHAXDP_MAX_SERVICES];
	struct vrrp_sync_conf sync;
};

/* Does the instance carry the address of a [service] of the family
 * (KHAXDP_AF_INET, KHAXDP_AF_INET6)? */
bool vrrp_conf_carries_service(const struct vrrp_config *c,
			       const struct vrrp_instance_conf *ic,
			       uint8_t family);

/* Read the [vrrp NAME] sections of a parsed loader config. On error:
 * -EINVAL and `FILE:LINE: problem` in kx_last_error(). */
int vrrp_conf_from(const struct kx_config *kc, struct vrrp_config *out);

/* Parse and check FILE in one step (what the agent and -t do). */
int vrrp_conf_load(const char *path, struct vrrp_config *out);

/* Same election and wire identity (interface, VRID, version, addresses,
 * peers, checksum, auth)? Then a reload can update the running instance
 * in place; otherwise it is stopped and started again. */
bool vrrp_conf_same_identity(const struct vrrp_instance_conf *a,
			     const struct vrrp_instance_conf *b);

#endif /* VRRP_CONF_H */
