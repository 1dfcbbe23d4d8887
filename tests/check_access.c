/* SPDX-License-Identifier: MIT */
/* Per-field get and set, whole-record reads, every kind, every policy. */
#include <config.h>
#include <errno.h>
#include <string.h>

#include "records.h"
#include "testutil.h"

START_TEST(set_then_get_each_kind)
{
	kinds_handle h = kinds_new(NULL, POLICY);
	ss_str16 label = { "world" };
	struct timespec at = { 1700000000, 999999999 };
	int dummy;

	ck_assert_int_eq(kinds_set_flag(h, false), 1);
	ck_assert_int_eq(kinds_set_i8(h, INT8_MIN), 1);
	ck_assert_int_eq(kinds_set_i16(h, INT16_MAX), 1);
	ck_assert_int_eq(kinds_set_i32(h, -123456), 1);
	ck_assert_int_eq(kinds_set_i64(h, INT64_MIN), 1);
	ck_assert_int_eq(kinds_set_u8(h, 255), 1);
	ck_assert_int_eq(kinds_set_u32(h, 4000000000u), 1);
	ck_assert_int_eq(kinds_set_u64(h, UINT64_MAX), 1);
	ck_assert_int_eq(kinds_set_f(h, -0.25f), 1);
	ck_assert_int_eq(kinds_set_d(h, 1e300), 1);
	ck_assert_int_eq(kinds_set_color(h, BLUE), 1);
	ck_assert_int_eq(kinds_set_label(h, label), 1);
	ck_assert_int_eq(kinds_set_at(h, at), 1);
	ck_assert_int_eq(kinds_set_ptr(h, &dummy), 1);

	ck_assert(!kinds_get_flag(h));
	ck_assert_int_eq(kinds_get_i8(h), INT8_MIN);
	ck_assert_int_eq(kinds_get_i16(h), INT16_MAX);
	ck_assert_int_eq(kinds_get_i32(h), -123456);
	ck_assert(kinds_get_i64(h) == INT64_MIN);
	ck_assert_uint_eq(kinds_get_u8(h), 255);
	ck_assert_uint_eq(kinds_get_u32(h), 4000000000u);
	ck_assert(kinds_get_u64(h) == UINT64_MAX);
	ck_assert(kinds_get_f(h) == -0.25f);
	ck_assert(kinds_get_d(h) == 1e300);
	ck_assert_int_eq(kinds_get_color(h), BLUE);
	ck_assert_str_eq(kinds_get_label(h).s, "world");
	ck_assert_int_eq(kinds_get_at(h).tv_sec, 1700000000);
	ck_assert_int_eq(kinds_get_at(h).tv_nsec, 999999999);
	ck_assert_ptr_eq(kinds_get_ptr(h), &dummy);
	ck_assert_uint_eq(kinds_version(h), 14);
	kinds_unref(h);
}
END_TEST

START_TEST(set_same_value_changes_nothing)
{
	small_handle h = small_new(NULL, POLICY);

	ck_assert_int_eq(small_set_x(h, 5), 1);
	ck_assert_uint_eq(small_version(h), 1);
	ck_assert_int_eq(small_set_x(h, 5), 0);
	ck_assert_int_eq(small_set_y(h, 0), 0); /* already the default */
	ck_assert_uint_eq(small_version(h), 1);
	ck_assert_uint_eq(ss_field_version(small_state(h), small_FIELD_x), 1);
	ck_assert_uint_eq(ss_field_version(small_state(h), small_FIELD_y), 0);
	small_unref(h);
}
END_TEST

START_TEST(read_is_whole_snapshot_with_version)
{
	small_handle h = small_new(NULL, POLICY);
	struct small s;
	uint64_t v = 99;

	small_set_x(h, 1);
	small_set_y(h, 2);
	small_set_z(h, 3.5);
	ck_assert_int_eq(small_read(h, &s, &v), 0);
	ck_assert_int_eq(s.x, 1);
	ck_assert_int_eq(s.y, 2);
	ck_assert(s.z == 3.5);
	ck_assert_uint_eq(v, 3);
	ck_assert_uint_eq(v, small_version(h));
	small_unref(h);
}
END_TEST

START_TEST(load_copies_into_caller_buffer)
{
	small_handle h = small_new(NULL, POLICY);
	int x = -1;

	small_set_x(h, 42);
	ck_assert_int_eq(small_load_x(h, &x), 0);
	ck_assert_int_eq(x, 42);
	small_unref(h);
}
END_TEST

