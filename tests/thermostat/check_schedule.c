/* SPDX-License-Identifier: MIT */
/*
 * The weekly program (core/schedule.c): switch point instants over both
 * clock changes in Europe/Berlin and America/New_York (tzdata), two
 * simulated weeks around each in which every point fires exactly once,
 * holds, boost, and the checks of a schedule.
 */
#include <config.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/schedule.h"
#include "runner.h"

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

static int hm(int h, int m)
{
	return h * 60 + m;
}

/* ---- instants -------------------------------------------------------- */

START_TEST(instant_berlin)
{
	use_tz("Europe/Berlin");
	/* 2026-03-29: 02:00 CET becomes 03:00 CEST.  02:30 does not exist:
	 * it fires when the clocks jump, 01:00 UTC, as does 03:00. */
	ck_assert_int_eq(sched_instant(2026, 3, 29, hm(2, 30)), 1774746000);
	ck_assert_int_eq(sched_instant(2026, 3, 29, hm(2, 0)), 1774746000);
	ck_assert_int_eq(sched_instant(2026, 3, 29, hm(3, 0)), 1774746000);
	ck_assert_int_eq(sched_instant(2026, 3, 29, hm(1, 59)),
			 1774746000 - 60);
	/* 2026-10-25: 03:00 CEST becomes 02:00 CET.  02:30 happens at
	 * 00:30 and 01:30 UTC: the first. */
	ck_assert_int_eq(sched_instant(2026, 10, 25, hm(2, 30)), 1792888200);
	ck_assert_int_eq(sched_instant(2026, 10, 25, hm(3, 0)),
			 1792888200 + 5400);
}
END_TEST

START_TEST(instant_new_york)
{
	use_tz("America/New_York");
	/* 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00 UTC). */
	ck_assert_int_eq(sched_instant(2026, 3, 8, hm(2, 30)), 1772953200);
	/* 2026-11-01: 02:00 EDT becomes 01:00 EST; 01:30 happens at 05:30
	 * and 06:30 UTC: the first. */
	ck_assert_int_eq(sched_instant(2026, 11, 1, hm(1, 30)), 1793511000);
}
END_TEST

/* ---- two weeks around each clock change ------------------------------ */

/* Every day: 01:30 sleep, 02:30 20.5, 06:30 comfort, 22:00 eco; Sunday
 * also 12:00 away.  Points in the small hours meet both changes. */
static void week(struct schedule *s, const struct sched_presets *ps)
{
	memset(s, 0, sizeof(*s));
	for (int d = 0; d < 7; d++) {
		struct sched_day *day = &s->day[d];

		day->pt[day->n++] = (struct sched_point){
			hm(1, 30), sched_preset_index(ps, "sleep"), 0 };
		day->pt[day->n++] = (struct sched_point){ hm(2, 30), -1, 20.5 };
		day->pt[day->n++] = (struct sched_point){
			hm(6, 30), sched_preset_index(ps, "comfort"), 0 };
		if (d == 6)
			day->pt[day->n++] = (struct sched_point){
				hm(12, 0), sched_preset_index(ps, "away"), 0 };
		day->pt[day->n++] = (struct sched_point){
			hm(22, 0), sched_preset_index(ps, "eco"), 0 };
	}
}

struct span {
	const char *tz;
	time_t start;		/* a local midnight, a week before a change */
	int days;
};

/* Walks @sp from change to change, as the control thread does (waiting
 * until the returned instant), and checks that every switch point of
 * every day fired exactly once, at its wall time or, in a gap, at the
 * jump; then that a look at any instant agrees with the walk. */
static void walk(const struct span *sp)
{
	struct sched_presets ps;
	struct schedule s;
	struct sched_target tg;
	time_t t = sp->start, fired[64 * 7];
	double temp_after[64 * 7];
	int nfired = 0, want = 0;

	use_tz(sp->tz);
	sched_default_presets(&ps);
	week(&s, &ps);
	for (int d = 0; d < sp->days; d++) {
		time_t noon = sp->start + d * 86400 + 12 * 3600;
		struct tm tm;

		localtime_r(&noon, &tm);
		want += (int)s.day[(tm.tm_wday + 6) % 7].n;
	}
	while (t < sp->start + (time_t)sp->days * 86400) {
		ck_assert_int_eq(sched_target(&s, &ps, NULL, NULL, 19.0, t,
					      &tg), 0);
		ck_assert_int_gt(tg.until, t);
		ck_assert_int_eq(tg.until, tg.next_switch);
		t = tg.until;
		if (t >= sp->start + (time_t)sp->days * 86400)
			break;
		ck_assert_int_lt(nfired, 64 * 7);
		/* No instant twice, and in order. */
		ck_assert(nfired == 0 || fired[nfired - 1] < t);
		fired[nfired] = t;
		ck_assert_int_eq(sched_target(&s, &ps, NULL, NULL, 19.0, t,
					      &tg), 0);
		temp_after[nfired++] = tg.temp;
		{
			/* At its wall time, or at a jump (the wall time one
			 * second before is an hour or more earlier). */
			struct tm now, before;
			time_t b = t - 1;
			int m;

			localtime_r(&t, &now);
			localtime_r(&b, &before);
			m = now.tm_hour * 60 + now.tm_min;
			ck_assert_msg(m == hm(1, 30) || m == hm(2, 30) ||
					      m == hm(6, 30) || m == hm(12, 0) ||
					      m == hm(22, 0) ||
					      before.tm_gmtoff != now.tm_gmtoff,
				      "%s: a change at %02d:%02d local",
				      sp->tz, now.tm_hour, now.tm_min);
		}
	}
	ck_assert_msg(nfired == want, "%s: %d switch points fired, %d due",
		      sp->tz, nfired, want);
	/* Any instant in between: the temperature of the last firing. */
	for (time_t x = fired[0]; x < fired[nfired - 1]; x += 7 * 60) {
		int i = nfired - 1;

		while (fired[i] > x)
			i--;
		ck_assert_int_eq(sched_target(&s, &ps, NULL, NULL, 19.0, x,
					      &tg), 0);
		ck_assert_msg(tg.temp == temp_after[i], "%s at %lld: %g, the "
			      "walk says %g", sp->tz, (long long)x, tg.temp,
			      temp_after[i]);
	}
}

