/* SPDX-License-Identifier: MIT */
/*
 * Readers against writers, under every policy: a reader makes progress
 * while a writer writes without pause; no field of 1 to 16 bytes, aligned
 * or at an odd offset, is ever read half written.  And the SS_SEQLOCK
 * reader's way out (lib/access.c): after its tries it takes the writers'
 * lock for one copy, so it sleeps behind a stalled write section instead
 * of spinning; the tries can be set to 0 (a test hook), which sends every
 * read that way.
 */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#endif
#endif
#ifndef RUNNING_ON_VALGRIND
#define RUNNING_ON_VALGRIND 0
#endif

#include "internal.h" /* ss__seq_*: test hooks */
#include "records.h"
#include "testutil.h"

/* ---- threads and CPUs ---------------------------------------------- */

static void pin_self(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

/* Two CPUs this process may run on: false when it has only one. */
static bool two_cpus(int *a, int *b)
{
	cpu_set_t set;
	int found = 0;

	if (sched_getaffinity(0, sizeof(set), &set) != 0)
		return false;
	for (int c = 0; c < CPU_SETSIZE && found < 2; c++)
		if (CPU_ISSET(c, &set))
			*(found++ ? b : a) = c;
	return found == 2;
}

static double thread_cpu_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e3 + (double)t.tv_nsec / 1e6;
}

/* ---- a reader against a writer that never pauses -------------------- */

/* 64 KiB: a seqlock reader's copy takes microseconds, which a writer
 * setting a field every few tens of nanoseconds never leaves it. */
typedef struct { uint64_t w[64 * 1024 / 8 - 1]; } big_pad;
#define BIG_FIELDS(X)                                                        \
	X(uint64_t, n, 0)                                                    \
	X(big_pad, pad, { { 0 } })
SS_RECORD_DECLARE(big, BIG_FIELDS);
SS_RECORD_DEFINE(big, BIG_FIELDS);

struct progress {
	big_handle h;
	int writer_cpu, reader_cpu;	/* -1: not pinned */
	atomic_bool stop;
	atomic_long writes;	/* the writer's count, after each set */
	long failed_sets;
	/* The reader's. */
	long target, reads, stale;
	double deadline;
};

static void *progress_writer(void *arg)
{
	struct progress *p = arg;
	uint64_t n = 0;

	pin_self(p->writer_cpu);
	while (!atomic_load_explicit(&p->stop, memory_order_relaxed)) {
		if (big_set_n(p->h, ++n) != 1)
			p->failed_sets++;
		atomic_store_explicit(&p->writes, (long)n,
				      memory_order_relaxed);
	}
	return NULL;
}

/* Makes @target reads, or as many as it can until the deadline; each
 * begins after a write that the previous read had not seen end, so the
 * writer is busy when it starts.  Each snapshot holds a value no older
 * than the last write counted before it began. */
static void *progress_reader(void *arg)
{
	struct progress *p = arg;
	struct big *r = malloc(sizeof(*r));
	long last = -1;

	if (!r)
		return NULL;
	pin_self(p->reader_cpu);
	while (p->reads < p->target && now_ms() < p->deadline) {
		long w0, w1;

		while ((w0 = atomic_load_explicit(&p->writes,
						  memory_order_relaxed)) ==
			       last &&
		       now_ms() < p->deadline)
			sched_yield();
		big_read(p->h, r, NULL);
		w1 = atomic_load_explicit(&p->writes, memory_order_relaxed);
		p->reads++;
		last = w1;
		if (r->n < (uint64_t)w0 || r->n > (uint64_t)w1 + 1)
			p->stale++;
	}
	free(r);
	return NULL;
}

/*
 * The reader on one CPU, the writer on another setting one field without
 * pause, and every read begun while the writer writes (after a write the
 * previous read had not seen).  A reader that can only finish a copy
 * while the writer pauses (an SS_SEQLOCK reader that retries for ever)
 * then finishes one read per pause of the writer (preemptions: some
 * hundreds a second on a loaded machine) and misses the target by far; a
 * reader that waits for the lock, or takes it after its tries, alternates
 * with the writer thousands of times a second, even under
 * ThreadSanitizer.  (Measured on a 2-core machine with a load average of
 * 7: before the seqlock's bound, 483 reads in 10 s; after, 2000 in about
 * a second.)  With one CPU, or under Valgrind (one thread at a time), the
 * two take turns and a reader cannot be starved that way: a read must
 * complete, no more (a read of this record and the hand-over to the
 * writer and back take some 25 ms under memcheck, 400 under DRD).
 */
