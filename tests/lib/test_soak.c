// SPDX-License-Identifier: MIT
/*
 * The soak: regions with contents, moving between threads that come and go,
 * while the background worker and the settings change underneath.
 *
 * SLOTS worker threads run at a time; each lives for a random number of
 * steps, and when it exits the main thread starts a new one in its slot.  A
 * step allocates a random size of a random class (2 MiB .. 256 MiB, now and
 * then 1 GiB), frees a region it holds, or hands one to another slot through
 * that slot's queue (the receiver frees it, keeps it or passes it on).
 * Every held region carries, in its first bytes, its holder's tag (a
 * thread's own number, or its queue's while queued), its length, a seed and
 * a checksum of its contents: words at STAMPS places spread over the
 * region (the last word included), each a function of the seed and its
 * offset.  A holder checks tag, length, every word and the checksum when a
 * region reaches it and before it frees it, and sometimes rewrites the
 * contents with a new seed.  A set of held base addresses catches a region
 * handed out while someone holds it, at once.
 *
 * Meanwhile the background worker runs every 1 ms with a budget of 1 GiB
 * per class (MADV_FREE on dirty regions), and the main thread switches
 * eager return (MADV_DONTNEED on overflow) and the thread-cache budget
 * every few milliseconds.  A region given back to the kernel while held
 * would read as zeros; one handed to two holders would carry the other's
 * tag.  At the end every region is freed, the worker stopped, and each
 * class's statistics must balance exactly: the allocations and frees this
 * test made, and free regions = the classes' areas in regions.
 *
 * Any of these is a violation; the test passes with none and prints its
 * figures (operations, threads, seconds, violations).  It runs for
 * SOAK_DEFAULT_S seconds, or LGALLOC_STRESS_SECONDS (make soak).
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "test_util.h"

#define SOAK_DEFAULT_S 40.0 /* per build: normal, ASan, TSan */
#define SLOTS	       6    /* worker threads at a time */
#define HELD_MAX       12   /* regions a worker holds at most */
#define QUEUE_CAP      64   /* regions waiting in a slot's queue */
#define STAMPS	       8    /* stamped words per region, besides the header */
#define MAX_CI	       7    /* classes 2 MiB .. 256 MiB; 1 GiB now and then */
#define SET_STRIPES    64
#define SET_CAP	       256 /* held addresses per stripe */

/* At the start of every held region. */
struct stamp {
	uint64_t tag;  /* holder: a thread's number, or QUEUE_TAG(slot) */
	uint64_t len;  /* the handle's length */
	uint64_t seed; /* the stamped words are a function of it */
	uint64_t sum;  /* checksum of the stamped words */
};

#define QUEUE_TAG(slot) (0x5155455545000000ULL | (uint64_t)(slot)) /* "QUEUE" */

static double end_time;
static _Atomic bool stop;
static _Atomic long violations;
static _Atomic long n_alloc, n_free, n_handed, n_rewrite, n_threads, n_knobs;
static _Atomic uint64_t next_tag = 1;
static _Atomic size_t class_allocs[LGALLOC_NUM_CLASSES], class_frees[LGALLOC_NUM_CLASSES];

static void violation(const char *fmt, ...)
{
	va_list ap;

	if (atomic_fetch_add(&violations, 1) < 20) {
		va_start(ap, fmt);
		fprintf(stderr, "soak: violation: ");
		vfprintf(stderr, fmt, ap);
		fprintf(stderr, "\n");
		va_end(ap);
	}
}

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

static uint64_t next_rand(uint64_t *state)
{
	*state += 0x9e3779b97f4a7c15ULL;
	return mix(*state);
}

/* Offset of stamped word @i of a region of @len bytes: spread over the
 * region past the header, the last one at its last word. */
static size_t stamp_offset(size_t len, uint64_t seed, unsigned i)
{
	size_t words = (len - sizeof(struct stamp)) / 8;

	if (i == STAMPS - 1)
		return len - 8;
	return sizeof(struct stamp) + (size_t)(mix(seed + i) % words) * 8;
}

static uint64_t stamp_value(uint64_t seed, size_t off)
{
	return mix(seed ^ (off * 0x100000001b3ULL));
}

