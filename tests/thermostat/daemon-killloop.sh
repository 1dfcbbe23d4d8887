#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# SIGKILL at random moments while setpoints change through the API: after
# every kill the state file holds a whole state, one that was written
# (never torn, never a mix), and no temporary files pile up.  Every fourth
# run waits for a save of its own before its random delay, so that kills
# after saves happen however slow the machine is.
#   KILLS=N (default 20; scripts/check runs 200)
. "${top_srcdir:?}/tests/thermostat/daemon-lib.sh"

kills=${KILLS:-20}
written="$DIR/written"
: >"$written"
echo 20 >>"$written"
# An installation that has saved before.
printf '# thermostat state\nsetpoint=20\nmode=heat\n' >"$DIR/state"
torn=0
changed=0
# A save replaces the file by rename: a new file, written now (inode and
# modification time; an inode number alone may be reused).
inode() { stat -c '%i %y' "$DIR/state"; }
saved_since() { [ "$(inode)" != "$1" ]; }

for i in $(seq 1 "$kills"); do
	before=$(inode)
	start_daemon --sensor-interval 5
	# A writer changing the setpoint as fast as it can, each value
	# recorded before it is sent.
	(
		n=0
		while :; do
			# On the 0.5 C setpoint_step (the daemon rounds
			# anything else), 25 to 34.5 (above 30 is refused).
			v=$(( (i * 37 + n) % 20 + 50 ))
			v="$((v / 2)).$(( (v % 2) * 5 ))"
			echo "$v" >>"$written"
			curl -s -o /dev/null --max-time 2 -X PUT \
				-H 'Content-Type: application/json' \
				-d "{\"setpoint\": $v}" \
				"http://127.0.0.1:$PORT/api/v1/setpoint" || exit 0
			n=$((n + 1))
		done
	) &
	writer=$!
	[ $((i % 4)) -ne 0 ] || wait_until "kill $i: a save" saved_since "$before"
	sleep "0.$(printf '%03d' $((RANDOM % 300 + 20)))"
	kill -KILL "$PID"
	wait "$PID" 2>/dev/null || true
	PID=
	wait "$writer" 2>/dev/null || true

	[ -f "$DIR/state" ] || fail "kill $i: no state file"
	# Exactly the format state_save writes, with a value we sent (and
	# the furnace's runtime, should it have run).
	if ! awk 'NR==1 && $0=="# thermostat state" {h=1}
		  NR==2 && /^setpoint=[0-9.]+$/ {s=1}
		  NR==3 && $0=="mode=heat" {m=1}
		  NR==4 && /^runtime=total [0-9]+ [0-9]+ days / {r=1}
		  END {exit !(h && s && m && (NR==3 || (NR==4 && r)))}' "$DIR/state"; then
		torn=$((torn + 1))
		echo "---- kill $i: bad state file:"
		cat -A "$DIR/state"
		continue
	fi
	v=$(sed -n 's/^setpoint=//p' "$DIR/state")
	# The file prints the shortest form: 21.50 is written as 21.5.
	grep -qx "$v" <(awk '{ printf "%g\n", $1 }' "$written") ||
		fail "kill $i: setpoint $v was never sent"
	! saved_since "$before" || changed=$((changed + 1))
	tmps=$(find "$DIR" -name '.state.*' | wc -l)
	[ "$tmps" -le 1 ] || fail "kill $i: $tmps temporary files left"
done
[ "$torn" -eq 0 ] || fail "$torn of $kills state files were torn"
[ "$changed" -ge $((kills / 4)) ] || fail "only $changed kills landed after a save: the test proves little"
note "$kills SIGKILLs during setpoint changes: every state file whole and written ($changed after a save of their own run)"
