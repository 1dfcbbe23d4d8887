#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The web server's figures, each beside a baseline from the same run:
#   GET /api/v1/state against GET /api/v1/version (a constant answer in the
#     same server), requests/s and p99, at 1 and 64 connections (wrk);
#   a setpoint PUT until the event stream shows it, and until the control
#     thread has decided (the relay switched): p50, p99;
#   an idle daemon: CPU seconds over IDLE_SECONDS and resident memory;
#   with MQTT_LATENCY (a daemon built with MQTT): the same setpoint
#     published over MQTT until the retained setpoint and the decision
#     come back, beside the web's PUT from the same daemon (mqtt-bench.sh,
#     MQTT_ROUNDS rounds, 200 by default).
# Prints "name value unit" lines.
#   web-bench.sh DAEMON WEB_LATENCY [SECONDS_PER_WRK_RUN] [IDLE_SECONDS]
#                [MQTT_LATENCY [MQTT_ROUNDS]]
set -euo pipefail
daemon=${1:?daemon binary}
latency=${2:?web_latency binary}
secs=${3:-5}
idle=${4:-60}
mqtt=${5:-}
mqtt_rounds=${6:-200}
command -v wrk >/dev/null || { echo "web-bench: wrk is missing (Debian package: wrk)"; exit 1; }
# The daemon is started, found and stopped as the daemon tests do it
# (start_daemon, stop_daemon; DIR is the scratch directory, PID and PORT).
THERMOSTAT=$daemon
# shellcheck source=../thermostat/daemon-lib.sh
. "$(dirname "$0")/../thermostat/daemon-lib.sh"

# wrk_run CONNS PATH: prints "reqs_per_s p99_ms".
wrk_run() {
	local out threads=$(($1 < 2 ? 1 : 2))
	out=$(wrk -t"$threads" -c"$1" -d"${secs}s" --latency "http://127.0.0.1:$PORT$2")
	if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then
		echo "web-bench: non-2xx answers or socket errors on $2:" >&2
		echo "$out" >&2
		exit 1
	fi
	awk '/Requests\/sec:/ { r = $2 }
	     / 99%/ { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+/, "", v);
		      m = (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
	     END { printf "%s %s\n", r, m }' <<<"$out"
}

median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

# Enough workers for 64 keep-alive connections (CivetWeb: one each), all
# from one address: the per-client cap (12 by default, against one client
# holding every worker) is lifted, as behind a reverse proxy.  The two
# routes alternate over three rounds; the medians are printed, since wrk
# and the daemon share this machine's cores.
start_daemon --num-threads 80 --max-connections-per-client 0
for c in 1 64; do
	: >"$DIR/version" && : >"$DIR/state.out"
	for _ in 1 2 3; do
		wrk_run "$c" /api/v1/version >>"$DIR/version"
		wrk_run "$c" /api/v1/state >>"$DIR/state.out"
	done
	base_rps=$(awk '{ print $1 }' "$DIR/version" | median)
	base_p99=$(awk '{ print $2 }' "$DIR/version" | median)
	rps=$(awk '{ print $1 }' "$DIR/state.out" | median)
	p99=$(awk '{ print $2 }' "$DIR/state.out" | median)
	echo "web.version.c$c.rps $base_rps req/s"
	echo "web.version.c$c.p99 $base_p99 ms"
	echo "web.state.c$c.rps $rps req/s"
	echo "web.state.c$c.p99 $p99 ms"
	awk -v a="$rps" -v b="$base_rps" -v c="$c" \
		'BEGIN { printf "web.state.c%d.vs_version %.3f x\n", c, a / b }'
done
stop_daemon

# A house that does not move, no rest times: every setpoint across 20 C
# flips the relay at once.
start_daemon --sim-start 20 --sim-gain 0 --sim-loss 0 --sim-noise 0 \
	--min-on 0 --min-off 0 --sensor-interval 1
sleep 1.5
"$latency" "$PORT" 200 20
stop_daemon

# Idle: nothing to do but read the sensor every 5 s.
start_daemon
sleep 2
read -r u0 s0 < <(awk '{ print $14, $15 }' "/proc/$PID/stat")
sleep "$idle"
read -r u1 s1 < <(awk '{ print $14, $15 }' "/proc/$PID/stat")
hz=$(getconf CLK_TCK)
awk -v t=$((u1 + s1 - u0 - s0)) -v hz="$hz" -v s="$idle" \
	'BEGIN { printf "web.idle.cpu %.3f s per %d s\n", t / hz, s }'
awk '/VmRSS/ { printf "web.idle.rss %.2f MiB\n", $2 / 1024 }' "/proc/$PID/status"
stop_daemon

# MQTT: a broker and a daemon of its own.
[ -z "$mqtt" ] ||
	"$(dirname "$0")/mqtt-bench.sh" "$daemon" "$mqtt" "$latency" "$mqtt_rounds"
