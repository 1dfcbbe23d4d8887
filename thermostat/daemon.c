/* SPDX-License-Identifier: MIT */
/*
 * The daemon's life: the relay OFF first, then the record, the history,
 * the sensor and the web server, then the threads (threads.h); then it
 * waits for SIGINT or SIGTERM, closes the record (which ends every wait
 * at once), and takes everything down in reverse order, the relay OFF
 * again last.
 */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/control.h"
#include "core/program.h"
#include "daemon.h"
#include "io/relay.h"
#include "io/sensor.h"
#include "io/statefile.h"
#include "log.h"
#include "notify.h"
#include "threads.h"
#include "util/readfile.h"
#include "util/timeutil.h"
#include "web/web.h"

#ifdef THERMO_HAVE_MQTT
#include <mosquitto.h>
#endif

/* How long a thread may take to stop before the daemon exits without it. */
#define JOIN_TIMEOUT_S 1.0
/* How long shutdown waits for the web server's workers: a client still
 * sending a request does not hold the exit (the relay is off by then). */
#define WEB_STOP_WAIT_S 0.6

static void load_state(struct daemon *d, struct thermo *init)
{
	struct saved_state st;
	char err[256];
	int ret = state_load(d->cfg->state_file, &d->cfg->limits, &st, err,
			     sizeof(err));

	if (ret == 0) {
		d->setpoint_saved = st.has_setpoint;
		if (st.has_setpoint) {
			init->manual = st.setpoint;
			init->mode = st.mode;
		}
		memcpy(&init->runtime, &st.runtime, sizeof(st.runtime));
		if (st.has_program) {
			memcpy(&init->presets, &st.presets, sizeof(st.presets));
			memcpy(&init->schedule, &st.schedule,
			       sizeof(st.schedule));
			memcpy(&init->hold, &st.hold, sizeof(st.hold));
			memcpy(&init->boost, &st.boost, sizeof(st.boost));
		}
		log_info("state: setpoint %.2f C, mode %s%s, %s (from %s)",
			 init->manual, mode_name(init->mode),
			 st.has_setpoint ? "" : " (the configuration's)",
			 st.has_program ? "the saved program"
					: "the configuration's program",
			 d->cfg->state_file);
	} else if (ret == -ENOENT) {
		log_info("state: no saved state in %s: setpoint %.2f C, mode "
			 "heat", d->cfg->state_file, init->manual);
	} else {
		init->state_ok = false;
		init->state_errors = 1;
		log_err("state: %s: using setpoint %.2f C, mode heat and the "
			"configuration's program", err, init->manual);
	}
}

/*
 * What the MQTT client needs from files, checked before anything starts
 * (a typo must stop the daemon, not leave it disconnected): the password
 * (the first line of mqtt_password_file) and the TLS files, readable.
 */
