// SPDX-License-Identifier: MIT
/*
 * A dlsym that allocates, as glibc's own did before 2.34 (its dlerror
 * buffer): preloaded before liblgalloc_preload.so, it receives the
 * preload's dlsym(RTLD_NEXT, ...) calls while the preload resolves the next
 * allocator, calls calloc, realloc and free there (which must be served
 * from the preload's bootstrap arena), and answers from libc.  semantics.c
 * reads its counts.
 */
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

__attribute__((visibility("default"))) int shim_calloc_calls;
__attribute__((visibility("default"))) int shim_calloc_bad;

void *dlsym(void *handle, const char *name)
{
	static void *(*real)(void *, const char *);
	static void *libc;

	if (!real)
		real = (void *(*)(void *, const char *))dlvsym(RTLD_NEXT, "dlsym", "GLIBC_2.34");
	if (handle == RTLD_NEXT) {
		unsigned char *p = calloc(1, 200);

		shim_calloc_calls++;
		for (int i = 0; p && i < 200; i++)
			shim_calloc_bad += p[i] != 0;
		if (!p)
			shim_calloc_bad++;
		if (p) {
			memset(p, 0x5a, 200);
			p = realloc(p, 400);
			shim_calloc_bad += !p || p[199] != 0x5a;
			free(p);
		}
		/* RTLD_NEXT would mean "after the shim" here: look in libc. */
		if (!libc)
			libc = dlopen("libc.so.6", RTLD_NOW | RTLD_NOLOAD);
		handle = libc;
	}
	return real(handle, name);
}
