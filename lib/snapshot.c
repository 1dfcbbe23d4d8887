/* SPDX-License-Identifier: MIT */
/*
 * SS_SNAPSHOT: read-copy-update.  The record is a chain of immutable
 * versions; `cur` points to the current one.  Writers serialize on lk.mu,
 * copy the current version into a new one (the type's copy function gives
 * the new one its own copies of what the record owns), let the callback
 * edit it, find the changed fields, publish it with a release store and
 * retire the old one.  Readers never take a lock and never write to the
 * record: they load `cur` and copy from it (ss_get, ss_read), or take a
 * reference to it and keep it as long as they like (ss_acquire, ss_view).
 * The anchors are Rust's arc-swap (load_full: an Arc that outlives later
 * stores) and liburcu (rcu_dereference inside a read-side section).
 *
 * Reclamation.  A version carries a count of its holders: the record,
 * while it is current, and each reader that acquired it.  A reader takes
 * its reference inside an RCU read-side critical section (liburcu, the
 * urcu-bp flavour):
 *     rcu_read_lock(); v = load(cur); get-unless-zero(v->refs); unlock;
 * and retries the load when the count was zero: the version was retired
 * and released by its last holder between the load and the increment, and
 * `cur` already names a newer one (the record holds a reference to the
 * current version), so the retry ends.  The memory of a version whose
 * count reached zero is freed, and its destroy callback run, through
 * call_rcu: after every read-side section that might have loaded it has
 * ended.  So nobody waits for a reader: a writer never waits for anything
 * but lk.mu, a reader that holds a version for an hour delays only that
 * version's destroy, and a grace period waits only for read-side sections,
 * which are a load, a compare-and-swap and a copy.  ss_get and ss_read copy
 * from `cur` inside a section without touching the count (no shared write).
 * Why liburcu rather than hazard pointers or arc-swap's debts by hand: it
 * is the reference implementation (BIND 9 and Knot DNS use it), packaged
 * for every target (Debian liburcu8), its readers cost two thread-local
 * increments and no fence with membarrier, and its grace periods batch
 * the frees of many versions.
 *
 * The last ss_unref retires the current version too; if no reader holds
 * it, it is destroyed at once (no reader can reach it: every caller holds
 * a reference to the record while it calls), else by its last release.
 *
 * Threads and fork.  The flavour is urcu-bp, liburcu's flavour for
 * libraries: a thread registers itself on its first read-side section and
 * is unregistered when it exits, so the program never hears of liburcu,
 * and it is the one flavour that supports fork() without exec while other
 * threads are registered (liburcu's README, "Interaction with fork()"):
 * on the first SS_SNAPSHOT record the library installs its fork handlers
 * (pthread_atfork), and the child's registry keeps only the thread that
 * forked.  (urcu-memb, tried first, leaves the parent's other threads in
 * the child's registry: their entries live in thread-local storage that
 * the child's next thread reuses, which corrupts the registry.)  Its
 * readers cost the same with membarrier: a thread-local counter and a
 * compiler barrier.  Callbacks run on liburcu's call_rcu thread.
 *
 * Checkers.  liburcu's own memory accesses are invisible to
 * ThreadSanitizer (it is not instrumented) and its grace periods
 * (membarrier) too, so the library tells TSan, and Valgrind's DRD, what a
 * grace period guarantees: each reader "releases" the version it read
 * after its section, and the reclaimer "acquires" it before the destroy
 * and the free.
 */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* The library calls liburcu's functions (no _LGPL_SOURCE inlines). */
#include <urcu/urcu-bp.h>

#include "internal.h"

#if defined(__SANITIZE_THREAD__)
#define SNAP_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SNAP_TSAN 1
#endif
#endif
#ifdef SNAP_TSAN
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define tsan_acquire(p) __tsan_acquire(p)
#define tsan_release(p) __tsan_release(p)
#else
#define tsan_acquire(p) ((void)0)
#define tsan_release(p) ((void)0)
#endif

#define SNAP_LIVE 0x534e4150u /* "SNAP" */
#define SNAP_DEAD 0xdeadbeefu

