/* SPDX-License-Identifier: MIT */
/* Helpers shared by the cmocka suites of liblgalloc. */
#ifndef LGALLOC_TEST_UTIL_H
#define LGALLOC_TEST_UTIL_H

#include <dirent.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common/timeutil.h"
#include "lgalloc.h"

#define MiB (1UL << 20)
#define GiB (1UL << 30)

/* How long the stress tests run: @dflt seconds, or LGALLOC_STRESS_SECONDS
 * when set (make soak). */
static inline double stress_seconds(double dflt)
{
	const char *soak = getenv("LGALLOC_STRESS_SECONDS");

	return soak && atof(soak) > 0 ? atof(soak) : dflt;
}

/* Class index of a power-of-two region size. */
static inline unsigned class_index(size_t bytes)
{
	return (unsigned)__builtin_ctzl(bytes) - LGALLOC_MIN_CLASS;
}

static inline void configure_or_fail(int enabled, int eager, long dampener, long local_bytes)
{
	struct lgalloc_config c;

	lgalloc_config_init(&c);
	c.enabled = enabled;
	c.eager_return = eager;
	c.growth_dampener = dampener;
	c.local_buffer_bytes = local_bytes;
	assert_int_equal(lgalloc_configure(&c), 0);
}

static inline void enable(void)
{
	configure_or_fail(1, -1, -1, -1);
}

static inline struct lgalloc_class_stats class_stats(size_t bytes)
{
	struct lgalloc_stats s;

	assert_int_equal(lgalloc_stats(&s), 0);
	return s.classes[class_index(bytes)];
}

static inline struct lgalloc_handle alloc_or_fail(size_t bytes)
{
	struct lgalloc_handle h;

	assert_int_equal(lgalloc_allocate(bytes, &h), 0);
	assert_non_null(h.ptr);
	return h;
}

static inline void free_or_fail(struct lgalloc_handle h)
{
	assert_int_equal(lgalloc_deallocate(h), 0);
}

/* Write one byte in every page, so the whole region is resident. */
static inline void touch(struct lgalloc_handle h, unsigned char v)
{
	for (size_t off = 0; off < h.len; off += 4096)
		((volatile unsigned char *)h.ptr)[off] = v;
}

/* Pages of @h resident in memory, by mincore(). */
static inline size_t resident_pages(struct lgalloc_handle h)
{
	size_t pages = h.len / 4096, n = 0;
	unsigned char *vec = malloc(pages);

	assert_non_null(vec);
	assert_int_equal(mincore(h.ptr, h.len, vec), 0);
	for (size_t i = 0; i < pages; i++)
		n += vec[i] & 1;
	free(vec);
	return n;
}

/* Threads of this process whose name is @name. */
static inline int threads_named(const char *name)
{
	DIR *d = opendir("/proc/self/task");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[300], comm[64] = "";
		FILE *f;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/proc/self/task/%s/comm", e->d_name);
		f = fopen(path, "r");
		if (!f)
			continue;
		if (fgets(comm, sizeof(comm), f))
			comm[strcspn(comm, "\n")] = 0;
		fclose(f);
		n += strcmp(comm, name) == 0;
	}
	closedir(d);
	return n;
}

/* Threads named @name once the count has settled at @want: a thread that
 * pthread_join() has returned for is still listed in /proc/self/task (and
 * still running, in the kernel's exit path) until the kernel reaps it, a
 * moment later.  Waits up to 10 s for @want and returns the last count, so
 * a thread that really stays (or never comes) still fails the caller. */
static inline int wait_threads_named(const char *name, int want)
{
	int n = threads_named(name);

	for (int ms = 0; n != want && ms < 10000; ms++) {
		sleep_ms(1);
		n = threads_named(name);
	}
	return n;
}

/* Install a seccomp filter on the calling process (a forked child: it
 * cannot be removed) under which system call @nr fails with @err; when
 * @arg >= 0, only the calls whose argument @arg equals @value (compared on
 * its low 32 bits).  Returns 0 or -1 (errno set by prctl). */
static inline int refuse_syscall(int nr, int arg, uint32_t value, int err)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nr, 0, 3),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, arg >= 0 ? offsetof(struct seccomp_data, args[arg])
							    : offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, arg >= 0 ? value : (unsigned)nr, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (unsigned)err),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {sizeof(filter) / sizeof(filter[0]), filter};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0))
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog);
}

/* Run @child in a forked process whose stderr is captured into @out (NUL
 * terminated); returns its exit status, or 128 + the signal that killed it. */
static inline int run_capturing_stderr(int (*child)(void *), void *arg, char *out, size_t outsz)
{
	int fds[2], status;
	size_t got = 0;
	ssize_t n;

	assert_int_equal(pipe(fds), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 2);
		close(fds[1]);
		_exit(child(arg));
	}
	close(fds[1]);
	while (got < outsz - 1 && (n = read(fds[0], out + got, outsz - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = 0;
	close(fds[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The figure every class must satisfy when no thread is mid-operation. */
static inline void assert_invariant(size_t bytes, size_t live)
{
	struct lgalloc_class_stats s = class_stats(bytes);

	assert_int_equal(s.free_regions, s.thread_regions + s.global_regions + s.clean_regions);
	assert_int_equal(s.free_regions + live, s.area_total_bytes / s.class_bytes);
	assert_int_equal(s.allocations - s.deallocations, live);
}

/* Wait for a forked child; it must have exited with status 0. */
static inline void assert_child_ok(pid_t pid)
{
	int status;

	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (!WIFEXITED(status))
		fail_msg("child killed by signal %d", WTERMSIG(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define UNDER_SANITIZER 1
#else
#define UNDER_SANITIZER 0
#endif

#endif /* LGALLOC_TEST_UTIL_H */
