// SPDX-License-Identifier: MIT
/*
 * Human, CSV and JSON output of lgbench's records.  JSON goes through
 * jansson (common/json.h): escaping and number formatting are its job.
 */
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/json.h"
#include "common/parse.h"
#include "output.h"
#include "util.h"

#define MAX_FIELDS	40
#define CCDF_PER_DECADE 20
#define CCDF_FORMAT	"%.9g"

static const struct {
	const char *key;
	double p;
} percentiles[] = {{"p50_ns", 50}, {"p90_ns", 90}, {"p99_ns", 99}, {"p999_ns", 99.9}};

static enum out_format format;
static const struct run_env *env;
static unsigned nrecords;
static FILE *csv_extra; /* --csv-out */

/* A field's JSON type; the CSV has the text alone. */
enum field_type { F_NULL, F_STRING, F_INT, F_REAL };

struct field {
	const char *key;
	char val[384]; /* the CSV text ("" for F_NULL) */
	enum field_type type;
	long long i;
	double d; /* the value as val has it: both formats carry the same digits */
};

struct fields {
	struct field f[MAX_FIELDS];
	unsigned n;
};

static struct field *add(struct fields *fs, const char *key, enum field_type type)
{
	struct field *f = &fs->f[fs->n++];

	f->key = key;
	f->type = type;
	f->val[0] = '\0';
	return f;
}

static void __attribute__((format(printf, 3, 4)))
add_str(struct fields *fs, const char *key, const char *fmt, ...)
{
	struct field *f = add(fs, key, F_STRING);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(f->val, sizeof(f->val), fmt, ap);
	va_end(ap);
}

/* An integer, or an empty field (JSON null) when there is none. */
static void add_int(struct fields *fs, const char *key, bool have, long long v)
{
	struct field *f = add(fs, key, have ? F_INT : F_NULL);

	if (have) {
		f->i = v;
		snprintf(f->val, sizeof(f->val), "%lld", v);
	}
}

/* A real printed with FMT, or an empty field (JSON null) when there is none. */
static void add_real(struct fields *fs, const char *key, bool have, const char *fmt, double v)
{
	struct field *f = add(fs, key, have ? F_REAL : F_NULL);

	if (have) {
		snprintf(f->val, sizeof(f->val), fmt, v);
		f->d = strtod(f->val, NULL);
	}
}

