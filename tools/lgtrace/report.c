// SPDX-License-Identifier: MIT
/*
 * lgtrace's reporting: snapshot arithmetic, the per-pool tables, log2
 * histograms and the JSON document (through jansson, so that escaping and
 * number formatting are right by construction).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/log2_hist.h"
#include "report.h"

_Static_assert(sizeof(struct lgt_pool_stats) % sizeof(__u64) == 0, "stats are summed as u64 arrays");
#define STAT_WORDS (sizeof(struct lgt_pool_stats) / sizeof(__u64))

const char *const feature_names[NUM_FEATURES] = {
	"faults",     "fault_completion", "mmap_lock",	       "contention",
	"swapout",    "io_uring_submit",  "io_uring_complete", "swapin_other",
	"gup_faults", "process_tree",	  "off_cpu",	       "usdt",
	"registry",
};

static const char *const hist_names[LGT_NUM_HISTS] = {
	"fault latency, minor", "fault latency, major",	 "fault latency, swap-in",
	"mmap_lock wait, read", "mmap_lock wait, write", "io_uring madvise, submit to complete",
};
static const char *const hist_keys[LGT_NUM_HISTS] = {
	"fault_minor", "fault_major", "swapin", "mmap_lock_read", "mmap_lock_write", "io_uring_madvise",
};

/* ---- snapshots ---- */

static void add_pool(struct lgt_pool_stats *sum, const struct lgt_pool_stats *s)
{
	__u64 *o = (__u64 *)sum;
	const __u64 *v = (const __u64 *)s;

	for (size_t w = 0; w < STAT_WORDS; w++)
		o[w] += v[w];
}

void snapshot_add_cpus(struct snapshot *s, int pool, const struct lgt_pool_stats *vals, int ncpu)
{
	for (int c = 0; c < ncpu; c++)
		add_pool(&s->pool[pool], &vals[c]);
}

void snapshot_sub(struct snapshot *d, const struct snapshot *a, const struct snapshot *b)
{
	for (int p = 0; p < LGT_NUM_POOLS; p++) {
		__u64 *o = (__u64 *)&d->pool[p];
		const __u64 *x = (const __u64 *)&a->pool[p], *y = (const __u64 *)&b->pool[p];
		for (size_t w = 0; w < STAT_WORDS; w++)
			o[w] = x[w] - y[w];
	}
}

void snapshot_total(struct lgt_pool_stats *total, const struct snapshot *s)
{
	memset(total, 0, sizeof(*total));
	for (int p = 0; p < LGT_NUM_POOLS; p++)
		add_pool(total, &s->pool[p]);
}

void pool_name(int p, char *buf, size_t len)
{
	static const char units[] = "MGT";
	int shift = LGT_MIN_CLASS + p - 20;

	if (p == LGT_POOL_OTHER)
		snprintf(buf, len, "other");
	else if (p == LGT_POOL_MMAP)
		snprintf(buf, len, "mmap/munmap");
	else
		snprintf(buf, len, "%lu%c", 1UL << (shift % 10), units[shift / 10]);
}

static bool uring_active(const struct lgt_pool_stats *s)
{
	return s->uring_submitted || s->uring_completed || s->hinted_minor || s->hinted_major;
}

bool pool_active(const struct lgt_pool_stats *s)
{
	return s->faults || s->swapins || s->swapouts || s->lock_acq[0] || s->lock_acq[1] ||
	       s->lock_failed[0] || s->lock_failed[1] || uring_active(s);
}

double hist_pct(const __u64 *h, int nh, double pct)
{
	__u64 total = 0, cum = 0;

	for (int k = 0; k < nh; k++)
		for (int i = 0; i < LGT_HIST_SLOTS; i++)
			total += h[k * LGT_HIST_SLOTS + i];
	if (!total)
		return 0;
	double target = pct / 100.0 * (double)total;
	for (int i = 0; i < LGT_HIST_SLOTS; i++) {
		__u64 n = 0;
		for (int k = 0; k < nh; k++)
			n += h[k * LGT_HIST_SLOTS + i];
		if (n && (double)(cum + n) >= target) {
			double lo = i ? (double)(1ULL << i) : 0, hi = (double)(1ULL << (i + 1));
			return lo + (hi - lo) * (target - (double)cum) / (double)n;
		}
		cum += n;
	}
	return (double)(1ULL << LGT_HIST_SLOTS);
}

