// SPDX-License-Identifier: MIT
/* The timed multi-threaded loop of runner.h. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "lgalloc.h"
#include "output.h"
#include "probes.h"
#include "runner.h"
#include "common/timeutil.h"
#include "util.h"

enum phase { PHASE_WARMUP, PHASE_MEASURE, PHASE_STOP };

struct shared {
	const struct run_spec *spec;
	/* Workers report ready after their setup and wait for the gate to open. */
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned ready;
	bool open;
	atomic_int phase;
	atomic_bool helpers_stop;
	atomic_int err;
};

struct worker {
	struct shared *sh;
	unsigned tid;
	pthread_t thread, helper;
	bool helper_started;
	void *ctx;
	struct hist *hist;
	uint64_t ops;
	uint64_t next_sample; /* the next operation the stride selects */
	uint64_t slow_ns;     /* lgbench_probe_ctl.slow_ns as read at the last op_begin() */
};

static void set_err(struct shared *sh, int err)
{
	int expected = 0;

	atomic_compare_exchange_strong(&sh->err, &expected, err);
}

static void *helper_main(void *p)
{
	struct worker *w = p;

	w->sh->spec->helper(w->ctx, &w->sh->helpers_stop);
	return NULL;
}

/* Whether operation @seq of @w, which the stride selects (seq >=
 * next_sample, checked inline), is sampled (op_begin fires); the first
 * measured operation of a thread and then every stride-th, the stride and
 * slow_ns read again here (at every operation while the stride is 0).
 * Only while a tracer listens: the per-operation path is two inline
 * compares, no call and no load of lgbench_probe_ctl (docs/tracing.md,
 * "What --bench costs": the calls cost 25-35% at 2 threads). */
static __attribute__((noinline, cold)) bool op_begin(struct worker *w, uint64_t seq)
{
	uint32_t stride = __atomic_load_n(&lgbench_probe_ctl.stride, __ATOMIC_RELAXED);
	uint32_t row = w->sh->spec->row_index, thread = w->tid;

	w->slow_ns = __atomic_load_n(&lgbench_probe_ctl.slow_ns, __ATOMIC_RELAXED);
	w->next_sample = seq + (stride ? stride : 1);
	if (!stride)
		return false;
	LGB_PROBE3(op_begin, row, thread, seq);
	return true;
}

/* A sampled operation, or one of at least slow_ns (the caller checks). */
static __attribute__((noinline, cold)) void op_end(const struct worker *w, uint64_t seq, uint64_t ns,
						   const struct timespec *t0, bool sampled)
{
	uint64_t start = (uint64_t)t0->tv_sec * 1000000000u + (uint64_t)t0->tv_nsec;
	uint32_t row = w->sh->spec->row_index, thread = w->tid, was_sampled = sampled;

	LGB_PROBE6(op_end, row, thread, seq, ns, start, was_sampled);
}

static void *worker_main(void *p)
{
	struct worker *w = p;
	struct shared *sh = w->sh;
	const struct run_spec *spec = sh->spec;
	int err = 0, ph;

	w->ctx = spec->setup(spec->arg, w->tid, spec->threads, &err);
	if (!w->ctx) {
		set_err(sh, err ? err : -ENOMEM);
	} else if (spec->helper) {
		err = -pthread_create(&w->helper, NULL, helper_main, w);
		if (err)
			set_err(sh, err);
		w->helper_started = !err;
	}
	pthread_mutex_lock(&sh->lock);
	sh->ready++;
	pthread_cond_broadcast(&sh->cond);
	while (!sh->open)
		pthread_cond_wait(&sh->cond, &sh->lock);
	pthread_mutex_unlock(&sh->lock);
	if (!w->ctx || err)
		return NULL;
	while ((ph = atomic_load_explicit(&sh->phase, memory_order_relaxed)) != PHASE_STOP) {
		struct timespec t0, t1;
		bool traced = false, sampled = false;

		if (spec->prepare && (err = spec->prepare(w->ctx))) {
			set_err(sh, err);
			break;
		}
		/* Measured operations only: their number is the row's ops. */
		if (ph == PHASE_MEASURE && LGB_OPS_TRACED()) {
			traced = true;
			sampled = w->ops >= w->next_sample && op_begin(w, w->ops);
		}
		clock_gettime(CLOCK_MONOTONIC, &t0);
		err = spec->op(w->ctx);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (err) {
			set_err(sh, err);
			break;
		}
		if (ph == PHASE_MEASURE) {
			uint64_t ns =
				(uint64_t)((t1.tv_sec - t0.tv_sec) * 1000000000L + (t1.tv_nsec - t0.tv_nsec));

			hist_record(w->hist, ns);
			if (traced && (sampled || (w->slow_ns && ns >= w->slow_ns)))
				op_end(w, w->ops, ns, &t0, sampled);
			w->ops++;
		}
	}
	return NULL;
}

static void prefetch_counts(struct prefetch_counts *pc)
{
	struct lgalloc_stats st;

	*pc = (struct prefetch_counts){0};
	if (lgalloc_stats(&st))
		return;
	for (unsigned i = 0; i < LGALLOC_NUM_CLASSES; i++) {
		pc->sync += st.classes[i].prefetch_sync;
		pc->async += st.classes[i].prefetch_async;
		pc->completed += st.classes[i].prefetch_completed;
		pc->failed += st.classes[i].prefetch_failed;
	}
}

