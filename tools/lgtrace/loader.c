// SPDX-License-Identifier: MIT
/*
 * lgtrace's BPF side: privilege and BTF checks, tracepoint probing,
 * skeleton open/load/attach, and reading the statistics map.
 */
#include <errno.h>
#include <linux/capability.h>
#include <linux/perf_event.h>
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
#include "tpsig.h"
#include "lgtrace.skel.h"

static bool verbose;
/* --counts-only: these tracepoints are left out, as if the kernel lacked
 * them; faults are counted at their entry, one program each. */
static bool counts_only;
#define COUNTS_ONLY_SKIP                                                                                     \
	"count_memcg_events,mmap_lock_start_locking,mmap_lock_acquire_returned,contention_begin,"            \
	"mm_vmscan_write_folio,io_uring_submit_req,io_uring_submit_sqe,io_uring_complete"

/* Whether tracepoint @tp is left out: LGTRACE_SKIP_TRACEPOINTS or --counts-only. */
static bool skipped(const char *tp, const char **by)
{
	if (list_has(getenv("LGTRACE_SKIP_TRACEPOINTS"), ',', tp)) {
		*by = "LGTRACE_SKIP_TRACEPOINTS";
		return true;
	}
	*by = "--counts-only";
	return counts_only && list_has(COUNTS_ONLY_SKIP, ',', tp);
}

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

/*
 * One tracepoint program slot: the variants that can fill it, most recent
 * kernel first, each a program and the arguments it reads (tpsig.h).  The
 * first variant the kernel's BTF matches is loaded, the others not; with
 * none, @feature is unavailable (unless @optional).
 */
#define MAX_VARIANTS 2
struct tp_slot {
	enum feature feature;
	bool optional; /* absence does not make the feature n/a */
	int nv;
	struct tp_variant v[MAX_VARIANTS];
	struct bpf_program *prog[MAX_VARIANTS];
	struct bpf_link **link[MAX_VARIANTS];
	int chosen; /* -1: none */
};

/* What each feature comes from on this kernel, or why it is missing. */
static char feat_source[NUM_FEATURES][384];
static char feat_reason[NUM_FEATURES][512];
static const char *feat_reason_ptr[NUM_FEATURES];

#define ULONG "long unsigned int"
#define BOOL  "_Bool"

#define SLOT1(f, opt, tp, args, p)                                                                           \
	{                                                                                                    \
		f, opt, 1, {{tp, args}}, {s->progs.p}, {&s->links.p}, -1                                     \
	}
#define SLOT2(f, tp1, args1, p1, tp2, args2, p2)                                                             \
	{                                                                                                    \
		f, false, 2, {{tp1, args1}, {tp2, args2}}, {s->progs.p1, s->progs.p2},                       \
			{&s->links.p1, &s->links.p2}, -1                                                     \
	}

static void add_text(char *buf, size_t len, const char *sep, const char *text)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s", n ? sep : "", text);
}

/* Pick each slot's variant (LGTRACE_SKIP_TRACEPOINTS=a,b: treat those
 * tracepoints as missing, to test the fallbacks on a kernel that has them
 * all); say which features remain, and why the others do not. */
