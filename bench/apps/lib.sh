# SPDX-License-Identifier: MIT
# shellcheck shell=bash disable=SC2034 # (QUICK, WORK: for the workload that sources this)
# Sourced by the workloads in bench/apps/ (bash).  The contract of a
# workload, bench/apps/APP.sh [--quick]:
#   - runs its workload once under the environment it is given (LD_PRELOAD,
#     LGALLOC_*): every process it starts inherits it;
#   - works in a directory of its own under "${APPS_TMPDIR:-$(mktemp -d)}"
#     and removes what it created on every exit path (also SIGINT, SIGTERM);
#   - exits 0 on success, non-zero with a message on stderr otherwise, and
#     77 with the reason on stderr when it cannot run (a program missing);
#   - prints as its last stdout line "output-sha256 HEX": the SHA-256 of the
#     workload's output, so that runs under different allocators compare
#     byte for byte;
#   - --quick takes seconds (make test), the full run tens of seconds.
#
#   apps_init NAME "$@"   parse --quick (sets QUICK=1), make $WORK, set traps;
#                         at exit, apps_on_exit runs first if the workload
#                         defines it (to stop what it started), then $WORK goes
#   apps_need PROG...     exit 77 unless each PROG is on PATH
#   apps_log_text LINES   write LINES lines of generated web-server log on
#                         stdout (deterministic: the same bytes every run)
#   apps_plain CMD...     run CMD without LD_PRELOAD (input generation and
#                         checks are not the workload)
#   apps_finish FILE      print "output-sha256 HEX" of FILE, exit 0

apps_init() {
	APP=$1
	shift
	QUICK=0
	case "${1:-}" in
	--quick) QUICK=1 ;;
	"") ;;
	*)
		echo "$APP: unknown argument '$1' (usage: $0 [--quick])" >&2
		exit 2
		;;
	esac
	APPS_OWN_BASE=
	local base=${APPS_TMPDIR:-}
	if [ -z "$base" ]; then
		base=$(mktemp -d) || {
			echo "$APP: mktemp -d failed" >&2
			exit 1
		}
		APPS_OWN_BASE=$base
	fi
	WORK=$(mktemp -d "$base/$APP.XXXXXX") || {
		echo "$APP: cannot make a work directory under $base" >&2
		[ -n "$APPS_OWN_BASE" ] && rm -rf "$APPS_OWN_BASE"
		exit 1
	}
	trap 'if declare -F apps_on_exit >/dev/null; then apps_on_exit; fi; rm -rf "$WORK" ${APPS_OWN_BASE:+"$APPS_OWN_BASE"}' EXIT
	# A signal ends the script through the EXIT trap (bash runs it on exit).
	trap 'exit 130' INT
	trap 'exit 143' TERM
	trap 'exit 129' HUP
}

apps_need() {
	local p
	for p in "$@"; do
		if ! command -v "$p" >/dev/null 2>&1; then
			echo "$APP: $p is not installed (scripts/install-deps.sh installs it)" >&2
			exit 77
		fi
	done
}

apps_plain() {
	env -u LD_PRELOAD "$@"
}

# Log lines: a timestamp, a worker, a method, a path with an id, a status,
# a size; the fields vary by a 32-bit LCG (exact in awk's doubles).
apps_log_text() {
	apps_plain awk -v n="$1" 'BEGIN {
		split("GET POST PUT DELETE GET GET POST GET", m, " ")
		split("/api/v1/users /api/v1/orders /static/app.js /index.html /api/v2/search /healthz /api/v1/cart /login", p, " ")
		x = 1
		for (i = 0; i < n; i++) {
			x = (x * 69069 + 1) % 4294967296
			s = i * 7
			printf "2026-11-30T%02d:%02d:%02d.%03d worker-%d %s %s?id=%d status=%d bytes=%d\n",
				int(s / 3600000) % 24, int(s / 60000) % 60, int(s / 1000) % 60, s % 1000, x % 8,
				m[1 + int(x / 536870912)], p[1 + int(x / 8) % 8], int(x / 64) % 100000,
				(x % 17 == 0 ? 404 : 200), int(x / 4096) % 65536
		}
	}'
}

apps_finish() {
	local sum
	sum=$(apps_plain sha256sum <"$1") || {
		echo "$APP: sha256sum of the output failed" >&2
		exit 1
	}
	echo "output-sha256 ${sum%% *}"
	exit 0
}
