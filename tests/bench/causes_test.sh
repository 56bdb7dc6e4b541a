#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Issue 10's fidelity checks of `lgtrace --bench`, through the real
# skeleton, the real library and lgbench's probes:
#   - the four-cause rows (lgbench --causes, under lgrun with a swap file
#     for the swapin row): in each row, of the sampled operations slower
#     than SLOW_NS (the slow tenth: the fast ones take ~30 ns), at least 90%
#     are attributed to the row's cause (the row's name is the cause's key
#     in bench.rows[].ccdf[].by_cause);
#   - the paging split: in lgbench --paging's random_read row (1 thread,
#     64 MiB limit, 192 MiB working set), the share of sampled operations
#     that met a swap-in agrees within 5 percentage points with the CCDF's
#     bimodal split: the share above the emptiest log2 band between 1 and
#     16 us (resident reads take < 1 us here, swap-ins >= 20 us).
# The JSON is the session plan's (docs/tracing.md).  Needs root, kernel BTF,
# jq, and lgtrace with --bench (SKIP with the reason otherwise).
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/testlib.sh
. tests/bench/benchlib.sh
LGTRACE=${LGTRACE:-$BUILD/tools/lgtrace}
name="lgtrace --bench causes"
SLOW_NS=4096
MIN_SLOW=30

need_root "$name" || done_testing
if [ ! -r /sys/kernel/btf/vmlinux ]; then
	skip "$name" "no kernel BTF at /sys/kernel/btf/vmlinux"
	done_testing
fi
for f in "$LGTRACE" "$LGRUN" "$LGBENCH"; do
	[ -x "$f" ] || { fail "$name: built" "$f missing"; done_testing; }
done
command -v jq >/dev/null || { skip "$name" "jq not installed (make deps)"; done_testing; }
if ! "$LGTRACE" --help 2>&1 | grep -q -- '--bench'; then
	skip "$name" "$LGTRACE has no --bench option (its --help does not list it)"
	done_testing
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# Sample every 3rd operation (the slow tenth is chosen by a hash: any stride
# sees one in ten) where lgtrace lets the stride be chosen.
stride=()
if "$LGTRACE" --help 2>&1 | grep -q -- '--bench-stride'; then stride=(--bench-stride 3); fi

# row_json FILE MODE NAME THREADS: the bench row of that mode, name and threads.
row_json() {
	jq -c --arg m "$2" --arg n "$3" --argjson t "$4" \
		'[.bench.rows[] | select(.mode == $m and .name == $n and .threads == $t)] | .[0] // empty' "$1"
}

# attribution ROWJSON CAUSE: "SLOW ATTRIBUTED" sampled operations at or
# above SLOW_NS, and of those attributed to CAUSE.
attribution() {
	jq -r --arg c "$2" --argjson s "$SLOW_NS" \
		'[.ccdf[] | select(.lower_ns >= $s)] | "\(map(.ops) | add // 0) \(map(.by_cause[$c]) | add // 0)"' <<<"$1"
}

