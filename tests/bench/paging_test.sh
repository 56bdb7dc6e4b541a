#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lgbench --paging under lgrun with a 64 MiB limit and a 192 MiB working set:
# the process must really swap (major faults from getrusage > 0), and
# lgbench must report the limit lgrun set, with its source.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/testlib.sh
. tests/bench/benchlib.sh
name="paging under lgrun, 64 MiB limit"

need_root "$name" || done_testing
if [ ! -x "$LGRUN" ]; then
	skip "$name" "$LGRUN not built"
	done_testing
fi
swap_args=(--make-swap 512M)
if [ "$(awk 'NR > 1' /proc/swaps | wc -l)" -eq 0 ] && ! command -v mkswap >/dev/null; then
	skip "$name" "no swap active and no mkswap to make a swap file"
	done_testing
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

"$LGRUN" -q --memory 64M "${swap_args[@]}" -- "$LGBENCH" --paging --total-mib 192 --threads 1 \
	--warmup-ms 50 --measure-ms 300 --format csv >"$tmp/pg.csv" 2>"$tmp/err"
rc=$?
if [ "$rc" -ne 0 ]; then
	fail "$name: run" "exit status $rc: $(tail -5 "$tmp/err" | tr '\n' ';')"
	done_testing
fi
pass "$name: run"
expect_no_problems "$name: positive ops/s, ordered percentiles" "$tmp/pg.csv" paging
majflt=$(csv_field "$tmp/pg.csv" random_read 1 majflt)
check "$name: random reads took major faults ($majflt)" [ "${majflt:-0}" -gt 0 ]
check "$name: limit detected" [ "$(csv_field "$tmp/pg.csv" random_read 1 mem_limit_bytes)" = 67108864 ]
src=$(csv_field "$tmp/pg.csv" random_read 1 mem_limit_source)
check "$name: limit source is lgrun's cgroup ($src)" \
	sh -c 'case "$0" in */memory.max | */memory.limit_in_bytes) exit 0 ;; *) exit 1 ;; esac' "$src"
check "$name: working set as asked (192 MiB)" [ "$(csv_field "$tmp/pg.csv" random_read 1 total_mib)" = 192 ]
check "$name: random_read CCDF" ccdf_ok "$tmp/pg.csv" random_read
done_testing
