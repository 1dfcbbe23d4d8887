/* SPDX-License-Identifier: MIT */
/*
 * A simulated thermostat: the house model (house.h), a sensor read every
 * sensor_interval (reads fail during dropouts, so temperature_at stops
 * advancing), setpoint and mode changes (scripted, random or both), and
 * control_decide called exactly as the daemon's control thread calls it:
 * at the start, whenever a field of THERMO_CONTROL_MASK changes, and at
 * the decision's `next`, never otherwise.
 *
 * The clock jumps from event to event (a read, a change, a `next`), so a
 * simulated week runs in tens of milliseconds.  Every invariant is checked
 * at every step; violations are counted and the first few recorded with
 * their time and what was seen.  The control suite runs simulated days
 * through it; the soak test runs a week.
 */
#ifndef TESTS_THERMOSTAT_SIMULATE_H
#define TESTS_THERMOSTAT_SIMULATE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "conf/conf.h"
#include "core/control.h"
#include "core/record.h"
#include "io/house.h"

enum sim_action {
	SIM_SET_SETPOINT,	/* value: degrees C */
	SIM_SET_MODE,		/* value: MODE_OFF or MODE_HEAT */
	SIM_DROPOUT,		/* value: seconds in which every read fails */
	SIM_STUCK,		/* value: seconds in which every read gives the
				 * last value read (valid, and fresh) */
	SIM_CLEAR_ALARM,	/* the user clears the runaway alarm */
	/* The weekly program (sim_params.program), as the web routes write
	 * it (command_apply): */
	SIM_PRESET,		/* value: a preset's index, held until the
				 * next switch point */
	SIM_VACATION,		/* value: seconds of "away" (preset 3) */
	SIM_RESUME,		/* back to the schedule */
};

/* A scripted change; a script is in order of time. */
struct sim_event {
	double at;		/* seconds after the start */
	enum sim_action action;
	double value;
};

/* The invariants (sim_check_name() names them). */
enum sim_check {
	SIM_MIN_ON,	/* off before min_on, for no safety reason */
	SIM_MIN_OFF,	/* on before min_off (from the start at first) */
	SIM_STALE_HEAT,	/* heated past temperature_at + sensor_timeout */
	SIM_MODE_HEAT,	/* heated with the mode off */
	SIM_MAX_ON,	/* ran longer than max_on */
	SIM_OVERSHOOT,	/* settled, above the band's top + over bound */
	SIM_UNDERSHOOT,	/* settled, below its bottom - under bound */
	SIM_NEXT,	/* next in the past, or NaN */
	SIM_BUSY,	/* more than two decisions at one instant */
	SIM_MISSED,	/* the decision changed before next with nothing
			 * changed in the record: a thread asleep missed it */
	SIM_REASON,	/* reason out of range, or saying on when off */
	SIM_RUNAWAY,	/* heated runaway_time without a reading rising
			 * runaway_rise above the run's baseline */
	SIM_ALARM,	/* switched on while the runaway alarm holds (no
			 * reading runaway_rise from the trip's, no clear) */
	SIM_PROGRAM,	/* the program woke other than at its next change,
			 * or its setpoint is not the model's then */
	SIM_CHECKS
};

/* A decision function: control_decide, or a broken one in the tests
 * that prove the checks can fail. */
typedef void sim_decide_fn(const struct control_input *in,
			   const struct control_config *cfg,
			   struct control_output *out);

