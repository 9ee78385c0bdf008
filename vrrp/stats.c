// SPDX-License-Identifier: (GPL-2.0-only OR BSD-2-Clause)
/*
 * stats.c - the statistics page, /metrics and /status.json from a model
 * (see stats.h). Names and labels follow Prometheus' conventions: a
 * khaxdp_ prefix, base units (bytes, seconds), counters ending in _total,
 * one family per quantity with the variants in labels.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stddef.h>
#include <string.h>

#include "loader/json.h"
#include "loader/counters.h"
#include "loader/snapshot.h"
#include "stats.h"
#include "loader/util.h"

const char *const stats_vrrp_states[] = {
	"INIT", "BACKUP", "MASTER", "FAULT", NULL,
};

const char *stats_status(uint8_t health, uint8_t admin)
{
	return kx_backend_status(health, admin);
}

/* ---- Prometheus text exposition (format 0.0.4) -------------------------- */

/* A label value: backslash, double quote and newline escaped. */
static void prom_value(FILE *out, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(out, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", out);
		else
			fputc(*s, out);
	}
}

static void prom_family(FILE *out, const char *name, const char *type,
			const char *help)
{
	fprintf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* name{service="S",backend="B"[,extra]} value */
static void prom_backend(FILE *out, const char *name,
			 const struct stats_backend *b, const char *extra_key,
			 const char *extra_val, uint64_t v)
{
	fprintf(out, "%s{service=\"", name);
	prom_value(out, b->service);
	fputs("\",backend=\"", out);
	prom_value(out, b->name);
	if (extra_key) {
		fprintf(out, "\",%s=\"", extra_key);
		prom_value(out, extra_val);
	}
	fprintf(out, "\"} %" PRIu64 "\n", v);
}

/* One family with one sample per backend, from a field of the model. */
static void prom_backends(FILE *out, const struct stats_model *m,
			  const char *name, const char *type, const char *help,
			  size_t offset, bool checked_only)
{
	prom_family(out, name, type, help);
	for (unsigned int i = 0; i < m->n_backends; i++) {
		const struct stats_backend *b = &m->backends[i];

		if (!checked_only || b->checked)
			prom_backend(out, name, b, NULL, NULL,
				     *(const uint64_t *)((const char *)b + offset));
	}
}

static void prom_directions(FILE *out, const struct stats_model *m,
			    const char *name, const char *help,
			    size_t in_off, size_t out_off)
{
	prom_family(out, name, "counter", help);
	for (unsigned int i = 0; i < m->n_backends; i++) {
		const struct stats_backend *b = &m->backends[i];
		const char *p = (const char *)b;

		prom_backend(out, name, b, "direction", "in",
			     *(const uint64_t *)(p + in_off));
		prom_backend(out, name, b, "direction", "out",
			     *(const uint64_t *)(p + out_off));
	}
}

static void metrics_backend_state(const struct stats_model *m, FILE *out)
{
	static const char *const statuses[] = { "UP", "DOWN", "DRAIN", "MAINT" };

	prom_family(out, "khaxdp_backend_up", "gauge",
		    "Health of the backend in the data plane (1 up, 0 down).");
	for (unsigned int i = 0; i < m->n_backends; i++)
		prom_backend(out, "khaxdp_backend_up", &m->backends[i], NULL,
			     NULL, m->backends[i].up);
	prom_family(out, "khaxdp_backend_status", "gauge",
		    "Status of the backend: 1 for the current one of UP, DOWN, DRAIN, MAINT.");
	for (unsigned int i = 0; i < m->n_backends; i++)
		for (unsigned int s = 0; s < KX_ARRAY_SIZE(statuses); s++)
			prom_backend(out, "khaxdp_backend_status",
				     &m->backends[i], "status", statuses[s],
				     !strcmp(m->backends[i].status, statuses[s]));
	prom_family(out, "khaxdp_backend_check_up", "gauge",
		    "Verdict of the agent's health checks (1 up, 0 down); checked backends only.");
	for (unsigned int i = 0; i < m->n_backends; i++)
		if (m->backends[i].checked)
			prom_backend(out, "khaxdp_backend_check_up",
				     &m->backends[i], NULL, NULL,
				     m->backends[i].check_up);
}

static void metrics_backends(const struct stats_model *m, FILE *out)
{
	metrics_backend_state(m, out);
	prom_backends(out, m, "khaxdp_backend_checks_total", "counter",
		      "Health checks finished since the agent started.",
		      offsetof(struct stats_backend, checks), true);
	prom_backends(out, m, "khaxdp_backend_check_failures_total", "counter",
		      "Health checks failed since the agent started.",
		      offsetof(struct stats_backend, check_failures), true);
	prom_family(out, "khaxdp_backend_last_change_seconds", "gauge",
		    "Seconds since the checks last changed the backend's health (or the agent took over).");
	for (unsigned int i = 0; i < m->n_backends; i++)
		if (m->backends[i].checked)
			prom_backend(out, "khaxdp_backend_last_change_seconds",
				     &m->backends[i], NULL, NULL,
				     m->backends[i].since_change_ms / 1000);
	prom_backends(out, m, "khaxdp_backend_flows_opened_total", "counter",
		      "Flows (TCP connections) the data plane gave the backend.",
		      offsetof(struct stats_backend, dp.counters.flows_opened), false);
	prom_backends(out, m, "khaxdp_backend_active_flows", "gauge",
		      "Flows of the backend in the flow table, not expired.",
		      offsetof(struct stats_backend, dp.active_flows), false);
	prom_directions(out, m, "khaxdp_backend_packets_total",
			"Packets forwarded; in: client to backend, out: backend to client.",
			offsetof(struct stats_backend, dp.counters.packets_in),
			offsetof(struct stats_backend, dp.counters.packets_out));
	prom_directions(out, m, "khaxdp_backend_bytes_total",
			"IP bytes forwarded; in: client to backend, out: backend to client.",
			offsetof(struct stats_backend, dp.counters.bytes_in),
			offsetof(struct stats_backend, dp.counters.bytes_out));
}

/* "NO_FLOW" -> "no_flow": label values in the case Prometheus users expect. */
static void lower(char *dst, const char *src, size_t len)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++)
		dst[i] = (char)tolower((unsigned char)src[i]);
	dst[i] = '\0';
}

