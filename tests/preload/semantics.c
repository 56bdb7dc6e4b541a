// SPDX-License-Identifier: MIT
/*
 * The C semantics of liblgalloc_preload.so, checked from a program it is
 * preloaded into (preload_test.sh runs it with LGALLOC_PRELOAD_MIN_BYTES=4M).
 * Prints one "ok NAME" or "not ok NAME: WHY" line per check.
 *
 *   semantics all        every check below but the bootstrap's
 *   semantics bootstrap  the dlsym bootstrap (needs shim_dlsym.so first in
 *                        LD_PRELOAD)
 *   semantics forkheld   fork while another thread holds a size class's
 *                        refill lock (needs shim_mmap.so first in LD_PRELOAD)
 *   semantics owned MIB  prints "lgalloc" or "next": who served malloc(MIB MiB)
 *   semantics keep N MIB allocates N blocks of MIB MiB, frees N - 1 of them
 */
/* The checks compare pointers across realloc() on purpose: a block that
 * stays in place is the point of some. */
#pragma GCC diagnostic ignored "-Wuse-after-free"

#include <dlfcn.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define MiB (1UL << 20)

static int failed;
/* Hidden from the compiler, which rejects overflowing calls it can see. */
static volatile size_t huge = SIZE_MAX / 2;

static void result(int ok, const char *name, const char *why)
{
	if (ok) {
		printf("ok %s\n", name);
	} else {
		printf("not ok %s: %s\n", name, why);
		failed = 1;
	}
	fflush(stdout);
}

/* Whether lgalloc served @p: a region base (2 MiB aligned) whose usable
 * size is its class size, a power of two of at least 2 MiB. */
static int ours(void *p)
{
	size_t u = malloc_usable_size(p);

	return p && !((uintptr_t)p & (2 * MiB - 1)) && u >= 2 * MiB && !(u & (u - 1));
}

/* Leave the last user's data: a store the compiler cannot drop before the
 * free() that follows. */
static void dirty(void *p, size_t n)
{
	memset(p, 0xaa, n);
	__asm__ volatile("" : : "r"(p) : "memory");
}

/* A pattern every 512 bytes, so that checking a prefix checks its own. */
static void fill(unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i += 512)
		p[i] = (unsigned char)(i / 512 * 31 + seed);
}

static int filled(const unsigned char *p, size_t n, unsigned seed)
{
	for (size_t i = 0; i < n; i += 512)
		if (p[i] != (unsigned char)(i / 512 * 31 + seed))
			return 0;
	return 1;
}

static int all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return 0;
	return 1;
}

static void check_calloc(void)
{
	unsigned char *p = malloc(5 * MiB), *q;

	dirty(p, 5 * MiB);
	free(p);
	/* The thread cache hands the same region back: its old data must
	 * not show through. */
	q = calloc(5, MiB);
	result(q == p && ours(q), "calloc reuses the freed region", "a different block came back");
	result(q && all_zero(q, 5 * MiB), "calloc zeroes a reused region", "old data left");
	free(q);
	errno = 0;
	q = calloc(huge, 3);
	result(!q && errno == ENOMEM, "calloc: nmemb * size overflowing is ENOMEM", "no ENOMEM");
	q = calloc(3, 1000);
	result(q && !ours(q) && all_zero(q, 3000), "calloc below the threshold: the next allocator's, zeroed",
	       "wrong");
	free(q);
}

