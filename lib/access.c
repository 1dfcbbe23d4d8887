/* SPDX-License-Identifier: MIT */
/* Reads and writes under the lock policies (SS_SNAPSHOT's versions:
 * snapshot.c). */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

/* Built for ThreadSanitizer: SS_TSAN (the seqlock's ordering, the timed
 * locks). */
#if defined(__SANITIZE_THREAD__)
#define SS_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SS_TSAN 1
#endif
#endif

/* ---- small helpers ------------------------------------------------- */

/* Copies a field of @n bytes, 1, 2, 4 or 8: constant sizes, one move
 * each, and none that the compiler could see overrun a two-word source
 * (GCC 12's -Warray-bounds on 32-bit ARM, for the seqlock's small-field
 * get). */
static inline void copy_small(void *dst, const void *src, size_t n)
{
	switch (n) {
	case 1:
		memcpy(dst, src, 1);
		break;
	case 2:
		memcpy(dst, src, 2);
		break;
	case 4:
		memcpy(dst, src, 4);
		break;
	default:
		memcpy(dst, src, 8);
	}
}

static inline void copy_bytes(void *dst, const void *src, size_t n)
{
	/* Constant sizes let the compiler emit one move for common fields. */
	switch (n) {
	case 1:
	case 2:
	case 4:
	case 8:
		copy_small(dst, src, n);
		break;
	case 16:
		memcpy(dst, src, 16);
		break;
	default:
		memcpy(dst, src, n);
	}
}

static inline bool same_bytes(const void *a, const void *b, size_t n)
{
	switch (n) {
	case 8: {
		uint64_t x, y;

		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		return x == y;
	}
	case 4: {
		uint32_t x, y;

		memcpy(&x, a, 4);
		memcpy(&y, b, 4);
		return x == y;
	}
	case 1:
		return *(const unsigned char *)a == *(const unsigned char *)b;
	default:
		return memcmp(a, b, n) == 0;
	}
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}

/* Which fields differ between two copies of the record. */
static uint64_t diff_fields(const struct ss_state *s, const unsigned char *a,
			    const unsigned char *b)
{
	uint64_t changed = 0;

	for (uint32_t i = 0; i < s->nfields; i++) {
		const struct ss_field *f = &s->fields[i];

		if (!same_bytes(a + f->offset, b + f->offset, f->size))
			changed |= UINT64_C(1) << i;
	}
	return changed;
}

/* Gives the changed fields a new version.  Under the write lock; for
 * SS_SEQLOCK inside the write section, so readers see record and versions
 * change together. */
static void bump(struct ss_state *s, uint64_t changed)
{
	uint64_t v = atomic_load_explicit(&s->version, memory_order_relaxed) + 1;

	for (uint64_t m = changed; m; m &= m - 1)
		atomic_store_explicit(&s->fver[__builtin_ctzll(m)], v,
				      memory_order_relaxed);
	atomic_store_explicit(&s->version, v, memory_order_release);
}

