// SPDX-License-Identifier: MIT
/*
 * The subsystems' life cycle: init, fork and thread exit (see init.h).
 *
 * fork() safety: the prepare hooks take every library lock in the one order
 * the library nests them (enum lg_rank) and the parent and child hooks
 * release them, so the child never inherits a lock held by a thread that
 * does not exist there.  The child keeps the parent's pools: its own thread
 * cache, the global pools, and the caches of the parent's other threads,
 * which it cannot use directly but still steals from.  Private mappings are
 * copy-on-write, so regions leased before the fork are the child's to use
 * or free.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

#include "init.h"

/* Filled by the constructors, before any thread can call into the library;
 * atomic so that a late registration (a constructor of a program that runs
 * before ours and calls lgalloc) is still seen whole. */
static const struct lg_subsystem *_Atomic subsystems[LG_NUM_RANKS];
static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static _Atomic bool initialised;
/* The hooks that prepare ran, so that parent and child undo exactly those. */
static const struct lg_subsystem *prepared[LG_NUM_RANKS];

static const struct lg_subsystem *get(int rank)
{
	return atomic_load_explicit(&subsystems[rank], memory_order_acquire);
}

static void fork_prepare(void)
{
	for (int r = 0; r < LG_NUM_RANKS; r++) {
		const struct lg_subsystem *s = get(r);

		prepared[r] = s;
		if (s && s->prepare)
			s->prepare();
		if (s && s->lock)
			pthread_mutex_lock(s->lock);
	}
}

static void release(bool child)
{
	for (int r = LG_NUM_RANKS; r-- > 0;) {
		const struct lg_subsystem *s = prepared[r];
		void (*hook)(void) = s ? (child ? s->child : s->parent) : NULL;

		if (hook)
			hook();
		if (s && s->lock)
			pthread_mutex_unlock(s->lock);
	}
}

static void fork_parent(void)
{
	release(false);
}

static void fork_child(void)
{
	release(true);
}

static void init_all(void)
{
	for (int r = 0; r < LG_NUM_RANKS; r++) {
		const struct lg_subsystem *s = get(r);

		if (s && s->init)
			s->init();
	}
	atomic_store_explicit(&initialised, true, memory_order_release);
	pthread_atfork(fork_prepare, fork_parent, fork_child);
}

void lg_init(void)
{
	pthread_once(&init_once, init_all);
}

void lg_init_register(const struct lg_subsystem *s)
{
	atomic_store_explicit(&subsystems[s->rank], s, memory_order_release);
	if (atomic_load_explicit(&initialised, memory_order_acquire) && s->init)
		s->init();
}

void lg_init_thread_exit(struct lg_tcache *tc)
{
	for (int r = 0; r < LG_NUM_RANKS; r++) {
		const struct lg_subsystem *s = get(r);

		if (s && s->thread_exit)
			s->thread_exit(tc);
	}
}
