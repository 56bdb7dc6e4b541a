// SPDX-License-Identifier: MIT
/*
 * liblgalloc_preload.so: malloc and its family for unmodified programs
 * (LD_PRELOAD).  Requests of at least lgp_min_bytes come from lgalloc's
 * pools, whole regions, each at its region's base; everything else, and
 * every pointer that is not lgalloc's, goes to the next allocator.
 *
 * Ownership costs one test for most pointers: lgalloc hands out region
 * bases, 2 MiB aligned, which the next allocator's blocks almost never are;
 * for one that is, the library's address map answers in two loads (root
 * and leaf).  The map entry also gives the region's class, so no header and
 * no side table is needed for the size.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lgalloc.h"
#include "next.h"
#include "region_table.h"
#include "settings.h"
#include "size_class.h"

#define LGP_API __attribute__((visibility("default")))

/* Set while this thread is inside lgalloc: the library's own allocations
 * (thread caches, map leaves) then go to the next allocator, whatever the
 * threshold. */
static __thread int in_lgalloc __attribute__((tls_model("initial-exec")));

/* The largest alignment a region gives: its class size, up to 64 GiB. */
#define LGP_MAX_ALIGN ((size_t)1 << LGALLOC_MAX_CLASS)

/* Whether lgalloc handed out @p; then its region's length in *len. */
static inline bool ours(const void *p, size_t *len)
{
	unsigned ci;

	if ((uintptr_t)p & (LG_MIN_ALIGN - 1))
		return false;
	if (!lg_map_lookup(p, &ci))
		return false;
	*len = lg_class_bytes(ci);
	return true;
}

static inline bool want_large(size_t n)
{
	return n >= atomic_load_explicit(&lgp_min_bytes, memory_order_relaxed) && !in_lgalloc;
}

/* A region of at least @n bytes, aligned to its class size; NULL when
 * lgalloc has none (the caller then asks the next allocator). */
static void *large_alloc(size_t n)
{
	struct lgalloc_handle h;
	int err;

	in_lgalloc = 1;
	err = lgalloc_allocate(n, &h);
	in_lgalloc = 0;
	return err ? NULL : h.ptr;
}

static void large_free(void *p, size_t len)
{
	int err;

	in_lgalloc = 1;
	err = lgalloc_deallocate((struct lgalloc_handle){p, len});
	in_lgalloc = 0;
	if (err) {
		/* As glibc does for a pointer it cannot free. */
		fprintf(stderr, "liblgalloc_preload: free(%p): lgalloc_deallocate failed: %s\n", p,
			lgalloc_strerror(err));
		abort();
	}
}

/* False while this thread is finding the next allocator: use the arena. */
static inline bool ready(void)
{
	return lg_likely(lgp_next_ready()) || lgp_next_resolve();
}

/* calloc's zeroing of a region that may hold its last user's data. */
static void zero(void *p, size_t n)
{
	memset(p, 0, n);
}

LGP_API void *malloc(size_t n)
{
	void *p;

	if (lg_unlikely(!ready()))
		return lgp_arena_alloc(n, 16);
	if (lg_unlikely(want_large(n)) && (p = large_alloc(n)))
		return p;
	return lgp_next.malloc(n);
}

LGP_API void free(void *p)
{
	size_t len;

	if (lg_unlikely(ours(p, &len))) {
		large_free(p, len);
		return;
	}
	if (!p || lg_unlikely(lgp_arena_owns(p)))
		return; /* arena blocks are never reused */
	if (lg_unlikely(!ready()))
		return; /* cannot happen: only the arena has handed out blocks */
	lgp_next.free(p);
}

