/* SPDX-License-Identifier: MIT */
/*
 * The weekly program as text (schedule_text.h).  A list is items
 * separated by commas; an item is words separated by blanks.  Every
 * parser fills a local copy, and stores it only when the whole line was
 * read.
 */
#include <config.h>

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/schedule_text.h"
#include "util/errmsg.h"
#include "util/strconv.h"

/* The words of one item: at most this many. */
#define MAX_WORDS 3
#define WORD_MAX 32

struct item {
	size_t n;
	char w[MAX_WORDS][WORD_MAX];
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/*
 * The next item of the list at *@p (up to a comma or the end): its words
 * in @it.  0 at an item, 1 at the end of the list, -1 with @err on an
 * empty item, too many words or a word too long.
 */
static int next_item(const char **p, struct item *it, char *err,
		     size_t errlen)
{
	const char *s = *p;

	memset(it, 0, sizeof(*it));
	while (is_blank(*s))
		s++;
	if (!*s)
		return 1;
	for (;;) {
		const char *w = s;
		size_t n;

		while (*s && *s != ',' && !is_blank(*s))
			s++;
		n = (size_t)(s - w);
		if (n) {
			if (it->n == MAX_WORDS)
				return errmsg(err, errlen, "too many words in "
					      "\"%.*s\"", (int)(s - *p), *p);
			if (n >= WORD_MAX)
				return errmsg(err, errlen, "\"%.20s...\" is too "
					      "long", w);
			memcpy(it->w[it->n++], w, n);
		}
		while (is_blank(*s))
			s++;
		if (!*s || *s == ',')
			break;
	}
	if (it->n == 0)
		return errmsg(err, errlen, "an empty item in the list");
	if (*s == ',') {
		s++;
		/* "a, b," ends in an empty item. */
		while (is_blank(*s))
			s++;
		if (!*s)
			return errmsg(err, errlen, "a comma at the end");
	}
	*p = s;
	return 0;
}

static int parse_temp(const char *w, double *out, char *err, size_t errlen)
{
	if (strconv_decimal(w, strlen(w), out) < 0)
		return errmsg(err, errlen, "\"%s\" is not a temperature", w);
	return 0;
}

/* A preset's name or a temperature: *@preset the index, or -1 and *@temp. */
static int parse_target(const char *w, const struct sched_presets *ps,
			int *preset, double *temp, char *err, size_t errlen)
{
	*temp = 0;
	if ((*w >= '0' && *w <= '9') || *w == '-' || *w == '+' || *w == '.') {
		*preset = -1;
		return parse_temp(w, temp, err, errlen);
	}
	*preset = sched_preset_index(ps, w);
	if (*preset < 0)
		return errmsg(err, errlen, "no preset named \"%s\"", w);
	return 0;
}

static int format_target(char *buf, size_t len, int preset, double temp,
			 const struct sched_presets *ps)
{
	if (preset >= 0 && (size_t)preset < ps->n)
		return snprintf(buf, len, "%s", ps->p[preset].name);
	return strconv_format_double(buf, len, temp);
}

/* "06:30": the minute of the day. */
static int parse_clock(const char *w, int *minute, char *err, size_t errlen)
{
	if (strlen(w) != 5 || w[2] != ':' || w[0] < '0' || w[0] > '2' ||
	    w[1] < '0' || w[1] > '9' || w[3] < '0' || w[3] > '5' ||
	    w[4] < '0' || w[4] > '9')
		return errmsg(err, errlen, "\"%s\" is not a time of day "
			      "(HH:MM, 00:00 to 23:59)", w);
	*minute = ((w[0] - '0') * 10 + (w[1] - '0')) * 60 +
		  (w[3] - '0') * 10 + (w[4] - '0');
	if (*minute >= 24 * 60)
		return errmsg(err, errlen, "\"%s\" is not a time of day "
			      "(HH:MM, 00:00 to 23:59)", w);
	return 0;
}

/* Seconds since the epoch: digits only, no sign, no overflow. */
static int parse_epoch(const char *w, time_t *out, char *err, size_t errlen)
{
	long long v;
	bool big;
	size_t n = strconv_whole(w, strlen(w), false, &v, &big);

	/* And one time_t holds (32 bits on some ARM systems). */
	if (n == 0 || n != strlen(w) || big || v < 0 ||
	    (long long)(time_t)v != v)
		return errmsg(err, errlen, "\"%s\" is not a time (seconds "
			      "since 1970)", w);
	*out = (time_t)v;
	return 0;
}

int presets_parse(const char *text, struct sched_presets *out, char *err,
		  size_t errlen)
{
	struct sched_presets ps;
	const char *p = text;
	struct item it;
	int r;

	memset(&ps, 0, sizeof(ps));
	while ((r = next_item(&p, &it, err, errlen)) == 0) {
		struct sched_preset *e;

		if (it.n != 2)
			return errmsg(err, errlen, "a preset is a name and a "
				      "temperature (\"comfort 21\")");
		if (ps.n == SCHED_MAX_PRESETS)
			return errmsg(err, errlen, "at most %d presets",
				      SCHED_MAX_PRESETS);
		e = &ps.p[ps.n++];
		if (strlen(it.w[0]) >= sizeof(e->name))
			return errmsg(err, errlen, "preset name \"%s\" is too "
				      "long (at most %zu characters)", it.w[0],
				      sizeof(e->name) - 1);
		memcpy(e->name, it.w[0], strlen(it.w[0]));
		if (parse_temp(it.w[1], &e->temp, err, errlen) < 0)
			return -1;
	}
	if (r < 0)
		return -1;
	if (ps.n == 0)
		return errmsg(err, errlen, "no preset");
	/* Names and duplicates (the range is the caller's). */
	if (sched_check(&(struct schedule){ 0 }, &ps, -INFINITY, INFINITY,
			err, errlen) < 0)
		return -1;
	*out = ps;
	return 0;
}

int presets_format(const struct sched_presets *ps, char *buf, size_t len)
{
	size_t off = 0;
	int n;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < ps->n; i++) {
		char num[40];

		strconv_format_double(num, sizeof(num), ps->p[i].temp);
		n = snprintf(buf + (off < len ? off : len),
			     off < len ? len - off : 0, "%s%s %s",
			     i ? ", " : "", ps->p[i].name, num);
		if (n < 0)
			return n;
		off += (size_t)n;
	}
	return (int)off;
}

