// SPDX-License-Identifier: MIT
/*
 * lgtrace's BPF side: privilege and BTF checks, tracepoint probing,
 * skeleton open/load/attach, and reading the statistics map.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include "common/parse.h"
#include "loader.h"
#include "log.h"
#include "lgtrace.skel.h"

static bool verbose;

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose)
		return 0;
	return vfprintf(stderr, fmt, args);
}

/* root, or CAP_BPF with CAP_PERFMON (or CAP_SYS_ADMIN, as before 5.8). */
static bool have_bpf_privilege(void)
{
	struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return geteuid() == 0;
#define HAS_CAP(c) (data[(c) / 32].effective & (1U << ((c) % 32)))
	return HAS_CAP(CAP_SYS_ADMIN) || (HAS_CAP(CAP_BPF) && HAS_CAP(CAP_PERFMON));
#undef HAS_CAP
}

int loader_check(const struct loader_opts *o)
{
	verbose = o->verbose;
	libbpf_set_print(libbpf_print);
	if (!have_bpf_privilege()) {
		lgt_warn("permission denied: needs root (or CAP_BPF and CAP_PERFMON)");
		return -1;
	}
	if (access(o->btf_path, R_OK)) {
		lgt_warn("no kernel BTF at %s: %s (the kernel needs CONFIG_DEBUG_INFO_BTF=y)", o->btf_path,
			 strerror(errno));
		return -1;
	}
	return 0;
}

struct prog_tp {
	struct bpf_program *prog;
	struct bpf_link **link;
	const char *tp;
	enum feature feature;
	bool optional; /* absence does not make the feature n/a */
};

/* Leave out the programs whose tracepoints are missing; say which
 * features remain. */
static void probe_tracepoints(struct lgtrace_bpf *s, struct prog_tp *tps, size_t ntps,
			      const struct btf *vmlinux, bool have[NUM_FEATURES])
{
	bool missing[NUM_FEATURES] = {};
	char name[128];
	/* LGTRACE_SKIP_TRACEPOINTS=a,b: treat them as missing (to test the
	 * fallbacks on a kernel that has them all). */
	const char *skip = getenv("LGTRACE_SKIP_TRACEPOINTS");

	for (size_t i = 0; i < ntps; i++) {
		snprintf(name, sizeof(name), "btf_trace_%s", tps[i].tp);
		if (btf__find_by_name_kind(vmlinux, name, BTF_KIND_TYPEDEF) < 0 ||
		    list_has(skip, ',', tps[i].tp)) {
			bpf_program__set_autoload(tps[i].prog, false);
			if (!tps[i].optional)
				missing[tps[i].feature] = true;
		}
	}
	for (int f = FEAT_FAULTS; f <= FEAT_LAST_TP; f++)
		have[f] = !missing[f];
	/* Contention only qualifies mmap_lock acquisitions. */
	if (!have[FEAT_LOCK]) {
		have[FEAT_CONTENTION] = false;
		bpf_program__set_autoload(s->progs.lock_start, false);
		bpf_program__set_autoload(s->progs.lock_acquired, false);
		bpf_program__set_autoload(s->progs.contention_begin, false);
	}
	/* Kernel-mode fault entries alone would time a few faults only. */
	if (!have[FEAT_FAULTS])
		bpf_program__set_autoload(s->progs.fault_kernel, false);
	if (!have[FEAT_FAULTS] && !have[FEAT_COMPLETION]) {
		bpf_program__set_autoload(s->progs.fault_user, false);
		bpf_program__set_autoload(s->progs.fault_kernel, false);
		bpf_program__set_autoload(s->progs.memcg_event, false);
	}
}

