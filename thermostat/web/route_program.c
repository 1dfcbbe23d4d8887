/* SPDX-License-Identifier: MIT */
/*
 * The weekly program's routes (api_program.h lists them): reads answer
 * the record's presets or schedule; writes go through the one write path
 * (web_write) and answer the new presets, schedule or state.
 */
#include <config.h>
#include <math.h>
#include <string.h>

#include "util/timeutil.h"
#include "web/server.h"

static void respond_presets(struct req *q)
{
	struct thermo r;

	thermo_read(q->w->rec, &r, NULL);
	respond_json(q, 200, api_presets_json(&r, q->w->cfg));
}

static void respond_schedule(struct req *q)
{
	struct thermo r;

	thermo_read(q->w->rec, &r, NULL);
	respond_json(q, 200, api_schedule_json(&r, q->w->cfg));
}

void route_get_presets(struct req *q)
{
	respond_presets(q);
}

void route_put_presets(struct req *q)
{
	static const struct write_route wr = {
		"application/json", api_parse_presets, respond_presets
	};

	web_write(q, &wr);
}

void route_get_schedule(struct req *q)
{
	respond_schedule(q);
}

void route_put_schedule(struct req *q)
{
	static const struct write_route wr = {
		"application/json", api_parse_schedule, respond_schedule
	};

	web_write(q, &wr);
}

void route_preset(struct req *q)
{
	static const struct write_route wr = {
		"application/json", api_parse_preset, respond_state
	};

	web_write(q, &wr);
}

void route_put_hold(struct req *q)
{
	static const struct write_route wr = {
		"application/json", api_parse_hold, respond_state
	};

	web_write(q, &wr);
}

/* DELETE /api/v1/hold: no body to read (one sent is refused). */
void route_delete_hold(struct req *q)
{
	static struct command clear = { .kind = COMMAND_CLEAR_HOLD };
	struct command cmd;

	if (q->ri->content_length > 0) {
		respond_error(q, 400, "DELETE /api/v1/hold takes no body");
		return;
	}
	memcpy(&cmd, &clear, sizeof(cmd));
	cmd.now = (time_t)floor(wall_now());
	web_apply(q, &cmd, respond_state);
}

void route_boost(struct req *q)
{
	static const struct write_route wr = {
		"application/json", api_parse_boost, respond_state
	};

	web_write(q, &wr);
}