START_TEST(reader_progresses_under_writer)
{
	int a = -1, b = -1;
	bool concurrent = two_cpus(&a, &b) && !RUNNING_ON_VALGRIND;
	struct progress p = { .h = big_new(NULL, POLICY),
			      .writer_cpu = concurrent ? b : -1,
			      .reader_cpu = concurrent ? a : -1,
			      .target = concurrent ? 2000 : 1 };
	pthread_t wt, rt;
	double t0;

	ck_assert(big_valid(p.h));
	atomic_init(&p.stop, false);
	atomic_init(&p.writes, 0);
	ck_assert_int_eq(pthread_create(&wt, NULL, progress_writer, &p), 0);
	while (atomic_load(&p.writes) == 0)
		sched_yield();
	t0 = now_ms();
	p.deadline = t0 + test_duration_ms(10000);
	ck_assert_int_eq(pthread_create(&rt, NULL, progress_reader, &p), 0);
	pthread_join(rt, NULL);
	atomic_store(&p.stop, true);
	pthread_join(wt, NULL);

	ck_assert_int_eq(p.failed_sets, 0);
	ck_assert_msg(p.stale == 0, "%s: %ld stale snapshots",
		      ss_policy_name(POLICY), p.stale);
	ck_assert_msg(p.reads >= p.target,
		      "%s: %ld reads begun while the writer wrote finished "
		      "in %.0f ms (%ld writes); wanted %ld",
		      ss_policy_name(POLICY), p.reads, now_ms() - t0,
		      atomic_load(&p.writes), p.target);
	big_unref(p.h);
}
END_TEST

/* ---- torn fields ----------------------------------------------------- */

/* Fields of 1 to 16 bytes: naturally aligned ones, and byte arrays at odd
 * offsets, several across a word boundary (8 and 4 bytes). */
typedef struct { unsigned char b[2]; } b2;
typedef struct { unsigned char b[3]; } b3;
typedef struct { unsigned char b[4]; } b4;
typedef struct { unsigned char b[5]; } b5;
typedef struct { unsigned char b[7]; } b7;
typedef struct { unsigned char b[9]; } b9;
typedef struct { unsigned char b[16]; } b16;
#define BYTES_FIELDS(X)                                                      \
	X(uint8_t, u8, 0)	/* 0 */                                      \
	X(b5, o1, { { 0 } })	/* 1..5 */                                   \
	X(b4, o6, { { 0 } })	/* 6..9 */                                   \
	X(uint16_t, u16, 0)	/* 10..11 */                                 \
	X(uint8_t, u8b, 0)	/* 12 */                                     \
	X(b7, o13, { { 0 } })	/* 13..19 */                                 \
	X(uint32_t, u32, 0)	/* 20..23 */                                 \
	X(uint64_t, u64, 0)	/* 24..31 */                                 \
	X(b9, o32, { { 0 } })	/* 32..40 */                                 \
	X(b2, o41, { { 0 } })	/* 41..42 */                                 \
	X(uint16_t, u16b, 0)	/* 44..45 */                                 \
	X(b3, o46, { { 0 } })	/* 46..48 */                                 \
	X(uint8_t, u8c, 0)	/* 49 */                                     \
	X(b16, o50, { { 0 } })	/* 50..65 */                                 \
	X(float, f, 0)		/* 68..71 */                                 \
	X(double, d, 0)		/* 72..79 */
SS_RECORD_DECLARE(bytes, BYTES_FIELDS);
SS_RECORD_DEFINE(bytes, BYTES_FIELDS);
_Static_assert(offsetof(struct bytes, o13) == 13 &&
		       offsetof(struct bytes, o41) == 41 &&
		       offsetof(struct bytes, o46) == 46 &&
		       offsetof(struct bytes, o50) == 50 &&
		       offsetof(struct bytes, f) == 68 &&
		       offsetof(struct bytes, d) == 72,
	       "the torn-field record's layout");

