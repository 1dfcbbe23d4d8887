/* SPDX-License-Identifier: MIT */
/*
 * Furnace runtime (core/runtime.c): on-time split at local midnights, the
 * 23- and 25-hour days of both clock changes in Europe/Berlin and
 * America/New_York (tzdata), today, yesterday and the week from Monday,
 * totals and cycles, days falling off, the clock going back, and the
 * state file's line: round trips and a table of lines it must refuse.
 */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/runtime.h"
#include "runner.h"

static const char *const zones[] = { "Europe/Berlin", "America/New_York" };

static void use_tz(const char *tz)
{
	ck_assert_int_eq(setenv("TZ", tz, 1), 0);
	tzset();
	/* tzdata must be there: an unknown zone silently reads as UTC. */
	{
		time_t summer = 1782820800; /* 2026-06-30 12:00 UTC */
		struct tm tm;

		localtime_r(&summer, &tm);
		ck_assert_msg(tm.tm_gmtoff != 0, "TZ=%s reads as UTC: is "
			      "tzdata installed?", tz);
	}
}

/* A local wall time that happens once that day. */
static time_t at(int y, int m, int d, int h, int min)
{
	struct tm tm = {
		.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d,
		.tm_hour = h, .tm_min = min, .tm_isdst = -1,
	};
	time_t t = mktime(&tm);

	ck_assert_int_ne(t, (time_t)-1);
	return t;
}

/* The local date of @t as yyyymmdd. */
static int32_t ymd(time_t t)
{
	struct tm tm;

	ck_assert_ptr_nonnull(localtime_r(&t, &tm));
	return (tm.tm_year + 1900) * 10000 + (tm.tm_mon + 1) * 100 +
	       tm.tm_mday;
}

static const struct runtime_day *find(const struct runtime *rt,
				      int32_t date)
{
	for (size_t i = 0; i < RUNTIME_DAYS; i++)
		if (rt->day[i].date == date)
			return &rt->day[i];
	return NULL;
}

/* Seconds of @date; -1 when it has no slot. */
static long long secs(const struct runtime *rt, int32_t date)
{
	const struct runtime_day *d = find(rt, date);

	return d ? (long long)d->seconds : -1;
}

/* Runs of @date; -1 when it has no slot. */
static long long runs(const struct runtime *rt, int32_t date)
{
	const struct runtime_day *d = find(rt, date);

	return d ? (long long)d->cycles : -1;
}

static size_t used(const struct runtime *rt)
{
	size_t n = 0;

	while (n < RUNTIME_DAYS && rt->day[n].date)
		n++;
	return n;
}

/* The record's promises: used slots first, newest first, no date twice,
 * the rest all zero; and its line reads back to the same bytes. */
static void check_record(const struct runtime *rt)
{
	struct runtime back;
	char text[RUNTIME_TEXT_MAX], err[200];
	size_t i, n = used(rt);
	int len;

	for (i = 1; i < n; i++)
		ck_assert_int_lt(rt->day[i].date, rt->day[i - 1].date);
	for (i = n; i < RUNTIME_DAYS; i++) {
		ck_assert_int_eq(rt->day[i].date, 0);
		ck_assert_uint_eq(rt->day[i].seconds, 0);
		ck_assert_uint_eq(rt->day[i].cycles, 0);
	}
	len = runtime_format(rt, text, sizeof(text));
	ck_assert_int_gt(len, 0);
	ck_assert_int_lt(len, (int)sizeof(text));
	memset(&back, 0xa5, sizeof(back));
	err[0] = '\0';
	ck_assert_msg(runtime_parse(text, &back, err, sizeof(err)) == 0,
		      "\"%s\": %s", text, err);
	ck_assert_msg(memcmp(&back, rt, sizeof(back)) == 0,
		      "\"%s\" reads back otherwise", text);
}

/* ---- local days ------------------------------------------------------ */

