// SPDX-License-Identifier: MIT
/*
 * lgtrace's reporting (tools/lgtrace/report.c) fed made-up snapshots: the
 * snapshot arithmetic, pool names, percentiles, the tables with their n/a
 * cells, the histograms, the summary and the JSON document (parsed back).
 * No BPF, no root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "report.h"

/* All features, less those listed (terminated by -1). */
static void features(bool have[NUM_FEATURES], ...)
{
	va_list ap;
	int f;

	for (f = 0; f < NUM_FEATURES; f++)
		have[f] = true;
	va_start(ap, have);
	while ((f = va_arg(ap, int)) >= 0)
		have[f] = false;
	va_end(ap);
}

/*
 * 2M: 100 faults (95 minor timed in [1024, 2048) ns, 5 major in [2^20,
 * 2^21)), 3 swap-ins, 7 swap-outs, mmap_lock 4 reads (in [4096, 8192)) and
 * 2 writes (in [16384, 32768)) waiting 2 ms in all.
 * 4M: 32 io_uring madvise ops (in [65536, 131072)), one failed; 30 hinted
 * minor, 2 hinted major.  other: 10 faults, none timed.
 */
static void fill(struct snapshot *s)
{
	struct lgt_pool_stats *p2 = &s->pool[0], *p4 = &s->pool[1], *po = &s->pool[LGT_POOL_OTHER];

	memset(s, 0, sizeof(*s));
	p2->faults = 100;
	p2->major = 5;
	p2->fault_ns[0] = 95 * 1500;
	p2->fault_ns[1] = 5 * 1500000;
	p2->swapins = 3;
	p2->swapouts = 7;
	p2->hist[LGT_H_FAULT_MINOR][10] = 95;
	p2->hist[LGT_H_FAULT_MAJOR][20] = 5;
	p2->lock_acq[0] = 4;
	p2->lock_acq[1] = 2;
	p2->lock_cont[0] = 1;
	p2->lock_wait_ns[0] = 1500000;
	p2->lock_wait_ns[1] = 500000;
	p2->hist[LGT_H_LOCK_READ][12] = 4;
	p2->hist[LGT_H_LOCK_WRITE][14] = 2;
	p4->uring_submitted = 32;
	p4->uring_completed = 32;
	p4->uring_failed = 1;
	p4->uring_ns = 32 * 98304;
	p4->hist[LGT_H_URING][16] = 32;
	p4->hinted_minor = 30;
	p4->hinted_major = 2;
	po->faults = 10;
}

/* What @print wrote, as a malloc'ed string. */
#define CAPTURE(buf, ...)                                                                                    \
	do {                                                                                                 \
		size_t len_;                                                                                 \
		FILE *o_ = open_memstream(&(buf), &len_);                                                    \
		assert_non_null(o_);                                                                         \
		__VA_ARGS__;                                                                                 \
		assert_int_equal(fclose(o_), 0);                                                             \
	} while (0)

static void assert_has_line(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (!strncmp(p, line, n) && (p[n] == '\n' || !p[n]))
			return;
	fail_msg("no line \"%s\" in:\n%s", line, text);
}

static int count_lines(const char *text, const char *prefix)
{
	int n = 0;

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		n += !strncmp(p, prefix, strlen(prefix));
	return n;
}

static void test_pool_names(void **state)
{
	char name[16];

	(void)state;
	pool_name(0, name, sizeof(name));
	assert_string_equal(name, "2M");
	pool_name(1, name, sizeof(name));
	assert_string_equal(name, "4M");
	pool_name(9, name, sizeof(name));
	assert_string_equal(name, "1G");
	pool_name(LGT_NUM_CLASS - 1, name, sizeof(name));
	assert_string_equal(name, "64G");
	pool_name(LGT_POOL_OTHER, name, sizeof(name));
	assert_string_equal(name, "other");
	pool_name(LGT_POOL_MMAP, name, sizeof(name));
	assert_string_equal(name, "mmap/munmap");
}

static void test_snapshot_arithmetic(void **state)
{
	struct lgt_pool_stats cpus[3] = {};
	struct snapshot a = {}, b, d;
	struct lgt_pool_stats total;

	(void)state;
	for (int c = 0; c < 3; c++) {
		cpus[c].faults = 10 * (c + 1);
		cpus[c].lock_wait_ns[1] = 1000 + c;
		cpus[c].hist[LGT_H_URING][LGT_HIST_SLOTS - 1] = 1;
	}
	snapshot_add_cpus(&a, 2, cpus, 3);
	snapshot_add_cpus(&a, 2, cpus, 1);
	assert_int_equal(a.pool[2].faults, 70);
	assert_int_equal(a.pool[2].lock_wait_ns[1], 4003);
	assert_int_equal(a.pool[2].hist[LGT_H_URING][LGT_HIST_SLOTS - 1], 4);
	assert_int_equal(a.pool[1].faults, 0);

	fill(&b);
	a = b;
	a.pool[0].faults += 17;
	a.pool[0].hist[LGT_H_LOCK_WRITE][14] += 3;
	a.pool[LGT_POOL_MMAP].lock_acq[1] = 9;
	a.pool[1].hinted_major += 1;
	snapshot_sub(&d, &a, &b);
	assert_int_equal(d.pool[0].faults, 17);
	assert_int_equal(d.pool[0].major, 0);
	assert_int_equal(d.pool[0].hist[LGT_H_LOCK_WRITE][14], 3);
	assert_int_equal(d.pool[0].hist[LGT_H_FAULT_MINOR][10], 0);
	assert_int_equal(d.pool[LGT_POOL_MMAP].lock_acq[1], 9);
	assert_int_equal(d.pool[1].hinted_major, 1);
	assert_int_equal(d.pool[1].uring_submitted, 0);
	assert_false(pool_active(&d.pool[LGT_POOL_OTHER]));
	assert_true(pool_active(&d.pool[LGT_POOL_MMAP]));

	snapshot_total(&total, &b);
	assert_int_equal(total.faults, 110);
	assert_int_equal(total.uring_completed, 32);
	assert_int_equal(total.hist[LGT_H_FAULT_MINOR][10], 95);
}

