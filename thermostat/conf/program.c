/* SPDX-License-Identifier: MIT */
/*
 * The weekly program of the configuration: presets and schedule_* keys
 * read with core/schedule_text.h's parsers, checked against the setpoint
 * range, and rounded to setpoint_step like every setpoint.
 */
#include <config.h>
#include <math.h>
#include <string.h>

#include "conf/keys.h"
#include "core/program.h"
#include "core/schedule_text.h"
#include "util/errmsg.h"

int program_of(const struct thermo_settings *c, struct sched_presets *ps,
	       struct schedule *s, int *key, char *why, size_t len)
{
	const struct setpoint_limits *l = &c->limits;

	memset(ps, 0, sizeof(*ps));
	memset(s, 0, sizeof(*s));
	*key = KEY_presets;
	if (presets_parse(c->presets, ps, why, len) < 0)
		return -1;
	for (size_t i = 0; i < ps->n; i++)
		ps->p[i].temp = setpoint_round(ps->p[i].temp, c->setpoint_step,
					       -INFINITY, INFINITY);
	if (sched_check(s, ps, l->min, l->max, why, len) < 0)
		return -1;
	for (int d = 0; d < 7; d++) {
		struct sched_day *day = &s->day[d];

		*key = KEY_schedule_monday + d;
		if (day_parse(c->schedule[d], ps, day, why, len) < 0)
			return -1;
		for (size_t i = 0; i < day->n; i++)
			if (day->pt[i].preset < 0)
				day->pt[i].temp = setpoint_round(
					day->pt[i].temp, c->setpoint_step,
					-INFINITY, INFINITY);
		if (sched_check(s, ps, l->min, l->max, why, len) < 0)
			return -1;
	}
	return 0;
}

int conf_program(const struct thermo_settings *c, struct sched_presets *ps,
		 struct schedule *s, char *err, size_t len)
{
	char why[200];
	int key;

	if (program_of(c, ps, s, &key, why, sizeof(why)) < 0)
		return errmsg(err, len, "%s: %s", keys[key].name, why);
	return 0;
}
