/* SPDX-License-Identifier: MIT */
/*
 * The weekly program's half of the HTTP API (api_program.h): its JSON and
 * the parsing of what clients send.  Pure, like api.c: the route passes
 * the record as read and the wall-clock time.  Temperatures are in the
 * display unit (or "unit"), checked against min_setpoint..max_setpoint
 * and rounded to setpoint_step; times of day are "HH:MM" local, dates and
 * times "YYYY-MM-DDTHH:MM" local (what a browser's datetime-local input
 * gives), in the daemon's time zone.
 */
#include <config.h>
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/program.h"
#include "web/api_program.h"

/* A boost lasts 1 minute to 12 hours; a hold of N hours up to a year. */
#define BOOST_MAX_MINUTES 720
#define HOLD_MAX_HOURS (24 * 366)

/* ---- out ------------------------------------------------------------ */

void api_local_time(char *buf, size_t len, time_t t)
{
	struct tm tm;

	if (!localtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M", &tm))
		snprintf(buf, len, "?");
}

static json_t *preset_name_json(const struct sched_presets *ps, int preset)
{
	if (preset < 0 || (size_t)preset >= ps->n)
		return json_null();
	return json_string(ps->p[preset].name);
}

static json_t *instant_json(time_t t, bool local)
{
	char buf[40];

	if (t == 0)
		return json_null();
	if (local)
		api_local_time(buf, sizeof(buf), t);
	else
		api_iso8601(buf, sizeof(buf), (double)t);
	return json_string(buf);
}

json_t *api_presets_json(const struct thermo *r,
			 const struct thermo_settings *cfg)
{
	char unit[2] = { cfg->units, '\0' };
	json_t *list = json_array();

	for (size_t i = 0; list && i < r->presets.n; i++)
		json_array_append_new(
			list, json_pack("{s:s, s:o}", "name",
					r->presets.p[i].name, "setpoint",
					api_temp_json(r->presets.p[i].temp,
						      cfg->units)));
	return json_pack("{s:o, s:s}", "presets", list ? list : json_null(),
			 "unit", unit);
}

json_t *api_schedule_json(const struct thermo *r,
			  const struct thermo_settings *cfg)
{
	char unit[2] = { cfg->units, '\0' };
	json_t *week = json_object();

	for (int d = 0; week && d < 7; d++) {
		const struct sched_day *day = &r->schedule.day[d];
		json_t *pts = json_array();

		for (size_t i = 0; pts && i < day->n; i++) {
			const struct sched_point *p = &day->pt[i];
			char hm[16];

			snprintf(hm, sizeof(hm), "%02d:%02d", p->minute / 60,
				 p->minute % 60);
			json_array_append_new(
				pts, p->preset >= 0
					     ? json_pack("{s:s, s:o}", "time", hm,
							 "preset",
							 preset_name_json(
								 &r->presets,
								 p->preset))
					     : json_pack("{s:s, s:o}", "time", hm,
							 "setpoint",
							 api_temp_json(p->temp,
								       cfg->units)));
		}
		json_object_set_new(week, sched_day_names[d],
				    pts ? pts : json_null());
	}
	return json_pack("{s:o, s:s}", "schedule", week ? week : json_null(),
			 "unit", unit);
}

static const char *hold_kind_name(enum hold_kind k)
{
	switch (k) {
	case HOLD_NEXT:
		return "next";
	case HOLD_FOREVER:
		return "forever";
	case HOLD_UNTIL:
		return "until";
	case HOLD_NONE:
		break;
	}
	return "none";
}

json_t *api_program_json(const struct thermo *r,
			 const struct thermo_settings *cfg)
{
	const struct sched_target *t = &r->target;
	const struct sched_presets *ps = &r->presets;
	json_t *hold = json_null(), *boost = json_null(), *next = json_null();
	/* Its own end, even under a boost. */
	time_t hold_end = program_hold_end(&r->schedule, &r->hold);

	if (r->hold.kind != HOLD_NONE)
		hold = json_pack(
			"{s:s, s:o, s:o, s:o, s:o}", "kind",
			hold_kind_name(r->hold.kind), "preset",
			preset_name_json(ps, r->hold.preset), "setpoint",
			r->hold.preset >= 0
				? api_temp_json(ps->p[r->hold.preset].temp,
						cfg->units)
				: api_temp_json(r->hold.temp, cfg->units),
			"until", instant_json(hold_end, false), "until_local",
			instant_json(hold_end, true));
	if (r->boost.until != 0)
		boost = json_pack("{s:o, s:o, s:o}", "setpoint",
				  api_temp_json(r->boost.temp, cfg->units),
				  "until", instant_json(r->boost.until, false),
				  "until_local",
				  instant_json(r->boost.until, true));
	if (t->next_switch != 0)
		next = json_pack("{s:o, s:o, s:o, s:o}", "at",
				 instant_json(t->next_switch, false), "at_local",
				 instant_json(t->next_switch, true), "preset",
				 preset_name_json(ps, t->next_preset),
				 "setpoint",
				 api_temp_json(t->next_temp, cfg->units));
	return json_pack("{s:s, s:o, s:o, s:o, s:o, s:o, s:o}", "source",
			 program_source_name(t, &r->schedule), "preset",
			 preset_name_json(ps, t->preset), "until",
			 instant_json(t->until, false), "until_local",
			 instant_json(t->until, true), "hold", hold, "boost",
			 boost, "next_switch", next);
}

json_t *api_runtime_json(const struct runtime *rt, time_t now)
{
	struct runtime_summary sum;
	json_t *days = json_array();

	runtime_summary(rt, now, &sum);
	for (int i = 0; days && i < 7; i++) {
		const struct runtime_day *d = &sum.last7[i];
		char date[16];

		snprintf(date, sizeof(date), "%04d-%02d-%02d",
			 (int)(d->date / 10000), (int)(d->date / 100 % 100),
			 (int)(d->date % 100));
		json_array_append_new(days,
				      json_pack("{s:s, s:I, s:I}", "date", date,
						"seconds", (json_int_t)d->seconds,
						"cycles", (json_int_t)d->cycles));
	}
	return json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "today",
			 (json_int_t)sum.today, "yesterday",
			 (json_int_t)sum.yesterday, "week", (json_int_t)sum.week,
			 "total", (json_int_t)sum.total, "cycles_today",
			 (json_int_t)sum.cycles_today, "cycles_yesterday",
			 (json_int_t)sum.cycles_yesterday, "cycles_total",
			 (json_int_t)sum.total_cycles, "days",
			 days ? days : json_null());
}

