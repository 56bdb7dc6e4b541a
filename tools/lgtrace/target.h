/* SPDX-License-Identifier: MIT */
/*
 * lgtrace's target processes: their ELF files (the lgalloc:area_map USDT
 * probe, the area registry symbol, the entry point), the area registry
 * read with process_vm_readv, and attaching the USDT probe and the
 * entry-point stop.  Prints what goes wrong.
 */
#ifndef LGTRACE_TARGET_H
#define LGTRACE_TARGET_H

#include <stdbool.h>
#include <sys/types.h>

#include <linux/types.h>

#include "report.h"

#define MAX_USDT_FILES	16
#define MAX_ENTRY_FILES 256
#define MAX_ELF_CACHE	512

struct lgtrace_bpf;
struct bpf_link;

/* A file by identity. */
struct file_id {
	dev_t dev;
	ino_t ino;
};

/* What scanning an ELF file found (target.c). */
struct elf_info {
	bool has_probe;			/* a stapsdt note lgalloc:area_map */
	bool has_registry;		/* the registry symbol */
	bool is_dyn;			/* ET_DYN: addresses move with the load base */
	unsigned long long registry;	/* its st_value */
	unsigned long long first_vaddr; /* lowest PT_LOAD p_vaddr, page aligned */
	unsigned long long entry;	/* e_entry, as a file offset */
	bool has_bench;			/* a stapsdt note lgbench:row_start (lgbench's probes) */
	unsigned long long bench_ctl;	/* lgbench_probe_ctl's st_value; 0: none */
};

/* One traced process: where its areas are keyed, its registry. */
struct tproc {
	pid_t pid;
	__u32 image; /* the area map's key for it: its image ID, or its PID with -p alone */
	__u64 registry_addr;
	__u32 registry_seen; /* records already added to the area map */
	bool warned_no_lib;
};

struct target {
	struct lgtrace_bpf *skel;
	bool *have;	/* FEAT_USDT and FEAT_REGISTRY are set here */
	bool all_procs; /* probes for every process (the BPF side picks): a tree */
	struct bpf_link *usdt_links[MAX_USDT_FILES];
	struct file_id usdt_files[MAX_USDT_FILES];
	int usdt_count;
	struct bpf_link *entry_links[MAX_ENTRY_FILES];
	struct file_id entry_files[MAX_ENTRY_FILES];
	int entry_count;
	struct {
		struct file_id id;
		struct elf_info info;
		int err;
	} cache[MAX_ELF_CACHE]; /* ELF files scanned, so that each exec does not scan libc again */
	int cache_count;
	__u64 area_fail;     /* registry prefixes that did not fit in the area map */
	__u32 registry_seen; /* registry records read, all processes */
	bool warned_entry;
	/* --bench: the lgbench process (the first with its probes), the
	 * programs attached to it and the selection written into it. */
	bool bench;
	pid_t bench_pid;
	struct bpf_link *bench_links[5];
	unsigned bench_stride;
	unsigned long long bench_slow_ns;
	int bench_err; /* attaching to a process with the probes failed: -errno */
};

/* libelf's version handshake; 0 or -1 after a message. */
int target_init(void);
/* Whether @pid runs (is neither gone nor a zombie). */
bool target_alive(pid_t pid);
/*
 * Attach the USDT probe to every file process @p maps that has it (for
 * that process, or once per file for all with t->all_procs), find its
 * registry and add its areas to the area map.
 */
void target_attach_areas(struct target *t, struct tproc *p);
/* Add the registry's records not seen yet to the area map; 0 or -errno. */
int target_read_registry(struct target *t, struct tproc *p);
/*
 * Attach the entry-point stop (the entry_stop program) to the executable
 * process @pid runs, for every process that runs it, once per file; 0, or
 * -errno when it cannot be (a message once).
 */
int target_entry_uprobe(struct target *t, pid_t pid);
void target_detach(struct target *t);

/* lgbench_probe_ctl's layout (bench/probes.h), the versions with it. */
#define LGBENCH_CTL_VERSION_MIN 2 /* row_end with p50_ns and p99_ns */
#define LGBENCH_CTL_VERSION_MAX 2
/* struct lgbench_probe_ctl (bench/probes.h): u32 version, u32 stride, u64 slow_ns. */
#define LGBENCH_CTL_STRIDE_OFF	4
#define LGBENCH_CTL_SLOW_NS_OFF 8

#endif /* LGTRACE_TARGET_H */