static void check_realloc(void)
{
	unsigned char *p = malloc(5 * MiB), *q, *r;
	char why[128];

	fill(p, 5 * MiB, 1);
	q = realloc(p, 7 * MiB);
	result(q == p, "realloc within the class (5 -> 7 MiB, 8 MiB region) keeps the pointer", "moved");
	q = realloc(q, 4 * MiB + 1);
	result(q == p && filled(q, 4 * MiB + 1, 1),
	       "realloc shrinking within the class keeps pointer and data", "moved or changed");
	fill(q, 4 * MiB + 1, 2);
	r = realloc(q, 20 * MiB);
	snprintf(why, sizeof(why), "%p -> %p, usable %zu", (void *)q, (void *)r, malloc_usable_size(r));
	result(r && r != q && ours(r) && malloc_usable_size(r) == 32 * MiB && filled(r, 4 * MiB + 1, 2),
	       "realloc across classes (8 -> 32 MiB) moves the data", why);
	fill(r, 20 * MiB, 3);
	q = realloc(r, 5 * MiB);
	result(q && q != r && malloc_usable_size(q) == 8 * MiB && filled(q, 5 * MiB - 1, 3),
	       "realloc shrinking across classes (32 -> 8 MiB) moves the data", "wrong");
	/* Across the two allocators, both ways. */
	p = malloc(1000);
	fill(p, 1000, 4);
	q = realloc(p, 6 * MiB);
	result(q && ours(q) && filled(q, 1000, 4),
	       "realloc from the next allocator to lgalloc keeps the data", "wrong");
	fill(q, 6 * MiB, 5);
	r = realloc(q, 3000);
	result(r && !ours(r) && filled(r, 3000, 5),
	       "realloc from lgalloc to the next allocator keeps the data", "wrong");
	free(r);
	p = realloc(NULL, 5 * MiB);
	result(p && ours(p), "realloc(NULL, n) is malloc(n)", "not served by lgalloc");
	errno = 0;
	q = realloc(p, huge * 2 - 4096);
	result(!q && errno == ENOMEM, "realloc that cannot be served: NULL, ENOMEM, the block kept", "wrong");
	result(realloc(p, 0) == NULL, "realloc(p, 0) frees p and returns NULL (as glibc)", "non-NULL");
	errno = 0;
	q = reallocarray(NULL, huge, 3);
	result(!q && errno == ENOMEM, "reallocarray: overflow is ENOMEM", "wrong");
	q = reallocarray(NULL, 5, MiB);
	result(q && ours(q), "reallocarray(NULL, 5, 1 MiB) from lgalloc", "wrong");
	free(q);
}

static void check_align(void)
{
	static const size_t aligns[] = {8, 64, 4096, 2 * MiB, 4 * MiB, 16 * MiB, 64 * MiB};
	char name[128];
	void *p;

	for (size_t i = 0; i < sizeof(aligns) / sizeof(aligns[0]); i++) {
		size_t a = aligns[i];

		p = NULL;
		int err = posix_memalign(&p, a, 5 * MiB);
		snprintf(name, sizeof(name), "posix_memalign(%zu, 5 MiB) is aligned and lgalloc's", a);
		result(!err && p && !((uintptr_t)p & (a - 1)) && ours(p), name,
		       err ? strerror(err) : "misaligned");
		free(p);
		p = aligned_alloc(a, 5 * MiB);
		snprintf(name, sizeof(name), "aligned_alloc(%zu, 5 MiB) is aligned and lgalloc's", a);
		result(p && !((uintptr_t)p & (a - 1)) && ours(p), name, "misaligned or NULL");
		free(p);
		p = memalign(a, 5 * MiB);
		snprintf(name, sizeof(name), "memalign(%zu, 5 MiB) is aligned and lgalloc's", a);
		result(p && !((uintptr_t)p & (a - 1)) && ours(p), name, "misaligned or NULL");
		free(p);
	}
	static const size_t bad[] = {0, 3, 24, 4, 3 * MiB};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		p = (void *)0x1234;
		int err = posix_memalign(&p, bad[i], 5 * MiB);
		snprintf(name, sizeof(name), "posix_memalign(%zu, 5 MiB) is EINVAL and leaves *memptr",
			 bad[i]);
		result(err == EINVAL && p == (void *)0x1234, name, strerror(err));
	}
	errno = 0;
	p = aligned_alloc(3 * MiB, 5 * MiB);
	result(!p && errno == EINVAL, "aligned_alloc(3 MiB, 5 MiB) is EINVAL", "wrong");
	p = memalign(3 * MiB, 5 * MiB);
	result(p && !((uintptr_t)p & (4 * MiB - 1)) && ours(p),
	       "memalign(3 MiB, 5 MiB) rounds the alignment up to 4 MiB (as glibc)", "wrong");
	free(p);
	p = valloc(5 * MiB);
	result(p && ours(p), "valloc(5 MiB) is page aligned and lgalloc's", "wrong");
	free(p);
	p = pvalloc(5 * MiB + 1);
	result(p && ours(p) && malloc_usable_size(p) >= 5 * MiB + 4096,
	       "pvalloc(5 MiB + 1) serves whole pages", "wrong");
	free(p);
	p = NULL;
	result(!posix_memalign(&p, 256, 100) && p && !((uintptr_t)p & 255) && !ours(p),
	       "posix_memalign(256, 100) from the next allocator, aligned", "wrong");
	free(p);
	result(malloc_usable_size(NULL) == 0, "malloc_usable_size(NULL) is 0", "non-zero");
	free(NULL);
}

