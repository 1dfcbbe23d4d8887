/* SPDX-License-Identifier: MIT */
/*
 * The daemon: opens the relay (OFF) and the sensor, loads the saved state,
 * starts the sensor, control and state threads (and the web server), and
 * waits for SIGINT or SIGTERM.  The threads share nothing but the record;
 * shutdown closes the record, which ends every wait at once.
 */
#ifndef THERMO_DAEMON_H
#define THERMO_DAEMON_H

#include "conf/settings.h"

/* Exit statuses (documented in thermostat(8)). */
enum {
	EXIT_OK = 0,		/* stopped by SIGINT/SIGTERM, relay off */
	EXIT_STARTUP = 1,	/* relay, sensor or web server failed to start */
	EXIT_CONFIG = 2,	/* bad configuration or command line */
};

/* Runs until SIGINT/SIGTERM; returns an exit status.  The relay is OFF on
 * every return path. */
int daemon_run(const struct thermo_settings *cfg);

#endif
