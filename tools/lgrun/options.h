/* SPDX-License-Identifier: MIT */
/*
 * lgrun's command line: the options into struct options.  Prints nothing
 * and never exits, so that it can be tested and fuzzed in-process
 * (tests/fuzz/fuzz_lgrun_opts.c); lgrun.c prints what it returns.
 */
#ifndef LGRUN_OPTIONS_H
#define LGRUN_OPTIONS_H

#include <stddef.h>
#include <stdint.h>

enum mechanism {
	MECH_AUTO,
	MECH_SYSTEMD,
	MECH_V2,
	MECH_V1,
};

struct options {
	uint64_t memory;
	uint64_t swap; /* CG_NO_LIMIT: not set */
	uint64_t make_swap;
	const char *swap_dir;
	const char *parent;
	enum mechanism mech;
	int keep_going;
	int as_root;
	int quiet;
	char **cmd;
};

/* A message with any one argument in it (at most MAX_ARG_STRLEN bytes). */
#define LGRUN_MSG_LEN (128 * 1024 + 256)

enum lgrun_parse {
	LGRUN_RUN = 0,	   /* run: O is filled, O->cmd points into ARGV */
	LGRUN_HELP = 1,	   /* -h/--help: print the usage and exit 0 */
	LGRUN_VERSION = 2, /* --version: print the version and exit 0 */
};

/*
 * Parse ARGV into O (which it first sets to the defaults).  Returns an enum
 * lgrun_parse, or -EINVAL with the whole text lgrun prints on stderr for
 * that usage error in MSG ("lgrun: ...\n", with the "Try 'lgrun --help'"
 * line where it belongs); lgrun then exits 2.  Uses getopt_long() (resets
 * optind): not thread-safe.
 */
int lgrun_parse_options(struct options *o, int argc, char **argv, char *msg, size_t len);

#endif
