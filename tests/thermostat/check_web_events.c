/* SPDX-License-Identifier: MIT */
/*
 * The event stream (check-web, web_fixture.h): the first event at
 * connect then one per change, the end of every stream when the record
 * closes, the cap on streams, HEAD.
 */
#include <config.h>
#define _GNU_SOURCE
#include <check.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util/timeutil.h"

#include "http.h"
#include "web_fixture.h"

/* ---- event stream --------------------------------------------------- */

/* The state in event @ev ("id: N\nevent: state\ndata: {...}"). */
static json_t *event_state(const char *ev)
{
	const char *data = strstr(ev, "\ndata: ");
	json_error_t je;
	json_t *j;

	ck_assert_msg(strncmp(ev, "id: ", 4) == 0, "event: %s", ev);
	ck_assert_msg(strstr(ev, "\nevent: state\n") != NULL, "event: %s", ev);
	ck_assert_msg(data != NULL, "no data in %s", ev);
	j = json_loads(data + 7, 0, &je);
	ck_assert_msg(j != NULL, "event data is not JSON: %s", je.text);
	return j;
}

/* The next event's state; it comes in milliseconds, so waiting
 * EVENT_WAIT_MS for it is only a sanity deadline. */
static json_t *next_state(struct sse *s)
{
	char ev[8192];
	int ret = sse_next(s, (int)(EVENT_WAIT_MS * scale), ev, sizeof(ev));

	ck_assert_msg(ret == 1, "no event after %.0f ms (%d)",
		      EVENT_WAIT_MS * scale, ret);
	return event_state(ev);
}

static void assert_no_event(struct sse *s, int ms)
{
	char ev[8192];
	int ret = sse_next(s, ms, ev, sizeof(ev));

	ck_assert_msg(ret == -1, "an event nothing asked for: %d %s", ret,
		      ret == 1 ? ev : "");
}

static void open_stream(struct sse *s)
{
	char v[128];

	ck_assert_int_eq(sse_open(port, "/api/v1/events", "", s), 0);
	ck_assert_msg(s->status == 200, "events: %d\n%s", s->status, s->head);
	assert_secure_headers(s->head, "events");
	ck_assert(http_header_in(s->head, "Content-Type", v, sizeof(v)));
	ck_assert_str_eq(v, "text/event-stream");
	ck_assert(http_header_in(s->head, "Cache-Control", v, sizeof(v)));
	ck_assert_str_eq(v, "no-store");
}

START_TEST(events_first_at_connect_then_one_per_change)
{
	struct sse s;
	json_t *j;

	serve(NULL);
	open_stream(&s);
	/* The state at once, without a change. */
	j = next_state(&s);
	ck_assert(json_num(j, "setpoint") == 21.0);
	json_decref(j);

	thermo_set_setpoint(rec, 22.0);
	j = next_state(&s);
	ck_assert(json_num(j, "setpoint") == 22.0);
	json_decref(j);
	/* No change, no event: the same value, and the liveness stamps. */
	thermo_set_setpoint(rec, 22.0);
	thermo_set_control_at(rec, mono_now_ts());
	thermo_set_sensor_at(rec, mono_now_ts());
	assert_no_event(&s, 50);

	thermo_set_mode(rec, MODE_OFF);
	j = next_state(&s);
	ck_assert_str_eq(json_str(j, "mode"), "off");
	json_decref(j);
	assert_no_event(&s, 50);
	/* A new reading is a change. */
	thermo_set_temperature(rec, 20.25);
	j = next_state(&s);
	ck_assert(json_num(j, "temperature") == 20.25);
	json_decref(j);
	assert_no_event(&s, 50);

	/* Through the API, as the page does it. */
	{
		struct http_resp rs;

		ck_assert_int_eq(request(&rs, "PUT", "/api/v1/setpoint",
					 "application/json",
					 "{\"setpoint\": 23}"), 200);
		http_free(&rs);
	}
	j = next_state(&s);
	ck_assert(json_num(j, "setpoint") == 23.0);
	json_decref(j);
	/* A refused write sends nothing. */
	refused(422, "PUT", "/api/v1/setpoint", "application/json",
		"{\"setpoint\": 99}");
	assert_no_event(&s, 50);

	/* Changes in a burst: events may merge several changes (each
	 * carries the state as it is when sent), but they come in order and
	 * the last change always arrives; nothing comes after it. */
	for (int i = 1; i <= 10; i++)
		thermo_set_setpoint(rec, 23.0 + i * 0.5);
	for (double last = 23.0;;) {
		double v;

		j = next_state(&s);
		v = json_num(j, "setpoint");
		json_decref(j);
		ck_assert_msg(v > last, "setpoint %g after %g", v, last);
		last = v;
		if (v == 28.0)
			break;
	}
	assert_no_event(&s, 50);
	sse_close(&s);
}
END_TEST

/* Every change, made one after another (each waits for its event), gets
 * its own event with its own value, whether it comes from a thread
 * writing the record or from another client's PUT.  How fast is for the
 * benchmark: make bench-web (web.put_to_event) and make bench (wake). */
