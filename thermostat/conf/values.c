/* SPDX-License-Identifier: MIT */
/*
 * One value of one key: its text parsed and checked by the key's type and
 * range, and printed back in a form that parses to the same value.
 */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "conf/keys.h"
#include "util/errmsg.h"
#include "util/strconv.h"

/*
 * Text from the input, fit for a message: at most 32 characters, anything
 * but printable ASCII as '?', so that a hostile file cannot send escape
 * sequences to the terminal or flood the log.
 */
const char *quote(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len && i < 32; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (s[i] && i >= 3)
		buf[i - 1] = buf[i - 2] = buf[i - 3] = '.';
	buf[i] = '\0';
	return buf;
}

const char *option_name(const char *key, char *buf, size_t len)
{
	size_t i;

	for (i = 0; key[i] && i + 1 < len; i++)
		buf[i] = key[i] == '_' ? '-' : key[i];
	buf[i] = '\0';
	return buf;
}

static int parse_double(const struct key *k, const char *text, double *out,
			char *why, size_t len)
{
	size_t n = strconv_decimal_len(text, strlen(text)), end_at = n;
	double scale = 1, d;
	char q[40];
	int ret;

	if (n && k->type == T_DURATION && text[n] && !text[n + 1]) {
		/* A unit: "90s", "2m", "1.5h". */
		scale = text[n] == 's' ? 1 : text[n] == 'm' ? 60 :
			text[n] == 'h' ? 3600 : 0;
		end_at = scale ? n + 1 : 0;
	}
	if (!n || !end_at || text[end_at])
		return errmsg(why, len, "'%s' is not %s",
			      quote(text, q, sizeof(q)),
			      k->type == T_DURATION ?
			      "a duration (seconds, or a number and s, m or h)" :
			      "a decimal number");
	ret = strconv_decimal(text, n, &d);
	if (ret == -ERANGE)
		return errmsg(why, len, "%s is too large", text);
	if (ret < 0)
		return errmsg(why, len, "'%s' is not a number in the C locale",
			      text);
	d *= scale;
	if (!isfinite(d))
		return errmsg(why, len, "%s is too large", text);
	if (d < k->min || d > k->max)
		return errmsg(why, len, "%s is out of range (%g..%g%s)", text,
			      k->min, k->max,
			      k->type == T_DURATION ? " seconds" : "");
	*out = d;
	return 0;
}

static int parse_integer(const struct key *k, const char *text, long long *out,
			 char *why, size_t len)
{
	size_t n = strlen(text);
	long long v;
	bool big;
	char q[40];

	if (!n || strconv_whole(text, n, true, &v, &big) != n)
		return errmsg(why, len, "'%s' is not a whole number",
			      quote(text, q, sizeof(q)));
	if (big || (double)v < k->min || (double)v > k->max)
		return errmsg(why, len, "%s is out of range (%.0f..%.0f)",
			      quote(text, q, sizeof(q)), k->min, k->max);
	*out = v;
	return 0;
}

const char *join_names(const struct name_value *names, const char *sep,
		       const char *last, char *buf, size_t len)
{
	size_t n = 0, count = 0, done = 0, i;

	for (i = 0; names[i].name; i++)
		count += names_is_canonical(names, &names[i]);
	buf[0] = '\0';
	for (i = 0; names[i].name && n < len; i++) {
		if (!names_is_canonical(names, &names[i]))
			continue;
		done++;
		n += (size_t)snprintf(buf + n, len - n, "%s%s",
				      done == 1 ? "" :
				      done == count ? last : sep,
				      names[i].name);
	}
	return buf;
}

/* The longest value of a string key: its buffer, and the file's line. */
static size_t string_max(const struct key *k)
{
	size_t line = LINE_MAX_CHARS - strlen(k->name) - 3;

	return k->size - 1 < line ? k->size - 1 : line;
}