static void *churn(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;
	long bad = 0;

	for (int i = 0; i < 200; i++) {
		size_t n = (size_t)(5 + (i + seed) % 20) * MiB;
		unsigned char *p = (i & 1) ? calloc(1, n) : malloc(n);

		if (!p || ((i & 1) && (p[0] || p[n - 1] || p[n / 2])))
			bad++;
		fill(p, n, seed + (unsigned)i);
		p = realloc(p, n + 9 * MiB);
		if (!p || !filled(p, n, seed + (unsigned)i))
			bad++;
		free(p);
	}
	return (void *)bad;
}

/* A thread that leaves its blocks to the main thread and exits. */
static void *leave(void *arg)
{
	void **out = arg;

	for (int i = 0; i < 4; i++) {
		out[i] = malloc(5 * MiB);
		fill(out[i], 5 * MiB, (unsigned)i);
	}
	return NULL;
}

static void check_threads(void)
{
	pthread_t t[4];
	void *blocks[4];
	long bad = 0;

	for (uintptr_t i = 0; i < 4; i++)
		pthread_create(&t[i], NULL, churn, (void *)i);
	for (int i = 0; i < 4; i++) {
		void *r;

		pthread_join(t[i], &r);
		bad += (long)r;
	}
	result(!bad, "4 threads: malloc, calloc, realloc, free of 5-33 MiB blocks keep contents",
	       "corrupted");
	pthread_create(&t[0], NULL, leave, blocks);
	pthread_join(t[0], NULL);
	int ok = 1;
	for (int i = 0; i < 4; i++) {
		ok &= ours(blocks[i]) && filled(blocks[i], 5 * MiB, (unsigned)i);
		free(blocks[i]);
	}
	result(ok, "blocks of a thread that exited are intact and freed by another", "wrong");
}

static volatile int stop;

static void *background_churn(void *arg)
{
	(void)arg;
	while (!stop)
		free(malloc(5 * MiB + (size_t)(rand() % 3) * 4 * MiB));
	return NULL;
}

