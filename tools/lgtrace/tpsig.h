/* SPDX-License-Identifier: MIT */
/*
 * Tracepoint signatures in a kernel's BTF: which of lgtrace's program
 * variants matches the arguments a tracepoint passes on this kernel.
 * Pure functions of a struct btf (no BPF, no root), so that unit tests can
 * feed them BTF made with btf__new_empty() and btf__add_*().
 */
#ifndef LGTRACE_TPSIG_H
#define LGTRACE_TPSIG_H

#include <stddef.h>

struct btf;

/*
 * The arguments of tracepoint @tp (after the tracepoint's own void *), from
 * the function prototype behind typedef btf_trace_<tp>, written into @buf
 * as "struct mm_struct *, char *, _Bool": typedefs and const/volatile
 * dropped, a pointer as its target and " *", an integer by its name.
 * Returns the number of arguments, -ENOENT if @btf has no such tracepoint,
 * -EINVAL if the typedef is not a pointer to a prototype, -ENOSPC if @buf
 * is too small.  Thread safe for a btf no one modifies.
 */
int tp_signature(const struct btf *btf, const char *tp, char *buf, size_t len);

/* One program variant: the tracepoint it attaches to and the leading
 * arguments it reads, as tp_signature() writes them.  A variant matches
 * when the kernel passes at least these arguments, in this order: a
 * program reads no more than it declares. */
struct tp_variant {
	const char *tp;
	const char *args;
};

/*
 * The first of @n variants that @btf matches (@why, if not NULL, then
 * empty), or -1; then @why (@len bytes) says why not, naming each tracepoint tried: "no such
 * tracepoint in this kernel's BTF", or its signature that no variant reads.
 */
int tp_select(const struct btf *btf, const struct tp_variant *v, int n, char *why, size_t len);

#endif /* LGTRACE_TPSIG_H */
