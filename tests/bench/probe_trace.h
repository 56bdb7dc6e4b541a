/* SPDX-License-Identifier: MIT */
/* What tests/bench/probe_trace.bpf.c reports to probe_trace.c. */
#ifndef PROBE_TRACE_H
#define PROBE_TRACE_H

#define PT_MAX_ROWS 1024

enum pt_type { PT_ROW_START, PT_ROW_END, PT_MEASURE_START, PT_MEASURE_END };

/* One row phase, through the ring buffer. */
struct pt_event {
	unsigned type, row, threads;
	int err;
	unsigned long long a, b; /* row_start: warmup_ms, measure_ms; row_end: ops, window_ns */
	unsigned long long c, d; /* row_end: p50_ns, p99_ns */
	char mode[16];
	char name[48];
};

/* The operation probes of one row, counted in the kernel. */
struct pt_ops {
	unsigned long long begin;	/* op_begin */
	unsigned long long end_sampled; /* op_end with sampled = 1 */
	unsigned long long paired;	/* ... after this thread's op_begin of the same row and seq */
	unsigned long long end_slow;	/* op_end with sampled = 0 */
	unsigned long long slow_below;	/* ... with a latency under slow_ns: lgbench's error */
	unsigned long long off_stride;	/* op_begin whose seq is not a multiple of stride */
	unsigned long long late_start;	/* op_end whose start + latency is after the probe's time */
};

#endif /* PROBE_TRACE_H */
