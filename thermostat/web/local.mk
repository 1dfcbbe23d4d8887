# SPDX-License-Identifier: MIT
# The web server: CivetWeb's start and stop (server.c), one dispatcher
# (dispatch.c) over the route table (routes.h), a file per route or job,
# the pure API half (api.c), and the page, embedded at build time.
thermostat_libthermo_la_SOURCES += \
	thermostat/web/api.c \
	thermostat/web/api.h \
	thermostat/web/api_program.c \
	thermostat/web/api_program.h \
	thermostat/web/assets.c \
	thermostat/web/assets.h \
	thermostat/web/auth.c \
	thermostat/web/auth.h \
	thermostat/web/digest.c \
	thermostat/web/digest.h \
	thermostat/web/dispatch.c \
	thermostat/web/events.c \
	thermostat/web/gate.c \
	thermostat/web/gate.h \
	thermostat/web/guard.c \
	thermostat/web/guard.h \
	thermostat/web/metrics.c \
	thermostat/web/nonces.c \
	thermostat/web/nonces.h \
	thermostat/web/peer.c \
	thermostat/web/peer.h \
	thermostat/web/request.h \
	thermostat/web/respond.c \
	thermostat/web/route_compat.c \
	thermostat/web/route_health.c \
	thermostat/web/route_history.c \
	thermostat/web/route_page.c \
	thermostat/web/route_program.c \
	thermostat/web/route_state.c \
	thermostat/web/route_write.c \
	thermostat/web/routes.h \
	thermostat/web/server.c \
	thermostat/web/server.h \
	thermostat/web/throttle.c \
	thermostat/web/throttle.h \
	thermostat/web/web.h \
	thermostat/web/words.c \
	thermostat/web/words.h
nodist_thermostat_libthermo_la_SOURCES = thermostat/web/www.c

# The page's files, embedded into the daemon by a build tool.
WWW_FILES = \
	thermostat/web/www/index.html \
	thermostat/web/www/app.js \
	thermostat/web/www/style.css
EXTRA_DIST += $(WWW_FILES)
# embed runs here, during the build: it is compiled for the build machine,
# with CC_FOR_BUILD ($(CC) unless cross-compiling; configure), not as one
# of automake's programs, which are the host's.
EXTRA_DIST += thermostat/web/embed.c
CLEANFILES += thermostat/web/embed
ss_v_ccbuild = $(ss_v_ccbuild_@AM_V@)
ss_v_ccbuild_ = $(ss_v_ccbuild_@AM_DEFAULT_V@)
ss_v_ccbuild_0 = @echo "  CCBUILD " $@;
thermostat/web/embed: $(srcdir)/thermostat/web/embed.c
	$(ss_v_ccbuild)$(MKDIR_P) $(@D) && \
	$(CC_FOR_BUILD) $(BUILD_WARN_CFLAGS) $(CFLAGS_FOR_BUILD) \
		$(LDFLAGS_FOR_BUILD) -o $@ $(srcdir)/thermostat/web/embed.c
WWW = $(srcdir)/thermostat/web/www
thermostat/web/www.c: thermostat/web/embed $(WWW)/index.html \
		$(WWW)/app.js $(WWW)/style.css
	$(AM_V_GEN)thermostat/web/embed $@ \
		/index.html=$(WWW)/index.html='text/html; charset=utf-8' \
		/app.js=$(WWW)/app.js='text/javascript; charset=utf-8' \
		/style.css=$(WWW)/style.css='text/css; charset=utf-8'
CLEANFILES += thermostat/web/www.c

# Its tests talk HTTP to a real server on an ephemeral loopback port,
# through libcurl and raw sockets (tests/thermostat/http.c):
#   check-web  a Check suite; the server runs in-process on a record the
#              tests set up: every route, status, header, auth, events
#   abuse      the hostile-request battery against the daemon binary
#              itself (--simulate): each request gets its 4xx or a closed
#              connection, the daemon keeps serving, nothing changes
#   slow-clients  the daemon binary under 50 dribbling and 20 keep-alive
#              connections from ten addresses: 100 probes each answered
#              within 1 s; one address over its connection cap refused
if HAVE_CURL
if HAVE_CHECK
check_PROGRAMS += tests/thermostat/check-web
TESTS += tests/thermostat/check-web
endif
check_PROGRAMS += tests/thermostat/abuse
TESTS += tests/thermostat/abuse
check_PROGRAMS += tests/thermostat/slow-clients
TESTS += tests/thermostat/slow-clients
endif

WEB_TEST_HTTP = \
	tests/thermostat/http.c \
	tests/thermostat/http.h
# The daemon binary as a child process.
WEB_TEST_DAEMON = \
	tests/thermostat/daemon_proc.c \
	tests/thermostat/daemon_proc.h

tests_thermostat_check_web_SOURCES = \
	tests/thermostat/check_web_alarm.c \
	tests/thermostat/check_web_auth.c \
	tests/thermostat/check_web_digest.c \
	tests/thermostat/check_web_door.c \
	tests/thermostat/check_web_compat.c \
	tests/thermostat/check_web_events.c \
	tests/thermostat/check_web_limits.c \
	tests/thermostat/check_web_observe.c \
	tests/thermostat/check_web_program.c \
	tests/thermostat/check_web_routes.c \
	tests/thermostat/check_web_writes.c \
	tests/thermostat/web_fixture.c \
	tests/thermostat/web_fixture.h \
	tests/thermostat/runner.c \
	tests/thermostat/runner.h \
	$(WEB_TEST_HTTP)
tests_thermostat_check_web_CPPFLAGS = $(THERMO_CPPFLAGS)
tests_thermostat_check_web_CFLAGS = $(THERMO_TEST_CFLAGS) $(CURL_CFLAGS)
tests_thermostat_check_web_LDADD = $(THERMO_TEST_LIBS) $(CURL_LIBS) \
	$(JANSSON_LIBS) -lm

# Runs thermostat/thermostat (found through $top_builddir): built first.
tests_thermostat_abuse_SOURCES = \
	tests/thermostat/abuse.c \
	$(WEB_TEST_DAEMON) \
	$(WEB_TEST_HTTP)
tests_thermostat_abuse_CPPFLAGS = $(THERMO_CPPFLAGS)
tests_thermostat_abuse_CFLAGS = $(THERMO_CFLAGS) $(CURL_CFLAGS)
tests_thermostat_abuse_LDADD = $(CURL_LIBS) $(JANSSON_LIBS)
EXTRA_tests_thermostat_abuse_DEPENDENCIES = thermostat/thermostat$(EXEEXT)

# The same way: 70 slow connections and 100 probes, the per-address cap.
tests_thermostat_slow_clients_SOURCES = \
	tests/thermostat/slow_clients.c \
	$(WEB_TEST_DAEMON) \
	$(WEB_TEST_HTTP)
tests_thermostat_slow_clients_CPPFLAGS = $(THERMO_CPPFLAGS)
tests_thermostat_slow_clients_CFLAGS = $(THERMO_CFLAGS) $(CURL_CFLAGS)
tests_thermostat_slow_clients_LDADD = $(CURL_LIBS) $(PTHREAD_LIBS)
EXTRA_tests_thermostat_slow_clients_DEPENDENCIES = \
	thermostat/thermostat$(EXEEXT)
