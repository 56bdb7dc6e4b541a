/* SPDX-License-Identifier: MIT */
/*
 * A traced process tree (-- CMD, -p PID --follow, --cgroup): the table of
 * the processes seen, kept up to date from the BPF side's events (fork,
 * exec, entry stop, exit) and the area lookups each needs: after an exec
 * its registry and libraries are looked for again; with stops, while it
 * waits (SIGSTOP from the BPF side, SIGCONT from here).  Prints what goes
 * wrong.  Not thread-safe.
 */
#ifndef LGTRACE_TREE_H
#define LGTRACE_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "report.h"
#include "target.h"

struct ring_buffer;

/* Events handled per tree_poll() at most: a tree that execs in a loop makes
 * them as fast as they are handled, and libbpf's poll returns only once the
 * ring is empty. */
#define POLL_EVENTS 256

struct tree_proc {
	struct tproc tp;
	pid_t ppid; /* the traced parent that forked it; 0 if none */
	char comm[16];
	bool exited;	    /* its exit was seen */
	bool folded;	    /* its counts were read and its map entry deleted */
	bool rescan;	    /* look for its areas at the next tick */
	unsigned exit_tick; /* the tick its exit was seen at */
	unsigned long long faults, major, swapins;
	unsigned long long exit_minflt, exit_majflt; /* the kernel's, at its exit (0: not seen) */
};

struct tree {
	struct target *t;
	struct ring_buffer *rb;
	struct tree_proc *v;
	size_t n, cap;
	size_t live;		  /* processes not seen to exit */
	unsigned tick;		  /* tree_tick() calls */
	unsigned long long stops; /* SIGSTOPs answered */
	unsigned polled;	  /* events handled in this tree_poll() */
	bool enomem;		  /* a process could not be added to the table */
};

/* Open the BPF side's event ring buffer; 0 or -1 after a message. */
int tree_init(struct tree *tr, struct target *t);
/*
 * Trace @pid (and its descendants from now on), with its areas as they are;
 * nothing if it is in the table and alive.  0, -ENOSPC when the process map
 * is full, -ENOMEM, or -errno of the map update.
 */
int tree_add(struct tree *tr, pid_t pid);
/* Handle the events of up to @timeout_ms, at most POLL_EVENTS (then
 * tr->polled says so); 0 or -errno (-EINTR on a signal). */
int tree_poll(struct tree *tr, int timeout_ms);
/* Every tick: registries read, areas looked for again, once a second
 * processes checked for life (an event lost), counts of exited ones folded. */
void tree_tick(struct tree *tr);
/* The per-process counts of every process, read one last time. */
void tree_finish(struct tree *tr);
/* The process with PID @pid, the latest if several, or NULL. */
struct tree_proc *tree_find(struct tree *tr, pid_t pid);
/* The table as report rows (malloc'ed, @n rows; NULL when empty or out of memory). */
struct proc_row *tree_rows(const struct tree *tr, size_t *n);
void tree_free(struct tree *tr);

#endif /* LGTRACE_TREE_H */
