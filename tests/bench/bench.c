/* SPDX-License-Identifier: MIT */
/*
 * bench: what the library costs, each figure beside a baseline measured in
 * the same run and binary, with a second thread alive throughout (glibc
 * takes cheaper paths in a single-threaded process, which would flatter a
 * baseline).  Output: one "name value unit" line per figure.
 *
 *   bench [--seconds S]    total time budget (default 20; 1 for a smoke run)
 *
 * Baselines: a hand-written accessor (pthread_mutex_lock; copy; unlock) on
 * the same record, a bare atomic increment/decrement pair, a bare
 * condition-variable handoff; for a set beside threads waiting on other
 * fields (set.mutex.waitersN), the same set on a record nobody waits on;
 * for SS_SNAPSHOT, the SS_MUTEX reader and a bare liburcu reader of the
 * same record published by hand (urcu-bp, the library's flavour, called
 * as the library calls it: without _LGPL_SOURCE).  Ratios are the figures to compare between
 * machines; absolute times are not.
 *
 * Snapshots of bigger records (snap.*): the 1 KiB record under SS_SEQLOCK
 * against the same record under SS_MUTEX; the 16 KiB record read while a
 * writer on another core sets one of its fields without pause, against
 * the same reads with no writer, per policy (a reader that must wait for
 * a pause in the writes shows here).
 */
#include <config.h>
#define _GNU_SOURCE
#include <math.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sharedstate.h>
#include <urcu/urcu-bp.h>

/* A record shaped like the thermostat's. */
#define BREC_FIELDS(X)                                                       \
	X(bool, running, true)                                               \
	X(double, temperature, 20.0)                                         \
	X(struct timespec, temperature_at, { 0 })                            \
	X(int, sensor_errors, 0)                                             \
	X(double, setpoint, 20.0)                                            \
	X(int, mode, 1)                                                      \
	X(bool, heating, false)                                              \
	X(struct timespec, relay_changed_at, { 0 })                          \
	X(ss_str32, reason, { "start" })
SS_RECORD_DECLARE(brec, BREC_FIELDS);
SS_RECORD_DEFINE(brec, BREC_FIELDS);

/* A field of each size that is not a word: the float's get. */
#define FREC_FIELDS(X)                                                       \
	X(int, count, 0)                                                     \
	X(float, humidity, 45.0f)
SS_RECORD_DECLARE(frec, FREC_FIELDS);
SS_RECORD_DEFINE(frec, FREC_FIELDS);

/* Snapshots: a counter the writer sets, and a payload making up 1 KiB
 * and 16 KiB. */
typedef struct { uint64_t w[1024 / 8 - 1]; } pad1k;
typedef struct { uint64_t w[16384 / 8 - 1]; } pad16k;
#define SNAP1K_FIELDS(X)                                                     \
	X(uint64_t, n, 0)                                                    \
	X(pad1k, payload, { { 0 } })
SS_RECORD_DECLARE(snap1k, SNAP1K_FIELDS);
SS_RECORD_DEFINE(snap1k, SNAP1K_FIELDS);
#define SNAP16K_FIELDS(X)                                                    \
	X(uint64_t, n, 0)                                                    \
	X(pad16k, payload, { { 0 } })
SS_RECORD_DECLARE(snap16k, SNAP16K_FIELDS);
SS_RECORD_DEFINE(snap16k, SNAP16K_FIELDS);
_Static_assert(sizeof(struct snap1k) == 1024 && sizeof(struct snap16k) == 16384,
	       "snapshot records of 1 KiB and 16 KiB");

static double budget_ms = 20000; /* split among the measurements */

static double now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec * 1e9 + (double)t.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return v[n / 2];
}

static void line(const char *name, double value, const char *unit)
{
	printf("%-36s %12.3f %s\n", name, value, unit);
	fflush(stdout);
}

/* ---- the hand-written baseline ------------------------------------- */

struct hand {
	pthread_mutex_t mu;
	struct brec r;
};

static struct hand hand = { PTHREAD_MUTEX_INITIALIZER, { 0 } };

__attribute__((noinline)) static double hand_get_setpoint(struct hand *h)
{
	double v;

	pthread_mutex_lock(&h->mu);
	v = h->r.setpoint;
	pthread_mutex_unlock(&h->mu);
	return v;
}

__attribute__((noinline)) static void hand_set_setpoint(struct hand *h,
							double v)
{
	pthread_mutex_lock(&h->mu);
	h->r.setpoint = v;
	pthread_mutex_unlock(&h->mu);
}

