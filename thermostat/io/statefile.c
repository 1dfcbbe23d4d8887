/* SPDX-License-Identifier: MIT */
/*
 * The state file: "# thermostat state\nsetpoint=21.5\nmode=heat\n", then
 * the weekly program (presets=..., monday=... to sunday=..., hold=...,
 * boost=..., in core/schedule_text.h's syntax).
 *
 * Saving replaces the file by rename(2) of a complete, fsynced temporary
 * file in the same directory, then fsyncs the directory: a crash at any
 * moment leaves the old file or the new one, and after the directory's
 * fsync the new one survives a power cut too.  A crash can leave the
 * temporary file behind; the next save removes it, so there is never more
 * than one.  Parsing is strict and pure: anything but the file this code
 * writes (give or take blanks and comments) is refused, and the daemon
 * falls back to its configuration.
 */
#include <config.h>
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/schedule_text.h"
#include "io/statefile.h"
#include "util/errmsg.h"
#include "util/readfile.h"
#include "util/strconv.h"

/* The file is about 40 bytes, 1.5 KiB with a full program; a larger one is
 * not ours. */
#define STATE_MAX_BYTES 4096
/* mkostemp()'s suffix: the temporary file is <dir>/.<name>.XXXXXX. */
#define TMP_SUFFIX "XXXXXX"

/* ---- the text ------------------------------------------------------- */

/* The keys, in the order the file has them. */
enum {
	K_SETPOINT, K_MODE, K_PRESETS, K_MONDAY, K_HOLD = K_MONDAY + 7,
	K_BOOST, K_RUNTIME, NKEYS
};
static const char *const key_names[NKEYS] = {
	"setpoint", "mode", "presets", "monday", "tuesday", "wednesday",
	"thursday", "friday", "saturday", "sunday", "hold", "boost",
	"runtime",
};
/* The longest value: the runtime's line. */
#define VALUE_MAX RUNTIME_TEXT_MAX

static bool valid_state(const struct saved_state *st)
{
	return !st->has_setpoint ||
	       (isfinite(st->setpoint) &&
		(st->mode == MODE_OFF || st->mode == MODE_HEAT));
}

/* Appends to @buf (snprintf-style, @off the length so far). */
static size_t append(char *buf, size_t len, size_t off, const char *key,
		     const char *value)
{
	int n = snprintf(buf + (off < len ? off : len), off < len ? len - off : 0,
			 "%s=%s\n", key, value);

	return n < 0 ? off : off + (size_t)n;
}

