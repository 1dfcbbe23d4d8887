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
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <check.h>
#include <curl/curl.h>
#include <errno.h>
#include <ifaddrs.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sharedstate.h>

#include "conf/conf.h"
#include "core/history.h"
#include "log.h"
#include "util/timeutil.h"
#include "web/api.h"
#include "web/web.h"

#include "http.h"

/* alice's password s3cret, realm thermostat: md5("alice:thermostat:s3cret"),
 * as htdigest writes it. */
#define HTDIGEST "alice:thermostat:d77f8830abf4a40b7e42bec8752abe05\n"

static char root[64];		/* made by main(), removed at the end */
static double scale = 1;	/* TEST_SCALE: sanitizer builds are slower */

/* The server under test, and what it serves. */
static struct thermo_settings cfg;
static thermo_handle rec;
static history_handle hist;
static struct web *web;
static int port;

typedef void tweak_fn(struct thermo_settings *c);

/* A record as a running daemon has it: a fresh reading of 19.5 C, live
 * threads, setpoint 21 C, heat mode. */
static struct thermo fresh_record(void)
{
	struct thermo r = thermo_defaults;
	struct timespec now = mono_now_ts();

	r.temperature = 19.5;
	r.temperature_at = now;
	r.sensor_status = SENSOR_OK;
	r.sensor_at = now;
	r.control_at = now;
	r.relay_changed_at = now;
	r.setpoint = 21.0;
	r.mode = MODE_HEAT;
	r.reason = REASON_HOLD_OFF;
	return r;
}

/* Starts the server with the defaults on 127.0.0.1:0, changed by @tweak. */
static void serve(tweak_fn *tweak)
{
	struct thermo init = fresh_record();
	char err[256];

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

static void teardown(void)
{
	pthread_t poker;
	bool poking;

	if (!web)
		return;
	/* As the daemon does: close the record (event streams end), then
	 * stop the server. */
	thermo_close(rec);
	poking = pthread_create(&poker, NULL, poke_until_closed, NULL) == 0;
	web_stop(web);
	if (poking)
		pthread_join(poker, NULL);
	web = NULL;
	history_unref(hist);
	thermo_unref(rec);
}

/* ---- what every response must carry --------------------------------- */

static void assert_secure_headers(const char *headers, const char *what)
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
static void assert_response(const struct http_resp *rs, const char *what)
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

static void assert_type(const struct http_resp *rs, const char *type,
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
static long request_n(struct http_resp *rs, const char *method,
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

static long request(struct http_resp *rs, const char *method,
		    const char *path, const char *type, const char *body)
{
	return request_n(rs, method, path, type, body, (size_t)-1);
}

static long get(struct http_resp *rs, const char *path)
{
	return request(rs, "GET", path, NULL, NULL);
}

static json_t *json_body(const struct http_resp *rs)
{
	json_error_t je;
	json_t *j = json_loadb(rs->body, rs->body_len, 0, &je);

	ck_assert_msg(j != NULL, "not JSON (%s): %s", je.text, rs->body);
	return j;
}

static double json_num(json_t *obj, const char *key)
{
	json_t *v = json_object_get(obj, key);

	ck_assert_msg(json_is_number(v), "\"%s\" is not a number", key);
	return json_number_value(v);
}

static const char *json_str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	ck_assert_msg(s != NULL, "\"%s\" is not a string", key);
	return s;
}

/* A JSON error body: {"error": "..."} with a message. */
static void assert_json_error(const struct http_resp *rs, const char *what)
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
static void refused_n(long status, const char *method, const char *path,
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

static void refused(long status, const char *method, const char *path,
		    const char *type, const char *body)
{
	refused_n(status, method, path, type, body, (size_t)-1);
}

/* A raw request that must be refused with @status (0: the connection
 * closed without an answer) without changing the record. */
static void raw_refused(int status, const char *req, size_t n,
			const char *what)
{
	uint64_t version = thermo_version(rec);
	struct raw_result r;

	ck_assert_int_eq(raw_exchange(port, req, n, (int)(3000 * scale), &r),
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

/* ---- routes --------------------------------------------------------- */

START_TEST(state_is_a_snapshot_of_the_record)
{
	struct http_resp rs;
	json_t *j;

	serve(NULL);
	ck_assert_int_eq(get(&rs, "/api/v1/state"), 200);
	assert_type(&rs, "application/json", "state");
	j = json_body(&rs);
	ck_assert(json_num(j, "temperature") == 19.5);
	ck_assert(json_num(j, "setpoint") == 21.0);
	ck_assert(json_num(j, "min_setpoint") == 5.0);
	ck_assert(json_num(j, "max_setpoint") == 30.0);
	ck_assert_str_eq(json_str(j, "mode"), "heat");
	ck_assert(json_is_false(json_object_get(j, "heating")));
	ck_assert_str_eq(json_str(j, "reason"), "hold_off");
	ck_assert_str_eq(json_str(j, "units"), "C");
	ck_assert_str_eq(json_string_value(json_object_get(
				 json_object_get(j, "sensor"), "status")),
			 "ok");
	ck_assert(json_is_true(json_object_get(json_object_get(j, "relay"),
					       "ok")));
	ck_assert(json_is_true(json_object_get(j, "state_saved")));
	ck_assert(json_num(j, "time") > 1.6e12);
	/* Ages from the record's stamps, taken just before (that they are
	 * never negative is state_ages_are_never_negative's). */
	ck_assert(json_num(j, "temperature_age") < 5);
	ck_assert(json_num(j, "relay_changed_age") < 5);
	json_decref(j);
	http_free(&rs);

	/* What the record says, the next request says. */
	thermo_set_setpoint(rec, 23.5);
	thermo_set_mode(rec, MODE_OFF);
	thermo_set_heating(rec, true);
	ck_assert_int_eq(get(&rs, "/api/v1/state"), 200);
	j = json_body(&rs);
	ck_assert(json_num(j, "setpoint") == 23.5);
	ck_assert_str_eq(json_str(j, "mode"), "off");
	ck_assert(json_is_true(json_object_get(j, "heating")));
	json_decref(j);
	http_free(&rs);
}
END_TEST

/* The state is rendered once per tenth of a second (web.c's cache): a
 * stamp taken late in one must not come out as a negative age.  Each
 * round sets the reading's time 60-70 ms into a tenth of a second and
 * asks at once. */
START_TEST(state_ages_are_never_negative)
{
	serve(NULL);
	for (int i = 0; i < 5; i++) {
		struct http_resp rs;
		double t, age, relay_age;
		json_t *j;

		do
			t = fmod(mono_now(), 0.1);
		while (t < 0.06 || t > 0.07);
		thermo_set_temperature_at(rec, mono_now_ts());
		thermo_set_relay_changed_at(rec, mono_now_ts());
		ck_assert_int_eq(get(&rs, "/api/v1/state"), 200);
		j = json_body(&rs);
		age = json_num(j, "temperature_age");
		relay_age = json_num(j, "relay_changed_age");
		ck_assert_msg(age >= 0 && !signbit(age),
			      "temperature_age %.1f", age);
		ck_assert_msg(relay_age >= 0 && !signbit(relay_age),
			      "relay_changed_age %.1f", relay_age);
		json_decref(j);
		http_free(&rs);
	}
}
END_TEST

START_TEST(version_is_the_librarys)
{
	struct http_resp rs;
	json_t *j;

	serve(NULL);
	ck_assert_int_eq(get(&rs, "/api/v1/version"), 200);
	assert_type(&rs, "application/json", "version");
	j = json_body(&rs);
	ck_assert_str_eq(json_str(j, "version"), SS_VERSION_STRING);
	json_decref(j);
	http_free(&rs);
}
END_TEST

START_TEST(stale_or_unknown_temperature_is_null)
{
	struct http_resp rs;
	json_t *j;

	serve(NULL);
	/* Older than sensor_timeout (60 s). */
	thermo_set_temperature_at(rec, s_to_ts(mono_now() - 62));
	ck_assert_int_eq(get(&rs, "/api/v1/state"), 200);
	j = json_body(&rs);
	ck_assert(json_is_null(json_object_get(j, "temperature")));
	ck_assert(json_num(j, "temperature_age") >= 61);
	json_decref(j);
	http_free(&rs);
	/* Never read. */
	thermo_set_temperature_at(rec, (struct timespec){ 0 });
	ck_assert_int_eq(get(&rs, "/api/v1/state"), 200);
	j = json_body(&rs);
	ck_assert(json_is_null(json_object_get(j, "temperature")));
	ck_assert(json_is_null(json_object_get(j, "temperature_age")));
	json_decref(j);
	http_free(&rs);
}
END_TEST

static void in_fahrenheit(struct thermo_settings *c)
{
	c->units = 'F';
}

START_TEST(fahrenheit_in_and_out)
{
	struct http_resp rs;
	json_t *j;

	serve(in_fahrenheit);
	ck_assert_int_eq(get(&rs, "/api/v1/state"), 200);
	j = json_body(&rs);
	ck_assert(json_num(j, "temperature") == 67.1); /* 19.5 C */
	ck_assert(json_num(j, "setpoint") == 69.8);    /* 21 C */
	ck_assert(json_num(j, "min_setpoint") == 41.0);
	ck_assert(json_num(j, "max_setpoint") == 86.0);
	ck_assert_str_eq(json_str(j, "units"), "F");
	json_decref(j);
	http_free(&rs);
	/* A setpoint without a unit is in the configured one. */
	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
				 "application/json", "{\"setpoint\": 68}"),
			 200);
	ck_assert(fabs(thermo_get_setpoint(rec) - 20.0) < 1e-9);
	http_free(&rs);
	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
				 "application/json",
				 "{\"setpoint\": 22, \"unit\": \"C\"}"),
			 200);
	ck_assert(thermo_get_setpoint(rec) == 22.0);
	http_free(&rs);
	/* The bounds, in the configured unit. */
	refused(422, "PUT", "/api/v1/setpoint", "application/json",
		"{\"setpoint\": 87}");
	refused(422, "PUT", "/api/v1/setpoint", "application/json",
		"{\"setpoint\": 40}");
	/* The history too. */
	{
		struct hist_point p = { 0, 20.0f, 21.0f, false };
		struct timespec w;
		json_t *pt;

		clock_gettime(CLOCK_REALTIME, &w);
		p.t = ts_to_s(w) - 30;
		ck_assert_int_eq(history_append(hist, &p), 0);
		ck_assert_int_eq(get(&rs, "/api/v1/history"), 200);
		j = json_body(&rs);
		ck_assert_str_eq(json_str(j, "units"), "F");
		pt = json_array_get(json_object_get(j, "points"), 0);
		ck_assert(json_num(pt, "temperature") == 68.0);
		ck_assert(json_num(pt, "setpoint") == 69.8);
		json_decref(j);
		http_free(&rs);
	}
}
END_TEST

START_TEST(page_and_assets)
{
	static const struct {
		const char *path, *type, *contains;
	} files[] = {
		{ "/", "text/html; charset=utf-8", "<!doctype html>" },
		{ "/index.html", "text/html; charset=utf-8",
		  "<!doctype html>" },
		{ "/app.js", "text/javascript; charset=utf-8", "" },
		{ "/style.css", "text/css; charset=utf-8", "" },
	};
	struct http_resp rs;

	serve(NULL);
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		ck_assert_int_eq(get(&rs, files[i].path), 200);
		assert_type(&rs, files[i].type, files[i].path);
		ck_assert_uint_gt(rs.body_len, 100);
		ck_assert_ptr_nonnull(strstr(rs.body, files[i].contains));
		http_free(&rs);
	}
}
END_TEST

