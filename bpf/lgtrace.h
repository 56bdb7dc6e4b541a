/* SPDX-License-Identifier: MIT */
/*
 * lgtrace: layouts shared by the BPF programs (lgtrace.bpf.c) and the user
 * program (tools/lgtrace/).  Included by both, so only fixed-width types and
 * no headers of either side.
 */
#ifndef LGTRACE_H
#define LGTRACE_H

/* Pools: the 16 lgalloc size classes (2^21 .. 2^36), then two pseudo pools.
 * tools/lgtrace/target.c asserts that the bounds are lgalloc.h's. */
#define LGT_MIN_CLASS  21
#define LGT_NUM_CLASS  16
#define LGT_POOL_OTHER LGT_NUM_CLASS	   /* addresses outside lgalloc's areas */
#define LGT_POOL_MMAP  (LGT_NUM_CLASS + 1) /* mmap_lock taken by mmap/munmap/... */
#define LGT_NUM_POOLS  (LGT_NUM_CLASS + 2)

/* Latency histograms: slot i counts values v with 2^i <= v < 2^(i+1) ns
 * (slot 0 also takes 0); the last slot takes everything larger. */
#define LGT_HIST_SLOTS 40

enum lgt_hist {
	LGT_H_FAULT_MINOR, /* fault entry to completion, minor faults */
	LGT_H_FAULT_MAJOR, /* the same, major faults */
	LGT_H_SWAPIN,	   /* the same, faults that read from swap */
	LGT_H_LOCK_READ,   /* mmap_lock wait, read */
	LGT_H_LOCK_WRITE,  /* mmap_lock wait, write */
	LGT_H_URING,	   /* io_uring madvise, submission to completion */
	LGT_NUM_HISTS,
};

/* Per pool, in a per-CPU array indexed by pool; the user program sums. */
struct lgt_pool_stats {
	__u64 faults;	      /* completed faults (minor + major) */
	__u64 major;	      /* of which major */
	__u64 fault_ns[2];    /* summed latency: minor, major */
	__u64 swapins;	      /* major faults that read anonymous memory from swap */
	__u64 swapouts;	      /* folios written to swap (vmscan) */
	__u64 lock_acq[2];    /* mmap_lock acquisitions: read, write */
	__u64 lock_cont[2];   /* of which contended (the rwsem slow path) */
	__u64 lock_failed[2]; /* failed attempts (trylock, killed) */
	__u64 lock_wait_ns[2];
	/* io_uring IORING_OP_MADVISE requests, by the pool of their address */
	__u64 uring_submitted;
	__u64 uring_completed;
	__u64 uring_failed; /* of which completed with an error */
	__u64 uring_ns;	    /* summed latency of the completions matched to a submission */
	/* The first fault in a page after a MADV_WILLNEED hint covered it
	 * (io_uring submission or madvise(2)): minor (the hint was in time)
	 * or major (too late). */
	__u64 hinted_minor;
	__u64 hinted_major;
	__u64 hist[LGT_NUM_HISTS][LGT_HIST_SLOTS];
};

/* Diagnostics, in the BPF object's .bss. */
struct lgt_diag {
	__u64 faults_no_entry; /* completions without a traced fault entry (GUP) */
	__u64 area_updates;    /* area prefixes added by the USDT probe */
	__u64 area_fail;       /* prefixes that did not fit in the area map */
	__u64 slot_takeovers;  /* per-thread slots taken over mid-operation */
	__u64 uring_unmatched; /* madvise completions without their submission */
	__u64 hint_truncated;  /* hints longer than the bitmap walk covers */
	__u64 procs_full;      /* descendants not followed: the process map was full */
	__u64 events_lost;     /* process events the ring buffer had no room for */
};

/*
 * Process trees (-- CMD, -p PID --follow, --cgroup): the traced processes
 * are the keys of the process map, keyed by tgid (as seen in lgtrace's PID
 * namespace).  A fork of a traced process adds the child, its exit marks
 * it exited (the user program folds its counts and deletes it).
 *
 * Areas are keyed by address space image, not by process: an image ID is
 * given at the start of tracing, at each fork and at each exec, so that a
 * process's areas are never looked up in another's or in its own former
 * program.  A forked child inherits its parent's areas through its chain:
 * its own image, then those of the ancestors whose memory it copied.
 */
