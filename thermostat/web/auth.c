/* SPDX-License-Identifier: MIT */
/*
 * Logins (auth.h): the challenge, the checks of an Authorization header
 * in order, and the answers.  The arithmetic is in digest.c, the nonce
 * table in nonces.c, the failure counts in throttle.c; here they meet
 * under one lock, with the password file, the random bytes and the log.
 */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>

#include "conf/settings.h"
#include "log.h"
#include "util/timeutil.h"
#include "web/api.h"
#include "web/auth.h"
#include "web/digest.h"
#include "web/nonces.h"
#include "web/throttle.h"

struct auth {
	const struct thermo_settings *cfg;
	pthread_mutex_t lock;		/* the rest */
	char opaque[NONCE_HEX];		/* "" until a first challenge */
	struct nonce_table nonces;
	struct throttle failures;
};

struct auth *auth_new(const struct thermo_settings *cfg)
{
	struct auth *a = calloc(1, sizeof(*a));

	if (!a)
		return NULL;
	a->cfg = cfg;
	if (pthread_mutex_init(&a->lock, NULL) != 0) {
		free(a);
		return NULL;
	}
	return a;
}

void auth_free(struct auth *a)
{
	if (!a)
		return;
	pthread_mutex_destroy(&a->lock);
	free(a);
}

static void hex(const unsigned char *b, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", b[i]);
}

/* 401 with a new nonce: 128 bits from the kernel's generator (which
 * blocks only until it is seeded, early at boot). */
static void challenge(struct auth *a, struct req *q, bool stale,
		      const char *msg)
{
	unsigned char r[32];
	char nonce[NONCE_HEX], opaque[NONCE_HEX], extra[512];
	ssize_t got;

	while ((got = getrandom(r, sizeof(r), 0)) < 0 && errno == EINTR)
		;
	if (got != (ssize_t)sizeof(r)) {
		log_err("web: no random bytes for a login challenge: %s",
			got < 0 ? strerror(errno) : "short read");
		mg_disable_connection_keep_alive(q->c);
		respond_json(q, 500, api_error_json("cannot make a challenge"));
		return;
	}
	hex(r, 16, nonce);
	pthread_mutex_lock(&a->lock);
	/* The opaque is sent because RFC 7616 asks for one, and is not
	 * checked: the nonce alone names the challenge. */
	if (!a->opaque[0])
		hex(r + 16, 16, a->opaque);
	memcpy(opaque, a->opaque, sizeof(opaque));
	nonce_add(&a->nonces, nonce, mono_now());
	pthread_mutex_unlock(&a->lock);

	snprintf(extra, sizeof(extra),
		 "WWW-Authenticate: Digest realm=\"%s\", qop=\"auth\", "
		 "algorithm=MD5, nonce=\"%s\", opaque=\"%s\"%s\r\n",
		 a->cfg->auth_realm, nonce, opaque,
		 stale ? ", stale=true" : "");
	/* The body may not have been read: do not let CivetWeb read it. */
	mg_disable_connection_keep_alive(q->c);
	respond_json_extra(q, 401, api_error_json(msg), extra);
}

/* The digest's uri is the request-target as received: the path before
 * CivetWeb removed its dot segments (local_uri_raw; decode_url is off,
 * so undecoded), and the query if there was a '?'. */
static bool is_target(const struct mg_request_info *ri, const char *uri)
{
	const char *path = ri->local_uri_raw;
	size_t n;

	if (!path)
		return false;
	n = strlen(path);
	if (strncmp(uri, path, n) != 0)
		return false;
	if (!ri->query_string)
		return uri[n] == '\0';
	return uri[n] == '?' && strcmp(uri + n + 1, ri->query_string) == 0;
}

/*
 * @user's HA1 in the configured realm, from the password file.  Read
 * each time rather than cached by modification time: a password removed
 * or changed takes effect at the next request, even within the file
 * system's timestamp granularity, and the file is a few lines read only
 * for a well-formed login on a live nonce.  0, or -1 (no such user, or
 * the file cannot be read: logged).
 */