int state_format(const struct saved_state *st, char *buf, size_t len)
{
	static const struct runtime no_runtime;
	char v[VALUE_MAX];
	size_t off;
	int n;

	n = snprintf(buf, len, "# thermostat state\n");
	off = n < 0 ? 0 : (size_t)n;
	if (st->has_setpoint) {
		strconv_format_double(v, sizeof(v), st->setpoint);
		off = append(buf, len, off, "setpoint", v);
		off = append(buf, len, off, "mode", mode_name(st->mode));
	}
	if (st->has_program) {
		presets_format(&st->presets, v, sizeof(v));
		off = append(buf, len, off, "presets", v);
		for (int d = 0; d < 7; d++) {
			day_format(&st->schedule.day[d], &st->presets, v,
				   sizeof(v));
			off = append(buf, len, off, key_names[K_MONDAY + d], v);
		}
		hold_format(&st->hold, &st->presets, v, sizeof(v));
		off = append(buf, len, off, "hold", v);
		boost_format(&st->boost, v, sizeof(v));
		off = append(buf, len, off, "boost", v);
	}
	/* The runtime when there is one, and in a file that holds nothing
	 * else (it is never empty). */
	if (memcmp(&st->runtime, &no_runtime, sizeof(no_runtime)) != 0 ||
	    (!st->has_setpoint && !st->has_program)) {
		runtime_format(&st->runtime, v, sizeof(v));
		off = append(buf, len, off, "runtime", v);
	}
	return (int)off;
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool in_limits(double t, const struct setpoint_limits *limits)
{
	return !limits || (t >= limits->min && t <= limits->max);
}

/* The program's keys, all given (checked by the caller), into @st. */
static int parse_program(char value[][VALUE_MAX], const int *line,
			 const struct setpoint_limits *limits,
			 struct saved_state *st, char *err, size_t len)
{
	double min = limits ? limits->min : -INFINITY;
	double max = limits ? limits->max : INFINITY;
	char why[200];
	int k = K_PRESETS;

	if (presets_parse(value[k], &st->presets, why, sizeof(why)) < 0)
		goto bad;
	for (int d = 0; d < 7; d++) {
		k = K_MONDAY + d;
		if (day_parse(value[k], &st->presets, &st->schedule.day[d], why,
			      sizeof(why)) < 0)
			goto bad;
	}
	k = K_HOLD;
	if (hold_parse(value[k], &st->presets, &st->hold, why, sizeof(why)) < 0)
		goto bad;
	if (st->hold.kind != HOLD_NONE && st->hold.preset < 0 &&
	    !(st->hold.temp >= min && st->hold.temp <= max)) {
		snprintf(why, sizeof(why), "%g is outside min_setpoint.."
			 "max_setpoint (%g..%g)", st->hold.temp, min, max);
		goto bad;
	}
	k = K_BOOST;
	if (boost_parse(value[k], &st->boost, why, sizeof(why)) < 0)
		goto bad;
	if (st->boost.until && !(st->boost.temp >= min && st->boost.temp <= max)) {
		snprintf(why, sizeof(why), "%g is outside min_setpoint.."
			 "max_setpoint (%g..%g)", st->boost.temp, min, max);
		goto bad;
	}
	k = K_PRESETS;
	if (sched_check(&st->schedule, &st->presets, min, max, why,
			sizeof(why)) < 0)
		goto bad;
	st->has_program = true;
	return 0;
bad:
	return errmsg(err, len, "line %d: %s: %s", line[k], key_names[k], why);
}

int state_parse(const char *text, size_t n,
		const struct setpoint_limits *limits, struct saved_state *out,
		char *err, size_t len)
{
	char value[NKEYS][VALUE_MAX], why[200];
	int at[NKEYS] = { 0 }, line = 0, ret, given = 0;
	const char *p = text, *end = text + n;
	struct saved_state st;

	memset(&st, 0, sizeof(st));
	st.setpoint = NAN;
	st.mode = MODE_HEAT;
	if (n == 0)
		return errmsg(err, len, "empty");
	if (n > STATE_MAX_BYTES)
		return errmsg(err, len, "too large (%zu bytes, at most %d)", n,
			    STATE_MAX_BYTES);
	if (memchr(text, '\0', n))
		return errmsg(err, len, "NUL byte: not a state file");
	if (text[n - 1] != '\n')
		return errmsg(err, len, "truncated (no newline at the end)");
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *k = p, *ke, *v, *ve;
		int key = -1;

		line++;
		p = nl + 1;
		while (k < nl && is_blank(*k))
			k++;
		if (k == nl || *k == '#')
			continue;
		v = memchr(k, '=', (size_t)(nl - k));
		if (!v)
			return errmsg(err, len, "line %d: expected KEY=VALUE",
				    line);
		for (ke = v; ke > k && is_blank(ke[-1]); ke--)
			;
		for (v++; v < nl && is_blank(*v); v++)
			;
		for (ve = nl; ve > v && is_blank(ve[-1]); ve--)
			;
		for (int i = 0; i < NKEYS; i++)
			if ((size_t)(ke - k) == strlen(key_names[i]) &&
			    memcmp(k, key_names[i], (size_t)(ke - k)) == 0)
				key = i;
		if (key < 0)
			return errmsg(err, len, "line %d: unknown key", line);
		if (at[key])
			return errmsg(err, len, "line %d: %s again (first on "
				    "line %d)", line, key_names[key], at[key]);
		/* A number or a mode fits in 64 bytes, a line of the
		 * program in SCHED_TEXT_MAX, the runtime's in VALUE_MAX. */
		if ((size_t)(ve - v) >= (key <= K_MODE	      ? 64
					 : key == K_RUNTIME ? VALUE_MAX
							    : SCHED_TEXT_MAX))
			return errmsg(err, len, "line %d: value too long", line);
		memcpy(value[key], v, (size_t)(ve - v));
		value[key][ve - v] = '\0';
		at[key] = line;
		given++;
	}
	/* Setpoint and mode both, or neither in a file that holds
	 * something else (the runtime, the program): then the
	 * configuration's. */
	st.has_setpoint = at[K_SETPOINT] || at[K_MODE] ||
			  given == 0;
	if (st.has_setpoint && !at[K_SETPOINT])
		return errmsg(err, len, "no setpoint");
	if (st.has_setpoint && !at[K_MODE])
		return errmsg(err, len, "no mode");
	if (!st.has_setpoint)
		st.setpoint = 0;
	ret = st.has_setpoint ? strconv_decimal(value[K_SETPOINT],
						strlen(value[K_SETPOINT]),
						&st.setpoint)
			      : 0;
	if (ret == -ERANGE)
		return errmsg(err, len, "line %d: setpoint is too large",
			    at[K_SETPOINT]);
	if (ret < 0)
		return errmsg(err, len, "line %d: setpoint is not a number",
			    at[K_SETPOINT]);
	if (st.has_setpoint && !in_limits(st.setpoint, limits))
		return errmsg(err, len, "line %d: setpoint %s is outside "
			    "min_setpoint..max_setpoint (%g..%g)", at[K_SETPOINT],
			    value[K_SETPOINT], limits->min, limits->max);
	if (st.has_setpoint && mode_from_name(value[K_MODE], &st.mode) < 0)
		return errmsg(err, len, "line %d: mode is not heat or off",
			    at[K_MODE]);
	if (at[K_RUNTIME] &&
	    runtime_parse(value[K_RUNTIME], &st.runtime, why, sizeof(why)) < 0)
		return errmsg(err, len, "line %d: runtime: %s", at[K_RUNTIME],
			    why);
	/* The program: every key of it, or none (a file from before). */
	if (given - !!at[K_RUNTIME] - !!at[K_SETPOINT] - !!at[K_MODE] > 0) {
		for (int i = K_PRESETS; i <= K_BOOST; i++)
			if (!at[i])
				return errmsg(err, len, "no %s (a program "
					    "without all its keys)",
					    key_names[i]);
		if (parse_program(value, at, limits, &st, err, len) < 0)
			return -1;
	}
	*out = st;
	return 0;
}

