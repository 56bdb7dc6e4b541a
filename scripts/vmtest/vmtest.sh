#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Run a command on another kernel, in a throw-away qemu VM that sees this
# machine's root file system read-only (docs/vmtest.md has the depth).
#
#   scripts/vmtest/vmtest.sh [-k KERNEL] [-e NAME=VALUE]... [--] CMD [ARG]...
#
# KERNEL (-k, or the environment) is one of:
#   - empty: Debian's linux-image-cloud-amd64, i.e. the kernel package it
#     depends on now (on Debian 12: 6.1);
#   - a Debian kernel package, by name (linux-image-6.1.0-57-cloud-amd64,
#     6.1.0-57-cloud-amd64 or a metapackage), optionally =VERSION: fetched
#     with apt-get download and unpacked in the cache, never installed;
#   - a kernel image (vmlinuz, bzImage); its modules come from
#     KERNEL_MODULES, else .../lib/modules/RELEASE beside its boot/
#     directory, else /lib/modules/RELEASE.
# The guest runs CMD as root in the current directory (the same path on
# the host's root), with a tmpfs overlay over the host's root, /tmp and
# /var/tmp on an ext4 scratch disk, and proc, sysfs, cgroup2, bpffs,
# debugfs and tracefs mounted; -e passes a variable.  The script exits
# with CMD's status; with 125 and one "vmtest: ..." line when it cannot
# run it (no qemu, no kernel, the guest crashed or timed out); with 130,
# 143 or 129 on SIGINT, SIGTERM or SIGHUP.  Whatever it started or made
# (qemu, virtiofsd, the scratch disk, the initramfs, sockets) is gone
# when it exits, whichever way.
#
# Environment: VMTEST_CACHE (downloaded kernels; default
# ${XDG_CACHE_HOME:-$HOME/.cache}/lgalloc-vmtest), VMTEST_MEM (guest
# memory, default 2G), VMTEST_CPUS (2), VMTEST_TIMEOUT (seconds for the
# whole boot and command, 1200), VMTEST_BOOT_TIMEOUT (seconds until the
# command starts, 120; a boot that takes longer is stopped and tried once
# more), VMTEST_SCRATCH (scratch disk size, 4G),
# VMTEST_ACCEL (kvm or tcg; default kvm when /dev/kvm is usable and the
# CPU has vmx or svm), QEMU (qemu-system-x86_64), VIRTIOFSD
# (/usr/lib/qemu/virtiofsd), BUSYBOX (a static busybox, /bin/busybox),
# VMTEST_KEEP (non-empty: keep the run's temporary directory, for debugging),
# VMTEST_APPEND (more kernel command line, after the runner's own),
# VMTEST_TCG_THREAD (single: one host thread runs every vCPU, the default;
# multi: a thread per vCPU, faster, see docs/vmtest.md).
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prog=vmtest

die() {
	echo "$prog: $*" >&2
	exit 125
}
usage() {
	sed -n '3,/^set -u/{/^set -u/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}"
	exit "$1"
}

KERNEL=${KERNEL:-}
guest_env=()
while [ $# -gt 0 ]; do
	case $1 in
	-k) [ $# -ge 2 ] || die "-k needs a kernel"; KERNEL=$2; shift 2 ;;
	-e) [ $# -ge 2 ] || die "-e needs NAME=VALUE"
		case $2 in [A-Za-z_]*=*) ;; *) die "-e $2: not NAME=VALUE" ;; esac
		guest_env+=("$2"); shift 2 ;;
	-h | --help) usage 0 ;;
	--) shift; break ;;
	-*) echo "$prog: unknown option $1" >&2; usage 2 >&2 ;;
	*) break ;;
	esac
