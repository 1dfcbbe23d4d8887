/* SPDX-License-Identifier: MIT */
/*
 * The runaway alarm on the web (check-web, web_fixture.h): how the state,
 * the metrics and the event stream show it, and PUT /api/v1/alarm, the
 * write that clears it, with every way that write is refused without a
 * change.  (Its need of a login is in check_web_auth.c.)
 */
#include <config.h>
#define _GNU_SOURCE
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "util/timeutil.h"

#include "http.h"
#include "web_fixture.h"

#define ALARM "/api/v1/alarm"
#define JSON "application/json"

/* The control thread's trip @ago seconds ago, on a reading of 15 C. */
static void raise_alarm(double ago)
{
	thermo_set_runaway(rec, true);
	thermo_set_runaway_at(rec, s_to_ts(mono_now() - ago));
	thermo_set_runaway_temperature(rec, 15.0);
	thermo_set_runaway_trips(rec, thermo_get_runaway_trips(rec) + 1);
	thermo_set_reason(rec, REASON_RUNAWAY);
}

static json_t *state_alarm(json_t **root)
{
	struct http_resp rs;
	json_t *a;

	ck_assert_int_eq(get(&rs, "/api/v1/state"), 200);
	*root = json_body(&rs);
	http_free(&rs);
	a = json_object_get(*root, "alarm");
	ck_assert_msg(json_is_object(a), "no \"alarm\" object in the state");
	return a;
}

START_TEST(alarm_shows_in_state_and_metrics)
{
	json_t *root, *a;

	serve(NULL);
	a = state_alarm(&root);
	ck_assert(json_is_false(json_object_get(a, "runaway")));
	ck_assert(json_is_null(json_object_get(a, "since")));
	ck_assert(json_is_null(json_object_get(a, "age")));
	ck_assert(json_is_null(json_object_get(a, "temperature")));
	ck_assert_int_eq(json_integer_value(json_object_get(a, "trips")), 0);
	json_decref(root);
	ck_assert(metric("thermostat_runaway_alarm") == 0);
	ck_assert(metric("thermostat_runaway_trips_total") == 0);

	raise_alarm(30);
	a = state_alarm(&root);
	ck_assert(json_is_true(json_object_get(a, "runaway")));
	ck_assert_str_eq(json_str(root, "reason"), "runaway");
	ck_assert_msg(strstr(json_str(root, "reason_text"), "runaway_time"),
		      "reason_text: %s", json_str(root, "reason_text"));
	/* Since when (ISO 8601, as relay_changed_at), and how long ago. */
	ck_assert_uint_eq(strlen(json_str(a, "since")), 20);
	ck_assert_double_ge(json_num(a, "age"), 30 - 0.2);
	ck_assert_double_le(json_num(a, "age"), 30 + 60 * scale);
	ck_assert(json_num(a, "temperature") == 15);
	ck_assert_int_eq(json_integer_value(json_object_get(a, "trips")), 1);
	json_decref(root);
	ck_assert(metric("thermostat_runaway_alarm") == 1);
	ck_assert(metric("thermostat_runaway_trips_total") == 1);
}
END_TEST

static void fahrenheit(struct thermo_settings *c)
{
	c->units = 'F';
}

/* The trip's reading is in the display unit, like every temperature. */
START_TEST(alarm_temperature_in_display_units)
{
	json_t *root, *a;

	serve(fahrenheit);
	raise_alarm(1);
	a = state_alarm(&root);
	ck_assert(json_num(a, "temperature") == 59);
	json_decref(root);
}
END_TEST

START_TEST(put_clears_the_alarm)
{
	struct http_resp rs;
	json_t *root, *a;

	serve(NULL);
	raise_alarm(5);
	ck_assert_int_eq(request(&rs, "PUT", ALARM, JSON,
				 "{\"runaway\": false}"), 200);
	assert_type(&rs, JSON, "PUT alarm");
	ck_assert(!thermo_get_runaway(rec));
	/* The answer is the new state; the trips stay counted. */
	root = json_body(&rs);
	a = json_object_get(root, "alarm");
	ck_assert(json_is_false(json_object_get(a, "runaway")));
	ck_assert(json_is_null(json_object_get(a, "since")));
	ck_assert_int_eq(json_integer_value(json_object_get(a, "trips")), 1);
	json_decref(root);
	http_free(&rs);
	ck_assert(metric("thermostat_runaway_alarm") == 0);
	ck_assert(metric("thermostat_runaway_trips_total") == 1);
	/* Clearing what is not raised: the same answer, nothing else. */
	ck_assert_int_eq(request(&rs, "PUT", ALARM, "application/json; "
				 "charset=utf-8", " {\"runaway\":false}\n"),
			 200);
	ck_assert(!thermo_get_runaway(rec));
	http_free(&rs);
}
END_TEST

