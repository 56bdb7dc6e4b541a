// SPDX-License-Identifier: MIT
/*
 * Peer allocators, loaded with dlopen(RTLD_LOCAL) so that they do not
 * replace glibc's malloc for the rest of the process, and so that lgbench
 * runs (and says "not installed") where one is missing.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rows.h"
#include "util.h"

struct peer {
	const char *soname, *malloc_sym, *free_sym;
	void *(*malloc)(size_t);
	void (*free)(void *);
	char why[256]; /* set when loading failed */
};

static struct peer peers[] = {
	/* jemalloc's public names carry no prefix in Debian's build. */
	{.soname = "libjemalloc.so.2", .malloc_sym = "malloc", .free_sym = "free"},
	{.soname = "libmimalloc.so.2", .malloc_sym = "mi_malloc", .free_sym = "mi_free"},
	{.soname = "libtcmalloc_minimal.so.4", .malloc_sym = "tc_malloc", .free_sym = "tc_free"},
};

#define TLS_TUNABLE "glibc.rtld.optional_static_tls"
#define REEXEC_MARK "LGBENCH_TLS_REEXEC"

/*
 * Debian's libjemalloc uses initial-exec TLS, which dlopen() can only place
 * in the small static TLS surplus glibc reserves at startup ("cannot
 * allocate memory in static TLS block").  glibc reads the tunable that
 * enlarges it only at startup: set it and execute ourselves again, once.
 */
void peers_reserve_tls(char **argv)
{
	const char *t = getenv("GLIBC_TUNABLES");
	char buf[1024];

	if ((t && strstr(t, TLS_TUNABLE)) || getenv(REEXEC_MARK))
		return;
	if (snprintf(buf, sizeof(buf), "%s%s" TLS_TUNABLE "=65536", t ? t : "", t ? ":" : "") >=
	    (int)sizeof(buf))
		return;
	if (setenv("GLIBC_TUNABLES", buf, 1) || setenv(REEXEC_MARK, "1", 1))
		return;
	execv("/proc/self/exe", argv);
	/* Without /proc, run on: the jemalloc rows will say why they cannot. */
}

static pthread_once_t load_once = PTHREAD_ONCE_INIT;

static void load_peers(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(peers); i++) {
		struct peer *p = &peers[i];
		void *h = dlopen(p->soname, RTLD_NOW | RTLD_LOCAL);

		if (!h) {
			snprintf(p->why, sizeof(p->why), "%s", dlerror());
			continue;
		}
		*(void **)&p->malloc = dlsym(h, p->malloc_sym);
		*(void **)&p->free = dlsym(h, p->free_sym);
		if (!p->malloc || !p->free)
			snprintf(p->why, sizeof(p->why), "%s lacks %s or %s", p->soname, p->malloc_sym,
				 p->free_sym);
	}
}

static const char *peer_unavailable(const struct row *row)
{
	const struct peer *p = &peers[row->param];

	pthread_once(&load_once, load_peers);
	return p->why[0] ? p->why : NULL;
}

static int peer_op(void *ctx)
{
	const struct row_ctx *c = ctx;
	const struct peer *p = &peers[c->row->param];
	void *mem = p->malloc(REGION_2M);

	if (!mem)
		return -ENOMEM;
	if (c->row->touch)
		touch_pages(mem, REGION_2M);
	p->free(mem);
	return 0;
}

#define PEER_ROW(n, i, t)                                                                                    \
	{                                                                                                    \
		.name = n, .unavailable = peer_unavailable, .setup = row_ctx_new, .op = peer_op,             \
		.teardown = row_ctx_free, .touch = t, .param = i                                             \
	}

const struct row peer_rows[] = {
	PEER_ROW("jemalloc", 0, false), PEER_ROW("jemalloc+touch", 0, true),
	PEER_ROW("mimalloc", 1, false), PEER_ROW("mimalloc+touch", 1, true),
	PEER_ROW("tcmalloc", 2, false), PEER_ROW("tcmalloc+touch", 2, true),
};
const size_t n_peer_rows = ARRAY_SIZE(peer_rows);
