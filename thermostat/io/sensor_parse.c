/* SPDX-License-Identifier: MIT */
/*
 * The sensors' parsers: pure functions of (bytes, length).  They never
 * assume NUL termination, never read past @n, and never allocate, because
 * they are fed whatever a file held (and, later, a fuzzer's output).  What
 * the kernel writes is narrow, so they accept exactly that and call
 * anything else an error: a misread temperature would drive a furnace.
 */
#include <config.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "io/sensor_parse.h"
#include "util/errmsg.h"
#include "util/strconv.h"

/* The DS18B20's range (datasheet); readings outside it are faults. */
#define W1_MIN_MILLI (-55000LL)
#define W1_MAX_MILLI 125000LL
/* What the DS18B20 holds before its first conversion. */
#define W1_POWER_ON_MILLI 85000LL
/* 0x07FF, the scratchpad's maximum, that a failing sensor or a shorted bus
 * returns: 127.9375 C, printed by the kernel as t=127937 (t=127940 when
 * rounded by other drivers). */
#define W1_FAULT_LOW_MILLI 127937LL
#define W1_FAULT_HIGH_MILLI 127940LL

/* Generic millidegree files: reject only what cannot be a temperature
 * (below absolute zero) or is far beyond any sensor sysfs exposes. */
#define MILLI_MIN (-273150LL)
#define MILLI_MAX 1000000LL

/* Past this, a number is out of range for every sensor. */
#define NUMBER_CAP 1000000000LL

/* A byte for a message: 'x' when printable, else a name or its code. */
static void describe_byte(unsigned char c, char *out, size_t len)
{
	if (c == ' ')
		snprintf(out, len, "space");
	else if (c == '\t')
		snprintf(out, len, "tab");
	else if (c == '\n')
		snprintf(out, len, "newline");
	else if (c == '\r')
		snprintf(out, len, "carriage return (CRLF?)");
	else if (c >= 0x21 && c <= 0x7e)
		snprintf(out, len, "'%c'", c);
	else
		snprintf(out, len, "byte 0x%02x", c);
}

/*
 * An optional '-' and one or more decimal digits at text[*pos], as the
 * kernel prints an int: no '+', no spaces, no hex.  Advances *pos past the
 * digits.  Returns 0, -1 when there is no number, -2 when it is too big.
 */
static int parse_number(const char *text, size_t n, size_t *pos,
			long long *out)
{
	size_t taken;
	bool big;

	taken = strconv_whole(text + *pos, n - *pos, false, out, &big);
	if (!taken)
		return -1;
	*pos += taken;
	return big || *out >= NUMBER_CAP || *out <= -NUMBER_CAP ? -2 : 0;
}

/* The first occurrence of @needle (length @m) in text[from, to), or @to. */
static size_t find(const char *text, size_t from, size_t to,
		   const char *needle, size_t m)
{
	for (size_t i = from; i + m <= to; i++)
		if (memcmp(text + i, needle, m) == 0)
			return i;
	return to;
}

static bool ends_with(const char *text, size_t n, const char *suffix)
{
	size_t m = strlen(suffix);

	return n >= m && memcmp(text + n - m, suffix, m) == 0;
}

static bool starts_with(const char *text, size_t n, const char *prefix)
{
	size_t m = strlen(prefix);

	return n >= m && memcmp(text, prefix, m) == 0;
}

/*
 * What the kernel's w1_therm driver writes (w1_slave_show), two lines of
 * the 9 scratchpad bytes in hex:
 *   72 01 4b 46 7f ff 0e 10 57 : crc=57 YES
 *   72 01 4b 46 7f ff 0e 10 57 t=23125
 * Line 2 must end in a newline: a file cut inside "t=23125" would
 * otherwise read as 2.312 C.
 */
