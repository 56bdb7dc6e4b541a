// SPDX-License-Identifier: MIT
/*
 * lgrun: run a command in a fresh memory cgroup, with an optional temporary
 * swap file, and remove both on every way out.
 *
 *   lgrun --memory 512M [--swap 4G] [--make-swap 4G] -- CMD ARGS
 *
 * The cgroup comes from systemd-run when systemd runs and takes the scope,
 * else from the cgroup v2 file system, else from v1 (see cgroup.c).  Signals
 * that end lgrun (SIGINT, SIGTERM, SIGHUP, SIGQUIT) stay blocked from the
 * start: setup checks for them between steps and undoes what it did; while
 * CMD runs they are taken with sigwaitinfo() and passed on to it, and lgrun
 * exits 128+N once CMD is gone and everything is removed.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cgroup.h"
#include "size_parse.h"
#include "swapfile.h"

#define EXIT_SETUP     2
#define EXIT_NOEXEC    126
#define EXIT_NOTFOUND  127
#define SYSTEMD_BOOTED "/run/systemd/system"
#define SYSTEMD_ARGS   12 /* most systemd-run arguments before CMD's own */
#define PROP_LEN       96

enum mechanism {
	MECH_AUTO,
	MECH_SYSTEMD,
	MECH_V2,
	MECH_V1,
};

struct options {
	uint64_t memory;
	uint64_t swap; /* CG_NO_LIMIT: not set */
	uint64_t make_swap;
	const char *swap_dir;
	const char *parent;
	enum mechanism mech;
	int keep_going;
	int as_root;
	int quiet;
	char **cmd;
};

/* Who CMD runs as: SUDO_UID/SUDO_GID under sudo, unless --as-root. */
struct creds {
	int drop;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	int ngroups;
	struct passwd *pw;
};

struct run {
	struct options opt;
	struct creds creds;
	struct cgroup cg;
	struct swapfile sf;
	const char *systemd_run; /* set when the scope comes from systemd-run */
	char unit[64];
	char path[PATH_MAX]; /* CMD resolved through PATH */
	sigset_t stop;	     /* the signals that end lgrun */
	sigset_t wait;	     /* stop plus SIGCHLD */
	int hup_ignored;     /* started under nohup: SIGHUP stays ignored */
};

/* What the child tells the parent through the close-on-exec pipe when it fails. */
struct child_error {
	int stage;
	int err;
};

