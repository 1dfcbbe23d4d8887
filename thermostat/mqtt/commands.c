/* SPDX-License-Identifier: MIT */
/* Commands from the broker (commands.h). */
#include <config.h>
#include <stdio.h>
#include <string.h>

#include "mqtt/commands.h"
#include "mqtt/mqtt.h"
#include "util/errmsg.h"
#include "util/strconv.h"
#include "web/api.h"

/* The command of @topic: "setpoint", "mode" or "preset" for
 * BASE/NAME/set, else NULL. */
static const char *command_name(const char *base, const char *topic,
				char *name, size_t len)
{
	size_t nb = strlen(base), nt = strlen(topic), nn;

	if (nt <= nb + 5 || strncmp(topic, base, nb) != 0 || topic[nb] != '/' ||
	    strcmp(topic + nt - 4, "/set") != 0)
		return NULL;
	nn = nt - nb - 5;
	if (nn + 1 > len)
		return NULL;
	memcpy(name, topic + nb + 1, nn);
	name[nn] = '\0';
	return name;
}

int mqtt_command_parse(const char *base, const char *topic,
		       const void *payload, size_t n, const struct thermo *r,
		       const struct thermo_settings *cfg, struct command *cmd,
		       char *why, size_t len)
{
	const unsigned char *p = payload;
	char text[MQTT_COMMAND_MAX + 1], name[16];
	struct api_error err;
	double value, celsius;
	enum thermo_mode mode;
	int preset;

	if (!command_name(base, topic, name, sizeof(name)) ||
	    (strcmp(name, "setpoint") != 0 && strcmp(name, "mode") != 0 &&
	     strcmp(name, "preset") != 0))
		return errmsg(why, len, "not a command topic (%s/setpoint/set, "
			      "%s/mode/set or %s/preset/set)", base, base,
			      base);
	if (n == 0)
		return errmsg(why, len, "an empty payload");
	if (n > MQTT_COMMAND_MAX)
		return errmsg(why, len, "a payload of %zu bytes (at most %d)",
			      n, MQTT_COMMAND_MAX);
	for (size_t i = 0; i < n; i++)
		if (p[i] < 0x21 || p[i] > 0x7e)
			return errmsg(why, len, "a payload with a byte 0x%02x: "
				      "printable ASCII without spaces only",
				      p[i]);
	memcpy(text, p, n);
	text[n] = '\0';
	if (strcmp(name, "setpoint") == 0) {
		if (strconv_decimal(text, n, &value) < 0 ||
		    strconv_decimal_len(text, n) != n)
			return errmsg(why, len, "\"%s\" is not a number", text);
		if (api_setpoint_in(value, cfg->units, "setpoint", cfg,
				    &celsius, &err) < 0)
			return errmsg(why, len, "%s", err.message);
		cmd->kind = COMMAND_SETPOINT;
		cmd->setpoint = celsius;
		return 0;
	}
	if (strcmp(name, "mode") == 0) {
		if (mode_from_name(text, &mode) < 0)
			return errmsg(why, len, "no mode \"%s\" (heat or off)",
				      text);
		cmd->kind = COMMAND_MODE;
		cmd->mode = mode;
		return 0;
	}
	if (strcmp(text, "none") == 0) {
		cmd->kind = COMMAND_CLEAR_HOLD;
		return 0;
	}
	preset = sched_preset_index(&r->presets, text);
	if (preset < 0)
		return errmsg(why, len, "no preset named \"%s\"", text);
	cmd->kind = COMMAND_PRESET;
	cmd->preset = preset;
	return 0;
}
