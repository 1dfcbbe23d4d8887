#!/bin/sh
# SPDX-License-Identifier: MIT
# The shared library exports exactly the functions of the public header:
# every dynamic symbol it defines starts with ss_ or SS_ and is declared in
# include/sharedstate.h, and every function the header declares is exported.
set -eu
so="$top_builddir/lib/.libs/libsharedstate.so"
header="$top_srcdir/include/sharedstate.h"
[ -f "$so" ] || { echo "exports: $so not built"; exit 1; }

exported=$(nm -D --defined-only "$so" | awk '{ print $3 }' | sort -u)
[ -n "$exported" ] || { echo "exports: no symbols read from $so"; exit 1; }
# Functions the header declares: "name(" at the start of a declaration,
# after the return type, outside the generated static inline code.
declared=$(grep -v '^typedef' "$header" |
	sed -n 's/^[A-Za-z_][A-Za-z0-9_ *]*[ *]\(ss_[a-z_0-9]*\)(.*/\1/p' |
	grep -v '^ss_str_copy$' | sort -u)

status=0
for sym in $exported; do
	case $sym in
	ss_* | SS_*) ;;
	*) echo "exports: $sym is exported but lacks the ss_ prefix"; status=1; continue ;;
	esac
	echo "$declared" | grep -qx "$sym" ||
		{ echo "exports: $sym is exported but not declared in the header"; status=1; }
done
for sym in $declared; do
	echo "$exported" | grep -qx "$sym" ||
		{ echo "exports: $sym is declared in the header but not exported"; status=1; }
done
[ $status -eq 0 ] && echo "exports: $(echo "$exported" | wc -l) symbols, all ss_ and all declared"
exit $status
