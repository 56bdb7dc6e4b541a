// SPDX-License-Identifier: MIT
/*
 * Ratio-sweep mode: one working set (--total-mib), read with each of the
 * guide's strategies at the thread counts the guide uses, then
 * realloc+touch.  Run it under limits of decreasing size (make bench-sweep)
 * to see how the resident-to-swap ratio moves the figures.  The rand+uring
 * strategies hint through the reader's own io_uring (lgalloc_prefetch_async).
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "lgbench.h"
#include "output.h"
#include "common/parse.h"
#include "util.h"
#include "workset.h"

struct sweep_step {
	struct read_strategy s;
	struct thread_list threads;
};

static const struct sweep_step steps[] = {
	{{.name = "baseline", .advice = MADV_NORMAL}, {{1, 4, 8, 16}, 4}},
	{{.name = "MADV_RANDOM", .advice = MADV_RANDOM}, {{1}, 1}},
	{{.name = "MADV_SEQUENTIAL", .advice = MADV_SEQUENTIAL}, {{1}, 1}},
	{{.name = "prefetch-32-ahead", .advice = MADV_NORMAL, .prefetch = true}, {{1}, 1}},
	{{.name = "batch8+WILLNEED", .advice = MADV_NORMAL, .batch = 8}, {{1}, 1}},
	{{.name = "batch32+WILLNEED", .advice = MADV_NORMAL, .batch = 32}, {{1}, 1}},
	{{.name = "batch128+WILLNEED", .advice = MADV_NORMAL, .batch = 128}, {{1}, 1}},
	{{.name = "MADV_RANDOM+prefetch", .advice = MADV_RANDOM, .prefetch = true}, {{8}, 1}},
	{{.name = "rand+uring-batch8", .advice = MADV_NORMAL, .batch = 8, .uring = true}, {{1}, 1}},
	{{.name = "rand+uring-batch32", .advice = MADV_NORMAL, .batch = 32, .uring = true}, {{1}, 1}},
	{{.name = "rand+uring-batch128", .advice = MADV_NORMAL, .batch = 128, .uring = true}, {{1}, 1}},
	{{.name = "rand+uring-ahead",
	  .advice = MADV_NORMAL,
	  .uring = true,
	  .ahead = PREFETCH_AHEAD,
	  .submit_every = URING_SUBMIT_EVERY},
	 {{1}, 1}},
};

static const struct thread_list realloc_threads = {{1, 4, 8, 16}, 4};

bool sweep_has_step(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++)
		if (!strcmp(steps[i].s.name, name))
			return true;
	return !strcmp(name, "realloc+touch");
}

void sweep_list_steps(void)
{
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++)
		printf("%s\n", steps[i].s.name);
	printf("realloc+touch\n");
}

int sweep_run(const struct bench_opts *o)
{
	struct run_env *env = o->env;
	const struct thread_list *tl;
	struct workset ws;
	int failed = 0;

	if (workset_create(&ws, env))
		return 1;
	output_section("ratio sweep: random 4 KiB reads over %lu MiB, by strategy", env->total_mib);
	for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
		if (o->rows && !list_has(o->rows, ',', steps[i].s.name))
			continue;
		struct read_strategy s = steps[i].s;
		char name[64];

		/* Variants get names of their own: rand+uring-ahead512-w1-nowait. */
		if (s.uring && ((s.ahead && env->uring_ahead) || env->prefetch_workers || env->no_wait)) {
			int n = snprintf(name, sizeof(name), "%s", s.name);

			if (s.ahead && env->uring_ahead) {
				s.ahead = (unsigned)env->uring_ahead;
				n += snprintf(name + n, sizeof(name) - (size_t)n, "%u", s.ahead);
			}
			if (env->prefetch_workers)
				n += snprintf(name + n, sizeof(name) - (size_t)n, "-w%ld",
					      env->prefetch_workers);
			s.no_wait = env->no_wait;
			if (s.no_wait)
				snprintf(name + n, sizeof(name) - (size_t)n, "-nowait");
			s.name = name;
		}
		tl = threads_or(o, &steps[i].threads);
		for (size_t t = 0; t < tl->len; t++)
			failed |= !!workset_reads("ratio-sweep", &ws, &s, tl->n[t], env, false);
	}
	failed |= !!workset_release_half(&ws);
	if (o->rows && !list_has(o->rows, ',', "realloc+touch")) {
		workset_destroy(&ws);
		return failed;
	}
	output_section("ratio sweep: realloc+touch from the swapped pool");
	tl = threads_or(o, &realloc_threads);
	for (size_t t = 0; t < tl->len; t++)
		failed |= !!workset_realloc("ratio-sweep", tl->n[t], env, false);
	workset_destroy(&ws);
	return failed;
}
