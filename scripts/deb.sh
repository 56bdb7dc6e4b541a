#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# `make deb`: build the Debian packages (debian/) from a copy of the tree in
# a temporary directory, so that the build leaves nothing in the source tree
# (debian/.debhelper, debian/tmp, build/ of the package build), then
#   - run lintian on the result, pedantic: no tag of any level (overrides, each with
#     its reason, are in debian/*.lintian-overrides);
#   - check that the packages hold exactly the files of tests/lib/install.list
#     (with /usr/local as /usr, the libraries in the multiarch directory,
#     man pages compressed) besides Debian's own documentation files;
#   - build the README's example against the unpacked liblgalloc-dev with
#     pkg-config and run it against liblgalloc0.
# The .deb files land in $BUILD/deb/.  Needs dpkg-dev, debhelper and
# lintian: scripts/install-deps.sh --packaging installs them.
set -euo pipefail
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}

for tool in dpkg-buildpackage dh lintian; do
	if ! command -v "$tool" >/dev/null; then
		echo "deb: $tool not found: run scripts/install-deps.sh --packaging (as root)" >&2
		exit 1
	fi
done
version=$(make -s print-version)
changelog=$(dpkg-parsechangelog -l debian/changelog -S Version)
if [ "$changelog" != "$version" ]; then
	echo "deb: debian/changelog is at $changelog but lib/include/lgalloc.h at $version: add a changelog entry" >&2
	exit 1
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM HUP
src=$tmp/lgalloc-$version
mkdir -p "$src"
# Tracked and new (not ignored) files as they are in the work tree.
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
	[ -e "$f" ] && printf '%s\0' "$f"
done | tar -c --null -T - -f - | tar -x -C "$src"

echo "deb: dpkg-buildpackage in $src (log: $BUILD/deb/build.log)"
mkdir -p "$BUILD/deb"
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$BUILD/deb/build.log" 2>&1; then
	tail -30 "$BUILD/deb/build.log" >&2
	echo "deb: dpkg-buildpackage failed; the whole log is $BUILD/deb/build.log" >&2
	exit 1
fi
rm -f "$BUILD"/deb/*.deb
cp "$tmp"/*.deb "$BUILD/deb/"

rc=0
echo "deb: lintian"
if ! lintian --pedantic --display-info --fail-on error,warning,info,pedantic "$tmp"/lgalloc_"${version}"_*.changes; then
	echo "deb: lintian found problems (above)" >&2
	rc=1
fi

# The files of the packages (the -dbgsym ones aside) against install.list.
arch_dir=/usr/lib/$(dpkg-architecture -qDEB_HOST_MULTIARCH)
grep -v '^#' tests/lib/install.list | sed -e "s/@VERSION@/$version/g" -e 's|^usr/local/|/usr/|' \
	-e "s|^/usr/lib/|$arch_dir/|" -e 's|^\(/usr/share/man/.*\)$|\1.gz|' | LC_ALL=C sort >"$tmp/want"
for deb in "$tmp"/*.deb; do
	dpkg-deb --fsys-tarfile "$deb" | tar -t | sed -e 's|^\./|/|' -e '/\/$/d'
done | grep -v -e '^/usr/share/doc/' -e '^/usr/share/lintian/' -e '^/usr/lib/debug/' | LC_ALL=C sort >"$tmp/got"
if diff -u "$tmp/want" "$tmp/got"; then
	echo "deb: the packages hold the files of tests/lib/install.list"
else
	echo "deb: the packages' files differ from tests/lib/install.list (- missing, + extra)" >&2
	rc=1
fi
# A program built against the unpacked -dev package through pkg-config
# (PKG_CONFIG_SYSROOT_DIR: the packages' paths under the unpack directory)
# and run against its shared library.
root=$tmp/root
for deb in "$tmp"/liblgalloc0_*.deb "$tmp"/liblgalloc-dev_*.deb; do dpkg-deb -x "$deb" "$root"; done
awk '/<!-- example: demo.c/ {grab=1; next} grab && /^```c/ {on=1; next} on && /^```/ {exit} on' \
	README.md >"$tmp/demo.c"
export PKG_CONFIG_PATH=$root$arch_dir/pkgconfig PKG_CONFIG_SYSROOT_DIR=$root
# shellcheck disable=SC2046
if cc "$tmp/demo.c" $(pkg-config --cflags --libs lgalloc) -o "$tmp/demo" &&
	LD_LIBRARY_PATH=$root$arch_dir "$tmp/demo" | grep -q "^got 4194304 bytes"; then
	echo "deb: the README's example builds against liblgalloc-dev and runs"
else
	echo "deb: the README's example did not build or run against the packages" >&2
	rc=1
fi
ls -l "$BUILD"/deb/*.deb
exit $rc
