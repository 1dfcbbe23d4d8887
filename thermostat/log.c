/* SPDX-License-Identifier: MIT */
#include <config.h>
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

const struct name_value log_level_names[] = {
	{ "error", LOG_LEVEL_ERROR }, { "warning", LOG_LEVEL_WARNING },
	{ "info", LOG_LEVEL_INFO }, { "debug", LOG_LEVEL_DEBUG },
	{ "warn", LOG_LEVEL_WARNING }, /* a common spelling */
	{ NULL, 0 },
};

/* syslog's priorities (LOG_ERR...) by level. */
static const int syslog_prio[] = { 3, 4, 6, 7 };

static _Atomic int current = LOG_LEVEL_INFO;

void log_set_level(enum log_level level)
{
	atomic_store(&current, (int)level);
}

enum log_level log_get_level(void)
{
	return (enum log_level)atomic_load(&current);
}

const char *log_level_name(enum log_level level)
{
	const char *name = names_name(log_level_names, (int)level);

	return name ? name : "?";
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	static int journal = -1;
	char line[512];
	va_list ap;
	int n;

	if ((int)level > atomic_load(&current))
		return;
	if (journal < 0) /* set by systemd for services logging to it */
		journal = getenv("JOURNAL_STREAM") != NULL;
	n = journal ? snprintf(line, sizeof(line), "<%d>",
			       syslog_prio[level])
		    : snprintf(line, sizeof(line), "thermostat: %s: ",
			       log_level_name(level));
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* One write per line, so threads' lines do not interleave. */
	fprintf(stderr, "%s\n", line);
}
