#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Turn lgbench CSV files into PNG figures (gnuplot):
#   DIR/throughput.csv  -> DIR/throughput.png   ops/s per row and thread count
#   DIR/paging.csv      -> DIR/paging-ccdf.png  CCDF of the paging rows, log axes
#   DIR/sweep-*.csv     -> DIR/sweep.png        ops/s per strategy and memory limit
#   DIR/uring-*.csv     -> DIR/uring.png        reads/s per strategy (original and
#                          io_uring ones): median of the repeated runs, min-max
#                          whiskers; DIR/fio.txt ("LABEL IOPS" lines) adds
#                          reference lines
#   DIR/apps.csv        -> DIR/apps.png         make bench-apps: per workload and
#                          allocator, the median wall time relative to glibc's
#                          and the median minor page faults (log)
# Usage: bench/plot.sh [DIR]   (default bench/results)
set -eu
dir=${1:-bench/results}
command -v gnuplot >/dev/null || { echo "plot.sh: gnuplot not installed (make deps)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
made=0

# table FILE MODE: "row ops@t1 ops@t2 ..." lines (rows in first-seen order, "-"
# where a row did not run) and the thread counts in $tmp/threads.
table() {
	awk -F, -v mode="$2" -v tfile="$tmp/threads" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["kind"] != "summary" || $col["mode"] != mode { next }
	{
		r = $col["row"]; t = $col["threads"]
		if (!(r in seen)) { seen[r] = 1; rows[++nr] = r }
		if (!(t in tseen)) { tseen[t] = 1; ts[++nt] = t }
		v[r, t] = $col["status"] == "ok" ? $col["ops_per_s"] : "-"
	}
	END {
		for (i = 1; i <= nt; i++) printf "%s%s", ts[i], i < nt ? " " : "\n" > tfile
		for (j = 1; j <= nr; j++) {
			printf "\"%s\"", rows[j]
			for (i = 1; i <= nt; i++) printf " %s", ((rows[j], ts[i]) in v) ? v[rows[j], ts[i]] : "-"
			printf "\n"
		}
	}' "$1"
}

# settings FILE: "kernel K, N CPUs, THP M, limit L" for the figure's subtitle.
settings() {
	awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	{ l = $col["mem_limit_bytes"]; if (l != "unlimited") l = l / 1048576 " MiB"
	  printf "Linux %s, %s CPUs, THP %s, memory limit %s, warm-up %s ms + %s ms measured",
		$col["kernel"], $col["cpus"], $col["thp"], l, $col["warmup_ms"], $col["measure_ms"]; exit }' "$1"
}

# bar_chart PNG WIDTH TITLE DATA "KEY1 KEY2..." KEYTITLE: clustered bars of
# DATA ("label v1 v2 ..." lines, "-" for none) on a log scale.
bar_chart() {
	gnuplot <<-GP
	set terminal pngcairo size $2,700 font "sans,10"
	set output "$1"
	set title "$3"
	set style data histogram
	set style histogram cluster gap 1
	set style fill solid 0.85 border -1
	set boxwidth 0.9
	set logscale y
	set format y "10^{%L}"
	set ylabel "operations per second (log)"
	set grid ytics
	set xtics rotate by -35 left nomirror noenhanced
	set bmargin 9
	set rmargin 9
	set key top right title "$6"
	set datafile missing "-"
	plot for [i=2:$(($(wc -w <<<"$5") + 1))] "$4" using i:xtic(1) title word("$5", i - 1)
	GP
}

if [ -f "$dir/throughput.csv" ]; then
	table "$dir/throughput.csv" throughput >"$tmp/tp.dat"
	threads=$(cat "$tmp/threads")
	bar_chart "$dir/throughput.png" 1400 \
		"lgbench throughput: 2 MiB allocate+free (+touch: one write per 4 KiB page)\n{/*0.8 $(settings "$dir/throughput.csv")}" \
		"$tmp/tp.dat" "$threads" "threads"
	made=$((made + 1))
fi

if [ -f "$dir/apps.csv" ]; then
	# "app v1 v2 ..." per workload, one column per allocator (first-seen
	# order): wall time / glibc's, and minor faults; "-" where none.
	awk -F, -v afile="$tmp/allocs" -v ffile="$tmp/apps-faults.dat" -v sfile="$tmp/apps.sub" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["kind"] == "run" && $col["status"] == "ok" { runs = $col["round"] > runs ? $col["round"] : runs; quick = $col["quick"] }
	$col["kind"] != "median" { next }
	{
		app = $col["app"]; a = $col["allocator"]
		if (!(app in seenapp)) { seenapp[app] = 1; apps[++napps] = app }
		if (!(a in seenalloc)) { seenalloc[a] = 1; allocs[++nallocs] = a }
		if ($col["status"] == "ok") { wall[app, a] = $col["wall_s"]; flt[app, a] = $col["minflt"] }
	}
	END {
		for (i = 1; i <= nallocs; i++) printf "%s%s", allocs[i], i < nallocs ? " " : "\n" > afile
		printf "medians of %d interleaved round(s)%s", runs, quick == 1 ? ", quick runs" : "" > sfile
		for (j = 1; j <= napps; j++) {
			app = apps[j]; base = wall[app, "glibc"]
			printf "\"%s\"", app; printf "\"%s\"", app > ffile
			for (i = 1; i <= nallocs; i++) {
				k = app SUBSEP allocs[i]
				printf " %s", ((k in wall) && base > 0 ? sprintf("%.3f", wall[k] / base) : "-")
				printf " %s", ((k in flt) && flt[k] > 0 ? flt[k] : "-") > ffile
			}
			print ""; print "" > ffile
		}
	}' "$dir/apps.csv" >"$tmp/apps-wall.dat"
	allocs=$(cat "$tmp/allocs")
	ncols=$(($(wc -w <<<"$allocs") + 1))
	gnuplot <<-GP
	set terminal pngcairo size 1300,1000 font "sans,10"
	set output "$dir/apps.png"
	set multiplot layout 2,1 title "make bench-apps: programs written by others under each allocator (LD\\\\_PRELOAD)\n{/*0.8 $(cat "$tmp/apps.sub")}"
	set style data histogram
	set style histogram cluster gap 1
	set style fill solid 0.85 border -1
	set boxwidth 0.9
	set grid ytics
	set xtics nomirror noenhanced
	set key outside right title "allocator" noenhanced
	set datafile missing "-"
	set ylabel "wall time / glibc's"
	set yrange [0:*]
	plot for [i=2:$ncols] "$tmp/apps-wall.dat" using i:xtic(1) title word("$allocs", i - 1), 1 with lines dt 2 lc rgb "black" notitle
	set logscale y
	set format y "10^{%L}"
	set yrange [*:*]
	set ylabel "minor page faults, whole process tree (log)"
	plot for [i=2:$ncols] "$tmp/apps-faults.dat" using i:xtic(1) title word("$allocs", i - 1)
	unset multiplot
	GP
	made=$((made + 1))
fi

if [ -f "$dir/paging.csv" ]; then
	awk -F, -v out="$tmp/ccdf" '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$col["kind"] == "ccdf" && $col["ccdf"] > 0 { print $col["latency_ns"], $col["ccdf"] > (out "-" $col["row"] ".dat") }' \
		"$dir/paging.csv"
	total=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next } { print $col["total_mib"]; exit }' \
		"$dir/paging.csv")
	plots=""
	for f in "$tmp"/ccdf-*.dat; do
		[ -e "$f" ] || continue
		row=${f#"$tmp"/ccdf-}
		plots="$plots${plots:+, }\"$f\" using 1:2 with steps lw 2 title \"${row%.dat}, 1 thread\" noenhanced"
	done
	if [ -n "$plots" ]; then
		gnuplot <<-GP
		set terminal pngcairo size 1000,650 font "sans,10"
		set output "$dir/paging-ccdf.png"
		set title "lgbench --paging: latency CCDF, ${total} MiB working set\n{/*0.8 $(settings "$dir/paging.csv")}"
		set logscale xy
		set xlabel "latency (ns, log)"
		set ylabel "fraction of operations slower (log)"
		set format x "10^{%L}"
		set format y "10^{%L}"
		set yrange [1e-6:1.5]
		set grid
		set key top right
		plot $plots
		GP
		made=$((made + 1))
	fi
fi

# Largest limit first: sort on the number in sweep-RAM.csv.
sweeps=$(for f in "$dir"/sweep-*.csv; do
	[ -e "$f" ] || continue
	ram=${f##*/sweep-}
	echo "${ram%.csv} $f"
done | sort -n -r | cut -d' ' -f2-)
if [ -n "$sweeps" ]; then
	# One column per memory limit (largest first); per strategy the record of
	# its first thread count.
	# shellcheck disable=SC2086
	awk -F, -v lfile="$tmp/labels" '
	FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; nf++; f = FILENAME; sub(/.*sweep-/, "", f)
		   sub(/\.csv$/, "", f); labels = labels (nf > 1 ? " " : "") f "M"; next }
	$col["kind"] != "summary" { next }
	{
		if (!($col["row"] in label)) { label[$col["row"]] = $col["row"] " (" $col["threads"] "t)"; rows[++nr] = $col["row"] }
		if (!((nf, $col["row"]) in v)) v[nf, $col["row"]] = $col["status"] == "ok" ? $col["ops_per_s"] : "-"
		total = $col["total_mib"]
	}
	END {
		print labels > lfile; print total > (lfile ".total")
		for (j = 1; j <= nr; j++) {
			printf "\"%s\"", label[rows[j]]
			for (i = 1; i <= nf; i++) printf " %s", ((i, rows[j]) in v) ? v[i, rows[j]] : "-"
			print ""
		}
	}' $sweeps >"$tmp/sweep.dat"
	labels=$(cat "$tmp/labels")
	total=$(cat "$tmp/labels.total")
	bar_chart "$dir/sweep.png" 1300 \
		"lgbench --ratio-sweep: random 4 KiB reads over ${total} MiB by strategy and memory limit" \
		"$tmp/sweep.dat" "$labels" "memory limit"
	made=$((made + 1))
fi
# Repeated ratio-sweep runs under one limit: per strategy and thread count,
# the median, lowest and highest ops/s over the files that have it.
# Files with more records first, so that the full runs set the bar order.
urings=$(for f in "$dir"/uring-*.csv; do [ -e "$f" ] && echo "$(wc -l <"$f") $f"; done | sort -rn | cut -d' ' -f2-)
if [ -n "$urings" ]; then
	# shellcheck disable=SC2086
	awk -F, -v sfile="$tmp/uring.sub" '
	FNR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; nf++; next }
	$col["kind"] != "summary" || $col["mode"] != "ratio-sweep" || $col["status"] != "ok" { next }
	$col["row"] == "realloc+touch" { next }
	{
		id = $col["row"] " (" $col["threads"] "t)"
		if (!(id in n)) ids[++nid] = id
		v[id, ++n[id]] = $col["ops_per_s"] + 0
		sub_ = sprintf("%s MiB working set, memory limit %s MiB, %s ms measured", $col["total_mib"],
			$col["mem_limit_bytes"] / 1048576, $col["measure_ms"])
	}
	END {
		for (j = 1; j <= nid; j++) if (n[ids[j]] > most) most = n[ids[j]]
		print sub_ ", up to " most " run(s) per bar" > sfile
		for (j = 1; j <= nid; j++) {
			id = ids[j]; m = n[id]
			for (a = 1; a <= m; a++) s[a] = v[id, a]
			for (a = 2; a <= m; a++) for (b = a; b > 1 && s[b - 1] > s[b]; b--) { t = s[b]; s[b] = s[b - 1]; s[b - 1] = t }
			med = m % 2 ? s[(m + 1) / 2] : (s[m / 2] + s[m / 2 + 1]) / 2
			printf "\"%s\" %.1f %.1f %.1f\n", id, med, s[1], s[m]
		}
	}' $urings >"$tmp/uring.dat"
	refs=""
	if [ -f "$dir/fio.txt" ]; then
		refs=$(awk 'NF >= 2 { y = $NF; $NF = ""; sub(/ +$/, "")
			printf ", %s with lines dt 2 lw 2 lc rgb \"#c03030\" title \"%s\"", y, $0 }' "$dir/fio.txt")
	fi
	gnuplot <<-GP
	set terminal pngcairo size 1300,700 font "sans,10"
	set output "$dir/uring.png"
	set title "lgbench --ratio-sweep: random 4 KiB reads by strategy, io\\\\_uring hints beside the originals\n{/*0.8 $(cat "$tmp/uring.sub")}"
	set style data histogram
	set style histogram errorbars gap 1 lw 1
	set style fill solid 0.85 border -1
	set boxwidth 0.9
	set logscale y
	set format y "10^{%L}"
	set ylabel "operations per second (log), median and min-max"
	set grid ytics
	set xtics rotate by -35 left nomirror noenhanced
	set bmargin 9
	set rmargin 14
	set key top left noenhanced
	plot "$tmp/uring.dat" using 2:3:4:xtic(1) lc rgb "#4070b0" title "median ops/s (min-max)"$refs
	GP
	made=$((made + 1))
fi
[ "$made" -gt 0 ] || { echo "plot.sh: no lgbench CSV files in $dir" >&2; exit 1; }
echo "plot.sh: $made figure(s) in $dir"
