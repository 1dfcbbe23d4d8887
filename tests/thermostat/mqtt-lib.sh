# shellcheck shell=bash
# shellcheck disable=SC2153 # PORT, PID, LOG...: daemon-lib.sh's
# SPDX-License-Identifier: MIT
# Sourced by the MQTT daemon tests after daemon-lib.sh: a real broker
# (Debian's /usr/sbin/mosquitto, in the foreground, with a configuration of
# its own in $DIR) on a free loopback port, and the other side of the
# link with mosquitto_pub and mosquitto_sub.
#
#   start_broker [anon|password|tls|tlsclient]
#       anon: anonymous clients (most tests); password: user $BROKER_USER,
#       password $BROKER_PASS, no anonymous clients; tls: TLS with a server
#       certificate of a CA made at test time ($PKI/ca.pem); tlsclient: the
#       same, and a client certificate is required ($PKI/client.pem,
#       $PKI/client.key).  Sets BPORT, BPID and MQ (the client options that
#       reach it: -h -p and the credentials of its kind).
#   stop_broker, kill_broker (SIGKILL), restart_broker (same port, same
#       configuration; no persistence: retained messages are gone)
#   retained TOPIC [SECONDS]  the retained payload ("" when none)
#   wait_retained TOPIC WANT  until the retained payload is WANT
#   sub_collect TOPIC FILE    a subscriber in the background writing
#       "topic payload" lines (SUB_PID); subscribed when it returns
#   sub_count FILE TOPIC      the messages on TOPIC in such a file
#   mqtt_pub TOPIC PAYLOAD [ARGS...]
#   make_pki                  the test CA, server and client certificates,
#       and a second CA that signed nothing ($PKI/other-ca.pem)
#
# Timing: as in daemon-lib.sh, every wait has only a sanity deadline
# (WAIT_S); the broker's own log says when it listens.

MOSQUITTO=${MOSQUITTO:-/usr/sbin/mosquitto}
BROKER_USER=thermo-test
BROKER_PASS=s3cret-$$-pw
BROKER_LOG="$DIR/broker.log"
BROKER_CONF="$DIR/broker.conf"
PKI="$DIR/pki"
BPORT=
BPID=
MQ=()
SUB_PID=
# Background processes of these tests, killed at exit: subscribers and
# the daemons other than daemon-lib.sh's $PID.
MQTT_PIDS=()
MARK_TOPIC="mqtt-lib/mark/$$"

# daemon-lib.sh's fail, with the broker's log as well.
fail() {
	echo "$TEST: FAIL: $*"
	if [ -f "$LOG" ]; then
		echo "---- daemon log (last 40 lines)"
		tail -n 40 "$LOG"
	fi
	if [ -f "$BROKER_LOG" ]; then
		echo "---- broker log (last 20 lines)"
		tail -n 20 "$BROKER_LOG"
	fi
	exit 1
}

[ -x "$MOSQUITTO" ] ||
	fail "no broker at $MOSQUITTO (Debian package: mosquitto)"
for tool in mosquitto_pub mosquitto_sub mosquitto_passwd; do
	command -v "$tool" >/dev/null ||
		fail "$tool is missing (Debian package: mosquitto-clients for mosquitto_pub and mosquitto_sub, mosquitto for mosquitto_passwd)"
done

# need_mqtt_daemon: the daemon was built with MQTT (configure found
# libmosquitto).
# (The mqtt keys are in every build; mqtt = yes is refused by one without
# MQTT.  Not "| grep -q": under pipefail, grep leaving early would fail
# the daemon's write.)
need_mqtt_daemon() {
	local out
	out=$("${RUN_THERMOSTAT[@]}" --config /dev/null --mqtt=yes --print-config 2>&1) ||
		fail "$THERMOSTAT has no MQTT (configure found no libmosquitto: Debian package libmosquitto-dev): $(tail -n 1 <<<"$out")"
}

mqtt_cleanup() {
	local p
	for p in "${MQTT_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	if [ -n "$BPID" ]; then
		kill -KILL "$BPID" 2>/dev/null || true
		wait "$BPID" 2>/dev/null || true
	fi
	cleanup
}
trap mqtt_cleanup EXIT

# make_pki: a CA, a server certificate for 127.0.0.1 and localhost
# (subjectAltName), a client certificate, all from the CA; and another
# CA that signed nothing here.  EC keys: quick to make.
make_pki() {
	[ -f "$PKI/ca.pem" ] && return 0
	command -v openssl >/dev/null || fail "openssl is missing (Debian package: openssl)"
	mkdir -p "$PKI"
	local ec=(-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes)
	(
		cd "$PKI" || exit 1
		set -e
		for ca in ca other-ca; do
			openssl req -x509 "${ec[@]}" -keyout "$ca.key" -out "$ca.pem" \
				-days 2 -subj "/CN=thermostat test $ca" \
				-addext basicConstraints=critical,CA:TRUE \
				-addext keyUsage=critical,keyCertSign,cRLSign
		done
		openssl req "${ec[@]}" -keyout server.key -out server.csr -subj /CN=localhost
		printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' >server.ext
		openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-days 2 -extfile server.ext -out server.pem
		openssl req "${ec[@]}" -keyout client.key -out client.csr -subj /CN=thermostat-client
		printf 'extendedKeyUsage=clientAuth\n' >client.ext
		openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial \
			-days 2 -extfile client.ext -out client.pem
	) >"$DIR/pki.log" 2>&1 || { cat "$DIR/pki.log"; fail "cannot make the test certificates"; }
}

