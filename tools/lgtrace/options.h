/* SPDX-License-Identifier: MIT */
/*
 * lgtrace's command line: the options into struct lgtrace_opts.  Prints
 * nothing and never exits, so that it can be tested and fuzzed in-process
 * (tests/fuzz/fuzz_lgtrace_opts.c); lgtrace.c prints what it returns.
 */
#ifndef LGTRACE_OPTIONS_H
#define LGTRACE_OPTIONS_H

#include <stddef.h>

#include "session.h"

/* --bench-stride and --bench-slow-ns: lgbench's own bounds (bench/probes.c). */
#define LGTRACE_BENCH_STRIDE_MAX 4294967295U
#define LGTRACE_BENCH_SLOW_MAX	 3600000000000ULL

/* A message with any one argument in it (at most MAX_ARG_STRLEN bytes). */
#define LGTRACE_MSG_LEN (128 * 1024 + 128)

enum lgtrace_parse {
	LGTRACE_RUN = 0,      /* trace: O is filled */
	LGTRACE_HELP = 1,     /* -h/--help: print the usage and exit 0 */
	LGTRACE_VERSION = 2,  /* --version: print the version and exit 0 */
	LGTRACE_FEATURES = 3, /* --features: print what the kernel offers (O's btf_path, json) */
};

/*
 * Parse ARGV into O, whose fields hold the defaults on entry.  Options stop
 * at the first non-option (CMD's own options stay its own); O->cmd then
 * points into ARGV.  Returns an enum lgtrace_parse, or -EINVAL with the
 * reason in MSG (no "lgtrace:" prefix, no newline) for a usage error.  Uses
 * getopt_long() (resets optind): not thread-safe.
 */
int lgtrace_parse_args(int argc, char **argv, struct lgtrace_opts *o, char *msg, size_t len);

#endif
