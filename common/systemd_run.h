/* SPDX-License-Identifier: MIT */
/*
 * systemd-run as a way to a memory cgroup: a transient scope with
 * MemoryMax/MemorySwapMax that runs a command (lgrun's preferred
 * mechanism).  Finding systemd-run, building its command line, and a quiet
 * trial run that says whether systemd gives a scope here.  Nothing printed;
 * errors are returned.
 */
#ifndef LG_COMMON_SYSTEMD_RUN_H
#define LG_COMMON_SYSTEMD_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/launch.h"

#define SYSTEMD_RUN_PROP_LEN 96

/* The scope to ask for. */
struct systemd_scope {
	const char *unit;		  /* "lgrun-1234.scope" */
	uint64_t memory;		  /* MemoryMax, bytes */
	uint64_t swap;			  /* MemorySwapMax; CG_NO_LIMIT: not set */
	bool user;			  /* --user: the caller's own systemd (not root) */
	const struct launch_creds *creds; /* with drop set: --uid and --gid; may be NULL */
};

/* A systemd-run command line; argv points into props. */
struct systemd_run_argv {
	char **argv; /* NULL-terminated, malloc'ed */
	char props[5][SYSTEMD_RUN_PROP_LEN];
};

/*
 * Where systemd-run is: OVERRIDE when it is set and not empty (a test's
 * stand-in), else systemd-run found through PATH when systemd is running
 * (/run/systemd/system exists).  Writes the path to BUF (LEN bytes) and
 * returns 0, or -ENOENT when systemd is not running or has no systemd-run.
 */
int systemd_run_find(const char *override, char *buf, size_t len);

/*
 * Build "SYSTEMD_RUN [--user] --scope --quiet --collect --unit=U
 * --property=MemoryMax=N [--property=MemorySwapMax=N] [--uid=U --gid=G] --
 * CMD ARGS..." in A.  ARGS is NULL-terminated (CMD's arguments after its
 * name).  Returns 0, or -ENOMEM; free with systemd_run_argv_free().
 */
int systemd_run_argv(struct systemd_run_argv *a, const char *systemd_run, const struct systemd_scope *s,
		     const char *cmd, char *const *args);
void systemd_run_argv_free(struct systemd_run_argv *a);

/*
 * Does systemd-run give a scope with S's limits here?  Runs "true" in one,
 * with stdin, stdout and stderr from /dev/null, signals reset but for KEEP
 * (may be NULL).  Returns 0 when it did, -ECANCELED when systemd-run ran and
 * failed, or the error starting it (-errno).
 */
int systemd_run_probe(const char *systemd_run, const struct systemd_scope *s, const sigset_t *keep);

#endif
