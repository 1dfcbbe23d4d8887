/* SPDX-License-Identifier: MIT */
/*
 * The MQTT wing's pure half (thermostat/mqtt/): node ids, the Home
 * Assistant discovery payloads checked key by key against Home
 * Assistant's documented MQTT climate schema, the state payloads, and
 * every command payload, good and bad.  The daemon on a real broker:
 * tests/thermostat/daemon-mqtt*.sh.
 */
#include <config.h>

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf/conf.h"
#include "core/program.h"
#include "mqtt/commands.h"
#include "mqtt/messages.h"
#include "runner.h"

static struct thermo_settings cfg;
static struct thermo rec;

static void setup(void)
{
	config_defaults(&cfg);
	snprintf(cfg.mqtt.node_id, sizeof(cfg.mqtt.node_id), "zone1");
	rec = thermo_defaults;
	sched_default_presets(&rec.presets);
	rec.temperature = 19.96;
	rec.setpoint = 21.5;
	rec.target.preset = -1;
}

/* ---- node ids ------------------------------------------------------- */

START_TEST(node_ids)
{
	static const char *const good[] = { "zone1", "a", "Living_room-2",
					    "0123456789012345678901234567890"
					    "12345678901234567890123456789012" };
	static const char *const bad[] = { "", "zone 1", "zone/1", "zone+",
					   "zone#", "z\xc3\xa9", "a.b",
					   "0123456789012345678901234567890"
					   "123456789012345678901234567890123" };
	char id[64];

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		ck_assert_msg(mqtt_node_id_ok(good[i]), "%s", good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		ck_assert_msg(!mqtt_node_id_ok(bad[i]), "%s", bad[i]);
	mqtt_node_id("zone7", id, sizeof(id));
	ck_assert_str_eq(id, "zone7");
	/* The host name, made one. */
	mqtt_node_id("", id, sizeof(id));
	ck_assert_msg(mqtt_node_id_ok(id), "from the host name: '%s'", id);
}
END_TEST

/* ---- discovery ------------------------------------------------------ */

/*
 * Home Assistant's MQTT climate entity (integrations/climate.mqtt, and
 * the discovery rules of integrations/mqtt): the keys this daemon must
 * give for a heat-only thermostat with presets, written down once.  Each
 * *_topic key must name one of the daemon's own topics.
 */
static const char *const climate_topic_keys[] = {
	"availability_topic",
	"mode_command_topic",
	"mode_state_topic",
	"temperature_command_topic",
	"temperature_state_topic",
	"current_temperature_topic",
	"action_topic",
	"preset_mode_command_topic",
	"preset_mode_state_topic",
	"json_attributes_topic",
};
/* Keys of the schema the daemon gives besides the topics. */
static const char *const climate_other_keys[] = {
	"name", "unique_id", "default_entity_id", "device", "origin",
	"payload_available", "payload_not_available", "modes", "preset_modes",
	"min_temp", "max_temp", "temp_step", "precision", "temperature_unit",
	"optimistic", "retain", "qos",
};

static json_t *parse(const char *payload)
{
	json_error_t e;
	json_t *j = json_loads(payload, 0, &e);

	ck_assert_msg(j != NULL, "not JSON (%s): %s", e.text, payload);
	return j;
}

static bool in_list(const char *key, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(key, list[i]) == 0)
			return true;
	return false;
}

#define N(a) (sizeof(a) / sizeof((a)[0]))

static double num(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	ck_assert_msg(json_is_number(v), "%s is not a number", key);
	return json_number_value(v);
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	ck_assert_msg(s != NULL, "%s is not a string", key);
	return s;
}

