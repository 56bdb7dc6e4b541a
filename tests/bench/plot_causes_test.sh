#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/plot-causes.sh on a hand-made `lgtrace --bench --json` document
# (causes_trace.json, the shape of docs/tracing.md's schema): one PNG per
# row; bad input gives a clear error and writes nothing.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/testlib.sh
name="plot-causes.sh"
for tool in gnuplot jq; do
	if ! command -v "$tool" >/dev/null; then
		skip "$name" "$tool not installed (make deps)"
		done_testing
	fi
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
plot=bench/plot-causes.sh
good=tests/bench/causes_trace.json

mkdir "$tmp/ok"
if "$plot" "$good" "$tmp/ok" >"$tmp/out" 2>"$tmp/err"; then pass "$name: runs"; else
	fail "$name: runs" "$(tr '\n' ';' <"$tmp/err")"
fi
for png in causes-row0-minor_fault-t1.png causes-row1-off_cpu-t1.png; do
	check "$name: $png is a PNG" sh -c 'head -c 8 "$0" | od -An -tx1 | tr -d " \n" | grep -qx 89504e470d0a1a0a' \
		"$tmp/ok/$png"
	check "$name: $png printed" grep -qx "$tmp/ok/$png" "$tmp/out"
done
check "$name: one PNG per row" [ "$(find "$tmp/ok" -name '*.png' | wc -l)" -eq 2 ]

# bad_input NAME FILE PATTERN: exit status 1, an error naming the problem
# (PATTERN, after "plot-causes.sh: "), and no PNG.
bad_input() {
	local d="$tmp/bad$RANDOM"
	mkdir "$d"
	if "$plot" "$2" "$d" >/dev/null 2>"$d.err"; then
		fail "$name: $1: refused" "exit status 0"
	elif ! grep -Eq "^plot-causes.sh: .*$3" "$d.err"; then
		fail "$name: $1: refused" "message: $(tr '\n' ';' <"$d.err")"
	elif [ -n "$(ls "$d")" ]; then
		fail "$name: $1: refused" "wrote $(ls "$d")"
	else
		pass "$name: $1: refused ($(head -1 "$d.err"))"
	fi
}
bad_input "missing file" "$tmp/nosuch.json" "cannot read"
echo '{"bench": {"rows": [' >"$tmp/trunc.json"
bad_input "not JSON" "$tmp/trunc.json" "not JSON"
echo '{"pools": []}' >"$tmp/nobench.json"
bad_input "no bench section" "$tmp/nobench.json" "no bench.rows array: not the output of lgtrace --bench --json"
echo '{"bench": {"rows": []}}' >"$tmp/empty.json"
bad_input "no rows" "$tmp/empty.json" "bench.rows is empty"
jq 'del(.bench.rows[1].ccdf[2].by_cause.off_cpu)' "$good" >"$tmp/nocause.json"
bad_input "a band without a cause" "$tmp/nocause.json" "rows\[1\]\.ccdf\[2\]: by_cause lacks one of"
jq '.bench.rows[0].ccdf[1].upper_ns = 1' "$good" >"$tmp/order.json"
bad_input "a band out of order" "$tmp/order.json" "rows\[0\]\.ccdf\[1\]: lower_ns, upper_ns or ops missing or out of order"
jq 'del(.bench.rows[0].ccdf)' "$good" >"$tmp/noccdf.json"
bad_input "a row without ccdf" "$tmp/noccdf.json" "rows\[0\] \(minor_fault\): no ccdf array"
if "$plot" >/dev/null 2>"$tmp/usage"; then fail "$name: no argument: usage" "exit status 0"; else
	check "$name: no argument: usage" grep -q "^plot-causes.sh: usage:" "$tmp/usage"
fi
done_testing
