// SPDX-License-Identifier: MIT
/*
 * Workloads for tests/tools/lgtrace_test.sh, each ending with one line
 * "minflt=N majflt=N pages2m=N pages8m=N ops=N async=N completed=N
 * hintmaj=N plainmaj=N hint_us=N gup=N" (getrusage of the whole process, then
 * what the workload did).
 *
 *   lgtrace_work [--gate] attrib REGIONS_2M REGIONS_8M  touch every page
 *   lgtrace_work [--gate] forks N REGIONS_2M REGIONS_8M N children each touch
 *                                                       the 2 MiB regions mapped
 *                                                       before the fork, then
 *                                                       their own 8 MiB ones
 *   lgtrace_work [--gate] swap MIB                      write MIB in 8 MiB
 *                                                       regions, read it back
 *   lgtrace_work storm THREADS MS                       mmap/munmap storm
 *   lgtrace_work [--gate] loop MS                       alloc/free, no touch
 *   lgtrace_work [--gate] hint REGION_MIB MIB N WRITE [sync|late]
 *                                                       prefetch hints, see hint()
 *   lgtrace_work lockmix READS WRITES                   mmap_lock in a 2 MiB
 *                                                       region, see lockmix()
 *   lgtrace_work [--gate] gup REGIONS_2M REGIONS_8M     process_vm_readv/writev
 *                                                       faults, see gup()
 *
 * --gate: map the areas first (allocate, or warm up), print "ready PID",
 * wait for SIGUSR1, then do the work: for attaching lgtrace -p in between.
 * Transparent huge pages are off for the process, so a touched page is
 * one fault.
 */
#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lgalloc.h"

#define PAGE 4096UL
#define MIB  (1UL << 20)

static unsigned long pages2m, pages8m, ops;
/* hint: hints queued async, completed; major faults touching the hinted
 * pages and as many unhinted ones */
static unsigned long async_hints, completed_hints, hint_majflt, plain_majflt, hint_us;
/* gup: the faults getrusage counted during the get_user_pages() part */
static unsigned long gup_flt;
static volatile int storm_stop;

static void die(const char *what, int err)
{
	fprintf(stderr, "lgtrace_work: %s: %s\n", what, lgalloc_strerror(err));
	exit(1);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void gate(int on)
{
	sigset_t set;
	int sig;

	if (!on)
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	printf("ready %d\n", getpid());
	fflush(stdout);
	sigwait(&set, &sig);
}

static struct lgalloc_handle *alloc_regions(size_t n, size_t bytes)
{
	struct lgalloc_handle *h = calloc(n ? n : 1, sizeof(*h));
	int err;

	if (!h)
		die("calloc", -12);
	for (size_t i = 0; i < n; i++)
		if ((err = lgalloc_allocate(bytes, &h[i])))
			die("lgalloc_allocate", err);
	return h;
}

static unsigned long touch(struct lgalloc_handle *h, size_t n)
{
	unsigned long pages = 0;

	for (size_t i = 0; i < n; i++)
		for (size_t off = 0; off < h[i].len; off += PAGE, pages++)
			((volatile char *)h[i].ptr)[off] = 1;
	return pages;
}

static void attrib(int gated, size_t n2, size_t n8)
{
	struct lgalloc_handle *a = alloc_regions(n2, 2 * MIB), *b = alloc_regions(n8, 8 * MIB);

	gate(gated);
	pages2m = touch(a, n2);
	pages8m = touch(b, n8);
}

/* Children that fault in areas their parent mapped (inherited) and in
 * their own; the counts are the children's, summed. */
static void forks(int gated, int n, size_t n2, size_t n8)
{
	struct lgalloc_handle *a = alloc_regions(n2, 2 * MIB);
	int status;

	gate(gated);
	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			die("fork", -errno);
		if (pid == 0) {
			touch(a, n2);
			touch(alloc_regions(n8, 8 * MIB), n8);
			_exit(0);
		}
		if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status))
			die("child", -ECHILD);
	}
	pages2m = (unsigned long)n * n2 * (2 * MIB / PAGE);
	pages8m = (unsigned long)n * n8 * (8 * MIB / PAGE);
}

static void swap(int gated, size_t mib)
{
	size_t n = mib / 8;
	struct lgalloc_handle *h = alloc_regions(n, 8 * MIB);
	unsigned long sum = 0;

	gate(gated);
	pages8m = touch(h, n);
	for (size_t i = 0; i < n; i++)
		for (size_t off = 0; off < h[i].len; off += PAGE)
			sum += ((volatile char *)h[i].ptr)[off];
	ops = sum;
}

