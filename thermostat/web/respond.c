/* SPDX-License-Identifier: MIT */
/*
 * Answers, and request bodies.  Notes on CivetWeb 1.15 behaviour that
 * shaped this file are marked "CivetWeb:".
 */
#include <config.h>
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/errmsg.h"
#include "util/timeutil.h"
#include "web/api.h"
#include "web/request.h"
#include "web/server.h"

/* Every response carries these: no inline script anywhere, no framing,
 * no sniffing, no referrer. */
static const char security_headers[] =
	"Content-Security-Policy: default-src 'self'; script-src 'self'; "
	"style-src 'self'; img-src 'self' data:; connect-src 'self'; "
	"object-src 'none'; base-uri 'none'; form-action 'self'; "
	"frame-ancestors 'none'\r\n"
	"X-Content-Type-Options: nosniff\r\n"
	"X-Frame-Options: DENY\r\n"
	"Referrer-Policy: no-referrer\r\n";

/* The Date header, made here with gmtime_r: CivetWeb 1.15 (Debian) adds a
 * missing one with gmtime(), which races between its workers. */
static void add_date(struct mg_connection *c)
{
	char date[64];
	time_t now = time(NULL);
	struct tm tm;

	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	mg_response_header_add(c, "Date", date, -1);
}

void respond_start(struct req *q, int status, const char *type)
{
	q->status = status;
	mg_response_header_start(q->c, status);
	add_date(q->c);
	mg_response_header_add_lines(q->c, security_headers);
	if (type)
		mg_response_header_add(q->c, "Content-Type", type, -1);
	mg_response_header_add(q->c, "Cache-Control", "no-store", -1);
}

void respond(struct req *q, int status, const char *type, const void *body,
	     size_t len, const char *extra)
{
	char clen[24];

	respond_start(q, status, type);
	snprintf(clen, sizeof(clen), "%zu", len);
	mg_response_header_add(q->c, "Content-Length", clen, -1);
	if (extra)
		mg_response_header_add_lines(q->c, extra);
	mg_response_header_send(q->c);
	if (len && !q->head)
		mg_write(q->c, body, len);
}

void respond_json_extra(struct req *q, int status, json_t *json,
			const char *extra)
{
	char *text = json ? api_dump(json) : NULL;

	json_decref(json);
	if (!text) {
		static const char oom[] = "{\"error\":\"out of memory\"}";

		respond(q, 500, "application/json", oom, sizeof(oom) - 1, NULL);
		return;
	}
	respond(q, status, "application/json", text, strlen(text), extra);
	free(text);
}

void respond_json(struct req *q, int status, json_t *json)
{
	respond_json_extra(q, status, json, NULL);
}

void respond_error(struct req *q, int status, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	verrmsg(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	mg_disable_connection_keep_alive(q->c);
	respond_json(q, status, api_error_json(msg));
}

bool content_type_is(struct req *q, const char *want)
{
	const char *ct = mg_get_header(q->c, "Content-Type");
	size_t n = strlen(want);

	return ct && strncasecmp(ct, want, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

long read_body(struct req *q, char *buf)
{
	const char *te = mg_get_header(q->c, "Transfer-Encoding");
	bool chunked = te && strcasecmp(te, "chunked") == 0;
	long long clen = q->ri->content_length;
	int limit_ms = q->w->cfg->body_timeout_ms;
	double deadline = mono_now() + limit_ms / 1000.0;
	size_t got = 0;
	int r;

	/* CivetWeb: without Content-Length or chunked encoding the body
	 * reads as empty; say so instead of acting on nothing. */
	if (clen < 0 && !chunked) {
		respond_error(q, 411, "Content-Length required");
		return -1;
	}
	if (clen > API_MAX_BODY) {
		respond_error(q, 413, "body over %d bytes", API_MAX_BODY);
		return -1;
	}
	/* CivetWeb: one mg_read() returns only when all it was asked for
	 * has come, however slowly it trickles in; its request_timeout_ms
	 * ends only a silence that long.  A byte at a time, the body's
	 * deadline is looked at between bytes.  Bodies are small (4 KB at
	 * most) and usually in CivetWeb's buffer with the headers. */
	while ((r = mg_read(q->c, buf + got, 1)) > 0) {
		if (++got > API_MAX_BODY) {
			respond_error(q, 413, "body over %d bytes",
				      API_MAX_BODY);
			return -1;
		}
		if (mono_now() > deadline &&
		    (chunked || (long long)got < clen)) {
			respond_error(q, 408, "body not received within %d ms "
				      "(body_timeout_ms)", limit_ms);
			return -1;
		}
	}
	/* CivetWeb: mg_read returns 0 on a timeout too; a short body is an
	 * error, not a request. */
	if (r < 0 || (!chunked && (long long)got != clen)) {
		respond_error(q, 400, "incomplete body");
		return -1;
	}
	/* Everything after a NUL would be unseen by the string functions
	 * of the parsers: {"setpoint":21\0garbage} is not a request. */
	if (memchr(buf, '\0', got)) {
		respond_error(q, 400, "NUL byte in the body");
		return -1;
	}
	buf[got] = '\0';
	return (long)got;
}
