/* SPDX-License-Identifier: MIT */
/*
 * HTTP digest authentication's arithmetic (RFC 7616), the one variant the
 * daemon speaks: MD5, qop=auth.  Pure functions over text: the
 * Authorization header's parameters, the response a client that knows
 * the password sends, and the lines of an htdigest(1) file.  Who may
 * log in, and when, is auth.c's business.
 */
#ifndef THERMO_WEB_DIGEST_H
#define THERMO_WEB_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* An MD5 in lower-case hex, and its NUL. */
#define DIGEST_HEX 33

/* What an Authorization: Digest header says, each value unquoted. */
struct digest_auth {
	char username[64];
	char realm[64];
	char nonce[64];
	char uri[1024];
	char cnonce[128];
	char response[DIGEST_HEX];	/* lower-cased */
	char nc_text[9];		/* as sent: 8 hex digits */
	uint32_t nc;			/* its value, above 0 */
};

/*
 * Parses @header, an Authorization header's value, strictly: the scheme
 * "Digest", then name=value pairs (a token or a quoted string) separated
 * by commas.  username, realm, nonce, uri, response (32 hex digits), qop
 * (exactly "auth"), nc (8 hex digits, not 0) and cnonce are required,
 * once each; algorithm, when present, is MD5; opaque is allowed and not
 * kept; username* and userhash=true are refused; other parameters are
 * ignored (RFC 7616 3.4).  A value longer than its field is refused.
 * 0, or -1 with a reason (static text) in @why.
 */
int digest_parse(const char *header, struct digest_auth *d, const char **why)
	__attribute__((warn_unused_result));

/* The response RFC 7616 3.4.1 asks of a client that knows @ha1 (the
 * hex MD5 of "user:realm:password") for @method and @d's uri, nonce, nc
 * and cnonce, with qop=auth, into @out. */
void digest_expected(const char *ha1, const char *method,
		     const struct digest_auth *d, char out[DIGEST_HEX]);

/* Whether the @n bytes at @a and @b are the same, in a time that does
 * not depend on where they differ. */
bool digest_equal(const char *a, const char *b, size_t n);

/* Whether @line (one line of an htdigest file, "user:realm:HA1", its
 * line end optional) is @user's in @realm; if so, its HA1, lower-cased,
 * into @ha1.  Comments (#), blank and malformed lines are no one's. */
bool htdigest_line(const char *line, const char *user, const char *realm,
		   char ha1[DIGEST_HEX]);

#endif
