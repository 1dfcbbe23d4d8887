#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tests/gpio/run.sh BUILD_DIR [LIBDIR...]
#
# The relay on a real kernel GPIO line, without hardware: Debian's arm64
# kernel boots under qemu-system-aarch64 -M virt (TCG) from an initramfs
# made here (busybox, the arm64 thermostat of BUILD_DIR and its shared
# libraries, tests/gpio/init), with the virt machine's PL061 as the
# relay's chip.  The guest runs the steps of tests/gpio/phases against the
# real daemon, fed by a sensor file; the host asserts, from QEMU's trace
# of the PL061 alone, what the line did at each step (tests/gpio/trace.awk):
# OFF before anything else at every start, ON and OFF as the reading
# crosses the setpoint, OFF after SIGTERM, kept after SIGKILL and driven
# OFF by the next daemon, every level inverted with active_low.
#
#   BUILD_DIR  an arm64 build tree (configure --host=aarch64-linux-gnu),
#              built; libgpiod 1.6 or 2.x, whichever it was configured with
#   LIBDIR     where to look for its shared libraries first; then
#              BUILD_DIR/lib/.libs, the -L directories the build linked
#              with (a private libgpiod 2 prefix), and the arm64 multiarch
#              directories (the :arm64 runtime packages)
# Environment:
#   GPIO_KERNEL   the arm64 kernel image (linux-image-*-arm64's
#                 /boot/vmlinuz-*, unpacked with dpkg-deb -x), required
#   GPIO_BUSYBOX  busybox-static:arm64's /bin/busybox, required
#   GPIO_LINE     the PL061 line of the relay, 0-7 but 3 (default 5; the
#                 device tree wires line 3 to the power key)
#   GPIO_LIMIT    seconds QEMU may run, boot and steps (default 300)
#   GPIO_OUT      where the initramfs, console log and trace go (default
#                 BUILD_DIR/gpio-test; not tests/gpio, which is the
#                 sources in a build in the source tree)
#   QEMU          the emulator (default qemu-system-aarch64)
# scripts/gpio-check fetches the kernel and busybox and runs this.
# Exit status: 0 passed, 1 failed, 77 skipped: only when QEMU itself
# cannot run (not installed, or cannot create the machine).
set -euo pipefail
# EPOCHREALTIME and awk's numbers with a decimal point, whatever the
# caller's locale.
export LC_ALL=C

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TEST=gpio
now() { echo "$EPOCHREALTIME"; }
T0=$(now)

fail() {
	echo "$TEST: FAIL: $*"
	exit 1
}
skip() {
	echo "$TEST: SKIP: $*"
	exit 77
}
note() { echo "$TEST: $*"; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

[ "$#" -ge 1 ] || fail "usage: $0 BUILD_DIR [LIBDIR...]"
build=$(cd "$1" && pwd) || fail "no build directory $1"
shift
line=${GPIO_LINE:-5}
limit=${GPIO_LIMIT:-300}
qemu=${QEMU:-qemu-system-aarch64}
out=${GPIO_OUT:-$build/gpio-test}
case $line in
[0-24-7]) ;;
3) fail "GPIO_LINE=3: the device tree wires the PL061's line 3 to the power key" ;;
*) fail "GPIO_LINE=$line: the PL061 has lines 0-7" ;;
esac

# ---- can QEMU run at all?  The only reason to skip. -------------------
command -v "$qemu" >/dev/null ||
	skip "$qemu is not installed (Debian package qemu-system-arm)"
mkdir -p "$out"
# Create the machine, paused (-S), and quit from the monitor.
if ! echo quit | timeout 60 "$qemu" -M virt -cpu cortex-a53 -m 64 -nodefaults \
	-display none -S -monitor stdio >"$out/qemu-probe.log" 2>&1; then
	skip "$qemu cannot create a virt machine: $(tail -n 3 "$out/qemu-probe.log" | tr '\n' ' ')"
fi

# ---- inputs: anything missing from here on is a failure ----------------
[ -f "${GPIO_KERNEL:-}" ] ||
	fail "GPIO_KERNEL='${GPIO_KERNEL:-}' is no file: the arm64 kernel image is needed (scripts/gpio-check fetches it)"
[ -f "${GPIO_BUSYBOX:-}" ] ||
	fail "GPIO_BUSYBOX='${GPIO_BUSYBOX:-}' is no file: busybox-static:arm64's busybox is needed (scripts/gpio-check fetches it)"
[ -f "$build/config.h" ] || fail "$build is not a configured build tree (no config.h)"
# libtool keeps the real program in .libs when it links the build's own
# shared library; the program itself otherwise.
daemon=$build/thermostat/.libs/thermostat
[ -f "$daemon" ] || daemon=$build/thermostat/thermostat
[ -f "$daemon" ] || fail "no thermostat in $build: build it first"
readelf -hW "$daemon" 2>/dev/null | grep '^ *Machine: *AArch64$' >/dev/null ||
	fail "$daemon is not an arm64 program: BUILD_DIR must be configured with --host=aarch64-linux-gnu"
