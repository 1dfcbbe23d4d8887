/* SPDX-License-Identifier: MIT */
/*
 * The control decision: a pure function of the time, what the record says
 * and the configuration.  No I/O, no clock, no threads: tests run
 * simulated weeks through it in milliseconds.
 */
#ifndef THERMO_CONTROL_H
#define THERMO_CONTROL_H

#include <stdbool.h>

#include "config.h"
#include "record.h"

struct control_input {
	double now;		 /* CLOCK_MONOTONIC seconds */
	double start;		 /* when the daemon started (relay driven off) */
	double temperature;	 /* degrees C; NAN when unknown */
	double temperature_at;	 /* when it was read; 0: never */
	double setpoint;	 /* degrees C */
	enum thermo_mode mode;
	bool heating;		 /* the relay now */
	double relay_changed_at; /* when it last switched; 0: never */
};

struct control_output {
	bool heat;		 /* what the relay should be */
	enum thermo_reason reason;
	double next;		 /* decide again by then at the latest
				  * (absolute; INFINITY: only on a change) */
};

/*
 * The rules, in order of precedence:
 *  1. mode off: off at once (overrides min_on);
 *  2. no valid reading within sensor_timeout: off at once (overrides
 *     min_on);
 *  3. on for max_on (when max_on > 0): off at once;
 *  4. heating and at or above setpoint + hot_tolerance: off, once it has
 *     been on for min_on;
 *  5. idle and at or below setpoint - cold_tolerance: on, once it has been
 *     off for min_off (counted from start when it never switched);
 *  6. otherwise keep the current state (hysteresis).
 */
void control_decide(const struct control_input *in,
		    const struct control_config *cfg,
		    struct control_output *out);

/* Is the reading fresh at in->now? */
bool control_reading_fresh(const struct control_input *in,
			   const struct control_config *cfg);

/* "min_off"...; and a sentence for people. */
const char *reason_name(enum thermo_reason reason);
const char *reason_text(enum thermo_reason reason);

#endif
