/* SPDX-License-Identifier: MIT */
/*
 * ss_parse_field and ss_format_field, the library's text form of a field.
 * Input: byte 0 picks a field of every kind and size the library handles
 * (and two it does not), byte 1 the direction, the rest is the payload:
 *   even: the payload is text to parse.  Refused: the record is unchanged
 *         and the error is one of the documented ones.  Accepted: only the
 *         field's bytes changed, and format(parse(text)) parses back to
 *         the same value (the text form is canonical after one step).
 *   odd:  the payload is the field's bytes (made valid: a bool 0 or 1, a
 *         string NUL-terminated, nanoseconds in 0..999999999).  The text
 *         format gives must parse back to the same value: the text form
 *         loses nothing.
 * Both ways, formatting into short buffers truncates like snprintf: the
 * same return value, a NUL-terminated prefix.
 */
#include <config.h>
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sharedstate.h>

#include "targets.h"

struct odd3 {
	unsigned char b[3];
};

struct every {
	bool b;
	int8_t i8;
	int16_t i16;
	int32_t i32;
	int64_t i64;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;
	uint64_t u64;
	float f;
	double d;
	long double ld;
	ss_str16 s16;
	ss_str128 s128;
	struct timespec ts;
	struct odd3 other;	/* SS_KIND_OTHER: hex out, -ENOTSUP in */
	struct odd3 int3;	/* an integer of a size the library refuses */
	struct odd3 float3;	/* the same for a float */
};

#define F(name, kind)                                                        \
	{ #name, kind, offsetof(struct every, name),                         \
	  sizeof(((struct every *)0)->name) }
static const struct ss_field fields[] = {
	F(b, SS_KIND_BOOL),
	F(i8, SS_KIND_INT),
	F(i16, SS_KIND_INT),
	F(i32, SS_KIND_INT),
	F(i64, SS_KIND_INT),
	F(u8, SS_KIND_UINT),
	F(u16, SS_KIND_UINT),
	F(u32, SS_KIND_UINT),
	F(u64, SS_KIND_UINT),
	F(f, SS_KIND_FLOAT),
	F(d, SS_KIND_FLOAT),
	F(ld, SS_KIND_FLOAT),
	F(s16, SS_KIND_STRING),
	F(s128, SS_KIND_STRING),
	F(ts, SS_KIND_TIMESPEC),
	F(other, SS_KIND_OTHER),
	F(int3, SS_KIND_INT),
	F(float3, SS_KIND_FLOAT),
};
#undef F
#define NFIELDS (sizeof(fields) / sizeof(fields[0]))

/* Does the library read this field back from text at all? */
static bool parsable(const struct ss_field *f)
{
	return f->kind != SS_KIND_OTHER && f->size != 3;
}

/* The same value: bytes, except that NaNs equal NaNs (their sign and
 * payload are not part of the text form), a long double's padding, and a
 * string's bytes after its NUL. */
static bool same_value(const struct ss_field *f, const struct every *x,
		       const struct every *y)
{
	const unsigned char *a = (const unsigned char *)x + f->offset;
	const unsigned char *b = (const unsigned char *)y + f->offset;

	if (f->kind == SS_KIND_FLOAT && f->size == sizeof(float)) {
		if (isnan(x->f) || isnan(y->f))
			return isnan(x->f) && isnan(y->f);
	} else if (f->kind == SS_KIND_FLOAT && f->size == sizeof(double)) {
		if (isnan(x->d) || isnan(y->d))
			return isnan(x->d) && isnan(y->d);
	} else if (f->kind == SS_KIND_FLOAT &&
		   f->size == sizeof(long double)) {
		if (isnan(x->ld) || isnan(y->ld))
			return isnan(x->ld) && isnan(y->ld);
		return x->ld == y->ld && !signbit(x->ld) == !signbit(y->ld);
	} else if (f->kind == SS_KIND_STRING) {
		/* The text up to the NUL; what follows it is not part of
		 * the value (the parser zeroes it). */
		return strncmp((const char *)a, (const char *)b, f->size) == 0;
	}
	return memcmp(a, b, f->size) == 0;
}

/* Formats into exactly-sized heap buffers shorter than the text: each
 * must hold a NUL-terminated prefix of @full and report its length. */
static void check_truncation(const uint8_t *data, size_t size,
			     const struct ss_field *f, const struct every *r,
			     const char *full, int n)
{
	size_t lens[] = { 0, 1, 2, (size_t)n / 2, (size_t)n };

	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t len = lens[i];
		char *buf = malloc(len ? len : 1);
		int m;

		if (!buf)
			abort();
		m = ss_format_field(len ? buf : NULL, len, f, r);
		if (m != n)
			fuzz_fail(data, size, "%s: format into %zu bytes "
				  "returned %d, not %d", f->name, len, m, n);
		if (len) {
			size_t got = strnlen(buf, len);

			if (got == len)
				fuzz_fail(data, size, "%s: format into %zu "
					  "bytes left no NUL", f->name, len);
			if (strncmp(buf, full, got) != 0)
				fuzz_fail(data, size, "%s: truncated text "
					  "\"%s\" is not a prefix of \"%s\"",
					  f->name, buf, full);
		}
		free(buf);
	}
}

/* Formats field @f of @r into @buf (512 bytes), checking the result. */
static int format_checked(const uint8_t *data, size_t size,
			  const struct ss_field *f, const struct every *r,
			  char *buf)
{
	int n = ss_format_field(buf, 512, f, r);

	if (n < 0 || n >= 512)
		fuzz_fail(data, size, "%s: format returned %d", f->name, n);
	if (strlen(buf) != (size_t)n)
		fuzz_fail(data, size, "%s: format returned %d for \"%s\"",
			  f->name, n, buf);
	check_truncation(data, size, f, r, buf, n);
	return n;
}

