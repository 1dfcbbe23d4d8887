/* SPDX-License-Identifier: MIT */
/*
 * PUT /api/v1/setpoint, PUT /api/v1/mode and PUT /api/v1/alarm, and the
 * write path they share with the original daemon's POST /set_thermostat
 * (route_compat.c).
 */
#include <config.h>
#include <errno.h>
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

void web_write(struct req *q, const struct write_route *wr)
{
	char body[API_MAX_BODY + 1];
	struct api_error err;
	struct command cmd;
	const char *via;
	uint64_t seq;
	long n;
	int rc;

	if (!content_type_is(q, wr->type)) {
		respond_error(q, 415, "Content-Type must be %s", wr->type);
		return;
	}
	n = read_body(q, body);
	if (n < 0)
		return;
	if (wr->parse(body, (size_t)n, q->w->cfg, &cmd, &err) < 0) {
		respond_error(q, err.status, "%s", err.message);
		return;
	}
	rc = command_apply(q->w->rec, &cmd, &seq);
	/* The original daemon's route says so in the log. */
	via = web_routes[q->route].compat ? web_routes[q->route].path : NULL;
	if (rc == -ESHUTDOWN) {
		respond_error(q, 503, "the thermostat is stopping");
		return;
	}
	if (rc < 0) {
		respond_error(q, 500, "cannot write the record: %s",
			      strerror(-rc));
		return;
	}
	if (rc > 0 && cmd.kind == COMMAND_SETPOINT)
		log_info("web: setpoint %.2f C (from %s%s%s)", cmd.setpoint,
			 q->ri->remote_addr, via ? ", " : "", via ? via : "");
	else if (rc > 0 && cmd.kind == COMMAND_MODE)
		log_info("web: mode %s (from %s%s%s)", mode_name(cmd.mode),
			 q->ri->remote_addr, via ? ", " : "", via ? via : "");
	else if (rc > 0)
		log_info("web: runaway alarm cleared (from %s)",
			 q->ri->remote_addr);
	q->saved = wait_saved(q->w->rec, seq);
	wr->answer(q);
}

static int parse_setpoint(const char *body, size_t n,
			  const struct thermo_settings *cfg,
			  struct command *cmd, struct api_error *err)
{
	cmd->kind = COMMAND_SETPOINT;
	return api_parse_setpoint(body, n, cfg, &cmd->setpoint, err);
}

static int parse_mode(const char *body, size_t n,
		      const struct thermo_settings *cfg, struct command *cmd,
		      struct api_error *err)
{
	(void)cfg;
	cmd->kind = COMMAND_MODE;
	return api_parse_mode(body, n, &cmd->mode, err);
}

static int parse_alarm(const char *body, size_t n,
		       const struct thermo_settings *cfg, struct command *cmd,
		       struct api_error *err)
{
	(void)cfg;
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
