/* SPDX-License-Identifier: MIT */
/*
 * soak: the thermostat's control loop over simulated weeks, on a
 * simulated clock (tests/thermostat/simulate.c runs the house model, the
 * sensor with dropouts, and control_decide exactly as the daemon's control
 * thread wakes it), with random setpoint changes, mode toggles and sensor
 * dropouts, some longer than sensor_timeout.  Every control invariant is
 * checked at every step: minimum run and rest times except for safety, no
 * heat on a stale reading or in mode off, the temperature within the band
 * plus the derived overshoot bounds, no run past runaway_time without a
 * rise.  Runaway protection is on, at its defaults: nothing here sticks,
 * so every runaway alarm would be a false one, and there must be none.
 * Then the weekly program through the same loop for as long, from New
 * Year in Europe/Berlin and in America/New_York, over their clock
 * changes (tests/thermostat/simprogram.h): every switch point fires
 * exactly once, held presets and vacations hold over what they cover, and
 * the control invariants hold.
 * Prints "name value unit" lines; exits 1 on any violation.
 *   soak [DAYS] [SEED]   (default 7 days, seed from THERMO_SEED or 1)
 *   soak --transcript    a week of the program in Berlin from Saturday
 *                        2026-03-28, over the spring clock change, one
 *                        line per switch point and command, then the
 *                        runtime of each day
 */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "simprogram.h"
#include "simulate.h"

/* The weekly program for @days in zone @tz: 0, or 1 with why. */
static int soak_program(const char *tz, const char *label, double days,
			uint64_t seed)
{
	struct simprog_result res;
	struct timespec t0, t1;
	char summary[1024];

	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (simprog_run(tz, 2026, 1, 1, days, seed, true, NULL, &res) != 0) {
		fprintf(stderr, "soak: %s: cannot set up the program's run\n",
			tz);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("soak.program.%s.wall %.3f s\n", label,
	       (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("soak.program.%s.points %lu points\n", label, res.points);
	printf("soak.program.%s.fired %lu points\n", label, res.fired);
	printf("soak.program.%s.missing %lu points\n", label, res.missing);
	printf("soak.program.%s.twice %lu points\n", label, res.twice);
	printf("soak.program.%s.extra %lu wakes\n", label, res.extra);
	printf("soak.program.%s.vacations %lu vacations\n", label,
	       res.vacations);
	printf("soak.program.%s.switches %lu switches\n", label,
	       res.report.switches_on + res.report.switches_off);
	printf("soak.program.%s.violations %lu\n", label,
	       res.report.violations);
	if (res.missing || res.twice || res.extra || res.other_wakes ||
	    res.fired == 0) {
		fprintf(stderr, "soak: %s: %lu points: %lu fired, %lu missing "
			"(first %lld), %lu twice, %lu extra (first %lld)\n", tz,
			res.points, res.fired, res.missing,
			(long long)res.first_missing, res.twice, res.extra,
			(long long)res.first_extra);
		return 1;
	}
	if (res.report.violations) {
		sim_describe(&res.report, summary, sizeof(summary));
		fprintf(stderr, "soak: %s: seed %llu: %s\n", tz,
			(unsigned long long)seed, summary);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	double days = argc > 1 ? atof(argv[1]) : 7;
	const char *env = getenv("THERMO_SEED");
	uint64_t seed = argc > 2 ? strtoull(argv[2], NULL, 0)
			: env ? strtoull(env, NULL, 0) : 1;
	struct sim_params p;
	struct sim_report r;
	struct timespec t0, t1;
	char summary[1024];
	int ret;

	if (argc > 1 && strcmp(argv[1], "--transcript") == 0) {
		struct simprog_result res;

		if (simprog_run("Europe/Berlin", 2026, 3, 28, 7, seed, false,
				stdout, &res) != 0)
			return 2;
		return res.missing || res.twice || res.extra ||
		       res.report.violations;
	}
	if (!(days > 0)) {
		fprintf(stderr, "usage: soak [DAYS] [SEED]\n");
		return 2;
	}
	sim_default_params(&p);
	/* A real house, the daemon's default control settings (runaway
	 * protection included). */
	sim_realistic_house(&p.house);
	p.duration = days * 86400;
	p.seed = seed;
	/* Someone at the dial every few hours, the heat off now and then, a
	 * flaky sensor: short dropouts often, some past sensor_timeout. */
	p.setpoint_every = 3 * 3600;
	p.setpoint_lo = 16;
	p.setpoint_hi = 23;
	p.mode_off_every = 2 * 86400;
	p.mode_off_max = 4 * 3600;
	p.dropout_every = 6 * 3600;
	p.dropout_max = 3 * p.control.sensor_timeout;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	ret = sim_run(&p, &r);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (ret < 0) {
		fprintf(stderr, "soak: bad parameters\n");
		return 2;
	}
	printf("soak.days %.1f days\n", days);
	printf("soak.seed %llu\n", (unsigned long long)seed);
	printf("soak.wall %.3f s\n", (double)(t1.tv_sec - t0.tv_sec) +
					     (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("soak.decisions %lu decisions\n", r.decisions);
	printf("soak.reads %lu reads\n", r.reads);
	printf("soak.failed_reads %lu reads\n", r.failed_reads);
	printf("soak.switches %lu switches\n", r.switches_on + r.switches_off);
	printf("soak.stale_offs %lu switches\n", r.offs[REASON_SENSOR_STALE]);
	printf("soak.heating %.1f %%\n", 100 * r.heating_s / p.duration);
	printf("soak.shortest_on %.0f s\n", r.shortest_on);
	printf("soak.shortest_off %.0f s\n", r.shortest_off);
	printf("soak.worst_over %.3f C (bound %.3f)\n", r.worst_over,
	       r.over_bound);
	printf("soak.worst_under %.3f C (bound %.3f)\n", r.worst_under,
	       r.under_bound);
	printf("soak.runaway_time %.0f s, runaway_rise %.2f C\n",
	       p.control.runaway_time, p.control.runaway_rise);
	printf("soak.false_alarms %lu runaway trips\n", r.runaway_trips);
	printf("soak.violations %lu\n", r.violations);
	/* A soak that never cycled, or never saw a dropout, proved nothing. */
	if (r.switches_on < days * 4 || r.failed_reads == 0 ||
	    r.offs[REASON_SENSOR_STALE] == 0) {
		fprintf(stderr, "soak: too little happened to prove anything\n");
		return 1;
	}
	if (!(p.control.runaway_time > 0)) {
		fprintf(stderr, "soak: runaway protection is off\n");
		return 1;
	}
	if (r.runaway_trips > 0) {
		fprintf(stderr, "soak: seed %llu: %lu false runaway alarms\n",
			(unsigned long long)seed, r.runaway_trips);
		return 1;
	}
	if (ret > 0) {
		sim_describe(&r, summary, sizeof(summary));
		fprintf(stderr, "soak: seed %llu: %s\n",
			(unsigned long long)seed, summary);
		return 1;
	}
	return soak_program("Europe/Berlin", "berlin", days, seed) |
	       soak_program("America/New_York", "new_york", days, seed);
}