/* A byte limit: a number, or the string "unlimited". */
static void add_limit(struct fields *fs, const char *key, uint64_t v)
{
	if (v == CG_NO_LIMIT)
		add_str(fs, key, "unlimited");
	else
		add_int(fs, key, true, (long long)v);
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
	bool hp = r && r->have_huge && r->huge_checked;
	const struct mem_limit *ml = &env->limit;

	fs->n = 0;
	add_str(fs, "kind", "%s", kind);
	add_str(fs, "mode", "%s", rec->mode);
	add_str(fs, "row", "%s", rec->row);
	add_int(fs, "threads", true, rec->threads);
	add_str(fs, "status", "%s", rec->status);
	add_int(fs, "ops", r, r ? (long long)r->ops : 0);
	add_real(fs, "seconds", r, "%.6f", r ? r->seconds : 0);
	add_real(fs, "ops_per_s", r, "%.1f", r && r->seconds > 0 ? (double)r->ops / r->seconds : 0);
	add_real(fs, "avg_ns", ok, "%.1f", ok ? hist_mean(h) : 0);
	add_int(fs, "min_ns", ok, ok ? (long long)h->min : 0);
	for (unsigned i = 0; i < ARRAY_SIZE(percentiles); i++)
		add_int(fs, percentiles[i].key, ok, ok ? (long long)hist_percentile(h, percentiles[i].p) : 0);
	add_int(fs, "max_ns", ok, ok ? (long long)h->max : 0);
	add_int(fs, "minflt", r, r ? r->minflt : 0);
	add_int(fs, "majflt", r, r ? r->majflt : 0);
	add_int(fs, "latency_ns", point, (long long)lat);
	add_real(fs, "ccdf", point, CCDF_FORMAT, frac);
	add_limit(fs, "mem_limit_bytes", ml->bytes);
	add_str(fs, "mem_limit_source", "%s", ml->version[0] ? ml->source : "none");
	add_limit(fs, "swap_limit_bytes", ml->swap_bytes);
	add_str(fs, "swap", "%s", env->swap);
	add_str(fs, "thp", "%s", env->thp);
	add_str(fs, "kernel", "%s", env->kernel);
	add_int(fs, "cpus", true, env->cpus);
	add_int(fs, "warmup_ms", true, (long long)env->warmup_ms);
	add_int(fs, "measure_ms", true, (long long)env->measure_ms);
	add_int(fs, "total_mib", true, (long long)env->total_mib);
	add_int(fs, "prefetch_workers", true, env->prefetch_workers);
	/* lgalloc_prefetch_async hints in the window, for the rows that use it. */
	add_int(fs, "prefetch_async", pf, pf ? (long long)r->pf.async : 0);
	add_int(fs, "prefetch_completed", pf, pf ? (long long)r->pf.completed : 0);
	add_int(fs, "prefetch_failed", pf, pf ? (long long)r->pf.failed : 0);
	add_int(fs, "prefetch_sync", pf, pf ? (long long)r->pf.sync : 0);
	/* Pooled +touch rows: of the regions the threads used last, how many
	 * were checked and how many were one huge page (empty: cannot tell). */
	add_int(fs, "huge_checked", hp, hp ? r->huge_checked : 0);
	add_int(fs, "huge_regions", hp, hp ? r->huge_yes : 0);
	add_int(fs, "round", rec->round, rec->round);
	add_str(fs, "note", "%s", rec->note ? rec->note : pf ? prefetch_note(&r->pf) : "");
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

static void emit_csv(FILE *f, const struct fields *fs, bool header)
{
	for (unsigned i = 0; i < fs->n; i++) {
		if (i)
			fputc(',', f);
		csv_value(f, header ? fs->f[i].key : fs->f[i].val);
	}
	fputc('\n', f);
}

static json_t *json_value(const struct field *f)
{
	switch (f->type) {
	case F_STRING:
		return lg_json_string(f->val);
	case F_INT:
		return json_integer(f->i);
	case F_REAL:
		return json_real(f->d);
	case F_NULL:
		break;
	}
	return json_null();
}

/* The record as a JSON object, keys in the CSV header's order.  NULL when out of memory. */
static json_t *json_fields(const struct fields *fs)
{
	json_t *obj = json_object();

	for (unsigned i = 0; obj && i < fs->n; i++) {
		if (json_object_set_new(obj, fs->f[i].key, json_value(&fs->f[i]))) {
			json_decref(obj);
			obj = NULL;
		}
	}
	return obj;
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
	json_t *points; /* JSON: [latency_ns, ccdf] pairs */
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
	char text[32];

	/* The fraction with the digits of the CSV's ccdf column. */
	snprintf(text, sizeof(text), CCDF_FORMAT, frac);
	json_array_append_new(e->points, json_pack("[If]", (json_int_t)lat, strtod(text, NULL)));
}

/* One JSON record: the fields, then the CCDF points if asked for. */
static void json_record(const struct record *rec)
{
	struct fields fs;
	struct ccdf_emit e = {.rec = rec};
	json_t *obj;

	fill(&fs, rec, "summary", 0, 0);
	obj = json_fields(&fs);
	if (obj && rec->ccdf && rec->res) {
		e.points = json_array();
		for_each_ccdf_point(rec->res->hist, json_point, &e);
		json_object_set_new(obj, "ccdf_points", e.points);
	}
	if (!obj || lg_json_dump(obj, stdout))
		fprintf(stderr, "lgbench: cannot write the JSON record of %s\n", rec->row);
	json_decref(obj);
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
	if (r->have_huge) {
		if (r->huge_checked)
			printf("    huge pages: %u of %u threads' regions\n", r->huge_yes, r->huge_checked);
		if (r->huge_err)
			printf("    huge pages: cannot tell: %s\n", strerror(-r->huge_err));
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
	char limit[PATH_MAX + 128], swap_limit[SIZE_FORMAT_LEN];
	struct fields fs;
	struct record none = {.mode = "", .row = "", .status = ""};

	format = fmt;
	env = e;
	nrecords = 0;
	csv_extra = csv_copy;
	fill(&fs, &none, "", 0, 0);
	if (csv_extra)
		emit_csv(csv_extra, &fs, true);
	if (env->limit.swap_bytes == CG_NO_LIMIT)
		snprintf(swap_limit, sizeof(swap_limit), "unlimited");
	else
		size_format(env->limit.swap_bytes, SIZE_IEC, swap_limit, sizeof(swap_limit));
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
		/* Records stream out as they are made: the array's brackets and commas are ours. */
		if (nrecords)
			fputs(",\n", stdout);
		json_record(rec);
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
