#!/bin/sh
# SPDX-License-Identifier: MIT
# Each record gets its own handle type: passing one record's handle to
# another record's accessor must not compile, with default compiler flags
# (no -Werror).  The control program, the same code with the right handle,
# must compile, so the test fails if the failure has another cause.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gen() {
	cat <<C
#include <sharedstate.h>
#define A_FIELDS(X) X(int, x, 0)
#define B_FIELDS(X) X(int, x, 0)
SS_RECORD_DECLARE(ra, A_FIELDS);
SS_RECORD_DECLARE(rb, B_FIELDS);
int use(ra_handle a, rb_handle b);
int use(ra_handle a, rb_handle b)
{
	(void)a; (void)b;
	return ra_get_x($1);
}
C
}
gen a > "$tmp/right.c"
gen b > "$tmp/wrong.c"

$CC -std=c11 -I"$top_srcdir/include" -c "$tmp/right.c" -o "$tmp/right.o" ||
	{ echo "handle-types: the control program does not compile"; exit 1; }
if $CC -std=c11 -I"$top_srcdir/include" -c "$tmp/wrong.c" -o "$tmp/wrong.o" 2>"$tmp/err"; then
	echo "handle-types: passing rb_handle to ra_get_x compiled"
	exit 1
fi
grep -q "incompatible type" "$tmp/err" || {
	echo "handle-types: failed for another reason:"; cat "$tmp/err"; exit 1; }
echo "handle-types: rb_handle passed to ra_get_x is a compile error:"
grep "error" "$tmp/err" | head -n 1
