#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian packages as a user gets them: scripts/deb.sh builds them
# (dpkg-buildpackage -us -uc -b from a copy of the tree) and runs lintian
# (pedantic, nothing left); then each package must hold what install.list
# and its debian/*.install say (with /usr/local as /usr, the libraries in
# the multiarch directory, man pages compressed), depend on the package of
# every library its binaries need, and, unpacked with dpkg -x into a scratch
# root, build the README's example through pkg-config and run it, run the
# tools and the preload library, and give man every page.  Which package a
# file belongs in follows Debian's library packaging (package_of below).
# SKIPs when dpkg-dev, debhelper or lintian is missing (scripts/install-deps.sh
# installs them).  `make deb` runs it too; the packages stay in $BUILD/deb/.
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/testlib.sh
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

missing=""
for t in dpkg-buildpackage:dpkg-dev dh:debhelper lintian:lintian dpkg-deb:dpkg; do
	command -v "${t%%:*}" >/dev/null || missing="$missing ${t%%:*} (package ${t#*:})"
done
if [ -n "$missing" ]; then
	skip "Debian packages" "no$missing: scripts/install-deps.sh installs them"
	done_testing
fi

version=$(make -s print-version)
multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
arch=$(dpkg-architecture -qDEB_HOST_ARCH)
arch_dir=/usr/lib/$multiarch
out=$BUILD/deb
start=$SECONDS
BUILD=$BUILD scripts/deb.sh >"$tmp/deb.log" 2>&1
rc=$?
echo "# scripts/deb.sh: $((SECONDS - start)) s"
if [ $rc -ne 0 ] && [ $rc -ne 2 ]; then
	fail "dpkg-buildpackage -us -uc -b builds the packages" "$(tail -20 "$tmp/deb.log")"
	done_testing
fi
pass "dpkg-buildpackage -us -uc -b builds the packages"
check "lintian --pedantic: no error, warning, info or pedantic tag" [ $rc -eq 0 ]
[ $rc -eq 0 ] && grep -v -e '^running with root' -e '^N: ' "$out/lintian.log" | sed 's/^/# lintian: /'
[ $rc -eq 0 ] || sed 's/^/# /' "$tmp/deb.log"

