/* SPDX-License-Identifier: MIT */
/*
 * The operating-system layer (mimalloc's "prim"): every mmap, munmap and
 * madvise of the library goes through these functions, which count nothing
 * and return 0 or -errno.  <sys/mman.h> comes with it for the MADV_*
 * advice values.  (The io_uring hints of prefetch.c are the one exception:
 * the kernel runs that madvise for liburing's ring.)
 */
#ifndef LGALLOC_OS_H
#define LGALLOC_OS_H

#include <stddef.h>
#include <sys/mman.h>

/*
 * Reserve @len bytes of private, readable and writable anonymous memory
 * starting at a multiple of @align (a power of two), without committing
 * it: pages are charged only when touched, so a reservation larger than
 * RAM plus swap succeeds.  The base goes to *base.
 */
int lg_os_reserve_aligned(size_t len, size_t align, void **base);

int lg_os_unmap(void *addr, size_t len);

int lg_os_advise(void *addr, size_t len, int advice);

#endif /* LGALLOC_OS_H */
