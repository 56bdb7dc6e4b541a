// SPDX-License-Identifier: MIT
/* Throughput mode: every row at every thread count. */
#include <stdbool.h>
#include <stdio.h>

#include "lgbench.h"
#include "output.h"
#include "rows.h"
#include "common/parse.h"
#include "util.h"

static const struct thread_list default_threads = {{1, 2, 4, 8, 16}, 5};

int throughput_run(const struct bench_opts *o)
{
	const struct thread_list *tl = threads_or(o, &default_threads);
	const struct row *rows[64];
	size_t nrows = rows_all(rows, ARRAY_SIZE(rows));
	unsigned rounds = o->repeat ? (unsigned)o->repeat : 1;
	int failed = 0;

	for (size_t t = 0; t < tl->len; t++) {
		/* Rounds interleave the rows, so that a slow spell of a shared
		 * machine hits every row of a round, not one row's runs. */
		for (unsigned round = 1; round <= rounds; round++) {
			char of[32] = "";

			if (o->repeat)
				snprintf(of, sizeof(of), ", round %u of %u", round, rounds);
			output_section("throughput, %u thread%s, 2 MiB regions%s%s", tl->n[t],
				       tl->n[t] > 1 ? "s" : "",
				       tl->n[t] > (unsigned)o->env->cpus
					       ? " (more threads than CPUs: oversubscribed)"
					       : "",
				       of);
			for (size_t i = 0; i < nrows; i++) {
				const struct row *row = rows[i];
				const char *why = row->unavailable ? row->unavailable(row) : NULL;
				struct run_spec spec = {
					.threads = tl->n[t],
					.warmup_ms = o->env->warmup_ms,
					.measure_ms = o->env->measure_ms,
					.setup = row->setup,
					.op = row->op,
					.teardown = row->teardown,
					.huge = row->huge,
					.arg = (void *)row,
				};

				if (o->rows && !list_has(o->rows, ',', row->name))
					continue;
				if (why) {
					struct record rec = {.mode = "throughput",
							     .row = row->name,
							     .threads = tl->n[t],
							     .status = "not installed",
							     .note = why,
							     .round = o->repeat ? round : 0};

					output_record(&rec);
					continue;
				}
				if (run_and_report_round("throughput", row->name, &spec,
							 o->repeat ? round : 0))
					failed = 1;
			}
		}
	}
	return failed;
}