START_TEST(split_at_local_midnight)
{
	struct runtime rt;

	use_tz(zones[_i]);
	memset(&rt, 0, sizeof(rt));
	/* Monday 23:30 to Tuesday 00:45. */
	runtime_add(&rt, at(2026, 12, 7, 23, 30), at(2026, 12, 8, 0, 45));
	ck_assert_uint_eq(used(&rt), 2);
	ck_assert_int_eq(rt.day[0].date, 20261208);
	ck_assert_uint_eq(rt.day[0].seconds, 2700);
	ck_assert_int_eq(rt.day[1].date, 20261207);
	ck_assert_uint_eq(rt.day[1].seconds, 1800);
	ck_assert_uint_eq(rt.total_seconds, 4500);
	check_record(&rt);

	/* A run that ends at midnight is the day's alone; one that begins
	 * there is the next day's. */
	memset(&rt, 0, sizeof(rt));
	runtime_add(&rt, at(2026, 12, 9, 22, 0), at(2026, 12, 10, 0, 0));
	ck_assert_uint_eq(used(&rt), 1);
	ck_assert_int_eq(secs(&rt, 20261209), 7200);
	runtime_add(&rt, at(2026, 12, 10, 0, 0), at(2026, 12, 10, 0, 1));
	ck_assert_uint_eq(used(&rt), 2);
	ck_assert_int_eq(secs(&rt, 20261210), 60);
	ck_assert_int_eq(secs(&rt, 20261209), 7200);
	/* Pieces of one day add up; empty and backward spans count
	 * nothing. */
	runtime_add(&rt, at(2026, 12, 10, 6, 0), at(2026, 12, 10, 6, 30));
	{
		struct runtime before = rt;

		runtime_add(&rt, at(2026, 12, 10, 8, 0), at(2026, 12, 10, 8, 0));
		runtime_add(&rt, at(2026, 12, 10, 9, 0), at(2026, 12, 10, 8, 0));
		ck_assert(memcmp(&before, &rt, sizeof(rt)) == 0);
	}
	ck_assert_int_eq(secs(&rt, 20261210), 60 + 1800);
	ck_assert_uint_eq(rt.total_seconds, 7200 + 60 + 1800);
	check_record(&rt);
}
END_TEST

/* The clock changes of 2026, all on a Sunday. */
static const struct change {
	const char *tz;
	int y, m, d;
	time_t midnight;	/* that Sunday 00:00 local */
	uint32_t length;	/* the day's seconds */
} changes[] = {
	{ "Europe/Berlin", 2026, 3, 29, 1774738800, 82800 },
	{ "Europe/Berlin", 2026, 10, 25, 1792879200, 90000 },
	{ "America/New_York", 2026, 3, 8, 1772946000, 82800 },
	{ "America/New_York", 2026, 11, 1, 1793505600, 90000 },
};

START_TEST(clock_change_days)
{
	const struct change *c = &changes[_i];
	int32_t sun = c->y * 10000 + c->m * 100 + c->d;
	struct runtime rt;
	struct runtime_summary sm;
	time_t next;

	use_tz(c->tz);
	ck_assert_int_eq(at(c->y, c->m, c->d, 0, 0), c->midnight);
	next = at(c->y, c->m, c->d + 1, 0, 0);
	ck_assert_int_eq(next - c->midnight, c->length);

	/* On all day. */
	memset(&rt, 0, sizeof(rt));
	runtime_add(&rt, c->midnight, next);
	ck_assert_uint_eq(used(&rt), 1);
	ck_assert_int_eq(rt.day[0].date, sun);
	ck_assert_uint_eq(rt.day[0].seconds, c->length);
	check_record(&rt);

	/* 00:30 to 03:30 wall time, over the change: 2 or 4 hours. */
	memset(&rt, 0, sizeof(rt));
	runtime_add(&rt, at(c->y, c->m, c->d, 0, 30),
		    at(c->y, c->m, c->d, 3, 30));
	ck_assert_int_eq(secs(&rt, sun), (long long)c->length - 86400 +
						 3 * 3600);

	/* Friday noon to Tuesday noon. */
	memset(&rt, 0, sizeof(rt));
	runtime_add(&rt, at(c->y, c->m, c->d - 2, 12, 0),
		    at(c->y, c->m, c->d + 2, 12, 0));
	ck_assert_uint_eq(used(&rt), 5);
	ck_assert_int_eq(secs(&rt, ymd(at(c->y, c->m, c->d - 2, 12, 0))),
			 43200);
	ck_assert_int_eq(secs(&rt, ymd(at(c->y, c->m, c->d - 1, 12, 0))),
			 86400);
	ck_assert_int_eq(secs(&rt, sun), c->length);
	ck_assert_int_eq(secs(&rt, ymd(at(c->y, c->m, c->d + 1, 12, 0))),
			 86400);
	ck_assert_int_eq(secs(&rt, ymd(at(c->y, c->m, c->d + 2, 12, 0))),
			 43200);
	ck_assert_uint_eq(rt.total_seconds, 3 * 86400 + c->length);
	check_record(&rt);

	/* The whole week, Monday 00:00 to the next: seen on the Sunday,
	 * and just after midnight (yesterday is the short or long day,
	 * not the 24 hours before). */
	memset(&rt, 0, sizeof(rt));
	runtime_add(&rt, at(c->y, c->m, c->d - 6, 0, 0), next);
	runtime_summary(&rt, at(c->y, c->m, c->d, 23, 0), &sm);
	ck_assert_uint_eq(sm.today, c->length);
	ck_assert_uint_eq(sm.yesterday, 86400);
	ck_assert_uint_eq(sm.week, 6 * 86400 + c->length);
	runtime_summary(&rt, next + 1800, &sm);
	ck_assert_uint_eq(sm.today, 0);
	ck_assert_uint_eq(sm.yesterday, c->length);
	ck_assert_uint_eq(sm.week, 0);
	ck_assert_uint_eq(sm.total, 6 * 86400 + c->length);
}
END_TEST

