// SPDX-License-Identifier: MIT
/* Helpers of util.h. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

bool list_has(const char *list, char sep, const char *word)
{
	size_t wlen = strlen(word);

	for (const char *p = list; p; p = strchr(p, sep), p = p ? p + 1 : NULL) {
		if (!strncmp(p, word, wlen) && (p[wlen] == sep || p[wlen] == '\0'))
			return true;
	}
	return false;
}

int copy_str(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	if (n >= len)
		return -1;
	memcpy(dst, src, n + 1);
	return 0;
}

void format_bytes(char *buf, size_t len, uint64_t bytes)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	double v = (double)bytes;
	unsigned u = 0;

	while (v >= 1024 && u + 1 < ARRAY_SIZE(units)) {
		v /= 1024;
		u++;
	}
	if (v == (double)(uint64_t)v)
		snprintf(buf, len, "%llu %s", (unsigned long long)v, units[u]);
	else
		snprintf(buf, len, "%.1f %s", v, units[u]);
}

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

int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || v < min || v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

int read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	int err = 0;

	if (!f)
		return -errno;
	if (!fgets(buf, (int)len, f))
		err = -EIO;
	else
		buf[strcspn(buf, "\n")] = '\0';
	fclose(f);
	return err;
}

void sleep_ms(unsigned long ms)
{
	struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}
