/* SPDX-License-Identifier: MIT */
/*
 * The fixture of check-web's suites (check_web_*.c): the server under
 * test, started in-process on an ephemeral loopback port on a record each
 * test sets up itself, and what every topic asks of it, through libcurl
 * or raw sockets (http.h).  Every rejected request is followed by a check
 * that the record did not change: bad input gets a clear error and
 * changes nothing.
 */
#ifndef THERMO_TEST_WEB_FIXTURE_H
#define THERMO_TEST_WEB_FIXTURE_H

#include <check.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include <sharedstate.h>

#include "conf/conf.h"
#include "core/history.h"
#include "web/web.h"

#include "http.h"
#include "runner.h"

/* The suites, one per topic. */
Suite *suite_web_routes(void);
Suite *suite_web_writes(void);
Suite *suite_web_compat(void);
Suite *suite_web_observe(void);
Suite *suite_web_auth(void);
Suite *suite_web_digest(void);
Suite *suite_web_events(void);
Suite *suite_web_door(void);
Suite *suite_web_limits(void);
Suite *suite_web_alarm(void);
Suite *suite_web_program(void);

/* TEST_SCALE (test_scale()): sanitizer builds are slower. */
extern double scale;
/* Sanity deadlines (times scale) of the waits: for an event that comes in
 * milliseconds, for a raw exchange that ends when the server closes.
 * Passing tests never wait them out; a slow machine makes a test slower,
 * never red. */
#define EVENT_WAIT_MS 10000
#define RAW_WAIT_MS 15000

/* The server under test, and what it serves. */
extern struct thermo_settings cfg;
extern thermo_handle rec;
extern history_handle hist;
extern struct web *web;
extern int port;

typedef void tweak_fn(struct thermo_settings *c);

/* A record as a running daemon has it: a fresh reading of 19.5 C, live
 * threads, setpoint 21 C, heat mode. */
struct thermo fresh_record(void);
/* Starts the server with the defaults on 127.0.0.1:0, changed by @tweak. */
void serve(tweak_fn *tweak);
/* Each tcase's checked teardown: closes the record, stops the server. */
void teardown(void);
/* A test case of suite @s whose tests serve() and are torn down, with
 * their timeout. */
TCase *web_tcase(Suite *s, const char *name);

/* ---- what every response must carry --------------------------------- */

void assert_secure_headers(const char *headers, const char *what);
/* The security headers, and a Content-Type whenever there is a body. */
void assert_response(const struct http_resp *rs, const char *what);
void assert_type(const struct http_resp *rs, const char *type,
		 const char *what);
/* A JSON error body: {"error": "..."} with a message. */
void assert_json_error(const struct http_resp *rs, const char *what);

/* ---- requests ------------------------------------------------------- */

/* @method @path with a body of @type (NULL: no body; "": body without a
 * Content-Type), @n bytes of it ((size_t)-1: a string).  Checks what
 * every response must carry; returns the status. */
long request_n(struct http_resp *rs, const char *method, const char *path,
	       const char *type, const char *body, size_t n);
long request(struct http_resp *rs, const char *method, const char *path,
	     const char *type, const char *body);
long get(struct http_resp *rs, const char *path);

json_t *json_body(const struct http_resp *rs);
double json_num(json_t *obj, const char *key);
const char *json_str(json_t *obj, const char *key);

/* A request that must be refused with @status and a JSON error, without
 * changing the record at all. */
void refused_n(long status, const char *method, const char *path,
	       const char *type, const char *body, size_t n);
void refused(long status, const char *method, const char *path,
	     const char *type, const char *body);
/* A raw request that must be refused with @status (0: the connection
 * closed without an answer) without changing the record. */
void raw_refused(int status, const char *req, size_t n, const char *what);

/* ---- the GET routes, HEAD ------------------------------------------- */

/* Every route a GET reaches (routes and auth walk them all). */
#define NROUTES 15
extern const char *const get_routes[NROUTES];

/* HEAD @path on a raw socket: the whole answer, checked to have no body. */
void head_raw(const char *path, struct raw_result *r);

/* ---- metrics -------------------------------------------------------- */

/* The value of sample @name (with its labels, as printed) in @text; NAN
 * when absent.  Also checks the whole text is Prometheus' text format. */
double metric_value(const char *text, const char *name);
/* The same, of a fresh GET /metrics. */
double metric(const char *name);
/* How many GET /metrics metric() made since serve(). */
extern int metrics_fetched;

#endif
