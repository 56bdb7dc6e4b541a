#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# shellcheck disable=SC2317,SC2046,SC2016 # (cleanup runs from a trap; --quick or nothing; sh -c's own $1)
# make bench-apps: every workload of bench/apps/ under every allocator,
# repeated in interleaved rounds, then once more under lgtrace; writes
# $BENCH_RESULTS/apps.csv (bench/README.md, "Application benchmarks").
#
#   BUILD              the build with the preload library and lgtrace (build)
#   BENCH_RESULTS      where apps.csv goes (bench/results)
#   APPS               the workloads (default: every bench/apps/*.sh but lib.sh and run.sh)
#   APPS_ALLOCATORS    glibc jemalloc mimalloc tcmalloc lgalloc (the default)
#   APPS_REPEAT        timed runs of each workload per allocator (3)
#   APPS_QUICK         1: the workloads' --quick runs (0)
#   APPS_TRACE         0: no lgtrace runs (1; they need root and BTF)
#
# Timing: GNU time (the package "time") around each run reports the wait4()
# rusage of the whole tree it waited for: wall seconds, the largest
# process's maximum RSS (ru_maxrss, KiB), minor and major faults (summed).
# A round runs every workload under every allocator once, the allocators
# rotated by one each round, so a slow spell of the shared machine falls on
# all of them; the summary rows are the medians.  The lgtrace run (--json,
# the whole process tree) is separate: tracing slows the faults down, so
# its wall time is kept apart (trace_wall_s) and never mixed into the
# medians.  Every run's output-sha256 must be the same for a workload
# under every allocator, else the runner fails.
#
# Ctrl-C or SIGTERM: the running workload's process group is sent SIGTERM
# (a workload removes its work directory), the runner's temporary
# directory is removed, and no CSV is written.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
results=${BENCH_RESULTS:-bench/results}
repeat=${APPS_REPEAT:-3}
quick=${APPS_QUICK:-0}
trace=${APPS_TRACE:-1}
allocators=${APPS_ALLOCATORS:-glibc jemalloc mimalloc tcmalloc lgalloc}
unset LD_PRELOAD

die() {
	echo "bench-apps: $*" >&2
	exit 1
}
case "$repeat" in '' | *[!0-9]* | 0) die "APPS_REPEAT=$repeat: expected a whole number of at least 1" ;; esac
[ -x /usr/bin/time ] || die "/usr/bin/time (GNU time) is not installed (make deps)"
if [ -z "${APPS:-}" ]; then
	APPS=$(for f in bench/apps/*.sh; do
		b=${f##*/}
		b=${b%.sh}
		[ "$b" = lib ] || [ "$b" = run ] || echo "$b"
	done)
fi

tmp=$(mktemp -d) || die "mktemp -d failed"
child=
cleanup() {
	if [ -n "$child" ]; then
		kill -TERM -- "-$child" 2>/dev/null
		wait "$child" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "bench-apps: interrupted, nothing written" >&2; exit 130' INT
trap 'echo "bench-apps: terminated, nothing written" >&2; exit 143' TERM
trap 'exit 129' HUP
export APPS_TMPDIR=$tmp/work
mkdir "$APPS_TMPDIR"

# The allocator's library for LD_PRELOAD ("" for glibc), or a reason on
# stderr and status 1.  The peers are Debian's packages, found with dpkg -L.
preload_of() {
	local pkg pat f
	case "$1" in
	glibc) return 0 ;;
	lgalloc)
		f=$BUILD/lib/liblgalloc_preload.so
		[ -e "$f" ] || { echo "$f not built (make)" >&2; return 1; }
		echo "$(cd "${f%/*}" && pwd)/${f##*/}"
		return 0
		;;
	jemalloc) pkg=libjemalloc2 pat='/libjemalloc\.so\.2$' ;;
	mimalloc) pkg=libmimalloc2.0 pat='/libmimalloc\.so\.2$' ;;
	tcmalloc) pkg=libgoogle-perftools4 pat='/libtcmalloc\.so\.4$' ;;
	*) echo "unknown allocator '$1' (glibc jemalloc mimalloc tcmalloc lgalloc)" >&2; return 1 ;;
	esac
	f=$(dpkg -L "$pkg" 2>/dev/null | grep -m1 "$pat")
	if [ -z "$f" ] || [ ! -e "$f" ]; then
		echo "$pkg is not installed (make deps)" >&2
		return 1
	fi
	echo "$f"
}
declare -A so
usable=""
for a in $allocators; do
	if s=$(preload_of "$a" 2>"$tmp/why"); then
		so[$a]=$s
		usable="$usable $a"
	else
		echo "bench-apps: $a left out: $(cat "$tmp/why")" >&2
	fi
done
[ -n "$usable" ] || die "no allocator to run"
read -ra alloc_list <<<"$usable"

