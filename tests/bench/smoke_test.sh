#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lgbench smoke runs: every mode with tiny windows and sizes, the options,
# and the output formats.  Needs neither root nor swap.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/testlib.sh
. tests/bench/benchlib.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
short="--warmup-ms 10 --measure-ms 40"

# Options
check "lgbench --help exits 0" sh -c '"$0" --help >/dev/null' "$LGBENCH"
check "lgbench --version prints its version" sh -c '"$0" --version | grep -Eqx "lgbench [0-9]+\.[0-9]+\.[0-9]+"' "$LGBENCH"
for bad in "--threads 0" "--threads 1,x" "--format xml" "--measure-ms 0" "--bogus" \
	"--rows nosuchrow" "--paging --ratio-sweep" "--total-mib 16" "--paging --rows lgalloc" \
	"--ratio-sweep --rows lgalloc" "--prefetch-mode fast" "--ring-depth 0" "--ring-depth 5000" "--prefetch-workers 129" \
	"--prefetch-workers x" "--no-wait=1" "--repeat 0" "--repeat 1001" "--paging --repeat 2" "extra" \
	"--causes --paging" "--causes --rows lgalloc" "--causes --total-mib 8"; do
	# shellcheck disable=SC2086
	if "$LGBENCH" $bad >"$tmp/out" 2>"$tmp/err"; then
		fail "lgbench $bad is refused" "exit status 0"
	elif ! grep -q "^lgbench: " "$tmp/err"; then
		fail "lgbench $bad is refused" "no error message"
	else
		pass "lgbench $bad is refused"
	fi
done
rows=$("$LGBENCH" --list-rows | wc -l)
check "--list-rows lists the 23 rows" [ "$rows" -eq 23 ]

# Throughput: every row at 1 and 2 threads, CSV, plus a copy through --csv-out.
# shellcheck disable=SC2086
if "$LGBENCH" --threads 1,2 $short --format csv --csv-out "$tmp/copy.csv" >"$tmp/tp.csv" 2>"$tmp/err"; then
	pass "throughput run"
else
	fail "throughput run" "$(tail -3 "$tmp/err")"
fi
check "throughput: 46 records" [ "$(csv_count "$tmp/tp.csv" summary)" -eq 46 ]
expect_no_problems "throughput: positive ops/s, ordered percentiles" "$tmp/tp.csv" throughput
for row in lgalloc lgalloc+touch "lgalloc(checked)" ideal-pool ideal-pool+touch sysalloc malloc malloc-small \
	malloc-small+preload mmap/munmap; do
	check "throughput: $row ran" [ "$(csv_field "$tmp/tp.csv" "$row" 1 status)" = ok ]
done
# The preload's row without its library: "not installed", with the reason.
# shellcheck disable=SC2086
LGBENCH_PRELOAD=$tmp/none.so "$LGBENCH" --threads 1 $short --rows malloc-small+preload --format csv >"$tmp/np.csv" 2>"$tmp/err"
if [ "$(csv_field "$tmp/np.csv" malloc-small+preload 1 status)" = "not installed" ] &&
	grep -q "none.so" "$tmp/np.csv"; then
	pass "malloc-small+preload without the library: not installed, with the reason"
else
	fail "malloc-small+preload without the library: not installed, with the reason" "$(cat "$tmp/np.csv" "$tmp/err")"
fi
for peer in jemalloc mimalloc tcmalloc; do
	st=$(csv_field "$tmp/tp.csv" "$peer" 1 status)
	check "throughput: $peer ran or says not installed" [ "$st" = ok -o "$st" = "not installed" ]
done
# The pooled +touch rows say whether their threads' regions were huge pages
# (as root: the frame numbers are readable); the other rows leave it empty.
huge_ok() { [ "$1" = "$3" ] && [ -n "$2" ] && [ "$2" -le "$3" ]; }
for row in lgalloc+touch ideal-pool+touch; do
	for t in 1 2; do
		n=$(csv_field "$tmp/tp.csv" "$row" $t huge_checked)
		h=$(csv_field "$tmp/tp.csv" "$row" $t huge_regions)
		if [ "$(id -u)" -eq 0 ]; then
			check "throughput: $row at $t: huge pages checked per thread" huge_ok "$n" "$h" "$t"
		else
			check "throughput: $row at $t: huge pages unknown without root" [ -z "$n" ]
		fi
	done
done
check "throughput: huge pages empty for rows without a pool" \
	[ -z "$(csv_field "$tmp/tp.csv" lgalloc 1 huge_checked)$(csv_field "$tmp/tp.csv" malloc+touch 1 huge_checked)" ]
check "throughput: settings in every record" \
	awk -F, 'NR > 1 && ($24 == "" || $25 == "" || $26 + 0 < 1) { exit 1 }' "$tmp/tp.csv"
check "--csv-out copies the records" [ "$(wc -l <"$tmp/copy.csv")" -eq "$(wc -l <"$tmp/tp.csv")" ]

