/* SPDX-License-Identifier: MIT */
/* Internals shared by the library's source files; not installed. */
#ifndef SS_INTERNAL_H
#define SS_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "sharedstate.h"

/* Every public definition carries SS_EXPORT; everything else is hidden
 * (the library is built with -fvisibility=hidden). */
#define SS_EXPORT __attribute__((visibility("default")))
#define SS_HIDDEN __attribute__((visibility("hidden")))

#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define SS_CACHELINE 64

/*
 * Valgrind's DRD cannot see C11 atomics: on x86-64 an acquire load or a
 * release store compiles to a plain move, and only LOCK-prefixed
 * read-modify-writes are marked atomic in Valgrind's IR, so it reports
 * every lock-free access (versions, the seqlock, the closed flag) as a
 * race.  Built with -DSS_VALGRIND (make valgrind's DRD run), the library
 * tells DRD which words are atomics (ThreadSanitizer checks those) and
 * that the last unref happens after every other; otherwise these macros
 * are empty and cost nothing.
 */
#ifdef SS_VALGRIND
#include <valgrind/drd.h>
#define SS_ANNOTATE_ATOMIC(p, n) ANNOTATE_BENIGN_RACE_SIZED((p), (n), "atomic")
#define SS_ANNOTATE_HAPPENS_BEFORE(p) ANNOTATE_HAPPENS_BEFORE(p)
#define SS_ANNOTATE_HAPPENS_AFTER(p) ANNOTATE_HAPPENS_AFTER(p)
#else
#define SS_ANNOTATE_ATOMIC(p, n) ((void)0)
#define SS_ANNOTATE_HAPPENS_BEFORE(p) ((void)0)
#define SS_ANNOTATE_HAPPENS_AFTER(p) ((void)0)
#endif

/*
 * SS_SEQLOCK's words: the record is published and read in words of the
 * widest size the target loads and stores atomically without a lock, and
 * so is the sequence.  8 bytes on x86-64, arm64 and ARMv7 (armhf).  Where
 * 8-byte atomics are calls into libatomic (ARMv6 and older: -march=armv6,
 * the Pi Zero and Pi 1; Debian's armel), each of those calls takes and
 * releases a lock: readers would write shared memory, which is what the
 * seqlock is for avoiding, and pay two lock operations per word.  There
 * the words and the sequence are 4 bytes: a torn 8-byte field is caught
 * by the sequence like any other torn read, and a 32-bit sequence, as
 * Linux's seqcount_t, would fool a reader only if it stalled across
 * exactly 2^31 writes.  (Measured under qemu-arm: README.md, "Cross
 * builds".)
 */
#if __GCC_ATOMIC_LLONG_LOCK_FREE == 2
typedef uint64_t ss_word;
#define SS_WORD_BYTES 8
#else
typedef uint32_t ss_word;
#define SS_WORD_BYTES 4
#endif
#define SS_WORD sizeof(ss_word)

/* The tries an SS_SEQLOCK reader makes before it takes the writers' lock;
 * why 4: access.c, "Bounded tries". */
#define SS_SEQ_TRIES 4

/* A saturated count: far from both zero and INT_MAX, so racing increments
 * and decrements stay saturated (the scheme of Linux's refcount_t). */
#define SS_REF_SATURATED (INT32_MIN / 2)

struct ss_waiter {
	pthread_cond_t cond;	/* CLOCK_MONOTONIC */
	uint64_t mask;		/* fields the waiter cares about */
	struct ss_waiter *next;
	struct ss_waiter **pprev;
};

/* A watch (ss_watch_fd): an eventfd the writers of a field in @mask, and
 * ss_close, make readable.  Linked under wait_mu and its mask in wmask
 * like a waiter's, so that a writer of other fields does nothing more. */
struct ss_watch {
	int fd;			/* eventfd, EFD_CLOEXEC | EFD_NONBLOCK */
	uint64_t mask;		/* fields that make it readable */
	struct ss_watch *next;
};

struct ss_state;

