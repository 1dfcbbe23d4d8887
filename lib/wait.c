/* SPDX-License-Identifier: MIT */
/*
 * Waiting for changes.  Each waiter sleeps on its own condition variable
 * (CLOCK_MONOTONIC), linked into the record's list with its field mask, so
 * a writer wakes only the waiters whose mask meets the fields it changed.
 * Watches (ss_watch_fd) are eventfds in a second list under wait_mu,
 * signalled from the same places: a writer writes to those whose mask
 * meets its change, and ss_close to all.
 *
 * Writers pay only for their waiters: s->wmask holds the union of the
 * masks of the waiters and watches, and a writer reads it under its write
 * lock.  A write whose change does not meet it takes no wait_mu, makes no
 * system call and scans nothing: one relaxed load, however many threads
 * wait on other fields.  A waiter or watch that waits only for the close
 * (mask 0) costs writers nothing.
 *
 * The union is never a subset of the masks that need it: an entry
 *   1. links itself under wait_mu,
 *   2. ORs its mask into wmask under the record lock, and then
 *   3. (a waiter) checks the field versions and sleeps under wait_mu.
 * An entry that leaves (a waiter woken, timed out, closed or cancelled, a
 * watch removed) unlinks itself and stores the union of the entries still
 * linked, both under wait_mu (wmask_recompute).  Every entry past step 1
 * is in that union, and no entry publishes bits before step 1, so a
 * recomputation never drops bits that a linked entry has published or is
 * about to; an OR racing it adds bits the store includes anyway.
 *
 * No lost wake-up: a write whose write-lock section comes before a
 * waiter's step 2 is seen by its step 3 (the record lock orders them).  A
 * write after it reads a union holding the waiter's bits (the OR happened
 * before, under the same lock, and no recomputation since has dropped
 * them), so it takes wait_mu and signals: the waiter holds wait_mu from
 * its check until pthread_cond_*wait releases it, or takes it after the
 * writer released it, and then its check sees the write.
 *
 * Stale bits are harmless: a waiter that was woken, timed out or closed
 * keeps its bits in the union until it has left, though it sleeps no
 * more.  A write to such a field meanwhile takes wait_mu and signals no
 * one (ss__wake looks at each entry's own mask), and the departure's
 * recomputation drops them.
 *
 * Lock order: the record lock and wait_mu are never held together by a
 * waiter or a watch (steps 1, 2 and 3 are separate sections); writers and
 * ss_close take wait_mu after (or, inside an update callback, while)
 * holding the record lock.  So ss_close may be called from an update
 * callback while a waiter is registering.
 */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "internal.h"

/* Has a field in @mask changed after version @seen?  Lock-free. */
static bool changed_since(struct ss_state *s, uint64_t seen, uint64_t mask)
{
	if (atomic_load_explicit(&s->version, memory_order_acquire) <= seen)
		return false;
	for (uint64_t m = mask; m; m &= m - 1)
		if (atomic_load_explicit(&s->fver[__builtin_ctzll(m)],
					 memory_order_acquire) > seen)
			return true;
	return false;
}

static int lock_record(struct ss_state *s)
{
	if (s->policy == SS_RWLOCK)
		return pthread_rwlock_rdlock(&s->lk.rw);
	return pthread_mutex_lock(&s->lk.mu);
}

static void unlock_record(struct ss_state *s)
{
	if (s->policy == SS_RWLOCK)
		pthread_rwlock_unlock(&s->lk.rw);
	else
		pthread_mutex_unlock(&s->lk.mu);
}

/* The union of the masks of the entries linked into @s's lists, stored
 * for writers: under wait_mu, after an entry left (see the top). */
static void wmask_recompute(struct ss_state *s)
{
	uint64_t m = 0;

	for (const struct ss_waiter *w = s->waiters; w; w = w->next)
		m |= w->mask;
	for (const struct ss_watch *w = s->watches; w; w = w->next)
		m |= w->mask;
	atomic_store_explicit(&s->wmask, m, memory_order_relaxed);
}