static bool uniform(const unsigned char *p, size_t n)
{
	for (size_t i = 1; i < n; i++)
		if (p[i] != p[0])
			return false;
	return true;
}

struct torn {
	ss_state *s;
	atomic_bool stop;
	atomic_long writes;
	long failed;		/* writer: calls that failed */
	long gets[2], torn[2];
	atomic_long reads[2];	/* polled by the main thread */
};

static int set_all(void *rec, void *ctx)
{
	const unsigned char *v = ctx;

	for (size_t i = 0; i < bytes_type.nfields; i++)
		memset((unsigned char *)rec + bytes_type.fields[i].offset, *v,
		       bytes_type.fields[i].size);
	return 0;
}

/* Every field's bytes equal one value: each set writes a field with a new
 * value, and every fourth round an update writes all of them. */
static void *torn_writer(void *arg)
{
	struct torn *t = arg;
	unsigned char buf[16];

	for (unsigned round = 0;
	     !atomic_load_explicit(&t->stop, memory_order_relaxed); round++) {
		unsigned char v = (unsigned char)(round % 255 + 1);

		if (round % 4 == 3) {
			if (ss_update(t->s, set_all, &v) != 0)
				t->failed++;
		} else {
			for (size_t i = 0; i < bytes_type.nfields; i++) {
				memset(buf, v, sizeof(buf));
				if (ss_set(t->s, i, buf) < 0)
					t->failed++;
			}
		}
		atomic_fetch_add_explicit(&t->writes, 1, memory_order_relaxed);
	}
	return NULL;
}

struct torn_reader {
	struct torn *t;
	int id;
};

static void *torn_reader(void *arg)
{
	struct torn_reader *tr = arg;
	struct torn *t = tr->t;
	unsigned char buf[16];
	struct bytes r;
	size_t i = (size_t)tr->id;

	while (!atomic_load_explicit(&t->stop, memory_order_relaxed)) {
		const struct ss_field *f = &bytes_type.fields[i];

		if (ss_get(t->s, i, buf) != 0 || !uniform(buf, f->size))
			t->torn[tr->id]++;
		t->gets[tr->id]++;
		if (++i == bytes_type.nfields) {
			i = 0;
			if (ss_read(t->s, &r, NULL) != 0)
				t->torn[tr->id]++;
			for (size_t j = 0; j < bytes_type.nfields; j++)
				if (!uniform((unsigned char *)&r +
						     bytes_type.fields[j].offset,
					     bytes_type.fields[j].size))
					t->torn[tr->id]++;
			atomic_fetch_add_explicit(&t->reads[tr->id], 1,
						  memory_order_relaxed);
		}
	}
	return NULL;
}

/* A writer and two readers for the test's time and at least 2000 writes;
 * @tries < 0 leaves the seqlock's tries as they are. */
static void torn_run(enum ss_policy policy, int tries)
{
	bytes_handle h = bytes_new(NULL, policy);
	struct torn t = { .s = bytes_state(h) };
	struct torn_reader tr[2] = { { &t, 0 }, { &t, 1 } };
	pthread_t wt, rt[2];
	double end = now_ms() + test_duration_ms(300);
	double sanity = now_ms() + test_duration_ms(60000);

	ck_assert(bytes_valid(h));
	if (tries >= 0)
		ss__seq_set_tries(t.s, (uint32_t)tries);
	atomic_init(&t.stop, false);
	atomic_init(&t.writes, 0);
	for (int i = 0; i < 2; i++)
		atomic_init(&t.reads[i], 0);
	ck_assert_int_eq(pthread_create(&wt, NULL, torn_writer, &t), 0);
	for (int i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&rt[i], NULL, torn_reader,
						&tr[i]), 0);
	while ((now_ms() < end || atomic_load(&t.writes) < 2000 ||
		atomic_load(&t.reads[0]) == 0 ||
		atomic_load(&t.reads[1]) == 0) &&
	       now_ms() < sanity) {
		struct timespec ms = { 0, 1000000 };

		nanosleep(&ms, NULL);
	}
	atomic_store(&t.stop, true);
	pthread_join(wt, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(rt[i], NULL);
	ck_assert_int_eq(t.failed, 0);
	for (int i = 0; i < 2; i++) {
		ck_assert_msg(atomic_load(&t.reads[i]) > 0,
			      "reader %d never read", i);
		ck_assert_msg(t.torn[i] == 0,
			      "%s (tries %d): reader %d: %ld torn of %ld gets "
			      "and %ld reads",
			      ss_policy_name(policy), tries, i, t.torn[i],
			      t.gets[i], atomic_load(&t.reads[i]));
	}
	if (policy == SS_SEQLOCK && tries == 0)
		ck_assert_uint_ge(ss__seq_fallbacks(t.s),
				  (unsigned long)(t.gets[0] + t.gets[1]));
	bytes_unref(h);
}

