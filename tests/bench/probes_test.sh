#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lgbench's USDT probes (docs/tracing.md, "lgbench's probes"):
#   - the six probes are in .note.stapsdt with their documented argument
#     counts and a semaphore each; lgbench_probe_ctl is a dynamic symbol
#   - without a tracer every semaphore is 0 (read from /proc/PID/mem)
#   - bad LGBENCH_OP_STRIDE / LGBENCH_OP_SLOW_NS values are refused
#   - root: a libbpf consumer (probe_trace) attached to every probe sees,
#     for each row lgbench printed, row_start, measure_start, measure_end
#     and row_end in order, with the printed mode, name, thread count and
#     ops; op_begin/op_end follow the selection protocol (the stride's
#     sequence numbers, every op_end of a slow_ns of 1 ns: exactly the
#     row's ops; nothing when nothing is selected); the semaphores are set
#     while it is attached; a selection written into lgbench_probe_ctl
#     while lgbench runs takes effect
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/testlib.sh
. tests/bench/benchlib.sh
PROBE_TRACE=$BUILD/tests/bench/probe_trace
tmp=$(mktemp -d)
bg=""
cleanup() {
	[ -n "$bg" ] && kill "$bg" 2>/dev/null && wait "$bg" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The notes: NAME ARGS per probe of provider lgbench, with its semaphore.
readelf -n "$LGBENCH" | awk '
	/Provider:/ { prov = $2 }
	/Name:/ { name = $2 }
	/Semaphore:/ { sem = $NF }
	/Arguments:/ && prov == "lgbench" { print name, NF - 1, (sem ~ /^0x0*[1-9a-f]/ ? "sem" : "nosem") }' \
	| sort >"$tmp/notes"
printf '%s\n' "measure_end 1 sem" "measure_start 1 sem" "op_begin 3 sem" "op_end 6 sem" \
	"row_end 9 sem" "row_start 6 sem" >"$tmp/want"
if cmp -s "$tmp/notes" "$tmp/want"; then
	pass "notes: six lgbench probes, documented argument counts, a semaphore each"
else
	fail "notes: six lgbench probes, documented argument counts, a semaphore each" "$(tr '\n' ';' <"$tmp/notes")"
fi
check "lgbench_probe_ctl is a dynamic symbol" sh -c 'readelf -W --dyn-syms "$0" | grep -qw lgbench_probe_ctl' "$LGBENCH"

# Bad selections are refused before anything runs.
for bad in "LGBENCH_OP_STRIDE=x" "LGBENCH_OP_STRIDE=4294967296" "LGBENCH_OP_SLOW_NS=-1" \
	"LGBENCH_OP_SLOW_NS=3600000000001"; do
	if env "$bad" "$LGBENCH" --threads 1 --rows lgalloc --warmup-ms 0 --measure-ms 10 >"$tmp/out" 2>"$tmp/err"; then
		fail "$bad is refused" "exit status 0"
	else
		check "$bad is refused, naming the variable" grep -q "^lgbench: ${bad%%=*} wants" "$tmp/err"
	fi
done

# Untraced, every semaphore stays 0: the operation probes cost a load.
"$LGBENCH" --threads 1 --rows lgalloc --warmup-ms 300 --measure-ms 700 >/dev/null 2>&1 &
bg=$!
sleep 0.5
tests/bench/probe_mem.py read "$bg" "$LGBENCH" >"$tmp/sem0" 2>"$tmp/err"
rc=$?
wait "$bg"
bg=""
if [ "$rc" -eq 77 ]; then
	skip "semaphores are 0 without a tracer" "$(cat "$tmp/err")"
else
	check "semaphores are 0 without a tracer" \
		awk '{ n++; if ($2 != 0) bad = 1 } END { exit bad || n != 6 }' "$tmp/sem0"
fi

need_root "probes attached (probe_trace)" || done_testing

# csv_rows CSV: "MODE NAME THREADS OPS" of each row that ran, in order.
csv_rows() {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["kind"] == "summary" && $col["status"] == "ok" {
		print $col["mode"], $col["row"], $col["threads"], $col["ops"], $col["p50_ns"], $col["p99_ns"] }' "$1"
}
# phases_ok TRACE: rows numbered from 0, each row_start, measure_start,
# measure_end, row_end in that order.
phases_ok() {
	awk '$1 == "row_start" { if ($2 != want || st != 0) bad = 1; st = 1 }
	$1 == "measure_start" { if ($2 != want || st != 1) bad = 1; st = 2 }
	$1 == "measure_end" { if ($2 != want || st != 2) bad = 1; st = 3 }
	$1 == "row_end" { if ($2 != want || st != 3) bad = 1; st = 0; want++ }
	END { exit bad || st != 0 || want == 0 }' "$1"
}
# ops_problems TRACE STRIDE SLOW_NS: one line per row whose operation
# probes break the protocol.  STRIDE 0: no op_begin; SLOW_NS 1: every op
# has its op_end (sampled + slow = the row's ops); SLOW_NS 0: none alone.
ops_problems() {
	awk -v s="$2" -v slow="$3" '
	$1 == "row_end" { ops[$2] = $6; thr[$2] = $5 }
	$1 == "ops" {
		for (i = 3; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] + 0 }
		n = ops[$2]; t = thr[$2]; why = ""
		if (v["begin"] != v["end_sampled"] || v["begin"] != v["paired"]) why = why " unpaired"
		if (v["off_stride"] || v["late_start"] || v["slow_below"]) why = why " off-protocol"
		if (s == 0 && v["begin"]) why = why " begin-without-stride"
		if (s > 0 && (v["begin"] < int((n + s - 1) / s) || v["begin"] > int(n / s) + t)) why = why " stride-count"
		if (slow == 1 && v["end_sampled"] + v["end_slow"] != n) why = why " not-every-op"
		if (slow == 0 && v["end_slow"]) why = why " slow-without-threshold"
		if (why != "") print "row " $2 ":" why ": " $0
	}' "$1"
}
# starts_match TRACE PRINTED: row_start's mode, name, threads are the printed rows'.
starts_match() {
	cmp -s <(awk '$1 == "row_start" { print $3, $4, $5 }' "$1") <(cut -d" " -f1-3 "$2")
}
# traced NAME STRIDE SLOW_NS LGBENCH-ARGS...: run under probe_trace and
# check rows, phases and the operation probes.
traced() {
	local name=$1 stride=$2 slow=$3
	shift 3
	if ! LGBENCH_OP_STRIDE=$stride LGBENCH_OP_SLOW_NS=$slow "$PROBE_TRACE" "$tmp/$name.trace" "$LGBENCH" "$@" \
		--format csv >"$tmp/$name.csv" 2>"$tmp/$name.err"; then
		fail "$name: traced run" "$(tail -3 "$tmp/$name.err")"
		return
	fi
	csv_rows "$tmp/$name.csv" >"$tmp/$name.printed"
	awk '$1 == "row_end" && $7 == 0 { print $3, $4, $5, $6, $9, $10 }' "$tmp/$name.trace" >"$tmp/$name.probed"
	check "$name: row_end per printed row (mode, name, threads, ops, p50, p99)" \
		sh -c '[ -s "$0" ] && cmp -s "$0" "$1"' "$tmp/$name.printed" "$tmp/$name.probed"
	check "$name: row_start, measure_start, measure_end, row_end in order" phases_ok "$tmp/$name.trace"
	check "$name: row_start names the same rows" starts_match "$tmp/$name.trace" "$tmp/$name.printed"
	ops_problems "$tmp/$name.trace" "$stride" "$slow" >"$tmp/$name.bad"
	check "$name: op probes follow the selection (stride $stride, slow_ns $slow)" \
		sh -c '[ ! -s "$0" ] && [ "$(grep -c "^ops " "$1")" -eq "$(wc -l <"$2")" ]' \
		"$tmp/$name.bad" "$tmp/$name.trace" "$tmp/$name.printed"
	[ -s "$tmp/$name.bad" ] && head -5 "$tmp/$name.bad"
}

