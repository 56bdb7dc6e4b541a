// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * lgtrace: page faults, swap-ins, swap-outs, mmap_lock waits, io_uring
 * madvise requests and prefetch hints of one process, per lgalloc pool.
 * Tracepoints (tp_btf), uprobes and, on kernels without count_memcg_events
 * only, the page-faults software events and one fexit program (fault_gup):
 * kprobes and fentry are not available on every kernel this targets (the
 * loader probes the fexit first).
 *
 * A fault's life: exceptions:page_fault_{user,kernel} at entry (address, per
 * thread); memcg:count_memcg_events PGMAJFAULT when it turns major (swap or
 * file read), PSWPIN when it submits a swap read, PGFAULT at completion
 * (mm_account_fault(), which also bumps the task's min_flt/maj_flt).  A
 * fault the kernel retried under mmap_lock counts as major there
 * (FAULT_FLAG_TRIED): seen here as a second mmap_lock read acquisition
 * inside the fault.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/usdt.bpf.h>

#include "lgtrace.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

const volatile __u32 targ_tgid = 0;
/* LGT_MODE_PID: targ_tgid alone; LGT_MODE_TREE: the process map. */
const volatile __u32 mode = LGT_MODE_PID;
/* Stop a process of the tree at exec and at its entry point, so that the
 * user program finds its areas before it runs (with -- CMD). */
const volatile bool stop_on_exec = false;
/* lgtrace's PID namespace when it is not the initial one (0: it is): the
 * tgids compared and stored are those of that namespace. */
const volatile __u64 pidns_dev = 0;
const volatile __u64 pidns_ino = 0;
/* Without count_memcg_events faults are counted at entry, with no latency
 * and no minor/major split. */
const volatile bool count_at_entry = false;
/* Time one fault in latency_sample per thread (1: every fault); counts stay
 * exact.  A fault not sampled that turns major (PGMAJFAULT: a swap or file
 * read) is timed from that moment, so that every swap-in has a latency. */
const volatile __u32 latency_sample = 1;
/* LGTRACE_NOOP=1: every tracepoint program returns at once.  Not a mode
 * for users: it measures what attaching alone costs (docs/tracing.md). */
const volatile bool noop = false;
/* --bench: keep each thread's last events and lgbench's rows. */
const volatile bool bench = false;

struct lgt_diag diag = {};
/* Where the target's memory lives, learnt from its own events; used to
 * pick its folios out of reclaim (which runs in kswapd or other tasks). */
__u64 target_mm = 0;
__u64 target_memcg = 0;
/* Bumped after every change to the area map (by the USDT probe and by the
 * user program); a thread's cached pool is valid for one generation. */
__u32 areas_gen = 0;
/* Set once an area block smaller than 2 MiB was stored: from then on a
 * 2 MiB region may hold more than one pool, and no pool is cached. */
bool fine_areas = false;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LGT_NUM_POOLS);
	__type(key, __u32);
	__type(value, struct lgt_pool_stats);
} stats SEC(".maps");

/* The traced processes (LGT_MODE_TREE), by tgid. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LGT_MAX_PROCS);
	__type(key, __u32);
	__type(value, struct lgt_proc);
} procs SEC(".maps");

/* Their address spaces, for swap-outs in other tasks: mm -> tgid. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, LGT_MAX_PROCS);
	__type(key, __u64);
	__type(value, __u32);
} mms SEC(".maps");

/* Forks, execs, entry stops and exits of traced processes, for the user
 * program. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, LGT_EVENTS_SIZE);
} events SEC(".maps");

/* Executables with the entry-point uprobe attached (filled by the user
 * program). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct lgt_file_key);
	__type(value, __u32);
} entry_files SEC(".maps");

/* The next image ID (lgtrace.h); the user program takes IDs here too. */
__u64 next_image = 1;

struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, LGT_MAX_AREA_PREFIXES);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct lgt_area_key);
	__type(value, __u32);
} areas SEC(".maps");

/* The state of one thread between the tracepoints of one fault or one
 * mmap_lock acquisition. */
struct thread_state {
	__u64 fault_start; /* 0: the fault in flight is not timed */
	__u64 fault_addr;  /* of the fault in flight, else of the last one */
	__u64 lock_start;  /* 0: no mmap_lock acquisition in flight */
	__u64 lock_addr;
	__u64 cache_region; /* the 2 MiB region (address >> 21) of the cached pool */
	__u32 tid;	    /* owner of the slot */
	__u32 cache_pool;
	__u32 cache_gen;   /* areas_gen + 1 when the cache was filled; 0: empty */
	__u32 sample_left; /* faults until the next timed one */
	__u32 lock_pool;
	__u8 in_fault; /* a fault entry was seen, its completion not yet */
	__u8 fault_major;
	__u8 fault_swap; /* a swap read was submitted in this fault */
	__u8 fault_lock_reads;
	__u8 lock_write;
	__u8 lock_contended;
	/* --bench: when the thread's last event of each cause (lgt_cause,
	 * up to LGT_C_MINOR) ended; sched_switch: when it was switched out. */
	__u64 last[LGT_C_NONE];
};

/*
 * Per-thread state in an array slot chosen by the thread ID: an array
 * lookup is inlined, where task storage or a hash map cost 40-120 ns per
 * fault.  Two live threads of the target whose IDs are equal modulo the
 * size share a slot: the newer takes it over (counted in diag).
 */
#define THREAD_SLOTS (1 << 16)
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, THREAD_SLOTS);
	__type(key, __u32);
	__type(value, struct thread_state);
} threads SEC(".maps");

/* The tgid of @id (bpf_get_current_pid_tgid()) in lgtrace's PID namespace;
 * 0 for a task outside it. */
static __always_inline __u32 tgid_of(__u64 id)
{
	struct bpf_pidns_info ns;

	if (!pidns_ino)
		return id >> 32;
	if (bpf_get_ns_current_pid_tgid(pidns_dev, pidns_ino, &ns, sizeof(ns)))
		return 0;
	return ns.tgid;
}

/* @id: bpf_get_current_pid_tgid(), read once per program run (a helper
 * call, where every call and return costs on a kernel with retpolines and
 * return thunks). */
static __always_inline bool is_target(__u64 id)
{
	struct lgt_proc *p;
	__u32 tgid;

	if (mode == LGT_MODE_PID && !pidns_ino)
		return (id >> 32) == targ_tgid;
	tgid = tgid_of(id);
	if (mode == LGT_MODE_PID)
		return tgid && tgid == targ_tgid;
	p = bpf_map_lookup_elem(&procs, &tgid);
	return p && !p->exited;
}

/* The current process's entry in the process map, or NULL. */
static __always_inline struct lgt_proc *current_proc(__u32 *tgid)
{
	*tgid = tgid_of(bpf_get_current_pid_tgid());
	return bpf_map_lookup_elem(&procs, tgid);
}

