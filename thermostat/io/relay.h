/* SPDX-License-Identifier: MIT */
/*
 * The furnace relay: open drives it OFF, set switches it, close leaves it
 * OFF.  gpiod: one output line through libgpiod (v1 or v2 API, chosen at
 * configure time), consumer "thermostat", active-low optional.  sim: logs.
 */
#ifndef THERMO_RELAY_H
#define THERMO_RELAY_H

#include <stdbool.h>
#include <stddef.h>

#include "util/names.h"

enum relay_kind { RELAY_GPIOD = 0, RELAY_SIM };
/* "gpiod", "sim": the configuration's and the log's names. */
extern const struct name_value relay_kind_names[];

struct relay_settings {
	enum relay_kind kind;
	char gpio_chip[64];	/* "gpiochip0" or "/dev/gpiochip0" */
	unsigned gpio_line;	/* line offset (BCM 17 on a Pi) */
	bool active_low;	/* the relay closes on a low level */
	double retry;		/* seconds between retries of a failed set */
	char sim_fail_file[256]; /* sim: writes fail while it exists */
};

struct relay;

/* Returns NULL with @err set when the relay cannot be opened or driven
 * OFF: a startup error. */
struct relay *relay_open(const struct relay_settings *set, char *err,
			 size_t len);
/* 0, or -1 with @err set (the caller retries and shows the error). */
int relay_set(struct relay *r, bool on, char *err, size_t len);
/* Drives OFF (best effort, logged) and releases the line.  NULL is ok. */
void relay_close(struct relay *r);

#endif
