/* SPDX-License-Identifier: MIT */
/*
 * libsharedstate: one record shared by many threads, behind refcounted
 * handles, with accessors generated from one X-macro list.
 *
 * ERROR CONVENTION (the whole API follows it)
 *   - Functions returning int return 0 (or a documented non-negative value)
 *     on success and a negated errno value on failure: -EINVAL (bad
 *     argument), -EDEADLK (called on a handle from inside that handle's own
 *     update or view callback), -ETIMEDOUT, -ECANCELED (the handle was
 *     closed: ss_wait and ss_watch_fd only), -ENOMEM, or -err for an
 *     unexpected error of a pthread or system call.  They never touch
 *     errno.
 *   - Functions returning a pointer return NULL on failure and set errno.
 *   - Functions returning a value by value (ss_version, the generated
 *     prefix_get_FIELD getters) cannot report an error; misuse that would
 *     otherwise go unnoticed (a get from inside the same handle's update
 *     callback, a lock failure that cannot happen) aborts the process with
 *     a message on stderr naming the call and the record type.
 *
 * OWNERSHIP
 *   ss_new returns a NEW reference; ss_ref adds one; each reference is
 *   released with exactly one ss_unref.  A handle passed to any other call
 *   is BORROWED: the caller must hold a reference for the whole call.
 *   Type descriptors (struct ss_type) are borrowed by every handle made
 *   from them and must outlive those handles (they are normally static).
 *   The file descriptor of ss_watch_fd belongs to the record: the caller
 *   polls and reads it, ss_unwatch_fd or the last ss_unref closes it.
 *
 * THREAD SAFETY
 *   Every function taking an ss_state is safe to call from any thread at
 *   any time while the caller holds a reference, except that a callback
 *   passed to ss_update/ss_view must not call accessors of the handle it
 *   runs under (they fail with -EDEADLK instead of hanging).  A callback
 *   that calls accessors of ANOTHER record can deadlock with a thread doing
 *   the reverse; that is not detected: change several records together
 *   with ss_update_many, which locks them in address order.
 *
 * CANCELLATION (pthread_cancel)
 *   ss_wait is a cancellation point: a thread cancelled while it sleeps
 *   there, or that calls it with a cancel pending, gives back all it held
 *   (the record works on as if the wait had returned).  No other function
 *   is one, except ss_dump, which writes through stdio; in particular the
 *   calls that block on a record's lock (ss_set, ss_update,
 *   ss_update_timed...) are not.  A callback runs with the record locked:
 *   a cancel acting inside it (at a printf, a write...) would leave the
 *   record locked for ever, so do not let one: a thread that may be
 *   cancelled and whose callback calls a cancellation point disables
 *   cancellation around the call (pthread_setcancelstate).  Asynchronous
 *   cancellation is not supported.
 *
 * FORK
 *   A child may use a record it inherited only if no other thread of
 *   the parent was inside a call on that record (sleeping in ss_wait
 *   included) when fork ran, and fork was not called from a callback on
 *   it: for instance, the parent was single-threaded at the fork.
 *   Otherwise the record's lock may be held by a thread the child does
 *   not have, and the child must not touch the record at all, not even
 *   ss_unref.  Records the child makes itself always work.  An inherited
 *   record is the child's own copy, but its watches are the parent's
 *   eventfds: the child releases them (ss_unwatch_fd) rather than read
 *   them.  SS_SNAPSHOT records follow the same rule; for them, and only
 *   for them, the library installs fork handlers: liburcu's (the urcu-bp
 *   flavour: its call_rcu thread, and a thread registry that keeps, in the
 *   child, only the thread that forked).  See
 *   libsharedstate(7), "Fork".
 */
#ifndef SHAREDSTATE_H
#define SHAREDSTATE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Version of this header.  The library's own version is ss_library_version().
 * The libtool version (current:revision:age) is a separate number kept in
 * configure.ac. */
#define SS_VERSION_MAJOR 0
#define SS_VERSION_MINOR 1
#define SS_VERSION_PATCH 0
#define SS_VERSION_STRING "0.1.0"
#define SS_VERSION_HEX                                                       \
	((SS_VERSION_MAJOR << 16) | (SS_VERSION_MINOR << 8) | SS_VERSION_PATCH)

#if defined(__GNUC__) || defined(__clang__)
#define SS_WARN_UNUSED __attribute__((warn_unused_result))
#define SS_UNUSED __attribute__((unused))
#else
#define SS_WARN_UNUSED
#define SS_UNUSED
#endif

/** Most fields a record may have: one bit each in a 64-bit mask. */
#define SS_MAX_FIELDS 64
/** A mask naming every field of any record (the bits beyond a record's
 *  last field are ignored). */
#define SS_MASK_ALL UINT64_MAX

/** An opaque, reference-counted shared record. */
typedef struct ss_state ss_state;

/** Lock policy, chosen once at creation; accessors behave the same under
 *  each.  See libsharedstate(7) for which to choose. */
enum ss_policy {
	SS_MUTEX = 0, /**< one mutex for readers and writers (the default) */
	SS_SEQLOCK,   /**< readers copy without a lock, and take the writers'
		       *   only after 4 tries spoiled by writes (ss_read(3));
		       *   plain data only */
	SS_RWLOCK,    /**< readers share a lock; for records that own memory */
	SS_SNAPSHOT,  /**< readers take immutable versions (read-copy-update) */
};

