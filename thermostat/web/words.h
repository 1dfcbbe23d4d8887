/* SPDX-License-Identifier: MIT */
/*
 * What the thermostat is doing, in a sentence a person understands
 * ("Heating to 21.0 C (Comfort) until 22:00, then Eco.", "Waiting 2 more
 * minutes before heating again to protect the furnace."): the state
 * route's "summary", which the page shows.  Pure: the caller passes the
 * record, the monotonic time and the wall-clock time.
 */
#ifndef THERMO_WEB_WORDS_H
#define THERMO_WEB_WORDS_H

#include <stddef.h>
#include <time.h>

#include "conf/settings.h"
#include "core/record.h"

void words_summary(const struct thermo *r, const struct thermo_settings *cfg,
		   double now, time_t wall, char *buf, size_t len);

/* Seconds until the rest (min_off, after max_on) or the run (min_on)
 * that holds the relay ends; negative when none does. */
double words_wait(const struct thermo *r, const struct thermo_settings *cfg,
		  double now);

/* "22:00", "tomorrow 06:30", "Sunday 18:00" (within a week), "13 Dec
 * 18:00": when @t is, seen from @wall, in local time. */
void words_when(time_t t, time_t wall, char *buf, size_t len);

#endif
