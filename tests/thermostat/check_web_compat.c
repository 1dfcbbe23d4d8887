/* SPDX-License-Identifier: MIT */
/*
 * The original daemon's routes (check-web, web_fixture.h): their exact
 * JSON, the form that sets the thermostat, and 404s when compat_routes is
 * off.
 */
#include <config.h>
#define _GNU_SOURCE
#include <check.h>
#include <math.h>

#include "util/timeutil.h"

#include "http.h"
#include "web_fixture.h"

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
	/* 70 F is 21.11 C: rounded to setpoint_step (0.5 C), as the JSON
	 * API rounds; it still reads back as 70 F. */
	ck_assert(fabs(thermo_get_setpoint(rec) - 21.0) < 1e-9);
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

Suite *suite_web_compat(void)
{
	Suite *s = suite_create("web-compat");
	TCase *tc = web_tcase(s, "compat");

	tcase_add_test(tc, compat_routes_answer_the_originals_json);
	tcase_add_test(tc, compat_set_thermostat);
	tcase_add_test(tc, compat_routes_off_are_404);
	return s;
}