/* This thread's slot; with @claim, taken over from a former owner. */
static __always_inline struct thread_state *thread_state(__u64 id, bool claim)
{
	__u32 tid = (__u32)id;
	__u32 slot = tid & (THREAD_SLOTS - 1);
	struct thread_state *ts = bpf_map_lookup_elem(&threads, &slot);

	if (!ts || ts->tid == tid)
		return ts;
	if (!claim)
		return NULL;
	if (ts->in_fault || ts->lock_start)
		__sync_fetch_and_add(&diag.slot_takeovers, 1);
	ts->tid = tid;
	ts->in_fault = 0;
	ts->fault_start = 0;
	ts->fault_addr = 0;
	ts->lock_start = 0;
	ts->cache_gen = 0;
	ts->sample_left = 0;
	for (int i = 0; i < LGT_C_NONE; i++)
		ts->last[i] = 0;
	return ts;
}

/*
 * --bench.  The lgbench process (its kernel tgid, from its first row_start)
 * and the row whose window is being measured (index + 1; 0: none).  The
 * kernel's work of that process counts for that row.
 */
__u32 bench_ktgid = 0;
__u32 bench_cur = 0;
/* Rows lgbench started beyond the LGT_BENCH_ROWS kept (user space says so). */
__u64 bench_rows_dropped = 0;
/* The selection lgtrace wrote into lgbench_probe_ctl (user space sets it). */
__u64 bench_stride = 0;
__u64 bench_slow_ns = 0;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LGT_BENCH_ROWS); /* 1 without --bench (the loader) */
	__type(key, __u32);
	__type(value, struct lgt_bench_row);
} bench_rows SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, LGT_BENCH_ROWS);
	__type(key, __u32);
	__type(value, struct lgt_bench_work);
} bench_work SEC(".maps");

/* Add @n to counter @w of the measured row, if @id is lgbench's. */
static __always_inline void work_add(__u64 id, int w, __u64 n)
{
	struct lgt_bench_work *v;
	__u32 row;

	if (!bench || !bench_cur || (__u32)(id >> 32) != bench_ktgid)
		return;
	row = bench_cur - 1;
	v = bpf_map_lookup_elem(&bench_work, &row);
	if (v && w >= 0 && w < LGT_NUM_WORK)
		v->v[w] += n;
}

/* A fault of thread @ts ended: the last of its cause. */
static __always_inline void bench_fault(__u64 id, struct thread_state *ts, bool major, bool swap)
{
	int c = swap ? LGT_C_SWAPIN : major ? LGT_C_MAJOR : LGT_C_MINOR;

	if (!bench)
		return;
	if (ts)
		ts->last[c] = bpf_ktime_get_ns();
	work_add(id, major ? LGT_W_MAJOR : LGT_W_MINOR, 1);
	if (swap)
		work_add(id, LGT_W_SWAPIN, 1);
}

static __always_inline struct lgt_pool_stats *pool_stats(__u32 pool)
{
	return bpf_map_lookup_elem(&stats, &pool);
}

/* The pool of @addr in process @tgid: its own image's areas, then those
 * it inherited (LGT_MODE_TREE). */
static __always_inline __u32 pool_of_tgid(__u32 tgid, __u64 addr)
{
	struct lgt_area_key key;
	struct lgt_proc *p;
	__u32 *pool;

	if (mode == LGT_MODE_PID) {
		lgt_area_key_init(&key, targ_tgid, addr, 64);
		pool = bpf_map_lookup_elem(&areas, &key);
		return pool ? *pool : LGT_POOL_OTHER;
	}
	p = bpf_map_lookup_elem(&procs, &tgid);
	if (!p)
		return LGT_POOL_OTHER;
	for (int i = 0; i < LGT_CHAIN; i++) {
		__u32 image = p->chain[i];

		if (!image)
			break;
		lgt_area_key_init(&key, image, addr, 64);
		pool = bpf_map_lookup_elem(&areas, &key);
		if (pool)
			return *pool;
	}
	return LGT_POOL_OTHER;
}

static __always_inline __u32 pool_of(__u64 addr)
{
	if (mode == LGT_MODE_PID)
		return pool_of_tgid(targ_tgid, addr);
	return pool_of_tgid(tgid_of(bpf_get_current_pid_tgid()), addr);
}

/* Per process (LGT_MODE_TREE): a completed fault, a swap-in. */
static __always_inline void proc_count(bool fault, bool major, bool swapin)
{
	struct lgt_proc *p;
	__u32 tgid;
	__u64 mm;

	if (mode == LGT_MODE_PID)
		return;
	p = current_proc(&tgid);
	if (!p)
		return;
	if (fault) {
		__sync_fetch_and_add(&p->faults, 1);
		if (major)
			__sync_fetch_and_add(&p->major, 1);
		mm = (__u64)bpf_get_current_task_btf()->mm;
		if (mm && p->mm != mm) {
			p->mm = mm;
			bpf_map_update_elem(&mms, &mm, &tgid, BPF_ANY);
		}
	}
	if (swapin)
		__sync_fetch_and_add(&p->swapins, 1);
}

/*
 * The pool of @addr through the thread's cache: faults come in runs in one
 * region, so the trie is rarely searched.  Exact while every stored block
 * covers whole 2 MiB regions (lgalloc's areas do) and no area was added
 * since the cache was filled (the generation is read before the search).
 */
static __always_inline __u32 pool_of_cached(struct thread_state *ts, __u64 addr)
{
	__u64 region = addr >> 21;
	__u32 gen = areas_gen + 1;

	if (ts->cache_gen == gen && ts->cache_region == region && !fine_areas)
		return ts->cache_pool;
	ts->cache_pool = pool_of(addr);
	ts->cache_region = region;
	ts->cache_gen = gen;
	return ts->cache_pool;
}

static __always_inline void hist_add(struct lgt_pool_stats *s, int h, __u64 ns)
{
	__u32 slot = lgt_log2(ns);

	if (slot >= LGT_HIST_SLOTS)
		slot = LGT_HIST_SLOTS - 1;
	__sync_fetch_and_add(&s->hist[h][slot], 1);
}

/*
 * Prefetch hints: MADV_WILLNEED ranges, through io_uring or madvise(2).
 * The first fault in a hinted page tells whether the hint was in time
 * (minor) or not (major).
 */
#define MADV_WILLNEED 3

/* Set once the target gave a hint: until then no fault looks for one. */
bool hints_seen = false;

struct hint_bits {
	__u64 w[LGT_HINT_WORDS];
};

/* Pages with a hint that no fault has consumed yet, per 2 MiB region. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, LGT_HINT_REGIONS);
	__type(key, __u64); /* address >> LGT_HINT_SHIFT */
	__type(value, struct hint_bits);
} hints SEC(".maps");

