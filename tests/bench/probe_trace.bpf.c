// SPDX-License-Identifier: MIT
/*
 * The test side of lgbench's probes (docs/tracing.md, "lgbench's probes"):
 * row phases to a ring buffer, and per row counts of the operation probes
 * checked against the selection protocol: each sampled op_end follows its
 * thread's op_begin of the same row and sequence number, sampled sequence
 * numbers are multiples of the stride, unsampled op_ends are at least
 * slow_ns, and an op_end's start + latency (CLOCK_MONOTONIC) is not later
 * than the probe itself (bpf_ktime_get_ns is the same clock).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/usdt.bpf.h>

#include "probe_trace.h"

char LICENSE[] SEC("license") = "Dual MIT/GPL";

/* Set by user space before the traced process runs. */
__u32 target_tgid;
__u64 stride, slow_ns;

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 1 << 20);
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, PT_MAX_ROWS);
	__type(key, __u32);
	__type(value, struct pt_ops);
} ops SEC(".maps");

struct begun {
	__u32 row;
	__u64 seq;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, __u32);
	__type(value, struct begun);
} begins SEC(".maps");

static bool ours(void)
{
	return (bpf_get_current_pid_tgid() >> 32) == target_tgid;
}

static int phase(unsigned type, __u32 row, const char *mode, const char *name, __u32 threads, int err,
		 __u64 a, __u64 b, __u64 c, __u64 d)
{
	struct pt_event *e;

	if (!ours())
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		return 0;
	e->type = type;
	e->row = row;
	e->threads = threads;
	e->err = err;
	e->a = a;
	e->b = b;
	e->c = c;
	e->d = d;
	e->mode[0] = e->name[0] = 0;
	if (mode)
		bpf_probe_read_user_str(e->mode, sizeof(e->mode), mode);
	if (name)
		bpf_probe_read_user_str(e->name, sizeof(e->name), name);
	bpf_ringbuf_submit(e, 0);
	return 0;
}

SEC("usdt")
int BPF_USDT(row_start, __u32 row, const char *mode, const char *name, __u32 threads, __u64 warmup_ms,
	     __u64 measure_ms)
{
	return phase(PT_ROW_START, row, mode, name, threads, 0, warmup_ms, measure_ms, 0, 0);
}

SEC("usdt")
int BPF_USDT(row_end, __u32 row, const char *mode, const char *name, __u32 threads, __u64 nops, int err,
	     __u64 window_ns, __u64 p50_ns, __u64 p99_ns)
{
	return phase(PT_ROW_END, row, mode, name, threads, err, nops, window_ns, p50_ns, p99_ns);
}

SEC("usdt")
int BPF_USDT(measure_start, __u32 row)
{
	return phase(PT_MEASURE_START, row, NULL, NULL, 0, 0, 0, 0, 0, 0);
}

SEC("usdt")
int BPF_USDT(measure_end, __u32 row)
{
	return phase(PT_MEASURE_END, row, NULL, NULL, 0, 0, 0, 0, 0, 0);
}

SEC("usdt")
int BPF_USDT(op_begin, __u32 row, __u32 thread, __u64 seq)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct begun b = {.row = row, .seq = seq};
	struct pt_ops *o;

	if (!ours() || !(o = bpf_map_lookup_elem(&ops, &row)))
		return 0;
	__sync_fetch_and_add(&o->begin, 1);
	if (!stride || seq % stride)
		__sync_fetch_and_add(&o->off_stride, 1);
	bpf_map_update_elem(&begins, &tid, &b, BPF_ANY);
	return 0;
}

SEC("usdt")
int BPF_USDT(op_end, __u32 row, __u32 thread, __u64 seq, __u64 latency_ns, __u64 start_ns, __u32 sampled)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	__u64 now = bpf_ktime_get_ns();
	struct pt_ops *o;
	struct begun *b;

	if (!ours() || !(o = bpf_map_lookup_elem(&ops, &row)))
		return 0;
	if (start_ns + latency_ns > now)
		__sync_fetch_and_add(&o->late_start, 1);
	if (!sampled) {
		__sync_fetch_and_add(&o->end_slow, 1);
		if (!slow_ns || latency_ns < slow_ns)
			__sync_fetch_and_add(&o->slow_below, 1);
		return 0;
	}
	__sync_fetch_and_add(&o->end_sampled, 1);
	b = bpf_map_lookup_elem(&begins, &tid);
	if (b && b->row == row && b->seq == seq) {
		__sync_fetch_and_add(&o->paired, 1);
		bpf_map_delete_elem(&begins, &tid);
	}
	return 0;
}
