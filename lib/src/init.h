/* SPDX-License-Identifier: MIT */
/*
 * The subsystems' life cycle, run from one place.  Each file that owns a
 * lock or per-thread state describes its hooks in a struct lg_subsystem
 * and registers it with LG_SUBSYSTEM (when the library is loaded); init.c
 * calls them:
 *   lock         the subsystem's one lock, if it has one: init.c takes it
 *                before fork() (after prepare) and releases it after the
 *                parent or child hook;
 *   init         once, on the first lgalloc_configure() or thread cache;
 *   prepare      before fork(), in rank order: take the subsystem's other
 *                locks;
 *   parent/child after fork(), in reverse rank order: release them (the
 *                child also drops what belongs to threads it does not have,
 *                still holding `lock`);
 *   thread_exit  when a thread with a cache exits, before its counters are
 *                folded into the class totals.
 * Any hook may be NULL.  Only init.c calls pthread_atfork.
 */
#ifndef LGALLOC_INIT_H
#define LGALLOC_INIT_H

#include <pthread.h>

/* The library's lock order, outermost first: a thread holding one of these
 * locks takes only locks of a later rank. */
enum lg_rank {
	LG_RANK_CONFIG,	    /* config.c: lgalloc_configure() */
	LG_RANK_BACKGROUND, /* background.c: the worker's settings */
	LG_RANK_CLASSES,    /* classes.c: each class's refill lock */
	LG_RANK_TABLE,	    /* region_table.c: descriptors, map, registry */
	LG_RANK_TCACHE,	    /* tcache.c: the thread-cache registry */
	LG_RANK_PREFETCH,   /* prefetch.c: the list of io_uring rings */
	LG_NUM_RANKS
};

struct lg_tcache;

struct lg_subsystem {
	enum lg_rank rank;
	pthread_mutex_t *lock;
	void (*init)(void);
	void (*prepare)(void);
	void (*parent)(void);
	void (*child)(void);
	void (*thread_exit)(struct lg_tcache *tc);
};

/* One subsystem per rank; @s must stay valid for the process's life. */
void lg_init_register(const struct lg_subsystem *s);

/* The first priority open to programs and libraries (0-100 are the C
 * runtime's): in a static link, constructors run in priority order across
 * the whole program, so ours run before a program constructor of default
 * priority that calls lgalloc. */
#define LG_INIT_PRIORITY 101

#define LG_SUBSYSTEM(s)                                                                                      \
	__attribute__((constructor(LG_INIT_PRIORITY))) static void s##_register(void)                        \
	{                                                                                                    \
		lg_init_register(&(s));                                                                      \
	}

/* Run every init hook, once, and install the fork handlers; first mark the
 * object holding the library RTLD_NODELETE, so that dlclose() never unmaps
 * code that threads, the worker or the fork handlers may still run.  Called
 * before the library takes any lock (configure, a thread's first cache,
 * stats): until then a fork can catch none.  Returns 0, or -ENOMEM when
 * pthread_atfork failed; the next call tries again. */
int lg_init(void);

void lg_init_thread_exit(struct lg_tcache *tc);

#endif /* LGALLOC_INIT_H */
