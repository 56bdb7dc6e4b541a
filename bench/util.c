// SPDX-License-Identifier: MIT
/* Helpers of util.h. */
#include <stdio.h>

#include "util.h"

void format_ns(char *buf, size_t len, double ns)
{
	if (ns < 1000)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.*fus", ns < 1e4 ? 2 : 1, ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.*fms", ns < 1e7 ? 2 : 1, ns / 1e6);
	else
		snprintf(buf, len, "%.2fs", ns / 1e9);
}

void format_count(char *buf, size_t len, double v)
{
	char digits[32];
	int n = snprintf(digits, sizeof(digits), "%.0f", v), out = 0;

	for (int i = 0; i < n && out + 2 < (int)len; i++) {
		if (i && (n - i) % 3 == 0)
			buf[out++] = ',';
		buf[out++] = digits[i];
	}
	buf[out] = '\0';
}
