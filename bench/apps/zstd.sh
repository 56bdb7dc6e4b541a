#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# zstd --long=31: compress eight copies of generated log text (each with
# its own header line) from a pipe, so zstd cannot size its window by the
# input: a 2 GiB long-distance window, whose matches are the repeats; then
# decompress (--long=31 again) and check the round trip.  Full: 8 x 48 MiB,
# quick: 8 x 1 MiB.  The output is the compressed stream.  Contract:
# bench/apps/lib.sh.
. "$(dirname "$0")/lib.sh"
apps_init zstd "$@"
apps_need zstd awk sha256sum cmp

if [ "$QUICK" = 1 ]; then lines=12000; else lines=600000; fi
apps_log_text "$lines" >"$WORK/part" || { echo "zstd: generating the input failed" >&2; exit 1; }
copies() { for i in 1 2 3 4 5 6 7 8; do echo "copy $i"; cat "$WORK/part"; done; }
copies | apps_plain cat >"$WORK/input"
apps_plain cat "$WORK/input" | zstd -q -3 --long=31 -T1 -c >"$WORK/out" || { echo "zstd: zstd --long=31 failed" >&2; exit 1; }
zstd -q -d --long=31 -c "$WORK/out" >"$WORK/back" || { echo "zstd: zstd -d failed" >&2; exit 1; }
apps_plain cmp -s "$WORK/input" "$WORK/back" || { echo "zstd: the round trip changed the data" >&2; exit 1; }
apps_finish "$WORK/out"