/* ---- SS_SEQLOCK ---------------------------------------------------- */
/*
 * Writers hold lk.mu, keep a plain shadow copy of the record, and publish
 * the words they change into `words` between two increments of `seq` (odd
 * while a write is in progress).  Readers copy `words` and try again when
 * `seq` was odd or moved.  Every access to shared data is atomic, so there
 * is no data race in the C11 sense, and a reader stores to nothing shared
 * unless it runs out of tries (below).
 *
 * The order comes from two fences (Boehm, "Can seqlocks get along with
 * programming language memory models?", MSPC 2012, the fence-based form):
 *
 *	writer (under lk.mu)		reader
 *	seq = q + 1	relaxed		s0 = seq	acquire
 *	fence		release		words...	relaxed loads
 *	words...	relaxed stores	fence		acquire
 *	seq = q + 2	release		s1 = seq	relaxed
 *
 * If any word the reader loaded holds a store of a write in progress,
 * the writer's release fence synchronizes with the reader's acquire fence
 * (a release fence, then an atomic store that an atomic load before an
 * acquire fence reads: C11 7.17.4p2), so the writer's odd store to seq
 * happens before the reader's second load of seq, which must return it or
 * a later value (write-read coherence, C11 5.1.2.4p20); seq only grows,
 * under the lock, so s1 != s0, and the reader tries again.  If the reader's first load of seq returns the even value a
 * writer stored when it finished, the acquire load synchronizes with that
 * release store: no word can then hold a value older than that write's.
 * So a copy with s0 even and s1 == s0 holds, in every word, the value as
 * of the write that ended with s0.  The same fences carry the record's
 * happens-before to the reader: what a writer did before it set a field
 * happens before what a reader does after it read the new value.  Neither
 * fence costs an instruction on x86 (they only stop the compiler); on ARM
 * each is one barrier per try or per write, where a release store or an
 * acquire load per word cost one barrier per word (on ARMv5, armel, a
 * call to the kernel's helper each).
 *
 * ThreadSanitizer does not model atomic_thread_fence: to it the fences
 * order nothing, and the argument above would not hold in the model it
 * checks.  Built for it (SS_TSAN), the writer stores each word with
 * release and the reader loads each word with acquire instead, the form
 * that orders the same way without fences (a reader's acquire load that
 * reads a word of a write in progress synchronizes with that release
 * store, which the odd store of seq precedes), so every synchronization
 * the fences give other builds is one it sees.  (On x86 both forms
 * compile to the same plain moves.)
 *
 * Bounded tries.  A try is one copy between two loads of seq or, while
 * seq is odd, one wait of up to SEQ_SPINS pauses for it to change.  After
 * seq_tries (SS_SEQ_TRIES; a test hook changes it) failed tries, a reader
 * takes lk.mu and copies the writers' shadow, which changes only under
 * lk.mu and so is consistent there: it waits as an SS_MUTEX reader does,
 * for the writer that holds the lock, and never for more tries.  Writers
 * never spin and never wait for readers except that one copy.  Why 4:
 *   - What a read costs whatever the writers do: at most 4 failed tries
 *     and a copy under the lock.  A copy that sees seq move at one of its
 *     checks (every SEQ_CHUNK words) stops there, so against a writer
 *     that never pauses a failed try costs about one chunk; the worst is
 *     writes spaced just longer than a copy, each landing near its end:
 *     5 copies, and the write section in progress.
 *   - How often a reader takes the lock when writes are merely frequent:
 *     a try fails only if a write lands inside it; if a fraction p of
 *     tries meet one, some p^4 of reads take the lock: 1 in 16 when every
 *     other try is spoiled, 1 in 10,000 when one in ten is.  A reader on
 *     the lock writes the mutex's cache line and holds writers back for
 *     one copy, which is what SS_SEQLOCK readers otherwise never do; 4
 *     keeps that to readers that would otherwise be starved.
 *   - A writer preempted while it publishes leaves seq odd for a time
 *     slice.  4 waits of 64 pauses (some microseconds) outlast the
 *     publish of a few fields, and then the reader sleeps on the lock,
 *     which the writer holds: on a single core it gets the CPU back
 *     instead of sharing it with a spinning reader.  (A publish of many
 *     kilobytes may outlast them too: the reader then waits on the lock
 *     for that write, as it would have spun.)
 * A reader always makes at least one try, and a record whose lock is held
 * by a callback (ss_update's, before it publishes) keeps seq even and
 * still: such a try succeeds, so a reader never waits for a callback to
 * end unless writes came and went under it (then, as under SS_MUTEX, it
 * may).  A reader that is itself inside a callback holds another record's
 * lock; the writer it would wait for could be waiting for that lock, so
 * it never blocks: it takes lk.mu only when trylock finds it free, and
 * tries again meanwhile (seq_read_locked).
 */
#ifdef SS_TSAN
#define SEQ_LOAD __ATOMIC_ACQUIRE
#define SEQ_STORE __ATOMIC_RELEASE
#define seq_loads_done() ((void)0)
#define seq_stores_next() ((void)0)
#else
#define SEQ_LOAD __ATOMIC_RELAXED
#define SEQ_STORE __ATOMIC_RELAXED
#define seq_loads_done() atomic_thread_fence(memory_order_acquire)
#define seq_stores_next() atomic_thread_fence(memory_order_release)
#endif

enum {
	SEQ_SPINS = 64,			/* pauses in one wait while seq is odd */
	SEQ_CHUNK = 1024 / SS_WORD,	/* words copied between checks of seq */
};

static inline ss_word seq_load(const ss_word *w)
{
	return __atomic_load_n(w, SEQ_LOAD);
}

