/* SPDX-License-Identifier: MIT */
/*
 * lgbench's USDT probes (docs/tracing.md, "lgbench's probes"): each row's
 * start, measured window and end, and the timed operations a tracer
 * selects through lgbench_probe_ctl.  Every probe has a semaphore; the
 * operation probes cost one load and a branch per operation while
 * lgbench_op_end_semaphore is 0.  Built with -DLGBENCH_NO_PROBES, there are
 * no probes and no semaphores (to measure what they cost).
 */
#ifndef LGBENCH_PROBES_H
#define LGBENCH_PROBES_H

#include <stddef.h>
#include <stdint.h>

#define LGBENCH_PROBE_VERSION 2 /* 2: row_end carries p50_ns and p99_ns */

/* The selection a tracer writes into the traced process (process_vm_writev
 * or /proc/PID/mem at the dynamic symbol lgbench_probe_ctl); the
 * environment variables LGBENCH_OP_STRIDE and LGBENCH_OP_SLOW_NS set the
 * starting values.  Each thread reads them (relaxed loads, one per field)
 * at its sampled operations only (every operation while the stride is 0),
 * so a change applies from a thread's next sample on (bench/runner.c). */
struct lgbench_probe_ctl {
	uint32_t version; /* LGBENCH_PROBE_VERSION, written by lgbench */
	uint32_t stride;  /* op_begin and op_end on every stride-th operation of a thread; 0: none */
	uint64_t slow_ns; /* op_end (alone unless sampled) for every operation >= slow_ns; 0: none */
};

/* lgtrace writes the fields at these offsets (tools/lgtrace/target.h). */
_Static_assert(offsetof(struct lgbench_probe_ctl, stride) == 4 &&
		       offsetof(struct lgbench_probe_ctl, slow_ns) == 8,
	       "lgbench_probe_ctl's layout is read by tracers");

extern struct lgbench_probe_ctl lgbench_probe_ctl;

/* Starting values from the environment; an error message, or NULL. */
const char *probes_init_from_env(void);

#ifndef LGBENCH_NO_PROBES
#define _SDT_HAS_SEMAPHORES 1
#include <sys/sdt.h>

/* In .probes (file-backed data): the kernel's uprobe reference counters
 * (what libbpf and bpftrace use) need a file offset. */
extern volatile unsigned short lgbench_row_start_semaphore, lgbench_row_end_semaphore,
	lgbench_measure_start_semaphore, lgbench_measure_end_semaphore, lgbench_op_begin_semaphore,
	lgbench_op_end_semaphore;

#define LGB_OPS_TRACED()			    __builtin_expect(lgbench_op_end_semaphore != 0, 0)
#define LGB_PROBE1(name, a)			    STAP_PROBE1(lgbench, name, a)
#define LGB_PROBE3(name, a, b, c)		    STAP_PROBE3(lgbench, name, a, b, c)
#define LGB_PROBE6(name, a, b, c, d, e, f)	    STAP_PROBE6(lgbench, name, a, b, c, d, e, f)
#define LGB_PROBE9(name, a, b, c, d, e, f, g, h, i) STAP_PROBE9(lgbench, name, a, b, c, d, e, f, g, h, i)
#else
#define LGB_OPS_TRACED()		   0
#define LGB_PROBE1(name, a)		   ((void)(a))
#define LGB_PROBE3(name, a, b, c)	   ((void)(a), (void)(b), (void)(c))
#define LGB_PROBE6(name, a, b, c, d, e, f) ((void)(a), (void)(b), (void)(c), (void)(d), (void)(e), (void)(f))
#define LGB_PROBE9(name, a, b, c, d, e, f, g, h, i)                                                          \
	((void)(a), (void)(b), (void)(c), (void)(d), (void)(e), (void)(f), (void)(g), (void)(h), (void)(i))
#endif

#endif /* LGBENCH_PROBES_H */
