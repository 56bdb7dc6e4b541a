/* SPDX-License-Identifier: MIT */
/*
 * lgtrace --bench's arithmetic and output: from the rows the BPF side kept
 * (struct lgt_bench_row, struct lgt_bench_work in lgtrace.h) to each row's
 * kernel work per operation, its tail attribution (the operations slower
 * than the row's p99, by cause) and its CCDF bands by cause, as text and
 * as the "bench" JSON object (docs/tracing.md, "lgtrace --bench").  Plain
 * data and a FILE*, no BPF: unit tests feed it made-up rows.  Not
 * thread-safe (static tables only, read-only).
 */
#ifndef LGTRACE_BENCHSTAT_H
#define LGTRACE_BENCHSTAT_H

#include <stdbool.h>
#include <stdio.h>

#include <jansson.h>
#include <linux/types.h>

#include "lgtrace.h"

/* "swapin", "major_fault", "mmap_lock", "off_cpu", "minor_fault", "none":
 * the JSON keys, in the order of precedence. */
extern const char *const bench_cause_names[LGT_NUM_CAUSES];

/* The latencies slot @slot holds: [bench_slot_lower(slot),
 * bench_slot_lower(slot + 1)) ns; slot LGT_BENCH_SLOTS - 1 takes all
 * larger ones (its upper bound is then a bound of the slot, not of them). */
unsigned long long bench_slot_lower(unsigned slot);

/* The fraction of slot [@lo, @hi)'s operations (integer ns, taken as
 * spread evenly) that are slower than @threshold ns: 1 above it, 0 at or
 * below it, a share when it falls inside. */
double bench_fraction_above(unsigned long long lo, unsigned long long hi, unsigned long long threshold);

/* One cause's group of a row's tail: estimated operations and their
 * summed latency (both weighted: bench_tail()). */
struct bench_group {
	double ops, ns;
};

/* The operations of @row slower than @threshold ns (lgbench's p99), by
 * cause, both sets of the row together. */
struct bench_tail {
	unsigned long long threshold_ns;
	double ops, ns; /* all causes */
	struct bench_group cause[LGT_NUM_CAUSES];
};
void bench_tail(const struct lgt_bench_row *row, unsigned long long threshold, struct bench_tail *t);

/* One log2 latency band [2^k, 2^(k+1)) ns of a row's CCDF: estimated
 * operations, in all and by cause.  Returns the number of bands with an
 * operation written to @bands (at most LGT_HIST_SLOTS), lowest first. */
struct bench_band {
	unsigned long long lower_ns, upper_ns;
	double ops;
	double by_cause[LGT_NUM_CAUSES];
};
int bench_bands(const struct lgt_bench_row *row, struct bench_band bands[LGT_HIST_SLOTS]);

/* What the report needs beside the rows. */
struct bench_report {
	unsigned stride;		  /* the selection lgtrace wrote */
	unsigned long long slow_ns;	  /* 0: none */
	bool have_cause[LGT_NUM_CAUSES];  /* the kernel gives that cause (else null / n/a) */
	bool have_work[LGT_NUM_WORK];	  /* the kernel gives that counter (else null / n/a) */
	const struct lgt_bench_row *rows; /* by lgbench's row index; rows[i].seen tells which ran */
	const struct lgt_bench_work *work;
	unsigned nrows;
	unsigned long long rows_dropped; /* rows lgbench started beyond the nrows kept */
};

/* "every 4096th operation of each thread, and every operation of 100000 ns
 * or more": the sampling sentence, into @buf. */
void bench_how(const struct bench_report *b, char *buf, size_t len);
/* The text: a line with the sampling, then a block per row that ran. */
void bench_print(FILE *o, const struct bench_report *b);
/* The "bench" object of the JSON document; NULL when out of memory. */
json_t *bench_json(const struct bench_report *b);

#endif /* LGTRACE_BENCHSTAT_H */
