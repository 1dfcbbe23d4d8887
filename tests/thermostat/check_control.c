/* SPDX-License-Identifier: MIT */
/*
 * The control decision (thermostat/control.c): every rule at its exact
 * boundaries, the next-decision time, the names; randomized inputs for
 * what must hold of any decision; then simulated days of a house through
 * tests/thermostat/simulate.c, including broken decision functions that
 * the harness must catch.
 *
 * Randomized tests print their seed when they fail.  They use seeds
 * THERMO_SEED, THERMO_SEED + 1, ... (THERMO_SEED from the environment,
 * decimal or 0x hex; a fixed default otherwise), so THERMO_SEED=<the
 * printed seed> reruns a failure first.
 */
#include <config.h>
#include <check.h>
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/control.h"
#include "runner.h"
#include "simprogram.h"
#include "simulate.h"

#define DEFAULT_SEED 20261123ULL

static unsigned long long base_seed(void)
{
	const char *env = getenv("THERMO_SEED");

	return env && *env ? strtoull(env, NULL, 0) : DEFAULT_SEED;
}

/* The daemon's defaults (thermostat.conf(5)), runaway protection aside:
 * the runs of most tests here have no progress baseline and last for
 * hours.  with_runaway() adds it, at its defaults. */
static struct control_config defaults(void)
{
	struct control_config c = {
		.cold_tolerance = 0.3,
		.hot_tolerance = 0.3,
		.min_on = 120,
		.min_off = 120,
		.max_on = 0,
		.runaway_time = 0,
		.runaway_rise = 0.3,
		.sensor_timeout = 60,
	};

	return c;
}

static struct control_config with_runaway(void)
{
	struct control_config c = defaults();

	c.runaway_time = 3600;
	return c;
}

/* Well into a run: started at 1000, switched off at 5000, 20 C read a
 * second ago, setpoint 20 C, heat mode, relay off. */
static struct control_input mid_run(void)
{
	struct control_input in = {
		.now = 10000,
		.start = 1000,
		.temperature = 20,
		.temperature_at = 9999,
		.setpoint = 20,
		.mode = MODE_HEAT,
		.heating = false,
		.relay_changed_at = 5000,
	};

	return in;
}

static struct control_output decide(const struct control_input *in,
				    const struct control_config *cfg)
{
	struct control_output out;

	memset(&out, 0xa5, sizeof(out));	/* no help from zeroes */
	control_decide(in, cfg, &out);
	return out;
}

/* What the daemon's control thread does after a decision at in->now: it
 * drives the relay as decided and stores runaway protection's state. */
static void carry(struct control_input *in, const struct control_output *out)
{
	if (out->heat != in->heating) {
		in->heating = out->heat;
		in->relay_changed_at = in->now;
	}
	in->progress_temperature = out->progress_temperature;
	in->progress_at = out->progress_at;
	in->runaway = out->runaway;
	in->runaway_temperature = out->runaway_temperature;
}

/*
 * Check writes down every assertion that passes (through a pipe, in the
 * forked child): in loops of many thousands, test first and assert only
 * what fails.  The condition is evaluated again: keep it pure.
 */
#define require(cond, ...)                                                   \
	do {                                                                 \
		if (!(cond))                                                 \
			ck_assert_msg(cond, __VA_ARGS__);                    \
	} while (0)

#define assert_decision(out, want_heat, want_reason)                         \
	ck_assert_msg((out).heat == (want_heat) &&                           \
			      (out).reason == (want_reason),                 \
		      "decided %s (%s), wanted %s (%s)",                     \
		      (out).heat ? "on" : "off", reason_name((out).reason), \
		      (want_heat) ? "on" : "off", reason_name(want_reason))

#define assert_next(out, want)                                               \
	ck_assert_msg((out).next == (want), "next %.9f, wanted %.9f",        \
		      (out).next, (double)(want))

/* Rules 5 and 6: on at or below setpoint - cold_tolerance, not above. */
START_TEST(cold_boundary)
{
	struct control_config cfg = defaults();
	struct control_input in = mid_run();
	struct control_output out;

	in.temperature = in.setpoint - cfg.cold_tolerance;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
	in.temperature = nextafter(in.temperature, INFINITY);
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_HOLD_OFF);
	/* Heating and cold: stays on, and says why. */
	in.heating = true;
	in.temperature = 15;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
}
END_TEST

/* Rules 4 and 6: off at or above setpoint + hot_tolerance, not below. */
START_TEST(hot_boundary)
{
	struct control_config cfg = defaults();
	struct control_input in = mid_run();
	struct control_output out;

	in.heating = true;
	in.temperature = in.setpoint + cfg.hot_tolerance;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_WARM);
	in.temperature = nextafter(in.temperature, -INFINITY);
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_HOLD_ON);
	/* Idle and warm: stays off, and says why. */
	in.heating = false;
	in.temperature = 25;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_WARM);
}
END_TEST

/* Inside the band the relay keeps its state either way. */
START_TEST(band_holds)
{
	struct control_config cfg = defaults();
	struct control_input in = mid_run();
	struct control_output out;
	const double temps[] = { 19.71, 20.0, 20.29 };

	for (size_t i = 0; i < sizeof(temps) / sizeof(temps[0]); i++) {
		in.temperature = temps[i];
		in.heating = false;
		out = decide(&in, &cfg);
		assert_decision(out, false, REASON_HOLD_OFF);
		in.heating = true;
		out = decide(&in, &cfg);
		assert_decision(out, true, REASON_HOLD_ON);
	}
}
END_TEST

/* Rule 4: warm, but on for less than min_on: held on until exactly
 * relay_changed_at + min_on. */
START_TEST(min_on_holds_until_its_end)
{
	struct control_config cfg = defaults();
	struct control_input in = mid_run();
	struct control_output out;

	in.heating = true;
	in.temperature = 21;
	in.relay_changed_at = 9900.25;
	in.now = 9990;
	in.temperature_at = 9989;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_MIN_ON);
	assert_next(out, 9900.25 + 120);
	in.now = nextafter(9900.25 + 120, 0);
	in.temperature_at = in.now;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_MIN_ON);
	in.now = 9900.25 + 120;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_WARM);
}
END_TEST

/* Rule 5: cold, but off for less than min_off: held off until exactly
 * relay_changed_at + min_off. */
START_TEST(min_off_holds_until_its_end)
{
	struct control_config cfg = defaults();
	struct control_input in = mid_run();
	struct control_output out;

	in.temperature = 19;
	in.relay_changed_at = 9900.25;
	in.now = 9990;
	in.temperature_at = 9989;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MIN_OFF);
	assert_next(out, 9900.25 + 120);
	in.now = nextafter(9900.25 + 120, 0);
	in.temperature_at = in.now;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MIN_OFF);
	in.now = 9900.25 + 120;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
}
END_TEST

/* The first decision after the start rests min_off from the start, even
 * in the cold. */
START_TEST(min_off_counts_from_start)
{
	struct control_config cfg = defaults();
	struct control_input in = mid_run();
	struct control_output out;

	in.start = 1000.5;
	in.now = in.start;
	in.relay_changed_at = 0;
	in.temperature = 10;
	in.temperature_at = in.now;
	cfg.sensor_timeout = 600;	/* so that min_off is the next thing */
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MIN_OFF);
	assert_next(out, 1000.5 + 120);
	in.now = nextafter(1000.5 + 120, 0);
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MIN_OFF);
	in.now = 1000.5 + 120;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
	/* With the default timeout the reading goes stale first. */
	cfg = defaults();
	in.now = in.start;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MIN_OFF);
	assert_next(out, in.temperature_at + 60);
}
END_TEST

/* Heating without a recorded switch: on since the start. */
START_TEST(never_switched_counts_from_start)
{
	struct control_config cfg = defaults();
	struct control_input in = mid_run();
	struct control_output out;

	in.heating = true;
	in.relay_changed_at = 0;
	in.start = 1000;
	in.now = 1100;
	in.temperature_at = 1099;
	in.temperature = 21;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_MIN_ON);
	assert_next(out, 1120);
}
END_TEST

/* Rule 1: mode off turns the heat off at once, whatever min_on says, and
 * nothing is due until something changes. */
START_TEST(mode_off_at_once)
{
	struct control_config cfg = defaults();
	struct control_input in = mid_run();
	struct control_output out;

	in.mode = MODE_OFF;
	in.heating = true;
	in.relay_changed_at = in.now - 1;	/* deep in min_on */
	in.temperature = 10;			/* and cold */
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MODE_OFF);
	assert_next(out, INFINITY);
	in.heating = false;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MODE_OFF);
	assert_next(out, INFINITY);
	/* A mode that is not heat is off. */
	in.mode = (enum thermo_mode)7;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MODE_OFF);
}
END_TEST

