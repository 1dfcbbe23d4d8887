/* SPDX-License-Identifier: MIT */
/* What the daemon publishes (messages.h). */
#include <config.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/program.h"
#include "core/runtime.h"
#include "mqtt/messages.h"
#include "util/strconv.h"
#include "web/api.h"

enum { ALARM_RUNAWAY = 1, ALARM_SENSOR = 2, ALARM_RELAY = 4 };

unsigned mqtt_alarms(const struct thermo *r)
{
	return (r->runaway ? ALARM_RUNAWAY : 0) |
	       (r->sensor_status == SENSOR_STALE ||
			r->reason == REASON_SENSOR_STALE ?
		ALARM_SENSOR : 0) |
	       (!r->relay_ok ? ALARM_RELAY : 0);
}

/* @celsius in @unit, rounded to @decimals: the shortest text. */
static double in_unit(double celsius, char unit, int decimals)
{
	double f = decimals == 1 ? 10 : 100;

	return round(api_to_unit(celsius, unit) * f) / f;
}

static char *text_of(double v)
{
	char buf[32];

	strconv_format_double(buf, sizeof(buf), v);
	return strdup(buf);
}

static const char *action_of(const struct thermo *r)
{
	return r->mode == MODE_OFF ? "off" : r->heating ? "heating" : "idle";
}

static const char *preset_of(const struct thermo *r)
{
	int p = r->target.preset;

	return p >= 0 && (size_t)p < r->presets.n ? r->presets.p[p].name :
						    NULL;
}

static int set(struct mqtt_msg *m, const char *base, const char *name,
	       char *payload)
{
	int n = snprintf(m->topic, sizeof(m->topic), "%s/%s", base, name);

	m->payload = payload;
	return payload && n > 0 && (size_t)n < sizeof(m->topic) ? 0 : -1;
}

static char *dump(json_t *j)
{
	char *s = j ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS |
				     JSON_REAL_PRECISION(10)) : NULL;

	json_decref(j);
	return s;
}

static json_t *alarms_json(unsigned a)
{
	json_t *list = json_array();

	if (a & ALARM_RUNAWAY)
		json_array_append_new(list, json_string("runaway"));
	if (a & ALARM_SENSOR)
		json_array_append_new(list, json_string("sensor_stale"));
	if (a & ALARM_RELAY)
		json_array_append_new(list, json_string("relay_fault"));
	return list;
}

int mqtt_state_msgs(const struct thermo *r, const struct thermo_settings *cfg,
		    const char *base, time_t now, struct mqtt_msg *out)
{
	const char unit_s[2] = { cfg->units, '\0' };
	bool known = isfinite(r->temperature);
	double temp = known ? in_unit(r->temperature, cfg->units, 1) : NAN;
	double setpoint = in_unit(r->setpoint, cfg->units, 2);
	unsigned alarms = mqtt_alarms(r);
	const char *preset = preset_of(r);
	struct runtime_summary rt;
	char buf[32];
	int rc = 0;

	runtime_summary(&r->runtime, now, &rt);
	memset(out, 0, sizeof(*out) * MQTT_STATE_MSGS);
	rc |= set(&out[0], base, "temperature",
		  known ? text_of(temp) : strdup("None"));
	rc |= set(&out[1], base, "setpoint", text_of(setpoint));
	rc |= set(&out[2], base, "mode", strdup(mode_name(r->mode)));
	rc |= set(&out[3], base, "action", strdup(action_of(r)));
	rc |= set(&out[4], base, "preset", strdup(preset ? preset : "none"));
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)rt.today);
	rc |= set(&out[5], base, "runtime_today", strdup(buf));
	snprintf(buf, sizeof(buf), "%llu", (unsigned long long)rt.total);
	rc |= set(&out[6], base, "runtime_total", strdup(buf));
	rc |= set(&out[7], base, "alarm", strdup(alarms ? "ON" : "OFF"));
	rc |= set(&out[8], base, "state",
		  dump(json_pack("{s:o, s:f, s:s, s:s, s:s, s:o, s:s, s:b, "
				 "s:b, s:o, s:I, s:I}",
				 "temperature",
				 known ? json_real(temp) : json_null(),
				 "setpoint", setpoint, "unit", unit_s, "mode",
				 mode_name(r->mode), "action", action_of(r),
				 "preset",
				 preset ? json_string(preset) : json_null(),
				 "source",
				 program_source_name(&r->target, &r->schedule),
				 "heating", r->heating, "alarm", alarms != 0,
				 "alarms", alarms_json(alarms), "runtime_today",
				 (json_int_t)rt.today, "runtime_total",
				 (json_int_t)rt.total)));
	if (rc) {
		mqtt_msgs_free(out, MQTT_STATE_MSGS);
		return -1;
	}
	return 0;
}

/* The device every entity belongs to, and the origin (who publishes). */
static json_t *device_json(const char *node)
{
	char id[96], name[96];

	snprintf(id, sizeof(id), "thermostat_%s", node);
	snprintf(name, sizeof(name), "Thermostat %s", node);
	return json_pack("{s:[s], s:s, s:s, s:s, s:s}", "identifiers", id,
			 "name", name, "model", "thermostat",
			 "manufacturer", "libsharedstate", "sw_version",
			 PACKAGE_VERSION);
}

