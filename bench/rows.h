/* SPDX-License-Identifier: MIT */
/*
 * The throughput rows: one timed operation each, on 2 MiB regions.  An
 * operation is an allocation and its free (and one write per 4 KiB page in
 * between for the "+touch" rows), as in the original benchmark.
 */
#ifndef LGBENCH_ROWS_H
#define LGBENCH_ROWS_H

#include <stdbool.h>
#include <stddef.h>

#define IDEAL_POOL_REGIONS 4

struct row {
	const char *name;
	/* NULL when the row can run, else why not (e.g. "not installed: ..."). */
	const char *(*unavailable)(const struct row *row);
	void *(*setup)(void *row, unsigned tid, unsigned threads, int *err);
	int (*op)(void *ctx);
	void (*teardown)(void *ctx);
	/* Optional, pooled rows: whether the region the thread used last is
	 * one huge page (region_huge()), asked before teardown. */
	int (*huge)(void *ctx);
	bool touch;
	int param; /* row specific: madvise advice, peer index */
};

#define ROW(n, s, o, t, tch, p)                                                                              \
	{                                                                                                    \
		.name = n, .setup = s, .op = o, .teardown = t, .touch = tch, .param = p                      \
	}

/* Per-thread state every row uses a part of. */
struct row_ctx {
	const struct row *row;
	void *region;			/* a region mapped for the thread's lifetime */
	void *last;			/* +touch rows of lgalloc: the region touched last */
	void *pool[IDEAL_POOL_REGIONS]; /* ideal-pool's free list */
	unsigned pooled;
};

/* Setup and teardown for rows with nothing to prepare. */
void *row_ctx_new(void *row, unsigned tid, unsigned threads, int *err);
void row_ctx_free(void *ctx);

extern const struct row lgalloc_rows[], sys_rows[], preload_rows[], peer_rows[];
extern const size_t n_lgalloc_rows, n_sys_rows, n_preload_rows, n_peer_rows;

/* Call first thing in main(): may execute the program again. */
void peers_reserve_tls(char **argv);

/* Up to @max rows into @out, in the order of the tables; returns how many. */
size_t rows_all(const struct row **out, size_t max);
const struct row *row_find(const char *name);

#endif /* LGBENCH_ROWS_H */
