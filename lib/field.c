/* SPDX-License-Identifier: MIT */
/* Generic code over field tables: lookup, text form, dump. */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

SS_EXPORT int ss_field_index(const struct ss_type *type, const char *name)
{
	if (!type || !name)
		return -EINVAL;
	for (size_t i = 0; i < type->nfields; i++)
		if (strcmp(type->fields[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

static int64_t load_int(const void *p, size_t size)
{
	switch (size) {
	case 1: { int8_t v; memcpy(&v, p, 1); return v; }
	case 2: { int16_t v; memcpy(&v, p, 2); return v; }
	case 4: { int32_t v; memcpy(&v, p, 4); return v; }
	default: { int64_t v; memcpy(&v, p, 8); return v; }
	}
}

static uint64_t load_uint(const void *p, size_t size)
{
	switch (size) {
	case 1: { uint8_t v; memcpy(&v, p, 1); return v; }
	case 2: { uint16_t v; memcpy(&v, p, 2); return v; }
	case 4: { uint32_t v; memcpy(&v, p, 4); return v; }
	default: { uint64_t v; memcpy(&v, p, 8); return v; }
	}
}

static bool int_size_ok(size_t size)
{
	return size == 1 || size == 2 || size == 4 || size == 8;
}

/* The shortest decimal that reads back to the same value (as a float when
 * @is_float), in plain notation for magnitudes from 1e-4 to 1e15 ("20",
 * not "2e+01"), in exponent notation beyond. */
static int format_real(char *buf, size_t len, double v, bool is_float)
{
	char tmp[48];
	int prec;

	if (isnan(v))
		return snprintf(buf, len, "nan");
	if (isinf(v))
		return snprintf(buf, len, v < 0 ? "-inf" : "inf");
	for (prec = 1; prec < 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
		if (is_float ? strtof(tmp, NULL) == (float)v
			     : strtod(tmp, NULL) == v)
			break;
	}
	snprintf(tmp, sizeof(tmp), "%.*g", prec, v);
	if (strchr(tmp, 'e') && (v >= 1e-4 || v <= -1e-4) && v < 1e15 &&
	    v > -1e15) {
		/* %g chose an exponent only because the digits end before
		 * the decimal point: print them in place.  The exponent %g
		 * printed says where the point goes. */
		int decimals = prec - 1 - atoi(strchr(tmp, 'e') + 1);

		snprintf(tmp, sizeof(tmp), "%.*f", decimals > 0 ? decimals : 0,
			 v);
	}
	return snprintf(buf, len, "%s", tmp);
}

SS_EXPORT int ss_format_field(char *buf, size_t len, const struct ss_field *f,
			      const void *record)
{
	const unsigned char *p;

	if (!f || !record || (!buf && len))
		return -EINVAL;
	p = (const unsigned char *)record + f->offset;
	switch (f->kind) {
	case SS_KIND_BOOL:
		return snprintf(buf, len, "%s", *(const bool *)p ? "true"
								: "false");
	case SS_KIND_INT:
		if (!int_size_ok(f->size))
			break;
		return snprintf(buf, len, "%" PRId64, load_int(p, f->size));
	case SS_KIND_UINT:
		if (!int_size_ok(f->size))
			break;
		return snprintf(buf, len, "%" PRIu64, load_uint(p, f->size));
	case SS_KIND_FLOAT:
		if (f->size == sizeof(float)) {
			float v;

			memcpy(&v, p, sizeof(v));
			return format_real(buf, len, v, true);
		}
		if (f->size == sizeof(double)) {
			double v;

			memcpy(&v, p, sizeof(v));
			return format_real(buf, len, v, false);
		}
		if (f->size == sizeof(long double)) {
			long double v;

			memcpy(&v, p, sizeof(v));
			/* Enough digits to read back exactly: 21 for x87's
			 * 80-bit format, 36 for the IEEE binary128 of arm64
			 * (where %.21Lg loses the last 15 bits). */
			return snprintf(buf, len, "%.*Lg", LDBL_DECIMAL_DIG,
					v);
		}
		break;
	case SS_KIND_STRING:
		return snprintf(buf, len, "%.*s", (int)strnlen((const char *)p,
								f->size),
				(const char *)p);
	case SS_KIND_TIMESPEC: {
		struct timespec t;
		long long sec;
		long ns;

		/* As a signed decimal: {-2, 500000000} is -1.5 s. */
		memcpy(&t, p, sizeof(t));
		sec = (long long)t.tv_sec;
		ns = t.tv_nsec;
		if (sec < 0 && ns > 0)
			return snprintf(buf, len, "-%lld.%09ld", -(sec + 1),
					1000000000L - ns);
		return snprintf(buf, len, "%lld.%09ld", sec, ns);
	}
	case SS_KIND_OTHER:
		break;
	}
	/* Hex bytes for everything else, truncated like snprintf. */
	if (len) {
		static const char hex[] = "0123456789abcdef";
		size_t i;

		for (i = 0; i < f->size && 2 * i + 2 < len; i++) {
			buf[2 * i] = hex[p[i] >> 4];
			buf[2 * i + 1] = hex[p[i] & 15];
		}
		buf[2 * i] = '\0';
	}
	return (int)(2 * f->size);
}

static int parse_int(const char *text, size_t size, void *out)
{
	char *end;
	long long v;
	int64_t lo, hi;

	if (!int_size_ok(size))
		return -ENOTSUP;
	errno = 0;
	v = strtoll(text, &end, 10);
	if (end == text || *end != '\0')
		return -EINVAL;
	hi = size == 8 ? INT64_MAX : (INT64_C(1) << (8 * size - 1)) - 1;
	lo = -hi - 1;
	if (errno == ERANGE || v < lo || v > hi)
		return -ERANGE;
	switch (size) {
	case 1: { int8_t x = (int8_t)v; memcpy(out, &x, 1); break; }
	case 2: { int16_t x = (int16_t)v; memcpy(out, &x, 2); break; }
	case 4: { int32_t x = (int32_t)v; memcpy(out, &x, 4); break; }
	default: { int64_t x = v; memcpy(out, &x, 8); break; }
	}
	return 0;
}

static int parse_uint(const char *text, size_t size, void *out)
{
	char *end;
	unsigned long long v;
	uint64_t hi;

	if (!int_size_ok(size))
		return -ENOTSUP;
	/* strtoull accepts "-1" and wraps it: refuse signs outright. */
	while (*text == ' ' || *text == '\t')
		text++;
	if (*text == '-' || *text == '+')
		return *text == '-' ? -ERANGE : -EINVAL;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (end == text || *end != '\0')
		return -EINVAL;
	hi = size == 8 ? UINT64_MAX : (UINT64_C(1) << (8 * size)) - 1;
	if (errno == ERANGE || v > hi)
		return -ERANGE;
	switch (size) {
	case 1: { uint8_t x = (uint8_t)v; memcpy(out, &x, 1); break; }
	case 2: { uint16_t x = (uint16_t)v; memcpy(out, &x, 2); break; }
	case 4: { uint32_t x = (uint32_t)v; memcpy(out, &x, 4); break; }
	default: { uint64_t x = v; memcpy(out, &x, 8); break; }
	}
	return 0;
}

static int parse_float(const char *text, size_t size, void *out)
{
	char *end;

	errno = 0;
	if (size == sizeof(float)) {
		float v = strtof(text, &end);

		if (end == text || *end != '\0')
			return -EINVAL;
		if (errno == ERANGE && isinf(v))
			return -ERANGE;
		memcpy(out, &v, sizeof(v));
		return 0;
	}
	if (size == sizeof(double)) {
		double v = strtod(text, &end);

		if (end == text || *end != '\0')
			return -EINVAL;
		if (errno == ERANGE && isinf(v))
			return -ERANGE;
		memcpy(out, &v, sizeof(v));
		return 0;
	}
	if (size == sizeof(long double)) {
		long double v = strtold(text, &end);

		if (end == text || *end != '\0')
			return -EINVAL;
		if (errno == ERANGE && isinf(v))
			return -ERANGE;
		memcpy(out, &v, sizeof(v));
		return 0;
	}
	return -ENOTSUP;
}

/* "SECONDS[.FRACTION]", signed, at most nanosecond digits. */
static int parse_timespec(const char *text, void *out)
{
	struct timespec t = { 0, 0 };
	const char *p = text;
	bool neg = false;
	uint64_t mag = 0;	/* the seconds' digits, without the sign */
	long long sec;
	int digits = 0;
	long ns = 0;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (*p < '0' || *p > '9')
		return -EINVAL;
	for (; *p >= '0' && *p <= '9'; p++) {
		unsigned d = (unsigned)(*p - '0');

		if (mag > (UINT64_MAX - d) / 10)
			return -ERANGE;
		mag = mag * 10 + d;
	}
	if (*p == '.') {
		for (p++; *p >= '0' && *p <= '9'; p++, digits++) {
			if (digits >= 9)
				return -EINVAL;
			ns = ns * 10 + (*p - '0');
		}
		if (digits == 0)
			return -EINVAL;
		for (; digits < 9; digits++)
			ns *= 10;
	}
	if (*p != '\0')
		return -EINVAL;
	/* The range of int64_t, as ss_format_field writes it: down to
	 * "-9223372036854775808.000000000" and "-9223372036854775807.5"
	 * ({INT64_MIN, 500000000}), up to "9223372036854775807.999999999". */
	if (neg && ns > 0) {
		if (mag > (uint64_t)INT64_MAX)
			return -ERANGE;
		sec = -(long long)mag - 1;
		ns = 1000000000L - ns;
	} else if (neg) {
		if (mag > (uint64_t)INT64_MAX + 1)
			return -ERANGE;
		sec = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN
						     : -(long long)mag;
	} else {
		if (mag > (uint64_t)INT64_MAX)
			return -ERANGE;
		sec = (long long)mag;
	}
	t.tv_sec = (time_t)sec;
	if ((long long)t.tv_sec != sec)
		return -ERANGE;
	t.tv_nsec = ns;
	memcpy(out, &t, sizeof(t));
	return 0;
}

SS_EXPORT int ss_parse_field(const struct ss_field *f, void *record,
			     const char *text)
{
	unsigned char *p;
	size_t n;

	if (!f || !record || !text)
		return -EINVAL;
	p = (unsigned char *)record + f->offset;
	switch (f->kind) {
	case SS_KIND_BOOL:
		if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
			*(bool *)p = true;
		else if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0)
			*(bool *)p = false;
		else
			return -EINVAL;
		return 0;
	case SS_KIND_INT:
		return parse_int(text, f->size, p);
	case SS_KIND_UINT:
		return parse_uint(text, f->size, p);
	case SS_KIND_FLOAT:
		return parse_float(text, f->size, p);
	case SS_KIND_STRING:
		n = strlen(text);
		if (n >= f->size)
			return -ERANGE;
		memset(p, 0, f->size);
		memcpy(p, text, n);
		return 0;
	case SS_KIND_TIMESPEC:
		return parse_timespec(text, p);
	case SS_KIND_OTHER:
		break;
	}
	return -ENOTSUP;
}

SS_EXPORT int ss_dump(FILE *out, const struct ss_type *type,
		      const void *record)
{
	char small[128];

	if (!out || !type || !record)
		return -EINVAL;
	for (size_t i = 0; i < type->nfields; i++) {
		const struct ss_field *f = &type->fields[i];
		int n = ss_format_field(small, sizeof(small), f, record);
		char *text = small;

		if (n < 0)
			return n;
		if ((size_t)n >= sizeof(small)) {
			text = malloc((size_t)n + 1);
			if (!text)
				return -ENOMEM;
			ss_format_field(text, (size_t)n + 1, f, record);
		}
		n = fprintf(out, "%s=%s\n", f->name, text);
		if (text != small)
			free(text);
		if (n < 0)
			return -EIO;
	}
	return 0;
}
