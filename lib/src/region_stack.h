/* SPDX-License-Identifier: MIT */
/*
 * A global pool: a lock-free multi-producer multi-consumer LIFO of region
 * indices (a Treiber stack).
 *
 * The head packs a 32-bit generation above the top region's index and every
 * successful push or pop bumps the generation, so a pop that read head A,
 * then lost the CPU while A was popped and pushed again, fails its CAS
 * instead of installing a stale next link (the ABA problem).  Reading
 * r->next of a region another thread already took is harmless: descriptors
 * are never freed, and that pop's CAS fails.  A 64-bit head keeps to plain
 * C11 atomics (no 16-byte CAS), which ThreadSanitizer understands.
 *
 * Push is a release, pop an acquire: whatever the last owner wrote into the
 * region happens-before the next owner's use of it.
 */
#ifndef LGALLOC_REGION_STACK_H
#define LGALLOC_REGION_STACK_H

#include "region_table.h"

struct lg_pool {
	_Atomic uint64_t head; /* generation << 32 | region index */
	_Atomic size_t count;  /* regions in the pool (never below the truth) */
} __attribute__((aligned(LG_CACHELINE)));

#define LG_GEN_ONE ((uint64_t)1 << 32)

static inline void lg_pool_push(struct lg_pool *pool, uint32_t idx)
{
	struct lg_region *r = lg_region_get(idx);
	uint64_t old = atomic_load_explicit(&pool->head, lg_relaxed);
	uint64_t new;

	/* Count first: a pop can only follow this push, so count never drops
	 * below the number of regions really in the pool. */
	atomic_fetch_add_explicit(&pool->count, 1, lg_relaxed);
	do {
		atomic_store_explicit(&r->next, (uint32_t)old, lg_relaxed);
		new = ((old & ~(uint64_t)UINT32_MAX) + LG_GEN_ONE) | idx;
	} while (!atomic_compare_exchange_weak_explicit(&pool->head, &old, new, lg_release, lg_relaxed));
}

/* The index of a region taken from @pool, or 0 when it is empty. */
static inline uint32_t lg_pool_pop(struct lg_pool *pool)
{
	uint64_t old = atomic_load_explicit(&pool->head, lg_acquire);
	uint64_t new;
	uint32_t idx;

	do {
		idx = (uint32_t)old;
		if (!idx)
			return 0;
		uint32_t next = atomic_load_explicit(&lg_region_get(idx)->next, lg_relaxed);
		new = ((old & ~(uint64_t)UINT32_MAX) + LG_GEN_ONE) | next;
	} while (!atomic_compare_exchange_weak_explicit(&pool->head, &old, new, lg_acquire, lg_acquire));
	atomic_fetch_sub_explicit(&pool->count, 1, lg_relaxed);
	return idx;
}

static inline size_t lg_pool_count(struct lg_pool *pool)
{
	return atomic_load_explicit(&pool->count, lg_relaxed);
}

#endif /* LGALLOC_REGION_STACK_H */
