// SPDX-License-Identifier: MIT
/*
 * One trace, from start to report (session.h).  A command is started
 * held, the programs attached, then the command released; it and each of
 * its descendants stop at each exec and at the ELF entry point of the new
 * program while the USDT probe is attached to the liblgalloc it loaded
 * (tree.c).  A PID is checked and attached to as it runs; with --follow
 * its descendants are followed from then on.  A cgroup's processes are
 * read from its cgroup.procs every tick, their descendants followed.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/exit_codes.h"
#include "common/json.h"
#include "common/launch.h"
#include "common/procfs.h"
#include "common/timeutil.h"
#include "benchstat.h"
#include "guard.h"
#include "loader.h"
#include "log.h"
#include "report.h"
#include "session.h"
#include "target.h"
#include "tree.h"
#include "lgtrace.skel.h"

#ifndef CGROUP_SUPER_MAGIC
#define CGROUP_SUPER_MAGIC 0x27e0eb
#endif
#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
/* The initial PID namespace's inode (PROC_PID_INIT_INO). */
#define PID_NS_INIT_INO 0xEFFFFFFCU

#define TICK_MS 50

static const struct lgtrace_opts *opt;
static volatile sig_atomic_t stop_signal;

/* The command, held between fork and exec until the programs are
 * attached. */
struct command {
	struct launch l;
	struct launch_creds creds; /* under sudo, the invoking user's */
	char path[PATH_MAX];
};

/* One run: the BPF programs, the target and the command. */
struct run {
	struct lgtrace_bpf *skel;
	bool have[NUM_FEATURES];
	struct target tg;
	struct tproc tp; /* -p alone: the process */
	bool tree_mode;	 /* a tree (tree.c): -- CMD, -p -f, --cgroup */
	struct tree tree;
	pid_t root;	    /* the command or -p's PID; 0 with --cgroup */
	char root_comm[16]; /* its command name when tracing began */
	char target[PATH_MAX + 64];
	char cg_procs[PATH_MAX + 16], cg_stat[PATH_MAX + 16];
	bool cg_total;			   /* cgroup v1: memory.stat's total_ (hierarchical) lines */
	bool cg_gone;			   /* the cgroup was removed */
	unsigned long long cg_min, cg_maj; /* memory.stat's counts, last read */
	struct command c;
	struct guard guard; /* -- CMD: resumes stopped processes if lgtrace dies */
	/* the kernel's counts at the attach, and since */
	unsigned long long min0, maj0;
	struct kernel_counts k;
	int status;  /* the command's wait status */
	bool reaped; /* the command was waited for (its status and rusage read) */
	bool zombie; /* -p: the process was last seen a zombie */
	bool exited;
	json_t *intervals; /* --json -i */
	struct stat exe;   /* the program the target ran when attached (/proc/PID/exe) */
	bool exec_said;	   /* the line about an exec was printed */
};

/* The command name of @pid ("?" if gone). */
static void comm_of(pid_t pid, char *buf, size_t len)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	if (read_line(path, buf, len))
		snprintf(buf, len, "?");
}

static int check_pid(pid_t pid)
{
	struct proc_stat st;
	int err = proc_stat_read(pid, &st);

	if (err) {
		lgt_warn("no process with PID %d%s%s", pid, err == -ENOENT ? "" : ": ",
			 err == -ENOENT ? "" : strerror(-err));
		return -1;
	}
	if (st.state == 'Z' || st.state == 'X') {
		lgt_warn("PID %d has already exited", pid);
		return -1;
	}
	return 0;
}

/* Fork the command, held until release_command(); 0 or an exit status. */
static int start_command(struct command *c)
{
	struct launch_opts o = {.path = c->path, .argv = opt->cmd, .creds = &c->creds, .hold = true};
	char why[256];
	int err = launch_resolve(opt->cmd[0], c->path, sizeof(c->path));

	if (err) {
		lgt_warn("cannot execute %s: %s", opt->cmd[0], strerror(-err));
		return launch_stage_exit_code(LAUNCH_STAGE_EXEC, err);
	}
	err = launch_creds_sudo(&c->creds, opt->as_root, why, sizeof(why));
	if (err) {
		lgt_warn("%s", why);
		return EXIT_SETUP;
	}
	err = launch_start(&c->l, &o);
	if (err) {
		lgt_warn("cannot start %s: %s", c->path, strerror(-err));
		return 1;
	}
	return 0;
}