/* The accessors' bodies for one policy (access.c), chosen at creation:
 * ss_get, ss_set and ss_read check their arguments, then make one call
 * through s->ops, with no test of the policy on the way.  @f is
 * &s->fields[field]; the return values are the public calls'. */
struct ss_ops {
	int (*get)(struct ss_state *s, const struct ss_field *f, void *out);
	int (*set)(struct ss_state *s, size_t field, const struct ss_field *f,
		   const void *in);
	int (*read)(struct ss_state *s, void *out, uint64_t *version);
};
/* Indexed by enum ss_policy. */
SS_HIDDEN extern const struct ss_ops ss__ops[4];

struct ss_state {
	/* Read-only after creation: readers touch only this line, the seq
	 * line (SS_SEQLOCK) or the lock (the others). */
	const struct ss_ops *ops;
	const struct ss_type *type;
	const struct ss_field *fields;
	uint32_t nfields;
	enum ss_policy policy;
	uint32_t seq_tries;	/* SS_SEQLOCK: SS_SEQ_TRIES, or a test's */
	size_t size;		/* type->size */
	unsigned char *rec;	/* SS_MUTEX, SS_RWLOCK: the record */
	ss_word *words;		/* SS_SEQLOCK: the record as published words */
	unsigned char *shadow;	/* SS_SEQLOCK: writers' plain copy (nwords*8) */
	unsigned char *scratch;	/* update: old value or working copy */
	_Atomic uint64_t *fver;	/* per-field versions */
	size_t nwords;
	/* SS_SNAPSHOT (snapshot.c): the current version, which readers
	 * load and writers replace (the one word of this line written after
	 * creation, and only under SS_SNAPSHOT); the copy function; the
	 * version a writer is filling, under the writer mutex lk.mu.  `rec`
	 * is the writers' pointer into the current version's record, or
	 * into the one being filled during a write. */
	struct ss_snap *_Atomic cur;
	ss_copy_fn *copy;
	struct ss_snap *next;

	/* Written by ss_ref/ss_unref only. */
	_Alignas(SS_CACHELINE) _Atomic int32_t refs;

	_Alignas(SS_CACHELINE) union {
		pthread_mutex_t mu;	/* SS_MUTEX; writers of SS_SEQLOCK */
		pthread_rwlock_t rw;	/* SS_RWLOCK */
	} lk;
	/* SS_SEQLOCK: reads that took lk.mu after their tries; under it. */
	unsigned long seq_fallbacks;

	/* Waiting: taken only by waiters and watches coming and going, by
	 * writers whose change meets wmask, and by ss_close.  Never held
	 * while taking the record lock (wait.c, "Lock order"). */
	_Alignas(SS_CACHELINE) pthread_mutex_t wait_mu;
	struct ss_waiter *waiters;
	struct ss_watch *watches;
	_Atomic bool closed;

	/* Written by writers under the write lock, and read by readers: the
	 * sequence, the version and the first bytes of the record share one
	 * cache line, so a reader that follows a write fetches one line for
	 * all three. */
	_Alignas(SS_CACHELINE) _Atomic ss_word seq;	/* SS_SEQLOCK */
	_Atomic uint64_t version;
	/* The union of the masks of the waiters and watches: bits ORed in
	 * under the record lock, recomputed under wait_mu when one leaves
	 * (wait.c).  Writers read it under the write lock. */
	_Atomic uint64_t wmask;
	/* The record: plain bytes (SS_MUTEX, SS_RWLOCK) or published words
	 * (SS_SEQLOCK), aligned for any type; nwords * 8 bytes. */
	_Alignas(16) unsigned char data[];
};

/* The handles whose lock the calling thread holds inside a callback. */
struct ss_held {
	const struct ss_state *s;
	struct ss_held *next;
};
extern __thread struct ss_held *ss__held
	__attribute__((tls_model("initial-exec"))) SS_HIDDEN;

