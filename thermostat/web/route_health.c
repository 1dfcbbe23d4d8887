/* SPDX-License-Identifier: MIT */
/*
 * GET /healthz: 200 {"status": "ok"} when the threads are alive, the
 * reading fresh, the relay driven and the state saved; else 503 with the
 * reasons and a status: "unhealthy" when heating is not under control,
 * "degraded" when it is but something the owner must fix is failing.
 */
#include <config.h>
#include <stdio.h>
#include <string.h>
#include "core/control.h"
#include "util/timeutil.h"
#include "web/server.h"

/* Threads are alive when their stamps are recent; the sensor is fresh
 * when its reading is. */
void route_healthz(struct req *q)
{
	const struct thermo_settings *cfg = q->w->cfg;
	double now = mono_now();
	json_t *reasons = json_array();
	struct thermo r;
	const char *status;
	bool healthy;

	thermo_read(q->w->rec, &r, NULL);
	/* The control thread decides at least every 10 s. */
	if (now - ts_to_s(r.control_at) > 30)
		json_array_append_new(reasons,
				      json_string("control thread not deciding"));
	if (now - ts_to_s(r.sensor_at) > cfg->sensor.interval * 3 + 10)
		json_array_append_new(reasons,
				      json_string("sensor thread not reading"));
	if (!control_record_fresh(&r, &cfg->control, now))
		json_array_append_new(reasons,
				      json_string("no fresh temperature reading"));
	if (!r.relay_ok)
		json_array_append_new(reasons,
				      json_string("relay cannot be driven"));
	/* The control thread keeps the heat off until the owner clears it
	 * (PUT /api/v1/alarm). */
	if (r.runaway)
		json_array_append_new(
			reasons,
			json_string("runaway alarm: heat off, the temperature "
				    "did not rise"));
	healthy = json_array_size(reasons) == 0;
	/* Heating goes on, but a restart would lose the setpoint and mode:
	 * the owner must hear of it too. */
	if (!r.state_ok)
		json_array_append_new(reasons,
				      json_string("state file cannot be written"));
	/* Heating does not depend on the broker. */
	if (cfg->mqtt.enabled && r.mqtt_link != MQTT_UP) {
		char why[128];

		snprintf(why, sizeof(why), "MQTT broker not connected%s%s",
			 r.mqtt_error.s[0] ? ": " : "", r.mqtt_error.s);
		json_array_append_new(reasons, json_string(why));
	}
	status = !healthy			  ? "unhealthy"
		 : json_array_size(reasons) != 0 ? "degraded"
						  : "ok";
	respond_json(q, strcmp(status, "ok") == 0 ? 200 : 503,
		     json_pack("{s:s, s:o}", "status", status, "reasons",
			       reasons));
}