/* Copies @n published words to @d (any alignment), four at a time. */
static inline void seq_copy_words(unsigned char *d, const ss_word *w,
				  size_t n)
{
	const ss_word *end = w + n;

	/* One move a word: no stack buffer, which the compiler would
	 * reload in wider moves than it was stored in (a stall). */
	for (; end - w >= 4; w += 4, d += 4 * SS_WORD) {
		ss_word v0 = seq_load(&w[0]), v1 = seq_load(&w[1]);
		ss_word v2 = seq_load(&w[2]), v3 = seq_load(&w[3]);

		memcpy(d, &v0, SS_WORD);
		memcpy(d + SS_WORD, &v1, SS_WORD);
		memcpy(d + 2 * SS_WORD, &v2, SS_WORD);
		memcpy(d + 3 * SS_WORD, &v3, SS_WORD);
	}
	for (; w < end; w++, d += SS_WORD) {
		ss_word v = seq_load(w);

		memcpy(d, &v, SS_WORD);
	}
}

/* Copies bytes [off, off+size) of the published record.  False as soon as
 * seq is seen to have moved from @s0 (checked every SEQ_CHUNK words of a
 * large copy, without a fence: only to give up early; the check after
 * the fence decides). */
static bool seq_copy_out(const struct ss_state *s, void *out, size_t off,
			 size_t size, ss_word s0)
{
	const ss_word *w = s->words;
	unsigned char *d = out;
	size_t end = off + size;

	if ((off | size) % SS_WORD == 0) {
		/* Whole words: the common case of a whole-record read. */
		size_t i = off / SS_WORD, n = size / SS_WORD;

		while (n > SEQ_CHUNK) {
			seq_copy_words(d, w + i, SEQ_CHUNK);
			if (atomic_load_explicit(&s->seq,
						 memory_order_relaxed) != s0)
				return false;
			d += SEQ_CHUNK * SS_WORD;
			i += SEQ_CHUNK;
			n -= SEQ_CHUNK;
		}
		seq_copy_words(d, w + i, n);
		return true;
	}
	for (size_t i = off / SS_WORD; i * SS_WORD < end; i++) {
		ss_word v = seq_load(&w[i]);
		size_t lo = i * SS_WORD > off ? i * SS_WORD : off;
		size_t hi = i * SS_WORD + SS_WORD < end ? i * SS_WORD + SS_WORD
							: end;

		memcpy(d + (lo - off),
		       (unsigned char *)&v + (lo - i * SS_WORD), hi - lo);
	}
	return true;
}

/* seq is odd (@s0): a write is publishing.  One try: up to SEQ_SPINS
 * pauses, until seq moves. */
static inline void seq_wait_odd(const struct ss_state *s, ss_word s0)
{
	for (int i = 0; i < SEQ_SPINS &&
			atomic_load_explicit(&s->seq, memory_order_relaxed) == s0;
	     i++)
		cpu_relax();
}

/* One try at bytes [off, off+size), and the version if @version. */
static inline bool seq_try(const struct ss_state *s, void *out, size_t off,
			   size_t size, uint64_t *version)
{
	ss_word s0 = atomic_load_explicit(&s->seq, memory_order_acquire);
	uint64_t v = 0;

	if (unlikely(s0 & 1)) {
		seq_wait_odd(s, s0);
		return false;
	}
	if (!seq_copy_out(s, out, off, size, s0))
		return false;
	if (version)
		v = atomic_load_explicit(&s->version, SEQ_LOAD);
	seq_loads_done();
	if (atomic_load_explicit(&s->seq, memory_order_relaxed) != s0)
		return false;
	if (version)
		*version = v;
	return true;
}

/* After the tries: one copy from the writers' shadow, under their lock
 * (see above; from inside a callback, without ever blocking on it). */
static __attribute__((noinline)) int
seq_read_locked(struct ss_state *s, void *out, size_t off, size_t size,
		uint64_t *version)
{
	int err;

	if (likely(ss__held == NULL)) {
		err = pthread_mutex_lock(&s->lk.mu);
	} else {
		while ((err = pthread_mutex_trylock(&s->lk.mu)) == EBUSY) {
			if (seq_try(s, out, off, size, version))
				return 0;
			sched_yield();
		}
	}
	if (unlikely(err))
		return -err;
	copy_bytes(out, s->shadow + off, size);
	if (version)
		*version = atomic_load_explicit(&s->version,
						memory_order_relaxed);
	s->seq_fallbacks++;
	pthread_mutex_unlock(&s->lk.mu);
	return 0;
}

static int seq_read(const struct ss_state *cs, void *out, size_t off,
		    size_t size, uint64_t *version)
{
	struct ss_state *s = (struct ss_state *)cs;

	for (uint32_t t = s->seq_tries; t; t--)
		if (likely(seq_try(s, out, off, size, version)))
			return 0;
	return seq_read_locked(s, out, off, size, version);
}

