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
 *
 * Unloading: once initialised, the object that holds the library (the
 * shared liblgalloc, or a plugin linked with the archive) stays loaded, as
 * if opened with RTLD_NODELETE, and dlclose() leaves it mapped.  After
 * lg_init() code of ours can run at any moment on threads we do not
 * control: the pthread_key destructor as each thread that used lgalloc
 * exits, the background worker, the fork handlers; and regions handed out
 * stay in the caller's hands.  Unloading safely would need every one of
 * them stopped first, and a thread already inside the key destructor cannot
 * be waited for from outside it.  Before lg_init() nothing of ours is
 * registered anywhere, so a library loaded and never used unloads.
 */
#include <dlfcn.h>
#include <link.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>

#include "init.h"

/* Filled by the constructors (priority LG_INIT_PRIORITY: before the
 * program's own, in a static link too); atomic because the fork and
 * thread-exit hooks read it without init_lock. */
static const struct lg_subsystem *_Atomic subsystems[LG_NUM_RANKS];
/* Serialises registration with init_all(), so that each init hook runs
 * exactly once whichever comes first. */
static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static bool initialised;      /* under init_lock */
static bool atfork_installed; /* under init_lock */
static _Atomic bool ready;    /* both, published for lg_init()'s fast check */
/* The hooks that prepare ran, so that parent and child undo exactly those.
 * Per thread: two threads may fork at once, and the child is a copy of the
 * thread that forked. */
static __thread const struct lg_subsystem *prepared[LG_NUM_RANKS];

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

/* Mark the object this code is in as never to be unloaded (see the top of
 * this file).  dlopen(RTLD_NOLOAD | RTLD_NODELETE) promotes an object
 * already loaded; the main program is never unloaded and is left alone. */
static void stay_loaded(void)
{
	static atomic_flag done = ATOMIC_FLAG_INIT;
	struct link_map *map = NULL;
	Dl_info info;
	void *self;

	if (atomic_flag_test_and_set(&done))
		return;
	if (!dladdr1((void *)stay_loaded, &info, (void **)&map, RTLD_DL_LINKMAP) || !map || !map->l_name[0])
		return;
	self = dlopen(map->l_name, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
	if (!self) {
		const char *why = dlerror();

		fprintf(stderr,
			"lgalloc: warning: dlopen(%s, RTLD_NOLOAD | RTLD_NODELETE) failed: %s; dlclose() of "
			"it will crash\n",
			map->l_name, why ? why : "no reason given");
		return;
	}
	dlclose(self); /* drops our reference; the object stays */
}

int lg_init(void)
{
	int err = 0;

	if (atomic_load_explicit(&ready, memory_order_acquire))
		return 0;
	/* Before init_lock: dlopen() takes the loader's lock, which a thread
	 * running a constructor that calls lgalloc holds while it waits for
	 * init_lock. */
	stay_loaded();
	pthread_mutex_lock(&init_lock);
	if (!initialised) {
		for (int r = 0; r < LG_NUM_RANKS; r++) {
			const struct lg_subsystem *s = get(r);

			if (s && s->init)
				s->init();
		}
		initialised = true;
	}
	/* Without the handlers a fork could copy a held lock into the child:
	 * fail (pthread_atfork only fails for ENOMEM) and try again next time. */
	if (!atfork_installed) {
		err = pthread_atfork(fork_prepare, fork_parent, fork_child);
		atfork_installed = !err;
	}
	if (!err)
		atomic_store_explicit(&ready, true, memory_order_release);
	pthread_mutex_unlock(&init_lock);
	return -err;
}

void lg_init_register(const struct lg_subsystem *s)
{
	pthread_mutex_lock(&init_lock);
	atomic_store_explicit(&subsystems[s->rank], s, memory_order_release);
	/* Only a constructor of higher priority than ours that calls lgalloc
	 * gets here after lg_init(). */
	if (initialised && s->init)
		s->init();
	pthread_mutex_unlock(&init_lock);
}

void lg_init_thread_exit(struct lg_tcache *tc)
{
	for (int r = 0; r < LG_NUM_RANKS; r++) {
		const struct lg_subsystem *s = get(r);

		if (s && s->thread_exit)
			s->thread_exit(tc);
	}
}
