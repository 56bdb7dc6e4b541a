/* SPDX-License-Identifier: MIT */
/* Small helpers shared by lgbench's files (those the tools share too are in common/). */
#ifndef LGBENCH_UTIL_H
#define LGBENCH_UTIL_H

#include <stddef.h>
#include <stdint.h>

#define PAGE_4K	      4096UL
#define REGION_2M     (2UL << 20)
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* One write per 4 KiB page, as the original's "+touch" rows do. */
static inline void touch_pages(void *p, size_t len)
{
	volatile char *c = p;

	for (size_t off = 0; off < len; off += PAGE_4K)
		c[off] = 1;
}

/* "89ns", "3.1us", "2.30ms", "1.20s" */
void format_ns(char *buf, size_t len, double ns);
/* "7,212,345" */
void format_count(char *buf, size_t len, double v);

#endif /* LGBENCH_UTIL_H */
