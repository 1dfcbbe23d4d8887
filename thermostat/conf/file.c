/* SPDX-License-Identifier: MIT */
/*
 * The configuration file, read through inih.  Strict: unknown keys,
 * duplicates, sections, continuation lines, "key: value", bad values,
 * NUL bytes and overlong lines are refused with "FILE:LINE: KEY: why",
 * and nothing is half-applied (the file is parsed into a copy).
 */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <ini.h>

#include "conf/keys.h"
#include "util/errmsg.h"
#include "util/readfile.h"

/* A configuration file larger than this is not one. */
#define FILE_MAX_BYTES (64 * 1024)

struct parse {
	struct thermo_settings *c;	/* a copy, committed at the end */
	const char *name;		/* the file, for messages */
	const char *p, *end;		/* the text not read yet */
	int line;			/* of the line inih has */
	int origin[NKEYS];		/* the line a key was set on */
	bool failed;
	char *err;
	size_t len;
};

static int parse_fail(struct parse *ps, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int parse_fail(struct parse *ps, const char *key, const char *fmt, ...)
{
	char why[256], q[40];
	va_list ap;

	if (ps->failed)
		return 0;
	ps->failed = true;
	va_start(ap, fmt);
	verrmsg(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (key)
		errmsg(ps->err, ps->len, "%s:%d: %s: %s", ps->name, ps->line,
		       quote(key, q, sizeof(q)), why);
	else
		errmsg(ps->err, ps->len, "%s:%d: %s", ps->name, ps->line, why);
	return 0;
}

/*
 * inih's reader: hands it one line at a time, so that the line number
 * here is the one of the pair inih reports, and checks what inih would
 * take differently from what this format means: no sections, no
 * continuation lines (leading blanks are dropped instead), no "key: value"
 * (a concession of inih to Python), no line longer than its buffer.
 */
static char *read_line(char *buf, int num, void *stream)
{
	struct parse *ps = stream;
	const char *s = ps->p, *nl, *sep;
	size_t n, max = LINE_MAX_CHARS;

	if (ps->failed || s >= ps->end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(ps->end - s));
	n = (size_t)((nl ? nl : ps->end) - s);
	ps->p = nl ? nl + 1 : ps->end;
	ps->line++;
	if (ps->line == 1 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;		/* a UTF-8 byte order mark */
		n -= 3;
	}
	if (n && s[n - 1] == '\r')
		n--;		/* CRLF */
	while (n && (*s == ' ' || *s == '\t')) {
		s++;
		n--;
	}
	if ((size_t)num < max + 2)
		max = num > 2 ? (size_t)num - 2 : 0;
	if (n > max) {
		parse_fail(ps, NULL, "line too long (at most %zu characters)",
			   max);
		return NULL;
	}
	if (n && *s != '#' && *s != ';') {
		if (*s == '[') {
			parse_fail(ps, NULL, "sections are not supported: "
				   "every key is at the top level");
			return NULL;
		}
		for (sep = s; sep < s + n && *sep != '=' && *sep != ':'; sep++)
			;
		if (sep == s + n || *sep == ':') {
			parse_fail(ps, NULL, "expected KEY = VALUE");
			return NULL;
		}
	}
	memcpy(buf, s, n);
	buf[n] = '\n';
	buf[n + 1] = '\0';
	return buf;
}

static int on_pair(void *user, const char *section, const char *name,
		   const char *value)
{
	struct parse *ps = user;
	const struct key *k;
	char why[256];
	size_t i;

	(void)section;	/* always "": read_line() refuses sections */
	if (ps->failed)
		return 0;
	if (!name[0] || !value)
		return parse_fail(ps, NULL, "expected KEY = VALUE");
	k = find_key(name);
	if (!k) {
		unknown_key(name, false, why, sizeof(why));
		return parse_fail(ps, name, "%s", why);
	}
	i = (size_t)(k - keys);
	if (ps->origin[i])
		return parse_fail(ps, name, "duplicate key (first on line %d)",
				  ps->origin[i]);
	if (set_value(ps->c, k, value, why, sizeof(why)) < 0)
		return parse_fail(ps, name, "%s", why);
	ps->origin[i] = ps->line;
	return 1;
}

/* Parses @n bytes of @text into @c (on success only); @origin, if not
 * NULL, gets the line of each key set. */
static int parse_text(struct thermo_settings *c, const char *text, size_t n,
		      const char *name, int *origin, char *err, size_t len)
{
	struct thermo_settings copy = *c;
	struct parse ps = {
		.c = &copy, .name = name, .p = text, .end = text + n,
		.err = err, .len = len,
	};
	const char *nul;
	int ret, nul_line = 1;

	if (n > FILE_MAX_BYTES)
		return errmsg(err, len, "%s: too large (more than %d bytes)",
			      name, FILE_MAX_BYTES);
	nul = memchr(text, '\0', n);
	if (nul) {
		/* Parse the lines before its own, then report it. */
		const char *p = text;

		for (ps.end = text; p < nul; p++)
			if (*p == '\n') {
				nul_line++;
				ps.end = p + 1;
			}
	}
	ret = ini_parse_stream(read_line, &ps, on_pair, &ps);
	if (ps.failed)
		return -1;
	if (nul) {
		ps.line = nul_line;
		parse_fail(&ps, NULL, "NUL byte in the line");
		return -1;
	}
	if (ret == -2)
		return errmsg(err, len, "%s: out of memory", name);
	if (ret != 0) {
		/* inih's own objection, e.g. "key ; comment = value". */
		ps.line = ret;
		parse_fail(&ps, NULL, "expected KEY = VALUE");
		return -1;
	}
	*c = copy;
	if (origin)
		memcpy(origin, ps.origin, sizeof(ps.origin));
	return 0;
}

int config_parse_string(struct thermo_settings *c, const char *text,
			const char *name, char *err, size_t len)
{
	return parse_text(c, text, strlen(text), name ? name : "(string)",
			  NULL, err, len);
}

int load_file(struct thermo_settings *c, const char *path, int *origin,
	      char *err, size_t len)
{
	/* One byte more than a configuration may hold: parse_text() says
	 * "too large". */
	size_t cap = FILE_MAX_BYTES + 1;
	char *text;
	ssize_t n;
	int fd, ret;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		ret = errno == ENOENT ? -ENOENT : -1;
		errmsg(err, len, "%s: %s", path, strerror(errno));
		return ret;
	}
	text = malloc(cap);
	if (!text) {
		close(fd);
		return errmsg(err, len, "%s: out of memory", path);
	}
	n = read_upto(fd, text, cap);
	close(fd);
	if (n < 0)
		ret = errmsg(err, len, "%s: %s", path, strerror((int)-n));
	else
		ret = parse_text(c, text, (size_t)n, path, origin, err, len);
	free(text);
	return ret;
}

int config_load_file(struct thermo_settings *c, const char *path, char *err,
		     size_t len)
{
	return load_file(c, path, NULL, err, len) < 0 ? -1 : 0;
}
