/* SPDX-License-Identifier: MIT */
/*
 * The logins' pure parts (check-web, web_fixture.h), with plain inputs:
 * the strict parse of an Authorization: Digest header, the response of
 * RFC 2617's example, htdigest lines, the nonce table (lifetime, request
 * counts, the oldest forgotten) and the failure counts per client (the
 * window, the wait, an IPv6 /64 as one client, a full table).  The
 * server's logins over HTTP are check_web_auth.c's.
 */
#include <config.h>
#define _GNU_SOURCE
#include <check.h>
#include <civetweb.h>
#include <stdio.h>
#include <string.h>

#include "web/digest.h"
#include "web/nonces.h"
#include "web/throttle.h"

#include "web_fixture.h"

/* alice's line in an htdigest file (check_web_auth.c's). */
#define HTDIGEST "alice:thermostat:d77f8830abf4a40b7e42bec8752abe05\n"

#define CURL_HEADER                                                          \
	"Digest username=\"alice\", realm=\"thermostat\", "                  \
	"nonce=\"0123456789abcdef0123456789abcdef\", uri=\"/api/v1/mode\", " \
	"cnonce=\"NjQ2ZDYx\", nc=00000001, qop=auth, "                       \
	"response=\"0A4F113B0A4F113B0A4F113B0A4F113B\", opaque=\"x\", "      \
	"algorithm=MD5"

