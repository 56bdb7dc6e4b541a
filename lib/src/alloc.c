// SPDX-License-Identifier: MIT
/*
 * lgalloc_allocate() and lgalloc_deallocate().
 *
 * The fast path is the thread's owner-only front cache (tcache.h): no lock,
 * no system call, no fence, no read-modify-write.  Behind it the thread's
 * deque (one full fence per take), then the global pools, stealing and the
 * locked refill in the slow path below.
 */
#include <errno.h>
#include <pthread.h>

#include "area.h"
#include "checked.h"
#include "config.h"
#include "os.h"
#include "size_class.h"
#include "tcache.h"

/* How many regions of class @ci a thread may cache: none in checked mode. */
static inline size_t local_capacity(unsigned ci)
{
	size_t n = (size_t)atomic_load_explicit(&lg_settings.local_buffer_bytes, lg_relaxed) >>
		   lg_class_shift(ci);
	return n < LG_DEQUE_CAP ? n : LG_DEQUE_CAP;
}

static inline char *region_base(uint32_t idx)
{
	return lg_region_get(idx)->base;
}

/*
 * Take one region from @pool for the caller and, when the thread caches
 * this class, up to batch - 1 more into its cache (front first, then the
 * deque), so that the next allocations stay on the fast path.  No region
 * popped here is free for checked mode any more (checked.h).
 */
static uintptr_t take_batch(struct lg_pool *pool, struct lg_tcache *tc, unsigned ci)
{
	size_t cap = local_capacity(ci);
	size_t batch = cap / 2 > 1 ? cap / 2 : 1;
	uint32_t idx = lg_pool_pop(pool);

	if (!idx)
		return 0;
	lg_checked_taken(idx);
	if (batch > 1) {
		size_t room = lg_tcache_room(tc, ci, cap);

		for (size_t i = 1; i < batch && room; i++, room--) {
			uint32_t more = lg_pool_pop(pool);
			if (!more)
				break;
			lg_checked_taken(more);
			lg_tcache_fill(tc, ci, cap, (uintptr_t)region_base(more));
		}
	}
	return (uintptr_t)region_base(idx);
}

static uintptr_t look_everywhere(struct lg_tcache *tc, unsigned ci)
{
	struct lg_class *cls = &lg_classes[ci];
	uintptr_t p;

	if ((p = take_batch(&cls->dirty, tc, ci)))
		return p;
	if ((p = take_batch(&cls->clean, tc, ci)))
		return p;
	return lg_tcache_steal(tc, ci);
}

static LG_COLD int allocate_slow(struct lg_tcache *tc, unsigned ci, void **region)
{
	struct lg_class *cls = &lg_classes[ci];
	uintptr_t p = look_everywhere(tc, ci);
	int err = 0;

	if (p) {
		*region = (void *)p;
		return 0;
	}
	pthread_mutex_lock(&cls->refill_lock);
	lg_shared_inc(&cls->slow_path, 1);
	/* Another thread may have refilled while we waited for the lock. */
	p = look_everywhere(tc, ci);
	if (p)
		*region = (void *)p;
	else
		err = lg_area_refill(ci, region);
	pthread_mutex_unlock(&cls->refill_lock);
	return err;
}

/* Everything but a front-cache hit: the thread's first call, the deque,
 * the slow path.  Out of line, so that the hit path needs no stack frame. */
static LG_NOINLINE int allocate_miss(unsigned ci, struct lgalloc_handle *out)
{
	struct lg_tcache *tc = lg_tcache_get();
	struct lg_deque *dq;
	void *region;
	int err;

	if (lg_unlikely(!tc))
		return -ENOMEM;
	region = (void *)lg_front_pop(&tc->cls[ci]);
	if (!region) {
		/* Relaxed: the owner created its own deque. */
		dq = atomic_load_explicit(&tc->dq[ci], lg_relaxed);
		region = dq ? (void *)lg_deque_take(dq) : NULL;
	}
	if (!region) {
		err = allocate_slow(tc, ci, &region);
		if (err)
			return err;
	}
	lg_owner_inc(&tc->cls[ci].n.allocations, 1);
	*out = (struct lgalloc_handle){region, lg_class_bytes(ci)};
	return 0;
}

