// SPDX-License-Identifier: MIT
/*
 * lgtrace: page faults, swap-ins, swap-outs, mmap_lock waits, io_uring
 * madvise requests and how the faults after prefetch hints went, of one
 * process, per lgalloc pool (size class), from CO-RE BPF programs
 * (bpf/lgtrace.bpf.c).
 *
 *   sudo lgtrace -p PID [-i SEC] [-d SEC] [-H] [--json]
 *   sudo lgtrace [options] -- CMD ARGS
 *
 * Pool attribution needs the address ranges of lgalloc's areas: the
 * lgalloc:area_map USDT probe reports the ones mapped while lgtrace is
 * attached, the library's area registry (read from the target with
 * process_vm_readv) the ones mapped before.  A command is started gated:
 * forked, held on a pipe until the tracepoints are attached, then stopped
 * at its ELF entry point by a uprobe (libraries loaded, main not yet run)
 * while the USDT probe is attached to whatever liblgalloc it loaded.
 *
 * This file: the command line and the run; target.c finds the target and
 * attaches to it, loader.c loads the BPF programs, report.c prints.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/exit_codes.h"
#include "common/launch.h"
#include "common/parse.h"
#include "common/procfs.h"
#include "common/timeutil.h"
#include "loader.h"
#include "log.h"
#include "report.h"
#include "target.h"
#include "lgtrace.skel.h"

#define TICK_MS		       50
/* One minor fault in 16 timed: a clock read costs ~70 ns on a VM, a 4 KiB
 * fault ~2 us; timing each one alone would cost 5-7%. */
#define DEFAULT_LATENCY_SAMPLE 16

static struct env {
	pid_t pid;
	char **cmd;
	double interval;
	double duration;
	bool hists;
	bool json;
	bool as_root;
	bool verbose;
	unsigned latency_sample; /* time one fault in N per thread */
	const char *btf_path;
} env = {.btf_path = DEFAULT_BTF, .latency_sample = DEFAULT_LATENCY_SAMPLE};

static volatile sig_atomic_t stop_signal;

static const char usage_text[] =
	"Usage: lgtrace [OPTIONS] -p PID\n"
	"       lgtrace [OPTIONS] -- CMD [ARGS...]\n"
	"\n"
	"Trace one process's page faults, swap-ins, swap-outs, mmap_lock waits,\n"
	"io_uring madvise requests and the faults after prefetch hints (minor: in\n"
	"time, major: too late), per lgalloc pool (size class 2M..64G, \"other\",\n"
	"\"mmap/munmap\").\n"
	"\n"
	"  -p, --pid PID          trace a running process (all its threads)\n"
	"  -i, --interval SEC     print a table every SEC seconds\n"
	"  -d, --duration SEC     stop after SEC seconds (a command is sent SIGTERM)\n"
	"  -H, --histograms       print the log2 latency histograms\n"
	"  -s, --latency-sample N time one fault in N per thread (default 16; 1: every\n"
	"                         fault; counts are exact either way, faults that\n"
	"                         read from swap or a file are always timed)\n"
	"  -j, --json             write the summary as one JSON document\n"
	"      --as-root          run CMD as root, not as SUDO_UID/SUDO_GID\n"
	"      --btf PATH         kernel BTF to use (default " DEFAULT_BTF ")\n"
	"  -v, --verbose          libbpf debug output\n"
	"      --version          print the version\n"
	"  -h, --help             this help\n"
	"\n"
	"Needs root (or CAP_BPF and CAP_PERFMON) and a kernel with BTF.\n"
	"\n"
	"Examples:\n"
	"  sudo lgtrace -p 1234                 # until Ctrl-C or the process exits\n"
	"  sudo lgtrace -p 1234 -i 1 -d 10      # a table per second for 10 s\n"
	"  sudo lgtrace -H -- ./bench --threads 4\n"
	"  sudo lgtrace -s 1 -H -- ./bench      # time every fault, not 1 in 16\n"
	"  sudo lgtrace --json -- ./bench > trace.json\n";

__attribute__((noreturn, format(printf, 1, 2))) static void die_usage(const char *fmt, ...)
{
	va_list ap;

	fputs("lgtrace: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\nTry 'lgtrace --help'.\n", stderr);
	exit(EXIT_USAGE);
}

static double seconds_arg(const char *s, const char *opt)
{
	double v;

	if (parse_seconds(s, 1e7, &v))
		die_usage("%s: '%s' is not a positive number of seconds", opt, s);
	return v;
}