/* Rule 2: stale at exactly temperature_at + sensor_timeout (">="), and
 * then off at once, whatever min_on says. */
START_TEST(stale_boundary)
{
	struct control_config cfg = defaults();
	struct control_input in = mid_run();
	struct control_output out;

	in.heating = true;
	in.relay_changed_at = in.now - 1;
	in.temperature = 10;
	in.temperature_at = 9940.125;
	in.now = 9940.125 + 60;
	ck_assert(!control_reading_fresh(&in, &cfg));
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_SENSOR_STALE);
	assert_next(out, INFINITY);
	in.now = nextafter(in.now, 0);
	ck_assert(control_reading_fresh(&in, &cfg));
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
	assert_next(out, 9940.125 + 60);
	/* A reading from the future (stored after now was taken) is fresh. */
	in.temperature_at = in.now + 0.001;
	ck_assert(control_reading_fresh(&in, &cfg));
}
END_TEST

/* Never a reading, or no valid one: stale. */
START_TEST(invalid_readings_are_stale)
{
	struct control_config cfg = defaults();
	struct control_input in = mid_run();
	struct control_output out;
	const double bad[] = { NAN, INFINITY, -INFINITY };

	in.heating = true;
	in.relay_changed_at = in.now - 1;
	in.temperature = 10;
	in.temperature_at = 0;
	ck_assert(!control_reading_fresh(&in, &cfg));
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_SENSOR_STALE);
	/* temperature_at 0 is "never" even when the clock is young. */
	in.now = 5;
	in.start = 1;
	in.relay_changed_at = 0;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_SENSOR_STALE);
	in = mid_run();
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in.temperature = bad[i];
		ck_assert(!control_reading_fresh(&in, &cfg));
		out = decide(&in, &cfg);
		assert_decision(out, false, REASON_SENSOR_STALE);
		assert_next(out, INFINITY);
	}
	in.temperature = 10;
	in.temperature_at = NAN;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_SENSOR_STALE);
}
END_TEST

/* A setpoint that is no temperature turns the heat off at once. */
START_TEST(invalid_setpoint_is_off)
{
	struct control_config cfg = defaults();
	struct control_input in = mid_run();
	struct control_output out;
	const double bad[] = { NAN, INFINITY, -INFINITY };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		in.setpoint = bad[i];
		in.heating = true;
		in.relay_changed_at = in.now - 1;
		out = decide(&in, &cfg);
		assert_decision(out, false, REASON_MODE_OFF);
		assert_next(out, INFINITY);
		in.heating = false;
		in.temperature = -40;
		out = decide(&in, &cfg);
		assert_decision(out, false, REASON_MODE_OFF);
	}
}
END_TEST

/* Rule 3: a run ends at exactly relay_changed_at + max_on, cold or not,
 * and then rests min_off. */
START_TEST(max_on_boundary)
{
	struct control_config cfg = defaults();
	struct control_input in = mid_run();
	struct control_output out;

	cfg.max_on = 1800;
	cfg.sensor_timeout = 600;	/* so that max_on is the next thing */
	in.heating = true;
	in.temperature = 15;
	in.relay_changed_at = 5000.75;
	in.now = 5000.75 + 1790;
	in.temperature_at = in.now - 1;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
	assert_next(out, 5000.75 + 1800);
	in.now = 5000.75 + 1800;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MAX_ON);
	/* The relay rests min_off from the cut. */
	assert_next(out, in.now + 120);
	in.heating = false;
	in.relay_changed_at = in.now;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MIN_OFF);
	assert_next(out, in.now + 120);
}
END_TEST

/* max_on overrides min_on; 0 (and NaN) mean no limit. */
START_TEST(max_on_overrides_min_on)
{
	struct control_config cfg = defaults();
	struct control_input in = mid_run();
	struct control_output out;

	cfg.max_on = 60;
	in.heating = true;
	in.temperature = 21;	/* warm: min_on would hold it */
	in.relay_changed_at = in.now - 60;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MAX_ON);
	in.relay_changed_at = in.now - 59;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_MIN_ON);
	assert_next(out, in.relay_changed_at + 60);

	in.temperature = 15;
	in.relay_changed_at = in.now - 1e6;
	cfg.max_on = 0;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
	assert_next(out, in.temperature_at + 60);
	cfg.max_on = NAN;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
	cfg.max_on = -5;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
}
END_TEST

/* ---- runaway protection ---- */

#define assert_alarm(out, want_alarm)                                        \
	ck_assert_msg((out).runaway == (want_alarm), "alarm %s, wanted %s",  \
		      (out).runaway ? "raised" : "not raised",               \
		      (want_alarm) ? "raised" : "not raised")

/* Switches the heat on from idle at @now on a cold reading of @t; the
 * input as the daemon stores it afterwards. */
static struct control_input run_started(const struct control_config *cfg,
					double now, double t)
{
	struct control_input in = mid_run();
	struct control_output out;

	in.setpoint = 25;	/* cold all along */
	in.now = now;
	in.start = now - 2000;
	in.relay_changed_at = now - 1000;	/* rested */
	in.temperature = t;
	in.temperature_at = now - 1;
	out = decide(&in, cfg);
	assert_decision(out, true, REASON_COLD);
	ck_assert(out.progress_temperature == t && out.progress_at == now);
	assert_alarm(out, false);
	carry(&in, &out);
	return in;
}

/* A reading stuck at a low valid value: the run is cut at exactly
 * switch-on + runaway_time, not a rounding step before, whatever min_on
 * says; the alarm keeps the reading it tripped on. */
START_TEST(runaway_trips_at_its_time)
{
	struct control_config cfg = with_runaway();
	struct control_input in;
	struct control_output out;
	const double on = 20000.125;

	cfg.min_on = 7200;	/* safety overrides it */
	in = run_started(&cfg, on, 15);
	/* The reading keeps coming, stuck. */
	in.now = on + 1800;
	in.temperature_at = in.now - 2;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
	assert_next(out, in.temperature_at + 60);
	in.now = nextafter(on + 3600, 0);
	in.temperature_at = in.now - 2;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
	assert_next(out, on + 3600);
	assert_alarm(out, false);
	in.now = on + 3600;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_RUNAWAY);
	assert_alarm(out, true);
	ck_assert(out.runaway_temperature == 15);
	ck_assert(out.progress_at == 0);
	/* Then held off, cold and rested or not, until the reading goes
	 * stale (then it says so; the alarm stays). */
	assert_next(out, in.temperature_at + 60);
	carry(&in, &out);
	in.now += 600;
	in.temperature_at = in.now - 1;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_RUNAWAY);
	assert_alarm(out, true);
	in.temperature_at = in.now - 60;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_SENSOR_STALE);
	assert_alarm(out, true);
	/* Small moves, either way, leave it raised. */
	in.temperature_at = in.now - 1;
	in.temperature = 15.29;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_RUNAWAY);
	in.temperature = 14.71;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_RUNAWAY);
	assert_alarm(out, true);
}
END_TEST

/* Every rise of runaway_rise moves the baseline to that reading and its
 * time: a slow warm-up never trips, and a sensor that sticks in the middle
 * of a run trips runaway_time after the last rise. */
