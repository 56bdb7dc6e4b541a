#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Asynchronous prefetch on swapped memory: under a 64 MiB memory cgroup with
# swap (lgrun), reading regions after lgalloc_prefetch_async() and a submit
# (then a pause, or lgalloc_prefetch_wait() on each region) takes fewer major
# faults than reading equally swapped regions without a hint
# (tests/lib/prefetch_swap_workload.c).  Needs root; SKIPs otherwise.
#   tests/lib/prefetch_swap_test.sh
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/testlib.sh

NAME=prefetch_async_fewer_major_faults
LGRUN=${LGRUN:-$BUILD/tools/lgrun}
WORKLOAD=$BUILD/tests/lib/prefetch_swap_workload

need_root "$NAME" || done_testing
for f in "$LGRUN" "$WORKLOAD"; do
	if [ ! -x "$f" ]; then
		fail "$NAME" "$f missing: run make build-tests"
		done_testing
	fi
done

out=$("$LGRUN" -q --memory 64M --make-swap 512M -- "$WORKLOAD" 64 2>&1)
rc=$?
sed 's/^/# /' <<<"$out"
case $rc in
0) pass "$NAME" ;;
1) fail "$NAME" "$(tail -n 1 <<<"$out")" ;;
*) fail "$NAME" "lgrun or the workload failed (exit $rc)" ;;
esac
done_testing
