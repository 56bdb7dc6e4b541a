#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The project as a user gets it: make install and uninstall (the files of
# install.list), pkg-config against the DESTDIR copy, the README's example,
# the exported symbols, the SONAME and the USDT probe.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/testlib.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

version=$(make -s print-version)
prefix=/usr/local
stage=$tmp/stage
root=$stage$prefix

# make install into a DESTDIR: exactly the files of install.list.
if make -s install PREFIX=$prefix DESTDIR="$stage" >"$tmp/log" 2>&1; then
	pass "make install DESTDIR"
else
	fail "make install DESTDIR" "$(cat "$tmp/log")"
fi
(cd "$stage" && find . ! -type d | sed 's|^\./||' | LC_ALL=C sort) >"$tmp/got"
grep -v '^#' tests/lib/install.list | sed "s/@VERSION@/$version/g" | LC_ALL=C sort >"$tmp/want"
if diff -u "$tmp/want" "$tmp/got" >"$tmp/diff"; then
	pass "make install puts exactly the files of tests/lib/install.list"
else
	fail "make install puts exactly the files of tests/lib/install.list" "$(cat "$tmp/diff")"
fi
check "liblgalloc.so.0 -> liblgalloc.so.$version" [ "$(readlink "$root/lib/liblgalloc.so.0")" = "liblgalloc.so.$version" ]
check "liblgalloc.so -> liblgalloc.so.0" [ "$(readlink "$root/lib/liblgalloc.so")" = liblgalloc.so.0 ]
check "pc file names the PREFIX, not the DESTDIR" grep -qx "prefix=$prefix" "$root/lib/pkgconfig/lgalloc.pc"
for t in lgrun lgtrace lgbench; do
	check "installed $t --version says $version" sh -c '[ "$("$0" --version)" = "$1 $2" ]' "$root/bin/$t" "$t" "$version"
done
check "installed man pages carry the version" sh -c '! grep -l "@VERSION@" "$0"/share/man/man*/* && grep -q "lgalloc $1" "$0"/share/man/man3/lgalloc.3' "$root" "$version"
# man finds every page and every other name of a page (a symlink to it,
# make print-man-links) in the installed tree, and formats them.
links=$(make -s print-man-links)
for l in $links; do
	check "man3/${l%%:*} is a symlink to ${l#*:}" [ "$(readlink "$root/share/man/man3/${l%%:*}")" = "${l#*:}" ]
