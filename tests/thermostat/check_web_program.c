/* SPDX-License-Identifier: MIT */
/*
 * The weekly program on the web (check-web, web_fixture.h): GET and PUT
 * of /api/v1/presets and /api/v1/schedule, PUT /api/v1/preset, PUT and
 * DELETE /api/v1/hold, PUT /api/v1/boost, the state route's "program",
 * "summary" and "setpoint_step", and every way a write is refused
 * without a change (422 for a valid document with a bad value).  (Their
 * need of a login is in check_web_auth.c.)
 */
#include <config.h>
#define _GNU_SOURCE
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core/runtime.h"
#include "core/schedule.h"
#include "util/timeutil.h"
#include "web/api_program.h"

#include "http.h"
#include "web_fixture.h"

#define JSON "application/json"

/* A week with comfort at 06:30 and sleep at 22:00 every day. */
static const char week[] =
	"{\"schedule\": {"
	"\"monday\": [{\"time\": \"06:30\", \"preset\": \"comfort\"}, "
	"{\"time\": \"22:00\", \"preset\": \"sleep\"}], "
	"\"tuesday\": [{\"time\": \"06:30\", \"preset\": \"comfort\"}, "
	"{\"time\": \"22:00\", \"setpoint\": 16.5}], "
	"\"wednesday\": [{\"time\": \"06:30\", \"preset\": \"comfort\"}, "
	"{\"time\": \"22:00\", \"preset\": \"sleep\"}], "
	"\"thursday\": [{\"time\": \"06:30\", \"preset\": \"comfort\"}, "
	"{\"time\": \"22:00\", \"preset\": \"sleep\"}], "
	"\"friday\": [{\"time\": \"06:30\", \"preset\": \"comfort\"}, "
	"{\"time\": \"22:00\", \"preset\": \"sleep\"}], "
	"\"saturday\": [{\"time\": \"06:30\", \"preset\": \"comfort\"}, "
	"{\"time\": \"22:00\", \"preset\": \"sleep\"}], "
	"\"sunday\": [{\"time\": \"06:30\", \"preset\": \"comfort\"}, "
	"{\"time\": \"22:00\", \"preset\": \"sleep\"}]}}";

static json_t *get_json(const char *path)
{
	struct http_resp rs;
	json_t *j;

	ck_assert_int_eq(get(&rs, path), 200);
	assert_type(&rs, "application/json", path);
	j = json_body(&rs);
	http_free(&rs);
	return j;
}

static json_t *put_json(const char *path, const char *body)
{
	struct http_resp rs;
	json_t *j;

	ck_assert_msg(request(&rs, "PUT", path, JSON, body) == 200,
		      "PUT %s %s: %ld %s", path, body, rs.status, rs.body);
	j = json_body(&rs);
	http_free(&rs);
	return j;
}

static json_t *program_of(json_t *state)
{
	json_t *p = json_object_get(state, "program");

	ck_assert_msg(json_is_object(p), "no \"program\" in the state");
	return p;
}