START_TEST(no_torn_fields)
{
	torn_run(POLICY, -1);
}
END_TEST

/* The same through the seqlock's lock: every read (tries 0), and a read
 * whenever its one try met a write (tries 1). */
START_TEST(no_torn_fields_seqlock_fallback)
{
	torn_run(SS_SEQLOCK, _i);
}
END_TEST

/* ---- the seqlock's fallback ----------------------------------------- */

struct stall {
	ss_state *s;
	int ms;
	atomic_bool stalled;
	double ended_ms;	/* just before the section ended */
};

static void *stall_main(void *arg)
{
	struct stall *st = arg;
	struct timespec t = { st->ms / 1000, st->ms % 1000 * 1000000L };

	ss__seq_stall_begin(st->s);
	atomic_store(&st->stalled, true);
	nanosleep(&t, NULL);
	st->ended_ms = now_ms();
	ss__seq_stall_end(st->s);
	return NULL;
}

static int view_x(const struct small *p, void *ctx)
{
	*(int *)ctx = p->x;
	return 0;
}

/*
 * A write section that stops half way, as a writer preempted while it
 * publishes (on a single-core board the reader would be spinning on the
 * very CPU the writer needs): the reader makes its tries, then sleeps on
 * the writers' lock, and returns when the section ends.  Its CPU time
 * shows which: a reader spinning all along burns most of the stall (77 ms
 * of 200 on a loaded 2-core machine), a sleeping one some microseconds.
 * For a whole read, the get of an int and of a double, and a view.
 */
START_TEST(seqlock_reader_sleeps_behind_stalled_write)
{
	enum { STALL_MS = 200 };
	enum { READ, GET_X, GET_Z, VIEW, KINDS };
	small_handle h = small_new(NULL, SS_SEQLOCK);
	ss_state *s = small_state(h);

	ck_assert_int_eq(small_set_x(h, 7), 1);
	ck_assert_int_eq(small_set_z(h, 2.5), 1);
	for (int k = READ; k < KINDS; k++) {
		struct stall st = { .s = s, .ms = STALL_MS };
		unsigned long before = ss__seq_fallbacks(s);
		struct small r = { 0 };
		double cpu0, cpu, returned;
		pthread_t t;
		int x = 0;

		atomic_init(&st.stalled, false);
		ck_assert_int_eq(pthread_create(&t, NULL, stall_main, &st), 0);
		while (!atomic_load(&st.stalled))
			sched_yield();
		cpu0 = thread_cpu_ms();
		switch (k) {
		case READ:
			ck_assert_int_eq(small_read(h, &r, NULL), 0);
			x = r.x;
			break;
		case GET_X:
			ck_assert_int_eq(small_load_x(h, &x), 0);
			break;
		case GET_Z:
			ck_assert_int_eq(small_load_z(h, &r.z), 0);
			ck_assert(r.z == 2.5);
			x = 7;
			break;
		case VIEW:
			ck_assert_int_eq(small_view(h, view_x, &x), 0);
			break;
		}
		cpu = thread_cpu_ms() - cpu0;
		returned = now_ms();
		pthread_join(t, NULL);
		ck_assert_int_eq(x, 7);
		ck_assert_msg(returned >= st.ended_ms,
			      "read %d returned inside the write section", k);
		ck_assert_msg(cpu < STALL_MS / 10,
			      "read %d: %.1f ms of CPU behind a %d ms stall: "
			      "it spun", k, cpu, STALL_MS);
		ck_assert_uint_eq(ss__seq_fallbacks(s), before + 1);
	}
	small_unref(h);
}
END_TEST