/*
 * mmap_lock taken a known number of times in a 2 MiB region's pool, on
 * every kernel: READS mincore(2) calls (mmap_read_lock, no per-VMA lock in
 * 6.1 or 6.18) and WRITES mprotect(2) calls to the protection the pages
 * already have (mmap_write_lock, no VMA split).  No page is touched, so no
 * fault takes the lock for read on a kernel without per-VMA locks.
 */
static void lockmix(unsigned long reads, unsigned long writes)
{
	struct lgalloc_handle *h = alloc_regions(1, 2 * MIB);
	unsigned char vec[16];

	for (unsigned long i = 0; i < reads; i++)
		if (mincore(h->ptr, sizeof(vec) * PAGE, vec))
			die("mincore", -errno);
	for (unsigned long i = 0; i < writes; i++)
		if (mprotect(h->ptr, PAGE, PROT_READ | PROT_WRITE))
			die("mprotect", -errno);
	ops = reads + writes;
}

static long minflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_minflt;
}

/* process_vm_readv/writev on this process: @n iovecs of @len bytes from
 * @local (each the same page when @local_step is 0) and one range of
 * @n * @len bytes at @remote; dies unless all were copied. */
static void vm_copy(int write, char *local, size_t local_step, char *remote, size_t n, size_t len)
{
	static struct iovec l[256]; /* not on the stack: no fault of its own */
	struct iovec r = {remote, n * len};
	ssize_t got;

	if (n > 256)
		die("vm_copy: too many iovecs", -22);
	for (size_t i = 0; i < n; i++)
		l[i] = (struct iovec){local + i * local_step, len};
	got = write ? process_vm_writev(getpid(), l, n, &r, 1, 0)
		    : process_vm_readv(getpid(), l, n, &r, 1, 0);
	if (got != (ssize_t)(n * len))
		die(write ? "process_vm_writev" : "process_vm_readv", got < 0 ? -errno : -5);
}

/*
 * Faults done by get_user_pages(), which the kernel counts in min_flt but
 * takes with no registers: process_vm_readv() out of the first half of
 * each fresh 2 MiB region and process_vm_writev() into the second half,
 * on this process, through a page that is already mapped (the kernel pins
 * each remote page, faulting it in: one fault a page, pages2m in all, and
 * gup= what getrusage counted meanwhile).  Then process_vm_readv() into
 * each fresh 8 MiB region from that page: copy_to_user() faults, with
 * registers, one a page (pages8m).
 */
static void gup(int gated, size_t n2, size_t n8)
{
	struct lgalloc_handle *a = alloc_regions(n2, 2 * MIB), *b = alloc_regions(n8, 8 * MIB);
	static char page[PAGE] __attribute__((aligned(PAGE)));
	long f0;

	page[0] = 1;
	vm_copy(0, page, 0, page, 1, PAGE); /* warm-up: its code, data and symbols mapped */
	gate(gated);
	f0 = minflt();
	for (size_t i = 0; i < n2; i++) {
		vm_copy(0, page, 0, a[i].ptr, MIB / PAGE, PAGE);
		vm_copy(1, page, 0, (char *)a[i].ptr + MIB, MIB / PAGE, PAGE);
	}
	gup_flt = (unsigned long)(minflt() - f0);
	pages2m = n2 * (2 * MIB / PAGE);
	for (size_t i = 0; i < n8; i++)
		for (size_t off = 0; off < 8 * MIB; off += MIB)
			vm_copy(0, (char *)b[i].ptr + off, PAGE, page, MIB / PAGE, PAGE);
	pages8m = n8 * (8 * MIB / PAGE);
}

static long majflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_majflt;
}

/* Page @k of a pattern that steps HINT_STRIDE pages through the regions
 * of @h, @shift pages in: its region's index, and its offset in @off. */
#define HINT_STRIDE 16
static size_t pattern_page(const struct lgalloc_handle *h, size_t k, size_t shift, size_t *off)
{
	size_t per = h[0].len / PAGE / HINT_STRIDE;

	*off = (k % per * HINT_STRIDE + shift) * PAGE;
	return k / per;
}

/* Write the first @pages pages of the pattern; the major faults taken. */
static long touch_pattern(struct lgalloc_handle *h, size_t pages, size_t shift)
{
	long f0 = majflt();
	size_t off;

	for (size_t k = 0; k < pages; k++) {
		size_t i = pattern_page(h, k, shift, &off);
		((volatile char *)h[i].ptr)[off] = (char)k;
	}
	return majflt() - f0;
}

enum hint_how { HINT_ASYNC, HINT_SYNC, HINT_LATE };

/* lgalloc_prefetch_async() on the pattern's first @n_hints pages, submitted
 * in batches of 64; returns once the thread has reaped every completion. */
