/* SPDX-License-Identifier: MIT */
/*
 * Running a command as the invoking user: finding it in PATH, the sudo
 * user's credentials, fork + exec with a close-on-exec error pipe (so a
 * failed exec comes back to the parent as -errno, with the step that
 * failed), an optional hook run in the child before privileges are dropped
 * (lgrun: enter the cgroup), an optional hold (the child waits until
 * launch_release(), so a tracer can attach first: lgtrace), and the wait
 * status as an exit code.
 *
 * Nothing printed; errors are -errno, with a reason in WHY where one is
 * taken.  Meant for single-threaded callers: the child calls setenv() and
 * the credentials are read with getpwuid().
 */
#ifndef LG_COMMON_LAUNCH_H
#define LG_COMMON_LAUNCH_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/*
 * Find CMD as a shell would: a name with a slash as is, else the first
 * executable regular file in PATH (unset: /usr/local/bin:/usr/bin:/bin; an
 * empty entry is "."); the path goes to OUT (LEN bytes; CMD itself when not
 * found).  Returns 0, -ENOENT when not found, -EACCES when found but not an
 * executable regular file; for a name with a slash, stat's own error
 * (-ENOTDIR, -ELOOP, -EACCES, ...).
 */
int launch_resolve(const char *cmd, char *out, size_t len);

/* Who the command runs as. */
struct launch_creds {
	bool drop; /* switch to uid, gid and groups (else: stay as the caller) */
	uid_t uid;
	gid_t gid;
	gid_t *groups; /* the user's groups (just gid when the user has no passwd entry) */
	int ngroups;
	char *home; /* from the passwd entry; NULL when there is none */
	char *user;
};

/*
 * The credentials for SUDO_UID and SUDO_GID as given (NULL or empty
 * SUDO_UID: stay as the caller; uid 0: stay too).  Both must be decimal ids
 * when SUDO_UID is set.  Returns 0, -EINVAL with the reason in WHY, or
 * -ENOMEM.  Free with launch_creds_free().
 */
int launch_creds_parse(struct launch_creds *c, const char *sudo_uid, const char *sudo_gid, char *why,
		       size_t len);

/*
 * The credentials a tool run with sudo gives its command: those of
 * SUDO_UID/SUDO_GID from the environment when the real uid is 0, unless
 * AS_ROOT.  Returns as launch_creds_parse().
 */
int launch_creds_sudo(struct launch_creds *c, bool as_root, char *why, size_t len);

void launch_creds_free(struct launch_creds *c);

/* Set HOME, USER and LOGNAME from C's passwd entry (nothing when it has none).  For the child. */
void launch_set_user_env(const struct launch_creds *c);

/*
 * Become C's user: setgroups, setgid, setuid, then launch_set_user_env().
 * Nothing when C->drop is false.  For the child.  Returns 0 or -errno.
 */
int launch_drop_creds(const struct launch_creds *c);

/*
 * Reset every signal to its default action, except those in KEEP (may be
 * NULL), and unblock them all: signals as a fresh program expects them.
 * For the child.
 */
void launch_reset_signals(const sigset_t *keep);

/* The step of the child that failed. */
enum launch_stage {
	LAUNCH_STAGE_NONE,  /* nothing failed in the child (or the parent's fork/pipe did) */
	LAUNCH_STAGE_HOOK,  /* the hook returned an error */
	LAUNCH_STAGE_CREDS, /* dropping privileges */
	LAUNCH_STAGE_EXEC,  /* execv */
};

struct launch_opts {
	const char *path;		  /* the file to run (launch_resolve's result) */
	char *const *argv;		  /* its argv, NULL-terminated */
	const struct launch_creds *creds; /* NULL: run as the caller */
	/* Only set HOME/USER/LOGNAME of creds, keep the ids: the program run switches them itself
	 * (systemd-run --uid). */
	bool creds_env_only;
	/* Run in the child before dropping privileges; returns 0 or -errno. */
	int (*hook)(void *arg);
	void *hook_arg;
	const sigset_t *keep_signals; /* dispositions launch_reset_signals leaves alone */
	bool hold;		      /* the child waits for launch_release() before the hook */
};

struct launch {
	pid_t pid;		 /* the child; 0 once reaped after a failure */
	int go_fd;		 /* write end of the hold pipe; -1 when not held */
	int err_fd;		 /* read end of the error pipe; -1 once read */
	enum launch_stage stage; /* which step failed, after a failure in the child */
};

/*
 * Fork the command (stdio flushed first).  The child resets its signals,
 * waits for launch_release() when O->hold, runs the hook, drops to the
 * credentials and execs.  Without hold, returns once the exec succeeded or
 * failed.  Returns 0, or -errno: with L->stage LAUNCH_STAGE_NONE when the
 * pipe or fork failed, else the step of the child that failed (the child
 * is reaped then, and exited 126, 127 or 2: launch_stage_exit_code).
 */
int launch_start(struct launch *l, const struct launch_opts *o);

/* Let a held child go on, and return as launch_start() does without hold. */
int launch_release(struct launch *l);

/* Kill the child (SIGKILL, then SIGCONT for a stopped one), reap it and close the pipes. */
void launch_kill(struct launch *l);

/* waitpid(PID) retried after EINTR.  Returns 0 with the wait status in *STATUS, or -errno. */
int launch_wait(pid_t pid, int *status);

/* A wait status as a shell's exit code: the exit status, or 128+N after signal N (2 otherwise). */
int launch_exit_code(int status);

/*
 * The exit code after launch_start/launch_release failed with ERR at STAGE:
 * 127 when exec found no file (-ENOENT, -ENOTDIR), 126 when exec failed
 * otherwise, 2 (setup) for the other steps.
 */
int launch_stage_exit_code(enum launch_stage stage, int err);

#endif
