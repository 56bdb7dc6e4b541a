/* SPDX-License-Identifier: MIT */
/*
 * Thread caches: one per thread that uses lgalloc, each a deque and
 * owner-written counters per size class, linked in a registry that thieves
 * and lgalloc_stats() walk.  A cache is never freed: when its thread exits
 * it is drained and parked for the next new thread, so a thief can always
 * dereference a cache it found on the list.
 */
#ifndef LGALLOC_TCACHE_H
#define LGALLOC_TCACHE_H

#include "classes.h"
#include "deque.h"

struct lg_tclass {
	_Atomic(struct lg_deque *) dq; /* created on first use */
	struct lg_counts n;
};

struct lg_tcache {
	struct lg_tclass cls[LGALLOC_NUM_CLASSES];
	struct lg_tcache *_Atomic next; /* registry list, append-only */
	bool in_use;			/* under the registry lock */
	/* Owner-written; kept off the lines the fast path touches. */
	struct lg_prefetch_counters pf[LGALLOC_NUM_CLASSES];
};

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
	struct lg_deque *dq = atomic_load_explicit(&tc->cls[ci].dq, lg_relaxed);

	if (lg_likely(dq))
		return dq;
	return lg_tcache_deque_create(tc, ci);
}

/* Take one region of class @ci from another thread's cache, or 0. */
uintptr_t lg_tcache_steal(struct lg_tcache *self, unsigned ci);

/* Run @fn on every cache under the registry lock (exited threads' counters
 * are folded into the class totals under the same lock). */
void lg_tcache_for_each(void (*fn)(struct lg_tcache *tc, void *arg), void *arg);

#endif /* LGALLOC_TCACHE_H */
