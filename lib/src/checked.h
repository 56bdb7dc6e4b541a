/* SPDX-License-Identifier: MIT */
/*
 * Checked mode: each region's descriptor records whether it is free, so
 * that a second free, or a prefetch of a free region, is refused with
 * -LGALLOC_ERR_FREED; every handle checked mode refuses is explained on
 * stderr.
 *
 * The mode word is 0 while checked mode is off; each time it is switched on
 * it takes a new odd value (an epoch).  A checked free sets the region's
 * state to the word, and only then pushes the region to the global dirty
 * pool: "state == word" means "free, and freed in this epoch".  Anything
 * else means leased, or not known: a region freed before checked mode was
 * switched on is caught from its next free on.  The unchecked fast paths
 * never touch the state.  In checked mode no free goes to a thread cache
 * (config.c gives threads a cache budget of 0), so a region in state
 * "word" is only ever in a global pool, and the allocation slow path
 * clears the state of every region it pops while checked mode is on (it
 * reads the word after the pop, which happens after the free that set it).
 * A call racing the switch may go unchecked; none is refused wrongly.
 */
#ifndef LGALLOC_CHECKED_H
#define LGALLOC_CHECKED_H

#include "region_table.h"

extern _Atomic uint32_t lg_checked_word;

static inline uint32_t lg_checked_mode(void)
{
	return atomic_load_explicit(&lg_checked_word, lg_relaxed);
}

/* Switch checked mode on (a new epoch, unless it is on already) or off.
 * lgalloc_configure() calls it under its lock. */
void lg_checked_set(bool on);

/* A region popped from a global pool by an allocation: in checked mode it
 * is no longer free. */
static inline void lg_checked_taken(uint32_t idx)
{
	if (lg_unlikely(lg_checked_mode()))
		atomic_store_explicit(&lg_region_get(idx)->state, 0, lg_relaxed);
}

/* @call (a function name) refused @h as malformed: in checked mode say on
 * stderr what is wrong with it.  Returns -EINVAL. */
int lg_checked_rejected(const char *call, struct lgalloc_handle h);

/* A valid handle @h of region @idx is being freed: in checked mode mark the
 * region free, or refuse a region that already is (-LGALLOC_ERR_FREED, said
 * on stderr, nothing changed).  0 otherwise. */
int lg_checked_free(uint32_t idx, struct lgalloc_handle h);

/* @call uses a valid handle @h of region @idx: in checked mode refuse a free
 * region (-LGALLOC_ERR_FREED, said on stderr).  0 otherwise. */
int lg_checked_use(const char *call, uint32_t idx, struct lgalloc_handle h);

#endif /* LGALLOC_CHECKED_H */
