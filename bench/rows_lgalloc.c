// SPDX-License-Identifier: MIT
/*
 * lgalloc's rows and the ideal-pool reference: a per-thread free list of
 * pre-faulted MADV_HUGEPAGE 2 MiB regions, shared with nobody, the floor no
 * pooled allocator can beat under this timing method.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#include "hugepage.h"
#include "lgalloc.h"
#include "rows.h"
#include "util.h"

static int lgalloc_op(void *ctx)
{
	struct row_ctx *c = ctx;
	struct lgalloc_handle h;
	int err = lgalloc_allocate(REGION_2M, &h);

	if (err)
		return err;
	if (c->row->touch) {
		/* REGION_2M, not h.len: every row must run the same touch
		 * loop, and a constant length is unrolled (h.len made this
		 * row 3-6% slower than ideal-pool+touch for that alone). */
		touch_pages(h.ptr, REGION_2M);
		c->last = h.ptr;
	}
	return lgalloc_deallocate(h);
}

static int set_checked(int on)
{
	struct lgalloc_config cfg;

	lgalloc_config_init(&cfg);
	cfg.checked = on;
	return lgalloc_configure(&cfg);
}

/* lgalloc(checked): the same operation in checked mode, switched on for
 * the row (idempotent: every thread's setup does it) and off after it. */
static void *checked_setup(void *row, unsigned tid, unsigned threads, int *err)
{
	*err = set_checked(1);
	return *err ? NULL : row_ctx_new(row, tid, threads, err);
}

static void checked_teardown(void *ctx)
{
	set_checked(0);
	row_ctx_free(ctx);
}

/* A 2 MiB-aligned 2 MiB mapping, so that it can be one huge page. */
static void *map_aligned_region(void)
{
	char *p = mmap(NULL, 2 * REGION_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uintptr_t start, end;

	if (p == MAP_FAILED)
		return NULL;
	start = ((uintptr_t)p + REGION_2M - 1) & ~(REGION_2M - 1);
	end = start + REGION_2M;
	if (start > (uintptr_t)p)
		munmap(p, start - (uintptr_t)p);
	munmap((void *)end, (uintptr_t)p + 2 * REGION_2M - end);
	return (void *)start;
}

static void ideal_teardown(void *ctx)
{
	struct row_ctx *c = ctx;

	while (c->pooled)
		munmap(c->pool[--c->pooled], REGION_2M);
	row_ctx_free(c);
}

static void *ideal_setup(void *row, unsigned tid, unsigned threads, int *err)
{
	struct row_ctx *c = row_ctx_new(row, tid, threads, err);

	while (c && c->pooled < IDEAL_POOL_REGIONS) {
		void *p = map_aligned_region();

		if (!p) {
			*err = -errno;
			ideal_teardown(c);
			return NULL;
		}
		/* Without THP (THP=never) this fails: the pool then holds 4 KiB pages. */
		madvise(p, REGION_2M, MADV_HUGEPAGE);
		touch_pages(p, REGION_2M);
		c->pool[c->pooled++] = p;
	}
	return c;
}

static int ideal_op(void *ctx)
{
	struct row_ctx *c = ctx;
	void *p = c->pool[--c->pooled];

	if (c->row->touch)
		touch_pages(p, REGION_2M);
	c->pool[c->pooled++] = p;
	return 0;
}

/* The region the thread touched last: freed, but still resident in its
 * thread cache (lgalloc) or pool (ideal-pool). */
static int lgalloc_huge(void *ctx)
{
	const struct row_ctx *c = ctx;

	return c->last ? region_huge(c->last) : -ENOENT;
}

static int ideal_huge(void *ctx)
{
	const struct row_ctx *c = ctx;

	return region_huge(c->pool[c->pooled - 1]);
}

#define HUGE_ROW(n, s, o, t, h)                                                                              \
	{                                                                                                    \
		.name = n, .setup = s, .op = o, .teardown = t, .huge = h, .touch = true                      \
	}

const struct row lgalloc_rows[] = {
	ROW("lgalloc", row_ctx_new, lgalloc_op, row_ctx_free, false, 0),
	HUGE_ROW("lgalloc+touch", row_ctx_new, lgalloc_op, row_ctx_free, lgalloc_huge),
	ROW("lgalloc(checked)", checked_setup, lgalloc_op, checked_teardown, false, 0),
	ROW("ideal-pool", ideal_setup, ideal_op, ideal_teardown, false, 0),
	HUGE_ROW("ideal-pool+touch", ideal_setup, ideal_op, ideal_teardown, ideal_huge),
};
const size_t n_lgalloc_rows = ARRAY_SIZE(lgalloc_rows);
