/* SPDX-License-Identifier: MIT */
/*
 * The web API's request parsers (thermostat/web/api.h): the bodies of
 * PUT /api/v1/setpoint and /api/v1/mode, the original daemon's form
 * POST /set_thermostat, and the query of GET /api/v1/history.
 * Properties: a refused request has a 4xx status and a message; an
 * accepted setpoint is finite and within the configured bounds (in C and
 * in F configurations), the same request gives the same answer twice, and
 * what was accepted, written back in the request's own syntax, is accepted
 * with the same value.  The JSON bodies are parsed on a thread with the
 * stack of a CivetWeb worker, where the daemon parses them: a body nested
 * deeply enough to exhaust it must be refused, not crash the daemon.
 */
#include <config.h>
#include <math.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf/conf.h"
#include "core/command.h"
#include "core/program.h"
#include "core/schedule_text.h"
#include "web/api.h"
#include "web/api_program.h"
#include "targets.h"

/* Two configurations: the defaults (C, 5..30) and an F one with other
 * bounds, as a user might set them. */
/* The wall-clock time of the program's writes: Monday 2026-12-07. */
#define PROGRAM_NOW ((time_t)1796626800)

static const struct thermo_settings *config(int which)
{
	static struct thermo_settings c[2];
	static int ready;

	if (!ready) {
		config_defaults(&c[0]);
		config_defaults(&c[1]);
		c[1].units = 'F';
		c[1].limits.min = -10.5;
		c[1].limits.max = 37.25;
		c[1].setpoint_step = 0.1;
		ready = 1;
	}
	return &c[which];
}

/* Debian's CivetWeb starts its workers with 100 KiB of stack
 * (USE_STACK_SIZE=102400).  Where the C library's minimum is larger
 * (arm64's glibc: 128 KiB, for 64 KiB pages), pthread_attr_setstacksize
 * refuses 100 KiB; CivetWeb ignores that and its workers get the default
 * stack (8 MiB), so the minimum is still the stricter test. */
#define WORKER_STACK (100 * 1024)

static size_t worker_stack(void)
{
	long min = sysconf(_SC_THREAD_STACK_MIN);

	return min > WORKER_STACK ? (size_t)min : WORKER_STACK;
}

/* One thread with that stack, started at the first input and fed one
 * input at a time (a thread per input would cost more than the parse). */
static struct {
	pthread_t thread;
	sem_t go, done;
	void (*fn)(const uint8_t *data, size_t size);
	const uint8_t *data;
	size_t size;
	bool started;
} worker;

static void *worker_main(void *arg)
{
	(void)arg;
	for (;;) {
		while (sem_wait(&worker.go) != 0)
			;
		worker.fn(worker.data, worker.size);
		sem_post(&worker.done);
	}
	return NULL;
}

/* Runs @fn(@data, @size) on the worker and waits for it. */
static void on_worker_stack(void (*fn)(const uint8_t *, size_t),
			    const uint8_t *data, size_t size)
{
	if (!worker.started) {
		pthread_attr_t attr;

		if (sem_init(&worker.go, 0, 0) != 0 ||
		    sem_init(&worker.done, 0, 0) != 0 ||
		    pthread_attr_init(&attr) != 0 ||
		    pthread_attr_setstacksize(&attr, worker_stack()) != 0 ||
		    pthread_create(&worker.thread, &attr, worker_main,
				   NULL) != 0)
			fuzz_fail(data, size, "cannot start the worker thread");
		pthread_attr_destroy(&attr);
		worker.started = true;
	}
	worker.fn = fn;
	worker.data = data;
	worker.size = size;
	sem_post(&worker.go);
	while (sem_wait(&worker.done) != 0)
		;	/* EINTR: libFuzzer's timer */
}

static void check_refusal(const uint8_t *data, size_t size,
			  const struct api_error *err, int low, int high)
{
	if (err->status < low || err->status > high)
		fuzz_fail(data, size, "refused with status %d", err->status);
	if (!memchr(err->message, '\0', sizeof(err->message)) ||
	    err->message[0] == '\0')
		fuzz_fail(data, size, "refused without a message");
}

static void check_bounds(const uint8_t *data, size_t size, double c,
			 const struct thermo_settings *cfg)
{
	if (!isfinite(c))
		fuzz_fail(data, size, "accepted a setpoint that is not "
			  "finite: %g", c);
	if (c < cfg->limits.min - 1e-9 || c > cfg->limits.max + 1e-9)
		fuzz_fail(data, size, "accepted %.17g C outside %g..%g", c,
			  cfg->limits.min, cfg->limits.max);
}