short="--warmup-ms 20 --measure-ms 100"
# shellcheck disable=SC2086
traced throughput 64 1 --threads 1,2 --rows lgalloc,sysalloc $short
check "throughput: sampled ops seen" awk '$1 == "ops" && $3 != "begin=0" { n++ } END { exit n != 4 }' \
	"$tmp/throughput.trace"
# shellcheck disable=SC2086
traced paging 16 0 --paging --total-mib 16 --threads 1 $short
check "paging: mode paging, random_read and realloc+touch" \
	sh -c '[ "$(cut -d" " -f1,2 "$0" | tr "\n" ";")" = "paging random_read;paging realloc+touch;" ]' \
	"$tmp/paging.printed"
# shellcheck disable=SC2086
traced sweep 0 0 --ratio-sweep --total-mib 8 --threads 1,2 --rows baseline,realloc+touch $short
check "ratio-sweep: no op probe fires when nothing is selected" \
	awk '$1 == "ops" && ($3 != "begin=0" || $4 != "end_sampled=0" || $6 != "end_slow=0") { exit 1 }' \
	"$tmp/sweep.trace"

# While attached: the semaphores are set, and a stride written into
# lgbench_probe_ctl during the warm-up selects operations (none before).
LGBENCH_OP_STRIDE=0 LGBENCH_OP_SLOW_NS=0 "$PROBE_TRACE" "$tmp/live.trace" "$LGBENCH" --threads 1 --rows lgalloc \
	--warmup-ms 800 --measure-ms 200 --format csv >"$tmp/live.csv" 2>"$tmp/live.err" &
bg=$!
sleep 0.4
child=$(pgrep -P "$bg" | head -1)
tests/bench/probe_mem.py read "$child" "$LGBENCH" >"$tmp/sem1" 2>&1
tests/bench/probe_mem.py write "$child" "$LGBENCH" 1000 0 2>>"$tmp/sem1"
wait "$bg"
rc=$?
bg=""
check "attached: probe_trace ran" [ "$rc" -eq 0 ]
check "attached: every semaphore set" awk '{ n++; if ($2 < 1) bad = 1 } END { exit bad || n != 6 }' "$tmp/sem1"
check "attached: the stride written at run time selects ops" awk -v ops="$(csv_field "$tmp/live.csv" lgalloc 1 ops)" '
	$1 == "ops" { split($3, b, "="); split($5, p, "="); n = b[2] + 0
		ok = n >= 1 && n == p[2] + 0 && n <= int((ops + 999) / 1000) }
	END { exit !ok }' "$tmp/live.trace"
done_testing
