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
	if grep -n '@[A-Za-z_][A-Za-z_]*@' "$mandir/$page"; then
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
# Every JSON example a page shows is valid to copy: each object that
# starts with {" in the rendered text (formatting removed; an object may
# run over several lines) must parse.  mdoc takes a double quote in a
# macro line for an argument delimiter, so one written there as " rather
# than \(dq silently disappears from the page.
command -v jq >/dev/null 2>&1 || { echo "man-lint: jq not found (Debian package: jq)"; exit 1; }
njson=0
for page in $pages; do
	grep -q '^\.so' "$mandir/$page" && continue
	objs=$(cd "$mandir" && "$MANDOC" -T utf8 "$page" | sed 's/.\x08//g' | awk '
	{
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (depth == 0) {
				if (c == "{" && substr($0, i + 1, 1) == "\"") {
					depth = 1; buf = c; instr = 0; esc = 0
				}
				continue
			}
			buf = buf c
			if (instr) {
				if (esc) esc = 0
				else if (c == "\\") esc = 1
				else if (c == "\"") instr = 0
				continue
			}
			if (c == "\"") instr = 1
			else if (c == "{") depth++
			else if (c == "}" && --depth == 0) print buf
		}
		if (depth > 0) buf = buf " "
	}')
	[ -n "$objs" ] || continue
	while IFS= read -r obj; do
		njson=$((njson + 1))
		if ! printf '%s\n' "$obj" | jq . >/dev/null 2>&1; then
			echo "man-lint: $page: a JSON example that does not parse: $obj"
			status=1
		fi
	done <<EOF_JSON
$objs
EOF_JSON
done
[ "$njson" -gt 0 ] || { echo "man-lint: no JSON example found in any page (thermostat(8) has several)"; status=1; }

so="$top_builddir/lib/.libs/libsharedstate.so"
[ -f "$so" ] || { echo "man-lint: $so not built"; exit 1; }
for sym in $(nm -D --defined-only "$so" | awk '{ print $3 }'); do
	[ -f "$mandir/man3/$sym.3" ] ||
		{ echo "man-lint: no page for exported $sym (man/man3/$sym.3)"; status=1; }
done
[ $status -eq 0 ] &&
	echo "man-lint: $(echo "$pages" | wc -l) pages ($nlinks of them .so links) clean, $njson JSON examples valid"
exit $status
