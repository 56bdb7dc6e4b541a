// SPDX-License-Identifier: MIT
/*
 * A minimal consumer of lgbench's USDT probes for tests/bench/probes_test.sh:
 *
 *   probe_trace OUT LGBENCH [ARGS...]
 *
 * attaches tests/bench/probe_trace.bpf.c to every lgbench probe of the
 * executable LGBENCH (libbpf's USDT support, which raises the semaphores
 * through the kernel's uprobe reference counters), runs LGBENCH ARGS and
 * writes to OUT one line per row phase, in order,
 *   row_start ROW MODE NAME THREADS WARMUP_MS MEASURE_MS
 *   measure_start ROW | measure_end ROW
 *   row_end ROW MODE NAME THREADS OPS ERR WINDOW_NS P50_NS P99_NS
 * then one line per row with the operation probes' counts (probe_trace.h):
 *   ops ROW begin=N end_sampled=N paired=N end_slow=N slow_below=N off_stride=N late_start=N
 * The selection is the one lgbench reads from LGBENCH_OP_STRIDE and
 * LGBENCH_OP_SLOW_NS, which the child inherits.  Exits with LGBENCH's
 * status, or 125 when tracing failed (the reason on stderr).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "probe_trace.h"
#include "probe_trace.skel.h"

static FILE *out;
static bool row_seen[PT_MAX_ROWS];
static volatile sig_atomic_t child_pid;

static int on_event(void *ctx, void *data, size_t len)
{
	const struct pt_event *e = data;

	(void)ctx;
	if (len < sizeof(*e))
		return 0;
	if (e->row < PT_MAX_ROWS)
		row_seen[e->row] = true;
	switch (e->type) {
	case PT_ROW_START:
		fprintf(out, "row_start %u %s %s %u %llu %llu\n", e->row, e->mode, e->name, e->threads, e->a,
			e->b);
		break;
	case PT_ROW_END:
		fprintf(out, "row_end %u %s %s %u %llu %d %llu %llu %llu\n", e->row, e->mode, e->name,
			e->threads, e->a, e->err, e->b, e->c, e->d);
		break;
	case PT_MEASURE_START:
		fprintf(out, "measure_start %u\n", e->row);
		break;
	case PT_MEASURE_END:
		fprintf(out, "measure_end %u\n", e->row);
		break;
	}
	return 0;
}

static void forward(int sig)
{
	if (child_pid > 0)
		kill(child_pid, sig);
}

static unsigned long long env_num(const char *name)
{
	const char *s = getenv(name);

	return s ? strtoull(s, NULL, 10) : 0;
}

int main(int argc, char **argv)
{
	struct probe_trace_bpf *skel = NULL;
	struct ring_buffer *rb = NULL;
	char path[PATH_MAX], go = 1;
	int fds[2] = {-1, -1}, status = 0, rc = 125;
	pid_t pid = -1;

	if (argc < 3) {
		fprintf(stderr, "usage: probe_trace OUT LGBENCH [ARGS...]\n");
		return 2;
	}
	if (!realpath(argv[2], path)) {
		fprintf(stderr, "probe_trace: %s: %s\n", argv[2], strerror(errno));
		return 125;
	}
	out = fopen(argv[1], "w");
	if (!out) {
		fprintf(stderr, "probe_trace: %s: %s\n", argv[1], strerror(errno));
		return 125;
	}
	skel = probe_trace_bpf__open_and_load();
	if (!skel) {
		fprintf(stderr, "probe_trace: loading the BPF programs: %s\n", strerror(errno));
		goto out;
	}
	skel->bss->stride = env_num("LGBENCH_OP_STRIDE");
	skel->bss->slow_ns = env_num("LGBENCH_OP_SLOW_NS");
	struct {
		const char *name;
		struct bpf_program *prog;
		struct bpf_link **link; /* the skeleton's destroy detaches it */
	} probes[] = {
#define PROBE(n) {#n, skel->progs.n, &skel->links.n}
		PROBE(row_start),   PROBE(row_end),  PROBE(measure_start),
		PROBE(measure_end), PROBE(op_begin), PROBE(op_end),
#undef PROBE
	};
	for (size_t i = 0; i < sizeof(probes) / sizeof(probes[0]); i++) {
		*probes[i].link =
			bpf_program__attach_usdt(probes[i].prog, -1, path, "lgbench", probes[i].name, NULL);
		if (!*probes[i].link) {
			fprintf(stderr, "probe_trace: attaching lgbench:%s in %s: %s\n", probes[i].name, path,
				strerror(errno));
			goto out;
		}
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
	if (!rb || pipe(fds)) {
		fprintf(stderr, "probe_trace: ring buffer or pipe: %s\n", strerror(errno));
		goto out;
	}
	pid = fork();
	if (pid < 0) {
		fprintf(stderr, "probe_trace: fork: %s\n", strerror(errno));
		goto out;
	}
	if (pid == 0) {
		/* Wait until the filter names this process. */
		close(fds[1]);
		if (read(fds[0], &go, 1) != 1)
			_exit(125);
		execv(path, argv + 2);
		fprintf(stderr, "probe_trace: exec %s: %s\n", path, strerror(errno));
		_exit(125);
	}
	child_pid = pid;
	signal(SIGINT, forward);
	signal(SIGTERM, forward);
	close(fds[0]);
	skel->bss->target_tgid = (__u32)pid;
	if (write(fds[1], &go, 1) != 1) {
		fprintf(stderr, "probe_trace: starting the child: %s\n", strerror(errno));
		kill(pid, SIGKILL);
	}
	close(fds[1]);
	for (;;) {
		pid_t w = waitpid(pid, &status, WNOHANG);

		if (w == pid)
			break;
		if (w < 0 && errno != EINTR) {
			fprintf(stderr, "probe_trace: waitpid: %s\n", strerror(errno));
			goto out;
		}
		ring_buffer__poll(rb, 100);
	}
	pid = -1;
	ring_buffer__consume(rb);
	for (__u32 row = 0; row < PT_MAX_ROWS; row++) {
		struct pt_ops o;

		if (!row_seen[row] ||
		    bpf_map__lookup_elem(skel->maps.ops, &row, sizeof(row), &o, sizeof(o), 0))
			continue;
		fprintf(out,
			"ops %u begin=%llu end_sampled=%llu paired=%llu end_slow=%llu slow_below=%llu "
			"off_stride=%llu late_start=%llu\n",
			row, o.begin, o.end_sampled, o.paired, o.end_slow, o.slow_below, o.off_stride,
			o.late_start);
	}
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
out:
	if (pid > 0) {
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	ring_buffer__free(rb);
	probe_trace_bpf__destroy(skel);
	if (fclose(out))
		rc = 125;
	return rc;
}