static void select_variants(struct lgtrace_bpf *s, struct tp_slot *slots, size_t n, const struct btf *vmlinux,
			    bool have[NUM_FEATURES])
{
	char why[512], sig[256], text[512];
	const char *by = NULL, *tp_by;

	memset(feat_source, 0, sizeof(feat_source));
	memset(feat_reason, 0, sizeof(feat_reason));
	for (int f = FEAT_FAULTS; f <= FEAT_LAST_TP; f++)
		have[f] = true;
	for (size_t i = 0; i < n; i++) {
		struct tp_slot *sl = &slots[i];
		struct tp_variant v[MAX_VARIANTS];

		/* A skipped tracepoint is looked up under a name no kernel has. */
		for (int k = 0; k < sl->nv; k++) {
			v[k] = sl->v[k];
			if (skipped(v[k].tp, &tp_by)) {
				v[k].tp = "lgtrace-skipped";
				by = tp_by;
			}
		}
		sl->chosen = tp_select(vmlinux, v, sl->nv, why, sizeof(why));
		for (int k = 0; k < sl->nv; k++)
			if (k != sl->chosen && sl->prog[k] != (sl->chosen >= 0 ? sl->prog[sl->chosen] : NULL))
				bpf_program__set_autoload(sl->prog[k], false);
		if (sl->chosen >= 0) {
			tp_signature(vmlinux, v[sl->chosen].tp, sig, sizeof(sig));
			snprintf(text, sizeof(text), "%s(%s)", v[sl->chosen].tp, sig);
			add_text(feat_source[sl->feature], sizeof(feat_source[0]), "; ", text);
			continue;
		}
		if (sl->optional)
			continue;
		have[sl->feature] = false;
		for (char *p; (p = strstr(why, "lgtrace-skipped"));) {
			/* Name the skipped tracepoint, not the made-up name. */
			snprintf(text, sizeof(text), "%.*s%s: skipped (%s)%s", (int)(p - why), why,
				 sl->v[0].tp, by ? by : "?", strstr(p, "; ") ? strstr(p, "; ") : "");
			snprintf(why, sizeof(why), "%s", text);
		}
		add_text(feat_reason[sl->feature], sizeof(feat_reason[0]), "; ", why);
	}
	/* Contention only qualifies mmap_lock acquisitions. */
	if (!have[FEAT_LOCK] && have[FEAT_CONTENTION]) {
		have[FEAT_CONTENTION] = false;
		snprintf(feat_reason[FEAT_CONTENTION], sizeof(feat_reason[0]), "needs mmap_lock");
	}
	if (!have[FEAT_FAULTS] && have[FEAT_COMPLETION]) {
		have[FEAT_COMPLETION] = false;
		snprintf(feat_reason[FEAT_COMPLETION], sizeof(feat_reason[0]), "needs faults");
	}
	for (size_t i = 0; i < n; i++) {
		if (have[slots[i].feature])
			continue;
		for (int k = 0; k < slots[i].nv; k++)
			bpf_program__set_autoload(slots[i].prog[k], false);
	}
	/* Kernel-mode fault entries alone would time a few faults only. */
	if (!have[FEAT_FAULTS])
		bpf_program__set_autoload(s->progs.fault_kernel, false);
	for (int f = 0; f < NUM_FEATURES; f++)
		feat_reason_ptr[f] = feat_reason[f][0] ? feat_reason[f] : NULL;
}

/*
 * Without count_memcg_events: fault completions from the page-faults-min
 * and -maj software events, one of each per CPU for all tasks (the BPF
 * programs pick the target).  Opened before the load, so that a kernel
 * that refuses them leaves the feature n/a with perf_event_open's reason;
 * attached after it.  -1 for a CPU that is offline.
 */
static int *perf_fds; /* [2 * ncpu]: minor, major per CPU */
static struct bpf_link **perf_links;
static int perf_ncpu;
#define PERF_SKIP_NAME "page-faults" /* in LGTRACE_SKIP_TRACEPOINTS */

static void close_fault_events(void)
{
	for (int i = 0; perf_links && i < 2 * perf_ncpu; i++)
		bpf_link__destroy(perf_links[i]);
	for (int i = 0; perf_fds && i < 2 * perf_ncpu; i++)
		if (perf_fds[i] >= 0 && !(perf_links && perf_links[i]))
			close(perf_fds[i]);
	free(perf_fds);
	free(perf_links);
	perf_fds = NULL;
	perf_links = NULL;
	perf_ncpu = 0;
}