START_TEST(runaway_rise_moves_the_baseline)
{
	struct control_config cfg = with_runaway();
	struct control_input in;
	struct control_output out;
	const double on = 5000.5;
	double t = 12, last_rise = on;

	in = run_started(&cfg, on, t);
	/* 0.3 C in 59 minutes, read every 5 s, for ten hours: each
	 * decision at its reading, as the daemon wakes on a new one. */
	for (int i = 1; i <= 10 * 720; i++) {
		in.now = on + 5.0 * i;
		in.temperature_at = in.now;
		in.temperature = 12 + 0.3 * (5.0 * i) / 3540;
		out = decide(&in, &cfg);
		require(out.heat && out.reason == REASON_COLD,
			"%s at %.0f s into a slow warm-up",
			reason_name(out.reason), 5.0 * i);
		if (out.progress_at != in.progress_at) {
			/* Moved to this reading, at its time. */
			require(out.progress_temperature == in.temperature &&
					out.progress_at == in.temperature_at &&
					in.temperature >=
						in.progress_temperature + 0.3,
				"baseline %.3f C at %.1f", out.progress_temperature,
				out.progress_at);
			last_rise = in.now;
		}
		carry(&in, &out);
	}
	ck_assert_double_lt(in.now - last_rise, 3600);
	ck_assert_double_gt(in.progress_temperature, 14.7);
	/* Now it sticks: cut at the last rise + runaway_time. */
	t = in.temperature;
	in.now = last_rise + 3599;
	in.temperature_at = in.now;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
	assert_next(out, last_rise + 3600);
	in.now = last_rise + 3600;
	in.temperature_at = in.now - 1;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_RUNAWAY);
	ck_assert(out.runaway_temperature == t);

	/* A rise a hair short of runaway_rise is no progress.  (From here
	 * on the readings are older: a long sensor_timeout, so that the
	 * trip is the next thing.) */
	cfg.sensor_timeout = 7200;
	in = run_started(&cfg, on, 15);
	in.now = on + 3000;
	in.temperature_at = in.now;
	in.temperature = nextafter(15.3, 0);
	out = decide(&in, &cfg);
	ck_assert(out.progress_at == on);
	assert_next(out, on + 3600);
	carry(&in, &out);
	in.now = on + 3600;
	in.temperature_at = in.now - 1;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_RUNAWAY);
	/* Exactly runaway_rise is: the trip moves to that reading's time. */
	in = run_started(&cfg, on, 15);
	in.now = on + 3000;
	in.temperature_at = on + 2999.5;
	in.temperature = 15.3;
	out = decide(&in, &cfg);
	ck_assert(out.progress_at == on + 2999.5 &&
		  out.progress_temperature == 15.3);
	assert_next(out, on + 2999.5 + 3600);
	carry(&in, &out);
	in.now = on + 3600;
	in.temperature_at = in.now - 1;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
	assert_next(out, on + 2999.5 + 3600);
	/* A fall is no progress either. */
	in = run_started(&cfg, on, 15);
	in.now = on + 3599;
	in.temperature_at = in.now;
	in.temperature = 14;
	out = decide(&in, &cfg);
	ck_assert(out.progress_at == on);
	assert_next(out, on + 3600);
}
END_TEST

/* The alarm holds the heat off, cold or not, rested or not, until a
 * fresh reading is runaway_rise away from the trip's, either way, or the
 * caller clears it (the user did). */
START_TEST(runaway_alarm_holds_until_moved_or_cleared)
{
	struct control_config cfg = with_runaway();
	struct control_input in = mid_run();
	struct control_output out;

	in.runaway = true;
	in.runaway_temperature = 15;
	in.temperature = 15;	/* cold; rested since 5000 */
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_RUNAWAY);
	assert_alarm(out, true);
	ck_assert(out.runaway_temperature == 15);
	assert_next(out, in.temperature_at + 60);
	in.temperature = nextafter(15.3, 0);
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_RUNAWAY);
	in.temperature = nextafter(14.7, 20);
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_RUNAWAY);
	/* Moved: cleared, and the rules as usual (on, a new run). */
	in.temperature = 15.3;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
	assert_alarm(out, false);
	ck_assert(out.progress_at == in.now && out.progress_temperature == 15.3);
	in.temperature = 14.7;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
	assert_alarm(out, false);
	/* Moved up past the band: cleared, and warm. */
	in.temperature = 25;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_WARM);
	assert_alarm(out, false);
	/* Cleared by the user: the rules as usual. */
	in.temperature = 15;
	in.runaway = false;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
	/* A stale reading clears nothing; nor does mode off. */
	in.runaway = true;
	in.temperature = 17;
	in.temperature_at = in.now - 60;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_SENSOR_STALE);
	assert_alarm(out, true);
	in.temperature_at = in.now - 1;
	in.temperature = 15;
	in.mode = MODE_OFF;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MODE_OFF);
	assert_alarm(out, true);
	in.mode = MODE_HEAT;
	/* A NaN rise never clears it. */
	cfg.runaway_rise = NAN;
	in.temperature = 25;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_RUNAWAY);
	assert_alarm(out, true);
	/* Once cleared by a move, min_off counts from the trip. */
	cfg = with_runaway();
	in.relay_changed_at = in.now - 100;
	in.temperature = 10;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MIN_OFF);
	assert_alarm(out, false);
	assert_next(out, in.relay_changed_at + 120);
}
END_TEST

/* runaway_time 0 (or NaN, or negative) is no protection: a stuck reading
 * heats as long as it is cold. */
START_TEST(runaway_time_zero_disables)
{
	const double off[] = { 0, NAN, -1 };

	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++) {
		struct control_config cfg = with_runaway();
		struct control_input in;
		struct control_output out;

		cfg.runaway_time = off[i];
		in = run_started(&cfg, 1000, 15);
		in.now = 1000 + 1e6;
		in.temperature_at = in.now - 1;
		out = decide(&in, &cfg);
		assert_decision(out, true, REASON_COLD);
		assert_alarm(out, false);
		assert_next(out, in.temperature_at + 60);
	}
}
END_TEST

/* With min_on, min_off and max_on: runaway overrides min_on (a safety
 * rule); max_on and runaway cut at whichever comes first, runaway when
 * both (it says more); the rest after a cut re-baselines the next run;
 * a runaway_time too short to measure starts no run. */
START_TEST(runaway_with_the_other_limits)
{
	struct control_config cfg = with_runaway();
	struct control_input in;
	struct control_output out;

	/* Warm within min_on, stuck: cut at runaway_time all the same. */
	cfg.runaway_time = 60;
	cfg.min_on = 600;
	in = run_started(&cfg, 1000, 15);
	in.temperature = 25.4;	/* warm, and it rose: progress */
	in.now = 1030;
	in.temperature_at = 1030;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_MIN_ON);
	assert_next(out, 1030 + 60);
	carry(&in, &out);
	in.now = 1090;
	in.temperature_at = 1089;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_RUNAWAY);

	/* max_on first: a rest, no alarm, and the next run starts afresh. */
	cfg = with_runaway();
	cfg.max_on = 1800;
	in = run_started(&cfg, 1000, 15);
	in.now = 2800;
	in.temperature_at = 2799;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MAX_ON);
	assert_alarm(out, false);
	carry(&in, &out);
	in.now = 2800 + 120;
	in.temperature_at = in.now - 1;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
	ck_assert(out.progress_at == in.now);
	assert_next(out, in.temperature_at + 60);
	/* Both at one instant: runaway. */
	cfg.max_on = 3600;
	in = run_started(&cfg, 1000, 15);
	in.now = 4600;
	in.temperature_at = 4599;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_RUNAWAY);
	assert_alarm(out, true);
	/* runaway before max_on: the next is the trip. */
	cfg.max_on = 7200;
	in = run_started(&cfg, 1000, 15);
	in.now = 4000;
	in.temperature_at = 3999.5;
	cfg.sensor_timeout = 3600;
	out = decide(&in, &cfg);
	assert_next(out, 4600);

	/* Too short to measure: no run, no alarm, no busy loop. */
	cfg = with_runaway();
	cfg.runaway_time = 1e-300;
	in = mid_run();
	in.temperature = 15;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_RUNAWAY);
	assert_alarm(out, false);
	ck_assert(out.next > in.now);
}
END_TEST

/* Precedence: mode off, then stale, then max_on, then the band. */
START_TEST(precedence)
{
	struct control_config cfg = defaults();
	struct control_input in = mid_run();
	struct control_output out;

	cfg.max_on = 60;
	in.heating = true;
	in.relay_changed_at = in.now - 100;	/* past max_on, in min_on */
	in.temperature = 25;			/* warm */
	in.temperature_at = in.now - 60;	/* stale */
	in.mode = MODE_OFF;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MODE_OFF);
	in.mode = MODE_HEAT;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_SENSOR_STALE);
	in.temperature_at = in.now;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MAX_ON);
	cfg.max_on = 0;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_MIN_ON);
}
END_TEST

/* A zero band with the temperature on the setpoint is both cold and warm:
 * off wins, and nothing flips at one instant even with zero hold times. */
START_TEST(zero_band_prefers_off)
{
	struct control_config cfg = defaults();
	struct control_input in = mid_run();
	struct control_output out;

	cfg.cold_tolerance = 0;
	cfg.hot_tolerance = 0;
	cfg.min_on = 0;
	cfg.min_off = 0;
	in.temperature = in.setpoint;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_WARM);
	in.heating = true;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_WARM);
	ck_assert(out.next > in.now);
	/* An inverted band: the same. */
	cfg.cold_tolerance = -1;
	cfg.hot_tolerance = -1;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_WARM);
	in.heating = false;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_WARM);
}
END_TEST

/* A NaN in the configuration fails toward heat off. */
START_TEST(nan_config_is_safe)
{
	struct control_config cfg;
	struct control_input in = mid_run();
	struct control_output out;

	in.temperature = 15;	/* cold */

	cfg = defaults();
	cfg.cold_tolerance = NAN;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_HOLD_OFF);

	cfg = defaults();
	cfg.hot_tolerance = NAN;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_WARM);
	in.heating = true;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_WARM);
	in.heating = false;

	cfg = defaults();
	cfg.min_off = NAN;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MIN_OFF);
	assert_next(out, in.temperature_at + 60);

	cfg = defaults();
	cfg.sensor_timeout = NAN;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_SENSOR_STALE);
	assert_next(out, INFINITY);

	/* NaN min_on: the hold does not keep a warm house heated. */
	cfg = defaults();
	cfg.min_on = NAN;
	in.heating = true;
	in.relay_changed_at = in.now - 1;
	in.temperature = 25;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_WARM);
}
END_TEST

