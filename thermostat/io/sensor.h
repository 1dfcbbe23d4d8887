/* SPDX-License-Identifier: MIT */
/*
 * Temperature sensors: open, read into degrees C or an error, close.
 *   w1     a DS18B20 on the 1-wire bus: <sysfs_root>/bus/w1/devices/28-x/w1_slave
 *   sysfs  any file holding millidegrees (hwmon tempN_input, thermal_zone temp)
 *   sim    a simulated house (house.h) warmed by the record's heating field
 * The parsers are pure functions of the file's bytes (sensor_parse.h).
 */
#ifndef THERMO_SENSOR_H
#define THERMO_SENSOR_H

#include <stdbool.h>
#include <stddef.h>

#include "io/house.h"
#include "util/names.h"

enum sensor_kind { SENSOR_W1 = 0, SENSOR_SYSFS, SENSOR_SIM };
/* "w1", "sysfs", "sim": the configuration's and the log's names. */
extern const struct name_value sensor_kind_names[];

struct sensor_settings {
	enum sensor_kind kind;
	char sysfs_root[256];	/* w1: <root>/bus/w1/devices/28-* */
	char w1_device[64];	/* w1: "28-..." or "" for the only one */
	char file[256];		/* sysfs: a file holding millidegrees */
	double interval;	/* seconds between reads */
	struct house_params sim; /* sim: the simulated house */
};

struct sensor;

/* For the sim sensor: whether the furnace runs now. */
typedef bool sensor_heating_fn(void *ctx);

/* Returns NULL with @err set when the sensor cannot be used at all (no
 * w1 device, no file...).  @heating/@ctx: sim only. */
struct sensor *sensor_open(const struct sensor_settings *set,
			   sensor_heating_fn *heating, void *ctx, char *err,
			   size_t len);
/* 0 and *@celsius, or -1 with @err saying why (the reading is then not a
 * temperature at all: missing file, CRC NO, 85.000, garbage...). */
int sensor_read(struct sensor *s, double *celsius, char *err, size_t len);
void sensor_close(struct sensor *s);

#endif
