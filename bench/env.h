/* SPDX-License-Identifier: MIT */
/* The settings a run reports with every record: machine, limits, windows. */
#ifndef LGBENCH_ENV_H
#define LGBENCH_ENV_H

#include <stdbool.h>

#include "common/cgroup.h"

struct run_env {
	struct mem_limit limit;
	char thp[16];	  /* transparent_hugepage/enabled: always, madvise, never */
	char kernel[128]; /* uname -r */
	long cpus;	  /* CPUs this process may run on */
	char swap[256];	  /* active swap devices from /proc/swaps, or "none" */
	unsigned long warmup_ms, measure_ms;
	unsigned long total_mib;   /* working set of paging and ratio-sweep runs */
	long ring_depth;	   /* SQ entries of the readers' io_uring; 0: lgbench's default */
	unsigned long uring_ahead; /* pages rand+uring-ahead hints ahead; 0: PREFETCH_AHEAD */
	long prefetch_workers;	   /* lgalloc's prefetch_workers; 0: the kernel's default */
	bool no_wait;		   /* rand+uring readers touch pages without lgalloc_prefetch_wait */
};

/* Fill everything but the windows and working set. */
void env_detect(struct run_env *env);

#endif /* LGBENCH_ENV_H */