/* Whether a hint covers @addr's page; the first fault there consumes it. */
static __always_inline bool take_hint(__u64 addr)
{
	__u64 region = addr >> LGT_HINT_SHIFT, bit;
	__u32 page = (addr >> 12) & (LGT_HINT_WORDS * 64 - 1);
	struct hint_bits *b;

	if (!hints_seen)
		return false;
	b = bpf_map_lookup_elem(&hints, &region);
	if (!b)
		return false;
	bit = 1ULL << (page & 63);
	return __sync_fetch_and_and(&b->w[page / 64], ~bit) & bit;
}

struct hint_walk {
	__u64 word, page, end; /* the first bitmap word to mark; the range, in pages */
};

/*
 * Mark the range's pages in word @i of the walk (a bpf_loop step).  The
 * walk's state does not change from step to step, so that the verifier
 * sees one step, not a loop over a region's words.
 */
static long mark_word(__u32 i, struct hint_walk *w)
{
	__u64 word = w->word + i, region = word / LGT_HINT_WORDS, lo = word * 64, hi = lo + 63, n;
	struct hint_bits *b, zero = {};

	if (lo >= w->end)
		return 1;
	b = bpf_map_lookup_elem(&hints, &region);
	if (!b) {
		bpf_map_update_elem(&hints, &region, &zero, BPF_NOEXIST);
		b = bpf_map_lookup_elem(&hints, &region);
		if (!b)
			return 1;
	}
	lo = lo < w->page ? w->page : lo;
	hi = hi < w->end ? hi : w->end - 1;
	n = hi - lo + 1;
	__sync_fetch_and_or(&b->w[word % LGT_HINT_WORDS], (n >= 64 ? ~0ULL : (1ULL << n) - 1) << (lo % 64));
	return 0;
}

#define HINT_MAX_WORDS (LGT_HINT_MAX_WALK * LGT_HINT_WORDS)

static __always_inline void mark_hinted(__u64 addr, __u64 len)
{
	struct hint_walk w = {addr >> 18, addr >> 12, (addr + len + 4095) >> 12};

	hints_seen = true;
	bpf_loop(HINT_MAX_WORDS, mark_word, &w, 0);
	if (w.end > (w.word + HINT_MAX_WORDS) * 64)
		__sync_fetch_and_add(&diag.hint_truncated, 1);
}

static __always_inline void count_fault(__u32 pool, bool major, bool swap, bool hinted, __u64 ns, bool timed)
{
	struct lgt_pool_stats *s = pool_stats(pool);

	if (!s)
		return;
	__sync_fetch_and_add(&s->faults, 1);
	if (major)
		__sync_fetch_and_add(&s->major, 1);
	if (hinted)
		__sync_fetch_and_add(major ? &s->hinted_major : &s->hinted_minor, 1);
	if (!timed)
		return;
	__sync_fetch_and_add(&s->fault_ns[major], ns);
	hist_add(s, major ? LGT_H_FAULT_MAJOR : LGT_H_FAULT_MINOR, ns);
	if (swap)
		hist_add(s, LGT_H_SWAPIN, ns);
}

/* As little as possible at entry: the address, and the time for one fault
 * in latency_sample; the pool is found at completion. */
static __always_inline int fault_entry(unsigned long address)
{
	struct thread_state *ts;
	__u64 id;

	/* Kernel-mode faults on kernel addresses are no fault of the task's. */
	if ((long)address < 0)
		return 0;
	id = bpf_get_current_pid_tgid();
	if (!is_target(id))
		return 0;
	if (!target_mm)
		target_mm = (__u64)bpf_get_current_task_btf()->mm;
	ts = thread_state(id, true);
	if (!ts)
		return 0;
	if (count_at_entry) {
		count_fault(pool_of_cached(ts, address), false, false, false, 0, false);
		proc_count(true, false, false);
		bench_fault(id, ts, false, false);
		return 0;
	}
	ts->fault_addr = address;
	ts->in_fault = 1;
	ts->fault_major = 0;
	ts->fault_swap = 0;
	ts->fault_lock_reads = 0;
	if (ts->sample_left) {
		ts->sample_left--;
		ts->fault_start = 0;
	} else {
		ts->sample_left = latency_sample - 1;
		ts->fault_start = bpf_ktime_get_ns();
	}
	return 0;
}

SEC("tp_btf/page_fault_user")
int BPF_PROG(fault_user, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	if (noop)
		return 0;
	return fault_entry(address);
}

/* Faults the kernel takes on user addresses (copy_to_user into a fresh
 * buffer): counted in min_flt like user faults. */
SEC("tp_btf/page_fault_kernel")
int BPF_PROG(fault_kernel, unsigned long address, struct pt_regs *regs, unsigned long error_code)
{
	if (noop)
		return 0;
	return fault_entry(address);
}

static __always_inline void fault_done(__u64 id, struct mem_cgroup *memcg)
{
	struct thread_state *ts = thread_state(id, false);
	__u64 ns = 0;

	if (memcg && target_memcg != (__u64)memcg)
		target_memcg = (__u64)memcg;
	if (!ts || !ts->in_fault) {
		/* get_user_pages() on behalf of the task: no entry seen. */
		__sync_fetch_and_add(&diag.faults_no_entry, 1);
		count_fault(LGT_POOL_OTHER, false, false, false, 0, false);
		proc_count(true, false, false);
		/* Inside the task's own system call: its operation met it. */
		bench_fault(id, thread_state(id, false), false, false);
		return;
	}
	if (ts->fault_start)
		ns = bpf_ktime_get_ns() - ts->fault_start;
	bool major = ts->fault_major || ts->fault_lock_reads >= 2;
	count_fault(pool_of_cached(ts, ts->fault_addr), major, ts->fault_swap && ts->fault_major,
		    take_hint(ts->fault_addr), ns, ts->fault_start != 0);
	proc_count(true, major, false);
	bench_fault(id, ts, major, ts->fault_swap && ts->fault_major);
	ts->in_fault = 0;
	ts->fault_start = 0;
}

/* PGMAJFAULT: a swap-in when the fault reads anonymous memory; lgalloc's
 * areas always are, elsewhere a swap read must have been submitted. */
static __always_inline void fault_major(__u64 id)
{
	struct thread_state *ts = thread_state(id, false);
	struct lgt_pool_stats *s;
	__u32 pool = LGT_POOL_OTHER;
	bool swap = false;

	if (ts) {
		pool = ts->fault_addr ? pool_of_cached(ts, ts->fault_addr) : LGT_POOL_OTHER;
		if (ts->in_fault) {
			ts->fault_major = 1;
			swap = ts->fault_swap || pool < LGT_NUM_CLASS;
			ts->fault_swap = swap;
			if (!ts->fault_start)
				ts->fault_start = bpf_ktime_get_ns();
		}
	}
	if (!swap)
		return;
	s = pool_stats(pool);
	if (s)
		__sync_fetch_and_add(&s->swapins, 1);
	proc_count(false, false, true);
}

static __always_inline void swap_read(__u64 id)
{
	struct thread_state *ts = thread_state(id, false);

	if (ts && ts->in_fault)
		ts->fault_swap = 1;
}

