/* SPDX-License-Identifier: MIT */
/* Versions, waiting for changes, closing. */
#include <config.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

#include "records.h"
#include "testutil.h"

START_TEST(versions_count_changing_writes)
{
	small_handle h = small_new(NULL, POLICY);
	ss_state *s = small_state(h);

	ck_assert_uint_eq(small_version(h), 0);
	small_set_x(h, 1);
	small_set_x(h, 1);
	small_set_y(h, 1);
	small_set_x(h, 2);
	ck_assert_uint_eq(small_version(h), 3);
	ck_assert_uint_eq(ss_field_version(s, small_FIELD_x), 3);
	ck_assert_uint_eq(ss_field_version(s, small_FIELD_y), 2);
	ck_assert_uint_eq(ss_field_version(s, small_FIELD_z), 0);
	small_unref(h);
}
END_TEST

START_TEST(wait_returns_at_once_for_past_change)
{
	small_handle h = small_new(NULL, POLICY);
	uint64_t seen = small_version(h);

	small_set_x(h, 1);
	small_set_y(h, 1);
	ck_assert_int_eq(small_wait(h, &seen, SS_MASK(small, x), 1000), 0);
	ck_assert_uint_eq(seen, 2);
	/* Nothing new since: a zero timeout only checks. */
	ck_assert_int_eq(small_wait(h, &seen, SS_MASK_ALL, 0), -ETIMEDOUT);
	ck_assert_uint_eq(seen, 2);
	small_unref(h);
}
END_TEST

START_TEST(wait_times_out)
{
	small_handle h = small_new(NULL, POLICY);
	uint64_t seen = 0;
	double t0 = now_ms(), waited;

	ck_assert_int_eq(small_wait(h, &seen, SS_MASK_ALL, 80), -ETIMEDOUT);
	waited = now_ms() - t0;
	ck_assert_msg(waited >= 79, "returned after %.1f ms", waited);
	/* Only a sanity bound: a loaded machine may wake it late. */
	ck_assert_msg(waited < 80 + test_duration_ms(10000),
		      "returned after %.1f ms", waited);
	ck_assert_uint_eq(seen, 0);
	small_unref(h);
}
END_TEST

struct later {
	small_handle h;
	int field; /* small_FIELD_x, _y, or -1 to close */
	int value;
	int delay_ms;
};

static void *write_later(void *arg)
{
	struct later *l = arg;

	usleep((useconds_t)l->delay_ms * 1000);
	if (l->field < 0)
		small_close(l->h);
	else
		ss_set(small_state(l->h), (size_t)l->field, &l->value);
	return NULL;
}

START_TEST(wait_wakes_on_change)
{
	small_handle h = small_new(NULL, POLICY);
	struct later l = { h, small_FIELD_x, 5, 30 };
	uint64_t seen = small_version(h);
	pthread_t t;

	ck_assert_int_eq(pthread_create(&t, NULL, write_later, &l), 0);
	ck_assert_int_eq(small_wait(h, &seen, SS_MASK(small, x), 10000), 0);
	ck_assert_int_eq(small_get_x(h), 5);
	ck_assert_uint_eq(seen, 1);
	pthread_join(t, NULL);
	small_unref(h);
}
END_TEST

START_TEST(wait_ignores_other_fields_and_same_bytes)
{
	small_handle h = small_new(NULL, POLICY);
	struct later other = { h, small_FIELD_y, 9, 10 };
	struct later same = { h, small_FIELD_x, 0, 20 }; /* x is already 0 */
	uint64_t seen = small_version(h);
	pthread_t t1, t2;

	ck_assert_int_eq(pthread_create(&t1, NULL, write_later, &other), 0);
	ck_assert_int_eq(pthread_create(&t2, NULL, write_later, &same), 0);
	ck_assert_int_eq(small_wait(h, &seen, SS_MASK(small, x), 150),
			 -ETIMEDOUT);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	ck_assert_int_eq(small_get_y(h), 9); /* the other write did happen */
	ck_assert_uint_eq(seen, 0);
	small_unref(h);
}
END_TEST

struct waiter_arg {
	small_handle h;
	uint64_t mask;
	int timeout_ms;
	int result;
};

static void *wait_thread(void *arg)
{
	struct waiter_arg *w = arg;
	uint64_t seen = 0;

	w->result = small_wait(w->h, &seen, w->mask, w->timeout_ms);
	return NULL;
}

