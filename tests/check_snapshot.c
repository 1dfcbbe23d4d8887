/* SPDX-License-Identifier: MIT */
/*
 * SS_SNAPSHOT: versions a reader holds stay as they were, whatever the
 * writers do meanwhile, and do not hold the writers up; every version is
 * destroyed exactly once, when its last holder lets go; misuse is told.
 * (The other suites run every accessor under SS_SNAPSHOT too.)
 */
#include <config.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "records.h"
#include "testutil.h"

static void reset_counts(void)
{
	ss__snap_barrier();
	__atomic_store_n(&doc_destroyed, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&doc_copied, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&doc_copy_fails, 0, __ATOMIC_SEQ_CST);
}

static int destroyed(void)
{
	return __atomic_load_n(&doc_destroyed, __ATOMIC_SEQ_CST);
}

static int copied(void)
{
	return __atomic_load_n(&doc_copied, __ATOMIC_SEQ_CST);
}

static doc_handle new_doc(const char *text)
{
	struct doc init = { strdup(text), 0, 0 };
	doc_handle h = doc_new(&init, SS_SNAPSHOT);

	ck_assert_msg(doc_valid(h), "doc_new: %s", ss_last_error());
	return h;
}

/* The next generation: new text, gen + 1, check = -gen. */
static int next_doc(struct doc *d, void *ctx)
{
	char buf[32];

	if (ctx)
		(*(int *)ctx)++;
	d->gen++;
	d->check = -d->gen;
	snprintf(buf, sizeof(buf), "gen %ld", d->gen);
	free(d->text);
	d->text = strdup(buf);
	return 0;
}

static bool doc_consistent(const struct doc *d)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "gen %ld", d->gen);
	return d->check == -d->gen &&
	       (d->gen == 0 || (d->text && strcmp(d->text, buf) == 0));
}

START_TEST(held_version_is_immutable)
{
	doc_handle h;
	const struct doc *p;
	uint64_t v;

	reset_counts();
	h = new_doc("first");
	p = doc_acquire_version(h, &v);
	ck_assert_ptr_nonnull(p);
	ck_assert_uint_eq(v, 0);
	for (int i = 0; i < 100; i++)
		ck_assert_int_eq(doc_update(h, next_doc, NULL), 0);
	ck_assert_int_eq(doc_get_gen(h), 100);
	ck_assert_uint_eq(doc_version(h), 100);
	/* What the reader holds has not moved. */
	ck_assert_str_eq(p->text, "first");
	ck_assert_int_eq(p->gen, 0);
	ck_assert_int_eq(p->check, 0);
	/* 101 versions: the held one, 99 retired and gone, the current. */
	ss__snap_barrier();
	ck_assert_int_eq(copied(), 100);
	ck_assert_int_eq(destroyed(), 99);
	doc_release(h, p);
	ss__snap_barrier();
	ck_assert_int_eq(destroyed(), 100);
	doc_unref(h);
	ck_assert_int_eq(destroyed(), 101); /* at once: nobody held it */
}
END_TEST

struct holder {
	small_handle h;
	atomic_int state; /* 0 start, 1 holding, 2 release now, 3 released */
	int x_seen;
};

static void *hold_version(void *arg)
{
	struct holder *c = arg;
	const struct small *p = small_acquire(c->h);

	ck_assert_ptr_nonnull(p);
	c->x_seen = p->x;
	atomic_store(&c->state, 1);
	while (atomic_load(&c->state) != 2)
		sched_yield();
	ck_assert_int_eq(p->x, c->x_seen);
	small_release(c->h, p);
	atomic_store(&c->state, 3);
	return NULL;
}

static int add_one(struct small *s, void *ctx)
{
	(void)ctx;
	s->x++;
	s->y = -s->x;
	return 7;
}

START_TEST(holding_does_not_block_writers)
{
	struct holder c = { small_new(NULL, SS_SNAPSHOT), 0, -1 };
	pthread_t t;

	ck_assert(small_valid(c.h));
	ck_assert_int_eq(pthread_create(&t, NULL, hold_version, &c), 0);
	while (atomic_load(&c.state) != 1)
		sched_yield();
	/* The holder keeps its version; writers are not held up. */
	for (int i = 0; i < 50; i++) {
		ck_assert_int_eq(small_update_timed(c.h, add_one, NULL, 100), 7);
		ck_assert_int_eq(small_set_z(c.h, i + 1.0), 1);
	}
	ck_assert_int_eq(small_get_x(c.h), 50);
	ck_assert_int_eq(atomic_load(&c.state), 1);
	atomic_store(&c.state, 2);
	pthread_join(t, NULL);
	ck_assert_int_eq(c.x_seen, 0);
	small_unref(c.h);
}
END_TEST

/* Readers acquiring and releasing, viewing, getting and reading while a
 * writer publishes continuously: every snapshot consistent, every version
 * destroyed once. */
