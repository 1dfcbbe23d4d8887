#!/bin/sh
# SPDX-License-Identifier: MIT
# The man pages as built (man/manN/NAME.N in the build tree, made from
# NAME.N.in by man/local.mk): each passes mandoc's linter with no warning,
# has its version filled in, and every exported function and every name a
# page documents has a page under its own name (its own or a .so link).
set -eu
[ -n "${MANDOC:-}" ] || { echo "man-lint: mandoc not found (Debian package: mandoc)"; exit 1; }
mandir="$top_builddir/man"
[ -d "$mandir" ] || { echo "man-lint: $mandir missing: run make first"; exit 1; }
# Relative to $mandir, where .so requests are resolved.
pages=$(cd "$mandir" && find . -name '*.[0-9]' | sed 's|^\./||' | sort)
[ -n "$pages" ] || { echo "man-lint: no pages in $mandir"; exit 1; }
status=0
nlinks=0
for page in $pages; do
	if grep -q '^\.so' "$mandir/$page"; then
		# A link is one line naming an existing page.
		nlinks=$((nlinks + 1))
		if [ "$(wc -l <"$mandir/$page" | tr -d " ")" -ne 1 ] ||
		   ! grep -qx '\.so man[0-9]/[A-Za-z0-9_.+-]*\.[0-9]' "$mandir/$page"; then
			echo "man-lint: $page: a link page is one line, .so manN/PAGE.N"
			status=1
		fi
	fi
	# mandoc warns about every .so request (".so is fragile, better use
	# ln(1)"), which is what a link page is: that message only is
	# ignored.  A missing target is an ERROR and still fails.
	out=$(cd "$mandir" && "$MANDOC" -T lint -W warning "$page" 2>&1 |
		grep -v '^mandoc: [^ ]*:1:2: WARNING: \.so is fragile, better use ln(1): so ' ||
		true)
	if [ -n "$out" ]; then
		echo "$out"
		status=1
	fi
	if grep -n '@[A-Z_][A-Z_]*@' "$mandir/$page"; then
		echo "man-lint: $page: placeholder left unsubstituted"
		status=1
	fi
	# Every name a page gives with .Nm can be looked up: man NAME.
	sec=${page##*.}
	for name in $(sed -n 's/^\.Nm \([A-Za-z0-9_.+-]*\).*/\1/p' "$mandir/$page" | sort -u); do
		[ -f "$mandir/man$sec/$name.$sec" ] ||
			{ echo "man-lint: $page documents $name but man$sec/$name.$sec is missing"; status=1; }
	done
done
so="$top_builddir/lib/.libs/libsharedstate.so"
[ -f "$so" ] || { echo "man-lint: $so not built"; exit 1; }
for sym in $(nm -D --defined-only "$so" | awk '{ print $3 }'); do
	[ -f "$mandir/man3/$sym.3" ] ||
		{ echo "man-lint: no page for exported $sym (man/man3/$sym.3)"; status=1; }
done
[ $status -eq 0 ] &&
	echo "man-lint: $(echo "$pages" | wc -l) pages ($nlinks of them .so links) clean"
exit $status
