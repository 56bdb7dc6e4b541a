// SPDX-License-Identifier: MIT
/*
 * lgtrace: page faults, swap-ins, swap-outs, mmap_lock waits, io_uring
 * madvise requests and how the faults after prefetch hints went, of one
 * process, per lgalloc pool (size class), from CO-RE BPF programs
 * (bpf/lgtrace.bpf.c).
 *
 *   sudo lgtrace -p PID [-i SEC] [-d SEC] [-H] [--json]
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
 * loader.c loads the BPF programs, report.c prints.
 */
#include <stdio.h>

#include "common/exit_codes.h"
#include "loader.h"
#include "options.h"

/* One minor fault in 16 timed: a clock read costs ~70 ns on a VM, a 4 KiB
 * fault ~2 us; timing each one alone would cost 5-7%. */
#define DEFAULT_LATENCY_SAMPLE 16

static struct lgtrace_opts env = {.btf_path = DEFAULT_BTF, .latency_sample = DEFAULT_LATENCY_SAMPLE};

static const char usage_text[] =
	"Usage: lgtrace [OPTIONS] -p PID\n"
	"       lgtrace [OPTIONS] -- CMD [ARGS...]\n"
	"\n"
	"Trace one process's page faults, swap-ins, swap-outs, mmap_lock waits,\n"
	"io_uring madvise requests and the faults after prefetch hints (minor: in\n"
	"time, major: too late), per lgalloc pool (size class 2M..64G, \"other\",\n"
	"\"mmap/munmap\").\n"
	"\n"
	"  -p, --pid PID          trace a running process (all its threads)\n"
	"  -i, --interval SEC     print a table every SEC seconds\n"
	"  -d, --duration SEC     stop after SEC seconds (a command is sent SIGTERM)\n"
	"  -H, --histograms       print the log2 latency histograms\n"
	"  -s, --latency-sample N time one fault in N per thread (default 16; 1: every\n"
	"                         fault; counts are exact either way, faults that\n"
	"                         read from swap or a file are always timed)\n"
	"  -j, --json             write the summary as one JSON document\n"
	"      --as-root          run CMD as root, not as SUDO_UID/SUDO_GID\n"
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
	"  sudo lgtrace --json -- ./bench > trace.json\n";

int main(int argc, char **argv)
{
	static char msg[LGTRACE_MSG_LEN];

	switch (lgtrace_parse_args(argc, argv, &env, msg, sizeof(msg))) {
	case LGTRACE_RUN:
		return session_run(&env);
	case LGTRACE_HELP:
		fputs(usage_text, stdout);
		return 0;
	case LGTRACE_VERSION:
		puts("lgtrace " LG_VERSION);
		return 0;
	default:
		fprintf(stderr, "lgtrace: %s\nTry 'lgtrace --help'.\n", msg);
		return EXIT_USAGE;
	}
}
