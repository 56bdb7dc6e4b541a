// SPDX-License-Identifier: MIT
/*
 * Prefetch hints: lgalloc_prefetch() advises MADV_WILLNEED at once;
 * lgalloc_prefetch_async(), lgalloc_prefetch_submit() and
 * lgalloc_prefetch_wait() queue the same hint on a per-thread io_uring.
 *
 * Each thread that hints gets its own ring, so queueing takes no lock and
 * only the owner touches the ring and writes its counters.  Every request
 * handed to the ring needs a completion slot: requests queued plus requests
 * in flight never exceed the CQ size, so the kernel never has to park
 * completions in its overflow list (which would grow without bound).  The
 * completion slots are a table with one entry per CQ entry: hint number s
 * holds slot s % cq_entries, with its class and range, until its completion
 * is reaped.  When the next hint's slot is still taken the hint is issued
 * synchronously instead: the caller pays for it, which is the
 * back-pressure.  lgalloc_prefetch_wait() looks for ranges in the table.
 */
#include <errno.h>
#include <liburing.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#include "checked.h"
#include "init.h"
#include "os.h"
#include "prefetch.h"
#include "tcache.h"

/* liburing 2.3's io_uring_prep_madvise() truncates the length to 32 bits. */
#define PF_CHUNK       (1UL << 31)
/* After a ring creation failure that may pass (ENOMEM, EMFILE), the thread
 * issues this many hints synchronously before it tries again. */
#define PF_RETRY_HINTS 4096
/* What a ring creation failure names: liburing's io_uring_queue_init() is
 * the io_uring_setup system call and the mmap of its rings. */
#define PF_SETUP_CALL  "io_uring_queue_init (io_uring_setup, mmap)"

static _Atomic int pf_mode = LGALLOC_PREFETCH_AUTO;
static _Atomic long pf_depth = LG_PREFETCH_DEFAULT_DEPTH;
static _Atomic long pf_workers; /* 0: io-wq's own limit */
/* io_uring cannot work in this process (ENOSYS, EPERM, no IORING_OP_MADVISE):
 * no thread tries again until lgalloc_configure() sets a mode. */
static _Atomic bool pf_unavailable;
static _Atomic bool pf_probed; /* IORING_OP_MADVISE found supported */
static _Atomic bool pf_reported;

/* A hint from its queueing until its completion is reaped: the pages it
 * covers and their class; end == 0 when the slot is free. */
struct pf_hint {
	uintptr_t start, end;
	unsigned ci;
};

struct pf_ring {
	struct io_uring ring;
	unsigned cq_entries;	     /* a power of two */
	uint64_t next_seq;	     /* number of the next hint (its user_data) */
	uint64_t oldest;	     /* no older hint is queued or in flight */
	struct pf_ring *next, *prev; /* all rings, under rings_lock */
	struct pf_hint hints[];	     /* cq_entries slots */
};

struct pf_thread {
	struct pf_ring *ring;
	unsigned retry_in; /* hints until the next creation attempt */
};

static __thread struct pf_thread pf_tls __attribute__((tls_model("initial-exec")));

/* Every open ring, so that a forked child can close the copies it inherits. */
static pthread_mutex_t rings_lock = PTHREAD_MUTEX_INITIALIZER;
static struct pf_ring *rings;

/*
 * Check a prefetch request to @call as lgalloc_prefetch() documents it.
 * Returns 1 with the page-aligned range to advise in *addr, *alen and the
 * region's class in *ci; 0 for an empty range (nothing to do); or -EINVAL,
 * -ERANGE, or in checked mode -LGALLOC_ERR_FREED.
 */
static int prefetch_range(const char *call, struct lgalloc_handle h, size_t offset, size_t len, unsigned *ci,
			  char **addr, size_t *alen)
{
	if (h.ptr || h.len) {
		uint32_t idx = lg_handle_region(h, ci);
		int err = idx ? lg_checked_use(call, idx, h) : lg_checked_rejected(call, h);

		if (err)
			return err;
	}
	if (offset > h.len || len > h.len - offset)
		return -ERANGE;
	if (len == 0)
		return 0;

	uintptr_t start = (uintptr_t)h.ptr + offset;
	uintptr_t page = start & ~(LG_PAGE_SIZE - 1);
	*addr = (char *)page;
	*alen = start + len - page;
	return 1;
}

void lg_prefetch_configure(int mode, long depth, long workers)
{
	if (mode != -1) {
		atomic_store_explicit(&pf_mode, mode, lg_relaxed);
		atomic_store_explicit(&pf_unavailable, false, lg_relaxed);
	}
	if (depth != -1)
		atomic_store_explicit(&pf_depth, depth, lg_relaxed);
	if (workers != -1)
		atomic_store_explicit(&pf_workers, workers, lg_relaxed);
}

