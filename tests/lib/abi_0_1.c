// SPDX-License-Identifier: MIT
/*
 * A program as built against lgalloc 0.1, whose struct lgalloc_config ended
 * at prefetch_ring_depth: it binds lgalloc_config_init and lgalloc_configure
 * at version LGALLOC_0.1 and passes the shorter struct, with a guard word
 * right after it.  The library must neither write the guard nor read it as
 * prefetch_workers (a value it would reject).  Its lgalloc_stats binds at
 * LGALLOC_0.1 too, with 0.1's class stats (abi_0_2.c checks that one's
 * guard).  Linked against the shared library by tests/lib/install_test.sh;
 * prints "abi 0.1 ok" and exits 0.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lgalloc.h"

struct config_0_1 {
	int enabled;
	int eager_return;
	long growth_dampener;
	long local_buffer_bytes;
	long background_interval_ms;
	long background_clear_bytes;
	int prefetch_mode;
	long prefetch_ring_depth;
};

struct class_stats_0_1 {
	size_t class_bytes, areas, area_total_bytes, free_regions, clean_regions, global_regions,
		thread_regions, allocations, slow_path, refill, deallocations, clear_eager_total,
		clear_slow_total, prefetch_sync, prefetch_async, prefetch_completed, prefetch_failed;
};

struct stats_0_1 {
	struct class_stats_0_1 classes[LGALLOC_NUM_CLASSES];
};

void config_init_0_1(struct config_0_1 *c);
int configure_0_1(const struct config_0_1 *c);
int stats_0_1(struct stats_0_1 *s);
__asm__(".symver config_init_0_1, lgalloc_config_init@LGALLOC_0.1");
__asm__(".symver configure_0_1, lgalloc_configure@LGALLOC_0.1");
__asm__(".symver stats_0_1, lgalloc_stats@LGALLOC_0.1");

#define GUARD 1000L /* out of prefetch_workers' range */

static int fail(const char *what)
{
	fprintf(stderr, "abi_0_1: %s\n", what);
	return 1;
}

int main(void)
{
	struct {
		struct config_0_1 c;
		long guard;
	} s;
	struct lgalloc_config now;
	struct lgalloc_handle h;
	struct stats_0_1 st;
	size_t before;

	memset(&s, 0x5a, sizeof(s));
	s.guard = GUARD;
	config_init_0_1(&s.c);
	if (s.guard != GUARD)
		return fail("lgalloc_config_init@LGALLOC_0.1 wrote past the 0.1 struct");
	if (s.c.enabled != -1 || s.c.prefetch_mode != -1 || s.c.prefetch_ring_depth != -1)
		return fail("lgalloc_config_init@LGALLOC_0.1 left a field set");
	s.c.enabled = 1;
	s.c.prefetch_mode = LGALLOC_PREFETCH_SYNC;
	if (configure_0_1(&s.c))
		return fail("lgalloc_configure@LGALLOC_0.1 refused a valid 0.1 struct");
	/* Both settings took effect: allocation works, hints go synchronous. */
	if (lgalloc_allocate(2 << 20, &h))
		return fail("not enabled");
	stats_0_1(&st);
	before = st.classes[0].prefetch_sync;
	if (lgalloc_prefetch_async(h, 0, 4096))
		return fail("hint refused");
	stats_0_1(&st);
	if (st.classes[0].prefetch_sync != before + 1)
		return fail("prefetch_mode from the 0.1 struct not applied");
	lgalloc_deallocate(h);
	/* The default versions take today's struct and check the new field. */
	lgalloc_config_init(&now);
	if (now.prefetch_workers != -1)
		return fail("lgalloc_config_init: prefetch_workers not -1");
	now.prefetch_workers = GUARD;
	if (lgalloc_configure(&now) != -EINVAL)
		return fail("lgalloc_configure accepted prefetch_workers 1000");
	puts("abi 0.1 ok");
	return 0;
}
