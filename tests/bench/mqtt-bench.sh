#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The MQTT command path's figures, beside the web's from the same daemon:
#   a setpoint published to thermostat/bench/setpoint/set until the
#     daemon's retained thermostat/bench/setpoint shows it, and until its
#     thermostat/bench/action shows the control thread's decision (the
#     relay switched): p50, p99 (mqtt_latency);
#   the web's PUT-to-decision on the same daemon, right before (web_latency),
#     and the ratios of the two.
# A real broker (Debian's mosquitto, a configuration of its own, a free
# loopback port: tests/thermostat/mqtt-lib.sh), the simulated daemon
# connected to it.  Prints "name value unit" lines.
#   mqtt-bench.sh DAEMON MQTT_LATENCY WEB_LATENCY [ROUNDS]
set -euo pipefail
daemon=${1:?daemon binary}
mqtt_latency=${2:?mqtt_latency binary}
web_latency=${3:?web_latency binary}
rounds=${4:-200}
# The daemon and the broker are started, found and stopped as the MQTT
# daemon tests do it (start_daemon, start_broker; DIR is the scratch
# directory, PORT the daemon's, BPORT the broker's).
THERMOSTAT=$daemon
# shellcheck source=../thermostat/daemon-lib.sh
. "$(dirname "$0")/../thermostat/daemon-lib.sh"
# shellcheck source=../thermostat/mqtt-lib.sh
. "$(dirname "$0")/../thermostat/mqtt-lib.sh"
need_mqtt_daemon

# The broker sends without Nagle's delay (mosquitto's default keeps it):
# its ~20-40 ms wait for an ACK between small packets is the broker's, and
# would hide the daemon's path being measured.
# shellcheck disable=SC2034 # read by mqtt-lib.sh's broker_conf
BROKER_MORE="set_tcp_nodelay true"
start_broker anon
# As web-bench.sh's latency run: a house that does not move, no rest
# times, so every setpoint across 20 C flips the relay at once; and the
# link to the broker.
start_daemon --sim-start 20 --sim-gain 0 --sim-loss 0 --sim-noise 0 \
	--min-on 0 --min-off 0 --sensor-interval 1 \
	--mqtt=yes --mqtt-host 127.0.0.1 --mqtt-port "$BPORT" --mqtt-node-id bench
wait_retained thermostat/bench/availability online
sleep 1.5

# The web first (the baseline), then MQTT, on the same daemon.
"$web_latency" "$PORT" "$rounds" 20 >"$DIR/web.out" 2>"$DIR/web.err" ||
	fail "web_latency: $(cat "$DIR/web.err")"
"$mqtt_latency" "$BPORT" bench "$rounds" 20 >"$DIR/mqtt.out" 2>"$DIR/mqtt.err" ||
	fail "mqtt_latency: $(cat "$DIR/mqtt.err")"
stop_daemon
[ "$STATUS" -eq 0 ] || fail "the daemon exited $STATUS on SIGTERM"
stop_broker

cat "$DIR/mqtt.out"
# The web's figures under names of their own (web-bench.sh prints
# web.put_to_decision.* from a daemon without MQTT).
sed -n 's/^web\.put_to_decision\./mqtt.web_put_to_decision./p' "$DIR/web.out"
# fig FILE NAME: the value of the line NAME.
fig() { awk -v n="$2" '$1 == n { print $2 }' "$1"; }
for q in p50 p99; do
	m=$(fig "$DIR/mqtt.out" "mqtt.set_to_decision.$q")
	w=$(fig "$DIR/web.out" "web.put_to_decision.$q")
	if [ -z "$m" ] || [ -z "$w" ]; then
		fail "no $q figures: $(cat "$DIR/mqtt.out" "$DIR/web.out")"
	fi
	name=mqtt.decision.vs_web
	[ "$q" = p50 ] || name=mqtt.decision.$q.vs_web
	awk -v m="$m" -v w="$w" -v n="$name" 'BEGIN { printf "%s %.3f x\n", n, m / w }'
done
