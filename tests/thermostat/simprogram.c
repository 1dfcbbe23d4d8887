/* SPDX-License-Identifier: MIT */
/*
 * The weekly program through the control loop's simulation (simprogram.h).
 * The expected switch instants are computed here from sched_instant() for
 * every local date of the run, independently of how the program finds
 * its next change (sched_around, skipping points that change nothing).
 */
#include <config.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/program.h"
#include "core/runtime.h"
#include "core/schedule_text.h"
#include "simprogram.h"

/* Weekdays and weekends: every point changes the preset in force (so
 * every one is a change the program must wake for), 02:30 is skipped on
 * a spring-forward night and repeated on a fall-back one. */
static const char weekday[] =
	"02:30 eco, 06:30 comfort, 08:00 eco, 17:00 comfort, 22:30 sleep";
static const char weekend[] = "02:30 eco, 08:00 comfort, 23:00 sleep";

#define VACATION_S (5 * 86400.0)

struct wakes {
	size_t n, cap;
	time_t *at;		/* schedule wakes, in order */
	unsigned long other;	/* wakes that left a hold or boost in force */
	FILE *transcript;
};

/* "Sun 2026-03-29 03:00 CEST  21.0 C  comfort (schedule) until Sun 08:00" */
static void transcribe(FILE *f, time_t wall, const char *what,
		       const struct thermo *r)
{
	char when[48], until[32] = "-";
	const struct sched_target *t = &r->target;
	struct tm tm;

	localtime_r(&wall, &tm);
	strftime(when, sizeof(when), "%a %Y-%m-%d %H:%M %Z", &tm);
	if (t->until) {
		localtime_r(&t->until, &tm);
		strftime(until, sizeof(until), "%a %H:%M", &tm);
	}
	fprintf(f, "%-26s %-8s %5.1f C  %-8s %-9s until %s\n", when, what,
		r->setpoint,
		t->preset >= 0 && (size_t)t->preset < r->presets.n
			? r->presets.p[t->preset].name
			: "-",
		program_source_name(t, &r->schedule), until);
}

static void on_command(void *ctx, time_t wall, enum sim_action action,
		       const struct thermo *r)
{
	struct wakes *w = ctx;

	if (w->transcript)
		transcribe(w->transcript, wall,
			   action == SIM_PRESET	    ? "preset"
			   : action == SIM_VACATION ? "vacation"
						    : "resume",
			   r);
}

static void on_wake(void *ctx, time_t wall, const struct thermo *r)
{
	struct wakes *w = ctx;

	if (w->transcript)
		transcribe(w->transcript, wall, "switch", r);

	if (r->target.source != TARGET_SCHEDULE) {
		w->other++;
		return;
	}
	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 256;
		w->at = realloc(w->at, w->cap * sizeof(*w->at));
		if (!w->at)
			abort();
	}
	w->at[w->n++] = wall;
}

static int cmp_time(const void *a, const void *b)
{
	time_t x = *(const time_t *)a, y = *(const time_t *)b;

	return (x > y) - (x < y);
}

static bool in_vacation(const double *starts, size_t n, time_t wall0,
			time_t t, bool end_too)
{
	for (size_t i = 0; i < n; i++) {
		double vs = (double)wall0 + starts[i];
		double ve = vs + VACATION_S;

		if ((double)t > vs && ((double)t < ve ||
				       (end_too && (double)t == ve)))
			return true;
	}
	return false;
}

int simprog_run(const char *tz, int y, int m, int d, double days,
		uint64_t seed, bool flaky, FILE *transcript,
		struct simprog_result *out)
{
	struct sim_params p;
	struct thermo prog = thermo_defaults;
	struct sim_event *script;
	struct tm tm0 = { .tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d,
			  .tm_isdst = -1 };
	double vac[64];
	size_t nscript = 0, nvac = 0, cap;
	struct wakes w = { 0, 0, NULL, 0, transcript };
	time_t wall0, wall_end, *want = NULL;
	size_t nwant = 0, wcap = 0, i, j;
	char err[200];
	int ret;

	memset(out, 0, sizeof(*out));
	if (setenv("TZ", tz, 1) != 0)
		return -1;
	tzset();
	wall0 = mktime(&tm0);
	if (wall0 == (time_t)-1)
		return -1;
	wall_end = wall0 + (time_t)(days * 86400);

	/* The program: the default presets, the week above. */
	prog.manual = 20;
	sched_default_presets(&prog.presets);
	for (int day = 0; day < 7; day++)
		if (day_parse(day < 5 ? weekday : weekend, &prog.presets,
			      &prog.schedule.day[day], err, sizeof(err)) != 0)
			return -1;

