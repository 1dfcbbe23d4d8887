#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runaway protection against the real daemon: a sysfs sensor file stuck
# at a low but valid reading, runaway_time of a few seconds, the simulated
# relay.
#   the run is cut runaway_time after it began (by the daemon's own
#     clock), the heat stays off, the alarm shows in /api/v1/state,
#     /metrics and the log
#   a reading that moved less than runaway_rise leaves it; one that moved
#     runaway_rise clears it, and the heat goes on again
#   PUT /api/v1/alarm {"runaway": false} clears it; a bad body, type or
#     method gets its 4xx and changes nothing
. "${top_srcdir:?}/tests/thermostat/daemon-lib.sh"

RUNAWAY=3 # runaway_time for these runs, seconds
# SLACK: how late after runaway_time the control thread may cut the run,
# by its own clock: its wake-up latency, never the machine's polling.
SLACK=0.5
echo 15000 >"$DIR/temp"
start_daemon --sensor sysfs --sensor-file "$DIR/temp" --sensor-interval 0.2 \
	--sensor-timeout 5 --min-on 0 --min-off 0 --setpoint 20 \
	--runaway-time "$RUNAWAY" --runaway-rise 0.3

# on_wall STATE: when the relay last switched, on the server's wall clock
# in ms (its "time" minus relay_changed_age).  trip_wall STATE: when the
# alarm was raised (its "time" minus alarm.age).  Both from one answer,
# computed at one instant by the daemon.
on_wall() { jq -r '.time - .relay_changed_age * 1000' <<<"$1"; }
trip_wall() { jq -r '.time - .alarm.age * 1000' <<<"$1"; }

