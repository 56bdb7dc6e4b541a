#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# PostgreSQL 15 under the allocator this script is given (LD_PRELOAD and
# LGALLOC_* reach the postmaster and its backends): large in-memory sorts,
# hash joins, a hash aggregate and COPY of large data, from the SQL files in
# bench/apps/postgres/.
#
#   bench/apps/postgres.sh [--quick]
#
# Starts its own server in a temporary data directory under
# ${APPS_TMPDIR:-$(mktemp -d)}: Unix socket in that directory only
# (listen_addresses=''), fsync off, autovacuum and JIT off, no parallel
# workers.  As root the server runs as $SUDO_USER, else as the `postgres`
# system user, else as `nobody` (setpriv); never as root; that user gets
# search permission on the directories above the work directory that deny
# it (a runner's mktemp -d), until exit.  Everything it started, created or
# changed is undone on every exit path (trap): the server is stopped (fast
# shutdown) and waited for, the directory removed, the modes restored.
#
# Full run: 2,200,000 rows, the sort and hash join files 3 times, COPY of
# 1,000,000 rows (50 MB) and of 3 values of 48 MiB.  Its biggest single
# allocations (the sorts' SortTuple arrays, the self-join's bucket array,
# the hash aggregate's table, COPY's line buffer, detoasted values) are of
# 32 MiB and more: the preload's default threshold sends them to lgalloc.
# --quick: 400,000 rows (COPY: 20 MB), once each, 2 values of 40 MiB; there
# only the COPY of large values reaches 32 MiB (the arrays and buckets are
# of 2 to 16 MiB: LGALLOC_PRELOAD_MIN_BYTES=2M sends them to lgalloc).
#
# Output: one line per query result is hashed (the COPY files by their
# sha256); stdout says what ran and ends with `output-sha256 HEX`.
# With LGALLOC_STATS=1 the preload's statistics of every server process
# (written to the server's log at their exit) are copied to stderr.
# POSTGRES_RESULTS=FILE keeps a copy of the hashed results.
#
# Exit status: 0 success; 1 failure (message on stderr); 2 usage; 77 cannot
# run here (no PostgreSQL 15 binaries; no user to run the server as).
set -u
die() { echo "postgres.sh: $*" >&2; exit 1; }
cannot() { echo "postgres.sh: cannot run: $*" >&2; exit 77; }

# Only the server gets the preload: this script (re-executed without it,
# so that its subshells do not print statistics), its helpers and the
# clients run without it; LGALLOC_* and the like do nothing without it.
if [ -n "${LD_PRELOAD:-}" ]; then
	exec env -u LD_PRELOAD _POSTGRES_SH_PRELOAD="$LD_PRELOAD" "$BASH" "$0" "$@"
fi
preload=${_POSTGRES_SH_PRELOAD:-}
unset _POSTGRES_SH_PRELOAD
# The contract's options, work directory and traps (lib.sh); apps_on_exit
# below stops the server first.
. "$(dirname "$0")/lib.sh"
apps_init postgres "$@"
work=$WORK
srvenv=(env)
[ -n "$preload" ] && srvenv+=(LD_PRELOAD="$preload")

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
for b in initdb postgres psql pg_isready; do
	[ -x "$PGBIN/$b" ] || cannot "$PGBIN/$b not found (Debian: apt-get install postgresql-15)"
done
sqldir=$(cd "$(dirname "$0")/postgres" && pwd) || die "bench/apps/postgres/ not found beside $0"

if [ "$QUICK" -eq 1 ]; then
	rows=400000 repeats=1 copy_rows=400000 big_rows=2 big_mib=40
else
	rows=2200000 repeats=3 copy_rows=1000000 big_rows=3 big_mib=48
fi