START_TEST(presets_and_schedule_round_trip)
{
	json_t *j, *p, *mon;
	char *a, *b;

	serve(NULL);
	j = get_json("/api/v1/presets");
	p = json_object_get(j, "presets");
	ck_assert_uint_eq(json_array_size(p), 4);
	ck_assert_str_eq(json_str(json_array_get(p, 0), "name"), "comfort");
	ck_assert(json_num(json_array_get(p, 3), "setpoint") == 12);
	ck_assert_str_eq(json_str(j, "unit"), "C");
	json_decref(j);
	/* No switch point yet: the manual setpoint. */
	j = get_json("/api/v1/state");
	ck_assert_str_eq(json_str(program_of(j), "source"), "manual");
	ck_assert(json_is_null(json_object_get(program_of(j), "next_switch")));
	json_decref(j);

	j = put_json("/api/v1/schedule", week);
	mon = json_object_get(json_object_get(j, "schedule"), "monday");
	ck_assert_uint_eq(json_array_size(mon), 2);
	ck_assert_str_eq(json_str(json_array_get(mon, 1), "preset"), "sleep");
	a = json_dumps(j, JSON_SORT_KEYS);
	json_decref(j);
	j = get_json("/api/v1/schedule");
	b = json_dumps(j, JSON_SORT_KEYS);
	ck_assert_str_eq(a, b);
	free(a);
	free(b);
	ck_assert(json_num(json_array_get(json_object_get(
				   json_object_get(j, "schedule"), "tuesday"),
					  1),
			   "setpoint") == 16.5);
	json_decref(j);
	/* The program now: from the schedule, with a next switch point. */
	j = get_json("/api/v1/state");
	p = program_of(j);
	ck_assert_str_eq(json_str(p, "source"), "schedule");
	ck_assert(json_is_object(json_object_get(p, "next_switch")));
	ck_assert_uint_eq(strlen(json_str(p, "until_local")), 16);
	ck_assert(json_num(j, "setpoint") == 21 || json_num(j, "setpoint") == 17 ||
		  json_num(j, "setpoint") == 16.5);
	/* The daemon's local time and zone, and the saved writes so far
	 * (the schedule: one). */
	ck_assert_uint_eq(strlen(json_str(j, "time_local")), 16);
	ck_assert(json_is_integer(json_object_get(j, "utc_offset")));
	ck_assert_int_eq(json_integer_value(json_object_get(j, "changes")), 1);
	ck_assert_int_eq(json_integer_value(json_object_get(j,
							    "program_changes")),
			 1);
	json_decref(j);
}
END_TEST

