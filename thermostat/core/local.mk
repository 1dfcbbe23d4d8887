# SPDX-License-Identifier: MIT
# The core: the record, the control decision and the sensor's time rules,
# the write path of commands, the history.  Pure: no I/O, no clock of its
# own.  The decision's tests: every rule at its boundaries, then simulated
# days of a house through tests/thermostat/simulate.c (the harness the
# soak test reuses).
thermostat_libthermo_la_SOURCES += \
	thermostat/core/command.c \
	thermostat/core/command.h \
	thermostat/core/control.c \
	thermostat/core/control.h \
	thermostat/core/history.c \
	thermostat/core/history.h \
	thermostat/core/program.c \
	thermostat/core/program.h \
	thermostat/core/record.c \
	thermostat/core/record.h \
	thermostat/core/runtime.c \
	thermostat/core/runtime.h \
	thermostat/core/schedule.c \
	thermostat/core/schedule.h \
	thermostat/core/schedule_text.c \
	thermostat/core/schedule_text.h

if HAVE_CHECK
check_PROGRAMS += tests/thermostat/check-control \
	tests/thermostat/check-schedule tests/thermostat/check-program \
	tests/thermostat/check-runtime
TESTS += tests/thermostat/check-control tests/thermostat/check-schedule \
	tests/thermostat/check-program tests/thermostat/check-runtime
endif
# The program in the record and as text: every write of it, the lines of
# the configuration and state file, two simulated weeks over the clock
# changes woken as the control thread wakes.
tests_thermostat_check_program_SOURCES = \
	tests/thermostat/check_program.c \
	tests/thermostat/runner.c \
	tests/thermostat/runner.h
tests_thermostat_check_program_CPPFLAGS = $(THERMO_CPPFLAGS)
tests_thermostat_check_program_CFLAGS = $(THERMO_TEST_CFLAGS)
tests_thermostat_check_program_LDADD = $(THERMO_TEST_LIBS)
# Furnace runtime: on-time split at local midnights over the clock changes
# of two time zones (tzdata), the week from Monday, days falling off, the
# state file's line and the lines it refuses.
tests_thermostat_check_runtime_SOURCES = \
	tests/thermostat/check_runtime.c \
	tests/thermostat/runner.c \
	tests/thermostat/runner.h
tests_thermostat_check_runtime_CPPFLAGS = $(THERMO_CPPFLAGS)
tests_thermostat_check_runtime_CFLAGS = $(THERMO_TEST_CFLAGS)
tests_thermostat_check_runtime_LDADD = $(THERMO_TEST_LIBS)
# The weekly program's instants over the clock changes of two time zones
# (tzdata), holds and boost.
tests_thermostat_check_schedule_SOURCES = \
	tests/thermostat/check_schedule.c \
	tests/thermostat/runner.c \
	tests/thermostat/runner.h
tests_thermostat_check_schedule_CPPFLAGS = $(THERMO_CPPFLAGS)
tests_thermostat_check_schedule_CFLAGS = $(THERMO_TEST_CFLAGS)
tests_thermostat_check_schedule_LDADD = $(THERMO_TEST_LIBS)
tests_thermostat_check_control_SOURCES = \
	tests/thermostat/check_control.c \
	tests/thermostat/runner.c \
	tests/thermostat/runner.h \
	tests/thermostat/simprogram.c \
	tests/thermostat/simprogram.h \
	tests/thermostat/simulate.c \
	tests/thermostat/simulate.h
tests_thermostat_check_control_CPPFLAGS = $(THERMO_CPPFLAGS)
tests_thermostat_check_control_CFLAGS = $(THERMO_TEST_CFLAGS)
tests_thermostat_check_control_LDADD = $(THERMO_TEST_LIBS) -lm

# A simulated week of the control loop with random setpoints, mode
# changes and sensor dropouts (tests/thermostat/simulate.c): make check
# runs one week, make soak SOAK_DAYS (default a year).
check_PROGRAMS += tests/thermostat/soak
TESTS += tests/thermostat/soak
tests_thermostat_soak_SOURCES = \
	tests/thermostat/soak.c \
	tests/thermostat/simprogram.c \
	tests/thermostat/simprogram.h \
	tests/thermostat/simulate.c \
	tests/thermostat/simulate.h
tests_thermostat_soak_CPPFLAGS = $(THERMO_CPPFLAGS)
tests_thermostat_soak_CFLAGS = $(THERMO_CFLAGS)
tests_thermostat_soak_LDADD = thermostat/libthermo.la -lm
SOAK_DAYS = 365
soak: tests/thermostat/soak$(EXEEXT)
	$(AM_V_at)tests/thermostat/soak $(SOAK_DAYS)
