# SPDX-License-Identifier: MIT
# The web server's tests (included from thermostat/local.mk, inside
# BUILD_THERMOSTAT).  Both talk HTTP to a real server on an ephemeral
# loopback port, through libcurl and raw sockets (tests/thermostat/http.c):
#   check-web  a Check suite; the server runs in-process on a record the
#              tests set up: every route, status, header, auth, events
#   abuse      the hostile-request battery against the daemon binary
#              itself (--simulate): each request gets its 4xx or a closed
#              connection, the daemon keeps serving, nothing changes
if HAVE_CURL
if HAVE_CHECK
check_PROGRAMS += tests/thermostat/check-web
TESTS += tests/thermostat/check-web
endif
check_PROGRAMS += tests/thermostat/abuse
TESTS += tests/thermostat/abuse
endif

WEB_TEST_HTTP = \
	tests/thermostat/http.c \
	tests/thermostat/http.h

tests_thermostat_check_web_SOURCES = \
	tests/thermostat/check_web.c \
	$(WEB_TEST_HTTP)
tests_thermostat_check_web_CPPFLAGS = $(THERMO_CPPFLAGS)
tests_thermostat_check_web_CFLAGS = $(THERMO_TEST_CFLAGS) $(CURL_CFLAGS)
tests_thermostat_check_web_LDADD = $(THERMO_TEST_LIBS) $(CURL_LIBS) \
	$(JANSSON_LIBS) -lm

# Runs thermostat/thermostat (found through $top_builddir): built first.
tests_thermostat_abuse_SOURCES = \
	tests/thermostat/abuse.c \
	$(WEB_TEST_HTTP)
tests_thermostat_abuse_CPPFLAGS = $(THERMO_CPPFLAGS)
tests_thermostat_abuse_CFLAGS = $(THERMO_CFLAGS) $(CURL_CFLAGS)
tests_thermostat_abuse_LDADD = $(CURL_LIBS) $(JANSSON_LIBS)
EXTRA_tests_thermostat_abuse_DEPENDENCIES = thermostat/thermostat$(EXEEXT)