static struct {
	pthread_mutex_t mu;
	struct frec r;
} hand_f = { PTHREAD_MUTEX_INITIALIZER, { 0, 45.0f } };

__attribute__((noinline)) static float hand_get_humidity(void)
{
	float v;

	pthread_mutex_lock(&hand_f.mu);
	v = hand_f.r.humidity;
	pthread_mutex_unlock(&hand_f.mu);
	return v;
}

__attribute__((noinline)) static void hand_read(struct hand *h,
						struct brec *out)
{
	pthread_mutex_lock(&h->mu);
	*out = h->r;
	pthread_mutex_unlock(&h->mu);
}

/* ---- single-thread costs: alternate baseline and subject runs ------ */

enum op { GET, SET, READ, REF };

static volatile double sink;
static atomic_long bare_count = 1;

/* Runs @iters operations of one kind; returns ns per operation. */
static double run_ops(enum op op, brec_handle h, bool baseline, long iters)
{
	struct brec r;
	double t0 = now_ns(), acc = 0;

	switch (op) {
	case GET:
		if (baseline)
			for (long i = 0; i < iters; i++)
				acc += hand_get_setpoint(&hand);
		else
			for (long i = 0; i < iters; i++)
				acc += brec_get_setpoint(h);
		break;
	case SET:
		/* Alternate two values: every set is a changing write. */
		if (baseline)
			for (long i = 0; i < iters; i++)
				hand_set_setpoint(&hand, (double)(i & 1));
		else
			for (long i = 0; i < iters; i++)
				brec_set_setpoint(h, (double)(i & 1));
		break;
	case READ:
		if (baseline)
			for (long i = 0; i < iters; i++) {
				hand_read(&hand, &r);
				acc += r.temperature;
			}
		else
			for (long i = 0; i < iters; i++) {
				brec_read(h, &r, NULL);
				acc += r.temperature;
			}
		break;
	case REF:
		if (baseline)
			for (long i = 0; i < iters; i++) {
				atomic_fetch_add_explicit(&bare_count, 1,
							  memory_order_relaxed);
				atomic_fetch_sub_explicit(&bare_count, 1,
							  memory_order_acq_rel);
			}
		else
			for (long i = 0; i < iters; i++)
				brec_unref(brec_ref(h));
		break;
	}
	sink = acc;
	return (now_ns() - t0) / (double)iters;
}

/* Runs @iters operations, the baseline's or the subject's; returns ns
 * per operation. */
typedef double run_fn(void *ctx, bool baseline, long iters);

/* The library's @op on @h, against @base_h's (the hand-written code on
 * the same record when @by_hand). */
struct ops_ctx {
	enum op op;
	brec_handle h;
	brec_handle base_h;
	bool by_hand;
};

static double run_ops_fn(void *ctx, bool baseline, long iters)
{
	struct ops_ctx *c = ctx;

	if (baseline)
		return run_ops(c->op, c->base_h, c->by_hand, iters);
	return run_ops(c->op, c->h, false, iters);
}

/* Median of @rounds alternating runs of baseline and subject, each taking
 * about @ms_each. */
static void compare_runs(const char *name, run_fn *run, void *ctx,
			 double ms_each)
{
	enum { ROUNDS = 7 };
	double base[ROUNDS], subj[ROUNDS], b, s;
	char label[64];
	long iters = 1000;

	/* Calibrate: enough iterations for about ms_each / ROUNDS per pair
	 * of runs, whichever side is the slower. */
	while ((run(ctx, true, iters) + run(ctx, false, iters)) *
		       (double)iters <
	       ms_each * 1e6 / ROUNDS)
		iters *= 2;
	for (int i = 0; i < ROUNDS; i++) {
		base[i] = run(ctx, true, iters);
		subj[i] = run(ctx, false, iters);
	}
	b = median(base, ROUNDS);
	s = median(subj, ROUNDS);
	snprintf(label, sizeof(label), "%s.baseline", name);
	line(label, b, "ns/op");
	line(name, s, "ns/op");
	snprintf(label, sizeof(label), "%s.ratio", name);
	line(label, s / b, "x");
}

static void compare(const char *name, enum op op, brec_handle h,
		    double ms_each)
{
	struct ops_ctx c = { op, h, h, true };

	compare_runs(name, run_ops_fn, &c, ms_each);
}

/* The library's @op on @base_h (by hand when @by_hand) as the baseline,
 * against the library's @op on @h. */
static void compare_with(const char *name, enum op op, brec_handle base_h,
			 bool by_hand, brec_handle h, double ms_each)
{
	struct ops_ctx c = { op, h, base_h, by_hand };

	compare_runs(name, run_ops_fn, &c, ms_each);
}

