/* SPDX-License-Identifier: MIT */
/*
 * Stress: for each lock policy, worker threads mix every operation on one
 * record (update, set, get, read, view, wait, ref/unref, handing references
 * to each other) for a bounded time, checking invariants in every snapshot
 * they take; two waiter threads sleep on the record until it is closed.
 * The run is cut into rounds, each on a fresh record, and each round ends
 * with exact checks:
 *   - every update counted: total == the updates the workers made, each
 *     worker's slot == its own count, and the version == updates + sets
 *     (each of which changed bytes);
 *   - no lost wake-up: a waiter sleeping on total without a timeout was
 *     woken by the last change, and ss_close woke both waiters with
 *     -ECANCELED (the other one watches a field that never changes, and
 *     must not wake before);
 *   - all references dropped at once by every thread: the record was
 *     destroyed exactly once (the type's destroy callback, SS_MUTEX and
 *     SS_RWLOCK) and its memory freed exactly once (every policy: the
 *     library's aligned_alloc and free are wrapped at link time, which is
 *     also how SS_SEQLOCK, whose plain-data records have no destroy
 *     callback, is checked).  SS_SNAPSHOT allocates a version per write:
 *     after liburcu's grace periods every block the library allocated,
 *     record and versions, was freed, each once;
 *   - SS_SNAPSHOT: a reader that acquired a version at the start of the
 *     round and held it to the end finds it byte for byte unchanged, and
 *     the workers' acquired versions pass the invariants.
 *   SS_SEQLOCK rounds take turns at the reader's tries before it takes the
 *   writers' lock (lib/access.c): the library's, 1, and 0 (every read
 *   through the lock), through a test hook; the run fails if no read took
 *   the lock, and prints how many did with the library's own tries.
 * Invariants of a snapshot: a == -b; total == the sum of the slots;
 * check == checksum(a, total, slots); words.nx == ~words.x (a 16-byte
 * field set at once); the reader's own slot == its own count of updates
 * (it sees its writes); versions never go back; the owned block is the
 * round's, intact.
 *
 *   stress [--seconds S] [--threads N] [--policy NAME]... [--round-ms M]
 * (NAME: mutex, seqlock, rwlock, snapshot.)
 * S seconds per policy (default 5), N workers (default 2 per CPU, 4..16).
 * Prints "name value unit" lines; exits 1 on any violation, 3 when a
 * watchdog finds the run hung (a deadlock, or a waiter never woken).
 */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sharedstate.h>

#include "internal.h" /* test hooks: ss__seq_set_tries, ss__seq_fallbacks,
			 * ss__snap_barrier */

#define MAX_THREADS 16
#define NPOL 4 /* the policies: SS_MUTEX .. SS_SNAPSHOT */
#define BLOB_MAGIC UINT64_C(0x5354524553534f4b)

struct stress_words {
	uint64_t x, nx;		/* nx == ~x */
};
typedef struct stress_slots {
	uint32_t n[MAX_THREADS];	/* updates per worker */
} stress_slots;
struct stress_blob {
	uint64_t magic;		/* BLOB_MAGIC until destroyed */
	uint64_t round;
};

#define STRESS_FIELDS(X)                                                     \
	/* a == -b, changed together by every update */                      \
	X(int64_t, a, 0)                                                     \
	X(int64_t, b, 0)                                                     \
	/* updates so far: the sum of the slots */                           \
	X(uint64_t, total, 0)                                                \
	X(stress_slots, slots, { { 0 } })                                    \
	/* checksum of a, total and the slots */                             \
	X(uint64_t, check, 0)                                                \
	/* set as one 16-byte field: nx == ~x */                             \
	X(struct stress_words, words, SS_INIT({ 0, ~UINT64_C(0) }))          \
	/* set alone: worker << 40 | sequence */                             \
	X(uint64_t, stamp, 0)                                                \
	/* SS_MUTEX, SS_RWLOCK: owned, freed by the destroy callback */      \
	X(struct stress_blob *, owned, NULL)
SS_RECORD_DECLARE(stress, STRESS_FIELDS);

static void stress_destroy(struct stress *r);
SS_RECORD_DEFINE_DESTROY(stress, STRESS_FIELDS, stress_destroy);