/* next is for the relay as decided: the deadlines that can change the
 * decision with nothing in the record changed. */
START_TEST(next_after_switching)
{
	struct control_config cfg = defaults();
	struct control_input in = mid_run();
	struct control_output out;

	/* On: only the reading's deadline can change anything... */
	in.temperature = 15;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
	assert_next(out, in.temperature_at + 60);
	/* ...or max_on, when it comes first. */
	cfg.max_on = 30;
	out = decide(&in, &cfg);
	assert_next(out, in.now + 30);
	cfg.max_on = 0;
	/* Off for warm: the reading's deadline (then stale). */
	in.heating = true;
	in.temperature = 25;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_WARM);
	assert_next(out, in.temperature_at + 60);
	/* Off for mode or a stale reading: nothing is due. */
	in.mode = MODE_OFF;
	out = decide(&in, &cfg);
	assert_next(out, INFINITY);
}
END_TEST

START_TEST(next_while_holding)
{
	struct control_config cfg = defaults();
	struct control_input in = mid_run();
	struct control_output out;

	/* In the band: nothing but the reading's deadline. */
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_HOLD_OFF);
	assert_next(out, in.temperature_at + 60);
	in.heating = true;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_HOLD_ON);
	assert_next(out, in.temperature_at + 60);
	/* min_on's end, unless the reading goes stale first. */
	in.temperature = 21;
	in.relay_changed_at = in.now - 100;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_MIN_ON);
	assert_next(out, in.relay_changed_at + 120);
	in.relay_changed_at = in.now - 10;
	out = decide(&in, &cfg);
	assert_next(out, in.temperature_at + 60);
	/* Within min_on but not warm: its end changes nothing. */
	in.temperature = 20;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_HOLD_ON);
	assert_next(out, in.temperature_at + 60);
	/* min_off's end, likewise. */
	in.heating = false;
	in.temperature = 19;
	in.relay_changed_at = in.now - 100;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MIN_OFF);
	assert_next(out, in.relay_changed_at + 120);
}
END_TEST

/* A run cut by max_on with min_off zero goes on again: next is now, once,
 * and deciding at once switches it back with a later next. */
START_TEST(max_on_with_zero_min_off)
{
	struct control_config cfg = defaults();
	struct control_input in = mid_run();
	struct control_output out;

	cfg.max_on = 600;
	cfg.min_off = 0;
	in.heating = true;
	in.temperature = 15;
	in.relay_changed_at = in.now - 600;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MAX_ON);
	assert_next(out, in.now);
	in.heating = false;
	in.relay_changed_at = in.now;
	out = decide(&in, &cfg);
	assert_decision(out, true, REASON_COLD);
	ck_assert(out.next > in.now);
	/* A max_on too small to measure never starts a run at all. */
	cfg.max_on = 1e-300;
	out = decide(&in, &cfg);
	assert_decision(out, false, REASON_MAX_ON);
	ck_assert(out.next > in.now);
}
END_TEST

/* Decides again at each next, the relay driven as decided and nothing
 * else changing, until nothing is due. */
static void converge(const struct control_config *cfg, double temperature,
		     bool heating)
{
	struct control_input in = mid_run();
	struct control_output out;
	int steps = 0, same = 0;

	in.temperature = temperature;
	in.heating = heating;
	in.relay_changed_at = in.now - 7;
	for (;;) {
		out = decide(&in, cfg);
		require(out.next >= in.now, "next %.9f < now %.9f", out.next,
			in.now);
		carry(&in, &out);
		if (out.next == INFINITY)
			break;
		same = out.next == in.now ? same + 1 : 0;
		require(same <= 1, "next == now twice (min_on %g, min_off %g, "
			"max_on %g, runaway_time %g, %g C)", cfg->min_on,
			cfg->min_off, cfg->max_on, cfg->runaway_time,
			temperature);
		in.now = out.next;
		steps++;
		require(steps < 100000, "no end");
	}
	require(out.reason == REASON_SENSOR_STALE && !out.heat,
		"ended with %s", reason_name(out.reason));
}

/* Deciding again at each next gets to an end: no decision returns the
 * same time twice in a row more than once (the max_on case above), and
 * it ends with the reading stale. */
START_TEST(next_converges)
{
	const double min_on[] = { 0, 30, 120 }, min_off[] = { 0, 45, 120 };
	const double max_on[] = { 0, 1e-300, 25, 600 };
	const double runaway[] = { 0, 1e-300, 25, 900 };
	const double temps[] = { 10, 19.7, 20, 20.3, 30 };
	struct control_config cfg = defaults();

	cfg.sensor_timeout = 3600;
	for (size_t a = 0; a < 3; a++) {
		cfg.min_on = min_on[a];
		for (size_t b = 0; b < 3; b++) {
			cfg.min_off = min_off[b];
			for (size_t c = 0; c < 16; c++) {
				cfg.max_on = max_on[c % 4];
				cfg.runaway_time = runaway[c / 4];
				for (size_t d = 0; d < 5; d++) {
					converge(&cfg, temps[d], false);
					converge(&cfg, temps[d], true);
				}
			}
		}
	}
}
END_TEST

/* Random inputs, biased to the boundaries, for what must hold of every
 * decision. */
struct gen {
	unsigned long long state;
};