/* Step 2: @mask into the union that writers read under the record lock. */
static int wmask_publish(struct ss_state *s, uint64_t mask)
{
	int err = lock_record(s);

	if (unlikely(err))
		return err;
	atomic_fetch_or_explicit(&s->wmask, mask, memory_order_relaxed);
	unlock_record(s);
	return 0;
}

static uint64_t field_mask(const struct ss_state *s)
{
	return s->nfields == 64 ? UINT64_MAX
				: (UINT64_C(1) << s->nfields) - 1;
}

/* A mask of 0 means "no field" (only the close, or the timeout); a mask
 * that names no field of the record is a mistake, most likely another
 * record's bit: it would wait for ever.  Bits beyond the last field are
 * dropped when the mask names at least one field, so that SS_MASK_ALL
 * and SS_MASK_ALL & ~SS_MASK(P, f) keep their meaning on every record.
 * (By value: no variable of ss_wait's frame has its address taken, see
 * wait_registered.) */
static bool usable_mask(const struct ss_state *s, uint64_t mask)
{
	return !mask || (mask & field_mask(s));
}

/* A registered waiter: its entry in the list, which it must leave however
 * it returns. */
struct wait_hold {
	struct ss_state *s;
	struct ss_waiter *w;
};

/*
 * Leaves the list, with wait_mu held, and releases wait_mu: on every
 * return of a registered ss_wait, and as the cancellation cleanup
 * handler.  pthread_cond_wait and pthread_cond_timedwait, the only
 * cancellation points of a registered wait, reacquire the mutex before
 * the first handler runs (POSIX), so the handler finds wait_mu held as
 * the normal path does.  Without it a cancelled waiter would leave
 * wait_mu locked and its entry, on a stack that no longer exists, in the
 * list: every later changing write and ss_close would hang.
 *
 * Its bits leave the union with it, recomputed from the entries left: a
 * waiter that has unlinked itself needs no signal.
 */
static void wait_leave(void *arg)
{
	struct wait_hold *h = arg;
	struct ss_waiter *w = h->w;

	*w->pprev = w->next;
	if (w->next)
		w->next->pprev = w->pprev;
	if (w->mask)
		wmask_recompute(h->s);
	pthread_mutex_unlock(&h->s->wait_mu);
	pthread_cond_destroy(&w->cond);
}

/* Sleeps, registered and holding wait_mu, until a change in @mask after
 * *@seen, the close or @deadline (NULL: none). */
static int sleep_registered(struct ss_state *s, struct ss_waiter *w,
			    uint64_t *seen, uint64_t mask,
			    const struct timespec *deadline)
{
	int err;

	for (;;) {
		if (atomic_load_explicit(&s->closed, memory_order_acquire))
			return -ECANCELED;
		if (mask && changed_since(s, *seen, mask))
			break;
		if (!deadline)
			err = pthread_cond_wait(&w->cond, &s->wait_mu);
		else
			err = pthread_cond_timedwait(&w->cond, &s->wait_mu,
						     deadline);
		if (err == ETIMEDOUT) {
			/* One last look: a change may have raced the clock. */
			if (atomic_load_explicit(&s->closed,
						 memory_order_acquire))
				return -ECANCELED;
			if (mask && changed_since(s, *seen, mask))
				break;
			return -ETIMEDOUT;
		}
	}
	*seen = atomic_load_explicit(&s->version, memory_order_acquire);
	return 0;
}

/*
 * Registers a waiter and sleeps (the slow half of ss_wait).  The cleanup
 * handler's setjmp is in here, in a frame that changes none of its
 * variables after it.  The deadline is computed here too, so that
 * ss_wait's own frame holds no variable whose address is taken:
 * AddressSanitizer puts red zones around those, and does not clear them
 * when a cancellation unwinds the frame; the thread's exit then trips on
 * them (a false stack-buffer-underflow, google/sanitizers#1399), for a
 * cancel acting at ss_wait's entry.
 */
