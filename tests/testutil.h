/* SPDX-License-Identifier: MIT */
/* Helpers shared by the Check suites. */
#ifndef TESTS_TESTUTIL_H
#define TESTS_TESTUTIL_H

#include <check.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <sharedstate.h>

/* The suites, one per topic (tests/check_*.c). */
Suite *suite_lifecycle(void);
Suite *suite_access(void);
Suite *suite_update(void);
Suite *suite_versions(void);
Suite *suite_records(void);
Suite *suite_concurrency(void);
Suite *suite_readers(void);
Suite *suite_errors(void);
Suite *suite_cancel(void);
Suite *suite_watch(void);
Suite *suite_fork(void);
Suite *suite_snapshot(void);
Suite *suite_wmask(void);

/* Every policy: tcase_add_loop_test(tc, fn, 0, NPOLICIES) gives _i.
 * SS_TEST_NPOLICIES=N in the environment runs the first N policies only
 * (valgrind.sh's DRD run: 3, all but SS_SNAPSHOT); they are not counted
 * as run. */
#define NPOLICIES test_npolicies()
int test_npolicies(void);
#define POLICY ((enum ss_policy)_i)

/* Milliseconds on CLOCK_MONOTONIC. */
double now_ms(void);

/* Runs fn(arg) in a child process with stderr captured; checks that the
 * child died of SIGABRT and that its stderr contains @needle. */
void expect_abort(void (*fn)(void *), void *arg, const char *needle);

/* How long a time-bounded concurrency test runs, in ms (TEST_SCALE in the
 * environment multiplies it: the sanitizer builds run slower). */
double test_duration_ms(double base);

/* pthread_join with a sanity deadline, so that a regression fails the
 * test instead of hanging it: false if the thread is still running after
 * @ms. */
bool join_within(pthread_t t, double ms, void **ret);

/* Until @n waiters are linked into @s's list (the ss__waiting test hook);
 * fails the test after a sanity bound. */
void until_waiting(ss_state *s, unsigned n);

#endif