static const struct span spans[] = {
	/* Local midnights a week before each change of 2026. */
	{ "Europe/Berlin", 1774134000, 14 },	/* 2026-03-22 00:00 CET */
	{ "Europe/Berlin", 1792274400, 14 },	/* 2026-10-18 00:00 CEST */
	{ "America/New_York", 1772341200, 14 }, /* 2026-03-01 00:00 EST */
	{ "America/New_York", 1792900800, 14 }, /* 2026-10-25 00:00 EDT */
};

START_TEST(two_weeks_every_point_once)
{
	walk(&spans[_i]);
}
END_TEST

/* The spring day: the 02:30 point fires once, at 03:00; the fall day:
 * 02:30 (Berlin) fires once, though the clock shows it twice. */
START_TEST(change_days_fire_once)
{
	struct sched_presets ps;
	struct schedule s;
	struct sched_target tg;

	use_tz("Europe/Berlin");
	sched_default_presets(&ps);
	week(&s, &ps);
	/* Spring: after the 01:30 point the next is the jump, 01:00 UTC. */
	ck_assert_int_eq(sched_target(&s, &ps, NULL, NULL, 19, 1774744200,
				      &tg), 0); /* 01:30 CET */
	ck_assert_int_eq(tg.until, 1774746000);
	ck_assert(tg.temp == 17.0);
	/* At the jump: 20.5 (the 02:30 point), next 06:30 CEST. */
	ck_assert_int_eq(sched_target(&s, &ps, NULL, NULL, 19, 1774746000,
				      &tg), 0);
	ck_assert(tg.temp == 20.5);
	ck_assert_int_eq(tg.until, 1774746000 + 3.5 * 3600);
	/* Fall: during the second 02:30 hour (01:45 UTC, 02:45 CET) the
	 * 02:30 point stays the active one and the next is 06:30. */
	ck_assert_int_eq(sched_target(&s, &ps, NULL, NULL, 19, 1792892700,
				      &tg), 0);
	ck_assert(tg.temp == 20.5);
	ck_assert_int_eq(tg.until, 1792906200); /* 06:30 CET = 05:30 UTC */
}
END_TEST

/* ---- holds and boost ------------------------------------------------- */

START_TEST(holds_and_boost)
{
	struct sched_presets ps;
	struct schedule s;
	struct sched_target tg;
	/* Monday 2026-01-05 10:00 in Berlin: 09:00 UTC.  Next point:
	 * 22:00 local (21:00 UTC). */
	time_t t = 1767603600;
	struct sched_hold h = { HOLD_NEXT, -1, 23.0, t, 0 };
	struct sched_boost b = { 25.0, t + 1800 };

	use_tz("Europe/Berlin");
	sched_default_presets(&ps);
	week(&s, &ps);
	ck_assert_int_eq(sched_target(&s, &ps, NULL, NULL, 19, t, &tg), 0);
	ck_assert(tg.temp == 21.0 && tg.source == TARGET_SCHEDULE);
	ck_assert_int_eq(tg.preset, sched_preset_index(&ps, "comfort"));
	ck_assert_int_eq(tg.until, 1767646800);
	/* Until the next point: 23 until 22:00, then the schedule. */
	ck_assert_int_eq(sched_target(&s, &ps, &h, NULL, 19, t + 60, &tg), 0);
	ck_assert(tg.temp == 23.0 && tg.source == TARGET_HOLD);
	ck_assert_int_eq(tg.until, 1767646800);
	ck_assert_int_eq(sched_target(&s, &ps, &h, NULL, 19, 1767646800,
				      &tg), 0);
	ck_assert(tg.temp == 18.0 && tg.source == TARGET_SCHEDULE);
	/* Until a date: away until Sunday 2026-01-11 18:00 (17:00 UTC). */
	h = (struct sched_hold){ HOLD_UNTIL, sched_preset_index(&ps, "away"),
				 0, t, 1768150800 };
	ck_assert_int_eq(sched_target(&s, &ps, &h, NULL, 19, t + 3 * 86400,
				      &tg), 0);
	ck_assert(tg.temp == 12.0 && tg.source == TARGET_HOLD);
	ck_assert_int_eq(tg.until, 1768150800);
	ck_assert_int_eq(sched_target(&s, &ps, &h, NULL, 19, 1768150800,
				      &tg), 0);
	ck_assert(tg.source == TARGET_SCHEDULE);
	ck_assert(tg.temp == 12.0); /* Sunday 12:00 away, until 22:00 */
	/* Permanent: no end. */
	h = (struct sched_hold){ HOLD_FOREVER, -1, 19.5, t, 0 };
	ck_assert_int_eq(sched_target(&s, &ps, &h, NULL, 19, t + 30 * 86400,
				      &tg), 0);
	ck_assert(tg.temp == 19.5 && tg.until == 0);
	/* Boost over the hold for its half hour, then the hold again. */
	ck_assert_int_eq(sched_target(&s, &ps, &h, &b, 19, t + 60, &tg), 0);
	ck_assert(tg.temp == 25.0 && tg.source == TARGET_BOOST);
	ck_assert_int_eq(tg.until, t + 1800);
	ck_assert_int_eq(sched_target(&s, &ps, &h, &b, 19, t + 1800, &tg), 0);
	ck_assert(tg.temp == 19.5 && tg.source == TARGET_HOLD);
}
END_TEST

