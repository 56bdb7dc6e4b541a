// SPDX-License-Identifier: MIT
/* The probes' semaphores and the tracer's selection (probes.h). */
#include <stdio.h>
#include <stdlib.h>

#include "common/parse.h"
#include "probes.h"

/* 1 hour: a larger threshold would select nothing anyway. */
#define SLOW_NS_MAX 3600000000000UL

__attribute__((used)) struct lgbench_probe_ctl lgbench_probe_ctl = {.version = LGBENCH_PROBE_VERSION};

#ifndef LGBENCH_NO_PROBES
#define SEMAPHORE(name)                                                                                      \
	__attribute__((section(".probes"), used)) volatile unsigned short lgbench_##name##_semaphore
SEMAPHORE(row_start);
SEMAPHORE(row_end);
SEMAPHORE(measure_start);
SEMAPHORE(measure_end);
SEMAPHORE(op_begin);
SEMAPHORE(op_end);
#endif

const char *probes_init_from_env(void)
{
	static char msg[160];
	const char *s = getenv("LGBENCH_OP_STRIDE");
	unsigned long v;

	if (s) {
		if (parse_ulong(s, 0, UINT32_MAX, &v)) {
			snprintf(msg, sizeof(msg), "LGBENCH_OP_STRIDE wants a count in 0..%u, not '%.40s'",
				 UINT32_MAX, s);
			return msg;
		}
		lgbench_probe_ctl.stride = (uint32_t)v;
	}
	s = getenv("LGBENCH_OP_SLOW_NS");
	if (s) {
		if (parse_ulong(s, 0, SLOW_NS_MAX, &v)) {
			snprintf(msg, sizeof(msg),
				 "LGBENCH_OP_SLOW_NS wants nanoseconds in 0..%lu, not '%.40s'", SLOW_NS_MAX,
				 s);
			return msg;
		}
		lgbench_probe_ctl.slow_ns = v;
	}
	return NULL;
}
