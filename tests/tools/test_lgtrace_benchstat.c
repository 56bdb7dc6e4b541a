// SPDX-License-Identifier: MIT
/*
 * lgtrace --bench's arithmetic (tools/lgtrace/benchstat.c) on made-up rows:
 * the slots against the BPF side's lgt_bench_slot(), the share of a slot
 * over a threshold, the tail by cause (counts, means, time shares), the
 * log2 CCDF bands, and the JSON's nulls.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "benchstat.h"

/* Every value below 2^20 lands in the slot whose bounds hold it. */
static void test_slots_hold_their_values(void **state)
{
	(void)state;
	for (unsigned long long v = 0; v < (1ULL << 20); v += 1 + v / 97) {
		unsigned s = lgt_bench_slot(v);

		assert_true(bench_slot_lower(s) <= v);
		assert_true(v < bench_slot_lower(s + 1) || bench_slot_lower(s + 1) <= bench_slot_lower(s));
	}
	/* 1/16 octave: 1000 ns is in [992, 1024). */
	assert_int_equal(bench_slot_lower(lgt_bench_slot(1000)), 992);
	assert_int_equal(bench_slot_lower(lgt_bench_slot(1000) + 1), 1024);
	/* Small values a slot each. */
	assert_int_equal(bench_slot_lower(lgt_bench_slot(5)), 5);
	assert_int_equal(bench_slot_lower(lgt_bench_slot(6)), 6);
	assert_int_equal(lgt_bench_slot(1ULL << 50), LGT_BENCH_SLOTS - 1);
}

static void test_fraction_above(void **state)
{
	(void)state;
	assert_true(bench_fraction_above(100, 200, 50) == 1.0);
	assert_true(bench_fraction_above(100, 200, 199) == 0.0);
	assert_true(bench_fraction_above(100, 200, 250) == 0.0);
	/* Integers 150..199 of 100..199 are over 149. */
	assert_true(fabs(bench_fraction_above(100, 200, 149) - 0.5) < 1e-12);
	assert_true(bench_fraction_above(100, 100, 0) == 0.0);
}

/* Put @n operations of @ns each, cause @c, into @r. */
static void put(struct lgt_bench_row *r, int c, unsigned long long ns, unsigned long long n)
{
	unsigned s = lgt_bench_slot(ns);

	r->hist[c][s] += n;
	r->hist_ns[c][s] += n * ns;
}

static void test_tail_by_cause(void **state)
{
	struct lgt_bench_row *r = calloc(1, sizeof(*r));
	struct bench_tail t;

	(void)state;
	put(r, LGT_C_NONE, 40, 9900);	   /* the body */
	put(r, LGT_C_OFFCPU, 1000000, 60); /* 60 ops of 1 ms */
	put(r, LGT_C_MINOR, 4000, 40);	   /* 40 ops of 4 us */
	bench_tail(r, 100, &t);
	assert_true(fabs(t.ops - 100) < 1e-9);
	assert_true(fabs(t.cause[LGT_C_OFFCPU].ops - 60) < 1e-9);
	assert_true(fabs(t.cause[LGT_C_MINOR].ops - 40) < 1e-9);
	assert_true(t.cause[LGT_C_NONE].ops == 0);
	/* Means and the time: 60 ms of 60.16 ms off-CPU. */
	assert_true(fabs(t.cause[LGT_C_OFFCPU].ns / t.cause[LGT_C_OFFCPU].ops - 1e6) < 1e-6);
	assert_true(fabs(t.cause[LGT_C_MINOR].ns / t.cause[LGT_C_MINOR].ops - 4000) < 1e-6);
	assert_true(fabs(t.cause[LGT_C_OFFCPU].ns / t.ns - 60e6 / 60.16e6) < 1e-9);
	/* A threshold over everything: an empty tail. */
	bench_tail(r, 10000000, &t);
	assert_true(t.ops == 0 && t.ns == 0);
	free(r);
}

