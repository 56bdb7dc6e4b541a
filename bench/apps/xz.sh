#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# xz -9: compress generated log text read from a pipe (so xz cannot shrink
# its 64 MiB dictionary to the input: about 674 MiB of match-finder tables,
# most of them allocated zeroed with calloc), then decompress and check the
# round trip.  Full: 12 MiB of text, quick: 512 KiB.  The output is the
# compressed stream.  Contract: bench/apps/lib.sh.
. "$(dirname "$0")/lib.sh"
apps_init xz "$@"
apps_need xz awk sha256sum cmp

if [ "$QUICK" = 1 ]; then lines=6000; else lines=150000; fi
apps_log_text "$lines" >"$WORK/input" || { echo "xz: generating the input failed" >&2; exit 1; }
apps_plain cat "$WORK/input" | xz -9 -T1 -c >"$WORK/out" || { echo "xz: xz -9 failed" >&2; exit 1; }
xz -d -c "$WORK/out" >"$WORK/back" || { echo "xz: xz -d failed" >&2; exit 1; }
apps_plain cmp -s "$WORK/input" "$WORK/back" || { echo "xz: the round trip changed the data" >&2; exit 1; }
apps_finish "$WORK/out"
