/* SPDX-License-Identifier: MIT */
/*
 * The weekly program through the control loop's simulation (simulate.h):
 * a week of switch points (five a weekday, three a weekend day, one at
 * 02:30 for the clock changes), presets held every other day, resumed,
 * a five-day vacation every 30 days (from day 1), in time zone @tz from local
 * midnight of @y-@m-@d for @days; the control invariants are the
 * simulation's, and the switch points are counted against every point of
 * every local date (sched_instant): each must fire exactly once, except
 * those a vacation holds over.  check-control runs two weeks around
 * each clock change in two zones; soak runs SOAK_DAYS (a year) in both.
 */
#ifndef TESTS_THERMOSTAT_SIMPROGRAM_H
#define TESTS_THERMOSTAT_SIMPROGRAM_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "simulate.h"

struct simprog_result {
	struct sim_report report;	/* the control loop's */
	unsigned long points;		/* switch points due in the run */
	unsigned long fired;		/* ...that fired, once */
	unsigned long missing;		/* ...that did not */
	unsigned long twice;		/* wakes at an instant already woken */
	unsigned long extra;		/* schedule wakes at no point */
	unsigned long vacation_ends;	/* the schedule again after one */
	unsigned long other_wakes;	/* wakes leaving a hold or boost */
	unsigned long vacations;
	time_t first_missing, first_extra;
};

/* 0, or -1 when the run could not be set up (TZ, memory).  @flaky: mode
 * off now and then and sensor dropouts, as the soak has them.
 * @transcript (or NULL): a line per switch point and command, in local
 * time, and the runtime of each day. */
int simprog_run(const char *tz, int y, int m, int d, double days,
		uint64_t seed, bool flaky, FILE *transcript,
		struct simprog_result *out);

#endif