static void test_percentiles(void **state)
{
	__u64 h[2][LGT_HIST_SLOTS] = {};

	(void)state;
	assert_true(hist_pct(h[0], 1, 50) == 0);
	h[0][10] = 95;
	h[1][20] = 5;
	/* Interpolated inside the slot: 1024 + 1024 * 50/95. */
	assert_float_equal(hist_pct(h[0], 2, 50), 1024 + 1024 * 50.0 / 95, 1e-6);
	assert_float_equal(hist_pct(h[0], 2, 99), 1048576 + 1048576 * 4.0 / 5, 1e-6);
	/* Alone, the first histogram's p99 stays in its slot. */
	assert_float_equal(hist_pct(h[0], 1, 99), 1024 + 1024 * 94.05 / 95, 1e-6);
	assert_float_equal(hist_pct(h[1], 1, 50), 1048576 + 1048576 * 2.5 / 5, 1e-6);
	memset(h, 0, sizeof(h));
	h[0][0] = 4;
	assert_float_equal(hist_pct(h[0], 1, 50), 1, 1e-9);
}

static void test_fault_table(void **state)
{
	bool have[NUM_FEATURES];
	struct snapshot s;
	char *out;

	(void)state;
	fill(&s);
	features(have, FEAT_SWAPOUT, FEAT_CONTENTION, -1);
	CAPTURE(out, print_table(o_, have, &s));
	assert_has_line(
		out,
		"POOL            FAULTS    MAJOR   SWAPIN  SWAPOUT   FLT-p50   FLT-p99    LOCK-R    LOCK-W"
		"  CONT-R  CONT-W      WAIT  WAIT-p50  WAIT-p99");
	assert_has_line(
		out,
		"2M                 100        5        3      n/a     1.6us  1887.4us         4         2"
		"     n/a     n/a    2.00ms     7.2us    32.3us");
	assert_has_line(
		out,
		"4M                   0        0        0      n/a         -         -         0         0"
		"     n/a     n/a    0.00ms         -         -");
	assert_has_line(
		out,
		"other               10        0        0      n/a     0.0us     0.0us         0         0"
		"     n/a     n/a    0.00ms         -         -");
	assert_has_line(
		out,
		"total              110        5        3      n/a     1.6us  1887.4us         4         2"
		"     n/a     n/a    2.00ms     7.2us    32.3us");
	/* Inactive pools have no row. */
	assert_int_equal(count_lines(out, "8M "), 0);
	assert_int_equal(count_lines(out, "mmap/munmap"), 0);
	/* 4M had io_uring ops: the madvise table follows, its rows only. */
	assert_has_line(
		out, "MADVISE         SUBMIT     DONE   FAILED   LAT-p50   LAT-p99  HINTED-MIN  HINTED-MAJ");
	assert_has_line(
		out, "4M                  32       32        1    98.3us   130.4us          30           2");
	assert_has_line(
		out, "total               32       32        1    98.3us   130.4us          30           2");
	assert_int_equal(count_lines(out, "2M "), 1);
	assert_int_equal(count_lines(out, "total "), 2);
	free(out);

	/* No io_uring op anywhere: no madvise table. */
	memset(&s.pool[1], 0, sizeof(s.pool[1]));
	CAPTURE(out, print_table(o_, have, &s));
	assert_int_equal(count_lines(out, "MADVISE"), 0);
	assert_int_equal(count_lines(out, "total "), 1);
	free(out);
}

static void test_na_cells(void **state)
{
	bool have[NUM_FEATURES];
	struct snapshot s;
	char *out;

	(void)state;
	fill(&s);
	/* The io_uring_submit_req tracepoint missing: submissions and
	 * latencies n/a; hints still seen through madvise's mmap_lock. */
	features(have, FEAT_URING_SUBMIT, -1);
	CAPTURE(out, print_table(o_, have, &s));
	assert_has_line(
		out, "4M                 n/a       32        1       n/a       n/a          30           2");
	free(out);
	/* Neither io_uring_submit_req nor mmap_lock: no hint is seen. */
	features(have, FEAT_URING_SUBMIT, FEAT_LOCK, -1);
	CAPTURE(out, print_table(o_, have, &s));
	assert_has_line(
		out, "4M                 n/a       32        1       n/a       n/a         n/a         n/a");
	/* mmap_lock missing: every lock column n/a, contention too. */
	assert_has_line(
		out,
		"total              110        5        3        7     1.6us  1887.4us       n/a       n/a"
		"     n/a     n/a       n/a       n/a       n/a");
	free(out);
	/* No completion tracepoint: major, swap-ins and latencies n/a. */
	features(have, FEAT_COMPLETION, -1);
	CAPTURE(out, print_table(o_, have, &s));
	assert_has_line(
		out,
		"other               10      n/a      n/a        0       n/a       n/a         0         0"
		"       0       0    0.00ms         -         -");
	free(out);
	/* Completions from the page-faults events (6.1), no PSWPIN: swap-ins
	 * known on the classes only; "other" and the total n/a. */
	features(have, FEAT_SWAPIN_OTHER, -1);
	CAPTURE(out, print_table(o_, have, &s));
	assert_has_line(
		out,
		"2M                 100        5        3        7     1.6us  1887.4us         4         2"
		"       1       0    2.00ms     7.2us    32.3us");
	assert_has_line(
		out,
		"other               10        0      n/a        0     0.0us     0.0us         0         0"
		"       0       0    0.00ms         -         -");
	assert_has_line(
		out,
		"total              110        5      n/a        7     1.6us  1887.4us         4         2"
		"       1       0    2.00ms     7.2us    32.3us");
	free(out);
}

