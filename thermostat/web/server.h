/* SPDX-License-Identifier: MIT */
/*
 * The web server's parts, shared by the files of web/ (private to them).
 * Handlers touch the thermostat only through the record's generated
 * accessors, and keep their counters in a record of their own.
 */
#ifndef THERMO_WEB_SERVER_H
#define THERMO_WEB_SERVER_H

#include <stdint.h>

#include "conf/settings.h"
#include "core/command.h"
#include "core/history.h"
#include "core/record.h"
#include "web/api.h"
#include "web/api_program.h"
#include "web/auth.h"
#include "web/routes.h"

/* The statuses counted by /metrics; anything else counts as "other". */
#define WEB_COUNTED_STATUSES 200, 400, 401, 403, 404, 405, 408, 411, 413, \
	415, 421, 422, 429, 500, 503
#define WEB_NSTATUS 16 /* the statuses above and "other" */

struct web_counts {
	uint64_t n[ROUTE_COUNT][WEB_NSTATUS];
};

/* The server's own counters (metrics.c). */
#define WEBSTATS_FIELDS(X)                                                   \
	/* requests answered, by route and status */                         \
	X(struct web_counts, counts, { { { 0 } } })                          \
	/* open event streams */                                             \
	X(unsigned, sse_clients, 0)
SS_RECORD_DECLARE(webstats, WEBSTATS_FIELDS);

/* The state route's answer, rendered once per record version and tenth
 * of a second (route_state.c). */
struct state_text {
	char s[1536];
};
#define STATECACHE_FIELDS(X)                                                 \
	/* the record version and time bucket the text was rendered at */    \
	X(uint64_t, version, UINT64_MAX)                                     \
	X(int64_t, bucket, -1)                                               \
	X(uint32_t, len, 0)                                                  \
	X(struct state_text, text, { { 0 } })
SS_RECORD_DECLARE(statecache, STATECACHE_FIELDS);

struct web {
	struct mg_context *ctx;
	struct gate *gate;	/* max_connections_per_client; or NULL */
	const struct thermo_settings *cfg;
	thermo_handle rec;
	history_handle hist;
	webstats_handle stats;
	statecache_handle cache;
	struct auth *auth;	/* the logins (auth.h) */
	double start;		/* CLOCK_MONOTONIC, the daemon's start */
	int port;
};

/* The request routing: one handler for every request (dispatch.c). */
int web_dispatch(struct mg_connection *c, void *ud);

/* Counters (metrics.c): one answered request; an event stream opened
 * (false when @max are already open) or closed. */
void web_count(struct web *w, int route, int status);
bool web_stream_open(struct web *w, unsigned max);
void web_stream_close(struct web *w);

/* The state as the state route answers it, also after a write. */
void respond_state(struct req *q);

/*
 * The one write path of the routes (route_write.c): a body of the media
 * type @type, parsed into a command by @parse, applied to the record
 * (core/command.h), logged when it changed something, answered by
 * @answer.  Bad input is answered 4xx by the step that finds it, and
 * changes nothing.
 */
struct write_route {
	const char *type;
	/* @r: the record as read before (presets resolve names);
	 * @cmd->now is set. */
	api_program_parse_fn *parse;
	route_fn *answer;
};
void web_write(struct req *q, const struct write_route *wr);
/* Its second half, for a command made without a body (DELETE): applies
 * @cmd, logs, waits for the save, answers with @answer. */
void web_apply(struct req *q, const struct command *cmd, route_fn *answer);

#endif