/* ---- the summary ----------------------------------------------------- */

START_TEST(week_starts_monday)
{
	struct runtime rt;
	struct runtime_summary sm;

	use_tz(zones[_i]);
	memset(&rt, 0, sizeof(rt));
	/* Monday 2026-11-30 and Tuesday, then Sunday 12-06 23:00 to
	 * Monday 12-07 01:00. */
	runtime_add(&rt, at(2026, 11, 30, 7, 0), at(2026, 11, 30, 7, 10));
	runtime_add(&rt, at(2026, 12, 1, 7, 0), at(2026, 12, 1, 7, 1));
	runtime_add(&rt, at(2026, 12, 6, 23, 0), at(2026, 12, 7, 1, 0));

	/* Sunday 23:30: the week is Monday to Sunday. */
	runtime_summary(&rt, at(2026, 12, 6, 23, 30), &sm);
	ck_assert_uint_eq(sm.today, 3600);
	ck_assert_uint_eq(sm.yesterday, 0);
	ck_assert_uint_eq(sm.week, 600 + 60 + 3600);
	/* Monday 00:00 begins a new week. */
	runtime_summary(&rt, at(2026, 12, 7, 0, 0), &sm);
	ck_assert_uint_eq(sm.today, 3600);
	ck_assert_uint_eq(sm.yesterday, 3600);
	ck_assert_uint_eq(sm.week, 3600);
	/* Monday noon, Tuesday with a run of its own, the next Sunday. */
	runtime_summary(&rt, at(2026, 12, 7, 12, 0), &sm);
	ck_assert_uint_eq(sm.week, 3600);
	runtime_add(&rt, at(2026, 12, 8, 9, 0), at(2026, 12, 8, 9, 20));
	runtime_summary(&rt, at(2026, 12, 8, 12, 0), &sm);
	ck_assert_uint_eq(sm.today, 1200);
	ck_assert_uint_eq(sm.yesterday, 3600);
	ck_assert_uint_eq(sm.week, 3600 + 1200);
	runtime_summary(&rt, at(2026, 12, 13, 23, 59), &sm);
	ck_assert_uint_eq(sm.today, 0);
	ck_assert_uint_eq(sm.week, 3600 + 1200);
	/* The Monday after: nothing yet. */
	runtime_summary(&rt, at(2026, 12, 14, 0, 0), &sm);
	ck_assert_uint_eq(sm.week, 0);
	ck_assert_uint_eq(sm.total, 600 + 60 + 7200 + 1200);
	check_record(&rt);
}
END_TEST

START_TEST(totals_and_cycles)
{
	struct runtime rt;
	struct runtime_summary sm;

	use_tz(zones[_i]);
	memset(&rt, 0, sizeof(rt));
	/* Monday: three runs, the last one to 00:10 Tuesday; Tuesday one
	 * run.  A run counts on the day it began. */
	runtime_cycle(&rt, at(2026, 12, 7, 6, 0));
	runtime_add(&rt, at(2026, 12, 7, 6, 0), at(2026, 12, 7, 6, 20));
	runtime_cycle(&rt, at(2026, 12, 7, 12, 0));
	runtime_add(&rt, at(2026, 12, 7, 12, 0), at(2026, 12, 7, 12, 5));
	runtime_cycle(&rt, at(2026, 12, 7, 23, 50));
	runtime_add(&rt, at(2026, 12, 7, 23, 50), at(2026, 12, 8, 0, 10));
	runtime_cycle(&rt, at(2026, 12, 8, 0, 0));
	runtime_add(&rt, at(2026, 12, 8, 5, 0), at(2026, 12, 8, 5, 15));

	ck_assert_uint_eq(rt.total_cycles, 4);
	ck_assert_uint_eq(rt.total_seconds, 1200 + 300 + 1200 + 900);
	ck_assert_int_eq(runs(&rt, 20261207), 3);
	ck_assert_int_eq(runs(&rt, 20261208), 1);
	runtime_summary(&rt, at(2026, 12, 8, 18, 0), &sm);
	ck_assert_uint_eq(sm.cycles_today, 1);
	ck_assert_uint_eq(sm.cycles_yesterday, 3);
	ck_assert_uint_eq(sm.today, 600 + 900);
	ck_assert_uint_eq(sm.yesterday, 1200 + 300 + 600);
	ck_assert_uint_eq(sm.total, 3600);
	ck_assert_uint_eq(sm.total_cycles, 4);
	ck_assert_uint_eq(sm.last7[6].cycles, 1);
	ck_assert_uint_eq(sm.last7[5].cycles, 3);
	check_record(&rt);
}
END_TEST