/* The CSP forbids inline code: the page must not need any. */
START_TEST(page_has_no_inline_code)
{
	struct http_resp rs;
	const char *p;

	serve(NULL);
	ck_assert_int_eq(get(&rs, "/"), 200);
	for (p = rs.body; (p = strstr(p, "<script")); p++) {
		const char *end = strchr(p, '>');

		ck_assert_ptr_nonnull(end);
		ck_assert_msg(memmem(p, (size_t)(end - p), " src=", 5) != NULL,
			      "an inline <script>: %.60s", p);
		ck_assert_msg(strncmp(end + 1, "</script>", 9) == 0,
			      "a <script> with a body: %.60s", p);
	}
	ck_assert_msg(strstr(rs.body, "<style") == NULL, "a <style> element");
	ck_assert_msg(strstr(rs.body, " style=") == NULL,
		      "a style= attribute");
	for (p = rs.body; (p = strstr(p, " on")); p++) {
		size_t n = 3;

		while (p[n] >= 'a' && p[n] <= 'z')
			n++;
		ck_assert_msg(n == 3 || p[n] != '=',
			      "an inline event handler: %.40s", p);
	}
	ck_assert_msg(strstr(rs.body, "javascript:") == NULL,
		      "a javascript: URL");
	http_free(&rs);
}
END_TEST

static const char *const get_routes[] = {
	"/", "/index.html", "/app.js", "/style.css", "/api/v1/version",
	"/api/v1/state",
	"/api/v1/history", "/metrics", "/healthz", "/health_check",
	"/get_thermostat", "/get_temperature", "/get_thermostat_data",
};
#define NROUTES (sizeof(get_routes) / sizeof(get_routes[0]))

/* Answers whose length does not change from one request to the next. */
static bool fixed_length(const char *path)
{
	return strcmp(path, "/api/v1/state") != 0 &&
	       strcmp(path, "/metrics") != 0 &&
	       strcmp(path, "/api/v1/history") != 0;
}

/* HEAD @path on a raw socket: the whole answer, checked to have no body. */
static void head_raw(const char *path, struct raw_result *r)
{
	char req[256];
	int n = snprintf(req, sizeof(req),
			 "HEAD %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			 "Connection: close\r\n\r\n", path);

	ck_assert_int_eq(raw_exchange(port, req, (size_t)n, (int)(2000 * scale),
				      r), 0);
	ck_assert_msg(r->closed, "HEAD %s: the connection stayed open", path);
	ck_assert_msg(r->body_at > 0, "HEAD %s: no header block:\n%s", path,
		      r->data);
	ck_assert_msg(r->len == r->body_at,
		      "HEAD %s: %zu bytes of body after the headers:\n%s", path,
		      r->len - r->body_at, r->data);
	assert_secure_headers(r->data, path);
}

START_TEST(head_on_every_get_route)
{
	serve(NULL);
	for (size_t i = 0; i < NROUTES; i++) {
		const char *path = get_routes[i];
		struct http_resp rs;
		struct raw_result r;
		char type[128], len[32], want[32];

		ck_assert_int_eq(get(&rs, path), 200);
		head_raw(path, &r);
		ck_assert_msg(r.status == 200, "HEAD %s: %d", path, r.status);
		ck_assert(http_header(&rs, "Content-Length", want,
				      sizeof(want)));
		ck_assert_msg(http_header_in(r.data, "Content-Length", len,
					     sizeof(len)),
			      "HEAD %s: no Content-Length", path);
		if (fixed_length(path))
			ck_assert_msg(strcmp(len, want) == 0,
				      "HEAD %s: Content-Length %s, GET has %s",
				      path, len, want);
		if (http_header(&rs, "Content-Type", type, sizeof(type))) {
			char htype[128];

			ck_assert(http_header_in(r.data, "Content-Type", htype,
						 sizeof(htype)));
			ck_assert_str_eq(htype, type);
		}
		raw_free(&r);
		http_free(&rs);
	}
	/* And through libcurl, as clients do. */
	{
		struct http_resp rs;

		ck_assert_int_eq(request(&rs, "HEAD", "/api/v1/state", NULL,
					 NULL), 200);
		ck_assert_uint_eq(rs.body_len, 0);
		assert_type(&rs, "application/json", "HEAD state");
		http_free(&rs);
	}
}
END_TEST

/* RFC 9110 9.3.2: a HEAD response never has content, errors included. */
START_TEST(head_errors_have_no_body)
{
	struct raw_result r;

	serve(NULL);
	head_raw("/nope", &r);
	ck_assert_int_eq(r.status, 404);
	raw_free(&r);
	head_raw("/api/v1/setpoint", &r);
	ck_assert_int_eq(r.status, 405);
	raw_free(&r);
	head_raw("/set_thermostat", &r);
	ck_assert_int_eq(r.status, 405);
	raw_free(&r);
}
END_TEST

START_TEST(unknown_paths_are_404)
{
	/* CivetWeb's own patterns are prefixes: none of these may reach a
	 * route. */
	static const char *const paths[] = {
		"/nope", "/api", "/api/v1", "/api/v1/", "/api/v1/state/",
		"/api/v1/statex", "/api/v1/state.json", "/API/V1/STATE",
		"/api/v2/state", "/index.htm", "/app.js.map", "/metricsx",
		"/healthz/", "/get_thermostat/1", "/www/index.html",
		"/etc/passwd", "/%2e%2e/etc/passwd", "/api/v1/stat%65",
		"/favicon.ico",
	};
	struct http_resp rs;

	serve(NULL);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		ck_assert_msg(get(&rs, paths[i]) == 404, "GET %s: %ld",
			      paths[i], rs.status);
		assert_json_error(&rs, paths[i]);
		http_free(&rs);
	}
	/* Writes to unknown paths change nothing. */
	refused(404, "PUT", "/api/v1/setpoint/", "application/json",
		"{\"setpoint\": 25}");
	refused(404, "PUT", "/api/v1/Setpoint", "application/json",
		"{\"setpoint\": 25}");
	refused(404, "POST", "/set_thermostat/", "application/x-www-form-"
		"urlencoded", "thermostat_setting=70");
}
END_TEST

