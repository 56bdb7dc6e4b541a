#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# liblgalloc_preload.so under LD_PRELOAD: the C semantics (semantics.c),
# the dlsym bootstrap (shim_dlsym.c), the environment's settings, the
# statistics at exit, page faults against glibc's, and real programs whose
# output must equal their output without the preload.
#
# Only here, in the normal build: ASan and TSan interpose malloc themselves
# and must be the first object loaded, so a malloc preload cannot run under
# them (tests/preload/tests.mk).
. "$(dirname "$0")/../testlib.sh"
cd "$(dirname "$0")/../.." || exit 1

so=$(cd "$BUILD/lib" && pwd)/liblgalloc_preload.so
bin=$BUILD/tests/preload
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# The semantics checks use 5-33 MiB blocks: lgalloc's from 4 MiB on.
export LGALLOC_PRELOAD_MIN_BYTES=4M

# Exactly what the preload exports: the malloc family, no lgalloc_*.
exports=$(nm -D --defined-only "$so" | awk '$2 == "T" || $2 == "D" || $2 == "B" {print $3}' | sort | tr '\n' ' ')
want="aligned_alloc calloc free malloc malloc_usable_size memalign posix_memalign pvalloc realloc reallocarray valloc "
if [ "$exports" = "$want" ]; then
	pass "the preload exports the malloc family and nothing else"
else
	fail "the preload exports the malloc family and nothing else" "exports: $exports"
fi

# make install puts it beside liblgalloc (DESTDIR staging).
if make -s install-preload PREFIX=/usr DESTDIR="$tmp/stage" >"$tmp/log" 2>&1 &&
	[ -x "$tmp/stage/usr/lib/liblgalloc_preload.so" ]; then
	pass "make install-preload: DESTDIR/PREFIX/lib/liblgalloc_preload.so"
else
	fail "make install-preload: DESTDIR/PREFIX/lib/liblgalloc_preload.so" "$(cat "$tmp/log")"
fi
if make -s uninstall-preload PREFIX=/usr DESTDIR="$tmp/stage" >"$tmp/log" 2>&1 &&
	[ ! -e "$tmp/stage/usr/lib/liblgalloc_preload.so" ]; then
	pass "make uninstall-preload removes it"
else
	fail "make uninstall-preload removes it" "$(cat "$tmp/log")"
fi

# The semantics program prints its own ok/not ok lines.
LD_PRELOAD=$so timeout 300 "$bin/semantics" all 2>"$tmp/err"
rc=$?
[ "$rc" -eq 0 ] || fail "semantics exits 0" "status $rc: $(cat "$tmp/err")"
[ -s "$tmp/err" ] && fail "semantics writes nothing on stderr" "$(cat "$tmp/err")"

LD_PRELOAD="$bin/shim_dlsym.so $so" timeout 60 "$bin/semantics" bootstrap
rc=$?
[ "$rc" -eq 0 ] || fail "bootstrap exits 0" "status $rc"

LD_PRELOAD="$bin/shim_mmap.so $so" timeout 60 "$bin/semantics" forkheld
rc=$?
[ "$rc" -eq 0 ] || fail "forkheld exits 0" "status $rc"

# Settings: the threshold moves a 40 MiB request between the allocators.
owner() { LD_PRELOAD=$so "$bin/semantics" owned "$1" 2>"$tmp/err"; }
check "LGALLOC_PRELOAD_MIN_BYTES=4M: 5 MiB from lgalloc" test "$(owner 5)" = lgalloc
check "LGALLOC_PRELOAD_MIN_BYTES=4M: 3 MiB from the next allocator" test "$(owner 3)" = next
check "default threshold (32 MiB): 40 MiB from lgalloc" \
	test "$(env -u LGALLOC_PRELOAD_MIN_BYTES LD_PRELOAD="$so" "$bin/semantics" owned 40)" = lgalloc
check "default threshold (32 MiB): 20 MiB from the next allocator" \
	test "$(env -u LGALLOC_PRELOAD_MIN_BYTES LD_PRELOAD="$so" "$bin/semantics" owned 20)" = next