/** What a field holds, for generic code walking the field table. */
enum ss_kind {
	SS_KIND_OTHER = 0, /**< anything else: pointers, enums' host, structs */
	SS_KIND_BOOL,      /**< bool */
	SS_KIND_INT,       /**< signed integer (signed char, short, int...) */
	SS_KIND_UINT,      /**< unsigned integer; plain enums land here too */
	/* Plain char is whichever its signedness is on the target: signed
	 * on x86, unsigned on ARM (or with -funsigned-char). */
	SS_KIND_FLOAT,     /**< float, double or long double */
	SS_KIND_STRING,    /**< ss_str16/32/64/128: a NUL-terminated char array */
	SS_KIND_TIMESPEC,  /**< struct timespec */
};

/** One field of a record type. */
struct ss_field {
	const char *name;  /**< the member's name */
	enum ss_kind kind; /**< how generic code reads it */
	size_t offset;     /**< offsetof the member */
	size_t size;       /**< sizeof the member */
};

/** A record type.  Usually generated by SS_RECORD_DEFINE. */
struct ss_type {
	const char *name;              /**< used in messages */
	size_t size;                   /**< sizeof the record */
	const struct ss_field *fields; /**< field table, in member order */
	size_t nfields;                /**< at most SS_MAX_FIELDS */
	void (*destroy)(void *record); /**< frees what a record owns, or NULL */
	const void *defaults;          /**< initial value when ss_new gets NULL */
};

/**
 * Callback of a record that owns memory, for SS_SNAPSHOT, whose writers
 * copy the current version into a new one: on entry @dst holds a byte
 * copy of @src; replace each owned pointer in @dst with a pointer to a
 * copy of what it points to.  Returns 0, or a negative errno value after
 * freeing what it allocated (@dst is then discarded without the destroy
 * callback, and the write fails with that value).
 */
typedef int ss_copy_fn(void *dst, const void *src);

/* Fixed-size string fields.  A struct holding the array, so that the value
 * can be returned and passed by value like any other field. */
typedef struct ss_str16 { char s[16]; } ss_str16;
typedef struct ss_str32 { char s[32]; } ss_str32;
typedef struct ss_str64 { char s[64]; } ss_str64;
typedef struct ss_str128 { char s[128]; } ss_str128;

/** Copies src into the char array dst of size n, always NUL-terminated.
 *  Returns false when src was truncated.  Use as
 *  SS_STR_SET(field_value, "text"). */
static inline bool ss_str_copy(char *dst, size_t n, const char *src)
{
	size_t i = 0;

	if (n == 0)
		return false;
	for (; i + 1 < n && src[i] != '\0'; i++)
		dst[i] = src[i];
	for (size_t j = i; j < n; j++)
		dst[j] = '\0';
	return src[i] == '\0';
}
#define SS_STR_SET(str, src) ss_str_copy((str).s, sizeof((str).s), (src))

/* ---------------------------------------------------------------------
 * Lifecycle
 * ------------------------------------------------------------------- */

/**
 * ss_new() - make a shared record.
 * @type:   its type; borrowed, must outlive the handle.
 * @init:   initial value (copied), or NULL for type->defaults (or zeros).
 * @policy: SS_MUTEX, SS_SEQLOCK, SS_RWLOCK or SS_SNAPSHOT.
 *
 * Returns a NEW reference (count 1), or NULL with errno set: EINVAL for a
 * bad type or policy (including SS_SEQLOCK with a destroy callback: a
 * seqlock reader may copy a record while a writer frees what it points to;
 * and SS_SNAPSHOT with a destroy callback: two versions would share what
 * the record owns, use ss_new_with_copy), ENOMEM, or the error of a
 * failed pthread lock initialisation.
 * ss_last_error() then says why in words.
 * Thread safety: safe.
 */
SS_WARN_UNUSED ss_state *ss_new(const struct ss_type *type, const void *init,
				enum ss_policy policy);

/**
 * ss_new_with_copy() - ss_new for a record that owns memory under
 * SS_SNAPSHOT: @copy (see ss_copy_fn) makes each new version own copies
 * of what the current one owns, so that every version's destroy frees
 * only its own.  NULL copies bytes only (ss_new).  The other policies
 * never copy a record and ignore @copy.  Errors as ss_new.
 * The generated prefix_new passes the copy function of
 * SS_RECORD_DEFINE_COPY (NULL for the other DEFINE macros).
 */
SS_WARN_UNUSED ss_state *ss_new_with_copy(const struct ss_type *type,
					  const void *init,
					  enum ss_policy policy,
					  ss_copy_fn *copy);

/**
 * ss_last_error() - why the calling thread's last failed ss_new,
 * ss_new_with_copy or ss_acquire failed.
 * Returns a borrowed string valid until this thread's next call of one of
 * them; "" when there is nothing to say.  Thread safety: per thread.
 */
const char *ss_last_error(void);

/**
 * ss_ref() - take another reference (the "clone").
 * Returns @s, which the caller now also owns.  Costs one atomic increment.
 * The count saturates instead of wrapping (the record is then never freed,
 * and a warning is printed, once per process); a ref on a record whose
 * count already reached zero aborts with a message naming the record type
 * (detected only while the memory was not yet reused: after the last unref
 * the handle is gone).  @s must not be NULL (aborts).
 * Thread safety: safe.
 */
ss_state *ss_ref(ss_state *s);

/**
 * ss_unref() - drop a reference; the last one runs the type's destroy
 * callback and frees the record.  NULL is ignored.  An unref below zero
 * aborts with a message naming the record type.
 * Thread safety: safe; the caller must not use @s afterwards.
 */
void ss_unref(ss_state *s);

/** The type @s was made with (borrowed); NULL for NULL. */
const struct ss_type *ss_type_of(const ss_state *s);
/** The policy @s was made with; SS_MUTEX for NULL. */
enum ss_policy ss_policy_of(const ss_state *s);
/** "mutex", "seqlock", "rwlock", "snapshot", or NULL for an unknown
 *  value. */
