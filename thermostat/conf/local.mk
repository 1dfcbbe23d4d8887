# SPDX-License-Identifier: MIT
# The settings: thermostat.conf and the command line, read, checked and
# printed back (conf/keys.h says which file does what), with the Check
# suites of the configuration and of the state file.
thermostat_libthermo_la_SOURCES += \
	thermostat/conf/cli.c \
	thermostat/conf/conf.h \
	thermostat/conf/file.c \
	thermostat/conf/keys.c \
	thermostat/conf/keys.h \
	thermostat/conf/netcheck.c \
	thermostat/conf/program.c \
	thermostat/conf/settings.h \
	thermostat/conf/validate.c \
	thermostat/conf/values.c

if HAVE_CHECK
check_PROGRAMS += \
	tests/thermostat/check-config \
	tests/thermostat/check-statefile
TESTS += \
	tests/thermostat/check-config \
	tests/thermostat/check-statefile
endif
tests_thermostat_check_config_SOURCES = \
	tests/thermostat/check_config.c \
	tests/thermostat/runner.c \
	tests/thermostat/runner.h
tests_thermostat_check_config_CPPFLAGS = $(THERMO_CPPFLAGS)
tests_thermostat_check_config_CFLAGS = $(THERMO_TEST_CFLAGS)
tests_thermostat_check_config_LDADD = $(THERMO_TEST_LIBS)
# It reads the example made in the build tree (dist.mk): made with the
# program, also where only the test programs are built (make valgrind).
EXTRA_tests_thermostat_check_config_DEPENDENCIES = thermostat/thermostat.conf
tests_thermostat_check_statefile_SOURCES = \
	tests/thermostat/check_statefile.c \
	tests/thermostat/runner.c \
	tests/thermostat/runner.h
tests_thermostat_check_statefile_CPPFLAGS = $(THERMO_CPPFLAGS)
tests_thermostat_check_statefile_CFLAGS = $(THERMO_TEST_CFLAGS)
tests_thermostat_check_statefile_LDADD = $(THERMO_TEST_LIBS)
# The suite sees the order of fsync and rename calls (GNU ld, lld).
tests_thermostat_check_statefile_LDFLAGS = $(AM_LDFLAGS) \
	-Wl,--wrap=fsync -Wl,--wrap=rename

# Read by check-config: the example file (made from thermostat.conf.in
# with configure's paths, dist.mk) and the manual must list every key
# with its default.
EXTRA_DIST += \
	thermostat/thermostat.conf.in \
	man/man5/thermostat.conf.5.in \
	tests/thermostat/config-fixtures/pi.conf
