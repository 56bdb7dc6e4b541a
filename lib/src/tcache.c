// SPDX-License-Identifier: MIT
/* Thread-cache registry: creation, reuse, stealing, and thread exit. */
#include <stdlib.h>
#include <string.h>

#include "init.h"
#include "tcache.h"

__thread struct lg_tcache *lg_tls __attribute__((tls_model("initial-exec")));

static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct lg_tcache *_Atomic registry_head;
static pthread_key_t exit_key;
static bool exit_key_ok;

static void tcache_detach(void *arg);

static void exit_key_init(void)
{
	exit_key_ok = pthread_key_create(&exit_key, tcache_detach) == 0;
}

static const struct lg_subsystem tcache_subsystem = {
	.rank = LG_RANK_TCACHE,
	.init = exit_key_init,
	.lock = &registry_lock,
};
LG_SUBSYSTEM(tcache_subsystem);

struct lg_tcache *lg_tcache_attach(void)
{
	struct lg_tcache *tc;

	if (lg_init() || !exit_key_ok)
		return NULL;
	pthread_mutex_lock(&registry_lock);
	for (tc = atomic_load_explicit(&registry_head, lg_relaxed); tc; tc = tc->next)
		if (!tc->in_use)
			break;
	if (!tc) {
		/* Aligned: each class's front cache and counters are one line. */
		tc = aligned_alloc(LG_CACHELINE, sizeof(*tc));
		if (!tc) {
			pthread_mutex_unlock(&registry_lock);
			return NULL;
		}
		memset(tc, 0, sizeof(*tc));
		tc->next = atomic_load_explicit(&registry_head, lg_relaxed);
		atomic_store_explicit(&registry_head, tc, lg_release);
	}
	tc->in_use = true;
	pthread_mutex_unlock(&registry_lock);
	/* Registers the exit hook; it fails only for lack of memory. */
	if (pthread_setspecific(exit_key, tc)) {
		pthread_mutex_lock(&registry_lock);
		tc->in_use = false;
		pthread_mutex_unlock(&registry_lock);
		return NULL;
	}
	lg_tls = tc;
	return tc;
}

struct lg_deque *lg_tcache_deque_create(struct lg_tcache *tc, unsigned ci)
{
	struct lg_deque *dq = aligned_alloc(LG_CACHELINE, sizeof(*dq));
	if (!dq)
		return NULL;
	atomic_init(&dq->top, 0);
	atomic_init(&dq->bottom, 0);
	for (size_t i = 0; i < LG_DEQUE_CAP; i++)
		atomic_init(&dq->buf[i], 0);
	/* Release: a thief that sees the pointer sees an initialised deque. */
	atomic_store_explicit(&tc->dq[ci], dq, lg_release);
	return dq;
}

/* The deque's share of the budget: what the front may not hold. */
static size_t deque_room(struct lg_deque *dq, size_t cap)
{
	size_t share = cap - lg_front_cap(cap), used = lg_deque_size(dq);

	return share > used ? share - used : 0;
}

bool lg_tcache_spill(struct lg_tcache *tc, unsigned ci, size_t cap, uintptr_t v)
{
	struct lg_tclass *c = &tc->cls[ci];
	struct lg_deque *dq = lg_tcache_deque(tc, ci);
	size_t fcap = lg_front_cap(cap);
	/* Relaxed: the owner's own count (tcache.h). */
	size_t n = atomic_load_explicit(&c->front_n, lg_relaxed);
	size_t room, keep = fcap / 2, k;

	if (!dq)
		return lg_front_push(c, v, fcap);
	room = deque_room(dq, cap);
	/* Move the older entries, all but the newest fcap / 2, so that the
	 * next frees and allocations stay in the front. */
	k = n > keep ? n - keep : 0;
	if (k > room)
		k = room;
	if (k) {
		lg_deque_push_n(dq, c->front, k);
		memmove(c->front, c->front + k, (n - k) * sizeof(c->front[0]));
		n -= k;
		atomic_store_explicit(&c->front_n, n, lg_relaxed);
	}
	if (lg_front_push(c, v, fcap))
		return true;
	if (room > k) { /* no front (fcap 0): straight into the deque */
		lg_deque_push(dq, v);
		return true;
	}
	return false;
}

size_t lg_tcache_room(struct lg_tcache *tc, unsigned ci, size_t cap)
{
	size_t fcap = lg_front_cap(cap);
	size_t n = atomic_load_explicit(&tc->cls[ci].front_n, lg_relaxed);
	size_t room = n < fcap ? fcap - n : 0;
	struct lg_deque *dq = fcap < cap ? lg_tcache_deque(tc, ci) : NULL;

	return dq ? room + deque_room(dq, cap) : room;
}

void lg_tcache_fill(struct lg_tcache *tc, unsigned ci, size_t cap, uintptr_t v)
{
	if (!lg_front_push(&tc->cls[ci], v, lg_front_cap(cap)))
		lg_deque_push(lg_tcache_deque(tc, ci), v);
}

uintptr_t lg_tcache_steal(struct lg_tcache *self, unsigned ci)
{
	for (struct lg_tcache *tc = atomic_load_explicit(&registry_head, lg_acquire); tc; tc = tc->next) {
		if (tc == self)
			continue;
		/* Acquire: pairs with the release that published the deque. */
		struct lg_deque *dq = atomic_load_explicit(&tc->dq[ci], lg_acquire);
		if (!dq)
			continue;
		uintptr_t v = lg_deque_steal(dq);
		if (v)
			return v;
	}
	return 0;
}

void lg_tcache_for_each(void (*fn)(struct lg_tcache *tc, void *arg), void *arg)
{
	/* The registry lock is one the fork handlers must know of. */
	lg_init();
	pthread_mutex_lock(&registry_lock);
	for (struct lg_tcache *tc = atomic_load_explicit(&registry_head, lg_relaxed); tc; tc = tc->next)
		fn(tc, arg);
	pthread_mutex_unlock(&registry_lock);
}

/* Thread exit: the other subsystems' exit hooks run (prefetch.c counts
 * what the thread's ring still holds), the cache's regions (front and
 * deque) go to the dirty pool, its counters into the class totals, and the
 * cache is parked for reuse. */
static void tcache_detach(void *arg)
{
	struct lg_tcache *tc = arg;

	lg_init_thread_exit(tc);
	for (unsigned ci = 0; ci < LGALLOC_NUM_CLASSES; ci++) {
		struct lg_deque *dq = atomic_load_explicit(&tc->dq[ci], lg_relaxed);
		uintptr_t v;

		while ((v = lg_front_pop(&tc->cls[ci])))
			lg_pool_push(&lg_classes[ci].dirty, lg_map_lookup((void *)v, &(unsigned){0}));
		while (dq && (v = lg_deque_take(dq)))
			lg_pool_push(&lg_classes[ci].dirty, lg_map_lookup((void *)v, &(unsigned){0}));
	}
	pthread_mutex_lock(&registry_lock);
	for (unsigned ci = 0; ci < LGALLOC_NUM_CLASSES; ci++)
		lg_class_fold(ci, &tc->cls[ci].n, &tc->pf[ci]);
	tc->in_use = false;
	pthread_mutex_unlock(&registry_lock);
	lg_tls = NULL;
}
