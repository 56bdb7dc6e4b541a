/* SPDX-License-Identifier: MIT */
/*
 * lgalloc: a large-object allocator that pools multi-megabyte regions.
 *
 * Regions come in 16 power-of-two size classes, 2 MiB (2^21) to 64 GiB
 * (2^36).  A request is rounded up to the next class; the handle carries the
 * whole region.  Freed regions are cached per thread and in global pools and
 * handed out again without a system call.
 *
 * Every function returns 0 on success or a negative error code:
 *   -EINVAL                invalid argument: a NULL pointer where one is
 *                          required, a malformed handle (length not a class
 *                          size, NULL pointer with a non-zero length, pointer
 *                          not a region lgalloc handed out), a configuration
 *                          value out of range
 *   -ENOMEM                out of memory: the pools are empty and no new area
 *                          could be mapped
 *   -ERANGE                a prefetch range that does not lie inside the
 *                          region (including offset + len overflowing)
 *   -LGALLOC_ERR_DISABLED  the allocator is disabled (the default until
 *                          lgalloc_configure() enables it)
 *   -LGALLOC_ERR_SIZE      the size has no class: 1 MiB or less, or more
 *                          than 64 GiB
 *   -LGALLOC_ERR_FREED     checked mode only: the handle names a region
 *                          that is free (a double free, or a prefetch
 *                          after the free)
 *   -errno                 any other failure of a system call, as the
 *                          kernel reported it
 * lgalloc_strerror() turns any of them into a message.
 */
#ifndef LGALLOC_H
#define LGALLOC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The project's one version: the Makefile reads these three lines for the
 * SONAME, the pc file, the man pages and every tool's --version. */
#define LGALLOC_VERSION_MAJOR 0
#define LGALLOC_VERSION_MINOR 3
#define LGALLOC_VERSION_PATCH 0
#define LGALLOC_STRINGIFY_(x) #x
#define LGALLOC_STRINGIFY(x)  LGALLOC_STRINGIFY_(x)
/* "MAJOR.MINOR.PATCH" */
#define LGALLOC_VERSION_STRING                                                                               \
	LGALLOC_STRINGIFY(LGALLOC_VERSION_MAJOR)                                                             \
	"." LGALLOC_STRINGIFY(LGALLOC_VERSION_MINOR) "." LGALLOC_STRINGIFY(LGALLOC_VERSION_PATCH)

#define LGALLOC_MIN_CLASS   21 /* log2 of the smallest region, 2 MiB */
#define LGALLOC_MAX_CLASS   36 /* log2 of the largest region, 64 GiB */
#define LGALLOC_NUM_CLASSES (LGALLOC_MAX_CLASS - LGALLOC_MIN_CLASS + 1)

/* Library-specific error codes, returned negated; above the errno range. */
enum lgalloc_errno {
	__LGALLOC_ERR_START = 4000,
	LGALLOC_ERR_DISABLED = 4000, /* allocator not enabled */
	LGALLOC_ERR_SIZE = 4001,     /* no size class for this size */
	LGALLOC_ERR_FREED = 4002,    /* checked mode: the region is free */
	__LGALLOC_ERR_END,
};

/* A leased region.  len is the class size: a power of two, at least the
 * request.  {NULL, 0} is the empty handle. */
struct lgalloc_handle {
	void *ptr;
	size_t len;
};

/*
 * Lease a region of at least @bytes bytes into @out.  bytes == 0 succeeds
 * with the empty handle.  On error *out is set to the empty handle.
 * The region's contents are unspecified: a fresh region reads as zero, a
 * reused one holds what its last user wrote unless it was returned to the
 * kernel (eager return, background worker).
 */
int lgalloc_allocate(size_t bytes, struct lgalloc_handle *out);

