/* SPDX-License-Identifier: MIT */
/*
 * Results out: the guide's human tables (default), or CSV or JSON with one
 * record per row carrying every figure and the run's settings.
 */
#ifndef LGBENCH_OUTPUT_H
#define LGBENCH_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

#include "env.h"
#include "runner.h"

enum out_format { OUT_HUMAN, OUT_CSV, OUT_JSON };

struct record {
	const char *mode; /* throughput, paging, ratio-sweep */
	const char *row;
	unsigned threads;
	const char *status;	      /* "ok", "not installed", "error" */
	const char *note;	      /* why, when not ok */
	const struct run_result *res; /* NULL unless ok */
	bool ccdf;		      /* also emit the CCDF */
	unsigned round;		      /* throughput --repeat: 1..N, 0 without */
};

/* @env is read again at every record: modes may fill in total_mib later.
 * @csv_copy, when not NULL, gets every record as CSV too. */
void output_init(enum out_format fmt, const struct run_env *env, FILE *csv_copy);
/* A table heading (human format only). */
void output_section(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Progress and remarks: stdout for humans, stderr otherwise. */
void output_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void output_record(const struct record *rec);
void output_finish(void);

#endif /* LGBENCH_OUTPUT_H */
