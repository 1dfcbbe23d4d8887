# SPDX-License-Identifier: MIT
# awk -v line=L -v t0=EPOCH -f trace.awk PHASES TRACE
#
# The host's verdict of tests/gpio/run.sh, from QEMU's trace alone
# (-trace pl061_set_output -trace pl061_update -trace pl061_write, with
# -msg timestamp=on: "PID@SECONDS:EVENT DEVICE ARGS").
#   pl061_write  offset 0xfe0: the guest's marker, the number of the step
#                that starts there (tests/gpio/init)
#   pl061_set_output: a line's level changed (QEMU traces changes only)
#   pl061_update: GPIODIR and GPIODATA after each register write
#   pl061_write  below 0x400: a GPIODATA write, its address bits 9:2 the
#                lines it sets (how the kernel's driver sets one line)
# For each step of PHASES, between its marker and the next, asserts:
#   - the levels line L took are exactly the step's edges, in order;
#   - at a start, the first value written to line L is OFF, also when it
#     is no edge (the line was OFF already);
#   - no other line of the chip changed;
#   - at the end, line L is an output (GPIODIR) driven at the step's end
#     level (GPIODATA);
# and that every marker came once, in order, then one more ("end") after
# which no line changed.  Prints each step with the trace lines of line L
# (times relative to t0, QEMU's start) and exits 1 on any failure.
# POSIX awk (Debian's default is mawk): hex by hand, no capture groups.

function hex(s,    i, n, c) {
	s = tolower(s)
	sub(/^0x/, "", s)
	n = 0
	for (i = 1; i <= length(s); i++) {
		c = index("0123456789abcdef", substr(s, i, 1))
		if (c == 0)
			return -1
		n = n * 16 + c - 1
	}
	return n
}

function bit(n, b) { return int(n / 2 ^ b) % 2 }

function rel(t) { return sprintf("%+9.3fs", t - t0) }

function bad(msg) {
	printf "FAIL: %s\n", msg
	failed = 1
}

# PHASES: n step arg low edges end
FNR == NR {
	if ($0 ~ /^[ \t]*(#|$)/)
		next
	nsteps++
	if ($1 != nsteps) {
		printf "FAIL: phases: step %s where %d was due\n", $1, nsteps
		exit 2
	}
	what[nsteps] = $2 " " $3 ($4 == "-" ? "" : ", active_low " $4)
	start[nsteps] = $2 == "start"
	low[nsteps] = $4 == "yes"
	# Strings: "0" must not equal an empty list, as it would as numbers.
	want[nsteps] = $5 == "-" ? "" : $5 ""
	gsub(/,/, " ", want[nsteps])
	wend[nsteps] = $6
	next
}

# TRACE
{
	at = index($1, "@")
	colon = index($1, ":")
	if (at == 0 || colon < at)
		next
	t = substr($1, at + 1, colon - at - 1) + 0
	ev = substr($1, colon + 1)
	dev = $2
}

ev == "pl061_write" && $3 == "offset" && hex($4) == 4064 {	# 0xfe0
	nmarks++
	mark_n[nmarks] = hex($6)
	mark_t[nmarks] = t
	if (nmarks == 1)
		chip = dev
	else if (dev != chip)
		bad(sprintf("marker %d on %s, the others on %s", hex($6), dev, chip))
	cur = nmarks
	out[cur] = sprintf("  %s %s\n", rel(t), $0)
	# The state at a step's start is the last one's end.
	sdir[cur] = dir
	sdata[cur] = data
	next
}

ev == "pl061_write" && $3 == "offset" && hex($4) < 1024 {
	if (nmarks > 0 && dev == chip && bit(hex($4) / 4, line) && first[cur] == "")
		first[cur] = bit(hex($6), line)
	next
}

ev == "pl061_set_output" && $3 == "setting" {
	if (nmarks == 0) {
		boot = boot sprintf("  %s %s\n", rel(t), $0)
		next
	}
	if (dev != chip)
		next
	if ($5 == line) {
		got[cur] = got[cur] (got[cur] == "" ? "" : " ") $7
		out[cur] = out[cur] sprintf("  %s %s\n", rel(t), $0)
	} else {
		other[cur] = other[cur] " " $5 "->" $7
	}
	next
}

ev == "pl061_update" && $3 == "GPIODIR" {
	if (nmarks > 0 && dev != chip)
		next
	dir = hex($4)
	data = hex($6)
	if (nmarks > 0) {
		sdir[cur] = dir
		sdata[cur] = data
	}
	next
}

END {
	if (nsteps == 0) {
		print "FAIL: no steps in the phases file"
		exit 2
	}
	printf "QEMU's reset and the boot (before marker 1):\n%s", boot
	for (i = 1; i <= nmarks; i++)
		if (mark_n[i] != i) {
			bad(sprintf("marker %d where %d was due (the guest's steps did not all run, in order)", mark_n[i], i))
			break
		}
	if (nmarks != nsteps + 1)
		bad(sprintf("%d markers, not %d (the steps and the end)", nmarks, nsteps + 1))
	for (i = 1; i <= nsteps && i <= nmarks; i++) {
		off = low[i] ? 1 : 0
		d = sdir[i] == "" ? "?" : bit(sdir[i], line)
		v = sdata[i] == "" ? "?" : bit(sdata[i], line)
		printf "step %d, %s: line %d: %s (expected %s); ends an %s at %s (expected output at %s)", \
			i, what[i], line, got[i] == "" ? "-" : got[i], \
			want[i] == "" ? "-" : want[i], d == 1 ? "output" : "input", v, wend[i]
		if (start[i])
			printf "; first written %s (OFF is %d)", first[i] == "" ? "nothing" : first[i], off
		printf "\n"
		printf "%s", out[i]
		if (got[i] "" != want[i] "") {
			msg = sprintf("step %d (%s): line %d went %s, expected %s", i, what[i], line, \
				got[i] == "" ? "nowhere" : got[i], want[i] == "" ? "nowhere" : want[i])
			if (start[i] && got[i] != "" && substr(got[i], 1, 1) != off)
				msg = msg sprintf(" (not OFF, %d, first)", off)
			bad(msg)
		}
		if (start[i] && first[i] "" != off "")
			bad(sprintf("step %d (%s): the first value written to line %d is %s, not OFF (%d)", \
				i, what[i], line, first[i] == "" ? "none" : first[i], off))
		if (d != 1 || v != wend[i])
			bad(sprintf("step %d (%s): line %d ends as an %s at %s, expected an output at %s", \
				i, what[i], line, d == 1 ? "output" : "input", v, wend[i]))
		if (other[i] != "")
			bad(sprintf("step %d (%s): other lines changed:%s", i, what[i], other[i]))
	}
	if (nmarks == nsteps + 1) {
		i = nsteps + 1
		printf "end: marker %d at %s, QEMU exited after it\n", i, rel(mark_t[i])
		if (got[i] != "" || other[i] != "")
			bad(sprintf("lines changed after the end: line %d: %s; others:%s", line, got[i], other[i]))
		printf "steps 1-%d: %.1f s (marker 1 at %s)\n", nsteps, mark_t[i] - mark_t[1], rel(mark_t[1])
	}
	exit failed
}
