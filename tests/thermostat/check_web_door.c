/* SPDX-License-Identifier: MIT */
/*
 * The front door (check-web, web_fixture.h): what a web page the owner
 * opens can make the browser send, and what it gets.  A foreign Host
 * (DNS rebinding: the attacker's name resolved to our address) is 421 on
 * reads and writes; a change of state from another origin (CSRF: a form
 * or fetch on the attacker's page) is 403, by Origin, by Referer alone,
 * or by Sec-Fetch-Site; no CORS grant, preflights refused.  Clients that
 * send none of these headers (curl, scripts) keep working.  Bodies are
 * strict: NUL bytes, trailing data, duplicate keys and bad UTF-8 are 400.
 * Every refusal changes nothing.
 */
#include <config.h>
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <check.h>
#include <ifaddrs.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "http.h"
#include "web_fixture.h"

#define JSON "application/json"
#define FORM "application/x-www-form-urlencoded"

/* @method @path with the extra header lines @hdrs (NULL-terminated) and
 * a body of @type; the status, after the checks every answer gets. */
static long send_with(struct http_resp *rs, const char *const *hdrs,
		      const char *method, const char *path, const char *type,
		      const char *body, size_t n)
{
	const char *all[12];
	char ct[128], what[300];
	size_t k = 0;
	struct http_req rq = { .method = method, .path = path, .headers = all,
			       .body = body, .body_len = n };

	snprintf(ct, sizeof(ct), "Content-Type: %s", type ? type : "");
	if (type)
		all[k++] = ct;
	for (; hdrs && *hdrs && k < 11; hdrs++)
		all[k++] = *hdrs;
	all[k] = NULL;
	http_do(port, &rq, rs);
	snprintf(what, sizeof(what), "%s %s [%s]", method, path,
		 hdrs && hdrs[0] ? hdrs[0] : "");
	assert_response(rs, what);
	return rs->status;
}

/* Must be refused with @status and a JSON error, the record unchanged. */
static void refused_with(long status, const char *const *hdrs,
			 const char *method, const char *path,
			 const char *type, const char *body, size_t n)
{
	uint64_t version = thermo_version(rec);
	struct http_resp rs;

	send_with(&rs, hdrs, method, path, type, body, n);
	ck_assert_msg(rs.status == status, "%s %s [%s]: %ld, not %ld: %s",
		      method, path, hdrs && hdrs[0] ? hdrs[0] : "", rs.status,
		      status, rs.body);
	if (strcmp(method, "HEAD") != 0)
		assert_json_error(&rs, path);
	ck_assert_msg(thermo_version(rec) == version,
		      "%s %s [%s]: the record changed", method, path,
		      hdrs && hdrs[0] ? hdrs[0] : "");
	http_free(&rs);
}

/* Must be answered 200. */
static void served_with(const char *const *hdrs, const char *method,
			const char *path, const char *type, const char *body)
{
	struct http_resp rs;

	send_with(&rs, hdrs, method, path, type, body, (size_t)-1);
	ck_assert_msg(rs.status == 200, "%s %s [%s]: %ld: %s", method, path,
		      hdrs && hdrs[0] ? hdrs[0] : "", rs.status, rs.body);
	http_free(&rs);
}

#define H(...) ((const char *const[]){ __VA_ARGS__, NULL })

/* ---- Host: DNS rebinding ---------------------------------------------- */

static const char *const foreign_hosts[] = {
	"evil.example:8080", "attacker.example", "evil.example",
	"192.0.2.1", "192.0.2.1:8080", "[2001:db8::1]:8080",
	"localhost.evil.example", "127.0.0.1.evil.example",
	"thermostat.lan", /* not in server_names by default */
	"a b", "127.0.0.1:80x", "[::1",
};

START_TEST(foreign_host_is_421_on_reads_and_writes)
{
	static const char *const reads[] = {
		"/", "/api/v1/state", "/api/v1/history", "/metrics",
		"/healthz", "/get_thermostat", "/api/v1/events", "/nowhere",
	};
	char host[128];

	serve(NULL);
	for (size_t i = 0; i < sizeof(foreign_hosts) / sizeof(*foreign_hosts);
	     i++) {
		const char *const hdrs[] = { host, NULL };

		snprintf(host, sizeof(host), "Host: %s", foreign_hosts[i]);
		refused_with(421, hdrs, "PUT", "/api/v1/mode", JSON,
			     "{\"mode\": \"off\"}", (size_t)-1);
		refused_with(421, hdrs, "PUT", "/api/v1/setpoint", JSON,
			     "{\"setpoint\": 25}", (size_t)-1);
		refused_with(421, hdrs, "POST", "/set_thermostat", FORM,
			     "thermostat_setting=86", (size_t)-1);
		for (size_t r = 0; r < sizeof(reads) / sizeof(*reads); r++)
			refused_with(421, hdrs, "GET", reads[r], NULL, NULL,
				     0);
	}
}
END_TEST

