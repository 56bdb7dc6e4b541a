// SPDX-License-Identifier: MIT
/* Launching a command as the invoking user: see launch.h. */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/exit_codes.h"
#include "common/launch.h"
#include "common/parse.h"

#define DEFAULT_PATH "/usr/local/bin:/usr/bin:/bin"

/* What the child tells the parent through the close-on-exec pipe when it fails. */
struct child_error {
	int stage;
	int err; /* -errno */
};

int launch_resolve(const char *cmd, char *out, size_t len)
{
	const char *path = getenv("PATH");
	struct stat st;
	bool denied = false;

	if (strchr(cmd, '/')) {
		snprintf(out, len, "%s", cmd);
		if (stat(cmd, &st))
			return -errno;
		return S_ISREG(st.st_mode) && access(cmd, X_OK) == 0 ? 0 : -EACCES;
	}
	if (!path)
		path = DEFAULT_PATH;
	for (;;) {
		size_t n = strcspn(path, ":");
		int w = snprintf(out, len, "%.*s/%s", (int)(n ? n : 1), n ? path : ".", cmd);

		/* Only regular files count: a directory of that name is passed over, as by execvp. */
		if (w > 0 && (size_t)w < len && stat(out, &st) == 0 && S_ISREG(st.st_mode)) {
			if (access(out, X_OK) == 0)
				return 0;
			denied = true;
		}
		if (!path[n])
			break;
		path += n + 1;
	}
	snprintf(out, len, "%s", cmd);
	return denied ? -EACCES : -ENOENT;
}

int launch_creds_parse(struct launch_creds *c, const char *sudo_uid, const char *sudo_gid, char *why,
		       size_t len)
{
	unsigned long uid, gid;
	struct passwd *pw;
	int n = 0;

	memset(c, 0, sizeof(*c));
	if (!sudo_uid || !*sudo_uid)
		return 0;
	if (parse_ulong(sudo_uid, 0, (uid_t)-2, &uid) || !sudo_gid || !*sudo_gid) {
		snprintf(why, len, "bad SUDO_UID/SUDO_GID in the environment (use --as-root?)");
		return -EINVAL;
	}
	if (parse_ulong(sudo_gid, 0, (gid_t)-2, &gid)) {
		snprintf(why, len, "bad SUDO_GID '%s' in the environment (use --as-root?)", sudo_gid);
		return -EINVAL;
	}
	if (uid == 0)
		return 0;
	c->drop = true;
	c->uid = (uid_t)uid;
	c->gid = (gid_t)gid;
	pw = getpwuid(c->uid);
	if (pw) {
		c->home = strdup(pw->pw_dir);
		c->user = strdup(pw->pw_name);
		getgrouplist(pw->pw_name, c->gid, NULL, &n);
	}
	c->groups = calloc((size_t)n + 1, sizeof(gid_t));
	if (!c->groups || (pw && (!c->home || !c->user))) {
		launch_creds_free(c);
		snprintf(why, len, "%s", strerror(ENOMEM));
		return -ENOMEM;
	}
	c->ngroups = n + 1;
	if (!pw || getgrouplist(pw->pw_name, c->gid, c->groups, &c->ngroups) < 0) {
		c->groups[0] = c->gid;
		c->ngroups = 1;
	}
	return 0;
}

int launch_creds_sudo(struct launch_creds *c, bool as_root, char *why, size_t len)
{
	if (as_root || getuid() != 0)
		return launch_creds_parse(c, NULL, NULL, why, len);
	return launch_creds_parse(c, getenv("SUDO_UID"), getenv("SUDO_GID"), why, len);
}

void launch_creds_free(struct launch_creds *c)
{
	free(c->groups);
	free(c->home);
	free(c->user);
	memset(c, 0, sizeof(*c));
}

void launch_set_user_env(const struct launch_creds *c)
{
	if (!c->user)
		return;
	setenv("HOME", c->home, 1);
	setenv("USER", c->user, 1);
	setenv("LOGNAME", c->user, 1);
}

int launch_drop_creds(const struct launch_creds *c)
{
	if (!c->drop)
		return 0;
	if (setgroups((size_t)c->ngroups, c->groups) || setgid(c->gid) || setuid(c->uid))
		return -errno;
	launch_set_user_env(c);
	return 0;
}

