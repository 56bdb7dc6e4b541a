/* SPDX-License-Identifier: MIT */
/*
 * lgtrace's own copies of the helpers that the shared helper layer
 * (common/) is to hold: launching the command as the invoking user,
 * /proc/PID/stat, time, parsing.  They return errors; lgtrace prints them.
 */
#ifndef LGTRACE_HELPERS_H
#define LGTRACE_HELPERS_H

#include <limits.h>
#include <stdbool.h>
#include <sys/types.h>

#define EXIT_USAGE    2
#define EXIT_NOEXEC   126
#define EXIT_NOTFOUND 127

/* A command forked and held until command_release(). */
struct command {
	pid_t pid;
	int go_fd;  /* write end: releases the child */
	int err_fd; /* read end: errno of a failed exec, EOF on success */
	char path[PATH_MAX];
};

/* The file execvp() would run, in @out (PATH_MAX bytes); 0 or -errno. */
int resolve_command(const char *name, char *out);
/* Fork @argv (c->path resolved), held until command_release(); as the
 * sudo user (SUDO_UID/SUDO_GID) unless @as_root.  0 or -errno. */
int command_start(struct command *c, char *const argv[], bool as_root);
/* Let it exec: 0, -EPIPE if it is gone, or -errno of its failed exec
 * (then it is reaped). */
int command_release(struct command *c);
/* SIGKILL and reap, if it runs. */
void command_kill(struct command *c);
/* A wait status as an exit status: the code, or 128 + the signal. */
int wait_exit_code(int status);

/* State ('R', 'Z', ...) and fault counts from /proc/PID/stat (either
 * count pointer may be NULL); 0 or -errno. */
int proc_stat(pid_t pid, char *state, unsigned long long *minflt, unsigned long long *majflt);

/* CLOCK_MONOTONIC in seconds. */
double now_s(void);
/* Sleep @ms; a signal cuts it short (the caller checks). */
void sleep_ms(long ms);

/* A positive number of seconds, at most 1e7; 0 or -EINVAL. */
int parse_seconds(const char *s, double *out);
/* Whether @word is an item of the comma-separated @list (NULL: none). */
bool in_list(const char *list, const char *word);

#endif /* LGTRACE_HELPERS_H */