int parse_w1_slave(const char *text, size_t n, double *celsius, char *err,
		   size_t len)
{
	const char *nl;
	size_t l1, l2_start, l2_end, t, pos;
	long long milli;
	char what[40];
	int ret;

	if (n == 0) {
		errmsg(err, len, "empty file");
		return -1;
	}
	nl = memchr(text, '\n', n);
	if (!nl) {
		errmsg(err, len, "truncated (line 1 has no newline)");
		return -1;
	}
	l1 = (size_t)(nl - text);
	if (ends_with(text, l1, " NO")) {
		errmsg(err, len, "CRC check failed (line 1 ends in NO)");
		return -1;
	}
	if (!ends_with(text, l1, " YES")) {
		if (l1 > 0 && text[l1 - 1] == '\r')
			errmsg(err, len,
			       "line 1 ends in a carriage return, not YES");
		else
			errmsg(err, len, "line 1 does not end in YES");
		return -1;
	}
	/* A bus held low reads as zeros, whose CRC is zero: "YES", t=0. */
	if (starts_with(text, l1, "00 00 00 00 00 00 00 00 00 ")) {
		errmsg(err, len, "scratchpad all zeros (1-wire bus fault)");
		return -1;
	}

	l2_start = l1 + 1;
	if (l2_start == n) {
		errmsg(err, len, "truncated (no line 2)");
		return -1;
	}
	nl = memchr(text + l2_start, '\n', n - l2_start);
	l2_end = nl ? (size_t)(nl - text) : n;
	t = find(text, l2_start, l2_end, "t=", 2);
	if (t == l2_end) {
		errmsg(err, len, nl ? "line 2 has no t="
				    : "truncated (line 2 has no t=)");
		return -1;
	}
	pos = t + 2;
	ret = parse_number(text, l2_end, &pos, &milli);
	if (ret == -1) {
		if (!nl && pos == l2_end)
			errmsg(err, len, "truncated (nothing after t=)");
		else
			errmsg(err, len, "t= is not followed by a number");
		return -1;
	}
	if (pos < l2_end) {
		describe_byte((unsigned char)text[pos], what, sizeof(what));
		errmsg(err, len, "unexpected %s after the t= number", what);
		return -1;
	}
	if (!nl) {
		errmsg(err, len, "truncated (line 2 has no newline)");
		return -1;
	}
	if (l2_end + 1 != n) {
		errmsg(err, len, "unexpected data after line 2");
		return -1;
	}
	if (ret == -2) {
		errmsg(err, len, "t= is out of range");
		return -1;
	}
	if (milli == W1_POWER_ON_MILLI) {
		errmsg(err, len, "85.000 C: the power-on value, not a reading");
		return -1;
	}
	if (milli >= W1_FAULT_LOW_MILLI && milli <= W1_FAULT_HIGH_MILLI) {
		errmsg(err, len, "127.94 C is the sensor's fault value");
		return -1;
	}
	if (milli < W1_MIN_MILLI || milli > W1_MAX_MILLI) {
		errmsg(err, len, "%.3f C is outside -55..125 C",
		       (double)milli / 1000.0);
		return -1;
	}
	*celsius = (double)milli / 1000.0;
	return 0;
}

/*
 * hwmon tempN_input, thermal_zone temp, IIO in_temp_input: the kernel
 * prints "%d\n" (or "%ld\n").  The newline is optional for files written
 * by hand or by tests; nothing else is allowed around the number.
 */
int parse_millidegrees(const char *text, size_t n, double *celsius,
		       char *err, size_t len)
{
	size_t pos = 0;
	long long milli;
	char what[40];
	int ret;

	if (n == 0) {
		errmsg(err, len, "empty file");
		return -1;
	}
	ret = parse_number(text, n, &pos, &milli);
	if (ret == -1) {
		if (text[0] == '-') {
			errmsg(err, len, "not a number ('-' without digits)");
			return -1;
		}
		describe_byte((unsigned char)text[0], what, sizeof(what));
		errmsg(err, len, "not a number (starts with %s)", what);
		return -1;
	}
	if (pos < n && text[pos] == '\n')
		pos++;
	else if (pos < n) {
		describe_byte((unsigned char)text[pos], what, sizeof(what));
		errmsg(err, len, "unexpected %s after the number", what);
		return -1;
	}
	if (pos < n) {
		errmsg(err, len, "unexpected data after the first line");
		return -1;
	}
	if (ret == -2) {
		errmsg(err, len, "number out of range");
		return -1;
	}
	if (milli < MILLI_MIN || milli > MILLI_MAX) {
		errmsg(err, len, "%.3f C is outside -273.15..1000 C",
		       (double)milli / 1000.0);
		return -1;
	}
	*celsius = (double)milli / 1000.0;
	return 0;
}