static __u64 hist_total(const __u64 *h)
{
	__u64 n = 0;

	for (int i = 0; i < LGT_HIST_SLOTS; i++)
		n += h[i];
	return n;
}

/* ---- tables ---- */

/* A row being printed: its stream, the widths of its columns, the next,
 * the features the kernel has, and its pool (-1: the total). */
struct row {
	FILE *o;
	const int *widths;
	int col;
	const bool *have;
	int pool;
};

/* Swap-ins are known on every pool with PSWPIN, else on lgalloc's classes
 * only (FEAT_SWAPIN_OTHER). */
static bool swapins_known(const bool *have, int pool)
{
	return have[FEAT_COMPLETION] && (have[FEAT_SWAPIN_OTHER] || (pool >= 0 && pool < LGT_NUM_CLASS));
}

/* One right-aligned cell: "n/a" when the kernel cannot measure it, "-"
 * when there was nothing to measure. */
static void cell(struct row *r, bool avail, bool any, const char *fmt, double v)
{
	char buf[32];

	if (!avail)
		snprintf(buf, sizeof(buf), "n/a");
	else if (!any)
		snprintf(buf, sizeof(buf), "-");
	else
		snprintf(buf, sizeof(buf), fmt, v);
	fprintf(r->o, " %*s", r->widths[r->col++], buf);
}

static void fault_cells(struct row *r, const struct lgt_pool_stats *ps)
{
	const bool *have = r->have;
	bool comp = have[FEAT_COMPLETION], lock = have[FEAT_LOCK], cont = lock && have[FEAT_CONTENTION];
	bool lat = comp && have[FEAT_FAULTS];
	const __u64 *fh = ps->hist[LGT_H_FAULT_MINOR], *lh = ps->hist[LGT_H_LOCK_READ];
	__u64 waits = ps->lock_acq[0] + ps->lock_acq[1], timed = 0;

	/* The minor and major (read and write) histograms are adjacent: the
	 * percentiles cover both; "-" without a timed fault (a pool whose
	 * faults were all done by get_user_pages(), untimed). */
	for (int i = 0; i < 2 * LGT_HIST_SLOTS; i++)
		timed += fh[i];
	cell(r, true, true, "%.0f", (double)ps->faults);
	cell(r, comp, true, "%.0f", (double)ps->major);
	cell(r, swapins_known(have, r->pool), true, "%.0f", (double)ps->swapins);
	cell(r, have[FEAT_SWAPOUT], true, "%.0f", (double)ps->swapouts);
	cell(r, lat, timed, "%.1fus", hist_pct(fh, 2, 50) / 1e3);
	cell(r, lat, timed, "%.1fus", hist_pct(fh, 2, 99) / 1e3);
	cell(r, lock, true, "%.0f", (double)ps->lock_acq[0]);
	cell(r, lock, true, "%.0f", (double)ps->lock_acq[1]);
	cell(r, cont, true, "%.0f", (double)ps->lock_cont[0]);
	cell(r, cont, true, "%.0f", (double)ps->lock_cont[1]);
	cell(r, lock, true, "%.2fms", (double)(ps->lock_wait_ns[0] + ps->lock_wait_ns[1]) / 1e6);
	cell(r, lock, waits, "%.1fus", hist_pct(lh, 2, 50) / 1e3);
	cell(r, lock, waits, "%.1fus", hist_pct(lh, 2, 99) / 1e3);
}

