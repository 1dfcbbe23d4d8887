/* SPDX-License-Identifier: MIT */
#include <config.h>
#include <errno.h>
#include <string.h>

#include "core/command.h"
#include "core/program.h"

struct apply {
	const struct command *cmd;
	bool changed;
	uint64_t seq;
};

/* The saved part of the record, to tell whether a write changed it. */
struct saved {
	double manual;
	enum thermo_mode mode;
	struct sched_presets presets;
	struct schedule schedule;
	struct sched_hold hold;
	struct sched_boost boost;
};

static void saved_of(struct saved *s, const struct thermo *t)
{
	memset(s, 0, sizeof(*s));
	s->manual = t->manual;
	s->mode = t->mode;
	memcpy(&s->presets, &t->presets, sizeof(s->presets));
	memcpy(&s->schedule, &t->schedule, sizeof(s->schedule));
	memcpy(&s->hold, &t->hold, sizeof(s->hold));
	memcpy(&s->boost, &t->boost, sizeof(s->boost));
}

/* Holds @preset or @temp as a setpoint written by hand is held. */
static void hold_target(struct thermo *t, int preset, double temp, time_t now)
{
	struct sched_hold h;

	memset(&h, 0, sizeof(h));
	h.kind = t->hold.kind != HOLD_NONE ? t->hold.kind : HOLD_NEXT;
	h.preset = preset;
	h.temp = preset >= 0 ? 0 : temp;
	h.since = now;
	h.until = h.kind == HOLD_UNTIL ? t->hold.until : 0;
	memcpy(&t->hold, &h, sizeof(h));
	memset(&t->boost, 0, sizeof(t->boost));
}

static bool uses_index(const struct command *cmd)
{
	switch (cmd->kind) {
	case COMMAND_PRESET:
	case COMMAND_SCHEDULE:
	case COMMAND_PRESETS:
		return true;
	case COMMAND_HOLD:
		return cmd->hold.preset >= 0;
	default:
		return false;
	}
}

/* The presets of @cmd with the schedule and hold following them; -EAGAIN
 * when a preset in use would go. */
static int apply_presets(struct thermo *t, const struct command *cmd)
{
	struct schedule s;
	struct sched_hold h;

	memcpy(&s, &t->schedule, sizeof(s));
	memcpy(&h, &t->hold, sizeof(h));
	for (int d = 0; d < 7; d++)
		for (size_t i = 0; i < s.day[d].n; i++) {
			int *p = &s.day[d].pt[i].preset;

			if (*p < 0)
				continue;
			if (*p >= SCHED_MAX_PRESETS || cmd->remap[*p] < 0)
				return -EAGAIN;
			*p = cmd->remap[*p];
		}
	if (h.kind != HOLD_NONE && h.preset >= 0) {
		if (h.preset >= SCHED_MAX_PRESETS || cmd->remap[h.preset] < 0)
			return -EAGAIN;
		h.preset = cmd->remap[h.preset];
	}
	memcpy(&t->presets, &cmd->presets, sizeof(t->presets));
	memcpy(&t->schedule, &s, sizeof(s));
	memcpy(&t->hold, &h, sizeof(h));
	return 0;
}

static int apply(struct thermo *t, void *ctx)
{
	struct apply *a = ctx;
	const struct command *cmd = a->cmd;
	struct saved before, after;
	bool alarm = false;

	/* Once shutdown began (running false, then the record closed) the
	 * state thread makes its last save.  Checked under the record's
	 * lock, so every write either lands before that save or is
	 * refused. */
	if (!t->running)
		return -ESHUTDOWN;
	if (uses_index(cmd) &&
	    memcmp(&t->presets, &cmd->seen, sizeof(t->presets)) != 0)
		return -EAGAIN;
	saved_of(&before, t);
	switch (cmd->kind) {
	case COMMAND_SETPOINT:
		if (!program_has_points(&t->schedule) &&
		    t->hold.kind == HOLD_NONE && t->boost.until == 0)
			t->manual = cmd->setpoint;
		else
			hold_target(t, -1, cmd->setpoint, cmd->now);
		break;
	case COMMAND_MODE:
		t->mode = cmd->mode;
		break;
	case COMMAND_CLEAR_ALARM:
		/* The control thread wakes on it, decides as usual and,
		 * should the run still not heat, trips again. */
		alarm = t->runaway;
		t->runaway = false;
		break;
	case COMMAND_PRESET:
		hold_target(t, cmd->preset, 0, cmd->now);
		break;
	case COMMAND_HOLD:
		memcpy(&t->hold, &cmd->hold, sizeof(t->hold));
		t->hold.since = cmd->now;
		memset(&t->boost, 0, sizeof(t->boost));
		break;
	case COMMAND_CLEAR_HOLD:
		memset(&t->hold, 0, sizeof(t->hold));
		memset(&t->boost, 0, sizeof(t->boost));
		break;
	case COMMAND_BOOST:
		memset(&t->boost, 0, sizeof(t->boost));
		t->boost.temp = cmd->setpoint;
		t->boost.until = cmd->now + (time_t)cmd->seconds;
		break;
	case COMMAND_SCHEDULE:
		memcpy(&t->schedule, &cmd->schedule, sizeof(t->schedule));
		break;
	case COMMAND_PRESETS:
		if (apply_presets(t, cmd) < 0)
			return -EAGAIN;
		break;
	default:
		return -EINVAL;
	}
	program_refresh(t, cmd->now);
	saved_of(&after, t);
	a->changed = alarm || memcmp(&before, &after, sizeof(before)) != 0;
	/* What lives in the state file; an alarm does not. */
	if (a->changed && !alarm)
		t->persist_seq++;
	if (memcmp(&before.presets, &after.presets, sizeof(after.presets)) ||
	    memcmp(&before.schedule, &after.schedule, sizeof(after.schedule)))
		t->program_seq++;
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