static int mqtt_files(struct daemon *d)
{
	const struct mqtt_settings *m = &d->cfg->mqtt;
	const char *tls[] = { m->ca_file, m->cert_file, m->key_file };
	char buf[sizeof(d->mqtt_password) + 1];
	ssize_t n;
	int fd;

	if (!m->enabled)
		return 0;
	for (size_t i = 0; i < 3; i++)
		if (tls[i][0] && access(tls[i], R_OK) != 0) {
			log_err("mqtt: cannot read %s: %s", tls[i],
				strerror(errno));
			return -1;
		}
	if (!m->password_file[0])
		return 0;
	fd = open(m->password_file, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		log_err("mqtt_password_file: cannot open %s: %s",
			m->password_file, strerror(errno));
		return -1;
	}
	n = read_upto(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0) {
		log_err("mqtt_password_file: cannot read %s: %s",
			m->password_file, strerror(errno));
		return -1;
	}
	buf[n] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	if (!buf[0] || strlen(buf) >= sizeof(d->mqtt_password)) {
		log_err("mqtt_password_file: %s: the first line must hold the "
			"password (1 to %zu bytes)", m->password_file,
			sizeof(d->mqtt_password) - 1);
		return -1;
	}
	memcpy(d->mqtt_password, buf, strlen(buf) + 1);
	explicit_bzero(buf, sizeof(buf));
	return 0;
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
	deadline = deadline_after(CLOCK_REALTIME, JOIN_TIMEOUT_S);
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

/*
 * The daemon's own account of its shutdown, from its own clock: how long
 * after the signal the relay was off (the control thread's last decision)
 * and the rest was stopped.  Tests read it instead of timing the process
 * from outside, which measures the machine's load as much as the daemon.
 */
static void log_stopped(thermo_handle rec, double signalled)
{
	struct thermo r;
	double now = mono_now();

	thermo_read(rec, &r, NULL);
	if (r.reason == REASON_SHUTDOWN && !r.heating)
		log_info("stopped: relay off %.0f ms, threads and web server "
			 "%.0f ms after the signal",
			 (ts_to_s(r.relay_changed_at) - signalled) * 1000.0,
			 (now - signalled) * 1000.0);
	else
		log_warn("stopped %.0f ms after the signal; the relay's last "
			 "state is %s (%s)", (now - signalled) * 1000.0,
			 r.heating ? "on" : "off", reason_name(r.reason));
}

static int stop_running(struct thermo *r, void *ctx)
{
	(void)ctx;
	r->running = false;
	return 0;
}

int daemon_run(const struct thermo_settings *cfg)
{
	struct daemon d = { .cfg = cfg };
	enum { CONTROL, SENSOR, STATE, HISTORY, CLOCK, MQTT, NTHREADS };
	struct thread threads[NTHREADS] = {
		[CONTROL] = { .name = "control", .fn = control_thread },
		[SENSOR] = { .name = "sensor", .fn = sensor_thread },
		[STATE] = { .name = "state", .fn = state_thread },
		[HISTORY] = { .name = "history", .fn = history_thread },
		[CLOCK] = { .name = "clock", .fn = clock_thread },
		[MQTT] = { .name = "mqtt", .fn = mqtt_thread },
	};
	bool sensor_stopped = true, web_stopped = true, mqtt_stopped = true;
#ifdef THERMO_HAVE_MQTT
	bool mqtt_init = false;
#endif
	struct thermo init = thermo_defaults;
	int status = EXIT_STARTUP;
	double signalled = 0;
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
	d.relay = relay_open(&cfg->relay, err, sizeof(err));
	if (!d.relay) {
		log_err("relay: %s", err);
		return EXIT_STARTUP;
	}
	d.start = mono_now();

	if (mqtt_files(&d) < 0) {
		status = EXIT_CONFIG;
		goto out_relay;
	}
#ifdef THERMO_HAVE_MQTT
	if (cfg->mqtt.enabled)
		mqtt_init = mosquitto_lib_init() == MOSQ_ERR_SUCCESS;
#endif
	init.manual = cfg->setpoint;
	/* Checked when the configuration was read. */
	if (conf_program(cfg, &d.presets, &d.schedule, err, sizeof(err)) < 0) {
		log_err("%s", err);
		status = EXIT_CONFIG;
		goto out_relay;
	}
	memcpy(&init.presets, &d.presets, sizeof(init.presets));
	memcpy(&init.schedule, &d.schedule, sizeof(init.schedule));
	load_state(&d, &init);
	/* The configuration's setpoint, and a file saved under another
	 * setpoint_step: on this one. */
	program_round(&init, cfg->setpoint_step, cfg->limits.min,
		      cfg->limits.max);
	program_refresh(&init, (time_t)floor(wall_now()));
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
	d.sensor = sensor_open(&cfg->sensor, sim_heating,
			       &threads[SENSOR].arg.h, err, sizeof(err));
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
		if ((i != MQTT || cfg->mqtt.enabled) &&
		    start_thread(&d, &threads[i]) != 0)
			goto out_threads;
	log_info("running: setpoint %.2f C, mode %s, sensor %s, relay %s",
		 init.setpoint, mode_name(init.mode),
		 names_name(sensor_kind_names, (int)cfg->sensor.kind),
		 names_name(relay_kind_names, (int)cfg->relay.kind));

	sig = wait_for_signal(&set);
	signalled = mono_now();
	log_info("%s: stopping", strsignal(sig));
	status = EXIT_OK;

out_threads:
	notify_stopping();
	/* Closing the record ends every wait: each thread sees -ECANCELED
	 * and returns; the control thread turns the relay off first. */
	thermo_update(d.rec, stop_running, NULL);
	thermo_close(d.rec);
	for (int i = 0; i < NTHREADS; i++)
		if (!join_thread(&threads[i])) {
			if (i == SENSOR)
				sensor_stopped = false;
			if (i == MQTT)
				mqtt_stopped = false;
		}
	web_stopped = web_stop(d.web, WEB_STOP_WAIT_S);
	if (status == EXIT_OK)
		log_stopped(d.rec, signalled);
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
	explicit_bzero(d.mqtt_password, sizeof(d.mqtt_password));
#ifdef THERMO_HAVE_MQTT
	/* Not under an MQTT thread still in a connect (it exits with us). */
	if (mqtt_init && mqtt_stopped)
		mosquitto_lib_cleanup();
#else
	(void)mqtt_stopped;
#endif
	/* A web worker still reading a slow request holds CivetWeb's
	 * context: the relay is off and the state saved, so leave now,
	 * without the exit handlers that would wait for it or free what it
	 * uses. */
	if (!web_stopped)
		_exit(status);
	return status;
}
