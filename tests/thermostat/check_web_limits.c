/* SPDX-License-Identifier: MIT */
/*
 * The limits on clients (check-web, web_fixture.h): requests per
 * keep-alive connection, keep-alive off, idle connections closed, a body
 * that trickles in answered 408, connections per client address; and
 * the client keys they are counted by (web/peer.h).  The 70-connection
 * pressure against the daemon itself is tests/thermostat/slow_clients.c.
 */
#include <config.h>
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <check.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "web/peer.h"

#include "http.h"
#include "web_fixture.h"

#define GET_HEALTHZ "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"

/* How many times @needle is in @s. */
static int occurrences(const char *s, const char *needle)
{
	int n = 0;

	while (s && (s = strstr(s, needle))) {
		n++;
		s += strlen(needle);
	}
	return n;
}

/* Sends @n GET /healthz at once on one connection and reads until the
 * server closes it. */
static void pipelined(int n, struct raw_result *r)
{
	char req[8 * sizeof(GET_HEALTHZ)] = "";
	int fd = raw_connect(port);

	ck_assert_int_ge(fd, 0);
	for (int i = 0; i < n; i++)
		strcat(req, GET_HEALTHZ);
	ck_assert_int_eq(raw_send(fd, req, strlen(req)), 0);
	raw_read(fd, (int)(RAW_WAIT_MS * scale), r);
	close(fd);
	ck_assert_msg(r->closed, "the connection was not closed:\n%s",
		      r->data);
}

static void three_per_connection(struct thermo_settings *c)
{
	c->keep_alive_max_requests = 3;
}

START_TEST(keep_alive_requests_are_limited)
{
	struct raw_result r;
	const char *third;

	serve(three_per_connection);
	pipelined(5, &r);
	ck_assert_msg(occurrences(r.data, "HTTP/1.1 200") == 3,
		      "not 3 answers:\n%s", r.data);
	third = strstr(strstr(strstr(r.data, "HTTP/1.1") + 1, "HTTP/1.1") + 1,
		       "HTTP/1.1");
	ck_assert_msg(strstr(third, "Connection: close") != NULL,
		      "the last answer does not close:\n%s", third);
	ck_assert_msg(occurrences(r.data, "Connection: keep-alive") == 2,
		      "the first two do not keep alive:\n%s", r.data);
	raw_free(&r);
}
END_TEST

static void no_keep_alive(struct thermo_settings *c)
{
	c->keep_alive_timeout_ms = 0;
}

START_TEST(keep_alive_off_with_a_zero_timeout)
{
	struct raw_result r;

	serve(no_keep_alive);
	pipelined(2, &r);
	ck_assert_msg(occurrences(r.data, "HTTP/1.1 200") == 1,
		      "not 1 answer:\n%s", r.data);
	ck_assert_msg(strstr(r.data, "Connection: close") != NULL, "%s",
		      r.data);
	raw_free(&r);
}
END_TEST

static void short_keep_alive(struct thermo_settings *c)
{
	c->keep_alive_timeout_ms = 200;
	c->request_timeout_ms = 60000;
}

/* An idle connection is let go after keep_alive_timeout_ms, not after
 * request_timeout_ms (here a minute: the sanity bound would end the read
 * first). */
START_TEST(idle_connections_are_closed)
{
	struct raw_result r;

	serve(short_keep_alive);
	pipelined(1, &r);
	ck_assert_msg(occurrences(r.data, "HTTP/1.1 200") == 1, "%s", r.data);
	ck_assert_msg(strstr(r.data, "Connection: keep-alive") != NULL, "%s",
		      r.data);
	raw_free(&r);
}
END_TEST

static void short_body_timeout(struct thermo_settings *c)
{
	c->body_timeout_ms = 300;
	c->request_timeout_ms = 5000;
}

/* A byte every 50 ms keeps CivetWeb reading (request_timeout_ms ends only
 * a silence); body_timeout_ms ends the body. */
START_TEST(trickling_body_is_408_and_changes_nothing)
{
	static const char head[] =
		"PUT /api/v1/setpoint HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		"Content-Type: application/json\r\nContent-Length: 4000\r\n"
		"\r\n{\"setpoint\": 25";
	uint64_t version;
	struct raw_result r = { 0 };
	int fd;

	serve(short_body_timeout);
	version = thermo_version(rec);
	fd = raw_connect(port);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(raw_send(fd, head, sizeof(head) - 1), 0);
	/* 4000 bytes at 20 a second would take 200 s; the answer comes
	 * after about 0.3 s. */
	for (int i = 0; i < 3980; i++) {
		struct pollfd p = { .fd = fd, .events = POLLIN };

		if (raw_send(fd, " ", 1) != 0 || poll(&p, 1, 50) > 0)
			break;
	}
	raw_read(fd, (int)(RAW_WAIT_MS * scale), &r);
	close(fd);
	ck_assert_msg(r.status == 408, "status %d:\n%s", r.status, r.data);
	ck_assert_msg(strstr(r.data, "body_timeout_ms") != NULL, "%s", r.data);
	ck_assert(thermo_version(rec) == version);
	raw_free(&r);
}
END_TEST