static void uring_cells(struct row *r, const struct lgt_pool_stats *ps)
{
	const bool *have = r->have;
	bool sub = have[FEAT_URING_SUBMIT], done = have[FEAT_URING_COMPLETE];
	/* Hints through io_uring, or madvise(2) seen taking mmap_lock. */
	bool hinted = (sub || have[FEAT_LOCK]) && have[FEAT_FAULTS] && have[FEAT_COMPLETION];
	const __u64 *h = ps->hist[LGT_H_URING];
	__u64 timed = hist_total(h);

	cell(r, sub, true, "%.0f", (double)ps->uring_submitted);
	cell(r, done, true, "%.0f", (double)ps->uring_completed);
	cell(r, done, true, "%.0f", (double)ps->uring_failed);
	cell(r, sub && done, timed, "%.1fus", hist_pct(h, 1, 50) / 1e3);
	cell(r, sub && done, timed, "%.1fus", hist_pct(h, 1, 99) / 1e3);
	cell(r, hinted, true, "%.0f", (double)ps->hinted_minor);
	cell(r, hinted, true, "%.0f", (double)ps->hinted_major);
}

/* A table with a row per active pool and a total row. */
struct table {
	const char *title; /* of the first column */
	const char *const *heads;
	const int *widths;
	int ncols;
	bool (*active)(const struct lgt_pool_stats *);
	void (*cells)(struct row *r, const struct lgt_pool_stats *ps);
};

static const char *const fault_heads[] = {"FAULTS",  "MAJOR",	 "SWAPIN",  "SWAPOUT", "FLT-p50",
					  "FLT-p99", "LOCK-R",	 "LOCK-W",  "CONT-R",  "CONT-W",
					  "WAIT",    "WAIT-p50", "WAIT-p99"};
static const int fault_widths[] = {10, 8, 8, 8, 9, 9, 9, 9, 7, 7, 9, 9, 9};
static const char *const uring_heads[] = {"SUBMIT",  "DONE",	   "FAILED",	"LAT-p50",
					  "LAT-p99", "HINTED-MIN", "HINTED-MAJ"};
static const int uring_widths[] = {10, 8, 8, 9, 9, 11, 11};

#define COUNT(a) ((int)(sizeof(a) / sizeof((a)[0])))
_Static_assert(COUNT(fault_heads) == COUNT(fault_widths), "a width per column");
_Static_assert(COUNT(uring_heads) == COUNT(uring_widths), "a width per column");
static const struct table fault_table = {
	.title = "POOL",
	.heads = fault_heads,
	.widths = fault_widths,
	.ncols = COUNT(fault_heads),
	.active = pool_active,
	.cells = fault_cells,
};
static const struct table uring_table = {
	.title = "MADVISE",
	.heads = uring_heads,
	.widths = uring_widths,
	.ncols = COUNT(uring_heads),
	.active = uring_active,
	.cells = uring_cells,
};

static void print_pools(FILE *o, const bool *have, const struct snapshot *s, const struct table *t)
{
	struct lgt_pool_stats total = {};
	char name[16];

	fprintf(o, "%-11s", t->title);
	for (int i = 0; i < t->ncols; i++)
		fprintf(o, " %*s", t->widths[i], t->heads[i]);
	fputc('\n', o);
	for (int p = 0; p <= LGT_NUM_POOLS; p++) {
		const struct lgt_pool_stats *ps = p < LGT_NUM_POOLS ? &s->pool[p] : &total;
		struct row r = {o, t->widths, 0, have, p < LGT_NUM_POOLS ? p : -1};

		if (p < LGT_NUM_POOLS) {
			if (!t->active(ps))
				continue;
			add_pool(&total, ps);
			pool_name(p, name, sizeof(name));
		} else {
			snprintf(name, sizeof(name), "total");
		}
		fprintf(o, "%-11s", name);
		t->cells(&r, ps);
		fputc('\n', o);
	}
}

void print_table(FILE *o, const bool *have, const struct snapshot *s)
{
	print_pools(o, have, s, &fault_table);
	for (int p = 0; p < LGT_NUM_POOLS; p++) {
		if (uring_active(&s->pool[p])) {
			print_pools(o, have, s, &uring_table);
			break;
		}
	}
}

/* ---- histograms ---- */

_Static_assert(sizeof(__u64) == sizeof(uint64_t), "the slots are printed as uint64_t");

static void print_hist(FILE *o, const char *title, const __u64 *h)
{
	if (!hist_total(h))
		return;
	fprintf(o, "  %s\n", title);
	log2_hist_print(o, (const uint64_t *)h, LGT_HIST_SLOTS, "ns");
}

