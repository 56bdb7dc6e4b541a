// SPDX-License-Identifier: MIT
/* lgrun's command line (options.h). */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "common/cgroup.h"
#include "common/parse.h"
#include "options.h"

/* "lgrun: " FMT (with ARG) and the line that points to --help. */
static int usage_error(char *msg, size_t len, const char *fmt, const char *arg)
{
	size_t n;

	snprintf(msg, len, "lgrun: ");
	n = strlen(msg);
	snprintf(msg + n, len - n, fmt, arg);
	n = strlen(msg);
	snprintf(msg + n, len - n, "\nTry 'lgrun --help' for more information.\n");
	return -EINVAL;
}

static int parse_size_arg(const char *opt, const char *arg, uint64_t *v, char *msg, size_t len)
{
	if (size_parse(arg, v) < 0) {
		snprintf(msg, len,
			 "lgrun: %s: bad size '%s' (want a number with an optional K, M, G or T suffix)\n",
			 opt, arg);
		return -EINVAL;
	}
	return 0;
}

int lgrun_parse_options(struct options *o, int argc, char **argv, char *msg, size_t len)
{
	enum {
		OPT_MAKE_SWAP = 256,
		OPT_SWAP_DIR,
		OPT_KEEP_GOING,
		OPT_AS_ROOT,
		OPT_MECH,
		OPT_PARENT,
		OPT_VERSION
	};
	static const struct option longopts[] = {
		{"memory", required_argument, NULL, 'm'},
		{"swap", required_argument, NULL, 's'},
		{"make-swap", required_argument, NULL, OPT_MAKE_SWAP},
		{"swap-dir", required_argument, NULL, OPT_SWAP_DIR},
		{"keep-going", no_argument, NULL, OPT_KEEP_GOING},
		{"as-root", no_argument, NULL, OPT_AS_ROOT},
		{"mechanism", required_argument, NULL, OPT_MECH},
		{"parent", required_argument, NULL, OPT_PARENT},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, OPT_VERSION},
		{NULL, 0, NULL, 0},
	};
	static const char *const mechs[] = {"auto", "systemd", "v2", "v1"};
	int c, have_memory = 0;
	unsigned int i;

	memset(o, 0, sizeof(*o));
	o->swap = CG_NO_LIMIT;
	o->swap_dir = "/var/tmp";
	opterr = 0;
	optind = 0; /* a full reset: the parse may run more than once */
	while ((c = getopt_long(argc, argv, "+:m:s:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (parse_size_arg("--memory", optarg, &o->memory, msg, len))
				return -EINVAL;
			have_memory = 1;
			break;
		case 's':
			if (strcmp(optarg, "max") && strcmp(optarg, "unlimited") &&
			    parse_size_arg("--swap", optarg, &o->swap, msg, len))
				return -EINVAL;
			break;
		case OPT_MAKE_SWAP:
			if (parse_size_arg("--make-swap", optarg, &o->make_swap, msg, len))
				return -EINVAL;
			if (!o->make_swap)
				return usage_error(msg, len, "--make-swap: the size must be above zero",
						   NULL);
			break;
		case OPT_SWAP_DIR:
			o->swap_dir = optarg;
			break;
		case OPT_KEEP_GOING:
			o->keep_going = 1;
			break;
		case OPT_AS_ROOT:
			o->as_root = 1;
			break;
		case OPT_MECH:
			for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]) && strcmp(optarg, mechs[i]); i++)
				;
			if (i == sizeof(mechs) / sizeof(mechs[0]))
				return usage_error(msg, len,
						   "--mechanism: '%s' is not one of auto, systemd, v2, v1",
						   optarg);
			o->mech = (enum mechanism)i;
			break;
		case OPT_PARENT:
			o->parent = optarg;
			break;
		case 'q':
			o->quiet = 1;
			break;
		case 'h':
			return LGRUN_HELP;
		case OPT_VERSION:
			return LGRUN_VERSION;
		case ':':
			return usage_error(msg, len, "option '%s' needs a value", argv[optind - 1]);
		default:
			if (optopt)
				return usage_error(msg, len, "unknown option '-%s'",
						   (char[]){(char)optopt, '\0'});
			return usage_error(msg, len, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (!have_memory)
		return usage_error(msg, len, "--memory SIZE is required", NULL);
	if (!o->memory)
		return usage_error(msg, len, "--memory: the limit must be above zero", NULL);
	if (optind >= argc)
		return usage_error(msg, len, "no command given", NULL);
	if (o->parent && o->mech == MECH_SYSTEMD)
		return usage_error(msg, len, "--parent does not go with --mechanism systemd", NULL);
	o->cmd = argv + optind;
	return LGRUN_RUN;
}
