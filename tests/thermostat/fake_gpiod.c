/* SPDX-License-Identifier: MIT */
/*
 * The fake libgpiod (see fake_gpiod.h), for the API configure chose.  It
 * allocates its objects with malloc, so the sanitizer builds also find a
 * relay that leaks a chip or a request, and it aborts where the real
 * library would crash or assert (NULL objects), so misuse fails a test.
 */
#include <config.h> /* configure's: THERMO_GPIOD_API */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gpiod.h>

#include "fake_gpiod.h"

static char calls[8192];
static size_t used;
static char fail_name[64];
static int fail_errno, fail_count;
static bool requested;
static int value = -1;
static int live;

const char *fake_gpiod_calls(void)
{
	return calls;
}

void fake_gpiod_reset(void)
{
	calls[0] = '\0';
	used = 0;
	fail_name[0] = '\0';
	fail_count = 0;
	requested = false;
	value = -1;
	live = 0;
}

void fake_gpiod_fail(const char *name, int e, int count)
{
	snprintf(fail_name, sizeof(fail_name), "%s", name);
	fail_errno = e;
	fail_count = count;
}

bool fake_gpiod_requested(void)
{
	return requested;
}

int fake_gpiod_value(void)
{
	return value;
}

int fake_gpiod_live_objects(void)
{
	return live;
}

/* Records "name(args)"; returns -1 with errno set when the call is to
 * fail. */
