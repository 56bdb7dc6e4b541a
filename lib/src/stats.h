/* SPDX-License-Identifier: MIT */
/* lgalloc_stats(), exported under that name at version LGALLOC_0.3
 * (stats.c); compat_0_2.c has the LGALLOC_0.1 one, for the struct without
 * advise_failed. */
#ifndef LGALLOC_STATS_H
#define LGALLOC_STATS_H

#include "lgalloc_internal.h"

int lg_stats_0_3(struct lgalloc_stats *out);

#endif /* LGALLOC_STATS_H */
