#!/bin/sh
# SPDX-License-Identifier: MIT
# The systemd unit as make builds it (thermostat/thermostat.service, from
# thermostat.service.in with the install paths filled in):
#   - no placeholder is left, ExecStart runs $(sbindir)/thermostat with
#     $(sysconfdir)/thermostat/thermostat.conf, the state directory is
#     $(localstatedir)/lib/thermostat;
#   - it has what issue #6 asks of it: Type=notify, a watchdog, restart on
#     failure, the sandbox (ProtectSystem=strict, ProtectHome, PrivateTmp,
#     NoNewPrivileges, ReadWritePaths, DeviceAllow of the GPIO chips,
#     SupplementaryGroups=gpio);
#   - systemd-analyze verify finds nothing to say about it (any message is
#     a failure: verify exits 0 on unknown keys and bad values, which it
#     only reports), once ExecStart points at the daemon in the build tree;
#   - every man page it names in Documentation= exists in the source tree;
#   - systemd-analyze security rates its exposure at most 2.0 (1.5 now) (the sandbox
#     cannot erode unnoticed).
# Works offline: no systemd needs to run.  Debian package: systemd.
set -eu
unit="$top_builddir/thermostat/thermostat.service"
daemon="$top_builddir/thermostat/thermostat"
die() { echo "systemd: $*"; exit 1; }

command -v systemd-analyze >/dev/null 2>&1 ||
	die "systemd-analyze not found: install the Debian package systemd"
# The install paths, as make expands them.
eval "$(MAKEFLAGS='' MFLAGS='' ${MAKE:-make} -s --no-print-directory -C "$top_builddir" \
	print-install-dirs | grep "^[a-z_]*='")"
[ -n "${prefix:-}" ] || die "make print-install-dirs printed nothing"
if [ "$build_thermostat" != yes ]; then
	echo "systemd: the thermostat is not built (--disable-thermostat)"
	exit 77
fi
[ -f "$unit" ] || die "$unit not built"
[ -x "$daemon" ] || die "$daemon not built"

status=0
fail() { echo "systemd: $*"; status=1; }
if grep -n '@[A-Za-z_]*@' "$unit"; then
	fail "placeholders left in $unit"
fi
# want LINE: the unit has this line, exactly.
want() { grep -qxF "$1" "$unit" || fail "$unit lacks: $1"; }
want "ExecStart=$sbindir/thermostat --config $sysconfdir/thermostat/thermostat.conf"
want "ReadWritePaths=-$localstatedir/lib/thermostat"
want "Type=notify"
want "Restart=on-failure"
want "ProtectSystem=strict"
want "ProtectHome=yes"
want "PrivateTmp=yes"
want "NoNewPrivileges=yes"
want "SupplementaryGroups=gpio"
want "DeviceAllow=char-gpiochip rw"
want "StateDirectory=thermostat"
grep -q '^WatchdogSec=[1-9]' "$unit" || fail "$unit lacks a WatchdogSec"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The installed binary need not exist yet: verify checks that ExecStart is
# executable, so point it at the one just built.
sed "s|^ExecStart=$sbindir/thermostat |ExecStart=$daemon |" "$unit" \
	>"$tmp/thermostat.service"
grep -q "^ExecStart=$daemon " "$tmp/thermostat.service" ||
	fail "cannot point ExecStart at $daemon"
# --man=no: verify would run man(1) on Documentation=; the pages are
# checked below against the source tree instead.
if ! systemd-analyze verify --man=no "$tmp/thermostat.service" >"$tmp/verify" 2>&1 ||
   [ -s "$tmp/verify" ]; then
	cat "$tmp/verify"
	fail "systemd-analyze verify rejects or warns about the unit"
fi
for doc in $(sed -n 's/^Documentation=//p' "$unit"); do
	case $doc in
	man:*\(*\))
		page=${doc#man:}
		name=${page%%(*}
		sec=${page#*(}
		sec=${sec%)}
		[ -f "$top_srcdir/man/man$sec/$name.$sec.in" ] ||
			fail "Documentation=$doc: no man/man$sec/$name.$sec.in" ;;
	*) fail "Documentation=$doc: not a man: reference" ;;
	esac
done
if ! systemd-analyze security --offline=true --threshold=20 --no-pager \
	"$tmp/thermostat.service" >"$tmp/security" 2>&1; then
	cat "$tmp/security"
	fail "systemd-analyze security: the exposure is above 2.0"
fi
grep 'Overall exposure' "$tmp/security" || true
[ $status -eq 0 ] && echo "systemd: $unit verifies, sandboxed, Type=notify with a watchdog"
exit $status
