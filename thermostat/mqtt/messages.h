/* SPDX-License-Identifier: MIT */
/*
 * What the daemon publishes (all retained), from a snapshot of the
 * record: pure, so the tests check every payload without a broker.
 *
 * State, BASE/...: temperature ("21.3", one decimal, the display unit;
 * "None" when unknown, which Home Assistant shows as unknown), setpoint
 * ("21.5"), mode (heat|off), action (heating|idle|off), preset (the
 * preset in effect, or "none"), runtime_today and runtime_total (furnace
 * seconds), alarm (ON|OFF: runaway, stale sensor, relay fault) and state
 * (all of it as one JSON object).
 *
 * Discovery, DISCOVERY/COMPONENT/NODE/OBJECT/config: a climate entity,
 * two runtime sensors and an alarm binary sensor, one device.
 */
#ifndef THERMO_MQTT_MESSAGES_H
#define THERMO_MQTT_MESSAGES_H

#include <stddef.h>
#include <time.h>

#include "conf/settings.h"
#include "core/record.h"
#include "mqtt/mqtt.h"

/* A message: its topic and its payload (malloc'd, NUL-terminated). */
struct mqtt_msg {
	char topic[MQTT_TOPIC_MAX];
	char *payload;
};

enum { MQTT_STATE_MSGS = 9, MQTT_DISCOVERY_MSGS = 4 };

/* The fields whose change may change a message: the client thread waits
 * on these. */
#define MQTT_WATCH_MASK                                                      \
	(SS_MASK(thermo, temperature) | SS_MASK(thermo, sensor_status) |      \
	 SS_MASK(thermo, setpoint) | SS_MASK(thermo, mode) |                  \
	 SS_MASK(thermo, heating) | SS_MASK(thermo, reason) |                 \
	 SS_MASK(thermo, target) | SS_MASK(thermo, presets) |                 \
	 SS_MASK(thermo, runtime) | SS_MASK(thermo, runaway) |                \
	 SS_MASK(thermo, relay_ok) | SS_MASK(thermo, running))

/* The alarms in @r: a bit each (runaway, sensor stale, relay fault). */
unsigned mqtt_alarms(const struct thermo *r);

/*
 * The state messages of @r under @base at wall-clock @now (the runtime's
 * local day) into @out[MQTT_STATE_MSGS].  0, or -1 out of memory (nothing
 * to free then).
 */
int mqtt_state_msgs(const struct thermo *r, const struct thermo_settings *cfg,
		    const char *base, time_t now, struct mqtt_msg *out);

/*
 * The discovery messages for node @node into @out[MQTT_DISCOVERY_MSGS]:
 * the climate entity (its preset list from @r's presets), the runtime
 * sensors, the alarm.  0, or -1 (out of memory, a topic too long).
 */
int mqtt_discovery_msgs(const struct thermo *r,
			const struct thermo_settings *cfg, const char *node,
			const char *base, struct mqtt_msg *out);

/* Frees the payloads of @n messages. */
void mqtt_msgs_free(struct mqtt_msg *msgs, size_t n);

#endif
