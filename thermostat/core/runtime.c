/* SPDX-License-Identifier: MIT */
#include <config.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "core/runtime.h"
#include "util/errmsg.h"
#include "util/strconv.h"

/* Callers compare records and summaries bytewise: neither has padding
 * to leave undefined (and the summary is memset before it is filled all
 * the same). */
_Static_assert(sizeof(struct runtime_day) == 12, "runtime_day has padding");
_Static_assert(sizeof(struct runtime) == RUNTIME_DAYS * 12 + 16,
	       "runtime has padding");
_Static_assert(sizeof(struct runtime_summary) == 16 + 5 * 4 + 7 * 12,
	       "runtime_summary has padding");
_Static_assert(RUNTIME_TOTAL_MAX == STRCONV_WHOLE_MAX,
	       "totals must read back through strconv_whole");

/* ---- dates ----------------------------------------------------------- */

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int days[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31,
	};

	return m == 2 && leap(y) ? 29 : days[m - 1];
}

/* Is @date (yyyymmdd) a real date in 1900..9999? */
static bool valid_date(int64_t date)
{
	int y = (int)(date / 10000), m = (int)(date / 100 % 100),
	    d = (int)(date % 100);

	return y >= 1900 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
	       d <= month_days(y, m);
}

/* Days since 1970-01-01 of a date and back (proleptic Gregorian; H.
 * Hinnant's days_from_civil).  Calendar arithmetic needs no time zone:
 * the day before a date is the day before, however long either was. */
