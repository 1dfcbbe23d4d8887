/* SPDX-License-Identifier: MIT */
/*
 * The web server, over real HTTP: each test starts the server in-process
 * on an ephemeral loopback port (listen = 127.0.0.1:0), on a record it sets
 * up itself, and talks to it with libcurl, or with raw sockets for what
 * libcurl will not send.  Every route, every error status, digest
 * authentication, the security headers on every response, the original
 * daemon's routes and their exact JSON, metrics, health, history, and the
 * event stream (first event, one per change, latency, end at close, cap).
 * Every rejected request is followed by a check that the record did not
 * change: bad input gets a clear error and changes nothing.
 *
 * Here: the server under test and the helpers of more than one topic
 * (web_fixture.h), and check-web's suites and set-up for runner.c.  The
 * tests, one file per topic: check_web_routes.c, check_web_writes.c,
 * check_web_compat.c, check_web_observe.c (history, metrics, health),
 * check_web_auth.c, check_web_digest.c (the logins' pure parts),
 * check_web_events.c, check_web_door.c (Host, origins, strict bodies).
 */
#include <config.h>
#define _GNU_SOURCE
#include <check.h>
#include <curl/curl.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sharedstate.h>

#include "conf/conf.h"
#include "core/history.h"
#include "core/program.h"
#include "log.h"
#include "util/timeutil.h"
#include "web/web.h"

#include "http.h"
#include "runner.h"
#include "web_fixture.h"

/* TEST_SCALE: sanitizer builds are slower (set by test_setup). */
double scale = 1;

/* The server under test, and what it serves. */
struct thermo_settings cfg;
thermo_handle rec;
history_handle hist;
struct web *web;
int port;

/* A record as a running daemon has it: a fresh reading of 19.5 C, live
 * threads, setpoint 21 C, heat mode. */
struct thermo fresh_record(void)
{
	struct thermo r = thermo_defaults;
	struct timespec now = mono_now_ts();

	r.temperature = 19.5;
	r.temperature_at = now;
	r.sensor_status = SENSOR_OK;
	r.sensor_at = now;
	r.control_at = now;
	r.relay_changed_at = now;
	r.manual = 21.0;
	r.mode = MODE_HEAT;
	r.reason = REASON_HOLD_OFF;
	/* The default presets, no switch point: the setpoint is the
	 * manual one, 21 C. */
	sched_default_presets(&r.presets);
	program_refresh(&r, (time_t)wall_now());
	return r;
}

/* Starts the server with the defaults on 127.0.0.1:0, changed by @tweak. */
void serve(tweak_fn *tweak)
{
	struct thermo init = fresh_record();
	char err[256];

	metrics_fetched = 0;
	config_defaults(&cfg);
	snprintf(cfg.listen, sizeof(cfg.listen), "127.0.0.1:0");
	cfg.request_timeout_ms = 1000;
	if (tweak)
		tweak(&cfg);
	rec = thermo_new(&init, SS_MUTEX);
	ck_assert(thermo_valid(rec));
	hist = history_create(100);
	ck_assert(history_valid(hist));
	web = web_start(&cfg, rec, hist, mono_now(), err, sizeof(err));
	ck_assert_msg(web != NULL, "web_start: %s", err);
	port = web_port(web);
	ck_assert_int_gt(port, 0);
}

/* CivetWeb's master thread sees the stop flag only when a connection
 * (or its 2 s poll) wakes it; web_stop pokes every 100 ms.  Poking more
 * often takes a tenth of a second off most tests. */
static void *poke_until_closed(void *arg)
{
	double deadline = now_ms() + 3000 * scale;

	(void)arg;
	while (now_ms() < deadline) {
		int fd = raw_connect(port);

		if (fd < 0)
			break;
		close(fd);
		usleep(5 * 1000);
	}
	return NULL;
}

