// SPDX-License-Identifier: MIT
/*
 * A program as built against lgalloc 0.2, whose struct lgalloc_config ended
 * at prefetch_workers and whose struct lgalloc_class_stats ended at
 * prefetch_failed: it binds lgalloc_config_init and lgalloc_configure at
 * LGALLOC_0.2 and lgalloc_stats at LGALLOC_0.1 (where 0.2 had it), and
 * passes the shorter structs, each with a guard word right after it.  The
 * library must neither write a guard nor read the config's as `checked` (a
 * value it would reject).  Linked against the shared library by
 * tests/lib/install_test.sh; prints "abi 0.2 ok" and exits 0.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "lgalloc.h"

struct config_0_2 {
	int enabled;
	int eager_return;
	long growth_dampener;
	long local_buffer_bytes;
	long background_interval_ms;
	long background_clear_bytes;
	int prefetch_mode;
	long prefetch_ring_depth;
	long prefetch_workers;
};

struct class_stats_0_2 {
	size_t class_bytes, areas, area_total_bytes, free_regions, clean_regions, global_regions,
		thread_regions, allocations, slow_path, refill, deallocations, clear_eager_total,
		clear_slow_total, prefetch_sync, prefetch_async, prefetch_completed, prefetch_failed;
};

struct stats_0_2 {
	struct class_stats_0_2 classes[LGALLOC_NUM_CLASSES];
};

void config_init_0_2(struct config_0_2 *c);
int configure_0_2(const struct config_0_2 *c);
int stats_0_2(struct stats_0_2 *s);
__asm__(".symver config_init_0_2, lgalloc_config_init@LGALLOC_0.2");
__asm__(".symver configure_0_2, lgalloc_configure@LGALLOC_0.2");
__asm__(".symver stats_0_2, lgalloc_stats@LGALLOC_0.1");

#define GUARD 1000L /* out of checked's range */

static int fail(const char *what)
{
	fprintf(stderr, "abi_0_2: %s\n", what);
	return 1;
}

int main(void)
{
	struct {
		struct config_0_2 c;
		long guard;
	} s;
	struct {
		struct stats_0_2 st;
		size_t guard;
	} t;
	struct lgalloc_config now;
	struct lgalloc_handle h;

	memset(&s, 0x5a, sizeof(s));
	s.guard = GUARD;
	config_init_0_2(&s.c);
	if (s.guard != GUARD)
		return fail("lgalloc_config_init@LGALLOC_0.2 wrote past the 0.2 struct");
	if (s.c.enabled != -1 || s.c.prefetch_ring_depth != -1 || s.c.prefetch_workers != -1)
		return fail("lgalloc_config_init@LGALLOC_0.2 left a field set");
	s.c.enabled = 1;
	s.c.local_buffer_bytes = 0; /* every free goes to the global pool */
	s.c.prefetch_workers = 2;
	if (configure_0_2(&s.c))
		return fail("lgalloc_configure@LGALLOC_0.2 refused a valid 0.2 struct");
	/* Both settings took effect: allocation works, the free goes global. */
	if (lgalloc_allocate(2 << 20, &h))
		return fail("not enabled");
	if (lgalloc_deallocate(h))
		return fail("free refused");
	memset(&t, 0x5a, sizeof(t));
	t.guard = GUARD;
	if (stats_0_2(&t.st))
		return fail("lgalloc_stats@LGALLOC_0.1 failed");
	if (t.guard != GUARD)
		return fail("lgalloc_stats@LGALLOC_0.1 wrote past the 0.2 stats");
	for (int i = 0; i < LGALLOC_NUM_CLASSES; i++)
		if (t.st.classes[i].class_bytes != (size_t)2 << (20 + i))
			return fail("lgalloc_stats@LGALLOC_0.1: class stats not in 0.2's layout");
	if (t.st.classes[0].allocations != 1 || t.st.classes[0].deallocations != 1 ||
	    t.st.classes[0].global_regions != 1 || t.st.classes[0].thread_regions != 0)
		return fail("local_buffer_bytes from the 0.2 struct not applied, or stats wrong");
	/* The default versions take today's structs and check the new field. */
	lgalloc_config_init(&now);
	if (now.checked != -1)
		return fail("lgalloc_config_init: checked not -1");
	now.checked = (int)GUARD;
	if (lgalloc_configure(&now) != -EINVAL)
		return fail("lgalloc_configure accepted checked 1000");
	puts("abi 0.2 ok");
	return 0;
}
