#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The library as a user gets it: make install, pkg-config, the README's
# example, the exported symbols, the SONAME and the USDT probe.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/testlib.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# DESTDIR staging: files land under DESTDIR/PREFIX.
if make -s install-lib PREFIX=/usr DESTDIR="$tmp/stage" >"$tmp/log" 2>&1; then
	ok=1
	for f in usr/include/lgalloc.h usr/lib/liblgalloc.a usr/lib/liblgalloc.so."$(make -s print-version)" \
		usr/lib/liblgalloc.so.0 usr/lib/liblgalloc.so usr/lib/pkgconfig/lgalloc.pc \
		usr/include/lgalloc/registry.h; do
		[ -e "$tmp/stage/$f" ] || { fail "install DESTDIR" "missing $f"; ok=0; }
	done
	grep -q '^prefix=/usr$' "$tmp/stage/usr/lib/pkgconfig/lgalloc.pc" || { fail "install DESTDIR" "pc prefix"; ok=0; }
	[ $ok = 1 ] && pass "install DESTDIR"
else
	fail "install DESTDIR" "$(cat "$tmp/log")"
fi

# A real prefix, then the README's example through pkg-config.
make -s install-lib PREFIX="$tmp/prefix" >"$tmp/log" 2>&1 || fail "install PREFIX" "$(cat "$tmp/log")"
awk '/<!-- example: demo.c/ {grab=1; next} grab && /^```c/ {on=1; next} on && /^```/ {exit} on' \
	README.md >"$tmp/demo.c"
if [ ! -s "$tmp/demo.c" ]; then
	fail "README example extracted"
else
	export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
	# shellcheck disable=SC2046
	if cc "$tmp/demo.c" $(pkg-config --cflags --libs lgalloc) -o "$tmp/demo" 2>"$tmp/log"; then
		pass "README example compiles with pkg-config"
		out=$(LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/demo")
		if echo "$out" | grep -q "^got 4194304 bytes at 0x"; then
			pass "README example runs against the installed library"
		else
			fail "README example runs against the installed library" "output: $out"
		fi
		ldd_out=$(LD_LIBRARY_PATH="$tmp/prefix/lib" ldd "$tmp/demo")
		check "demo links the shared library" grep -q "liblgalloc.so.0 => $tmp/prefix/lib" <<<"$ldd_out"
	else
		fail "README example compiles with pkg-config" "$(cat "$tmp/log")"
	fi
	# shellcheck disable=SC2046
	if cc "$tmp/demo.c" $(pkg-config --cflags lgalloc) "$tmp/prefix/lib/liblgalloc.a" \
		$(pkg-config --static --libs-only-other lgalloc) $(pkg-config --static --libs-only-l lgalloc | sed 's/-llgalloc//') \
		-o "$tmp/demo-static" 2>"$tmp/log" && "$tmp/demo-static" >/dev/null; then
		pass "README example links statically"
	else
		fail "README example links statically" "$(cat "$tmp/log")"
	fi
fi

# A binary built against 0.1's shorter struct lgalloc_config still works:
# its references bind to the LGALLOC_0.1 versions (tests/abi_0_1.c).
if cc -Wall -Werror -I"$tmp/prefix/include" tests/lib/abi_0_1.c -L"$tmp/prefix/lib" -llgalloc \
	-o "$tmp/abi" 2>"$tmp/log"; then
	check "0.1 binary binds lgalloc_configure@LGALLOC_0.1" \
		bash -c "nm -D '$tmp/abi' | grep -q 'lgalloc_configure@LGALLOC_0.1'"
	out=$(LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/abi" 2>&1)
	check "0.1 binary runs: struct not overrun, settings applied" [ "$out" = "abi 0.1 ok" ]
	[ "$out" = "abi 0.1 ok" ] || sed "s/^/# /" <<<"$out"
else
	fail "0.1 binary builds" "$(cat "$tmp/log")"
fi

# A binary built against 0.2: config at LGALLOC_0.2, stats at LGALLOC_0.1,
# both structs shorter than 0.3's (tests/abi_0_2.c).
if cc -Wall -Werror -I"$tmp/prefix/include" tests/lib/abi_0_2.c -L"$tmp/prefix/lib" -llgalloc \
	-o "$tmp/abi2" 2>"$tmp/log"; then
	check "0.2 binary binds lgalloc_configure@LGALLOC_0.2, lgalloc_stats@LGALLOC_0.1" \
		bash -c "nm -D '$tmp/abi2' | grep -q 'lgalloc_configure@LGALLOC_0.2' && nm -D '$tmp/abi2' | grep -q 'lgalloc_stats@LGALLOC_0.1'"
	out=$(LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/abi2" 2>&1)
	check "0.2 binary runs: structs not overrun, settings applied" [ "$out" = "abi 0.2 ok" ]
	[ "$out" = "abi 0.2 ok" ] || sed "s/^/# /" <<<"$out"
else
	fail "0.2 binary builds" "$(cat "$tmp/log")"
fi

so="$BUILD/lib/liblgalloc.so"
bad=$(nm -D --defined-only "$so" | awk '$3 !~ /^lgalloc_/ && $3 !~ /^LGALLOC_/ {print $3}')
if [ -z "$bad" ]; then pass "only lgalloc_* symbols exported"; else fail "only lgalloc_* symbols exported" "$bad"; fi
check "SONAME is liblgalloc.so.0" bash -c "readelf -d '$so' | grep -q 'Library soname: \[liblgalloc.so.0\]'"
check "USDT probe lgalloc:area_map present" bash -c "readelf -n '$so' | grep -A2 'Provider: lgalloc' | grep -q 'Name: area_map'"
check "symbols are versioned (LGALLOC_0.1, lgalloc_prefetch_wait LGALLOC_0.2)" bash -c "nm -D --defined-only '$so' | grep -q 'lgalloc_allocate@@LGALLOC_0.1' && nm -D --defined-only '$so' | grep -q 'lgalloc_prefetch_wait@@LGALLOC_0.2'"
versions=$(nm -D --defined-only "$so" | awk '$3 ~ /^lgalloc_(config_init|configure|stats)@/ {print $3}' | LC_ALL=C sort | tr '\n' ' ')
want="lgalloc_config_init@@LGALLOC_0.3 lgalloc_config_init@LGALLOC_0.1 lgalloc_config_init@LGALLOC_0.2 lgalloc_configure@@LGALLOC_0.3 lgalloc_configure@LGALLOC_0.1 lgalloc_configure@LGALLOC_0.2 lgalloc_stats@@LGALLOC_0.3 lgalloc_stats@LGALLOC_0.1 "
check "the grown structs' functions: 0.3 defaults, older versions kept" [ "$versions" = "$want" ]
[ "$versions" = "$want" ] || echo "# got: $versions"
done_testing