static void metrics_datapath(const struct stats_model *m, FILE *out)
{
	char reason[48];

	prom_family(out, "khaxdp_dataplane_attached", "gauge",
		    "1 when the data plane's pinned maps could be read.");
	fprintf(out, "khaxdp_dataplane_attached %d\n", m->attached);
	prom_family(out, "khaxdp_node_active", "gauge",
		    "1 when the node map says this node holds the VIP.");
	fprintf(out, "khaxdp_node_active %d\n", m->active);
	if (!m->attached)
		return;
	prom_family(out, "khaxdp_datapath_events_total", "counter",
		    "Packets by what the data plane did with them (khaxdp stats).");
	for (unsigned int s = 0; s < KHAXDP_STAT_MAX; s++) {
		lower(reason, kx_stat_name(s), sizeof(reason));
		fprintf(out, "khaxdp_datapath_events_total{reason=\"%s\"} %" PRIu64 "\n",
			reason, m->datapath[s]);
	}
}

static void metrics_vrrp(const struct stats_model *m, FILE *out)
{
	if (!m->n_vrrp)
		return;
	prom_family(out, "khaxdp_vrrp_state", "gauge",
		    "VRRP state of the instance: 1 for the current one.");
	for (unsigned int i = 0; i < m->n_vrrp; i++)
		for (unsigned int s = 0; stats_vrrp_states[s]; s++) {
			fputs("khaxdp_vrrp_state{instance=\"", out);
			prom_value(out, m->vrrp[i].instance);
			fprintf(out, "\",state=\"%s\"} %d\n", stats_vrrp_states[s],
				m->vrrp[i].state &&
				!strcmp(m->vrrp[i].state, stats_vrrp_states[s]));
		}
	prom_family(out, "khaxdp_vrrp_priority", "gauge",
		    "Effective VRRP priority (base plus the track weights that hold).");
	for (unsigned int i = 0; i < m->n_vrrp; i++) {
		fputs("khaxdp_vrrp_priority{instance=\"", out);
		prom_value(out, m->vrrp[i].instance);
		fprintf(out, "\"} %d\n", m->vrrp[i].priority);
	}
}

/* Seconds since a peer was last heard, -1: never. */
static double peer_age_s(const struct stats_sync_view *v,
			 const struct sync_peer *p)
{
	if (!p->last_ns)
		return -1;
	return v->now_ns > p->last_ns ? (double)(v->now_ns - p->last_ns) / 1e9 : 0;
}