static inline bool ss__held_by_me(const struct ss_state *s)
{
	for (const struct ss_held *h = ss__held; h; h = h->next)
		if (h->s == s)
			return true;
	return false;
}

/* Prints "libsharedstate: fatal: ..." and aborts. */
SS_HIDDEN __attribute__((noreturn, format(printf, 1, 2)))
void ss__die(const char *fmt, ...);

/* Sets the thread's ss_last_error() text. */
SS_HIDDEN __attribute__((format(printf, 1, 2)))
void ss__set_error(const char *fmt, ...);

/* Wakes the waiters whose mask meets @changed (wait.c). */
SS_HIDDEN void ss__wake(struct ss_state *s, uint64_t changed);

/* Test hook: force the reference count (tests of saturation/underflow). */
SS_HIDDEN void ss__set_refcount(struct ss_state *s, int32_t count);
SS_HIDDEN int32_t ss__refcount(const struct ss_state *s);

/* Closes every watch of @s and frees them: the last unref (wait.c). */
SS_HIDDEN void ss__unwatch_all(struct ss_state *s);

/* Test hook: how many waiters are linked into @s's list (takes wait_mu). */
SS_HIDDEN unsigned ss__waiting(struct ss_state *s);

/* SS_SNAPSHOT (snapshot.c).  init: the first version, from @init (NULL:
 * zeros); 0 or an errno value.  fini: the last unref.  copy: a read of
 * [off, off+size) of the current version (ss_get, ss_read).  begin: a new
 * version, a copy of the current one, for a writer holding lk.mu; points
 * rec at it and scratch at a copy of its bytes; returns rec, or NULL with
 * errno set.  publish: makes it current (@changed: the fields the write
 * changed; 0 drops it unless the type owns memory).  abort: drops it.
 * view: ss_view on an acquired version. */
SS_HIDDEN int ss__snap_init(struct ss_state *s, const void *init);
SS_HIDDEN void ss__snap_fini(struct ss_state *s);
SS_HIDDEN void ss__snap_copy(const struct ss_state *s, void *out, size_t off,
			     size_t size, uint64_t *version);
SS_HIDDEN void *ss__snap_begin(struct ss_state *s);
SS_HIDDEN void ss__snap_publish(struct ss_state *s, uint64_t changed);
SS_HIDDEN void ss__snap_abort(struct ss_state *s);
SS_HIDDEN int ss__snap_view(struct ss_state *s, ss_view_fn *fn, void *ctx);
/* Test hook: waits until every version retired so far is destroyed. */
SS_HIDDEN void ss__snap_barrier(void);

/* Test hooks: take and release @s's wait_mu, so that a test can tell the
 * writes that need it (they block) from those that do not. */
SS_HIDDEN void ss__wait_lock(struct ss_state *s);
SS_HIDDEN void ss__wait_unlock(struct ss_state *s);

/* Test hooks: the union of the waiting masks that writers read; stale
 * bits added to it (under the record lock, as a registration does). */
SS_HIDDEN uint64_t ss__wmask(struct ss_state *s);
SS_HIDDEN void ss__wmask_add(struct ss_state *s, uint64_t bits);

/* SS_SEQLOCK test hooks (access.c).  ss__seq_set_tries: the tries a
 * reader makes before it takes the lock (0: every read takes it); call it
 * before the record is shared.  ss__seq_fallbacks: how many reads took
 * the lock.  ss__seq_stall_begin and _end: a write section held open, as
 * by a writer preempted while it publishes: the lock taken and the
 * sequence odd in between. */
SS_HIDDEN void ss__seq_set_tries(struct ss_state *s, uint32_t tries);
SS_HIDDEN unsigned long ss__seq_fallbacks(struct ss_state *s);
SS_HIDDEN void ss__seq_stall_begin(struct ss_state *s);
SS_HIDDEN void ss__seq_stall_end(struct ss_state *s);

/* Absolute CLOCK_MONOTONIC deadline @ms from now. */
SS_HIDDEN struct timespec ss__deadline(int ms);

#endif /* SS_INTERNAL_H */
