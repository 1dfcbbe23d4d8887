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
#include <stdlib.h>
#include <string.h>

#include "core/control.h"
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
};

static int apply_decision(struct thermo *r, void *ctx)
{
	struct decision *dc = ctx;

	r->control_at = dc->now;
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

void *control_thread(void *arg)
{
	struct thread_arg *ta = arg;
	struct daemon *d = ta->d;
	const struct control_config *cc = &d->cfg->control;
	bool last_failed = false, ready = false;
	struct decision stop = { .switched = true };
	uint64_t seen;
	struct thermo r;
	char err[160];

	for (;;) {
		struct control_input in;
		struct decision dc = { .relay_result = 0 };
		double now, next;

		thermo_read(ta->h, &r, &seen);
		dc.now = mono_now_ts();
		now = ts_to_s(dc.now);
		control_input_of(&in, &r, now, d->start);
		control_decide(&in, cc, &dc.out);
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

static bool same_state(const struct saved_state *a, const struct saved_state *b)
{
	return a->setpoint == b->setpoint && a->mode == b->mode;
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
	saved.setpoint = r.setpoint;
	saved.mode = r.mode;
	/* Writes wait for their save from here on. */
	thermo_update(ta->h, apply_state_result, &sr);
	sr.saver = -1;
	/* A state file that could not be read is replaced at once by the
	 * state in use; so is the file when a write landed before this
	 * first read (the web server starts first): then the record's state
	 * is not the file's. */
	save_now = !r.state_ok || r.persist_seq != 0;
	while (!closed) {
		if (!save_now)
			closed = thermo_wait(ta->h, &seen, THERMO_PERSIST_MASK,
					     failing ? (int)(STATE_RETRY_S * 1000)
						     : -1) == -ECANCELED;
		thermo_read(ta->h, &r, NULL);
		want.setpoint = r.setpoint;
		want.mode = r.mode;
		sr.seq = r.persist_seq;
		sr.saved = !same_state(&want, &saved) || failing || save_now;
		save_now = false;
		if (sr.saved) {
			sr.ok = state_save(path, &want, err, sizeof(err)) == 0;
			if (sr.ok && failing)
				log_info("state: saved to %s again", path);
			else if (sr.ok)
				log_debug("state: saved setpoint %.2f C, mode %s",
					  want.setpoint, mode_name(want.mode));
			else if (!failing)
				log_err("state: %s (setpoint and mode kept in "
					"memory; retrying every %g s)",
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
