/* SPDX-License-Identifier: MIT */
/*
 * The weekly program inside the record: the schedule, presets, hold and
 * boost fields of struct thermo, and the setpoint they give.
 *
 * The record's `setpoint` is the effective one, the temperature the
 * control decision holds.  It is always what sched_target() says of the
 * program at the time it was last brought up to date (program_refresh),
 * with `manual` as the setpoint when the schedule has no switch point and
 * nothing is held: a thermostat without a schedule behaves as before it
 * had one.  `target` keeps sched_target()'s answer (why, until when, the
 * next switch point) for the readers.
 *
 * Who brings it up to date: every write of the program (command.c, under
 * the record's lock, at the time of the write) and the control thread,
 * which waits until target.until and again after a wall-clock jump.
 * Everything here is pure: the caller passes the wall-clock time.
 */
#ifndef THERMO_CORE_PROGRAM_H
#define THERMO_CORE_PROGRAM_H

#include <stdbool.h>
#include <time.h>

#include "core/record.h"
#include "core/schedule.h"

/*
 * Brings @r's program up to date at @now: ends a boost or hold whose
 * time has passed (the record then no longer says it), and sets target
 * and setpoint.  On the schedule, target.until (and next_switch) is the
 * next point that changes the setpoint: one that gives the preset or
 * temperature in force is passed over (none changes it: 0).  Returns true when a saved field (hold, boost) changed:
 * the caller counts it as a write to save (persist_seq).
 */
bool program_refresh(struct thermo *r, time_t now);

/* When hold @h ends by itself under schedule @s: its instant (until), the
 * first switch point after it was set (next), or 0 (none, forever, or a
 * schedule without points). */
time_t program_hold_end(const struct schedule *s, const struct sched_hold *h);

/* Whether the schedule has a switch point on some day. */
bool program_has_points(const struct schedule *s);

/*
 * @x to the nearest multiple of @step (ties away from zero), kept within
 * [@min, @max] by moving one step inward when rounding left them; @step
 * <= 0 or NaN leaves @x as is.  The one rounding of setpoints: the web
 * API, the original daemon's routes, the configuration and the state
 * file all use it.
 */
double setpoint_round(double x, double step, double min, double max);

/* Every temperature of @r's program (presets, schedule, hold, boost) and
 * its manual setpoint to setpoint_round(..., @step, @min, @max): a
 * program read from a file written under another step. */
void program_round(struct thermo *r, double step, double min, double max);

/* The source's name for logs and JSON: "schedule", "hold", "boost", or
 * "manual" (no switch point, nothing held). */
const char *program_source_name(const struct sched_target *t,
				const struct schedule *s);

#endif