START_TEST(wrong_methods_are_405_with_allow)
{
	static const struct {
		const char *path, *allow;
		const char *methods[8];
	} cases[] = {
		{ "/", "GET, HEAD",
		  { "POST", "PUT", "DELETE", "PATCH", NULL } },
		{ "/app.js", "GET, HEAD", { "POST", "PUT", NULL } },
		{ "/api/v1/version", "GET, HEAD", { "POST", "PUT", NULL } },
		{ "/api/v1/state", "GET, HEAD",
		  { "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND",
		    NULL } },
		{ "/api/v1/setpoint", "PUT",
		  { "GET", "POST", "DELETE", "PATCH", "OPTIONS", NULL } },
		{ "/api/v1/mode", "PUT", { "GET", "POST", "DELETE", NULL } },
		{ "/api/v1/history", "GET, HEAD", { "POST", "DELETE", NULL } },
		{ "/api/v1/events", "GET, HEAD", { "POST", "PUT", NULL } },
		{ "/metrics", "GET, HEAD", { "POST", "PUT", NULL } },
		{ "/healthz", "GET, HEAD", { "POST", "DELETE", NULL } },
		{ "/health_check", "GET, HEAD", { "POST", NULL } },
		{ "/get_thermostat", "GET, HEAD", { "POST", "PUT", NULL } },
		{ "/get_temperature", "GET, HEAD", { "POST", NULL } },
		{ "/get_thermostat_data", "GET, HEAD", { "POST", NULL } },
		{ "/set_thermostat", "POST",
		  { "GET", "PUT", "DELETE", "PATCH", NULL } },
	};

	serve(NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (int m = 0; cases[i].methods[m]; m++) {
			const char *method = cases[i].methods[m];
			bool body = strcmp(method, "GET") != 0 &&
				    strcmp(method, "DELETE") != 0 &&
				    strcmp(method, "OPTIONS") != 0;
			uint64_t version = thermo_version(rec);
			struct http_resp rs;
			char allow[64];

			request(&rs, method, cases[i].path,
				body ? "application/json" : NULL,
				body ? "{\"setpoint\": 25, \"mode\": \"off\"}"
				     : NULL);
			ck_assert_msg(rs.status == 405, "%s %s: %ld", method,
				      cases[i].path, rs.status);
			assert_json_error(&rs, cases[i].path);
			ck_assert_msg(http_header(&rs, "Allow", allow,
						  sizeof(allow)),
				      "%s %s: no Allow header", method,
				      cases[i].path);
			ck_assert_msg(strcmp(allow, cases[i].allow) == 0,
				      "%s %s: Allow: %s, not %s", method,
				      cases[i].path, allow, cases[i].allow);
			ck_assert(thermo_version(rec) == version);
			http_free(&rs);
		}
}
END_TEST

/* CivetWeb answers CORS preflights itself unless told not to: here a
 * preflight is just an OPTIONS request, refused like any other. */
START_TEST(cors_preflights_are_not_answered)
{
	static const char *const hdrs[] = {
		"Origin: http://evil.example",
		"Access-Control-Request-Method: PUT",
		"Access-Control-Request-Headers: content-type", NULL
	};
	struct http_req rq = { .method = "OPTIONS",
			       .path = "/api/v1/setpoint", .headers = hdrs };
	struct http_resp rs;

	serve(NULL);
	http_do(port, &rq, &rs);
	assert_response(&rs, "preflight");
	ck_assert_int_eq(rs.status, 405);
	ck_assert(!http_header(&rs, "Access-Control-Allow-Origin", NULL, 0));
	ck_assert(!http_header(&rs, "Access-Control-Allow-Methods", NULL, 0));
	http_free(&rs);
	/* A simple cross-origin GET gets no CORS grant either. */
	rq.method = "GET";
	rq.path = "/api/v1/state";
	http_do(port, &rq, &rs);
	ck_assert_int_eq(rs.status, 200);
	ck_assert(!http_header(&rs, "Access-Control-Allow-Origin", NULL, 0));
	http_free(&rs);
}
END_TEST

/* ---- writes --------------------------------------------------------- */

/* Once shutdown began (running false) the state thread saves for the
 * last time: a write after that would be answered and lost, so it is
 * refused with 503 and changes nothing; reads still work. */
START_TEST(writes_refused_once_stopping)
{
	struct http_resp rs;

	serve(NULL);
	thermo_set_running(rec, false);
	refused(503, "PUT", "/api/v1/setpoint", "application/json",
		"{\"setpoint\": 22.5}");
	refused(503, "PUT", "/api/v1/mode", "application/json",
		"{\"mode\": \"off\"}");
	refused(503, "POST", "/set_thermostat",
		"application/x-www-form-urlencoded", "thermostat_setting=70");
	ck_assert_int_eq(get(&rs, "/api/v1/state"), 200);
	http_free(&rs);
}
END_TEST

START_TEST(setpoint_and_mode_are_written)
{
	struct http_resp rs;
	json_t *j;

	serve(NULL);
	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
				 "application/json", "{\"setpoint\": 22.5}"),
			 200);
	assert_type(&rs, "application/json", "PUT setpoint");
	ck_assert(thermo_get_setpoint(rec) == 22.5);
	/* The answer is the new state. */
	j = json_body(&rs);
	ck_assert(json_num(j, "setpoint") == 22.5);
	json_decref(j);
	http_free(&rs);

	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
				 "application/json; charset=utf-8",
				 "{\"unit\": \"F\", \"setpoint\": 72.5}"),
			 200);
	ck_assert(fabs(thermo_get_setpoint(rec) - 22.5) < 1e-9);
	http_free(&rs);

	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/mode",
				 "application/json", "{\"mode\": \"off\"}"),
			 200);
	ck_assert_int_eq(thermo_get_mode(rec), MODE_OFF);
	j = json_body(&rs);
	ck_assert_str_eq(json_str(j, "mode"), "off");
	json_decref(j);
	http_free(&rs);
	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/mode",
				 "Application/JSON", " {\"mode\":\"heat\"}\n"),
			 200);
	ck_assert_int_eq(thermo_get_mode(rec), MODE_HEAT);
	http_free(&rs);

	/* The same value again: 200, and no write at all. */
	{
		uint64_t v = thermo_version(rec);

		ck_assert_int_eq(request(&rs, "PUT", "/api/v1/mode",
					 "application/json",
					 "{\"mode\": \"heat\"}"), 200);
		ck_assert(thermo_version(rec) == v);
		http_free(&rs);
	}
}
END_TEST

START_TEST(setpoint_bounds_are_inclusive)
{
	struct http_resp rs;

	serve(NULL);
	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
				 "application/json", "{\"setpoint\": 5}"), 200);
	ck_assert(thermo_get_setpoint(rec) == 5.0);
	http_free(&rs);
	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
				 "application/json", "{\"setpoint\": 30.0}"),
			 200);
	ck_assert(thermo_get_setpoint(rec) == 30.0);
	http_free(&rs);
	/* 86 F is 30 C, through a conversion. */
	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
				 "application/json",
				 "{\"setpoint\": 41, \"unit\": \"F\"}"), 200);
	ck_assert(fabs(thermo_get_setpoint(rec) - 5.0) < 1e-9);
	http_free(&rs);
	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
				 "application/json",
				 "{\"setpoint\": 86, \"unit\": \"F\"}"), 200);
	ck_assert(fabs(thermo_get_setpoint(rec) - 30.0) < 1e-9);
	http_free(&rs);
	refused(422, "PUT", "/api/v1/setpoint", "application/json",
		"{\"setpoint\": 4.999}");
	refused(422, "PUT", "/api/v1/setpoint", "application/json",
		"{\"setpoint\": 30.001}");
}
END_TEST

START_TEST(malformed_json_is_400_and_changes_nothing)
{
	static const char *const setpoints[] = {
		"", " ", "{", "}", "{\"setpoint\": 25,}", "{\"setpoint\" 25}",
		"{'setpoint': 25}", "{setpoint: 25}", "{\"setpoint\": 25",
		"{\"setpoint\": NaN}", "{\"setpoint\": nan}",
		"{\"setpoint\": Infinity}", "{\"setpoint\": -Infinity}",
		"{\"setpoint\": 1e309}", "{\"setpoint\": -1e309}",
		"{\"setpoint\": 99999999999999999999999}",
		"{\"setpoint\": 0x19}", "{\"setpoint\": +25}",
		"{\"setpoint\": 025}", "{\"setpoint\": 25.}",
		"{\"setpoint\": .5}", "{\"setpoint\": 25} x",
		"{\"setpoint\": 25}{\"setpoint\": 26}",
		"{\"setpoint\": 25, \"setpoint\": 26}",
		"[25]", "25", "\"25\"", "null", "true",
		"{\"setpoint\": 25, \"unit\": \"\xff\"}",
		"\xef\xbb\xbf{\"setpoint\": 25}",
		"{\"setpoint\": 25, \"unit\": \"C\\u0000\"}",
		"setpoint=25",
	};
	static const char *const modes[] = {
		"", "{\"mode\": off}", "{\"mode\": \"off\"", "[\"off\"]",
		"\"off\"", "{\"mode\": \"off\", \"mode\": \"heat\"}",
		"{\"mode\": \"off\\u0000\"}", "mode=off",
	};
	/* A NUL byte inside the body. */
	static const char nul[] = "{\"setpoint\":\0 25}";

	serve(NULL);
	for (size_t i = 0; i < sizeof(setpoints) / sizeof(setpoints[0]); i++)
		refused(400, "PUT", "/api/v1/setpoint", "application/json",
			setpoints[i]);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		refused(400, "PUT", "/api/v1/mode", "application/json",
			modes[i]);
	refused_n(400, "PUT", "/api/v1/setpoint", "application/json", nul,
		  sizeof(nul) - 1);
}
END_TEST

/* jansson parses recursively (up to 2048 levels) and CivetWeb's workers
 * have small stacks: a 4 KiB body can nest deep enough to overflow one.
 * Deep documents are refused, and the server lives on. */
START_TEST(deeply_nested_json_is_400_not_a_crash)
{
	static const int depths[] = { 100, 900, 2000, 4096 };
	char *deep = malloc(API_MAX_BODY + 1);
	struct http_resp rs;

	serve(NULL);
	ck_assert_ptr_nonnull(deep);
	for (size_t d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
		int depth = depths[d];
		size_t n = 0;

		/* Arrays, closed when they fit. */
		while (n < (size_t)depth)
			deep[n++] = '[';
		while (n < API_MAX_BODY && n < (size_t)depth * 2)
			deep[n++] = ']';
		deep[n] = '\0';
		refused(400, "PUT", "/api/v1/setpoint", "application/json",
			deep);
		refused(400, "PUT", "/api/v1/mode", "application/json", deep);
		/* Objects: {"a":{"a":...}} */
		n = 0;
		while (n + 5 <= API_MAX_BODY && n / 5 < (size_t)depth) {
			memcpy(deep + n, "{\"a\":", 5);
			n += 5;
		}
		deep[n] = '\0';
		refused(400, "PUT", "/api/v1/setpoint", "application/json",
			deep);
	}
	free(deep);
	ck_assert_int_eq(get(&rs, "/api/v1/state"), 200);
	http_free(&rs);
}
END_TEST

