/* SPDX-License-Identifier: MIT */
/*
 * The HTTP API's pure half: the JSON the routes answer and the parsing and
 * validation of what clients send.  No sockets, no locks, no clock: the
 * web thread passes a snapshot of the record and the time.  Every parser
 * takes (bytes, length) and answers an HTTP status with a message, so bad
 * input is refused before anything changes.
 */
#ifndef THERMO_API_H
#define THERMO_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "conf/settings.h"
#include "core/record.h"

/* Largest request body accepted (413 beyond). */
#define API_MAX_BODY 4096

struct api_error {
	int status;		/* 400, 415, 422... */
	char message[160];
};

/* Degrees C to the display unit ('C' or 'F') and back. */
double api_to_unit(double celsius, char unit);
double api_from_unit(double value, char unit);

/* A setpoint @value in @unit, as every route takes one: within
 * min_setpoint..max_setpoint (else 422 "@what out of range"), rounded to
 * setpoint_step (setpoint_round).  0 and *@celsius, or -1 with @err and
 * *@celsius untouched. */
int api_setpoint_in(double value, char unit, const char *what,
		    const struct thermo_settings *cfg, double *celsius,
		    struct api_error *err);

/* GET /api/v1/state.  A new reference. */
json_t *api_state_json(const struct thermo *r,
		       const struct thermo_settings *cfg, double now);

/* PUT /api/v1/setpoint: {"setpoint": 21.5, "unit": "C"} (unit optional,
 * defaulting to the configured one).  0 and *@celsius, or -1 with @err:
 * 400 malformed JSON (also numbers beyond a double's range, such as 1e309,
 * which jansson refuses, and nesting deeper than 8), 422 a valid document
 * with a bad value (wrong type, out of the configured bounds, unknown unit
 * or field). */
int api_parse_setpoint(const char *body, size_t n,
		       const struct thermo_settings *cfg, double *celsius,
		       struct api_error *err);

/* PUT /api/v1/mode: {"mode": "heat"|"off"}. */
int api_parse_mode(const char *body, size_t n, enum thermo_mode *mode,
		   struct api_error *err);

/* PUT /api/v1/alarm: {"runaway": false} clears the runaway alarm.  0, or
 * -1 with @err: 400 malformed JSON, 422 anything else (true: only the
 * thermostat raises it; another type; a missing or unknown field). */
int api_parse_alarm(const char *body, size_t n, struct api_error *err);

/* POST /set_thermostat (the original daemon's route): the form body
 * "thermostat_setting=N", N whole degrees Fahrenheit; 400 when missing or
 * not a whole number, 422 outside the configured bounds. */
int api_parse_compat_form(const char *body, size_t n,
			  const struct thermo_settings *cfg, double *celsius,
			  struct api_error *err);

/* GET /api/v1/history?minutes=N: parses the query string (NULL or "" for
 * all that is kept); 0 and *@minutes, or -1 with a 400. */
int api_parse_history_query(const char *query, int max_minutes,
			    int *minutes, struct api_error *err);

/* The original daemon's JSON, whole Fahrenheit where it used them. */
json_t *api_compat_setting_json(const struct thermo *r);
json_t *api_compat_temperature_json(const struct thermo *r,
				    const struct thermo_settings *cfg,
				    double now);
json_t *api_compat_data_json(const struct thermo *r,
			     const struct thermo_settings *cfg, double now);

/* {"error": "..."}.  A new reference. */
json_t *api_error_json(const char *message);

/* The parsers' tools (api.c), for the program's routes (api_program.c).
 * api_fail sets @err and returns -1; api_parse_object answers 400 for
 * anything but a JSON object (NULL); api_only_known 422 for a member not
 * in @allowed (NULL-terminated); api_temp_json gives a temperature in the
 * display unit, two decimals, null when not finite; api_iso8601 the UTC
 * time of @wall, "2026-12-07T03:00:00Z". */
int api_fail(struct api_error *err, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
json_t *api_parse_object(const char *body, size_t n, struct api_error *err);
int api_only_known(json_t *obj, const char *const *allowed,
		   struct api_error *err);
json_t *api_temp_json(double celsius, char unit);
void api_iso8601(char *buf, size_t len, double wall);

/* Serialises compactly (caller frees), NULL on allocation failure. */
char *api_dump(const json_t *json);

#endif
