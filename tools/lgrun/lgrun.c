// SPDX-License-Identifier: MIT
/*
 * lgrun: run a command in a fresh memory cgroup, with an optional temporary
 * swap file, and remove both on every way out.
 *
 *   lgrun --memory 512M [--swap 4G] [--make-swap 4G] -- CMD ARGS
 *
 * The cgroup comes from systemd-run when systemd runs and takes the scope,
 * else from the cgroup v2 file system, else from v1 (common/cgroup.c).  Signals
 * that end lgrun (SIGINT, SIGTERM, SIGHUP, SIGQUIT) stay blocked from the
 * start: setup checks for them between steps and undoes what it did; while
 * CMD runs they are taken with sigwaitinfo() and passed on to it, and lgrun
 * exits 128+N once CMD is gone and everything is removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cgroup.h"
#include "common/exit_codes.h"
#include "common/launch.h"
#include "common/parse.h"
#include "common/procfs.h"
#include "common/swapfile.h"
#include "common/systemd_run.h"
#include "options.h"

#define WHY_LEN (2 * PATH_MAX + 128)

struct run {
	struct options opt;
	struct launch_creds creds; /* who CMD runs as: SUDO_UID/SUDO_GID under sudo, unless --as-root */
	struct cgroup cg;
	struct swapfile sf;
	const char *systemd_run; /* set when the scope comes from systemd-run */
	char unit[64];
	char path[PATH_MAX]; /* CMD resolved through PATH */
	sigset_t stop;	     /* the signals that end lgrun */
	sigset_t wait;	     /* stop plus SIGCHLD */
	int hup_ignored;     /* started under nohup: SIGHUP stays ignored */
};

static const char usage_text[] =
	"Usage: lgrun --memory SIZE [OPTION]... [--] CMD [ARG]...\n"
	"Run CMD in a fresh memory cgroup limited to SIZE, and remove the cgroup (and\n"
	"any swap file lgrun made) when CMD ends, fails, or lgrun is interrupted.\n"
	"\n"
	"  -m, --memory SIZE      memory limit of the cgroup (required)\n"
	"  -s, --swap SIZE        swap the cgroup may use (default: not limited)\n"
	"      --make-swap SIZE   when no swap is active, make a swap file of SIZE for the run\n"
	"      --swap-dir DIR     where the swap file goes (default: /var/tmp)\n"
	"      --keep-going       when swap cannot be limited or made, warn and run anyway\n"
	"      --as-root          under sudo, run CMD as root (default: as SUDO_UID/SUDO_GID)\n"
	"      --mechanism MECH   auto (default), systemd, v2 or v1\n"
	"      --parent DIR       make the cgroup in DIR (default: in lgrun's own cgroup)\n"
	"  -q, --quiet            no start line on stderr\n"
	"  -h, --help             this text\n"
	"      --version          print lgrun's version\n"
	"\n"
	"SIZE is bytes with an optional suffix K, M, G or T (powers of 1024).\n"
	"Exit status: CMD's, 128+N when CMD or lgrun was killed by signal N, 2 on a\n"
	"setup error, 126/127 when CMD cannot be run or is not found.\n"
	"\n"
	"Examples:\n"
	"  sudo lgrun --memory 512M -- ./lgbench --paging\n"
	"  sudo lgrun --memory 512M --swap 4G --make-swap 4G -- ./lgbench --ratio-sweep --total-mib 1536\n"
	"  sudo lgrun -q --memory 64M --make-swap 256M --swap-dir /mnt/ssd -- python3 job.py\n";

static void command_error(const char *cmd, int err)
{
	if (err == -ENOENT && !strchr(cmd, '/'))
		fprintf(stderr, "lgrun: %s: command not found\n", cmd);
	else
		fprintf(stderr, "lgrun: %s: %s\n", cmd, strerror(-err));
}

/* The first stop signal pending, taken off the queue; 0 when none. */
static int stop_pending(const sigset_t *stop)
{
	const struct timespec zero = {0, 0};
	int sig = sigtimedwait(stop, NULL, &zero);

	return sig > 0 ? sig : 0;
}