START_TEST(generic_get_set_by_index)
{
	small_handle h = small_new(NULL, POLICY);
	ss_state *s = small_state(h);
	int in = 17, out = 0;
	double z = 0;

	ck_assert_int_eq(ss_set(s, small_FIELD_y, &in), 1);
	ck_assert_int_eq(ss_get(s, small_FIELD_y, &out), 0);
	ck_assert_int_eq(out, 17);
	ck_assert_int_eq(ss_get(s, small_FIELD_z, &z), 0);
	ck_assert_int_eq(ss_get(s, small_NFIELDS, &out), -EINVAL);
	ck_assert_int_eq(ss_set(s, small_NFIELDS, &in), -EINVAL);
	ck_assert_int_eq(ss_get(s, 0, NULL), -EINVAL);
	ck_assert_int_eq(ss_set(s, 0, NULL), -EINVAL);
	ck_assert_int_eq(ss_read(s, NULL, NULL), -EINVAL);
	ck_assert_int_eq(ss_get(NULL, 0, &out), -EINVAL);
	ck_assert_int_eq(ss_set(NULL, 0, &in), -EINVAL);
	ck_assert_int_eq(ss_read(NULL, &out, NULL), -EINVAL);
	small_unref(h);
}
END_TEST

START_TEST(widest_record_uses_every_mask_bit)
{
	wide_handle h = wide_new(NULL, POLICY);
	ss_state *s = wide_state(h);

	ck_assert_int_eq(wide_NFIELDS, 64);
	ck_assert_int_eq(wide_get_f63(h), 7);
	ck_assert_int_eq(wide_set_f63(h, 9), 1);
	ck_assert_int_eq(wide_set_f00(h, 1), 1);
	ck_assert_uint_eq(ss_field_version(s, wide_FIELD_f63), 1);
	ck_assert_uint_eq(ss_field_version(s, wide_FIELD_f00), 2);
	ck_assert_uint_eq(ss_field_version(s, wide_FIELD_f31), 0);
	ck_assert_uint_eq(ss_field_version(s, 64), 0);
	ck_assert(SS_MASK(wide, f63) == UINT64_C(1) << 63);
	wide_unref(h);
}
END_TEST

START_TEST(unaligned_fields_round_trip)
{
	/* Odd offsets and sizes straddling 8-byte words (the seqlock copies
	 * in words). */
	struct rec {
		char c;
		char text[13];
		uint16_t u;
		char tail[3];
	};
	static const struct ss_field fields[] = {
		{ "c", SS_KIND_INT, offsetof(struct rec, c), 1 },
		{ "text", SS_KIND_OTHER, offsetof(struct rec, text), 13 },
		{ "u", SS_KIND_UINT, offsetof(struct rec, u), 2 },
		{ "tail", SS_KIND_OTHER, offsetof(struct rec, tail), 3 },
	};
	static const struct ss_type t = { "rec", sizeof(struct rec), fields,
					  4, NULL, NULL };
	ss_state *s = ss_new(&t, NULL, POLICY);
	struct rec r;
	char text[13] = "0123456789ab", got[13];
	uint16_t u = 0xBEEF;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(ss_set(s, 1, text), 1);
	ck_assert_int_eq(ss_set(s, 2, &u), 1);
	ck_assert_int_eq(ss_set(s, 3, "xyz"), 1);
	ck_assert_int_eq(ss_get(s, 1, got), 0);
	ck_assert_mem_eq(got, text, 13);
	ck_assert_int_eq(ss_read(s, &r, NULL), 0);
	ck_assert_int_eq(r.c, 0);
	ck_assert_mem_eq(r.text, text, 13);
	ck_assert_uint_eq(r.u, 0xBEEF);
	ck_assert_mem_eq(r.tail, "xyz", 3);
	ss_unref(s);
}
END_TEST

Suite *suite_access(void)
{
	Suite *s = suite_create("access");
	TCase *tc = tcase_create("get-set");

	tcase_add_loop_test(tc, set_then_get_each_kind, 0, NPOLICIES);
	tcase_add_loop_test(tc, set_same_value_changes_nothing, 0, NPOLICIES);
	tcase_add_loop_test(tc, read_is_whole_snapshot_with_version, 0,
			    NPOLICIES);
	tcase_add_loop_test(tc, load_copies_into_caller_buffer, 0,
			    NPOLICIES);
	tcase_add_loop_test(tc, generic_get_set_by_index, 0, NPOLICIES);
	tcase_add_loop_test(tc, widest_record_uses_every_mask_bit, 0,
			    NPOLICIES);
	tcase_add_loop_test(tc, unaligned_fields_round_trip, 0, NPOLICIES);
	suite_add_tcase(s, tc);
	return s;
}
