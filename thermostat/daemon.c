/* SPDX-License-Identifier: MIT */
/*
 * Threads, each with one job, meeting only in the record:
 *   sensor   reads the temperature every sensor_interval
 *   control  decides (control.c) and drives the relay; sleeps on the record
 *            until something it depends on changes or a decision is due
 *   state    saves setpoint and mode when they change
 *   history  appends a point to the history every history_interval
 *   web      CivetWeb's workers (web.c)
 *   main     waits for SIGINT/SIGTERM, then closes the record
 * Every thread holds its own reference to the record.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/control.h"
#include "daemon.h"
#include "core/history.h"
#include "log.h"
#include "notify.h"
#include "core/record.h"
#include "io/relay.h"
#include "io/sensor.h"
#include "io/statefile.h"
#include "util/timeutil.h"
#include "web/web.h"

/* How long a thread may take to stop before the daemon exits without it. */
#define JOIN_TIMEOUT_S 1.0
/* The control thread decides at least this often (watchdog, liveness). */
#define CONTROL_HEARTBEAT_S 10.0
/* A failed state save is retried this often. */
#define STATE_RETRY_S 30.0

struct daemon {
	const struct thermo_config *cfg;
	thermo_handle rec;
	history_handle hist;
	struct web *web;
	struct sensor *sensor;
	struct relay *relay;
	double start;		/* CLOCK_MONOTONIC, when the relay went OFF */
};

/* A thread's start argument: the daemon, and the thread's own reference. */
struct thread_arg {
	struct daemon *d;
	thermo_handle h;
};

static int ms_until(double deadline, double now)
{
	double ms = (deadline - now) * 1000.0;

	if (!(ms > 0))
		return 0;
	return ms > 3600e3 ? 3600 * 1000 : (int)ceil(ms);
}

/* ---- sensor thread -------------------------------------------------- */

struct reading {
	int ok;			/* 0: a temperature; -1: an error */
	double celsius;
	char error[64];
	struct timespec at;
	double timeout;		/* sensor_timeout */
	double start;		/* the daemon's start */
	enum sensor_status before;
};

static int apply_reading(struct thermo *r, void *ctx)
{
	struct reading *rd = ctx;

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
	/* Until sensor_timeout the last reading stands (or, before the
	 * first one, the daemon is still starting); after it the
	 * temperature is unknown, not the last value. */
	if (ts_to_s(rd->at) - (ts_is_zero(r->temperature_at)
				       ? rd->start
				       : ts_to_s(r->temperature_at)) >=
	    rd->timeout) {
		r->sensor_status = SENSOR_STALE;
		r->temperature = NAN;
	} else {
		r->sensor_status = SENSOR_ERROR;
	}
	return 0;
}

static bool sim_heating(void *ctx)
{
	thermo_handle *h = ctx;

	return thermo_get_heating(*h);
}

