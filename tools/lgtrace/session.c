// SPDX-License-Identifier: MIT
/*
 * One trace, from start to report (session.h).  A command is started
 * held, the programs attached, then the command released and stopped again
 * at its ELF entry point so the USDT probe can be attached to the
 * liblgalloc it loaded; a PID is checked and attached to as it runs.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/exit_codes.h"
#include "common/json.h"
#include "common/launch.h"
#include "common/procfs.h"
#include "common/timeutil.h"
#include "loader.h"
#include "log.h"
#include "report.h"
#include "session.h"
#include "target.h"
#include "lgtrace.skel.h"

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
	struct command c;
	/* the kernel's counts at the attach, and since */
	unsigned long long min0, maj0;
	struct kernel_counts k;
	int status; /* the command's wait status */
	bool exited;
	json_t *intervals; /* --json -i */
	struct stat exe;   /* the program the target ran when attached (/proc/PID/exe) */
	bool exec_said;	   /* the line about an exec was printed */
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

/*
 * Release the command and hold it again at its entry point: there attach
 * the USDT probe to the libraries it loaded, then let it run.  Returns 0,
 * or an exit status after a message.
 */
static int release_command(struct command *c, struct target *tg, struct stat *exe)
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
	exe_id(c->l.pid, exe);
	kill(c->l.pid, SIGCONT);
	return 0;
}

/* Load the programs and attach to the target; 0 or an exit status. */
static int attach(struct run *r)
{
	const struct loader_opts lo = {opt->btf_path, opt->latency_sample, opt->cmd != NULL, opt->verbose};
	pid_t pid = opt->pid ? opt->pid : r->c.l.pid;
	struct proc_stat st = {0};

	r->tg = (struct target){.have = r->have, .pid = pid};
	if (loader_open(&r->skel, r->have, pid, &lo))
		return 1;
	r->tg.skel = r->skel;
	if (opt->cmd) {
		/* The child, held on its pipe, faults no more: the kernel's
		 * counts from here cover what the programs see. */
		if (proc_stat_read(pid, &st) == 0) {
			r->min0 = st.minflt;
			r->maj0 = st.majflt;
		}
		return release_command(&r->c, &r->tg, &r->exe);
	}
	r->k.valid = proc_stat_read(pid, &st) == 0;
	r->min0 = st.minflt;
	r->maj0 = st.majflt;
	target_attach_areas(&r->tg);
	exe_id(pid, &r->exe);
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

	if (proc_stat_read(opt->pid, &st) || st.state == 'Z' || st.state == 'X')
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
	if (opt->cmd) {
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

	if (r->exec_said || !r->exe.st_ino || !exe_id(r->tg.pid, &now) ||
	    (now.st_dev == r->exe.st_dev && now.st_ino == r->exe.st_ino))
		return;
	r->exec_said = true;
	snprintf(path, sizeof(path), "/proc/%d/exe", (int)r->tg.pid);
	n = readlink(path, target, sizeof(target) - 1);
	target[n > 0 ? n : 0] = '\0';
	lgt_warn("PID %d executed another program (%s): counting goes on; its lgalloc areas are found only "
		 "if none were found before (looked for once a second), else its faults count as \"other\"",
		 r->tg.pid, n > 0 ? target : "?");
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
	fprintf(stderr, "lgtrace: tracing PID %d%s\n", r->tg.pid, opt->duration ? "" : "; Ctrl-C to end");
	while (!stop_signal) {
		double now = now_s();

		if (opt->duration && now - start >= opt->duration)
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
		check_exec(r);
		if (opt->interval && now >= next_tick) {
			if (print_interval(r, &prev, now - start))
				lgt_warn("out of memory for the intervals");
			next_tick += opt->interval;
		}
		sleep_ms_interruptible(TICK_MS);
	}
	return now_s() - start;
}

/* Stop a command still running, read the counts one last time. */
static void finish(struct run *r)
{
	if (!r->exited && opt->pid)
		proc_counts(r); /* just before the last collect */
	if (!r->exited && opt->cmd) {
		struct rusage ru;
		kill(r->c.l.pid, SIGTERM);
		kill(r->c.l.pid, SIGCONT);
		if (wait4(r->c.l.pid, &r->status, 0, &ru) == r->c.l.pid)
			rusage_counts(r, &ru);
		r->c.l.pid = 0;
	}
	if (r->exited && !opt->json)
		fprintf(stderr, "lgtrace: PID %d exited\n", r->tg.pid);
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

static int print_report(struct run *r, double secs)
{
	struct summary sum = {
		.pid = r->tg.pid,
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
	loader_collect(r->skel, &s);
	if (!opt->json) {
		print_summary(stdout, &sum, &s);
		if (sum.diag.area_fail)
			printf("area map full: %llu area prefixes not stored, their faults count as other\n",
			       (unsigned long long)sum.diag.area_fail);
		return 0;
	}
	doc = report_json(&sum, &s, r->intervals);
	err = doc ? add_command(doc) : -ENOMEM;
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
	if (opt->cmd && r->exited)
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
	if (loader_check(&lo) || target_init() || (opt->pid && check_pid(opt->pid)))
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
	}
	json_decref(r.intervals);
	launch_kill(&r.c.l);
	launch_creds_free(&r.c.creds);
	target_detach(&r.tg);
	loader_destroy(r.skel);
	return ret;
}
