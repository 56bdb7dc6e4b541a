/* SPDX-License-Identifier: MIT */
/*
 * Region descriptors and the address map.
 *
 * Every region has a descriptor for its whole life (areas are never
 * unmapped, so descriptors are never freed): the pools link descriptors by
 * 32-bit index, and the address map turns a region's base address into that
 * index, which is how a handle is validated.  Descriptors and map leaves
 * are only ever added, so lock-free readers need no reclamation scheme.
 */
#ifndef LGALLOC_REGION_TABLE_H
#define LGALLOC_REGION_TABLE_H

#include <stdatomic.h>
#include <stdint.h>

#include "lgalloc_internal.h"
#include "size_class.h"

/* The class is in the region's map entry (below). */
struct lg_region {
	_Atomic uint32_t next;	/* pool link: next region's index, 0 = none */
	_Atomic uint32_t state; /* checked mode's free mark (checked.h) */
	char *base;
};

#define LG_DESC_CHUNK_SHIFT 14
#define LG_DESC_CHUNK_LEN   (1u << LG_DESC_CHUNK_SHIFT)
#define LG_DESC_CHUNKS	    (1u << 14) /* up to 2^28 regions */

/* The map is keyed by address >> 21 over a 47-bit user address space. */
#define LG_MAP_KEY_BITS	 (47 - 21)
#define LG_MAP_LEAF_BITS 13
#define LG_MAP_LEAF_LEN	 (1u << LG_MAP_LEAF_BITS)
#define LG_MAP_ROOT_LEN	 (1u << (LG_MAP_KEY_BITS - LG_MAP_LEAF_BITS))

extern _Atomic(struct lg_region *) lg_desc_chunks[LG_DESC_CHUNKS];
extern _Atomic(_Atomic uint32_t *) lg_map_root[LG_MAP_ROOT_LEN];

/* Index 0 is never handed out, so 0 means "no region". */
static inline struct lg_region *lg_region_get(uint32_t idx)
{
	struct lg_region *chunk =
		atomic_load_explicit(&lg_desc_chunks[idx >> LG_DESC_CHUNK_SHIFT], lg_acquire);
	return &chunk[idx & (LG_DESC_CHUNK_LEN - 1)];
}

/*
 * The index of the region that starts at @p, or 0, and its class in *ci.
 * A map entry holds both (index << 4 | class), so validating a handle reads
 * no descriptor: on the free path right after a user touched every page of
 * a region, the descriptor's cache line is often evicted, the map's less so.
 * A region reaches a user only after its map entry was written and
 * published through a pool or a thread cache (release/acquire), so the
 * relaxed entry load sees it.  The leaf pointer is loaded with acquire
 * because @p may be any address.
 */
#define LG_MAP_CLASS_BITS 4

static inline uint32_t lg_map_lookup(const void *p, unsigned *ci)
{
	uintptr_t key = (uintptr_t)p >> LG_MIN_ALIGN_SHIFT;
	uint32_t entry;

	if (key >> LG_MAP_KEY_BITS)
		return 0;
	_Atomic uint32_t *leaf = atomic_load_explicit(&lg_map_root[key >> LG_MAP_LEAF_BITS], lg_acquire);
	if (!leaf)
		return 0;
	entry = atomic_load_explicit(&leaf[key & (LG_MAP_LEAF_LEN - 1)], lg_relaxed);
	*ci = entry & ((1u << LG_MAP_CLASS_BITS) - 1);
	return entry >> LG_MAP_CLASS_BITS;
}

/* The index of the region @h names, or 0 when @h is malformed. */
static inline uint32_t lg_handle_region(struct lgalloc_handle h, unsigned *ci)
{
	uint32_t idx;
	unsigned region_ci;

	if (!lg_class_of_len(h.len, ci) || ((uintptr_t)h.ptr & (LG_MIN_ALIGN - 1)) || !h.ptr)
		return 0;
	idx = lg_map_lookup(h.ptr, &region_ci);
	if (!idx || region_ci != *ci)
		return 0;
	return idx;
}

/*
 * Give descriptors and map entries to the @n regions of class @ci starting
 * at @base, and record the area in the registry lgtrace reads.  Returns the
 * first index (the rest follow contiguously) or 0 when a table is full or
 * out of memory.
 */
uint32_t lg_regions_register(char *base, size_t n, unsigned ci);

#endif /* LGALLOC_REGION_TABLE_H */