check "LGALLOC_ENABLED=0: 40 MiB from the next allocator" \
	test "$(LGALLOC_ENABLED=0 LD_PRELOAD="$so" "$bin/semantics" owned 40)" = next

# An invalid value: one message naming it, the value ignored, the rest
# applied.  The program also forks and runs threads: still one message.
bad_env() { # NAME VALUE
	local out
	out=$(env "$1=$2" LD_PRELOAD="$so" "$bin/semantics" owned 5 2>"$tmp/err")
	if [ "$out" = lgalloc ] && [ "$(grep -c . "$tmp/err")" = 1 ] &&
		grep -q "^liblgalloc_preload: $1=$2 ignored: " "$tmp/err"; then
		pass "$1=$2: reported once, ignored"
	else
		fail "$1=$2: reported once, ignored" "output '$out', stderr: $(cat "$tmp/err")"
	fi
}
bad_env LGALLOC_EAGER_RETURN yes
bad_env LGALLOC_BACKGROUND_INTERVAL_MS 10s
bad_env LGALLOC_BACKGROUND_INTERVAL_MS 999999999999
bad_env LGALLOC_LOCAL_BUFFER_BYTES 1.5G
bad_env LGALLOC_PREFETCH_MODE fast
bad_env LGALLOC_PREFETCH_RING_DEPTH 0
bad_env LGALLOC_GROWTH_DAMPENER -1
# The threshold itself: an invalid one leaves the default (32 MiB), so
# 5 MiB goes to the next allocator.
out=$(LGALLOC_PRELOAD_MIN_BYTES=lots LD_PRELOAD=$so "$bin/semantics" owned 5 2>"$tmp/err")
if [ "$out" = next ] && [ "$(grep -c . "$tmp/err")" = 1 ] &&
	grep -q "^liblgalloc_preload: LGALLOC_PRELOAD_MIN_BYTES=lots ignored: " "$tmp/err"; then
	pass "LGALLOC_PRELOAD_MIN_BYTES=lots: reported once, the default kept"
else
	fail "LGALLOC_PRELOAD_MIN_BYTES=lots: reported once, the default kept" "output '$out': $(cat "$tmp/err")"
fi
LGALLOC_EAGER_RETURN=yes LD_PRELOAD=$so "$bin/semantics" all >"$tmp/out" 2>"$tmp/err"
if ! grep -q "^not ok" "$tmp/out" && [ "$(grep -c . "$tmp/err")" = 1 ]; then
	pass "an invalid value is reported once by a program that forks and runs threads"
else
	fail "an invalid value is reported once by a program that forks and runs threads" "$(cat "$tmp/err")"
fi
# Valid values of every variable are taken without a word.
LGALLOC_EAGER_RETURN=1 LGALLOC_GROWTH_DAMPENER=2 LGALLOC_LOCAL_BUFFER_BYTES=64M \
	LGALLOC_BACKGROUND_INTERVAL_MS=50 LGALLOC_BACKGROUND_CLEAR_BYTES=16M LGALLOC_PREFETCH_MODE=sync \
	LGALLOC_PREFETCH_RING_DEPTH=64 LGALLOC_PREFETCH_WORKERS=2 LGALLOC_CHECKED=1 LGALLOC_STATS=0 \
	LD_PRELOAD=$so "$bin/semantics" all >"$tmp/out" 2>"$tmp/err"
if ! grep -q "^not ok" "$tmp/out" && [ ! -s "$tmp/err" ]; then
	pass "every variable set to a valid value: accepted silently, semantics hold"
else
	fail "every variable set to a valid value: accepted silently, semantics hold" \
		"$(grep '^not ok' "$tmp/out") $(cat "$tmp/err")"
fi

