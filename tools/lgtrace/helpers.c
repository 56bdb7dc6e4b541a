// SPDX-License-Identifier: MIT
/*
 * lgtrace's own copies of the helpers that common/ is to hold (see
 * helpers.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"

int resolve_command(const char *name, char *out)
{
	const char *path = getenv("PATH");
	struct stat st;
	int err = -ENOENT;

	if (strchr(name, '/')) {
		snprintf(out, PATH_MAX, "%s", name);
		if (stat(out, &st))
			return -errno;
		return S_ISREG(st.st_mode) && (st.st_mode & 0111) ? 0 : -EACCES;
	}
	if (!path)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (const char *p = path; *p;) {
		const char *colon = strchrnul(p, ':');
		int n = (int)(colon - p);

		snprintf(out, PATH_MAX, "%.*s%s%s", n, n ? p : ".", "/", name);
		if (!stat(out, &st)) {
			if (S_ISREG(st.st_mode) && (st.st_mode & 0111))
				return 0;
			err = -EACCES;
		}
		p = *colon ? colon + 1 : colon;
	}
	return err;
}

/* Under sudo, the command runs as the invoking user. */
static int drop_privileges(void)
{
	const char *su = getenv("SUDO_UID"), *sg = getenv("SUDO_GID");
	struct passwd *pw;
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0 || !su || !sg)
		return 0;
	uid = (uid_t)strtoul(su, NULL, 10);
	gid = (gid_t)strtoul(sg, NULL, 10);
	pw = getpwuid(uid);
	if ((pw ? initgroups(pw->pw_name, gid) : setgroups(0, NULL)) || setgid(gid) || setuid(uid))
		return errno;
	return 0;
}

static void child_fail(int fd, int err)
{
	ssize_t n = write(fd, &err, sizeof(err));

	(void)n;
	_exit(err == ENOENT ? EXIT_NOTFOUND : EXIT_NOEXEC);
}

int command_start(struct command *c, char *const argv[], bool as_root)
{
	int go[2], errp[2], err;
	char buf;

	if (pipe2(go, O_CLOEXEC))
		return -errno;
	if (pipe2(errp, O_CLOEXEC)) {
		err = -errno;
		close(go[0]);
		close(go[1]);
		return err;
	}
	fflush(NULL);
	c->pid = fork();
	if (c->pid < 0) {
		err = -errno;
		c->pid = 0;
		close(go[0]);
		close(go[1]);
		close(errp[0]);
		close(errp[1]);
		return err;
	}
	if (c->pid == 0) {
		close(go[1]);
		close(errp[0]);
		/* lgtrace's death (EOF without the go byte) ends the child too. */
		if (read(go[0], &buf, 1) != 1)
			_exit(EXIT_NOEXEC);
		signal(SIGINT, SIG_DFL);
		signal(SIGTERM, SIG_DFL);
		err = as_root ? 0 : drop_privileges();
		if (err)
			child_fail(errp[1], err);
		execv(c->path, argv);
		child_fail(errp[1], errno);
	}
	close(go[0]);
	close(errp[1]);
	c->go_fd = go[1];
	c->err_fd = errp[0];
	return 0;
}

int command_release(struct command *c)
{
	int err = 0;
	ssize_t n;

	if (write(c->go_fd, "g", 1) != 1) {
		err = -errno;
		close(c->go_fd);
		close(c->err_fd);
		return err;
	}
	close(c->go_fd);
	n = read(c->err_fd, &err, sizeof(err));
	close(c->err_fd);
	if (n == (ssize_t)sizeof(err)) {
		waitpid(c->pid, NULL, 0);
		c->pid = 0;
		return -err;
	}
	return 0;
}

void command_kill(struct command *c)
{
	if (c->pid <= 0)
		return;
	kill(c->pid, SIGKILL);
	kill(c->pid, SIGCONT);
	waitpid(c->pid, NULL, 0);
	c->pid = 0;
}

int wait_exit_code(int status)
{
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int proc_stat(pid_t pid, char *state, unsigned long long *minflt, unsigned long long *majflt)
{
	char path[64], buf[1024], *p;
	unsigned long long mn, mj;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return -EIO;
	buf[n] = 0;
	/* comm may hold spaces and parentheses: fields restart after the last ')'. */
	p = strrchr(buf, ')');
	if (!p || sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %llu %*u %llu", state, &mn, &mj) != 3)
		return -EIO;
	if (minflt)
		*minflt = mn;
	if (majflt)
		*majflt = mj;
	return 0;
}

double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

int parse_seconds(const char *s, double *out)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(s, &end);
	if (errno || end == s || *end || !(v > 0) || v > 1e7)
		return -EINVAL;
	*out = v;
	return 0;
}

bool in_list(const char *list, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = list; p && *p; p = strchrnul(p, ',') + (*strchrnul(p, ',') ? 1 : 0))
		if (!strncmp(p, word, n) && (p[n] == ',' || !p[n]))
			return true;
	return false;
}