	/* The script: a preset held every other day at 13:00 (until the
	 * next point), resumed at 13:30 every fourth day (the schedule
	 * again at once), and a vacation of five days from day 1 of every
	 * month-long stretch at 09:15, left alone while it lasts (over by
	 * day 7, the clock change of check-control's runs). */
	cap = (size_t)(days + 2) * 2 + 64;
	script = calloc(cap, sizeof(*script));
	if (!script)
		return -1;
	for (double t = 0; t < days * 86400 && nscript + 3 < cap;
	     t += 86400) {
		long k = lround(t / 86400);

		if (k % 30 == 1 && nvac < sizeof(vac) / sizeof(vac[0])) {
			vac[nvac++] = t + 9 * 3600 + 15 * 60;
			script[nscript++] = (struct sim_event){
				t + 9 * 3600 + 15 * 60, SIM_VACATION,
				VACATION_S };
		}
		if (k % 30 >= 1 && k % 30 <= 6)
			continue;
		if (k % 2 == 0)
			script[nscript++] = (struct sim_event){
				t + 13 * 3600, SIM_PRESET, (double)(k / 2 % 4) };
		if (k % 4 == 0)
			script[nscript++] = (struct sim_event){
				t + 13.5 * 3600, SIM_RESUME, 0 };
	}

	sim_default_params(&p);
	sim_realistic_house(&p.house);
	p.duration = days * 86400;
	p.seed = seed;
	p.script = script;
	p.script_len = nscript;
	p.program = &prog;
	p.wall_start = wall0;
	p.on_wake = on_wake;
	p.on_command = on_command;
	p.wake_ctx = &w;
	if (flaky) {
		p.mode_off_every = 4 * 86400;
		p.mode_off_max = 4 * 3600;
		p.dropout_every = 6 * 3600;
		p.dropout_max = 3 * p.control.sensor_timeout;
	}
	ret = sim_run(&p, &out->report);
	free(script);
	if (ret >= 0 && transcript) {
		struct runtime_summary sum;

		runtime_summary(&out->report.runtime, wall_end, &sum);
		fprintf(transcript, "runtime, the last 7 days (the furnace's "
			"on-time, runs):\n");
		for (i = 0; i < 7; i++)
			fprintf(transcript, "  %08d  %2u h %02u min  %3u runs\n",
				(int)sum.last7[i].date,
				sum.last7[i].seconds / 3600,
				sum.last7[i].seconds / 60 % 60,
				sum.last7[i].cycles);
		fprintf(transcript, "  week %u h %02u min, total %llu h\n",
			sum.week / 3600, sum.week / 60 % 60,
			(unsigned long long)(sum.total / 3600));
	}
	if (ret < 0) {
		free(w.at);
		return -1;
	}

	/* Every point of every local date of the run, by sched_instant. */
	for (struct tm tm = tm0;; tm.tm_mday++) {
		struct tm noon = tm;
		const struct sched_day *day;

		noon.tm_hour = 12;
		noon.tm_isdst = -1;
		if (mktime(&noon) == (time_t)-1 ||
		    mktime(&noon) > wall_end + 86400)
			break;
		day = &prog.schedule.day[(noon.tm_wday + 6) % 7];
		for (i = 0; i < day->n; i++) {
			time_t t = sched_instant(noon.tm_year + 1900,
						 noon.tm_mon + 1, noon.tm_mday,
						 day->pt[i].minute);

			/* The run's first instant is its start, not a
			 * wake (its last one is: the simulation handles
			 * what is due at its end); points inside a
			 * vacation are held over. */
			if (t <= wall0 || t > wall_end ||
			    in_vacation(vac, nvac, wall0, t, false))
				continue;
			if (nwant == wcap) {
				wcap = wcap ? 2 * wcap : 256;
				want = realloc(want, wcap * sizeof(*want));
				if (!want)
					abort();
			}
			want[nwant++] = t;
			out->points++;
		}
	}
	qsort(want, nwant, sizeof(*want), cmp_time);
	/* Both lists are in order: a merge. */
	for (i = j = 0; i < nwant || j < w.n;) {
		if (j < w.n && i < nwant && w.at[j] == want[i]) {
			out->fired++;
			i++;
			j++;
			/* The same instant again: fired twice. */
			while (j < w.n && w.at[j] == w.at[j - 1]) {
				out->twice++;
				j++;
			}
		} else if (i < nwant && (j >= w.n || want[i] < w.at[j])) {
			out->missing++;
			if (!out->first_missing)
				out->first_missing = want[i];
			i++;
		} else {
			/* A vacation's end wakes the schedule too. */
			if (!in_vacation(vac, nvac, wall0, w.at[j], true)) {
				if (!out->extra++)
					out->first_extra = w.at[j];
			}
			else
				out->vacation_ends++;
			j++;
		}
	}
	out->other_wakes = w.other;
	out->vacations = nvac;
	free(want);
	free(w.at);
	return 0;
}