START_TEST(bad_schedules_are_422_and_change_nothing)
{
	static const char *const bad[] = {
		/* unsorted, twice the same time, no such times */
		"{\"schedule\": {\"monday\": [{\"time\": \"08:00\", \"preset\": "
		"\"eco\"}, {\"time\": \"07:00\", \"preset\": \"comfort\"}]}}",
		"{\"schedule\": {\"monday\": [{\"time\": \"08:00\", \"preset\": "
		"\"eco\"}, {\"time\": \"08:00\", \"preset\": \"comfort\"}]}}",
		"{\"schedule\": {\"monday\": [{\"time\": \"25:00\", \"preset\": "
		"\"eco\"}]}}",
		"{\"schedule\": {\"monday\": [{\"time\": \"7:00\", \"preset\": "
		"\"eco\"}]}}",
		"{\"schedule\": {\"monday\": [{\"time\": \"07:60\", \"preset\": "
		"\"eco\"}]}}",
		/* unknown preset, out of range, both or neither */
		"{\"schedule\": {\"monday\": [{\"time\": \"07:00\", \"preset\": "
		"\"nosuch\"}]}}",
		"{\"schedule\": {\"monday\": [{\"time\": \"07:00\", \"setpoint\": "
		"99}]}}",
		"{\"schedule\": {\"monday\": [{\"time\": \"07:00\", \"setpoint\": "
		"20, \"preset\": \"eco\"}]}}",
		"{\"schedule\": {\"monday\": [{\"time\": \"07:00\"}]}}",
		/* shapes */
		"{\"schedule\": {\"funday\": []}}",
		"{\"schedule\": []}",
		"{\"schedule\": {\"monday\": {}}}",
		"{\"schedule\": {\"monday\": [5]}}",
		"{\"schedule\": {\"monday\": [{\"time\": \"07:00\", \"preset\": "
		"\"eco\", \"extra\": 1}]}}",
		"{\"week\": {}}",
		"{}",
	};
	char body[1024];

	serve(NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused(422, "PUT", "/api/v1/schedule", JSON, bad[i]);
	/* A day missing from an otherwise good week. */
	snprintf(body, sizeof(body), "%s", week);
	*strstr(body, "\"sunday\"") = '\0';
	strcat(body, "\"x\": []}}");
	refused(422, "PUT", "/api/v1/schedule", JSON, body);
	/* Nine points in a day. */
	snprintf(body, sizeof(body), "{\"schedule\": {\"monday\": [");
	for (int k = 0; k < 9; k++)
		snprintf(body + strlen(body), sizeof(body) - strlen(body),
			 "%s{\"time\": \"0%d:00\", \"preset\": \"eco\"}",
			 k ? ", " : "", k);
	strcat(body, "]}}");
	refused(422, "PUT", "/api/v1/schedule", JSON, body);
	/* The message says which mistake it is. */
	{
		struct http_resp rs;

		ck_assert_int_eq(request(&rs, "PUT", "/api/v1/schedule", JSON,
					 bad[1]), 422);
		ck_assert_msg(strstr(rs.body, "two points at 08:00"), "%s",
			      rs.body);
		http_free(&rs);
	}
	refused(400, "PUT", "/api/v1/schedule", JSON, "{\"schedule\": ");
	refused(415, "PUT", "/api/v1/schedule", "text/plain", week);
	refused(405, "POST", "/api/v1/schedule", JSON, week);
}
END_TEST

START_TEST(presets_rename_follow_and_refuse)
{
	json_t *j, *mon;
	struct http_resp rs;

	serve(NULL);
	json_decref(put_json("/api/v1/schedule", week));
	/* sleep becomes night (the schedule follows), eco and away go. */
	j = put_json("/api/v1/presets",
		     "{\"presets\": [{\"name\": \"comfort\", \"setpoint\": "
		     "21.5}, {\"name\": \"night\", \"setpoint\": 16, "
		     "\"was\": \"sleep\"}]}");
	ck_assert_uint_eq(json_array_size(json_object_get(j, "presets")), 2);
	json_decref(j);
	j = get_json("/api/v1/schedule");
	mon = json_object_get(json_object_get(j, "schedule"), "monday");
	ck_assert_str_eq(json_str(json_array_get(mon, 1), "preset"), "night");
	json_decref(j);
	/* Dropping night, which the schedule uses: 422, saying where. */
	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/presets", JSON,
				 "{\"presets\": [{\"name\": \"comfort\", "
				 "\"setpoint\": 21}]}"), 422);
	ck_assert_msg(strstr(rs.body, "monday 22:00"), "%s", rs.body);
	http_free(&rs);
	refused(422, "PUT", "/api/v1/presets", JSON,
		"{\"presets\": [{\"name\": \"comfort\", \"setpoint\": 21}]}");
	refused(422, "PUT", "/api/v1/presets", JSON,
		"{\"presets\": [{\"name\": \"comfort\", \"setpoint\": 21}, "
		"{\"name\": \"comfort\", \"setpoint\": 18}, "
		"{\"name\": \"night\", \"setpoint\": 16}]}");
	refused(422, "PUT", "/api/v1/presets", JSON,
		"{\"presets\": [{\"name\": \"Comfort\", \"setpoint\": 21}, "
		"{\"name\": \"night\", \"setpoint\": 16}]}");
	refused(422, "PUT", "/api/v1/presets", JSON,
		"{\"presets\": [{\"name\": \"comfort\", \"setpoint\": 31}, "
		"{\"name\": \"night\", \"setpoint\": 16}]}");
	refused(422, "PUT", "/api/v1/presets", JSON,
		"{\"presets\": [{\"name\": \"comfort\", \"setpoint\": 21}, "
		"{\"name\": \"night\", \"setpoint\": 16, \"was\": \"gone\"}]}");
	refused(422, "PUT", "/api/v1/presets", JSON, "{\"presets\": []}");
	refused(422, "PUT", "/api/v1/presets", JSON,
		"{\"presets\": [{\"name\": \"a\", \"setpoint\": 20}, "
		"{\"name\": \"b\", \"setpoint\": 20}, {\"name\": \"c\", "
		"\"setpoint\": 20}, {\"name\": \"d\", \"setpoint\": 20}, "
		"{\"name\": \"e\", \"setpoint\": 20}, {\"name\": \"f\", "
		"\"setpoint\": 20}, {\"name\": \"g\", \"setpoint\": 20}, "
		"{\"name\": \"h\", \"setpoint\": 20}, {\"name\": \"i\", "
		"\"setpoint\": 20}]}");
	refused(422, "PUT", "/api/v1/presets", JSON,
		"{\"presets\": [{\"name\": \"comfort\"}]}");
}
END_TEST