START_TEST(own_names_are_served)
{
	static const char *const ours[] = {
		"localhost", "localhost:8080", "LocalHost.", "127.0.0.1",
		"127.0.0.1:1234", "127.1.2.3", "[::1]", "[::1]:8080",
	};
	char host[128];

	serve(NULL);
	for (size_t i = 0; i < sizeof(ours) / sizeof(*ours); i++) {
		snprintf(host, sizeof(host), "Host: %s", ours[i]);
		served_with(H(host), "GET", "/api/v1/state", NULL, NULL);
		served_with(H(host), "PUT", "/api/v1/setpoint", JSON,
			    "{\"setpoint\": 22}");
	}
	ck_assert(thermo_get_setpoint(rec) == 22);
}
END_TEST

static void lan_names(struct thermo_settings *c)
{
	snprintf(c->server_names, sizeof(c->server_names), "%s",
		 "thermostat.lan, Pi.Local 192.0.2.7,2001:db8::7");
}

START_TEST(server_names_are_served)
{
	static const char *const ours[] = {
		"thermostat.lan", "thermostat.lan:8080", "THERMOSTAT.LAN.",
		"pi.local", "192.0.2.7:80", "[2001:db8::7]", "[2001:DB8:0::7]",
		"localhost",
	};
	char host[128];

	serve(lan_names);
	for (size_t i = 0; i < sizeof(ours) / sizeof(*ours); i++) {
		snprintf(host, sizeof(host), "Host: %s", ours[i]);
		served_with(H(host), "GET", "/api/v1/state", NULL, NULL);
	}
	/* Others still are not: a subdomain, another address. */
	refused_with(421, H("Host: evil.thermostat.lan"), "GET",
		     "/api/v1/state", NULL, NULL, 0);
	refused_with(421, H("Host: 192.0.2.8"), "PUT", "/api/v1/mode", JSON,
		     "{\"mode\": \"off\"}", (size_t)-1);
}
END_TEST

/* An address of this machine's interfaces other than loopback, if it has
 * one. */
static bool machine_address(char *buf, size_t len)
{
	struct ifaddrs *list, *i;
	bool found = false;

	if (getifaddrs(&list) != 0)
		return false;
	for (i = list; i && !found; i = i->ifa_next) {
		const struct sockaddr_in *sa =
			(const struct sockaddr_in *)(const void *)i->ifa_addr;

		if (!sa || sa->sin_family != AF_INET ||
		    (ntohl(sa->sin_addr.s_addr) >> 24) == 127)
			continue;
		found = inet_ntop(AF_INET, &sa->sin_addr, buf,
				  (socklen_t)len) != NULL;
	}
	freeifaddrs(list);
	return found;
}

static void all_addresses(struct thermo_settings *c)
{
	snprintf(c->listen, sizeof(c->listen), "0.0.0.0:0");
}

/* Listening on every address, the machine's own addresses are its names;
 * others still are not. */
START_TEST(wildcard_listen_serves_the_machine_addresses)
{
	char addr[64], host[128];

	serve(all_addresses);
	refused_with(421, H("Host: 192.0.2.1"), "GET", "/api/v1/state", NULL,
		     NULL, 0);
	refused_with(421, H("Host: evil.example"), "GET", "/api/v1/state",
		     NULL, NULL, 0);
	if (!machine_address(addr, sizeof(addr))) {
		fprintf(stderr, "wildcard listen: this machine has no "
				"non-loopback IPv4 address; that case not run\n");
		return;
	}
	snprintf(host, sizeof(host), "Host: %s:8080", addr);
	served_with(H(host), "GET", "/api/v1/state", NULL, NULL);
}
END_TEST