LG_EXPORT LG_HOT int lgalloc_allocate(size_t bytes, struct lgalloc_handle *out)
{
	struct lg_tcache *tc;
	unsigned ci;
	uintptr_t region;

	if (lg_unlikely(!out))
		return -EINVAL;
	*out = (struct lgalloc_handle){NULL, 0};
	if (lg_unlikely(bytes == 0))
		return 0;
	if (lg_unlikely(!atomic_load_explicit(&lg_settings.enabled, lg_relaxed)))
		return -LGALLOC_ERR_DISABLED;
	if (lg_unlikely(!lg_class_of_request(bytes, &ci)))
		return -LGALLOC_ERR_SIZE;
	tc = lg_tls;
	if (lg_likely(tc) && lg_likely(region = lg_front_pop(&tc->cls[ci]))) {
		lg_owner_inc(&tc->cls[ci].n.allocations, 1);
		*out = (struct lgalloc_handle){(void *)region, lg_class_bytes(ci)};
		return 0;
	}
	return allocate_miss(ci, out);
}

/*
 * A free that does not go to the thread's cache: the cache is full, the
 * class has no cache, checked mode is on (every free comes here), or the
 * thread has no cache at all (@tc NULL; nothing counted yet).  With a
 * cache, the caller has counted the deallocation.
 */
static LG_COLD int deallocate_global(struct lg_tcache *tc, unsigned ci, uint32_t idx)
{
	struct lg_class *cls = &lg_classes[ci];
	/* The handle, as validated. */
	struct lgalloc_handle h = {region_base(idx), lg_class_bytes(ci)};
	int err = lg_checked_free(idx, h);

	if (err) {
		/* Refused: nothing changes, the count included. */
		if (tc)
			lg_owner_inc(&tc->cls[ci].n.deallocations, (size_t)-1);
		return err;
	}
	if (atomic_load_explicit(&lg_settings.eager_return, lg_relaxed)) {
		/* Best effort: a region that stays resident (madvise fails on
		 * mlock()ed pages) is still valid, and counted. */
		if (lg_os_advise(region_base(idx), lg_class_bytes(ci), MADV_DONTNEED))
			lg_shared_inc(&cls->advise_failed, 1);
		else if (tc)
			lg_owner_inc(&tc->cls[ci].n.clear_eager_total, 1);
		else
			lg_shared_inc(&cls->folded.clear_eager_total, 1);
	}
	lg_pool_push(&cls->dirty, idx);
	if (!tc)
		lg_shared_inc(&cls->folded.deallocations, 1);
	return 0;
}

/* A free the front cache cannot take: no cache for the thread yet, a full
 * front, a class without a front. */
static LG_NOINLINE int deallocate_miss(uintptr_t ptr, unsigned ci, uint32_t idx)
{
	struct lg_tcache *tc = lg_tcache_get();
	size_t cap;

	if (lg_unlikely(!tc)) /* No cache for this thread: the region still goes back. */
		return deallocate_global(NULL, ci, idx);
	lg_owner_inc(&tc->cls[ci].n.deallocations, 1);
	cap = local_capacity(ci);
	/* A class above the cache budget never gets a deque. */
	if (cap && lg_tcache_spill(tc, ci, cap, ptr))
		return 0;
	return deallocate_global(tc, ci, idx);
}

LG_EXPORT LG_HOT int lgalloc_deallocate(struct lgalloc_handle handle)
{
	struct lg_tcache *tc;
	unsigned ci;
	uint32_t idx;

	if (!handle.ptr && !handle.len)
		return 0;
	idx = lg_handle_region(handle, &ci);
	if (lg_unlikely(!idx))
		return lg_checked_rejected("lgalloc_deallocate", handle);
	tc = lg_tls;
	if (lg_likely(tc) &&
	    lg_likely(lg_front_push(&tc->cls[ci], (uintptr_t)handle.ptr, lg_front_cap(local_capacity(ci))))) {
		lg_owner_inc(&tc->cls[ci].n.deallocations, 1);
		return 0;
	}
	return deallocate_miss((uintptr_t)handle.ptr, ci, idx);
}
