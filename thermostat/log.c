/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

static _Atomic int current = LOG_INFO_;
static const char *const names[] = { "error", "warning", "info", "debug" };
static const int syslog_prio[] = { 3, 4, 6, 7 };

void log_set_level(enum log_level level)
{
	atomic_store(&current, (int)level);
}

enum log_level log_get_level(void)
{
	return (enum log_level)atomic_load(&current);
}

int log_level_from_name(const char *name, enum log_level *out)
{
	for (int i = 0; i <= LOG_DEBUG_; i++)
		if (strcmp(name, names[i]) == 0) {
			*out = (enum log_level)i;
			return 0;
		}
	return -1;
}

const char *log_level_name(enum log_level level)
{
	return level <= LOG_DEBUG_ ? names[level] : "?";
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
			       names[level]);
	va_start(ap, fmt);
	vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	va_end(ap);
	/* One write per line, so threads' lines do not interleave. */
	fprintf(stderr, "%s\n", line);
}
