// SPDX-License-Identifier: MIT
/* Thread-cache registry: creation, reuse, stealing, and thread exit. */
#include <stdlib.h>

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
		tc = calloc(1, sizeof(*tc));
		if (!tc) {
			pthread_mutex_unlock(&registry_lock);
			return NULL;
		}
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
	atomic_store_explicit(&tc->cls[ci].dq, dq, lg_release);
	return dq;
}

uintptr_t lg_tcache_steal(struct lg_tcache *self, unsigned ci)
{
	for (struct lg_tcache *tc = atomic_load_explicit(&registry_head, lg_acquire); tc; tc = tc->next) {
		if (tc == self)
			continue;
		struct lg_deque *dq = atomic_load_explicit(&tc->cls[ci].dq, lg_acquire);
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
 * what the thread's ring still holds), the cache's regions go to the dirty
 * pool, its counters into the class totals, and the cache is parked for
 * reuse. */
static void tcache_detach(void *arg)
{
	struct lg_tcache *tc = arg;

	lg_init_thread_exit(tc);
	for (unsigned ci = 0; ci < LGALLOC_NUM_CLASSES; ci++) {
		struct lg_deque *dq = atomic_load_explicit(&tc->cls[ci].dq, lg_relaxed);
		uintptr_t v;

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
