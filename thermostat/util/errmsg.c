/* SPDX-License-Identifier: MIT */
#include <config.h>
#include <stdio.h>

#include "util/errmsg.h"

int verrmsg(char *err, size_t len, const char *fmt, va_list ap)
{
	if (err && len)
		vsnprintf(err, len, fmt, ap);
	return -1;
}

int errmsg(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verrmsg(err, len, fmt, ap);
	va_end(ap);
	return -1;
}
