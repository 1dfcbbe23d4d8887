/* SPDX-License-Identifier: MIT */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/control.h"
#include "core/program.h"
#include "util/errmsg.h"
#include "util/strconv.h"
#include "util/timeutil.h"
#include "web/api.h"
#include "web/api_program.h"
#include "web/words.h"

/* Sets @err (status and message); returns -1. */
int api_fail(struct api_error *err, int status, const char *fmt, ...)
{
	va_list ap;

	err->status = status;
	va_start(ap, fmt);
	verrmsg(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

double api_to_unit(double celsius, char unit)
{
	return unit == 'F' ? celsius * 9.0 / 5.0 + 32.0 : celsius;
}

double api_from_unit(double value, char unit)
{
	return unit == 'F' ? (value - 32.0) * 5.0 / 9.0 : value;
}

/* Temperatures go out with two decimals: the sensors are not better, and
 * 20.530000000000001 helps nobody. */
json_t *api_temp_json(double celsius, char unit)
{
	if (!isfinite(celsius))
		return json_null();
	return json_real(round(api_to_unit(celsius, unit) * 100.0) / 100.0);
}

void api_iso8601(char *buf, size_t len, double wall)
{
	time_t t = (time_t)wall;
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

json_t *api_state_json(const struct thermo *r,
		       const struct thermo_settings *cfg, double now)
{
	char unit[2] = { cfg->units, '\0' };
	double at = ts_to_s(r->temperature_at);
	double changed = ts_to_s(r->relay_changed_at);
	double tripped = ts_to_s(r->runaway_at);
	char when[32], since[32], summary[320];
	double wait;
	json_t *root;

	api_iso8601(when, sizeof(when), mono_to_wall(changed));
	api_iso8601(since, sizeof(since), mono_to_wall(tripped));
	/* json_pack steals the references made by "o". */
	root = json_pack(
		"{s:o, s:o, s:o, s:o, s:o, s:s, s:b, s:s, s:s, s:s, s:f,"
		" s:{s:b, s:I, s:I}, s:{s:s, s:I, s:s},"
		" s:{s:b, s:o, s:o, s:o, s:I}, s:b, s:s, s:s, s:I}",
		"temperature",
		control_record_fresh(r, &cfg->control, now)
			? api_temp_json(r->temperature, cfg->units)
			: json_null(),
		"temperature_age",
		at > 0 ? json_real(round(fmax(now - at, 0) * 10.0) / 10.0)
		       : json_null(),
		"setpoint", api_temp_json(r->setpoint, cfg->units),
		"min_setpoint", api_temp_json(cfg->limits.min, cfg->units),
		"max_setpoint", api_temp_json(cfg->limits.max, cfg->units),
		"mode", mode_name(r->mode),
		"heating", r->heating,
		"reason", reason_name(r->reason),
		"reason_text", reason_text(r->reason),
		"relay_changed_at", when,
		"relay_changed_age", round(fmax(now - changed, 0) * 10.0) / 10.0,
		"relay", "ok", r->relay_ok, "errors",
		(json_int_t)r->relay_errors, "switches",
		(json_int_t)r->relay_switches,
		"sensor", "status", sensor_status_name(r->sensor_status),
		"errors", (json_int_t)r->sensor_errors, "last_error",
		r->sensor_error.s,
		/* Runaway protection: since when, and on what reading, while
		 * the alarm is raised; the trips since start. */
		"alarm", "runaway", r->runaway,
		"since", r->runaway ? json_string(since) : json_null(),
		"age", r->runaway ? json_real(round(fmax(now - tripped, 0) *
						    10.0) / 10.0)
				  : json_null(),
		"temperature", r->runaway ? api_temp_json(r->runaway_temperature,
						      cfg->units)
					  : json_null(),
		"trips", (json_int_t)r->runaway_trips,
		"state_saved", r->state_ok,
		"units", unit,
		"version", SS_VERSION_STRING,
		/* The server's clock, for clients placing history points. */
		"time", (json_int_t)llround(mono_to_wall(now) * 1000.0));
	if (!root)
		return NULL;
	/* The weekly program: why the setpoint is what it is, until when;
	 * and all of it in a sentence. */
	words_summary(r, cfg, now, (time_t)floor(mono_to_wall(now)), summary,
		      sizeof(summary));
	wait = words_wait(r, cfg, now);
	json_object_set_new(root, "program", api_program_json(r, cfg));
	/* The daemon's local time and zone, which the program's times are
	 * in (the page may be elsewhere); and the saved writes so far, which
	 * tell a page the presets or week may have changed. */
	{
		time_t w = (time_t)floor(mono_to_wall(now));
		char local[32];
		struct tm tm;

		api_local_time(local, sizeof(local), w);
		json_object_set_new(root, "time_local", json_string(local));
		json_object_set_new(root, "utc_offset",
				    localtime_r(&w, &tm)
					    ? json_integer(tm.tm_gmtoff)
					    : json_null());
		json_object_set_new(root, "changes",
				    json_integer((json_int_t)r->persist_seq));
		json_object_set_new(root, "program_changes",
				    json_integer((json_int_t)r->program_seq));
		json_object_set_new(root, "runtime",
				    api_runtime_json(&r->runtime, w));
	}
	json_object_set_new(root, "summary", json_string(summary));
	json_object_set_new(root, "wait",
			    wait >= 0 ? json_real(ceil(wait)) : json_null());
	json_object_set_new(root, "setpoint_step",
			    json_real(round(cfg->setpoint_step *
					    (cfg->units == 'F' ? 1.8 : 1.0) *
					    1000.0) / 1000.0));
	return root;
}

/* jansson parses recursively, up to 2048 levels, and CivetWeb's workers
 * run on small stacks: a body of 900 '[' overflowed one.  The documents
 * taken here are one level deep. */
#define API_MAX_DEPTH 8

static bool nested_too_deep(const char *s, size_t n)
{
	bool in_string = false;
	int depth = 0;

	for (size_t i = 0; i < n; i++) {
		if (in_string) {
			if (s[i] == '\\')
				i++;
			else if (s[i] == '"')
				in_string = false;
		} else if (s[i] == '"') {
			in_string = true;
		} else if (s[i] == '[' || s[i] == '{') {
			if (++depth > API_MAX_DEPTH)
				return true;
		} else if (s[i] == ']' || s[i] == '}') {
			depth--;
		}
	}
	return false;
}

/* Parses a JSON object body; 400 for anything that is not one. */
json_t *api_parse_object(const char *body, size_t n, struct api_error *err)
{
	json_error_t je;
	json_t *root;

	if (nested_too_deep(body, n)) {
		api_fail(err, 400, "malformed JSON: nested more than %d deep",
		     API_MAX_DEPTH);
		return NULL;
	}
	/* JSON_REJECT_DUPLICATES: {"setpoint":5,"setpoint":25} is not
	 * something to guess about. */
	root = json_loadb(body, n, JSON_REJECT_DUPLICATES, &je);
	if (!root) {
		api_fail(err, 400, "malformed JSON: %s", je.text);
		return NULL;
	}
	if (!json_is_object(root)) {
		json_decref(root);
		api_fail(err, 400, "expected a JSON object");
		return NULL;
	}
	return root;
}

/* 422 for any member not in @allowed (NULL-terminated). */
int api_only_known(json_t *obj, const char *const *allowed,
		      struct api_error *err)
{
	const char *key;
	json_t *v;

	json_object_foreach(obj, key, v) {
		bool known = false;

		for (const char *const *a = allowed; *a; a++)
			known = known || strcmp(key, *a) == 0;
		if (!known)
			return api_fail(err, 422, "unknown field \"%.40s\"", key);
	}
	return 0;
}

int api_setpoint_in(double value, char unit, const char *what,
		    const struct thermo_settings *cfg, double *celsius,
		    struct api_error *err)
{
	const struct setpoint_limits *l = &cfg->limits;
	double c = api_from_unit(value, unit);

	/* A hair of slack for values that went through unit conversions;
	 * written so that a NaN (or a huge F gone infinite) is refused. */
	if (!(c >= l->min - 1e-9 && c <= l->max + 1e-9))
		return api_fail(err, 422, "%s out of range: %g..%g %c", what,
				round(api_to_unit(l->min, unit) * 100) / 100,
				round(api_to_unit(l->max, unit) * 100) / 100,
				unit);
	*celsius = setpoint_round(c, cfg->setpoint_step, l->min, l->max);
	return 0;
}

int api_parse_setpoint(const char *body, size_t n,
		       const struct thermo_settings *cfg, double *celsius,
		       struct api_error *err)
{
	static const char *const allowed[] = { "setpoint", "unit", NULL };
	json_t *root = api_parse_object(body, n, err);
	json_t *sp, *u;
	char unit = cfg->units;
	int ret = -1;

	if (!root)
		return -1;
	if (api_only_known(root, allowed, err) < 0)
		goto out;
	sp = json_object_get(root, "setpoint");
	if (!sp) {
		api_fail(err, 422, "missing field \"setpoint\"");
		goto out;
	}
	if (!json_is_number(sp)) {
		api_fail(err, 422, "\"setpoint\" must be a number");
		goto out;
	}
	u = json_object_get(root, "unit");
	if (u) {
		const char *s = json_string_value(u);

		if (!s || (strcmp(s, "C") != 0 && strcmp(s, "F") != 0)) {
			api_fail(err, 422, "\"unit\" must be \"C\" or \"F\"");
			goto out;
		}
		unit = s[0];
	}
	/* jansson gives finite numbers only; a huge one in F may come out
	 * infinite, which the bounds refuse like any other. */
	ret = api_setpoint_in(json_number_value(sp), unit, "setpoint", cfg,
			      celsius, err);
out:
	json_decref(root);
	return ret;
}

int api_parse_mode(const char *body, size_t n, enum thermo_mode *mode,
		   struct api_error *err)
{
	static const char *const allowed[] = { "mode", NULL };
	json_t *root = api_parse_object(body, n, err);
	const char *s;
	int ret = -1;

	if (!root)
		return -1;
	if (api_only_known(root, allowed, err) < 0)
		goto out;
	if (!json_object_get(root, "mode")) {
		api_fail(err, 422, "missing field \"mode\"");
		goto out;
	}
	s = json_string_value(json_object_get(root, "mode"));
	if (!s || mode_from_name(s, mode) != 0) {
		api_fail(err, 422, "\"mode\" must be \"heat\" or \"off\"");
		goto out;
	}
	ret = 0;
out:
	json_decref(root);
	return ret;
}

int api_parse_alarm(const char *body, size_t n, struct api_error *err)
{
	static const char *const allowed[] = { "runaway", NULL };
	json_t *root = api_parse_object(body, n, err);
	json_t *v;
	int ret = -1;

	if (!root)
		return -1;
	if (api_only_known(root, allowed, err) < 0)
		goto out;
	v = json_object_get(root, "runaway");
	if (!v) {
		api_fail(err, 422, "missing field \"runaway\"");
		goto out;
	}
	if (json_is_true(v)) {
		api_fail(err, 422, "only the thermostat raises the alarm: "
		     "\"runaway\": false clears it");
		goto out;
	}
	if (!json_is_false(v)) {
		api_fail(err, 422, "\"runaway\" must be false");
		goto out;
	}
	ret = 0;
out:
	json_decref(root);
	return ret;
}

/* A whole number, optional sign, at most 9 digits, nothing else. */
static bool parse_whole(const char *s, size_t n, long *out)
{
	size_t sign = n && (s[0] == '-' || s[0] == '+');
	long long v;

	if (n == 0 || n - sign > 9 || strconv_whole(s, n, true, &v, NULL) != n)
		return false;
	*out = (long)v;
	return true;
}

int api_parse_compat_form(const char *body, size_t n,
			  const struct thermo_settings *cfg, double *celsius,
			  struct api_error *err)
{
	static const char key[] = "thermostat_setting";
	const char *value = NULL;
	size_t vlen = 0, i = 0;
	long f;

	/* application/x-www-form-urlencoded: name=value pairs joined by &.
	 * The one field we want holds digits, so no percent-decoding is
	 * needed; anything encoded is simply not a number. */
	while (i < n) {
		size_t end = i, eq;

		while (end < n && body[end] != '&')
			end++;
		for (eq = i; eq < end && body[eq] != '='; eq++)
			;
		if (eq - i == sizeof(key) - 1 &&
		    memcmp(body + i, key, sizeof(key) - 1) == 0) {
			if (value)
				return api_fail(err, 400, "thermostat_setting "
					    "given twice");
			value = eq < end ? body + eq + 1 : body + end;
			vlen = eq < end ? end - eq - 1 : 0;
		}
		i = end + 1;
	}
	if (!value)
		return api_fail(err, 400, "missing thermostat_setting");
	if (!parse_whole(value, vlen, &f))
		return api_fail(err, 400, "thermostat_setting must be a whole "
			    "number of degrees Fahrenheit");
	return api_setpoint_in((double)f, 'F', "setpoint", cfg, celsius, err);
}

int api_parse_history_query(const char *query, int max_minutes, int *minutes,
			    struct api_error *err)
{
	static const char key[] = "minutes=";
	long v;

	*minutes = max_minutes;
	if (!query || !*query)
		return 0;
	if (strncmp(query, key, sizeof(key) - 1) != 0 ||
	    strchr(query, '&'))
		return api_fail(err, 400, "the only parameter is minutes=N");
	query += sizeof(key) - 1;
	if (!parse_whole(query, strlen(query), &v) || v < 1)
		return api_fail(err, 400, "minutes must be a whole number >= 1");
	*minutes = v > max_minutes ? max_minutes : (int)v;
	return 0;
}

json_t *api_compat_setting_json(const struct thermo *r)
{
	return json_pack("{s:I}", "thermostat_setting",
			 (json_int_t)lround(api_to_unit(r->setpoint, 'F')));
}

static json_t *compat_temperature(const struct thermo *r,
				  const struct thermo_settings *cfg, double now)
{
	/* The original sent an f32; unknown is null here, never a made-up
	 * number. */
	if (!control_record_fresh(r, &cfg->control, now))
		return json_null();
	return json_real(round(api_to_unit(r->temperature, 'F') * 10000.0) /
			 10000.0);
}

json_t *api_compat_temperature_json(const struct thermo *r,
				    const struct thermo_settings *cfg,
				    double now)
{
	return json_pack("{s:o}", "temperature_value",
			 compat_temperature(r, cfg, now));
}

json_t *api_compat_data_json(const struct thermo *r,
			     const struct thermo_settings *cfg, double now)
{
	return json_pack("{s:o, s:I, s:b}", "temperature",
			 compat_temperature(r, cfg, now), "thermostat_setting",
			 (json_int_t)lround(api_to_unit(r->setpoint, 'F')),
			 "thermostat_on", r->heating);
}

json_t *api_error_json(const char *message)
{
	return json_pack("{s:s}", "error", message);
}

char *api_dump(const json_t *json)
{
	return json_dumps(json, JSON_COMPACT | JSON_PRESERVE_ORDER |
					JSON_REAL_PRECISION(10));
}
