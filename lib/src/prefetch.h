/* SPDX-License-Identifier: MIT */
/* Handle and prefetch-range checks shared by lgalloc_prefetch() and
 * lgalloc_prefetch_async(), and the asynchronous prefetch's private hooks. */
#ifndef LGALLOC_PREFETCH_H
#define LGALLOC_PREFETCH_H

#include <errno.h>

#include "region_table.h"

struct lg_tcache;

/*
 * Check a prefetch request as lgalloc_prefetch() documents it.  Returns 1
 * with the page-aligned range to advise in *addr, *alen and the region's
 * class in *ci; 0 for an empty range (nothing to do); or -EINVAL / -ERANGE.
 */
static inline int lg_prefetch_range(struct lgalloc_handle h, size_t offset, size_t len, unsigned *ci,
				    char **addr, size_t *alen)
{
	if ((h.ptr || h.len) && !lg_handle_region(h, ci))
		return -EINVAL;
	if (offset > h.len || len > h.len - offset)
		return -ERANGE;
	if (len == 0)
		return 0;

	uintptr_t start = (uintptr_t)h.ptr + offset;
	uintptr_t page = start & ~(LG_PAGE_SIZE - 1);
	*addr = (char *)page;
	*alen = start + len - page;
	return 1;
}

#define LG_PREFETCH_DEFAULT_DEPTH 256
#define LG_PREFETCH_MAX_DEPTH	  4096
#define LG_PREFETCH_MAX_WORKERS	  128

/* config.c: apply validated settings (-1 leaves one unchanged; @depth is a
 * power of two; @workers 0 is the kernel's default). */
void lg_prefetch_configure(int mode, long depth, long workers);

/* tcache.c, on thread exit before the counters are folded: count what the
 * thread's ring still holds and close it. */
void lg_prefetch_thread_exit(struct lg_tcache *tc);

#endif /* LGALLOC_PREFETCH_H */
