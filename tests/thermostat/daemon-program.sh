#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The weekly program against the real daemon (simulated relay, a sysfs
# sensor file at a cold 15 C, so it heats):
#   a hold that ends in seconds: the control thread wakes at its end, by
#     itself (no reading or request wakes it: readings every 20 s), and
#     the setpoint goes back within LATE_MS by the daemon's own clock
#   the furnace's runtime and runs grow while it heats, in the state
#     route and /metrics, and are saved at shutdown
#   a schedule and a permanent hold survive a restart, the runtime too
#   a state file with a damaged program line: the configuration's program,
#     with a logged error, and the daemon runs
. "${top_srcdir:?}/tests/thermostat/daemon-lib.sh"

echo 15000 >"$DIR/temp"
# LATE_MS: how late after a hold's end the control thread may wake, by its
# own clock: its wake-up latency (the heartbeat, 10 s, would be late).
LATE_MS=1000
opts=(--sensor sysfs --sensor-file "$DIR/temp" --sensor-interval 20
	--sensor-timeout 60 --min-on 0 --min-off 0 --runaway-time 0
	--setpoint 20 --schedule-sunday "08:00 comfort")
start_daemon "${opts[@]}"
wait_for .heating true
[ "$(state .program.source)" = schedule ] || fail "source $(state .program.source)"

# A hold of about 3 s (hours 0.0006): held now, over by itself.
reply=$(put_json /api/v1/hold '{"setpoint": 25, "hours": 0.0006}')
[ "$(jq -r .setpoint <<<"$reply")" = 25 ] || fail "hold: $reply"
[ "$(jq -r .program.source <<<"$reply")" = hold ] || fail "hold: $reply"
wait_for .program.source schedule
[ "$(state .setpoint)" = 21 ] || fail "setpoint after the hold: $(state .setpoint)"
late=$(sed -n 's/.*program: the hold or boost ended, \([0-9]*\) ms after its end.*/\1/p' "$LOG")
[ -n "$late" ] || fail "the end of the hold is not logged"
[ "$late" -le "$LATE_MS" ] || fail "the hold ended $late ms late (at most $LATE_MS)"
note "a hold of 3 s ended by itself, $late ms after its end"

# Runtime: it has been heating for seconds now.
# (A function: wait_until runs its command again each time; a "$(...)"
# in its arguments would be read once.)
runtime_counted() { [ "$(state .runtime.total)" -ge 2 ]; }
wait_until "runtime counted" runtime_counted
[ "$(state .runtime.cycles_total)" -ge 1 ] || fail "no run counted"
[ "$(state '.runtime.days | length')" = 7 ] || fail "runtime days: $(state .runtime.days)"
api /metrics | grep -qE '^thermostat_furnace_runtime_seconds_total [1-9]' ||
	fail "runtime not in /metrics"
api /metrics | grep -qE '^thermostat_furnace_cycles_total [1-9]' ||
	fail "cycles not in /metrics"

# A week and a permanent hold, then a restart.
week='{"schedule": {"monday": [{"time": "06:30", "preset": "comfort"}, {"time": "22:00", "preset": "sleep"}], "tuesday": [], "wednesday": [], "thursday": [], "friday": [], "saturday": [{"time": "09:00", "setpoint": 19.5}], "sunday": []}}'
put_json /api/v1/schedule "$week" >"$DIR/week.json"
put_json /api/v1/hold '{"preset": "eco", "kind": "forever"}' >/dev/null
stop_daemon TERM
[ "$STATUS" = 0 ] || fail "exit status $STATUS"
grep -q '^hold=forever eco$' "$DIR/state" || fail "state file: $(cat "$DIR/state")"
# No client set the setpoint or the mode: the file leaves them to the
# configuration (saving the runtime must not pin --setpoint's value).
grep -qE '^(setpoint|mode)=' "$DIR/state" && fail "setpoint or mode saved: $(cat "$DIR/state")"
saved=$(sed -n 's/^runtime=total \([0-9]*\) .*/\1/p' "$DIR/state")
[ -n "$saved" ] && [ "$saved" -ge 2 ] || fail "runtime not saved: $(cat "$DIR/state")"

start_daemon "${opts[@]}"
api /api/v1/schedule | jq -S . >"$DIR/week2.json"
jq -S . "$DIR/week.json" | cmp -s - "$DIR/week2.json" || fail "the week did not survive a restart"
[ "$(state .program.hold.kind)" = forever ] || fail "hold after restart: $(state .program.hold)"
[ "$(state .setpoint)" = 18 ] || fail "setpoint after restart: $(state .setpoint)"
[ "$(state .runtime.total)" -ge "$saved" ] || fail "runtime after restart: $(state .runtime.total) < $saved"
note "the week, the hold and ${saved} s of runtime survived a restart"
stop_daemon TERM

# A damaged program line: the configuration's program, a logged error.
sed -i 's/^monday=.*/monday=25:00 comfort/' "$DIR/state"
start_daemon "${opts[@]}"
grep -q 'state: .*monday.*configuration.s program' "$LOG" ||
	fail "the damaged state file is not logged"
[ "$(api /api/v1/schedule | jq -c .schedule.sunday)" = '[{"time":"08:00","preset":"comfort"}]' ] ||
	fail "not the configuration's week: $(api /api/v1/schedule)"
[ "$(state .program.hold)" = null ] || fail "a hold from a damaged file"
stop_daemon TERM
[ "$STATUS" = 0 ] || fail "exit status $STATUS"
note "a damaged state file gives the configuration's program"