/* Every bad request is refused with its status and changes nothing: the
 * alarm stays raised. */
START_TEST(bad_clears_are_refused_and_change_nothing)
{
	static const struct {
		long status;
		const char *type, *body;
	} bad[] = {
		{ 400, JSON, "" },
		{ 400, JSON, "{\"runaway\": false" },
		{ 400, JSON, "[false]" },
		{ 400, JSON, "false" },
		{ 400, JSON, "{\"runaway\": false, \"runaway\": false}" },
		{ 422, JSON, "{\"runaway\": true}" },
		{ 422, JSON, "{\"runaway\": \"false\"}" },
		{ 422, JSON, "{\"runaway\": 0}" },
		{ 422, JSON, "{\"runaway\": null}" },
		{ 422, JSON, "{}" },
		{ 422, JSON, "{\"runaway\": false, \"mode\": \"off\"}" },
		{ 422, JSON, "{\"alarm\": false}" },
		{ 415, "text/plain", "{\"runaway\": false}" },
		{ 415, "application/x-www-form-urlencoded", "runaway=false" },
	};

	serve(NULL);
	raise_alarm(5);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		refused(bad[i].status, "PUT", ALARM, bad[i].type, bad[i].body);
		ck_assert_msg(thermo_get_runaway(rec), "%s cleared it",
			      bad[i].body);
	}
	/* Only PUT: the others are 405 with Allow: PUT. */
	refused(405, "POST", ALARM, JSON, "{\"runaway\": false}");
	refused(405, "DELETE", ALARM, NULL, NULL);
	refused(405, "GET", ALARM, NULL, NULL);
	ck_assert(thermo_get_runaway(rec));
}
END_TEST

/* Once shutdown began, a clear would be lost like any write: 503. */
START_TEST(clear_refused_once_stopping)
{
	serve(NULL);
	raise_alarm(5);
	thermo_set_running(rec, false);
	refused(503, "PUT", ALARM, JSON, "{\"runaway\": false}");
	ck_assert(thermo_get_runaway(rec));
}
END_TEST

/* The event stream says so when the alarm rises and when it clears. */
START_TEST(alarm_changes_reach_the_event_stream)
{
	struct sse s;
	char ev[4096];
	struct http_resp rs;

	serve(NULL);
	ck_assert_int_eq(sse_open(port, "/api/v1/events", "", &s), 0);
	ck_assert_int_gt(sse_next(&s, EVENT_WAIT_MS * scale, ev, sizeof(ev)),
			 0);
	ck_assert(strstr(ev, "\"runaway\":false") != NULL);
	raise_alarm(0);
	for (;;) {
		ck_assert_msg(sse_next(&s, EVENT_WAIT_MS * scale, ev,
				       sizeof(ev)) > 0, "no event");
		if (strstr(ev, "\"runaway\":true"))
			break;
	}
	ck_assert_int_eq(request(&rs, "PUT", ALARM, JSON,
				 "{\"runaway\": false}"), 200);
	http_free(&rs);
	for (;;) {
		ck_assert_msg(sse_next(&s, EVENT_WAIT_MS * scale, ev,
				       sizeof(ev)) > 0, "no event");
		if (strstr(ev, "\"runaway\":false"))
			break;
	}
	sse_close(&s);
}
END_TEST

Suite *suite_web_alarm(void)
{
	Suite *s = suite_create("web-alarm");
	TCase *tc = web_tcase(s, "alarm");

	tcase_add_test(tc, alarm_shows_in_state_and_metrics);
	tcase_add_test(tc, alarm_temperature_in_display_units);
	tcase_add_test(tc, put_clears_the_alarm);
	tcase_add_test(tc, bad_clears_are_refused_and_change_nothing);
	tcase_add_test(tc, clear_refused_once_stopping);
	tcase_add_test(tc, alarm_changes_reach_the_event_stream);
	return s;
}
