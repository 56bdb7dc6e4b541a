// SPDX-License-Identifier: MIT
/* Unit tests of common/parse.c: sizes, numbers, seconds, lists. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "common/parse.h"

static void test_size_parse(void **state)
{
	static const struct {
		const char *s;
		uint64_t v;
	} good[] = {
		{"0", 0},
		{"65536", 65536},
		{"1K", 1024},
		{"512M", 512ULL << 20},
		{"512m", 512ULL << 20},
		{"4G", 4ULL << 30},
		{"4GiB", 4ULL << 30},
		{"4gb", 4ULL << 30},
		{"2T", 2ULL << 40},
		{"16777215T", 16777215ULL << 40},
		{"18446744073709551615", UINT64_MAX},
	};
	static const struct {
		const char *s;
		int err;
	} bad[] = {
		{"", -EINVAL},
		{"M", -EINVAL},
		{"-1", -EINVAL},
		{" 1", -EINVAL},
		{"1.5G", -EINVAL},
		{"4X", -EINVAL},
		{"4GG", -EINVAL},
		{"4G ", -EINVAL},
		{"4Gi", -EINVAL},
		{"16777216T", -ERANGE},
		{"18446744073709551616", -ERANGE},
		{"99999999999999999999999K", -ERANGE},
	};
	uint64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		v = 1;
		assert_int_equal(size_parse(good[i].s, &v), 0);
		assert_true(v == good[i].v);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		v = 7;
		assert_int_equal(size_parse(bad[i].s, &v), bad[i].err);
		assert_true(v == 7);
	}
}

static char *size_format_short(uint64_t bytes, char *buf, size_t len)
{
	return size_format(bytes, SIZE_SHORT, buf, len);
}

static void test_size_format(void **state)
{
	char buf[SIZE_FORMAT_LEN];
	uint64_t back;

	(void)state;
	assert_string_equal(size_format_short(0, buf, sizeof(buf)), "0");
	assert_string_equal(size_format_short(1000, buf, sizeof(buf)), "1000");
	assert_string_equal(size_format_short(1024, buf, sizeof(buf)), "1K");
	assert_string_equal(size_format_short(1025, buf, sizeof(buf)), "1.0K");
	assert_string_equal(size_format_short(1536 << 10, buf, sizeof(buf)), "1.5M");
	assert_string_equal(size_format_short(48ULL << 20, buf, sizeof(buf)), "48M");
	assert_string_equal(size_format_short(3ULL << 29, buf, sizeof(buf)), "1.5G");
	assert_string_equal(size_format_short(4097ULL << 20, buf, sizeof(buf)), "4.0G");
	assert_string_equal(size_format_short(4ULL << 40, buf, sizeof(buf)), "4T");
	assert_string_equal(size_format_short(UINT64_MAX, buf, sizeof(buf)), "16777216.0T");
	/* What it writes of whole units reads back. */
	assert_int_equal(size_parse(size_format_short(768ULL << 30, buf, sizeof(buf)), &back), 0);
	assert_true(back == 768ULL << 30);
}

/* lgbench's style: what bench/util.c's format_bytes printed at a28f9d8. */
static void test_size_format_iec(void **state)
{
	char buf[SIZE_FORMAT_LEN];

	(void)state;
	assert_string_equal(size_format(0, SIZE_IEC, buf, sizeof(buf)), "0 B");
	assert_string_equal(size_format(1000, SIZE_IEC, buf, sizeof(buf)), "1000 B");
	assert_string_equal(size_format(1024, SIZE_IEC, buf, sizeof(buf)), "1 KiB");
	assert_string_equal(size_format(1025, SIZE_IEC, buf, sizeof(buf)), "1.0 KiB");
	assert_string_equal(size_format(1536 << 10, SIZE_IEC, buf, sizeof(buf)), "1.5 MiB");
	assert_string_equal(size_format(256ULL << 20, SIZE_IEC, buf, sizeof(buf)), "256 MiB");
	assert_string_equal(size_format(2ULL << 30, SIZE_IEC, buf, sizeof(buf)), "2 GiB");
	assert_string_equal(size_format((2ULL << 30) + 1, SIZE_IEC, buf, sizeof(buf)), "2.0 GiB");
	assert_string_equal(size_format(4097ULL << 20, SIZE_IEC, buf, sizeof(buf)), "4.0 GiB");
	assert_string_equal(size_format(4ULL << 40, SIZE_IEC, buf, sizeof(buf)), "4 TiB");
	assert_string_equal(size_format(5000ULL << 40, SIZE_IEC, buf, sizeof(buf)), "5000 TiB");
	assert_string_equal(size_format(UINT64_MAX, SIZE_IEC, buf, sizeof(buf)), "16777216 TiB");
}