/* Most events here are of no interest (PGPGIN and PGPGOUT of memcg v1 come
 * with every fault) and most are of other processes: the event number is
 * checked first, with no helper call, then the PID. */
SEC("tp_btf/count_memcg_events")
int BPF_PROG(memcg_event, struct mem_cgroup *memcg, int item, unsigned long nr)
{
	if (noop)
		return 0;
	bool zswpin = bpf_core_enum_value_exists(enum vm_event_item, ZSWPIN) &&
		      item == bpf_core_enum_value(enum vm_event_item, ZSWPIN);
	__u64 id;

	if (item != bpf_core_enum_value(enum vm_event_item, PGFAULT) &&
	    item != bpf_core_enum_value(enum vm_event_item, PGMAJFAULT) &&
	    item != bpf_core_enum_value(enum vm_event_item, PSWPIN) && !zswpin)
		return 0;
	id = bpf_get_current_pid_tgid();
	if (!is_target(id))
		return 0;
	if (item == bpf_core_enum_value(enum vm_event_item, PGFAULT))
		fault_done(id, memcg);
	else if (item == bpf_core_enum_value(enum vm_event_item, PGMAJFAULT))
		fault_major(id);
	else
		swap_read(id);
	return 0;
}

/*
 * Kernels without count_memcg_events (6.1): a fault's completion from the
 * page-faults-min and page-faults-maj software events, which
 * mm_account_fault() raises in the faulting task where it counts
 * min_flt/maj_flt (major also for a retried fault, as maj_flt).  One event
 * per CPU for all tasks (the user program opens them); the target is
 * picked here.  A fault is known major only as it ends, so the user
 * program times every fault in this mode; swap-ins are the major faults
 * on lgalloc's areas (anonymous memory), no PSWPIN tells about others.
 */
SEC("perf_event")
int fault_minor_perf(struct bpf_perf_event_data *ctx)
{
	__u64 id;

	if (noop)
		return 0;
	id = bpf_get_current_pid_tgid();
	if (is_target(id))
		fault_done(id, NULL);
	return 0;
}

SEC("perf_event")
int fault_major_perf(struct bpf_perf_event_data *ctx)
{
	__u64 id;

	if (noop)
		return 0;
	id = bpf_get_current_pid_tgid();
	if (!is_target(id))
		return 0;
	fault_major(id);
	fault_done(id, NULL);
	return 0;
}

/*
 * The pool of a fault at @addr in @mm done for the current (traced) task:
 * its own areas when @mm is its own (*@own), else those of the traced
 * process whose address space it is (process_vm_readv() on another
 * process of the tree), else "other" (exec copying its arguments into the
 * new program's mm).
 */
static __always_inline __u32 pool_in_mm(__u64 mm, __u64 addr, bool *own)
{
	__u32 *tgid;

	*own = mm == (__u64)bpf_get_current_task_btf()->mm;
	if (*own)
		return pool_of(addr);
	if (mode == LGT_MODE_PID)
		return LGT_POOL_OTHER;
	tgid = bpf_map_lookup_elem(&mms, &mm);
	return tgid ? pool_of_tgid(*tgid, addr) : LGT_POOL_OTHER;
}

#define VMF(x) bpf_core_enum_value(enum vm_fault_reason, VM_FAULT_##x)

/*
 * With the software events (no count_memcg_events): the faults that raise
 * none.  mm_account_fault() counts every fault handle_mm_fault() completes
 * in the task's min_flt/maj_flt, but raises page-faults-min/maj only for
 * one with registers: not for those of get_user_pages() and
 * fixup_user_fault(), which pass none (exec copying its arguments,
 * process_vm_readv/writev, O_DIRECT buffers, futexes, KSM).  Counted here
 * as handle_mm_fault() returns, with mm_account_fault()'s conditions (6.1's
 * mm/memory.c): not when the result has VM_FAULT_ERROR (OOM, SIGBUS,
 * SIGSEGV, HWPOISON, HWPOISON_LARGE, FALLBACK) or VM_FAULT_RETRY; major if
 * VM_FAULT_MAJOR or the fault was retried (FAULT_FLAG_TRIED), minor else.
 * In the pool of the address in the vma's mm, except after
 * VM_FAULT_COMPLETED (a write fault on a shared file mapping that dropped
 * mmap_lock: the vma may be gone; never lgalloc's anonymous memory):
 * "other".  Untimed (no entry is seen), like the completions of such
 * faults from count_memcg_events.  A swap-in if VM_FAULT_MAJOR on an
 * lgalloc area (anonymous memory).
 */
SEC("fexit/handle_mm_fault")
int BPF_PROG(fault_gup, struct vm_area_struct *vma, unsigned long address, unsigned int flags,
	     struct pt_regs *regs, vm_fault_t ret)
{
	__u32 error =
		VMF(OOM) | VMF(SIGBUS) | VMF(SIGSEGV) | VMF(HWPOISON) | VMF(HWPOISON_LARGE) | VMF(FALLBACK);
	__u32 pool = LGT_POOL_OTHER;
	struct lgt_pool_stats *s;
	bool major, swap, own = false;

	__u64 id = bpf_get_current_pid_tgid();

	if (noop || regs || (ret & (error | VMF(RETRY))))
		return 0;
	if (!is_target(id))
		return 0;
	major = (ret & VMF(MAJOR)) || (flags & bpf_core_enum_value(enum fault_flag, FAULT_FLAG_TRIED));
	if (!(ret & VMF(COMPLETED)))
		pool = pool_in_mm((__u64)BPF_CORE_READ(vma, vm_mm), address, &own);
	swap = (ret & VMF(MAJOR)) && pool < LGT_NUM_CLASS;
	__sync_fetch_and_add(&diag.faults_no_entry, 1);
	count_fault(pool, major, false, own && take_hint(address), 0, false);
	s = pool_stats(pool);
	if (swap && s)
		__sync_fetch_and_add(&s->swapins, 1);
	proc_count(true, major, swap);
	bench_fault(id, thread_state(id, false), major, swap);
	return 0;
}

/* System call numbers for attributing mmap_lock to the operation. */
#if defined(__TARGET_ARCH_x86)
#define NR_mmap		 9
#define NR_mprotect	 10
#define NR_munmap	 11
#define NR_brk		 12
#define NR_mremap	 25
#define NR_msync	 26
#define NR_mincore	 27
#define NR_madvise	 28
#define NR_mlock	 149
#define NR_munlock	 150
#define NR_mlock2	 325
#define SYSCALL_NR(regs) BPF_CORE_READ(regs, orig_ax)
#elif defined(__TARGET_ARCH_arm64)
#define NR_munmap	 215
#define NR_mremap	 216
#define NR_mmap		 222
#define NR_mprotect	 226
#define NR_msync	 227
#define NR_mlock	 228
#define NR_munlock	 229
#define NR_mincore	 232
#define NR_madvise	 233
#define NR_mlock2	 284
#define NR_brk		 214
#define SYSCALL_NR(regs) BPF_CORE_READ((struct user_pt_regs *)(regs), syscallno)
#else
#error "lgtrace.bpf.c: system call numbers missing for this architecture"
#endif