/* ---- in ------------------------------------------------------------- */

/* The unit of the document: "unit" if given, else the configured one. */
static int unit_of(json_t *root, const struct thermo_settings *cfg,
		   char *unit, struct api_error *err)
{
	json_t *u = json_object_get(root, "unit");
	const char *s;

	*unit = cfg->units;
	if (!u)
		return 0;
	s = json_string_value(u);
	if (!s || (strcmp(s, "C") != 0 && strcmp(s, "F") != 0))
		return api_fail(err, 422, "\"unit\" must be \"C\" or \"F\"");
	*unit = s[0];
	return 0;
}

/* A temperature @what in @unit: a number, then as every setpoint. */
static int temp_in(json_t *v, const char *what, char unit,
		   const struct thermo_settings *cfg, double *celsius,
		   struct api_error *err)
{
	if (!json_is_number(v))
		return api_fail(err, 422, "%s must be a number", what);
	return api_setpoint_in(json_number_value(v), unit, what, cfg, celsius,
			       err);
}

static int preset_in(json_t *v, const struct sched_presets *ps, int *preset,
		     struct api_error *err)
{
	const char *s = json_string_value(v);

	if (!s)
		return api_fail(err, 422, "\"preset\" must be a preset's name");
	*preset = sched_preset_index(ps, s);
	if (*preset < 0)
		return api_fail(err, 422, "no preset named \"%.40s\"", s);
	return 0;
}

/* {"preset": name} or {"setpoint": x}, exactly one. */
static int target_in(json_t *root, char unit, const struct thermo_settings *cfg,
		     const struct sched_presets *ps, int *preset, double *temp,
		     struct api_error *err)
{
	json_t *p = json_object_get(root, "preset");
	json_t *sp = json_object_get(root, "setpoint");

	if (!p == !sp)
		return api_fail(err, 422, "give \"preset\" or \"setpoint\", "
				"not both or neither");
	*temp = 0;
	*preset = -1;
	if (p)
		return preset_in(p, ps, preset, err);
	return temp_in(sp, "\"setpoint\"", unit, cfg, temp, err);
}

static int clock_in(json_t *v, int *minute, struct api_error *err)
{
	const char *s = json_string_value(v);

	if (!s || strlen(s) != 5 || s[2] != ':' ||
	    strspn(s, "0123456789:") != 5 || s[0] > '2' || s[3] > '5' ||
	    (*minute = ((s[0] - '0') * 10 + s[1] - '0') * 60 +
		       (s[3] - '0') * 10 + s[4] - '0') >= 24 * 60)
		return api_fail(err, 422, "\"time\" must be HH:MM, 00:00 to "
				"23:59");
	return 0;
}

