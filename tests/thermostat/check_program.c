/* SPDX-License-Identifier: MIT */
/*
 * The weekly program in the record (core/program.c, core/command.c) and
 * as text (core/schedule_text.c): the lines of the configuration and the
 * state file, every write of the program, the setpoint's rounding, and
 * two simulated weeks in Europe/Berlin and America/New_York around both
 * clock changes, woken the way the control thread wakes (at the
 * program's next change, and after a wall-clock jump), with holds, a
 * vacation and a boost: every switch point fires exactly once and the
 * setpoint is always what the model says.
 */
#include <config.h>

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/command.h"
#include "core/program.h"
#include "core/schedule_text.h"
#include "runner.h"

static void use_tz(const char *tz)
{
	time_t summer = 1782820800; /* 2026-06-30 12:00 UTC */
	struct tm tm;

	ck_assert_int_eq(setenv("TZ", tz, 1), 0);
	tzset();
	localtime_r(&summer, &tm);
	ck_assert_msg(tm.tm_gmtoff != 0, "TZ=%s reads as UTC: is tzdata "
		      "installed?", tz);
}

/* The instant of local @y-@m-@d @h:@mi (as a switch point fires). */
static time_t at(int y, int m, int d, int h, int mi)
{
	return sched_instant(y, m, d, h * 60 + mi);
}

/* ---- text ----------------------------------------------------------- */

START_TEST(presets_text)
{
	static const char *const bad[] = {
		"", "comfort", "comfort 21 x", "Comfort 21", "comfort 21, "
		"comfort 18", "comfort abc", "comfort 21,", ", comfort 21",
		"a 1, b 2, c 3, d 4, e 5, f 6, g 7, h 8, i 9",
		"abcdefghijklmnop 21", "com-fort 21", "comfort 21;", "1a 21",
		"comfort 0x15", "comfort 21 , , eco 18",
	};
	struct sched_presets ps, keep;
	char buf[SCHED_TEXT_MAX], err[200];

	ck_assert_int_eq(presets_parse("comfort 21, eco 18.5,sleep 17 ,  "
				       "away_long -3", &ps, err, sizeof(err)),
			 0);
	ck_assert_uint_eq(ps.n, 4);
	ck_assert_str_eq(ps.p[3].name, "away_long");
	ck_assert(ps.p[1].temp == 18.5 && ps.p[3].temp == -3);
	presets_format(&ps, buf, sizeof(buf));
	ck_assert_str_eq(buf, "comfort 21, eco 18.5, sleep 17, away_long -3");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&keep, 0x5a, sizeof(keep));
		memcpy(&ps, &keep, sizeof(ps));
		err[0] = '\0';
		ck_assert_msg(presets_parse(bad[i], &ps, err, sizeof(err)) == -1,
			      "accepted \"%s\"", bad[i]);
		ck_assert_msg(err[0], "no message for \"%s\"", bad[i]);
		ck_assert_msg(memcmp(&ps, &keep, sizeof(ps)) == 0,
			      "\"%s\" changed the output", bad[i]);
	}
}
END_TEST

