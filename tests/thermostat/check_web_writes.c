/* SPDX-License-Identifier: MIT */
/*
 * Writes (check-web, web_fixture.h): the setpoint and the mode, their
 * bounds, and every way a write is refused without a change: malformed
 * JSON, bad values, content types, lengths, sizes, chunks, ambiguous
 * framing, short bodies, encoded NULs, a daemon stopping; and CivetWeb's
 * own error answers carrying the security headers.
 */
#include <config.h>
#define _GNU_SOURCE
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "web/api.h"

#include "http.h"
#include "web_fixture.h"

/* ---- writes --------------------------------------------------------- */

/* Once shutdown began (running false) the state thread saves for the
 * last time: a write after that would be answered and lost, so it is
 * refused with 503 and changes nothing; reads still work. */
START_TEST(writes_refused_once_stopping)
{
	struct http_resp rs;

	serve(NULL);
	thermo_set_running(rec, false);
	refused(503, "PUT", "/api/v1/setpoint", "application/json",
		"{\"setpoint\": 22.5}");
	refused(503, "PUT", "/api/v1/mode", "application/json",
		"{\"mode\": \"off\"}");
	refused(503, "POST", "/set_thermostat",
		"application/x-www-form-urlencoded", "thermostat_setting=70");
	ck_assert_int_eq(get(&rs, "/api/v1/state"), 200);
	http_free(&rs);
}
END_TEST

START_TEST(setpoint_and_mode_are_written)
{
	struct http_resp rs;
	json_t *j;

	serve(NULL);
	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
				 "application/json", "{\"setpoint\": 22.5}"),
			 200);
	assert_type(&rs, "application/json", "PUT setpoint");
	ck_assert(thermo_get_setpoint(rec) == 22.5);
	/* The answer is the new state. */
	j = json_body(&rs);
	ck_assert(json_num(j, "setpoint") == 22.5);
	json_decref(j);
	http_free(&rs);

	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
				 "application/json; charset=utf-8",
				 "{\"unit\": \"F\", \"setpoint\": 72.5}"),
			 200);
	ck_assert(fabs(thermo_get_setpoint(rec) - 22.5) < 1e-9);
	http_free(&rs);

	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/mode",
				 "application/json", "{\"mode\": \"off\"}"),
			 200);
	ck_assert_int_eq(thermo_get_mode(rec), MODE_OFF);
	j = json_body(&rs);
	ck_assert_str_eq(json_str(j, "mode"), "off");
	json_decref(j);
	http_free(&rs);
	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/mode",
				 "Application/JSON", " {\"mode\":\"heat\"}\n"),
			 200);
	ck_assert_int_eq(thermo_get_mode(rec), MODE_HEAT);
	http_free(&rs);

	/* The same value again: 200, and no write at all. */
	{
		uint64_t v = thermo_version(rec);

		ck_assert_int_eq(request(&rs, "PUT", "/api/v1/mode",
					 "application/json",
					 "{\"mode\": \"heat\"}"), 200);
		ck_assert(thermo_version(rec) == v);
		http_free(&rs);
	}
}
END_TEST

START_TEST(setpoint_bounds_are_inclusive)
{
	struct http_resp rs;

	serve(NULL);
	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
				 "application/json", "{\"setpoint\": 5}"), 200);
	ck_assert(thermo_get_setpoint(rec) == 5.0);
	http_free(&rs);
	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
				 "application/json", "{\"setpoint\": 30.0}"),
			 200);
	ck_assert(thermo_get_setpoint(rec) == 30.0);
	http_free(&rs);
	/* 86 F is 30 C, through a conversion. */
	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
				 "application/json",
				 "{\"setpoint\": 41, \"unit\": \"F\"}"), 200);
	ck_assert(fabs(thermo_get_setpoint(rec) - 5.0) < 1e-9);
	http_free(&rs);
	ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
				 "application/json",
				 "{\"setpoint\": 86, \"unit\": \"F\"}"), 200);
	ck_assert(fabs(thermo_get_setpoint(rec) - 30.0) < 1e-9);
	http_free(&rs);
	refused(422, "PUT", "/api/v1/setpoint", "application/json",
		"{\"setpoint\": 4.999}");
	refused(422, "PUT", "/api/v1/setpoint", "application/json",
		"{\"setpoint\": 30.001}");
}
END_TEST

