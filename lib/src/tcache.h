/* SPDX-License-Identifier: MIT */
/*
 * Thread caches: one per thread that uses lgalloc, with per size class an
 * owner-only front cache, a deque and owner-written counters, linked in a
 * registry that thieves and lgalloc_stats() walk.  A cache is never freed:
 * when its thread exits it is drained and parked for the next new thread,
 * so a thief can always dereference a cache it found on the list.
 *
 * The front cache is a small LIFO array only its thread ever touches: the
 * hit path of allocation and deallocation is a load and a store of its
 * count and one array slot, with no fence and no read-modify-write (the
 * deque's take needs a full fence to order its bottom store against its top
 * load, the cost the front saves).  Thieves never see it; it holds at most
 * half of the class's cache budget (lg_front_cap), so the deque keeps the
 * other half, and the oldest regions, stealable.  It is refilled in a batch
 * from the global pools and spills its older half into the deque in one
 * publication (lg_tcache_spill).
 */
#ifndef LGALLOC_TCACHE_H
#define LGALLOC_TCACHE_H

#include "classes.h"
#include "deque.h"

#define LG_FRONT_CAP 4 /* regions per class the front cache can hold */

/* The owner's hot line for one class: its front cache and its counters. */
struct lg_tclass {
	/* Written by the owner only.  Atomic only because lgalloc_stats()
	 * reads it from other threads (relaxed: a snapshot, nothing is
	 * published through it); the owner's own load+store is a plain mov. */
	_Atomic size_t front_n;
	uintptr_t front[LG_FRONT_CAP]; /* owner only; [front_n - 1] is the newest */
	struct lg_counts n;
} __attribute__((aligned(LG_CACHELINE)));

_Static_assert(sizeof(struct lg_tclass) == LG_CACHELINE, "struct lg_tclass: one cache line");

struct lg_tcache {
	struct lg_tclass cls[LGALLOC_NUM_CLASSES];
	/* Thieves' view: the deques, created on first use; off the owner's
	 * hot lines, read only on a front-cache miss or spill. */
	_Atomic(struct lg_deque *) dq[LGALLOC_NUM_CLASSES];
	struct lg_tcache *_Atomic next; /* registry list, append-only */
	bool in_use;			/* under the registry lock */
	/* Owner-written; kept off the lines the fast path touches. */
	struct lg_prefetch_counters pf[LGALLOC_NUM_CLASSES];
};

/* How many regions of a class whose budget is @cap regions the front cache
 * may hold: at most half the budget, so that the deque's share (the rest)
 * stays stealable; 0 when the budget is one region or none (checked mode). */
static inline size_t lg_front_cap(size_t cap)
{
	return cap / 2 < LG_FRONT_CAP ? cap / 2 : LG_FRONT_CAP;
}

/* Owner only: the newest region of the front cache, or 0 when it is empty.
 * Relaxed: only this thread reads front_n and front[] to act on them. */
static inline uintptr_t lg_front_pop(struct lg_tclass *c)
{
	size_t n = atomic_load_explicit(&c->front_n, lg_relaxed);

	if (!n)
		return 0;
	atomic_store_explicit(&c->front_n, n - 1, lg_relaxed);
	return c->front[n - 1];
}

/* Owner only: cache @v in the front when it holds fewer than @fcap. */
static inline bool lg_front_push(struct lg_tclass *c, uintptr_t v, size_t fcap)
{
	size_t n = atomic_load_explicit(&c->front_n, lg_relaxed);

	if (n >= fcap)
		return false;
	c->front[n] = v;
	/* Relaxed: the front is never read by another thread, so nothing
	 * needs publishing; a region leaving it for the deque or a global
	 * pool is published there (release). */
	atomic_store_explicit(&c->front_n, n + 1, lg_relaxed);
	return true;
}

/* initial-exec: one TLS load on the fast path, no __tls_get_addr call. */
extern __thread struct lg_tcache *lg_tls __attribute__((tls_model("initial-exec")));

/* Give the calling thread a cache (a parked one, or a new one) and set
 * lg_tls; NULL when out of memory.  Use lg_tcache_get(). */
struct lg_tcache *lg_tcache_attach(void);

/* Create the deque of class @ci in the owner's cache; NULL on ENOMEM.  Use
 * lg_tcache_deque(). */
struct lg_deque *lg_tcache_deque_create(struct lg_tcache *tc, unsigned ci);

/* The calling thread's cache, created (or a parked one reused) on first
 * use; NULL when out of memory. */
static inline struct lg_tcache *lg_tcache_get(void)
{
	struct lg_tcache *tc = lg_tls;
	if (lg_likely(tc))
		return tc;
	return lg_tcache_attach();
}

/* The owner's deque for class @ci, created on first use; NULL on ENOMEM.
 * Inline: deallocation asks for it every time. */
static inline struct lg_deque *lg_tcache_deque(struct lg_tcache *tc, unsigned ci)
{
	/* Relaxed: only the owner creates its deques. */
	struct lg_deque *dq = atomic_load_explicit(&tc->dq[ci], lg_relaxed);

	if (lg_likely(dq))
		return dq;
	return lg_tcache_deque_create(tc, ci);
}

/* Owner only, when the front cache of class @ci is full: move its older
 * entries into the deque (as the deque's share of the budget @cap allows)
 * and cache @v in the front, or, with no front (lg_front_cap 0), in the
 * deque.  False when the cache has no room for @v. */
bool lg_tcache_spill(struct lg_tcache *tc, unsigned ci, size_t cap, uintptr_t v);

/* Owner only: room for how many more regions of class @ci the thread's
 * cache has under the budget @cap (front and deque shares). */
size_t lg_tcache_room(struct lg_tcache *tc, unsigned ci, size_t cap);

/* Owner only: cache @v, taken from a global pool, in the front or else the
 * deque; the caller has checked lg_tcache_room(). */
void lg_tcache_fill(struct lg_tcache *tc, unsigned ci, size_t cap, uintptr_t v);

/* Take one region of class @ci from another thread's cache, or 0. */
uintptr_t lg_tcache_steal(struct lg_tcache *self, unsigned ci);

/* Run @fn on every cache under the registry lock (exited threads' counters
 * are folded into the class totals under the same lock). */
void lg_tcache_for_each(void (*fn)(struct lg_tcache *tc, void *arg), void *arg);

#endif /* LGALLOC_TCACHE_H */
