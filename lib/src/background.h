/* SPDX-License-Identifier: MIT */
/* The background worker that clears dirty regions (background.c). */
#ifndef LGALLOC_BACKGROUND_H
#define LGALLOC_BACKGROUND_H

/* Apply validated settings (-1 leaves one unchanged; an interval of 0
 * stops the worker).  Called under the configuration lock, so calls never
 * overlap.  Fails only when the worker thread cannot be created. */
int lg_background_configure(long interval_ms, long clear_bytes);

#endif /* LGALLOC_BACKGROUND_H */