#define LGT_MODE_PID	1 /* one process, targ_tgid (no process map) */
#define LGT_MODE_TREE	2 /* the processes in the process map */
#define LGT_CHAIN	4
#define LGT_MAX_PROCS	32768
#define LGT_EVENTS_SIZE (1 << 20) /* ring buffer bytes */

struct lgt_proc {
	__u64 faults;		/* completed faults (minor + major) */
	__u64 major;		/* of which major */
	__u64 swapins;		/* major faults that read from swap */
	__u64 mm;		/* its mm_struct, as last seen in a fault (for swap-outs) */
	__u32 chain[LGT_CHAIN]; /* image IDs whose areas are its own; 0 ends */
	__u32 ppid;		/* the traced parent that forked it; 0 if none */
	__u32 exited;		/* every thread passed sched_process_exit */
	__u32 entry_pending;	/* stop it at its ELF entry point (after exec) */
	__u32 pad;
	/* At its exit: min_flt and maj_flt with the children it waited for
	 * (what /proc/PID/stat would have said then). */
	__u64 exit_minflt, exit_majflt;
};

enum lgt_event_type {
	LGT_EV_FORK = 1, /* tgid was forked by ppid (a process, not a thread) */
	LGT_EV_EXEC,	 /* tgid executed a program; stopped: SIGSTOP sent */
	LGT_EV_ENTRY,	 /* tgid reached its ELF entry point; stopped: SIGSTOP sent */
	LGT_EV_EXIT,	 /* tgid's last thread exited */
};

struct lgt_event {
	__u32 type;
	__u32 tgid;
	__u32 ppid;
	__u32 stopped;
	char comm[16];
};

/* Executables the entry-point uprobe is attached to: an exec of one of
 * these needs no stop at exec. */
struct lgt_file_key {
	__u64 ino;
	__u32 dev; /* the kernel's encoding: major << 20 | minor */
	__u32 pad;
};

/* Hinted pages: per 2 MiB of address space, a bit per 4 KiB page. */
#define LGT_HINT_SHIFT	  21
#define LGT_HINT_WORDS	  ((1 << (LGT_HINT_SHIFT - 12)) / 64)
#define LGT_HINT_REGIONS  8192	    /* LRU: the last 16 GiB of hinted memory */
#define LGT_HINT_MAX_WALK 1024	    /* 2 MiB regions marked per hint: 2 GiB */
#define LGT_URING_SLOTS	  (1 << 16) /* slots for madvise requests in flight */

/* Key of the area map, a longest-prefix-match trie over the image (the
 * process with -p alone: its tgid) and the address. */
struct lgt_area_key {
	__u32 prefixlen; /* bits of data that must match: 32 + 0..64 */
	__u8 data[12];	 /* the image ID, then the address; big endian, as the trie compares bytes */
};

#define LGT_MAX_AREA_PREFIXES (1 << 20)

/*
 * An area [base, base + len) is stored as the aligned power-of-two blocks
 * that tile it: at most two per bit of the address, so a bounded loop in
 * BPF can insert it.  Returns the log2 of the next block at @base, the
 * largest to which @base is aligned that does not pass the end.
 */
/* floor(log2(v)), 0 for 0; without builtins, which the BPF backend of
 * LLVM 14 does not lower. */
static inline unsigned lgt_log2(__u64 v)
{
	unsigned r = 0;

	/* A binary search over the bits; a constant trip count, unrolled. */
	for (unsigned shift = 32; shift; shift >>= 1) {
		if (v >> shift) {
			v >>= shift;
			r += shift;
		}
	}
	return r;
}

static inline unsigned lgt_next_block(__u64 base, __u64 len)
{
	unsigned align = base ? lgt_log2(base & -base) : 63;
	unsigned fit = lgt_log2(len);

	return align < fit ? align : fit;
}

#define LGT_MAX_BLOCKS 128 /* blocks per area: 2 * 64 bits */

/* @prefixlen: the bits of @addr that must match. */
static inline void lgt_area_key_init(struct lgt_area_key *key, __u32 image, __u64 addr, unsigned prefixlen)
{
	key->prefixlen = 32 + prefixlen;
	for (int i = 0; i < 4; i++)
		key->data[i] = (__u8)(image >> (24 - 8 * i));
	for (int i = 0; i < 8; i++)
		key->data[4 + i] = (__u8)(addr >> (56 - 8 * i));
}