static int read_other(struct small *p, void *ctx)
{
	small_handle *other = ctx;
	int x = -1;

	(void)p;
	/* The other record through its lock, from a callback: this thread
	 * holds p's lock, so the reader must not block on the other's. */
	if (small_load_x(*other, &x) != 0)
		return -1;
	return x;
}

static int read_self(struct small *p, void *ctx)
{
	small_handle *self = ctx;
	int x;

	(void)p;
	return small_load_x(*self, &x);
}

/* With no tries, every seqlock read takes the lock: values, versions and
 * the re-entry check are those of the lock-free reads. */
START_TEST(seqlock_fallback_reads)
{
	kinds_handle h = kinds_new(NULL, SS_SEQLOCK);
	small_handle a = small_new(NULL, SS_SEQLOCK);
	small_handle b = small_new(NULL, SS_SEQLOCK);
	ss_state *s = kinds_state(h);
	ss_str16 label = { "through" };
	struct kinds k;
	uint64_t version = 0;
	unsigned long n;

	ss__seq_set_tries(s, 0);
	ss__seq_set_tries(small_state(b), 0);
	ck_assert_int_eq(kinds_set_i8(h, -3), 1);
	ck_assert_int_eq(kinds_set_i16(h, -300), 1);
	ck_assert_int_eq(kinds_set_u32(h, 4000000000u), 1);
	ck_assert_int_eq(kinds_set_u64(h, UINT64_MAX - 1), 1);
	ck_assert_int_eq(kinds_set_f(h, 0.75f), 1);
	ck_assert_int_eq(kinds_set_d(h, -1e-300), 1);
	ck_assert_int_eq(kinds_set_label(h, label), 1);
	n = ss__seq_fallbacks(s);
	ck_assert_int_eq(kinds_get_i8(h), -3);
	ck_assert_int_eq(kinds_get_i16(h), -300);
	ck_assert_uint_eq(kinds_get_u32(h), 4000000000u);
	ck_assert(kinds_get_u64(h) == UINT64_MAX - 1);
	ck_assert(kinds_get_f(h) == 0.75f);
	ck_assert(kinds_get_d(h) == -1e-300);
	ck_assert_str_eq(kinds_get_label(h).s, "through");
	ck_assert_uint_eq(ss__seq_fallbacks(s), n + 7);
	ck_assert_int_eq(kinds_read(h, &k, &version), 0);
	ck_assert_uint_eq(version, 7);
	ck_assert_int_eq(k.i16, -300);
	ck_assert(k.f == 0.75f);
	ck_assert_uint_eq(ss__seq_fallbacks(s), n + 8);

	/* From a callback on the same record: -EDEADLK, before any lock. */
	ck_assert_int_eq(small_set_x(a, 5), 1);
	ss__seq_set_tries(small_state(a), 0);
	n = ss__seq_fallbacks(small_state(a));
	ck_assert_int_eq(small_update(a, read_self, &a), -EDEADLK);
	ck_assert_uint_eq(ss__seq_fallbacks(small_state(a)), n);
	/* From a callback on another record: through b's lock. */
	ck_assert_int_eq(small_set_x(b, 9), 1);
	n = ss__seq_fallbacks(small_state(b));
	ck_assert_int_eq(small_update(a, read_other, &b), 9);
	ck_assert_uint_eq(ss__seq_fallbacks(small_state(b)), n + 1);
	small_unref(a);
	small_unref(b);
	kinds_unref(h);
}
END_TEST

Suite *suite_readers(void)
{
	Suite *s = suite_create("readers");
	TCase *tc = tcase_create("readers");

	tcase_add_loop_test(tc, reader_progresses_under_writer, 0, NPOLICIES);
	tcase_add_loop_test(tc, no_torn_fields, 0, NPOLICIES);
	tcase_add_loop_test(tc, no_torn_fields_seqlock_fallback, 0, 2);
	tcase_add_test(tc, seqlock_reader_sleeps_behind_stalled_write);
	tcase_add_test(tc, seqlock_fallback_reads);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	return s;
}