static int wait_registered(struct ss_state *s, uint64_t *seen, uint64_t mask,
			   int timeout_ms)
{
	struct ss_waiter w;
	struct wait_hold hold = { s, &w };
	struct timespec deadline;
	pthread_condattr_t ca;
	int err, ret;

	if (timeout_ms > 0)
		deadline = ss__deadline(timeout_ms);

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	err = pthread_cond_init(&w.cond, &ca);
	pthread_condattr_destroy(&ca);
	if (err)
		return -err;
	w.mask = mask;

	/* Steps 1 to 3 of the top comment.  No cancellation point until the
	 * sleep: the cleanup handler needs to cover only that. */
	pthread_mutex_lock(&s->wait_mu);
	w.next = s->waiters;
	w.pprev = &s->waiters;
	if (w.next)
		w.next->pprev = &w.next;
	s->waiters = &w;
	if (mask) {
		pthread_mutex_unlock(&s->wait_mu);
		err = wmask_publish(s, mask);
		pthread_mutex_lock(&s->wait_mu);
		if (unlikely(err)) {
			wait_leave(&hold);
			return -err;
		}
	}

	pthread_cleanup_push(wait_leave, &hold);
	ret = sleep_registered(s, &w, seen, mask,
			       timeout_ms < 0 ? NULL : &deadline);
	pthread_cleanup_pop(1);
	return ret;
}

SS_EXPORT int ss_wait(ss_state *s, uint64_t *seen, uint64_t mask,
		      int timeout_ms)
{
	if (!s || !seen || !usable_mask(s, mask))
		return -EINVAL;
	if (unlikely(ss__held != NULL) && ss__held_by_me(s))
		return -EDEADLK;
	mask &= field_mask(s);
	/* A cancellation point even when it does not sleep, as read(2) is
	 * when data is there: a pending cancel acts here, before anything
	 * is taken. */
	pthread_testcancel();

	/* Fast path: no registration when the answer is already known. */
	if (atomic_load_explicit(&s->closed, memory_order_acquire))
		return -ECANCELED;
	if (mask && changed_since(s, *seen, mask)) {
		*seen = atomic_load_explicit(&s->version, memory_order_acquire);
		return 0;
	}
	if (timeout_ms == 0)
		return -ETIMEDOUT;
	return wait_registered(s, seen, mask, timeout_ms);
}

/*
 * Makes the watches readable whose mask meets @changed (every watch when
 * @all: the close).  Under wait_mu.  write(2) on an eventfd neither
 * blocks (EFD_NONBLOCK: a counter at its maximum is readable already)
 * nor may be left to cancel the writer here, with wait_mu held: it is a
 * cancellation point, so cancellation is off around it; and the calls
 * that come here (ss_set...) must leave errno alone.
 */
static void signal_watches(struct ss_state *s, uint64_t changed, bool all)
{
	const uint64_t one = 1;
	int saved = errno, cancel;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	for (struct ss_watch *w = s->watches; w; w = w->next)
		if (all || (w->mask & changed))
			if (write(w->fd, &one, sizeof(one)) < 0) {
				/* EAGAIN only: readable anyway. */
			}
	pthread_setcancelstate(cancel, NULL);
	errno = saved;
}

/* Called by a writer whose change met the union (write_done): signals
 * only the entries whose own mask meets @changed. */
void ss__wake(struct ss_state *s, uint64_t changed)
{
	pthread_mutex_lock(&s->wait_mu);
	for (struct ss_waiter *w = s->waiters; w; w = w->next)
		if (w->mask & changed)
			pthread_cond_signal(&w->cond);
	if (s->watches)
		signal_watches(s, changed, false);
	pthread_mutex_unlock(&s->wait_mu);
}

SS_EXPORT void ss_close(ss_state *s)
{
	if (!s)
		return;
	atomic_store_explicit(&s->closed, true, memory_order_release);
	pthread_mutex_lock(&s->wait_mu);
	for (struct ss_waiter *w = s->waiters; w; w = w->next)
		pthread_cond_signal(&w->cond);
	if (s->watches)
		signal_watches(s, 0, true);
	pthread_mutex_unlock(&s->wait_mu);
}

SS_EXPORT bool ss_is_closed(const ss_state *s)
{
	return s && atomic_load_explicit(&((struct ss_state *)s)->closed,
					 memory_order_acquire);
}

unsigned ss__waiting(struct ss_state *s)
{
	unsigned n = 0;

	pthread_mutex_lock(&s->wait_mu);
	for (struct ss_waiter *w = s->waiters; w; w = w->next)
		n++;
	pthread_mutex_unlock(&s->wait_mu);
	return n;
}

