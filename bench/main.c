// SPDX-License-Identifier: MIT
/* lgbench: command line and mode dispatch. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/parse.h"
#include "lgalloc.h"
#include "lgbench.h"
#include "output.h"
#include "probes.h"
#include "rows.h"
#include "util.h"

#define MAX_THREADS 1024

enum mode { MODE_THROUGHPUT, MODE_PAGING, MODE_SWEEP, MODE_CAUSES };

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lgbench [MODE] [OPTIONS]\n"
		"Benchmarks lgalloc against the system allocator, raw mmap, peer allocators and an\n"
		"ideal pool.  Each operation is timed on its own; warm-up samples are excluded.\n"
		"\n"
		"Modes:\n"
		"  (default)            throughput: every row at every thread count\n"
		"                       (2 MiB allocate + free, +touch: one write per 4 KiB page)\n"
		"  -p, --paging         allocate 3x the memory limit (or --total-mib) through lgalloc,\n"
		"                       random 4 KiB reads, then realloc+touch from the swapped pool\n"
		"  -r, --ratio-sweep    the guide's read strategies (madvise, prefetch thread,\n"
		"                       WILLNEED batches) and realloc+touch over --total-mib\n"
		"  -c, --causes         one row per kernel cause of a slow operation (minor_fault,\n"
		"                       mmap_lock, swapin, off_cpu): one operation in 10 meets the\n"
		"                       row's cause, the others are fast and fault-free (swapin\n"
		"                       needs active swap; default threads 1)\n"
		"\n"
		"Options:\n"
		"  -t, --threads LIST   thread counts, e.g. 1,2,4 (default: throughput 1,2,4,8,16;\n"
		"                       paging 1,4; ratio sweep: the guide's per strategy)\n"
		"  -w, --warmup-ms N    warm-up per row, not recorded (default 1000)\n"
		"  -m, --measure-ms N   measured window per row (default 5000)\n"
		"  -T, --total-mib N    working set of --paging and --ratio-sweep\n"
		"                       (default: 3x the memory limit)\n"
		"  -R, --rows LIST      throughput rows, ratio-sweep strategies or --causes rows to\n"
		"                       run, e.g. lgalloc,ideal-pool (default: all)\n"
		"  -n, --repeat N       throughput: run the rows N times per thread count, in\n"
		"                       interleaved rounds (row A, B, A, B, ...), 1..1000\n"
		"                       (default 1); records carry their round\n"
		"  -l, --list-rows      print the throughput rows (with --ratio-sweep: the\n"
		"                       strategies; with --causes: its rows) and exit\n"
		"  -f, --format FMT     human (default), csv or json; csv and json carry every figure\n"
		"                       and the run's settings in each record\n"
		"  -o, --csv-out FILE   also write the records as CSV to FILE\n"
		"  -P, --prefetch-mode M\n"
		"                       auto (default), sync or uring: lgalloc's prefetch_mode for\n"
		"                       the rand+uring hints (sync: direct madvise)\n"
		"  -D, --ring-depth N   SQ entries of each reader's io_uring, 1..4096 (default 256,\n"
		"                       or the hints ahead plus one submit's worth if more)\n"
		"  -A, --uring-ahead N  pages rand+uring-ahead hints ahead, 1..4000 (default 32;\n"
		"                       the row is then named rand+uring-aheadN)\n"
		"  -W, --prefetch-workers N\n"
		"                       lgalloc's prefetch_workers: io-wq workers per reader, 1..128\n"
		"                       (default 0: the kernel's, 4 per CPU); rows named ...-wN\n"
		"  -N, --no-wait        rand+uring readers touch each page without waiting for its\n"
		"                       hint (lgalloc_prefetch_wait); rows named ...-nowait\n"
		"  -h, --help           this help\n"
		"  -V, --version        print lgbench's version (lgalloc's) and exit\n"
		"\n"
		"The memory limit comes from the cgroup (v2 memory.max, v1 memory.limit_in_bytes).\n"
		"Run paging modes under a limit, e.g.: lgrun --memory 512M --swap 4G -- lgbench --paging\n");
}

static int parse_threads(const char *arg, struct thread_list *tl)
{
	char buf[256], *save = NULL, *tok;

	if (snprintf(buf, sizeof(buf), "%s", arg) >= (int)sizeof(buf))
		return -1;
	tl->len = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		unsigned long n;

		if (tl->len == MAX_THREAD_COUNTS || parse_ulong(tok, 1, MAX_THREADS, &n))
			return -1;
		tl->n[tl->len++] = (unsigned)n;
	}
	return tl->len ? 0 : -1;
}

/* Whether @name is a row of @mode (a strategy of the ratio sweep). */
static bool has_row(enum mode mode, const char *name)
{
	if (mode == MODE_CAUSES)
		return causes_has_row(name);
	return mode == MODE_SWEEP ? sweep_has_step(name) : row_find(name) != NULL;
}