/* Rules of every string: those that keep "key = value" parsing back. */
static int check_string(const struct key *k, const char *text, char *why,
			size_t len)
{
	size_t n = strlen(text);
	const char *p;

	if (n > string_max(k))
		return errmsg(why, len, "too long (at most %zu characters)",
			      string_max(k));
	for (p = text; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return errmsg(why, len,
				      "control character (code %d) in the value",
				      *p);
	if (n && (text[0] == ' ' || text[n - 1] == ' '))
		return errmsg(why, len, "blanks around the value");
	/* inih ends a value at " ;" (an inline comment). */
	if (strchr(text, ';'))
		return errmsg(why, len,
			      "';' in the value (it starts a comment)");
	return 0;
}

int set_value(struct thermo_settings *c, const struct key *k,
	      const char *text, char *why, size_t len)
{
	char *p = (char *)c + k->offset, list[80];
	const struct name_value *nv;
	long long i = 0;
	double d = 0;

	if (!text[0] && !(k->type == T_STRING && (k->flags & K_EMPTY_OK)))
		return errmsg(why, len, "empty value");
	switch (k->type) {
	case T_STRING:
		if (check_string(k, text, why, len) < 0 ||
		    (k->check && k->check(text, why, len) < 0))
			return -1;
		/* Zeroed to the end: equal configurations compare equal. */
		memset(p, 0, k->size);
		memcpy(p, text, strlen(text));
		return 0;
	case T_DOUBLE:
	case T_DURATION:
		if (parse_double(k, text, &d, why, len) < 0)
			return -1;
		*(double *)(void *)p = d;
		return 0;
	case T_INT:
	case T_UINT:
		if (parse_integer(k, text, &i, why, len) < 0)
			return -1;
		if (k->type == T_INT)
			*(int *)(void *)p = (int)i;
		else
			*(unsigned *)(void *)p = (unsigned)i;
		return 0;
	case T_BOOL:
		nv = names_find(bool_names, text, true);
		if (!nv)
			return errmsg(why, len, "'%s' is not yes or no",
				      quote(text, list, sizeof(list)));
		*(bool *)(void *)p = nv->value;
		return 0;
	case T_ENUM:
		nv = names_find(k->names, text, true);
		if (!nv) {
			char q[40];

			return errmsg(why, len, "'%s' is not %s",
				      quote(text, q, sizeof(q)),
				      join_names(k->names, ", ", " or ", list,
						 sizeof(list)));
		}
		if (k->size == 1)
			*p = (char)nv->value;
		else
			*(int *)(void *)p = nv->value;
		return 0;
	}
	return errmsg(why, len, "unknown type");
}

void format_value(const struct thermo_settings *c, const struct key *k,
		  char *buf, size_t len)
{
	const char *p = (const char *)c + k->offset;
	const char *name;

	switch (k->type) {
	case T_STRING:
		snprintf(buf, len, "%.*s", (int)k->size, p);
		return;
	case T_DOUBLE:
	case T_DURATION:
		strconv_format_double(buf, len,
				      *(const double *)(const void *)p);
		return;
	case T_INT:
		snprintf(buf, len, "%d", *(const int *)(const void *)p);
		return;
	case T_UINT:
		snprintf(buf, len, "%u", *(const unsigned *)(const void *)p);
		return;
	case T_BOOL:
		snprintf(buf, len, "%s",
			 *(const bool *)(const void *)p ? "yes" : "no");
		return;
	case T_ENUM:
		name = names_name(k->names, k->size == 1
						    ? *p
						    : *(const int *)(const void *)p);
		snprintf(buf, len, "%s", name ? name : "?");
		return;
	}
	buf[0] = '\0';
}

/* The realm is quoted in digest headers and a field of htdigest lines. */
int check_realm(const char *value, char *why, size_t len)
{
	if (strpbrk(value, "\":\\"))
		return errmsg(why, len, "no '\"', ':' or '\\' in a realm");
	return 0;
}

/* A name inside a directory, never a path out of it. */
int check_file_name(const char *value, char *why, size_t len)
{
	if (strchr(value, '/') || strcmp(value, ".") == 0 ||
	    strcmp(value, "..") == 0)
		return errmsg(why, len, "a device name, not a path");
	return 0;
}
