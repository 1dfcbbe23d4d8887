/* SPDX-License-Identifier: MIT */
/*
 * One handler receives every request and dispatches on the exact-path
 * route table (CivetWeb's own patterns are prefixes), so that framing,
 * methods, authentication, errors and counting are done once, the same
 * way for every route.  Notes on CivetWeb 1.15 behaviour that shaped this
 * file are marked "CivetWeb:".
 */
#include <config.h>
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "web/assets.h"
#include "web/guard.h"
#include "web/server.h"

const struct route web_routes[ROUTE_COUNT] = {
#define X(id, path_, method_, write_, compat_, fn_)                          \
	[ROUTE_##id] = { .path = path_, .method = method_, .write = write_, \
			 .compat = compat_, .fn = fn_ },
	WEB_ROUTES(X)
#undef X
	[ROUTE_ASSET] = { .path = "asset", .method = "GET", .fn = route_asset },
	[ROUTE_OTHER] = { .path = "other", .method = "any" },
};

static bool method_allowed(const struct route *rt, const char *method,
			   bool head)
{
	return strcmp(method, rt->method) == 0 ||
	       (head && strcmp(rt->method, "GET") == 0);
}

/* The route of @path and @method: ROUTE_ASSET for a file of the page,
 * ROUTE_OTHER for none; a path served with other methods only gives its
 * first route (405). */
static enum route_id find_route(const struct web *w, const char *path,
				const char *method, bool head)
{
	int first = -1;

	for (int i = 0; i < ROUTE_ASSET; i++) {
		if (strcmp(web_routes[i].path, path) != 0)
			continue;
		if (web_routes[i].compat && !w->cfg->compat_routes)
			return ROUTE_OTHER;
		if (method_allowed(&web_routes[i], method, head))
			return (enum route_id)i;
		if (first < 0)
			first = i;
	}
	if (first >= 0)
		return (enum route_id)first;
	return asset_find(path) ? ROUTE_ASSET : ROUTE_OTHER;
}

/* The Allow header of route @id: every method its path is served with
 * (a file of the page: GET). */
static void allow_header(enum route_id id, char *buf, size_t len)
{
	const char *path = web_routes[id].path;
	size_t off = (size_t)snprintf(buf, len, "Allow:");

	if (id == ROUTE_ASSET) {
		snprintf(buf, len, "Allow: GET, HEAD\r\n");
		return;
	}

	for (int i = 0; i < ROUTE_ASSET && off < len; i++)
		if (strcmp(web_routes[i].path, path) == 0)
			off += (size_t)snprintf(
				buf + off, len - off, "%s %s%s",
				off > strlen("Allow:") ? "," : "",
				web_routes[i].method,
				strcmp(web_routes[i].method, "GET") == 0
					? ", HEAD"
					: "");
	if (off < len)
		snprintf(buf + off, len - off, "\r\n");
}

/* RFC 9112 6.3: a request whose body length is in doubt is refused, as a
 * proxy in front may have framed it otherwise (request smuggling).
 * CivetWeb takes the first Content-Length, reads "16abc" as 16, lets
 * Transfer-Encoding win over Content-Length and looks only at the first
 * Transfer-Encoding header, all silently.  So: one Transfer-Encoding at
 * most, exactly "chunked", and never beside a Content-Length. */
static bool framing_ambiguous(const struct mg_request_info *ri)
{
	const char *cl = NULL;
	int te = 0;

	for (int i = 0; i < ri->num_headers; i++) {
		const char *name = ri->http_headers[i].name;
		const char *value = ri->http_headers[i].value;

		if (strcasecmp(name, "Transfer-Encoding") == 0 &&
		    (++te > 1 || strcasecmp(value, "chunked") != 0))
			return true;
		if (strcasecmp(name, "Content-Length") != 0)
			continue;
		if (!*value || value[strspn(value, "0123456789")] != '\0')
			return true;
		if (cl && strcmp(cl, value) != 0)
			return true;
		cl = value;
	}
	return te && cl;
}

/* A write route, or any method but GET and HEAD (none reaches a route
 * today; said here so that one added later is guarded too). */
static bool changes_state(const struct route *rt, const char *method)
{
	return rt->write || (strcmp(method, "GET") != 0 &&
			     strcmp(method, "HEAD") != 0);
}

static bool authorized(struct req *q, const struct route *rt)
{
	const struct thermo_settings *cfg = q->w->cfg;

	if (!cfg->password_file[0] || (!rt->write && !cfg->auth_reads))
		return true;
	/* CivetWeb: mg_check_digest_access_authentication accepts a
	 * captured request again (auth.h): the daemon checks logins
	 * itself. */
	return auth_request(q->w->auth, q);
}

int web_dispatch(struct mg_connection *c, void *ud)
{
	struct web *w = ud;
	struct req q = { .w = w, .c = c, .ri = mg_get_request_info(c),
			 .route = ROUTE_OTHER, .status = 500, .saved = -1 };
	const struct route *rt;
	const char *host;
	char why[160];

	/* RFC 9110 9.3.2: no content in any answer to HEAD, errors too. */
	q.head = strcmp(q.ri->request_method, "HEAD") == 0;

	/* decode_url is off: the path arrives as sent.  Our paths hold no
	 * escapes, so one with '%' matches nothing; an encoded NUL (which
	 * CivetWeb would otherwise decode and silently truncate at) is
	 * refused outright. */
	if (!q.ri->local_uri || strstr(q.ri->local_uri, "%00")) {
		respond_error(&q, 400, "bad path");
		goto out;
	}
	/* Before anything else: a request under a name that is not ours
	 * (DNS rebinding) is answered nothing, not even a 404. */
	host = mg_get_header(c, "Host");
	if (!host && strcmp(q.ri->http_version, "1.0") != 0) {
		/* RFC 9112 3.2: HTTP/1.1 requires it.  An HTTP/1.0 client
		 * without one is no browser, nor was it sent to a name. */
		respond_error(&q, 400, "no Host header");
		goto out;
	}
	if (host && guard_host(w->cfg, host, why, sizeof(why)) != 0) {
		respond_error(&q, 421, "%s", why);
		goto out;
	}
	if (framing_ambiguous(q.ri)) {
		respond_error(&q, 400, "ambiguous message length");
		goto out;
	}
	q.route = find_route(w, q.ri->local_uri, q.ri->request_method, q.head);
	if (q.route == ROUTE_OTHER) {
		respond_error(&q, 404, "not found");
		goto out;
	}
	rt = &web_routes[q.route];
	if (!method_allowed(rt, q.ri->request_method, q.head)) {
		char allow[64];

		allow_header(q.route, allow, sizeof(allow));
		mg_disable_connection_keep_alive(c);
		respond_json_extra(&q, 405, api_error_json("method not allowed"),
				   allow);
		goto out;
	}
	if (changes_state(rt, q.ri->request_method) &&
	    guard_origin(&(struct guard_headers){
				 .host = host,
				 .origin = mg_get_header(c, "Origin"),
				 .referer = mg_get_header(c, "Referer"),
				 .sec_fetch_site =
					 mg_get_header(c, "Sec-Fetch-Site"),
			 },
			 why, sizeof(why)) != 0) {
		respond_error(&q, 403, "%s", why);
		goto out;
	}
	if (!authorized(&q, rt))
		goto out;
	rt->fn(&q);
out:
	web_count(w, q.route, q.status);
	/* Any non-zero return means "handled"; CivetWeb logs it as the
	 * status. */
	return q.status;
}
