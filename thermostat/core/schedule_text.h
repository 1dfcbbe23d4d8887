/* SPDX-License-Identifier: MIT */
/*
 * The weekly program as text, one line per thing, for thermostat.conf and
 * the state file:
 *   presets   "comfort 21, eco 18, sleep 17, away 12"
 *   a day     "06:30 comfort, 08:00 eco, 17:00 21.5, 22:30 sleep" (empty:
 *             no switch point that day)
 *   a hold    "none", "next eco 1796540400", "forever 19.5",
 *             "until away 1796986800" (the number: seconds since the
 *             epoch; for next, when the hold was set)
 *   a boost   "none", "23 until 1796540400"
 * Parsing is strict: anything but what the formatter writes, give or take
 * blanks, is refused with a sentence, and the output is left untouched.
 * Temperatures are degrees C; their range is the caller's to check
 * (sched_check).
 */
#ifndef THERMO_CORE_SCHEDULE_TEXT_H
#define THERMO_CORE_SCHEDULE_TEXT_H

#include <stddef.h>

#include "core/schedule.h"

/* Room for any line the formatters write (8 points of 16-character
 * names, or 8 presets). */
#define SCHED_TEXT_MAX 256

int presets_parse(const char *text, struct sched_presets *out, char *err,
		  size_t errlen);
int presets_format(const struct sched_presets *ps, char *buf, size_t len);

/* A day's points; presets by name from @ps. */
int day_parse(const char *text, const struct sched_presets *ps,
	      struct sched_day *out, char *err, size_t errlen);
int day_format(const struct sched_day *d, const struct sched_presets *ps,
	       char *buf, size_t len);

int hold_parse(const char *text, const struct sched_presets *ps,
	       struct sched_hold *out, char *err, size_t errlen);
int hold_format(const struct sched_hold *h, const struct sched_presets *ps,
		char *buf, size_t len);

int boost_parse(const char *text, struct sched_boost *out, char *err,
		size_t errlen);
int boost_format(const struct sched_boost *b, char *buf, size_t len);

#endif