START_TEST(events_follow_every_change)
{
	enum { N = 50 };
	struct http_client *cl;
	struct sse s;
	json_t *j;

	serve(NULL);
	open_stream(&s);
	json_decref(next_state(&s));
	for (int i = 0; i < N; i++) {
		double sp = 15.0 + (i % 2 ? 0.5 : 1.0) + i * 0.1;

		/* A write to the record, as the control thread would. */
		thermo_set_setpoint(rec, sp);
		j = next_state(&s);
		ck_assert(fabs(json_num(j, "setpoint") -
			       round(sp * 100) / 100) < 1e-9);
		json_decref(j);
	}
	/* PUTs from another client, as a second page would make them: on
	 * its one kept-alive connection (fresh connections, each counted
	 * until the server has seen it close, can reach
	 * max_connections_per_client on a busy machine). */
	cl = http_client_new();
	ck_assert(cl != NULL);
	for (int i = 0; i < N; i++) {
		static const char *const hdrs[] = {
			"Content-Type: application/json", NULL
		};
		char body[64];
		struct http_req rq = { .method = "PUT",
				       .path = "/api/v1/setpoint",
				       .headers = hdrs, .body = body,
				       .body_len = (size_t)-1 };
		struct http_resp rs;

		/* On the 0.5 C setpoint_step, each one another. */
		snprintf(body, sizeof(body), "{\"setpoint\": %.1f}",
			 16.0 + (i % 24) * 0.5);
		http_client_do(cl, port, &rq, &rs);
		assert_response(&rs, "PUT /api/v1/setpoint");
		ck_assert_msg(rs.status == 200, "PUT: %ld %s", rs.status,
			      rs.body);
		http_free(&rs);
		j = next_state(&s);
		ck_assert(fabs(json_num(j, "setpoint") -
			       (16.0 + (i % 24) * 0.5)) < 1e-9);
		json_decref(j);
	}
	http_client_free(cl);
	sse_close(&s);
}
END_TEST

START_TEST(closing_the_record_ends_streams_at_once)
{
	struct sse a, b;
	char ev[8192];
	double t0, took;
	int ret;

	serve(NULL);
	open_stream(&a);
	open_stream(&b);
	json_decref(next_state(&a));
	json_decref(next_state(&b));
	t0 = now_ms();
	thermo_close(rec);
	/* Whatever was in flight, then the end of the stream.  A wait that
	 * the close did not wake would end at the next heartbeat (15 s), so
	 * "at once" is: well before half of it, which no scheduling delay
	 * reaches. */
	while ((ret = sse_next(&a, (int)(EVENT_WAIT_MS * scale), ev,
			       sizeof(ev))) == 1)
		;
	took = now_ms() - t0;
	ck_assert_msg(ret == 0, "the stream did not end after %.0f ms", took);
	ck_assert_msg(took < 7500, "the stream ended after %.0f ms: at a "
		      "heartbeat, not at the close", took);
	while ((ret = sse_next(&b, (int)(EVENT_WAIT_MS * scale), ev,
			       sizeof(ev))) == 1)
		;
	ck_assert_int_eq(ret, 0);
	sse_close(&a);
	sse_close(&b);
	/* A stream opened now ends at once as well. */
	ck_assert_int_eq(sse_open(port, "/api/v1/events", "", &a), 0);
	while ((ret = sse_next(&a, (int)(EVENT_WAIT_MS * scale), ev,
			       sizeof(ev))) == 1)
		;
	ck_assert_int_eq(ret, 0);
	sse_close(&a);
}
END_TEST

static void four_threads(struct thermo_settings *c)
{
	c->num_threads = 4;
}

START_TEST(event_streams_are_capped_then_503)
{
	struct sse s[3], extra;
	struct http_resp rs;
	double deadline;

	serve(four_threads);
	/* num_threads - 2 streams. */
	for (int i = 0; i < 2; i++) {
		open_stream(&s[i]);
		json_decref(next_state(&s[i]));
	}
	ck_assert(metric("thermostat_sse_clients") == 2);
	ck_assert_int_eq(sse_open(port, "/api/v1/events", "", &extra), 0);
	ck_assert_msg(extra.status == 503, "stream 3: %d", extra.status);
	assert_secure_headers(extra.head, "503");
	{
		char v[64];

		ck_assert(http_header_in(extra.head, "Content-Type", v,
					 sizeof(v)));
		ck_assert_str_eq(v, "application/json");
	}
	sse_close(&extra);
	/* The rest still serve everything else. */
	for (int i = 0; i < 5; i++) {
		ck_assert_int_eq(get(&rs, "/api/v1/state"), 200);
		http_free(&rs);
	}
	/* A client that leaves frees its slot, once a write finds it gone
	 * (CivetWeb sees a closed peer only by writing). */
	sse_close(&s[0]);
	deadline = now_ms() + EVENT_WAIT_MS * scale;
	while (metric("thermostat_sse_clients") != 1) {
		ck_assert_msg(now_ms() < deadline, "the slot was not freed");
		thermo_set_setpoint(rec, thermo_get_setpoint(rec) == 21.0
						 ? 21.5
						 : 21.0);
		usleep(20 * 1000);
	}
	open_stream(&s[2]);
	json_decref(next_state(&s[2]));
	sse_close(&s[1]);
	sse_close(&s[2]);
}
END_TEST

START_TEST(events_head_sends_headers_only)
{
	struct raw_result r;

	serve(NULL);
	head_raw("/api/v1/events", &r);
	ck_assert_int_eq(r.status, 200);
	raw_free(&r);
	ck_assert(metric("thermostat_sse_clients") == 0);
}
END_TEST

Suite *suite_web_events(void)
{
	Suite *s = suite_create("web-events");
	TCase *tc = web_tcase(s, "events");

	tcase_add_test(tc, events_first_at_connect_then_one_per_change);
	tcase_add_test(tc, events_follow_every_change);
	tcase_add_test(tc, closing_the_record_ends_streams_at_once);
	tcase_add_test(tc, event_streams_are_capped_then_503);
	tcase_add_test(tc, events_head_sends_headers_only);
	return s;
}