const char *ss_policy_name(enum ss_policy policy);
/** The library's version, as "MAJOR.MINOR.PATCH" (static storage). */
const char *ss_library_version(void);

/* ---------------------------------------------------------------------
 * Access
 * ------------------------------------------------------------------- */

/**
 * ss_read() - copy the whole record into @out (type->size bytes), as one
 * consistent snapshot.  If @version is not NULL, stores the version the
 * snapshot belongs to.  Returns 0, -EINVAL, -EDEADLK.
 * A record that owns memory is copied shallowly: the pointers, not what
 * they point to (use ss_view for those).
 */
int ss_read(const ss_state *s, void *out, uint64_t *version);

/**
 * ss_get() - copy field number @field into @out (its size bytes).
 * Returns 0, -EINVAL (bad field), -EDEADLK.
 */
int ss_get(const ss_state *s, size_t field, void *out);

/**
 * ss_get_or_abort() - ss_get for getters that return by value: any error
 * aborts the process with a message naming @caller and the record type.
 */
void ss_get_or_abort(const ss_state *s, size_t field, void *out,
		     const char *caller);

/**
 * ss_set() - store @in (the field's size bytes) into field number @field.
 * Returns 1 if the bytes changed (the record's and the field's versions
 * were bumped and waiters on that field woken), 0 if they were already
 * equal (nothing bumped, nobody woken), or -EINVAL, -EDEADLK.
 */
int ss_set(ss_state *s, size_t field, const void *in);

/** Callback for ss_update: change @record in place; the return value is
 *  handed back to the caller of ss_update. */
typedef int ss_update_fn(void *record, void *ctx);

/**
 * ss_update() - run @fn on the record under one hold of the write lock,
 * so that several fields change atomically for every reader.
 * @fn receives a pointer to the record (under SS_SEQLOCK, a private copy
 * that is published when @fn returns); it must not keep the pointer, and it
 * must not call accessors of @s (they fail with -EDEADLK).  Changes are kept
 * whatever @fn returns.  Fields whose bytes @fn changed get new versions;
 * if no byte changed, nothing is bumped and nobody is woken.
 * Returns what @fn returned, or -EINVAL, -EDEADLK without calling @fn.
 */
int ss_update(ss_state *s, ss_update_fn *fn, void *ctx);

/**
 * ss_update_timed() - ss_update that gives up with -ETIMEDOUT (without
 * calling @fn) if the lock is not obtained within @timeout_ms milliseconds
 * (CLOCK_MONOTONIC; negative waits for ever).
 */
int ss_update_timed(ss_state *s, ss_update_fn *fn, void *ctx, int timeout_ms);

/** Callback for ss_update_many: @records[i] belongs to states[i]. */
typedef int ss_update_many_fn(void *const *records, void *ctx);

/**
 * ss_update_many() - lock @n distinct records (at most 16), always in
 * address order so two threads updating overlapping sets cannot deadlock,
 * and run @fn on all of them at once.  Returns what @fn returned, or
 * -EINVAL (n out of range, NULL, duplicates), -EDEADLK.
 */
int ss_update_many(ss_state *const *states, size_t n, ss_update_many_fn *fn,
		   void *ctx);

/** Callback for ss_view: read @record; do not keep the pointer. */
typedef int ss_view_fn(const void *record, void *ctx);

/**
 * ss_view() - run @fn on the record under a read lock (SS_RWLOCK: shared
 * with other readers; SS_MUTEX: the mutex; SS_SEQLOCK: on a consistent
 * private copy), so it can read what the record owns without copying it
 * all.  @fn must not call accessors of @s (-EDEADLK).
 * Returns what @fn returned, or -EINVAL, -EDEADLK, -ENOMEM.
 */
int ss_view(const ss_state *s, ss_view_fn *fn, void *ctx);

/**
 * ss_acquire() - take the record's current version, immutable, for as long
 * as the caller likes (SS_SNAPSHOT only): the read-copy-update reader, as
 * Rust's arc-swap load_full.  Writers are not blocked meanwhile; they
 * publish new versions beside it.  The caller reads the returned record
 * (type->size bytes, and what it owns) and must not write it.
 * Returns a NEW reference to the version, released with exactly one
 * ss_release(@s, version), which the last holder's release turns into the
 * type's destroy callback and the version's free (shortly after, on
 * liburcu's call_rcu thread).  Keep a reference to @s until then.
 * NULL with errno set on failure: EINVAL (NULL @s), EDEADLK (inside an
 * update or view callback on @s), ENOTSUP (a policy other than
 * SS_SNAPSHOT: nothing there stays immutable without a lock; use ss_read
 * or ss_view; ss_last_error() says so too).  A closed record still gives
 * versions (ss_close stops waits only).  Lock-free; never blocks.
 */
SS_WARN_UNUSED const void *ss_acquire(const ss_state *s);

/**
 * ss_acquire_version() - ss_acquire that also stores in *@version (when
 * not NULL) the record version the acquired snapshot belongs to, for
 * ss_wait.  Same errors.
 */
SS_WARN_UNUSED const void *ss_acquire_version(const ss_state *s,
					      uint64_t *version);

/**
 * ss_release() - give back a version ss_acquire returned.  NULL @version
 * is ignored.  A @version that is not one of @s's live versions (another
 * record's, a pointer never acquired, or released more often than
 * acquired, detected while the version is still current), and a release
 * on a record of another policy, abort the process with a message naming
 * the record type.  Never blocks.
 */