START_TEST(days_fall_off)
{
	struct runtime rt;
	struct runtime_summary sm;

	use_tz(zones[_i]);
	memset(&rt, 0, sizeof(rt));
	/* An hour and a run each day, 1 to 10 December. */
	for (int d = 1; d <= 10; d++) {
		runtime_cycle(&rt, at(2026, 12, d, 12, 0));
		runtime_add(&rt, at(2026, 12, d, 12, 0), at(2026, 12, d, 13, 0));
		ck_assert_uint_eq(used(&rt), d < RUNTIME_DAYS ? d
							      : RUNTIME_DAYS);
		check_record(&rt);
	}
	for (int i = 0; i < RUNTIME_DAYS; i++) {
		ck_assert_int_eq(rt.day[i].date, 20261210 - i);
		ck_assert_uint_eq(rt.day[i].seconds, 3600);
		ck_assert_uint_eq(rt.day[i].cycles, 1);
	}
	ck_assert_ptr_null(find(&rt, 20261202));
	ck_assert_uint_eq(rt.total_seconds, 10 * 3600);
	ck_assert_uint_eq(rt.total_cycles, 10);
	/* Time for a date older than all kept ones goes to the totals. */
	runtime_add(&rt, at(2026, 12, 2, 12, 0), at(2026, 12, 2, 12, 1));
	runtime_cycle(&rt, at(2026, 12, 2, 12, 0));
	ck_assert_ptr_null(find(&rt, 20261202));
	ck_assert_int_eq(rt.day[RUNTIME_DAYS - 1].date, 20261203);
	ck_assert_uint_eq(rt.total_seconds, 10 * 3600 + 60);
	ck_assert_uint_eq(rt.total_cycles, 11);
	runtime_summary(&rt, at(2026, 12, 10, 20, 0), &sm);
	for (int i = 0; i < 7; i++)
		ck_assert_uint_eq(sm.last7[i].seconds, 3600);
	check_record(&rt);
}
END_TEST

START_TEST(long_spans)
{
	struct runtime rt;
	time_t from, to;

	use_tz(zones[_i]);
	from = at(2026, 11, 1, 12, 0);
	to = at(2026, 12, 1, 12, 0);
	/* 30 days (over the fall-back in New York): the totals get all of
	 * it, the days the last eight dates. */
	memset(&rt, 0, sizeof(rt));
	runtime_add(&rt, from, to);
	ck_assert_uint_eq(rt.total_seconds, (uint64_t)(to - from));
	ck_assert_uint_eq(used(&rt), RUNTIME_DAYS);
	ck_assert_int_eq(rt.day[0].date, 20261201);
	ck_assert_uint_eq(rt.day[0].seconds, 43200);
	for (int i = 1; i < RUNTIME_DAYS; i++) {
		ck_assert_int_eq(rt.day[i].date, 20261130 - (i - 1));
		ck_assert_uint_eq(rt.day[i].seconds, 86400);
	}
	check_record(&rt);
	/* Since 1970: as quick, and as exact. */
	memset(&rt, 0, sizeof(rt));
	runtime_add(&rt, 0, to);
	ck_assert_uint_eq(rt.total_seconds, (uint64_t)to);
	ck_assert_int_eq(rt.day[RUNTIME_DAYS - 1].date, 20261124);
	ck_assert_uint_eq(rt.day[RUNTIME_DAYS - 1].seconds, 86400);
	check_record(&rt);
}
END_TEST