# --repeat: interleaved rounds, each record with its round.
# shellcheck disable=SC2086
"$LGBENCH" --threads 1 $short --rows lgalloc,ideal-pool --repeat 2 --format csv >"$tmp/rep.csv" 2>/dev/null
check "--repeat 2: two records per row, rounds 1 and 2, interleaved" \
	[ "$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
		$col["kind"] == "summary" { printf "%s:%s ", $col["row"], $col["round"] }' "$tmp/rep.csv")" = \
	"lgalloc:1 ideal-pool:1 lgalloc:2 ideal-pool:2 " ]
check "without --repeat the round is empty" [ -z "$(csv_field "$tmp/tp.csv" lgalloc 1 round)" ]

# Human and JSON formats
# shellcheck disable=SC2086
"$LGBENCH" --threads 1 $short --rows lgalloc,ideal-pool >"$tmp/human" 2>&1
check "human: memory limit and its source" grep -q "^memory limit: " "$tmp/human"
check "human: table rows" grep -Eq "^ideal-pool +1 +[0-9,]+ " "$tmp/human"
# shellcheck disable=SC2086
"$LGBENCH" --threads 1 $short --rows lgalloc --format json >"$tmp/j.json" 2>/dev/null
if command -v python3 >/dev/null; then
	check "json: valid, with figures and settings" python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
assert len(r) == 1 and r[0]["ops_per_s"] > 0 and r[0]["kernel"] and "mem_limit_source" in r[0]' "$tmp/j.json"
else
	skip "json: valid" "python3 not installed"
fi

# Paging and ratio sweep, without a limit: small working sets, one thread.
# shellcheck disable=SC2086
if "$LGBENCH" --paging --total-mib 16 --threads 1 $short --format csv >"$tmp/pg.csv" 2>"$tmp/err"; then
	pass "paging run"
else
	fail "paging run" "$(tail -3 "$tmp/err")"
fi
check "paging: random_read and realloc+touch" [ "$(csv_count "$tmp/pg.csv" summary)" -eq 2 ]
expect_no_problems "paging: positive ops/s, ordered percentiles" "$tmp/pg.csv" paging
check "paging: random_read CCDF" ccdf_ok "$tmp/pg.csv" random_read
check "paging: realloc+touch CCDF" ccdf_ok "$tmp/pg.csv" realloc+touch
check "paging: total_mib recorded" [ "$(csv_field "$tmp/pg.csv" random_read 1 total_mib)" = 16 ]

# shellcheck disable=SC2086
if "$LGBENCH" --ratio-sweep --total-mib 16 --threads 1 $short --format csv >"$tmp/sw.csv" 2>"$tmp/err"; then
	pass "ratio-sweep run"
else
	fail "ratio-sweep run" "$(tail -3 "$tmp/err")"
fi
check "ratio-sweep: 12 strategies and realloc+touch" [ "$(csv_count "$tmp/sw.csv" summary)" -eq 13 ]
expect_no_problems "ratio-sweep: positive ops/s, ordered percentiles" "$tmp/sw.csv" ratio-sweep

# The io_uring strategies: every hint is counted, through the ring unless
# io_uring is unavailable, which the note then says; with --prefetch-mode
# sync they still run, every hint synchronous.
uring_rows="rand+uring-batch8 rand+uring-batch32 rand+uring-batch128 rand+uring-ahead"
for row in $uring_rows; do
	async=$(csv_field "$tmp/sw.csv" "$row" 1 prefetch_async)
	sync=$(csv_field "$tmp/sw.csv" "$row" 1 prefetch_sync)
	note=$(csv_field "$tmp/sw.csv" "$row" 1 note)
	check "ratio-sweep: $row hints counted" [ "$((async + sync))" -gt 0 ]
	check "ratio-sweep: $row hints through io_uring, or says why not" \
		[ "$async" -gt 0 -o "${note#io_uring unavailable}" != "$note" ]
done
check "ratio-sweep: no prefetch counters on the original strategies" \
	[ -z "$(csv_field "$tmp/sw.csv" batch8+WILLNEED 1 prefetch_async)" ]
# shellcheck disable=SC2086
"$LGBENCH" --ratio-sweep --total-mib 8 --threads 1,2 --rows "$(echo $uring_rows | tr ' ' ,)" $short \
	--prefetch-mode sync --ring-depth 4 --format csv >"$tmp/sw4.csv" 2>/dev/null
check "ratio-sweep: sync fallback runs every io_uring strategy at 1 and 2 threads" \
	[ "$(csv_count "$tmp/sw4.csv" summary)" -eq 8 ]
expect_no_problems "ratio-sweep: sync fallback, positive ops/s, ordered percentiles" "$tmp/sw4.csv"
for row in $uring_rows; do
	check "ratio-sweep: $row falls back to sync and says so" [ \
		"$(csv_field "$tmp/sw4.csv" "$row" 1 prefetch_async)" = 0 -a \
		"$(csv_field "$tmp/sw4.csv" "$row" 1 prefetch_sync)" -gt 0 -a \
		"$(csv_field "$tmp/sw4.csv" "$row" 1 note)" = \
		"io_uring unavailable: hints fell back to synchronous madvise" ]
done
# shellcheck disable=SC2086
"$LGBENCH" --ratio-sweep --total-mib 8 --threads 1 --rows rand+uring-ahead $short >"$tmp/human2" 2>&1
check "human: io_uring hint counts under the row" grep -Eq "^    hints: [0-9]+ io_uring" "$tmp/human2"
# Variants are rows of their own, named by what differs; the settings
# reach lgalloc (prefetch_workers in every record).
# shellcheck disable=SC2086
"$LGBENCH" --ratio-sweep --total-mib 8 --threads 1 --rows batch8+WILLNEED,rand+uring-batch8,rand+uring-ahead \
	$short --uring-ahead 64 --prefetch-workers 2 --no-wait --format csv >"$tmp/sw5.csv" 2>/dev/null
check "ratio-sweep: variant rows named -wN, -nowait, aheadN" [ \
	"$(csv_field "$tmp/sw5.csv" rand+uring-batch8-w2-nowait 1 status)" = ok -a \
	"$(csv_field "$tmp/sw5.csv" rand+uring-ahead64-w2-nowait 1 status)" = ok -a \
	"$(csv_field "$tmp/sw5.csv" batch8+WILLNEED 1 status)" = ok -a \
	"$(csv_field "$tmp/sw5.csv" batch8+WILLNEED 1 prefetch_workers)" = 2 ]
expect_no_problems "ratio-sweep: variants, positive ops/s, ordered percentiles" "$tmp/sw5.csv"
# The guide's own thread counts when --threads is absent (baseline 1,4,8,16).
"$LGBENCH" --ratio-sweep --total-mib 8 --warmup-ms 0 --measure-ms 10 --format csv >"$tmp/sw2.csv" 2>/dev/null
check "ratio-sweep: the guide's thread counts" [ "$(csv_field "$tmp/sw2.csv" baseline 16 status)" = ok -a \
	"$(csv_field "$tmp/sw2.csv" MADV_RANDOM+prefetch 8 status)" = ok -a \
	"$(csv_field "$tmp/sw2.csv" rand+uring-ahead 1 status)" = ok ]
# --rows picks sweep strategies too.
"$LGBENCH" --ratio-sweep --total-mib 8 --threads 1 --rows baseline,realloc+touch --warmup-ms 0 --measure-ms 10 \
	--format csv >"$tmp/sw3.csv" 2>/dev/null
check "ratio-sweep: --rows picks strategies" [ "$(csv_count "$tmp/sw3.csv" summary)" -eq 2 ]
check "ratio-sweep: --list-rows lists the 13 steps" [ "$("$LGBENCH" --ratio-sweep --list-rows | wc -l)" -eq 13 ]

# The four-cause rows: all four run, or swapin says why not (no swap);
# the slow tenth shows in each row's CCDF (5% to 30% of operations slower
# than the last point at or below 1 us; the fast ones take ~30 ns).
check "causes: --list-rows lists the 4 rows" [ "$("$LGBENCH" --causes --list-rows | tr '\n' ' ')" = \
	"minor_fault mmap_lock swapin off_cpu " ]
# shellcheck disable=SC2086
if "$LGBENCH" --causes --warmup-ms 10 --measure-ms 200 --format csv >"$tmp/ca.csv" 2>"$tmp/err"; then
	pass "causes run"
else
	fail "causes run" "$(tail -3 "$tmp/err")"
fi
check "causes: 4 records" [ "$(csv_count "$tmp/ca.csv" summary)" -eq 4 ]
expect_no_problems "causes: positive ops/s, ordered percentiles" "$tmp/ca.csv" causes
if [ "$(awk 'NR > 1' /proc/swaps | wc -l)" -eq 0 ]; then
	check "causes: swapin skipped without swap, with the reason" \
		[ "$(csv_field "$tmp/ca.csv" swapin 1 status)" = skipped -a \
		"$(csv_field "$tmp/ca.csv" swapin 1 note)" = \
		"no swap is active (/proc/swaps): run under lgrun --make-swap SIZE" ]
fi
for row in minor_fault mmap_lock off_cpu; do
	check "causes: $row: a slow tenth in the CCDF" awk -F, -v row="$row" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["kind"] == "ccdf" && $col["row"] == row && $col["latency_ns"] + 0 <= 1000 { f = $col["ccdf"] + 0 }
	END { exit !(f >= 0.05 && f <= 0.3) }' "$tmp/ca.csv"
done
"$LGBENCH" --causes --rows off_cpu --warmup-ms 0 --measure-ms 10 --format csv >"$tmp/ca2.csv" 2>/dev/null
check "causes: --rows picks rows" [ "$(csv_count "$tmp/ca2.csv" summary)" -eq 1 ]
done_testing
