/* SPDX-License-Identifier: MIT */
/*
 * The simulation loop and its checks (simulate.h).
 *
 * One step: advance the house to the next event with the relay as it is
 * (checking what must hold over that interval), then apply the events due
 * (scripted changes, random changes, dropouts, a read), then let the
 * control thread decide if the record changed or its `next` has come.
 * Times are absolute CLOCK_MONOTONIC seconds as in the daemon; times the
 * record keeps as timespecs (temperature_at, relay_changed_at) go through
 * the same conversion as in the daemon, so their nanosecond truncation is
 * simulated too.
 *
 * The band checks.  The temperature must stay within the hysteresis band,
 * [setpoint - cold_tolerance, setpoint + hot_tolerance], give or take
 * bounds derived from the parameters.  They hold once the loop has
 * "settled": since the last disturbance (a setpoint or mode change, a
 * stale reading, a run cut by max_on) the relay has switched for the band
 * (cold or warm), and the temperature has been inside the band since.
 * From then on every run began with a cold reading, every rest with a warm
 * one.
 * With n the reading noise, g the furnace's gain (the most it can warm the
 * house per second: losses only subtract while the house is warmer than
 * outside), c the fastest cooling at the top of the range, and G the
 * longest a fresh reading can be old (sensor_interval, or sensor_timeout
 * when reads can fail):
 *
 * - Above the top, while running: during the min_on hold the house started
 *   at most n above the bottom, plus what it gained since the reading that
 *   switched it on (up to G old): at most g (G + min_on) - cold - hot + n
 *   past the top.  After the hold the run goes on only while the latest
 *   reading, at most G old, was below the top: at most n + g G past it.
 *   over = n + max(g (G + min_on) - cold - hot, g G).
 * - Below the bottom, while resting: a rest begins with a warm reading
 *   taken during the run (the house was rising), so during min_off the
 *   house is at most c min_off - hot - cold + n below the bottom; after
 *   it, at most n + c G.  under = n + max(c min_off - cold - hot, c G),
 *   c = loss_per_s (setpoint + hot + over - outside).
 *
 * The checks apply only where the house can hold the band at all: outside
 * colder than the bottom, and the furnace able to lift the house above the
 * top (outside + gain / loss > top).  The temperature is monotonic between
 * events (the model is solved exactly), so the ends of each step bound it.
 */
#include <config.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <string.h>

#include "core/command.h"
#include "core/program.h"
#include "core/runtime.h"
#include "simulate.h"
#include "util/timeutil.h"

/* The record keeps times to the nanosecond: allow a microsecond. */
#define EPS_S 1e-6
/* Rounding in the band's ends. */
#define EPS_C 1e-9
/* The most decisions at one instant: one that switches off for max_on
 * with min_off zero, and the one that switches back on. */
#define MAX_AT_ONCE 2
/* More decisions than this between two reads is a busy loop. */
#define MAX_PER_READ 1000

struct sim {
	const struct sim_params *p;
	struct sim_report *r;
	sim_decide_fn *decide;
	struct house house;
	uint64_t rng;
	double t, end;
	/* The record, as the daemon keeps it. */
	double temperature, temperature_at;
	enum sensor_status status;
	double setpoint;
	enum thermo_mode mode;
	bool heating;
	double relay_changed_at;
	double progress_temperature, progress_at;
	bool runaway;
	double runaway_temperature;
	/* The control thread: woken by a change, or asleep until next,
	 * standing by the decision it made (for the relay as driven). */
	bool wake;
	double next;
	struct control_output stands;
	unsigned long since_read;
	/* The truth, for the checks: when the relay last switched (start:
	 * driven off); the run's progress baseline from the readings; the
	 * runaway alarm, as the readings and the clears say it must hold. */
	double switched_at;
	double base_temperature, base_at;
	bool alarm;
	double alarm_temperature;
	/* Events. */
	unsigned long read_no;
	double next_read;
	size_t script_i;
	double next_setpoint, next_mode, next_dropout, fail_until;
	double stuck_until;
	/* The band checks (see the top of this file). */
	bool band_switch, band_entered;
	/* The weekly program, when there is one: its record, and when its
	 * setpoint next changes (sim time; INFINITY: not by itself). */
	thermo_handle prog;
	bool has_prog;
	double prog_next;
};

