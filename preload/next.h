/* SPDX-License-Identifier: MIT */
/*
 * The next allocator in the chain (glibc, or jemalloc/mimalloc preloaded
 * after us): its functions, found with dlsym(RTLD_NEXT), and the static
 * arena that serves the allocations made while they are being found
 * (dlsym() may itself call calloc()).  Arena blocks are never given back:
 * free() ignores them and realloc() copies them out.
 */
#ifndef LGP_NEXT_H
#define LGP_NEXT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

struct lgp_next {
	void *(*malloc)(size_t);
	void (*free)(void *);
	void *(*calloc)(size_t, size_t);
	void *(*realloc)(void *, size_t);
	void *(*reallocarray)(void *, size_t, size_t);
	int (*posix_memalign)(void **, size_t, size_t);
	void *(*aligned_alloc)(size_t, size_t);
	void *(*memalign)(size_t, size_t);
	void *(*valloc)(size_t);
	void *(*pvalloc)(size_t);
	size_t (*malloc_usable_size)(void *);
};

/* Filled by lgp_next_resolve(); read without a lock once resolved. */
extern struct lgp_next lgp_next;

/* Find the next allocator's functions, once (any thread may call it; the
 * first does the work, the others wait, a nested call on the same thread
 * returns false at once).  Returns true when lgp_next is filled; false
 * while this thread is resolving (the caller then uses the arena).  A
 * function the next allocator lacks stays NULL, except malloc, free,
 * calloc and realloc: without them the process is aborted with a message. */
bool lgp_next_resolve(void);

/* 0: not resolved, 1: a thread is resolving, 2: resolved. */
extern _Atomic int lgp_next_state;

/* Whether lgp_next is filled: one load. */
static inline bool lgp_next_ready(void)
{
	return atomic_load_explicit(&lgp_next_state, memory_order_acquire) == 2;
}

/* A zeroed block of @size bytes aligned to @align (a power of two, at most
 * 4096) from the bootstrap arena, or NULL with errno ENOMEM when the arena
 * is full.  Thread-safe. */
void *lgp_arena_alloc(size_t size, size_t align);

/* Whether @p lies in the arena: two compares. */
bool lgp_arena_owns(const void *p);

/* The size @p was allocated with (lgp_arena_owns(@p) must hold). */
size_t lgp_arena_size(const void *p);

#endif /* LGP_NEXT_H */
