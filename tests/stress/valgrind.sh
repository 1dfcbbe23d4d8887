#!/bin/sh
# SPDX-License-Identifier: MIT
# make valgrind: runs test programs under Valgrind.  Arguments: the build's
# check programs (make passes $(check_PROGRAMS)); run from the build
# directory with make check's environment (top_srcdir, TEST_SCALE...).
#
# 1. memcheck on every Check runner (tests/check-*, tests/thermostat/check-*),
#    the examples, the fuzz corpus replay and a short stress run.  Any
#    error, and any definite or indirect leak, fails the run.  Check runs
#    the tests in the Valgrind'ed process (CK_FORK=no), so that Valgrind
#    sees them.  A child the tests fork themselves (tests/check_fork.c) is
#    checked too, and its errors make the program's status 99, but its
#    report goes to a log of its own, valgrind/TOOL-NAME.PID.log, kept
#    and printed when the run fails (children that abort on purpose
#    write there too, and are shown only then).
# 2. DRD (the thread checker) on the library's threaded tests: the
#    library's Check runner (its concurrency, update, versions and
#    lifecycle suites start threads), the examples, and the stress program
#    under every policy.  DRD needs the library built with -DSS_VALGRIND (see
#    lib/internal.h: it cannot see C11 atomics, which the library then
#    names to it).  DRD skips the Check tests tagged "cancel": it wraps
#    pthread_cond_wait, and a thread cancelled inside it never returns
#    through the wrapper, so DRD keeps it waiting on the condition variable
#    for ever: it reports the cleanup handler's pthread_cond_destroy, and
#    later, when a condition variable of another thread reuses that stack
#    address, "not a mutex" and signals without the mutex.  Memcheck (and
#    the TSan build's make check) still run them.  VALGRIND_DRD=auto (the default) runs DRD when
#    VALGRIND_CPPFLAGS holds -DSS_VALGRIND and says it skipped it otherwise;
#    yes always runs it; no never does.
# Helgrind is not used: Valgrind 3.19's Helgrind does not intercept
# pthread_mutex_clocklock (ss_update_timed), and reports glibc's own
# condition variable internals.
#
# --fair-sched=yes: Valgrind runs one thread at a time; with its default
# scheduling a thread that keeps taking a contended lock starves the
# others, and the torn-read test (which needs 1000 writes against two
# readers) ran for half an hour under memcheck instead of seconds.
#
# The suppression file names only glibc and Check internals, never this
# project's code.  Logs: valgrind/*.log in the build directory.
# Environment: VALGRIND, LIBTOOL, VALGRIND_DRD, VALGRIND_CPPFLAGS,
# VALGRIND_STRESS_SECONDS (per policy, default 1), VALGRIND_TIMEOUT (seconds
# one program may run under a tool before it is killed and counted as a
# failure, default 600), top_srcdir.
set -u
: "${VALGRIND:=valgrind}"
: "${LIBTOOL:=./libtool}"
: "${VALGRIND_DRD:=auto}"
: "${VALGRIND_CPPFLAGS:=}"
: "${VALGRIND_STRESS_SECONDS:=1}"
: "${VALGRIND_TIMEOUT:=600}"
: "${top_srcdir:=.}"

if [ -z "$VALGRIND" ] || ! command -v "$VALGRIND" >/dev/null 2>&1; then
	echo "valgrind: Valgrind not found (Debian package: valgrind)" >&2
	exit 1
fi
supp="$top_srcdir/tests/stress/valgrind.supp"
common="-q --error-exitcode=99 --fair-sched=yes
	--num-callers=40 --suppressions=$supp"
memcheck="--tool=memcheck $common --leak-check=full
	--show-leak-kinds=definite,indirect
	--errors-for-leak-kinds=definite,indirect --track-origins=yes"
drd="--tool=drd $common"
mkdir -p valgrind
CK_FORK=no
export CK_FORK
failed=0