struct race {
	doc_handle h;
	atomic_bool stop;
	long acquired, torn;
};

static int view_doc(const struct doc *d, void *ctx)
{
	(void)ctx;
	return doc_consistent(d) ? 0 : 1;
}

static void *race_reader(void *arg)
{
	struct race *r = arg;
	long n = 0, torn = 0;

	while (!atomic_load_explicit(&r->stop, memory_order_relaxed)) {
		const struct doc *p = doc_acquire(r->h);
		struct doc copy;
		uint64_t v;

		ck_assert_ptr_nonnull(p);
		if (!doc_consistent(p))
			torn++;
		doc_release(r->h, p);
		if (doc_view(r->h, view_doc, NULL) != 0)
			torn++;
		/* A shallow copy: gen and check only (text may be freed). */
		ck_assert_int_eq(doc_read(r->h, &copy, &v), 0);
		if (copy.check != -copy.gen || (uint64_t)copy.gen != v)
			torn++;
		n++;
	}
	r->acquired = n;
	__atomic_fetch_add(&r->torn, torn, __ATOMIC_SEQ_CST);
	return NULL;
}

START_TEST(concurrent_readers_and_writer)
{
	struct race r = { .torn = 0 };
	struct race rs[2];
	pthread_t t[2];
	double until;
	long writes = 0;

	reset_counts();
	r.h = new_doc("start");
	atomic_init(&r.stop, false);
	for (int i = 0; i < 2; i++) {
		rs[i] = (struct race){ .h = r.h, .torn = 0 };
		atomic_init(&rs[i].stop, false);
		ck_assert_int_eq(pthread_create(&t[i], NULL, race_reader,
						&rs[i]), 0);
	}
	until = now_ms() + test_duration_ms(300);
	while (now_ms() < until || writes < 200) {
		ck_assert_int_eq(doc_update(r.h, next_doc, NULL), 0);
		writes++;
	}
	for (int i = 0; i < 2; i++) {
		atomic_store(&rs[i].stop, true);
		pthread_join(t[i], NULL);
		ck_assert_int_eq(rs[i].torn, 0);
		ck_assert_int_gt(rs[i].acquired, 0);
	}
	ck_assert_int_eq(doc_get_gen(r.h), writes);
	doc_unref(r.h);
	ss__snap_barrier();
	ck_assert_int_eq(copied(), writes);
	ck_assert_int_eq(destroyed(), writes + 1);
}
END_TEST

/* ---- what is refused, and misuse ----------------------------------- */

START_TEST(owned_memory_needs_a_copy_function)
{
	owner_handle o = owner_new(NULL, SS_SNAPSHOT);

	ck_assert(!owner_valid(o));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_nonnull(strstr(ss_last_error(), "copy function"));
	ck_assert_ptr_null(ss_new_with_copy(&owner_type, NULL, SS_SNAPSHOT,
					    NULL));
	/* Plain records need none. */
	small_handle s = small_new(NULL, SS_SNAPSHOT);

	ck_assert(small_valid(s));
	ck_assert_str_eq(ss_policy_name(ss_policy_of(small_state(s))),
			 "snapshot");
	small_unref(s);
}
END_TEST

START_TEST(failed_copy_changes_nothing)
{
	doc_handle h;
	int called = 0;

	reset_counts();
	h = new_doc("as is");
	__atomic_store_n(&doc_copy_fails, 1, __ATOMIC_SEQ_CST);
	ck_assert_int_eq(doc_update(h, next_doc, &called), -ENOMEM);
	ck_assert_int_eq(called, 0);
	ck_assert_int_eq(doc_set_gen(h, 5), -ENOMEM);
	__atomic_store_n(&doc_copy_fails, 0, __ATOMIC_SEQ_CST);
	ck_assert_int_eq(doc_get_gen(h), 0);
	ck_assert_uint_eq(doc_version(h), 0);
	ck_assert_int_eq(doc_set_gen(h, 5), 1);
	ck_assert_int_eq(doc_get_gen(h), 5);
	doc_unref(h);
	ss__snap_barrier();
	ck_assert_int_eq(destroyed(), copied() + 1);
}
END_TEST

static int no_change(struct small *s, void *ctx)
{
	(void)ctx;
	s->x = s->x;
	return 0;
}

START_TEST(unchanged_write_publishes_nothing)
{
	small_handle h = small_new(NULL, SS_SNAPSHOT);
	const struct small *before, *after;

	before = small_acquire(h);
	ck_assert_int_eq(small_update(h, no_change, NULL), 0);
	ck_assert_int_eq(small_set_x(h, 0), 0);
	after = small_acquire(h);
	ck_assert_ptr_eq(before, after); /* still the same version */
	ck_assert_uint_eq(small_version(h), 0);
	small_release(h, after);
	small_release(h, before);
	small_unref(h);
}
END_TEST