/* The identity of the program PID runs (its /proc/PID/exe); false when it cannot be read. */
static bool exe_id(pid_t pid, struct stat *st)
{
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/exe", (int)pid);
	return stat(path, st) == 0;
}

/* lgtrace's PID namespace, when it is not the initial one. */
static void pid_namespace(struct loader_opts *lo)
{
	struct stat st;

	if (stat("/proc/self/ns/pid", &st) || st.st_ino == PID_NS_INIT_INO)
		return;
	lo->pidns_dev = ((unsigned long long)major(st.st_dev) << 20) | minor(st.st_dev);
	lo->pidns_ino = st.st_ino;
}

/* memory.stat's fault counts of the cgroup; false if unreadable. */
static bool cgroup_counts(struct run *r)
{
	char line[256], key[64];
	unsigned long long v, min = 0, maj = 0;
	int found = 0;
	FILE *f = fopen(r->cg_stat, "re");

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%63s %llu", key, &v) != 2)
			continue;
		if (!strcmp(key, r->cg_total ? "total_pgfault" : "pgfault")) {
			min = v;
			found |= 1;
		} else if (!strcmp(key, r->cg_total ? "total_pgmajfault" : "pgmajfault")) {
			maj = v;
			found |= 2;
		}
	}
	fclose(f);
	if (found != 3)
		return false;
	/* pgfault counts every fault, the major ones too. */
	r->cg_min = min - maj;
	r->cg_maj = maj;
	return true;
}

/* --cgroup PATH: a cgroup directory (v1 or v2), its files; 0 or -1 after a message. */
static int check_cgroup(struct run *r, const char *path)
{
	struct statfs fs;
	struct stat st;

	if (statfs(path, &fs) || stat(path, &st)) {
		lgt_warn("--cgroup %s: %s", path, strerror(errno));
		return -1;
	}
	if ((fs.f_type != CGROUP_SUPER_MAGIC && fs.f_type != CGROUP2_SUPER_MAGIC) || !S_ISDIR(st.st_mode)) {
		lgt_warn("--cgroup %s: not a cgroup (a directory of a cgroup file system, v1 or v2)", path);
		return -1;
	}
	snprintf(r->cg_procs, sizeof(r->cg_procs), "%s/cgroup.procs", path);
	snprintf(r->cg_stat, sizeof(r->cg_stat), "%s/memory.stat", path);
	if (access(r->cg_procs, R_OK)) {
		lgt_warn("--cgroup %s: cannot read cgroup.procs: %s", path, strerror(errno));
		return -1;
	}
	r->cg_total = fs.f_type == CGROUP_SUPER_MAGIC;
	return 0;
}

/* Add the cgroup's processes not traced yet; false once it is gone. */
static bool cgroup_scan(struct run *r)
{
	FILE *f = fopen(r->cg_procs, "re");
	long pid;

	if (!f)
		return errno != ENOENT && errno != ENODEV;
	while (fscanf(f, "%ld", &pid) == 1) {
		int err = tree_add(&r->tree, (pid_t)pid);

		if (err && err != -ESRCH && err != -ENOENT) {
			static bool said;
			if (!said)
				lgt_warn("cannot trace PID %ld of the cgroup: %s", pid, strerror(-err));
			said = true;
		}
	}
	fclose(f);
	return true;
}