static unsigned long long gen_next(struct gen *g)
{
	unsigned long long z = (g->state += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

static double gen_unit(struct gen *g)
{
	return (double)(gen_next(g) >> 11) / 9007199254740992.0;
}

static double gen_pick(struct gen *g, const double *v, size_t n)
{
	return v[gen_next(g) % n];
}

#define PICK(g, ...)                                                     \
	gen_pick(g, (const double[]){ __VA_ARGS__ },                     \
		 sizeof((const double[]){ __VA_ARGS__ }) / sizeof(double))

/* Near @x: exactly, a rounding step either side, or a little either side. */
static double gen_near(struct gen *g, double x)
{
	switch (gen_next(g) % 5) {
	case 0:
		return nextafter(x, -INFINITY);
	case 1:
		return nextafter(x, INFINITY);
	case 2:
		return x + (gen_unit(g) - 0.5) * 10;
	default:
		return x;
	}
}

static void gen_case(struct gen *g, struct control_input *in,
		     struct control_config *cfg)
{
	*cfg = defaults();
	cfg->cold_tolerance = PICK(g, 0.3, 0.3, 0, 1, NAN);
	cfg->hot_tolerance = PICK(g, 0.3, 0.3, 0, 0.5, NAN);
	cfg->min_on = PICK(g, 120, 120, 0, 30, 600, NAN);
	cfg->min_off = PICK(g, 120, 120, 0, 45, 600, NAN);
	cfg->max_on = PICK(g, 0, 0, 60, 1800, 1e-300, NAN, -1);
	cfg->runaway_time = PICK(g, 0, 3600, 3600, 60, 1e-300, NAN, -1);
	cfg->runaway_rise = PICK(g, 0.3, 0.3, 0.1, 0, NAN);
	cfg->sensor_timeout = PICK(g, 60, 60, 5, 3600, 0, NAN, INFINITY);

	memset(in, 0, sizeof(*in));
	in->now = PICK(g, 10000, 1234567.891, 61, 1e9 + 0.5);
	in->start = in->now - PICK(g, 0, 1, 119, 120, 5000, in->now / 2);
	in->setpoint = PICK(g, 20, 20, 20, 5, 30, NAN, INFINITY);
	in->temperature = gen_near(
		g, PICK(g, 20, 19.7, 20.3, 20 - cfg->cold_tolerance,
			20 + cfg->hot_tolerance, 15, 25));
	if (gen_next(g) % 20 == 0)
		in->temperature = PICK(g, NAN, INFINITY, -INFINITY);
	in->temperature_at = gen_near(
		g, in->now - PICK(g, 1, 5, cfg->sensor_timeout, -0.5, 1000));
	if (gen_next(g) % 10 == 0)
		in->temperature_at = 0;
	in->mode = gen_next(g) % 8 ? MODE_HEAT : MODE_OFF;
	in->heating = gen_next(g) % 2;
	in->relay_changed_at =
		gen_near(g, in->now - PICK(g, 0, 1, cfg->min_on, cfg->min_off,
					   cfg->max_on, 300, 1e5));
	if (gen_next(g) % 8 == 0)
		in->relay_changed_at = 0;
	/* Runaway protection's state: a baseline near a trip, a rise or
	 * none; an alarm near a clear. */
	in->progress_at = gen_next(g) % 4 ?
		gen_near(g, in->now - PICK(g, 0, 1, cfg->runaway_time, 300,
					   1e5)) : 0;
	in->progress_temperature = gen_near(
		g, in->temperature - PICK(g, 0, cfg->runaway_rise, 1, -1));
	in->runaway = gen_next(g) % 4 == 0;
	in->runaway_temperature = gen_near(
		g, in->temperature + PICK(g, 0, cfg->runaway_rise,
					  -cfg->runaway_rise, 5));
}

static bool on_reason(enum thermo_reason r)
{
	return r == REASON_COLD || r == REASON_MIN_ON || r == REASON_HOLD_ON;
}

static bool safety_reason(enum thermo_reason r)
{
	return r == REASON_MODE_OFF || r == REASON_SENSOR_STALE ||
	       r == REASON_MAX_ON || r == REASON_RUNAWAY;
}

/* What must hold of any decision: a function, heat agreeing with the
 * reason, next not in the past, safety, no short cycling. */
static void check_rules(const char *what, const struct control_input *in,
			const struct control_config *cfg,
			const struct control_output *out)
{
	struct control_output again = decide(in, cfg);
	double since = in->relay_changed_at > 0 ? in->relay_changed_at :
						  in->start;

	require(out->heat == again.heat && out->reason == again.reason &&
			(out->next == again.next ||
			 (isnan(out->next) && isnan(again.next))),
		"%s: not a function", what);
	require((unsigned)out->reason < REASON_COUNT &&
			on_reason(out->reason) == out->heat,
		"%s: heat %d for reason %d", what, out->heat, out->reason);
	require(!isnan(out->next) && out->next >= in->now,
		"%s: next %.9f, now %.9f", what, out->next, in->now);
	/* Never heat blind, in mode off or with no setpoint; never past
	 * max_on. */
	if (out->heat)
		require(control_reading_fresh(in, cfg) &&
				in->mode == MODE_HEAT && isfinite(in->setpoint),
			"%s: heats unsafely", what);
	if (out->heat && in->heating && cfg->max_on > 0)
		require(in->now < since + cfg->max_on, "%s: past max_on", what);
	/* On only after min_off; off within min_on only for safety. */
	if (out->heat && !in->heating)
		require(in->now >= since + cfg->min_off,
			"%s: on within min_off", what);
	if (!out->heat && in->heating && !safety_reason(out->reason))
		require(!(in->now < since + cfg->min_on),
			"%s: off within min_on", what);
	/* Runaway: never heat while the alarm holds (the reading has not
	 * moved runaway_rise from the trip's); the alarm rises only when a
	 * run is cut; the baseline is kept only while heating. */
	if (out->heat && in->runaway)
		require(fabs(in->temperature - in->runaway_temperature) >=
				cfg->runaway_rise && !out->runaway,
			"%s: heats with the alarm raised", what);
	if (out->runaway && !in->runaway)
		require(in->heating && !out->heat &&
				out->reason == REASON_RUNAWAY &&
				out->runaway_temperature == in->temperature,
			"%s: alarm without a run cut", what);
	require(out->heat ? out->progress_at > 0 || in->start <= 0
			  : out->progress_at == 0,
		"%s: baseline at %.9f with the heat %s", what,
		out->progress_at, out->heat ? "on" : "off");
}

/*
 * next is exact: for the relay as driven, the decision holds from now
 * until just before next, and changes at next (or never, for INFINITY);
 * deciding at next gives a later next.  @probe is a random fraction.
 */
static void check_next(const char *what, const struct control_input *in,
		       const struct control_config *cfg,
		       const struct control_output *out, double probe)
{
	struct control_input post = *in;
	struct control_output base, at;
	double t[4], span;
	size_t n = 0;

	carry(&post, out);
	base = decide(&post, cfg);
	if (out->next == in->now) {
		/* Only a max_on cut that goes on again at once. */
		require(out->reason == REASON_MAX_ON && base.heat,
			"%s: next is now for %s", what,
			reason_name(out->reason));
		return;
	}
	/* The same heat, next, and reason (but after max_on: min_off...). */
	require(base.heat == out->heat && base.next == out->next &&
			(base.reason == out->reason ||
			 out->reason == REASON_MAX_ON),
		"%s: %s then %s, next %.9f then %.9f", what,
		reason_name(out->reason), reason_name(base.reason), out->next,
		base.next);
	/* Before next: now, just before, somewhere between (for INFINITY,
	 * the coming ten million seconds); then at next. */
	span = isfinite(out->next) ? out->next - in->now : 1e7;
	t[n++] = in->now;
	t[n++] = isfinite(out->next) ? nextafter(out->next, -INFINITY) :
				       in->now + span;
	t[n++] = in->now + span * probe;
	if (isfinite(out->next))
		t[n++] = out->next;
	for (size_t k = 0; k < n; k++) {
		if (!(t[k] >= in->now))
			continue;
		post.now = t[k];
		at = decide(&post, cfg);
		if (t[k] < out->next) {
			require(at.heat == base.heat &&
					at.reason == base.reason,
				"%s: %s at %.9f, before next %.9f (%s)", what,
				reason_name(at.reason), t[k], out->next,
				reason_name(base.reason));
			continue;
		}
		require(at.heat != base.heat || at.reason != base.reason,
			"%s: still %s at next %.9f", what,
			reason_name(base.reason), out->next);
		require(at.next > out->next ||
				(at.next == out->next &&
				 at.reason == REASON_MAX_ON),
			"%s: next %.9f again", what, at.next);
	}
}

/* Random inputs, biased to the boundaries. */
START_TEST(random_decisions_keep_the_rules)
{
	unsigned long long seed = base_seed() + (unsigned long long)_i;
	struct gen g = { seed };

	for (int n = 0; n < 20000; n++) {
		struct control_config cfg;
		struct control_input in;
		struct control_output out;
		char what[64];

		gen_case(&g, &in, &cfg);
		snprintf(what, sizeof(what), "seed %llu case %d", seed, n);
		out = decide(&in, &cfg);
		check_rules(what, &in, &cfg, &out);
		check_next(what, &in, &cfg, &out, gen_unit(&g));
	}
}
END_TEST

START_TEST(reason_names)
{
	for (int r = 0; r < REASON_COUNT; r++) {
		const char *name = reason_name((enum thermo_reason)r);
		const char *text = reason_text((enum thermo_reason)r);
		size_t len;

		ck_assert_ptr_nonnull(name);
		ck_assert_ptr_nonnull(text);
		ck_assert_msg(name[0] != '\0', "reason %d has no name", r);
		for (const char *c = name; *c; c++)
			ck_assert_msg(islower((unsigned char)*c) || *c == '_',
				      "reason %d: \"%s\" is not snake case", r,
				      name);
		len = strlen(text);
		ck_assert_msg(len > 10 && isupper((unsigned char)text[0]) &&
				      text[len - 1] == '.',
			      "reason %d: \"%s\" is not a sentence", r, text);
		for (int o = 0; o < r; o++) {
			ck_assert_str_ne(name,
					 reason_name((enum thermo_reason)o));
			ck_assert_str_ne(text,
					 reason_text((enum thermo_reason)o));
		}
	}
	ck_assert_str_eq(reason_name(REASON_MIN_OFF), "min_off");
	ck_assert_str_eq(reason_name(REASON_SENSOR_STALE), "sensor_stale");
	ck_assert_str_eq(reason_name(REASON_RUNAWAY), "runaway");
	ck_assert_str_eq(reason_name((enum thermo_reason)REASON_COUNT),
			 "unknown");
	ck_assert_ptr_nonnull(reason_text((enum thermo_reason)-1));
}
END_TEST

/* ---- Simulations ---- */

struct expect {
	unsigned long min_on;	/* it must cycle: at least so many runs */
	double min_settled;	/* fraction of the time under band checks */
};

/* Whether a run passed, and if not why (with everything it saw). */
static bool sim_verdict(const struct sim_params *p, const struct sim_report *r,
			int rc, const struct expect *e, char *why, size_t len)
{
	char desc[2048];
	const char *fail = NULL;

	sim_describe(r, desc, sizeof(desc));
	if (rc < 0)
		fail = "bad parameters";
	else if (rc > 0 || r->violations)
		fail = "invariants broken";
	else if (r->switches_on < e->min_on)
		fail = "too little cycling";
	else if (r->settled_s < e->min_settled * p->duration)
		fail = "the band checks hardly ran";
	else if (r->worst_over > r->over_bound ||
		 r->worst_under > r->under_bound)
		fail = "outside the band's bounds";
	if (!fail)
		return true;
	snprintf(why, len, "%s: %s", fail, desc);
	return false;
}

static void run_sim(const struct sim_params *p, const struct expect *e,
		    struct sim_report *r)
{
	char why[2400];
	int rc = sim_run(p, r);

	ck_assert_msg(sim_verdict(p, r, rc, e, why, sizeof(why)),
		      "seed %llu (rerun: THERMO_SEED=%llu): %s",
		      (unsigned long long)p->seed,
		      (unsigned long long)p->seed, why);
}

/* A day of the demo house: it warms 1.2 C a minute, so min_on, not the
 * band, bounds each run. */
START_TEST(sim_demo_day)
{
	struct sim_params p;
	struct sim_report r;
	struct expect e = { .min_on = 100, .min_settled = 0.9 };

	sim_default_params(&p);
	p.seed = base_seed();
	run_sim(&p, &e, &r);
	ck_assert_double_ge(r.shortest_on, 120 - 1e-6);
	ck_assert_double_ge(r.shortest_off, 120 - 1e-6);
	/* The first run rested min_off from the start. */
	ck_assert_double_ge(r.first_on, 120 - 1e-6);
	ck_assert_double_le(r.first_on, 125);
	/* The overshoot is mostly min_on's: the bound, which ignores the
	 * losses while heating, is not loose by much. */
	ck_assert_double_gt(r.worst_over, r.over_bound / 3);
}
END_TEST

/* A day of a house that takes hours to warm: the band bounds the runs,
 * and the temperature stays within a few hundredths of it. */
START_TEST(sim_realistic_day)
{
	struct sim_params p;
	struct sim_report r;
	struct expect e = { .min_on = 10, .min_settled = 0.7 };

	sim_default_params(&p);
	sim_realistic_house(&p.house);
	p.seed = base_seed();
	run_sim(&p, &e, &r);
	ck_assert_double_gt(r.shortest_on, 600);
	ck_assert_double_le(r.over_bound, 0.06);
	ck_assert_double_le(r.under_bound, 0.06);
}
END_TEST

/* A week with every kind of disturbance: what the soak test runs. */
START_TEST(sim_week)
{
	struct sim_params p;
	struct sim_report r;
	struct expect e = { .min_on = 100, .min_settled = 0.4 };

	sim_default_params(&p);
	sim_realistic_house(&p.house);
	p.seed = base_seed();
	p.duration = 7 * 86400;
	p.control.max_on = 4 * 3600;
	p.setpoint_every = 6 * 3600;
	p.setpoint_lo = 16;
	p.setpoint_hi = 23;
	p.mode_off_every = 24 * 3600;
	p.mode_off_max = 3600;
	p.dropout_every = 3 * 3600;
	p.dropout_max = 180;
	run_sim(&p, &e, &r);
	ck_assert_uint_gt(r.offs[REASON_SENSOR_STALE], 0);
}
END_TEST

/* The sensor dies while heating: off at its timeout, within min_on. */
START_TEST(sim_dropout_turns_off)
{
	/* The demo house heats from 120 s after the start; reads fail from
	 * 130 s for 10 minutes. */
	const struct sim_event script[] = {
		{ 130, SIM_DROPOUT, 600 },
	};
	struct sim_params p;
	struct sim_report r;
	struct expect e = { .min_on = 2, .min_settled = 0.5 };

	sim_default_params(&p);
	p.seed = base_seed();
	p.duration = 4 * 3600;
	p.house.start_c = 15;
	p.script = script;
	p.script_len = 1;
	run_sim(&p, &e, &r);
	ck_assert_uint_eq(r.offs[REASON_SENSOR_STALE], 1);
	ck_assert_double_ge(r.stale_s, 600 - 60 - 5);
	ck_assert_uint_gt(r.failed_reads, 100);
}
END_TEST

/* Mode off during min_on: off at once; back to heat: min_off first. */
START_TEST(sim_mode_off_at_once)
{
	const struct sim_event script[] = {
		{ 150.5, SIM_SET_MODE, MODE_OFF },
		{ 200, SIM_SET_MODE, MODE_HEAT },
		{ 3600, SIM_SET_SETPOINT, 22 },
		{ 7200.25, SIM_SET_SETPOINT, 18 },
	};
	struct sim_params p;
	struct sim_report r;
	struct expect e = { .min_on = 10, .min_settled = 0.5 };

	sim_default_params(&p);
	p.seed = base_seed();
	p.duration = 4 * 3600;
	p.house.start_c = 15;
	p.script = script;
	p.script_len = sizeof(script) / sizeof(script[0]);
	run_sim(&p, &e, &r);
	ck_assert_uint_eq(r.offs[REASON_MODE_OFF], 1);
	ck_assert_double_lt(r.shortest_on, INFINITY);
}
END_TEST

/* A house too cold for its furnace: max_on cuts every run. */
START_TEST(sim_max_on_cuts)
{
	struct sim_params p;
	struct sim_report r;
	struct expect e = { .min_on = 10, .min_settled = 0 };

	sim_default_params(&p);
	sim_realistic_house(&p.house);
	p.seed = base_seed();
	p.house.outside_c = -15;
	p.control.max_on = 1800;
	run_sim(&p, &e, &r);
	ck_assert_uint_gt(r.offs[REASON_MAX_ON], 10);
}
END_TEST

/* A sensor that sticks at a cold reading in the middle of a warm-up: the
 * run is cut runaway_time after its last rise, exactly; the heat stays
 * off while it is stuck; the first true reading after it clears the
 * alarm, and the house is held again. */
START_TEST(sim_stuck_sensor_trips)
{
	const struct sim_event script[] = {
		{ 2 * 3600, SIM_STUCK, 8 * 3600 },
	};
	struct sim_params p;
	struct sim_report r;
	struct expect e = { .min_on = 3, .min_settled = 0.2 };

	sim_default_params(&p);
	sim_realistic_house(&p.house);
	p.seed = base_seed();
	p.duration = 24 * 3600;
	p.house.start_c = 14;
	p.script = script;
	p.script_len = 1;
	run_sim(&p, &e, &r);
	ck_assert_uint_eq(r.runaway_trips, 1);
	ck_assert_uint_eq(r.offs[REASON_RUNAWAY], 1);
	ck_assert_uint_eq(r.runaway_clears, 1);
	/* Cut at its instant: runaway_time after the last rise. */
	ck_assert_double_ge(r.shortest_runaway, 3600 - 1e-6);
	ck_assert_double_le(r.shortest_runaway, 3600 + 1e-6);
}
END_TEST

/* Slow but real warm-ups never trip: a house at -10 C outside that takes
 * half a day from 10 C to 21 C (0.6 C an hour at the end, with 0.05 C of
 * noise), and the demo house's cold start. */
START_TEST(sim_slow_warm_up_does_not_trip)
{
	struct sim_params p;
	struct sim_report r;
	struct expect e = { .min_on = 3, .min_settled = 0.3 };

	sim_default_params(&p);
	sim_realistic_house(&p.house);
	p.seed = base_seed();
	p.duration = 2 * 86400;
	p.house.outside_c = -10;
	p.house.start_c = 10;
	p.setpoint = 21;
	run_sim(&p, &e, &r);
	ck_assert_uint_eq(r.runaway_trips, 0);
	/* The first run was the whole warm-up, hours long. */
	ck_assert_double_gt(r.heating_s, 10 * 3600);

	sim_default_params(&p);
	p.seed = base_seed();
	p.house.start_c = p.house.outside_c;
	e.min_on = 100;
	run_sim(&p, &e, &r);
	ck_assert_uint_eq(r.runaway_trips, 0);
	ck_assert_double_lt(r.first_on, 125);
}
END_TEST

/* The user clears the alarm while the sensor is still stuck: the heat
 * goes on again (after min_off) and is cut again runaway_time later. */
START_TEST(sim_user_clears_alarm)
{
	const struct sim_event script[] = {
		{ 1800, SIM_STUCK, 12 * 3600 },
		{ 3 * 3600, SIM_CLEAR_ALARM, 0 },
	};
	struct sim_params p;
	struct sim_report r;
	struct expect e = { .min_on = 2, .min_settled = 0 };

	sim_default_params(&p);
	sim_realistic_house(&p.house);
	p.seed = base_seed();
	p.duration = 8 * 3600;
	p.house.start_c = 14;
	p.script = script;
	p.script_len = 2;
	run_sim(&p, &e, &r);
	ck_assert_uint_eq(r.runaway_trips, 2);
	ck_assert_uint_eq(r.offs[REASON_RUNAWAY], 2);
	ck_assert_uint_eq(r.runaway_clears, 0);
	ck_assert_uint_eq(r.switches_on, 2);
}
END_TEST

/* ---- The harness must catch broken decisions ---- */

static void decide_no_min_off(const struct control_input *in,
			      const struct control_config *cfg,
			      struct control_output *out)
{
	struct control_config c = *cfg;

	c.min_off = 0;
	control_decide(in, &c, out);
}

static void decide_no_min_on(const struct control_input *in,
			     const struct control_config *cfg,
			     struct control_output *out)
{
	struct control_config c = *cfg;

	c.min_on = 0;
	control_decide(in, &c, out);
}

static void decide_no_timeout(const struct control_input *in,
			      const struct control_config *cfg,
			      struct control_output *out)
{
	struct control_config c = *cfg;

	c.sensor_timeout = INFINITY;
	control_decide(in, &c, out);
}

static void decide_no_max_on(const struct control_input *in,
			     const struct control_config *cfg,
			     struct control_output *out)
{
	struct control_config c = *cfg;

	c.max_on = 0;
	control_decide(in, &c, out);
}

static void decide_ignores_mode(const struct control_input *in,
				const struct control_config *cfg,
				struct control_output *out)
{
	struct control_input i = *in;

	i.mode = MODE_HEAT;
	control_decide(&i, cfg, out);
}

static void decide_wide_band(const struct control_input *in,
			     const struct control_config *cfg,
			     struct control_output *out)
{
	struct control_config c = *cfg;

	c.hot_tolerance += 0.2;
	c.cold_tolerance += 0.2;
	control_decide(in, &c, out);
}

static void decide_sleepy(const struct control_input *in,
			  const struct control_config *cfg,
			  struct control_output *out)
{
	control_decide(in, cfg, out);
	out->next = INFINITY;
}

static void decide_late(const struct control_input *in,
			const struct control_config *cfg,
			struct control_output *out)
{
	control_decide(in, cfg, out);
	out->next += 1;
}

static void decide_past(const struct control_input *in,
			const struct control_config *cfg,
			struct control_output *out)
{
	control_decide(in, cfg, out);
	out->next = in->now - 1;
}

static void decide_busy(const struct control_input *in,
			const struct control_config *cfg,
			struct control_output *out)
{
	control_decide(in, cfg, out);
	out->next = in->now;
}

/* The fakes that decide by themselves keep no runaway state: every output
 * is written, as control_decide writes every one. */
static void no_runaway_state(struct control_output *out)
{
	out->progress_temperature = NAN;
	out->progress_at = 0;
	out->runaway = false;
	out->runaway_temperature = NAN;
}

static void decide_never(const struct control_input *in,
			 const struct control_config *cfg,
			 struct control_output *out)
{
	(void)in;
	(void)cfg;
	no_runaway_state(out);
	out->heat = false;
	out->reason = REASON_HOLD_OFF;
	out->next = INFINITY;
}

static void decide_always(const struct control_input *in,
			  const struct control_config *cfg,
			  struct control_output *out)
{
	(void)in;
	(void)cfg;
	no_runaway_state(out);
	out->heat = true;
	out->reason = REASON_COLD;
	out->next = INFINITY;
}

static void decide_bad_reason(const struct control_input *in,
			      const struct control_config *cfg,
			      struct control_output *out)
{
	control_decide(in, cfg, out);
	if (out->heat)
		out->reason = REASON_WARM;
}

static void decide_no_runaway(const struct control_input *in,
			      const struct control_config *cfg,
			      struct control_output *out)
{
	struct control_config c = *cfg;

	c.runaway_time = 0;
	control_decide(in, &c, out);
}

static void decide_ignores_alarm(const struct control_input *in,
				 const struct control_config *cfg,
				 struct control_output *out)
{
	struct control_input i = *in;

	i.runaway = false;
	control_decide(&i, cfg, out);
}

static const struct {
	const char *name;
	sim_decide_fn *decide;
	int check;		/* the check to fire; -1: the verdict */
	bool realistic;		/* the slow house, else the demo house */
	double max_on;
	bool stuck;		/* a sensor stuck for hours, no dropouts */
} broken[] = {
	{ "no_min_off", decide_no_min_off, SIM_MIN_OFF, false, 0, false },
	{ "no_min_on", decide_no_min_on, SIM_MIN_ON, false, 0, false },
	{ "no_timeout", decide_no_timeout, SIM_STALE_HEAT, false, 0, false },
	{ "no_max_on", decide_no_max_on, SIM_MAX_ON, true, 2400, false },
	{ "ignores_mode", decide_ignores_mode, SIM_MODE_HEAT, false, 0, false },
	{ "wide_band", decide_wide_band, SIM_OVERSHOOT, true, 0, false },
	{ "wide_band_cold", decide_wide_band, SIM_UNDERSHOOT, true, 0, false },
	{ "sleepy", decide_sleepy, SIM_MISSED, false, 0, false },
	{ "sleepy_stale", decide_sleepy, SIM_STALE_HEAT, false, 0, false },
	{ "late", decide_late, SIM_MISSED, false, 0, false },
	{ "past", decide_past, SIM_NEXT, false, 0, false },
	{ "busy", decide_busy, SIM_BUSY, false, 0, false },
	{ "never", decide_never, -1, false, 0, false },
	{ "always", decide_always, SIM_OVERSHOOT, false, 0, false },
	{ "bad_reason", decide_bad_reason, SIM_REASON, false, 0, false },
	{ "no_runaway", decide_no_runaway, SIM_RUNAWAY, false, 0, true },
	{ "ignores_alarm", decide_ignores_alarm, SIM_ALARM, false, 0, true },
};

START_TEST(sim_catches_broken_control)
{
	/* Mode off for a while, and dropouts: something for every check. */
	const struct sim_event script[] = {
		{ 3000, SIM_SET_MODE, MODE_OFF },
		{ 3900, SIM_SET_MODE, MODE_HEAT },
	};
	/* For runaway protection: the sensor sticks at a cold reading just
	 * after the first run began, for three hours. */
	const struct sim_event stuck[] = {
		{ 130, SIM_STUCK, 3 * 3600 },
	};
	struct sim_params p;
	struct sim_report r;
	struct expect e = { .min_on = 3, .min_settled = 0.2 };
	char why[2400];
	int rc;

	sim_default_params(&p);
	p.dropout_every = 1200;
	p.dropout_max = 150;
	if (broken[_i].realistic) {
		/* Long cycles, undisturbed: the band checks run for hours. */
		sim_realistic_house(&p.house);
		p.house.outside_c = -5;
		p.dropout_every = 0;
	}
	p.seed = base_seed();
	p.duration = 12 * 3600;
	p.house.start_c = 15;
	p.control.max_on = broken[_i].max_on;
	p.script = script;
	p.script_len = sizeof(script) / sizeof(script[0]);
	if (broken[_i].stuck) {
		p.script = stuck;
		p.script_len = 1;
		p.dropout_every = 0;
	}
	p.decide = broken[_i].decide;
	rc = sim_run(&p, &r);
	ck_assert_int_ge(rc, 0);
	ck_assert_msg(!sim_verdict(&p, &r, rc, &e, why, sizeof(why)),
		      "%s passed (seed %llu)", broken[_i].name,
		      (unsigned long long)p.seed);
	if (broken[_i].check >= 0)
		ck_assert_msg(r.by_check[broken[_i].check] > 0,
			      "%s: no %s violation (seed %llu): %s",
			      broken[_i].name,
			      sim_check_name((enum sim_check)broken[_i].check),
			      (unsigned long long)p.seed, why);
	/* The same run with the real control passes. */
	p.decide = NULL;
	run_sim(&p, &e, &r);
}
END_TEST

START_TEST(sim_rejects_bad_params)
{
	const struct sim_event backwards[] = {
		{ 10, SIM_SET_MODE, MODE_OFF },
		{ 5, SIM_SET_MODE, MODE_HEAT },
	};
	struct sim_params p;
	struct sim_report r;

	sim_default_params(&p);
	p.start = 0;
	ck_assert_int_eq(sim_run(&p, &r), -1);
	sim_default_params(&p);
	p.sensor_interval = 0;
	ck_assert_int_eq(sim_run(&p, &r), -1);
	sim_default_params(&p);
	p.script = backwards;
	p.script_len = 2;
	ck_assert_int_eq(sim_run(&p, &r), -1);
}
END_TEST

/* ---- Properties: many random houses, configurations and days ---- */

#define PROPERTY_RUNS 20
#define PROPERTY_DAYS 10	/* per run: 200 simulated days in all */

static double rnd(struct gen *g, double lo, double hi)
{
	return lo + (hi - lo) * gen_unit(g);
}

/* A random house that can hold any setpoint from 5 to 30 C, a random
 * sane configuration, and a day of random setpoints, mode toggles and
 * dropouts (some longer than sensor_timeout). */
static void random_day(unsigned long long seed, struct sim_params *p)
{
	struct gen g = { seed };
	double k;

	sim_default_params(p);
	p->seed = seed;
	k = exp(rnd(&g, log(1e-5), log(5e-4)));
	p->house.loss_per_s = k;
	p->house.outside_c = rnd(&g, -10, 3);
	/* Able to hold 31 C at least, 45 to 70 C above the outside. */
	p->house.gain_c_per_s = k * rnd(&g, 45, 70);
	p->house.noise_c = rnd(&g, 0, 0.1);
	p->house.start_c = rnd(&g, 10, 25);
	p->control.cold_tolerance = rnd(&g, 0.1, 1);
	p->control.hot_tolerance = rnd(&g, 0.1, 1);
	p->control.min_on = rnd(&g, 30, 300);
	p->control.min_off = rnd(&g, 30, 300);
	p->control.max_on = gen_next(&g) % 2 ? 0 : rnd(&g, 600, 7200);
	p->sensor_interval = rnd(&g, 1, 15);
	p->control.sensor_timeout = rnd(&g, 2 * p->sensor_interval, 180);
	p->first_read = rnd(&g, 0, p->sensor_interval);
	p->start = rnd(&g, 1, 1e7);
	p->setpoint = round(rnd(&g, 5, 30) * 10) / 10;
	p->setpoint_every = rnd(&g, 1800, 6 * 3600);
	p->setpoint_lo = 5;
	p->setpoint_hi = 30;
	p->mode_off_every = rnd(&g, 4 * 3600, 24 * 3600);
	p->mode_off_max = rnd(&g, 60, 3600);
	p->dropout_every = rnd(&g, 600, 4 * 3600);
	p->dropout_max = 3 * p->control.sensor_timeout;
}

START_TEST(property_random_days)
{
	unsigned long long first = base_seed() +
				   (unsigned long long)(_i * PROPERTY_DAYS);
	struct expect e = { .min_on = 0, .min_settled = 0 };
	double settled = 0, total = 0;
	unsigned long stale_offs = 0, on = 0;

	for (int d = 0; d < PROPERTY_DAYS; d++) {
		unsigned long long seed = first + (unsigned long long)d;
		struct sim_params p;
		struct sim_report r;

		random_day(seed, &p);
		run_sim(&p, &e, &r);
		settled += r.settled_s;
		total += p.duration;
		stale_offs += r.offs[REASON_SENSOR_STALE];
		on += r.switches_on;
	}
	/* Not vacuous: the band was checked, the sensor did die while
	 * heating, and it cycled. */
	ck_assert_msg(settled > 0.2 * total,
		      "settled %.0f of %.0f s (seeds from %llu)", settled,
		      total, first);
	ck_assert_msg(stale_offs > 0, "no stale reading while heating "
		      "(seeds from %llu)", first);
	ck_assert_msg(on > 20 * PROPERTY_DAYS, "%lu runs (seeds from %llu)",
		      on, first);
}
END_TEST

static Suite *suite_control(void)
{
	Suite *s = suite_create("control");
	TCase *tc = tcase_create("rules");

	tcase_add_test(tc, cold_boundary);
	tcase_add_test(tc, hot_boundary);
	tcase_add_test(tc, band_holds);
	tcase_add_test(tc, min_on_holds_until_its_end);
	tcase_add_test(tc, min_off_holds_until_its_end);
	tcase_add_test(tc, min_off_counts_from_start);
	tcase_add_test(tc, never_switched_counts_from_start);
	tcase_add_test(tc, mode_off_at_once);
	tcase_add_test(tc, stale_boundary);
	tcase_add_test(tc, invalid_readings_are_stale);
	tcase_add_test(tc, invalid_setpoint_is_off);
	tcase_add_test(tc, max_on_boundary);
	tcase_add_test(tc, max_on_overrides_min_on);
	tcase_add_test(tc, precedence);
	tcase_add_test(tc, zero_band_prefers_off);
	tcase_add_test(tc, nan_config_is_safe);
	tcase_add_test(tc, reason_names);
	suite_add_tcase(s, tc);

	tc = tcase_create("runaway");
	tcase_add_test(tc, runaway_trips_at_its_time);
	tcase_add_test(tc, runaway_rise_moves_the_baseline);
	tcase_add_test(tc, runaway_alarm_holds_until_moved_or_cleared);
	tcase_add_test(tc, runaway_time_zero_disables);
	tcase_add_test(tc, runaway_with_the_other_limits);
	suite_add_tcase(s, tc);

	tc = tcase_create("next");
	tcase_add_test(tc, next_after_switching);
	tcase_add_test(tc, next_while_holding);
	tcase_add_test(tc, max_on_with_zero_min_off);
	tcase_add_test(tc, next_converges);
	tcase_add_loop_test(tc, random_decisions_keep_the_rules, 0, 5);
	suite_add_tcase(s, tc);
	return s;
}

/* Two weeks around each clock change, in two zones. */
static const struct {
	const char *tz;
	int y, m, d;
} change_weeks[] = {
	{ "Europe/Berlin", 2026, 3, 22 },	/* spring forward on the 29th */
	{ "Europe/Berlin", 2026, 10, 18 },	/* fall back on the 25th */
	{ "America/New_York", 2026, 3, 1 },	/* spring forward on the 8th */
	{ "America/New_York", 2026, 10, 25 },	/* fall back Nov 1st */
};

/*
 * The weekly program through the control loop for two weeks around a
 * clock change (tests/thermostat/simprogram.h): every switch point fires
 * exactly once (the 02:30 one at the jump on the spring-forward night,
 * at its first occurrence on the fall-back one), a held preset and a
 * five-day vacation hold the ones they cover over, the setpoint is the
 * model's at every wake, and every control invariant holds, with sensor
 * dropouts and the heat switched off now and then.
 */
START_TEST(sim_two_weeks_of_program)
{
	struct simprog_result res;
	char summary[2048];

	ck_assert_int_eq(simprog_run(change_weeks[_i].tz, change_weeks[_i].y,
				     change_weeks[_i].m, change_weeks[_i].d, 14,
				     base_seed() + (uint64_t)_i, true, NULL,
				     &res),
			 0);
	sim_describe(&res.report, summary, sizeof(summary));
	ck_assert_msg(res.report.violations == 0, "%s: %s",
		      change_weeks[_i].tz, summary);
	ck_assert_msg(res.missing == 0 && res.twice == 0 && res.extra == 0,
		      "%s: %lu points, %lu fired, %lu missing (first %lld), "
		      "%lu twice, %lu extra (first %lld)", change_weeks[_i].tz,
		      res.points, res.fired, res.missing,
		      (long long)res.first_missing, res.twice, res.extra,
		      (long long)res.first_extra);
	/* Two weeks: 10 weekdays of 5 points and 4 weekend days of 3, but
	 * those of the vacation (days 1 to 6). */
	ck_assert_uint_gt(res.fired, 30);
	ck_assert_uint_eq(res.vacations, 1);
	ck_assert_uint_eq(res.vacation_ends, 1);
	ck_assert_uint_eq(res.other_wakes, 0);
	ck_assert_uint_gt(res.report.switches_on, 14);
}
END_TEST

static Suite *suite_simulation(void)
{
	Suite *s = suite_create("simulation");
	TCase *tc = tcase_create("days");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, sim_demo_day);
	tcase_add_test(tc, sim_realistic_day);
	tcase_add_test(tc, sim_week);
	tcase_add_test(tc, sim_dropout_turns_off);
	tcase_add_test(tc, sim_mode_off_at_once);
	tcase_add_test(tc, sim_max_on_cuts);
	tcase_add_test(tc, sim_stuck_sensor_trips);
	tcase_add_test(tc, sim_slow_warm_up_does_not_trip);
	tcase_add_test(tc, sim_user_clears_alarm);
	tcase_add_test(tc, sim_rejects_bad_params);
	tcase_add_loop_test(tc, sim_catches_broken_control, 0,
			    sizeof(broken) / sizeof(broken[0]));
	suite_add_tcase(s, tc);

	tc = tcase_create("properties");
	tcase_set_timeout(tc, 30);
	tcase_add_loop_test(tc, property_random_days, 0, PROPERTY_RUNS);
	suite_add_tcase(s, tc);

	tc = tcase_create("program");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, sim_two_weeks_of_program, 0,
			    sizeof(change_weeks) / sizeof(change_weeks[0]));
	suite_add_tcase(s, tc);
	return s;
}

/* Run by runner.c's main(). */
const suite_fn test_suites[] = { suite_control, suite_simulation, NULL };
