# SPDX-License-Identifier: MIT
# Stress and Valgrind.
#
# tests/stress/stress: every lock policy under threads mixing every
# operation, invariants checked in every snapshot, exact final counts,
# destroy and free exactly once.  It links the library's objects
# statically, so that -Wl,--wrap sees the library's aligned_alloc and free
# (how a plain-data SS_SEQLOCK record, which has no destroy callback, is
# shown to be freed exactly once), and reaches the library's hidden test
# hooks (the seqlock's tries).  make check runs it briefly; make stress
# for STRESS_SECONDS per policy.
check_PROGRAMS += tests/stress/stress
tests_stress_stress_SOURCES = tests/stress/stress.c
tests_stress_stress_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/lib
tests_stress_stress_LDADD = lib/libsharedstate-core.la
tests_stress_stress_LDFLAGS = $(AM_LDFLAGS) \
	-Wl,--wrap=aligned_alloc -Wl,--wrap=free
TESTS += tests/stress/smoke.sh
EXTRA_DIST += \
	tests/stress/smoke.sh \
	tests/stress/valgrind.sh \
	tests/stress/valgrind.supp

STRESS_SECONDS = 60
STRESS_FLAGS = --seconds $(STRESS_SECONDS)
# In a TSan build, make check's TSAN_OPTIONS (tests/local.mk): the
# suppressions of third-party code (liburcu's rcu_barrier) and
# die_after_fork=0 apply to make stress too.
.PHONY: stress
stress: tests/stress/stress$(EXEEXT)
	$(AM_V_at)$(TSAN_ENV) tests/stress/stress $(STRESS_FLAGS)

# make valgrind: memcheck over every Check runner, the examples, the fuzz
# corpus replay and a short stress run (errors and definite or indirect
# leaks fail the run), then DRD over the library's threaded tests, the
# examples and the stress run.  Check runs its tests in the Valgrind'ed
# process itself (CK_FORK=no).  DRD needs the library's annotations of its
# C11 atomics: configure with CPPFLAGS=-DSS_VALGRIND (VALGRIND_DRD=auto
# runs it only then; yes or no to force).  VALGRIND_SCALE multiplies the
# time-bounded tests' durations (TEST_SCALE); VALGRIND_STRESS_SECONDS is
# per policy.  See tests/stress/valgrind.sh.
VALGRIND_SCALE = 1
VALGRIND_STRESS_SECONDS = 1
VALGRIND_DRD = auto
.PHONY: valgrind
valgrind: $(check_PROGRAMS)
	$(AM_V_at)$(AM_TESTS_ENVIRONMENT) \
	VALGRIND='$(VALGRIND)' LIBTOOL='$(LIBTOOL)' \
	VALGRIND_DRD='$(VALGRIND_DRD)' \
	VALGRIND_CPPFLAGS='$(CPPFLAGS) $(AM_CPPFLAGS)' \
	TEST_SCALE=$(VALGRIND_SCALE) \
	VALGRIND_STRESS_SECONDS=$(VALGRIND_STRESS_SECONDS) \
	$(SHELL) $(srcdir)/tests/stress/valgrind.sh $(check_PROGRAMS)