START_TEST(preset_hold_and_resume)
{
	char body[160], until[32];
	time_t later = (time_t)wall_now() + 3 * 86400;
	json_t *j, *p, *h;
	struct http_resp rs;

	serve(NULL);
	json_decref(put_json("/api/v1/schedule", week));
	/* Eco now: held until the next switch point. */
	j = put_json("/api/v1/preset", "{\"preset\": \"eco\"}");
	p = program_of(j);
	ck_assert(json_num(j, "setpoint") == 18);
	ck_assert_str_eq(json_str(p, "source"), "hold");
	ck_assert_str_eq(json_str(p, "preset"), "eco");
	h = json_object_get(p, "hold");
	ck_assert_str_eq(json_str(h, "kind"), "next");
	ck_assert_str_eq(json_str(h, "until_local"),
			 json_str(json_object_get(p, "next_switch"),
				  "at_local"));
	ck_assert_msg(strstr(json_str(j, "summary"), "(Eco, held)"), "%s",
		      json_str(j, "summary"));
	json_decref(j);
	/* Vacation: away until a local date and time. */
	api_local_time(until, sizeof(until), later - later % 60);
	snprintf(body, sizeof(body), "{\"preset\": \"away\", \"until\": "
		 "\"%s\"}", until);
	j = put_json("/api/v1/hold", body);
	p = program_of(j);
	ck_assert(json_num(j, "setpoint") == 12);
	ck_assert_str_eq(json_str(json_object_get(p, "hold"), "kind"),
			 "until");
	ck_assert_str_eq(json_str(p, "until_local"), until);
	json_decref(j);
	/* A setpoint by hand keeps the vacation's end. */
	j = put_json("/api/v1/setpoint", "{\"setpoint\": 15}");
	ck_assert(json_num(j, "setpoint") == 15);
	ck_assert_str_eq(json_str(program_of(j), "until_local"), until);
	json_decref(j);
	/* Permanently, for N hours. */
	j = put_json("/api/v1/hold", "{\"setpoint\": 19.5, \"kind\": "
				      "\"forever\"}");
	ck_assert(json_is_null(json_object_get(program_of(j), "until")));
	json_decref(j);
	j = put_json("/api/v1/hold", "{\"preset\": \"comfort\", \"hours\": 2}");
	ck_assert_str_eq(json_str(json_object_get(program_of(j), "hold"),
				  "kind"), "until");
	json_decref(j);
	/* Bad holds. */
	refused(422, "PUT", "/api/v1/hold", JSON, "{\"preset\": \"nosuch\"}");
	refused(422, "PUT", "/api/v1/hold", JSON, "{}");
	refused(422, "PUT", "/api/v1/hold", JSON,
		"{\"preset\": \"eco\", \"setpoint\": 20}");
	refused(422, "PUT", "/api/v1/hold", JSON,
		"{\"preset\": \"eco\", \"until\": \"2020-01-01T10:00\"}");
	refused(422, "PUT", "/api/v1/hold", JSON,
		"{\"preset\": \"eco\", \"until\": \"2031-02-30T10:00\"}");
	refused(422, "PUT", "/api/v1/hold", JSON,
		"{\"preset\": \"eco\", \"until\": \"2031-02-03 10:00\"}");
	refused(422, "PUT", "/api/v1/hold", JSON,
		"{\"preset\": \"eco\", \"until\": \"2031-02-03T25:00\"}");
	refused(422, "PUT", "/api/v1/hold", JSON,
		"{\"preset\": \"eco\", \"hours\": 0}");
	refused(422, "PUT", "/api/v1/hold", JSON,
		"{\"preset\": \"eco\", \"hours\": 99999}");
	refused(422, "PUT", "/api/v1/hold", JSON,
		"{\"preset\": \"eco\", \"hours\": 2, \"kind\": \"forever\"}");
	refused(422, "PUT", "/api/v1/hold", JSON,
		"{\"preset\": \"eco\", \"kind\": \"sometimes\"}");
	refused(422, "PUT", "/api/v1/hold", JSON, "{\"setpoint\": 40}");
	refused(422, "PUT", "/api/v1/preset", JSON, "{\"preset\": 3}");
	refused(422, "PUT", "/api/v1/preset", JSON, "{\"preset\": \"x\"}");
	refused(422, "PUT", "/api/v1/preset", JSON, "{}");
	refused(400, "DELETE", "/api/v1/hold", JSON, "{}");
	/* A path with two methods names both. */
	ck_assert_int_eq(request(&rs, "POST", "/api/v1/hold", JSON, "{}"),
			 405);
	ck_assert(http_header(&rs, "Allow", body, sizeof(body)));
	ck_assert_str_eq(body, "PUT, DELETE");
	http_free(&rs);
	/* Back to the schedule. */
	ck_assert_int_eq(request(&rs, "DELETE", "/api/v1/hold", NULL, NULL),
			 200);
	j = json_body(&rs);
	ck_assert_str_eq(json_str(program_of(j), "source"), "schedule");
	ck_assert(json_is_null(json_object_get(program_of(j), "hold")));
	json_decref(j);
	http_free(&rs);
}
END_TEST

