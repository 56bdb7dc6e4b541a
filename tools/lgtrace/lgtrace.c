// SPDX-License-Identifier: MIT
/*
 * lgtrace: page faults, swap-ins, swap-outs, mmap_lock waits, io_uring
 * madvise requests and how the faults after prefetch hints went, of one
 * process, per lgalloc pool (size class), from CO-RE BPF programs
 * (bpf/lgtrace.bpf.c).
 *
 *   sudo lgtrace -p PID [-f] [-i SEC] [-d SEC] [-H] [--json]
 *   sudo lgtrace [options] --cgroup PATH
 *   sudo lgtrace [options] -- CMD ARGS
 *
 * Pool attribution needs the address ranges of lgalloc's areas: the
 * lgalloc:area_map USDT probe reports the ones mapped while lgtrace is
 * attached, the library's area registry (read from the target with
 * process_vm_readv) the ones mapped before.  A command is started gated:
 * forked, held on a pipe until the tracepoints are attached, then stopped
 * at its ELF entry point by a uprobe (libraries loaded, main not yet run)
 * while the USDT probe is attached to whatever liblgalloc it loaded.
 *
 * This file: main and the usage text; options.c parses the command line,
 * session.c runs the trace, target.c finds the target and attaches to it,
 * tree.c follows a process tree,
 * loader.c loads the BPF programs, report.c prints.
 */
#include <stdio.h>

#include <jansson.h>

#include "common/exit_codes.h"
#include "common/json.h"
#include "loader.h"
#include "log.h"
#include "options.h"

/* One minor fault in 16 timed: a clock read costs ~70 ns on a VM, a 4 KiB
 * fault ~2 us; timing each one alone would cost 5-7%. */
#define DEFAULT_LATENCY_SAMPLE 16

/* --bench's selection: one uprobe hit costs ~1.2 us here (docs/tracing.md,
 * "lgtrace --bench"); a 50 ns operation pays 1.2 us / (4096 * 50 ns) = 0.6%
 * for the stride, an operation of 100 us or more 1.2% for itself. */
#define DEFAULT_BENCH_STRIDE  4096
#define DEFAULT_BENCH_SLOW_NS 100000

static struct lgtrace_opts env = {.btf_path = DEFAULT_BTF,
				  .latency_sample = DEFAULT_LATENCY_SAMPLE,
				  .bench_stride = DEFAULT_BENCH_STRIDE,
				  .bench_slow_ns = DEFAULT_BENCH_SLOW_NS};

