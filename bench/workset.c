// SPDX-License-Identifier: MIT
/* The paging working set, its readers and their prefetch threads. */
#include <errno.h>
#include <time.h>
#include <stdlib.h>
#include <sys/mman.h>

#include "output.h"
#include "rows.h"
#include "runner.h"
#include "common/timeutil.h"
#include "util.h"
#include "workset.h"

#define PAGES_PER_REGION  (REGION_2M / PAGE_4K)
#define PREFETCH_POLL_NS  10000 /* how long a prefetch thread ahead of its reader sleeps */
/* What the original assumes when it finds no limit. */
#define DEFAULT_LIMIT_MIB 512

static size_t gcd(size_t a, size_t b)
{
	while (b) {
		size_t t = a % b;
		a = b;
		b = t;
	}
	return a;
}

static uint64_t workset_bytes(struct run_env *env)
{
	uint64_t limit = env->limit.bytes;

	if (!env->total_mib) {
		if (limit == CG_NO_LIMIT) {
			output_note("no memory limit found: assuming %d MiB as the original does "
				    "(run under lgrun --memory, or pass --total-mib)",
				    DEFAULT_LIMIT_MIB);
			limit = (uint64_t)DEFAULT_LIMIT_MIB << 20;
		}
		env->total_mib = (unsigned long)((3 * limit + (1 << 20) - 1) >> 20);
	}
	return (uint64_t)env->total_mib << 20;
}

int workset_create(struct workset *ws, struct run_env *env)
{
	uint64_t t0 = now_ns(), bytes = workset_bytes(env);
	int err = 0;

	*ws = (struct workset){.nregions = (bytes + REGION_2M - 1) / REGION_2M};
	ws->regions = calloc(ws->nregions, sizeof(*ws->regions));
	if (!ws->regions)
		return -ENOMEM;
	for (size_t i = 0; i < ws->nregions; i++) {
		err = lgalloc_allocate(REGION_2M, &ws->regions[i]);
		if (err) {
			output_note("lgbench: cannot populate %lu MiB: %s", env->total_mib,
				    lgalloc_strerror(err));
			workset_destroy(ws);
			return err;
		}
		touch_pages(ws->regions[i].ptr, REGION_2M);
	}
	ws->npages = ws->nregions * PAGES_PER_REGION;
	ws->stride = ws->npages * 618 / 1000 | 1;
	while (gcd(ws->stride, ws->npages) != 1)
		ws->stride += 2;
	output_note("populated %zu MiB (%zu regions of 2 MiB) in %.2f s", ws->nregions * 2, ws->nregions,
		    (double)(now_ns() - t0) / 1e9);
	return 0;
}

int workset_release_half(struct workset *ws)
{
	int err = 0;

	for (size_t i = 1; i < ws->nregions && !err; i += 2) {
		err = lgalloc_deallocate(ws->regions[i]);
		ws->regions[i] = (struct lgalloc_handle){0};
	}
	if (err)
		output_note("lgbench: freeing half the working set: %s", lgalloc_strerror(err));
	return err;
}

void workset_destroy(struct workset *ws)
{
	for (size_t i = 0; i < ws->nregions; i++)
		lgalloc_deallocate(ws->regions[i]);
	free(ws->regions);
	*ws = (struct workset){0};
}

struct reader_arg {
	const struct workset *ws;
	const struct read_strategy *s;
};

struct reader {
	const struct workset *ws;
	const struct read_strategy *s;
	size_t start, pos;
	uint64_t done;
	size_t hint_pos;	    /* with ahead: the next page to hint */
	uint64_t hinted, submitted; /* with ahead: hints queued, and handed to the kernel */
	_Atomic uint64_t progress;  /* reads done, for the prefetch thread */
	atomic_int helper_err;
};

static inline size_t next_page(const struct workset *ws, size_t pos)
{
	pos += ws->stride;
	return pos >= ws->npages ? pos - ws->npages : pos;
}

/* The page @k steps after @pos. */
static size_t advance(const struct workset *ws, size_t pos, uint64_t k)
{
	return (size_t)((pos + (unsigned __int128)(k % ws->npages) * ws->stride) % ws->npages);
}

static int prefetch_page(const struct workset *ws, size_t page, bool uring)
{
	struct lgalloc_handle h = ws->regions[page / PAGES_PER_REGION];
	size_t off = (page % PAGES_PER_REGION) * PAGE_4K;

	return uring ? lgalloc_prefetch_async(h, off, PAGE_4K) : lgalloc_prefetch(h, off, PAGE_4K);
}

static int wait_hint(const struct workset *ws, size_t page)
{
	struct lgalloc_handle h = ws->regions[page / PAGES_PER_REGION];

	return lgalloc_prefetch_wait(h, (page % PAGES_PER_REGION) * PAGE_4K, PAGE_4K);
}

/* A busy or interrupted submit leaves the hints queued for the next one. */
static int submit_hints(void)
{
	int err = lgalloc_prefetch_submit();

	return err == -EAGAIN || err == -EBUSY || err == -EINTR ? 0 : err;
}

static void *reader_setup(void *arg, unsigned tid, unsigned threads, int *err)
{
	const struct reader_arg *a = arg;
	struct reader *r = calloc(1, sizeof(*r));

	if (!r) {
		*err = -ENOMEM;
		return NULL;
	}
	r->ws = a->ws;
	r->s = a->s;
	r->start = r->pos = r->hint_pos = a->ws->npages / threads * tid;
	return r;
}

