#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# numpy's own test suite (python3 -c 'import numpy; numpy.test()', pytest
# and hypothesis from Debian) under liblgalloc_preload.so, with
# LGALLOC_PRELOAD_MIN_BYTES=1M so that every array of more than 1 MiB (the
# smallest lgalloc serves) comes from lgalloc's pools.  Passes when the
# suite passes and LGALLOC_STATS=1 shows lgalloc served its large arrays.
# Under glibc the same suite passes with no failure (docs/preload.md).
# Three minutes here: `make test-numpy`, and part of make test.
. "$(dirname "$0")/../testlib.sh"
cd "$(dirname "$0")/../.." || exit 1

so=$(cd "$BUILD/lib" && pwd)/liblgalloc_preload.so
name="numpy.test() under the preload (LGALLOC_PRELOAD_MIN_BYTES=1M)"
# Debian's python3 is the one with python3-numpy; PYTHON overrides.
py=${PYTHON:-/usr/bin/python3}
if ! "$py" -c 'import numpy, pytest, hypothesis' 2>/dev/null; then
	skip "$name" "$py lacks numpy, pytest or hypothesis (python3-numpy, python3-pytest, python3-hypothesis: scripts/install-deps.sh)"
	done_testing
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# In a directory of its own: hypothesis keeps its database in ./.hypothesis.
# The preload reads LGALLOC_STATS at start-up; the suite's process drops it
# from its environment then, so that the programs the suite starts (under
# the preload too) print no table into the output their tests compare.
(cd "$tmp" && LD_PRELOAD=$so LGALLOC_PRELOAD_MIN_BYTES=1M LGALLOC_STATS=1 PYTHONDONTWRITEBYTECODE=1 \
	timeout 1800 "$py" -c 'import os, sys
del os.environ["LGALLOC_STATS"]
import numpy
sys.exit(0 if numpy.test() else 1)' >"$tmp/out" 2>"$tmp/err")
rc=$?
summary=$(grep -a -E '(passed|failed).* in [0-9.]+s' "$tmp/out" | tail -1 | tr -d '=')
if [ "$rc" = 0 ]; then
	pass "$name:$summary"
else
	fail "$name" "status $rc:$summary $(grep -a -E '^(FAILED|ERROR) ' "$tmp/out" | head -20) $(tail -5 "$tmp/err")"
fi

# The statistics of the python3 process that ran the suite (the only
# table).  Classes of 2 MiB and up, so arrays of more than 1 MiB.
stats=$(awk '/^liblgalloc_preload: statistics at exit/ {n = 0; next}
	$1 == "class_bytes" {for (i = 1; i <= NF; i++) col[$i] = i; next}
	col["allocations"] && $1 ~ /^[0-9]+$/ {n += $col["allocations"]; if (n > best) best = n;
		cls[$1] = 1}
	END {c = 0; for (k in cls) c++; print best + 0, c}' "$tmp/err")
# shellcheck disable=SC2086 # (two numbers)
set -- $stats
if [ "${1:-0}" -ge 100 ]; then
	pass "numpy.test(): lgalloc served $1 blocks of more than 1 MiB, in $2 size classes"
else
	fail "numpy.test(): lgalloc serves its arrays of more than 1 MiB" "$(grep -a -A20 'statistics at exit' "$tmp/err" | head -30)"
fi
done_testing
