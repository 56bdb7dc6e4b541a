#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lgrun --make-swap on each file system that can hold a swap file, in
# loop-mounted images made here (ext4 and xfs: fallocated; btrfs: NOCOW,
# also under compress=zstd), and on tmpfs, which must be refused before
# anything is made, the condition named.  Mounts, loop devices and images go
# on every way out.
#   tests/tools/lgrun_swapfs_test.sh        (root, loop devices, mkfs.*)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/testlib.sh

LGRUN=${LGRUN:-$BUILD/tools/lgrun}
LGRUN=$(realpath "$LGRUN" 2>/dev/null || echo "$LGRUN")
if [ ! -x "$LGRUN" ]; then
	fail lgrun_built "$LGRUN missing: run make"
	done_testing
fi
need_root lgrun_swapfs || done_testing
export LGRUN_SYSTEMD_RUN=/bin/false

TMP=$(mktemp -d /var/tmp/lgrun-swapfs.XXXXXX) || exit 1
MOUNTS=()
LOOPS=()
cleanup() {
	local i f
	for f in "$TMP"/mnt-*/lgrun-swap.*; do
		[ -e "$f" ] && swapoff "$f" 2>/dev/null
	done
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do umount "${MOUNTS[i]}" 2>/dev/null; done
	for i in "${LOOPS[@]}"; do losetup -d "$i" 2>/dev/null; done
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

if [ -n "$(awk 'NR > 1' /proc/swaps)" ]; then
	skip lgrun_swapfs "swap is already active: lgrun --make-swap makes none"
	done_testing
fi

# run_on NAME DIR: a swap file made in DIR is active while CMD runs, and gone after.
run_on() {
	local name=$1 dir=$2 rc
	"$LGRUN" --memory 32M --make-swap 64M --swap-dir "$dir" -- \
		sh -c 'cat /proc/swaps; lsattr "$0"/lgrun-swap.* 2>/dev/null' "$dir" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq 0 ] && grep -q "^$dir/lgrun-swap\.[^ ]* *file" "$TMP/out"; then
		pass "make_swap_$name"
	else
		fail "make_swap_$name" "exit $rc: $(cat "$TMP/out" "$TMP/err")"
	fi
	if [ -z "$(ls -A "$dir" | grep lgrun-swap)" ] && ! grep -q "^$dir/" /proc/swaps; then
		pass "make_swap_${name}_removed"
	else
		fail "make_swap_${name}_removed" "left: $(ls -A "$dir") $(cat /proc/swaps)"
	fi
}

# loop_fs FS MKFS [MOUNT OPTIONS]: an image of 320 MiB (xfs's minimum is 300) made with
# MKFS, loop-mounted; prints the mount point, or returns 1 with the reason in $TMP/why.
loop_fs() {
	local fs=$1 mkfs=$2 opts=${3:-} img dev mnt
	if ! command -v "$mkfs" >/dev/null; then
		echo "$mkfs is not installed (scripts/install-deps.sh installs it)" >"$TMP/why"
		return 1
	fi
	img=$TMP/$fs${opts:+-opt}.img
	mnt=$TMP/mnt-$fs${opts:+-opt}
	truncate -s 320M "$img" && mkdir -p "$mnt" || return 1
	if ! "$mkfs" -q "$img" >"$TMP/why" 2>&1 && ! "$mkfs" "$img" >"$TMP/why" 2>&1; then
		return 1
	fi
	if ! dev=$(losetup -f --show "$img" 2>"$TMP/why"); then
		sed -i '1s/^/no loop device: /' "$TMP/why"
		return 1
	fi
	LOOPS+=("$dev")
	if ! mount ${opts:+-o "$opts"} "$dev" "$mnt" 2>"$TMP/why"; then
		sed -i "1s/^/mount -t $fs: /" "$TMP/why"
		return 1
	fi
	MOUNTS+=("$mnt")
	MNT=$mnt
}

for spec in "ext4 mkfs.ext4" "xfs mkfs.xfs" "btrfs mkfs.btrfs" "btrfs mkfs.btrfs compress=zstd"; do
	read -r fs mkfs opts <<<"$spec"
	name=$fs${opts:+_${opts%%=*}}
	if ! loop_fs "$fs" "$mkfs" "$opts"; then
		skip "make_swap_$name" "$(head -c 200 "$TMP/why")"
		continue
	fi
	run_on "$name" "$MNT"
	if [ "$fs" = btrfs ]; then
		# chattr +C before any data: lsattr inside the run shows C.
		if grep -q '^-*C-* ' "$TMP/out" || grep -q '^[^ ]*C[^ ]* .*lgrun-swap' "$TMP/out"; then
			pass "make_swap_${name}_nocow"
		else
			fail "make_swap_${name}_nocow" "lsattr: $(grep lgrun-swap "$TMP/out" | tail -1)"
		fi
	fi
done

# tmpfs: refused before anything is made, the condition named, exit 2.
mkdir -p "$TMP/mnt-tmpfs"
if mount -t tmpfs -o size=16M lgrun-swapfs "$TMP/mnt-tmpfs" 2>"$TMP/why"; then
	MOUNTS+=("$TMP/mnt-tmpfs")
	"$LGRUN" --memory 32M --make-swap 8M --swap-dir "$TMP/mnt-tmpfs" -- true >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq 2 ] && grep -q '^lgrun: swap directory .* is on tmpfs, which keeps its files in memory' "$TMP/err" &&
		[ -z "$(ls -A "$TMP/mnt-tmpfs")" ]; then
		pass make_swap_tmpfs_refused
	else
		fail make_swap_tmpfs_refused "exit $rc, left: $(ls -A "$TMP/mnt-tmpfs"): $(cat "$TMP/err")"
	fi
else
	skip make_swap_tmpfs_refused "mount -t tmpfs: $(cat "$TMP/why")"
fi

done_testing