# LGALLOC_STATS=1: the table at exit.  6 blocks of 5 MiB (class 8 MiB), the
# first never freed: 6 allocations, 5 deallocations.
LGALLOC_STATS=1 LD_PRELOAD=$so "$bin/semantics" keep 6 5 2>"$tmp/err"
row=$(awk '$1 == "class_bytes" {for (i = 1; i <= NF; i++) col[$i] = i; next}
	col["class_bytes"] && $1 == 8388608 {print $col["allocations"], $col["deallocations"]}' "$tmp/err")
if [ "$row" = "6 5" ] && grep -q "^liblgalloc_preload: statistics at exit" "$tmp/err"; then
	pass "LGALLOC_STATS=1: the per-class table at exit counts 6 allocations, 5 deallocations"
else
	fail "LGALLOC_STATS=1: the per-class table at exit" "row '$row': $(cat "$tmp/err")"
fi
LD_PRELOAD=$so "$bin/semantics" keep 2 5 2>"$tmp/err"
check "no LGALLOC_STATS: nothing on stderr" test ! -s "$tmp/err"

# Page faults: 20 x (malloc + memset + free) of 64 MiB.  glibc maps and
# unmaps every block (about 16,384 faults each); lgalloc reuses the region.
faults() { "$@" "$bin/measure" cycles 64 20 | sed -n 's/.*: \([0-9]*\) faults.*/\1/p'; }
glibc_faults=$(faults env)
preload_faults=$(faults env LD_PRELOAD="$so")
if [ -n "$glibc_faults" ] && [ -n "$preload_faults" ] && [ $((preload_faults * 4)) -lt "$glibc_faults" ]; then
	pass "20 cycles of 64 MiB fault under a quarter of glibc's pages ($preload_faults vs $glibc_faults)"
else
	fail "20 cycles of 64 MiB fault under a quarter of glibc's pages" "$preload_faults vs $glibc_faults"
fi

# Real programs, written by others: the same output with and without the
# preload, and lgalloc must have served some of their memory.
served() { # FILE: lgalloc allocations in LGALLOC_STATS's table
	awk '$1 == "class_bytes" {for (i = 1; i <= NF; i++) col[$i] = i; next}
		col["allocations"] {s += $col["allocations"]} END {print s + 0}' "$1"
}
real_program() { # NAME CMD...
	local name=$1
	shift
	if ! "$@" >"$tmp/plain" 2>&1; then
		fail "$name" "fails without the preload: $(tail -3 "$tmp/plain")"
		return
	fi
	if ! LD_PRELOAD=$so LGALLOC_STATS=1 "$@" >"$tmp/pre" 2>"$tmp/stats"; then
		fail "$name" "fails under the preload: $(tail -3 "$tmp/pre") $(tail -3 "$tmp/stats")"
	elif ! cmp -s "$tmp/plain" "$tmp/pre"; then
		fail "$name" "output differs under the preload"
	elif [ "$(served "$tmp/stats")" -lt 1 ]; then
		fail "$name" "lgalloc served nothing: $(cat "$tmp/stats")"
	else
		pass "$name: same output, $(served "$tmp/stats") blocks from lgalloc"
	fi
}
if command -v python3 >/dev/null; then
	real_program "python3: 64 MiB bytearrays in a loop" python3 -c '
import hashlib
h = hashlib.sha256()
for i in range(12):
    b = bytearray(64 << 20)
    b[::4096] = bytes([i]) * (len(b) // 4096)
    b = b + bytes(1 << 20)
    h.update(b[::65536])
print(h.hexdigest(), len(b))'
else
	fail "python3: 64 MiB bytearrays in a loop" "python3 not installed (scripts/install-deps.sh)"
fi
seq 1 400000 | awk '{srand($1); print int(rand() * 1e9), $1}' >"$tmp/input"
# From a pipe: sort sizes its buffer by -S, not by the file's size.
real_program "sort -S 64M over 400,000 lines" sh -c "cat '$tmp/input' | sort -S 64M -n"
real_program "xz -6 and back over a generated file" sh -c "xz -6 -T1 -c '$tmp/input' | xz -d -c | md5sum"

done_testing
