// SPDX-License-Identifier: MIT
/* Log2 histograms of log2_hist.h. */
#include "common/log2_hist.h"

#define STARS "****************************************"

void log2_hist_print(FILE *f, const uint64_t *vals, int n, const char *unit)
{
	int lo = -1, hi = -1, i;
	uint64_t max = 0;

	for (i = 0; i < n && i < 64; i++) {
		if (!vals[i])
			continue;
		if (lo < 0)
			lo = i;
		hi = i;
		if (vals[i] > max)
			max = vals[i];
	}
	if (hi < 0)
		return;
	fprintf(f, "  %20s : %-10s distribution\n", unit, "count");
	for (i = lo; i <= hi; i++) {
		unsigned long long low = i ? 1ULL << i : 0,
				   high = i == 63 ? UINT64_MAX : (1ULL << (i + 1)) - 1;
		int stars = (int)(vals[i] * (sizeof(STARS) - 1) / max);

		fprintf(f, "  %9llu -> %-9llu : %-10llu |%-40.*s|\n", low, high, (unsigned long long)vals[i],
			stars, STARS);
	}
}
