/* SPDX-License-Identifier: MIT */
/*
 * The weekly program: presets, switch points, holds, and the one pure
 * function that says what the setpoint is now, why, and when it next
 * changes (issue 14).
 *
 * Local time.  Switch points are local wall-clock times (hour:minute on a
 * weekday), read through the process's time zone (TZ, else
 * /etc/localtime) with localtime_r and mktime.  Each point of each day is
 * turned into one instant, so that no point fires twice and none is
 * skipped when the clocks change:
 *   - a time that does not exist that day (02:30 on a spring-forward
 *     day) fires at the instant the clocks jump (03:00 local);
 *   - a time that happens twice (02:30 on a fall-back day) fires at its
 *     first occurrence only.
 * The active point is the one with the latest instant at or before now;
 * the next change is the earliest instant after now.  Nothing here reads
 * a clock: the caller passes now (CLOCK_REALTIME seconds) and waits until
 * the returned instant, and evaluates again at once when the wall clock
 * jumps.
 */
#ifndef THERMO_CORE_SCHEDULE_H
#define THERMO_CORE_SCHEDULE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

/* Presets: comfort, eco, sleep, away, and up to SCHED_MAX_PRESETS in all
 * (the user may rename or add a few). */
#define SCHED_MAX_PRESETS 8
#define SCHED_PRESET_NAME 16
/* Switch points per day. */
#define SCHED_MAX_POINTS 8

struct sched_preset {
	char name[SCHED_PRESET_NAME]; /* [a-z][a-z0-9_]*, unique */
	double temp;		      /* degrees C */
};

struct sched_presets {
	size_t n;
	struct sched_preset p[SCHED_MAX_PRESETS];
};

/* A switch point: from minute (0..1439 local) on, the preset with index
 * preset, or, when preset is -1, the temperature temp. */
struct sched_point {
	int minute;
	int preset;
	double temp;
};

/* A day's points, sorted by minute, no two at the same minute. */
struct sched_day {
	size_t n;
	struct sched_point pt[SCHED_MAX_POINTS];
};

/* The week: day[0] is Monday ... day[6] Sunday.  A day without points
 * keeps the last point of the days before it. */
struct schedule {
	struct sched_day day[7];
};

enum hold_kind {
	HOLD_NONE,
	HOLD_NEXT,	/* until the next switch point */
	HOLD_FOREVER,	/* until cleared */
	HOLD_UNTIL,	/* until an instant (vacation: away until Sunday 18:00) */
};

/* A hold: the preset with index preset, or temp when preset is -1. */
struct sched_hold {
	enum hold_kind kind;
	int preset;
	double temp;
	time_t since;	/* HOLD_NEXT: when it was set */
	time_t until;	/* HOLD_UNTIL */
};

/* Boost: temp until the instant until (0: none). */
struct sched_boost {
	double temp;
	time_t until;
};

enum target_source {
	TARGET_SCHEDULE,
	TARGET_HOLD,
	TARGET_BOOST,
};

/* What the setpoint is, why and until when. */
struct sched_target {
	double temp;
	enum target_source source;
	int preset;		/* the preset it comes from, or -1 */
	time_t until;		/* when it next changes; 0: not by itself */
	/* The schedule's next switch point, even under a hold or boost
	 * (0 when the schedule has no points). */
	time_t next_switch;
	int next_preset;
	double next_temp;
};

/* "monday" ... "sunday": the names of day[0] ... day[6]. */
extern const char *const sched_day_names[7];

/* The default presets (comfort 21, eco 18, sleep 17, away 12 C). */
void sched_default_presets(struct sched_presets *ps);

/* Index of the preset @name, or -1. */
int sched_preset_index(const struct sched_presets *ps, const char *name);

/* Checks a schedule against @ps: points sorted, unique minutes in
 * 0..1439, presets that exist, temperatures in [min, max].  0, or -1
 * with a sentence in @err. */
int sched_check(const struct schedule *s, const struct sched_presets *ps,
		double min, double max, char *err, size_t errlen);

/* The instant a switch point at @minute of the local date @y-@m-@d
 * (month 1..12) fires: the first occurrence of that wall time, or the
 * instant the clocks jump over it.  (time_t)-1 if the date cannot be
 * represented. */
time_t sched_instant(int y, int m, int d, int minute);

/* The target at @now.  Returns 0, or -1 when the schedule has no point
 * and no hold or boost gives a temperature (then @out->temp is
 * @fallback, the source TARGET_SCHEDULE, until 0). */
int sched_target(const struct schedule *s, const struct sched_presets *ps,
		 const struct sched_hold *hold, const struct sched_boost *boost,
		 double fallback, time_t now, struct sched_target *out);

/* The schedule's points around @now: the latest instant at or before
 * @now (*prev, with its day's point in *prev_pt) and the earliest after
 * (*next, *next_pt); 0 where there is none.  Looks 8 days each way. */
void sched_around(const struct schedule *s, time_t now, time_t *prev,
		  const struct sched_point **prev_pt, time_t *next,
		  const struct sched_point **next_pt);

#endif