/* Load the programs and attach to the target; 0 or an exit status. */
static int attach(struct run *r)
{
	struct loader_opts lo = {.btf_path = opt->btf_path,
				 .latency_sample = opt->latency_sample,
				 .verbose = opt->verbose,
				 .tree = r->tree_mode,
				 .stop_on_exec = opt->cmd != NULL,
				 .bench = opt->bench,
				 .counts_only = opt->counts_only};
	struct proc_stat st = {0};
	int err;

	pid_namespace(&lo);
	r->root = opt->pid ? opt->pid : r->c.l.pid;
	r->tg = (struct target){.have = r->have,
				.all_procs = r->tree_mode,
				.bench = opt->bench,
				.bench_stride = opt->bench_stride,
				.bench_slow_ns = opt->bench_slow_ns};
	if (loader_open(&r->skel, r->have, r->root, &lo))
		return 1;
	r->tg.skel = r->skel;
	if (r->tree_mode && tree_init(&r->tree, &r->tg))
		return 1;
	if (opt->cmd) {
		/* Still lgtrace's fork: the name it will have. */
		const char *base = strrchr(opt->cmd[0], '/');
		snprintf(r->root_comm, sizeof(r->root_comm), "%.15s", base ? base + 1 : opt->cmd[0]);
	} else if (r->root) {
		comm_of(r->root, r->root_comm, sizeof(r->root_comm));
	}
	if (opt->cgroup) {
		snprintf(r->target, sizeof(r->target), "cgroup %s", opt->cgroup);
		r->k = (struct kernel_counts){.source = "memory.stat"};
		if (cgroup_counts(r)) {
			r->min0 = r->cg_min;
			r->maj0 = r->cg_maj;
			r->k.valid = true;
		}
		cgroup_scan(r);
		return 0;
	}
	if (r->tree_mode)
		snprintf(r->target, sizeof(r->target), "PID %d (%s) and its descendants", r->root,
			 r->root_comm);
	if (opt->cmd && (err = guard_start(&r->guard, bpf_map__fd(r->skel->maps.procs)))) {
		/* Without it a SIGKILL could leave the command stopped: no trace. */
		lgt_warn("cannot start the guard process: %s", strerror(-err));
		return 1;
	}
	if (opt->cmd) {
		/* The child, held on its pipe, faults no more: the kernel's
		 * counts from here cover what the programs see. */
		if (proc_stat_read(r->root, &st) == 0) {
			r->min0 = st.minflt;
			r->maj0 = st.majflt;
		}
		err = tree_add(&r->tree, r->root);
		if (err) {
			lgt_warn("cannot trace PID %d: %s", r->root, strerror(-err));
			return 1;
		}
		/* It stops at its exec (the BPF side), where tree.c finds its areas. */
		err = launch_release(&r->c.l);
		if (err && r->c.l.stage == LAUNCH_STAGE_NONE) {
			lgt_warn("cannot start the command: %s", strerror(-err));
			return 1;
		}
		if (err && r->c.l.stage == LAUNCH_STAGE_CREDS)
			lgt_warn("cannot run %s as user %u: %s", r->c.path, (unsigned)r->c.creds.uid,
				 strerror(-err));
		else if (err)
			lgt_warn("cannot execute %s: %s", r->c.path, strerror(-err));
		return err ? launch_stage_exit_code(r->c.l.stage, err) : 0;
	}
	r->k.valid = proc_stat_read(r->root, &st) == 0;
	if (r->tree_mode)
		r->k.source = "/proc/PID/stat, with the children it waited for";
	r->min0 = st.minflt + (r->tree_mode ? st.cminflt : 0);
	r->maj0 = st.majflt + (r->tree_mode ? st.cmajflt : 0);
	if (r->tree_mode) {
		err = tree_add(&r->tree, r->root);
		if (err) {
			lgt_warn("cannot trace PID %d: %s", r->root, strerror(-err));
			return 1;
		}
	} else {
		r->tp = (struct tproc){.pid = r->root, .image = (__u32)r->root};
		target_attach_areas(&r->tg, &r->tp);
		exe_id(r->root, &r->exe);
	}
	/* -p alone: lgbench is the process itself or nothing. */
	if (opt->bench && !r->tree_mode && !r->tg.bench_pid) {
		if (!r->tg.bench_err)
			lgt_warn("--bench: PID %d (%s) has no lgbench probes (lgbench:row_start): trace "
				 "lgbench, "
				 "or a process that starts it with -f",
				 r->root, r->root_comm);
		return 1;
	}
	if (!target_alive(r->root)) {
		lgt_warn("PID %d has already exited", r->root);
		return 1;
	}
	return 0;
}

