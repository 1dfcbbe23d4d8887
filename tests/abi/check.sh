#!/bin/sh
# SPDX-License-Identifier: MIT
# The ABI of the built libsharedstate.so against the baseline kept here:
# libsharedstate.ARCH.abi, written by libabigail's abidw (Debian:
# abigail-tools) from the library of the last release, whose libtool
# version-info (CURRENT:REVISION:AGE, configure.ac) is in
# libsharedstate.version.
#
# One baseline per architecture (x86_64, aarch64, arm: the CPU the ELF
# header of the library names): the sizes and alignments of the
# interface's types (size_t, long, pointers, time_t, long double) are the
# architecture's, so an x86-64 dump says nothing about an arm64 library.
# 32-bit ARM has one baseline for armhf and armel: the float ABI changes
# how arguments travel, not the types or the symbols abidw records.  The
# ARM baselines were written at 0.1.0's interface, unchanged since the
# x86_64 one (check.sh passed on x86_64 when they were written).  An
# architecture without a baseline is skipped, saying so.
#
# abidiff compares the two and prints what changed.  The test fails when
# the change is not matched by the libtool version the library was built
# with (read from lib/libsharedstate.la), by libtool's rules:
#   - no change:               any version (REVISION++ is the usual one);
#   - interfaces added only:   CURRENT++ and AGE++ (the soname stays:
#                              a needless new soname fails too);
#   - interfaces removed, or changed (a type, a parameter, a return type):
#                              CURRENT++ and AGE=0 (a new soname).
# After a release, make abi-baseline (tests/abi/check.sh --update) writes
# a new baseline from the library as built.
#
# The dump covers the exported functions and only the types of the public
# header (--headers-dir include --drop-private-types): the layout of the
# opaque struct ss_state is the library's business.  It leaves out paths,
# source locations and DT_NEEDED, so it does not depend on the build
# directory or on sanitizers (ASan and TSan add undefined __asan_/__tsan_
# references and a DT_NEEDED, both dropped, and do not change the debug
# information of the interface).  It needs debug information (-g).
set -eu
update=no
[ "${1:-}" != --update ] || update=yes
here="$top_srcdir/tests/abi"
vfile="$here/libsharedstate.version"
la="$top_builddir/lib/libsharedstate.la"
die() { echo "abi: $*"; exit 1; }

for tool in abidw abidiff; do
	command -v $tool >/dev/null 2>&1 ||
		die "$tool not found: install the Debian package abigail-tools"
done
[ -f "$la" ] || die "$la not built"
# The version-info the library was built with, from libtool's own record.
la_var() { sed -n "s/^$1=['\"]*\([^'\"]*\)['\"]*\$/\1/p" "$la"; }
cur=$(la_var current)
rev=$(la_var revision)
age=$(la_var age)
dlname=$(la_var dlname)
[ -n "$cur" ] && [ -n "$age" ] || die "no current/age in $la"
if [ -z "$dlname" ]; then
	echo "abi: $la has no shared library (configured with --disable-shared?)"
	exit 77
fi
so="$top_builddir/lib/.libs/$dlname"
[ -f "$so" ] || die "$so not built"
# The architecture, from the ELF header (readelf reads any target's).
machine=$(LC_ALL=C readelf -h "$so" | sed -n 's/^ *Machine: *//p')
case $machine in
*X86-64*) arch=x86_64 ;;
AArch64) arch=aarch64 ;;
ARM) arch=arm ;;
*80386*) arch=i386 ;;
*) arch=$(echo "$machine" | tr -c 'A-Za-z0-9_\n' _) ;;
esac
[ -n "$arch" ] || die "$so: no Machine in its ELF header"
baseline="$here/libsharedstate.$arch.abi"
if ! LC_ALL=C readelf -S "$so" | grep -q '\.debug_info'; then
	echo "abi: $so has no debug information: configure with -g in CFLAGS"
	exit 77
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# dump SO OUT: the stable dump.  abidw records the path of each
# compilation unit as the compiler saw it (../lib/state.c from a build
# directory): keep it relative to the source tree.
dump() {
	abidw --no-corpus-path --no-comp-dir-path --no-show-locs \
		--no-elf-needed --drop-undefined-syms --type-id-style hash \
		--headers-dir "$top_srcdir/include" --drop-private-types \
		"$1" >"$2.tmp"
	sed "s|\( path='\)[^']*/\(lib/[^/']*'\)|\1\2|" "$2.tmp" >"$2"
	rm -f "$2.tmp"
}
dump "$so" "$tmp/current.abi"
grep -q "<function-decl name='ss_new'" "$tmp/current.abi" ||
	die "the dump of $so lacks ss_new: is the debug information complete?"

