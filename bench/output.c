// SPDX-License-Identifier: MIT
/* Human, CSV and JSON output of lgbench's records. */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "output.h"
#include "util.h"

#define MAX_FIELDS	40
#define CCDF_PER_DECADE 20

static const struct {
	const char *key;
	double p;
} percentiles[] = {{"p50_ns", 50}, {"p90_ns", 90}, {"p99_ns", 99}, {"p999_ns", 99.9}};

static enum out_format format;
static const struct run_env *env;
static unsigned nrecords;
static FILE *csv_extra; /* --csv-out */

struct field {
	const char *key;
	char val[384];
	bool str; /* quoted in JSON */
};

struct fields {
	struct field f[MAX_FIELDS];
	unsigned n;
};

static void __attribute__((format(printf, 4, 5)))
add(struct fields *fs, const char *key, bool str, const char *fmt, ...)
{
	struct field *f = &fs->f[fs->n++];
	va_list ap;

	f->key = key;
	f->str = str;
	va_start(ap, fmt);
	vsnprintf(f->val, sizeof(f->val), fmt, ap);
	va_end(ap);
}

/* A number, or an empty field when there is none. */
static void add_num(struct fields *fs, const char *key, bool have, const char *fmt, double v)
{
	struct field *f = &fs->f[fs->n++];

	f->key = key;
	f->str = false;
	f->val[0] = '\0';
	if (have)
		snprintf(f->val, sizeof(f->val), fmt, v);
}

/* Whether the hints really went through io_uring. */
static const char *prefetch_note(const struct prefetch_counts *pc)
{
	static char buf[128];

	if (!pc->sync)
		return "";
	if (!pc->async)
		return "io_uring unavailable: hints fell back to synchronous madvise";
	snprintf(buf, sizeof(buf), "%" PRIu64 " hints fell back to synchronous madvise (ring full)",
		 pc->sync);
	return buf;
}

/*
 * Every field of one CSV line or JSON record, in the CSV header's order.
 * A CCDF line (kind "ccdf") carries latency_ns and ccdf, the fraction of
 * operations slower than latency_ns; a summary line leaves them empty.
 */
static void fill(struct fields *fs, const struct record *rec, const char *kind, uint64_t lat, double frac)
{
	const struct run_result *r = rec->res;
	const struct hist *h = r ? r->hist : NULL;
	bool ok = r && h->count, point = !strcmp(kind, "ccdf"), pf = r && r->have_pf;
	const struct mem_limit *ml = &env->limit;

	fs->n = 0;
	add(fs, "kind", true, "%s", kind);
	add(fs, "mode", true, "%s", rec->mode);
	add(fs, "row", true, "%s", rec->row);
	add(fs, "threads", false, "%u", rec->threads);
	add(fs, "status", true, "%s", rec->status);
	add_num(fs, "ops", r, "%.0f", r ? (double)r->ops : 0);
	add_num(fs, "seconds", r, "%.6f", r ? r->seconds : 0);
	add_num(fs, "ops_per_s", r, "%.1f", r && r->seconds > 0 ? (double)r->ops / r->seconds : 0);
	add_num(fs, "avg_ns", ok, "%.1f", ok ? hist_mean(h) : 0);
	add_num(fs, "min_ns", ok, "%.0f", ok ? (double)h->min : 0);
	for (unsigned i = 0; i < ARRAY_SIZE(percentiles); i++)
		add_num(fs, percentiles[i].key, ok, "%.0f",
			ok ? (double)hist_percentile(h, percentiles[i].p) : 0);
	add_num(fs, "max_ns", ok, "%.0f", ok ? (double)h->max : 0);
	add_num(fs, "minflt", r, "%.0f", r ? (double)r->minflt : 0);
	add_num(fs, "majflt", r, "%.0f", r ? (double)r->majflt : 0);
	add_num(fs, "latency_ns", point, "%.0f", (double)lat);
	add_num(fs, "ccdf", point, "%.9g", frac);
	if (ml->bytes == MEM_UNLIMITED)
		add(fs, "mem_limit_bytes", true, "unlimited");
	else
		add(fs, "mem_limit_bytes", false, "%" PRIu64, ml->bytes);
	add(fs, "mem_limit_source", true, "%s", ml->version[0] ? ml->source : "none");
	if (ml->swap_bytes == MEM_UNLIMITED)
		add(fs, "swap_limit_bytes", true, "unlimited");
	else
		add(fs, "swap_limit_bytes", false, "%" PRIu64, ml->swap_bytes);
	add(fs, "swap", true, "%s", env->swap);
	add(fs, "thp", true, "%s", env->thp);
	add(fs, "kernel", true, "%s", env->kernel);
	add(fs, "cpus", false, "%ld", env->cpus);
	add(fs, "warmup_ms", false, "%lu", env->warmup_ms);
	add(fs, "measure_ms", false, "%lu", env->measure_ms);
	add(fs, "total_mib", false, "%lu", env->total_mib);
	add(fs, "prefetch_workers", false, "%ld", env->prefetch_workers);
	/* lgalloc_prefetch_async hints in the window, for the rows that use it. */
	add_num(fs, "prefetch_async", pf, "%.0f", pf ? (double)r->pf.async : 0);
	add_num(fs, "prefetch_completed", pf, "%.0f", pf ? (double)r->pf.completed : 0);
	add_num(fs, "prefetch_failed", pf, "%.0f", pf ? (double)r->pf.failed : 0);
	add_num(fs, "prefetch_sync", pf, "%.0f", pf ? (double)r->pf.sync : 0);
	add(fs, "note", true, "%s", rec->note ? rec->note : pf ? prefetch_note(&r->pf) : "");
}