int day_parse(const char *text, const struct sched_presets *ps,
	      struct sched_day *out, char *err, size_t errlen)
{
	struct sched_day d;
	const char *p = text;
	struct item it;
	int r;

	memset(&d, 0, sizeof(d));
	while ((r = next_item(&p, &it, err, errlen)) == 0) {
		struct sched_point *pt;

		if (it.n != 2)
			return errmsg(err, errlen, "a switch point is a time "
				      "and a preset or temperature (\"06:30 "
				      "comfort\")");
		if (d.n == SCHED_MAX_POINTS)
			return errmsg(err, errlen, "at most %d switch points "
				      "a day", SCHED_MAX_POINTS);
		pt = &d.pt[d.n++];
		if (parse_clock(it.w[0], &pt->minute, err, errlen) < 0 ||
		    parse_target(it.w[1], ps, &pt->preset, &pt->temp, err,
				 errlen) < 0)
			return -1;
		if (d.n > 1 && pt->minute <= pt[-1].minute)
			return errmsg(err, errlen, "%s is not after the point "
				      "before it (sorted by time, one per "
				      "time)", it.w[0]);
	}
	if (r < 0)
		return -1;
	*out = d;
	return 0;
}

int day_format(const struct sched_day *d, const struct sched_presets *ps,
	       char *buf, size_t len)
{
	size_t off = 0;

	if (len)
		buf[0] = '\0';
	for (size_t i = 0; i < d->n; i++) {
		char what[40];
		int n;

		format_target(what, sizeof(what), d->pt[i].preset,
			      d->pt[i].temp, ps);
		n = snprintf(buf + (off < len ? off : len),
			     off < len ? len - off : 0, "%s%02d:%02d %s",
			     i ? ", " : "", d->pt[i].minute / 60,
			     d->pt[i].minute % 60, what);
		if (n < 0)
			return n;
		off += (size_t)n;
	}
	return (int)off;
}