void ss_release(const ss_state *s, const void *version);

/* ---------------------------------------------------------------------
 * Versions and waiting
 * ------------------------------------------------------------------- */

/** The record's version: 0 at creation, +1 for every write that changed
 *  bytes.  Lock-free.  @s must not be NULL. */
uint64_t ss_version(const ss_state *s);

/** The record version at which field @field last changed (0: never).
 *  Returns 0 for a field number out of range or a NULL @s. */
uint64_t ss_field_version(const ss_state *s, size_t field);

/**
 * ss_wait() - sleep until a field in @mask changes after version *@seen.
 * Returns at once if one already has.  On 0 ("changed") *@seen is set to
 * the current version; read the record after the call to see the change.
 * Because the caller passes what it last saw, no change made between its
 * read and its wait is lost.  Changes to fields outside @mask, and writes
 * that leave the bytes equal, do not wake the caller.  A @mask of 0 waits
 * only for the timeout or ss_close.  Bits beyond the record's last field
 * are ignored when @mask names at least one field (SS_MASK_ALL works on
 * every record); a non-zero @mask naming no field of the record (another
 * record's bit, say) is -EINVAL.
 * @timeout_ms: CLOCK_MONOTONIC milliseconds; negative waits for ever;
 *   0 only checks.
 * Returns 0 (changed), -ETIMEDOUT, -ECANCELED (the record was closed: now
 * or before the call; this wins over a change), -EINVAL (NULL argument,
 * a mask naming no field), -EDEADLK.
 * A cancellation point (see CANCELLATION above), even with @timeout_ms 0.
 */
int ss_wait(ss_state *s, uint64_t *seen, uint64_t mask, int timeout_ms);

/**
 * ss_close() - make every current and future ss_wait on @s return
 * -ECANCELED at once, so that threads sleeping on the record can be told
 * to stop.  Reads and writes keep working.  Idempotent; may be called from
 * any thread, including inside an update callback.  NULL is ignored.
 */
void ss_close(ss_state *s);

/** Whether ss_close was called on @s; false for NULL. */
bool ss_is_closed(const ss_state *s);

/**
 * ss_watch_fd() - a file descriptor that becomes readable when a field in
 * @mask changes, for poll(2), epoll(7) or any event loop: the waiting of
 * ss_wait without a thread.
 * @mask: as for ss_wait (0: only the close; -EINVAL if it names no field).
 *
 * The descriptor is an eventfd (close-on-exec, non-blocking).  It becomes
 * readable (POLLIN, EPOLLIN) when, after this call, a write changes a
 * field in @mask, and when the record is closed.  Reading it (8 bytes:
 * the number of signals since the last read, at least 1) makes it
 * unreadable again until the next change: read it, then read the record.
 * Every change made after the caller's read of the record makes it
 * readable.  Closing is reported as readable too (an eventfd cannot
 * report a hang-up): after each wake-up, a caller that sees ss_is_closed
 * stops watching.
 *
 * Ownership: the RECORD owns the descriptor.  The caller may poll and
 * read it; it must not close it (nor write to it): ss_unwatch_fd closes
 * it, and so does the last ss_unref of the record, for every watch left.
 * Remove it from an event loop before either.
 * Returns the descriptor (>= 0), or -EINVAL, -EDEADLK, -ECANCELED (the
 * record is closed), -ENOMEM, or eventfd's error negated (-EMFILE...).
 * Not a cancellation point.  A watch costs writers nothing until it is
 * created; writes that touch no field of its mask make no system call.
 */
SS_WARN_UNUSED int ss_watch_fd(ss_state *s, uint64_t mask);

/**
 * ss_unwatch_fd() - stop the watch @fd of @s and close @fd.  Returns 0, or
 * -EINVAL if @fd is not a watch of @s (already released, or another
 * record's).  Not a cancellation point.
 */
int ss_unwatch_fd(ss_state *s, int fd);

/* ---------------------------------------------------------------------
 * Field tables: generic code over any record type
 * ------------------------------------------------------------------- */

/** The index of the field named @name in @type, or -ENOENT, or -EINVAL
 *  for a NULL argument. */
int ss_field_index(const struct ss_type *type, const char *name);

/**
 * ss_format_field() - write field @f of @record as text into @buf (size
 * @len), snprintf-style: returns the length the full text needs (excluding
 * the NUL), or -EINVAL.  bool: true/false; integers: decimal; float and
 * double: the shortest decimal that reads back to the same value, in plain
 * notation from 1e-4 to 1e15 ("20", "0.1"), else with an exponent; "nan",
 * "inf", "-inf"; long double: "%.*Lg" with LDBL_DECIMAL_DIG digits (21 on
 * x86, 36 on arm64: it reads back exactly; where long double is a double,
 * as a double); strings: their text; timespec: a signed decimal of
 * seconds with nine decimals ("-1.500000000" for {-2, 500000000}); other
 * kinds and unusual sizes: hex bytes.
 */
int ss_format_field(char *buf, size_t len, const struct ss_field *f,
		    const void *record);

/**
 * ss_parse_field() - the inverse of ss_format_field: parse @text into field
 * @f of @record.  The whole text must be consumed.  Returns 0, -EINVAL
 * (malformed), -ERANGE (does not fit the field), -ENOTSUP (SS_KIND_OTHER,
 * or an integer or float field of a size the library does not handle).
 * On failure the record is unchanged.
 */
int ss_parse_field(const struct ss_field *f, void *record, const char *text);

