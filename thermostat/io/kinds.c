/* SPDX-License-Identifier: MIT */
/*
 * The names of the sensor and relay kinds, as the configuration, the log
 * and the API spell them.  Apart from sensor.c and relay.c so that the
 * configuration can name kinds without linking their I/O.
 */
#include <config.h>
#include <stddef.h>

#include "io/relay.h"
#include "io/sensor.h"

const struct name_value sensor_kind_names[] = {
	{ "w1", SENSOR_W1 }, { "sysfs", SENSOR_SYSFS }, { "sim", SENSOR_SIM },
	{ NULL, 0 },
};

const struct name_value relay_kind_names[] = {
	{ "gpiod", RELAY_GPIOD }, { "sim", RELAY_SIM }, { NULL, 0 },
};