# The server's user: never root (initdb and postgres refuse it anyway).
as=()
if [ "$(id -u)" -eq 0 ]; then
	user=
	if [ -n "${SUDO_USER:-}" ] && [ "$SUDO_USER" != root ] && id -u "$SUDO_USER" >/dev/null 2>&1; then
		user=$SUDO_USER
	elif id -u postgres >/dev/null 2>&1; then
		user=postgres
	elif id -u nobody >/dev/null 2>&1; then
		user=nobody
	fi
	[ -n "$user" ] || cannot "running as root and no user to run the server as (SUDO_USER, postgres, nobody)"
	command -v setpriv >/dev/null || cannot "setpriv not found (util-linux)"
	as=(setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" --init-groups --)
else
	user=$(id -un)
fi

pid=''
granted=() # "MODE DIR" of directories given search permission, restored at exit
apps_on_exit() {
	if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
		kill -INT "$pid" 2>/dev/null # fast shutdown: backends end, postmaster exits
		for _ in $(seq 300); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && kill -QUIT "$pid" 2>/dev/null # immediate shutdown
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
	fi
	# Reaped here, so the server's page faults and RSS count in this
	# script's children's rusage (what a runner measures).
	[ -n "$pid" ] && wait "$pid" 2>/dev/null
	pid=
	if [ -n "${LGALLOC_STATS:-}" ] && [ "$LGALLOC_STATS" != 0 ] && [ -f "$work/server.log" ]; then
		# Only the tables of processes that used lgalloc.
		awk '/^liblgalloc_preload: statistics/ {h = $0; c = ""; next}
			/^ +class_bytes/ {c = $0; next}
			/^ +[0-9]+( +[0-9]+)+$/ && c != "" {if (h != "") print h "\n" c; h = ""; print}' \
			"$work/server.log" >&2
	fi
	local m
	for m in "${granted[@]}"; do chmod "${m%% *}" "${m#* }"; done
	granted=()
}

if [ ${#as[@]} -gt 0 ]; then
	chown "$user:" "$work" || die "chown $user $work failed"
	# A mktemp -d is root's alone (0700): the server's user gets
	# search permission on the directories above $work that deny it, for
	# the run only (their modes are restored on exit).
	d=${work%/*}
	while [ -n "$d" ]; do
		if ! "${as[@]}" test -x "$d"; then
			granted+=("$(stat -c %a "$d") $d")
			chmod o+x "$d" || die "chmod o+x $d failed"
		fi
		d=${d%/*}
	done
fi
"${as[@]}" test -w "$work" ||
	die "the server's user $user cannot write $work (make its parent directories searchable: chmod 711)"
[ ${#work} -lt 80 ] || die "work directory path too long for a Unix socket: $work"

client() { "${as[@]}" "$@"; }

client "$PGBIN/initdb" -D "$work/data" -U bench -A trust --no-locale -E UTF8 --no-sync \
	>"$work/initdb.log" 2>&1 || die "initdb failed: $(tail -5 "$work/initdb.log")"

# The postmaster gets this script's environment (LD_PRELOAD, LGALLOC_*);
# setpriv and env exec it, so $! is the postmaster.  Every temporary file is
# logged: a sort or hash that spilled to disk fails the run (work_mem too
# small for what this workload is meant to measure).
"${as[@]}" "${srvenv[@]}" "$PGBIN/postgres" -D "$work/data" \
	-c listen_addresses= -c unix_socket_directories="$work" -c port=5432 \
	-c fsync=off -c synchronous_commit=off -c full_page_writes=off \
	-c wal_level=minimal -c max_wal_senders=0 -c max_wal_size=8GB \
	-c autovacuum=off -c jit=off -c max_parallel_workers_per_gather=0 \
	-c shared_buffers=128MB -c log_temp_files=0 -c logging_collector=off \
	</dev/null >"$work/server.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
	kill -0 "$pid" 2>/dev/null || { wait "$pid"; pid=; die "the server exited at start-up: $(tail -5 "$work/server.log")"; }
	client "$PGBIN/pg_isready" -q -h "$work" -p 5432 && break
	sleep 0.1
done
client "$PGBIN/pg_isready" -q -h "$work" -p 5432 || die "the server did not accept connections in 60 s"

sql() { # FILE: runs bench/apps/postgres/FILE, appends its output to the results
	client "$PGBIN/psql" -X -q -A -t -F ' ' -v ON_ERROR_STOP=1 -h "$work" -p 5432 -U bench -d postgres \
		-v rows="$rows" -v copy_rows="$copy_rows" -v big_rows="$big_rows" -v big_mib="$big_mib" \
		-v tfile="$work/t.copy" -v bigfile="$work/big.copy" \
		<"$sqldir/$1" >>"$work/results" 2>"$work/psql.err" ||
		die "$1 failed: $(cat "$work/psql.err")"
}

# Which preloaded objects a backend has mapped (from its own maps).
mapped=$(client "$PGBIN/psql" -X -q -A -t -h "$work" -p 5432 -U bench -d postgres \
	-c "SELECT pg_read_file('/proc/self/maps')" 2>&1) || die "reading a backend's maps failed: $mapped"
inmaps=
for obj in ${preload//:/ }; do
	grep -qF "/${obj##*/}" <<<"$mapped" && inmaps="$inmaps ${obj##*/}"
done
echo "postgres: server as $user, rows $rows, repeats $repeats; preloaded in a backend:${inmaps:- none}"

start=$(date +%s.%N)
sql setup.sql
for _ in $(seq "$repeats"); do
	sql sort.sql
	sql hashjoin.sql
done
sql copy.sql
for f in t.copy big.copy; do
	echo "$f $(wc -c <"$work/$f") $(sha256sum <"$work/$f" | cut -d' ' -f1)" >>"$work/results"
done
end=$(date +%s.%N)

if grep -q 'temporary file' "$work/server.log"; then
	die "a query spilled to disk (work_mem too small): $(grep 'temporary file' "$work/server.log" | head -3)"
fi
[ -n "${POSTGRES_RESULTS:-}" ] && cp "$work/results" "$POSTGRES_RESULTS"
echo "postgres: queries took $(awk -v a="$start" -v b="$end" 'BEGIN {printf "%.1f", b - a}') s"
apps_finish "$work/results"