static void check_device(json_t *o, const char *node)
{
	json_t *dev = json_object_get(o, "device");
	char id[80];

	snprintf(id, sizeof(id), "thermostat_%s", node);
	ck_assert(json_is_object(dev));
	ck_assert_str_eq(json_string_value(json_array_get(
				 json_object_get(dev, "identifiers"), 0)),
			 id);
	ck_assert_str_eq(str(dev, "sw_version"), PACKAGE_VERSION);
	ck_assert(json_is_string(json_object_get(dev, "model")));
	ck_assert(json_is_string(json_object_get(dev, "name")));
}

START_TEST(climate_discovery)
{
	struct mqtt_msg d[MQTT_DISCOVERY_MSGS];
	const char *key;
	json_t *c, *v, *modes, *presets;

	ck_assert_int_eq(mqtt_discovery_msgs(&rec, &cfg, "zone1",
					     "thermostat/zone1", d),
			 0);
	ck_assert_str_eq(d[0].topic,
			 "homeassistant/climate/zone1/thermostat/config");
	c = parse(d[0].payload);
	/* Every key is the schema's; every key of the schema is there. */
	json_object_foreach(c, key, v)
		ck_assert_msg(in_list(key, climate_topic_keys,
				      N(climate_topic_keys)) ||
				      in_list(key, climate_other_keys,
					      N(climate_other_keys)),
			      "key %s is not in the climate schema", key);
	for (size_t i = 0; i < N(climate_topic_keys); i++) {
		const char *t = str(c, climate_topic_keys[i]);

		ck_assert_msg(strncmp(t, "thermostat/zone1/", 17) == 0,
			      "%s = %s", climate_topic_keys[i], t);
	}
	for (size_t i = 0; i < N(climate_other_keys); i++)
		ck_assert_msg(json_object_get(c, climate_other_keys[i]),
			      "%s missing", climate_other_keys[i]);
	ck_assert_str_eq(str(c, "availability_topic"),
			 "thermostat/zone1/availability");
	ck_assert_str_eq(str(c, "temperature_command_topic"),
			 "thermostat/zone1/setpoint/set");
	ck_assert_str_eq(str(c, "mode_command_topic"),
			 "thermostat/zone1/mode/set");
	ck_assert_str_eq(str(c, "preset_mode_command_topic"),
			 "thermostat/zone1/preset/set");
	ck_assert_str_eq(str(c, "payload_available"), "online");
	ck_assert_str_eq(str(c, "payload_not_available"), "offline");
	ck_assert_str_eq(str(c, "unique_id"), "zone1_thermostat");
	ck_assert_str_eq(str(c, "temperature_unit"), "C");
	modes = json_object_get(c, "modes");
	ck_assert_uint_eq(json_array_size(modes), 2);
	ck_assert_str_eq(json_string_value(json_array_get(modes, 0)), "off");
	ck_assert_str_eq(json_string_value(json_array_get(modes, 1)), "heat");
	presets = json_object_get(c, "preset_modes");
	ck_assert_uint_eq(json_array_size(presets), rec.presets.n);
	for (size_t i = 0; i < rec.presets.n; i++)
		ck_assert_str_eq(json_string_value(json_array_get(presets, i)),
				 rec.presets.p[i].name);
	ck_assert_double_eq_tol(num(c, "min_temp"), cfg.limits.min, 1e-9);
	ck_assert_double_eq_tol(num(c, "max_temp"), cfg.limits.max, 1e-9);
	ck_assert_double_eq_tol(num(c, "temp_step"), cfg.setpoint_step, 1e-9);
	ck_assert_double_eq_tol(num(c, "precision"), 0.1, 1e-9);
	ck_assert(json_is_false(json_object_get(c, "optimistic")));
	/* Commands are never retained: a retained one would be applied at
	 * every connection. */
	ck_assert(json_is_false(json_object_get(c, "retain")));
	check_device(c, "zone1");
	json_decref(c);
	mqtt_msgs_free(d, MQTT_DISCOVERY_MSGS);
}
END_TEST