done
[ $# -gt 0 ] || die "no command to run in the guest (usage: $0 [-k KERNEL] -- CMD...)"

mem=${VMTEST_MEM:-2G}
cpus=${VMTEST_CPUS:-2}
timeout=${VMTEST_TIMEOUT:-1200}
boot_timeout=${VMTEST_BOOT_TIMEOUT:-120}
scratch_size=${VMTEST_SCRATCH:-4G}
cache=${VMTEST_CACHE:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/lgalloc-vmtest}
qemu=${QEMU:-qemu-system-x86_64}
virtiofsd=${VIRTIOFSD:-/usr/lib/qemu/virtiofsd}
busybox=${BUSYBOX:-/bin/busybox}
case $timeout in '' | *[!0-9]*) die "VMTEST_TIMEOUT=$timeout: not a number of seconds" ;; esac
case $boot_timeout in '' | *[!0-9]*) die "VMTEST_BOOT_TIMEOUT=$boot_timeout: not a number of seconds" ;; esac
case $cpus in '' | *[!0-9]*) die "VMTEST_CPUS=$cpus: not a number" ;; esac

# ---- what the host must have ----
[ "$(id -u)" -eq 0 ] || die "needs root (virtiofsd shares the root file system; run make vmtest as root)"
command -v "$qemu" >/dev/null || die "$qemu not found (install qemu-system-x86: make vmtest installs it, or set QEMU)"
[ -x "$virtiofsd" ] || die "$virtiofsd not found (it comes with qemu-system-common 7.2; or set VIRTIOFSD)"
[ -x "$busybox" ] || die "$busybox not found (install busybox-static, or set BUSYBOX)"
if "$busybox" true 2>/dev/null && ! LANG=C ldd "$busybox" 2>&1 | grep -q 'not a dynamic'; then
	die "$busybox is linked dynamically; the initramfs needs busybox-static's"
fi
for t in cpio gzip mkfs.ext4 dd od; do
	command -v $t >/dev/null || die "$t not found (make vmtest installs what it needs)"
done

# ---- everything this run makes lives in $tmp; cleanup removes it ----
tmp=
virtiofsd_pid=
qemu_pid=
# stop_vm: end qemu (and its timeout wrapper) and virtiofsd, if running.
stop_vm() {
	local pid
	for pid in $qemu_pid $(cat "$tmp/qemu.pid" 2>/dev/null) $virtiofsd_pid; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in $qemu_pid $virtiofsd_pid; do
		for _ in $(seq 50); do
			kill -0 "$pid" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
	done
	pid=$(cat "$tmp/qemu.pid" 2>/dev/null)
	[ -n "$pid" ] && kill -KILL "$pid" 2>/dev/null
	qemu_pid="" virtiofsd_pid=""
	rm -f "$tmp/qemu.pid" "$tmp/virtiofs.sock"
}

