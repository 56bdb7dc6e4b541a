/* SPDX-License-Identifier: MIT */
/*
 * Memory cgroups, v1 and v2: reading where the hierarchies are mounted and
 * which cgroup a process is in, the memory limit a process runs under, and
 * a fresh cgroup with limits (find, create, enter, remove).
 *
 * Nothing here prints.  Functions return 0 or -errno; those that take a WHY
 * buffer also leave a one-line reason there (no "program:" prefix, no
 * newline) for the caller to print.  Thread safety: the functions keep no
 * state of their own; a struct cgroup or struct mem_limit must not be used
 * by two threads at once.
 */
#ifndef LG_COMMON_CGROUP_H
#define LG_COMMON_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CG_NO_LIMIT UINT64_MAX /* no limit (a limit of "max") */

enum cg_kind {
	CG_AUTO,
	CG_V1,
	CG_V2,
};

/* "v1", "v2" or "auto". */
const char *cgroup_kind_name(enum cg_kind kind);

/* One line of /proc/PID/mountinfo, the fields the cgroup code needs. */
struct mount_entry {
	char root[PATH_MAX];   /* field 4: the path in the file system the mount shows */
	char point[PATH_MAX];  /* field 5: where it is mounted */
	char fstype[64];       /* after " - " */
	char super_opts[2048]; /* the super block's options: "rw,memory" */
};

/*
 * Parse one mountinfo line ("36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 -
 * ext3 /dev/root rw,errors=continue"), undoing the octal escapes of root
 * and mount point.  Returns 0, or -EINVAL when the line is not of that form.
 */
int mountinfo_parse_line(const char *line, struct mount_entry *m);

/*
 * Find in the mountinfo file MOUNTINFO (NULL: /proc/self/mountinfo) the v2
 * hierarchy (KIND CG_V2) or the v1 hierarchy with the memory controller
 * (CG_V1).  Returns 0 and fills *M, -ENOENT when there is none, or -errno
 * when the file cannot be read.
 */
int cgroup_find_mount(const char *mountinfo, enum cg_kind kind, struct mount_entry *m);

/*
 * The cgroup path of this process in the v2 hierarchy (the "0::" line) or
 * in the v1 hierarchy holding the memory controller, from PROC_CGROUP (NULL:
 * /proc/self/cgroup).  Returns 0, -ENOENT when there is no such line,
 * -ENAMETOOLONG when it does not fit in LEN bytes, or -errno.
 */
int cgroup_own(const char *proc_cgroup, enum cg_kind kind, char *out, size_t len);

/* ---- the memory limit a process runs under ---- */

struct mem_limit {
	uint64_t bytes;		    /* CG_NO_LIMIT when no cgroup limits memory */
	uint64_t swap_bytes;	    /* swap allowed on top of bytes, CG_NO_LIMIT if no limit */
	char version[4];	    /* "v2", "v1" or "" when no memory cgroup was found */
	char source[PATH_MAX + 64]; /* the file the limit was read from */
};

/*
 * The lowest memory.max (v2) or memory.limit_in_bytes (v1) from this
 * process's cgroup up to the root of the hierarchy, with the swap limit of
 * the same directory (v1: memsw minus memory).  Reads /proc/self/cgroup and
 * /proc/self/mountinfo, or the files given to mem_limit_detect_from (for
 * tests).  Returns 0 (version "" when no memory cgroup is found), or -errno
 * when PROC_CGROUP cannot be read.
 */
int mem_limit_detect(struct mem_limit *ml);
int mem_limit_detect_from(struct mem_limit *ml, const char *proc_cgroup, const char *mountinfo);

/* "512 MiB (cgroup v1: /sys/fs/cgroup/memory/x/memory.limit_in_bytes)", "unlimited (...)", "none (...)". */
void mem_limit_describe(const struct mem_limit *ml, char *buf, size_t len);

/* ---- a fresh memory cgroup ---- */

struct cgroup {
	enum cg_kind kind;
	char base[PATH_MAX];	   /* the hierarchy's mount point */
	char parent[PATH_MAX];	   /* directory the new cgroup is made in */
	char path[PATH_MAX];	   /* the new cgroup, once created */
	char procs[PATH_MAX + 16]; /* its cgroup.procs */
	bool created;
	bool enabled_memory;  /* wrote +memory to parent's cgroup.subtree_control */
	bool has_swap_limit;  /* the swap limit was written (memsw on v1, memory.swap.max on v2) */
	bool fixed_parent;    /* parent given by the user: never walk up */
	int children_removed; /* cgroups found below it by the last cgroup_remove */
};

/*
 * Find a memory cgroup hierarchy of kind WANT (CG_AUTO: v2 when it has the
 * memory controller, else v1) and the parent the new cgroup goes into: this
 * process's cgroup (v2: the nearest cgroup upwards whose children can have
 * the memory controller), or PARENT when not NULL.  Changes nothing.
 * Returns 0, or -errno with the reason in WHY.
 */
int cgroup_find(struct cgroup *cg, enum cg_kind want, const char *parent, char *why, size_t len);

/*
 * Create PREFIX-PID (or PREFIX-PID-N) in the parent cgroup_find chose,
 * enabling the memory controller in the parent where needed, and write its
 * limits: MEMORY bytes, and SWAP bytes of swap (CG_NO_LIMIT: none set; v1
 * writes memsw = MEMORY + SWAP).  When the kernel cannot limit swap it
 * fails (-EOPNOTSUPP), unless KEEP_GOING: then it returns 0 with the reason
 * in WHY and has_swap_limit false.  On success WHY is "" unless it holds
 * that warning.  On failure it removes what it made and returns -errno with
 * the reason in WHY.
 */
int cgroup_create(struct cgroup *cg, const char *prefix, uint64_t memory, uint64_t swap, bool keep_going,
		  char *why, size_t len);

/*
 * Move the calling process into the created cgroup (in a child before exec;
 * async-signal-safe).  Returns 0 or -errno.
 */
int cgroup_enter(const struct cgroup *cg);

/*
 * Kill what is left in the cgroup and in every cgroup below it (the command
 * may have made some, as container runtimes and systemd do): v2's
 * cgroup.kill where the kernel has it, and SIGKILL to every pid listed in
 * the cgroup.procs of each, depth-first, until all are empty; then rmdir
 * the tree, leaves first.  Gives up after 2 s.  Then undo the parent's
 * subtree_control change when no other cgroup is left there.  *KILLED (when
 * not NULL) gets how many processes were left in the whole tree,
 * cg->children_removed how many cgroups were below it.  Does nothing for a
 * cgroup never created.  Returns 0, or -errno with the reason in WHY (the
 * cgroup stays marked created, so a later call tries again).
 */
int cgroup_remove(struct cgroup *cg, int *killed, char *why, size_t len);

#endif
