// SPDX-License-Identifier: MIT
/*
 * Threads hammering the allocator.  The owner-tag stress is the one that
 * catches a region handed to two owners at once: every holder stamps the
 * region's first and last words with its own tag and checks them before it
 * lets go; a second owner would overwrite one and fail the check (and under
 * TSan the two writers are reported as a data race).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "test_util.h"

#define THREADS 4
/* Seconds per stress test: 2 in `make test`, more in `make soak`. */
static double run_seconds = 2.0;

static _Atomic int failures;

static void *singles_and_batches(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	struct lgalloc_handle batch[64];
	double end = now_s() + run_seconds;
	long ops = 0;

	while (now_s() < end) {
		struct lgalloc_handle h;

		for (int i = 0; i < 100; i++) {
			if (lgalloc_allocate(2 * MiB, &h) || lgalloc_deallocate(h))
				atomic_fetch_add(&failures, 1);
		}
		size_t size = (rand_r(&seed) % 2 + 1) * 2 * MiB;
		for (int i = 0; i < 64; i++)
			if (lgalloc_allocate(size, &batch[i]))
				atomic_fetch_add(&failures, 1);
		for (int i = 0; i < 64; i++)
			if (lgalloc_deallocate(batch[i]))
				atomic_fetch_add(&failures, 1);
		ops += 228;
	}
	return (void *)ops;
}

/* lgalloc 0.7.0's own test: four threads, single regions and batches. */
static void test_four_threads_singles_and_batches(void **state)
{
	(void)state;
	pthread_t t[THREADS];
	long total = 0;

	for (uintptr_t i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, singles_and_batches, (void *)(i + 1)), 0);
	for (int i = 0; i < THREADS; i++) {
		void *ops;
		assert_int_equal(pthread_join(t[i], &ops), 0);
		total += (long)ops;
	}
	assert_int_equal(atomic_load(&failures), 0);
	assert_true(total > 0);
	assert_invariant(2 * MiB, 0);
	assert_invariant(4 * MiB, 0);
}

/* Hand-off slots between threads, so that regions are freed by threads
 * other than the one that allocated them. */
#define SLOTS 16
static struct {
	pthread_mutex_t lock;
	struct lgalloc_handle h[SLOTS];
	int n;
} mailbox = {.lock = PTHREAD_MUTEX_INITIALIZER};

static bool post(struct lgalloc_handle h)
{
	bool ok = false;

	pthread_mutex_lock(&mailbox.lock);
	if (mailbox.n < SLOTS) {
		mailbox.h[mailbox.n++] = h;
		ok = true;
	}
	pthread_mutex_unlock(&mailbox.lock);
	return ok;
}

static bool fetch(struct lgalloc_handle *h)
{
	bool ok = false;

	pthread_mutex_lock(&mailbox.lock);
	if (mailbox.n > 0) {
		*h = mailbox.h[--mailbox.n];
		ok = true;
	}
	pthread_mutex_unlock(&mailbox.lock);
	return ok;
}

struct held {
	struct lgalloc_handle h;
	uint64_t tag;
};

static void stamp(struct held *r, uint64_t tag)
{
	uint64_t *w = r->h.ptr;

	r->tag = tag;
	w[0] = tag;
	w[r->h.len / 8 - 1] = tag;
}

static bool intact(const struct held *r)
{
	const uint64_t *w = r->h.ptr;
	return w[0] == r->tag && w[r->h.len / 8 - 1] == r->tag;
}

static void *owner_tags(void *arg)
{
	uint64_t me = (uint64_t)(uintptr_t)arg;
	unsigned seed = (unsigned)me * 7919;
	struct held held[8];
	int n = 0;
	uint64_t seq = 0;
	double end = now_s() + run_seconds;

	while (now_s() < end) {
		unsigned op = rand_r(&seed) % 4;

		if (op <= 1 && n < 8) {
			struct lgalloc_handle h;
			if (lgalloc_allocate((rand_r(&seed) % 2 + 1) * 2 * MiB, &h)) {
				atomic_fetch_add(&failures, 1);
				continue;
			}
			held[n].h = h;
			stamp(&held[n++], me << 48 | ++seq);
		} else if (op == 2 && n > 0) {
			int k = rand_r(&seed) % n;
			if (!intact(&held[k]))
				atomic_fetch_add(&failures, 1);
			/* Sometimes freed here, sometimes by another thread. */
			if (rand_r(&seed) % 2 == 0 || !post(held[k].h)) {
				if (lgalloc_deallocate(held[k].h))
					atomic_fetch_add(&failures, 1);
			}
			held[k] = held[--n];
		} else if (n < 8 && fetch(&held[n].h)) {
			/* Adopted from another thread: now ours. */
			stamp(&held[n++], me << 48 | ++seq);
		}
		/* Re-check a random held region: a second owner shows here. */
		if (n > 0 && !intact(&held[rand_r(&seed) % n]))
			atomic_fetch_add(&failures, 1);
	}
	for (int i = 0; i < n; i++) {
		if (!intact(&held[i]) || lgalloc_deallocate(held[i].h))
			atomic_fetch_add(&failures, 1);
	}
	return NULL;
}

static void test_owner_tag_stress(void **state)
{
	(void)state;
	pthread_t t[THREADS];
	struct lgalloc_handle h;

	/* A small cache budget forces traffic through the global pools and
	 * makes threads steal from each other. */
	configure_or_fail(-1, -1, -1, 8 * MiB);
	for (uintptr_t i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, owner_tags, (void *)(i + 1)), 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	while (fetch(&h))
		free_or_fail(h);
	configure_or_fail(-1, -1, -1, 32 * MiB);
	assert_int_equal(atomic_load(&failures), 0);
	assert_invariant(2 * MiB, 0);
	assert_invariant(4 * MiB, 0);
}

/* Configuration and statistics while allocations run. */
static void *config_churn(void *arg)
{
	(void)arg;
	double end = now_s() + run_seconds / 2;
	int i = 0;

	while (now_s() < end) {
		struct lgalloc_config c;
		struct lgalloc_stats s;

		lgalloc_config_init(&c);
		c.eager_return = i & 1;
		c.local_buffer_bytes = (i % 3) * 8 * MiB;
		c.background_interval_ms = i % 4 ? 1 : 0;
		c.background_clear_bytes = 4 * MiB;
		if (lgalloc_configure(&c) || lgalloc_stats(&s))
			atomic_fetch_add(&failures, 1);
		i++;
	}
	return NULL;
}

static void test_reconfigure_under_load(void **state)
{
	(void)state;
	pthread_t t[THREADS];

	assert_int_equal(pthread_create(&t[0], NULL, config_churn, NULL), 0);
	for (uintptr_t i = 1; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, owner_tags, (void *)(i + 10)), 0);
	for (int i = 0; i < THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	configure_or_fail(-1, 0, -1, 32 * MiB);
	struct lgalloc_config c;
	lgalloc_config_init(&c);
	c.background_interval_ms = 0;
	assert_int_equal(lgalloc_configure(&c), 0);
	assert_int_equal(atomic_load(&failures), 0);
	struct lgalloc_handle h;
	while (fetch(&h))
		free_or_fail(h);
	assert_invariant(2 * MiB, 0);
	assert_invariant(4 * MiB, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_four_threads_singles_and_batches),
		cmocka_unit_test(test_owner_tag_stress),
		cmocka_unit_test(test_reconfigure_under_load),
	};

	run_seconds = stress_seconds(run_seconds);
	enable();
	return cmocka_run_group_tests_name("concurrency", tests, NULL, NULL);
}
