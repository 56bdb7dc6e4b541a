// SPDX-License-Identifier: MIT
/* The per-class state shared between threads, and its totals. */
#include "classes.h"
#include "init.h"

struct lg_class lg_classes[LGALLOC_NUM_CLASSES] = {
	[0 ... LGALLOC_NUM_CLASSES - 1] = {.refill_lock = PTHREAD_MUTEX_INITIALIZER},
};

struct lg_prefetch_counters lg_prefetch_folded[LGALLOC_NUM_CLASSES];

/* Add every counter of @from (@n of them) into @into and clear @from. */
static void fold(_Atomic size_t *into, _Atomic size_t *from, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		lg_shared_inc(&into[i], atomic_load_explicit(&from[i], lg_relaxed));
		atomic_store_explicit(&from[i], 0, lg_relaxed);
	}
}

#define FOLD(into, from)                                                                                     \
	fold((_Atomic size_t *)(into), (_Atomic size_t *)(from), sizeof(*(from)) / sizeof(size_t))

void lg_class_fold(unsigned ci, struct lg_counts *n, struct lg_prefetch_counters *pf)
{
	FOLD(&lg_classes[ci].folded, n);
	FOLD(&lg_prefetch_folded[ci], pf);
}

/* Only fork holds more than one refill lock: all, in ascending class order. */
static void fork_prepare(void)
{
	for (unsigned ci = 0; ci < LGALLOC_NUM_CLASSES; ci++)
		pthread_mutex_lock(&lg_classes[ci].refill_lock);
}

static void fork_release(void)
{
	for (unsigned ci = LGALLOC_NUM_CLASSES; ci-- > 0;)
		pthread_mutex_unlock(&lg_classes[ci].refill_lock);
}

static const struct lg_subsystem classes_subsystem = {
	.rank = LG_RANK_CLASSES,
	.prepare = fork_prepare,
	.parent = fork_release,
	.child = fork_release,
};
LG_SUBSYSTEM(classes_subsystem);