START_TEST(bad_values_are_422_and_change_nothing)
{
	static const char *const setpoints[] = {
		/* wrong types */
		"{\"setpoint\": \"25\"}", "{\"setpoint\": \"NaN\"}",
		"{\"setpoint\": \"Infinity\"}", "{\"setpoint\": true}",
		"{\"setpoint\": null}", "{\"setpoint\": [25]}",
		"{\"setpoint\": {\"value\": 25}}",
		/* missing and extra fields */
		"{}", "{\"unit\": \"C\"}", "{\"Setpoint\": 25}",
		"{\"setpoint\": 25, \"mode\": \"off\"}",
		"{\"setpoint\": 25, \"extra\": null}",
		/* out of bounds, huge, negative, negative zero */
		"{\"setpoint\": 4}", "{\"setpoint\": 31}", "{\"setpoint\": 0}",
		"{\"setpoint\": -0}", "{\"setpoint\": -0.0}",
		"{\"setpoint\": -25}", "{\"setpoint\": 1e308}",
		"{\"setpoint\": -1e308}", "{\"setpoint\": 5e-324}",
		"{\"setpoint\": 9223372036854775807}",
		"{\"setpoint\": -9223372036854775808}",
		/* overflow to infinity in the conversion: out of bounds */
		"{\"setpoint\": 1.7e308, \"unit\": \"F\"}",
		"{\"setpoint\": -1.7e308, \"unit\": \"F\"}",
		/* units */
		"{\"setpoint\": 25, \"unit\": \"K\"}",
		"{\"setpoint\": 25, \"unit\": \"c\"}",
		"{\"setpoint\": 25, \"unit\": \"\"}",
		"{\"setpoint\": 25, \"unit\": \"CC\"}",
		"{\"setpoint\": 25, \"unit\": null}",
		"{\"setpoint\": 25, \"unit\": 1}",
		"{\"setpoint\": 25, \"unit\": [\"C\"]}",
		"{\"setpoint\": 90, \"unit\": \"C\"}",
		"{\"setpoint\": 25, \"unit\": \"F\"}",
		"{\"setpoint\": 100, \"unit\": \"F\"}",
	};
	static const char *const modes[] = {
		"{\"mode\": \"cool\"}", "{\"mode\": \"HEAT\"}",
		"{\"mode\": \"Off\"}", "{\"mode\": \"\"}",
		"{\"mode\": \" off\"}",
		"{\"mode\": 0}", "{\"mode\": 1}", "{\"mode\": true}",
		"{\"mode\": null}", "{\"mode\": [\"off\"]}",
		"{\"mode\": {\"off\": 1}}", "{}", "{\"Mode\": \"off\"}",
		"{\"mode\": \"off\", \"setpoint\": 25}",
	};

	serve(NULL);
	for (size_t i = 0; i < sizeof(setpoints) / sizeof(setpoints[0]); i++)
		refused(422, "PUT", "/api/v1/setpoint", "application/json",
			setpoints[i]);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		refused(422, "PUT", "/api/v1/mode", "application/json",
			modes[i]);
}
END_TEST

START_TEST(wrong_content_type_is_415_and_changes_nothing)
{
	static const char *const types[] = {
		"", "text/plain", "text/json", "application/jsonp",
		"application/json-patch+json", "application/javascript",
		"application/x-www-form-urlencoded", "multipart/form-data",
		"json", "application/ json", "application/json+x",
	};

	serve(NULL);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		refused(415, "PUT", "/api/v1/setpoint", types[i],
			"{\"setpoint\": 25}");
		refused(415, "PUT", "/api/v1/mode", types[i],
			"{\"mode\": \"off\"}");
	}
	refused(415, "POST", "/set_thermostat", "application/json",
		"thermostat_setting=70");
	refused(415, "POST", "/set_thermostat", "",
		"thermostat_setting=70");
}
END_TEST