START_TEST(malformed_json_is_400_and_changes_nothing)
{
	static const char *const setpoints[] = {
		"", " ", "{", "}", "{\"setpoint\": 25,}", "{\"setpoint\" 25}",
		"{'setpoint': 25}", "{setpoint: 25}", "{\"setpoint\": 25",
		"{\"setpoint\": NaN}", "{\"setpoint\": nan}",
		"{\"setpoint\": Infinity}", "{\"setpoint\": -Infinity}",
		"{\"setpoint\": 1e309}", "{\"setpoint\": -1e309}",
		"{\"setpoint\": 99999999999999999999999}",
		"{\"setpoint\": 0x19}", "{\"setpoint\": +25}",
		"{\"setpoint\": 025}", "{\"setpoint\": 25.}",
		"{\"setpoint\": .5}", "{\"setpoint\": 25} x",
		"{\"setpoint\": 25}{\"setpoint\": 26}",
		"{\"setpoint\": 25, \"setpoint\": 26}",
		"[25]", "25", "\"25\"", "null", "true",
		"{\"setpoint\": 25, \"unit\": \"\xff\"}",
		"\xef\xbb\xbf{\"setpoint\": 25}",
		"{\"setpoint\": 25, \"unit\": \"C\\u0000\"}",
		"setpoint=25",
	};
	static const char *const modes[] = {
		"", "{\"mode\": off}", "{\"mode\": \"off\"", "[\"off\"]",
		"\"off\"", "{\"mode\": \"off\", \"mode\": \"heat\"}",
		"{\"mode\": \"off\\u0000\"}", "mode=off",
	};
	/* A NUL byte inside the body. */
	static const char nul[] = "{\"setpoint\":\0 25}";

	serve(NULL);
	for (size_t i = 0; i < sizeof(setpoints) / sizeof(setpoints[0]); i++)
		refused(400, "PUT", "/api/v1/setpoint", "application/json",
			setpoints[i]);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		refused(400, "PUT", "/api/v1/mode", "application/json",
			modes[i]);
	refused_n(400, "PUT", "/api/v1/setpoint", "application/json", nul,
		  sizeof(nul) - 1);
}
END_TEST

/* jansson parses recursively (up to 2048 levels) and CivetWeb's workers
 * have small stacks: a 4 KiB body can nest deep enough to overflow one.
 * Deep documents are refused, and the server lives on. */
START_TEST(deeply_nested_json_is_400_not_a_crash)
{
	static const int depths[] = { 100, 900, 2000, 4096 };
	char *deep = malloc(API_MAX_BODY + 1);
	struct http_resp rs;

	serve(NULL);
	ck_assert_ptr_nonnull(deep);
	for (size_t d = 0; d < sizeof(depths) / sizeof(depths[0]); d++) {
		int depth = depths[d];
		size_t n = 0;

		/* Arrays, closed when they fit. */
		while (n < (size_t)depth)
			deep[n++] = '[';
		while (n < API_MAX_BODY && n < (size_t)depth * 2)
			deep[n++] = ']';
		deep[n] = '\0';
		refused(400, "PUT", "/api/v1/setpoint", "application/json",
			deep);
		refused(400, "PUT", "/api/v1/mode", "application/json", deep);
		/* Objects: {"a":{"a":...}} */
		n = 0;
		while (n + 5 <= API_MAX_BODY && n / 5 < (size_t)depth) {
			memcpy(deep + n, "{\"a\":", 5);
			n += 5;
		}
		deep[n] = '\0';
		refused(400, "PUT", "/api/v1/setpoint", "application/json",
			deep);
	}
	free(deep);
	ck_assert_int_eq(get(&rs, "/api/v1/state"), 200);
	http_free(&rs);
}
END_TEST

