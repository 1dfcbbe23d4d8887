/* SPDX-License-Identifier: MIT */
#include <config.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <sharedstate.h>

#include "util/strconv.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

size_t strconv_whole(const char *s, size_t n, bool plus, long long *value,
		     bool *big)
{
	size_t i = 0, start;
	bool neg = false, over = false;
	long long v = 0;

	if (i < n && (s[i] == '-' || (plus && s[i] == '+')))
		neg = s[i++] == '-';
	for (start = i; i < n && is_digit(s[i]); i++) {
		int d = s[i] - '0';

		if (v > (STRCONV_WHOLE_MAX - d) / 10) {
			v = STRCONV_WHOLE_MAX;
			over = true;
		} else if (!over) {
			v = v * 10 + d;
		}
	}
	if (i == start)
		return 0;
	*value = neg ? -v : v;
	if (big)
		*big = over;
	return i;
}

/* digits at s[i..n): the index after them */
static size_t skip_digits(const char *s, size_t n, size_t i)
{
	while (i < n && is_digit(s[i]))
		i++;
	return i;
}

size_t strconv_decimal_len(const char *s, size_t n)
{
	size_t i = 0, j;

	if (i < n && (s[i] == '+' || s[i] == '-'))
		i++;
	j = skip_digits(s, n, i);
	if (j == i)
		return 0;
	i = j;
	if (i < n && s[i] == '.') {
		j = skip_digits(s, n, i + 1);
		if (j == i + 1)
			return 0; /* "1." is not a number here */
		i = j;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		size_t k = i + 1;

		if (k < n && (s[k] == '+' || s[k] == '-'))
			k++;
		j = skip_digits(s, n, k);
		if (j > k)
			i = j;
	}
	return i;
}

int strconv_decimal(const char *s, size_t n, double *out)
{
	char *end;
	double d;

	if (n == 0 || strconv_decimal_len(s, n) != n)
		return -EINVAL;
	/* The grammar is C's: a locale that strtod() followed (the daemon
	 * sets none) would stop it early, which is caught here. */
	d = strtod(s, &end);
	if (end != s + n)
		return -EINVAL;
	if (!isfinite(d))
		return -ERANGE;
	*out = d == 0 ? 0 : d;
	return 0;
}

int strconv_format_double(char *buf, size_t len, double v)
{
	static const struct ss_field as_double = {
		"double", SS_KIND_FLOAT, 0, sizeof(double)
	};

	return ss_format_field(buf, len, &as_double, &v);
}

const char *strconv_word(const char **p, size_t *n)
{
	static const char sep[] = ", \t";
	const char *start = *p + strspn(*p, sep);

	*n = strcspn(start, sep);
	*p = start + *n;
	return *n ? start : NULL;
}