if [ "$trace" = 1 ]; then
	lgtrace=$BUILD/tools/lgtrace
	if [ "$(id -u)" -ne 0 ]; then
		echo "bench-apps: not root: no lgtrace runs, the trace columns stay empty (sudo make bench-apps)" >&2
		trace=0
	elif [ ! -x "$lgtrace" ]; then
		echo "bench-apps: $lgtrace not built: no lgtrace runs" >&2
		trace=0
	elif ! "$lgtrace" --features >"$tmp/features" 2>&1; then
		echo "bench-apps: lgtrace cannot trace here, no lgtrace runs: $(tail -1 "$tmp/features")" >&2
		trace=0
	fi
fi

# app_command APP ALLOC: app_cmd=(APP's script under allocator ALLOC).
app_command() {
	app_cmd=(env -u LD_PRELOAD)
	[ -n "${so[$2]}" ] && app_cmd=(env LD_PRELOAD="${so[$2]}")
	app_cmd+=("bench/apps/$1.sh")
	[ "$quick" = 1 ] && app_cmd+=(--quick)
	return 0
}

# in_session CMD...: CMD in a session of its own (the INT/TERM trap kills
# its whole group), waited for; its status.
in_session() {
	local rc
	setsid "$@" &
	child=$!
	wait "$child"
	rc=$?
	child=
	return $rc
}