static void *sensor_thread(void *arg)
{
	struct thread_arg *ta = arg;
	const struct thermo_config *cfg = ta->d->cfg;
	int interval_ms = (int)(cfg->sensor_interval * 1000);
	uint64_t seen = 0;

	for (;;) {
		struct reading rd = { .timeout = cfg->control.sensor_timeout,
				      .start = ta->d->start };

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
	/* The sensor thread may be stuck in a read: the control thread
	 * reports the reading stale itself, unless a new one came in. */
	if (dc->mark_stale && r->temperature_at.tv_sec == dc->stale_since.tv_sec &&
	    r->temperature_at.tv_nsec == dc->stale_since.tv_nsec) {
		r->sensor_status = SENSOR_STALE;
		r->temperature = NAN;
	}
	return 0;
}

static void control_input_from(struct control_input *in,
			       const struct thermo *r, double now,
			       double start)
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

static void *control_thread(void *arg)
{
	struct thread_arg *ta = arg;
	struct daemon *d = ta->d;
	const struct thermo_config *cfg = d->cfg;
	bool last_failed = false, ready = false;
	uint64_t seen;
	struct thermo r;
	char err[160];

	for (;;) {
		struct control_input in;
		struct decision dc = { .relay_result = 0 };
		double now, next;
		int ret;

		thermo_read(ta->h, &r, &seen);
		dc.now = mono_now_ts();
		now = ts_to_s(dc.now);
		control_input_from(&in, &r, now, d->start);
		control_decide(&in, &cfg->control, &dc.out);
		next = dc.out.next;
		/* Before the first reading the sensor is "starting" for
		 * sensor_timeout; after that no fresh reading is stale. */
		if (!control_reading_fresh(&in, &cfg->control) &&
		    r.sensor_status != SENSOR_STALE &&
		    (!ts_is_zero(r.temperature_at) ||
		     now - d->start >= cfg->control.sensor_timeout)) {
			dc.mark_stale = true;
			dc.stale_since = r.temperature_at;
		}
		if (dc.out.heat != r.heating) {
			dc.relay_result = relay_set(d->relay, dc.out.heat, err,
						    sizeof(err));
			dc.switched = dc.relay_result == 0;
			if (dc.switched) {
				log_info("relay %s: %s", dc.out.heat ? "ON" : "OFF",
					 reason_text(dc.out.reason));
				last_failed = false;
			} else {
				/* Retry soon; the error is in the record,
				 * the log and the metrics. */
				if (!last_failed)
					log_err("relay: cannot switch %s: %s "
						"(retrying every %g s)",
						dc.out.heat ? "on" : "off", err,
						cfg->relay_retry);
				last_failed = true;
				if (next > now + cfg->relay_retry)
					next = now + cfg->relay_retry;
			}
		}
		thermo_update(ta->h, apply_decision, &dc);
		/* Ready once the sensor gave a first reading (the web server
		 * listens before this thread starts), or once it had
		 * sensor_timeout to do so: then the error is what shows. */
		if (!ready && (control_reading_fresh(&in, &cfg->control) ||
			       now - d->start >= cfg->control.sensor_timeout)) {
			notify_ready();
			ready = true;
		}
		notify_watchdog();
		if (next > now + CONTROL_HEARTBEAT_S)
			next = now + CONTROL_HEARTBEAT_S;
		ret = thermo_wait(ta->h, &seen, THERMO_CONTROL_MASK,
				  ms_until(next, mono_now()));
		if (ret == -ECANCELED)
			break;
	}

	/* Shutdown: the relay goes OFF before anything else. */
	if (relay_set(d->relay, false, err, sizeof(err)) != 0)
		log_err("relay: cannot switch off at shutdown: %s", err);
	else if (r.heating)
		log_info("relay OFF: %s", reason_text(REASON_SHUTDOWN));
	{
		struct decision dc = { .now = mono_now_ts(), .switched = true };

		dc.out.heat = false;
		dc.out.reason = REASON_SHUTDOWN;
		thermo_update(ta->h, apply_decision, &dc);
	}
	thermo_unref(ta->h);
	return NULL;
}

/* ---- state thread --------------------------------------------------- */

struct state_result {
	bool ok;
};

static int apply_state_result(struct thermo *r, void *ctx)
{
	struct state_result *sr = ctx;

	r->state_ok = sr->ok;
	if (!sr->ok)
		r->state_errors++;
	return 0;
}

static bool same_state(const struct saved_state *a, const struct saved_state *b)
{
	return a->setpoint == b->setpoint && a->mode == b->mode;
}

static void *state_thread(void *arg)
{
	struct thread_arg *ta = arg;
	const char *path = ta->d->cfg->state_file;
	struct saved_state saved, want;
	bool failing = false, closed = false, save_now;
	uint64_t seen;
	struct thermo r;
	char err[256];

	thermo_read(ta->h, &r, &seen);
	saved.setpoint = r.setpoint;
	saved.mode = r.mode;
	/* A state file that could not be read is replaced at once by the
	 * state in use. */
	save_now = !r.state_ok;
	while (!closed) {
		if (!save_now)
			closed = thermo_wait(ta->h, &seen, THERMO_PERSIST_MASK,
					     failing ? (int)(STATE_RETRY_S * 1000)
						     : -1) == -ECANCELED;
		thermo_read(ta->h, &r, NULL);
		want.setpoint = r.setpoint;
		want.mode = r.mode;
		if (same_state(&want, &saved) && !failing && !save_now)
			continue;
		save_now = false;
		if (state_save(path, &want, err, sizeof(err)) == 0) {
			struct state_result sr = { true };

			if (failing)
				log_info("state: saved to %s again", path);
			else
				log_debug("state: saved setpoint %.2f C, mode %s",
					  want.setpoint, mode_name(want.mode));
			saved = want;
			failing = false;
			thermo_update(ta->h, apply_state_result, &sr);
		} else {
			struct state_result sr = { false };

			if (!failing)
				log_err("state: %s (setpoint and mode kept in "
					"memory; retrying every %g s)", err,
					STATE_RETRY_S);
			failing = true;
			thermo_update(ta->h, apply_state_result, &sr);
		}
	}
	thermo_unref(ta->h);
	return NULL;
}

/* ---- history thread ------------------------------------------------- */

static void *history_thread(void *arg)
{
	struct thread_arg *ta = arg;
	int interval_ms = ta->d->cfg->history_interval * 1000;
	uint64_t seen = 0;

	do {
		struct thermo r;
		struct hist_point p;
		double now;

		thermo_read(ta->h, &r, NULL);
		now = mono_now();
		p.t = mono_to_wall(now);
		p.temperature = (float)(now - ts_to_s(r.temperature_at) <
							ta->d->cfg->control.sensor_timeout &&
						!ts_is_zero(r.temperature_at)
					? r.temperature
					: NAN);
		p.setpoint = (float)r.setpoint;
		p.heating = r.heating;
		history_append(ta->d->hist, &p);
	} while (thermo_wait(ta->h, &seen, 0, interval_ms) != -ECANCELED);
	thermo_unref(ta->h);
	return NULL;
}

/* ---- startup and shutdown ------------------------------------------- */

static void load_state(struct daemon *d, struct thermo *init)
{
	struct saved_state st;
	char err[256];
	int ret = state_load(d->cfg->state_file, d->cfg, &st, err, sizeof(err));

	if (ret == 0) {
		init->setpoint = st.setpoint;
		init->mode = st.mode;
		log_info("state: setpoint %.2f C, mode %s (from %s)",
			 st.setpoint, mode_name(st.mode), d->cfg->state_file);
	} else if (ret == -ENOENT) {
		log_info("state: no saved state in %s: setpoint %.2f C, mode "
			 "heat", d->cfg->state_file, init->setpoint);
	} else {
		init->state_ok = false;
		init->state_errors = 1;
		log_err("state: %s: using setpoint %.2f C, mode heat", err,
			init->setpoint);
	}
}

struct thread {
	const char *name;
	void *(*fn)(void *);
	struct thread_arg arg;
	pthread_t tid;
	bool started;
};

static int start_thread(struct daemon *d, struct thread *t)
{
	int err;

	t->arg.d = d;
	t->arg.h = thermo_ref(d->rec);
	err = pthread_create(&t->tid, NULL, t->fn, &t->arg);
	if (err) {
		thermo_unref(t->arg.h);
		log_err("cannot start the %s thread: %s", t->name,
			strerror(err));
		return -1;
	}
	t->started = true;
	return 0;
}

/* Returns whether the thread stopped. */
static bool join_thread(struct thread *t)
{
	struct timespec deadline;
	int err;

	if (!t->started)
		return true;
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_nsec += (long)(JOIN_TIMEOUT_S * 1e9);
	deadline.tv_sec += deadline.tv_nsec / 1000000000L;
	deadline.tv_nsec %= 1000000000L;
	err = pthread_timedjoin_np(t->tid, NULL, &deadline);
	if (err) {
		/* A sensor stuck in a read: leave it, the process exits. */
		log_warn("the %s thread did not stop in time: %s", t->name,
			 strerror(err));
		pthread_detach(t->tid);
		return false;
	}
	return true;
}

/* Waits for SIGINT or SIGTERM (blocked in every thread). */
static int wait_for_signal(const sigset_t *set)
{
	int sig;

	for (;;) {
		if (sigwait(set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			log_info("SIGHUP ignored: restart the daemon to read "
				 "the configuration again");
			continue;
		}
		return sig;
	}
}

static int stop_running(struct thermo *r, void *ctx)
{
	(void)ctx;
	r->running = false;
	return 0;
}

int daemon_run(const struct thermo_config *cfg)
{
	struct daemon d = { .cfg = cfg };
	enum { CONTROL, SENSOR, STATE, HISTORY, NTHREADS };
	struct thread threads[NTHREADS] = {
		[CONTROL] = { .name = "control", .fn = control_thread },
		[SENSOR] = { .name = "sensor", .fn = sensor_thread },
		[STATE] = { .name = "state", .fn = state_thread },
		[HISTORY] = { .name = "history", .fn = history_thread },
	};
	bool sensor_stopped = true, web_stopped = true;
	struct thermo init = thermo_defaults;
	int status = EXIT_STARTUP;
	sigset_t set;
	char err[256];
	int sig;

	/* Signals are taken by the main thread only, with sigwait: block
	 * them before any thread starts, so every thread inherits the mask. */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	/* A full disk or a file size limit must fail a save, not kill the
	 * daemon (and leave the relay as it was). */
	signal(SIGXFSZ, SIG_IGN);

	/* The relay first: OFF before anything else can go wrong. */
	d.relay = relay_open(cfg, err, sizeof(err));
	if (!d.relay) {
		log_err("relay: %s", err);
		return EXIT_STARTUP;
	}
	d.start = mono_now();

	init.setpoint = cfg->setpoint;
	load_state(&d, &init);
	init.relay_changed_at = s_to_ts(d.start);
	d.rec = thermo_new(&init, SS_MUTEX);
	if (!thermo_valid(d.rec)) {
		log_err("cannot create the shared record: %s", ss_last_error());
		goto out_relay;
	}
	/* The sim sensor asks whether the furnace runs through the sensor
	 * thread's own reference (set before that thread starts). */
	d.hist = history_create((uint32_t)(cfg->history_minutes * 60 /
					   cfg->history_interval + 1));
	if (!history_valid(d.hist)) {
		log_err("cannot create the history: out of memory");
		goto out_record;
	}
	d.sensor = sensor_open(cfg, sim_heating, &threads[SENSOR].arg.h, err,
			       sizeof(err));
	if (!d.sensor) {
		log_err("sensor: %s", err);
		goto out_history;
	}
	d.web = web_start(cfg, d.rec, d.hist, d.start, err, sizeof(err));
	if (!d.web) {
		log_err("web: %s", err);
		goto out_sensor;
	}
	for (int i = 0; i < NTHREADS; i++)
		if (start_thread(&d, &threads[i]) != 0)
			goto out_threads;
	log_info("running: setpoint %.2f C, mode %s, sensor %s, relay %s",
		 init.setpoint, mode_name(init.mode),
		 cfg->sensor == SENSOR_SIM ? "sim" :
		 cfg->sensor == SENSOR_SYSFS ? "sysfs" : "w1",
		 cfg->relay == RELAY_SIM ? "sim" : "gpiod");

	sig = wait_for_signal(&set);
	log_info("%s: stopping", strsignal(sig));
	status = EXIT_OK;

out_threads:
	notify_stopping();
	/* Closing the record ends every wait: each thread sees -ECANCELED
	 * and returns; the control thread turns the relay off first. */
	thermo_update(d.rec, stop_running, NULL);
	thermo_close(d.rec);
	for (int i = 0; i < NTHREADS; i++)
		if (!join_thread(&threads[i]) && i == SENSOR)
			sensor_stopped = false;
	web_stopped = web_stop(d.web);
out_sensor:
	/* A sensor thread stuck in a read still uses the sensor. */
	if (sensor_stopped)
		sensor_close(d.sensor);
out_history:
	history_unref(d.hist);
out_record:
	thermo_unref(d.rec);
out_relay:
	relay_close(d.relay); /* OFF again, whatever happened */
	/* A web worker still reading a slow request holds CivetWeb's
	 * context: the relay is off and the state saved, so leave now,
	 * without the exit handlers that would wait for it or free what it
	 * uses. */
	if (!web_stopped)
		_exit(status);
	return status;
}
