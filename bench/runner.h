/* SPDX-License-Identifier: MIT */
/*
 * The timed loop every mode shares: N threads repeat one operation through a
 * warm-up and then a measured window; each operation is timed on its own
 * with a clock_gettime() pair and only operations that start inside the
 * measured window are recorded.
 */
#ifndef LGBENCH_RUNNER_H
#define LGBENCH_RUNNER_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "hist.h"

struct run_spec {
	unsigned threads;
	unsigned long warmup_ms, measure_ms;
	/* Per thread, untimed: returns the thread's context, or NULL with *err set. */
	void *(*setup)(void *arg, unsigned tid, unsigned threads, int *err);
	/* Optional: untimed, before each operation (before op_begin too): 0, or
	 * a negative error code that ends the run. */
	int (*prepare)(void *ctx);
	/* The timed operation: 0, or a negative error code that ends the run. */
	int (*op)(void *ctx);
	void (*teardown)(void *ctx);
	/* Optional: per thread, before teardown: 1 when the thread's region
	 * is one huge page, 0 when not, or a negative errno (rows.h). */
	int (*huge)(void *ctx);
	/* Optional: runs in a thread of its own beside each worker until *stop. */
	void (*helper)(void *ctx, const atomic_bool *stop);
	bool prefetch_counts; /* count lgalloc_prefetch_async hints in the window */
	void *arg;
	uint32_t row_index; /* the probes' row number; run_and_report sets it */
};

/* lgalloc's prefetch counters, all classes. */
struct prefetch_counts {
	uint64_t sync, async, completed, failed;
};

struct run_result {
	struct hist *hist; /* all threads merged; the caller frees it */
	uint64_t ops;
	double seconds;	     /* measured window */
	uint64_t window_ns;  /* the same, in nanoseconds */
	long minflt, majflt; /* page faults of the process during the window */
	int err;	     /* first error of setup or an operation, 0 if none */
	bool have_pf;
	struct prefetch_counts pf; /* change during the window, when have_pf */
	/* With spec->huge: threads whose region was checked, how many of
	 * those were one huge page, and the first error of a check. */
	bool have_huge;
	unsigned huge_checked, huge_yes;
	int huge_err;
};

int run_timed(const struct run_spec *spec, struct run_result *res);

/* Run @spec and emit its record for @row of @mode; CCDF points when @ccdf.
 * The row is the next in the probes' numbering (lgbench:row_start/row_end
 * around it, probes.h).  Returns the run's error, already reported in the
 * record. */
int run_and_report(const char *mode, const char *row, const struct run_spec *spec, bool ccdf);

/* The same, for round @round of a throughput --repeat (0: none). */
int run_and_report_round(const char *mode, const char *row, const struct run_spec *spec, unsigned round);

#endif /* LGBENCH_RUNNER_H */