/*
 * The pool an mmap_lock acquisition is for: the fault's address inside a
 * fault, the first argument of the address-range system calls, the
 * mapping calls as a pool of their own, anything else (exit, /proc...)
 * "other".  A madvise(MADV_WILLNEED) range is marked as hinted.
 */
static __always_inline __u32 lock_pool(struct thread_state *ts)
{
	struct pt_regs *regs;
	long nr;

	if (ts->in_fault)
		return pool_of_cached(ts, ts->fault_addr);
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	nr = SYSCALL_NR(regs);
	switch (nr) {
	case NR_madvise:
		/* MADV_WILLNEED takes mmap_lock for reading: a hint. */
		if (PT_REGS_PARM3_CORE_SYSCALL(regs) == MADV_WILLNEED)
			mark_hinted(PT_REGS_PARM1_CORE_SYSCALL(regs), PT_REGS_PARM2_CORE_SYSCALL(regs));
		return pool_of(PT_REGS_PARM1_CORE_SYSCALL(regs));
	case NR_mprotect:
	case NR_msync:
	case NR_mincore:
	case NR_mlock:
	case NR_munlock:
	case NR_mlock2:
		return pool_of(PT_REGS_PARM1_CORE_SYSCALL(regs));
	case NR_mmap:
	case NR_munmap:
	case NR_mremap:
	case NR_brk:
		return LGT_POOL_MMAP;
	default:
		return LGT_POOL_OTHER;
	}
}

static __always_inline bool own_mm(struct mm_struct *mm)
{
	return bpf_get_current_task_btf()->mm == mm;
}

/*
 * mmap_lock_start_locking and mmap_lock_acquire_returned: since 6.2 (mm,
 * write[, success]); before, with the memcg path between (mm, memcg_path,
 * write[, success]).  One program per signature; the user program loads
 * the one that matches the kernel's BTF (tools/lgtrace/tpsig.c).
 */
static __always_inline int on_lock_start(struct mm_struct *mm, bool write)
{
	struct thread_state *ts;
	__u64 id = bpf_get_current_pid_tgid();

	if (!is_target(id) || !own_mm(mm))
		return 0;
	ts = thread_state(id, true);
	if (!ts)
		return 0;
	ts->lock_addr = (__u64)&mm->mmap_lock;
	ts->lock_write = write;
	ts->lock_contended = 0;
	ts->lock_pool = lock_pool(ts);
	ts->lock_start = bpf_ktime_get_ns();
	return 0;
}

static __always_inline int on_lock_acquired(struct mm_struct *mm, bool write, bool success)
{
	struct thread_state *ts;
	struct lgt_pool_stats *s;
	__u64 wait;
	int w = write ? 1 : 0;
	__u64 id = bpf_get_current_pid_tgid();

	if (!is_target(id) || !own_mm(mm))
		return 0;
	ts = thread_state(id, false);
	if (!ts || !ts->lock_start)
		return 0;
	__u64 started = ts->lock_start;

	wait = bpf_ktime_get_ns() - started;
	ts->lock_start = 0;
	s = pool_stats(ts->lock_pool);
	if (!s)
		return 0;
	if (!success) {
		__sync_fetch_and_add(&s->lock_failed[w], 1);
		return 0;
	}
	if (!write && ts->in_fault)
		ts->fault_lock_reads++;
	if (bench) {
		if (ts->lock_contended)
			ts->last[LGT_C_LOCK] = started + wait;
		work_add(id, LGT_W_LOCK_ACQ, 1);
		work_add(id, LGT_W_LOCK_CONT, ts->lock_contended);
		work_add(id, LGT_W_LOCK_WAIT_NS, wait);
	}
	__sync_fetch_and_add(&s->lock_acq[w], 1);
	if (ts->lock_contended)
		__sync_fetch_and_add(&s->lock_cont[w], 1);
	__sync_fetch_and_add(&s->lock_wait_ns[w], wait);
	hist_add(s, w ? LGT_H_LOCK_WRITE : LGT_H_LOCK_READ, wait);
	return 0;
}

SEC("tp_btf/mmap_lock_start_locking")
int BPF_PROG(lock_start, struct mm_struct *mm, bool write)
{
	if (noop)
		return 0;
	return on_lock_start(mm, write);
}

SEC("tp_btf/mmap_lock_start_locking")
int BPF_PROG(lock_start_memcg, struct mm_struct *mm, const char *memcg_path, bool write)
{
	if (noop)
		return 0;
	return on_lock_start(mm, write);
}

SEC("tp_btf/mmap_lock_acquire_returned")
int BPF_PROG(lock_acquired, struct mm_struct *mm, bool write, bool success)
{
	if (noop)
		return 0;
	return on_lock_acquired(mm, write, success);
}

SEC("tp_btf/mmap_lock_acquire_returned")
int BPF_PROG(lock_acquired_memcg, struct mm_struct *mm, const char *memcg_path, bool write, bool success)
{
	if (noop)
		return 0;
	return on_lock_acquired(mm, write, success);
}

/* The rwsem slow path (after optimistic spinning failed): the acquisition
 * in flight on this thread is contended. */
SEC("tp_btf/contention_begin")
int BPF_PROG(contention_begin, void *lock, unsigned int flags)
{
	if (noop)
		return 0;
	struct thread_state *ts;
	__u64 id = bpf_get_current_pid_tgid();

	if (!is_target(id))
		return 0;
	ts = thread_state(id, false);
	if (ts && ts->lock_start && ts->lock_addr == (__u64)lock)
		ts->lock_contended = 1;
	return 0;
}

/*
 * Swap-out writeback, in whatever task reclaims.  An anonymous folio leads
 * to its mm through its anon_vma (the first vma in the interval tree) and
 * to its address through its index (vm_pgoff of an anonymous mapping is
 * its address); other folios count for the target when they are charged
 * to its (non-root) memory cgroup.
 */