# broker_conf KIND: the configuration of a broker of that kind on $BPORT.
broker_conf() {
	local kind=$1
	{
		echo "listener $BPORT 127.0.0.1"
		echo "persistence false"
		echo "log_dest file $BROKER_LOG"
		echo "log_type error"
		echo "log_type warning"
		echo "log_type notice"
		echo "log_type information"
		echo "connection_messages true"
		# As root it would become user mosquitto, who cannot read $DIR.
		echo "user $(id -un)"
		# No outgoing queue limit: QoS 0 messages to a client are dropped
		# when its queue reaches max_queued_messages (1000 by default),
		# and the flood test counts what reaches the daemon.
		echo "max_queued_messages 0"
		# More lines from the caller (the benchmark's set_tcp_nodelay).
		[ -z "${BROKER_MORE:-}" ] || printf '%s\n' "$BROKER_MORE"
		case $kind in
		anon)
			echo "allow_anonymous true"
			;;
		password)
			echo "allow_anonymous false"
			echo "password_file $DIR/broker.passwd"
			;;
		tls | tlsclient)
			echo "allow_anonymous true"
			echo "cafile $PKI/ca.pem"
			echo "certfile $PKI/server.pem"
			echo "keyfile $PKI/server.key"
			if [ "$kind" = tlsclient ]; then
				echo "require_certificate true"
			fi
			;;
		*) fail "start_broker: unknown kind $kind" ;;
		esac
	} >"$BROKER_CONF"
	MQ=(-h 127.0.0.1 -p "$BPORT")
	case $kind in
	password) MQ+=(-u "$BROKER_USER" -P "$BROKER_PASS") ;;
	tls) MQ+=(--cafile "$PKI/ca.pem") ;;
	tlsclient) MQ+=(--cafile "$PKI/ca.pem" --cert "$PKI/client.pem" --key "$PKI/client.key") ;;
	esac
}

# broker_launch: starts the broker with $BROKER_CONF; 0 once its log says
# it runs and a client gets through, 1 if it exited (its port was taken).
broker_launch() {
	local from end
	from=$(($(wc -l <"$BROKER_LOG") + 1))
	"$MOSQUITTO" -c "$BROKER_CONF" 2>>"$DIR/broker.stderr" &
	BPID=$!
	end=$(($(now_ms) + WAIT_S * 1000))
	while [ "$(now_ms)" -lt "$end" ]; do
		if tail -n "+$from" "$BROKER_LOG" | grep -q 'mosquitto version .* running'; then
			break
		fi
		if ! kill -0 "$BPID" 2>/dev/null; then
			wait "$BPID" 2>/dev/null || true
			BPID=
			return 1
		fi
		sleep 0.05
	done
	[ "$(now_ms)" -lt "$end" ] || fail "the broker did not start in $WAIT_S s"
	# Listening: a client of this kind gets through (credentials, TLS).
	wait_until "a client reaches the broker on port $BPORT" \
		mosquitto_pub "${MQ[@]}" -q 1 -t "$MARK_TOPIC" -m probe
}

# start_broker [KIND]: a broker of KIND (anon by default) on a free port.
start_broker() {
	local kind=${1:-anon} tries
	: >"$BROKER_LOG"
	case $kind in
	password)
		rm -f "$DIR/broker.passwd"
		mosquitto_passwd -c -b "$DIR/broker.passwd" "$BROKER_USER" "$BROKER_PASS" ||
			fail "mosquitto_passwd failed"
		;;
	tls | tlsclient) make_pki ;;
	esac
	for tries in $(seq 1 30); do
		BPORT=$((20000 + (RANDOM * 32768 + RANDOM) % 40000))
		# Taken already: someone answers.
		if (exec 3<>"/dev/tcp/127.0.0.1/$BPORT") 2>/dev/null; then
			continue
		fi
		broker_conf "$kind"
		broker_launch && return 0
		grep -q 'Address already in use' "$BROKER_LOG" ||
			fail "the broker did not start: $(tail -n 5 "$BROKER_LOG" "$DIR/broker.stderr")"
	done
	fail "no free port for the broker after $tries tries"
}

# stop_broker: SIGTERM, and wait for it.
stop_broker() {
	[ -n "$BPID" ] || return 0
	kill -TERM "$BPID" 2>/dev/null || true
	wait "$BPID" 2>/dev/null || true
	BPID=
}

