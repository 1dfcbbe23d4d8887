#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The daemon's MQTT link to brokers that want credentials (Debian's
# mosquitto on a loopback port of its own; a test CA made with openssl
# at test time):
#   a password broker: the right user and password file connect; a wrong
#     password does not, /healthz says degraded with the MQTT reason, and
#     neither password ever shows in the daemon's log or in --print-config
#   a TLS broker: --mqtt-ca-file with the CA that signed it connects; a CA
#     that did not sign the server: no connection, the reason logged
#   a TLS broker that requires a client certificate: --mqtt-cert-file and
#     --mqtt-key-file connect, without them no connection
# shellcheck disable=SC2153 # BPORT, TEST...: set by the libraries
# shellcheck source=/dev/null # checked on their own
. "${top_srcdir:?}/tests/thermostat/daemon-lib.sh"
# shellcheck source=/dev/null
. "${top_srcdir:?}/tests/thermostat/mqtt-lib.sh"

need_mqtt_daemon
echo 17000 >"$DIR/temp"
HOUSE=(--sensor sysfs --sensor-file "$DIR/temp" --sensor-interval 1
	--min-on 0 --min-off 0 --runaway-time 0 --setpoint 20)

# connects NODE OPTIONS...: a daemon with OPTIONS connects as NODE.
connects() {
	local node=$1
	shift
	mqtt_opts "$node"
	start_daemon "${HOUSE[@]}" "${MQTT_OPTS[@]}" "$@"
	wait_retained "thermostat/$node/availability" online
	grep -q "mqtt: connected to 127.0.0.1:$BPORT\( with TLS\)\? (node $node" "$LOG" || fail "$node: no 'connected' line"
	[ "$(metric thermostat_mqtt_connected)" = 1 ] || fail "$node: thermostat_mqtt_connected"
	[ "$(status /healthz)" = 200 ] || fail "$node: /healthz $(api /healthz)"
}

# refused NODE OPTIONS...: a daemon with OPTIONS never connects: /healthz
# degraded with the MQTT reason, a failed attempt logged twice (so it
# retried and failed again), no availability on the broker.  Leaves the
# daemon running.
refused() {
	local node=$1
	shift
	mqtt_opts "$node"
	start_daemon "${HOUSE[@]}" "${MQTT_OPTS[@]}" "$@"
	wait_until "$node: /healthz degraded for MQTT" healthz_mqtt_down
	attempts() { [ "$(grep -c 'mqtt: ' "$LOG")" -ge 2 ]; }
	wait_until "$node: two attempts logged" attempts
	grep -q 'mqtt: connected' "$LOG" && fail "$node: connected"
	[ "$(metric thermostat_mqtt_connected)" = 0 ] || fail "$node: thermostat_mqtt_connected"
	[ -z "$(retained "thermostat/$node/availability" 1)" ] || fail "$node: availability published"
	# Heating is not touched.
	[ "$(state .heating)" = true ] || fail "$node: not heating"
	REASON=$(jq -r '.reasons[] | select(startswith("MQTT"))' "$DIR/health")
	WHY=$(grep 'mqtt: ' "$LOG" | tail -n 1)
}

# ---- user and password -------------------------------------------------------
start_broker password
printf '%s\n' "$BROKER_PASS" >"$DIR/mqtt.pass"
connects pw1 --mqtt-username "$BROKER_USER" --mqtt-password-file "$DIR/mqtt.pass"
grep -qF "$BROKER_PASS" "$LOG" && fail "the password is in the log"
stop_daemon TERM
wait_retained thermostat/pw1/availability offline
note "user and password file: connected"

WRONG="wrong-$$-Pa55word"
printf '%s\n' "$WRONG" >"$DIR/mqtt.wrong"
refused pw2 --mqtt-username "$BROKER_USER" --mqtt-password-file "$DIR/mqtt.wrong"
note "a wrong password: /healthz '$REASON'; log: $WHY"
grep -qF "$WRONG" "$LOG" && fail "the wrong password is in the log"
stop_daemon TERM
grep -qF "$WRONG" "$LOG" && fail "the wrong password is in the log at exit"
for f in "$DIR/mqtt.pass" "$DIR/mqtt.wrong"; do
	"${RUN_THERMOSTAT[@]}" --config /dev/null --mqtt=yes --mqtt-username "$BROKER_USER" \
		--mqtt-password-file "$f" --print-config >"$DIR/printed" 2>&1 ||
		fail "--print-config failed: $(cat "$DIR/printed")"
	grep -q '^mqtt_password_file' "$DIR/printed" || fail "--print-config has no mqtt_password_file"
	grep -qF -e "$BROKER_PASS" -e "$WRONG" "$DIR/printed" &&
		fail "--print-config shows a password: $(grep -F -e "$BROKER_PASS" -e "$WRONG" "$DIR/printed")"
done
# Without a password file at all (anonymous is not allowed here).
refused pw3
note "no credentials: refused too ($REASON)"
stop_daemon TERM
stop_broker

# ---- TLS -----------------------------------------------------------------------
start_broker tls
connects tls1 --mqtt-ca-file "$PKI/ca.pem"
stop_daemon TERM
note "TLS with the test CA: connected"
refused tls2 --mqtt-ca-file "$PKI/other-ca.pem"
grep -Eiq 'mqtt: .*(tls|ssl|certificate|verif)' "$LOG" || fail "the TLS failure is not logged as one: $WHY"
note "TLS with a CA that did not sign the server: /healthz '$REASON'; log: $WHY"
stop_daemon TERM
stop_broker

start_broker tlsclient
connects tls3 --mqtt-ca-file "$PKI/ca.pem" --mqtt-cert-file "$PKI/client.pem" \
	--mqtt-key-file "$PKI/client.key"
stop_daemon TERM
note "TLS with a client certificate required: connected with one"
refused tls4 --mqtt-ca-file "$PKI/ca.pem"
note "... and without one: /healthz '$REASON'; log: $WHY"
stop_daemon TERM
stop_broker