START_TEST(bad_values_are_422_and_change_nothing)
{
	static const char *const setpoints[] = {
		/* wrong types */
		"{\"setpoint\": \"25\"}", "{\"setpoint\": \"NaN\"}",
		"{\"setpoint\": \"Infinity\"}", "{\"setpoint\": true}",
		"{\"setpoint\": null}", "{\"setpoint\": [25]}",
		"{\"setpoint\": {\"value\": 25}}",
		/* missing and extra fields */
		"{}", "{\"unit\": \"C\"}", "{\"Setpoint\": 25}",
		"{\"setpoint\": 25, \"mode\": \"off\"}",
		"{\"setpoint\": 25, \"extra\": null}",
		/* out of bounds, huge, negative, negative zero */
		"{\"setpoint\": 4}", "{\"setpoint\": 31}", "{\"setpoint\": 0}",
		"{\"setpoint\": -0}", "{\"setpoint\": -0.0}",
		"{\"setpoint\": -25}", "{\"setpoint\": 1e308}",
		"{\"setpoint\": -1e308}", "{\"setpoint\": 5e-324}",
		"{\"setpoint\": 9223372036854775807}",
		"{\"setpoint\": -9223372036854775808}",
		/* overflow to infinity in the conversion: out of bounds */
		"{\"setpoint\": 1.7e308, \"unit\": \"F\"}",
		"{\"setpoint\": -1.7e308, \"unit\": \"F\"}",
		/* units */
		"{\"setpoint\": 25, \"unit\": \"K\"}",
		"{\"setpoint\": 25, \"unit\": \"c\"}",
		"{\"setpoint\": 25, \"unit\": \"\"}",
		"{\"setpoint\": 25, \"unit\": \"CC\"}",
		"{\"setpoint\": 25, \"unit\": null}",
		"{\"setpoint\": 25, \"unit\": 1}",
		"{\"setpoint\": 25, \"unit\": [\"C\"]}",
		"{\"setpoint\": 90, \"unit\": \"C\"}",
		"{\"setpoint\": 25, \"unit\": \"F\"}",
		"{\"setpoint\": 100, \"unit\": \"F\"}",
	};
	static const char *const modes[] = {
		"{\"mode\": \"cool\"}", "{\"mode\": \"HEAT\"}",
		"{\"mode\": \"Off\"}", "{\"mode\": \"\"}",
		"{\"mode\": \" off\"}",
		"{\"mode\": 0}", "{\"mode\": 1}", "{\"mode\": true}",
		"{\"mode\": null}", "{\"mode\": [\"off\"]}",
		"{\"mode\": {\"off\": 1}}", "{}", "{\"Mode\": \"off\"}",
		"{\"mode\": \"off\", \"setpoint\": 25}",
	};

	serve(NULL);
	for (size_t i = 0; i < sizeof(setpoints) / sizeof(setpoints[0]); i++)
		refused(422, "PUT", "/api/v1/setpoint", "application/json",
			setpoints[i]);
	for (size_t i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
		refused(422, "PUT", "/api/v1/mode", "application/json",
			modes[i]);
}
END_TEST

START_TEST(wrong_content_type_is_415_and_changes_nothing)
{
	static const char *const types[] = {
		"", "text/plain", "text/json", "application/jsonp",
		"application/json-patch+json", "application/javascript",
		"application/x-www-form-urlencoded", "multipart/form-data",
		"json", "application/ json", "application/json+x",
	};

	serve(NULL);
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		refused(415, "PUT", "/api/v1/setpoint", types[i],
			"{\"setpoint\": 25}");
		refused(415, "PUT", "/api/v1/mode", types[i],
			"{\"mode\": \"off\"}");
	}
	refused(415, "POST", "/set_thermostat", "application/json",
		"thermostat_setting=70");
	refused(415, "POST", "/set_thermostat", "",
		"thermostat_setting=70");
}
END_TEST