# kill_broker: SIGKILL, as a crash: no goodbye to its clients.
kill_broker() {
	[ -n "$BPID" ] || return 0
	kill -KILL "$BPID" 2>/dev/null || true
	wait "$BPID" 2>/dev/null || true
	BPID=
}

# restart_broker: the same configuration on the same port (the listening
# socket has SO_REUSEADDR).
restart_broker() {
	[ -z "$BPID" ] || stop_broker
	broker_launch || fail "the broker did not start again on port $BPORT: $(tail -n 3 "$BROKER_LOG")"
}

# retained TOPIC [SECONDS]: the retained payload of TOPIC, "" when it has
# none (then it waits SECONDS, 2 by default, for one).
retained() {
	mosquitto_sub "${MQ[@]}" -t "$1" -C 1 -W "${2:-2}" --retained-only 2>/dev/null || true
}

# same_payload A B: the same text, or the same number ("25" and "25.0").
same_payload() {
	[ "$1" = "$2" ] && return 0
	[[ $1 =~ ^-?[0-9]+(\.[0-9]+)?$ && $2 =~ ^-?[0-9]+(\.[0-9]+)?$ ]] &&
		awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 == b + 0) }'
}

# wait_retained TOPIC WANT: until TOPIC's retained payload is WANT (as a
# number when both are numbers).
wait_retained() {
	local topic=$1 want=$2 got='' end
	end=$(($(now_ms) + WAIT_S * 1000))
	while [ "$(now_ms)" -lt "$end" ]; do
		got=$(retained "$topic" 1)
		same_payload "$got" "$want" && return 0
		sleep 0.05
	done
	fail "retained $topic is '$got', not '$want', after $WAIT_S s"
}

# mqtt_pub TOPIC PAYLOAD [ARGS...]: one message (QoS 1: the broker has it
# when this returns).
mqtt_pub() {
	local topic=$1 payload=$2
	shift 2
	mosquitto_pub "${MQ[@]}" -q 1 -t "$topic" -m "$payload" "$@" ||
		fail "mosquitto_pub to $topic failed"
}

# sub_collect TOPIC FILE [FORMAT]: a subscriber to TOPIC (and to a marker
# topic of this test) in the background, writing one line a message:
# "topic payload", or FORMAT (mosquitto_sub -F, e.g. '@s.@N %t %p' for
# the time it came).  Returns once it is subscribed (a marker published
# after it came back).  Sets SUB_PID.
sub_collect() {
	local topic=$1 file=$2 fmt=${3:-'%t %p'}
	: >"$file"
	mosquitto_sub "${MQ[@]}" -q 1 -F "$fmt" -t "$topic" -t "$MARK_TOPIC" \
		>"$file" 2>>"$DIR/sub.stderr" &
	SUB_PID=$!
	MQTT_PIDS+=("$SUB_PID")
	wait_until "subscribed to $topic" sub_marked "$file"
}
sub_marked() {
	mosquitto_pub "${MQ[@]}" -q 1 -t "$MARK_TOPIC" -m mark 2>/dev/null || return 1
	sleep 0.05
	grep -q "$MARK_TOPIC mark" "$1"
}

# sub_stop PID: ends a subscriber.
sub_stop() {
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# sub_count FILE TOPIC: the messages on TOPIC in a sub_collect file.
sub_count() {
	grep -c "^$2 " "$1" || true
}

# metric NAME: its value in /metrics ("" when absent).
metric() {
	api /metrics | awk -v n="$1" '$1 == n { print $2 }'
}

# metric_above NAME N: NAME is above N now (for wait_until, which runs
# its command anew each time: a "$(metric ...)" in its arguments would be
# expanded once).
metric_above() {
	local v
	v=$(metric "$1")
	[ -n "$v" ] && awk -v v="$v" -v n="$2" 'BEGIN { exit !(v + 0 > n + 0) }'
}

# healthz_mqtt_down: /healthz says 503 "degraded" with the MQTT reason
# (the answer is left in $DIR/health).
healthz_mqtt_down() {
	curl -s -o "$DIR/health" -w '%{http_code}' --max-time "$WAIT_S" \
		"http://127.0.0.1:$PORT/healthz" >"$DIR/health.code" || return 1
	[ "$(cat "$DIR/health.code")" = 503 ] &&
		jq -e '.status == "degraded" and any(.reasons[]; startswith("MQTT broker not connected: "))' \
			"$DIR/health" >/dev/null
}

# mqtt_opts NODE: the options that connect the daemon to the broker.
mqtt_opts() {
	# shellcheck disable=SC2034 # used by the tests that source this file
	MQTT_OPTS=(--mqtt=yes --mqtt-host 127.0.0.1 --mqtt-port "$BPORT"
		--mqtt-node-id "$1" --mqtt-reconnect-max 1)
}
