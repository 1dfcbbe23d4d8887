/* SPDX-License-Identifier: MIT */
/*
 * What the server lets one observe (check-web, web_fixture.h): the
 * history and its queries, the metrics in Prometheus' text format and
 * their request counts, and the health check with its reasons.
 */
#include <config.h>
#define _GNU_SOURCE
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/history.h"
#include "util/timeutil.h"

#include "http.h"
#include "web_fixture.h"

/* ---- history -------------------------------------------------------- */

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
	double t0 = wall_now(), t1;

	serve(NULL);
	pts = history_points("", &rs);
	ck_assert_uint_eq(json_array_size(pts), 0);
	json_decref(pts);

	add_point(600, 18.0f, 20.0f, false);
	t1 = wall_now();
	add_point(120, 19.25f, 21.0f, true);
	add_point(30, NAN, 21.5f, false);

	pts = history_points("", &rs);
	ck_assert_uint_eq(json_array_size(pts), 3);
	p = json_array_get(pts, 0);
	ck_assert(json_num(p, "temperature") == 18.0);
	ck_assert(json_num(p, "setpoint") == 20.0);
	ck_assert(json_is_false(json_object_get(p, "heating")));
	/* Milliseconds since the epoch, oldest first: 600 s before it was
	 * added, which was between t0 and t1. */
	ck_assert(json_num(p, "t") >= (t0 - 600) * 1000 - 1);
	ck_assert(json_num(p, "t") <= (t1 - 600) * 1000 + 1);
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

/* A request is counted after its answer is sent, so the next request may
 * not see it yet: waits for sample @name to reach @want (a sanity
 * deadline), and fails if it goes past. */
static void wait_metric(const char *name, double want)
{
	double deadline = now_ms() + EVENT_WAIT_MS * scale, v;

	while ((v = metric(name)) != want) {
		ck_assert_msg(isnan(v) || v < want, "%s is %g, not %g", name,
			      v, want);
		ck_assert_msg(now_ms() < deadline, "%s is %g, not %g", name,
			      v, want);
		usleep(5 * 1000);
	}
}

/*
 * /metrics counts itself once it has answered, so the N-th GET /metrics
 * holds at most N - 1 of them (the count never runs ahead, never counts
 * twice) and, once the earlier ones are counted, exactly N - 1.  Waits
 * for that (a sanity deadline), checking the first on every answer.
 */
static void wait_metrics_count(const char *name)
{
	double deadline = now_ms() + EVENT_WAIT_MS * scale, v;

	for (;;) {
		v = metric(name);
		if (isnan(v))
			v = 0; /* no sample: none counted */
		ck_assert_msg(v <= metrics_fetched - 1, "%s is %g after %d "
			      "requests", name, v, metrics_fetched);
		if (v == metrics_fetched - 1)
			return;
		ck_assert_msg(now_ms() < deadline, "%s is %g after %d "
			      "requests", name, v, metrics_fetched);
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
		"thermostat_http_requests_total{route=\"/api/v1/state\",method=\"GET\","
		"status=\"200\"}";
	static const char other_404[] =
		"thermostat_http_requests_total{route=\"other\",method=\"any\","
		"status=\"404\"}";
	static const char setpoint_415[] =
		"thermostat_http_requests_total{route=\"/api/v1/setpoint\",method=\"PUT\","
		"status=\"415\"}";
	static const char setpoint_422[] =
		"thermostat_http_requests_total{route=\"/api/v1/setpoint\",method=\"PUT\","
		"status=\"422\"}";
	static const char metrics_200[] =
		"thermostat_http_requests_total{route=\"/metrics\",method=\"GET\","
		"status=\"200\"}";
	struct http_resp rs;

	serve(NULL);
	/* Nothing counted yet: the first /metrics shows no samples. */
	ck_assert(isnan(metric(state_200)));
	/* /metrics counts itself. */
	wait_metrics_count(metrics_200);
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
	wait_metrics_count(metrics_200);
	ck_assert_int_ge(metrics_fetched, 6);
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

/* A furnace that ran without warming the room is a heating problem: the
 * heat is off until someone looks.  Cleared, healthy again. */
START_TEST(healthz_says_runaway)
{
	json_t *j;

	serve(NULL);
	thermo_set_runaway(rec, true);
	j = healthz(503);
	ck_assert(has_reason(j, "runaway alarm: heat off, the temperature "
				"did not rise"));
	ck_assert_uint_eq(json_array_size(json_object_get(j, "reasons")), 1);
	json_decref(j);
	thermo_set_runaway(rec, false);
	json_decref(healthz(200));
}
END_TEST

Suite *suite_web_observe(void)
{
	Suite *s = suite_create("web-observe");
	TCase *tc = web_tcase(s, "observe");

	tcase_add_test(tc, history_points_and_minutes);
	tcase_add_test(tc, history_bad_queries_are_400);
	tcase_add_test(tc, metrics_are_prometheus_text);
	tcase_add_test(tc, metrics_count_requests);
	tcase_add_test(tc, healthz_is_200_when_fresh);
	tcase_add_test(tc, healthz_is_503_with_reasons);
	tcase_add_test(tc, healthz_says_runaway);
	return s;
}