/* A naturally aligned field of 1, 2, 4 or 8 bytes lies in one word, or,
 * 8 bytes where words are 4, in two: the fast path of a get. */
static inline bool seq_small_field(size_t off, size_t size)
{
	/* A power of two: a mask, not a division. */
	return size <= 8 && (size & (size - 1)) == 0 &&
	       (off & (size - 1)) == 0;
}

/* Gets such a field: its word or two between the two loads of seq, then
 * its bytes.  No 8-byte atomic where words are 4 bytes. */
static inline int seq_get_small(const struct ss_state *cs, void *out,
				size_t off, size_t size)
{
	struct ss_state *s = (struct ss_state *)cs;
	const ss_word *w = s->words + off / SS_WORD;

	for (uint32_t t = s->seq_tries; t; t--) {
		ss_word s0 = atomic_load_explicit(&s->seq,
						  memory_order_acquire);
		ss_word v[8 / SS_WORD];

		if (unlikely(s0 & 1)) {
			seq_wait_odd(s, s0);
			continue;
		}
		v[0] = seq_load(&w[0]);
#if SS_WORD_BYTES == 4
		v[1] = size == 8 ? seq_load(&w[1]) : 0;
#endif
		seq_loads_done();
		if (likely(atomic_load_explicit(&s->seq,
						memory_order_relaxed) == s0)) {
			copy_small(out, (unsigned char *)v + off % SS_WORD,
				   size);
			return 0;
		}
	}
	return seq_read_locked(s, out, off, size, NULL);
}

static void seq_begin(struct ss_state *s)
{
	ss_word q = atomic_load_explicit(&s->seq, memory_order_relaxed);

	atomic_store_explicit(&s->seq, q + 1, memory_order_relaxed);
	seq_stores_next();
}

static void seq_end(struct ss_state *s)
{
	ss_word q = atomic_load_explicit(&s->seq, memory_order_relaxed);

	atomic_store_explicit(&s->seq, q + 1, memory_order_release);
}

/* Publishes the shadow's bytes [off, off+size) (whole words). */
static void seq_publish(struct ss_state *s, size_t off, size_t size)
{
	for (size_t w = off / SS_WORD; w * SS_WORD < off + size; w++) {
		ss_word v;

		memcpy(&v, s->shadow + w * SS_WORD, SS_WORD);
		__atomic_store_n(&s->words[w], v, SEQ_STORE);
	}
}

/* Test hooks (internal.h). */
void ss__seq_set_tries(struct ss_state *s, uint32_t tries)
{
	s->seq_tries = tries;
}

unsigned long ss__seq_fallbacks(struct ss_state *s)
{
	unsigned long n;

	pthread_mutex_lock(&s->lk.mu);
	n = s->seq_fallbacks;
	pthread_mutex_unlock(&s->lk.mu);
	return n;
}

void ss__seq_stall_begin(struct ss_state *s)
{
	pthread_mutex_lock(&s->lk.mu);
	seq_begin(s);
}

void ss__seq_stall_end(struct ss_state *s)
{
	seq_end(s);
	pthread_mutex_unlock(&s->lk.mu);
}

/* ---- locking ------------------------------------------------------- */

static inline int read_lock(struct ss_state *s)
{
	if (s->policy == SS_RWLOCK)
		return pthread_rwlock_rdlock(&s->lk.rw);
	return pthread_mutex_lock(&s->lk.mu);
}

static inline void read_unlock(struct ss_state *s)
{
	if (s->policy == SS_RWLOCK)
		pthread_rwlock_unlock(&s->lk.rw);
	else
		pthread_mutex_unlock(&s->lk.mu);
}

#ifdef SS_TSAN
/* ThreadSanitizer (GCC 12, LLVM 14) intercepts pthread_*_timedlock but not
 * pthread_*_clocklock, and then reports the unlock of a lock it never saw
 * taken.  Under it only, take the lock with the same deadline moved to
 * CLOCK_REALTIME. */
static struct timespec to_realtime(const struct timespec *mono)
{
	struct timespec now_m, now_r, t;
	long long ns;

	clock_gettime(CLOCK_MONOTONIC, &now_m);
	clock_gettime(CLOCK_REALTIME, &now_r);
	ns = (long long)(mono->tv_sec - now_m.tv_sec) * 1000000000LL +
	     (mono->tv_nsec - now_m.tv_nsec);
	t.tv_sec = now_r.tv_sec + (time_t)(ns / 1000000000LL);
	t.tv_nsec = now_r.tv_nsec + (long)(ns % 1000000000LL);
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	} else if (t.tv_nsec < 0) {
		t.tv_sec--;
		t.tv_nsec += 1000000000L;
	}
	return t;
}