SEC("tp_btf/mm_vmscan_write_folio")
int BPF_PROG(write_folio, struct folio *folio)
{
	if (noop)
		return 0;
	__u64 mapping = (__u64)BPF_CORE_READ(folio, mapping);
	struct lgt_pool_stats *s;
	__u32 pool = LGT_POOL_OTHER;

	if (!target_mm)
		return 0;
	if (mapping & 1 && mode == LGT_MODE_TREE) {
		struct anon_vma *av = (struct anon_vma *)(mapping & ~3ULL);
		struct rb_node *node = BPF_CORE_READ(av, rb_root.rb_root.rb_node);
		struct anon_vma_chain *avc;
		__u64 mm;
		__u32 *tgid;

		if (!node)
			return 0;
		avc = (void *)node - bpf_core_field_offset(struct anon_vma_chain, rb);
		mm = (__u64)BPF_CORE_READ(avc, vma, vm_mm);
		tgid = bpf_map_lookup_elem(&mms, &mm);
		if (!tgid)
			return 0;
		pool = pool_of_tgid(*tgid, BPF_CORE_READ(folio, index) << 12);
	} else if (mapping & 1) {
		struct anon_vma *av = (struct anon_vma *)(mapping & ~3ULL);
		struct rb_node *node = BPF_CORE_READ(av, rb_root.rb_root.rb_node);
		struct anon_vma_chain *avc;

		if (!node)
			return 0;
		avc = (void *)node - bpf_core_field_offset(struct anon_vma_chain, rb);
		if ((__u64)BPF_CORE_READ(avc, vma, vm_mm) != target_mm)
			return 0;
		pool = pool_of(BPF_CORE_READ(folio, index) << 12);
	} else {
		struct mem_cgroup *memcg = (void *)(BPF_CORE_READ(folio, memcg_data) & ~3ULL);

		if (!memcg || (__u64)memcg != target_memcg || !BPF_CORE_READ(memcg, css.parent))
			return 0;
	}
	s = pool_stats(pool);
	if (s)
		__sync_fetch_and_add(&s->swapouts, 1);
	return 0;
}

/*
 * io_uring IORING_OP_MADVISE requests.  io_uring_submit_req fires in the
 * submitting thread after the request's prep step filled in its command
 * data (struct io_madvise: address, length, advice); io_uring_complete
 * where its CQE is posted: in the io-wq worker that ran it (madvise is
 * always run async), a thread of the same process.  The two are matched by
 * the request's address.
 */
struct uring_madvise {
	__u64 addr, len;
	__u32 advice;
};

/*
 * Requests in flight: submission time and pool, in an array slot chosen by
 * a hash of the request's address (an inlined array lookup, where a hash
 * map costs a few hundred ns per request here).  A request whose slot was
 * taken over by another before it completed counts as unmatched, untimed.
 */
struct uring_req {
	__u64 req; /* 0: free */
	__u64 start;
	__u64 pool;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, LGT_URING_SLOTS);
	__type(key, __u32);
	__type(value, struct uring_req);
} uring_reqs SEC(".maps");

#define LGT_URING_PROBES 8

static __always_inline struct uring_req *uring_slot_at(__u64 req, __u32 probe)
{
	__u32 slot = (__u32)(((req * 0x9E3779B97F4A7C15ULL) >> 48) + probe) & (LGT_URING_SLOTS - 1);

	return bpf_map_lookup_elem(&uring_reqs, &slot);
}

/* A free slot for @req, claimed with a compare-and-swap: requests in flight
 * can hash to the same slot (256 hints in flight in 65,536 slots collide
 * about every other run), so probe the next few. */
static __always_inline struct uring_req *uring_claim(__u64 req)
{
	for (__u32 i = 0; i < LGT_URING_PROBES; i++) {
		struct uring_req *r = uring_slot_at(req, i);

		if (r && __sync_val_compare_and_swap(&r->req, 0, req) == 0)
			return r;
	}
	return NULL;
}

/* The slot @req was claimed in, or NULL. */
static __always_inline struct uring_req *uring_find(__u64 req)
{
	for (__u32 i = 0; i < LGT_URING_PROBES; i++) {
		struct uring_req *r = uring_slot_at(req, i);

		if (r && r->req == req)
			return r;
	}
	return NULL;
}

static __always_inline bool is_madvise(struct io_kiocb *req)
{
	return req && bpf_core_enum_value_exists(enum io_uring_op, IORING_OP_MADVISE) &&
	       BPF_CORE_READ(req, opcode) == bpf_core_enum_value(enum io_uring_op, IORING_OP_MADVISE);
}

/* A madvise request's range and advice, from its command data (one
 * read of the whole of it, where a read per field costs more).  A kernel
 * without struct io_madvise in its BTF gives address 0 (pool "other") and
 * length 0. */
static __always_inline void madvise_args(struct io_kiocb *req, struct uring_madvise *m)
{
	__u64 cmd[8];
	char *c = (char *)cmd;

	m->addr = 0;
	m->len = 0;
	m->advice = 0;
	if (!bpf_core_type_exists(struct io_madvise) || !bpf_core_field_exists(req->cmd) ||
	    bpf_core_type_size(struct io_madvise) > sizeof(cmd) ||
	    bpf_probe_read_kernel(cmd, sizeof(cmd), &req->cmd))
		return;
	m->addr = *(__u64 *)(c + bpf_core_field_offset(struct io_madvise, addr));
	/* u32 up to 6.1, u64 since.  The offset goes through a register the
	 * compiler cannot see into, so that the relocation is on a move and
	 * not on a load, whose size libbpf checks against the field's. */
	__u64 off = bpf_core_field_offset(struct io_madvise, len);

	asm volatile("" : "+r"(off));
	if (bpf_core_field_size(struct io_madvise, len) == 4)
		m->len = *(__u32 *)(c + (off & 63));
	else
		m->len = *(__u64 *)(c + (off & 63));
	m->advice = *(__u32 *)(c + bpf_core_field_offset(struct io_madvise, advice));
}

static __always_inline int on_uring_submit(struct io_kiocb *req, __u64 key)
{
	struct uring_madvise m;
	struct lgt_pool_stats *s;
	struct uring_req *r;
	__u32 pool;

	if (!is_target(bpf_get_current_pid_tgid()) || !is_madvise(req))
		return 0;
	madvise_args(req, &m);
	pool = pool_of(m.addr);
	r = uring_claim(key);
	if (r) {
		r->start = bpf_ktime_get_ns();
		r->pool = pool;
	}
	s = pool_stats(pool);
	if (s)
		__sync_fetch_and_add(&s->uring_submitted, 1);
	work_add(bpf_get_current_pid_tgid(), LGT_W_URING, 1);
	if (m.advice == MADV_WILLNEED && m.len)
		mark_hinted(m.addr, m.len);
	return 0;
}

/* The request's address as a number (the verifier allows no arithmetic
 * on a typed pointer): io_uring_complete passes it as void *, a number
 * already. */
static __always_inline __u64 req_key(unsigned long long *ctx)
{
	__u64 key = 0;

	bpf_probe_read_kernel(&key, sizeof(key), &ctx[0]);
	return key;
}

/* Since 6.3: (req), after the prep step filled in the command data. */
SEC("tp_btf/io_uring_submit_req")
int BPF_PROG(uring_submit, struct io_kiocb *req)
{
	if (noop)
		return 0;
	return on_uring_submit(req, req_key(ctx));
}

/* 5.18 to 6.2: io_uring_submit_sqe(req, force_nonblock), fired in
 * io_init_req's caller after the prep step too (io_submit_sqe). */
SEC("tp_btf/io_uring_submit_sqe")
int BPF_PROG(uring_submit_sqe, struct io_kiocb *req, bool force_nonblock)
{
	if (noop)
		return 0;
	return on_uring_submit(req, req_key(ctx));
}