int hold_parse(const char *text, const struct sched_presets *ps,
	       struct sched_hold *out, char *err, size_t errlen)
{
	struct sched_hold h;
	const char *p = text;
	struct item it;
	int r = next_item(&p, &it, err, errlen);

	if (r < 0)
		return -1;
	if (r > 0 || *p)
		return errmsg(err, errlen, "a hold is one item (\"none\", "
			      "\"next eco 1796540400\", \"forever 19.5\", "
			      "\"until away 1796986800\")");
	/* No hold is all zero. */
	memset(&h, 0, sizeof(h));
	if (strcmp(it.w[0], "none") == 0 && it.n == 1) {
		h.kind = HOLD_NONE;
	} else if (strcmp(it.w[0], "forever") == 0 && it.n == 2) {
		h.kind = HOLD_FOREVER;
	} else if (strcmp(it.w[0], "next") == 0 && it.n == 3) {
		h.kind = HOLD_NEXT;
		if (parse_epoch(it.w[2], &h.since, err, errlen) < 0)
			return -1;
	} else if (strcmp(it.w[0], "until") == 0 && it.n == 3) {
		h.kind = HOLD_UNTIL;
		if (parse_epoch(it.w[2], &h.until, err, errlen) < 0)
			return -1;
	} else {
		return errmsg(err, errlen, "a hold is none, next PRESET|TEMP "
			      "SINCE, forever PRESET|TEMP or until "
			      "PRESET|TEMP UNTIL");
	}
	if (h.kind != HOLD_NONE &&
	    parse_target(it.w[1], ps, &h.preset, &h.temp, err, errlen) < 0)
		return -1;
	*out = h;
	return 0;
}

int hold_format(const struct sched_hold *h, const struct sched_presets *ps,
		char *buf, size_t len)
{
	char what[40];

	if (h->kind != HOLD_NONE)
		format_target(what, sizeof(what), h->preset, h->temp, ps);
	switch (h->kind) {
	case HOLD_NEXT:
		return snprintf(buf, len, "next %s %" PRId64, what,
				(int64_t)h->since);
	case HOLD_FOREVER:
		return snprintf(buf, len, "forever %s", what);
	case HOLD_UNTIL:
		return snprintf(buf, len, "until %s %" PRId64, what,
				(int64_t)h->until);
	case HOLD_NONE:
		break;
	}
	return snprintf(buf, len, "none");
}

int boost_parse(const char *text, struct sched_boost *out, char *err,
		size_t errlen)
{
	struct sched_boost b;
	const char *p = text;
	struct item it;
	int r = next_item(&p, &it, err, errlen);

	if (r < 0)
		return -1;
	memset(&b, 0, sizeof(b));
	if (r == 0 && !*p && it.n == 1 && strcmp(it.w[0], "none") == 0) {
		*out = b;
		return 0;
	}
	if (r > 0 || *p || it.n != 3 || strcmp(it.w[1], "until") != 0)
		return errmsg(err, errlen, "a boost is none or TEMP until "
			      "SECONDS (\"23 until 1796540400\")");
	if (parse_temp(it.w[0], &b.temp, err, errlen) < 0 ||
	    parse_epoch(it.w[2], &b.until, err, errlen) < 0)
		return -1;
	if (b.until == 0)
		return errmsg(err, errlen, "a boost ends after 1970");
	*out = b;
	return 0;
}

int boost_format(const struct sched_boost *b, char *buf, size_t len)
{
	char num[40];

	if (b->until == 0)
		return snprintf(buf, len, "none");
	strconv_format_double(num, sizeof(num), b->temp);
	return snprintf(buf, len, "%s until %" PRId64, num, (int64_t)b->until);
}
