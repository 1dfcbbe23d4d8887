#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every fuzz target for a bounded time and fails on any crash, leak,
# timeout, out-of-memory or broken property.
#   tests/fuzz/run.sh [SECONDS]      (default 10 per target)
# Environment:
#   FUZZ_OUT      build and work directory (default: build-fuzz in the tree)
#   FUZZ_TARGETS  the targets to run (default: all), space-separated
#   FUZZ_JOBS     targets run at once (default 1)
# Each target starts from a copy of tests/fuzz/corpus/TARGET in
# FUZZ_OUT/work/TARGET (kept, so longer runs build on earlier ones) and
# prints "fuzz.TARGET EXECUTIONS execs".  A failing input is saved in
# FUZZ_OUT/artifacts; reproduce it with
#   tests/fuzz/replay TARGET FILE     (make check's build, no libFuzzer)
#   FUZZ_OUT/fuzz-TARGET FILE         (the fuzzer's build)
# then fix the bug and add the file to tests/fuzz/corpus/TARGET.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=${1:-10}
out=${FUZZ_OUT:-$top/build-fuzz}
jobs=${FUZZ_JOBS:-1}

"$top/tests/fuzz/build.sh" "$out" >"$out.build.log" 2>&1 || {
	cat "$out.build.log"
	echo "fuzz: build failed" >&2
	exit 1
}
rm -f "$out.build.log"
targets=${FUZZ_TARGETS:-$(cat "$out/targets")}
[ -n "$targets" ] || { echo "fuzz: no targets found (tests/fuzz/build.sh)"; exit 1; }
mkdir -p "$out/work" "$out/artifacts" "$out/log"

# run TARGET: one bounded fuzzing session; its result in log/TARGET.result.
run() {
	local t=$1 work="$out/work/$1" log="$out/log/$1.log" dict=() rc=0
	local before execs
	mkdir -p "$work"
	cp -n "$top/tests/fuzz/corpus/$t"/* "$work"/ 2>/dev/null || true
	[ -f "$out/$t.dict" ] && dict=(-dict="$out/$t.dict")
	before=$(find "$out/artifacts" -name "$t-*" | wc -l)
	"$out/fuzz-$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-max_len=4096 -print_final_stats=1 -print_pcs=0 \
		-artifact_prefix="$out/artifacts/$t-" "${dict[@]}" \
		"$work" >"$log" 2>&1 || rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ "$rc" -ne 0 ] ||
	   [ "$(find "$out/artifacts" -name "$t-*" | wc -l)" -ne "$before" ]; then
		echo "fail ${execs:-0}" >"$out/log/$t.result"
	else
		echo "ok ${execs:-0}" >"$out/log/$t.result"
	fi
}

running=0
for t in $targets; do
	if [ ! -x "$out/fuzz-$t" ]; then
		echo "fuzz: no target $t" >&2
		exit 1
	fi
	rm -f "$out/log/$t.result"
	run "$t" &
	running=$((running + 1))
	if [ "$running" -ge "$jobs" ]; then
		wait -n || true
		running=$((running - 1))
	fi
done
wait

failed=0
for t in $targets; do
	read -r status execs <"$out/log/$t.result" || status=fail
	echo "fuzz.$t ${execs:-0} execs"
	if [ "$status" != ok ]; then
		failed=1
		echo "---- fuzz: $t FAILED; the end of $out/log/$t.log:" >&2
		grep -v '^#' "$out/log/$t.log" | tail -n 40 >&2
		echo "---- inputs saved:" >&2
		find "$out/artifacts" -name "$t-*" >&2
	fi
done
exit "$failed"
