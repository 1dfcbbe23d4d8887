/* SPDX-License-Identifier: MIT */
/*
 * CivetWeb glue.  One handler receives every request and dispatches on an
 * exact-path route table (CivetWeb's own patterns are prefixes), so
 * methods, authentication, body limits, content types, errors, security
 * headers and counting are done once, the same way for every route.
 * Notes on CivetWeb 1.15 behaviour that shaped this file are marked
 * "CivetWeb:".
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <civetweb.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "web/api.h"
#include "web/assets.h"
#include "core/control.h"
#include "log.h"
#include "util/timeutil.h"
#include "web/web.h"

/* Seconds between heartbeat comments on an idle event stream: a client
 * that went away is noticed at the next write. */
#define SSE_HEARTBEAT_MS 15000
/* Workers kept free for ordinary requests when streams are open. */
#define SSE_RESERVED_WORKERS 2
/* How long shutdown waits for the web server's workers. */
#define WEB_STOP_WAIT_MS 600

/* ---- routes and their counters ------------------------------------- */

enum route_id {
	R_PAGE, R_ASSET, R_VERSION, R_STATE, R_SETPOINT, R_MODE, R_HISTORY,
	R_EVENTS,
	R_METRICS, R_HEALTHZ, R_HEALTH_CHECK, R_GET_THERMOSTAT,
	R_GET_TEMPERATURE, R_GET_THERMOSTAT_DATA, R_SET_THERMOSTAT,
	R_NOT_FOUND, R_COUNT
};

/* The statuses counted by /metrics; anything else counts as "other". */
static const int counted_status[] = { 200, 400, 401, 404, 405, 411, 413,
				      415, 422, 500, 503, 0 };
#define S_COUNT (sizeof(counted_status) / sizeof(counted_status[0]))

struct web_counts {
	uint64_t n[R_COUNT][S_COUNT];
};

#define WEBSTATS_FIELDS(X)                                                   \
	/* requests answered, by route and status */                         \
	X(struct web_counts, counts, { { { 0 } } })                          \
	/* open event streams */                                             \
	X(unsigned, sse_clients, 0)
SS_RECORD_DECLARE(webstats, WEBSTATS_FIELDS);
SS_RECORD_DEFINE(webstats, WEBSTATS_FIELDS);

/*
 * The state route's answer, rendered once per record version and tenth of
 * a second and shared by the workers: rendering costs ~10 us (jansson),
 * as much as the rest of a request.  The ages and the staleness it
 * contains move with time, hence the tenth-of-a-second buckets.  Plain
 * data read far more than written: SS_SEQLOCK, so a hit takes no lock.
 */
#define STATE_BUCKET_S 0.1
struct state_text {
	char s[1536];
};

#define STATECACHE_FIELDS(X)                                                 \
	/* the record version and time bucket the text was rendered at */    \
	X(uint64_t, version, UINT64_MAX)                                     \
	X(int64_t, bucket, -1)                                               \
	X(uint32_t, len, 0)                                                  \
	X(struct state_text, text, { { 0 } })
SS_RECORD_DECLARE(statecache, STATECACHE_FIELDS);
SS_RECORD_DEFINE(statecache, STATECACHE_FIELDS);

struct web {
	struct mg_context *ctx;
	const struct thermo_config *cfg;
	thermo_handle rec;
	history_handle hist;
	webstats_handle stats;
	statecache_handle cache;
	double start;
	int port;
};

/* One request being answered. */
struct req {
	struct web *w;
	struct mg_connection *c;
	const struct mg_request_info *ri;
	enum route_id route;
	bool head;		/* HEAD: headers only */
	int status;		/* what was answered, for the counters */
};

typedef void route_fn(struct req *q);

struct route {
	const char *path;
	enum route_id id;
	const char *methods;	/* "GET" (HEAD implied) or "PUT"/"POST" */
	bool write;		/* needs credentials when a password file is set */
	bool compat;		/* the original daemon's route */
	route_fn *fn;
};

/* ---- responses ------------------------------------------------------ */

/* Every response carries these: no inline script anywhere, no framing,
 * no sniffing, no referrer. */
static const char security_headers[] =
	"Content-Security-Policy: default-src 'self'; script-src 'self'; "
	"style-src 'self'; img-src 'self' data:; connect-src 'self'; "
	"object-src 'none'; base-uri 'none'; form-action 'self'; "
	"frame-ancestors 'none'\r\n"
	"X-Content-Type-Options: nosniff\r\n"
	"X-Frame-Options: DENY\r\n"
	"Referrer-Policy: no-referrer\r\n";

/* The Date header, made here with gmtime_r: CivetWeb 1.15 (Debian) adds a
 * missing one with gmtime(), which races between its workers. */
static void add_date(struct mg_connection *c)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	mg_response_header_add(c, "Date", date, -1);
}

