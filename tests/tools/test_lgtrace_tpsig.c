// SPDX-License-Identifier: MIT
/*
 * lgtrace's choice of program variant by tracepoint signature
 * (tools/lgtrace/tpsig.c), fed BTF made up with libbpf's btf__add_*():
 * mmap_lock_start_locking as 6.2+ passes it (mm, write) and as 5.8-6.1 do
 * (mm, memcg_path, write), io_uring_submit_req vs io_uring_submit_sqe, the
 * process-tree tracepoints of 6.1 and 6.18, a
 * missing tracepoint and an unknown signature.  No BPF, no root.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <bpf/btf.h>

#include "tpsig.h"

/* Type IDs of the made-up kernel's base types. */
struct kbtf {
	struct btf *btf;
	int boolean, chr, cchr_ptr, mm_ptr, req_ptr, ulong, u64;
};

static void kbtf_init(struct kbtf *k)
{
	int mm, req, cchr, ull;

	k->btf = btf__new_empty();
	assert_non_null(k->btf);
	k->boolean = btf__add_int(k->btf, "_Bool", 1, BTF_INT_BOOL);
	k->chr = btf__add_int(k->btf, "char", 1, BTF_INT_SIGNED);
	k->ulong = btf__add_int(k->btf, "long unsigned int", 8, 0);
	ull = btf__add_int(k->btf, "long long unsigned int", 8, 0);
	k->u64 = btf__add_typedef(k->btf, "u64", ull);
	cchr = btf__add_const(k->btf, k->chr);
	k->cchr_ptr = btf__add_ptr(k->btf, cchr);
	mm = btf__add_struct(k->btf, "mm_struct", 0);
	k->mm_ptr = btf__add_ptr(k->btf, mm);
	req = btf__add_struct(k->btf, "io_kiocb", 0);
	k->req_ptr = btf__add_ptr(k->btf, req);
	assert_true(k->boolean > 0 && k->u64 > 0 && k->cchr_ptr > 0 && k->mm_ptr > 0 && k->req_ptr > 0);
}

/* typedef void (*btf_trace_@tp)(void *, @n argument types...), the
 * layout of the kernel's DEFINE_EVENT typedefs; parameters unnamed, as
 * in vmlinux BTF. */