START_TEST(only_matching_waiters_wake)
{
	small_handle h = small_new(NULL, POLICY);
	/* Timeouts far beyond any scheduling delay: a result of 0 says the
	 * change woke them, -ETIMEDOUT that it did not. */
	struct waiter_arg wx = { h, SS_MASK(small, x), 30000, 1 };
	struct waiter_arg wx2 = { h, SS_MASK(small, x) | SS_MASK(small, z),
				  30000, 1 };
	struct waiter_arg wy = { h, SS_MASK(small, y), 200, 1 };
	pthread_t tx, tx2, ty;

	ck_assert_int_eq(pthread_create(&tx, NULL, wait_thread, &wx), 0);
	ck_assert_int_eq(pthread_create(&tx2, NULL, wait_thread, &wx2), 0);
	ck_assert_int_eq(pthread_create(&ty, NULL, wait_thread, &wy), 0);
	usleep(30000);
	small_set_x(h, 1);
	pthread_join(tx, NULL);
	pthread_join(tx2, NULL);
	pthread_join(ty, NULL);
	ck_assert_int_eq(wx.result, 0);
	ck_assert_int_eq(wx2.result, 0);
	ck_assert_int_eq(wy.result, -ETIMEDOUT);
	small_unref(h);
}
END_TEST

START_TEST(close_ends_every_wait)
{
	small_handle h = small_new(NULL, POLICY);
	struct waiter_arg w[3] = { { h, SS_MASK_ALL, -1, 1 },
				   { h, SS_MASK(small, y), -1, 1 },
				   { h, 0, -1, 1 } };
	struct later closer = { h, -1, 0, 30 };
	pthread_t t[3], c;
	uint64_t seen = 0;
	double t0 = now_ms();

	for (int i = 0; i < 3; i++)
		ck_assert_int_eq(pthread_create(&t[i], NULL, wait_thread, &w[i]),
				 0);
	ck_assert_int_eq(pthread_create(&c, NULL, write_later, &closer), 0);
	for (int i = 0; i < 3; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(w[i].result, -ECANCELED);
	}
	pthread_join(c, NULL);
	/* The waits have no timeout: they ended because of the close.  A
	 * sanity bound only. */
	ck_assert_msg(now_ms() - t0 < test_duration_ms(20000),
		      "close took too long");
	ck_assert(ss_is_closed(small_state(h)));
	/* Future waits return at once, even with changes pending. */
	small_set_x(h, 3);
	ck_assert_int_eq(small_wait(h, &seen, SS_MASK_ALL, -1), -ECANCELED);
	/* Reads and writes still work. */
	ck_assert_int_eq(small_get_x(h), 3);
	ck_assert_int_eq(small_set_x(h, 4), 1);
	small_close(h); /* idempotent */
	small_unref(h);
}
END_TEST

/* ss_close from inside an update callback, while a waiter is registering
 * (it blocks on the record lock the callback holds): no lock-order
 * inversion between the record lock and the waiters' lock. */
struct close_inside {
	small_handle h;
	pthread_t waiter;
	struct waiter_arg w;
};

static int close_in_callback(struct small *rec, void *ctx)
{
	struct close_inside *ci = ctx;

	(void)rec;
	if (pthread_create(&ci->waiter, NULL, wait_thread, &ci->w) != 0)
		return -1;
	usleep(30000); /* the waiter reaches the record lock meanwhile */
	ss_close(small_state(ci->h));
	return 0;
}

START_TEST(close_inside_update_callback)
{
	struct close_inside ci;

	ci.h = small_new(NULL, POLICY);
	ci.w = (struct waiter_arg){ ci.h, SS_MASK_ALL, -1, 1 };
	ck_assert_int_eq(small_update(ci.h, close_in_callback, &ci), 0);
	pthread_join(ci.waiter, NULL);
	ck_assert_int_eq(ci.w.result, -ECANCELED);
	small_unref(ci.h);
}
END_TEST

START_TEST(wait_rejects_bad_arguments)
{
	small_handle h = small_new(NULL, POLICY);
	uint64_t seen = 0;

	ck_assert_int_eq(small_wait(h, NULL, SS_MASK_ALL, 0), -EINVAL);
	ck_assert_int_eq(ss_wait(NULL, &seen, SS_MASK_ALL, 0), -EINVAL);
	/* An empty mask waits only for the timeout. */
	small_set_x(h, 1);
	ck_assert_int_eq(small_wait(h, &seen, 0, 20), -ETIMEDOUT);
	small_unref(h);
}
END_TEST

/* A mask naming no field of the record would wait for ever: it is a
 * mistake (another record's bit), refused at once.  Bits beyond the last
 * field next to a real one are ignored, so SS_MASK_ALL and its
 * complements keep working. */