START_TEST(day_text)
{
	static const char *const bad[] = {
		"25:00 comfort", "06:60 eco", "6:30 eco", "24:00 eco",
		"08:00 eco, 07:00 comfort", "08:00 eco, 08:00 sleep",
		"08:00 nosuch", "08:00", "08:00 eco extra", "08:00 eco,",
		"00:01 eco, 00:02 eco, 00:03 eco, 00:04 eco, 00:05 eco, "
		"00:06 eco, 00:07 eco, 00:08 eco, 00:09 eco",
		"08:00 1e", "08-00 eco", "ab:cd eco",
	};
	struct sched_presets ps;
	struct sched_day d, keep;
	char buf[SCHED_TEXT_MAX], err[200];

	sched_default_presets(&ps);
	ck_assert_int_eq(day_parse("06:30 comfort,08:00 18.5, 22:30 sleep",
				   &ps, &d, err, sizeof(err)), 0);
	ck_assert_uint_eq(d.n, 3);
	ck_assert_int_eq(d.pt[0].minute, 390);
	ck_assert_int_eq(d.pt[0].preset, 0);
	ck_assert_int_eq(d.pt[1].preset, -1);
	ck_assert(d.pt[1].temp == 18.5);
	day_format(&d, &ps, buf, sizeof(buf));
	ck_assert_str_eq(buf, "06:30 comfort, 08:00 18.5, 22:30 sleep");
	ck_assert_int_eq(day_parse("  ", &ps, &d, err, sizeof(err)), 0);
	ck_assert_uint_eq(d.n, 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&keep, 0x5a, sizeof(keep));
		memcpy(&d, &keep, sizeof(d));
		err[0] = '\0';
		ck_assert_msg(day_parse(bad[i], &ps, &d, err, sizeof(err)) == -1,
			      "accepted \"%s\"", bad[i]);
		ck_assert_msg(err[0], "no message for \"%s\"", bad[i]);
		ck_assert_msg(memcmp(&d, &keep, sizeof(d)) == 0,
			      "\"%s\" changed the output", bad[i]);
	}
}
END_TEST

START_TEST(hold_and_boost_text)
{
	static const char *const good[] = {
		"none", "next eco 1796540400", "forever 19.5",
		"until away 1796986800", "forever comfort",
	};
	static const char *const bad_hold[] = {
		"", "next eco", "forever", "until away", "until away -5",
		"until away 12x", "next nosuch 5", "sometimes eco",
		"none 5", "forever eco, none", "until away 99999999999999999999",
	};
	static const char *const bad_boost[] = {
		"", "23", "23 until", "23 until 0", "x until 5", "23 til 5",
		"none none", "23 until 5 6",
	};
	struct sched_presets ps;
	struct sched_hold h, hkeep;
	struct sched_boost b, bkeep;
	char buf[SCHED_TEXT_MAX], err[200];

	sched_default_presets(&ps);
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ck_assert_msg(hold_parse(good[i], &ps, &h, err, sizeof(err)) == 0,
			      "%s: %s", good[i], err);
		hold_format(&h, &ps, buf, sizeof(buf));
		ck_assert_str_eq(buf, good[i]);
	}
	for (size_t i = 0; i < sizeof(bad_hold) / sizeof(bad_hold[0]); i++) {
		memset(&hkeep, 0x5a, sizeof(hkeep));
		memcpy(&h, &hkeep, sizeof(h));
		ck_assert_msg(hold_parse(bad_hold[i], &ps, &h, err,
					 sizeof(err)) == -1,
			      "accepted \"%s\"", bad_hold[i]);
		ck_assert(memcmp(&h, &hkeep, sizeof(h)) == 0);
	}
	ck_assert_int_eq(boost_parse("23.5 until 1796540400", &b, err,
				     sizeof(err)), 0);
	ck_assert(b.temp == 23.5 && b.until == 1796540400);
	boost_format(&b, buf, sizeof(buf));
	ck_assert_str_eq(buf, "23.5 until 1796540400");
	ck_assert_int_eq(boost_parse("none", &b, err, sizeof(err)), 0);
	ck_assert(b.until == 0);
	for (size_t i = 0; i < sizeof(bad_boost) / sizeof(bad_boost[0]); i++) {
		memset(&bkeep, 0x5a, sizeof(bkeep));
		memcpy(&b, &bkeep, sizeof(b));
		ck_assert_msg(boost_parse(bad_boost[i], &b, err,
					  sizeof(err)) == -1,
			      "accepted \"%s\"", bad_boost[i]);
		ck_assert(memcmp(&b, &bkeep, sizeof(b)) == 0);
	}
}
END_TEST