/* One version of a record.  Immutable once published, but for refs. */
struct ss_snap {
	struct rcu_head rcu;		/* call_rcu */
	const struct ss_state *owner;	/* compared by ss_release, never read */
	const struct ss_type *type;	/* destroy; the record may be gone */
	uint64_t version;		/* the record version it belongs to */
	uint32_t magic;			/* SNAP_LIVE until it is freed */
	/* Holders: the record while current, and readers. */
	_Alignas(SS_CACHELINE) _Atomic int32_t refs;
	_Alignas(16) unsigned char rec[];
};

/* @rec is a version's rec[] (ss_release checks the alignment of what a
 * caller hands it before it gets here), so the struct it steps back to is
 * aligned: the cast through void * says so to -Wcast-align (32-bit ARM). */
static inline struct ss_snap *snap_of(const void *rec)
{
	return (struct ss_snap *)(void *)((uintptr_t)rec -
					  offsetof(struct ss_snap, rec));
}

/* ---- threads and liburcu ------------------------------------------- */

static pthread_once_t once = PTHREAD_ONCE_INIT;
/* What the call_rcu callbacks release for ss__snap_barrier (TSan, DRD). */
static int barrier_token SS_UNUSED;

/* urcu-bp's own handlers (its registry: the child keeps only the forking
 * thread's entry) around its call_rcu handlers (the call_rcu threads
 * paused across the fork, a new one in the child), in the order liburcu
 * gives: the call_rcu threads stop before the registry is locked. */
static void before_fork(void)
{
	urcu_bp_call_rcu_before_fork();
	urcu_bp_before_fork();
}

static void after_fork_parent(void)
{
	urcu_bp_after_fork_parent();
	urcu_bp_call_rcu_after_fork_parent();
}

static void after_fork_child(void)
{
	urcu_bp_after_fork_child();
	urcu_bp_call_rcu_after_fork_child();
}

static void init_once(void)
{
	if (pthread_atfork(before_fork, after_fork_parent, after_fork_child))
		ss__die("snapshot: cannot set up the fork handlers");
}

/* ---- versions ------------------------------------------------------ */

static struct ss_snap *snap_alloc(const struct ss_state *s)
{
	size_t n = offsetof(struct ss_snap, rec) + s->size;
	struct ss_snap *v;

	n = (n + SS_CACHELINE - 1) / SS_CACHELINE * SS_CACHELINE;
	v = aligned_alloc(SS_CACHELINE, n);
	if (!v) {
		errno = ENOMEM;
		return NULL;
	}
	v->owner = s;
	v->type = s->type;
	v->version = 0;
	v->magic = SNAP_LIVE;
	atomic_init(&v->refs, 1);
	SS_ANNOTATE_ATOMIC(&v->refs, sizeof(v->refs));
	return v;
}

/* Destroys and frees @v, whose count reached zero, and which nobody can
 * reach any more. */
static void snap_free(struct ss_snap *v)
{
	v->magic = SNAP_DEAD;
	if (v->type->destroy)
		v->type->destroy(v->rec);
	free(v);
}

static void snap_free_rcu(struct rcu_head *head)
{
	struct ss_snap *v = caa_container_of(head, struct ss_snap, rcu);

	/* After the grace period: every reader of @v is done. */
	tsan_acquire(v);
	SS_ANNOTATE_HAPPENS_AFTER(v);
	snap_free(v);
	tsan_release(&barrier_token);
	SS_ANNOTATE_HAPPENS_BEFORE(&barrier_token);
}

/* Drops one reference; the last one frees @v after a grace period. */
static void snap_put(struct ss_snap *v, const char *caller)
{
	int32_t old;

	SS_ANNOTATE_HAPPENS_BEFORE(v);
	tsan_release(v);
	old = atomic_fetch_sub_explicit(&v->refs, 1, memory_order_acq_rel);
	if (likely(old > 1))
		return;
	if (unlikely(old < 1))
		ss__die("%s: a version of a %s record released more often "
			"than acquired", caller, v->type->name);
	/* The last holder: its decrement, which read every other one's
	 * (acq_rel), comes before the reclaimer's acquire too. */
	tsan_release(v);
	SS_ANNOTATE_HAPPENS_BEFORE(v);
	urcu_bp_call_rcu(&v->rcu, snap_free_rcu);
}

