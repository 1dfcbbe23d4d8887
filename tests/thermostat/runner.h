/* SPDX-License-Identifier: MIT */
/*
 * The runner of the thermostat's Check programs (runner.c has main()),
 * and the temporary directories they work in.  A program lists its
 * suites:
 *
 *	const suite_fn test_suites[] = { suite_config, NULL };
 *
 * main() reads TEST_SCALE, makes one root directory
 * ($TMPDIR/check-PROG.XXXXXX, /tmp without TMPDIR), runs the suites
 * (Check forks a child per test; CK_RUN_SUITE / CK_RUN_CASE select a
 * part), removes the root with whatever a failed test (which skips its
 * cleanup) left in it, and fails when a test did.  The root exists
 * before the first fork: every test's child sees it, and makes its own
 * directories inside.
 *
 * runner.c needs only libc and Check (check-relay links no libthermo).
 */
#ifndef THERMO_TEST_RUNNER_H
#define THERMO_TEST_RUNNER_H

#include <check.h>
#include <stddef.h>

typedef Suite *(*suite_fn)(void);

/* The program's suites, run in this order; NULL-terminated. */
extern const suite_fn test_suites[];

/* Optional: a program that needs global set-up defines test_setup, run
 * once in main() after the root is made and TEST_SCALE read, before any
 * suite (so before any fork); nonzero ends the program with a failure.
 * test_cleanup, if defined, runs after the suites, before the root goes. */
int test_setup(void) __attribute__((weak));
void test_cleanup(void) __attribute__((weak));

/* TEST_SCALE, when it is 1 or more, else 1: how much longer than usual a
 * timing may take (the sanitizer builds are slower). */
double test_scale(void);

/* The root directory (absolute). */
const char *test_root(void);

/* A fresh, empty directory inside the root for the running test: its
 * path (the same buffer until test_tmpdir_remove).  A failed assertion
 * when it cannot be made. */
const char *test_tmpdir_make(void);
/* Removes that directory and everything in it. */
void test_tmpdir_remove(void);

/* Writes @n bytes of @data to @dir/@name, making the directories of @name
 * on the way; returns the file's path (static: valid until the next
 * call).  Failures are failed assertions. */
const char *test_write_file(const char *dir, const char *name,
			    const void *data, size_t n);

#endif
