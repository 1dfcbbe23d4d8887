/* SPDX-License-Identifier: MIT */
/*
 * The web server's routes (check-web, web_fixture.h): the state as a
 * snapshot of the record, its ages, units, the version, the page and its
 * assets (which need no inline code), HEAD on every GET route, unknown
 * paths, wrong methods, CORS preflights, and the default listen address
 * (loopback only).
 */
#include <config.h>
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <ifaddrs.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <sharedstate.h>

#include "conf/conf.h"
#include "core/history.h"
#include "util/timeutil.h"

#include "http.h"
#include "web_fixture.h"

/* ---- routes --------------------------------------------------------- */

START_TEST(state_is_a_snapshot_of_the_record)
{
	struct http_resp rs;
	double t0 = now_ms(), elapsed;
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
	/* Ages from the record's stamps, taken in serve(): no older than
	 * the test, give or take their rounding to a tenth (that they are
	 * never negative is state_ages_are_never_negative's). */
	elapsed = (now_ms() - t0) / 1000;
	ck_assert(json_num(j, "temperature_age") <= elapsed + 0.05);
	ck_assert(json_num(j, "relay_changed_age") <= elapsed + 0.05);
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

/* The state is rendered once per tenth of a second (web/route_state.c's cache): a
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

/* Answers whose length does not change from one request to the next. */
static bool fixed_length(const char *path)
{
	return strcmp(path, "/api/v1/state") != 0 &&
	       strcmp(path, "/metrics") != 0 &&
	       strcmp(path, "/api/v1/history") != 0;
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
		{ "/api/v1/alarm", "PUT", { "GET", "POST", "DELETE", NULL } },
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
		const struct sockaddr_in *sin =
			(const struct sockaddr_in *)(const void *)i->ifa_addr;

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

Suite *suite_web_routes(void)
{
	Suite *s = suite_create("web-routes");
	TCase *tc = web_tcase(s, "routes");

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
	return s;
}
