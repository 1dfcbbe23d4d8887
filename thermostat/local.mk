# SPDX-License-Identifier: MIT
# The thermostat daemon.  Its modules form a convenience library that the
# daemon and the tests link; each group of modules keeps its sources and
# tests in its own fragment (control.mk, io.mk, config.mk, web.mk).
if BUILD_THERMOSTAT
THERMO_CFLAGS = $(AM_CFLAGS) $(INIH_CFLAGS) $(JANSSON_CFLAGS) \
	$(GPIOD_CFLAGS) $(SYSTEMD_CFLAGS)
THERMO_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)/thermostat

noinst_LTLIBRARIES += thermostat/libthermo.la
thermostat_libthermo_la_SOURCES = \
	thermostat/house.c \
	thermostat/house.h \
	thermostat/log.c \
	thermostat/log.h \
	thermostat/record.c \
	thermostat/record.h \
	thermostat/timeutil.h
thermostat_libthermo_la_CPPFLAGS = $(THERMO_CPPFLAGS)
thermostat_libthermo_la_CFLAGS = $(THERMO_CFLAGS)
thermostat_libthermo_la_LIBADD = lib/libsharedstate.la $(INIH_LIBS) \
	$(JANSSON_LIBS) $(GPIOD_LIBS) $(CIVETWEB_LIBS) $(SYSTEMD_LIBS) -lm

# Check suites of the thermostat link this with their own sources.
THERMO_TEST_CFLAGS = $(THERMO_CFLAGS) $(CHECK_CFLAGS)
THERMO_TEST_LIBS = thermostat/libthermo.la $(CHECK_LIBS)

include thermostat/control.mk
include thermostat/io.mk
include thermostat/config.mk
endif
