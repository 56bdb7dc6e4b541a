// SPDX-License-Identifier: MIT
/* The HDR-style histogram of hist.h. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "hist.h"

struct hist *hist_new(void)
{
	struct hist *h = malloc(sizeof(*h));

	if (!h)
		return NULL;
	hist_reset(h);
	/* Every page written now, through volatile stores: the compiler may
	 * turn malloc + memset(0) into calloc, whose fresh pages would each
	 * fault at their first hist_record(), inside a measured window, as
	 * faults of lgbench's own (lgtrace --bench saw ~11 per lgalloc row). */
	for (size_t off = 0; off < sizeof(*h); off += 4096)
		((volatile unsigned char *)h)[off] = 0;
	return h;
}

void hist_free(struct hist *h)
{
	free(h);
}

void hist_reset(struct hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

void hist_merge(struct hist *dst, const struct hist *src)
{
	if (!src->count)
		return;
	dst->count += src->count;
	dst->sum += src->sum;
	dst->saturated += src->saturated;
	if (src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	for (size_t i = 0; i < HIST_COUNTS; i++)
		dst->counts[i] += src->counts[i];
}

/* Slot idx holds sub-bucket sub of bucket b: values sub << b up to the next
 * multiple of 1 << b.  The first HIST_SUB_COUNT slots are all bucket 0. */
static unsigned slot_bucket(size_t idx)
{
	size_t b = idx >> HIST_SUB_HALF_MAG;

	return b ? (unsigned)b - 1 : 0;
}

uint64_t hist_lowest_equivalent(size_t idx)
{
	unsigned b = slot_bucket(idx);
	uint64_t sub = idx < HIST_SUB_COUNT ? idx : (idx & (HIST_SUB_HALF - 1)) + HIST_SUB_HALF;

	return sub << b;
}

uint64_t hist_highest_equivalent(size_t idx)
{
	return hist_lowest_equivalent(idx) + (1ULL << slot_bucket(idx)) - 1;
}

static uint64_t clamp(const struct hist *h, uint64_t v)
{
	return v < h->min ? h->min : v > h->max ? h->max : v;
}

uint64_t hist_percentile(const struct hist *h, double p)
{
	uint64_t rank, seen = 0;

	if (!h->count)
		return 0;
	if (p <= 0)
		return h->min;
	if (p >= 100)
		return h->max;
	rank = (uint64_t)ceil(p / 100.0 * (double)h->count);
	if (rank < 1)
		rank = 1;
	for (size_t i = 0; i < HIST_COUNTS; i++) {
		seen += h->counts[i];
		if (seen >= rank)
			return clamp(h, hist_highest_equivalent(i));
	}
	return h->max;
}

double hist_mean(const struct hist *h)
{
	return h->count ? (double)h->sum / (double)h->count : 0.0;
}

uint64_t hist_count_above(const struct hist *h, uint64_t v)
{
	uint64_t above = 0;

	if (v > HIST_HIGHEST)
		v = HIST_HIGHEST;
	for (size_t i = hist_index(v) + 1; i < HIST_COUNTS; i++)
		above += h->counts[i];
	return above;
}

bool hist_next(const struct hist *h, size_t *idx, uint64_t *value, uint64_t *count)
{
	for (size_t i = *idx; i < HIST_COUNTS; i++) {
		if (h->counts[i]) {
			*value = hist_highest_equivalent(i);
			*count = h->counts[i];
			*idx = i + 1;
			return true;
		}
	}
	*idx = HIST_COUNTS;
	return false;
}
