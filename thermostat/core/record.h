/* SPDX-License-Identifier: MIT */
/*
 * The one record the thermostat's threads share.  Sensor, control, state
 * and web threads meet only here, through the generated accessors.  Times
 * are CLOCK_MONOTONIC; a zero timespec means "never".
 */
#ifndef THERMO_RECORD_H
#define THERMO_RECORD_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <sharedstate.h>

#include "core/runtime.h"
#include "core/schedule.h"

enum thermo_mode {
	MODE_OFF = 0,	/* never heat */
	MODE_HEAT = 1,	/* hold the setpoint */
};

enum sensor_status {
	SENSOR_STARTING = 0,	/* no reading yet */
	SENSOR_OK,		/* the last read gave a valid temperature */
	SENSOR_ERROR,		/* the last read failed; the reading is still fresh */
	SENSOR_STALE,		/* no valid reading for sensor_timeout */
};

/* Why the relay is in its state (control.c names and explains them). */
enum thermo_reason {
	REASON_START = 0,	/* off at start, nothing decided yet */
	REASON_MODE_OFF,	/* mode is off */
	REASON_SENSOR_STALE,	/* no valid reading for sensor_timeout: off */
	REASON_RUNAWAY,		/* heated runaway_time without a rise: off,
				 * until the alarm clears */
	REASON_MAX_ON,		/* on for max_on: forced off */
	REASON_MIN_ON,		/* warm enough, but held on for min_on */
	REASON_MIN_OFF,		/* cold, but held off for min_off */
	REASON_COLD,		/* at or below setpoint - cold_tolerance: on */
	REASON_WARM,		/* at or above setpoint + hot_tolerance: off */
	REASON_HOLD_ON,		/* inside the band, was heating: stays on */
	REASON_HOLD_OFF,	/* inside the band, was idle: stays off */
	REASON_RELAY_ERROR,	/* the relay could not be driven */
	REASON_SHUTDOWN,	/* the daemon is stopping: off */
};
#define REASON_COUNT (REASON_SHUTDOWN + 1)

/* The link to the MQTT broker (thread_mqtt.c), for /healthz and
 * /metrics. */
enum mqtt_link {
	MQTT_OFF = 0,		/* mqtt = no (or no MQTT in this build) */
	MQTT_CONNECTING,	/* trying, not yet connected */
	MQTT_UP,		/* connected: state published, commands taken */
	MQTT_DOWN,		/* lost or refused: retrying with backoff */
};

/* The setpoints a client may ask for, degrees C, both included. */
struct setpoint_limits {
	double min, max;
};

