/* SPDX-License-Identifier: MIT */
/*
 * Writers pay only for their waiters (issue 13): a write whose fields
 * nobody waits on or watches does not take the record's waiting lock,
 * however many threads wait on other fields; the union of the waiting
 * masks follows the waiters and watches as they come and go.
 *
 * The tests hold the record's wait_mu through a test hook: a write that
 * needs it blocks until it is released, one that does not returns.
 */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <unistd.h>

#include "internal.h" /* ss__wait_lock, ss__wmask...: test hooks */
#include "records.h"
#include "testutil.h"

/* A sanity bound for what must happen. */
#define MUST_MS test_duration_ms(10000)

/* Each of the cancel test's loops runs twice per policy: _i <
 * NPOLICIES sleeps without a timeout, the others with one. */
#define CANCEL_POLICY ((enum ss_policy)(_i % NPOLICIES))
#define CANCEL_TIMED (_i >= NPOLICIES)

#define X SS_MASK(small, x)
#define Y SS_MASK(small, y)
#define Z SS_MASK(small, z)

/* ---- helpers ------------------------------------------------------- */

struct waiter {
	small_handle h;
	uint64_t mask;
	int timeout_ms;
	atomic_int result; /* 1 until small_wait returns */
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	uint64_t seen = small_version(w->h);

	atomic_store(&w->result, small_wait(w->h, &seen, w->mask,
					    w->timeout_ms));
	return NULL;
}

static pthread_t start_waiter(struct waiter *w)
{
	pthread_t t;

	atomic_store(&w->result, 1);
	ck_assert_int_eq(pthread_create(&t, NULL, wait_thread, w), 0);
	return t;
}

/* Until @n waiters are linked and the union of the waiting masks is
 * @mask: every waiter and watch has published its fields. */
static void until_union(small_handle h, unsigned n, uint64_t mask)
{
	double give_up = now_ms() + MUST_MS;

	until_waiting(small_state(h), n);
	while (ss__wmask(small_state(h)) != mask) {
		ck_assert_msg(now_ms() < give_up,
			      "the union is %#llx, not %#llx",
			      (unsigned long long)ss__wmask(small_state(h)),
			      (unsigned long long)mask);
		usleep(1000);
	}
}

struct setter {
	small_handle h;
	size_t field;
	int value;
	int result;
	atomic_bool done;
};

static void *set_thread(void *arg)
{
	struct setter *st = arg;

	st->result = ss_set(small_state(st->h), st->field, &st->value);
	atomic_store(&st->done, true);
	return NULL;
}

/*
 * Whether setting @field to @value returns while the test holds the
 * record's wait_mu.  The set runs in a thread of its own; once its write
 * is visible (the record's version moved), it is given @ms to return.  A
 * write that needs the lock cannot return before it is released, so
 * "false" is never wrong; "true" after a short @ms may be (a slow
 * thread), so the answer that matters is asked with a sanity bound.
 * Returns with the lock released and the set done.
 */
static bool set_returns_while_wait_locked(small_handle h, size_t field,
					  int value, double ms)
{
	ss_state *s = small_state(h);
	struct setter st = { h, field, value, -1, false };
	uint64_t v0 = ss_version(s);
	bool returned;
	double until;
	pthread_t t;

	ss__wait_lock(s);
	if (pthread_create(&t, NULL, set_thread, &st) != 0) {
		ss__wait_unlock(s);
		ck_abort_msg("pthread_create");
	}
	until = now_ms() + MUST_MS;
	while (ss_version(s) == v0 && now_ms() < until)
		usleep(500);
	until = now_ms() + ms;
	while (!atomic_load(&st.done) && now_ms() < until)
		usleep(500);
	returned = atomic_load(&st.done);
	ss__wait_unlock(s);
	pthread_join(t, NULL);
	ck_assert_int_eq(st.result, 1);
	return returned;
}