void print_hists(FILE *o, const struct snapshot *s)
{
	char name[16];

	for (int p = 0; p < LGT_NUM_POOLS; p++) {
		if (!pool_active(&s->pool[p]))
			continue;
		pool_name(p, name, sizeof(name));
		fprintf(o, "\npool %s:\n", name);
		for (int h = 0; h < LGT_NUM_HISTS; h++)
			print_hist(o, hist_names[h], s->pool[p].hist[h]);
	}
}

/* ---- per process ---- */

static size_t procs_faulted(const struct summary *sum)
{
	size_t n = 0;

	for (size_t i = 0; i < sum->nprocs; i++)
		n += sum->procs[i].faults > 0;
	return n;
}

bool report_per_process(const struct summary *sum)
{
	return sum->procs && (sum->per_process || procs_faulted(sum) > 1);
}

/* Whether process @r has a row: it faulted, or every process has one. */
static bool proc_shown(const struct summary *sum, const struct proc_row *r)
{
	return r->faults || sum->per_process;
}

static int by_faults_desc(const void *a, const void *b)
{
	unsigned long long x = *(const unsigned long long *)a, y = *(const unsigned long long *)b;

	return x < y ? 1 : x > y ? -1 : 0;
}

/* The fewest faults a row needs to be among the PROCS_TEXT_ROWS with the
 * most (0: every row fits). */
static unsigned long long procs_cutoff(const struct summary *sum)
{
	unsigned long long *f, cut;
	size_t n = 0;

	for (size_t i = 0; i < sum->nprocs; i++)
		n += proc_shown(sum, &sum->procs[i]);
	if (sum->per_process || n <= PROCS_TEXT_ROWS || !(f = malloc(n * sizeof(*f))))
		return 0;
	n = 0;
	for (size_t i = 0; i < sum->nprocs; i++)
		if (proc_shown(sum, &sum->procs[i]))
			f[n++] = sum->procs[i].faults;
	qsort(f, n, sizeof(*f), by_faults_desc);
	cut = f[PROCS_TEXT_ROWS - 1];
	free(f);
	return cut;
}

void print_procs(FILE *o, const struct summary *sum)
{
	unsigned long long cut = procs_cutoff(sum), left_faults = 0;
	size_t rows = 0, left = 0;

	fprintf(o, "%-8s %8s %-16s %10s %8s %8s\n", "PID", "PPID", "COMM", "FAULTS", "MAJOR", "SWAPIN");
	for (size_t i = 0; i < sum->nprocs; i++) {
		const struct proc_row *r = &sum->procs[i];
		char ppid[16] = "-", major[24], swapins[24];

		if (!proc_shown(sum, r))
			continue;
		/* Ties at the cut-off: the first ones. */
		if (r->faults < cut || (cut && rows == PROCS_TEXT_ROWS)) {
			left++;
			left_faults += r->faults;
			continue;
		}
		rows++;
		if (r->ppid)
			snprintf(ppid, sizeof(ppid), "%d", (int)r->ppid);
		snprintf(major, sizeof(major), "%llu", r->major);
		snprintf(swapins, sizeof(swapins), "%llu", r->swapins);
		/* n/a as in the pool table: a process's swap-ins without PSWPIN
		 * would be those on lgalloc's areas only. */
		fprintf(o, "%-8d %8s %-16s %10llu %8s %8s\n", (int)r->pid, ppid, r->comm, r->faults,
			sum->have[FEAT_COMPLETION] ? major : "n/a",
			swapins_known(sum->have, LGT_POOL_OTHER) ? swapins : "n/a");
	}
	if (left)
		fprintf(o, "(%zu more processes with %llu faults; --per-process or --json lists all)\n", left,
			left_faults);
	if (sum->nprocs > procs_faulted(sum) && !sum->per_process)
		fprintf(o, "(%zu processes traced, %zu faulted; --per-process lists all)\n", sum->nprocs,
			procs_faulted(sum));
}

/* ---- the summary, as text ---- */