static void add_tp(struct kbtf *k, const char *tp, int n, ...)
{
	char name[128];
	va_list ap;
	/* The void * first: a prototype's parameters follow it directly. */
	int vp = btf__add_ptr(k->btf, 0), proto = btf__add_func_proto(k->btf, 0);

	assert_true(vp > 0 && proto > 0);
	assert_int_equal(btf__add_func_param(k->btf, "", vp), 0);
	va_start(ap, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(btf__add_func_param(k->btf, "", va_arg(ap, int)), 0);
	va_end(ap);
	snprintf(name, sizeof(name), "btf_trace_%s", tp);
	assert_true(btf__add_typedef(k->btf, name, btf__add_ptr(k->btf, proto)) > 0);
}

/* lgtrace's variants for the mmap_lock tracepoints and io_uring's
 * submission (tools/lgtrace/loader.c). */
static const struct tp_variant lock_start[] = {
	{"mmap_lock_start_locking", "struct mm_struct *, _Bool"},
	{"mmap_lock_start_locking", "struct mm_struct *, char *, _Bool"},
};
static const struct tp_variant lock_acquired[] = {
	{"mmap_lock_acquire_returned", "struct mm_struct *, _Bool, _Bool"},
	{"mmap_lock_acquire_returned", "struct mm_struct *, char *, _Bool, _Bool"},
};
static const struct tp_variant uring_submit[] = {
	{"io_uring_submit_req", "struct io_kiocb *"},
	{"io_uring_submit_sqe", "struct io_kiocb *, _Bool"},
};

static void test_signature_text(void **state)
{
	struct kbtf k;
	char buf[256];

	(void)state;
	kbtf_init(&k);
	add_tp(&k, "mmap_lock_start_locking", 3, k.mm_ptr, k.cchr_ptr, k.boolean);
	add_tp(&k, "x", 2, k.u64, k.ulong);
	assert_int_equal(tp_signature(k.btf, "mmap_lock_start_locking", buf, sizeof(buf)), 3);
	assert_string_equal(buf, "struct mm_struct *, char *, _Bool");
	/* Typedefs are resolved: u64 is what it stands for. */
	assert_int_equal(tp_signature(k.btf, "x", buf, sizeof(buf)), 2);
	assert_string_equal(buf, "long long unsigned int, long unsigned int");
	assert_int_equal(tp_signature(k.btf, "nonesuch", buf, sizeof(buf)), -ENOENT);
	assert_int_equal(tp_signature(k.btf, "mmap_lock_start_locking", buf, 10), -ENOSPC);
	btf__free(k.btf);
}

/* 6.2 and later: (mm, write[, success]): the first variants. */
static void test_mmap_lock_new(void **state)
{
	struct kbtf k;
	char why[256];

	(void)state;
	kbtf_init(&k);
	add_tp(&k, "mmap_lock_start_locking", 2, k.mm_ptr, k.boolean);
	add_tp(&k, "mmap_lock_acquire_returned", 3, k.mm_ptr, k.boolean, k.boolean);
	assert_int_equal(tp_select(k.btf, lock_start, 2, why, sizeof(why)), 0);
	assert_int_equal(tp_select(k.btf, lock_acquired, 2, why, sizeof(why)), 0);
	btf__free(k.btf);
}

/* 5.8 to 6.1: memcg_path before write: the memcg variants, never the
 * others (which would read memcg_path as write). */
static void test_mmap_lock_memcg_path(void **state)
{
	struct kbtf k;
	char why[256];

	(void)state;
	kbtf_init(&k);
	add_tp(&k, "mmap_lock_start_locking", 3, k.mm_ptr, k.cchr_ptr, k.boolean);
	add_tp(&k, "mmap_lock_acquire_returned", 4, k.mm_ptr, k.cchr_ptr, k.boolean, k.boolean);
	assert_int_equal(tp_select(k.btf, lock_start, 2, why, sizeof(why)), 1);
	assert_int_equal(tp_select(k.btf, lock_acquired, 2, why, sizeof(why)), 1);
	/* Only the old variant on offer: no match, never the wrong one. */
	assert_int_equal(tp_select(k.btf, lock_start, 1, why, sizeof(why)), -1);
	assert_string_equal(why, "mmap_lock_start_locking(struct mm_struct *, char *, _Bool): "
				 "no program reads these arguments");
	btf__free(k.btf);
}

/* Extra trailing arguments are fine (a program reads no more than it
 * declares); an argument of another type in between is not. */
static void test_prefix_and_mismatch(void **state)
{
	struct kbtf k;
	char why[256];

	(void)state;
	kbtf_init(&k);
	add_tp(&k, "mmap_lock_start_locking", 3, k.mm_ptr, k.boolean, k.ulong);
	add_tp(&k, "mmap_lock_acquire_returned", 3, k.mm_ptr, k.ulong, k.boolean);
	assert_int_equal(tp_select(k.btf, lock_start, 2, why, sizeof(why)), 0);
	assert_int_equal(tp_select(k.btf, lock_acquired, 2, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "(struct mm_struct *, long unsigned int, _Bool)"));
	btf__free(k.btf);
}

/* io_uring: submit_req (6.3+), else submit_sqe (5.18-6.2), else the
 * reason names both. */
static void test_io_uring_submit(void **state)
{
	struct kbtf k;
	char why[256];

	(void)state;
	kbtf_init(&k);
	assert_int_equal(tp_select(k.btf, uring_submit, 2, why, sizeof(why)), -1);
	assert_string_equal(why, "io_uring_submit_req: no such tracepoint in this kernel's BTF; "
				 "io_uring_submit_sqe: no such tracepoint in this kernel's BTF");
	add_tp(&k, "io_uring_submit_sqe", 2, k.req_ptr, k.boolean);
	assert_int_equal(tp_select(k.btf, uring_submit, 2, why, sizeof(why)), 1);
	assert_string_equal(why, "");
	add_tp(&k, "io_uring_submit_req", 1, k.req_ptr);
	assert_int_equal(tp_select(k.btf, uring_submit, 2, NULL, 0), 0);
	btf__free(k.btf);
}

/* The process-tree tracepoints (lgtrace's single variants): the same on
 * 6.1 and 6.18, but for sched_process_exit's group_dead (6.16 on), which
 * the program does not read; pid_t is a typedef of int. */
static const struct tp_variant proc_fork[] = {
	{"sched_process_fork", "struct task_struct *, struct task_struct *"}};
static const struct tp_variant proc_exec[] = {
	{"sched_process_exec", "struct task_struct *, int, struct linux_binprm *"}};
static const struct tp_variant proc_exit[] = {{"sched_process_exit", "struct task_struct *"}};

static void add_sched_tps(struct kbtf *k, bool group_dead)
{
	int task = btf__add_ptr(k->btf, btf__add_struct(k->btf, "task_struct", 0));
	int bprm = btf__add_ptr(k->btf, btf__add_struct(k->btf, "linux_binprm", 0));
	int pid = btf__add_typedef(k->btf, "pid_t", btf__add_int(k->btf, "int", 4, BTF_INT_SIGNED));

	assert_true(task > 0 && bprm > 0 && pid > 0);
	add_tp(k, "sched_process_fork", 2, task, task);
	add_tp(k, "sched_process_exec", 3, task, pid, bprm);
	if (group_dead)
		add_tp(k, "sched_process_exit", 2, task, k->boolean);
	else
		add_tp(k, "sched_process_exit", 1, task);
}

static void test_process_tree(void **state)
{
	char why[256];

	(void)state;
	for (int gd = 0; gd < 2; gd++) {
		struct kbtf k;

		kbtf_init(&k);
		add_sched_tps(&k, gd);
		assert_int_equal(tp_select(k.btf, proc_fork, 1, why, sizeof(why)), 0);
		assert_int_equal(tp_select(k.btf, proc_exec, 1, why, sizeof(why)), 0);
		assert_int_equal(tp_select(k.btf, proc_exit, 1, why, sizeof(why)), 0);
		btf__free(k.btf);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature_text),	     cmocka_unit_test(test_mmap_lock_new),
		cmocka_unit_test(test_mmap_lock_memcg_path), cmocka_unit_test(test_prefix_and_mismatch),
		cmocka_unit_test(test_io_uring_submit),	     cmocka_unit_test(test_process_tree),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