START_TEST(climate_fahrenheit)
{
	struct mqtt_msg d[MQTT_DISCOVERY_MSGS];
	json_t *c;

	cfg.units = 'F';
	ck_assert_int_eq(mqtt_discovery_msgs(&rec, &cfg, "zone1",
					     "thermostat/zone1", d),
			 0);
	c = parse(d[0].payload);
	ck_assert_str_eq(str(c, "temperature_unit"), "F");
	ck_assert_double_eq_tol(num(c, "min_temp"), 41, 1e-9);
	ck_assert_double_eq_tol(num(c, "max_temp"), 86, 1e-9);
	ck_assert_double_eq_tol(num(c, "temp_step"), 0.9, 1e-9);
	json_decref(c);
	mqtt_msgs_free(d, MQTT_DISCOVERY_MSGS);
}
END_TEST

START_TEST(sensor_discovery)
{
	static const char *const topic[] = {
		NULL, "homeassistant/sensor/zone1/runtime_today/config",
		"homeassistant/sensor/zone1/runtime_total/config",
		"homeassistant/binary_sensor/zone1/alarm/config",
	};
	static const char *const uid[] = { NULL, "zone1_runtime_today",
					   "zone1_runtime_total",
					   "zone1_alarm" };
	static const char *const state[] = { NULL,
					     "thermostat/zone1/runtime_today",
					     "thermostat/zone1/runtime_total",
					     "thermostat/zone1/alarm" };
	struct mqtt_msg d[MQTT_DISCOVERY_MSGS];

	snprintf(cfg.mqtt.discovery_prefix, sizeof(cfg.mqtt.discovery_prefix),
		 "homeassistant");
	ck_assert_int_eq(mqtt_discovery_msgs(&rec, &cfg, "zone1",
					     "thermostat/zone1", d),
			 0);
	for (size_t i = 1; i < MQTT_DISCOVERY_MSGS; i++) {
		json_t *s = parse(d[i].payload);

		ck_assert_str_eq(d[i].topic, topic[i]);
		ck_assert_str_eq(str(s, "unique_id"), uid[i]);
		ck_assert_str_eq(str(s, "state_topic"), state[i]);
		ck_assert_str_eq(str(s, "availability_topic"),
				 "thermostat/zone1/availability");
		if (i < 3) {
			ck_assert_str_eq(str(s, "device_class"), "duration");
			ck_assert_str_eq(str(s, "unit_of_measurement"), "s");
			ck_assert_str_eq(str(s, "state_class"),
					 "total_increasing");
		} else {
			ck_assert_str_eq(str(s, "device_class"), "problem");
			ck_assert_str_eq(str(s, "payload_on"), "ON");
			ck_assert_str_eq(str(s, "payload_off"), "OFF");
		}
		check_device(s, "zone1");
		json_decref(s);
	}
	mqtt_msgs_free(d, MQTT_DISCOVERY_MSGS);
}
END_TEST

/* Two daemons on one broker: nothing of one is the other's. */
START_TEST(two_nodes_never_collide)
{
	struct mqtt_msg a[MQTT_DISCOVERY_MSGS], b[MQTT_DISCOVERY_MSGS];

	ck_assert_int_eq(mqtt_discovery_msgs(&rec, &cfg, "zone1",
					     "thermostat/zone1", a),
			 0);
	ck_assert_int_eq(mqtt_discovery_msgs(&rec, &cfg, "zone2",
					     "thermostat/zone2", b),
			 0);
	for (size_t i = 0; i < MQTT_DISCOVERY_MSGS; i++) {
		json_t *ja = parse(a[i].payload), *jb = parse(b[i].payload);

		ck_assert_str_ne(a[i].topic, b[i].topic);
		ck_assert_str_ne(str(ja, "unique_id"), str(jb, "unique_id"));
		ck_assert_str_ne(str(ja, "default_entity_id"),
				 str(jb, "default_entity_id"));
		ck_assert_str_ne(str(ja, "availability_topic"),
				 str(jb, "availability_topic"));
		json_decref(ja);
		json_decref(jb);
	}
	mqtt_msgs_free(a, MQTT_DISCOVERY_MSGS);
	mqtt_msgs_free(b, MQTT_DISCOVERY_MSGS);
}
END_TEST

