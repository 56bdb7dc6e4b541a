// SPDX-License-Identifier: MIT
/*
 * Programs built against lgalloc 0.1 keep working with this library.
 *
 * 0.2 appended prefetch_workers to struct lgalloc_config, which the caller
 * allocates.  A 0.1 binary passes the shorter struct, so it must reach
 * functions that read and write only that much: these, exported as the
 * LGALLOC_0.1 versions of lgalloc_config_init and lgalloc_configure, while
 * programs built now bind to the LGALLOC_0.3 defaults (liblgalloc.map;
 * compat_0_2.c has 0.2's versions and the older lgalloc_stats).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "config.h"

struct lgalloc_config_0_1 {
	int enabled;
	int eager_return;
	long growth_dampener;
	long local_buffer_bytes;
	long background_interval_ms;
	long background_clear_bytes;
	int prefetch_mode;
	long prefetch_ring_depth;
};

/* 0.1's struct is a prefix of today's: copying that many bytes is exact. */
_Static_assert(sizeof(struct lgalloc_config_0_1) == offsetof(struct lgalloc_config, prefetch_workers),
	       "0.1 config must be a prefix");
_Static_assert(offsetof(struct lgalloc_config_0_1, prefetch_ring_depth) ==
		       offsetof(struct lgalloc_config, prefetch_ring_depth),
	       "0.1 config must be a prefix");

LG_EXPORT void lg_config_init_0_1(struct lgalloc_config_0_1 *c);
LG_EXPORT int lg_configure_0_1(const struct lgalloc_config_0_1 *c);
__asm__(".symver lg_config_init_0_1, lgalloc_config_init@LGALLOC_0.1");
__asm__(".symver lg_configure_0_1, lgalloc_configure@LGALLOC_0.1");

void lg_config_init_0_1(struct lgalloc_config_0_1 *c)
{
	struct lgalloc_config full;

	if (!c)
		return;
	lg_config_init_0_3(&full);
	memcpy(c, &full, sizeof(*c));
}

int lg_configure_0_1(const struct lgalloc_config_0_1 *c)
{
	struct lgalloc_config full;

	if (!c)
		return -EINVAL;
	lg_config_init_0_3(&full);
	memcpy(&full, c, sizeof(*c));
	return lg_configure_0_3(&full);
}
