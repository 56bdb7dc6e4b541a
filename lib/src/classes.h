/* SPDX-License-Identifier: MIT */
/*
 * The state each size class shares between threads: its two global pools,
 * the lock under which a new area is mapped, and the class totals: area
 * counters, and the counters of threads that exited (or never had a
 * cache), folded in.  lgalloc_stats() adds the live threads' counters.
 */
#ifndef LGALLOC_CLASSES_H
#define LGALLOC_CLASSES_H

#include <pthread.h>

#include "region_stack.h"

/* Counters a thread keeps per class, written by their owner only; a thread
 * that exits adds them into its class's `folded` copy.  All fields are
 * _Atomic size_t, so lg_class_fold() can treat a struct as an array. */
struct lg_counts {
	_Atomic size_t allocations;
	_Atomic size_t deallocations;
	_Atomic size_t clear_eager_total;
};

/* lgalloc_prefetch_async() counters of one class, kept the same way. */
struct lg_prefetch_counters {
	_Atomic size_t sync;
	_Atomic size_t async;
	_Atomic size_t completed;
	_Atomic size_t failed;
};

_Static_assert(sizeof(struct lg_counts) == 3 * sizeof(size_t), "lg_counts: size_t fields only");
_Static_assert(sizeof(struct lg_prefetch_counters) == 4 * sizeof(size_t),
	       "lg_prefetch_counters: size_t fields only");

struct lg_class {
	struct lg_pool dirty; /* freed regions, maybe still resident */
	struct lg_pool clean; /* fresh or advised-away regions */
	pthread_mutex_t refill_lock;
	size_t last_area_regions; /* under refill_lock */
	_Atomic size_t areas;
	_Atomic size_t area_total_bytes;
	_Atomic size_t slow_path;
	_Atomic size_t refill;
	_Atomic size_t clear_slow_total;
	/* From exited threads (under the thread registry lock) and from
	 * threads without a cache (lg_shared_inc). */
	struct lg_counts folded;
	/* Eager return's and the worker's failed madvise calls: rare, so
	 * shared (lg_shared_inc) rather than per thread. */
	_Atomic size_t advise_failed;
} __attribute__((aligned(LG_CACHELINE)));

_Static_assert(sizeof(struct lg_class) == 4 * LG_CACHELINE, "struct lg_class: four cache lines");

extern struct lg_class lg_classes[LGALLOC_NUM_CLASSES];

/* The prefetch counters' `folded` copies, kept beside lg_classes rather
 * than in it: struct lg_class stays four cache lines, a shift to index. */
extern struct lg_prefetch_counters lg_prefetch_folded[LGALLOC_NUM_CLASSES];

/* Add an exiting thread's counters of class @ci into the class totals and
 * clear them.  The caller holds the lock lgalloc_stats() walks the threads
 * under (tcache.c's registry lock), so no count is seen twice or missed. */
void lg_class_fold(unsigned ci, struct lg_counts *n, struct lg_prefetch_counters *pf);

#endif /* LGALLOC_CLASSES_H */