/* A family of one series without labels. */
static void prom_one(FILE *out, const char *name, const char *type,
		     const char *help, uint64_t value)
{
	prom_family(out, name, type, help);
	fprintf(out, "%s %" PRIu64 "\n", name, value);
}

/* The per-peer counters of /metrics: name, help, field of sync_peer. */
static const struct {
	const char *name;
	const char *help;
	size_t off;
} peer_counters[] = {
	{ "khaxdp_sync_peer_flows_received_total",
	  "Flow records taken from the peer.", offsetof(struct sync_peer, flows) },
	{ "khaxdp_sync_peer_flows_installed_total",
	  "Flows of the peer's new in this node's flow table.",
	  offsetof(struct sync_peer, installed) },
	{ "khaxdp_sync_peer_flows_confirmed_total",
	  "Flows this node balanced and held half-open, confirmed by the peer that serves them.",
	  offsetof(struct sync_peer, confirmed) },
	{ "khaxdp_sync_peer_sequence_gaps_total",
	  "Messages of the peer missed (sequence numbers skipped).",
	  offsetof(struct sync_peer, gaps) },
};

static void metrics_sync(const struct stats_model *m, FILE *out)
{
	const struct stats_sync_view *v = &m->sync;
	char ip[VRRP_IP_STRLEN];
	uint64_t value;

	prom_one(out, "khaxdp_sync_enabled", "gauge",
		 "1 when flow sync runs ([sync]).", v->enabled);
	if (!v->enabled)
		return;
	prom_one(out, "khaxdp_sync_sending", "gauge",
		 "1 while this node is active and announces its flows.", v->sending);
	prom_one(out, "khaxdp_sync_messages_sent_total", "counter",
		 "Flow sync messages sent (to every peer each).", v->msgs_sent);
	prom_one(out, "khaxdp_sync_events_sent_total", "counter",
		 "Flow opens and closes announced.", v->events_sent);
	prom_one(out, "khaxdp_sync_snapshots_total", "counter",
		 "Full snapshots of the flow table sent.", v->snapshots);
	prom_one(out, "khaxdp_sync_snapshot_flows", "gauge",
		 "Flows in the last snapshot sent.", v->snapshot_flows);
	prom_one(out, "khaxdp_sync_send_errors_total", "counter",
		 "Datagrams the kernel refused to send.", v->send_errors);
	prom_family(out, "khaxdp_sync_lag_seconds", "gauge",
		    "How long the oldest event of the last batch waited before it was sent.");
	fprintf(out, "khaxdp_sync_lag_seconds %.3f\n", (double)v->lag_ms / 1000);
	prom_family(out, "khaxdp_sync_dropped_total", "counter",
		    "Flow sync messages refused, by reason.");
	for (unsigned int r = 1; r < SYNC_RX_MAX; r++)
		fprintf(out, "khaxdp_sync_dropped_total{reason=\"%s\"} %" PRIu64 "\n",
			sync_rx_name(r), v->rx_drop[r]);
	prom_family(out, "khaxdp_sync_peer_last_message_seconds", "gauge",
		    "Seconds since the peer's last message was taken, -1: never.");
	for (unsigned int i = 0; i < v->n_peers; i++) {
		fprintf(out, "khaxdp_sync_peer_last_message_seconds{peer=\"%s\"} %.3f\n",
			vrrp_ip_str(&v->peers[i].addr, ip),
			peer_age_s(v, &v->peers[i]));
	}
	for (size_t c = 0; c < KX_ARRAY_SIZE(peer_counters); c++) {
		prom_family(out, peer_counters[c].name, "counter",
			    peer_counters[c].help);
		for (unsigned int i = 0; i < v->n_peers; i++) {
			memcpy(&value, (const char *)&v->peers[i] + peer_counters[c].off,
			       sizeof(value));
			fprintf(out, "%s{peer=\"%s\"} %" PRIu64 "\n",
				peer_counters[c].name,
				vrrp_ip_str(&v->peers[i].addr, ip), value);
		}
	}
}