/* One line on stderr, for the process's first fallback: @what failed (a
 * call, or a missing feature), the kernel's reason for @err (0: none),
 * @note (the likely cause, or NULL) and what happens now. */
static void report_fallback(const char *what, int err, const char *note, bool retried)
{
	if (atomic_exchange_explicit(&pf_reported, true, lg_relaxed))
		return;
	fprintf(stderr,
		"lgalloc: io_uring unavailable: %s%s%s%s%s%s; prefetch hints use synchronous madvise%s\n",
		what, err ? " failed: " : "", err ? lg_errno_text(err) : "", note ? " (" : "",
		note ? note : "", note ? ")" : "", retried ? ", ring creation retried later" : "");
}

/* Why io_uring_setup() said EPERM: the sysctl when it is set, else seccomp
 * or a security module. */
static void report_eperm(int err)
{
	char why[64] = "seccomp or LSM?";
	FILE *f = fopen("/proc/sys/kernel/io_uring_disabled", "re");
	int v;

	if (f) {
		if (fscanf(f, "%d", &v) == 1 && v != 0)
			snprintf(why, sizeof(why), "kernel.io_uring_disabled=%d", v);
		fclose(f);
	}
	report_fallback(PF_SETUP_CALL, err, why, false);
}

enum pf_counter { PF_SYNC, PF_ASYNC, PF_COMPLETED, PF_FAILED };

/* A thread with a cache counts in its own counters; one without shares the
 * class totals. */
static void count(struct lg_tcache *tc, unsigned ci, enum pf_counter which, size_t n)
{
	struct lg_prefetch_counters *pc = tc ? &tc->pf[ci] : &lg_prefetch_folded[ci];
	_Atomic size_t *c[] = {&pc->sync, &pc->async, &pc->completed, &pc->failed};

	if (tc)
		lg_owner_inc(c[which], n);
	else
		lg_shared_inc(c[which], n);
}

static void hint_sync(struct lg_tcache *tc, unsigned ci, char *addr, size_t len)
{
	count(tc, ci, PF_SYNC, 1);
	count(tc, ci, lg_os_advise(addr, len, MADV_WILLNEED) ? PF_FAILED : PF_COMPLETED, 1);
}

static inline struct pf_hint *hint_slot(struct pf_ring *r, uint64_t seq)
{
	return &r->hints[seq & (r->cq_entries - 1)];
}

static void reap(struct pf_ring *r, struct lg_tcache *tc)
{
	struct io_uring_cqe *cqe;
	unsigned head, n = 0;

	io_uring_for_each_cqe(&r->ring, head, cqe)
	{
		struct pf_hint *h = hint_slot(r, io_uring_cqe_get_data64(cqe));

		count(tc, h->ci, cqe->res < 0 ? PF_FAILED : PF_COMPLETED, 1);
		h->end = 0;
		n++;
	}
	if (n) {
		io_uring_cq_advance(&r->ring, n);
		while (r->oldest < r->next_seq && !hint_slot(r, r->oldest)->end)
			r->oldest++;
	}
}

/* Submit what is queued; with @wait, also sleep until a completion arrives. */
static int submit(struct pf_ring *r, struct lg_tcache *tc, unsigned wait)
{
	int n = io_uring_submit_and_wait(&r->ring, wait);

	reap(r, tc);
	return n < 0 ? n : 0;
}

/* Hints still queued or in flight on a ring that is going away count as
 * failed. */
static void count_dropped(struct pf_ring *r, struct lg_tcache *tc)
{
	for (uint64_t s = r->oldest; s < r->next_seq; s++)
		if (hint_slot(r, s)->end)
			count(tc, hint_slot(r, s)->ci, PF_FAILED, 1);
}

static void ring_close(struct pf_ring *r)
{
	io_uring_queue_exit(&r->ring);
	free(r);
}

/*
 * The child of fork() inherits every ring's file and mappings, which the
 * parent's threads go on using: it closes its copies.  The forking thread's
 * hints are dropped, the other threads do not exist in the child.
 */
static void fork_child(void)
{
	struct pf_ring *r = pf_tls.ring, *next;

	if (r && lg_tls)
		count_dropped(r, lg_tls);
	pf_tls.ring = NULL;
	for (r = rings; r; r = next) {
		next = r->next;
		ring_close(r);
	}
	rings = NULL;
}

