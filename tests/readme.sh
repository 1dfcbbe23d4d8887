#!/bin/sh
# SPDX-License-Identifier: MIT
# The README's C example compiles warning-free against the library and
# prints what it says it does.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
awk '/^```c$/ { on = 1; next } /^```$/ { if (on) exit } on' \
	"$top_srcdir/README.md" >"$tmp/readme.c"
[ -s "$tmp/readme.c" ] || { echo "readme: no C example found"; exit 1; }
$CC -std=c11 -Wall -Wextra -Werror ${SAN_CFLAGS:-} -pthread \
	-I"$top_srcdir/include" "$tmp/readme.c" -o "$tmp/readme" \
	"$top_builddir/lib/.libs/libsharedstate.so" \
	-Wl,-rpath,"$top_builddir/lib/.libs"
out=$("$top_srcdir/tests/emulate.sh" "$tmp/readme")
[ "$out" = "setpoint 21.5" ] || { echo "readme: printed '$out'"; exit 1; }
echo "readme: the example compiles and prints '$out'"
