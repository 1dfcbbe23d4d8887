#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Load: wrk on loopback at 64 connections, nine state reads to one
# setpoint write, with event-stream clients attached.  Fails on any
# non-2xx answer, on resident memory growing by 1 MiB or more after the
# warm-up, or on a control thread that stopped deciding (no relay
# switches while setpoints flip, or /healthz not 200).  Prints
# "name value unit" lines.
#   load.sh DAEMON [SECONDS] [SSE_CLIENTS]
set -euo pipefail
daemon=${1:?daemon binary}
secs=${2:-30}
nsse=${3:-4}
here=$(cd "$(dirname "$0")" && pwd)
command -v wrk >/dev/null || { echo "load: wrk is missing (Debian package: wrk)"; exit 1; }
# The daemon is started, found and stopped as the daemon tests do it
# (start_daemon, fail; DIR is the scratch directory, PID and PORT).
THERMOSTAT=$daemon
# shellcheck source=../thermostat/daemon-lib.sh
. "$here/../thermostat/daemon-lib.sh"
sse=()
trap 'for p in "${sse[@]}"; do kill "$p" 2>/dev/null || true; done; cleanup' EXIT

# A house that does not move at 20 C, no rest times: every write flips
# the relay.  Workers for 64 keep-alive connections and the streams, all
# from one address: no per-client cap (as behind a reverse proxy).
start_daemon --num-threads $((64 + nsse + 8)) --max-connections-per-client 0 \
	--sim-start 20 --sim-gain 0 --sim-loss 0 --sim-noise 0 \
	--min-on 0 --min-off 0 --sensor-interval 1
url="http://127.0.0.1:$PORT"
for i in $(seq 1 "$nsse"); do
	curl -sN "$url/api/v1/events" >"$DIR/sse$i" 2>/dev/null &
	sse+=($!)
done

metric() { curl -s "$url/metrics" | awk -v m="$1" '$1 == m { print $2 }'; }
rss_kib() { awk '/VmRSS/ { print $2 }' "/proc/$PID/status"; }

wrk -t2 -c64 -d5s -s "$here/mixed.lua" "$url" >"$DIR/warm" # warm-up
rss0=$(rss_kib)
sw0=$(metric thermostat_relay_switches_total)
wrk -t2 -c64 -d"${secs}s" --latency -s "$here/mixed.lua" "$url" >"$DIR/wrk"
rss1=$(rss_kib)
sw1=$(metric thermostat_relay_switches_total)
health=$(curl -s -o /dev/null -w '%{http_code}' "$url/healthz")

if grep -qE 'Non-2xx|Socket errors' "$DIR/wrk" "$DIR/warm"; then
	cat "$DIR/wrk"
	fail "non-2xx answers or socket errors on valid requests"
fi
awk '/Requests\/sec:/ { printf "load.rps %s req/s\n", $2 }
     / 99%/ { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+/, "", v);
	      printf "load.p99 %.2f ms\n", (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }
     / 50%/ { v = $2; u = v; sub(/[0-9.]+/, "", u); sub(/[a-z]+/, "", v);
	      printf "load.p50 %.2f ms\n", (u == "us") ? v / 1000 : (u == "s") ? v * 1000 : v }' "$DIR/wrk"
echo "load.seconds $secs s"
echo "load.sse_clients $nsse clients"
echo "load.rss_growth $((rss1 - rss0)) KiB (from $rss0 KiB)"
echo "load.relay_switches $((sw1 - sw0)) switches"
for i in $(seq 1 "$nsse"); do
	n=$(grep -c '^event: state' "$DIR/sse$i" || true)
	echo "load.sse$i.events $n events"
	[ "$n" -gt 10 ] || fail "event stream $i received only $n events"
done
[ $((rss1 - rss0)) -lt 1024 ] || fail "RSS grew by $((rss1 - rss0)) KiB"
[ $((sw1 - sw0)) -gt 10 ] || fail "the control thread switched only $((sw1 - sw0)) times"
[ "$health" = 200 ] || fail "/healthz answered $health under load"
stop_daemon TERM
[ "$STATUS" -eq 0 ] || fail "exit status $STATUS"
echo "load: ok"
