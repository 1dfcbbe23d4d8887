#!/bin/sh
# SPDX-License-Identifier: MIT
# Every C source of the library, the daemon and the tests includes
# configure's config.h before anything else: it carries
# _FILE_OFFSET_BITS=64 (AC_SYS_LARGEFILE) on 32-bit targets, which must
# be seen before the first system header, and by every file alike (two
# files that disagree on off_t or struct stat disagree on the layout of
# what they share).  A file that forgets it builds and passes on x86-64,
# where off_t is 64 bits anyway, and fails on 32-bit ARM (readdir and
# EOVERFLOW).  Exempt: thermostat/web/embed.c, a build tool compiled for
# the build machine (CC_FOR_BUILD), which configure's host header does not
# describe; and examples/, programs written as a user writes them.
set -eu
cd "$top_srcdir"
status=0
n=0
for f in $(find lib thermostat tests -name '*.c' | sort); do
	[ "$f" = thermostat/web/embed.c ] && continue
	n=$((n + 1))
	first=$(grep -m 1 -E '^[[:space:]]*#[[:space:]]*(include|define|if)' "$f" || true)
	case $first in
	'#include <config.h>'*) ;;
	*) echo "config-first: $f: the first directive is '$first', not #include <config.h>"
	   status=1 ;;
	esac
done
[ $status -eq 0 ] && echo "config-first: $n C files include config.h first"
exit $status