static void test_histograms(void **state)
{
	struct snapshot s = {};
	char *out;

	(void)state;
	s.pool[3].faults = 70;
	s.pool[3].hist[LGT_H_FAULT_MINOR][0] = 10;
	s.pool[3].hist[LGT_H_FAULT_MINOR][10] = 40;
	s.pool[3].hist[LGT_H_FAULT_MINOR][11] = 20;
	s.pool[3].hist[LGT_H_LOCK_WRITE][LGT_HIST_SLOTS - 1] = 1;
	CAPTURE(out, print_hists(o_, &s));
	assert_has_line(out, "pool 16M:");
	assert_has_line(out, "  fault latency, minor");
	/* lgtrace's layout (common/log2_hist.h), to the byte. */
	assert_has_line(out, "                    ns : count      distribution");
	assert_has_line(out,
			"          0 -> 1         : 10         |**********                              |");
	assert_has_line(out,
			"          2 -> 3         : 0          |                                        |");
	assert_has_line(out,
			"       1024 -> 2047      : 40         |****************************************|");
	assert_has_line(out,
			"       2048 -> 4095      : 20         |********************                    |");
	assert_has_line(out, "  mmap_lock wait, write");
	assert_has_line(
		out,
		"  549755813888 -> 1099511627775 : 1          |****************************************|");
	/* Only the histograms that have counts, slots from the first to the
	 * last used. */
	assert_int_equal(count_lines(out, "  fault latency, major"), 0);
	assert_int_equal(count_lines(out, "       4096 -> "), 0);
	assert_int_equal(count_lines(out, "  mmap_lock wait, write"), 1);
	assert_int_equal(count_lines(out, "pool "), 1);
	free(out);
}

/* A pool with one histogram, the whole output to the byte (lgtrace's layout
 * before the split). */
static void test_histogram_bytes(void **state)
{
	struct snapshot s;
	char *out;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.pool[0].faults = 3;
	s.pool[0].hist[LGT_H_FAULT_MINOR][10] = 2;
	s.pool[0].hist[LGT_H_FAULT_MINOR][12] = 1;
	CAPTURE(out, print_hists(o_, &s));
	assert_string_equal(
		out, "\npool 2M:\n"
		     "  fault latency, minor\n"
		     "                    ns : count      distribution\n"
		     "       1024 -> 2047      : 2          |****************************************|\n"
		     "       2048 -> 4095      : 0          |                                        |\n"
		     "       4096 -> 8191      : 1          |********************                    |\n");
	free(out);
}

/* bpf/lgtrace.h's slot function, the one the BPF side files latencies by. */
static void test_log2_slot(void **state)
{
	(void)state;
	assert_int_equal(lgt_log2(0), 0);
	assert_int_equal(lgt_log2(1), 0);
	assert_int_equal(lgt_log2(2), 1);
	assert_int_equal(lgt_log2(3), 1);
	assert_int_equal(lgt_log2(4), 2);
	assert_int_equal(lgt_log2(1023), 9);
	assert_int_equal(lgt_log2(1024), 10);
	assert_int_equal(lgt_log2(1ULL << 39), 39);
	assert_int_equal(lgt_log2(UINT64_MAX), 63);
	for (int i = 0; i < 64; i++) {
		assert_int_equal(lgt_log2(1ULL << i), i);
		if (i > 1)
			assert_int_equal(lgt_log2((1ULL << i) - 1), i - 1);
	}
}

static void test_summary_text(void **state)
{
	bool have[NUM_FEATURES];
	struct snapshot s;
	struct summary sum = {
		.pid = 42,
		.seconds = 1.5,
		.latency_sample = 16,
		.have = have,
		.kernel = {true, "wait4", 120, 1},
	};
	char *out;

	(void)state;
	fill(&s);
	features(have, FEAT_COMPLETION, FEAT_CONTENTION, FEAT_USDT, -1);
	CAPTURE(out, print_summary(o_, &sum, &s));
	/* Only tracepoint features are n/a; the USDT probe is not one. */
	assert_has_line(out, "lgtrace: PID 42, 1.50 s (n/a: fault_completion, contention)");
	assert_has_line(out, "kernel (wait4): minflt 120 majflt 1; lgtrace: faults 110");
	assert_int_equal(count_lines(out, "fault latency:"), 0);
	assert_int_equal(count_lines(out, "pool "), 0);
	free(out);

	features(have, -1);
	sum.hists = true;
	sum.kernel.source = "/proc/PID/stat";
	CAPTURE(out, print_summary(o_, &sum, &s));
	assert_has_line(out, "lgtrace: PID 42, 1.50 s");
	assert_has_line(out, "kernel (/proc/PID/stat): minflt 120 majflt 1; lgtrace: minor 105 major 5");
	assert_has_line(out, "fault latency: 1 fault in 16 timed per thread, and every swap or file read "
			     "(--latency-sample)");
	assert_has_line(out, "pool 2M:");
	assert_has_line(out, "pool 4M:");
	assert_has_line(out, "pool other:");
	free(out);

	sum.kernel.valid = false;
	sum.latency_sample = 1;
	CAPTURE(out, print_summary(o_, &sum, &s));
	assert_int_equal(count_lines(out, "kernel "), 0);
	assert_int_equal(count_lines(out, "fault latency:"), 0);
	free(out);
}

/* Write @doc with report_json_write() and parse it back; @doc is freed. */
static json_t *round_trip(json_t *doc)
{
	json_error_t jerr;
	json_t *back;
	char *out;

	assert_non_null(doc);
	CAPTURE(out, assert_int_equal(report_json_write(o_, doc), 0));
	/* Indented by 2, keys in their order, a newline at the end. */
	assert_memory_equal(out, "{\n  \"pid\": ", 11);
	assert_int_equal(out[strlen(out) - 1], '\n');
	json_decref(doc);
	back = json_loads(out, 0, &jerr);
	if (!back)
		fail_msg("not JSON (%s, line %d): %s", jerr.text, jerr.line, out);
	free(out);
	return back;
}

