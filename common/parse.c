// SPDX-License-Identifier: MIT
/* Command-line values of parse.h. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "common/parse.h"

static const char suffixes[] = "KMGT";

int size_parse(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int shift = 0;
	const char *p = s;
	int err = 0;

	if (!isdigit((unsigned char)*p))
		return -EINVAL;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned int d = (unsigned int)(*p - '0');

		if (v > (UINT64_MAX - d) / 10)
			err = -ERANGE;
		v = v * 10 + d;
	}
	if (*p) {
		const char *k = strchr(suffixes, toupper((unsigned char)*p));

		if (!k)
			return -EINVAL;
		shift = 10 * (unsigned int)(k - suffixes + 1);
		p++;
		if (strcasecmp(p, "") && strcasecmp(p, "B") && strcasecmp(p, "iB"))
			return -EINVAL;
	}
	if (err || (shift && v > (UINT64_MAX >> shift)))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

char *size_format(uint64_t bytes, enum size_style style, char *buf, size_t len)
{
	static const char *const iec[] = {" B", " KiB", " MiB", " GiB", " TiB"};
	static const char *const shorts[] = {"", "K", "M", "G", "T"};
	const char *const *units = style == SIZE_IEC ? iec : shorts;
	unsigned int i = 4;
	uint64_t unit, n;
	double v;
	bool whole;

	while (i > 0 && bytes < (uint64_t)1 << (10 * i))
		i--;
	unit = (uint64_t)1 << (10 * i);
	v = (double)bytes / (double)unit;
	if (style == SIZE_IEC) {
		/* lgbench judges wholeness on the double, as it always did:
		 * UINT64_MAX is "16777216 TiB" there, "16777216.0T" for lgrun. */
		n = (uint64_t)v;
		whole = v == (double)n;
	} else {
		n = bytes / unit;
		whole = bytes % unit == 0;
	}
	if (whole)
		snprintf(buf, len, "%llu%s", (unsigned long long)n, units[i]);
	else
		snprintf(buf, len, "%.1f%s", v, units[i]);
	return buf;
}

int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || !isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (*end)
		return -EINVAL;
	if (errno || v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int parse_seconds(const char *s, double max, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (end == s || *end || isnan(v) || !(v > 0))
		return -EINVAL;
	if (errno || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

bool list_has(const char *list, char sep, const char *word)
{
	size_t wlen = strlen(word);

	if (!list || !wlen)
		return false;
	for (const char *p = list; p; p = strchr(p, sep), p = p ? p + 1 : NULL) {
		if (!strncmp(p, word, wlen) && (p[wlen] == sep || p[wlen] == '\0' || p[wlen] == '\n'))
			return true;
	}
	return false;
}