/* Write the contents and the header for holder @tag. */
static void fill(struct lgalloc_handle h, uint64_t tag, uint64_t seed)
{
	struct stamp *st = h.ptr;
	uint64_t sum = 0;

	for (unsigned i = 0; i < STAMPS; i++) {
		size_t off = stamp_offset(h.len, seed, i);
		uint64_t v = stamp_value(seed, off);

		*(uint64_t *)((char *)h.ptr + off) = v;
		sum = mix(sum ^ v);
	}
	st->len = h.len;
	st->seed = seed;
	st->sum = sum;
	st->tag = tag;
}

/* Check a region that @tag holds; false (and a violation) if anything
 * differs. */
static bool verify(struct lgalloc_handle h, uint64_t tag, const char *when)
{
	const struct stamp *st = h.ptr;
	uint64_t sum = 0;
	bool ok = true;

	if (st->tag != tag || st->len != h.len) {
		violation("%s: region %p (%zu bytes): tag %#llx, length %llu; expected tag %#llx", when,
			  h.ptr, h.len, (unsigned long long)st->tag, (unsigned long long)st->len,
			  (unsigned long long)tag);
		return false;
	}
	for (unsigned i = 0; i < STAMPS; i++) {
		size_t off = stamp_offset(h.len, st->seed, i);
		uint64_t v = *(const uint64_t *)((const char *)h.ptr + off);

		if (v != stamp_value(st->seed, off) && ok) {
			violation("%s: region %p (%zu bytes), word at offset %zu changed: %#llx", when, h.ptr,
				  h.len, off, (unsigned long long)v);
			ok = false;
		}
		sum = mix(sum ^ v);
	}
	if (ok && sum != st->sum) {
		violation("%s: region %p: checksum %#llx, expected %#llx", when, h.ptr,
			  (unsigned long long)sum, (unsigned long long)st->sum);
		ok = false;
	}
	return ok;
}

/* The base addresses held right now, by anyone (a thread or a queue). */
static struct {
	pthread_mutex_t lock;
	uintptr_t addr[SET_CAP];
} held_set[SET_STRIPES];

static void held_insert(void *p)
{
	unsigned s = (unsigned)(mix((uintptr_t)p) % SET_STRIPES);
	int free_at = -1;

	pthread_mutex_lock(&held_set[s].lock);
	for (int i = 0; i < SET_CAP; i++) {
		if (held_set[s].addr[i] == (uintptr_t)p) {
			violation("region %p handed out while held", p);
			pthread_mutex_unlock(&held_set[s].lock);
			return;
		}
		if (!held_set[s].addr[i] && free_at < 0)
			free_at = i;
	}
	if (free_at < 0)
		violation("held set full (test bug)");
	else
		held_set[s].addr[free_at] = (uintptr_t)p;
	pthread_mutex_unlock(&held_set[s].lock);
}

static void held_remove(void *p)
{
	unsigned s = (unsigned)(mix((uintptr_t)p) % SET_STRIPES);

	pthread_mutex_lock(&held_set[s].lock);
	for (int i = 0; i < SET_CAP; i++) {
		if (held_set[s].addr[i] == (uintptr_t)p) {
			held_set[s].addr[i] = 0;
			pthread_mutex_unlock(&held_set[s].lock);
			return;
		}
	}
	pthread_mutex_unlock(&held_set[s].lock);
	violation("freeing region %p that nobody holds", p);
}

/* A slot: its current thread, and the queue other threads hand it regions
 * through (it outlives the thread: the next one in the slot takes over). */
static struct slot {
	pthread_t thread;
	_Atomic bool running, done;
	pthread_mutex_t lock;
	struct lgalloc_handle queue[QUEUE_CAP];
	int queued;
} slots[SLOTS];

static unsigned class_of(struct lgalloc_handle h)
{
	return class_index(h.len);
}

static void release(struct lgalloc_handle h, uint64_t tag, const char *when)
{
	verify(h, tag, when);
	held_remove(h.ptr);
	/* Scribble the header: a later holder must write its own. */
	((struct stamp *)h.ptr)->tag = 0;
	if (lgalloc_deallocate(h))
		violation("lgalloc_deallocate(%p, %zu) failed", h.ptr, h.len);
	atomic_fetch_add_explicit(&class_frees[class_of(h)], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&n_free, 1, memory_order_relaxed);
}

