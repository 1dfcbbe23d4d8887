/* SPDX-License-Identifier: MIT */
#include <config.h>

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/schedule.h"

void sched_default_presets(struct sched_presets *ps)
{
	static const struct sched_preset def[] = {
		{ "comfort", 21.0 },
		{ "eco", 18.0 },
		{ "sleep", 17.0 },
		{ "away", 12.0 },
	};

	memset(ps, 0, sizeof(*ps));
	ps->n = sizeof(def) / sizeof(def[0]);
	memcpy(ps->p, def, sizeof(def));
}

int sched_preset_index(const struct sched_presets *ps, const char *name)
{
	for (size_t i = 0; i < ps->n; i++)
		if (strcmp(ps->p[i].name, name) == 0)
			return (int)i;
	return -1;
}

static bool valid_name(const char *s)
{
	size_t n = strnlen(s, SCHED_PRESET_NAME);

	if (n == 0 || n == SCHED_PRESET_NAME || s[0] < 'a' || s[0] > 'z')
		return false;
	for (size_t i = 1; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
			return false;
	return true;
}

static bool in_range(double t, double min, double max)
{
	return isfinite(t) && t >= min && t <= max;
}

const char *const sched_day_names[7] = {
	"monday", "tuesday", "wednesday", "thursday", "friday", "saturday",
	"sunday",
};

int sched_check(const struct schedule *s, const struct sched_presets *ps,
		double min, double max, char *err, size_t errlen)
{
	if (ps->n > SCHED_MAX_PRESETS) {
		snprintf(err, errlen, "at most %d presets", SCHED_MAX_PRESETS);
		return -1;
	}
	for (size_t i = 0; i < ps->n; i++) {
		if (!valid_name(ps->p[i].name)) {
			snprintf(err, errlen, "preset %zu: a name is 1 to %d "
				 "characters a-z, 0-9 and _, starting with a "
				 "letter", i + 1, SCHED_PRESET_NAME - 1);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(ps->p[i].name, ps->p[j].name) == 0) {
				snprintf(err, errlen, "preset %s given twice",
					 ps->p[i].name);
				return -1;
			}
		if (!in_range(ps->p[i].temp, min, max)) {
			snprintf(err, errlen, "preset %s: %g is outside "
				 "%g..%g", ps->p[i].name, ps->p[i].temp, min,
				 max);
			return -1;
		}
	}
	for (int d = 0; d < 7; d++) {
		const struct sched_day *day = &s->day[d];

		if (day->n > SCHED_MAX_POINTS) {
			snprintf(err, errlen, "%s: at most %d switch points",
				 sched_day_names[d], SCHED_MAX_POINTS);
			return -1;
		}
		for (size_t i = 0; i < day->n; i++) {
			const struct sched_point *p = &day->pt[i];

			if (p->minute < 0 || p->minute >= 24 * 60) {
				snprintf(err, errlen, "%s: a time is 00:00 to "
					 "23:59", sched_day_names[d]);
				return -1;
			}
			if (i > 0 && p->minute <= day->pt[i - 1].minute) {
				snprintf(err, errlen, "%s: %02d:%02d is not "
					 "after %02d:%02d (points are in order, "
					 "one per time)", sched_day_names[d],
					 p->minute / 60, p->minute % 60,
					 day->pt[i - 1].minute / 60,
					 day->pt[i - 1].minute % 60);
				return -1;
			}
			if (p->preset < -1 || p->preset >= (int)ps->n) {
				snprintf(err, errlen, "%s %02d:%02d: no such "
					 "preset", sched_day_names[d],
					 p->minute / 60, p->minute % 60);
				return -1;
			}
			if (p->preset == -1 && !in_range(p->temp, min, max)) {
				snprintf(err, errlen, "%s %02d:%02d: %g is "
					 "outside %g..%g", sched_day_names[d],
					 p->minute / 60, p->minute % 60,
					 p->temp, min, max);
				return -1;
			}
		}
	}
	return 0;
}

/* ---- local time ------------------------------------------------------ */

/* A local wall time as one comparable number: seconds since a date
 * origin, ignoring the offset. */
static int64_t wall_key(int y, int m, int d, int sec_of_day)
{
	return (((int64_t)y * 13 + m) * 32 + d) * 86400 + sec_of_day;
}

static bool wall_of(time_t t, int64_t *key)
{
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return false;
	*key = wall_key(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
			tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
	return true;
}

static time_t make_local(int y, int m, int d, int minute, int isdst)
{
	struct tm tm = {
		.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d,
		.tm_hour = minute / 60, .tm_min = minute % 60,
		.tm_isdst = isdst,
	};

	return mktime(&tm);
}

time_t sched_instant(int y, int m, int d, int minute)
{
	int64_t want = wall_key(y, m, d, minute * 60), k;
	time_t best = (time_t)-1, lo, hi, t[2];
	bool found = false;

	/* The time as daylight saving time and as standard time: each
	 * reading that shows that wall time is an occurrence; the first
	 * is the one. */
	for (int dst = 0; dst <= 1; dst++) {
		t[dst] = make_local(y, m, d, minute, dst);
		if (wall_of(t[dst], &k) && k == want &&
		    (!found || t[dst] < best)) {
			best = t[dst];
			found = true;
		}
	}
	if (found)
		return best;
	/* No occurrence: the clocks jump over it.  The readings bracket
	 * the jump; the first instant whose wall time is at or after the
	 * wanted one is the jump itself. */
	lo = t[0] < t[1] ? t[0] : t[1];
	hi = t[0] < t[1] ? t[1] : t[0];
	lo -= 3 * 3600;
	hi += 3 * 3600;
	if (!wall_of(lo, &k) || k >= want || !wall_of(hi, &k) || k < want)
		return (time_t)-1;
	while (hi - lo > 1) {
		time_t mid = lo + (hi - lo) / 2;

		if (!wall_of(mid, &k))
			return (time_t)-1;
		if (k >= want)
			hi = mid;
		else
			lo = mid;
	}
	return hi;
}

/* ---- the week -------------------------------------------------------- */

/*
 * The points of the local date @off days from @today, with their
 * instants, into @out (at most SCHED_MAX_POINTS); returns how many.
 */
static size_t day_instants(const struct schedule *s, const struct tm *today,
			   int off, time_t *at, const struct sched_point **pt)
{
	/* Noon of that date: mktime normalises the day and gives the
	 * weekday, far from any clock change. */
	struct tm tm = {
		.tm_year = today->tm_year, .tm_mon = today->tm_mon,
		.tm_mday = today->tm_mday + off, .tm_hour = 12,
		.tm_isdst = -1,
	};
	const struct sched_day *day;
	size_t n = 0;

	if (mktime(&tm) == (time_t)-1)
		return 0;
	day = &s->day[(tm.tm_wday + 6) % 7];
	for (size_t i = 0; i < day->n && i < SCHED_MAX_POINTS; i++) {
		time_t t = sched_instant(tm.tm_year + 1900, tm.tm_mon + 1,
					 tm.tm_mday, day->pt[i].minute);

		if (t == (time_t)-1)
			continue;
		at[n] = t;
		pt[n++] = &day->pt[i];
	}
	return n;
}

/*
 * Dates go forward with time, and every instant of a date is before
 * every instant of the next one (a repeated hour is within one date,
 * and a point fires at its first occurrence): so the latest instant at
 * or before now is on the nearest date, going back, that has one, and
 * the earliest after now on the nearest going forward.  Today's points
 * are looked at once, for both.
 */
void sched_around(const struct schedule *s, time_t now, time_t *prev,
		  const struct sched_point **prev_pt, time_t *next,
		  const struct sched_point **next_pt)
{
	const struct sched_point *pt[SCHED_MAX_POINTS];
	time_t at[SCHED_MAX_POINTS];
	struct tm today;

	*prev = *next = 0;
	*prev_pt = *next_pt = NULL;
	if (!localtime_r(&now, &today))
		return;
	for (int off = 0; off >= -8 && !*prev_pt; off--) {
		size_t n = day_instants(s, &today, off, at, pt);

		for (size_t i = 0; i < n; i++) {
			if (at[i] <= now && (!*prev_pt || at[i] > *prev)) {
				*prev = at[i];
				*prev_pt = pt[i];
			} else if (off == 0 && at[i] > now &&
				   (!*next_pt || at[i] < *next)) {
				*next = at[i];
				*next_pt = pt[i];
			}
		}
	}
	for (int off = 1; off <= 8 && !*next_pt; off++) {
		size_t n = day_instants(s, &today, off, at, pt);

		for (size_t i = 0; i < n; i++)
			if (at[i] > now && (!*next_pt || at[i] < *next)) {
				*next = at[i];
				*next_pt = pt[i];
			}
	}
}

static double point_temp(const struct sched_presets *ps,
			 const struct sched_point *p, double fallback)
{
	if (p->preset >= 0)
		return (size_t)p->preset < ps->n ? ps->p[p->preset].temp
						  : fallback;
	return p->temp;
}

static void from_hold(const struct sched_presets *ps,
		      const struct sched_hold *h, double fallback,
		      struct sched_target *out)
{
	out->source = TARGET_HOLD;
	out->preset = h->preset;
	out->temp = h->preset >= 0 ? ((size_t)h->preset < ps->n
					      ? ps->p[h->preset].temp
					      : fallback)
				   : h->temp;
}

int sched_target(const struct schedule *s, const struct sched_presets *ps,
		 const struct sched_hold *hold, const struct sched_boost *boost,
		 double fallback, time_t now, struct sched_target *out)
{
	const struct sched_point *prev_pt, *next_pt;
	time_t prev, next;

	sched_around(s, now, &prev, &prev_pt, &next, &next_pt);
	memset(out, 0, sizeof(*out));
	out->next_switch = next;
	out->next_preset = next_pt ? next_pt->preset : -1;
	out->next_temp = next_pt ? point_temp(ps, next_pt, fallback) : 0;

	if (boost && boost->until > now) {
		out->temp = boost->temp;
		out->source = TARGET_BOOST;
		out->preset = -1;
		out->until = boost->until;
		return 0;
	}
	if (hold) {
		switch (hold->kind) {
		case HOLD_NONE:
			break;
		case HOLD_FOREVER:
			from_hold(ps, hold, fallback, out);
			out->until = 0;
			return 0;
		case HOLD_UNTIL:
			if (now < hold->until) {
				from_hold(ps, hold, fallback, out);
				out->until = hold->until;
				return 0;
			}
			break;
		case HOLD_NEXT: {
			/* Until the first switch point after it was set. */
			const struct sched_point *pp, *np;
			time_t p, n;

			sched_around(s, hold->since, &p, &pp, &n, &np);
			if (!np || now < n) {
				from_hold(ps, hold, fallback, out);
				out->until = np ? n : 0;
				return 0;
			}
			break;
		}
		}
	}
	out->source = TARGET_SCHEDULE;
	out->until = next_pt ? next : 0;
	if (!prev_pt) {
		out->temp = fallback;
		out->preset = -1;
		return -1;
	}
	out->temp = point_temp(ps, prev_pt, fallback);
	out->preset = prev_pt->preset;
	return 0;
}
