/* SPDX-License-Identifier: MIT */
/*
 * The daemon's threads (threads.h).  The rules they follow are pure and
 * live in core/ (the control decision, the sensor's time rules); a thread
 * here reads the record, calls the rule, does its I/O, writes the record
 * and waits.
 */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "core/control.h"
#include "core/program.h"
#include "io/relay.h"
#include "io/sensor.h"
#include "io/statefile.h"
#include "log.h"
#include "notify.h"
#include "threads.h"
#include "util/timeutil.h"

/* The control thread decides at least this often (watchdog, liveness). */
#define CONTROL_HEARTBEAT_S 10.0
/* A failed state save is retried this often. */
#define STATE_RETRY_S 30.0
/* The furnace's runtime changes while it runs: saved this often at most
 * (an SD card is not written every few seconds), and at shutdown. */
#define RUNTIME_SAVE_S 600.0

/* ---- sensor thread -------------------------------------------------- */

struct reading {
	int ok;			/* 0: a temperature; -1: an error */
	double celsius;
	char error[64];
	struct timespec at;
	const struct daemon *d;
	enum sensor_status before;
};

static int apply_reading(struct thermo *r, void *ctx)
{
	struct reading *rd = ctx;
	struct control_input in;

	rd->before = r->sensor_status;
	r->sensor_at = rd->at;
	if (rd->ok == 0) {
		r->temperature = rd->celsius;
		r->temperature_at = rd->at;
		r->sensor_status = SENSOR_OK;
		return 0;
	}
	r->sensor_errors++;
	SS_STR_SET(r->sensor_error, rd->error);
	/* Until the reading goes stale the last one stands (or, before the
	 * first one, the daemon is still starting); after that the
	 * temperature is unknown, not the last value. */
	control_input_of(&in, r, ts_to_s(rd->at), rd->d->start);
	if (control_sensor_stale(&in, &rd->d->cfg->control)) {
		r->sensor_status = SENSOR_STALE;
		r->temperature = NAN;
	} else {
		r->sensor_status = SENSOR_ERROR;
	}
	return 0;
}

bool sim_heating(void *ctx)
{
	thermo_handle *h = ctx;

	return thermo_get_heating(*h);
}

void *sensor_thread(void *arg)
{
	struct thread_arg *ta = arg;
	int interval_ms = (int)(ta->d->cfg->sensor.interval * 1000);
	uint64_t seen = 0;

	for (;;) {
		struct reading rd = { .d = ta->d };

		rd.ok = sensor_read(ta->d->sensor, &rd.celsius, rd.error,
				    sizeof(rd.error));
		rd.at = mono_now_ts();
		thermo_update(ta->h, apply_reading, &rd);
		if (rd.ok == 0 && rd.before != SENSOR_OK &&
		    rd.before != SENSOR_STARTING)
			log_info("sensor: readings are back: %.2f C",
				 rd.celsius);
		else if (rd.ok == 0 && rd.before == SENSOR_STARTING)
			log_info("sensor: first reading %.2f C", rd.celsius);
		else if (rd.ok != 0 && rd.before == SENSOR_OK)
			log_warn("sensor: %s", rd.error);
		else if (rd.ok != 0)
			log_debug("sensor: %s", rd.error);
		/* Sleep, but wake at once when the record is closed. */
		if (thermo_wait(ta->h, &seen, 0, interval_ms) == -ECANCELED)
			break;
	}
	thermo_unref(ta->h);
	return NULL;
}

/* ---- control thread ------------------------------------------------- */

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

/* ---- state thread --------------------------------------------------- */

struct state_result {
	bool saved;		/* a save was tried... */
	bool ok;		/* ...and worked */
	uint64_t seq;		/* the writes it covers */
	int saver;		/* 1, 0: the thread starts, ends; -1 neither */
};

static int apply_state_result(struct thermo *r, void *ctx)
{
	const struct state_result *sr = ctx;

	if (sr->saved) {
		r->state_ok = sr->ok;
		if (!sr->ok)
			r->state_errors++;
	}
	if (sr->seq > r->persist_tried)
		r->persist_tried = sr->seq;
	if (sr->saver >= 0)
		r->saver = sr->saver;
	return 0;
}

/* What the state file is to hold for @r: setpoint and mode, and the
 * program, only when they are not the configuration's (a setpoint or a
 * schedule edited in thermostat.conf then takes effect at the next start,
 * until one is set through the API), and the runtime. */
static void state_of(const struct daemon *d, const struct thermo *r,
		     struct saved_state *st)
{
	const struct thermo_settings *c = d->cfg;

	memset(st, 0, sizeof(*st));
	st->has_setpoint = d->setpoint_saved || r->mode != MODE_HEAT ||
			   r->manual != setpoint_round(c->setpoint,
						       c->setpoint_step,
						       c->limits.min,
						       c->limits.max);
	if (st->has_setpoint) {
		st->setpoint = r->manual;
		st->mode = r->mode;
	}
	memcpy(&st->runtime, &r->runtime, sizeof(st->runtime));
	st->has_program =
		memcmp(&r->presets, &d->presets, sizeof(d->presets)) != 0 ||
		memcmp(&r->schedule, &d->schedule, sizeof(d->schedule)) != 0 ||
		r->hold.kind != HOLD_NONE || r->boost.until != 0;
	if (!st->has_program)
		return;
	memcpy(&st->presets, &r->presets, sizeof(st->presets));
	memcpy(&st->schedule, &r->schedule, sizeof(st->schedule));
	memcpy(&st->hold, &r->hold, sizeof(st->hold));
	memcpy(&st->boost, &r->boost, sizeof(st->boost));
}