/* The result is read from the request (req->cqe), not from the CQE
 * argument, which older kernels did not pass. */
SEC("tp_btf/io_uring_complete")
int BPF_PROG(uring_complete, void *ring, void *req)
{
	if (noop)
		return 0;
	struct io_kiocb *rq = req;
	struct uring_madvise m;
	struct lgt_pool_stats *s;
	struct uring_req *r;
	bool timed = false;
	__u64 ns = 0;
	__u32 pool;

	if (!is_target(bpf_get_current_pid_tgid()) || !is_madvise(rq))
		return 0;
	r = uring_find((__u64)req);
	if (r) {
		pool = (__u32)r->pool;
		ns = bpf_ktime_get_ns() - r->start;
		timed = true;
		/* Free the slot last: start and pool are read. */
		__sync_lock_test_and_set(&r->req, 0);
	} else {
		madvise_args(rq, &m);
		pool = pool_of(m.addr);
		__sync_fetch_and_add(&diag.uring_unmatched, 1);
	}
	s = pool_stats(pool);
	if (!s)
		return 0;
	__sync_fetch_and_add(&s->uring_completed, 1);
	if (bpf_core_field_exists(rq->cqe) && BPF_CORE_READ(rq, cqe.res) < 0)
		__sync_fetch_and_add(&s->uring_failed, 1);
	if (timed) {
		__sync_fetch_and_add(&s->uring_ns, ns);
		hist_add(s, LGT_H_URING, ns);
	}
	return 0;
}

#define SIGSTOP 19

/* The PID of @task in lgtrace's PID namespace (the level whose namespace
 * is pidns_ino), 0 if it has none there. */
static __always_inline __u32 ns_pid_of(struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);

	for (unsigned int i = 0; i < 8; i++) {
		if (i > level)
			break;
		struct upid up;

		if (bpf_probe_read_kernel(&up, sizeof(up), &pid->numbers[i]))
			return 0;
		if (BPF_CORE_READ(up.ns, ns.inum) == pidns_ino)
			return (__u32)up.nr;
	}
	return 0;
}

/* An event for the user program; @task: whose command name (NULL: the
 * current task's).  False when the ring buffer is full. */
static __always_inline bool tell(__u32 type, __u32 tgid, __u32 ppid, bool stopped, struct task_struct *task)
{
	struct lgt_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		__sync_fetch_and_add(&diag.events_lost, 1);
		return false;
	}
	e->type = type;
	e->tgid = tgid;
	e->ppid = ppid;
	e->stopped = stopped;
	if (task)
		bpf_probe_read_kernel_str(e->comm, sizeof(e->comm), task->comm);
	else
		bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
	return true;
}

/* Tell the user program, and with @stop stop the current process until it
 * sends SIGCONT (only if the event got through: else no one would). */
static __always_inline void stop_and_tell(__u32 type, __u32 tgid, __u32 ppid, bool stop)
{
	struct lgt_event *e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);

	if (!e) {
		__sync_fetch_and_add(&diag.events_lost, 1);
		return;
	}
	if (stop && bpf_send_signal_thread(SIGSTOP))
		stop = false;
	e->type = type;
	e->tgid = tgid;
	e->ppid = ppid;
	e->stopped = stop;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
}

struct area_walk {
	__u64 base, len;
	__u32 pool;
	__u32 image;
};

static long add_block(__u32 i, struct area_walk *w)
{
	struct lgt_area_key key;
	unsigned b;

	if (!w->len)
		return 1;
	b = lgt_next_block(w->base, w->len);
	lgt_area_key_init(&key, w->image, w->base, 64 - b);
	if (b < 21)
		fine_areas = true;
	if (bpf_map_update_elem(&areas, &key, &w->pool, BPF_ANY))
		__sync_fetch_and_add(&diag.area_fail, 1);
	else
		__sync_fetch_and_add(&diag.area_updates, 1);
	w->base += 1ULL << b;
	w->len -= 1ULL << b;
	return 0;
}

/* lgalloc:area_map(base, len, class_log2): store the area as prefixes
 * (bpf_loop: an unrolled walk is too much for the verifier). */
SEC("usdt")
int BPF_USDT(area_map, __u64 base, __u64 len, __u32 class_log2)
{
	struct area_walk w = {base, len, class_log2 - LGT_MIN_CLASS, targ_tgid};
	struct lgt_proc *p;
	__u32 tgid;

	if (!is_target(bpf_get_current_pid_tgid()) || class_log2 < LGT_MIN_CLASS ||
	    class_log2 >= LGT_MIN_CLASS + LGT_NUM_CLASS)
		return 0;
	if (mode == LGT_MODE_TREE) {
		p = current_proc(&tgid);
		if (!p)
			return 0;
		w.image = p->chain[0];
	}
	bpf_loop(LGT_MAX_BLOCKS, add_block, &w, 0);
	__sync_fetch_and_add(&areas_gen, 1);
	return 0;
}

/* Stops the command at its ELF entry point (after the dynamic loader mapped
 * its libraries, before main) so that the user program can attach the
 * USDT probe to whichever liblgalloc it loaded. */
SEC("uprobe")
int BPF_KPROBE(entry_stop)
{
	struct lgt_proc *p;
	__u32 tgid;

	if (mode == LGT_MODE_PID) {
		if (is_target(bpf_get_current_pid_tgid()))
			bpf_send_signal_thread(SIGSTOP);
		return 0;
	}
	p = current_proc(&tgid);
	if (!p || !p->entry_pending)
		return 0;
	p->entry_pending = 0;
	stop_and_tell(LGT_EV_ENTRY, tgid, p->ppid, true);
	return 0;
}

/*
 * Process trees.  sched_process_fork runs in the parent after the child
 * was made and before it first runs: a child of a traced process is traced
 * from its first instruction.  A thread (same tgid) is no new process.
 */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(proc_fork, struct task_struct *parent, struct task_struct *child)
{
	struct lgt_proc *pp, np = {};
	__u32 ptgid, ctgid;

	if (BPF_CORE_READ(child, tgid) == BPF_CORE_READ(parent, tgid))
		return 0;
	pp = current_proc(&ptgid);
	if (!pp || pp->exited)
		return 0;
	ctgid = pidns_ino ? ns_pid_of(child) : (__u32)BPF_CORE_READ(child, tgid);
	if (!ctgid)
		return 0;
	np.chain[0] = (__u32)__sync_fetch_and_add(&next_image, 1);
	for (int i = 0; i + 1 < LGT_CHAIN; i++)
		np.chain[i + 1] = pp->chain[i];
	np.ppid = ptgid;
	if (bpf_map_update_elem(&procs, &ctgid, &np, BPF_ANY)) {
		__sync_fetch_and_add(&diag.procs_full, 1);
		return 0;
	}
	tell(LGT_EV_FORK, ctgid, ptgid, false, child);
	return 0;
}