/* 0, or -1 with @why. */
static int open_fault_events(char *why, size_t len)
{
	int ncpu = libbpf_num_possible_cpus(), opened = 0;

	if (ncpu <= 0) {
		snprintf(why, len, "cannot count the CPUs: %s", strerror(ncpu ? -ncpu : EINVAL));
		return -1;
	}
	perf_fds = malloc(2 * (size_t)ncpu * sizeof(*perf_fds));
	perf_links = calloc(2 * (size_t)ncpu, sizeof(*perf_links));
	if (!perf_fds || !perf_links) {
		snprintf(why, len, "out of memory");
		close_fault_events();
		return -1;
	}
	perf_ncpu = ncpu;
	for (int i = 0; i < 2 * ncpu; i++)
		perf_fds[i] = -1;
	for (int c = 0; c < ncpu; c++) {
		for (int k = 0; k < 2; k++) {
			struct perf_event_attr a = {
				.type = PERF_TYPE_SOFTWARE,
				.size = sizeof(a),
				.config = k ? PERF_COUNT_SW_PAGE_FAULTS_MAJ : PERF_COUNT_SW_PAGE_FAULTS_MIN,
				.sample_period = 1,
			};
			int fd = (int)syscall(SYS_perf_event_open, &a, -1, c, -1, PERF_FLAG_FD_CLOEXEC);

			if (fd < 0 && errno == ENODEV)
				continue; /* offline */
			if (fd < 0) {
				snprintf(why, len, "perf_event_open(page-faults-%s, CPU %d): %s",
					 k ? "maj" : "min", c, strerror(errno));
				close_fault_events();
				return -1;
			}
			perf_fds[2 * c + k] = fd;
			opened++;
		}
	}
	if (!opened) {
		snprintf(why, len, "perf_event_open(page-faults-min): no CPU online");
		close_fault_events();
		return -1;
	}
	return 0;
}

/*
 * Whether a tracing program of @type can be loaded on and attached to
 * kernel function @func: a two-instruction program, loaded, attached and
 * closed at once (ftrace may be blocked, or missing from the kernel).
 * 0, or -1 with @why.
 */
static int probe_tracing(const char *func, enum bpf_attach_type type, char *why, size_t len)
{
	const struct bpf_insn ret0[] = {
		{.code = BPF_ALU64 | BPF_MOV | BPF_K, .dst_reg = BPF_REG_0, .imm = 0},
		{.code = BPF_JMP | BPF_EXIT},
	};
	LIBBPF_OPTS(bpf_prog_load_opts, po, .expected_attach_type = type);
	int id = libbpf_find_vmlinux_btf_id(func, type), fd, link;

	if (id < 0) {
		snprintf(why, len, "fexit on %s: not in the kernel's BTF (%s)", func, strerror(-id));
		return -1;
	}
	po.attach_btf_id = (__u32)id;
	fd = bpf_prog_load(BPF_PROG_TYPE_TRACING, "lgtrace_probe", "Dual BSD/GPL", ret0, 2, &po);
	if (fd < 0) {
		snprintf(why, len, "fexit on %s: bpf_prog_load: %s", func, strerror(-fd));
		return -1;
	}
	link = bpf_raw_tracepoint_open(NULL, fd);
	close(fd);
	if (link < 0) {
		snprintf(why, len, "fexit on %s: attach: %s", func, strerror(-link));
		return -1;
	}
	close(link);
	return 0;
}

#define GUP_FUNC "handle_mm_fault" /* also its name in LGTRACE_SKIP_TRACEPOINTS */

/* Feature @f is missing, for reason @why. */
static void feature_na(bool have[NUM_FEATURES], enum feature f, const char *why)
{
	have[f] = false;
	snprintf(feat_reason[f], sizeof(feat_reason[0]), "%s", why);
	feat_reason_ptr[f] = feat_reason[f];
}

/*
 * With the software events, the faults done without registers
 * (get_user_pages()): the fexit program on handle_mm_fault, if the kernel
 * lets one attach.  Else FEAT_GUP is n/a: FAULTS misses them.
 */
static void gup_fallback(struct lgtrace_bpf *s, bool have[NUM_FEATURES])
{
	const char *skip = getenv("LGTRACE_SKIP_TRACEPOINTS");
	char why[256], text[512];

	if (list_has(skip, ',', GUP_FUNC)) {
		snprintf(why, sizeof(why), GUP_FUNC ": skipped (LGTRACE_SKIP_TRACEPOINTS)");
	} else if (probe_tracing(GUP_FUNC, BPF_TRACE_FEXIT, why, sizeof(why)) == 0) {
		bpf_program__set_autoload(s->progs.fault_gup, true);
		snprintf(feat_source[FEAT_GUP], sizeof(feat_source[0]),
			 "fexit " GUP_FUNC "(vma, address, flags, regs, ret) with regs NULL, counted as "
			 "mm_account_fault() counts min_flt/maj_flt; in the pool of the address, untimed");
		return;
	}
	snprintf(text, sizeof(text),
		 "%s; the page-faults events miss the faults done by get_user_pages() (no registers): "
		 "FAULTS is below the kernel's minflt by those",
		 why);
	feature_na(have, FEAT_GUP, text);
}

