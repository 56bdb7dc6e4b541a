/* SPDX-License-Identifier: MIT */
/*
 * A temporary swap file: create, activate, deactivate and remove.  Nothing
 * printed: failures return -errno with a one-line reason in WHY (no
 * "program:" prefix).  Needs root (swapon).  Not thread-safe on one struct
 * swapfile.
 */
#ifndef LG_COMMON_SWAPFILE_H
#define LG_COMMON_SWAPFILE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct swapfile {
	char path[4096];
	uint64_t size; /* usable bytes, a whole number of pages */
	bool active;   /* swapon done: swapfile_remove must swapoff */
	bool made;     /* the file exists: swapfile_remove must unlink */
};

/*
 * Create DIR/PREFIX-swap.XXXXXX of SIZE bytes (rounded down to pages; at
 * least 10 pages), mode 0600 (fallocate, or zeros written where fallocate is
 * not supported), write a swap header (what mkswap writes: version 1, a
 * random UUID, SWAPSPACE2) and swapon it.  Stops early with -EINTR when a
 * signal of STOP (may be NULL) is pending while zeros are written.  On
 * failure undoes what it did and returns -errno (-ERANGE: SIZE out of
 * range) with the reason in WHY.
 */
int swapfile_make(struct swapfile *sf, const char *dir, const char *prefix, uint64_t size,
		  const sigset_t *stop, char *why, size_t len);

/*
 * swapoff and unlink what swapfile_make did (nothing when it did nothing).
 * Returns 0, or -errno with the reason in WHY; the struct keeps what is
 * left, so a later call tries again.
 */
int swapfile_remove(struct swapfile *sf, char *why, size_t len);

#endif
