/* SPDX-License-Identifier: MIT */
#include <config.h>

#include <math.h>
#include <string.h>

#include "core/program.h"

bool program_has_points(const struct schedule *s)
{
	for (int d = 0; d < 7; d++)
		if (s->day[d].n)
			return true;
	return false;
}

time_t program_hold_end(const struct schedule *s, const struct sched_hold *h)
{
	const struct sched_point *pp, *np;
	time_t p, n;

	switch (h->kind) {
	case HOLD_UNTIL:
		return h->until;
	case HOLD_NEXT:
		/* The first switch point after it was set. */
		sched_around(s, h->since, &p, &pp, &n, &np);
		return np ? n : 0;
	case HOLD_NONE:
	case HOLD_FOREVER:
		break;
	}
	return 0;
}

/*
 * On the schedule, a point that gives what holds already changes nothing
 * ("Comfort until 06:30, then Comfort"): @t's next change is the first
 * later point that gives another preset or temperature (a week's points
 * at most; all alike: the last of them).
 */
static void skip_same(const struct thermo *r, struct sched_target *t)
{
	for (int i = 0; i < 7 * SCHED_MAX_POINTS; i++) {
		const struct sched_point *pp, *np;
		time_t p, n;

		if (t->source != TARGET_SCHEDULE || t->next_switch == 0 ||
		    t->next_preset != t->preset ||
		    (t->preset < 0 && t->next_temp != t->temp))
			return;
		sched_around(&r->schedule, t->next_switch, &p, &pp, &n, &np);
		if (!np)
			break;
		t->until = t->next_switch = n;
		t->next_preset = np->preset;
		t->next_temp = np->preset >= 0 &&
					       (size_t)np->preset < r->presets.n
				       ? r->presets.p[np->preset].temp
				       : np->temp;
	}
	/* A week of points that all give what holds: no change by itself. */
	t->until = t->next_switch = 0;
	t->next_preset = -1;
	t->next_temp = 0;
}

bool program_refresh(struct thermo *r, time_t now)
{
	struct sched_target t;
	bool changed = false;
	time_t end;

	if (r->boost.until != 0 && now >= r->boost.until) {
		memset(&r->boost, 0, sizeof(r->boost));
		changed = true;
	}
	end = program_hold_end(&r->schedule, &r->hold);
	if (end != 0 && now >= end) {
		/* No hold is all zero (HOLD_NONE). */
		memset(&r->hold, 0, sizeof(r->hold));
		changed = true;
	}
	/* sched_target() clears all of t, padding included: the record's
	 * writers find what changed by comparing bytes. */
	sched_target(&r->schedule, &r->presets, &r->hold, &r->boost,
		     r->manual, now, &t);
	skip_same(r, &t);
	memcpy(&r->target, &t, sizeof(t));
	r->setpoint = t.temp;
	return changed;
}

/* Rounded to a millionth: 21.3 / 0.1 * 0.1 is 21.300000000000001. */
static double tidy(double v)
{
	return round(v * 1e6) / 1e6;
}

double setpoint_round(double x, double step, double min, double max)
{
	double v;

	if (!(step > 0) || !isfinite(x))
		return x;
	v = tidy(round(x / step) * step);
	if (v < min)
		v = tidy(v + step);
	if (v > max)
		v = tidy(v - step);
	/* A range narrower than a step: its ends. */
	return fmin(fmax(v, min), max);
}

void program_round(struct thermo *r, double step, double min, double max)
{
	r->manual = setpoint_round(r->manual, step, min, max);
	for (size_t i = 0; i < r->presets.n; i++)
		r->presets.p[i].temp = setpoint_round(r->presets.p[i].temp,
						      step, min, max);
	for (int d = 0; d < 7; d++)
		for (size_t i = 0; i < r->schedule.day[d].n; i++) {
			struct sched_point *p = &r->schedule.day[d].pt[i];

			if (p->preset < 0)
				p->temp = setpoint_round(p->temp, step, min,
							 max);
		}
	if (r->hold.kind != HOLD_NONE && r->hold.preset < 0)
		r->hold.temp = setpoint_round(r->hold.temp, step, min, max);
	if (r->boost.until)
		r->boost.temp = setpoint_round(r->boost.temp, step, min, max);
}

const char *program_source_name(const struct sched_target *t,
				const struct schedule *s)
{
	switch (t->source) {
	case TARGET_HOLD:
		return "hold";
	case TARGET_BOOST:
		return "boost";
	case TARGET_SCHEDULE:
		break;
	}
	return program_has_points(s) ? "schedule" : "manual";
}