static void async_hints_wait(struct lgalloc_handle *h, size_t n_hints, size_t ci)
{
	struct timespec poll = {0, 1000000L};
	struct lgalloc_class_stats *cs;
	struct lgalloc_stats st;
	double deadline;
	size_t off;
	int err;

	for (size_t k = 0; k < n_hints; k++) {
		size_t i = pattern_page(h, k, 0, &off);

		if ((err = lgalloc_prefetch_async(h[i], off, PAGE)))
			die("lgalloc_prefetch_async", err);
		if (k % 64 == 63 && (err = lgalloc_prefetch_submit()))
			die("lgalloc_prefetch_submit", err);
	}
	/* Completions are counted as the thread reaps them, in a submit. */
	deadline = now_ms() + 5000;
	for (;;) {
		if ((err = lgalloc_prefetch_submit()))
			die("lgalloc_prefetch_submit", err);
		lgalloc_stats(&st);
		cs = &st.classes[ci];
		if (cs->prefetch_completed + cs->prefetch_failed >= n_hints || now_ms() > deadline)
			break;
		nanosleep(&poll, NULL);
	}
	async_hints = cs->prefetch_async;
	completed_hints = cs->prefetch_completed;
}

/* The same hints on a ring of the workload's own, each madvise hard-linked
 * behind a 500 ms timeout, and the pages touched at once: every hint is
 * submitted before the touch but runs after it, too late. */
static void late_hints(struct lgalloc_handle *h, size_t n_hints)
{
	struct __kernel_timespec delay = {0, 500 * 1000000L};
	struct io_uring_cqe *cqe;
	struct io_uring ring;
	size_t off;
	int err;

	if ((err = io_uring_queue_init((unsigned)(2 * n_hints), &ring, 0)))
		die("io_uring_queue_init", err);
	for (size_t k = 0; k < n_hints; k++) {
		size_t i = pattern_page(h, k, 0, &off);
		struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);

		io_uring_prep_timeout(sqe, &delay, 0, 0);
		sqe->flags |= IOSQE_IO_HARDLINK;
		sqe = io_uring_get_sqe(&ring);
		io_uring_prep_madvise(sqe, (char *)h[i].ptr + off, PAGE, MADV_WILLNEED);
		io_uring_sqe_set_data64(sqe, 1);
	}
	if ((err = io_uring_submit(&ring)) < 0)
		die("io_uring_submit", err);
	hint_majflt = (unsigned long)touch_pattern(h, n_hints, 0);
	for (size_t k = 0; k < 2 * n_hints; k++) {
		if ((err = io_uring_wait_cqe(&ring, &cqe)))
			die("io_uring_wait_cqe", err);
		if (io_uring_cqe_get_data64(cqe) && cqe->res >= 0)
			completed_hints++;
		io_uring_cqe_seen(&ring, cqe);
	}
	async_hints = n_hints;
	io_uring_queue_exit(&ring);
}

/*
 * MIB of REGION_MIB regions; with WRITE, written first (under a memory
 * limit the early ones are swapped out by the end).  Then one hint of one
 * page for each of N pages, every 16th page of the first half of the
 * regions; after the completions and 100 ms (the reads are then done) the
 * N hinted pages are touched, then N unhinted ones, 8 pages further on (as
 * old, in another swap cluster).  Page-cluster readahead reads 8 pages: one
 * page in 16 keeps the unhinted touches major.  The hints: @how HINT_ASYNC,
 * lgalloc_prefetch_async(); HINT_SYNC, the same in prefetch mode sync
 * (madvise(2)); HINT_LATE, see late_hints().
 */
static void hint(int gated, size_t region_mib, size_t mib, size_t n_hints, int write, enum hint_how how)
{
	size_t n = mib / region_mib, ci = 0, off;
	struct lgalloc_handle *h = alloc_regions(n, region_mib * MIB);
	struct timespec pause = {0, 100 * 1000000L};
	double t0;

	while ((2UL << (20 + ci)) < region_mib * MIB)
		ci++;
	if (!n_hints || !n || pattern_page(h, n_hints - 1, 0, &off) >= n / 2) {
		fprintf(stderr, "lgtrace_work: %zu hints do not fit in half of %zu MiB\n", n_hints, mib);
		exit(2);
	}
	if (write)
		touch(h, n);
	gate(gated);
	t0 = now_ms();
	if (how == HINT_LATE) {
		late_hints(h, n_hints);
	} else {
		async_hints_wait(h, n_hints, ci);
		hint_us = (unsigned long)((now_ms() - t0) * 1e3);
		nanosleep(&pause, NULL);
		hint_majflt = (unsigned long)touch_pattern(h, n_hints, 0);
	}
	plain_majflt = (unsigned long)touch_pattern(h, n_hints, HINT_STRIDE / 2);
	ops = n_hints;
}