struct sim_params {
	struct house_params house;
	struct control_config control;
	double sensor_interval;	/* seconds between reads */
	double first_read;	/* seconds from the start to the first read */
	double start;		/* the daemon's start, CLOCK_MONOTONIC; > 0 */
	double duration;	/* simulated seconds */
	double setpoint;	/* at the start, degrees C */
	enum thermo_mode mode;	/* at the start */
	uint64_t seed;		/* random events and the sensor's noise */
	const struct sim_event *script;	/* NULL or script_len events */
	size_t script_len;
	/* Random events, at exponentially distributed intervals with these
	 * means in seconds; 0: none. */
	double setpoint_every;
	double setpoint_lo, setpoint_hi; /* uniform, in 0.1 C steps */
	double mode_off_every;	/* mean time in heat mode between offs */
	double mode_off_max;	/* each off lasts uniform (0, this] s */
	double dropout_every;
	double dropout_max;	/* each dropout lasts uniform (0, this] s */
	sim_decide_fn *decide;	/* NULL: control_decide */
	/* The weekly program: NULL, none (the setpoint is the sim's); else
	 * a record with its presets and schedule, kept in a record of the
	 * library and woken as the control thread wakes it (at target.until
	 * only), the setpoint following it.  wall_start: the wall-clock time
	 * (CLOCK_REALTIME seconds) at the start, in the process's TZ. */
	const struct thermo *program;
	time_t wall_start;
	/* Called at each of the program's wakes, after its refresh, with
	 * the wall-clock time and the record: the caller's own checks. */
	void (*on_wake)(void *ctx, time_t wall, const struct thermo *r);
	void *wake_ctx;
	/* With a program: each command of the script, as it is applied. */
	void (*on_command)(void *ctx, time_t wall, enum sim_action action,
			   const struct thermo *r);
	FILE *trace;		/* one line per decision, or NULL */
};

#define SIM_RECORDED 8

struct sim_violation {
	double at;		/* seconds after the start */
	enum sim_check check;
	char detail[160];
};

struct sim_report {
	unsigned long reads, failed_reads, decisions;
	unsigned long switches_on, switches_off;
	unsigned long offs[REASON_COUNT];	/* switch-offs by reason */
	/* Runaway alarms raised (every one false unless a sensor stuck),
	 * and cleared by a reading that moved. */
	unsigned long runaway_trips, runaway_clears;
	/* The shortest time from a run's last rise (the harness's own
	 * baseline) to a runaway trip; INFINITY: none. */
	double shortest_runaway;
	unsigned long reasons[REASON_COUNT];	/* decisions by reason */
	double first_on;	/* when the first run began (s after the start);
				 * -1: none */
	/* The shortest run that did not end for safety, and the shortest
	 * rest (from the start for the first); INFINITY: none. */
	double shortest_on, shortest_off;
	double heating_s;	/* seconds the furnace ran */
	double stale_s;		/* seconds without a fresh reading */
	double settled_s;	/* seconds under the band checks */
	/* The worst excursion beyond the band while settled (degrees C past
	 * the top, past the bottom; -INFINITY: never settled), and the
	 * bounds they were held to (see simulate.c). */
	double worst_over, worst_under;
	double over_bound, under_bound;
	unsigned long program_wakes;	/* the program's refreshes */
	/* With a program: the furnace's runtime per local day, counted by
	 * core/runtime.c as the daemon counts it. */
	struct runtime runtime;
	unsigned long violations;
	unsigned long by_check[SIM_CHECKS];
	unsigned recorded;	/* the first min(violations, SIM_RECORDED) */
	struct sim_violation first[SIM_RECORDED];
};

/* The daemon's defaults (runaway protection on), the demo house (the
 * sim_* keys' defaults), 20 C in heat mode for one day, no random events,
 * seed 1. */
void sim_default_params(struct sim_params *p);
/* A house that takes hours to warm up, as a real one does. */
void sim_realistic_house(struct house_params *h);

/*
 * Runs the simulation @p describes into @r (zeroed first).  Returns the
 * number of violations (0: every invariant held), or -1 when @p makes no
 * sense (start <= 0, sensor_interval <= 0, a script out of order...), with
 * @r zeroed.
 */
int sim_run(const struct sim_params *p, struct sim_report *r);

/* The band checks' bounds, in degrees C beyond the band (simulate.c
 * derives them): above setpoint + hot_tolerance, below setpoint -
 * cold_tolerance (which depends on the setpoint: a house far above the
 * outside cools faster). */
double sim_over_bound(const struct sim_params *p);
double sim_under_bound(const struct sim_params *p, double setpoint);

const char *sim_check_name(enum sim_check check);
/* A one-paragraph summary for a failure message (always terminated). */
void sim_describe(const struct sim_report *r, char *buf, size_t len);

#endif
