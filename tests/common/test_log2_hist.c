// SPDX-License-Identifier: MIT
/* Unit tests of common/log2_hist.c: the printed shape, printed to memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#include "common/log2_hist.h"

/* What log2_hist_print writes, in a malloc'ed string. */
static char *print(const uint64_t *vals, int n, const char *type)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	log2_hist_print(f, vals, n, type);
	fclose(f);
	return buf;
}

static void test_slot(void **state)
{
	(void)state;
	assert_int_equal(log2_slot(0), 0);
	assert_int_equal(log2_slot(1), 0);
	assert_int_equal(log2_slot(2), 1);
	assert_int_equal(log2_slot(3), 1);
	assert_int_equal(log2_slot(4), 2);
	assert_int_equal(log2_slot(1023), 9);
	assert_int_equal(log2_slot(1024), 10);
	assert_int_equal(log2_slot(UINT64_MAX), 63);
}

static void test_empty(void **state)
{
	uint64_t vals[8] = {0};
	char *out = print(vals, 8, "nsecs");

	(void)state;
	assert_string_equal(out, "");
	free(out);
}

/* The libbpf-tools shape; rows from the first to the last non-empty slot. */
static void test_shape(void **state)
{
	uint64_t vals[16] = {0};
	char *out;

	(void)state;
	vals[8] = 3;
	vals[9] = 52;
	vals[11] = 26;
	out = print(vals, 16, "nsecs");
	assert_string_equal(
		out, "     nsecs               : count    distribution\n"
		     "       256 -> 511        : 3        |**                                      |\n"
		     "       512 -> 1023       : 52       |****************************************|\n"
		     "      1024 -> 2047       : 0        |                                        |\n"
		     "      2048 -> 4095       : 26       |********************                    |\n");
	free(out);
}

static void test_first_slots(void **state)
{
	uint64_t vals[3] = {1, 2, 4};
	char *out = print(vals, 3, "usecs");

	(void)state;
	assert_string_equal(
		out, "     usecs               : count    distribution\n"
		     "         0 -> 1          : 1        |**********                              |\n"
		     "         2 -> 3          : 2        |********************                    |\n"
		     "         4 -> 7          : 4        |****************************************|\n");
	free(out);
}

/* A slot above 32: wider columns, 20 stars. */
static void test_wide(void **state)
{
	uint64_t vals[64] = {0};
	char *out;

	(void)state;
	vals[33] = 10;
	vals[34] = 5;
	out = print(vals, 64, "nsecs");
	assert_string_equal(
		out, "               nsecs                         : count    distribution\n"
		     "          8589934592 -> 17179869183          : 10       |********************|\n"
		     "         17179869184 -> 34359738367          : 5        |**********          |\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_slot),  cmocka_unit_test(test_empty),
		cmocka_unit_test(test_shape), cmocka_unit_test(test_first_slots),
		cmocka_unit_test(test_wide),
	};

	return cmocka_run_group_tests_name("common/log2_hist", tests, NULL, NULL);
}
