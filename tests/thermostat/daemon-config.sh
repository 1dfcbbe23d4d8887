#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Bad configuration is refused at start naming the file, line and key,
# with exit status 2; startup failures exit 1 with a clear message; the
# effective configuration prints in a form that reads back.
. "${top_srcdir:?}/tests/thermostat/daemon-lib.sh"

# expect STATUS PATTERN ARGS...: the daemon exits with STATUS and prints
# PATTERN (an extended regex) on stderr.
expect() {
	local want=$1 pattern=$2 got=0
	shift 2
	"${RUN_THERMOSTAT[@]}" "$@" >"$DIR/out" 2>"$DIR/err" </dev/null || got=$?
	[ "$got" -eq "$want" ] ||
		fail "$*: exit $got, not $want: $(cat "$DIR/err")"
	grep -Eq -- "$pattern" "$DIR/err" ||
		fail "$*: stderr lacks /$pattern/: $(cat "$DIR/err")"
}

conf() { printf '%s\n' "$@" >"$DIR/bad.conf"; }

conf 'setpoint = 21' 'min_onn = 5'
expect 2 "bad.conf:2: min_onn: " --config "$DIR/bad.conf" --print-config
conf '# comment' '' 'min_on = ten'
expect 2 "bad.conf:3: min_on: " --config "$DIR/bad.conf" --print-config
conf 'max_setpoint = 500'
expect 2 "bad.conf:1: max_setpoint: " --config "$DIR/bad.conf" --print-config
conf 'min_setpoint = 25' 'max_setpoint = 20'
expect 2 "bad.conf:[12]: (min|max)_setpoint: " --config "$DIR/bad.conf" --print-config
conf 'ssl_certificate = /etc/ssl/cert.pem'
expect 2 "proxy" --config "$DIR/bad.conf" --print-config
expect 2 "min-on" --config /dev/null --min-on=-1 --print-config
expect 2 "no-such.conf" --config "$DIR/no-such.conf"
expect 2 "unrecognized|unknown" --config /dev/null --no-such-option
note "bad configuration: exit 2, naming file, line and key"

# --print-config reads back as the same configuration.
"${RUN_THERMOSTAT[@]}" --config /dev/null --min-on 90 --units F --print-config >"$DIR/a.conf"
"${RUN_THERMOSTAT[@]}" --config "$DIR/a.conf" --print-config >"$DIR/b.conf"
cmp -s "$DIR/a.conf" "$DIR/b.conf" || fail "--print-config does not read back"
grep -Eq '^min_on = 90' "$DIR/a.conf" || fail "option not in --print-config"
"${RUN_THERMOSTAT[@]}" --version >"$DIR/version"
grep -q "$(sed -n 's/^#define SS_VERSION_STRING "\(.*\)"/\1/p' "$top_srcdir/include/sharedstate.h")" "$DIR/version" ||
	fail "--version: $(cat "$DIR/version")"
"${RUN_THERMOSTAT[@]}" --help >"$DIR/help"
grep -q -- '--simulate' "$DIR/help" || fail "--help"
# thermostat(8) documents every option --help lists.
for opt in $(grep -oE -- '--[a-z][a-z0-9-]*' "$DIR/help" | sort -u); do
	grep -qE "Fl -${opt#--}( |\$)" "$top_srcdir/man/man8/thermostat.8.in" ||
		fail "thermostat(8) lacks $opt"
done
note "--print-config round trip, --version, --help"

# Startup failures: exit 1, relay never left on.
expect 1 "relay.*gpiochip99" --config /dev/null --sensor sim --relay gpiod \
	--gpio-chip gpiochip99 --state-file "$DIR/state"
expect 1 "sensor" --config /dev/null --relay sim --sensor sysfs \
	--sensor-file "$DIR/missing" --state-file "$DIR/state"
# A port already taken.
start_daemon
expect 1 "cannot listen" --config /dev/null --simulate \
	--listen "127.0.0.1:$PORT" --state-file "$DIR/state2"
stop_daemon TERM
[ "$STATUS" -eq 0 ] || fail "exit $STATUS"
note "startup failures: exit 1 with the reason"