/* count_memcg_events missing: the software events instead, if they open. */
static void fault_events_fallback(struct lgtrace_bpf *s, bool have[NUM_FEATURES])
{
	const char *skip = getenv("LGTRACE_SKIP_TRACEPOINTS");
	char why[256];

	bpf_program__set_autoload(s->progs.fault_minor_perf, false);
	bpf_program__set_autoload(s->progs.fault_major_perf, false);
	bpf_program__set_autoload(s->progs.fault_gup, false);
	if (have[FEAT_COMPLETION]) {
		snprintf(feat_source[FEAT_SWAPIN_OTHER], sizeof(feat_source[0]),
			 "count_memcg_events (PSWPIN, ZSWPIN)");
		snprintf(feat_source[FEAT_GUP], sizeof(feat_source[0]),
			 "count_memcg_events (PGFAULT, in mm_account_fault() with or without registers); "
			 "in pool other, untimed: no tracepoint gives their address");
		return;
	}
	/* The software events tell a major fault, not what it read: a swap-in
	 * is then known only on lgalloc's areas (anonymous memory). */
	feature_na(have, FEAT_SWAPIN_OTHER,
		   "needs count_memcg_events (PSWPIN); without it swap-ins are counted on "
		   "lgalloc's areas only, as their major faults");
	feature_na(have, FEAT_GUP, "needs fault_completion");
	if (!have[FEAT_FAULTS])
		return;
	if (list_has(skip, ',', PERF_SKIP_NAME) || counts_only) {
		snprintf(why, sizeof(why), PERF_SKIP_NAME ": skipped (%s)",
			 counts_only ? "--counts-only" : "LGTRACE_SKIP_TRACEPOINTS");
	} else if (open_fault_events(why, sizeof(why)) == 0) {
		have[FEAT_COMPLETION] = true;
		feat_reason_ptr[FEAT_COMPLETION] = NULL;
		snprintf(feat_source[FEAT_COMPLETION], sizeof(feat_source[0]),
			 "perf software events page-faults-min/maj, per CPU (%.300s)",
			 feat_reason[FEAT_COMPLETION]);
		bpf_program__set_autoload(s->progs.fault_minor_perf, true);
		bpf_program__set_autoload(s->progs.fault_major_perf, true);
		bpf_program__set_autoload(s->progs.memcg_event, false);
		have[FEAT_GUP] = true;
		feat_reason_ptr[FEAT_GUP] = NULL;
		gup_fallback(s, have);
		return;
	}
	add_text(feat_reason[FEAT_COMPLETION], sizeof(feat_reason[0]), "; ", why);
	feat_reason_ptr[FEAT_COMPLETION] = feat_reason[FEAT_COMPLETION];
}

static int attach_fault_events(struct lgtrace_bpf *s)
{
	if (bpf_program__autoload(s->progs.fault_gup)) {
		/* In the skeleton's links, so that destroy() detaches it. */
		s->links.fault_gup = bpf_program__attach(s->progs.fault_gup);
		if (!s->links.fault_gup) {
			lgt_warn("cannot attach fexit " GUP_FUNC ": %s", strerror(errno));
			return -1;
		}
	}
	for (int i = 0; perf_fds && i < 2 * perf_ncpu; i++) {
		if (perf_fds[i] < 0)
			continue;
		perf_links[i] = bpf_program__attach_perf_event(
			i % 2 ? s->progs.fault_major_perf : s->progs.fault_minor_perf, perf_fds[i]);
		if (!perf_links[i]) {
			lgt_warn("cannot attach to perf event page-faults-%s on CPU %d: %s",
				 i % 2 ? "maj" : "min", i / 2, strerror(errno));
			return -1;
		}
	}
	return 0;
}