static int mutex_clocklock(pthread_mutex_t *m, const struct timespec *mono)
{
	struct timespec rt = to_realtime(mono);

	return pthread_mutex_timedlock(m, &rt);
}

static int rwlock_clockwrlock(pthread_rwlock_t *l, const struct timespec *mono)
{
	struct timespec rt = to_realtime(mono);

	return pthread_rwlock_timedwrlock(l, &rt);
}
#else
static int mutex_clocklock(pthread_mutex_t *m, const struct timespec *mono)
{
	return pthread_mutex_clocklock(m, CLOCK_MONOTONIC, mono);
}

static int rwlock_clockwrlock(pthread_rwlock_t *l, const struct timespec *mono)
{
	return pthread_rwlock_clockwrlock(l, CLOCK_MONOTONIC, mono);
}
#endif

/* The write lock: lk.mu for SS_MUTEX and SS_SEQLOCK writers, lk.rw
 * exclusively for SS_RWLOCK.  @deadline (CLOCK_MONOTONIC) NULL waits for
 * ever. */
static int write_lock(struct ss_state *s, const struct timespec *deadline)
{
	if (s->policy == SS_RWLOCK) {
		if (deadline)
			return rwlock_clockwrlock(&s->lk.rw, deadline);
		return pthread_rwlock_wrlock(&s->lk.rw);
	}
	if (deadline)
		return mutex_clocklock(&s->lk.mu, deadline);
	return pthread_mutex_lock(&s->lk.mu);
}

static void write_unlock(struct ss_state *s)
{
	if (s->policy == SS_RWLOCK)
		pthread_rwlock_unlock(&s->lk.rw);
	else
		pthread_mutex_unlock(&s->lk.mu);
}

/* Lock failures other than a timeout cannot happen with the lock kinds
 * used here; an int-returning call reports them as -err anyway. */

/* ---- reads --------------------------------------------------------- */

/* Per policy: a whole-record copy (ss_read) and one field (ss_get). */
static inline __attribute__((always_inline)) int
read_in_place(struct ss_state *s, void *out, uint64_t *version, bool rw)
{
	int err = rw ? pthread_rwlock_rdlock(&s->lk.rw)
		     : pthread_mutex_lock(&s->lk.mu);

	if (unlikely(err))
		return -err;
	memcpy(out, s->rec, s->size);
	if (version)
		*version = atomic_load_explicit(&s->version,
						memory_order_relaxed);
	if (rw)
		pthread_rwlock_unlock(&s->lk.rw);
	else
		pthread_mutex_unlock(&s->lk.mu);
	return 0;
}

static int read_mutex(struct ss_state *s, void *out, uint64_t *version)
{
	return read_in_place(s, out, version, false);
}

static int read_rwlock(struct ss_state *s, void *out, uint64_t *version)
{
	return read_in_place(s, out, version, true);
}

static int read_seqlock(struct ss_state *s, void *out, uint64_t *version)
{
	return seq_read(s, out, 0, s->size, version);
}

static int read_snapshot(struct ss_state *s, void *out, uint64_t *version)
{
	ss__snap_copy(s, out, 0, s->size, version);
	return 0;
}

static int get_mutex(struct ss_state *s, const struct ss_field *f, void *out)
{
	int err = pthread_mutex_lock(&s->lk.mu);

	if (unlikely(err))
		return -err;
	copy_bytes(out, s->rec + f->offset, f->size);
	pthread_mutex_unlock(&s->lk.mu);
	return 0;
}

static int get_rwlock(struct ss_state *s, const struct ss_field *f, void *out)
{
	int err = pthread_rwlock_rdlock(&s->lk.rw);

	if (unlikely(err))
		return -err;
	copy_bytes(out, s->rec + f->offset, f->size);
	pthread_rwlock_unlock(&s->lk.rw);
	return 0;
}

static int get_seqlock(struct ss_state *s, const struct ss_field *f,
		       void *out)
{
	if (likely(seq_small_field(f->offset, f->size)))
		return seq_get_small(s, out, f->offset, f->size);
	return seq_read(s, out, f->offset, f->size, NULL);
}

static int get_snapshot(struct ss_state *s, const struct ss_field *f,
			void *out)
{
	ss__snap_copy(s, out, f->offset, f->size, NULL);
	return 0;
}

