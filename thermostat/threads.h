/* SPDX-License-Identifier: MIT */
/*
 * The daemon's threads, each with one job and a file of its own
 * (thread_*.c), meeting only in the record:
 *   sensor   reads the temperature every sensor_interval
 *   control  decides (core/control.c) and drives the relay; sleeps on the
 *            record until something it depends on changes or a decision
 *            is due
 *   state    saves setpoint, mode and the weekly program when they
 *            change
 *   clock    notices wall-clock jumps (the program is local time)
 *   history  appends a point to the history every history_interval
 *   mqtt     publishes the state on a broker and takes commands from it
 *            (mqtt = yes only; mqtt/mqtt.h)
 * (CivetWeb's workers are the web server's, web/.)  Every thread holds its
 * own reference to the record and returns when the record is closed.
 */
#ifndef THERMO_THREADS_H
#define THERMO_THREADS_H

#include <stdbool.h>

#include "conf/settings.h"
#include "core/history.h"
#include "core/record.h"

/* The control thread decides at least this often (watchdog, liveness);
 * the program follows a wall-clock jump the clock thread cannot see
 * within this time. */
#define CONTROL_HEARTBEAT_S 10.0

/* What the threads share besides the record: set up before they start,
 * not changed while they run. */
struct daemon {
	const struct thermo_settings *cfg;
	thermo_handle rec;
	history_handle hist;
	struct web *web;
	struct sensor *sensor;
	struct relay *relay;	/* used by the control thread only */
	double start;		/* CLOCK_MONOTONIC, when the relay went OFF */
	/* The configuration's program: the state file saves one only when
	 * the record's differs from it (or holds or boosts). */
	struct sched_presets presets;
	struct schedule schedule;
	/* The state file at start held a setpoint and mode (a client's):
	 * they stay in it. */
	bool setpoint_saved;
	/* The broker password, from mqtt_password_file ("" for none). */
	char mqtt_password[256];
};

/* A thread's start argument: the daemon, and the thread's own reference
 * (which the thread releases). */
struct thread_arg {
	struct daemon *d;
	thermo_handle h;
};

void *sensor_thread(void *arg);
void *control_thread(void *arg);
void *state_thread(void *arg);
void *history_thread(void *arg);
void *clock_thread(void *arg);
void *mqtt_thread(void *arg);

/* For the sim sensor: whether the furnace runs, through @ctx, a
 * thermo_handle pointer. */
bool sim_heating(void *ctx);

#endif
