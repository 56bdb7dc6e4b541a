/* SPDX-License-Identifier: MIT */
/*
 * Whether a 2 MiB region is backed by one transparent huge page: its first
 * and last 4 KiB pages are resident, in the same THP, at physical frames
 * 511 apart (/proc/self/pagemap for the frames, /proc/kpageflags for the
 * flags; reading frame numbers needs CAP_SYS_ADMIN).
 */
#ifndef LGBENCH_HUGEPAGE_H
#define LGBENCH_HUGEPAGE_H

#include <stddef.h>

/* 1 when the 2 MiB region at @p (2 MiB aligned) is one huge page, 0 when it
 * is not (4 KiB pages, or not resident), or a negative errno when it cannot
 * be told: -EPERM without CAP_SYS_ADMIN (the kernel hides frame numbers),
 * or the error of opening or reading the two files.  Thread safe. */
int region_huge(const void *p);

#endif /* LGBENCH_HUGEPAGE_H */
