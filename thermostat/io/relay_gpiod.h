/* SPDX-License-Identifier: MIT */
/*
 * The libgpiod relay backend, private to relay.c (and to the relay test,
 * which links it against a fake libgpiod).  Same contract as relay.h:
 * open requests the line as an output driven OFF, set is logical (the
 * library applies active-low), close drives OFF and releases.  Every
 * error message names the chip and the line and says strerror(errno).
 */
#ifndef THERMO_RELAY_GPIOD_H
#define THERMO_RELAY_GPIOD_H

#include <stdbool.h>
#include <stddef.h>

struct relay_gpiod;

/* Returns NULL with @err set on failure. */
struct relay_gpiod *relay_gpiod_open(const char *chip, unsigned line,
				     bool active_low, char *err, size_t len);
int relay_gpiod_set(struct relay_gpiod *g, bool on, char *err, size_t len);
/* Drives OFF (a failure is logged at error level), releases, frees. */
void relay_gpiod_close(struct relay_gpiod *g);

#endif
