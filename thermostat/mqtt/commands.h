/* SPDX-License-Identifier: MIT */
/*
 * What a message on a command topic asks, as the command the web's
 * routes would make of the same request (core/command.h), checked by the
 * same rules (web/api.h: bounds, then setpoint_step):
 *   BASE/setpoint/set  "21.5"   a number in the display unit, as PUT
 *                               /api/v1/setpoint
 *   BASE/mode/set      "heat" | "off"
 *   BASE/preset/set    "eco"    held until the next switch point, as PUT
 *                               /api/v1/preset; "none": back to the
 *                               schedule, as DELETE /api/v1/hold
 * Payloads are printable ASCII, 1 to MQTT_COMMAND_MAX bytes, nothing
 * around the value.  Pure: no broker, no lock, no clock.
 */
#ifndef THERMO_MQTT_COMMANDS_H
#define THERMO_MQTT_COMMANDS_H

#include <stddef.h>

#include "conf/settings.h"
#include "core/command.h"
#include "core/record.h"

/*
 * The command a message on @topic with @payload (@n bytes, not
 * NUL-terminated) asks of a thermostat whose base topic is @base and
 * whose record reads @r (its presets resolve names): 0 with @cmd's kind
 * and values set (the caller sets seen and now), or -1 with a sentence in
 * @why and @cmd untouched.
 */
int mqtt_command_parse(const char *base, const char *topic,
		       const void *payload, size_t n, const struct thermo *r,
		       const struct thermo_settings *cfg, struct command *cmd,
		       char *why, size_t len);

#endif