/* The target's counts since the attach from /proc; false once it is gone. */
static bool proc_counts(struct run *r)
{
	struct proc_stat st;

	bool gone;

	if (proc_stat_read(opt->pid, &st))
		return false;
	/* A zombie's counts are its last (with every child it waited for): a
	 * tree's, read as it ends. */
	gone = st.state == 'Z' || st.state == 'X';
	r->zombie = gone;
	if (gone && !r->tree_mode)
		return false;
	/* A tree: with the children it waited for. */
	if (r->tree_mode) {
		st.minflt += st.cminflt;
		st.majflt += st.cmajflt;
	}
	r->k.minflt = st.minflt - r->min0;
	r->k.majflt = st.majflt - r->maj0;
	return !gone;
}

/* A command's counts from wait4(), less those from before the attach. */
static void rusage_counts(struct run *r, const struct rusage *ru)
{
	r->k = (struct kernel_counts){true, "wait4", (unsigned long long)ru->ru_minflt - r->min0,
				      (unsigned long long)ru->ru_majflt - r->maj0};
}

/* Reap the command if it ended: its status and the tree's counts. */
static void reap(struct run *r)
{
	struct rusage ru;
	pid_t w;

	if (r->reaped || !r->c.l.pid)
		return;
	w = wait4(r->c.l.pid, &r->status, WNOHANG, &ru);
	if (w == r->c.l.pid) {
		r->c.l.pid = 0;
		r->reaped = true;
		rusage_counts(r, &ru);
	} else if (w < 0 && errno == ECHILD) {
		/* Not ours to wait for any more: never a wait without end. */
		lgt_warn("wait4(%d): %s", r->c.l.pid, strerror(errno));
		r->c.l.pid = 0;
		r->reaped = true;
		r->k.valid = false;
	}
}

/* Whether the target ended; its counts then.  A tree ends when the last
 * of its processes exited (and a command was waited for); a cgroup when
 * it is removed. */
static bool target_ended(struct run *r)
{
	if (opt->cgroup) {
		if (cgroup_counts(r)) {
			r->k.minflt = r->cg_min - r->min0;
			r->k.majflt = r->cg_maj - r->maj0;
		}
		r->cg_gone = !cgroup_scan(r);
		return r->cg_gone;
	}
	if (opt->cmd) {
		reap(r);
		return r->reaped && !r->tree.live;
	}
	if (r->tree_mode) {
		proc_counts(r); /* the root's, while it lives */
		return !r->tree.live;
	}
	if (proc_counts(r))
		return false;
	r->k.valid = false; /* its last counts are gone with it */
	return true;
}

/* Every -i seconds: the table of what happened since the last one. */
static int print_interval(struct run *r, struct snapshot *prev, double t)
{
	struct snapshot cur, delta;

	loader_collect(r->skel, &cur);
	snapshot_sub(&delta, &cur, prev);
	*prev = cur;
	if (r->intervals)
		return report_json_interval(r->intervals, t, &delta);
	time_t wall = time(NULL);
	char ts[16];
	strftime(ts, sizeof(ts), "%H:%M:%S", localtime(&wall));
	printf("\n%s\n", ts);
	print_table(stdout, r->have, &delta);
	fflush(stdout);
	return 0;
}

/*
 * Say once that the target executed another program: the areas found in the
 * old one are gone with it, and the new one's are looked for only while none
 * were found (a registry read checks its magic, so nothing of the old image
 * is misread).  Counting goes on.
 */
static void check_exec(struct run *r)
{
	struct stat now;
	char path[64], target[PATH_MAX];
	ssize_t n;

	if (r->exec_said || !r->exe.st_ino || !exe_id(r->tp.pid, &now) ||
	    (now.st_dev == r->exe.st_dev && now.st_ino == r->exe.st_ino))
		return;
	r->exec_said = true;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)r->tp.pid);
	n = readlink(path, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	/* None before: look at once (its loader may have mapped liblgalloc
	 * already), then say so. */
	if (!r->have[FEAT_USDT] && !r->have[FEAT_REGISTRY])
		target_attach_areas(&r->tg, &r->tp);
	lgt_warn("PID %d executed another program (%s): counting goes on; its lgalloc areas are found only "
		 "if none were found before, else its faults count as \"other\"",
		 r->tp.pid, n > 0 ? target : "?");
}

