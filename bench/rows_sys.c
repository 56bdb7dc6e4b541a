// SPDX-License-Identifier: MIT
/*
 * The system rows.  "sysalloc" is the original's Rust global allocator with
 * 4 KiB alignment, which on glibc is posix_memalign(4096, 2 MiB); "malloc"
 * is plain malloc(2 MiB), which glibc serves from the heap once its dynamic
 * mmap threshold has risen past 2 MiB after the first free; "malloc-small"
 * is malloc(64) + free, the baseline for what an interposing (preload)
 * library adds to the requests it does not serve itself.  The mmap rows
 * call the kernel directly; the two madvise rows keep one mapping per thread
 * and each operation writes its pages and then gives them back.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "rows.h"
#include "util.h"

enum sys_kind { SYSALLOC, SYSALLOC_NOHUGE, MALLOC, MALLOC_SMALL };

#define SMALL_BYTES 64

static int sysalloc_op(void *ctx)
{
	const struct row_ctx *c = ctx;
	void *p = NULL;
	int err = 0;

	if (c->row->param == MALLOC_SMALL) {
		/* Volatile: the compiler may not drop the pair. */
		void *volatile q = malloc(SMALL_BYTES);

		if (!q)
			return -ENOMEM;
		free(q);
		return 0;
	}
	if (c->row->param == MALLOC) {
		p = malloc(REGION_2M);
		if (!p)
			return -ENOMEM;
	} else {
		err = posix_memalign(&p, PAGE_4K, REGION_2M);
		if (err)
			return -err;
	}
	if (c->row->param == SYSALLOC_NOHUGE && madvise(p, REGION_2M, MADV_NOHUGEPAGE))
		err = -errno;
	if (c->row->touch)
		touch_pages(p, REGION_2M);
	free(p);
	return err;
}

static int mmap_op(void *ctx)
{
	const struct row_ctx *c = ctx;
	void *p = mmap(NULL, REGION_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return -errno;
	if (c->row->touch)
		touch_pages(p, REGION_2M);
	return munmap(p, REGION_2M) ? -errno : 0;
}

static void *madvise_setup(void *row, unsigned tid, unsigned threads, int *err)
{
	struct row_ctx *c = row_ctx_new(row, tid, threads, err);

	if (!c)
		return NULL;
	c->region = mmap(NULL, REGION_2M, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->region == MAP_FAILED) {
		*err = -errno;
		row_ctx_free(c);
		return NULL;
	}
	return c;
}

static void madvise_teardown(void *ctx)
{
	struct row_ctx *c = ctx;

	munmap(c->region, REGION_2M);
	row_ctx_free(c);
}

/* After MADV_DONTNEED every write faults in a zeroed page; after MADV_FREE
 * a write cancels the free of a page the kernel has not reclaimed yet. */
static int madvise_op(void *ctx)
{
	const struct row_ctx *c = ctx;

	touch_pages(c->region, REGION_2M);
	return madvise(c->region, REGION_2M, c->row->param) ? -errno : 0;
}

#define SYS_ROW(n, kind, t)    ROW(n, row_ctx_new, sysalloc_op, row_ctx_free, t, kind)
#define MMAP_ROW(n, t)	       ROW(n, row_ctx_new, mmap_op, row_ctx_free, t, 0)
#define MADVISE_ROW(n, advice) ROW(n, madvise_setup, madvise_op, madvise_teardown, false, advice)

const struct row sys_rows[] = {
	SYS_ROW("sysalloc", SYSALLOC, false),
	SYS_ROW("sysalloc+touch", SYSALLOC, true),
	SYS_ROW("sysalloc+nohuge", SYSALLOC_NOHUGE, false),
	SYS_ROW("sysalloc+nohuge+touch", SYSALLOC_NOHUGE, true),
	SYS_ROW("malloc", MALLOC, false),
	SYS_ROW("malloc+touch", MALLOC, true),
	SYS_ROW("malloc-small", MALLOC_SMALL, false),
	MMAP_ROW("mmap/munmap", false),
	MMAP_ROW("mmap/munmap+touch", true),
	MADVISE_ROW("mmap/madvise_dontneed", MADV_DONTNEED),
	MADVISE_ROW("mmap/madvise_free", MADV_FREE),
};
const size_t n_sys_rows = ARRAY_SIZE(sys_rows);
