/* SPDX-License-Identifier: MIT */
/* Lifecycle: creation, reference counting, destruction. */
#include <config.h>
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

__thread struct ss_held *ss__held;

static __thread char last_error[160];

void ss__die(const char *fmt, ...)
{
	va_list ap;

	fputs("libsharedstate: fatal: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

void ss__set_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_error, sizeof(last_error), fmt, ap);
	va_end(ap);
}

SS_EXPORT const char *ss_last_error(void)
{
	return last_error;
}

SS_EXPORT const char *ss_library_version(void)
{
	return SS_VERSION_STRING;
}

SS_EXPORT const char *ss_policy_name(enum ss_policy policy)
{
	switch (policy) {
	case SS_MUTEX:
		return "mutex";
	case SS_SEQLOCK:
		return "seqlock";
	case SS_RWLOCK:
		return "rwlock";
	case SS_SNAPSHOT:
		return "snapshot";
	}
	return NULL;
}

static int check_type(const struct ss_type *t, enum ss_policy policy,
		      ss_copy_fn *copy)
{
	const char *name = t && t->name ? t->name : "(unnamed)";

	if (!t || t->size == 0 || !t->fields || t->nfields == 0) {
		ss__set_error("type %s: needs a size and at least one field",
			      name);
		return EINVAL;
	}
	if (t->nfields > SS_MAX_FIELDS) {
		ss__set_error("type %s: %zu fields, at most %d", name,
			      t->nfields, SS_MAX_FIELDS);
		return EINVAL;
	}
	for (size_t i = 0; i < t->nfields; i++) {
		const struct ss_field *f = &t->fields[i];

		if (f->size == 0 || f->offset > t->size ||
		    f->size > t->size - f->offset) {
			ss__set_error("type %s: field %zu (%s) lies outside "
				      "the record", name, i,
				      f->name ? f->name : "?");
			return EINVAL;
		}
	}
	if (!ss_policy_name(policy)) {
		ss__set_error("type %s: unknown policy %d", name, (int)policy);
		return EINVAL;
	}
	if (policy == SS_SEQLOCK && t->destroy) {
		ss__set_error("type %s has a destroy callback (it owns memory): "
			      "SS_SEQLOCK readers copy without a lock and could "
			      "follow a pointer a writer just freed; use "
			      "SS_RWLOCK or SS_MUTEX", name);
		return EINVAL;
	}
	if (policy == SS_SNAPSHOT && t->destroy && !copy) {
		ss__set_error("type %s has a destroy callback (it owns memory) "
			      "and no copy function: SS_SNAPSHOT versions made "
			      "by copying bytes would share what it owns; use "
			      "ss_new_with_copy (SS_RECORD_DEFINE_COPY), or "
			      "SS_RWLOCK", name);
		return EINVAL;
	}
	return 0;
}

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

