#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# MQTT with Home Assistant discovery against a real broker (Debian's
# mosquitto on a loopback port of its own, anonymous), the daemon's house a
# sysfs sensor file at 17 C and the simulated relay:
#   discovery: the retained climate config, key by key against Home
#     Assistant's MQTT climate schema (written down once, below), the two
#     runtime sensors and the alarm binary sensor, their unique ids
#   the retained state topics agree with GET /api/v1/state
#   commands over MQTT (setpoint, mode, preset) change the record, and the
#     relay decision follows
#   bad commands (a table) change nothing, are counted and logged with
#     their topic (logging rate-limited: 10 lines a minute)
#   30 setpoint PUTs in a burst are coalesced on the setpoint topic
#   two daemons on one broker: distinct unique ids, commands reach only
#     their target; a graceful stop leaves "offline"
#   the broker killed: heating decisions go on, /healthz degraded with the
#     MQTT reason; restarted (no persistence): discovery, availability and
#     state are back, and how long it took
#   the last will: SIGKILL the daemon, availability "offline"
# shellcheck disable=SC2153 # BPORT, TEST...: set by the libraries
# shellcheck source=/dev/null # checked on their own
. "${top_srcdir:?}/tests/thermostat/daemon-lib.sh"
# shellcheck source=/dev/null
. "${top_srcdir:?}/tests/thermostat/mqtt-lib.sh"

need_mqtt_daemon
start_broker anon
note "broker on 127.0.0.1:$BPORT"

NODE=zone1
BASE=thermostat/$NODE
DP=homeassistant
KEEPALIVE=5
# Setpoint limits and step other than the defaults: discovery must take
# them from the configuration.
MIN_SP=7
MAX_SP=28
STEP=0.1
echo 17000 >"$DIR/temp"
HOUSE=(--sensor sysfs --sensor-file "$DIR/temp" --sensor-interval 1
	--sensor-timeout 60 --min-on 0 --min-off 0 --runaway-time 0
	--min-setpoint "$MIN_SP" --max-setpoint "$MAX_SP" --setpoint-step "$STEP"
	--presets "comfort 21, eco 18, sleep 17, away 12")
mqtt_opts "$NODE"
start_daemon "${HOUSE[@]}" --setpoint 10 "${MQTT_OPTS[@]}" --mqtt-keepalive "$KEEPALIVE"
wait_for .heating false
wait_retained "$BASE/availability" online
grep -q "mqtt: connected to 127.0.0.1:$BPORT (node $NODE, topics $BASE/" "$LOG" ||
	fail "no 'mqtt: connected' line"
[ "$(metric thermostat_mqtt_connected)" = 1 ] || fail "thermostat_mqtt_connected $(metric thermostat_mqtt_connected)"
[ "$(metric thermostat_mqtt_connects_total)" -ge 1 ] || fail "thermostat_mqtt_connects_total"
[ "$(status /healthz)" = 200 ] || fail "/healthz $(api /healthz) while connected"

# num_eq A B: the same number (the topics have one decimal, JSON may not).
num_eq() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && b != "" && a + 0 == b + 0) }'; }

