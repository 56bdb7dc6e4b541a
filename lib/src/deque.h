/* SPDX-License-Identifier: MIT */
/*
 * A thread's cache of one size class: a bounded Chase-Lev work-stealing
 * deque of region base addresses.  The owner pushes and takes at the bottom
 * (LIFO, so the most recently freed and warmest region goes out first);
 * other threads steal from the top.
 *
 * Orderings follow Lê, Pop, Cohen and Zappa Nardelli, "Correct and
 * Efficient Work-Stealing for Weak Memory Models" (PPoPP 2013), with the
 * buffer fixed in size so it never has to be reclaimed.  The owner does no
 * read-modify-write except a CAS on top when it races thieves for the last
 * entry.  push publishes with a store-release of bottom (a plain store on
 * x86) that the thief's acquire load pairs with; the seq_cst fences order
 * the owner's bottom store against its top load and the thief's top load
 * against its bottom load, which is what keeps one entry from going to both.
 */
#ifndef LGALLOC_DEQUE_H
#define LGALLOC_DEQUE_H

#include <stdatomic.h>
#include <stdint.h>

#include "lgalloc_internal.h"

/*
 * ThreadSanitizer does not model fences (GCC refuses to compile them under
 * -fsanitize=thread).  There, the fence and the two accesses around it
 * become seq_cst accesses, the fence-free form of the same algorithm whose
 * single total order gives the same guarantee.
 */
#ifdef __SANITIZE_THREAD__
#define lg_sc_fence()	((void)0)
#define lg_sc_or(order) memory_order_seq_cst
#else
#define lg_sc_fence()	atomic_thread_fence(memory_order_seq_cst)
#define lg_sc_or(order) (order)
#endif

#define LG_DEQUE_CAP 256 /* hard cap on one thread's cache of one class */

struct lg_deque {
	_Atomic int64_t top; /* thieves' end */
	char pad0[LG_CACHELINE - sizeof(int64_t)];
	_Atomic int64_t bottom; /* owner's end */
	char pad1[LG_CACHELINE - sizeof(int64_t)];
	_Atomic uintptr_t buf[LG_DEQUE_CAP];
};

/* Entries currently held: exact for the owner, a snapshot for others. */
static inline size_t lg_deque_size(struct lg_deque *dq)
{
	int64_t b = atomic_load_explicit(&dq->bottom, lg_relaxed);
	int64_t t = atomic_load_explicit(&dq->top, lg_relaxed);
	return b > t ? (size_t)(b - t) : 0;
}

/* Owner only.  The caller has checked there is room. */
static inline void lg_deque_push(struct lg_deque *dq, uintptr_t v)
{
	int64_t b = atomic_load_explicit(&dq->bottom, lg_relaxed);

	atomic_store_explicit(&dq->buf[b & (LG_DEQUE_CAP - 1)], v, lg_relaxed);
	atomic_store_explicit(&dq->bottom, b + 1, lg_release);
}

/* Owner only: push @n entries, oldest first, with one publication.  The
 * caller has checked there is room for all of them.  The single
 * store-release of bottom publishes every entry written before it (and what
 * the freeing thread wrote into those regions) to a thief's load-acquire of
 * bottom, exactly as n single pushes would; a thief that read the old
 * bottom sees none of them and cannot steal them. */
static inline void lg_deque_push_n(struct lg_deque *dq, const uintptr_t *v, size_t n)
{
	int64_t b = atomic_load_explicit(&dq->bottom, lg_relaxed);

	for (size_t i = 0; i < n; i++)
		atomic_store_explicit(&dq->buf[(b + (int64_t)i) & (LG_DEQUE_CAP - 1)], v[i], lg_relaxed);
	atomic_store_explicit(&dq->bottom, b + (int64_t)n, lg_release);
}

/* Owner only: the newest entry, or 0 when empty. */
static inline uintptr_t lg_deque_take(struct lg_deque *dq)
{
	int64_t b = atomic_load_explicit(&dq->bottom, lg_relaxed) - 1;
	int64_t t;
	uintptr_t v;

	atomic_store_explicit(&dq->bottom, b, lg_sc_or(lg_relaxed));
	lg_sc_fence();
	t = atomic_load_explicit(&dq->top, lg_sc_or(lg_relaxed));
	if (t > b) { /* was empty */
		atomic_store_explicit(&dq->bottom, b + 1, lg_relaxed);
		return 0;
	}
	v = atomic_load_explicit(&dq->buf[b & (LG_DEQUE_CAP - 1)], lg_relaxed);
	if (t == b) { /* last entry: race the thieves for it */
		if (!atomic_compare_exchange_strong_explicit(&dq->top, &t, t + 1, memory_order_seq_cst,
							     lg_relaxed))
			v = 0;
		atomic_store_explicit(&dq->bottom, b + 1, lg_relaxed);
	}
	return v;
}

/* Any thread: the oldest entry, or 0 when empty or lost to a race. */
static inline uintptr_t lg_deque_steal(struct lg_deque *dq)
{
	int64_t t = atomic_load_explicit(&dq->top, lg_sc_or(lg_acquire));
	lg_sc_fence();
	int64_t b = atomic_load_explicit(&dq->bottom, lg_sc_or(lg_acquire));
	uintptr_t v;

	if (t >= b)
		return 0;
	v = atomic_load_explicit(&dq->buf[t & (LG_DEQUE_CAP - 1)], lg_relaxed);
	if (!atomic_compare_exchange_strong_explicit(&dq->top, &t, t + 1, memory_order_seq_cst, lg_relaxed))
		return 0;
	return v;
}

#endif /* LGALLOC_DEQUE_H */
