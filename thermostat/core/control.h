/* SPDX-License-Identifier: MIT */
/*
 * The control decision: a pure function of the time, what the record says
 * and the configuration.  No I/O, no clock, no threads: tests run
 * simulated weeks through it in milliseconds.
 */
#ifndef THERMO_CONTROL_H
#define THERMO_CONTROL_H

#include <stdbool.h>

#include "core/record.h"

/* The rules' parameters (thermostat.conf(5)); seconds and degrees C. */
struct control_config {
	double cold_tolerance;	/* heat on at or below setpoint - this */
	double hot_tolerance;	/* heat off at or above setpoint + this */
	double min_on;		/* shortest run, except for safety */
	double min_off;		/* shortest rest */
	double max_on;		/* longest run; 0: no limit */
	double runaway_time;	/* heating this long without a rise: off, and
				 * an alarm; 0: no runaway protection */
	double runaway_rise;	/* the rise that counts as heating */
	double sensor_timeout;	/* no valid reading for this long: off */
};

struct control_input {
	double now;		 /* CLOCK_MONOTONIC seconds */
	double start;		 /* when the daemon started (relay driven off) */
	double temperature;	 /* degrees C; NAN when unknown */
	double temperature_at;	 /* when it was read; 0: never */
	double setpoint;	 /* degrees C */
	enum thermo_mode mode;
	bool heating;		 /* the relay now */
	double relay_changed_at; /* when it last switched; 0: never */
	/* Runaway protection's state, as the last decision left it. */
	double progress_temperature; /* heating: the run's baseline reading */
	double progress_at;	 /* ...and since when; 0: none */
	bool runaway;		 /* the alarm is raised */
	double runaway_temperature; /* the reading when it tripped */
};

struct control_output {
	bool heat;		 /* what the relay should be */
	enum thermo_reason reason;
	double next;		 /* decide again by then at the latest
				  * (absolute; INFINITY: only on a change) */
	/* Runaway protection's state after the decision, for the relay as
	 * decided: the caller stores it with the relay (progress_at 0 and a
	 * NaN temperature when off; runaway_temperature NaN without an
	 * alarm).  The alarm tripped when in->runaway was false and
	 * runaway is true; it cleared in the opposite case. */
	double progress_temperature;
	double progress_at;
	bool runaway;
	double runaway_temperature;
};

/*
 * The rules, in order of precedence:
 *  1. mode off (or not a valid mode, or a setpoint that is NaN or
 *     infinite): off at once (overrides min_on), REASON_MODE_OFF;
 *  2. no valid reading within sensor_timeout: off at once (overrides
 *     min_on);
 *  3. runaway (when runaway_time > 0): heating for runaway_time without
 *     the reading rising runaway_rise turns the heat off at once and
 *     raises the alarm; while it is raised the heat stays off
 *     (REASON_RUNAWAY, overriding min_on);
 *  4. on for max_on (when max_on > 0): off at once;
 *  5. heating and at or above setpoint + hot_tolerance: off, once it has
 *     been on for min_on;
 *  6. idle and at or below setpoint - cold_tolerance: on, once it has been
 *     off for min_off (counted from start when it never switched);
 *  7. otherwise keep the current state (hysteresis).
 *
 * Runaway: a run keeps a progress baseline, a reading and a time.  The
 * decision that switches on sets it to the reading and now; a fresh
 * reading at or above the baseline's + runaway_rise moves it to that
 * reading and its temperature_at.  The run trips at baseline time +
 * runaway_time.  The alarm keeps the reading of the trip, and clears
 * when a fresh reading differs from it by runaway_rise or more (either
 * way: the furnace works after all, or the sensor came unstuck), or when
 * the caller clears in->runaway (the user did).  A run the input has no
 * baseline for (progress_at 0; the daemon always has one) counts from
 * its start with the reading at hand.  NaN fails toward heat off: a NaN
 * (or non-positive) runaway_rise is never met, so the run trips and the
 * alarm holds; a NaN or non-positive runaway_time means no protection,
 * as 0 does (like max_on).  A runaway_time below the clock's resolution
 * starts no run (REASON_RUNAWAY while idle, without an alarm).
 *
 * Every time limit is met at its instant: the reading is stale from
 * temperature_at + sensor_timeout on, a hold ends at relay_changed_at +
 * min_on (or min_off), a run ends at relay_changed_at + max_on and trips
 * at progress_at + runaway_time.  A reading is valid when it is finite
 * and temperature_at > 0.  When both 5 and 6 hold (a zero band), off
 * wins.  A NaN fails toward off (a NaN max_on means no limit, as 0 does).
 *
 * @out->next is for the relay as decided: the caller drives the relay to
 * @out->heat at @in->now (and sets relay_changed_at = now if it switched)
 * and stores runaway protection's state from @out.  It is the earliest
 * time at which the decision (heat or reason) would change with nothing
 * in the record changed: the end of a hold, the reading's stale
 * deadline, the end of max_on, the runaway trip.  It is never before now;
 * it equals now only after a run cut by max_on when min_off is zero (the
 * decision at once switches back on and returns a later next).  A
 * decision made before next returns the same next, so wait until the
 * clock has reached it (round sleeps up, not down).
 */
void control_decide(const struct control_input *in,
		    const struct control_config *cfg,
		    struct control_output *out);

/* The input as record @r has it at @now, for a daemon started at
 * @start. */
void control_input_of(struct control_input *in, const struct thermo *r,
		      double now, double start);

/*
 * The sensor's time rules, each one expression in control.c:
 * - fresh: the reading is valid and now < temperature_at + sensor_timeout;
 * - settled: the sensor has had its chance, a fresh reading or
 *   sensor_timeout since start (until then a missing reading is
 *   "starting", not a fault; the daemon reports itself ready then);
 * - stale: no fresh reading, and either one aged past sensor_timeout or
 *   none came within sensor_timeout of start.
 * The heat is off whenever the reading is not fresh, stale or not.
 */
bool control_reading_fresh(const struct control_input *in,
			   const struct control_config *cfg);
bool control_sensor_settled(const struct control_input *in,
			    const struct control_config *cfg);
bool control_sensor_stale(const struct control_input *in,
			  const struct control_config *cfg);
/* control_reading_fresh() of record @r at @now. */
bool control_record_fresh(const struct thermo *r,
			  const struct control_config *cfg, double now);

/* "min_off", "sensor_stale"...: a short snake-case name for logs, JSON
 * and metrics; and a sentence for people.  Static strings; an unknown
 * value gives "unknown" and "Unknown reason.". */
const char *reason_name(enum thermo_reason reason);
const char *reason_text(enum thermo_reason reason);

#endif
