#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/gpio/initramfs.sh ROOT OUT BUSYBOX PROGRAM LIBDIR...
#
# Completes the directory ROOT (which already holds /init and its data)
# into an arm64 initramfs and packs it into OUT (cpio newc, gzip):
#   /bin/busybox              BUSYBOX, statically linked (busybox-static)
#   /bin/<program>            PROGRAM, a dynamically linked aarch64 ELF
#   /lib/aarch64-linux-gnu/   every shared library PROGRAM needs, and the
#                             libraries those need, found by soname in the
#                             LIBDIRs in order (first match wins), copied
#                             with cp -L (the file, not the link)
#   PT_INTERP                 (/lib/ld-linux-aarch64.so.1) a link to the
#                             dynamic loader copied beside the libraries
# No ld.so.cache: glibc's loader searches /lib/aarch64-linux-gnu by
# default.  Libraries are found by reading DT_NEEDED with readelf (any
# binutils reads any ELF: no cross toolchain, no qemu-user, no ldd), and
# each one found must be an AArch64 ELF, so that a host library of the
# same name never slips in.  Prints one line per library: soname and
# source.
set -euo pipefail

die() {
	echo "initramfs.sh: $*" >&2
	exit 1
}

[ "$#" -ge 5 ] || die "usage: $0 ROOT OUT BUSYBOX PROGRAM LIBDIR..."
root=$1 out=$2 busybox=$3 program=$4
shift 4
libdirs=("$@")
command -v readelf >/dev/null || die "readelf is missing (Debian package: binutils)"
command -v cpio >/dev/null || die "cpio is missing (Debian package: cpio)"

# aarch64 FILE: FILE is an ELF for AArch64.  (No grep -q after a pipe
# here: a writer killed by SIGPIPE fails the pipeline under pipefail.)
aarch64() {
	readelf -hW "$1" 2>/dev/null | grep '^ *Machine: *AArch64$' >/dev/null
}

[ -d "$root" ] || die "no directory $root"
aarch64 "$busybox" || die "$busybox is not an AArch64 ELF"
aarch64 "$program" || die "$program is not an AArch64 ELF"
readelf -lW "$busybox" | grep 'Requesting program interpreter' >/dev/null &&
	die "$busybox is dynamically linked: use busybox-static's"

mkdir -p "$root/bin" "$root/lib/aarch64-linux-gnu"
cp -L "$busybox" "$root/bin/busybox"
cp -L "$program" "$root/bin/"

# find_lib SONAME: the first LIBDIR holding it, as an AArch64 ELF.
find_lib() {
	local d
	for d in "${libdirs[@]}"; do
		if [ -e "$d/$1" ] && aarch64 "$d/$1"; then
			echo "$d/$1"
			return 0
		fi
	done
	return 1
}

needed() {
	readelf -dW "$1" | sed -n 's/.*(NEEDED).*Shared library: \[\(.*\)\]$/\1/p'
}

# A breadth-first walk over DT_NEEDED from the program.
declare -A seen=()
queue=("$program")
while [ "${#queue[@]}" -gt 0 ]; do
	elf=${queue[0]}
	queue=("${queue[@]:1}")
	for soname in $(needed "$elf"); do
		[ -z "${seen[$soname]:-}" ] || continue
		lib=$(find_lib "$soname") ||
			die "$soname (needed by ${elf##*/}) is in none of: ${libdirs[*]}"
		seen[$soname]=$lib
		cp -L "$lib" "$root/lib/aarch64-linux-gnu/$soname"
		echo "$soname $lib"
		queue+=("$lib")
	done
done

# The loader, where the program asks for it.
interp=$(readelf -lW "$program" | sed -n 's/.*\[Requesting program interpreter: \(.*\)\]$/\1/p')
[ -n "$interp" ] || die "$program names no program interpreter (not dynamically linked?)"
name=${interp##*/}
[ -n "${seen[$name]:-}" ] || {
	lib=$(find_lib "$name") || die "the loader $name is in none of: ${libdirs[*]}"
	cp -L "$lib" "$root/lib/aarch64-linux-gnu/$name"
	echo "$name $lib"
}
if [ "$interp" != "/lib/aarch64-linux-gnu/$name" ]; then
	mkdir -p "$root${interp%/*}"
	ln -sfn "$(realpath -m --relative-to="${interp%/*}" "/lib/aarch64-linux-gnu/$name")" "$root$interp"
fi

# Owned by root whoever builds it; sorted, so the same inputs give the
# same archive.
(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc --owner=0:0 --quiet) |
	gzip -9n >"$out"