/* Every name of @list is a row of @mode. */
static int check_rows(const char *list, enum mode mode)
{
	char buf[1024], *save = NULL, *tok;

	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf))
		return -1;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!has_row(mode, tok)) {
			fprintf(stderr, "lgbench: unknown %s '%s' (see --list-rows)\n",
				mode == MODE_SWEEP ? "strategy" : "row", tok);
			return -1;
		}
	}
	return 0;
}

static void list_rows(enum mode mode)
{
	const struct row *rows[64];
	size_t n = rows_all(rows, ARRAY_SIZE(rows));

	if (mode == MODE_CAUSES) {
		causes_list_rows();
		return;
	}
	if (mode == MODE_SWEEP) {
		sweep_list_steps();
		return;
	}
	for (size_t i = 0; i < n; i++)
		printf("%s\n", rows[i]->name);
}

const struct thread_list *threads_or(const struct bench_opts *o, const struct thread_list *defaults)
{
	return o->threads.len ? &o->threads : defaults;
}

/* Option values by name, in the order of their enums. */
static const char *const formats[] = {[OUT_HUMAN] = "human", [OUT_CSV] = "csv", [OUT_JSON] = "json"};
static const char *const prefetch_modes[] = {
	[LGALLOC_PREFETCH_AUTO] = "auto",
	[LGALLOC_PREFETCH_SYNC] = "sync",
	[LGALLOC_PREFETCH_URING] = "uring",
};

/* The index of @arg in @names, or -1. */
static int choice(const char *arg, const char *const names[], size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(arg, names[i]))
			return (int)i;
	return -1;
}