START_TEST(no_length_is_411_and_changes_nothing)
{
	static const char put[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\n\r\n{\"setpoint\": 25}";
	static const char mode[] =
		"PUT /api/v1/mode HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\nConnection: close\r\n\r\n"
		"{\"mode\": \"off\"}";
	static const char form[] =
		"POST /set_thermostat HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
		"thermostat_setting=70";
	static const char negative[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\nContent-Length: -15\r\n\r\n"
		"{\"setpoint\": 25}";
	static const char *const hdrs[] = {
		"Content-Type: application/json", NULL
	};
	struct http_req rq = { .method = "PUT", .path = "/api/v1/setpoint",
			       .headers = hdrs };
	struct http_resp rs;

	serve(NULL);
	raw_refused(411, put, sizeof(put) - 1, "PUT without a length");
	raw_refused(411, mode, sizeof(mode) - 1, "PUT mode without a length");
	raw_refused(411, form, sizeof(form) - 1, "POST without a length");
	/* CivetWeb's own answer. */
	raw_refused(411, negative, sizeof(negative) - 1,
		    "a negative Content-Length");
	/* libcurl: a PUT without a body sends no length. */
	http_do(port, &rq, &rs);
	assert_response(&rs, "curl PUT without a body");
	ck_assert_int_eq(rs.status, 411);
	assert_json_error(&rs, "411");
	http_free(&rs);
}
END_TEST

START_TEST(big_body_is_413_unread_and_changes_nothing)
{
	static const char head[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\n"
		"Content-Length: 10485760\r\n\r\n";
	uint64_t version;
	struct raw_result r;
	char *body;
	int fd;

	serve(NULL);
	version = thermo_version(rec);
	/* The answer comes before any of the 10 MB is sent: the server
	 * reads no further than the headers. */
	fd = raw_connect(port);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_send(fd, head, sizeof(head) - 1), 0);
	raw_read(fd, (int)(2000 * scale), &r);
	ck_assert_msg(r.status == 413, "10 MB: %d\n%s", r.status, r.data);
	ck_assert_msg(r.closed, "the connection stayed open after 413");
	assert_secure_headers(r.data, "413");
	ck_assert_ptr_nonnull(strstr(r.data + r.body_at, "\"error\""));
	close(fd);
	raw_free(&r);
	ck_assert(thermo_version(rec) == version);

	/* 4097 bytes, sent in full. */
	body = malloc(API_MAX_BODY + 2);
	ck_assert_ptr_nonnull(body);
	memset(body, ' ', API_MAX_BODY + 1);
	memcpy(body, "{\"setpoint\": 25}", 16);
	body[API_MAX_BODY + 1] = '\0';
	refused(413, "PUT", "/api/v1/setpoint", "application/json", body);
	refused(413, "PUT", "/api/v1/mode", "application/json", body);
	memcpy(body, "thermostat_setting=70", 21);
	refused(413, "POST", "/set_thermostat",
		"application/x-www-form-urlencoded", body);
	/* 4096 is the limit, not one less. */
	memset(body, ' ', API_MAX_BODY);
	memcpy(body, "{\"setpoint\": 25}", 16);
	body[API_MAX_BODY] = '\0';
	{
		struct http_resp rs;

		ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
					 "application/json", body), 200);
		ck_assert(thermo_get_setpoint(rec) == 25.0);
		http_free(&rs);
	}
	free(body);
}
END_TEST

START_TEST(chunked_bodies)
{
	static const char good[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\nConnection: close\r\n"
		"Transfer-Encoding: chunked\r\n\r\n"
		"5\r\n{\"set\r\na\r\npoint\": 24\r\n1\r\n}\r\n0\r\n\r\n";
	static const char bad_size[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\n"
		"Transfer-Encoding: chunked\r\n\r\n"
		"zz\r\n{\"setpoint\": 25}\r\n0\r\n\r\n";
	static const char unknown_te[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\n"
		"Transfer-Encoding: gzip\r\n\r\n"
		"{\"setpoint\": 25}";
	char big[8192];
	struct raw_result r;
	size_t n;

	serve(NULL);
	ck_assert_int_eq(raw_exchange(port, good, sizeof(good) - 1,
				      (int)(2000 * scale), &r), 0);
	ck_assert_msg(r.status == 200, "chunked: %d\n%s", r.status, r.data);
	ck_assert(thermo_get_setpoint(rec) == 24.0);
	raw_free(&r);

	raw_refused(400, bad_size, sizeof(bad_size) - 1, "a bad chunk size");
	raw_refused(400, unknown_te, sizeof(unknown_te) - 1,
		    "Transfer-Encoding: gzip");
	/* Over 4096 bytes in chunks: 413, whatever the chunks. */
	n = (size_t)snprintf(big, sizeof(big),
			     "PUT /api/v1/setpoint HTTP/1.1\r\n"
			     "Host: 127.0.0.1\r\n"
			     "Content-Type: application/json\r\n"
			     "Transfer-Encoding: chunked\r\n\r\n"
			     "10\r\n{\"setpoint\": 25 \r\n");
	for (int i = 0; i < 5; i++) {
		n += (size_t)snprintf(big + n, sizeof(big) - n, "3e8\r\n");
		memset(big + n, ' ', 1000);
		n += 1000;
		n += (size_t)snprintf(big + n, sizeof(big) - n, "\r\n");
	}
	n += (size_t)snprintf(big + n, sizeof(big) - n, "1\r\n}\r\n0\r\n\r\n");
	raw_refused(413, big, n, "5000 chunked bytes");
}
END_TEST

/* RFC 9112 6.3: a body whose length is in doubt is refused (400) and
 * the connection closed: a proxy in front (the README's TLS proxy) may
 * have framed it otherwise, which is request smuggling.  CivetWeb itself
 * takes the first Content-Length, reads "16abc" as 16, and lets
 * Transfer-Encoding win over Content-Length without a word. */
START_TEST(ambiguous_framing_is_400_and_changes_nothing)
{
	static const char junk[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Connection: close\r\n"
		"Content-Type: application/json\r\nContent-Length: 16abc\r\n"
		"\r\n{\"setpoint\": 25}";
	static const char two[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Connection: close\r\n"
		"Content-Type: application/json\r\nContent-Length: 16\r\n"
		"Content-Length: 17\r\n\r\n{\"setpoint\": 25}x";
	static const char both[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Connection: close\r\n"
		"Content-Type: application/json\r\nContent-Length: 4\r\n"
		"Transfer-Encoding: chunked\r\n\r\n"
		"10\r\n{\"setpoint\": 25}\r\n0\r\n\r\n";
	static const char plus[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Connection: close\r\n"
		"Content-Type: application/json\r\nContent-Length: +16\r\n"
		"\r\n{\"setpoint\": 25}";

	serve(NULL);
	raw_refused(400, junk, sizeof(junk) - 1, "Content-Length: 16abc");
	raw_refused(400, two, sizeof(two) - 1, "two Content-Lengths");
	raw_refused(400, both, sizeof(both) - 1,
		    "Content-Length and Transfer-Encoding");
	raw_refused(400, plus, sizeof(plus) - 1, "Content-Length: +16");
}
END_TEST

static void short_timeout(struct thermo_settings *c)
{
	c->request_timeout_ms = 200;
}

START_TEST(short_body_is_400_and_changes_nothing)
{
	static const char req[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\nContent-Length: 30\r\n\r\n"
		"{\"setpoint\": 25}";

	serve(short_timeout);
	/* 16 of 30 bytes, then nothing: refused after request_timeout_ms,
	 * not acted on. */
	raw_refused(400, req, sizeof(req) - 1, "a short body");
}
END_TEST

START_TEST(encoded_nul_is_400_and_changes_nothing)
{
	struct http_resp rs;

	serve(NULL);
	/* CivetWeb would cut the path at the NUL and run the route. */
	ck_assert_int_eq(get(&rs, "/api/v1/state%00"), 400);
	assert_json_error(&rs, "%00");
	http_free(&rs);
	ck_assert_int_eq(get(&rs, "/api/v1/state%00.json"), 400);
	http_free(&rs);
	refused(400, "PUT", "/api/v1/setpoint%00", "application/json",
		"{\"setpoint\": 25}");
	refused(400, "PUT", "/api/v1/mode%00/x", "application/json",
		"{\"mode\": \"off\"}");
	refused(400, "POST", "/set_thermostat%00",
		"application/x-www-form-urlencoded", "thermostat_setting=70");
}
END_TEST

/* ---- the original daemon's routes ----------------------------------- */

START_TEST(compat_routes_answer_the_originals_json)
{
	static const struct {
		const char *path, *json;
	} cases[] = {
		/* As thermostat-pi's serde structs serialise them; the
		 * data route's sample is the one in its source. */
		{ "/get_thermostat", "{\"thermostat_setting\":55}" },
		{ "/get_temperature", "{\"temperature_value\":71.7116}" },
		{ "/get_thermostat_data",
		  "{\"temperature\":71.7116,\"thermostat_setting\":55,"
		  "\"thermostat_on\":false}" },
	};
	struct http_resp rs;
	char len[16];

	serve(NULL);
	thermo_set_setpoint(rec, (55.0 - 32.0) * 5.0 / 9.0);
	thermo_set_temperature(rec, (71.7116 - 32.0) * 5.0 / 9.0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ck_assert_int_eq(get(&rs, cases[i].path), 200);
		assert_type(&rs, "application/json", cases[i].path);
		ck_assert_str_eq(rs.body, cases[i].json);
		http_free(&rs);
	}
	/* An empty 200, without a Content-Type, as actix's finish(). */
	ck_assert_int_eq(get(&rs, "/health_check"), 200);
	ck_assert_uint_eq(rs.body_len, 0);
	ck_assert(http_header(&rs, "Content-Length", len, sizeof(len)));
	ck_assert_str_eq(len, "0");
	ck_assert(!http_header(&rs, "Content-Type", NULL, 0));
	http_free(&rs);

	/* Heating, whole degrees, and a setpoint that rounds. */
	thermo_set_heating(rec, true);
	thermo_set_temperature(rec, 20.0);
	thermo_set_setpoint(rec, 21.0); /* 69.8 F */
	ck_assert_int_eq(get(&rs, "/get_thermostat_data"), 200);
	ck_assert_str_eq(rs.body, "{\"temperature\":68.0,"
				  "\"thermostat_setting\":70,"
				  "\"thermostat_on\":true}");
	http_free(&rs);
	/* No fresh reading: null, never a made-up number. */
	thermo_set_temperature_at(rec, s_to_ts(mono_now() - 3600));
	ck_assert_int_eq(get(&rs, "/get_temperature"), 200);
	ck_assert_str_eq(rs.body, "{\"temperature_value\":null}");
	http_free(&rs);
}
END_TEST

START_TEST(compat_set_thermostat)
{
	static const char *const bad_forms[] = {
		"", "thermostat_setting", "thermostat_setting=",
		"thermostat_setting=abc", "thermostat_setting=70.5",
		"thermostat_setting=7e1", "thermostat_setting=0x46",
		"thermostat_setting= 70", "thermostat_setting=70 ",
		"thermostat_setting=%37%30", "thermostat_setting=9999999999",
		"thermostat_setting=70&thermostat_setting=71",
		"thermostat=70", "Thermostat_Setting=70", "setpoint=21",
		"{\"thermostat_setting\": 70}",
	};
	static const char *const out_of_range[] = {
		"thermostat_setting=40", "thermostat_setting=87",
		"thermostat_setting=-40", "thermostat_setting=999999999",
		"thermostat_setting=-999999999", "thermostat_setting=0",
	};
	static const char form[] = "application/x-www-form-urlencoded";
	struct http_resp rs;

	serve(NULL);
	ck_assert_int_eq(request(&rs, "POST", "/set_thermostat", form,
				 "thermostat_setting=70"), 200);
	ck_assert_uint_eq(rs.body_len, 0);
	ck_assert(!http_header(&rs, "Content-Type", NULL, 0));
	ck_assert(fabs(thermo_get_setpoint(rec) - (70.0 - 32) * 5 / 9) < 1e-9);
	http_free(&rs);
	ck_assert_int_eq(get(&rs, "/get_thermostat"), 200);
	ck_assert_str_eq(rs.body, "{\"thermostat_setting\":70}");
	http_free(&rs);
	/* Other fields are ignored, as serde's form decoding does. */
	ck_assert_int_eq(request(&rs, "POST", "/set_thermostat",
				 "application/x-www-form-urlencoded; "
				 "charset=utf-8",
				 "a=1&thermostat_setting=68&b="), 200);
	ck_assert(fabs(thermo_get_setpoint(rec) - 20.0) < 1e-9);
	http_free(&rs);

	for (size_t i = 0; i < sizeof(bad_forms) / sizeof(bad_forms[0]); i++)
		refused(400, "POST", "/set_thermostat", form, bad_forms[i]);
	for (size_t i = 0; i < sizeof(out_of_range) / sizeof(out_of_range[0]);
	     i++)
		refused(422, "POST", "/set_thermostat", form, out_of_range[i]);
}
END_TEST

static void no_compat(struct thermo_settings *c)
{
	c->compat_routes = false;
}

START_TEST(compat_routes_off_are_404)
{
	static const char *const paths[] = {
		"/health_check", "/get_thermostat", "/get_temperature",
		"/get_thermostat_data", "/set_thermostat",
	};
	struct http_resp rs;

	serve(no_compat);
	for (size_t i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		ck_assert_msg(get(&rs, paths[i]) == 404, "%s: %ld", paths[i],
			      rs.status);
		assert_json_error(&rs, paths[i]);
		http_free(&rs);
	}
	refused(404, "POST", "/set_thermostat",
		"application/x-www-form-urlencoded", "thermostat_setting=70");
	/* The API itself is still there. */
	ck_assert_int_eq(get(&rs, "/api/v1/state"), 200);
	http_free(&rs);
}
END_TEST

/* ---- history -------------------------------------------------------- */

static double wall_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return ts_to_s(t);
}

static void add_point(double ago, float temperature, float setpoint,
		      bool heating)
{
	struct hist_point p = { wall_now() - ago, temperature, setpoint,
				heating };

	ck_assert_int_eq(history_append(hist, &p), 0);
}

static json_t *history_points(const char *query, struct http_resp *rs)
{
	char path[128];
	json_t *j, *points;

	snprintf(path, sizeof(path), "/api/v1/history%s", query);
	ck_assert_msg(get(rs, path) == 200, "%s: %ld", path, rs->status);
	assert_type(rs, "application/json", path);
	j = json_body(rs);
	ck_assert(json_num(j, "interval") == 60);
	ck_assert_str_eq(json_str(j, "units"), "C");
	points = json_incref(json_object_get(j, "points"));
	ck_assert(json_is_array(points));
	json_decref(j);
	http_free(rs);
	return points;
}

START_TEST(history_points_and_minutes)
{
	struct http_resp rs;
	json_t *pts, *p;
	double t0 = wall_now();

	serve(NULL);
	pts = history_points("", &rs);
	ck_assert_uint_eq(json_array_size(pts), 0);
	json_decref(pts);

	add_point(600, 18.0f, 20.0f, false);
	add_point(120, 19.25f, 21.0f, true);
	add_point(30, NAN, 21.5f, false);

	pts = history_points("", &rs);
	ck_assert_uint_eq(json_array_size(pts), 3);
	p = json_array_get(pts, 0);
	ck_assert(json_num(p, "temperature") == 18.0);
	ck_assert(json_num(p, "setpoint") == 20.0);
	ck_assert(json_is_false(json_object_get(p, "heating")));
	/* Milliseconds since the epoch, oldest first. */
	ck_assert(fabs(json_num(p, "t") - (t0 - 600) * 1000) < 5000);
	p = json_array_get(pts, 1);
	ck_assert(json_num(p, "temperature") == 19.25);
	ck_assert(json_is_true(json_object_get(p, "heating")));
	ck_assert(json_num(p, "t") > json_num(json_array_get(pts, 0), "t"));
	p = json_array_get(pts, 2);
	ck_assert(json_is_null(json_object_get(p, "temperature")));
	ck_assert(json_num(p, "setpoint") == 21.5);
	json_decref(pts);

	pts = history_points("?minutes=5", &rs);
	ck_assert_uint_eq(json_array_size(pts), 2);
	json_decref(pts);
	pts = history_points("?minutes=1", &rs);
	ck_assert_uint_eq(json_array_size(pts), 1);
	json_decref(pts);
	pts = history_points("?minutes=11", &rs);
	ck_assert_uint_eq(json_array_size(pts), 3);
	json_decref(pts);
	/* More than is kept: all that is kept. */
	pts = history_points("?minutes=999999", &rs);
	ck_assert_uint_eq(json_array_size(pts), 3);
	json_decref(pts);
	pts = history_points("?", &rs);
	ck_assert_uint_eq(json_array_size(pts), 3);
	json_decref(pts);
}
END_TEST

START_TEST(history_bad_queries_are_400)
{
	static const char *const queries[] = {
		"?minutes=0", "?minutes=-5", "?minutes=abc", "?minutes=1.5",
		"?minutes=", "?minutes", "?minutes=5&x=1", "?x=5",
		"?minutes=1e3", "?minutes=9999999999", "?minutes=%35",
		"?Minutes=5", "?minutes=5;x", "?minutes=5%20",
	};
	char path[128];

	serve(NULL);
	for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
		snprintf(path, sizeof(path), "/api/v1/history%s", queries[i]);
		refused(400, "GET", path, NULL, NULL);
	}
}
END_TEST

/* ---- metrics and health --------------------------------------------- */

/* The value of sample @name (with its labels, as printed); NAN when
 * absent.  Also checks the whole text is Prometheus' text format. */
static double metric_value(const char *text, const char *name)
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

static double metric(const char *name)
{
	struct http_resp rs;
	double v;

	ck_assert_int_eq(get(&rs, "/metrics"), 200);
	v = metric_value(rs.body, name);
	http_free(&rs);
	return v;
}

/* A request is counted after its answer is sent, so the next request may
 * not see it yet: waits (a little) for sample @name to reach @want, and
 * fails if it goes past. */
static void wait_metric(const char *name, double want)
{
	double deadline = now_ms() + 2000 * scale, v;

	while ((v = metric(name)) != want) {
		ck_assert_msg(isnan(v) || v < want, "%s is %g, not %g", name,
			      v, want);
		ck_assert_msg(now_ms() < deadline, "%s is %g, not %g", name,
			      v, want);
		usleep(5 * 1000);
	}
}

START_TEST(metrics_are_prometheus_text)
{
	struct http_resp rs;

	serve(NULL);
	ck_assert_int_eq(get(&rs, "/metrics"), 200);
	assert_type(&rs, "text/plain; version=0.0.4; charset=utf-8",
		    "/metrics");
	ck_assert(metric_value(rs.body, "thermostat_temperature_celsius") ==
		  19.5);
	ck_assert(metric_value(rs.body, "thermostat_setpoint_celsius") == 21);
	ck_assert(metric_value(rs.body, "thermostat_mode_heat") == 1);
	ck_assert(metric_value(rs.body, "thermostat_heating") == 0);
	ck_assert(metric_value(rs.body, "thermostat_sse_clients") == 0);
	ck_assert(metric_value(rs.body, "thermostat_sensor_stale") == 0);
	ck_assert(metric_value(rs.body, "thermostat_relay_errors_total") == 0);
	ck_assert(metric_value(rs.body, "thermostat_uptime_seconds") >= 0);
	http_free(&rs);
	/* A stale reading is NaN, not the last number. */
	thermo_set_temperature_at(rec, s_to_ts(mono_now() - 3600));
	thermo_set_sensor_status(rec, SENSOR_STALE);
	ck_assert(isnan(metric("thermostat_temperature_celsius")));
	ck_assert(metric("thermostat_sensor_stale") == 1);
}
END_TEST

START_TEST(metrics_count_requests)
{
	static const char state_200[] =
		"thermostat_http_requests_total{route=\"/api/v1/state\","
		"status=\"200\"}";
	static const char other_404[] =
		"thermostat_http_requests_total{route=\"other\","
		"status=\"404\"}";
	static const char setpoint_415[] =
		"thermostat_http_requests_total{route=\"/api/v1/setpoint\","
		"status=\"415\"}";
	static const char setpoint_422[] =
		"thermostat_http_requests_total{route=\"/api/v1/setpoint\","
		"status=\"422\"}";
	static const char metrics_200[] =
		"thermostat_http_requests_total{route=\"/metrics\","
		"status=\"200\"}";
	struct http_resp rs;
	double m;

	serve(NULL);
	/* Nothing counted yet: the first /metrics shows no samples. */
	ck_assert(isnan(metric(state_200)));
	/* /metrics counts itself. */
	wait_metric(metrics_200, 1);
	for (int i = 0; i < 3; i++) {
		ck_assert_int_eq(get(&rs, "/api/v1/state"), 200);
		http_free(&rs);
	}
	ck_assert_int_eq(get(&rs, "/nope"), 404);
	http_free(&rs);
	refused(415, "PUT", "/api/v1/setpoint", "text/plain", "25");
	refused(422, "PUT", "/api/v1/setpoint", "application/json",
		"{\"setpoint\": 99}");
	refused(422, "PUT", "/api/v1/setpoint", "application/json",
		"{\"setpoint\": \"x\"}");
	wait_metric(state_200, 3);
	wait_metric(other_404, 1);
	wait_metric(setpoint_415, 1);
	wait_metric(setpoint_422, 2);
	m = metric(metrics_200);
	ck_assert(m >= 5);
	wait_metric(metrics_200, m + 1);
}
END_TEST

START_TEST(healthz_is_200_when_fresh)
{
	struct http_resp rs;
	json_t *j;

	serve(NULL);
	ck_assert_int_eq(get(&rs, "/healthz"), 200);
	assert_type(&rs, "application/json", "/healthz");
	j = json_body(&rs);
	ck_assert_str_eq(json_str(j, "status"), "ok");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "reasons")), 0);
	json_decref(j);
	http_free(&rs);
}
END_TEST

static bool has_reason(json_t *j, const char *reason)
{
	json_t *reasons = json_object_get(j, "reasons"), *r;
	size_t i;

	json_array_foreach(reasons, i, r)
		if (strcmp(json_string_value(r), reason) == 0)
			return true;
	return false;
}

static json_t *healthz(long want)
{
	struct http_resp rs;
	json_t *j;

	ck_assert_msg(get(&rs, "/healthz") == want, "/healthz: %ld, not %ld",
		      rs.status, want);
	assert_type(&rs, "application/json", "/healthz");
	j = json_body(&rs);
	ck_assert_str_eq(json_str(j, "status"),
			 want == 200 ? "ok" : "unhealthy");
	http_free(&rs);
	return j;
}

START_TEST(healthz_is_503_with_reasons)
{
	struct timespec old = s_to_ts(mono_now() - 3600);
	json_t *j;

	serve(NULL);
	/* The sensor went stale. */
	thermo_set_temperature_at(rec, s_to_ts(mono_now() - 61));
	j = healthz(503);
	ck_assert(has_reason(j, "no fresh temperature reading"));
	ck_assert_uint_eq(json_array_size(json_object_get(j, "reasons")), 1);
	json_decref(j);
	/* The relay cannot be driven, too. */
	thermo_set_relay_ok(rec, false);
	j = healthz(503);
	ck_assert(has_reason(j, "no fresh temperature reading"));
	ck_assert(has_reason(j, "relay cannot be driven"));
	json_decref(j);
	/* Back to fresh: healthy again. */
	thermo_set_relay_ok(rec, true);
	thermo_set_temperature_at(rec, mono_now_ts());
	json_decref(healthz(200));
	/* Threads that stopped stamping. */
	thermo_set_control_at(rec, old);
	thermo_set_sensor_at(rec, old);
	j = healthz(503);
	ck_assert(has_reason(j, "control thread not deciding"));
	ck_assert(has_reason(j, "sensor thread not reading"));
	json_decref(j);
}
END_TEST

/* ---- authentication ------------------------------------------------- */

static const char *htdigest_file(void)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/htdigest.%d", root, (int)getpid());
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("# a comment line is not a user\n", f);
	fputs("bob:otherrealm:d77f8830abf4a40b7e42bec8752abe05\n", f);
	fputs(HTDIGEST, f);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static void with_auth(struct thermo_settings *c)
{
	snprintf(c->password_file, sizeof(c->password_file), "%s",
		 htdigest_file());
}

static void with_auth_reads(struct thermo_settings *c)
{
	with_auth(c);
	c->auth_reads = true;
}

/* @method @path as @user/@password (NULL: anonymous); the status. */
static long as_user(const char *user, const char *password, bool basic,
		    const char *method, const char *path, const char *type,
		    const char *body, struct http_resp *rs)
{
	char ct[128], what[256];
	const char *hdrs[] = { ct, NULL };
	struct http_req rq = { .method = method, .path = path,
			       .headers = hdrs, .body = body,
			       .body_len = (size_t)-1, .user = user,
			       .password = password, .basic = basic };

	snprintf(ct, sizeof(ct), "Content-Type: %s", type ? type : "");
	http_do(port, &rq, rs);
	snprintf(what, sizeof(what), "%s %s as %s", method, path,
		 user ? user : "nobody");
	assert_response(rs, what);
	return rs->status;
}

static void assert_challenge(const struct http_resp *rs)
{
	char v[256];

	ck_assert_int_eq(rs->status, 401);
	ck_assert(http_header(rs, "WWW-Authenticate", v, sizeof(v)));
	ck_assert_msg(strncmp(v, "Digest ", 7) == 0 &&
			      strstr(v, "realm=\"thermostat\"") != NULL,
		      "WWW-Authenticate: %s", v);
}

/* Credentials that must not be let in. */
static const struct {
	const char *user, *password;
	bool basic;
} intruders[] = {
	{ NULL, NULL, false },		/* none */
	{ "alice", "wrong", false },	/* wrong password */
	{ "mallory", "s3cret", false },	/* unknown user */
	{ "bob", "s3cret", false },	/* a user of another realm */
	{ "alice", "", false },
	{ "alice", "s3cret", true },	/* the right password, but Basic */
};

/* @method @path by every intruder: 401 and no change; then by alice: @ok. */
static void protected(const char *method, const char *path,
		      const char *type, const char *body, long ok)
{
	for (size_t i = 0; i < sizeof(intruders) / sizeof(intruders[0]); i++) {
		uint64_t version = thermo_version(rec);
		struct http_resp rs;

		as_user(intruders[i].user, intruders[i].password,
			intruders[i].basic, method, path, type, body, &rs);
		ck_assert_msg(rs.status == 401, "%s %s as %s%s: %ld", method,
			      path, intruders[i].user ? intruders[i].user : "-",
			      intruders[i].basic ? " (basic)" : "", rs.status);
		assert_challenge(&rs);
		ck_assert_msg(thermo_version(rec) == version,
			      "%s %s without a login changed the record",
			      method, path);
		http_free(&rs);
	}
	{
		struct http_resp rs;

		ck_assert_int_eq(as_user("alice", "s3cret", false, method, path,
					 type, body, &rs), ok);
		http_free(&rs);
	}
}

START_TEST(writes_need_digest_auth)
{
	struct http_resp rs;

	serve(with_auth);
	protected("PUT", "/api/v1/setpoint", "application/json",
		  "{\"setpoint\": 25}", 200);
	ck_assert(thermo_get_setpoint(rec) == 25.0);
	protected("PUT", "/api/v1/mode", "application/json",
		  "{\"mode\": \"off\"}", 200);
	ck_assert_int_eq(thermo_get_mode(rec), MODE_OFF);
	protected("POST", "/set_thermostat",
		  "application/x-www-form-urlencoded", "thermostat_setting=70",
		  200);
	ck_assert(fabs(thermo_get_setpoint(rec) - (70.0 - 32) * 5 / 9) < 1e-9);
	/* A logged-in bad request is still refused, with its own status. */
	ck_assert_int_eq(as_user("alice", "s3cret", false, "PUT",
				 "/api/v1/setpoint", "application/json",
				 "{\"setpoint\": 99}", &rs), 422);
	http_free(&rs);
	/* Reads stay open. */
	for (size_t i = 0; i < NROUTES; i++) {
		ck_assert_msg(get(&rs, get_routes[i]) == 200, "%s: %ld",
			      get_routes[i], rs.status);
		http_free(&rs);
	}
}
END_TEST

static void missing_password_file(struct thermo_settings *c)
{
	snprintf(c->password_file, sizeof(c->password_file),
		 "%s/no-such-file", root);
}

/* A password file that went away lets nobody in (fails closed). */
START_TEST(missing_password_file_lets_nobody_write)
{
	struct http_resp rs;

	serve(missing_password_file);
	ck_assert_int_eq(as_user("alice", "s3cret", false, "PUT",
				 "/api/v1/setpoint", "application/json",
				 "{\"setpoint\": 25}", &rs), 401);
	ck_assert(thermo_get_setpoint(rec) == 21.0);
	http_free(&rs);
}
END_TEST

START_TEST(auth_reads_protects_reads)
{
	serve(with_auth_reads);
	for (size_t i = 0; i < NROUTES; i++)
		protected("GET", get_routes[i], NULL, NULL, 200);
	protected("HEAD", "/api/v1/state", NULL, NULL, 200);
	protected("PUT", "/api/v1/setpoint", "application/json",
		  "{\"setpoint\": 25}", 200);
	ck_assert(thermo_get_setpoint(rec) == 25.0);
	/* The event stream too. */
	{
		struct sse s;

		ck_assert_int_eq(sse_open(port, "/api/v1/events", "", &s), 0);
		ck_assert_int_eq(s.status, 401);
		assert_secure_headers(s.head, "events without a login");
		sse_close(&s);
	}
}
END_TEST

/* ---- security headers ----------------------------------------------- */

/* CivetWeb's own answers (requests it refuses before any handler) carry
 * the headers too. */
START_TEST(civetweb_errors_carry_security_headers)
{
	static const struct {
		const char *req;
		int status;
	} cases[] = {
		{ "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505 },
		{ "GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", 400 },
		{ "GET /\r\n\r\n", 400 },
		{ "FOO / HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nTransfer-Encoding: bogus\r\n\r\n", 400 },
	};

	serve(NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		raw_refused(cases[i].status, cases[i].req,
			    strlen(cases[i].req), cases[i].req);
}
END_TEST

/* ---- event stream --------------------------------------------------- */

/* The state in event @ev ("id: N\nevent: state\ndata: {...}"). */
static json_t *event_state(const char *ev)
{
	const char *data = strstr(ev, "\ndata: ");
	json_error_t je;
	json_t *j;

	ck_assert_msg(strncmp(ev, "id: ", 4) == 0, "event: %s", ev);
	ck_assert_msg(strstr(ev, "\nevent: state\n") != NULL, "event: %s", ev);
	ck_assert_msg(data != NULL, "no data in %s", ev);
	j = json_loads(data + 7, 0, &je);
	ck_assert_msg(j != NULL, "event data is not JSON: %s", je.text);
	return j;
}

static json_t *next_state(struct sse *s, int timeout_ms)
{
	char ev[8192];
	int ret = sse_next(s, (int)(timeout_ms * scale), ev, sizeof(ev));

	ck_assert_msg(ret == 1, "no event in %d ms (%d)", timeout_ms, ret);
	return event_state(ev);
}

static void assert_no_event(struct sse *s, int ms)
{
	char ev[8192];
	int ret = sse_next(s, ms, ev, sizeof(ev));

	ck_assert_msg(ret == -1, "an event nothing asked for: %d %s", ret,
		      ret == 1 ? ev : "");
}

static void open_stream(struct sse *s)
{
	char v[128];

	ck_assert_int_eq(sse_open(port, "/api/v1/events", "", s), 0);
	ck_assert_msg(s->status == 200, "events: %d\n%s", s->status, s->head);
	assert_secure_headers(s->head, "events");
	ck_assert(http_header_in(s->head, "Content-Type", v, sizeof(v)));
	ck_assert_str_eq(v, "text/event-stream");
	ck_assert(http_header_in(s->head, "Cache-Control", v, sizeof(v)));
	ck_assert_str_eq(v, "no-store");
}

START_TEST(events_first_at_connect_then_one_per_change)
{
	struct sse s;
	json_t *j;

	serve(NULL);
	open_stream(&s);
	/* The state at once, without a change. */
	j = next_state(&s, 1000);
	ck_assert(json_num(j, "setpoint") == 21.0);
	json_decref(j);

	thermo_set_setpoint(rec, 22.0);
	j = next_state(&s, 1000);
	ck_assert(json_num(j, "setpoint") == 22.0);
	json_decref(j);
	/* No change, no event: the same value, and the liveness stamps. */
	thermo_set_setpoint(rec, 22.0);
	thermo_set_control_at(rec, mono_now_ts());
	thermo_set_sensor_at(rec, mono_now_ts());
	assert_no_event(&s, 50);

	thermo_set_mode(rec, MODE_OFF);
	j = next_state(&s, 1000);
	ck_assert_str_eq(json_str(j, "mode"), "off");
	json_decref(j);
	assert_no_event(&s, 50);
	/* A new reading is a change. */
	thermo_set_temperature(rec, 20.25);
	j = next_state(&s, 1000);
	ck_assert(json_num(j, "temperature") == 20.25);
	json_decref(j);
	assert_no_event(&s, 50);

	/* Through the API, as the page does it. */
	{
		struct http_resp rs;

		ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
					 "application/json",
					 "{\"setpoint\": 23}"), 200);
		http_free(&rs);
	}
	j = next_state(&s, 1000);
	ck_assert(json_num(j, "setpoint") == 23.0);
	json_decref(j);
	/* A refused write sends nothing. */
	refused(422, "PUT", "/api/v1/setpoint", "application/json",
		"{\"setpoint\": 99}");
	assert_no_event(&s, 50);

	/* Changes in a burst: events may merge several changes (each
	 * carries the state as it is when sent), but they come in order and
	 * the last change always arrives; nothing comes after it. */
	for (int i = 1; i <= 10; i++)
		thermo_set_setpoint(rec, 23.0 + i * 0.5);
	for (double last = 23.0;;) {
		double v;

		j = next_state(&s, 1000);
		v = json_num(j, "setpoint");
		json_decref(j);
		ck_assert_msg(v > last, "setpoint %g after %g", v, last);
		last = v;
		if (v == 28.0)
			break;
	}
	assert_no_event(&s, 50);
	sse_close(&s);
}
END_TEST

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* How long from a setpoint change to its event: asserted loosely here
 * (shared machines are noisy); the figures are printed for the
 * benchmark. */
START_TEST(events_arrive_within_100_ms)
{
	enum { N = 50 };
	double direct[N], put[N];
	struct sse s;
	json_t *j;

	serve(NULL);
	open_stream(&s);
	json_decref(next_state(&s, 1000));
	for (int i = 0; i < N; i++) {
		double sp = 15.0 + (i % 2 ? 0.5 : 1.0) + i * 0.1, t0;

		/* A write to the record, as the control thread would. */
		t0 = now_ms();
		thermo_set_setpoint(rec, sp);
		j = next_state(&s, 2000);
		direct[i] = now_ms() - t0;
		ck_assert(fabs(json_num(j, "setpoint") -
			       round(sp * 100) / 100) < 1e-9);
		json_decref(j);
	}
	for (int i = 0; i < N; i++) {
		char body[64];
		struct http_resp rs;
		double t0;

		/* A PUT from another client, as a second page would. */
		snprintf(body, sizeof(body), "{\"setpoint\": %.1f}",
			 16.0 + i * 0.2);
		t0 = now_ms();
		ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
					 "application/json", body), 200);
		http_free(&rs);
		j = next_state(&s, 2000);
		put[i] = now_ms() - t0;
		ck_assert(fabs(json_num(j, "setpoint") - (16.0 + i * 0.2)) <
			  1e-9);
		json_decref(j);
	}
	sse_close(&s);
	qsort(direct, N, sizeof(double), cmp_double);
	qsort(put, N, sizeof(double), cmp_double);
	fprintf(stderr,
		"sse_latency_record_p50 %.3f ms\n"
		"sse_latency_record_max %.3f ms\n"
		"sse_latency_put_p50 %.3f ms\n"
		"sse_latency_put_max %.3f ms\n",
		direct[N / 2], direct[N - 1], put[N / 2], put[N - 1]);
	/* Loosely: the typical event within 100 ms, every one within 1 s. */
	ck_assert_msg(direct[N / 2] < 100 * scale, "p50 %.1f ms",
		      direct[N / 2]);
	ck_assert_msg(put[N / 2] < 100 * scale, "p50 %.1f ms", put[N / 2]);
	ck_assert_msg(direct[N - 1] < 1000 * scale, "max %.1f ms",
		      direct[N - 1]);
	ck_assert_msg(put[N - 1] < 1000 * scale, "max %.1f ms", put[N - 1]);
}
END_TEST

START_TEST(closing_the_record_ends_streams_at_once)
{
	struct sse a, b;
	char ev[8192];
	double t0, took;
	int ret;

	serve(NULL);
	open_stream(&a);
	open_stream(&b);
	json_decref(next_state(&a, 1000));
	json_decref(next_state(&b, 1000));
	t0 = now_ms();
	thermo_close(rec);
	/* Whatever was in flight, then the end of the stream. */
	while ((ret = sse_next(&a, (int)(1000 * scale), ev, sizeof(ev))) == 1)
		;
	took = now_ms() - t0;
	ck_assert_msg(ret == 0, "the stream did not end");
	ck_assert_msg(took < 200 * scale, "the stream ended after %.0f ms",
		      took);
	while ((ret = sse_next(&b, (int)(1000 * scale), ev, sizeof(ev))) == 1)
		;
	ck_assert_int_eq(ret, 0);
	ck_assert(now_ms() - t0 < 200 * scale);
	sse_close(&a);
	sse_close(&b);
	/* A stream opened now ends at once as well. */
	ck_assert_int_eq(sse_open(port, "/api/v1/events", "", &a), 0);
	t0 = now_ms();
	while ((ret = sse_next(&a, (int)(1000 * scale), ev, sizeof(ev))) == 1)
		;
	ck_assert_int_eq(ret, 0);
	ck_assert(now_ms() - t0 < 200 * scale);
	sse_close(&a);
}
END_TEST

static void four_threads(struct thermo_settings *c)
{
	c->num_threads = 4;
}

START_TEST(event_streams_are_capped_then_503)
{
	struct sse s[3], extra;
	struct http_resp rs;
	double deadline;

	serve(four_threads);
	/* num_threads - 2 streams. */
	for (int i = 0; i < 2; i++) {
		open_stream(&s[i]);
		json_decref(next_state(&s[i], 1000));
	}
	ck_assert(metric("thermostat_sse_clients") == 2);
	ck_assert_int_eq(sse_open(port, "/api/v1/events", "", &extra), 0);
	ck_assert_msg(extra.status == 503, "stream 3: %d", extra.status);
	assert_secure_headers(extra.head, "503");
	{
		char v[64];

		ck_assert(http_header_in(extra.head, "Content-Type", v,
					 sizeof(v)));
		ck_assert_str_eq(v, "application/json");
	}
	sse_close(&extra);
	/* The rest still serve everything else. */
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(get(&rs, "/api/v1/state"), 200);
		http_free(&rs);
	}
	/* A client that leaves frees its slot, once a write finds it gone
	 * (CivetWeb sees a closed peer only by writing). */
	sse_close(&s[0]);
	deadline = now_ms() + 3000 * scale;
	while (metric("thermostat_sse_clients") != 1) {
		ck_assert_msg(now_ms() < deadline, "the slot was not freed");
		thermo_set_setpoint(rec, thermo_get_setpoint(rec) == 21.0
						 ? 21.5
						 : 21.0);
		usleep(20 * 1000);
	}
	open_stream(&s[2]);
	json_decref(next_state(&s[2], 1000));
	sse_close(&s[1]);
	sse_close(&s[2]);
}
END_TEST

START_TEST(events_head_sends_headers_only)
{
	struct raw_result r;

	serve(NULL);
	head_raw("/api/v1/events", &r);
	ck_assert_int_eq(r.status, 200);
	raw_free(&r);
	ck_assert(metric("thermostat_sse_clients") == 0);
}
END_TEST

/* ---- listening ------------------------------------------------------ */

static void default_host(struct thermo_settings *c)
{
	struct thermo_settings d;
	const char *colon;

	config_defaults(&d);
	colon = strrchr(d.listen, ':');
	ck_assert_ptr_nonnull(colon);
	/* The default host, on any free port. */
	snprintf(c->listen, sizeof(c->listen), "%.*s:0",
		 (int)(colon - d.listen), d.listen);
}

/* The state of the listening socket on @port in /proc/net/tcp: its
 * local address as the kernel prints it ("0100007F" is 127.0.0.1). */
static bool listening_address(int p, char *addr, size_t len)
{
	FILE *f = fopen("/proc/net/tcp", "r");
	char line[512];
	bool found = false;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		char local[16];
		unsigned lport, st;

		if (sscanf(line, " %*d: %15[0-9A-F]:%x %*[0-9A-F]:%*x %x",
			   local, &lport, &st) == 3 &&
		    (int)lport == p && st == 0x0A /* LISTEN */) {
			snprintf(addr, len, "%s", local);
			found = true;
		}
	}
	fclose(f);
	return found;
}