void print_summary(FILE *o, const struct summary *sum, const struct snapshot *s)
{
	const struct kernel_counts *k = &sum->kernel;
	const bool *have = sum->have;
	struct lgt_pool_stats total;
	const char *sep = " (n/a:";

	snapshot_total(&total, s);
	if (sum->target)
		fprintf(o, "\nlgtrace: %s, %.2f s", sum->target, sum->seconds);
	else
		fprintf(o, "\nlgtrace: PID %d, %.2f s", sum->pid, sum->seconds);
	for (int f = FEAT_FAULTS; f <= FEAT_LAST_TP; f++) {
		if (!have[f]) {
			fprintf(o, "%s %s", sep, feature_names[f]);
			sep = ",";
		}
	}
	fputs(*sep == ',' ? ")\n" : "\n", o);
	for (int f = FEAT_FAULTS; sum->why && f <= FEAT_LAST_TP; f++)
		if (!have[f] && sum->why[f])
			fprintf(o, "  n/a %s: %s\n", feature_names[f], sum->why[f]);
	print_table(o, have, s);
	if (report_per_process(sum))
		print_procs(o, sum);
	if (k->valid && have[FEAT_COMPLETION])
		fprintf(o, "kernel (%s): minflt %llu majflt %llu; lgtrace: minor %llu major %llu\n",
			k->source, k->minflt, k->majflt, (unsigned long long)(total.faults - total.major),
			(unsigned long long)total.major);
	else if (k->valid)
		fprintf(o, "kernel (%s): minflt %llu majflt %llu; lgtrace: faults %llu\n", k->source,
			k->minflt, k->majflt, (unsigned long long)total.faults);
	if (have[FEAT_COMPLETION] && sum->latency_sample > 1)
		fprintf(o,
			"fault latency: 1 fault in %u timed per thread, and every swap or file read "
			"(--latency-sample)\n",
			sum->latency_sample);
	if (sum->hists)
		print_hists(o, s);
}

/* ---- JSON ---- */

/* Counters as JSON integers: they count events and stay below 2^63. */
#define JU(v) ((json_int_t)(v))

/* A percentile in whole nanoseconds, rounded as "%.0f" rounds. */
static json_int_t json_ns(double v)
{
	return (json_int_t)nearbyint(v);
}

/* Seconds, to the millisecond ("%.3f" before jansson); the 10 significant
 * digits of lg_json_dump() keep them exact up to the longest -d (1e7 s). */
static json_t *json_seconds(double v)
{
	return json_real(round(v * 1e3) / 1e3);
}

static json_t *json_hist(const __u64 *h)
{
	json_t *slots = json_array();

	for (int i = 0; slots && i < LGT_HIST_SLOTS; i++) {
		if (!h[i])
			continue;
		if (json_array_append_new(slots, json_pack("[III]", JU(i ? 1ULL << i : 0ULL),
							   JU((1ULL << (i + 1)) - 1), JU(h[i])))) {
			json_decref(slots);
			return NULL;
		}
	}
	return json_pack("{sI sI sI so}", "count", JU(hist_total(h)), "p50_ns", json_ns(hist_pct(h, 1, 50)),
			 "p99_ns", json_ns(hist_pct(h, 1, 99)), "log2_ns", slots);
}

static json_t *json_hists(const struct lgt_pool_stats *ps)
{
	json_t *o = json_object();

	for (int h = 0; o && h < LGT_NUM_HISTS; h++) {
		if (json_object_set_new(o, hist_keys[h], json_hist(ps->hist[h]))) {
			json_decref(o);
			return NULL;
		}
	}
	return o;
}

static json_t *json_lock(const struct lgt_pool_stats *ps, int w)
{
	return json_pack("{sI sI sI sI}", "acquisitions", JU(ps->lock_acq[w]), "contended",
			 JU(ps->lock_cont[w]), "failed", JU(ps->lock_failed[w]), "wait_ns",
			 JU(ps->lock_wait_ns[w]));
}