START_TEST(rounding)
{
	ck_assert(setpoint_round(21.3, 0.5, 5, 30) == 21.5);
	ck_assert(setpoint_round(21.24, 0.5, 5, 30) == 21.0);
	ck_assert(setpoint_round(21.25, 0.5, 5, 30) == 21.5);
	ck_assert(setpoint_round(21.34, 0.1, 5, 30) == 21.3);
	ck_assert(setpoint_round(21.36, 0.1, 5, 30) == 21.4);
	ck_assert(setpoint_round(-3.3, 0.5, -50, 30) == -3.5);
	/* Rounding never leaves the bounds: a step inward. */
	ck_assert(setpoint_round(5.2, 0.5, 5.2, 30) == 5.5);
	ck_assert(setpoint_round(29.9, 0.5, 5, 29.9) == 29.5);
	ck_assert(setpoint_round(21.3, 0, 5, 30) == 21.3);
	ck_assert(setpoint_round(21.3, NAN, 5, 30) == 21.3);
	/* 70 F, the original daemon's setting: 21.11 C. */
	ck_assert(setpoint_round((70.0 - 32) * 5 / 9, 0.5, 5, 30) == 21.0);
}
END_TEST

/* A program saved under a step of 0.1, read under 0.5: every
 * temperature on the new step. */
START_TEST(program_on_the_step)
{
	struct thermo r = thermo_defaults;
	char err[200];

	r.manual = 20.3;
	ck_assert_int_eq(presets_parse("comfort 21.3, eco 17.9", &r.presets,
				       err, sizeof(err)), 0);
	ck_assert_int_eq(day_parse("06:30 comfort, 22:00 16.7", &r.presets,
				   &r.schedule.day[2], err, sizeof(err)), 0);
	r.hold.kind = HOLD_FOREVER;
	r.hold.preset = -1;
	r.hold.temp = 19.1;
	r.boost.until = 5;
	r.boost.temp = 23.2;
	program_round(&r, 0.5, 5, 30);
	ck_assert(r.manual == 20.5);
	ck_assert(r.presets.p[0].temp == 21.5 && r.presets.p[1].temp == 18);
	ck_assert(r.schedule.day[2].pt[1].temp == 16.5);
	ck_assert(r.hold.temp == 19 && r.boost.temp == 23);
}
END_TEST

/* ---- the program in the record --------------------------------------- */

static thermo_handle rec;

/* A record with the default presets and, when @week, comfort at 06:30
 * and sleep at 22:00 every day. */
static void make_record(bool week, time_t now)
{
	struct thermo init = thermo_defaults;
	char err[200];

	init.manual = 20;
	sched_default_presets(&init.presets);
	for (int d = 0; week && d < 7; d++)
		ck_assert_int_eq(day_parse("06:30 comfort, 22:00 sleep",
					   &init.presets,
					   &init.schedule.day[d], err,
					   sizeof(err)), 0);
	program_refresh(&init, now);
	rec = thermo_new(&init, SS_MUTEX);
	ck_assert(thermo_valid(rec));
}

static int refresh_at(struct thermo *r, void *ctx)
{
	if (program_refresh(r, *(const time_t *)ctx))
		r->persist_seq++;
	return 0;
}

/* What the control thread does when it wakes at @now. */
static void wake(time_t now)
{
	ck_assert_int_eq(thermo_update(rec, refresh_at, &now), 0);
}

static int apply(struct command *cmd, time_t now)
{
	struct thermo r;

	thermo_read(rec, &r, NULL);
	memcpy(&cmd->seen, &r.presets, sizeof(cmd->seen));
	cmd->now = now;
	return command_apply(rec, cmd, NULL);
}

static struct thermo now_rec(void)
{
	struct thermo r;

	thermo_read(rec, &r, NULL);
	return r;
}