api=$(sed -n 's/^#define THERMO_GPIOD_API \([0-9]\)$/\1/p' "$build/config.h")
case $api in
1) gpiod=libgpiod.so.2 ;;
2) gpiod=libgpiod.so.3 ;;
*) fail "$build/config.h: THERMO_GPIOD_API is '$api'" ;;
esac

# The build's own -L directories (a private libgpiod 2 prefix), in the
# order configure found them.
mapfile -t linked < <(sed -n 's/^[A-Z_]*_LIBS = //p' "$build/Makefile" |
	tr ' ' '\n' | sed -n 's/^-L//p' | awk '!seen[$0]++')
libdirs=("$@" "$build/lib/.libs" "${linked[@]}" /usr/lib/aarch64-linux-gnu /lib/aarch64-linux-gnu)

# ---- the initramfs ----------------------------------------------------
root=$out/root
rm -rf "$root"
mkdir -p "$root"
install -m 755 "$here/init" "$root/init"
cp "$here/phases" "$root/phases"
# The PL061 of -M virt: its device (and chip label) name, and the marker
# register (PeriphID0, read-only) in its page, for tests/gpio/init.
cat >"$root/test.env" <<EOF
LINE=$line
PL061=9030000.pl061
MARK_ADDR=0x09030fe0
EOF
"$here/initramfs.sh" "$root" "$out/initrd.cpio.gz" "$GPIO_BUSYBOX" "$daemon" \
	"${libdirs[@]}" >"$out/libs.txt" || fail "cannot make the initramfs"
lib=$(awk -v n="$gpiod" '$1 == n { print $2 }' "$out/libs.txt")
[ -n "$lib" ] || fail "the daemon (libgpiod API v$api) does not link $gpiod: $(cut -d' ' -f1 "$out/libs.txt" | tr '\n' ' ')"
note "daemon $daemon, libgpiod API v$api: $gpiod from ${lib%/*}"
note "initramfs: $(du -k "$out/initrd.cpio.gz" | cut -f1) KiB, $(wc -l <"$out/libs.txt") libraries, made in $(since "$T0") s"

# ---- boot and run -----------------------------------------------------
# -nodefaults: no NIC (QEMU would look for a boot ROM), no monitor; the
# PL011 is the console, into a file.  panic=-1 and -no-reboot: a guest
# that dies ends QEMU at once instead of at the time limit.  The trace
# times come from -msg timestamp=on.
rm -f "$out/trace.log" "$out/console.log"
t_qemu=$(now)
status=0
timeout -k 10 "$limit" "$qemu" -M virt -cpu cortex-a53 -smp 1 -m 512 \
	-nodefaults -display none -no-reboot \
	-serial "file:$out/console.log" \
	-kernel "$GPIO_KERNEL" -initrd "$out/initrd.cpio.gz" \
	-append "console=ttyAMA0 rdinit=/init iomem=relaxed panic=-1 quiet" \
	-msg timestamp=on -D "$out/trace.log" \
	-trace pl061_set_output -trace pl061_update -trace pl061_write \
	</dev/null >"$out/qemu.log" 2>&1 || status=$?
took=$(since "$t_qemu")
# The serial console ends lines with CR LF.
sed -i 's/\r$//' "$out/console.log"
grep -a '^gpio-guest: \(kernel\|relay\|marker\)' "$out/console.log" || true
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
	tail -n 30 "$out/console.log"
	fail "QEMU still ran after $limit s (GPIO_LIMIT)"
fi
[ "$status" -eq 0 ] || { cat "$out/qemu.log"; fail "QEMU exited with status $status"; }
guest=$(grep -a '^gpio-guest: \(PASS\|FAIL\)' "$out/console.log" || true)
[ -n "$guest" ] || { tail -n 30 "$out/console.log"; fail "the guest did not finish (console: $out/console.log)"; }

# ---- the verdict, from the trace ----------------------------------------
verdict=0
awk -v line="$line" -v t0="$t_qemu" -f "$here/trace.awk" \
	"$here/phases" "$out/trace.log" || verdict=$?
if [ "$guest" != "gpio-guest: PASS" ]; then
	grep -a '^gpio-guest: daemon' "$out/console.log" | tail -n 30
	fail "${guest#gpio-guest: }"
fi
[ "$verdict" -eq 0 ] || fail "the line did not do what the steps say (trace: $out/trace.log)"
note "PASS: libgpiod API v$api, PL061 line $line: QEMU ran $took s (boot and steps), $(since "$T0") s in all"
