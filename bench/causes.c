// SPDX-License-Identifier: MIT
/*
 * The four-cause mode (--causes): one row per kernel cause of a slow
 * operation, for checking a tracer's tail attribution.  In every row one
 * operation in ten (chosen by a hash of the thread's operation number, so
 * that any sampling stride sees one in ten) meets the row's cause; the other
 * nine read 1 KiB of a resident buffer and meet none.
 *
 *   minor_fault  the operation writes 16 fresh 4 KiB pages of an lgalloc
 *                region (MADV_DONTNEED beforehand, untimed): 16 minor faults,
 *                no mmap_lock (per-VMA locks)
 *   mmap_lock    the operation mmaps and munmaps one page, which takes
 *                mmap_lock for writing, while a storm thread on another CPU
 *                holds it for reading (MADV_POPULATE_WRITE of 4 MiB, then
 *                MADV_DONTNEED, in a loop; beforehand, untimed, the
 *                operation waits until the storm is inside a populate)
 *   swapin       the operation reads a page of an lgalloc region that was
 *                paged out beforehand (MADV_PAGEOUT, untimed): a swap-in
 *   off_cpu      the operation wakes a busy thread pinned to its own CPU and
 *                spins until that thread has burnt 300 us of CPU time: the
 *                scheduler must preempt the operation for the busy thread
 */
#include <errno.h>
#include <inttypes.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/parse.h"
#include "common/timeutil.h"
#include "lgalloc.h"
#include "lgbench.h"
#include "output.h"
#include "runner.h"
#include "util.h"

#ifndef MADV_PAGEOUT
#define MADV_PAGEOUT 21
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

enum cause { MINOR_FAULT, MMAP_LOCK, SWAPIN, OFF_CPU };

static const char *const cause_rows[] = {
	[MINOR_FAULT] = "minor_fault",
	[MMAP_LOCK] = "mmap_lock",
	[SWAPIN] = "swapin",
	[OFF_CPU] = "off_cpu",
};

#define SLOW_ONE_IN   10
#define FAST_BYTES    1024	  /* what a fast operation reads */
#define FRESH_PAGES   16	  /* minor_fault: pages faulted per slow operation */
#define STORM_BYTES   (4UL << 20) /* mmap_lock: what the storm populates */
#define BURN_NS	      300000	  /* off_cpu: CPU time the busy thread burns */
#define PAGEOUT_TRIES 100	  /* swapin: MADV_PAGEOUT attempts per slow operation */
#define STORM_IN_NS   10000	  /* mmap_lock: the storm has been populating at least */
#define STORM_IN_MAX  150000	  /* and at most this long (a populate: 300 us or more) */
#define STORM_WAIT_NS 100000000	  /* mmap_lock: longest wait for that, untimed */

static const struct thread_list default_threads = {{1}, 1};

struct cause_ctx {
	enum cause cause;
	unsigned tid;
	uint64_t n; /* operations so far, warm-up included */
	bool slow;  /* the next operation meets the cause */
	struct lgalloc_handle region;
	char *fast;		   /* FAST_BYTES, resident */
	char *fresh;		   /* minor_fault: FRESH_PAGES pages */
	char *paged;		   /* swapin: the page paged out before each slow operation */
	int cpu;		   /* the worker's CPU (off_cpu: its busy thread's too), not minor_fault */
	int storm_cpu;		   /* mmap_lock: the storm's, another one if there is */
	_Atomic uint64_t storm_in; /* mmap_lock: when the storm began its populate, 0 outside */
	_Atomic uint32_t go, done;
	_Atomic uint64_t missed; /* slow operations that may miss the cause (note) */
	_Atomic int helper_err;
};

/* Totals of the row that runs, for its note. */
static _Atomic uint64_t row_missed;
static _Atomic int row_helper_err;

/* splitmix64: whether operation @n is one of the one-in-ten. */
static bool slow_op(uint64_t n)
{
	uint64_t z = n + 0x9e3779b97f4a7c15ULL;

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return (z ^ (z >> 31)) % SLOW_ONE_IN == 0;
}