START_TEST(last7_zero_filled)
{
	static const int32_t dates[7] = {
		20261204, 20261205, 20261206, 20261207, 20261208, 20261209,
		20261210,
	};
	struct runtime rt;
	struct runtime_summary sm, again;

	use_tz(zones[_i]);
	memset(&rt, 0, sizeof(rt));
	/* 10 (today), 8, 4 (six days ago) and 3 (seven) December. */
	runtime_add(&rt, at(2026, 12, 3, 8, 0), at(2026, 12, 3, 8, 3));
	runtime_add(&rt, at(2026, 12, 4, 8, 0), at(2026, 12, 4, 8, 4));
	runtime_cycle(&rt, at(2026, 12, 8, 8, 0));
	runtime_add(&rt, at(2026, 12, 8, 8, 0), at(2026, 12, 8, 8, 8));
	runtime_add(&rt, at(2026, 12, 10, 8, 0), at(2026, 12, 10, 8, 10));
	runtime_summary(&rt, at(2026, 12, 10, 9, 0), &sm);
	for (int i = 0; i < 7; i++)
		ck_assert_int_eq(sm.last7[i].date, dates[i]);
	ck_assert_uint_eq(sm.last7[0].seconds, 240);
	ck_assert_uint_eq(sm.last7[1].seconds, 0);
	ck_assert_uint_eq(sm.last7[2].seconds, 0);
	ck_assert_uint_eq(sm.last7[3].seconds, 0);
	ck_assert_uint_eq(sm.last7[4].seconds, 480);
	ck_assert_uint_eq(sm.last7[4].cycles, 1);
	ck_assert_uint_eq(sm.last7[5].seconds, 0);
	ck_assert_uint_eq(sm.last7[6].seconds, 600);
	for (int i = 0; i < 7; i++)
		if (i != 4)
			ck_assert_uint_eq(sm.last7[i].cycles, 0);
	ck_assert_uint_eq(sm.today, 600);
	ck_assert_uint_eq(sm.yesterday, 0);
	/* Thursday: the week is Monday 7th on. */
	ck_assert_uint_eq(sm.week, 480 + 600);
	ck_assert_uint_eq(sm.total, 180 + 240 + 480 + 600);
	/* The whole summary is written, padding and all: two calls on
	 * different garbage compare equal. */
	memset(&sm, 0x00, sizeof(sm));
	memset(&again, 0xff, sizeof(again));
	runtime_summary(&rt, at(2026, 12, 10, 9, 0), &sm);
	runtime_summary(&rt, at(2026, 12, 10, 9, 0), &again);
	ck_assert(memcmp(&sm, &again, sizeof(sm)) == 0);
	/* An empty record: dates, and nothing else. */
	memset(&rt, 0, sizeof(rt));
	memset(&again, 0xff, sizeof(again));
	runtime_summary(&rt, at(2026, 12, 10, 9, 0), &again);
	ck_assert_int_eq(again.last7[0].date, 20261204);
	ck_assert_uint_eq(again.week + again.today + again.total, 0);
}
END_TEST

START_TEST(clock_goes_back)
{
	struct runtime rt, before;
	struct runtime_summary sm;

	use_tz(zones[_i]);
	memset(&rt, 0, sizeof(rt));
	runtime_add(&rt, at(2026, 12, 9, 8, 0), at(2026, 12, 9, 9, 0));
	runtime_add(&rt, at(2026, 12, 10, 8, 0), at(2026, 12, 10, 9, 0));
	/* The clock is set back to Saturday the 5th: its time goes to its
	 * own date, in order behind the newer ones. */
	runtime_cycle(&rt, at(2026, 12, 5, 8, 0));
	runtime_add(&rt, at(2026, 12, 5, 8, 0), at(2026, 12, 5, 8, 30));
	ck_assert_uint_eq(used(&rt), 3);
	ck_assert_int_eq(rt.day[0].date, 20261210);
	ck_assert_int_eq(rt.day[1].date, 20261209);
	ck_assert_int_eq(rt.day[2].date, 20261205);
	ck_assert_uint_eq(rt.day[2].seconds, 1800);
	ck_assert_uint_eq(rt.day[2].cycles, 1);
	check_record(&rt);
	/* Seen from the 5th, the 9th and 10th are not there yet. */
	runtime_summary(&rt, at(2026, 12, 5, 9, 0), &sm);
	ck_assert_uint_eq(sm.today, 1800);
	ck_assert_uint_eq(sm.cycles_today, 1);
	ck_assert_uint_eq(sm.yesterday, 0);
	ck_assert_uint_eq(sm.week, 1800);
	ck_assert_int_eq(sm.last7[6].date, 20261205);
	ck_assert_uint_eq(sm.total, 3600 + 3600 + 1800);
	/* Back on time, everything counts again. */
	runtime_summary(&rt, at(2026, 12, 10, 9, 0), &sm);
	ck_assert_uint_eq(sm.today, 3600);
	ck_assert_uint_eq(sm.yesterday, 3600);
	ck_assert_uint_eq(sm.week, 3600 + 3600);
	ck_assert_int_eq(sm.last7[1].date, 20261205);
	ck_assert_uint_eq(sm.last7[1].seconds, 1800);

	/* Full, and the clock at 1970 (a board without a real-time clock
	 * before NTP): the totals only. */
	for (int d = 11; d <= 15; d++)
		runtime_add(&rt, at(2026, 12, d, 8, 0), at(2026, 12, d, 8, 1));
	ck_assert_uint_eq(used(&rt), RUNTIME_DAYS);
	before = rt;
	runtime_add(&rt, 1000, 1600);
	runtime_cycle(&rt, 1000);
	ck_assert_uint_eq(rt.total_seconds, before.total_seconds + 600);
	ck_assert_uint_eq(rt.total_cycles, before.total_cycles + 1);
	ck_assert(memcmp(rt.day, before.day, sizeof(rt.day)) == 0);
	/* A date between kept ones takes its place; the oldest falls off. */
	runtime_add(&rt, at(2026, 12, 8, 8, 0), at(2026, 12, 8, 8, 1));
	ck_assert_int_eq(secs(&rt, 20261208), 60);
	ck_assert_ptr_null(find(&rt, 20261205));
	check_record(&rt);
}
END_TEST

