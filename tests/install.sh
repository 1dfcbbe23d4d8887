#!/bin/sh
# SPDX-License-Identifier: MIT
# make install DESTDIR=... lays out what issue #6 lists, where configure
# said:
#   - the library as libtool installs it: libsharedstate.so.0.0.0 and the
#     symlinks libsharedstate.so.0 and libsharedstate.so to it (names from
#     the .la),
#     the soname inside, the .la with installed=yes, the static library;
#   - sharedstate.h, and libsharedstate.pc with -pthread;
#   - with the thermostat: sbin/thermostat (a real program, not libtool's
#     wrapper, that runs against the installed library), an example
#     thermostat.conf under sysconfdir, the state directory under
#     localstatedir, the unit in the unit directory when one is set;
#   - the man pages: man3 (ss_new...), man7, and with the thermostat man5
#     and man8;
#   - nothing else outside the prefix but the unit.
# Then an edited thermostat.conf survives a second make install and make
# uninstall, and make uninstall removes everything else.
set -eu
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dest="$tmp/root"
status=0
fail() { echo "install: $*"; status=1; }
die() { echo "install: $*"; exit 1; }
mk() { ${MAKE:-make} -s --no-print-directory -C "$top_builddir" "$@"; }

# (Not through the jobserver of a parallel make check, which would add
# warnings to the output.)
eval "$(MAKEFLAGS='' MFLAGS='' mk print-install-dirs | grep "^[a-z_]*='")"
[ -n "${prefix:-}" ] || die "make print-install-dirs printed nothing"
mk install DESTDIR="$dest" >"$tmp/install.log" 2>&1 ||
	{ cat "$tmp/install.log"; die "make install failed"; }

# exists TEST PATH WHAT: test -TEST "$dest/PATH", else a failure.
exists() { test "-$1" "$dest$2" || fail "$3 missing: $2"; }

# ---- the library -----------------------------------------------------
la="$top_builddir/lib/libsharedstate.la"
la_var() { sed -n "s/^$1='\{0,1\}\([^']*\)'\{0,1\}\$/\1/p" "$2"; }
dlname=$(la_var dlname "$la")              # libsharedstate.so.0
names=$(la_var library_names "$la")        # real, soname, dev link
real=${names%% *}
[ -n "$dlname" ] && [ -n "$real" ] || die "no library names in $la"
exists f "$libdir/$real" "the shared library"
for link in $names; do
	[ "$link" = "$real" ] && continue
	[ -L "$dest$libdir/$link" ] || { fail "$libdir/$link is not a symlink"; continue; }
	[ "$(readlink -f "$dest$libdir/$link")" = "$(readlink -f "$dest$libdir/$real")" ] ||
		fail "$libdir/$link does not lead to $real"
done
[ "$(readlink "$dest$libdir/$dlname")" = "$real" ] ||
	fail "$dlname should point at $real"
LC_ALL=C readelf -d "$dest$libdir/$real" | grep -q "(SONAME).*\[$dlname\]" ||
	fail "$real: the soname is not $dlname"
if LC_ALL=C readelf -d "$dest$libdir/$real" | grep -q -E '\((RPATH|RUNPATH)\)'; then
	fail "$real has an RPATH or RUNPATH"
fi
exists f "$libdir/libsharedstate.la" "the libtool archive"
[ "$(la_var installed "$dest$libdir/libsharedstate.la")" = yes ] ||
	fail "the installed .la does not say installed=yes"
[ "$(la_var libdir "$dest$libdir/libsharedstate.la")" = "$libdir" ] ||
	fail "the installed .la does not name libdir=$libdir"
exists f "$libdir/libsharedstate.a" "the static library"
cmp -s "$top_srcdir/include/sharedstate.h" "$dest$includedir/sharedstate.h" ||
	fail "$includedir/sharedstate.h is not the header"
pc="$dest$pkgconfigdir/libsharedstate.pc"
if [ -f "$pc" ]; then
	grep -q '^Libs:.*-lsharedstate.*-pthread' "$pc" || fail "libsharedstate.pc: Libs lacks -pthread"
	grep -q '^Cflags:.*-pthread' "$pc" || fail "libsharedstate.pc: Cflags lacks -pthread"
	got=$(PKG_CONFIG_PATH="$dest$pkgconfigdir" PKG_CONFIG_SYSROOT_DIR="$dest" \
		pkg-config --variable=libdir libsharedstate)
	[ "$got" = "$dest$libdir" ] || fail "libsharedstate.pc: libdir is $got"
else
	fail "$pkgconfigdir/libsharedstate.pc missing"
fi

# ---- man pages ---------------------------------------------------------
exists f "$mandir/man3/ss_new.3" "man3"
exists f "$mandir/man7/libsharedstate.7" "man7"
# Every page make builds is installed (and nothing half-built: each is
# non-empty).
for page in $(cd "$top_builddir" && find man -name '*.[0-9]' | sed 's|^man/||'); do
	[ -s "$dest$mandir/$page" ] || fail "$mandir/$page not installed"
