/* SPDX-License-Identifier: MIT */
/* Small helpers shared by lgbench's files. */
#ifndef LGBENCH_UTIL_H
#define LGBENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define PAGE_4K	      4096UL
#define REGION_2M     (2UL << 20)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static inline uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* One write per 4 KiB page, as the original's "+touch" rows do. */
static inline void touch_pages(void *p, size_t len)
{
	volatile char *c = p;

	for (size_t off = 0; off < len; off += PAGE_4K)
		c[off] = 1;
}

/* Whether the @sep-separated @list holds @word. */
bool list_has(const char *list, char sep, const char *word);
/* strcpy into @dst of @len bytes; non-zero (and nothing copied) if too long. */
int copy_str(char *dst, size_t len, const char *src);
/* "512 MiB", "1.5 GiB", "4 KiB" */
void format_bytes(char *buf, size_t len, uint64_t bytes);
/* "89ns", "3.1us", "2.30ms", "1.20s" */
void format_ns(char *buf, size_t len, double ns);
/* "7,212,345" */
void format_count(char *buf, size_t len, double v);
/* Parse an unsigned decimal in [min, max]; -EINVAL otherwise. */
int parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *out);
/* Read the first line of @path without its newline; -errno on failure. */
int read_line(const char *path, char *buf, size_t len);
/* Sleep @ms milliseconds, resuming after signals. */
void sleep_ms(unsigned long ms);

#endif /* LGBENCH_UTIL_H */
