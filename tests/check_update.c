/* SPDX-License-Identifier: MIT */
/* Update and view callbacks: atomicity, return values, deadlock detection,
 * the timed and multi-record variants. */
#include <config.h>
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "records.h"
#include "testutil.h"

static int swap_xy(struct small *s, void *ctx)
{
	int t = s->x;

	s->x = s->y;
	s->y = t;
	return ctx ? *(int *)ctx : 0;
}

START_TEST(update_returns_callback_value)
{
	small_handle h = small_new(NULL, POLICY);
	int ret = 42, neg = -7;

	small_set_x(h, 1);
	small_set_y(h, 2);
	ck_assert_int_eq(small_update(h, swap_xy, &ret), 42);
	ck_assert_int_eq(small_get_x(h), 2);
	ck_assert_int_eq(small_get_y(h), 1);
	/* A negative value is passed through; the changes are kept. */
	ck_assert_int_eq(small_update(h, swap_xy, &neg), -7);
	ck_assert_int_eq(small_get_x(h), 1);
	ck_assert_uint_eq(small_version(h), 4);
	small_unref(h);
}
END_TEST

static int set_x_to_ctx(struct small *s, void *ctx)
{
	s->x = *(int *)ctx;
	return 0;
}

START_TEST(update_without_change_bumps_nothing)
{
	small_handle h = small_new(NULL, POLICY);
	int v = 3;

	ck_assert_int_eq(small_update(h, set_x_to_ctx, &v), 0);
	ck_assert_uint_eq(small_version(h), 1);
	ck_assert_int_eq(small_update(h, set_x_to_ctx, &v), 0);
	ck_assert_uint_eq(small_version(h), 1);
	/* Only the changed field gets the new version. */
	v = 4;
	small_update(h, set_x_to_ctx, &v);
	ck_assert_uint_eq(ss_field_version(small_state(h), small_FIELD_x), 2);
	ck_assert_uint_eq(ss_field_version(small_state(h), small_FIELD_y), 0);
	small_unref(h);
}
END_TEST

/* Inside a callback, every accessor of the same handle must fail with
 * -EDEADLK at once, and those of another handle must work. */
struct reentry {
	small_handle self;
	small_handle other;
	int results[12];
};

static int noop_update(void *rec, void *ctx)
{
	(void)rec;
	(void)ctx;
	return 0;
}

static int noop_view(const void *rec, void *ctx)
{
	(void)rec;
	(void)ctx;
	return 0;
}

static int noop_many(void *const *recs, void *ctx)
{
	(void)recs;
	(void)ctx;
	return 0;
}

static void try_everything(struct reentry *r)
{
	ss_state *s = small_state(r->self);
	ss_state *both[2] = { small_state(r->other), s };
	struct small copy;
	uint64_t seen = 0;
	int x = 0;

	r->results[0] = ss_get(s, small_FIELD_x, &x);
	r->results[1] = ss_set(s, small_FIELD_x, &x);
	r->results[2] = ss_read(s, &copy, NULL);
	r->results[3] = ss_update(s, noop_update, NULL);
	r->results[4] = ss_update_timed(s, noop_update, NULL, 10);
	r->results[5] = ss_view(s, noop_view, NULL);
	r->results[6] = ss_wait(s, &seen, SS_MASK_ALL, 10);
	r->results[7] = ss_update_many(both, 2, noop_many, NULL);
	r->results[8] = small_load_x(r->self, &x);
	r->results[9] = small_set_y(r->self, 5);
	/* Another record is fine. */
	r->results[10] = small_set_x(r->other, 11);
	r->results[11] = small_load_x(r->other, &x);
}

static int reenter_from_update(struct small *rec, void *ctx)
{
	(void)rec;
	try_everything(ctx);
	return 0;
}

static int reenter_from_view(const struct small *rec, void *ctx)
{
	(void)rec;
	try_everything(ctx);
	return 0;
}

static void check_reentry(const struct reentry *r)
{
	for (int i = 0; i < 10; i++)
		ck_assert_msg(r->results[i] == -EDEADLK,
			      "accessor %d returned %d, not -EDEADLK", i,
			      r->results[i]);
	ck_assert_int_eq(r->results[10], 1);
	ck_assert_int_eq(r->results[11], 0);
}