void stats_render_sync_state(const struct stats_sync_view *v, FILE *out)
{
	char ip[VRRP_IP_STRLEN];
	uint64_t dropped = 0;

	for (unsigned int r = 1; r < SYNC_RX_MAX; r++)
		dropped += v->rx_drop[r];
	fprintf(out, "sync enabled=%s port=%u auth=%s sending=%s attached=%s epoch=%" PRIu64
		" messages_sent=%" PRIu64 " events_sent=%" PRIu64 " snapshots=%" PRIu64
		" snapshot_flows=%" PRIu64 " lag_ms=%" PRIu64 " max_lag_ms=%" PRIu64
		" send_errors=%" PRIu64 " dropped=%" PRIu64,
		v->enabled ? "yes" : "no", v->port, v->auth ? "hmac-sha256" : "none",
		v->sending ? "yes" : "no", v->attached ? "yes" : "no", v->epoch,
		v->msgs_sent, v->events_sent, v->snapshots, v->snapshot_flows,
		v->lag_ms, v->max_lag_ms, v->send_errors, dropped);
	for (unsigned int r = 1; r < SYNC_RX_MAX; r++)	/* and by reason */
		if (v->rx_drop[r])
			fprintf(out, " dropped_%s=%" PRIu64, sync_rx_name(r),
				v->rx_drop[r]);
	fputc('\n', out);
	for (unsigned int i = 0; i < v->n_peers; i++) {
		const struct sync_peer *p = &v->peers[i];
		double age = peer_age_s(v, p);

		fprintf(out, "peer address=%s last_message_ms=%lld epoch=%" PRIu64
			" seq=%" PRIu64, vrrp_ip_str(&p->addr, ip),
			age < 0 ? -1LL : (long long)(age * 1000), p->epoch, p->seq);
#define STATE_COUNTER(field, name) fprintf(out, " " name "=%" PRIu64, p->field);
		SYNC_PEER_COUNTERS(STATE_COUNTER)
#undef STATE_COUNTER
		fputc('\n', out);
	}
}

void stats_render_metrics(const struct stats_model *m, FILE *out)
{
	prom_family(out, "khaxdp_agent_uptime_seconds", "gauge",
		    "Seconds since khaxdp-vrrpd started.");
	fprintf(out, "khaxdp_agent_uptime_seconds %" PRIu64 "\n",
		m->uptime_ms / 1000);
	metrics_datapath(m, out);
	metrics_backends(m, out);
	metrics_vrrp(m, out);
	metrics_sync(m, out);
}

/* ---- JSON ------------------------------------------------------------------- */

/* The data plane's backend object (kx_backend_json_fields), or what the
 * configuration says of a backend the data plane does not hold; then the
 * agent's own members. */
static void json_backend(struct kx_json *j, const struct stats_backend *b)
{
	kx_json_object_begin(j);
	if (b->in_map) {
		kx_backend_json_fields(j, &b->dp);
	} else {
		kx_json_kv_string(j, "service", b->service);
		kx_json_kv_string(j, "name", b->name);
		kx_json_kv_string(j, "address", b->addr);
		kx_json_kv_string(j, "status", b->status);
	}
	kx_json_kv_bool(j, "up", b->up);
	kx_json_kv_bool(j, "in_dataplane", b->in_map);
	kx_json_key(j, "check");
	kx_json_object_begin(j);
	kx_json_kv_string(j, "type", b->check);
	if (b->checked) {
		kx_json_kv_bool(j, "up", b->check_up);
		kx_json_kv_bool(j, "last_ok", b->last_ok);
		kx_json_kv_string(j, "last", b->last);
		kx_json_kv_u64(j, "since_change_ms", b->since_change_ms);
		kx_json_kv_u64(j, "since_check_ms", b->since_check_ms);
		kx_json_kv_u64(j, "checks", b->checks);
		kx_json_kv_u64(j, "failures", b->check_failures);
	}
	kx_json_object_end(j);
	kx_json_object_end(j);
}

static void json_vrrp(struct kx_json *j, const struct stats_vrrp_view *v)
{
	kx_json_object_begin(j);
	kx_json_kv_string(j, "instance", v->instance);
	kx_json_kv_string(j, "interface", v->interface);
	kx_json_kv_u64(j, "virtual_router_id", (uint64_t)v->vrid);
	kx_json_kv_string(j, "state", v->state ? v->state : "INIT");
	kx_json_kv_u64(j, "priority", (uint64_t)v->priority);
	kx_json_kv_u64(j, "base_priority", (uint64_t)v->base_priority);
	kx_json_kv_string(j, "master", v->master);
	kx_json_kv_string(j, "virtual_ipaddress", v->vips);
	kx_json_object_end(j);
}

