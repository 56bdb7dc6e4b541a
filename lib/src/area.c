// SPDX-License-Identifier: MIT
/* Areas: mapping, growth, transparent huge pages, announcing to tracers. */
#include <errno.h>
#include <stdio.h>
#include <sys/sdt.h>

#include "area.h"
#include "classes.h"
#include "config.h"
#include "os.h"
#include "size_class.h"

#define LG_FIRST_AREA_BYTES (32UL << 20)

size_t lg_area_next_regions(unsigned shift, size_t last_regions, long dampener)
{
	size_t initial = (LG_FIRST_AREA_BYTES >> shift) ? (LG_FIRST_AREA_BYTES >> shift) : 1;

	if (!last_regions)
		return initial;
	size_t grow = last_regions / ((size_t)dampener + 1);
	return last_regions + (grow > initial ? grow : initial);
}

/* Aligned to the class size (at least 2 MiB, so that every region can be
 * backed by transparent huge pages): every region is then aligned to its
 * own size, which is how the preload library honours memalign() up to the
 * region size.  The alignment costs address space only, trimmed at once.
 * Reserved, not committed, so that a class larger than RAM plus swap can
 * be mapped. */
static int map_aligned(size_t len, unsigned shift, char **base)
{
	return lg_os_reserve_aligned(len, (size_t)1 << shift, (void **)base);
}

static void advise_hugepage(char *base, size_t len)
{
	static atomic_flag warned = ATOMIC_FLAG_INIT;
	int err = lg_os_advise(base, len, MADV_HUGEPAGE);

	if (err && !atomic_flag_test_and_set_explicit(&warned, lg_relaxed))
		fprintf(stderr,
			"lgalloc: warning: madvise(MADV_HUGEPAGE) failed: %s; "
			"regions will use base pages\n",
			lg_errno_text(err));
}

int lg_area_refill(unsigned ci, void **region)
{
	struct lg_class *cls = &lg_classes[ci];
	unsigned shift = lg_class_shift(ci);
	long dampener = atomic_load_explicit(&lg_settings.growth_dampener, lg_relaxed);
	size_t n = lg_area_next_regions(shift, cls->last_area_regions, dampener);
	size_t len;
	char *base = NULL;
	uint32_t first;
	int err;

	/* Too large to map (or to describe): settle for the smallest area,
	 * and report the kernel's reason if even that fails. */
	if (n > (SIZE_MAX >> shift) || map_aligned(n << shift, shift, &base)) {
		n = lg_area_next_regions(shift, 0, dampener);
		err = map_aligned(n << shift, shift, &base);
		if (err)
			return err;
	}
	len = n << shift;
	first = lg_regions_register(base, n, ci);
	if (!first) {
		/* Should the unmap fail too, the range merely stays reserved. */
		(void)lg_os_unmap(base, len);
		return -ENOMEM;
	}
	/* Announce the area to lgtrace before the hugepage advice, whose
	 * mmap_lock write lgtrace attributes to the area's pool.  Arguments
	 * are plain scalar locals: libbpf 1.1's USDT decoder cannot read
	 * scaled-index operands. */
	uintptr_t probe_base = (uintptr_t)base;
	size_t probe_len = len;
	unsigned probe_shift = shift;
	DTRACE_PROBE3(lgalloc, area_map, probe_base, probe_len, probe_shift);

	advise_hugepage(base, len);

	/* Keep the first region; push the others in reverse so that they come
	 * out of the clean pool in address order. */
	for (size_t i = n - 1; i >= 1; i--)
		lg_pool_push(&cls->clean, first + (uint32_t)i);
	*region = base;
	cls->last_area_regions = n;
	lg_shared_inc(&cls->areas, 1);
	lg_shared_inc(&cls->area_total_bytes, len);
	lg_shared_inc(&cls->refill, 1);
	return 0;
}
