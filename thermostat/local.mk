# SPDX-License-Identifier: MIT
# The thermostat daemon.  Its modules form a convenience library that the
# daemon and the tests link.  Here: the daemon's life, threads, logging and
# the helpers of util/; each wing keeps its sources and its tests in its
# own fragment (core/, io/, conf/, web/ local.mk).  Sources include each
# other by wing: "core/record.h".
if BUILD_THERMOSTAT
THERMO_CFLAGS = $(AM_CFLAGS) $(INIH_CFLAGS) $(JANSSON_CFLAGS) \
	$(GPIOD_CFLAGS) $(SYSTEMD_CFLAGS) $(MOSQUITTO_CFLAGS)
# The daemon's default paths follow configure's sysconfdir and
# localstatedir (conf/settings.h), as the installed files do: a daemon
# started by hand reads the configuration make install wrote.
THERMO_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/thermostat \
	-DTHERMO_SYSCONFDIR='"$(sysconfdir)"' \
	-DTHERMO_LOCALSTATEDIR='"$(localstatedir)"'

noinst_LTLIBRARIES += thermostat/libthermo.la
thermostat_libthermo_la_SOURCES = \
	thermostat/daemon.c \
	thermostat/daemon.h \
	thermostat/log.c \
	thermostat/log.h \
	thermostat/notify.h \
	thermostat/thread_clock.c \
	thermostat/thread_control.c \
	thermostat/thread_history.c \
	thermostat/thread_mqtt.c \
	thermostat/thread_sensor.c \
	thermostat/thread_state.c \
	thermostat/threads.h \
	$(THERMO_UTIL_SOURCES)
# Helpers that know nothing of thermostats, one small job each.
THERMO_UTIL_SOURCES = \
	thermostat/util/errmsg.c \
	thermostat/util/errmsg.h \
	thermostat/util/names.c \
	thermostat/util/names.h \
	thermostat/util/readfile.c \
	thermostat/util/readfile.h \
	thermostat/util/strconv.c \
	thermostat/util/strconv.h \
	thermostat/util/timeutil.h
thermostat_libthermo_la_CPPFLAGS = $(THERMO_CPPFLAGS)
thermostat_libthermo_la_CFLAGS = $(THERMO_CFLAGS)
thermostat_libthermo_la_LIBADD = lib/libsharedstate.la $(INIH_LIBS) \
	$(JANSSON_LIBS) $(GPIOD_LIBS) $(CIVETWEB_LIBS) $(SYSTEMD_LIBS) $(MOSQUITTO_LIBS) -lm

sbin_PROGRAMS += thermostat/thermostat
thermostat_thermostat_SOURCES = thermostat/main.c
thermostat_thermostat_CPPFLAGS = $(THERMO_CPPFLAGS)
thermostat_thermostat_CFLAGS = $(THERMO_CFLAGS)
thermostat_thermostat_LDADD = thermostat/libthermo.la

# Check suites of the thermostat link this with their own sources.
THERMO_TEST_CFLAGS = $(THERMO_CFLAGS) $(CHECK_CFLAGS)
THERMO_TEST_LIBS = thermostat/libthermo.la $(CHECK_LIBS)

# The daemon itself, run as a process: configuration errors, shutdown,
# SIGKILL during saves, fault injection, runaway protection, the weekly
# program and runtime.  They need curl and jq.
THERMO_DAEMON_TESTS = \
	tests/thermostat/daemon-config.sh \
	tests/thermostat/daemon-shutdown.sh \
	tests/thermostat/daemon-killloop.sh \
	tests/thermostat/daemon-faults.sh \
	tests/thermostat/daemon-runaway.sh \
	tests/thermostat/daemon-program.sh \
	tests/thermostat/daemon-unprivileged.sh
TESTS += $(THERMO_DAEMON_TESTS)
EXTRA_DIST += $(THERMO_DAEMON_TESTS) tests/thermostat/daemon-lib.sh

include thermostat/core/local.mk
include thermostat/io/local.mk
include thermostat/conf/local.mk
include thermostat/web/local.mk
include thermostat/mqtt/local.mk
endif