START_TEST(boost_for_minutes)
{
	json_t *j, *b;

	serve(NULL);
	j = put_json("/api/v1/boost", "{\"setpoint\": 23, \"minutes\": 30}");
	ck_assert(json_num(j, "setpoint") == 23);
	ck_assert_str_eq(json_str(program_of(j), "source"), "boost");
	b = json_object_get(program_of(j), "boost");
	ck_assert(json_num(b, "setpoint") == 23);
	ck_assert_msg(strstr(json_str(j, "summary"), "(boost)"), "%s",
		      json_str(j, "summary"));
	json_decref(j);
	/* A boost over a hold: the hold's end still shows. */
	json_decref(put_json("/api/v1/hold", "{\"setpoint\": 18, \"hours\": 5}"));
	j = put_json("/api/v1/boost", "{\"setpoint\": 23, \"minutes\": 30}");
	b = json_object_get(program_of(j), "hold");
	ck_assert_msg(json_is_string(json_object_get(b, "until_local")),
		      "no end of the hold under the boost");
	json_decref(j);
	refused(422, "PUT", "/api/v1/boost", JSON,
		"{\"setpoint\": 23, \"minutes\": 0}");
	refused(422, "PUT", "/api/v1/boost", JSON,
		"{\"setpoint\": 23, \"minutes\": 721}");
	refused(422, "PUT", "/api/v1/boost", JSON,
		"{\"setpoint\": 23, \"minutes\": 1.5}");
	refused(422, "PUT", "/api/v1/boost", JSON, "{\"setpoint\": 23}");
	refused(422, "PUT", "/api/v1/boost", JSON,
		"{\"setpoint\": 99, \"minutes\": 5}");
}
END_TEST

static void fahrenheit(struct thermo_settings *c)
{
	c->units = 'F';
}

/* One step, the page's and the API's: 21.3 is held as 21.5. */
START_TEST(setpoint_step_rounds_everywhere)
{
	json_t *j;

	serve(NULL);
	j = put_json("/api/v1/setpoint", "{\"setpoint\": 21.3}");
	ck_assert(json_num(j, "setpoint") == 21.5);
	ck_assert(json_num(j, "setpoint_step") == 0.5);
	json_decref(j);
	ck_assert(thermo_get_setpoint(rec) == 21.5);
	j = put_json("/api/v1/hold", "{\"setpoint\": 19.74}");
	ck_assert(json_num(j, "setpoint") == 19.5);
	json_decref(j);
	j = put_json("/api/v1/presets",
		     "{\"presets\": [{\"name\": \"comfort\", \"setpoint\": "
		     "20.8}, {\"name\": \"eco\", \"setpoint\": 18}, "
		     "{\"name\": \"sleep\", \"setpoint\": 17}, {\"name\": "
		     "\"away\", \"setpoint\": 12.1}]}");
	ck_assert(json_num(json_array_get(json_object_get(j, "presets"), 0),
			   "setpoint") == 21);
	ck_assert(json_num(json_array_get(json_object_get(j, "presets"), 3),
			   "setpoint") == 12);
	json_decref(j);
}
END_TEST

START_TEST(setpoint_step_in_fahrenheit)
{
	json_t *j;

	serve(fahrenheit);
	j = get_json("/api/v1/state");
	ck_assert(json_num(j, "setpoint_step") == 0.9);
	json_decref(j);
	/* 70.3 F is 21.28 C: held as 21.5 C, 70.7 F. */
	j = put_json("/api/v1/setpoint", "{\"setpoint\": 70.3}");
	ck_assert(thermo_get_setpoint(rec) == 21.5);
	ck_assert(json_num(j, "setpoint") == 70.7);
	json_decref(j);
}
END_TEST

