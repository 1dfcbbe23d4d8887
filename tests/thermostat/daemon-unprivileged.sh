#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The daemon needs no root.  The systemd unit as make builds it runs it as
# a dynamic user with no capabilities and no new privileges; this test
# checks the unit says so, then runs the real daemon the same way: as root
# it drops to uid/gid 65534 (nobody/nogroup) with setpriv(1) (no
# supplementary groups, empty capability bounding set, no_new_privs); as
# any other user it runs as that user.  The process must show no uid 0 and
# no effective capability in /proc, serve the API, save a setpoint into a
# state directory owned by that user, and stop cleanly on SIGTERM.  The
# binary and the in-tree library are copied into the scratch directory so
# that the unprivileged user can reach them wherever the build tree is.
. "${top_srcdir:?}/tests/thermostat/daemon-lib.sh"

unit="$top_builddir/thermostat/thermostat.service"
[ -f "$unit" ] || fail "$unit not built"
has() { grep -qxF "$1" "$unit" || fail "$unit lacks: $1"; }
has "DynamicUser=yes"
has "NoNewPrivileges=yes"
has "CapabilityBoundingSet="
if grep -nE '^(User=(root|0)|AmbientCapabilities=.|PermissionsStartOnly=)' "$unit"; then
	fail "$unit gives the daemon root or capabilities"
fi

# The real binary (not the libtool wrapper) and the library it links.
bin="$top_builddir/thermostat/.libs/thermostat"
[ -x "$bin" ] || bin="$top_builddir/thermostat/thermostat"
[ "$(head -c 4 "$bin" | tail -c 3)" = ELF ] || fail "no ELF daemon at $bin"
mkdir -p "$DIR/bin" "$DIR/lib" "$DIR/state-dir"
cp "$bin" "$DIR/bin/thermostat"
cp -P "$top_builddir"/lib/.libs/libsharedstate.so* "$DIR/lib/"
chmod 755 "$DIR" "$DIR/bin" "$DIR/lib"
libpath="$DIR/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

if [ "$(id -u)" -eq 0 ]; then
	command -v setpriv >/dev/null || fail "setpriv is missing (Debian package: util-linux)"
	uid=65534 gid=65534
	run=(setpriv --reuid="$uid" --regid="$gid" --clear-groups
	     --inh-caps=-all --bounding-set=-all --no-new-privs --)
	how="dropped to uid $uid with setpriv"
else
	uid=$(id -u) gid=$(id -g)
	run=()
	how="run as uid $uid (not root)"
fi
chown "$uid:$gid" "$DIR/state-dir"
chmod 700 "$DIR/state-dir"
state_file="$DIR/state-dir/state"

: >"$LOG"
chmod 644 "$LOG"
# In a cross build, the emulator runs the copy (TEST_EMULATOR is a
# command such as qemu-arm, readable by every user).
# shellcheck disable=SC2206 # TEST_EMULATOR may carry options
emu=(${TEST_EMULATOR:-})
env LD_LIBRARY_PATH="$libpath" "${run[@]}" "${emu[@]}" "$DIR/bin/thermostat" \
	--config /dev/null --simulate --listen 127.0.0.1:0 \
	--state-file "$state_file" --sensor-interval 0.2 2>>"$LOG" &
PID=$!
wait_port

# Who the process is, as the kernel sees it.
status_file=/proc/$PID/status
[ -r "$status_file" ] || fail "cannot read $status_file"
read -r _ ruid euid suid fsuid < <(grep '^Uid:' "$status_file")
for u in "$ruid" "$euid" "$suid" "$fsuid"; do
	[ "$u" -eq "$uid" ] || fail "Uid: $ruid $euid $suid $fsuid, not $uid"
	[ "$u" -ne 0 ] || fail "the daemon runs with uid 0"
done
capeff=$(sed -n 's/^CapEff:[[:space:]]*//p' "$status_file")
[ "$((16#$capeff))" -eq 0 ] || fail "effective capabilities: $capeff"
if [ "$(id -u)" -eq 0 ]; then
	[ "$(sed -n 's/^NoNewPrivs:[[:space:]]*//p' "$status_file")" = 1 ] ||
		fail "no_new_privs is not set"
	[ "$((16#$(sed -n 's/^CapBnd:[[:space:]]*//p' "$status_file")))" -eq 0 ] ||
		fail "the capability bounding set is not empty"
fi

# It works: reads, a write saved into its own directory.
wait_for .sensor.status ok
code=$(status /healthz)
[ "$code" = 200 ] || fail "GET /healthz: HTTP $code"
code=$(status /api/v1/setpoint -X PUT -H 'Content-Type: application/json' \
	-d '{"setpoint": 22.5}')
[ "$code" = 200 ] || fail "PUT setpoint: HTTP $code"
wait_until "setpoint saved in $state_file" grep -qsx 'setpoint=22.5' "$state_file"
[ "$(stat -c %u "$state_file")" -eq "$uid" ] ||
	fail "$state_file is owned by uid $(stat -c %u "$state_file"), not $uid"
[ "$(state .state_saved)" = true ] || fail "state_saved is not true"

stop_daemon TERM
[ "$STATUS" -eq 0 ] || fail "SIGTERM: exit status $STATUS"
check_stopped SIGTERM
note "unit: DynamicUser, no capabilities; daemon $how: Uid $euid," \
	"CapEff $capeff, served, saved setpoint 22.5, exit 0," \
	"stopped after $STOPPED_MS ms (daemon's clock)"
