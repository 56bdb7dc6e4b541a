// SPDX-License-Identifier: MIT
/* lgtrace --bench's arithmetic and output (benchstat.h). */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "benchstat.h"
#include "common/json.h"

const char *const bench_cause_names[LGT_NUM_CAUSES] = {
	"swapin", "major_fault", "mmap_lock", "off_cpu", "minor_fault", "none",
};

/* The per_op keys, in struct lgt_bench_work's order. */
static const char *const work_keys[] = {
	"minor_faults",	       "major_faults",	    "swapins",	     "mmap_lock_acquisitions",
	"mmap_lock_contended", "mmap_lock_wait_ns", "uring_madvise",
};
_Static_assert(sizeof(work_keys) / sizeof(work_keys[0]) == LGT_NUM_WORK, "a key per work counter");

unsigned long long bench_slot_lower(unsigned slot)
{
	unsigned k = slot / LGT_BENCH_SUB, s = slot % LGT_BENCH_SUB;

	if (slot >= LGT_BENCH_SLOTS)
		return 1ULL << LGT_HIST_SLOTS;
	/* lgt_bench_slot(): below 2^LGT_BENCH_SUB_LOG2 a value a slot, the
	 * sub-slots past 2^(k+1) - 1 empty (0 and 1 both in slot 0). */
	if (k < LGT_BENCH_SUB_LOG2) {
		if (!slot)
			return 0;
		return s < (1U << k) ? (1ULL << k) + s : 2ULL << k;
	}
	return (1ULL << k) + ((unsigned long long)s << (k - LGT_BENCH_SUB_LOG2));
}

double bench_fraction_above(unsigned long long lo, unsigned long long hi, unsigned long long threshold)
{
	unsigned long long from = threshold + 1 > lo ? threshold + 1 : lo;

	if (hi <= lo || from >= hi)
		return 0;
	return (double)(hi - from) / (double)(hi - lo);
}

/* The upper bound of slot @slot. */
static unsigned long long slot_upper(unsigned slot)
{
	unsigned long long lo = bench_slot_lower(slot), hi = bench_slot_lower(slot + 1);

	return hi > lo ? hi : lo + 1;
}

void bench_tail(const struct lgt_bench_row *row, unsigned long long threshold, struct bench_tail *t)
{
	memset(t, 0, sizeof(*t));
	t->threshold_ns = threshold;
	for (unsigned slot = 0; slot < LGT_BENCH_SLOTS; slot++) {
		double f = bench_fraction_above(bench_slot_lower(slot), slot_upper(slot), threshold);

		if (f <= 0)
			continue;
		for (int c = 0; c < LGT_NUM_CAUSES; c++) {
			t->cause[c].ops += f * (double)row->hist[c][slot];
			t->cause[c].ns += f * (double)row->hist_ns[c][slot];
		}
	}
	for (int c = 0; c < LGT_NUM_CAUSES; c++) {
		t->ops += t->cause[c].ops;
		t->ns += t->cause[c].ns;
	}
}

int bench_bands(const struct lgt_bench_row *row, struct bench_band bands[LGT_HIST_SLOTS])
{
	int n = 0;

	for (unsigned k = 0; k < LGT_HIST_SLOTS; k++) {
		struct bench_band b = {.lower_ns = k ? 1ULL << k : 0, .upper_ns = 2ULL << k};

		for (unsigned s = 0; s < LGT_BENCH_SUB; s++)
			for (int c = 0; c < LGT_NUM_CAUSES; c++)
				b.by_cause[c] += (double)row->hist[c][k * LGT_BENCH_SUB + s];
		for (int c = 0; c < LGT_NUM_CAUSES; c++)
			b.ops += b.by_cause[c];
		if (b.ops > 0)
			bands[n++] = b;
	}
	return n;
}

void bench_how(const struct bench_report *b, char *buf, size_t len)
{
	int n = snprintf(buf, len, "every %u%s operation of each thread", b->stride,
			 b->stride == 1					? "st"
			 : b->stride % 10 == 1 && b->stride % 100 != 11 ? "st"
			 : b->stride % 10 == 2 && b->stride % 100 != 12 ? "nd"
			 : b->stride % 10 == 3 && b->stride % 100 != 13 ? "rd"
									: "th");

	if (n > 0 && (size_t)n < len && b->slow_ns)
		snprintf(buf + n, len - (size_t)n, ", and every operation of %llu ns or more", b->slow_ns);
}