done
if command -v man >/dev/null; then
	missing=""
	for f in "$root"/share/man/man*/*; do
		n=${f##*/}
		sec=${n##*.}
		n=${n%.*}
		got=$(MANPATH=$root/share/man man -w "$sec" "$n" 2>/dev/null)
		# The page it opens lists the name in its NAME section.
		case $got in
		"$root"/share/man/man"$sec"/*) sed -n '/^\.SH NAME/,/^\.SH [^N]/p' "$got" | grep -qw -- "$n" || missing="$missing $n($sec):not-in-NAME" ;;
		*) missing="$missing $n($sec):${got:-none}" ;;
		esac
	done
	check "MANPATH=\$DESTDIR\$PREFIX/share/man man -w finds every installed page and link" [ -z "$missing" ]
	[ -z "$missing" ] || echo "# not found:$missing"
	check "man 3 lgalloc_prefetch_wait formats the prefetch page" \
		sh -c 'MANPATH="$0" MANWIDTH=80 man 3 lgalloc_prefetch_wait 2>/dev/null | grep -q "^ *lgalloc_prefetch_wait() *$"' "$root/share/man"
	check "man lgalloc_config_init formats the configure page" \
		sh -c 'MANPATH="$0" MANWIDTH=80 man lgalloc_config_init 2>/dev/null | grep -q "^LGALLOC_CONFIGURE(3)"' "$root/share/man"
else
	skip "man finds the installed pages" "no man: scripts/install-deps.sh installs it (package man-db)"
fi

# debian/ (make deb builds it; make test only checks it agrees): the
# changelog's version is the project's, and every installed file goes into
# exactly one package's .install list.
check "debian/changelog is at version $version" [ "$(dpkg-parsechangelog -l debian/changelog -S Version)" = "$version" ]
unclaimed=""
while read -r f; do
	f=${f#usr/local/}
	f=usr/${f/#lib\//lib/x86_64-linux-gnu/}
	n=0
	for inst in debian/*.install; do
		while read -r pattern; do
			# shellcheck disable=SC2053
			[[ $f == $pattern ]] && n=$((n + 1))
		done <"$inst"
	done
	[ $n -eq 1 ] || unclaimed="$unclaimed $f($n)"
done < <(grep -v '^#' tests/lib/install.list | sed "s/@VERSION@/$version/g")
check "every installed file is in exactly one debian/*.install" [ -z "$unclaimed" ]
[ -z "$unclaimed" ] || echo "# in none or several (count):$unclaimed"

# The README's example through pkg-config, against the copy in DESTDIR:
# PKG_CONFIG_SYSROOT_DIR puts DESTDIR in front of the pc file's paths.
export PKG_CONFIG_PATH="$root/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$stage"
cflags=$(pkg-config --cflags lgalloc)
libs=$(pkg-config --libs lgalloc)
# (--cflags also has liburing's, Requires.private, under the same sysroot.)
read -ra words <<<"$cflags"
outside=""
for w in "${words[@]}"; do
	case $w in -I"$stage"/*) ;; *) outside="$outside $w" ;; esac
done
check "pkg-config --cflags lgalloc: -I$root/include first, nothing outside DESTDIR" \
	[ "${words[0]:-}" = "-I$root/include" -a -z "$outside" ]
[ -z "$outside" ] || echo "# outside DESTDIR:$outside"
# shellcheck disable=SC2086
check "pkg-config --libs lgalloc is -L$root/lib -llgalloc" [ "$(echo $libs)" = "-L$root/lib -llgalloc" ]
awk '/<!-- example: demo.c/ {grab=1; next} grab && /^```c/ {on=1; next} on && /^```/ {exit} on' \
	README.md >"$tmp/demo.c"
if [ ! -s "$tmp/demo.c" ]; then
	fail "README example extracted"
else
	# shellcheck disable=SC2086
	if cc "$tmp/demo.c" $cflags $libs -o "$tmp/demo" 2>"$tmp/log"; then
		pass "README example compiles with pkg-config"
		out=$(LD_LIBRARY_PATH="$root/lib" "$tmp/demo")
		if echo "$out" | grep -q "^got 4194304 bytes at 0x"; then
			pass "README example runs against the installed library"
		else
			fail "README example runs against the installed library" "output: $out"
		fi
		ldd_out=$(LD_LIBRARY_PATH="$root/lib" ldd "$tmp/demo")
		check "demo links the installed shared library" grep -q "liblgalloc.so.0 => $root/lib" <<<"$ldd_out"
	else
		fail "README example compiles with pkg-config" "$(cat "$tmp/log")"
	fi
	# shellcheck disable=SC2046,SC2086
	if cc "$tmp/demo.c" $cflags "$root/lib/liblgalloc.a" \
		$(pkg-config --static --libs-only-other lgalloc) $(pkg-config --static --libs-only-l lgalloc | sed 's/-llgalloc//') \
		-o "$tmp/demo-static" 2>"$tmp/log" && "$tmp/demo-static" >/dev/null; then
		pass "README example links statically"
	else
		fail "README example links statically" "$(cat "$tmp/log")"
	fi
fi

# A binary built against 0.1's shorter struct lgalloc_config still works:
# its references bind to the LGALLOC_0.1 versions (tests/abi_0_1.c).
if cc -Wall -Werror -I"$root/include" tests/lib/abi_0_1.c -L"$root/lib" -llgalloc \
	-o "$tmp/abi" 2>"$tmp/log"; then
	check "0.1 binary binds lgalloc_configure@LGALLOC_0.1" \
		bash -c "nm -D '$tmp/abi' | grep -q 'lgalloc_configure@LGALLOC_0.1'"
	out=$(LD_LIBRARY_PATH="$root/lib" "$tmp/abi" 2>&1)
	check "0.1 binary runs: struct not overrun, settings applied" [ "$out" = "abi 0.1 ok" ]
	[ "$out" = "abi 0.1 ok" ] || sed "s/^/# /" <<<"$out"
else
	fail "0.1 binary builds" "$(cat "$tmp/log")"
fi

# A binary built against 0.2: config at LGALLOC_0.2, stats at LGALLOC_0.1,
# both structs shorter than 0.3's (tests/abi_0_2.c).
if cc -Wall -Werror -I"$root/include" tests/lib/abi_0_2.c -L"$root/lib" -llgalloc \
	-o "$tmp/abi2" 2>"$tmp/log"; then
	check "0.2 binary binds lgalloc_configure@LGALLOC_0.2, lgalloc_stats@LGALLOC_0.1" \
		bash -c "nm -D '$tmp/abi2' | grep -q 'lgalloc_configure@LGALLOC_0.2' && nm -D '$tmp/abi2' | grep -q 'lgalloc_stats@LGALLOC_0.1'"
	out=$(LD_LIBRARY_PATH="$root/lib" "$tmp/abi2" 2>&1)
	check "0.2 binary runs: structs not overrun, settings applied" [ "$out" = "abi 0.2 ok" ]
	[ "$out" = "abi 0.2 ok" ] || sed "s/^/# /" <<<"$out"
else
	fail "0.2 binary builds" "$(cat "$tmp/log")"
fi

# make uninstall removes every file install put there (and include/lgalloc/).
if make -s uninstall PREFIX=$prefix DESTDIR="$stage" >"$tmp/log" 2>&1; then
	left=$(cd "$stage" && find . ! -type d)
	check "make uninstall leaves no file behind" [ -z "$left" ]
	[ -z "$left" ] || sed "s/^/# left: /" <<<"$left"
	check "make uninstall removes include/lgalloc/" [ ! -e "$root/include/lgalloc" ]
else
	fail "make uninstall" "$(cat "$tmp/log")"
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