START_TEST(saturation)
{
	struct runtime rt;
	time_t mid, next;

	use_tz(zones[_i]);
	mid = at(2026, 12, 7, 0, 0);
	next = at(2026, 12, 8, 0, 0);
	/* Overlapping spans (a caller's bug) stop at 25 hours a day. */
	memset(&rt, 0, sizeof(rt));
	runtime_add(&rt, mid, next);
	runtime_add(&rt, mid, next);
	ck_assert_uint_eq(rt.day[0].seconds, RUNTIME_DAY_MAX);
	ck_assert_uint_eq(rt.total_seconds, 2 * 86400);
	check_record(&rt);
	/* The totals stop at RUNTIME_TOTAL_MAX, a day's runs at
	 * UINT32_MAX. */
	rt.total_seconds = RUNTIME_TOTAL_MAX - 10;
	runtime_add(&rt, next, next + 100);
	ck_assert_uint_eq(rt.total_seconds, RUNTIME_TOTAL_MAX);
	rt.total_cycles = RUNTIME_TOTAL_MAX;
	rt.day[0].cycles = UINT32_MAX;
	runtime_cycle(&rt, next + 1);
	ck_assert_uint_eq(rt.total_cycles, RUNTIME_TOTAL_MAX);
	ck_assert_uint_eq(rt.day[0].cycles, UINT32_MAX);
	check_record(&rt);
}
END_TEST

/* ---- the state file's line ------------------------------------------- */

START_TEST(format_and_parse)
{
	struct runtime rt, back, want;
	char text[RUNTIME_TEXT_MAX], small[10], err[200];
	int n;

	use_tz("Europe/Berlin");
	memset(&rt, 0, sizeof(rt));
	ck_assert_int_eq(runtime_format(&rt, text, sizeof(text)), 16);
	ck_assert_str_eq(text, "total 0 0 days 0");
	check_record(&rt);
	runtime_cycle(&rt, at(2026, 12, 7, 23, 0));
	runtime_cycle(&rt, at(2026, 12, 7, 23, 30));
	runtime_add(&rt, at(2026, 12, 7, 23, 30), at(2026, 12, 8, 0, 45));
	runtime_cycle(&rt, at(2026, 12, 8, 6, 0));
	n = runtime_format(&rt, text, sizeof(text));
	ck_assert_str_eq(text, "total 4500 3 days 2 20261208:2700:1 "
			 "20261207:1800:2");
	ck_assert_int_eq(n, (int)strlen(text));
	check_record(&rt);
	/* snprintf-style: the length it needs, cut text. */
	ck_assert_int_eq(runtime_format(&rt, small, sizeof(small)), n);
	ck_assert_str_eq(small, "total 450");
	ck_assert_int_eq(runtime_format(&rt, NULL, 0), n);

	/* The largest line fits RUNTIME_TEXT_MAX. */
	memset(&rt, 0, sizeof(rt));
	rt.total_seconds = rt.total_cycles = RUNTIME_TOTAL_MAX;
	for (int i = 0; i < RUNTIME_DAYS; i++)
		rt.day[i] = (struct runtime_day){ 99991231 - i,
						  RUNTIME_DAY_MAX,
						  UINT32_MAX };
	n = runtime_format(&rt, text, sizeof(text));
	ck_assert_int_lt(n, RUNTIME_TEXT_MAX);
	check_record(&rt);

	/* Edges that are valid: leap days, the first and last dates. */
	memset(&want, 0, sizeof(want));
	want.total_seconds = 90002;
	want.total_cycles = 4294967297ULL;
	want.day[0] = (struct runtime_day){ 99991231, 90000, 4294967295U };
	want.day[1] = (struct runtime_day){ 20240229, 1, 0 };
	want.day[2] = (struct runtime_day){ 20000229, 0, 1 };
	want.day[3] = (struct runtime_day){ 19000101, 0, 0 };
	memset(&back, 0x5a, sizeof(back));
	ck_assert_msg(runtime_parse("total 90002 4294967297 days 4 "
				    "99991231:90000:4294967295 20240229:1:0 "
				    "20000229:0:1 19000101:0:0", &back, err,
				    sizeof(err)) == 0, "%s", err);
	ck_assert(memcmp(&back, &want, sizeof(back)) == 0);
	memset(&back, 0x5a, sizeof(back));
	ck_assert_int_eq(runtime_parse("total 999999999999999999 "
				       "999999999999999999 days 0", &back,
				       err, sizeof(err)), 0);
	ck_assert_uint_eq(back.total_seconds, RUNTIME_TOTAL_MAX);
	ck_assert_uint_eq(back.day[0].date, 0);
}
END_TEST

