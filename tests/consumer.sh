#!/bin/sh
# SPDX-License-Identifier: MIT
# Installs into a DESTDIR and builds the examples the way a user would, with
# nothing but pkg-config (dynamic, and --static), then runs them.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest="$tmp/root"

${MAKE:-make} -C "$top_builddir" install DESTDIR="$dest" >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; echo "consumer: make install failed"; exit 1; }
pcdir=$(find "$dest" -name libsharedstate.pc -printf '%h\n')
[ -n "$pcdir" ] || { echo "consumer: libsharedstate.pc not installed"; exit 1; }
export PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$dest"
libdir=$(dirname "$pcdir") # $dest/usr/local/lib
cflags=$(pkg-config --cflags libsharedstate)
libs=$(pkg-config --libs libsharedstate)
echo "consumer: cflags: $cflags"
echo "consumer: libs:   $libs"
case "$libs" in *-pthread*) ;; *) echo "consumer: Libs lacks -pthread"; exit 1 ;; esac
ls "$libdir"/libsharedstate.so.0 >/dev/null

for ex in counter bank; do
	# SAN_CFLAGS: a sanitized library needs sanitized programs.
	$CC -std=c11 -Wall -Wextra -Werror ${SAN_CFLAGS:-} $cflags \
		"$top_srcdir/examples/$ex.c" -o "$tmp/$ex" $libs
	LD_LIBRARY_PATH="$libdir" "$tmp/$ex" >"$tmp/$ex.out" ||
		{ cat "$tmp/$ex.out"; echo "consumer: $ex failed"; exit 1; }
	# The binary must really use the installed library.
	LD_LIBRARY_PATH="$libdir" ldd "$tmp/$ex" | grep -q "$libdir/libsharedstate.so.0" ||
		{ echo "consumer: $ex is not linked to the installed library"; exit 1; }
done
tail -n 1 "$tmp/counter.out"

if [ -z "${SAN_CFLAGS:-}" ]; then
	$CC -std=c11 -static $(pkg-config --static --cflags libsharedstate) \
		"$top_srcdir/examples/counter.c" -o "$tmp/counter-static" \
		$(pkg-config --static --libs libsharedstate)
	if ldd "$tmp/counter-static" >/dev/null 2>&1; then
		echo "consumer: counter-static is dynamically linked"; exit 1
	fi
	"$tmp/counter-static" 8 1000 | tail -n 1
fi
echo "consumer: installed library, header and pkg-config file work"
