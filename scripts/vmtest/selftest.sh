#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The vmtest runner's own test (make vmtest-selftest; make vmtest runs it
# first): the guest's exit status comes back, a guest kernel's crash report
# is in the output, and nothing the runner starts
# or makes outlives it, on a normal exit, after SIGINT to the whole process
# group in the middle of the boot (Ctrl-C at a terminal), after SIGTERM to
# the runner alone, and on each of its errors, which are one clear line.
# Boots the same kernel as make vmtest (KERNEL) several times, ~10 s each
# with TCG.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${BUILD:-build}
# shellcheck source=../../tests/testlib.sh
. tests/testlib.sh
need_root vmtest_runner || done_testing

VMTEST=scripts/vmtest/vmtest.sh
# Every run gets its own TMPDIR: whatever the runner leaves is in there, and
# its qemu and virtiofsd carry that path on their command lines.
TOP=$(mktemp -d /tmp/vmtest-selftest.XXXXXX) || exit 1
trap 'rm -rf "$TOP"' EXIT

# left_behind DIR: describe processes or files a run in DIR left; empty if none.
left_behind() {
	local pids
	pids=$(pgrep -f -- "$1/" | tr '\n' ' ')
	[ -n "$pids" ] && echo "processes left: $pids($(ps -o args= -p "${pids// /,}" 2>/dev/null | cut -c1-80 | tr '\n' ';'))"
	[ -n "$(ls -A "$1" 2>/dev/null)" ] && echo "files left in $1: $(ls -A "$1" | tr '\n' ' ')"
	# A failed check must not leave them either: end them by their ids.
	[ -n "$pids" ] && kill -KILL $pids 2>/dev/null
	return 0
}

# run NAME CMD...: run CMD (the runner) with its own TMPDIR; sets rc, out, dir.
run() {
	dir=$TOP/$1
	shift
	mkdir -p "$dir"
	out=$(TMPDIR=$dir "$@" 2>&1)
	rc=$?
}

# ---- the guest's status comes back; a normal exit leaves nothing ----
run status "$VMTEST" -- sh -c 'test -d /sys/fs/bpf && test -w /tmp && test -e /dev/fd/1 && echo guest-ran-here; exit 7'
left=$(left_behind "$dir")
if [ "$rc" -eq 7 ] && grep -q '^guest-ran-here$' <<<"$out" && [ -z "$left" ]; then
	pass "guest exit status 7 returned, nothing left"
else
	fail "guest exit status 7 returned, nothing left" "exit $rc; $left; output: $(tail -n 5 <<<"$out")"
fi

run true "$VMTEST" -- true
left=$(left_behind "$dir")
if [ "$rc" -eq 0 ] && [ -z "$left" ]; then pass "guest runs true: exit 0, nothing left"; else
	fail "guest runs true: exit 0, nothing left" "exit $rc; $left; output: $(tail -n 5 <<<"$out")"; fi

# A tree under /tmp (CI's clone may be there) stays visible over the scratch disk.
run tmpcwd env -C "$TOP" "$PWD/$VMTEST" -- sh -c '[ "$PWD" = "$0" ] && test -d tmpcwd && echo guest-in-tmp' "$TOP"
left=$(left_behind "$dir")
if [ "$rc" -eq 0 ] && grep -q '^guest-in-tmp$' <<<"$out" && [ -z "$left" ]; then
	pass "command in a directory under /tmp: runs there"
else
	fail "command in a directory under /tmp: runs there" "exit $rc; $left; output: $(tail -n 5 <<<"$out")"
fi

# ---- a guest kernel that crashes: exit 125, what the kernel said, nothing left ----
# (sysrq c panics, as a soft lockup does under softlockup_panic=1.)
run crash "$VMTEST" -- sh -c 'echo c >/proc/sysrq-trigger; sleep 600'
left=$(left_behind "$dir")
if [ "$rc" -eq 125 ] && grep -q '^vmtest: guest kernel: Kernel panic.*sysrq' <<<"$out" &&
	grep -q '^vmtest: guest kernel:  sysrq_handle_crash+0x' <<<"$out" &&
	tail -n1 <<<"$out" | grep -q '^vmtest: the guest stopped without reporting a status' && [ -z "$left" ]; then
	pass "guest kernel crash: its report in the output, exit 125, nothing left"
else
	fail "guest kernel crash: its report in the output, exit 125, nothing left" \
		"exit $rc; $left; output: $(grep '^vmtest' <<<"$out" | tail -n 8)"
fi

# ---- signals mid-boot ----
# signal_test NAME WHO SIG WANT: start a run in its own process group, wait
# until qemu is booting the guest, send SIG to the group (WHO=group) or to the
# runner alone (WHO=runner), and expect exit status WANT and nothing left.
signal_test() {
	local name=$1 who=$2 sig=$3 want=$4 pid qemu=""
	dir=$TOP/$who
	mkdir -p "$dir"
	set -m
	# The signal's default action even where the caller ignores it (nohup,
	# a background job of a script): the runner's traps depend on it.
	TMPDIR=$dir env --default-signal="$sig" "$VMTEST" -- sleep 600 >"$dir.out" 2>&1 &
	pid=$!
	set +m
	for _ in $(seq 600); do
		qemu=$(cat "$dir"/lgalloc-vmtest.*/qemu.pid 2>/dev/null)
		[ -n "$qemu" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ -z "$qemu" ]; then
		kill -KILL -- -"$pid" 2>/dev/null
		wait "$pid"
		fail "$name" "qemu did not start: $(tail -n 3 "$dir.out")"
		return
	fi
	sleep 2 # the kernel is booting
	if [ "$who" = group ]; then kill -"$sig" -- -"$pid"; else kill -"$sig" "$pid"; fi
	wait "$pid"
	rc=$?
	left=$(left_behind "$dir")
	if [ "$rc" -eq "$want" ] && [ -z "$left" ]; then pass "$name"; else
		fail "$name" "exit $rc (want $want); $left; output: $(tail -n 3 "$dir.out" | tr '\n' ' ')"; fi
}
signal_test "SIGINT to the process group mid-boot (Ctrl-C): exit 130, nothing left" group INT 130
signal_test "SIGTERM to the runner alone mid-boot: exit 143, nothing left" runner TERM 143

# ---- errors: one line, status 125, nothing left ----
# error_test NAME PATTERN ENV... -- ARGS...: the runner fails with PATTERN.
error_test() {
	local name=$1 pattern=$2 envs=()
	shift 2
	while [ "$1" != -- ]; do envs+=("$1"); shift; done
	shift
	dir=$TOP/err
	rm -rf "$dir" && mkdir -p "$dir"
	out=$(env "${envs[@]}" TMPDIR="$dir" "$VMTEST" "$@" 2>&1)
	rc=$?
	left=$(left_behind "$dir")
	if [ "$rc" -eq 125 ] && [ "$(wc -l <<<"$out")" -eq 1 ] && grep -q "^vmtest: .*$pattern" <<<"$out" &&
		[ -z "$left" ]; then
		pass "$name"
	else
		fail "$name" "exit $rc; $left; output: $out"
	fi
}
error_test "no qemu: one line, exit 125" "not found" QEMU=/nonexistent/qemu -- -- true
error_test "no such kernel image: one line, exit 125" "no such kernel image" KERNEL=/nonexistent/vmlinuz -- -- true
error_test "a file that is no kernel: one line, exit 125" "not an x86 bzImage" KERNEL=/etc/passwd -- -- true
error_test "no such kernel package: one line, exit 125" "no Debian package" \
	KERNEL=linux-image-0.0.0-no-such-flavour -- -- true
error_test "no command: one line, exit 125" "no command" -- --
error_test "a bad VMTEST_TCG_THREAD: one line, exit 125" "VMTEST_TCG_THREAD=both: single or multi" \
	VMTEST_TCG_THREAD=both -- -- true

# ---- a boot that does not reach the command: stopped, booted once more, then given up ----
run hang env VMTEST_BOOT_TIMEOUT=1 "$VMTEST" -- true
left=$(left_behind "$dir")
if [ "$rc" -eq 125 ] && [ "$(grep -c 'did not reach the command' <<<"$out")" -eq 2 ] &&
	tail -n1 <<<"$out" | grep -q '^vmtest: .*twice' && [ -z "$left" ]; then
	pass "hung boot: stopped, tried once more, exit 125, nothing left"
else
	fail "hung boot: stopped, tried once more, exit 125, nothing left" "exit $rc; $left; output: $(tail -n 3 <<<"$out")"
fi

done_testing