void teardown(void)
{
	pthread_t poker;
	bool poking;

	if (!web)
		return;
	/* As the daemon does: close the record (event streams end), then
	 * stop the server. */
	thermo_close(rec);
	poking = pthread_create(&poker, NULL, poke_until_closed, NULL) == 0;
	/* All of it: a worker left running would outlive the test. */
	ck_assert_msg(web_stop(web, 30 * scale), "the web server did not stop");
	if (poking)
		pthread_join(poker, NULL);
	web = NULL;
	history_unref(hist);
	thermo_unref(rec);
}

TCase *web_tcase(Suite *s, const char *name)
{
	TCase *tc = tcase_create(name);

	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	suite_add_tcase(s, tc);
	return tc;
}

/* ---- what every response must carry --------------------------------- */

void assert_secure_headers(const char *headers, const char *what)
{
	char v[512];

	ck_assert_msg(http_header_in(headers, "Content-Security-Policy", v,
				     sizeof(v)),
		      "%s: no Content-Security-Policy in\n%s", what, headers);
	ck_assert_msg(strstr(v, "default-src") != NULL,
		      "%s: CSP without default-src: %s", what, v);
	ck_assert_msg(strstr(v, "unsafe-inline") == NULL &&
			      strstr(v, "unsafe-eval") == NULL,
		      "%s: CSP allows inline code: %s", what, v);
	ck_assert_msg(http_header_in(headers, "X-Content-Type-Options", v,
				     sizeof(v)) &&
			      strcmp(v, "nosniff") == 0,
		      "%s: no X-Content-Type-Options: nosniff in\n%s", what,
		      headers);
	ck_assert_msg(http_header_in(headers, "Referrer-Policy", v,
				     sizeof(v)) &&
			      strcmp(v, "no-referrer") == 0,
		      "%s: no Referrer-Policy: no-referrer in\n%s", what,
		      headers);
}

/* Every response: the security headers, and a Content-Type whenever
 * there is a body. */
void assert_response(const struct http_resp *rs, const char *what)
{
	char len[32];

	ck_assert_msg(rs->status != 0, "%s: no response (%s)", what,
		      rs->error);
	assert_secure_headers(rs->headers, what);
	if (rs->body_len > 0 ||
	    (http_header(rs, "Content-Length", len, sizeof(len)) &&
	     strcmp(len, "0") != 0))
		ck_assert_msg(http_header(rs, "Content-Type", NULL, 0),
			      "%s: a body without a Content-Type", what);
}

void assert_type(const struct http_resp *rs, const char *type,
			const char *what)
{
	char v[128];

	ck_assert_msg(http_header(rs, "Content-Type", v, sizeof(v)),
		      "%s: no Content-Type", what);
	ck_assert_msg(strcmp(v, type) == 0, "%s: Content-Type %s, not %s",
		      what, v, type);
}

/* @method @path with a body of @type (NULL: no body; "": body without a
 * Content-Type), @n bytes of it ((size_t)-1: a string).  Checks what
 * every response must carry; returns the status. */
long request_n(struct http_resp *rs, const char *method,
		      const char *path, const char *type, const char *body,
		      size_t n)
{
	char ct[200], what[300];
	const char *hdrs[] = { ct, NULL };
	struct http_req rq = { .method = method, .path = path,
			       .headers = hdrs, .body = body, .body_len = n };

	snprintf(ct, sizeof(ct), "Content-Type:%s%s", type && *type ? " " : "",
		 type ? type : "");
	http_do(port, &rq, rs);
	snprintf(what, sizeof(what), "%s %s", method ? method : "GET", path);
	assert_response(rs, what);
	return rs->status;
}

long request(struct http_resp *rs, const char *method,
		    const char *path, const char *type, const char *body)
{
	return request_n(rs, method, path, type, body, (size_t)-1);
}

long get(struct http_resp *rs, const char *path)
{
	return request(rs, "GET", path, NULL, NULL);
}