/* After the new program's image replaced the old (still in the kernel):
 * a new image, no areas yet.  With stop_on_exec the process stops before
 * its first instruction unless its executable has the entry-point uprobe
 * already, and then at its entry point. */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(proc_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct lgt_file_key fk = {};
	struct lgt_proc *pr;
	__u32 tgid;
	bool known;

	pr = current_proc(&tgid);
	if (!pr || pr->exited)
		return 0;
	pr->chain[0] = (__u32)__sync_fetch_and_add(&next_image, 1);
	for (int i = 1; i < LGT_CHAIN; i++)
		pr->chain[i] = 0;
	__sync_fetch_and_add(&areas_gen, 1);
	if (!stop_on_exec) {
		tell(LGT_EV_EXEC, tgid, pr->ppid, false, NULL);
		return 0;
	}
	fk.ino = BPF_CORE_READ(bprm, file, f_inode, i_ino);
	fk.dev = BPF_CORE_READ(bprm, file, f_inode, i_sb, s_dev);
	known = bpf_map_lookup_elem(&entry_files, &fk) != NULL;
	pr->entry_pending = 1;
	stop_and_tell(LGT_EV_EXEC, tgid, pr->ppid, !known);
	return 0;
}

/* Each thread's exit; the process's when no thread is left alive. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(proc_exit, struct task_struct *p)
{
	struct lgt_proc *pr;
	__u32 tgid;
	__u64 mm;

	if (BPF_CORE_READ(p, signal, live.counter))
		return 0;
	pr = current_proc(&tgid);
	if (!pr || pr->exited)
		return 0;
	pr->exited = 1;
	pr->entry_pending = 0;
	pr->exit_minflt = BPF_CORE_READ(p, min_flt) + BPF_CORE_READ(p, signal, min_flt) +
			  BPF_CORE_READ(p, signal, cmin_flt);
	pr->exit_majflt = BPF_CORE_READ(p, maj_flt) + BPF_CORE_READ(p, signal, maj_flt) +
			  BPF_CORE_READ(p, signal, cmaj_flt);
	mm = pr->mm;
	if (mm)
		bpf_map_delete_elem(&mms, &mm);
	tell(LGT_EV_EXIT, tgid, pr->ppid, false, NULL);
	return 0;
}

/*
 * --bench: lgbench's probes (bench/probes.h, docs/tracing.md) and the
 * thread's switches.  Attached to the lgbench process alone (the user
 * program picks it); its kernel tgid is taken at its first row_start.
 */

/* A thread of lgbench is switched out (preempted, or blocked): the last
 * off-CPU event of that thread.  sched_switch(preempt, prev, next[,
 * prev_state]): only prev is read, the same on every kernel since 4.x. */
SEC("tp_btf/sched_switch")
int BPF_PROG(bench_switch, bool preempt, struct task_struct *prev)
{
	struct thread_state *ts;
	__u32 slot, tid;

	if (noop || !bench_ktgid || prev->tgid != bench_ktgid)
		return 0;
	tid = prev->pid;
	slot = tid & (THREAD_SLOTS - 1);
	ts = bpf_map_lookup_elem(&threads, &slot);
	if (!ts)
		return 0;
	if (ts->tid != tid)
		ts = thread_state(((__u64)prev->tgid << 32) | tid, true);
	if (ts)
		ts->last[LGT_C_OFFCPU] = bpf_ktime_get_ns();
	return 0;
}

static __always_inline struct lgt_bench_row *bench_row(__u32 row)
{
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) != bench_ktgid)
		return NULL;
	return bpf_map_lookup_elem(&bench_rows, &row);
}

SEC("usdt")
int BPF_USDT(bench_row_start, __u32 row, const char *mode, const char *name, __u32 threads, __u64 warmup_ms,
	     __u64 measure_ms)
{
	struct lgt_bench_row *r;

	if (!bench_ktgid)
		bench_ktgid = bpf_get_current_pid_tgid() >> 32;
	if ((__u32)(bpf_get_current_pid_tgid() >> 32) != bench_ktgid)
		return 0;
	r = bench_row(row);
	if (!r) {
		__sync_fetch_and_add(&bench_rows_dropped, 1);
		return 0;
	}
	r->seen = 1;
	r->threads = threads;
	r->stride = bench_stride;
	r->slow_ns = bench_slow_ns;
	bpf_probe_read_user_str(r->mode, sizeof(r->mode), mode);
	bpf_probe_read_user_str(r->name, sizeof(r->name), name);
	return 0;
}

SEC("usdt")
int BPF_USDT(bench_measure_start, __u32 row)
{
	if (bench_row(row))
		bench_cur = row + 1;
	return 0;
}

SEC("usdt")
int BPF_USDT(bench_measure_end, __u32 row)
{
	if (bench_row(row))
		bench_cur = 0;
	return 0;
}

SEC("usdt")
int BPF_USDT(bench_row_end, __u32 row, const char *mode, const char *name, __u32 threads, __u64 ops,
	     int status, __u64 window_ns, __u64 p50_ns, __u64 p99_ns)
{
	struct lgt_bench_row *r = bench_row(row);

	if (!r)
		return 0;
	r->ended = 1;
	r->ops = ops;
	r->status = status;
	r->window_ns = window_ns;
	r->p50_ns = p50_ns;
	r->p99_ns = p99_ns;
	return 0;
}

/*
 * An operation lgbench reports (sampled, or at or over slow_ns): its cause
 * from its thread's last events inside [start, start + latency], counted
 * in its row's histogram of its set.
 */
SEC("usdt")
int BPF_USDT(bench_op_end, __u32 row, __u32 thread, __u64 seq, __u64 latency_ns, __u64 start_ns,
	     __u32 sampled)
{
	__u64 id = bpf_get_current_pid_tgid(), end = start_ns + latency_ns;
	struct lgt_bench_row *r = bench_row(row);
	struct thread_state *ts;
	int cause = LGT_C_NONE, set;
	__u64 weight;
	__u32 slot;

	if (!r)
		return 0;
	ts = thread_state(id, true);
	if (ts) {
		for (int c = 0; c < LGT_C_NONE; c++) {
			__u64 t = ts->last[c];

			if (t >= start_ns && t <= end) {
				cause = c;
				break;
			}
		}
	}
	set = !sampled || (bench_slow_ns && latency_ns >= bench_slow_ns) ? LGT_S_SLOW : LGT_S_SAMPLED;
	/* A sampled operation stands for the stride in force (lgtrace may
	 * change it between rows). */
	weight = set == LGT_S_SAMPLED && bench_stride ? bench_stride : 1;
	slot = lgt_bench_slot(latency_ns);
	if (slot >= LGT_BENCH_SLOTS)
		slot = LGT_BENCH_SLOTS - 1;
	__sync_fetch_and_add(&r->reported[set], 1);
	__sync_fetch_and_add(&r->hist[cause][slot], weight);
	__sync_fetch_and_add(&r->hist_ns[cause][slot], weight * latency_ns);
	return 0;
}
