// SPDX-License-Identifier: MIT
/*
 * lgalloc_prefetch_async(), lgalloc_prefetch_submit() and
 * lgalloc_prefetch_wait(): bounds, the configuration (io-wq worker limit
 * included), completion counting, waiting for one range's hints, the full
 * ring, the synchronous fallback (by configuration, seccomp and
 * kernel.io_uring_disabled), and threads that queue and wait for hints and
 * exit at random moments without leaking rings.
 *
 * Each test uses a size class of its own, so that its counters are not
 * moved by another test's hints.
 */
#include <errno.h>
#include <fcntl.h>
#include <liburing.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "test_util.h"

#define SETTLE_TIMEOUT_S      10.0
#define LG_TEST_DEFAULT_DEPTH 256

static bool uring_works(void)
{
	struct io_uring ring;

	if (io_uring_queue_init(1, &ring, 0))
		return false;
	io_uring_queue_exit(&ring);
	return true;
}

/* Open descriptors of this process: all of them, or only io_uring rings. */
static int count_fds(bool rings_only)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d))) {
		char path[300], target[64] = "";

		if (e->d_name[0] == '.' || atoi(e->d_name) == dirfd(d))
			continue;
		if (rings_only) {
			snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
			if (readlink(path, target, sizeof(target) - 1) < 0 || !strstr(target, "io_uring"))
				continue;
		}
		n++;
	}
	closedir(d);
	return n;
}

static void set_prefetch(int mode, long depth)
{
	struct lgalloc_config c;

	lgalloc_config_init(&c);
	c.prefetch_mode = mode;
	c.prefetch_ring_depth = depth;
	assert_int_equal(lgalloc_configure(&c), 0);
}

static size_t issued(struct lgalloc_class_stats s)
{
	return s.prefetch_sync + s.prefetch_async;
}

static size_t finished(struct lgalloc_class_stats s)
{
	return s.prefetch_completed + s.prefetch_failed;
}

/* Submit and reap on this thread until every hint of class @bytes has
 * finished; the final counters. */
static struct lgalloc_class_stats settle(size_t bytes)
{
	double end = now_s() + SETTLE_TIMEOUT_S;
	struct lgalloc_class_stats s;

	for (;;) {
		assert_int_equal(lgalloc_prefetch_submit(), 0);
		s = class_stats(bytes);
		if (finished(s) == issued(s) || now_s() > end)
			break;
		sleep_ms(1);
	}
	assert_int_equal(finished(s), issued(s));
	return s;
}

static void test_enable(void **state)
{
	(void)state;
	enable();
	/* Nothing queued yet: a no-op. */
	assert_int_equal(lgalloc_prefetch_submit(), 0);
}