void ss__wait_lock(struct ss_state *s)
{
	pthread_mutex_lock(&s->wait_mu);
}

void ss__wait_unlock(struct ss_state *s)
{
	pthread_mutex_unlock(&s->wait_mu);
}

uint64_t ss__wmask(struct ss_state *s)
{
	return atomic_load_explicit(&s->wmask, memory_order_relaxed);
}

void ss__wmask_add(struct ss_state *s, uint64_t bits)
{
	if (wmask_publish(s, bits) != 0)
		ss__die("ss__wmask_add: the record lock failed");
}

/* ---- watches ------------------------------------------------------- */

/* close(2), which is a cancellation point, as none: the calls that come
 * here are not ones; and errno stays as it was. */
static void close_quietly(int fd)
{
	int saved = errno, cancel;

	pthread_setcancelstate(PTHREAD_CANCEL_DISABLE, &cancel);
	close(fd);
	pthread_setcancelstate(cancel, NULL);
	errno = saved;
}

/*
 * A watch is linked first, under wait_mu, then its mask is ORed into the
 * union under the record lock (steps 1 and 2 of the top comment): a
 * writer that reads the union after it (under the record lock) finds the
 * watch in the list when it takes wait_mu.  A write before may or may not
 * signal it; the caller reads the record after this returns, and every
 * change after that read signals it.  Closing is
 * checked under wait_mu: ss_close sets the flag before it takes wait_mu
 * to signal the watches, so a watch is either refused or signalled.
 */
SS_EXPORT int ss_watch_fd(ss_state *s, uint64_t mask)
{
	struct ss_watch *w;
	int fd, err, saved = errno;

	if (!s || !usable_mask(s, mask))
		return -EINVAL;
	if (unlikely(ss__held != NULL) && ss__held_by_me(s))
		return -EDEADLK;
	mask &= field_mask(s);
	if (atomic_load_explicit(&s->closed, memory_order_acquire))
		return -ECANCELED;
	w = malloc(sizeof(*w));
	if (!w) {
		errno = saved;
		return -ENOMEM;
	}
	fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (fd < 0) {
		err = errno;
		free(w);
		errno = saved;
		return -err;
	}
	w->fd = fd;
	w->mask = mask;

	pthread_mutex_lock(&s->wait_mu);
	if (atomic_load_explicit(&s->closed, memory_order_acquire)) {
		pthread_mutex_unlock(&s->wait_mu);
		err = ECANCELED;
		goto fail;
	}
	w->next = s->watches;
	s->watches = w;
	pthread_mutex_unlock(&s->wait_mu);

	err = mask ? wmask_publish(s, mask) : 0;
	if (unlikely(err)) {
		/* Unlinked before it published anything. */
		pthread_mutex_lock(&s->wait_mu);
		for (struct ss_watch **pw = &s->watches; *pw; pw = &(*pw)->next)
			if (*pw == w) {
				*pw = w->next;
				break;
			}
		pthread_mutex_unlock(&s->wait_mu);
		goto fail;
	}
	return fd;

fail:
	close_quietly(fd);
	free(w);
	return -err;
}

SS_EXPORT int ss_unwatch_fd(ss_state *s, int fd)
{
	struct ss_watch *w = NULL;

	if (!s || fd < 0)
		return -EINVAL;
	pthread_mutex_lock(&s->wait_mu);
	for (struct ss_watch **pw = &s->watches; *pw; pw = &(*pw)->next)
		if ((*pw)->fd == fd) {
			w = *pw;
			*pw = w->next;
			/* Unlinked, it needs no signal: see wait_leave. */
			if (w->mask)
				wmask_recompute(s);
			break;
		}
	pthread_mutex_unlock(&s->wait_mu);
	if (!w)
		return -EINVAL;
	close_quietly(w->fd);
	free(w);
	return 0;
}

void ss__unwatch_all(struct ss_state *s)
{
	struct ss_watch *w = s->watches, *next;

	s->watches = NULL;
	for (; w; w = next) {
		next = w->next;
		close_quietly(w->fd);
		free(w);
	}
}

