/* SPDX-License-Identifier: MIT */
/*
 * The working set of the paging and ratio-sweep modes: 2 MiB lgalloc
 * regions, all written once, then read one 4 KiB page at a time in a stride
 * walk: page i + 1 = (page i + stride) mod pages, with a stride near 0.618
 * of the set and coprime with its size, so that every page is visited once a
 * cycle and neighbouring reads land far apart.
 */
#ifndef LGBENCH_WORKSET_H
#define LGBENCH_WORKSET_H

#include <stdbool.h>
#include <stdint.h>

#include "env.h"
#include "lgalloc.h"

#define PREFETCH_AHEAD	   32	/* pages a prefetch thread stays ahead of its reader */
#define URING_SUBMIT_EVERY 8	/* reads between submits of rand+uring-ahead */
#define URING_RING_DEPTH   256	/* least SQ entries of the readers' rings, unless --ring-depth */
#define URING_MAX_DEPTH	   4096 /* the library's limit */

struct workset {
	struct lgalloc_handle *regions;
	size_t nregions, npages, stride;
};

struct read_strategy {
	const char *name;
	int advice;	/* madvise() on the whole set before reading (MADV_NORMAL: none) */
	unsigned batch; /* every batch reads, MADV_WILLNEED the next batch pages (0: never) */
	bool prefetch;	/* a prefetch thread per reader, PREFETCH_AHEAD pages ahead */
	/* Hints through the reader's io_uring (lgalloc_prefetch_async), one
	 * lgalloc_prefetch_submit per batch, or with ahead every submit_every
	 * reads; each read waits for its page's hint (lgalloc_prefetch_wait)
	 * unless no_wait. */
	bool uring, no_wait;
	unsigned ahead;	       /* the reader keeps the page this many reads ahead hinted */
	unsigned submit_every; /* with ahead */
};

/* Allocate env->total_mib (when 0: set it to three times the memory limit)
 * in 2 MiB lgalloc regions and write every page.  Errors are reported. */
int workset_create(struct workset *ws, struct run_env *env);
/* Free every other region, leaving the pool full of swapped-out regions. */
int workset_release_half(struct workset *ws);
void workset_destroy(struct workset *ws);

/* Random 4 KiB reads over @ws with @s at @threads threads. */
int workset_reads(const char *mode, struct workset *ws, const struct read_strategy *s, unsigned threads,
		  const struct run_env *env, bool ccdf);
/* lgalloc allocate + touch + free, from a pool of swapped-out regions. */
int workset_realloc(const char *mode, unsigned threads, const struct run_env *env, bool ccdf);

#endif /* LGBENCH_WORKSET_H */
