/* SPDX-License-Identifier: MIT */
/*
 * The weekly program's routes, their pure half (api_program.c):
 *   GET  /api/v1/presets   {"presets":[{"name":"comfort","setpoint":21},
 *                          ...],"unit":"C"}
 *   PUT  /api/v1/presets   the same list; "was" renames a preset
 *                          ({"name":"night","setpoint":16,"was":"sleep"});
 *                          a preset left out goes, unless the schedule or
 *                          the hold uses it (422)
 *   GET  /api/v1/schedule  {"schedule":{"monday":[{"time":"06:30",
 *                          "preset":"comfort"},{"time":"22:00",
 *                          "setpoint":17}],...,"sunday":[]},"unit":"C"}
 *   PUT  /api/v1/schedule  the same, every day given
 *   PUT  /api/v1/preset    {"preset":"eco"}: held until the next switch
 *                          point (the hold in place keeps its kind)
 *   PUT  /api/v1/hold      {"preset":"away"} or {"setpoint":19.5}, and
 *                          one of "kind":"next"|"forever",
 *                          "until":"2026-12-13T18:00", "hours":3
 *                          (none: next)
 *   DELETE /api/v1/hold    back to the schedule
 *   PUT  /api/v1/boost     {"setpoint":23,"minutes":30}
 * Every parser answers like api.h's: 400 for malformed JSON, 422 for a
 * valid document with a bad value, and fills @cmd only to be applied.
 */
#ifndef THERMO_API_PROGRAM_H
#define THERMO_API_PROGRAM_H

#include <jansson.h>
#include <time.h>

#include "core/command.h"
#include "web/api.h"

/* The record's presets, schedule; and the state route's "program"
 * object (source, preset, until, hold, boost, next_switch).  New
 * references. */
json_t *api_presets_json(const struct thermo *r,
			 const struct thermo_settings *cfg);
json_t *api_schedule_json(const struct thermo *r,
			  const struct thermo_settings *cfg);
json_t *api_program_json(const struct thermo *r,
			 const struct thermo_settings *cfg);

/* The state route's "runtime": seconds today, yesterday, this week (from
 * Monday) and in total, runs today, yesterday and in total, and the last
 * seven days ("days": date, seconds, cycles; today last), as of @now. */
json_t *api_runtime_json(const struct runtime *rt, time_t now);

/* @t as local "YYYY-MM-DDTHH:MM". */
void api_local_time(char *buf, size_t len, time_t t);

/* The parsers: @r is the record as read (its presets resolve names),
 * @cmd->now the wall-clock time; 0 with @cmd filled, or -1 with @err. */
typedef int api_program_parse_fn(const char *body, size_t n,
				 const struct thermo_settings *cfg,
				 const struct thermo *r, struct command *cmd,
				 struct api_error *err);
api_program_parse_fn api_parse_preset, api_parse_hold, api_parse_boost,
	api_parse_presets, api_parse_schedule;

#endif
