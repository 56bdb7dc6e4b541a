/* SPDX-License-Identifier: MIT */
/*
 * An HDR-style latency histogram: values from 0 to 60 s in nanoseconds with
 * 3 significant digits (relative error below 1/1024), as in HdrHistogram
 * with lowest 1, highest 60e9 and 3 digits.  One per thread, merged at the
 * end; not thread-safe.  min, max, count and the sum are exact.
 */
#ifndef LGBENCH_HIST_H
#define LGBENCH_HIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HIST_HIGHEST	  60000000000ULL /* 60 s in ns */
#define HIST_SUB_HALF_MAG 10		 /* 2^11 sub-buckets cover 3 digits */
#define HIST_SUB_HALF	  (1U << HIST_SUB_HALF_MAG)
#define HIST_SUB_COUNT	  (2 * HIST_SUB_HALF)
#define HIST_BUCKETS	  26 /* smallest n with (HIST_SUB_COUNT - 1) << (n - 1) >= HIST_HIGHEST */
#define HIST_COUNTS	  ((HIST_BUCKETS + 1) * HIST_SUB_HALF)

struct hist {
	uint64_t count;
	uint64_t sum;	    /* exact sum of the recorded values */
	uint64_t min, max;  /* exact; min is UINT64_MAX while empty */
	uint64_t saturated; /* values above HIST_HIGHEST, counted at HIST_HIGHEST */
	uint64_t counts[HIST_COUNTS];
};

struct hist *hist_new(void);
void hist_free(struct hist *h);
void hist_reset(struct hist *h);

static inline size_t hist_index(uint64_t v)
{
	unsigned bucket = 63 - __builtin_clzll(v | (HIST_SUB_COUNT - 1)) - HIST_SUB_HALF_MAG;
	uint64_t sub = v >> bucket;

	return ((size_t)(bucket + 1) << HIST_SUB_HALF_MAG) + (size_t)(sub - HIST_SUB_HALF);
}

static inline void hist_record(struct hist *h, uint64_t v)
{
	if (v < h->min)
		h->min = v;
	if (v > h->max)
		h->max = v;
	h->count++;
	h->sum += v;
	if (v > HIST_HIGHEST) {
		h->saturated++;
		v = HIST_HIGHEST;
	}
	h->counts[hist_index(v)]++;
}

void hist_merge(struct hist *dst, const struct hist *src);

/* Lowest and highest value that share counts[idx]. */
uint64_t hist_lowest_equivalent(size_t idx);
uint64_t hist_highest_equivalent(size_t idx);

/*
 * The value at percentile @p (0..100): the highest value equivalent to the
 * recorded one of rank ceil(p/100 * count), clamped to [min, max], so p 0 is
 * min and p 100 is max exactly.  0 when empty.
 */
uint64_t hist_percentile(const struct hist *h, double p);
double hist_mean(const struct hist *h);

/* Values strictly above @v (to the histogram's precision: values equivalent
 * to @v count as not above). */
uint64_t hist_count_above(const struct hist *h, uint64_t v);

/* Walk the non-empty slots: start with *idx = 0; returns false at the end. */
bool hist_next(const struct hist *h, size_t *idx, uint64_t *value, uint64_t *count);

#endif /* LGBENCH_HIST_H */
