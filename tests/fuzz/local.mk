# SPDX-License-Identifier: MIT
# Fuzzing.  The targets (tests/fuzz/fuzz_*.c) check properties of what
# each parser accepts; they run in two harnesses:
#   - make check: tests/fuzz/replay, built like every test (plain, ASan,
#     TSan), replays each file of tests/fuzz/corpus/TARGET through its
#     target: the seeds and every input a fuzzer ever found;
#   - make fuzz: libFuzzer binaries built by tests/fuzz/build.sh with
#     clang -fsanitize=fuzzer,address,undefined, outside this build's CC,
#     and run by tests/fuzz/run.sh for FUZZ_SECONDS each.
FUZZ_SOURCES = \
	tests/fuzz/common.c \
	tests/fuzz/fuzz_field.c \
	tests/fuzz/targets.h
FUZZ_THERMO_SOURCES = \
	tests/fuzz/fuzz_api.c \
	tests/fuzz/fuzz_config.c \
	tests/fuzz/fuzz_mqtt.c \
	tests/fuzz/fuzz_sensor.c \
	tests/fuzz/fuzz_statefile.c

check_PROGRAMS += tests/fuzz/replay
TESTS += tests/fuzz/replay
tests_fuzz_replay_SOURCES = tests/fuzz/replay.c $(FUZZ_SOURCES)
if BUILD_THERMOSTAT
tests_fuzz_replay_SOURCES += $(FUZZ_THERMO_SOURCES)
tests_fuzz_replay_CPPFLAGS = $(THERMO_CPPFLAGS) -DFUZZ_THERMOSTAT
tests_fuzz_replay_CFLAGS = $(THERMO_CFLAGS)
tests_fuzz_replay_LDADD = thermostat/libthermo.la -lm
else
# Set in both branches: automake gives a target whose flags one branch
# sets empty flags in the other (no include path, no warnings).
tests_fuzz_replay_CPPFLAGS = $(AM_CPPFLAGS)
tests_fuzz_replay_CFLAGS = $(AM_CFLAGS)
tests_fuzz_replay_LDADD = lib/libsharedstate.la -lm
endif

EXTRA_DIST += \
	tests/fuzz/build.sh \
	tests/fuzz/run.sh \
	tests/fuzz/entry.c \
	tests/fuzz/json.dict \
	tests/fuzz/corpus

# make fuzz: every target for FUZZ_SECONDS (5 minutes each by default),
# built and run in fuzz/ under the build directory; new inputs stay in
# fuzz/work/TARGET, crashes in fuzz/artifacts.
FUZZ_SECONDS = 300
.PHONY: fuzz
fuzz:
	$(AM_V_at)FUZZ_OUT='$(abs_top_builddir)/fuzz' \
		$(SHELL) $(top_srcdir)/tests/fuzz/run.sh $(FUZZ_SECONDS)
