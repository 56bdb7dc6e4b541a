// SPDX-License-Identifier: MIT
/*
 * Tracepoint signatures from kernel BTF.  A raw tracepoint's program reads
 * its arguments as an array of u64 in the order the kernel passes them:
 * when a kernel adds or moves an argument (mmap_lock's memcg_path, gone in
 * 6.2) a program built for another order reads the wrong ones without
 * complaint from the verifier.  So each program variant says which
 * arguments it expects, and only a variant whose arguments are the
 * kernel's is loaded.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <bpf/btf.h>

#include "tpsig.h"

/* Append to @buf at *@pos; -ENOSPC when it does not fit. */
static int put(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *pos)
		return -ENOSPC;
	*pos += (size_t)n;
	return 0;
}

/* Type @id, without typedefs and qualifiers. */
static const struct btf_type *skip_mods(const struct btf *btf, __u32 *id)
{
	const struct btf_type *t = btf__type_by_id(btf, *id);

	while (t && (btf_is_typedef(t) || btf_is_mod(t))) {
		*id = t->type;
		t = btf__type_by_id(btf, *id);
	}
	return t;
}

static int put_type(const struct btf *btf, __u32 id, char *buf, size_t len, size_t *pos)
{
	const struct btf_type *t;
	const char *name;

	if (!id)
		return put(buf, len, pos, "void");
	t = skip_mods(btf, &id);
	if (!t)
		return -EINVAL;
	if (!id)
		return put(buf, len, pos, "void");
	name = btf__name_by_offset(btf, t->name_off);
	switch (btf_kind(t)) {
	case BTF_KIND_PTR: {
		int err = put_type(btf, t->type, buf, len, pos);
		return err ? err : put(buf, len, pos, " *");
	}
	case BTF_KIND_STRUCT:
	case BTF_KIND_FWD:
		return put(buf, len, pos, "%s %s", btf_kflag(t) && btf_is_fwd(t) ? "union" : "struct",
			   name ? name : "");
	case BTF_KIND_UNION:
		return put(buf, len, pos, "union %s", name ? name : "");
	case BTF_KIND_ENUM:
	case BTF_KIND_ENUM64:
		return put(buf, len, pos, "enum %s", name ? name : "");
	case BTF_KIND_FUNC_PROTO:
		return put(buf, len, pos, "function");
	default: /* int, float, array */
		return put(buf, len, pos, "%s", name && *name ? name : "?");
	}
}

int tp_signature(const struct btf *btf, const char *tp, char *buf, size_t len)
{
	const struct btf_type *t;
	const struct btf_param *p;
	char name[128];
	size_t pos = 0;
	__u32 id;
	int id0, n;

	if (len == 0)
		return -ENOSPC;
	buf[0] = '\0';
	if (snprintf(name, sizeof(name), "btf_trace_%s", tp) >= (int)sizeof(name))
		return -ENOENT;
	id0 = btf__find_by_name_kind(btf, name, BTF_KIND_TYPEDEF);
	if (id0 < 0)
		return -ENOENT;
	/* typedef void (*btf_trace_X)(void *, args...) */
	id = btf__type_by_id(btf, (__u32)id0)->type;
	t = skip_mods(btf, &id);
	if (!t || !btf_is_ptr(t))
		return -EINVAL;
	id = t->type;
	t = skip_mods(btf, &id);
	if (!t || !btf_is_func_proto(t) || btf_vlen(t) < 1)
		return -EINVAL;
	n = btf_vlen(t) - 1;
	p = btf_params(t) + 1;
	for (int i = 0; i < n; i++) {
		int err = (i ? put(buf, len, &pos, ", ") : 0);

		if (!err)
			err = put_type(btf, p[i].type, buf, len, &pos);
		if (err)
			return err;
	}
	return n;
}

/* Whether the kernel's arguments @sig begin with @want: the same text up
 * to the end of @want, then the end or another argument. */
static int args_match(const char *sig, const char *want)
{
	size_t n = strlen(want);

	return !strncmp(sig, want, n) && (sig[n] == '\0' || sig[n] == ',');
}

int tp_select(const struct btf *btf, const struct tp_variant *v, int n, char *why, size_t len)
{
	char sig[256];
	size_t pos = 0;

	if (why && len)
		why[0] = '\0';
	for (int i = 0; i < n; i++) {
		int r = tp_signature(btf, v[i].tp, sig, sizeof(sig));

		if (r >= 0 && args_match(sig, v[i].args)) {
			if (why && len)
				why[0] = '\0';
			return i;
		}
		if (!why || !len)
			continue;
		/* Say each tracepoint once: variants of one tracepoint are
		 * adjacent. */
		if (i && !strcmp(v[i - 1].tp, v[i].tp))
			continue;
		if (r == -ENOENT)
			put(why, len, &pos, "%s%s: no such tracepoint in this kernel's BTF", pos ? "; " : "",
			    v[i].tp);
		else if (r < 0)
			put(why, len, &pos, "%s%s: unreadable signature in BTF (%s)", pos ? "; " : "",
			    v[i].tp, strerror(-r));
		else
			put(why, len, &pos, "%s%s(%s): no program reads these arguments", pos ? "; " : "",
			    v[i].tp, sig);
	}
	return -1;
}
