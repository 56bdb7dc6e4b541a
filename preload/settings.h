/* SPDX-License-Identifier: MIT */
/*
 * The preload's settings, from the environment: one LGALLOC_* variable per
 * field of struct lgalloc_config, LGALLOC_PRELOAD_MIN_BYTES (which
 * requests go to lgalloc) and LGALLOC_STATS (the per-class statistics at
 * exit).  docs/preload.md lists them.  An invalid value is reported once on
 * stderr and ignored.
 */
#ifndef LGP_SETTINGS_H
#define LGP_SETTINGS_H

#include <stdatomic.h>
#include <stddef.h>

/* The default LGALLOC_PRELOAD_MIN_BYTES: glibc's largest mmap threshold
 * (DEFAULT_MMAP_THRESHOLD_MAX on 64-bit), above which glibc maps and unmaps
 * every block (docs/preload.md has the measurements). */
#define LGP_DEFAULT_MIN_BYTES (32UL << 20)

/* lgalloc's smallest request that has a class: 1 MiB and less go to the
 * next allocator whatever the threshold. */
#define LGP_LEAST_BYTES ((1UL << 20) + 1)

/* Requests of at least this many bytes go to lgalloc: SIZE_MAX until the
 * settings are applied (and for good with LGALLOC_ENABLED=0), so that
 * everything goes to the next allocator until then.  Read relaxed. */
extern _Atomic size_t lgp_min_bytes;

/* Read the environment and configure lgalloc, once (the constructor calls
 * it; later calls return at once).  Messages go to stderr. */
void lgp_settings_apply(void);

#endif /* LGP_SETTINGS_H */