START_TEST(digest_headers_parse_strictly)
{
	/* As Chromium sends it (another order, algorithm first), with an
	 * extension and a quoted-pair. */
	static const char chromium[] =
		"Digest username=\"al\\\"ice\", realm=\"thermostat\", "
		"nonce=\"n\", uri=\"/api/v1/history?minutes=5\", "
		"algorithm=MD5, response=\"0a4f113b0a4f113b0a4f113b0a4f113b\", "
		"opaque=\"x\", qop=auth, nc=0000000a, cnonce=\"c\", ext=1";
	static const char *const bad[] = {
		"Basic YWxpY2U6czNjcmV0",
		"Digest",
		"Digest ",
		"Digestusername=\"alice\"",
		/* each required parameter missing in turn */
		"Digest realm=\"thermostat\", nonce=\"n\", uri=\"/\", "
		"cnonce=\"c\", nc=00000001, qop=auth, "
		"response=\"0a4f113b0a4f113b0a4f113b0a4f113b\"",
		"Digest username=\"alice\", nonce=\"n\", uri=\"/\", "
		"cnonce=\"c\", nc=00000001, qop=auth, "
		"response=\"0a4f113b0a4f113b0a4f113b0a4f113b\"",
		"Digest username=\"alice\", realm=\"thermostat\", uri=\"/\", "
		"cnonce=\"c\", nc=00000001, qop=auth, "
		"response=\"0a4f113b0a4f113b0a4f113b0a4f113b\"",
		"Digest username=\"alice\", realm=\"thermostat\", nonce=\"n\", "
		"cnonce=\"c\", nc=00000001, qop=auth, "
		"response=\"0a4f113b0a4f113b0a4f113b0a4f113b\"",
		"Digest username=\"alice\", realm=\"thermostat\", nonce=\"n\", "
		"uri=\"/\", nc=00000001, qop=auth, "
		"response=\"0a4f113b0a4f113b0a4f113b0a4f113b\"",
		"Digest username=\"alice\", realm=\"thermostat\", nonce=\"n\", "
		"uri=\"/\", cnonce=\"c\", qop=auth, "
		"response=\"0a4f113b0a4f113b0a4f113b0a4f113b\"",
		"Digest username=\"alice\", realm=\"thermostat\", nonce=\"n\", "
		"uri=\"/\", cnonce=\"c\", nc=00000001, "
		"response=\"0a4f113b0a4f113b0a4f113b0a4f113b\"",
		"Digest username=\"alice\", realm=\"thermostat\", nonce=\"n\", "
		"uri=\"/\", cnonce=\"c\", nc=00000001, qop=auth",
		/* empty values, a parameter twice */
		"Digest username=\"\", realm=\"thermostat\", nonce=\"n\", "
		"uri=\"/\", cnonce=\"c\", nc=00000001, qop=auth, "
		"response=\"0a4f113b0a4f113b0a4f113b0a4f113b\"",
		CURL_HEADER ", nonce=\"m\"",
		CURL_HEADER ", Username=\"bob\"",
		/* what is not MD5 with qop=auth */
		CURL_HEADER "-sess",
		"Digest username=\"alice\", realm=\"thermostat\", nonce=\"n\", "
		"uri=\"/\", cnonce=\"c\", nc=00000001, qop=auth-int, "
		"response=\"0a4f113b0a4f113b0a4f113b0a4f113b\"",
		"Digest username=\"alice\", realm=\"thermostat\", nonce=\"n\", "
		"uri=\"/\", cnonce=\"c\", nc=00000001, qop=\"auth,auth-int\", "
		"response=\"0a4f113b0a4f113b0a4f113b0a4f113b\"",
		"Digest username=\"alice\", realm=\"thermostat\", nonce=\"n\", "
		"uri=\"/\", cnonce=\"c\", nc=00000001, qop=auth, "
		"algorithm=SHA-256, "
		"response=\"0a4f113b0a4f113b0a4f113b0a4f113b\"",
		CURL_HEADER ", userhash=true",
		CURL_HEADER ", username*=UTF-8''alice",
		/* nc: 8 hex digits, not 0; response: 32 hex digits */
		"Digest username=\"alice\", realm=\"thermostat\", nonce=\"n\", "
		"uri=\"/\", cnonce=\"c\", nc=0000001, qop=auth, "
		"response=\"0a4f113b0a4f113b0a4f113b0a4f113b\"",
		"Digest username=\"alice\", realm=\"thermostat\", nonce=\"n\", "
		"uri=\"/\", cnonce=\"c\", nc=00000000, qop=auth, "
		"response=\"0a4f113b0a4f113b0a4f113b0a4f113b\"",
		"Digest username=\"alice\", realm=\"thermostat\", nonce=\"n\", "
		"uri=\"/\", cnonce=\"c\", nc=0000000g, qop=auth, "
		"response=\"0a4f113b0a4f113b0a4f113b0a4f113b\"",
		"Digest username=\"alice\", realm=\"thermostat\", nonce=\"n\", "
		"uri=\"/\", cnonce=\"c\", nc=00000001, qop=auth, "
		"response=\"0a4f113b0a4f113b0a4f113b0a4f113\"",
		"Digest username=\"alice\", realm=\"thermostat\", nonce=\"n\", "
		"uri=\"/\", cnonce=\"c\", nc=00000001, qop=auth, "
		"response=\"0a4f113b0a4f113b0a4f113b0a4f113z\"",
		/* the syntax: a trailing comma, no '=', an open quote, a
		 * control character */
		CURL_HEADER ",",
		CURL_HEADER ", ext",
		CURL_HEADER ", ext=\"open",
		CURL_HEADER ", ext=\"a\x01\"",
		CURL_HEADER " ext=1",
	};
	struct digest_auth d;
	const char *why = NULL;

	ck_assert_int_eq(digest_parse(CURL_HEADER, &d, &why), 0);
	ck_assert_str_eq(d.username, "alice");
	ck_assert_str_eq(d.realm, "thermostat");
	ck_assert_str_eq(d.nonce, "0123456789abcdef0123456789abcdef");
	ck_assert_str_eq(d.uri, "/api/v1/mode");
	ck_assert_str_eq(d.cnonce, "NjQ2ZDYx");
	ck_assert_str_eq(d.response, "0a4f113b0a4f113b0a4f113b0a4f113b");
	ck_assert_uint_eq(d.nc, 1);
	ck_assert_int_eq(digest_parse(chromium, &d, &why), 0);
	ck_assert_str_eq(d.username, "al\"ice");
	ck_assert_str_eq(d.uri, "/api/v1/history?minutes=5");
	ck_assert_uint_eq(d.nc, 10);
	ck_assert_str_eq(d.nc_text, "0000000a");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		ck_assert_msg(digest_parse(bad[i], &d, &why) == -1,
			      "accepted: %s", bad[i]);
		ck_assert_msg(why && *why, "no reason for %s", bad[i]);
	}
	/* A uri longer than its field. */
	{
		char longer[2600];

		snprintf(longer, sizeof(longer),
			 "Digest username=\"alice\", realm=\"thermostat\", "
			 "nonce=\"n\", uri=\"/%01100d\", cnonce=\"c\", "
			 "nc=00000001, qop=auth, "
			 "response=\"0a4f113b0a4f113b0a4f113b0a4f113b\"",
			 0);
		ck_assert_int_eq(digest_parse(longer, &d, &why), -1);
	}
}
END_TEST

