/* SPDX-License-Identifier: MIT */
#include <config.h>
#include <stddef.h>

#include "core/record.h"
#include "util/names.h"

SS_RECORD_DEFINE(thermo, THERMO_FIELDS);

static const struct name_value mode_names[] = {
	{ "off", MODE_OFF }, { "heat", MODE_HEAT }, { NULL, 0 },
};

static const struct name_value sensor_status_names[] = {
	{ "starting", SENSOR_STARTING }, { "ok", SENSOR_OK },
	{ "error", SENSOR_ERROR }, { "stale", SENSOR_STALE }, { NULL, 0 },
};

static const struct name_value mqtt_link_names[] = {
	{ "off", MQTT_OFF }, { "connecting", MQTT_CONNECTING },
	{ "connected", MQTT_UP }, { "down", MQTT_DOWN }, { NULL, 0 },
};

const char *mqtt_link_name(enum mqtt_link link)
{
	const char *name = names_name(mqtt_link_names, (int)link);

	return name ? name : "?";
}

const char *mode_name(enum thermo_mode mode)
{
	const char *name = names_name(mode_names, (int)mode);

	return name ? name : "?";
}

int mode_from_name(const char *name, enum thermo_mode *out)
{
	const struct name_value *nv = names_find(mode_names, name, false);

	if (!nv)
		return -1;
	*out = (enum thermo_mode)nv->value;
	return 0;
}

const char *sensor_status_name(enum sensor_status status)
{
	const char *name = names_name(sensor_status_names, (int)status);

	return name ? name : "?";
}
