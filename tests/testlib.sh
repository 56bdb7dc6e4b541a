# SPDX-License-Identifier: MIT
# Helpers for shell tests: source it, call check/pass/fail/skip, end with done_testing.
#   pass NAME          one passed test
#   fail NAME [WHY]    one failed test
#   skip NAME WHY      one skipped test, with the reason (printed as "SKIP NAME: WHY")
#   check NAME CMD...  pass if CMD succeeds, else fail
TL_FAILED=0
# BUILD names the build directory (make test passes it on; by hand:
# BUILD=build tests/DIR/NAME.sh).
if [ -z "${BUILD:-}" ]; then
	echo "not ok ${0##*/}: BUILD is not set (run it through make test, or BUILD=build $0)"
	exit 1
fi
pass() { echo "ok $1"; }
fail() { echo "not ok $1${2:+: $2}"; TL_FAILED=1; }
skip() { echo "SKIP $1: $2"; }
check() {
	local name=$1
	shift
	if "$@"; then pass "$name"; else fail "$name" "command failed: $*"; fi
}
done_testing() { exit "$TL_FAILED"; }
# need_root NAME: skip NAME and return 1 unless running as root.
need_root() {
	if [ "$(id -u)" -ne 0 ]; then skip "$1" "needs root"; return 1; fi
}
