/* SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause) */
/*
 * import.h - `khaxdp import`: haproxy.cfg and keepalived.conf into an
 * equivalent khaxdp.conf.
 *
 * Two pure parsers turn the text of each file into a small model (no I/O,
 * no globals); one writer prints the model as khaxdp.conf. Whatever has no
 * equivalent in khaxdp becomes a warning with its file and line, so
 * nothing is dropped silently. A file that cannot be parsed is an error:
 * -EINVAL with `FILE:LINE: problem` in kx_last_error().
 */
#ifndef KX_IMPORT_H
#define KX_IMPORT_H

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config.h"

#define KX_IMP_ADDR_LEN		48	/* "192.168.218.189/24", "1.2.3.4:7443" */
#define KX_IMP_TEXT_LEN		256
#define KX_IMP_MAX_VRRP		8	/* the agent's VRRP_MAX_INSTANCES */
#define KX_IMP_MAX_VIPS		16	/* the agent's VRRP_MAX_ADDRS */
#define KX_IMP_MAX_PEERS	16	/* the agent's VRRP_MAX_PEERS */
#define KX_IMP_AUTH_LEN		8	/* VRRPv2 PASS: 8 bytes on the wire */

/* ---- warnings ------------------------------------------------------------ */

struct kx_imp_warning {
	const char *file;	/* the name given to the parser, not copied */
	int line;
	unsigned int seq;	/* order of arrival, to sort stably */
	char *msg;		/* "option httplog not carried over: ..." */
};

struct kx_imp_warnings {
	size_t n;
	struct kx_imp_warning *v;
};

