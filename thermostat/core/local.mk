# SPDX-License-Identifier: MIT
# The control decision, and its tests: every rule at its boundaries, then
# simulated days of a house through tests/thermostat/simulate.c (the
# harness the soak test reuses).
thermostat_libthermo_la_SOURCES += \
	thermostat/core/control.c \
	thermostat/core/control.h \
	thermostat/core/history.c \
	thermostat/core/history.h \
	thermostat/core/record.c \
	thermostat/core/record.h

if HAVE_CHECK
check_PROGRAMS += tests/thermostat/check-control
TESTS += tests/thermostat/check-control
endif
tests_thermostat_check_control_SOURCES = \
	tests/thermostat/check_control.c \
	tests/thermostat/simulate.c \
	tests/thermostat/simulate.h
tests_thermostat_check_control_CPPFLAGS = $(THERMO_CPPFLAGS)
tests_thermostat_check_control_CFLAGS = $(THERMO_TEST_CFLAGS)
tests_thermostat_check_control_LDADD = $(THERMO_TEST_LIBS) -lm
