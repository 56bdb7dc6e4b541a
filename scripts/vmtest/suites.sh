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
# shellcheck disable=SC2086 # the lists are space-separated paths
tests/run.sh "vmtest unit tests ($release)" $1 || rc=1
# shellcheck disable=SC2086
tests/run.sh "vmtest integration tests ($release)" $2 || rc=1
awk '{p+=$1; f+=$2; s+=$3} END {printf "vmtest: %d passed, %d failed, %d skipped\n", p, f, s}' "$LG_TEST_TOTALS"
rm -f "$LG_TEST_TOTALS"
exit $rc