static int bad_option(const char *fmt, const char *arg)
{
	fprintf(stderr, "lgbench: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\nTry 'lgbench --help'.\n");
	return 2;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"threads", required_argument, NULL, 't'},
		{"warmup-ms", required_argument, NULL, 'w'},
		{"measure-ms", required_argument, NULL, 'm'},
		{"paging", no_argument, NULL, 'p'},
		{"ratio-sweep", no_argument, NULL, 'r'},
		{"causes", no_argument, NULL, 'c'},
		{"total-mib", required_argument, NULL, 'T'},
		{"rows", required_argument, NULL, 'R'},
		{"list-rows", no_argument, NULL, 'l'},
		{"repeat", required_argument, NULL, 'n'},
		{"format", required_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{"csv-out", required_argument, NULL, 'o'},
		{"prefetch-mode", required_argument, NULL, 'P'},
		{"ring-depth", required_argument, NULL, 'D'},
		{"uring-ahead", required_argument, NULL, 'A'},
		{"prefetch-workers", required_argument, NULL, 'W'},
		{"no-wait", no_argument, NULL, 'N'},
		{NULL, 0, NULL, 0},
	};
	struct run_env env = {.warmup_ms = 1000, .measure_ms = 5000};
	struct bench_opts o = {.env = &env};
	enum out_format fmt = OUT_HUMAN;
	enum mode mode = MODE_THROUGHPUT;
	struct lgalloc_config cfg;
	const char *csv_path = NULL;
	int prefetch_mode = -1;
	bool list = false;
	FILE *csv = NULL;
	unsigned long v;
	int c, err;

	peers_reserve_tls(argv);
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":t:w:m:prcT:R:n:lf:o:P:D:A:W:NhV", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			if (parse_threads(optarg, &o.threads))
				return bad_option(
					"--threads wants a comma-separated list of counts in 1..1024, "
					"not '%s'",
					optarg);
			break;
		case 'w':
		case 'm':
			if (parse_ulong(optarg, c == 'm', 3600000, &v))
				return bad_option(
					c == 'w' ? "--warmup-ms wants milliseconds in 0..3600000, not '%s'"
						 : "--measure-ms wants milliseconds in 1..3600000, not '%s'",
					optarg);
			*(c == 'w' ? &env.warmup_ms : &env.measure_ms) = v;
			break;
		case 'p':
		case 'r':
		case 'c':
			if (mode != MODE_THROUGHPUT)
				return bad_option("%s",
						  "--paging, --ratio-sweep and --causes exclude each other");
			mode = c == 'p' ? MODE_PAGING : c == 'r' ? MODE_SWEEP : MODE_CAUSES;
			break;
		case 'T':
			if (parse_ulong(optarg, 1, 1UL << 26, &env.total_mib))
				return bad_option("--total-mib wants a size in MiB, not '%s'", optarg);
			break;
		case 'R':
			o.rows = optarg;
			break;
		case 'l':
			list = true;
			break;
		case 'n':
			if (parse_ulong(optarg, 1, 1000, &o.repeat))
				return bad_option("--repeat wants a count in 1..1000, not '%s'", optarg);
			break;
		case 'f':
			if ((c = choice(optarg, formats, ARRAY_SIZE(formats))) < 0)
				return bad_option("--format is human, csv or json, not '%s'", optarg);
			fmt = (enum out_format)c;
			break;
		case 'o':
			csv_path = optarg;
			break;
		case 'P':
			if ((prefetch_mode = choice(optarg, prefetch_modes, ARRAY_SIZE(prefetch_modes))) < 0)
				return bad_option("--prefetch-mode is auto, sync or uring, not '%s'", optarg);
			break;
		case 'D':
			if (parse_ulong(optarg, 1, 4096, &v))
				return bad_option("--ring-depth wants entries in 1..4096, not '%s'", optarg);
			env.ring_depth = (long)v;
			break;
		case 'A':
			if (parse_ulong(optarg, 1, 4000, &env.uring_ahead))
				return bad_option("--uring-ahead wants pages in 1..4000, not '%s'", optarg);
			break;
		case 'W':
			if (parse_ulong(optarg, 0, 128, &v))
				return bad_option("--prefetch-workers wants a count in 0..128, not '%s'",
						  optarg);
			env.prefetch_workers = (long)v;
			break;
		case 'N':
			env.no_wait = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			puts("lgbench " LG_VERSION);
			return 0;
		case ':':
			return bad_option("option '%s' needs an argument", argv[optind - 1]);
		default:
			return bad_option("unknown option '%s'", argv[optind - 1]);
		}
	}
	if (optind < argc)
		return bad_option("unexpected argument '%s'", argv[optind]);
	const char *probe_err = probes_init_from_env();
	if (probe_err) {
		fprintf(stderr, "lgbench: %s\n", probe_err);
		return 2;
	}
	if (list) {
		list_rows(mode);
		return 0;
	}
	if (env.total_mib && (mode == MODE_THROUGHPUT || mode == MODE_CAUSES))
		return bad_option("%s", "--total-mib applies to --paging and --ratio-sweep");
	if (o.repeat && mode != MODE_THROUGHPUT)
		return bad_option("%s", "--repeat applies to the throughput mode");
	if (o.rows && mode == MODE_PAGING)
		return bad_option("%s", "--rows applies to the throughput and ratio-sweep modes");
	if (o.rows && check_rows(o.rows, mode))
		return bad_option("bad --rows list '%s'", o.rows);

	lgalloc_config_init(&cfg);
	cfg.enabled = 1;
	cfg.prefetch_mode = prefetch_mode;
	/* LGALLOC_CHECKED=1 must not slow the other rows: checked mode has a
	 * row of its own, lgalloc(checked). */
	cfg.checked = 0;
	err = lgalloc_configure(&cfg);
	if (err) {
		fprintf(stderr, "lgbench: cannot enable lgalloc: %s\n", lgalloc_strerror(err));
		return 1;
	}
	if (csv_path && !(csv = fopen(csv_path, "we"))) {
		fprintf(stderr, "lgbench: cannot create %s: %m\n", csv_path);
		return 1;
	}
	env_detect(&env);
	output_init(fmt, &env, csv);
	switch (mode) {
	case MODE_THROUGHPUT:
		err = throughput_run(&o);
		break;
	case MODE_PAGING:
		err = paging_run(&o);
		break;
	case MODE_SWEEP:
		err = sweep_run(&o);
		break;
	case MODE_CAUSES:
		err = causes_run(&o);
		break;
	}
	output_finish();
	if (csv && fclose(csv)) {
		fprintf(stderr, "lgbench: writing %s: %m\n", csv_path);
		err = 1;
	}
	return err ? 1 : 0;
}
