/* SPDX-License-Identifier: MIT */
/*
 * What a client asks the thermostat to change (a setpoint, a mode, the
 * runaway alarm cleared), and
 * the one path by which every front end (the web API, the original
 * daemon's routes) writes it to the record.  The front end parses and
 * validates; this applies, under the record's lock.
 */
#ifndef THERMO_COMMAND_H
#define THERMO_COMMAND_H

#include <stdbool.h>
#include <stdint.h>

#include "core/record.h"

enum command_kind {
	COMMAND_SETPOINT,
	COMMAND_MODE,
	COMMAND_CLEAR_ALARM,	/* the runaway alarm: the heat may go on */
};

struct command {
	enum command_kind kind;
	double setpoint;	/* COMMAND_SETPOINT: degrees C, validated */
	enum thermo_mode mode;	/* COMMAND_MODE */
};

/*
 * Applies @cmd to the record: 1 when it changed the record, 0 when the
 * record already held that value, -ESHUTDOWN once shutdown has begun
 * (the state thread makes its last save then: a later write would be
 * answered and lost), or the library's negative errno.  @seq (may be
 * NULL) gets the record's persist_seq after the write: the write is on
 * disk once the state thread's persist_tried reached it with state_ok.
 */
int command_apply(thermo_handle h, const struct command *cmd, uint64_t *seq);

#endif