/* The page's sentence: no configuration key in it. */
START_TEST(summary_in_plain_words)
{
	json_t *j;
	const char *s;

	serve(NULL);
	thermo_set_reason(rec, REASON_MIN_OFF);
	thermo_set_relay_changed_at(rec, mono_now_ts());
	j = get_json("/api/v1/state");
	s = json_str(j, "summary");
	ck_assert_msg(strstr(s, "Waiting 2 more minutes before heating again "
				"to protect the furnace"), "%s", s);
	ck_assert_msg(!strstr(s, "min_off"), "%s", s);
	/* Seconds, rounded up, as of the state's tenth-of-a-second bucket
	 * (which may begin before relay_changed_at). */
	ck_assert_msg(json_num(j, "wait") > 110 && json_num(j, "wait") <= 121,
		      "wait %g", json_num(j, "wait"));
	json_decref(j);
	thermo_set_reason(rec, REASON_COLD);
	thermo_set_heating(rec, true);
	j = get_json("/api/v1/state");
	ck_assert_str_eq(json_str(j, "summary"), "Heating to 21.0 C.");
	ck_assert(json_is_null(json_object_get(j, "wait")));
	json_decref(j);
	json_decref(put_json("/api/v1/schedule", week));
	j = get_json("/api/v1/state");
	s = json_str(j, "summary");
	ck_assert_msg(strncmp(s, "Heating to ", 11) == 0 &&
			      strstr(s, " until ") && strstr(s, ", then "),
		      "%s", s);
	json_decref(j);
}
END_TEST

static int add_runtime(struct thermo *r, void *ctx)
{
	time_t now = *(const time_t *)ctx;

	runtime_cycle(&r->runtime, now - 600);
	runtime_add(&r->runtime, now - 600, now - 300);
	return 0;
}

/* The furnace's runtime in the state route and /metrics. */
START_TEST(runtime_in_state_and_metrics)
{
	time_t now = (time_t)wall_now();
	json_t *j, *rt, *days;

	serve(NULL);
	j = get_json("/api/v1/state");
	rt = json_object_get(j, "runtime");
	ck_assert_int_eq(json_integer_value(json_object_get(rt, "total")), 0);
	ck_assert_uint_eq(json_array_size(json_object_get(rt, "days")), 7);
	json_decref(j);
	ck_assert(metric("thermostat_furnace_runtime_seconds_total") == 0);
	thermo_update(rec, add_runtime, &now);
	j = get_json("/api/v1/state");
	rt = json_object_get(j, "runtime");
	days = json_object_get(rt, "days");
	ck_assert_int_eq(json_integer_value(json_object_get(rt, "total")), 300);
	ck_assert_int_eq(json_integer_value(json_object_get(rt,
							    "cycles_total")),
			 1);
	/* Today's (last) or, just after midnight, yesterday's. */
	ck_assert_int_eq(json_integer_value(json_object_get(rt, "today")) +
				 json_integer_value(json_object_get(rt,
								    "yesterday")),
			 300);
	ck_assert_int_eq(json_integer_value(json_object_get(
				 json_array_get(days, 6), "seconds")) +
				 json_integer_value(json_object_get(
					 json_array_get(days, 5), "seconds")),
			 300);
	ck_assert_uint_eq(strlen(json_str(json_array_get(days, 6), "date")),
			  10);
	json_decref(j);
	ck_assert(metric("thermostat_furnace_runtime_seconds_total") == 300);
	ck_assert(metric("thermostat_furnace_cycles_total") == 1);
}
END_TEST

Suite *suite_web_program(void)
{
	Suite *s = suite_create("web-program");
	TCase *tc = web_tcase(s, "program");

	tcase_add_test(tc, presets_and_schedule_round_trip);
	tcase_add_test(tc, bad_schedules_are_422_and_change_nothing);
	tcase_add_test(tc, presets_rename_follow_and_refuse);
	tcase_add_test(tc, preset_hold_and_resume);
	tcase_add_test(tc, boost_for_minutes);
	tcase_add_test(tc, setpoint_step_rounds_everywhere);
	tcase_add_test(tc, setpoint_step_in_fahrenheit);
	tcase_add_test(tc, summary_in_plain_words);
	tcase_add_test(tc, runtime_in_state_and_metrics);
	return s;
}
