/* SPDX-License-Identifier: MIT */
/* What SS_RECORD_DECLARE/DEFINE generate, and generic code over the field
 * table (lookup, text form, dump). */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "records.h"
#include "testutil.h"

START_TEST(field_table_matches_struct)
{
	static const struct {
		const char *name;
		enum ss_kind kind;
		size_t offset, size;
	} want[] = {
		{ "flag", SS_KIND_BOOL, offsetof(struct kinds, flag), sizeof(bool) },
		{ "i8", SS_KIND_INT, offsetof(struct kinds, i8), 1 },
		{ "i16", SS_KIND_INT, offsetof(struct kinds, i16), 2 },
		{ "i32", SS_KIND_INT, offsetof(struct kinds, i32), 4 },
		{ "i64", SS_KIND_INT, offsetof(struct kinds, i64), 8 },
		{ "u8", SS_KIND_UINT, offsetof(struct kinds, u8), 1 },
		{ "u32", SS_KIND_UINT, offsetof(struct kinds, u32), 4 },
		{ "u64", SS_KIND_UINT, offsetof(struct kinds, u64), 8 },
		{ "f", SS_KIND_FLOAT, offsetof(struct kinds, f), 4 },
		{ "d", SS_KIND_FLOAT, offsetof(struct kinds, d), 8 },
		{ "color", SS_KIND_UINT, offsetof(struct kinds, color),
		  sizeof(enum color) },
		{ "label", SS_KIND_STRING, offsetof(struct kinds, label), 16 },
		{ "at", SS_KIND_TIMESPEC, offsetof(struct kinds, at),
		  sizeof(struct timespec) },
		{ "ptr", SS_KIND_OTHER, offsetof(struct kinds, ptr),
		  sizeof(void *) },
	};

	ck_assert_str_eq(kinds_type.name, "kinds");
	ck_assert_uint_eq(kinds_type.size, sizeof(struct kinds));
	ck_assert_uint_eq(kinds_type.nfields, kinds_NFIELDS);
	ck_assert_uint_eq(kinds_NFIELDS, sizeof(want) / sizeof(want[0]));
	ck_assert_ptr_eq(kinds_type.defaults, &kinds_defaults);
	ck_assert_ptr_null(kinds_type.destroy);
	ck_assert_ptr_nonnull(owner_type.destroy);
	for (size_t i = 0; i < kinds_NFIELDS; i++) {
		const struct ss_field *f = &kinds_type.fields[i];

		ck_assert_str_eq(f->name, want[i].name);
		ck_assert_msg(f->kind == want[i].kind, "%s: kind %d", f->name,
			      f->kind);
		ck_assert_uint_eq(f->offset, want[i].offset);
		ck_assert_uint_eq(f->size, want[i].size);
	}
}
END_TEST

START_TEST(indexes_and_masks_follow_declaration_order)
{
	ck_assert_int_eq(small_FIELD_x, 0);
	ck_assert_int_eq(small_FIELD_y, 1);
	ck_assert_int_eq(small_FIELD_z, 2);
	ck_assert_int_eq(SS_FIELD(small, z), 2);
	ck_assert(SS_MASK(small, y) == 2);
	ck_assert_int_eq(kinds_FIELD_ptr, 13);
	ck_assert_int_eq(ss_field_index(&kinds_type, "label"), kinds_FIELD_label);
	ck_assert_int_eq(ss_field_index(&kinds_type, "nope"), -ENOENT);
	ck_assert_int_eq(ss_field_index(NULL, "x"), -EINVAL);
}
END_TEST

START_TEST(defaults_hold_the_list_values)
{
	ck_assert(kinds_defaults.flag);
	ck_assert_int_eq(kinds_defaults.i16, -16);
	ck_assert(kinds_defaults.f == 1.5f);
	ck_assert_str_eq(kinds_defaults.label.s, "hello");
	ck_assert_int_eq(kinds_defaults.at.tv_sec, 12);
	ck_assert_int_eq(kinds_defaults.at.tv_nsec, 345);
	ck_assert_int_eq(wide_defaults.f63, 7);
}
END_TEST

static const char *fmt(const struct kinds *k, size_t field, char *buf,
		       size_t len)
{
	int n = ss_format_field(buf, len, &kinds_type.fields[field], k);

	ck_assert_int_ge(n, 0);
	return buf;
}

