# SPDX-License-Identifier: MIT
include_HEADERS += include/sharedstate.h

# The library's objects, also linked statically into the tests that need
# its internals (test hooks are hidden, not exported).
noinst_LTLIBRARIES += lib/libsharedstate-core.la
lib_libsharedstate_core_la_SOURCES = \
	lib/internal.h \
	lib/access.c \
	lib/field.c \
	lib/snapshot.c \
	lib/state.c \
	lib/wait.c
lib_libsharedstate_core_la_CFLAGS = $(AM_CFLAGS) $(VISIBILITY_CFLAGS) \
	$(URCU_CFLAGS)
lib_libsharedstate_core_la_LIBADD = $(URCU_LIBS)

lib_LTLIBRARIES += lib/libsharedstate.la
lib_libsharedstate_la_SOURCES =
lib_libsharedstate_la_LIBADD = lib/libsharedstate-core.la $(PTHREAD_LIBS)
lib_libsharedstate_la_LDFLAGS = $(AM_LDFLAGS) \
	-version-info $(SS_LT_CURRENT):$(SS_LT_REVISION):$(SS_LT_AGE) \
	-no-undefined

pkgconfigdir = $(libdir)/pkgconfig
pkgconfig_DATA = lib/libsharedstate.pc
EXTRA_DIST += lib/libsharedstate.pc.in
