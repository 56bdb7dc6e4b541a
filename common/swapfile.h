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
 * least 10 pages), mode 0600, give it every block once (fallocate where the
 * file system has it, zeros written where it has not: a swap file must have
 * no holes), write a swap header (what mkswap writes: version 1, a random
 * UUID, SWAPSPACE2) and swapon it.  On btrfs the file is made NOCOW
 * (FS_NOCOW_FL, chattr +C, which also means no compression) before any data,
 * and a file system on more than one device is refused.  A directory on a
 * file system that cannot hold a swap file (tmpfs, ramfs, overlayfs, nfs,
 * squashfs, zfs, fuse) is refused before anything is made, with -EINVAL and
 * the condition in WHY.  Stops early with -EINTR when a signal of STOP (may
 * be NULL) is pending while zeros are written.  On failure undoes what it
 * did and returns -errno (-ERANGE: SIZE out of range) with the reason in WHY.
 */
int swapfile_make(struct swapfile *sf, const char *dir, const char *prefix, uint64_t size,
		  const sigset_t *stop, char *why, size_t len);

/*
 * The name of the file system with statfs magic MAGIC ("btrfs", "tmpfs"...),
 * NULL when swapfile.c has no rule for it; and why no swap file can be on it
 * (a phrase after "which"), NULL when one can or the file system is unknown.
 * Thread-safe.
 */
const char *swapfile_fs_name(unsigned long magic);
const char *swapfile_fs_refusal(unsigned long magic);

/*
 * swapoff and unlink what swapfile_make did (nothing when it did nothing).
 * Returns 0, or -errno with the reason in WHY; the struct keeps what is
 * left, so a later call tries again.
 */
int swapfile_remove(struct swapfile *sf, char *why, size_t len);

#endif