SS_EXPORT int ss_read(const ss_state *cs, void *out, uint64_t *version)
{
	struct ss_state *s = (struct ss_state *)cs;

	if (unlikely(!s || !out))
		return -EINVAL;
	if (unlikely(ss__held != NULL) && ss__held_by_me(s))
		return -EDEADLK;
	return s->ops->read(s, out, version);
}

/* The body of ss_get, inlined into both exported getters: a call from
 * one exported function to another would go through the PLT. */
static inline __attribute__((always_inline)) int
get_field(const struct ss_state *cs, size_t field, void *out)
{
	struct ss_state *s = (struct ss_state *)cs;

	if (unlikely(!s || field >= s->nfields || !out))
		return -EINVAL;
	if (unlikely(ss__held != NULL) && ss__held_by_me(s))
		return -EDEADLK;
	return s->ops->get(s, &s->fields[field], out);
}

SS_EXPORT int ss_get(const ss_state *s, size_t field, void *out)
{
	return get_field(s, field, out);
}

SS_EXPORT void ss_get_or_abort(const ss_state *s, size_t field, void *out,
			       const char *caller)
{
	int err = get_field(s, field, out);

	if (likely(err == 0))
		return;
	if (!s)
		ss__die("%s: NULL handle", caller);
	if (err == -EDEADLK)
		ss__die("%s: called from inside an update or view callback "
			"on the same %s record; it would deadlock (read the "
			"record the callback was given instead)",
			caller, s->type->name);
	ss__die("%s: %s record: %s", caller, s->type->name, strerror(-err));
}

/* ---- writes -------------------------------------------------------- */

/* After a change: unlock, then wake the waiters and watches of the
 * changed fields, if any.  The union of their masks is read under the
 * write lock, and they add their masks to it under the record lock, so a
 * waiter either saw this change or its bits are read here (wait.c): no
 * fence, no wait_mu and no syscall on the write path when nobody waits on
 * a changed field, however many wait on others. */
static void write_done(struct ss_state *s, uint64_t changed)
{
	uint64_t wake = 0;

	if (changed)
		wake = changed & atomic_load_explicit(&s->wmask,
						      memory_order_relaxed);

	write_unlock(s);
	if (wake)
		ss__wake(s, changed);
}

/* Per policy: one field written, under the writers' lock.  Each takes
 * the lock, returns 0 when the bytes are already there (no version, no
 * wake-up), else writes them, versions them, unlocks, and wakes the
 * waiters of that field if any (write_done's rule). */
static inline __attribute__((always_inline)) void
set_done(struct ss_state *s, uint64_t bit, bool rw)
{
	uint64_t wake = bit & atomic_load_explicit(&s->wmask,
						   memory_order_relaxed);

	if (rw)
		pthread_rwlock_unlock(&s->lk.rw);
	else
		pthread_mutex_unlock(&s->lk.mu);
	if (wake)
		ss__wake(s, bit);
}

static inline __attribute__((always_inline)) int
set_in_place(struct ss_state *s, size_t field, const struct ss_field *f,
	     const void *in, bool rw)
{
	unsigned char *dst = s->rec + f->offset;
	int err = rw ? pthread_rwlock_wrlock(&s->lk.rw)
		     : pthread_mutex_lock(&s->lk.mu);

	if (unlikely(err))
		return -err;
	if (same_bytes(dst, in, f->size)) {
		if (rw)
			pthread_rwlock_unlock(&s->lk.rw);
		else
			pthread_mutex_unlock(&s->lk.mu);
		return 0;
	}
	copy_bytes(dst, in, f->size);
	bump(s, UINT64_C(1) << field);
	set_done(s, UINT64_C(1) << field, rw);
	return 1;
}

static int set_mutex(struct ss_state *s, size_t field,
		     const struct ss_field *f, const void *in)
{
	return set_in_place(s, field, f, in, false);
}

static int set_rwlock(struct ss_state *s, size_t field,
		      const struct ss_field *f, const void *in)
{
	return set_in_place(s, field, f, in, true);
}

static int set_seqlock(struct ss_state *s, size_t field,
		       const struct ss_field *f, const void *in)
{
	unsigned char *dst = s->shadow + f->offset;
	int err = pthread_mutex_lock(&s->lk.mu);

	if (unlikely(err))
		return -err;
	if (same_bytes(dst, in, f->size)) {
		pthread_mutex_unlock(&s->lk.mu);
		return 0;
	}
	copy_bytes(dst, in, f->size);
	seq_begin(s);
	seq_publish(s, f->offset, f->size);
	bump(s, UINT64_C(1) << field);
	seq_end(s);
	set_done(s, UINT64_C(1) << field, false);
	return 1;
}