/* ---- writes while others wait on other fields ---------------------- */

/* Threads sleeping in brec_wait on sensor_errors until the close, while
 * the measured writes change the setpoint: a write pays for waiters only
 * when it changes a field they wait on. */
struct sleepers {
	brec_handle h;
	int n;
	pthread_t *t;
	atomic_int started;
};

static void *sleeper(void *arg)
{
	struct sleepers *sl = arg;
	uint64_t seen = brec_version(sl->h);

	atomic_fetch_add(&sl->started, 1);
	while (brec_wait(sl->h, &seen, SS_MASK(brec, sensor_errors), -1) == 0) {
	}
	return NULL;
}

static void sleepers_start(struct sleepers *sl, brec_handle h, int n)
{
	pthread_attr_t a;

	sl->h = h;
	sl->n = n;
	sl->t = calloc((size_t)n, sizeof(*sl->t));
	atomic_init(&sl->started, 0);
	pthread_attr_init(&a);
	pthread_attr_setstacksize(&a, 64 * 1024);
	for (int i = 0; i < n; i++)
		if (pthread_create(&sl->t[i], &a, sleeper, sl) != 0) {
			fprintf(stderr, "bench: cannot start waiter %d\n", i);
			exit(1);
		}
	pthread_attr_destroy(&a);
	while (atomic_load(&sl->started) != n)
		usleep(1000);
	usleep(20000); /* from brec_wait's entry to its sleep */
}

static void sleepers_stop(struct sleepers *sl)
{
	brec_close(sl->h);
	for (int i = 0; i < sl->n; i++)
		pthread_join(sl->t[i], NULL);
	free(sl->t);
}

/* set.<policy>.waiters<N>: set on a record where @n threads wait on
 * another field, against set on a record nobody waits on. */
static void set_beside_waiters(enum ss_policy policy, int n, double ms)
{
	brec_handle quiet = brec_new(NULL, policy);
	brec_handle busy = brec_new(NULL, policy);
	struct sleepers sl;
	char name[64];

	sleepers_start(&sl, busy, n);
	snprintf(name, sizeof(name), "set.%s.waiters%d",
		 ss_policy_name(policy), n);
	compare_with(name, SET, quiet, false, busy, ms);
	sleepers_stop(&sl);
	brec_unref(busy);
	brec_unref(quiet);
}

/* ---- a float field: the hand-written getter against the seqlock's --- */

static double run_get_float(void *ctx, bool baseline, long iters)
{
	frec_handle *h = ctx;
	double t0 = now_ns(), acc = 0;

	if (baseline)
		for (long i = 0; i < iters; i++)
			acc += hand_get_humidity();
	else
		for (long i = 0; i < iters; i++)
			acc += frec_get_humidity(*h);
	sink = acc;
	return (now_ns() - t0) / (double)iters;
}

/* ---- one reader and one writer on two threads ---------------------- */

struct rw {
	brec_handle h;	   /* or hand, when baseline */
	bool baseline;
	atomic_bool stop;
	long reads, writes;
};

static void *rw_reader(void *arg)
{
	struct rw *rw = arg;
	struct brec r;
	double acc = 0;
	long n = 0;

	while (!atomic_load_explicit(&rw->stop, memory_order_relaxed)) {
		if (rw->baseline)
			hand_read(&hand, &r);
		else
			brec_read(rw->h, &r, NULL);
		acc += r.setpoint;
		n++;
	}
	sink = acc;
	rw->reads = n;
	return NULL;
}

static void *rw_writer(void *arg)
{
	struct rw *rw = arg;
	long n = 0;

	while (!atomic_load_explicit(&rw->stop, memory_order_relaxed)) {
		if (rw->baseline)
			hand_set_setpoint(&hand, (double)(n & 1));
		else
			brec_set_setpoint(rw->h, (double)(n & 1));
		n++;
	}
	rw->writes = n;
	return NULL;
}

/* Pins the calling thread to @cpu when the machine has it, so that the
 * reader and the writer stay on different cores. */