/* RFC 2617 3.5's example (qop=auth, MD5): Mufasa at testrealm@host.com. */
START_TEST(digest_response_is_rfc_2617s)
{
	struct digest_auth d = {
		.nonce = "dcd98b7102dd2f0e8b11d0f600bfb0c093",
		.uri = "/dir/index.html",
		.cnonce = "0a4f113b",
		.nc_text = "00000001",
	};
	char ha1[DIGEST_HEX], out[DIGEST_HEX];

	mg_md5(ha1, "Mufasa", ":", "testrealm@host.com", ":",
	       "Circle Of Life", NULL);
	digest_expected(ha1, "GET", &d, out);
	ck_assert_str_eq(out, "6629fae49393a05397450978507c4ef1");
	ck_assert(digest_equal(out, "6629fae49393a05397450978507c4ef1", 32));
	ck_assert(!digest_equal(out, "6629fae49393a05397450978507c4ef0", 32));
	ck_assert(!digest_equal(out, "7629fae49393a05397450978507c4ef1", 32));
}
END_TEST

START_TEST(htdigest_lines)
{
	char ha1[DIGEST_HEX];

	ck_assert(htdigest_line(HTDIGEST, "alice", "thermostat", ha1));
	ck_assert_str_eq(ha1, "d77f8830abf4a40b7e42bec8752abe05");
	ck_assert(htdigest_line("alice:thermostat:"
				"D77F8830ABF4A40B7E42BEC8752ABE05\r\n",
				"alice", "thermostat", ha1));
	ck_assert_str_eq(ha1, "d77f8830abf4a40b7e42bec8752abe05");
	ck_assert(!htdigest_line(HTDIGEST, "alic", "thermostat", ha1));
	ck_assert(!htdigest_line(HTDIGEST, "alice", "thermo", ha1));
	ck_assert(!htdigest_line(HTDIGEST, "alice", "thermostat2", ha1));
	ck_assert(!htdigest_line("alice:thermostat:d77f8830\n", "alice",
				 "thermostat", ha1));
	ck_assert(!htdigest_line("alice:thermostat:"
				 "d77f8830abf4a40b7e42bec8752abe05x\n",
				 "alice", "thermostat", ha1));
	ck_assert(!htdigest_line("# alice:thermostat:"
				 "d77f8830abf4a40b7e42bec8752abe05\n",
				 "alice", "thermostat", ha1));
}
END_TEST

START_TEST(nonces_expire_count_and_are_forgotten)
{
	static struct nonce_table t;
	char hex[NONCE_HEX];

	nonce_add(&t, "aa", 100);
	ck_assert_int_eq(nonce_use(&t, "aa", 1, 100, 300), NONCE_OK);
	ck_assert_int_eq(nonce_use(&t, "aa", 1, 101, 300), NONCE_REPLAYED);
	ck_assert_int_eq(nonce_use(&t, "aa", 3, 101, 300), NONCE_OK);
	ck_assert_int_eq(nonce_use(&t, "aa", 2, 101, 300), NONCE_REPLAYED);
	ck_assert_int_eq(nonce_use(&t, "bb", 1, 101, 300), NONCE_UNKNOWN);
	ck_assert_int_eq(nonce_use(&t, "aa", 4, 400, 300), NONCE_EXPIRED);
	ck_assert_int_eq(nonce_use(&t, "aa", 5, 400, 300), NONCE_UNKNOWN);
	/* The oldest goes when the table is full. */
	nonce_add(&t, "first", 500);
	for (int i = 1; i < NONCE_SLOTS; i++) {
		snprintf(hex, sizeof(hex), "%d", i);
		nonce_add(&t, hex, 500);
	}
	ck_assert_int_eq(nonce_use(&t, "first", 1, 500, 300), NONCE_OK);
	nonce_add(&t, "last", 500);
	ck_assert_int_eq(nonce_use(&t, "first", 2, 500, 300), NONCE_UNKNOWN);
	ck_assert_int_eq(nonce_use(&t, "last", 1, 500, 300), NONCE_OK);
	ck_assert_int_eq(nonce_use(&t, "1", 1, 500, 300), NONCE_OK);
}
END_TEST

