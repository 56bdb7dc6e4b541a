/* SPDX-License-Identifier: MIT */
/*
 * lgtrace's target process: its ELF files (the lgalloc:area_map USDT
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

#define MAX_USDT_FILES 16

struct lgtrace_bpf;
struct bpf_link;

struct target {
	struct lgtrace_bpf *skel;
	bool *have; /* FEAT_USDT and FEAT_REGISTRY are set here */
	pid_t pid;
	struct bpf_link *usdt_links[MAX_USDT_FILES];
	int usdt_count;
	struct bpf_link *entry_link;
	/* the area registry in the target, once found */
	__u64 registry_addr;
	__u32 registry_seen; /* records already added to the area map */
	__u64 area_fail;     /* registry prefixes that did not fit in the area map */
	bool warned_no_lib;
};

/* libelf's version handshake; 0 or -1 after a message. */
int target_init(void);
/* Whether @pid runs (is neither gone nor a zombie). */
bool target_alive(pid_t pid);
/*
 * Attach the USDT probe to every file the target maps that has it, find
 * the registry and add its areas to the area map.
 */
void target_attach_areas(struct target *t);
/* Add the registry's records not seen yet to the area map; 0 or -errno. */
int target_read_registry(struct target *t);
/* Stop the command @path, once it runs, at its ELF entry point. */
void target_stop_at_entry(struct target *t, const char *path);
/*
 * Wait (a few seconds at most) for the command @pid to stop at its entry
 * point, then detach the stop.  0, or 1 when it exited before (its wait
 * status in @status).
 */
int target_wait_entry(struct target *t, pid_t pid, int *status);
void target_detach(struct target *t);

#endif /* LGTRACE_TARGET_H */