static int set_snapshot(struct ss_state *s, size_t field,
			const struct ss_field *f, const void *in)
{
	int err = pthread_mutex_lock(&s->lk.mu);

	if (unlikely(err))
		return -err;
	/* rec: the current version's record, under lk.mu. */
	if (same_bytes(s->rec + f->offset, in, f->size)) {
		pthread_mutex_unlock(&s->lk.mu);
		return 0;
	}
	/* A new version, a copy of the current one, gets the field. */
	if (unlikely(!ss__snap_begin(s))) {
		err = errno;
		pthread_mutex_unlock(&s->lk.mu);
		return -err;
	}
	copy_bytes(s->rec + f->offset, in, f->size);
	ss__snap_publish(s, UINT64_C(1) << field);
	bump(s, UINT64_C(1) << field);
	set_done(s, UINT64_C(1) << field, false);
	return 1;
}

SS_HIDDEN const struct ss_ops ss__ops[4] = {
	[SS_MUTEX] = { get_mutex, set_mutex, read_mutex },
	[SS_SEQLOCK] = { get_seqlock, set_seqlock, read_seqlock },
	[SS_RWLOCK] = { get_rwlock, set_rwlock, read_rwlock },
	[SS_SNAPSHOT] = { get_snapshot, set_snapshot, read_snapshot },
};

SS_EXPORT int ss_set(ss_state *s, size_t field, const void *in)
{
	if (unlikely(!s || !in || field >= s->nfields))
		return -EINVAL;
	if (unlikely(ss__held != NULL) && ss__held_by_me(s))
		return -EDEADLK;
	return s->ops->set(s, field, &s->fields[field], in);
}

/* The record a callback edits, after the write lock is taken: the live
 * record for SS_MUTEX/SS_RWLOCK (its old value saved in scratch, to find
 * what changed), a working copy for SS_SEQLOCK (readers must only ever
 * see published words), a new version for SS_SNAPSHOT (rec, its bytes
 * before the callback in scratch; NULL with errno set on failure). */
static void *write_begin(struct ss_state *s)
{
	if (s->policy == SS_SNAPSHOT)
		return ss__snap_begin(s);
	if (s->policy == SS_SEQLOCK) {
		memcpy(s->scratch, s->shadow, s->size);
		return s->scratch;
	}
	memcpy(s->scratch, s->rec, s->size);
	return s->rec;
}

/* Finds what the callback changed, publishes and versions it. */
static uint64_t write_commit(struct ss_state *s)
{
	uint64_t changed;

	if (s->policy != SS_SEQLOCK) {
		changed = diff_fields(s, s->scratch, s->rec);
		if (s->policy == SS_SNAPSHOT)
			ss__snap_publish(s, changed);
		if (changed)
			bump(s, changed);
		return changed;
	}
	changed = diff_fields(s, s->shadow, s->scratch);
	if (!changed)
		return 0;
	for (uint64_t m = changed; m; m &= m - 1) {
		const struct ss_field *f = &s->fields[__builtin_ctzll(m)];

		memcpy(s->shadow + f->offset, s->scratch + f->offset, f->size);
	}
	seq_begin(s);
	for (uint64_t m = changed; m; m &= m - 1) {
		const struct ss_field *f = &s->fields[__builtin_ctzll(m)];

		seq_publish(s, f->offset, f->size);
	}
	bump(s, changed);
	seq_end(s);
	return changed;
}

static int update(struct ss_state *s, ss_update_fn *fn, void *ctx,
		  const struct timespec *deadline)
{
	struct ss_held held = { s, ss__held };
	void *rec;
	int err, ret;

	if (unlikely(!s || !fn))
		return -EINVAL;
	if (unlikely(ss__held != NULL) && ss__held_by_me(s))
		return -EDEADLK;
	err = write_lock(s, deadline);
	if (unlikely(err))
		return -err;
	rec = write_begin(s);
	if (unlikely(!rec)) {
		err = errno;
		write_unlock(s);
		return -err;
	}
	ss__held = &held;
	ret = fn(rec, ctx);
	ss__held = held.next;
	write_done(s, write_commit(s));
	return ret;
}

SS_EXPORT int ss_update(ss_state *s, ss_update_fn *fn, void *ctx)
{
	return update(s, fn, ctx, NULL);
}

