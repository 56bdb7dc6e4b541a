// SPDX-License-Identifier: MIT
/*
 * Paging mode: allocate three times the memory limit through lgalloc and
 * write it all, so that two thirds go to swap; random 4 KiB reads at 1 and
 * 4 threads; then free half the regions and allocate + touch + free from
 * that swapped-out pool.  CCDFs at 1 thread.
 */
#include <sys/mman.h>

#include "lgbench.h"
#include "output.h"
#include "util.h"
#include "workset.h"

static const struct thread_list default_threads = {{1, 4}, 2};
static const struct read_strategy random_read = {.name = "random_read", .advice = MADV_NORMAL};

int paging_run(const struct bench_opts *o)
{
	const struct thread_list *tl = threads_or(o, &default_threads);
	struct run_env *env = o->env;
	struct workset ws;
	int failed = 0;

	if (workset_create(&ws, env))
		return 1;
	output_section("paging: random 4 KiB reads over %lu MiB (stride walk)", env->total_mib);
	for (size_t t = 0; t < tl->len; t++)
		failed |= !!workset_reads("paging", &ws, &random_read, tl->n[t], env, tl->n[t] == 1);
	failed |= !!workset_release_half(&ws);
	output_section("paging: realloc+touch of 2 MiB regions from the swapped pool (half of %lu MiB freed)",
		       env->total_mib);
	for (size_t t = 0; t < tl->len; t++)
		failed |= !!workset_realloc("paging", tl->n[t], env, tl->n[t] == 1);
	workset_destroy(&ws);
	return failed;
}