static void check_fork(void)
{
	unsigned char *p = malloc(5 * MiB);
	int status;
	pid_t pid;

	fill(p, 5 * MiB, 7);
	pid = fork();
	if (pid == 0) {
		int ok = filled(p, 5 * MiB, 7);
		fill(p, 5 * MiB, 8);
		free(p);
		unsigned char *q = calloc(1, 5 * MiB);
		ok &= q && all_zero(q, 5 * MiB) && ours(q);
		free(q);
		_exit(ok ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	result(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	       "fork: the child reads, frees and allocates the parent's blocks", "child failed");
	result(filled(p, 5 * MiB, 7), "fork: the parent's block is unchanged by the child", "changed");
	free(p);
	p = calloc(1, 5 * MiB);
	result(p && all_zero(p, 5 * MiB) && ours(p), "fork: the parent allocates after the child's exit",
	       "wrong");
	free(p);

	/* Forks while another thread allocates: the child must find no
	 * lock held (it would hang; alarm turns that into a failure). */
	pthread_t t;
	int ok = 1;

	pthread_create(&t, NULL, background_churn, NULL);
	for (int i = 0; i < 20; i++) {
		pid = fork();
		if (pid == 0) {
			alarm(10);
			for (int j = 0; j < 10; j++)
				free(calloc(1, 5 * MiB + (size_t)j * MiB));
			_exit(0);
		}
		waitpid(pid, &status, 0);
		ok &= WIFEXITED(status) && WEXITSTATUS(status) == 0;
	}
	stop = 1;
	pthread_join(t, NULL);
	result(ok, "fork while another thread allocates: 20 children allocate and exit",
	       "a child failed or hung");
}

static void *allocate_48(void *arg)
{
	(void)arg;
	return malloc(48 * MiB);
}

/* Fork while another thread is inside the preload holding a lock: thread T
 * makes the first 48 MiB request (the 64 MiB class), which maps an area
 * under the class's refill lock; shim_mmap.so makes that mmap sleep, and
 * the fork happens meanwhile.  The child then needs the same class's
 * refill lock.  Without the library's fork handlers the child inherits the
 * lock held by a thread that does not exist there and hangs (alarm: a
 * failure); with them, fork waits for T to leave the lock. */
static void check_fork_holding_lock(void)
{
	atomic_int *armed = dlsym(RTLD_DEFAULT, "shim_mmap_armed");
	atomic_int *entered = dlsym(RTLD_DEFAULT, "shim_mmap_entered");
	size_t *min = dlsym(RTLD_DEFAULT, "shim_mmap_min");
	const char *name = "fork while another thread holds a refill lock: the child allocates in that class";
	pthread_t t;
	void *held = NULL;
	int status;
	pid_t pid;

	if (!armed || !entered || !min) {
		result(0, name, "shim_mmap.so is not preloaded");
		return;
	}
	*min = 64 * MiB;
	atomic_store(armed, 1);
	pthread_create(&t, NULL, allocate_48, NULL);
	while (!atomic_load(entered))
		usleep(1000);
	pid = fork();
	if (pid == 0) {
		void *p;

		alarm(10);
		p = malloc(48 * MiB);
		memset(p, 1, 48 * MiB);
		_exit(ours(p) ? 0 : 1);
	}
	waitpid(pid, &status, 0);
	pthread_join(t, &held);
	result(WIFEXITED(status) && WEXITSTATUS(status) == 0, name,
	       WIFSIGNALED(status) ? "the child hung (SIGALRM)" : "the child's block is not lgalloc's");
	result(ours(held), "fork while another thread holds a refill lock: that thread's block is lgalloc's",
	       "wrong");
	free(held);
}

/* The shim's counts: calls to calloc made inside dlsym while the preload
 * resolved the next allocator, and how many of those returned non-zero
 * memory or NULL. */
static void check_bootstrap(void)
{
	int *calls = dlsym(RTLD_DEFAULT, "shim_calloc_calls");
	int *bad = dlsym(RTLD_DEFAULT, "shim_calloc_bad");
	char why[96];

	if (!calls || !bad) {
		result(0, "bootstrap: shim_dlsym.so is preloaded", "its counters are missing");
		return;
	}
	snprintf(why, sizeof(why), "%d calls, %d bad", *calls, *bad);
	result(*calls > 0 && *bad == 0, "bootstrap: calloc inside dlsym was served, zeroed, while resolving",
	       why);
	void *p = malloc(5 * MiB), *q = malloc(100);
	result(ours(p) && q && !ours(q), "bootstrap: both allocators serve afterwards", "wrong");
	free(p);
	free(q);
}

int main(int argc, char **argv)
{
	if (argc == 2 && !strcmp(argv[1], "all")) {
		check_calloc();
		check_realloc();
		check_align();
		check_threads();
		check_fork();
	} else if (argc == 2 && !strcmp(argv[1], "bootstrap")) {
		check_bootstrap();
	} else if (argc == 2 && !strcmp(argv[1], "forkheld")) {
		check_fork_holding_lock();
	} else if (argc == 3 && !strcmp(argv[1], "owned")) {
		void *p = malloc(strtoul(argv[2], NULL, 0) * MiB);

		puts(ours(p) ? "lgalloc" : "next");
		free(p);
	} else if (argc == 4 && !strcmp(argv[1], "keep")) {
		int n = atoi(argv[2]);
		size_t size = strtoul(argv[3], NULL, 0) * MiB;

		for (int i = 0; i < n; i++) {
			void *p = malloc(size);

			memset(p, 1, size);
			if (i)
				free(p); /* the first one is never freed */
		}
	} else {
		fprintf(stderr, "usage: %s all | bootstrap | forkheld | owned MIB | keep N MIB\n", argv[0]);
		return 2;
	}
	return failed;
}
