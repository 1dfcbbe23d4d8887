/* SPDX-License-Identifier: MIT */
/*
 * A fake libgpiod, linked in place of the real one with -Wl,--wrap: the
 * relay's call to gpiod_X lands in __wrap_gpiod_X here.  It models one
 * chip with one line, records every call, and fails calls on request.
 */
#ifndef TESTS_FAKE_GPIOD_H
#define TESTS_FAKE_GPIOD_H

#include <stdbool.h>

/* Every call so far, in order, one "name(arguments)" per line; names drop
 * the gpiod_ prefix. */
const char *fake_gpiod_calls(void);
/* Forgets calls, failures and the line's state. */
void fake_gpiod_reset(void);
/* The next @count calls of @name (as in the log, without arguments) fail
 * with errno @e. */
void fake_gpiod_fail(const char *name, int e, int count);
/* The line: requested as an output by the relay, and its logical value
 * (-1 before any request). */
bool fake_gpiod_requested(void);
int fake_gpiod_value(void);
/* Objects the fake allocated and nobody freed or released yet. */
int fake_gpiod_live_objects(void);

#endif
