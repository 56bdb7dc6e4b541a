// SPDX-License-Identifier: MIT
/* The row registry and the setup shared by rows. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rows.h"

void *row_ctx_new(void *row, unsigned tid, unsigned threads, int *err)
{
	struct row_ctx *c = calloc(1, sizeof(*c));

	(void)tid;
	(void)threads;
	if (!c) {
		*err = -ENOMEM;
		return NULL;
	}
	c->row = row;
	return c;
}

void row_ctx_free(void *ctx)
{
	free(ctx);
}

size_t rows_all(const struct row **out, size_t max)
{
	const struct {
		const struct row *rows;
		size_t n;
	} groups[] = {{lgalloc_rows, n_lgalloc_rows},
		      {sys_rows, n_sys_rows},
		      {preload_rows, n_preload_rows},
		      {peer_rows, n_peer_rows}};
	size_t n = 0;

	for (size_t g = 0; g < sizeof(groups) / sizeof(groups[0]); g++)
		for (size_t i = 0; i < groups[g].n && n < max; i++)
			out[n++] = &groups[g].rows[i];
	return n;
}

const struct row *row_find(const char *name)
{
	const struct row *all[64];
	size_t n = rows_all(all, 64);

	for (size_t i = 0; i < n; i++)
		if (!strcmp(all[i]->name, name))
			return all[i];
	return NULL;
}