START_TEST(reentry_from_update_is_edeadlk)
{
	struct reentry r = { small_new(NULL, POLICY), small_new(NULL, POLICY),
			     { 0 } };

	ck_assert_int_eq(small_update(r.self, reenter_from_update, &r), 0);
	check_reentry(&r);
	/* Out of the callback everything works again. */
	ck_assert_int_eq(small_set_x(r.self, 1), 1);
	ck_assert_int_eq(small_get_x(r.self), 1);
	small_unref(r.self);
	small_unref(r.other);
}
END_TEST

START_TEST(reentry_from_view_is_edeadlk)
{
	struct reentry r = { small_new(NULL, POLICY), small_new(NULL, POLICY),
			     { 0 } };

	ck_assert_int_eq(small_view(r.self, reenter_from_view, &r), 0);
	check_reentry(&r);
	ck_assert_int_eq(small_set_x(r.self, 1), 1);
	small_unref(r.self);
	small_unref(r.other);
}
END_TEST

static int get_by_value_inside(struct small *rec, void *ctx)
{
	small_handle *h = ctx;

	(void)rec;
	return small_get_x(*h); /* aborts: it cannot return an error */
}

static void by_value_getter_in_callback(void *arg)
{
	small_handle h = small_new(NULL, *(enum ss_policy *)arg);

	small_update(h, get_by_value_inside, &h);
}

START_TEST(by_value_getter_in_callback_aborts)
{
	enum ss_policy p = POLICY;

	expect_abort(by_value_getter_in_callback, &p,
		     "small_get_x: called from inside an update or view "
		     "callback on the same small record");
}
END_TEST

static int sum_view(const struct small *s, void *ctx)
{
	*(double *)ctx = s->x + s->y + s->z;
	return 7;
}

START_TEST(view_reads_in_place)
{
	small_handle h = small_new(NULL, POLICY);
	double sum = 0;

	small_set_x(h, 1);
	small_set_y(h, 2);
	small_set_z(h, 0.5);
	ck_assert_int_eq(small_view(h, sum_view, &sum), 7);
	ck_assert(sum == 3.5);
	ck_assert_int_eq(ss_view(NULL, noop_view, NULL), -EINVAL);
	ck_assert_int_eq(ss_view(small_state(h), NULL, NULL), -EINVAL);
	small_unref(h);
}
END_TEST

/* Holds the write lock (inside an update) until told to let go. */
struct holder {
	small_handle h;
	atomic_int state; /* 0 starting, 1 holding, 2 release */
};

static int hold_lock(struct small *s, void *ctx)
{
	struct holder *hd = ctx;

	(void)s;
	atomic_store(&hd->state, 1);
	while (atomic_load(&hd->state) != 2)
		sched_yield();
	return 0;
}

static void *holder_thread(void *arg)
{
	struct holder *hd = arg;

	small_update(hd->h, hold_lock, hd);
	return NULL;
}

static int count_calls(struct small *s, void *ctx)
{
	(void)s;
	(*(int *)ctx)++;
	return 0;
}

START_TEST(update_timed_gives_up)
{
	struct holder hd = { small_new(NULL, POLICY), 0 };
	pthread_t t;
	int calls = 0;
	double t0, waited;

	ck_assert_int_eq(pthread_create(&t, NULL, holder_thread, &hd), 0);
	while (atomic_load(&hd.state) != 1)
		sched_yield();
	t0 = now_ms();
	ck_assert_int_eq(small_update_timed(hd.h, count_calls, &calls, 50),
			 -ETIMEDOUT);
	waited = now_ms() - t0;
	ck_assert_int_eq(calls, 0);
	ck_assert_msg(waited >= 45, "gave up after %.1f ms, not 50", waited);
	atomic_store(&hd.state, 2);
	pthread_join(t, NULL);
	ck_assert_int_eq(small_update_timed(hd.h, count_calls, &calls, 50), 0);
	ck_assert_int_eq(small_update_timed(hd.h, count_calls, &calls, -1), 0);
	ck_assert_int_eq(calls, 2);
	small_unref(hd.h);
}
END_TEST

/* update_many: move amounts between records; the total never changes. */
static int transfer(void *const *recs, void *ctx)
{
	struct small *from = recs[0], *to = recs[1];
	int amount = *(int *)ctx;

	from->x -= amount;
	to->x += amount;
	return 0;
}

struct mover {
	ss_state *pair[2];
	int rounds;
};

