# SPDX-License-Identifier: MIT
# Tests: the Check runner of the library's suites, and script tests that
# look at the built artefacts (exports, header, compile errors, man pages,
# installation).

# Sanitizer builds run slower: stretch the time-bounded tests' sanity
# deadlines and Check's per-test timeouts (ThreadSanitizer is the slower).
# A TEST_SCALE in the environment wins: TEST_SCALE=10 make check on a
# machine known to be slow.  Tests assert what the programs record about
# time, not the machine's speed: the scale only moves sanity limits.
if SANITIZE_THREAD
TEST_SCALE = 5
else
if SANITIZE
TEST_SCALE = 3
else
if EMULATED
TEST_SCALE = 3
else
TEST_SCALE = 1
endif
endif
endif
# ThreadSanitizer: no 1 s sleep at every exit (daemon tests time their
# shutdown), and the third-party suppressions.  die_after_fork=0: a child
# forked from a process with an SS_SNAPSHOT record (whose liburcu call_rcu
# thread makes it multithreaded) starts its own call_rcu thread, which
# TSan refuses by default after a multithreaded fork (check_fork.c's
# children follow the library's fork rule: no other thread was inside a
# call on the record).
if SANITIZE_THREAD
TSAN_ENV = TSAN_OPTIONS='atexit_sleep_ms=0:die_after_fork=0:suppressions=$(abs_top_srcdir)/tests/tsan.supp'; \
	export TSAN_OPTIONS;
else
TSAN_ENV =
endif
EXTRA_DIST += tests/tsan.supp

# Every test runs through tests/emulate.sh: as it is natively, under
# $(TEST_EMULATOR) in a cross build (make check TEST_EMULATOR=qemu-arm
# overrides configure's choice).  No TEST_EXTENSIONS: the programs and the
# .sh tests alike take LOG_COMPILER.  The tests that start programs
# themselves do it through the same script, which they find with
# TEST_EMULATOR in their environment.  Under emulation a program runs
# several times slower: TEST_SCALE 3 stretches the sanity deadlines.
LOG_COMPILER = $(SHELL) $(top_srcdir)/tests/emulate.sh
EXTRA_DIST += tests/emulate.sh
AM_TESTS_ENVIRONMENT = $(TSAN_ENV) \
	top_srcdir='$(abs_top_srcdir)' top_builddir='$(abs_top_builddir)'; \
	CC='$(CC)'; CXX='$(CXX)'; MANDOC='$(MANDOC)'; MAKE='$(MAKE)'; \
	SAN_CFLAGS='$(SAN_CFLAGS)'; PKG_CONFIG='$(PKG_CONFIG)'; \
	TEST_EMULATOR='$(TEST_EMULATOR)'; \
	TEST_SCALE=$${TEST_SCALE:-$(TEST_SCALE)}; \
	CK_TIMEOUT_MULTIPLIER=$$TEST_SCALE; \
	export top_srcdir top_builddir CC CXX MANDOC MAKE SAN_CFLAGS PKG_CONFIG \
		TEST_EMULATOR TEST_SCALE CK_TIMEOUT_MULTIPLIER;

if HAVE_CHECK
check_PROGRAMS += tests/check-sharedstate
TESTS += tests/check-sharedstate
endif
tests_check_sharedstate_SOURCES = \
	tests/check_main.c \
	tests/check_access.c \
	tests/check_cancel.c \
	tests/check_concurrency.c \
	tests/check_errors.c \
	tests/check_fork.c \
	tests/check_lifecycle.c \
	tests/check_readers.c \
	tests/check_records.c \
	tests/check_snapshot.c \
	tests/check_update.c \
	tests/check_versions.c \
	tests/check_watch.c \
	tests/check_wmask.c \
	tests/records.c \
	tests/records.h \
	tests/testutil.c \
	tests/testutil.h
tests_check_sharedstate_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/lib
tests_check_sharedstate_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS)
# Linked statically with the library's objects: the tests reach its hidden
# test hooks (ss__set_refcount).  The exported interface is tested through
# the shared library by the examples and tests/consumer.sh.
tests_check_sharedstate_LDADD = lib/libsharedstate-core.la $(CHECK_LIBS) -lm

