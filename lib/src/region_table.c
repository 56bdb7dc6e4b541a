// SPDX-License-Identifier: MIT
/* Region descriptors, the address map and the area registry. */
#include <pthread.h>
#include <stdlib.h>

#include "init.h"
#include "lgalloc/registry.h"
#include "region_table.h"
#include "size_class.h"

_Atomic(struct lg_region *) lg_desc_chunks[LG_DESC_CHUNKS];
_Atomic(_Atomic uint32_t *) lg_map_root[LG_MAP_ROOT_LEN];

/* Read by lgtrace from outside the process; exported so its ELF symbol can
 * be found in liblgalloc.so as in a static executable. */
static struct lgalloc_area_record area_records[LGALLOC_REGISTRY_CAPACITY];
LG_EXPORT struct lgalloc_area_registry lgalloc_area_registry = {
	.magic = LGALLOC_REGISTRY_MAGIC,
	.version = LGALLOC_REGISTRY_VERSION,
	.capacity = LGALLOC_REGISTRY_CAPACITY,
	.record_size = sizeof(struct lgalloc_area_record),
	.records = (uintptr_t)area_records,
};

/* Serialises the writers of all three tables; readers take no lock. */
static pthread_mutex_t table_lock = PTHREAD_MUTEX_INITIALIZER;
static uint32_t next_index = 1; /* under table_lock; 0 means "none" */

static const struct lg_subsystem table_subsystem = {
	.rank = LG_RANK_TABLE,
	.lock = &table_lock,
};
LG_SUBSYSTEM(table_subsystem);

static bool ensure_chunks(uint32_t first, size_t n)
{
	for (size_t c = first >> LG_DESC_CHUNK_SHIFT; c <= (first + n - 1) >> LG_DESC_CHUNK_SHIFT; c++) {
		if (atomic_load_explicit(&lg_desc_chunks[c], lg_relaxed))
			continue;
		struct lg_region *chunk = calloc(LG_DESC_CHUNK_LEN, sizeof(*chunk));
		if (!chunk)
			return false;
		atomic_store_explicit(&lg_desc_chunks[c], chunk, lg_release);
	}
	return true;
}

static _Atomic uint32_t *map_entry(uintptr_t key)
{
	_Atomic(_Atomic uint32_t *) *slot = &lg_map_root[key >> LG_MAP_LEAF_BITS];
	_Atomic uint32_t *leaf = atomic_load_explicit(slot, lg_relaxed);

	if (!leaf) {
		leaf = calloc(LG_MAP_LEAF_LEN, sizeof(*leaf));
		if (!leaf)
			return NULL;
		atomic_store_explicit(slot, leaf, lg_release);
	}
	return &leaf[key & (LG_MAP_LEAF_LEN - 1)];
}

/* Create every map leaf the area needs before any entry is written, so a
 * failure leaves the map unchanged. */
static bool ensure_leaves(uintptr_t first_key, uintptr_t last_key)
{
	for (uintptr_t leaf = first_key >> LG_MAP_LEAF_BITS; leaf <= last_key >> LG_MAP_LEAF_BITS; leaf++)
		if (!map_entry(leaf << LG_MAP_LEAF_BITS))
			return false;
	return true;
}

static void registry_append(char *base, size_t len, unsigned ci)
{
	struct lgalloc_area_registry *reg = &lgalloc_area_registry;
	uint32_t n = reg->count;

	if (n >= LGALLOC_REGISTRY_CAPACITY)
		return; /* lgtrace then relies on the USDT probe alone */
	area_records[n] = (struct lgalloc_area_record){
		.base = (uintptr_t)base,
		.len = len,
		.class_log2 = lg_class_shift(ci),
	};
	__atomic_store_n(&reg->count, n + 1, __ATOMIC_RELEASE);
}

uint32_t lg_regions_register(char *base, size_t n, unsigned ci)
{
	size_t size = lg_class_bytes(ci);
	uintptr_t first_key = (uintptr_t)base >> LG_MIN_ALIGN_SHIFT;
	uintptr_t last_key = ((uintptr_t)base + n * size - 1) >> LG_MIN_ALIGN_SHIFT;
	uint32_t first = 0;

	if (last_key >> LG_MAP_KEY_BITS)
		return 0;
	pthread_mutex_lock(&table_lock);
	if (n > (size_t)LG_DESC_CHUNKS * LG_DESC_CHUNK_LEN - next_index)
		goto out;
	if (!ensure_chunks(next_index, n) || !ensure_leaves(first_key, last_key))
		goto out;
	first = next_index;
	next_index += (uint32_t)n;
	for (size_t i = 0; i < n; i++) {
		struct lg_region *r = lg_region_get(first + (uint32_t)i);
		r->base = base + i * size;
		atomic_store_explicit(map_entry((uintptr_t)r->base >> LG_MIN_ALIGN_SHIFT),
				      (first + (uint32_t)i) << LG_MAP_CLASS_BITS | ci, lg_relaxed);
	}
	registry_append(base, n * size, ci);
out:
	pthread_mutex_unlock(&table_lock);
	return first;
}
