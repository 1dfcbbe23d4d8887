#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# 10,000 malformed, oversized and wrong-topic messages at the daemon
# through a real broker (mosquitto on a loopback port of its own):
#   the daemon keeps serving HTTP during the flood and MQTT after it (a
#     valid command afterwards works)
#   nothing changes (the record's change counters, setpoint, mode, preset)
#   every message that reaches it is counted in
#     thermostat_mqtt_rejected_total, exactly: the ones on its command
#     topics (BASE/+/set) of at most 4096 bytes; 64 KiB ones never reach it
#     (it asks the broker for packets of at most 4096 bytes), nor do topics
#     it does not subscribe to
#   memory stays flat: VmRSS grows less than 1024 KiB from after a warm-up
#     of 4000 messages to after the flood
#   the log stays short (refusals: at most 10 lines a minute)
# (Under tests/emulate.sh in a cross build the PID is the emulator's: its
# RSS growth is still the daemon's.)
# shellcheck disable=SC2153 # BPORT, TEST...: set by the libraries
# shellcheck source=/dev/null # checked on their own
. "${top_srcdir:?}/tests/thermostat/daemon-lib.sh"
# shellcheck source=/dev/null
. "${top_srcdir:?}/tests/thermostat/mqtt-lib.sh"

need_mqtt_daemon
# In the ASan build, freed blocks wait in ASan's quarantine (256 MB) to
# catch a use after free, and RSS grows with every message handled
# whatever the daemon keeps: without it, RSS is the daemon's own again.
# (Every other test runs with the quarantine.)
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=0"
start_broker anon
NODE=flood
BASE=thermostat/$NODE
echo 17000 >"$DIR/temp"
mqtt_opts "$NODE"
# Four web workers: the HTTP requests during the flood meet workers the
# warm-up's requests woke already (a first request on each of 128 would
# grow RSS by the worker's stack and the allocator's cache for it).
start_daemon --sensor sysfs --sensor-file "$DIR/temp" --sensor-interval 1 \
	--min-on 0 --min-off 0 --runaway-time 0 --setpoint 20 \
	--num-threads 4 "${MQTT_OPTS[@]}"
wait_for .heating true
wait_retained "$BASE/availability" online

snapshot() {
	api /api/v1/state | jq -c '[.changes, .program_changes, .setpoint, .mode, .program.source, .program.preset]'
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$PID/status"; }

# gen N KIND: N lines of bad payloads (no empty lines: mosquitto_pub -l
# skips them) for a command topic of KIND; none is a valid command in
# any reading (no leading blanks, no other letter case).
gen() {
	awk -v n="$1" -v kind="$2" 'BEGIN {
		long = sprintf("%1000s", ""); gsub(/ /, "9", long)
		mid = sprintf("%100s", ""); gsub(/ /, "2", mid)
		split("abc|1e309|25.0.0|99|nan|-inf|2\3775|25 C|--1|.|" mid "|" long, sp, "|")
		split("cool|auto|heat\377|fan_only|o|" mid "|" long, md, "|")
		split("party|eco\377|comfort2|none!|" mid "|" long, pr, "|")
		split("25|heat|eco|" long, fo, "|")
		for (i = 0; i < n; i++) {
			if (kind == "setpoint") print sp[i % 12 + 1]
			else if (kind == "mode") print md[i % 7 + 1]
			else if (kind == "preset") print pr[i % 6 + 1]
			else print fo[i % 4 + 1]
		}
	}'
}
# flood N M B: N messages on each of the 4 command topics (4 N reach the
# daemon), M on each of 3 topics it does not hear, and B of 64 KiB on its
# setpoint command topic.  QoS 1: the broker has them all when this
# returns.
flood() {
	local n=$1 m=$2 b=$3 pids=() k p
	for k in setpoint mode preset foo; do
		gen "$n" "$k" >"$DIR/lines.$k"
		mosquitto_pub "${MQ[@]}" -q 1 -t "$BASE/$k/set" -l <"$DIR/lines.$k" &
		pids+=($!)
	done
	gen "$m" setpoint >"$DIR/lines.other"
	for t in thermostat/other/setpoint/set "$BASE/setpoint/set/x" "$BASE/setpoint"; do
		mosquitto_pub "${MQ[@]}" -q 1 -t "$t" -l <"$DIR/lines.other" &
		pids+=($!)
	done
	for _ in $(seq 1 "$b"); do
		head -c 65536 /dev/zero | tr '\0' 7
		echo
	done >"$DIR/lines.big"
	mosquitto_pub "${MQ[@]}" -q 1 -t "$BASE/setpoint/set" -l <"$DIR/lines.big" &
	pids+=($!)
	# HTTP answers all along.
	while kill -0 "${pids[0]}" 2>/dev/null; do
		[ "$(status /api/v1/state)" = 200 ] || fail "the state route failed during the flood"
		HTTP_OK=$((HTTP_OK + 1))
	done
	for p in "${pids[@]}"; do
		wait "$p" || fail "a publisher of the flood failed"
	done
}

before=$(snapshot)
r0=$(metric thermostat_mqtt_rejected_total)
HTTP_OK=0
# Warm-up: 4000 that reach it, of the flood's kinds and sizes (the
# allocators keep what they got for each size; the ASan build's more).
flood 1000 200 20
wait_until "the warm-up counted" metric_above thermostat_mqtt_rejected_total $((r0 + 3999))
rss1=$(rss_kib)
r1=$(metric thermostat_mqtt_rejected_total)
[ "$r1" = $((r0 + 4000)) ] || fail "warm-up: $((r1 - r0)) rejected, 4000 reached the daemon"

t0=$(now_ms)
flood 2000 600 200
sent=$((2000 * 4 + 600 * 3 + 200))
# A valid command after the flood: it works, and once it has worked the
# flood before it (on the same connection, in order) has been handled.
mqtt_pub "$BASE/setpoint/set" 21
wait_for .setpoint 21
took=$(($(now_ms) - t0))
wait_retained "$BASE/setpoint" 21
rss2=$(rss_kib)
r2=$(metric thermostat_mqtt_rejected_total)
after=$(snapshot)
[ "$(jq -c '.[0] -= 1 | .[2] = 20' <<<"$after")" = "$before" ] ||
	fail "the flood changed something: $before -> $after (only the setpoint command may)"
[ "$((r2 - r1))" = 8000 ] ||
	fail "$((r2 - r1)) rejected, 8000 reached the daemon (of $sent sent$(grep -q 'being dropped' "$BROKER_LOG" && echo '; the broker dropped some'))"
[ "$(metric thermostat_mqtt_connected)" = 1 ] || fail "not connected after the flood"
[ "$(status /healthz)" = 200 ] || fail "/healthz after the flood: $(api /healthz)"
growth=$((rss2 - rss1))
[ "$growth" -lt 1024 ] || fail "VmRSS grew $growth KiB ($rss1 -> $rss2) over the flood"
elapsed_min=$(((took + 59999) / 60000))
n=$(grep -c 'mqtt: refused on ' "$LOG" || true)
[ "$n" -le $((10 * (elapsed_min + 1))) ] || fail "$n 'refused' lines in $took ms of flood"
note "$sent messages ($((r2 - r1)) reached the daemon, refused) in $took ms: nothing changed, VmRSS $rss1 -> $rss2 KiB (growth $growth KiB), $HTTP_OK HTTP answers during the flood, $n log lines, $(wc -l <"$LOG") in the log"
stop_daemon TERM
[ "$STATUS" = 0 ] || fail "exit status $STATUS"