static int64_t days_of(int32_t date)
{
	int64_t y = date / 10000, m = date / 100 % 100, d = date % 100;
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static int32_t date_of_days(int64_t z)
{
	int64_t era, doe, yoe, y, doy, mp, d, m;

	z += 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp + (mp < 10 ? 3 : -9);
	y += m <= 2;
	return (int32_t)(y * 10000 + m * 100 + d);
}

/* The date @n days after @date (before, for n < 0). */
static int32_t date_add(int32_t date, int n)
{
	return date_of_days(days_of(date) + n);
}

/* The local date of @t (and its broken-down time in *@tm), or 0 when it
 * has none in 1900..9999. */
static int32_t local_date(time_t t, struct tm *tm)
{
	struct tm buf;
	int64_t date;

	if (!tm)
		tm = &buf;
	if (!localtime_r(&t, tm))
		return 0;
	date = ((int64_t)tm->tm_year + 1900) * 10000 +
	       (tm->tm_mon + 1) * 100 + tm->tm_mday;
	return valid_date(date) ? (int32_t)date : 0;
}

/*
 * The first instant after @t (whose local date is @date) at which the
 * local date is another, or -1.  Usually the next local midnight, which
 * mktime gives; where it does not (a zone whose clocks change at
 * midnight, a date line move), the instant is searched for: the date is
 * @date at lo and another at hi.
 */
static time_t day_end(time_t t, int32_t date)
{
	struct tm tm = {
		.tm_year = date / 10000 - 1900, .tm_mon = date / 100 % 100 - 1,
		.tm_mday = date % 100 + 1, .tm_isdst = -1,
	};
	time_t e = mktime(&tm), lo = t, hi;

	if (e != (time_t)-1 && e > t && local_date(e, NULL) != date &&
	    local_date(e - 1, NULL) == date)
		return e;
	/* Two days on, the date is another (unless time_t ends first: a
	 * 32-bit one ends in January 2038). */
	if (__builtin_add_overflow(t, 2 * RUNTIME_DAY_MAX, &hi) ||
	    local_date(hi, NULL) == date)
		return -1;
	while (hi - lo > 1) {
		time_t mid = lo + (hi - lo) / 2;

		if (local_date(mid, NULL) == date)
			lo = mid;
		else
			hi = mid;
	}
	return hi;
}

/* ---- the record ------------------------------------------------------ */

static uint64_t total_add(uint64_t total, uint64_t n)
{
	return n > RUNTIME_TOTAL_MAX - total ? RUNTIME_TOTAL_MAX : total + n;
}

/* The slot of @date: the one it has, else a new one in date order (the
 * oldest date falls off when all are used), else NULL when all slots
 * hold newer dates. */
static struct runtime_day *day_slot(struct runtime *rt, int32_t date)
{
	size_t i;

	for (i = 0; i < RUNTIME_DAYS; i++) {
		if (rt->day[i].date == date)
			return &rt->day[i];
		if (rt->day[i].date < date) /* older, or unused (0) */
			break;
	}
	if (i == RUNTIME_DAYS)
		return NULL;
	memmove(&rt->day[i + 1], &rt->day[i],
		(RUNTIME_DAYS - 1 - i) * sizeof(rt->day[0]));
	memset(&rt->day[i], 0, sizeof(rt->day[i]));
	rt->day[i].date = date;
	return &rt->day[i];
}

void runtime_add(struct runtime *rt, time_t from, time_t to)
{
	/* Enough to reach back over the kept days, however long. */
	const uint64_t reach = (uint64_t)(RUNTIME_DAYS + 1) * RUNTIME_DAY_MAX;
	uint64_t span;
	time_t t;

	if (from >= to)
		return;
	span = (uint64_t)to - (uint64_t)from;
	rt->total_seconds = total_add(rt->total_seconds, span);
	t = span > reach ? to - (time_t)reach : from;
	/* Piece by local date, oldest first: the dates before the kept ones
	 * get a slot and then fall off as newer ones come. */
	while (t < to) {
		int32_t date = local_date(t, NULL);
		time_t end;
		struct runtime_day *day;

		if (!date)
			break;
		end = day_end(t, date);
		if (end == (time_t)-1 || end > to)
			end = to;
		day = day_slot(rt, date);
		if (day) {
			uint64_t s = (uint64_t)day->seconds +
				     (uint64_t)(end - t);

			day->seconds = s > RUNTIME_DAY_MAX ? RUNTIME_DAY_MAX
							   : (uint32_t)s;
		}
		t = end;
	}
}

void runtime_cycle(struct runtime *rt, time_t at)
{
	int32_t date = local_date(at, NULL);
	struct runtime_day *day = date ? day_slot(rt, date) : NULL;

	rt->total_cycles = total_add(rt->total_cycles, 1);
	if (day && day->cycles < UINT32_MAX)
		day->cycles++;
}

/* ---- the summary ----------------------------------------------------- */

static const struct runtime_day *day_find(const struct runtime *rt,
					  int32_t date)
{
	for (size_t i = 0; i < RUNTIME_DAYS && rt->day[i].date; i++)
		if (rt->day[i].date == date)
			return &rt->day[i];
	return NULL;
}

void runtime_summary(const struct runtime *rt, time_t now,
		     struct runtime_summary *out)
{
	const struct runtime_day *day;
	struct tm tm;
	int32_t today = local_date(now, &tm);
	int since_monday;

	memset(out, 0, sizeof(*out));
	out->total = rt->total_seconds;
	out->total_cycles = rt->total_cycles;
	if (!today)
		return;
	/* tm_wday: 0 is Sunday. */
	since_monday = (tm.tm_wday + 6) % 7;
	for (int i = 0; i < 7; i++) {
		int ago = 6 - i;

		out->last7[i].date = date_add(today, -ago);
		day = day_find(rt, out->last7[i].date);
		if (!day)
			continue;
		out->last7[i].seconds = day->seconds;
		out->last7[i].cycles = day->cycles;
		if (ago <= since_monday)
			out->week += day->seconds;
	}
	out->today = out->last7[6].seconds;
	out->cycles_today = out->last7[6].cycles;
	out->yesterday = out->last7[5].seconds;
	out->cycles_yesterday = out->last7[5].cycles;
}

/* ---- text ------------------------------------------------------------ */

int runtime_format(const struct runtime *rt, char *buf, size_t len)
{
	size_t n = 0, used = 0;
	int k;

	while (used < RUNTIME_DAYS && rt->day[used].date)
		used++;
	k = snprintf(buf, len, "total %" PRIu64 " %" PRIu64 " days %zu",
		     rt->total_seconds, rt->total_cycles, used);
	if (k < 0)
		return k;
	n = (size_t)k;
	for (size_t i = 0; i < used; i++) {
		const struct runtime_day *d = &rt->day[i];

		k = snprintf(n < len ? buf + n : NULL, n < len ? len - n : 0,
			     " %" PRId32 ":%" PRIu32 ":%" PRIu32, d->date,
			     d->seconds, d->cycles);
		if (k < 0)
			return k;
		n += (size_t)k;
	}
	return (int)n;
}

/* Reads the literal @word at *@p and moves past it. */
static bool take(const char **p, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(*p, word, n) != 0)
		return false;
	*p += n;
	return true;
}

/* Reads a number at *@p, as runtime_format writes them (digits, no sign,
 * no leading zero), of at most @max: 0, or -1 with the reason in
 * @err (@what names the number). */