if [ $update = yes ]; then
	cp "$tmp/current.abi" "$baseline"
	printf '%s:%s:%s\n' "$cur" "$rev" "$age" >"$vfile"
	echo "abi: wrote $baseline and $vfile ($cur:$rev:$age)"
	exit 0
fi

[ -f "$vfile" ] || die "no $vfile: make abi-baseline writes one"
if [ ! -f "$baseline" ]; then
	echo "abi: no baseline for $arch ($machine) in $here: nothing to compare with"
	echo "abi: (make abi-baseline on that architecture writes one, from a release)"
	exit 77
fi
echo "abi: $arch: baseline $(basename "$baseline")"
base=$(sed -n 's/^\([0-9]*:[0-9]*:[0-9]*\)$/\1/p' "$vfile")
[ -n "$base" ] || die "$vfile: no CURRENT:REVISION:AGE line"
bcur=${base%%:*}
bage=${base##*:}

status=0
abidiff "$baseline" "$tmp/current.abi" >"$tmp/diff" 2>&1 || status=$?
# abidiff's status is a bit set: 1 error, 2 usage error, 4 ABI change,
# 8 incompatible change (a removed symbol).
if [ $((status & 3)) -ne 0 ]; then
	cat "$tmp/diff"
	die "abidiff failed (status $status)"
fi
# count WHAT KIND: the number before KIND on the line about WHAT in the
# summary ("Functions changes summary: 1 Removed, 0 Changed, 2 Added").
count() {
	sed -n "s/^$1 changes summary: .*\<\([0-9][0-9]*\) $2.*/\1/p" "$tmp/diff" |
		awk '{ n += $1 } END { print n + 0 }'
}
summary() {
	for what in Functions Variables 'Function symbols' 'Variable symbols'; do
		count "$what" "$1"
	done | awk '{ n += $1 } END { print n + 0 }'
}
removed=$(summary Removed)
changed=$(summary Changed)
added=$(summary Added)

major=$((cur - age))
bmajor=$((bcur - bage))
echo "abi: baseline $base (soname .$bmajor), built $cur:$rev:$age (soname .$major)"
echo "abi: $removed removed, $changed changed, $added added"
[ "$status" -eq 0 ] || cat "$tmp/diff"
incompatible=no
[ "$removed" -eq 0 ] && [ "$changed" -eq 0 ] || incompatible=yes
# abidiff's own verdict, unless the soname change is all it saw.
[ $((status & 8)) -eq 0 ] || [ "$major" -ne "$bmajor" ] || incompatible=yes
if [ $incompatible = yes ]; then
	# Incompatible: the new library must not claim the baseline's
	# interface any more, which gives it a new soname.
	if [ "$cur" -le "$bcur" ] || [ "$major" -le "$bcur" ]; then
		echo "abi: FAIL: incompatible change (interfaces removed or changed) without the"
		echo "abi: libtool bump it needs: in configure.ac, SS_LT_CURRENT++ (to $((bcur + 1)))," \
			"SS_LT_REVISION=0, SS_LT_AGE=0"
		exit 1
	fi
	echo "abi: incompatible change, with a new soname: ok (make abi-baseline at the release)"
elif [ "$added" -gt 0 ]; then
	# Compatible: CURRENT grows, AGE with it, the soname stays.
	if [ "$cur" -le "$bcur" ] || [ "$major" -ne "$bmajor" ]; then
		echo "abi: FAIL: interfaces added without the libtool bump they need: in configure.ac," \
			"SS_LT_CURRENT++ (to $((bcur + 1))), SS_LT_REVISION=0, SS_LT_AGE++ (to $((bage + 1)))"
		exit 1
	fi
	echo "abi: compatible change (interfaces added), CURRENT and AGE bumped: ok (make abi-baseline at the release)"
else
	[ "$cur:$age" = "$bcur:$bage" ] ||
		echo "abi: note: the interface is unchanged but CURRENT:AGE moved from $bcur:$bage to $cur:$age"
	echo "abi: no ABI change"
fi