/**
 * ss_dump() - print @record as "name=value" lines, one per field, through
 * ss_format_field.  Returns 0, -EINVAL (NULL argument), -ENOMEM, or -EIO
 * when the stream reports an error at once (errors of buffered output show
 * at fflush/fclose).  Not locked: pass a snapshot.
 */
int ss_dump(FILE *out, const struct ss_type *type, const void *record);

/* ---------------------------------------------------------------------
 * Generated records
 *
 *   #define THERMO_FIELDS(X)                    \
 *           X(bool,   running,     true)        \
 *           X(double, temperature, NAN)         \
 *           X(double, setpoint,    20.0)
 *   SS_RECORD_DECLARE(thermo, THERMO_FIELDS)    in a header
 *   SS_RECORD_DEFINE(thermo, THERMO_FIELDS)     in one .c file
 *
 * gives struct thermo, a handle type thermo_handle (a distinct struct per
 * record: passing another record's handle does not compile), and
 *   thermo_new(init_or_NULL, policy), thermo_valid, thermo_ref, thermo_unref,
 *   thermo_read, thermo_update, thermo_update_timed, thermo_view,
 *   thermo_wait, thermo_close, thermo_watch_fd, thermo_unwatch_fd,
 *   thermo_version, thermo_state (the underlying ss_state *),
 *   thermo_acquire, thermo_acquire_version, thermo_release (SS_SNAPSHOT),
 *   per field: thermo_get_F (by value), thermo_load_F (int), thermo_set_F,
 *   thermo_FIELD_F (index), SS_MASK(thermo, F) (mask bit), thermo_NFIELDS,
 *   thermo_type (the ss_type with its field table), thermo_defaults.
 * Field types: any type whose declaration reads "type name" and that a
 * function can return: wrap arrays in a struct (as ss_str16... do), use a
 * typedef for function pointers.  A default containing a comma must be
 * wrapped in SS_INIT(...).  At most SS_MAX_FIELDS fields (more fails to
 * compile: "a record has at most SS_MAX_FIELDS (64) fields").
 * See SS_RECORD_DECLARE(3).
 * ------------------------------------------------------------------- */

/** Index of field @name of record @P, as an integer constant expression. */
#define SS_FIELD(P, name) offsetof(struct P##_fieldidx_, name)
/** Mask bit of field @name of record @P, for ss_wait. */
#define SS_MASK(P, name) (UINT64_C(1) << SS_FIELD(P, name))
/** Wraps a default value that contains commas: SS_INIT({1, 2}). */
#define SS_INIT(...) __VA_ARGS__

/* Expansions over the user's list.  Each is used by SS_RECORD_DECLARE or
 * SS_RECORD_DEFINE below. */
#define SS__MEMBER(type, name, dflt) type name;
#define SS__IDX_MEMBER(type, name, dflt) char name;
#define SS__DEFAULT(type, name, dflt) .name = dflt,
#define SS__TUPLE(type, name, dflt) , (type, name)

/* SS__FOREACH(M, P, (t, n), (t, n), ...) expands M(P, (t, n)) for each
 * pair: the prefix P must reach every per-field expansion, and an X-macro
 * callback receives only (type, name, default), so the list is turned into
 * tuples first and walked here, up to SS_MAX_FIELDS. */
#define SS__FOREACH(M, P, ...)                                               \
	SS__CAT(SS__FE_, SS__NARG(__VA_ARGS__))(M, P, __VA_ARGS__)
#define SS__FOREACH_LIST(M, P, LIST) SS__FOREACH_(M, P LIST(SS__TUPLE))
#define SS__FOREACH_(...) SS__FOREACH(__VA_ARGS__)
#define SS__CAT(a, b) SS__CAT_(a, b)
#define SS__CAT_(a, b) a##b
#define SS__APPLY(m, args) m args
#define SS__NARG(...) SS__NARG_(__VA_ARGS__, TOO_MANY_FIELDS_MAX_IS_64, 64, 63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41, 40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0)
#define SS__NARG_(_1, _2, _3, _4, _5, _6, _7, _8, _9, _10, _11, _12, _13, _14, _15, _16, _17, _18, _19, _20, _21, _22, _23, _24, _25, _26, _27, _28, _29, _30, _31, _32, _33, _34, _35, _36, _37, _38, _39, _40, _41, _42, _43, _44, _45, _46, _47, _48, _49, _50, _51, _52, _53, _54, _55, _56, _57, _58, _59, _60, _61, _62, _63, _64, _65, n, ...) n
/* Reached with 65 fields: say so. */
#define SS__FE_TOO_MANY_FIELDS_MAX_IS_64(...)                                \
	_Static_assert(0, "a record has at most SS_MAX_FIELDS (64) fields");
