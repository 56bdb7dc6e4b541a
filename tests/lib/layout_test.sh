#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The dependency arrows, read from the objects by scripts/check-layout.sh:
# on this build (library files without a call cycle, memory system calls
# only in os.c, fork handlers only from init.c, nothing from common/ up to
# bench/ or tools/, no program using another's code, lgalloc_strerror only
# for callers), and on made-up trees
# that break each kind of rule, which it must reject.
. "$(dirname "$0")/../testlib.sh"

root=$(cd "$(dirname "$0")/../.." && pwd)
layout=$root/scripts/check-layout.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$("$layout" "$BUILD" 2>&1)
rc=$?
echo "$out" | sed 's/^/# /'
if [ "$rc" -eq 0 ]; then
	pass "layout of $BUILD"
else
	fail "layout of $BUILD" "$(echo "$out" | grep '^FAIL' | tr '\n' ' ')"
fi

# The library's messages give a failed system call's errno in the kernel's
# words: lgalloc_strerror() (the API's texts) is only for callers.
users=$(for o in "$BUILD"/lib/src/*.o; do
	[ "${o##*/}" = strerror.o ] || ! nm -u "$o" | grep -qw lgalloc_strerror || echo "${o##*/}"
done)
if [ -z "$users" ]; then
	pass "no library message words an errno with lgalloc_strerror"
else
	fail "no library message words an errno with lgalloc_strerror" "used by: $users"
fi

# object TREE PATH CODE: compile CODE as TREE's source PATH.c into its build.
object() {
	mkdir -p "$tmp/$1/src/${2%/*}" "$tmp/$1/build/${2%/*}"
	printf '%s\n' "$3" >"$tmp/$1/src/$2.c"
	cc -c "$tmp/$1/src/$2.c" -o "$tmp/$1/build/$2.o"
}

# rejects NAME TREE MESSAGE: check-layout fails on TREE and says MESSAGE.
rejects() {
	local out rc
	out=$("$layout" -s "$tmp/$2/src" "$tmp/$2/build" 2>&1)
	rc=$?
	if [ "$rc" -eq 1 ] && grep -qF -- "$3" <<<"$out"; then
		pass "$1"
	else
		fail "$1" "exit $rc, expected 1 and \"$3\" in: $out"
	fi
}

object cycle lib/src/a 'int b(void); int a(void) { return b(); }'
object cycle lib/src/b 'int c(void); int b(void) { return c(); }'
object cycle lib/src/c 'int a(void); int c(void) { return a(); }'
object cycle lib/src/os 'int os(void) { return 0; }'
rejects "a library cycle is found" cycle "FAIL: library call cycle: a -> b -> c -> a"

object mman lib/src/os 'int os(void) { return 0; }'
object mman lib/src/area '#include <sys/mman.h>
int area(void *p) { return madvise(p, 4096, MADV_DONTNEED); }'
rejects "madvise outside os.c is found" mman "FAIL: area.o calls madvise()"

object atfork lib/src/os 'int os(void) { return 0; }'
object atfork lib/src/prefetch '#include <pthread.h>
static void h(void) {}
int prefetch(void) { return pthread_atfork(h, h, h); }'
rejects "pthread_atfork outside init.c is found" atfork "FAIL: prefetch.o calls pthread_atfork()"

object groups lib/src/os 'int os(void) { return 0; }'
object groups common/helper 'int bench_only(void); int helper(void) { return bench_only(); }'
object groups bench/main 'int helper(void); int bench_only(void) { return 1; } int main(void) { return helper(); }'
object groups obj/tools/lgrun/main 'int lgtrace_only(void); int main(void) { return lgtrace_only(); }'
object groups obj/tools/lgtrace/main 'int lgtrace_only(void) { return 0; } int main(void) { return 0; }'
# Sources of obj/ objects live without the obj/ prefix.
mkdir -p "$tmp/groups/src/tools"
cp -r "$tmp/groups/src/obj/tools/." "$tmp/groups/src/tools/"
rejects "common/ calling into bench/ is found" groups "FAIL: common -> bench (bench_only)"
rejects "a tool calling another's code is found" groups "FAIL: tools/lgrun -> tools/lgtrace (lgtrace_only)"

# The preload library defines libc's malloc family: the library's calloc
# is no arrow to it; any other symbol of it used elsewhere is.
object preload lib/src/os '#include <stdlib.h>
void *os(void) { return calloc(1, 8); }'
object preload preload/preload '#include <stddef.h>
void *calloc(size_t n, size_t s) { (void)n; (void)s; return NULL; }
int preload_only(void) { return 0; }'
object preload bench/main 'int preload_only(void); int main(void) { return preload_only(); }'
rejects "a program calling into the preload library is found" preload "FAIL: bench -> preload (preload_only)"
if "$layout" -s "$tmp/preload/src" "$tmp/preload/build" 2>&1 | grep -q "lib .*-> .*preload"; then
	fail "the library's calloc is no arrow to the preload library"
else
	pass "the library's calloc is no arrow to the preload library"
fi

object clean lib/src/os 'int os(void) { return 0; }'
object clean lib/src/alloc 'int os(void); int alloc(void) { return os(); }'
if "$layout" -s "$tmp/clean/src" "$tmp/clean/build" >/dev/null 2>&1; then
	pass "a tree without cycles passes"
else
	fail "a tree without cycles passes"
fi

done_testing