json_t *json_body(const struct http_resp *rs)
{
	json_error_t je;
	json_t *j = json_loadb(rs->body, rs->body_len, 0, &je);

	ck_assert_msg(j != NULL, "not JSON (%s): %s", je.text, rs->body);
	return j;
}

double json_num(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	ck_assert_msg(json_is_number(v), "\"%s\" is not a number", key);
	return json_number_value(v);
}

const char *json_str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	ck_assert_msg(s != NULL, "\"%s\" is not a string", key);
	return s;
}

/* A JSON error body: {"error": "..."} with a message. */
void assert_json_error(const struct http_resp *rs, const char *what)
{
	json_t *j = json_body(rs);

	assert_type(rs, "application/json", what);
	ck_assert_msg(json_is_object(j) && json_object_size(j) == 1 &&
			      json_string_length(json_object_get(j, "error")),
		      "%s: not an error object: %s", what, rs->body);
	json_decref(j);
}

/* Sends a request that must be refused with @status and a JSON error,
 * and checks that the record did not change at all. */
void refused_n(long status, const char *method, const char *path,
		      const char *type, const char *body, size_t n)
{
	uint64_t version = thermo_version(rec);
	struct thermo before, after;
	struct http_resp rs;
	char what[200];

	thermo_read(rec, &before, NULL);
	snprintf(what, sizeof(what), "%s %s [%.60s]", method, path,
		 body ? body : "");
	request_n(&rs, method, path, type, body, n);
	ck_assert_msg(rs.status == status, "%s: %ld, not %ld: %s", what,
		      rs.status, status, rs.body);
	if (status != 401)
		assert_json_error(&rs, what);
	thermo_read(rec, &after, NULL);
	ck_assert_msg(thermo_version(rec) == version,
		      "%s: the record changed (version %llu -> %llu)", what,
		      (unsigned long long)version,
		      (unsigned long long)thermo_version(rec));
	ck_assert(after.setpoint == before.setpoint);
	ck_assert(after.mode == before.mode);
	http_free(&rs);
}

void refused(long status, const char *method, const char *path,
		    const char *type, const char *body)
{
	refused_n(status, method, path, type, body, (size_t)-1);
}

/* A raw request that must be refused with @status (0: the connection
 * closed without an answer) without changing the record. */
void raw_refused(int status, const char *req, size_t n,
			const char *what)
{
	uint64_t version = thermo_version(rec);
	struct raw_result r;

	ck_assert_int_eq(raw_exchange(port, req, n, (int)(RAW_WAIT_MS * scale),
				      &r),
			 0);
	ck_assert_msg(r.status == status, "%s: status %d, not %d:\n%s", what,
		      r.status, status, r.data);
	if (status) {
		ck_assert_msg(r.body_at > 0, "%s: no header block", what);
		assert_secure_headers(r.data, what);
	}
	ck_assert_msg(thermo_version(rec) == version,
		      "%s: the record changed", what);
	raw_free(&r);
}

/* ---- the GET routes, HEAD ------------------------------------------ */

const char *const get_routes[] = {
	"/", "/index.html", "/app.js", "/style.css", "/api/v1/version",
	"/api/v1/state", "/api/v1/presets", "/api/v1/schedule",
	"/api/v1/history", "/metrics", "/healthz", "/health_check",
	"/get_thermostat", "/get_temperature", "/get_thermostat_data",
};