# tripped WHAT TRIPS: a heating run on the stuck reading is cut with the
# alarm (trips counted TRIPS), runaway_time after it began, not before,
# and at most SLACK later.  The start of the run is read while it heats;
# should a busy machine answer only after the cut, the trip is checked
# without its timing (check-control checks the instant).
tripped() {
	local what=$1 trips=$2 s on= off gap end
	end=$(($(now_ms) + WAIT_S * 1000))
	while [ "$(now_ms)" -lt "$end" ]; do
		s=$(api /api/v1/state)
		[ "$(jq -r .alarm.trips <<<"$s")" = "$trips" ] && break
		[ "$(jq -r .heating <<<"$s")" = true ] && { on=$(on_wall "$s"); break; }
		sleep 0.05
	done
	wait_for .alarm.trips "$trips"
	s=$(api /api/v1/state)
	[ "$(jq -r .alarm.runaway <<<"$s")" = true ] || fail "$what: no alarm"
	[ "$(jq -r .heating <<<"$s")" = false ] || fail "$what: heating with the alarm raised"
	[ "$(jq -r .reason <<<"$s")" = runaway ] || fail "$what: reason $(jq -r .reason <<<"$s")"
	jq -r .reason_text <<<"$s" | grep -q 'runaway_time' || fail "$what: reason_text $(jq -r .reason_text <<<"$s")"
	jq -r .alarm.since <<<"$s" | grep -qE '^[0-9-]+T[0-9:]+Z$' || fail "$what: since $(jq -r .alarm.since <<<"$s")"
	if [ -z "$on" ]; then
		note "$what: cut (the run's start not seen: a busy machine)"
		return 0
	fi
	off=$(trip_wall "$s")
	gap=$(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.2f", (b - a) / 1000 }')
	# The ages are rounded to a tenth of a second.
	awk -v g="$gap" -v t="$RUNAWAY" -v s="$SLACK" 'BEGIN { exit !(g >= t - 0.15 && g <= t + s) }' ||
		fail "$what: run cut $gap s after it began (runaway_time $RUNAWAY s, slack $SLACK s)"
	note "$what: cut $gap s after the heat went on (runaway_time $RUNAWAY s)"
}

# ---- a stuck reading trips it -----------------------------------------
tripped "stuck at 15 C" 1
s=$(api /api/v1/state)
[ "$(jq -r .alarm.temperature <<<"$s")" = 15 ] || fail "alarm temperature $(jq -r .alarm.temperature <<<"$s")"
m=$(api /metrics)
grep -qx 'thermostat_runaway_alarm 1' <<<"$m" || fail "metrics: $(grep runaway <<<"$m")"
grep -qx 'thermostat_runaway_trips_total 1' <<<"$m" || fail "metrics: $(grep runaway <<<"$m")"
grep -q 'error: runaway: heating, but no rise of 0.3 C in 0.05 min (reading 15.00 C)' "$LOG" ||
	fail "no error line for the trip"
grep -q 'relay OFF: Heated for runaway_time' "$LOG" || fail "relay OFF not logged with the reason"
# The heat stays off while it is stuck, on fresh readings: the relay does
# not switch for another runaway_time.
switches=$(state .relay.switches)
sleep "$RUNAWAY"
s=$(api /api/v1/state)
[ "$(jq -r .heating <<<"$s")" = false ] || fail "heat on again on the stuck reading"
[ "$(jq -r .relay.switches <<<"$s")" = "$switches" ] || fail "the relay switched while the alarm held"
[ "$(jq -r .alarm.runaway <<<"$s")" = true ] || fail "the alarm went away by itself"
[ "$(jq -r .sensor.status <<<"$s")" = ok ] || fail "sensor $(jq -r .sensor.status <<<"$s")"
[ "$(jq -r .reason <<<"$s")" = runaway ] || fail "reason $(jq -r .reason <<<"$s")"
note "stuck: heat off and held off, alarm in state, metrics and log"

# ---- a reading that moved clears it -------------------------------------
echo 15200 >"$DIR/temp"
wait_for .temperature 15.2
[ "$(state .alarm.runaway)" = true ] || fail "cleared by a move of 0.2 C"
[ "$(state .heating)" = false ] || fail "heat on after a move of 0.2 C"
echo 15300 >"$DIR/temp"
wait_for .alarm.runaway false
grep -q 'info: runaway: alarm cleared: the temperature moved from 15.00 C to 15.30 C' "$LOG" ||
	fail "no info line for the clear"
grep -qx 'thermostat_runaway_alarm 0' <<<"$(api /metrics)" || fail "metrics still show the alarm"
note "a move of 0.3 C cleared it"
# Heating again, from a new baseline: stuck at 15.3, it trips again.
tripped "stuck at 15.3 C" 2

# ---- cleared through the API ----------------------------------------------
# Bad requests first: each gets its status and the alarm stays.
bad() { # STATUS METHOD TYPE BODY
	local got
	got=$(status /api/v1/alarm -X "$2" ${3:+-H "Content-Type: $3"} ${4:+--data-binary "$4"})
	[ "$got" = "$1" ] || fail "$2 /api/v1/alarm '$4' ($3): $got, not $1"
	[ "$(state .alarm.runaway)" = true ] || fail "$2 /api/v1/alarm '$4' ($3) cleared the alarm"
}
bad 422 PUT application/json '{"runaway": true}'
bad 422 PUT application/json '{"runaway": "false"}'
bad 422 PUT application/json '{}'
bad 422 PUT application/json '{"runaway": false, "setpoint": 25}'
bad 400 PUT application/json '{"runaway": fals'
bad 400 PUT application/json 'false'
bad 415 PUT text/plain '{"runaway": false}'
bad 405 DELETE '' ''
bad 405 POST application/json '{"runaway": false}'
allow=$(curl -s -o /dev/null -D - -X DELETE "http://127.0.0.1:$PORT/api/v1/alarm" |
	tr -d '\r' | sed -n 's/^Allow: //Ip')
[ "$allow" = PUT ] || fail "Allow: $allow"
[ "$(state .alarm.trips)" = 2 ] || fail "trips changed by bad requests"
[ "$(state .setpoint)" = 20 ] || fail "setpoint changed by bad requests"
note "bad clears: 400, 415, 422, 405 (Allow: PUT), the alarm stays"

s=$(put_json /api/v1/alarm '{"runaway": false}')
[ "$(jq -r .alarm.runaway <<<"$s")" = false ] || fail "PUT answer: $s"
[ "$(jq -r .alarm.trips <<<"$s")" = 2 ] || fail "PUT answer trips: $s"
grep -q 'info: web: runaway alarm cleared (from 127.0.0.1)' "$LOG" || fail "API clear not logged"
# The heat goes on again, and the stuck sensor trips it once more.
tripped "cleared through the API, still stuck" 3
grep -qx 'thermostat_runaway_trips_total 3' <<<"$(api /metrics)" || fail "metrics: trips"
note "PUT /api/v1/alarm cleared it; still stuck, it tripped again"

stop_daemon TERM
[ "$STATUS" -eq 0 ] || fail "exit $STATUS"
grep -q 'relay: off' "$LOG" || fail "relay not left off at exit"