/*
 * Give a region back.  Any thread may free any region.  The empty handle is
 * a no-op.  A handle lgalloc did not hand out, or whose length does not
 * match its region's class, is rejected with -EINVAL and nothing changes.
 * Freeing a region twice is undefined behaviour, except in checked mode
 * (struct lgalloc_config.checked), where it returns -LGALLOC_ERR_FREED and
 * changes nothing; checked mode also writes every rejected handle and what
 * was wrong with it to stderr.
 */
int lgalloc_deallocate(struct lgalloc_handle handle);

/*
 * Advise the kernel that bytes [offset, offset + len) of the region will be
 * needed soon (MADV_WILLNEED): swapped-out pages are read in the background.
 * Never changes contents.  len == 0 is a no-op.  A range outside the region,
 * or one whose end overflows, is -ERANGE.  In checked mode a handle whose
 * region is free is -LGALLOC_ERR_FREED (also for lgalloc_prefetch_async()
 * and lgalloc_prefetch_wait()).
 */
int lgalloc_prefetch(struct lgalloc_handle handle, size_t offset, size_t len);

/*
 * Queue the same hint as lgalloc_prefetch() on the calling thread's io_uring
 * (IORING_OP_MADVISE, MADV_WILLNEED) and return without a system call.  The
 * ring is created on the thread's first hint, sized by prefetch_ring_depth,
 * and closed when the thread exits.  Queued hints reach the kernel at
 * lgalloc_prefetch_submit() or when the ring is full; hints still queued or
 * in flight when the thread exits are dropped.  Completions are counted
 * whenever the thread hints, submits or waits again.  Bounds and errors are
 * lgalloc_prefetch()'s: -EINVAL for a malformed handle, -ERANGE for a range
 * outside the region, len == 0 a no-op.  Any valid hint returns 0: a hint
 * the kernel rejects is counted in prefetch_failed, never reported.
 * When io_uring is unavailable (prefetch_mode SYNC, an old kernel,
 * kernel.io_uring_disabled, seccomp, ring creation failing), or while all
 * completion slots are taken, the hint is issued synchronously as by
 * lgalloc_prefetch() and counted in prefetch_sync; the first fallback for
 * lack of io_uring is reported once per process on stderr.
 */
int lgalloc_prefetch_async(struct lgalloc_handle handle, size_t offset, size_t len);

/*
 * Submit the calling thread's queued hints in one system call and count the
 * completions that have arrived.  Never waits for a hint to complete.
 * Returns 0 (also when nothing is queued) or the -errno of io_uring_enter
 * (-EAGAIN, -EBUSY, -EINTR): the hints then stay queued for the next call.
 */
int lgalloc_prefetch_submit(void);

/*
 * Wait until none of the calling thread's lgalloc_prefetch_async() hints
 * that cover part of the range is queued or in flight, submitting it first
 * if it is still queued.  Call it just before touching a range that was
 * hinted because it may be swapped out: the fault then finds the swap-in
 * the hint began.  Without it, a fault on a page whose swap-in a kernel
 * worker has claimed but not yet started sleeps a whole scheduler tick
 * (1-10 ms) before it looks again.  On resident memory the wait only costs.
 * Takes time proportional to the thread's outstanding hints.  Returns 0 at
 * once when no such hint is outstanding (hints issued synchronously never
 * are); bounds and errors as lgalloc_prefetch(), or the -errno of
 * io_uring_enter other than -EINTR (-EAGAIN, -EBUSY).
 */
int lgalloc_prefetch_wait(struct lgalloc_handle handle, size_t offset, size_t len);

/* struct lgalloc_config.prefetch_mode */
enum lgalloc_prefetch_mode {
	LGALLOC_PREFETCH_AUTO = 0,  /* io_uring when it works, else sync (default) */
	LGALLOC_PREFETCH_SYNC = 1,  /* lgalloc_prefetch_async() calls madvise itself */
	LGALLOC_PREFETCH_URING = 2, /* io_uring; hints are advisory, so when it is
				       unavailable this still falls back to sync */
};

/*
 * Configuration.  lgalloc_config_init() marks every field "unchanged" (-1);
 * set the ones to change and call lgalloc_configure().  Invalid values are
 * rejected with -EINVAL and nothing is applied.
 */