START_TEST(format_each_kind)
{
	struct kinds k = kinds_defaults;
	char b[64];

	k.d = 0.1;
	k.f = NAN;
	k.u64 = UINT64_MAX;
	k.i64 = INT64_MIN;
	k.ptr = NULL;
	ck_assert_str_eq(fmt(&k, kinds_FIELD_flag, b, sizeof(b)), "true");
	ck_assert_str_eq(fmt(&k, kinds_FIELD_i8, b, sizeof(b)), "-8");
	ck_assert_str_eq(fmt(&k, kinds_FIELD_i64, b, sizeof(b)),
			 "-9223372036854775808");
	ck_assert_str_eq(fmt(&k, kinds_FIELD_u64, b, sizeof(b)),
			 "18446744073709551615");
	ck_assert_str_eq(fmt(&k, kinds_FIELD_d, b, sizeof(b)), "0.1");
	k.d = 20.0; /* not "2e+01" */
	ck_assert_str_eq(fmt(&k, kinds_FIELD_d, b, sizeof(b)), "20");
	k.d = 123456789012.5;
	ck_assert_str_eq(fmt(&k, kinds_FIELD_d, b, sizeof(b)), "123456789012.5");
	k.d = 1e300;
	ck_assert_str_eq(fmt(&k, kinds_FIELD_d, b, sizeof(b)), "1e+300");
	k.d = -INFINITY;
	ck_assert_str_eq(fmt(&k, kinds_FIELD_d, b, sizeof(b)), "-inf");
	k.f = 0.1f; /* shortest as a float, not as the double it widens to */
	ck_assert_str_eq(fmt(&k, kinds_FIELD_f, b, sizeof(b)), "0.1");
	k.at = (struct timespec){ -2, 500000000 };
	ck_assert_str_eq(fmt(&k, kinds_FIELD_at, b, sizeof(b)), "-1.500000000");
	k.at = (struct timespec){ 12, 345 };
	k.f = NAN;
	ck_assert_str_eq(fmt(&k, kinds_FIELD_f, b, sizeof(b)), "nan");
	ck_assert_str_eq(fmt(&k, kinds_FIELD_color, b, sizeof(b)), "1");
	ck_assert_str_eq(fmt(&k, kinds_FIELD_label, b, sizeof(b)), "hello");
	ck_assert_str_eq(fmt(&k, kinds_FIELD_at, b, sizeof(b)),
			 "12.000000345");
	/* Hex bytes: two digits per byte of a pointer (8 on 64-bit
	 * targets, 4 on 32-bit ARM). */
	ck_assert_str_eq(fmt(&k, kinds_FIELD_ptr, b, sizeof(b)),
			 &"0000000000000000"[16 - 2 * sizeof(void *)]);
	/* snprintf-style truncation and length. */
	ck_assert_int_eq(ss_format_field(b, 4, &kinds_type.fields[kinds_FIELD_label],
					 &k), 5);
	ck_assert_str_eq(b, "hel");
	ck_assert_int_eq(ss_format_field(b, 5, &kinds_type.fields[kinds_FIELD_ptr],
					 &k), (int)(2 * sizeof(void *)));
	ck_assert_str_eq(b, "0000");
	ck_assert_int_eq(ss_format_field(NULL, 0, &kinds_type.fields[0], &k), 4);
}
END_TEST

START_TEST(parse_round_trips_format)
{
	struct kinds k = kinds_defaults, back;
	char b[64];

	k.flag = false;
	k.i8 = -128;
	k.i16 = 32767;
	k.i32 = -2147483647 - 1;
	k.i64 = INT64_MAX;
	k.u8 = 255;
	k.u32 = 4294967295u;
	k.u64 = UINT64_MAX;
	k.f = 3.14159f;
	k.d = -1.0 / 3.0;
	k.color = BLUE;
	SS_STR_SET(k.label, "fifteen chars!!");
	k.at = (struct timespec){ -2, 500000000 };
	memset(&back, 0xAA, sizeof(back));
	back.ptr = NULL;
	for (size_t i = 0; i < kinds_NFIELDS; i++) {
		const struct ss_field *f = &kinds_type.fields[i];

		if (f->kind == SS_KIND_OTHER)
			continue;
		ck_assert_int_ge(ss_format_field(b, sizeof(b), f, &k), 0);
		ck_assert_msg(ss_parse_field(f, &back, b) == 0, "%s: %s",
			      f->name, b);
		ck_assert_msg(memcmp((char *)&k + f->offset,
				     (char *)&back + f->offset, f->size) == 0,
			      "%s did not round-trip through \"%s\"", f->name,
			      b);
	}
}
END_TEST