/* "YYYY-MM-DDTHH:MM" local: its instant (the first occurrence of a time
 * the clocks repeat, the jump for one they skip, as switch points). */
static int local_in(json_t *v, time_t *out, struct api_error *err)
{
	const char *s = json_string_value(v);
	int y, mo, d, h, mi, n = 0;
	struct tm tm = { 0 };

	if (!s || strlen(s) != 16 ||
	    sscanf(s, "%4d-%2d-%2dT%2d:%2d%n", &y, &mo, &d, &h, &mi, &n) != 5 ||
	    n != 16 || strspn(s, "0123456789-T:") != 16 || mo < 1 || mo > 12 ||
	    d < 1 || d > 31 || h > 23 || mi > 59 || y < 1970 || y > 9999)
		return api_fail(err, 422, "\"until\" must be a local date and "
				"time, YYYY-MM-DDTHH:MM");
	/* 2026-02-30 is no date: mktime would make it March 2nd. */
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = 12;
	tm.tm_isdst = -1;
	if (mktime(&tm) == (time_t)-1 || tm.tm_mday != d)
		return api_fail(err, 422, "\"until\": %s is no date", s);
	*out = sched_instant(y, mo, d, h * 60 + mi);
	if (*out == (time_t)-1)
		return api_fail(err, 422, "\"until\": %s cannot be represented",
				s);
	return 0;
}

int api_parse_preset(const char *body, size_t n,
		     const struct thermo_settings *cfg, const struct thermo *r,
		     struct command *cmd, struct api_error *err)
{
	static const char *const allowed[] = { "preset", NULL };
	json_t *root = api_parse_object(body, n, err);
	int ret = -1;

	(void)cfg;
	if (!root)
		return -1;
	if (api_only_known(root, allowed, err) < 0)
		goto out;
	if (!json_object_get(root, "preset")) {
		api_fail(err, 422, "missing field \"preset\"");
		goto out;
	}
	cmd->kind = COMMAND_PRESET;
	ret = preset_in(json_object_get(root, "preset"), &r->presets,
			&cmd->preset, err);
out:
	json_decref(root);
	return ret;
}

int api_parse_hold(const char *body, size_t n,
		   const struct thermo_settings *cfg, const struct thermo *r,
		   struct command *cmd, struct api_error *err)
{
	static const char *const allowed[] = { "preset", "setpoint", "kind",
					       "until", "hours", "unit", NULL };
	json_t *root = api_parse_object(body, n, err);
	json_t *kind, *until, *hours;
	struct sched_hold *h = &cmd->hold;
	char unit;
	int ret = -1;

	if (!root)
		return -1;
	if (api_only_known(root, allowed, err) < 0 ||
	    unit_of(root, cfg, &unit, err) < 0 ||
	    target_in(root, unit, cfg, &r->presets, &h->preset, &h->temp,
		      err) < 0)
		goto out;
	kind = json_object_get(root, "kind");
	until = json_object_get(root, "until");
	hours = json_object_get(root, "hours");
	if (!!kind + !!until + !!hours > 1) {
		api_fail(err, 422, "give one of \"kind\", \"until\" and "
			 "\"hours\"");
		goto out;
	}
	cmd->kind = COMMAND_HOLD;
	h->kind = HOLD_NEXT;
	if (kind) {
		const char *k = json_string_value(kind);

		if (k && strcmp(k, "next") == 0)
			h->kind = HOLD_NEXT;
		else if (k && strcmp(k, "forever") == 0)
			h->kind = HOLD_FOREVER;
		else {
			api_fail(err, 422, "\"kind\" must be \"next\" or "
				 "\"forever\" (or give \"until\" or \"hours\")");
			goto out;
		}
	} else if (until) {
		h->kind = HOLD_UNTIL;
		if (local_in(until, &h->until, err) < 0)
			goto out;
		if (h->until <= cmd->now) {
			api_fail(err, 422, "\"until\" is in the past");
			goto out;
		}
	} else if (hours) {
		double v = json_number_value(hours);

		if (!json_is_number(hours) || !(v > 0) || v > HOLD_MAX_HOURS) {
			api_fail(err, 422, "\"hours\" must be a number above 0, "
				 "at most %d", HOLD_MAX_HOURS);
			goto out;
		}
		h->kind = HOLD_UNTIL;
		h->until = cmd->now + (time_t)ceil(v * 3600);
	}
	ret = 0;
out:
	json_decref(root);
	return ret;
}