static const struct bad {
	const char *text;
	const char *why;	/* in the message */
} bad[] = {
	{ "", "at the start" },
	{ "total", "at the start" },
	{ " total 0 0 days 0", "at the start" },
	{ "Total 0 0 days 0", "at the start" },
	{ "total\t0 0 days 0", "at the start" },
	{ "total 0 0 days 0 ", "unexpected text" },
	{ "total 0 0 days 0\n", "unexpected text" },
	{ "total  0 0 days 0", "expected a number" },
	{ "total 0  0 days 0", "expected a number" },
	{ "total 0 0  days 0", "days N" },
	{ "total 0 0 days  0", "expected a number" },
	{ "total 0 0 day 0", "days N" },
	{ "total 0 0 days", "days N" },
	{ "total 0 0", "days N" },
	{ "total -1 0 days 0", "expected a number" },
	{ "total +1 0 days 0", "expected a number" },
	{ "total 01 0 days 0", "leading zeros" },
	{ "total 0 00 days 0", "leading zeros" },
	{ "total 1.5 0 days 0", "one space" },
	{ "total 1e3 0 days 0", "one space" },
	{ "total 0x10 0 days 0", "one space" },
	{ "total 1000000000000000000 0 days 0", "too large" },
	{ "total 99999999999999999999999999999 0 days 0", "too large" },
	{ "total 0 18446744073709551616 days 0", "too large" },
	{ "total 0 0 days 9", "too large" },
	{ "total 0 0 days 00", "leading zeros" },
	{ "total 0 0 days 1", "1 days announced" },
	{ "total 0 0 days 0 20261207:0:0", "unexpected text" },
	{ "total 10 1 days 2 20261207:10:1", "2 days announced" },
	{ "total 20 2 days 1 20261207:10:1 20261206:10:1",
	  "unexpected text" },
	{ "total 10 1 days 1 20260230:10:1", "not a date" },
	{ "total 10 1 days 1 20250229:10:1", "not a date" },
	{ "total 10 1 days 1 19000229:10:1", "not a date" },
	{ "total 10 1 days 1 20260431:10:1", "not a date" },
	{ "total 10 1 days 1 20261301:10:1", "not a date" },
	{ "total 10 1 days 1 20261200:10:1", "not a date" },
	{ "total 10 1 days 1 20261232:10:1", "not a date" },
	{ "total 10 1 days 1 20260001:10:1", "not a date" },
	{ "total 10 1 days 1 18991231:10:1", "not a date" },
	{ "total 10 1 days 1 2026120:10:1", "not a date" },
	{ "total 10 1 days 1 202612070:10:1", "too large" },
	{ "total 10 1 days 1 020261207:10:1", "leading zeros" },
	{ "total 10 1 days 1 00000000:10:1", "leading zeros" },
	{ "total 10 1 days 1 0:10:1", "not a date" },
	{ "total 10 1 days 1 :10:1", "expected a number" },
	{ "total 20 2 days 2 20261207:10:1 20261207:10:1", "twice" },
	{ "total 20 2 days 2 20261206:10:1 20261207:10:1", "newest first" },
	{ "total 90001 0 days 1 20261207:90001:0", "too large" },
	{ "total 4294967296 0 days 1 20261207:4294967296:0", "too large" },
	{ "total 0 4294967296 days 1 20261207:0:4294967296", "too large" },
	{ "total 9 1 days 1 20261207:10:1", "less than" },
	{ "total 10 0 days 1 20261207:10:1", "less than" },
	{ "total 100 2 days 2 20261207:60:1 20261206:60:1", "less than" },
	{ "total 10 1 days 1 20261207:10", "after the seconds" },
	{ "total 10 1 days 1 20261207-10-1", "after the date" },
	{ "total 10 1 days 1 20261207:10:1:5", "unexpected text" },
	{ "total 10 1 days 1 20261207::1", "expected a number" },
	{ "total 10 1 days 1 20261207:10:", "expected a number" },
	{ "total 10 1 days 1 20261207:+10:1", "expected a number" },
	{ "total 10 1 days 1 20261207:010:1", "leading zeros" },
	{ "total 10 1 days 1 20261207:10:1,", "unexpected text" },
	{ "total 10 1 days 1 20261207:10:1\xc2\xa0", "unexpected text" },
	{ "total 10 1 days 1  20261207:10:1", "expected a number" },
	{ "total 10 1 days 1 20261207 :10:1", "after the date" },
	/* nine days, all valid but one too many */
	{ "total 9 9 days 9 20261209:1:1 20261208:1:1 20261207:1:1 "
	  "20261206:1:1 20261205:1:1 20261204:1:1 20261203:1:1 "
	  "20261202:1:1 20261201:1:1", "too large" },
	{ "total 8 8 days 8 20261209:1:1 20261208:1:1 20261207:1:1 "
	  "20261206:1:1 20261205:1:1 20261204:1:1 20261203:1:1 "
	  "20261202:1:1 20261201:1:1", "unexpected text" },
};