static int take_number(const char **p, uint64_t max, const char *what,
		       uint64_t *out, char *err, size_t errlen)
{
	long long v;
	bool big;
	size_t n;

	if (**p < '0' || **p > '9')
		return errmsg(err, errlen, "%s: expected a number", what);
	/* 64 digits are more than enough to be too large. */
	n = strconv_whole(*p, strnlen(*p, 64), false, &v, &big);
	if (n > 1 && **p == '0')
		return errmsg(err, errlen, "%s: a number has no leading zeros",
			      what);
	if (big || (uint64_t)v > max)
		return errmsg(err, errlen, "%s: %.*s is too large (at most "
			      "%" PRIu64 ")", what, (int)(n > 24 ? 24 : n), *p,
			      max);
	*p += n;
	*out = (uint64_t)v;
	return 0;
}

int runtime_parse(const char *text, struct runtime *out, char *err,
		  size_t errlen)
{
	struct runtime rt;
	uint64_t n, v, sum_seconds = 0, sum_cycles = 0;
	const char *p = text;
	char what[32], secs[32], cycles[32];

	memset(&rt, 0, sizeof(rt));
	if (!take(&p, "total "))
		return errmsg(err, errlen, "expected \"total SECONDS CYCLES "
			      "days N\" at the start");
	if (take_number(&p, RUNTIME_TOTAL_MAX, "total seconds",
			&rt.total_seconds, err, errlen) < 0)
		return -1;
	if (!take(&p, " "))
		return errmsg(err, errlen, "expected one space after the "
			      "total seconds");
	if (take_number(&p, RUNTIME_TOTAL_MAX, "total cycles",
			&rt.total_cycles, err, errlen) < 0)
		return -1;
	if (!take(&p, " days "))
		return errmsg(err, errlen, "expected \" days N\" after the "
			      "totals");
	if (take_number(&p, RUNTIME_DAYS, "number of days", &n, err,
			errlen) < 0)
		return -1;
	for (int i = 0; i < (int)n; i++) {
		struct runtime_day *d = &rt.day[i];

		snprintf(what, sizeof(what), "day %d", i + 1);
		snprintf(secs, sizeof(secs), "day %d seconds", i + 1);
		snprintf(cycles, sizeof(cycles), "day %d cycles", i + 1);
		if (!take(&p, " "))
			return errmsg(err, errlen, "%s: expected one space and "
				      "DATE:SECONDS:CYCLES (%" PRIu64 " days "
				      "announced)", what, n);
		if (take_number(&p, 99999999, what, &v, err, errlen) < 0)
			return -1;
		if (!valid_date((int64_t)v))
			return errmsg(err, errlen, "%s: %" PRIu64 " is not a "
				      "date (yyyymmdd, 1900 to 9999)", what, v);
		d->date = (int32_t)v;
		if (i > 0 && d->date == d[-1].date)
			return errmsg(err, errlen, "%s: %" PRId32 " given "
				      "twice", what, d->date);
		if (i > 0 && d->date > d[-1].date)
			return errmsg(err, errlen, "%s: %" PRId32 " is after "
				      "%" PRId32 " (newest first)", what,
				      d->date, d[-1].date);
		if (!take(&p, ":"))
			return errmsg(err, errlen, "%s: expected ':' after the "
				      "date", what);
		if (take_number(&p, RUNTIME_DAY_MAX, secs, &v, err,
				errlen) < 0)
			return -1;
		d->seconds = (uint32_t)v;
		if (!take(&p, ":"))
			return errmsg(err, errlen, "%s: expected ':' after the "
				      "seconds", what);
		if (take_number(&p, UINT32_MAX, cycles, &v, err, errlen) < 0)
			return -1;
		d->cycles = (uint32_t)v;
		sum_seconds += d->seconds;
		sum_cycles += d->cycles;
	}
	if (*p)
		return errmsg(err, errlen, "unexpected text after the %s: "
			      "\"%.20s\"", n ? "last day" : "number of days",
			      p);
	if (sum_seconds > rt.total_seconds)
		return errmsg(err, errlen, "the total, %" PRIu64 " s, is less "
			      "than its days' %" PRIu64 " s",
			      rt.total_seconds, sum_seconds);
	if (sum_cycles > rt.total_cycles)
		return errmsg(err, errlen, "the total, %" PRIu64 " cycles, is "
			      "less than its days' %" PRIu64,
			      rt.total_cycles, sum_cycles);
	memcpy(out, &rt, sizeof(*out));
	return 0;
}