START_TEST(missing_host)
{
	static const char no_host[] = "GET /api/v1/state HTTP/1.1\r\n\r\n";

	serve(NULL);
	/* HTTP/1.1 requires one (RFC 9112 3.2); HTTP/1.0 did not. */
	raw_refused(400, no_host, strlen(no_host), "HTTP/1.1 without Host");
	{
		struct raw_result r;
		const char *req = "GET /api/v1/state HTTP/1.0\r\n\r\n";

		ck_assert_int_eq(raw_exchange(port, req, strlen(req),
					      (int)(RAW_WAIT_MS * scale), &r),
				 0);
		ck_assert_msg(r.status == 200, "HTTP/1.0 without Host: %d",
			      r.status);
		raw_free(&r);
	}
}
END_TEST

/* ---- cross-site writes ------------------------------------------------ */

/* Every write a page elsewhere could make the browser send. */
static void every_write_refused(long status, const char *const *hdrs)
{
	refused_with(status, hdrs, "PUT", "/api/v1/setpoint", JSON,
		     "{\"setpoint\": 25}", (size_t)-1);
	refused_with(status, hdrs, "PUT", "/api/v1/mode", JSON,
		     "{\"mode\": \"off\"}", (size_t)-1);
	refused_with(status, hdrs, "POST", "/set_thermostat", FORM,
		     "thermostat_setting=86", (size_t)-1);
}

START_TEST(cross_origin_writes_are_403)
{
	char own[80], other_port[80];

	serve(NULL);
	snprintf(own, sizeof(own), "Origin: http://127.0.0.1:%d", port);
	snprintf(other_port, sizeof(other_port), "Origin: http://127.0.0.1:%d",
		 port == 1 ? 2 : port - 1);
	every_write_refused(403, H("Origin: http://evil.example"));
	every_write_refused(403, H("Origin: null"));
	every_write_refused(403, H(other_port));
	every_write_refused(403, H("Origin: https://127.0.0.1"));
	every_write_refused(403, H("Origin: ftp://127.0.0.1"));
	/* Referer alone (a page that withholds its Origin cannot: browsers
	 * send it on cross-origin writes; older ones sent a Referer). */
	every_write_refused(403, H("Referer: http://evil.example/attack.html"));
	every_write_refused(403, H("Referer: http://127.0.0.1.evil.example/"));
	/* Fetch metadata: another site, or another origin of this site. */
	every_write_refused(403, H("Sec-Fetch-Site: cross-site"));
	every_write_refused(403, H("Sec-Fetch-Site: same-site", own));
	/* The forgery of an attacker's form post, as Chromium sends it. */
	every_write_refused(403, H("Origin: http://evil.example",
				   "Referer: http://evil.example/",
				   "Sec-Fetch-Site: cross-site",
				   "Sec-Fetch-Mode: navigate"));
	ck_assert(thermo_get_setpoint(rec) == 21);
	ck_assert_int_eq(thermo_get_mode(rec), MODE_HEAT);
}
END_TEST

static void proxied_name(struct thermo_settings *c)
{
	snprintf(c->server_names, sizeof(c->server_names), "%s",
		 "thermostat.example.org");
}

START_TEST(same_origin_and_plain_clients_write)
{
	char own[80], referer[100], lh_host[80], lh_origin[80];

	serve(proxied_name);
	snprintf(own, sizeof(own), "Origin: http://127.0.0.1:%d", port);
	snprintf(referer, sizeof(referer), "Referer: http://127.0.0.1:%d/",
		 port);
	snprintf(lh_host, sizeof(lh_host), "Host: localhost:%d", port);
	snprintf(lh_origin, sizeof(lh_origin), "Origin: http://localhost:%d",
		 port);
	/* The page, as Chromium sends its fetch. */
	served_with(H(own, "Sec-Fetch-Site: same-origin"), "PUT",
		    "/api/v1/setpoint", JSON, "{\"setpoint\": 22}");
	ck_assert(thermo_get_setpoint(rec) == 22);
	served_with(H(lh_host, lh_origin), "PUT", "/api/v1/setpoint", JSON,
		    "{\"setpoint\": 23}");
	served_with(H(referer), "PUT", "/api/v1/setpoint", JSON,
		    "{\"setpoint\": 24}");
	/* A user's own navigation. */
	served_with(H("Sec-Fetch-Site: none"), "PUT", "/api/v1/mode", JSON,
		    "{\"mode\": \"off\"}");
	ck_assert_int_eq(thermo_get_mode(rec), MODE_OFF);
	/* Behind a TLS reverse proxy that passes the browser's Host on. */
	served_with(H("Host: thermostat.example.org",
		      "Origin: https://thermostat.example.org",
		      "Sec-Fetch-Site: same-origin"),
		    "PUT", "/api/v1/setpoint", JSON, "{\"setpoint\": 22.5}");
	ck_assert(thermo_get_setpoint(rec) == 22.5);
	refused_with(403, H("Host: thermostat.example.org",
			    "Origin: https://thermostat.example.org:8443"),
		     "PUT", "/api/v1/setpoint", JSON, "{\"setpoint\": 25}",
		     (size_t)-1);
	/* curl, the original's scripts: none of these headers. */
	served_with(NULL, "POST", "/set_thermostat", FORM,
		    "thermostat_setting=70");
	served_with(NULL, "PUT", "/api/v1/mode", JSON, "{\"mode\": \"heat\"}");
	ck_assert_int_eq(thermo_get_mode(rec), MODE_HEAT);
}
END_TEST

