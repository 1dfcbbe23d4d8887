/* SPDX-License-Identifier: MIT */
/* Creation, reference counting (saturation, misuse), destruction. */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h" /* ss__set_refcount, ss__refcount: test hooks */
#include "records.h"
#include "testutil.h"

START_TEST(new_uses_defaults)
{
	kinds_handle h = kinds_new(NULL, POLICY);
	struct kinds k;

	ck_assert(kinds_valid(h));
	ck_assert_int_eq(ss_policy_of(kinds_state(h)), POLICY);
	ck_assert_ptr_eq(ss_type_of(kinds_state(h)), &kinds_type);
	ck_assert_int_eq(ss__refcount(kinds_state(h)), 1);
	ck_assert_uint_eq(kinds_version(h), 0);
	ck_assert_int_eq(kinds_read(h, &k, NULL), 0);
	ck_assert(k.flag);
	ck_assert_int_eq(k.i8, -8);
	ck_assert_int_eq(k.i64, -64);
	ck_assert_uint_eq(k.u64, 64);
	ck_assert(k.d == 2.25);
	ck_assert_int_eq(k.color, GREEN);
	ck_assert_str_eq(k.label.s, "hello");
	ck_assert_int_eq(k.at.tv_sec, 12);
	ck_assert_int_eq(k.at.tv_nsec, 345);
	ck_assert_ptr_null(k.ptr);
	kinds_unref(h);
}
END_TEST

START_TEST(new_copies_init)
{
	struct small init = { .x = 7, .y = -3, .z = 0.5 };
	small_handle h = small_new(&init, POLICY);

	init.x = 99; /* the record holds its own copy */
	ck_assert_int_eq(small_get_x(h), 7);
	ck_assert_int_eq(small_get_y(h), -3);
	ck_assert(small_get_z(h) == 0.5);
	small_unref(h);
}
END_TEST

START_TEST(new_without_defaults_is_zero)
{
	struct ss_field f = { "v", SS_KIND_INT, 0, sizeof(int) };
	struct ss_type t = { "bare", sizeof(int), &f, 1, NULL, NULL };
	ss_state *s = ss_new(&t, NULL, POLICY);
	int v = -1;

	ck_assert_ptr_nonnull(s);
	ck_assert_int_eq(ss_get(s, 0, &v), 0);
	ck_assert_int_eq(v, 0);
	ss_unref(s);
}
END_TEST

/* Owner records use the policies allowed for owned memory. */
static const enum ss_policy owning[] = { SS_MUTEX, SS_RWLOCK };

START_TEST(last_unref_destroys_once)
{
	struct owner init = { calloc(4, sizeof(int)), 4 };
	owner_handle h = owner_new(&init, owning[_i]);
	owner_handle r[3];

	owner_destroyed = 0;
	ck_assert(owner_valid(h));
	for (int i = 0; i < 3; i++)
		r[i] = owner_ref(h);
	ck_assert_int_eq(ss__refcount(owner_state(h)), 4);
	for (int i = 0; i < 3; i++)
		owner_unref(r[i]);
	ck_assert_int_eq(owner_destroyed, 0);
	owner_unref(h);
	ck_assert_int_eq(owner_destroyed, 1); /* and data freed: ASan/valgrind */
}
END_TEST

START_TEST(seqlock_refuses_owned_memory)
{
	owner_handle h;

	errno = 0;
	h = owner_new(NULL, SS_SEQLOCK);
	ck_assert(!owner_valid(h));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_msg(strstr(ss_last_error(), "destroy callback") &&
			      strstr(ss_last_error(), "owner"),
		      "unclear error: %s", ss_last_error());
	/* The next success clears the message. */
	h = owner_new(NULL, SS_RWLOCK);
	ck_assert(owner_valid(h));
	ck_assert_str_eq(ss_last_error(), "");
	owner_unref(h);
}
END_TEST

START_TEST(bad_types_refused)
{
	struct ss_field f = { "v", SS_KIND_INT, 0, sizeof(int) };
	struct ss_field out = { "w", SS_KIND_INT, 2, sizeof(int) };
	struct ss_field many[SS_MAX_FIELDS + 1];
	struct ss_type t = { "t", sizeof(int), &f, 1, NULL, NULL };
	struct ss_type bad;

	for (size_t i = 0; i < SS_MAX_FIELDS + 1; i++)
		many[i] = (struct ss_field){ "c", SS_KIND_INT, 0, 1 };

	errno = 0;
	ck_assert_ptr_null(ss_new(NULL, NULL, SS_MUTEX));
	ck_assert_int_eq(errno, EINVAL);

	bad = t;
	bad.nfields = 0;
	ck_assert_ptr_null(ss_new(&bad, NULL, SS_MUTEX));
	bad = t;
	bad.size = 0;
	ck_assert_ptr_null(ss_new(&bad, NULL, SS_MUTEX));
	bad = t;
	bad.fields = &out; /* bytes 2..6 of a 4-byte record */
	ck_assert_ptr_null(ss_new(&bad, NULL, SS_MUTEX));
	ck_assert_msg(strstr(ss_last_error(), "outside"), "%s", ss_last_error());
	bad = t;
	bad.fields = many;
	bad.nfields = SS_MAX_FIELDS + 1;
	ck_assert_ptr_null(ss_new(&bad, NULL, SS_MUTEX));
	ck_assert_ptr_null(ss_new(&t, NULL, (enum ss_policy)42));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_msg(strstr(ss_last_error(), "policy"), "%s", ss_last_error());
}
END_TEST