/* ---- the file ------------------------------------------------------- */

int state_load(const char *path, const struct setpoint_limits *limits,
	       struct saved_state *out, char *err, size_t len)
{
	char buf[STATE_MAX_BYTES + 1], why[200];
	struct stat sb;
	ssize_t n;
	int fd, e;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0) {
		e = errno;
		errmsg(err, len, "%s: %s", path, strerror(e));
		return e == ENOENT ? -ENOENT : -1;
	}
	if (fstat(fd, &sb) < 0) {
		errmsg(err, len, "%s: %s", path, strerror(errno));
		goto out_close;
	}
	if (!S_ISREG(sb.st_mode)) {
		errmsg(err, len, "%s: not a regular file", path);
		goto out_close;
	}
	/* One byte more than a state file may hold: the parser says "too
	 * large". */
	n = read_upto(fd, buf, sizeof(buf));
	if (n < 0) {
		errmsg(err, len, "%s: %s", path, strerror((int)-n));
		goto out_close;
	}
	close(fd);
	if (state_parse(buf, (size_t)n, limits, out, why, sizeof(why)) < 0)
		return errmsg(err, len, "%s: %s", path, why);
	return 0;
out_close:
	close(fd);
	return -1;
}

static int write_all(int fd, const char *buf, size_t n)
{
	while (n) {
		ssize_t done = write(fd, buf, n);

		if (done < 0 && errno == EINTR)
			continue;
		if (done < 0)
			return -1;
		if (done == 0) {
			errno = EIO;
			return -1;
		}
		buf += done;
		n -= (size_t)done;
	}
	return 0;
}

