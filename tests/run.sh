#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run test programs and add up their results.
#
#   tests/run.sh LABEL PROG...
#
# A PROG is a cmocka binary (its "[  PASSED  ] N test(s)." summary lines are
# counted) or a shell test built on tests/testlib.sh (its "ok", "not ok" and
# "SKIP" lines are counted).  A program that exits non-zero without
# reporting a failure counts as one failure.  The last line is the plain
# "LABEL: N passed, N failed, N skipped" summary; exit status 1 on any failure.
set -u
label=$1
shift
passed=0 failed=0 skipped=0
for prog in "$@"; do
	echo "=== $label: $prog"
	out=$(mktemp)
	# With the signals' default actions, whatever the caller ignored (nohup,
	# a script's background job ignores SIGINT and SIGQUIT): the tests send
	# signals and check what they do.
	env --default-signal=HUP,INT,QUIT,TERM "$prog" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p; s/^ok .*/1/p' "$out" | awk '{s+=$1} END {print s+0}')
	f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p; s/^not ok .*/1/p' "$out" | awk '{s+=$1} END {print s+0}')
	s=$(sed -n 's/^\[  SKIPPED \] \([0-9]*\) test.*/\1/p; s/^SKIP .*/1/p' "$out" | awk '{s+=$1} END {print s+0}')
	p=${p:-0} f=${f:-0} s=${s:-0}
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		echo "not ok $prog exited with status $rc"
		f=1
	fi
	passed=$((passed + p)) failed=$((failed + f)) skipped=$((skipped + s))
	rm -f "$out"
done
echo "$label: $passed passed, $failed failed, $skipped skipped"
# `make test` collects every suite's counts for its closing total.
[ -n "${LG_TEST_TOTALS:-}" ] && echo "$passed $failed $skipped" >>"$LG_TEST_TOTALS"
[ "$failed" -eq 0 ]