START_TEST(setpoint_without_a_schedule_is_manual)
{
	time_t t = 1796540400;
	struct command cmd = { .kind = COMMAND_SETPOINT, .setpoint = 22.5 };
	struct thermo r;

	use_tz("Europe/Berlin");
	make_record(false, t);
	r = now_rec();
	ck_assert(r.setpoint == 20);
	ck_assert_str_eq(program_source_name(&r.target, &r.schedule), "manual");
	ck_assert_int_eq(apply(&cmd, t), 1);
	r = now_rec();
	ck_assert(r.setpoint == 22.5 && r.manual == 22.5);
	ck_assert_int_eq(r.hold.kind, HOLD_NONE);
	ck_assert_int_eq((int)r.persist_seq, 1);
	/* The same again changes nothing, and nothing is saved. */
	ck_assert_int_eq(apply(&cmd, t + 60), 0);
	ck_assert_int_eq((int)now_rec().persist_seq, 1);
	thermo_unref(rec);
}
END_TEST

START_TEST(setpoint_under_a_schedule_holds_until_the_next_point)
{
	struct command cmd = { .kind = COMMAND_SETPOINT, .setpoint = 19.5 };
	struct thermo r;
	time_t noon, ten;

	/* Monday 2026-12-07 12:00 in Berlin (local times after the zone). */
	use_tz("Europe/Berlin");
	noon = at(2026, 12, 7, 12, 0);
	ten = at(2026, 12, 7, 22, 0);
	make_record(true, noon);
	r = now_rec();
	ck_assert(r.setpoint == 21);
	ck_assert_int_eq(r.target.preset, 0);
	ck_assert_int_eq(r.target.until, ten);
	ck_assert_int_eq(apply(&cmd, noon), 1);
	r = now_rec();
	ck_assert(r.setpoint == 19.5 && r.manual == 20);
	ck_assert_int_eq(r.hold.kind, HOLD_NEXT);
	ck_assert_int_eq(r.target.source, TARGET_HOLD);
	ck_assert_int_eq(r.target.until, ten);
	/* A second before: still held; at 22:00 the schedule's sleep, and
	 * the ended hold is a change to save. */
	wake(ten - 1);
	ck_assert(now_rec().setpoint == 19.5);
	wake(ten);
	r = now_rec();
	ck_assert(r.setpoint == 17);
	ck_assert_int_eq(r.hold.kind, HOLD_NONE);
	ck_assert_int_eq((int)r.persist_seq, 2);
	ck_assert_int_eq(r.target.until, at(2026, 12, 8, 6, 30));
	thermo_unref(rec);
}
END_TEST

START_TEST(preset_hold_vacation_boost)
{
	struct command cmd;
	struct thermo r;
	time_t noon, sunday;

	use_tz("Europe/Berlin");
	noon = at(2026, 12, 7, 12, 0);
	sunday = at(2026, 12, 13, 18, 0);
	make_record(true, noon);
	/* Eco now, until 22:00. */
	memset(&cmd, 0, sizeof(cmd));
	cmd.kind = COMMAND_PRESET;
	cmd.preset = 1;
	ck_assert_int_eq(apply(&cmd, noon), 1);
	r = now_rec();
	ck_assert(r.setpoint == 18);
	ck_assert_int_eq(r.hold.kind, HOLD_NEXT);
	ck_assert_int_eq(r.target.preset, 1);
	/* Vacation: away until Sunday 18:00 replaces it. */
	memset(&cmd, 0, sizeof(cmd));
	cmd.kind = COMMAND_HOLD;
	cmd.hold.kind = HOLD_UNTIL;
	cmd.hold.preset = 3;
	cmd.hold.until = sunday;
	ck_assert_int_eq(apply(&cmd, noon + 60), 1);
	r = now_rec();
	ck_assert(r.setpoint == 12);
	ck_assert_int_eq(r.target.until, sunday);
	/* Through every switch point of the week: still away. */
	for (time_t t = noon; t < sunday; t += 1800) {
		wake(t);
		ck_assert_msg(now_rec().setpoint == 12, "at %lld", (long long)t);
	}
	/* A boost over the vacation, then back to it. */
	memset(&cmd, 0, sizeof(cmd));
	cmd.kind = COMMAND_BOOST;
	cmd.setpoint = 23;
	cmd.seconds = 1800;
	ck_assert_int_eq(apply(&cmd, sunday - 7200), 1);
	r = now_rec();
	ck_assert(r.setpoint == 23);
	ck_assert_int_eq(r.target.source, TARGET_BOOST);
	ck_assert_int_eq(r.target.until, sunday - 5400);
	wake(sunday - 5400);
	r = now_rec();
	ck_assert(r.setpoint == 12);
	ck_assert_int_eq(r.boost.until, 0);
	/* Sunday 18:00: the schedule again (comfort since 06:30). */
	wake(sunday);
	r = now_rec();
	ck_assert(r.setpoint == 21);
	ck_assert_int_eq(r.hold.kind, HOLD_NONE);
	ck_assert_int_eq(r.target.source, TARGET_SCHEDULE);
	/* A permanent hold outlives every point; clearing it ends it. */
	memset(&cmd, 0, sizeof(cmd));
	cmd.kind = COMMAND_HOLD;
	cmd.hold.kind = HOLD_FOREVER;
	cmd.hold.preset = -1;
	cmd.hold.temp = 16;
	ck_assert_int_eq(apply(&cmd, sunday), 1);
	wake(sunday + 30 * 86400);
	ck_assert(now_rec().setpoint == 16);
	ck_assert_int_eq(now_rec().target.until, 0);
	memset(&cmd, 0, sizeof(cmd));
	cmd.kind = COMMAND_CLEAR_HOLD;
	ck_assert_int_eq(apply(&cmd, sunday + 30 * 86400), 1);
	ck_assert(now_rec().setpoint == 21); /* 18:00: comfort */
	thermo_unref(rec);
}
END_TEST