# paging_split ROWJSON: "SWAPIN_SHARE SPLIT_SHARE VALLEY_NS" over the sampled
# operations: the share that met a swap-in, the share in the bands above the
# emptiest band between 1 and 16 us, and that band's lower bound.
paging_split() {
	jq -r '(.ccdf | sort_by(.lower_ns)) as $b
		| ($b | map(.ops) | add) as $n
		| (($b | map(select(.lower_ns >= 1024 and .upper_ns <= 16384)) | min_by(.ops) | .lower_ns) // 1024) as $v
		| "\(($b | map(.by_cause.swapin) | add) / $n) \(($b | map(select(.lower_ns > $v) | .ops) | add // 0) / $n) \($v)"' <<<"$1"
}

# ---- the four causes ----
run="lgtrace --bench -- lgrun -- lgbench --causes"
# lgbench's own output goes to a file through sh (lgtrace's JSON is on stdout):
# lgtrace --bench finds lgbench in the tree by its probes.
# shellcheck disable=SC2016
to_file='out=$1; shift; exec "$@" >"$out"'
if "$LGTRACE" --bench --json "${stride[@]}" -- "$LGRUN" -q --memory 4G --make-swap 256M -- \
	sh -c "$to_file" sh "$tmp/causes.csv" "$LGBENCH" --causes --warmup-ms 100 --measure-ms 1500 --format csv \
	>"$tmp/causes.json" 2>"$tmp/causes.err"; then
	pass "$name: $run"
else
	fail "$name: $run" "exit status $?: $(tail -5 "$tmp/causes.err" | tr '\n' ';')"
	done_testing
fi
for cause in minor_fault mmap_lock swapin off_cpu; do
	row=$(row_json "$tmp/causes.json" causes "$cause" 1)
	if [ -z "$row" ]; then
		if [ "$(csv_field "$tmp/causes.csv" "$cause" 1 status)" = skipped ]; then
			skip "$name: $cause" "lgbench skipped the row: $(csv_field "$tmp/causes.csv" "$cause" 1 note)"
		else
			fail "$name: $cause: row in bench.rows" "none with mode causes, name $cause, 1 thread"
		fi
		continue
	fi
	read -r slow attributed <<<"$(attribution "$row" "$cause")"
	echo "# $cause: $attributed of $slow sampled operations >= $SLOW_NS ns attributed to $cause;" \
		"tail: $(jq -c '.tail.causes | map_values(.ops)' <<<"$row")"
	# The CCDF's counts are estimates: a sample under lgtrace's slow_ns
	# (100 us) stands for the stride's operations.
	weight=${stride[1]:-1}
	if [ "${slow:-0}" -ge "$((MIN_SLOW * weight))" ]; then
		pass "$name: $cause: at least $MIN_SLOW slow operations sampled (an estimated $slow, $weight each)"
	else
		# lgbench says when slow operations missed their cause (a page
		# still resident, no storm in time); the swap devices then.
		fail "$name: $cause: at least $MIN_SLOW slow operations sampled (an estimated ${slow:-0}, $weight each)" \
			"$(grep "causes: $cause:" "$tmp/causes.err" | tr '\n' ';') swaps: $(awk 'NR > 1 { printf "%s %s/%s; ", $1, $4, $3 }' /proc/swaps)"
	fi
	check "$name: $cause: >= 90% of the slow operations attributed to $cause ($attributed of $slow)" \
		[ "$((100 * ${attributed:-0}))" -ge "$((90 * ${slow:-1}))" ]
done

# ---- the paging split ----
run="lgtrace --bench -- lgrun --memory 64M -- lgbench --paging"
if "$LGTRACE" --bench --json "${stride[@]}" -- "$LGRUN" -q --memory 64M --make-swap 512M -- \
	sh -c "$to_file" sh "$tmp/paging.csv" "$LGBENCH" --paging --total-mib 192 --threads 1 --warmup-ms 100 \
	--measure-ms 1000 --format csv >"$tmp/paging.json" 2>"$tmp/paging.err"; then
	pass "$name: $run"
else
	fail "$name: $run" "exit status $?: $(tail -5 "$tmp/paging.err" | tr '\n' ';')"
	done_testing
fi
row=$(row_json "$tmp/paging.json" paging random_read 1)
if [ -z "$row" ]; then
	fail "$name: paging: random_read row in bench.rows" "none with mode paging, 1 thread"
	done_testing
fi
read -r swapin split valley <<<"$(paging_split "$row")"
echo "# random_read: swap-in share $swapin, CCDF above the $valley ns band $split"
check "$name: paging: swap-in share ($swapin) within 5 points of the CCDF's split ($split)" \
	awk -v a="$swapin" -v b="$split" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(a > 0 && d <= 0.05) }'
done_testing
