#!/bin/sh
# SPDX-License-Identifier: MIT
# Every man page passes mandoc's linter with no warning, and every exported
# function has a page under its own name (a page of its own or a .so link).
set -eu
[ -n "${MANDOC:-}" ] || { echo "man-lint: mandoc not found (Debian package: mandoc)"; exit 1; }
status=0
pages=$(find "$top_srcdir/man" -name '*.[0-9]' | sort)
[ -n "$pages" ] || { echo "man-lint: no pages"; exit 1; }
for page in $pages; do
	# .so links are resolved relative to the man directory.
	out=$(cd "$top_srcdir/man" && "$MANDOC" -T lint -W warning "$page" 2>&1) || true
	if [ -n "$out" ]; then
		echo "$out"
		status=1
	fi
done
so="$top_builddir/lib/.libs/libsharedstate.so"
for sym in $(nm -D --defined-only "$so" | awk '{ print $3 }'); do
	[ -f "$top_srcdir/man/man3/$sym.3" ] ||
		{ echo "man-lint: no page for exported $sym (man/man3/$sym.3)"; status=1; }
done
[ $status -eq 0 ] && echo "man-lint: $(echo "$pages" | wc -l) pages clean"
exit $status