START_TEST(presets_follow_and_refuse)
{
	struct command cmd;
	struct thermo r, before;
	char err[200];
	time_t noon;

	use_tz("Europe/Berlin");
	noon = at(2026, 12, 7, 12, 0);
	make_record(true, noon);
	/* Rename sleep to night (index 2 to 0), drop eco and away (unused),
	 * comfort warmer: the schedule follows the names. */
	memset(&cmd, 0, sizeof(cmd));
	cmd.kind = COMMAND_PRESETS;
	ck_assert_int_eq(presets_parse("night 16.5, comfort 21.5",
				       &cmd.presets, err, sizeof(err)), 0);
	for (int i = 0; i < SCHED_MAX_PRESETS; i++)
		cmd.remap[i] = -1;
	cmd.remap[2] = 0;
	cmd.remap[0] = 1;
	ck_assert_int_eq(apply(&cmd, noon), 1);
	r = now_rec();
	ck_assert(r.setpoint == 21.5);
	ck_assert_int_eq(r.schedule.day[0].pt[0].preset, 1);
	ck_assert_int_eq(r.schedule.day[0].pt[1].preset, 0);
	/* Dropping night, which the schedule uses: refused, nothing
	 * changed. */
	before = r;
	memset(&cmd, 0, sizeof(cmd));
	cmd.kind = COMMAND_PRESETS;
	ck_assert_int_eq(presets_parse("comfort 21.5", &cmd.presets, err,
				       sizeof(err)), 0);
	for (int i = 0; i < SCHED_MAX_PRESETS; i++)
		cmd.remap[i] = -1;
	cmd.remap[1] = 0;
	ck_assert_int_eq(apply(&cmd, noon), -EAGAIN);
	r = now_rec();
	ck_assert(memcmp(&r.presets, &before.presets, sizeof(r.presets)) == 0);
	ck_assert(memcmp(&r.schedule, &before.schedule,
			 sizeof(r.schedule)) == 0);
	/* A name looked up in other presets than the record's: refused. */
	memset(&cmd, 0, sizeof(cmd));
	cmd.kind = COMMAND_PRESET;
	cmd.preset = 0;
	sched_default_presets(&cmd.seen);
	cmd.now = noon;
	ck_assert_int_eq(command_apply(rec, &cmd, NULL), -EAGAIN);
	ck_assert(now_rec().setpoint == 21.5);
	thermo_unref(rec);
}
END_TEST