/* A day without points keeps the day before's last; an empty week gives
 * the fallback and says so. */
START_TEST(empty_days)
{
	struct sched_presets ps;
	struct schedule s;
	struct sched_target tg;

	use_tz("Europe/Berlin");
	sched_default_presets(&ps);
	memset(&s, 0, sizeof(s));
	ck_assert_int_eq(sched_target(&s, &ps, NULL, NULL, 19.5, 1767603600,
				      &tg), -1);
	ck_assert(tg.temp == 19.5 && tg.until == 0);
	/* Only Sunday 22:00 eco: on Monday 10:00 it is still eco, until
	 * next Sunday 22:00. */
	s.day[6].pt[s.day[6].n++] = (struct sched_point){ hm(22, 0), 1, 0 };
	ck_assert_int_eq(sched_target(&s, &ps, NULL, NULL, 19.5, 1767603600,
				      &tg), 0);
	ck_assert(tg.temp == 18.0);
	ck_assert_int_eq(tg.until, 1768165200); /* 2026-01-11 21:00 UTC */
}
END_TEST

/* ---- checks ---------------------------------------------------------- */

START_TEST(check_refuses_bad_schedules)
{
	struct sched_presets ps;
	struct schedule s;
	char err[200];

	sched_default_presets(&ps);
	week(&s, &ps);
	ck_assert_int_eq(sched_check(&s, &ps, 5, 30, err, sizeof(err)), 0);
	s.day[2].pt[1].minute = s.day[2].pt[0].minute;
	ck_assert_int_eq(sched_check(&s, &ps, 5, 30, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "wednesday"));
	week(&s, &ps);
	s.day[0].pt[s.day[0].n - 1].minute = hm(25, 0);
	ck_assert_int_eq(sched_check(&s, &ps, 5, 30, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "23:59"));
	week(&s, &ps);
	s.day[0].pt[0].preset = 7;
	ck_assert_int_eq(sched_check(&s, &ps, 5, 30, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "no such preset"));
	week(&s, &ps);
	s.day[0].pt[1].temp = 31;
	ck_assert_int_eq(sched_check(&s, &ps, 5, 30, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "outside"));
	week(&s, &ps);
	strcpy(ps.p[1].name, "comfort");
	ck_assert_int_eq(sched_check(&s, &ps, 5, 30, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "twice"));
	sched_default_presets(&ps);
	strcpy(ps.p[1].name, "Eco");
	ck_assert_int_eq(sched_check(&s, &ps, 5, 30, err, sizeof(err)), -1);
	sched_default_presets(&ps);
	ps.p[3].temp = 4;
	ck_assert_int_eq(sched_check(&s, &ps, 5, 30, err, sizeof(err)), -1);
	ck_assert_ptr_nonnull(strstr(err, "away"));
}
END_TEST

static Suite *suite_schedule(void)
{
	Suite *s = suite_create("schedule");
	TCase *tc = tcase_create("schedule");

	tcase_add_test(tc, instant_berlin);
	tcase_add_test(tc, instant_new_york);
	tcase_add_loop_test(tc, two_weeks_every_point_once, 0,
			    (int)(sizeof(spans) / sizeof(spans[0])));
	tcase_add_test(tc, change_days_fire_once);
	tcase_add_test(tc, holds_and_boost);
	tcase_add_test(tc, empty_days);
	tcase_add_test(tc, check_refuses_bad_schedules);
	suite_add_tcase(s, tc);
	return s;
}

const suite_fn test_suites[] = { suite_schedule, NULL };
