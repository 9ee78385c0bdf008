/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * config.h - /etc/khaxdp/khaxdp.conf: [global], [service NAME], [stats].
 *
 * The whole file is parsed and checked before anything running is touched.
 * Sections this parser does not know ([vrrp ...], ...) are kept, key by key,
 * for the agent; unknown keys in [global], [service] or [stats] are errors.
 */
#ifndef KX_CONFIG_H
#define KX_CONFIG_H

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bpf/khaxdp.h"

#define KX_DEFAULT_CONFIG	"/etc/khaxdp/khaxdp.conf"
#define KX_DEFAULT_BPFFS	"/sys/fs/bpf/khaxdp"
#define KX_DEFAULT_SNAT_MIN	40000
#define KX_DEFAULT_SNAT_MAX	59999
#define KX_DEFAULT_TIMEOUT_S	(30 * 60)
#define KX_MAX_FLOWS_LIMIT	(1U << 24)
#define KX_CONNECT_TIMEOUT_MAX_S	255	/* fits the node's byte */

/* Health-check defaults: haproxy's inter 2s, rise 2, fall 3 and the seed's
 * 'timeout check 5s'. */
#define KX_DEFAULT_CHECK_INTER_MS	2000
#define KX_DEFAULT_CHECK_TIMEOUT_MS	5000
#define KX_DEFAULT_CHECK_RISE		2
#define KX_DEFAULT_CHECK_FALL		3
#define KX_CHECK_MIN_MS			10
#define KX_CHECK_MAX_MS			(3600 * 1000)
#define KX_CHECK_MAX_COUNT		100
#define KX_CHECK_PATH_LEN		128

#define KX_DEFAULT_STATS_PORT		9000
#define KX_DEFAULT_STATS_URI		"/haproxy_stats"
#define KX_STATS_URI_LEN		128

/* An IP address and a TCP port; port in host order. */
struct kx_endpoint {
	union khaxdp_addr addr;
	uint16_t port;
	uint8_t family;		/* KHAXDP_AF_INET */
};

struct kx_server {
	char name[KHAXDP_NAME_LEN];
	struct kx_endpoint ep;
	int line;
};

/*
 * How the agent checks a service's servers. No 'check' key means none, as a
 * haproxy server without 'check': never checked, health left as it is.
 */
enum kx_check_kind {
	KX_CHECK_NONE = 0,
	KX_CHECK_TCP,		/* a plain connect() */
	KX_CHECK_HTTPS,		/* TLS, GET path, 2xx only */
};

struct kx_check {
	enum kx_check_kind kind;
	char path[KX_CHECK_PATH_LEN];	/* https: "/readyz" */
	uint32_t inter_ms;
	uint32_t timeout_ms;
	uint32_t rise;
	uint32_t fall;
	bool start_up;			/* 'start = up': up before any check */
};

struct kx_service {
	char name[KHAXDP_NAME_LEN];
	int line;		/* of the [service NAME] header */
	bool has_listen;
	struct kx_endpoint listen;
	enum khaxdp_mode mode;
	uint32_t timeout_s;
	struct kx_check check;
	unsigned int n_servers;
	struct kx_server servers[KHAXDP_MAX_SERVICE_BACKENDS];
};

#define KX_STATS_AUTH_LEN		128	/* USER:PASSWORD */
#define KX_STATS_MAX_ALLOW		16

/* A network: addr/prefix, addr in network order, host bits zero. */
struct kx_cidr {
	uint8_t family;			/* KHAXDP_AF_INET or KHAXDP_AF_INET6 */
	uint8_t prefix;			/* 0-32, 0-128 */
	union khaxdp_addr addr;
};

/* May s be [stats] uri: a path without blank, control byte, '?' or '#',
 * and not /metrics or /status.json? */
bool kx_valid_stats_uri(const char *s);

/* Does a of family (network order) lie in n? An IPv4-mapped IPv6 address
 * (::ffff:a.b.c.d, a client of a dual-stack socket) is its IPv4 one. */
bool kx_cidr_has(const struct kx_cidr *n, uint8_t family,
		 const union khaxdp_addr *a);

/* [stats]: the agent's HTTP page. Served only when the section exists. */
struct kx_stats_config {
	bool enabled;
	int line;			/* of the [stats] header */
	struct kx_endpoint listen;	/* default 127.0.0.1:9000 */
	char uri[KX_STATS_URI_LEN];	/* the HTML page; default /haproxy_stats */
	/* Basic authentication (haproxy's stats auth): "" none. */
	char user[KX_STATS_AUTH_LEN];
	char password[KX_STATS_AUTH_LEN];
	/* Who may connect; none listed: anyone who reaches listen. */
	unsigned int n_allow;
	struct kx_cidr allow[KX_STATS_MAX_ALLOW];
};