static int password_ha1(const struct thermo_settings *cfg, const char *user,
			char ha1[DIGEST_HEX])
{
	FILE *f = fopen(cfg->password_file, "re");
	char *line = NULL;
	size_t cap = 0;
	int ret = -1;

	if (!f) {
		log_err("web: cannot read the password file %s: %s",
			cfg->password_file, strerror(errno));
		return -1;
	}
	while (ret && getline(&line, &cap, f) > 0)
		if (htdigest_line(line, user, cfg->auth_realm, ha1))
			ret = 0;
	free(line);
	fclose(f);
	return ret;
}

static void refuse_waiting(struct req *q, double wait)
{
	char extra[48];

	snprintf(extra, sizeof(extra), "Retry-After: %.0f\r\n",
		 fmax(1, ceil(wait)));
	mg_disable_connection_keep_alive(q->c);
	respond_json_extra(q, 429,
			   api_error_json("too many failed logins; try later"),
			   extra);
}

/* An unknown user or a wrong password: counted against the client,
 * logged with its address (never the header: it holds the username and
 * a digest of the password), answered 401. */
static void failed(struct auth *a, struct req *q,
		   const struct peer_key *client)
{
	const struct thermo_settings *cfg = a->cfg;
	bool waits;

	pthread_mutex_lock(&a->lock);
	waits = throttle_fail(&a->failures, client, mono_now(),
			      cfg->auth_max_failures, cfg->auth_failure_window);
	pthread_mutex_unlock(&a->lock);
	log_warn("web: failed login from %s", q->ri->remote_addr);
	if (waits)
		log_warn("web: %d failed logins from %s within %g s: its "
			 "logins are refused (429) until then",
			 cfg->auth_max_failures, q->ri->remote_addr,
			 cfg->auth_failure_window);
	challenge(a, q, false, "wrong user or password");
}

bool auth_request(struct auth *a, struct req *q)
{
	const struct thermo_settings *cfg = a->cfg;
	const char *header = mg_get_header(q->c, "Authorization");
	struct peer_key client;
	char ha1[DIGEST_HEX], expected[DIGEST_HEX];
	enum nonce_verdict verdict;
	struct digest_auth d;
	const char *why;
	bool known;
	double wait;

	/* A client that failed too often waits, credentials unchecked. */
	peer_key_parse(q->ri->remote_addr, &client);
	pthread_mutex_lock(&a->lock);
	wait = throttle_wait(&a->failures, &client, mono_now(),
			     cfg->auth_max_failures, cfg->auth_failure_window);
	pthread_mutex_unlock(&a->lock);
	if (wait > 0) {
		refuse_waiting(q, wait);
		return false;
	}
	if (!header) {
		challenge(a, q, false, "login required");
		return false;
	}
	/* Not a login we can check (Basic, malformed, another realm): a
	 * challenge, not a failure; nobody guessed a password. */
	if (digest_parse(header, &d, &why) != 0) {
		log_debug("web: login from %s refused: %s", q->ri->remote_addr,
			  why);
		challenge(a, q, false, "login required");
		return false;
	}
	if (strcmp(d.realm, cfg->auth_realm) != 0) {
		challenge(a, q, false, "login required");
		return false;
	}
	/* RFC 7616 3.4.6: a digest made for another request. */
	if (!is_target(q->ri, d.uri)) {
		mg_disable_connection_keep_alive(q->c);
		respond_json(q, 400, api_error_json("the login's uri is not "
						    "this request's"));
		return false;
	}
	/* The password first: stale=true only to a client that knows it
	 * (RFC 7616 3.3).  An unknown user costs the same work. */
	known = password_ha1(cfg, d.username, ha1) == 0;
	if (!known)
		snprintf(ha1, sizeof(ha1), "%032d", 0);
	digest_expected(ha1, q->ri->request_method, &d, expected);
	if (!digest_equal(expected, d.response, 32) || !known) {
		failed(a, q, &client);
		return false;
	}
	pthread_mutex_lock(&a->lock);
	verdict = nonce_use(&a->nonces, d.nonce, d.nc, mono_now(),
			    cfg->auth_nonce_lifetime);
	pthread_mutex_unlock(&a->lock);
	if (verdict != NONCE_OK) {
		/* Expired, used already (a replay, or requests overtaking
		 * each other), or never ours (a restart since): a new one. */
		challenge(a, q, true, "login expired");
		return false;
	}
	return true;
}