/* The signals CMD keeps as lgrun got them: SIGHUP when started under nohup. */
static const sigset_t *kept_signals(const struct run *r, sigset_t *set)
{
	sigemptyset(set);
	if (r->hup_ignored)
		sigaddset(set, SIGHUP);
	return set;
}

/* The scope systemd-run is asked for. */
static struct systemd_scope scope_of(const struct run *r)
{
	return (struct systemd_scope){.unit = r->unit,
				      .memory = r->opt.memory,
				      .swap = r->opt.swap,
				      .user = geteuid() != 0,
				      .creds = &r->creds};
}

/* Does systemd-run give us a scope with these limits?  A quiet trial with "true". */
static bool systemd_usable(struct run *r, const char *systemd_run)
{
	struct systemd_scope s;
	sigset_t keep;
	int err;

	snprintf(r->unit, sizeof(r->unit), "lgrun-probe-%d.scope", (int)getpid());
	s = scope_of(r);
	err = systemd_run_probe(systemd_run, &s, kept_signals(r, &keep));
	snprintf(r->unit, sizeof(r->unit), "lgrun-%d.scope", (int)getpid());
	return err == 0;
}

/* Pick systemd-run or a cgroup hierarchy; changes nothing.  Returns 0 or -1. */
static int choose_mechanism(struct run *r, char *sdbuf, size_t sdlen)
{
	static const enum cg_kind kinds[] = {CG_AUTO, CG_AUTO, CG_V2, CG_V1};
	char why[WHY_LEN];

	if (r->opt.mech == MECH_AUTO || r->opt.mech == MECH_SYSTEMD) {
		/* LGRUN_SYSTEMD_RUN: a stand-in for the tests. */
		bool found = systemd_run_find(getenv("LGRUN_SYSTEMD_RUN"), sdbuf, sdlen) == 0;

		if (found && systemd_usable(r, sdbuf)) {
			r->systemd_run = sdbuf;
			return 0;
		}
		if (r->opt.mech == MECH_SYSTEMD) {
			fprintf(stderr, "lgrun: systemd-run cannot make a scope here (%s)\n",
				found ? "the trial run failed" : "systemd is not running");
			return -1;
		}
	}
	if (geteuid() != 0) {
		fprintf(stderr,
			"lgrun: must be root to make a cgroup (and systemd-run is not usable here)\n");
		return -1;
	}
	if (cgroup_find(&r->cg, kinds[r->opt.mech], r->opt.parent, why, sizeof(why))) {
		fprintf(stderr, "lgrun: %s\n", why);
		return -1;
	}
	return 0;
}

static void print_start(const struct run *r)
{
	char mem[SIZE_FORMAT_LEN], swap[SIZE_FORMAT_LEN], total[SIZE_FORMAT_LEN], made[SIZE_FORMAT_LEN];
	const struct options *o = &r->opt;

	size_format(o->memory, SIZE_SHORT, mem, sizeof(mem));
	size_format(o->swap, SIZE_SHORT, swap, sizeof(swap));
	if (r->systemd_run)
		fprintf(stderr, "lgrun: systemd scope %s (systemd): memory %s", r->unit, mem);
	else
		fprintf(stderr, "lgrun: cgroup %s (%s): memory %s", r->cg.path, cgroup_kind_name(r->cg.kind),
			mem);
	if (o->swap == CG_NO_LIMIT)
		fprintf(stderr, ", swap not limited");
	else if (!r->systemd_run && !r->cg.has_swap_limit)
		fprintf(stderr, ", swap %s NOT applied", swap);
	else if (r->cg.kind == CG_V1 && !r->systemd_run)
		fprintf(stderr, ", swap %s (memsw %s)", swap,
			size_format(o->swap > UINT64_MAX - o->memory ? UINT64_MAX : o->swap + o->memory,
				    SIZE_SHORT, total, sizeof(total)));
	else
		fprintf(stderr, ", swap %s", swap);
	if (r->sf.active)
		fprintf(stderr, "; made swap file %s (%s)", r->sf.path,
			size_format(r->sf.size, SIZE_SHORT, made, sizeof(made)));
	else if (o->make_swap)
		fprintf(stderr, "; no swap file made (swap %s)",
			swap_active() ? "already active" : "making it failed");
	if (r->creds.drop)
		fprintf(stderr, "; as uid %u gid %u", (unsigned int)r->creds.uid, (unsigned int)r->creds.gid);
	fputc('\n', stderr);
}