static time_t wall_of(const struct sim *s, double t);

static const char *const check_names[SIM_CHECKS] = {
	[SIM_MIN_ON] = "min_on",
	[SIM_MIN_OFF] = "min_off",
	[SIM_STALE_HEAT] = "stale_heat",
	[SIM_MODE_HEAT] = "mode_heat",
	[SIM_MAX_ON] = "max_on",
	[SIM_OVERSHOOT] = "overshoot",
	[SIM_UNDERSHOOT] = "undershoot",
	[SIM_NEXT] = "next",
	[SIM_BUSY] = "busy",
	[SIM_MISSED] = "missed",
	[SIM_REASON] = "reason",
	[SIM_RUNAWAY] = "runaway",
	[SIM_ALARM] = "alarm",
	[SIM_PROGRAM] = "program",
};

const char *sim_check_name(enum sim_check check)
{
	return (unsigned)check < SIM_CHECKS ? check_names[check] : "?";
}

void sim_realistic_house(struct house_params *h)
{
	h->outside_c = 0.0;
	h->start_c = 16.0;
	h->gain_c_per_s = 0.0008;	/* 2.9 C an hour, before losses */
	h->loss_per_s = 0.00002;	/* 1.4 C an hour at 20 C inside */
	h->noise_c = 0.05;		/* a DS18B20 reads in 1/16 C */
}

void sim_default_params(struct sim_params *p)
{
	struct thermo_settings def;

	memset(p, 0, sizeof(*p));
	/* The demo house of the daemon's defaults (sim_* keys). */
	config_defaults(&def);
	p->house = def.sensor.sim;
	/* The daemon's defaults (thermostat.conf(5)). */
	p->control = def.control;
	p->sensor_interval = def.sensor.interval;
	p->first_read = 0.75;	/* a DS18B20 converts for 750 ms */
	/* An uptime with a fraction, so that times are not round numbers. */
	p->start = 12345.678;
	p->duration = 86400;
	p->setpoint = 20;
	p->mode = MODE_HEAT;
	p->seed = 1;
}

/* The longest a reading can be old while still fresh. */
static double reading_gap(const struct sim_params *p)
{
	bool dropouts = p->dropout_every > 0 && p->dropout_max > 0;

	for (size_t i = 0; i < p->script_len && !dropouts; i++)
		dropouts = p->script[i].action == SIM_DROPOUT;
	if (dropouts)
		return p->control.sensor_timeout;
	return fmin(p->sensor_interval, p->control.sensor_timeout);
}

double sim_over_bound(const struct sim_params *p)
{
	const struct control_config *c = &p->control;
	double g = p->house.gain_c_per_s, gap = reading_gap(p);

	return p->house.noise_c +
	       fmax(g * (gap + c->min_on) - c->cold_tolerance -
			    c->hot_tolerance,
		    g * gap) +
	       EPS_C;
}

double sim_under_bound(const struct sim_params *p, double setpoint)
{
	const struct control_config *c = &p->control;
	double top = setpoint + c->hot_tolerance + sim_over_bound(p);
	double cool = p->house.loss_per_s * fmax(0, top - p->house.outside_c);
	double gap = reading_gap(p);

	return p->house.noise_c +
	       fmax(cool * c->min_off - c->cold_tolerance - c->hot_tolerance,
		    cool * gap) +
	       EPS_C;
}

/* Can the house hold the band at @setpoint at all? */
static bool feasible(const struct sim_params *p, double setpoint)
{
	const struct house_params *h = &p->house;
	double top = setpoint + p->control.hot_tolerance;
	double bottom = setpoint - p->control.cold_tolerance;

	if (!(h->outside_c < bottom) || !(h->gain_c_per_s > 0))
		return false;
	return h->loss_per_s == 0 ||
	       h->outside_c + h->gain_c_per_s / h->loss_per_s > top;
}

/* A time as the record stores it: a timespec. */
static double stored(double t)
{
	return ts_to_s(s_to_ts(t));
}