/* A reference to the current version (the reader's half of the
 * reclamation scheme above). */
static struct ss_snap *snap_get(const struct ss_state *cs)
{
	struct ss_state *s = (struct ss_state *)cs;
	struct ss_snap *v;
	int32_t n;

	urcu_bp_read_lock();
	for (;;) {
		v = atomic_load_explicit(&s->cur, memory_order_acquire);
		n = atomic_load_explicit(&v->refs, memory_order_relaxed);
		/* Acquire on failure too: a zero read from the retiring
		 * writer's decrement makes its newer `cur` visible. */
		while (n > 0 &&
		       !atomic_compare_exchange_weak_explicit(
			       &v->refs, &n, n + 1, memory_order_acquire,
			       memory_order_acquire))
			;
		/* For the checkers: this look at v->refs, even a failed
		 * one, ends before v's reclaimer starts. */
		tsan_release(v);
		if (likely(n > 0))
			break;
	}
	urcu_bp_read_unlock();
	SS_ANNOTATE_HAPPENS_AFTER(v);
	if (unlikely(n == INT32_MAX))
		ss__die("ss_acquire: a version of a %s record has 2^31 "
			"holders (ss_release missing?)", s->type->name);
	return v;
}

/* ---- the library's hooks ------------------------------------------- */

int ss__snap_init(struct ss_state *s, const void *init)
{
	struct ss_snap *v;

	pthread_once(&once, init_once);
	v = snap_alloc(s);
	if (!v)
		return ENOMEM;
	if (init)
		memcpy(v->rec, init, s->size);
	else
		memset(v->rec, 0, s->size);
	s->rec = v->rec;
	atomic_init(&s->cur, v);
	SS_ANNOTATE_ATOMIC(&s->cur, sizeof(s->cur));
	return 0;
}

void ss__snap_fini(struct ss_state *s)
{
	struct ss_snap *v = atomic_load_explicit(&s->cur, memory_order_relaxed);

	/* The last reference: no thread can load `cur` any more, so a
	 * version nobody holds goes at once, without a grace period. */
	if (atomic_fetch_sub_explicit(&v->refs, 1, memory_order_acq_rel) == 1)
		snap_free(v);
}

void ss__snap_copy(const struct ss_state *cs, void *out, size_t off,
		   size_t size, uint64_t *version)
{
	struct ss_state *s = (struct ss_state *)cs;
	struct ss_snap *v;

	urcu_bp_read_lock();
	v = atomic_load_explicit(&s->cur, memory_order_acquire);
	SS_ANNOTATE_HAPPENS_AFTER(v);
	memcpy(out, v->rec + off, size);
	if (version)
		*version = v->version;
	/* For the checkers: this read ends before @v's reclaimer starts
	 * (said inside the section: the grace period ends after it). */
	SS_ANNOTATE_HAPPENS_BEFORE(v);
	tsan_release(v);
	urcu_bp_read_unlock();
}

void *ss__snap_begin(struct ss_state *s)
{
	struct ss_snap *cur = atomic_load_explicit(&s->cur,
						   memory_order_relaxed);
	struct ss_snap *v = snap_alloc(s);
	int err;

	if (!v)
		return NULL;
	memcpy(v->rec, cur->rec, s->size);
	if (s->copy) {
		err = s->copy(v->rec, cur->rec);
		if (err) {
			free(v);
			errno = err < 0 ? -err : EINVAL;
			return NULL;
		}
	}
	/* The diff's base: the new version before the callback, so that
	 * the copies of owned pointers do not count as changes. */
	memcpy(s->scratch, v->rec, s->size);
	s->next = v;
	s->rec = v->rec;
	return v->rec;
}

void ss__snap_abort(struct ss_state *s)
{
	struct ss_snap *cur = atomic_load_explicit(&s->cur,
						   memory_order_relaxed);
	struct ss_snap *v = s->next;

	s->next = NULL;
	s->rec = cur->rec;
	if (s->copy)
		snap_free(v);
	else
		free(v);
}