static void *storm_thread(void *arg)
{
	(void)arg;
	while (!storm_stop) {
		char *p = mmap(NULL, 64 * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			continue;
		p[0] = 1;
		munmap(p, 64 * 1024);
		__atomic_fetch_add(&ops, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void storm(int threads, double ms)
{
	pthread_t t[64];

	if (threads > 64)
		threads = 64;
	for (int i = 0; i < threads; i++)
		pthread_create(&t[i], NULL, storm_thread, NULL);
	usleep((useconds_t)(ms * 1000));
	storm_stop = 1;
	for (int i = 0; i < threads; i++)
		pthread_join(t[i], NULL);
}

static void alloc_free(double ms)
{
	struct lgalloc_handle h[8];
	double end = now_ms() + ms;

	while (now_ms() < end) {
		for (int k = 0; k < 1000; k++) {
			for (int i = 0; i < 8; i++)
				if (lgalloc_allocate(2 * MIB, &h[i]))
					die("lgalloc_allocate", -12);
			for (int i = 0; i < 8; i++)
				lgalloc_deallocate(h[i]);
			ops += 8;
		}
	}
}

int main(int argc, char **argv)
{
	struct lgalloc_config c;
	struct rusage ru;
	sigset_t set;
	int gated = 0, err;

	if (argc > 1 && !strcmp(argv[1], "--gate")) {
		gated = 1;
		argv++;
		argc--;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: lgtrace_work [--gate] attrib|forks|swap|storm|loop|hint|lockmix|gup "
				"ARGS (see "
				"the source)\n");
		return 2;
	}
	/* SIGUSR1 stays pending until the gate takes it. */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	lgalloc_config_init(&c);
	c.enabled = 1;
	/* Room in the ring for every hint of "hint" in flight at once: none
	 * falls back to a synchronous madvise. */
	c.prefetch_ring_depth = 2048;
	if ((err = lgalloc_configure(&c)))
		die("lgalloc_configure", err);

	if (!strcmp(argv[1], "attrib") && argc == 4) {
		attrib(gated, strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
	} else if (!strcmp(argv[1], "forks") && argc == 5) {
		forks(gated, atoi(argv[2]), strtoul(argv[3], NULL, 0), strtoul(argv[4], NULL, 0));
	} else if (!strcmp(argv[1], "swap")) {
		swap(gated, strtoul(argv[2], NULL, 0));
	} else if (!strcmp(argv[1], "storm") && argc == 4) {
		storm(atoi(argv[2]), atof(argv[3]));
	} else if (!strcmp(argv[1], "hint") && (argc == 6 || argc == 7)) {
		enum hint_how how = HINT_ASYNC;

		if (argc == 7 && !strcmp(argv[6], "sync")) {
			how = HINT_SYNC;
		} else if (argc == 7 && !strcmp(argv[6], "late")) {
			how = HINT_LATE;
		} else if (argc == 7) {
			fprintf(stderr, "lgtrace_work: hint: '%s' is not sync or late\n", argv[6]);
			return 2;
		}
		if (how == HINT_SYNC) {
			lgalloc_config_init(&c);
			c.prefetch_mode = LGALLOC_PREFETCH_SYNC;
			if ((err = lgalloc_configure(&c)))
				die("lgalloc_configure", err);
		}
		hint(gated, strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0), strtoul(argv[4], NULL, 0),
		     atoi(argv[5]), how);
	} else if (!strcmp(argv[1], "lockmix") && argc == 4) {
		lockmix(strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
	} else if (!strcmp(argv[1], "gup") && argc == 4) {
		gup(gated, strtoul(argv[2], NULL, 0), strtoul(argv[3], NULL, 0));
	} else if (!strcmp(argv[1], "loop")) {
		alloc_free(50); /* warm-up: areas mapped, caches filled */
		gate(gated);
		alloc_free(atof(argv[2]));
	} else {
		fprintf(stderr, "lgtrace_work: bad arguments\n");
		return 2;
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("minflt=%ld majflt=%ld pages2m=%lu pages8m=%lu ops=%lu async=%lu completed=%lu hintmaj=%lu "
	       "plainmaj=%lu hint_us=%lu gup=%lu\n",
	       ru.ru_minflt, ru.ru_majflt, pages2m, pages8m, ops, async_hints, completed_hints, hint_majflt,
	       plain_majflt, hint_us, gup_flt);
	return 0;
}