static json_t *pool_by_name(json_t *pools, const char *name)
{
	size_t i;
	json_t *p;

	json_array_foreach(pools, i, p)
	{
		if (!strcmp(json_string_value(json_object_get(p, "pool")), name))
			return p;
	}
	fail_msg("no pool %s", name);
	return NULL;
}

static json_int_t geti(json_t *o, const char *path)
{
	char key[64];
	const char *dot;

	while ((dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = json_object_get(o, key);
		path = dot + 1;
	}
	o = json_object_get(o, path);
	if (!json_is_integer(o))
		fail_msg("%s is not an integer", path);
	return json_integer_value(o);
}

/* What the JSON tests feed report_json(): fill()'s counts, all features but
 * swapout and registry, and two intervals (mmap writes only, then fill()'s). */
struct doc_input {
	bool have[NUM_FEATURES];
	struct snapshot s, iv;
	struct summary sum;
	json_t *ivs;
};

static void doc_input(struct doc_input *in, double seconds, double t1, double t2)
{
	memset(in, 0, sizeof(*in));
	in->sum = (struct summary){
		.pid = 4242,
		.seconds = seconds,
		.latency_sample = 16,
		.have = in->have,
		.kernel = {true, "wait4", 120, 1},
		.diag = {.faults_no_entry = 3, .area_updates = 5, .hint_truncated = 2},
		.registry_areas = 7,
	};
	fill(&in->s);
	features(in->have, FEAT_SWAPOUT, FEAT_REGISTRY, -1);
	in->iv.pool[LGT_POOL_MMAP].lock_acq[1] = 6;
	in->ivs = json_array();
	assert_non_null(in->ivs);
	assert_int_equal(report_json_interval(in->ivs, t1, &in->iv), 0);
	assert_int_equal(report_json_interval(in->ivs, t2, &in->s), 0);
}

static void test_json(void **state)
{
	struct doc_input in;
	struct snapshot *sp = &in.s;
	struct summary *sum = &in.sum;
	json_t *ivs, *doc, *p, *h, *slot;

	(void)state;
	doc_input(&in, 2.34567, 0.1004, 0.2);
	ivs = in.ivs;
	doc = round_trip(report_json(sum, sp, ivs));

	assert_int_equal(geti(doc, "pid"), 4242);
	assert_true(json_is_real(json_object_get(doc, "seconds")));
	assert_float_equal(json_real_value(json_object_get(doc, "seconds")), 2.346, 1e-12);
	assert_int_equal(geti(doc, "latency_sample"), 16);
	assert_true(json_is_true(json_object_get(json_object_get(doc, "features"), "mmap_lock")));
	assert_true(json_is_false(json_object_get(json_object_get(doc, "features"), "swapout")));
	assert_true(json_is_false(json_object_get(json_object_get(doc, "features"), "registry")));
	assert_int_equal(json_object_size(json_object_get(doc, "features")), NUM_FEATURES);
	assert_int_equal(geti(doc, "total.faults"), 110);
	assert_int_equal(geti(doc, "total.major"), 5);
	/* Swap-outs are not traced on this made-up kernel: null, not 7. */
	assert_true(json_is_null(json_object_get(json_object_get(doc, "total"), "swapouts")));
	assert_null(json_object_get(doc, "unavailable"));
	assert_int_equal(geti(doc, "total.io_uring_madvise.submitted"), 32);
	assert_int_equal(geti(doc, "total.prefetch.hinted_major"), 2);
	assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "kernel"), "source")),
			    "wait4");
	assert_int_equal(geti(doc, "kernel.minflt"), 120);
	assert_int_equal(geti(doc, "diagnostics.faults_without_entry"), 3);
	assert_int_equal(geti(doc, "diagnostics.usdt_prefixes"), 5);
	assert_int_equal(geti(doc, "diagnostics.registry_areas"), 7);
	assert_int_equal(geti(doc, "diagnostics.hints_truncated"), 2);

	/* The active pools in pool order; class_log2 for size classes only. */
	json_t *pools = json_object_get(doc, "pools");
	assert_int_equal(json_array_size(pools), 3);
	assert_string_equal(json_string_value(json_object_get(json_array_get(pools, 0), "pool")), "2M");
	p = pool_by_name(pools, "2M");
	assert_int_equal(geti(p, "class_log2"), 21);
	assert_int_equal(geti(p, "faults"), 100);
	assert_int_equal(geti(p, "minor"), 95);
	assert_int_equal(geti(p, "major"), 5);
	assert_int_equal(geti(p, "swapins"), 3);
	assert_int_equal(geti(p, "fault_ns.major"), 7500000);
	assert_int_equal(geti(p, "mmap_lock.read.acquisitions"), 4);
	assert_int_equal(geti(p, "mmap_lock.read.contended"), 1);
	assert_int_equal(geti(p, "mmap_lock.write.wait_ns"), 500000);
	h = json_object_get(json_object_get(p, "histograms"), "fault_minor");
	assert_int_equal(geti(h, "count"), 95);
	/* 1024 + 1024 * 47.5/95 and 1024 + 1024 * 94.05/95, whole ns. */
	assert_int_equal(geti(h, "p50_ns"), 1536);
	assert_int_equal(geti(h, "p99_ns"), 2038);
	assert_int_equal(json_array_size(json_object_get(h, "log2_ns")), 1);
	slot = json_array_get(json_object_get(h, "log2_ns"), 0);
	assert_int_equal(json_integer_value(json_array_get(slot, 0)), 1024);
	assert_int_equal(json_integer_value(json_array_get(slot, 1)), 2047);
	assert_int_equal(json_integer_value(json_array_get(slot, 2)), 95);
	assert_int_equal(json_object_size(json_object_get(p, "histograms")), LGT_NUM_HISTS);
	h = json_object_get(json_object_get(p, "histograms"), "swapin");
	assert_int_equal(geti(h, "count"), 0);
	assert_int_equal(geti(h, "p50_ns"), 0);
	assert_int_equal(json_array_size(json_object_get(h, "log2_ns")), 0);

	p = pool_by_name(pools, "4M");
	assert_int_equal(geti(p, "io_uring_madvise.submitted"), 32);
	assert_int_equal(geti(p, "io_uring_madvise.failed"), 1);
	assert_int_equal(geti(p, "io_uring_madvise.latency_ns"), 32 * 98304);
	assert_int_equal(geti(p, "prefetch.hinted_minor"), 30);
	assert_int_equal(geti(p, "prefetch.hinted_major"), 2);
	assert_int_equal(geti(p, "histograms.io_uring_madvise.p50_ns"), 98304);
	p = pool_by_name(pools, "other");
	assert_null(json_object_get(p, "class_log2"));
	assert_int_equal(geti(p, "faults"), 10);

	/* The intervals: their own pools, without histograms. */
	json_t *ia = json_object_get(doc, "intervals");
	assert_int_equal(json_array_size(ia), 2);
	assert_float_equal(json_real_value(json_object_get(json_array_get(ia, 0), "t")), 0.1, 1e-12);
	pools = json_object_get(json_array_get(ia, 0), "pools");
	assert_int_equal(json_array_size(pools), 1);
	p = pool_by_name(pools, "mmap/munmap");
	assert_int_equal(geti(p, "mmap_lock.write.acquisitions"), 6);
	assert_null(json_object_get(p, "histograms"));
	assert_null(json_object_get(p, "class_log2"));
	pools = json_object_get(json_array_get(ia, 1), "pools");
	assert_int_equal(json_array_size(pools), 3);
	assert_null(json_object_get(pool_by_name(pools, "2M"), "histograms"));
	json_decref(doc);

	/* Without kernel counts and intervals, neither key. */
	sum->kernel.valid = false;
	doc = round_trip(report_json(sum, sp, NULL));
	assert_null(json_object_get(doc, "kernel"));
	assert_null(json_object_get(doc, "intervals"));
	assert_int_equal(geti(doc, "total.faults"), 110);
	json_decref(doc);
	/* Nothing traced: an empty pool list. */
	memset(sp, 0, sizeof(*sp));
	doc = round_trip(report_json(sum, sp, NULL));
	assert_true(json_is_array(json_object_get(doc, "pools")));
	assert_int_equal(json_array_size(json_object_get(doc, "pools")), 0);
	json_decref(doc);
	json_decref(ivs);
}