#define SS__FE_1(M, P, x) M(P, x)
#define SS__FE_2(M, P, x, ...) M(P, x) SS__FE_1(M, P, __VA_ARGS__)
#define SS__FE_3(M, P, x, ...) M(P, x) SS__FE_2(M, P, __VA_ARGS__)
#define SS__FE_4(M, P, x, ...) M(P, x) SS__FE_3(M, P, __VA_ARGS__)
#define SS__FE_5(M, P, x, ...) M(P, x) SS__FE_4(M, P, __VA_ARGS__)
#define SS__FE_6(M, P, x, ...) M(P, x) SS__FE_5(M, P, __VA_ARGS__)
#define SS__FE_7(M, P, x, ...) M(P, x) SS__FE_6(M, P, __VA_ARGS__)
#define SS__FE_8(M, P, x, ...) M(P, x) SS__FE_7(M, P, __VA_ARGS__)
#define SS__FE_9(M, P, x, ...) M(P, x) SS__FE_8(M, P, __VA_ARGS__)
#define SS__FE_10(M, P, x, ...) M(P, x) SS__FE_9(M, P, __VA_ARGS__)
#define SS__FE_11(M, P, x, ...) M(P, x) SS__FE_10(M, P, __VA_ARGS__)
#define SS__FE_12(M, P, x, ...) M(P, x) SS__FE_11(M, P, __VA_ARGS__)
#define SS__FE_13(M, P, x, ...) M(P, x) SS__FE_12(M, P, __VA_ARGS__)
#define SS__FE_14(M, P, x, ...) M(P, x) SS__FE_13(M, P, __VA_ARGS__)
#define SS__FE_15(M, P, x, ...) M(P, x) SS__FE_14(M, P, __VA_ARGS__)
#define SS__FE_16(M, P, x, ...) M(P, x) SS__FE_15(M, P, __VA_ARGS__)
#define SS__FE_17(M, P, x, ...) M(P, x) SS__FE_16(M, P, __VA_ARGS__)
#define SS__FE_18(M, P, x, ...) M(P, x) SS__FE_17(M, P, __VA_ARGS__)
#define SS__FE_19(M, P, x, ...) M(P, x) SS__FE_18(M, P, __VA_ARGS__)
#define SS__FE_20(M, P, x, ...) M(P, x) SS__FE_19(M, P, __VA_ARGS__)
#define SS__FE_21(M, P, x, ...) M(P, x) SS__FE_20(M, P, __VA_ARGS__)
#define SS__FE_22(M, P, x, ...) M(P, x) SS__FE_21(M, P, __VA_ARGS__)
#define SS__FE_23(M, P, x, ...) M(P, x) SS__FE_22(M, P, __VA_ARGS__)
#define SS__FE_24(M, P, x, ...) M(P, x) SS__FE_23(M, P, __VA_ARGS__)
#define SS__FE_25(M, P, x, ...) M(P, x) SS__FE_24(M, P, __VA_ARGS__)
#define SS__FE_26(M, P, x, ...) M(P, x) SS__FE_25(M, P, __VA_ARGS__)
#define SS__FE_27(M, P, x, ...) M(P, x) SS__FE_26(M, P, __VA_ARGS__)
#define SS__FE_28(M, P, x, ...) M(P, x) SS__FE_27(M, P, __VA_ARGS__)
#define SS__FE_29(M, P, x, ...) M(P, x) SS__FE_28(M, P, __VA_ARGS__)
#define SS__FE_30(M, P, x, ...) M(P, x) SS__FE_29(M, P, __VA_ARGS__)
#define SS__FE_31(M, P, x, ...) M(P, x) SS__FE_30(M, P, __VA_ARGS__)
#define SS__FE_32(M, P, x, ...) M(P, x) SS__FE_31(M, P, __VA_ARGS__)
#define SS__FE_33(M, P, x, ...) M(P, x) SS__FE_32(M, P, __VA_ARGS__)
#define SS__FE_34(M, P, x, ...) M(P, x) SS__FE_33(M, P, __VA_ARGS__)
#define SS__FE_35(M, P, x, ...) M(P, x) SS__FE_34(M, P, __VA_ARGS__)
#define SS__FE_36(M, P, x, ...) M(P, x) SS__FE_35(M, P, __VA_ARGS__)
#define SS__FE_37(M, P, x, ...) M(P, x) SS__FE_36(M, P, __VA_ARGS__)
#define SS__FE_38(M, P, x, ...) M(P, x) SS__FE_37(M, P, __VA_ARGS__)
#define SS__FE_39(M, P, x, ...) M(P, x) SS__FE_38(M, P, __VA_ARGS__)
#define SS__FE_40(M, P, x, ...) M(P, x) SS__FE_39(M, P, __VA_ARGS__)
#define SS__FE_41(M, P, x, ...) M(P, x) SS__FE_40(M, P, __VA_ARGS__)
#define SS__FE_42(M, P, x, ...) M(P, x) SS__FE_41(M, P, __VA_ARGS__)
#define SS__FE_43(M, P, x, ...) M(P, x) SS__FE_42(M, P, __VA_ARGS__)
#define SS__FE_44(M, P, x, ...) M(P, x) SS__FE_43(M, P, __VA_ARGS__)
#define SS__FE_45(M, P, x, ...) M(P, x) SS__FE_44(M, P, __VA_ARGS__)
#define SS__FE_46(M, P, x, ...) M(P, x) SS__FE_45(M, P, __VA_ARGS__)
#define SS__FE_47(M, P, x, ...) M(P, x) SS__FE_46(M, P, __VA_ARGS__)
#define SS__FE_48(M, P, x, ...) M(P, x) SS__FE_47(M, P, __VA_ARGS__)
#define SS__FE_49(M, P, x, ...) M(P, x) SS__FE_48(M, P, __VA_ARGS__)
#define SS__FE_50(M, P, x, ...) M(P, x) SS__FE_49(M, P, __VA_ARGS__)
#define SS__FE_51(M, P, x, ...) M(P, x) SS__FE_50(M, P, __VA_ARGS__)
#define SS__FE_52(M, P, x, ...) M(P, x) SS__FE_51(M, P, __VA_ARGS__)
#define SS__FE_53(M, P, x, ...) M(P, x) SS__FE_52(M, P, __VA_ARGS__)
#define SS__FE_54(M, P, x, ...) M(P, x) SS__FE_53(M, P, __VA_ARGS__)
#define SS__FE_55(M, P, x, ...) M(P, x) SS__FE_54(M, P, __VA_ARGS__)
#define SS__FE_56(M, P, x, ...) M(P, x) SS__FE_55(M, P, __VA_ARGS__)
#define SS__FE_57(M, P, x, ...) M(P, x) SS__FE_56(M, P, __VA_ARGS__)
#define SS__FE_58(M, P, x, ...) M(P, x) SS__FE_57(M, P, __VA_ARGS__)
#define SS__FE_59(M, P, x, ...) M(P, x) SS__FE_58(M, P, __VA_ARGS__)
#define SS__FE_60(M, P, x, ...) M(P, x) SS__FE_59(M, P, __VA_ARGS__)
#define SS__FE_61(M, P, x, ...) M(P, x) SS__FE_60(M, P, __VA_ARGS__)
#define SS__FE_62(M, P, x, ...) M(P, x) SS__FE_61(M, P, __VA_ARGS__)
#define SS__FE_63(M, P, x, ...) M(P, x) SS__FE_62(M, P, __VA_ARGS__)
#define SS__FE_64(M, P, x, ...) M(P, x) SS__FE_63(M, P, __VA_ARGS__)

