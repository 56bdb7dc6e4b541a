// SPDX-License-Identifier: MIT
/*
 * The background worker ("lgalloc-0"): every interval it moves up to
 * clear_bytes of regions per class from the dirty pool to the clean pool,
 * advising each MADV_FREE so the kernel may reclaim it lazily.  A region
 * the kernel refuses to advise (EINVAL on mlock()ed pages) is counted in
 * advise_failed and moved all the same, so that it is not tried again
 * every tick ahead of the regions that can be cleared.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>

#include "background.h"
#include "classes.h"
#include "init.h"
#include "os.h"
#include "size_class.h"

static struct {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool running;	   /* a worker thread exists */
	bool reconfigured; /* wake-up reason other than the timer */
	long interval_ms;  /* 0: no worker */
	long clear_bytes;
} bg = {.lock = PTHREAD_MUTEX_INITIALIZER};

static void bg_init(void)
{
	pthread_condattr_t attr;

	/* The monotonic clock: a wall-clock step must not stall the worker. */
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&bg.wake, &attr);
	pthread_condattr_destroy(&attr);
}

static void clear_class(unsigned ci, long clear_bytes)
{
	struct lg_class *cls = &lg_classes[ci];
	size_t size = lg_class_bytes(ci);
	size_t budget = ((size_t)clear_bytes + size - 1) / size;
	static _Atomic int advice = MADV_FREE;

	for (size_t i = 0; i < budget; i++) {
		uint32_t idx = lg_pool_pop(&cls->dirty);
		if (!idx)
			break;
		char *base = lg_region_get(idx)->base;
		int adv = atomic_load_explicit(&advice, lg_relaxed);
		int err = lg_os_advise(base, size, adv);

		/* MADV_FREE needs Linux 4.5: when it is refused where
		 * MADV_DONTNEED works, the kernel lacks it, and later regions
		 * get MADV_DONTNEED.  (Locked pages refuse both.) */
		if (err == -EINVAL && adv == MADV_FREE) {
			err = lg_os_advise(base, size, MADV_DONTNEED);
			if (!err)
				atomic_store_explicit(&advice, MADV_DONTNEED, lg_relaxed);
		}
		lg_pool_push(&cls->clean, idx);
		lg_shared_inc(err ? &cls->advise_failed : &cls->clear_slow_total, 1);
	}
}

static void add_ms(struct timespec *ts, long ms)
{
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

static void *worker(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&bg.lock);
	while (bg.interval_ms > 0) {
		struct timespec deadline;
		int rc = 0;

		clock_gettime(CLOCK_MONOTONIC, &deadline);
		add_ms(&deadline, bg.interval_ms);
		while (!bg.reconfigured && rc != ETIMEDOUT)
			rc = pthread_cond_timedwait(&bg.wake, &bg.lock, &deadline);
		if (bg.reconfigured) {
			/* New settings: start a fresh interval with them. */
			bg.reconfigured = false;
			continue;
		}
		long clear_bytes = bg.clear_bytes;
		pthread_mutex_unlock(&bg.lock);
		for (unsigned ci = 0; ci < LGALLOC_NUM_CLASSES && clear_bytes > 0; ci++)
			clear_class(ci, clear_bytes);
		pthread_mutex_lock(&bg.lock);
	}
	pthread_mutex_unlock(&bg.lock);
	return NULL;
}

/* Start the worker with every signal blocked: a process's handlers (Ctrl-C
 * in a benchmark, say) must run on its own threads, not on ours. */
static int start_worker(void)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	err = pthread_create(&bg.thread, NULL, worker, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return -err;
	pthread_setname_np(bg.thread, "lgalloc-0");
	bg.running = true;
	return 0;
}

/* The child has no worker thread: it starts with none, whatever the parent
 * runs, and a later configuration starts one afresh.  The condition
 * variable may have had the parent's worker as a waiter: make a new one. */
static void fork_child(void)
{
	bg.running = false;
	bg.interval_ms = 0;
	bg.reconfigured = false;
	bg_init();
}

static const struct lg_subsystem background_subsystem = {
	.rank = LG_RANK_BACKGROUND,
	.init = bg_init,
	.lock = &bg.lock,
	.child = fork_child,
};
LG_SUBSYSTEM(background_subsystem);

/* lg_init() has run bg_init(): lgalloc_configure() calls it first. */
int lg_background_configure(long interval_ms, long clear_bytes)
{
	bool join = false;
	int err = 0;

	pthread_mutex_lock(&bg.lock);
	long interval = interval_ms == -1 ? bg.interval_ms : interval_ms;
	if (interval > 0 && !bg.running) {
		bg.interval_ms = interval; /* the worker reads it at once */
		err = start_worker();
		if (err) {
			bg.interval_ms = 0;
			pthread_mutex_unlock(&bg.lock);
			return err;
		}
	}
	bg.interval_ms = interval;
	if (clear_bytes != -1)
		bg.clear_bytes = clear_bytes;
	bg.reconfigured = true;
	pthread_cond_signal(&bg.wake);
	if (interval == 0 && bg.running) {
		bg.running = false;
		join = true;
	}
	pthread_mutex_unlock(&bg.lock);
	if (join)
		pthread_join(bg.thread, NULL);
	return 0;
}
