#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# GNU sort -S: sort generated log text by two keys with a 1 GiB buffer
# (quick: 64 MiB), read from a pipe so that sort sizes its buffer by -S
# and not by the file.  The full input (about 100 MiB) fits the buffer,
# in one pass over two threads.  The output is the sorted text.  Contract:
# bench/apps/lib.sh.
. "$(dirname "$0")/lib.sh"
apps_init sort "$@"
apps_need sort awk sha256sum

if [ "$QUICK" = 1 ]; then lines=40000 buf=64M; else lines=1200000 buf=1G; fi
apps_log_text "$lines" >"$WORK/input" || { echo "sort: generating the input failed" >&2; exit 1; }
apps_plain cat "$WORK/input" | LC_ALL=C sort -S "$buf" -T "$WORK" -k5,5 -k3,3 >"$WORK/out" ||
	{ echo "sort: sort -S $buf failed" >&2; exit 1; }
apps_finish "$WORK/out"
