// SPDX-License-Identifier: MIT
/*
 * Faults the library must survive: madvise refused on a region the caller
 * mlock()ed (the kernel answers EINVAL for locked pages), in eager return
 * and in the background worker.  The region is counted in advise_failed,
 * skipped (it stays resident), and the stats still balance.
 */
#include <errno.h>
#include <sys/resource.h>
#include <sys/syscall.h>

#include "test_util.h"

/* The system calls themselves: the sanitizers' mlock and munlock
 * interceptors do nothing (they guard against mlockall on shadow memory). */
static int lock(void *p, size_t len)
{
	return (int)syscall(SYS_mlock, p, len);
}

static int unlock(void *p, size_t len)
{
	return (int)syscall(SYS_munlock, p, len);
}

/* Lock @h's pages, or skip the test with the reason. */
static void lock_or_skip(struct lgalloc_handle h)
{
	if (lock(h.ptr, h.len)) {
		int err = errno;
		struct rlimit lim;

		getrlimit(RLIMIT_MEMLOCK, &lim);
		print_message("SKIP: mlock of %zu bytes: %s (RLIMIT_MEMLOCK %lld)\n", h.len, strerror(err),
			      (long long)lim.rlim_cur);
		skip();
	}
}

static void set_budget_and_eager(long local_bytes, int eager)
{
	configure_or_fail(-1, eager, -1, local_bytes);
}

static void test_eager_return_of_locked_region(void **state)
{
	(void)state;
	const size_t size = 4 * MiB;
	struct lgalloc_handle locked = alloc_or_fail(size), plain = alloc_or_fail(size);

	touch(locked, 1);
	touch(plain, 1);
	lock_or_skip(locked);
	/* No cache: every free goes to the global pool, through eager return. */
	set_budget_and_eager(0, 1);
	free_or_fail(locked);
	free_or_fail(plain);
	struct lgalloc_class_stats s = class_stats(size);
	assert_int_equal(s.advise_failed, 1);
	assert_int_equal(s.clear_eager_total, 1);
	assert_int_equal(s.global_regions, 2);
	assert_invariant(size, 0);
	/* Skipped, not half done: the locked region is still resident. */
	assert_int_equal(resident_pages(locked), locked.len / 4096);
	assert_int_equal(resident_pages(plain), 0);
	set_budget_and_eager(32 * MiB, 0);
	assert_int_equal(unlock(locked.ptr, locked.len), 0);
	/* Both come back and work. */
	struct lgalloc_handle a = alloc_or_fail(size), b = alloc_or_fail(size);
	touch(a, 2);
	touch(b, 2);
	free_or_fail(a);
	free_or_fail(b);
	assert_invariant(size, 0);
}

static void set_background(long interval_ms, long clear_bytes)
{
	struct lgalloc_config c;

	lgalloc_config_init(&c);
	c.background_interval_ms = interval_ms;
	c.background_clear_bytes = clear_bytes;
	assert_int_equal(lgalloc_configure(&c), 0);
}

static void test_worker_skips_locked_region(void **state)
{
	(void)state;
	const size_t size = 8 * MiB;
	struct lgalloc_handle h[3];
	double end;

	for (int i = 0; i < 3; i++) {
		h[i] = alloc_or_fail(size);
		touch(h[i], 3);
	}
	lock_or_skip(h[1]);
	set_budget_and_eager(0, 0);
	for (int i = 0; i < 3; i++)
		free_or_fail(h[i]);
	assert_int_equal(class_stats(size).global_regions, 3);
	/* Three regions per tick: the locked one does not hold up the others. */
	set_background(5, (long)(3 * size));
	end = now_s() + 5;
	while (class_stats(size).global_regions && now_s() < end)
		sleep_ms(5);
	set_background(0, 0);
	struct lgalloc_class_stats s = class_stats(size);
	assert_int_equal(s.global_regions, 0);
	assert_int_equal(s.advise_failed, 1);
	assert_int_equal(s.clear_slow_total, 2);
	assert_invariant(size, 0);
	assert_int_equal(resident_pages(h[1]), h[1].len / 4096);
	assert_int_equal(threads_named("lgalloc-0"), 0);
	assert_int_equal(unlock(h[1].ptr, h[1].len), 0);
	set_budget_and_eager(32 * MiB, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eager_return_of_locked_region),
		cmocka_unit_test(test_worker_skips_locked_region),
	};

	enable();
	return cmocka_run_group_tests_name("faults", tests, NULL, NULL);
}