/* No CORS: a preflight is not granted, and no answer carries an
 * Access-Control-Allow-Origin, so a page elsewhere cannot read one. */
START_TEST(no_cors_grant)
{
	struct http_resp rs;
	char v[64];

	serve(NULL);
	send_with(&rs, H("Origin: http://evil.example",
			 "Access-Control-Request-Method: PUT",
			 "Access-Control-Request-Headers: content-type"),
		  "OPTIONS", "/api/v1/setpoint", NULL, NULL, 0);
	ck_assert_msg(rs.status >= 400, "preflight answered %ld", rs.status);
	ck_assert(!http_header(&rs, "Access-Control-Allow-Origin", v,
			       sizeof(v)));
	ck_assert(!http_header(&rs, "Access-Control-Allow-Methods", v,
			       sizeof(v)));
	http_free(&rs);
	send_with(&rs, H("Origin: http://evil.example"), "GET",
		  "/api/v1/state", NULL, NULL, 0);
	ck_assert_int_eq(rs.status, 200);
	ck_assert(!http_header(&rs, "Access-Control-Allow-Origin", v,
			       sizeof(v)));
	http_free(&rs);
}
END_TEST

/* ---- strict bodies ---------------------------------------------------- */

START_TEST(strict_bodies_are_400)
{
	static const struct {
		const char *body;
		size_t n;
	} bad[] = {
		{ "{\"setpoint\":21\0}", 16 },
		{ "{\"setpoint\":21}\0", 16 },
		{ "{\"setpoint\":21} x", 17 },
		{ "{\"setpoint\":21}{}", 17 },
		{ "{\"setpoint\":21}\n{\"setpoint\":25}", 31 },
		{ "{\"setpoint\":25,\"setpoint\":21}", 29 },
		{ "{\"setpoint\":25,\"unit\":\"C\",\"unit\":\"F\"}", 37 },
		{ "{\"setpoint\":21,\"unit\":\"\xff\"}", 27 },
		{ "{\"set\xc0\xafpoint\":21}", 18 },
	};

	serve(NULL);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		refused_with(400, NULL, "PUT", "/api/v1/setpoint", JSON,
			     bad[i].body, bad[i].n);
	refused_with(400, NULL, "PUT", "/api/v1/mode", JSON,
		     "{\"mode\":\"he\xfft\"}", 16);
	refused_with(400, NULL, "PUT", "/api/v1/mode", JSON,
		     "{\"mode\":\"off\"}\0", 15);
	refused_with(400, NULL, "POST", "/set_thermostat", FORM,
		     "thermostat_setting=70\0", 22);
	refused_with(400, NULL, "POST", "/set_thermostat", FORM,
		     "thermostat_setting=7\0000", 22);
}
END_TEST

Suite *suite_web_door(void)
{
	Suite *s = suite_create("web: the front door");
	TCase *tc = web_tcase(s, "door");

	tcase_add_test(tc, foreign_host_is_421_on_reads_and_writes);
	tcase_add_test(tc, own_names_are_served);
	tcase_add_test(tc, server_names_are_served);
	tcase_add_test(tc, wildcard_listen_serves_the_machine_addresses);
	tcase_add_test(tc, missing_host);
	tcase_add_test(tc, cross_origin_writes_are_403);
	tcase_add_test(tc, same_origin_and_plain_clients_write);
	tcase_add_test(tc, no_cors_grant);
	tcase_add_test(tc, strict_bodies_are_400);
	return s;
}
