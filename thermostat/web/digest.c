/* SPDX-License-Identifier: MIT */
/*
 * Digest authentication's arithmetic (digest.h).  The MD5 is CivetWeb's
 * own, exported as mg_md5().
 */
#include <config.h>
#define _GNU_SOURCE
#include <civetweb.h>
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "web/digest.h"

/* RFC 9110 5.6.2: the characters of a token. */
static bool is_tchar(char c)
{
	return isalnum((unsigned char)c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

static bool is_hex(const char *s, size_t n)
{
	return strlen(s) == n && strspn(s, "0123456789abcdefABCDEF") == n;
}

static void lower(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
}

static const char *skip_ows(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* One value at @p (a token or a quoted string) into @out (@len bytes);
 * the text after it, or NULL when it is malformed or too long. */
static const char *parse_value(const char *p, char *out, size_t len)
{
	size_t n = 0;

	if (*p != '"') {
		while (is_tchar(*p)) {
			if (n + 1 >= len)
				return NULL;
			out[n++] = *p++;
		}
		out[n] = '\0';
		return n ? p : NULL;
	}
	for (p++; *p != '"'; p++) {
		/* A quoted-pair: a backslash and the character it keeps. */
		if (*p == '\\')
			p++;
		/* qdtext: no control characters (and so no end of text). */
		if ((unsigned char)*p < ' ' && *p != '\t')
			return NULL;
		if (*p == 0x7f || n + 1 >= len)
			return NULL;
		out[n++] = *p;
	}
	out[n] = '\0';
	return p + 1;
}

/* The parameters the daemon knows, and where each goes. */
enum { P_USERNAME, P_REALM, P_NONCE, P_URI, P_RESPONSE, P_QOP, P_NC,
       P_CNONCE, P_ALGORITHM, P_OPAQUE, P_USERHASH, P_USERNAME_EXT,
       P_COUNT };

static const char *const param_names[P_COUNT] = {
	"username", "realm", "nonce", "uri", "response", "qop", "nc",
	"cnonce", "algorithm", "opaque", "userhash", "username*",
};

int digest_parse(const char *header, struct digest_auth *d, const char **why)
{
	char value[sizeof(d->uri)], name[32], qop[8] = "", nc[16] = "";
	char algorithm[16] = "", userhash[8] = "", response[40] = "";
	unsigned seen = 0;
	const char *p = header;

	memset(d, 0, sizeof(*d));
	if (strncasecmp(p, "Digest", 6) != 0 || (p[6] != ' ' && p[6] != '\t')) {
		*why = "not a Digest login";
		return -1;
	}
	p = skip_ows(p + 6);
	for (;;) {
		size_t n = 0;
		int k;

		while (is_tchar(*p) && n + 1 < sizeof(name))
			name[n++] = *p++;
		name[n] = '\0';
		p = skip_ows(p);
		if (!n || *p != '=') {
			*why = "malformed Authorization header";
			return -1;
		}
		p = parse_value(skip_ows(p + 1), value, sizeof(value));
		if (!p) {
			*why = "malformed or overlong value";
			return -1;
		}
		for (k = 0; k < P_COUNT; k++)
			if (strcasecmp(name, param_names[k]) == 0)
				break;
		if (k < P_COUNT) {
			static const size_t max[P_COUNT] = {
				sizeof(d->username), sizeof(d->realm),
				sizeof(d->nonce), sizeof(d->uri),
				sizeof(response), sizeof(qop), sizeof(nc),
				sizeof(d->cnonce), sizeof(algorithm),
				sizeof(value), sizeof(userhash), sizeof(value),
			};
			char *const dest[P_COUNT] = {
				d->username, d->realm, d->nonce, d->uri,
				response, qop, nc, d->cnonce, algorithm, NULL,
				userhash, NULL,
			};

			if (seen & (1u << k)) {
				*why = "a parameter given twice";
				return -1;
			}
			seen |= 1u << k;
			if (strlen(value) >= max[k]) {
				*why = "overlong value";
				return -1;
			}
			if (dest[k])
				strcpy(dest[k], value);
		}
		/* Otherwise an extension: ignored (RFC 7616 3.4). */
		p = skip_ows(p);
		if (!*p)
			break;
		if (*p != ',') {
			*why = "malformed Authorization header";
			return -1;
		}
		p = skip_ows(p + 1);
	}

	if (seen & (1u << P_USERNAME_EXT) ||
	    (userhash[0] && strcasecmp(userhash, "false") != 0)) {
		*why = "username* and userhash are not supported";
		return -1;
	}
	for (int k = P_USERNAME; k <= P_CNONCE; k++) {
		if (!(seen & (1u << k))) {
			*why = "a required parameter is missing";
			return -1;
		}
	}
	if (!d->username[0] || !d->nonce[0] || !d->uri[0] ||
	    !d->cnonce[0]) {
		*why = "an empty parameter";
		return -1;
	}
	if (strcmp(qop, "auth") != 0) {
		*why = "qop is not auth";
		return -1;
	}
	if (algorithm[0] && strcasecmp(algorithm, "MD5") != 0) {
		*why = "algorithm is not MD5";
		return -1;
	}
	if (!is_hex(nc, 8) || !(d->nc = (uint32_t)strtoul(nc, NULL, 16))) {
		*why = "nc is not 8 hex digits above 0";
		return -1;
	}
	strcpy(d->nc_text, nc);
	if (!is_hex(response, 32)) {
		*why = "response is not 32 hex digits";
		return -1;
	}
	strcpy(d->response, response);
	lower(d->response);
	return 0;
}

void digest_expected(const char *ha1, const char *method,
		     const struct digest_auth *d, char out[DIGEST_HEX])
{
	char ha2[DIGEST_HEX];

	mg_md5(ha2, method, ":", d->uri, NULL);
	mg_md5(out, ha1, ":", d->nonce, ":", d->nc_text, ":", d->cnonce, ":",
	       "auth", ":", ha2, NULL);
}

bool digest_equal(const char *a, const char *b, size_t n)
{
	unsigned char diff = 0;

	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

bool htdigest_line(const char *line, const char *user, const char *realm,
		   char ha1[DIGEST_HEX])
{
	size_t ulen = strlen(user), rlen = strlen(realm), n;
	const char *h;

	if (strncmp(line, user, ulen) != 0 || line[ulen] != ':')
		return false;
	line += ulen + 1;
	if (strncmp(line, realm, rlen) != 0 || line[rlen] != ':')
		return false;
	h = line + rlen + 1;
	n = strspn(h, "0123456789abcdefABCDEF");
	if (n != 32 || h[strspn(h + 32, " \t\r\n") + 32] != '\0')
		return false;
	memcpy(ha1, h, 32);
	ha1[32] = '\0';
	lower(ha1);
	return true;
}
