/* SPDX-License-Identifier: MIT */
/*
 * Logins (HTTP digest authentication, RFC 7616, MD5 and qop=auth), done
 * by the daemon itself rather than by CivetWeb 1.15, whose digest code
 * lets a captured request be sent again: its nonces never expire, it
 * keeps no request count, and it does not compare the digest's uri with
 * the request's.  Here a login is good for one request: the nonce must
 * be one the daemon handed out less than auth_nonce_lifetime ago, its
 * request count must grow, and the uri must be the request's own.  A
 * client that knows the password and brings a used, expired or unknown
 * nonce gets a fresh one with stale=true, and retries without asking its
 * user.  Failed logins (an unknown user, a wrong password) are counted
 * per client; after auth_max_failures within auth_failure_window the
 * client gets 429 until that window has passed.
 */
#ifndef THERMO_WEB_AUTH_H
#define THERMO_WEB_AUTH_H

#include <stdbool.h>

#include "web/request.h"

struct thermo_settings;
struct auth;

/* The logins of a server with settings @cfg (borrowed: it must outlive
 * the result).  A new object, freed with auth_free; NULL when out of
 * memory. */
struct auth *auth_new(const struct thermo_settings *cfg)
	__attribute__((warn_unused_result));
void auth_free(struct auth *a);

/*
 * Whether request @q brings a good login against cfg->password_file,
 * read anew each time.  When not, it has been answered: 401 with a
 * challenge (stale=true when only the nonce was wrong), 400 for a digest
 * made for another uri, 429 (Retry-After) while its client waits.  Safe
 * from CivetWeb's worker threads at once.
 */
bool auth_request(struct auth *a, struct req *q);

#endif