static void test_bounds_and_errors(void **state)
{
	(void)state;
	struct lgalloc_handle h = alloc_or_fail(2 * MiB), empty = {NULL, 0};
	struct lgalloc_class_stats before, after;

	memset(h.ptr, 0x5a, h.len);
	before = class_stats(h.len);
	/* Empty ranges are no-ops, even at the very end (nothing counted);
	 * then every way out of bounds, overflowing ends included. */
	const struct {
		struct lgalloc_handle h;
		size_t off, len;
		int err;
	} cases[] = {
		{h, 0, 0, 0},
		{h, h.len, 0, 0},
		{empty, 0, 0, 0},
		{h, 0, h.len + 1, -ERANGE},
		{h, h.len, 1, -ERANGE},
		{h, h.len + 1, 0, -ERANGE},
		{h, 1, h.len, -ERANGE},
		{h, 1, SIZE_MAX, -ERANGE},
		{h, SIZE_MAX, 2, -ERANGE},
		{h, SIZE_MAX, SIZE_MAX, -ERANGE},
		{h, 4096, SIZE_MAX - 4095, -ERANGE},
		{empty, 0, 1, -ERANGE},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(lgalloc_prefetch_async(cases[i].h, cases[i].off, cases[i].len),
				 cases[i].err);
	/* Malformed handles are not a range problem. */
	struct lgalloc_handle bad[] = {
		{(char *)h.ptr + 4096, h.len},
		{h.ptr, h.len / 2},
		{h.ptr, h.len + 4096},
		{NULL, h.len},
		{h.ptr, 0},
		{(void *)(64 * GiB), 2 * MiB}, /* aligned, but not lgalloc's */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(lgalloc_prefetch_async(bad[i], 0, 1), -EINVAL);
	after = class_stats(h.len);
	assert_int_equal(issued(after), issued(before));
	/* The same results as the synchronous prefetch, case by case. */
	size_t offs[] = {0, 1, 4095, 4096, h.len - 1, h.len, h.len + 1, SIZE_MAX};
	size_t lens[] = {0, 1, 4096, h.len - 1, h.len, h.len + 1, SIZE_MAX};
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++)
		for (size_t j = 0; j < sizeof(lens) / sizeof(lens[0]); j++) {
			int want = lgalloc_prefetch(h, offs[i], lens[j]);

			assert_int_equal(lgalloc_prefetch_async(h, offs[i], lens[j]), want);
			assert_int_equal(lgalloc_prefetch_wait(h, offs[i], lens[j]), want);
		}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(lgalloc_prefetch_wait(cases[i].h, cases[i].off, cases[i].len), cases[i].err);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(lgalloc_prefetch_wait(bad[i], 0, 1), -EINVAL);
	/* Valid hints, unaligned ones included. */
	assert_int_equal(lgalloc_prefetch_async(h, 0, h.len), 0);
	assert_int_equal(lgalloc_prefetch_async(h, 1, 1), 0);
	assert_int_equal(lgalloc_prefetch_async(h, h.len - 1, 1), 0);
	settle(h.len);
	/* Contents unchanged. */
	for (size_t i = 0; i < h.len; i += 4096)
		assert_int_equal(((unsigned char *)h.ptr)[i], 0x5a);
	free_or_fail(h);
}

static void test_config_validation(void **state)
{
	(void)state;
	struct lgalloc_config c;
	int bad_modes[] = {-2, 3, 1000};
	long bad_depths[] = {-2, 0, 4097, 1L << 40};

	for (size_t i = 0; i < sizeof(bad_modes) / sizeof(bad_modes[0]); i++) {
		lgalloc_config_init(&c);
		c.prefetch_mode = bad_modes[i];
		assert_int_equal(lgalloc_configure(&c), -EINVAL);
	}
	for (size_t i = 0; i < sizeof(bad_depths) / sizeof(bad_depths[0]); i++) {
		lgalloc_config_init(&c);
		c.prefetch_ring_depth = bad_depths[i];
		assert_int_equal(lgalloc_configure(&c), -EINVAL);
	}
	long bad_workers[] = {-2, 129, 1L << 40};
	for (size_t i = 0; i < sizeof(bad_workers) / sizeof(bad_workers[0]); i++) {
		lgalloc_config_init(&c);
		c.prefetch_workers = bad_workers[i];
		assert_int_equal(lgalloc_configure(&c), -EINVAL);
	}
	lgalloc_config_init(&c);
	assert_int_equal(c.prefetch_mode, -1);
	assert_int_equal(c.prefetch_ring_depth, -1);
	assert_int_equal(c.prefetch_workers, -1);
	/* A valid mode beside an invalid depth: nothing applied, so hints
	 * still go through the ring. */
	c.prefetch_mode = LGALLOC_PREFETCH_SYNC;
	c.prefetch_ring_depth = 0;
	assert_int_equal(lgalloc_configure(&c), -EINVAL);
	set_prefetch(-1, 1);
	set_prefetch(-1, 4096);
	set_prefetch(LGALLOC_PREFETCH_URING, 100); /* rounded up to 128 */
	set_prefetch(LGALLOC_PREFETCH_AUTO, LG_TEST_DEFAULT_DEPTH);

	struct lgalloc_handle h = alloc_or_fail(128 * MiB);
	struct lgalloc_class_stats before = class_stats(h.len), after;
	assert_int_equal(lgalloc_prefetch_async(h, 0, 4096), 0);
	after = class_stats(h.len);
	if (uring_works())
		assert_int_equal(after.prefetch_async, before.prefetch_async + 1);
	assert_int_equal(issued(after), issued(before) + 1);
	settle(h.len);
	free_or_fail(h);
}

/* Queued hints complete once submitted, and the completions are counted. */
static void test_hints_complete(void **state)
{
	(void)state;
	struct lgalloc_handle h = alloc_or_fail(4 * MiB);
	struct lgalloc_class_stats before, queued, done;

	touch(h, 1);
	before = class_stats(h.len);
	for (size_t off = 0; off < h.len; off += 64 * 4096)
		assert_int_equal(lgalloc_prefetch_async(h, off, 64 * 4096), 0);
	queued = class_stats(h.len);
	assert_int_equal(issued(queued) - issued(before), h.len / (64 * 4096));
	if (uring_works()) {
		assert_int_equal(queued.prefetch_async - before.prefetch_async, h.len / (64 * 4096));
		/* Nothing was submitted yet: the depth is larger. */
		assert_int_equal(finished(queued), finished(before));
	}
	done = settle(h.len);
	assert_int_equal(done.prefetch_completed - before.prefetch_completed, h.len / (64 * 4096));
	assert_int_equal(done.prefetch_failed, before.prefetch_failed);
	free_or_fail(h);
}

/*
 * lgalloc_prefetch_wait() returns at once for a range no outstanding hint
 * covers, submitting nothing; for a range a queued hint covers (by one
 * byte), it submits the hint and returns once its completion is reaped.
 */
static void test_wait(void **state)
{
	(void)state;
	struct lgalloc_handle h = alloc_or_fail(512 * MiB);
	struct lgalloc_class_stats before, s;
	const size_t page = 4096;

	touch((struct lgalloc_handle){h.ptr, 64 * page}, 4);
	before = class_stats(h.len);
	/* Hint A: pages 2 and 3, queued, not submitted (depth 256). */
	assert_int_equal(lgalloc_prefetch_async(h, 2 * page, 2 * page), 0);
	if (!uring_works()) {
		/* Issued synchronously: nothing to wait for. */
		assert_int_equal(lgalloc_prefetch_wait(h, 2 * page, 1), 0);
		free_or_fail(h);
		return;
	}
	const struct {
		size_t off, len;
	} beside[] = {
		{0, 2 * page},		/* the pages before */
		{4 * page, 60 * page},	/* the pages after */
		{3 * page, 0},		/* empty, inside */
		{256 * MiB, 256 * MiB}, /* far away */
	};
	for (size_t i = 0; i < sizeof(beside) / sizeof(beside[0]); i++)
		assert_int_equal(lgalloc_prefetch_wait(h, beside[i].off, beside[i].len), 0);
	s = class_stats(h.len);
	assert_int_equal(s.prefetch_async - before.prefetch_async, 1);
	assert_int_equal(finished(s), finished(before)); /* still queued */
	/* Hint A's last byte. */
	assert_int_equal(lgalloc_prefetch_wait(h, 4 * page - 1, 1), 0);
	s = class_stats(h.len);
	assert_int_equal(s.prefetch_completed - before.prefetch_completed, 1);
	assert_int_equal(finished(s), issued(s));
	/* A second wait has nothing left to wait for. */
	assert_int_equal(lgalloc_prefetch_wait(h, 0, h.len), 0);
	/* Many hints in flight at once, each waited for in turn: every wait
	 * returns with its own hint reaped. */
	for (size_t i = 0; i < 200; i++)
		assert_int_equal(lgalloc_prefetch_async(h, i * page, page), 0);
	assert_int_equal(lgalloc_prefetch_submit(), 0);
	for (size_t i = 0; i < 200; i++) {
		assert_int_equal(lgalloc_prefetch_wait(h, i * page, page), 0);
		s = class_stats(h.len);
		assert_true(finished(s) - finished(before) >= 2 + i);
	}
	s = class_stats(h.len);
	assert_int_equal(finished(s), issued(s));
	assert_int_equal(s.prefetch_failed, before.prefetch_failed);
	free_or_fail(h);
}

struct workers_arg {
	struct lgalloc_handle h;
	unsigned limits[2]; /* the thread's io-wq limits: bounded, unbounded */
	int err;
};

/* Hint once, so that lgalloc opens this thread's ring, then read the
 * thread's io-wq limits through a ring of our own (a zero limit asks). */
static void *hint_and_read_limits(void *p)
{
	struct workers_arg *a = p;
	struct io_uring ring;

	if ((a->err = lgalloc_prefetch_async(a->h, 0, 4096)) ||
	    (a->err = lgalloc_prefetch_wait(a->h, 0, 4096)))
		return NULL;
	if ((a->err = io_uring_queue_init(1, &ring, 0)))
		return NULL;
	a->limits[0] = a->limits[1] = 0;
	a->err = io_uring_register_iowq_max_workers(&ring, a->limits);
	io_uring_queue_exit(&ring);
	return NULL;
}

static struct workers_arg limits_of_new_thread(struct lgalloc_handle h)
{
	struct workers_arg a = {.h = h};
	pthread_t t;

	assert_int_equal(pthread_create(&t, NULL, hint_and_read_limits, &a), 0);
	assert_int_equal(pthread_join(t, NULL), 0);
	return a;
}

/* prefetch_workers bounds the io-wq of threads whose ring opens afterwards;
 * 0 gives the kernel's own limits back. */
static void test_workers_limit(void **state)
{
	(void)state;
	struct lgalloc_handle h = alloc_or_fail(1 * GiB);
	struct lgalloc_config c;
	struct workers_arg a;

	if (!uring_works()) {
		print_message("io_uring unavailable: the limit has no ring to apply to\n");
		free_or_fail(h);
		return;
	}
	lgalloc_config_init(&c);
	c.prefetch_workers = 3;
	assert_int_equal(lgalloc_configure(&c), 0);
	a = limits_of_new_thread(h);
	assert_int_equal(a.err, 0);
	assert_int_equal(a.limits[0], 3);
	assert_int_equal(a.limits[1], 3);
	c.prefetch_workers = 0;
	assert_int_equal(lgalloc_configure(&c), 0);
	a = limits_of_new_thread(h);
	assert_int_equal(a.err, 0);
	/* Unbounded workers default to RLIMIT_NPROC, never 3 for root. */
	assert_true(a.limits[0] > 0);
	assert_int_not_equal(a.limits[1], 3);
	free_or_fail(h);
}

/* A range of 4 GiB or more is split: liburing 2.3 truncates the length. */
static void test_large_range_split(void **state)
{
	(void)state;
	struct lgalloc_handle h = alloc_or_fail(8 * GiB);
	struct lgalloc_class_stats before = class_stats(h.len), after;

	assert_int_equal(lgalloc_prefetch_async(h, 0, h.len), 0);
	assert_int_equal(lgalloc_prefetch_async(h, 1, 4 * GiB), 0); /* 4 GiB + 1 from the page */
	after = class_stats(h.len);
	if (uring_works())
		assert_int_equal(after.prefetch_async - before.prefetch_async, 4 + 3);
	after = settle(h.len);
	assert_int_equal(after.prefetch_failed, before.prefetch_failed);
	free_or_fail(h);
}

struct full_arg {
	struct lgalloc_handle h;
	struct lgalloc_class_stats mid;
};

static void *queue_many(void *p)
{
	struct full_arg *a = p;

	/* A new thread: its ring gets the configured depth of 4 (8 CQEs).
	 * No explicit submit: only a full ring submits. */
	for (int i = 0; i < 400; i++) {
		size_t off = (size_t)(i % 512) * 4096;
		if (lgalloc_prefetch_async(a->h, off, 4096))
			return (void *)1;
		if (i % 4 == 3)
			usleep(200);
	}
	struct lgalloc_stats s;
	lgalloc_stats(&s);
	a->mid = s.classes[class_index(a->h.len)];
	return NULL;
}

static void test_ring_full_submits(void **state)
{
	(void)state;
	struct full_arg a = {.h = alloc_or_fail(16 * MiB)};
	struct lgalloc_class_stats before = class_stats(a.h.len), after;
	pthread_t t;
	void *ret;

	touch(a.h, 2);
	set_prefetch(-1, 3); /* rounded up to 4 */
	assert_int_equal(pthread_create(&t, NULL, queue_many, &a), 0);
	assert_int_equal(pthread_join(t, &ret), 0);
	set_prefetch(-1, LG_TEST_DEFAULT_DEPTH);
	assert_null(ret);
	assert_int_equal(issued(a.mid) - issued(before), 400);
	if (uring_works()) {
		size_t async = a.mid.prefetch_async - before.prefetch_async;
		size_t done = finished(a.mid) - finished(before);
		/* Far more than fit in the ring went through it, so full rings
		 * were submitted and completions reaped on the way. */
		assert_true(async > 32);
		assert_true(done > 0);
		/* Never more outstanding than the CQ holds (twice the depth). */
		assert_true(issued(a.mid) - issued(before) - (finished(a.mid) - finished(before)) <= 8);
	}
	/* The thread has exited: every hint is accounted for. */
	after = class_stats(a.h.len);
	assert_int_equal(finished(after), issued(after));
	free_or_fail(a.h);
}

/* A hint the kernel fails (here: a hole punched into the region, so
 * madvise says ENOMEM) is counted, never reported, in either mode. */
static void test_failed_hint_counted(void **state)
{
	(void)state;
	struct lgalloc_handle h = alloc_or_fail(256 * MiB);
	struct lgalloc_class_stats before, after;
	size_t hole = 16 * 4096;

	assert_int_equal(munmap(h.ptr, hole), 0);
	before = class_stats(h.len);
	assert_int_equal(lgalloc_prefetch_async(h, 0, hole), 0);
	after = settle(h.len);
	assert_int_equal(after.prefetch_failed - before.prefetch_failed, 1);
	assert_int_equal(after.prefetch_completed, before.prefetch_completed);
	set_prefetch(LGALLOC_PREFETCH_SYNC, -1);
	assert_int_equal(lgalloc_prefetch_async(h, 4096, 4096), 0);
	set_prefetch(LGALLOC_PREFETCH_AUTO, -1);
	after = class_stats(h.len);
	assert_int_equal(after.prefetch_failed - before.prefetch_failed, 2);
	assert_ptr_equal(
		mmap(h.ptr, hole, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0),
		h.ptr);
	free_or_fail(h);
}

/* Mode SYNC by configuration: hints succeed and are issued directly. */
static void test_sync_mode(void **state)
{
	(void)state;
	struct lgalloc_handle h = alloc_or_fail(64 * MiB);
	struct lgalloc_class_stats before, after;

	set_prefetch(LGALLOC_PREFETCH_SYNC, -1);
	before = class_stats(h.len);
	assert_int_equal(lgalloc_prefetch_async(h, 0, h.len), 0);
	assert_int_equal(lgalloc_prefetch_async(h, 4096, 1), 0);
	assert_int_equal(lgalloc_prefetch_wait(h, 0, h.len), 0);
	assert_int_equal(lgalloc_prefetch_submit(), 0);
	after = class_stats(h.len);
	set_prefetch(LGALLOC_PREFETCH_AUTO, -1);
	assert_int_equal(after.prefetch_sync - before.prefetch_sync, 2);
	assert_int_equal(after.prefetch_async, before.prefetch_async);
	assert_int_equal(after.prefetch_completed - before.prefetch_completed, 2);
	/* Errors are the same in either mode. */
	set_prefetch(LGALLOC_PREFETCH_SYNC, -1);
	assert_int_equal(lgalloc_prefetch_async(h, 1, h.len), -ERANGE);
	set_prefetch(LGALLOC_PREFETCH_AUTO, -1);
	free_or_fail(h);
}

static int write_sysctl(const char *path, int v)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return -1;
	fprintf(f, "%d\n", v);
	return fclose(f);
}

