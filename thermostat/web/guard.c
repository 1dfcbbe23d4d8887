/* SPDX-License-Identifier: MIT */
/*
 * Host names and origins (guard.h).  A page the owner opens can make the
 * browser send requests here: to our port under the attacker's own name
 * (a DNS name rebound to 127.0.0.1), or to our name from the attacker's
 * origin.  The first is refused by the name, the second by the origin.
 */
#include <config.h>
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

#include "conf/settings.h"
#include "util/errmsg.h"
#include "util/strconv.h"
#include "web/guard.h"

/* An address, parsed from text: its family and bytes. */
struct addr {
	int family;
	unsigned char b[16];
};

static bool parse_addr(const char *s, struct addr *a)
{
	a->family = AF_INET;
	if (inet_pton(AF_INET, s, a->b) == 1)
		return true;
	a->family = AF_INET6;
	return inet_pton(AF_INET6, s, a->b) == 1;
}

static bool addr_eq(const struct addr *a, int family, const void *b)
{
	return a->family == family &&
	       memcmp(a->b, b, family == AF_INET ? 4 : 16) == 0;
}

static bool is_loopback(const struct addr *a)
{
	return a->family == AF_INET ? a->b[0] == 127
				    : addr_eq(a, AF_INET6, &in6addr_loopback);
}

/* Whether @a is an address of one of the machine's interfaces (read each
 * time: a Pi's address comes and goes with DHCP). */
static bool is_ours(const struct addr *a)
{
	struct ifaddrs *list, *i;
	bool found = false;

	if (getifaddrs(&list) != 0)
		return false;
	for (i = list; i && !found; i = i->ifa_next) {
		const struct sockaddr *sa = i->ifa_addr;

		if (!sa || sa->sa_family != a->family)
			continue;
		found = sa->sa_family == AF_INET
				? addr_eq(a, AF_INET,
					  &((const struct sockaddr_in *)(const void *)sa)->sin_addr)
				: addr_eq(a, AF_INET6,
					  &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr);
	}
	freeifaddrs(list);
	return found;
}

/*
 * Splits a Host header (RFC 9110 7.2: uri-host [":" port]) into @name,
 * without the brackets of an IPv6 literal or a final dot, lower case.
 * -1 when it is not one.
 */
static int split_host(const char *host, char *name, size_t len)
{
	const char *end, *port;
	size_t n;

	if (host[0] == '[') {
		end = strchr(host, ']');
		if (!end)
			return -1;
		host++;
		port = end + 1;
	} else {
		end = strchr(host, ':');
		if (!end)
			end = host + strlen(host);
		port = end;
	}
	if (*port == ':')
		port++;
	else if (*port)
		return -1;
	if (strspn(port, "0123456789") != strlen(port) || strlen(port) > 5)
		return -1;
	n = (size_t)(end - host);
	if (n && host[n - 1] == '.')
		n--;
	if (n == 0 || n >= len)
		return -1;
	for (size_t i = 0; i < n; i++) {
		char c = host[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '.' ||
		      c == ':' || c == '_'))
			return -1;
		name[i] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
	}
	name[n] = '\0';
	return 0;
}

/* The host part of cfg->listen ("127.0.0.1:8080", "[::]:8080"). */
static void listen_host(const char *listen, char *out, size_t len)
{
	const char *colon = strrchr(listen, ':');
	size_t n = colon ? (size_t)(colon - listen) : strlen(listen);

	if (n >= 2 && listen[0] == '[') {
		listen++;
		n -= 2;
	}
	snprintf(out, len, "%.*s", (int)n, listen);
}

static bool in_server_names(const char *list, const char *name,
			    const struct addr *a)
{
	const char *p = list, *w;
	size_t n;

	while ((w = strconv_word(&p, &n))) {
		char word[256];
		struct addr wa;

		snprintf(word, sizeof(word), "%.*s", (int)n, w);
		if (n && word[n - 1] == '.')
			word[n - 1] = '\0';
		if (strcasecmp(word, name) == 0)
			return true;
		/* An address written another way ("::1" for "0::1"). */
		if (a && parse_addr(word, &wa) && wa.family == a->family &&
		    addr_eq(&wa, a->family, a->b))
			return true;
	}
	return false;
}

int guard_host(const struct thermo_settings *cfg, const char *host,
	       char *why, size_t len)
{
	char name[256], lh[64];
	struct addr a, la;
	bool literal;

	if (split_host(host, name, sizeof(name)) != 0)
		return errmsg(why, len, "malformed Host header");
	literal = parse_addr(name, &a);
	if (strcmp(name, "localhost") == 0 || (literal && is_loopback(&a)))
		return 0;
	if (in_server_names(cfg->server_names, name, literal ? &a : NULL))
		return 0;
	if (literal) {
		listen_host(cfg->listen, lh, sizeof(lh));
		if (parse_addr(lh, &la)) {
			static const unsigned char any[16];

			if (la.family == a.family && addr_eq(&la, a.family, a.b))
				return 0;
			if (addr_eq(&la, la.family, any) && is_ours(&a))
				return 0;
		}
	}
	return errmsg(why, len,
		      "this server does not answer to that name (add it to "
		      "server_names)");
}

/*
 * Whether @url is on the origin of @host (the Host header): http:// or
 * https:// (a TLS reverse proxy in front passes the browser's Host on,
 * and the daemon serves plain HTTP), then exactly @host, then the end
 * (@exact) or a path, query or fragment.  The port is part of @host: a
 * page on another port is another origin.
 */
static bool on_origin(const char *url, const char *host, bool exact)
{
	size_t sn, hn = strlen(host);
	char next;

	if (strncasecmp(url, "http://", 7) == 0)
		sn = 7;
	else if (strncasecmp(url, "https://", 8) == 0)
		sn = 8;
	else
		return false;
	if (strncasecmp(url + sn, host, hn) != 0)
		return false;
	next = url[sn + hn];
	return next == '\0' ||
	       (!exact && (next == '/' || next == '?' || next == '#'));
}

int guard_origin(const struct guard_headers *h, char *why, size_t len)
{
	const char *site = h->sec_fetch_site;

	/* Fetch metadata (Chromium 76, Firefox 90, Safari 16.4): the
	 * browser itself says where the request comes from.  "same-site"
	 * is another port or name of the same site: another origin. */
	if (site && strcasecmp(site, "same-origin") != 0 &&
	    strcasecmp(site, "none") != 0)
		return errmsg(why, len,
			      "cross-site request refused (Sec-Fetch-Site: "
			      "%.20s)", site);
	/* Browsers send Origin with every cross-origin POST, PUT and
	 * DELETE, forms included; "null" comes from sandboxes and
	 * redirects, never from our page. */
	if (h->origin)
		return h->host && on_origin(h->origin, h->host, true)
			       ? 0
			       : errmsg(why, len,
					"cross-origin request refused (Origin "
					"is not this server)");
	if (h->referer && !(h->host && on_origin(h->referer, h->host, false)))
		return errmsg(why, len,
			      "cross-origin request refused (Referer is not "
			      "this server)");
	return 0;
}