/* What every entity of the device has: ids, availability, device. */
static json_t *entity_json(const char *component, const char *node,
			   const char *object, const char *base)
{
	char uid[128], eid[160], avail[MQTT_TOPIC_MAX];

	snprintf(uid, sizeof(uid), "%s_%s", node, object);
	snprintf(eid, sizeof(eid), "%s.thermostat_%s_%s", component, node,
		 object);
	snprintf(avail, sizeof(avail), "%s/availability", base);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:{s:s, s:s}, s:i}",
			 "unique_id", uid, "default_entity_id", eid,
			 "availability_topic", avail, "payload_available",
			 "online", "payload_not_available", "offline",
			 "device", device_json(node), "origin", "name",
			 "thermostat", "sw_version", PACKAGE_VERSION, "qos", 0);
}

/* Sets @key to "BASE/@suffix". */
static void topic_key(json_t *o, const char *key, const char *base,
		      const char *suffix)
{
	char t[MQTT_TOPIC_MAX];

	snprintf(t, sizeof(t), "%s/%s", base, suffix);
	json_object_set_new(o, key, json_string(t));
}

static json_t *climate_json(const struct thermo *r,
			    const struct thermo_settings *cfg,
			    const char *node, const char *base)
{
	json_t *o = entity_json("climate", node, "thermostat", base);
	json_t *presets = json_array();
	const char unit_s[2] = { cfg->units, '\0' };
	double step = cfg->units == 'F' ? cfg->setpoint_step * 1.8 :
					  cfg->setpoint_step;

	for (size_t i = 0; i < r->presets.n; i++)
		/* "none" is Home Assistant's word for no preset. */
		if (strcmp(r->presets.p[i].name, "none") != 0)
			json_array_append_new(presets,
					      json_string(r->presets.p[i].name));
	json_object_set_new(o, "name", json_null());
	json_object_set_new(o, "modes", json_pack("[s, s]", "off", "heat"));
	topic_key(o, "mode_command_topic", base, "mode/set");
	topic_key(o, "mode_state_topic", base, "mode");
	topic_key(o, "temperature_command_topic", base, "setpoint/set");
	topic_key(o, "temperature_state_topic", base, "setpoint");
	topic_key(o, "current_temperature_topic", base, "temperature");
	topic_key(o, "action_topic", base, "action");
	json_object_set_new(o, "preset_modes", presets);
	topic_key(o, "preset_mode_command_topic", base, "preset/set");
	topic_key(o, "preset_mode_state_topic", base, "preset");
	topic_key(o, "json_attributes_topic", base, "state");
	json_object_set_new(o, "min_temp",
			    json_real(in_unit(cfg->limits.min, cfg->units, 2)));
	json_object_set_new(o, "max_temp",
			    json_real(in_unit(cfg->limits.max, cfg->units, 2)));
	json_object_set_new(o, "temp_step",
			    json_real(round(step * 100) / 100));
	json_object_set_new(o, "precision", json_real(0.1));
	json_object_set_new(o, "temperature_unit", json_string(unit_s));
	json_object_set_new(o, "optimistic", json_false());
	json_object_set_new(o, "retain", json_false());
	return o;
}

static json_t *runtime_sensor_json(const char *node, const char *base,
				   const char *object, const char *name)
{
	json_t *o = entity_json("sensor", node, object, base);

	json_object_set_new(o, "name", json_string(name));
	topic_key(o, "state_topic", base, object);
	json_object_set_new(o, "device_class", json_string("duration"));
	json_object_set_new(o, "unit_of_measurement", json_string("s"));
	json_object_set_new(o, "state_class", json_string("total_increasing"));
	json_object_set_new(o, "icon", json_string("mdi:fire"));
	return o;
}

static json_t *alarm_json(const char *node, const char *base)
{
	json_t *o = entity_json("binary_sensor", node, "alarm", base);

	json_object_set_new(o, "name", json_string("Alarm"));
	topic_key(o, "state_topic", base, "alarm");
	json_object_set_new(o, "device_class", json_string("problem"));
	json_object_set_new(o, "payload_on", json_string("ON"));
	json_object_set_new(o, "payload_off", json_string("OFF"));
	topic_key(o, "json_attributes_topic", base, "state");
	return o;
}

static int config_msg(struct mqtt_msg *m, const struct thermo_settings *cfg,
		      const char *component, const char *node,
		      const char *object, json_t *payload)
{
	int n = snprintf(m->topic, sizeof(m->topic), "%s/%s/%s/%s/config",
			 cfg->mqtt.discovery_prefix, component, node, object);

	m->payload = dump(payload);
	return m->payload && n > 0 && (size_t)n < sizeof(m->topic) ? 0 : -1;
}

int mqtt_discovery_msgs(const struct thermo *r,
			const struct thermo_settings *cfg, const char *node,
			const char *base, struct mqtt_msg *out)
{
	int rc = 0;

	memset(out, 0, sizeof(*out) * MQTT_DISCOVERY_MSGS);
	rc |= config_msg(&out[0], cfg, "climate", node, "thermostat",
			 climate_json(r, cfg, node, base));
	rc |= config_msg(&out[1], cfg, "sensor", node, "runtime_today",
			 runtime_sensor_json(node, base, "runtime_today",
					     "Furnace runtime today"));
	rc |= config_msg(&out[2], cfg, "sensor", node, "runtime_total",
			 runtime_sensor_json(node, base, "runtime_total",
					     "Furnace runtime"));
	rc |= config_msg(&out[3], cfg, "binary_sensor", node, "alarm",
			 alarm_json(node, base));
	if (rc) {
		mqtt_msgs_free(out, MQTT_DISCOVERY_MSGS);
		return -1;
	}
	return 0;
}

void mqtt_msgs_free(struct mqtt_msg *msgs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(msgs[i].payload);
		msgs[i].payload = NULL;
	}
}