static json_t *json_pool(int p, const struct lgt_pool_stats *ps, bool hists)
{
	json_t *cls = NULL, *hs = NULL;
	char name[16];

	pool_name(p, name, sizeof(name));
	/* The pseudo pools have no class; the intervals no histograms. */
	if ((p < LGT_NUM_CLASS && !(cls = json_integer(LGT_MIN_CLASS + p))) ||
	    (hists && !(hs = json_hists(ps)))) {
		json_decref(cls);
		return NULL;
	}
	/* "o*": a NULL value leaves its key out. */
	return json_pack("{ss so* sI sI sI sI sI s{sI sI} s{so so} s{sI sI sI sI} s{sI sI} so*}", "pool",
			 name, "class_log2", cls, "faults", JU(ps->faults), "minor",
			 JU(ps->faults - ps->major), "major", JU(ps->major), "swapins", JU(ps->swapins),
			 "swapouts", JU(ps->swapouts), "fault_ns", "minor", JU(ps->fault_ns[0]), "major",
			 JU(ps->fault_ns[1]), "mmap_lock", "read", json_lock(ps, 0), "write",
			 json_lock(ps, 1), "io_uring_madvise", "submitted", JU(ps->uring_submitted),
			 "completed", JU(ps->uring_completed), "failed", JU(ps->uring_failed), "latency_ns",
			 JU(ps->uring_ns), "prefetch", "hinted_minor", JU(ps->hinted_minor), "hinted_major",
			 JU(ps->hinted_major), "histograms", hs);
}

json_t *report_json_pools(const struct snapshot *s, bool hists)
{
	json_t *pools = json_array();

	for (int p = 0; pools && p < LGT_NUM_POOLS; p++) {
		if (!pool_active(&s->pool[p]))
			continue;
		if (json_array_append_new(pools, json_pool(p, &s->pool[p], hists))) {
			json_decref(pools);
			return NULL;
		}
	}
	return pools;
}

int report_json_interval(json_t *intervals, double t, const struct snapshot *s)
{
	json_t *iv = json_pack("{so so}", "t", json_seconds(t), "pools", report_json_pools(s, false));

	return json_array_append_new(intervals, iv) ? -ENOMEM : 0;
}

/* Set member @path ("a.b.c") of @o to null where it exists. */
static void json_null_at(json_t *o, const char *path)
{
	char key[64];
	const char *dot;

	while (o && (dot = strchr(path, '.'))) {
		snprintf(key, sizeof(key), "%.*s", (int)(dot - path), path);
		o = json_object_get(o, key);
		path = dot + 1;
	}
	if (json_is_object(o) && json_object_get(o, path))
		json_object_set_new(o, path, json_null());
}

/*
 * What a kernel without a feature cannot measure is null, not 0: the
 * members of a pool (or of the total) each feature's absence leaves
 * unknown.  The text tables say n/a for the same (fault_cells,
 * uring_cells).
 */
static void null_unavailable(json_t *o, const bool *have)
{
	static const struct {
		enum feature f;
		const char *paths;
	} unknown[] = {
		{FEAT_FAULTS, "faults minor major fault_ns histograms.fault_minor histograms.fault_major"},
		{FEAT_COMPLETION,
		 "minor major swapins fault_ns histograms.fault_minor histograms.fault_major "
		 "histograms.swapin prefetch"},
		{FEAT_LOCK, "mmap_lock histograms.mmap_lock_read histograms.mmap_lock_write"},
		{FEAT_CONTENTION, "mmap_lock.read.contended mmap_lock.write.contended"},
		{FEAT_SWAPOUT, "swapouts"},
		{FEAT_URING_SUBMIT, "io_uring_madvise.submitted io_uring_madvise.latency_ns "
				    "histograms.io_uring_madvise"},
		{FEAT_URING_COMPLETE, "io_uring_madvise.completed io_uring_madvise.failed "
				      "io_uring_madvise.latency_ns histograms.io_uring_madvise"},
	};
	char path[64];

	for (size_t i = 0; i < sizeof(unknown) / sizeof(unknown[0]); i++) {
		if (have[unknown[i].f])
			continue;
		for (const char *p = unknown[i].paths; *p;) {
			size_t n = strcspn(p, " ");

			snprintf(path, sizeof(path), "%.*s", (int)n, p);
			json_null_at(o, path);
			p += n + (p[n] == ' ');
		}
	}
	/* Hints are seen through io_uring or madvise(2) under mmap_lock. */
	if (!have[FEAT_URING_SUBMIT] && !have[FEAT_LOCK])
		json_null_at(o, "prefetch");
}

