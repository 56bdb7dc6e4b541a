#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# numpy: a Python loop that creates, computes on and drops arrays of 8 to
# 512 MiB (quick: 8 to 64 MiB), the pattern of a data-processing job.  Each
# step allocates the array and two temporaries of its size, so glibc maps
# and unmaps every one of 32 MiB and more.  The output is integer results
# and elementwise float results (sqrt is exact in IEEE arithmetic), which
# do not depend on where the arrays lie.  Contract: bench/apps/lib.sh.
. "$(dirname "$0")/lib.sh"
apps_init numpy "$@"

# Debian's python3 is the one with python3-numpy; PYTHON overrides.
py=${PYTHON:-}
if [ -z "$py" ]; then
	for p in /usr/bin/python3 python3; do
		if apps_plain "$p" -c 'import numpy' >/dev/null 2>&1; then
			py=$p
			break
		fi
	done
fi
if [ -z "$py" ]; then
	echo "numpy: no python3 with numpy (python3-numpy; scripts/install-deps.sh installs it)" >&2
	exit 77
fi

if [ "$QUICK" = 1 ]; then
	sizes="8 16 32 64" rounds=2
else
	sizes="8 16 32 64 128 256 512" rounds=4
fi
# shellcheck disable=SC2086 # (one argument per size)
"$py" - "$rounds" $sizes >"$WORK/out" <<'PY' || { echo "numpy: the python3 workload failed (status $?)" >&2; exit 1; }
import hashlib
import sys

import numpy as np

rounds = int(sys.argv[1])
sizes = [int(s) for s in sys.argv[2:]]
for r in range(rounds):
    for mib in sizes:
        n = (mib << 20) // 8
        a = np.arange(n, dtype=np.int64)          # allocate and write
        b = (a * 2654435761 + r) % 1000003         # two temporaries
        a = None                                   # drop
        c = np.sqrt(b.astype(np.float64))          # a float copy
        s = int(b.sum())
        m = int(np.count_nonzero(c > 500.0))
        h = hashlib.sha256(c[:: 4097].tobytes()).hexdigest()[:16]
        b = c = None
        print(r, mib, s, m, h)
PY
apps_finish "$WORK/out"