START_TEST(failures_make_a_client_wait_for_its_window)
{
	static struct throttle t;
	struct peer_key a, b, v6, v6b, v6c, mapped, junk, junk2;

	ck_assert(peer_key_parse("192.0.2.1", &a));
	ck_assert(peer_key_parse("192.0.2.2", &b));
	ck_assert(peer_key_parse("2001:db8:1:2::1", &v6));
	ck_assert(peer_key_parse("[2001:db8:1:2::99]", &v6b));
	ck_assert(peer_key_parse("2001:db8:1:3::1", &v6c));
	ck_assert(peer_key_parse("::ffff:192.0.2.1", &mapped));
	ck_assert(!peer_key_parse("not an address", &junk));
	ck_assert(!peer_key_parse("", &junk2));
	/* One address is one client; an IPv6 /64 is one client. */
	ck_assert(peer_key_equal(&a, &mapped));
	ck_assert(!peer_key_equal(&a, &b));
	ck_assert(peer_key_equal(&v6, &v6b));
	ck_assert(!peer_key_equal(&v6, &v6c));
	ck_assert(!peer_key_equal(&a, &junk));
	ck_assert(peer_key_equal(&junk, &junk2));

	ck_assert(!throttle_fail(&t, &a, 10, 3, 60));
	ck_assert(!throttle_fail(&t, &a, 20, 3, 60));
	ck_assert(throttle_wait(&t, &a, 20, 3, 60) == 0);
	ck_assert(throttle_fail(&t, &a, 30, 3, 60));
	ck_assert(throttle_wait(&t, &a, 30, 3, 60) == 40);
	ck_assert(throttle_wait(&t, &a, 69, 3, 60) == 1);
	ck_assert(throttle_wait(&t, &b, 30, 3, 60) == 0);
	ck_assert(throttle_wait(&t, &a, 70, 3, 60) == 0);
	/* A new window begins with the next failure. */
	ck_assert(!throttle_fail(&t, &a, 70, 3, 60));
	ck_assert(throttle_wait(&t, &a, 70, 3, 60) == 0);
	/* Failures further apart than the window never add up. */
	for (int i = 0; i < 10; i++)
		ck_assert(!throttle_fail(&t, &b, 100 + 61 * i, 3, 60));
	ck_assert(throttle_wait(&t, &b, 800, 3, 60) == 0);
	/* The IPv6 network as one. */
	ck_assert(!throttle_fail(&t, &v6, 10, 2, 60));
	ck_assert(throttle_fail(&t, &v6b, 11, 2, 60));
	ck_assert(throttle_wait(&t, &v6, 11, 2, 60) == 59);
	ck_assert(throttle_wait(&t, &v6c, 11, 2, 60) == 0);
}
END_TEST

START_TEST(a_full_failure_table_forgets_old_windows_first)
{
	static struct throttle t;
	struct peer_key a;
	char addr[32];

	ck_assert(peer_key_parse("192.0.2.1", &a));
	ck_assert(throttle_fail(&t, &a, 10, 1, 60));
	for (int i = 0; i < THROTTLE_SLOTS - 1; i++) {
		struct peer_key c;

		snprintf(addr, sizeof(addr), "10.0.%d.%d", i / 256, i % 256);
		ck_assert(peer_key_parse(addr, &c));
		ck_assert(!throttle_fail(&t, &c, 1, 2, 60));
	}
	/* Full: the first of those windows has passed at 65, a's not. */
	{
		struct peer_key c;

		ck_assert(peer_key_parse("10.1.0.0", &c));
		ck_assert(!throttle_fail(&t, &c, 65, 2, 60));
	}
	ck_assert(throttle_wait(&t, &a, 65, 1, 60) == 5);
}
END_TEST

Suite *suite_web_digest(void)
{
	Suite *s = suite_create("web-digest");
	TCase *tc = tcase_create("digest");

	tcase_add_test(tc, digest_headers_parse_strictly);
	tcase_add_test(tc, digest_response_is_rfc_2617s);
	tcase_add_test(tc, htdigest_lines);
	tcase_add_test(tc, nonces_expire_count_and_are_forgotten);
	tcase_add_test(tc, failures_make_a_client_wait_for_its_window);
	tcase_add_test(tc, a_full_failure_table_forgets_old_windows_first);
	suite_add_tcase(s, tc);
	return s;
}