/* 12 ns, 3.4 us, 5.6 ms, 7.8 s. */
static const char *fmt_ns(double ns, char *buf, size_t len)
{
	if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.3g us", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.3g ms", ns / 1e6);
	else
		snprintf(buf, len, "%.3g s", ns / 1e9);
	return buf;
}

static double row_seconds(const struct lgt_bench_row *r)
{
	return (double)r->window_ns / 1e9;
}

static void print_row(FILE *o, const struct bench_report *b, unsigned i)
{
	const struct lgt_bench_row *r = &b->rows[i];
	const struct lgt_bench_work *w = &b->work[i];
	double secs = row_seconds(r), ops = (double)r->ops;
	char a[32], c[32];
	struct bench_tail t;

	fprintf(o, "\nrow %u: %s %s, %u thread%s", i, r->mode, r->name, r->threads,
		r->threads == 1 ? "" : "s");
	if (!r->ended) {
		fputs(": did not end while traced\n", o);
		return;
	}
	if (r->status) {
		fprintf(o, ": failed (lgbench's error %d: %s), no figures\n", r->status,
			strerror(-r->status));
		return;
	}
	if (!r->ops || !r->window_ns) {
		fputs(": no operation measured, no figures\n", o);
		return;
	}
	fprintf(o, ": %.4g ops/s (%llu ops in %.3f s), p50 %s, p99 %s\n", ops / secs,
		(unsigned long long)r->ops, secs, fmt_ns((double)r->p50_ns, a, sizeof(a)),
		fmt_ns((double)r->p99_ns, c, sizeof(c)));
	fputs("  kernel per op:", o);
	static const char *const text[] = {"minor faults", "major faults", "swap-ins",	      "mmap_lock",
					   "contended",	   "ns waited",	   "io_uring madvise"};
	for (int k = 0; k < LGT_NUM_WORK; k++) {
		fprintf(o, "%s",
			k == LGT_W_LOCK_CONT	  ? " ("
			: k == LGT_W_LOCK_WAIT_NS ? ", "
			: k			  ? ", "
						  : " ");
		if (b->have_work[k])
			fprintf(o, "%.3g %s", (double)w->v[k] / ops, text[k]);
		else
			fprintf(o, "%s n/a", text[k]);
		if (k == LGT_W_LOCK_WAIT_NS)
			fputc(')', o);
	}
	fputc('\n', o);
	bench_tail(r, r->p99_ns, &t);
	fprintf(o,
		"  over p99 (%s): ~%.0f ops, %llu reported in all:", fmt_ns((double)r->p99_ns, a, sizeof(a)),
		t.ops, (unsigned long long)(r->reported[0] + r->reported[1]));
	if (t.ops <= 0) {
		fputs(" none seen\n", o);
		return;
	}
	for (int k = 0; k < LGT_NUM_CAUSES; k++) {
		const struct bench_group *g = &t.cause[k];

		if (!b->have_cause[k]) {
			fprintf(o, "%s %s n/a", k ? "," : "", bench_cause_names[k]);
			continue;
		}
		if (g->ops <= 0) {
			fprintf(o, "%s %s 0%%", k ? "," : "", bench_cause_names[k]);
			continue;
		}
		fprintf(o, "%s %s %.1f%% (mean %s, %.1f%% of the time)", k ? "," : "", bench_cause_names[k],
			100 * g->ops / t.ops, fmt_ns(g->ns / g->ops, a, sizeof(a)),
			t.ns > 0 ? 100 * g->ns / t.ns : 0);
	}
	fputc('\n', o);
}

void bench_print(FILE *o, const struct bench_report *b)
{
	char how[160];
	unsigned seen = 0;

	bench_how(b, how, sizeof(how));
	fprintf(o, "\nlgbench rows (operations reported: %s)\n", how);
	for (unsigned i = 0; i < b->nrows; i++) {
		if (!b->rows[i].seen)
			continue;
		print_row(o, b, i);
		seen++;
	}
	if (!seen)
		fputs("no lgbench row ran while traced\n", o);
	if (b->rows_dropped)
		fprintf(o, "%llu lgbench rows beyond the first %u not reported (lgtrace keeps %u)\n",
			b->rows_dropped, b->nrows, b->nrows);
}

/* A real, rounded to an integer when it counts operations. */
static json_t *count(double v)
{
	return json_integer((json_int_t)llround(v));
}