/* Parses @text into a fresh record; it must succeed with the value of
 * @want. */
static void check_reads_back(const uint8_t *data, size_t size,
			     const struct ss_field *f,
			     const struct every *want, const char *text)
{
	struct every back;
	int r;

	memset(&back, 0x5a, sizeof(back));
	r = ss_parse_field(f, &back, text);
	if (r != 0)
		fuzz_fail(data, size, "%s: \"%s\" (formatted) does not parse "
			  "back: %d", f->name, text, r);
	if (!same_value(f, want, &back))
		fuzz_fail(data, size, "%s: \"%s\" parses back to another "
			  "value", f->name, text);
}

static void parse_way(const uint8_t *data, size_t size,
		      const struct ss_field *f, const char *text)
{
	struct every rec, before;
	char buf[512], again[512];
	int r;

	memset(&rec, 0xa5, sizeof(rec));
	memcpy(&before, &rec, sizeof(rec));
	r = ss_parse_field(f, &rec, text);
	if (r != 0) {
		if (r != -EINVAL && r != -ERANGE && r != -ENOTSUP)
			fuzz_fail(data, size, "%s: undocumented error %d",
				  f->name, r);
		if (!parsable(f) && r != -ENOTSUP)
			fuzz_fail(data, size, "%s: %d, not -ENOTSUP",
				  f->name, r);
		if (memcmp(&rec, &before, sizeof(rec)) != 0)
			fuzz_fail(data, size, "%s: refused (%d) but the "
				  "record changed", f->name, r);
		return;
	}
	if (!parsable(f))
		fuzz_fail(data, size, "%s: accepted by a field the library "
			  "cannot parse", f->name);
	/* Nothing outside the field moved. */
	if (memcmp(&rec, &before, f->offset) != 0 ||
	    memcmp((char *)&rec + f->offset + f->size,
		   (char *)&before + f->offset + f->size,
		   sizeof(rec) - f->offset - f->size) != 0)
		fuzz_fail(data, size, "%s: parse wrote outside the field",
			  f->name);
	if (f->kind == SS_KIND_BOOL && strcmp(text, "true") != 0 &&
	    strcmp(text, "false") != 0 && strcmp(text, "1") != 0 &&
	    strcmp(text, "0") != 0)
		fuzz_fail(data, size, "b: accepted \"%s\"", text);
	format_checked(data, size, f, &rec, buf);
	check_reads_back(data, size, f, &rec, buf);
	/* Canonical: formatting what the text gave gives the text again. */
	{
		struct every back;

		memset(&back, 0, sizeof(back));
		if (ss_parse_field(f, &back, buf) != 0)
			abort(); /* checked just above */
		format_checked(data, size, f, &back, again);
		if (strcmp(buf, again) != 0)
			fuzz_fail(data, size, "%s: \"%s\" formats again as "
				  "\"%s\"", f->name, buf, again);
	}
}

#if LDBL_MANT_DIG == 64
/* x87 extended precision: 64-bit significand with an explicit integer
 * bit, which must be set unless the exponent is zero (else the bytes are
 * an "unnormal", which no arithmetic produces). */
static void make_valid_ld(unsigned char *p)
{
	unsigned exp = (unsigned)(p[8] | (p[9] & 0x7f) << 8);

	if (exp == 0)
		p[7] &= 0x7f;
	else
		p[7] |= 0x80;
	memset(p + 10, 0, sizeof(long double) - 10);
}
#else
static void make_valid_ld(unsigned char *p)
{
	double d;

	memcpy(&d, p, sizeof(d));
	{
		long double v = d;

		memcpy(p, &v, sizeof(v));
	}
}
#endif

static void format_way(const uint8_t *data, size_t size,
		       const struct ss_field *f, const uint8_t *payload,
		       size_t n)
{
	struct every rec;
	unsigned char *p = (unsigned char *)&rec + f->offset;
	char buf[512];
	int len, r;

	memset(&rec, 0, sizeof(rec));
	memcpy(p, payload, n < f->size ? n : f->size);
	switch (f->kind) {
	case SS_KIND_BOOL:
		p[0] &= 1;
		break;
	case SS_KIND_STRING:
		p[f->size - 1] = '\0';
		break;
	case SS_KIND_TIMESPEC:
		rec.ts.tv_nsec = (long)((unsigned long)rec.ts.tv_nsec %
					1000000000UL);
		break;
	case SS_KIND_FLOAT:
		if (f->size == sizeof(long double))
			make_valid_ld(p);
		break;
	default:
		break;
	}
	len = format_checked(data, size, f, &rec, buf);
	if (!parsable(f)) {
		struct every back;

		memcpy(&back, &rec, sizeof(rec));
		if (len != (int)(2 * f->size) ||
		    strspn(buf, "0123456789abcdef") != (size_t)len)
			fuzz_fail(data, size, "%s: \"%s\" is not hex bytes",
				  f->name, buf);
		r = ss_parse_field(f, &back, buf);
		if (r != -ENOTSUP)
			fuzz_fail(data, size, "%s: parse gave %d, not "
				  "-ENOTSUP", f->name, r);
		return;
	}
	check_reads_back(data, size, f, &rec, buf);
}

int fuzz_field(const uint8_t *data, size_t size)
{
	const struct ss_field *f;

	if (size < 2)
		return 0;
	f = &fields[data[0] % NFIELDS];
	if (data[1] & 1) {
		format_way(data, size, f, data + 2, size - 2);
	} else {
		char *text = fuzz_strdup(data + 2, size - 2);

		parse_way(data, size, f, text);
		free(text);
	}
	return 0;
}