struct lgalloc_config {
	int enabled;		     /* 1 on, 0 off (default: off) */
	int eager_return;	     /* 1: MADV_DONTNEED regions that overflow
					to the global pool (default: 0) */
	long growth_dampener;	     /* area growth factor 1 + 1/(n+1),
					0..2^30 (default: 0, areas double) */
	long local_buffer_bytes;     /* per thread and class cache budget
					(default: 32 MiB) */
	long background_interval_ms; /* background worker period; 0 stops it
					(default: not running) */
	long background_clear_bytes; /* bytes per class the worker moves from
					the dirty to the clean pool each tick */
	int prefetch_mode;	     /* enum lgalloc_prefetch_mode (default:
					AUTO); setting it makes the next hint
					try io_uring again after a failure */
	long prefetch_ring_depth;    /* submission queue entries of each
					thread's ring, 1..4096, rounded up to a
					power of two; applies to rings created
					afterwards (default: 256) */
	long prefetch_workers;	     /* kernel io-wq workers that may run one
					thread's hints at once, 1..128, or 0
					for the kernel's default (4 per CPU);
					applies to rings created afterwards.
					io-wq belongs to the thread: the limit
					also holds for any other ring the
					thread uses (default: 0) */
	int checked;		     /* 1: check every free and prefetch
					against the region's state (double
					free, use after free) and write each
					rejected handle to stderr; frees skip
					the thread caches.  Starts as the
					environment's LGALLOC_CHECKED (0 or 1,
					read once, when lgalloc initialises: at
					the latest in the first
					lgalloc_configure()); this field, when
					not -1, overrides it (default: 0) */
};

void lgalloc_config_init(struct lgalloc_config *config);
int lgalloc_configure(const struct lgalloc_config *config);

/* Counters for one size class; the names are lgalloc 0.7.0's. */
struct lgalloc_class_stats {
	size_t class_bytes;	  /* region size of this class */
	size_t areas;		  /* areas mapped */
	size_t area_total_bytes;  /* bytes of all areas */
	size_t free_regions;	  /* thread + global + clean */
	size_t clean_regions;	  /* in the clean pool */
	size_t global_regions;	  /* in the dirty pool */
	size_t thread_regions;	  /* in thread caches */
	size_t allocations;	  /* successful allocations */
	size_t slow_path;	  /* allocations that took the class lock */
	size_t refill;		  /* areas mapped by the slow path */
	size_t deallocations;	  /* successful deallocations */
	size_t clear_eager_total; /* regions given back by eager return */
	size_t clear_slow_total;  /* regions cleared by the background worker */
	/* lgalloc_prefetch_async() hints, one per madvise request (a range
	 * longer than 2 GiB goes to io_uring in 2 GiB pieces).  Every issued
	 * hint ends up completed or failed; hints queued or in flight when
	 * their thread exits count as failed.  lgalloc_prefetch() is not
	 * counted. */
	size_t prefetch_sync;	   /* issued by a direct madvise */
	size_t prefetch_async;	   /* queued on an io_uring */
	size_t prefetch_completed; /* succeeded (sync, or completion reaped) */
	size_t prefetch_failed;	   /* failed, or dropped at thread exit */
	/* Regions eager return or the background worker could not give back
	 * to the kernel (madvise failed, e.g. EINVAL on mlock()ed pages):
	 * left resident and counted here, not in clear_*_total. */
	size_t advise_failed;
};

struct lgalloc_stats {
	struct lgalloc_class_stats classes[LGALLOC_NUM_CLASSES];
};

/* Snapshot of the counters.  No system call; figures that other threads
 * change meanwhile are each exact at some moment during the call. */
int lgalloc_stats(struct lgalloc_stats *out);

/* A static message for any code these functions return (also for positive
 * errno values); never NULL. */
const char *lgalloc_strerror(int err);

#ifdef __cplusplus
}
#endif

#endif /* LGALLOC_H */
