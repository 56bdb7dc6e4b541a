// SPDX-License-Identifier: MIT
/* Log2 histograms of log2_hist.h, after libbpf-tools' trace_helpers.c. */
#include "common/log2_hist.h"

unsigned int log2_slot(uint64_t value)
{
	return value > 1 ? 63 - (unsigned int)__builtin_clzll(value) : 0;
}

static void print_stars(FILE *f, uint64_t val, uint64_t val_max, int width)
{
	int stars = (int)(val * (uint64_t)width / val_max), i;

	for (i = 0; i < stars; i++)
		fputc('*', f);
	for (; i < width; i++)
		fputc(' ', f);
}

void log2_hist_print(FILE *f, const uint64_t *vals, int n, const char *val_type)
{
	int idx_min = -1, idx_max = -1, i;
	uint64_t val_max = 0;

	for (i = 0; i < n && i < 64; i++) {
		if (!vals[i])
			continue;
		if (idx_min < 0)
			idx_min = i;
		idx_max = i;
		if (vals[i] > val_max)
			val_max = vals[i];
	}
	if (idx_max < 0)
		return;
	fprintf(f, "%*s%-*s : count    distribution\n", idx_max <= 32 ? 5 : 15, "", idx_max <= 32 ? 19 : 29,
		val_type);
	for (i = idx_min; i <= idx_max; i++) {
		unsigned long long low = 1ULL << i, high = i == 63 ? UINT64_MAX : (1ULL << (i + 1)) - 1;
		int width = idx_max <= 32 ? 10 : 20;

		if (low == high)
			low -= 1;
		fprintf(f, "%*llu -> %-*llu : %-8llu |", width, low, width, high,
			(unsigned long long)vals[i]);
		print_stars(f, vals[i], val_max, idx_max <= 32 ? 40 : 20);
		fputs("|\n", f);
	}
}
