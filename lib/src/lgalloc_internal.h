/* SPDX-License-Identifier: MIT */
/* Private declarations shared by the library's translation units. */
#ifndef LGALLOC_INTERNAL_H
#define LGALLOC_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lgalloc.h"

#define LG_EXPORT      __attribute__((visibility("default")))
#define LG_HOT	       __attribute__((hot))
#define LG_COLD	       __attribute__((cold, noinline))
#define lg_likely(x)   __builtin_expect(!!(x), 1)
#define lg_unlikely(x) __builtin_expect(!!(x), 0)
#define LG_CACHELINE   64

#define LG_PAGE_SIZE	    4096UL
#define LG_MIN_ALIGN_SHIFT  21
#define LG_MIN_ALIGN	    (1UL << LG_MIN_ALIGN_SHIFT) /* every area and region starts 2 MiB aligned */
#define LG_FIRST_AREA_BYTES (32UL << 20)
#define LG_DEQUE_CAP	    256 /* hard cap on one thread's cache of one class */

#define lg_relaxed memory_order_relaxed
#define lg_acquire memory_order_acquire
#define lg_release memory_order_release

/* Counter written only by its owning thread: a plain load and store, no
 * read-modify-write; readers on other threads load it relaxed. */
static inline void lg_owner_inc(_Atomic size_t *c, size_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, lg_relaxed) + n, lg_relaxed);
}

static inline void lg_shared_inc(_Atomic size_t *c, size_t n)
{
	atomic_fetch_add_explicit(c, n, lg_relaxed);
}

/* Global pool of free regions: see region_stack.h. */
struct lg_pool {
	_Atomic uint64_t head; /* generation << 32 | region index */
	_Atomic size_t count;  /* regions in the pool (never below the truth) */
} __attribute__((aligned(LG_CACHELINE)));

/* Everything one size class shares between threads. */
/* Counters a thread keeps per class, written by their owner only; a thread
 * that exits adds them into its class's `folded` copy.  All fields are
 * _Atomic size_t, so lg_fold() can treat a struct as an array. */
struct lg_counts {
	_Atomic size_t allocations;
	_Atomic size_t deallocations;
	_Atomic size_t clear_eager_total;
};

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
	struct lg_counts folded; /* from exited threads, under the registry lock */
} __attribute__((aligned(LG_CACHELINE)));

extern struct lg_class lg_classes[LGALLOC_NUM_CLASSES];

/* lgalloc_prefetch_async() counters of one class: per thread (written by
 * the owner) and, for exited threads, in lg_prefetch_totals.  All fields are
 * _Atomic size_t, as in struct lg_counts. */
struct lg_prefetch_counters {
	_Atomic size_t sync;
	_Atomic size_t async;
	_Atomic size_t completed;
	_Atomic size_t failed;
};

extern struct lg_prefetch_counters lg_prefetch_totals[LGALLOC_NUM_CLASSES];

_Static_assert(sizeof(struct lg_counts) == 3 * sizeof(size_t), "lg_counts: size_t fields only");
_Static_assert(sizeof(struct lg_prefetch_counters) == 4 * sizeof(size_t),
	       "lg_prefetch_counters: size_t fields only");

/* Settings, read on every call with relaxed loads. */
struct lg_settings {
	_Atomic int enabled;
	_Atomic int eager_return;
	_Atomic long growth_dampener;
	_Atomic long local_buffer_bytes;
};

extern struct lg_settings lg_settings;

/* area.c: map a new area for class index @ci (caller holds its refill lock),
 * keep one region for the caller and put the rest into the clean pool. */
int lg_area_refill(unsigned ci, void **region);

/* The area-growth rule of lgalloc 0.7.0, exposed for tests. */
size_t lg_area_next_regions(unsigned shift, size_t last_regions, long dampener);

/* madvise() wrappers that count nothing and report -errno. */
int lg_advise(void *addr, size_t len, int advice);

/* background.c */
int lg_background_configure(long interval_ms, long clear_bytes);

/*
 * fork.c: every lock of the library is taken before fork() and released
 * after it in both processes, so the child never inherits a lock held by a
 * thread that does not exist there.  Each module provides its part.
 */
void lg_fork_register(void);
void lg_config_fork_lock(void);
void lg_config_fork_unlock(void);
void lg_background_fork_lock(void);
void lg_background_fork_unlock(bool child);
void lg_table_fork_lock(void);
void lg_table_fork_unlock(void);
void lg_registry_fork_lock(void);
void lg_registry_fork_unlock(void);

/* config.c: lgalloc_config_init() and lgalloc_configure(), exported under
 * those names at version LGALLOC_0.2 (compat_0_1.c has the 0.1 ones). */
void lg_config_init_0_2(struct lgalloc_config *c);
int lg_configure_0_2(const struct lgalloc_config *c);

#endif /* LGALLOC_INTERNAL_H */
