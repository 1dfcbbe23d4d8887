/* SPDX-License-Identifier: MIT */
/*
 * The state file: "# thermostat state\nsetpoint=21.5\nmode=heat\n".
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

#include "io/statefile.h"
#include "util/errmsg.h"
#include "util/readfile.h"
#include "util/strconv.h"

/* The file is about 40 bytes; a larger one is not ours. */
#define STATE_MAX_BYTES 4096
/* mkostemp()'s suffix: the temporary file is <dir>/.<name>.XXXXXX. */
#define TMP_SUFFIX "XXXXXX"

/* ---- the text ------------------------------------------------------- */

static bool valid_state(const struct saved_state *st)
{
	return isfinite(st->setpoint) &&
	       (st->mode == MODE_OFF || st->mode == MODE_HEAT);
}

int state_format(const struct saved_state *st, char *buf, size_t len)
{
	char num[40];

	strconv_format_double(num, sizeof(num), st->setpoint);
	return snprintf(buf, len, "# thermostat state\nsetpoint=%s\nmode=%s\n",
			num, mode_name(st->mode));
}

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

int state_parse(const char *text, size_t n,
		const struct setpoint_limits *limits, struct saved_state *out,
		char *err, size_t len)
{
	struct saved_state st = { NAN, MODE_HEAT };
	int setpoint_line = 0, mode_line = 0, line = 0, ret;
	const char *p = text, *end = text + n;

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
		char value[64];

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
		if ((size_t)(ve - v) >= sizeof(value))
			return errmsg(err, len, "line %d: value too long", line);
		memcpy(value, v, (size_t)(ve - v));
		value[ve - v] = '\0';
		if ((size_t)(ke - k) == 8 && memcmp(k, "setpoint", 8) == 0) {
			if (setpoint_line)
				return errmsg(err, len, "line %d: setpoint "
					    "again (first on line %d)", line,
					    setpoint_line);
			setpoint_line = line;
			ret = strconv_decimal(value, strlen(value),
					      &st.setpoint);
			if (ret == -ERANGE)
				return errmsg(err, len, "line %d: setpoint is "
					    "too large", line);
			if (ret < 0)
				return errmsg(err, len, "line %d: setpoint is "
					    "not a number", line);
			if (limits && (st.setpoint < limits->min ||
				       st.setpoint > limits->max))
				return errmsg(err, len, "line %d: setpoint %s "
					    "is outside min_setpoint.."
					    "max_setpoint (%g..%g)", line,
					    value, limits->min, limits->max);
		} else if ((size_t)(ke - k) == 4 && memcmp(k, "mode", 4) == 0) {
			if (mode_line)
				return errmsg(err, len, "line %d: mode again "
					    "(first on line %d)", line,
					    mode_line);
			mode_line = line;
			if (mode_from_name(value, &st.mode) < 0)
				return errmsg(err, len, "line %d: mode is not "
					    "heat or off", line);
		} else {
			return errmsg(err, len, "line %d: unknown key", line);
		}
	}
	if (!setpoint_line)
		return errmsg(err, len, "no setpoint");
	if (!mode_line)
		return errmsg(err, len, "no mode");
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
	char text[128], dir[PATH_MAX], tmp[PATH_MAX];
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