static void two_per_client(struct thermo_settings *c)
{
	c->max_connections_per_client = 2;
}

/* The third connection from one address is answered 503 and closed as
 * it is accepted, before it says anything; once one of the two closes,
 * a new one gets in. */
START_TEST(connections_per_client_are_limited)
{
	struct raw_result r;
	double deadline;
	int a = -1, b = -1, c;
	bool in = false;

	serve(two_per_client);
	a = raw_connect(port);
	b = raw_connect(port);
	c = raw_connect(port);
	ck_assert(a >= 0 && b >= 0 && c >= 0);
	raw_read(c, (int)(RAW_WAIT_MS * scale), &r);
	close(c);
	ck_assert_msg(r.status == 503 && r.closed, "third: %d\n%s", r.status,
		      r.data);
	assert_secure_headers(r.data, "the 503 of the third connection");
	ck_assert_msg(strstr(r.data, "too many connections") != NULL, "%s",
		      r.data);
	raw_free(&r);

	/* The two are served. */
	ck_assert_int_eq(raw_send(b, GET_HEALTHZ, strlen(GET_HEALTHZ)), 0);
	raw_read(b, 300, &r);
	ck_assert_msg(r.status == 200, "second: %d\n%s", r.status, r.data);
	raw_free(&r);

	/* a closes; the server notices (EOF) and closes its end. */
	close(a);
	deadline = now_ms() + EVENT_WAIT_MS * scale;
	while (!in && now_ms() < deadline) {
		struct pollfd p;

		c = raw_connect(port);
		ck_assert_int_ge(c, 0);
		p = (struct pollfd){ .fd = c, .events = POLLIN };
		if (poll(&p, 1, 50) == 0) {
			in = true; /* not turned away */
			ck_assert_int_eq(raw_send(c, GET_HEALTHZ,
						  strlen(GET_HEALTHZ)), 0);
			raw_read(c, 300, &r);
			ck_assert_msg(r.status == 200, "%d\n%s", r.status,
				      r.data);
			raw_free(&r);
		}
		close(c);
	}
	ck_assert_msg(in, "no connection got in after one of two closed");
	close(b);
}
END_TEST

/* ---- client keys (pure) --------------------------------------------- */

static struct peer_key key_of(const char *addr)
{
	struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = 80 };
	struct sockaddr_in6 in6 = { .sin6_family = AF_INET6 };
	struct peer_key k;

	if (inet_pton(AF_INET, addr, &in.sin_addr) == 1) {
		ck_assert(peer_key_of((struct sockaddr *)&in, sizeof(in), &k));
	} else {
		ck_assert_int_eq(inet_pton(AF_INET6, addr, &in6.sin6_addr), 1);
		ck_assert(peer_key_of((struct sockaddr *)&in6, sizeof(in6),
				      &k));
	}
	return k;
}

START_TEST(clients_are_addresses_and_ipv6_prefixes)
{
	struct peer_key a = key_of("192.0.2.1"), b = key_of("192.0.2.2");
	struct peer_key m = key_of("::ffff:192.0.2.1");
	struct peer_key x = key_of("2001:db8:0:1::5");
	struct peer_key y = key_of("2001:db8:0:1:ffff:1:2:3");
	struct peer_key z = key_of("2001:db8:0:2::5");
	struct sockaddr_un un = { .sun_family = AF_UNIX };
	struct sockaddr_in p1 = { .sin_family = AF_INET, .sin_port = 1 };
	struct sockaddr_in p2 = p1;
	struct peer_key k;
	char text[64];

	ck_assert(!peer_key_equal(&a, &b));
	ck_assert(peer_key_equal(&a, &m));
	ck_assert(peer_key_equal(&x, &y));
	ck_assert(!peer_key_equal(&x, &z));
	ck_assert(!peer_key_equal(&a, &x));
	ck_assert_str_eq(peer_key_text(&m, text, sizeof(text)), "192.0.2.1");
	ck_assert_str_eq(peer_key_text(&y, text, sizeof(text)),
			 "2001:db8:0:1::/64");
	ck_assert(!peer_key_of((struct sockaddr *)&un, sizeof(un), &k));

	ck_assert(peer_same((struct sockaddr *)&p1, sizeof(p1),
			    (struct sockaddr *)&p2, sizeof(p2)));
	p2.sin_port = 2;
	ck_assert(!peer_same((struct sockaddr *)&p1, sizeof(p1),
			     (struct sockaddr *)&p2, sizeof(p2)));
}
END_TEST

Suite *suite_web_limits(void)
{
	Suite *s = suite_create("web-limits");
	TCase *tc = web_tcase(s, "limits");

	tcase_add_test(tc, keep_alive_requests_are_limited);
	tcase_add_test(tc, keep_alive_off_with_a_zero_timeout);
	tcase_add_test(tc, idle_connections_are_closed);
	tcase_add_test(tc, trickling_body_is_408_and_changes_nothing);
	tcase_add_test(tc, connections_per_client_are_limited);
	tcase_add_test(tc, clients_are_addresses_and_ipv6_prefixes);
	return s;
}
