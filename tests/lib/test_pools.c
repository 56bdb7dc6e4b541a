// SPDX-License-Identifier: MIT
/*
 * Pools, areas and threads: growth, the local cache bound, eager return,
 * the background worker, stealing, thread exit.  Each test uses size
 * classes no other test in this file touches, so its counts start at zero.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "area.h"
#include "test_util.h"

/* Areas of a class, in regions, for a dampener: the rule of lgalloc 0.7.0. */
static void test_growth_rule(void **state)
{
	(void)state;
	/* 2 MiB: first area 32 MiB = 16 regions. */
	assert_int_equal(lg_area_next_regions(21, 0, 0), 16);
	assert_int_equal(lg_area_next_regions(21, 16, 0), 32);
	assert_int_equal(lg_area_next_regions(21, 32, 0), 64);
	assert_int_equal(lg_area_next_regions(21, 16, 1), 32); /* max(16, 8) */
	assert_int_equal(lg_area_next_regions(21, 32, 1), 48);
	assert_int_equal(lg_area_next_regions(21, 48, 1), 72);
	assert_int_equal(lg_area_next_regions(21, 64, 3), 80);
	/* Classes above 32 MiB start with one region. */
	assert_int_equal(lg_area_next_regions(30, 0, 0), 1);
	assert_int_equal(lg_area_next_regions(36, 0, 5), 1);
	assert_int_equal(lg_area_next_regions(30, 1, 0), 2);
	assert_int_equal(lg_area_next_regions(30, 4, 1), 6);
	assert_int_equal(lg_area_next_regions(30, 6, 1), 9);
}

/* Allocate @n regions of @size with @dampener; check the areas mapped. */
static void grow_and_check(size_t size, long dampener, size_t n, const size_t *areas, size_t nareas)
{
	struct lgalloc_handle *h = calloc(n, sizeof(*h));
	size_t total = 0;

	configure_or_fail(-1, -1, dampener, -1);
	for (size_t i = 0; i < n; i++)
		h[i] = alloc_or_fail(size);
	struct lgalloc_class_stats s = class_stats(size);
	for (size_t i = 0; i < nareas; i++)
		total += areas[i] * size;
	assert_int_equal(s.areas, nareas);
	assert_int_equal(s.refill, nareas);
	assert_int_equal(s.area_total_bytes, total);
	assert_invariant(size, n);
	for (size_t i = 0; i < n; i++)
		free_or_fail(h[i]);
	assert_invariant(size, 0);
	configure_or_fail(-1, -1, 0, -1);
	free(h);
}

static void test_area_growth_dampener_0(void **state)
{
	(void)state;
	/* 1 GiB regions: areas of 1, 2, 4, 8 regions hold 15 allocations. */
	const size_t areas[] = {1, 2, 4, 8};
	grow_and_check(1 * GiB, 0, 15, areas, 4);
}

static void test_area_growth_dampener_1(void **state)
{
	(void)state;
	/* 512 MiB regions: 1, 2, 3, 4, 6 regions hold 16 allocations. */
	const size_t areas[] = {1, 2, 3, 4, 6};
	grow_and_check(512 * MiB, 1, 16, areas, 5);
}

/* With a 32 MiB budget a thread caches two 16 MiB regions; the rest of its
 * frees go to the global dirty pool. */
static void test_local_cache_overflow(void **state)
{
	(void)state;
	struct lgalloc_handle h[5];

	for (int i = 0; i < 5; i++)
		h[i] = alloc_or_fail(16 * MiB);
	for (int i = 0; i < 5; i++)
		free_or_fail(h[i]);
	struct lgalloc_class_stats s = class_stats(16 * MiB);
	assert_int_equal(s.thread_regions, 2);
	assert_int_equal(s.global_regions, 3);
	assert_invariant(16 * MiB, 0);
	/* The next allocations are served from this thread's cache first
	 * (LIFO: the last region cached comes out first), then the pool. */
	struct lgalloc_handle a = alloc_or_fail(16 * MiB);
	assert_ptr_equal(a.ptr, h[1].ptr);
	free_or_fail(a);
}

/* Eager return: a region overflowing to the global pool is given back to
 * the kernel (MADV_DONTNEED), which mincore shows. */
static void test_eager_return_releases_pages(void **state)
{
	(void)state;
	struct lgalloc_handle h[2];

	configure_or_fail(-1, 1, -1, -1);
	for (int i = 0; i < 2; i++) {
		h[i] = alloc_or_fail(32 * MiB);
		touch(h[i], 1);
		assert_int_equal(resident_pages(h[i]), h[i].len / 4096);
	}
	free_or_fail(h[0]); /* fits the 32 MiB cache: stays resident */
	free_or_fail(h[1]); /* overflows: released */
	assert_int_equal(resident_pages(h[0]), h[0].len / 4096);
	assert_int_equal(resident_pages(h[1]), 0);
	struct lgalloc_class_stats s = class_stats(32 * MiB);
	assert_int_equal(s.clear_eager_total, 1);
	assert_int_equal(s.global_regions, 1);
	configure_or_fail(-1, 0, -1, -1);

	/* With eager return off, an overflowing region stays resident. */
	struct lgalloc_handle a = alloc_or_fail(32 * MiB), b = alloc_or_fail(32 * MiB);
	touch(a, 2);
	touch(b, 2);
	free_or_fail(a);
	free_or_fail(b);
	assert_int_equal(resident_pages(b), b.len / 4096);
	assert_int_equal(class_stats(32 * MiB).clear_eager_total, 1);
}