static bool madvise_supported(struct io_uring *ring)
{
	struct io_uring_probe *p;
	bool ok;

	if (atomic_load_explicit(&pf_probed, lg_relaxed))
		return true;
	p = io_uring_get_probe_ring(ring);
	ok = p && io_uring_opcode_supported(p, IORING_OP_MADVISE);
	io_uring_free_probe(p);
	if (ok)
		atomic_store_explicit(&pf_probed, true, lg_relaxed);
	return ok;
}

/* Bound the thread's io-wq, its bounded and unbounded workers alike (a hint
 * may run as either).  A kernel that refuses (before 5.15) leaves io-wq's
 * own limit, which only costs speed: said once. */
static void limit_workers(struct io_uring *ring)
{
	static _Atomic bool reported;
	unsigned n = (unsigned)atomic_load_explicit(&pf_workers, lg_relaxed);
	unsigned limits[2] = {n, n};
	int err;

	if (!n)
		return;
	err = io_uring_register_iowq_max_workers(ring, limits);
	if (err < 0 && !atomic_exchange_explicit(&reported, true, lg_relaxed))
		fprintf(stderr,
			"lgalloc: io_uring_register(IORING_REGISTER_IOWQ_MAX_WORKERS) failed: %s; "
			"prefetch_workers not applied\n",
			lg_errno_text(err));
}

static struct pf_ring *ring_open(void)
{
	unsigned depth = (unsigned)atomic_load_explicit(&pf_depth, lg_relaxed);
	struct pf_ring *r;
	int err;

	if (atomic_load_explicit(&pf_unavailable, lg_relaxed))
		return NULL;
	if (pf_tls.retry_in) {
		pf_tls.retry_in--;
		return NULL;
	}
	/* The kernel makes the CQ twice the SQ: one hint slot per CQ entry. */
	r = calloc(1, sizeof(*r) + 2 * depth * sizeof(r->hints[0]));
	if (!r) {
		pf_tls.retry_in = PF_RETRY_HINTS;
		report_fallback("calloc of the ring's hint table", ENOMEM, NULL, true);
		return NULL;
	}
	err = io_uring_queue_init(depth, &r->ring, 0);
	if (err < 0) {
		free(r);
		switch (-err) {
		case ENOSYS:
			atomic_store_explicit(&pf_unavailable, true, lg_relaxed);
			report_fallback(PF_SETUP_CALL, err, "kernel without io_uring, or seccomp", false);
			break;
		case EPERM:
		case EACCES:
			atomic_store_explicit(&pf_unavailable, true, lg_relaxed);
			report_eperm(err);
			break;
		case EINVAL:
			atomic_store_explicit(&pf_unavailable, true, lg_relaxed);
			report_fallback(PF_SETUP_CALL, err, NULL, false);
			break;
		default:
			/* ENOMEM (memlock or memcg), EMFILE, ENFILE: may pass. */
			pf_tls.retry_in = PF_RETRY_HINTS;
			report_fallback(PF_SETUP_CALL, err, NULL, true);
		}
		return NULL;
	}
	if (!madvise_supported(&r->ring)) {
		io_uring_queue_exit(&r->ring);
		free(r);
		atomic_store_explicit(&pf_unavailable, true, lg_relaxed);
		report_fallback("IORING_OP_MADVISE", 0, "not among the kernel's io_uring opcodes", false);
		return NULL;
	}
	limit_workers(&r->ring);
	r->cq_entries = r->ring.cq.ring_entries < 2 * depth ? r->ring.cq.ring_entries : 2 * depth;
	pthread_mutex_lock(&rings_lock);
	r->next = rings;
	if (rings)
		rings->prev = r;
	rings = r;
	pthread_mutex_unlock(&rings_lock);
	pf_tls.ring = r;
	return r;
}

/* Queue one piece of a hint; false when no completion slot is free. */
static bool queue(struct pf_ring *r, struct lg_tcache *tc, unsigned ci, char *addr, size_t len)
{
	struct pf_hint *slot = hint_slot(r, r->next_seq);
	struct io_uring_sqe *sqe;

	/* Outstanding hints are numbered oldest .. next_seq - 1, so a free
	 * slot for this one means fewer than cq_entries are outstanding: the
	 * CQ has room for every completion. */
	if (slot->end) {
		reap(r, tc);
		if (slot->end)
			return false;
	}
	sqe = io_uring_get_sqe(&r->ring);
	if (!sqe) {
		submit(r, tc, 0);
		sqe = io_uring_get_sqe(&r->ring);
		if (!sqe)
			return false;
	}
	io_uring_prep_madvise(sqe, addr, (off_t)len, MADV_WILLNEED);
	io_uring_sqe_set_data64(sqe, r->next_seq++);
	slot->start = (uintptr_t)addr;
	slot->end = (uintptr_t)addr + len;
	slot->ci = ci;
	count(tc, ci, PF_ASYNC, 1);
	return true;
}

