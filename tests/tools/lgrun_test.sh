#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lgrun, the memory-limit runner: the limit is applied inside, CMD's exit
# status passes through, and no cgroup or swap file lgrun made is left after
# a normal exit, a failing CMD, SIGINT/SIGTERM, Ctrl-C on a terminal or bad
# input.  A small memory hog under --memory 32M --make-swap 256M really swaps.
#   tests/tools/lgrun_test.sh        (root for everything but the bad-input checks)
set -u
cd "$(dirname "$0")/../.." || exit 1
. tests/testlib.sh

LGRUN=${LGRUN:-$BUILD/tools/lgrun}
LGRUN=$(realpath "$LGRUN" 2>/dev/null || echo "$LGRUN")
if [ ! -x "$LGRUN" ]; then
	fail lgrun_built "$LGRUN missing: run make"
	done_testing
fi

TMP=$(mktemp -d /var/tmp/lgrun-test.XXXXXX) || exit 1
SWAPDIR=$TMP/swap
mkdir -p "$SWAPDIR"
PARENT=          # where lgrun makes its cgroups (learnt from its start line)
CG_BEFORE=       # lgrun-* cgroups in PARENT before this test
BG_PIDS=()

# Whatever happens to this script, take down what its runs may have left:
# running lgrun processes, swap files in SWAPDIR, cgroups that were not there before.
cleanup() {
	local p f c
	for p in "${BG_PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
	for p in "${BG_PIDS[@]}"; do wait "$p" 2>/dev/null; done
	for f in "$SWAPDIR"/lgrun-swap.*; do
		[ -e "$f" ] || continue
		swapoff "$f" 2>/dev/null
		rm -f "$f"
	done
	if [ -n "$PARENT" ]; then
		for c in $(cg_list); do
			grep -qx "$c" <<<"$CG_BEFORE" || find "$PARENT/$c" -depth -type d -exec rmdir {} + 2>/dev/null
		done
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

cg_list() { ls "$PARENT" 2>/dev/null | grep '^lgrun-' | sort; }
swaps() { awk 'NR > 1 { print $1 }' /proc/swaps | sort; }

# nothing_left NAME: no new lgrun cgroup in PARENT, no swap area or file from SWAPDIR.
nothing_left() {
	local cg sw files
	cg=$(comm -13 <(echo "$CG_BEFORE") <(cg_list) | grep .)
	sw=$(swaps | grep -F "$SWAPDIR/")
	files=$(ls -A "$SWAPDIR")
	if [ -z "$cg$sw$files" ]; then
		pass "$1"
	else
		fail "$1" "left behind:${cg:+ cgroup $cg}${sw:+ swap $sw}${files:+ files $files}"
	fi
}

# expect_status NAME WANT CMD...: CMD exits with WANT.
expect_status() {
	local name=$1 want=$2 rc
	shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		pass "$name"
	else
		fail "$name" "exit $rc, want $want: $(head -c 300 "$TMP/err")"
	fi
}

# What CMD sees of its own cgroup: "MEMORY SWAP" (v2: memory.max memory.swap.max,
# v1: memory.limit_in_bytes memory.memsw.limit_in_bytes), found through /proc/self/cgroup.
cat >"$TMP/limits.sh" <<'SH'
v2=$(sed -n 's/^0::\(.*\)/\1/p' /proc/self/cgroup)
m2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -n "$m2" ] && [ -f "$m2$v2/memory.max" ]; then
	echo "$(cat "$m2$v2/memory.max") $(cat "$m2$v2/memory.swap.max" 2>/dev/null)"
	exit
fi
v1=$(sed -n 's/^[0-9]*:\([^:]*,\)\{0,1\}memory\(,[^:]*\)\{0,1\}:\(.*\)/\3/p' /proc/self/cgroup)
m1=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/mounts)
echo "$(cat "$m1$v1/memory.limit_in_bytes") $(cat "$m1$v1/memory.memsw.limit_in_bytes" 2>/dev/null)"
SH

