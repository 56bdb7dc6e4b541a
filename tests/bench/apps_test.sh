#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The application workloads of make bench-apps (bench/apps/), quick runs:
# each under glibc and under liblgalloc_preload.so (default threshold,
# 32 MiB), the same output-sha256 both times, lgalloc serving some of the
# blocks in the preload's run (LGALLOC_STATS=1), nothing left in the work
# directory.  A missing program is a SKIP with the workload's reason (its
# exit status 77).  Then the contract itself: 77 when a program is missing,
# and the work directory removed when the run is interrupted.
. "$(dirname "$0")/../testlib.sh"
cd "$(dirname "$0")/../.." || exit 1

so=$(cd "$BUILD/lib" && pwd)/liblgalloc_preload.so
tmp=$(mktemp -d)
pgid=
cleanup() {
	[ -n "$pgid" ] && kill -KILL -- "-$pgid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
export APPS_TMPDIR=$tmp/work
mkdir "$APPS_TMPDIR"
unset LGALLOC_PRELOAD_MIN_BYTES LGALLOC_ENABLED LD_PRELOAD

# served FILE: lgalloc's allocations in every LGALLOC_STATS table of FILE.
served() {
	awk '$1 == "class_bytes" {for (i = 1; i <= NF; i++) col[$i] = i; next}
		/^liblgalloc_preload: statistics/ {next}
		col["allocations"] && $1 ~ /^[0-9]+$/ {s += $col["allocations"]} END {print s + 0}' "$1"
}
sha() { sed -n '$s/^output-sha256 \([0-9a-f]\{64\}\)$/\1/p' "$1"; }
empty_workdir() { [ -z "$(ls -A "$APPS_TMPDIR")" ]; }

# APPS_TEST_LIST: the workloads checked here (postgres.sh has its own test).
for app in ${APPS_TEST_LIST:-numpy xz zstd sort}; do
	script=bench/apps/$app.sh
	name="bench/apps/$app.sh --quick"
	timeout 300 "$script" --quick >"$tmp/plain" 2>"$tmp/plain.err"
	rc=$?
	if [ "$rc" = 77 ]; then
		skip "$name" "$(tail -1 "$tmp/plain.err")"
		continue
	fi
	if [ "$rc" != 0 ] || [ -z "$(sha "$tmp/plain")" ]; then
		fail "$name under glibc" "status $rc, stdout '$(tail -1 "$tmp/plain")', stderr: $(tail -3 "$tmp/plain.err")"
		continue
	fi
	LD_PRELOAD=$so LGALLOC_STATS=1 timeout 300 "$script" --quick >"$tmp/pre" 2>"$tmp/pre.err"
	rc=$?
	if [ "$rc" != 0 ] || [ -z "$(sha "$tmp/pre")" ]; then
		fail "$name under the preload" "status $rc, stdout '$(tail -1 "$tmp/pre")', stderr: $(grep -v '^ \|^liblgalloc_preload: statistics' "$tmp/pre.err" | tail -3)"
	elif [ "$(sha "$tmp/plain")" != "$(sha "$tmp/pre")" ]; then
		fail "$name: the same output under glibc and the preload" "$(sha "$tmp/plain") vs $(sha "$tmp/pre")"
	elif [ "$(served "$tmp/pre.err")" -lt 1 ]; then
		fail "$name: lgalloc serves blocks under the preload" "LGALLOC_STATS: $(cat "$tmp/pre.err")"
	else
		pass "$name: the same output under glibc and the preload, $(served "$tmp/pre.err") blocks from lgalloc"
	fi
	if empty_workdir; then
		pass "$name: nothing left under APPS_TMPDIR"
	else
		fail "$name: nothing left under APPS_TMPDIR" "$(ls -A "$APPS_TMPDIR")"
		rm -rf "${APPS_TMPDIR:?}"/*
	fi
done

# A missing program: status 77 and the reason, nothing left.  PATH holds
# every tool but xz.
mkdir "$tmp/bin"
for p in bash env mktemp rm dirname awk cat sha256sum cmp; do
	ln -s "$(command -v "$p")" "$tmp/bin/$p"
done
PATH=$tmp/bin bash bench/apps/xz.sh --quick >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ "$rc" = 77 ] && grep -q "xz is not installed" "$tmp/err" && empty_workdir; then
	pass "a workload whose program is missing exits 77 with the reason"
else
	fail "a workload whose program is missing exits 77 with the reason" "status $rc: $(cat "$tmp/err")"
fi

# Ctrl-C (SIGINT to the process group) during the full numpy run: the
# work directory goes.  The run gets default signal actions in a session
# of its own (a background job of a script ignores SIGINT).
if /usr/bin/python3 -c 'import numpy' 2>/dev/null; then
	setsid env --default-signal=INT,TERM bench/apps/numpy.sh >/dev/null 2>&1 &
	pid=$!
	pgid=$pid
	for _ in $(seq 100); do
		[ -n "$(ls -A "$APPS_TMPDIR")" ] && break
		sleep 0.1
	done
	sleep 0.5
	kill -INT -- "-$pgid"
	wait "$pid"
	rc=$?
	pgid=
	if [ "$rc" != 0 ] && empty_workdir; then
		pass "SIGINT during a workload: it fails (status $rc) and removes its work directory"
	else
		fail "SIGINT during a workload: it fails and removes its work directory" "status $rc, left: $(ls -A "$APPS_TMPDIR")"
	fi
else
	skip "SIGINT during a workload" "no python3 with numpy"
fi

done_testing