/* Is @name a temporary file of ours for @base: .<base>.XXXXXX? */
static bool is_our_tmp(const char *name, const char *base)
{
	size_t n = strlen(base), i;

	if (name[0] != '.' || strncmp(name + 1, base, n) != 0 ||
	    name[n + 1] != '.' || strlen(name + n + 2) != strlen(TMP_SUFFIX))
		return false;
	for (i = n + 2; name[i]; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
		      (name[i] >= 'A' && name[i] <= 'Z') ||
		      (name[i] >= '0' && name[i] <= '9')))
			return false;
	return true;
}

/*
 * Removes what a crash during an earlier save left behind.  Best effort:
 * a leftover wastes a few bytes, nothing more.  One daemon saves one
 * file from one thread; two savers of the same file would remove each
 * other's temporary file, and the loser's rename would fail (never tear).
 */
static void remove_leftovers(const char *dir, const char *base)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d)
		return;
	while ((de = readdir(d)) != NULL)
		if (is_our_tmp(de->d_name, base))
			unlinkat(dirfd(d), de->d_name, 0);
	closedir(d);
}

int state_save(const char *path, const struct saved_state *st, char *err,
	       size_t len)
{
	char text[STATE_MAX_BYTES], dir[PATH_MAX], tmp[PATH_MAX];
	const char *slash = strrchr(path, '/'), *base, *step;
	int fd, dfd, n, e;

	if (!valid_state(st))
		return errmsg(err, len, "%s: refusing to save an invalid state",
			    path);
	n = state_format(st, text, sizeof(text));
	if (n < 0 || (size_t)n >= sizeof(text))
		return errmsg(err, len, "%s: the state does not format", path);
	base = slash ? slash + 1 : path;
	if (!base[0] || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return errmsg(err, len, "%s: not a file name", path);
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if (snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path),
			  path) >= (int)sizeof(dir))
		return errmsg(err, len, "%s: %s", path, strerror(ENAMETOOLONG));
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.%s", dir, base, TMP_SUFFIX) >=
	    (int)sizeof(tmp))
		return errmsg(err, len, "%s: %s", path, strerror(ENAMETOOLONG));
	remove_leftovers(dir, base);

	step = "creating a temporary file";
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		e = errno;
		goto out;
	}
	/* Not secret, and mkostemp() makes it 0600. */
	step = "writing";
	if (fchmod(fd, 0644) < 0 || write_all(fd, text, (size_t)n) < 0)
		goto out_close;
	step = "fsync";
	if (fsync(fd) < 0)
		goto out_close;
	step = "closing";
	if (close(fd) < 0) {
		e = errno;
		goto out_unlink;
	}
	step = "renaming the temporary file over it";
	if (rename(tmp, path) < 0) {
		e = errno;
		goto out_unlink;
	}

	/* Done: the file is the new one.  Make the rename durable. */
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0) {
		e = errno;
		if (dfd >= 0)
			close(dfd);
		return errmsg(err, len, "%s: saved, but fsync of %s failed: %s",
			    path, dir, strerror(e));
	}
	close(dfd);
	return 0;

out_close:
	e = errno;
	close(fd);
out_unlink:
	unlink(tmp);
out:
	return errmsg(err, len, "%s: %s: %s (the old state is kept)", path, step,
		    strerror(e));
}