/* A kernel without count_memcg_events and mmap_lock: what they would
 * measure is null (not 0) in every pool, the total and the intervals, and
 * "unavailable" and the text summary say why. */
static void test_json_unavailable(void **state)
{
	const char *why[NUM_FEATURES] = {
		[FEAT_COMPLETION] = "count_memcg_events: no such tracepoint in this kernel's BTF",
		[FEAT_LOCK] = "mmap_lock_start_locking(int): no program reads these arguments",
	};
	struct doc_input in;
	json_t *doc, *p, *iv;
	char *out;

	(void)state;
	doc_input(&in, 1.0, 0.1, 0.2);
	features(in.have, FEAT_COMPLETION, FEAT_LOCK, FEAT_URING_SUBMIT, -1);
	in.sum.why = why;
	doc = round_trip(report_json(&in.sum, &in.s, in.ivs));
	p = json_array_get(json_object_get(doc, "pools"), 0);
	assert_int_equal(geti(p, "faults"), 100);
	assert_true(json_is_null(json_object_get(p, "major")));
	assert_true(json_is_null(json_object_get(p, "minor")));
	assert_true(json_is_null(json_object_get(p, "swapins")));
	assert_true(json_is_null(json_object_get(p, "mmap_lock")));
	assert_true(json_is_null(json_object_get(p, "prefetch")));
	assert_true(json_is_null(json_object_get(json_object_get(p, "histograms"), "fault_minor")));
	assert_true(json_is_null(json_object_get(json_object_get(p, "histograms"), "io_uring_madvise")));
	assert_true(json_is_null(json_object_get(json_object_get(p, "io_uring_madvise"), "submitted")));
	assert_true(json_is_integer(json_object_get(json_object_get(p, "io_uring_madvise"), "completed")));
	assert_true(json_is_null(json_object_get(json_object_get(doc, "total"), "major")));
	assert_int_equal(geti(doc, "total.faults"), 110);
	iv = json_array_get(json_object_get(doc, "intervals"), 1);
	assert_true(json_is_null(json_object_get(json_array_get(json_object_get(iv, "pools"), 0), "major")));
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(doc, "unavailable"), "fault_completion")),
		why[FEAT_COMPLETION]);
	assert_null(json_object_get(json_object_get(doc, "unavailable"), "io_uring_submit"));
	json_decref(doc);
	json_decref(in.ivs);
	CAPTURE(out, print_summary(o_, &in.sum, &in.s));
	assert_non_null(strstr(out, "  n/a fault_completion: count_memcg_events: no such tracepoint"));
	assert_non_null(strstr(out, "  n/a mmap_lock: mmap_lock_start_locking(int)"));
	free(out);
}

/*
 * The document to the byte, in lgtrace's layout from before the split (a
 * member a line, a pool a line, an interval a line above its pools): the
 * text below is what lgtrace at a28f9d8 printed for these counts.  Seconds
 * and t are chosen so that its "%.3f" and jansson's reals read the same.
 */
