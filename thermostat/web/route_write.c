/* SPDX-License-Identifier: MIT */
/*
 * PUT /api/v1/setpoint, PUT /api/v1/mode and PUT /api/v1/alarm, and the
 * write path they share with the original daemon's POST /set_thermostat
 * (route_compat.c) and the weekly program's routes (route_program.c).
 */
#include <config.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "util/timeutil.h"
#include "web/server.h"

/* How long an answer waits for the state file to be written: an fsync on
 * a worn SD card can take a second. */
#define SAVE_WAIT_S 5.0

/*
 * Whether the writes up to @seq are saved: waits for the state thread to
 * try (nothing to wait for without one), SAVE_WAIT_S at most.  An answer
 * that says "saved" is true; one that says "not saved" may be early.
 */
static bool wait_saved(thermo_handle h, uint64_t seq)
{
	double deadline = mono_now() + SAVE_WAIT_S;
	uint64_t seen;
	struct thermo r;

	for (;;) {
		thermo_read(h, &r, &seen);
		if (!r.saver || r.persist_tried >= seq)
			return r.state_ok;
		if (thermo_wait(h, &seen, SS_MASK(thermo, persist_tried) |
						  SS_MASK(thermo, saver),
				ms_until(deadline, mono_now())) < 0)
			return false;
	}
}

/* What @cmd did, for the log. */
static void describe(const struct command *cmd, const struct thermo *r,
		     char *buf, size_t len)
{
	const struct sched_presets *ps = &r->presets;

	switch (cmd->kind) {
	case COMMAND_SETPOINT:
		snprintf(buf, len, "setpoint %.2f C", cmd->setpoint);
		return;
	case COMMAND_MODE:
		snprintf(buf, len, "mode %s", mode_name(cmd->mode));
		return;
	case COMMAND_CLEAR_ALARM:
		snprintf(buf, len, "runaway alarm cleared");
		return;
	case COMMAND_PRESET:
		snprintf(buf, len, "preset %s", ps->p[cmd->preset].name);
		return;
	case COMMAND_HOLD:
		if (cmd->hold.preset >= 0)
			snprintf(buf, len, "hold %s (%s)",
				 ps->p[cmd->hold.preset].name,
				 cmd->hold.kind == HOLD_FOREVER ? "until cleared"
				 : cmd->hold.kind == HOLD_UNTIL ? "until a time"
								: "until the next "
								  "switch point");
		else
			snprintf(buf, len, "hold %.2f C (%s)", cmd->hold.temp,
				 cmd->hold.kind == HOLD_FOREVER ? "until cleared"
				 : cmd->hold.kind == HOLD_UNTIL ? "until a time"
								: "until the next "
								  "switch point");
		return;
	case COMMAND_CLEAR_HOLD:
		snprintf(buf, len, "hold cleared, back to the schedule");
		return;
	case COMMAND_BOOST:
		snprintf(buf, len, "boost to %.2f C for %.0f min", cmd->setpoint,
			 cmd->seconds / 60);
		return;
	case COMMAND_SCHEDULE:
		snprintf(buf, len, "new schedule");
		return;
	case COMMAND_PRESETS:
		snprintf(buf, len, "new presets");
		return;
	}
	snprintf(buf, len, "?");
}

void web_apply(struct req *q, const struct command *cmd, route_fn *answer)
{
	const char *via;
	char what[96];
	struct thermo r;
	uint64_t seq;
	int rc;

	rc = command_apply(q->w->rec, cmd, &seq);
	/* The original daemon's route says so in the log. */
	via = web_routes[q->route].compat ? web_routes[q->route].path : NULL;
	if (rc == -ESHUTDOWN) {
		respond_error(q, 503, "the thermostat is stopping");
		return;
	}
	if (rc == -EAGAIN) {
		respond_error(q, 409, "the presets changed meanwhile: read "
			      "them again and retry");
		return;
	}
	if (rc < 0) {
		respond_error(q, 500, "cannot write the record: %s",
			      strerror(-rc));
		return;
	}
	if (rc > 0) {
		thermo_read(q->w->rec, &r, NULL);
		describe(cmd, &r, what, sizeof(what));
		log_info("web: %s (from %s%s%s)", what, q->ri->remote_addr,
			 via ? ", " : "", via ? via : "");
	}
	q->saved = wait_saved(q->w->rec, seq);
	answer(q);
}

void web_write(struct req *q, const struct write_route *wr)
{
	char body[API_MAX_BODY + 1];
	struct api_error err;
	struct command *cmd;
	struct thermo r;
	long n;

	if (!content_type_is(q, wr->type)) {
		respond_error(q, 415, "Content-Type must be %s", wr->type);
		return;
	}
	n = read_body(q, body);
	if (n < 0)
		return;
	/* A command holds a week's schedule: not on a worker's stack. */
	cmd = calloc(1, sizeof(*cmd));
	if (!cmd) {
		respond_error(q, 503, "out of memory");
		return;
	}
	thermo_read(q->w->rec, &r, NULL);
	memcpy(&cmd->seen, &r.presets, sizeof(cmd->seen));
	cmd->now = (time_t)floor(wall_now());
	if (wr->parse(body, (size_t)n, q->w->cfg, &r, cmd, &err) < 0)
		respond_error(q, err.status, "%s", err.message);
	else
		web_apply(q, cmd, wr->answer);
	free(cmd);
}

static int parse_setpoint(const char *body, size_t n,
			  const struct thermo_settings *cfg,
			  const struct thermo *r, struct command *cmd,
			  struct api_error *err)
{
	(void)r;
	cmd->kind = COMMAND_SETPOINT;
	return api_parse_setpoint(body, n, cfg, &cmd->setpoint, err);
}

static int parse_mode(const char *body, size_t n,
		      const struct thermo_settings *cfg, const struct thermo *r,
		      struct command *cmd, struct api_error *err)
{
	(void)cfg;
	(void)r;
	cmd->kind = COMMAND_MODE;
	return api_parse_mode(body, n, &cmd->mode, err);
}

static int parse_alarm(const char *body, size_t n,
		       const struct thermo_settings *cfg, const struct thermo *r,
		       struct command *cmd, struct api_error *err)
{
	(void)cfg;
	(void)r;
	cmd->kind = COMMAND_CLEAR_ALARM;
	return api_parse_alarm(body, n, err);
}

void route_setpoint(struct req *q)
{
	static const struct write_route wr = {
		"application/json", parse_setpoint, respond_state
	};

	web_write(q, &wr);
}

void route_mode(struct req *q)
{
	static const struct write_route wr = {
		"application/json", parse_mode, respond_state
	};

	web_write(q, &wr);
}

void route_alarm(struct req *q)
{
	static const struct write_route wr = {
		"application/json", parse_alarm, respond_state
	};

	web_write(q, &wr);
}