packages="liblgalloc0 liblgalloc-dev lgalloc-tools"
got=$(cd "$out" && ls ./*.deb | sed 's|^\./||' | LC_ALL=C sort | tr '\n' ' ')
want=""
for p in $packages liblgalloc0-dbgsym lgalloc-tools-dbgsym; do want="$want${p}_${version}_$arch.deb "; done
want=$(tr ' ' '\n' <<<"$want" | sed '/^$/d' | LC_ALL=C sort | tr '\n' ' ')
check "the packages: $packages, -dbgsym of the two with binaries, at $version" [ "$got" = "$want" ]
[ "$got" = "$want" ] || echo "# got: $got"

# install.list as the packages have it.
grep -v '^#' tests/lib/install.list | sed -e "s/@VERSION@/$version/g" -e 's|^usr/local/|usr/|' \
	-e "s|^usr/lib/|usr/lib/$multiarch/|" >"$tmp/list"
# The package a file belongs in, by Debian's library packaging (policy 8):
# the shared libraries in the runtime package, what one compiles and links
# with (headers, static library, .so link, pc file) and the API's pages in
# -dev, the programs and their pages in -tools.  debian/*.install must
# agree; this does not read them.
package_of() {
	case $1 in
	usr/lib/*/liblgalloc.so.* | usr/lib/*/liblgalloc_preload.so) echo liblgalloc0 ;;
	usr/include/* | usr/lib/*/liblgalloc.a | usr/lib/*/liblgalloc.so | usr/lib/*/pkgconfig/*) echo liblgalloc-dev ;;
	usr/share/man/man3/* | usr/share/man/man7/*) echo liblgalloc-dev ;;
	usr/bin/* | usr/share/man/man1/* | usr/share/man/man8/*) echo lgalloc-tools ;;
	*) echo unknown ;;
	esac
}
unplaced=$(while read -r f; do [ "$(package_of "$f")" = unknown ] && echo "$f"; done <"$tmp/list")
check "every file of install.list has a package it belongs in" [ -z "$unplaced" ]
[ -z "$unplaced" ] || echo "# no package for: $unplaced"
for p in $packages; do
	deb=$out/${p}_${version}_$arch.deb
	[ -f "$deb" ] || continue
	# The files of install.list that belong in it, man pages compressed;
	# against the package's files but Debian's own (copyright, changelog,
	# lintian overrides).
	while read -r f; do
		[ "$(package_of "$f")" = "$p" ] || continue
		case $f in usr/share/man/*) f=$f.gz ;; esac
		echo "/$f"
	done <"$tmp/list" >"$tmp/want.$p"
	LC_ALL=C sort -o "$tmp/want.$p" "$tmp/want.$p"
	dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -e 's|^\./|/|' -e '/\/$/d' |
		grep -v -e '^/usr/share/doc/' -e '^/usr/share/lintian/' | LC_ALL=C sort >"$tmp/got.$p"
	if diff -u "$tmp/want.$p" "$tmp/got.$p" >"$tmp/diff"; then
		pass "$p holds exactly its files of install.list ($(wc -l <"$tmp/got.$p") files)"
	else
		fail "$p holds exactly its files of install.list (- missing, + extra)" "$(cat "$tmp/diff")"
	fi
	check "$p has its copyright file" sh -c "dpkg-deb -c '$deb' | grep './usr/share/doc/$p/copyright$' >/dev/null"
	mkdir -p "$tmp/pkg/$p"
	dpkg-deb -x "$deb" "$tmp/pkg/$p"
done
# Every file of install.list is in a package.
cat "$tmp"/got.* 2>/dev/null | sed 's/\.gz$//' | LC_ALL=C sort >"$tmp/all"
lost=$(sed 's|^|/|' "$tmp/list" | LC_ALL=C sort | comm -23 - "$tmp/all")
check "every file of install.list is in a package" [ -z "$lost" ]
[ -z "$lost" ] || sed 's/^/# in none: /' <<<"$lost"

# Dependencies: the package of every shared library that a package's ELF
# files need (readelf NEEDED, found with dpkg -S) is in its Depends, and
# the ones we know of are there by name.
depends_of() { dpkg-deb -f "$out/${1}_${version}_$arch.deb" Depends 2>/dev/null; }
dep_names() { depends_of "$1" | tr ',|' '\n\n' | sed -e 's/(.*)//' -e 's/:.*//' -e 's/[[:space:]]//g' | sed '/^$/d'; }
for p in $packages; do
	[ -d "$tmp/pkg/$p" ] || continue
	names=$(dep_names "$p")
	lacking=""
	needed=$(find "$tmp/pkg/$p" -type f -exec sh -c 'head -c4 "$1" | grep -q "ELF" && readelf -d "$1"' _ {} \; 2>/dev/null |
		sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | sort -u)
	for so in $needed; do
		# Our own library comes from liblgalloc0, not from the system.
		if [ "$so" = liblgalloc.so.0 ]; then
			[ "$p" = liblgalloc0 ] || grep -qx liblgalloc0 <<<"$names" || lacking="$lacking $so(liblgalloc0)"
			continue
		fi
		# "pkg:arch, pkg2:arch: path" lines.
		owners=$(dpkg -S "*/$so" 2>/dev/null | sed 's/: .*//' | tr ',' '\n' | sed 's/:.*//; s/ //g' | sort -u)
		if [ -z "$owners" ]; then
			lacking="$lacking $so(no-package)"
		elif ! grep -qxF -f <(echo "$owners") <<<"$names"; then
			lacking="$lacking $so($(echo "$owners" | tr '\n' ' ' | sed 's/ $//'))"
		fi
	done
	check "$p Depends covers every library its binaries need (${needed//$'\n'/ })" [ -z "$lacking" ]
	[ -z "$lacking" ] || echo "# Depends: $(depends_of "$p"); lacking:$lacking"
done
has_deps() {
	local p=$1 n
	shift
	for n in "$@"; do dep_names "$p" | grep -qx "$n" || return 1; done
}
check "liblgalloc0 Depends: libc6, liburing2" has_deps liblgalloc0 libc6 liburing2
check "lgalloc-tools Depends: libbpf1, libelf1, liburing2" has_deps lgalloc-tools libbpf1 libelf1 liburing2
check "liblgalloc-dev Depends: liblgalloc0 (= $version), liburing-dev" \
	sh -c 'echo "$0" | grep -q "liblgalloc0 (= $1)" && echo "$0" | grep -q "liburing-dev"' "$(depends_of liblgalloc-dev)" "$version"
check "liblgalloc0 has the symbols file, its Build-Depends-Package liblgalloc-dev" \
	sh -c "dpkg-deb --ctrl-tarfile '$out/liblgalloc0_${version}_$arch.deb' | tar -xO ./symbols | grep -q '^\* Build-Depends-Package: liblgalloc-dev'"

# The packages unpacked into a scratch root, as dpkg would install them.
root=$tmp/root
for p in $packages; do
	[ -f "$out/${p}_${version}_$arch.deb" ] && dpkg -x "$out/${p}_${version}_$arch.deb" "$root"
done
# The README's example through pkg-config: lgalloc.pc only from the scratch
# root (PKG_CONFIG_LIBDIR), its paths under it (PKG_CONFIG_SYSROOT_DIR);
# liburing's pc file, which it requires privately, from the system, where
# liblgalloc-dev's Depends puts it.
awk '/<!-- example: demo.c/ {grab=1; next} grab && /^```c/ {on=1; next} on && /^```/ {exit} on' \
	README.md >"$tmp/demo.c"
export PKG_CONFIG_LIBDIR=$root$arch_dir/pkgconfig:$arch_dir/pkgconfig:/usr/share/pkgconfig
export PKG_CONFIG_SYSROOT_DIR=$root
cflags=$(pkg-config --cflags lgalloc 2>&1)
libs=$(pkg-config --libs lgalloc 2>&1)
# shellcheck disable=SC2086
check "pkg-config finds the packaged lgalloc.pc: -I$root/usr/include, -L$root$arch_dir -llgalloc" \
	[ "$(echo $cflags)" = "-I$root/usr/include" -a "$(echo $libs)" = "-L$root$arch_dir -llgalloc" ]
# shellcheck disable=SC2086
if [ -s "$tmp/demo.c" ] && cc "$tmp/demo.c" $cflags $libs -o "$tmp/demo" 2>"$tmp/log"; then
	pass "the README's example compiles against liblgalloc-dev"
	demo_out=$(LD_LIBRARY_PATH=$root$arch_dir "$tmp/demo" 2>&1)
	check "it runs against liblgalloc0" grep -q "^got 4194304 bytes at 0x" <<<"$demo_out"
	check "it loads the packaged liblgalloc.so.0" \
		sh -c "LD_LIBRARY_PATH='$root$arch_dir' ldd '$tmp/demo' | grep -q 'liblgalloc.so.0 => $root$arch_dir/liblgalloc.so.0'"
else
	fail "the README's example compiles against liblgalloc-dev" "$(cat "$tmp/log" 2>/dev/null)"
fi
# shellcheck disable=SC2046,SC2086
if cc "$tmp/demo.c" $cflags "$root$arch_dir/liblgalloc.a" $(pkg-config --static --libs-only-other lgalloc) \
	$(pkg-config --static --libs-only-l lgalloc | sed 's/-llgalloc//') -o "$tmp/demo-static" 2>"$tmp/log" &&
	"$tmp/demo-static" | grep -q "^got 4194304 bytes"; then
	pass "it links statically with the packaged liblgalloc.a and runs"
else
	fail "it links statically with the packaged liblgalloc.a and runs" "$(cat "$tmp/log")"
fi
unset PKG_CONFIG_LIBDIR PKG_CONFIG_SYSROOT_DIR
for t in lgtrace lgrun lgbench; do
	check "packaged $t --version says $version" sh -c '[ "$("$0" --version)" = "$1 $2" ]' "$root/usr/bin/$t" "$t" "$version"
done
check "the packaged preload library loads (LD_PRELOAD)" \
	sh -c "LD_PRELOAD='$root$arch_dir/liblgalloc_preload.so' cat /proc/self/maps | grep -q '$root$arch_dir/liblgalloc_preload.so'"
# Every page and link, compressed, opens with man, links included.
if command -v man >/dev/null; then
	missing=""
	for f in "$root"/usr/share/man/man*/*; do
		[ -e "$f" ] || missing="$missing ${f##*/}(dangling)"
		n=${f##*/}
		n=${n%.gz}
		got=$(MANPATH=$root/usr/share/man man -w "${n##*.}" "${n%.*}" 2>/dev/null)
		case $got in "$root"/usr/share/man/*.gz) ;; *) missing="$missing $n:${got:-none}" ;; esac
	done
	check "man -w finds every packaged page and link in the scratch root" [ -z "$missing" ]
	[ -z "$missing" ] || echo "# not found:$missing"
else
	skip "man finds the packaged pages" "no man: scripts/install-deps.sh installs it (package man-db)"
fi
done_testing