/* Hand @h (held by @tag) to slot @to; false when its queue is full. */
static bool hand(struct lgalloc_handle h, uint64_t tag, unsigned to)
{
	struct slot *sl = &slots[to];
	bool ok = false;

	if (!verify(h, tag, "before handing over"))
		return false;
	pthread_mutex_lock(&sl->lock);
	if (sl->queued < QUEUE_CAP) {
		((struct stamp *)h.ptr)->tag = QUEUE_TAG(to);
		sl->queue[sl->queued++] = h;
		ok = true;
	}
	pthread_mutex_unlock(&sl->lock);
	if (ok)
		atomic_fetch_add_explicit(&n_handed, 1, memory_order_relaxed);
	return ok;
}

/* Take one region from slot @me's queue and make it @tag's. */
static bool take(unsigned me, uint64_t tag, struct lgalloc_handle *h)
{
	struct slot *sl = &slots[me];
	bool got = false;

	pthread_mutex_lock(&sl->lock);
	if (sl->queued) {
		*h = sl->queue[--sl->queued];
		got = true;
	}
	pthread_mutex_unlock(&sl->lock);
	if (!got)
		return false;
	if (verify(*h, QUEUE_TAG(me), "taken from a queue"))
		((struct stamp *)h->ptr)->tag = tag;
	return true;
}

static size_t random_size(uint64_t *rng)
{
	uint64_t r = next_rand(rng);
	unsigned a = (unsigned)(r % (MAX_CI + 1)), b = (unsigned)((r >> 8) % (MAX_CI + 1));
	unsigned ci = a < b ? a : b; /* small classes more often */
	size_t cls;

	if ((r >> 16) % 200 == 0)
		ci = 9; /* 1 GiB */
	cls = (size_t)1 << (LGALLOC_MIN_CLASS + ci);
	/* Any size that rounds up to the class: (cls / 2, cls]. */
	return cls / 2 + 1 + (size_t)((r >> 24) % (cls / 2));
}

static void *worker(void *arg)
{
	unsigned me = (unsigned)(uintptr_t)arg;
	uint64_t tag = atomic_fetch_add(&next_tag, 1);
	uint64_t rng = mix(tag * 7919 + (uint64_t)now_ns());
	long steps = 50 + (long)(next_rand(&rng) % 1000);
	struct lgalloc_handle held[HELD_MAX];
	int n = 0;

	for (long step = 0; step < steps && !atomic_load(&stop); step++) {
		uint64_t r = next_rand(&rng);
		struct lgalloc_handle h;

		if (step % 64 == 0 && now_s() > end_time)
			break;
		if (n < HELD_MAX && take(me, tag, &held[n])) {
			n++;
			continue;
		}
		switch (r % 8) {
		case 0:
		case 1:
		case 2: /* allocate */
			if (n == HELD_MAX)
				break;
			if (lgalloc_allocate(random_size(&rng), &h)) {
				violation("lgalloc_allocate failed");
				break;
			}
			held_insert(h.ptr);
			fill(h, tag, r);
			held[n++] = h;
			atomic_fetch_add_explicit(&class_allocs[class_of(h)], 1, memory_order_relaxed);
			atomic_fetch_add_explicit(&n_alloc, 1, memory_order_relaxed);
			break;
		case 3:
		case 4: /* free one */
			if (n) {
				unsigned i = (unsigned)((r >> 8) % (unsigned)n);

				release(held[i], tag, "before free");
				held[i] = held[--n];
			}
			break;
		case 5:
		case 6: /* hand one to another slot */
			if (n) {
				unsigned i = (unsigned)((r >> 8) % (unsigned)n);
				unsigned to = (me + 1 + (unsigned)((r >> 16) % (SLOTS - 1))) % SLOTS;

				if (hand(held[i], tag, to))
					held[i] = held[--n];
			}
			break;
		case 7: /* use one: check it, write new contents */
			if (n) {
				unsigned i = (unsigned)((r >> 8) % (unsigned)n);

				verify(held[i], tag, "before rewriting");
				fill(held[i], tag, next_rand(&rng));
				atomic_fetch_add_explicit(&n_rewrite, 1, memory_order_relaxed);
			}
		}
	}
	/* Leaving: hand half of what is left on (it outlives this thread in
	 * a queue), free the rest. */
	while (n) {
		struct lgalloc_handle h = held[--n];

		if (n % 2 || !hand(h, tag, (me + 1 + (unsigned)n) % SLOTS))
			release(h, tag, "before free at thread exit");
	}
	atomic_store(&slots[me].done, true);
	return NULL;
}

static void start(unsigned slot)
{
	atomic_store(&slots[slot].done, false);
	assert_int_equal(pthread_create(&slots[slot].thread, NULL, worker, (void *)(uintptr_t)slot), 0);
	atomic_store(&slots[slot].running, true);
	atomic_fetch_add(&n_threads, 1);
}

