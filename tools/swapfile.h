/* SPDX-License-Identifier: MIT */
/* A temporary swap file: create, activate, deactivate and remove. */
#ifndef LG_SWAPFILE_H
#define LG_SWAPFILE_H

#include <signal.h>
#include <stdint.h>

struct swapfile {
	char path[4096];
	uint64_t size; /* usable bytes, a whole number of pages */
	int active;    /* swapon done: swapfile_remove must swapoff */
	int made;      /* the file exists: swapfile_remove must unlink */
};

/* Whether any swap area is active (a line after the header of /proc/swaps). */
int swap_active(void);

/*
 * Create DIR/lgrun-swap.XXXXXX of SIZE bytes (fallocate, or zeros written
 * where fallocate is not supported), mode 0600, write a swap header and
 * swapon it.  Stops early when a signal of STOP is pending.  On failure
 * prints "lgrun: ..." and undoes what it did.  Returns 0 or -1.
 */
int swapfile_make(struct swapfile *sf, const char *dir, uint64_t size, const sigset_t *stop);

/* swapoff and unlink what swapfile_make did; prints any failure.  Returns 0 or -1. */
int swapfile_remove(struct swapfile *sf);

#endif
