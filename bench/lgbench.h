/* SPDX-License-Identifier: MIT */
/* lgbench's options and the entry points of its four modes. */
#ifndef LGBENCH_H
#define LGBENCH_H

#include <stdbool.h>
#include <stddef.h>

#include "env.h"

#define MAX_THREAD_COUNTS 16

struct thread_list {
	unsigned n[MAX_THREAD_COUNTS];
	size_t len; /* 0: the mode's defaults */
};

struct bench_opts {
	struct thread_list threads;
	const char *rows; /* comma-separated rows (throughput) or strategies (ratio sweep), NULL for all */
	unsigned long repeat; /* throughput: rounds over the rows per thread count (0: one) */
	struct run_env *env;
};

int throughput_run(const struct bench_opts *o);
int paging_run(const struct bench_opts *o);
int sweep_run(const struct bench_opts *o);
int causes_run(const struct bench_opts *o);
/* Whether --causes has a row of that name. */
bool causes_has_row(const char *name);
void causes_list_rows(void);
/* Whether the ratio sweep has a strategy (or realloc+touch) of that name. */
bool sweep_has_step(const char *name);
void sweep_list_steps(void);

/* The thread counts to use: the user's, else @defaults. */
const struct thread_list *threads_or(const struct bench_opts *o, const struct thread_list *defaults);

#endif /* LGBENCH_H */