#define IO_URING_DISABLED "/proc/sys/kernel/io_uring_disabled"

/* Set in the child, restored there as soon as it has tried, and again by
 * the parent whatever happened, so that other users of the machine lose
 * io_uring for a few milliseconds at most. */
static int disable_io_uring(void *arg)
{
	(void)arg;
	return write_sysctl(IO_URING_DISABLED, 2);
}

static int saved_disabled = -1;

/* In a child: hint twice, expect both issued synchronously, and stderr
 * (a pipe) to carry one line naming @why.  Exit status: 0 on success. */
static int child_expect_fallback(int errfd)
{
	struct lgalloc_handle h;
	struct lgalloc_class_stats before, after;
	struct lgalloc_stats s;

	if (lgalloc_allocate(2 * MiB, &h))
		return 20;
	lgalloc_stats(&s);
	before = s.classes[0];
	if (lgalloc_prefetch_async(h, 0, h.len) || lgalloc_prefetch_async(h, 0, 4096))
		return 21;
	if (lgalloc_prefetch_submit())
		return 22;
	lgalloc_stats(&s);
	after = s.classes[0];
	if (after.prefetch_sync - before.prefetch_sync != 2)
		return 23;
	if (after.prefetch_async != before.prefetch_async)
		return 24;
	if (after.prefetch_completed - before.prefetch_completed != 2)
		return 25;
	/* The ring the forking thread had is not inherited. */
	if (count_fds(true) != 0)
		return 26;
	close(errfd);
	return 0;
}