/* Trace until the target ends, -d passes or a signal comes; the seconds
 * traced. */
static double trace(struct run *r)
{
	/* Everything since the programs were attached counts: a command's
	 * start, before this point, too. */
	struct snapshot prev = {};
	double start = now_s(), next_tick = start + opt->interval;
	unsigned ticks = 0;

	if (opt->cgroup)
		fprintf(stderr, "lgtrace: tracing cgroup %s (%zu processes now, and what they start)%s\n",
			opt->cgroup, r->tree.live, opt->duration ? "" : "; Ctrl-C to end");
	else
		fprintf(stderr, "lgtrace: tracing PID %d (%s)%s%s\n", r->root, r->root_comm,
			r->tree_mode ? " and its descendants" : "", opt->duration ? "" : "; Ctrl-C to end");
	while (!stop_signal) {
		double now = now_s();

		if (opt->duration && now - start >= opt->duration)
			break;
		if (target_ended(r)) {
			r->exited = true;
			break;
		}
		if (r->tree_mode) {
			tree_tick(&r->tree);
		} else {
			/* A library loaded later (dlopen): look again once a second. */
			if (!r->have[FEAT_USDT] && !r->have[FEAT_REGISTRY] && ++ticks % (1000 / TICK_MS) == 0)
				target_attach_areas(&r->tg, &r->tp);
			target_read_registry(&r->tg, &r->tp);
			check_exec(r);
		}
		if (opt->interval && now >= next_tick) {
			if (print_interval(r, &prev, now - start))
				lgt_warn("out of memory for the intervals");
			next_tick += opt->interval;
		}
		if (!r->tree_mode)
			sleep_ms_interruptible(TICK_MS);
		else if (tree_poll(&r->tree, TICK_MS) && errno != EINTR)
			sleep_ms_interruptible(TICK_MS);
		/* The kernel's counts after each batch of events: an exit is
		 * told before its parent can reap it or lgrun remove its cgroup. */
		if (opt->cgroup && cgroup_counts(r)) {
			r->k.minflt = r->cg_min - r->min0;
			r->k.majflt = r->cg_maj - r->maj0;
		} else if (r->tree_mode && opt->pid) {
			proc_counts(r);
		}
	}
	return now_s() - start;
}

/* Let the processes the BPF side stopped go on, with no more stops: the
 * programs that stop them detached first, then their events handled. */
static void release_stops(struct run *r)
{
	if (!r->tree_mode || !opt->cmd)
		return;
	bpf_link__destroy(r->skel->links.proc_exec);
	r->skel->links.proc_exec = NULL;
	target_detach(&r->tg);
	do {
		if (tree_poll(&r->tree, 0))
			break;
	} while (r->tree.polled >= POLL_EVENTS);
}

/* Stop a command still running, read the counts one last time. */
static void finish(struct run *r)
{
	release_stops(r);
	if (!r->exited && opt->pid)
		proc_counts(r); /* just before the last collect */
	if (!r->exited && opt->cgroup && cgroup_counts(r)) {
		r->k.minflt = r->cg_min - r->min0;
		r->k.majflt = r->cg_maj - r->maj0;
	}
	if (opt->cmd && !r->reaped && r->c.l.pid) {
		struct rusage ru;
		kill(r->c.l.pid, SIGTERM);
		kill(r->c.l.pid, SIGCONT);
		if (wait4(r->c.l.pid, &r->status, 0, &ru) == r->c.l.pid)
			rusage_counts(r, &ru);
		r->c.l.pid = 0;
	}
	if (r->tree_mode)
		tree_finish(&r->tree);
	/* -p -f: the root's counts as it exited, with its children's (read
	 * by the BPF side: its parent may have reaped it before /proc). */
	if (r->tree_mode && opt->pid) {
		struct tree_proc *root = tree_find(&r->tree, r->root);

		if (root && root->exit_minflt) {
			r->k.minflt = root->exit_minflt - r->min0;
			r->k.majflt = root->exit_majflt - r->maj0;
			r->k.valid = true;
		}
	}
	if (!r->exited)
		return;
	if (opt->cgroup)
		fprintf(stderr, "lgtrace: cgroup %s was removed\n", opt->cgroup);
	else if (r->tree_mode)
		fprintf(stderr, "lgtrace: PID %d (%s) and its descendants exited (%zu processes)\n", r->root,
			r->root_comm, r->tree.n);
	else
		fprintf(stderr, "lgtrace: PID %d (%s) exited%s\n", r->root, r->root_comm,
			r->zombie ? " (a zombie now: its parent has not waited for it)" : "");
}