static void test_bands(void **state)
{
	struct lgt_bench_row *r = calloc(1, sizeof(*r));
	struct bench_band b[LGT_HIST_SLOTS];
	int n;

	(void)state;
	put(r, LGT_C_NONE, 40, 100);	/* [32, 64) */
	put(r, LGT_C_NONE, 60, 5);	/* [32, 64) */
	put(r, LGT_C_SWAPIN, 70000, 7); /* [65536, 131072) */
	put(r, LGT_C_OFFCPU, 100000, 3);
	n = bench_bands(r, b);
	assert_int_equal(n, 2);
	assert_int_equal(b[0].lower_ns, 32);
	assert_int_equal(b[0].upper_ns, 64);
	assert_true(b[0].ops == 105 && b[0].by_cause[LGT_C_NONE] == 105);
	assert_int_equal(b[1].lower_ns, 65536);
	assert_true(b[1].ops == 10 && b[1].by_cause[LGT_C_SWAPIN] == 7 && b[1].by_cause[LGT_C_OFFCPU] == 3);
	free(r);
}

static void test_json_nulls(void **state)
{
	struct lgt_bench_row *rows = calloc(2, sizeof(*rows));
	struct lgt_bench_work work[2] = {{{0}}};
	struct bench_report b = {.stride = 4096, .slow_ns = 0, .rows = rows, .work = work, .nrows = 2};
	json_t *j, *row, *c;

	(void)state;
	for (int k = 0; k < LGT_NUM_CAUSES; k++)
		b.have_cause[k] = k != LGT_C_OFFCPU;
	for (int k = 0; k < LGT_NUM_WORK; k++)
		b.have_work[k] = k != LGT_W_LOCK_CONT;
	rows[0] = (struct lgt_bench_row){.seen = 1,
					 .ended = 1,
					 .threads = 1,
					 .ops = 1000,
					 .window_ns = 500000000,
					 .p50_ns = 40,
					 .p99_ns = 100,
					 .mode = "throughput",
					 .name = "x"};
	put(&rows[0], LGT_C_MINOR, 4000, 10);
	put(&rows[0], LGT_C_NONE, 40, 990);
	work[0].v[LGT_W_MINOR] = 5120;
	/* Row 1 did not run (seen 0): left out. */
	j = bench_json(&b);
	assert_non_null(j);
	assert_int_equal(json_array_size(json_object_get(j, "rows")), 1);
	assert_string_equal(json_string_value(json_object_get(json_object_get(j, "sampling"), "how")),
			    "every 4096th operation of each thread");
	row = json_array_get(json_object_get(j, "rows"), 0);
	assert_true(json_real_value(json_object_get(row, "ops_per_sec")) == 2000.0);
	assert_true(json_real_value(json_object_get(json_object_get(row, "per_op"), "minor_faults")) == 5.12);
	assert_true(json_is_null(json_object_get(json_object_get(row, "per_op"), "mmap_lock_contended")));
	c = json_object_get(json_object_get(row, "tail"), "causes");
	assert_true(json_is_null(json_object_get(c, "off_cpu")));
	assert_int_equal(json_integer_value(json_object_get(json_object_get(c, "minor_fault"), "ops")), 10);
	assert_true(json_real_value(json_object_get(json_object_get(c, "minor_fault"), "share")) == 1.0);
	assert_true(json_is_null(json_object_get(json_object_get(c, "none"), "mean_ns")));
	assert_true(json_is_null(json_object_get(
		json_object_get(json_array_get(json_object_get(row, "ccdf"), 0), "by_cause"), "off_cpu")));
	json_decref(j);
	/* A failed row: its figures null, no tail.  Rows beyond those kept:
	 * counted. */
	rows[0].status = -12;
	b.rows_dropped = 3;
	j = bench_json(&b);
	row = json_array_get(json_object_get(j, "rows"), 0);
	assert_true(json_is_null(json_object_get(row, "ops_per_sec")) &&
		    json_is_null(json_object_get(row, "tail")) &&
		    json_is_null(json_object_get(row, "per_op")));
	assert_int_equal(json_integer_value(json_object_get(j, "rows_dropped")), 3);
	json_decref(j);
	free(rows);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slots_hold_their_values),
		cmocka_unit_test(test_fraction_above),
		cmocka_unit_test(test_tail_by_cause),
		cmocka_unit_test(test_bands),
		cmocka_unit_test(test_json_nulls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
