/* SPDX-License-Identifier: MIT */
/*
 * The hostile-request battery, against the real daemon: thermostat
 * --simulate on an ephemeral loopback port with a state file of its own.
 * Every request below is hostile (broken JSON, values no thermostat
 * holds, bodies too big or never finished, framing games, path tricks,
 * floods, slow and half-closed connections).  Each must get its 4xx, or a
 * closed connection where that is the only sane answer; after each the
 * daemon must still answer a normal request, with the setpoint and mode
 * it had.  At the end the state file holds the bytes it held before, and
 * SIGTERM stops the daemon with status 0.  One line per case is printed.
 *
 * Needs $top_builddir (set by make check) to find thermostat/thermostat.
 */
#include <config.h>
#define _GNU_SOURCE
#include <curl/curl.h>
#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon_proc.h"
#include "http.h"

#define CLOSED (-1)	/* the server closed the connection, no answer */
#define NOT_SERVED 999	/* others were not served while this one dripped */
#define STATE_TEXT "# thermostat state\nsetpoint=21.5\nmode=heat\n"

static char dir[64], state_path[128], log_path[128];
static pid_t daemon_pid;
static int port;
static double scale = 1;

/* ---- the daemon ----------------------------------------------------- */

static int start_daemon(void)
{
	static const char *const args[] = {
		"--config", "/dev/null", "--simulate",
		"--listen", "127.0.0.1:0",
		"--state-file", state_path,
		"--request-timeout-ms", "1000",
		NULL
	};

	return daemon_start(args, log_path, scale, &daemon_pid, &port);
}

/* Setpoint and mode of GET /api/v1/state; false when it did not answer
 * 200 with them. */
static bool get_state(double *setpoint, char *mode, size_t len)
{
	struct http_req rq = { .path = "/api/v1/state",
			       .timeout_ms = (int)(15000 * scale) };
	struct http_resp rs;
	json_t *j;
	bool ok = false;

	http_do(port, &rq, &rs);
	if (rs.status == 200 &&
	    (j = json_loadb(rs.body, rs.body_len, 0, NULL))) {
		json_t *sp = json_object_get(j, "setpoint");
		const char *m = json_string_value(json_object_get(j, "mode"));

		if (json_is_number(sp) && m) {
			*setpoint = json_number_value(sp);
			snprintf(mode, len, "%s", m);
			ok = true;
		}
		json_decref(j);
	}
	http_free(&rs);
	return ok;
}

/* ---- requests ------------------------------------------------------- */

struct abuse {
	const char *name;
	/* A well-formed request carrying @body (Content-Length computed)... */
	const char *method, *path, *type, *body;
	size_t body_len;	/* 0: strlen(body) */
	/* ...or exactly these bytes... */
	const char *raw;
	size_t raw_len;		/* 0: strlen(raw) */
	/* ...or bytes built at run time, or a whole conversation. */
	char *(*build)(size_t *len);
	void (*talk)(struct raw_result *r);
	bool shut_wr;		/* raw: shut the sending half after it */
	int want[4];		/* the acceptable outcomes, 0-terminated */
	const char *says;	/* if set: the answer must contain this */
};

static char *fmt_request(const char *method, const char *path,
			 const char *type, const char *body, size_t n,
			 size_t *len)
{
	static const char fmt[] =
		"%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
		"%s%s%sContent-Length: %zu\r\n\r\n";
	const char *pre = type ? "Content-Type: " : "", *t = type ? type : "",
		   *post = type ? "\r\n" : "";
	int h = snprintf(NULL, 0, fmt, method, path, pre, t, post, n);
	char *req = h < 0 ? NULL : malloc((size_t)h + n + 1);

	if (!req)
		return NULL;
	snprintf(req, (size_t)h + 1, fmt, method, path, pre, t, post, n);
	memcpy(req + h, body, n);
	req[(size_t)h + n] = '\0';
	*len = (size_t)h + n;
	return req;
}

/* A PUT of @body to the setpoint route. */
static char *put_setpoint(const char *body, size_t n, size_t *len)
{
	return fmt_request("PUT", "/api/v1/setpoint", "application/json", body,
			   n, len);
}

static char *deep_arrays(size_t *len)
{
	char body[4096];

	memset(body, '[', sizeof(body));
	return put_setpoint(body, sizeof(body), len);
}

