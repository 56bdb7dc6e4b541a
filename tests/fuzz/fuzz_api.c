// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for liblgalloc's API: the input is a program of API
 * calls run on three worker threads.
 *
 * Each step is one call on one thread (the main thread hands it over and
 * waits), so a step never races another and the checks after it are exact:
 * the stats invariant of every class (free_regions + live = area_total_bytes
 * / class_bytes, allocations - deallocations = live; while the background
 * worker runs one region may be in its hands), and the owner tag at the
 * first and the last bytes of every held region (slot, generation), so a
 * region handed to two holders, or written by the library, is caught.  A
 * BURST step runs the next steps on their threads at once; each thread then
 * uses only its own third of the handle table, and the checks run after it.
 *
 * Calls: allocate (0, no class, every class, the 64 GiB one: only the first
 * and the last page are written, and THP is off for the process, so resident
 * memory stays small), free (from any thread, the empty handle too),
 * malformed frees (foreign, interior, wrong length, NULL with a length, an
 * address above user space: -EINVAL, nothing changes), prefetch,
 * prefetch_async, prefetch_wait (in range, out of range: -ERANGE, malformed:
 * -EINVAL), prefetch_submit, configure (valid values applied, invalid ones
 * -EINVAL and nothing applied: `enabled` is checked through allocate),
 * stats, a thread exiting and a new one taking its place.  Configure also
 * switches checked mode on and off; while it is on, a second free of a
 * region freed in checked mode (and held by no slot since), and a prefetch
 * on it, must give -LGALLOC_ERR_FREED and change nothing.  With checked mode
 * off the double-free step does nothing: a double free is undefined
 * behaviour by contract, and checked mode does not catch one of a region
 * freed before it was switched on.  The fuzzer never locks memory, so no
 * madvise may fail (advise_failed stays 0).
 *
 * A failed check prints what was wrong and aborts: libFuzzer saves the input
 * (tests/fuzz/README.md: reproducing a crash).
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "lgalloc.h"

#define MiB	 (1UL << 20)
#define GiB	 (1UL << 30)
#define THREADS	 3
#define PER_T	 8
#define SLOTS	 (THREADS * PER_T)
#define MAX_OPS	 4096
#define LIVE_CAP (160 * GiB) /* address space the held regions may span */
#define PAGE	 4096UL

/* Limits lgalloc_configure() documents (lgalloc.h, README). */
#define MAX_DAMPENER	(1L << 30)
#define MAX_INTERVAL_MS (24L * 3600 * 1000)
#define MAX_RING_DEPTH	4096
#define MAX_WORKERS	128

enum kind {
	OP_ALLOC,
	OP_FREE,
	OP_BAD_FREE,
	OP_PREFETCH,
	OP_PREFETCH_ASYNC,
	OP_PREFETCH_WAIT,
	OP_SUBMIT,
	OP_CONFIGURE,
	OP_STATS,
	OP_RESPAWN,
	OP_BURST,
	OP_DOUBLE_FREE, /* does something in checked mode only */
	NUM_KINDS,
};

struct op {
	uint8_t kind, thread, slot, sel;
	uint64_t a, b;
	struct lgalloc_config config;
	bool config_valid;
};

struct slot {
	struct lgalloc_handle h; /* ptr NULL: empty */
	uint64_t tag;
};

/* The tag of a held region: which slot, which allocation. */
struct tag {
	uint64_t magic;
	uint64_t tag;
};
#define TAG_MAGIC 0x6c67616c6c6f6321ULL

static struct slot slots[SLOTS];
static _Atomic uint64_t generation;
static _Atomic size_t live_bytes;
static _Atomic size_t live_atomic[LGALLOC_NUM_CLASSES]; /* held regions per class */
static bool in_burst;					/* threads run at once: only per-slot checks */
static bool model_enabled;
static bool worker_running; /* the background worker may be mid-move */
static bool model_checked;  /* checked mode is on */
static char *foreign_map;   /* 2 MiB-aligned memory lgalloc never saw */
static char foreign_static[3 * 4096];

