# SPDX-License-Identifier: MIT
# Sourced by the daemon tests: start the real thermostat binary on an
# ephemeral port with a scratch directory, talk to it with curl, stop it.
# Needs bash, curl and jq.

set -euo pipefail

THERMOSTAT=${THERMOSTAT:-${top_builddir:?}/thermostat/thermostat}
TEST=$(basename "$0" .sh)
DIR=$(mktemp -d "${TMPDIR:-/tmp}/$TEST.XXXXXX")
PID=
PORT=
LOG="$DIR/daemon.log"

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
	"$THERMOSTAT" --config /dev/null --simulate --listen 127.0.0.1:0 \
		--state-file "$DIR/state" "$@" 2>>"$LOG" &
	PID=$!
	wait_port
}

# wait_port: the port from the daemon's "web: listening" log line.
wait_port() {
	local i
	PORT=
	for i in $(seq 1 200); do
		PORT=$(sed -n 's/.*web: listening on .*(port \([0-9]*\)).*/\1/p' "$LOG" | tail -n 1)
		[ -n "$PORT" ] && return 0
		kill -0 "$PID" 2>/dev/null || { wait "$PID" || true; fail "the daemon exited at start"; }
		sleep 0.05
	done
	fail "no listening line after 10 s"
}

# api PATH [CURL ARGS...]: the response body; fails on a transport error.
api() {
	local path=$1
	shift
	curl -sS --max-time 5 "$@" "http://127.0.0.1:$PORT$path" ||
		fail "curl $path failed"
}

# status PATH [CURL ARGS...]: the HTTP status only.
status() {
	local path=$1
	shift
	curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@" \
		"http://127.0.0.1:$PORT$path" || true
}

# state FILTER: a jq filter applied to GET /api/v1/state.
state() { api /api/v1/state | jq -r "$1"; }

put_json() { # PATH JSON
	api "$1" -X PUT -H 'Content-Type: application/json' -d "$2"
}

# wait_for FILTER EXPECTED SECONDS: until state FILTER prints EXPECTED.
wait_for() {
	local filter=$1 want=$2 secs=$3 got= end
	end=$(($(now_ms) + secs * 1000))
	while [ "$(now_ms)" -lt "$end" ]; do
		got=$(state "$filter")
		[ "$got" = "$want" ] && return 0
		sleep 0.05
	done
	fail "$filter is '$got', not '$want', after $secs s"
}

# stop_daemon [SIGNAL]: signals the daemon and waits; sets STATUS and
# STOP_MS (signal to exit).
stop_daemon() {
	local sig=${1:-TERM} t0
	t0=$(now_ms)
	kill -"$sig" "$PID"
	STATUS=0
	wait "$PID" || STATUS=$?
	STOP_MS=$(($(now_ms) - t0))
	PID=
}
