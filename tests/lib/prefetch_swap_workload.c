// SPDX-License-Identifier: MIT
/*
 * prefetch_swap_workload LIMIT_MIB: run under a memory limit of LIMIT_MIB
 * with swap (see tests/lib/prefetch_swap_test.sh).  Leases and writes 4x the
 * limit, so the early regions are swapped out, then reads three equally
 * swapped sets of regions, chunk by chunk and in turn: set A after
 * lgalloc_prefetch_async() on all of the chunk, a submit and a pause; set B
 * without a hint; set C after the hints and lgalloc_prefetch_wait() on each
 * region just before it is read, no pause.  Prints the major faults of
 * each (getrusage) and exits 0 when A and C each took fewer than B, 1 when
 * not, 2 on a setup error.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <time.h>

#include "lgalloc.h"

#define REGION	 (2UL << 20)
#define PAGE	 4096UL
#define CHUNK	 4 /* regions per measured chunk: 8 MiB */
#define HINT	 (64 * PAGE)
#define PAUSE_MS 200
#define SETS	 3 /* A, B, C: every third region */

static long majflt(void)
{
	struct rusage ru;

	getrusage(RUSAGE_THREAD, &ru);
	return ru.ru_majflt;
}

static unsigned long read_region(const unsigned char *p)
{
	unsigned long sum = 0;

	for (size_t off = 0; off < REGION; off += PAGE)
		sum += ((volatile const unsigned char *)p)[off];
	return sum;
}

/* Share of the pages of @n regions from @h[0] (every @step-th) in memory. */
static double resident(struct lgalloc_handle *h, size_t n, size_t step)
{
	unsigned char vec[REGION / PAGE];
	size_t in = 0;

	for (size_t i = 0; i < n; i++) {
		if (mincore(h[i * step].ptr, REGION, vec))
			return -1;
		for (size_t j = 0; j < REGION / PAGE; j++)
			in += vec[j] & 1;
	}
	return (double)in / (double)(n * (REGION / PAGE));
}

static void die(const char *what, int err)
{
	fprintf(stderr, "prefetch_swap_workload: %s: %s\n", what, lgalloc_strerror(err));
	exit(2);
}

static void hint_chunk(struct lgalloc_handle *set, size_t k)
{
	int err;

	for (size_t i = k * CHUNK; i < (k + 1) * CHUNK; i++)
		for (size_t off = 0; off < REGION; off += HINT)
			if ((err = lgalloc_prefetch_async(set[SETS * i], off, HINT)))
				die("lgalloc_prefetch_async", err);
}

/* Major faults reading chunk @k of @set, each region after
 * lgalloc_prefetch_wait() on it when @wait. */
static long read_chunk(struct lgalloc_handle *set, size_t k, bool wait, unsigned long *sum)
{
	long f0 = majflt();
	int err;

	for (size_t i = k * CHUNK; i < (k + 1) * CHUNK; i++) {
		if (wait && (err = lgalloc_prefetch_wait(set[SETS * i], 0, REGION)))
			die("lgalloc_prefetch_wait", err);
		*sum += read_region(set[SETS * i].ptr);
	}
	return majflt() - f0;
}

int main(int argc, char **argv)
{
	long limit_mib = argc > 1 ? atol(argv[1]) : 64;
	size_t total = (size_t)limit_mib * 4 << 20, n = total / REGION;
	struct lgalloc_handle *h = calloc(n, sizeof(*h));
	struct lgalloc_config c;
	struct lgalloc_stats before, after;
	struct timespec pause = {0, PAUSE_MS * 1000000L};
	unsigned long sum = 0;
	long fa = 0, fb = 0, fc = 0;
	int err;

	if (limit_mib < 16 || !h)
		die("usage: prefetch_swap_workload LIMIT_MIB (16 or more)", 0);
	lgalloc_config_init(&c);
	c.enabled = 1;
	if ((err = lgalloc_configure(&c)))
		die("lgalloc_configure", err);
	for (size_t i = 0; i < n; i++) {
		if ((err = lgalloc_allocate(REGION, &h[i])))
			die("lgalloc_allocate", err);
		for (size_t off = 0; off < REGION; off += PAGE)
			((unsigned char *)h[i].ptr)[off] = (unsigned char)(i + off / PAGE);
	}

	/* The first half was written longest ago: swapped out by now.  A, B
	 * and C take its regions in turn, so all three are equally old. */
	size_t half = n / 2, per_set = half / SETS, chunks = per_set / CHUNK;
	struct lgalloc_handle *a = h, *b = h + 1, *cs = h + 2;
	printf("limit %ld MiB, %zu MiB written; resident before: A %.0f%%, B %.0f%%, C %.0f%%\n", limit_mib,
	       total >> 20, 100 * resident(a, per_set, SETS), 100 * resident(b, per_set, SETS),
	       100 * resident(cs, per_set, SETS));
	lgalloc_stats(&before);
	for (size_t k = 0; k < chunks; k++) {
		hint_chunk(a, k);
		if ((err = lgalloc_prefetch_submit()))
			die("lgalloc_prefetch_submit", err);
		nanosleep(&pause, NULL);
		fa += read_chunk(a, k, false, &sum);
		fb += read_chunk(b, k, false, &sum);
		hint_chunk(cs, k);
		if ((err = lgalloc_prefetch_submit()))
			die("lgalloc_prefetch_submit", err);
		fc += read_chunk(cs, k, true, &sum);
	}
	lgalloc_prefetch_submit();
	lgalloc_stats(&after);
	struct lgalloc_class_stats *s0 = &before.classes[0], *s1 = &after.classes[0];
	printf("hints: %zu async, %zu sync, %zu completed, %zu failed\n",
	       s1->prefetch_async - s0->prefetch_async, s1->prefetch_sync - s0->prefetch_sync,
	       s1->prefetch_completed - s0->prefetch_completed, s1->prefetch_failed - s0->prefetch_failed);
	printf("%zu MiB each: major faults with async hint and pause (A) %ld, without hint (B) %ld, "
	       "with async hint and lgalloc_prefetch_wait (C) %ld (checksum %lu)\n",
	       chunks * CHUNK * REGION >> 20, fa, fb, fc, sum);
	for (size_t i = 0; i < n; i++)
		lgalloc_deallocate(h[i]);
	free(h);
	return fa < fb && fc < fb ? 0 : 1;
}
