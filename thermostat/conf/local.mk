# SPDX-License-Identifier: MIT
# Configuration (thermostat.conf, the command line) and the state file,
# with their Check suites.  Included from thermostat/local.mk, inside
# "if BUILD_THERMOSTAT".
thermostat_libthermo_la_SOURCES += \
	thermostat/conf/keys.c \
	thermostat/conf/settings.h

if HAVE_CHECK
check_PROGRAMS += \
	tests/thermostat/check-config \
	tests/thermostat/check-statefile
TESTS += \
	tests/thermostat/check-config \
	tests/thermostat/check-statefile
endif
tests_thermostat_check_config_SOURCES = tests/thermostat/check_config.c
tests_thermostat_check_config_CPPFLAGS = $(THERMO_CPPFLAGS)
tests_thermostat_check_config_CFLAGS = $(THERMO_TEST_CFLAGS)
tests_thermostat_check_config_LDADD = $(THERMO_TEST_LIBS)
tests_thermostat_check_statefile_SOURCES = tests/thermostat/check_statefile.c
tests_thermostat_check_statefile_CPPFLAGS = $(THERMO_CPPFLAGS)
tests_thermostat_check_statefile_CFLAGS = $(THERMO_TEST_CFLAGS)
tests_thermostat_check_statefile_LDADD = $(THERMO_TEST_LIBS)
# The suite sees the order of fsync and rename calls (GNU ld, lld).
tests_thermostat_check_statefile_LDFLAGS = $(AM_LDFLAGS) \
	-Wl,--wrap=fsync -Wl,--wrap=rename

# Read by check-config: the example file and the manual must list every
# key with its default.
EXTRA_DIST += \
	thermostat/thermostat.conf \
	man/man5/thermostat.conf.5.in \
	tests/thermostat/config-fixtures/pi.conf