int run_timed(const struct run_spec *spec, struct run_result *res)
{
	struct prefetch_counts pf0, pf1;
	struct shared sh = {
		.spec = spec,
		.lock = PTHREAD_MUTEX_INITIALIZER,
		.cond = PTHREAD_COND_INITIALIZER,
	};
	struct worker *w = calloc(spec->threads, sizeof(*w));
	struct rusage ru0, ru1;
	uint32_t row = spec->row_index;
	uint64_t t0, t1;
	unsigned started = 0;
	int err = 0;

	memset(res, 0, sizeof(*res));
	res->hist = hist_new();
	if (!w || !res->hist) {
		err = -ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < spec->threads; i++) {
		w[i] = (struct worker){.sh = &sh, .tid = i, .hist = hist_new()};
		if (!w[i].hist) {
			err = -ENOMEM;
			goto out;
		}
	}
	for (; started < spec->threads; started++) {
		err = -pthread_create(&w[started].thread, NULL, worker_main, &w[started]);
		if (err)
			break;
	}
	if (err)
		atomic_store(&sh.phase, PHASE_STOP);
	pthread_mutex_lock(&sh.lock);
	while (sh.ready < started)
		pthread_cond_wait(&sh.cond, &sh.lock);
	sh.open = true;
	pthread_cond_broadcast(&sh.cond);
	pthread_mutex_unlock(&sh.lock);
	if (!err && !atomic_load(&sh.err)) {
		sleep_ms(spec->warmup_ms);
		getrusage(RUSAGE_SELF, &ru0);
		prefetch_counts(&pf0);
		t0 = now_ns();
		LGB_PROBE1(measure_start, row);
		atomic_store(&sh.phase, PHASE_MEASURE);
		sleep_ms(spec->measure_ms);
		atomic_store(&sh.phase, PHASE_STOP);
		t1 = now_ns();
		LGB_PROBE1(measure_end, row);
		prefetch_counts(&pf1);
		getrusage(RUSAGE_SELF, &ru1);
		res->have_pf = spec->prefetch_counts;
		res->have_huge = spec->huge;
		res->pf = (struct prefetch_counts){pf1.sync - pf0.sync, pf1.async - pf0.async,
						   pf1.completed - pf0.completed, pf1.failed - pf0.failed};
		res->window_ns = t1 - t0;
		res->seconds = (double)(t1 - t0) / 1e9;
		res->minflt = ru1.ru_minflt - ru0.ru_minflt;
		res->majflt = ru1.ru_majflt - ru0.ru_majflt;
	}
	/* Also when a setup failed: the other workers are looping by now. */
	atomic_store(&sh.phase, PHASE_STOP);
	for (unsigned i = 0; i < started; i++)
		pthread_join(w[i].thread, NULL);
	atomic_store(&sh.helpers_stop, true);
	for (unsigned i = 0; i < started; i++) {
		if (w[i].helper_started)
			pthread_join(w[i].helper, NULL);
		if (w[i].ctx && spec->huge && !err) {
			int huge = spec->huge(w[i].ctx);

			if (huge < 0 && !res->huge_err)
				res->huge_err = huge;
			res->huge_checked += huge >= 0;
			res->huge_yes += huge > 0;
		}
		if (w[i].ctx && spec->teardown)
			spec->teardown(w[i].ctx);
		hist_merge(res->hist, w[i].hist);
		res->ops += w[i].ops;
	}
out:
	for (unsigned i = 0; w && i < spec->threads; i++)
		hist_free(w[i].hist);
	free(w);
	if (!err)
		err = atomic_load(&sh.err);
	res->err = err;
	return err;
}

/* Rows in the order they ran, for the probes. */
static uint32_t rows_run;

static int report(const char *mode, const char *row, const struct run_spec *spec, bool ccdf, unsigned round)
{
	struct run_spec indexed = *spec;
	struct run_result res;
	uint32_t index = rows_run++, threads = spec->threads;
	uint64_t warmup_ms = spec->warmup_ms, measure_ms = spec->measure_ms, ops, window_ns, p50_ns, p99_ns;
	int32_t status;
	int err;

	indexed.row_index = index;
	LGB_PROBE6(row_start, index, mode, row, threads, warmup_ms, measure_ms);
	err = run_timed(&indexed, &res);
	ops = err ? 0 : res.ops;
	window_ns = err ? 0 : res.window_ns;
	status = err;
	/* The row's own percentiles, as its output gives them (hist.h). */
	p50_ns = err ? 0 : hist_percentile(res.hist, 50);
	p99_ns = err ? 0 : hist_percentile(res.hist, 99);
	LGB_PROBE9(row_end, index, mode, row, threads, ops, status, window_ns, p50_ns, p99_ns);

	struct record rec = {
		.mode = mode,
		.row = row,
		.threads = spec->threads,
		.status = err ? "error" : "ok",
		.note = err ? lgalloc_strerror(err) : NULL,
		.res = err ? NULL : &res,
		.ccdf = ccdf,
		.round = round,
	};

	output_record(&rec);
	hist_free(res.hist);
	return err;
}

int run_and_report(const char *mode, const char *row, const struct run_spec *spec, bool ccdf)
{
	return report(mode, row, spec, ccdf, 0);
}

int run_and_report_round(const char *mode, const char *row, const struct run_spec *spec, unsigned round)
{
	return report(mode, row, spec, false, round);
}