/* Fill @slots for skeleton @s; returns their number. */
static size_t make_slots(struct lgtrace_bpf *s, struct tp_slot *slots)
{
	struct tp_slot all[] = {
		SLOT1(FEAT_FAULTS, false, "page_fault_user", ULONG ", struct pt_regs *, " ULONG, fault_user),
		SLOT1(FEAT_FAULTS, true, "page_fault_kernel", ULONG ", struct pt_regs *, " ULONG,
		      fault_kernel),
		SLOT1(FEAT_COMPLETION, false, "count_memcg_events", "struct mem_cgroup *, int, " ULONG,
		      memcg_event),
		/* memcg_path before write: 5.8 to 6.1. */
		SLOT2(FEAT_LOCK, "mmap_lock_start_locking", "struct mm_struct *, " BOOL, lock_start,
		      "mmap_lock_start_locking", "struct mm_struct *, char *, " BOOL, lock_start_memcg),
		SLOT2(FEAT_LOCK, "mmap_lock_acquire_returned", "struct mm_struct *, " BOOL ", " BOOL,
		      lock_acquired, "mmap_lock_acquire_returned",
		      "struct mm_struct *, char *, " BOOL ", " BOOL, lock_acquired_memcg),
		SLOT1(FEAT_CONTENTION, false, "contention_begin", "void *, unsigned int", contention_begin),
		SLOT1(FEAT_SWAPOUT, false, "mm_vmscan_write_folio", "struct folio *", write_folio),
		/* io_uring_submit_req since 6.3, io_uring_submit_sqe before. */
		SLOT2(FEAT_URING_SUBMIT, "io_uring_submit_req", "struct io_kiocb *", uring_submit,
		      "io_uring_submit_sqe", "struct io_kiocb *, " BOOL, uring_submit_sqe),
		/* (ctx, req, ...): the context typed since 6.0, void * before. */
		SLOT2(FEAT_URING_COMPLETE, "io_uring_complete", "struct io_ring_ctx *, void *",
		      uring_complete, "io_uring_complete", "void *, void *", uring_complete),
		/* Process trees (the same on 6.1 and 6.18; sched_process_exit
		 * has a group_dead argument since 6.16, not read). */
		SLOT1(FEAT_PROCS, false, "sched_process_fork", "struct task_struct *, struct task_struct *",
		      proc_fork),
		SLOT1(FEAT_PROCS, false, "sched_process_exec",
		      "struct task_struct *, int, struct linux_binprm *", proc_exec),
		SLOT1(FEAT_PROCS, false, "sched_process_exit", "struct task_struct *", proc_exit),
		/* --bench: (preempt, prev, next[, prev_state]); prev alone is read. */
		SLOT1(FEAT_OFFCPU, false, "sched_switch", BOOL ", struct task_struct *", bench_switch),
	};

	memcpy(slots, all, sizeof(all));
	return sizeof(all) / sizeof(all[0]);
}

#define MAX_SLOTS 16

const char *const *loader_feature_reasons(void)
{
	return feat_reason_ptr;
}

const char *loader_feature_source(enum feature f)
{
	return feat_source[f][0] ? feat_source[f] : NULL;
}

static struct btf *load_btf(const struct loader_opts *o)
{
	struct btf *vmlinux = btf__parse(o->btf_path, NULL);

	if (!vmlinux)
		lgt_warn("cannot read kernel BTF %s: %s (the kernel needs CONFIG_DEBUG_INFO_BTF=y)",
			 o->btf_path, strerror(errno));
	return vmlinux;
}

/*
 * What --features and a trace share: read the kernel's BTF (o->btf_path),
 * open the skeleton with the same BTF (CO-RE relocations), fill @slots
 * (their number in *@n), pick each slot's variant and the fault-completion
 * fallback.  @have says what remains, and which programs load is set; the
 * skeleton is opened, not loaded.  0 with *@skel, or -1 with a message.
 */
static int open_choose(struct lgtrace_bpf **skel, struct tp_slot *slots, size_t *n, bool have[NUM_FEATURES],
		       const struct loader_opts *o)
{
	LIBBPF_OPTS(bpf_object_open_opts, open_opts);
	struct btf *vmlinux = load_btf(o);
	struct lgtrace_bpf *s;

	if (!vmlinux)
		return -1;
	if (strcmp(o->btf_path, DEFAULT_BTF))
		open_opts.btf_custom_path = o->btf_path;
	s = lgtrace_bpf__open_opts(&open_opts);
	if (!s) {
		lgt_warn("cannot open the BPF object: %s", strerror(errno));
		btf__free(vmlinux);
		return -1;
	}
	*n = make_slots(s, slots);
	select_variants(s, slots, *n, vmlinux, have);
	fault_events_fallback(s, have);
	btf__free(vmlinux);
	*skel = s;
	return 0;
}