/*
 * --bench: lgbench's rows (its USDT probes, docs/tracing.md).  Each
 * operation lgbench reports through op_end gets one cause, decided by the
 * op_end program from its thread's last events: the first of these whose
 * last event on the thread ended at or after the operation's start.
 */
enum lgt_cause {
	LGT_C_SWAPIN, /* a fault that read from swap */
	LGT_C_MAJOR,  /* another major fault (file read, retried fault) */
	LGT_C_LOCK,   /* a contended mmap_lock acquisition (the rwsem slow path) */
	LGT_C_OFFCPU, /* switched out (sched_switch): preempted, or blocked */
	LGT_C_MINOR,  /* only minor faults */
	LGT_C_NONE,   /* none of these */
	LGT_NUM_CAUSES,
};

/* Latency slots of a row: LGT_BENCH_SUB per power of two.  Slot
 * lgt_bench_slot(v) holds [lgt_bench_lower(s), lgt_bench_lower(s + 1)). */
#define LGT_BENCH_SUB_LOG2 4
#define LGT_BENCH_SUB	   (1 << LGT_BENCH_SUB_LOG2)
#define LGT_BENCH_SLOTS	   (LGT_HIST_SLOTS * LGT_BENCH_SUB)
#define LGT_BENCH_ROWS	   256 /* rows lgbench may run under one trace; later ones are not kept */
#define LGT_BENCH_NAME	   48

/* The two sets of operations lgbench reports.  The histograms count
 * operations of the row (an estimate), each report weighted by its set. */
enum lgt_bench_set {
	LGT_S_SAMPLED, /* sampled (every stride-th of a thread) and under slow_ns: each counts stride times */
	LGT_S_SLOW,    /* at or over slow_ns, sampled or not: every one of them, each counts once */
	LGT_NUM_SETS,
};

/* One row, in an array by lgbench's row index (row_start .. row_end). */
struct lgt_bench_row {
	__u32 seen;  /* row_start was seen */
	__u32 ended; /* row_end was seen */
	__u32 threads;
	__s32 status; /* row_end's: 0, or lgbench's negative errno */
	__u64 ops;    /* row_end's: measured operations */
	__u64 window_ns;
	__u64 p50_ns, p99_ns;  /* row_end's, from lgbench's own histogram */
	__u64 stride, slow_ns; /* the selection in force during the row */
	char mode[16];
	char name[LGT_BENCH_NAME];
	__u64 reported[LGT_NUM_SETS]; /* op_end events per set */
	/* weighted operations, and their weighted latency sums, per slot */
	__u64 hist[LGT_NUM_CAUSES][LGT_BENCH_SLOTS];
	__u64 hist_ns[LGT_NUM_CAUSES][LGT_BENCH_SLOTS];
};

/* The kernel's work during a row's measured window, by lgbench's threads:
 * per CPU, by row. */
enum lgt_work {
	LGT_W_MINOR,	    /* completed minor faults */
	LGT_W_MAJOR,	    /* major faults */
	LGT_W_SWAPIN,	    /* faults that read from swap */
	LGT_W_LOCK_ACQ,	    /* mmap_lock acquisitions, read and write */
	LGT_W_LOCK_CONT,    /* of which contended */
	LGT_W_LOCK_WAIT_NS, /* summed wait, all acquisitions */
	LGT_W_URING,	    /* io_uring madvise submissions */
	LGT_NUM_WORK,
};

struct lgt_bench_work {
	__u64 v[LGT_NUM_WORK];
};

static inline unsigned lgt_bench_slot(__u64 v)
{
	unsigned k = lgt_log2(v), s;

	if (k >= LGT_HIST_SLOTS)
		return LGT_BENCH_SLOTS - 1;
	/* Below 2^LGT_BENCH_SUB_LOG2 a value a slot (0 and 1 share slot 0). */
	s = k < LGT_BENCH_SUB_LOG2 ? (unsigned)(v ? v - (1ULL << k) : 0)
				   : (unsigned)(v >> (k - LGT_BENCH_SUB_LOG2)) & (LGT_BENCH_SUB - 1);
	return k * LGT_BENCH_SUB + s;
}

#endif /* LGTRACE_H */
