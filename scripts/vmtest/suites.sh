#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run in the guest by `make vmtest`: the unit suites and the kernel
# integration tests, each through tests/run.sh with a label naming the
# guest's kernel, then the closing line "vmtest: N passed, N failed, N skipped".
#
#   scripts/vmtest/suites.sh "UNIT_TEST..." "INTEGRATION_TEST..."
#
# Exit status 1 when any test failed.
set -u
release=$(uname -r)
LG_TEST_TOTALS=$(mktemp) || exit 1
export LG_TEST_TOTALS
rc=0
# A heartbeat on the console every 60 s (VMTEST_HEARTBEAT, passed with -e): the
# guest's uptime and the test programs running (PID, seconds, command), so
# that a guest that hangs shows what it was running.
heartbeat() {
	while sleep "${VMTEST_HEARTBEAT:-60}"; do
		echo "vmtest: up $(cut -d' ' -f1 /proc/uptime) s, running: $(ps -eo pid=,etimes=,args= |
			grep -E '[t]ests/[a-z]+/[a-z_]+(_test\.sh|/test_)|[l]gtrace |[l]grun |[l]gbench |[l]gtrace_work' |
			grep -v 'suites\.sh' |
			tail -4 | cut -c1-90 | tr -s ' ' | paste -sd'|')"
	done
}
heartbeat &
hb=$!
trap 'kill $hb 2>/dev/null' EXIT
# shellcheck disable=SC2086 # the lists are space-separated paths
tests/run.sh "vmtest unit tests ($release)" $1 || rc=1
# shellcheck disable=SC2086
tests/run.sh "vmtest integration tests ($release)" $2 || rc=1
awk '{p+=$1; f+=$2; s+=$3} END {printf "vmtest: %d passed, %d failed, %d skipped\n", p, f, s}' "$LG_TEST_TOTALS"
rm -f "$LG_TEST_TOTALS"
exit $rc
