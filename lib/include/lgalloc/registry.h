/* SPDX-License-Identifier: MIT */
/*
 * The area registry: every area liblgalloc maps, in a table that a tracer
 * (lgtrace, or one of your own) reads from the target process with
 * process_vm_readv(): resolve the exported symbol LGALLOC_REGISTRY_SYMBOL
 * in the target's liblgalloc.so (or executable, when linked statically),
 * read the struct lgalloc_area_registry there, then `count` records from
 * `records`.  It
 * complements the lgalloc:area_map USDT probe, which only reports areas
 * mapped while a tracer is attached.
 *
 * Layout is an ABI between the library and lgtrace: bump
 * LGALLOC_REGISTRY_VERSION on any change.  The header is initialised data
 * (so a reader can check magic and version before any area exists); the
 * records live in a separate zero-initialised array that costs no file
 * space and no memory until written.  The table is append-only: a record is
 * fully written before `count` is raised (store-release), so a reader that
 * reads `count` first and then records [0, count) sees complete records.
 * Areas are never unmapped.
 */
#ifndef LGALLOC_REGISTRY_H
#define LGALLOC_REGISTRY_H

#include <stdint.h>

#define LGALLOC_REGISTRY_SYMBOL	  "lgalloc_area_registry"
#define LGALLOC_REGISTRY_MAGIC	  0x31636f6c6c61676cULL /* "lgalloc1" */
#define LGALLOC_REGISTRY_VERSION  1
#define LGALLOC_REGISTRY_CAPACITY 65536

struct lgalloc_area_record {
	uint64_t base;	     /* first byte, 2 MiB aligned */
	uint64_t len;	     /* bytes, a multiple of the class size */
	uint32_t class_log2; /* log2 of the region size, 21..36 */
	uint32_t reserved;
};

struct lgalloc_area_registry {
	uint64_t magic;
	uint32_t version;
	uint32_t capacity;
	uint32_t count;	      /* records published so far */
	uint32_t record_size; /* sizeof(struct lgalloc_area_record) */
	uint64_t records;     /* address of the record array in the process */
};

#endif /* LGALLOC_REGISTRY_H */