static bool same_state(const struct saved_state *a, const struct saved_state *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

void *state_thread(void *arg)
{
	struct thread_arg *ta = arg;
	const char *path = ta->d->cfg->state_file;
	struct saved_state saved, want;
	struct state_result sr = { .saver = 1 };
	bool failing = false, closed = false, save_now;
	uint64_t seen;
	struct thermo r;
	char err[256];

	thermo_read(ta->h, &r, &seen);
	state_of(ta->d, &r, &saved);
	/* Writes wait for their save from here on. */
	thermo_update(ta->h, apply_state_result, &sr);
	sr.saver = -1;
	/* A state file that could not be read is replaced at once by the
	 * state in use; so is the file when a write landed before this
	 * first read (the web server starts first): then the record's state
	 * is not the file's. */
	save_now = !r.state_ok || r.persist_seq != 0;
	while (!closed) {
		/* The runtime is no field of the mask: looked at every
		 * RUNTIME_SAVE_S. */
		if (!save_now)
			closed = thermo_wait(ta->h, &seen, THERMO_PERSIST_MASK,
					     (int)((failing ? STATE_RETRY_S
							    : RUNTIME_SAVE_S) *
						   1000)) == -ECANCELED;
		thermo_read(ta->h, &r, NULL);
		state_of(ta->d, &r, &want);
		sr.seq = r.persist_seq;
		sr.saved = !same_state(&want, &saved) || failing || save_now;
		save_now = false;
		if (sr.saved) {
			sr.ok = state_save(path, &want, err, sizeof(err)) == 0;
			if (sr.ok && failing)
				log_info("state: saved to %s again", path);
			else if (sr.ok)
				log_debug("state: saved setpoint %.2f C, mode %s%s",
					  want.setpoint, mode_name(want.mode),
					  want.has_program ? ", program" : "");
			else if (!failing)
				log_err("state: %s (setpoint, mode and program "
					"kept in memory; retrying every %g s)",
					err, STATE_RETRY_S);
			if (sr.ok)
				saved = want;
			failing = !sr.ok;
		}
		/* Also when nothing was saved: the file holds these writes
		 * already (a value changed and changed back). */
		thermo_update(ta->h, apply_state_result, &sr);
	}
	thermo_unref(ta->h);
	return NULL;
}

/* ---- history thread ------------------------------------------------- */

void *history_thread(void *arg)
{
	struct thread_arg *ta = arg;
	const struct thermo_settings *cfg = ta->d->cfg;
	int interval_ms = cfg->history_interval * 1000;
	uint64_t seen = 0;

	do {
		struct thermo r;
		struct hist_point p;
		double now;

		thermo_read(ta->h, &r, NULL);
		now = mono_now();
		p.t = mono_to_wall(now);
		p.temperature = control_record_fresh(&r, &cfg->control, now)
					? (float)r.temperature
					: NAN;
		p.setpoint = (float)r.setpoint;
		p.heating = r.heating;
		history_append(ta->d->hist, &p);
	} while (thermo_wait(ta->h, &seen, 0, interval_ms) != -ECANCELED);
	thermo_unref(ta->h);
	return NULL;
}

/* ---- clock thread --------------------------------------------------- */

static int count_jump(struct thermo *r, void *ctx)
{
	(void)ctx;
	r->clock_jumps++;
	return 0;
}

/* A timer on CLOCK_REALTIME far in the future that the kernel cancels
 * when the clock is set (TFD_TIMER_CANCEL_ON_SET). */
static int arm_jump_timer(int tfd)
{
	struct itimerspec far = { { 0, 0 }, { 0, 0 } };
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	/* Ten years on; should it ever fire, it is armed again. */
	far.it_value.tv_sec = now.tv_sec + 10L * 365 * 86400;
	return timerfd_settime(tfd, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET,
			       &far, NULL);
}

void *clock_thread(void *arg)
{
	struct thread_arg *ta = arg;
	int tfd = timerfd_create(CLOCK_REALTIME, TFD_CLOEXEC | TFD_NONBLOCK);
	int wfd = thermo_watch_fd(ta->h, 0);
	struct pollfd pfd[2];

	if (tfd < 0 || wfd < 0 || arm_jump_timer(tfd) < 0) {
		/* The control thread still notices a clock that went back,
		 * and one that went forward past the program's next change,
		 * at its next decision (CONTROL_HEARTBEAT_S at most). */
		log_warn("clock: cannot watch for wall-clock jumps (%s): the "
			 "program follows them within %g s", strerror(errno),
			 CONTROL_HEARTBEAT_S);
		goto out;
	}
	pfd[0] = (struct pollfd){ .fd = tfd, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = wfd, .events = POLLIN };
	while (!ss_is_closed(thermo_state(ta->h))) {
		uint64_t n;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			log_err("clock: poll: %s", strerror(errno));
			break;
		}
		if (pfd[1].revents && read(wfd, &n, sizeof(n)) < 0 &&
		    errno != EAGAIN)
			break;
		if (!pfd[0].revents)
			continue;
		if (read(tfd, &n, sizeof(n)) < 0 && errno == ECANCELED) {
			log_info("clock: the wall clock was set: the program "
				 "is evaluated again (runs and rests keep their "
				 "own clock)");
			thermo_update(ta->h, count_jump, NULL);
		}
		if (arm_jump_timer(tfd) < 0) {
			log_err("clock: timerfd: %s", strerror(errno));
			break;
		}
	}
out:
	if (wfd >= 0)
		thermo_unwatch_fd(ta->h, wfd);
	if (tfd >= 0)
		close(tfd);
	thermo_unref(ta->h);
	return NULL;
}