START_TEST(parse_refuses)
{
	const struct bad *b = &bad[_i];
	struct runtime out, pattern;
	char err[200];

	memset(&pattern, 0x5a, sizeof(pattern));
	memcpy(&out, &pattern, sizeof(out));
	strcpy(err, "");
	ck_assert_msg(runtime_parse(b->text, &out, err, sizeof(err)) == -1,
		      "\"%s\" was taken", b->text);
	ck_assert_msg(memcmp(&out, &pattern, sizeof(out)) == 0,
		      "\"%s\": out was written", b->text);
	ck_assert_msg(strstr(err, b->why) != NULL,
		      "\"%s\": \"%s\" does not say \"%s\"", b->text, err,
		      b->why);
	/* Every prefix of a bad line is bad too, except where it happens
	 * to end on a valid line ("total 0 0 days 0"). */
	{
		size_t n = strlen(b->text);
		char *cut = malloc(n + 1);

		ck_assert_ptr_nonnull(cut);
		for (size_t k = 0; k < n; k++) {
			struct runtime tmp;

			memcpy(cut, b->text, k);
			cut[k] = '\0';
			memcpy(&tmp, &pattern, sizeof(tmp));
			if (runtime_parse(cut, &tmp, err, sizeof(err)) < 0)
				ck_assert(memcmp(&tmp, &pattern,
						 sizeof(tmp)) == 0);
		}
		free(cut);
	}
}
END_TEST

static Suite *suite_runtime(void)
{
	Suite *s = suite_create("runtime");
	TCase *tc = tcase_create("runtime");
	int nz = (int)(sizeof(zones) / sizeof(zones[0]));

	tcase_add_loop_test(tc, split_at_local_midnight, 0, nz);
	tcase_add_loop_test(tc, clock_change_days, 0,
			    (int)(sizeof(changes) / sizeof(changes[0])));
	tcase_add_loop_test(tc, week_starts_monday, 0, nz);
	tcase_add_loop_test(tc, totals_and_cycles, 0, nz);
	tcase_add_loop_test(tc, days_fall_off, 0, nz);
	tcase_add_loop_test(tc, long_spans, 0, nz);
	tcase_add_loop_test(tc, last7_zero_filled, 0, nz);
	tcase_add_loop_test(tc, clock_goes_back, 0, nz);
	tcase_add_loop_test(tc, saturation, 0, nz);
	tcase_add_test(tc, format_and_parse);
	tcase_add_loop_test(tc, parse_refuses, 0,
			    (int)(sizeof(bad) / sizeof(bad[0])));
	suite_add_tcase(s, tc);
	return s;
}

const suite_fn test_suites[] = { suite_runtime, NULL };
