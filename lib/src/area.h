/* SPDX-License-Identifier: MIT */
/* Areas: the memory each class's regions are carved from (area.c). */
#ifndef LGALLOC_AREA_H
#define LGALLOC_AREA_H

#include <stddef.h>

/* Map a new area for class index @ci (the caller holds its refill lock),
 * keep one region for the caller in *region and put the rest into the
 * clean pool.  0 or -ENOMEM. */
int lg_area_refill(unsigned ci, void **region);

/* The area-growth rule of lgalloc 0.7.0, exposed for tests. */
size_t lg_area_next_regions(unsigned shift, size_t last_regions, long dampener);

#endif /* LGALLOC_AREA_H */
