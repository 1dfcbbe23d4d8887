# SPDX-License-Identifier: MIT
# Sourced by scripts/check and scripts/demo: installs the Debian packages
# named in "$@" that are missing (apt-get; needs root, or sudo).
ss_install_missing() {
	missing=
	for pkg in "$@"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' ||
			missing="$missing $pkg"
	done
	[ -n "$missing" ] || return 0
	echo "==> installing Debian packages:$missing"
	sudo=
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	export DEBIAN_FRONTEND=noninteractive
	# One architecture's index failing (a mirror in mid-sync; the
	# security archive has none for armel) must not stop the others:
	# a package that really cannot be had fails the install below.
	$sudo apt-get update -qq ||
		echo "==> apt-get update reported errors (above); going on"
	# shellcheck disable=SC2086 # word splitting of the package list is wanted
	$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
}

# What every build needs.
# shellcheck disable=SC2034 # used by the scripts that source this file
SS_BUILD_DEPS="autoconf automake libtool pkg-config make gcc g++ check mandoc
	liburcu-dev"
# What the thermostat needs to build (and its tests to run): the MQTT
# client's libmosquitto-dev, and for its tests a real broker (mosquitto),
# its command-line clients, and openssl to make the TLS tests' CA.
# shellcheck disable=SC2034
SS_THERMOSTAT_DEPS="libinih-dev libjansson-dev libgpiod-dev libcivetweb-dev
	libsystemd-dev libmosquitto-dev libcurl4-openssl-dev curl jq tzdata
	mosquitto mosquitto-clients openssl"
# What scripts/check needs beyond the builds: benchmarks, checkers,
# fuzzing, the browser test, packaging.
# shellcheck disable=SC2034
SS_CHECK_DEPS="wrk valgrind clang libclang-rt-14-dev chromium
	fonts-dejavu-core debhelper dpkg-dev lintian abigail-tools
	systemd ca-certificates"
