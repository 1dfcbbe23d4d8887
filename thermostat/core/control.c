/* SPDX-License-Identifier: MIT */
/*
 * The control decision (rules in control.h).  Conventions, all tested in
 * tests/thermostat/check_control.c:
 *
 * - Every time rule is a deadline, an absolute time computed by exactly
 *   one expression below and met when "now >= deadline".  A hold of 120 s
 *   that began at t ends at t + 120: a decision at that instant may switch.
 *   The reading goes stale at temperature_at + sensor_timeout, the same
 *   way: at that instant it is stale.  Because a rule and the `next` it
 *   reports use the same double, a decision made at `next` sees the rule
 *   met; comparing differences (now - since >= min_on) instead could miss
 *   it by a rounding error and wake the caller forever at the same time.
 * - The relay entered its state at relay_changed_at, or at start when it
 *   never switched (the daemon drives it off at start), so the first run
 *   also rests min_off from start.
 * - A reading is valid when it is finite and temperature_at > 0 (0 means
 *   never).  A reading from the future (another thread stored it after the
 *   caller took `now`) is fresh.
 * - NaN anywhere fails toward heat off: comparisons are written so that a
 *   NaN makes them come out on the safe side (stale; warm, never cold;
 *   min_on over, min_off not).  A NaN or infinite setpoint, or a mode that
 *   is not heat, turns the heat off at once, as mode off does
 *   (REASON_MODE_OFF).  A NaN or non-positive max_on means no limit, as 0
 *   does.
 * - When both "cold" and "warm" hold (a zero or inverted band, temperature
 *   exactly at the setpoint), warm wins: off is the safe side, and it
 *   cannot flip back on at the same instant.
 * - `next` is computed for the relay as decided (the caller applies the
 *   decision at `now`): the first deadline after `now` at which the
 *   decision, with nothing in the record changed, would differ in heat or
 *   reason.  Between deadlines nothing can change, so checking them in
 *   order gives the exact time.
 * - Runaway protection has state (the run's progress baseline, the
 *   alarm), which the caller keeps in the record.  The decision reads it
 *   from the input, brings it up to date with the reading at hand (a rise
 *   moves the baseline, a move clears the alarm), decides, and hands the
 *   state for the relay as decided back in the output.  Bringing it up to
 *   date twice changes nothing (the reading that moved the baseline is
 *   its new value; the alarm's reading is the one it tripped on), so a
 *   decision is still a function of the record and the time.
 */
#include <config.h>
#include <math.h>
#include <stddef.h>

#include "core/control.h"
#include "util/timeutil.h"

/* The relay as the rules see it: on or off, and since when; and runaway
 * protection's state, brought up to date with the reading. */
struct relay_view {
	bool heating;
	double since;
	double base_temperature;	/* heating: the progress baseline... */
	double base_at;			/* ...and since when */
	bool alarm;			/* the runaway alarm is raised */
	double alarm_temperature;	/* the reading it tripped on */
};

static double stale_deadline(const struct control_input *in,
			     const struct control_config *cfg)
{
	return in->temperature_at + cfg->sensor_timeout;
}

/* Until then a missing first reading is "starting". */
static double settle_deadline(const struct control_input *in,
			      const struct control_config *cfg)
{
	return in->start + cfg->sensor_timeout;
}

/* Written as "at < deadline" so that a NaN anywhere reads as stale. */
static bool fresh_at(const struct control_input *in,
		     const struct control_config *cfg, double at)
{
	return in->temperature_at > 0 && isfinite(in->temperature) &&
	       at < stale_deadline(in, cfg);
}

bool control_reading_fresh(const struct control_input *in,
			   const struct control_config *cfg)
{
	return fresh_at(in, cfg, in->now);
}

bool control_sensor_settled(const struct control_input *in,
			    const struct control_config *cfg)
{
	return fresh_at(in, cfg, in->now) ||
	       in->now >= settle_deadline(in, cfg);
}

bool control_sensor_stale(const struct control_input *in,
			  const struct control_config *cfg)
{
	return !fresh_at(in, cfg, in->now) &&
	       (in->temperature_at > 0 || in->now >= settle_deadline(in, cfg));
}

void control_input_of(struct control_input *in, const struct thermo *r,
		      double now, double start)
{
	in->now = now;
	in->start = start;
	in->temperature = r->temperature;
	in->temperature_at = ts_to_s(r->temperature_at);
	in->setpoint = r->setpoint;
	in->mode = r->mode;
	in->heating = r->heating;
	in->relay_changed_at = ts_to_s(r->relay_changed_at);
	in->progress_temperature = r->progress_temperature;
	in->progress_at = ts_to_s(r->progress_at);
	in->runaway = r->runaway;
	in->runaway_temperature = r->runaway_temperature;
}

bool control_record_fresh(const struct thermo *r,
			  const struct control_config *cfg, double now)
{
	struct control_input in;

	control_input_of(&in, r, now, 0);
	return control_reading_fresh(&in, cfg);
}

