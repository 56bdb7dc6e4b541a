/* SPDX-License-Identifier: MIT */
/*
 * The memory limit this process runs under: the lowest memory.max (cgroup
 * v2) or memory.limit_in_bytes (cgroup v1 memory controller) from its own
 * cgroup up to the root of the hierarchy.
 */
#ifndef LGBENCH_CGROUP_LIMIT_H
#define LGBENCH_CGROUP_LIMIT_H

#include <limits.h>
#include <stdint.h>

#define MEM_UNLIMITED UINT64_MAX

struct mem_limit {
	uint64_t bytes;	     /* MEM_UNLIMITED when no cgroup limits memory */
	uint64_t swap_bytes; /* swap allowed on top of bytes, MEM_UNLIMITED if no limit */
	char version[4];     /* "v2", "v1" or "" when no memory cgroup was found */
	char source[PATH_MAX];
};

/*
 * Fill @ml from /proc/self/cgroup and /proc/self/mountinfo (or the files
 * given, for tests).  Returns 0, or -errno when neither file can be read.
 */
int mem_limit_detect(struct mem_limit *ml);
int mem_limit_detect_from(struct mem_limit *ml, const char *proc_cgroup, const char *mountinfo);

/* "512 MiB (cgroup v1: /sys/fs/cgroup/memory/x/memory.limit_in_bytes)" */
void mem_limit_describe(const struct mem_limit *ml, char *buf, size_t len);

#endif /* LGBENCH_CGROUP_LIMIT_H */