done

# ---- the thermostat ----------------------------------------------------
if [ "$build_thermostat" = yes ]; then
	bin="$dest$sbindir/thermostat"
	exists x "$sbindir/thermostat" "the daemon"
	LC_ALL=C readelf -h "$bin" >/dev/null 2>&1 ||
		fail "$sbindir/thermostat is not an ELF program (libtool's wrapper?)"
	# (Through tests/emulate.sh: under the emulator in a cross build.)
	run="$top_srcdir/tests/emulate.sh"
	ver=$(LD_LIBRARY_PATH="$dest$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$run" "$bin" --version 2>&1) ||
		fail "$sbindir/thermostat --version: $ver"
	echo "install: $sbindir/thermostat --version: $(echo "$ver" | head -n 1)"
	LD_LIBRARY_PATH="$dest$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$run" --ldd "$bin" | grep -q "$dest$libdir/$dlname" ||
		fail "$sbindir/thermostat does not use the installed $dlname"
	conf="$sysconfdir/thermostat/thermostat.conf"
	cmp -s "$top_builddir/thermostat/thermostat.conf" "$dest$conf" ||
		fail "$conf is not the example thermostat.conf"
	# The daemon started by hand reads that file, and its state file
	# default is under localstatedir, as the example says.
	help=$(LD_LIBRARY_PATH="$dest$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" "$run" "$bin" --help 2>&1) ||
		fail "$sbindir/thermostat --help: $help"
	echo "$help" | grep -qx " *$conf" ||
		fail "thermostat --help does not name $conf as the default configuration: $(echo "$help" | grep -A1 -e --config)"
	grep -qx "#state_file = $localstatedir/lib/thermostat/state" "$dest$conf" ||
		fail "$conf does not give $localstatedir/lib/thermostat/state as the state file's default"
	exists d "$localstatedir/lib/thermostat" "the state directory"
	exists f "$mandir/man5/thermostat.conf.5" "thermostat.conf(5)"
	exists f "$mandir/man8/thermostat.8" "thermostat(8)"
	if [ "$install_unit" = yes ]; then
		exists f "$systemdsystemunitdir/thermostat.service" "the systemd unit"
		cmp -s "$top_builddir/thermostat/thermostat.service" \
			"$dest$systemdsystemunitdir/thermostat.service" ||
			fail "the installed unit is not thermostat/thermostat.service"
	elif [ -n "$(find "$dest" -name thermostat.service)" ]; then
		fail "a unit was installed without a unit directory"
	fi
fi

# ---- nothing else outside the prefix -------------------------------------
find "$dest" ! -type d | sed "s|^$dest||" | sort >"$tmp/files"
grep -v -e "^$prefix/" -e "^$exec_prefix/" -e "^$sysconfdir/" -e "^$localstatedir/" \
	${systemdsystemunitdir:+-e "^$systemdsystemunitdir/thermostat.service\$"} \
	"$tmp/files" >"$tmp/outside" || true
[ -s "$tmp/outside" ] && { cat "$tmp/outside"; fail "files installed outside the prefix"; }
echo "install: $(wc -l <"$tmp/files") files; prefix $prefix"

# ---- a second install keeps an edited configuration ----------------------
if [ "$build_thermostat" = yes ]; then
	conf="$dest$sysconfdir/thermostat/thermostat.conf"
	echo 'setpoint = 19.5 # edited by tests/install.sh' >>"$conf"
	cp "$conf" "$tmp/edited.conf"
	mk install DESTDIR="$dest" >"$tmp/install2.log" 2>&1 ||
		{ cat "$tmp/install2.log"; die "the second make install failed"; }
	cmp -s "$conf" "$tmp/edited.conf" ||
		fail "make install overwrote an edited $sysconfdir/thermostat/thermostat.conf"
	grep -q 'KEEP.*thermostat.conf' "$tmp/install2.log" ||
		fail "the second make install did not say it kept thermostat.conf"
	mk uninstall DESTDIR="$dest" >"$tmp/uninstall.log" 2>&1 ||
		{ cat "$tmp/uninstall.log"; die "make uninstall failed"; }
	cmp -s "$conf" "$tmp/edited.conf" ||
		fail "make uninstall removed an edited thermostat.conf"
	rm -f "$conf"
else
	mk uninstall DESTDIR="$dest" >"$tmp/uninstall.log" 2>&1 ||
		{ cat "$tmp/uninstall.log"; die "make uninstall failed"; }
fi
left=$(find "$dest" ! -type d)
[ -z "$left" ] || { echo "$left"; fail "make uninstall left files behind"; }

[ $status -eq 0 ] && echo "install: the layout is complete; an edited thermostat.conf is kept"
exit $status
