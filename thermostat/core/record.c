/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "core/record.h"

SS_RECORD_DEFINE(thermo, THERMO_FIELDS);

const char *mode_name(enum thermo_mode mode)
{
	return mode == MODE_OFF ? "off" : mode == MODE_HEAT ? "heat" : "?";
}

int mode_from_name(const char *name, enum thermo_mode *out)
{
	if (strcmp(name, "off") == 0)
		*out = MODE_OFF;
	else if (strcmp(name, "heat") == 0)
		*out = MODE_HEAT;
	else
		return -1;
	return 0;
}

const char *sensor_status_name(enum sensor_status status)
{
	switch (status) {
	case SENSOR_STARTING:
		return "starting";
	case SENSOR_OK:
		return "ok";
	case SENSOR_ERROR:
		return "error";
	case SENSOR_STALE:
		return "stale";
	}
	return "?";
}
