// SPDX-License-Identifier: MIT
/* Unit tests of common/log2_hist.c: lgtrace's layout, printed to memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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

static void test_empty(void **state)
{
	uint64_t vals[8] = {0};
	char *out = print(vals, 8, "nsecs");

	(void)state;
	assert_string_equal(out, "");
	free(out);
}

/* lgtrace's layout, to the byte; rows from the first to the last non-empty slot. */
static void test_shape(void **state)
{
	uint64_t vals[16] = {0};
	char *out;

	(void)state;
	vals[8] = 3;
	vals[9] = 52;
	vals[11] = 26;
	out = print(vals, 16, "ns");
	assert_string_equal(
		out, "                    ns : count      distribution\n"
		     "        256 -> 511       : 3          |**                                      |\n"
		     "        512 -> 1023      : 52         |****************************************|\n"
		     "       1024 -> 2047      : 0          |                                        |\n"
		     "       2048 -> 4095      : 26         |********************                    |\n");
	free(out);
}

static void test_first_slots(void **state)
{
	uint64_t vals[3] = {1, 2, 4};
	char *out = print(vals, 3, "usecs");

	(void)state;
	assert_string_equal(
		out, "                 usecs : count      distribution\n"
		     "          0 -> 1         : 1          |**********                              |\n"
		     "          2 -> 3         : 2          |********************                    |\n"
		     "          4 -> 7         : 4          |****************************************|\n");
	free(out);
}

/* Wide bounds push the columns right (the layout keeps its minimum widths);
 * slot 63 ends at UINT64_MAX. */
static void test_wide(void **state)
{
	uint64_t vals[64] = {0};
	char *out;

	(void)state;
	vals[33] = 10;
	vals[34] = 5;
	out = print(vals, 64, "ns");
	assert_string_equal(
		out,
		"                    ns : count      distribution\n"
		"  8589934592 -> 17179869183 : 10         |****************************************|\n"
		"  17179869184 -> 34359738367 : 5          |********************                    |\n");
	free(out);
	memset(vals, 0, sizeof(vals));
	vals[63] = 1;
	out = print(vals, 64, "ns");
	assert_string_equal(out, "                    ns : count      distribution\n"
				 "  9223372036854775808 -> 18446744073709551615 : 1          "
				 "|****************************************|\n");
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_first_slots),
		cmocka_unit_test(test_wide),
	};

	return cmocka_run_group_tests_name("common/log2_hist", tests, NULL, NULL);
}