/* Fork a child that runs @setup, then child_expect_fallback(); its stderr
 * comes back in @out. */
static int run_fallback_child(int (*setup)(void *), void *arg, char *out, size_t outsz)
{
	int fds[2], status;
	size_t got = 0;
	ssize_t n;

	assert_int_equal(pipe(fds), 0);
	/* The parent has a ring: the child must drop its copy. */
	struct lgalloc_handle h = alloc_or_fail(2 * MiB);
	assert_int_equal(lgalloc_prefetch_async(h, 0, 4096), 0);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		dup2(fds[1], 2);
		if (setup(arg))
			_exit(10);
		int rc = child_expect_fallback(fds[1]);
		if (saved_disabled == 0)
			write_sysctl(IO_URING_DISABLED, saved_disabled);
		_exit(rc);
	}
	close(fds[1]);
	while (got < outsz - 1 && (n = read(fds[0], out + got, outsz - 1 - got)) > 0)
		got += (size_t)n;
	out[got] = 0;
	close(fds[0]);
	pid_t waited = waitpid(pid, &status, 0);
	if (saved_disabled == 0)
		write_sysctl(IO_URING_DISABLED, saved_disabled);
	assert_int_equal(waited, pid);
	settle(h.len);
	free_or_fail(h);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* seccomp: io_uring_setup fails with the errno in @arg. */
