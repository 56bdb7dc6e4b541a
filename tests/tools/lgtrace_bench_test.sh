#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lgtrace --bench through the real skeleton, lgbench and its probes:
#   - bad --bench-stride / --bench-slow-ns values, and either without
#     --bench, are refused with the option's name (no root needed)
#   - a target without lgbench's probes: -p ends at once, -- CMD after it
#     ran, both non-zero with a clear message
#   - the rows in --json are the rows lgbench printed (mode, name, threads,
#     ops, p50, p99), in order, through sh -c 'exec lgbench'
#   - rows that never fault (ideal-pool, lgalloc after its warm-up) show
#     no fault in the window at all (lgbench's own histogram pages are
#     written before it); sysalloc+nohuge+touch shows >= 256 per
#     operation (512 pages per 2 MiB) and none of its operations is "none"
#   - the JSON's shape: the sampling, every row member, six causes, the
#     CCDF bands; causes and counters without their tracepoints are null
#     (LGTRACE_SKIP_TRACEPOINTS=sched_switch,contention_begin)
#   - --bench-stride 7 --bench-slow-ns 0 reaches lgbench (after its TLS
#     re-exec): each row's reports are ceil(ops/7) .. floor(ops/7) + threads
# Needs root, kernel BTF and jq (SKIP otherwise); runs where lgtrace
# --features --json says the kernel has faults and process trees.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/testlib.sh

LGTRACE=$BUILD/tools/lgtrace
LGBENCH=$BUILD/bench/lgbench
for f in "$LGTRACE" "$LGBENCH"; do
	[ -x "$f" ] || { fail lgtrace_bench_built "$f missing: run make"; done_testing; }
done

# ---- usage errors: exit 2 with the option named, before anything runs ----
usage_case() {
	local want=$1 out rc
	shift
	out=$("$LGTRACE" "$@" 2>&1)
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q -- "$want" <<<"$out"; then
		pass "refused: $*"
	else
		fail "refused: $*" "exit $rc: $out"
	fi
}
usage_case "--bench-stride: '0' is not a number from 1 to" --bench --bench-stride 0 -- true
usage_case "--bench-stride: 'x' is not a number" --bench --bench-stride x -- true
usage_case "--bench-slow-ns: '-1' is not a number of nanoseconds" --bench --bench-slow-ns -1 -- true
usage_case "--bench-slow-ns: '3600000000001' is not" --bench --bench-slow-ns 3600000000001 -- true
usage_case "need --bench" --bench-stride 5 -- true

need_root lgtrace_bench || done_testing
if [ ! -r /sys/kernel/btf/vmlinux ]; then
	skip lgtrace_bench "no kernel BTF at /sys/kernel/btf/vmlinux"
	done_testing
fi
command -v jq >/dev/null || { skip lgtrace_bench "jq not installed"; done_testing; }
FEATURES=$("$LGTRACE" --features --json 2>&1) || { fail "lgtrace --features --json" "$FEATURES"; done_testing; }
# gate NAME FEATURE...: true if all are available, else SKIP NAME with the reasons
gate() {
	local name=$1 f why=
	shift
	for f; do
		jq -e --arg f "$f" '.features[$f].available' <<<"$FEATURES" >/dev/null ||
			why+="${why:+; }$f n/a: $(jq -r --arg f "$f" '.features[$f].reason' <<<"$FEATURES")"
	done
	[ -z "$why" ] && return 0
	skip "$name" "$why"
	return 1
}
gate lgtrace_bench faults process_tree || done_testing