static void setpoint_body(const uint8_t *data, size_t size)
{
	for (int which = 0; which < 2; which++) {
		const struct thermo_settings *cfg = config(which);
		struct api_error err = { 0, "" };
		double c = -1234.5, again = -1234.5;
		char body[128];
		int r;

		r = api_parse_setpoint((const char *)data, size, cfg, &c, &err);
		if (r != 0) {
			if (r != -1 || c != -1234.5)
				fuzz_fail(data, size, "refused (%d) but wrote "
					  "the result", r);
			check_refusal(data, size, &err, 400, 422);
			continue;
		}
		check_bounds(data, size, c, cfg);
		if (api_parse_setpoint((const char *)data, size, cfg, &again,
				       &err) != 0 || again != c)
			fuzz_fail(data, size, "a second parse differs");
		/* What a client would send back: the same value in C. */
		snprintf(body, sizeof(body),
			 "{\"setpoint\": %.17g, \"unit\": \"C\"}", c);
		if (api_parse_setpoint(body, strlen(body), cfg, &again,
				       &err) != 0)
			fuzz_fail(data, size, "%s refused: %s", body,
				  err.message);
		if (again != c)
			fuzz_fail(data, size, "%s read as %.17g", body, again);
	}
}

int fuzz_setpoint(const uint8_t *data, size_t size)
{
	on_worker_stack(setpoint_body, data, size);
	return 0;
}

static void mode_body(const uint8_t *data, size_t size)
{
	struct api_error err = { 0, "" };
	enum thermo_mode mode = (enum thermo_mode)42, again;
	char body[64];
	int r;

	r = api_parse_mode((const char *)data, size, &mode, &err);
	if (r != 0) {
		if (r != -1 || mode != (enum thermo_mode)42)
			fuzz_fail(data, size, "refused (%d) but wrote the "
				  "result", r);
		check_refusal(data, size, &err, 400, 422);
		return;
	}
	if (mode != MODE_OFF && mode != MODE_HEAT)
		fuzz_fail(data, size, "accepted mode %d", (int)mode);
	snprintf(body, sizeof(body), "{\"mode\":\"%s\"}", mode_name(mode));
	if (api_parse_mode(body, strlen(body), &again, &err) != 0 ||
	    again != mode)
		fuzz_fail(data, size, "%s does not read back", body);
}

int fuzz_mode(const uint8_t *data, size_t size)
{
	on_worker_stack(mode_body, data, size);
	return 0;
}

/* PUT /api/v1/alarm takes one document only: an object whose one member
 * is "runaway": false.  Whatever else parses is a bug. */
static void alarm_body(const uint8_t *data, size_t size)
{
	struct api_error err = { 0, "" };
	json_t *doc, *v;

	if (api_parse_alarm((const char *)data, size, &err) != 0) {
		check_refusal(data, size, &err, 400, 422);
		return;
	}
	doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
			 NULL);
	v = doc ? json_object_get(doc, "runaway") : NULL;
	if (!json_is_object(doc) || json_object_size(doc) != 1 ||
	    !json_is_false(v))
		fuzz_fail(data, size, "accepted as clearing the alarm");
	json_decref(doc);
}

int fuzz_alarm(const uint8_t *data, size_t size)
{
	on_worker_stack(alarm_body, data, size);
	return 0;
}

int fuzz_compat_form(const uint8_t *data, size_t size)
{
	for (int which = 0; which < 2; which++) {
		const struct thermo_settings *cfg = config(which);
		struct api_error err = { 0, "" };
		double c = -1234.5, again = -1234.5, f;
		char body[64];
		int r;

		r = api_parse_compat_form((const char *)data, size, cfg, &c,
					  &err);
		if (r != 0) {
			/* The result may hold the refused value (422 out of
			 * bounds); the caller ignores it. */
			check_refusal(data, size, &err, 400, 422);
			continue;
		}
		check_bounds(data, size, c, cfg);
		/* Whole degrees Fahrenheit, rounded to setpoint_step like
		 * every setpoint: on the step, and the whole F it shows
		 * reads back as the same setpoint. */
		if (setpoint_round(c, cfg->setpoint_step, cfg->limits.min,
				   cfg->limits.max) != c)
			fuzz_fail(data, size, "%.17g C is not on the %g C step",
				  c, cfg->setpoint_step);
		f = round(api_to_unit(c, 'F'));
		snprintf(body, sizeof(body), "thermostat_setting=%.0f", f);
		if (api_parse_compat_form(body, strlen(body), cfg, &again,
					  &err) != 0 || again != c)
			fuzz_fail(data, size, "%s does not read back", body);
	}
	return 0;
}