static void test_json_layout(void **state)
{
	static const char old_layout[] =
		"{\n"
		"  \"pid\": 4242,\n"
		"  \"seconds\": 2.345,\n"
		"  \"latency_sample\": 16,\n"
		"  \"features\": {\"faults\": true, \"fault_completion\": true, \"mmap_lock\": true, \"cont"
		"ention\": true, \"swapout\": false, \"io_uring_submit\": true, \"io_uring_complete\": true, "
		"\"swapin_other\": true, \"process_tree\": true, \"off_cpu\": true"
		", \"usdt\": true, \"registry\": false},\n"
		"  \"total\": {\"faults\": 110, \"major\": 5, \"swapins\": 3, \"swapouts\": null, "
		"\"io_uring_m"
		"advise\": {\"submitted\": 32, \"completed\": 32}, \"prefetch\": {\"hinted_minor\": 30, \"h"
		"inted_major\": 2}},\n"
		"  \"kernel\": {\"source\": \"wait4\", \"minflt\": 120, \"majflt\": 1},\n"
		"  \"diagnostics\": {\"faults_without_entry\": 3, \"usdt_prefixes\": 5, \"prefix_failures\""
		": 0, \"slot_takeovers\": 0, \"registry_areas\": 7, \"uring_unmatched\": 0, \"hints_truncat"
		"ed\": 2},\n"
		"  \"intervals\": [\n"
		"    {\"t\": 0.125, \"pools\": [\n"
		"    {\"pool\": \"mmap/munmap\", \"faults\": 0, \"minor\": 0, \"major\": 0, \"swapins\": 0,"
		" \"swapouts\": null, \"fault_ns\": {\"minor\": 0, \"major\": 0}, \"mmap_lock\": {\"read\": "
		"{\""
		"acquisitions\": 0, \"contended\": 0, \"failed\": 0, \"wait_ns\": 0}, \"write\": {\"acquisi"
		"tions\": 6, \"contended\": 0, \"failed\": 0, \"wait_ns\": 0}}, \"io_uring_madvise\": {\"su"
		"bmitted\": 0, \"completed\": 0, \"failed\": 0, \"latency_ns\": 0}, \"prefetch\": {\"hinted"
		"_minor\": 0, \"hinted_major\": 0}}]},\n"
		"    {\"t\": 0.375, \"pools\": [\n"
		"    {\"pool\": \"2M\", \"class_log2\": 21, \"faults\": 100, \"minor\": 95, \"major\": 5, \""
		"swapins\": 3, \"swapouts\": null, \"fault_ns\": {\"minor\": 142500, \"major\": 7500000}, "
		"\"mm"
		"ap_lock\": {\"read\": {\"acquisitions\": 4, \"contended\": 1, \"failed\": 0, \"wait_ns\": "
		"1500000}, \"write\": {\"acquisitions\": 2, \"contended\": 0, \"failed\": 0, \"wait_ns\": 5"
		"00000}}, \"io_uring_madvise\": {\"submitted\": 0, \"completed\": 0, \"failed\": 0, \"laten"
		"cy_ns\": 0}, \"prefetch\": {\"hinted_minor\": 0, \"hinted_major\": 0}},\n"
		"    {\"pool\": \"4M\", \"class_log2\": 22, \"faults\": 0, \"minor\": 0, \"major\": 0, \"sw"
		"apins\": 0, \"swapouts\": null, \"fault_ns\": {\"minor\": 0, \"major\": 0}, \"mmap_lock\": "
		"{\""
		"read\": {\"acquisitions\": 0, \"contended\": 0, \"failed\": 0, \"wait_ns\": 0}, \"write\":"
		" {\"acquisitions\": 0, \"contended\": 0, \"failed\": 0, \"wait_ns\": 0}}, \"io_uring_madvi"
		"se\": {\"submitted\": 32, \"completed\": 32, \"failed\": 1, \"latency_ns\": 3145728}, \"pr"
		"efetch\": {\"hinted_minor\": 30, \"hinted_major\": 2}},\n"
		"    {\"pool\": \"other\", \"faults\": 10, \"minor\": 10, \"major\": 0, \"swapins\": 0, \"s"
		"wapouts\": null, \"fault_ns\": {\"minor\": 0, \"major\": 0}, \"mmap_lock\": {\"read\": "
		"{\"acq"
		"uisitions\": 0, \"contended\": 0, \"failed\": 0, \"wait_ns\": 0}, \"write\": {\"acquisitio"
		"ns\": 0, \"contended\": 0, \"failed\": 0, \"wait_ns\": 0}}, \"io_uring_madvise\": {\"submi"
		"tted\": 0, \"completed\": 0, \"failed\": 0, \"latency_ns\": 0}, \"prefetch\": {\"hinted_mi"
		"nor\": 0, \"hinted_major\": 0}}]}\n"
		"  ],\n"
		"  \"pools\": [\n"
		"    {\"pool\": \"2M\", \"class_log2\": 21, \"faults\": 100, \"minor\": 95, \"major\": 5, \""
		"swapins\": 3, \"swapouts\": null, \"fault_ns\": {\"minor\": 142500, \"major\": 7500000}, "
		"\"mm"
		"ap_lock\": {\"read\": {\"acquisitions\": 4, \"contended\": 1, \"failed\": 0, \"wait_ns\": "
		"1500000}, \"write\": {\"acquisitions\": 2, \"contended\": 0, \"failed\": 0, \"wait_ns\": 5"
		"00000}}, \"io_uring_madvise\": {\"submitted\": 0, \"completed\": 0, \"failed\": 0, \"laten"
		"cy_ns\": 0}, \"prefetch\": {\"hinted_minor\": 0, \"hinted_major\": 0}, \"histograms\": {\""
		"fault_minor\": {\"count\": 95, \"p50_ns\": 1536, \"p99_ns\": 2038, \"log2_ns\": [[1024, 20"
		"47, 95]]}, \"fault_major\": {\"count\": 5, \"p50_ns\": 1572864, \"p99_ns\": 2086666, \"log"
		"2_ns\": [[1048576, 2097151, 5]]}, \"swapin\": {\"count\": 0, \"p50_ns\": 0, \"p99_ns\": 0,"
		" \"log2_ns\": []}, \"mmap_lock_read\": {\"count\": 4, \"p50_ns\": 6144, \"p99_ns\": 8151, "
		"\"log2_ns\": [[4096, 8191, 4]]}, \"mmap_lock_write\": {\"count\": 2, \"p50_ns\": 24576, \""
		"p99_ns\": 32604, \"log2_ns\": [[16384, 32767, 2]]}, \"io_uring_madvise\": {\"count\": 0, \""
		"p50_ns\": 0, \"p99_ns\": 0, \"log2_ns\": []}}},\n"
		"    {\"pool\": \"4M\", \"class_log2\": 22, \"faults\": 0, \"minor\": 0, \"major\": 0, \"sw"
		"apins\": 0, \"swapouts\": null, \"fault_ns\": {\"minor\": 0, \"major\": 0}, \"mmap_lock\": "
		"{\""
		"read\": {\"acquisitions\": 0, \"contended\": 0, \"failed\": 0, \"wait_ns\": 0}, \"write\":"
		" {\"acquisitions\": 0, \"contended\": 0, \"failed\": 0, \"wait_ns\": 0}}, \"io_uring_madvi"
		"se\": {\"submitted\": 32, \"completed\": 32, \"failed\": 1, \"latency_ns\": 3145728}, \"pr"
		"efetch\": {\"hinted_minor\": 30, \"hinted_major\": 2}, \"histograms\": {\"fault_minor\": {"
		"\"count\": 0, \"p50_ns\": 0, \"p99_ns\": 0, \"log2_ns\": []}, \"fault_major\": {\"count\":"
		" 0, \"p50_ns\": 0, \"p99_ns\": 0, \"log2_ns\": []}, \"swapin\": {\"count\": 0, \"p50_ns\":"
		" 0, \"p99_ns\": 0, \"log2_ns\": []}, \"mmap_lock_read\": {\"count\": 0, \"p50_ns\": 0, \"p"
		"99_ns\": 0, \"log2_ns\": []}, \"mmap_lock_write\": {\"count\": 0, \"p50_ns\": 0, \"p99_ns\""
		": 0, \"log2_ns\": []}, \"io_uring_madvise\": {\"count\": 32, \"p50_ns\": 98304, \"p99_ns\""
		": 130417, \"log2_ns\": [[65536, 131071, 32]]}}},\n"
		"    {\"pool\": \"other\", \"faults\": 10, \"minor\": 10, \"major\": 0, \"swapins\": 0, \"s"
		"wapouts\": null, \"fault_ns\": {\"minor\": 0, \"major\": 0}, \"mmap_lock\": {\"read\": "
		"{\"acq"
		"uisitions\": 0, \"contended\": 0, \"failed\": 0, \"wait_ns\": 0}, \"write\": {\"acquisitio"
		"ns\": 0, \"contended\": 0, \"failed\": 0, \"wait_ns\": 0}}, \"io_uring_madvise\": {\"submi"
		"tted\": 0, \"completed\": 0, \"failed\": 0, \"latency_ns\": 0}, \"prefetch\": {\"hinted_mi"
		"nor\": 0, \"hinted_major\": 0}, \"histograms\": {\"fault_minor\": {\"count\": 0, \"p50_ns\""
		": 0, \"p99_ns\": 0, \"log2_ns\": []}, \"fault_major\": {\"count\": 0, \"p50_ns\": 0, \"p99"
		"_ns\": 0, \"log2_ns\": []}, \"swapin\": {\"count\": 0, \"p50_ns\": 0, \"p99_ns\": 0, \"log"
		"2_ns\": []}, \"mmap_lock_read\": {\"count\": 0, \"p50_ns\": 0, \"p99_ns\": 0, \"log2_ns\":"
		" []}, \"mmap_lock_write\": {\"count\": 0, \"p50_ns\": 0, \"p99_ns\": 0, \"log2_ns\": []}, "
		"\"io_uring_madvise\": {\"count\": 0, \"p50_ns\": 0, \"p99_ns\": 0, \"log2_ns\": []}}}]\n"
		"}\n";
	struct doc_input in;
	json_t *doc;
	char *out;

	(void)state;
	doc_input(&in, 2.345, 0.125, 0.375);
	doc = report_json(&in.sum, &in.s, in.ivs);
	json_decref(in.ivs);
	assert_non_null(doc);
	CAPTURE(out, assert_int_equal(report_json_write(o_, doc), 0));
	assert_string_equal(out, old_layout);
	free(out);
	json_decref(doc);
}

