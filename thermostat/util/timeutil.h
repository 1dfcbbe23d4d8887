/* SPDX-License-Identifier: MIT */
/* Time as double seconds: CLOCK_MONOTONIC for everything the daemon
 * decides on; the wall clock only to show times to people. */
#ifndef THERMO_TIMEUTIL_H
#define THERMO_TIMEUTIL_H

#include <stdbool.h>
#include <time.h>

static inline double ts_to_s(struct timespec t)
{
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static inline struct timespec s_to_ts(double s)
{
	struct timespec t;

	t.tv_sec = (time_t)s;
	t.tv_nsec = (long)((s - (double)t.tv_sec) * 1e9);
	if (t.tv_nsec < 0) {
		t.tv_sec--;
		t.tv_nsec += 1000000000L;
	} else if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

static inline bool ts_is_zero(struct timespec t)
{
	return t.tv_sec == 0 && t.tv_nsec == 0;
}

static inline double mono_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ts_to_s(t);
}

static inline struct timespec mono_now_ts(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t;
}

/* The wall-clock time (seconds since the epoch) of monotonic time @mono. */
static inline double mono_to_wall(double mono)
{
	struct timespec w;

	clock_gettime(CLOCK_REALTIME, &w);
	return ts_to_s(w) - (mono_now() - mono);
}

#endif