LGP_API void *calloc(size_t nmemb, size_t size)
{
	size_t n;
	void *p;

	if (__builtin_mul_overflow(nmemb, size, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	if (lg_unlikely(!ready()))
		return lgp_arena_alloc(n, 16);
	if (lg_unlikely(want_large(n)) && (p = large_alloc(n))) {
		zero(p, n);
		return p;
	}
	return lgp_next.calloc(nmemb, size);
}

LGP_API size_t malloc_usable_size(void *p)
{
	size_t len;

	if (!p)
		return 0;
	if (ours(p, &len))
		return len;
	if (lgp_arena_owns(p))
		return lgp_arena_size(p);
	if (!ready() || !lgp_next.malloc_usable_size)
		return 0;
	return lgp_next.malloc_usable_size(p);
}

/* Move @old_len bytes' worth of @p into a new block of @n bytes (malloc's
 * choice of allocator), freeing @p with @release; NULL (and @p untouched)
 * when there is no memory. */
static void *move(void *p, size_t old_len, size_t n, void (*release)(void *, size_t))
{
	void *q = malloc(n);

	if (!q)
		return NULL;
	memcpy(q, p, old_len < n ? old_len : n);
	release(p, old_len);
	return q;
}

static void release_arena(void *p, size_t len)
{
	(void)p, (void)len;
}

static void release_next(void *p, size_t len)
{
	(void)len;
	lgp_next.free(p);
}

LGP_API void *realloc(void *p, size_t n)
{
	size_t len;
	unsigned ci;
	void *q;

	if (!p)
		return malloc(n);
	if (n == 0) {
		/* glibc's behaviour, which programs written for it expect. */
		free(p);
		return NULL;
	}
	if (ours(p, &len)) {
		if (lg_class_of_request(n, &ci) && lg_class_bytes(ci) == len)
			return p;
		return move(p, len, n, large_free);
	}
	if (lgp_arena_owns(p))
		return move(p, lgp_arena_size(p), n, release_arena);
	if (!ready())
		return NULL; /* cannot happen: only the arena has handed out blocks */
	if (want_large(n) && lgp_next.malloc_usable_size && (q = large_alloc(n))) {
		len = lgp_next.malloc_usable_size(p);
		memcpy(q, p, len < n ? len : n);
		release_next(p, len);
		return q;
	}
	return lgp_next.realloc(p, n);
}

LGP_API void *reallocarray(void *p, size_t nmemb, size_t size)
{
	size_t n;

	if (__builtin_mul_overflow(nmemb, size, &n)) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n);
}

/* An aligned region for a request of @n bytes at @align, or NULL when it is
 * not lgalloc's to serve (or lgalloc has none). */
static void *large_aligned(size_t n, size_t align)
{
	if (!want_large(n) || align > LGP_MAX_ALIGN)
		return NULL;
	return large_alloc(n > align ? n : align);
}

static bool power_of_two(size_t a)
{
	return a && !(a & (a - 1));
}

LGP_API int posix_memalign(void **out, size_t align, size_t n)
{
	void *p;

	if (!power_of_two(align) || align % sizeof(void *))
		return EINVAL;
	if (lg_unlikely(!ready())) {
		p = align <= 4096 ? lgp_arena_alloc(n, align) : NULL;
		if (!p)
			return ENOMEM;
		*out = p;
		return 0;
	}
	if ((p = large_aligned(n, align))) {
		*out = p;
		return 0;
	}
	if (!lgp_next.posix_memalign)
		return ENOMEM;
	return lgp_next.posix_memalign(out, align, n);
}

/* The other aligned allocations once the alignment is checked: from the
 * arena, lgalloc, or @next_fn (which sets errno when it fails). */
static void *aligned(size_t align, size_t n, void *(*next_fn)(size_t, size_t))
{
	void *p;

	if (lg_unlikely(!ready()))
		return align <= 4096 ? lgp_arena_alloc(n, align) : NULL;
	if ((p = large_aligned(n, align)))
		return p;
	return next_fn(align, n);
}

/* The next allocator's aligned functions, ENOMEM when it has none. */
static void *missing(void)
{
	errno = ENOMEM;
	return NULL;
}

static void *next_aligned_alloc(size_t align, size_t n)
{
	return lgp_next.aligned_alloc ? lgp_next.aligned_alloc(align, n) : missing();
}

static void *next_memalign(size_t align, size_t n)
{
	return lgp_next.memalign ? lgp_next.memalign(align, n) : missing();
}

static void *next_valloc(size_t align, size_t n)
{
	(void)align;
	return lgp_next.valloc ? lgp_next.valloc(n) : missing();
}

static void *next_pvalloc(size_t align, size_t n)
{
	(void)align;
	return lgp_next.pvalloc ? lgp_next.pvalloc(n) : missing();
}

LGP_API void *aligned_alloc(size_t align, size_t n)
{
	if (!power_of_two(align)) {
		errno = EINVAL;
		return NULL;
	}
	return aligned(align, n, next_aligned_alloc);
}

LGP_API void *memalign(size_t align, size_t n)
{
	/* glibc's memalign raises an alignment that is not a power of two
	 * to the next one. */
	if (!power_of_two(align)) {
		if (align > LGP_MAX_ALIGN) {
			errno = EINVAL;
			return NULL;
		}
		align = align < 2 ? 1 : (size_t)1 << (64 - __builtin_clzl(align - 1));
	}
	return aligned(align, n, next_memalign);
}

LGP_API void *valloc(size_t n)
{
	return aligned((size_t)sysconf(_SC_PAGESIZE), n, next_valloc);
}

LGP_API void *pvalloc(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	if (n > SIZE_MAX - page) {
		errno = ENOMEM;
		return NULL;
	}
	return aligned(page, n ? (n + page - 1) & ~(page - 1) : page, next_pvalloc);
}

/* Before the program's constructors (and after the library's, which have a
 * priority): find the next allocator and apply the environment. */
__attribute__((constructor)) static void preload_init(void)
{
	lgp_next_resolve();
	lgp_settings_apply();
}
