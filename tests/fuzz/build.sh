#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds one libFuzzer binary per fuzz target, with clang and
# -fsanitize=fuzzer,address,undefined, straight from the sources: the
# autotools build keeps its own compiler and flags (GCC, or a sanitizer
# that libFuzzer cannot be combined with).
#   tests/fuzz/build.sh [OUTDIR]     (default: build-fuzz in the source tree)
# Writes OUTDIR/fuzz-TARGET and the dictionaries OUTDIR/TARGET.dict.
# Environment: FUZZ_CC (clang), FUZZ_CFLAGS (extra flags).
# Needs clang and libFuzzer (Debian: clang, libclang-rt-14-dev or the
# libclang-rt-dev of the clang version), jansson and inih (libjansson-dev,
# libinih-dev).  The sources include autoconf's config.h first (for
# _FILE_OFFSET_BITS on 32-bit targets); no configured build is needed:
# this script writes the one they need into OUTDIR.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${1:-$top/build-fuzz}
cc=${FUZZ_CC:-clang}
mkdir -p "$out/obj"
out=$(cd "$out" && pwd)
# What configure's config.h says that these sources use: large-file
# support (a no-op on 64-bit machines, where libFuzzer runs), and the
# version (the MQTT discovery payload's sw_version), from where
# configure.ac takes it.
version=$(sed -n 's/^#define SS_VERSION_STRING "\(.*\)"$/\1/p' "$top/include/sharedstate.h")
[ -n "$version" ] || { echo "build.sh: no SS_VERSION_STRING in include/sharedstate.h" >&2; exit 1; }
printf '/* Written by tests/fuzz/build.sh. */\n#define _FILE_OFFSET_BITS 64\n#define PACKAGE_VERSION "%s"\n' \
	"$version" >"$out/config.h.tmp"
if cmp -s "$out/config.h.tmp" "$out/config.h"; then
	rm -f "$out/config.h.tmp"
else
	mv -f "$out/config.h.tmp" "$out/config.h"
fi

if ! command -v "$cc" >/dev/null 2>&1; then
	echo "build.sh: $cc not found (Debian: apt-get install clang libclang-rt-14-dev)" >&2
	exit 1
fi
if ! pkg-config --exists jansson inih liburcu-bp; then
	echo "build.sh: jansson, inih or liburcu-bp missing (Debian: libjansson-dev libinih-dev liburcu-dev)" >&2
	exit 1
fi
jcflags=$(pkg-config --cflags jansson inih liburcu-bp)
libs="$(pkg-config --libs jansson inih liburcu-bp) -lm -pthread"

san="-fsanitize=address,undefined -fno-sanitize-recover=all"
cflags="-std=gnu11 -g -O1 -fno-omit-frame-pointer $san
	-Wall -Wextra -Wshadow -Wmissing-prototypes -Wstrict-prototypes
	-Wformat=2 -Wvla -Werror=implicit-function-declaration -pthread
	-I$out -I$top/include -I$top/lib -I$top/thermostat -I$top/tests/fuzz
	-DFUZZ_THERMOSTAT -DTHERMO_SYSCONFDIR=\"/etc\" -DTHERMO_LOCALSTATEDIR=\"/var\"
	$jcflags ${FUZZ_CFLAGS:-}"

# What the targets reach: the library (its sources as lib/local.mk lists
# them, so that a new file cannot be forgotten here), and the
# thermostat's pure parts.
lib_srcs=$(sed -n '/^lib_libsharedstate_core_la_SOURCES/,/^$/p' "$top/lib/local.mk" |
	grep -o 'lib/[a-z_]*\.c')
[ -n "$lib_srcs" ] || { echo "build.sh: no library sources in lib/local.mk" >&2; exit 1; }
# The thermostat's pure wings (core, conf, util, mqtt) whole, as their local.mk
# files list them (a new file there cannot be forgotten here either), and
# the pure parts of io and web by name.
pure_srcs=$(grep -oh 'thermostat/\(core\|conf\|util\|mqtt\)/[a-z_]*\.c' \
	"$top/thermostat/core/local.mk" "$top/thermostat/conf/local.mk" \
	"$top/thermostat/mqtt/local.mk" "$top/thermostat/local.mk" | sort -u)
[ -n "$pure_srcs" ] || { echo "build.sh: no thermostat sources in the local.mk files" >&2; exit 1; }
srcs="$lib_srcs $pure_srcs
	thermostat/io/kinds.c thermostat/io/sensor_parse.c
	thermostat/io/statefile.c thermostat/log.c
	thermostat/web/api.c thermostat/web/api_program.c thermostat/web/words.c
	tests/fuzz/common.c tests/fuzz/fuzz_api.c tests/fuzz/fuzz_config.c
	tests/fuzz/fuzz_mqtt.c
	tests/fuzz/fuzz_field.c tests/fuzz/fuzz_sensor.c
	tests/fuzz/fuzz_statefile.c"

# Recompiles an object when its source or any header is newer.
# shellcheck disable=SC2012 # our own file names: plain characters
newest_header=$(ls -t "$top"/include/*.h "$top"/lib/*.h "$top"/thermostat/*.h "$top"/thermostat/*/*.h \
	"$top"/tests/fuzz/*.h | head -n 1)
objs=
for src in $srcs; do
	obj="$out/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')"
	objs="$objs $obj"
	if [ ! -f "$obj" ] || [ "$top/$src" -nt "$obj" ] ||
	   [ "$newest_header" -nt "$obj" ] || [ "$0" -nt "$obj" ]; then
		echo "  CC       $src"
		# shellcheck disable=SC2086
		$cc $cflags -fsanitize=fuzzer-no-link -c "$top/$src" -o "$obj"
	fi
done

targets=$(sed -n 's/^	{ "\([a-z0-9_]*\)", fuzz_[a-z0-9_]* },$/\1/p' \
	"$top/tests/fuzz/common.c")
for t in $targets; do
	echo "  CCLD     fuzz-$t"
	# shellcheck disable=SC2086
	$cc $cflags -fsanitize=fuzzer -DFUZZ_TARGET="fuzz_$t" \
		"$top/tests/fuzz/entry.c" $objs $libs -o "$out/fuzz-$t"
done

# Dictionaries: JSON tokens for the JSON bodies, every configuration key
# (from the example file, which the tests keep complete) for the config.
cp "$top/tests/fuzz/json.dict" "$out/setpoint.dict"
cp "$top/tests/fuzz/json.dict" "$out/mode.dict"
cp "$top/tests/fuzz/json.dict" "$out/alarm.dict"
cp "$top/tests/fuzz/json.dict" "$out/program.dict"
{
	echo '# generated by tests/fuzz/build.sh from thermostat/thermostat.conf.in'
	sed -n 's/^[#;]\{0,1\} *\([a-z_][a-z0-9_]*\) *=.*/"\1"/p' \
		"$top/thermostat/thermostat.conf.in" | sort -u
	for tok in ' = ' '\x0a' '#' ';' '[' 'yes' 'no' 'on' 'off' 's' 'm' 'h' \
		'sim' 'w1' 'sysfs' 'gpiod' '127.0.0.1:' '[::1]:' '+0.0.0.0/0'; do
		printf '"%s"\n' "$tok"
	done
} >"$out/config.dict"
echo "$targets" >"$out/targets"
