/* SPDX-License-Identifier: MIT */
/* Prefetch hints: the bounds lgalloc_configure() checks, and applying its
 * settings (prefetch.c). */
#ifndef LGALLOC_PREFETCH_H
#define LGALLOC_PREFETCH_H

#define LG_PREFETCH_DEFAULT_DEPTH 256
#define LG_PREFETCH_MAX_DEPTH	  4096
#define LG_PREFETCH_MAX_WORKERS	  128

/* Apply validated settings (-1 leaves one unchanged; @depth is a power of
 * two; @workers 0 is the kernel's default). */
void lg_prefetch_configure(int mode, long depth, long workers);

#endif /* LGALLOC_PREFETCH_H */