enum {
	STAGE_CGROUP = 1,
	STAGE_CREDS,
	STAGE_EXEC,
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
	"\n"
	"SIZE is bytes with an optional suffix K, M, G or T (powers of 1024).\n"
	"Exit status: CMD's, 128+N when CMD or lgrun was killed by signal N, 2 on a\n"
	"setup error, 126/127 when CMD cannot be run or is not found.\n"
	"\n"
	"Examples:\n"
	"  sudo lgrun --memory 512M -- ./lgbench --paging\n"
	"  sudo lgrun --memory 512M --swap 4G --make-swap 4G -- ./lgbench --ratio-sweep --total-mib 1536\n"
	"  sudo lgrun -q --memory 64M --make-swap 256M --swap-dir /mnt/ssd -- python3 job.py\n";

static void usage_error(const char *fmt, const char *arg)
{
	fputs("lgrun: ", stderr);
	fprintf(stderr, fmt, arg);
	fputs("\nTry 'lgrun --help' for more information.\n", stderr);
	exit(EXIT_SETUP);
}

static uint64_t parse_size_arg(const char *opt, const char *arg)
{
	uint64_t v;

	if (size_parse(arg, &v)) {
		fprintf(stderr,
			"lgrun: %s: bad size '%s' (want a number with an optional K, M, G or T suffix)\n",
			opt, arg);
		exit(EXIT_SETUP);
	}
	return v;
}

static void parse_options(struct options *o, int argc, char **argv)
{
	enum { OPT_MAKE_SWAP = 256, OPT_SWAP_DIR, OPT_KEEP_GOING, OPT_AS_ROOT, OPT_MECH, OPT_PARENT };
	static const struct option longopts[] = {
		{"memory", required_argument, NULL, 'm'},
		{"swap", required_argument, NULL, 's'},
		{"make-swap", required_argument, NULL, OPT_MAKE_SWAP},
		{"swap-dir", required_argument, NULL, OPT_SWAP_DIR},
		{"keep-going", no_argument, NULL, OPT_KEEP_GOING},
		{"as-root", no_argument, NULL, OPT_AS_ROOT},
		{"mechanism", required_argument, NULL, OPT_MECH},
		{"parent", required_argument, NULL, OPT_PARENT},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const mechs[] = {"auto", "systemd", "v2", "v1"};
	int c, have_memory = 0;
	unsigned int i;

	memset(o, 0, sizeof(*o));
	o->swap = CG_NO_LIMIT;
	o->swap_dir = "/var/tmp";
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:m:s:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			o->memory = parse_size_arg("--memory", optarg);
			have_memory = 1;
			break;
		case 's':
			if (strcmp(optarg, "max") && strcmp(optarg, "unlimited"))
				o->swap = parse_size_arg("--swap", optarg);
			break;
		case OPT_MAKE_SWAP:
			o->make_swap = parse_size_arg("--make-swap", optarg);
			if (!o->make_swap)
				usage_error("--make-swap: the size must be above zero", NULL);
			break;
		case OPT_SWAP_DIR:
			o->swap_dir = optarg;
			break;
		case OPT_KEEP_GOING:
			o->keep_going = 1;
			break;
		case OPT_AS_ROOT:
			o->as_root = 1;
			break;
		case OPT_MECH:
			for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]) && strcmp(optarg, mechs[i]); i++)
				;
			if (i == sizeof(mechs) / sizeof(mechs[0]))
				usage_error("--mechanism: '%s' is not one of auto, systemd, v2, v1", optarg);
			o->mech = (enum mechanism)i;
			break;
		case OPT_PARENT:
			o->parent = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'h':
			fputs(usage_text, stdout);
			exit(0);
		case ':':
			usage_error("option '%s' needs a value", argv[optind - 1]);
			break;
		default:
			if (optopt)
				usage_error("unknown option '-%s'", (char[]){(char)optopt, '\0'});
			usage_error("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!have_memory)
		usage_error("--memory SIZE is required", NULL);
	if (!o->memory)
		usage_error("--memory: the limit must be above zero", NULL);
	if (optind >= argc)
		usage_error("no command given", NULL);
	if (o->parent && o->mech == MECH_SYSTEMD)
		usage_error("--parent does not go with --mechanism systemd", NULL);
	o->cmd = argv + optind;
}

/*
 * Find CMD as a shell would: a name with a slash as is, else the first
 * executable regular file in PATH.  Returns 0, EXIT_NOEXEC or EXIT_NOTFOUND.
 */
