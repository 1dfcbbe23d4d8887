/* SPDX-License-Identifier: MIT */
/*
 * Rules between keys (min_setpoint below max_setpoint, sensor_timeout
 * longer than sensor_interval...), checked once every key has its value.
 * A broken rule names the key the user set last, where they will look.
 */
#include <config.h>
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>

#include "conf/keys.h"
#include "util/errmsg.h"

struct blame {
	const int *origin;	/* NULL: no origins known */
	const char *file;
};

static int invalid(const struct blame *b, int ka, int kb, char *err,
		   size_t len, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

/*
 * A rule between keys @ka and @kb (-1: none) is broken: the message names
 * the one set last (an option over the file, a later line over an earlier
 * one, anything over a default), where the user will look.
 */
static int invalid(const struct blame *b, int ka, int kb, char *err,
		   size_t len, const char *fmt, ...)
{
	char why[256], opt[64];
	int k = ka, origin = 0;
	va_list ap;

	va_start(ap, fmt);
	verrmsg(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (b->origin) {
		if (kb >= 0 && b->origin[kb] > b->origin[ka])
			k = kb;
		origin = b->origin[k];
	}
	if (origin == ORIGIN_OPTION)
		return errmsg(err, len, "--%s: %s",
			      option_name(keys[k].name, opt, sizeof(opt)), why);
	if (origin > 0)
		return errmsg(err, len, "%s:%d: %s: %s", b->file, origin,
			      keys[k].name, why);
	return errmsg(err, len, "%s: %s", keys[k].name, why);
}

/* The broker's keys.  The files themselves are read at start (a
 * password file that cannot be read stops the daemon). */
static int mqtt_rules(const struct blame *b, const struct mqtt_settings *m,
		      char *err, size_t len)
{
#ifndef THERMO_HAVE_MQTT
	if (m->enabled)
		return invalid(b, KEY_mqtt, -1, err, len,
			       "this thermostat was built without MQTT "
			       "(configure found no libmosquitto: Debian "
			       "package libmosquitto-dev)");
#endif
	if (m->password_file[0] && !m->username[0])
		return invalid(b, KEY_mqtt_password_file, KEY_mqtt_username,
			       err, len, "mqtt_password_file needs "
			       "mqtt_username");
	if (!m->cert_file[0] != !m->key_file[0])
		return invalid(b, KEY_mqtt_cert_file, KEY_mqtt_key_file, err,
			       len, "mqtt_cert_file and mqtt_key_file go "
			       "together");
	if (m->cert_file[0] && !m->ca_file[0])
		return invalid(b, KEY_mqtt_cert_file, KEY_mqtt_ca_file, err,
			       len, "a client certificate needs TLS: set "
			       "mqtt_ca_file");
	return 0;
}

int validate(const struct thermo_settings *c, const int *origin,
	     const char *file, char *err, size_t len)
{
	const struct blame blame = { origin, file }, *b = &blame;
	const struct control_config *cc = &c->control;
	struct sched_presets ps;
	struct schedule s;
	char why[200];
	int key;

	if (c->limits.min >= c->limits.max)
		return invalid(b, KEY_min_setpoint, KEY_max_setpoint, err, len,
			       "min_setpoint (%g) must be below max_setpoint "
			       "(%g)", c->limits.min, c->limits.max);
	if (c->setpoint < c->limits.min)
		return invalid(b, KEY_setpoint, KEY_min_setpoint, err, len,
			       "setpoint (%g) is below min_setpoint (%g)",
			       c->setpoint, c->limits.min);
	if (c->setpoint > c->limits.max)
		return invalid(b, KEY_setpoint, KEY_max_setpoint, err, len,
			       "setpoint (%g) is above max_setpoint (%g)",
			       c->setpoint, c->limits.max);
	if (cc->max_on != 0 && cc->max_on < cc->min_on)
		return invalid(b, KEY_max_on, KEY_min_on, err, len,
			       "max_on (%g s) must be 0 (no limit) or at least "
			       "min_on (%g s)", cc->max_on, cc->min_on);
	if (cc->sensor_timeout <= c->sensor.interval)
		return invalid(b, KEY_sensor_timeout, KEY_sensor_interval, err,
			       len, "sensor_timeout (%g s) must be longer than "
			       "sensor_interval (%g s)", cc->sensor_timeout,
			       c->sensor.interval);
	if (c->sensor.kind == SENSOR_SYSFS && !c->sensor.file[0])
		return invalid(b, KEY_sensor, KEY_sensor_file, err, len,
			       "sensor = sysfs needs sensor_file");
	if (c->auth_reads && !c->password_file[0])
		return invalid(b, KEY_auth_reads, KEY_password_file, err, len,
			       "auth_reads needs password_file");
	if (c->history_interval > c->history_minutes * 60)
		return invalid(b, KEY_history_interval, KEY_history_minutes,
			       err, len, "history_interval (%d s) is longer "
			       "than history_minutes (%d min)",
			       c->history_interval, c->history_minutes);
	if (c->history_minutes * 60 / c->history_interval > 100000)
		return invalid(b, KEY_history_minutes, KEY_history_interval,
			       err, len, "%d minutes of history every %d s is "
			       "more than 100000 points", c->history_minutes,
			       c->history_interval);
	if (mqtt_rules(b, &c->mqtt, err, len) < 0)
		return -1;
	/* After the setpoint range, which it checks temperatures against. */
	if (program_of(c, &ps, &s, &key, why, sizeof(why)) < 0)
		return invalid(b, key, -1, err, len, "%s", why);
	return 0;
}

int config_validate(const struct thermo_settings *c, char *err, size_t len)
{
	return validate(c, NULL, NULL, err, len);
}
