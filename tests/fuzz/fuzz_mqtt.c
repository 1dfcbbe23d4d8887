/* SPDX-License-Identifier: MIT */
/*
 * What a broker may send (thermostat/mqtt/commands.h): the first byte
 * picks the topic (a command topic, a near miss or another node's), the
 * rest is the payload.  Properties: a refused message has a reason and
 * leaves the command untouched; an accepted setpoint is finite, within
 * the configured bounds and on setpoint_step (in a C and an F
 * configuration); an accepted preset is one of the record's; the same
 * message gives the same answer twice.
 */
#include <config.h>
#include <math.h>
#include <string.h>

#include "conf/conf.h"
#include "core/program.h"
#include "mqtt/commands.h"
#include "targets.h"

static const char *const topics[] = {
	"thermostat/zone1/setpoint/set", "thermostat/zone1/mode/set",
	"thermostat/zone1/preset/set",	 "thermostat/zone1/foo/set",
	"thermostat/zone2/setpoint/set", "thermostat/zone1/setpoint",
	"thermostat/zone1//set",	 "thermostat/zone1/setpoint/set/",
};

static void one(const uint8_t *data, size_t size, char unit)
{
	const char *topic = topics[data[0] % (sizeof(topics) / sizeof(*topics))];
	struct thermo_settings cfg;
	struct thermo r = thermo_defaults;
	struct command a, b, keep;
	char why[200], why2[200];
	int ra, rb;

	config_defaults(&cfg);
	cfg.units = unit;
	sched_default_presets(&r.presets);
	memset(&keep, 0xa5, sizeof(keep));
	memcpy(&a, &keep, sizeof(a));
	memcpy(&b, &keep, sizeof(b));
	why[0] = why2[0] = '\0';
	ra = mqtt_command_parse("thermostat/zone1", topic, data + 1, size - 1,
				&r, &cfg, &a, why, sizeof(why));
	rb = mqtt_command_parse("thermostat/zone1", topic, data + 1, size - 1,
				&r, &cfg, &b, why2, sizeof(why2));
	if (ra != rb || strcmp(why, why2) != 0)
		fuzz_fail(data, size, "two answers to one message");
	if (ra < 0) {
		if (!why[0])
			fuzz_fail(data, size, "refused without a reason");
		if (memcmp(&a, &keep, sizeof(a)) != 0)
			fuzz_fail(data, size, "refused, but the command changed");
		return;
	}
	if (ra != 0)
		fuzz_fail(data, size, "answer %d", ra);
	if (a.kind == COMMAND_SETPOINT) {
		double s = a.setpoint;

		if (!isfinite(s) || s < cfg.limits.min || s > cfg.limits.max ||
		    setpoint_round(s, cfg.setpoint_step, cfg.limits.min,
				   cfg.limits.max) != s)
			fuzz_fail(data, size, "setpoint %.17g taken", s);
	} else if (a.kind == COMMAND_PRESET) {
		if (a.preset < 0 || (size_t)a.preset >= r.presets.n)
			fuzz_fail(data, size, "preset %d taken", a.preset);
	} else if (a.kind != COMMAND_MODE && a.kind != COMMAND_CLEAR_HOLD) {
		fuzz_fail(data, size, "command kind %d", (int)a.kind);
	}
}

int fuzz_mqtt(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	one(data, size, 'C');
	one(data, size, 'F');
	return 0;
}
