#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/apps/postgres.sh --quick (PostgreSQL 15: sorts, hash joins, a hash
# aggregate, COPY of large data) under glibc and under the preload: the
# query results must be identical byte for byte and equal the known
# answer, every backend must have the preload mapped, lgalloc must have
# served allocations (LGALLOC_STATS=1, LGALLOC_PRELOAD_MIN_BYTES=2M so that
# the sorts' arrays and the hash tables come from lgalloc too), and nothing
# may be left behind, also after a Ctrl-C.  SKIP without PostgreSQL 15.
# Root is not needed (as root the server runs as the postgres user).
. "$(dirname "$0")/../testlib.sh"
cd "$(dirname "$0")/../.." || exit 1

so=$(cd "$BUILD/lib" && pwd)/liblgalloc_preload.so
script=bench/apps/postgres.sh
# The quick run's results (bench/apps/postgres/*.sql, the COPY files'
# sha256): the same under every allocator and every PostgreSQL 15.
want_sha=2d53f0e4228be46e579241684f5a782f17ae0473106de3bc6964bddc0a4e53c3
tmp=$(mktemp -d) # 0700: as root, the script lends the server's user search permission
trap 'rm -rf "$tmp"' EXIT

run() { # NAME ENV...: the quick run; NAME.out, NAME.err, NAME.res in $tmp
	local name=$1
	shift
	timeout 300 env "$@" APPS_TMPDIR="$tmp" POSTGRES_RESULTS="$tmp/$name.res" \
		"$script" --quick >"$tmp/$name.out" 2>"$tmp/$name.err"
}
leftovers() { # nothing of a run may remain: no directory, no process, $tmp's mode
	local left
	left=$(find "$tmp" -mindepth 1 -maxdepth 1 -type d)
	[ -z "$left" ] && ! pgrep -f "$tmp/postgres" >/dev/null && [ "$(stat -c %a "$tmp")" = 700 ]
}

run glibc
rc=$?
if [ $rc -eq 77 ]; then
	skip "postgres workload" "$(cat "$tmp/glibc.err")"
	done_testing
fi
if [ $rc -eq 0 ] && [ ! -s "$tmp/glibc.err" ]; then
	pass "glibc: the quick run exits 0, nothing on stderr"
else
	fail "glibc: the quick run exits 0, nothing on stderr" "status $rc: $(cat "$tmp/glibc.err")"
fi
check "glibc: no preload in the backends" grep -q 'preloaded in a backend: none$' "$tmp/glibc.out"
sha_glibc=$(tail -1 "$tmp/glibc.out")
check "glibc: output-sha256 is the known answer ($want_sha)" test "$sha_glibc" = "output-sha256 $want_sha"
check "glibc: COPY out and back in lost no row" grep -q '^copy-t 400000 858998074166945 0$' "$tmp/glibc.res"
check "glibc: nothing left behind" leftovers

run preload LD_PRELOAD="$so" LGALLOC_STATS=1 LGALLOC_PRELOAD_MIN_BYTES=2M
rc=$?
check "preload: the quick run exits 0" test $rc -eq 0
check "preload: a backend has liblgalloc_preload.so mapped" \
	grep -q 'preloaded in a backend: liblgalloc_preload.so$' "$tmp/preload.out"
if [ "$(tail -1 "$tmp/preload.out")" = "$sha_glibc" ] && cmp -s "$tmp/glibc.res" "$tmp/preload.res"; then
	pass "preload: query results identical to glibc's, byte for byte"
else
	fail "preload: query results identical to glibc's, byte for byte" \
		"$(tail -1 "$tmp/preload.out"); diff: $(diff "$tmp/glibc.res" "$tmp/preload.res" | head -20)"
fi
# The server processes' statistics: a row per class, allocations in column 4.
allocs=$(awk '/^ +[0-9]+( +[0-9]+)+$/ && NF == 14 {n += $4} END {print n + 0}' "$tmp/preload.err")
big=$(awk '/^ +[0-9]+( +[0-9]+)+$/ && NF == 14 && $1 >= 67108864 {n += $4} END {print n + 0}' "$tmp/preload.err")
backends=$(grep -c '^liblgalloc_preload: statistics at exit' "$tmp/preload.err")
if [ "$allocs" -ge 50 ] && [ "$big" -ge 4 ] && [ "$backends" -ge 4 ]; then
	pass "preload: lgalloc served the backends' large allocations ($allocs in $backends processes, $big of 64 MiB classes and more)"
else
	fail "preload: lgalloc served the backends' large allocations" \
		"$allocs allocations in $backends processes, $big of 64 MiB and more: $(cat "$tmp/preload.err")"
fi
check "preload: nothing left behind" leftovers

# Ctrl-C once the server is up: the server stopped, the directory removed.
setsid env APPS_TMPDIR="$tmp" "$script" --quick >"$tmp/int.out" 2>"$tmp/int.err" &
pid=$!
for _ in $(seq 300); do
	grep -q '^postgres: server as' "$tmp/int.out" && break
	sleep 0.1
done
sleep 0.5
up=$(pgrep -f "$tmp/postgres" | wc -l)
kill -INT -- -"$pid"
wait "$pid"
rc=$?
if [ "$up" -gt 0 ] && [ $rc -ne 0 ] && leftovers; then
	pass "Ctrl-C: exits non-zero ($rc), server stopped, directory removed"
else
	fail "Ctrl-C: exits non-zero ($rc), server stopped, directory removed" \
		"$up server processes seen; left: $(ls -A "$tmp") $(pgrep -af "$tmp/postgres")"
fi

rc=0
PGBIN=/nonexistent "$script" --quick >/dev/null 2>"$tmp/none.err" || rc=$?
check "without PostgreSQL 15: exit 77 and the reason" \
	grep -q '^postgres.sh: cannot run: /nonexistent/initdb not found' "$tmp/none.err"
check "without PostgreSQL 15: status 77" test $rc -eq 77
done_testing
