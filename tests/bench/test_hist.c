// SPDX-License-Identifier: MIT
/* Unit tests of the lgbench histogram against known distributions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <math.h>
#include <cmocka.h>

#include "hist.h"

#define NSAMPLES 200000

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint64_t rng_next(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

/* Uniform in (0, 1]. */
static double rng_unit(void)
{
	return ((double)(rng_next() >> 11) + 1.0) / 9007199254740992.0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The histogram's answer lies in [exact, exact + exact / 1024]: it reports
 * the top of the slot that holds the exact value. */
static void assert_within_precision(uint64_t got, uint64_t exact)
{
	assert_true(got >= exact);
	assert_true(got - exact <= exact / 1024);
}

/* Record @v into @h, then check every percentile of interest against the
 * exact order statistics of @v. */
static void check_against_exact(struct hist *h, uint64_t *v, size_t n)
{
	static const double ps[] = {0.1, 1, 10, 25, 50, 75, 90, 99, 99.9, 99.99};
	uint64_t sum = 0;

	for (size_t i = 0; i < n; i++) {
		hist_record(h, v[i]);
		sum += v[i];
	}
	qsort(v, n, sizeof(*v), cmp_u64);
	assert_int_equal(h->count, n);
	assert_int_equal(h->min, v[0]);
	assert_int_equal(h->max, v[n - 1]);
	assert_int_equal(hist_percentile(h, 0), v[0]);
	assert_int_equal(hist_percentile(h, 100), v[n - 1]);
	assert_true(fabs(hist_mean(h) - (double)sum / (double)n) < 1e-6 * hist_mean(h));
	for (size_t i = 0; i < sizeof(ps) / sizeof(ps[0]); i++) {
		size_t rank = (size_t)ceil(ps[i] / 100.0 * (double)n);
		assert_within_precision(hist_percentile(h, ps[i]), v[rank - 1]);
	}
}

static void test_empty(void **state)
{
	struct hist *h = hist_new();
	size_t idx = 0;
	uint64_t value, count;

	(void)state;
	assert_non_null(h);
	assert_int_equal(h->count, 0);
	assert_int_equal(hist_percentile(h, 50), 0);
	assert_true(hist_mean(h) == 0.0);
	assert_int_equal(hist_count_above(h, 0), 0);
	assert_false(hist_next(h, &idx, &value, &count));
	hist_free(h);
}

static void test_slots(void **state)
{
	uint64_t v = 0;

	(void)state;
	/* Below 2048 every value has its own slot. */
	for (v = 0; v < HIST_SUB_COUNT; v++) {
		assert_int_equal(hist_index(v), v);
		assert_int_equal(hist_lowest_equivalent(v), v);
		assert_int_equal(hist_highest_equivalent(v), v);
	}
	/* Above, slots are contiguous, ordered and no wider than v / 1024. */
	for (v = 1000; v <= HIST_HIGHEST; v += v / 37 + 1) {
		size_t i = hist_index(v);
		uint64_t lo = hist_lowest_equivalent(i), hi = hist_highest_equivalent(i);

		assert_true(i < HIST_COUNTS);
		assert_true(lo <= v && v <= hi);
		assert_true(hi - lo <= v / 1024);
		assert_int_equal(hist_index(hi + 1), i + 1);
		assert_int_equal(hist_lowest_equivalent(i + 1), hi + 1);
	}
	assert_true(hist_index(HIST_HIGHEST) < HIST_COUNTS);
}

static void test_edges(void **state)
{
	struct hist *h = hist_new();

	(void)state;
	hist_record(h, 0);
	hist_record(h, 1);
	hist_record(h, HIST_HIGHEST);
	hist_record(h, HIST_HIGHEST + 12345);
	hist_record(h, UINT64_MAX / 8);
	assert_int_equal(h->count, 5);
	assert_int_equal(h->min, 0);
	assert_int_equal(h->max, UINT64_MAX / 8);
	assert_int_equal(h->saturated, 2);
	assert_int_equal(hist_percentile(h, 0), 0);
	assert_int_equal(hist_percentile(h, 20), 0);
	assert_int_equal(hist_percentile(h, 40), 1);
	assert_within_precision(hist_percentile(h, 60), HIST_HIGHEST);
	assert_int_equal(hist_percentile(h, 100), UINT64_MAX / 8);
	assert_int_equal(hist_count_above(h, 0), 4);
	assert_int_equal(hist_count_above(h, 1), 3);
	hist_free(h);
}

static void test_single_value(void **state)
{
	struct hist *h = hist_new();

	(void)state;
	for (int i = 0; i < 1000; i++)
		hist_record(h, 123456789);
	/* Clamping to [min, max] makes every percentile exact. */
	assert_int_equal(hist_percentile(h, 0.001), 123456789);
	assert_int_equal(hist_percentile(h, 50), 123456789);
	assert_int_equal(hist_percentile(h, 99.999), 123456789);
	assert_true(hist_mean(h) == 123456789.0);
	hist_free(h);
}

static void test_uniform(void **state)
{
	struct hist *h = hist_new();
	uint64_t *v = malloc(NSAMPLES * sizeof(*v));

	(void)state;
	assert_non_null(v);
	for (size_t i = 0; i < NSAMPLES; i++)
		v[i] = 1 + rng_next() % 10000000;
	check_against_exact(h, v, NSAMPLES);
	/* And against the distribution itself, to a sampling tolerance. */
	assert_true(fabs((double)hist_percentile(h, 50) - 5e6) < 5e4);
	assert_true(fabs((double)hist_percentile(h, 99) - 9.9e6) < 5e4);
	free(v);
	hist_free(h);
}

static void test_exponential(void **state)
{
	struct hist *h = hist_new();
	uint64_t *v = malloc(NSAMPLES * sizeof(*v));
	const double mean = 80000;

	(void)state;
	assert_non_null(v);
	for (size_t i = 0; i < NSAMPLES; i++)
		v[i] = (uint64_t)(-mean * log(rng_unit()));
	check_against_exact(h, v, NSAMPLES);
	/* The median of an exponential is mean * ln 2. */
	assert_true(fabs((double)hist_percentile(h, 50) / (mean * log(2)) - 1) < 0.02);
	free(v);
	hist_free(h);
}

/* Resident hits and swap-ins: the paging benchmark's shape. */
static void test_bimodal(void **state)
{
	struct hist *h = hist_new();
	uint64_t *v = malloc(NSAMPLES * sizeof(*v));

	(void)state;
	assert_non_null(v);
	for (size_t i = 0; i < NSAMPLES; i++)
		v[i] = (i & 1) ? 60000 + rng_next() % 40000 : 150 + rng_next() % 150;
	check_against_exact(h, v, NSAMPLES);
	assert_true(hist_percentile(h, 49) < 300);
	assert_true(hist_percentile(h, 51) >= 60000);
	assert_int_equal(hist_count_above(h, 1000), NSAMPLES / 2);
	assert_int_equal(hist_count_above(h, 100000), 0);
	free(v);
	hist_free(h);
}

static void test_merge(void **state)
{
	struct hist *a = hist_new(), *b = hist_new(), *all = hist_new(), *empty = hist_new();

	(void)state;
	for (int i = 0; i < 50000; i++) {
		uint64_t x = rng_next() % 1000000, y = rng_next() % 30000000000ULL;

		hist_record(a, x);
		hist_record(b, y);
		hist_record(all, x);
		hist_record(all, y);
	}
	hist_merge(a, b);
	hist_merge(a, empty);
	assert_memory_equal(a, all, sizeof(*a));
	hist_merge(empty, all);
	assert_memory_equal(empty, all, sizeof(*a));
	hist_free(a);
	hist_free(b);
	hist_free(all);
	hist_free(empty);
}

static void test_walk(void **state)
{
	struct hist *h = hist_new();
	size_t idx = 0;
	uint64_t value, count, total = 0, last = 0;

	(void)state;
	for (uint64_t v = 1; v < HIST_HIGHEST; v *= 3)
		hist_record(h, v);
	while (hist_next(h, &idx, &value, &count)) {
		assert_true(value > last || total == 0);
		last = value;
		total += count;
	}
	assert_int_equal(total, h->count);
	hist_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),	cmocka_unit_test(test_slots),
		cmocka_unit_test(test_edges),	cmocka_unit_test(test_single_value),
		cmocka_unit_test(test_uniform), cmocka_unit_test(test_exponential),
		cmocka_unit_test(test_bimodal), cmocka_unit_test(test_merge),
		cmocka_unit_test(test_walk),
	};

	return cmocka_run_group_tests_name("lgbench histogram", tests, NULL, NULL);
}