int loader_probe(bool have[NUM_FEATURES], const struct loader_opts *o)
{
	struct tp_slot slots[MAX_SLOTS];
	struct lgtrace_bpf *s;
	size_t n;

	if (open_choose(&s, slots, &n, have, o))
		return -1;
	close_fault_events();
	lgtrace_bpf__destroy(s);
	return 0;
}

int loader_open(struct lgtrace_bpf **skel, bool have[NUM_FEATURES], pid_t pid, const struct loader_opts *o)
{
	struct tp_slot slots[MAX_SLOTS];
	struct lgtrace_bpf *s;
	size_t n;
	int err;

	counts_only = o->counts_only;
	if (open_choose(skel, slots, &n, have, o))
		return -1;
	s = *skel;
	if (!o->command && !o->stop_on_exec)
		bpf_program__set_autoload(s->progs.entry_stop, false);
	if (o->tree && !have[FEAT_PROCS]) {
		lgt_warn("cannot follow processes: %s", feat_reason[FEAT_PROCS]);
		return -1;
	}
	/* --bench's programs: sched_switch on every switch of every task
	 * would only cost without it; its maps take no room. */
	s->rodata->bench = o->bench;
	if (!o->bench) {
		bpf_program__set_autoload(s->progs.bench_switch, false);
		bpf_map__set_max_entries(s->maps.bench_rows, 1);
		bpf_map__set_max_entries(s->maps.bench_work, 1);
	}
	/* With one process the tree programs would only cost. */
	if (!o->tree) {
		bpf_program__set_autoload(s->progs.proc_fork, false);
		bpf_program__set_autoload(s->progs.proc_exec, false);
		bpf_program__set_autoload(s->progs.proc_exit, false);
	}
	s->rodata->targ_tgid = (__u32)pid;
	s->rodata->mode = o->tree ? LGT_MODE_TREE : LGT_MODE_PID;
	s->rodata->stop_on_exec = o->stop_on_exec;
	s->rodata->pidns_dev = o->pidns_dev;
	s->rodata->pidns_ino = o->pidns_ino;
	s->rodata->count_at_entry = !have[FEAT_COMPLETION];
	/* With the software events a fault is known major only as it ends:
	 * every fault is timed, so that every major one is. */
	s->rodata->latency_sample = perf_fds ? 1 : o->latency_sample;
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
	for (size_t i = 0; i < n; i++) {
		int k = slots[i].chosen;

		if (k < 0 || !bpf_program__autoload(slots[i].prog[k]))
			continue;
		/* In the skeleton's links, so that destroy() detaches it. */
		*slots[i].link[k] = bpf_program__attach(slots[i].prog[k]);
		if (!*slots[i].link[k]) {
			lgt_warn("cannot attach %s: %s", slots[i].v[k].tp, strerror(errno));
			return -1;
		}
	}
	return attach_fault_events(s);
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

int loader_bench_collect(struct lgtrace_bpf *skel, struct lgt_bench_row *rows, struct lgt_bench_work *work,
			 unsigned n)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	int rfd = bpf_map__fd(skel->maps.bench_rows), wfd = bpf_map__fd(skel->maps.bench_work);
	struct lgt_bench_work *vals;

	if (ncpu <= 0)
		return ncpu ? ncpu : -EINVAL;
	vals = calloc((size_t)ncpu, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	memset(work, 0, n * sizeof(*work));
	for (__u32 i = 0; i < n; i++) {
		if (bpf_map_lookup_elem(rfd, &i, &rows[i]) || bpf_map_lookup_elem(wfd, &i, vals)) {
			err = -errno;
			break;
		}
		for (int c = 0; c < ncpu; c++)
			for (int k = 0; k < LGT_NUM_WORK; k++)
				work[i].v[k] += vals[c].v[k];
	}
	free(vals);
	return err;
}

void loader_destroy(struct lgtrace_bpf *skel)
{
	close_fault_events();
	lgtrace_bpf__destroy(skel);
}
