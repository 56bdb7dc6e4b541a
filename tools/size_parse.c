// SPDX-License-Identifier: MIT
/* Byte sizes with K/M/G/T suffixes (powers of 1024). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "size_parse.h"

static const char suffixes[] = "KMGT";

int size_parse(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned int shift = 0;
	const char *p = s;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		unsigned int d = *p - '0';

		if (v > (UINT64_MAX - d) / 10)
			return -1;
		v = v * 10 + d;
	}
	if (*p) {
		const char *k = strchr(suffixes, toupper((unsigned char)*p));

		if (!k)
			return -1;
		shift = 10 * (unsigned int)(k - suffixes + 1);
		p++;
		if (strcasecmp(p, "") && strcasecmp(p, "B") && strcasecmp(p, "iB"))
			return -1;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -1;
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