int api_parse_boost(const char *body, size_t n,
		    const struct thermo_settings *cfg, const struct thermo *r,
		    struct command *cmd, struct api_error *err)
{
	static const char *const allowed[] = { "setpoint", "minutes", "unit",
					       NULL };
	json_t *root = api_parse_object(body, n, err);
	json_t *m, *sp;
	char unit;
	int ret = -1;

	(void)r;
	if (!root)
		return -1;
	if (api_only_known(root, allowed, err) < 0 ||
	    unit_of(root, cfg, &unit, err) < 0)
		goto out;
	sp = json_object_get(root, "setpoint");
	m = json_object_get(root, "minutes");
	if (!sp || !m) {
		api_fail(err, 422, "a boost needs \"setpoint\" and \"minutes\"");
		goto out;
	}
	if (temp_in(sp, "\"setpoint\"", unit, cfg, &cmd->setpoint, err) < 0)
		goto out;
	if (!json_is_integer(m) || json_integer_value(m) < 1 ||
	    json_integer_value(m) > BOOST_MAX_MINUTES) {
		api_fail(err, 422, "\"minutes\" must be a whole number, 1 to %d",
			 BOOST_MAX_MINUTES);
		goto out;
	}
	cmd->kind = COMMAND_BOOST;
	cmd->seconds = (double)json_integer_value(m) * 60;
	ret = 0;
out:
	json_decref(root);
	return ret;
}

/* Where preset @p is used, "monday 08:00" or "the hold"; NULL when it is
 * not. */
static const char *used_at(const struct thermo *r, int p, char *buf,
			   size_t len)
{
	for (int d = 0; d < 7; d++)
		for (size_t i = 0; i < r->schedule.day[d].n; i++) {
			const struct sched_point *pt = &r->schedule.day[d].pt[i];

			if (pt->preset == p) {
				snprintf(buf, len, "the schedule (%s %02d:%02d)",
					 sched_day_names[d], pt->minute / 60,
					 pt->minute % 60);
				return buf;
			}
		}
	if (r->hold.kind != HOLD_NONE && r->hold.preset == p)
		return "the hold";
	return NULL;
}

int api_parse_presets(const char *body, size_t n,
		      const struct thermo_settings *cfg, const struct thermo *r,
		      struct command *cmd, struct api_error *err)
{
	static const char *const allowed[] = { "presets", "unit", NULL };
	static const char *const item_allowed[] = { "name", "setpoint", "was",
						    NULL };
	json_t *root = api_parse_object(body, n, err), *list, *it;
	struct sched_presets *ps = &cmd->presets;
	char unit, why[128], where[64];
	size_t i;
	int ret = -1;

	if (!root)
		return -1;
	if (api_only_known(root, allowed, err) < 0 ||
	    unit_of(root, cfg, &unit, err) < 0)
		goto out;
	list = json_object_get(root, "presets");
	if (!json_is_array(list) || json_array_size(list) == 0 ||
	    json_array_size(list) > SCHED_MAX_PRESETS) {
		api_fail(err, 422, "\"presets\" must be a list of 1 to %d "
			 "presets", SCHED_MAX_PRESETS);
		goto out;
	}
	for (i = 0; i < SCHED_MAX_PRESETS; i++)
		cmd->remap[i] = -1;
	json_array_foreach(list, i, it) {
		const char *name, *was;
		int old;

		if (!json_is_object(it)) {
			api_fail(err, 422, "preset %zu: must be an object",
				 i + 1);
			goto out;
		}
		if (api_only_known(it, item_allowed, err) < 0)
			goto out;
		name = json_string_value(json_object_get(it, "name"));
		was = json_string_value(json_object_get(it, "was"));
		if (!name || strlen(name) >= SCHED_PRESET_NAME) {
			api_fail(err, 422, "preset %zu: \"name\" must be a "
				 "name of 1 to %d characters", i + 1,
				 SCHED_PRESET_NAME - 1);
			goto out;
		}
		if (json_object_get(it, "was") && !was) {
			api_fail(err, 422, "preset %zu: \"was\" must be a "
				 "name", i + 1);
			goto out;
		}
		memcpy(ps->p[i].name, name, strlen(name) + 1);
		if (temp_in(json_object_get(it, "setpoint"), "\"setpoint\"",
			    unit, cfg, &ps->p[i].temp, err) < 0)
			goto out;
		old = sched_preset_index(&r->presets, was ? was : name);
		if (was && old < 0) {
			api_fail(err, 422, "preset %zu: no preset named "
				 "\"%.20s\" to rename", i + 1, was);
			goto out;
		}
		if (old >= 0 && cmd->remap[old] >= 0) {
			api_fail(err, 422, "preset \"%.20s\" given twice",
				 was ? was : name);
			goto out;
		}
		if (old >= 0)
			cmd->remap[old] = (int)i;
	}
	ps->n = json_array_size(list);
	if (sched_check(&(struct schedule){ 0 }, ps, cfg->limits.min,
			cfg->limits.max, why, sizeof(why)) < 0) {
		api_fail(err, 422, "%s", why);
		goto out;
	}
	for (i = 0; i < r->presets.n; i++) {
		const char *use = cmd->remap[i] < 0
					  ? used_at(r, (int)i, where,
						    sizeof(where))
					  : NULL;

		if (use) {
			api_fail(err, 422, "preset \"%s\" is used by %s: "
				 "change that first", r->presets.p[i].name,
				 use);
			goto out;
		}
	}
	cmd->kind = COMMAND_PRESETS;
	ret = 0;
out:
	json_decref(root);
	return ret;
}

