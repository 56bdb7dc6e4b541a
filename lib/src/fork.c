// SPDX-License-Identifier: MIT
/*
 * fork() safety.  The handlers take every library lock in the one order the
 * library nests them (configuration, worker, class refill, descriptor
 * table, thread registry) and release them on both sides.  The child keeps
 * the parent's pools: its own thread cache, the global pools, and the
 * caches of the parent's other threads, which it cannot use directly but
 * still steals from.  Private mappings are copy-on-write, so regions leased
 * before the fork are the child's to use or free.
 */
#include "lgalloc_internal.h"

static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static void prepare(void)
{
	lg_config_fork_lock();
	lg_background_fork_lock();
	for (unsigned ci = 0; ci < LGALLOC_NUM_CLASSES; ci++)
		pthread_mutex_lock(&lg_classes[ci].refill_lock);
	lg_table_fork_lock();
	lg_registry_fork_lock();
}

static void release(bool child)
{
	lg_registry_fork_unlock();
	lg_table_fork_unlock();
	for (unsigned ci = LGALLOC_NUM_CLASSES; ci-- > 0;)
		pthread_mutex_unlock(&lg_classes[ci].refill_lock);
	lg_background_fork_unlock(child);
	lg_config_fork_unlock();
}

static void parent(void)
{
	release(false);
}

static void child(void)
{
	release(true);
}

static void register_handlers(void)
{
	pthread_atfork(prepare, parent, child);
}

/* Called on the first configuration and the first thread cache: before
 * either, the library holds no lock a fork could catch. */
void lg_fork_register(void)
{
	pthread_once(&fork_once, register_handlers);
}