cleanup() {
	trap '' INT TERM HUP
	[ -n "$tmp" ] && stop_vm
	[ -n "$tmp" ] && [ -z "${VMTEST_KEEP:-}" ] && rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "$prog: interrupted" >&2; exit 130' INT
trap 'echo "$prog: terminated" >&2; exit 143' TERM
trap 'exit 129' HUP
tmp=$(mktemp -d "${TMPDIR:-/tmp}/lgalloc-vmtest.XXXXXX") || die "mktemp failed"
# sun_path holds 107 bytes.
[ ${#tmp} -le 90 ] || die "TMPDIR is too long for the virtiofsd socket's path ($tmp)"

# ---- the kernel ----
# kernel_release FILE: the release string an x86 bzImage carries in its
# setup header (the "HdrS" signature at 0x202, kernel_version at 0x20e).
kernel_release() {
	local off
	[ "$(dd if="$1" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] || return 1
	off=$(od -An -tu2 -j526 -N2 "$1" | tr -d ' ')
	[ -n "$off" ] && [ "$off" -gt 0 ] || return 1
	dd if="$1" bs=1 skip=$((off + 512)) count=256 2>/dev/null | tr '\0' '\n' | head -n1 | cut -d' ' -f1
}

# fetch_package NAME[=VERSION]: download and unpack a Debian kernel package
# into the cache (once); sets vmlinuz, release and moddir.
fetch_package() {
	local pkg=${1%%=*} ver="" real dir deb
	case $1 in *=*) ver=${1#*=} ;; esac
	case $pkg in linux-image-*) ;; *) pkg=linux-image-$pkg ;; esac
	command -v apt-cache >/dev/null && command -v apt-get >/dev/null ||
		die "KERNEL=$1 names a Debian package, but apt is not here; give a kernel image's path"
	if [ -z "$ver" ]; then
		# A metapackage (linux-image-cloud-amd64) stands for the image it depends on.
		real=$(apt-cache depends --no-recommends --no-suggests "$pkg" 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n1)
		[ -n "$real" ] && pkg=$real
		ver=$(apt-cache policy "$pkg" 2>/dev/null | sed -n 's/^ *Candidate: //p')
	fi
	if [ -z "$ver" ] || [ "$ver" = "(none)" ]; then
		# Offline, or the lists are gone: an unpacked copy will do.
		dir=$(ls -d "$cache/${pkg}_"*/ 2>/dev/null | tail -n1)
		[ -n "$dir" ] && [ -e "$dir/.complete" ] ||
			die "no Debian package $pkg known to apt (apt-get update? a Debian 12 source?) and none in $cache"
		dir=${dir%/}
	else
		dir=$cache/${pkg}_$ver
	fi
	mkdir -p "$cache" || die "cannot create the cache $cache"
	# Two runs fetching the same kernel: the second waits for the first.
	exec {cache_lock}>"$cache/.lock" && flock "$cache_lock" || die "cannot lock $cache/.lock"
	if [ ! -e "$dir/.complete" ]; then
		echo "$prog: fetching $pkg $ver into $cache"
		mkdir -p "$tmp/deb"
		(cd "$tmp/deb" && apt-get download -q -o APT::Sandbox::User=root "$pkg=$ver" >/dev/null) ||
			die "apt-get download $pkg=$ver failed"
		deb=$(ls "$tmp"/deb/*.deb 2>/dev/null | head -n1)
		[ -n "$deb" ] || die "apt-get download $pkg=$ver left no .deb"
		rm -rf "$dir.part" && dpkg-deb -x "$deb" "$dir.part" || die "dpkg-deb -x $deb failed"
		rm -rf "$dir" && mv "$dir.part" "$dir" && touch "$dir/.complete" || die "cannot fill $dir"
		rm -rf "$tmp/deb"
	fi
	vmlinuz=$(ls "$dir"/boot/vmlinuz-* 2>/dev/null | head -n1)
	[ -n "$vmlinuz" ] || die "$dir has no boot/vmlinuz-*: not a kernel image package"
	release=${vmlinuz##*/vmlinuz-}
	moddir=$dir/lib/modules/$release
	kernel_desc="$pkg $ver"
	exec {cache_lock}>&-
}

if [ -n "$KERNEL" ] && { [ -e "$KERNEL" ] || [[ $KERNEL == */* ]]; }; then
	[ -f "$KERNEL" ] && [ -r "$KERNEL" ] || die "KERNEL=$KERNEL: no such kernel image"
	vmlinuz=$KERNEL
	release=$(kernel_release "$vmlinuz") || die "KERNEL=$KERNEL is not an x86 bzImage"
	if [ -n "${KERNEL_MODULES:-}" ]; then
		moddir=$KERNEL_MODULES
	elif [[ $vmlinuz == */boot/* ]] && [ -d "${vmlinuz%/boot/*}/lib/modules/$release" ]; then
		moddir=${vmlinuz%/boot/*}/lib/modules/$release
	else
		moddir=/lib/modules/$release
	fi
	kernel_desc=$vmlinuz
else
	fetch_package "${KERNEL:-linux-image-cloud-amd64}"
fi

# ---- the initramfs: busybox, the modules, /init and the command ----
root=$tmp/initramfs
mkdir -p "$root"/{bin,dev,proc,sys,lower,upper,newroot,modules,vmtest}
cp "$busybox" "$root/bin/busybox" && cp "$here/init" "$root/init" && chmod 755 "$root/init" ||
	die "cannot fill the initramfs in $root"

modindex=$tmp/modules.index
if [ -d "$moddir" ]; then
	find "$moddir" -name '*.ko*' >"$modindex"
else
	echo "$prog: no modules for $release ($moddir): virtio-pci, virtio-blk, virtiofs and overlay must be built in" >&2
	: >"$modindex"
fi
# add_module NAME: copy NAME's module and those it depends on, in load
# order, unless the kernel has it built in.
add_module() {
	local name=${1//-/_} file dep
	grep -qx "$name" "$tmp/modules.added" 2>/dev/null && return 0
	echo "$name" >>"$tmp/modules.added"
	[ -f "$moddir/modules.builtin" ] && tr '-' '_' <"$moddir/modules.builtin" | grep -q "/$name\.ko$" && return 0
	file=$(tr '-' '_' <"$modindex" | grep -n "/$name\.ko\(\.[a-z]*\)\{0,1\}$" | head -n1 | cut -d: -f1)
	if [ -z "$file" ]; then
		[ -s "$modindex" ] && echo "$prog: module $name is neither built into $release nor in $moddir" >&2
		return 0
	fi
	file=$(sed -n "${file}p" "$modindex")
	case $file in
	*.ko) cp "$file" "$root/modules/$name.ko" ;;
	*.ko.xz) xz -dc "$file" >"$root/modules/$name.ko" ;;
	*.ko.zst) zstd -qdc "$file" >"$root/modules/$name.ko" ;;
	*.ko.gz) gzip -dc "$file" >"$root/modules/$name.ko" ;;
	*) die "$file: unknown module compression" ;;
	esac || die "cannot copy the module $file"
	for dep in $(tr '\0' '\n' <"$root/modules/$name.ko" | sed -n 's/^depends=//p' | tr ',' ' '); do
		add_module "$dep"
	done
	echo "$name.ko" >>"$root/modules/order"
}
: >"$root/modules/order"
for m in virtio_pci virtio_blk virtiofs overlay; do
	add_module "$m"
done

# The command, run by bash in the guest's root.
{
	echo 'echo "vmtest: guest up after $(cut -d" " -f1 /proc/uptime) s, kernel $(uname -r)"'
	for kv in "${guest_env[@]}"; do
		printf 'export %q\n' "$kv"
	done
	printf 'cd %q || exit 125\n' "$PWD"
	printf '%q ' "$@"
	echo
} >"$root/vmtest/cmd"
printf '%s\n' "$PWD" >"$root/vmtest/cwd"

(cd "$root" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet) | gzip -1 >"$tmp/initramfs.img" ||
	die "cannot build the initramfs"
rm -rf "$root"

truncate -s "$scratch_size" "$tmp/scratch.img" || die "cannot make the scratch disk"

# ---- accelerator ----
accel=${VMTEST_ACCEL:-}
tcg_thread=${VMTEST_TCG_THREAD:-single}
case $tcg_thread in single | multi) ;; *) die "VMTEST_TCG_THREAD=$tcg_thread: single or multi" ;; esac
if [ -z "$accel" ]; then
	# A /dev/kvm without vmx/svm (a PVM host) runs only kernels built for it.
	if [ -r /dev/kvm ] && [ -w /dev/kvm ] && grep -qwE 'vmx|svm' /proc/cpuinfo; then accel=kvm; else accel=tcg; fi
fi
case $accel in
kvm) accel_args=(-accel kvm -cpu host) ;;
tcg) accel_args=(-accel "tcg,thread=$tcg_thread" -cpu max) ;;
*) die "VMTEST_ACCEL=$accel: kvm or tcg" ;;
esac

# ---- the VM ----
# The guest kernel's command line.  A soft lockup panics (and the panic
# ends the VM): a stuck CPU fails the run in seconds, with its backtrace on
# the console (loglevel 5 shows the KERN_WARNING and default-level lines a
# lockup report is made of), instead of running into the timeout.
cmdline="console=ttyS0 quiet loglevel=5 panic=-1 softlockup_panic=1 mitigations=off cryptomgr.notests=1"

# run_vm: boot the guest and wait for it; sets qemu_rc.  Returns 2 if the
# guest did not reach the command within boot_timeout seconds (qemu is then
# stopped), else 0.
run_vm() {
	local t0=$SECONDS up=
	: >"$tmp/console.log"
	# virtiofsd serves one connection: a fresh one for each boot.
	"$virtiofsd" --socket-path="$tmp/virtiofs.sock" -o source=/ -o sandbox=chroot -o cache=always \
		-o log_level=err </dev/null >"$tmp/virtiofsd.log" 2>&1 &
	virtiofsd_pid=$!
	for _ in $(seq 100); do
		[ -S "$tmp/virtiofs.sock" ] && break
		kill -0 "$virtiofsd_pid" 2>/dev/null || break
		sleep 0.05
	done
	[ -S "$tmp/virtiofs.sock" ] || die "virtiofsd did not start: $(tr '\n' ' ' <"$tmp/virtiofsd.log")"
	mkfs.ext4 -q -F -L vmtest-scratch "$tmp/scratch.img" || die "cannot make the scratch disk"

	timeout --signal=TERM --kill-after=10 "$timeout" \
		"$qemu" -nodefaults -no-user-config -no-reboot -display none \
		-machine q35 "${accel_args[@]}" -smp "$cpus" -m "$mem" \
		-object memory-backend-memfd,id=mem,size="$mem",share=on -numa node,memdev=mem \
		-kernel "$vmlinuz" -initrd "$tmp/initramfs.img" \
		-append "$cmdline vmtest.nonce=$nonce${VMTEST_APPEND:+ $VMTEST_APPEND}" \
		-chardev socket,id=vfs,path="$tmp/virtiofs.sock" \
		-device vhost-user-fs-pci,chardev=vfs,tag=hostroot,queue-size=1024 \
		-drive file="$tmp/scratch.img",format=raw,if=none,id=scratch,cache=unsafe \
		-device virtio-blk-pci,drive=scratch \
		-chardev stdio,id=con,signal=off,logfile="$tmp/console.log" -serial chardev:con \
		-pidfile "$tmp/qemu.pid" </dev/null 2>"$tmp/qemu.err" &
	qemu_pid=$!
	# Until the command starts, poll (a hung boot is stopped); then wait.
	while [ -z "$up" ] && kill -0 "$qemu_pid" 2>/dev/null; do
		if grep -q "^vmtest: guest up after" "$tmp/console.log"; then
			up=1
		elif [ $((SECONDS - t0)) -ge "$boot_timeout" ]; then
			stop_vm
			return 2
		else
			sleep 0.5
		fi
	done
	wait "$qemu_pid"
	qemu_rc=$?
	qemu_pid=
	# Its pid may be reused: the pidfile is only for a qemu still running.
	rm -f "$tmp/qemu.pid"
	return 0
}

nonce=$$.$RANDOM
echo "$prog: $kernel_desc ($release), $accel, $cpus CPUs, $mem, timeout ${timeout} s"
start=$(date +%s)
if ! run_vm; then
	# The emulator, not the tests: the command never started.  Once more.
	echo "$prog: the guest did not reach the command within $boot_timeout s (VMTEST_BOOT_TIMEOUT); booting it once more" >&2
	run_vm || die "the guest did not reach the command within $boot_timeout s, twice (VMTEST_BOOT_TIMEOUT)"
fi
end=$(date +%s)

status=$(tr -d '\r' <"$tmp/console.log" | sed -n "s/^vmtest-status-$nonce: \([0-9]*\)$/\1/p" | tail -n1)
if [ -n "$status" ]; then
	echo "$prog: guest exited with status $status after $((end - start)) s"
	[ "$status" -eq 255 ] && exit 125
	exit "$status"
fi
# What the kernel said when it crashed or hung: the report's first line,
# where the CPU was, and the calls that led there, last (a CI log's tail
# may be all anyone sees of a run).
crash_digest() {
	tr -d '\r' <"$tmp/console.log" | awk '
		!start && /(BUG:|Oops|Kernel panic|watchdog:|blocked for more than|WARNING:)/ { start = 1 }
		start && n < 40 && /(BUG:|Oops|Kernel panic|watchdog:|blocked for more|WARNING:|RIP: 0010|Call Trace|^\[ *[0-9.]+\]  [^ ]+\+0x)/ {
			sub(/^\[ *[0-9.]+\] /, ""); print "vmtest: guest kernel: " $0; n++ }'
}
if [ "$qemu_rc" -eq 124 ]; then
	crash_digest >&2
	die "the guest did not finish within $timeout s (VMTEST_TIMEOUT)"
fi
crash_digest >&2
[ -s "$tmp/qemu.err" ] && sed 's/^/qemu: /' "$tmp/qemu.err" >&2
die "the guest stopped without reporting a status (qemu exit $qemu_rc; a kernel panic or a failed boot, see above)"