static int read_op(void *ctx)
{
	struct reader *r = ctx;
	const struct workset *ws = r->ws;
	size_t page = r->pos;
	int err;

	if (r->s->batch && r->done % r->s->batch == 0) {
		for (unsigned i = 0; i < r->s->batch; i++, page = next_page(ws, page)) {
			err = prefetch_page(ws, page, r->s->uring);
			if (err)
				return err;
		}
		if (r->s->uring && (err = submit_hints()))
			return err;
	}
	if (r->s->ahead) {
		/* Pages done .. done + ahead hinted; the first read hints them all. */
		for (; r->hinted <= r->done + r->s->ahead;
		     r->hinted++, r->hint_pos = next_page(ws, r->hint_pos)) {
			err = prefetch_page(ws, r->hint_pos, true);
			if (err)
				return err;
		}
		if (r->hinted - r->submitted >= r->s->submit_every) {
			if ((err = submit_hints()))
				return err;
			r->submitted = r->hinted;
		}
	}
	/* A page whose hint an io-wq worker is still running would cost a
	 * scheduler tick's sleep in the fault (bench/README.md). */
	if (r->s->uring && !r->s->no_wait && (err = wait_hint(ws, r->pos)))
		return err;
	(void)*(volatile char *)((char *)ws->regions[r->pos / PAGES_PER_REGION].ptr +
				 (r->pos % PAGES_PER_REGION) * PAGE_4K);
	r->pos = next_page(ws, r->pos);
	r->done++;
	if (r->s->prefetch)
		atomic_store_explicit(&r->progress, r->done, memory_order_release);
	return atomic_load_explicit(&r->helper_err, memory_order_relaxed);
}

/* Keep MADV_WILLNEED PREFETCH_AHEAD pages ahead of the reader's walk. */
static void prefetch_helper(void *ctx, const atomic_bool *stop)
{
	struct reader *r = ctx;
	size_t pos = r->start;
	uint64_t at = 0;

	while (!atomic_load_explicit(stop, memory_order_relaxed)) {
		uint64_t done = atomic_load_explicit(&r->progress, memory_order_acquire);
		int err;

		if (at < done) {
			/* The reader overtook us: skip what it has read. */
			pos = advance(r->ws, pos, done - at);
			at = done;
		}
		if (at >= done + PREFETCH_AHEAD) {
			/* Sleep rather than spin: on a small machine a spinning
			 * helper takes the CPU its reader and the I/O need. */
			struct timespec ts = {.tv_nsec = PREFETCH_POLL_NS};

			nanosleep(&ts, NULL);
			continue;
		}
		err = prefetch_page(r->ws, pos, false);
		if (err) {
			atomic_store(&r->helper_err, err);
			return;
		}
		pos = next_page(r->ws, pos);
		at++;
	}
}

static int advise_all(const struct workset *ws, int advice)
{
	for (size_t i = 0; i < ws->nregions; i++)
		if (ws->regions[i].ptr && madvise(ws->regions[i].ptr, ws->regions[i].len, advice))
			return -errno;
	return 0;
}

/* Rings for the worker threads @s is about to start.  The library's CQ,
 * twice the SQ, bounds the hints queued plus in flight; past it a hint goes
 * synchronous.  io-wq workers stall in memcg reclaim here, so completions
 * lag: leave room for four batches of 128, or twice the hints ahead. */
static int size_rings(const struct read_strategy *s, const struct run_env *env)
{
	struct lgalloc_config cfg;
	unsigned depth = s->ahead + s->submit_every;

	lgalloc_config_init(&cfg);
	cfg.prefetch_workers = env->prefetch_workers;
	cfg.prefetch_ring_depth = env->ring_depth	     ? env->ring_depth
				  : depth > URING_MAX_DEPTH  ? URING_MAX_DEPTH
				  : depth > URING_RING_DEPTH ? depth
							     : URING_RING_DEPTH;
	return lgalloc_configure(&cfg);
}

int workset_reads(const char *mode, struct workset *ws, const struct read_strategy *s, unsigned threads,
		  const struct run_env *env, bool ccdf)
{
	struct reader_arg arg = {.ws = ws, .s = s};
	struct run_spec spec = {
		.threads = threads,
		.warmup_ms = env->warmup_ms,
		.measure_ms = env->measure_ms,
		.setup = reader_setup,
		.op = read_op,
		.teardown = free,
		.helper = s->prefetch ? prefetch_helper : NULL,
		.prefetch_counts = s->uring,
		.arg = &arg,
	};
	int err = 0;

	if (s->uring)
		err = size_rings(s, env);
	if (!err && s->advice != MADV_NORMAL)
		err = advise_all(ws, s->advice);
	if (err) {
		struct record rec = {.mode = mode,
				     .row = s->name,
				     .threads = threads,
				     .status = "error",
				     .note = lgalloc_strerror(err)};

		output_record(&rec);
		return err;
	}
	err = run_and_report(mode, s->name, &spec, ccdf);
	if (s->advice != MADV_NORMAL)
		advise_all(ws, MADV_NORMAL);
	return err;
}

int workset_realloc(const char *mode, unsigned threads, const struct run_env *env, bool ccdf)
{
	const struct row *row = row_find("lgalloc+touch");
	struct run_spec spec = {
		.threads = threads,
		.warmup_ms = env->warmup_ms,
		.measure_ms = env->measure_ms,
		.setup = row->setup,
		.op = row->op,
		.teardown = row->teardown,
		.arg = (void *)row,
	};

	return run_and_report(mode, "realloc+touch", &spec, ccdf);
}
