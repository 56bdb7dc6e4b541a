#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the Debian packages (debian/) from a copy of the tree in a
# temporary directory, so that the build leaves nothing in the source tree
# (debian/.debhelper, debian/tmp, build/ of the package build), and run
# lintian on them, pedantic: no tag of any level (overrides, each with its
# reason, are in debian/*.lintian-overrides).
# The .deb files land in $BUILD/deb/, with build.log and lintian.log.
# Exit status: 0, 2 lintian found something, 1 anything else failed (also
# a command that set -e stops on, and 130 after Ctrl-C).
# tests/lib/deb_test.sh (make test, make deb) runs it and checks the packages.
# Needs dpkg-dev, debhelper and lintian: scripts/install-deps.sh installs them.
set -euo pipefail
# A failing command under set -e would exit with its own status (2 is
# lintian's here): every such failure is 1.
trap 'exit 1' ERR
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}

for tool in dpkg-buildpackage dh lintian; do
	if ! command -v "$tool" >/dev/null; then
		echo "deb: $tool not found: run scripts/install-deps.sh (as root)" >&2
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
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP
src=$tmp/lgalloc-$version
mkdir -p "$src"
# Tracked and new (not ignored) files as they are in the work tree.
git ls-files -z --cached --others --exclude-standard | while IFS= read -r -d '' f; do
	[ -e "$f" ] && printf '%s\0' "$f"
done | tar -c --null -T - -f - | tar -x -C "$src"

echo "deb: dpkg-buildpackage in $src (log: $BUILD/deb/build.log)"
mkdir -p "$BUILD/deb"
rm -f "$BUILD"/deb/*.deb "$BUILD"/deb/lintian.log
if ! (cd "$src" && dpkg-buildpackage -us -uc -b) >"$BUILD/deb/build.log" 2>&1; then
	tail -30 "$BUILD/deb/build.log" >&2
	echo "deb: dpkg-buildpackage failed; the whole log is $BUILD/deb/build.log" >&2
	exit 1
fi
cp "$tmp"/*.deb "$BUILD/deb/"
ls -l "$BUILD"/deb/*.deb

echo "deb: lintian --pedantic (log: $BUILD/deb/lintian.log)"
if ! lintian --pedantic --display-info --fail-on error,warning,info,pedantic \
	"$tmp"/lgalloc_"${version}"_*.changes >"$BUILD/deb/lintian.log" 2>&1; then
	cat "$BUILD/deb/lintian.log" >&2
	echo "deb: lintian found problems (above)" >&2
	exit 2
fi
# (As root it warns that root is not recommended; nothing else is allowed.)
grep -v '^running with root privileges is not recommended!$' "$BUILD/deb/lintian.log" || true

