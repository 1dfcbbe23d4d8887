/* SPDX-License-Identifier: MIT */
/*
 * Authentication (check-web, web_fixture.h): digest logins for writes,
 * and for reads when auth_reads is on; every intruder gets 401 and changes
 * nothing; a missing password file lets nobody in.  A login cannot be
 * replayed: a captured request sent again, its Authorization header on
 * another body or route, a digest made for another uri, a request count
 * that does not grow, and an expired nonce are all refused, while curl
 * (one handle, as a script keeps it) writes again and again, and retries
 * a stale nonce by itself.  Failed logins make an address wait (429);
 * other addresses are served.
 */
#include <config.h>
#define _GNU_SOURCE
#include <check.h>
#include <civetweb.h>
#include <fcntl.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "log.h"

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

/* A password file, everything else as by default. */
static void with_login(struct thermo_settings *c)
{
	snprintf(c->password_file, sizeof(c->password_file), "%s",
		 htdigest_file());
}

/* The intruder tests try dozens of wrong passwords from one address, each
 * to be answered 401: the limit on failed logins, which would answer them
 * 429, has its own test (failed_logins_make_the_address_wait). */
static void with_auth(struct thermo_settings *c)
{
	with_login(c);
	c->auth_max_failures = 1000000;
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
	/* The weekly program's writes, every one. */
	protected("PUT", "/api/v1/preset", "application/json",
		  "{\"preset\": \"eco\"}", 200);
	protected("PUT", "/api/v1/hold", "application/json",
		  "{\"setpoint\": 19, \"kind\": \"forever\"}", 200);
	ck_assert(thermo_get_setpoint(rec) == 19.0);
	protected("PUT", "/api/v1/boost", "application/json",
		  "{\"setpoint\": 24, \"minutes\": 5}", 200);
	ck_assert(thermo_get_setpoint(rec) == 24.0);
	protected("DELETE", "/api/v1/hold", NULL, NULL, 200);
	protected("PUT", "/api/v1/presets", "application/json",
		  "{\"presets\": [{\"name\": \"warm\", \"setpoint\": 22}]}",
		  200);
	protected("PUT", "/api/v1/schedule", "application/json",
		  "{\"schedule\": {\"monday\": [{\"time\": \"06:00\", "
		  "\"preset\": \"warm\"}], \"tuesday\": [], \"wednesday\": [], "
		  "\"thursday\": [], \"friday\": [], \"saturday\": [], "
		  "\"sunday\": []}}", 200);
	ck_assert(thermo_get_setpoint(rec) == 22.0);
	protected("POST", "/set_thermostat",
		  "application/x-www-form-urlencoded", "thermostat_setting=70",
		  200);
	/* 70 F is 21.11 C: rounded to setpoint_step (0.5 C), as the JSON
	 * API rounds; it still reads back as 70 F. */
	ck_assert(fabs(thermo_get_setpoint(rec) - 21.0) < 1e-9);
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

/* ---- replays ---------------------------------------------------------- */

#define JSON "application/json"

/* A challenge's or an Authorization header's parameters. */
struct digest {
	char nonce[128], opaque[128], realm[64], qop[32], algorithm[32];
	char uri[256], nc[16];
	bool stale;
};

/* The value of parameter @name in a Digest header value @v (quoted or
 * not), into @buf; false when absent. */
static bool param(const char *v, const char *name, char *buf, size_t len)
{
	size_t n = strlen(name);

	for (const char *p = v; (p = strcasestr(p, name)) != NULL; p += n) {
		const char *q = p + n;
		size_t k = 0;

		if ((p != v && p[-1] != ' ' && p[-1] != ',') || *q != '=')
			continue;
		q++;
		if (*q == '"') {
			for (q++; *q && *q != '"' && k + 1 < len; q++)
				buf[k++] = *q;
		} else {
			for (; *q && *q != ',' && *q != ' ' && k + 1 < len;
			     q++)
				buf[k++] = *q;
		}
		buf[k] = '\0';
		return true;
	}
	return false;
}

static void parse_digest(const char *v, struct digest *d)
{
	char stale[16];

	memset(d, 0, sizeof(*d));
	ck_assert_msg(strncmp(v, "Digest ", 7) == 0, "not Digest: %s", v);
	ck_assert_msg(param(v, "nonce", d->nonce, sizeof(d->nonce)),
		      "no nonce: %s", v);
	param(v, "opaque", d->opaque, sizeof(d->opaque));
	param(v, "realm", d->realm, sizeof(d->realm));
	param(v, "qop", d->qop, sizeof(d->qop));
	param(v, "algorithm", d->algorithm, sizeof(d->algorithm));
	param(v, "uri", d->uri, sizeof(d->uri));
	param(v, "nc", d->nc, sizeof(d->nc));
	d->stale = param(v, "stale", stale, sizeof(stale)) &&
		   strcasecmp(stale, "true") == 0;
}

/* The challenge of a 401's header block @headers. */
static void challenge_in(const char *headers, struct digest *ch)
{
	char v[512];

	ck_assert_msg(http_header_in(headers, "WWW-Authenticate", v,
				     sizeof(v)),
		      "no WWW-Authenticate in\n%s", headers);
	parse_digest(v, ch);
}

/* "Authorization: Digest ..." for alice with @password, made here from
 * RFC 7616 (MD5, qop=auth) for @method @uri, on nonce @ch with request
 * count @nc: as an attacker who knew the password, or a client, would. */
static void digest_for(char *out, size_t len, const char *password,
		       const char *method, const char *uri,
		       const struct digest *ch, unsigned nc)
{
	char ha1[33], ha2[33], resp[33], ncs[9], cnonce[17];

	snprintf(ncs, sizeof(ncs), "%08x", nc);
	snprintf(cnonce, sizeof(cnonce), "c%08x%06x", nc, (unsigned)rand());
	mg_md5(ha1, "alice", ":", "thermostat", ":", password, NULL);
	mg_md5(ha2, method, ":", uri, NULL);
	mg_md5(resp, ha1, ":", ch->nonce, ":", ncs, ":", cnonce, ":", "auth",
	       ":", ha2, NULL);
	ck_assert_int_lt(snprintf(out, len,
				  "Authorization: Digest username=\"alice\", "
				  "realm=\"thermostat\", nonce=\"%s\", "
				  "uri=\"%s\", algorithm=MD5, "
				  "response=\"%s\", opaque=\"%s\", qop=auth, "
				  "nc=%s, cnonce=\"%s\"",
				  ch->nonce, uri, resp, ch->opaque, ncs,
				  cnonce),
			 (int)len);
}

/* @method @path with a body of @type and the header line @auth (NULL:
 * none) on a connection of its own, as an attacker sends it. */
static void raw_write(const char *method, const char *path, const char *type,
		      const char *body, const char *auth, struct raw_result *r)
{
	char req[4096];
	int n = snprintf(req, sizeof(req),
			 "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
			 "Content-Type: %s\r\nContent-Length: %zu\r\n"
			 "%s%sConnection: close\r\n\r\n%s",
			 method, path, port, type, strlen(body),
			 auth ? auth : "", auth ? "\r\n" : "", body);

	ck_assert_int_lt(n, (int)sizeof(req));
	ck_assert_int_eq(raw_exchange(port, req, (size_t)n,
				      (int)(RAW_WAIT_MS * scale), r),
			 0);
	ck_assert_msg(r->body_at > 0, "%s %s: no answer:\n%s", method, path,
		      r->data);
	assert_secure_headers(r->data, path);
}

/* A fresh challenge, as any client without credentials gets it. */
static void fresh_challenge(struct digest *ch)
{
	struct raw_result r;

	raw_write("PUT", "/api/v1/mode", JSON, "{\"mode\": \"off\"}", NULL,
		  &r);
	ck_assert_msg(r.status == 401, "no login: %d\n%s", r.status, r.data);
	challenge_in(r.data, ch);
	raw_free(&r);
}

/* A raw request that must be refused with @status, changing nothing. */
static void raw_write_refused(int status, const char *method,
			      const char *path, const char *type,
			      const char *body, const char *auth,
			      struct raw_result *r)
{
	uint64_t version = thermo_version(rec);
	json_error_t je;
	json_t *j;

	raw_write(method, path, type, body, auth, r);
	ck_assert_msg(r->status == status, "%s %s [%s]: %d, not %d:\n%s",
		      method, path, body, r->status, status, r->data);
	ck_assert_msg(thermo_version(rec) == version,
		      "%s %s [%s] changed the record", method, path, body);
	/* The project's answer: a JSON error, as every refusal has. */
	j = json_loads(r->data + r->body_at, 0, &je);
	ck_assert_msg(json_is_string(json_object_get(j, "error")),
		      "%s %s: not a JSON error:\n%s", method, path, r->data);
	json_decref(j);
}

/* PUT @path @body as alice through @cl (a handle kept between requests,
 * as a script keeps it), from @source (NULL: 127.0.0.1). */
static long client_put(struct http_client *cl, const char *source,
		       const char *password, const char *path,
		       const char *body, struct http_resp *rs)
{
	const char *hdrs[] = { "Content-Type: " JSON, NULL };
	struct http_req rq = { .method = "PUT", .path = path,
			       .headers = hdrs, .body = body,
			       .body_len = (size_t)-1, .user = "alice",
			       .password = password, .source = source };

	http_client_do(cl, port, &rq, rs);
	assert_response(rs, path);
	return rs->status;
}

static long put_setpoint(struct http_client *cl, int setpoint,
			 struct http_resp *rs)
{
	char body[64];

	snprintf(body, sizeof(body), "{\"setpoint\": %d}", setpoint);
	return client_put(cl, NULL, "s3cret", "/api/v1/setpoint", body, rs);
}

/* The last request block libcurl sent, as it went on the wire (without
 * the body), into @buf. */
static void last_request(const char *sent, char *buf, size_t len)
{
	const char *last = sent, *p;

	for (p = sent; (p = strstr(p, "\r\n\r\n")) != NULL && p[4]; p += 4)
		last = p + 4;
	ck_assert_msg(strlen(last) < len, "request too long:\n%s", last);
	snprintf(buf, len, "%s", last);
}

/* The Authorization line of the last request libcurl sent. */
static void sent_authorization(const char *sent, char *buf, size_t len)
{
	char req[4096], v[1024];

	last_request(sent, req, sizeof(req));
	ck_assert_msg(http_header_in(req, "Authorization", v, sizeof(v)),
		      "no Authorization in\n%s", req);
	ck_assert_int_lt(snprintf(buf, len, "Authorization: %s", v),
			 (int)len);
}

/* How many 401 answers the exchange saw, and how many of them said
 * stale=true. */
static int count_401(const char *received, int *stale)
{
	int n = 0;

	*stale = 0;
	for (const char *p = received; (p = strstr(p, "HTTP/1.1 401")); p++) {
		const char *end = strstr(p, "\r\n\r\n");
		char block[2048];
		struct digest ch;

		n++;
		ck_assert_ptr_nonnull(end);
		snprintf(block, sizeof(block), "%.*s", (int)(end - p), p);
		challenge_in(block, &ch);
		*stale += ch.stale;
	}
	return n;
}

/* The daemon's own challenge: a new nonce of 128 random bits each time,
 * qop=auth, MD5 said outright, an opaque, not stale; answered the
 * project's way (security headers, a JSON error). */
START_TEST(the_challenge_is_fresh_and_complete)
{
	struct digest a, b;
	struct raw_result r;

	serve(with_login);
	raw_write_refused(401, "PUT", "/api/v1/mode", JSON,
			  "{\"mode\": \"off\"}", NULL, &r);
	challenge_in(r.data, &a);
	raw_free(&r);
	fresh_challenge(&b);
	ck_assert_str_eq(a.realm, "thermostat");
	ck_assert_str_eq(a.qop, "auth");
	ck_assert_str_eq(a.algorithm, "MD5");
	ck_assert_msg(strlen(a.nonce) == 32 &&
			      strspn(a.nonce, "0123456789abcdef") == 32,
		      "nonce \"%s\" is not 128 bits in hex", a.nonce);
	ck_assert_msg(a.opaque[0], "no opaque");
	ck_assert(!a.stale);
	ck_assert_str_ne(a.nonce, b.nonce);
}
END_TEST

/* Honest clients: curl keeps writing on one connection, with one login
 * (its request count growing), and fresh clients log in each time. */
START_TEST(curl_writes_again_and_again)
{
	struct http_client *cl = http_client_new();
	struct http_resp rs;
	int stale;

	ck_assert_ptr_nonnull(cl);
	serve(with_login);
	for (int i = 0; i < 6; i++) {
		ck_assert_int_eq(put_setpoint(cl, 20 + i, &rs), 200);
		ck_assert(thermo_get_setpoint(rec) == 20 + i);
		if (i > 0) {
			ck_assert_msg(rs.connects == 0,
				      "write %d: a new connection", i);
			ck_assert_msg(count_401(rs.received, &stale) == 0,
				      "write %d was challenged again:\n%s", i,
				      rs.received);
		}
		http_free(&rs);
	}
	ck_assert_int_eq(client_put(cl, NULL, "s3cret", "/api/v1/mode",
				    "{\"mode\": \"off\"}", &rs),
			 200);
	ck_assert_int_eq(thermo_get_mode(rec), MODE_OFF);
	http_free(&rs);
	http_client_free(cl);
	for (int i = 0; i < 3; i++) {
		cl = http_client_new();
		ck_assert_int_eq(put_setpoint(cl, 25 + i, &rs), 200);
		ck_assert(thermo_get_setpoint(rec) == 25 + i);
		ck_assert_int_eq(count_401(rs.received, &stale), 1);
		http_free(&rs);
		http_client_free(cl);
	}
}
END_TEST

/* A successful write, captured whole off the wire and sent again later:
 * refused, and the setpoint stays what its owner set since. */
START_TEST(a_captured_request_sent_again_is_refused)
{
	struct http_client *cl = http_client_new();
	char head[4096], replay[8192];
	const char *body = "{\"setpoint\": 25}";
	struct raw_result r;
	struct http_resp rs;

	serve(with_login);
	ck_assert_int_eq(put_setpoint(cl, 25, &rs), 200);
	last_request(rs.sent, head, sizeof(head));
	http_free(&rs);
	ck_assert_int_eq(put_setpoint(cl, 22, &rs), 200);
	http_free(&rs);
	ck_assert(thermo_get_setpoint(rec) == 22);
	/* Exactly as captured, but asking the server to close when done. */
	ck_assert_ptr_nonnull(strstr(head, "Authorization: Digest "));
	snprintf(replay, sizeof(replay), "%.*sConnection: close\r\n\r\n%s",
		 (int)(strlen(head) - 2), head, body);
	for (int i = 0; i < 2; i++) {
		uint64_t version = thermo_version(rec);

		ck_assert_int_eq(raw_exchange(port, replay, strlen(replay),
					      (int)(RAW_WAIT_MS * scale), &r),
				 0);
		ck_assert_msg(r.status == 401, "replay: %d\n%s", r.status,
			      r.data);
		ck_assert(thermo_version(rec) == version);
		ck_assert(thermo_get_setpoint(rec) == 22);
		raw_free(&r);
	}
	/* Its owner goes on writing. */
	ck_assert_int_eq(put_setpoint(cl, 23, &rs), 200);
	ck_assert(thermo_get_setpoint(rec) == 23);
	http_free(&rs);
	http_client_free(cl);
}
END_TEST

/* The Authorization header of a successful write, on another body, route
 * or method: refused, nothing changes. */
START_TEST(a_captured_header_on_another_request_is_refused)
{
	struct http_client *cl = http_client_new();
	char auth[1024];
	struct raw_result r;
	struct http_resp rs;

	serve(with_login);
	ck_assert_int_eq(put_setpoint(cl, 25, &rs), 200);
	sent_authorization(rs.sent, auth, sizeof(auth));
	http_free(&rs);
	/* Another body, same route: the login was used up. */
	raw_write_refused(401, "PUT", "/api/v1/setpoint", JSON,
			  "{\"setpoint\": 30}", auth, &r);
	raw_free(&r);
	/* Another route: the digest names /api/v1/setpoint. */
	raw_write_refused(400, "PUT", "/api/v1/mode", JSON,
			  "{\"mode\": \"off\"}", auth, &r);
	raw_free(&r);
	raw_write_refused(400, "POST", "/set_thermostat",
			  "application/x-www-form-urlencoded",
			  "thermostat_setting=86", auth, &r);
	raw_free(&r);
	ck_assert(thermo_get_setpoint(rec) == 25);
	ck_assert_int_eq(thermo_get_mode(rec), MODE_HEAT);
	http_client_free(cl);
}
END_TEST

/* RFC 7616 3.4.6: the digest's uri must be the request's own target, as
 * sent (path and query).  The same digests for the right uri pass, so it
 * was the uri that was refused. */
START_TEST(a_digest_for_another_uri_is_refused)
{
	struct digest ch;
	char auth[1024];
	struct raw_result r;

	serve(with_login);
	fresh_challenge(&ch);
	digest_for(auth, sizeof(auth), "s3cret", "PUT", "/some/other/path",
		   &ch, 1);
	raw_write_refused(400, "PUT", "/api/v1/mode", JSON,
			  "{\"mode\": \"off\"}", auth, &r);
	raw_free(&r);
	digest_for(auth, sizeof(auth), "s3cret", "PUT", "/api/v1/mode?x=1",
		   &ch, 2);
	raw_write_refused(400, "PUT", "/api/v1/mode", JSON,
			  "{\"mode\": \"off\"}", auth, &r);
	raw_free(&r);
	digest_for(auth, sizeof(auth), "s3cret", "PUT", "/api/v1/mode",
		   &ch, 3);
	raw_write_refused(400, "PUT", "/api/v1/mode?x=1", JSON,
			  "{\"mode\": \"off\"}", auth, &r);
	raw_free(&r);
	ck_assert_int_eq(thermo_get_mode(rec), MODE_HEAT);

	digest_for(auth, sizeof(auth), "s3cret", "PUT", "/api/v1/mode?x=1",
		   &ch, 4);
	raw_write("PUT", "/api/v1/mode?x=1", JSON, "{\"mode\": \"off\"}", auth,
		  &r);
	ck_assert_msg(r.status == 200, "%d\n%s", r.status, r.data);
	ck_assert_int_eq(thermo_get_mode(rec), MODE_OFF);
	raw_free(&r);
	digest_for(auth, sizeof(auth), "s3cret", "PUT", "/api/v1/mode", &ch,
		   5);
	raw_write("PUT", "/api/v1/mode", JSON, "{\"mode\": \"heat\"}", auth,
		  &r);
	ck_assert_msg(r.status == 200, "%d\n%s", r.status, r.data);
	ck_assert_int_eq(thermo_get_mode(rec), MODE_HEAT);
	raw_free(&r);
}
END_TEST

/* One nonce, request counts 2, 2, 1, 3: the first and the last pass. */
START_TEST(the_request_count_must_grow)
{
	struct digest ch, again;
	char auth[1024];
	struct raw_result r;

	serve(with_login);
	fresh_challenge(&ch);
	digest_for(auth, sizeof(auth), "s3cret", "PUT", "/api/v1/setpoint",
		   &ch, 2);
	raw_write("PUT", "/api/v1/setpoint", JSON, "{\"setpoint\": 22}", auth,
		  &r);
	ck_assert_msg(r.status == 200, "%d\n%s", r.status, r.data);
	ck_assert(thermo_get_setpoint(rec) == 22);
	raw_free(&r);
	/* Count 2 again (another cnonce, a valid digest), then 1. */
	digest_for(auth, sizeof(auth), "s3cret", "PUT", "/api/v1/setpoint",
		   &ch, 2);
	raw_write_refused(401, "PUT", "/api/v1/setpoint", JSON,
			  "{\"setpoint\": 23}", auth, &r);
	/* The right password: a fresh nonce, stale, for a silent retry. */
	challenge_in(r.data, &again);
	ck_assert(again.stale);
	ck_assert_str_ne(again.nonce, ch.nonce);
	raw_free(&r);
	digest_for(auth, sizeof(auth), "s3cret", "PUT", "/api/v1/setpoint",
		   &ch, 1);
	raw_write_refused(401, "PUT", "/api/v1/setpoint", JSON,
			  "{\"setpoint\": 24}", auth, &r);
	raw_free(&r);
	digest_for(auth, sizeof(auth), "s3cret", "PUT", "/api/v1/setpoint",
		   &ch, 3);
	raw_write("PUT", "/api/v1/setpoint", JSON, "{\"setpoint\": 25}", auth,
		  &r);
	ck_assert_msg(r.status == 200, "%d\n%s", r.status, r.data);
	ck_assert(thermo_get_setpoint(rec) == 25);
	raw_free(&r);
}
END_TEST

static void with_short_nonces(struct thermo_settings *c)
{
	with_login(c);
	c->auth_nonce_lifetime = 1;
}

/* A nonce lives auth_nonce_lifetime (1 s here).  Then even its owner's
 * next request count is refused, stale=true with a fresh nonce when the
 * password was right (and only then); curl retries by itself. */
START_TEST(an_expired_nonce_is_stale_and_curl_retries)
{
	struct http_client *cl = http_client_new();
	struct digest used, ch;
	char auth[1024];
	struct raw_result r;
	struct http_resp rs;
	int stale;

	serve(with_short_nonces);
	ck_assert_int_eq(put_setpoint(cl, 22, &rs), 200);
	sent_authorization(rs.sent, auth, sizeof(auth));
	parse_digest(strchr(auth, ' ') + 1, &used);
	http_free(&rs);
	/* The nonce was made before that answer came: after the lifetime
	 * from now, it has expired, however slow the machine. */
	usleep((useconds_t)(cfg.auth_nonce_lifetime * 1e6));

	digest_for(auth, sizeof(auth), "wrong", "PUT", "/api/v1/setpoint",
		   &used, 2);
	raw_write_refused(401, "PUT", "/api/v1/setpoint", JSON,
			  "{\"setpoint\": 30}", auth, &r);
	challenge_in(r.data, &ch);
	ck_assert_msg(!ch.stale, "stale=true for a wrong password");
	raw_free(&r);
	digest_for(auth, sizeof(auth), "s3cret", "PUT", "/api/v1/setpoint",
		   &used, 3);
	raw_write_refused(401, "PUT", "/api/v1/setpoint", JSON,
			  "{\"setpoint\": 30}", auth, &r);
	challenge_in(r.data, &ch);
	ck_assert_msg(ch.stale, "an expired nonce is not stale:\n%s", r.data);
	ck_assert_str_ne(ch.nonce, used.nonce);
	raw_free(&r);
	ck_assert(thermo_get_setpoint(rec) == 22);

	/* curl sends its old nonce, is told it is stale, and retries with
	 * the fresh one, without giving up (as it does on a plain 401). */
	ck_assert_int_eq(put_setpoint(cl, 23, &rs), 200);
	ck_assert(thermo_get_setpoint(rec) == 23);
	ck_assert_int_eq(count_401(rs.received, &stale), 1);
	ck_assert_int_eq(stale, 1);
	http_free(&rs);
	http_client_free(cl);
}
END_TEST

static void with_short_window(struct thermo_settings *c)
{
	with_login(c);
	c->auth_failure_window = 2 * scale;
}

/* The default auth_max_failures wrong passwords from 127.0.0.1 within
 * auth_failure_window (2 s here): 429 with Retry-After there, the right
 * password included, credentials unchecked; reads and another address
 * (127.0.0.2) are served; once the window has passed, the right password
 * is let in.  Requests without credentials and stale nonces are no
 * failures. */
START_TEST(failed_logins_make_the_address_wait)
{
	struct http_client *cl;
	struct digest ch;
	char auth[1024], retry[16];
	struct raw_result r;
	struct http_resp rs;
	int wait_s;

	serve(with_short_window);
	ck_assert_int_eq(cfg.auth_max_failures, 5);
	/* No failures: no credentials, a stale nonce (a right digest on
	 * a nonce the daemon never made). */
	for (int i = 0; i < 2 * cfg.auth_max_failures; i++) {
		raw_write_refused(401, "PUT", "/api/v1/setpoint", JSON,
				  "{\"setpoint\": 30}", NULL, &r);
		raw_free(&r);
		snprintf(ch.nonce, sizeof(ch.nonce), "%032x", i);
		snprintf(ch.opaque, sizeof(ch.opaque), "x");
		digest_for(auth, sizeof(auth), "s3cret", "PUT",
			   "/api/v1/setpoint", &ch, 1);
		raw_write_refused(401, "PUT", "/api/v1/setpoint", JSON,
				  "{\"setpoint\": 30}", auth, &r);
		raw_free(&r);
	}
	/* Failures: wrong passwords. */
	for (int i = 0; i < cfg.auth_max_failures; i++) {
		cl = http_client_new();
		ck_assert_int_eq(client_put(cl, NULL,
					    i % 2 ? "wrong" : "s3cret!",
					    "/api/v1/setpoint",
					    "{\"setpoint\": 30}", &rs),
				 401);
		http_free(&rs);
		http_client_free(cl);
	}
	/* Now even the right password waits. */
	cl = http_client_new();
	ck_assert_int_eq(put_setpoint(cl, 25, &rs), 429);
	assert_json_error(&rs, "429");
	ck_assert(http_header(&rs, "Retry-After", retry, sizeof(retry)));
	wait_s = atoi(retry);
	ck_assert_msg(wait_s >= 1 && wait_s <= cfg.auth_failure_window,
		      "Retry-After: %s", retry);
	ck_assert(thermo_get_setpoint(rec) == 21);
	http_free(&rs);
	http_client_free(cl);
	raw_write_refused(429, "PUT", "/api/v1/setpoint", JSON,
			  "{\"setpoint\": 25}", NULL, &r);
	raw_free(&r);
	/* Reads need no login. */
	ck_assert_int_eq(get(&rs, "/api/v1/state"), 200);
	http_free(&rs);
	/* Another address logs in. */
	cl = http_client_new();
	ck_assert_int_eq(client_put(cl, "127.0.0.2", "s3cret",
				    "/api/v1/setpoint", "{\"setpoint\": 24}",
				    &rs),
			 200);
	ck_assert(thermo_get_setpoint(rec) == 24);
	http_free(&rs);
	http_client_free(cl);
	/* After the wait, 127.0.0.1 too. */
	usleep((useconds_t)wait_s * 1000000);
	cl = http_client_new();
	ck_assert_int_eq(put_setpoint(cl, 25, &rs), 200);
	ck_assert(thermo_get_setpoint(rec) == 25);
	http_free(&rs);
	http_client_free(cl);
}
END_TEST

/* A failed login is logged with the client's address, and nothing of
 * what it sent: not the user, not the digest. */
START_TEST(failed_logins_are_logged_without_credentials)
{
	struct http_client *cl = http_client_new();
	char path[512], log[8192] = "";
	struct http_resp rs;
	int saved = dup(2), fd;
	FILE *f;
	size_t n;

	serve(with_login);
	snprintf(path, sizeof(path), "%s/log.%d", test_root(), (int)getpid());
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	ck_assert_int_ge(fd, 0);
	ck_assert_int_ge(saved, 0);
	log_set_level(LOG_LEVEL_WARNING);
	dup2(fd, 2);
	client_put(cl, "127.0.0.2", "Pa55word-typo", "/api/v1/setpoint",
		   "{\"setpoint\": 30}", &rs);
	dup2(saved, 2);
	log_set_level(LOG_LEVEL_ERROR);
	close(saved);
	close(fd);
	ck_assert_int_eq(rs.status, 401);
	http_free(&rs);
	http_client_free(cl);
	f = fopen(path, "r");
	ck_assert_ptr_nonnull(f);
	n = fread(log, 1, sizeof(log) - 1, f);
	log[n] = '\0';
	fclose(f);
	ck_assert_msg(strstr(log, "failed login from 127.0.0.2") != NULL,
		      "log:\n%s", log);
	ck_assert_msg(strstr(log, "alice") == NULL &&
			      strstr(log, "Pa55word") == NULL &&
			      strstr(log, "response") == NULL &&
			      strstr(log, "Digest") == NULL,
		      "the log shows the credentials:\n%s", log);
}
END_TEST

Suite *suite_web_auth(void)
{
	Suite *s = suite_create("web-auth");
	TCase *tc = web_tcase(s, "auth");
	TCase *replay = web_tcase(s, "replay");

	tcase_add_test(tc, writes_need_digest_auth);
	tcase_add_test(tc, missing_password_file_lets_nobody_write);
	tcase_add_test(tc, auth_reads_protects_reads);
	tcase_add_test(replay, the_challenge_is_fresh_and_complete);
	tcase_add_test(replay, curl_writes_again_and_again);
	tcase_add_test(replay, a_captured_request_sent_again_is_refused);
	tcase_add_test(replay, a_captured_header_on_another_request_is_refused);
	tcase_add_test(replay, a_digest_for_another_uri_is_refused);
	tcase_add_test(replay, the_request_count_must_grow);
	tcase_add_test(replay, an_expired_nonce_is_stale_and_curl_retries);
	tcase_add_test(replay, failed_logins_make_the_address_wait);
	tcase_add_test(replay, failed_logins_are_logged_without_credentials);
	return s;
}