static int refuse_io_uring(void *arg)
{
	return refuse_syscall(SYS_io_uring_setup, -1, 0, (int)(intptr_t)arg);
}

static void expect_one_line(const char *out, const char *why)
{
	const char *first = strstr(out, "io_uring unavailable");

	if (!first) {
		fail_msg("no fallback message on stderr: \"%s\"", out);
		return;
	}
	print_message("%s", first);
	assert_null(strstr(first + 1, "io_uring unavailable"));
	if (!strstr(first, why))
		fail_msg("fallback message without \"%s\": \"%s\"", why, out);
}

/* io_uring_setup refused with each errno the fallback sorts (unavailable
 * for good, or retried later): the one line names the call and gives the
 * kernel's reason, never an lgalloc API text ("out of memory: pools
 * empty...", "invalid argument (bad handle...)"). */
static void test_fallback_seccomp(void **state)
{
	(void)state;
	char out[4096];
	int errs[] = {ENOSYS, EPERM, EINVAL, ENOMEM};

	if (!uring_works())
		skip(); /* the parent has already said it falls back */
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		assert_int_equal(
			run_fallback_child(refuse_io_uring, (void *)(intptr_t)errs[i], out, sizeof(out)), 0);
		expect_one_line(out, "io_uring_setup");
		assert_non_null(strstr(out, strerrordesc_np(errs[i])));
		if (errs[i] == EINVAL || errs[i] == ENOMEM)
			assert_null(strstr(out, lgalloc_strerror(-errs[i])));
	}
}