static void configure_worker(long interval_ms, long clear_bytes)
{
	struct lgalloc_config c;

	lgalloc_config_init(&c);
	c.background_interval_ms = interval_ms;
	c.background_clear_bytes = clear_bytes;
	assert_int_equal(lgalloc_configure(&c), 0);
}

/* Eager return on or off, and a thread-cache budget of 0 .. 256 MiB. */
static void turn_knobs(uint64_t *rng)
{
	static const long budgets[] = {0, 2 * MiB, 8 * MiB, 32 * MiB, 64 * MiB, 256 * MiB};
	uint64_t r = next_rand(rng);

	configure_or_fail(-1, (int)(r % 2), -1, budgets[(r >> 8) % 6]);
	atomic_fetch_add(&n_knobs, 1);
}

static void test_soak(void **state)
{
	(void)state;
	double seconds = stress_seconds(SOAK_DEFAULT_S), t0 = now_s();
	uint64_t rng = 42;
	struct lgalloc_stats s;

	end_time = t0 + seconds;
	for (int i = 0; i < SET_STRIPES; i++)
		pthread_mutex_init(&held_set[i].lock, NULL);
	for (int i = 0; i < SLOTS; i++)
		pthread_mutex_init(&slots[i].lock, NULL);
	configure_worker(1, 1L << 30);
	for (unsigned i = 0; i < SLOTS; i++)
		start(i);
	while (now_s() < end_time) {
		turn_knobs(&rng);
		for (unsigned i = 0; i < SLOTS; i++) {
			if (atomic_load(&slots[i].done)) {
				assert_int_equal(pthread_join(slots[i].thread, NULL), 0);
				start(i);
			}
		}
		sleep_ms(2 + next_rand(&rng) % 8);
	}
	atomic_store(&stop, true);
	for (unsigned i = 0; i < SLOTS; i++)
		assert_int_equal(pthread_join(slots[i].thread, NULL), 0);
	/* What is still queued is freed here, checked like any other. */
	for (unsigned i = 0; i < SLOTS; i++)
		while (slots[i].queued) {
			struct lgalloc_handle h = slots[i].queue[--slots[i].queued];

			release(h, QUEUE_TAG(i), "before free at the end");
		}
	configure_worker(0, -1);
	configure_or_fail(-1, 0, -1, 32 * MiB);

	/* Nothing is held and no thread is mid-call: every class balances. */
	assert_int_equal(lgalloc_stats(&s), 0);
	for (unsigned ci = 0; ci < LGALLOC_NUM_CLASSES; ci++) {
		const struct lgalloc_class_stats *c = &s.classes[ci];
		size_t allocs = atomic_load(&class_allocs[ci]), frees = atomic_load(&class_frees[ci]);

		if (c->allocations != allocs || c->deallocations != frees || allocs != frees)
			violation(
				"class %zu MiB: stats say %zu allocations, %zu frees; the test made %zu, %zu",
				c->class_bytes >> 20, c->allocations, c->deallocations, allocs, frees);
		if (c->free_regions != c->thread_regions + c->global_regions + c->clean_regions ||
		    c->free_regions != c->area_total_bytes / c->class_bytes)
			violation("class %zu MiB: %zu free regions (%zu thread, %zu dirty, %zu clean) in "
				  "areas of %zu "
				  "regions",
				  c->class_bytes >> 20, c->free_regions, c->thread_regions, c->global_regions,
				  c->clean_regions, c->area_total_bytes / c->class_bytes);
	}
	printf("soak: %ld operations (%ld allocations, %ld frees, %ld handed to another thread, %ld "
	       "rewrites), "
	       "%ld threads (%d at a time), %ld setting changes, background worker every 1 ms, %.0f s, "
	       "violations: %ld\n",
	       atomic_load(&n_alloc) + atomic_load(&n_free) + atomic_load(&n_handed) +
		       atomic_load(&n_rewrite),
	       atomic_load(&n_alloc), atomic_load(&n_free), atomic_load(&n_handed), atomic_load(&n_rewrite),
	       atomic_load(&n_threads), SLOTS, atomic_load(&n_knobs), now_s() - t0, atomic_load(&violations));
	assert_int_equal(atomic_load(&violations), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_soak),
	};

	enable();
	return cmocka_run_group_tests_name("soak", tests, NULL, NULL);
}