static void json_sync(struct kx_json *j, const struct stats_sync_view *v)
{
	char ip[VRRP_IP_STRLEN];

	kx_json_key(j, "sync");
	kx_json_object_begin(j);
	kx_json_kv_bool(j, "enabled", v->enabled);
	if (v->enabled) {
		kx_json_kv_u64(j, "port", v->port);
		kx_json_kv_string(j, "auth", v->auth ? "hmac-sha256" : "none");
		kx_json_kv_bool(j, "sending", v->sending);
		kx_json_kv_bool(j, "attached", v->attached);
		kx_json_kv_u64(j, "epoch", v->epoch);
		kx_json_kv_u64(j, "messages_sent", v->msgs_sent);
		kx_json_kv_u64(j, "events_sent", v->events_sent);
		kx_json_kv_u64(j, "snapshots", v->snapshots);
		kx_json_kv_u64(j, "snapshot_flows", v->snapshot_flows);
		kx_json_kv_u64(j, "lag_ms", v->lag_ms);
		kx_json_kv_u64(j, "max_lag_ms", v->max_lag_ms);
		kx_json_kv_u64(j, "send_errors", v->send_errors);
		kx_json_key(j, "dropped");
		kx_json_object_begin(j);
		for (unsigned int r = 1; r < SYNC_RX_MAX; r++)
			kx_json_kv_u64(j, sync_rx_name(r), v->rx_drop[r]);
		kx_json_object_end(j);
		kx_json_key(j, "peers");
		kx_json_array_begin(j);
		for (unsigned int i = 0; i < v->n_peers; i++) {
			const struct sync_peer *p = &v->peers[i];
			double age = peer_age_s(v, p);

			kx_json_object_begin(j);
			kx_json_kv_string(j, "address", vrrp_ip_str(&p->addr, ip));
			kx_json_key(j, "last_message_ms");
			if (age < 0)
				kx_json_null(j);
			else
				kx_json_u64(j, (uint64_t)(age * 1000));
			kx_json_kv_u64(j, "epoch", p->epoch);
			kx_json_kv_u64(j, "seq", p->seq);
#define JSON_COUNTER(field, name) kx_json_kv_u64(j, name, p->field);
			SYNC_PEER_COUNTERS(JSON_COUNTER)
#undef JSON_COUNTER
			kx_json_object_end(j);
		}
		kx_json_array_end(j);
	}
	kx_json_object_end(j);
}

static void json_datapath(struct kx_json *j, const struct stats_model *m)
{
	kx_json_key(j, "datapath");
	kx_json_object_begin(j);
	kx_json_kv_bool(j, "attached", m->attached);
	if (!m->attached)
		kx_json_kv_string(j, "error", m->attach_error);
	kx_json_kv_bool(j, "active", m->active);
	kx_json_key(j, "events");
	kx_json_object_begin(j);
	for (unsigned int s = 0; m->attached && s < KHAXDP_STAT_MAX; s++)
		kx_json_kv_u64(j, kx_stat_name(s), m->datapath[s]);
	kx_json_object_end(j);
	kx_json_object_end(j);
}

void stats_render_json(const struct stats_model *m, FILE *out)
{
	struct kx_json j;

	kx_json_init(&j, out);
	kx_json_object_begin(&j);
	kx_json_kv_string(&j, "node", m->node);
	kx_json_kv_u64(&j, "uptime_ms", m->uptime_ms);
	json_datapath(&j, m);
	kx_json_key(&j, "services");
	kx_json_array_begin(&j);
	for (unsigned int i = 0; i < m->n_services; i++) {
		const struct stats_service *s = &m->services[i];

		kx_json_object_begin(&j);
		kx_json_kv_string(&j, "name", s->name);
		kx_json_kv_string(&j, "listen", s->listen);
		kx_json_key(&j, "backends");
		kx_json_array_begin(&j);
		for (unsigned int k = s->first; k < s->first + s->n; k++)
			json_backend(&j, &m->backends[k]);
		kx_json_array_end(&j);
		kx_json_object_end(&j);
	}
	kx_json_array_end(&j);
	kx_json_key(&j, "vrrp");
	kx_json_array_begin(&j);
	for (unsigned int i = 0; i < m->n_vrrp; i++)
		json_vrrp(&j, &m->vrrp[i]);
	kx_json_array_end(&j);
	json_sync(&j, &m->sync);
	kx_json_object_end(&j);
	fputc('\n', out);
}

/* ---- HTML ------------------------------------------------------------------- */