static const char usage_text[] =
	"Usage: lgtrace [OPTIONS] -p PID [-f]\n"
	"       lgtrace [OPTIONS] --cgroup PATH\n"
	"       lgtrace [OPTIONS] -- CMD [ARGS...]\n"
	"       lgtrace --features [--json] [--btf PATH]\n"
	"\n"
	"Trace the page faults, swap-ins, swap-outs, mmap_lock waits,\n"
	"io_uring madvise requests and the faults after prefetch hints (minor: in\n"
	"time, major: too late), per lgalloc pool (size class 2M..64G, \"other\",\n"
	"\"mmap/munmap\") of a command and every process it starts, of a\n"
	"process (and with -f what it starts), or of a cgroup's processes.\n"
	"\n"
	"  -p, --pid PID          trace a running process (all its threads)\n"
	"  -f, --follow           with -p: also the processes it starts from now on\n"
	"      --cgroup PATH      trace every process of a cgroup (v1 or v2) and what\n"
	"                         they start, until the cgroup is removed\n"
	"      --per-process      a row per process even when one process faulted\n"
	"      --bench            lgbench's rows: its ops/s, p50, p99, the kernel's work\n"
	"                         per operation and the causes of the operations over\n"
	"                         p99 (swap-in, major fault, mmap_lock wait, off-CPU,\n"
	"                         minor faults, none); lgbench must be in the trace\n"
	"      --bench-stride N   --bench: report every N-th operation of each lgbench\n"
	"                         thread (default 4096)\n"
	"      --bench-slow-ns NS --bench: and every operation of NS ns or more\n"
	"                         (default 100000; 0: none)\n"
	"      --counts-only      the cheapest trace: faults counted at their entry\n"
	"                         (one program per fault), no latency, major/minor\n"
	"                         split, swap-in, mmap_lock or io_uring figures\n"
	"  -i, --interval SEC     print a table every SEC seconds\n"
	"  -d, --duration SEC     stop after SEC seconds (a command is sent SIGTERM)\n"
	"  -H, --histograms       print the log2 latency histograms\n"
	"  -s, --latency-sample N time one fault in N per thread (default 16; 1: every\n"
	"                         fault; counts are exact either way, faults that\n"
	"                         read from swap or a file are always timed)\n"
	"  -j, --json             write the summary as one JSON document\n"
	"      --as-root          run CMD as root, not as SUDO_UID/SUDO_GID\n"
	"      --features         print what this kernel offers (each feature, the\n"
	"                         tracepoints behind it, or why it is n/a) and exit\n"
	"      --btf PATH         kernel BTF to use (default " DEFAULT_BTF ")\n"
	"  -v, --verbose          libbpf debug output\n"
	"      --version          print the version\n"
	"  -h, --help             this help\n"
	"\n"
	"Needs root (or CAP_BPF and CAP_PERFMON) and a kernel with BTF.\n"
	"\n"
	"Examples:\n"
	"  sudo lgtrace -p 1234                 # until Ctrl-C or the process exits\n"
	"  sudo lgtrace -p 1234 -i 1 -d 10      # a table per second for 10 s\n"
	"  sudo lgtrace -H -- ./bench --threads 4\n"
	"  sudo lgtrace -s 1 -H -- ./bench      # time every fault, not 1 in 16\n"
	"  sudo lgtrace --json -- ./bench > trace.json\n"
	"  sudo lgtrace -- make bench              # make and all it starts\n"
	"  sudo lgtrace -p 1234 -f                 # 1234 and what it starts\n"
	"  sudo lgtrace --cgroup /sys/fs/cgroup/lgrun-1234\n"
	"  sudo lgtrace --bench -- lgbench --threads 1,2  # a block per row\n";

/* --features: the tracepoint features as loader_open() would choose them. */
static int print_features(void)
{
	struct loader_opts lo = {.btf_path = env.btf_path, .verbose = env.verbose};
	bool have[NUM_FEATURES];
	const char *const *why;
	json_t *doc, *feats;
	int err = 0;

	if (loader_check(&lo) || loader_probe(have, &lo))
		return 1;
	why = loader_feature_reasons();
	if (!env.json) {
		printf("kernel BTF: %s\n", env.btf_path);
		for (int f = FEAT_FAULTS; f <= FEAT_LAST_TP; f++)
			printf("%-18s %-3s %s\n", feature_names[f], have[f] ? "yes" : "n/a",
			       have[f] ? loader_feature_source(f) : why[f]);
		return fflush(stdout) ? 1 : 0;
	}
	feats = json_object();
	for (int f = FEAT_FAULTS; feats && f <= FEAT_LAST_TP; f++) {
		const char *src = loader_feature_source(f);

		if (json_object_set_new(feats, feature_names[f],
					json_pack("{sb so so}", "available", have[f], "source",
						  src ? lg_json_string(src) : json_null(), "reason",
						  why[f] ? lg_json_string(why[f]) : json_null()))) {
			json_decref(feats);
			feats = NULL;
		}
	}
	doc = json_pack("{so so}", "btf", lg_json_string(env.btf_path), "features", feats);
	if (!doc || lg_json_dump(doc, stdout) || fputc('\n', stdout) == EOF || fflush(stdout))
		err = 1;
	if (err)
		lgt_warn("cannot write the features: %s", doc ? "write error" : "out of memory");
	json_decref(doc);
	return err;
}

int main(int argc, char **argv)
{
	static char msg[LGTRACE_MSG_LEN];

	switch (lgtrace_parse_args(argc, argv, &env, msg, sizeof(msg))) {
	case LGTRACE_RUN:
		return session_run(&env);
	case LGTRACE_HELP:
		fputs(usage_text, stdout);
		return 0;
	case LGTRACE_FEATURES:
		return print_features();
	case LGTRACE_VERSION:
		puts("lgtrace " LG_VERSION);
		return 0;
	default:
		fprintf(stderr, "lgtrace: %s\nTry 'lgtrace --help'.\n", msg);
		return EXIT_USAGE;
	}
}
