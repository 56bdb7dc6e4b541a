/* SPDX-License-Identifier: MIT */
/* Size-class arithmetic: class index 0..15 is region size 2^(21 + index). */
#ifndef LGALLOC_SIZE_CLASS_H
#define LGALLOC_SIZE_CLASS_H

#include <stdbool.h>
#include <stddef.h>

#include "lgalloc_internal.h"

static inline unsigned lg_class_shift(unsigned ci)
{
	return LGALLOC_MIN_CLASS + ci;
}

static inline size_t lg_class_bytes(unsigned ci)
{
	return (size_t)1 << lg_class_shift(ci);
}

/* The class of a request: raised to a page, rounded up to a power of two.
 * Returns false when that power lies outside 2^21..2^36. */
static inline bool lg_class_of_request(size_t bytes, unsigned *ci)
{
	size_t n = bytes < LG_PAGE_SIZE ? LG_PAGE_SIZE : bytes;
	unsigned shift = 64 - (unsigned)__builtin_clzl(n - 1);

	if (shift < LGALLOC_MIN_CLASS || shift > LGALLOC_MAX_CLASS)
		return false;
	*ci = shift - LGALLOC_MIN_CLASS;
	return true;
}

/* The class of a handle's length: it must be a class size exactly. */
static inline bool lg_class_of_len(size_t len, unsigned *ci)
{
	if (len == 0 || (len & (len - 1)))
		return false;
	unsigned shift = (unsigned)__builtin_ctzl(len);
	if (shift < LGALLOC_MIN_CLASS || shift > LGALLOC_MAX_CLASS)
		return false;
	*ci = shift - LGALLOC_MIN_CLASS;
	return true;
}

#endif /* LGALLOC_SIZE_CLASS_H */