SS_EXPORT int ss_update_timed(ss_state *s, ss_update_fn *fn, void *ctx,
			      int timeout_ms)
{
	struct timespec deadline;

	if (timeout_ms < 0)
		return update(s, fn, ctx, NULL);
	deadline = ss__deadline(timeout_ms);
	return update(s, fn, ctx, &deadline);
}

#define SS_UPDATE_MANY_MAX 16

static int by_address(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(struct ss_state *const *)a;
	uintptr_t y = (uintptr_t)*(struct ss_state *const *)b;

	return (x > y) - (x < y);
}

SS_EXPORT int ss_update_many(ss_state *const *states, size_t n,
			     ss_update_many_fn *fn, void *ctx)
{
	struct ss_state *order[SS_UPDATE_MANY_MAX];
	struct ss_held held[SS_UPDATE_MANY_MAX];
	void *recs[SS_UPDATE_MANY_MAX];
	uint64_t changed[SS_UPDATE_MANY_MAX];
	struct ss_held *saved = ss__held;
	size_t locked = 0;
	int err = 0, ret;

	if (!states || !fn || n == 0 || n > SS_UPDATE_MANY_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (!states[i])
			return -EINVAL;
		if (unlikely(saved != NULL) && ss__held_by_me(states[i]))
			return -EDEADLK;
		order[i] = states[i];
	}
	qsort(order, n, sizeof(order[0]), by_address);
	for (size_t i = 1; i < n; i++)
		if (order[i] == order[i - 1])
			return -EINVAL;
	for (; locked < n; locked++) {
		err = write_lock(order[locked], NULL);
		if (unlikely(err))
			break;
	}
	if (unlikely(err)) {
		while (locked--)
			write_unlock(order[locked]);
		return -err;
	}
	for (size_t i = 0; i < n; i++) {
		recs[i] = write_begin(states[i]);
		if (unlikely(!recs[i])) {
			err = errno;
			while (i--)
				if (states[i]->policy == SS_SNAPSHOT)
					ss__snap_abort(states[i]);
			while (locked--)
				write_unlock(order[locked]);
			return -err;
		}
		held[i].s = states[i];
		held[i].next = i ? &held[i - 1] : saved;
	}
	ss__held = &held[n - 1];
	ret = fn(recs, ctx);
	ss__held = saved;
	for (size_t i = 0; i < n; i++)
		changed[i] = write_commit(states[i]);
	/* Unlock in reverse order, then wake: write_done does both. */
	for (size_t i = n; i--;) {
		size_t j = 0;

		while (states[j] != order[i])
			j++;
		write_done(order[i], changed[j]);
	}
	return ret;
}

SS_EXPORT int ss_view(const ss_state *cs, ss_view_fn *fn, void *ctx)
{
	struct ss_state *s = (struct ss_state *)cs;
	struct ss_held held = { s, ss__held };
	_Alignas(max_align_t) unsigned char stackbuf[512];
	void *copy;
	int err, ret;

	if (unlikely(!s || !fn))
		return -EINVAL;
	if (unlikely(ss__held != NULL) && ss__held_by_me(s))
		return -EDEADLK;
	if (s->policy == SS_SNAPSHOT)
		return ss__snap_view(s, fn, ctx);
	if (s->policy == SS_SEQLOCK) {
		copy = s->size <= sizeof(stackbuf) ? stackbuf
						   : malloc(s->size);
		if (!copy)
			return -ENOMEM;
		err = seq_read(s, copy, 0, s->size, NULL);
		if (unlikely(err)) {
			if (copy != stackbuf)
				free(copy);
			return err;
		}
		ss__held = &held;
		ret = fn(copy, ctx);
		ss__held = held.next;
		if (copy != stackbuf)
			free(copy);
		return ret;
	}
	err = read_lock(s);
	if (unlikely(err))
		return -err;
	ss__held = &held;
	ret = fn(s->rec, ctx);
	ss__held = held.next;
	read_unlock(s);
	return ret;
}

/* ---- versions ------------------------------------------------------ */

SS_EXPORT uint64_t ss_version(const ss_state *s)
{
	return atomic_load_explicit(&((struct ss_state *)s)->version,
				    memory_order_acquire);
}

SS_EXPORT uint64_t ss_field_version(const ss_state *s, size_t field)
{
	if (!s || field >= s->nfields)
		return 0;
	return atomic_load_explicit(&((struct ss_state *)s)->fver[field],
				    memory_order_acquire);
}