START_TEST(no_length_is_411_and_changes_nothing)
{
	static const char put[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\n\r\n{\"setpoint\": 25}";
	static const char mode[] =
		"PUT /api/v1/mode HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\nConnection: close\r\n\r\n"
		"{\"mode\": \"off\"}";
	static const char form[] =
		"POST /set_thermostat HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/x-www-form-urlencoded\r\n\r\n"
		"thermostat_setting=70";
	static const char negative[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\nContent-Length: -15\r\n\r\n"
		"{\"setpoint\": 25}";
	static const char *const hdrs[] = {
		"Content-Type: application/json", NULL
	};
	struct http_req rq = { .method = "PUT", .path = "/api/v1/setpoint",
			       .headers = hdrs };
	struct http_resp rs;

	serve(NULL);
	raw_refused(411, put, sizeof(put) - 1, "PUT without a length");
	raw_refused(411, mode, sizeof(mode) - 1, "PUT mode without a length");
	raw_refused(411, form, sizeof(form) - 1, "POST without a length");
	/* CivetWeb's own answer. */
	raw_refused(411, negative, sizeof(negative) - 1,
		    "a negative Content-Length");
	/* libcurl: a PUT without a body sends no length. */
	http_do(port, &rq, &rs);
	assert_response(&rs, "curl PUT without a body");
	ck_assert_int_eq(rs.status, 411);
	assert_json_error(&rs, "411");
	http_free(&rs);
}
END_TEST

START_TEST(big_body_is_413_unread_and_changes_nothing)
{
	static const char head[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\n"
		"Content-Length: 10485760\r\n\r\n";
	uint64_t version;
	struct raw_result r;
	char *body;
	int fd;

	serve(NULL);
	version = thermo_version(rec);
	/* The answer comes before any of the 10 MB is sent: the server
	 * reads no further than the headers. */
	fd = raw_connect(port);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_send(fd, head, sizeof(head) - 1), 0);
	raw_read(fd, (int)(RAW_WAIT_MS * scale), &r);
	ck_assert_msg(r.status == 413, "10 MB: %d\n%s", r.status, r.data);
	ck_assert_msg(r.closed, "the connection stayed open after 413");
	assert_secure_headers(r.data, "413");
	ck_assert_ptr_nonnull(strstr(r.data + r.body_at, "\"error\""));
	close(fd);
	raw_free(&r);
	ck_assert(thermo_version(rec) == version);

	/* 4097 bytes, sent in full. */
	body = malloc(API_MAX_BODY + 2);
	ck_assert_ptr_nonnull(body);
	memset(body, ' ', API_MAX_BODY + 1);
	memcpy(body, "{\"setpoint\": 25}", 16);
	body[API_MAX_BODY + 1] = '\0';
	refused(413, "PUT", "/api/v1/setpoint", "application/json", body);
	refused(413, "PUT", "/api/v1/mode", "application/json", body);
	memcpy(body, "thermostat_setting=70", 21);
	refused(413, "POST", "/set_thermostat",
		"application/x-www-form-urlencoded", body);
	/* 4096 is the limit, not one less. */
	memset(body, ' ', API_MAX_BODY);
	memcpy(body, "{\"setpoint\": 25}", 16);
	body[API_MAX_BODY] = '\0';
	{
		struct http_resp rs;

		ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
					 "application/json", body), 200);
		ck_assert(thermo_get_setpoint(rec) == 25.0);
		http_free(&rs);
	}
	free(body);
}
END_TEST

START_TEST(chunked_bodies)
{
	static const char good[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\nConnection: close\r\n"
		"Transfer-Encoding: chunked\r\n\r\n"
		"5\r\n{\"set\r\na\r\npoint\": 24\r\n1\r\n}\r\n0\r\n\r\n";
	static const char bad_size[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\n"
		"Transfer-Encoding: chunked\r\n\r\n"
		"zz\r\n{\"setpoint\": 25}\r\n0\r\n\r\n";
	static const char unknown_te[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\n"
		"Transfer-Encoding: gzip\r\n\r\n"
		"{\"setpoint\": 25}";
	char big[8192];
	struct raw_result r;
	size_t n;

	serve(NULL);
	ck_assert_int_eq(raw_exchange(port, good, sizeof(good) - 1,
				      (int)(RAW_WAIT_MS * scale), &r), 0);
	ck_assert_msg(r.status == 200, "chunked: %d\n%s", r.status, r.data);
	ck_assert(thermo_get_setpoint(rec) == 24.0);
	raw_free(&r);

	raw_refused(400, bad_size, sizeof(bad_size) - 1, "a bad chunk size");
	raw_refused(400, unknown_te, sizeof(unknown_te) - 1,
		    "Transfer-Encoding: gzip");
	/* Over 4096 bytes in chunks: 413, whatever the chunks. */
	n = (size_t)snprintf(big, sizeof(big),
			     "PUT /api/v1/setpoint HTTP/1.1\r\n"
			     "Host: 127.0.0.1\r\n"
			     "Content-Type: application/json\r\n"
			     "Transfer-Encoding: chunked\r\n\r\n"
			     "10\r\n{\"setpoint\": 25 \r\n");
	for (int i = 0; i < 5; i++) {
		n += (size_t)snprintf(big + n, sizeof(big) - n, "3e8\r\n");
		memset(big + n, ' ', 1000);
		n += 1000;
		n += (size_t)snprintf(big + n, sizeof(big) - n, "\r\n");
	}
	n += (size_t)snprintf(big + n, sizeof(big) - n, "1\r\n}\r\n0\r\n\r\n");
	raw_refused(413, big, n, "5000 chunked bytes");
}
END_TEST

/* RFC 9112 6.3: a body whose length is in doubt is refused (400) and
 * the connection closed: a proxy in front (the README's TLS proxy) may
 * have framed it otherwise, which is request smuggling.  CivetWeb itself
 * takes the first Content-Length, reads "16abc" as 16, and lets
 * Transfer-Encoding win over Content-Length without a word. */
START_TEST(ambiguous_framing_is_400_and_changes_nothing)
{
	static const char junk[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Connection: close\r\n"
		"Content-Type: application/json\r\nContent-Length: 16abc\r\n"
		"\r\n{\"setpoint\": 25}";
	static const char two[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Connection: close\r\n"
		"Content-Type: application/json\r\nContent-Length: 16\r\n"
		"Content-Length: 17\r\n\r\n{\"setpoint\": 25}x";
	static const char both[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Connection: close\r\n"
		"Content-Type: application/json\r\nContent-Length: 4\r\n"
		"Transfer-Encoding: chunked\r\n\r\n"
		"10\r\n{\"setpoint\": 25}\r\n0\r\n\r\n";
	static const char plus[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Connection: close\r\n"
		"Content-Type: application/json\r\nContent-Length: +16\r\n"
		"\r\n{\"setpoint\": 25}";

	serve(NULL);
	raw_refused(400, junk, sizeof(junk) - 1, "Content-Length: 16abc");
	raw_refused(400, two, sizeof(two) - 1, "two Content-Lengths");
	raw_refused(400, both, sizeof(both) - 1,
		    "Content-Length and Transfer-Encoding");
	raw_refused(400, plus, sizeof(plus) - 1, "Content-Length: +16");
}
END_TEST

static void short_timeout(struct thermo_settings *c)
{
	c->request_timeout_ms = 200;
}

START_TEST(short_body_is_400_and_changes_nothing)
{
	static const char req[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\nContent-Length: 30\r\n\r\n"
		"{\"setpoint\": 25}";

	serve(short_timeout);
	/* 16 of 30 bytes, then nothing: refused after request_timeout_ms,
	 * not acted on. */
	raw_refused(400, req, sizeof(req) - 1, "a short body");
}
END_TEST

START_TEST(encoded_nul_is_400_and_changes_nothing)
{
	struct http_resp rs;

	serve(NULL);
	/* CivetWeb would cut the path at the NUL and run the route. */
	ck_assert_int_eq(get(&rs, "/api/v1/state%00"), 400);
	assert_json_error(&rs, "%00");
	http_free(&rs);
	ck_assert_int_eq(get(&rs, "/api/v1/state%00.json"), 400);
	http_free(&rs);
	refused(400, "PUT", "/api/v1/setpoint%00", "application/json",
		"{\"setpoint\": 25}");
	refused(400, "PUT", "/api/v1/mode%00/x", "application/json",
		"{\"mode\": \"off\"}");
	refused(400, "POST", "/set_thermostat%00",
		"application/x-www-form-urlencoded", "thermostat_setting=70");
}
END_TEST

/* ---- security headers ----------------------------------------------- */

/* CivetWeb's own answers (requests it refuses before any handler) carry
 * the headers too. */
START_TEST(civetweb_errors_carry_security_headers)
{
	static const struct {
		const char *req;
		int status;
	} cases[] = {
		{ "GET / HTTP/2.0\r\nHost: x\r\n\r\n", 505 },
		{ "GET / HTTP/1.1\r\nHost: x\r\nno colon here\r\n\r\n", 400 },
		{ "GET /\r\n\r\n", 400 },
		{ "FOO / HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
		{ "GET / HTTP/1.1\r\nTransfer-Encoding: bogus\r\n\r\n", 400 },
	};

	serve(NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		raw_refused(cases[i].status, cases[i].req,
			    strlen(cases[i].req), cases[i].req);
}
END_TEST

Suite *suite_web_writes(void)
{
	Suite *s = suite_create("web-writes");
	TCase *tc = web_tcase(s, "writes");

	tcase_add_test(tc, setpoint_and_mode_are_written);
	tcase_add_test(tc, writes_refused_once_stopping);
	tcase_add_test(tc, setpoint_bounds_are_inclusive);
	tcase_add_test(tc, malformed_json_is_400_and_changes_nothing);
	tcase_add_test(tc, deeply_nested_json_is_400_not_a_crash);
	tcase_add_test(tc, bad_values_are_422_and_change_nothing);
	tcase_add_test(tc, wrong_content_type_is_415_and_changes_nothing);
	tcase_add_test(tc, no_length_is_411_and_changes_nothing);
	tcase_add_test(tc, big_body_is_413_unread_and_changes_nothing);
	tcase_add_test(tc, chunked_bodies);
	tcase_add_test(tc, ambiguous_framing_is_400_and_changes_nothing);
	tcase_add_test(tc, short_body_is_400_and_changes_nothing);
	tcase_add_test(tc, encoded_nul_is_400_and_changes_nothing);
	tcase_add_test(tc, civetweb_errors_carry_security_headers);
	return s;
}