/* Wait up to @timeout_ms for the class to have @clean clean regions. */
static bool wait_clean(size_t size, size_t clean, long timeout_ms)
{
	double end = now_s() + timeout_ms / 1000.0;

	while (now_s() < end) {
		if (class_stats(size).clean_regions == clean)
			return true;
		sleep_ms(5);
	}
	return false;
}

static void test_background_worker(void **state)
{
	(void)state;
	const size_t size = 64 * MiB; /* above the cache budget: frees go global */
	struct lgalloc_handle h[4];

	assert_int_equal(wait_threads_named("lgalloc-0", 0), 0);
	for (int i = 0; i < 4; i++) {
		h[i] = alloc_or_fail(size);
		touch(h[i], 3);
	}
	for (int i = 0; i < 4; i++)
		free_or_fail(h[i]);
	assert_int_equal(class_stats(size).global_regions, 4);
	size_t clean0 = class_stats(size).clean_regions;

	/* Running, but with no budget: nothing moves. */
	set_background(10, 0);
	assert_int_equal(wait_threads_named("lgalloc-0", 1), 1);
	sleep_ms(60);
	assert_int_equal(class_stats(size).global_regions, 4);

	/* Reconfigured while running: one region per tick and class. */
	set_background(-1, (long)size);
	assert_true(wait_clean(size, clean0 + 4, 2000));
	struct lgalloc_class_stats s = class_stats(size);
	assert_int_equal(s.global_regions, 0);
	assert_int_equal(s.clear_slow_total, 4);
	assert_invariant(size, 0);
	assert_int_equal(wait_threads_named("lgalloc-0", 1), 1);

	/* An interval of 0 stops the worker. */
	set_background(0, -1);
	assert_int_equal(wait_threads_named("lgalloc-0", 0), 0);
	h[0] = alloc_or_fail(size);
	free_or_fail(h[0]);
	sleep_ms(50);
	assert_int_equal(class_stats(size).global_regions, 1);
	/* And it can be started again. */
	set_background(5, (long)size);
	assert_true(wait_clean(size, clean0 + 4, 2000));
	set_background(0, 0);
}

struct parked {
	size_t size;
	int n;
	struct lgalloc_handle h[16];
	pthread_barrier_t filled, release;
};

/* Allocate n regions, free them all into this thread's cache, then wait. */
static void *hold_in_cache(void *arg)
{
	struct parked *p = arg;

	for (int i = 0; i < p->n; i++)
		p->h[i] = alloc_or_fail(p->size);
	for (int i = 0; i < p->n; i++)
		free_or_fail(p->h[i]);
	pthread_barrier_wait(&p->filled);
	pthread_barrier_wait(&p->release);
	return NULL;
}

/*
 * Another thread's cache is stolen from, oldest region first, down to its
 * front cache: the newest half of the budget (at most LG_FRONT_CAP
 * regions), which only its owner sees.  Those come back to everyone when
 * the owner exits.
 */
static void test_steal_from_other_thread(void **state)
{
	(void)state;
	/* 4 MiB: the first area has 8 regions, all of which fit one cache
	 * (budget 8: front 4, deque 4). */
	struct parked p = {.size = 4 * MiB, .n = 8};
	const int front = 4, stealable = 8 - front;
	pthread_t t;

	pthread_barrier_init(&p.filled, NULL, 2);
	pthread_barrier_init(&p.release, NULL, 2);
	assert_int_equal(pthread_create(&t, NULL, hold_in_cache, &p), 0);
	pthread_barrier_wait(&p.filled);

	struct lgalloc_class_stats s = class_stats(p.size);
	assert_int_equal(s.areas, 1);
	assert_int_equal(s.thread_regions, 8);
	assert_int_equal(s.global_regions + s.clean_regions, 0);
	/* The other thread holds the only free regions: take what it lets. */
	struct lgalloc_handle mine[8 + 1];
	for (int i = 0; i < stealable; i++) {
		mine[i] = alloc_or_fail(p.size);
		assert_int_equal((uintptr_t)mine[i].ptr % (2 * MiB), 0);
		/* Stealing takes the oldest entries first. */
		assert_ptr_equal(mine[i].ptr, p.h[i].ptr);
	}
	s = class_stats(p.size);
	assert_int_equal(s.areas, 1); /* no refill: all stolen */
	assert_int_equal(s.refill, 1);
	assert_int_equal(s.thread_regions, front);
	/* Its front cache is not stolen: the next allocation maps an area. */
	mine[stealable] = alloc_or_fail(p.size);
	for (int i = 0; i < 8; i++)
		assert_ptr_not_equal(mine[stealable].ptr, p.h[i].ptr);
	s = class_stats(p.size);
	assert_int_equal(s.areas, 2);
	assert_int_equal(s.thread_regions, front);
	pthread_barrier_wait(&p.release);
	pthread_join(t, NULL);
	/* The owner's exit gave its front back. */
	assert_int_equal(class_stats(p.size).thread_regions, 0);
	for (int i = 0; i <= stealable; i++)
		free_or_fail(mine[i]);
	assert_invariant(p.size, 0);
	pthread_barrier_destroy(&p.filled);
	pthread_barrier_destroy(&p.release);
}