static void *move_money(void *arg)
{
	struct mover *m = arg;
	int one = 1;

	for (int i = 0; i < m->rounds; i++)
		ss_update_many(m->pair, 2, transfer, &one);
	return NULL;
}

static int read_total(void *const *recs, void *ctx)
{
	*(int *)ctx = ((struct small *)recs[0])->x + ((struct small *)recs[1])->x;
	return 0;
}

START_TEST(update_many_locks_in_address_order)
{
	struct small init = { .x = 1000 };
	small_handle a = small_new(&init, POLICY), b = small_new(&init, POLICY);
	/* Opposite orders: without address ordering this deadlocks. */
	struct mover ab = { { small_state(a), small_state(b) }, 20000 };
	struct mover ba = { { small_state(b), small_state(a) }, 20000 };
	pthread_t t1, t2;
	int total = 0;

	ck_assert_int_eq(pthread_create(&t1, NULL, move_money, &ab), 0);
	ck_assert_int_eq(pthread_create(&t2, NULL, move_money, &ba), 0);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	ck_assert_int_eq(small_get_x(a), 1000);
	ck_assert_int_eq(small_get_x(b), 1000);
	ck_assert_int_eq(ss_update_many(ab.pair, 2, read_total, &total), 0);
	ck_assert_int_eq(total, 2000);
	/* Each changing round bumped both records. */
	ck_assert_uint_eq(small_version(a), 40000);
	small_unref(a);
	small_unref(b);
}
END_TEST

START_TEST(update_many_rejects_bad_sets)
{
	small_handle a = small_new(NULL, POLICY);
	ss_state *dup[2] = { small_state(a), small_state(a) };
	ss_state *many[17];
	ss_state *withnull[2] = { small_state(a), NULL };

	for (int i = 0; i < 17; i++)
		many[i] = small_state(a);
	ck_assert_int_eq(ss_update_many(dup, 2, noop_many, NULL), -EINVAL);
	ck_assert_int_eq(ss_update_many(many, 17, noop_many, NULL), -EINVAL);
	ck_assert_int_eq(ss_update_many(dup, 0, noop_many, NULL), -EINVAL);
	ck_assert_int_eq(ss_update_many(withnull, 2, noop_many, NULL),
			 -EINVAL);
	ck_assert_int_eq(ss_update_many(dup, 1, NULL, NULL), -EINVAL);
	ck_assert_int_eq(ss_update_many(dup, 1, noop_many, NULL), 0);
	small_unref(a);
}
END_TEST

START_TEST(update_rejects_bad_arguments)
{
	small_handle h = small_new(NULL, POLICY);

	ck_assert_int_eq(ss_update(NULL, noop_update, NULL), -EINVAL);
	ck_assert_int_eq(ss_update(small_state(h), NULL, NULL), -EINVAL);
	ck_assert_int_eq(ss_update_timed(small_state(h), NULL, NULL, 5),
			 -EINVAL);
	small_unref(h);
}
END_TEST

Suite *suite_update(void)
{
	Suite *s = suite_create("update");
	TCase *tc = tcase_create("update");
	TCase *dl = tcase_create("deadlock");
	TCase *mt = tcase_create("timed-many");

	tcase_add_loop_test(tc, update_returns_callback_value, 0, NPOLICIES);
	tcase_add_loop_test(tc, update_without_change_bumps_nothing, 0,
			    NPOLICIES);
	tcase_add_loop_test(tc, view_reads_in_place, 0, NPOLICIES);
	tcase_add_loop_test(tc, update_rejects_bad_arguments, 0, NPOLICIES);
	suite_add_tcase(s, tc);

	tcase_add_loop_test(dl, reentry_from_update_is_edeadlk, 0, NPOLICIES);
	tcase_add_loop_test(dl, reentry_from_view_is_edeadlk, 0, NPOLICIES);
	tcase_add_loop_test(dl, by_value_getter_in_callback_aborts, 0,
			    NPOLICIES);
	suite_add_tcase(s, dl);

	tcase_add_loop_test(mt, update_timed_gives_up, 0, NPOLICIES);
	tcase_add_loop_test(mt, update_many_locks_in_address_order, 0,
			    NPOLICIES);
	tcase_add_loop_test(mt, update_many_rejects_bad_sets, 0, NPOLICIES);
	tcase_set_timeout(mt, 60);
	suite_add_tcase(s, mt);
	return s;
}
