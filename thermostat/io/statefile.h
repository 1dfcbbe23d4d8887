/* SPDX-License-Identifier: MIT */
/*
 * The state file: setpoint and mode, and the weekly program (presets,
 * schedule, hold, boost), so they survive a restart.  Saved
 * atomically (temporary file in the same directory, fsync, rename, fsync
 * of the directory): after a crash at any moment the file holds the old or
 * the new state, never a mix.  A missing, corrupt or out-of-range file is
 * reported and the configuration's defaults are used.
 */
#ifndef THERMO_STATEFILE_H
#define THERMO_STATEFILE_H

#include <stddef.h>

#include "core/record.h"
#include "core/schedule.h"

/* Compared bytewise: fill it after a memset. */
struct saved_state {
	/* Setpoint and mode, when a client set them (without: the
	 * configuration's; a file may hold only the runtime). */
	bool has_setpoint;
	double setpoint;	/* degrees C: the manual setpoint */
	enum thermo_mode mode;
	/* The program, all of it or none (a file from before it had one):
	 * then the configuration's stands. */
	bool has_program;
	struct sched_presets presets;
	struct schedule schedule;
	struct sched_hold hold;
	struct sched_boost boost;
	/* Furnace runtime (all zero: none; a file from before it). */
	struct runtime runtime;
};

/* Pure: parses the file's bytes; checks the setpoint and the program's
 * temperatures against @limits (NULL: any finite one).  0, or -1 with
 * @err; a program with a key missing is refused like any other damage. */
int state_parse(const char *text, size_t n,
		const struct setpoint_limits *limits, struct saved_state *out,
		char *err, size_t len);
/* The file's text; returns its length (snprintf-style). */
int state_format(const struct saved_state *st, char *buf, size_t len);
/* 0; -ENOENT when there is no file (not an error); -1 with @err. */
int state_load(const char *path, const struct setpoint_limits *limits,
	       struct saved_state *out, char *err, size_t len);
/* 0, or -1 with @err (nothing replaced: the old file stays intact). */
int state_save(const char *path, const struct saved_state *st, char *err,
	       size_t len);

#endif
