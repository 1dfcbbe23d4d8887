/* SPDX-License-Identifier: MIT */
/*
 * Temperature sensors: open, read into degrees C or an error, close.
 *   w1     a DS18B20 on the 1-wire bus: <sysfs_root>/bus/w1/devices/28-x/w1_slave
 *   sysfs  any file holding millidegrees (hwmon tempN_input, thermal_zone temp)
 *   sim    a simulated house (house.h) warmed by the record's heating field
 * The parsers are pure functions of the file's bytes, tested on fixtures.
 */
#ifndef THERMO_SENSOR_H
#define THERMO_SENSOR_H

#include <stdbool.h>
#include <stddef.h>

#include "conf/settings.h"

struct sensor;

/* For the sim sensor: whether the furnace runs now. */
typedef bool sensor_heating_fn(void *ctx);

/* Returns NULL with @err set when the sensor cannot be used at all (no
 * w1 device, sensor_file unset...).  @heating/@ctx: sim only. */
struct sensor *sensor_open(const struct thermo_config *cfg,
			   sensor_heating_fn *heating, void *ctx, char *err,
			   size_t len);
/* 0 and *@celsius, or -1 with @err saying why (the reading is then not a
 * temperature at all: missing file, CRC NO, 85.000, garbage...). */
int sensor_read(struct sensor *s, double *celsius, char *err, size_t len);
void sensor_close(struct sensor *s);

/* The DS18B20 w1_slave text: line 1 ends in "YES", line 2 holds t=<milli>;
 * 85.000 (power-on), 127.94 and anything outside -55..125 C are errors. */
int parse_w1_slave(const char *text, size_t n, double *celsius, char *err,
		   size_t len);
/* One integer of millidegrees (optional trailing newline). */
int parse_millidegrees(const char *text, size_t n, double *celsius,
		       char *err, size_t len);

#endif