/* The io-wq worker limit refused (as kernels before 5.15 do): said once,
 * naming the io_uring_register operation and the kernel's reason. */
static int workers_refused_child(void *arg)
{
	struct lgalloc_config c;
	struct lgalloc_handle h;

	(void)arg;
	if (refuse_syscall(SYS_io_uring_register, 1, IORING_REGISTER_IOWQ_MAX_WORKERS, EINVAL))
		return 10;
	lgalloc_config_init(&c);
	c.prefetch_workers = 2;
	if (lgalloc_configure(&c) || lgalloc_allocate(2 * MiB, &h))
		return 11;
	/* The child's first hint opens its ring (the parent's is not
	 * inherited), whose limit the filter refuses: the hint still works. */
	if (lgalloc_prefetch_async(h, 0, 4096) || lgalloc_prefetch_wait(h, 0, 4096))
		return 12;
	return lgalloc_deallocate(h) ? 13 : 0;
}

static void test_workers_refused_message(void **state)
{
	(void)state;
	char out[4096];

	if (!uring_works())
		skip();
	assert_int_equal(run_capturing_stderr(workers_refused_child, NULL, out, sizeof(out)), 0);
	print_message("%s", out);
	assert_non_null(strstr(out, "io_uring_register(IORING_REGISTER_IOWQ_MAX_WORKERS) failed: "));
	assert_non_null(strstr(out, strerrordesc_np(EINVAL)));
	assert_null(strstr(out, lgalloc_strerror(-EINVAL)));
}