/* For SS_SEQLOCK and SS_SNAPSHOT: the same record without the destroy
 * callback (and so without owned memory): the seqlock requires it, and a
 * snapshot record that owns memory needs a copy function (the Check
 * suite tests those). */
static struct ss_type plain_type;

/* ---- memory accounting: the library's allocations, by link-time wrap -- */

void *__real_aligned_alloc(size_t align, size_t size);
void __real_free(void *p);
void *__wrap_aligned_alloc(size_t align, size_t size);
void __wrap_free(void *p);

/* The live blocks: an open-addressing set (linear probing, deletion by
 * shifting back), big enough for the versions a snapshot round keeps
 * alive between grace periods. */
#define TRACK_BITS 16
#define TRACK_SIZE (1u << TRACK_BITS)
static pthread_mutex_t track_mu = PTHREAD_MUTEX_INITIALIZER;
static void *tracked[TRACK_SIZE];
static size_t ntracked;
static atomic_long allocs, frees;

static size_t track_slot(const void *p)
{
	return (size_t)(((uint64_t)(uintptr_t)p >> 4) *
			UINT64_C(0x9E3779B97F4A7C15) >> (64 - TRACK_BITS));
}

void *__wrap_aligned_alloc(size_t align, size_t size)
{
	void *p = __real_aligned_alloc(align, size);
	size_t i;

	if (p) {
		pthread_mutex_lock(&track_mu);
		if (++ntracked == TRACK_SIZE) {
			fputs("stress: more live blocks than it can track\n",
			      stderr);
			abort();
		}
		for (i = track_slot(p); tracked[i]; i = (i + 1) % TRACK_SIZE)
			;
		tracked[i] = p;
		atomic_fetch_add(&allocs, 1);
		pthread_mutex_unlock(&track_mu);
	}
	return p;
}

/* Between the home slot @k of an entry and its slot @j, is @i? */
static bool track_between(size_t k, size_t i, size_t j)
{
	return i <= j ? (k <= i || k > j) && i < j : k <= i && k > j;
}

void __wrap_free(void *p)
{
	size_t i, j;

	if (p) {
		pthread_mutex_lock(&track_mu);
		for (i = track_slot(p); tracked[i] && tracked[i] != p;
		     i = (i + 1) % TRACK_SIZE)
			;
		if (tracked[i]) {
			tracked[i] = NULL;
			ntracked--;
			atomic_fetch_add(&frees, 1);
			for (j = (i + 1) % TRACK_SIZE; tracked[j];
			     j = (j + 1) % TRACK_SIZE)
				if (track_between(track_slot(tracked[j]), i, j)) {
					tracked[i] = tracked[j];
					tracked[j] = NULL;
					i = j;
				}
		}
		pthread_mutex_unlock(&track_mu);
	}
	__real_free(p);
}

/* ---- invariants --------------------------------------------------------- */

static atomic_long violations;