static int call(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int call(const char *name, const char *fmt, ...)
{
	va_list ap;
	int n;

	n = snprintf(calls + used, sizeof(calls) - used, "%s(", name);
	if (n > 0 && (size_t)n < sizeof(calls) - used)
		used += (size_t)n;
	va_start(ap, fmt);
	n = vsnprintf(calls + used, sizeof(calls) - used, fmt, ap);
	va_end(ap);
	if (n > 0 && (size_t)n < sizeof(calls) - used)
		used += (size_t)n;
	n = snprintf(calls + used, sizeof(calls) - used, ")\n");
	if (n > 0 && (size_t)n < sizeof(calls) - used)
		used += (size_t)n;
	if (fail_count > 0 && strcmp(name, fail_name) == 0) {
		fail_count--;
		errno = fail_errno;
		return -1;
	}
	return 0;
}

static void misuse(const char *what)
{
	fprintf(stderr, "fake libgpiod: %s\n", what);
	abort();
}

static void *object(size_t size)
{
	void *p = calloc(1, size);

	if (!p)
		misuse("out of memory");
	live++;
	return p;
}

static void release(void *p)
{
	free(p);
	live--;
}

#if THERMO_GPIOD_API == 2

struct gpiod_chip {
	char path[128];
};

struct gpiod_line_settings {
	enum gpiod_line_direction direction;
	enum gpiod_line_value value;
	bool active_low;
};

struct gpiod_line_config {
	bool has_line;
	unsigned int offset;
	struct gpiod_line_settings settings; /* a copy, as libgpiod keeps */
};

struct gpiod_request_config {
	char consumer[64];
};

struct gpiod_line_request {
	unsigned int offset;
};

struct gpiod_chip *__wrap_gpiod_chip_open(const char *path);
void __wrap_gpiod_chip_close(struct gpiod_chip *chip);
struct gpiod_line_settings *__wrap_gpiod_line_settings_new(void);
void __wrap_gpiod_line_settings_free(struct gpiod_line_settings *s);
int __wrap_gpiod_line_settings_set_direction(struct gpiod_line_settings *s,
					     enum gpiod_line_direction d);
int __wrap_gpiod_line_settings_set_output_value(struct gpiod_line_settings *s,
						enum gpiod_line_value v);
void __wrap_gpiod_line_settings_set_active_low(struct gpiod_line_settings *s,
					       bool active_low);
struct gpiod_line_config *__wrap_gpiod_line_config_new(void);
void __wrap_gpiod_line_config_free(struct gpiod_line_config *c);
int __wrap_gpiod_line_config_add_line_settings(
	struct gpiod_line_config *c, const unsigned int *offsets, size_t n,
	struct gpiod_line_settings *s);
struct gpiod_request_config *__wrap_gpiod_request_config_new(void);
void __wrap_gpiod_request_config_free(struct gpiod_request_config *c);
void __wrap_gpiod_request_config_set_consumer(struct gpiod_request_config *c,
					      const char *consumer);
struct gpiod_line_request *
__wrap_gpiod_chip_request_lines(struct gpiod_chip *chip,
				struct gpiod_request_config *rc,
				struct gpiod_line_config *lc);
int __wrap_gpiod_line_request_set_value(struct gpiod_line_request *r,
					unsigned int offset,
					enum gpiod_line_value v);
void __wrap_gpiod_line_request_release(struct gpiod_line_request *r);

static const char *direction_name(enum gpiod_line_direction d)
{
	switch (d) {
	case GPIOD_LINE_DIRECTION_AS_IS:
		return "AS_IS";
	case GPIOD_LINE_DIRECTION_INPUT:
		return "INPUT";
	case GPIOD_LINE_DIRECTION_OUTPUT:
		return "OUTPUT";
	}
	return "?";
}

static const char *value_name(enum gpiod_line_value v)
{
	switch (v) {
	case GPIOD_LINE_VALUE_ERROR:
		return "ERROR";
	case GPIOD_LINE_VALUE_INACTIVE:
		return "INACTIVE";
	case GPIOD_LINE_VALUE_ACTIVE:
		return "ACTIVE";
	}
	return "?";
}

struct gpiod_chip *__wrap_gpiod_chip_open(const char *path)
{
	struct gpiod_chip *chip;

	if (call("chip_open", "%s", path ? path : "NULL") < 0)
		return NULL;
	chip = object(sizeof(*chip));
	snprintf(chip->path, sizeof(chip->path), "%s", path);
	return chip;
}

void __wrap_gpiod_chip_close(struct gpiod_chip *chip)
{
	call("chip_close", "%s", chip ? chip->path : "NULL");
	if (chip)
		release(chip);
}

struct gpiod_line_settings *__wrap_gpiod_line_settings_new(void)
{
	struct gpiod_line_settings *s;

	if (call("line_settings_new", "%s", "") < 0)
		return NULL;
	s = object(sizeof(*s));
	s->direction = GPIOD_LINE_DIRECTION_AS_IS;
	s->value = GPIOD_LINE_VALUE_INACTIVE;
	return s;
}

void __wrap_gpiod_line_settings_free(struct gpiod_line_settings *s)
{
	call("line_settings_free", "%s", s ? "" : "NULL");
	if (s)
		release(s);
}

int __wrap_gpiod_line_settings_set_direction(struct gpiod_line_settings *s,
					     enum gpiod_line_direction d)
{
	if (call("line_settings_set_direction", "%s", direction_name(d)) < 0)
		return -1;
	s->direction = d;
	return 0;
}

int __wrap_gpiod_line_settings_set_output_value(struct gpiod_line_settings *s,
						enum gpiod_line_value v)
{
	if (call("line_settings_set_output_value", "%s", value_name(v)) < 0)
		return -1;
	s->value = v;
	return 0;
}

void __wrap_gpiod_line_settings_set_active_low(struct gpiod_line_settings *s,
					       bool active_low)
{
	call("line_settings_set_active_low", "%s",
	     active_low ? "true" : "false");
	s->active_low = active_low;
}

struct gpiod_line_config *__wrap_gpiod_line_config_new(void)
{
	if (call("line_config_new", "%s", "") < 0)
		return NULL;
	return object(sizeof(struct gpiod_line_config));
}

void __wrap_gpiod_line_config_free(struct gpiod_line_config *c)
{
	call("line_config_free", "%s", c ? "" : "NULL");
	if (c)
		release(c);
}

int __wrap_gpiod_line_config_add_line_settings(
	struct gpiod_line_config *c, const unsigned int *offsets, size_t n,
	struct gpiod_line_settings *s)
{
	if (n != 1)
		misuse("line_config_add_line_settings: not one line");
	if (call("line_config_add_line_settings", "%u", offsets[0]) < 0)
		return -1;
	c->has_line = true;
	c->offset = offsets[0];
	c->settings = *s;
	return 0;
}

struct gpiod_request_config *__wrap_gpiod_request_config_new(void)
{
	if (call("request_config_new", "%s", "") < 0)
		return NULL;
	return object(sizeof(struct gpiod_request_config));
}

void __wrap_gpiod_request_config_free(struct gpiod_request_config *c)
{
	call("request_config_free", "%s", c ? "" : "NULL");
	if (c)
		release(c);
}

void __wrap_gpiod_request_config_set_consumer(struct gpiod_request_config *c,
					      const char *consumer)
{
	call("request_config_set_consumer", "%s", consumer);
	snprintf(c->consumer, sizeof(c->consumer), "%s", consumer);
}

/* Logs the request as the kernel would get it: that is what matters. */
struct gpiod_line_request *
__wrap_gpiod_chip_request_lines(struct gpiod_chip *chip,
				struct gpiod_request_config *rc,
				struct gpiod_line_config *lc)
{
	struct gpiod_line_request *r;

	if (!chip || !lc || !lc->has_line)
		misuse("chip_request_lines: no chip or no line");
	if (call("chip_request_lines", "%s, consumer %s, line %u: %s %s%s",
		 chip->path, rc ? rc->consumer : "NULL", lc->offset,
		 direction_name(lc->settings.direction),
		 value_name(lc->settings.value),
		 lc->settings.active_low ? " active-low" : "") < 0)
		return NULL;
	r = object(sizeof(*r));
	r->offset = lc->offset;
	requested = lc->settings.direction == GPIOD_LINE_DIRECTION_OUTPUT;
	value = lc->settings.value;
	return r;
}

int __wrap_gpiod_line_request_set_value(struct gpiod_line_request *r,
					unsigned int offset,
					enum gpiod_line_value v)
{
	if (!r)
		misuse("line_request_set_value: NULL request");
	if (call("line_request_set_value", "%u, %s", offset, value_name(v)) < 0)
		return -1;
	if (offset != r->offset) {
		errno = EINVAL;
		return -1;
	}
	value = v;
	return 0;
}

void __wrap_gpiod_line_request_release(struct gpiod_line_request *r)
{
	call("line_request_release", "%s", r ? "" : "NULL");
	if (r)
		release(r);
	requested = false;
}

#else /* THERMO_GPIOD_API == 1 */

/* One chip with lines 0..31; the line objects belong to the chip. */
struct gpiod_line {
	unsigned int offset;
};

struct gpiod_chip {
	char descr[128];
	struct gpiod_line line;
};

struct gpiod_chip *__wrap_gpiod_chip_open_lookup(const char *descr);
void __wrap_gpiod_chip_close(struct gpiod_chip *chip);
struct gpiod_line *__wrap_gpiod_chip_get_line(struct gpiod_chip *chip,
					      unsigned int offset);
int __wrap_gpiod_line_request_output_flags(struct gpiod_line *line,
					   const char *consumer, int flags,
					   int default_val);
int __wrap_gpiod_line_set_value(struct gpiod_line *line, int v);
void __wrap_gpiod_line_release(struct gpiod_line *line);

struct gpiod_chip *__wrap_gpiod_chip_open_lookup(const char *descr)
{
	struct gpiod_chip *chip;

	if (call("chip_open_lookup", "%s", descr ? descr : "NULL") < 0)
		return NULL;
	chip = object(sizeof(*chip));
	snprintf(chip->descr, sizeof(chip->descr), "%s", descr);
	return chip;
}

void __wrap_gpiod_chip_close(struct gpiod_chip *chip)
{
	if (!chip)
		misuse("chip_close(NULL) crashes libgpiod 1.6");
	call("chip_close", "%s", chip->descr);
	release(chip);
	requested = false; /* closing the chip releases its lines */
}

struct gpiod_line *__wrap_gpiod_chip_get_line(struct gpiod_chip *chip,
					      unsigned int offset)
{
	if (!chip)
		misuse("chip_get_line on a NULL chip");
	if (call("chip_get_line", "%u", offset) < 0)
		return NULL;
	if (offset >= 32) {
		errno = EINVAL;
		return NULL;
	}
	chip->line.offset = offset;
	return &chip->line;
}

static const char *flags_name(int flags)
{
	if (flags == 0)
		return "0";
	if (flags == GPIOD_LINE_REQUEST_FLAG_ACTIVE_LOW)
		return "ACTIVE_LOW";
	return "other flags";
}

int __wrap_gpiod_line_request_output_flags(struct gpiod_line *line,
					   const char *consumer, int flags,
					   int default_val)
{
	if (!line)
		misuse("line_request_output_flags on a NULL line");
	if (call("line_request_output_flags", "%s, %s, %d", consumer,
		 flags_name(flags), default_val) < 0)
		return -1;
	requested = true;
	value = default_val;
	return 0;
}

int __wrap_gpiod_line_set_value(struct gpiod_line *line, int v)
{
	if (!line)
		misuse("line_set_value on a NULL line");
	if (call("line_set_value", "%d", v) < 0)
		return -1;
	if (!requested) {
		errno = EPERM;
		return -1;
	}
	value = v;
	return 0;
}

void __wrap_gpiod_line_release(struct gpiod_line *line)
{
	if (!line)
		misuse("line_release(NULL) crashes libgpiod 1.6");
	call("line_release", "%u", line->offset);
	requested = false;
}

#endif
