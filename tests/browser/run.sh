#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The browser test: starts three simulated daemons on free loopback ports,
# one open, one that needs a login for everything (digest, nonces of
# 2 s) and one whose setpoint step is 0.25 (in a warm house, so its
# furnace does not run), drives their page in Debian's chromium (headless,
# through playwright-core) and stops them with SIGTERM, which must end
# each with status 0.  No login of the page may fail.
#   tests/browser/run.sh [THERMOSTAT]
# THERMOSTAT is the daemon binary (e.g. build-check/plain/thermostat/thermostat);
# without it the first one found in build-check/plain, build-web or build is
# used, or one is built in build-browser/.
# Installs what is missing: chromium and a font (apt-get), Node.js (apt-get),
# and playwright-core (npm ci, from package-lock.json).
# Environment: SCREENSHOT (default tests/browser/screenshot.png; the phone
# screenshots go beside it with -phone and -phone-dark), KEEP_LOGS=1 to
# print the daemons' logs even on success.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
t0=${EPOCHREALTIME/[.,]/}
elapsed() {
	local us=$((${EPOCHREALTIME/[.,]/} - t0))
	printf '%d.%ds' $((us / 1000000)) $((us / 100000 % 10))
}
say() { echo "browser: $* ($(elapsed))"; }
die() { echo "browser: FAILED: $*" >&2; exit 1; }

# ---- what the test needs ------------------------------------------------
# shellcheck source=scripts/deps.sh
. "$top/scripts/deps.sh"
ss_install_missing chromium fonts-dejavu-core
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium is missing after installing chromium"
command -v node >/dev/null || ss_install_missing nodejs npm
command -v node >/dev/null || die "no node"
node_major=$(node -p 'process.versions.node.split(".")[0]')
[ "$node_major" -ge 20 ] || die "Node.js $(node --version): playwright-core needs 20 or later"
want=$(node -p 'require(process.argv[1]).dependencies["playwright-core"]' "$here/package.json")
have=$(node -p 'try { require(process.argv[1]).version } catch (e) { "" }' \
	"$here/node_modules/playwright-core/package.json" 2>/dev/null || true)
if [ "$have" != "$want" ]; then
	command -v npm >/dev/null || ss_install_missing npm
	say "npm ci (playwright-core $want)"
	(cd "$here" && npm ci --no-audit --no-fund --loglevel=error) ||
		die "npm ci failed"
fi

# ---- the daemon ----------------------------------------------------------
bin=${1:-}
if [ -z "$bin" ]; then
	for d in build-check/plain build-web build; do
		if [ -x "$top/$d/thermostat/thermostat" ]; then
			bin=$top/$d/thermostat/thermostat
			break
		fi
	done
fi
if [ -z "$bin" ]; then
	say "building the daemon in build-browser/"
	[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >/dev/null)
	mkdir -p "$top/build-browser"
	(cd "$top/build-browser" && "$top/configure" -q >/dev/null &&
		make -s -j"$(nproc)" >/dev/null) || die "cannot build the daemon"
	bin=$top/build-browser/thermostat/thermostat
fi
[ -x "$bin" ] || die "$bin: no such program"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/thermostat-browser.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do
		if kill -0 "$p" 2>/dev/null; then
			kill -KILL "$p" 2>/dev/null || true
			wait "$p" 2>/dev/null || true
		fi
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
show_log() {
	for f in "$tmp"/*.log; do
		echo "---- $(basename "$f" .log) daemon log"
		cat "$f"
	done
	echo "----"
}

# start NAME OPTION...: a daemon logging to $tmp/NAME.log; sets pid and
# port.  Hermetic (an empty configuration file, a state file of its own),
# fast (a reading and a history point every second), and a house that
# heats and cools within seconds, so the chart has something to show.
: >"$tmp/empty.conf"
start() {
	local name=$1
	shift
	"$bin" --config "$tmp/empty.conf" --simulate --listen 127.0.0.1:0 \
		--state-file "$tmp/$name.state" --log-level info \
		--sensor-interval 1 --history-interval 1 --history-minutes 60 \
		--min-on 3 --min-off 3 --sim-start 19.5 --sim-gain 0.1 \
		--sim-loss 0.003 "$@" 2>"$tmp/$name.log" &
	pid=$!
	pids+=("$pid")
	# The port: "web: listening on 127.0.0.1:0 (port NNNNN)" on stderr.
	port=
	for _ in $(seq 100); do
		port=$(sed -n 's/.*web: listening on .* (port \([0-9][0-9]*\)).*/\1/p' \
			"$tmp/$name.log" | head -n 1)
		[ -n "$port" ] && break
		kill -0 "$pid" 2>/dev/null || { show_log; die "the $name daemon exited at start"; }
		sleep 0.1
	done
	[ -n "$port" ] || { show_log; die "the $name daemon did not say its port within 10 s"; }
	say "$name daemon $bin: pid $pid, port $port"
}

# stop NAME PID: SIGTERM must end it, with 0.
stop() {
	local name=$1 p=$2 rc=0
	kill -TERM "$p" 2>/dev/null || { show_log; die "the $name daemon was gone before SIGTERM"; }
	for _ in $(seq 100); do
		kill -0 "$p" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$p" 2>/dev/null; then
		show_log
		die "the $name daemon did not stop within 10 s of SIGTERM"
	fi
	wait "$p" || rc=$?
	if [ "$rc" -ne 0 ]; then
		show_log
		die "the $name daemon exited with status $rc after SIGTERM"
	fi
	say "$name daemon stopped with status 0"
}

start open
open_pid=$pid open_port=$port
# With a login for everything (digest, alice / s3cret), and nonces that
# expire within the test, so the page must log in again unasked.
printf 'alice:thermostat:%s\n' \
	"$(printf 'alice:thermostat:s3cret' | md5sum | cut -d' ' -f1)" \
	>"$tmp/htdigest"
start login --password-file "$tmp/htdigest" --auth-reads \
	--auth-nonce-lifetime 2
login_pid=$pid login_port=$port
# Setpoints in steps of 0.25, and a house warmer than any setpoint the
# test sets: its furnace stays off (no run time).
start step --setpoint-step 0.25 --sim-start 25
step_pid=$pid step_port=$port

# ---- the test ------------------------------------------------------------
status=0
BASE_URL="http://127.0.0.1:$open_port" \
	LOGIN_URL="http://127.0.0.1:$login_port" LOGIN_USER=alice \
	LOGIN_PASSWORD=s3cret STEP_URL="http://127.0.0.1:$step_port" \
	SCREENSHOT="${SCREENSHOT:-$here/screenshot.png}" \
	CHROMIUM=/usr/bin/chromium \
	node "$here/page.test.mjs" || status=$?

# ---- stop ----------------------------------------------------------------
say "test done (status $status); SIGTERM to the daemons"
stop open "$open_pid"
stop login "$login_pid"
stop step "$step_pid"
# Chromium's logins were all good ones: none failed.
if grep -q "failed login" "$tmp/login.log"; then
	show_log
	die "a login of the page failed"
fi
if [ "$status" -ne 0 ]; then
	show_log
	die "the page test failed"
fi
[ "${KEEP_LOGS:-}" = 1 ] && show_log
say "passed"