#define THERMO_FIELDS(X)                                                     \
	/* false once shutdown has begun */                                  \
	X(bool, running, true)                                               \
	/* degrees C; NAN when unknown or stale */                           \
	X(double, temperature, NAN)                                          \
	/* when the last valid reading was taken */                          \
	X(struct timespec, temperature_at, { 0 })                            \
	X(enum sensor_status, sensor_status, SENSOR_STARTING)                \
	/* failed reads since start, and the last failure */                 \
	X(unsigned, sensor_errors, 0)                                        \
	X(ss_str64, sensor_error, { "" })                                    \
	/* when the sensor thread last tried a read (liveness) */            \
	X(struct timespec, sensor_at, { 0 })                                 \
	/* degrees C, within the configured bounds: the effective setpoint, \
	 * what the weekly program gives now (core/program.h) */            \
	X(double, setpoint, 20.0)                                            \
	/* the setpoint when the schedule has no switch point and nothing   \
	 * is held (saved) */                                               \
	X(double, manual, 20.0)                                              \
	/* the weekly program (core/schedule.h; saved); no hold and no      \
	 * boost are all zero */                                            \
	X(struct sched_presets, presets, { .n = 0 })                         \
	X(struct schedule, schedule, { .day = { { .n = 0 } } })              \
	X(struct sched_hold, hold, { .kind = HOLD_NONE })                    \
	X(struct sched_boost, boost, { .until = 0 })                         \
	/* why the setpoint is what it is, until when, and the schedule's   \
	 * next switch point: sched_target() at the last refresh */         \
	X(struct sched_target, target, { .temp = 0 })                        \
	/* wall-clock jumps seen (the clock thread): the program is         \
	 * evaluated again at once */                                       \
	X(unsigned, clock_jumps, 0)                                          \
	X(enum thermo_mode, mode, MODE_HEAT)                                 \
	/* the relay's state as last driven */                               \
	X(bool, heating, false)                                              \
	X(struct timespec, relay_changed_at, { 0 })                          \
	X(enum thermo_reason, reason, REASON_START)                          \
	X(unsigned, relay_switches, 0)                                       \
	/* furnace on-time and runs per local day, and in total (saved,     \
	 * every RUNTIME_SAVE_S at most: thread_state.c) */                  \
	X(struct runtime, runtime, { .total_seconds = 0 })                   \
	/* failed relay writes since start; relay_ok: the last one worked */ \
	X(unsigned, relay_errors, 0)                                         \
	X(bool, relay_ok, true)                                              \
	/* when the control thread last decided (liveness) */                \
	X(struct timespec, control_at, { 0 })                                \
	/* runaway protection (core/control.h): the alarm (the heat stays    \
	 * off while it is raised); when the last trip was and the reading   \
	 * then; the trips since start */                                    \
	X(bool, runaway, false)                                              \
	X(struct timespec, runaway_at, { 0 })                                \
	X(double, runaway_temperature, NAN)                                  \
	X(unsigned, runaway_trips, 0)                                        \
	/* while heating, the run's progress baseline: a reading, and when   \
	 * it was taken (or the run began); zero when idle */                \
	X(double, progress_temperature, NAN)                                 \
	X(struct timespec, progress_at, { 0 })                               \
	/* persistence of setpoint and mode: the last save worked; failures */ \
	X(bool, state_ok, true)                                              \
	X(unsigned, state_errors, 0)                                         \
	/* writes of setpoint or mode that changed them (command_apply), and \
	 * how many of those the state thread has tried to save; saver: a   \
	 * state thread runs (a write's answer waits for its try) */         \
	X(uint64_t, persist_seq, 0)                                          \
	/* writes that changed the presets or the schedule (a page re-reads \
	 * them when it moves) */                                            \
	X(uint64_t, program_seq, 0)                                          \
	X(uint64_t, persist_tried, 0)                                        \
	X(bool, saver, false)                                                \
	/* the MQTT client (thread_mqtt.c): the link, why it is not up,     \
	 * connections made, commands applied and refused */                 \
	X(enum mqtt_link, mqtt_link, MQTT_OFF)                               \
	X(ss_str64, mqtt_error, { "" })                                      \
	X(unsigned, mqtt_connects, 0)                                        \
	X(unsigned, mqtt_commands, 0)                                        \
	X(unsigned, mqtt_rejected, 0)

SS_RECORD_DECLARE(thermo, THERMO_FIELDS);

/* Fields whose change the control thread must act on at once. */
#define THERMO_CONTROL_MASK                                                  \
	(SS_MASK(thermo, setpoint) | SS_MASK(thermo, mode) |                  \
	 SS_MASK(thermo, temperature) | SS_MASK(thermo, temperature_at) |     \
	 SS_MASK(thermo, sensor_status) | SS_MASK(thermo, running) |          \
	 SS_MASK(thermo, runaway) | SS_MASK(thermo, target) |                \
	 SS_MASK(thermo, clock_jumps))

/* Fields that are saved to the state file. */
#define THERMO_PERSIST_MASK                                                  \
	(SS_MASK(thermo, manual) | SS_MASK(thermo, mode) |                    \
	 SS_MASK(thermo, presets) | SS_MASK(thermo, schedule) |               \
	 SS_MASK(thermo, hold) | SS_MASK(thermo, boost))

const char *mode_name(enum thermo_mode mode);
int mode_from_name(const char *name, enum thermo_mode *out);
const char *sensor_status_name(enum sensor_status status);
const char *mqtt_link_name(enum mqtt_link link);

#endif