static int acquire_inside(struct small *s, void *ctx)
{
	small_handle *h = ctx;

	(void)s;
	errno = 0;
	return small_acquire(*h) == NULL ? errno : 0;
}

START_TEST(acquire_errors)
{
	small_handle m = small_new(NULL, SS_MUTEX);
	small_handle h = small_new(NULL, SS_SNAPSHOT);
	const struct small *p;

	errno = 0;
	ck_assert_ptr_null(ss_acquire(NULL));
	ck_assert_int_eq(errno, EINVAL);
	/* Other policies: nothing stays immutable without a lock. */
	for (int pol = SS_MUTEX; pol <= SS_RWLOCK; pol++) {
		small_handle o = small_new(NULL, (enum ss_policy)pol);

		errno = 0;
		ck_assert_ptr_null(small_acquire(o));
		ck_assert_int_eq(errno, ENOTSUP);
		ck_assert_ptr_nonnull(strstr(ss_last_error(), "SS_SNAPSHOT"));
		small_release(o, NULL); /* NULL: nothing */
		small_unref(o);
	}
	/* Inside the record's own callback, as every accessor. */
	ck_assert_int_eq(small_update(h, acquire_inside, &h), EDEADLK);
	/* A closed record still gives versions. */
	small_close(h);
	p = small_acquire(h);
	ck_assert_ptr_nonnull(p);
	small_release(h, p);
	small_unref(h);
	small_unref(m);
}
END_TEST

static void release_foreign(void *arg)
{
	small_handle h = small_new(NULL, SS_SNAPSHOT);
	static _Alignas(64) unsigned char junk[256];

	(void)arg;
	small_release(h, (const struct small *)(void *)(junk + 128));
}

static void release_twice(void *arg)
{
	small_handle h = small_new(NULL, SS_SNAPSHOT);
	const struct small *p = small_acquire(h);

	(void)arg;
	small_release(h, p);
	small_release(h, p);
}

static void release_other_record(void *arg)
{
	small_handle a = small_new(NULL, SS_SNAPSHOT);
	small_handle b = small_new(NULL, SS_SNAPSHOT);
	const struct small *p = small_acquire(a);

	(void)arg;
	small_release(b, p);
}

static void release_on_mutex(void *arg)
{
	small_handle h = small_new(NULL, SS_MUTEX);
	struct small x = { 0 };

	(void)arg;
	small_release(h, &x);
}

START_TEST(release_misuse_aborts)
{
	expect_abort(release_foreign, NULL,
		     "is not a version acquired from this small record");
	expect_abort(release_twice, NULL,
		     "small record released more often than acquired");
	expect_abort(release_other_record, NULL,
		     "is not a version acquired from this small record");
	expect_abort(release_on_mutex, NULL,
		     "ss_release on a small record of policy mutex");
}
END_TEST

static int add_y(struct small *s, void *ctx)
{
	(void)ctx;
	s->y++;
	return 0;
}

/* Threads that read and exit without a word to liburcu: registered on
 * their first read, unregistered at their exit (Valgrind: no leak). */
static void *read_and_exit(void *arg)
{
	small_handle *h = arg;
	const struct small *p = small_acquire(*h);

	ck_assert_ptr_nonnull(p);
	small_release(*h, p);
	(void)small_get_x(*h);
	ck_assert_int_eq(small_update(*h, add_y, NULL), 0);
	return NULL;
}

START_TEST(threads_exit_registered)
{
	small_handle h = small_new(NULL, SS_SNAPSHOT);

	for (int round = 0; round < 10; round++) {
		pthread_t t[4];

		for (int i = 0; i < 4; i++)
			ck_assert_int_eq(pthread_create(&t[i], NULL,
							read_and_exit, &h),
					 0);
		for (int i = 0; i < 4; i++)
			pthread_join(t[i], NULL);
	}
	ck_assert_int_eq(small_get_y(h), 40);
	small_unref(h);
	ss__snap_barrier();
}
END_TEST

Suite *suite_snapshot(void)
{
	Suite *s = suite_create("snapshot");
	TCase *tc = tcase_create("snapshot");

	/* Left out of valgrind.sh's DRD run (CK_EXCLUDE_TAGS). */
	tcase_set_tags(tc, "snapshot");

	tcase_set_timeout(tc, 30);
	tcase_add_test(tc, held_version_is_immutable);
	tcase_add_test(tc, holding_does_not_block_writers);
	tcase_add_test(tc, concurrent_readers_and_writer);
	tcase_add_test(tc, owned_memory_needs_a_copy_function);
	tcase_add_test(tc, failed_copy_changes_nothing);
	tcase_add_test(tc, unchanged_write_publishes_nothing);
	tcase_add_test(tc, acquire_errors);
	tcase_add_test(tc, release_misuse_aborts);
	tcase_add_test(tc, threads_exit_registered);
	suite_add_tcase(s, tc);
	return s;
}
