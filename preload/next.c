// SPDX-License-Identifier: MIT
/* The next allocator in the chain and the bootstrap arena (see next.h). */
#include <dlfcn.h>
#include <errno.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "next.h"

struct lgp_next lgp_next;

_Atomic int lgp_next_state;
static __thread bool resolving __attribute__((tls_model("initial-exec")));

/* Enough for glibc's dlsym()/dlerror() buffers many times over. */
#define ARENA_BYTES (64 * 1024)
static char arena[ARENA_BYTES] __attribute__((aligned(4096)));
static _Atomic size_t arena_used;

/* Each block is preceded by its size, in the 16 bytes before it. */
#define ARENA_HEADER 16

void *lgp_arena_alloc(size_t size, size_t align)
{
	size_t old = atomic_load_explicit(&arena_used, memory_order_relaxed), start, end;

	if (align < ARENA_HEADER)
		align = ARENA_HEADER;
	do {
		start = (old + ARENA_HEADER + align - 1) & ~(align - 1);
		if (size > ARENA_BYTES || start > ARENA_BYTES - size) {
			errno = ENOMEM;
			return NULL;
		}
		end = start + size;
	} while (!atomic_compare_exchange_weak_explicit(&arena_used, &old, end, memory_order_relaxed,
							memory_order_relaxed));
	/* Never used before (the arena only grows): zero already. */
	*(size_t *)(arena + start - ARENA_HEADER) = size;
	return arena + start;
}

bool lgp_arena_owns(const void *p)
{
	return (const char *)p >= arena && (const char *)p < arena + ARENA_BYTES;
}

size_t lgp_arena_size(const void *p)
{
	return *(const size_t *)((const char *)p - ARENA_HEADER);
}

static void *find(const char *name, bool required)
{
	void *f = dlsym(RTLD_NEXT, name);

	if (!f && required) {
		/* No allocator to fall back to: nothing can work. */
		static const char msg[] = "liblgalloc_preload: dlsym(RTLD_NEXT) found no ";
		(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
		for (const char *c = name; *c; c++)
			(void)!write(STDERR_FILENO, c, 1);
		(void)!write(STDERR_FILENO, "\n", 1);
		abort();
	}
	return f;
}

bool lgp_next_resolve(void)
{
	int expected = 0;

	if (atomic_load_explicit(&lgp_next_state, memory_order_acquire) == 2)
		return true;
	if (resolving)
		return false;
	if (!atomic_compare_exchange_strong(&lgp_next_state, &expected, 1)) {
		/* Another thread is resolving: it takes microseconds. */
		while (atomic_load_explicit(&lgp_next_state, memory_order_acquire) != 2)
			sched_yield();
		return true;
	}
	resolving = true;
	lgp_next.malloc = find("malloc", true);
	lgp_next.free = find("free", true);
	lgp_next.calloc = find("calloc", true);
	lgp_next.realloc = find("realloc", true);
	lgp_next.reallocarray = find("reallocarray", false);
	lgp_next.posix_memalign = find("posix_memalign", false);
	lgp_next.aligned_alloc = find("aligned_alloc", false);
	lgp_next.memalign = find("memalign", false);
	lgp_next.valloc = find("valloc", false);
	lgp_next.pvalloc = find("pvalloc", false);
	lgp_next.malloc_usable_size = find("malloc_usable_size", false);
	resolving = false;
	atomic_store_explicit(&lgp_next_state, 2, memory_order_release);
	return true;
}
