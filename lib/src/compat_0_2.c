// SPDX-License-Identifier: MIT
/*
 * Programs built against lgalloc 0.1 or 0.2 keep working with this library.
 *
 * 0.3 appended `checked` to struct lgalloc_config and `advise_failed` to
 * struct lgalloc_class_stats, both allocated by the caller.  A 0.2 binary
 * binds lgalloc_config_init and lgalloc_configure at LGALLOC_0.2 and passes
 * the struct that ends at prefetch_workers; 0.1 and 0.2 binaries bind
 * lgalloc_stats at LGALLOC_0.1 and pass the array of shorter class stats.
 * These versions read and write only that much; programs built now bind to
 * the LGALLOC_0.3 defaults (config.c, stats.c; liblgalloc.map).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "config.h"
#include "stats.h"

/* 0.2's struct lgalloc_config: today's up to prefetch_workers. */
#define CONFIG_0_2_SIZE	     offsetof(struct lgalloc_config, checked)
/* 0.1 and 0.2's struct lgalloc_class_stats: today's up to prefetch_failed. */
#define CLASS_STATS_0_1_SIZE offsetof(struct lgalloc_class_stats, advise_failed)

struct lgalloc_config_0_2 {
	unsigned char bytes[CONFIG_0_2_SIZE];
};

struct lgalloc_class_stats_0_1 {
	unsigned char bytes[CLASS_STATS_0_1_SIZE];
};

struct lgalloc_stats_0_1 {
	struct lgalloc_class_stats_0_1 classes[LGALLOC_NUM_CLASSES];
};

_Static_assert(CONFIG_0_2_SIZE == offsetof(struct lgalloc_config, prefetch_workers) + sizeof(long),
	       "0.2 config ends at prefetch_workers");
_Static_assert(CLASS_STATS_0_1_SIZE == 17 * sizeof(size_t), "0.1 class stats: 17 counters");

LG_EXPORT void lg_config_init_0_2(struct lgalloc_config_0_2 *c);
LG_EXPORT int lg_configure_0_2(const struct lgalloc_config_0_2 *c);
LG_EXPORT int lg_stats_0_1(struct lgalloc_stats_0_1 *out);
__asm__(".symver lg_config_init_0_2, lgalloc_config_init@LGALLOC_0.2");
__asm__(".symver lg_configure_0_2, lgalloc_configure@LGALLOC_0.2");
__asm__(".symver lg_stats_0_1, lgalloc_stats@LGALLOC_0.1");

void lg_config_init_0_2(struct lgalloc_config_0_2 *c)
{
	struct lgalloc_config full;

	if (!c)
		return;
	lg_config_init_0_3(&full);
	memcpy(c, &full, sizeof(*c));
}

int lg_configure_0_2(const struct lgalloc_config_0_2 *c)
{
	struct lgalloc_config full;

	if (!c)
		return -EINVAL;
	lg_config_init_0_3(&full);
	memcpy(&full, c, sizeof(*c));
	return lg_configure_0_3(&full);
}

int lg_stats_0_1(struct lgalloc_stats_0_1 *out)
{
	struct lgalloc_stats full;
	int err;

	if (!out)
		return -EINVAL;
	err = lg_stats_0_3(&full);
	if (err)
		return err;
	for (unsigned ci = 0; ci < LGALLOC_NUM_CLASSES; ci++)
		memcpy(&out->classes[ci], &full.classes[ci], sizeof(out->classes[ci]));
	return 0;
}