/* ---- two simulated weeks ---------------------------------------------- */

/* The zones and the Mondays of the weeks around their clock changes. */
static const struct {
	const char *tz;
	int y, m, d;
} weeks[] = {
	{ "Europe/Berlin", 2026, 3, 23 },	/* spring forward on the 29th */
	{ "Europe/Berlin", 2026, 10, 19 },	/* fall back on the 25th */
	{ "America/New_York", 2026, 3, 2 },	/* spring forward on the 8th */
	{ "America/New_York", 2026, 10, 26 },	/* fall back Nov 1st */
};

/* Every day: 02:30 (skipped or repeated on the change days) and more. */
static const char day_points[] =
	"02:30 eco, 06:30 comfort, 08:00 eco, 17:00 comfort, 22:30 sleep";

/*
 * Two weeks from the Monday, woken only as the control thread wakes: at
 * target.until.  Every switch point of every day fires exactly once, at
 * its instant (sched_instant: the jump for a skipped time, the first
 * occurrence of a repeated one), and at every minute between wakes the
 * record's setpoint is what sched_target() says then.
 */
START_TEST(two_weeks_wake_at_every_point_once)
{
	enum { DAYS = 14, PER_DAY = 5 };
	time_t want[DAYS * PER_DAY], start, end, t, wall;
	size_t nwant = 0, fired = 0;
	struct thermo r;
	char err[200];

	use_tz(weeks[_i].tz);
	for (int day = 0; day < DAYS; day++) {
		static const int hm[PER_DAY][2] = {
			{ 2, 30 }, { 6, 30 }, { 8, 0 }, { 17, 0 }, { 22, 30 },
		};
		struct tm tm = { .tm_year = weeks[_i].y - 1900,
				 .tm_mon = weeks[_i].m - 1,
				 .tm_mday = weeks[_i].d + day, .tm_hour = 12,
				 .tm_isdst = -1 };

		ck_assert(mktime(&tm) != (time_t)-1);
		for (int k = 0; k < PER_DAY; k++)
			want[nwant++] = at(tm.tm_year + 1900, tm.tm_mon + 1,
					   tm.tm_mday, hm[k][0], hm[k][1]);
	}
	start = want[0] - 3600;
	end = want[nwant - 1] + 60;
	{
		struct thermo init = thermo_defaults;

		sched_default_presets(&init.presets);
		for (int d = 0; d < 7; d++)
			ck_assert_int_eq(day_parse(day_points, &init.presets,
						   &init.schedule.day[d], err,
						   sizeof(err)), 0);
		program_refresh(&init, start);
		rec = thermo_new(&init, SS_MUTEX);
	}
	for (wall = start;;) {
		r = now_rec();
		t = r.target.until;
		ck_assert_msg(t > wall, "woken again at %lld", (long long)t);
		if (t > end)
			break;
		/* Asleep until then: every 7 minutes in between, and the
		 * second before the wake, the setpoint the record holds is
		 * the model's. */
		for (time_t m = wall; m < t; m = m + 420 < t ? m + 420
			     : m == t - 1 ? t : t - 1) {
			struct sched_target st;

			sched_target(&r.schedule, &r.presets, &r.hold, &r.boost,
				     r.manual, m, &st);
			ck_assert_msg(st.temp == r.setpoint, "%s: at %lld the "
				      "model says %g, the record %g",
				      weeks[_i].tz, (long long)m, st.temp,
				      r.setpoint);
		}
		wall = t;
		wake(wall);
		ck_assert_msg(fired < nwant && want[fired] == wall,
			      "%s: point %zu fired at %lld, wanted %lld",
			      weeks[_i].tz, fired, (long long)wall,
			      fired < nwant ? (long long)want[fired] : -1LL);
		fired++;
	}
	ck_assert_uint_eq(fired, nwant);
	thermo_unref(rec);
}
END_TEST