START_TEST(default_is_loopback_only)
{
	struct thermo_settings d;
	struct ifaddrs *ifs, *i;
	struct http_resp rs;
	char addr[16];
	int fd;

	config_defaults(&d);
	ck_assert_str_eq(d.listen, "127.0.0.1:8080");
	serve(default_host);
	ck_assert_int_eq(get(&rs, "/api/v1/state"), 200);
	http_free(&rs);
	/* Bound to 127.0.0.1, not to 0.0.0.0 (the kernel prints the
	 * address in host byte order). */
	ck_assert_msg(listening_address(port, addr, sizeof(addr)),
		      "no listening socket on port %d in /proc/net/tcp", port);
	ck_assert_msg(strcmp(addr, "0100007F") == 0 ||
			      strcmp(addr, "7F000001") == 0,
		      "listening on %s", addr);
	/* 127.0.0.2 is this machine too, but not the bound address. */
	fd = raw_connect_to("127.0.0.2", port);
	ck_assert_msg(fd < 0 && errno == ECONNREFUSED,
		      "127.0.0.2:%d accepted a connection", port);
	/* Nor does any other address of the machine reach it. */
	ck_assert_int_eq(getifaddrs(&ifs), 0);
	for (i = ifs; i; i = i->ifa_next) {
		char text[INET_ADDRSTRLEN];
		struct sockaddr_in *sin = (struct sockaddr_in *)i->ifa_addr;

		if (!sin || sin->sin_family != AF_INET ||
		    (ntohl(sin->sin_addr.s_addr) >> 24) == 127)
			continue;
		inet_ntop(AF_INET, &sin->sin_addr, text, sizeof(text));
		fd = raw_connect_to(text, port);
		ck_assert_msg(fd < 0, "%s:%d accepted a connection", text,
			      port);
	}
	freeifaddrs(ifs);
}
END_TEST