/* The write must not take wait_mu. */
#define ck_assert_no_wait_lock(h, field, value)                              \
	ck_assert_msg(set_returns_while_wait_locked(h, small_FIELD_##field,  \
						    value, MUST_MS),         \
		      "a write to " #field " waited for the waiters' lock")
/* The write takes wait_mu (it has someone to wake, or may have). */
#define ck_assert_wait_lock(h, field, value)                                 \
	ck_assert_msg(!set_returns_while_wait_locked(h, small_FIELD_##field, \
						     value, 20),             \
		      "a write to " #field " returned while the waiters' "   \
		      "lock was held")

/* Until the waiter's small_wait returns (a sanity bound), then joins it
 * with pthread_join, which DRD sees (not pthread_timedjoin_np); its
 * result. */
static int waiter_done(pthread_t t, struct waiter *w)
{
	double give_up = now_ms() + MUST_MS;

	while (atomic_load(&w->result) == 1) {
		ck_assert_msg(now_ms() < give_up, "the waiter slept on");
		usleep(1000);
	}
	pthread_join(t, NULL);
	return atomic_load(&w->result);
}

/* The waiter is woken by a write it waits for, and returns 0. */
static void ck_assert_woken(pthread_t t, struct waiter *w)
{
	ck_assert_int_eq(waiter_done(t, w), 0);
}

/* ---- tests --------------------------------------------------------- */

/* A waiter on y, a waiter for the close only (mask 0) and a watch on z:
 * a write to x takes no lock but the record's; writes to y and z take
 * wait_mu (the controls: the hook holds the lock writers take). */
START_TEST(unawaited_write_takes_no_wait_lock)
{
	small_handle h = small_new(NULL, POLICY);
	struct waiter wy = { h, Y, -1, 1 }, w0 = { h, 0, -1, 1 };
	pthread_t ty = start_waiter(&wy), t0 = start_waiter(&w0);
	int fz = small_watch_fd(h, Z);

	ck_assert_int_ge(fz, 0);
	until_union(h, 2, Y | Z);
	ck_assert_no_wait_lock(h, x, 1);
	ck_assert_no_wait_lock(h, x, 2);
	ck_assert_int_eq(atomic_load(&wy.result), 1);
	ck_assert_wait_lock(h, z, 1);
	ck_assert_wait_lock(h, y, 1);
	ck_assert_woken(ty, &wy);
	/* The mask-0 waiter is still there, and costs writers nothing. */
	until_union(h, 1, Z);
	ck_assert_no_wait_lock(h, y, 2);
	small_close(h);
	ck_assert_int_eq(waiter_done(t0, &w0), -ECANCELED);
	small_unref(h);
}
END_TEST

/* Many waiters on y or y and z: writes to x go past all of them; a
 * write to z wakes those that wait on z, and then goes past the rest. */
START_TEST(many_waiters_elsewhere_cost_nothing)
{
	enum { N = 40 };
	small_handle h = small_new(NULL, POLICY);
	struct waiter w[N];
	pthread_t t[N];

	for (int i = 0; i < N; i++) {
		w[i] = (struct waiter){ h, i % 2 ? Y : Y | Z, -1, 1 };
		t[i] = start_waiter(&w[i]);
	}
	until_union(h, N, Y | Z);
	ck_assert_no_wait_lock(h, x, 1);
	ck_assert_no_wait_lock(h, x, 2);
	ck_assert_wait_lock(h, z, 1);
	for (int i = 0; i < N; i += 2)
		ck_assert_woken(t[i], &w[i]);
	until_union(h, N / 2, Y);
	ck_assert_no_wait_lock(h, z, 2);
	ck_assert_no_wait_lock(h, x, 3);
	small_close(h);
	for (int i = 1; i < N; i += 2) {
		ck_assert_int_eq(waiter_done(t[i], &w[i]), -ECANCELED);
	}
	until_union(h, 0, 0);
	small_unref(h);
}
END_TEST

/* Waiters on y leave, woken by a write or timed out: the union drops y,
 * and the waiter on x is still woken by writes to x. */
START_TEST(union_shrinks_when_waiters_leave)
{
	small_handle h = small_new(NULL, POLICY);
	struct waiter wx = { h, X, -1, 1 }, wy = { h, Y, -1, 1 },
		      wyz = { h, Y | Z, 50, 1 };
	pthread_t tx = start_waiter(&wx), ty = start_waiter(&wy), tyz;

	until_union(h, 2, X | Y);
	/* Woken by a write to y. */
	ck_assert_int_eq(small_set_y(h, 1), 1);
	ck_assert_woken(ty, &wy);
	until_union(h, 1, X);
	ck_assert_no_wait_lock(h, y, 2);
	/* Timed out. */
	tyz = start_waiter(&wyz);
	ck_assert_int_eq(waiter_done(tyz, &wyz), -ETIMEDOUT);
	until_union(h, 1, X);
	ck_assert_no_wait_lock(h, y, 3);
	ck_assert_no_wait_lock(h, z, 1);
	/* The one left is woken by its field. */
	ck_assert_int_eq(atomic_load(&wx.result), 1);
	ck_assert_wait_lock(h, x, 1);
	ck_assert_woken(tx, &wx);
	until_union(h, 0, 0);
	ck_assert_no_wait_lock(h, x, 2);
	small_unref(h);
}
END_TEST

/* A waiter cancelled in its sleep leaves the union through the
 * cancellation cleanup handler; the others keep theirs. */
START_TEST(union_shrinks_after_cancelled_waiter)
{
	small_handle h = small_new(NULL, CANCEL_POLICY);
	struct waiter wx = { h, X, -1, 1 },
		      victim = { h, Y | Z, CANCEL_TIMED ? 600000 : -1, 1 },
		      wxz = { h, X | Z, 600000, 1 };
	pthread_t tx = start_waiter(&wx), tv, txz;
	void *ret;

	until_union(h, 1, X);
	tv = start_waiter(&victim);
	until_union(h, 2, X | Y | Z);
	txz = start_waiter(&wxz);
	until_union(h, 3, X | Y | Z);
	ck_assert_int_eq(pthread_cancel(tv), 0);
	ck_assert(join_within(tv, MUST_MS, &ret));
	ck_assert_ptr_eq(ret, PTHREAD_CANCELED);
	until_union(h, 2, X | Z);
	ck_assert_no_wait_lock(h, y, 1);
	ck_assert_wait_lock(h, z, 1);
	ck_assert_woken(txz, &wxz);
	until_union(h, 1, X);
	ck_assert_no_wait_lock(h, z, 2);
	ck_assert_int_eq(small_set_x(h, 1), 1);
	ck_assert_woken(tx, &wx);
	small_unref(h);
}
END_TEST

/* Watches leave the union with ss_unwatch_fd; a waiter on x is still
 * woken by x. */
START_TEST(union_shrinks_when_watch_removed)
{
	small_handle h = small_new(NULL, POLICY);
	struct waiter wx = { h, X, -1, 1 };
	pthread_t tx = start_waiter(&wx);
	int fy = small_watch_fd(h, Y), fxz = small_watch_fd(h, X | Z);

	ck_assert(fy >= 0 && fxz >= 0);
	until_union(h, 1, X | Y | Z);
	ck_assert_int_eq(small_unwatch_fd(h, fy), 0);
	ck_assert_uint_eq(ss__wmask(small_state(h)), X | Z);
	ck_assert_no_wait_lock(h, y, 1);
	ck_assert_wait_lock(h, z, 1);
	ck_assert_int_eq(small_unwatch_fd(h, fxz), 0);
	ck_assert_uint_eq(ss__wmask(small_state(h)), X);
	ck_assert_no_wait_lock(h, z, 2);
	ck_assert_int_eq(atomic_load(&wx.result), 1);
	ck_assert_int_eq(small_set_x(h, 1), 1);
	ck_assert_woken(tx, &wx);
	ck_assert_uint_eq(ss__wmask(small_state(h)), 0);
	small_unref(h);
}
END_TEST

/* ss_close wakes every waiter; as they leave, the union empties, and
 * what remains is the watches'. */
START_TEST(union_follows_close)
{
	small_handle h = small_new(NULL, POLICY);
	struct waiter wx = { h, X, -1, 1 }, wy = { h, Y, 600000, 1 };
	pthread_t tx = start_waiter(&wx), ty = start_waiter(&wy);
	int fz = small_watch_fd(h, Z);

	ck_assert_int_ge(fz, 0);
	until_union(h, 2, X | Y | Z);
	small_close(h);
	ck_assert_int_eq(waiter_done(tx, &wx), -ECANCELED);
	ck_assert_int_eq(waiter_done(ty, &wy), -ECANCELED);
	until_union(h, 0, Z);
	ck_assert_no_wait_lock(h, x, 1);
	ck_assert_no_wait_lock(h, y, 1);
	ck_assert_wait_lock(h, z, 1);
	small_unref(h);
}
END_TEST

/* Stale bits, a superset of what is waited on, cost a write the lock and
 * wake nobody; the next departure recomputes the union without them. */
START_TEST(stale_bits_are_harmless_and_go)
{
	small_handle h = small_new(NULL, POLICY);
	struct waiter wy = { h, Y, -1, 1 }, wz = { h, Z, -1, 1 };
	pthread_t ty = start_waiter(&wy), tz = start_waiter(&wz);

	until_union(h, 2, Y | Z);
	ss__wmask_add(small_state(h), X);
	ck_assert_uint_eq(ss__wmask(small_state(h)), X | Y | Z);
	ck_assert_wait_lock(h, x, 1);
	ck_assert_int_eq(small_set_x(h, 2), 1);
	/* Nobody woke for x. */
	ck_assert_uint_eq(ss__waiting(small_state(h)), 2);
	ck_assert_int_eq(atomic_load(&wy.result), 1);
	ck_assert_int_eq(atomic_load(&wz.result), 1);
	ck_assert_int_eq(small_set_y(h, 1), 1);
	ck_assert_woken(ty, &wy);
	until_union(h, 1, Z);
	ck_assert_no_wait_lock(h, x, 3);
	ck_assert_int_eq(atomic_load(&wz.result), 1);
	ck_assert_int_eq(small_set_z(h, 1.0), 1);
	ck_assert_woken(tz, &wz);
	ck_assert_uint_eq(ss__wmask(small_state(h)), 0);
	small_unref(h);
}
END_TEST

/* The union must never lose a waiter's bits (a subset): a waiter on x
 * racing a writer of x, as in no_lost_wakeup_when_racing, while other
 * threads keep registering and leaving on y, which recomputes the union
 * each time.  Rounds until a time bound (Valgrind runs one thread at a
 * time, and slowly). */
struct churn {
	small_handle h;
	atomic_bool stop;
	bool watches;
};

static void *churn_thread(void *arg)
{
	struct churn *c = arg;

	while (!atomic_load(&c->stop)) {
		uint64_t seen = small_version(c->h);

		if (c->watches) {
			int fd = small_watch_fd(c->h, Y);

			if (fd >= 0)
				small_unwatch_fd(c->h, fd);
		} else {
			small_wait(c->h, &seen, Y | Z, 1);
		}
		sched_yield();
	}
	return NULL;
}

struct race {
	small_handle h;
	int rounds;
	atomic_int ready; /* the round the waiter is ready for; -1: stop */
};

static void *race_writer(void *arg)
{
	struct race *r = arg;

	for (int i = 1; i <= r->rounds; i++) {
		int ready;

		while ((ready = atomic_load(&r->ready)) != i) {
			if (ready < 0)
				return NULL;
			sched_yield();
		}
		small_set_x(r->h, i);
	}
	return NULL;
}

START_TEST(no_lost_wakeup_while_others_come_and_go)
{
	struct race r = { small_new(NULL, POLICY), 2000, 0 };
	struct churn c[2] = { { r.h, false, false }, { r.h, false, true } };
	double until = now_ms() + test_duration_ms(1000);
	pthread_t t, tc[2];
	int timeouts = 0, round;

	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&tc[i], NULL, churn_thread,
						&c[i]), 0);
	ck_assert_int_eq(pthread_create(&t, NULL, race_writer, &r), 0);
	for (round = 1; round <= r.rounds && (round <= 50 || now_ms() < until);
	     round++) {
		struct small s;
		uint64_t seen;
		int ret;

		small_read(r.h, &s, &seen);
		ck_assert_int_eq(s.x, round - 1);
		atomic_store(&r.ready, round);
		ret = small_wait(r.h, &seen, X, (int)MUST_MS);
		if (ret == -ETIMEDOUT) {
			timeouts++;
			break;
		}
		ck_assert_int_eq(ret, 0);
	}
	atomic_store(&r.ready, -1);
	pthread_join(t, NULL);
	for (int i = 0; i < 2; i++) {
		atomic_store(&c[i].stop, true);
		pthread_join(tc[i], NULL);
	}
	ck_assert_msg(timeouts == 0, "lost wake-up");
	small_unref(r.h);
}
END_TEST

