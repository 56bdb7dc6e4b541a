/* SPDX-License-Identifier: MIT */
/*
 * lgtrace's BPF side: the privilege and BTF checks, probing which
 * tracepoints the kernel has, opening, loading and attaching the skeleton
 * (lgtrace.bpf.c), and reading its statistics.  Prints what goes wrong.
 */
#ifndef LGTRACE_LOADER_H
#define LGTRACE_LOADER_H

#include <stdbool.h>
#include <sys/types.h>

#include "report.h"

#define DEFAULT_BTF "/sys/kernel/btf/vmlinux"

struct lgtrace_bpf;

struct loader_opts {
	const char *btf_path;
	unsigned latency_sample; /* time one fault in N per thread */
	bool command;		 /* load the program that stops a command at its entry */
	bool verbose;		 /* libbpf's debug messages too */
	bool tree;		 /* follow processes (the process map), not @pid alone */
	bool stop_on_exec;	 /* with @tree: stop each exec until its areas are found */
	bool bench;		 /* --bench: lgbench's rows, the per-thread causes, sched_switch */
	bool counts_only;	 /* --counts-only: faults at their entry, no completion/lock/io_uring */
	/* lgtrace's PID namespace if it is not the initial one (0: it is);
	 * dev in the kernel's encoding (major << 20 | minor) */
	unsigned long long pidns_dev, pidns_ino;
};

/* Root (or the capabilities) and a readable kernel BTF; 0 or -1. */
int loader_check(const struct loader_opts *o);
/*
 * Open the skeleton for @pid, leave out the programs whose tracepoints the
 * kernel lacks (or LGTRACE_SKIP_TRACEPOINTS lists), load it and attach the
 * tracepoint programs.  Fills @have's tracepoint features.  0 or -1.
 */
int loader_open(struct lgtrace_bpf **skel, bool have[NUM_FEATURES], pid_t pid, const struct loader_opts *o);
/*
 * --features: which features this kernel's BTF (o->btf_path) offers, as
 * loader_open() would choose them, without loading anything.  0 or -1.
 */
int loader_probe(bool have[NUM_FEATURES], const struct loader_opts *o);
/* After loader_open() or loader_probe(): per feature, why it is missing
 * (NULL where it is not); static storage, valid until the next call. */
const char *const *loader_feature_reasons(void);
/* The tracepoints (with their signatures) feature @f comes from, or NULL. */
const char *loader_feature_source(enum feature f);
/* The per-CPU statistics summed into @out; 0 or -errno. */
int loader_collect(struct lgtrace_bpf *skel, struct snapshot *out);
/* --bench: rows 0..@n-1 of the row map into @rows, the per-CPU work
 * summed into @work; 0 or -errno. */
int loader_bench_collect(struct lgtrace_bpf *skel, struct lgt_bench_row *rows, struct lgt_bench_work *work,
			 unsigned n);
void loader_destroy(struct lgtrace_bpf *skel);

#endif /* LGTRACE_LOADER_H */
