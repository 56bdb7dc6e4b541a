#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Per lgbench row traced by `lgtrace --bench --json`, one PNG (gnuplot): the
# latency CCDF of the row's sampled operations (top) and, per log2 latency
# band, the share of each kernel cause among the band's operations, stacked
# (bottom: swap-in, major fault, mmap_lock wait, off-CPU, only minor
# faults, none), with the row's p99 marked.  The figures are the JSON's
# bench.rows[].ccdf bands (docs/tracing.md); jq extracts them.
# Usage: bench/plot-causes.sh TRACE.json [OUTDIR]   (default: TRACE.json's directory)
# Writes OUTDIR/causes-row<INDEX>-<NAME>-t<THREADS>.png, NAME with characters
# other than letters, digits and "+._-" made "_", and prints each path.
set -eu
me=plot-causes.sh
die() {
	echo "$me: $*" >&2
	exit 1
}
if [ $# -lt 1 ] || [ $# -gt 2 ]; then die "usage: bench/plot-causes.sh TRACE.json [OUTDIR]"; fi
json=$1
out=${2:-$(dirname -- "$json")}
command -v gnuplot >/dev/null || die "gnuplot not installed (make deps)"
command -v jq >/dev/null || die "jq not installed (make deps)"
[ -r "$json" ] || die "$json: cannot read"
if [ ! -d "$out" ] || [ ! -w "$out" ]; then die "$out: not a writable directory"; fi
jq -e . "$json" >/dev/null 2>&1 || die "$json: not JSON"
jq -e '.bench.rows | type == "array"' "$json" >/dev/null 2>&1 ||
	die "$json: no bench.rows array: not the output of lgtrace --bench --json"

causes="swapin major_fault mmap_lock off_cpu minor_fault none"
# Every row must carry what is drawn; say which row and field does not.
bad=$(jq -r --arg causes "$causes" '
	($causes | split(" ")) as $cs
	| .bench.rows | to_entries[] | .key as $k | .value
	| if (.index | type) != "number" or (.name | type) != "string" or (.threads | type) != "number"
	  then "rows[\($k)]: index, name or threads missing"
	  elif (.ccdf | type) != "array" then "rows[\($k)] (\(.name)): no ccdf array"
	  else .ccdf | to_entries[] | .key as $b | .value
	       | if (.lower_ns | type) != "number" or (.upper_ns | type) != "number" or (.ops | type) != "number"
	              or .lower_ns <= 0 or .upper_ns <= .lower_ns or .ops < 0
	         then "rows[\($k)].ccdf[\($b)]: lower_ns, upper_ns or ops missing or out of order"
	         elif ([$cs[] as $c | .by_cause[$c] | type == "number"] | all) | not
	         then "rows[\($k)].ccdf[\($b)]: by_cause lacks one of \($causes)"
	         else empty end
	  end' "$json" 2>&1 | head -3) || true
[ -z "$bad" ] || die "$json: $bad"
nrows=$(jq '.bench.rows | length' "$json")
[ "$nrows" -gt 0 ] || die "$json: bench.rows is empty: no lgbench row was traced"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
how=$(jq -r '.bench.sampling.how // ""' "$json" | tr -d "\"\\\\")

for ((r = 0; r < nrows; r++)); do
	# "lower upper ccdf cum0 cum1 ... cum6" per band with operations: the
	# CCDF at lower_ns (share of sampled operations at least that slow) and
	# the cumulated shares of the causes in the band.
	jq -r --argjson r "$r" --arg causes "$causes" '
		($causes | split(" ")) as $cs
		| .bench.rows[$r].ccdf | sort_by(.lower_ns) as $bands
		| ([$bands[].ops] | add // 0) as $total
		| range(0; $bands | length) as $i | $bands[$i]
		| select(.ops > 0)
		| ([$bands[$i:][].ops] | add) as $above
		| . as $b
		| [foreach $cs[] as $c (0; . + ($b.by_cause[$c] / $b.ops); .)] as $cum
		| "\(.lower_ns) \(.upper_ns) \($above / $total) 0 \($cum | map(tostring) | join(" "))"' \
		"$json" >"$tmp/bands.dat"
	meta=$(jq -r --argjson r "$r" '.bench.rows[$r]
		| "\(.index)\t\(.name)\t\(.threads)\t\(.mode // "")\t\(.p99_ns // .tail.threshold_ns // 0)\t\(.sampled_ops // "?")\t\(.ops // "?")"' "$json")
	IFS=$'\t' read -r index name threads mode p99 sampled ops <<<"$meta"
	safe=$(printf '%s' "$name" | tr -c 'A-Za-z0-9+._-' _)
	png="$out/causes-row$index-$safe-t$threads.png"
	title=$(printf '%s' "$mode ${mode:+/ }$name, $threads thread(s): $sampled of $ops operations sampled" | tr -d "\"\\\\")
	if [ ! -s "$tmp/bands.dat" ]; then
		echo "$me: row $index ($name): no sampled operation, no figure" >&2
		continue
	fi
	read -r xmin xmax < <(awk 'NR == 1 { lo = $1 } { hi = $2 } END { print lo * 1e-9, hi * 1e-9 }' "$tmp/bands.dat")
	p99s=$(awk -v n="$p99" 'BEGIN { print n * 1e-9 }')
	gnuplot <<-GP
	set terminal pngcairo size 1000,800 font "sans,10"
	set output "$png"
	set multiplot layout 2,1 title "$title\n$how" noenhanced
	set lmargin 12
	set rmargin 18
	set logscale x 2
	set xrange [$xmin:$xmax]
	set format x "%.0s%cs"
	set xtics 4 nomirror
	set grid xtics ytics
	set xlabel "operation latency (lgbench's clock pair; log2 bands)"
	set arrow 1 from $p99s, graph 0 to $p99s, graph 1 nohead dt 2 lc rgb "black"
	set label 1 "p99" at $p99s, graph 0.95 offset 0.5,0
	set logscale y
	set format y "10^{%L}"
	set ylabel "share of operations at least this slow"
	set key off
	plot "$tmp/bands.dat" using (\$1*1e-9):3 with steps lw 2 lc rgb "#222222" notitle, \
	     "" using (\$1*1e-9):3 with points pt 7 ps 0.6 lc rgb "#222222" notitle
	unset logscale y
	unset label 1
	set format y "%.0f%%"
	set yrange [0:100]
	set ylabel "causes in the band"
	set key outside right top vertical noenhanced
	set style fill solid 0.85 border rgb "#555555"
	colors = "#d62728 #8c1c13 #ff7f0e #1f77b4 #2ca02c #bbbbbb"
	names = "$causes"
	plot for [i=1:6] "$tmp/bands.dat" using (sqrt(\$1*\$2)*1e-9):(50):(\$1*1e-9):(\$2*1e-9):(column(3+i)*100):(column(4+i)*100) \
	     with boxxyerror lc rgb word(colors, i) title word(names, i)
	unset multiplot
	GP
	echo "$png"
done
