#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run the libFuzzer targets of tests/fuzz/ (built by tests/fuzz/tests.mk):
# the API target for FUZZ_API_SECONDS (default 60), each parser target for
# FUZZ_PARSER_SECONDS (default 5), each from its seed corpus
# tests/fuzz/corpus/<target>/ (and with tests/fuzz/<target>.dict, the words
# of its input, where there is one).  One "ok" line per target with the figures
# (executions, executions per second, coverage), or "not ok" with the
# reproducer libFuzzer saved ($BUILD/tests/fuzz/artifacts/<target>/).
#   FUZZ_TARGETS       which targets (default: all six)
#   FUZZ_KEEP_CORPUS   1: keep new inputs in $BUILD/tests/fuzz/corpus/<target>/
#                      (make fuzz), else in a temporary directory
set -u
. "$(dirname "$0")/../testlib.sh"

here=$(cd "$(dirname "$0")" && pwd)
dir=$BUILD/tests/fuzz
api_secs=${FUZZ_API_SECONDS:-60}
parser_secs=${FUZZ_PARSER_SECONDS:-5}
targets=${FUZZ_TARGETS:-api parse procfs mountinfo lgtrace_opts lgrun_opts}
cc=${FUZZ_CC:-clang}

probe() {
	echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; (void)n; return 0; }' |
		"$cc" -x c -fsanitize=fuzzer - -o /dev/null >/dev/null 2>&1
}

for t in $targets; do
	name=fuzz_$t
	bin=$dir/$name
	if [ ! -x "$bin" ]; then
		if ! command -v "$cc" >/dev/null; then
			skip "$name" "$cc is not installed"
		elif ! probe; then
			skip "$name" "$cc cannot link libFuzzer (-fsanitize=fuzzer: install libclang-rt-dev)"
		else
			fail "$name" "$bin is not built (make build-tests)"
		fi
		continue
	fi
	secs=$parser_secs
	[ "$t" = api ] && secs=$api_secs
	art=$dir/artifacts/$t
	mkdir -p "$art"
	if [ "${FUZZ_KEEP_CORPUS:-0}" = 1 ]; then
		work=$dir/corpus/$t
		mkdir -p "$work"
	else
		work=$(mktemp -d)
	fi
	dict=()
	[ -f "$here/$t.dict" ] && dict=(-dict="$here/$t.dict")
	log=$(mktemp)
	# New inputs go to the first directory; the seeds are only read.
	"$bin" -max_total_time="$secs" -timeout=60 -rss_limit_mb=4096 -print_final_stats=1 \
		-artifact_prefix="$art/" "${dict[@]}" "$work" "$here/corpus/$t" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	cov=$(grep -a -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	feat=$(grep -a -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
	if [ "$rc" -eq 0 ]; then
		pass "$name: $secs s, ${runs:-?} executions (${rate:-?}/s), coverage ${cov:-?} edges, ${feat:-?} features, 0 crashes"
	else
		repro=$(grep -a -o "Test unit written to [^ ]*" "$log" | tail -1 | sed 's/^Test unit written to //')
		grep -a -v '^#\|^INFO\|^\s*$' "$log" | tail -40 | sed 's/^/# /'
		fail "$name" "exit status $rc; reproducer: ${repro:-none saved} (run: $bin ${repro:-INPUT})"
	fi
	rm -f "$log"
	[ "${FUZZ_KEEP_CORPUS:-0}" = 1 ] || rm -rf "$work"
done
done_testing