# ---- discovery -------------------------------------------------------------
# check_entity WHAT JSON TABLE: TABLE has a line a key: "KEY JQ-TEST" (the
# test applied to the key's value must be true), or "?KEY JQ-TEST" for a
# key that may be absent.  Keys not in the table are refused too: a typo
# in a key is a key Home Assistant ignores.
check_entity() {
	local what=$1 json=$2 table=$3 key test opt keys=()
	jq -e 'type == "object"' <<<"$json" >/dev/null || fail "$what: not a JSON object: $json"
	while read -r key test; do
		[ -n "$key" ] || continue
		opt=
		if [ "${key#\?}" != "$key" ]; then
			opt=1
			key=${key#\?}
		fi
		keys+=("$key")
		if ! jq -e --arg k "$key" 'has($k)' <<<"$json" >/dev/null; then
			[ -n "$opt" ] && continue
			fail "$what: no key $key in $json"
		fi
		jq -e --arg k "$key" --arg base "$BASE" --arg node "$NODE" \
			--argjson presets "$PRESETS" --argjson min "$CFG_MIN" \
			--argjson max "$CFG_MAX" --argjson step "$CFG_STEP" \
			--arg version "$VERSION" ".[\$k] | $test" <<<"$json" >/dev/null ||
			fail "$what: $key is $(jq -c --arg k "$key" '.[$k]' <<<"$json"), not: $test"
	done <<<"$table"
	extra=$(jq -r --args 'keys - $ARGS.positional | join(" ")' "${keys[@]}" <<<"$json")
	[ -z "$extra" ] || fail "$what: keys outside the schema: $extra"
}

# What the configuration says, as the daemon tells it.
s=$(api /api/v1/state)
CFG_MIN=$(jq .min_setpoint <<<"$s")
CFG_MAX=$(jq .max_setpoint <<<"$s")
CFG_STEP=$(jq .setpoint_step <<<"$s")
if ! { num_eq "$CFG_MIN" "$MIN_SP" && num_eq "$CFG_MAX" "$MAX_SP" && num_eq "$CFG_STEP" "$STEP"; }; then
	fail "the state route's limits $CFG_MIN..$CFG_MAX step $CFG_STEP, configured $MIN_SP..$MAX_SP step $STEP"
fi
PRESETS=$(api /api/v1/presets | jq -c '[.presets[].name]')
[ "$PRESETS" = '["comfort","eco","sleep","away"]' ] || fail "presets $PRESETS"
VERSION=$(api /api/v1/version | jq -r .version)

# Home Assistant's MQTT climate schema
# (https://www.home-assistant.io/integrations/climate.mqtt/), the keys the
# contract names: each with what its value must be.  Home Assistant
# refuses "none" in preset_modes (it is the reset, sent on the preset
# command topic); precision is one of 0.1, 0.5, 1; default_entity_id is
# DOMAIN.OBJECT (object_id's successor since 2025.10); retain, if there,
# false: a retained command would come back at every reconnect.
# shellcheck disable=SC2016 # jq's variables
CLIMATE_SCHEMA='
name                      type == "string" or type == "null"
unique_id                 . == $node + "_thermostat"
default_entity_id         type == "string" and test("^climate\\.[a-z0-9_]+$")
availability_topic        . == $base + "/availability"
payload_available         . == "online"
payload_not_available     . == "offline"
device                    .identifiers == ["thermostat_" + $node] and (.name | type == "string") and (.model | type == "string") and (.manufacturer | type == "string") and .sw_version == $version
modes                     . == ["off", "heat"]
mode_command_topic        . == $base + "/mode/set"
mode_state_topic          . == $base + "/mode"
temperature_command_topic . == $base + "/setpoint/set"
temperature_state_topic   . == $base + "/setpoint"
current_temperature_topic . == $base + "/temperature"
action_topic              . == $base + "/action"
preset_modes              . == $presets and (index("none") | not)
preset_mode_command_topic . == $base + "/preset/set"
preset_mode_state_topic   . == $base + "/preset"
min_temp                  type == "number" and . == $min
max_temp                  type == "number" and . == $max
temp_step                 type == "number" and . == $step
precision                 . == 0.1 or . == 0.5 or . == 1
temperature_unit          . == "C"
json_attributes_topic     . == $base + "/state"
qos                       . == 0 or . == 1 or . == 2
optimistic                . == false
?retain                   . == false
?origin                   type == "object"
?icon                     type == "string" and startswith("mdi:")
'
climate=$(retained "$DP/climate/$NODE/thermostat/config")
[ -n "$climate" ] || fail "no retained $DP/climate/$NODE/thermostat/config"
check_entity "climate config" "$climate" "$CLIMATE_SCHEMA"
jq -e --arg base "$BASE" '[to_entries[] | select(.key | endswith("_topic")) | .value | startswith($base + "/")] | all' \
	<<<"$climate" >/dev/null || fail "a topic outside $BASE/: $climate"
note "discovery: $climate"

# The other entities: runtime sensors and the alarm (Home Assistant's MQTT
# sensor and binary_sensor schemas; unit s, duration, total_increasing).
# shellcheck disable=SC2016 # jq's variables
SENSOR_SCHEMA='
name                type == "string" or type == "null"
unique_id           . == $node + "_" + $what
default_entity_id   type == "string" and test("^sensor\\.[a-z0-9_]+$")
state_topic         . == $base + "/" + $what
availability_topic  . == $base + "/availability"
?payload_available     . == "online"
?payload_not_available . == "offline"
device              .identifiers == ["thermostat_" + $node]
device_class        . == "duration"
unit_of_measurement . == "s"
state_class         . == "total_increasing"
?qos                . == 0 or . == 1 or . == 2
?origin             type == "object"
?icon               type == "string" and startswith("mdi:")
?entity_category    . == "diagnostic"
?json_attributes_topic . == $base + "/state"
'
# shellcheck disable=SC2016 # jq's variables
ALARM_SCHEMA='
name                type == "string" or type == "null"
unique_id           . == $node + "_alarm"
default_entity_id   type == "string" and test("^binary_sensor\\.[a-z0-9_]+$")
state_topic         . == $base + "/alarm"
availability_topic  . == $base + "/availability"
?payload_available     . == "online"
?payload_not_available . == "offline"
?payload_on         . == "ON"
?payload_off        . == "OFF"
device              .identifiers == ["thermostat_" + $node]
device_class        . == "problem"
?qos                . == 0 or . == 1 or . == 2
?origin             type == "object"
?icon               type == "string" and startswith("mdi:")
?entity_category    . == "diagnostic"
?json_attributes_topic . == $base + "/state"
'
for what in runtime_today runtime_total; do
	j=$(retained "$DP/sensor/$NODE/$what/config")
	[ -n "$j" ] || fail "no retained $DP/sensor/$NODE/$what/config"
	check_entity "$what config" "$j" "${SENSOR_SCHEMA//\$what/\"$what\"}"
done
j=$(retained "$DP/binary_sensor/$NODE/alarm/config")
[ -n "$j" ] || fail "no retained $DP/binary_sensor/$NODE/alarm/config"
check_entity "alarm config" "$j" "$ALARM_SCHEMA"
note "discovery: climate, 2 sensors and a binary sensor, unique ids ${NODE}_thermostat, ${NODE}_runtime_today, ${NODE}_runtime_total, ${NODE}_alarm"

# ---- state topics ----------------------------------------------------------
# check_topics: the retained state topics say what GET /api/v1/state says.
check_topics() {
	local s j action preset t
	s=$(api /api/v1/state)
	t=$(retained "$BASE/setpoint")
	[[ $t =~ ^-?[0-9]+(\.[0-9]+)?$ ]] || fail "setpoint topic '$t': not a number"
	num_eq "$t" "$(jq .setpoint <<<"$s")" || fail "setpoint topic $t, state $(jq .setpoint <<<"$s")"
	t=$(retained "$BASE/temperature")
	num_eq "$t" "$(jq .temperature <<<"$s")" || fail "temperature topic '$t', state $(jq .temperature <<<"$s")"
	[ "$(retained "$BASE/mode")" = "$(jq -r .mode <<<"$s")" ] || fail "mode topic $(retained "$BASE/mode")"
	action=$(jq -r 'if .mode == "off" then "off" elif .heating then "heating" else "idle" end' <<<"$s")
	[ "$(retained "$BASE/action")" = "$action" ] || fail "action topic $(retained "$BASE/action"), not $action"
	preset=$(jq -r '.program.preset // "none"' <<<"$s")
	[ "$(retained "$BASE/preset")" = "$preset" ] || fail "preset topic $(retained "$BASE/preset"), not $preset"
	[ "$(retained "$BASE/alarm")" = OFF ] || fail "alarm topic $(retained "$BASE/alarm")"
	for t in runtime_today runtime_total; do
		[[ $(retained "$BASE/$t") =~ ^[0-9]+$ ]] || fail "$t topic '$(retained "$BASE/$t")'"
	done
	j=$(retained "$BASE/state")
	jq -e . <<<"$j" >/dev/null 2>&1 || fail "state topic is not JSON: $j"
	jq -e --argjson s "$s" --arg action "$action" '
		.setpoint == $s.setpoint and .temperature == $s.temperature and
		.unit == "C" and .mode == $s.mode and .action == $action and
		.preset == $s.program.preset and .source == $s.program.source and
		.heating == $s.heating and .alarm == false and
		(.alarms | type == "array") and
		(.runtime_today | type == "number") and (.runtime_total | type == "number")' \
		<<<"$j" >/dev/null || fail "state topic $j, the state route $(jq -c '{setpoint,temperature,mode,heating,program}' <<<"$s")"
}
check_topics
note "state topics: setpoint $(retained "$BASE/setpoint"), temperature $(retained "$BASE/temperature"), action $(retained "$BASE/action"), state $(retained "$BASE/state")"

# ---- commands --------------------------------------------------------------
cmds0=$(metric thermostat_mqtt_commands_total)
mqtt_pub "$BASE/setpoint/set" 25
wait_for .setpoint 25
wait_for .heating true
wait_retained "$BASE/setpoint" 25.0
wait_retained "$BASE/action" heating
grep -q "mqtt: setpoint 25.00 C (from $BASE/setpoint/set)" "$LOG" || fail "the command is not logged"
[ "$(metric thermostat_mqtt_commands_total)" -gt "$cmds0" ] || fail "commands not counted"
check_topics
note "setpoint 25 over MQTT: the relay went on"

mqtt_pub "$BASE/mode/set" off
wait_for .mode off
wait_for .heating false
wait_retained "$BASE/mode" off
wait_retained "$BASE/action" off
mqtt_pub "$BASE/mode/set" heat
wait_for .heating true
wait_retained "$BASE/action" heating

mqtt_pub "$BASE/preset/set" eco
wait_for .program.preset eco
[ "$(state .setpoint)" = 18 ] || fail "eco: setpoint $(state .setpoint)"
wait_retained "$BASE/preset" eco
wait_retained "$BASE/setpoint" 18.0
check_topics
mqtt_pub "$BASE/preset/set" none
wait_for .program.preset null
[ "$(state .setpoint)" = 25 ] || fail "back from eco: setpoint $(state .setpoint)"
wait_retained "$BASE/preset" none
wait_retained "$BASE/setpoint" 25.0
check_topics
note "mode off/heat, preset eco and none over MQTT"

# ---- bad commands ----------------------------------------------------------
# snapshot: what a bad command must leave as it is.
snapshot() {
	api /api/v1/state | jq -c '[.changes, .program_changes, .setpoint, .mode, .program.source, .program.preset]'
}
head -c 1000 /dev/zero | tr '\0' 2 >"$DIR/1k"
head -c 102400 /dev/zero | tr '\0' 2 >"$DIR/100k"
# TOPIC (under BASE) and PAYLOAD, in pairs.  Over 64 bytes is refused by
# the daemon; 100 KB never reaches it (it asks for packets of at most
# 4096 bytes), and must change nothing either.
BAD=(
	setpoint/set abc
	setpoint/set ''
	setpoint/set 1e309
	setpoint/set 25.0.0
	setpoint/set 99
	setpoint/set 4
	setpoint/set nan
	setpoint/set heat
	mode/set cool
	preset/set party
	foo/set 1
	setpoint/set "$(cat "$DIR/1k")"
	setpoint/set $'2\xff5'
	mode/set $'he\xc3\x28t'
	setpoint/set '25 C'
)
before=$(snapshot)
cmds0=$(metric thermostat_mqtt_commands_total)
t_bad=$(now_ms)
i=0
while [ "$i" -lt "${#BAD[@]}" ]; do
	topic=$BASE/${BAD[i]}
	payload=${BAD[i + 1]}
	i=$((i + 2))
	logged=$(grep -c 'mqtt: refused on ' "$LOG" || true)
	rej=$(metric thermostat_mqtt_rejected_total)
	mqtt_pub "$topic" "$payload"
	# Handled: counted.
	wait_until "'${payload:0:20}' on $topic counted as rejected" \
		metric_above thermostat_mqtt_rejected_total "$rej"
	[ "$(snapshot)" = "$before" ] || fail "'${payload:0:20}' on $topic changed $before to $(snapshot)"
	# Fewer than 10 lines so far: this one is logged, with its topic.
	if [ "$logged" -lt 10 ]; then
		grep -q "mqtt: refused on $topic" "$LOG" ||
			fail "'${payload:0:20}' on $topic is not logged with its topic"
		[ "$(grep -c 'mqtt: refused on ' "$LOG")" -eq $((logged + 1)) ] ||
			fail "'${payload:0:20}' on $topic: not one line logged"
	fi
done
# 100 KB: the broker keeps it from the daemon (or the daemon refuses it).
rej=$(metric thermostat_mqtt_rejected_total)
mosquitto_pub "${MQ[@]}" -q 1 -t "$BASE/setpoint/set" -f "$DIR/100k" || fail "cannot publish 100 KB"
mqtt_pub "$BASE/setpoint/set" abc
wait_until "the command after 100 KB counted" metric_above thermostat_mqtt_rejected_total "$rej"
big=$(($(metric thermostat_mqtt_rejected_total) - rej - 1))
[ "$(snapshot)" = "$before" ] || fail "100 KB changed $before to $(snapshot)"
[ "$(metric thermostat_mqtt_commands_total)" = "$cmds0" ] || fail "a bad command counted as a command"
t_bad=$(($(now_ms) - t_bad))
n=$(grep -c 'mqtt: refused on ' "$LOG")
# At most 10 lines a minute: a table done within a minute logs 10.
if [ "$t_bad" -lt 60000 ]; then
	[ "$n" -le 10 ] || fail "$n 'refused' lines in $t_bad ms (at most 10 a minute)"
fi
grep -a 'mqtt: refused on ' "$LOG" | head -n 3 | sed "s/^/$TEST: log: /"
note "$((${#BAD[@]} / 2 + 2)) bad commands: nothing changed, all counted, $n lines logged in $t_bad ms; 100 KB reached the daemon: $([ "$big" -gt 0 ] && echo yes || echo no)"
grep -q 'thermostat_mqtt_connected 1' <(api /metrics) || fail "the link fell over the bad commands"

# ---- coalescing ------------------------------------------------------------
# 30 setpoints over HTTP, on one kept-alive connection (one curl).  The
# daemon publishes a topic when its payload changes, changes coalesced
# over 100 ms: during a burst of B ms at most one message a 100 ms window
# it touches (1 + B/100), one after it, and the subscriber's retained
# copy: 3 + ceil(B/100).  B is measured from here and includes the HTTP
# round trips, so a slow machine widens the bound: never red for slowness.
sub_collect "$BASE/setpoint" "$DIR/coalesce"
sub=$SUB_PID
args=()
for i in $(seq 0 29); do
	v=$(awk -v i="$i" 'BEGIN { printf "%.1f", 16 + (i % 24) * 0.5 }')
	[ "$i" -eq 0 ] || args+=(--next)
	args+=(-sS -o /dev/null -w '%{http_code} %{num_connects}\n' --max-time "$WAIT_S"
		-X PUT -H 'Content-Type: application/json' -d "{\"setpoint\": $v}"
		"http://127.0.0.1:$PORT/api/v1/setpoint")
done
last=$v
t0=$(now_ms)
curl "${args[@]}" >"$DIR/codes" || fail "the burst of PUTs failed"
burst=$(($(now_ms) - t0))
[ "$(grep -c '^200 ' "$DIR/codes")" = 30 ] || fail "PUTs answered: $(sort "$DIR/codes" | uniq -c)"
conns=$(awk '{ n += $2 } END { print n }' "$DIR/codes")
wait_for .setpoint "$(awk -v v="$last" 'BEGIN { print v + 0 }')"
# last_is FILE TOPIC VALUE: the last line of FILE is TOPIC with VALUE.
last_is() {
	local t v
	read -r t v < <(tail -n 1 "$1")
	[ "$t" = "$2" ] && same_payload "$v" "$3"
}
wait_until "the last setpoint published" last_is "$DIR/coalesce" "$BASE/setpoint" "$last"
wait_retained "$BASE/setpoint" "$last"
# Anything still coming would follow quickly (it is not a timing check).
sleep 0.3
sub_stop "$sub"
count=$(sub_count "$DIR/coalesce" "$BASE/setpoint")
bound=$((3 + (burst + 99) / 100))
last_is "$DIR/coalesce" "$BASE/setpoint" "$last" || fail "not the last value last: $(tail -n 3 "$DIR/coalesce")"
if [ "$bound" -lt 31 ]; then
	[ "$count" -le "$bound" ] || fail "$count setpoint messages for 30 PUTs in $burst ms (at most $bound)"
	note "30 PUTs in $burst ms on $conns connection(s): $count setpoint messages (bound $bound)"
else
	note "30 PUTs took $burst ms: too slow to see coalescing; $count messages"
fi

# ---- two daemons on one broker ---------------------------------------------
PID1=$PID PORT1=$PORT LOG1=$LOG
LOG="$DIR/daemon2.log"
mqtt_opts zone2
start_daemon "${HOUSE[@]}" --setpoint 10 "${MQTT_OPTS[@]}" --state-file "$DIR/state2"
PID2=$PID PORT2=$PORT LOG2=$LOG
MQTT_PIDS+=("$PID2")
PID=$PID1 PORT=$PORT1 LOG=$LOG1
# as2 COMMAND...: COMMAND with the second daemon's PID, PORT and LOG.
as2() {
	local PID=$PID2 PORT=$PORT2 LOG=$LOG2
	"$@"
}
wait_retained thermostat/zone2/availability online
c1=$(retained "$DP/climate/zone1/thermostat/config")
c2=$(retained "$DP/climate/zone2/thermostat/config")
[ -n "$c2" ] || fail "no climate config for zone2"
u1=$(jq -r .unique_id <<<"$c1")
u2=$(jq -r .unique_id <<<"$c2")
[ "$u1" = zone1_thermostat ] || fail "zone1's unique id $u1"
[ "$u2" = zone2_thermostat ] || fail "zone2's unique id $u2"
[ "$(jq -c .device.identifiers <<<"$c2")" = '["thermostat_zone2"]' ] || fail "zone2 device $(jq -c .device <<<"$c2")"
[ "$(jq -r .temperature_command_topic <<<"$c2")" = thermostat/zone2/setpoint/set ] || fail "zone2 topics: $c2"
for e in sensor/zone2/runtime_today sensor/zone2/runtime_total binary_sensor/zone2/alarm; do
	[ -n "$(retained "$DP/$e/config")" ] || fail "no $DP/$e/config"
done
s1=$(snapshot)
sp1=$(state .setpoint)
mqtt_pub thermostat/zone2/setpoint/set 22
as2 wait_for .setpoint 22
as2 wait_for .heating true
wait_retained thermostat/zone2/setpoint 22.0
[ "$(snapshot)" = "$s1" ] || fail "a command to zone2 changed zone1: $s1 -> $(snapshot)"
num_eq "$(retained "$BASE/setpoint")" "$sp1" ||
	fail "zone1's setpoint topic $(retained "$BASE/setpoint")"
note "two daemons: unique ids $u1 and $u2; a command to zone2 changed only zone2"
# A graceful stop: "offline", and still a prompt stop.
as2 stop_daemon TERM
[ "$STATUS" = 0 ] || fail "zone2 exit status $STATUS"
as2 check_stopped "zone2 with MQTT"
wait_retained thermostat/zone2/availability offline
note "zone2 stopped (SIGTERM) in $STOPPED_MS ms by its clock: availability offline"

# ---- the broker killed and restarted ---------------------------------------
cn0=$(metric thermostat_mqtt_connects_total)
kill_broker
wait_until "/healthz degraded for MQTT" healthz_mqtt_down
note "broker down: /healthz $(cat "$DIR/health")"
[ "$(metric thermostat_mqtt_connected)" = 0 ] || fail "thermostat_mqtt_connected $(metric thermostat_mqtt_connected) with no broker"
# The contract's words are "mqtt: connection lost: WHY; retrying in N s";
# what matters: the loss, and when the next try is.
wait_until "'mqtt: connection lost' logged" \
	grep -Eq 'mqtt: .*connection lost.*(retrying|trying again) in [0-9]+ s' "$LOG"
# Heating decisions go on: the relay follows the setpoint both ways, the
# sensor is read, nothing but MQTT is wrong.
put_json /api/v1/setpoint '{"setpoint": 10}' >/dev/null
wait_for .heating false
put_json /api/v1/setpoint '{"setpoint": 24}' >/dev/null
wait_for .heating true
age0=$(state .temperature_age)
# The outage lasts a few reconnect attempts (reconnect_max 1 s).
sleep 2
awk -v a="$(state .temperature_age)" 'BEGIN { exit !(a < 5) }' ||
	fail "no readings during the outage (temperature_age $(state .temperature_age), was $age0)"
healthz_mqtt_down || fail "/healthz during the outage: $(cat "$DIR/health")"
jq -e '.reasons | length == 1' "$DIR/health" >/dev/null || fail "other reasons: $(cat "$DIR/health")"

restart_broker
t0=$(now_ms)
sub_collect '#' "$DIR/back"
sub=$SUB_PID
back() {
	grep -q "^$DP/climate/$NODE/thermostat/config {" "$DIR/back" &&
		grep -qx "$BASE/availability online" "$DIR/back" &&
		grep -q "^$BASE/state {" "$DIR/back" &&
		awk -v t="$BASE/setpoint" '$1 == t && $2 + 0 == 24 { f = 1 } END { exit !f }' "$DIR/back"
}
wait_until "discovery, availability and state back after the restart" back
took=$(($(now_ms) - t0))
sub_stop "$sub"
[ -n "$(retained "$DP/climate/$NODE/thermostat/config")" ] || fail "discovery not retained after the restart"
[ "$(retained "$BASE/availability")" = online ] || fail "availability not retained after the restart"
check_topics
healthz_ok() { [ "$(status /healthz)" = 200 ]; }
wait_until "/healthz ok again" healthz_ok
[ "$(metric thermostat_mqtt_connects_total)" -gt "$cn0" ] || fail "connects_total did not grow"
[ "$(metric thermostat_mqtt_connected)" = 1 ] || fail "thermostat_mqtt_connected after the restart"
note "broker restarted: discovery, availability and state back $took ms after it listened"
mosquitto_sub "${MQ[@]}" -t "$BASE/#" -t "$DP/+/$NODE/#" --retained-only -v -W 1 2>/dev/null |
	cut -c 1-100 | sed "s/^/$TEST: retained after the restart: /" || true

# ---- the last will -----------------------------------------------------------
sub_collect "$BASE/availability" "$DIR/will" '@s.@N %t %p'
sub=$SUB_PID
t_kill=$(date +%s.%N)
stop_daemon KILL 2>/dev/null # (not the shell's "Killed" line)
wait_until "the last will" grep -q " $BASE/availability offline" "$DIR/will"
sub_stop "$sub"
t_will=$(awk -v b="$BASE/availability" '$2 == b && $3 == "offline" { print $1; exit }' "$DIR/will")
delay=$(awk -v a="$t_kill" -v b="$t_will" 'BEGIN { printf "%.3f", b - a }')
awk -v d="$delay" -v k="$KEEPALIVE" -v s="$SCALE" 'BEGIN { exit !(d <= k * 1.5 * s) }' ||
	fail "the last will came $delay s after SIGKILL (keepalive $KEEPALIVE s)"
[ "$(retained "$BASE/availability")" = offline ] || fail "offline not retained"
note "SIGKILL: availability offline (retained) $delay s later (keepalive $KEEPALIVE s)"

# ---- the broker absent at start ----------------------------------------------
# The daemon starts and heats without it; it connects once the broker is
# there, without a restart.
stop_broker
mqtt_opts zone3
start_daemon "${HOUSE[@]}" --setpoint 10 "${MQTT_OPTS[@]}"
wait_until "/healthz degraded with no broker at start" healthz_mqtt_down
put_json /api/v1/setpoint '{"setpoint": 24}' >/dev/null
wait_for .heating true
[ "$(metric thermostat_mqtt_connected)" = 0 ] || fail "connected to no broker"
restart_broker
wait_retained thermostat/zone3/availability online
wait_retained thermostat/zone3/action heating
wait_until "/healthz ok once the broker is there" healthz_ok
note "no broker at start: heating went on; connected once the broker came ($(metric thermostat_mqtt_connects_total) connection)"
stop_daemon TERM
[ "$STATUS" = 0 ] || fail "zone3 exit status $STATUS"