/* ---- state ---------------------------------------------------------- */

static const char *payload_of(struct mqtt_msg *m, const char *topic)
{
	for (size_t i = 0; i < MQTT_STATE_MSGS; i++)
		if (strcmp(m[i].topic, topic) == 0)
			return m[i].payload;
	ck_abort_msg("no message on %s", topic);
	return NULL;
}

START_TEST(state_payloads)
{
	struct mqtt_msg m[MQTT_STATE_MSGS];
	time_t now = 1796000000;
	json_t *j;

	rec.heating = true;
	rec.target.preset = 1; /* eco */
	rec.runtime.total_seconds = 4567;
	ck_assert_int_eq(mqtt_state_msgs(&rec, &cfg, "t/z", now, m), 0);
	ck_assert_str_eq(payload_of(m, "t/z/temperature"), "20");
	ck_assert_str_eq(payload_of(m, "t/z/setpoint"), "21.5");
	ck_assert_str_eq(payload_of(m, "t/z/mode"), "heat");
	ck_assert_str_eq(payload_of(m, "t/z/action"), "heating");
	ck_assert_str_eq(payload_of(m, "t/z/preset"), "eco");
	ck_assert_str_eq(payload_of(m, "t/z/runtime_total"), "4567");
	ck_assert_str_eq(payload_of(m, "t/z/alarm"), "OFF");
	j = parse(payload_of(m, "t/z/state"));
	ck_assert_double_eq_tol(num(j, "setpoint"), 21.5, 1e-9);
	ck_assert_double_eq_tol(num(j, "temperature"), 20, 1e-9);
	ck_assert_str_eq(str(j, "preset"), "eco");
	ck_assert_str_eq(str(j, "unit"), "C");
	ck_assert(json_is_true(json_object_get(j, "heating")));
	ck_assert_uint_eq(json_array_size(json_object_get(j, "alarms")), 0);
	json_decref(j);
	mqtt_msgs_free(m, MQTT_STATE_MSGS);

	/* Unknown, off, alarms, no preset. */
	rec.temperature = NAN;
	rec.mode = MODE_OFF;
	rec.runaway = true;
	rec.relay_ok = false;
	rec.target.preset = -1;
	ck_assert_int_eq(mqtt_state_msgs(&rec, &cfg, "t/z", now, m), 0);
	ck_assert_str_eq(payload_of(m, "t/z/temperature"), "None");
	ck_assert_str_eq(payload_of(m, "t/z/action"), "off");
	ck_assert_str_eq(payload_of(m, "t/z/preset"), "none");
	ck_assert_str_eq(payload_of(m, "t/z/alarm"), "ON");
	j = parse(payload_of(m, "t/z/state"));
	ck_assert(json_is_null(json_object_get(j, "temperature")));
	ck_assert(json_is_null(json_object_get(j, "preset")));
	ck_assert_uint_eq(json_array_size(json_object_get(j, "alarms")), 2);
	json_decref(j);
	mqtt_msgs_free(m, MQTT_STATE_MSGS);

	/* Idle; the stale sensor is an alarm too; Fahrenheit. */
	rec.mode = MODE_HEAT;
	rec.heating = false;
	rec.runaway = false;
	rec.relay_ok = true;
	rec.reason = REASON_SENSOR_STALE;
	rec.temperature = 20;
	cfg.units = 'F';
	ck_assert_int_eq(mqtt_state_msgs(&rec, &cfg, "t/z", now, m), 0);
	ck_assert_str_eq(payload_of(m, "t/z/action"), "idle");
	ck_assert_str_eq(payload_of(m, "t/z/alarm"), "ON");
	ck_assert_str_eq(payload_of(m, "t/z/temperature"), "68");
	ck_assert_str_eq(payload_of(m, "t/z/setpoint"), "70.7");
	mqtt_msgs_free(m, MQTT_STATE_MSGS);
}
END_TEST