/* Without PSWPIN the pseudo pools' and the total's swap-ins are null in
 * JSON, the classes' are counted; the feature says why. */
static void test_json_swapin_other(void **state)
{
	const char *why[NUM_FEATURES] = {[FEAT_SWAPIN_OTHER] = "needs count_memcg_events (PSWPIN)"};
	struct doc_input in;
	json_t *doc, *pools, *iv;

	(void)state;
	doc_input(&in, 1.0, 0.1, 0.2);
	features(in.have, FEAT_SWAPIN_OTHER, -1);
	in.sum.why = why;
	doc = round_trip(report_json(&in.sum, &in.s, in.ivs));
	pools = json_object_get(doc, "pools");
	assert_int_equal(geti(pool_by_name(pools, "2M"), "swapins"), 3);
	assert_int_equal(geti(pool_by_name(pools, "4M"), "swapins"), 0);
	assert_true(json_is_null(json_object_get(pool_by_name(pools, "other"), "swapins")));
	assert_true(json_is_null(
		json_object_get(json_object_get(pool_by_name(pools, "other"), "histograms"), "swapin")));
	assert_int_equal(geti(pool_by_name(pools, "other"), "major"), 0);
	assert_true(json_is_null(json_object_get(json_object_get(doc, "total"), "swapins")));
	assert_int_equal(geti(doc, "total.major"), 5);
	iv = json_array_get(json_object_get(doc, "intervals"), 0);
	assert_true(json_is_null(
		json_object_get(pool_by_name(json_object_get(iv, "pools"), "mmap/munmap"), "swapins")));
	assert_true(json_is_false(json_object_get(json_object_get(doc, "features"), "swapin_other")));
	assert_string_equal(
		json_string_value(json_object_get(json_object_get(doc, "unavailable"), "swapin_other")),
		why[FEAT_SWAPIN_OTHER]);
	json_decref(doc);
	/* A process's swap-ins would be those on lgalloc's areas only: n/a. */
	{
		struct proc_row rows[] = {{10, 0, "sh", 5, 0, 0}, {11, 10, "w", 4096, 2, 1}};
		char *text;

		in.sum.procs = rows;
		in.sum.nprocs = 2;
		CAPTURE(text, print_procs(o_, &in.sum));
		assert_has_line(text, "11             10 w                      4096        2      n/a");
		free(text);
		doc = report_json(&in.sum, &in.s, NULL);
		assert_true(json_is_null(
			json_object_get(json_array_get(json_object_get(doc, "processes"), 1), "swapins")));
		assert_int_equal(json_integer_value(json_object_get(
					 json_array_get(json_object_get(doc, "processes"), 1), "major")),
				 2);
		json_decref(doc);
	}
	json_decref(in.ivs);
}