/* Remove what setup made, saying what went wrong.  Returns 0 or -1. */
static int cleanup(struct run *r)
{
	char why[WHY_LEN];
	int rc = 0, killed = 0;

	if (!r->systemd_run) {
		rc = cgroup_remove(&r->cg, &killed, why, sizeof(why)) ? -1 : 0;
		if (killed)
			fprintf(stderr, "lgrun: killed %d process%s left in %s\n", killed,
				killed > 1 ? "es" : "", r->cg.path);
		if (rc)
			fprintf(stderr, "lgrun: %s\n", why);
	}
	if (swapfile_remove(&r->sf, why, sizeof(why))) {
		fprintf(stderr, "lgrun: %s\n", why);
		rc = -1;
	}
	return rc;
}

/* Clean up and leave with CODE (made 2 when cleaning up fails and CODE is 0). */
static void finish(struct run *r, int code)
{
	if (cleanup(r) && code == 0)
		code = EXIT_SETUP;
	exit(code);
}

/* Setup was interrupted by a stop signal: undo and leave. */
static void check_stop(struct run *r)
{
	int sig = stop_pending(&r->stop);

	if (sig) {
		fprintf(stderr, "lgrun: setup interrupted by signal %d (%s), undone\n", sig, strsignal(sig));
		finish(r, 128 + sig);
	}
}

static void setup(struct run *r)
{
	const struct options *o = &r->opt;
	char why[WHY_LEN];

	check_stop(r);
	if (o->make_swap && !swap_active()) {
		if (swapfile_make(&r->sf, o->swap_dir, "lgrun", o->make_swap, &r->stop, why, sizeof(why))) {
			fprintf(stderr, "lgrun: %s\n", why);
			check_stop(r);
			if (!o->keep_going)
				finish(r, EXIT_SETUP);
			fprintf(stderr, "lgrun: going on without a swap file (--keep-going)\n");
		}
		check_stop(r);
	}
	if (!r->systemd_run) {
		if (cgroup_create(&r->cg, "lgrun", o->memory, o->swap, o->keep_going, why, sizeof(why))) {
			fprintf(stderr, "lgrun: %s\n", why);
			finish(r, EXIT_SETUP);
		}
		if (why[0])
			fprintf(stderr, "lgrun: %s (going on without it: --keep-going)\n", why);
	}
	check_stop(r);
}

static void report_child_error(const struct run *r, enum launch_stage stage, int err)
{
	if (stage == LAUNCH_STAGE_HOOK)
		fprintf(stderr, "lgrun: cannot move into %s: %s\n", r->cg.procs, strerror(-err));
	else if (stage == LAUNCH_STAGE_CREDS)
		fprintf(stderr, "lgrun: cannot become uid %u: %s\n", (unsigned int)r->creds.uid,
			strerror(-err));
	else if (stage == LAUNCH_STAGE_EXEC)
		fprintf(stderr, "lgrun: %s: %s\n", r->systemd_run ? r->systemd_run : r->opt.cmd[0],
			strerror(-err));
	else
		fprintf(stderr, "lgrun: cannot start %s: %s\n", r->opt.cmd[0], strerror(-err));
}

/* In CMD's child: move into the cgroup. */
static int enter_hook(void *arg)
{
	return cgroup_enter(arg);
}

/*
 * Start CMD: in the cgroup as the sudo user, or through systemd-run (which
 * makes the scope and switches the ids itself).  Returns its pid, or leaves
 * with the exit status after a message.
 */