int loader_open(struct lgtrace_bpf **skel, bool have[NUM_FEATURES], pid_t pid, const struct loader_opts *o)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);
	struct lgtrace_bpf *s;
	struct btf *vmlinux;
	int err;

	if (strcmp(o->btf_path, DEFAULT_BTF))
		open_opts.btf_custom_path = o->btf_path;
	vmlinux = btf__parse(o->btf_path, NULL);
	if (!vmlinux) {
		lgt_warn("cannot read kernel BTF %s: %s (the kernel needs CONFIG_DEBUG_INFO_BTF=y)",
			 o->btf_path, strerror(errno));
		return -1;
	}
	s = *skel = lgtrace_bpf__open_opts(&open_opts);
	if (!s) {
		lgt_warn("cannot open the BPF object: %s", strerror(errno));
		btf__free(vmlinux);
		return -1;
	}
	struct prog_tp tps[] = {
		{s->progs.fault_user, &s->links.fault_user, "page_fault_user", FEAT_FAULTS, false},
		{s->progs.fault_kernel, &s->links.fault_kernel, "page_fault_kernel", FEAT_FAULTS, true},
		{s->progs.memcg_event, &s->links.memcg_event, "count_memcg_events", FEAT_COMPLETION, false},
		{s->progs.lock_start, &s->links.lock_start, "mmap_lock_start_locking", FEAT_LOCK, false},
		{s->progs.lock_acquired, &s->links.lock_acquired, "mmap_lock_acquire_returned", FEAT_LOCK,
		 false},
		{s->progs.contention_begin, &s->links.contention_begin, "contention_begin", FEAT_CONTENTION,
		 false},
		{s->progs.write_folio, &s->links.write_folio, "mm_vmscan_write_folio", FEAT_SWAPOUT, false},
		{s->progs.uring_submit, &s->links.uring_submit, "io_uring_submit_req", FEAT_URING_SUBMIT,
		 false},
		{s->progs.uring_complete, &s->links.uring_complete, "io_uring_complete", FEAT_URING_COMPLETE,
		 false},
	};
	size_t ntps = sizeof(tps) / sizeof(tps[0]);

	probe_tracepoints(s, tps, ntps, vmlinux, have);
	btf__free(vmlinux);
	if (!o->command)
		bpf_program__set_autoload(s->progs.entry_stop, false);
	s->rodata->targ_tgid = (__u32)pid;
	s->rodata->count_at_entry = !have[FEAT_COMPLETION];
	s->rodata->latency_sample = o->latency_sample;
	s->rodata->noop = getenv("LGTRACE_NOOP") != NULL;
	/* LGTRACE_AREA_MAP_ENTRIES: a smaller area map, for the test of a full one. */
	if (getenv("LGTRACE_AREA_MAP_ENTRIES"))
		bpf_map__set_max_entries(s->maps.areas,
					 (__u32)strtoul(getenv("LGTRACE_AREA_MAP_ENTRIES"), NULL, 0));

	err = lgtrace_bpf__load(s);
	if (err) {
		lgt_warn("cannot load the BPF programs: %s", strerror(-err));
		return -1;
	}
	for (size_t i = 0; i < ntps; i++) {
		if (!bpf_program__autoload(tps[i].prog))
			continue;
		/* In the skeleton's links, so that destroy() detaches it. */
		*tps[i].link = bpf_program__attach(tps[i].prog);
		if (!*tps[i].link) {
			lgt_warn("cannot attach %s: %s", tps[i].tp, strerror(errno));
			return -1;
		}
	}
	return 0;
}

int loader_collect(struct lgtrace_bpf *skel, struct snapshot *out)
{
	int ncpu = libbpf_num_possible_cpus();
	int fd = bpf_map__fd(skel->maps.stats);
	struct lgt_pool_stats *vals;

	memset(out, 0, sizeof(*out));
	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	for (__u32 p = 0; p < LGT_NUM_POOLS; p++) {
		if (bpf_map_lookup_elem(fd, &p, vals))
			continue;
		snapshot_add_cpus(out, (int)p, vals, ncpu);
	}
	free(vals);
	return 0;
}

void loader_destroy(struct lgtrace_bpf *skel)
{
	lgtrace_bpf__destroy(skel);
}