static int init_locks(struct ss_state *s)
{
	pthread_rwlockattr_t ra;
	int err;

	if (s->policy == SS_RWLOCK) {
		pthread_rwlockattr_init(&ra);
		/* Writers must not starve behind a stream of readers. */
		pthread_rwlockattr_setkind_np(
			&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
		err = pthread_rwlock_init(&s->lk.rw, &ra);
		pthread_rwlockattr_destroy(&ra);
	} else {
		err = pthread_mutex_init(&s->lk.mu, NULL);
	}
	if (err)
		return err;
	err = pthread_mutex_init(&s->wait_mu, NULL);
	if (err) {
		if (s->policy == SS_RWLOCK)
			pthread_rwlock_destroy(&s->lk.rw);
		else
			pthread_mutex_destroy(&s->lk.mu);
	}
	return err;
}

SS_EXPORT ss_state *ss_new_with_copy(const struct ss_type *type,
				     const void *init, enum ss_policy policy,
				     ss_copy_fn *copy)
{
	struct ss_state *s;
	size_t nwords, off_fver, off_scratch, off_shadow, total;
	int err;

	last_error[0] = '\0';
	err = check_type(type, policy, copy);
	if (err) {
		errno = err;
		return NULL;
	}
	if (!init)
		init = type->defaults;

	/* One block: the state ending in the record storage (the published
	 * words for SS_SEQLOCK), then the field versions, the scratch copy,
	 * and for SS_SEQLOCK the writers' shadow copy. */
	nwords = round_up(type->size, 8) / 8;
	off_fver = round_up(offsetof(struct ss_state, data) +
				    (policy == SS_SNAPSHOT ? 0 : nwords * 8),
			    SS_CACHELINE);
	off_scratch = round_up(off_fver + type->nfields * sizeof(uint64_t),
			       SS_CACHELINE);
	off_shadow = round_up(off_scratch + nwords * 8, SS_CACHELINE);
	total = off_shadow + (policy == SS_SEQLOCK ? nwords * 8 : 0);
	s = aligned_alloc(SS_CACHELINE, round_up(total, SS_CACHELINE));
	if (!s) {
		ss__set_error("type %s: out of memory", type->name);
		errno = ENOMEM;
		return NULL;
	}
	memset(s, 0, total);
	s->type = type;
	s->fields = type->fields;
	s->nfields = (uint32_t)type->nfields;
	s->policy = policy;
	s->ops = &ss__ops[policy];
	s->seq_tries = SS_SEQ_TRIES;
	s->size = type->size;
	s->nwords = nwords;
	/* The byte offsets computed above are aligned for the words they
	 * hold (asserted below); the casts go through void *, which tells
	 * -Wcast-align so (it warns on 32-bit ARM, where a uint64_t needs
	 * more alignment than a byte pointer promises). */
	_Static_assert(SS_CACHELINE % _Alignof(_Atomic uint64_t) == 0 &&
		       offsetof(struct ss_state, data) %
				       _Alignof(uint64_t) == 0,
		       "field versions and published words are aligned");
	s->fver = (void *)((unsigned char *)s + off_fver);
	s->scratch = (unsigned char *)s + off_scratch;
	if (policy == SS_SEQLOCK) {
		s->words = (void *)s->data;
		s->shadow = (unsigned char *)s + off_shadow;
		if (init)
			memcpy(s->shadow, init, type->size);
		/* Not yet shared: plain copies are fine. */
		memcpy(s->words, s->shadow, nwords * 8);
	} else if (policy != SS_SNAPSHOT) {
		s->rec = s->data;
		if (init)
			memcpy(s->rec, init, type->size);
	}
	err = init_locks(s);
	if (!err && policy == SS_SNAPSHOT) {
		s->copy = copy;
		err = ss__snap_init(s, init);
		if (err) {
			pthread_mutex_destroy(&s->lk.mu);
			pthread_mutex_destroy(&s->wait_mu);
		}
	}
	if (err) {
		ss__set_error("type %s: initialisation failed: %s",
			      type->name, strerror(err));
		free(s);
		errno = err;
		return NULL;
	}
	atomic_init(&s->refs, 1);
	SS_ANNOTATE_ATOMIC(&s->refs, sizeof(s->refs));
	SS_ANNOTATE_ATOMIC(&s->closed, sizeof(s->closed));
	SS_ANNOTATE_ATOMIC(&s->seq, sizeof(s->seq));
	SS_ANNOTATE_ATOMIC(&s->version, sizeof(s->version));
	SS_ANNOTATE_ATOMIC(&s->wmask, sizeof(s->wmask));
	SS_ANNOTATE_ATOMIC(s->fver, s->nfields * sizeof(*s->fver));
	if (policy == SS_SEQLOCK)
		SS_ANNOTATE_ATOMIC(s->words, nwords * 8);
	return s;
}

SS_EXPORT ss_state *ss_new(const struct ss_type *type, const void *init,
			   enum ss_policy policy)
{
	return ss_new_with_copy(type, init, policy, NULL);
}

static void destroy(struct ss_state *s)
{
	ss__unwatch_all(s);
	if (s->policy == SS_SNAPSHOT)
		ss__snap_fini(s);
	else if (s->type->destroy)
		s->type->destroy(s->rec);
	if (s->policy == SS_RWLOCK)
		pthread_rwlock_destroy(&s->lk.rw);
	else
		pthread_mutex_destroy(&s->lk.mu);
	pthread_mutex_destroy(&s->wait_mu);
	free(s);
}

static void saturate(struct ss_state *s, const char *how)
{
	static atomic_flag warned = ATOMIC_FLAG_INIT;

	atomic_store_explicit(&s->refs, SS_REF_SATURATED, memory_order_relaxed);
	if (!atomic_flag_test_and_set(&warned))
		fprintf(stderr,
			"libsharedstate: warning: %s record: reference count "
			"%s; saturated, the record will never be freed\n",
			s->type->name, how);
}

SS_EXPORT ss_state *ss_ref(ss_state *s)
{
	int32_t old;

	if (unlikely(!s))
		ss__die("ss_ref(NULL)");
	old = atomic_fetch_add_explicit(&s->refs, 1, memory_order_relaxed);
	if (unlikely(old <= 0 || old == INT32_MAX)) {
		if (old == 0)
			ss__die("ss_ref on a %s record whose last reference "
				"was already released (use after free)",
				s->type->name);
		saturate(s, old < 0 ? "is saturated" : "overflowed");
	}
	return s;
}

SS_EXPORT void ss_unref(ss_state *s)
{
	int32_t old;

	if (!s)
		return;
	/* acq_rel rather than release + an acquire fence: the same code on
	 * x86 and ARM, and ThreadSanitizer understands it. */
	SS_ANNOTATE_HAPPENS_BEFORE(&s->refs);
	old = atomic_fetch_sub_explicit(&s->refs, 1, memory_order_acq_rel);
	if (likely(old > 1))
		return;
	if (old == 1) {
		SS_ANNOTATE_HAPPENS_AFTER(&s->refs);
		destroy(s);
		return;
	}
	if (old == 0)
		ss__die("ss_unref on a %s record below zero (more unrefs than "
			"refs)", s->type->name);
	saturate(s, "is saturated");
}

SS_EXPORT const struct ss_type *ss_type_of(const ss_state *s)
{
	return s ? s->type : NULL;
}

SS_EXPORT enum ss_policy ss_policy_of(const ss_state *s)
{
	return s ? s->policy : SS_MUTEX;
}

void ss__set_refcount(struct ss_state *s, int32_t count)
{
	atomic_store(&s->refs, count);
}

int32_t ss__refcount(const struct ss_state *s)
{
	return atomic_load(&((struct ss_state *)s)->refs);
}

struct timespec ss__deadline(int ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}
