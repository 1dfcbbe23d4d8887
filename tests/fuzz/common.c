/* SPDX-License-Identifier: MIT */
/* What every fuzz target shares: the table, failure reports, copies. */
#include <config.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "targets.h"

const struct fuzz_target fuzz_targets[] = {
	{ "field", fuzz_field },
#ifdef FUZZ_THERMOSTAT
	{ "setpoint", fuzz_setpoint },
	{ "mode", fuzz_mode },
	{ "alarm", fuzz_alarm },
	{ "compat_form", fuzz_compat_form },
	{ "history_query", fuzz_history_query },
	{ "program", fuzz_program },
	{ "config", fuzz_config },
	{ "w1_slave", fuzz_w1_slave },
	{ "millidegrees", fuzz_millidegrees },
	{ "statefile", fuzz_statefile },
	{ "mqtt", fuzz_mqtt },
#endif
	{ NULL, NULL },
};

void fuzz_fail(const uint8_t *data, size_t size, const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz: property broken: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nfuzz: input (%zu bytes): \"", size);
	for (size_t i = 0; i < size && i < 512; i++) {
		unsigned char c = data[i];

		if (c == '"' || c == '\\')
			fprintf(stderr, "\\%c", c);
		else if (c >= 0x20 && c < 0x7f)
			fputc(c, stderr);
		else
			fprintf(stderr, "\\x%02x", c);
	}
	fprintf(stderr, "%s\"\n", size > 512 ? "..." : "");
	abort();
}

char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = strndup((const char *)data, size);

	if (!s) {
		fputs("fuzz: out of memory\n", stderr);
		abort();
	}
	return s;
}