static void null_pools(json_t *pools, const bool *have)
{
	json_t *p;
	size_t i;

	json_array_foreach(pools, i, p)
	{
		null_unavailable(p, have);
		/* The pseudo pools (no class_log2) without PSWPIN. */
		if (!have[FEAT_SWAPIN_OTHER] && !json_object_get(p, "class_log2")) {
			json_null_at(p, "swapins");
			json_null_at(p, "histograms.swapin");
		}
	}
}

/* The processes as in the text breakdown; "major" and "swapins" null
 * where the kernel cannot tell. */
static json_t *json_procs(const struct summary *sum)
{
	bool comp = sum->have[FEAT_COMPLETION];
	json_t *a = json_array();

	for (size_t i = 0; a && i < sum->nprocs; i++) {
		const struct proc_row *r = &sum->procs[i];

		if (!proc_shown(sum, r))
			continue;
		if (json_array_append_new(
			    a,
			    json_pack("{sI so so sI so so}", "pid", (json_int_t)r->pid, "ppid",
				      r->ppid ? json_integer(r->ppid) : json_null(), "comm",
				      lg_json_string(r->comm), "faults", JU(r->faults), "major",
				      comp ? json_integer(JU(r->major)) : json_null(), "swapins",
				      swapins_known(sum->have, LGT_POOL_OTHER) ? json_integer(JU(r->swapins))
									       : json_null()))) {
			json_decref(a);
			return NULL;
		}
	}
	return a;
}

json_t *report_json(const struct summary *sum, const struct snapshot *s, json_t *intervals)
{
	const struct kernel_counts *k = &sum->kernel;
	const struct lgt_diag *d = &sum->diag;
	json_t *features = json_object(), *kernel = NULL, *why = json_object(), *doc, *iv;
	struct lgt_pool_stats total;
	size_t i;

	for (int f = 0; features && f < NUM_FEATURES; f++) {
		if (json_object_set_new(features, feature_names[f], json_boolean(sum->have[f]))) {
			json_decref(features);
			features = NULL;
		}
	}
	/* Why each missing tracepoint feature is missing. */
	for (int f = FEAT_FAULTS; why && sum->why && f <= FEAT_LAST_TP; f++) {
		if (!sum->have[f] && sum->why[f] &&
		    json_object_set_new(why, feature_names[f], lg_json_string(sum->why[f]))) {
			json_decref(why);
			why = NULL;
		}
	}
	/* Left out when every feature is there. */
	if (why && !json_object_size(why)) {
		json_decref(why);
		why = NULL;
	}
	if (k->valid && !(kernel = json_pack("{ss sI sI}", "source", k->source, "minflt",
					     (json_int_t)k->minflt, "majflt", (json_int_t)k->majflt))) {
		json_decref(features);
		json_decref(why);
		return NULL;
	}
	snapshot_total(&total, s);
	doc = json_pack(
		"{sI so sI so so* s{sI sI sI sI s{sI sI} s{sI sI}} so* s{sI sI sI sI sI sI sI} sO* so}",
		"pid", (json_int_t)sum->pid, "seconds", json_seconds(sum->seconds), "latency_sample",
		(json_int_t)sum->latency_sample, "features", features, "unavailable", why, "total", "faults",
		JU(total.faults), "major", JU(total.major), "swapins", JU(total.swapins), "swapouts",
		JU(total.swapouts), "io_uring_madvise", "submitted", JU(total.uring_submitted), "completed",
		JU(total.uring_completed), "prefetch", "hinted_minor", JU(total.hinted_minor), "hinted_major",
		JU(total.hinted_major), "kernel", kernel, "diagnostics", "faults_without_entry",
		JU(d->faults_no_entry), "usdt_prefixes", JU(d->area_updates), "prefix_failures",
		JU(d->area_fail), "slot_takeovers", JU(d->slot_takeovers), "registry_areas",
		(json_int_t)sum->registry_areas, "uring_unmatched", JU(d->uring_unmatched), "hints_truncated",
		JU(d->hint_truncated), "intervals", intervals, "pools", report_json_pools(s, true));
	if (!doc)
		return NULL;
	if (sum->target && json_object_set_new(doc, "target", lg_json_string(sum->target))) {
		json_decref(doc);
		return NULL;
	}
	if (report_per_process(sum) && json_object_set_new(doc, "processes", json_procs(sum))) {
		json_decref(doc);
		return NULL;
	}
	null_unavailable(json_object_get(doc, "total"), sum->have);
	if (!sum->have[FEAT_SWAPIN_OTHER])
		json_null_at(json_object_get(doc, "total"), "swapins");
	null_pools(json_object_get(doc, "pools"), sum->have);
	json_array_foreach(intervals, i, iv) null_pools(json_object_get(iv, "pools"), sum->have);
	return doc;
}