# Plain char fields by the signedness of char: the same suite built with
# -fsigned-char (x86's default) and -funsigned-char (ARM's), so that every
# machine tests both (tests/check_char.c).
if HAVE_CHECK
check_PROGRAMS += tests/check-char-signed tests/check-char-unsigned
TESTS += tests/check-char-signed tests/check-char-unsigned
endif
tests_check_char_signed_SOURCES = tests/check_char.c
tests_check_char_signed_CPPFLAGS = $(AM_CPPFLAGS) -DSS_TEST_CHAR_SIGNED=1
tests_check_char_signed_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -fsigned-char
tests_check_char_signed_LDADD = lib/libsharedstate.la $(CHECK_LIBS)
tests_check_char_unsigned_SOURCES = tests/check_char.c
tests_check_char_unsigned_CPPFLAGS = $(AM_CPPFLAGS) -DSS_TEST_CHAR_SIGNED=0
tests_check_char_unsigned_CFLAGS = $(AM_CFLAGS) $(CHECK_CFLAGS) -funsigned-char
tests_check_char_unsigned_LDADD = lib/libsharedstate.la $(CHECK_LIBS)

TESTS += \
	tests/readme.sh \
	tests/exports.sh \
	tests/header.sh \
	tests/handle-types.sh \
	tests/man-lint.sh \
	tests/consumer.sh \
	tests/config-first.sh
EXTRA_DIST += \
	tests/readme.sh \
	tests/exports.sh \
	tests/header.sh \
	tests/handle-types.sh \
	tests/man-lint.sh \
	tests/consumer.sh \
	tests/config-first.sh

# Benchmarks: built with the tests (so they cannot rot), run by make bench.
# They link the shared library, as a user's program does.
check_PROGRAMS += tests/bench/bench
tests_bench_bench_CFLAGS = $(AM_CFLAGS) $(URCU_CFLAGS)
tests_bench_bench_LDADD = lib/libsharedstate.la $(URCU_LIBS) -lm
BENCH_SECONDS = 20
# The web server's figures (wrk on loopback): seconds per wrk run, and
# how long the idle daemon is watched.
WEB_BENCH_SECONDS = 5
IDLE_SECONDS = 60
BENCH_MORE =
EXTRA_DIST += tests/bench/web-bench.sh tests/bench/mqtt-bench.sh \
	tests/bench/load.sh tests/bench/mixed.lua
# Load: wrk at 64 connections mixing reads and writes, event streams
# attached (LOAD_SECONDS).
LOAD_SECONDS = 30
if BUILD_THERMOSTAT
check_PROGRAMS += tests/bench/web_latency
tests_bench_web_latency_SOURCES = tests/bench/web_latency.c
BENCH_MORE += bench-web
# The MQTT twin of web_latency (a command on BASE/setpoint/set until the
# retained setpoint and the relay's decision come back), against a broker
# of its own: web-bench.sh runs it (mqtt-bench.sh) when it is built.
if HAVE_MQTT
check_PROGRAMS += tests/bench/mqtt_latency
tests_bench_mqtt_latency_SOURCES = tests/bench/mqtt_latency.c
tests_bench_mqtt_latency_CFLAGS = $(AM_CFLAGS) $(MOSQUITTO_CFLAGS)
tests_bench_mqtt_latency_LDADD = $(MOSQUITTO_LIBS) -lm
WEB_BENCH_MQTT = tests/bench/mqtt_latency$(EXEEXT)
else
WEB_BENCH_MQTT =
endif
load: thermostat/thermostat$(EXEEXT)
	$(AM_V_at)$(srcdir)/tests/bench/load.sh thermostat/thermostat $(LOAD_SECONDS)
bench-web: thermostat/thermostat$(EXEEXT) tests/bench/web_latency$(EXEEXT) $(WEB_BENCH_MQTT)
	$(AM_V_at)$(srcdir)/tests/bench/web-bench.sh thermostat/thermostat \
		tests/bench/web_latency $(WEB_BENCH_SECONDS) $(IDLE_SECONDS) \
		$(WEB_BENCH_MQTT)
endif
.PHONY: bench bench-web soak load
bench: tests/bench/bench $(BENCH_MORE)
	$(AM_V_at)tests/bench/bench --seconds $(BENCH_SECONDS)
