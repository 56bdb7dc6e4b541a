// SPDX-License-Identifier: MIT
/*
 * fork() from a process whose threads are inside lgalloc: the child must
 * never inherit a held lock, and must be able to allocate, free, read
 * statistics and configure.  A child that deadlocks is killed by alarm().
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fork_under_load),
		cmocka_unit_test(test_fork_with_background_worker),
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