static int resolve_command(const char *cmd, char *out, size_t len)
{
	const char *path = getenv("PATH");
	struct stat st;
	int denied = 0;

	if (strchr(cmd, '/')) {
		snprintf(out, len, "%s", cmd);
		if (stat(cmd, &st))
			return EXIT_NOTFOUND;
		return S_ISREG(st.st_mode) && access(cmd, X_OK) == 0 ? 0 : EXIT_NOEXEC;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (;;) {
		size_t n = strcspn(path, ":");
		int w = snprintf(out, len, "%.*s/%s", (int)(n ? n : 1), n ? path : ".", cmd);

		if (w > 0 && (size_t)w < len && stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			denied = 1;
		}
		if (!path[n])
			break;
		path += n + 1;
	}
	snprintf(out, len, "%s", cmd);
	return denied ? EXIT_NOEXEC : EXIT_NOTFOUND;
}

static void command_error(const char *cmd, int code)
{
	if (code == EXIT_NOTFOUND && !strchr(cmd, '/'))
		fprintf(stderr, "lgrun: %s: command not found\n", cmd);
	else
		fprintf(stderr, "lgrun: %s: %s\n", cmd,
			code == EXIT_NOTFOUND ? strerror(ENOENT) : strerror(EACCES));
}

/* Under sudo, unless --as-root: CMD runs as SUDO_UID/SUDO_GID with that user's groups. */
static int sudo_creds(struct creds *c, int as_root)
{
	const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
	char *end;
	unsigned long uid, gid;
	int n = 0;

	memset(c, 0, sizeof(*c));
	if (as_root || getuid() != 0 || !su || !*su)
		return 0;
	uid = strtoul(su, &end, 10);
	if (*end || !sg || !*sg) {
		fprintf(stderr, "lgrun: bad SUDO_UID/SUDO_GID in the environment (use --as-root?)\n");
		return -1;
	}
	gid = strtoul(sg, &end, 10);
	if (*end) {
		fprintf(stderr, "lgrun: bad SUDO_GID '%s' in the environment (use --as-root?)\n", sg);
		return -1;
	}
	if (uid == 0)
		return 0;
	c->drop = 1;
	c->uid = (uid_t)uid;
	c->gid = (gid_t)gid;
	c->pw = getpwuid(c->uid);
	if (c->pw)
		getgrouplist(c->pw->pw_name, c->gid, NULL, &n);
	c->groups = calloc((size_t)n + 1, sizeof(gid_t));
	if (!c->groups) {
		perror("lgrun: calloc");
		return -1;
	}
	c->ngroups = n + 1;
	if (!c->pw || getgrouplist(c->pw->pw_name, c->gid, c->groups, &c->ngroups) < 0) {
		c->groups[0] = c->gid;
		c->ngroups = 1;
	}
	return 0;
}

/* In the child: become the sudo user.  Returns 0 or an errno. */
static int drop_creds(const struct creds *c)
{
	if (!c->drop)
		return 0;
	if (setgroups((size_t)c->ngroups, c->groups) || setgid(c->gid) || setuid(c->uid))
		return errno;
	if (c->pw) {
		setenv("HOME", c->pw->pw_dir, 1);
		setenv("USER", c->pw->pw_name, 1);
		setenv("LOGNAME", c->pw->pw_name, 1);
	}
	return 0;
}

/* In the child: signals as a fresh program expects them (nohup's SIGHUP kept). */
static void reset_signals(const struct run *r)
{
	sigset_t none;
	int sig;

	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && !(sig == SIGHUP && r->hup_ignored))
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

/* The first stop signal pending, taken off the queue; 0 when none. */
static int stop_pending(const sigset_t *stop)
{
	const struct timespec zero = {0, 0};
	int sig = sigtimedwait(stop, NULL, &zero);

	return sig > 0 ? sig : 0;
}

static int wait_child(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	return status;
}

static int status_code(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_SETUP;
}

/* systemd-run when systemd is PID 1 (or LGRUN_SYSTEMD_RUN names one, for tests). */
static const char *find_systemd_run(char *buf, size_t len)
{
	const char *env = getenv("LGRUN_SYSTEMD_RUN");
	struct stat st;

	if (env && *env)
		return env;
	if (stat(SYSTEMD_BOOTED, &st) || !S_ISDIR(st.st_mode))
		return NULL;
	return resolve_command("systemd-run", buf, len) ? NULL : buf;
}

/* The systemd-run command line for CMD (or for "true" when probing). */
static void systemd_argv(const struct run *r, const char *cmd, char **cmd_argv, char **argv,
			 char (*props)[PROP_LEN])
{
	int i = 0, p = 0;

	argv[i++] = (char *)r->systemd_run;
	if (geteuid() != 0)
		argv[i++] = "--user";
	argv[i++] = "--scope";
	argv[i++] = "--quiet";
	argv[i++] = "--collect";
	snprintf(props[p], PROP_LEN, "--unit=%s", r->unit);
	argv[i++] = props[p++];
	snprintf(props[p], PROP_LEN, "--property=MemoryMax=%llu", (unsigned long long)r->opt.memory);
	argv[i++] = props[p++];
	if (r->opt.swap != CG_NO_LIMIT) {
		snprintf(props[p], PROP_LEN, "--property=MemorySwapMax=%llu",
			 (unsigned long long)r->opt.swap);
		argv[i++] = props[p++];
	}
	if (r->creds.drop) {
		snprintf(props[p], PROP_LEN, "--uid=%u", (unsigned int)r->creds.uid);
		argv[i++] = props[p++];
		snprintf(props[p], PROP_LEN, "--gid=%u", (unsigned int)r->creds.gid);
		argv[i++] = props[p++];
	}
	argv[i++] = "--";
	argv[i++] = (char *)cmd;
	while (*cmd_argv)
		argv[i++] = *cmd_argv++;
	argv[i] = NULL;
}

/* Does systemd-run give us a scope with these limits?  A quiet trial with "true". */
static int systemd_probe(struct run *r)
{
	char *argv[SYSTEMD_ARGS + 2], props[5][PROP_LEN], *none[] = {NULL}, truepath[PATH_MAX];
	pid_t pid;
	int fd;

	if (resolve_command("true", truepath, sizeof(truepath)))
		snprintf(truepath, sizeof(truepath), "/bin/true");
	snprintf(r->unit, sizeof(r->unit), "lgrun-probe-%d.scope", (int)getpid());
	systemd_argv(r, truepath, none, argv, props);
	pid = fork();
	if (pid < 0)
		return 0;
	if (pid == 0) {
		reset_signals(r);
		fd = open("/dev/null", O_RDWR);
		if (fd >= 0) {
			dup2(fd, 0);
			dup2(fd, 1);
			dup2(fd, 2);
		}
		execv(argv[0], argv);
		_exit(EXIT_NOTFOUND);
	}
	snprintf(r->unit, sizeof(r->unit), "lgrun-%d.scope", (int)getpid());
	return wait_child(pid) == 0;
}

/* Pick systemd-run or a cgroup hierarchy; changes nothing.  Returns 0 or -1. */
static int choose_mechanism(struct run *r, char *sdbuf, size_t sdlen)
{
	static const enum cg_kind kinds[] = {CG_AUTO, CG_AUTO, CG_V2, CG_V1};
	char why[PATH_MAX + 128];

	if (r->opt.mech == MECH_AUTO || r->opt.mech == MECH_SYSTEMD) {
		r->systemd_run = find_systemd_run(sdbuf, sdlen);
		if (r->systemd_run && systemd_probe(r))
			return 0;
		r->systemd_run = NULL;
		if (r->opt.mech == MECH_SYSTEMD) {
			fprintf(stderr, "lgrun: systemd-run cannot make a scope here (%s)\n",
				find_systemd_run(sdbuf, sdlen) ? "the trial run failed"
							       : "systemd is not running");
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
	char mem[32], swap[32], total[32], made[32];
	const struct options *o = &r->opt;

	size_format(o->memory, mem, sizeof(mem));
	size_format(o->swap, swap, sizeof(swap));
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
				    total, sizeof(total)));
	else
		fprintf(stderr, ", swap %s", swap);
	if (r->sf.active)
		fprintf(stderr, "; made swap file %s (%s)", r->sf.path,
			size_format(r->sf.size, made, sizeof(made)));
	else if (o->make_swap)
		fprintf(stderr, "; no swap file made (swap %s)",
			swap_active() ? "already active" : "making it failed");
	if (r->creds.drop)
		fprintf(stderr, "; as uid %u gid %u", (unsigned int)r->creds.uid, (unsigned int)r->creds.gid);
	fputc('\n', stderr);
}

/* Remove what setup made.  Returns 0 or -1. */
static int cleanup(struct run *r)
{
	int rc = 0;

	if (!r->systemd_run && cgroup_remove(&r->cg))
		rc = -1;
	if (swapfile_remove(&r->sf))
		rc = -1;
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

	check_stop(r);
	if (o->make_swap && !swap_active()) {
		if (swapfile_make(&r->sf, o->swap_dir, o->make_swap, &r->stop)) {
			check_stop(r);
			if (!o->keep_going)
				finish(r, EXIT_SETUP);
			fprintf(stderr, "lgrun: going on without a swap file (--keep-going)\n");
		}
		check_stop(r);
	}
	if (!r->systemd_run && cgroup_create(&r->cg, o->memory, o->swap, o->keep_going))
		finish(r, EXIT_SETUP);
	check_stop(r);
}

static void report_child_error(const struct run *r, const struct child_error *e)
{
	if (e->stage == STAGE_CGROUP)
		fprintf(stderr, "lgrun: cannot move into %s: %s\n", r->cg.procs, strerror(e->err));
	else if (e->stage == STAGE_CREDS)
		fprintf(stderr, "lgrun: cannot become uid %u: %s\n", (unsigned int)r->creds.uid,
			strerror(e->err));
	else
		fprintf(stderr, "lgrun: %s: %s\n", r->systemd_run ? r->systemd_run : r->opt.cmd[0],
			strerror(e->err));
}

static void child(struct run *r, int errfd)
{
	char props[5][PROP_LEN];
	struct child_error e = {0, 0};
	char **args = r->opt.cmd;

	reset_signals(r);
	if (r->systemd_run) {
		int n = 0;

		while (args[n])
			n++;
		args = calloc((size_t)n + SYSTEMD_ARGS + 2, sizeof(char *));
		if (!args) {
			e.stage = STAGE_EXEC;
			e.err = ENOMEM;
			goto fail;
		}
		systemd_argv(r, r->path, r->opt.cmd + 1, args, props);
	} else if ((e.err = cgroup_enter(&r->cg))) {
		e.stage = STAGE_CGROUP;
		goto fail;
	}
	if (!r->systemd_run && (e.err = drop_creds(&r->creds))) {
		e.stage = STAGE_CREDS;
		goto fail;
	}
	if (r->systemd_run && r->creds.pw) {
		setenv("HOME", r->creds.pw->pw_dir, 1);
		setenv("USER", r->creds.pw->pw_name, 1);
		setenv("LOGNAME", r->creds.pw->pw_name, 1);
	}
	execv(r->systemd_run ? r->systemd_run : r->path, args);
	e.stage = STAGE_EXEC;
	e.err = errno;
fail:
	if (write(errfd, &e, sizeof(e)) < 0)
		_exit(EXIT_SETUP);
	_exit(e.stage == STAGE_EXEC ? (e.err == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC) : EXIT_SETUP);
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
			status = wait_child(pid);
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
	return got ? 128 + got : status_code(status);
}

int main(int argc, char **argv)
{
	static struct run run;
	struct run *r = &run;
	char sdbuf[PATH_MAX];
	struct child_error e;
	int pipefd[2], code;
	ssize_t n;
	pid_t pid;

	parse_options(&r->opt, argc, argv);
	code = resolve_command(r->opt.cmd[0], r->path, sizeof(r->path));
	if (code) {
		command_error(r->opt.cmd[0], code);
		return code;
	}
	if (r->opt.make_swap && geteuid() != 0) {
		fprintf(stderr, "lgrun: must be root to make a swap file\n");
		return EXIT_SETUP;
	}
	if (sudo_creds(&r->creds, r->opt.as_root))
		return EXIT_SETUP;

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
	fflush(NULL);

	if (pipe2(pipefd, O_CLOEXEC)) {
		perror("lgrun: pipe");
		finish(r, EXIT_SETUP);
	}
	pid = fork();
	if (pid < 0) {
		perror("lgrun: fork");
		finish(r, EXIT_SETUP);
	}
	if (pid == 0)
		child(r, pipefd[1]);
	close(pipefd[1]);
	do
		n = read(pipefd[0], &e, sizeof(e));
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == sizeof(e)) {
		report_child_error(r, &e);
		wait_child(pid);
		finish(r,
		       e.stage == STAGE_EXEC ? (e.err == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC) : EXIT_SETUP);
	}
	finish(r, supervise(r, pid));
	return 0;
}