static void report(bool always, const char *policy, const char *fmt,
		   va_list ap)
{
	/* The first few of a kind say enough; a round's final checks are
	 * always shown. */
	if (atomic_fetch_add(&violations, 1) >= 20 && !always)
		return;
	fprintf(stderr, "stress: %s: VIOLATION: ", policy);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static void violation(const char *policy, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void final_violation(const char *policy, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void violation(const char *policy, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(false, policy, fmt, ap);
	va_end(ap);
}

static void final_violation(const char *policy, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(true, policy, fmt, ap);
	va_end(ap);
}

static uint64_t checksum(const struct stress *r)
{
	uint64_t h = (uint64_t)r->a * UINT64_C(0x9E3779B97F4A7C15) ^
		     r->total * UINT64_C(0xC2B2AE3D27D4EB4F);

	for (int i = 0; i < MAX_THREADS; i++)
		h = (h ^ r->slots.n[i]) * UINT64_C(0x100000001B3);
	return h;
}

static atomic_int destroyed;
static struct stress final_copy;

static void stress_destroy(struct stress *r)
{
	if (atomic_fetch_add(&destroyed, 1) == 0)
		final_copy = *r;
	if (r->owned) {
		if (r->owned->magic != BLOB_MAGIC)
			violation("destroy", "the owned block is damaged");
		r->owned->magic = 0;
		free(r->owned);
	}
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* ---- one round ------------------------------------------------------ */

struct round {
	ss_state *s;
	const char *policy;
	int nworkers;
	struct stress_blob *blob;	/* NULL under SS_SEQLOCK, SS_SNAPSHOT */
	bool snapshot;			/* SS_SNAPSHOT */
	atomic_bool stop;
	pthread_barrier_t ops_done;	/* workers and main */
	pthread_barrier_t release;	/* workers and main */
	_Atomic(ss_state *) mailbox;	/* a reference handed between threads */
};

struct counts {
	uint64_t updates, sets, gets, reads, views, waits, wakeups, refs,
		handoffs, checks;
	/* SS_SEQLOCK: reads that took the lock, in all rounds and in those
	 * with the library's tries. */
	uint64_t fallbacks, fallbacks_default;
};

struct worker {
	struct round *r;
	ss_state *ref;		/* this thread's own reference */
	int id;
	uint64_t rng, seq, seen, last_version;
	struct counts c;
};

static uint64_t next_rand(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* Checks one snapshot (or the live record, in a view) taken by @w. */
static void check_record(struct worker *w, const struct stress *p,
			 const char *how)
{
	const char *pol = w->r->policy;
	uint64_t sum = 0;

	w->c.checks++;
	for (int i = 0; i < MAX_THREADS; i++)
		sum += p->slots.n[i];
	if (p->a != -p->b)
		violation(pol, "%s: a %lld, b %lld", how, (long long)p->a,
			  (long long)p->b);
	if (p->total != sum || (uint64_t)p->a != p->total)
		violation(pol, "%s: total %llu, slots sum %llu, a %lld", how,
			  (unsigned long long)p->total,
			  (unsigned long long)sum, (long long)p->a);
	if (p->check != checksum(p))
		violation(pol, "%s: torn: checksum mismatch", how);
	if (p->words.nx != ~p->words.x)
		violation(pol, "%s: torn 16-byte field %llx/%llx", how,
			  (unsigned long long)p->words.x,
			  (unsigned long long)p->words.nx);
	if ((p->words.x >> 40) >= (uint64_t)w->r->nworkers ||
	    (p->stamp >> 40) >= (uint64_t)w->r->nworkers)
		violation(pol, "%s: a value no worker wrote", how);
	/* (The snapshot holder, id -1, makes no updates.) */
	if (w->id >= 0 && p->slots.n[w->id] != w->c.updates)
		violation(pol, "%s: worker %d sees %u of its %llu updates",
			  how, w->id, p->slots.n[w->id],
			  (unsigned long long)w->c.updates);
	if (p->owned != w->r->blob)
		violation(pol, "%s: owned pointer changed", how);
}

static int bump(struct stress *p, void *ctx)
{
	struct worker *w = ctx;

	/* The callback sees a consistent record too. */
	check_record(w, p, "update callback");
	p->a++;
	p->b = -p->a;
	p->total++;
	p->slots.n[w->id]++;
	p->check = checksum(p);
	return 0;
}

static int view_check(const struct stress *p, void *ctx)
{
	struct worker *w = ctx;

	check_record(w, p, "view");
	/* Under the read lock the owned block is alive and intact. */
	if (p->owned && p->owned->magic != BLOB_MAGIC)
		violation(w->r->policy, "view: owned block damaged");
	return 0;
}

static void do_update(struct worker *w, stress_handle h)
{
	int ret = (w->rng & 256) ? stress_update(h, bump, w)
				 : stress_update_timed(h, bump, w, 10000);

	/* A round lasts a fraction of a second: an update that waited 10 s
	 * for the lock found it stuck. */
	if (ret == -ETIMEDOUT)
		violation(w->r->policy, "update timed out after 10 s");
	else if (ret != 0)
		violation(w->r->policy, "update returned %d", ret);
	else
		w->c.updates++;
}

static void do_set(struct worker *w, stress_handle h, bool words)
{
	uint64_t v = (uint64_t)w->id << 40 | ++w->seq;
	int ret;

	if (words) {
		struct stress_words x = { v, ~v };

		ret = stress_set_words(h, x);
	} else {
		ret = ss_set(stress_state(h), stress_FIELD_stamp, &v);
	}
	/* The value is new (it holds the worker and its sequence): the
	 * bytes change. */
	if (ret != 1)
		violation(w->r->policy, "set returned %d, not 1", ret);
	else
		w->c.sets++;
}

static void do_get(struct worker *w, stress_handle h)
{
	struct stress_words x;
	stress_slots sl;
	int ret = stress_load_words(h, &x);

	if (ret != 0 || x.nx != ~x.x)
		violation(w->r->policy, "get words: %d, %llx/%llx", ret,
			  (unsigned long long)x.x, (unsigned long long)x.nx);
	ret = ss_get(stress_state(h), stress_FIELD_slots, &sl);
	if (ret != 0 || sl.n[w->id] != w->c.updates)
		violation(w->r->policy, "get slots: %d, %u of %llu", ret,
			  sl.n[w->id], (unsigned long long)w->c.updates);
	if (stress_get_total(h) < w->c.updates)
		violation(w->r->policy, "get total: fewer than mine");
	w->c.gets += 3;
	w->c.checks += 3;
}

static void do_read(struct worker *w, stress_handle h)
{
	struct stress p;
	uint64_t v;
	int ret = stress_read(h, &p, &v);

	w->c.reads++;
	if (ret != 0) {
		violation(w->r->policy, "read returned %d", ret);
		return;
	}
	check_record(w, &p, "read");
	/* Each update bumps the version once, so it is at least total. */
	if (v < w->last_version || v < p.total)
		violation(w->r->policy, "read: version %llu (last %llu, "
			  "total %llu)", (unsigned long long)v,
			  (unsigned long long)w->last_version,
			  (unsigned long long)p.total);
	w->last_version = v;
}

static void do_wait(struct worker *w, stress_handle h)
{
	uint64_t old = w->seen;
	int ret = stress_wait(h, &w->seen, SS_MASK(stress, total), 1);

	w->c.waits++;
	w->c.checks++;
	if (ret == -ETIMEDOUT)
		return;
	if (ret != 0) {
		violation(w->r->policy, "wait returned %d", ret);
		return;
	}
	w->c.wakeups++;
	if (w->seen <= old ||
	    ss_field_version(stress_state(h), stress_FIELD_total) <= old)
		violation(w->r->policy, "wait: woken at %llu, but total "
			  "last changed at %llu (seen %llu)",
			  (unsigned long long)w->seen,
			  (unsigned long long)ss_field_version(
				  stress_state(h), stress_FIELD_total),
			  (unsigned long long)old);
}

/* SS_SNAPSHOT: a version of one's own, checked, released. */
static void do_acquire(struct worker *w, stress_handle h)
{
	uint64_t v;
	const struct stress *p = stress_acquire_version(h, &v);

	w->c.views++;
	if (!p) {
		violation(w->r->policy, "acquire failed");
		return;
	}
	check_record(w, p, "acquire");
	if (v < p->total)
		violation(w->r->policy, "acquire: version %llu, total %llu",
			  (unsigned long long)v, (unsigned long long)p->total);
	stress_release(h, p);
}

/* SS_SNAPSHOT: one version held for the whole round, which must not
 * change while the workers write on. */
struct holder {
	struct worker w;	/* for check_record */
	ss_state *ref;
	bool ok;
};

static void *holder_main(void *arg)
{
	struct holder *hd = arg;
	stress_handle h = { hd->ref };
	const struct stress *p = stress_acquire(h);
	struct stress copy;

	if (!p) {
		violation(hd->w.r->policy, "holder: acquire failed");
		ss_unref(hd->ref);
		return NULL;
	}
	copy = *p;
	check_record(&hd->w, p, "held");
	while (!atomic_load_explicit(&hd->w.r->stop, memory_order_relaxed)) {
		struct timespec ms = { 0, 1000000 };

		nanosleep(&ms, NULL);
	}
	hd->ok = memcmp(&copy, p, sizeof(copy)) == 0;
	if (!hd->ok)
		violation(hd->w.r->policy, "a held version changed");
	check_record(&hd->w, p, "held to the end");
	stress_release(h, p);
	ss_unref(hd->ref);
	return NULL;
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	stress_handle h = { w->ref };

	while (!atomic_load_explicit(&w->r->stop, memory_order_relaxed)) {
		uint64_t x = next_rand(&w->rng);
		stress_handle mine;
		ss_state *old;

		switch (x % 16) {
		case 0: case 1: case 2: case 3:
			do_update(w, h);
			break;
		case 4: case 5:
			do_set(w, h, true);
			break;
		case 6:
			do_set(w, h, false);
			break;
		case 7: case 8:
			do_get(w, h);
			break;
		case 9: case 10:
			do_read(w, h);
			break;
		case 11:
			if (w->r->snapshot && (x & 16)) {
				do_acquire(w, h);
				break;
			}
			w->c.views++;
			if (stress_view(h, view_check, w) != 0)
				violation(w->r->policy, "view failed");
			break;
		case 12:
			do_wait(w, h);
			break;
		case 13: case 14:
			/* A reference of one's own for a while. */
			mine = stress_ref(h);
			w->c.refs++;
			do_read(w, mine);
			stress_unref(mine);
			break;
		case 15:
			/* One for another thread to drop. */
			old = atomic_exchange(&w->r->mailbox, ss_ref(w->ref));
			w->c.handoffs++;
			ss_unref(old);
			break;
		}
	}
	pthread_barrier_wait(&w->r->ops_done);
	/* Main checks the final state here. */
	pthread_barrier_wait(&w->r->release);
	/* Every thread drops its last reference at once: one of them, or
	 * main, is the last. */
	ss_unref(w->ref);
	return NULL;
}

struct waiter {
	struct round *r;
	ss_state *ref;
	uint64_t mask;
	int result;
	uint64_t wakeups;
	_Atomic uint64_t seen;	/* the version its last wait returned */
};

/* Sleeps until the round's record is closed; on mask 0 nothing else may
 * wake it (the field it watches never changes). */
static void *waiter_main(void *arg)
{
	struct waiter *wt = arg;
	uint64_t seen = 0;
	int ret;

	while ((ret = ss_wait(wt->ref, &seen, wt->mask, -1)) == 0) {
		wt->wakeups++;
		atomic_store(&wt->seen, seen);
		if (wt->mask == SS_MASK(stress, owned)) {
			violation(wt->r->policy, "a waiter on an unchanging "
				  "field was woken");
			break;
		}
	}
	wt->result = ret;
	ss_unref(wt->ref);
	return NULL;
}

static void add_counts(struct counts *to, const struct counts *c)
{
	to->updates += c->updates;
	to->sets += c->sets;
	to->gets += c->gets;
	to->reads += c->reads;
	to->views += c->views;
	to->waits += c->waits;
	to->wakeups += c->wakeups;
	to->refs += c->refs;
	to->handoffs += c->handoffs;
	to->checks += c->checks;
	to->fallbacks += c->fallbacks;
	to->fallbacks_default += c->fallbacks_default;
}

static void run_round(enum ss_policy policy, int nworkers, long round_ms,
		      uint64_t round_no, struct counts *sum)
{
	struct worker w[MAX_THREADS];
	struct waiter wt[2];
	pthread_t wth[MAX_THREADS], tth[2];
	struct round r;
	struct stress init = stress_defaults, fin;
	struct counts rc = { 0 };
	const char *pol = ss_policy_name(policy);
	long allocs0 = atomic_load(&allocs), frees0 = atomic_load(&frees);
	struct timespec nap = { round_ms / 1000, round_ms % 1000 * 1000000L };
	uint64_t version;
	bool owns = policy == SS_MUTEX || policy == SS_RWLOCK;
	struct holder hd;
	pthread_t hth;

	memset(&r, 0, sizeof(r));
	r.policy = pol;
	r.snapshot = policy == SS_SNAPSHOT;
	r.nworkers = nworkers;
	atomic_init(&r.stop, false);
	atomic_init(&r.mailbox, NULL);
	if (owns) {
		r.blob = malloc(sizeof(*r.blob));
		if (!r.blob)
			abort();
		r.blob->magic = BLOB_MAGIC;
		r.blob->round = round_no;
	}
	init.owned = r.blob;
	init.check = checksum(&init);
	atomic_store(&destroyed, 0);
	r.s = ss_new(owns ? &stress_type : &plain_type, &init, policy);
	if (!r.s) {
		fprintf(stderr, "stress: ss_new(%s): %s\n", pol,
			ss_last_error());
		exit(1);
	}
	/* SS_SEQLOCK: the library's tries, then 1, then 0, in turn. */
	if (policy == SS_SEQLOCK && round_no % 3 != 0)
		ss__seq_set_tries(r.s, round_no % 3 == 1 ? 1 : 0);
	pthread_barrier_init(&r.ops_done, NULL, (unsigned)nworkers + 1);
	pthread_barrier_init(&r.release, NULL, (unsigned)nworkers + 1);
	for (int i = 0; i < 2; i++) {
		wt[i] = (struct waiter){ &r, ss_ref(r.s),
					 i ? SS_MASK(stress, owned)
					   : SS_MASK(stress, total), 0, 0, 0 };
		if (pthread_create(&tth[i], NULL, waiter_main, &wt[i]) != 0)
			abort();
	}
	for (int i = 0; i < nworkers; i++) {
		w[i] = (struct worker){ .r = &r, .ref = ss_ref(r.s), .id = i,
					.rng = (round_no + 1) * 0x9E3779B97F4A7C15ULL ^
					       (uint64_t)(i + 1) * 0xBF58476D1CE4E5B9ULL };
		if (!w[i].rng)
			w[i].rng = 1;
		if (pthread_create(&wth[i], NULL, worker_main, &w[i]) != 0)
			abort();
	}
	if (r.snapshot) {
		memset(&hd, 0, sizeof(hd));
		hd.w.r = &r;
		hd.w.id = -1;
		hd.ref = ss_ref(r.s);
		if (pthread_create(&hth, NULL, holder_main, &hd) != 0)
			abort();
	}
	nanosleep(&nap, NULL);
	atomic_store(&r.stop, true);
	pthread_barrier_wait(&r.ops_done);
	if (r.snapshot) {
		pthread_join(hth, NULL);
		if (!hd.ok)
			final_violation(pol, "the held version changed");
		rc.checks += hd.w.c.checks + 1;
	}

	/* Nobody writes now: the exact counts. */
	for (int i = 0; i < nworkers; i++)
		add_counts(&rc, &w[i].c);
	if (ss_read(r.s, &fin, &version) != 0)
		final_violation(pol, "final read failed");
	if (fin.total != rc.updates || fin.a != (int64_t)rc.updates)
		final_violation(pol, "final total %llu, a %lld; the workers made "
			  "%llu updates", (unsigned long long)fin.total,
			  (long long)fin.a, (unsigned long long)rc.updates);
	for (int i = 0; i < nworkers; i++)
		if (fin.slots.n[i] != w[i].c.updates)
			final_violation(pol, "final slot %d: %u, worker made %llu", i,
				  fin.slots.n[i],
				  (unsigned long long)w[i].c.updates);
	if (version != rc.updates + rc.sets)
		final_violation(pol, "final version %llu, not updates %llu + sets "
			  "%llu", (unsigned long long)version,
			  (unsigned long long)rc.updates,
			  (unsigned long long)rc.sets);
	rc.checks += 3;

	/* No lost wake-up: the waiter on total, sleeping without a timeout,
	 * was woken by the last change (it sees that version within
	 * microseconds; the deadline only bounds a failing run). */
	{
		uint64_t want = ss_field_version(r.s, stress_FIELD_total);
		double deadline = now_s() + 20;
		struct timespec ms = { 0, 1000000 };

		while (atomic_load(&wt[0].seen) < want && now_s() < deadline)
			nanosleep(&ms, NULL);
		if (atomic_load(&wt[0].seen) < want)
			final_violation(pol, "lost wake-up: the waiter on total "
					"saw version %llu; total changed at %llu",
					(unsigned long long)atomic_load(&wt[0].seen),
					(unsigned long long)want);
		rc.checks++;
	}

	if (policy == SS_SEQLOCK) {
		rc.fallbacks = ss__seq_fallbacks(r.s);
		if (round_no % 3 == 0)
			rc.fallbacks_default = rc.fallbacks;
	}

	/* Closing wakes the waiters, with -ECANCELED. */
	ss_close(r.s);
	for (int i = 0; i < 2; i++) {
		pthread_join(tth[i], NULL);
		if (wt[i].result != -ECANCELED)
			final_violation(pol, "waiter %d ended with %d, not "
				  "-ECANCELED", i, wt[i].result);
		rc.wakeups += wt[i].wakeups;
		rc.waits += wt[i].wakeups + 1;
	}
	ss_unref(atomic_exchange(&r.mailbox, NULL));
	if (atomic_load(&destroyed) != 0 ||
	    (!r.snapshot && atomic_load(&frees) != frees0))
		final_violation(pol, "destroyed while references were held");

	/* Everyone drops the last references at once. */
	pthread_barrier_wait(&r.release);
	ss_unref(r.s);
	for (int i = 0; i < nworkers; i++)
		pthread_join(wth[i], NULL);
	pthread_barrier_destroy(&r.ops_done);
	pthread_barrier_destroy(&r.release);

	if (r.snapshot) {
		/* Every version and the record: allocated and freed once. */
		ss__snap_barrier();
		if (atomic_load(&allocs) - allocs0 < 2 ||
		    atomic_load(&allocs) - allocs0 !=
			    atomic_load(&frees) - frees0)
			final_violation(pol, "%ld blocks allocated, %ld freed",
					atomic_load(&allocs) - allocs0,
					atomic_load(&frees) - frees0);
		rc.checks++;
		add_counts(sum, &rc);
		return;
	}
	if (owns) {
		if (atomic_load(&destroyed) != 1)
			final_violation(pol, "destroy callback ran %d times, not "
				  "once", atomic_load(&destroyed));
		else if (final_copy.total != rc.updates)
			final_violation(pol, "destroy saw total %llu, not %llu",
				  (unsigned long long)final_copy.total,
				  (unsigned long long)rc.updates);
	}
	if (atomic_load(&allocs) - allocs0 != 1)
		final_violation(pol, "the library allocated %ld blocks for one "
			  "record: tests/stress/stress.c must learn its new "
			  "allocator", atomic_load(&allocs) - allocs0);
	if (atomic_load(&frees) - frees0 != 1)
		final_violation(pol, "the record was freed %ld times, not once",
			  atomic_load(&frees) - frees0);
	rc.checks += 3;
	add_counts(sum, &rc);
}

/* ---- main -------------------------------------------------------------- */

static void on_alarm(int sig)
{
	static const char msg[] = "stress: HANG: the run did not end in time "
				  "(a lost wake-up or a deadlock)\n";

	(void)sig;
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) < 0)
		_exit(3);
	_exit(3);
}

static void usage(FILE *f)
{
	fprintf(f, "usage: stress [--seconds S] [--threads N] "
		   "[--policy mutex|seqlock|rwlock|snapshot]... "
		   "[--round-ms M]\n");
}

int main(int argc, char **argv)
{
	double seconds = 5;
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN), round_ms = 200;
	int nthreads = ncpu > 0 ? (int)(2 * ncpu) : 4;
	bool want[NPOL] = { false }, any = false;
	long total_violations = 0;

	if (nthreads < 4)
		nthreads = 4;
	if (nthreads > MAX_THREADS)
		nthreads = MAX_THREADS;
	for (int i = 1; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		}
		if (!v) {
			usage(stderr);
			return 2;
		}
		if (strcmp(argv[i], "--seconds") == 0) {
			seconds = atof(v);
		} else if (strcmp(argv[i], "--threads") == 0) {
			nthreads = atoi(v);
		} else if (strcmp(argv[i], "--round-ms") == 0) {
			round_ms = atol(v);
		} else if (strcmp(argv[i], "--policy") == 0) {
			int p;

			for (p = 0; p < NPOL; p++)
				if (strcmp(v, ss_policy_name((enum ss_policy)p)) == 0)
					break;
			if (p == NPOL) {
				usage(stderr);
				return 2;
			}
			want[p] = any = true;
		} else {
			usage(stderr);
			return 2;
		}
		i++;
	}
	if (seconds <= 0 || nthreads < 1 || nthreads > MAX_THREADS ||
	    round_ms < 1) {
		fprintf(stderr, "stress: --seconds > 0, --threads 1..%d, "
			"--round-ms >= 1\n", MAX_THREADS);
		return 2;
	}
	if ((double)round_ms > seconds * 1000)
		round_ms = (long)(seconds * 1000) > 0 ? (long)(seconds * 1000) : 1;

	plain_type = stress_type;
	plain_type.name = "stress (plain data)";
	plain_type.destroy = NULL;

	signal(SIGALRM, on_alarm);
	alarm((unsigned)(60 + 4 * NPOL * seconds));
	for (int p = 0; p < NPOL; p++) {
		enum ss_policy policy = (enum ss_policy)p;
		const char *pol = ss_policy_name(policy);
		struct counts c = { 0 };
		double end = now_s() + seconds;
		uint64_t rounds = 0;
		long v0 = atomic_load(&violations), f0 = atomic_load(&frees);
		int d = 0;

		if (any && !want[p])
			continue;
		/* At least until every kind of operation happened: a loaded
		 * machine may give a short run's threads no time at all
		 * (bounded by the alarm). */
		do {
			run_round(policy, nthreads, round_ms, rounds, &c);
			rounds++;
			d += atomic_load(&destroyed);
		} while (now_s() < end || c.updates == 0 || c.sets == 0 ||
			 c.wakeups == 0 ||
			 (policy == SS_SEQLOCK && rounds < 3));
		/* The exact counts above hold trivially when nothing ran. */
		if (c.updates == 0 || c.sets == 0 || c.wakeups == 0)
			violation(pol, "nothing happened: %llu updates, %llu "
				  "sets, %llu wake-ups",
				  (unsigned long long)c.updates,
				  (unsigned long long)c.sets,
				  (unsigned long long)c.wakeups);
		printf("stress.%s.threads %d threads\n", pol, nthreads);
		printf("stress.%s.rounds %llu rounds\n", pol,
		       (unsigned long long)rounds);
		printf("stress.%s.ops %llu ops\n", pol,
		       (unsigned long long)(c.updates + c.sets + c.gets +
					    c.reads + c.views + c.waits +
					    c.refs + c.handoffs));
		printf("stress.%s.updates %llu ops\n", pol,
		       (unsigned long long)c.updates);
		printf("stress.%s.sets %llu ops\n", pol,
		       (unsigned long long)c.sets);
		printf("stress.%s.gets %llu ops\n", pol,
		       (unsigned long long)c.gets);
		printf("stress.%s.reads %llu ops\n", pol,
		       (unsigned long long)c.reads);
		printf("stress.%s.views %llu ops\n", pol,
		       (unsigned long long)c.views);
		printf("stress.%s.waits %llu ops\n", pol,
		       (unsigned long long)c.waits);
		printf("stress.%s.wakeups %llu wakeups\n", pol,
		       (unsigned long long)c.wakeups);
		printf("stress.%s.refs %llu ops\n", pol,
		       (unsigned long long)(c.refs + c.handoffs));
		printf("stress.%s.checks %llu checks\n", pol,
		       (unsigned long long)c.checks);
		if (policy == SS_MUTEX || policy == SS_RWLOCK)
			printf("stress.%s.destroyed %d records\n", pol, d);
		if (policy == SS_SEQLOCK) {
			/* Rounds with 0 tries send every read through the
			 * lock: none there means the fallback is gone. */
			if (c.fallbacks == 0)
				violation(pol, "no read took the writers' lock");
			printf("stress.%s.fallbacks %llu reads\n", pol,
			       (unsigned long long)c.fallbacks);
			printf("stress.%s.fallbacks.default %llu reads\n", pol,
			       (unsigned long long)c.fallbacks_default);
		}
		printf("stress.%s.freed %ld records\n", pol,
		       atomic_load(&frees) - f0);
		printf("stress.%s.violations %ld violations\n", pol,
		       atomic_load(&violations) - v0);
		fflush(stdout);
	}
	total_violations = atomic_load(&violations);
	if (total_violations) {
		fprintf(stderr, "stress: FAILED: %ld violations\n",
			total_violations);
		return 1;
	}
	return 0;
}
