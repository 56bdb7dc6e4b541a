// SPDX-License-Identifier: MIT
/*
 * fork() from a process whose threads are inside lgalloc: the child must
 * never inherit a held lock, and must be able to allocate, free, read
 * statistics and configure; 200 forks while two threads churn.  A child
 * that deadlocks is killed by alarm().
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/wait.h>

#include "test_util.h"

#define FORKS 40

static _Atomic bool stop;

/* Keeps every lock of the library busy: refills (small cache, many classes,
 * so areas keep being mapped), stats, configuration. */
static void *churn(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	struct lgalloc_handle h[16];

	while (!atomic_load(&stop)) {
		size_t size = (size_t)1 << (21 + rand_r(&seed) % 6);
		int n = 1 + rand_r(&seed) % 16;
		struct lgalloc_stats s;

		for (int i = 0; i < n; i++)
			if (lgalloc_allocate(size, &h[i]))
				abort();
		for (int i = 0; i < n; i++)
			if (lgalloc_deallocate(h[i]))
				abort();
		if (rand_r(&seed) % 8 == 0 && lgalloc_stats(&s))
			abort();
	}
	return NULL;
}

/* What a child does: every path that takes a lock. */
static int child_work(struct lgalloc_handle before)
{
	struct lgalloc_handle h[8];
	struct lgalloc_config c;
	struct lgalloc_stats s;

	alarm(10);
	/* The region leased before fork is the child's copy. */
	memset(before.ptr, 0xcc, 4096);
	for (int round = 0; round < 3; round++) {
		for (int i = 0; i < 8; i++)
			if (lgalloc_allocate((size_t)1 << (21 + i), &h[i]))
				return 1;
		for (int i = 0; i < 8; i++)
			if (lgalloc_deallocate(h[i]))
				return 2;
	}
	/* A class nobody used before: a refill in the child. */
	if (lgalloc_allocate(16 * GiB, &h[0]) || lgalloc_deallocate(h[0]))
		return 3;
	if (lgalloc_stats(&s))
		return 4;
	lgalloc_config_init(&c);
	c.local_buffer_bytes = 16 * MiB;
	if (lgalloc_configure(&c))
		return 5;
	if (lgalloc_deallocate(before))
		return 6;
	return 0;
}

static void test_fork_under_load(void **state)
{
	(void)state;
	pthread_t t[3];
	struct lgalloc_handle before = alloc_or_fail(2 * MiB);

	memset(before.ptr, 0xaa, 4096);
	configure_or_fail(-1, -1, -1, 4 * MiB);
	atomic_store(&stop, false);
	for (uintptr_t i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, churn, (void *)(i + 1)), 0);
	for (int f = 0; f < FORKS; f++) {
		pid_t pid = fork();
		assert_true(pid >= 0);
		if (pid == 0)
			_exit(child_work(before));
		assert_child_ok(pid); /* SIGALRM: a deadlocked child */
		sleep_ms(rand() % 5);
	}
	atomic_store(&stop, true);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	/* Copy-on-write: the children's writes did not reach us. */
	assert_int_equal(((unsigned char *)before.ptr)[0], 0xaa);
	free_or_fail(before);
	configure_or_fail(-1, -1, -1, 32 * MiB);
}

/* The background worker does not survive fork (threads never do); the
 * child can stop it, and start its own. */
static void test_fork_with_background_worker(void **state)
{
	(void)state;
	struct lgalloc_config c;

	lgalloc_config_init(&c);
	c.background_interval_ms = 5;
	c.background_clear_bytes = 64 * MiB;
	assert_int_equal(lgalloc_configure(&c), 0);
	assert_int_equal(wait_threads_named("lgalloc-0", 1), 1);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(10);
		if (wait_threads_named("lgalloc-0", 0) != 0)
			_exit(1);
		lgalloc_config_init(&c);
		c.background_interval_ms = 0;
		if (lgalloc_configure(&c))
			_exit(2);
		c.background_interval_ms = 5;
		if (lgalloc_configure(&c) || wait_threads_named("lgalloc-0", 1) != 1)
			_exit(3);
		c.background_interval_ms = 0;
		if (lgalloc_configure(&c) || wait_threads_named("lgalloc-0", 0) != 0)
			_exit(4);
		_exit(0);
	}
	assert_child_ok(pid);
	assert_int_equal(wait_threads_named("lgalloc-0", 1), 1);
	c.background_interval_ms = 0;
	assert_int_equal(lgalloc_configure(&c), 0);
}

#define MANY_FORKS	200
#define CHILD_TIMEOUT_S 10

/* A child of test_many_forks_while_churning: allocate regions of three
 * classes, fill each with a pattern, check it, free; exit 0. */
static int child_alloc_write_free(unsigned seed)
{
	struct lgalloc_handle h[3];

	alarm(CHILD_TIMEOUT_S);
	for (int i = 0; i < 3; i++) {
		if (lgalloc_allocate((size_t)2 * MiB << (seed + (unsigned)i) % 4, &h[i]))
			return 1;
		memset(h[i].ptr, 0x5a ^ i, h[i].len);
	}
	for (int i = 0; i < 3; i++) {
		const unsigned char *p = h[i].ptr;

		for (size_t off = 0; off < h[i].len; off += 4096)
			if (p[off] != (0x5a ^ i) || p[off + 4095] != (0x5a ^ i))
				return 2;
		if (lgalloc_deallocate(h[i]))
			return 3;
	}
	return 0;
}

/* 200 forks while two threads churn through the pools: every child, forked
 * at whatever moment the churners are at, allocates, writes, frees and
 * exits 0 within CHILD_TIMEOUT_S (SIGALRM kills a deadlocked one). */
static void test_many_forks_while_churning(void **state)
{
	(void)state;
	pthread_t t[2];

	configure_or_fail(-1, -1, -1, 4 * MiB);
	atomic_store(&stop, false);
	for (uintptr_t i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, churn, (void *)(i + 11)), 0);
	for (unsigned f = 0; f < MANY_FORKS; f++) {
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0)
			_exit(child_alloc_write_free(f));
		assert_child_ok(pid);
	}
	atomic_store(&stop, true);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	configure_or_fail(-1, -1, -1, 32 * MiB);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_under_load),
		cmocka_unit_test(test_fork_with_background_worker),
		cmocka_unit_test(test_many_forks_while_churning),
	};

	enable();
#ifdef __SANITIZE_THREAD__
	/* TSan cannot follow a multi-threaded fork whose child starts threads
	 * (its die_after_fork default kills such a child). */
	(void)tests;
	printf("SKIP fork: ThreadSanitizer does not support threads started after a multi-threaded fork\n");
	return 0;
#else
	return cmocka_run_group_tests_name("fork", tests, NULL, NULL);
#endif
}