/* Where khaxdp-vrrpd writes its flow sync state for `khaxdp status`
 * ([sync] state_file). */
#define KX_SYNC_STATE_FILE	"/run/khaxdp/sync"

/* A key of a section khaxdp does not interpret, kept for the agent. */
struct kx_extra {
	char *section;
	char *key;
	char *value;
	int line;
};

/* The address NAT towards a remote backend uses as its source. */
enum kx_snat_address {
	KX_SNAT_VIP = 0,	/* the VIP the client connected to */
	KX_SNAT_NODE,		/* the node's address (ports reserved) */
};

/* Which local clients the cgroup connect4/getpeername4 hooks balance. */
enum kx_socket_lb {
	KX_SOCKET_LB_LOCAL = 0,	/* the namespace khaxdp is attached in */
	KX_SOCKET_LB_ALL,	/* every namespace of the machine (pods) */
	KX_SOCKET_LB_OFF,	/* no hooks */
};

struct kx_config {
	char path[PATH_MAX];
	char interface[IF_NAMESIZE];	/* "" when not set */
	char bpffs[PATH_MAX];
	char cgroup[PATH_MAX];		/* "": the cgroup v2 root in /proc/mounts */
	enum kx_socket_lb socket_lb;
	enum kx_snat_address snat_address;
	uint16_t snat_min;		/* inclusive, host order */
	uint16_t snat_max;
	uint32_t max_flows;
	uint32_t max_half_open;		/* half-open flows (SYN seen) */
	uint32_t half_open_per_source;	/* 0: no limit */
	uint32_t connect_timeout_s;	/* life of a half-open flow */
	unsigned int n_services;
	struct kx_service services[KHAXDP_MAX_SERVICES];
	struct kx_stats_config stats;
	size_t n_extra;
	struct kx_extra *extra;
};

/* Defaults, as if the file were empty. */
void kx_config_init(struct kx_config *cfg);
void kx_config_free(struct kx_config *cfg);

/*
 * Parse a file or a string (name is used in messages). On error returns a
 * negative errno, leaves `NAME:LINE: problem` in kx_last_error() and cfg
 * in an unspecified state (free it).
 */
int kx_config_load(struct kx_config *cfg, const char *path);
int kx_config_load_string(struct kx_config *cfg, const char *name,
			  const char *text);

/* Total number of servers over all services. */
unsigned int kx_config_backend_count(const struct kx_config *cfg);
const struct kx_service *kx_config_find_service(const struct kx_config *cfg,
						const char *name);

/* Value parsers, shared with the agent. All return 0 or -EINVAL/-ERANGE
 * and reject trailing garbage. */
int kx_parse_u32(const char *s, uint32_t *out);
int kx_parse_port(const char *s, uint16_t *port);
/* "A-B", 1 <= A <= B <= 65535. */
int kx_parse_port_range(const char *s, uint16_t *min, uint16_t *max);
/* "30m", "2h", "45s", "500ms", "90" (seconds) -> milliseconds. */
int kx_parse_duration_ms(const char *s, uint64_t *ms);
/* "192.168.218.189:7443" or "[2001:db8:218::189]:7443"; -EINVAL for a bad
 * address, -ERANGE for a bad port. */
int kx_parse_endpoint(const char *s, struct kx_endpoint *ep);
/* As kx_parse_endpoint, and ":9000" or "*:9000" mean 0.0.0.0:9000. */
int kx_parse_listen(const char *s, struct kx_endpoint *ep);
/* "https /readyz", "tcp", "none" into check (kind and path only). */
int kx_parse_check(const char *s, struct kx_check *check);
const char *kx_check_kind_str(enum kx_check_kind kind);	/* "https" */
/* Service and server names: [A-Za-z0-9_.-], 1..KHAXDP_NAME_LEN-1 chars. */
bool kx_valid_name(const char *s);

/* "192.168.218.189:7443" into buf (at least KX_ENDPOINT_STRLEN). */
#define KX_ENDPOINT_STRLEN 64
const char *kx_endpoint_str(const struct kx_endpoint *ep, char *buf,
			    size_t len);
bool kx_endpoint_equal(const struct kx_endpoint *a,
		       const struct kx_endpoint *b);
/* The endpoint as a socket address of its family; returns its length. */
struct sockaddr_storage;
unsigned int kx_endpoint_sockaddr(const struct kx_endpoint *ep,
				  struct sockaddr_storage *ss);

#endif /* KX_CONFIG_H */