static void test_parse_ulong(void **state)
{
	unsigned long v = 9;

	(void)state;
	assert_int_equal(parse_ulong("0", 0, 10, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(parse_ulong("4096", 1, 4096, &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(parse_ulong("4097", 1, 4096, &v), -ERANGE);
	assert_int_equal(parse_ulong("0", 1, 4096, &v), -ERANGE);
	assert_int_equal(parse_ulong("99999999999999999999999", 0, ~0UL, &v), -ERANGE);
	assert_int_equal(parse_ulong("", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_ulong("-1", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_ulong("+1", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_ulong(" 1", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_ulong("1x", 0, 10, &v), -EINVAL);
	assert_int_equal(parse_ulong(NULL, 0, 10, &v), -EINVAL);
	assert_int_equal(v, 4096);
}

static void test_parse_seconds(void **state)
{
	double v = 0;

	(void)state;
	assert_int_equal(parse_seconds("2", 1e7, &v), 0);
	assert_true(v == 2.0);
	assert_int_equal(parse_seconds("0.25", 1e7, &v), 0);
	assert_true(v == 0.25);
	assert_int_equal(parse_seconds("1e-3", 1e7, &v), 0);
	assert_true(v == 1e-3);
	assert_int_equal(parse_seconds("0", 1e7, &v), -EINVAL);
	assert_int_equal(parse_seconds("-1", 1e7, &v), -EINVAL);
	assert_int_equal(parse_seconds("nan", 1e7, &v), -EINVAL);
	assert_int_equal(parse_seconds("", 1e7, &v), -EINVAL);
	assert_int_equal(parse_seconds("1s", 1e7, &v), -EINVAL);
	assert_int_equal(parse_seconds("1e8", 1e7, &v), -ERANGE);
	assert_int_equal(parse_seconds("inf", 1e7, &v), -ERANGE);
	assert_true(v == 1e-3);
}

static void test_list_has(void **state)
{
	(void)state;
	assert_true(list_has("rw,memory", ',', "memory"));
	assert_true(list_has("memory,rw", ',', "memory"));
	assert_true(list_has("memory", ',', "memory"));
	assert_true(list_has("rw,memory\n", ',', "memory"));
	assert_true(list_has("cpu io memory pids\n", ' ', "memory"));
	assert_true(list_has("lgalloc,ideal-pool", ',', "ideal-pool"));
	assert_false(list_has("rw,memory_recursiveprot", ',', "memory"));
	assert_false(list_has("rw,nomemory", ',', "memory"));
	assert_false(list_has("rw,mem", ',', "memory"));
	assert_false(list_has("cpu io memory", ',', "memory"));
	assert_false(list_has("", ',', "memory"));
	assert_false(list_has("a,,b", ',', ""));
	assert_false(list_has(NULL, ',', "memory"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_size_parse),	cmocka_unit_test(test_size_format),
		cmocka_unit_test(test_size_format_iec), cmocka_unit_test(test_parse_ulong),
		cmocka_unit_test(test_parse_seconds),	cmocka_unit_test(test_list_has),
	};

	return cmocka_run_group_tests_name("common/parse", tests, NULL, NULL);
}