/* A tree's breakdown per process: only when more than one process
 * faulted, or --per-process (then every process); in text and JSON. */
static void test_per_process(void **state)
{
	struct proc_row rows[] = {
		{10, 0, "sh", 5, 0, 0},
		{11, 10, "lgtrace_work", 4096, 2, 1},
		{12, 10, "true", 0, 0, 0},
	};
	struct doc_input in;
	json_t *doc, *p;
	char *text;

	(void)state;
	doc_input(&in, 1.0, 0.5, 1.0);
	in.sum.target = "PID 10 (sh) and its descendants";
	in.sum.procs = rows;
	in.sum.nprocs = 3;
	assert_true(report_per_process(&in.sum));
	CAPTURE(text, print_summary(o_, &in.sum, &in.s));
	assert_non_null(strstr(text, "\nlgtrace: PID 10 (sh) and its descendants, 1.00 s"));
	assert_has_line(text, "PID          PPID COMM                 FAULTS    MAJOR   SWAPIN");
	assert_has_line(text, "10              - sh                        5        0        0");
	assert_has_line(text, "11             10 lgtrace_work           4096        2        1");
	assert_has_line(text, "(3 processes traced, 2 faulted; --per-process lists all)");
	assert_null(strstr(text, " true "));
	free(text);
	doc = report_json(&in.sum, &in.s, NULL);
	assert_non_null(doc);
	p = json_object_get(doc, "processes");
	assert_int_equal(json_array_size(p), 2);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(p, 1), "ppid")), 10);
	assert_true(json_is_null(json_object_get(json_array_get(p, 0), "ppid")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(p, 1), "comm")), "lgtrace_work");
	assert_string_equal(json_string_value(json_object_get(doc, "target")),
			    "PID 10 (sh) and its descendants");
	json_decref(doc);

	/* One process faulted: no breakdown, unless asked for (then all three). */
	rows[0].faults = 0;
	assert_false(report_per_process(&in.sum));
	doc = report_json(&in.sum, &in.s, NULL);
	assert_null(json_object_get(doc, "processes"));
	json_decref(doc);
	in.sum.per_process = true;
	assert_true(report_per_process(&in.sum));
	doc = report_json(&in.sum, &in.s, NULL);
	assert_int_equal(json_array_size(json_object_get(doc, "processes")), 3);
	json_decref(doc);
	/* A tree of many: the PROCS_TEXT_ROWS with the most faults, a line for the rest. */
	{
		struct proc_row many[PROCS_TEXT_ROWS + 5];

		for (int i = 0; i < PROCS_TEXT_ROWS + 5; i++)
			many[i] = (struct proc_row){
				100 + i, 10, "w", (unsigned long long)(i == 0 ? 1 : 1000 + i), 0, 0};
		in.sum.procs = many;
		in.sum.nprocs = PROCS_TEXT_ROWS + 5;
		in.sum.per_process = false;
		CAPTURE(text, print_procs(o_, &in.sum));
		assert_null(strstr(text, "\n100 "));
		assert_null(strstr(text, "\n104 "));
		assert_non_null(strstr(text, "\n105 "));
		assert_has_line(text,
				"(5 more processes with 4011 faults; --per-process or --json lists all)");
		free(text);
	}
	/* -p alone: no rows, never a breakdown. */
	in.sum.procs = NULL;
	in.sum.nprocs = 0;
	assert_false(report_per_process(&in.sum));
	json_decref(in.ivs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pool_names),	cmocka_unit_test(test_snapshot_arithmetic),
		cmocka_unit_test(test_percentiles),	cmocka_unit_test(test_fault_table),
		cmocka_unit_test(test_na_cells),	cmocka_unit_test(test_histograms),
		cmocka_unit_test(test_histogram_bytes), cmocka_unit_test(test_log2_slot),
		cmocka_unit_test(test_summary_text),	cmocka_unit_test(test_json),
		cmocka_unit_test(test_json_layout),	cmocka_unit_test(test_json_unavailable),
		cmocka_unit_test(test_per_process),	cmocka_unit_test(test_json_swapin_other),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