# --- bad input: a message, a non-zero exit, nothing made (no root needed) ---
bad_input() {
	local name=$1 want=$2 rc
	shift 2
	"$LGRUN" "$@" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ "$rc" -ne "$want" ]; then
		fail "$name" "exit $rc, want $want"
	elif ! grep -q '^lgrun: ' "$TMP/err"; then
		fail "$name" "no 'lgrun: ...' message"
	else
		pass "$name"
	fi
}
bad_inputs() {
	bad_input bad_size 2 --memory 12Q -- true
	bad_input bad_swap_size 2 --memory 32M --swap 4X -- true
	bad_input zero_memory 2 --memory 0 -- true
	bad_input missing_memory 2 -- true
	bad_input missing_cmd 2 --memory 32M
	bad_input unknown_option 2 --memory 32M --frobnicate -- true
	bad_input unknown_mechanism 2 --mechanism v3 --memory 32M -- true
	bad_input cmd_not_found 127 --memory 32M -- lgrun-no-such-command
	echo 'echo hi' >"$TMP/not-executable"
	chmod 644 "$TMP/not-executable"
	bad_input cmd_not_executable 126 --memory 32M -- "$TMP/not-executable"
	check help_shows_examples sh -c '"$0" --help | grep -q "^Examples:"' "$LGRUN"
	check version_printed sh -c '"$0" --version | grep -Eqx "lgrun [0-9]+\.[0-9]+\.[0-9]+"' "$LGRUN"
}

if ! need_root lgrun_root_checks; then
	bad_inputs
	done_testing
fi

# --- learn where cgroups go, then: limits seen inside, status passes through ---
# systemd-run, where it works, would make the cgroup: the checks below are about
# lgrun's own cgroups, so it gets a systemd-run that always fails (and falls back).
export LGRUN_SYSTEMD_RUN=/bin/false
"$LGRUN" --memory 48M --swap 16M -- sh "$TMP/limits.sh" >"$TMP/out" 2>"$TMP/err"
rc=$?
cp "$TMP/err" "$TMP/first_err"
PARENT=$(sed -n 's/^lgrun: cgroup \(.*\)\/lgrun-[0-9-]* (v[12]).*/\1/p' "$TMP/err")
if [ "$rc" -ne 0 ] || [ -z "$PARENT" ]; then
	fail limit_applied "exit $rc: $(cat "$TMP/err")"
	done_testing
fi
CG_BEFORE=$(cg_list)
read -r mem swap <"$TMP/out"
if grep -q '(v1)' "$TMP/err"; then want_swap=$(((48 + 16) << 20)); else want_swap=$((16 << 20)); fi
if [ "$mem" = $((48 << 20)) ] && [ "$swap" = "$want_swap" ]; then
	pass limit_applied
else
	fail limit_applied "CMD saw memory '$mem' swap '$swap', want $((48 << 20)) $want_swap"
fi
check start_line_names_mechanism grep -q "^lgrun: cgroup $PARENT/lgrun-[0-9-]* (v[12]): memory 48M, swap 16M" "$TMP/err"
[ -z "$CG_BEFORE" ] && pass cleanup_after_first_run || fail cleanup_after_first_run "left: $CG_BEFORE"
bad_inputs
nothing_left bad_input_leaves_nothing

expect_status status_0 0 "$LGRUN" -q --memory 32M -- true
expect_status status_3 3 "$LGRUN" -q --memory 32M -- sh -c 'exit 3'
nothing_left cleanup_after_cmd_failure
expect_status status_killed_by_term 143 "$LGRUN" -q --memory 32M -- sh -c 'kill -TERM $$'
expect_status status_killed_by_kill 137 "$LGRUN" -q --memory 32M -- sh -c 'kill -KILL $$'
nothing_left cleanup_after_cmd_killed
check quiet_prints_nothing test ! -s "$TMP/err"
expect_status leftover_process_killed 0 "$LGRUN" --memory 32M -- sh -c 'sleep 30 >/dev/null 2>&1 & exit 0'
check leftover_process_reported grep -q '^lgrun: killed 1 process left in' "$TMP/err"
nothing_left cleanup_after_leftover_process
# CMD makes a child cgroup in its own (as container runtimes and systemd do), moves a
# sleeper there and exits: lgrun exits with CMD's status, kills the sleeper and removes
# both cgroups (depth-first).
cat >"$TMP/nest.sh" <<'SH'
v2=$(sed -n 's/^0::\(.*\)/\1/p' /proc/self/cgroup)
m2=$(awk '$3 == "cgroup2" { print $2; exit }' /proc/mounts)
if [ -n "$m2" ] && [ -f "$m2$v2/memory.max" ]; then
	own=$m2$v2
else
	v1=$(sed -n 's/^[0-9]*:\([^:]*,\)\{0,1\}memory\(,[^:]*\)\{0,1\}:\(.*\)/\3/p' /proc/self/cgroup)
	own=$(awk '$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }' /proc/mounts)$v1
