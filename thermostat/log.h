/* SPDX-License-Identifier: MIT */
/* Log lines to stderr, "<level>: message", with a syslog priority prefix
 * (<3>...) when stderr is the journal, so systemd keeps the level. */
#ifndef THERMO_LOG_H
#define THERMO_LOG_H

enum log_level { LOG_ERR_ = 0, LOG_WARN_, LOG_INFO_, LOG_DEBUG_ };

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
int log_level_from_name(const char *name, enum log_level *out);
const char *log_level_name(enum log_level level);
void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define log_err(...) log_msg(LOG_ERR_, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN_, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO_, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_DEBUG_, __VA_ARGS__)

#endif