static json_t *json_row(const struct bench_report *b, unsigned i)
{
	const struct lgt_bench_row *r = &b->rows[i];
	const struct lgt_bench_work *w = &b->work[i];
	bool ok = r->ended && !r->status && r->ops && r->window_ns;
	double secs = row_seconds(r), ops = (double)r->ops;
	json_t *row, *per_op, *tail = json_null(), *causes, *ccdf;
	struct bench_band bands[LGT_HIST_SLOTS];
	struct bench_tail t;
	int nb;

	row = json_pack("{sI ss ss sI sI so so so so}", "index", (json_int_t)i, "mode", r->mode, "name",
			r->name, "threads", (json_int_t)r->threads, "ops", (json_int_t)r->ops, "seconds",
			ok ? json_real(secs) : json_null(), "ops_per_sec",
			ok ? json_real(ops / secs) : json_null(), "p50_ns",
			ok ? json_integer((json_int_t)r->p50_ns) : json_null(), "p99_ns",
			ok ? json_integer((json_int_t)r->p99_ns) : json_null());
	per_op = ok ? json_object() : json_null();
	for (int k = 0; ok && per_op && k < LGT_NUM_WORK; k++)
		json_object_set_new(per_op, work_keys[k],
				    b->have_work[k] ? json_real((double)w->v[k] / ops) : json_null());
	if (!row || !per_op || json_object_set_new(row, "per_op", per_op) ||
	    json_object_set_new(row, "sampled_ops",
				json_integer((json_int_t)(r->reported[0] + r->reported[1])))) {
		json_decref(row);
		return NULL;
	}
	if (ok) {
		bench_tail(r, r->p99_ns, &t);
		causes = json_object();
		for (int k = 0; causes && k < LGT_NUM_CAUSES; k++) {
			const struct bench_group *g = &t.cause[k];
			json_t *c = !b->have_cause[k]
					    ? json_null()
					    : json_pack("{so sf so sf}", "ops", count(g->ops), "share",
							t.ops > 0 ? g->ops / t.ops : 0.0, "mean_ns",
							g->ops > 0 ? json_real(g->ns / g->ops) : json_null(),
							"time_share", t.ns > 0 ? g->ns / t.ns : 0.0);
			if (!c || json_object_set_new(causes, bench_cause_names[k], c)) {
				json_decref(causes);
				causes = NULL;
			}
		}
		tail = causes ? json_pack("{sI so so}", "threshold_ns", (json_int_t)r->p99_ns, "ops",
					  count(t.ops), "causes", causes)
			      : NULL;
	}
	ccdf = json_array();
	nb = ok ? bench_bands(r, bands) : 0;
	for (int k = 0; ccdf && k < nb; k++) {
		json_t *by = json_object(), *band;

		for (int c = 0; by && c < LGT_NUM_CAUSES; c++)
			json_object_set_new(by, bench_cause_names[c],
					    b->have_cause[c] ? count(bands[k].by_cause[c]) : json_null());
		band = by ? json_pack("{sI sI so so}", "lower_ns", (json_int_t)bands[k].lower_ns, "upper_ns",
				      (json_int_t)bands[k].upper_ns, "ops", count(bands[k].ops), "by_cause",
				      by)
			  : NULL;
		if (!band || json_array_append_new(ccdf, band)) {
			json_decref(ccdf);
			ccdf = NULL;
		}
	}
	if (!tail || !ccdf || json_object_set_new(row, "tail", tail) ||
	    json_object_set_new(row, "ccdf", ccdf)) {
		json_decref(row);
		return NULL;
	}
	return row;
}

json_t *bench_json(const struct bench_report *b)
{
	char how[160];
	json_t *rows = json_array(), *doc;

	bench_how(b, how, sizeof(how));
	for (unsigned i = 0; rows && i < b->nrows; i++) {
		json_t *row;

		if (!b->rows[i].seen)
			continue;
		row = json_row(b, i);
		if (!row || json_array_append_new(rows, row)) {
			json_decref(rows);
			rows = NULL;
		}
	}
	if (!rows)
		return NULL;
	doc = json_pack("{s{sI sI so} so sI}", "sampling", "stride", (json_int_t)b->stride, "slow_ns",
			(json_int_t)b->slow_ns, "how", lg_json_string(how), "rows", rows, "rows_dropped",
			(json_int_t)b->rows_dropped);
	return doc;
}
