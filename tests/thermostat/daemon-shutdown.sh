#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SIGTERM (and SIGINT) while heating: exit 0 within one second by the
# daemon's own clock, the relay switched OFF as the last thing it did, the
# setpoint saved.
. "${top_srcdir:?}/tests/thermostat/daemon-lib.sh"

for sig in TERM INT; do
	# A cold house, no rest times: it heats within a reading or two.
	start_daemon --sim-start 12 --min-on 0 --min-off 0 \
		--sensor-interval 0.2 --history-interval 1
	wait_for .heating true
	put_json /api/v1/setpoint '{"setpoint": 23.5}' >/dev/null
	# Saved on change, before the signal.
	wait_until "setpoint 23.5 saved" grep -qs '^setpoint=23.5$' "$DIR/state"
	stop_daemon "$sig"
	[ "$STATUS" -eq 0 ] || fail "SIG$sig: exit status $STATUS"
	check_stopped "SIG$sig"
	# The last relay line is OFF, after the signal was taken.
	sed -n '/stopping/,$p' "$LOG" | grep -q 'relay OFF: The thermostat is stopping' ||
		fail "SIG$sig: no 'relay OFF' after the signal"
	last=$(grep -E 'relay (ON|OFF)' "$LOG" | tail -n 1)
	case $last in
	*"relay OFF"*) ;;
	*) fail "SIG$sig: last relay line is: $last" ;;
	esac
	grep -qx 'setpoint=23.5' "$DIR/state" || fail "SIG$sig: state not saved: $(cat "$DIR/state")"
	grep -qx 'mode=heat' "$DIR/state" || fail "SIG$sig: mode not saved"
	note "SIG$sig while heating: exit 0, relay OFF after $RELAY_OFF_MS ms, stopped after $STOPPED_MS ms (daemon's clock; $STOP_MS ms seen from here), setpoint 23.5 saved"

	# The next start picks the saved setpoint up.
	start_daemon --sensor-interval 0.2
	[ "$(state .setpoint)" = 23.5 ] || fail "restart: setpoint $(state .setpoint)"
	stop_daemon TERM
	rm -f "$DIR/state"
done
