/* SPDX-License-Identifier: MIT */
/*
 * The sensors' parsers: pure functions of (bytes, length), fed whatever a
 * file held (and a fuzzer's output).  0 and *@celsius, or -1 with @err.
 */
#ifndef THERMO_SENSOR_PARSE_H
#define THERMO_SENSOR_PARSE_H

#include <stddef.h>

/* The DS18B20 w1_slave text: line 1 ends in "YES", line 2 holds t=<milli>;
 * 85.000 (power-on), 127.94 and anything outside -55..125 C are errors. */
int parse_w1_slave(const char *text, size_t n, double *celsius, char *err,
		   size_t len);
/* One integer of millidegrees (optional trailing newline). */
int parse_millidegrees(const char *text, size_t n, double *celsius,
		       char *err, size_t len);

#endif