static int day_in(json_t *list, const char *day, char unit,
		  const struct thermo_settings *cfg,
		  const struct sched_presets *ps, struct sched_day *out,
		  struct api_error *err)
{
	static const char *const allowed[] = { "time", "preset", "setpoint",
					       NULL };
	size_t i;
	json_t *it;

	if (!json_is_array(list) || json_array_size(list) > SCHED_MAX_POINTS)
		return api_fail(err, 422, "%s: a list of at most %d switch "
				"points", day, SCHED_MAX_POINTS);
	json_array_foreach(list, i, it) {
		struct sched_point *p = &out->pt[i];

		if (!json_is_object(it))
			return api_fail(err, 422, "%s: point %zu must be an "
					"object", day, i + 1);
		if (api_only_known(it, allowed, err) < 0 ||
		    clock_in(json_object_get(it, "time"), &p->minute, err) < 0 ||
		    target_in(it, unit, cfg, ps, &p->preset, &p->temp, err) < 0) {
			char why[sizeof(err->message)];

			memcpy(why, err->message, sizeof(why));
			return api_fail(err, err->status, "%s, point %zu: %s",
					day, i + 1, why);
		}
		if (i > 0 && p->minute == p[-1].minute)
			return api_fail(err, 422, "%s: two points at %02d:%02d",
					day, p->minute / 60, p->minute % 60);
		if (i > 0 && p->minute < p[-1].minute)
			return api_fail(err, 422, "%s: the points must be in "
					"order of time (%02d:%02d after "
					"%02d:%02d)", day, p->minute / 60,
					p->minute % 60, p[-1].minute / 60,
					p[-1].minute % 60);
	}
	out->n = json_array_size(list);
	return 0;
}

/* The days, for api_only_known(). */
static const char *const day_keys[] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
	"sunday", NULL,
};

int api_parse_schedule(const char *body, size_t n,
		       const struct thermo_settings *cfg, const struct thermo *r,
		       struct command *cmd, struct api_error *err)
{
	static const char *const allowed[] = { "schedule", "unit", NULL };
	json_t *root = api_parse_object(body, n, err), *week;
	char unit;
	int ret = -1;

	if (!root)
		return -1;
	if (api_only_known(root, allowed, err) < 0 ||
	    unit_of(root, cfg, &unit, err) < 0)
		goto out;
	week = json_object_get(root, "schedule");
	if (!json_is_object(week)) {
		api_fail(err, 422, "\"schedule\" must be an object with a list "
			 "of switch points for each day, monday to sunday");
		goto out;
	}
	if (api_only_known(week, day_keys, err) < 0)
		goto out;
	for (int d = 0; d < 7; d++) {
		json_t *day = json_object_get(week, sched_day_names[d]);

		if (!day) {
			api_fail(err, 422, "\"schedule\" has no \"%s\": give "
				 "every day (an empty list for none)",
				 sched_day_names[d]);
			goto out;
		}
		if (day_in(day, sched_day_names[d], unit, cfg, &r->presets,
			   &cmd->schedule.day[d], err) < 0)
			goto out;
	}
	cmd->kind = COMMAND_SCHEDULE;
	ret = 0;
out:
	json_decref(root);
	return ret;
}