LG_EXPORT int lgalloc_prefetch(struct lgalloc_handle handle, size_t offset, size_t len)
{
	unsigned ci;
	char *addr;
	size_t alen;
	int err = prefetch_range("lgalloc_prefetch", handle, offset, len, &ci, &addr, &alen);

	if (err <= 0)
		return err;
	return lg_os_advise(addr, alen, MADV_WILLNEED);
}

LG_EXPORT int lgalloc_prefetch_async(struct lgalloc_handle handle, size_t offset, size_t len)
{
	struct lg_tcache *tc;
	struct pf_ring *r;
	unsigned ci = 0;
	char *addr;
	size_t alen;
	int err = prefetch_range("lgalloc_prefetch_async", handle, offset, len, &ci, &addr, &alen);

	if (err <= 0)
		return err;
	tc = lg_tcache_get();
	r = pf_tls.ring;
	if (!tc || atomic_load_explicit(&pf_mode, lg_relaxed) == LGALLOC_PREFETCH_SYNC) {
		/* Without a cache there is no exit hook to close a ring. */
		if (r && tc)
			reap(r, tc);
		hint_sync(tc, ci, addr, alen);
		return 0;
	}
	if (!r)
		r = ring_open();
	if (!r) {
		hint_sync(tc, ci, addr, alen);
		return 0;
	}
	reap(r, tc);
	while (alen) {
		size_t n = alen < PF_CHUNK ? alen : PF_CHUNK;

		if (!queue(r, tc, ci, addr, n))
			hint_sync(tc, ci, addr, n);
		addr += n;
		alen -= n;
	}
	return 0;
}

LG_EXPORT int lgalloc_prefetch_submit(void)
{
	struct pf_ring *r = pf_tls.ring;
	struct lg_tcache *tc = lg_tls;

	/* A ring exists only on a thread with a cache. */
	if (!r || !tc)
		return 0;
	return submit(r, tc, 0);
}

/* Whether a hint of @r covering part of [start, end) is queued or in
 * flight: a walk over the outstanding hints, oldest first, since a reader
 * usually waits for the hints in the order it queued them. */
static bool hinted_in(struct pf_ring *r, uintptr_t start, uintptr_t end)
{
	for (uint64_t s = r->oldest; s < r->next_seq; s++) {
		const struct pf_hint *h = hint_slot(r, s);

		if (h->end > start && h->start < end)
			return true;
	}
	return false;
}

LG_EXPORT int lgalloc_prefetch_wait(struct lgalloc_handle handle, size_t offset, size_t len)
{
	struct pf_ring *r = pf_tls.ring;
	struct lg_tcache *tc = lg_tls;
	unsigned ci = 0;
	char *addr;
	size_t alen;
	int err = prefetch_range("lgalloc_prefetch_wait", handle, offset, len, &ci, &addr, &alen);

	if (err <= 0 || !r || !tc)
		return err < 0 ? err : 0;
	for (;;) {
		reap(r, tc);
		if (!hinted_in(r, (uintptr_t)addr, (uintptr_t)addr + alen))
			return 0;
		/* Submits the range's hint if it is still queued.  Waking at
		 * every completion costs no more than waiting for as many
		 * completions as there are older hints (measured). */
		err = submit(r, tc, 1);
		if (err < 0 && err != -EINTR)
			return err;
	}
}

/* Thread exit, before the counters are folded: count what the thread's
 * ring still holds and close it. */
static void thread_exit(struct lg_tcache *tc)
{
	struct pf_ring *r = pf_tls.ring;

	pf_tls.retry_in = 0;
	if (!r)
		return;
	/* Hints still queued or in flight are dropped: closing the ring and
	 * the thread's exit cancel what io-wq has not started. */
	reap(r, tc);
	count_dropped(r, tc);
	pf_tls.ring = NULL;
	/* Closed under the lock, so that a fork meanwhile cannot copy a ring
	 * that is on no list. */
	pthread_mutex_lock(&rings_lock);
	if (r->prev)
		r->prev->next = r->next;
	else
		rings = r->next;
	if (r->next)
		r->next->prev = r->prev;
	ring_close(r);
	pthread_mutex_unlock(&rings_lock);
}

static const struct lg_subsystem prefetch_subsystem = {
	.rank = LG_RANK_PREFETCH,
	.lock = &rings_lock,
	.child = fork_child,
	.thread_exit = thread_exit,
};
LG_SUBSYSTEM(prefetch_subsystem);