void launch_reset_signals(const sigset_t *keep)
{
	sigset_t none;
	int sig;

	for (sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP && !(keep && sigismember(keep, sig) == 1))
			signal(sig, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int launch_stage_exit_code(enum launch_stage stage, int err)
{
	if (stage != LAUNCH_STAGE_EXEC)
		return EXIT_SETUP;
	/* As dash: a path through a file is not found either (bash says 126). */
	return err == -ENOENT || err == -ENOTDIR ? EXIT_NOTFOUND : EXIT_NOEXEC;
}

static ssize_t read_full(int fd, void *buf, size_t len)
{
	ssize_t n;

	do
		n = read(fd, buf, len);
	while (n < 0 && errno == EINTR);
	return n;
}

static __attribute__((noreturn)) void child(const struct launch_opts *o, const int go[2], const int errp[2])
{
	struct child_error e = {LAUNCH_STAGE_NONE, 0};
	int go_fd = go[0], err_fd = errp[1];
	char go_byte;

	/* The parent's ends: a held child that kept go[1] would never see EOF. */
	close(errp[0]);
	if (o->hold)
		close(go[1]);
	launch_reset_signals(o->keep_signals);
	/* The parent's death (EOF without the go byte) ends a held child quietly. */
	if (o->hold && read_full(go_fd, &go_byte, 1) != 1)
		_exit(EXIT_NOEXEC);
	if (o->hook && (e.err = o->hook(o->hook_arg))) {
		e.stage = LAUNCH_STAGE_HOOK;
		goto fail;
	}
	if (o->creds && o->creds_env_only) {
		launch_set_user_env(o->creds);
	} else if (o->creds && (e.err = launch_drop_creds(o->creds))) {
		e.stage = LAUNCH_STAGE_CREDS;
		goto fail;
	}
	execv(o->path, o->argv);
	e.stage = LAUNCH_STAGE_EXEC;
	e.err = -errno;
fail:
	if (write(err_fd, &e, sizeof(e)) < 0)
		_exit(EXIT_SETUP);
	_exit(launch_stage_exit_code(e.stage, e.err));
}

/* Wait for the exec: EOF on the error pipe, or the child's report. */
static int await_exec(struct launch *l)
{
	struct child_error e;
	ssize_t n = read_full(l->err_fd, &e, sizeof(e));

	close(l->err_fd);
	l->err_fd = -1;
	if (n != (ssize_t)sizeof(e))
		return 0;
	l->stage = (enum launch_stage)e.stage;
	launch_wait(l->pid, &(int){0});
	l->pid = 0;
	return e.err;
}

int launch_start(struct launch *l, const struct launch_opts *o)
{
	int go[2] = {-1, -1}, errp[2], err;

	*l = (struct launch){.go_fd = -1, .err_fd = -1};
	if (pipe2(errp, O_CLOEXEC))
		return -errno;
	if (o->hold && pipe2(go, O_CLOEXEC)) {
		err = -errno;
		close(errp[0]);
		close(errp[1]);
		return err;
	}
	fflush(NULL);
	l->pid = fork();
	if (l->pid == 0)
		child(o, go, errp);
	err = l->pid < 0 ? -errno : 0;
	close(errp[1]);
	if (o->hold)
		close(go[0]);
	if (err) {
		l->pid = 0;
		close(errp[0]);
		if (o->hold)
			close(go[1]);
		return err;
	}
	l->err_fd = errp[0];
	if (!o->hold)
		return await_exec(l);
	l->go_fd = go[1];
	return 0;
}

int launch_release(struct launch *l)
{
	ssize_t n = write(l->go_fd, "g", 1);
	int err = n == 1 ? 0 : n < 0 ? -errno : -EIO;

	close(l->go_fd);
	l->go_fd = -1;
	if (err) {
		launch_kill(l);
		return err;
	}
	return await_exec(l);
}

void launch_kill(struct launch *l)
{
	if (l->pid > 0) {
		kill(l->pid, SIGKILL);
		kill(l->pid, SIGCONT);
		launch_wait(l->pid, &(int){0});
		l->pid = 0;
	}
	if (l->go_fd >= 0)
		close(l->go_fd);
	if (l->err_fd >= 0)
		close(l->err_fd);
	l->go_fd = l->err_fd = -1;
}

int launch_wait(pid_t pid, int *status)
{
	while (waitpid(pid, status, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

int launch_exit_code(int status)
{
	if (WIFSIGNALED(status))
		return EXIT_SIGNAL_BASE + WTERMSIG(status);
	return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_SETUP;
}