# run_one APP ALLOC ROUND: one timed run, one CSV line on runs.csv.
# Columns: app,allocator,round,status,wall_s,max_rss_kib,minflt,majflt,output_sha256,note
runs=$tmp/runs.csv
run_one() {
	local app=$1 alloc=$2 round=$3 rc status note="" sha t
	app_command "$app" "$alloc"
	in_session /usr/bin/time -f '%e %M %R %F' -o "$tmp/time" "${app_cmd[@]}" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	sha=$(sed -n '$s/^output-sha256 \([0-9a-f]\{64\}\)$/\1/p' "$tmp/out")
	if [ "$rc" = 77 ]; then
		status=skipped note=$(grep -v '^Command exited' "$tmp/err" | tail -1)
	elif [ "$rc" != 0 ] || [ -z "$sha" ]; then
		status=failed note="status $rc: $(grep -v '^Command exited' "$tmp/err" | tail -1)"
	else
		status=ok
	fi
	t=$(tail -1 "$tmp/time")
	[ "$status" = ok ] || t="   "
	# shellcheck disable=SC2086
	set -- $t
	note=${note//,/;}
	echo "$app,$alloc,$round,$status,${1:-},${2:-},${3:-},${4:-},$sha,\"${note//\"/\'}\"" >>"$runs"
	printf 'bench-apps: round %s %-6s %-9s %s %s s, max RSS %s KiB, %s minor faults\n' \
		"$round" "$app" "$alloc" "$status" "${1:--}" "${2:--}" "${3:--}" >&2
	[ "$status" = failed ] && echo "bench-apps: $app under $alloc: $note" >&2
	return 0
}

# trace_one APP ALLOC: one run under lgtrace --json; one CSV line on traces.csv.
# Columns: app,allocator,trace_wall_s,lg_faults,other_faults,total_faults,
# lock_acquisitions,lock_contended,lock_wait_ns,map_calls,lg_fault_ms,
# other_fault_ms.  Every fault is timed (--latency-sample 1), so the fault
# times are sums over all faults, entry to completion.
traces=$tmp/traces.csv
trace_one() {
	local app=$1 alloc=$2 rc line
	app_command "$app" "$alloc"
	# The workload's stdout goes to a file: lgtrace's own is the JSON.
	in_session "$lgtrace" --json --as-root --latency-sample 1 -- sh -c 'out=$1; shift; exec "$@" >"$out"' sh \
		"$tmp/tout" "${app_cmd[@]}" >"$tmp/trace.json" 2>"$tmp/trace.err"
	rc=$?
	if [ "$rc" != 0 ] || ! line=$(jq -r '[.seconds,
		([.pools[] | select(.class_log2 != null) | .faults] | add // 0),
		([.pools[] | select(.pool == "other") | .faults] | add // 0),
		.total.faults,
		([.pools[] | .mmap_lock.read.acquisitions + .mmap_lock.write.acquisitions] | add // 0),
		([.pools[] | .mmap_lock.read.contended + .mmap_lock.write.contended] | add // 0),
		([.pools[] | .mmap_lock.read.wait_ns + .mmap_lock.write.wait_ns] | add // 0),
		([.pools[] | select(.pool == "mmap/munmap") | .mmap_lock.write.acquisitions] | add // 0),
		([.pools[] | select(.class_log2 != null) | .fault_ns.minor + .fault_ns.major] | add // 0 | . / 1e6),
		([.pools[] | select(.pool == "other") | .fault_ns.minor + .fault_ns.major] | add // 0 | . / 1e6)]
		| map(tostring) | join(",")' "$tmp/trace.json" 2>/dev/null); then
		echo "bench-apps: lgtrace run of $app under $alloc failed (status $rc): $(tail -2 "$tmp/trace.err")" >&2
		return 0
	fi
	echo "$app,$alloc,$line" >>"$traces"
	echo "bench-apps: traced $app under $alloc: $line" >&2
}

: >"$runs"
: >"$traces"
n=${#alloc_list[@]}
for round in $(seq "$repeat"); do
	for app in $APPS; do
		for i in $(seq 0 $((n - 1))); do
			run_one "$app" "${alloc_list[$(((i + round - 1) % n))]}" "$round"
		done
	done
done
if [ "$trace" = 1 ]; then
	command -v jq >/dev/null || die "jq is not installed (make deps)"
	for app in $APPS; do
		# A workload that was skipped is not traced.
		grep -q "^$app,[^,]*,[^,]*,ok," "$runs" || continue
		for a in "${alloc_list[@]}"; do trace_one "$app" "$a"; done
	done
fi

# The CSV: the runs, then one summary row per workload and allocator
# (medians of the ok runs, the lgtrace figures, same_output: whether its
# output-sha256 equals that of every other allocator's runs).
mkdir -p "$results" || die "cannot make $results"
out=$results/apps.csv
awk -F, -v OFS=, -v quick="$quick" -v tracefile="$traces" '
function median(list,   n, a, i, j, t) {
	n = split(list, a, " ")
	if (n == 0) return ""
	for (i = 2; i <= n; i++) { t = a[i]; for (j = i - 1; j > 0 && a[j] + 0 > t + 0; j--) a[j + 1] = a[j]; a[j + 1] = t }
	return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
}
BEGIN {
	while ((getline line < tracefile) > 0) {
		split(line, f, ",")
		k = f[1] SUBSEP f[2]
		tr[k] = f[3] "," f[4] "," f[5] "," f[6] "," f[7] "," f[8] "," f[9] "," f[10] "," f[11] "," f[12]
	}
	print "kind,app,allocator,round,status,runs,wall_s,max_rss_kib,minflt,majflt,output_sha256,same_output,quick," \
		"trace_wall_s,lgalloc_pool_faults,other_faults,traced_faults,mmap_lock_acquisitions,mmap_lock_contended," \
		"mmap_lock_wait_ns,map_unmap_calls,lgalloc_pool_fault_ms,other_fault_ms,note"
}
{
	app = $1; a = $2; k = app SUBSEP a
	if (!(app in seenapp)) { seenapp[app] = 1; apps[++napps] = app }
	if (!(k in seen)) { seen[k] = 1; allocs[app, ++nallocs[app]] = a }
	print "run", app, a, $3, $4, 1, $5, $6, $7, $8, $9, "", quick, ",,,,,,,,,", $10
	if ($4 == "ok") {
		ok[k]++; wall[k] = wall[k] " " $5; rss[k] = rss[k] " " $6; minf[k] = minf[k] " " $7; majf[k] = majf[k] " " $8
		if (!(app in refsha)) refsha[app] = $9
		if ($9 != refsha[app]) differs[app] = 1
		sha[k] = $9
	} else if (!(k in why)) { why[k] = $10; st[k] = $4 }
}
END {
	for (i = 1; i <= napps; i++) {
		app = apps[i]
		for (j = 1; j <= nallocs[app]; j++) {
			a = allocs[app, j]; k = app SUBSEP a
			status = ok[k] ? "ok" : st[k]
			same = ok[k] ? ((app in differs) ? "no" : "yes") : ""
			t = (k in tr) ? tr[k] : ",,,,,,,,,"
			print "median", app, a, "", status, ok[k] + 0, median(wall[k]), median(rss[k]), median(minf[k]),
				median(majf[k]), sha[k], same, quick, t, ok[k] ? "\"\"" : why[k]
		}
	}
}' "$runs" >"$tmp/apps.csv" || die "writing the CSV failed"
mv "$tmp/apps.csv" "$out" || die "cannot write $out"
echo "bench-apps: wrote $out" >&2

# The table on stdout, and the verdict.
awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) c[$i] = i; next }
$1 == "median" {
	if (!h++) printf "%-8s %-9s %8s %10s %10s %7s %10s %10s %8s %s\n", "app", "allocator", "wall_s", "maxrss_MiB",
		"minflt", "majflt", "lg_faults", "mmap_lock", "map_calls", "same_output"
	printf "%-8s %-9s %8s %10s %10s %7s %10s %10s %8s %s\n", $c["app"], $c["allocator"],
		$c["status"] == "ok" ? $c["wall_s"] : $c["status"], $c["max_rss_kib"] == "" ? "-" : sprintf("%.0f", $c["max_rss_kib"] / 1024),
		$c["minflt"] == "" ? "-" : $c["minflt"], $c["majflt"] == "" ? "-" : $c["majflt"],
		$c["lgalloc_pool_faults"] == "" ? "-" : $c["lgalloc_pool_faults"],
		$c["mmap_lock_acquisitions"] == "" ? "-" : $c["mmap_lock_acquisitions"],
		$c["map_unmap_calls"] == "" ? "-" : $c["map_unmap_calls"], $c["same_output"]
}' "$out"
rc=0
if grep -q '^median,[^,]*,[^,]*,,ok,.*,no,' "$out"; then
	echo "bench-apps: FAILED: a workload's output differs between allocators (same_output = no)" >&2
	rc=1
fi
if grep -q '^run,[^,]*,[^,]*,[^,]*,failed,' "$out"; then
	echo "bench-apps: FAILED: some runs failed (status failed in $out)" >&2
	rc=1
fi
exit $rc
