/* SPDX-License-Identifier: MIT */
/*
 * Real threads on real cores: torn reads, lost updates, reference churn.
 * One writer keeps a multi-field invariant (a == -b, sum = checksum of the
 * rest) while readers on the other core check every snapshot they take and
 * other threads take and drop references; all of it under every policy.
 */
#include <config.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "records.h"
#include "testutil.h"

static uint64_t xorshift(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

struct shared {
	pair_handle h;
	atomic_bool stop;
	double until_ms;
};

struct reader_stats {
	struct shared *sh;
	long snapshots, torn, views, torn_views;
	int use_view;
	atomic_bool ran;	/* a first snapshot was taken */
};

static int next_pair(struct pair *p, void *ctx)
{
	uint64_t *seed = ctx;

	p->a++;
	p->b = -p->a;
	p->p0 = xorshift(seed);
	p->p1 = xorshift(seed);
	p->p2 = xorshift(seed);
	p->p3 = (uint32_t)xorshift(seed);
	p->p4 = (uint16_t)xorshift(seed);
	p->sum = pair_checksum(p);
	p->counter++;
	return 0;
}

static int check_view(const struct pair *p, void *ctx)
{
	(void)ctx;
	return pair_consistent(p) ? 0 : 1;
}

/*
 * Readers that see no new write for STALE_SNAPSHOTS snapshots in a row
 * yield.  Natively that almost never happens; under Valgrind, which runs
 * one thread at a time, two readers re-taking the mutex starved the writer
 * (101 writes in five minutes under DRD) and the test never reached its
 * 1000 writes.
 */
enum { STALE_SNAPSHOTS = 256 };

static void *reader(void *arg)
{
	struct reader_stats *st = arg;
	struct pair p;
	uint64_t seen = 0, version;
	int stale = 0;

	while (!atomic_load_explicit(&st->sh->stop, memory_order_relaxed)) {
		pair_read(st->sh->h, &p, &version);
		if (st->snapshots++ == 0)
			atomic_store(&st->ran, true);
		if (version != seen) {
			seen = version;
			stale = 0;
		} else if (++stale == STALE_SNAPSHOTS) {
			stale = 0;
			sched_yield();
		}
		if (!pair_consistent(&p))
			st->torn++;
		if (st->use_view) {
			st->views++;
			st->torn_views += pair_view(st->sh->h, check_view, NULL);
		}
	}
	return NULL;
}

static void *ref_churn(void *arg)
{
	struct shared *sh = arg;

	for (long i = 1; !atomic_load_explicit(&sh->stop, memory_order_relaxed);
	     i++) {
		pair_handle mine = pair_ref(sh->h);

		(void)pair_get_counter(mine);
		pair_unref(mine);
		if (i % STALE_SNAPSHOTS == 0)
			sched_yield(); /* now and then, for Valgrind too */
	}
	return NULL;
}

START_TEST(no_torn_snapshots)
{
	struct pair init;
	struct shared sh = { .stop = false };
	struct reader_stats rs[2] = { { &sh, 0, 0, 0, 0, 0, false },
				      { &sh, 0, 0, 0, 0, 1, false } };
	pthread_t rt[2], ct;
	uint64_t seed = 0x9E3779B97F4A7C15ULL;
	long writes = 0;
	double end, sanity;
	struct pair last;

	init = pair_defaults;
	init.sum = pair_checksum(&init);
	sh.h = pair_new(&init, POLICY);
	ck_assert(pair_valid(sh.h));
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&rt[i], NULL, reader, &rs[i]), 0);
	ck_assert_int_eq(pthread_create(&ct, NULL, ref_churn, &sh), 0);
	end = now_ms() + test_duration_ms(300);
	/* And until both readers ran (a loaded machine may start them
	 * late), within a sanity deadline. */
	sanity = now_ms() + test_duration_ms(60000);
	while (now_ms() < end || writes < 1000 ||
	       ((!atomic_load(&rs[0].ran) || !atomic_load(&rs[1].ran)) &&
		now_ms() < sanity)) {
		ck_assert_int_eq(pair_update(sh.h, next_pair, &seed), 0);
		writes++;
	}
	atomic_store(&sh.stop, true);
	for (int i = 0; i < 2; i++)
		pthread_join(rt[i], NULL);
	pthread_join(ct, NULL);

	pair_read(sh.h, &last, NULL);
	ck_assert_int_eq(last.counter, writes);
	ck_assert_int_eq(last.a, writes);
	ck_assert_uint_eq(pair_version(sh.h), (uint64_t)writes);
	for (int i = 0; i < 2; i++) {
		ck_assert_msg(rs[i].snapshots > 0, "reader %d never ran", i);
		ck_assert_msg(rs[i].torn == 0,
			      "%s: %ld torn of %ld snapshots",
			      ss_policy_name(POLICY), rs[i].torn,
			      rs[i].snapshots);
		ck_assert_int_eq(rs[i].torn_views, 0);
	}
	pair_unref(sh.h);
}
END_TEST

/* N threads mix increments through update, sets and gets of other fields,
 * snapshots and reference churn; every increment must be counted and every
 * snapshot consistent. */
struct hammer {
	pair_handle h;
	int rounds;
	long torn;
};

static int bump_pair(struct pair *p, void *ctx)
{
	(void)ctx;
	p->a++;
	p->b--;
	p->counter++;
	p->sum = pair_checksum(p);
	return 0;
}

static void *hammer_thread(void *arg)
{
	struct hammer *hm = arg;
	pair_handle mine = pair_ref(hm->h);

	for (int i = 0; i < hm->rounds; i++) {
		struct pair p;

		pair_update(mine, bump_pair, NULL);
		pair_set_p4(mine, (uint16_t)i); /* a plain set in between */
		pair_update(mine, bump_pair, NULL); /* restores the sum */
		pair_read(mine, &p, NULL);
		if (p.a != -p.b)
			hm->torn++;
		if (i % 64 == 0) {
			pair_handle extra = pair_ref(mine);

			pair_unref(extra);
		}
	}
	pair_unref(mine);
	return NULL;
}

START_TEST(hammer_counts_exactly)
{
	enum { THREADS = 6, ROUNDS = 5000 };
	struct pair init = pair_defaults;
	struct hammer hm[THREADS];
	pthread_t t[THREADS];
	struct pair p;
	pair_handle h;

	init.sum = pair_checksum(&init);
	h = pair_new(&init, POLICY);
	for (int i = 0; i < THREADS; i++) {
		hm[i] = (struct hammer){ h, ROUNDS, 0 };
		ck_assert_int_eq(pthread_create(&t[i], NULL, hammer_thread,
						&hm[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(t[i], NULL);
		ck_assert_int_eq(hm[i].torn, 0);
	}
	pair_read(h, &p, NULL);
	ck_assert_int_eq(p.counter, 2L * THREADS * ROUNDS);
	ck_assert_int_eq(p.a, 2L * THREADS * ROUNDS);
	ck_assert(pair_consistent(&p));
	pair_unref(h);
}
END_TEST

Suite *suite_concurrency(void)
{
	Suite *s = suite_create("concurrency");
	TCase *tc = tcase_create("threads");

	tcase_add_loop_test(tc, no_torn_snapshots, 0, NPOLICIES);
	tcase_add_loop_test(tc, hammer_counts_exactly, 0, NPOLICIES);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
