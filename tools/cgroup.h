/* SPDX-License-Identifier: MIT */
/* A fresh memory cgroup on cgroup v1 or v2: find, create with limits, enter, remove. */
#ifndef LG_CGROUP_H
#define LG_CGROUP_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#define CG_NO_LIMIT UINT64_MAX

enum cg_kind {
	CG_AUTO,
	CG_V1,
	CG_V2,
};

struct cgroup {
	enum cg_kind kind;
	char base[PATH_MAX];	   /* where the parent candidates are (v2: the hierarchy's mount point) */
	char parent[PATH_MAX];	   /* directory the new cgroup is made in */
	char path[PATH_MAX];	   /* the new cgroup, once created */
	char procs[PATH_MAX + 16]; /* its cgroup.procs */
	int created;
	int enabled_memory; /* wrote +memory to parent's cgroup.subtree_control */
	int has_swap_limit; /* the swap limit was written (memsw on v1, memory.swap.max on v2) */
	int fixed_parent;   /* parent given by the user: never walk up */
};

const char *cgroup_kind_name(enum cg_kind kind);

/*
 * Find a memory cgroup hierarchy of kind WANT (CG_AUTO: v2 when it has the
 * memory controller, else v1) and the parent the new cgroup goes into: the
 * cgroup lgrun runs in (v2: the nearest cgroup upwards whose children can
 * have the memory controller), or PARENT when not NULL.  Changes nothing.
 * Returns 0, or -1 with a reason in WHY.
 */
int cgroup_find(struct cgroup *cg, enum cg_kind want, const char *parent, char *why, size_t len);

/*
 * Create the cgroup and write its limits: MEMORY bytes, and SWAP bytes of
 * swap (CG_NO_LIMIT: none set).  When the kernel cannot limit swap, fails
 * unless KEEP_GOING (then warns).  Undoes everything on failure, printing
 * "lgrun: ..." lines.  Returns 0 or -1.
 */
int cgroup_create(struct cgroup *cg, uint64_t memory, uint64_t swap, int keep_going);

/* Move the calling process into the cgroup (for the child, before exec).  Returns 0 or an errno. */
int cgroup_enter(const struct cgroup *cg);

/*
 * Kill what is left in the cgroup, remove it and undo the parent's
 * subtree_control change.  Prints failures.  Returns 0 or -1.
 */
int cgroup_remove(struct cgroup *cg);

#endif