/*
 * "command": the command's argv as lgtrace was given it, each argument a JSON
 * string (quotes, backslashes and control bytes escaped by jansson, bytes
 * that are not UTF-8 made U+FFFD by lg_json_string); null with -p.
 * 0 or -ENOMEM.
 */
static int add_command(json_t *doc)
{
	json_t *argv = opt->cmd ? json_array() : json_null();

	for (char **a = opt->cmd; argv && a && *a; a++)
		if (json_array_append_new(argv, lg_json_string(*a))) {
			json_decref(argv);
			return -ENOMEM;
		}
	return argv && !json_object_set_new(doc, "command", argv) ? 0 : -ENOMEM;
}

/* --bench: the rows lgbench ran, into @doc or to stdout; 0 or -errno. */
static int report_bench(struct run *r, json_t *doc)
{
	struct lgt_bench_row *rows = calloc(LGT_BENCH_ROWS, sizeof(*rows));
	struct lgt_bench_work *work = calloc(LGT_BENCH_ROWS, sizeof(*work));
	const bool *h = r->have;
	struct bench_report b = {
		.stride = opt->bench_stride,
		.slow_ns = opt->bench_slow_ns,
		.have_cause = {h[FEAT_COMPLETION], h[FEAT_COMPLETION], h[FEAT_LOCK] && h[FEAT_CONTENTION],
			       h[FEAT_OFFCPU], h[FEAT_FAULTS], true},
		.have_work = {h[FEAT_FAULTS], h[FEAT_COMPLETION], h[FEAT_COMPLETION], h[FEAT_LOCK],
			      h[FEAT_LOCK] && h[FEAT_CONTENTION], h[FEAT_LOCK], h[FEAT_URING_SUBMIT]},
		.rows = rows,
		.work = work,
		.nrows = LGT_BENCH_ROWS,
	};
	int err = rows && work ? loader_bench_collect(r->skel, rows, work, LGT_BENCH_ROWS) : -ENOMEM;

	b.rows_dropped = r->skel->bss->bench_rows_dropped;
	if (b.rows_dropped)
		lgt_warn("--bench: lgbench ran %llu rows beyond the %u lgtrace keeps: not reported",
			 b.rows_dropped, LGT_BENCH_ROWS);
	if (!err && doc) {
		json_t *bench = bench_json(&b);
		err = bench && !json_object_set_new(doc, "bench", bench) ? 0 : -ENOMEM;
	} else if (!err) {
		bench_print(stdout, &b);
	}
	if (err)
		lgt_warn("--bench: cannot read the rows: %s", strerror(-err));
	free(rows);
	free(work);
	return err;
}