static char *deep_objects(size_t *len)
{
	char body[4095];

	for (size_t i = 0; i + 5 <= sizeof(body); i += 5)
		memcpy(body + i, "{\"a\":", 5);
	return put_setpoint(body, sizeof(body), len);
}

static char *many_fields(size_t *len)
{
	char body[4096];
	size_t n = (size_t)snprintf(body, sizeof(body), "{\"setpoint\": 25");

	for (int i = 0; n + 16 < sizeof(body); i++)
		n += (size_t)snprintf(body + n, sizeof(body) - n,
				      ",\"f%d\":%d", i, i);
	body[n++] = '}';
	return put_setpoint(body, n, len);
}

static char *megabyte_body(size_t *len)
{
	size_t n = 1 << 20;
	char *body = malloc(n), *req;

	if (!body)
		return NULL;
	memset(body, ' ', n);
	memcpy(body, "{\"setpoint\": 25}", 16);
	req = put_setpoint(body, n, len);
	free(body);
	return req;
}

static char *megabyte_chunked(size_t *len)
{
	static const char head[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\n"
		"Transfer-Encoding: chunked\r\n\r\n";
	size_t n = sizeof(head) - 1, cap = n + 256 * (4096 + 16) + 16;
	char *req = malloc(cap);

	if (!req)
		return NULL;
	memcpy(req, head, n);
	for (int i = 0; i < 256; i++) {
		n += (size_t)snprintf(req + n, cap - n, "1000\r\n");
		memset(req + n, ' ', 4096);
		n += 4096;
		n += (size_t)snprintf(req + n, cap - n, "\r\n");
	}
	n += (size_t)snprintf(req + n, cap - n, "0\r\n\r\n");
	*len = n;
	return req;
}

/* @count headers of @size bytes each on a GET of @path. */
static char *header_flood(const char *path, int count, int size, size_t *len)
{
	size_t cap = (size_t)count * ((size_t)size + 16) + 256, n;
	char *req = malloc(cap);

	if (!req)
		return NULL;
	n = (size_t)snprintf(req, cap, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			     "Connection: close\r\n", path);
	for (int i = 0; i < count; i++) {
		n += (size_t)snprintf(req + n, cap - n, "X-Flood-%d: ", i);
		memset(req + n, 'v', (size_t)size);
		n += (size_t)size;
		n += (size_t)snprintf(req + n, cap - n, "\r\n");
	}
	n += (size_t)snprintf(req + n, cap - n, "\r\n");
	*len = n;
	return req;
}

static char *flood_1000_headers(size_t *len)
{
	return header_flood("/api/v1/state", 1000, 40, len);
}

static char *flood_100_headers(size_t *len)
{
	/* Under the size limit: CivetWeb keeps 64 and drops the rest. */
	return header_flood("/nope", 100, 8, len);
}

static char *one_huge_header(size_t *len)
{
	return header_flood("/api/v1/state", 1, 40000, len);
}

static char *long_url(size_t *len)
{
	size_t n = 30000;
	char *path = malloc(n + 1), *req;

	if (!path)
		return NULL;
	path[0] = '/';
	memset(path + 1, 'a', n - 1);
	path[n] = '\0';
	req = fmt_request("GET", path, NULL, "", 0, len);
	free(path);
	return req;
}

static char *long_query(size_t *len)
{
	char path[8192];
	size_t n = (size_t)snprintf(path, sizeof(path),
				    "/api/v1/history?minutes=5");

	while (n + 8 < sizeof(path))
		n += (size_t)snprintf(path + n, sizeof(path) - n, "&x=1");
	return fmt_request("GET", path, NULL, "", 0, len);
}

/* Headers one byte at a time, 100 ms apart, never finished: the server
 * gives up after request_timeout_ms, and serves others meanwhile. */
static void slow_drip(struct raw_result *r)
{
	static const char req[] =
		"GET /api/v1/state HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"X-Slow: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	int fd = raw_connect(port);
	double sp;
	char mode[16];
	bool served = false;

	memset(r, 0, sizeof(*r));
	if (fd < 0) {
		r->data = strdup("");
		return;
	}
	for (size_t i = 0; i < sizeof(req) - 1; i++) {
		if (raw_send(fd, req + i, 1) != 0)
			break;
		/* While the drip holds a worker (from its first byte on:
		 * the server's request timeout may end it any time after). */
		if (i == 0)
			served = get_state(&sp, mode, sizeof(mode));
		raw_read(fd, 100, r);
		if (r->closed || r->len) {
			close(fd);
			if (!served)
				r->status = NOT_SERVED;
			return;
		}
		raw_free(r);
	}
	raw_read(fd, (int)(15000 * scale), r);
	close(fd);
	if (!served)
		r->status = NOT_SERVED;
}

/* Sends @req, then shuts the sending half down. */
static void half_closed(const char *req, size_t n, struct raw_result *r)
{
	int fd = raw_connect(port);

	memset(r, 0, sizeof(*r));
	if (fd < 0) {
		r->data = strdup("");
		return;
	}
	raw_send(fd, req, n);
	shutdown(fd, SHUT_WR);
	raw_read(fd, (int)(15000 * scale), r);
	close(fd);
}

/* Connects and goes away at once; then connects and says nothing. */
static void hang_up(struct raw_result *r)
{
	int fd = raw_connect(port);

	memset(r, 0, sizeof(*r));
	if (fd >= 0)
		close(fd);
	fd = raw_connect(port);
	if (fd < 0) {
		r->data = strdup("");
		return;
	}
	raw_read(fd, (int)(15000 * scale), r);
	close(fd);
}

/* A reset instead of a close, in the middle of a body.  Nothing comes
 * back on a reset connection, so the outcome is CLOSED by construction:
 * what this case tests is the checks after it (the daemon still serves,
 * nothing changed). */
static void reset_mid_body(struct raw_result *r)
{
	static const char req[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\nContent-Length: 40\r\n\r\n"
		"{\"setpoint\": 25";
	struct linger lg = { 1, 0 };
	int fd = raw_connect(port);

	memset(r, 0, sizeof(*r));
	r->data = strdup("");
	if (fd < 0)
		return;
	raw_send(fd, req, sizeof(req) - 1);
	setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	close(fd);
	r->closed = true;
}

#define JSON "application/json"
#define FORM "application/x-www-form-urlencoded"
#define SP "/api/v1/setpoint"
#define PUT_SP(b) .method = "PUT", .path = SP, .type = JSON, .body = (b)
#define PUT_MODE(b) .method = "PUT", .path = "/api/v1/mode", .type = JSON, \
		    .body = (b)
#define RAW(s) .raw = (s), .raw_len = sizeof(s) - 1
#define HDRS "Host: 127.0.0.1\r\nConnection: close\r\n"

static const struct abuse cases[] = {
	/* invalid JSON */
	{ "truncated JSON", PUT_SP("{\"setpoint\": 2"), .want = { 400 } },
	{ "trailing comma", PUT_SP("{\"setpoint\": 25,}"), .want = { 400 } },
	{ "single quotes", PUT_SP("{'setpoint': 25}"), .want = { 400 } },
	{ "empty body", PUT_SP(""), .want = { 400 } },
	{ "two documents", PUT_SP("{\"setpoint\": 25}{\"setpoint\": 26}"),
	  .want = { 400 } },
	{ "duplicate keys", PUT_SP("{\"setpoint\": 25, \"setpoint\": 26}"),
	  .want = { 400 } },
	{ "not an object", PUT_SP("[25]"), .want = { 400 } },
	{ "NUL byte in the body", PUT_SP("{\"setpoint\":\0 25}"),
	  .body_len = 17, .want = { 400 } },
	{ "invalid UTF-8", PUT_SP("{\"setpoint\": 25, \"unit\": \"\xc3\x28\"}"),
	  .want = { 400 } },
	{ "lone surrogate", PUT_MODE("{\"mode\": \"\\ud800\"}"),
	  .want = { 400 } },
	{ "escaped NUL in a string", PUT_MODE("{\"mode\": \"off\\u0000\"}"),
	  .want = { 400 } },
	/* numbers no JSON or thermostat has */
	{ "NaN", PUT_SP("{\"setpoint\": NaN}"), .want = { 400 } },
	{ "Infinity", PUT_SP("{\"setpoint\": Infinity}"), .want = { 400 } },
	{ "-Infinity", PUT_SP("{\"setpoint\": -Infinity}"), .want = { 400 } },
	{ "1e309", PUT_SP("{\"setpoint\": 1e309}"), .want = { 400, 422 } },
	{ "-0", PUT_SP("{\"setpoint\": -0}"), .want = { 422 } },
	{ "huge", PUT_SP("{\"setpoint\": 1e308}"), .want = { 422 } },
	{ "huge integer", PUT_SP("{\"setpoint\": 99999999999999999999999}"),
	  .want = { 400, 422 } },
	{ "negative", PUT_SP("{\"setpoint\": -40}"), .want = { 422 } },
	{ "tiny", PUT_SP("{\"setpoint\": 5e-324}"), .want = { 422 } },
	{ "overflow in conversion",
	  PUT_SP("{\"setpoint\": 1.7e308, \"unit\": \"F\"}"), .want = { 422 } },
	/* wrong types, missing and extra fields */
	{ "string setpoint", PUT_SP("{\"setpoint\": \"25\"}"),
	  .want = { 422 } },
	{ "\"NaN\" string", PUT_SP("{\"setpoint\": \"NaN\"}"),
	  .want = { 422 } },
	{ "boolean setpoint", PUT_SP("{\"setpoint\": true}"), .want = { 422 } },
	{ "null setpoint", PUT_SP("{\"setpoint\": null}"), .want = { 422 } },
	{ "object setpoint", PUT_SP("{\"setpoint\": {\"$gt\": 0}}"),
	  .want = { 422 } },
	{ "missing setpoint", PUT_SP("{}"), .want = { 422 } },
	{ "extra field", PUT_SP("{\"setpoint\": 25, \"admin\": true}"),
	  .want = { 422 } },
	{ "unknown unit", PUT_SP("{\"setpoint\": 25, \"unit\": \"K\"}"),
	  .want = { 422 } },
	{ "unknown mode", PUT_MODE("{\"mode\": \"cool\"}"), .want = { 422 } },
	{ "numeric mode", PUT_MODE("{\"mode\": 1}"), .want = { 422 } },
	{ "missing mode", PUT_MODE("{\"setpoint\": 25}"), .want = { 422 } },
	{ "many fields", .build = many_fields, .want = { 422 } },
	/* deep nesting: jansson recurses */
	{ "4096 nested arrays", .build = deep_arrays, .want = { 400 } },
	{ "819 nested objects", .build = deep_objects, .want = { 400 } },
	/* sizes and framing */
	{ "1 MB body", .build = megabyte_body, .want = { 413, CLOSED } },
	{ "1 MB chunked body", .build = megabyte_chunked,
	  .want = { 413, CLOSED } },
	{ "bad chunk size",
	  RAW("PUT " SP " HTTP/1.1\r\n" HDRS "Content-Type: " JSON "\r\n"
	      "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n"),
	  .want = { 400 } },
	{ "no Content-Length",
	  RAW("PUT " SP " HTTP/1.1\r\n" HDRS "Content-Type: " JSON "\r\n\r\n"
	      "{\"setpoint\": 25}"),
	  .want = { 411 } },
	{ "negative Content-Length",
	  RAW("PUT " SP " HTTP/1.1\r\n" HDRS "Content-Type: " JSON "\r\n"
	      "Content-Length: -16\r\n\r\n{\"setpoint\": 25}"),
	  .want = { 411, 400 } },
	{ "Content-Length with junk",
	  RAW("PUT " SP " HTTP/1.1\r\n" HDRS "Content-Type: " JSON "\r\n"
	      "Content-Length: 16abc\r\n\r\n{\"setpoint\": 25}"),
	  .want = { 400 } },
	{ "two different Content-Lengths",
	  RAW("PUT " SP " HTTP/1.1\r\n" HDRS "Content-Type: " JSON "\r\n"
	      "Content-Length: 16\r\nContent-Length: 17\r\n\r\n"
	      "{\"setpoint\": 26}x"),
	  .want = { 400 } },
	{ "Content-Length and chunked",
	  RAW("PUT " SP " HTTP/1.1\r\n" HDRS "Content-Type: " JSON "\r\n"
	      "Content-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n"
	      "10\r\n{\"setpoint\": 27}\r\n0\r\n\r\n"),
	  .want = { 400 } },
	{ "chunked, then a second Transfer-Encoding",
	  RAW("PUT " SP " HTTP/1.1\r\n" HDRS "Content-Type: " JSON "\r\n"
	      "Transfer-Encoding: chunked\r\nTransfer-Encoding: gzip\r\n\r\n"
	      "10\r\n{\"setpoint\": 27}\r\n0\r\n\r\n"),
	  .want = { 400 } },
	{ "unknown Transfer-Encoding",
	  RAW("PUT " SP " HTTP/1.1\r\n" HDRS "Content-Type: " JSON "\r\n"
	      "Transfer-Encoding: gzip\r\n\r\n{\"setpoint\": 25}"),
	  .want = { 400 } },
	{ "Expect: 100-continue, 1 GB",
	  RAW("PUT " SP " HTTP/1.1\r\n" HDRS "Content-Type: " JSON "\r\n"
	      "Expect: 100-continue\r\nContent-Length: 1073741824\r\n\r\n"),
	  .want = { 413 } },
	/* content types */
	{ "text/plain", .method = "PUT", .path = SP, .type = "text/plain",
	  .body = "{\"setpoint\": 25}", .want = { 415 } },
	{ "no Content-Type", .method = "PUT", .path = SP,
	  .body = "{\"setpoint\": 25}", .want = { 415 } },
	{ "form to the JSON API", .method = "PUT", .path = SP, .type = FORM,
	  .body = "setpoint=25", .want = { 415 } },
	{ "JSON to the form route", .method = "POST",
	  .path = "/set_thermostat", .type = JSON,
	  .body = "{\"thermostat_setting\": 77}", .want = { 415 } },
	{ "form: not a number", .method = "POST", .path = "/set_thermostat",
	  .type = FORM, .body = "thermostat_setting=1e9", .want = { 400 } },
	{ "form: out of range", .method = "POST", .path = "/set_thermostat",
	  .type = FORM, .body = "thermostat_setting=451", .want = { 422 } },
	/* methods */
	{ "DELETE the setpoint", .method = "DELETE", .path = SP, .type = JSON,
	  .body = "", .want = { 405 } },
	{ "POST to the state", .method = "POST", .path = "/api/v1/state",
	  .type = JSON, .body = "{\"setpoint\": 25}", .want = { 405 } },
	{ "GET with a body on a write route", .method = "GET", .path = SP,
	  .type = JSON, .body = "{\"setpoint\": 25}", .want = { 405 } },
	{ "PROPPATCH", .method = "PROPPATCH", .path = SP, .type = JSON,
	  .body = "{\"setpoint\": 25}", .want = { 405 } },
	{ "TRACE", RAW("TRACE / HTTP/1.1\r\n" HDRS "\r\n"), .want = { 400 } },
	{ "unknown method", RAW("BREW /api/v1/state HTTP/1.1\r\n" HDRS "\r\n"),
	  .want = { 400 } },
	{ "lower-case method",
	  RAW("put " SP " HTTP/1.1\r\n" HDRS "Content-Type: " JSON "\r\n"
	      "Content-Length: 16\r\n\r\n{\"setpoint\": 25}"),
	  .want = { 400 } },
	/* paths */
	{ "path traversal",
	  RAW("GET /../../../../etc/passwd HTTP/1.1\r\n" HDRS "\r\n"),
	  .want = { 404 } },
	{ "encoded traversal",
	  RAW("GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\n" HDRS "\r\n"),
	  .want = { 404 } },
	{ "backslash traversal",
	  RAW("GET /..\\..\\etc\\passwd HTTP/1.1\r\n" HDRS "\r\n"),
	  .want = { 404 } },
	{ "traversal to a write route",
	  RAW("PUT /x/../api/v1/%2e%2e/v1/setpoint HTTP/1.1\r\n" HDRS
	      "Content-Type: " JSON "\r\nContent-Length: 16\r\n\r\n"
	      "{\"setpoint\": 25}"),
	  .want = { 404 } },
	{ "encoded NUL",
	  RAW("GET /api/v1/state%00.html HTTP/1.1\r\n" HDRS "\r\n"),
	  .want = { 400 } },
	{ "encoded NUL on a write",
	  RAW("PUT /api/v1/setpoint%00 HTTP/1.1\r\n" HDRS "Content-Type: " JSON
	      "\r\nContent-Length: 16\r\n\r\n{\"setpoint\": 25}"),
	  .want = { 400 } },
	{ "CRLF in the path",
	  RAW("GET /nope%0d%0aSet-Cookie:%20a=b HTTP/1.1\r\n" HDRS "\r\n"),
	  .want = { 404 } },
	{ "absolute-form target",
	  RAW("GET http://evil.example/api/v1/state HTTP/1.1\r\n" HDRS "\r\n"),
	  .want = { 400, CLOSED } },
	{ "30 KB URL", .build = long_url, .want = { 400, 414, CLOSED } },
	{ "query flood", .build = long_query, .want = { 400 } },
	/* headers */
	{ "NUL in a header",
	  RAW("GET /api/v1/state HTTP/1.1\r\n" HDRS "X-A: a\0b\r\n\r\n"),
	  .want = { 400 } },
	{ "header without a colon",
	  RAW("GET /api/v1/state HTTP/1.1\r\n" HDRS "oops\r\n\r\n"),
	  .want = { 400 } },
	{ "1000 headers", .build = flood_1000_headers,
	  .want = { 400, 431, CLOSED } },
	{ "100 small headers", .build = flood_100_headers, .want = { 404 } },
	{ "one 40 KB header", .build = one_huge_header,
	  .want = { 400, 431, CLOSED } },
	{ "HTTP/0.9", RAW("GET /\r\n\r\n"), .want = { 400, CLOSED } },
	{ "HTTP/2.0 request line", RAW("GET / HTTP/2.0\r\n" HDRS "\r\n"),
	  .want = { 505 } },
	/* connections */
	{ "slow-drip headers", .talk = slow_drip, .want = { 400, CLOSED } },
	{ "stalled body", RAW("PUT " SP " HTTP/1.1\r\n" HDRS
			      "Content-Type: " JSON "\r\n"
			      "Content-Length: 40\r\n\r\n{\"setpoint\": 25}"),
	  .want = { 400 } },
	{ "half-closed in the headers",
	  RAW("PUT " SP " HTTP/1.1\r\nHost: 1"), .shut_wr = true,
	  .want = { 400, CLOSED } },
	{ "half-closed in the body", RAW("PUT " SP " HTTP/1.1\r\n" HDRS
					 "Content-Type: " JSON "\r\n"
					 "Content-Length: 40\r\n\r\n"
					 "{\"setpoint\": 25}"),
	  .shut_wr = true, .want = { 400, CLOSED } },
	/* The whole (15-byte) body arrives, then the half-close: a JSON
	 * error, not an incomplete body. */
	{ "half-closed after bad JSON", RAW("PUT " SP " HTTP/1.1\r\n" HDRS
					    "Content-Type: " JSON "\r\n"
					    "Content-Length: 15\r\n\r\n"
					    "{\"setpoint\": 2,"),
	  .shut_wr = true, .want = { 400 }, .says = "malformed JSON" },
	{ "hang up, then say nothing", .talk = hang_up,
	  .want = { 400, CLOSED } },
	{ "reset in the body", .talk = reset_mid_body, .want = { CLOSED } },
};

/* ---- the battery ---------------------------------------------------- */

static int outcome(const struct abuse *c, struct raw_result *r)
{
	char *req = NULL;
	size_t len = 0;

	if (c->talk) {
		c->talk(r);
	} else {
		if (c->raw && c->shut_wr) {
			half_closed(c->raw, c->raw_len, r);
			goto done;
		}
		if (c->raw) {
			if (raw_exchange(port, c->raw, c->raw_len,
					 (int)(15000 * scale), r) != 0)
				return 0;
			goto done;
		}
		if (c->build) {
			req = c->build(&len);
		} else {
			size_t n = c->body_len ? c->body_len : strlen(c->body);

			req = fmt_request(c->method, c->path, c->type,
					  c->body, n, &len);
		}
		if (!req || raw_exchange(port, req, len, (int)(15000 * scale),
					 r) != 0) {
			free(req);
			memset(r, 0, sizeof(*r));
			r->data = strdup("");
			return 0;
		}
		free(req);
	}
done:
	if (r->status)
		return r->status;
	return r->closed ? CLOSED : 0;
}

static bool wanted(const struct abuse *c, int got)
{
	for (int i = 0; i < 4 && c->want[i]; i++)
		if (c->want[i] == got)
			return true;
	return false;
}

static void describe(char *buf, size_t len, int v)
{
	if (v == CLOSED)
		snprintf(buf, len, "closed");
	else if (v == 0)
		snprintf(buf, len, "no answer");
	else if (v == NOT_SERVED)
		snprintf(buf, len, "not served meanwhile");
	else
		snprintf(buf, len, "%d", v);
}

int main(void)
{
	const size_t ncases = sizeof(cases) / sizeof(cases[0]);
	const char *sc = getenv("TEST_SCALE");
	double sp0, sp;
	char mode0[16], mode[16], *before, *after, cmd[128];
	size_t nbefore, nafter;
	int failed = 0;
	double t0 = now_ms();
	FILE *f;

	if (sc && atof(sc) >= 1)
		scale = atof(sc);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (access(daemon_path(), X_OK) != 0) {
		fprintf(stderr, "%s: %s (set top_builddir)\n", daemon_path(),
			strerror(errno));
		return EXIT_FAILURE;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	snprintf(dir, sizeof(dir), "/tmp/abuse.XXXXXX");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return EXIT_FAILURE;
	}
	snprintf(state_path, sizeof(state_path), "%s/state", dir);
	snprintf(log_path, sizeof(log_path), "%s/stderr", dir);
	f = fopen(state_path, "w");
	if (!f || fputs(STATE_TEXT, f) < 0 || fclose(f) != 0) {
		perror(state_path);
		return EXIT_FAILURE;
	}

	if (start_daemon() != 0) {
		char *log = read_whole_file(log_path, NULL);

		fprintf(stderr, "%s", log ? log : "");
		free(log);
		return EXIT_FAILURE;
	}
	before = read_whole_file(state_path, &nbefore);
	if (!get_state(&sp0, mode0, sizeof(mode0)) || !before) {
		fprintf(stderr, "no state before the battery\n");
		kill(daemon_pid, SIGKILL);
		return EXIT_FAILURE;
	}
	printf("daemon on port %d: setpoint %g, mode %s\n", port, sp0, mode0);

	for (size_t i = 0; i < ncases; i++) {
		const struct abuse *c = &cases[i];
		struct raw_result r;
		double t = now_ms();
		int got = outcome(c, &r);
		bool ok = wanted(c, got), alive;
		char g[32], w[96] = "";

		if (ok && c->says && !(r.data && strstr(r.data, c->says)))
			ok = false;
		raw_free(&r);
		/* The daemon keeps serving, and nothing changed. */
		alive = get_state(&sp, mode, sizeof(mode));
		describe(g, sizeof(g), got);
		for (int k = 0; k < 4 && c->want[k]; k++) {
			char one[32];

			describe(one, sizeof(one), c->want[k]);
			snprintf(w + strlen(w), sizeof(w) - strlen(w), "%s%s",
				 k ? " or " : "", one);
		}
		if (c->says)
			snprintf(w + strlen(w), sizeof(w) - strlen(w),
				 " saying \"%s\"", c->says);
		if (!alive) {
			int st = daemon_wait_exit(daemon_pid, 0);

			printf("FAIL  %-32s -> %s; then the daemon stopped "
			       "answering (%s %d)\n", c->name, g,
			       st < 0 ? "running" : "exit status", st);
			failed++;
			/* Go on with a new one, to see the rest. */
			if (st < 0) {
				kill(daemon_pid, SIGKILL);
				daemon_wait_exit(daemon_pid, 5000);
			}
			if (start_daemon() != 0 ||
			    !get_state(&sp0, mode0, sizeof(mode0)))
				break;
			printf("      (a new daemon on port %d)\n", port);
			continue;
		}
		if (sp != sp0 || strcmp(mode, mode0) != 0) {
			printf("FAIL  %-32s -> %s; and it changed the state "
			       "(setpoint %g, mode %s)\n", c->name, g, sp,
			       mode);
			failed++;
			sp0 = sp;
			snprintf(mode0, sizeof(mode0), "%s", mode);
			continue;
		}
		printf("%s  %-32s -> %s%s%s (%.0f ms)\n", ok ? "ok  " : "FAIL",
		       c->name, g, ok ? "" : ", want ", ok ? "" : w,
		       now_ms() - t);
		failed += !ok;
	}

	/* The state file was never rewritten. */
	after = read_whole_file(state_path, &nafter);
	if (!after || nafter != nbefore ||
	    memcmp(before, after, nbefore) != 0) {
		printf("FAIL  the state file changed:\n%s", after ? after : "");
		failed++;
	} else {
		printf("ok    the state file is unchanged\n");
	}
	free(before);
	free(after);

	failed += daemon_stop(daemon_pid, log_path, scale);
	printf("%zu hostile requests, %d failures, %.1f s\n", ncases, failed,
	       (now_ms() - t0) / 1000);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	curl_global_cleanup();
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