/* max_on limits runs only when positive: NaN compares false, as 0. */
static bool max_on_limits(const struct control_config *cfg)
{
	return cfg->max_on > 0;
}

/* Runaway protection is on only when runaway_time is positive (NaN: off,
 * as for max_on). */
static bool runaway_protects(const struct control_config *cfg)
{
	return cfg->runaway_time > 0;
}

/* A run without progress since its baseline trips then. */
static double runaway_deadline(const struct control_config *cfg,
			       const struct relay_view *r)
{
	return r->base_at + cfg->runaway_time;
}

/* The fresh reading is runaway_rise above @base: progress.  Written so
 * that a NaN anywhere, or a rise that is not positive, is no progress
 * (toward the trip: heat off). */
static bool risen_above(const struct control_input *in,
			const struct control_config *cfg, double base)
{
	return cfg->runaway_rise > 0 && fresh_at(in, cfg, in->now) &&
	       in->temperature >= base + cfg->runaway_rise;
}

/* The fresh reading is runaway_rise away from @tripped, either way: the
 * alarm clears.  A NaN, or a rise that is not positive, keeps it. */
static bool moved_from(const struct control_input *in,
		       const struct control_config *cfg, double tripped)
{
	return cfg->runaway_rise > 0 && fresh_at(in, cfg, in->now) &&
	       fabs(in->temperature - tripped) >= cfg->runaway_rise;
}

/* The record's relay and runaway state, brought up to date at now. */
static void view_of(const struct control_input *in,
		    const struct control_config *cfg, struct relay_view *r)
{
	r->heating = in->heating;
	r->since = in->relay_changed_at > 0 ? in->relay_changed_at : in->start;
	/* A run without a baseline (none in the daemon, whose decision
	 * that switches on sets one) counts from its start. */
	r->base_temperature = in->progress_at > 0 ? in->progress_temperature
						  : in->temperature;
	r->base_at = in->progress_at > 0 ? in->progress_at : r->since;
	if (risen_above(in, cfg, r->base_temperature)) {
		r->base_temperature = in->temperature;
		r->base_at = fmax(r->base_at, in->temperature_at);
	}
	r->alarm = in->runaway &&
		   !moved_from(in, cfg, in->runaway_temperature);
	r->alarm_temperature = r->alarm ? in->runaway_temperature : NAN;
}

/* The reasons that keep the furnace on; every other one means off. */
static bool reason_heats(enum thermo_reason why)
{
	return why == REASON_COLD || why == REASON_MIN_ON ||
	       why == REASON_HOLD_ON;
}

/* The rules of control.h, in their order of precedence, at time @at for
 * the relay @r.  The reason says whether to heat (reason_heats). */
static enum thermo_reason rules(const struct control_input *in,
				const struct control_config *cfg,
				const struct relay_view *r, double at)
{
	bool cold, warm;

	/* 1. Nothing to hold: off at once, whatever min_on says. */
	if (in->mode != MODE_HEAT || !isfinite(in->setpoint))
		return REASON_MODE_OFF;
	/* 2. Never heat blind: off at once. */
	if (!fresh_at(in, cfg, at))
		return REASON_SENSOR_STALE;
	/* 3. Heating that does not heat: off at once, and off while the
	 * alarm is raised. */
	if (r->alarm || (r->heating && runaway_protects(cfg) &&
			 at >= runaway_deadline(cfg, r)))
		return REASON_RUNAWAY;
	/* 4. A run that has lasted max_on ends, whatever min_on says. */
	if (r->heating && max_on_limits(cfg) && at >= r->since + cfg->max_on)
		return REASON_MAX_ON;

	/* "!(t < top)": a NaN tolerance reads as warm, never as cold. */
	warm = !(in->temperature < in->setpoint + cfg->hot_tolerance);
	cold = !warm &&
	       in->temperature <= in->setpoint - cfg->cold_tolerance;
	if (r->heating) {
		if (cold)
			return REASON_COLD;
		if (!warm)
			return REASON_HOLD_ON;
		/* 5. "at < end" so that a NaN min_on lets the heat go off. */
		if (at < r->since + cfg->min_on)
			return REASON_MIN_ON;
		return REASON_WARM;
	}
	if (warm)
		return REASON_WARM;
	if (!cold)
		return REASON_HOLD_OFF;
	/* 6. "!(at >= end)" so that a NaN min_off keeps the heat off. */
	if (!(at >= r->since + cfg->min_off))
		return REASON_MIN_OFF;
	/* A run that max_on would end at the instant it began (max_on below
	 * the clock's resolution) is no run: switching on and off at one
	 * instant, again and again, would be a busy loop.  A run that would
	 * trip at its start likewise (without an alarm: it never ran). */
	if (max_on_limits(cfg) && !(at + cfg->max_on > at))
		return REASON_MAX_ON;
	if (runaway_protects(cfg) && !(at + cfg->runaway_time > at))
		return REASON_RUNAWAY;
	return REASON_COLD;
}