/* ---- failing ---- */

__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt, ...)
{
	va_list ap;

	fputs("fuzz_api: CHECK FAILED: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

static void expect(int got, int want, const char *what)
{
	if (got != want)
		die("%s returned %d (%s), want %d (%s)", what, got, lgalloc_strerror(got), want,
		    lgalloc_strerror(want));
}

/* ---- reading the input ---- */

struct in {
	const uint8_t *p;
	size_t n;
};

static uint64_t take(struct in *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes; i++) {
		v <<= 8;
		if (in->n) {
			v |= *in->p++;
			in->n--;
		}
	}
	return v;
}

static unsigned class_index(size_t len)
{
	return (unsigned)__builtin_ctzl(len) - LGALLOC_MIN_CLASS;
}

/* A request size: 0, no class (1 MiB or less, more than 64 GiB), or within
 * a class, its ends included. */
static size_t request_size(uint8_t sel, uint64_t a)
{
	unsigned c = sel % (LGALLOC_NUM_CLASSES + 3);

	if (c == LGALLOC_NUM_CLASSES)
		return 0;
	if (c == LGALLOC_NUM_CLASSES + 1)
		return a & 1 ? 1 + (a >> 1) % MiB : MiB;
	if (c == LGALLOC_NUM_CLASSES + 2)
		return a & 1 ? SIZE_MAX - (a >> 1) % GiB : (1UL << LGALLOC_MAX_CLASS) + 1 + (a >> 1) % GiB;
	size_t bytes = 1UL << (LGALLOC_MIN_CLASS + c), half = bytes / 2;
	switch (a % 4) {
	case 0:
		return bytes;
	case 1:
		return half + 1;
	default:
		return half + 1 + (a >> 2) % half;
	}
}

/* A configuration value: unchanged (-1), in [LO, HI] or outside it. */
static long config_value(struct in *in, long lo, long hi, bool *valid)
{
	uint8_t sel = (uint8_t)take(in, 1);
	uint64_t v = take(in, sel % 8 < 4 ? 4 : 1);

	switch (sel % 8) {
	case 0:
	case 1:
		return -1;
	case 2:
	case 3:
	case 4:
		return lo + (long)(v % ((uint64_t)(hi - lo) + 1));
	case 5:
		*valid = false;
		return -2 - (long)v;
	case 6:
		if (hi == LONG_MAX)
			return hi;
		*valid = false;
		return hi + 1 + (long)v;
	default:
		*valid = false;
		return sel & 8 ? LONG_MIN : -2;
	}
}

static int config_int(struct in *in, long lo, long hi, bool *valid)
{
	long v = config_value(in, lo, hi, valid);

	if (v < -1000)
		v = -1000;
	if (v > 1000 && hi < 1000)
		v = hi + 1000;
	return (int)v;
}

static void read_config(struct in *in, struct op *op)
{
	struct lgalloc_config *c = &op->config;
	bool valid = true;

	lgalloc_config_init(c);
	c->enabled = config_int(in, 0, 1, &valid);
	c->eager_return = config_int(in, 0, 1, &valid);
	c->growth_dampener = config_value(in, 0, MAX_DAMPENER, &valid);
	c->local_buffer_bytes = config_value(in, 0, LONG_MAX, &valid);
	c->background_interval_ms = config_value(in, 0, MAX_INTERVAL_MS, &valid);
	/* A tick every 1-3 ms: a long interval only sleeps. */
	if (c->background_interval_ms > 3 && c->background_interval_ms <= MAX_INTERVAL_MS)
		c->background_interval_ms = 1 + c->background_interval_ms % 3;
	c->background_clear_bytes = config_value(in, 0, LONG_MAX, &valid);
	c->prefetch_mode = config_int(in, LGALLOC_PREFETCH_AUTO, LGALLOC_PREFETCH_URING, &valid);
	c->prefetch_ring_depth = config_value(in, 1, MAX_RING_DEPTH, &valid);
	c->prefetch_workers = config_value(in, 0, MAX_WORKERS, &valid);
	c->checked = config_int(in, 0, 1, &valid);
	op->config_valid = valid;
}

static size_t read_ops(const uint8_t *data, size_t size, struct op *ops)
{
	struct in in = {data, size};
	size_t n = 0;

	while (in.n && n < MAX_OPS) {
		uint8_t b = (uint8_t)take(&in, 1);
		struct op *op = &ops[n++];

		memset(op, 0, sizeof(*op));
		op->kind = b % NUM_KINDS;
		op->thread = (uint8_t)(b / NUM_KINDS % THREADS);
		op->slot = (uint8_t)(take(&in, 1) % SLOTS);
		switch (op->kind) {
		case OP_ALLOC:
			op->sel = (uint8_t)take(&in, 1);
			op->a = take(&in, 4);
			break;
		case OP_BAD_FREE:
		case OP_PREFETCH:
		case OP_PREFETCH_ASYNC:
		case OP_PREFETCH_WAIT:
		case OP_DOUBLE_FREE:
			op->sel = (uint8_t)take(&in, 1);
			op->a = take(&in, op->sel & 0x80 ? 8 : 4);
			op->b = take(&in, op->sel & 0x40 ? 8 : 4);
			break;
		case OP_CONFIGURE:
			read_config(&in, op);
			break;
		case OP_BURST:
			op->sel = (uint8_t)take(&in, 1);
			break;
		default:
			break;
		}
	}
	return n;
}

/* ---- the checks ---- */

static void write_tag(struct slot *s)
{
	struct tag t = {TAG_MAGIC, s->tag};

	memcpy(s->h.ptr, &t, sizeof(t));
	memcpy((char *)s->h.ptr + s->h.len - sizeof(t), &t, sizeof(t));
}

static void check_tag(const struct slot *s, unsigned idx)
{
	struct tag head, tail;

	memcpy(&head, s->h.ptr, sizeof(head));
	memcpy(&tail, (char *)s->h.ptr + s->h.len - sizeof(tail), sizeof(tail));
	if (head.magic != TAG_MAGIC || head.tag != s->tag || tail.magic != TAG_MAGIC || tail.tag != s->tag)
		die("slot %u (%p, %zu bytes): owner tag %#llx/%#llx, want %#llx: the region changed under "
		    "its holder",
		    idx, s->h.ptr, s->h.len, (unsigned long long)head.tag, (unsigned long long)tail.tag,
		    (unsigned long long)s->tag);
}

static void check_tags(void)
{
	for (unsigned i = 0; i < SLOTS; i++)
		if (slots[i].h.ptr)
			check_tag(&slots[i], i);
}

static void get_stats(struct lgalloc_stats *s)
{
	expect(lgalloc_stats(s), 0, "lgalloc_stats");
}

/* The invariant of every class, with no thread mid-call. */
static void check_invariant(void)
{
	struct lgalloc_stats st;

	get_stats(&st);
	for (unsigned ci = 0; ci < LGALLOC_NUM_CLASSES; ci++) {
		const struct lgalloc_class_stats *s = &st.classes[ci];
		size_t regions = s->area_total_bytes / s->class_bytes;
		size_t held = live_atomic[ci];

		if (s->class_bytes != 1UL << (LGALLOC_MIN_CLASS + ci))
			die("class %u: class_bytes %zu", ci, s->class_bytes);
		if (s->free_regions != s->thread_regions + s->global_regions + s->clean_regions)
			die("class %u: free_regions %zu != thread %zu + global %zu + clean %zu", ci,
			    s->free_regions, s->thread_regions, s->global_regions, s->clean_regions);
		if (s->allocations - s->deallocations != held)
			die("class %u: allocations %zu - deallocations %zu != %zu held", ci, s->allocations,
			    s->deallocations, held);
		/* The worker moves one region at a time from the dirty pool to
		 * the clean one: while it runs, one may be in neither. */
		if (s->free_regions + held != regions &&
		    !(worker_running && s->free_regions + held + 1 == regions))
			die("class %u: free_regions %zu + %zu held != %zu regions in areas", ci,
			    s->free_regions, held, regions);
		if (s->areas > regions || (s->areas == 0) != (regions == 0))
			die("class %u: %zu areas for %zu regions", ci, s->areas, regions);
		if (s->advise_failed)
			die("class %u: %zu regions could not be given back (advise_failed)", ci,
			    s->advise_failed);
		if (s->prefetch_completed + s->prefetch_failed > s->prefetch_sync + s->prefetch_async)
			die("class %u: prefetch completed %zu + failed %zu > issued %zu + %zu", ci,
			    s->prefetch_completed, s->prefetch_failed, s->prefetch_sync, s->prefetch_async);
	}
}

/* The counters a rejected call must leave as they were.  Prefetch counters
 * change only when a thread hints, submits or waits; the worker's moves
 * only between the dirty and clean pools. */
static void check_unchanged(const struct lgalloc_stats *before, const char *what)
{
	struct lgalloc_stats after;

	get_stats(&after);
	for (unsigned ci = 0; ci < LGALLOC_NUM_CLASSES; ci++) {
		const struct lgalloc_class_stats *a = &before->classes[ci], *b = &after.classes[ci];

		if (a->allocations != b->allocations || a->deallocations != b->deallocations ||
		    a->area_total_bytes != b->area_total_bytes || a->thread_regions != b->thread_regions ||
		    (!worker_running &&
		     (a->global_regions != b->global_regions || a->clean_regions != b->clean_regions)) ||
		    a->prefetch_sync != b->prefetch_sync || a->prefetch_async != b->prefetch_async)
			die("%s was rejected but changed class %u's counters", what, ci);
	}
}

/* ---- the calls ---- */

static bool overlaps(const struct lgalloc_handle *h)
{
	for (unsigned i = 0; i < SLOTS; i++) {
		const struct lgalloc_handle *o = &slots[i].h;

		if (o->ptr && o != h && (char *)o->ptr < (char *)h->ptr + h->len &&
		    (char *)h->ptr < (char *)o->ptr + o->len)
			return true;
	}
	return false;
}

/* Handles freed lately in checked mode (between steps only), for double
 * frees; emptied when the mode is switched. */
#define GRAVES 8
static struct lgalloc_handle graveyard[GRAVES];
static unsigned graves;

static void do_free(struct slot *s, unsigned idx)
{
	unsigned ci;

	if (!s->h.ptr) {
		expect(lgalloc_deallocate(s->h), 0, "lgalloc_deallocate(empty handle)");
		return;
	}
	check_tag(s, idx);
	ci = class_index(s->h.len);
	expect(lgalloc_deallocate(s->h), 0, "lgalloc_deallocate");
	live_atomic[ci]--;
	live_bytes -= s->h.len;
	if (!in_burst && model_checked)
		graveyard[graves++ % GRAVES] = s->h;
	s->h = (struct lgalloc_handle){NULL, 0};
}

static void do_alloc(struct slot *s, unsigned idx, const struct op *op)
{
	size_t bytes = request_size(op->sel, op->a);
	struct lgalloc_handle h = {(void *)1, 1};
	int want, err;

	if (s->h.ptr)
		do_free(s, idx);
	if (bytes && bytes > MiB && bytes <= 1UL << LGALLOC_MAX_CLASS) {
		size_t class = (size_t)1 << (64 - __builtin_clzl(bytes - 1));
		if (live_bytes + class > LIVE_CAP)
			return;
	}
	if (bytes == 0)
		want = 0;
	else if (!model_enabled)
		want = -LGALLOC_ERR_DISABLED;
	else if (bytes <= MiB || bytes > 1UL << LGALLOC_MAX_CLASS)
		want = -LGALLOC_ERR_SIZE;
	else
		want = 0;
	err = lgalloc_allocate(bytes, &h);
	if (err == -ENOMEM && want == 0 && bytes)
		return; /* documented; the checks after the step still run */
	expect(err, want, "lgalloc_allocate");
	if (err || bytes == 0) {
		if (h.ptr || h.len)
			die("lgalloc_allocate(%zu) returned %d with handle {%p, %zu}", bytes, err, h.ptr,
			    h.len);
		return;
	}
	if (h.len < bytes || (h.len & (h.len - 1)) || h.len < 2 * MiB || ((uintptr_t)h.ptr & (2 * MiB - 1)))
		die("lgalloc_allocate(%zu) gave {%p, %zu}", bytes, h.ptr, h.len);
	if (bytes <= h.len / 2)
		die("lgalloc_allocate(%zu) gave %zu bytes, not the smallest class", bytes, h.len);
	s->h = h;
	if (!in_burst && overlaps(&s->h))
		die("lgalloc_allocate(%zu) gave {%p, %zu}, which overlaps a held region", bytes, h.ptr,
		    h.len);
	s->tag = ((uint64_t)idx << 56) | ++generation;
	write_tag(s);
	live_atomic[class_index(h.len)]++;
	live_bytes += h.len;
}

/* A handle lgalloc must reject (-EINVAL), made from slot S (which may be
 * empty) and the op's bytes. */
static struct lgalloc_handle bad_handle(const struct slot *s, const struct op *op)
{
	struct lgalloc_handle h = s->h;
	size_t len = h.len ? h.len : 2 * MiB;

	switch (op->sel % 9) {
	case 0: /* memory lgalloc never saw, aligned like a region */
		return (struct lgalloc_handle){foreign_map + 2 * MiB * (op->a % 2), 2 * MiB << (op->b % 2)};
	case 1: /* a static array */
		return (struct lgalloc_handle){foreign_static + op->a % 4096, len};
	case 2: /* the stack */
		return (struct lgalloc_handle){&h, len};
	case 3: /* an interior pointer of a held region, maybe aligned */
		if (!h.ptr)
			return (struct lgalloc_handle){NULL, len};
		if (op->b & 1 && h.len > 2 * MiB)
			return (struct lgalloc_handle){
				(char *)h.ptr + 2 * MiB * (1 + op->a % (h.len / (2 * MiB) - 1)), h.len};
		return (struct lgalloc_handle){(char *)h.ptr + 1 + op->a % (h.len - 1), h.len};
	case 4: /* a held region with another class's length */
		if (!h.ptr)
			return (struct lgalloc_handle){NULL, len};
		h.len = 1UL << (LGALLOC_MIN_CLASS +
				(class_index(h.len) + 1 + op->a % (LGALLOC_NUM_CLASSES - 1)) %
					LGALLOC_NUM_CLASSES);
		return h;
	case 5: /* a held region with a length that is no class */
		if (!h.ptr)
			return (struct lgalloc_handle){foreign_map, 0};
		h.len = op->a % 3 == 0	 ? 0
			: op->a % 3 == 1 ? h.len + 1 + op->b % PAGE
					 : h.len - 1 - op->b % PAGE;
		return h;
	case 6: /* NULL with a length */
		return (struct lgalloc_handle){NULL, op->a ? op->a : 1};
	case 7: /* above user space, or the last bytes of the address space */
		return (struct lgalloc_handle){
			(void *)(op->a & 1 ? UINT64_C(0xffff800000000000) : UINT64_C(1) << 47), len};
	default: /* a region-sized block of malloc */
		return (struct lgalloc_handle){NULL, 0};
	}
}

static void do_bad_free(struct slot *s, const struct op *op)
{
	struct lgalloc_stats before;
	struct lgalloc_handle h = bad_handle(s, op);
	void *block = NULL;

	if (!h.ptr && !h.len) {
		block = malloc(2 * MiB);
		if (!block)
			return;
		h = (struct lgalloc_handle){block, 2 * MiB};
	}
	get_stats(&before);
	expect(lgalloc_deallocate(h), -EINVAL, "lgalloc_deallocate(malformed handle)");
	if (!in_burst)
		check_unchanged(&before, "lgalloc_deallocate(malformed handle)");
	free(block);
}

/* A byte range of a region of LEN bytes: in it, empty, or not in it. */
static void prefetch_range(const struct op *op, size_t len, size_t *off, size_t *n, int *want)
{
	*want = 0;
	switch (op->sel % 6) {
	case 0:
	case 1: /* anywhere inside */
		*off = len ? op->a % (len + 1) : 0;
		*n = len - *off ? op->b % (len - *off + 1) : 0;
		break;
	case 2: /* a page, or the whole region */
		*off = op->b & 1 ? 0 : (len ? op->a % len : 0) & ~(PAGE - 1);
		*n = op->b & 1 ? len : (len - *off < PAGE ? len - *off : PAGE);
		break;
	case 3: /* starts past the end */
		*off = len + 1 + op->a % GiB;
		*n = op->b % 8;
		*want = -ERANGE;
		break;
	case 4: /* runs past the end */
		*off = len ? op->a % len : 0;
		*n = len - *off + 1 + op->b % PAGE;
		*want = -ERANGE;
		break;
	default: /* end overflows */
		*off = op->a % (len + 1);
		*n = SIZE_MAX - op->b % 16;
		*want = -ERANGE;
		break;
	}
}

static void do_prefetch(struct slot *s, unsigned idx, const struct op *op)
{
	static const char *const names[] = {"lgalloc_prefetch", "lgalloc_prefetch_async",
					    "lgalloc_prefetch_wait"};
	struct lgalloc_handle h = s->h;
	struct lgalloc_stats before;
	size_t off, n;
	int want, err;
	const char *name = names[op->kind - OP_PREFETCH];

	if (op->sel & 0x20) {
		/* A malformed handle: -EINVAL, whatever the range. */
		struct op bad = *op;

		bad.sel = (uint8_t)(op->sel % 8); /* no malloc block */
		h = bad_handle(s, &bad);
		want = -EINVAL;
		off = op->a % (2 * MiB);
		n = op->b % PAGE;
		if (h.ptr == NULL && h.len == 0)
			return;
	} else {
		prefetch_range(op, h.len, &off, &n, &want);
	}
	get_stats(&before);
	switch (op->kind) {
	case OP_PREFETCH:
		err = lgalloc_prefetch(h, off, n);
		break;
	case OP_PREFETCH_ASYNC:
		err = lgalloc_prefetch_async(h, off, n);
		break;
	default:
		err = lgalloc_prefetch_wait(h, off, n);
		if (err == -EAGAIN || err == -EBUSY)
			err = 0;
		break;
	}
	if (err != want)
		die("%s({%p, %zu}, %zu, %zu) returned %d (%s), want %d", name, h.ptr, h.len, off, n, err,
		    lgalloc_strerror(err), want);
	if (want && !in_burst)
		check_unchanged(&before, name);
	if (s->h.ptr)
		check_tag(s, idx);
}

static void do_configure(const struct op *op)
{
	int err = lgalloc_configure(&op->config);

	if (!op->config_valid) {
		expect(err, -EINVAL, "lgalloc_configure(invalid)");
		return;
	}
	if (err == -EAGAIN && op->config.background_interval_ms > 0)
		return; /* no thread for the worker: nothing applied */
	expect(err, 0, "lgalloc_configure(valid)");
	if (op->config.enabled != -1)
		model_enabled = op->config.enabled;
	if (op->config.background_interval_ms != -1)
		worker_running = op->config.background_interval_ms > 0;
	if (op->config.checked != -1 && op->config.checked != model_checked) {
		model_checked = op->config.checked;
		memset(graveyard, 0, sizeof(graveyard));
	}
}

/* Checked mode: a second free of a region no slot holds again, and a
 * prefetch on it, are rejected and change nothing.  (A region handed out
 * again is a valid handle once more: no mode can tell that free from a
 * rightful one.) */
static void do_double_free(const struct op *op)
{
	struct lgalloc_handle h = graveyard[op->a % GRAVES];
	struct lgalloc_stats before;
	size_t off, n;
	int err;

	if (!model_checked || !h.ptr || overlaps(&h))
		return;
	off = op->b % h.len;
	n = 1 + (op->b >> 32) % (h.len - off);
	get_stats(&before);
	switch (op->sel % 4) {
	case 0:
		err = lgalloc_deallocate(h);
		break;
	case 1:
		err = lgalloc_prefetch(h, off, n);
		break;
	case 2:
		err = lgalloc_prefetch_async(h, off, n);
		break;
	default:
		err = lgalloc_prefetch_wait(h, off, n);
		break;
	}
	if (err != -LGALLOC_ERR_FREED)
		die("call %u on freed region {%p, %zu} returned %d (%s), want -LGALLOC_ERR_FREED",
		    op->sel % 4, h.ptr, h.len, err, lgalloc_strerror(err));
	check_unchanged(&before, "a call on a freed region");
}

/* ---- the worker threads ---- */

struct worker {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	const struct op *ops; /* the ops to run; NULL when idle */
	size_t n;
	bool stop;
	bool partitioned; /* in a burst: only slots of this thread */
};

static struct worker workers[THREADS];

static void run_op(unsigned t, const struct op *op, bool partitioned)
{
	unsigned idx = partitioned ? t * PER_T + op->slot % PER_T : op->slot;
	struct slot *s = &slots[idx];

	switch (op->kind) {
	case OP_ALLOC:
		do_alloc(s, idx, op);
		break;
	case OP_FREE:
		do_free(s, idx);
		break;
	case OP_BAD_FREE:
		do_bad_free(s, op);
		break;
	case OP_PREFETCH:
	case OP_PREFETCH_ASYNC:
	case OP_PREFETCH_WAIT:
		do_prefetch(s, idx, op);
		break;
	case OP_SUBMIT: {
		int err = lgalloc_prefetch_submit();

		if (err && err != -EAGAIN && err != -EBUSY && err != -EINTR)
			die("lgalloc_prefetch_submit returned %d (%s)", err, lgalloc_strerror(err));
		break;
	}
	case OP_CONFIGURE:
		do_configure(op);
		break;
	case OP_STATS: {
		struct lgalloc_stats st;

		expect(lgalloc_stats(NULL), -EINVAL, "lgalloc_stats(NULL)");
		get_stats(&st);
		break;
	}
	default:
		break;
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	unsigned t = (unsigned)(w - workers);

	pthread_mutex_lock(&w->lock);
	for (;;) {
		while (!w->ops && !w->stop)
			pthread_cond_wait(&w->cond, &w->lock);
		if (w->stop)
			break;
		pthread_mutex_unlock(&w->lock);
		for (size_t i = 0; i < w->n; i++)
			run_op(t, &w->ops[i], w->partitioned);
		pthread_mutex_lock(&w->lock);
		w->ops = NULL;
		pthread_cond_broadcast(&w->cond);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

static void start_worker(unsigned t)
{
	struct worker *w = &workers[t];

	w->ops = NULL;
	w->stop = false;
	if (pthread_create(&w->thread, NULL, worker_main, w))
		die("pthread_create failed");
}

static void stop_worker(unsigned t)
{
	struct worker *w = &workers[t];

	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
}

static void post(unsigned t, const struct op *ops, size_t n, bool partitioned)
{
	struct worker *w = &workers[t];

	pthread_mutex_lock(&w->lock);
	w->ops = ops;
	w->n = n;
	w->partitioned = partitioned;
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

static void wait_idle(unsigned t)
{
	struct worker *w = &workers[t];

	pthread_mutex_lock(&w->lock);
	while (w->ops)
		pthread_cond_wait(&w->cond, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

/* Run OPS[0..N) at once, each on its thread, with partitioned slots. */
static void burst(const struct op *ops, size_t n)
{
	static struct op per[THREADS][64];
	size_t count[THREADS] = {0};

	for (size_t i = 0; i < n; i++) {
		unsigned t = ops[i].thread;

		/* Only calls whose outcome does not depend on another thread's. */
		if (ops[i].kind <= OP_STATS && ops[i].kind != OP_CONFIGURE && count[t] < 64)
			per[t][count[t]++] = ops[i];
	}
	for (unsigned t = 0; t < THREADS; t++)
		if (count[t])
			post(t, per[t], count[t], true);
	for (unsigned t = 0; t < THREADS; t++)
		wait_idle(t);
}

/* ---- libFuzzer ---- */

static void configure_defaults(void)
{
	struct lgalloc_config c;

	lgalloc_config_init(&c);
	c.enabled = 1;
	c.eager_return = 0;
	c.growth_dampener = 0;
	c.local_buffer_bytes = 32L << 20;
	c.background_interval_ms = 0;
	c.background_clear_bytes = 0;
	c.prefetch_mode = LGALLOC_PREFETCH_AUTO;
	c.prefetch_ring_depth = 256;
	c.prefetch_workers = 0;
	c.checked = 0;
	memset(graveyard, 0, sizeof(graveyard));
	expect(lgalloc_configure(&c), 0, "lgalloc_configure(defaults)");
	model_enabled = true;
	worker_running = false;
	model_checked = false;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	char *m;

	(void)argc;
	(void)argv;
	/* Regions are 2 MiB aligned and advised MADV_HUGEPAGE: without this
	 * each tag written would make 2 MiB resident. */
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	m = mmap(NULL, 8 * MiB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m == MAP_FAILED)
		die("mmap failed");
	foreign_map = (char *)(((uintptr_t)m + 2 * MiB - 1) & ~(2 * MiB - 1));
	for (unsigned t = 0; t < THREADS; t++) {
		pthread_mutex_init(&workers[t].lock, NULL);
		pthread_cond_init(&workers[t].cond, NULL);
		start_worker(t);
	}
	configure_defaults();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct op ops[MAX_OPS];
	size_t n = read_ops(data, size, ops);

	for (size_t i = 0; i < n; i++) {
		const struct op *op = &ops[i];

		if (op->kind == OP_CONFIGURE) {
			struct lgalloc_stats before;
			bool was_enabled = model_enabled;

			get_stats(&before);
			post(op->thread, op, 1, false);
			wait_idle(op->thread);
			if (!op->config_valid) {
				check_unchanged(&before, "lgalloc_configure(invalid)");
				/* Nothing applied: allocate still behaves as before. */
				struct lgalloc_handle h;
				int err = lgalloc_allocate(2 * MiB, &h);

				if (was_enabled ? err != 0 && err != -ENOMEM : err != -LGALLOC_ERR_DISABLED)
					die("after a rejected configuration allocate returned %d, enabled "
					    "was %d",
					    err, was_enabled);
				if (!err)
					expect(lgalloc_deallocate(h), 0, "lgalloc_deallocate");
			}
		} else if (op->kind == OP_RESPAWN) {
			stop_worker(op->thread);
			start_worker(op->thread);
		} else if (op->kind == OP_BURST) {
			size_t len = 1 + op->sel % 32;

			if (len > n - i - 1)
				len = n - i - 1;
			in_burst = true;
			burst(op + 1, len);
			in_burst = false;
			i += len;
			for (unsigned k = 0; k < SLOTS; k++)
				if (slots[k].h.ptr && overlaps(&slots[k].h))
					die("slot %u {%p, %zu} overlaps another held region", k,
					    slots[k].h.ptr, slots[k].h.len);
		} else if (op->kind == OP_DOUBLE_FREE) {
			do_double_free(op);
		} else {
			post(op->thread, op, 1, false);
			wait_idle(op->thread);
		}
		check_invariant();
		check_tags();
	}
	/* Leave nothing for the next input. */
	for (unsigned i = 0; i < SLOTS; i++)
		do_free(&slots[i], i);
	configure_defaults();
	check_invariant();
	return 0;
}