static void csv_value(FILE *f, const char *s)
{
	if (!strpbrk(s, ",\"\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

static void emit_csv(FILE *f, const struct fields *fs, bool header)
{
	for (unsigned i = 0; i < fs->n; i++) {
		if (i)
			fputc(',', f);
		csv_value(f, header ? fs->f[i].key : fs->f[i].val);
	}
	fputc('\n', f);
}

static void emit_json_fields(const struct fields *fs)
{
	for (unsigned i = 0; i < fs->n; i++) {
		const struct field *f = &fs->f[i];

		printf("%s\"%s\": ", i ? ", " : "", f->key);
		if (f->str)
			json_string(f->val);
		else
			fputs(f->val[0] ? f->val : "null", stdout);
	}
}

/*
 * CCDF points: log-spaced latencies, CCDF_PER_DECADE a decade, from the
 * fastest operation to the slowest, with the fraction of operations slower
 * than each.  Calls @point for each; stops after the fraction reaches 0.
 */
static void for_each_ccdf_point(const struct hist *h, void (*point)(uint64_t lat, double frac, void *arg),
				void *arg)
{
	double step = pow(10.0, 1.0 / CCDF_PER_DECADE);
	uint64_t last = UINT64_MAX;

	if (!h->count)
		return;
	for (double t = h->min > 1 ? (double)h->min : 1; last < h->max || last == UINT64_MAX; t *= step) {
		uint64_t lat = (uint64_t)t;

		if (lat == last)
			continue;
		last = lat < h->max ? lat : h->max;
		point(last, (double)hist_count_above(h, last) / (double)h->count, arg);
	}
}

struct ccdf_emit {
	const struct record *rec;
	FILE *f;
	unsigned n;
};

static void csv_point(uint64_t lat, double frac, void *arg)
{
	struct ccdf_emit *e = arg;
	struct fields fs;

	fill(&fs, e->rec, "ccdf", lat, frac);
	emit_csv(e->f, &fs, false);
}

/* A summary line, then the CCDF lines if asked for. */
static void csv_record(FILE *f, const struct record *rec)
{
	struct fields fs;
	struct ccdf_emit e = {.rec = rec, .f = f};

	fill(&fs, rec, "summary", 0, 0);
	emit_csv(f, &fs, false);
	if (rec->ccdf && rec->res)
		for_each_ccdf_point(rec->res->hist, csv_point, &e);
	fflush(f);
}

static void json_point(uint64_t lat, double frac, void *arg)
{
	struct ccdf_emit *e = arg;

	printf("%s[%" PRIu64 ", %.9g]", e->n++ ? ", " : "", lat, frac);
}

static void human_record(const struct record *rec)
{
	const struct run_result *r = rec->res;
	char ops[32], v[6][16];

	if (!r) {
		printf("%-30s %4u  %s%s%s\n", rec->row, rec->threads, rec->status, rec->note ? ": " : "",
		       rec->note ? rec->note : "");
		return;
	}
	format_count(ops, sizeof(ops), r->seconds > 0 ? (double)r->ops / r->seconds : 0);
	format_ns(v[0], sizeof(v[0]), hist_mean(r->hist));
	for (unsigned i = 0; i < ARRAY_SIZE(percentiles); i++)
		format_ns(v[1 + i], sizeof(v[0]), (double)hist_percentile(r->hist, percentiles[i].p));
	format_ns(v[5], sizeof(v[0]), (double)r->hist->max);
	/* p90 (v[2]) is in the machine formats only, as in the guide's tables. */
	printf("%-30s %4u %13s %9s %9s %9s %9s %9s %8ld\n", rec->row, rec->threads, ops, v[0], v[1], v[3],
	       v[4], v[5], r->majflt);
	if (r->have_pf) {
		const char *note = prefetch_note(&r->pf);

		printf("    hints: %" PRIu64 " io_uring (%" PRIu64 " completed, %" PRIu64 " failed), %" PRIu64
		       " sync%s%s\n",
		       r->pf.async, r->pf.completed, r->pf.failed, r->pf.sync, note[0] ? ": " : "", note);
	}
	if (rec->ccdf && r->hist->count) {
		printf("    CCDF, share of operations slower than:");
		for (double t = 100; t < 1e11; t *= 10) {
			char lat[16];

			format_ns(lat, sizeof(lat), t);
			printf(" %s %.3g%%", lat,
			       100.0 * (double)hist_count_above(r->hist, (uint64_t)t) /
				       (double)r->hist->count);
			if (t > (double)r->hist->max)
				break;
		}
		putchar('\n');
	}
}

void output_init(enum out_format fmt, const struct run_env *e, FILE *csv_copy)
{
	char limit[PATH_MAX + 64], swap_limit[32];
	struct fields fs;
	struct record none = {.mode = "", .row = "", .status = ""};

	format = fmt;
	env = e;
	nrecords = 0;
	csv_extra = csv_copy;
	fill(&fs, &none, "", 0, 0);
	if (csv_extra)
		emit_csv(csv_extra, &fs, true);
	if (env->limit.swap_bytes == MEM_UNLIMITED)
		snprintf(swap_limit, sizeof(swap_limit), "unlimited");
	else
		format_bytes(swap_limit, sizeof(swap_limit), env->limit.swap_bytes);
	mem_limit_describe(&env->limit, limit, sizeof(limit));
	switch (format) {
	case OUT_HUMAN:
		printf("lgbench %s: Linux %s, %ld CPUs, THP %s\n", LG_VERSION, env->kernel, env->cpus,
		       env->thp);
		printf("memory limit: %s\n", limit);
		printf("swap: %s (cgroup swap limit: %s)\n", env->swap, swap_limit);
		printf("warm-up %lu ms (excluded), measured %lu ms; each operation timed on its own\n",
		       env->warmup_ms, env->measure_ms);
		break;
	case OUT_CSV:
		emit_csv(stdout, &fs, true);
		fprintf(stderr, "lgbench: memory limit: %s\n", limit);
		break;
	case OUT_JSON:
		printf("[\n");
		fprintf(stderr, "lgbench: memory limit: %s\n", limit);
		break;
	}
	fflush(stdout);
}

void output_section(const char *fmt, ...)
{
	va_list ap;

	if (format != OUT_HUMAN)
		return;
	putchar('\n');
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n%-30s %4s %13s %9s %9s %9s %9s %9s %8s\n", "row", "thr", "ops/s", "avg", "p50", "p99",
	       "p99.9", "max", "majflt");
}

void output_note(const char *fmt, ...)
{
	FILE *f = format == OUT_HUMAN ? stdout : stderr;
	va_list ap;

	va_start(ap, fmt);
	vfprintf(f, fmt, ap);
	va_end(ap);
	fputc('\n', f);
	fflush(f);
}

void output_record(const struct record *rec)
{
	struct fields fs;
	struct ccdf_emit e = {.rec = rec};
	bool ccdf = rec->ccdf && rec->res;

	if (csv_extra)
		csv_record(csv_extra, rec);
	switch (format) {
	case OUT_HUMAN:
		human_record(rec);
		break;
	case OUT_CSV:
		csv_record(stdout, rec);
		break;
	case OUT_JSON:
		fill(&fs, rec, "summary", 0, 0);
		printf("%s{", nrecords ? ",\n" : "");
		emit_json_fields(&fs);
		if (ccdf) {
			printf(", \"ccdf_points\": [");
			for_each_ccdf_point(rec->res->hist, json_point, &e);
			putchar(']');
		}
		putchar('}');
		break;
	}
	nrecords++;
	fflush(stdout);
}

void output_finish(void)
{
	if (format == OUT_JSON)
		printf("%s]\n", nrecords ? "\n" : "");
	fflush(stdout);
}
