# SPDX-License-Identifier: MIT
# Sourced by the daemon tests: start the real thermostat binary on an
# ephemeral port with a scratch directory, talk to it with curl, stop it.
# Needs bash, curl and jq.
#
# Timing: what the daemon promises about time (heat off within
# sensor_timeout, stopped within a second of SIGTERM) is checked from the
# times the daemon itself records, never with a stopwatch around polling,
# which measures the machine's load as much as the daemon.  Every wait
# here has only a generous sanity deadline (WAIT_S, scaled by TEST_SCALE
# like the other tests), so a slow machine makes a test slower, not red.

set -euo pipefail

THERMOSTAT=${THERMOSTAT:-${top_builddir:?}/thermostat/thermostat}
# How to start it: through tests/emulate.sh, which runs it as it is, or
# in a cross build under the emulator (TEST_EMULATOR).
# (The benchmarks source this file outside make check: the source tree is
# where this file is.)
top_srcdir=${top_srcdir:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}
RUN_THERMOSTAT=("$top_srcdir/tests/emulate.sh" "$THERMOSTAT")
TEST=$(basename "$0" .sh)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/$TEST.XXXXXX")
PID=
PORT=
LOG="$DIR/daemon.log"
SCALE=${TEST_SCALE:-1}
# The sanity deadline of every wait, in seconds.
WAIT_S=$((30 * SCALE))

cleanup() {
	if [ -n "$PID" ] && kill -0 "$PID" 2>/dev/null; then
		kill -KILL "$PID" 2>/dev/null || true
		wait "$PID" 2>/dev/null || true
	fi
	rm -rf "$DIR"
}
trap cleanup EXIT

fail() {
	echo "$TEST: FAIL: $*"
	if [ -f "$LOG" ]; then
		echo "---- daemon log (last 40 lines)"
		tail -n 40 "$LOG"
	fi
	exit 1
}

note() { echo "$TEST: $*"; }

for tool in curl jq; do
	command -v "$tool" >/dev/null || fail "$tool is missing (Debian package: $tool)"
done
[ -x "$THERMOSTAT" ] || fail "no daemon at $THERMOSTAT"

# Milliseconds on a monotonic-enough clock.
now_ms() { echo $(($(date +%s%N) / 1000000)); }

# start_daemon ARGS...: the simulated daemon with a scratch state file on
# an ephemeral port, ARGS appended (later options win).  Sets PID and PORT.
start_daemon() {
	: >"$LOG"
	"${RUN_THERMOSTAT[@]}" --config /dev/null --simulate --listen 127.0.0.1:0 \
		--state-file "$DIR/state" "$@" 2>>"$LOG" &
	PID=$!
	wait_port
}

# wait_port: the port from the daemon's "web: listening" log line.
wait_port() {
	local end=$(($(now_ms) + WAIT_S * 1000))
	PORT=
	while [ "$(now_ms)" -lt "$end" ]; do
		PORT=$(sed -n 's/.*web: listening on .*(port \([0-9]*\)).*/\1/p' "$LOG" | tail -n 1)
		[ -n "$PORT" ] && return 0
		kill -0 "$PID" 2>/dev/null || { wait "$PID" || true; fail "the daemon exited at start"; }
		sleep 0.05
	done
	fail "no listening line after $WAIT_S s"
}

# api PATH [CURL ARGS...]: the response body; fails on a transport error.
api() {
	local path=$1
	shift
	curl -sS --max-time "$WAIT_S" "$@" "http://127.0.0.1:$PORT$path" ||
		fail "curl $path failed"
}

# status PATH [CURL ARGS...]: the HTTP status only.
status() {
	local path=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time "$WAIT_S" "$@" \
		"http://127.0.0.1:$PORT$path" || true
}

# state FILTER: a jq filter applied to GET /api/v1/state.
state() { api /api/v1/state | jq -r "$1"; }

put_json() { # PATH JSON
	api "$1" -X PUT -H 'Content-Type: application/json' -d "$2"
}

# wait_for FILTER EXPECTED: until state FILTER prints EXPECTED (at most
# WAIT_S seconds).
wait_for() {
	local filter=$1 want=$2 got= end
	end=$(($(now_ms) + WAIT_S * 1000))
	while [ "$(now_ms)" -lt "$end" ]; do
		got=$(state "$filter")
		[ "$got" = "$want" ] && return 0
		sleep 0.05
	done
	fail "$filter is '$got', not '$want', after $WAIT_S s"
}

# wait_until WHAT COMMAND...: until COMMAND succeeds (at most WAIT_S
# seconds).
wait_until() {
	local what=$1 end
	shift
	end=$(($(now_ms) + WAIT_S * 1000))
	while [ "$(now_ms)" -lt "$end" ]; do
		"$@" && return 0
		sleep 0.05
	done
	fail "$what: not after $WAIT_S s"
}

# stop_daemon [SIGNAL]: signals the daemon and waits; sets STATUS and
# STOP_MS (signal to exit, seen from here: a sanity check only).
stop_daemon() {
	local sig=${1:-TERM} t0
	t0=$(now_ms)
	kill -"$sig" "$PID"
	STATUS=0
	wait "$PID" || STATUS=$?
	STOP_MS=$(($(now_ms) - t0))
	PID=
}

# check_stopped WHAT: the daemon's own account of its last stop ("stopped:
# relay off N ms, threads and web server M ms after the signal", from its
# monotonic clock) says the relay was off and everything stopped within a
# second of the signal.  Sets RELAY_OFF_MS and STOPPED_MS.
check_stopped() {
	local what=$1 line
	line=$(grep 'stopped: relay off' "$LOG" | tail -n 1)
	[ -n "$line" ] || fail "$what: no 'stopped:' line in the log"
	RELAY_OFF_MS=$(sed -n 's/.*relay off \([0-9]*\) ms.*/\1/p' <<<"$line")
	STOPPED_MS=$(sed -n 's/.*web server \([0-9]*\) ms after.*/\1/p' <<<"$line")
	[ -n "$RELAY_OFF_MS" ] && [ -n "$STOPPED_MS" ] || fail "$what: cannot read: $line"
	[ "$RELAY_OFF_MS" -le "$STOPPED_MS" ] || fail "$what: relay off after the rest stopped: $line"
	[ "$STOPPED_MS" -le 1000 ] || fail "$what: the daemon took $STOPPED_MS ms to stop (its own clock)"
	# From outside, only a sanity bound: process exit and the kernel's
	# reaping under load are not the daemon's doing.
	[ "$STOP_MS" -le $((10000 * SCALE)) ] || fail "$what: the process took $STOP_MS ms to exit"
}