static void parse_args(int argc, char **argv)
{
	enum { OPT_AS_ROOT = 256, OPT_BTF, OPT_VERSION };
	static const struct option opts[] = {
		{"pid", required_argument, NULL, 'p'},
		{"interval", required_argument, NULL, 'i'},
		{"duration", required_argument, NULL, 'd'},
		{"histograms", no_argument, NULL, 'H'},
		{"json", no_argument, NULL, 'j'},
		{"as-root", no_argument, NULL, OPT_AS_ROOT},
		{"btf", required_argument, NULL, OPT_BTF},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, OPT_VERSION},
		{"help", no_argument, NULL, 'h'},
		{"latency-sample", required_argument, NULL, 's'},
		{},
	};
	char *end;
	long v;
	int c;

	opterr = 0;
	/* '+': stop at the first non-option, CMD's own options stay its own. */
	while ((c = getopt_long(argc, argv, "+:p:i:d:s:Hjvh", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v <= 0 || v > INT_MAX)
				die_usage("-p: '%s' is not a process ID", optarg);
			env.pid = (pid_t)v;
			break;
		case 'i':
			env.interval = seconds_arg(optarg, "-i");
			break;
		case 'd':
			env.duration = seconds_arg(optarg, "-d");
			break;
		case 'H':
			env.hists = true;
			break;
		case 's':
			errno = 0;
			v = strtol(optarg, &end, 10);
			if (errno || end == optarg || *end || v < 1 || v > 1000000)
				die_usage("--latency-sample: '%s' is not a number from 1 to 1000000", optarg);
			env.latency_sample = (unsigned)v;
			break;
		case 'j':
			env.json = true;
			break;
		case OPT_AS_ROOT:
			env.as_root = true;
			break;
		case OPT_BTF:
			env.btf_path = optarg;
			break;
		case 'v':
			env.verbose = true;
			break;
		case OPT_VERSION:
			puts("lgtrace " LG_VERSION);
			exit(0);
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case ':':
			die_usage("option '%s' needs an argument", argv[optind - 1]);
		default:
			die_usage("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		env.cmd = &argv[optind];
	if (!env.pid == !env.cmd)
		die_usage(env.pid ? "give either -p PID or a command, not both" : "give -p PID or -- CMD");
}

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
	struct command c;
	/* the kernel's counts at the attach, and since */
	unsigned long long min0, maj0;
	struct kernel_counts k;
	int status; /* the command's wait status */
	bool exited;
	json_t *intervals; /* --json -i */
};

static int check_pid(pid_t pid)
{
	struct proc_stat st;

	if (proc_stat_read(pid, &st)) {
		lgt_warn("no process with PID %d", pid);
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
	struct launch_opts o = {.path = c->path, .argv = env.cmd, .creds = &c->creds, .hold = true};
	char why[256];
	int err = launch_resolve(env.cmd[0], c->path, sizeof(c->path));

	if (err) {
		lgt_warn("cannot execute %s: %s", env.cmd[0], strerror(-err));
		return launch_stage_exit_code(LAUNCH_STAGE_EXEC, err);
	}
	err = launch_creds_sudo(&c->creds, env.as_root, why, sizeof(why));
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

/*
 * Release the command and hold it again at its entry point: there attach
 * the USDT probe to the libraries it loaded, then let it run.  Returns 0,
 * or an exit status after a message.
 */
static int release_command(struct command *c, struct target *tg)
{
	int status, err;

	target_stop_at_entry(tg, c->path);
	err = launch_release(&c->l);
	if (err && c->l.stage == LAUNCH_STAGE_NONE) {
		lgt_warn("cannot start the command: %s", strerror(-err));
		return 1;
	}
	if (err && c->l.stage == LAUNCH_STAGE_CREDS)
		lgt_warn("cannot run %s as user %u: %s", c->path, (unsigned)c->creds.uid, strerror(-err));
	else if (err)
		lgt_warn("cannot execute %s: %s", c->path, strerror(-err));
	if (err)
		return launch_stage_exit_code(c->l.stage, err);
	if (target_wait_entry(tg, c->l.pid, &status)) {
		c->l.pid = 0;
		lgt_warn("%s exited before it started", c->path);
		return launch_exit_code(status);
	}
	target_attach_areas(tg);
	kill(c->l.pid, SIGCONT);
	return 0;
}

/* Load the programs and attach to the target; 0 or an exit status. */
static int attach(struct run *r)
{
	const struct loader_opts lo = {env.btf_path, env.latency_sample, env.cmd != NULL, env.verbose};
	pid_t pid = env.pid ? env.pid : r->c.l.pid;
	struct proc_stat st = {0};

	r->tg = (struct target){.have = r->have, .pid = pid};
	if (loader_open(&r->skel, r->have, pid, &lo))
		return 1;
	r->tg.skel = r->skel;
	if (env.cmd) {
		/* The child, held on its pipe, faults no more: the kernel's
		 * counts from here cover what the programs see. */
		if (proc_stat_read(pid, &st) == 0) {
			r->min0 = st.minflt;
			r->maj0 = st.majflt;
		}
		return release_command(&r->c, &r->tg);
	}
	r->k.valid = proc_stat_read(pid, &st) == 0;
	r->min0 = st.minflt;
	r->maj0 = st.majflt;
	target_attach_areas(&r->tg);
	if (!target_alive(pid)) {
		lgt_warn("PID %d has already exited", pid);
		return 1;
	}
	return 0;
}

/* The target's counts since the attach from /proc; false once it is gone. */
static bool proc_counts(struct run *r)
{
	struct proc_stat st;

	if (proc_stat_read(env.pid, &st) || st.state == 'Z' || st.state == 'X')
		return false;
	r->k.minflt = st.minflt - r->min0;
	r->k.majflt = st.majflt - r->maj0;
	return true;
}

/* A command's counts from wait4(), less those from before the attach. */
static void rusage_counts(struct run *r, const struct rusage *ru)
{
	r->k = (struct kernel_counts){true, "wait4", (unsigned long long)ru->ru_minflt - r->min0,
				      (unsigned long long)ru->ru_majflt - r->maj0};
}

/* Whether the target ended; its counts then. */
static bool target_ended(struct run *r)
{
	if (env.cmd) {
		struct rusage ru;

		if (wait4(r->c.l.pid, &r->status, WNOHANG, &ru) != r->c.l.pid)
			return false;
		r->c.l.pid = 0;
		rusage_counts(r, &ru);
		return true;
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

/* Trace until the target ends, -d passes or a signal comes; the seconds
 * traced. */
static double trace(struct run *r)
{
	/* Everything since the programs were attached counts: a command's
	 * start, before this point, too. */
	struct snapshot prev = {};
	double start = now_s(), next_tick = start + env.interval;
	unsigned ticks = 0;

	fprintf(stderr, "lgtrace: tracing PID %d%s\n", r->tg.pid, env.duration ? "" : "; Ctrl-C to end");
	while (!stop_signal) {
		double now = now_s();

		if (env.duration && now - start >= env.duration)
			break;
		if (target_ended(r)) {
			r->exited = true;
			break;
		}
		/* A library loaded later (dlopen, or a command lgtrace could not
		 * stop at its entry point): look again once a second. */
		if (!r->have[FEAT_USDT] && !r->have[FEAT_REGISTRY] && ++ticks % (1000 / TICK_MS) == 0)
			target_attach_areas(&r->tg);
		target_read_registry(&r->tg);
		if (env.interval && now >= next_tick) {
			if (print_interval(r, &prev, now - start))
				lgt_warn("out of memory for the intervals");
			next_tick += env.interval;
		}
		sleep_ms_interruptible(TICK_MS);
	}
	return now_s() - start;
}

/* Stop a command still running, read the counts one last time. */
static void finish(struct run *r)
{
	if (!r->exited && env.pid)
		proc_counts(r); /* just before the last collect */
	if (!r->exited && env.cmd) {
		struct rusage ru;
		kill(r->c.l.pid, SIGTERM);
		kill(r->c.l.pid, SIGCONT);
		if (wait4(r->c.l.pid, &r->status, 0, &ru) == r->c.l.pid)
			rusage_counts(r, &ru);
		r->c.l.pid = 0;
	}
	if (r->exited && !env.json)
		fprintf(stderr, "lgtrace: PID %d exited\n", r->tg.pid);
}

static int print_report(struct run *r, double secs)
{
	struct summary sum = {
		.pid = r->tg.pid,
		.seconds = secs,
		.latency_sample = env.latency_sample,
		.hists = env.hists,
		.have = r->have,
		.kernel = r->k,
		.diag = r->skel->bss->diag,
		.registry_areas = r->tg.registry_seen,
	};
	struct snapshot s;
	json_t *doc;
	int err;

	loader_collect(r->skel, &s);
	if (!env.json) {
		print_summary(stdout, &sum, &s);
		return 0;
	}
	doc = report_json(&sum, &s, r->intervals);
	err = doc ? report_json_write(stdout, doc) : -ENOMEM;
	json_decref(doc);
	if (err)
		lgt_warn("cannot write the JSON document: %s", strerror(-err));
	return err;
}

/* The command's status when it ended by itself; else lgtrace's own (0
 * after -d, 128+N after signal N). */
static int exit_status(const struct run *r)
{
	if (env.cmd && r->exited)
		return launch_exit_code(r->status);
	return stop_signal ? EXIT_SIGNAL_BASE + stop_signal : 0;
}

static void on_signal(int sig)
{
	stop_signal = sig;
}

int main(int argc, char **argv)
{
	struct loader_opts lo;
	struct run r = {.c.l = {.go_fd = -1, .err_fd = -1}, .k.source = "/proc/PID/stat"};
	struct sigaction sa = {.sa_handler = on_signal};
	int ret;

	parse_args(argc, argv);
	lo = (struct loader_opts){.btf_path = env.btf_path, .verbose = env.verbose};
	if (loader_check(&lo) || target_init() || (env.pid && check_pid(env.pid)))
		return 1;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	if (env.cmd && (ret = start_command(&r.c)))
		return ret;
	if (env.json && env.interval)
		r.intervals = json_array();
	ret = attach(&r);
	if (!ret) {
		double secs = trace(&r);

		finish(&r);
		ret = print_report(&r, secs) ? 1 : exit_status(&r);
	}
	json_decref(r.intervals);
	launch_kill(&r.c.l);
	launch_creds_free(&r.c.creds);
	target_detach(&r.tg);
	loader_destroy(r.skel);
	return ret;
}