static Suite *suite_web(void)
{
	Suite *s = suite_create("web");
	TCase *tc;

	tc = tcase_create("routes");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, state_is_a_snapshot_of_the_record);
	tcase_add_test(tc, state_ages_are_never_negative);
	tcase_add_test(tc, version_is_the_librarys);
	tcase_add_test(tc, stale_or_unknown_temperature_is_null);
	tcase_add_test(tc, fahrenheit_in_and_out);
	tcase_add_test(tc, page_and_assets);
	tcase_add_test(tc, page_has_no_inline_code);
	tcase_add_test(tc, head_on_every_get_route);
	tcase_add_test(tc, head_errors_have_no_body);
	tcase_add_test(tc, unknown_paths_are_404);
	tcase_add_test(tc, wrong_methods_are_405_with_allow);
	tcase_add_test(tc, cors_preflights_are_not_answered);
	tcase_add_test(tc, default_is_loopback_only);
	suite_add_tcase(s, tc);

	tc = tcase_create("writes");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, setpoint_and_mode_are_written);
	tcase_add_test(tc, writes_refused_once_stopping);
	tcase_add_test(tc, setpoint_bounds_are_inclusive);
	tcase_add_test(tc, malformed_json_is_400_and_changes_nothing);
	tcase_add_test(tc, deeply_nested_json_is_400_not_a_crash);
	tcase_add_test(tc, bad_values_are_422_and_change_nothing);
	tcase_add_test(tc, wrong_content_type_is_415_and_changes_nothing);
	tcase_add_test(tc, no_length_is_411_and_changes_nothing);
	tcase_add_test(tc, big_body_is_413_unread_and_changes_nothing);
	tcase_add_test(tc, chunked_bodies);
	tcase_add_test(tc, ambiguous_framing_is_400_and_changes_nothing);
	tcase_add_test(tc, short_body_is_400_and_changes_nothing);
	tcase_add_test(tc, encoded_nul_is_400_and_changes_nothing);
	tcase_add_test(tc, civetweb_errors_carry_security_headers);
	suite_add_tcase(s, tc);

	tc = tcase_create("compat");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, compat_routes_answer_the_originals_json);
	tcase_add_test(tc, compat_set_thermostat);
	tcase_add_test(tc, compat_routes_off_are_404);
	suite_add_tcase(s, tc);

	tc = tcase_create("history, metrics, health");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, history_points_and_minutes);
	tcase_add_test(tc, history_bad_queries_are_400);
	tcase_add_test(tc, metrics_are_prometheus_text);
	tcase_add_test(tc, metrics_count_requests);
	tcase_add_test(tc, healthz_is_200_when_fresh);
	tcase_add_test(tc, healthz_is_503_with_reasons);
	suite_add_tcase(s, tc);

	tc = tcase_create("auth");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, writes_need_digest_auth);
	tcase_add_test(tc, missing_password_file_lets_nobody_write);
	tcase_add_test(tc, auth_reads_protects_reads);
	suite_add_tcase(s, tc);

	tc = tcase_create("events");
	tcase_add_checked_fixture(tc, NULL, teardown);
	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, events_first_at_connect_then_one_per_change);
	tcase_add_test(tc, events_arrive_within_100_ms);
	tcase_add_test(tc, closing_the_record_ends_streams_at_once);
	tcase_add_test(tc, event_streams_are_capped_then_503);
	tcase_add_test(tc, events_head_sends_headers_only);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	const char *sc = getenv("TEST_SCALE");
	SRunner *sr;
	char cmd[96];
	int failed;

	if (sc && atof(sc) >= 1)
		scale = atof(sc);
	/* Warnings about the missing password file would drown the
	 * output. */
	log_set_level(LOG_LEVEL_ERROR);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) {
		fprintf(stderr, "curl_global_init failed\n");
		return EXIT_FAILURE;
	}
	snprintf(root, sizeof(root), "/tmp/check-web.XXXXXX");
	if (!mkdtemp(root)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	sr = srunner_create(suite_web());
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", root);
	curl_global_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
