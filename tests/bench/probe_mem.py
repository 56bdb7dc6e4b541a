#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Read or write lgbench's probe state in a running lgbench, as a tracer would.

  probe_mem.py read PID EXE                 print "NAME VALUE" for every
                                            lgbench_NAME_semaphore
  probe_mem.py write PID EXE STRIDE SLOW_NS write lgbench_probe_ctl's
                                            stride and slow_ns

The semaphores' addresses come from EXE's .note.stapsdt (readelf -n), the
control block's from its dynamic symbol table (readelf --dyn-syms), both
relocated by the load address of EXE in /proc/PID/maps.  Exit status 77
when /proc/PID/mem cannot be opened (the reason on stderr), 1 on any other
error.
"""
import os
import re
import struct
import subprocess
import sys


def load_base(pid, exe):
    real = os.path.realpath(exe)
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 6 and fields[5] == real and int(fields[2], 16) == 0:
                return int(fields[0].split("-")[0], 16)
    raise SystemExit(f"probe_mem: {real} is not mapped in process {pid}")


def semaphores(exe):
    notes = subprocess.run(["readelf", "-n", exe], check=True, capture_output=True, text=True).stdout
    sems = {}
    provider = name = None
    for line in notes.splitlines():
        m = re.match(r"\s*Provider: (\S+)", line)
        if m:
            provider = m.group(1)
        m = re.match(r"\s*Name: (\S+)", line)
        if m:
            name = m.group(1)
        m = re.search(r"Semaphore: (0x[0-9a-f]+)", line)
        if m and provider == "lgbench":
            sems[name] = int(m.group(1), 16)
    return sems


def ctl_address(exe):
    syms = subprocess.run(["readelf", "-W", "--dyn-syms", exe], check=True, capture_output=True, text=True).stdout
    for line in syms.splitlines():
        fields = line.split()
        if len(fields) >= 8 and fields[7] == "lgbench_probe_ctl":
            return int(fields[1], 16)
    raise SystemExit(f"probe_mem: no dynamic symbol lgbench_probe_ctl in {exe}")


def main():
    if len(sys.argv) < 4 or sys.argv[1] not in ("read", "write"):
        raise SystemExit(__doc__)
    op, pid, exe = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    base = load_base(pid, exe)
    try:
        mem = open(f"/proc/{pid}/mem", "r+b" if op == "write" else "rb", buffering=0)
    except OSError as e:
        print(f"probe_mem: /proc/{pid}/mem: {e.strerror}", file=sys.stderr)
        sys.exit(77)
    with mem:
        if op == "read":
            for name, addr in sorted(semaphores(exe).items()):
                mem.seek(base + addr)
                print(name, struct.unpack("<H", mem.read(2))[0])
        else:
            stride, slow_ns = int(sys.argv[4]), int(sys.argv[5])
            addr = base + ctl_address(exe)
            mem.seek(addr)
            version = struct.unpack("<I", mem.read(4))[0]
            # 2: row_end carries p50/p99; the control block is version 1's.
            if version not in (1, 2):
                raise SystemExit(f"probe_mem: lgbench_probe_ctl version {version}, want 1 or 2")
            mem.seek(addr + 4)
            mem.write(struct.pack("<I", stride))
            mem.seek(addr + 8)
            mem.write(struct.pack("<Q", slow_ns))


if __name__ == "__main__":
    main()