START_TEST(refcount_saturates)
{
	owner_handle h = owner_new(NULL, SS_MUTEX);
	ss_state *s = owner_state(h);

	owner_destroyed = 0;
	ss__set_refcount(s, INT32_MAX);
	ss_ref(s); /* would wrap to INT32_MIN */
	ck_assert_int_eq(ss__refcount(s), SS_REF_SATURATED);
	ss_ref(s);
	ck_assert_int_eq(ss__refcount(s), SS_REF_SATURATED);
	for (int i = 0; i < 1000; i++)
		ss_unref(s);
	/* Saturated records leak rather than risk a use after free. */
	ck_assert_int_eq(ss__refcount(s), SS_REF_SATURATED);
	ck_assert_int_eq(owner_destroyed, 0);
	/* Tidy up for the leak checkers: back to one reference. */
	ss__set_refcount(s, 1);
	owner_unref(h);
	ck_assert_int_eq(owner_destroyed, 1);
}
END_TEST

static void ref_from_zero(void *arg)
{
	small_handle h = small_new(NULL, SS_MUTEX);

	(void)arg;
	ss__set_refcount(small_state(h), 0);
	small_ref(h);
}

START_TEST(ref_from_zero_aborts)
{
	expect_abort(ref_from_zero, NULL, "ss_ref on a small record");
}
END_TEST

static void unref_below_zero(void *arg)
{
	small_handle h = small_new(NULL, SS_MUTEX);

	(void)arg;
	ss__set_refcount(small_state(h), 0);
	small_unref(h);
}

START_TEST(unref_below_zero_aborts)
{
	expect_abort(unref_below_zero, NULL,
		     "ss_unref on a small record below zero");
}
END_TEST

START_TEST(unref_null_is_harmless)
{
	ss_unref(NULL);
}
END_TEST

struct churn {
	owner_handle h;
	int rounds;
};

static void *churn_refs(void *arg)
{
	struct churn *c = arg;

	for (int i = 0; i < c->rounds; i++) {
		owner_handle mine = owner_ref(c->h);

		owner_get_n(mine);
		owner_unref(mine);
	}
	owner_unref(c->h); /* the reference this thread was given */
	return NULL;
}

START_TEST(concurrent_refs_destroy_once)
{
	owner_handle h = owner_new(NULL, owning[_i]);
	struct churn c[4];
	pthread_t t[4];

	owner_destroyed = 0;
	for (int i = 0; i < 4; i++) {
		c[i] = (struct churn){ owner_ref(h), 20000 };
		ck_assert_int_eq(pthread_create(&t[i], NULL, churn_refs, &c[i]),
				 0);
	}
	owner_unref(h); /* the threads may now hold the last reference */
	for (int i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	ck_assert_int_eq(owner_destroyed, 1);
}
END_TEST

Suite *suite_lifecycle(void)
{
	Suite *s = suite_create("lifecycle");
	TCase *tc = tcase_create("new");
	TCase *rc = tcase_create("refcount");

	tcase_add_loop_test(tc, new_uses_defaults, 0, NPOLICIES);
	tcase_add_loop_test(tc, new_copies_init, 0, NPOLICIES);
	tcase_add_loop_test(tc, new_without_defaults_is_zero, 0, NPOLICIES);
	tcase_add_test(tc, seqlock_refuses_owned_memory);
	tcase_add_test(tc, bad_types_refused);
	suite_add_tcase(s, tc);

	tcase_add_loop_test(rc, last_unref_destroys_once, 0, 2);
	tcase_add_test(rc, refcount_saturates);
	tcase_add_test(rc, ref_from_zero_aborts);
	tcase_add_test(rc, unref_below_zero_aborts);
	tcase_add_test(rc, unref_null_is_harmless);
	tcase_add_loop_test(rc, concurrent_refs_destroy_once, 0, 2);
	tcase_set_timeout(rc, 30);
	suite_add_tcase(s, rc);
	return s;
}
