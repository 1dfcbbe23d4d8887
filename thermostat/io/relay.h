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

#include "conf/settings.h"

struct relay;

/* Returns NULL with @err set when the relay cannot be opened or driven
 * OFF: a startup error. */
struct relay *relay_open(const struct thermo_config *cfg, char *err,
			 size_t len);
/* 0, or -1 with @err set (the caller retries and shows the error). */
int relay_set(struct relay *r, bool on, char *err, size_t len);
/* Drives OFF (best effort, logged) and releases the line.  NULL is ok. */
void relay_close(struct relay *r);

#endif
