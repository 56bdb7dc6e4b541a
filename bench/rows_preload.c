// SPDX-License-Identifier: MIT
/*
 * "malloc-small+preload": malloc(64) + free through liblgalloc_preload.so's
 * own malloc and free, the path every request below its threshold and
 * every pointer it does not own takes in a preloaded program: the size
 * test, the ownership test of free, and the call on to the next allocator
 * (glibc).  The library is loaded with dlopen(RTLD_LOCAL) and its malloc
 * and free are taken with dlsym on its handle, so it replaces nothing for
 * the rest of lgbench; its dlsym(RTLD_NEXT) then finds glibc's, as under
 * LD_PRELOAD.  The same operation as "malloc-small" (called through the
 * PLT there, through a pointer here: one indirect call either way), so the
 * ratio of the two rows of one run is what the preload adds.
 *
 * Found, in order: $LGBENCH_PRELOAD; ../lib/liblgalloc_preload.so beside
 * the executable's directory (the build tree, an install under one
 * PREFIX); then by name through the loader's search path (Debian's
 * package puts it in the multiarch library directory).
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rows.h"
#include "util.h"

#define PRELOAD_NAME "liblgalloc_preload.so"
#define SMALL_BYTES  64

static void *(*preload_malloc)(size_t);
static void (*preload_free)(void *);
static char preload_why[512];
static pthread_once_t preload_once = PTHREAD_ONCE_INIT;

static void *open_preload(void)
{
	const char *env = getenv("LGBENCH_PRELOAD");
	char exe[PATH_MAX], path[PATH_MAX + 32];
	ssize_t n;
	void *h;

	if (env && *env) {
		h = dlopen(env, RTLD_NOW | RTLD_LOCAL);
		if (!h)
			snprintf(preload_why, sizeof(preload_why), "LGBENCH_PRELOAD: %s", dlerror());
		return h;
	}
	n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	if (n > 0) {
		char *slash;

		exe[n] = '\0';
		slash = strrchr(exe, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof(path), "%s/../lib/" PRELOAD_NAME, exe);
			if (access(path, F_OK) == 0) {
				h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
				if (!h)
					snprintf(preload_why, sizeof(preload_why), "%s", dlerror());
				return h;
			}
		}
	}
	h = dlopen(PRELOAD_NAME, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		snprintf(preload_why, sizeof(preload_why), "%s", dlerror());
	return h;
}

static void load_preload(void)
{
	void *h = open_preload();

	if (!h)
		return;
	*(void **)&preload_malloc = dlsym(h, "malloc");
	*(void **)&preload_free = dlsym(h, "free");
	if (!preload_malloc || !preload_free)
		snprintf(preload_why, sizeof(preload_why), PRELOAD_NAME " lacks malloc or free");
}

static const char *preload_unavailable(const struct row *row)
{
	(void)row;
	pthread_once(&preload_once, load_preload);
	return preload_why[0] ? preload_why : NULL;
}

static int preload_small_op(void *ctx)
{
	/* Volatile: the compiler may not drop the pair. */
	void *volatile q = preload_malloc(SMALL_BYTES);

	(void)ctx;
	if (!q)
		return -ENOMEM;
	preload_free(q);
	return 0;
}

const struct row preload_rows[] = {
	{.name = "malloc-small+preload",
	 .unavailable = preload_unavailable,
	 .setup = row_ctx_new,
	 .op = preload_small_op,
	 .teardown = row_ctx_free},
};
const size_t n_preload_rows = ARRAY_SIZE(preload_rows);
