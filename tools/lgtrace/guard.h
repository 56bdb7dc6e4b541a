/* SPDX-License-Identifier: MIT */
/*
 * The guard: a small child process that resumes the processes the BPF side
 * stopped (SIGSTOP at an exec, at the entry point) if lgtrace dies without
 * resuming them itself.  lgtrace resumes them on every exit it sees (the
 * end of the trace, Ctrl-C, SIGTERM, SIGHUP, -d); SIGKILL and crashes it
 * cannot see, and without the guard its command would stay stopped for
 * good.  The guard waits on a pipe whose other end only lgtrace holds: EOF
 * without the quit byte means lgtrace is gone.  It keeps only that pipe,
 * the procs map (to know the traced processes) and stderr.  Not
 * thread-safe.
 */
#ifndef LGTRACE_GUARD_H
#define LGTRACE_GUARD_H

#include <sys/types.h>

struct guard {
	pid_t pid; /* 0: none */
	int fd;	   /* lgtrace's end of the pipe */
};

/* Fork the guard over the procs map @procs_fd; 0 or -errno (pipe2, fork). */
int guard_start(struct guard *g, int procs_fd);
/* lgtrace resumed everything itself: let the guard exit, and reap it. */
void guard_stop(struct guard *g);

#endif /* LGTRACE_GUARD_H */