/* HEAD @path on a raw socket: the whole answer, checked to have no body. */
void head_raw(const char *path, struct raw_result *r)
{
	char req[256];
	int n = snprintf(req, sizeof(req),
			 "HEAD %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			 "Connection: close\r\n\r\n", path);

	ck_assert_int_eq(raw_exchange(port, req, (size_t)n,
				      (int)(RAW_WAIT_MS * scale), r), 0);
	ck_assert_msg(r->closed, "HEAD %s: the connection stayed open", path);
	ck_assert_msg(r->body_at > 0, "HEAD %s: no header block:\n%s", path,
		      r->data);
	ck_assert_msg(r->len == r->body_at,
		      "HEAD %s: %zu bytes of body after the headers:\n%s", path,
		      r->len - r->body_at, r->data);
	assert_secure_headers(r->data, path);
}

/* ---- metrics -------------------------------------------------------- */

/* The value of sample @name (with its labels, as printed); NAN when
 * absent.  Also checks the whole text is Prometheus' text format. */
double metric_value(const char *text, const char *name)
{
	double found = NAN;
	char typed[64][80];
	int ntyped = 0;

	ck_assert_msg(*text && text[strlen(text) - 1] == '\n',
		      "metrics do not end with a newline");
	for (const char *p = text; *p;) {
		const char *eol = strchr(p, '\n');
		char line[512], mname[128], *end;
		size_t n, k = 0;

		ck_assert_ptr_nonnull(eol);
		n = (size_t)(eol - p);
		ck_assert_uint_lt(n, sizeof(line));
		memcpy(line, p, n);
		line[n] = '\0';
		p = eol + 1;
		if (strncmp(line, "# HELP ", 7) == 0)
			continue;
		if (strncmp(line, "# TYPE ", 7) == 0) {
			char type[32];

			ck_assert_msg(sscanf(line + 7, "%79s %31s",
					     typed[ntyped], type) == 2,
				      "bad TYPE line: %s", line);
			ck_assert_msg(strcmp(type, "gauge") == 0 ||
					      strcmp(type, "counter") == 0,
				      "type %s", type);
			ck_assert_int_lt(++ntyped, 64);
			continue;
		}
		ck_assert_msg(line[0] != '#' && line[0] != '\0',
			      "stray line: \"%s\"", line);
		/* name{label="value",...} value */
		while (line[k] == '_' || line[k] == ':' ||
		       (line[k] >= 'a' && line[k] <= 'z') ||
		       (line[k] >= 'A' && line[k] <= 'Z') ||
		       (k && line[k] >= '0' && line[k] <= '9'))
			k++;
		ck_assert_msg(k > 0, "no metric name: %s", line);
		snprintf(mname, sizeof(mname), "%.*s", (int)k, line);
		{
			bool has_type = false;

			for (int i = 0; i < ntyped; i++)
				has_type = has_type ||
					   strcmp(typed[i], mname) == 0;
			ck_assert_msg(has_type, "%s has no TYPE line", mname);
		}
		if (line[k] == '{') {
			char *close = strchr(line + k, '}');

			ck_assert_msg(close != NULL, "unclosed labels: %s",
				      line);
			k = (size_t)(close - line) + 1;
		}
		ck_assert_msg(line[k] == ' ', "no value: %s", line);
		line[k] = '\0';
		{
			double v = strtod(line + k + 1, &end);

			ck_assert_msg(end != line + k + 1 && *end == '\0',
				      "bad value in %s %s", line,
				      line + k + 1);
			if (strcmp(line, name) == 0)
				found = v;
		}
	}
	return found;
}

int metrics_fetched;

double metric(const char *name)
{
	struct http_resp rs;
	double v;

	ck_assert_int_eq(get(&rs, "/metrics"), 200);
	metrics_fetched++;
	v = metric_value(rs.body, name);
	http_free(&rs);
	return v;
}

/* ---- the program ---------------------------------------------------- */

const suite_fn test_suites[] = {
	suite_web_routes,
	suite_web_writes,
	suite_web_compat,
	suite_web_observe,
	suite_web_auth,
	suite_web_digest,
	suite_web_events,
	suite_web_door,
	suite_web_limits,
	suite_web_alarm,
	suite_web_program,
	NULL
};

int test_setup(void)
{
	scale = test_scale();
	/* Warnings about the missing password file would drown the
	 * output. */
	log_set_level(LOG_LEVEL_ERROR);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "curl_global_init failed\n");
		return -1;
	}
	return 0;
}

void test_cleanup(void)
{
	curl_global_cleanup();
}