/*
 * The first deadline after now at which the rules, for the relay @r and
 * the record as it is, give another reason than @why (a change of heat
 * is a change of reason).  The rules read the time only through these
 * deadlines, so the decision is constant between them.
 */
static double first_change(const struct control_input *in,
			   const struct control_config *cfg,
			   const struct relay_view *r, enum thermo_reason why)
{
	double deadline[4], cand[4];
	size_t nd = 0, n = 0;

	deadline[nd++] = stale_deadline(in, cfg);
	if (r->heating) {
		deadline[nd++] = r->since + cfg->min_on;
		if (max_on_limits(cfg))
			deadline[nd++] = r->since + cfg->max_on;
		if (runaway_protects(cfg))
			deadline[nd++] = runaway_deadline(cfg, r);
	} else {
		deadline[nd++] = r->since + cfg->min_off;
	}
	/* Only the future counts (met deadlines are already in the
	 * decision; NaN is no time): keep those, in order. */
	for (size_t i = 0; i < nd; i++) {
		double t = deadline[i];
		size_t j;

		if (!(t > in->now) || !isfinite(t))
			continue;
		for (j = n++; j > 0 && cand[j - 1] > t; j--)
			cand[j] = cand[j - 1];
		cand[j] = t;
	}
	for (size_t i = 0; i < n; i++)
		if (rules(in, cfg, r, cand[i]) != why)
			return cand[i];
	return INFINITY;
}

void control_decide(const struct control_input *in,
		    const struct control_config *cfg,
		    struct control_output *out)
{
	struct relay_view r;
	enum thermo_reason why;

	view_of(in, cfg, &r);
	out->reason = rules(in, cfg, &r, in->now);
	out->heat = reason_heats(out->reason);
	/* A run that tripped raises the alarm, on the reading it had. */
	if (out->reason == REASON_RUNAWAY && r.heating && !r.alarm) {
		r.alarm = true;
		r.alarm_temperature = in->temperature;
	}

	/* From here on, the relay as the caller will have driven it; a run
	 * that begins now measures its progress from here. */
	if (out->heat != r.heating) {
		r.heating = out->heat;
		r.since = in->now;
		r.base_temperature = in->temperature;
		r.base_at = in->now;
	}
	out->progress_temperature = r.heating ? r.base_temperature : NAN;
	out->progress_at = r.heating ? r.base_at : 0;
	out->runaway = r.alarm;
	out->runaway_temperature = r.alarm_temperature;
	why = rules(in, cfg, &r, in->now);
	/*
	 * The one case where the new state decides otherwise at once: a run
	 * ended by max_on, with min_off zero, goes on again.  The decision
	 * at now switches it back and returns a later next.  (The reason
	 * alone may change: after max_on the relay rests, and says min_off
	 * from the next decision on.)
	 */
	if (reason_heats(why) != out->heat) {
		out->next = in->now;
		return;
	}
	out->next = first_change(in, cfg, &r, why);
}

const char *reason_name(enum thermo_reason reason)
{
	switch (reason) {
	case REASON_START:
		return "start";
	case REASON_MODE_OFF:
		return "mode_off";
	case REASON_SENSOR_STALE:
		return "sensor_stale";
	case REASON_RUNAWAY:
		return "runaway";
	case REASON_MAX_ON:
		return "max_on";
	case REASON_MIN_ON:
		return "min_on";
	case REASON_MIN_OFF:
		return "min_off";
	case REASON_COLD:
		return "cold";
	case REASON_WARM:
		return "warm";
	case REASON_HOLD_ON:
		return "hold_on";
	case REASON_HOLD_OFF:
		return "hold_off";
	case REASON_RELAY_ERROR:
		return "relay_error";
	case REASON_SHUTDOWN:
		return "shutdown";
	}
	return "unknown";
}

const char *reason_text(enum thermo_reason reason)
{
	switch (reason) {
	case REASON_START:
		return "Off since the start; nothing decided yet.";
	case REASON_MODE_OFF:
		return "The mode is off (or there is no valid setpoint).";
	case REASON_SENSOR_STALE:
		return "No valid temperature reading for sensor_timeout.";
	case REASON_RUNAWAY:
		return "Heated for runaway_time without the temperature rising "
		       "runaway_rise (furnace or sensor fault?): off until the "
		       "temperature moves or the alarm is cleared.";
	case REASON_MAX_ON:
		return "The furnace ran for max_on.";
	case REASON_MIN_ON:
		return "Warm enough, but held on until it has run min_on.";
	case REASON_MIN_OFF:
		return "Cold, but resting until it has been off min_off.";
	case REASON_COLD:
		return "At or below the setpoint minus cold_tolerance.";
	case REASON_WARM:
		return "At or above the setpoint plus hot_tolerance.";
	case REASON_HOLD_ON:
		return "Inside the band, heating until it is warm.";
	case REASON_HOLD_OFF:
		return "Inside the band, idle until it is cold.";
	case REASON_RELAY_ERROR:
		return "The relay could not be driven; retrying.";
	case REASON_SHUTDOWN:
		return "The thermostat is stopping.";
	}
	return "Unknown reason.";
}