/* ---- commands ------------------------------------------------------- */

static int command(const char *topic, const char *payload, size_t n,
		   struct command *cmd, char *why)
{
	return mqtt_command_parse("thermostat/zone1", topic, payload, n, &rec,
				  &cfg, cmd, why, 200);
}

#define CMD(topic, payload)                                                  \
	command(topic, payload, strlen(payload), &cmd, why)

START_TEST(good_commands)
{
	struct command cmd;
	char why[200];

	ck_assert_int_eq(CMD("thermostat/zone1/setpoint/set", "21.5"), 0);
	ck_assert_int_eq(cmd.kind, COMMAND_SETPOINT);
	ck_assert_double_eq(cmd.setpoint, 21.5);
	/* The web's rule: rounded to setpoint_step. */
	ck_assert_int_eq(CMD("thermostat/zone1/setpoint/set", "21.3"), 0);
	ck_assert_double_eq(cmd.setpoint, 21.5);
	ck_assert_int_eq(CMD("thermostat/zone1/setpoint/set", "5"), 0);
	ck_assert_double_eq(cmd.setpoint, 5);
	ck_assert_int_eq(CMD("thermostat/zone1/mode/set", "off"), 0);
	ck_assert_int_eq(cmd.kind, COMMAND_MODE);
	ck_assert_int_eq(cmd.mode, MODE_OFF);
	ck_assert_int_eq(CMD("thermostat/zone1/mode/set", "heat"), 0);
	ck_assert_int_eq(cmd.mode, MODE_HEAT);
	ck_assert_int_eq(CMD("thermostat/zone1/preset/set", "sleep"), 0);
	ck_assert_int_eq(cmd.kind, COMMAND_PRESET);
	ck_assert_str_eq(rec.presets.p[cmd.preset].name, "sleep");
	ck_assert_int_eq(CMD("thermostat/zone1/preset/set", "none"), 0);
	ck_assert_int_eq(cmd.kind, COMMAND_CLEAR_HOLD);
	/* Fahrenheit: 70 F is 21.1 C, on the 0.5 C step 21. */
	cfg.units = 'F';
	ck_assert_int_eq(CMD("thermostat/zone1/setpoint/set", "70"), 0);
	ck_assert_double_eq(cmd.setpoint, 21);
}
END_TEST

