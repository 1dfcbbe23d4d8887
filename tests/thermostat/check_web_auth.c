/* SPDX-License-Identifier: MIT */
/*
 * Authentication (check-web, web_fixture.h): digest logins for writes,
 * and for reads when auth_reads is on; every intruder gets 401 and changes
 * nothing; a missing password file lets nobody in.
 */
#include <config.h>
#define _GNU_SOURCE
#include <check.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "web_fixture.h"

/* alice's password s3cret, realm thermostat: md5("alice:thermostat:s3cret"),
 * as htdigest writes it. */
#define HTDIGEST "alice:thermostat:d77f8830abf4a40b7e42bec8752abe05\n"

/* ---- authentication ------------------------------------------------- */

static const char *htdigest_file(void)
{
	/* As long as the password_file setting holds. */
	static char path[sizeof(((struct thermo_settings *)0)->password_file)];
	FILE *f;

	ck_assert_int_lt(snprintf(path, sizeof(path), "%s/htdigest.%d",
				  test_root(), (int)getpid()),
			 (int)sizeof(path));
	f = fopen(path, "w");
	ck_assert_ptr_nonnull(f);
	fputs("# a comment line is not a user\n", f);
	fputs("bob:otherrealm:d77f8830abf4a40b7e42bec8752abe05\n", f);
	fputs(HTDIGEST, f);
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static void with_auth(struct thermo_settings *c)
{
	snprintf(c->password_file, sizeof(c->password_file), "%s",
		 htdigest_file());
}

static void with_auth_reads(struct thermo_settings *c)
{
	with_auth(c);
	c->auth_reads = true;
}

/* @method @path as @user/@password (NULL: anonymous); the status. */
static long as_user(const char *user, const char *password, bool basic,
		    const char *method, const char *path, const char *type,
		    const char *body, struct http_resp *rs)
{
	char ct[128], what[256];
	const char *hdrs[] = { ct, NULL };
	struct http_req rq = { .method = method, .path = path,
			       .headers = hdrs, .body = body,
			       .body_len = (size_t)-1, .user = user,
			       .password = password, .basic = basic };

	snprintf(ct, sizeof(ct), "Content-Type: %s", type ? type : "");
	http_do(port, &rq, rs);
	snprintf(what, sizeof(what), "%s %s as %s", method, path,
		 user ? user : "nobody");
	assert_response(rs, what);
	return rs->status;
}

static void assert_challenge(const struct http_resp *rs)
{
	char v[256];

	ck_assert_int_eq(rs->status, 401);
	ck_assert(http_header(rs, "WWW-Authenticate", v, sizeof(v)));
	ck_assert_msg(strncmp(v, "Digest ", 7) == 0 &&
			      strstr(v, "realm=\"thermostat\"") != NULL,
		      "WWW-Authenticate: %s", v);
}

/* Credentials that must not be let in. */
static const struct {
	const char *user, *password;
	bool basic;
} intruders[] = {
	{ NULL, NULL, false },		/* none */
	{ "alice", "wrong", false },	/* wrong password */
	{ "mallory", "s3cret", false },	/* unknown user */
	{ "bob", "s3cret", false },	/* a user of another realm */
	{ "alice", "", false },
	{ "alice", "s3cret", true },	/* the right password, but Basic */
};

/* @method @path by every intruder: 401 and no change; then by alice: @ok. */
static void protected(const char *method, const char *path,
		      const char *type, const char *body, long ok)
{
	for (size_t i = 0; i < sizeof(intruders) / sizeof(intruders[0]); i++) {
		uint64_t version = thermo_version(rec);
		struct http_resp rs;

		as_user(intruders[i].user, intruders[i].password,
			intruders[i].basic, method, path, type, body, &rs);
		ck_assert_msg(rs.status == 401, "%s %s as %s%s: %ld", method,
			      path, intruders[i].user ? intruders[i].user : "-",
			      intruders[i].basic ? " (basic)" : "", rs.status);
		assert_challenge(&rs);
		ck_assert_msg(thermo_version(rec) == version,
			      "%s %s without a login changed the record",
			      method, path);
		http_free(&rs);
	}
	{
		struct http_resp rs;

		ck_assert_int_eq(as_user("alice", "s3cret", false, method, path,
					 type, body, &rs), ok);
		http_free(&rs);
	}
}

START_TEST(writes_need_digest_auth)
{
	struct http_resp rs;

	serve(with_auth);
	protected("PUT", "/api/v1/setpoint", "application/json",
		  "{\"setpoint\": 25}", 200);
	ck_assert(thermo_get_setpoint(rec) == 25.0);
	protected("PUT", "/api/v1/mode", "application/json",
		  "{\"mode\": \"off\"}", 200);
	ck_assert_int_eq(thermo_get_mode(rec), MODE_OFF);
	thermo_set_runaway(rec, true);
	protected("PUT", "/api/v1/alarm", "application/json",
		  "{\"runaway\": false}", 200);
	ck_assert(!thermo_get_runaway(rec));
	protected("POST", "/set_thermostat",
		  "application/x-www-form-urlencoded", "thermostat_setting=70",
		  200);
	ck_assert(fabs(thermo_get_setpoint(rec) - (70.0 - 32) * 5 / 9) < 1e-9);
	/* A logged-in bad request is still refused, with its own status. */
	ck_assert_int_eq(as_user("alice", "s3cret", false, "PUT",
				 "/api/v1/setpoint", "application/json",
				 "{\"setpoint\": 99}", &rs), 422);
	http_free(&rs);
	/* Reads stay open. */
	for (size_t i = 0; i < NROUTES; i++) {
		ck_assert_msg(get(&rs, get_routes[i]) == 200, "%s: %ld",
			      get_routes[i], rs.status);
		http_free(&rs);
	}
}
END_TEST

static void missing_password_file(struct thermo_settings *c)
{
	snprintf(c->password_file, sizeof(c->password_file),
		 "%s/no-such-file", test_root());
}

/* A password file that went away lets nobody in (fails closed). */
START_TEST(missing_password_file_lets_nobody_write)
{
	struct http_resp rs;

	serve(missing_password_file);
	ck_assert_int_eq(as_user("alice", "s3cret", false, "PUT",
				 "/api/v1/setpoint", "application/json",
				 "{\"setpoint\": 25}", &rs), 401);
	ck_assert(thermo_get_setpoint(rec) == 21.0);
	http_free(&rs);
}
END_TEST

START_TEST(auth_reads_protects_reads)
{
	serve(with_auth_reads);
	for (size_t i = 0; i < NROUTES; i++)
		protected("GET", get_routes[i], NULL, NULL, 200);
	protected("HEAD", "/api/v1/state", NULL, NULL, 200);
	protected("PUT", "/api/v1/setpoint", "application/json",
		  "{\"setpoint\": 25}", 200);
	ck_assert(thermo_get_setpoint(rec) == 25.0);
	/* The event stream too. */
	{
		struct sse s;

		ck_assert_int_eq(sse_open(port, "/api/v1/events", "", &s), 0);
		ck_assert_int_eq(s.status, 401);
		assert_secure_headers(s.head, "events without a login");
		sse_close(&s);
	}
}
END_TEST

Suite *suite_web_auth(void)
{
	Suite *s = suite_create("web-auth");
	TCase *tc = web_tcase(s, "auth");

	tcase_add_test(tc, writes_need_digest_auth);
	tcase_add_test(tc, missing_password_file_lets_nobody_write);
	tcase_add_test(tc, auth_reads_protects_reads);
	return s;
}