/* Per-field declarations: index constant and typed accessors. */
#define SS__ACCESSORS(P, tn) SS__APPLY(SS__ACCESSORS_, (P, SS__UNPAREN tn))
#define SS__UNPAREN(...) __VA_ARGS__
#define SS__ACCESSORS_(P, type, name)                                        \
	enum { P##_FIELD_##name = SS_FIELD(P, name) };                       \
	static inline type P##_get_##name(P##_handle h)                      \
	{                                                                    \
		type v;                                                      \
		ss_get_or_abort(h.ss_, P##_FIELD_##name, &v,                 \
				#P "_get_" #name);                           \
		return v;                                                    \
	}                                                                    \
	static inline int P##_load_##name(P##_handle h, type *out)           \
	{                                                                    \
		return ss_get(h.ss_, P##_FIELD_##name, out);                 \
	}                                                                    \
	static inline int P##_set_##name(P##_handle h, type v)               \
	{                                                                    \
		return ss_set(h.ss_, P##_FIELD_##name, &v);                  \
	}

/**
 * SS_RECORD_DECLARE(P, LIST) - in a header: struct P, P_handle, and the
 * inline accessors, each a thin typed call into the library.
 */
#define SS_RECORD_DECLARE(P, LIST)                                           \
	struct P {                                                           \
		LIST(SS__MEMBER)                                             \
	};                                                                   \
	struct P##_fieldidx_ {                                               \
		LIST(SS__IDX_MEMBER)                                         \
	};                                                                   \
	enum { P##_NFIELDS = sizeof(struct P##_fieldidx_) };                 \
	typedef struct P##_handle {                                          \
		ss_state *ss_;                                               \
	} P##_handle;                                                        \
	extern const struct ss_type P##_type;                                \
	extern const struct P P##_defaults;                                  \
	extern ss_copy_fn *const P##_copy_fn_;                               \
	static inline P##_handle P##_new(const struct P *init,               \
					 enum ss_policy policy)              \
	{                                                                    \
		P##_handle h = { ss_new_with_copy(&P##_type, init, policy,   \
						  P##_copy_fn_) };           \
		return h;                                                    \
	}                                                                    \
	static inline bool P##_valid(P##_handle h) { return h.ss_ != NULL; } \
	static inline ss_state *P##_state(P##_handle h) { return h.ss_; }    \
	SS_WARN_UNUSED static inline const struct P *P##_acquire(           \
		P##_handle h)                                                \
	{                                                                    \
		return (const struct P *)ss_acquire(h.ss_);                  \
	}                                                                    \
	SS_WARN_UNUSED static inline const struct P *P##_acquire_version(   \
		P##_handle h, uint64_t *version)                             \
	{                                                                    \
		return (const struct P *)ss_acquire_version(h.ss_, version); \
	}                                                                    \
	static inline void P##_release(P##_handle h, const struct P *p)      \
	{                                                                    \
		ss_release(h.ss_, p);                                        \
	}                                                                    \
	static inline P##_handle P##_ref(P##_handle h)                       \
	{                                                                    \
		ss_ref(h.ss_);                                               \
		return h;                                                    \
	}                                                                    \
	static inline void P##_unref(P##_handle h) { ss_unref(h.ss_); }      \
	static inline int P##_read(P##_handle h, struct P *out,              \
				   uint64_t *version)                        \
	{                                                                    \
		return ss_read(h.ss_, out, version);                         \
	}                                                                    \
	struct P##_call_ {                                                   \
		int (*update)(struct P *, void *);                           \
		int (*view)(const struct P *, void *);                       \
		void *ctx;                                                   \
	};                                                                   \
	static inline int P##_update_tramp_(void *rec, void *c)              \
	{                                                                    \
		struct P##_call_ *u = (struct P##_call_ *)c;                 \
		return u->update((struct P *)rec, u->ctx);                   \
	}                                                                    \
	static inline int P##_view_tramp_(const void *rec, void *c)          \
	{                                                                    \
		struct P##_call_ *u = (struct P##_call_ *)c;                 \
		return u->view((const struct P *)rec, u->ctx);               \
	}                                                                    \
	static inline int P##_update(P##_handle h,                           \
				     int (*fn)(struct P *, void *), void *ctx) \
	{                                                                    \
		struct P##_call_ u = { fn, NULL, ctx };                      \
		return ss_update(h.ss_, P##_update_tramp_, &u);              \
	}                                                                    \
	static inline int P##_update_timed(P##_handle h,                     \
					   int (*fn)(struct P *, void *),    \
					   void *ctx, int timeout_ms)        \
	{                                                                    \
		struct P##_call_ u = { fn, NULL, ctx };                      \
		return ss_update_timed(h.ss_, P##_update_tramp_, &u,         \
				       timeout_ms);                          \
	}                                                                    \
	static inline int P##_view(P##_handle h,                             \
				   int (*fn)(const struct P *, void *),      \
				   void *ctx)                                \
	{                                                                    \
		struct P##_call_ u = { NULL, fn, ctx };                      \
		return ss_view(h.ss_, P##_view_tramp_, &u);                  \
	}                                                                    \
	static inline int P##_wait(P##_handle h, uint64_t *seen,             \
				   uint64_t mask, int timeout_ms)            \
	{                                                                    \
		return ss_wait(h.ss_, seen, mask, timeout_ms);               \
	}                                                                    \
	static inline void P##_close(P##_handle h) { ss_close(h.ss_); }      \
	SS_WARN_UNUSED static inline int P##_watch_fd(P##_handle h,          \
						      uint64_t mask)         \
	{                                                                    \
		return ss_watch_fd(h.ss_, mask);                             \
	}                                                                    \
	static inline int P##_unwatch_fd(P##_handle h, int fd)               \
	{                                                                    \
		return ss_unwatch_fd(h.ss_, fd);                             \
	}                                                                    \
	static inline uint64_t P##_version(P##_handle h)                     \
	{                                                                    \
		return ss_version(h.ss_);                                    \
	}                                                                    \
	SS__FOREACH_LIST(SS__ACCESSORS, P, LIST)                             \
	struct P##_declared_ /* swallows the caller's semicolon */