fi
mkdir "$own/child" "$own/child/grandchild" || exit 9
sleep 300 >/dev/null 2>&1 </dev/null &
echo $! >"$1"
echo $! >"$own/child/grandchild/cgroup.procs" || exit 9
exit 7
SH
expect_status nested_cgroup_status_passed 7 "$LGRUN" --memory 32M -- sh "$TMP/nest.sh" "$TMP/nest.pid"
sleeper=$(cat "$TMP/nest.pid" 2>/dev/null)
# Killed: gone, or a zombie its new parent has not reaped yet.
if [ -n "$sleeper" ] && { [ ! -e "/proc/$sleeper" ] || grep -q '^[0-9]* ([^)]*) Z' "/proc/$sleeper/stat" 2>/dev/null; }; then
	pass nested_cgroup_sleeper_killed
else
	fail nested_cgroup_sleeper_killed "sleeper '${sleeper}' still runs"
	[ -n "$sleeper" ] && kill -KILL "$sleeper" 2>/dev/null
fi
check nested_cgroup_reported grep -q '^lgrun: removed 2 cgroups the command made below' "$TMP/err"
nothing_left cleanup_after_nested_cgroup
if command -v setpriv >/dev/null; then
	as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$LGRUN" "$@"; }
	expect_status not_root_refused 2 as_nobody --memory 32M -- true
	check not_root_says_why grep -q '^lgrun: must be root' "$TMP/err"
	nothing_left cleanup_after_not_root
else
	skip not_root_refused "setpriv is not installed"
fi

# --- swap: made only when none is active ---
if [ -n "$(swaps)" ]; then
	skip make_swap_active_during_run "swap is already active on this machine ($(swaps | head -1))"
else
	"$LGRUN" --memory 32M --make-swap 64M --swap-dir "$SWAPDIR" -- cat /proc/swaps >"$TMP/out" 2>"$TMP/err"
	if grep -q "^$SWAPDIR/lgrun-swap\.[^ ]* *file" "$TMP/out" && grep -q "made swap file $SWAPDIR" "$TMP/err"; then
		pass make_swap_active_during_run
	else
		fail make_swap_active_during_run "$(cat "$TMP/out" "$TMP/err")"
	fi
	nothing_left make_swap_removed_after_run
	expect_status make_swap_with_failing_cmd 5 "$LGRUN" -q --memory 32M --make-swap 64M \
		--swap-dir "$SWAPDIR" -- sh -c 'exit 5'
	nothing_left make_swap_removed_after_cmd_failure
fi

# A swap file on tmpfs cannot be swapped on: setup fails, the file and the cgroup are undone.
if SHM=$(mktemp -d /dev/shm/lgrun-test.XXXXXX 2>/dev/null); then
	"$LGRUN" --memory 32M --make-swap 1M --swap-dir "$SHM" -- true >"$TMP/out" 2>"$TMP/err"
	rc=$?
	if [ -n "$(swaps)" ]; then
		skip swap_setup_error_undone "swap is already active: lgrun makes none"
	elif [ "$rc" -eq 2 ] && grep -q '^lgrun: swap directory .* is on tmpfs, which' "$TMP/err" && [ -z "$(ls -A "$SHM")" ]; then
		pass swap_setup_error_undone
	else
		fail swap_setup_error_undone "exit $rc, left: $(ls -A "$SHM") $(cat "$TMP/err")"
	fi
	rm -rf "$SHM"
	nothing_left cleanup_after_setup_error
fi
bad_input swap_dir_missing 2 --memory 32M --make-swap 1M --swap-dir "$TMP/none" -- true
nothing_left cleanup_after_bad_swap_dir
# Ask for the mechanism not in use here (v2 on this v1 machine): a setup error, nothing made.
if grep -q '(v1)' "$TMP/first_err"; then other=v2; else other=v1; fi
bad_input unusable_mechanism_$other 2 --mechanism $other --memory 32M -- true
nothing_left cleanup_after_unusable_mechanism