START_TEST(wait_rejects_mask_naming_no_field)
{
	small_handle h = small_new(NULL, POLICY);
	uint64_t seen = 0;

	ck_assert_int_eq(small_wait(h, &seen, UINT64_C(1) << small_NFIELDS, 20),
			 -EINVAL);
	ck_assert_int_eq(small_wait(h, &seen, UINT64_C(1) << 63, 20), -EINVAL);
	ck_assert_int_eq(small_wait(h, &seen,
				    ~(SS_MASK(small, x) | SS_MASK(small, y) |
				      SS_MASK(small, z)), 20), -EINVAL);
	small_set_y(h, 1);
	ck_assert_int_eq(small_wait(h, &seen, SS_MASK_ALL & ~SS_MASK(small, x),
				    20), 0);
	ck_assert_uint_eq(seen, 1);
	/* Refused even when closed: the argument is checked first. */
	small_close(h);
	ck_assert_int_eq(small_wait(h, &seen, UINT64_C(1) << 40, 20), -EINVAL);
	ck_assert_int_eq(small_wait(h, &seen, SS_MASK_ALL, 20), -ECANCELED);
	small_unref(h);
}
END_TEST

/* The widest record: every bit names a field. */
START_TEST(wait_accepts_every_bit_of_widest_record)
{
	wide_handle h = wide_new(NULL, POLICY);
	uint64_t seen = 0;

	ck_assert_int_eq(wide_wait(h, &seen, UINT64_C(1) << 63, 0), -ETIMEDOUT);
	wide_set_f63(h, 1);
	ck_assert_int_eq(wide_wait(h, &seen, UINT64_C(1) << 63, 0), 0);
	wide_unref(h);
}
END_TEST

/* The writer races the waiter: each round, the waiter reads the record
 * and its version, says "ready", and calls wait; the writer sets x as
 * soon as it sees "ready", so the change lands before, during or after
 * the wait call.  A lost wake-up shows as a timeout. */
struct race {
	small_handle h;
	int rounds;
	atomic_int ready;
	atomic_int lost;
};

static void *race_writer(void *arg)
{
	struct race *r = arg;

	for (int i = 1; i <= r->rounds; i++) {
		while (atomic_load(&r->ready) != i)
			sched_yield();
		small_set_x(r->h, i);
	}
	return NULL;
}

START_TEST(no_lost_wakeup_when_racing)
{
	struct race r = { small_new(NULL, POLICY), 2000, 0, 0 };
	pthread_t t;
	int timeouts = 0, extra = 0;

	ck_assert_int_eq(pthread_create(&t, NULL, race_writer, &r), 0);
	for (int i = 1; i <= r.rounds; i++) {
		struct small s;
		uint64_t seen;
		int ret;

		small_read(r.h, &s, &seen);
		ck_assert_int_eq(s.x, i - 1);
		atomic_store(&r.ready, i);
		ret = small_wait(r.h, &seen, SS_MASK(small, x), 5000);
		if (ret == -ETIMEDOUT) {
			timeouts++;
			break;
		}
		ck_assert_int_eq(ret, 0);
		/* The wait returned because of this round's write. */
		if (small_get_x(r.h) != i)
			extra++;
	}
	atomic_store(&r.ready, r.rounds + 1);
	pthread_join(t, NULL);
	ck_assert_msg(timeouts == 0, "lost wake-up");
	ck_assert_int_eq(extra, 0);
	small_unref(r.h);
}
END_TEST

Suite *suite_versions(void)
{
	Suite *s = suite_create("versions");
	TCase *v = tcase_create("versions");
	TCase *w = tcase_create("wait");

	tcase_add_loop_test(v, versions_count_changing_writes, 0, NPOLICIES);
	suite_add_tcase(s, v);

	tcase_add_loop_test(w, wait_returns_at_once_for_past_change, 0,
			    NPOLICIES);
	tcase_add_loop_test(w, wait_times_out, 0, NPOLICIES);
	tcase_add_loop_test(w, wait_wakes_on_change, 0, NPOLICIES);
	tcase_add_loop_test(w, wait_ignores_other_fields_and_same_bytes, 0,
			    NPOLICIES);
	tcase_add_loop_test(w, only_matching_waiters_wake, 0, NPOLICIES);
	tcase_add_loop_test(w, close_ends_every_wait, 0, NPOLICIES);
	tcase_add_loop_test(w, close_inside_update_callback, 0, NPOLICIES);
	tcase_add_loop_test(w, wait_rejects_bad_arguments, 0, NPOLICIES);
	tcase_add_loop_test(w, wait_rejects_mask_naming_no_field, 0,
			    NPOLICIES);
	tcase_add_loop_test(w, wait_accepts_every_bit_of_widest_record, 0,
			    NPOLICIES);
	tcase_add_loop_test(w, no_lost_wakeup_when_racing, 0, NPOLICIES);
	tcase_set_timeout(w, 60);
	suite_add_tcase(s, w);
	return s;
}