static void html_text(FILE *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '&': fputs("&amp;", out); break;
		case '"': fputs("&quot;", out); break;
		default: fputc(*s, out);
		}
	}
}

/* 5s, 3m12s, 2h05m, 4d3h: how long ago, short. */
static const char *ago(uint64_t ms, char *buf, size_t len)
{
	uint64_t s = ms / 1000;

	if (s < 60)
		snprintf(buf, len, "%" PRIu64 "s", s);
	else if (s < 3600)
		snprintf(buf, len, "%" PRIu64 "m%02" PRIu64 "s", s / 60, s % 60);
	else if (s < 86400)
		snprintf(buf, len, "%" PRIu64 "h%02" PRIu64 "m", s / 3600,
			 s / 60 % 60);
	else
		snprintf(buf, len, "%" PRIu64 "d%" PRIu64 "h", s / 86400,
			 s / 3600 % 24);
	return buf;
}

/* 1234567 -> "1.2M": the page is read at a glance; JSON has the digits. */
static const char *human(uint64_t v, char *buf, size_t len)
{
	static const char units[] = "kMGTP";
	double d = (double)v;
	int u = -1;

	if (v < 10000) {
		snprintf(buf, len, "%" PRIu64, v);
		return buf;
	}
	while (d >= 1000 && u < 4) {
		d /= 1000;
		u++;
	}
	snprintf(buf, len, "%.1f%c", d, units[u]);
	return buf;
}

static const char html_head[] =
	"<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">\n"
	"<meta http-equiv=\"refresh\" content=\"%d\">\n"
	"<title>khaxdp statistics - %s</title>\n<style>\n"
	"body{font-family:Helvetica,Arial,sans-serif;font-size:13px;margin:16px;color:#222}\n"
	"h1{font-size:20px;margin:0 0 4px} h2{font-size:15px;margin:18px 0 4px}\n"
	".sub{color:#666;margin-bottom:10px}\n"
	"table{border-collapse:collapse;margin-bottom:8px}\n"
	"th{background:#20507a;color:#fff;font-weight:normal;padding:3px 8px;text-align:left}\n"
	"td{border:1px solid #ccc;padding:3px 8px;white-space:nowrap} td.n{text-align:right;font-family:monospace}\n"
	"tr.UP td{background:#c8f0c8} tr.DOWN td{background:#f4b4b4}\n"
	"tr.DRAIN td{background:#b8d4f8} tr.MAINT td{background:#d8d8d8}\n"
	"td.s{font-weight:bold} .bad{color:#a00} .ok{color:#060}\n"
	".MASTER{background:#c8f0c8} .BACKUP{background:#f0f0c0} .FAULT{background:#f4b4b4}\n"
	"a{color:#20507a}\n"
	"</style></head><body>\n";

static void html_header(const struct stats_model *m, const char *uri,
			FILE *out)
{
	char up[32];

	fprintf(out, html_head, STATS_REFRESH_S, m->node[0] ? m->node : "?");
	fputs("<h1>khaxdp statistics</h1>\n<div class=\"sub\">node ", out);
	html_text(out, m->node[0] ? m->node : "?");
	fprintf(out, " &middot; agent up %s &middot; data plane ",
		ago(m->uptime_ms, up, sizeof(up)));
	if (m->attached) {
		fprintf(out, "<span class=\"ok\">attached</span>, %s",
			m->active ? "holds the VIP" : "does not hold the VIP");
	} else {
		fputs("<span class=\"bad\">not attached</span> (", out);
		html_text(out, m->attach_error);
		fputs(")", out);
	}
	fprintf(out, " &middot; refreshes every %d s &middot; <a href=\"", STATS_REFRESH_S);
	html_text(out, uri);
	fputs("\">reload</a> &middot; <a href=\"/metrics\">/metrics</a> &middot; "
	      "<a href=\"/status.json\">/status.json</a></div>\n", out);
}

