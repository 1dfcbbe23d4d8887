/* SPDX-License-Identifier: MIT */
/*
 * Numbers as text, one grammar for the whole daemon.  Configuration, state
 * file, sensors and the HTTP API all read numbers written by people or by
 * the kernel, where strtod() and strtol() are too lenient (blanks, hex,
 * "inf", "nan", "1.", the locale's decimal point): these take exactly
 *   whole number    [+-]digits
 *   decimal number  [+-]digits[.digits][(e|E)[+-]digits]
 * and the daemon writes doubles back in the shortest text that reads back
 * to the same value.  Pure functions: no allocation, no errno.
 */
#ifndef THERMO_STRCONV_H
#define THERMO_STRCONV_H

#include <stdbool.h>
#include <stddef.h>

/* Whole numbers saturate here: larger ones are "too large" to every
 * caller, and a megabyte of digits cannot overflow. */
#define STRCONV_WHOLE_MAX 999999999999999999LL

/*
 * The whole number at the start of @s (at most @n bytes): the count of
 * bytes it takes, 0 when there is none.  A leading '+' is taken only when
 * @plus is true (the kernel never prints one).  *@value gets the number,
 * clamped to +-STRCONV_WHOLE_MAX; *@big (if not NULL) says whether it was
 * clamped.
 */
size_t strconv_whole(const char *s, size_t n, bool plus, long long *value,
		     bool *big);

/* The length of the decimal number at the start of @s (at most @n bytes),
 * 0 when there is none.  An exponent without digits is not part of it:
 * in "2e" the number is "2". */
size_t strconv_decimal_len(const char *s, size_t n);

/*
 * The first @n bytes of @s as a decimal number, all of them: 0 and a
 * finite *@out (never -0), -EINVAL when they are not exactly a decimal
 * number, -ERANGE when it is too large for a double.  @s[@n] must not be
 * able to continue a number for strtod() (a NUL, a unit letter...).
 */
int strconv_decimal(const char *s, size_t n, double *out);

/* The shortest text that reads back as @v ("20", "0.3", "1e-05"), through
 * the library's own formatter (ss_format_field); snprintf's return. */
int strconv_format_double(char *buf, size_t len, double v);

/*
 * The next word of a list separated by commas and white space: its start
 * (NULL at the end of the list) and length in @n; @p moves past it.
 */
const char *strconv_word(const char **p, size_t *n);

#endif