START_TEST(parse_refuses_bad_text_and_keeps_record)
{
	struct kinds k = kinds_defaults, before;
	const struct ss_field *F = kinds_type.fields;
	static const struct {
		size_t field;
		const char *text;
		int err;
	} bad[] = {
		{ kinds_FIELD_flag, "yes", -EINVAL },
		{ kinds_FIELD_flag, "", -EINVAL },
		{ kinds_FIELD_i8, "128", -ERANGE },
		{ kinds_FIELD_i8, "-129", -ERANGE },
		{ kinds_FIELD_i32, "12abc", -EINVAL },
		{ kinds_FIELD_i32, "", -EINVAL },
		{ kinds_FIELD_i64, "9223372036854775808", -ERANGE },
		{ kinds_FIELD_u8, "256", -ERANGE },
		{ kinds_FIELD_u32, "-1", -ERANGE },
		{ kinds_FIELD_u64, "18446744073709551616", -ERANGE },
		{ kinds_FIELD_d, "1e999", -ERANGE },
		{ kinds_FIELD_d, "2.5 ", -EINVAL },
		{ kinds_FIELD_d, "abc", -EINVAL },
		{ kinds_FIELD_label, "sixteen chars!!!", -ERANGE },
		{ kinds_FIELD_at, "1.", -EINVAL },
		{ kinds_FIELD_at, "1.0000000001", -EINVAL },
		{ kinds_FIELD_at, "x", -EINVAL },
		{ kinds_FIELD_at, "-", -EINVAL },
		{ kinds_FIELD_at, "--1", -EINVAL },
		{ kinds_FIELD_ptr, "0", -ENOTSUP },
	};

	before = k;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = ss_parse_field(&F[bad[i].field], &k, bad[i].text);

		ck_assert_msg(r == bad[i].err, "%s \"%s\": %d, want %d",
			      F[bad[i].field].name, bad[i].text, r, bad[i].err);
		ck_assert_msg(memcmp(&k, &before, sizeof(k)) == 0,
			      "record changed by bad \"%s\"", bad[i].text);
	}
	ck_assert_int_eq(ss_parse_field(NULL, &k, "1"), -EINVAL);
	ck_assert_int_eq(ss_parse_field(&F[0], &k, NULL), -EINVAL);
}
END_TEST

START_TEST(dump_walks_every_field)
{
	struct small s = { 3, -4, 0.5 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ss_dump(f, &small_type, &s), 0);
	fclose(f);
	ck_assert_str_eq(text, "x=3\ny=-4\nz=0.5\n");
	free(text);
	ck_assert_int_eq(ss_dump(NULL, &small_type, &s), -EINVAL);
}
END_TEST

START_TEST(names_and_version_strings)
{
	ck_assert_str_eq(ss_policy_name(SS_MUTEX), "mutex");
	ck_assert_str_eq(ss_policy_name(SS_SEQLOCK), "seqlock");
	ck_assert_str_eq(ss_policy_name(SS_RWLOCK), "rwlock");
	ck_assert_ptr_null(ss_policy_name((enum ss_policy)9));
	ck_assert_str_eq(ss_library_version(), SS_VERSION_STRING);
	ck_assert_str_eq(ss_library_version(), PACKAGE_VERSION);
}
END_TEST

Suite *suite_records(void)
{
	Suite *s = suite_create("records");
	TCase *g = tcase_create("generated");
	TCase *t = tcase_create("text");

	tcase_add_test(g, field_table_matches_struct);
	tcase_add_test(g, indexes_and_masks_follow_declaration_order);
	tcase_add_test(g, defaults_hold_the_list_values);
	tcase_add_test(g, names_and_version_strings);
	suite_add_tcase(s, g);
	tcase_add_test(t, format_each_kind);
	tcase_add_test(t, parse_round_trips_format);
	tcase_add_test(t, parse_refuses_bad_text_and_keeps_record);
	tcase_add_test(t, dump_walks_every_field);
	suite_add_tcase(s, t);
	return s;
}