static void test_fallback_sysctl(void **state)
{
	(void)state;
	char out[4096];
	FILE *f;

	if (geteuid() != 0 || !uring_works() || !(f = fopen(IO_URING_DISABLED, "re")))
		skip();
	if (fscanf(f, "%d", &saved_disabled) != 1)
		saved_disabled = -1;
	fclose(f);
	if (saved_disabled != 0)
		skip();
	assert_int_equal(run_fallback_child(disable_io_uring, NULL, out, sizeof(out)), 0);
	expect_one_line(out, "kernel.io_uring_disabled=2");
	assert_true(uring_works());
}

#define CHURN_THREADS 8
#define CHURN_SECONDS 2.0 /* or LGALLOC_STRESS_SECONDS */

struct churn {
	struct lgalloc_handle h;
	double end;
	_Atomic int errors;
	_Atomic long hints;
};

static void *churn_worker(void *p)
{
	struct churn *c = p;
	unsigned seed = (unsigned)(uintptr_t)pthread_self() ^ (unsigned)(now_s() * 1e6);
	/* Exit after a random number of hints: some with hints queued, some
	 * with hints in flight, some with everything reaped. */
	int todo = rand_r(&seed) % 2000;
	long n = 0;

	for (int i = 0; i < todo && now_s() < c->end; i++) {
		size_t pages = c->h.len / 4096;
		size_t off = (size_t)(rand_r(&seed) % pages) * 4096;
		size_t len = (size_t)(rand_r(&seed) % 16 + 1) * 4096;

		if (len > c->h.len - off)
			len = c->h.len - off;
		if (lgalloc_prefetch_async(c->h, off, len))
			atomic_fetch_add(&c->errors, 1);
		n++;
		if (rand_r(&seed) % 8 == 0 && lgalloc_prefetch_submit())
			atomic_fetch_add(&c->errors, 1);
		/* Wait for a recent hint's range, or for one never hinted. */
		if (rand_r(&seed) % 16 == 0 && lgalloc_prefetch_wait(c->h, off, rand_r(&seed) % 2 ? len : 1))
			atomic_fetch_add(&c->errors, 1);
		if (rand_r(&seed) % 64 == 0)
			usleep(rand_r(&seed) % 500);
	}
	atomic_fetch_add(&c->hints, n);
	return NULL;
}