/*
 * lgtrace's JSON layout: the document's members one a line, the pools one
 * a line below them, each interval on a line of its own above its pools.
 * Every value is written by jansson (lg_json_dump on one line); only the
 * line breaks and indents are laid out here.
 */
static int write_pools(FILE *o, const json_t *pools);
static int write_bench(FILE *o, const json_t *bench);

/* An interval's line, {"t": T, "pools": [, and its pools below it. */
static int write_interval(const json_t *iv, FILE *o)
{
	if (fputs("{\"t\": ", o) == EOF || lg_json_dump(json_object_get(iv, "t"), o) ||
	    fputs(", \"pools\": ", o) == EOF || write_pools(o, json_object_get(iv, "pools")))
		return -EIO;
	return fputc('}', o) == EOF ? -EIO : 0;
}

/* An array with an item a line, indented by 4, written by ITEM; END closes it. */
static int write_lines(FILE *o, const json_t *array, int (*item)(const json_t *, FILE *), const char *end)
{
	const json_t *v;
	size_t i;

	if (fputc('[', o) == EOF)
		return -EIO;
	json_array_foreach(array, i, v)
	{
		if (fputs(i ? ",\n    " : "\n    ", o) == EOF || item(v, o))
			return -EIO;
	}
	return fputs(end, o) == EOF ? -EIO : 0;
}

static int write_pools(FILE *o, const json_t *pools)
{
	return write_lines(o, pools, lg_json_dump, "]");
}

/* lgtrace --bench's object: its sampling on the first line, then a row a
 * line, then rows_dropped. */
static int write_bench(FILE *o, const json_t *bench)
{
	if (fputs("{\"sampling\": ", o) == EOF || lg_json_dump(json_object_get(bench, "sampling"), o) ||
	    fputs(", \"rows\": ", o) == EOF ||
	    write_lines(o, json_object_get(bench, "rows"), lg_json_dump, "\n  ]") ||
	    fputs(", \"rows_dropped\": ", o) == EOF ||
	    lg_json_dump(json_object_get(bench, "rows_dropped"), o) || fputc('}', o) == EOF)
		return -EIO;
	return 0;
}

int report_json_write(FILE *o, const json_t *doc)
{
	const char *key;
	const json_t *v;
	bool first = true;
	int err;

	if (fputc('{', o) == EOF)
		return -EIO;
	json_object_foreach((json_t *)doc, key, v)
	{
		if (fprintf(o, "%s\n  \"%s\": ", first ? "" : ",", key) < 0)
			return -EIO;
		if (!strcmp(key, "pools") || !strcmp(key, "processes"))
			err = write_pools(o, v);
		else if (!strcmp(key, "intervals"))
			err = write_lines(o, v, write_interval, "\n  ]");
		else if (!strcmp(key, "bench") && json_is_object(v))
			err = write_bench(o, v);
		else
			err = lg_json_dump(v, o);
		if (err)
			return err;
		first = false;
	}
	return fputs("\n}\n", o) == EOF ? -EIO : 0;
}