/* The tid-th CPU this process may run on (wrapping), or -errno. */
static int pick_cpu(unsigned tid)
{
	cpu_set_t set;
	unsigned k;

	if (sched_getaffinity(0, sizeof(set), &set))
		return -errno;
	k = tid % (unsigned)CPU_COUNT(&set);
	for (int i = 0; i < CPU_SETSIZE; i++)
		if (CPU_ISSET(i, &set) && k-- == 0)
			return i;
	return -EINVAL;
}

static int pin_to(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return -pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static inline void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

static bool resident(const char *page)
{
	unsigned char v = 0;

	return mincore((void *)page, PAGE_4K, &v) || (v & 1);
}

/* Page @c->paged out: MADV_PAGEOUT frees a clean page that is already in the
 * swap cache at once; a dirty one (the first time) is written first, and
 * freed by a later MADV_PAGEOUT once the write is done. */
static void page_out(struct cause_ctx *c)
{
	volatile char *p = c->paged;

	for (int i = 0; i < PAGEOUT_TRIES; i++) {
		madvise(c->paged, PAGE_4K, MADV_PAGEOUT);
		if (!resident(c->paged))
			return;
		(void)p[0]; /* mapped again (from the swap cache) for the next try */
		usleep(100);
	}
	atomic_fetch_add(&c->missed, 1);
}

/* mmap_lock: wait until the storm has been in one populate for STORM_IN_NS,
 * but not so long that it may have left the call and been preempted
 * on its way out (the lock is free then), so that the storm holds mmap_lock
 * when the operation asks for it. */
static void storm_wait(struct cause_ctx *c)
{
	uint64_t give_up = now_ns() + STORM_WAIT_NS, now;

	while ((now = now_ns()) < give_up) {
		uint64_t in = atomic_load_explicit(&c->storm_in, memory_order_acquire);

		if (in && now - in >= STORM_IN_NS && now - in <= STORM_IN_MAX)
			return;
		cpu_relax();
	}
	atomic_fetch_add(&c->missed, 1);
}

static int prepare(void *ctx)
{
	struct cause_ctx *c = ctx;

	c->slow = slow_op(c->n++);
	if (!c->slow)
		return 0;
	if (c->cause == MINOR_FAULT && madvise(c->fresh, FRESH_PAGES * PAGE_4K, MADV_DONTNEED))
		return -errno;
	if (c->cause == SWAPIN)
		page_out(c);
	if (c->cause == MMAP_LOCK)
		storm_wait(c);
	return 0;
}

static int futex(_Atomic uint32_t *addr, int op, uint32_t val, const struct timespec *ts)
{
	return (int)syscall(SYS_futex, addr, op, val, ts, NULL, 0);
}

static int slow(struct cause_ctx *c)
{
	volatile char *p;
	void *m;

	switch (c->cause) {
	case MINOR_FAULT:
		touch_pages(c->fresh, FRESH_PAGES * PAGE_4K);
		return 0;
	case MMAP_LOCK:
		m = mmap(NULL, PAGE_4K, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (m == MAP_FAILED)
			return -errno;
		return munmap(m, PAGE_4K) ? -errno : 0;
	case SWAPIN:
		p = c->paged;
		(void)p[0];
		return 0;
	case OFF_CPU: {
		uint32_t go = atomic_fetch_add(&c->go, 1) + 1;

		futex(&c->go, FUTEX_WAKE_PRIVATE, 1, NULL);
		while (atomic_load_explicit(&c->done, memory_order_acquire) != go) {
			if (atomic_load_explicit(&c->helper_err, memory_order_relaxed))
				return atomic_load(&c->helper_err);
			cpu_relax();
		}
		return 0;
	}
	}
	return -EINVAL;
}

static int op(void *ctx)
{
	struct cause_ctx *c = ctx;
	const volatile uint64_t *q = (const uint64_t *)c->fast;
	uint64_t sum = 0;

	if (c->slow)
		return slow(c);
	for (size_t i = 0; i < FAST_BYTES / sizeof(*q); i += 8)
		sum += q[i];
	return sum == 1 ? -EINVAL : 0; /* never: the buffer holds zeros and twos */
}

/*
 * mmap_lock: populate STORM_BYTES with MADV_POPULATE_WRITE and drop them
 * with MADV_DONTNEED, until told to stop.  The populate holds mmap_lock for
 * reading through its STORM_BYTES / 4 KiB faults (milliseconds); a writer
 * that finds the lock held by a reader spins some microseconds and then
 * sleeps (the rwsem's slow path: a contended acquisition).  A writer-held
 * lock would not do: a writer spins as long as the owning writer runs, and
 * never takes the slow path.  MADV_DONTNEED takes a per-VMA lock on recent
 * kernels, so the lock is free only between the two calls.
 */
static void storm(struct cause_ctx *c, const atomic_bool *stop)
{
	char *m = mmap(NULL, STORM_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int err = pin_to(c->storm_cpu);

	if (m == MAP_FAILED || err) {
		atomic_store(&c->helper_err, err ? err : -errno);
		if (m != MAP_FAILED)
			munmap(m, STORM_BYTES);
		return;
	}
	madvise(m, STORM_BYTES, MADV_NOHUGEPAGE);
	while (!atomic_load_explicit(stop, memory_order_relaxed)) {
		int r;

		atomic_store_explicit(&c->storm_in, now_ns(), memory_order_release);
		r = madvise(m, STORM_BYTES, MADV_POPULATE_WRITE);
		atomic_store_explicit(&c->storm_in, 0, memory_order_release);
		if (r || madvise(m, STORM_BYTES, MADV_DONTNEED)) {
			atomic_store(&c->helper_err, -errno);
			break;
		}
	}
	munmap(m, STORM_BYTES);
}

static uint64_t thread_cpu_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* off_cpu: on the worker's CPU, burn BURN_NS of CPU time per wake-up. */
static void busy(struct cause_ctx *c, const atomic_bool *stop)
{
	const struct timespec tick = {0, 10000000};
	uint32_t seen = 0;
	int err = pin_to(c->cpu);

	if (err) {
		atomic_store(&c->helper_err, err);
		return;
	}
	while (!atomic_load_explicit(stop, memory_order_relaxed)) {
		uint32_t go = atomic_load_explicit(&c->go, memory_order_acquire);

		if (go == seen) {
			futex(&c->go, FUTEX_WAIT_PRIVATE, seen, &tick);
			continue;
		}
		for (uint64_t end = thread_cpu_ns() + BURN_NS; thread_cpu_ns() < end;)
			cpu_relax();
		seen = go;
		atomic_store_explicit(&c->done, go, memory_order_release);
	}
}

static void helper(void *ctx, const atomic_bool *stop)
{
	struct cause_ctx *c = ctx;

	if (c->cause == MMAP_LOCK)
		storm(c, stop);
	else if (c->cause == OFF_CPU)
		busy(c, stop);
}

static void teardown(void *ctx)
{
	struct cause_ctx *c = ctx;

	atomic_fetch_add(&row_missed, atomic_load(&c->missed));
	if (atomic_load(&c->helper_err)) {
		int expected = 0;

		atomic_compare_exchange_strong(&row_helper_err, &expected, atomic_load(&c->helper_err));
	}
	if (c->region.ptr) {
		/* Back to what lgalloc set on its areas before the pool takes it. */
		madvise(c->region.ptr, c->region.len, MADV_HUGEPAGE);
		lgalloc_deallocate(c->region);
	}
	free(c);
}

/*
 * Per thread: one lgalloc 2 MiB region in 4 KiB pages (MADV_NOHUGEPAGE):
 * the fast operations' buffer in its first page, the fresh pages of
 * minor_fault and the page swapin pages out after it; the page is written
 * and paged out once here, so that the first slow operation finds it clean
 * in the swap cache.  off_cpu, mmap_lock and swapin pin the worker to a
 * CPU, the busy thread to the same, the storm to the next one (the same if
 * only one).  swapin must stay on one CPU: a swapped-in page waits in that
 * CPU's LRU batch, and MADV_PAGEOUT drains only its own CPU's batch (a page
 * not on the LRU is not paged out).
 */
static void *setup(void *arg, unsigned tid, unsigned threads, int *err)
{
	struct cause_ctx *c = calloc(1, sizeof(*c));

	(void)threads;
	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	c->cause = (enum cause)(intptr_t)arg;
	c->tid = tid;
	*err = lgalloc_allocate(REGION_2M, &c->region);
	if (*err) {
		c->region.ptr = NULL;
		goto fail;
	}
	if (madvise(c->region.ptr, c->region.len, MADV_NOHUGEPAGE)) {
		*err = -errno;
		goto fail;
	}
	c->fast = c->region.ptr;
	c->fresh = c->fast + PAGE_4K;
	c->paged = c->fresh + FRESH_PAGES * PAGE_4K;
	/* Pinned before the pages are first touched: a new page waits in the
	 * LRU add batch of the CPU it was faulted on until that CPU drains
	 * it, and swapin's MADV_PAGEOUT drains only its own CPU's batch.  A
	 * page faulted on another CPU (the one the thread ran on before it
	 * was pinned) could stay off the LRU, where MADV_PAGEOUT cannot take
	 * it, for the whole row. */
	if (c->cause != MINOR_FAULT) {
		c->cpu = pick_cpu(tid);
		c->storm_cpu = pick_cpu(tid + 1);
		*err = c->cpu < 0 ? c->cpu : c->storm_cpu < 0 ? c->storm_cpu : pin_to(c->cpu);
		if (*err)
			goto fail;
	}
	memset(c->fast, 2, FAST_BYTES);
	memset(c->paged, 3, PAGE_4K);
	if (c->cause == SWAPIN) {
		if (madvise(c->paged, PAGE_4K, MADV_PAGEOUT)) {
			*err = -errno;
			goto fail;
		}
		page_out(c);
		atomic_store(&c->missed, 0);
	}
	return c;
fail:
	teardown(c);
	return NULL;
}

bool causes_has_row(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(cause_rows); i++)
		if (!strcmp(name, cause_rows[i]))
			return true;
	return false;
}

void causes_list_rows(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(cause_rows); i++)
		printf("%s\n", cause_rows[i]);
}

/* Why @cause cannot run here, or NULL. */
static const char *unavailable(enum cause cause, const struct run_env *env)
{
	if (cause == SWAPIN && !strcmp(env->swap, "none"))
		return "no swap is active (/proc/swaps): run under lgrun --make-swap SIZE";
	return NULL;
}

int causes_run(const struct bench_opts *o)
{
	const struct thread_list *tl = threads_or(o, &default_threads);
	int failed = 0;

	for (size_t t = 0; t < tl->len; t++) {
		output_section("causes, %u thread%s: one operation in %d meets the row's cause", tl->n[t],
			       tl->n[t] > 1 ? "s" : "", SLOW_ONE_IN);
		for (size_t i = 0; i < ARRAY_SIZE(cause_rows); i++) {
			const char *why = unavailable((enum cause)i, o->env);
			struct run_spec spec = {
				.threads = tl->n[t],
				.warmup_ms = o->env->warmup_ms,
				.measure_ms = o->env->measure_ms,
				.setup = setup,
				.prepare = prepare,
				.op = op,
				.teardown = teardown,
				.helper = i == MMAP_LOCK || i == OFF_CPU ? helper : NULL,
				.arg = (void *)(intptr_t)i,
			};
			uint64_t missed;
			int herr;

			if (o->rows && !list_has(o->rows, ',', cause_rows[i]))
				continue;
			if (why) {
				struct record rec = {.mode = "causes",
						     .row = cause_rows[i],
						     .threads = tl->n[t],
						     .status = "skipped",
						     .note = why};

				output_record(&rec);
				continue;
			}
			atomic_store(&row_missed, 0);
			atomic_store(&row_helper_err, 0);
			failed |= !!run_and_report("causes", cause_rows[i], &spec, tl->n[t] == 1);
			missed = atomic_load(&row_missed);
			herr = atomic_load(&row_helper_err);
			if (missed && i == SWAPIN)
				output_note("causes: swapin: %" PRIu64
					    " slow operations found their page still resident (MADV_PAGEOUT "
					    "did not free it in %d tries)",
					    missed, PAGEOUT_TRIES);
			if (missed && i == MMAP_LOCK)
				output_note("causes: mmap_lock: %" PRIu64
					    " slow operations did not find the storm populating within %d ms",
					    missed, STORM_WAIT_NS / 1000000);
			if (herr) {
				output_note("causes: %s: the helper thread failed: %s", cause_rows[i],
					    strerror(-herr));
				failed = 1;
			}
		}
	}
	return failed;
}