# run TOOL NAME PROGRAM ARGS...: one program under one tool, env already set.
run() {
	tool=$1 name=$2
	shift 2
	log="valgrind/$tool-$name.log"
	rm -f "valgrind/$tool-$name".[0-9]*.log
	start=$(date +%s)
	if [ "$tool" = memcheck ]; then
		flags=$memcheck
	else
		flags=$drd
	fi
	# shellcheck disable=SC2086
	timeout -k 10 "$VALGRIND_TIMEOUT" \
		$LIBTOOL --mode=execute "$VALGRIND" $flags \
		--log-file="valgrind/$tool-$name.%p.log" "$@" >"$log" 2>&1
	rc=$?
	# Valgrind's reports, one file per process (-q: empty for a clean
	# one).  On failure the non-empty ones go into the program's log, and
	# stay beside it: a forked child's errors fail the run (status 99 in
	# the child) and are told only there.  expect_abort's children, which
	# abort on purpose, may show leaks too: those never fail a run.
	for vl in "valgrind/$tool-$name".[0-9]*.log; do
		if [ "$rc" -ne 0 ] && [ -s "$vl" ]; then
			echo "valgrind.$tool.$name: $vl:" >>"$log"
			cat "$vl" >>"$log"
		else
			rm -f "$vl"
		fi
	done
	[ "$rc" -ne 124 ] || echo "valgrind.$tool.$name: killed after" \
		"${VALGRIND_TIMEOUT}s" >>"$log"
	secs=$(($(date +%s) - start))
	if [ "$rc" -eq 0 ]; then
		echo "valgrind.$tool.$name ok ${secs}s"
	else
		failed=1
		echo "valgrind.$tool.$name FAILED (status $rc) ${secs}s: $log"
		grep -E '^==[0-9]+==|FAIL|Assertion|VIOLATION|killed after' "$log" | head -n 80
	fi
}

progs=
for p in "$@"; do
	case $p in
	tests/check-*|tests/thermostat/check-*|examples/*|tests/fuzz/replay*)
		progs="$progs $p" ;;
	esac
done

# 1. memcheck
for p in $progs; do
	name=$(echo "$p" | sed 's,^tests/,,; s,/,-,g')
	run memcheck "$name" "./$p"
done
run memcheck stress ./tests/stress/stress \
	--seconds "$VALGRIND_STRESS_SECONDS" --threads 3

# 2. DRD
case $VALGRIND_DRD in
auto)
	case " $VALGRIND_CPPFLAGS " in
	*" -DSS_VALGRIND "*) VALGRIND_DRD=yes ;;
	*) echo "valgrind.drd SKIPPED: the library was not built with" \
		"-DSS_VALGRIND (configure CPPFLAGS=-DSS_VALGRIND)"
	   VALGRIND_DRD=no ;;
	esac ;;
esac
if [ "$VALGRIND_DRD" = yes ]; then
	# SS_SNAPSHOT is left out (its own suite, tag "snapshot", and its
	# turn in the loops over the policies): DRD cannot see liburcu's
	# synchronisation (membarrier, futexes and lock-free queues in an
	# uninstrumented library), so it reports liburcu's own call_rcu
	# queue, and the run passes 600 s.  That policy's races are TSan's
	# (make check in the TSan build, and make stress, with the
	# library's annotations) and memcheck's (above) to find.
	CK_EXCLUDE_TAGS="cancel snapshot" SS_TEST_NPOLICIES=3
	export CK_EXCLUDE_TAGS SS_TEST_NPOLICIES
	run drd check-sharedstate ./tests/check-sharedstate
	unset CK_EXCLUDE_TAGS SS_TEST_NPOLICIES
	for p in $progs; do
		case $p in
		examples/*) run drd "$(echo "$p" | sed 's,/,-,g')" "./$p" ;;
		esac
	done
	for policy in mutex seqlock rwlock; do
		run drd "stress-$policy" ./tests/stress/stress --policy "$policy" \
			--seconds "$VALGRIND_STRESS_SECONDS" --threads 3
	done
fi
exit "$failed"