static pid_t start_command(struct run *r)
{
	struct launch_opts lo = {.path = r->path, .argv = r->opt.cmd, .creds = &r->creds};
	struct systemd_run_argv sa = {.argv = NULL};
	struct launch l;
	sigset_t keep;
	int err;

	lo.keep_signals = kept_signals(r, &keep);
	if (r->systemd_run) {
		struct systemd_scope s = scope_of(r);

		err = systemd_run_argv(&sa, r->systemd_run, &s, r->path, r->opt.cmd + 1);
		if (err) {
			fprintf(stderr, "lgrun: calloc: %s\n", strerror(-err));
			finish(r, EXIT_SETUP);
		}
		lo.path = r->systemd_run;
		lo.argv = sa.argv;
		lo.creds_env_only = true;
	} else {
		lo.hook = enter_hook;
		lo.hook_arg = &r->cg;
	}
	err = launch_start(&l, &lo);
	systemd_run_argv_free(&sa);
	if (err) {
		report_child_error(r, l.stage, err);
		finish(r, launch_stage_exit_code(l.stage, err));
	}
	return l.pid;
}

/* Wait for CMD, passing stop signals on.  Returns lgrun's exit status. */
static int supervise(struct run *r, pid_t pid)
{
	int status = 0, got = 0;

	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(&r->wait, &si);

		if (sig < 0) {
			if (errno == EINTR)
				continue;
			perror("lgrun: sigwaitinfo");
			launch_wait(pid, &status);
			break;
		}
		if (sig == SIGCHLD) {
			if (waitpid(pid, &status, WNOHANG) == pid)
				break;
			continue;
		}
		if (!got)
			got = sig;
		/* A terminal's signal (SI_KERNEL) already went to CMD, in our process group. */
		if (si.si_code != SI_KERNEL || getpgid(pid) != getpgrp())
			kill(pid, sig);
	}
	return got ? EXIT_SIGNAL_BASE + got : launch_exit_code(status);
}

int main(int argc, char **argv)
{
	static struct run run;
	struct run *r = &run;
	static char msg[LGRUN_MSG_LEN];
	char sdbuf[PATH_MAX], why[256];
	int err;

	switch (lgrun_parse_options(&r->opt, argc, argv, msg, sizeof(msg))) {
	case LGRUN_RUN:
		break;
	case LGRUN_HELP:
		fputs(usage_text, stdout);
		return 0;
	case LGRUN_VERSION:
		puts("lgrun " LG_VERSION);
		return 0;
	default:
		fputs(msg, stderr);
		return EXIT_SETUP;
	}
	err = launch_resolve(r->opt.cmd[0], r->path, sizeof(r->path));
	if (err) {
		command_error(r->opt.cmd[0], err);
		return launch_stage_exit_code(LAUNCH_STAGE_EXEC, err);
	}
	if (r->opt.make_swap && geteuid() != 0) {
		fprintf(stderr, "lgrun: must be root to make a swap file\n");
		return EXIT_SETUP;
	}
	if (launch_creds_sudo(&r->creds, r->opt.as_root, why, sizeof(why))) {
		fprintf(stderr, "lgrun: %s\n", why);
		return EXIT_SETUP;
	}

	/* From here on a stop signal waits for us: nothing is left half done. */
	r->hup_ignored = signal(SIGHUP, SIG_DFL) == SIG_IGN;
	if (r->hup_ignored)
		signal(SIGHUP, SIG_IGN);
	sigemptyset(&r->stop);
	sigaddset(&r->stop, SIGINT);
	sigaddset(&r->stop, SIGTERM);
	sigaddset(&r->stop, SIGQUIT);
	if (!r->hup_ignored)
		sigaddset(&r->stop, SIGHUP);
	r->wait = r->stop;
	sigaddset(&r->wait, SIGCHLD);
	sigprocmask(SIG_BLOCK, &r->wait, NULL);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	signal(SIGQUIT, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);

	if (choose_mechanism(r, sdbuf, sizeof(sdbuf)))
		return EXIT_SETUP;
	setup(r);
	if (!r->opt.quiet)
		print_start(r);
	finish(r, supervise(r, start_command(r)));
	return 0;
}
