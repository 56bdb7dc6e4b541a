// SPDX-License-Identifier: MIT
/* lgtrace's command line (options.h). */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>

#include "common/parse.h"
#include "options.h"

__attribute__((format(printf, 3, 4))) static int usage_error(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

int lgtrace_parse_args(int argc, char **argv, struct lgtrace_opts *o, char *msg, size_t len)
{
	enum {
		OPT_AS_ROOT = 256,
		OPT_BTF,
		OPT_VERSION,
		OPT_FEATURES,
		OPT_CGROUP,
		OPT_PER_PROCESS,
		OPT_BENCH,
		OPT_BENCH_STRIDE,
		OPT_BENCH_SLOW,
		OPT_COUNTS_ONLY,
	};
	static const struct option opts[] = {
		{"pid", required_argument, NULL, 'p'},
		{"interval", required_argument, NULL, 'i'},
		{"duration", required_argument, NULL, 'd'},
		{"histograms", no_argument, NULL, 'H'},
		{"json", no_argument, NULL, 'j'},
		{"as-root", no_argument, NULL, OPT_AS_ROOT},
		{"btf", required_argument, NULL, OPT_BTF},
		{"features", no_argument, NULL, OPT_FEATURES},
		{"verbose", no_argument, NULL, 'v'},
		{"version", no_argument, NULL, OPT_VERSION},
		{"help", no_argument, NULL, 'h'},
		{"latency-sample", required_argument, NULL, 's'},
		{"follow", no_argument, NULL, 'f'},
		{"cgroup", required_argument, NULL, OPT_CGROUP},
		{"per-process", no_argument, NULL, OPT_PER_PROCESS},
		{"bench", no_argument, NULL, OPT_BENCH},
		{"bench-stride", required_argument, NULL, OPT_BENCH_STRIDE},
		{"bench-slow-ns", required_argument, NULL, OPT_BENCH_SLOW},
		{"counts-only", no_argument, NULL, OPT_COUNTS_ONLY},
		{},
	};
	unsigned long v;
	bool features = false, bench_opt = false;
	int c;

	opterr = 0;
	optind = 0; /* a full reset: the parse may run more than once */
	/* '+': stop at the first non-option, CMD's own options stay its own. */
	while ((c = getopt_long(argc, argv, "+:p:i:d:s:Hjvhf", opts, NULL)) != -1) {
		switch (c) {
		case 'p':
			if (parse_ulong(optarg, 1, INT_MAX, &v))
				return usage_error(msg, len, "-p: '%s' is not a process ID", optarg);
			o->pid = (pid_t)v;
			break;
		case 'i':
			if (parse_seconds(optarg, 1e7, &o->interval))
				return usage_error(msg, len, "%s: '%s' is not a positive number of seconds",
						   "-i", optarg);
			break;
		case 'd':
			if (parse_seconds(optarg, 1e7, &o->duration))
				return usage_error(msg, len, "%s: '%s' is not a positive number of seconds",
						   "-d", optarg);
			break;
		case 'H':
			o->hists = true;
			break;
		case 'f':
			o->follow = true;
			break;
		case OPT_CGROUP:
			if (!*optarg)
				return usage_error(msg, len, "--cgroup: an empty path");
			o->cgroup = optarg;
			break;
		case OPT_PER_PROCESS:
			o->per_process = true;
			break;
		case OPT_BENCH:
			o->bench = true;
			break;
		case OPT_COUNTS_ONLY:
			o->counts_only = true;
			break;
		case OPT_BENCH_STRIDE:
			if (parse_ulong(optarg, 1, LGTRACE_BENCH_STRIDE_MAX, &v))
				return usage_error(msg, len,
						   "--bench-stride: '%s' is not a number from 1 to %u",
						   optarg, LGTRACE_BENCH_STRIDE_MAX);
			o->bench_stride = (unsigned)v;
			bench_opt = true;
			break;
		case OPT_BENCH_SLOW:
			if (parse_ulong(optarg, 0, LGTRACE_BENCH_SLOW_MAX, &v))
				return usage_error(
					msg, len,
					"--bench-slow-ns: '%s' is not a number of nanoseconds from 0 "
					"(none) to %llu",
					optarg, (unsigned long long)LGTRACE_BENCH_SLOW_MAX);
			o->bench_slow_ns = v;
			bench_opt = true;
			break;
		case 's':
			if (parse_ulong(optarg, 1, 1000000, &v))
				return usage_error(msg, len,
						   "--latency-sample: '%s' is not a number from 1 to 1000000",
						   optarg);
			o->latency_sample = (unsigned)v;
			break;
		case 'j':
			o->json = true;
			break;
		case OPT_AS_ROOT:
			o->as_root = true;
			break;
		case OPT_FEATURES:
			features = true;
			break;
		case OPT_BTF:
			o->btf_path = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case OPT_VERSION:
			return LGTRACE_VERSION;
		case 'h':
			return LGTRACE_HELP;
		case ':':
			return usage_error(msg, len, "option '%s' needs an argument", argv[optind - 1]);
		default:
			return usage_error(msg, len, "unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		o->cmd = &argv[optind];
	if (features)
		return o->pid || o->cmd || o->cgroup ? usage_error(msg, len, "--features takes no target")
						     : LGTRACE_FEATURES;
	if (bench_opt && !o->bench)
		return usage_error(msg, len, "--bench-stride and --bench-slow-ns need --bench");
	if (o->follow && !o->pid)
		return usage_error(msg, len,
				   "--follow needs -p PID (a command's descendants are always followed)");
	if (o->cgroup && (o->pid || o->cmd))
		return usage_error(msg, len, "give one of -p PID, --cgroup PATH or -- CMD");
	if (o->cgroup)
		return LGTRACE_RUN;
	if (!o->pid == !o->cmd)
		return usage_error(msg, len, "%s",
				   o->pid ? "give either -p PID or a command, not both"
					  : "give -p PID, --cgroup PATH or -- CMD");
	return LGTRACE_RUN;
}
