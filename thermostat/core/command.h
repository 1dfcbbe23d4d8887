/* SPDX-License-Identifier: MIT */
/*
 * What a client asks the thermostat to change (a setpoint, a mode, the
 * runaway alarm cleared, the weekly program: presets, schedule, a hold, a
 * boost), and the one path by which every front end (the web API, the original
 * daemon's routes) writes it to the record.  The front end parses and
 * validates; this applies, under the record's lock.
 */
#ifndef THERMO_COMMAND_H
#define THERMO_COMMAND_H

#include <stdbool.h>
#include <stdint.h>

#include <time.h>

#include "core/record.h"
#include "core/schedule.h"

enum command_kind {
	/* A setpoint: without a schedule and a hold, the manual setpoint;
	 * otherwise a hold of it (the hold in place keeps its kind; none
	 * becomes one until the next switch point), and no boost. */
	COMMAND_SETPOINT,
	COMMAND_MODE,
	COMMAND_CLEAR_ALARM,	/* the runaway alarm: the heat may go on */
	/* A preset: held as COMMAND_SETPOINT holds a setpoint. */
	COMMAND_PRESET,
	COMMAND_HOLD,		/* hold (its since is set to now); no boost */
	COMMAND_CLEAR_HOLD,	/* back to the schedule: no hold, no boost */
	COMMAND_BOOST,		/* boost to setpoint for seconds */
	COMMAND_SCHEDULE,	/* the week */
	/* The presets: remap[i] is the new index of the old preset i, -1
	 * when it goes; the schedule and hold follow. */
	COMMAND_PRESETS,
};

struct command {
	enum command_kind kind;
	double setpoint;	/* SETPOINT, BOOST: degrees C, validated */
	enum thermo_mode mode;	/* MODE */
	int preset;		/* PRESET: an index of seen */
	double seconds;		/* BOOST */
	struct sched_hold hold;	/* HOLD */
	struct schedule schedule;	/* SCHEDULE */
	struct sched_presets presets;	/* PRESETS */
	int remap[SCHED_MAX_PRESETS];	/* PRESETS */
	/* PRESET, HOLD, SCHEDULE and PRESETS name presets by index: the
	 * indexes of the presets the client's names were looked up in.
	 * When the record's presets are no longer these, the command is
	 * refused (-EAGAIN): the names may mean other presets now. */
	struct sched_presets seen;
	time_t now;		/* the wall-clock time of the write */
};

/*
 * Applies @cmd to the record, and brings the program up to date at
 * @cmd->now (program_refresh): 1 when it changed the record, 0 when the
 * record already held that value, -EAGAIN when the presets changed since
 * the client's names were looked up (or a preset the schedule or hold
 * uses would go), -ESHUTDOWN once shutdown has begun
 * (the state thread makes its last save then: a later write would be
 * answered and lost), or the library's negative errno.  @seq (may be
 * NULL) gets the record's persist_seq after the write: the write is on
 * disk once the state thread's persist_tried reached it with state_ok.
 */
int command_apply(thermo_handle h, const struct command *cmd, uint64_t *seq);

#endif
