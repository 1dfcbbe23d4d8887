/* SPDX-License-Identifier: MIT */
#include <config.h>
#include <errno.h>

#include "core/command.h"

struct apply {
	const struct command *cmd;
	bool changed;
	uint64_t seq;
};

static int apply(struct thermo *t, void *ctx)
{
	struct apply *a = ctx;

	/* Once shutdown began (running false, then the record closed) the
	 * state thread makes its last save.  Checked under the record's
	 * lock, so every write either lands before that save or is
	 * refused. */
	if (!t->running)
		return -ESHUTDOWN;
	switch (a->cmd->kind) {
	case COMMAND_SETPOINT:
		a->changed = t->setpoint != a->cmd->setpoint;
		t->setpoint = a->cmd->setpoint;
		break;
	case COMMAND_MODE:
		a->changed = t->mode != a->cmd->mode;
		t->mode = a->cmd->mode;
		break;
	case COMMAND_CLEAR_ALARM:
		/* The control thread wakes on it, decides as usual and,
		 * should the run still not heat, trips again. */
		a->changed = t->runaway;
		t->runaway = false;
		break;
	default:
		return -EINVAL;
	}
	/* Setpoint and mode live in the state file; an alarm does not. */
	if (a->changed && a->cmd->kind != COMMAND_CLEAR_ALARM)
		t->persist_seq++;
	a->seq = t->persist_seq;
	return 0;
}

int command_apply(thermo_handle h, const struct command *cmd, uint64_t *seq)
{
	struct apply a = { cmd, false, 0 };
	int rc = thermo_update(h, apply, &a);

	if (seq)
		*seq = a.seq;
	return rc < 0 ? rc : a.changed;
}
