/* SPDX-License-Identifier: MIT */
/* What every translation unit of the library shares: attribute and
 * constant macros, and the two ways to bump a counter. */
#ifndef LGALLOC_INTERNAL_H
#define LGALLOC_INTERNAL_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lgalloc.h"

#define LG_EXPORT      __attribute__((visibility("default")))
#define LG_HOT	       __attribute__((hot))
#define LG_COLD	       __attribute__((cold, noinline))
#define LG_NOINLINE    __attribute__((noinline))
#define lg_likely(x)   __builtin_expect(!!(x), 1)
#define lg_unlikely(x) __builtin_expect(!!(x), 0)
#define LG_CACHELINE   64

#define LG_PAGE_SIZE	   4096UL
#define LG_MIN_ALIGN_SHIFT 21
#define LG_MIN_ALIGN	   (1UL << LG_MIN_ALIGN_SHIFT) /* every area and region starts 2 MiB aligned */

#define lg_relaxed memory_order_relaxed
#define lg_acquire memory_order_acquire
#define lg_release memory_order_release

/* Counter written only by its owning thread: a plain load and store, no
 * read-modify-write; readers on other threads load it relaxed. */
static inline void lg_owner_inc(_Atomic size_t *c, size_t n)
{
	atomic_store_explicit(c, atomic_load_explicit(c, lg_relaxed) + n, lg_relaxed);
}

static inline void lg_shared_inc(_Atomic size_t *c, size_t n)
{
	atomic_fetch_add_explicit(c, n, lg_relaxed);
}

/* The kernel's own text for a failed system call's -errno, for messages
 * (lgalloc_strerror() describes the API's errors, not the kernel's): a
 * static, untranslated string, safe from any thread. */
static inline const char *lg_errno_text(int err)
{
	const char *msg = strerrordesc_np(err < 0 ? -err : err);

	return msg ? msg : "unknown error";
}

#endif /* LGALLOC_INTERNAL_H */