Suite *suite_wmask(void)
{
	Suite *s = suite_create("wmask");
	TCase *tc = tcase_create("wmask");

	tcase_add_loop_test(tc, unawaited_write_takes_no_wait_lock, 0,
			    NPOLICIES);
	tcase_add_loop_test(tc, many_waiters_elsewhere_cost_nothing, 0,
			    NPOLICIES);
	tcase_add_loop_test(tc, union_shrinks_when_waiters_leave, 0,
			    NPOLICIES);
	tcase_add_loop_test(tc, union_shrinks_when_watch_removed, 0,
			    NPOLICIES);
	tcase_add_loop_test(tc, union_follows_close, 0, NPOLICIES);
	tcase_add_loop_test(tc, stale_bits_are_harmless_and_go, 0, NPOLICIES);
	tcase_add_loop_test(tc, no_lost_wakeup_while_others_come_and_go, 0,
			    NPOLICIES);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);

	/* Tagged as check_cancel's: DRD cannot follow a cancellation in
	 * pthread_cond_wait (tests/stress/valgrind.sh). */
	tc = tcase_create("wmask-cancel");
	tcase_set_tags(tc, "cancel");
	tcase_add_loop_test(tc, union_shrinks_after_cancelled_waiter, 0,
			    2 * NPOLICIES);
	tcase_set_timeout(tc, 60);
	suite_add_tcase(s, tc);
	return s;
}