# --- signals to lgrun while CMD sleeps: passed on, cleaned up, 128+N ---
# wait_for_cgroup: until a new lgrun cgroup exists (CMD runs), up to 5 s.
wait_for_cgroup() {
	local i
	for i in $(seq 50); do
		[ -n "$(comm -13 <(echo "$CG_BEFORE") <(cg_list) | grep .)" ] && return 0
		sleep 0.1
	done
	return 1
}
signal_test() {
	local sig=$1 want=$2 rc start
	shift 2
	start=$SECONDS
	# The signal's default action, whatever this script inherited: under
	# nohup (SIGHUP ignored) lgrun rightly leaves SIGHUP ignored.
	env --default-signal="$sig" "$LGRUN" -q --memory 32M "$@" -- sleep 30 2>"$TMP/err" &
	BG_PIDS+=($!)
	if ! wait_for_cgroup; then
		fail "sig$sig" "no cgroup appeared: $(cat "$TMP/err")"
		return
	fi
	kill "-$sig" "${BG_PIDS[-1]}"
	wait "${BG_PIDS[-1]}"
	rc=$?
	if [ "$rc" -eq "$want" ] && [ $((SECONDS - start)) -lt 10 ]; then
		pass "sig${sig}_passed_on"
	else
		fail "sig${sig}_passed_on" "exit $rc want $want after $((SECONDS - start)) s: $(cat "$TMP/err")"
	fi
	nothing_left "cleanup_after_sig$sig${1:+_with_swap}"
}
if [ -z "$(swaps)" ]; then
	signal_test INT 130 --make-swap 64M --swap-dir "$SWAPDIR"
else
	signal_test INT 130
fi
signal_test TERM 143
signal_test HUP 129
# Started under nohup (SIGHUP ignored): SIGHUP stays ignored, CMD runs on.
env --ignore-signal=HUP "$LGRUN" -q --memory 32M -- sleep 3 2>"$TMP/err" &
BG_PIDS+=($!)
if wait_for_cgroup; then
	kill -HUP "${BG_PIDS[-1]}"
	wait "${BG_PIDS[-1]}"
	rc=$?
	if [ "$rc" -eq 0 ]; then pass sigHUP_ignored_under_nohup; else
		fail sigHUP_ignored_under_nohup "exit $rc want 0: $(cat "$TMP/err")"; fi
else
	fail sigHUP_ignored_under_nohup "no cgroup appeared: $(cat "$TMP/err")"
fi
nothing_left cleanup_after_nohup

# --- Ctrl-C on a terminal: CMD gets SIGINT once, lgrun exits 130 and cleans up ---
PY=$(command -v python3)
if [ -z "$PY" ]; then
	skip ctrl_c_on_terminal "python3 (for a pseudo-terminal) is not installed"
else
	out=$("$PY" - "$LGRUN" <<'PY' 2>&1
import os, pty, select, sys, time
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], ["lgrun", "-q", "--memory", "64M", "--", sys.executable, "-c",
        "import signal, time\n"
        "n = [0]\n"
        "signal.signal(signal.SIGINT, lambda *a: n.__setitem__(0, n[0] + 1))\n"
        "print('ready', flush=True)\n"
        "time.sleep(1)\n"
        "print('sigints', n[0], flush=True)\n"])
out, sent, end = b"", False, time.time() + 10
while time.time() < end:
    if select.select([fd], [], [], 0.1)[0]:
        try:
            d = os.read(fd, 1024)
        except OSError:
            break
        if not d:
            break
        out += d
    if b"ready" in out and not sent:
        os.write(fd, b"\x03")
        sent = True
_, st = os.waitpid(pid, 0)
print(out.decode(errors="replace").replace("\r", ""))
print("status", os.waitstatus_to_exitcode(st))
PY
)
	if grep -q 'sigints 1$' <<<"$out" && grep -q '^status 130$' <<<"$out"; then
		pass ctrl_c_on_terminal
	else
		fail ctrl_c_on_terminal "$(tr '\n' ' ' <<<"$out")"
	fi
	nothing_left cleanup_after_ctrl_c
fi

# --- sudo: CMD runs as SUDO_UID/SUDO_GID with that user's groups, or as root ---
if getent passwd nobody >/dev/null; then
	nobody_ids="$(id -u nobody) $(id -g nobody) $(id -G nobody)"
	out=$(SUDO_UID=$(id -u nobody) SUDO_GID=$(id -g nobody) "$LGRUN" -q --memory 32M -- \
		sh -c 'echo "$(id -u) $(id -g) $(id -G)"')
	[ "$out" = "$nobody_ids" ] && pass runs_as_sudo_user || fail runs_as_sudo_user "got '$out' want '$nobody_ids'"
	out=$(SUDO_UID=$(id -u nobody) SUDO_GID=$(id -g nobody) "$LGRUN" -q --as-root --memory 32M -- id -u)
	[ "$out" = 0 ] && pass as_root || fail as_root "got uid '$out'"
	nothing_left cleanup_after_sudo_runs
