/* SPDX-License-Identifier: MIT */
/*
 * One trace, from start to report: start the command (or check the PID),
 * load and attach the BPF programs, follow the target until it ends, -d
 * passes or SIGINT/SIGTERM/SIGHUP arrives, then print the summary (table or
 * JSON) with the kernel's own counts beside it.
 */
#ifndef LGTRACE_SESSION_H
#define LGTRACE_SESSION_H

#include <stdbool.h>
#include <sys/types.h>

/* What the command line asked for (lgtrace.c fills it). */
struct lgtrace_opts {
	pid_t pid;			  /* -p; 0 with a command */
	char **cmd;			  /* -- CMD ARGS; NULL with -p */
	double interval;		  /* -i, seconds; 0: no interval tables */
	double duration;		  /* -d, seconds; 0: until the target ends */
	bool hists;			  /* -H */
	bool json;			  /* --json */
	bool as_root;			  /* --as-root: CMD keeps root */
	bool verbose;			  /* -v: libbpf debug output */
	unsigned latency_sample;	  /* -s: time one fault in N per thread */
	const char *btf_path;		  /* --btf */
	bool follow;			  /* -f: with -p, its descendants started after the attach too */
	const char *cgroup;		  /* --cgroup PATH: every process of that cgroup; NULL if not */
	bool per_process;		  /* --per-process: the breakdown per process even for one */
	bool bench;			  /* --bench: lgbench's rows, their kernel work and tail causes */
	bool counts_only;		  /* --counts-only: one program per fault, at its entry */
	unsigned bench_stride;		  /* --bench-stride: op_end on every N-th operation of a thread */
	unsigned long long bench_slow_ns; /* --bench-slow-ns: and on every operation >= NS; 0: none */
};

/*
 * Run the trace O describes.  Messages go to stderr, the report to stdout.
 * Returns lgtrace's exit status: the command's (128+N after signal N) when
 * it ended by itself, else 0 after -d, 128+N after signal N, 1 when
 * tracing could not start, 2 on a setup error of the command, 126/127 when
 * it cannot be executed.  Not reentrant: one session per process.
 */
int session_run(const struct lgtrace_opts *o);

#endif
