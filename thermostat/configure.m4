# SPDX-License-Identifier: MIT
# configure part of the thermostat daemon, m4_included from configure.ac.
# Each library is checked only when the thermostat is built, and a missing
# one fails naming the Debian package.
AC_ARG_ENABLE([thermostat],
	[AS_HELP_STRING([--disable-thermostat], [do not build the thermostat daemon])],
	[], [enable_thermostat=yes])
AC_ARG_WITH([systemd],
	[AS_HELP_STRING([--with-systemd=yes|no|auto],
		[sd_notify readiness and watchdog through libsystemd (default: auto)])],
	[], [with_systemd=auto])
AC_ARG_WITH([mqtt],
	[AS_HELP_STRING([--with-mqtt=yes|no|auto],
		[MQTT and Home Assistant discovery through libmosquitto (default: auto)])],
	[], [with_mqtt=auto])
AC_ARG_WITH([systemdsystemunitdir],
	[AS_HELP_STRING([--with-systemdsystemunitdir=DIR],
		[where to install thermostat.service (default: from systemd.pc, else none)])],
	[], [with_systemdsystemunitdir=auto])

ss_thermostat_summary=
have_systemd=no
have_mqtt=no
gpiod_api=
AS_IF([test "x$enable_thermostat" = xyes], [
	PKG_CHECK_MODULES([INIH], [inih], [],
		[AC_MSG_ERROR([thermostat: inih not found: install the Debian package libinih-dev (or configure --disable-thermostat)])])
	PKG_CHECK_MODULES([JANSSON], [jansson >= 2.10], [],
		[AC_MSG_ERROR([thermostat: jansson not found: install the Debian package libjansson-dev (or configure --disable-thermostat)])])
	PKG_CHECK_MODULES([GPIOD], [libgpiod >= 1.6], [],
		[AC_MSG_ERROR([thermostat: libgpiod not found: install the Debian package libgpiod-dev (or configure --disable-thermostat)])])
	AC_MSG_CHECKING([which libgpiod API to use])
	gpiod_version=`$PKG_CONFIG --modversion libgpiod`
	AS_CASE([$gpiod_version],
		[1.*], [gpiod_api=1],
		[2.*], [gpiod_api=2],
		[AC_MSG_ERROR([thermostat: libgpiod $gpiod_version: only the 1.x (1.6) and 2.x APIs are supported])])
	AC_MSG_RESULT([v$gpiod_api ($gpiod_version)])
	AC_DEFINE_UNQUOTED([THERMO_GPIOD_API], [$gpiod_api], [libgpiod API major version: 1 or 2])

	# CivetWeb: Debian's libcivetweb-dev ships no pkg-config file.
	AC_CHECK_HEADER([civetweb.h], [],
		[AC_MSG_ERROR([thermostat: civetweb.h not found: install the Debian package libcivetweb-dev (or configure --disable-thermostat)])])
	ss_save_LIBS=$LIBS
	AC_SEARCH_LIBS([mg_start], [civetweb], [],
		[AC_MSG_ERROR([thermostat: libcivetweb not found: install the Debian package libcivetweb-dev (or configure --disable-thermostat)])])
	LIBS=$ss_save_LIBS
	AC_SUBST([CIVETWEB_LIBS], [-lcivetweb])

	# Tests talk HTTP through libcurl.
	PKG_CHECK_MODULES([CURL], [libcurl], [have_curl=yes], [have_curl=no])
	AS_IF([test "x$have_curl" = xno],
		[AC_MSG_WARN([libcurl not found: the web tests will fail (Debian package: libcurl4-openssl-dev)])])

	AS_IF([test "x$with_systemd" != xno], [
		PKG_CHECK_MODULES([SYSTEMD], [libsystemd], [have_systemd=yes], [
			AS_IF([test "x$with_systemd" = xyes],
				[AC_MSG_ERROR([thermostat: --with-systemd: libsystemd not found: install the Debian package libsystemd-dev])])
		])
	])
	AS_IF([test "x$have_systemd" = xyes],
		[AC_DEFINE([THERMO_HAVE_SYSTEMD], [1], [sd_notify through libsystemd])])
	AS_IF([test "x$with_mqtt" != xno], [
		PKG_CHECK_MODULES([MOSQUITTO], [libmosquitto >= 1.6], [have_mqtt=yes], [
			AS_IF([test "x$with_mqtt" = xyes],
				[AC_MSG_ERROR([thermostat: --with-mqtt: libmosquitto not found: install the Debian package libmosquitto-dev])])
		])
	])
	AS_IF([test "x$have_mqtt" = xyes],
		[AC_DEFINE([THERMO_HAVE_MQTT], [1], [an MQTT client through libmosquitto])])
	AS_IF([test "x$with_systemdsystemunitdir" = xauto], [
		with_systemdsystemunitdir=`$PKG_CONFIG --variable=systemdsystemunitdir systemd 2>/dev/null`
		AS_IF([test -z "$with_systemdsystemunitdir"], [with_systemdsystemunitdir=no])
	])
	ss_thermostat_summary=" (gpiod v$gpiod_api, systemd: $have_systemd, mqtt: $have_mqtt, unit dir: $with_systemdsystemunitdir)"
])
AS_IF([test "x$with_systemdsystemunitdir" != xno && test "x$with_systemdsystemunitdir" != xauto],
	[AC_SUBST([systemdsystemunitdir], [$with_systemdsystemunitdir])])
AM_CONDITIONAL([BUILD_THERMOSTAT], [test "x$enable_thermostat" = xyes])
AM_CONDITIONAL([GPIOD_V2], [test "x$gpiod_api" = x2])
AM_CONDITIONAL([HAVE_SYSTEMD], [test "x$have_systemd" = xyes])
AM_CONDITIONAL([HAVE_MQTT], [test "x$have_mqtt" = xyes])
AM_CONDITIONAL([HAVE_CURL], [test "x$have_curl" = xyes])
AM_CONDITIONAL([INSTALL_UNIT], [test "x$enable_thermostat" = xyes && test "x$with_systemdsystemunitdir" != xno])
