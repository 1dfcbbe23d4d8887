/* SPDX-License-Identifier: MIT */
/* Records shared by the test suites. */
#ifndef TESTS_RECORDS_H
#define TESTS_RECORDS_H

#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <sharedstate.h>

enum color { RED, GREEN, BLUE };

/* One field of every supported kind. */
#define KINDS_FIELDS(X)                                                      \
	X(bool, flag, true)                                                  \
	X(int8_t, i8, -8)                                                    \
	X(int16_t, i16, -16)                                                 \
	X(int, i32, -32)                                                     \
	X(long long, i64, -64)                                               \
	X(uint8_t, u8, 8)                                                    \
	X(unsigned, u32, 32)                                                 \
	X(uint64_t, u64, 64)                                                 \
	X(float, f, 1.5f)                                                    \
	X(double, d, 2.25)                                                   \
	X(enum color, color, GREEN)                                          \
	X(ss_str16, label, { "hello" })                                      \
	X(struct timespec, at, SS_INIT({ 12, 345 }))                         \
	X(void *, ptr, NULL)
SS_RECORD_DECLARE(kinds, KINDS_FIELDS);

/* The invariant record of the torn-read tests: a == -b, and sum is the
 * checksum of a, b and the payload. */
#define PAIR_FIELDS(X)                                                       \
	X(long, a, 0)                                                        \
	X(long, b, 0)                                                        \
	X(uint64_t, p0, 0)                                                   \
	X(uint64_t, p1, 0)                                                   \
	X(uint64_t, p2, 0)                                                   \
	X(uint32_t, p3, 0)                                                   \
	X(uint16_t, p4, 0)                                                   \
	X(uint64_t, sum, 0)                                                  \
	X(long, counter, 0)
SS_RECORD_DECLARE(pair, PAIR_FIELDS);

uint64_t pair_checksum(const struct pair *p);
bool pair_consistent(const struct pair *p);

/* A small record for waiting tests. */
#define SMALL_FIELDS(X)                                                      \
	X(int, x, 0)                                                         \
	X(int, y, 0)                                                         \
	X(double, z, 0.0)
SS_RECORD_DECLARE(small, SMALL_FIELDS);

/* A record that owns memory, counting its destroy calls. */
#define OWNER_FIELDS(X)                                                      \
	X(int *, data, NULL)                                                 \
	X(size_t, n, 0)
SS_RECORD_DECLARE(owner, OWNER_FIELDS);
extern int owner_destroyed;

/* A record that owns memory and may be SS_SNAPSHOT: a copy function
 * duplicates its text; destroys and copies are counted. */
#define DOC_FIELDS(X)                                                        \
	X(char *, text, NULL)                                                \
	X(long, gen, 0)                                                      \
	X(long, check, 0)
SS_RECORD_DECLARE(doc, DOC_FIELDS);
extern int doc_destroyed, doc_copied, doc_copy_fails;

/* A record with the maximum number of fields. */
#define WIDE_FIELDS(X)                                                       \
	X(char, f00, 0) X(char, f01, 0) X(char, f02, 0) X(char, f03, 0)      \
	X(char, f04, 0) X(char, f05, 0) X(char, f06, 0) X(char, f07, 0)      \
	X(char, f08, 0) X(char, f09, 0) X(char, f10, 0) X(char, f11, 0)      \
	X(char, f12, 0) X(char, f13, 0) X(char, f14, 0) X(char, f15, 0)      \
	X(char, f16, 0) X(char, f17, 0) X(char, f18, 0) X(char, f19, 0)      \
	X(char, f20, 0) X(char, f21, 0) X(char, f22, 0) X(char, f23, 0)      \
	X(char, f24, 0) X(char, f25, 0) X(char, f26, 0) X(char, f27, 0)      \
	X(char, f28, 0) X(char, f29, 0) X(char, f30, 0) X(char, f31, 0)      \
	X(char, f32, 0) X(char, f33, 0) X(char, f34, 0) X(char, f35, 0)      \
	X(char, f36, 0) X(char, f37, 0) X(char, f38, 0) X(char, f39, 0)      \
	X(char, f40, 0) X(char, f41, 0) X(char, f42, 0) X(char, f43, 0)      \
	X(char, f44, 0) X(char, f45, 0) X(char, f46, 0) X(char, f47, 0)      \
	X(char, f48, 0) X(char, f49, 0) X(char, f50, 0) X(char, f51, 0)      \
	X(char, f52, 0) X(char, f53, 0) X(char, f54, 0) X(char, f55, 0)      \
	X(char, f56, 0) X(char, f57, 0) X(char, f58, 0) X(char, f59, 0)      \
	X(char, f60, 0) X(char, f61, 0) X(char, f62, 0) X(char, f63, 7)
SS_RECORD_DECLARE(wide, WIDE_FIELDS);

#endif
