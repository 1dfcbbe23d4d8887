/* SPDX-License-Identifier: MIT */
/*
 * The sensor parsers (thermostat/io/sensor_parse.h) on the bytes of a w1_slave or
 * millidegree file.  Properties of an accepted reading:
 *   w1_slave: -55..125 C, never 85.000 (power-on) or 127.94 (fault), a
 *     whole number of millidegrees, line 1 ending in " YES", two lines
 *     each ending in a newline, and the number after "t=" on its own (as a
 *     millidegree file) gives the same temperature;
 *   millidegrees: -273.15..1000 C, whole millidegrees, and the kernel's
 *     own text for that value ("%d\n") gives it back.
 * A refused file has a message; NULL error buffers are allowed.
 */
#include <config.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "io/sensor_parse.h"
#include "targets.h"

static void check_whole_milli(const uint8_t *data, size_t size, double c)
{
	double m = c * 1000.0;

	if (!isfinite(c) || fabs(m - round(m)) > 1e-6)
		fuzz_fail(data, size, "%.17g C is not whole millidegrees", c);
}

int fuzz_w1_slave(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nl, *t;
	char err[128] = "", again_err[16];
	double c = -999, again = -999;
	size_t l1;
	int r;

	r = parse_w1_slave(text, size, &c, err, sizeof(err));
	/* No error buffer, or a tiny one: the same answer. */
	if (parse_w1_slave(text, size, &again, NULL, 0) != r ||
	    parse_w1_slave(text, size, &again, again_err,
			   sizeof(again_err)) != r)
		fuzz_fail(data, size, "the answer depends on the error buffer");
	if (r != 0) {
		if (r != -1 || !err[0] || !memchr(err, '\0', sizeof(err)))
			fuzz_fail(data, size, "refused (%d) without a message",
				  r);
		if (c != -999)
			fuzz_fail(data, size, "refused but wrote %g", c);
		return 0;
	}
	if (again != c)
		fuzz_fail(data, size, "a second parse differs");
	if (!(c >= -55.0 && c <= 125.0))
		fuzz_fail(data, size, "accepted %.17g C outside -55..125", c);
	if (c == 85.0)
		fuzz_fail(data, size, "accepted the power-on value 85.000");
	/* (127.94, the read-fault value, is outside -55..125 too.) */
	check_whole_milli(data, size, c);

	/* The shape the kernel writes. */
	nl = memchr(text, '\n', size);
	if (!nl)
		fuzz_fail(data, size, "accepted without a newline");
	l1 = (size_t)(nl - text);
	if (l1 < 4 || memcmp(nl - 4, " YES", 4) != 0)
		fuzz_fail(data, size, "accepted a line 1 not ending in YES");
	if (size < l1 + 3 || text[size - 1] != '\n' ||
	    memchr(nl + 1, '\n', size - l1 - 2) != NULL)
		fuzz_fail(data, size, "accepted other than two lines");
	/* The number after the first "t=" of line 2, as a millidegree
	 * file. */
	t = NULL;
	for (const char *p = nl + 1; p + 1 < text + size; p++)
		if (p[0] == 't' && p[1] == '=') {
			t = p + 2;
			break;
		}
	if (!t)
		fuzz_fail(data, size, "accepted without t=");
	if (parse_millidegrees(t, (size_t)(text + size - t), &again, err,
			       sizeof(err)) != 0 || again != c)
		fuzz_fail(data, size, "t= part \"%.*s\" reads otherwise",
			  (int)(text + size - t), t);
	return 0;
}

int fuzz_millidegrees(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char err[128] = "", kernel[32];
	double c = -999, again = -999;
	int r;

	r = parse_millidegrees(text, size, &c, err, sizeof(err));
	if (parse_millidegrees(text, size, &again, NULL, 0) != r)
		fuzz_fail(data, size, "the answer depends on the error buffer");
	if (r != 0) {
		if (r != -1 || !err[0])
			fuzz_fail(data, size, "refused (%d) without a message",
				  r);
		if (c != -999)
			fuzz_fail(data, size, "refused but wrote %g", c);
		return 0;
	}
	if (!(c >= -273.15 && c <= 1000.0))
		fuzz_fail(data, size, "accepted %.17g C", c);
	check_whole_milli(data, size, c);
	snprintf(kernel, sizeof(kernel), "%lld\n", llround(c * 1000.0));
	if (parse_millidegrees(kernel, strlen(kernel), &again, err,
			       sizeof(err)) != 0 || again != c)
		fuzz_fail(data, size, "the kernel's \"%s\" reads otherwise",
			  kernel);
	return 0;
}
