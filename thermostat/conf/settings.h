/* SPDX-License-Identifier: MIT */
/*
 * The daemon's settings: what thermostat.conf and the command line say,
 * once conf/ has read and checked them (conf/conf.h).  Each part that has
 * settings of its own (sensor, relay, control) defines their struct in
 * its own header; this one puts them together with the daemon-wide ones.
 * Every member is a key of thermostat.conf(5) (conf/keys.h lists them).
 */
#ifndef THERMO_SETTINGS_H
#define THERMO_SETTINGS_H

#include <stdbool.h>

#include "core/control.h"
#include "core/record.h"
#include "core/schedule.h"
#include "io/relay.h"
#include "io/sensor.h"
#include "log.h"
#include "mqtt/mqtt.h"

/* Built from configure's sysconfdir and localstatedir (THERMO_CPPFLAGS,
 * thermostat/local.mk): /etc and /var in the Debian package, under the
 * prefix otherwise, where make install puts the example and the state
 * directory. */
#if !defined(THERMO_SYSCONFDIR) || !defined(THERMO_LOCALSTATEDIR)
#error "THERMO_SYSCONFDIR and THERMO_LOCALSTATEDIR: build with thermostat/local.mk's THERMO_CPPFLAGS"
/*
 * The presets and schedule of @c, parsed and checked (names, order, the
 * presets the schedule names, temperatures within min_setpoint..
 * max_setpoint) and rounded to setpoint_step.  0, or -1 with @err naming
 * the key.  (conf/program.c)
 */
int conf_program(const struct thermo_settings *c, struct sched_presets *ps,
		 struct schedule *s, char *err, size_t len);

#endif
#define THERMO_DEFAULT_CONFIG THERMO_SYSCONFDIR "/thermostat/thermostat.conf"
#define THERMO_DEFAULT_STATE THERMO_LOCALSTATEDIR "/lib/thermostat/state"

struct thermo_settings {
	struct sensor_settings sensor;
	struct relay_settings relay;
	struct control_config control;
	double setpoint;	/* the default, until a saved one is loaded */
	double setpoint_step;	/* setpoints are multiples of this */
	/* the weekly program until one is saved (conf_program() parses) */
	char presets[160];
	char schedule[7][160];
	struct setpoint_limits limits;	/* what clients may set */
	char units;		/* 'C' or 'F': how people see temperatures */
	/* state and logging */
	char state_file[256];
	enum log_level log_level;
	/* web */
	char listen[64];	/* "127.0.0.1:8080" */
	char server_names[160];	/* more Host names answered to */
	int num_threads;
	int request_timeout_ms;		/* headers, and any one wait */
	int body_timeout_ms;		/* a whole body */
	int keep_alive_timeout_ms;	/* 0: no keep-alive */
	int keep_alive_max_requests;
	int max_connections_per_client;	/* 0: no limit */
	char access_control_list[256];
	char password_file[256];	/* htdigest file; "" for none */
	char auth_realm[64];
	double auth_nonce_lifetime;	/* seconds a digest nonce is good for */
	int auth_max_failures;		/* failed logins per window, per client */
	double auth_failure_window;	/* seconds; also how long the wait is */
	bool auth_reads;		/* authenticate reads too */
	bool compat_routes;		/* the original daemon's routes */
	int history_minutes;		/* how much history to keep */
	int history_interval;		/* seconds between history points */
	struct mqtt_settings mqtt;	/* the broker, Home Assistant */
};

/*
 * The presets and schedule of @c, parsed and checked (names, order, the
 * presets the schedule names, temperatures within min_setpoint..
 * max_setpoint) and rounded to setpoint_step.  0, or -1 with @err naming
 * the key.  (conf/program.c)
 */
int conf_program(const struct thermo_settings *c, struct sched_presets *ps,
		 struct schedule *s, char *err, size_t len);

#endif
