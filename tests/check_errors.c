/* SPDX-License-Identifier: MIT */
/* The error convention: negated errno values, errno untouched by int
 * calls, NULL + errno from constructors, clear aborts for misuse. */
#include <config.h>
#include <errno.h>
#include <string.h>

#include "records.h"
#include "testutil.h"

START_TEST(int_calls_leave_errno_alone)
{
	small_handle h = small_new(NULL, POLICY);
	ss_state *s = small_state(h);
	uint64_t seen = 0;
	int x;

	errno = 1234;
	ck_assert_int_eq(ss_get(s, 99, &x), -EINVAL);
	ck_assert_int_eq(ss_set(s, 99, &x), -EINVAL);
	ck_assert_int_eq(ss_wait(s, &seen, SS_MASK_ALL, 0), -ETIMEDOUT);
	ck_assert_int_eq(small_set_x(h, 3), 1);
	ck_assert_int_eq(errno, 1234);
	small_unref(h);
}
END_TEST

START_TEST(null_handles_are_tolerated_where_documented)
{
	ck_assert_ptr_null(ss_type_of(NULL));
	ck_assert_int_eq(ss_policy_of(NULL), SS_MUTEX);
	ck_assert(!ss_is_closed(NULL));
	ck_assert_uint_eq(ss_field_version(NULL, 0), 0);
	ss_close(NULL);
	ss_unref(NULL);
}
END_TEST

static void get_or_abort_bad_field(void *arg)
{
	small_handle h = small_new(NULL, SS_MUTEX);
	int x;

	(void)arg;
	ss_get_or_abort(small_state(h), 42, &x, "my_getter");
}

START_TEST(get_or_abort_names_caller_and_type)
{
	expect_abort(get_or_abort_bad_field, NULL,
		     "my_getter: small record: Invalid argument");
}
END_TEST

static void get_or_abort_null(void *arg)
{
	int x;

	(void)arg;
	ss_get_or_abort(NULL, 0, &x, "null_getter");
}

START_TEST(get_or_abort_null_handle)
{
	expect_abort(get_or_abort_null, NULL, "null_getter: NULL handle");
}
END_TEST

Suite *suite_errors(void)
{
	Suite *s = suite_create("errors");
	TCase *tc = tcase_create("convention");

	tcase_add_loop_test(tc, int_calls_leave_errno_alone, 0, NPOLICIES);
	tcase_add_test(tc, null_handles_are_tolerated_where_documented);
	tcase_add_test(tc, get_or_abort_names_caller_and_type);
	tcase_add_test(tc, get_or_abort_null_handle);
	suite_add_tcase(s, tc);
	return s;
}