/* A point that gives what holds already is no change: the page says
 * "Comfort until 22:00", not "until 12:00, then Comfort". */
START_TEST(same_points_are_no_change)
{
	struct thermo init = thermo_defaults;
	char err[200];
	time_t seven;

	use_tz("Europe/Berlin");
	seven = at(2026, 12, 7, 7, 0);
	sched_default_presets(&init.presets);
	for (int d = 0; d < 7; d++)
		ck_assert_int_eq(day_parse("06:30 comfort, 12:00 comfort, "
					   "17:00 21, 22:00 sleep",
					   &init.presets, &init.schedule.day[d],
					   err, sizeof(err)), 0);
	program_refresh(&init, seven);
	ck_assert(init.setpoint == 21);
	/* 12:00 comfort and 17:00 21 C (comfort's temperature, but not the
	 * preset) : the next change is 17:00, where the preset ends. */
	ck_assert_int_eq(init.target.until, at(2026, 12, 7, 17, 0));
	ck_assert_int_eq(init.target.next_preset, -1);
	program_refresh(&init, at(2026, 12, 7, 17, 0));
	ck_assert_int_eq(init.target.until, at(2026, 12, 7, 22, 0));
	ck_assert_int_eq(init.target.next_preset, 2);
	/* A week whose every point is eco: eco, and no change by itself. */
	memset(&init.schedule, 0, sizeof(init.schedule));
	ck_assert_int_eq(day_parse("06:00 eco", &init.presets,
				   &init.schedule.day[0], err, sizeof(err)), 0);
	program_refresh(&init, seven);
	ck_assert(init.setpoint == 18);
	ck_assert_int_eq(init.target.until, 0);
	ck_assert_int_eq(init.target.next_switch, 0);
}
END_TEST

/* NTP sets the clock of a Pi that booted in 1970: the next wake (the
 * clock thread's) evaluates the program at the new time at once. */
START_TEST(wall_clock_jump)
{
	struct thermo r;
	time_t noon;

	use_tz("Europe/Berlin");
	noon = at(2026, 12, 7, 12, 0);
	make_record(true, 1000); /* 1970-01-01 */
	r = now_rec();
	ck_assert(r.setpoint == 17); /* 00:16 local: sleep since 22:00 */
	wake(noon);
	r = now_rec();
	ck_assert(r.setpoint == 21);
	ck_assert_int_eq(r.target.until, at(2026, 12, 7, 22, 0));
	/* And back: a clock set a day back evaluates again too. */
	wake(at(2026, 12, 6, 23, 0));
	ck_assert(now_rec().setpoint == 17);
	ck_assert_int_eq(now_rec().target.until, at(2026, 12, 7, 6, 30));
	thermo_unref(rec);
}
END_TEST

static Suite *program_suite(void)
{
	Suite *s = suite_create("program");
	TCase *tc = tcase_create("text");

	tcase_add_test(tc, presets_text);
	tcase_add_test(tc, day_text);
	tcase_add_test(tc, hold_and_boost_text);
	tcase_add_test(tc, rounding);
	tcase_add_test(tc, program_on_the_step);
	suite_add_tcase(s, tc);
	tc = tcase_create("record");
	tcase_add_test(tc, setpoint_without_a_schedule_is_manual);
	tcase_add_test(tc, setpoint_under_a_schedule_holds_until_the_next_point);
	tcase_add_test(tc, preset_hold_vacation_boost);
	tcase_add_test(tc, presets_follow_and_refuse);
	tcase_add_test(tc, wall_clock_jump);
	tcase_add_test(tc, same_points_are_no_change);
	suite_add_tcase(s, tc);
	tc = tcase_create("weeks");
	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, two_weeks_wake_at_every_point_once, 0,
			    (int)(sizeof(weeks) / sizeof(weeks[0])));
	suite_add_tcase(s, tc);
	return s;
}

const suite_fn test_suites[] = { program_suite, NULL };