static void pin(int cpu)
{
	cpu_set_t set;

	if (sysconf(_SC_NPROCESSORS_ONLN) <= cpu)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *rw_reader_pinned(void *arg)
{
	pin(0);
	return rw_reader(arg);
}

static void *rw_writer_pinned(void *arg)
{
	pin(1);
	return rw_writer(arg);
}

/* One run of @ms: reads and writes per second. */
static void rw_run(brec_handle h, bool baseline, double ms, double *reads,
		   double *writes)
{
	struct rw rw = { h, baseline, false, 0, 0 };
	pthread_t r, w;
	double t0, secs;

	pthread_create(&r, NULL, rw_reader_pinned, &rw);
	pthread_create(&w, NULL, rw_writer_pinned, &rw);
	t0 = now_ns();
	usleep((useconds_t)(ms * 1000));
	atomic_store(&rw.stop, true);
	pthread_join(r, NULL);
	pthread_join(w, NULL);
	secs = (now_ns() - t0) / 1e9;
	*reads = (double)rw.reads / secs;
	*writes = (double)rw.writes / secs;
}

/* The hand-written baseline and each policy, in alternating rounds; the
 * medians of the rounds are printed. */
static void reader_writer(double ms, double reads_out[4])
{
	enum { ROUNDS = 5, CONFIGS = 4 };
	static const char *const names[CONFIGS] = { "rw.baseline", "rw.mutex",
						    "rw.seqlock", "rw.rwlock" };
	static const enum ss_policy pol[CONFIGS] = { SS_MUTEX, SS_MUTEX,
						     SS_SEQLOCK, SS_RWLOCK };
	double reads[CONFIGS][ROUNDS], writes[CONFIGS][ROUNDS];
	brec_handle h[CONFIGS];
	char label[64];

	for (int c = 0; c < CONFIGS; c++)
		h[c] = c ? brec_new(NULL, pol[c]) : (brec_handle){ NULL };
	for (int r = 0; r < ROUNDS; r++)
		for (int c = 0; c < CONFIGS; c++)
			rw_run(h[c], c == 0, ms / ROUNDS / CONFIGS,
			       &reads[c][r], &writes[c][r]);
	for (int c = 0; c < CONFIGS; c++) {
		reads_out[c] = median(reads[c], ROUNDS);
		snprintf(label, sizeof(label), "%s.reader", names[c]);
		line(label, reads_out[c] / 1e6, "Mops/s");
		snprintf(label, sizeof(label), "%s.writer", names[c]);
		line(label, median(writes[c], ROUNDS) / 1e6, "Mops/s");
		brec_unref(h[c]);
	}
}

/* ---- snapshots of bigger records ----------------------------------- */

/* The 1 KiB record: SS_MUTEX is the baseline, SS_SEQLOCK the subject. */
static double run_snap1k(void *ctx, bool baseline, long iters)
{
	snap1k_handle *h = ctx; /* [0] mutex, [1] seqlock */
	static struct snap1k r;
	double t0 = now_ns();
	uint64_t acc = 0;

	for (long i = 0; i < iters; i++) {
		snap1k_read(h[baseline ? 0 : 1], &r, NULL);
		acc += r.n;
	}
	sink = (double)acc;
	return (now_ns() - t0) / (double)iters;
}

/* The 16 KiB record: reads alone (the baseline), and reads while a writer
 * pinned to another core sets the counter without pause (the subject). */
struct snap_writer {
	snap16k_handle h;
	atomic_bool stop;
	atomic_long writes;
};

static void *snap_writer_main(void *arg)
{
	struct snap_writer *w = arg;
	uint64_t n = 0;

	pin(1);
	while (!atomic_load_explicit(&w->stop, memory_order_relaxed)) {
		snap16k_set_n(w->h, ++n);
		atomic_store_explicit(&w->writes, (long)n,
				      memory_order_relaxed);
	}
	return NULL;
}

static double run_snap16k(void *ctx, bool baseline, long iters)
{
	snap16k_handle *h = ctx;
	struct snap_writer w = { *h, false, 0 };
	static struct snap16k r;
	uint64_t acc = 0;
	double t0, t, limit;
	pthread_t t_w;
	long i;

	if (!baseline) {
		pthread_create(&t_w, NULL, snap_writer_main, &w);
		while (atomic_load(&w.writes) == 0)
			sched_yield();
	}
	/* A reader that waits for the writer to pause could take seconds:
	 * stop after 100 ms and 20 us a read (some 30 times what the
	 * baseline's calibration aims at), and count the reads done. */
	t0 = now_ns();
	limit = t0 + 1e8 + 2e4 * (double)iters;
	for (i = 0; i < iters; i++) {
		snap16k_read(*h, &r, NULL);
		acc += r.n;
		if (i % 64 == 63 && now_ns() > limit) {
			i++;
			break;
		}
	}
	t = now_ns() - t0;
	if (!baseline) {
		atomic_store(&w.stop, true);
		pthread_join(t_w, NULL);
	}
	sink = (double)acc;
	return t / (double)i;
}

struct snap_job {
	double ms_each;
};

static void *snapshots(void *arg)
{
	struct snap_job *job = arg;
	snap1k_handle h1[2] = { snap1k_new(NULL, SS_MUTEX),
				snap1k_new(NULL, SS_SEQLOCK) };
	static const enum ss_policy pol[3] = { SS_SEQLOCK, SS_SNAPSHOT,
						 SS_MUTEX };
	char name[64];

	pin(0);
	compare_runs("snap1k.seqlock", run_snap1k, h1, job->ms_each);
	snap1k_unref(h1[0]);
	snap1k_unref(h1[1]);
	for (int p = 0; p < 3; p++) {
		snap16k_handle h = snap16k_new(NULL, pol[p]);

		snprintf(name, sizeof(name), "snap16k.%s.writer",
			 ss_policy_name(pol[p]));
		compare_runs(name, run_snap16k, &h, job->ms_each);
		snap16k_unref(h);
	}
	return NULL;
}


/* ---- SS_SNAPSHOT ---------------------------------------------------- */

/* The bare liburcu baseline: the same record behind a pointer that a
 * writer replaces (copy, change, exchange, call_rcu) and readers copy
 * from inside a read-side section. */
struct bare_ver {
	struct rcu_head rcu;
	struct brec r;
};
static struct bare_ver *_Atomic bare_cur;

static void bare_free(struct rcu_head *h)
{
	free(caa_container_of(h, struct bare_ver, rcu));
}

static void bare_read(struct brec *out)
{
	struct bare_ver *v;

	urcu_bp_read_lock();
	v = atomic_load_explicit(&bare_cur, memory_order_acquire);
	*out = v->r;
	urcu_bp_read_unlock();
}

static void bare_set_setpoint(double sp)
{
	struct bare_ver *v = malloc(sizeof(*v)), *old;

	if (!v)
		abort();
	old = atomic_load_explicit(&bare_cur, memory_order_relaxed);
	v->r = old->r;
	v->r.setpoint = sp;
	atomic_store_explicit(&bare_cur, v, memory_order_release);
	urcu_bp_call_rcu(&old->rcu, bare_free);
}

enum snap_mode { SNAP_MUTEX, SNAP_LIB, SNAP_BARE };

struct snap_rw {
	brec_handle h;
	enum snap_mode mode;
	atomic_bool stop;
	long reads, writes;
};

static void *snap_reader(void *arg)
{
	struct snap_rw *rw = arg;
	struct brec r;
	double acc = 0;
	long n = 0;

	pin(0);
	urcu_bp_register_thread();
	while (!atomic_load_explicit(&rw->stop, memory_order_relaxed)) {
		if (rw->mode == SNAP_BARE)
			bare_read(&r);
		else
			brec_read(rw->h, &r, NULL);
		acc += r.setpoint;
		n++;
	}
	urcu_bp_unregister_thread();
	sink = acc;
	rw->reads = n;
	return NULL;
}

static void *snap_writer(void *arg)
{
	struct snap_rw *rw = arg;
	long n = 0;

	pin(1);
	urcu_bp_register_thread();
	while (!atomic_load_explicit(&rw->stop, memory_order_relaxed)) {
		if (rw->mode == SNAP_BARE)
			bare_set_setpoint((double)(n & 1));
		else
			brec_set_setpoint(rw->h, (double)(n & 1));
		n++;
	}
	urcu_bp_unregister_thread();
	rw->writes = n;
	return NULL;
}

/* A reader and a continuous writer, per mode, in alternating rounds:
 * the medians of the reads per second. */
static void snapshot_readers(double ms, double out[3])
{
	enum { ROUNDS = 5, MODES = 3 };
	static const char *const names[MODES] = { "snap.rw.mutex",
						  "snap.rw.snapshot",
						  "snap.rw.bare_urcu" };
	double reads[MODES][ROUNDS], writes[MODES][ROUNDS];
	brec_handle h[MODES];
	char label[64];
	struct bare_ver *b = malloc(sizeof(*b));

	if (!b)
		abort();
	b->r = brec_defaults;
	atomic_store(&bare_cur, b);
	h[SNAP_MUTEX] = brec_new(NULL, SS_MUTEX);
	h[SNAP_LIB] = brec_new(NULL, SS_SNAPSHOT);
	h[SNAP_BARE] = (brec_handle){ NULL };
	for (int r = 0; r < ROUNDS; r++)
		for (int m = 0; m < MODES; m++) {
			struct snap_rw rw = { h[m], (enum snap_mode)m, false,
					      0, 0 };
			pthread_t rt, wt;
			double t0 = now_ns(), secs;

			pthread_create(&rt, NULL, snap_reader, &rw);
			pthread_create(&wt, NULL, snap_writer, &rw);
			usleep((useconds_t)(ms / ROUNDS / MODES * 1000));
			atomic_store(&rw.stop, true);
			pthread_join(rt, NULL);
			pthread_join(wt, NULL);
			secs = (now_ns() - t0) / 1e9;
			reads[m][r] = (double)rw.reads / secs;
			writes[m][r] = (double)rw.writes / secs;
		}
	for (int m = 0; m < MODES; m++) {
		out[m] = median(reads[m], ROUNDS);
		snprintf(label, sizeof(label), "%s.reader", names[m]);
		line(label, out[m] / 1e6, "Mops/s");
		snprintf(label, sizeof(label), "%s.writer", names[m]);
		line(label, median(writes[m], ROUNDS) / 1e6, "Mops/s");
	}
	brec_unref(h[SNAP_MUTEX]);
	brec_unref(h[SNAP_LIB]);
	urcu_bp_register_thread();
	b = atomic_exchange(&bare_cur, NULL);
	urcu_bp_synchronize_rcu();
	free(b);
	urcu_bp_barrier();
	urcu_bp_unregister_thread();
}

/* A 16 KiB record. */
typedef struct big16k {
	unsigned char b[16384];
} big16k;
#define BIG_FIELDS(X)                                                        \
	X(uint64_t, n, 0)                                                    \
	X(big16k, blob, { { 0 } })
SS_RECORD_DECLARE(big, BIG_FIELDS);
SS_RECORD_DEFINE(big, BIG_FIELDS);

struct big_run {
	big_handle h;
	bool writer;
	atomic_bool stop;
	long reads;
};

static int big_write(struct big *b, void *ctx)
{
	(void)ctx;
	b->n++;
	b->blob.b[b->n % sizeof(b->blob.b)] ^= 1;
	return 0;
}

static void *big_writer(void *arg)
{
	struct big_run *br = arg;

	pin(1);
	while (!atomic_load_explicit(&br->stop, memory_order_relaxed))
		big_update(br->h, big_write, NULL);
	return NULL;
}

static void *big_reader(void *arg)
{
	struct big_run *br = arg;
	long n = 0;
	unsigned acc = 0;

	pin(0);
	while (!atomic_load_explicit(&br->stop, memory_order_relaxed)) {
		const struct big *p = big_acquire(br->h);

		acc += p->blob.b[p->n % sizeof(p->blob.b)] + (unsigned)p->n;
		big_release(br->h, p);
		n++;
	}
	sink = acc;
	br->reads = n;
	return NULL;
}

/* Acquire and read of a 16 KiB snapshot, with a continuous writer (each
 * update copies 16 KiB) and without: ns per acquire. */
static void snapshot_big(double ms)
{
	enum { ROUNDS = 5 };
	double ns[2][ROUNDS];
	big_handle h = big_new(NULL, SS_SNAPSHOT);

	for (int r = 0; r < ROUNDS; r++)
		for (int wr = 0; wr < 2; wr++) {
			struct big_run br = { h, wr, false, 0 };
			pthread_t rt, wt;
			double t0 = now_ns();

			pthread_create(&rt, NULL, big_reader, &br);
			if (wr)
				pthread_create(&wt, NULL, big_writer, &br);
			usleep((useconds_t)(ms / ROUNDS / 2 * 1000));
			atomic_store(&br.stop, true);
			pthread_join(rt, NULL);
			if (wr)
				pthread_join(wt, NULL);
			ns[wr][r] = (now_ns() - t0) / (double)(br.reads + 1);
		}
	line("snap.big16k.acquire.nowriter", median(ns[0], ROUNDS), "ns/op");
	line("snap.big16k.acquire.writer", median(ns[1], ROUNDS), "ns/op");
	line("snap.big16k.writer.vs_nowriter",
	     median(ns[1], ROUNDS) / median(ns[0], ROUNDS), "x");
	big_unref(h);
}

struct holder {
	brec_handle h;
	atomic_int state; /* 1 holding, 2 let go */
};

static void *hold_one(void *arg)
{
	struct holder *hd = arg;
	const struct brec *p = brec_acquire(hd->h);

	atomic_store(&hd->state, 1);
	while (atomic_load(&hd->state) != 2)
		usleep(1000);
	sink = p->setpoint;
	brec_release(hd->h, p);
	return NULL;
}

/* Updates per second of a writer for @ms, with a reader holding one
 * version throughout and without. */
static void snapshot_holder(double ms)
{
	enum { ROUNDS = 3 };
	double rate[2][ROUNDS];
	brec_handle h = brec_new(NULL, SS_SNAPSHOT);

	for (int r = 0; r < ROUNDS; r++)
		for (int held = 0; held < 2; held++) {
			struct holder hd = { h, 0 };
			pthread_t t;
			double t0, end;
			long n = 0;

			if (held) {
				pthread_create(&t, NULL, hold_one, &hd);
				while (atomic_load(&hd.state) != 1)
					sched_yield();
			}
			t0 = now_ns();
			end = t0 + ms * 1e6;
			while (now_ns() < end) {
				for (int i = 0; i < 64; i++, n++)
					brec_set_setpoint(h, (double)(n & 1));
			}
			rate[held][r] = (double)n / ((now_ns() - t0) / 1e9);
			if (held) {
				atomic_store(&hd.state, 2);
				pthread_join(t, NULL);
			}
		}
	line("snap.writer.free", median(rate[0], ROUNDS) / 1e6, "Mops/s");
	line("snap.writer.held", median(rate[1], ROUNDS) / 1e6, "Mops/s");
	line("snap.writer.held.slowdown",
	     median(rate[0], ROUNDS) / median(rate[1], ROUNDS), "x");
	brec_unref(h);
}

/* ---- wake-up latency ----------------------------------------------- */

struct wake {
	brec_handle h;
	bool baseline;
	int rounds;
	atomic_int acked;	/* rounds the waiter has seen */
	double woke_ns;		/* when the waiter returned, this round */
	pthread_mutex_t mu;	/* baseline handoff */
	pthread_cond_t cond;
	int value;
};

static void *waiter(void *arg)
{
	struct wake *wk = arg;
	uint64_t seen = 0;
	struct brec r;

	if (!wk->baseline)
		brec_read(wk->h, &r, &seen);
	atomic_store(&wk->acked, 0);
	for (int i = 1; i <= wk->rounds; i++) {
		if (wk->baseline) {
			pthread_mutex_lock(&wk->mu);
			while (wk->value != i)
				pthread_cond_wait(&wk->cond, &wk->mu);
			pthread_mutex_unlock(&wk->mu);
		} else {
			while (brec_get_sensor_errors(wk->h) != i)
				brec_wait(wk->h, &seen,
					  SS_MASK(brec, sensor_errors), -1);
		}
		wk->woke_ns = now_ns();
		atomic_store(&wk->acked, i);
	}
	return NULL;
}

static void wake_latency(const char *name, brec_handle h, bool baseline,
			 int rounds, double *p50_out)
{
	struct wake wk = { .h = h, .baseline = baseline, .rounds = rounds,
			   .acked = -1 };
	double *lat = calloc((size_t)rounds, sizeof(*lat));
	char label[64];
	pthread_t t;

	pthread_mutex_init(&wk.mu, NULL);
	pthread_cond_init(&wk.cond, NULL);
	brec_set_sensor_errors(h, 0);
	pthread_create(&t, NULL, waiter, &wk);
	while (atomic_load(&wk.acked) != 0)
		sched_yield();
	for (int i = 1; i <= rounds; i++) {
		double t0;

		usleep(200); /* let the waiter fall asleep */
		t0 = now_ns();
		if (baseline) {
			pthread_mutex_lock(&wk.mu);
			wk.value = i;
			pthread_cond_signal(&wk.cond);
			pthread_mutex_unlock(&wk.mu);
		} else {
			brec_set_sensor_errors(h, i);
		}
		while (atomic_load(&wk.acked) != i)
			sched_yield();
		lat[i - 1] = (wk.woke_ns - t0) / 1e3;
	}
	pthread_join(t, NULL);
	qsort(lat, (size_t)rounds, sizeof(*lat), cmp_double);
	snprintf(label, sizeof(label), "%s.p50", name);
	line(label, lat[rounds / 2], "us");
	snprintf(label, sizeof(label), "%s.p99", name);
	line(label, lat[rounds * 99 / 100], "us");
	*p50_out = lat[rounds / 2];
	pthread_mutex_destroy(&wk.mu);
	pthread_cond_destroy(&wk.cond);
	free(lat);
}

/* ---- the idle second thread ---------------------------------------- */

static pthread_mutex_t idle_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;
static bool idle_stop;

static void *idle_thread(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&idle_mu);
	while (!idle_stop)
		pthread_cond_wait(&idle_cond, &idle_mu);
	pthread_mutex_unlock(&idle_mu);
	return NULL;
}