TMP=$(mktemp -d /tmp/lgtrace-bench-test.XXXXXX) || exit 1
BG=
cleanup() {
	[ -n "$BG" ] && kill -KILL "$BG" 2>/dev/null && wait "$BG" 2>/dev/null
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# ---- a target without lgbench's probes ----
sleep 30 &
BG=$!
out=$("$LGTRACE" --bench -p "$BG" 2>&1)
rc=$?
check "-p without lgbench's probes: ends at once, non-zero, says why" \
	sh -c '[ "$0" -ne 0 ] && printf "%s" "$1" | grep -q "has no lgbench probes"' "$rc" "$out"
kill "$BG" 2>/dev/null
wait "$BG" 2>/dev/null
BG=
out=$("$LGTRACE" --bench -- true 2>&1)
rc=$?
check "-- CMD without lgbench's probes: non-zero, says why" \
	sh -c '[ "$0" -ne 0 ] && printf "%s" "$1" | grep -q "no traced process had lgbench'"'"'s probes"' "$rc" "$out"

# bench NAME LGTRACE-ARGS... -- LGBENCH-ARGS...: $TMP/NAME.json (lgtrace's
# document) and $TMP/NAME.csv (lgbench's rows); lgbench's own stdout away.
bench() {
	local name=$1 args=()
	shift
	while [ "$1" != "--" ]; do
		args+=("$1")
		shift
	done
	shift
	if ! "$LGTRACE" --bench --json "${args[@]}" -- sh -c 'exec "$0" "$@" >/dev/null' "$LGBENCH" "$@" \
		-o "$TMP/$name.csv" >"$TMP/$name.json" 2>"$TMP/$name.err"; then
		fail "$name: traced run" "$(tail -3 "$TMP/$name.err")"
		return 1
	fi
	jq -e .bench.rows "$TMP/$name.json" >/dev/null || { fail "$name: a bench object" "$(head -c 300 "$TMP/$name.json")"; return 1; }
}
# csv_rows CSV: "MODE NAME THREADS OPS P50 P99" of the rows that ran.
csv_rows() {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["kind"] == "summary" && $col["status"] == "ok" {
		print $col["mode"], $col["row"], $col["threads"], $col["ops"], $col["p50_ns"], $col["p99_ns"] }' "$1"
}
# jqe FILTER [FILE]: jq -e, quietly.
jqe() { jq -e "$@" >/dev/null; }
# row NAME ROW THREADS: that row's JSON object.
row() {
	jq -c --arg r "$2" --argjson t "$3" '.bench.rows[] | select(.name == $r and .threads == $t)' "$TMP/$1.json"
}

short=(-w 300 -m 300)
if bench main -- --threads 1,2 --rows ideal-pool,lgalloc,sysalloc+nohuge+touch "${short[@]}"; then
	csv_rows "$TMP/main.csv" >"$TMP/main.printed"
	jq -r '.bench.rows[] | "\(.mode) \(.name) \(.threads) \(.ops) \(.p50_ns) \(.p99_ns)"' "$TMP/main.json" \
		>"$TMP/main.report"
	check "rows: the report's are lgbench's (mode, name, threads, ops, p50, p99; 6 rows)" \
		sh -c '[ "$(wc -l <"$0")" -eq 6 ] && cmp -s "$0" "$1"' "$TMP/main.printed" "$TMP/main.report"
	[ -s "$TMP/main.report" ] && ! cmp -s "$TMP/main.printed" "$TMP/main.report" &&
		diff "$TMP/main.printed" "$TMP/main.report" | head -6
	for t in 1 2; do
		for r in ideal-pool lgalloc; do
			check "$r, $t thread(s): no faults per operation after the warm-up" \
				jqe '.per_op.minor_faults == 0 and .per_op.major_faults == 0' <<<"$(row main "$r" "$t")"
		done
		r=sysalloc+nohuge+touch
		check "$r, $t thread(s): >= 256 faults per operation" \
			jqe '.per_op.minor_faults >= 256' <<<"$(row main "$r" "$t")"
		check "$r, $t thread(s): every operation met a fault or a wait, none is \"none\"" \
			jqe '(.ccdf | length) > 0 and ([.ccdf[].by_cause.none] | add) == 0 and
				.tail.causes.none.ops == 0' <<<"$(row main "$r" "$t")"
	done
	check "json: sampling says the defaults and how" \
		jqe '.bench.rows_dropped == 0 and (.bench.sampling | .stride == 4096 and .slow_ns == 100000 and (.how | test("4096th")))' \
		"$TMP/main.json"
	check "json: every row has the plan's members, six causes, CCDF bands by cause" jqe '
		def cause: . == null or (keys == ["mean_ns", "ops", "share", "time_share"]);
		[.bench.rows[] |
		 (keys == ["ccdf", "index", "mode", "name", "ops", "ops_per_sec", "p50_ns", "p99_ns", "per_op",
			   "sampled_ops", "seconds", "tail", "threads"]) and
		 (.per_op | keys == ["major_faults", "minor_faults", "mmap_lock_acquisitions", "mmap_lock_contended",
				    "mmap_lock_wait_ns", "swapins", "uring_madvise"]) and
		 (.tail.causes | keys == ["major_fault", "minor_fault", "mmap_lock", "none", "off_cpu", "swapin"]) and
		 ([.tail.causes[] | cause] | all) and .tail.threshold_ns == .p99_ns and
		 ([.ccdf[] | .lower_ns < .upper_ns and (.by_cause | length) == 6 and
			     .ops == ([.by_cause[] | values] | add)] | all)
		] | length == 6 and all' "$TMP/main.json"
fi

# Without sched_switch and contention_begin: off_cpu, mmap_lock and the
# contended counter are null, the rest is there.
if LGTRACE_SKIP_TRACEPOINTS=sched_switch,contention_begin bench nulls -- --threads 1 --rows sysalloc+nohuge+touch \
	"${short[@]}"; then
	check "nulls: off_cpu and mmap_lock causes, contended and per-band counts null without their tracepoints" \
		jqe '.bench.rows[0] | .tail.causes.off_cpu == null and .tail.causes.mmap_lock == null and
			.per_op.mmap_lock_contended == null and .per_op.minor_faults >= 256 and
			.tail.causes.minor_fault != null and ([.ccdf[].by_cause.off_cpu] | all(. == null))' \
		"$TMP/nulls.json"
	check "nulls: --json says why off_cpu is n/a" \
		jqe '.unavailable.off_cpu | test("skipped")' "$TMP/nulls.json"
fi

# The selection reaches lgbench (which executes itself again at its start).
if bench stride --bench-stride 7 --bench-slow-ns 0 -- --threads 1,2 --rows ideal-pool "${short[@]}"; then
	check "stride 7, no slow ones: each row's reports are ceil(ops/7) .. floor(ops/7) + threads" \
		jqe '.bench.sampling.stride == 7 and .bench.sampling.slow_ns == 0 and
			([.bench.rows[] | .sampled_ops >= ((.ops + 6) / 7 | floor) and
				.sampled_ops <= ((.ops / 7 | floor) + .threads)] | length == 2 and all)' "$TMP/stride.json"
fi
done_testing
