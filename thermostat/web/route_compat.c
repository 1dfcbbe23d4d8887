/* SPDX-License-Identifier: MIT */
/*
 * The original daemon's routes, in its own shapes, for its existing
 * clients: whole degrees Fahrenheit where it used them, a form POST to
 * set the setpoint (through the same write path as PUT /api/v1/setpoint).
 * Served while compat_routes is on.
 */
#include <config.h>
#include "util/timeutil.h"
#include "web/server.h"

void route_health_check(struct req *q)
{
	respond(q, 200, NULL, NULL, 0, NULL);
}

void route_get_thermostat(struct req *q)
{
	struct thermo r;

	thermo_read(q->w->rec, &r, NULL);
	respond_json(q, 200, api_compat_setting_json(&r));
}

void route_get_temperature(struct req *q)
{
	struct thermo r;

	thermo_read(q->w->rec, &r, NULL);
	respond_json(q, 200,
		     api_compat_temperature_json(&r, q->w->cfg, mono_now()));
}

void route_get_thermostat_data(struct req *q)
{
	struct thermo r;

	thermo_read(q->w->rec, &r, NULL);
	respond_json(q, 200, api_compat_data_json(&r, q->w->cfg, mono_now()));
}

static int parse_form(const char *body, size_t n,
		      const struct thermo_settings *cfg, const struct thermo *r,
		      struct command *cmd, struct api_error *err)
{
	(void)r;
	cmd->kind = COMMAND_SETPOINT;
	return api_parse_compat_form(body, n, cfg, &cmd->setpoint, err);
}

/* Its answer: 200 and no body. */
static void answer_empty(struct req *q)
{
	respond(q, 200, NULL, NULL, 0, NULL);
}

void route_set_thermostat(struct req *q)
{
	static const struct write_route wr = {
		"application/x-www-form-urlencoded", parse_form, answer_empty
	};

	web_write(q, &wr);
}