int main(int argc, char **argv)
{
	static const enum ss_policy policies[] = { SS_MUTEX, SS_SEQLOCK,
						   SS_RWLOCK, SS_SNAPSHOT };
	double reads[4], p50, base_p50;
	double single_ms, rw_ms, snap_ms, snap_reads[3];
	int wake_rounds;
	pthread_t idle;
	char name[64];

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--seconds") == 0 && i + 1 < argc) {
			budget_ms = atof(argv[++i]) * 1000;
		} else {
			fprintf(stderr, "usage: %s [--seconds S]\n", argv[0]);
			return 2;
		}
	}
	if (!(budget_ms > 0)) {
		fprintf(stderr, "bench: --seconds must be positive\n");
		return 2;
	}
	/* 4 policies x 3 ops + ref + set beside 1 and 256 waiters + the
	 * float get + 4 snapshots: 20 comparisons; the reader/writer runs; 2
	 * latency runs of 200 us per round; SS_SNAPSHOT's runs (the held
	 * version: 1 s per run from a budget of 20 s). */
	single_ms = budget_ms * 0.3 / 20;
	rw_ms = budget_ms * 0.25;
	wake_rounds = (int)(budget_ms * 0.15 / 2 / 0.4);
	snap_ms = budget_ms * 0.3;
	if (wake_rounds < 100)
		wake_rounds = 100;

	pthread_create(&idle, NULL, idle_thread, NULL);
	hand.r = brec_defaults;
	printf("# libsharedstate %s bench: name value unit; budget %.1f s\n",
	       ss_library_version(), budget_ms / 1000);

	for (int p = 0; p < 4; p++) {
		brec_handle h = brec_new(NULL, policies[p]);
		const char *pn = ss_policy_name(policies[p]);

		snprintf(name, sizeof(name), "get.%s", pn);
		compare(name, GET, h, single_ms);
		snprintf(name, sizeof(name), "set.%s", pn);
		compare(name, SET, h, single_ms);
		snprintf(name, sizeof(name), "read.%s", pn);
		compare(name, READ, h, single_ms);
		brec_unref(h);
	}
	{
		brec_handle h = brec_new(NULL, SS_MUTEX);

		compare("refunref", REF, h, single_ms);
		brec_unref(h);
	}
	/* The waiters' decision in a write is the same code under every
	 * policy: one suffices. */
	set_beside_waiters(SS_MUTEX, 1, single_ms);
	set_beside_waiters(SS_MUTEX, 256, single_ms);
	{
		frec_handle h = frec_new(NULL, SS_SEQLOCK);

		hand_f.r = frec_defaults;
		compare_runs("get.float.seqlock", run_get_float, &h, single_ms);
		frec_unref(h);
	}
	{
		/* On a thread of its own, pinned to the reader's core. */
		struct snap_job job = { single_ms };
		pthread_t t;

		pthread_create(&t, NULL, snapshots, &job);
		pthread_join(t, NULL);
	}

	reader_writer(rw_ms, reads);
	line("rw.mutex.reader.vs_baseline", reads[1] / reads[0], "x");
	line("rw.seqlock.reader.vs_mutex", reads[2] / reads[1], "x");
	line("rw.rwlock.reader.vs_mutex", reads[3] / reads[1], "x");

	snapshot_readers(snap_ms * 0.4, snap_reads);
	line("snap.rw.snapshot.reader.vs_mutex",
	     snap_reads[SNAP_LIB] / snap_reads[SNAP_MUTEX], "x");
	line("snap.rw.snapshot.reader.vs_bare_urcu",
	     snap_reads[SNAP_LIB] / snap_reads[SNAP_BARE], "x");
	snapshot_big(snap_ms * 0.6);
	/* A version held for 1 s per run (6 runs) in the full bench. */
	snapshot_holder(fmin(1000, budget_ms * 0.05));

	{
		brec_handle h = brec_new(NULL, SS_MUTEX);

		wake_latency("wake.baseline", h, true, wake_rounds, &base_p50);
		wake_latency("wake.mutex", h, false, wake_rounds, &p50);
		line("wake.mutex.p50.ratio", p50 / base_p50, "x");
		brec_unref(h);
	}

	pthread_mutex_lock(&idle_mu);
	idle_stop = true;
	pthread_cond_signal(&idle_cond);
	pthread_mutex_unlock(&idle_mu);
	pthread_join(idle, NULL);
	return 0;
}