else
	skip runs_as_sudo_user "no user 'nobody'"
fi

# --- systemd-run: used when it works (a stand-in here), skipped quietly when not ---
cat >"$TMP/systemd-run" <<'SH'
#!/bin/sh
echo "$*" >>"${0%/*}/systemd-run.args"
while [ "$1" != -- ]; do shift; done
shift
[ -e "${0%/*}/systemd-run.broken" ] && exit 1
exec "$@"
SH
chmod +x "$TMP/systemd-run"
LGRUN_SYSTEMD_RUN=$TMP/systemd-run "$LGRUN" --memory 32M --swap 16M -- sh -c 'exit 4' 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 4 ] && grep -q -- '--scope .*--property=MemoryMax=33554432 --property=MemorySwapMax=16777216 -- .*sh -c exit 4' \
	"$TMP/systemd-run.args" && grep -q '(systemd)' "$TMP/err"; then
	pass systemd_run_used
else
	fail systemd_run_used "exit $rc: $(cat "$TMP/systemd-run.args" "$TMP/err")"
fi
touch "$TMP/systemd-run.broken"
LGRUN_SYSTEMD_RUN=$TMP/systemd-run "$LGRUN" --memory 32M -- true 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 0 ] && [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q '(v[12])' "$TMP/err"; then
	pass systemd_unusable_falls_back_quietly
else
	fail systemd_unusable_falls_back_quietly "exit $rc: $(cat "$TMP/err")"
fi
nothing_left cleanup_after_systemd_runs
if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null; then
	LGRUN_SYSTEMD_RUN= "$LGRUN" --memory 48M -- sh "$TMP/limits.sh" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	read -r mem swap <"$TMP/out"
	if [ "$rc" -eq 0 ] && grep -q '(systemd)' "$TMP/err" && [ "$mem" = $((48 << 20)) ]; then
		pass real_systemd_scope
	else
		fail real_systemd_scope "exit $rc, memory '$mem': $(cat "$TMP/err")"
	fi
else
	skip real_systemd_scope "systemd is not running here (no /run/systemd/system)"
fi

# --- a memory hog at 3x the limit completes under --memory 32M --make-swap 256M, swapping ---
CC=${CC:-cc}
cat >"$TMP/hog.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
int main(void)
{
	size_t n = 96 << 20, i;
	volatile char *p = malloc(n);
	unsigned long sum = 0;
	struct rusage ru;

	if (!p)
		return 1;
	for (i = 0; i < n; i += 4096)
		p[i] = 1;
	for (i = 0; i < n; i += 4096)
		sum += p[i];
	getrusage(RUSAGE_SELF, &ru);
	printf("majflt %ld touched %lu\n", ru.ru_majflt, sum);
	return sum != n / 4096;
}
C
if ! "$CC" -O2 -o "$TMP/hog" "$TMP/hog.c" 2>"$TMP/err"; then
	skip hog_swaps "no C compiler ($CC): $(head -c 200 "$TMP/err")"
else
	"$LGRUN" --memory 32M --make-swap 256M --swap-dir "$SWAPDIR" -- sh -c \
		'"$0" || exit; sh "$1"; c=$(sed -n "s/^[0-9]*:[^:]*memory[^:]*:\(.*\)/\1/p" /proc/self/cgroup);
		 m=$(awk '\''$3 == "cgroup" && $4 ~ /(^|,)memory(,|$)/ { print $2; exit }'\'' /proc/mounts);
		 [ -z "$c" ] || cat "$m$c/memory.memsw.max_usage_in_bytes" 2>/dev/null; exit 0' \
		"$TMP/hog" "$TMP/limits.sh" >"$TMP/out" 2>"$TMP/err"
	rc=$?
	majflt=$(sed -n 's/^majflt \([0-9]*\) .*/\1/p' "$TMP/out")
	if [ "$rc" -eq 0 ] && [ "${majflt:-0}" -gt 0 ]; then
		pass hog_swaps
	else
		fail hog_swaps "exit $rc, majflt '${majflt}': $(cat "$TMP/out" "$TMP/err")"
	fi
	peak=$(sed -n 3p "$TMP/out")
	if [ -n "$peak" ]; then
		[ "$peak" -gt $((32 << 20)) ] && pass hog_memsw_above_limit ||
			fail hog_memsw_above_limit "memory.memsw.max_usage_in_bytes $peak <= 32M"
	fi
	nothing_left cleanup_after_hog
fi

done_testing