static void *cache_and_exit(void *arg)
{
	struct parked *p = arg;

	for (int i = 0; i < p->n; i++)
		p->h[i] = alloc_or_fail(p->size);
	for (int i = 0; i < p->n; i++)
		free_or_fail(p->h[i]);
	return NULL;
}

static void test_thread_exit_returns_cache(void **state)
{
	(void)state;
	/* 8 MiB: 4 regions fill a 32 MiB cache. */
	struct parked p = {.size = 8 * MiB, .n = 4};
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, cache_and_exit, &p), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	struct lgalloc_class_stats s = class_stats(p.size);
	assert_int_equal(s.thread_regions, 0);
	assert_int_equal(s.global_regions, 4);
	/* The exited thread's counters were folded, not lost. */
	assert_int_equal(s.allocations, 4);
	assert_int_equal(s.deallocations, 4);
	assert_invariant(p.size, 0);
	/* Its regions are reused: no new area. */
	struct lgalloc_handle h = alloc_or_fail(p.size);
	assert_int_equal(class_stats(p.size).areas, 1);
	free_or_fail(h);
}

/* Frees from another thread than the allocating one. */
static void *free_all(void *arg)
{
	struct parked *p = arg;

	for (int i = 0; i < p->n; i++)
		free_or_fail(p->h[i]);
	return NULL;
}

static void test_cross_thread_free(void **state)
{
	(void)state;
	struct parked p = {.size = 128 * MiB, .n = 6};
	pthread_t t;

	for (int i = 0; i < p.n; i++) {
		p.h[i] = alloc_or_fail(p.size);
		memset(p.h[i].ptr, i, 4096);
	}
	assert_int_equal(pthread_create(&t, NULL, free_all, &p), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	assert_invariant(p.size, 0);
	for (int i = 0; i < p.n; i++)
		p.h[i] = alloc_or_fail(p.size);
	assert_int_equal(class_stats(p.size).areas, 3); /* 1 + 2 + 4 regions */
	for (int i = 0; i < p.n; i++)
		free_or_fail(p.h[i]);
	assert_invariant(p.size, 0);
}

/* Mixed sizes, orders and threads: the books balance afterwards. */
struct mixed {
	unsigned seed;
	size_t live[3];
};

static const size_t mixed_sizes[3] = {2 * MiB, 256 * MiB, 2 * GiB};

static void *mixed_worker(void *arg)
{
	struct mixed *m = arg;
	struct lgalloc_handle held[64];
	int n = 0;

	for (int i = 0; i < 20000; i++) {
		if (n < 64 && (n == 0 || rand_r(&m->seed) % 3)) {
			size_t size = mixed_sizes[rand_r(&m->seed) % 3];
			held[n++] = alloc_or_fail(size - rand_r(&m->seed) % (size / 2));
		} else {
			int k = rand_r(&m->seed) % n;
			free_or_fail(held[k]);
			held[k] = held[--n];
		}
	}
	for (int i = 0; i < n; i++)
		m->live[class_index(held[i].len) == class_index(mixed_sizes[0])	  ? 0
			: class_index(held[i].len) == class_index(mixed_sizes[1]) ? 1
										  : 2]++;
	/* Keep what is left leased: the invariant must count it as live. */
	return NULL;
}

static void test_stats_invariant_mixed(void **state)
{
	(void)state;
	struct mixed m[3] = {{.seed = 1}, {.seed = 2}, {.seed = 3}};
	pthread_t t[3];

	configure_or_fail(-1, -1, -1, 64 * MiB);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, mixed_worker, &m[i]), 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	for (int c = 0; c < 3; c++)
		assert_invariant(mixed_sizes[c], m[0].live[c] + m[1].live[c] + m[2].live[c]);
	configure_or_fail(-1, -1, -1, 32 * MiB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_growth_rule),
		cmocka_unit_test(test_area_growth_dampener_0),
		cmocka_unit_test(test_area_growth_dampener_1),
		cmocka_unit_test(test_local_cache_overflow),
		cmocka_unit_test(test_eager_return_releases_pages),
		cmocka_unit_test(test_background_worker),
		cmocka_unit_test(test_steal_from_other_thread),
		cmocka_unit_test(test_thread_exit_returns_cache),
		cmocka_unit_test(test_cross_thread_free),
		cmocka_unit_test(test_stats_invariant_mixed),
	};

	enable();
	return cmocka_run_group_tests_name("pools", tests, NULL, NULL);
}
