// SPDX-License-Identifier: MIT
/*
 * Fuzz target for common/parse.c: size_parse, size_format (round trip),
 * parse_ulong, parse_seconds and list_has (against a plain reference).
 * The first byte picks the function; the rest is its input.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>

#include "common/parse.h"
#include "fuzz_util.h"

static uint64_t u64_of(const uint8_t *d, size_t n)
{
	uint64_t v = 0;

	for (size_t i = 0; i < n && i < 8; i++)
		v = v << 8 | d[i];
	return v;
}

/* size_format's short text reads back as the same size when it is whole;
 * the IEC text ("2.0 GiB", lgbench's) fits its buffer. */
static void check_format(uint64_t v)
{
	char buf[SIZE_FORMAT_LEN];
	uint64_t back;
	int err;

	size_format(v, SIZE_IEC, buf, sizeof(buf));
	if (strlen(buf) >= SIZE_FORMAT_LEN - 1)
		fuzz_fail("size_format(%llu, SIZE_IEC) = '%s' fills the buffer", (unsigned long long)v, buf);
	size_format(v, SIZE_SHORT, buf, sizeof(buf));
	if (strlen(buf) >= SIZE_FORMAT_LEN - 1)
		fuzz_fail("size_format(%llu) = '%s' fills the buffer", (unsigned long long)v, buf);
	err = size_parse(buf, &back);
	if (strchr(buf, '.')) {
		if (err != -EINVAL)
			fuzz_fail("size_parse('%s') = %d, want -EINVAL", buf, err);
	} else if (err || back != v) {
		fuzz_fail("size_format(%llu) = '%s' reads back as %llu (%d)", (unsigned long long)v, buf,
			  (unsigned long long)back, err);
	}
}

static void fuzz_size(const char *s)
{
	uint64_t v = 12345;
	int err = size_parse(s, &v);

	if (err != 0 && err != -EINVAL && err != -ERANGE)
		fuzz_fail("size_parse('%s') = %d", s, err);
	if (err) {
		if (v != 12345)
			fuzz_fail("size_parse('%s') failed but wrote %llu", s, (unsigned long long)v);
		return;
	}
	if (!isdigit((unsigned char)s[0]))
		fuzz_fail("size_parse('%s') accepted a non-digit start", s);
	/* Digits alone are bytes. */
	if (strspn(s, "0123456789") == strlen(s) && v != strtoull(s, NULL, 10))
		fuzz_fail("size_parse('%s') = %llu", s, (unsigned long long)v);
	check_format(v);
}

static void fuzz_ulong(const uint8_t *d, size_t n)
{
	unsigned long min, max, v = 777;
	char *s;
	int err;

	if (n < 2)
		return;
	min = d[0] % 4 == 0 ? 0 : d[0];
	max = d[1] % 4 == 0 ? ULONG_MAX : min + d[1] * 1000UL;
	s = fuzz_string(d + 2, n - 2);
	err = parse_ulong(s, min, max, &v);
	if (err == 0) {
		if (v < min || v > max || strspn(s, "0123456789") != strlen(s) || v != strtoul(s, NULL, 10))
			fuzz_fail("parse_ulong('%s', %lu, %lu) = %lu", s, min, max, v);
	} else if (err != -EINVAL && err != -ERANGE) {
		fuzz_fail("parse_ulong('%s') = %d", s, err);
	} else if (v != 777) {
		fuzz_fail("parse_ulong('%s') failed but wrote %lu", s, v);
	} else if (err == -EINVAL && s[0] && strspn(s, "0123456789") == strlen(s)) {
		fuzz_fail("parse_ulong('%s') = -EINVAL for digits", s);
	}
	free(s);
}

static void fuzz_seconds(const uint8_t *d, size_t n)
{
	double max, v = -7;
	char *s;
	int err;

	if (n < 1)
		return;
	max = d[0] ? d[0] * 1000.0 : 1e7;
	s = fuzz_string(d + 1, n - 1);
	err = parse_seconds(s, max, &v);
	if (err == 0) {
		if (!(v > 0) || v > max || isnan(v))
			fuzz_fail("parse_seconds('%s', %g) = %g", s, max, v);
	} else if ((err != -EINVAL && err != -ERANGE) || v != -7) {
		fuzz_fail("parse_seconds('%s') = %d, wrote %g", s, err, v);
	}
	free(s);
}

/* The reference: split LIST (one trailing newline dropped) at SEP. */
static bool list_has_ref(const char *list, char sep, const char *word)
{
	size_t len = strlen(list), wlen = strlen(word);
	const char *p = list, *end;

	if (len && list[len - 1] == '\n')
		len--;
	if (!wlen)
		return false;
	for (;;) {
		end = memchr(p, sep, (size_t)(list + len - p));
		if (!end)
			end = list + len;
		if ((size_t)(end - p) == wlen && !memcmp(p, word, wlen))
			return true;
		if (end == list + len)
			return false;
		p = end + 1;
	}
}

static void fuzz_list(const uint8_t *d, size_t n)
{
	const uint8_t *split;
	char *list, *word, sep;
	size_t ll;

	if (n < 2)
		return;
	sep = (char)(d[0] ? d[0] : ',');
	split = memchr(d + 1, 0, n - 1);
	if (!split)
		return;
	list = fuzz_string(d + 1, (size_t)(split - d - 1));
	word = fuzz_string(split + 1, n - (size_t)(split - d) - 1);
	word[strcspn(word, "\n")] = '\0';
	ll = strlen(list);
	/* The reference holds for lists with no newline but a last one, and
	 * words without the separator. */
	if (!strchr(word, sep) && (!strchr(list, '\n') || strchr(list, '\n') == list + ll - 1) &&
	    sep != '\n' && list_has(list, sep, word) != list_has_ref(list, sep, word))
		fuzz_fail("list_has('%s', '%c', '%s') = %d", list, sep, word, list_has(list, sep, word));
	if (list_has(NULL, sep, word))
		fuzz_fail("list_has(NULL) is true");
	free(list);
	free(word);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	if (size < 1)
		return 0;
	switch (data[0] % 5) {
	case 0:
		s = fuzz_string(data + 1, size - 1);
		fuzz_size(s);
		free(s);
		break;
	case 1:
		check_format(u64_of(data + 1, size - 1));
		break;
	case 2:
		fuzz_ulong(data + 1, size - 1);
		break;
	case 3:
		fuzz_seconds(data + 1, size - 1);
		break;
	default:
		fuzz_list(data + 1, size - 1);
		break;
	}
	return 0;
}
