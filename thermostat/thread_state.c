/* SPDX-License-Identifier: MIT */
/*
 * The state thread (threads.h): saves setpoint, mode, the weekly program
 * and the runtime to the state file (io/statefile.c) when they change.
 */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <string.h>

#include "core/program.h"
#include "io/statefile.h"
#include "log.h"
#include "threads.h"

/* A failed state save is retried this often. */
#define STATE_RETRY_S 30.0
/* The furnace's runtime changes while it runs: saved this often at most
 * (an SD card is not written every few seconds), and at shutdown. */
#define RUNTIME_SAVE_S 600.0

struct state_result {
	bool saved;		/* a save was tried... */
	bool ok;		/* ...and worked */
	uint64_t seq;		/* the writes it covers */
	int saver;		/* 1, 0: the thread starts, ends; -1 neither */
};

static int apply_state_result(struct thermo *r, void *ctx)
{
	const struct state_result *sr = ctx;

	if (sr->saved) {
		r->state_ok = sr->ok;
		if (!sr->ok)
			r->state_errors++;
	}
	if (sr->seq > r->persist_tried)
		r->persist_tried = sr->seq;
	if (sr->saver >= 0)
		r->saver = sr->saver;
	return 0;
}

/* What the state file is to hold for @r: setpoint and mode, and the
 * program, only when they are not the configuration's (a setpoint or a
 * schedule edited in thermostat.conf then takes effect at the next start,
 * until one is set through the API), and the runtime. */
static void state_of(const struct daemon *d, const struct thermo *r,
		     struct saved_state *st)
{
	const struct thermo_settings *c = d->cfg;

	memset(st, 0, sizeof(*st));
	st->has_setpoint = d->setpoint_saved || r->mode != MODE_HEAT ||
			   r->manual != setpoint_round(c->setpoint,
						       c->setpoint_step,
						       c->limits.min,
						       c->limits.max);
	if (st->has_setpoint) {
		st->setpoint = r->manual;
		st->mode = r->mode;
	}
	memcpy(&st->runtime, &r->runtime, sizeof(st->runtime));
	st->has_program =
		memcmp(&r->presets, &d->presets, sizeof(d->presets)) != 0 ||
		memcmp(&r->schedule, &d->schedule, sizeof(d->schedule)) != 0 ||
		r->hold.kind != HOLD_NONE || r->boost.until != 0;
	if (!st->has_program)
		return;
	memcpy(&st->presets, &r->presets, sizeof(st->presets));
	memcpy(&st->schedule, &r->schedule, sizeof(st->schedule));
	memcpy(&st->hold, &r->hold, sizeof(st->hold));
	memcpy(&st->boost, &r->boost, sizeof(st->boost));
}

static bool same_state(const struct saved_state *a, const struct saved_state *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

void *state_thread(void *arg)
{
	struct thread_arg *ta = arg;
	const char *path = ta->d->cfg->state_file;
	struct saved_state saved, want;
	struct state_result sr = { .saver = 1 };
	bool failing = false, closed = false, save_now;
	uint64_t seen;
	struct thermo r;
	char err[256];

	thermo_read(ta->h, &r, &seen);
	state_of(ta->d, &r, &saved);
	/* Writes wait for their save from here on. */
	thermo_update(ta->h, apply_state_result, &sr);
	sr.saver = -1;
	/* A state file that could not be read is replaced at once by the
	 * state in use; so is the file when a write landed before this
	 * first read (the web server starts first): then the record's state
	 * is not the file's. */
	save_now = !r.state_ok || r.persist_seq != 0;
	while (!closed) {
		/* The runtime is no field of the mask: looked at every
		 * RUNTIME_SAVE_S. */
		if (!save_now)
			closed = thermo_wait(ta->h, &seen, THERMO_PERSIST_MASK,
					     (int)((failing ? STATE_RETRY_S
							    : RUNTIME_SAVE_S) *
						   1000)) == -ECANCELED;
		thermo_read(ta->h, &r, NULL);
		state_of(ta->d, &r, &want);
		sr.seq = r.persist_seq;
		sr.saved = !same_state(&want, &saved) || failing || save_now;
		save_now = false;
		if (sr.saved) {
			sr.ok = state_save(path, &want, err, sizeof(err)) == 0;
			if (sr.ok && failing)
				log_info("state: saved to %s again", path);
			else if (sr.ok)
				log_debug("state: saved setpoint %.2f C, mode %s%s",
					  want.setpoint, mode_name(want.mode),
					  want.has_program ? ", program" : "");
			else if (!failing)
				log_err("state: %s (setpoint, mode and program "
					"kept in memory; retrying every %g s)",
					err, STATE_RETRY_S);
			if (sr.ok)
				saved = want;
			failing = !sr.ok;
		}
		/* Also when nothing was saved: the file holds these writes
		 * already (a value changed and changed back). */
		thermo_update(ta->h, apply_state_result, &sr);
	}
	thermo_unref(ta->h);
	return NULL;
}