/* Field kind of a type, as an integer constant expression (C only).
 * Plain char is a distinct type of the signedness of the target (or of
 * -funsigned-char): CHAR_MIN says which, in the program that declares
 * the record. */
#define SS__KIND(type)                                                       \
	_Generic(*(type *)0,                                                 \
		_Bool: SS_KIND_BOOL,                                         \
		char: (CHAR_MIN < 0 ? SS_KIND_INT : SS_KIND_UINT),           \
		signed char: SS_KIND_INT,                                    \
		short: SS_KIND_INT, int: SS_KIND_INT, long: SS_KIND_INT,     \
		long long: SS_KIND_INT,                                      \
		unsigned char: SS_KIND_UINT, unsigned short: SS_KIND_UINT,   \
		unsigned int: SS_KIND_UINT, unsigned long: SS_KIND_UINT,     \
		unsigned long long: SS_KIND_UINT,                            \
		float: SS_KIND_FLOAT, double: SS_KIND_FLOAT,                 \
		long double: SS_KIND_FLOAT,                                  \
		ss_str16: SS_KIND_STRING, ss_str32: SS_KIND_STRING,          \
		ss_str64: SS_KIND_STRING, ss_str128: SS_KIND_STRING,         \
		struct timespec: SS_KIND_TIMESPEC,                           \
		default: SS_KIND_OTHER)
#define SS__FIELD_ENTRY(P, tn) SS__APPLY(SS__FIELD_ENTRY_, (P, SS__UNPAREN tn))
#define SS__FIELD_ENTRY_(P, type, name)                                      \
	{ #name, SS__KIND(type), offsetof(struct P, name),                   \
	  sizeof(((struct P *)0)->name) },

#define SS__DEFINE(P, LIST, destroy_fn, copy_fn)                             \
	_Static_assert(P##_NFIELDS <= SS_MAX_FIELDS,                         \
		       #P ": more than SS_MAX_FIELDS fields");               \
	const struct P P##_defaults = { LIST(SS__DEFAULT) };                 \
	static const struct ss_field P##_fields_[] = {                       \
		SS__FOREACH_LIST(SS__FIELD_ENTRY, P, LIST)                   \
	};                                                                   \
	const struct ss_type P##_type = {                                    \
		#P, sizeof(struct P), P##_fields_, P##_NFIELDS, destroy_fn,  \
		&P##_defaults                                                \
	};                                                                   \
	ss_copy_fn *const P##_copy_fn_ = copy_fn

/**
 * SS_RECORD_DEFINE(P, LIST) - in one .c file: the defaults, the field
 * table and the type descriptor P_type.
 */
#define SS_RECORD_DEFINE(P, LIST) SS__DEFINE(P, LIST, NULL, NULL)

/**
 * SS_RECORD_DEFINE_DESTROY(P, LIST, fn) - the same for a record that owns
 * memory: fn(struct P *) frees it when the last reference goes.
 */
#define SS_RECORD_DEFINE_DESTROY(P, LIST, fn)                                \
	static void P##_destroy_tramp_(void *rec) { fn((struct P *)rec); }   \
	SS__DEFINE(P, LIST, P##_destroy_tramp_, NULL)

/**
 * SS_RECORD_DEFINE_COPY(P, LIST, destroy, copy) - the same for a record
 * that owns memory and may be SS_SNAPSHOT: destroy(struct P *) frees what
 * a record owns; int copy(struct P *dst, const struct P *src) gives @dst,
 * a byte copy of @src, copies of what @src owns (see ss_copy_fn).
 */
#define SS_RECORD_DEFINE_COPY(P, LIST, destroy_fn, copy_fn)                  \
	static void P##_destroy_tramp_(void *rec) { destroy_fn((struct P *)rec); } \
	static int P##_copy_tramp_(void *dst, const void *src)               \
	{                                                                    \
		return copy_fn((struct P *)dst, (const struct P *)src);      \
	}                                                                    \
	SS__DEFINE(P, LIST, P##_destroy_tramp_, P##_copy_tramp_)

#ifdef __cplusplus
}
#endif

#endif /* SHAREDSTATE_H */
