/* SPDX-License-Identifier: MIT */
/*
 * The web server's routes, listed once.  dispatch.c makes the table that
 * requests are matched against from this list, /metrics labels its
 * counters with the same paths, and each handler lives in the file of
 * its job (route_*.c, events.c, metrics.c).
 */
#ifndef THERMO_WEB_ROUTES_H
#define THERMO_WEB_ROUTES_H

#include <stdbool.h>

#include "web/request.h"

/*
 * Every route: X(ID, path, method, write, compat, handler).  The path is
 * matched exactly (CivetWeb's own patterns are prefixes).  The method is
 * "GET" (HEAD implied), "PUT", "POST" or "DELETE"; a path with several
 * methods has an entry for each.  A write route needs credentials
 * when a password file is set; a compat route is one of the original
 * daemon's, served while compat_routes is on.
 */
#define WEB_ROUTES(X)                                                        \
	X(PAGE, "/", "GET", false, false, route_page)                        \
	X(VERSION, "/api/v1/version", "GET", false, false, route_version)    \
	X(STATE, "/api/v1/state", "GET", false, false, route_state)          \
	X(SETPOINT, "/api/v1/setpoint", "PUT", true, false, route_setpoint)  \
	X(MODE, "/api/v1/mode", "PUT", true, false, route_mode)              \
	X(ALARM, "/api/v1/alarm", "PUT", true, false, route_alarm)           \
	X(PRESETS, "/api/v1/presets", "GET", false, false,                   \
	  route_get_presets)                                                 \
	X(PUT_PRESETS, "/api/v1/presets", "PUT", true, false,                \
	  route_put_presets)                                                 \
	X(SCHEDULE, "/api/v1/schedule", "GET", false, false,                 \
	  route_get_schedule)                                                \
	X(PUT_SCHEDULE, "/api/v1/schedule", "PUT", true, false,              \
	  route_put_schedule)                                                \
	X(PRESET, "/api/v1/preset", "PUT", true, false, route_preset)        \
	X(HOLD, "/api/v1/hold", "PUT", true, false, route_put_hold)          \
	X(DELETE_HOLD, "/api/v1/hold", "DELETE", true, false,                \
	  route_delete_hold)                                                 \
	X(BOOST, "/api/v1/boost", "PUT", true, false, route_boost)           \
	X(HISTORY, "/api/v1/history", "GET", false, false, route_history)    \
	X(EVENTS, "/api/v1/events", "GET", false, false, route_events)       \
	X(METRICS, "/metrics", "GET", false, false, route_metrics)           \
	X(HEALTHZ, "/healthz", "GET", false, false, route_healthz)           \
	X(HEALTH_CHECK, "/health_check", "GET", false, true,                 \
	  route_health_check)                                                \
	X(GET_THERMOSTAT, "/get_thermostat", "GET", false, true,             \
	  route_get_thermostat)                                              \
	X(GET_TEMPERATURE, "/get_temperature", "GET", false, true,           \
	  route_get_temperature)                                             \
	X(GET_THERMOSTAT_DATA, "/get_thermostat_data", "GET", false, true,   \
	  route_get_thermostat_data)                                         \
	X(SET_THERMOSTAT, "/set_thermostat", "POST", true, true,             \
	  route_set_thermostat)

enum route_id {
#define X(id, ...) ROUTE_##id,
	WEB_ROUTES(X)
#undef X
	ROUTE_ASSET,	/* any file of the page (assets.h), label "asset" */
	ROUTE_OTHER,	/* nothing: 404, label "other" */
	ROUTE_COUNT
};

struct route {
	const char *path;	/* also the metrics label */
	const char *method;
	bool write;
	bool compat;
	route_fn *fn;
};

/* Indexed by enum route_id. */
extern const struct route web_routes[ROUTE_COUNT];

#define X(id, path, method, write, compat, fn) route_fn fn;
WEB_ROUTES(X)
#undef X
route_fn route_asset;

#endif