void ss__snap_publish(struct ss_state *s, uint64_t changed)
{
	struct ss_snap *old = atomic_load_explicit(&s->cur,
						   memory_order_relaxed);
	struct ss_snap *v = s->next;
	uint64_t ver = atomic_load_explicit(&s->version, memory_order_relaxed);

	/* Nothing changed: a plain record's copy is the same bytes.  A
	 * record that owns memory is published all the same, as the other
	 * policies keep a callback's changes to what the record points to
	 * (unversioned: bytes are what versions count). */
	if (!changed && !s->copy) {
		ss__snap_abort(s);
		return;
	}
	s->next = NULL;
	v->version = changed ? ver + 1 : ver;
	SS_ANNOTATE_HAPPENS_BEFORE(v);
	atomic_store_explicit(&s->cur, v, memory_order_release);
	snap_put(old, "ss_update");
}

int ss__snap_view(struct ss_state *s, ss_view_fn *fn, void *ctx)
{
	struct ss_held held = { s, ss__held };
	struct ss_snap *v = snap_get(s);
	int ret;

	ss__held = &held;
	ret = fn(v->rec, ctx);
	ss__held = held.next;
	snap_put(v, "ss_view");
	return ret;
}

void ss__snap_barrier(void)
{
	urcu_bp_barrier();
	tsan_acquire(&barrier_token);
	SS_ANNOTATE_HAPPENS_AFTER(&barrier_token);
}

/* ---- the public calls ---------------------------------------------- */

SS_EXPORT const void *ss_acquire_version(const ss_state *s, uint64_t *version)
{
	struct ss_snap *v;

	if (unlikely(!s)) {
		errno = EINVAL;
		return NULL;
	}
	if (unlikely(ss__held != NULL) && ss__held_by_me(s)) {
		errno = EDEADLK;
		return NULL;
	}
	if (unlikely(s->policy != SS_SNAPSHOT)) {
		ss__set_error("ss_acquire: the %s record is %s, not snapshot: "
			      "only SS_SNAPSHOT keeps versions immutable "
			      "without a lock (use ss_read or ss_view)",
			      s->type->name, ss_policy_name(s->policy));
		errno = ENOTSUP;
		return NULL;
	}
	v = snap_get(s);
	if (version)
		*version = v->version;
	return v->rec;
}

SS_EXPORT const void *ss_acquire(const ss_state *s)
{
	return ss_acquire_version(s, NULL);
}

SS_EXPORT void ss_release(const ss_state *s, const void *version)
{
	struct ss_snap *v;

	if (!version)
		return;
	if (unlikely(!s))
		ss__die("ss_release(NULL, %p)", version);
	if (unlikely(s->policy != SS_SNAPSHOT))
		ss__die("ss_release on a %s record of policy %s: ss_acquire "
			"gave nothing to release", s->type->name,
			ss_policy_name(s->policy));
	/* Versions are aligned as struct ss_snap: a pointer that could not
	 * be one is told before it is followed. */
	if (unlikely(((uintptr_t)version - offsetof(struct ss_snap, rec)) %
		     _Alignof(struct ss_snap)))
		ss__die("ss_release: %p is not a version acquired from this %s "
			"record (another record's, or released already)",
			version, s->type->name);
	v = snap_of(version);
	if (unlikely(v->magic != SNAP_LIVE || v->owner != s))
		ss__die("ss_release: %p is not a version acquired from this %s "
			"record (another record's, or released already)",
			version, s->type->name);
	/* The record holds the current version: a release that would take
	 * the count to zero while it is current is one release too many. */
	if (unlikely(atomic_load_explicit(&v->refs, memory_order_relaxed) <= 1 &&
		     atomic_load_explicit(&((struct ss_state *)s)->cur,
					  memory_order_relaxed) == v))
		ss__die("ss_release: a version of a %s record released more "
			"often than acquired", s->type->name);
	snap_put(v, "ss_release");
}
