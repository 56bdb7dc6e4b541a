# SPDX-License-Identifier: MIT
# shellcheck shell=bash
# Helpers for lgbench's shell tests; source after tests/testlib.sh.
LGBENCH=${LGBENCH:-$BUILD/bench/lgbench}
LGRUN=${LGRUN:-$BUILD/tools/lgrun}

# csv_problems FILE [MODE]: print one line per summary record of lgbench CSV
# output that is not a success with positive ops/s and ordered figures
# (min <= p50 <= p90 <= p99 <= p99.9 <= max); rows "not installed" or
# "skipped" pass.
csv_problems() {
	awk -F, -v mode="${2:-}" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["kind"] != "summary" || (mode != "" && $col["mode"] != mode) { next }
	{
		id = $col["row"] "@" $col["threads"]
		if ($col["status"] == "not installed" || $col["status"] == "skipped") next
		if ($col["status"] != "ok") { print id ": status " $col["status"] " " $NF; next }
		if ($col["ops_per_s"] + 0 <= 0) print id ": ops/s " $col["ops_per_s"]
		split("min_ns p50_ns p90_ns p99_ns p999_ns max_ns", k, " ")
		for (i = 2; i <= 6; i++)
			if ($col[k[i - 1]] + 0 > $col[k[i]] + 0)
				print id ": " k[i - 1] " " $col[k[i - 1]] " > " k[i] " " $col[k[i]]
	}' "$1"
}

# csv_field FILE ROW THREADS FIELD: FIELD of the summary record of ROW at THREADS.
csv_field() {
	awk -F, -v row="$2" -v thr="$3" -v f="$4" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["kind"] == "summary" && $col["row"] == row && $col["threads"] == thr { print $col[f]; exit }' "$1"
}

# csv_count FILE KIND [ROW]: how many records of KIND (for ROW).
csv_count() {
	awk -F, -v kind="$2" -v row="${3:-}" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["kind"] == kind && (row == "" || $col["row"] == row) { n++ }
	END { print n + 0 }' "$1"
}

# ccdf_ok FILE ROW: the CCDF of ROW falls from at most 1 to 0 and never rises.
ccdf_ok() {
	awk -F, -v row="$2" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["kind"] == "ccdf" && $col["row"] == row && $col["threads"] == 1 {
		n++; f = $col["ccdf"] + 0
		if (f > 1 || (n > 1 && f > last) || $col["latency_ns"] + 0 <= lat) bad = 1
		last = f; lat = $col["latency_ns"] + 0
	}
	END { exit !(n > 1 && !bad && last == 0) }' "$1"
}

# expect_no_problems NAME FILE [MODE]: one test: csv_problems finds nothing.
expect_no_problems() {
	local out
	out=$(csv_problems "$2" "${3:-}")
	if [ -z "$out" ]; then pass "$1"; else fail "$1" "$(echo "$out" | head -5 | tr '\n' ';')"; fi
}