/* splitmix64: a good generator in three lines, seeded by any value. */
static uint64_t next_random(uint64_t *x)
{
	uint64_t z = (*x += 0x9E3779B97F4A7C15ULL);

	z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
	z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, 1). */
static double uniform(struct sim *s)
{
	return (double)(next_random(&s->rng) >> 11) / 9007199254740992.0;
}

/* Exponentially distributed with mean @mean; INFINITY for no events. */
static double exponential(struct sim *s, double mean)
{
	return mean > 0 ? -mean * log1p(-uniform(s)) : INFINITY;
}

static void violation(struct sim *s, double at, enum sim_check check,
		      const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void violation(struct sim *s, double at, enum sim_check check,
		      const char *fmt, ...)
{
	struct sim_report *r = s->r;
	struct sim_violation *v;
	va_list ap;

	r->violations++;
	r->by_check[check]++;
	if (r->recorded >= SIM_RECORDED)
		return;
	v = &r->first[r->recorded++];
	v->at = at - s->p->start;
	v->check = check;
	va_start(ap, fmt);
	vsnprintf(v->detail, sizeof(v->detail), fmt, ap);
	va_end(ap);
}

/* The reasons that mean heating; the harness knows them on its own. */
static bool reason_is_on(enum thermo_reason why)
{
	return why == REASON_COLD || why == REASON_MIN_ON ||
	       why == REASON_HOLD_ON;
}

static bool reason_is_safety(enum thermo_reason why)
{
	return why == REASON_MODE_OFF || why == REASON_SENSOR_STALE ||
	       why == REASON_MAX_ON || why == REASON_RUNAWAY;
}

static bool runaway_protects(const struct sim_params *p)
{
	return p->control.runaway_time > 0;
}

/* Where a valid reading goes stale; -INFINITY when there is none. */
static double stale_at(const struct sim *s)
{
	if (!(s->temperature_at > 0) || !isfinite(s->temperature))
		return -INFINITY;
	return s->temperature_at + s->p->control.sensor_timeout;
}

static void unsettle(struct sim *s)
{
	s->band_switch = false;
	s->band_entered = false;
}

static void input(const struct sim *s, struct control_input *in)
{
	in->now = s->t;
	in->start = s->p->start;
	in->temperature = s->temperature;
	in->temperature_at = s->temperature_at;
	in->setpoint = s->setpoint;
	in->mode = s->mode;
	in->heating = s->heating;
	in->relay_changed_at = s->relay_changed_at;
	in->progress_temperature = s->progress_temperature;
	in->progress_at = s->progress_at;
	in->runaway = s->runaway;
	in->runaway_temperature = s->runaway_temperature;
}

static const char *name(enum thermo_reason why)
{
	return (unsigned)why < REASON_COUNT ? reason_name(why) : "?";
}

/* The relay switches at s->t, as the control thread drives it. */
static void switch_relay(struct sim *s, const struct control_output *out)
{
	const struct control_config *c = &s->p->control;
	struct sim_report *r = s->r;
	double held = s->t - s->switched_at;

	if (out->heat) {
		r->switches_on++;
		if (s->has_prog)
			runtime_cycle(&r->runtime, wall_of(s, s->t));
		if (r->first_on < 0)
			r->first_on = s->t - s->p->start;
		r->shortest_off = fmin(r->shortest_off, held);
		if (held < c->min_off - EPS_S)
			violation(s, s->t, SIM_MIN_OFF,
				  "on after %.3f s off (min_off %g s)", held,
				  c->min_off);
		if (!(s->t < stale_at(s)))
			violation(s, s->t, SIM_STALE_HEAT,
				  "switched on with no fresh reading");
		if (s->mode != MODE_HEAT)
			violation(s, s->t, SIM_MODE_HEAT,
				  "switched on with the mode off");
		if (s->alarm)
			violation(s, s->t, SIM_ALARM,
				  "switched on at %.3f C, the runaway alarm "
				  "raised at %.3f C", s->temperature,
				  s->alarm_temperature);
		s->base_temperature = s->temperature;
		s->base_at = s->t;
		if (out->reason == REASON_COLD)
			s->band_switch = true;
	} else {
		r->switches_off++;
		if ((unsigned)out->reason < REASON_COUNT)
			r->offs[out->reason]++;
		if (!reason_is_safety(out->reason)) {
			r->shortest_on = fmin(r->shortest_on, held);
			if (held < c->min_on - EPS_S)
				violation(s, s->t, SIM_MIN_ON,
					  "off (%s) after %.3f s on (min_on %g s)",
					  name(out->reason), held, c->min_on);
		}
		if (out->reason == REASON_WARM)
			s->band_switch = true;
		else
			unsettle(s);
		if (out->reason == REASON_RUNAWAY && !s->alarm) {
			r->shortest_runaway =
				fmin(r->shortest_runaway, s->t - s->base_at);
			s->alarm = true;
			s->alarm_temperature = s->temperature;
		}
	}
	s->heating = out->heat;
	s->switched_at = s->t;
	s->relay_changed_at = stored(s->t);
}

/* One decision, applied as the daemon applies it. */
static void apply(struct sim *s, const struct control_output *out)
{
	struct sim_report *r = s->r;

	r->decisions++;
	if ((unsigned)out->reason >= REASON_COUNT ||
	    reason_is_on(out->reason) != out->heat)
		violation(s, s->t, SIM_REASON, "heat %s with reason %d (%s)",
			  out->heat ? "on" : "off", (int)out->reason,
			  name(out->reason));
	else
		r->reasons[out->reason]++;
	if (isnan(out->next) || out->next < s->t) {
		violation(s, s->t, SIM_NEXT, "next %.6f s is before now",
			  out->next - s->p->start);
		s->next = INFINITY;	/* asleep until a change */
	} else {
		s->next = out->next;
	}
	if (out->heat != s->heating)
		switch_relay(s, out);
	/* Runaway protection's state, stored as the control thread stores
	 * it: the baseline with the relay, the alarm's changes. */
	s->progress_temperature = out->progress_temperature;
	s->progress_at = out->progress_at > 0 ? stored(out->progress_at) : 0;
	if (out->runaway && !s->runaway) {
		r->runaway_trips++;
		s->runaway_temperature = out->runaway_temperature;
	} else if (!out->runaway && s->runaway) {
		r->runaway_clears++;
	}
	s->runaway = out->runaway;
	if (out->reason == REASON_SENSOR_STALE ||
	    out->reason == REASON_MODE_OFF || out->reason == REASON_RUNAWAY)
		unsettle(s);
	if (s->p->trace)
		fprintf(s->p->trace,
			"%11.3f T %7.3f read %7.3f @%11.3f sp %5.1f %s %-12s next %.3f\n",
			s->t - s->p->start, s->house.temp_c, s->temperature,
			s->temperature_at - s->p->start, s->setpoint,
			out->heat ? "ON " : "off", name(out->reason),
			s->next - s->p->start);
}

/*
 * Before the events at s->t: had the thread been woken now by nothing,
 * would it decide otherwise than it stands by?  Then its next was late,
 * and a thread asleep until then missed a change.
 */
static void check_asleep(struct sim *s)
{
	struct control_input in;
	struct control_output out;

	if (!(s->t < s->next))
		return;
	input(s, &in);
	s->decide(&in, &s->p->control, &out);
	if (out.heat != s->stands.heat || out.reason != s->stands.reason)
		violation(s, s->t, SIM_MISSED,
			  "decides %s (%s) before next at %.3f s, standing by %s (%s)",
			  out.heat ? "on" : "off", name(out.reason),
			  s->next - s->p->start, s->stands.heat ? "on" : "off",
			  name(s->stands.reason));
}

static void control(struct sim *s)
{
	struct control_input in;
	struct control_output out;
	int at_once = 0;

	if (!s->wake && s->t < s->next)
		return;
	s->wake = false;
	do {
		if (++at_once > MAX_AT_ONCE || ++s->since_read > MAX_PER_READ) {
			violation(s, s->t, SIM_BUSY,
				  "%d decisions at one instant, %lu since the last read",
				  at_once, s->since_read);
			s->next = INFINITY;
			break;
		}
		input(s, &in);
		s->decide(&in, &s->p->control, &out);
		apply(s, &out);
	} while (s->next <= s->t);
	/* What it stands by until next: the decision for the relay as now
	 * driven (after max_on, say, the reason turns to min_off). */
	input(s, &in);
	s->decide(&in, &s->p->control, &s->stands);
}

static void set_setpoint(struct sim *s, double v)
{
	if (memcmp(&v, &s->setpoint, sizeof(v)) == 0)
		return;		/* the same bytes wake nobody */
	s->setpoint = v;
	s->wake = true;
	unsettle(s);
}

static void set_mode(struct sim *s, enum thermo_mode m)
{
	if (m == s->mode)
		return;
	s->mode = m;
	s->wake = true;
	unsettle(s);
}

static void read_sensor(struct sim *s)
{
	const struct sim_params *p = s->p;
	enum sensor_status status;

	s->read_no++;
	s->next_read = p->start + p->first_read +
		       (double)s->read_no * p->sensor_interval;
	s->since_read = 0;
	s->r->reads++;
	if (s->t < s->fail_until) {
		/* A failed read changes neither the value nor its time. */
		s->r->failed_reads++;
		status = s->t < stale_at(s) ? SENSOR_ERROR : SENSOR_STALE;
	} else {
		double v = house_read(&s->house), at = stored(s->t);

		/* A stuck sensor: the last value, as fresh as any (the band
		 * checks cannot hold on a reading that lies). */
		if (s->t < s->stuck_until && isfinite(s->temperature)) {
			v = s->temperature;
			unsettle(s);
		}
		if (memcmp(&v, &s->temperature, sizeof(v)) != 0 ||
		    at != s->temperature_at)
			s->wake = true;
		s->temperature = v;
		s->temperature_at = at;
		status = SENSOR_OK;
		/* What runaway protection must see: a rise moves the run's
		 * baseline, a move clears the alarm. */
		if (s->heating &&
		    v >= s->base_temperature + p->control.runaway_rise) {
			s->base_temperature = v;
			s->base_at = at;
		}
		if (s->alarm &&
		    fabs(v - s->alarm_temperature) >= p->control.runaway_rise)
			s->alarm = false;
	}
	if (status != s->status) {
		s->status = status;
		s->wake = true;
	}
}

/* ---- the weekly program ------------------------------------------------ */

/* The wall-clock second of sim time @t (which carries a rounding error:
 * the program's own instants are whole seconds after the start, give or
 * take EPS_S). */
static time_t wall_of(const struct sim *s, double t)
{
	return s->p->wall_start + (time_t)floor(t - s->p->start + EPS_S);
}

static double sim_time_of(const struct sim *s, time_t wall)
{
	return s->p->start + (double)(wall - s->p->wall_start);
}

static int refresh_program(struct thermo *r, void *ctx)
{
	if (program_refresh(r, *(const time_t *)ctx))
		r->persist_seq++;
	return 0;
}

/* The program's record changed (a wake, a command): the setpoint follows
 * it, the next wake is its target.until, and the model is checked. */
static void follow_program(struct sim *s, time_t wall)
{
	struct sched_target st;
	struct thermo r;

	thermo_read(s->prog, &r, NULL);
	sched_target(&r.schedule, &r.presets, &r.hold, &r.boost, r.manual,
		     wall, &st);
	if (st.temp != r.setpoint)
		violation(s, s->t, SIM_PROGRAM,
			  "setpoint %g, the model says %g at %lld", r.setpoint,
			  st.temp, (long long)wall);
	s->prog_next = r.target.until ? sim_time_of(s, r.target.until)
				      : INFINITY;
	/* Never again at this instant: that would be a busy loop. */
	if (r.target.until && r.target.until <= wall) {
		violation(s, s->t, SIM_PROGRAM, "next change %lld not after "
			  "%lld", (long long)r.target.until, (long long)wall);
		s->prog_next = INFINITY;
	}
	set_setpoint(s, r.setpoint);
}

/* The control thread's wake at the program's next change. */
static void wake_program(struct sim *s)
{
	time_t wall = wall_of(s, s->t);
	struct thermo r;

	thermo_read(s->prog, &r, NULL);
	if (r.target.until != wall)
		violation(s, s->t, SIM_PROGRAM, "woken at %lld, the next "
			  "change is %lld", (long long)wall,
			  (long long)r.target.until);
	thermo_update(s->prog, refresh_program, &wall);
	s->r->program_wakes++;
	follow_program(s, wall);
	if (s->p->on_wake) {
		thermo_read(s->prog, &r, NULL);
		s->p->on_wake(s->p->wake_ctx, wall, &r);
	}
}

/* A write of the program, as the web routes make it. */
static void program_command(struct sim *s, enum command_kind kind,
			    int preset, double seconds)
{
	time_t wall = wall_of(s, s->t);
	struct command cmd;
	struct thermo r;

	if (!s->has_prog)
		return;
	memset(&cmd, 0, sizeof(cmd));
	thermo_read(s->prog, &r, NULL);
	memcpy(&cmd.seen, &r.presets, sizeof(cmd.seen));
	cmd.kind = kind;
	cmd.now = wall;
	cmd.preset = preset;
	if (kind == COMMAND_HOLD) {
		cmd.hold.kind = HOLD_UNTIL;
		cmd.hold.preset = preset;
		cmd.hold.until = wall + (time_t)seconds;
	}
	if (command_apply(s->prog, &cmd, NULL) < 0)
		violation(s, s->t, SIM_PROGRAM, "a command was refused");
	follow_program(s, wall);
	if (s->p->on_command) {
		thermo_read(s->prog, &r, NULL);
		s->p->on_command(s->p->wake_ctx, wall,
				 kind == COMMAND_PRESET	    ? SIM_PRESET
				 : kind == COMMAND_HOLD ? SIM_VACATION
							: SIM_RESUME,
				 &r);
	}
}

static void script_event(struct sim *s, const struct sim_event *e)
{
	switch (e->action) {
	case SIM_SET_SETPOINT:
		set_setpoint(s, e->value);
		break;
	case SIM_SET_MODE:
		set_mode(s, e->value == MODE_OFF ? MODE_OFF : MODE_HEAT);
		break;
	case SIM_DROPOUT:
		s->fail_until = fmax(s->fail_until, s->t + e->value);
		break;
	case SIM_STUCK:
		s->stuck_until = fmax(s->stuck_until, s->t + e->value);
		break;
	case SIM_CLEAR_ALARM:
		/* As core/command.c clears it, waking the control thread. */
		if (s->runaway)
			s->wake = true;
		s->runaway = false;
		s->alarm = false;
		break;
	case SIM_PRESET:
		program_command(s, COMMAND_PRESET, (int)e->value, 0);
		break;
	case SIM_VACATION:
		program_command(s, COMMAND_HOLD, 3, e->value);
		break;
	case SIM_RESUME:
		program_command(s, COMMAND_CLEAR_HOLD, -1, 0);
		break;
	}
}

/* Everything due at s->t, changes before the read. */
static void events(struct sim *s)
{
	const struct sim_params *p = s->p;

	if (s->has_prog && s->prog_next <= s->t)
		wake_program(s);
	while (s->script_i < p->script_len &&
	       p->start + p->script[s->script_i].at <= s->t)
		script_event(s, &p->script[s->script_i++]);
	if (s->next_setpoint <= s->t) {
		double v = p->setpoint_lo +
			   uniform(s) * (p->setpoint_hi - p->setpoint_lo);

		set_setpoint(s, round(v * 10) / 10);
		s->next_setpoint = s->t + exponential(s, p->setpoint_every);
	}
	if (s->next_mode <= s->t) {
		if (s->mode == MODE_HEAT) {
			set_mode(s, MODE_OFF);
			s->next_mode = s->t + uniform(s) * p->mode_off_max;
		} else {
			set_mode(s, MODE_HEAT);
			s->next_mode = s->t + exponential(s, p->mode_off_every);
		}
	}
	if (s->next_dropout <= s->t) {
		s->fail_until =
			fmax(s->fail_until, s->t + uniform(s) * p->dropout_max);
		s->next_dropout = s->t + exponential(s, p->dropout_every);
	}
	if (s->next_read <= s->t)
		read_sensor(s);
}

/* The band checks for a step whose ends had @t0 and @t1 (degrees C). */
static void check_band(struct sim *s, double t0, double t1, double dt)
{
	const struct sim_params *p = s->p;
	struct sim_report *r = s->r;
	double top = s->setpoint + p->control.hot_tolerance;
	double bottom = s->setpoint - p->control.cold_tolerance;
	double ob, ub, hi, lo;
	bool was = s->band_switch && s->band_entered;

	if (s->mode != MODE_HEAT || !feasible(p, s->setpoint)) {
		unsettle(s);
		return;
	}
	/* Entered after the switch: a disturbance may have left the house
	 * far from the band by then (a rest begun by a stale reading, say). */
	if (s->band_switch && fmax(t0, t1) >= bottom && fmin(t0, t1) <= top)
		s->band_entered = true;
	if (!s->band_switch || !s->band_entered)
		return;
	/* Just settled: only the end of the step is past the entry. */
	hi = was ? fmax(t0, t1) : t1;
	lo = was ? fmin(t0, t1) : t1;
	if (was)
		r->settled_s += dt;
	ob = sim_over_bound(p);
	ub = sim_under_bound(p, s->setpoint);
	if (hi - top > r->worst_over) {
		r->worst_over = hi - top;
		r->over_bound = ob;
	}
	if (bottom - lo > r->worst_under) {
		r->worst_under = bottom - lo;
		r->under_bound = ub;
	}
	if (hi - top > ob)
		violation(s, s->t, SIM_OVERSHOOT,
			  "%.3f C, %.3f C above the band's top %.2f C (bound %.3f C)",
			  hi, hi - top, top, ob);
	if (bottom - lo > ub)
		violation(s, s->t, SIM_UNDERSHOOT,
			  "%.3f C, %.3f C below the band's bottom %.2f C (bound %.3f C)",
			  lo, bottom - lo, bottom, ub);
}

/* Runs the house from s->t to @tn with the relay as it is. */
static void advance(struct sim *s, double tn)
{
	const struct control_config *c = &s->p->control;
	struct sim_report *r = s->r;
	double t0 = s->t, dt = tn - t0, stale = stale_at(s);
	double temp0 = s->house.temp_c;

	if (tn > stale)
		r->stale_s += tn - fmax(t0, stale);
	if (s->heating) {
		r->heating_s += dt;
		/* At the deadline itself the control decides (its next). */
		if (tn > stale)
			violation(s, fmax(t0, stale), SIM_STALE_HEAT,
				  "heating on a reading from %.3f s past its timeout",
				  s->temperature_at - s->p->start);
		if (s->mode != MODE_HEAT)
			violation(s, t0, SIM_MODE_HEAT,
				  "heating with the mode off");
		if (c->max_on > 0 && tn > s->switched_at + c->max_on + EPS_S)
			violation(s, fmax(t0, s->switched_at + c->max_on),
				  SIM_MAX_ON,
				  "running since %.3f s (max_on %g s)",
				  s->switched_at - s->p->start, c->max_on);
		if (runaway_protects(s->p) &&
		    tn > s->base_at + c->runaway_time + EPS_S)
			violation(s, fmax(t0, s->base_at + c->runaway_time),
				  SIM_RUNAWAY,
				  "no rise of %g C above %.3f C since %.3f s "
				  "(runaway_time %g s)", c->runaway_rise,
				  s->base_temperature, s->base_at - s->p->start,
				  c->runaway_time);
	}
	if (s->heating && s->has_prog)
		runtime_add(&r->runtime, wall_of(s, t0), wall_of(s, tn));
	house_step(&s->house, dt, s->heating);
	s->t = tn;
	check_band(s, temp0, s->house.temp_c, dt);
}

static double next_event(const struct sim *s)
{
	const struct sim_params *p = s->p;
	double tn = fmin(s->next_read, s->end);

	if (s->script_i < p->script_len)
		tn = fmin(tn, p->start + p->script[s->script_i].at);
	tn = fmin(tn, s->next_setpoint);
	tn = fmin(tn, s->next_mode);
	tn = fmin(tn, s->next_dropout);
	if (s->has_prog)
		tn = fmin(tn, s->prog_next);
	return fmin(tn, s->next);
}

static bool params_ok(const struct sim_params *p)
{
	if (!(p->start > 0) || !isfinite(p->start) ||
	    !(p->sensor_interval > 0) || !isfinite(p->sensor_interval) ||
	    !(p->first_read >= 0) || !(p->duration >= 0) ||
	    !isfinite(p->duration) || !(p->house.loss_per_s >= 0) ||
	    (p->script_len && !p->script))
		return false;
	for (size_t i = 0; i < p->script_len; i++)
		if (!(p->script[i].at >= 0) ||
		    (i && p->script[i].at < p->script[i - 1].at))
			return false;
	return true;
}

int sim_run(const struct sim_params *p, struct sim_report *r)
{
	struct sim s;
	uint64_t seed = p->seed;

	memset(r, 0, sizeof(*r));
	if (!params_ok(p))
		return -1;
	r->first_on = -1;
	r->shortest_on = INFINITY;
	r->shortest_off = INFINITY;
	r->shortest_runaway = INFINITY;
	r->worst_over = -INFINITY;
	r->worst_under = -INFINITY;

	memset(&s, 0, sizeof(s));
	s.p = p;
	s.r = r;
	s.decide = p->decide ? p->decide : control_decide;
	s.rng = next_random(&seed);
	house_init(&s.house, &p->house, next_random(&seed));
	s.t = p->start;
	s.end = p->start + p->duration;
	/* The record as the daemon creates it: no reading, relay off. */
	s.temperature = NAN;
	s.temperature_at = 0;
	s.status = SENSOR_STARTING;
	s.setpoint = p->setpoint;
	s.mode = p->mode;
	s.heating = false;
	s.relay_changed_at = 0;
	s.progress_temperature = NAN;
	s.progress_at = 0;
	s.runaway = false;
	s.runaway_temperature = NAN;
	s.switched_at = p->start;
	/* The control thread decides at once. */
	s.wake = true;
	s.next = p->start;
	s.next_read = p->start + p->first_read;
	s.next_setpoint = s.t + exponential(&s, p->setpoint_every);
	s.next_mode = s.t + exponential(&s, p->mode_off_every);
	s.next_dropout = s.t + exponential(&s, p->dropout_every);
	s.prog_next = INFINITY;
	if (p->program) {
		struct thermo init;
		time_t wall = wall_of(&s, s.t);

		memcpy(&init, p->program, sizeof(init));
		program_refresh(&init, wall);
		s.prog = thermo_new(&init, SS_MUTEX);
		if (!thermo_valid(s.prog))
			return -1;
		s.has_prog = true;
		follow_program(&s, wall);
	}

	for (;;) {
		check_asleep(&s);
		events(&s);
		control(&s);
		if (s.t >= s.end)
			break;
		advance(&s, next_event(&s));
	}
	if (s.has_prog)
		thermo_unref(s.prog);
	return r->violations > INT_MAX ? INT_MAX : (int)r->violations;
}

void sim_describe(const struct sim_report *r, char *buf, size_t len)
{
	size_t n = 0;

#define PUT(...)                                                        \
	do {                                                             \
		if (n < len)                                             \
			n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__); \
	} while (0)

	if (!len)
		return;
	buf[0] = '\0';
	PUT("%lu violations", r->violations);
	for (int c = 0; c < SIM_CHECKS; c++)
		if (r->by_check[c])
			PUT(" %s:%lu", check_names[c], r->by_check[c]);
	for (unsigned i = 0; i < r->recorded; i++)
		PUT("; at %.3f s %s: %s", r->first[i].at,
		    check_names[r->first[i].check], r->first[i].detail);
	PUT("; %lu decisions, %lu reads (%lu failed), %lu on, %lu off, "
	    "%lu runaway trips, heating %.0f s, stale %.0f s, settled %.0f s, "
	    "worst over %.3f C (bound %.3f), under %.3f C (bound %.3f)",
	    r->decisions, r->reads, r->failed_reads, r->switches_on,
	    r->switches_off, r->runaway_trips, r->heating_s, r->stale_s,
	    r->settled_s, r->worst_over, r->over_bound, r->worst_under,
	    r->under_bound);
#undef PUT
}
