/* SPDX-License-Identifier: MIT */
/*
 * The control thread (threads.h): decides (core/control.c), drives the
 * relay, keeps the weekly program's setpoint (core/program.c) and the
 * furnace's runtime (core/runtime.c), and sleeps on the record until
 * something it depends on changes or a decision is due.
 */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <string.h>

#include "core/control.h"
#include "core/program.h"
#include "io/relay.h"
#include "log.h"
#include "notify.h"
#include "threads.h"
#include "util/timeutil.h"

struct decision {
	struct control_output out;
	struct timespec now;
	int relay_result;	/* 0, or -1 when the relay set failed */
	bool switched;		/* the relay was driven to out.heat */
	struct timespec stale_since; /* temperature_at the decision saw */
	bool mark_stale;
	bool tripped, cleared;	/* the runaway alarm was raised, cleared */
	/* Runtime: whole seconds the furnace ran since the last decision,
	 * ending at wall (CLOCK_REALTIME seconds); a run began at wall. */
	time_t wall;
	long ran;
};

static int apply_decision(struct thermo *r, void *ctx)
{
	struct decision *dc = ctx;

	r->control_at = dc->now;
	if (dc->ran > 0)
		runtime_add(&r->runtime, dc->wall - dc->ran, dc->wall);
	if (dc->switched && dc->out.heat)
		runtime_cycle(&r->runtime, dc->wall);
	if (dc->switched) {
		r->heating = dc->out.heat;
		r->relay_changed_at = dc->now;
		r->relay_switches++;
		r->relay_ok = true;
		r->reason = dc->out.reason;
	} else if (dc->relay_result != 0) {
		r->relay_errors++;
		r->relay_ok = false;
		r->reason = REASON_RELAY_ERROR;
	} else {
		r->reason = dc->out.reason;
	}
	/* Runaway protection's baseline goes with the relay as driven (the
	 * control thread alone writes it).  Of the alarm only its changes
	 * are written: the user may have cleared it since the read. */
	if (dc->relay_result == 0) {
		r->progress_temperature = dc->out.progress_temperature;
		r->progress_at = dc->out.progress_at > 0
					 ? s_to_ts(dc->out.progress_at)
					 : (struct timespec){ 0 };
	}
	if (dc->tripped) {
		r->runaway = true;
		r->runaway_at = dc->now;
		r->runaway_temperature = dc->out.runaway_temperature;
		r->runaway_trips++;
	} else if (dc->cleared) {
		r->runaway = false;
	}
	/* The sensor thread may be stuck in a read: the control thread
	 * reports the reading stale itself, unless a new one came in. */
	if (dc->mark_stale &&
	    r->temperature_at.tv_sec == dc->stale_since.tv_sec &&
	    r->temperature_at.tv_nsec == dc->stale_since.tv_nsec) {
		r->sensor_status = SENSOR_STALE;
		r->temperature = NAN;
	}
	return 0;
}

/* Drives the relay to @dc->out.heat; returns when to decide again at the
 * latest, sooner than @next after a failure (a retry). */
static double drive_relay(struct daemon *d, struct decision *dc,
			  bool *last_failed, double now, double next)
{
	double retry = d->cfg->relay.retry;
	char err[160];

	dc->relay_result = relay_set(d->relay, dc->out.heat, err, sizeof(err));
	dc->switched = dc->relay_result == 0;
	if (dc->switched) {
		log_info("relay %s: %s", dc->out.heat ? "ON" : "OFF",
			 reason_text(dc->out.reason));
		*last_failed = false;
		return next;
	}
	/* Retry soon; the error is in the record, the log and the
	 * metrics. */
	if (!*last_failed)
		log_err("relay: cannot switch %s: %s (retrying every %g s)",
			dc->out.heat ? "on" : "off", err, retry);
	*last_failed = true;
	return fmin(next, now + retry);
}

struct refresh {
	time_t now;
	bool ended;		/* a hold or boost ended */
	uint64_t seq;		/* persist_seq after it */
};

static int apply_refresh(struct thermo *r, void *ctx)
{
	struct refresh *rf = ctx;

	rf->ended = program_refresh(r, rf->now);
	/* An ended hold or boost is a change of what the file holds. */
	if (rf->ended)
		r->persist_seq++;
	return 0;
}

/*
 * The weekly program's part of a decision: brings the setpoint up to date
 * when target.until has come, after a wall-clock jump the clock thread
 * saw (clock_jumps), and when the wall clock went back since the last
 * time (a jump the clock thread could not see).  @r is read again after
 * a refresh.  Returns the wall-clock time it went by.
 */
