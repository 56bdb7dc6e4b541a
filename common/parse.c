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

char *size_format(uint64_t bytes, char *buf, size_t len)
{
	unsigned int i;

	for (i = 4; i > 0; i--) {
		uint64_t unit = (uint64_t)1 << (10 * i);

		if (bytes < unit)
			continue;
		if (bytes % unit == 0)
			snprintf(buf, len, "%llu%c", (unsigned long long)(bytes / unit), suffixes[i - 1]);
		else
			snprintf(buf, len, "%.1f%c", (double)bytes / (double)unit, suffixes[i - 1]);
		return buf;
	}
	snprintf(buf, len, "%llu", (unsigned long long)bytes);
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