static void respond(struct req *q, int status, const char *type,
		    const char *body, size_t len, const char *extra)
{
	char clen[24];

	q->status = status;
	mg_response_header_start(q->c, status);
	add_date(q->c);
	mg_response_header_add_lines(q->c, security_headers);
	if (type)
		mg_response_header_add(q->c, "Content-Type", type, -1);
	mg_response_header_add(q->c, "Cache-Control", "no-store", -1);
	snprintf(clen, sizeof(clen), "%zu", len);
	mg_response_header_add(q->c, "Content-Length", clen, -1);
	if (extra)
		mg_response_header_add_lines(q->c, extra);
	mg_response_header_send(q->c);
	if (len && !q->head)
		mg_write(q->c, body, len);
}

static void respond_json_extra(struct req *q, int status, json_t *json,
			       const char *extra)
{
	char *text = json ? api_dump(json) : NULL;

	json_decref(json);
	if (!text) {
		static const char oom[] = "{\"error\":\"out of memory\"}";

		respond(q, 500, "application/json", oom, sizeof(oom) - 1, NULL);
		return;
	}
	respond(q, status, "application/json", text, strlen(text), extra);
	free(text);
}

static void respond_json(struct req *q, int status, json_t *json)
{
	respond_json_extra(q, status, json, NULL);
}

