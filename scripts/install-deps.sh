#!/bin/sh
# SPDX-License-Identifier: MIT
# Install the Debian/Ubuntu packages lgalloc builds, tests and benchmarks
# with; installs only what is missing.  Run as root (or with sudo).
#   scripts/install-deps.sh           what make, make test and make bench need
#   scripts/install-deps.sh --vmtest  what make vmtest needs besides: qemu
#                                     (with virtiofsd), a static busybox for
#                                     the initramfs, cpio, e2fsprogs
# libjemalloc2, libmimalloc2.0, libgoogle-perftools4: the peers make
# bench-apps preloads (the -dev packages pull them in; named for dpkg -L).
# time (GNU time), python3-numpy, xz-utils, zstd, coreutils (sort), mawk:
# make bench-apps and its quick runs in make test (bench/apps/);
# python3-pytest, python3-hypothesis, python3-typing-extensions: numpy's own
# test suite (tests/preload/numpy_test.sh; without typing_extensions one
# of its modules fails to import and pytest stops).
# mandoc: tests/docs/man_test.sh lints the man pages with mandoc -T lint;
# man-db: install_test.sh and deb_test.sh check that man finds every page.
# dpkg-dev, debhelper, lintian: tests/lib/deb_test.sh (make test) builds and
# lintians the Debian packages.  Installing them took 42 s on the project's
# VM with nothing cached (lintian 31 s, 121 packages, most of them Perl
# modules; debhelper 11 s, 14 packages), against a CI budget of 90 min.
# libclang-rt-dev: clang's libFuzzer and sanitizer runtimes (only recommended by
# clang, so --no-install-recommends would leave it out), for tests/fuzz/.
# postgresql-15: bench/apps/postgres.sh and tests/bench/postgres_test.sh run
# its binaries (/usr/lib/postgresql/15/bin) on a server of their own in a
# temporary directory; Debian's own cluster (15/main) is not used.
set -eu

PKGS="build-essential pkg-config make clang libclang-rt-dev llvm libbpf-dev bpftool libelf-dev zlib1g-dev
liburing-dev libcmocka-dev libjansson-dev systemtap-sdt-dev
libjemalloc-dev libmimalloc-dev libgoogle-perftools-dev
libjemalloc2 libmimalloc2.0 libgoogle-perftools4
fio gnuplot-nox util-linux procps jq python3 bsdutils binutils time
python3-numpy python3-pytest python3-hypothesis python3-typing-extensions xz-utils zstd coreutils mawk
e2fsprogs xfsprogs btrfs-progs mandoc man-db dpkg-dev debhelper lintian
postgresql-15"
VMTEST_PKGS="qemu-system-x86 qemu-system-common busybox-static cpio e2fsprogs xz-utils zstd"
[ "${1:-}" = --vmtest ] && PKGS=$VMTEST_PKGS

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
