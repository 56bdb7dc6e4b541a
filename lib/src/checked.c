// SPDX-License-Identifier: MIT
/* Checked mode: the region states, the checks and their messages. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>

#include "checked.h"
#include "size_class.h"

_Atomic uint32_t lg_checked_word;

/* Under lgalloc_configure()'s lock: odd, so never 0; a 31-bit epoch. */
static uint32_t next_word = 1;

void lg_checked_set(bool on)
{
	if (on == (lg_checked_mode() != 0))
		return;
	if (on) {
		atomic_store_explicit(&lg_checked_word, next_word, lg_relaxed);
		next_word += 2;
	} else {
		atomic_store_explicit(&lg_checked_word, 0, lg_relaxed);
	}
}

static void say(const char *call, struct lgalloc_handle h, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void say(const char *call, struct lgalloc_handle h, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	/* One call, so that concurrent reports do not interleave. */
	fprintf(stderr, "lgalloc: checked mode: %s({%p, %zu}): %s\n", call, h.ptr, h.len, what);
}

/*
 * The region that contains @p, if any: the nearest region start at or below
 * @p, found in the address map (keys are 2 MiB apart, and no region is
 * longer than 2^15 keys).  Regions do not overlap, so when that region ends
 * before @p, no region contains it.  Returns its index, 0 for none.
 */
static uint32_t containing_region(const void *p, char **base, size_t *size)
{
	uintptr_t key = (uintptr_t)p >> LG_MIN_ALIGN_SHIFT;
	uintptr_t span = (uintptr_t)1 << (LGALLOC_MAX_CLASS - LG_MIN_ALIGN_SHIFT);

	for (uintptr_t i = 0; i < span && i <= key; i++) {
		unsigned ci;
		uint32_t idx = lg_map_lookup((const void *)((key - i) << LG_MIN_ALIGN_SHIFT), &ci);

		if (!idx)
			continue;
		*base = lg_region_get(idx)->base;
		*size = lg_class_bytes(ci);
		return (uintptr_t)p - (uintptr_t)*base < *size ? idx : 0;
	}
	return 0;
}

int lg_checked_rejected(const char *call, struct lgalloc_handle h)
{
	unsigned ci;
	char *base;
	size_t size;

	if (lg_likely(!lg_checked_mode()))
		return -EINVAL;
	if (!h.ptr)
		say(call, h, "a NULL pointer with a length");
	else if (!containing_region(h.ptr, &base, &size))
		say(call, h, "not a region lgalloc handed out (foreign pointer)");
	else if ((char *)h.ptr != base)
		say(call, h, "points %zu bytes into the %zu-byte region at %p, not at its start",
		    (size_t)((char *)h.ptr - base), size, (void *)base);
	else if (!lg_class_of_len(h.len, &ci))
		say(call, h, "length %zu is not a size class (a power of two, 2 MiB to 64 GiB)", h.len);
	else
		say(call, h, "length %zu does not match the region's size %zu", h.len, size);
	return -EINVAL;
}

int lg_checked_free(uint32_t idx, struct lgalloc_handle h)
{
	uint32_t word = lg_checked_mode();
	_Atomic uint32_t *state;
	uint32_t s;

	if (lg_likely(!word))
		return 0;
	state = &lg_region_get(idx)->state;
	s = atomic_load_explicit(state, lg_relaxed);
	/* A CAS: of two threads freeing the region at once, one is refused. */
	do {
		if (s == word) {
			say("lgalloc_deallocate", h, "double free: the region is already free");
			return -LGALLOC_ERR_FREED;
		}
	} while (!atomic_compare_exchange_weak_explicit(state, &s, word, lg_relaxed, lg_relaxed));
	return 0;
}

int lg_checked_use(const char *call, uint32_t idx, struct lgalloc_handle h)
{
	uint32_t word = lg_checked_mode();

	if (lg_likely(!word) || atomic_load_explicit(&lg_region_get(idx)->state, lg_relaxed) != word)
		return 0;
	say(call, h, "use after free: the region is free");
	return -LGALLOC_ERR_FREED;
}
