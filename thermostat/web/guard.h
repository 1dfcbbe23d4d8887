/* SPDX-License-Identifier: MIT */
/*
 * The front door's two questions about a request, asked before any route
 * runs: is it addressed to us (the Host header names this daemon, not a
 * name an attacker pointed at our address: DNS rebinding), and, for a
 * change of state, does it come from our own page or from a client that
 * is no browser at all (not from another web site: cross-site request
 * forgery)?
 */
#ifndef THERMO_WEB_GUARD_H
#define THERMO_WEB_GUARD_H

#include <stdbool.h>
#include <stddef.h>

struct thermo_settings;

/*
 * Whether @host (a Host header's value) names this daemon:
 * "localhost", a loopback address (127.0.0.0/8, [::1]), the address of
 * cfg->listen, a name or address of cfg->server_names, or, when the
 * daemon listens on every address (0.0.0.0, [::]), an address of one of
 * the machine's interfaces.  Any port.  0, or -1 and why in @why.
 */
int guard_host(const struct thermo_settings *cfg, const char *host,
	       char *why, size_t len);

/* The headers guard_origin() looks at; NULL when absent. */
struct guard_headers {
	const char *host;		/* already accepted by guard_host() */
	const char *origin;
	const char *referer;
	const char *sec_fetch_site;
};

/*
 * Whether a request that changes state may do so: refused (-1, why in
 * @why) when Sec-Fetch-Site says it is not same-origin (nor "none", a
 * user's own navigation), when an Origin is present and is not
 * "http://HOST" or "https://HOST" (HOST as in the Host header, port
 * included; https: through a TLS reverse proxy), or, without an Origin,
 * when a Referer is present and is not on that origin.  A client that
 * sends none of these (curl, scripts) is no browser page: 0.
 */
int guard_origin(const struct guard_headers *h, char *why, size_t len);

#endif
