/* SPDX-License-Identifier: MIT */
/* Thread cancellation: ss_wait is a cancellation point, and a waiter
 * cancelled in its sleep gives back everything it held. */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>

#include "internal.h" /* ss__waiting: test hook */
#include "records.h"
#include "testutil.h"

/* Each test runs in a loop over the policies, twice: _i < NPOLICIES
 * sleeps without a timeout (pthread_cond_wait), the others with one
 * (pthread_cond_timedwait); both are cancellation points. */
#define CANCEL_POLICY ((enum ss_policy)(_i % NPOLICIES))
#define CANCEL_TIMED (_i >= NPOLICIES)

struct sleeper {
	small_handle h;
	uint64_t mask;
	int timeout_ms;
	int result;
};

static void *sleeper(void *arg)
{
	struct sleeper *w = arg;
	uint64_t seen = 0;

	w->result = small_wait(w->h, &seen, w->mask, w->timeout_ms);
	return NULL;
}

/* What the test does after the cancel, in a thread of its own: if the
 * cancelled waiter left the waiters' lock taken, this hangs, and the
 * test fails on the timed join instead. */
struct after {
	small_handle h;
	pthread_t others[2];
	struct sleeper *o[2];
	int steps;
};

static void *after_cancel(void *arg)
{
	struct after *a = arg;
	uint64_t seen;

	/* A write the two other waiters wait for: they wake. */
	if (small_set_x(a->h, 1) != 1)
		return NULL;
	a->steps++;
	for (int i = 0; i < 2; i++)
		pthread_join(a->others[i], NULL);
	a->steps++;
	/* Another wait registers, sleeps and times out. */
	seen = small_version(a->h);
	if (small_wait(a->h, &seen, SS_MASK(small, x), 20) != -ETIMEDOUT)
		return NULL;
	a->steps++;
	/* Nobody is left in the list; close ends a new wait. */
	if (ss__waiting(small_state(a->h)) != 0)
		return NULL;
	a->steps++;
	small_close(a->h);
	if (small_wait(a->h, &seen, SS_MASK_ALL, -1) != -ECANCELED)
		return NULL;
	a->steps++;
	return NULL;
}

START_TEST(cancelled_wait_releases_what_it_held)
{
	small_handle h = small_new(NULL, CANCEL_POLICY);
	struct sleeper w[3] = {
		{ h, SS_MASK(small, x), -1, 1 },
		/* The victim: in the middle of the list, so unlinking it
		 * must mend both neighbours. */
		{ h, SS_MASK(small, x) | SS_MASK(small, y),
		  CANCEL_TIMED ? 600000 : -1, 1 },
		{ h, SS_MASK(small, x), 60000, 1 },
	};
	struct after a = { h, { 0, 0 }, { &w[0], &w[2] }, 0 };
	pthread_t t[3], after;
	void *ret;

	for (unsigned i = 0; i < 3; i++) {
		ck_assert_int_eq(pthread_create(&t[i], NULL, sleeper, &w[i]),
				 0);
		until_waiting(small_state(h), i + 1);
	}
	ck_assert_int_eq(pthread_cancel(t[1]), 0);
	ck_assert_msg(join_within(t[1], test_duration_ms(10000), &ret),
		      "the cancelled waiter did not end");
	ck_assert_ptr_eq(ret, PTHREAD_CANCELED);
	ck_assert_int_eq(w[1].result, 1); /* ss_wait never returned */

	a.others[0] = t[0];
	a.others[1] = t[2];
	ck_assert_int_eq(pthread_create(&after, NULL, after_cancel, &a), 0);
	ck_assert_msg(join_within(after, test_duration_ms(10000), NULL),
		      "hung after the cancel at step %d (a cancelled waiter "
		      "left the waiters' lock taken)", a.steps);
	ck_assert_int_eq(a.steps, 5);
	ck_assert_int_eq(w[0].result, 0);
	ck_assert_int_eq(w[2].result, 0);
	small_unref(h);
}
END_TEST

/* ss_wait is a cancellation point even when it would not sleep: a
 * cancel pending when it is called acts there.  The thread keeps no
 * variable of its own on its stack (seen, old are here): AddressSanitizer
 * does not unpoison the frames a cancellation unwinds, and reports a
 * false stack-buffer-underflow when the thread exits
 * (google/sanitizers#1399). */
struct pending {
	small_handle h;
	atomic_int ready, go;
	int returned, old;
	uint64_t seen;
};

static void *wait_with_cancel_pending(void *arg)
{
	struct pending *p = arg;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &p->old);
	atomic_store(&p->ready, 1);
	while (!atomic_load(&p->go))
		sched_yield();
	pthread_setcancelstate(PTHREAD_CANCEL_ENABLE, &p->old);
	/* Would return -ETIMEDOUT at once (CANCEL_TIMED: 0 because x has
	 * changed); acts on the cancel instead.  No other cancellation
	 * point follows before the return. */
	p->returned = small_wait(p->h, &p->seen, SS_MASK(small, x), 0) + 1000;
	return NULL;
}

START_TEST(wait_acts_on_pending_cancel)
{
	struct pending p = { small_new(NULL, CANCEL_POLICY), 0, 0, 0, 0, 0 };
	pthread_t t;
	void *ret;

	if (CANCEL_TIMED)
		small_set_x(p.h, 1);
	ck_assert_int_eq(pthread_create(&t, NULL, wait_with_cancel_pending,
					&p), 0);
	while (!atomic_load(&p.ready))
		sched_yield();
	ck_assert_int_eq(pthread_cancel(t), 0);
	atomic_store(&p.go, 1);
	ck_assert(join_within(t, test_duration_ms(10000), &ret));
	ck_assert_msg(ret == PTHREAD_CANCELED,
		      "ss_wait returned %d instead of acting on the cancel",
		      p.returned - 1000);
	ck_assert_uint_eq(ss__waiting(small_state(p.h)), 0);
	small_unref(p.h);
}
END_TEST

Suite *suite_cancel(void)
{
	Suite *s = suite_create("cancel");
	TCase *tc = tcase_create("cancel");

	/* DRD cannot follow a cancellation in pthread_cond_wait: its run
	 * leaves the tests tagged so out (tests/stress/valgrind.sh). */
	tcase_set_tags(tc, "cancel");

	tcase_add_loop_test(tc, cancelled_wait_releases_what_it_held, 0,
			    2 * NPOLICIES);
	tcase_add_loop_test(tc, wait_acts_on_pending_cancel, 0,
			    2 * NPOLICIES);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
