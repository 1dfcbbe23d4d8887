/* SPDX-License-Identifier: MIT */
/* Log lines to stderr, "thermostat: <level>: message", with a syslog
 * priority prefix (<3>...) instead when stderr is the journal, so that
 * systemd keeps the level. */
#ifndef THERMO_LOG_H
#define THERMO_LOG_H

#include "util/names.h"

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARNING,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};
/* "error", "warning" (also "warn"), "info", "debug". */
extern const struct name_value log_level_names[];

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
/* The canonical name of @level ("?" for none). */
const char *log_level_name(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)

#endif