static void html_vrrp(const struct stats_model *m, FILE *out)
{
	fputs("<h2>VRRP</h2>\n", out);
	if (!m->n_vrrp) {
		fputs("<div class=\"sub\">no VRRP instance</div>\n", out);
		return;
	}
	fputs("<table><tr><th>instance</th><th>interface</th><th>VRID</th>"
	      "<th>state</th><th>priority</th><th>base</th><th>master</th>"
	      "<th>virtual address</th></tr>\n", out);
	for (unsigned int i = 0; i < m->n_vrrp; i++) {
		const struct stats_vrrp_view *v = &m->vrrp[i];
		const char *state = v->state ? v->state : "INIT";

		fputs("<tr><td>", out);
		html_text(out, v->instance);
		fputs("</td><td>", out);
		html_text(out, v->interface);
		fprintf(out, "</td><td class=\"n\">%d</td><td class=\"s ", v->vrid);
		html_text(out, state);
		fputs("\">", out);
		html_text(out, state);
		fprintf(out, "</td><td class=\"n\">%d</td><td class=\"n\">%d</td><td>",
			v->priority, v->base_priority);
		html_text(out, v->master[0] ? v->master : "-");
		fputs("</td><td>", out);
		html_text(out, v->vips);
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

static void html_num(FILE *out, uint64_t v)
{
	char buf[32];

	fprintf(out, "<td class=\"n\" title=\"%" PRIu64 "\">%s</td>", v,
		human(v, buf, sizeof(buf)));
}

static void html_backend(const struct stats_backend *b, FILE *out)
{
	char t1[32], t2[32];

	fprintf(out, "<tr class=\"%s\"><td>", b->status);
	html_text(out, b->name);
	fputs("</td><td>", out);
	html_text(out, b->addr);
	fprintf(out, "</td><td class=\"s\">%s</td><td>", b->status);
	html_text(out, b->check);
	fputs("</td><td>", out);
	if (b->checked) {
		fprintf(out, "<span class=\"%s\">", b->last_ok ? "ok" : "bad");
		html_text(out, b->last);
		fprintf(out, "</span>%s%s%s</td><td class=\"n\">%s</td>",
			b->checks ? " (" : "",
			b->checks ? ago(b->since_check_ms, t1, sizeof(t1)) : "",
			b->checks ? " ago)" : "",
			ago(b->since_change_ms, t2, sizeof(t2)));
	} else {
		fputs("-</td><td class=\"n\">-</td>", out);
	}
	html_num(out, b->dp.counters.flows_opened);
	html_num(out, b->dp.active_flows);
	html_num(out, b->dp.counters.packets_in);
	html_num(out, b->dp.counters.bytes_in);
	html_num(out, b->dp.counters.packets_out);
	html_num(out, b->dp.counters.bytes_out);
	fputs("</tr>\n", out);
}

static void html_service(const struct stats_model *m,
			 const struct stats_service *s, FILE *out)
{
	fputs("<h2>service ", out);
	html_text(out, s->name);
	fputs(" &middot; ", out);
	html_text(out, s->listen);
	fputs("</h2>\n<table><tr><th>backend</th><th>address</th><th>status</th>"
	      "<th>check</th><th>last check</th><th>status since</th>"
	      "<th>flows opened</th><th>active flows</th>"
	      "<th>packets in</th><th>bytes in</th>"
	      "<th>packets out</th><th>bytes out</th></tr>\n", out);
	for (unsigned int k = s->first; k < s->first + s->n; k++)
		html_backend(&m->backends[k], out);
	fputs("</table>\n", out);
}

static void html_datapath(const struct stats_model *m, FILE *out)
{
	char buf[32];

	if (!m->attached)
		return;
	fputs("<h2>data plane</h2>\n<table><tr><th>counter</th><th>packets</th>"
	      "<th>meaning</th></tr>\n", out);
	for (unsigned int s = 0; s < KHAXDP_STAT_MAX; s++) {
		if (!m->datapath[s])
			continue;	/* the zeros are in /metrics */
		fprintf(out, "<tr><td>%s</td><td class=\"n\" title=\"%" PRIu64 "\">%s</td><td>",
			kx_stat_name(s), m->datapath[s],
			human(m->datapath[s], buf, sizeof(buf)));
		html_text(out, kx_stat_desc(s));
		fputs("</td></tr>\n", out);
	}
	fputs("</table>\n", out);
}

void stats_render_html(const struct stats_model *m, const char *uri,
		       FILE *out)
{
	html_header(m, uri, out);
	html_vrrp(m, out);
	for (unsigned int i = 0; i < m->n_services; i++)
		html_service(m, &m->services[i], out);
	html_datapath(m, out);
	fputs("<div class=\"sub\">UP: takes new flows &middot; DOWN: failed its "
	      "checks &middot; DRAIN / MAINT: khaxdp backend drain / disable. "
	      "in = client to backend, out = backend to client.</div>\n"
	      "</body></html>\n", out);
}