static void respond_error(struct req *q, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* {"error": "..."}.  The connection is closed afterwards: an error may be
 * answered before the body was read, and CivetWeb would otherwise read
 * (and discard) all of it to keep the connection alive. */
static void respond_error(struct req *q, int status, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mg_disable_connection_keep_alive(q->c);
	respond_json(q, status, api_error_json(msg));
}

/* ---- request bodies ------------------------------------------------- */

/* True when the Content-Type's media type is @want (parameters such as
 * "; charset=utf-8" allowed). */
static bool content_type_is(struct req *q, const char *want)
{
	const char *ct = mg_get_header(q->c, "Content-Type");
	size_t n = strlen(want);

	return ct && strncasecmp(ct, want, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

/* Reads the body into @buf (API_MAX_BODY + 1 bytes); its length, or -1
 * after answering 411, 413 or 400. */
static long read_body(struct req *q, char *buf)
{
	const char *te = mg_get_header(q->c, "Transfer-Encoding");
	bool chunked = te && strcasecmp(te, "chunked") == 0;
	long long clen = q->ri->content_length;
	size_t got = 0;
	int r;

	/* CivetWeb: without Content-Length or chunked encoding the body
	 * reads as empty; say so instead of acting on nothing. */
	if (clen < 0 && !chunked) {
		respond_error(q, 411, "Content-Length required");
		return -1;
	}
	if (clen > API_MAX_BODY) {
		respond_error(q, 413, "body over %d bytes", API_MAX_BODY);
		return -1;
	}
	while ((r = mg_read(q->c, buf + got, API_MAX_BODY + 1 - got)) > 0) {
		got += (size_t)r;
		if (got > API_MAX_BODY) {
			respond_error(q, 413, "body over %d bytes",
				      API_MAX_BODY);
			return -1;
		}
	}
	/* CivetWeb: mg_read returns 0 on a timeout too; a short body is an
	 * error, not a request. */
	if (r < 0 || (!chunked && (long long)got != clen)) {
		respond_error(q, 400, "incomplete body");
		return -1;
	}
	buf[got] = '\0';
	return (long)got;
}

/* ---- record access -------------------------------------------------- */

static int store_state_text(struct statecache *cache, void *ctx)
{
	const struct statecache *c = ctx;

	/* Never replace a newer rendering with an older one. */
	if (c->version < cache->version && cache->version != UINT64_MAX)
		return 0;
	*cache = *c;
	return 0;
}

static void snapshot(struct req *q, struct thermo *r)
{
	/* One lock hold for the whole state: never one per field. */
	thermo_read(q->w->rec, r, NULL);
}

static void respond_state(struct req *q)
{
	struct statecache c;
	struct thermo r;
	double now = mono_now();
	int64_t bucket = (int64_t)(now / STATE_BUCKET_S);
	char *text;
	json_t *json;
	size_t n;

	statecache_read(q->w->cache, &c, NULL);
	if (c.version == thermo_version(q->w->rec) && c.bucket == bucket) {
		respond(q, 200, "application/json", c.text.s, c.len, NULL);
		return;
	}
	/* Rendered as of the bucket's start, so every hit says the same. */
	thermo_read(q->w->rec, &r, &c.version);
	json = api_state_json(&r, q->w->cfg, (double)bucket * STATE_BUCKET_S);
	text = json ? api_dump(json) : NULL;
	json_decref(json);
	if (!text) {
		respond_error(q, 500, "out of memory");
		return;
	}
	n = strlen(text);
	if (n < sizeof(c.text.s)) {
		c.bucket = bucket;
		c.len = (uint32_t)n;
		memset(&c.text, 0, sizeof(c.text));
		memcpy(c.text.s, text, n);
		statecache_update(q->w->cache, store_state_text, &c);
	}
	respond(q, 200, "application/json", text, n, NULL);
	free(text);
}

/* ---- routes --------------------------------------------------------- */

static void get_state(struct req *q)
{
	respond_state(q);
}

/* A constant answer: also the baseline the benchmark sets the state
 * route beside (same server, same dispatch, no record). */
static void get_version(struct req *q)
{
	static const char body[] = "{\"version\":\"" SS_VERSION_STRING "\"}";

	respond(q, 200, "application/json", body, sizeof(body) - 1, NULL);
}

/* A write from a client: the setpoint or the mode. */
struct web_write {
	bool is_mode;
	double setpoint;
	enum thermo_mode mode;
	bool changed;		/* out */
};

static int apply_write(struct thermo *t, void *ctx)
{
	struct web_write *w = ctx;

	/* Once shutdown began (running false, then the record closed) the
	 * state thread makes its last save: a later write would be answered
	 * and lost.  Checked under the record's lock, so every write either
	 * lands before that save or is refused. */
	if (!t->running)
		return -ESHUTDOWN;
	if (w->is_mode) {
		w->changed = t->mode != w->mode;
		t->mode = w->mode;
	} else {
		w->changed = t->setpoint != w->setpoint;
		t->setpoint = w->setpoint;
	}
	return 0;
}

/* Applies @w; false (answered 503 or 500) when it could not. */
static bool write_record(struct req *q, struct web_write *w)
{
	int rc = thermo_update(q->w->rec, apply_write, w);

	if (rc == -ESHUTDOWN)
		respond_error(q, 503, "the thermostat is stopping");
	else if (rc < 0)
		respond_error(q, 500, "cannot write the record: %s",
			      strerror(-rc));
	return rc == 0;
}

static void put_setpoint(struct req *q)
{
	char body[API_MAX_BODY + 1];
	struct web_write ww = { .is_mode = false };
	struct api_error err;
	double celsius;
	long n;

	if (!content_type_is(q, "application/json")) {
		respond_error(q, 415, "Content-Type must be application/json");
		return;
	}
	n = read_body(q, body);
	if (n < 0)
		return;
	if (api_parse_setpoint(body, (size_t)n, q->w->cfg, &celsius,
			       &err) < 0) {
		respond_error(q, err.status, "%s", err.message);
		return;
	}
	ww.setpoint = celsius;
	if (!write_record(q, &ww))
		return;
	if (ww.changed)
		log_info("web: setpoint %.2f C (from %s)", celsius,
			 q->ri->remote_addr);
	respond_state(q);
}

static void put_mode(struct req *q)
{
	char body[API_MAX_BODY + 1];
	struct web_write ww = { .is_mode = true };
	struct api_error err;
	enum thermo_mode mode;
	long n;

	if (!content_type_is(q, "application/json")) {
		respond_error(q, 415, "Content-Type must be application/json");
		return;
	}
	n = read_body(q, body);
	if (n < 0)
		return;
	if (api_parse_mode(body, (size_t)n, &mode, &err) < 0) {
		respond_error(q, err.status, "%s", err.message);
		return;
	}
	ww.mode = mode;
	if (!write_record(q, &ww))
		return;
	if (ww.changed)
		log_info("web: mode %s (from %s)", mode_name(mode),
			 q->ri->remote_addr);
	respond_state(q);
}

struct hist_json {
	json_t *points;
	char unit;
	int failed;
};

static int add_point(const struct hist_point *p, void *ctx)
{
	struct hist_json *hj = ctx;
	json_t *t = isfinite(p->temperature)
			    ? json_real(round(api_to_unit(p->temperature,
							  hj->unit) * 100) / 100)
			    : json_null();

	if (json_array_append_new(
		    hj->points,
		    json_pack("{s:I, s:o, s:f, s:b}", "t",
			      (json_int_t)llround(p->t * 1000.0), "temperature",
			      t, "setpoint",
			      round(api_to_unit(p->setpoint, hj->unit) * 100) /
				      100,
			      "heating", p->heating)) != 0)
		hj->failed = 1;
	return hj->failed;
}

static void get_history(struct req *q)
{
	const struct thermo_config *cfg = q->w->cfg;
	struct hist_json hj = { json_array(), cfg->units, 0 };
	struct api_error err;
	char unit[2] = { cfg->units, '\0' };
	int minutes;

	if (api_parse_history_query(q->ri->query_string, cfg->history_minutes,
				    &minutes, &err) < 0) {
		json_decref(hj.points);
		respond_error(q, err.status, "%s", err.message);
		return;
	}
	/* Built under the history's read lock, without copying the ring. */
	history_each_since(q->w->hist, mono_to_wall(mono_now()) - minutes * 60.0,
			   add_point, &hj);
	if (hj.failed || !hj.points) {
		json_decref(hj.points);
		respond_error(q, 500, "out of memory");
		return;
	}
	respond_json(q, 200, json_pack("{s:i, s:s, s:o}", "interval",
				       cfg->history_interval, "units", unit,
				       "points", hj.points));
}

/* The fields an event stream reports: everything but the liveness
 * stamps, which change at every decision and reading. */
#define SSE_MASK                                                             \
	(SS_MASK_ALL & ~(SS_MASK(thermo, control_at) |                       \
			 SS_MASK(thermo, sensor_at)))

static int sse_join(struct webstats *s, void *ctx)
{
	unsigned max = *(unsigned *)ctx;

	if (s->sse_clients >= max)
		return -1;
	s->sse_clients++;
	return 0;
}

static int sse_leave(struct webstats *s, void *ctx)
{
	(void)ctx;
	s->sse_clients--;
	return 0;
}

static bool sse_send_state(struct req *q, uint64_t *seen)
{
	struct thermo r;
	char *text;
	json_t *json;
	bool ok;

	thermo_read(q->w->rec, &r, seen);
	json = api_state_json(&r, q->w->cfg, mono_now());
	text = json ? api_dump(json) : NULL;
	json_decref(json);
	if (!text)
		return false;
	ok = mg_printf(q->c, "id: %llu\nevent: state\ndata: %s\n\n",
		       (unsigned long long)*seen, text) > 0;
	free(text);
	return ok;
}

static void get_events(struct req *q)
{
	unsigned max = (unsigned)(q->w->cfg->num_threads > SSE_RESERVED_WORKERS
					  ? q->w->cfg->num_threads -
						    SSE_RESERVED_WORKERS
					  : 1);
	uint64_t seen = 0;

	/* Each stream holds a CivetWeb worker for its whole life: keep some
	 * for everything else. */
	if (webstats_update(q->w->stats, sse_join, &max) < 0) {
		respond_error(q, 503, "too many event streams (%u)", max);
		return;
	}
	q->status = 200;
	mg_disable_connection_keep_alive(q->c);
	mg_response_header_start(q->c, 200);
	add_date(q->c);
	mg_response_header_add_lines(q->c, security_headers);
	mg_response_header_add(q->c, "Content-Type", "text/event-stream", -1);
	mg_response_header_add(q->c, "Cache-Control", "no-store", -1);
	mg_response_header_add(q->c, "X-Accel-Buffering", "no", -1);
	mg_response_header_send(q->c);
	if (q->head)
		goto out;

	/* Driven by the record: one event per change, a comment when idle,
	 * and the end of the stream when the daemon closes the record. */
	if (!sse_send_state(q, &seen))
		goto out;
	for (;;) {
		int ret = thermo_wait(q->w->rec, &seen, SSE_MASK,
				      SSE_HEARTBEAT_MS);

		if (ret == -ECANCELED)
			break;
		if (ret == -ETIMEDOUT) {
			/* CivetWeb: a client that left is seen only by a
			 * failing write. */
			if (mg_printf(q->c, ": keepalive\n\n") <= 0)
				break;
			continue;
		}
		if (ret < 0 || !sse_send_state(q, &seen))
			break;
	}
out:
	webstats_update(q->w->stats, sse_leave, NULL);
}

/* Prometheus text format. */
struct text {
	char *buf;
	size_t len, cap;
	bool failed;
};

static void put(struct text *t, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return;
	for (;;) {
		va_start(ap, fmt);
		n = vsnprintf(t->buf + t->len, t->cap - t->len, fmt, ap);
		va_end(ap);
		if (n < 0) {
			t->failed = true;
			return;
		}
		if ((size_t)n < t->cap - t->len)
			break;
		{
			size_t cap = t->cap * 2 + (size_t)n;
			char *grown = realloc(t->buf, cap);

			if (!grown) {
				t->failed = true;
				return;
			}
			t->buf = grown;
			t->cap = cap;
		}
	}
	t->len += (size_t)n;
}

static void metric(struct text *t, const char *name, const char *type,
		   const char *help, double value)
{
	put(t, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
	if (isnan(value))
		put(t, "%s NaN\n", name);
	else
		put(t, "%s %.17g\n", name, value);
}

static const char *const route_names[R_COUNT] = {
	[R_PAGE] = "/", [R_ASSET] = "asset", [R_VERSION] = "/api/v1/version",
	[R_STATE] = "/api/v1/state",
	[R_SETPOINT] = "/api/v1/setpoint", [R_MODE] = "/api/v1/mode",
	[R_HISTORY] = "/api/v1/history", [R_EVENTS] = "/api/v1/events",
	[R_METRICS] = "/metrics", [R_HEALTHZ] = "/healthz",
	[R_HEALTH_CHECK] = "/health_check",
	[R_GET_THERMOSTAT] = "/get_thermostat",
	[R_GET_TEMPERATURE] = "/get_temperature",
	[R_GET_THERMOSTAT_DATA] = "/get_thermostat_data",
	[R_SET_THERMOSTAT] = "/set_thermostat", [R_NOT_FOUND] = "other",
};

static void get_metrics(struct req *q)
{
	struct text t = { malloc(4096), 0, 4096, false };
	struct webstats ws;
	struct thermo r;
	double now = mono_now();

	if (!t.buf) {
		respond_error(q, 500, "out of memory");
		return;
	}
	snapshot(q, &r);
	webstats_read(q->w->stats, &ws, NULL);
	metric(&t, "thermostat_temperature_celsius", "gauge",
	       "The measured temperature (NaN when unknown or stale).",
	       api_reading_fresh(&r, q->w->cfg, now) ? r.temperature : NAN);
	metric(&t, "thermostat_setpoint_celsius", "gauge",
	       "The temperature to hold.", r.setpoint);
	metric(&t, "thermostat_heating", "gauge",
	       "1 while the furnace relay is on.", r.heating);
	metric(&t, "thermostat_mode_heat", "gauge",
	       "1 in heat mode, 0 when off.", r.mode == MODE_HEAT);
	metric(&t, "thermostat_relay_switches_total", "counter",
	       "Relay switches since start.", r.relay_switches);
	metric(&t, "thermostat_relay_errors_total", "counter",
	       "Failed relay writes since start.", r.relay_errors);
	metric(&t, "thermostat_sensor_errors_total", "counter",
	       "Failed sensor reads since start.", r.sensor_errors);
	metric(&t, "thermostat_sensor_stale", "gauge",
	       "1 when there has been no valid reading for sensor_timeout.",
	       r.sensor_status == SENSOR_STALE);
	metric(&t, "thermostat_state_errors_total", "counter",
	       "Failed saves of the state file.", r.state_errors);
	metric(&t, "thermostat_sse_clients", "gauge",
	       "Open event streams.", ws.sse_clients);
	metric(&t, "thermostat_uptime_seconds", "gauge",
	       "Seconds since the daemon started.", now - q->w->start);
	put(&t, "# HELP thermostat_http_requests_total HTTP requests by route "
		"and status.\n# TYPE thermostat_http_requests_total counter\n");
	for (int i = 0; i < R_COUNT; i++)
		for (size_t j = 0; j < S_COUNT; j++)
			if (ws.counts.n[i][j]) {
				char status[8];

				if (counted_status[j])
					snprintf(status, sizeof(status), "%d",
						 counted_status[j]);
				else
					strcpy(status, "other");
				put(&t, "thermostat_http_requests_total{route="
					"\"%s\",status=\"%s\"} %llu\n",
				    route_names[i], status,
				    (unsigned long long)ws.counts.n[i][j]);
			}
	if (t.failed)
		respond_error(q, 500, "out of memory");
	else
		respond(q, 200, "text/plain; version=0.0.4; charset=utf-8",
			t.buf, t.len, NULL);
	free(t.buf);
}

/* Threads are alive when their stamps are recent; the sensor is fresh
 * when its reading is. */
static void get_healthz(struct req *q)
{
	const struct thermo_config *cfg = q->w->cfg;
	double now = mono_now();
	json_t *reasons = json_array();
	struct thermo r;
	bool healthy;

	snapshot(q, &r);
	/* The control thread decides at least every 10 s. */
	if (now - ts_to_s(r.control_at) > 30)
		json_array_append_new(reasons,
				      json_string("control thread not deciding"));
	if (now - ts_to_s(r.sensor_at) > cfg->sensor_interval * 3 + 10)
		json_array_append_new(reasons,
				      json_string("sensor thread not reading"));
	if (!api_reading_fresh(&r, cfg, now))
		json_array_append_new(reasons,
				      json_string("no fresh temperature reading"));
	if (!r.relay_ok)
		json_array_append_new(reasons,
				      json_string("relay cannot be driven"));
	healthy = json_array_size(reasons) == 0;
	respond_json(q, healthy ? 200 : 503,
		     json_pack("{s:s, s:o}", "status",
			       healthy ? "ok" : "unhealthy", "reasons",
			       reasons));
}

static void get_page(struct req *q)
{
	const struct asset *a = asset_find("/index.html");

	if (!a) {
		respond_error(q, 404, "no page");
		return;
	}
	respond(q, 200, a->type, (const char *)a->data, a->len, NULL);
}

static void get_asset(struct req *q)
{
	const struct asset *a = asset_find(q->ri->local_uri);

	if (!a) {
		q->route = R_NOT_FOUND;
		respond_error(q, 404, "not found");
		return;
	}
	respond(q, 200, a->type, (const char *)a->data, a->len, NULL);
}

/* The original daemon's routes, in its own shapes. */
static void get_health_check(struct req *q)
{
	respond(q, 200, NULL, NULL, 0, NULL);
}

static void get_thermostat(struct req *q)
{
	struct thermo r;

	snapshot(q, &r);
	respond_json(q, 200, api_compat_setting_json(&r));
}

static void get_temperature(struct req *q)
{
	struct thermo r;

	snapshot(q, &r);
	respond_json(q, 200,
		     api_compat_temperature_json(&r, q->w->cfg, mono_now()));
}

static void get_thermostat_data(struct req *q)
{
	struct thermo r;

	snapshot(q, &r);
	respond_json(q, 200, api_compat_data_json(&r, q->w->cfg, mono_now()));
}

static void post_set_thermostat(struct req *q)
{
	char body[API_MAX_BODY + 1];
	struct web_write ww = { .is_mode = false };
	struct api_error err;
	double celsius;
	long n;

	if (!content_type_is(q, "application/x-www-form-urlencoded")) {
		respond_error(q, 415, "Content-Type must be "
			      "application/x-www-form-urlencoded");
		return;
	}
	n = read_body(q, body);
	if (n < 0)
		return;
	if (api_parse_compat_form(body, (size_t)n, q->w->cfg, &celsius,
				  &err) < 0) {
		respond_error(q, err.status, "%s", err.message);
		return;
	}
	ww.setpoint = celsius;
	if (!write_record(q, &ww))
		return;
	if (ww.changed)
		log_info("web: setpoint %.2f C (from %s, /set_thermostat)",
			 celsius, q->ri->remote_addr);
	respond(q, 200, NULL, NULL, 0, NULL);
}

static const struct route routes[] = {
	{ "/", R_PAGE, "GET", false, false, get_page },
	{ "/api/v1/version", R_VERSION, "GET", false, false, get_version },
	{ "/api/v1/state", R_STATE, "GET", false, false, get_state },
	{ "/api/v1/setpoint", R_SETPOINT, "PUT", true, false, put_setpoint },
	{ "/api/v1/mode", R_MODE, "PUT", true, false, put_mode },
	{ "/api/v1/history", R_HISTORY, "GET", false, false, get_history },
	{ "/api/v1/events", R_EVENTS, "GET", false, false, get_events },
	{ "/metrics", R_METRICS, "GET", false, false, get_metrics },
	{ "/healthz", R_HEALTHZ, "GET", false, false, get_healthz },
	{ "/health_check", R_HEALTH_CHECK, "GET", false, true,
	  get_health_check },
	{ "/get_thermostat", R_GET_THERMOSTAT, "GET", false, true,
	  get_thermostat },
	{ "/get_temperature", R_GET_TEMPERATURE, "GET", false, true,
	  get_temperature },
	{ "/get_thermostat_data", R_GET_THERMOSTAT_DATA, "GET", false, true,
	  get_thermostat_data },
	{ "/set_thermostat", R_SET_THERMOSTAT, "POST", true, true,
	  post_set_thermostat },
};

static const struct route asset_route = { NULL, R_ASSET, "GET", false,
					  false, get_asset };

/* ---- dispatch ------------------------------------------------------- */

struct count {
	enum route_id route;
	int status;
};

static int count_request(struct webstats *s, void *ctx)
{
	const struct count *c = ctx;
	size_t j = 0;

	while (counted_status[j] && counted_status[j] != c->status)
		j++;
	s->counts.n[c->route][j]++;
	return 0;
}

static const struct route *find_route(struct web *w, const char *path)
{
	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++)
		if (strcmp(routes[i].path, path) == 0)
			return routes[i].compat && !w->cfg->compat_routes
				       ? NULL
				       : &routes[i];
	if (asset_find(path))
		return &asset_route;
	return NULL;
}

static bool method_allowed(const struct route *rt, const char *method,
			   bool head)
{
	return strcmp(method, rt->methods) == 0 ||
	       (head && strcmp(rt->methods, "GET") == 0);
}

/* RFC 9112 6.3: a request whose body length is in doubt is refused, as a
 * proxy in front may have framed it otherwise (request smuggling).
 * CivetWeb takes the first Content-Length, reads "16abc" as 16, lets
 * Transfer-Encoding win over Content-Length and looks only at the first
 * Transfer-Encoding header, all silently.  So: one Transfer-Encoding at
 * most, exactly "chunked", and never beside a Content-Length. */
static bool framing_ambiguous(const struct mg_request_info *ri)
{
	const char *cl = NULL;
	int te = 0;

	for (int i = 0; i < ri->num_headers; i++) {
		const char *name = ri->http_headers[i].name;
		const char *value = ri->http_headers[i].value;

		if (strcasecmp(name, "Transfer-Encoding") == 0 &&
		    (++te > 1 || strcasecmp(value, "chunked") != 0))
			return true;
		if (strcasecmp(name, "Content-Length") != 0)
			continue;
		if (!*value || value[strspn(value, "0123456789")] != '\0')
			return true;
		if (cl && strcmp(cl, value) != 0)
			return true;
		cl = value;
	}
	return te && cl;
}

static bool authorized(struct req *q, const struct route *rt)
{
	const struct thermo_config *cfg = q->w->cfg;

	if (!cfg->password_file[0] || (!rt->write && !cfg->auth_reads))
		return true;
	/* CivetWeb: > 0 only for a valid user and password; remote_user
	 * is filled in even when the password is wrong, so it is not
	 * looked at. */
	if (mg_check_digest_access_authentication(q->c, cfg->auth_realm,
						  cfg->password_file) > 0)
		return true;
	q->status = 401;
	mg_send_digest_access_authentication_request(q->c, cfg->auth_realm);
	return false;
}

static int dispatch(struct mg_connection *c, void *ud)
{
	struct web *w = ud;
	struct req q = { .w = w, .c = c, .ri = mg_get_request_info(c),
			 .route = R_NOT_FOUND, .status = 500 };
	const struct route *rt;
	struct count cnt;

	/* RFC 9110 9.3.2: no content in any answer to HEAD, errors too. */
	q.head = strcmp(q.ri->request_method, "HEAD") == 0;

	/* decode_url is off: the path arrives as sent.  Our paths hold no
	 * escapes, so one with '%' matches nothing; an encoded NUL (which
	 * CivetWeb would otherwise decode and silently truncate at) is
	 * refused outright. */
	if (!q.ri->local_uri || strstr(q.ri->local_uri, "%00")) {
		respond_error(&q, 400, "bad path");
		goto out;
	}
	if (framing_ambiguous(q.ri)) {
		respond_error(&q, 400, "ambiguous message length");
		goto out;
	}
	rt = find_route(w, q.ri->local_uri);
	if (!rt) {
		respond_error(&q, 404, "not found");
		goto out;
	}
	q.route = rt->id;
	if (!method_allowed(rt, q.ri->request_method, q.head)) {
		char allow[48];

		snprintf(allow, sizeof(allow), "Allow: %s%s\r\n", rt->methods,
			 strcmp(rt->methods, "GET") == 0 ? ", HEAD" : "");
		mg_disable_connection_keep_alive(c);
		respond_json_extra(&q, 405, api_error_json("method not allowed"),
				   allow);
		goto out;
	}
	if (!authorized(&q, rt))
		goto out;
	rt->fn(&q);
out:
	cnt.route = q.route;
	cnt.status = q.status;
	webstats_update(w->stats, count_request, &cnt);
	/* Any non-zero return means "handled"; CivetWeb logs it as the
	 * status. */
	return q.status;
}

/* CivetWeb's own messages (bind failures...) go to our log. */
static int log_message(const struct mg_connection *c, const char *message)
{
	(void)c;
	log_warn("web: %s", message);
	return 1;
}

static bool listen_is_loopback_only(const char *listen)
{
	return strncmp(listen, "127.", 4) == 0 ||
	       strncmp(listen, "localhost:", 10) == 0;
}

struct web *web_start(const struct thermo_config *cfg, thermo_handle rec,
		      history_handle hist, double start, char *err, size_t len)
{
	char threads[16], timeout[16];
	struct mg_callbacks cb = { .log_message = log_message };
	struct mg_server_port ports[4];
	char etext[256] = "";
	struct mg_error_data edata = { NULL, etext, sizeof(etext) };
	const char *options[32];
	struct mg_init_data init;
	struct web *w;
	int n = 0, nports;

	w = calloc(1, sizeof(*w));
	if (!w) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	w->cfg = cfg;
	w->start = start;
	w->stats = webstats_new(NULL, SS_MUTEX);
	if (!webstats_valid(w->stats)) {
		snprintf(err, len, "cannot create the counters: %s",
			 ss_last_error());
		free(w);
		return NULL;
	}
	w->cache = statecache_new(NULL, SS_SEQLOCK);
	if (!statecache_valid(w->cache)) {
		snprintf(err, len, "cannot create the state cache: %s",
			 ss_last_error());
		webstats_unref(w->stats);
		free(w);
		return NULL;
	}
	w->rec = thermo_ref(rec);
	w->hist = history_ref(hist);

	snprintf(threads, sizeof(threads), "%d", cfg->num_threads);
	snprintf(timeout, sizeof(timeout), "%d", cfg->request_timeout_ms);
	options[n++] = "listening_ports";
	options[n++] = cfg->listen;
	options[n++] = "num_threads";
	options[n++] = threads;
	options[n++] = "request_timeout_ms";
	options[n++] = timeout;
	options[n++] = "enable_keep_alive";
	options[n++] = "yes";
	options[n++] = "keep_alive_timeout_ms";
	options[n++] = "5000";
	/* Headers and body go out in separate writes: without this, Nagle
	 * and the client's delayed ACK hold each answer 40 ms. */
	options[n++] = "tcp_nodelay";
	options[n++] = "1";
	/* Seen and refused by dispatch() instead of silently truncated. */
	options[n++] = "decode_url";
	options[n++] = "no";
	/* CivetWeb answers CORS preflights itself, before handlers and
	 * authentication, unless this is empty. */
	options[n++] = "access_control_allow_origin";
	options[n++] = "";
	/* On CivetWeb's own answers (malformed requests, 401). */
	options[n++] = "additional_header";
	options[n++] = "X-Content-Type-Options: nosniff\r\n"
		       "X-Frame-Options: DENY\r\n"
		       "Referrer-Policy: no-referrer\r\n"
		       "Content-Security-Policy: default-src 'none'";
	options[n++] = "authentication_domain";
	options[n++] = cfg->auth_realm;
	if (cfg->access_control_list[0]) {
		options[n++] = "access_control_list";
		options[n++] = cfg->access_control_list;
	}
	options[n] = NULL;

	mg_init_library(0); /* CivetWeb: returns 0 for 0 features; fine */
	init.callbacks = &cb;
	init.user_data = w;
	init.configuration_options = options;
	w->ctx = mg_start2(&init, &edata);
	if (!w->ctx) {
		snprintf(err, len, "cannot listen on %s: %s", cfg->listen,
			 etext[0] ? etext : "unknown error");
		goto fail;
	}
	nports = mg_get_server_ports(w->ctx, 4, ports);
	w->port = nports > 0 ? ports[0].port : -1;
	mg_set_request_handler(w->ctx, "/", dispatch, w);

	if (!cfg->password_file[0])
		log_warn("web: no password_file: anyone who can reach %s can "
			 "change the setpoint and the mode", cfg->listen);
	if (!listen_is_loopback_only(cfg->listen) && !cfg->password_file[0])
		log_warn("web: listening beyond loopback (%s) without "
			 "authentication", cfg->listen);
	log_info("web: listening on %s (port %d)", cfg->listen, w->port);
	return w;
fail:
	thermo_unref(w->rec);
	history_unref(w->hist);
	webstats_unref(w->stats);
	statecache_unref(w->cache);
	mg_exit_library();
	free(w);
	return NULL;
}

int web_port(const struct web *w)
{
	return w ? w->port : -1;
}

/* CivetWeb's master thread polls its sockets in 2 s slices and looks at
 * the stop flag only between them; a connection wakes it.  The first
 * may come before mg_stop raised the flag, so poke a few times. */
static void *poke(void *arg)
{
	struct sockaddr_in sa = {
		.sin_family = AF_INET,
		.sin_port = htons((uint16_t)(uintptr_t)arg),
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};

	for (int i = 0; i < 20; i++) {
		int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

		if (fd < 0)
			break;
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
			close(fd);
			break; /* nobody listens any more: done */
		}
		close(fd);
		usleep(100 * 1000);
	}
	return NULL;
}

static void *stopper(void *ctx)
{
	mg_stop(ctx);
	return NULL;
}

/* Waits up to @ms for thread @t; whether it ended. */
static bool join_within(pthread_t t, long ms)
{
	struct timespec deadline;

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += ms * 1000000L;
	deadline.tv_sec += deadline.tv_nsec / 1000000000L;
	deadline.tv_nsec %= 1000000000L;
	return pthread_timedjoin_np(t, NULL, &deadline) == 0;
}

bool web_stop(struct web *w)
{
	pthread_t t;

	if (!w)
		return true;
	/* Event streams have ended (the record is closed); mg_stop joins
	 * the workers.  The poking thread ends by itself once the port is
	 * closed. */
	if (w->port > 0 && pthread_create(&t, NULL, poke,
					  (void *)(uintptr_t)w->port) == 0)
		pthread_detach(t);
	if (pthread_create(&t, NULL, stopper, w->ctx) != 0) {
		mg_stop(w->ctx);
	} else if (!join_within(t, WEB_STOP_WAIT_MS)) {
		/* CivetWeb: a worker reading a slow request body sees the
		 * stop flag only between 2 s poll slices, and no API reaches
		 * its socket.  The relay is off and the state saved by now:
		 * do not hold the exit for it. */
		log_warn("web: a request is still being read; exiting without "
			 "waiting for it");
		/* Its worker still uses w: leave it to the exit. */
		pthread_detach(t);
		return false;
	}
	mg_exit_library();
	thermo_unref(w->rec);
	history_unref(w->hist);
	webstats_unref(w->stats);
	statecache_unref(w->cache);
	free(w);
	return true;
}
