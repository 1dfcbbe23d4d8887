/* SPDX-License-Identifier: MIT */
/* Time as double seconds: CLOCK_MONOTONIC for everything the daemon
 * decides on; the wall clock only to show times to people, and for the
 * deadlines of calls that take one (pthread_timedjoin_np). */
#ifndef THERMO_TIMEUTIL_H
#define THERMO_TIMEUTIL_H

#include <math.h>
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

/* @t plus @s seconds (s >= 0). */
static inline struct timespec ts_add(struct timespec t, double s)
{
	struct timespec d = s_to_ts(s);

	t.tv_sec += d.tv_sec;
	t.tv_nsec += d.tv_nsec;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}

/* @s seconds from now on @clock, as an absolute time. */
static inline struct timespec deadline_after(clockid_t clock, double s)
{
	struct timespec t;

	clock_gettime(clock, &t);
	return ts_add(t, s);
}

/*
 * Milliseconds from @now until @deadline (seconds, on one clock) for a
 * wait: rounded up, so that a wait never ends before the deadline; 0 once
 * it has passed; at most an hour (also for INFINITY: wait again then).
 */
static inline int ms_until(double deadline, double now)
{
	double ms = (deadline - now) * 1000.0;

	if (!(ms > 0))
		return 0;
	return ms > 3600e3 ? 3600 * 1000 : (int)ceil(ms);
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

/* The wall-clock time, seconds since the epoch (CLOCK_REALTIME). */
static inline double wall_now(void)
{
	struct timespec w;

	clock_gettime(CLOCK_REALTIME, &w);
	return ts_to_s(w);
}

/* The wall-clock time (seconds since the epoch) of monotonic time @mono. */
static inline double mono_to_wall(double mono)
{
	struct timespec w;

	clock_gettime(CLOCK_REALTIME, &w);
	return ts_to_s(w) - (mono_now() - mono);
}

#endif