static int print_report(struct run *r, double secs)
{
	size_t nrows = 0;
	struct proc_row *rows = r->tree_mode ? tree_rows(&r->tree, &nrows) : NULL;
	struct summary sum = {
		.pid = r->root,
		.target = r->target[0] ? r->target : NULL,
		.procs = rows,
		.nprocs = nrows,
		.per_process = opt->per_process,
		.seconds = secs,
		.latency_sample = r->skel->rodata->latency_sample,
		.hists = opt->hists,
		.have = r->have,
		.why = loader_feature_reasons(),
		.kernel = r->k,
		.diag = r->skel->bss->diag,
		.registry_areas = r->tg.registry_seen,
	};
	struct snapshot s;
	json_t *doc;
	int err;

	/* Prefixes that did not fit in the area map, from the USDT probe and from the registry. */
	sum.diag.area_fail += r->tg.area_fail;
	if (sum.diag.area_fail)
		lgt_warn("%llu area prefixes did not fit in the BPF area map (%u entries): faults in those "
			 "areas count as \"other\" (--json: diagnostics.prefix_failures)",
			 (unsigned long long)sum.diag.area_fail, bpf_map__max_entries(r->skel->maps.areas));
	if (sum.diag.procs_full)
		lgt_warn("%llu processes were not followed: the process map (%u entries) was full",
			 (unsigned long long)sum.diag.procs_full, bpf_map__max_entries(r->skel->maps.procs));
	loader_collect(r->skel, &s);
	if (!opt->json) {
		print_summary(stdout, &sum, &s);
		if (sum.diag.area_fail)
			printf("area map full: %llu area prefixes not stored, their faults count as other\n",
			       (unsigned long long)sum.diag.area_fail);
		free(rows);
		return opt->bench && r->tg.bench_pid ? report_bench(r, NULL) : 0;
	}
	doc = report_json(&sum, &s, r->intervals);
	free(rows);
	err = doc ? add_command(doc) : -ENOMEM;
	if (!err && opt->bench)
		err = r->tg.bench_pid ? report_bench(r, doc) : json_object_set_new(doc, "bench", json_null());
	if (!err)
		err = report_json_write(stdout, doc);
	json_decref(doc);
	if (err)
		lgt_warn("cannot write the JSON document: %s", strerror(-err));
	return err;
}

/* The command's status when it ended by itself; else lgtrace's own (0
 * after -d, 128+N after signal N). */
static int exit_status(const struct run *r)
{
	if (opt->cmd && r->reaped && r->exited)
		return launch_exit_code(r->status);
	return stop_signal ? EXIT_SIGNAL_BASE + stop_signal : 0;
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

int session_run(const struct lgtrace_opts *o)
{
	struct loader_opts lo = {.btf_path = o->btf_path, .verbose = o->verbose};
	struct run r = {.c.l = {.go_fd = -1, .err_fd = -1}, .k.source = "/proc/PID/stat"};
	struct sigaction sa = {.sa_handler = on_signal};
	int ret;

	opt = o;
	r.tree_mode = opt->cmd || opt->follow || opt->cgroup;
	if (loader_check(&lo) || target_init() || (opt->pid && check_pid(opt->pid)) ||
	    (opt->cgroup && check_cgroup(&r, opt->cgroup)))
		return 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	/* Without the array the interval tables would go to stdout inside the JSON run. */
	if (opt->json && opt->interval && !(r.intervals = json_array())) {
		lgt_warn("out of memory for the intervals");
		return 1;
	}
	if (opt->cmd && (ret = start_command(&r.c))) {
		json_decref(r.intervals);
		return ret;
	}
	ret = attach(&r);
	if (!ret) {
		double secs = trace(&r);

		finish(&r);
		ret = print_report(&r, secs) ? 1 : exit_status(&r);
		/* The selection could not be written again after lgbench's exec
		 * (said then): the rows' figures would be missing. */
		if (opt->bench && r.tg.bench_pid && r.tg.bench_err)
			ret = ret ? ret : 1;
		if (opt->bench && !r.tg.bench_pid) {
			if (!r.tg.bench_err)
				lgt_warn("--bench: no traced process had lgbench's probes "
					 "(lgbench:row_start): "
					 "nothing to report per row");
			ret = ret ? ret : 1;
		}
	}
	json_decref(r.intervals);
	/* A failed start: nothing stopped stays stopped. */
	if (r.skel && r.tree.rb)
		release_stops(&r);
	guard_stop(&r.guard);
	launch_kill(&r.c.l);
	launch_creds_free(&r.c.creds);
	target_detach(&r.tg);
	tree_free(&r.tree);
	loader_destroy(r.skel);
	return ret;
}