static void test_threads_churn_no_leak(void **state)
{
	(void)state;
	struct churn c = {.h = alloc_or_fail(32 * MiB)};
	pthread_t t[CHURN_THREADS];
	long started = 0;
	struct lgalloc_class_stats before = class_stats(c.h.len), after;
	int fds_before = count_fds(false), rings_before = count_fds(true);

	touch(c.h, 3);
	c.end = now_s() + stress_seconds(CHURN_SECONDS);
	for (int i = 0; i < CHURN_THREADS; i++, started++)
		assert_int_equal(pthread_create(&t[i], NULL, churn_worker, &c), 0);
	/* Replace every thread that exits until the time is up. */
	while (now_s() < c.end) {
		for (int i = 0; i < CHURN_THREADS; i++) {
			if (pthread_tryjoin_np(t[i], NULL) == 0) {
				assert_int_equal(pthread_create(&t[i], NULL, churn_worker, &c), 0);
				started++;
			}
		}
		sleep_ms(2);
	}
	for (int i = 0; i < CHURN_THREADS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	after = class_stats(c.h.len);
	print_message("churn: %ld threads, %ld hints: %zu async, %zu sync, %zu completed, %zu failed\n",
		      started, atomic_load(&c.hints), after.prefetch_async - before.prefetch_async,
		      after.prefetch_sync - before.prefetch_sync,
		      after.prefetch_completed - before.prefetch_completed,
		      after.prefetch_failed - before.prefetch_failed);
	assert_int_equal(atomic_load(&c.errors), 0);
	assert_true(started > CHURN_THREADS);
	assert_int_equal(issued(after) - issued(before), atomic_load(&c.hints));
	assert_int_equal(finished(after), issued(after));
	assert_int_equal(count_fds(true), rings_before);
	assert_int_equal(count_fds(false), fds_before);
	free_or_fail(c.h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_enable),
		cmocka_unit_test(test_bounds_and_errors),
		cmocka_unit_test(test_config_validation),
		cmocka_unit_test(test_hints_complete),
		cmocka_unit_test(test_wait),
		cmocka_unit_test(test_workers_limit),
		cmocka_unit_test(test_large_range_split),
		cmocka_unit_test(test_ring_full_submits),
		cmocka_unit_test(test_failed_hint_counted),
		cmocka_unit_test(test_sync_mode),
		cmocka_unit_test(test_fallback_seccomp),
		cmocka_unit_test(test_workers_refused_message),
		cmocka_unit_test(test_fallback_sysctl),
		cmocka_unit_test(test_threads_churn_no_leak),
	};
	int rc = cmocka_run_group_tests(tests, NULL, NULL);

	/* Belt and braces: a failed assertion must not leave io_uring off. */
	if (saved_disabled == 0)
		write_sysctl(IO_URING_DISABLED, 0);
	return rc;
}
