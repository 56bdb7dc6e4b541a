// SPDX-License-Identifier: MIT
/* lgalloc_stats(): class totals plus every live thread's counters. */
#include <errno.h>
#include <string.h>

#include "region_stack.h"
#include "size_class.h"
#include "tcache.h"

static size_t load(_Atomic size_t *c)
{
	return atomic_load_explicit(c, lg_relaxed);
}

static void add_thread(struct lg_tcache *tc, void *arg)
{
	struct lgalloc_stats *out = arg;

	for (unsigned ci = 0; ci < LGALLOC_NUM_CLASSES; ci++) {
		struct lgalloc_class_stats *s = &out->classes[ci];
		struct lg_tclass *tcl = &tc->cls[ci];
		struct lg_deque *dq = atomic_load_explicit(&tcl->dq, lg_acquire);

		s->allocations += load(&tcl->allocations);
		s->deallocations += load(&tcl->deallocations);
		s->clear_eager_total += load(&tcl->clear_eager_total);
		s->prefetch_sync += load(&tc->pf[ci].sync);
		s->prefetch_async += load(&tc->pf[ci].async);
		s->prefetch_completed += load(&tc->pf[ci].completed);
		s->prefetch_failed += load(&tc->pf[ci].failed);
		if (dq)
			s->thread_regions += lg_deque_size(dq);
	}
}

LG_EXPORT int lgalloc_stats(struct lgalloc_stats *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	/* Exited threads fold their counters into lg_classes under the same
	 * lock, so no count is seen twice or missed. */
	lg_tcache_for_each(add_thread, out);
	for (unsigned ci = 0; ci < LGALLOC_NUM_CLASSES; ci++) {
		struct lgalloc_class_stats *s = &out->classes[ci];
		struct lg_class *cls = &lg_classes[ci];

		s->class_bytes = lg_class_bytes(ci);
		s->areas = load(&cls->areas);
		s->area_total_bytes = load(&cls->area_total_bytes);
		s->global_regions = lg_pool_count(&cls->dirty);
		s->clean_regions = lg_pool_count(&cls->clean);
		s->free_regions = s->thread_regions + s->global_regions + s->clean_regions;
		s->slow_path = load(&cls->slow_path);
		s->refill = load(&cls->refill);
		s->clear_slow_total = load(&cls->clear_slow_total);
		s->allocations += load(&cls->allocations);
		s->deallocations += load(&cls->deallocations);
		s->clear_eager_total += load(&cls->clear_eager_total);
		s->prefetch_sync += load(&lg_prefetch_totals[ci].sync);
		s->prefetch_async += load(&lg_prefetch_totals[ci].async);
		s->prefetch_completed += load(&lg_prefetch_totals[ci].completed);
		s->prefetch_failed += load(&lg_prefetch_totals[ci].failed);
	}
	return 0;
}