int fuzz_history_query(const uint8_t *data, size_t size)
{
	/* The query string as CivetWeb hands it: NUL-terminated. */
	char *query = fuzz_strdup(data, size);
	static const int maxes[] = { 1, 60, 1440, 10080 };

	for (size_t i = 0; i < sizeof(maxes) / sizeof(maxes[0]); i++) {
		struct api_error err = { 0, "" };
		int minutes = -7, again = -7, r;
		char text[64];

		r = api_parse_history_query(query, maxes[i], &minutes, &err);
		if (r != 0) {
			check_refusal(data, size, &err, 400, 400);
			continue;
		}
		if (minutes < 1 || minutes > maxes[i])
			fuzz_fail(data, size, "accepted %d minutes (max %d)",
				  minutes, maxes[i]);
		if (!query[0] && minutes != maxes[i])
			fuzz_fail(data, size, "no query gave %d, not all (%d)",
				  minutes, maxes[i]);
		snprintf(text, sizeof(text), "minutes=%d", minutes);
		if (api_parse_history_query(text, maxes[i], &again, &err) != 0 ||
		    again != minutes)
			fuzz_fail(data, size, "%s does not read back", text);
	}
	free(query);
	return 0;
}

/* The record a program write meets: the default presets, and comfort at
 * 06:30 and sleep at 22:00 on Mondays. */
static void program_record(struct thermo *r)
{
	static struct thermo made;
	static int ready;
	char err[200];

	if (!ready) {
		made = thermo_defaults;
		sched_default_presets(&made.presets);
		if (day_parse("06:30 comfort, 22:00 sleep", &made.presets,
			      &made.schedule.day[0], err, sizeof(err)) != 0)
			abort();
		program_refresh(&made, PROGRAM_NOW);
		ready = 1;
	}
	memcpy(r, &made, sizeof(*r));
}

/* The weekly program's bodies (web/api_program.h), through each of its
 * parsers: a refusal is 400 or 422 with a message; what is accepted
 * applies to the record it was parsed against, and leaves a program
 * whose every temperature is within the bounds and on the step. */
int fuzz_program(const uint8_t *data, size_t size)
{
	static api_program_parse_fn *const parsers[] = {
		api_parse_preset, api_parse_hold, api_parse_boost,
		api_parse_presets, api_parse_schedule,
	};

	for (size_t p = 0; p < sizeof(parsers) / sizeof(parsers[0]); p++)
		for (int which = 0; which < 2; which++) {
			const struct thermo_settings *cfg = config(which);
			const struct setpoint_limits *l = &cfg->limits;
			struct api_error err = { 0, "" };
			struct command *cmd = calloc(1, sizeof(*cmd));
			struct thermo r, after;
			thermo_handle h;
			char why[200];
			int rc;

			if (!cmd)
				abort();
			program_record(&r);
			memcpy(&cmd->seen, &r.presets, sizeof(cmd->seen));
			cmd->now = PROGRAM_NOW;
			rc = parsers[p]((const char *)data, size, cfg, &r, cmd,
					&err);
			if (rc != 0) {
				check_refusal(data, size, &err, 400, 422);
				free(cmd);
				continue;
			}
			h = thermo_new(&r, SS_MUTEX);
			if (!thermo_valid(h))
				abort();
			rc = command_apply(h, cmd, NULL);
			if (rc < 0)
				fuzz_fail(data, size, "parser %zu accepted what "
					  "does not apply: %d", p, rc);
			thermo_read(h, &after, NULL);
			thermo_unref(h);
			free(cmd);
			check_bounds(data, size, after.setpoint, cfg);
			if (setpoint_round(after.setpoint, cfg->setpoint_step,
					   l->min, l->max) != after.setpoint)
				fuzz_fail(data, size, "setpoint %.17g is not on "
					  "the step", after.setpoint);
			if (sched_check(&after.schedule, &after.presets, l->min,
					l->max, why, sizeof(why)) != 0)
				fuzz_fail(data, size, "parser %zu accepted a "
					  "program that does not check: %s", p,
					  why);
		}
	return 0;
}
