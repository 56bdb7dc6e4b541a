/* SPDX-License-Identifier: MIT */
/*
 * lgtrace's reporting: the arithmetic of snapshots of the per-pool
 * statistics and their output as tables, log2 histograms and JSON.  Works
 * on plain data and a FILE*, without BPF, so that unit tests can feed it
 * made-up snapshots.
 */
#ifndef LGTRACE_REPORT_H
#define LGTRACE_REPORT_H

#include <stdbool.h>
#include <stdio.h>
#include <sys/types.h>

#include <jansson.h>
#include <linux/types.h>

#include "lgtrace.h"

/* Features: each needs tracepoints the kernel may lack ("n/a" if so). */
enum feature {
	FEAT_FAULTS,	     /* page_fault_user */
	FEAT_COMPLETION,     /* count_memcg_events: completion, major, swap-in, latency */
	FEAT_LOCK,	     /* mmap_lock_start_locking + mmap_lock_acquire_returned */
	FEAT_CONTENTION,     /* contention_begin */
	FEAT_SWAPOUT,	     /* mm_vmscan_write_folio */
	FEAT_URING_SUBMIT,   /* io_uring_submit_req: madvise submissions, hints */
	FEAT_URING_COMPLETE, /* io_uring_complete: completions */
	FEAT_SWAPIN_OTHER,   /* PSWPIN (count_memcg_events): swap-ins outside lgalloc's areas */
	FEAT_PROCS,	     /* sched_process_fork/exec/exit: process trees */
	FEAT_OFFCPU,	     /* sched_switch: --bench's off-CPU cause */
	FEAT_USDT,	     /* lgalloc:area_map attached somewhere */
	FEAT_REGISTRY,	     /* the area registry found */
	NUM_FEATURES,
};
#define FEAT_LAST_TP FEAT_OFFCPU /* the features that come from tracepoints */

extern const char *const feature_names[NUM_FEATURES];

struct snapshot {
	struct lgt_pool_stats pool[LGT_NUM_POOLS];
};

/* The fault counts the kernel keeps for the process, since the attach. */
struct kernel_counts {
	bool valid;
	const char *source; /* "wait4" or "/proc/PID/stat" */
	unsigned long long minflt, majflt;
};

/* One process of a traced tree. */
struct proc_row {
	pid_t pid, ppid; /* ppid: the traced parent that forked it, 0 if none */
	char comm[16];
	unsigned long long faults, major, swapins;
};

/* What the summary says beside the pools. */
struct summary {
	pid_t pid;
	double seconds;
	unsigned latency_sample;
	bool hists; /* text: print the histograms */
	const bool *have;
	const char *const *why; /* per feature, why it is missing, or NULL; may be NULL */
	struct kernel_counts kernel;
	struct lgt_diag diag;
	unsigned registry_areas;
	const char *target;	      /* "PID 12 (comm)", "the tree of PID 12 (comm)", "cgroup PATH" */
	const struct proc_row *procs; /* a tree's processes; NULL with -p alone */
	size_t nprocs;
	bool per_process; /* --per-process: the breakdown even for one process that faulted */
};

/* Whether the summary has the breakdown per process: with a tree, when
 * more than one process faulted or @sum->per_process. */
bool report_per_process(const struct summary *sum);
/* The breakdown per process (the processes that faulted, or all with
 * per_process), in the order they were seen; without per_process at most
 * PROCS_TEXT_ROWS, those with the most faults, and a line for the rest. */
#define PROCS_TEXT_ROWS 40

void print_procs(FILE *o, const struct summary *sum);

/* Add @ncpu per-CPU values of pool @pool to @s. */
void snapshot_add_cpus(struct snapshot *s, int pool, const struct lgt_pool_stats *vals, int ncpu);
/* @d = @a - @b, every counter and histogram slot. */
void snapshot_sub(struct snapshot *d, const struct snapshot *a, const struct snapshot *b);
void snapshot_total(struct lgt_pool_stats *total, const struct snapshot *s);

/* "2M" .. "64G", "other", "mmap/munmap". */
void pool_name(int pool, char *buf, size_t len);
bool pool_active(const struct lgt_pool_stats *s);
/* Percentile @pct of @nh adjacent log2 histograms taken as one,
 * interpolated inside its slot; 0 when they are empty. */
double hist_pct(const __u64 *h, int nh, double pct);

/* The fault table; the io_uring madvise table below it when there were
 * any. */
void print_table(FILE *o, const bool *have, const struct snapshot *s);
/* The log2 histograms of every active pool. */
void print_hists(FILE *o, const struct snapshot *s);
void print_summary(FILE *o, const struct summary *sum, const struct snapshot *s);

/* The JSON array of the active pools, with their histograms or not. */
json_t *report_json_pools(const struct snapshot *s, bool hists);
/* Append {"t": @t, "pools": ...} to the array @intervals; 0 or -ENOMEM. */
int report_json_interval(json_t *intervals, double t, const struct snapshot *s);
/* The whole document; @intervals (an array, or NULL) is not stolen, but
 * what the kernel could not measure (@sum->have) is set to null in its
 * pools as in the document's own. */
json_t *report_json(const struct summary *sum, const struct snapshot *s, json_t *intervals);
/* Write @doc and a newline to @o in lgtrace's layout: a member a line, a
 * pool a line, values by jansson (common/json.h); 0 or -EIO. */
int report_json_write(FILE *o, const json_t *doc);

#endif /* LGTRACE_REPORT_H */
