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
 */
#include <config.h>
#include <math.h>
#include <stddef.h>

#include "core/control.h"
#include "util/timeutil.h"

/* The relay as the rules see it: on or off, and since when. */
struct relay_view {
	bool heating;
	double since;
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
	/* 3. A run that has lasted max_on ends, whatever min_on says. */
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
		/* 4. "at < end" so that a NaN min_on lets the heat go off. */
		if (at < r->since + cfg->min_on)
			return REASON_MIN_ON;
		return REASON_WARM;
	}
	if (warm)
		return REASON_WARM;
	if (!cold)
		return REASON_HOLD_OFF;
	/* 5. "!(at >= end)" so that a NaN min_off keeps the heat off. */
	if (!(at >= r->since + cfg->min_off))
		return REASON_MIN_OFF;
	/* A run that max_on would end at the instant it began (max_on below
	 * the clock's resolution) is no run: switching on and off at one
	 * instant, again and again, would be a busy loop. */
	if (max_on_limits(cfg) && !(at + cfg->max_on > at))
		return REASON_MAX_ON;
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
	double deadline[3], cand[3];
	size_t nd = 0, n = 0;

	deadline[nd++] = stale_deadline(in, cfg);
	if (r->heating) {
		deadline[nd++] = r->since + cfg->min_on;
		if (max_on_limits(cfg))
			deadline[nd++] = r->since + cfg->max_on;
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

	r.heating = in->heating;
	r.since = in->relay_changed_at > 0 ? in->relay_changed_at : in->start;
	out->reason = rules(in, cfg, &r, in->now);
	out->heat = reason_heats(out->reason);

	/* From here on, the relay as the caller will have driven it. */
	if (out->heat != r.heating) {
		r.heating = out->heat;
		r.since = in->now;
	}
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