static double keep_program(thermo_handle h, struct thermo *r, uint64_t *seen,
			   unsigned *jumps, double *last_wall)
{
	double wall = wall_now();
	struct refresh rf = { .now = (time_t)floor(wall) };
	double before = r->setpoint, due = (double)r->target.until;

	if (!(r->clock_jumps != *jumps || wall < *last_wall ||
	      (r->target.until != 0 && wall >= (double)r->target.until)))
		return wall;
	*jumps = r->clock_jumps;
	*last_wall = wall;
	thermo_update(h, apply_refresh, &rf);
	thermo_read(h, r, seen);
	if (r->setpoint != before)
		log_info("program: setpoint %.2f C (%s%s%s)", r->setpoint,
			 program_source_name(&r->target, &r->schedule),
			 r->target.preset >= 0 ? ", " : "",
			 r->target.preset >= 0 &&
					 (size_t)r->target.preset < r->presets.n
				 ? r->presets.p[r->target.preset].name
				 : "");
	/* How late, by the daemon's own clock (tests read it). */
	if (rf.ended && due > 0 && wall >= due)
		log_info("program: the hold or boost ended, %.0f ms after its "
			 "end", (wall - due) * 1000.0);
	else if (rf.ended)
		log_info("program: the hold or boost ended");
	return wall;
}

/*
 * The furnace's on-time since the last decision, for @dc: it ran from
 * *@last to @now (monotonic seconds) when @heating.  Whole seconds go to
 * the runtime, the fraction waits in *@acc; the time is the monotonic
 * clock's, placed at the wall clock's now (a wall-clock jump moves no
 * time in or out).
 */
static void account_run(struct decision *dc, bool heating, double *last,
			double *acc, double now, double wall)
{
	if (heating && now > *last)
		*acc += now - *last;
	*last = now;
	dc->wall = (time_t)floor(wall);
	dc->ran = (long)floor(*acc);
	*acc -= (double)dc->ran;
}

void *control_thread(void *arg)
{
	struct thread_arg *ta = arg;
	struct daemon *d = ta->d;
	const struct control_config *cc = &d->cfg->control;
	bool last_failed = false, ready = false;
	struct decision stop = { .switched = true };
	unsigned jumps = (unsigned)-1;
	double last_wall = 0, last_decided = mono_now(), ran_acc = 0;
	uint64_t seen;
	struct thermo r;
	char err[160];

	for (;;) {
		struct control_input in;
		struct decision dc = { .relay_result = 0 };
		double now, next, wall;

		thermo_read(ta->h, &r, &seen);
		wall = keep_program(ta->h, &r, &seen, &jumps, &last_wall);
		if (wall > last_wall)
			last_wall = wall;
		dc.now = mono_now_ts();
		now = ts_to_s(dc.now);
		control_input_of(&in, &r, now, d->start);
		control_decide(&in, cc, &dc.out);
		account_run(&dc, r.heating, &last_decided, &ran_acc, now, wall);
		next = dc.out.next;
		dc.tripped = dc.out.runaway && !in.runaway;
		dc.cleared = !dc.out.runaway && in.runaway;
		if (dc.tripped)
			log_err("runaway: heating, but no rise of %g C in %g "
				"min (reading %.2f C): heat off, alarm raised "
				"(furnace or sensor fault?); it clears when the "
				"temperature moves %g C, or from the page (PUT "
				"/api/v1/alarm)",
				cc->runaway_rise, cc->runaway_time / 60,
				in.temperature, cc->runaway_rise);
		else if (dc.cleared)
			log_info("runaway: alarm cleared: the temperature moved "
				 "from %.2f C to %.2f C",
				 in.runaway_temperature, in.temperature);
		/* The sensor thread may be stuck in a read and not notice. */
		if (control_sensor_stale(&in, cc) &&
		    r.sensor_status != SENSOR_STALE) {
			dc.mark_stale = true;
			dc.stale_since = r.temperature_at;
		}
		if (dc.out.heat != r.heating)
			next = drive_relay(d, &dc, &last_failed, now, next);
		thermo_update(ta->h, apply_decision, &dc);
		/* Ready once the sensor has had its chance (the web server
		 * listens before this thread starts): a first reading, or
		 * the error that shows after sensor_timeout. */
		if (!ready && control_sensor_settled(&in, cc)) {
			notify_ready();
			ready = true;
		}
		notify_watchdog();
		next = fmin(next, now + CONTROL_HEARTBEAT_S);
		/* The program's next change, on the wall clock (a jump of it
		 * wakes this thread through clock_jumps). */
		if (r.target.until != 0)
			next = fmin(next, now + ((double)r.target.until - wall));
		if (thermo_wait(ta->h, &seen, THERMO_CONTROL_MASK,
				ms_until(next, mono_now())) == -ECANCELED)
			break;
	}

	/* Shutdown: the relay goes OFF before anything else.  (The record
	 * is closed, not gone: it says how the relay was last driven.) */
	thermo_read(ta->h, &r, NULL);
	if (relay_set(d->relay, false, err, sizeof(err)) != 0)
		log_err("relay: cannot switch off at shutdown: %s", err);
	else if (r.heating)
		log_info("relay OFF: %s", reason_text(REASON_SHUTDOWN));
	stop.now = mono_now_ts();
	account_run(&stop, r.heating, &last_decided, &ran_acc,
		    ts_to_s(stop.now), wall_now());
	stop.out.heat = false;
	stop.out.reason = REASON_SHUTDOWN;
	thermo_update(ta->h, apply_decision, &stop);
	thermo_unref(ta->h);
	return NULL;
}
