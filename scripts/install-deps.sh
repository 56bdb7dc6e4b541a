#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian/Ubuntu packages lgalloc builds, tests and benchmarks
# with; installs only what is missing.  Run as root (or with sudo).
#   scripts/install-deps.sh           what make, make test and make bench need
#   scripts/install-deps.sh --vmtest  what make vmtest needs besides: qemu
#                                     (with virtiofsd), a static busybox for
#                                     the initramfs, cpio, e2fsprogs
#   scripts/install-deps.sh --packaging  what make deb needs besides:
#                                     debhelper, lintian (not make test's:
#                                     lintian alone pulls ~60 Perl packages)
# mandoc: tests/docs/man_test.sh lints the man pages with mandoc -T lint.
# libclang-rt-dev: clang's libFuzzer and sanitizer runtimes (only recommended by
# clang, so --no-install-recommends would leave it out), for tests/fuzz/.
# postgresql-15: bench/apps/postgres.sh and tests/bench/postgres_test.sh run
# its binaries (/usr/lib/postgresql/15/bin) on a server of their own in a
# temporary directory; Debian's own cluster (15/main) is not used.
set -eu

PKGS="build-essential pkg-config make clang libclang-rt-dev llvm libbpf-dev bpftool libelf-dev zlib1g-dev
liburing-dev libcmocka-dev libjansson-dev systemtap-sdt-dev
libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev
fio gnuplot-nox util-linux procps jq python3 bsdutils binutils
e2fsprogs xfsprogs btrfs-progs mandoc postgresql-15"
VMTEST_PKGS="qemu-system-x86 qemu-system-common busybox-static cpio e2fsprogs xz-utils zstd"
PACKAGING_PKGS="dpkg-dev debhelper lintian"
[ "${1:-}" = --vmtest ] && PKGS=$VMTEST_PKGS
[ "${1:-}" = --packaging ] && PKGS=$PACKAGING_PKGS

missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "install-deps: missing packages:$missing" >&2
	echo "install-deps: run as root (sudo make deps) to install them" >&2
	exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
