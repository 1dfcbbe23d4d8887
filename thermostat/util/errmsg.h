/* SPDX-License-Identifier: MIT */
/*
 * Error messages into a caller's buffer.  The daemon's functions report
 * failures as "-1 and a message in (err, len)"; this is the one place that
 * writes such a message.
 */
#ifndef THERMO_ERRMSG_H
#define THERMO_ERRMSG_H

#include <stdarg.h>
#include <stddef.h>

/*
 * Formats the message into @err (@len bytes, truncated to fit; NULL or a
 * zero @len: nowhere) and returns -1, so that a failure is reported and
 * returned in one line: "return errmsg(err, len, "%s: %s", path, why);".
 */
int errmsg(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int verrmsg(char *err, size_t len, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

#endif