void kx_imp_warn(struct kx_imp_warnings *w, const char *file, int line,
		 const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Sort by file (in order of first appearance), then line. */
void kx_imp_warnings_sort(struct kx_imp_warnings *w);
/* `khaxdp: import: FILE:LINE: warning: MSG`, one a line. */
void kx_imp_warnings_print(const struct kx_imp_warnings *w, FILE *out);
void kx_imp_warnings_free(struct kx_imp_warnings *w);

/* ---- haproxy.cfg --------------------------------------------------------- */

struct kx_imp_server {
	char name[KHAXDP_NAME_LEN];
	char addr[KX_IMP_ADDR_LEN];	/* "192.168.218.171:6443" */
	int line;
};

/* A frontend (or listen) and the backend it sends to: one [service]. */
struct kx_imp_service {
	char name[KHAXDP_NAME_LEN];	/* the backend's (listen: its own) */
	char frontend[KX_IMP_TEXT_LEN];	/* "frontend main" / "listen x" */
	int frontend_line;
	char backend[KX_IMP_TEXT_LEN];	/* "backend app"; "" for a listen */
	int backend_line;

	/* bind: "192.168.218.189:7443", or wildcard (`*:7443`) and port. */
	char listen[KX_IMP_ADDR_LEN];
	bool listen_any;
	uint16_t port;
	int bind_line;

	uint64_t timeout_ms;		/* 0: not set (khaxdp's default) */
	char timeout_from[KX_IMP_TEXT_LEN];	/* "timeout client 30m, ..." */

	enum kx_check_kind check;	/* NONE when no server has 'check' */
	char check_path[KX_CHECK_PATH_LEN];
	char check_from[KX_IMP_TEXT_LEN];	/* how it was derived */
	uint64_t inter_ms;		/* haproxy's defaults when not given */
	uint32_t rise, fall;
	uint64_t check_timeout_ms;	/* timeout check; 0: not set */

	unsigned int n_servers;
	struct kx_imp_server servers[KHAXDP_MAX_SERVICE_BACKENDS];
};

struct kx_imp_stats {
	bool present;
	char name[KX_IMP_TEXT_LEN];	/* "listen stats" */
	int line;
	char listen[KX_IMP_ADDR_LEN];	/* haproxy's bind: "0.0.0.0:9000" */
	char uri[KX_STATS_URI_LEN];
	char auth[KX_STATS_AUTH_LEN];	/* "USER:PASSWORD", "" none */
	int auth_line;
};

struct kx_imp_haproxy {
	const char *file;
	unsigned int n_services;
	struct kx_imp_service services[KHAXDP_MAX_SERVICES];
	struct kx_imp_stats stats;
};

int kx_import_haproxy(const char *file, const char *text,
		      struct kx_imp_haproxy *out, struct kx_imp_warnings *w);

/* ---- keepalived.conf ----------------------------------------------------- */

/* What the tracked script checked. */
enum kx_imp_track {
	KX_IMP_TRACK_NONE = 0,
	KX_IMP_TRACK_LB,	/* haproxy runs: killall -0 / pidof haproxy */
	KX_IMP_TRACK_APISERVER,	/* kubeadm's check_apiserver.sh */
};

enum kx_imp_notify {
	KX_IMP_NOTIFY_MASTER,
	KX_IMP_NOTIFY_BACKUP,
	KX_IMP_NOTIFY_FAULT,
	KX_IMP_NOTIFY_ANY,
	KX_IMP_NOTIFY_KINDS,
};

struct kx_imp_vrrp {
	char name[KHAXDP_NAME_LEN];
	int line;
	char interface[IF_NAMESIZE];
	char state[16];			/* "MASTER", "BACKUP", "" */
	int state_line;
	unsigned int vrid;		/* 0: not given */
	unsigned int priority;		/* 0: not given (keepalived: 100) */
	uint64_t advert_int_ms;		/* 0: not given (1s) */
	unsigned int version;		/* 2 or 3 */
	bool version_given;		/* else keepalived's default, 2 */
	unsigned int n_vips;
	char vips[KX_IMP_MAX_VIPS][KX_IMP_ADDR_LEN];
	bool vips6;			/* its first address is IPv6: an IPv6
					 * instance */
	/* virtual_ipaddress_excluded, and the addresses of virtual_ipaddress
	 * of the other family (keepalived moves them there too) */
	unsigned int n_excluded;
	char excluded[KX_IMP_MAX_VIPS][KX_IMP_ADDR_LEN];
	char unicast_src[KX_IMP_ADDR_LEN];
	unsigned int n_peers;
	char peers[KX_IMP_MAX_PEERS][KX_IMP_ADDR_LEN];
	bool has_auth;
	char auth_pass[KX_IMP_AUTH_LEN + 1];
	bool nopreempt;
	uint64_t preempt_delay_ms;
	bool has_preempt_delay;
	int garp_repeat;		/* 0: not given */
	uint64_t garp_delay_ms;
	bool has_garp_delay;
	enum kx_imp_track track;
	int track_weight;		/* as keepalived: sign kept */
	char track_script[KHAXDP_NAME_LEN];
	char track_command[KX_IMP_TEXT_LEN];
	char notify[KX_IMP_NOTIFY_KINDS][KX_IMP_TEXT_LEN];
};

struct kx_imp_keepalived {
	const char *file;
	unsigned int n;
	struct kx_imp_vrrp inst[KX_IMP_MAX_VRRP];
};

int kx_import_keepalived(const char *file, const char *text,
			 struct kx_imp_keepalived *out,
			 struct kx_imp_warnings *w);

/* ---- the writer ---------------------------------------------------------- */

/* Print khaxdp.conf from either model or both (NULL: not given). May add
 * warnings (a wildcard bind with no VIP to put in its place). */
int kx_import_write(FILE *out, const struct kx_imp_haproxy *h,
		    const struct kx_imp_keepalived *k,
		    struct kx_imp_warnings *w);

/*
 * The whole verb: read the files (either path may be NULL), parse, print
 * the warnings on err and, only when everything parsed, the file on out.
 * Returns 0, or -errno with `FILE[:LINE]: problem` in kx_last_error().
 */
int kx_import_files(const char *haproxy_path, const char *keepalived_path,
		    FILE *out, FILE *err);

/* Shared by the parsers: "30m", "5s", "2000" (haproxy: ms) into ms. */
int kx_imp_parse_time(const char *s, uint64_t default_unit_ms, uint64_t *ms);
/* 1800000 -> "30m", 2500 -> "2500ms": the largest exact unit. */
const char *kx_imp_duration_str(uint64_t ms, char *buf, size_t len);

#endif /* KX_IMPORT_H */