START_TEST(bad_commands_change_nothing)
{
	static const struct {
		const char *topic, *payload;
		size_t n;	/* 0: strlen */
	} bad[] = {
		{ "thermostat/zone1/setpoint/set", "abc", 0 },
		{ "thermostat/zone1/setpoint/set", "", 0 },
		{ "thermostat/zone1/setpoint/set", "1e309", 0 },
		{ "thermostat/zone1/setpoint/set", "25.0.0", 0 },
		{ "thermostat/zone1/setpoint/set", "99", 0 },
		{ "thermostat/zone1/setpoint/set", "4.9", 0 },
		{ "thermostat/zone1/setpoint/set", "-0", 0 },
		{ "thermostat/zone1/setpoint/set", " 21", 0 },
		{ "thermostat/zone1/setpoint/set", "21 ", 0 },
		{ "thermostat/zone1/setpoint/set", "nan", 0 },
		{ "thermostat/zone1/setpoint/set", "inf", 0 },
		{ "thermostat/zone1/setpoint/set", "0x15", 0 },
		{ "thermostat/zone1/setpoint/set", "21\0", 3 },
		{ "thermostat/zone1/setpoint/set", "{\"setpoint\":21}", 0 },
		{ "thermostat/zone1/setpoint/set", "heat", 0 },
		{ "thermostat/zone1/mode/set", "cool", 0 },
		{ "thermostat/zone1/mode/set", "HEAT", 0 },
		{ "thermostat/zone1/mode/set", "heat\n", 0 },
		{ "thermostat/zone1/mode/set", "x\nthermostat: info: forged", 0 },
		{ "thermostat/zone1/setpoint/set", "2\x1b[2J", 0 },
		{ "thermostat/zone1/mode/set", "21", 0 },
		{ "thermostat/zone1/preset/set", "holiday", 0 },
		{ "thermostat/zone1/preset/set", "Eco", 0 },
		{ "thermostat/zone1/preset/set", "\xc3\xa9" "co", 0 },
		{ "thermostat/zone1/preset/set", "\xff\xfe", 0 },
		{ "thermostat/zone1/foo/set", "21", 0 },
		{ "thermostat/zone1/setpoint", "21", 0 },
		{ "thermostat/zone1/setpoint/set/x", "21", 0 },
		{ "thermostat/zone2/setpoint/set", "21", 0 },
		{ "thermostat/zone1//set", "21", 0 },
		{ "thermostat/zone1/set", "21", 0 },
		{ "homeassistant/climate/zone1/thermostat/config", "{}", 0 },
	};
	struct command cmd, keep;
	char why[200], big[MQTT_COMMAND_MAX + 2];

	memset(&keep, 0x5a, sizeof(keep));
	for (size_t i = 0; i < N(bad); i++) {
		size_t n = bad[i].n ? bad[i].n : strlen(bad[i].payload);

		memcpy(&cmd, &keep, sizeof(cmd));
		why[0] = '\0';
		ck_assert_msg(command(bad[i].topic, bad[i].payload, n, &cmd,
				      why) == -1,
			      "taken: %s %s", bad[i].topic, bad[i].payload);
		ck_assert_msg(why[0] != '\0', "no reason for %s %s",
			      bad[i].topic, bad[i].payload);
		/* The reason goes to the log: no line a payload forged. */
		for (const char *p = why; *p; p++)
			ck_assert_msg(*p >= 0x20 && *p < 0x7f,
				      "the reason for %s has a byte 0x%02x: %s",
				      bad[i].topic, (unsigned char)*p, why);
		ck_assert_msg(memcmp(&cmd, &keep, sizeof(cmd)) == 0,
			      "%s %s changed the command", bad[i].topic,
			      bad[i].payload);
	}
	/* Oversized, though a number. */
	memset(big, '1', sizeof(big));
	ck_assert_int_eq(command("thermostat/zone1/setpoint/set", big,
				 sizeof(big), &cmd, why),
			 -1);
	ck_assert_ptr_nonnull(strstr(why, "bytes"));
	/* The reason says what was wrong. */
	ck_assert_int_eq(CMD("thermostat/zone1/setpoint/set", "99"), -1);
	ck_assert_ptr_nonnull(strstr(why, "out of range"));
	ck_assert_int_eq(CMD("thermostat/zone1/preset/set", "holiday"), -1);
	ck_assert_ptr_nonnull(strstr(why, "holiday"));
}
END_TEST

static Suite *suite_mqtt(void)
{
	Suite *s = suite_create("mqtt");
	TCase *tc = tcase_create("pure");

	tcase_add_checked_fixture(tc, setup, NULL);
	tcase_add_test(tc, node_ids);
	tcase_add_test(tc, climate_discovery);
	tcase_add_test(tc, climate_fahrenheit);
	tcase_add_test(tc, sensor_discovery);
	tcase_add_test(tc, two_nodes_never_collide);
	tcase_add_test(tc, state_payloads);
	tcase_add_test(tc, good_commands);
	tcase_add_test(tc, bad_commands_change_nothing);
	suite_add_tcase(s, tc);
	return s;
}

const suite_fn test_suites[] = { suite_mqtt, NULL };
