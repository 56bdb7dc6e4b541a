// SPDX-License-Identifier: MIT
/*
 * The guard process (guard.h).
 */
#include "guard.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <fcntl.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "common/procfs.h"
#include "common/timeutil.h"

#define GUARD_QUIT    'q'
#define GUARD_SCANS   20 /* after lgtrace is gone: scans of the procs map, */
#define GUARD_SCAN_MS 50 /* this far apart */

/* Continue every traced process that is stopped.  A process stopped by
 * someone else (a Ctrl-Z in its terminal) is continued too: the guard
 * cannot tell whose SIGSTOP it was, and lgtrace is gone. */
static unsigned resume_all(int procs_fd)
{
	__u32 key, next, *prev = NULL;
	unsigned n = 0;

	while (!bpf_map_get_next_key(procs_fd, prev, &next)) {
		struct proc_stat st;

		key = next;
		prev = &key;
		if (!proc_stat_read((pid_t)key, &st) && st.state == 'T' && !kill((pid_t)key, SIGCONT))
			n++;
	}
	return n;
}

static void close_all_but(int a, int b)
{
	int lo = a < b ? a : b, hi = a < b ? b : a;

	close_range(3, (unsigned)lo - 1, 0);
	close_range((unsigned)lo + 1, (unsigned)hi - 1, 0);
	close_range((unsigned)hi + 1, ~0U, 0);
}

static _Noreturn void guard_main(int rfd, int procs_fd)
{
	char b;
	ssize_t n;

	/* Ctrl-C and a closed terminal reach the guard too: lgtrace answers
	 * them by resuming the processes, so the guard just waits for its
	 * byte.  Only lgtrace's end of the pipe and what the guard reads may
	 * stay open: a BPF link kept here would outlive lgtrace, a command's
	 * hold pipe would never see EOF. */
	signal(SIGINT, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	prctl(PR_SET_NAME, "lgtrace-guard");
	close_all_but(rfd, procs_fd);
	do
		n = read(rfd, &b, 1);
	while (n < 0 && errno == EINTR);
	if (n == 0) {
		unsigned resumed = 0;

		/* lgtrace's descriptors close one by one as it dies: the pipe
		 * may close before the BPF link that stops processes at exec,
		 * and a SIGSTOP sent just before takes effect only when its
		 * task next returns to user space.  So look again for a second:
		 * by then the links are gone and every such stop has landed. */
		for (int i = 0; i < GUARD_SCANS; i++) {
			resumed += resume_all(procs_fd);
			if (i + 1 < GUARD_SCANS)
				sleep_ms(GUARD_SCAN_MS);
		}

		if (resumed)
			fprintf(stderr,
				"lgtrace: exited without resuming; its guard continued %u stopped "
				"process%s\n",
				resumed, resumed == 1 ? "" : "es");
	}
	_exit(0);
}

int guard_start(struct guard *g, int procs_fd)
{
	int p[2];
	pid_t pid;

	g->pid = 0;
	g->fd = -1;
	if (pipe2(p, O_CLOEXEC))
		return -errno;
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(p[0]);
		close(p[1]);
		return err;
	}
	if (pid == 0)
		guard_main(p[0], procs_fd);
	close(p[0]);
	g->pid = pid;
	g->fd = p[1];
	return 0;
}

void guard_stop(struct guard *g)
{
	char b = GUARD_QUIT;

	if (!g->pid)
		return;
	if (write(g->fd, &b, 1) != 1)
		kill(g->pid, SIGKILL); /* it would resume; lgtrace already did */
	close(g->fd);
	while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
		;
	g->pid = 0;
	g->fd = -1;
}
