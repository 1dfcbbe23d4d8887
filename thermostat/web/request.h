/* SPDX-License-Identifier: MIT */
/*
 * One request being answered, and the ways to answer it.  Every answer
 * goes through respond() (or respond_start() for a stream), so that the
 * security headers, the Date, Cache-Control and the status the counters
 * see are the same for every route.
 */
#ifndef THERMO_WEB_REQUEST_H
#define THERMO_WEB_REQUEST_H

#include <civetweb.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct web;

struct req {
	struct web *w;
	struct mg_connection *c;
	const struct mg_request_info *ri;
	int route;		/* enum route_id (routes.h) */
	bool head;		/* HEAD: headers only */
	int status;		/* what was answered, for the counters */
	int saved;		/* a write: whether it is saved; else -1 */
};

typedef void route_fn(struct req *q);

/* A whole answer: @type may be NULL (no body type), @extra more header
 * lines ("Name: value\r\n"...) or NULL.  No body is sent for HEAD. */
void respond(struct req *q, int status, const char *type, const void *body,
	     size_t len, const char *extra);
/* @json (stolen; NULL: out of memory, answered 500). */
void respond_json(struct req *q, int status, json_t *json);
void respond_json_extra(struct req *q, int status, json_t *json,
			const char *extra);
/* {"error": "..."}, and the connection closed afterwards: an error may be
 * answered before the body was read, and CivetWeb would otherwise read
 * (and discard) all of it to keep the connection alive. */
void respond_error(struct req *q, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* The headers of an answer of unknown length (an event stream), without
 * sending them: the caller may add more, then mg_response_header_send. */
void respond_start(struct req *q, int status, const char *type);

/* Whether the Content-Type's media type is @want (parameters such as
 * "; charset=utf-8" allowed). */
bool content_type_is(struct req *q, const char *want);
/* Reads the body into @buf (API_MAX_BODY + 1 bytes) and NUL-terminates
 * it; its length, or -1 after answering 411, 413 or 400. */
long read_body(struct req *q, char *buf);

#endif
