// SPDX-License-Identifier: MIT
/* lgalloc_stats(): class totals plus every live thread's counters. */
#include <errno.h>
#include <string.h>

#include "size_class.h"
#include "stats.h"
#include "tcache.h"

static size_t load(_Atomic size_t *c)
{
	return atomic_load_explicit(c, lg_relaxed);
}

static void add_counts(struct lgalloc_class_stats *s, struct lg_counts *n, struct lg_prefetch_counters *pf)
{
	s->allocations += load(&n->allocations);
	s->deallocations += load(&n->deallocations);
	s->clear_eager_total += load(&n->clear_eager_total);
	s->prefetch_sync += load(&pf->sync);
	s->prefetch_async += load(&pf->async);
	s->prefetch_completed += load(&pf->completed);
	s->prefetch_failed += load(&pf->failed);
}

static void add_thread(struct lg_tcache *tc, void *arg)
{
	struct lgalloc_stats *out = arg;

	for (unsigned ci = 0; ci < LGALLOC_NUM_CLASSES; ci++) {
		struct lgalloc_class_stats *s = &out->classes[ci];
		struct lg_deque *dq = atomic_load_explicit(&tc->dq[ci], lg_acquire);

		add_counts(s, &tc->cls[ci].n, &tc->pf[ci]);
		/* Relaxed, like the counters: a snapshot of the owner's count. */
		s->thread_regions += atomic_load_explicit(&tc->cls[ci].front_n, lg_relaxed);
		if (dq)
			s->thread_regions += lg_deque_size(dq);
	}
}

/* The LGALLOC_0.3 (default) version, for the class stats with
 * advise_failed; the LGALLOC_0.1 one is in compat_0_2.c. */
__asm__(".symver lg_stats_0_3, lgalloc_stats@@LGALLOC_0.3");

LG_EXPORT int lg_stats_0_3(struct lgalloc_stats *out)
{
	if (!out)
		return -EINVAL;
	memset(out, 0, sizeof(*out));
	/* Exited threads fold their counters into the class totals under the
	 * same lock, so no count is seen twice or missed. */
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
		s->advise_failed = load(&cls->advise_failed);
		add_counts(s, &cls->folded, &lg_prefetch_folded[ci]);
	}
	return 0;
}
